"""Cohort rules: checked on load with clear errors, and evaluated as SQL over a real DuckDB file."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ddj.errors import ConfigError
from ddj.identify import default_rules, identify, parse_rules
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
    assert '"jail bookings": 4' in rows[1]["q"] and '"shelter stays": 4' in rows[1]["q"]
    # Reproducible for an earlier day: as of mid-2025 nobody had enough contacts.
    assert identify(store, counting, date(2025, 6, 1)).members == {
        "fuse": 0,
        "cross_system": 0,
    }
    store.close()
