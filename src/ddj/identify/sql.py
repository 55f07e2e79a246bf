"""Cohort rules compiled to SQL over ``current_event`` and ``person_record``.

The SQL is plain ANSI (CTEs, COUNT DISTINCT, INTERSECT/UNION, interval arithmetic on dates) so the
same text runs on DuckDB and on Spark SQL.
"""

from __future__ import annotations

from datetime import date

from ddj.identify.rules import CohortRule, Condition


def _quote(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _window(condition: Condition, as_of: date) -> str:
    start = date.fromordinal(as_of.toordinal() - condition.window_days + 1)
    end = date.fromordinal(as_of.toordinal() + 1)
    return (
        f"e.start_at >= TIMESTAMP '{start.isoformat()} 00:00:00' "
        f"AND e.start_at < TIMESTAMP '{end.isoformat()} 00:00:00'"
    )


def condition_sql(condition: Condition, as_of: date, persons: str = "person_record") -> str:
    """person_id, n for the people meeting one condition."""
    filters = [_window(condition, as_of)]
    if condition.event_types:
        filters.append(f"e.event_type IN ({_quote(condition.event_types)})")
    if condition.systems:
        filters.append(f"e.system IN ({_quote(condition.systems)})")
    measure = "count(DISTINCT e.system)" if condition.min_systems else "count(*)"
    minimum = condition.min_systems or condition.min_events
    return (
        f"SELECT pr.person_id, {measure} AS n "
        f"FROM current_event e JOIN {persons} pr ON pr.record_key = e.record_key "
        f"WHERE {' AND '.join(filters)} "
        f"GROUP BY pr.person_id HAVING {measure} >= {int(minimum)}"
    )


def cohort_sql(rule: CohortRule, as_of: date, persons: str = "person_record") -> str:
    """One row per member: person_id, c1..cN (the count each condition saw, 0 if none),
    total_contacts and n_systems over the longest window of the rule."""
    parts = [
        f"c{i} AS ({condition_sql(c, as_of, persons)})" for i, c in enumerate(rule.conditions, 1)
    ]
    joiner = " INTERSECT " if rule.combine == "all" else " UNION "
    members = joiner.join(f"SELECT person_id FROM c{i}" for i in range(1, len(rule.conditions) + 1))
    longest = max(rule.conditions, key=lambda c: c.window_days)
    overall = Condition(label="all", window_days=longest.window_days, min_events=1)
    totals = (
        f"SELECT pr.person_id, count(*) AS total_contacts, count(DISTINCT e.system) AS n_systems "
        f"FROM current_event e JOIN {persons} pr ON pr.record_key = e.record_key "
        f"WHERE {_window(overall, as_of)} GROUP BY pr.person_id"
    )
    counts = ", ".join(f"coalesce(c{i}.n, 0) AS c{i}" for i in range(1, len(rule.conditions) + 1))
    joins = " ".join(
        f"LEFT JOIN c{i} ON c{i}.person_id = m.person_id"
        for i in range(1, len(rule.conditions) + 1)
    )
    return (
        f"WITH {', '.join(parts)}, members AS ({members}), totals AS ({totals}) "
        f"SELECT m.person_id, {counts}, coalesce(t.total_contacts, 0) AS total_contacts, "
        f"coalesce(t.n_systems, 0) AS n_systems "
        f"FROM members m {joins} LEFT JOIN totals t ON t.person_id = m.person_id "
        f"ORDER BY total_contacts DESC, m.person_id"
    )
