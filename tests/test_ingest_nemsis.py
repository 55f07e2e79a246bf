"""The NEMSIS v3.5 EMS importer: the real compliance test files (shared/samples/nemsis, written
by NEMSIS), a synthetic data set (tests/data/nemsis/runs.xml: made-up runs), not-recorded
values, the file that fails the XSD, files that are not NEMSIS, and corrupted input."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddj import Workspace
from ddj.errors import FileUnreadableError
from ddj.ingest import nemsis

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "nemsis"
RUNS = Path(__file__).resolve().parent / "data" / "nemsis" / "runs.xml"
TODAY = date(2026, 1, 1)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def ingest(ws: Workspace, path: Path):
    return ws.ingest(path=path, format="nemsis", system="ems", source="county_ems")


def run(ws: Workspace, run_id: str) -> tuple[dict, dict]:
    [record] = ws.store.dicts("SELECT * FROM current_record WHERE source_person_id = ?", [run_id])
    [event] = ws.store.dicts(
        "SELECT * FROM current_event WHERE event_key = ?", [f"county_ems|{run_id}"]
    )
    event["details"] = json.loads(event["details"])
    return record, event


# --- the real samples ---------------------------------------------------------------------------


def test_overdose_sample(ws: Workspace) -> None:
    [summary] = ingest(ws, SAMPLES / "2025-EMS-1-Overdose_v351.xml")
    assert (summary.rows_read, summary.records_added, summary.events_added) == (1, 1, 1)
    assert summary.rows_quarantined == 0
    person, ems = run(ws, "2025-EMS-1-Overdose_v351")  # eRecord.01: one record per run
    assert (person["first_name"], person["middle_name"], person["last_name"]) == (
        "MARIA",
        "ARIANE",
        "HOWELL",
    )
    assert str(person["dob"]) == "1979-04-08" and person["sex"] == "F"  # ePatient.25 9919001
    assert (person["state"], person["zip"]) == ("CT", "06810")  # ePatient.08 "09" is FIPS
    assert person["address"] is None  # ePatient.05 nil with PN "Unable to Complete"
    assert person["other_ids"] == {"ems_patient_id": "DF23286"}
    assert ems["event_type"] == "ems_run"
    assert ems["start_at"] == datetime(2024, 10, 7, 20, 22, 1)  # eTimes.03 20:22:01-04:00
    assert ems["end_at"] == datetime(2024, 10, 7, 21, 15, 33)  # eTimes.13
    assert ems["diagnosis_codes"] == ["F19", "F10.92"]  # eSituation.11, .12
    assert ems["call_type"] == "EMS REQUESTED BY LAW ENFORCEMENT"  # eDispatch.01 2301097
    assert ems["disposition"] == "TRANSPORT BY THIS EMS UNIT (THIS CREW ONLY)"
    assert ems["location"] == "285 MAIN STREET, CT 06810"
    details = ems["details"]
    assert details["cad_incident_number"] == "351-24.46512"  # eResponse.03
    assert details["cad_unit_record_id"] == "246341"  # eDispatch.06
    assert details["complaint"] == "Appears intoxicated"
    assert details["symptoms"] == ["R46.4", "R41.0", "R46.2", "R47.81"]
    assert details["destination"] == "Garrett Recovery"
    assert details["destination_type"] == "Drug and/or Alcohol Rehabilitation Facility"
    assert details["utc_offset"] == "-04:00"
    assert details["not_recorded"] == ["ePatient.05", "ePatient.13"]
    # The stated age (ePatient.15/16, 2516009 = years): linkage evidence without a DOB.
    assert (details["patient_age"], details["patient_age_units"]) == ("45", "2516009")


def test_suicide_sample(ws: Workspace) -> None:
    ingest(ws, SAMPLES / "2025-EMS-2-Suicide_v351.xml")
    person, ems = run(ws, "2025-EMS-2-Suicide_v351")
    assert (person["first_name"], person["last_name"]) == ("JOSÉ", "ORTIZ HERNÁNDEZ")
    assert (str(person["dob"]), person["sex"]) == ("1991-10-28", "M")
    assert (person["address"], person["city"], person["zip"]) == ("31 DEER RUN", None, "06801")
    assert person["ssn"] is None  # ePatient.12 nil, PN "Unable to Complete"
    assert ems["call_type"] == "PSYCHIATRIC PROBLEM/ABNORMAL BEHAVIOR/SUICIDE ATTEMPT"
    assert ems["diagnosis_codes"] == ["T14.91"]  # eSituation.12 is nil (NV Not Recorded)
    assert ems["disposition"] == "NO TRANSPORT"
    assert ems["start_at"] == datetime(2024, 10, 9, 6, 23, 2)
    assert ems["end_at"] == datetime(2024, 10, 9, 7, 0, 28)
    assert ems["details"]["cad_incident_number"] == "351-24.46519"
    assert {"eSituation.12", "eTimes.11", "eTimes.12", "ePatient.12"} <= set(
        ems["details"]["not_recorded"]
    )


def test_failxsd_sample_is_quarantined_with_the_missing_element(ws: Workspace) -> None:
    # Its eSituation lacks eSituation.20, which the v3.5 XSD requires (nil is allowed): the
    # NEMSIS validator rejects it; ddj quarantines the PCR and says what to fix.
    [summary] = ingest(ws, SAMPLES / "2025-EMS-FailXsd_v351.xml")
    assert (summary.rows_read, summary.records_added, summary.rows_quarantined) == (1, 0, 1)
    [q] = ws.quarantine()
    assert (q["row_number"], q["field"]) == (1, "eSituation.20")
    assert "missing required element eSituation.20" in q["reason"]
    assert "Reason for Interfacility Transfer/Medical Transport" in q["reason"]
    assert "fails the NEMSIS v3.5 XSD" in q["reason"]


# --- a synthetic data set -----------------------------------------------------------------------


def test_synthetic_runs(ws: Workspace) -> None:
    [summary] = ingest(ws, RUNS)
    assert summary.rows_read == 4
    assert (summary.records_added, summary.events_added, summary.rows_quarantined) == (2, 2, 1)
    person, ems = run(ws, "R-0001")
    assert (person["ssn"], person["phone"], person["zip"], person["state"]) == (
        "900123456",
        "5415550142",
        "97301",
        "OR",
    )
    assert ems["start_at"] == datetime(2024, 12, 2, 23, 40)  # 23:40 -08:00, as sent
    # F11.20 and F1120 are one code; T40.1X1A has seven characters.
    assert ems["diagnosis_codes"] == ["T40.1X1A", "F11.20"]
    # eSituation.10 R06.03 carries PN "Symptom Not Present": a pertinent negative, not a symptom.
    assert ems["details"]["symptoms"] == ["R40.20", "R09.02"]
    assert ems["details"]["cad_incident_number"] == "2024-118842"
    # R-0002: cancelled prior to arrival, no patient contact: not a run with a person.
    assert not ws.store.sql("SELECT 1 FROM current_event WHERE source_person_id = 'R-0002'")
    [q] = ws.quarantine()
    assert (q["row_number"], q["field"], q["value"]) == (
        3,
        "eTimes.03",
        "2024-12-45T10:00:00-08:00",
    )
    older, refusal = run(ws, "R-0004")
    assert older["sex"] == "F"  # ePatient.13 (v3.5.0 gender) when ePatient.25 is absent
    assert older["dob"] is None and older["dob_quality"] == "unknown"  # PN Refused
    assert older["ssn"] is None and older["dq_codes"] == {
        "ssn_ePatient.12": "not an SSN (9 digits or the last 4); ignored"
    }
    assert refusal["disposition"] == "PATIENT REFUSED TRANSPORT"
    assert refusal["location"] == "RIVERTON TRANSIT CENTER, OR 97302"
    assert "ePatient.17" in refusal["details"]["not_recorded"]


def test_duplicate_run_number_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "dup.xml"
    path.write_text(synthetic_file(["R-1", "R-2", "R-1"]), encoding="utf-8")
    parsed = nemsis.parse_file(path, None, today=TODAY)
    assert sorted(parsed.events) == ["R-1", "R-2"]
    [bad] = parsed.rejected
    assert (bad.row_number, bad.field, bad.value) == (3, "eRecord.01", "R-1")


def test_a_v34_pcr_says_so(tmp_path: Path) -> None:
    text = synthetic_file(["R-1"]).replace(
        "<eDisposition.32>", "<eDisposition.12>4212033</eDisposition.12>\n<eDisposition.32>"
    )
    path = tmp_path / "v34.xml"
    path.write_text(text, encoding="utf-8")
    [bad] = nemsis.parse_file(path, None, today=TODAY).rejected
    assert bad.field == "eDisposition.12" and "NEMSIS v3.4" in bad.reason


def test_broken_xml_keeps_the_runs_before_the_break(tmp_path: Path) -> None:
    text = synthetic_file(["R-1", "R-2", "R-3"])
    cut = text.index("<eRecord.01>R-3")
    path = tmp_path / "cut.xml"
    path.write_text(text[:cut] + "<eRecord.01>R-3</eRecord", encoding="utf-8")
    parsed = nemsis.parse_file(path, None, today=TODAY)
    assert sorted(parsed.events) == ["R-1", "R-2"]
    [bad] = parsed.rejected
    assert bad.row_number == 3 and "the XML is broken at line" in bad.reason


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not XML"),
        (b"InmateID,FirstName\n1,Ann\n", "not XML"),
        (b'<?xml version="1.0"?><Patients><Patient/></Patients>', "root element is <Patients>"),
        (
            b'<DEMDataSet xmlns="http://www.nemsis.org"><DemographicReport/></DEMDataSet>',
            "demographic data set",
        ),
        (
            b'<EMSDataSet xmlns="http://www.nemsis.org"><Header><Record><E01><E01_01>1</E01_01>'
            b"</E01></Record></Header></EMSDataSet>",
            "NEMSIS v2",
        ),
        (b'<EMSDataSet xmlns="http://www.nemsis.org"><Header><Demo', "before the first"),
    ],
)
def test_files_that_are_not_nemsis_ems_are_unreadable(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(content)
    with pytest.raises(FileUnreadableError, match=message) as caught:
        nemsis.parse_file(path, None)
    assert str(path) in str(caught.value)


# --- corrupted input ----------------------------------------------------------------------------

_PCR = re.compile(r"      <PatientCareReport .*?</PatientCareReport>\n", re.S)
_TEMPLATE = _PCR.search(RUNS.read_text(encoding="utf-8"))
assert _TEMPLATE is not None


def synthetic_file(run_ids: list[str]) -> str:
    """A data set of copies of R-0001 (a complete run) under other run numbers."""
    text = RUNS.read_text(encoding="utf-8")
    head = text[: text.index("      <PatientCareReport")]
    pcrs = [
        _TEMPLATE.group(0).replace(">R-0001<", f">{run_id}<").replace("-000000000001", f"-{i:012d}")
        for i, run_id in enumerate(run_ids)
    ]
    return head + "".join(pcrs) + "   </Header>\n</EMSDataSet>\n"


_LEAF = re.compile(rb"\n *<(e[A-Za-z]+\.\d\d)[ >][^\n]*\n")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_corrupted_files_load_the_runs_before_the_damage(tmp_path: Path, data) -> None:
    ids = [f"R-{i}" for i in range(1, 7)]
    original = synthetic_file(ids).encode("utf-8")
    kind = data.draw(st.sampled_from(["truncate", "flip", "drop"]))
    if kind == "truncate":
        first_bad = data.draw(st.integers(0, len(original)))
        corrupted = original[:first_bad]
    elif kind == "flip":
        positions = data.draw(st.lists(st.integers(0, len(original) - 1), min_size=1, max_size=3))
        out = bytearray(original)
        for p in positions:
            out[p] = data.draw(st.integers(0, 255))
        corrupted, first_bad = bytes(out), min(positions)
    else:
        leaves = list(_LEAF.finditer(original))
        leaf = leaves[data.draw(st.integers(0, len(leaves) - 1))]
        corrupted = original[: leaf.start()] + b"\n" + original[leaf.end() :]
        first_bad = leaf.start()
    path = tmp_path / "corrupt.xml"
    path.write_bytes(corrupted)
    ends = [m.end() for m in re.finditer(rb"</PatientCareReport>", original)]
    try:
        parsed = nemsis.parse_file(path, None, today=TODAY)
    except FileUnreadableError:  # only damage before the first run's closing tag ends
        assert first_bad < ends[0]
        return
    intact = [run_id for run_id, end in zip(ids, ends, strict=True) if end <= first_bad]
    assert set(intact) <= set(parsed.events)
    if kind == "drop":  # only the PCR that lost an element can be missing
        assert len(parsed.events) + len(parsed.rejected) == len(ids)


def test_a_file_read_in_chunks_versions_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of one PCR each; a re-export where one run's disposition changed adds one version
    of that run's event and nothing else (record and event share the run's id as key)."""
    original = tmp_path / "runs.xml"
    original.write_text(synthetic_file(["R-1", "R-2", "R-3"]), encoding="utf-8")
    monkeypatch.setattr(nemsis, "CHUNK_PCRS", 1)
    assert len([c for c in nemsis.iter_chunks(original, None, today=TODAY) if c.events]) == 3
    with Workspace.init(tmp_path / "ws") as workspace:
        [first] = ingest(workspace, original)
        assert (first.records_added, first.events_added) == (3, 3)
        copy = tmp_path / "copy.xml"
        copy.write_text(original.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        [again] = ingest(workspace, copy)
        assert (again.records_added, again.records_changed) == (0, 0)
        assert (again.events_added, again.events_changed) == (0, 0)
        text = original.read_text(encoding="utf-8")
        cut = text.index("<eRecord.01>R-2")
        changed = text[:cut] + text[cut:].replace("4230001", "4230007", 1)
        assert changed != text
        (tmp_path / "changed.xml").write_text(changed, encoding="utf-8")
        [update] = ingest(workspace, tmp_path / "changed.xml")
        assert (update.records_changed, update.events_changed) == (0, 1)
        [(version,)] = workspace.store.sql(
            "SELECT version FROM event WHERE is_current AND event_key = 'county_ems|R-2'"
        )
        assert version == 2


def test_a_file_cut_inside_the_first_closing_tag_is_unreadable_with_the_place(
    tmp_path: Path,
) -> None:
    original = synthetic_file(["R-1", "R-2"]).encode("utf-8")
    cut = original.index(b"</PatientCareReport>") + 1  # "...<" : the first run never closes
    path = tmp_path / "cut.xml"
    path.write_bytes(original[:cut])
    with pytest.raises(FileUnreadableError, match="first PatientCareReport"):
        nemsis.parse_file(path, None, today=TODAY)
