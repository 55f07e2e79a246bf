"""Every query the report runs, read-only, one function per section.

A "person in a system" is a person_id with at least one current record of that system
(person_record joined to current_record).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ddj.store import Store

Sources = Sequence[str] | None  # None: every source; else only these (the policy's shared ones)


def only(relation: str, sources: Sources) -> str:
    """A table or view with a source column, limited to the given sources when there is a limit."""
    if sources is None:
        return relation
    names = ", ".join("'" + s.replace("'", "''") + "'" for s in sources) or "NULL"
    return f"(SELECT * FROM {relation} WHERE source IN ({names}))"


def person_systems(sources: Sources = None) -> str:
    """One row per linked person: the sorted list of systems they appear in."""
    return f"""
    SELECT pr.person_id, list_sort(list(DISTINCT r.system)) AS systems
    FROM person_record pr
    JOIN {only("current_record", sources)} r ON r.record_key = pr.record_key
    GROUP BY pr.person_id
"""


@dataclass(frozen=True)
class Summary:
    source_records: int
    events: int
    persons: int
    multi_system_persons: int
    cohort_members: int
    quarantined_rows: int
    sources: int
    systems: int
    first_event: datetime | None
    last_event: datetime | None
    linked_at: datetime | None


@dataclass(frozen=True)
class SystemRow:
    system: str
    sources: list[str]
    records: int
    events: int
    people: int


@dataclass(frozen=True)
class Overlap:
    combinations: list[tuple[list[str], int]]  # (systems, people), most people first
    set_sizes: list[tuple[str, int]]  # (system, people), most people first
    people: int


@dataclass(frozen=True)
class IdentifyRun:
    run_id: str
    ran_at: datetime
    as_of: date


@dataclass(frozen=True)
class CohortMember:
    person_id: str
    systems: list[str]
    total_contacts: int
    n_systems: int
    qualifying_counts: dict[str, Any]
    reason: str
    first_name: str | None
    last_name: str | None
    cost: float | None = None
    cost_rank: int | None = None
    needs: list[dict[str, Any]] = field(default_factory=list)  # {"need", "part2"}, by name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class Cohort:
    name: str
    size: int
    top: list[CohortMember]

    @property
    def has_cost(self) -> bool:
        return any(m.cost is not None for m in self.top)

    @property
    def ranked_by_cost(self) -> bool:
        return any(m.cost_rank is not None for m in self.top)


@dataclass(frozen=True)
class NeedRow:
    name: str
    label: str
    description: str
    persons: int
    part2_persons: int  # flags resting at least partly on 42 CFR Part 2 records
    cohort_persons: int  # of them, members of some cohort


@dataclass(frozen=True)
class QuarantineRow:
    source: str
    reason: str
    fields: list[str]
    rows: int


@dataclass(frozen=True)
class BatchRow:
    source: str
    system: str
    file_name: str
    started_at: datetime
    rows_read: int
    records_added: int
    records_changed: int
    events_added: int
    events_changed: int
    rows_quarantined: int
    status: str


@dataclass(frozen=True)
class LinkRun:
    run_id: str
    engine: str
    started_at: datetime
    finished_at: datetime | None
    n_records: int | None
    n_pairs_scored: int | None
    n_links: int | None
    n_persons: int | None
    threshold: float | None


def summary(store: Store, sources: Sources = None) -> Summary:
    record, event = only("current_record", sources), only("current_event", sources)
    row = store.dicts(
        f"""
        SELECT
            (SELECT count(*) FROM {record}) AS source_records,
            (SELECT count(*) FROM {event}) AS events,
            (SELECT count(*) FROM person) AS persons,
            (SELECT count(*) FROM ({person_systems(sources)}) WHERE len(systems) >= 2)
                AS multi_system_persons,
            (SELECT count(DISTINCT person_id) FROM latest_cohort) AS cohort_members,
            (SELECT count(*) FROM {only("quarantine", sources)}) AS quarantined_rows,
            (SELECT count(DISTINCT source) FROM (
                SELECT source FROM {record} UNION ALL SELECT source FROM {event}
                UNION ALL SELECT source FROM {only("ingest_batch", sources)})) AS sources,
            (SELECT count(DISTINCT system) FROM (
                SELECT system FROM {record} UNION ALL SELECT system FROM {event}
                UNION ALL SELECT system FROM {only("ingest_batch", sources)})) AS systems,
            (SELECT min(start_at) FROM {event}) AS first_event,
            (SELECT max(start_at) FROM {event}) AS last_event,
            (SELECT coalesce(finished_at, started_at) FROM link_run
                ORDER BY started_at DESC LIMIT 1) AS linked_at
        """
    )[0]
    return Summary(**row)


def events_by_month(store: Store, sources: Sources = None) -> list[tuple[date, int]]:
    """Current events per calendar month, months without events included as 0."""
    rows = store.sql(
        "SELECT CAST(date_trunc('month', start_at) AS DATE) AS m, count(*) "
        f"FROM {only('current_event', sources)} GROUP BY m ORDER BY m"
    )
    if not rows:
        return []
    counts = dict(rows)
    out: list[tuple[date, int]] = []
    month, last = rows[0][0], rows[-1][0]
    while month <= last:
        out.append((month, counts.get(month, 0)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def per_system(store: Store, sources: Sources = None) -> list[SystemRow]:
    record, event = only("current_record", sources), only("current_event", sources)
    rows = store.dicts(
        f"""
        WITH src AS (
            SELECT system, source FROM {record}
            UNION SELECT system, source FROM {event}
            UNION SELECT system, source FROM {only("ingest_batch", sources)}
        ),
        sources AS (
            SELECT system, list_sort(list(DISTINCT source)) AS sources FROM src GROUP BY system
        ),
        rec AS (SELECT system, count(*) AS n FROM {record} GROUP BY system),
        ev AS (SELECT system, count(*) AS n FROM {event} GROUP BY system),
        ppl AS (
            SELECT r.system, count(DISTINCT pr.person_id) AS n
            FROM person_record pr JOIN {record} r ON r.record_key = pr.record_key
            GROUP BY r.system
        )
        SELECT s.system, s.sources,
               coalesce(rec.n, 0) AS records, coalesce(ev.n, 0) AS events,
               coalesce(ppl.n, 0) AS people
        FROM sources s
        LEFT JOIN rec ON rec.system = s.system
        LEFT JOIN ev ON ev.system = s.system
        LEFT JOIN ppl ON ppl.system = s.system
        ORDER BY records DESC, people DESC, s.system
        """
    )
    return [SystemRow(**r) for r in rows]


def overlap(store: Store, sources: Sources = None) -> Overlap:
    combos = store.sql(
        f"""
        SELECT systems, count(*) AS people FROM ({person_systems(sources)})
        GROUP BY systems
        ORDER BY people DESC, len(systems), array_to_string(systems, ',')
        """
    )
    sizes = store.sql(
        f"""
        SELECT system, count(*) AS people
        FROM (SELECT unnest(systems) AS system FROM ({person_systems(sources)}))
        GROUP BY system ORDER BY people DESC, system
        """
    )
    return Overlap(
        combinations=[(list(s), n) for s, n in combos],
        set_sizes=[(s, n) for s, n in sizes],
        people=sum(n for _, n in combos),
    )


def latest_identify_run(store: Store) -> IdentifyRun | None:
    rows = store.dicts(
        "SELECT run_id, ran_at, as_of FROM identify_run ORDER BY ran_at DESC LIMIT 1"
    )
    return IdentifyRun(**rows[0]) if rows else None


def cohorts(store: Store, top_n: int) -> list[Cohort]:
    """Each cohort of the latest identify run, largest first, with its top_n members by contacts.

    The display name is the first and last name on the person's most recent record: the record
    with the latest contact (then the latest version), preferring records not under 42 CFR Part 2.
    """
    sizes = store.sql(
        "SELECT cohort, count(*) AS n FROM latest_cohort GROUP BY cohort ORDER BY n DESC, cohort"
    )
    rows = store.dicts(
        f"""
        WITH ranked AS (
            SELECT m.*, row_number() OVER (
                PARTITION BY cohort
                ORDER BY cost_rank NULLS LAST, total_contacts DESC, person_id) AS rank
            FROM latest_cohort m
        ),
        top AS (SELECT * FROM ranked WHERE rank <= ?),
        ps AS ({person_systems()}),
        last_seen AS (
            SELECT record_key, max(start_at) AS last_seen FROM current_event GROUP BY record_key
        ),
        names AS (
            SELECT pr.person_id, r.first_name, r.last_name, row_number() OVER (
                PARTITION BY pr.person_id
                ORDER BY r.part2, e.last_seen DESC NULLS LAST, r.valid_from DESC, r.record_key
            ) AS pick
            FROM person_record pr
            JOIN current_record r ON r.record_key = pr.record_key
            LEFT JOIN last_seen e ON e.record_key = r.record_key
            WHERE pr.person_id IN (SELECT person_id FROM top)
        ),
        needs AS (
            -- A report is a file that leaves ddj: no need resting on 42 CFR Part 2 records is
            -- tied to a named person in it (the dashboard shows those to consented roles only).
            SELECT person_id, list({{'need': need, 'part2': part2}} ORDER BY need) AS needs
            FROM latest_need_flag WHERE person_id IN (SELECT person_id FROM top) AND NOT part2
            GROUP BY person_id
        )
        SELECT t.cohort, t.person_id, coalesce(ps.systems, []) AS systems, t.total_contacts,
               t.n_systems, t.qualifying_counts, t.reason, n.first_name, n.last_name, t.cost,
               t.cost_rank,
               coalesce(nd.needs, []) AS needs
        FROM top t
        LEFT JOIN ps ON ps.person_id = t.person_id
        LEFT JOIN names n ON n.person_id = t.person_id AND n.pick = 1
        LEFT JOIN needs nd ON nd.person_id = t.person_id
        ORDER BY t.cohort, t.rank
        """,
        [top_n],
    )
    members: dict[str, list[CohortMember]] = {}
    for r in rows:
        cohort = r.pop("cohort")
        r["qualifying_counts"] = _counts(r["qualifying_counts"])
        members.setdefault(cohort, []).append(CohortMember(**r))
    return [Cohort(name=c, size=n, top=members.get(c, [])) for c, n in sizes]


def needs(store: Store) -> list[NeedRow]:
    """People per need in the latest identify run, in the order the run defined its needs."""
    counts = {
        r["need"]: r
        for r in store.dicts(
            """
            SELECT need, count(*) AS persons, count(*) FILTER (WHERE part2) AS part2_persons,
                   count(*) FILTER (WHERE person_id IN (SELECT person_id FROM latest_cohort))
                       AS cohort_persons
            FROM latest_need_flag GROUP BY need
            """
        )
    }
    raw = store.scalar("SELECT rules_json FROM identify_run ORDER BY ran_at DESC LIMIT 1")
    definition = json.loads(raw) if isinstance(raw, str) else raw
    defined = definition.get("needs", []) if isinstance(definition, dict) else []
    names = [d["name"] for d in defined] + sorted(set(counts) - {d["name"] for d in defined})
    about = {d["name"]: d for d in defined}
    return [
        NeedRow(
            name=name,
            label=about.get(name, {}).get("label") or name.replace("_", " "),
            description=about.get(name, {}).get("description", ""),
            persons=counts.get(name, {}).get("persons", 0),
            part2_persons=counts.get(name, {}).get("part2_persons", 0),
            cohort_persons=counts.get(name, {}).get("cohort_persons", 0),
        )
        for name in names
    ]


def _counts(raw: str | dict | None) -> dict[str, Any]:
    """qualifying_counts as a dict, largest count first."""
    value = json.loads(raw) if isinstance(raw, str) else (raw or {})
    if not isinstance(value, dict):
        return {}
    return dict(sorted(value.items(), key=lambda kv: (-_as_number(kv[1]), kv[0])))


def _as_number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def quarantine(store: Store, sources: Sources = None) -> list[QuarantineRow]:
    """Quarantined rows per source and reason. Never the quarantined values themselves."""
    rows = store.dicts(
        f"""
        SELECT source, reason,
               list_sort(list(DISTINCT field) FILTER (WHERE field IS NOT NULL)) AS fields,
               count(*) AS rows
        FROM {only("quarantine", sources)}
        GROUP BY source, reason
        ORDER BY rows DESC, source, reason
        """
    )
    return [QuarantineRow(**{**r, "fields": r["fields"] or []}) for r in rows]


def batch_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM ingest_batch") or 0)


def batches(store: Store, limit: int) -> list[BatchRow]:
    """The most recent ingest batches, newest first."""
    rows = store.dicts(
        """
        SELECT source, system, path, started_at,
               coalesce(rows_read, 0) AS rows_read,
               coalesce(records_added, 0) AS records_added,
               coalesce(records_changed, 0) AS records_changed,
               coalesce(events_added, 0) AS events_added,
               coalesce(events_changed, 0) AS events_changed,
               coalesce(rows_quarantined, 0) AS rows_quarantined,
               status
        FROM ingest_batch
        ORDER BY started_at DESC, source, batch_id
        LIMIT ?
        """,
        [limit],
    )
    return [BatchRow(file_name=_file_name(r.pop("path")), **r) for r in rows]


def _file_name(path: str) -> str:
    """The last part of a path written on any OS (the folders may name people or hosts)."""
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def latest_link_run(store: Store) -> LinkRun | None:
    rows = store.dicts(
        """
        SELECT run_id, engine, started_at, finished_at, n_records, n_pairs_scored, n_links,
               n_persons, threshold
        FROM link_run ORDER BY started_at DESC LIMIT 1
        """
    )
    return LinkRun(**rows[0]) if rows else None
