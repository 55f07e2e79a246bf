"""Needs compiled to SQL: one row per piece of evidence, keyed by the record it belongs to.

``evidence_sql`` gives the rows of one need (cohort conditions count them per person);
``evidence_table_sql`` and ``need_flag_sql`` turn all needs into the ``need_flag`` rows of a run.
"""

from __future__ import annotations

from datetime import date

from ddj.identify.dialect import DUCKDB, Dialect, quote, quote_all, window_filter
from ddj.identify.icd import CodePattern
from ddj.identify.needs import Evidence, Need

# Columns of every evidence row.
COLUMNS = ("record_key", "event_key", "source", "system", "seen_at", "code", "why", "part2")
EVIDENCE_CAP = 20  # evidence items kept per (person, need), newest first


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


def _select(code: str, why: str, ev: Evidence, prio: int) -> str:
    return (
        f"SELECT e.record_key, e.event_key, e.source, e.system, e.start_at AS seen_at, "
        f"{code} AS code, {quote(ev.label + ': ')} || {why} AS why, e.part2, "
        f"{quote(ev.kind)} AS kind, {prio} AS prio"
    )


def _one(ev: Evidence, prio: int, as_of: date, days: int | None, d: Dialect) -> str:
    filters = _event_filters(ev, as_of, days)
    if ev.kind == "diagnosis":
        filters.append("e.diagnosis_codes IS NOT NULL")
        hit = " OR ".join(_code_test("e.dx", p) for p in ev.codes)
        if ev.exclude:
            hit = f"({hit}) AND NOT ({' OR '.join(_code_test('e.dx', p) for p in ev.exclude)})"
        inner = (
            f"SELECT x.*, upper(replace(x.code, '.', '')) AS dx FROM ("
            f"SELECT e.record_key, e.event_key, e.source, e.system, e.start_at, e.part2, "
            f"{d.explode('e.diagnosis_codes')} AS code "
            f"FROM current_event e WHERE {' AND '.join(filters)}) x"
        )
        return f"{_select('e.code', 'e.code', ev, prio)} FROM ({inner}) e WHERE {hit}"
    if ev.kind == "call_type":
        filters.append(f"upper(trim(e.call_type)) IN ({quote_all(ev.values)})")
        select = _select("e.call_type", "e.call_type", ev, prio)
    elif ev.kind == "event_type":
        filters.append(f"e.event_type IN ({quote_all(ev.event_types)})")
        why = "replace(e.event_type, '_', ' ') || coalesce(' at ' || e.location, '')"
        select = _select("e.event_type", why, ev, prio)
    elif ev.kind == "detail":
        value = d.json_text("e.details", ev.detail)
        filters.append(f"{value} IN ({quote_all(ev.values)})")
        shown = f"coalesce({d.json_text('e.details', ev.show)}, {value})" if ev.show else value
        select = _select(value, shown, ev, prio)
    else:
        return _address(ev, prio, as_of, days)
    return f"{select} FROM current_event e WHERE {' AND '.join(filters)}"


def _address(ev: Evidence, prio: int, as_of: date, days: int | None) -> str:
    """A record whose address starts with a configured value, dated by its latest contact."""
    address = "upper(trim(r.address))"
    hit = " OR ".join(f"{address} LIKE {quote(v.replace('%', '') + '%')}" for v in ev.values)
    systems = f" AND r.system IN ({quote_all(ev.systems)})" if ev.systems else ""
    return (
        f"SELECT r.record_key, CAST(NULL AS VARCHAR) AS event_key, r.source, r.system, "
        f"l.seen_at, {address} AS code, "
        f"{quote(ev.label + ': ')} || r.address || ' (' || r.source || ' record)' AS why, "
        f"r.part2, 'address' AS kind, {prio} AS prio "
        f"FROM current_record r JOIN (SELECT e.record_key, max(e.start_at) AS seen_at "
        f"FROM current_event e WHERE {window_filter('e.start_at', as_of, days)} "
        f"GROUP BY e.record_key) l ON l.record_key = r.record_key "
        f"WHERE ({hit}){systems}"
    )


def evidence_sql(
    need: Need, as_of: date, *, window_days: int | None = None, dialect: Dialect = DUCKDB
) -> str:
    """Every piece of evidence for one need up to the as-of date: COLUMNS, kind, prio.

    ``window_days`` narrows to recent evidence (a cohort condition's window); otherwise the need's
    own window applies, or none.
    """
    days = window_days if window_days is not None else need.window_days
    return " UNION ALL ".join(
        _one(ev, prio, as_of, days, dialect) for prio, ev in enumerate(need.evidence, 1)
    )


def evidence_table_sql(needs: list[Need], as_of: date, persons: str = "person_record") -> str:
    """One row per (person, need, event or record): the first matching evidence entry wins; with
    ``newest`` = 1 for the latest piece of evidence of the person's need."""
    union = " UNION ALL ".join(
        f"SELECT {quote(n.name)} AS need, x.* FROM ({evidence_sql(n, as_of)}) x" for n in needs
    )
    item = "coalesce(ev.event_key, 'record ' || ev.record_key)"
    cols = ", ".join(f"one.{c}" for c in (*COLUMNS, "kind"))
    return (
        f"WITH ev AS ({union}), "
        f"one AS (SELECT ev.*, {item} AS item, row_number() OVER "
        f"(PARTITION BY ev.need, {item} ORDER BY ev.prio, ev.code) AS dup FROM ev) "
        f"SELECT pr.person_id, one.need, {cols}, row_number() OVER "
        f"(PARTITION BY pr.person_id, one.need ORDER BY one.seen_at DESC, one.item) AS newest "
        f"FROM one JOIN {persons} pr ON pr.record_key = one.record_key WHERE one.dup = 1"
    )


def need_flag_sql(run_id: str, evidence: str, descriptions: str, dialect: Dialect = DUCKDB) -> str:
    """need_flag rows from the evidence table and a (code, description) table."""
    why = "CASE WHEN dx.description IS NULL THEN n.why ELSE n.why || ' ' || dx.description END"
    items = dialect.json_objects(
        {
            "event_key": "n.event_key",
            "record_key": "n.record_key",
            "source": "n.source",
            "system": "n.system",
            "at": "CAST(n.seen_at AS VARCHAR)",
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
        f"max(CASE WHEN n.part2 THEN 1 ELSE 0 END) = 1 AS part2, {items} AS evidence "
        f"FROM {evidence} n LEFT JOIN {descriptions} dx "
        f"ON n.kind = 'diagnosis' AND dx.code = n.code "
        f"GROUP BY n.person_id, n.need"
    )
