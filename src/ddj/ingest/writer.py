"""Writing one parsed file into the workspace: a batch, versioned records and events, quarantine.

Idempotence has two levels: a file whose bytes were already ingested for the source is skipped,
and within a new file a row whose canonical content is unchanged adds nothing. A changed row is
stored as a new version; the old version is kept with ``is_current = false`` and ``valid_to`` set.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ddj.ingest.canonical import ParsedFile
from ddj.ingest.current import merge_with_current
from ddj.model import EVENT_COLUMNS, RECORD_COLUMNS
from ddj.store import Store


@dataclass
class BatchSummary:
    batch_id: str
    source: str
    path: str
    rows_read: int = 0
    records_added: int = 0
    records_changed: int = 0
    events_added: int = 0
    events_changed: int = 0
    rows_quarantined: int = 0
    skipped: bool = False

    def line(self) -> str:
        name = Path(self.path).name
        if self.skipped:
            return f"{self.source}: {name} was already ingested; nothing added"
        return (
            f"{self.source}: {name}: {self.rows_read} rows read, "
            f"{self.records_added} records added, {self.records_changed} changed, "
            f"{self.events_added} events added, {self.events_changed} changed, "
            f"{self.rows_quarantined} rows quarantined"
        )


def content_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and bytes, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def already_ingested(store: Store, source: str, sha256: str) -> str | None:
    return store.scalar(
        "SELECT batch_id FROM ingest_batch"
        " WHERE source = ? AND file_sha256 = ? AND status = 'done'",
        [source, sha256],
    )


def write_batch(
    store: Store,
    parsed: ParsedFile,
    *,
    source: str,
    system: str,
    fmt: str,
    profile: str | None,
    path: Path | str,
    sha256: str,
) -> BatchSummary:
    """Write one file's content as one batch, in one transaction: all of it or nothing."""
    con = store.con
    con.execute("BEGIN")
    try:
        batch_id = open_batch(
            store, source=source, system=system, fmt=fmt, profile=profile, path=path, sha256=sha256
        )
        summary = append_to_batch(store, batch_id, parsed, source=source, system=system, path=path)
        close_batch(store, batch_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


def open_batch(
    store: Store,
    *,
    source: str,
    system: str,
    fmt: str,
    profile: str | None,
    path: Path | str,
    sha256: str,
    status: str = "running",
) -> str:
    now = datetime.now().replace(microsecond=0)
    batch_id = f"b{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    store.con.execute(
        "INSERT INTO ingest_batch (batch_id, source, system, format, profile, path,"
        " file_sha256, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, source, system, fmt, profile, str(path), sha256, now, status],
    )
    return batch_id


def append_to_batch(
    store: Store, batch_id: str, parsed: ParsedFile, *, source: str, system: str, path: Path | str
) -> BatchSummary:
    """Add parsed content to an open batch (the caller owns the transaction)."""
    # table -> key -> (version, row_hash) of the current rows already read
    known: dict[str, dict[str, tuple[int, str] | None]] = {"source_record": {}, "event": {}}
    if parsed.patches or parsed.fill_records:
        parsed = merge_with_current(store, parsed, source, known)
    now = datetime.now().replace(microsecond=0)
    summary = BatchSummary(
        batch_id,
        source,
        str(path),
        rows_read=parsed.rows_read,
        rows_quarantined=len(parsed.rejected),
    )
    if parsed.records:
        summary.records_added, summary.records_changed = _upsert_records(
            store, parsed, source, system, batch_id, now, known["source_record"]
        )
    if parsed.events:
        summary.events_added, summary.events_changed = _upsert_events(
            store, parsed, source, system, batch_id, now, known["event"]
        )
    if parsed.aliases:
        _insert_aliases(store, parsed, source, batch_id)
    [(quarantined,)] = store.con.execute(
        "UPDATE ingest_batch SET rows_read = rows_read + ?, records_added = records_added + ?,"
        " records_changed = records_changed + ?, events_added = events_added + ?,"
        " events_changed = events_changed + ?, rows_quarantined = rows_quarantined + ?"
        " WHERE batch_id = ? RETURNING rows_quarantined",
        [
            summary.rows_read,
            summary.records_added,
            summary.records_changed,
            summary.events_added,
            summary.events_changed,
            summary.rows_quarantined,
            batch_id,
        ],
    ).fetchall()
    if parsed.rejected:
        # Numbered after the batch's earlier rows (a file written chunk by chunk, a live feed).
        first = quarantined - len(parsed.rejected) + 1
        _insert_quarantine(store, parsed, source, str(path), batch_id, now, first)
    return summary


