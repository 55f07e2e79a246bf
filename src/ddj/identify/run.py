"""The identify stage: each person's needs with their evidence, then each cohort rule's members with
why they qualified; all under one run id and one as-of date."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from ddj.errors import StageOrderError
from ddj.identify.dialect import quote
from ddj.identify.icd import describe
from ddj.identify.needs import Need, default_needs
from ddj.identify.needs_sql import (
    CURRENT,
    NEED_FLAG_COLUMNS,
    EventTables,
    diagnoses_table_sql,
    events_table_sql,
    evidence_table_sql,
    need_flag_sql,
)
from ddj.identify.rules import CohortRule
from ddj.identify.sql import MEMBER_COLUMNS, members_sql
from ddj.store import Store

_DESCRIPTIONS = "identify_icd_description"
_EVENTS = "identify_event"
# need_flag rows (with their evidence, ~1.7 KB a flag) are kept for this many latest runs; older
# runs keep their cohort members and definitions, and can be run again for their as-of date.
KEEP_NEED_RUNS = 7
_DIAGNOSES = "identify_diagnosis"
_COUNTED = "identify_counted_event"  # the events cohorts count: no Part 2 contact


@dataclass
class IdentifySummary:
    run_id: str
    as_of: date
    members: dict[str, int]
    needs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # "needs", then each cohort

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
    run_id = f"i{datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    con = store.con
    members: dict[str, int] = {}
    seconds: dict[str, float] = {}
    con.execute("BEGIN")
    try:
        t0 = time.perf_counter()
        src = _read_events_once(store, details=any(e.detail for n in needs for e in n.evidence))
        as_of = as_of or _newest_day(store, src)
        seconds["events"] = time.perf_counter() - t0
        definition = {"cohorts": [asdict(r) for r in rules], "needs": [asdict(n) for n in needs]}
        con.execute(
            "INSERT INTO identify_run VALUES (?, ?, ?, ?)",
            [run_id, datetime.now(), as_of, json.dumps(definition)],
        )
        t0 = time.perf_counter()
        flagged = write_need_flags(store, run_id, needs, as_of, src)
        seconds["needs"] = time.perf_counter() - t0
        # Cohorts count no 42 CFR Part 2 contact: a list shared with criminal-justice roles must
        # not rest on them (Part 2 forbids their use against the person). Needs keep them, with
        # the label, for the roles the policy lets see them.
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {_COUNTED} AS SELECT * FROM {src.events} WHERE NOT part2"
        )
        counted = replace(src, events=_COUNTED)
        for rule in rules:
            t0 = time.perf_counter()
            con.execute(
                f"INSERT INTO cohort_member ({', '.join(MEMBER_COLUMNS)}) "
                f"{members_sql(rule, as_of, run_id, src=counted)}"
            )
            members[rule.name] = con.execute(
                "SELECT count(*) FROM cohort_member WHERE run_id = ? AND cohort = ?",
                [run_id, rule.name],
            ).fetchall()[0][0]
            seconds[rule.name] = time.perf_counter() - t0
        t0 = time.perf_counter()
        con.execute(f"DROP VIEW {_COUNTED}")
        for table in (src.events, src.diagnoses):
            con.execute(f"DROP TABLE {table}")
        con.execute(
            "DELETE FROM need_flag WHERE run_id NOT IN "
            f"(SELECT run_id FROM identify_run ORDER BY ran_at DESC LIMIT {KEEP_NEED_RUNS})"
        )
        con.execute("COMMIT")
        seconds["commit"] = time.perf_counter() - t0
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IdentifySummary(run_id, as_of, members, flagged, seconds)


def _newest_day(store: Store, src: EventTables) -> date:
    latest = store.scalar(f"SELECT max(start_at) FROM {src.events}")
    return latest.date() if latest else date.today()


def _read_events_once(store: Store, *, details: bool) -> EventTables:
    """The current events of linked records and their diagnoses, read once into temporary tables
    that every need and cohort query then scans (each query applies its own window, ending on
    the as-of date)."""
    src = EventTables(events=_EVENTS, diagnoses=_DIAGNOSES, linked=True)
    store.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_EVENTS} AS {events_table_sql(details=details)}"
    )
    store.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_DIAGNOSES} AS {diagnoses_table_sql(_EVENTS, linked=True)}"
    )
    return src


def write_need_flags(
    store: Store, run_id: str, needs: list[Need], as_of: date, src: EventTables = CURRENT
) -> dict[str, int]:
    """need_flag rows for every person with evidence of a need; persons flagged per need."""
    con = store.con
    if not needs:
        return {}
    # Every diagnosis code in the workspace, described from the ICD-10-CM code set (a few
    # thousand codes at most), so the evidence is built and aggregated in one statement.
    diagnoses = src.diagnoses or f"({diagnoses_table_sql(src.events)})"
    codes = [r[0] for r in con.execute(f"SELECT DISTINCT code FROM {diagnoses} x").fetchall()]
    described = [(c, text) for c in codes if (text := describe(c))]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_DESCRIPTIONS} (code VARCHAR, description VARCHAR)")
    if described:
        values = ", ".join(f"({quote(c)}, {quote(t)})" for c, t in described)
        con.execute(f"INSERT INTO {_DESCRIPTIONS} VALUES {values}")
    evidence = f"({evidence_table_sql(needs, as_of, src=src)})"
    con.execute(
        f"INSERT INTO need_flag ({', '.join(NEED_FLAG_COLUMNS)}) "
        f"{need_flag_sql(run_id, evidence, _DESCRIPTIONS)}"
    )
    counts = dict(
        con.execute(
            "SELECT need, count(*) FROM need_flag WHERE run_id = ? GROUP BY need", [run_id]
        ).fetchall()
    )
    con.execute(f"DROP TABLE {_DESCRIPTIONS}")
    return {n.name: counts.get(n.name, 0) for n in needs}
