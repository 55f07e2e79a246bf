"""Needs compiled to SQL: one row per piece of evidence, keyed by the record it belongs to.

``evidence_sql`` gives the rows of one need (cohort conditions count them per person);
``evidence_table_sql`` and ``need_flag_sql`` turn all needs into the ``need_flag`` rows of a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ddj.identify.dialect import DUCKDB, Dialect, quote, quote_all, window_filter
from ddj.identify.icd import CodePattern
from ddj.identify.needs import Evidence, Need

# Columns of every evidence row.
COLUMNS = ("record_key", "event_key", "source", "system", "seen_at", "code", "why", "part2")
EVIDENCE_CAP = 20  # evidence items kept per (person, need), newest first
NEED_FLAG_COLUMNS = (
    "run_id",
    "person_id",
    "need",
    "evidence_count",
    "first_at",
    "last_at",
    "part2",
    "evidence",
    "sources",
)
EVENT_COLUMNS = (
    "record_key",
    "event_key",
    "source",
    "system",
    "event_type",
    "start_at",
    "end_at",
    "location",
    "diagnosis_codes",
    "call_type",
    "details",
    "cost",
    "part2",
)
DIAGNOSIS_COLUMNS = (
    "record_key",
    "event_key",
    "source",
    "system",
    "event_type",
    "start_at",
    "part2",
)


@dataclass(frozen=True)
class EventTables:
    """Where the SQL reads contacts: ``events`` has current_event's columns (EVENT_COLUMNS at
    least); ``diagnoses`` one row per event and diagnosis (DIAGNOSIS_COLUMNS, code, dx = the code
    dotless in upper case), or None to unnest the events' diagnosis codes in each query."""

    events: str = "current_event"
    diagnoses: str | None = None
    linked: bool = False  # the tables carry person_id already (no join with the persons table)

    def events_from(self, persons: str) -> tuple[str, str]:
        """A FROM clause over the events (alias e), and the SQL of an event's person_id."""
        return self._from(self.events, persons)

    def diagnoses_from(self, persons: str, dialect: Dialect) -> tuple[str, str]:
        table = self.diagnoses or f"({diagnoses_table_sql(self.events, dialect, self.linked)})"
        return self._from(table, persons)

    def _from(self, table: str, persons: str) -> tuple[str, str]:
        if self.linked:
            return f"{table} e", "e.person_id"
        return f"{table} e JOIN {persons} pr ON pr.record_key = e.record_key", "pr.person_id"


CURRENT = EventTables()
# The contacts cohorts count: no 42 CFR Part 2 contact (see identify.run).
COUNTED = EventTables(events="(SELECT * FROM current_event WHERE NOT part2)")


def events_table_sql(
    persons: str = "person_record", *, details: bool = True, dialect: Dialect = DUCKDB
) -> str:
    """The current events of linked records, each with its person_id: read once for a whole run
    (``EventTables(..., linked=True)``). Without ``details`` (no need reads them) that column
    is NULL, which saves copying every event's JSON."""
    cols = ", ".join(
        f"e.{c}" if c != "details" or details else f"{dialect.text('NULL')} AS details"
        for c in EVENT_COLUMNS
    )
    return (
        f"SELECT pr.person_id, {cols} FROM current_event e "
        f"JOIN {persons} pr ON pr.record_key = e.record_key"
    )


def diagnoses_table_sql(events: str, dialect: Dialect = DUCKDB, linked: bool = False) -> str:
    """One row per event and diagnosis code of ``events``."""
    cols = ", ".join(f"e.{c}" for c in (*DIAGNOSIS_COLUMNS, *(["person_id"] if linked else [])))
    return (
        f"SELECT x.*, upper(replace(x.code, '.', '')) AS dx FROM ("
        f"SELECT {cols}, {dialect.explode('e.diagnosis_codes')} AS code FROM {events} e "
        f"WHERE e.diagnosis_codes IS NOT NULL) x"
    )