def close_batch(store: Store, batch_id: str) -> None:
    store.con.execute(
        "UPDATE ingest_batch SET finished_at = ?, status = 'done' WHERE batch_id = ?",
        [datetime.now(), batch_id],
    )


def _hash(values: dict[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def _upsert_records(
    store: Store,
    parsed: ParsedFile,
    source: str,
    system: str,
    batch_id: str,
    now: datetime,
    known: dict[str, tuple[int, str] | None],
) -> tuple[int, int]:
    rows = []
    for spid, record in parsed.records.items():
        row = {c: record.get(c) for c in RECORD_COLUMNS}
        row["other_ids"] = dict(sorted(record.get("other_ids", {}).items()))
        row["dq_codes"] = dict(sorted(record.get("dq_codes", {}).items()))
        row["part2"] = bool(record.get("part2"))
        row["dob_quality"] = record.get("dob_quality") or ("full" if row["dob"] else "unknown")
        row["row_hash"] = _hash({"spid": spid, **row})
        row["source_person_id"] = spid
        row["record_key"] = f"{source}|{spid}"
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=_record_schema())
    return _upsert(
        store, "source_record", "record_key", table, (source, system, batch_id, now), known
    )


def _upsert_events(
    store: Store,
    parsed: ParsedFile,
    source: str,
    system: str,
    batch_id: str,
    now: datetime,
    known: dict[str, tuple[int, str] | None],
) -> tuple[int, int]:
    rows = []
    for event_id, event in parsed.events.items():
        row = {c: event.get(c) for c in EVENT_COLUMNS}
        row["details"] = json.dumps(event.get("details") or {}, sort_keys=True, default=str)
        row["part2"] = bool(event.get("part2"))
        spid = event["source_person_id"]
        row["row_hash"] = _hash({"id": event_id, "spid": spid, **row})
        row["source_person_id"] = spid
        row["record_key"] = f"{source}|{spid}"
        row["event_key"] = f"{source}|{event_id}"
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=_event_schema())
    return _upsert(store, "event", "event_key", table, (source, system, batch_id, now), known)


def _upsert(
    store: Store,
    table_name: str,
    key: str,
    staged: pa.Table,
    labels: tuple[str, str, str, datetime],
    known: dict[str, tuple[int, str] | None],
) -> tuple[int, int]:
    """Write the staged rows that are new or changed: one lookup of the current versions (unless
    the caller knows them), one UPDATE closing the changed ones, one INSERT from Arrow."""
    con = store.con
    source, system, batch_id, now = labels
    keys = staged.column(key).to_pylist()
    missing = [k for k in keys if k not in known]
    if missing:
        known.update(dict.fromkeys(missing))
        known.update(current_versions(store, table_name, key, missing))
    take: list[int] = []
    versions: list[int] = []
    changed: list[str] = []
    for i, (k, row_hash) in enumerate(
        zip(keys, staged.column("row_hash").to_pylist(), strict=True)
    ):
        old = known.get(k)
        if old is None:
            take.append(i)
            versions.append(1)
        elif old[1] != row_hash:  # a re-sent row is neither new nor changed: nothing written
            take.append(i)
            versions.append(old[0] + 1)
            changed.append(k)
    if not take:
        return 0, 0
    if changed:
        con.execute(
            f"UPDATE {table_name} SET is_current = false, valid_to = ?"
            f" WHERE is_current AND {key} IN (SELECT unnest(?::VARCHAR[]))",
            [now, changed],
        )
    rows = staged.take(take).append_column("version", pa.array(versions, pa.int32()))
    columns = ", ".join(rows.column_names)
    con.register("staged_rows", rows)
    try:
        con.execute(
            f"INSERT INTO {table_name} ({columns}, is_current, source, system, batch_id,"
            f" valid_from) SELECT {columns}, true, ?, ?, ?, ? FROM staged_rows",
            [source, system, batch_id, now],
        )
    finally:
        con.unregister("staged_rows")
    return len(take) - len(changed), len(changed)


