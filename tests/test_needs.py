"""Needs flagged on the demo county: each need from real importer output, with its evidence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from ddj.demo.run import DemoResult
from ddj.link.quality import load_truth
from ddj.workspace import Workspace

NEEDS = (
    "mental_illness",
    "substance_use",
    "homelessness",
    "chronic_condition",
    "crisis",
    "overdose",
)


@pytest.fixture(scope="module")
def flags(demo_county: DemoResult) -> list[dict]:
    with Workspace(demo_county.root) as ws:
        rows = ws.store.dicts(
            "SELECT person_id, need, evidence_count, first_at, last_at, part2, sources,"
            " CAST(evidence AS VARCHAR) AS evidence FROM latest_need_flag"
        )
    for r in rows:
        r["evidence"] = json.loads(r["evidence"])
    return rows


def test_every_need_is_flagged_from_the_demo_data(flags) -> None:
    flagged = {r["need"] for r in flags}
    assert flagged == set(NEEDS)
    kinds: dict[str, set[str]] = {}
    for r in flags:
        for item in r["evidence"]:
            kinds.setdefault(r["need"], set()).add(item["why"].split(":")[0])
    # Each way a need shows in the data was seen in the county's own files.
    assert {"mental-health diagnosis", "suicidal ideation or attempt"} <= kinds["mental_illness"]
    # (a detox stay carries its diagnoses too, so its evidence is the diagnosis: one per event)
    assert "substance-use diagnosis" in kinds["substance_use"]
    assert {
        "shelter or outreach",
        "HMIS living situation",
        "homelessness diagnosis",
        "address",
    } <= kinds["homelessness"]
    assert {"crisis call", "crisis service"} <= kinds["crisis"]
    assert {"overdose diagnosis or EMS impression", "overdose call"} <= kinds["overdose"]
    assert kinds["chronic_condition"] == {"chronic condition diagnosis"}


def test_evidence_points_at_the_persons_own_contacts(demo_county: DemoResult, flags) -> None:
    with Workspace(demo_county.root) as ws:
        as_of = ws.store.scalar("SELECT as_of FROM identify_run ORDER BY ran_at DESC LIMIT 1")
        events = {
            r[0]: r[1:]
            for r in ws.store.sql(
                "SELECT e.event_key, pr.person_id, e.part2, e.diagnosis_codes, e.call_type,"
                " e.event_type"
                " FROM current_event e JOIN person_record pr USING (record_key)"
            )
        }
        records = dict(ws.store.sql("SELECT record_key, person_id FROM person_record"))
    end = datetime.combine(as_of, datetime.min.time()) + timedelta(days=1)
    for r in flags:
        items = r["evidence"]
        assert 1 <= len(items) <= 20 and r["evidence_count"] >= len(items)
        assert r["first_at"] <= r["last_at"] < end
        times = [item["at"] for item in items]
        assert times == sorted(times, reverse=True)  # newest first
        assert r["last_at"] == datetime.fromisoformat(times[0])
        # every source behind the flag, also those of evidence older than the 20 kept
        assert {item["source"] for item in items} <= set(r["sources"])
        assert r["sources"] == sorted(r["sources"])
        if r["evidence_count"] == len(items):
            assert {item["source"] for item in items} == set(r["sources"])
        for item in items:
            assert records[item["record_key"]] == r["person_id"]
            if item["event_key"] is None:  # an address on a record
                assert item["kind"] == "address" and item["code"] in item["why"]
                continue
            person, part2, codes, call_type, event_type = events[item["event_key"]]
            assert person == r["person_id"] and part2 == item["part2"]
            expected = {
                "diagnosis": codes or (),
                "call_type": (call_type,),
                "event_type": (event_type,),
                "detail": ("homeless",),  # HMIS LivingSituation.category
            }[item["kind"]]
            assert item["code"] in expected


def test_diagnosis_evidence_is_described_from_icd_10_cm(flags) -> None:
    overdose = [i for r in flags if r["need"] == "overdose" for i in r["evidence"]]
    fentanyl = [i for i in overdose if i["code"] == "T40.411A"]
    assert fentanyl, "the demo county has fentanyl overdoses"
    assert "Poisoning by fentanyl or fentanyl analogs, accidental" in fentanyl[0]["why"]


def test_the_part2_label_is_carried(flags) -> None:
    with_part2 = [r for r in flags if r["part2"]]
    assert with_part2, "the demo's SUD programs are 42 CFR Part 2 programs"
    assert {r["need"] for r in with_part2} >= {"substance_use"}
    for r in flags:
        labelled = any(i["part2"] for i in r["evidence"])
        if labelled:
            assert r["part2"], r
        if not r["part2"]:
            assert not labelled


@pytest.mark.parametrize(
    ("need", "truth_column", "precision"),
    [
        ("mental_illness", "mental_illness", 0.8),
        ("substance_use", "substance_use", 0.95),
        ("homelessness", "homeless", 0.95),
    ],
)
def test_needs_agree_with_the_true_people(demo_county, need, truth_column, precision) -> None:
    truth = demo_county.root / "truth"
    with Workspace(demo_county.root) as ws:
        load_truth(ws.store, truth / "records.csv")
        flagged, right, known = ws.store.sql(
            f"""
            WITH people AS (SELECT * FROM read_csv(?, all_varchar = true)),
            flagged AS (
                SELECT DISTINCT t.person_id FROM latest_need_flag n
                JOIN person_record pr USING (person_id) JOIN truth_record t USING (record_key)
                WHERE n.need = ?),
            seen AS (SELECT DISTINCT t.person_id FROM truth_record t
                JOIN person_record pr USING (record_key))
            SELECT (SELECT count(*) FROM flagged),
                (SELECT count(*) FROM flagged f JOIN people p ON p.true_person_id = f.person_id
                 WHERE p.{truth_column} = '1'),
                (SELECT count(*) FROM seen s JOIN people p ON p.true_person_id = s.person_id
                 WHERE p.{truth_column} = '1')
            """,
            [str(truth / "people.csv"), need],
        )[0]
    assert flagged > 10
    assert right / flagged >= precision
    assert right / known >= 0.7  # recall: most true cases leave evidence in some system


def test_the_workspace_gives_a_persons_needs(demo_county: DemoResult, flags) -> None:
    busiest = max(
        {r["person_id"] for r in flags}, key=lambda p: sum(1 for r in flags if r["person_id"] == p)
    )
    with Workspace(demo_county.root) as ws:
        needs = ws.needs(busiest)
        summary = {s["need"]: s for s in ws.needs_summary()}
        assert ws.needs("no-such-person") == []
    mine = [r for r in flags if r["person_id"] == busiest]
    assert [n["need"] for n in needs] == [n for n in NEEDS if n in {r["need"] for r in mine}]
    assert needs[0]["label"] and isinstance(needs[0]["evidence"], list)
    assert {n["need"]: n["evidence_count"] for n in needs} == {
        r["need"]: r["evidence_count"] for r in mine
    }
    for need in NEEDS:
        assert summary[need]["persons"] == sum(1 for r in flags if r["need"] == need)


def test_needs_without_part2_leave_out_what_rests_on_it(demo_county: DemoResult, flags) -> None:
    person = next(r["person_id"] for r in flags if r["part2"])
    with Workspace(demo_county.root) as ws:
        everything = ws.needs(person)
        open_only = ws.needs(person, include_part2=False)
    assert any(n["part2"] for n in everything)
    assert open_only == [n for n in everything if not n["part2"]]
    assert not any(item["part2"] for n in open_only for item in n["evidence"])


def test_a_county_file_adds_its_shelters_addresses(demo_county: DemoResult, tmp_path) -> None:
    import shutil

    from ddj.demo.places import SHELTERS

    street = SHELTERS[0].address.street
    shutil.copy(demo_county.root / "ddj.duckdb", tmp_path / "ddj.duckdb")
    (tmp_path / "needs.toml").write_text(
        '[[needs]]\nname = "homelessness"\n  [[needs.evidence]]\n  label = "shelter address"\n'
        f'  addresses = ["{street.lower()}", "homeless"]\n',
        encoding="utf-8",
    )
    (tmp_path / "ddj.toml").write_text(
        '[identify]\nneeds = "needs.toml"\n\n[[cohorts]]\nname = "housing_first"\n'
        '  [[cohorts.conditions]]\n  need = "homelessness"\n',
        encoding="utf-8",
    )
    with Workspace(tmp_path) as ws:
        summary = ws.identify()
        rows = ws.store.dicts(
            "SELECT person_id, CAST(evidence AS VARCHAR) AS evidence FROM latest_need_flag"
        )
        addresses = dict(
            ws.store.sql("SELECT record_key, upper(trim(address)) FROM current_record")
        )
    assert summary.needs["homelessness"] == len(rows) == summary.members["housing_first"] > 0
    codes = set()
    for r in rows:
        for item in json.loads(r["evidence"]):
            assert item["kind"] == "address" and item["event_key"] is None
            assert addresses[item["record_key"]] == item["code"]
            codes.add(item["code"].split(",")[0])
    assert {street, "HOMELESS"} <= codes  # "455 N COMMERCIAL ST, RIVERTON OR ..." too
