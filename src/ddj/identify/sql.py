"""Cohort rules compiled to SQL over ``current_event`` and ``person_record``.

The SQL is plain (CTEs, COUNT DISTINCT, INTERSECT/UNION, window functions, CASE, timestamp
literals) so the same text runs on DuckDB and on Spark SQL; the few engine-specific forms come
from ``dialect.py``. ``persons`` names the table that maps record_key to person_id, so the same
rule can run over the linked persons or over a truth table.
"""

from __future__ import annotations

from datetime import date

from ddj.identify.dialect import DUCKDB, Dialect, quote_all, window_filter
from ddj.identify.needs_sql import evidence_sql
from ddj.identify.rules import CohortRule, Condition, CostRank


def _window(days: int | None, as_of: date) -> str:
    return window_filter("e.start_at", as_of, days)


def condition_sql(
    condition: Condition, as_of: date, persons: str = "person_record", dialect: Dialect = DUCKDB
) -> str:
    """person_id, n for the people meeting one condition."""
    if condition.need is not None:
        evidence = evidence_sql(
            condition.need, as_of, window_days=condition.window_days, dialect=dialect
        )
        return (
            f"SELECT pr.person_id, count(DISTINCT ev.item) AS n FROM ("
            f"SELECT x.record_key, coalesce(x.event_key, 'record ' || x.record_key) AS item "
            f"FROM ({evidence}) x) ev JOIN {persons} pr ON pr.record_key = ev.record_key "
            f"GROUP BY pr.person_id HAVING count(DISTINCT ev.item) >= {condition.minimum}"
        )
    filters = [_window(condition.window_days, as_of)]
    if condition.event_types:
        filters.append(f"e.event_type IN ({quote_all(condition.event_types)})")
    if condition.systems:
        filters.append(f"e.system IN ({quote_all(condition.systems)})")
    measure = "count(DISTINCT e.system)" if condition.min_systems else "count(*)"
    return (
        f"SELECT pr.person_id, {measure} AS n "
        f"FROM current_event e JOIN {persons} pr ON pr.record_key = e.record_key "
        f"WHERE {' AND '.join(filters)} "
        f"GROUP BY pr.person_id HAVING {measure} >= {condition.minimum}"
    )


def cost_sql(
    rule: CohortRule, as_of: date, persons: str = "person_record", dialect: Dialect = DUCKDB
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
    return (
        f"SELECT pr.person_id, sum({cost}) AS cost "
        f"FROM current_event e JOIN {persons} pr ON pr.record_key = e.record_key "
        f"WHERE {_window(rule.cost_window_days(), as_of)} GROUP BY pr.person_id"
    )


def _top(rank: CostRank) -> str:
    if rank.top_percent is not None:
        return f"cost_rank <= CEIL(n_ranked * {float(rank.top_percent)!r} / 100.0)"
    if rank.top is not None:
        return f"cost_rank <= {int(rank.top)}"
    return f"cost >= {float(rank.min_cost or 0)!r}"


def cohort_sql(
    rule: CohortRule, as_of: date, persons: str = "person_record", dialect: Dialect = DUCKDB
) -> str:
    """One row per member: person_id, c1..cN (the count each condition saw, 0 if none),
    total_contacts and n_systems over the rule's longest window, then cost, cost_rank and
    n_ranked (NULL when the rule has no cost weights or no ranking)."""
    n = len(rule.conditions)
    parts = [
        f"c{i} AS ({condition_sql(c, as_of, persons, dialect)})"
        for i, c in enumerate(rule.conditions, 1)
    ]
    joiner = " INTERSECT " if rule.combine == "all" else " UNION "
    selections = [f"SELECT person_id FROM c{i}" for i in range(1, n + 1)]
    has_cost = bool(rule.costs)
    if has_cost:
        parts.append(f"costs AS ({cost_sql(rule, as_of, persons, dialect)})")
        parts.append(
            "ranked AS (SELECT person_id, cost, row_number() OVER "
            "(ORDER BY cost DESC, person_id) AS cost_rank, count(*) OVER () AS n_ranked "
            "FROM costs WHERE cost > 0)"
        )
    if rule.rank:
        top = f"SELECT person_id FROM ranked WHERE {_top(rule.rank)}"
        members = f"({joiner.join(selections)}) INTERSECT {top}" if selections else top
    else:
        members = joiner.join(selections)
    windows = [w for w in (*(c.window_days for c in rule.conditions), rule.cost_window_days()) if w]
    longest = max(windows) if windows else None  # None: all contacts up to the as-of date
    totals = (
        f"SELECT pr.person_id, count(*) AS total_contacts, count(DISTINCT e.system) AS n_systems "
        f"FROM current_event e JOIN {persons} pr ON pr.record_key = e.record_key "
        f"WHERE {_window(longest, as_of)} GROUP BY pr.person_id"
    )
    counts = "".join(f"coalesce(c{i}.n, 0) AS c{i}, " for i in range(1, n + 1))
    joins = " ".join(f"LEFT JOIN c{i} ON c{i}.person_id = m.person_id" for i in range(1, n + 1))
    if has_cost:
        joins += " LEFT JOIN costs k ON k.person_id = m.person_id"
        joins += " LEFT JOIN ranked r ON r.person_id = m.person_id"
        cost_cols = "coalesce(k.cost, 0.0) AS cost, " + (
            "r.cost_rank, r.n_ranked" if rule.rank else "NULL AS cost_rank, NULL AS n_ranked"
        )
    else:
        cost_cols = "NULL AS cost, NULL AS cost_rank, NULL AS n_ranked"
    order = "cost DESC" if rule.rank else "total_contacts DESC"
    return (
        f"WITH {', '.join(parts)}, members AS ({members}), totals AS ({totals}) "
        f"SELECT m.person_id, {counts}coalesce(t.total_contacts, 0) AS total_contacts, "
        f"coalesce(t.n_systems, 0) AS n_systems, {cost_cols} "
        f"FROM members m {joins} LEFT JOIN totals t ON t.person_id = m.person_id "
        f"ORDER BY {order}, m.person_id"
    )
