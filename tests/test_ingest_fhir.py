"""The FHIR R4 importer against a real workspace: Patients become records (names, partial birth
dates, SSN, MRN, address, phone, aliases), Encounters become typed events with diagnosis codes
from Conditions, the 42 CFR Part 2 label is kept, bad resources are quarantined by row and element,
and re-ingesting adds nothing. Every person here is invented."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ddj import Workspace
from ddj.errors import FileUnreadableError
from ddj.ingest import fhir
from ddj.model import SEX_CODES

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
PART2 = {"security": [{"system": ACT_CODE, "code": "42CFRPart2"}]}
P1_URL = "urn:uuid:6a0f9a4e-0000-4000-8000-000000000001"
P3_URL = "urn:uuid:6a0f9a4e-0000-4000-8000-000000000003"
C1_URL = "urn:uuid:6a0f9a4e-0000-4000-8000-0000000000c1"


def patient(pid: str | None, **more: Any) -> dict[str, Any]:
    res = {"resourceType": "Patient", **more}
    return res if pid is None else {"id": pid, **res}


def encounter(eid: str, subject: str, cls: str, start: str, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": eid,
        "status": "finished",
        "class": {"system": ACT_CODE, "code": cls},
        "subject": {"reference": subject},
        "period": {"start": start, **more.pop("period", {})},
        **more,
    }


def condition(cid: str | None, code: str, encounter_ref: str | None = None, **more: Any) -> dict:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "code": {
            "coding": [
                {"system": ICD10CM, "code": code},
                {"system": "http://snomed.info/sct", "code": "58214004"},
            ]
        },
        **more,
    }
    if cid is not None:
        res["id"] = cid
    if encounter_ref:
        res["encounter"] = {"reference": encounter_ref}
    return res


def maria() -> dict[str, Any]:
    return patient(
        "p1",
        name=[
            {"use": "maiden", "family": "Lopez", "given": ["Maria"]},
            {"use": "official", "family": "Garcia", "given": ["Maria", "Q"], "suffix": ["Jr"]},
        ],
        gender="female",
        birthDate="1985-03-04",
        identifier=[
            {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "900-12-3456"},
            {
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                     "code": "MR"}]},
                "system": "urn:oid:1.2.3.4",
                "value": "MRN001",
            },
        ],
        address=[
            {"use": "work", "line": ["9 Office Rd"], "city": "Capital", "state": "IL"},
            {"use": "home", "line": ["1 Main St", "Apt 2"], "city": "Springfield",
             "state": "IL", "postalCode": "62701-1234"},
        ],
        telecom=[{"system": "email", "value": "m@example.org"},
                 {"system": "phone", "value": "(555) 123-4567", "use": "home"}],
    )  # fmt: skip


def bundle_resources() -> list[tuple[str | None, dict[str, Any]]]:
    """(fullUrl, resource) pairs of a synthetic searchset."""
    return [
        (P1_URL, maria()),
        (
            None,
            patient(
                "p2",
                name=[{"use": "usual", "text": "Sam Rivers"}],
                gender="other",
                birthDate="1970-06",
                identifier=[{"type": {"coding": [{"code": "SS"}]}, "value": "xxx-xx-6789"}],
            ),
        ),
        (
            P3_URL,
            patient(
                None,
                name=[{"family": "Doe", "given": ["Alex"]}],
                birthDate="1990",
                gender="unknown",
                meta=PART2,
            ),
        ),  # fmt: skip
        (
            None,
            encounter(
                "e1",
                P1_URL,
                "EMER",
                "2024-03-01T22:30:00-05:00",
                period={"end": "2024-03-02T02:00:00-05:00"},
                location=[{"location": {"display": "County General ED"}}],
                diagnosis=[{"condition": {"reference": C1_URL}, "rank": 1}],
                hospitalization={"dischargeDisposition": {"text": "Home"}},
                type=[{"text": "Emergency visit"}],
            ),
        ),
        (C1_URL, condition("c1", "F20.9")),
        (None, condition("c2", "F10.20", "Encounter/e1")),
        (None, condition(None, "F10.20", "Encounter/e1")),  # the same code twice counts once
        (
            None,
            encounter(
                "e2",
                "Patient/p2",
                "IMP",
                "2024-04-01",
                period={"end": "2024-04-05"},
                serviceProvider={"display": "County General"},
            ),
        ),  # fmt: skip
        (
            None,
            encounter(
                "e3",
                "https://fhir.example.org/r4/Patient/p2",
                "AMB",
                "2024-05-01T09:00:00Z",
                serviceType={"text": "Outpatient psychiatry"},
                meta=PART2,
            ),
        ),  # fmt: skip
        (None, condition("c3", "F11.20", "Encounter/e4", meta=PART2)),
        (None, encounter("e4", P3_URL, "AMB", "2024-06-01T10:00:00", type=[{"text": "Wellness"}])),
        (None, encounter("e5", "Patient/p2", "EMER", "2024-07-01", status="entered-in-error")),
        (None, {"resourceType": "Observation", "id": "o1", "status": "final"}),
    ]


def write_bundle(path: Path, resources=None, kind: str = "searchset") -> Path:
    entries = []
    for url, resource in resources or bundle_resources():
        entry: dict[str, Any] = {"resource": resource}
        if url:
            entry["fullUrl"] = url
        entries.append(entry)
    path.write_text(json.dumps({"resourceType": "Bundle", "type": kind, "entry": entries}))
    return path


def write_ndjson(path: Path, resources: list[dict[str, Any]], extra: list[bytes] = ()) -> Path:
    lines = [json.dumps(r).encode() for r in resources] + list(extra)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def ingest(ws: Workspace, path: Path, source: str = "hospital"):
    return ws.ingest(path=path, format="fhir", system="hospital", source=source)


def records(ws: Workspace) -> dict[str, dict]:
    return {r["source_person_id"]: r for r in ws.store.dicts("SELECT * FROM current_record")}


def events(ws: Workspace) -> dict[str, dict]:
    rows = ws.store.dicts("SELECT * FROM current_event")
    return {
        r["event_key"].split("|", 1)[1]: r | {"details": json.loads(r["details"])} for r in rows
    }


def test_bundle_patients_become_records_with_aliases(ws: Workspace, tmp_path: Path) -> None:
    [summary] = ingest(ws, write_bundle(tmp_path / "bundle.json"))
    assert (summary.records_added, summary.rows_quarantined) == (3, 0)
    people = records(ws)
    m = people["p1"]
    assert (m["first_name"], m["middle_name"], m["last_name"], m["suffix"]) == (
        "MARIA", "Q", "GARCIA", "JR",
    )  # fmt: skip
    assert (str(m["dob"]), m["dob_quality"], m["sex"]) == ("1985-03-04", "full", "F")
    assert (m["ssn"], m["ssn_last4"], m["other_ids"]) == ("900123456", "3456", {"mrn": "MRN001"})
    assert (m["address"], m["city"], m["state"], m["zip"]) == (
        "1 MAIN ST APT 2", "SPRINGFIELD", "IL", "62701",
    )  # fmt: skip
    assert (m["phone"], m["part2"]) == ("5551234567", False)
    aliases = ws.store.sql("SELECT source_person_id, first_name, last_name FROM record_alias")
    assert aliases == [("p1", "MARIA", "LOPEZ")]
    sam = people["p2"]  # a name given only as text, a partial birth date, a masked SSN
    assert (sam["first_name"], sam["last_name"], sam["sex"]) == ("SAM", "RIVERS", "X")
    assert (str(sam["dob"]), sam["dob_quality"]) == ("1970-06-01", "approximate")
    assert (sam["ssn"], sam["ssn_last4"]) == ("xxxxx6789", "6789")
    alex = people["6a0f9a4e-0000-4000-8000-000000000003"]  # no id: the urn:uuid names it
    assert (str(alex["dob"]), alex["dob_quality"], alex["sex"], alex["part2"]) == (
        "1990-01-01", "approximate", "U", True,
    )  # fmt: skip


def test_bundle_encounters_become_typed_events(ws: Workspace, tmp_path: Path) -> None:
    [summary] = ingest(ws, write_bundle(tmp_path / "bundle.json"))
    found = events(ws)
    assert {k: e["event_type"] for k, e in found.items()} == {
        "Encounter/e1": "ed_visit",
        "Encounter/e2": "hospital_admission",
        "Encounter/e3": "bh_service",
        "Encounter/e4": "outpatient_visit",
    }  # e5 was entered in error
    e1 = found["Encounter/e1"]
    assert e1["record_key"] == "hospital|p1"  # the urn:uuid subject resolved to Patient p1
    # -05:00 local times are stored as written (wall clock), like every other source's.
    assert (str(e1["start_at"]), str(e1["end_at"])) == (
        "2024-03-01 22:30:00",
        "2024-03-02 02:00:00",
    )
    assert e1["diagnosis_codes"] == ["F20.9", "F10.20"]
    assert (e1["location"], e1["disposition"]) == ("COUNTY GENERAL ED", "HOME")
    assert e1["details"] == {"status": "finished", "class": "EMER", "type": "Emergency visit"}
    e2 = found["Encounter/e2"]
    assert (str(e2["start_at"]), str(e2["end_at"])) == (
        "2024-04-01 00:00:00",
        "2024-04-05 00:00:00",
    )
    assert e2["location"] == "COUNTY GENERAL" and e2["details"]["start_precision"] == "day"
    assert found["Encounter/e3"]["record_key"] == "hospital|p2"
    assert found["Encounter/e3"]["part2"] is True  # labelled itself
    e4 = found["Encounter/e4"]
    assert (e4["part2"], e4["diagnosis_codes"]) == (True, ["F11.20"])  # from a Part 2 Condition
    assert str(e4["start_at"]) == "2024-06-01 10:00:00"  # no offset: kept as written
    assert found["Encounter/e2"]["part2"] is False
    assert summary.events_added == 4


def test_a_bundle_labelled_part2_marks_everything_in_it(ws: Workspace, tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "bundle.json")
    document = json.loads(path.read_text())
    document["meta"] = PART2
    path.write_text(json.dumps(document))
    ingest(ws, path)
    assert {r["part2"] for r in records(ws).values()} == {True}
    assert {e["part2"] for e in events(ws).values()} == {True}


def bulk_resources() -> dict[str, list[dict[str, Any]]]:
    """The bundle's resources as a bulk-data export has them: by type, with ids, no urn:uuid."""
    by_type: dict[str, list] = {}
    for _, resource in bundle_resources():
        by_type.setdefault(resource["resourceType"], []).append(resource)
    by_type["Patient"][2]["id"] = "p3"
    by_type["Encounter"][0]["subject"]["reference"] = "Patient/p1"
    by_type["Encounter"][3]["subject"]["reference"] = "Patient/p3"
    by_type["Encounter"][0]["diagnosis"][0]["condition"]["reference"] = "Condition/c1"
    return by_type


