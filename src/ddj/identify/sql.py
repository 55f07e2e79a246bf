"""Cohort rules compiled to SQL over ``current_event`` and ``person_record``.

The SQL is plain (CTEs, COUNT DISTINCT, INTERSECT/UNION, window functions, CASE, timestamp
literals) so the same text runs on DuckDB and on Spark SQL; the few engine-specific forms come
from ``dialect.py``. ``persons`` names the table that maps record_key to person_id, so the same
rule can run over the linked persons or over a truth table.
"""

from __future__ import annotations

from datetime import date

from ddj.identify.dialect import DUCKDB, Dialect, quote, quote_all, window_filter
from ddj.identify.needs_sql import CURRENT, EventTables, evidence_sql
from ddj.identify.rules import CohortRule, Condition, CostRank


def _window(days: int | None, as_of: date) -> str:
    return window_filter("e.start_at", as_of, days)


def condition_sql(
    condition: Condition,
    as_of: date,
    persons: str = "person_record",
    dialect: Dialect = DUCKDB,
    src: EventTables = CURRENT,
) -> str:
    """person_id, n for the people meeting one condition."""
    if condition.need is not None:
        evidence = evidence_sql(
            condition.need,
            as_of,
            window_days=condition.window_days,
            dialect=dialect,
            src=src,
            persons=persons,
        )
        return (
            f"SELECT ev.person_id, count(DISTINCT ev.item) AS n FROM ("
            f"SELECT x.person_id, coalesce(x.event_key, 'record ' || x.record_key) AS item "
            f"FROM ({evidence}) x) ev "
            f"GROUP BY ev.person_id HAVING count(DISTINCT ev.item) >= {condition.minimum}"
        )
    filters = [_window(condition.window_days, as_of)]
    if condition.event_types:
        filters.append(f"e.event_type IN ({quote_all(condition.event_types)})")
    if condition.systems:
        filters.append(f"e.system IN ({quote_all(condition.systems)})")
    measure = "count(DISTINCT e.system)" if condition.min_systems else "count(*)"
    events, person = src.events_from(persons)
    return (
        f"SELECT {person} AS person_id, {measure} AS n FROM {events} "
        f"WHERE {' AND '.join(filters)} "
        f"GROUP BY {person} HAVING {measure} >= {condition.minimum}"
    )


def cost_sql(
    rule: CohortRule,
    as_of: date,
    persons: str = "person_record",
    dialect: Dialect = DUCKDB,
    src: EventTables = CURRENT,
    only: str | None = None,
) -> str:
    """person_id, cost: each person's events in the rule's cost window, weighted.

    An event costs its type's per_event, plus per_day for each night of a stay (at least one,
    counted to its end or to the as-of date), unless it carries its own recorded cost.
    """
    end = date.fromordinal(as_of.toordinal() + 1).isoformat()
    stop = f"LEAST(coalesce(e.end_at, TIMESTAMP '{end} 00:00:00'), TIMESTAMP '{end} 00:00:00')"
    nights = f"GREATEST(1, {dialect.days_between('e.start_at', stop)})"
    cases = []
    for w in rule.costs:
        amount = (
            " + ".join(
                part
                for part in (
                    f"{w.per_event!r}" if w.per_event else "",
                    f"{w.per_day!r} * {nights}" if w.per_day else "",
                )
                if part
            )
            or "0.0"
        )
        if w.use_recorded:
            amount = f"coalesce(e.cost, {amount})"
        cases.append(f"WHEN {quote_all([w.event_type])} THEN {amount}")
    cost = f"CASE e.event_type {' '.join(cases)} ELSE coalesce(e.cost, 0.0) END"
    events, person = src.events_from(persons)
    among = f" AND {person} IN ({only})" if only else ""
    return (
        f"SELECT {person} AS person_id, sum({cost}) AS cost FROM {events} "
        f"WHERE {_window(rule.cost_window_days(), as_of)}{among} GROUP BY {person}"
    )


def _top(rank: CostRank) -> str:
    if rank.top_percent is not None:
        return f"cost_rank <= CEIL(n_ranked * {float(rank.top_percent)!r} / 100.0)"
    if rank.top is not None:
        return f"cost_rank <= {int(rank.top)}"
    return f"cost >= {float(rank.min_cost or 0)!r}"