def _code_test(column: str, pattern: CodePattern) -> str:
    if pattern.kind == "range":
        return f"substr({column}, 1, 3) BETWEEN {quote(pattern.first)} AND {quote(pattern.last)}"
    return f"{column} LIKE {quote(pattern.first + '%')}"  # a prefix, or a LIKE with _


def _event_filters(ev: Evidence, as_of: date, days: int | None) -> list[str]:
    filters = [window_filter("e.start_at", as_of, days)]
    if ev.event_types and ev.kind != "event_type":
        filters.append(f"e.event_type IN ({quote_all(ev.event_types)})")
    if ev.systems:
        filters.append(f"e.system IN ({quote_all(ev.systems)})")
    return filters


def _select(code: str, why: str, ev: Evidence, prio: int, person: str) -> str:
    return (
        f"SELECT {person} AS person_id, e.record_key, e.event_key, e.source, e.system, "
        f"e.start_at AS seen_at, "
        f"{code} AS code, {quote(ev.label + ': ')} || {why} AS why, e.part2, "
        f"{quote(ev.kind)} AS kind, {prio} AS prio"
    )


def _one(
    ev: Evidence,
    prio: int,
    as_of: date,
    days: int | None,
    d: Dialect,
    src: EventTables,
    persons: str,
) -> str:
    filters = _event_filters(ev, as_of, days)
    events, person = src.events_from(persons)
    if ev.kind == "diagnosis":
        filters.append(" OR ".join(_code_test("e.dx", p) for p in ev.codes))
        if ev.exclude:
            filters.append(f"NOT ({' OR '.join(_code_test('e.dx', p) for p in ev.exclude)})")
        diagnoses, person = src.diagnoses_from(persons, d)
        where = " AND ".join(f"({f})" for f in filters)
        return f"{_select('e.code', 'e.code', ev, prio, person)} FROM {diagnoses} WHERE {where}"
    if ev.kind == "call_type":
        filters.append(f"upper(trim(e.call_type)) IN ({quote_all(ev.values)})")
        select = _select("e.call_type", "e.call_type", ev, prio, person)
    elif ev.kind == "event_type":
        filters.append(f"e.event_type IN ({quote_all(ev.event_types)})")
        why = "replace(e.event_type, '_', ' ') || coalesce(' at ' || e.location, '')"
        select = _select("e.event_type", why, ev, prio, person)
    elif ev.kind == "detail":
        value = d.json_text("e.details", ev.detail)
        filters.append(f"{value} IN ({quote_all(ev.values)})")
        shown = f"coalesce({d.json_text('e.details', ev.show)}, {value})" if ev.show else value
        select = _select(value, shown, ev, prio, person)
    else:
        return _address(ev, prio, as_of, days, src, persons, d)
    return f"{select} FROM {events} WHERE {' AND '.join(filters)}"


def _address(
    ev: Evidence,
    prio: int,
    as_of: date,
    days: int | None,
    src: EventTables,
    persons: str,
    d: Dialect,
) -> str:
    """A record whose address starts with a configured value, dated by its latest contact."""
    address = "upper(trim(r.address))"
    # the beginning compared as text, so an address's own % or _ is no wildcard
    hit = " OR ".join(f"substr({address}, 1, {len(v)}) = {quote(v)}" for v in ev.values)
    systems = f" AND r.system IN ({quote_all(ev.systems)})" if ev.systems else ""
    events, person = src.events_from(persons)
    return (
        f"SELECT l.person_id, r.record_key, {d.text('NULL')} AS event_key, r.source, "
        f"r.system, l.seen_at, {address} AS code, "
        f"{quote(ev.label + ': ')} || r.address || ' (' || r.source || ' record)' AS why, "
        f"r.part2, 'address' AS kind, {prio} AS prio "
        f"FROM current_record r JOIN (SELECT e.record_key, max({person}) AS person_id, "
        f"max(e.start_at) AS seen_at FROM {events} "
        f"WHERE {window_filter('e.start_at', as_of, days)} "
        f"GROUP BY e.record_key) l ON l.record_key = r.record_key "
        f"WHERE ({hit}){systems}"
    )