def current_versions(
    store: Store, table_name: str, key: str, keys: list[str]
) -> dict[str, tuple[int, str] | None]:
    """(version, row_hash) of the current rows of these keys (absent keys: not stored yet)."""
    rows = store.con.execute(
        f"SELECT {key}, version, row_hash FROM {table_name}"
        f" WHERE is_current AND {key} IN (SELECT unnest(?::VARCHAR[]))",
        [keys],
    ).fetchall()
    return {k: (version, row_hash) for k, version, row_hash in rows}


def _insert_aliases(store: Store, parsed: ParsedFile, source: str, batch_id: str) -> None:
    rows = []
    for alias in parsed.aliases:
        spid = alias["source_person_id"]
        row = {
            "source_person_id": spid,
            "record_key": f"{source}|{spid}",
            "first_name": alias.get("first_name"),
            "last_name": alias.get("last_name"),
            "dob": alias.get("dob"),
            "source": source,
            "batch_id": batch_id,
        }
        row["alias_hash"] = _hash(
            {k: row[k] for k in ("record_key", "first_name", "last_name", "dob")}
        )
        rows.append(row)
    table = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("source_person_id", pa.string()),
                ("record_key", pa.string()),
                ("first_name", pa.string()),
                ("last_name", pa.string()),
                ("dob", pa.date32()),
                ("source", pa.string()),
                ("batch_id", pa.string()),
                ("alias_hash", pa.string()),
            ]
        ),
    )
    store.con.register("staged_aliases", table)
    try:
        store.con.execute("""
            INSERT INTO record_alias (source, source_person_id, record_key, first_name, last_name,
                                      dob, batch_id, alias_hash)
            SELECT DISTINCT ON (alias_hash) source, source_person_id, record_key, first_name,
                   last_name, dob, batch_id, alias_hash
            FROM staged_aliases
            WHERE alias_hash NOT IN (SELECT alias_hash FROM record_alias)
        """)
    finally:
        store.con.unregister("staged_aliases")


def _insert_quarantine(
    store: Store,
    parsed: ParsedFile,
    source: str,
    path: str,
    batch_id: str,
    now: datetime,
    first: int,
) -> None:
    rows = [
        (f"{batch_id}-{i}", batch_id, source, path, r.row_number, r.field, r.value, r.reason, now)
        for i, r in enumerate(parsed.rejected, first)
    ]
    store.con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _record_schema() -> pa.Schema:
    s = pa.string()
    return pa.schema(
        [
            ("first_name", s),
            ("middle_name", s),
            ("last_name", s),
            ("suffix", s),
            ("dob", pa.date32()),
            ("sex", s),
            ("ssn", s),
            ("ssn_last4", s),
            ("address", s),
            ("city", s),
            ("state", s),
            ("zip", s),
            ("phone", s),
            ("other_ids", pa.map_(s, s)),
            ("dq_codes", pa.map_(s, s)),
            ("part2", pa.bool_()),
            ("dob_quality", s),
            ("row_hash", s),
            ("source_person_id", s),
            ("record_key", s),
        ]
    )


def _event_schema() -> pa.Schema:
    s = pa.string()
    return pa.schema(
        [
            ("event_type", s),
            ("start_at", pa.timestamp("us")),
            ("end_at", pa.timestamp("us")),
            ("location", s),
            ("charges", pa.list_(s)),
            ("diagnosis_codes", pa.list_(s)),
            ("call_type", s),
            ("disposition", s),
            ("project_type", s),
            ("cost", pa.float64()),
            ("details", s),
            ("part2", pa.bool_()),
            ("row_hash", s),
            ("source_person_id", s),
            ("record_key", s),
            ("event_key", s),
        ]
    )