def ndjson_folder(folder: Path) -> Path:
    folder.mkdir()
    for kind, items in bulk_resources().items():
        write_ndjson(folder / f"{kind}.ndjson", items)
    return folder


def test_ndjson_folder_resolves_references_across_files(ws: Workspace, tmp_path: Path) -> None:
    folder = ndjson_folder(tmp_path / "bulk")
    manifest = {"transactionTime": "2024-08-01T00:00:00Z", "request": "x", "output": []}
    (folder / "manifest.json").write_text(json.dumps(manifest))  # read past, not an error
    patients = folder / "Patient.ndjson"
    patients.write_bytes(patients.read_bytes() + b'{"resourceType": "Patient", "id": "p9", \n')
    [summary] = ingest(ws, folder)
    assert (summary.records_added, summary.events_added) == (3, 4)
    assert events(ws)["Encounter/e1"]["diagnosis_codes"] == ["F20.9", "F10.20"]
    [q] = ws.quarantine()
    assert (q["row_number"], q["field"]) == (4, "Patient.ndjson")  # the fourth line
    assert q["reason"].startswith("not a valid JSON line")
    assert q["value"].startswith('{"resourceType": "Patient", "id": "p9"')


@pytest.mark.parametrize(
    ("resource", "field", "reason_part"),
    [
        (patient(None, birthDate="1980-01-01"), "Patient.id", "missing id"),
        (patient("p9", birthDate="01/02/1980"), "Patient.birthDate", "unparseable birthDate"),
        (patient("p9", birthDate="2090-01-01"), "Patient.birthDate", "in the future"),
        (
            patient("p9", identifier=[{"system": fhir.SSN_SYSTEM, "value": "12345"}]),
            "Patient.identifier",
            "SSN must have 9 digits",
        ),
        (
            {"resourceType": "Encounter", "id": "e9", "period": {"start": "2024-01-01"}},
            "Encounter.subject",
            "no subject",
        ),
        (encounter("e9", "Group/g1", "AMB", "2024-01-01"), "Encounter.subject", "is a Group"),
        (
            encounter("e9", "urn:uuid:nowhere", "AMB", "2024-01-01"),
            "Encounter.subject",
            "does not resolve",
        ),  # fmt: skip
        (
            encounter("e9", "Patient/p1", "AMB", "yesterday"),
            "Encounter.period.start",
            "unparseable period.start",
        ),  # fmt: skip
        (
            encounter("e9", "Patient/p1", "AMB", "2024-02-30"),
            "Encounter.period.start",
            "not a real calendar date",
        ),  # fmt: skip
        (
            encounter("e9", "Patient/p1", "AMB", "2024-01-02", period={"end": "2024-01-01"}),
            "Encounter.period.end",
            "ends before it starts",
        ),
        (
            {**encounter("e9", "Patient/p1", "AMB", "2024-01-01"), "period": {}},
            "Encounter.period.start",
            "missing period.start",
        ),
        (condition("c9", "I10", "Encounter/e404"), "Condition.encounter", "not in this input"),
        (
            {"resourceType": "Encounter", "id": "e9", "subject": "Patient/p1", "period": "2024"},
            "Encounter.subject",
            "no subject",
        ),  # fmt: skip
        ({"id": "x"}, "resourceType", "not a FHIR resource"),
    ],
)
def test_a_bad_resource_is_quarantined_with_row_and_element(
    ws: Workspace, tmp_path: Path, resource: dict, field: str, reason_part: str
) -> None:
    good = [maria(), encounter("e1", "Patient/p1", "EMER", "2024-03-01T10:00:00Z")]
    path = write_ndjson(tmp_path / "export.ndjson", [*good[:1], resource, *good[1:]])
    [summary] = ingest(ws, path)
    assert (summary.records_added, summary.events_added, summary.rows_quarantined) == (1, 1, 1)
    [q] = ws.quarantine()
    assert (q["row_number"], q["field"]) == (2, field)
    assert reason_part in q["reason"]


