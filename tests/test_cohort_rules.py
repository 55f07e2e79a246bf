"""Cohort rules: checked on load with clear errors, and evaluated as SQL over a real DuckDB file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from ddj.errors import ConfigError
from ddj.identify import default_needs, default_rules, identify, parse_cost_weights, parse_rules
from ddj.store import Store


def test_default_rules_are_fuse_and_cross_system() -> None:
    rules = {r.name: r for r in default_rules()}
    fuse = rules["fuse"]
    assert [(c.event_types, c.min_events, c.window_days) for c in fuse.conditions] == [
        (("jail_booking",), 4, 1095),
        (("shelter_stay",), 4, 1095),
    ]
    cross = rules["cross_system"]
    assert [(c.min_systems, c.min_events, c.window_days) for c in cross.conditions] == [
        (3, None, 1095),
        (None, 6, 365),
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"name": "Bad Name", "conditions": []}], "name must be lower_case"),
        ([{"name": "x"}], "has no"),
        ([{"name": "x", "conditions": [{"min": 2}]}], "window_days is required"),
        ([{"name": "x", "conditions": [{"window_days": 9}]}], "exactly one of min"),
        ([{"name": "x", "conditions": [{"min": 0, "window_days": 9}]}], "at least 1"),
        (
            [{"name": "x", "combine": "xor", "conditions": [{"min": 1, "window_days": 9}]}],
            "combine",
        ),
        (
            [{"name": "x", "conditions": [{"min": 1, "window_days": 9, "colour": "red"}]}],
            "unknown key",
        ),
    ],
)
def test_rule_mistakes_are_clear(raw, message) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules(raw)


def _event(
    store: Store, key: str, record_key: str, system: str, event_type: str, when: datetime
) -> None:
    source = record_key.split("|")[0]
    store.con.execute(
        "INSERT INTO event (event_key, version, is_current, source, system, source_person_id,"
        " record_key, event_type, start_at, batch_id, row_hash, valid_from)"
        " VALUES (?, 1, true, ?, ?, ?, ?, ?, ?, 'b', 'h', now())",
        [key, source, system, record_key.split("|")[1], record_key, event_type, when],
    )


def test_identify_counts_events_in_windows_across_systems(tmp_path) -> None:
    store = Store(tmp_path / "w.duckdb")
    as_of = date(2025, 12, 31)
    day = datetime(2025, 12, 1)
    links = [
        ("jail|1", "A"),
        ("shelter|1", "A"),
        ("cad|1", "A"),
        ("jail|2", "B"),
        ("shelter|2", "B"),
    ]
    store.con.executemany(
        "INSERT INTO person_record VALUES (?, ?, ?, ?, 'r')",
        [(k, p, k.split("|")[0], k.split("|")[1]) for k, p in links],
    )
    n = 0
    for person_key, jail, shelter in (("1", 4, 4), ("2", 4, 3)):
        for i in range(jail):
            n += 1
            _event(
                store,
                f"e{n}",
                f"jail|{person_key}",
                "jail_booking",
                "jail_booking",
                day - timedelta(days=30 * i),
            )
        for i in range(shelter):
            n += 1
            _event(
                store,
                f"e{n}",
                f"shelter|{person_key}",
                "shelter",
                "shelter_stay",
                day - timedelta(days=20 * i),
            )
    # An old booking outside the 3-year window does not count.
    _event(store, "old", "jail|2", "jail_booking", "jail_booking", datetime(2020, 1, 1))
    _event(store, "call", "cad|1", "police_call", "police_call", day)
    counting = [r for r in default_rules() if r.name in ("fuse", "cross_system")]
    summary = identify(store, counting, as_of)
    assert summary.members == {"fuse": 1, "cross_system": 1}
    rows = store.dicts(
        "SELECT cohort, person_id, total_contacts, n_systems,"
        " CAST(qualifying_counts AS VARCHAR) AS q FROM latest_cohort ORDER BY cohort"
    )
    assert [(r["cohort"], r["person_id"], r["total_contacts"], r["n_systems"]) for r in rows] == [
        ("cross_system", "A", 9, 3),
        ("fuse", "A", 9, 3),
    ]
    assert json.loads(rows[1]["q"]) == {"jail bookings": 4, "shelter stays": 4}
    # Reproducible for an earlier day: as of mid-2025 nobody had enough contacts.
    assert identify(store, counting, date(2025, 6, 1)).members == {
        "fuse": 0,
        "cross_system": 0,
    }
    store.close()


# -- needs in rules, cost weights and cost ranking ----------------------------------------------

NEEDS = default_needs()
WEIGHTS = {
    "jail_booking": {"per_event": 100, "per_day": 50},
    "ed_visit": {"per_event": 1000},
    "police_call": {"per_event": 10},
    "bh_crisis": {"per_event": 700, "use_recorded": False},
}


def _rules(raw: list[dict], weights: dict | None = None):
    return parse_rules(
        raw, needs=NEEDS, cost_weights=parse_cost_weights(weights or WEIGHTS, where="test")
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"name": "x", "conditions": [{"need": "wealth"}]}], "no need named 'wealth'"),
        (
            [{"name": "x", "conditions": [{"need": "crisis", "systems": ["ed"]}]}],
            "drop systems",
        ),
        ([{"name": "x", "cost": {"window_days": 365}}], "exactly one of top_percent"),
        ([{"name": "x", "cost": {"window_days": 365, "top_percent": 0}}], "above 0"),
        ([{"name": "x", "cost": {"window_days": 365, "top": 2.5}}], "whole number"),
        ([{"name": "x", "cost": {"top": 5}}], "window_days"),
        ([{"name": "x", "cost": {"window_days": 9, "top": 5, "by": "x"}}], "unknown key"),
    ],
)
def test_need_and_cost_mistakes_are_clear(raw, message) -> None:
    with pytest.raises(ConfigError, match=message):
        _rules(raw)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"jail_booking": {"per_day": -1}}, "at least 0"),
        ({"jail_booking": {"per_night": 1}}, "unknown key"),
        ({"jail_booking": 120}, "must be a table"),
        ({"Jail": {"per_day": 1}}, "lower_case"),
        ({"jail_booking": {"per_day": 1, "use_recorded": "yes"}}, "true or false"),
    ],
)
def test_cost_weight_mistakes_are_clear(weights, message) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_cost_weights(weights, where="ddj.toml")


def test_ranking_by_cost_needs_weights() -> None:
    with pytest.raises(ConfigError, match="no \\[cost_weights\\]"):
        parse_rules([{"name": "x", "cost": {"window_days": 9, "top": 1}}], needs=NEEDS)


def _store_with_people(tmp_path) -> Store:
    store = Store(tmp_path / "w.duckdb")
    keys = ["jail|A", "ed|B", "cad|C", "bh|D", "ed|E", "ed|F"]
    store.con.executemany(
        "INSERT INTO person_record VALUES (?, ?, ?, ?, 'r')",
        [(k, k.split("|")[1], k.split("|")[0], k.split("|")[1]) for k in keys],
    )
    return store


def _add(store: Store, key: str, record_key: str, event_type: str, when: datetime, **more) -> None:
    source, spid = record_key.split("|")
    columns = {
        "event_key": key,
        "version": 1,
        "is_current": True,
        "source": source,
        "system": source,
        "source_person_id": spid,
        "record_key": record_key,
        "event_type": event_type,
        "start_at": when,
        "batch_id": "b",
        "row_hash": "h",
        "valid_from": when,
        **more,
    }
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    store.con.execute(f"INSERT INTO event ({names}) VALUES ({marks})", list(columns.values()))


AS_OF = date(2025, 12, 31)
DAY = datetime(2025, 12, 1, 9, 0)


def test_cost_weights_per_event_per_night_and_recorded(tmp_path) -> None:
    store = _store_with_people(tmp_path)
    # A: one booking of 10 nights (100 + 10 * 50) and one still in custody since Dec 28: its
    # nights up to the end of the as-of day (Dec 28, 29, 30, 31) count: 100 + 4 * 50.
    _add(store, "a1", "jail|A", "jail_booking", DAY, end_at=DAY + timedelta(days=10))
    _add(store, "a2", "jail|A", "jail_booking", datetime(2025, 12, 28, 22, 0))
    for i in range(3):  # B: three ED visits
        _add(store, f"b{i}", "ed|B", "ed_visit", DAY - timedelta(days=i))
    _add(store, "c1", "cad|C", "police_call", DAY)  # C: one call
    _add(store, "d1", "bh|D", "bh_service", DAY, cost=5000.0)  # D: a claim with its own cost
    _add(store, "e1", "ed|E", "bh_crisis", DAY, cost=99.0)  # E: weight used, not the record
    # F: an ED visit a year and a half ago is outside the 365-day window.
    _add(store, "f1", "ed|F", "ed_visit", datetime(2024, 6, 1))
    rank = {"window_days": 365}
    rules = _rules(
        [
            {"name": "half", "cost": {**rank, "top_percent": 50}},
            {"name": "first", "cost": {**rank, "top": 1}},
            {"name": "over_500", "cost": {**rank, "min_cost": 500}},
        ]
    )
    summary = identify(store, rules, AS_OF, needs=[])
    assert summary.members == {"half": 3, "first": 1, "over_500": 4}
    rows = store.dicts(
        "SELECT cohort, person_id, cost, cost_rank, reason FROM latest_cohort"
        " ORDER BY cohort, cost_rank"
    )
    by_cohort: dict[str, list] = {}
    for r in rows:
        by_cohort.setdefault(r["cohort"], []).append((r["person_id"], r["cost"], r["cost_rank"]))
    # 5 people have a cost in the window: D 5000, B 3000, A 600 + 300, E 700, C 10.
    assert by_cohort["over_500"] == [
        ("D", 5000.0, 1),
        ("B", 3000.0, 2),
        ("A", 900.0, 3),
        ("E", 700.0, 4),
    ]
    assert by_cohort["half"] == by_cohort["over_500"][:3]  # ceil(5 * 50%) = 3
    assert by_cohort["first"] == [("D", 5000.0, 1)]
    reason = next(r["reason"] for r in rows if r["cohort"] == "first")
    assert reason == "cost 5,000 in 365 days (rank 1 of 5 people with a cost)"
    store.close()


def test_a_condition_on_a_need(tmp_path) -> None:
    store = _store_with_people(tmp_path)
    for person, codes in (("B", ["F20.9"]), ("E", ["R10.9"]), ("F", ["F20.9"])):
        for i in range(3 if person != "F" else 1):
            _add(
                store,
                f"{person}{i}",
                f"ed|{person}",
                "ed_visit",
                DAY - timedelta(days=30 * i),
                diagnosis_codes=codes if i == 2 or person == "F" else ["R10.9"],
            )
    rule = {
        "name": "ed_mh",
        "conditions": [
            {"event_types": ["ed_visit"], "min": 3, "window_days": 365},
            {"need": "mental_illness"},
        ],
    }
    summary = identify(store, _rules([rule]), AS_OF, needs=NEEDS)
    assert summary.members == {"ed_mh": 1}
    assert summary.needs["mental_illness"] == 2  # B and F; F has one ED visit only
    row = store.dicts("SELECT person_id, qualifying_counts, reason FROM latest_cohort")[0]
    assert row["person_id"] == "B"
    assert json.loads(row["qualifying_counts"]) == {"ed_visit": 3, "mental illness": 1}
    assert "1 mental illness (needs 1)" in row["reason"]
    # The need within 30 days only: B's diagnosis was 60 days before the visit of Dec 1.
    recent = {
        **rule,
        "conditions": [rule["conditions"][0], {"need": "mental_illness", "window_days": 30}],
    }
    assert identify(store, _rules([recent]), AS_OF, needs=[]).members == {"ed_mh": 0}
    store.close()


def _snapshot(store: Store, run_id: str) -> tuple:
    members = store.sql(
        "SELECT cohort, person_id, total_contacts, n_systems, CAST(qualifying_counts AS VARCHAR),"
        " reason, cost, cost_rank FROM cohort_member WHERE run_id = ? ORDER BY ALL",
        [run_id],
    )
    needs = store.sql(
        "SELECT person_id, need, evidence_count, first_at, last_at, part2,"
        " CAST(evidence AS VARCHAR) FROM need_flag WHERE run_id = ? ORDER BY ALL",
        [run_id],
    )
    return members, needs


def test_a_list_reproduces_for_its_as_of_date(tmp_path) -> None:
    store = _store_with_people(tmp_path)
    for i in range(4):
        _add(
            store,
            f"b{i}",
            "ed|B",
            "ed_visit",
            DAY - timedelta(days=40 * i),
            diagnosis_codes=["F20.9", "F11.20"],
            part2=i == 0,
        )
        _add(
            store,
            f"a{i}",
            "jail|A",
            "jail_booking",
            DAY - timedelta(days=50 * i),
            end_at=DAY - timedelta(days=50 * i - 3),
        )
    rules = default_rules()
    first = identify(store, rules, AS_OF)
    # Later contacts (after the as-of date) change nothing in a list made for that date.
    _add(store, "late", "ed|B", "ed_visit", datetime(2026, 1, 5), diagnosis_codes=["F99"])
    _add(store, "late2", "cad|C", "police_call", datetime(2026, 1, 6), call_type="OVERDOSE")
    again = identify(store, rules, AS_OF)
    assert again.run_id != first.run_id
    assert _snapshot(store, first.run_id) == _snapshot(store, again.run_id)
    members, needs = _snapshot(store, first.run_id)
    assert any(m[0] == "top_cost" for m in members)
    flags = {(n[0], n[1]): n for n in needs}
    assert flags[("B", "substance_use")][5] is True  # one Part 2 visit labels the flag
    assert flags[("B", "mental_illness")][2] == 4
    later = identify(store, rules, date(2026, 1, 31))
    _, later_needs = _snapshot(store, later.run_id)
    assert {(n[0], n[1]) for n in later_needs} > set(flags)  # C's overdose call now counts
    store.close()


def test_need_evidence_is_kept_for_the_latest_runs_only(tmp_path) -> None:
    from ddj.identify.run import KEEP_NEED_RUNS

    store = _store_with_people(tmp_path)
    _add(store, "c1", "cad|C", "police_call", DAY, call_type="SUICIDE THREAT")
    runs = [identify(store, [], AS_OF).run_id for _ in range(KEEP_NEED_RUNS + 2)]
    kept = {r[0] for r in store.sql("SELECT DISTINCT run_id FROM need_flag")}
    assert kept == set(runs[-KEEP_NEED_RUNS:])
    assert store.scalar("SELECT count(*) FROM identify_run") == len(runs)
    store.close()


def test_cohorts_never_count_part2_contacts(demo_county, tmp_path) -> None:
    """A list shared with criminal-justice roles must not rest on 42 CFR Part 2 records."""
    import shutil

    from ddj import Workspace

    for name in ("ddj.toml", "policy.toml", "ddj.duckdb"):
        shutil.copy(demo_county.root / name, tmp_path / name)
    with Workspace(tmp_path) as ws:
        store = ws.store
        member = store.scalar(
            "SELECT person_id FROM latest_cohort ORDER BY total_contacts DESC LIMIT 1"
        )
        store.con.execute(
            "UPDATE event SET part2 = true WHERE record_key IN "
            "(SELECT record_key FROM person_record WHERE person_id = ?)",
            [member],
        )
        ws.identify()
        assert not store.scalar(
            "SELECT count(*) FROM latest_cohort WHERE person_id = ?", [member]
        )
