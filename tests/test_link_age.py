"""A stated age (EMS ePatient.15/16) as a range of dates of birth, for records without one."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ddj import Workspace
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config
from ddj.link.prepare import refresh_linkage_input


@pytest.fixture(scope="module")
def county_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("age")
    generate_county(root, people=300, seed=11)
    ws = Workspace.init(root, config_text=demo_config())
    ws.ingest(source="county_ems")
    ws.ingest(source="county_jail")
    yield ws
    ws.close()


def _state_age(ws: Workspace, record_key: str, details: dict, on: str) -> None:
    """What the NEMSIS importer keeps of ePatient.15/16, on the record's run."""
    ws.store.con.execute(
        "UPDATE event SET details = json_merge_patch(coalesce(details, '{}'), ?), "
        "start_at = CAST(? AS TIMESTAMP) WHERE record_key = ? AND is_current",
        [json.dumps(details), on, record_key],
    )


def test_an_age_bounds_the_date_of_birth_of_records_without_one(county_ws: Workspace) -> None:
    con = county_ws.store.con
    without = [
        k
        for (k,) in con.execute(
            "SELECT record_key FROM current_record WHERE source = 'county_ems' AND dob IS NULL "
            "ORDER BY record_key LIMIT 3"
        ).fetchall()
    ]
    (with_dob,) = con.execute(
        "SELECT record_key FROM current_record WHERE source = 'county_ems' "
        "AND dob IS NOT NULL ORDER BY record_key LIMIT 1"
    ).fetchall()[0]
    assert len(without) == 3
    _state_age(
        county_ws,
        without[0],
        {"patient_age": "47", "patient_age_units": "2516009"},
        "2024-03-10 14:00",
    )
    _state_age(
        county_ws,
        without[1],
        {"patient_age": "18", "patient_age_units": "months"},
        "2024-03-10 02:00",
    )
    _state_age(county_ws, without[2], {"patient_age": "unknown"}, "2024-03-10 02:00")
    _state_age(
        county_ws,
        with_dob,
        {"patient_age": "47", "patient_age_units": "2516009"},
        "2024-03-10 02:00",
    )

    table, _ = refresh_linkage_input(county_ws.store)
    ranges = {
        row["unique_id"]: (row["age_dob_from"], row["age_dob_to"])
        for row in table.select(["unique_id", "age_dob_from", "age_dob_to"]).to_pylist()
    }
    assert ranges[without[0]] == (date(1976, 3, 11), date(1977, 3, 10))
    assert ranges[without[1]] == (date(2022, 8, 11), date(2022, 9, 10))
    assert ranges[without[2]] == (None, None)  # not a number: no evidence
    assert ranges[with_dob] == (None, None)  # the date of birth itself is compared
    jail = [v for k, v in ranges.items() if k.startswith("county_jail|")]
    assert jail and all(v == (None, None) for v in jail)