def test_condition_of_a_quarantined_encounter_names_it(ws: Workspace, tmp_path: Path) -> None:
    bad = encounter("e9", "Patient/p1", "AMB", "not a time")
    path = write_bundle(
        tmp_path / "b.json",
        [(None, maria()), (None, bad), (None, condition("c9", "I10", "Encounter/e9"))],
    )
    ingest(ws, path)
    found = {q["row_number"]: (q["field"], q["reason"]) for q in ws.quarantine()}
    assert found[3] == ("Condition.encounter", "its Encounter (row 2) was quarantined")


def test_reingesting_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "bundle.json")
    [first] = ingest(ws, path)
    [again] = ingest(ws, path)
    assert again.skipped
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(path.read_text()), indent=2))
    [summary] = ingest(ws, pretty)
    assert (summary.records_added, summary.records_changed) == (0, 0)
    assert (summary.events_added, summary.events_changed) == (0, 0)
    assert ws.store.scalar("SELECT count(*) FROM event") == first.events_added
    assert ws.store.scalar("SELECT count(*) FROM record_alias") == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.json", b"Patient: Maria Garcia\n", "not valid JSON"),
        (
            "truncated.json",
            b'{"resourceType": "Bundle", "entry": [{"resource": {',
            "not valid JSON",
        ),
        ("list.json", b"[1, 2, 3]", "not a FHIR resource or Bundle"),
        ("empty.ndjson", b"\n\n", "file is empty"),
        ("garbage.ndjson", b"this is\nnot json\n", "no line of this file is valid JSON"),
        ("bad.json", b'{"resourceType": "Bundle", "entry": {}}', "Bundle.entry is not a list"),
        (
            "manifest.json",
            b'{"transactionTime": "2024", "output": []}',
            "bulk-data export manifest",
        ),
    ],
)
def test_a_file_that_is_not_fhir_json_is_one_clear_error(
    ws: Workspace, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileUnreadableError, match=message) as err:
        ingest(ws, path)
    assert name in str(err.value)
    assert ws.store.scalar("SELECT count(*) FROM ingest_batch") == 0


