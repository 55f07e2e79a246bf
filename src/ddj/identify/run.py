"""The identify stage: each person's needs with their evidence, then each cohort rule's members with
why they qualified; all under one run id and one as-of date."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from ddj.errors import StageOrderError
from ddj.identify.dialect import quote
from ddj.identify.icd import describe
from ddj.identify.needs import Need, default_needs
from ddj.identify.needs_sql import evidence_table_sql, need_flag_sql
from ddj.identify.rules import CohortRule
from ddj.identify.sql import cohort_sql
from ddj.store import Store

_EVIDENCE = "identify_need_evidence"
_DESCRIPTIONS = "identify_icd_description"


@dataclass
class IdentifySummary:
    run_id: str
    as_of: date
    members: dict[str, int]
    needs: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        counts = ", ".join(f"{name}: {n}" for name, n in self.members.items())
        flagged = ", ".join(f"{name}: {n}" for name, n in self.needs.items())
        return f"cohorts as of {self.as_of.isoformat()}: {counts}; needs: {flagged}"


def default_as_of(store: Store) -> date:
    """The day of the newest event: a list reproduces the data's own 'today'."""
    latest = store.scalar("SELECT max(start_at) FROM current_event")
    return latest.date() if latest else date.today()


def identify(
    store: Store,
    rules: list[CohortRule],
    as_of: date | None = None,
    needs: list[Need] | None = None,
) -> IdentifySummary:
    if not store.scalar("SELECT count(*) FROM person_record"):
        raise StageOrderError("no linked persons yet", fix="run `ddj link` first")
    needs = default_needs() if needs is None else needs
    as_of = as_of or default_as_of(store)
    run_id = f"i{datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    con = store.con
    members: dict[str, int] = {}
    con.execute("BEGIN")
    try:
        definition = {"cohorts": [asdict(r) for r in rules], "needs": [asdict(n) for n in needs]}
        con.execute(
            "INSERT INTO identify_run VALUES (?, ?, ?, ?)",
            [run_id, datetime.now(), as_of, json.dumps(definition)],
        )
        flagged = write_need_flags(store, run_id, needs, as_of)
        for rule in rules:
            rows = con.execute(cohort_sql(rule, as_of)).fetchall()
            members[rule.name] = len(rows)
            if rows:
                con.executemany(
                    "INSERT INTO cohort_member (run_id, cohort, person_id, total_contacts,"
                    " n_systems, qualifying_counts, reason, cost, cost_rank)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [_member(run_id, rule, row) for row in rows],
                )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IdentifySummary(run_id, as_of, members, flagged)


def write_need_flags(store: Store, run_id: str, needs: list[Need], as_of: date) -> dict[str, int]:
    """need_flag rows for every person with evidence of a need; persons flagged per need."""
    con = store.con
    if not needs:
        return {}
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_EVIDENCE} AS {evidence_table_sql(needs, as_of)}")
    codes = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT code FROM {_EVIDENCE} WHERE kind = 'diagnosis'"
        ).fetchall()
    ]
    described = [(c, text) for c in codes if (text := describe(c))]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_DESCRIPTIONS} (code VARCHAR, description VARCHAR)")
    if described:
        values = ", ".join(f"({quote(c)}, {quote(t)})" for c, t in described)
        con.execute(f"INSERT INTO {_DESCRIPTIONS} VALUES {values}")
    con.execute(f"INSERT INTO need_flag {need_flag_sql(run_id, _EVIDENCE, _DESCRIPTIONS)}")
    counts = dict(
        con.execute(
            "SELECT need, count(*) FROM need_flag WHERE run_id = ? GROUP BY need", [run_id]
        ).fetchall()
    )
    con.execute(f"DROP TABLE {_EVIDENCE}")
    con.execute(f"DROP TABLE {_DESCRIPTIONS}")
    return {n.name: counts.get(n.name, 0) for n in needs}


def _member(run_id: str, rule: CohortRule, row: tuple) -> tuple:
    person_id, *counts, total, n_systems, cost, cost_rank, n_ranked = row
    qualifying = {c.label: n for c, n in zip(rule.conditions, counts, strict=True)}
    reasons = [
        f"{n} {c.label}{c.window_text()} (needs {c.minimum})"
        for c, n in zip(rule.conditions, counts, strict=True)
    ]
    if cost is not None:
        text = f"cost {cost:,.0f} in {rule.cost_window_days()} days"
        if cost_rank is not None:
            text += f" (rank {cost_rank} of {n_ranked} people with a cost)"
        reasons.append(text)
    return (
        run_id,
        rule.name,
        person_id,
        total,
        n_systems,
        json.dumps(qualifying),
        "; ".join(reasons),
        cost,
        cost_rank,
    )
