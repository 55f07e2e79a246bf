"""The identify stage: evaluate each cohort rule and store its members with why they qualified."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime

from ddj.errors import StageOrderError
from ddj.identify.rules import CohortRule
from ddj.identify.sql import cohort_sql
from ddj.store import Store


@dataclass
class IdentifySummary:
    run_id: str
    as_of: date
    members: dict[str, int]

    def line(self) -> str:
        counts = ", ".join(f"{name}: {n}" for name, n in self.members.items())
        return f"cohorts as of {self.as_of.isoformat()}: {counts}"


def default_as_of(store: Store) -> date:
    """The day of the newest event: a list reproduces the data's own 'today'."""
    latest = store.scalar("SELECT max(start_at) FROM current_event")
    return latest.date() if latest else date.today()


def identify(store: Store, rules: list[CohortRule], as_of: date | None = None) -> IdentifySummary:
    if not store.scalar("SELECT count(*) FROM person_record"):
        raise StageOrderError("no linked persons yet", fix="run `ddj link` first")
    as_of = as_of or default_as_of(store)
    run_id = f"i{datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    con = store.con
    members: dict[str, int] = {}
    con.execute("BEGIN")
    try:
        con.execute(
            "INSERT INTO identify_run VALUES (?, ?, ?, ?)",
            [run_id, datetime.now(), as_of, json.dumps([asdict(r) for r in rules])],
        )
        for rule in rules:
            rows = con.execute(cohort_sql(rule, as_of)).fetchall()
            members[rule.name] = len(rows)
            if rows:
                con.executemany(
                    "INSERT INTO cohort_member VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [_member(run_id, rule, row) for row in rows],
                )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IdentifySummary(run_id, as_of, members)


def _member(run_id: str, rule: CohortRule, row: tuple) -> tuple:
    person_id, *counts, total, n_systems = row
    qualifying = {c.label: n for c, n in zip(rule.conditions, counts, strict=True)}
    reason = "; ".join(
        f"{n} {c.label} in {c.window_days} days (needs {c.min_systems or c.min_events})"
        for c, n in zip(rule.conditions, counts, strict=True)
    )
    return (run_id, rule.name, person_id, total, n_systems, json.dumps(qualifying), reason)