def test_ndjson_named_json_and_a_single_resource_file(ws: Workspace, tmp_path: Path) -> None:
    lines = write_ndjson(tmp_path / "export.json", [maria(), encounter("e1", "Patient/p1", "EMER",
                                                                      "2024-01-01")])  # fmt: skip
    [summary] = ingest(ws, lines)
    assert (summary.records_added, summary.events_added) == (1, 1)
    single = tmp_path / "patient.json"
    single.write_text(json.dumps(patient("p7", birthDate="2000-01-01")))
    [summary] = ingest(ws, single, source="other")
    assert summary.records_added == 1


# -- corrupted input never escapes as anything but FileUnreadableError -----------------------

_BUNDLE_RESOURCES = bundle_resources()
_BUNDLE = json.dumps(
    {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": u, "resource": r} if u else {"resource": r} for u, r in _BUNDLE_RESOURCES
        ],
    }
).encode()
_NDJSON = b"\n".join(json.dumps(r).encode() for rs in bulk_resources().values() for r in rs) + b"\n"


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(["bundle.json", "export.ndjson"]))
    data = bytearray(_BUNDLE if name == "bundle.json" else _NDJSON)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    else:
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.one_of(st.sampled_from(b'{}[]",:\n\\0 '), st.integers(0, 255)))
    return name, bytes(data)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
