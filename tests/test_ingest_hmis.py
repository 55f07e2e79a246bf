"""The HUD HMIS CSV importer against a real workspace: a small synthetic export (folder or zip,
with and without BOM) loads people and stays, honours data-quality codes and DateDeleted, turns
night-by-night bed nights into stays, quarantines bad rows by file/row/field, and adds nothing on
re-ingest. All people here are invented."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddj import Workspace
from ddj.errors import FileUnreadableError
from ddj.ingest import hmis
from ddj.ingest.hmis.export import find_exports
from ddj.model import SEX_CODES

# -- a synthetic FY2024 export ------------------------------------------------------------

HEADERS = {
    "Export.csv": "ExportID,SourceType,SourceID,SourceName,ExportDate,ExportStartDate,"
    "ExportEndDate,SoftwareName,CSVVersion,ExportPeriodType,ExportDirective,HashStatus,"
    "ImplementationID",
    "Client.csv": "PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,SSN,"
    "SSNDataQuality,DOB,DOBDataQuality,AmIndAKNative,Asian,BlackAfAmerican,HispanicLatinaeo,"
    "MidEastNAfrican,NativeHIPacific,White,RaceNone,AdditionalRaceEthnicity,Woman,Man,NonBinary,"
    "CulturallySpecific,Transgender,Questioning,DifferentIdentity,GenderNone,"
    "DifferentIdentityText,VeteranStatus,DateCreated,DateUpdated,UserID,DateDeleted,ExportID",
    "Project.csv": "ProjectID,OrganizationID,ProjectName,ProjectCommonName,OperatingStartDate,"
    "OperatingEndDate,ContinuumProject,ProjectType,HousingType,RRHSubType,ResidentialAffiliation,"
    "TargetPopulation,HOPWAMedAssistedLivingFac,PITCount,DateCreated,DateUpdated,UserID,"
    "DateDeleted,ExportID",
    "Enrollment.csv": "EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,"
    "RelationshipToHoH,EnrollmentCoC,LivingSituation,RentalSubsidyType,LengthOfStay,"
    "DisablingCondition,MoveInDate,DateCreated,DateUpdated,UserID,DateDeleted,ExportID",
    "Exit.csv": "ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DestinationSubsidyType,"
    "OtherDestination,DateCreated,DateUpdated,UserID,DateDeleted,ExportID",
    "Services.csv": "ServicesID,EnrollmentID,PersonalID,DateProvided,RecordType,TypeProvided,"
    "OtherTypeProvided,DateCreated,DateUpdated,UserID,DateDeleted,ExportID",
    # FY2024 4.12 (CLSSubsidyType is new in FY2024).
    "CurrentLivingSituation.csv": "CurrentLivingSitID,EnrollmentID,PersonalID,InformationDate,"
    "CurrentLivingSituation,CLSSubsidyType,VerifiedBy,LeaveSituation14Days,SubsequentResidence,"
    "ResourcesToObtain,LeaseOwn60Day,MovedTwoOrMore,LocationDetails,DateCreated,DateUpdated,"
    "UserID,DateDeleted,ExportID",
}
STAMP = {"DateCreated": "2024-06-01 10:00:00", "DateUpdated": "2024-06-01 10:00:00"}
DELETED = {"DateDeleted": "2024-06-02 09:00:00"}


def client(pid: str, first: str, last: str, dob: str, **more: str) -> dict[str, str]:
    row = {"PersonalID": pid, "FirstName": first, "LastName": last, "DOB": dob}
    row |= {"NameDataQuality": "1", "SSNDataQuality": "99", "DOBDataQuality": "1", **STAMP}
    return row | more


def base_export() -> dict[str, list[dict[str, str]]]:
    """Five invented people in six projects; see the tests for what each row exercises."""
    projects = [
        ("PR1", "Main Street Shelter", "0"),
        ("PR2", "Night Owl Shelter", "1"),
        ("PR3", "Downtown Outreach", "4"),
        ("PR4", "Harbor PSH", "3"),
        ("PR5", "County Coordinated Entry", "14"),
        ("PR6", "Hope Transitional", "2"),
    ]
    enrollments = [
        ("E1", "P1", "PR1", "2024-01-05", "116"),
        ("E2", "P1", "PR2", "2024-02-01", "101"),
        ("E3", "P2", "PR3", "2024-03-01", "116"),
        ("E4", "P2", "PR4", "2024-04-01", "204"),
        ("E5", "P4", "PR1", "2024-01-01", "116"),  # a deleted client's enrollment
        ("E6", "P5", "PR5", "2024-05-01", "99"),
        ("E7", "P3", "PR6", "2023-12-01", "207"),
    ]
    return {
        "Export.csv": [{"ExportID": "X1", "HashStatus": "1", "CSVVersion": "2024 v1.2"}],
        "Client.csv": [
            client(
                "P1",
                "Maria",
                "Garcia",
                "1985-03-04",
                MiddleName="Q",
                SSN="900123456",
                SSNDataQuality="1",
                Woman="1",
                Man="0",
            ),
            client(
                "P2",
                "Shorty",
                "",
                "1970-01-01",
                NameDataQuality="2",
                SSN="xxxxx6789",
                SSNDataQuality="2",
                DOBDataQuality="2",
                Man="1",
            ),
            client(
                "P3",
                "Unknown",
                "Client",
                "",
                NameDataQuality="99",
                SSN="",
                DOBDataQuality="8",
                GenderNone="99",
            ),
            client("P4", "Gone", "Away", "1990-01-01", **DELETED),
            client("P5", "Jordan", "Lee", "2001-07-04", NameSuffix="Jr", NonBinary="1"),
        ],  # fmt: skip
        "Project.csv": [
            {"ProjectID": p, "ProjectName": n, "ProjectType": t, "ContinuumProject": "1", **STAMP}
            for p, n, t in projects
        ],
        "Enrollment.csv": [
            {
                "EnrollmentID": e,
                "PersonalID": p,
                "ProjectID": pr,
                "EntryDate": d,
                "HouseholdID": f"H{e}",
                "RelationshipToHoH": "1",
                "LivingSituation": ls,
                **STAMP,
            }
            for e, p, pr, d, ls in enrollments
        ]  # fmt: skip
        + [
            {
                "EnrollmentID": "E8",
                "PersonalID": "P1",
                "ProjectID": "PR1",
                "EntryDate": "not a date",
                **DELETED,
            }
        ],  # fmt: skip
        "Exit.csv": [
            {
                "ExitID": "X1",
                "EnrollmentID": "E1",
                "PersonalID": "P1",
                "ExitDate": "2024-01-20",
                "Destination": "207",
            },
            {
                "ExitID": "X2",
                "EnrollmentID": "E2",
                "PersonalID": "P1",
                "ExitDate": "2024-02-04",
                "Destination": "116",
            },
            {
                "ExitID": "X6",
                "EnrollmentID": "E6",
                "PersonalID": "P5",
                "ExitDate": "2024-05-01",
                "Destination": "99",
            },
            {
                "ExitID": "X7",
                "EnrollmentID": "E7",
                "PersonalID": "P3",
                "ExitDate": "2024-01-10",
                "Destination": "410",
            },
        ],  # fmt: skip
        "Services.csv": [
            bed("S1", "E2", "P1", "2024-02-01"),
            bed("S2", "E2", "P1", "2024-02-02"),
            bed("S3", "E2", "P1", "2024-02-03"),
            bed("S4", "E2", "P1", "2024-02-02"),  # the same night twice counts once
            bed("S5", "E2", "P1", "2024-02-09", **DELETED),
            {
                "ServicesID": "S6",
                "EnrollmentID": "E3",
                "PersonalID": "P2",
                "DateProvided": "2024-03-02",
                "RecordType": "141",
                "TypeProvided": "4",
            },
        ],  # fmt: skip
    }


def bed(sid: str, eid: str, pid: str, night: str, **more: str) -> dict[str, str]:
    row = {"ServicesID": sid, "EnrollmentID": eid, "PersonalID": pid, "DateProvided": night}
    return row | {"RecordType": "200", "TypeProvided": "200", **more}


def csv_bytes(
    name: str, rows: list[dict[str, str]], *, bom: bool = False, headers: dict | None = None
) -> bytes:
    header = (headers or HEADERS)[name].split(",")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, f"{name}: unknown columns {unknown}"
        writer.writerow([row.get(h, "") for h in header])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def write_folder(folder: Path, export: dict[str, list[dict[str, str]]], **kw: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in export.items():
        (folder / name).write_bytes(csv_bytes(name, rows, **kw))
    return folder


def write_zip(path: Path, export: dict[str, list[dict[str, str]]], **kw: Any) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in export.items():
            archive.writestr(f"hmis_export/{name}", csv_bytes(name, rows, **kw))
    return path


# -- tests ----------------------------------------------------------------------------------


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def ingest(ws: Workspace, path: Path, source: str = "hmis"):
    return ws.ingest(path=path, format="hmis-csv", system="shelter", source=source)


def records(ws: Workspace) -> dict[str, dict]:
    rows = ws.store.dicts("SELECT * FROM current_record")
    return {r["source_person_id"]: r for r in rows}


def events(ws: Workspace) -> dict[str, dict]:
    rows = ws.store.dicts("SELECT * FROM current_event ORDER BY event_key")
    return {
        r["event_key"].split("|", 1)[1]: r | {"details": json.loads(r["details"])} for r in rows
    }


def test_folder_export_loads_people_with_data_quality_codes(ws: Workspace, tmp_path: Path) -> None:
    [summary] = ingest(ws, write_folder(tmp_path / "export", base_export()))
    assert (summary.records_added, summary.rows_quarantined) == (4, 0)
    people = records(ws)
    assert set(people) == {"P1", "P2", "P3", "P5"}  # P4 is deleted
    maria = people["P1"]
    assert (maria["first_name"], maria["middle_name"], maria["last_name"]) == (
        "MARIA",
        "Q",
        "GARCIA",
    )
    assert (maria["ssn"], maria["ssn_last4"], maria["sex"]) == ("900123456", "3456", "F")
    assert (str(maria["dob"]), maria["dob_quality"]) == ("1985-03-04", "full")
    assert maria["other_ids"] == {"hmis_personal_id": "P1"}
    assert maria["dq_codes"] == {
        "DOBDataQuality": "1",
        "NameDataQuality": "1",
        "SSNDataQuality": "1",
    }
    shorty = people["P2"]  # a street name, a partial SSN and an approximate DOB
    assert (shorty["first_name"], shorty["last_name"], shorty["sex"]) == ("SHORTY", None, "M")
    assert (shorty["ssn"], shorty["ssn_last4"]) == ("xxxxx6789", "6789")
    assert (str(shorty["dob"]), shorty["dob_quality"]) == ("1970-01-01", "approximate")
    unknown = people["P3"]  # NameDataQuality 99: the placeholder name is not a name
    assert (unknown["first_name"], unknown["last_name"], unknown["dob"]) == (None, None, None)
    assert (unknown["dob_quality"], unknown["sex"], unknown["ssn"]) == ("unknown", "U", None)
    assert unknown["dq_codes"]["NameDataQuality"] == "99"
    assert (people["P5"]["sex"], people["P5"]["suffix"]) == ("X", "JR")


def test_enrollments_become_typed_events_with_living_situation(
    ws: Workspace, tmp_path: Path
) -> None:
    [summary] = ingest(ws, write_folder(tmp_path / "export", base_export()))
    found = events(ws)
    types = {k: e["event_type"] for k, e in found.items()}
    assert types == {
        "enr:E1": "shelter_stay",
        "enr:E2": "shelter_enrollment",  # night-by-night: its bed nights are the stays
        "bed:E2:2024-02-01": "shelter_stay",
        "bed:E2:2024-02-02": "shelter_stay",
        "bed:E2:2024-02-03": "shelter_stay",
        "enr:E3": "outreach_contact",
        "enr:E4": "housing_enrollment",
        "enr:E6": "homeless_service",
        "enr:E7": "shelter_stay",
    }
    assert summary.events_added == len(types)
    e1 = found["enr:E1"]
    assert (str(e1["start_at"]), str(e1["end_at"])) == (
        "2024-01-05 00:00:00",
        "2024-01-20 00:00:00",
    )
    assert (e1["location"], e1["project_type"]) == (
        "MAIN STREET SHELTER",
        "EMERGENCY SHELTER - ENTRY EXIT",
    )
    assert e1["details"]["LivingSituation"] == {
        "code": "116",
        "label": "Place not meant for habitation",
        "category": "homeless",
    }
    assert e1["details"]["Destination"]["label"].startswith("Jail, prison")
    assert e1["details"]["Destination"]["category"] == "institutional"
    assert e1["details"]["RelationshipToHoH"] == {"code": "1", "label": "Self (head of household)"}
    assert e1["details"]["HouseholdID"] == "HE1"
    assert e1["record_key"] == "hmis|P1" and e1["system"] == "shelter"
    assert found["enr:E3"]["end_at"] is None  # an open outreach enrollment
    assert found["enr:E4"]["details"]["LivingSituation"]["category"] == "institutional"
    night = found["bed:E2:2024-02-02"]
    assert (str(night["start_at"]), str(night["end_at"])) == (
        "2024-02-02 00:00:00",
        "2024-02-03 00:00:00",
    )
    assert night["details"]["ServicesID"] in ("S2", "S4")
    assert night["project_type"] == "EMERGENCY SHELTER - NIGHT-BY-NIGHT"


def test_zip_with_bom_reads_like_the_folder_and_reingest_adds_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    archive = write_zip(tmp_path / "hmis_2024.zip", base_export(), bom=True)
    [first] = ingest(ws, archive)
    assert (first.records_added, first.events_added, first.rows_quarantined) == (4, 9, 0)
    [again] = ingest(ws, archive)
    assert again.skipped
    # The same content unzipped (without BOM) is recognised row by row.
    [folder] = ingest(ws, write_folder(tmp_path / "unzipped", base_export()))
    assert (folder.records_added, folder.records_changed) == (0, 0)
    assert (folder.events_added, folder.events_changed) == (0, 0)
    assert ws.store.scalar("SELECT count(*) FROM event") == 9


def add_row(export: dict, name: str, row: dict[str, str]) -> dict:
    export[name].append(row)
    return export


@pytest.mark.parametrize(
    ("name", "row", "field", "reason_part"),
    [
        (
            "Enrollment.csv",
            {"EnrollmentID": "E9", "PersonalID": "P1", "ProjectID": "PR1", "EntryDate": "3/1/2024"},
            "Enrollment.csv:EntryDate",
            "YYYY-MM-DD (this looks like a file re-saved by Excel)",
        ),
        (
            "Enrollment.csv",
            {
                "EnrollmentID": "E9",
                "PersonalID": "P1",
                "ProjectID": "PR9",
                "EntryDate": "2024-03-01",
            },
            "Enrollment.csv:ProjectID",
            "ProjectID PR9 is not in Project.csv",
        ),
        (
            "Enrollment.csv",
            {
                "EnrollmentID": "E9",
                "PersonalID": "P9",
                "ProjectID": "PR1",
                "EntryDate": "2024-03-01",
            },
            "Enrollment.csv:PersonalID",
            "PersonalID P9 is not in Client.csv",
        ),
        ("Client.csv", client("", "No", "Id", "1980-01-01"), "Client.csv:PersonalID", "missing"),
        ("Client.csv", client("P9", "Fut", "Ure", "2090-01-01"), "Client.csv:DOB", "impossible"),
        (
            "Client.csv",
            client("P9", "Bad", "Ssn", "", SSN="12345", SSNDataQuality="1"),
            "Client.csv:SSN",
            "9 digits",
        ),
        (
            "Exit.csv",
            {"ExitID": "X9", "EnrollmentID": "E3", "PersonalID": "P2", "ExitDate": "2024-02-01"},
            "Exit.csv:ExitDate",
            "before the EntryDate 2024-03-01",
        ),
        (
            "Exit.csv",
            {"ExitID": "X9", "EnrollmentID": "E1", "PersonalID": "P1", "ExitDate": "2024-01-21"},
            "Exit.csv:EnrollmentID",
            "a second exit for this enrollment (row 1 is used)",
        ),
        (
            "Services.csv",
            bed("S9", "E2", "P1", "2024-02-04"),
            "Services.csv:DateProvided",
            "bed night outside the enrollment (2024-02-01 to 2024-02-04)",
        ),
        (
            "Services.csv",
            bed("S9", "E2", "P2", "2024-02-02"),
            "Services.csv:PersonalID",
            "differs from the enrollment's (P1)",
        ),
    ],
)
def test_a_bad_row_is_quarantined_with_file_row_and_field(
    ws: Workspace, tmp_path: Path, name: str, row: dict, field: str, reason_part: str
) -> None:
    export = add_row(base_export(), name, row)
    [summary] = ingest(ws, write_folder(tmp_path / "export", export))
    assert summary.rows_quarantined == 1
    [q] = ws.quarantine()
    assert q["row_number"] == len(export[name])  # the row added last
    assert q["field"] == field
    assert reason_part in q["reason"]
    assert q["file"].endswith("export")
    assert ws.store.scalar("SELECT count(*) FROM current_record") == 4


def test_rows_of_a_quarantined_row_are_quarantined_naming_it(ws: Workspace, tmp_path: Path) -> None:
    export = base_export()
    export["Client.csv"][0]["DOB"] = "1985-02-30"  # P1's row cannot load
    export["Project.csv"][5]["ProjectType"] = "5"  # PR6 has a type HUD does not define
    [summary] = ingest(ws, write_folder(tmp_path / "export", export))
    found = {(q["field"], q["row_number"]): q["reason"] for q in ws.quarantine()}
    assert found[("Client.csv:DOB", 1)] == "DOB: not a real calendar date"
    assert found[("Project.csv:ProjectType", 6)].startswith("unknown ProjectType 5")
    assert found[("Enrollment.csv:PersonalID", 1)] == (
        "PersonalID P1: its Client.csv row 1 was quarantined"
    )
    assert found[("Enrollment.csv:ProjectID", 7)] == (
        "ProjectID PR6: its Project.csv row 6 was quarantined"
    )
    assert found[("Exit.csv:EnrollmentID", 1)] == (
        "EnrollmentID E1: its Enrollment.csv row 1 was quarantined"
    )
    assert ("Services.csv:EnrollmentID", 1) in found
    # The client and project rows; E1, E2 and E7; their three exits; E2's four bed nights.
    assert summary.rows_quarantined == 1 + 1 + 3 + 3 + 4
    assert set(records(ws)) == {"P2", "P3", "P5"}


def test_a_bad_line_is_quarantined_and_the_rest_loads(ws: Workspace, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "export", base_export())
    client_csv = folder / "Client.csv"
    client_csv.write_bytes(
        client_csv.read_bytes() + b"P9,Bad\xff,,Enc\r\n" + b'P10,"Never closed,,\r\n'
    )
    [summary] = ingest(ws, folder)
    assert summary.records_added == 4
    reasons = {(q["row_number"], q["field"]): q["reason"] for q in ws.quarantine()}
    assert reasons[(6, "Client.csv:FirstName")] == "bad encoding: the row is not valid UTF-8"
    assert reasons[(7, "Client.csv")].startswith("wrong column count")


FY2022_GENDER = {"Woman": "Female", "Man": "Male", "NonBinary": "NoSingleGender"}


def test_fy2022_gender_columns_and_tracking_method(ws: Workspace, tmp_path: Path) -> None:
    headers = dict(HEADERS)
    for new, old in FY2022_GENDER.items():
        headers["Client.csv"] = headers["Client.csv"].replace(f",{new},", f",{old},")
    headers["Project.csv"] = headers["Project.csv"].replace(
        ",ProjectType,", ",ProjectType,TrackingMethod,"
    )
    export = base_export()
    export["Client.csv"] = [
        {FY2022_GENDER.get(k, k): v for k, v in r.items()} for r in export["Client.csv"]
    ]
    # FY2022: any emergency shelter was ProjectType 1; TrackingMethod 3 meant night-by-night.
    fy2022_types = {"PR1": ("1", "0"), "PR2": ("1", "3")}
    for row in export["Project.csv"]:
        if row["ProjectID"] in fy2022_types:
            row["ProjectType"], row["TrackingMethod"] = fy2022_types[row["ProjectID"]]
    [summary] = ingest(ws, write_folder(tmp_path / "fy2022", export, headers=headers))
    assert summary.rows_quarantined == 0
    people = records(ws)
    assert (people["P1"]["sex"], people["P2"]["sex"], people["P5"]["sex"]) == ("F", "M", "X")
    found = events(ws)
    assert found["enr:E1"]["event_type"] == "shelter_stay"
    assert found["enr:E2"]["event_type"] == "shelter_enrollment"
    assert found["bed:E2:2024-02-03"]["event_type"] == "shelter_stay"


def test_fy2026_sex_column(ws: Workspace, tmp_path: Path) -> None:
    gender = (
        "Woman,Man,NonBinary,CulturallySpecific,Transgender,Questioning,DifferentIdentity,"
        "GenderNone,DifferentIdentityText,"
    )
    headers = {"Client.csv": HEADERS["Client.csv"].replace(gender, "Sex,")}
    sexes = {"P1": "0", "P2": "1", "P3": "99", "P5": "8"}
    rows = [client(p, "A", "B", "1980-01-01", Sex=s) for p, s in sexes.items()]
    ingest(ws, write_folder(tmp_path / "fy2026", {"Client.csv": rows}, headers=headers))
    assert {p: r["sex"] for p, r in records(ws).items()} == {
        "P1": "F", "P2": "M", "P3": "U", "P5": "U"
    }  # fmt: skip


def test_a_folder_of_zips_applies_later_exports_in_name_order(
    ws: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_zip(folder / "2024-06.zip", base_export())
    later = base_export()
    later["Client.csv"][0]["LastName"] = "Garcia-Lopez"
    later["Enrollment.csv"][3] |= DELETED  # E4 was entered in error
    later["Services.csv"][2] |= DELETED  # and so was one bed night
    write_zip(folder / "2024-07.zip", later)
    [summary] = ingest(ws, folder)
    assert records(ws)["P1"]["last_name"] == "GARCIA-LOPEZ"
    found = events(ws)
    assert "enr:E4" not in found and "bed:E2:2024-02-03" not in found
    assert "bed:E2:2024-02-02" in found
    assert summary.rows_quarantined == 0


def test_whole_export_problems_are_one_clear_error(ws: Workspace, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileUnreadableError, match="no Client.csv in this folder"):
        ingest(ws, empty)
    not_zip = tmp_path / "export.zip"
    not_zip.write_bytes(b"PersonalID,FirstName\n1,A\n")
    with pytest.raises(FileUnreadableError, match="not a readable zip file") as err:
        ingest(ws, not_zip)
    assert "export.zip" in str(err.value)
    no_client = tmp_path / "no_client.zip"
    with zipfile.ZipFile(no_client, "w") as archive:
        archive.writestr("Enrollment.csv", HEADERS["Enrollment.csv"])
    with pytest.raises(FileUnreadableError, match="the zip holds no Client.csv"):
        ingest(ws, no_client)
    folder = write_folder(tmp_path / "export", base_export())
    with pytest.raises(FileUnreadableError, match="not one CSV file"):
        ingest(ws, folder / "Client.csv")
    (folder / "Project.csv").unlink()
    with pytest.raises(FileUnreadableError, match="Project.csv is missing"):
        ingest(ws, folder)
    semicolons = write_folder(tmp_path / "semi", base_export())
    text = (semicolons / "Client.csv").read_text().replace(",", ";")
    (semicolons / "Client.csv").write_text(text)
    with pytest.raises(FileUnreadableError, match="missing required column") as err:
        ingest(ws, semicolons)
    assert "Client.csv" in str(err.value)
    hashed = base_export()
    hashed["Export.csv"][0]["HashStatus"] = "4"
    with pytest.raises(FileUnreadableError, match="hashed"):
        ingest(ws, write_folder(tmp_path / "hashed", hashed))
    assert ws.store.scalar("SELECT count(*) FROM ingest_batch") == 0


# -- corrupted input never escapes as anything but FileUnreadableError -----------------------

_CLEAN = {name: csv_bytes(name, rows) for name, rows in base_export().items()}


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _CLEAN.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_CLEAN_ZIP = _zip_bytes()


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, bytes]:
    target = draw(st.sampled_from(["zip", *_CLEAN]))
    data = bytearray(_CLEAN_ZIP if target == "zip" else _CLEAN[target])
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    else:
        for _ in range(draw(st.integers(1, 6))):
            if data:
                at = draw(st.integers(0, len(data) - 1))
                data[at] ^= draw(st.integers(1, 255))
    return target, bytes(data)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
def test_corrupted_exports_load_or_quarantine_every_row(case: tuple[str, bytes]) -> None:
    target, data = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if target == "zip":
            path = root / "export.zip"
            path.write_bytes(data)
        else:
            path = root / "export"
            path.mkdir()
            for name, clean in _CLEAN.items():
                (path / name).write_bytes(data if name == target else clean)
        try:
            parsed = hmis.parse_file(path, None, today=date(2025, 1, 1))
        except FileUnreadableError:
            return
        _check_accounting(path, parsed)
    _check_shapes(parsed)


def _check_accounting(path: Path, parsed) -> None:
    """Every Client.csv row read is a record, a quarantine row, or a deleted row."""
    [export] = find_exports(path)
    try:
        rows = list(export.rows("Client.csv", (), ("PersonalID", "DateDeleted")))
    finally:
        export.close()
    deleted = sum(
        1
        for _, v, p in rows
        if p is None and v.get("PersonalID", "").strip() and v.get("DateDeleted", "").strip()
    )
    client_rejects = sum(1 for r in parsed.rejected if r.field.startswith("Client.csv"))
    assert len(parsed.records) + client_rejects + deleted == len(rows)


def _check_shapes(parsed) -> None:
    for record in parsed.records.values():
        assert record["sex"] in (*SEX_CODES, None)
        assert record["ssn"] is None or len(record["ssn"]) == 9
        assert record["dob_quality"] in ("full", "approximate", "unknown")
    for event in parsed.events.values():
        assert event["source_person_id"] in parsed.records
        assert event["end_at"] is None or event["end_at"] >= event["start_at"]
    for rejected in parsed.rejected:
        assert rejected.row_number >= 1 and rejected.reason
        assert rejected.field.split(":")[0] in _CLEAN


# -- Current Living Situation (4.12) and the chunked path --------------------------------------


def living(cid: str, eid: str, pid: str, day: str, code: str, **more: str) -> dict[str, str]:
    row = {"CurrentLivingSitID": cid, "EnrollmentID": eid, "PersonalID": pid}
    return row | {"InformationDate": day, "CurrentLivingSituation": code, **STAMP, **more}


def with_living_situations() -> dict[str, list[dict[str, str]]]:
    export = base_export()
    export["CurrentLivingSituation.csv"] = [
        # P2's street-outreach contacts: under a bridge, then in jail, then in a psychiatric unit.
        living("C1", "E3", "P2", "2024-03-01", "116", LocationDetails="Under the 5th St bridge"),
        living("C2", "E3", "P2", "2024-03-15", "207", LeaveSituation14Days="1"),
        living("C3", "E3", "P2", "2024-03-29", "204", VerifiedBy="Downtown Outreach"),
        living("C4", "E3", "P2", "2024-04-02", "116", **DELETED),  # ignored
        living("C5", "E6", "P5", "2024-05-01", "314"),  # a coordinated-entry contact
        living("C6", "E3", "P2", "2024-13-01", "116"),  # quarantined: no such month
        living("C7", "E99", "P2", "2024-03-05", "116"),  # quarantined: no such enrollment
        living("C8", "E5", "P4", "2024-01-02", "116"),  # the deleted client's: skipped
    ]
    return export


def test_current_living_situations_are_contacts_with_where_the_person_stayed(
    ws: Workspace, tmp_path: Path
) -> None:
    [summary] = ingest(ws, write_folder(tmp_path / "export", with_living_situations()))
    found = events(ws)
    contacts = {k: v for k, v in found.items() if k.startswith("cls:")}
    assert sorted(contacts) == ["cls:C1", "cls:C2", "cls:C3", "cls:C5"]
    bridge, jail, psych = contacts["cls:C1"], contacts["cls:C2"], contacts["cls:C3"]
    assert bridge["event_type"] == "outreach_contact" and bridge["source_person_id"] == "P2"
    assert str(bridge["start_at"]) == "2024-03-01 00:00:00" and bridge["end_at"] is None
    assert bridge["details"]["CurrentLivingSituation"] == {
        "code": "116",
        "label": "Place not meant for habitation",
        "category": "homeless",
    }
    assert bridge["details"]["LocationDetails"] == "Under the 5th St bridge"
    assert bridge["details"]["EnrollmentID"] == "E3" and bridge["location"] == "DOWNTOWN OUTREACH"
    assert jail["details"]["CurrentLivingSituation"]["label"].startswith("Jail, prison")
    assert jail["details"]["LeaveSituation14Days"] == "Yes"
    assert psych["details"]["CurrentLivingSituation"]["category"] == "institutional"
    assert psych["details"]["VerifiedBy"] == "Downtown Outreach"
    assert contacts["cls:C5"]["event_type"] == "homeless_service"  # coordinated entry
    quarantined = {
        q["row_number"]: (q["field"], q["reason"])
        for q in ws.quarantine()
        if q["field"].startswith("CurrentLivingSituation.csv")
    }
    assert set(quarantined) == {6, 7}
    assert quarantined[6][0] == "CurrentLivingSituation.csv:InformationDate"
    assert "EnrollmentID E99 is not in Enrollment.csv" in quarantined[7][1]
    assert summary.rows_quarantined == len(ws.quarantine())


@pytest.mark.parametrize("size", [1, 2, 5])
def test_an_export_read_in_chunks_stores_what_one_chunk_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    folder = write_folder(tmp_path / "export", with_living_situations())
    stored = {}
    for chunk in (0, size):
        monkeypatch.setattr(hmis.reader, "CHUNK_ROWS", chunk)
        if chunk:
            parts = list(hmis.iter_chunks(folder, None, today=date(2025, 1, 1)))
            loaded = sum(len(p.records) + len(p.events) for p in parts)
            assert len(parts) >= loaded // chunk > 1
        with Workspace.init(tmp_path / f"ws{chunk}") as workspace:
            [summary] = ingest(workspace, folder)
            rows = [*records(workspace).values(), *events(workspace).values()]
            for row in rows:
                row.pop("batch_id"), row.pop("valid_from")
            quarantined = sorted(
                (q["field"], q["row_number"], q["reason"]) for q in workspace.quarantine()
            )
            stored[chunk] = (summary.rows_read, rows, quarantined)
            # Re-ingesting the same export (another copy) adds nothing, chunk by chunk too.
            copy = write_folder(tmp_path / f"copy{chunk}", with_living_situations())
            (copy / "Export.csv").write_bytes((copy / "Export.csv").read_bytes() + b"\r\n")
            [again] = ingest(workspace, copy)
            assert (again.records_added, again.records_changed) == (0, 0)
            assert (again.events_added, again.events_changed) == (0, 0)
    assert stored[size] == stored[0]


def test_an_export_with_a_bad_later_file_writes_nothing_even_in_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers are checked before the first chunk is handed on: with one row a chunk, Client.csv
    would be written before Exit.csv is reached, but the export fails as a whole."""
    monkeypatch.setattr(hmis.reader, "CHUNK_ROWS", 1)
    folder = write_folder(tmp_path / "export", with_living_situations())
    headers = dict(HEADERS, **{"Exit.csv": HEADERS["Exit.csv"].replace("ExitDate,", "")})
    exits = [{k: v for k, v in row.items() if k != "ExitDate"} for row in base_export()["Exit.csv"]]
    (folder / "Exit.csv").write_bytes(csv_bytes("Exit.csv", exits, headers=headers))
    with Workspace.init(tmp_path / "ws") as workspace:
        with pytest.raises(FileUnreadableError, match="missing required column.*ExitDate"):
            ingest(workspace, folder)
        assert workspace.store.scalar("SELECT count(*) FROM source_record") == 0
        assert workspace.store.scalar("SELECT count(*) FROM ingest_batch") == 0
