"""Exports of the linked workspace as CSV, XLSX or Parquet: records, persons, cohort."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ddj.errors import DdjError, StageOrderError
from ddj.store import Store

EXPORTS = ("records", "persons", "cohort")
EXPORT_FORMATS = ("csv", "xlsx", "parquet")


def _query(what: str, records: str) -> str:
    """The export's SQL over ``records`` (current_record, or the part of it a role may see)."""
    if what == "records":
        # One row per source record, so anyone can score the linkage against a ground truth.
        return f"""
            SELECT r.source, r.source_person_id, pr.person_id
            FROM {records} r LEFT JOIN person_record pr USING (record_key)
            ORDER BY r.source, r.source_person_id
        """
    if what == "persons":
        return f"""
            WITH latest AS (
                SELECT pr.person_id, r.first_name, r.last_name, r.dob,
                       row_number() OVER (PARTITION BY pr.person_id
                                          ORDER BY r.valid_from DESC, r.record_key) AS k
                FROM person_record pr JOIN {records} r USING (record_key))
            SELECT p.person_id, l.first_name, l.last_name, l.dob, p.n_records, p.n_systems,
                   (SELECT string_agg(DISTINCT r.system, ';' ORDER BY r.system)
                    FROM person_record x JOIN {records} r USING (record_key)
                    WHERE x.person_id = p.person_id) AS systems
            FROM person p JOIN latest l ON l.person_id = p.person_id AND l.k = 1
            ORDER BY p.person_id
        """
    return f"""
        SELECT m.cohort, m.person_id, m.total_contacts, m.n_systems,
               CAST(m.qualifying_counts AS VARCHAR) AS qualifying_counts, m.reason
        FROM latest_cohort m
        WHERE m.person_id IN (
            SELECT pr.person_id FROM person_record pr JOIN {records} r USING (record_key))
        ORDER BY m.cohort, m.total_contacts DESC, m.person_id
    """


def export(store: Store, what: str, fmt: str, out: Path, *, records: str = "current_record") -> int:
    """Write the export; return the number of rows written. ``records`` is the relation of
    records the caller may see (the policy layer passes its cut of current_record)."""
    if what not in EXPORTS:
        raise DdjError(f"unknown export {what!r}", fix=f"choose one of {', '.join(EXPORTS)}")
    if fmt not in EXPORT_FORMATS:
        raise DdjError(f"unknown format {fmt!r}", fix=f"choose one of {', '.join(EXPORT_FORMATS)}")
    if what in ("persons", "cohort") and not store.scalar("SELECT count(*) FROM person"):
        raise StageOrderError("nothing linked yet", fix="run `ddj link` first")
    if what == "cohort" and not store.scalar("SELECT count(*) FROM identify_run"):
        raise StageOrderError("no cohort yet", fix="run `ddj identify` first")
    out.parent.mkdir(parents=True, exist_ok=True)
    query = _query(what, records)
    relation = store.con.sql(query)
    if fmt == "csv":
        relation.write_csv(str(out), header=True)
    elif fmt == "parquet":
        relation.write_parquet(str(out))
    else:
        write_xlsx(relation.columns, relation.fetchall(), out, sheet=what)
    return store.scalar(f"SELECT count(*) FROM ({query})")


def write_xlsx(
    columns: list[str],
    rows: list[tuple],
    out: Path | BinaryIO,
    *,
    sheet: str,
    notice: list[str] | None = None,
) -> None:
    """Rows under a header row; ``notice`` lines (e.g. a redisclosure notice) come first."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    for line in notice or []:
        ws.append([line])
    ws.append(columns)
    for row in rows:
        ws.append(list(row))
    book.save(out)