@example(("export.ndjson", b"\r" + _NDJSON[1:]))  # a stray CR is not an NDJSON line break
def test_corrupted_fhir_loads_or_quarantines_every_resource(case: tuple[str, bytes]) -> None:
    name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            parsed = fhir.parse_file(path, None, today=date(2025, 1, 1))
        except FileUnreadableError:
            return
    rejected_rows = {r.row_number for r in parsed.rejected}
    for row, url, resource in _resources_as_read(name, data):
        if not isinstance(resource, dict):
            continue
        rid = resource.get("id") if isinstance(resource.get("id"), str) else None
        rid = (rid or "").strip() or None
        if rid is None and url and url.lower().startswith("urn:uuid:"):
            rid = url[len("urn:uuid:") :]
        kind = resource.get("resourceType")
        if kind == "Patient":
            assert rid in parsed.records or row in rejected_rows
        if kind == "Encounter" and resource.get("status") not in fhir.SKIPPED_ENCOUNTER_STATUS:
            assert f"Encounter/{rid}" in parsed.events or row in rejected_rows
    for record in parsed.records.values():
        assert record["sex"] in (*SEX_CODES, None) and record["dob_quality"]
    for event in parsed.events.values():
        assert event["start_at"] is not None and event["event_type"]
        assert event["end_at"] is None or event["end_at"] >= event["start_at"]


def _resources_as_read(name: str, data: bytes):
    """(row, fullUrl, resource) as the importer numbers them, from our own reading."""
    text = data.removeprefix(b"\xef\xbb\xbf")
    if name.endswith(".ndjson"):
        # NDJSON lines end at "\n" only; a stray "\r" inside a line is not a line break
        for number, line in enumerate(text.split(b"\n"), 1):
            try:
                yield number, None, json.loads(line)
            except (ValueError, RecursionError):
                continue
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            yield from _resources_as_read("x.ndjson", data)
        return
    if document.get("resourceType") != "Bundle":
        yield 1, None, document
        return
    for number, entry in enumerate(document.get("entry", []), 1):
        if isinstance(entry, dict):
            url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
            yield number, url and url.strip(), entry.get("resource")


@pytest.mark.parametrize("size", [1, 2, 3])
def test_an_export_read_in_chunks_stores_what_one_chunk_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    folder = ndjson_folder(tmp_path / "bulk")
    conditions = folder / "Condition.ndjson"  # one Condition names an Encounter not exported
    conditions.write_bytes(
        conditions.read_bytes() + json.dumps(condition("c9", "F32.9", "Encounter/e9")).encode()
    )
    stored, quarantined = {}, {}
    for chunk in (0, size):
        monkeypatch.setattr(fhir, "CHUNK_RESOURCES", chunk)
        if chunk:
            parts = list(fhir.iter_chunks(folder, None, today=date(2025, 1, 1)))
            assert len(parts) >= 7 // chunk  # 3 patients + 4 encounters, in several chunks
        with Workspace.init(tmp_path / f"ws{chunk}") as workspace:
            [summary] = ingest(workspace, folder)
            assert (summary.records_added, summary.events_added) == (3, 4)
            stored[chunk] = (records(workspace), events(workspace))
            quarantined[chunk] = [
                (q["row_number"], q["field"], q["reason"]) for q in workspace.quarantine()
            ]
            for found in [*stored[chunk][0].values(), *stored[chunk][1].values()]:
                found.pop("batch_id"), found.pop("valid_from")
    assert stored[size] == stored[0]
    assert quarantined[size] == quarantined[0]
    assert any("Encounter/e9 is not in this input" in q[2] for q in quarantined[0])
    assert stored[0][1]["Encounter/e1"]["diagnosis_codes"] == ["F20.9", "F10.20"]