def evidence_sql(
    need: Need,
    as_of: date,
    *,
    window_days: int | None = None,
    dialect: Dialect = DUCKDB,
    src: EventTables = CURRENT,
    persons: str = "person_record",
) -> str:
    """Every piece of evidence for one need up to the as-of date: person_id, COLUMNS, kind, prio.

    ``window_days`` narrows to recent evidence (a cohort condition's window), within the need's
    own window if it has one.
    """
    given = [d for d in (window_days, need.window_days) if d is not None]
    days = min(given) if given else None
    return " UNION ALL ".join(
        _one(ev, prio, as_of, days, dialect, src, persons)
        for prio, ev in enumerate(need.evidence, 1)
    )


def evidence_table_sql(
    needs: list[Need],
    as_of: date,
    persons: str = "person_record",
    src: EventTables = CURRENT,
    dialect: Dialect = DUCKDB,
) -> str:
    """One row per (person, need, event or record): the first matching evidence entry wins; with
    ``newest`` = 1 for the latest piece of evidence of the person's need."""
    union = " UNION ALL ".join(
        f"SELECT {quote(n.name)} AS need, x.* FROM "
        f"({evidence_sql(n, as_of, dialect=dialect, src=src, persons=persons)}) x"
        for n in needs
    )
    cols = ", ".join(f"ev.{c}" for c in ("person_id", "need", *COLUMNS, "kind"))
    # One sort: a person's evidence of a need, newest first; an event matched twice (two codes,
    # two entries) keeps the row of its first entry and code.
    return (
        f"WITH ev AS (SELECT u.*, coalesce(u.event_key, 'record ' || u.record_key) AS item "
        f"FROM ({union}) u), "
        f"ranked AS (SELECT {cols}, ev.item, lag(ev.item) OVER w AS previous, dense_rank() OVER "
        f"(PARTITION BY ev.person_id, ev.need ORDER BY ev.seen_at DESC, ev.item) AS newest "
        f"FROM ev WINDOW w AS (PARTITION BY ev.person_id, ev.need "
        f"ORDER BY ev.seen_at DESC, ev.item, ev.prio, ev.code)) "
        f"SELECT * FROM ranked WHERE previous IS NULL OR previous <> item"
    )


def need_flag_sql(run_id: str, evidence: str, descriptions: str, dialect: Dialect = DUCKDB) -> str:
    """need_flag rows (NEED_FLAG_COLUMNS) from the evidence and a (code, description) table."""
    why = "CASE WHEN dx.description IS NULL THEN n.why ELSE n.why || ' ' || dx.description END"
    items = dialect.json_objects(
        {
            "event_key": "n.event_key",
            "record_key": "n.record_key",
            "source": "n.source",
            "system": "n.system",
            "at": dialect.text("n.seen_at"),
            "code": "n.code",
            "why": why,
            "kind": "n.kind",
            "part2": "n.part2",
        },
        order_by="n.newest",
        where=f"n.newest <= {EVIDENCE_CAP}",
    )
    return (
        f"SELECT {quote(run_id)} AS run_id, n.person_id, n.need, count(*) AS evidence_count, "
        f"min(n.seen_at) AS first_at, max(n.seen_at) AS last_at, "
        f"max(CASE WHEN n.part2 THEN 1 ELSE 0 END) = 1 AS part2, {items} AS evidence, "
        f"{dialect.distinct_sorted('n.source')} AS sources "
        f"FROM {evidence} n LEFT JOIN {descriptions} dx "
        f"ON n.kind = 'diagnosis' AND dx.code = n.code "
        f"GROUP BY n.person_id, n.need"
    )