def cohort_sql(
    rule: CohortRule,
    as_of: date,
    persons: str = "person_record",
    dialect: Dialect = DUCKDB,
    src: EventTables = CURRENT,
) -> str:
    """One row per member: person_id, c1..cN (the count each condition saw, 0 if none),
    total_contacts and n_systems over the rule's longest window, then cost, cost_rank and
    n_ranked (NULL when the rule has no cost weights or no ranking)."""
    n = len(rule.conditions)
    parts = [
        f"c{i} AS ({condition_sql(c, as_of, persons, dialect, src)})"
        for i, c in enumerate(rule.conditions, 1)
    ]
    joiner = " INTERSECT " if rule.combine == "all" else " UNION "
    selections = [f"SELECT person_id FROM c{i}" for i in range(1, n + 1)]
    if rule.rank:  # rank everyone with a cost, then keep the top who also meet the conditions
        parts.append(f"costs AS ({cost_sql(rule, as_of, persons, dialect, src)})")
        parts.append(
            "ranked AS (SELECT person_id, cost, row_number() OVER "
            "(ORDER BY cost DESC, person_id) AS cost_rank, count(*) OVER () AS n_ranked "
            "FROM costs WHERE cost > 0)"
        )
        top = f"SELECT person_id FROM ranked WHERE {_top(rule.rank)}"
        members = f"({joiner.join(selections)}) INTERSECT {top}" if selections else top
    else:
        members = joiner.join(selections)
    parts.append(f"members AS ({members})")
    if rule.costs and not rule.rank:  # each member's cost, for the list
        only = "SELECT person_id FROM members"
        parts.append(f"costs AS ({cost_sql(rule, as_of, persons, dialect, src, only)})")
    windows = [w for w in (*(c.window_days for c in rule.conditions), rule.cost_window_days()) if w]
    longest = max(windows) if windows else None  # None: all contacts up to the as-of date
    events, person = src.events_from(persons)
    parts.append(
        f"totals AS (SELECT {person} AS person_id, count(*) AS total_contacts, "
        f"count(DISTINCT e.system) AS n_systems FROM {events} "
        f"WHERE {_window(longest, as_of)} AND {person} IN (SELECT person_id FROM members) "
        f"GROUP BY {person})"
    )
    counts = "".join(f"coalesce(c{i}.n, 0) AS c{i}, " for i in range(1, n + 1))
    joins = " ".join(f"LEFT JOIN c{i} ON c{i}.person_id = m.person_id" for i in range(1, n + 1))
    if rule.costs:
        joins += " LEFT JOIN costs k ON k.person_id = m.person_id"
        cost_cols = "coalesce(k.cost, 0.0) AS cost, NULL AS cost_rank, NULL AS n_ranked"
        if rule.rank:
            joins += " LEFT JOIN ranked r ON r.person_id = m.person_id"
            cost_cols = "coalesce(k.cost, 0.0) AS cost, r.cost_rank, r.n_ranked"
    else:
        cost_cols = "NULL AS cost, NULL AS cost_rank, NULL AS n_ranked"
    order = "cost DESC" if rule.rank else "total_contacts DESC"
    return (
        f"WITH {', '.join(parts)} "
        f"SELECT m.person_id, {counts}coalesce(t.total_contacts, 0) AS total_contacts, "
        f"coalesce(t.n_systems, 0) AS n_systems, {cost_cols} "
        f"FROM members m {joins} LEFT JOIN totals t ON t.person_id = m.person_id "
        f"ORDER BY {order}, m.person_id"
    )


MEMBER_COLUMNS = (
    "run_id",
    "cohort",
    "person_id",
    "total_contacts",
    "n_systems",
    "qualifying_counts",
    "reason",
    "cost",
    "cost_rank",
)


def members_sql(
    rule: CohortRule,
    as_of: date,
    run_id: str,
    persons: str = "person_record",
    dialect: Dialect = DUCKDB,
    src: EventTables = CURRENT,
) -> str:
    """The cohort_member rows (MEMBER_COLUMNS) of one rule, with why each member qualified:
    the count each condition saw (qualifying_counts) and a sentence (reason)."""
    counts = dialect.json_object({c.label: f"m.c{i}" for i, c in enumerate(rule.conditions, 1)})
    reasons = [
        f"{dialect.text(f'm.c{i}')} || {quote(f' {c.label}{c.window_text()} (needs {c.minimum})')}"
        for i, c in enumerate(rule.conditions, 1)
    ]
    if rule.costs:
        days = rule.cost_window_days()
        span = f" in {days} days" if days else " up to the as-of date"
        ranked = (
            f"coalesce(' (rank ' || {dialect.text('m.cost_rank')} || ' of ' || "
            f"{dialect.text('m.n_ranked')} || ' people with a cost)', '')"
        )
        reasons.append(
            f"'cost ' || {dialect.whole_number_text('m.cost')} || {quote(span)} || {ranked}"
        )
    reason = " || '; ' || ".join(reasons)
    return (
        f"SELECT {quote(run_id)} AS run_id, {quote(rule.name)} AS cohort, m.person_id, "
        f"m.total_contacts, m.n_systems, {counts} AS qualifying_counts, {reason} AS reason, "
        f"m.cost, m.cost_rank FROM ({cohort_sql(rule, as_of, persons, dialect, src)}) m"
    )
