"""The synthetic county generator: files in each exchange standard's structure, ground truth,
utilization shape, identity errors."""

from __future__ import annotations

import csv
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

from ddj.config import parse_config
from ddj.demo.codes import ICD10_DESCRIPTIONS
from ddj.demo.generate import (
    SOURCE_FILES,
    SOURCE_FORMATS,
    SOURCE_SYSTEMS,
    GeneratedCounty,
    generate_county,
)
from ddj.demo.names import nickname_variants
from ddj.demo.run import demo_config

# -- the files and what the standards say about them --------------------------------------------
HEADERS = {
    "jail_bookings.csv": [
        "InmateID", "BookingNumber", "FirstName", "MiddleName", "LastName", "Suffix", "DOB", "Sex",
        "SSN", "Address", "City", "State", "Zip", "BookingDateTime", "ReleaseDateTime", "Charges",
        "Facility",
    ],
    "jail_aliases.csv": ["InmateID", "AliasFirstName", "AliasLastName", "AliasDOB"],
    "cad_calls.csv": [
        "NameID", "CallNumber", "FirstName", "LastName", "DOB", "Sex", "PersonAddress", "Phone",
        "CallDateTime", "ClearedDateTime", "CallType", "Disposition",
    ],
    "bh_clients.csv": [
        "ClientID", "FirstName", "MiddleName", "LastName", "DateOfBirth", "Gender", "SSN",
        "Address", "City", "State", "Zip", "Phone",
    ],
    "bh_services.csv": [
        "ServiceID", "ClientID", "ServiceDate", "ServiceEndDate", "ServiceType", "DiagnosisCodes",
        "Program", "Part2Program", "Cost",
    ],
    # HUD HMIS CSV Format Specifications FY2024.
    "hmis/Export.csv": [
        "ExportID", "SourceType", "SourceID", "SourceName", "SourceContactFirst",
        "SourceContactLast", "SourceContactPhone", "SourceContactExtension", "SourceContactEmail",
        "ExportDate", "ExportStartDate", "ExportEndDate", "SoftwareName", "SoftwareVersion",
        "CSVVersion", "ExportPeriodType", "ExportDirective", "HashStatus", "ImplementationID",
    ],
    "hmis/Organization.csv": [
        "OrganizationID", "OrganizationName", "VictimServiceProvider", "OrganizationCommonName",
        "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
    ],
    "hmis/Project.csv": [
        "ProjectID", "OrganizationID", "ProjectName", "ProjectCommonName", "OperatingStartDate",
        "OperatingEndDate", "ContinuumProject", "ProjectType", "HousingType", "RRHSubType",
        "ResidentialAffiliation", "TargetPopulation", "HOPWAMedAssistedLivingFac", "PITCount",
        "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
    ],
    "hmis/Client.csv": [
        "PersonalID", "FirstName", "MiddleName", "LastName", "NameSuffix", "NameDataQuality", "SSN",
        "SSNDataQuality", "DOB", "DOBDataQuality", "AmIndAKNative", "Asian", "BlackAfAmerican",
        "HispanicLatinaeo", "MidEastNAfrican", "NativeHIPacific", "White", "RaceNone",
        "AdditionalRaceEthnicity", "Woman", "Man", "NonBinary", "CulturallySpecific",
        "Transgender", "Questioning", "DifferentIdentity", "GenderNone", "DifferentIdentityText",
        "VeteranStatus", "YearEnteredService", "YearSeparated", "WorldWarII", "KoreanWar",
        "VietnamWar", "DesertStorm", "AfghanistanOEF", "IraqOIF", "IraqOND", "OtherTheater",
        "MilitaryBranch", "DischargeStatus", "DateCreated", "DateUpdated", "UserID", "DateDeleted",
        "ExportID",
    ],
    "hmis/Enrollment.csv": [
        "EnrollmentID", "PersonalID", "ProjectID", "EntryDate", "HouseholdID", "RelationshipToHoH",
        "EnrollmentCoC", "LivingSituation", "RentalSubsidyType", "LengthOfStay",
        "LOSUnderThreshold", "PreviousStreetESSH", "DateToStreetESSH",
        "TimesHomelessPastThreeYears", "MonthsHomelessPastThreeYears", "DisablingCondition",
        "DateOfEngagement", "MoveInDate", "DateOfPATHStatus", "ClientEnrolledInPATH",
        "ReasonNotEnrolled", "PercentAMI", "ReferralSource", "CountOutreachReferralApproaches",
        "DateOfBCPStatus", "EligibleForRHY", "ReasonNoServices", "RunawayYouth",
        "SexualOrientation", "SexualOrientationOther", "FormerWardChildWelfare",
        "ChildWelfareYears", "ChildWelfareMonths", "FormerWardJuvenileJustice",
        "JuvenileJusticeYears", "JuvenileJusticeMonths", "UnemploymentFam",
        "MentalHealthDisorderFam", "PhysicalDisabilityFam", "AlcoholDrugUseDisorderFam",
        "InsufficientIncome", "IncarceratedParent", "VAMCStation", "TargetScreenReqd",
        "TimeToHousingLoss", "AnnualPercentAMI", "LiteralHomelessHistory", "ClientLeaseholder",
        "HOHLeaseholder", "SubsidyAtRisk", "EvictionHistory", "CriminalRecord",
        "IncarceratedAdult", "PrisonDischarge", "SexOffender", "DisabledHoH", "CurrentPregnant",
        "SingleParent", "DependentUnder6", "HH5Plus", "CoCPrioritized", "HPScreeningScore",
        "ThresholdScore", "TranslationNeeded", "PreferredLanguage", "PreferredLanguageDifferent",
        "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
    ],
    "hmis/Exit.csv": [
        "ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination", "DestinationSubsidyType",
        "OtherDestination", "HousingAssessment", "SubsidyInformation", "ProjectCompletionStatus",
        "EarlyExitReason", "ExchangeForSex", "ExchangeForSexPastThreeMonths",
        "CountOfExchangeForSex", "AskedOrForcedToExchangeForSex",
        "AskedOrForcedToExchangeForSexPastThreeMonths", "WorkplaceViolenceThreats",
        "WorkplacePromiseDifference", "CoercedToContinueWork", "LaborExploitPastThreeMonths",
        "CounselingReceived", "IndividualCounseling", "FamilyCounseling", "GroupCounseling",
        "SessionCountAtExit", "PostExitCounselingPlan", "SessionsInPlan", "DestinationSafeClient",
        "DestinationSafeWorker", "PosAdultConnections", "PosPeerConnections",
        "PosCommunityConnections", "AftercareDate", "AftercareProvided", "EmailSocialMedia",
        "Telephone", "InPersonIndividual", "InPersonGroup", "CMExitReason", "DateCreated",
        "DateUpdated", "UserID", "DateDeleted", "ExportID",
    ],
    "hmis/Services.csv": [
        "ServicesID", "EnrollmentID", "PersonalID", "DateProvided", "RecordType", "TypeProvided",
        "OtherTypeProvided", "MovingOnOtherType", "SubTypeProvided", "FAAmount", "FAStartDate",
        "FAEndDate", "ReferralOutcome", "DateCreated", "DateUpdated", "UserID", "DateDeleted",
        "ExportID",
    ],
}  # fmt: skip
HL7_FILE, NEMSIS_FILE = "hl7/adt.hl7", "nemsis/ems.xml"
FHIR_FILES = ("fhir/Patient.ndjson", "fhir/Encounter.ndjson", "fhir/Condition.ndjson")
ID_COLUMN = {
    "jail_bookings.csv": "InmateID",
    "jail_aliases.csv": "InmateID",
    "cad_calls.csv": "NameID",
    "bh_clients.csv": "ClientID",
    "bh_services.csv": "ClientID",
    "hmis/Client.csv": "PersonalID",
    "hmis/Enrollment.csv": "PersonalID",
    "hmis/Exit.csv": "PersonalID",
    "hmis/Services.csv": "PersonalID",
}
SOURCE_OF = {
    "jail_bookings.csv": "county_jail",
    "jail_aliases.csv": "county_jail",
    "cad_calls.csv": "police_cad",
    "bh_clients.csv": "behavioral_health",
    "bh_services.csv": "behavioral_health",
}
# File -> (column, format) of its dates that must always parse in a good row.
DATE_COLUMNS = {
    "jail_bookings.csv": [
        ("DOB", "%m/%d/%Y"),
        ("BookingDateTime", "%m/%d/%Y %H:%M"),
        ("ReleaseDateTime", "%m/%d/%Y %H:%M"),
    ],
    "jail_aliases.csv": [("AliasDOB", "%m/%d/%Y")],
    "cad_calls.csv": [
        ("DOB", "%Y-%m-%d"),
        ("CallDateTime", "%Y-%m-%d %H:%M:%S"),
        ("ClearedDateTime", "%Y-%m-%d %H:%M:%S"),
    ],
    "bh_clients.csv": [("DateOfBirth", "%Y-%m-%d")],
    "bh_services.csv": [("ServiceDate", "%Y-%m-%d"), ("ServiceEndDate", "%Y-%m-%d")],
    "hmis/Client.csv": [("DOB", "%Y-%m-%d"), ("DateCreated", "%Y-%m-%d %H:%M:%S")],
    "hmis/Enrollment.csv": [
        ("EntryDate", "%Y-%m-%d"),
        ("DateToStreetESSH", "%Y-%m-%d"),
        ("DateCreated", "%Y-%m-%d %H:%M:%S"),
        ("DateDeleted", "%Y-%m-%d %H:%M:%S"),
    ],
    "hmis/Exit.csv": [("ExitDate", "%Y-%m-%d")],
    "hmis/Services.csv": [("DateProvided", "%Y-%m-%d")],
}
# CSV files with bad rows -> the column a bad date is put in (and its format).
BAD_DATE_COLUMN = {
    "jail_bookings.csv": ("BookingDateTime", "%m/%d/%Y %H:%M"),
    "cad_calls.csv": ("CallDateTime", "%Y-%m-%d %H:%M:%S"),
    "bh_services.csv": ("ServiceDate", "%Y-%m-%d"),
    "hmis/Enrollment.csv": ("EntryDate", "%Y-%m-%d"),
}
DOB_COLUMN = {"jail_bookings.csv": "DOB", "cad_calls.csv": "DOB", "bh_clients.csv": "DateOfBirth"}
N_PEOPLE = 3000

# FY2024 HMIS lists (HMIS CSV Format Specifications, Appendix B).
LIVING_SITUATIONS = {
    116, 101, 118, 215, 206, 207, 225, 204, 205, 302, 329, 314, 332, 312, 313, 327, 422, 423,
    426, 410, 435, 421, 411, 8, 9, 99,
}  # fmt: skip
DESTINATIONS = LIVING_SITUATIONS | {30, 17, 24, 37}
PROJECT_TYPES = {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14}
LENGTH_OF_STAY = {10, 11, 2, 3, 4, 5, 8, 9, 99}
DATA_QUALITY = {1, 2, 8, 9, 99}

NEMSIS = "{http://www.nemsis.org}"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
NEMSIS_SECTIONS = [
    "eRecord", "eResponse", "eDispatch", "eTimes", "ePatient", "ePayment", "eScene", "eSituation",
    "eInjury", "eArrest", "eHistory", "eVitals", "eProtocols", "eMedications", "eProcedures",
    "eDisposition", "eOutcome",
]  # fmt: skip
NOT_VALUES = {"7701001", "7701003", "7701005"}
PERTINENT_NEGATIVES = {"8801015", "8801019", "8801023"}
# eSituation.11/.12 pattern of the NEMSIS 3.5.1 XSD (ICD-10-CM, no external-cause codes).
IMPRESSION = re.compile(
    r"((R[0-6][0-9](\.[0-9]{1,4})?|(R73\.9)|(R99))|([A-QSTUZ][0-9][0-9A-Z])((\.[0-9A-Z]{1,4})?))"
)
UUID = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[1-5][a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}")
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
INCIDENT = re.compile(r"\d{2}-\d{6}")


# -- readers ------------------------------------------------------------------------------------
def read_lines(path: Path) -> list[tuple[bool, list[str]]]:
    """Every data line of a CSV file as (decodes as UTF-8, fields)."""
    out = []
    with path.open("rb") as handle:
        next(handle)
        for raw in handle:
            try:
                text, ok = raw.decode("utf-8"), True
            except UnicodeDecodeError:
                text, ok = raw.decode("utf-8", errors="replace"), False
            out.append((ok, next(csv.reader([text]))))
    return out


def good_rows(county: GeneratedCounty, name: str) -> list[dict[str, str]]:
    bad = county.bad_row_lines[name]
    header = HEADERS[name]
    return [
        dict(zip(header, fields, strict=True))
        for line, (_ok, fields) in enumerate(read_lines(county.files[name]), start=2)
        if line not in bad
    ]


def read_truth(county: GeneratedCounty) -> tuple[dict[tuple[str, str], str], dict[str, dict]]:
    with county.files["truth/records.csv"].open(encoding="utf-8", newline="") as handle:
        records = {(r["source"], r["source_person_id"]): r["true_person_id"]
                   for r in csv.DictReader(handle)}  # fmt: skip
    with county.files["truth/people.csv"].open(encoding="utf-8", newline="") as handle:
        people = {r["true_person_id"]: r for r in csv.DictReader(handle)}
    return records, people


Segment = list[str]


def read_hl7(path: Path) -> list[list[Segment]]:
    """Messages, each a list of segments, each a list of fields (field n of a segment is
    ``seg[n]``; for MSH too, as MSH-1 is the field separator itself)."""
    messages: list[list[Segment]] = []
    for text in path.read_bytes().decode("utf-8").split("\r"):
        if not text:
            continue
        fields = text.split("|")
        if fields[0] == "MSH":
            fields = ["MSH", "|", *fields[1:]]
            messages.append([])
        messages[-1].append(fields)
    return messages


def seg(message: list[Segment], name: str) -> Segment | None:
    return next((s for s in message if s[0] == name), None)


def fld(segment: Segment, n: int) -> str:
    return segment[n] if n < len(segment) else ""


def hl7_unescape(text: str) -> str:
    for code, char in (("\\F\\", "|"), ("\\S\\", "^"), ("\\T\\", "&"), ("\\R\\", "~")):
        text = text.replace(code, char)
    return text.replace("\\E\\", "\\")


def mrn_of(message: list[Segment]) -> str:
    """The first PID-3 identifier of type MR."""
    pid = seg(message, "PID")
    assert pid is not None
    for cx in pid[3].split("~"):
        parts = cx.split("^")
        if len(parts) > 4 and parts[4] == "MR":
            return parts[0]
    raise AssertionError(f"no MR in {pid[3]}")


def n(element: ET.Element, name: str) -> ET.Element | None:
    return element.find(f".//{NEMSIS}{name}")


def nv(element: ET.Element, name: str) -> str:
    found = n(element, name)
    return (found.text or "") if found is not None else ""


def read_ndjson(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def local(iso: str) -> datetime:
    """An ISO timestamp with offset as the naive local time it states."""
    return datetime.fromisoformat(iso).replace(tzinfo=None)


@dataclass
class Hl7Visit:
    mrn: str
    patient_class: str
    start: datetime
    codes: list[str] = field(default_factory=list)


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCounty:
    return generate_county(tmp_path_factory.mktemp("county"), people=N_PEOPLE, seed=11)


@pytest.fixture(scope="module")
def rows(county: GeneratedCounty) -> dict[str, list[dict[str, str]]]:
    return {name: good_rows(county, name) for name in HEADERS}


@pytest.fixture(scope="module")
def truth(county: GeneratedCounty) -> tuple[dict[tuple[str, str], str], dict[str, dict]]:
    return read_truth(county)


@pytest.fixture(scope="module")
def hl7_messages(county: GeneratedCounty) -> list[list[Segment]]:
    return read_hl7(county.files[HL7_FILE])


@pytest.fixture(scope="module")
def good_hl7(county, hl7_messages) -> list[list[Segment]]:
    bad = county.bad_row_lines[HL7_FILE]
    return [m for i, m in enumerate(hl7_messages, start=1) if i not in bad]


@pytest.fixture(scope="module")
def visits(good_hl7) -> dict[str, Hl7Visit]:
    """Hospital visits by visit number (PV1-19), from their A04/A01."""
    out: dict[str, Hl7Visit] = {}
    for message in good_hl7:
        pv1 = seg(message, "PV1")
        assert pv1 is not None
        number = pv1[19].split("^")[0]
        if number not in out:
            start = datetime.strptime(pv1[44][:14], "%Y%m%d%H%M%S")
            out[number] = Hl7Visit(mrn_of(message), pv1[2], start)
        for dg1 in (s for s in message if s[0] == "DG1"):
            out[number].codes.append(dg1[3].split("^")[0])
    return out


@pytest.fixture(scope="module")
def reports(county: GeneratedCounty) -> list[ET.Element]:
    root = ET.parse(county.files[NEMSIS_FILE]).getroot()
    return root.findall(f"{NEMSIS}Header/{NEMSIS}PatientCareReport")


@pytest.fixture(scope="module")
def fhir(county: GeneratedCounty) -> dict[str, list[dict]]:
    return {
        name.split("/")[1].split(".")[0]: read_ndjson(county.files[name]) for name in FHIR_FILES
    }


@pytest.fixture(scope="module")
def contacts(county, rows, truth, visits, reports, fhir) -> dict[str, dict[str, list[datetime]]]:
    """true person -> source -> times of that person's contacts (good rows and items only)."""
    records, _ = truth
    out: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))

    def add(source: str, source_id: str, at: datetime) -> None:
        out[records[(source, source_id)]][source].append(at)

    for row in rows["jail_bookings.csv"]:
        add(
            "county_jail",
            row["InmateID"],
            datetime.strptime(row["BookingDateTime"], "%m/%d/%Y %H:%M"),
        )
    for row in rows["cad_calls.csv"]:
        add("police_cad", row["NameID"], datetime.fromisoformat(row["CallDateTime"]))
    for row in rows["bh_services.csv"]:
        add("behavioral_health", row["ClientID"], datetime.fromisoformat(row["ServiceDate"]))
    for row in rows["hmis/Enrollment.csv"]:
        if not row["DateDeleted"]:
            add("shelters", row["PersonalID"], datetime.fromisoformat(row["EntryDate"]))
    for visit in visits.values():
        add("county_hospital", visit.mrn, visit.start)
    for report in reports:
        add("county_ems", nv(report, "eRecord.01"), local(nv(report, "eTimes.03")))
    for encounter in fhir["Encounter"]:
        patient_id = encounter["subject"]["reference"].split("/")[1]
        add("bh_fhir", patient_id, local(encounter["period"]["start"]))
    return out


# -- constants and configuration -----------------------------------------------------------------
def test_source_constants() -> None:
    assert SOURCE_FILES == {
        "county_jail": [
            ("jail_bookings.csv", "jail_bookings"),
            ("jail_aliases.csv", "jail_aliases"),
        ],
        "police_cad": [("cad_calls.csv", "cad_calls")],
        "behavioral_health": [("bh_clients.csv", "bh_clients"), ("bh_services.csv", "bh_services")],
        "shelters": [("hmis", None)],
        "county_hospital": [("hl7/adt.hl7", None)],
        "county_ems": [("nemsis/ems.xml", None)],
        "bh_fhir": [("fhir", None)],
    }
    assert SOURCE_FORMATS == {
        "county_jail": "table",
        "police_cad": "table",
        "behavioral_health": "table",
        "shelters": "hmis-csv",
        "county_hospital": "hl7v2",
        "county_ems": "nemsis",
        "bh_fhir": "fhir",
    }
    assert SOURCE_SYSTEMS == {
        "county_jail": "jail_booking",
        "police_cad": "police_call",
        "behavioral_health": "behavioral_health",
        "shelters": "shelter",
        "county_hospital": "ed",
        "county_ems": "ems",
        "bh_fhir": "behavioral_health",
    }


def test_demo_config_names_every_source_with_its_format(tmp_path: Path) -> None:
    text = demo_config()
    raw = tomllib.loads(text)
    config = parse_config(raw, tmp_path, where="ddj.toml")
    by_name = {s.name: s for s in config.sources}
    assert set(by_name) == set(SOURCE_FILES)
    for name, source in by_name.items():
        assert source.format == SOURCE_FORMATS[name] and source.system == SOURCE_SYSTEMS[name]
        expected = [(tmp_path / "data" / path, profile) for path, profile in SOURCE_FILES[name]]
        assert [(f.path, f.profile) for f in source.files] == expected
    assert "[profiles." not in text  # no shelter profile any more: HMIS has its own format


# -- files, determinism, bad rows ----------------------------------------------------------------
def test_files_headers_and_counts(county: GeneratedCounty) -> None:
    data, truth_dir = county.out_dir / "data", county.out_dir / "truth"
    assert county.n_people == N_PEOPLE
    documents = {HL7_FILE, NEMSIS_FILE, *FHIR_FILES}
    assert set(county.files) == set(HEADERS) | documents | {"truth/records.csv", "truth/people.csv"}
    for name, header in HEADERS.items():
        path = county.files[name]
        assert path == data / name
        with path.open("rb") as handle:
            assert handle.readline() == (",".join(header) + "\n").encode()
        assert county.rows[name] == len(read_lines(path)) > 0
    assert sorted(p.name for p in (data / "hmis").iterdir()) == sorted(
        ["Export.csv", "Organization.csv", "Project.csv", "Client.csv", "Enrollment.csv",
         "Exit.csv", "Services.csv"]
    )  # fmt: skip
    for name in documents:
        assert county.files[name] == data / name and county.rows[name] > 0
    assert county.files["truth/records.csv"].parent == truth_dir
    with county.files["truth/records.csv"].open() as handle:
        assert handle.readline().strip() == "source,source_person_id,true_person_id"
    with county.files["truth/people.csv"].open() as handle:
        assert handle.readline().strip() == (
            "true_person_id,first_name,last_name,dob,sex,frequent_utilizer,homeless,"
            "mental_illness,substance_use"
        )
    assert county.rows["truth/people.csv"] == N_PEOPLE
    assert not (data / "shelter_stays.csv").exists()


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    def snapshot(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first = generate_county(tmp_path / "a", people=600, seed=3)
    again = generate_county(tmp_path / "b", people=600, seed=3)
    other = generate_county(tmp_path / "c", people=600, seed=4)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert len(snapshot(tmp_path / "a")) == 19
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")
    assert first.rows == again.rows and first.bad_row_lines == again.bad_row_lines
    assert other.n_people == 600


def test_bad_rows_present_counted_and_broken(county: GeneratedCounty) -> None:
    for name in HEADERS:
        if name not in BAD_DATE_COLUMN:
            assert county.bad_rows[name] == 0, name
    today = date.today()
    for name in BAD_DATE_COLUMN:
        bad = county.bad_row_lines[name]
        assert 3 <= county.bad_rows[name] == len(bad) <= 6
        assert {"missing_id", "wrong_columns", "invalid_utf8", "unparseable_date"} <= set(
            bad.values()
        )
        header = HEADERS[name]
        lines = read_lines(county.files[name])
        for line, kind in bad.items():
            ok, fields = lines[line - 2]
            if kind == "invalid_utf8":
                assert not ok
                continue
            assert ok
            if kind == "wrong_columns":
                assert len(fields) != len(header)
                continue
            row = dict(zip(header, fields, strict=True))
            if kind == "missing_id":
                assert row[ID_COLUMN[name]] == ""
            elif kind == "unparseable_date":
                column, fmt = BAD_DATE_COLUMN[name]
                with pytest.raises(ValueError):
                    datetime.strptime(row[column], fmt)
            elif kind == "impossible_dob":
                dob = datetime.strptime(row[DOB_COLUMN[name]], DATE_COLUMNS[name][0][1]).date()
                assert dob.year < 1900 or dob > today
            else:
                pytest.fail(f"unknown bad-row kind {kind}")
    # Every other line of every CSV file is good: UTF-8, the right width, an id, dates that parse.
    for name, header in HEADERS.items():
        bad = county.bad_row_lines[name]
        for line, (ok, fields) in enumerate(read_lines(county.files[name]), start=2):
            if line in bad:
                continue
            assert ok and len(fields) == len(header), (name, line)
            row = dict(zip(header, fields, strict=True))
            if name in ID_COLUMN:
                assert row[ID_COLUMN[name]], (name, line)
            for column, fmt in DATE_COLUMNS.get(name, []):
                if row[column]:
                    datetime.strptime(row[column], fmt)


def test_good_rows_are_well_formed(rows) -> None:
    today = date.today()
    for name, column in DOB_COLUMN.items():
        fmt = DATE_COLUMNS[name][0][1]
        for row in rows[name]:
            if row[column]:
                assert date(1900, 1, 1) <= datetime.strptime(row[column], fmt).date() < today
    for name in ("jail_bookings.csv", "bh_clients.csv"):
        for row in rows[name]:
            ssn = row["SSN"]
            assert ssn == "" or (len(ssn) == 9 and ssn.isdigit() and ssn[0] in "90"), ssn
    assert {r["Sex"] for r in rows["jail_bookings.csv"]} <= {"M", "F"}
    assert {r["Sex"] for r in rows["cad_calls.csv"]} <= {"M", "F", "U"}
    assert {r["Gender"] for r in rows["bh_clients.csv"]} <= {"Male", "Female", "NB", "Unknown"}
    services = rows["bh_services.csv"]
    assert {r["ServiceType"] for r in services} == {
        "CRISIS", "MOBILE_CRISIS", "OUTPATIENT", "CASE_MANAGEMENT", "RESIDENTIAL", "DETOX",
    }  # fmt: skip
    for row in services:
        assert row["Part2Program"] in ("Y", "N")
        assert float(row["Cost"]) > 0
        assert all(code.startswith("F") for code in row["DiagnosisCodes"].split(";"))
        if row["ServiceType"] == "DETOX":
            assert row["Part2Program"] == "Y"
        assert not row["Program"].startswith("Bridgewell")  # the FHIR provider's are apart
    for row in rows["jail_bookings.csv"]:
        assert row["Charges"] and ";;" not in row["Charges"]
        if row["ReleaseDateTime"]:
            fmt = "%m/%d/%Y %H:%M"
            assert datetime.strptime(row["ReleaseDateTime"], fmt) >= datetime.strptime(
                row["BookingDateTime"], fmt
            )
    assert all(INCIDENT.fullmatch(r["CallNumber"]) for r in rows["cad_calls.csv"])


# -- HMIS CSV (FY2024) ---------------------------------------------------------------------------
def test_hmis_export_follows_the_fy2024_specifications(county, rows) -> None:
    export = rows["hmis/Export.csv"]
    assert len(export) == 1
    export_id = export[0]["ExportID"]
    assert export[0]["SourceType"] == "1" and export[0]["HashStatus"] == "1"
    assert export[0]["ExportDirective"] in {"1", "2", "3"}
    datetime.strptime(export[0]["ExportDate"], "%Y-%m-%d %H:%M:%S")
    assert (
        export[0]["ExportStartDate"] == "2023-01-01" and export[0]["ExportEndDate"] == "2025-12-31"
    )
    for name in HEADERS:
        if name.startswith("hmis/") and name != "hmis/Export.csv":
            assert {r["ExportID"] for r in rows[name]} == {export_id}, name
            for r in rows[name]:
                datetime.strptime(r["DateCreated"], "%Y-%m-%d %H:%M:%S")
                assert r["UserID"]
    # String fields are quoted, numbers and dates are not (spec: "String fields must be padded
    # with double-quotes").
    with county.files["hmis/Client.csv"].open(encoding="utf-8") as handle:
        next(handle)
        first = next(handle)
    assert first.startswith('"') and ',"SCHMIS' in first and ',"20' not in first

    organizations = {r["OrganizationID"] for r in rows["hmis/Organization.csv"]}
    projects = {r["ProjectID"]: r for r in rows["hmis/Project.csv"]}
    assert {p["OrganizationID"] for p in projects.values()} <= organizations
    types = {int(p["ProjectType"]) for p in projects.values()}
    assert types <= PROJECT_TYPES and {0, 1, 2, 4} <= types
    for p in projects.values():
        assert p["ContinuumProject"] in ("0", "1")
        assert (p["HousingType"] == "") == (p["ProjectType"] == "4")  # outreach has none

    clients = rows["hmis/Client.csv"]
    ids = [c["PersonalID"] for c in clients]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    races = ("AmIndAKNative", "Asian", "BlackAfAmerican", "HispanicLatinaeo", "MidEastNAfrican",
             "NativeHIPacific", "White")  # fmt: skip
    genders = ("Woman", "Man", "NonBinary", "CulturallySpecific", "Transgender", "Questioning",
               "DifferentIdentity")  # fmt: skip
    for c in clients:
        assert int(c["NameDataQuality"]) in DATA_QUALITY
        assert re.fullmatch(r"[0-9x]{9}", c["SSN"]) or c["SSN"] == ""
        assert ("x" in c["SSN"]) == (c["SSNDataQuality"] == "2")
        assert (c["SSN"] == "") == (c["SSNDataQuality"] in ("8", "9", "99"))
        assert (c["DOB"] == "") == (c["DOBDataQuality"] in ("8", "9", "99"))
        assert c["DOBDataQuality"] in ("1", "2", "8", "9", "99")
        assert all(c[r] in ("0", "1") for r in races + genders)
        assert (c["RaceNone"] == "") == any(c[r] == "1" for r in races)
        assert (c["GenderNone"] == "") == any(c[g] == "1" for g in genders)
        assert c["VeteranStatus"] in ("0", "1", "8", "9", "99")
        assert (c["YearEnteredService"] != "") == (c["VeteranStatus"] == "1")
    quality = Counter((c["SSNDataQuality"], c["DOBDataQuality"]) for c in clients)
    assert any(s == "2" for s, _ in quality) and any(d == "2" for _, d in quality)
    assert any(d in ("8", "9", "99") for _, d in quality)
    assert 1 <= sum(1 for c in clients if c["DateDeleted"]) <= 0.03 * len(clients) + 1


def test_hmis_enrollments_exits_and_bed_nights(rows) -> None:
    clients = {c["PersonalID"] for c in rows["hmis/Client.csv"]}
    projects = {r["ProjectID"]: r["ProjectType"] for r in rows["hmis/Project.csv"]}
    enrollments = {e["EnrollmentID"]: e for e in rows["hmis/Enrollment.csv"]}
    assert len(enrollments) == len(rows["hmis/Enrollment.csv"])
    for e in enrollments.values():
        assert e["PersonalID"] in clients and e["ProjectID"] in projects
        assert e["RelationshipToHoH"] == "1" and e["HouseholdID"] and e["EnrollmentCoC"] == "OR-504"
        assert int(e["LivingSituation"]) in LIVING_SITUATIONS
        assert int(e["LengthOfStay"]) in LENGTH_OF_STAY
        assert e["DisablingCondition"] in ("0", "1", "8", "9", "99")
        if int(e["LivingSituation"]) < 200:  # homeless: the time on the street is asked
            assert e["DateToStreetESSH"] <= e["EntryDate"] and e["LOSUnderThreshold"] == ""
        if e["MonthsHomelessPastThreeYears"]:
            assert 101 <= int(e["MonthsHomelessPastThreeYears"]) <= 113
    situations = Counter(int(e["LivingSituation"]) for e in enrollments.values())
    assert situations[116] > 0 and situations[207] > 0  # on the street, and out of jail
    assert sum(1 for e in enrollments.values() if e["DateDeleted"]) >= 1

    exits = rows["hmis/Exit.csv"]
    assert len({x["EnrollmentID"] for x in exits}) == len(exits)
    for x in exits:
        e = enrollments[x["EnrollmentID"]]
        assert x["PersonalID"] == e["PersonalID"] and x["ExitDate"] >= e["EntryDate"]
        assert int(x["Destination"]) in DESTINATIONS
        assert (x["DestinationSubsidyType"] != "") == (x["Destination"] == "435")
    destinations = Counter(int(x["Destination"]) for x in exits)
    assert destinations[207] > 0 and destinations[30] > 0

    exit_of = {x["EnrollmentID"]: x["ExitDate"] for x in exits}
    nights = rows["hmis/Services.csv"]
    assert nights
    for s in nights:
        e = enrollments[s["EnrollmentID"]]
        assert s["RecordType"] == "200" and s["TypeProvided"] == "200"
        assert projects[e["ProjectID"]] == "1"  # bed nights only in night-by-night shelters
        assert s["PersonalID"] == e["PersonalID"] and s["DateProvided"] >= e["EntryDate"]
        assert s["DateProvided"] <= exit_of.get(s["EnrollmentID"], "9999")


# -- HL7 v2.5.1 ADT ------------------------------------------------------------------------------
def test_hl7_messages_follow_v251_adt(county, hl7_messages, good_hl7) -> None:
    raw = county.files[HL7_FILE].read_bytes()
    assert b"\n" not in raw and raw.startswith(b"MSH|^~\\&|") and raw.endswith(b"\r")
    assert county.rows[HL7_FILE] == len(hl7_messages)
    structures = {
        "ADT^A01^ADT_A01": "A01",
        "ADT^A03^ADT_A03": "A03",
        "ADT^A04^ADT_A01": "A04",
        "ADT^A08^ADT_A01": "A08",
    }
    control_ids = [m[0][10] for m in hl7_messages]
    assert len(set(control_ids)) == len(control_ids)
    for message in hl7_messages:
        msh = message[0]
        assert msh[0] == "MSH" and msh[1] == "|" and msh[2] == "^~\\&"
        assert msh[12] == "2.5.1" and msh[11] == "P" and msh[9] in structures
        datetime.strptime(msh[7][:14], "%Y%m%d%H%M%S")
        assert re.fullmatch(r"\d{14}[+-]\d{4}", msh[7])
    kinds = Counter()
    registered: set[str] = set()
    for message in good_hl7:
        trigger = structures[message[0][9]]
        kinds[trigger] += 1
        names = [s[0] for s in message]
        assert names[:4] == ["MSH", "EVN", "PID", "PV1"], names
        assert set(names) <= {"MSH", "EVN", "PID", "PV1", "PV2", "DG1"}
        evn, pid, pv1 = message[1], message[2], message[3]
        assert evn[1] == trigger
        assert len(pid) >= 9 and pid[1] == "1"
        identifiers = [cx.split("^") for cx in pid[3].split("~")]
        assert identifiers[0][4] == "MR" and identifiers[0][3] == "SCGH"
        for cx in identifiers[1:]:
            assert cx[4] == "SS" and re.fullmatch(r"\d{9}", cx[0])
        names5 = [xpn.split("^") for xpn in pid[5].split("~")]
        assert names5[0][6] == "L" and names5[0][0] and names5[0][1]
        assert all(x[6] in ("A", "M") for x in names5[1:])
        if pid[7]:
            datetime.strptime(pid[7], "%Y%m%d")
        assert pid[8] in ("F", "M", "U")
        number = pv1[19].split("^")
        assert number[4] == "VN" and number[0]
        if trigger in ("A04", "A01"):
            assert pv1[2] == ("E" if trigger == "A04" else "I") and len(pv1) >= 45
            registered.add(number[0])
        else:
            assert number[0] in registered  # an update or discharge of a registered visit
        if trigger == "A03":
            assert len(pv1) >= 46 and pv1[36] and re.fullmatch(r"\d{14}[+-]\d{4}", pv1[45])
            assert pv1[45] >= pv1[44]
        for dg1 in (s for s in message if s[0] == "DG1"):
            code, text, system = dg1[3].split("^")
            assert system == "I10" and code in ICD10_DESCRIPTIONS and text
            assert dg1[6] in ("A", "W", "F")
    assert kinds["A04"] > kinds["A01"] > 0 and kinds["A03"] > 0 and kinds["A08"] > 0


def test_hl7_identities_escapes_and_bad_messages(county, hl7_messages, good_hl7, visits) -> None:
    pids = [seg(m, "PID") for m in good_hl7]
    assert any("^M" in p[5] for p in pids if p) and any("^A" in p[5] for p in pids if p)
    assert any("^SS" in p[3] for p in pids if p)
    # A value holding a delimiter is escaped: "ETOH & SI" is sent as ETOH \T\ SI.
    complaints = [s[3] for m in good_hl7 for s in m if s[0] == "PV2" and len(s) > 3]
    escaped = [c for c in complaints if "\\T\\" in c]
    assert escaped and all("&" not in c for c in complaints)
    assert "&" in hl7_unescape(escaped[0])
    # The two bad messages are where the county says, and broken as it says.
    bad = county.bad_row_lines[HL7_FILE]
    assert sorted(bad.values()) == ["missing_pid", "unparseable_dob"]
    assert county.bad_rows[HL7_FILE] == 2
    for number, kind in bad.items():
        message = hl7_messages[number - 1]
        pid = seg(message, "PID")
        if kind == "missing_pid":
            assert pid is None and seg(message, "PV1") is not None
        else:
            assert pid is not None
            with pytest.raises(ValueError):
                datetime.strptime(pid[7], "%Y%m%d")
    assert {v.patient_class for v in visits.values()} == {"E", "I"}


# -- NEMSIS v3.5.1 -------------------------------------------------------------------------------
def test_nemsis_file_is_well_formed_in_the_nemsis_namespace(county, reports) -> None:
    root = ET.parse(county.files[NEMSIS_FILE]).getroot()
    assert root.tag == f"{NEMSIS}EMSDataSet"
    location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert location and location.startswith("http://www.nemsis.org ")
    header = root.find(f"{NEMSIS}Header")
    assert header is not None
    group = header.find(f"{NEMSIS}DemographicGroup")
    assert group is not None
    assert [c.tag.removeprefix(NEMSIS) for c in group] == ["dAgency.01", "dAgency.02", "dAgency.04"]
    assert len(reports) == county.rows[NEMSIS_FILE] > 0
    numbers = [nv(r, "eRecord.01") for r in reports]
    assert len(set(numbers)) == len(numbers)
    for element in root.iter():
        if element.get(XSI_NIL) == "true":  # empty, with a NOT value or a pertinent negative
            assert not (element.text or "").strip() and len(element) == 0
            assert (element.get("NV") in NOT_VALUES) != (element.get("PN") in PERTINENT_NEGATIVES)


def test_nemsis_reports_have_the_required_elements_and_codes(reports) -> None:
    seen_pn_dob = seen_approximate_age = seen_no_name = 0
    for report in reports:
        assert UUID.fullmatch(report.get("UUID") or "")
        sections = [c.tag.removeprefix(NEMSIS) for c in report]
        assert sections == NEMSIS_SECTIONS
        for required in ("eResponse.03", "eResponse.04", "eResponse.05", "eResponse.13",
                         "eResponse.14", "eResponse.23", "eDispatch.01", "eTimes.01",
                         "eTimes.03", "eTimes.13", "ePatient.15", "ePatient.16", "ePatient.25",
                         "eSituation.11", "eDisposition.27", "eDisposition.30"):  # fmt: skip
            assert n(report, required) is not None, required
        assert nv(report, "ePatient.25") in {"9919001", "9919003", "9919005"}
        assert nv(report, "ePatient.16") == "2516009" and nv(report, "ePatient.15").isdigit()
        age = n(report, "ePatient.15")
        seen_approximate_age += age is not None and age.get("PN") == "8801029"
        dob = n(report, "ePatient.17")
        if dob is not None and dob.get(XSI_NIL) != "true":
            date.fromisoformat(dob.text or "")
        elif dob is not None and dob.get("PN"):
            seen_pn_dob += 1
        last = n(report, "ePatient.02")
        seen_no_name += last is not None and last.get("PN") == "8801023"
        times = [nv(report, f"eTimes.{t}") for t in ("01", "03", "05", "06", "07", "09", "13")]
        assert times == sorted(times)  # same format, local time: text order is time order
        impressions = [e for e in report.iter(f"{NEMSIS}eSituation.11")] + [
            e for e in report.iter(f"{NEMSIS}eSituation.12") if e.get(XSI_NIL) != "true"
        ]
        for impression in impressions:
            assert IMPRESSION.fullmatch(impression.text or "")
            assert impression.text in ICD10_DESCRIPTIONS
        transported = nv(report, "eDisposition.30") == "4230001"
        arrived = n(report, "eTimes.11")
        assert arrived is not None and (arrived.get(XSI_NIL) != "true") == transported
        if transported:
            assert nv(report, "eDisposition.21") == "4221003"  # hospital emergency department
    assert seen_pn_dob and seen_approximate_age and seen_no_name


def test_ems_incident_numbers_are_the_cad_call_numbers(rows, truth, reports) -> None:
    records, _ = truth
    calls: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows["cad_calls.csv"]:
        calls[row["CallNumber"]].append(
            (records[("police_cad", row["NameID"])], row["CallDateTime"])
        )
    police = 0
    for report in reports:
        incident = nv(report, "eResponse.03")
        assert INCIDENT.fullmatch(incident), incident
        person = records[("county_ems", nv(report, "eRecord.01"))]
        if n(report, "eScene.ResponderGroup") is not None:  # police were there: a CAD call
            police += 1
            assert incident in calls
            on_call = {p for p, _ in calls[incident]}
            assert person in on_call
            called = {t for p, t in calls[incident] if p == person}
            assert local(nv(report, "eTimes.01")).isoformat(sep=" ") in called
        else:
            assert incident not in calls  # a medical call police never saw: its own number
    assert 0.2 < police / len(reports) < 0.8


# -- FHIR R4 bulk export -------------------------------------------------------------------------
def test_fhir_resources_and_references(county, fhir) -> None:
    assert set(fhir) == {"Patient", "Encounter", "Condition"}
    ids: dict[str, set[str]] = {}
    for kind, resources in fhir.items():
        assert resources and county.rows[f"fhir/{kind}.ndjson"] == len(resources)
        assert all(r["resourceType"] == kind and FHIR_ID.fullmatch(r["id"]) for r in resources)
        ids[kind] = {r["id"] for r in resources}
        assert len(ids[kind]) == len(resources)
    partial = old = ssn = 0
    for p in fhir["Patient"]:
        types = [i["type"]["coding"][0]["code"] for i in p["identifier"]]
        assert types[0] == "MR" and p["identifier"][0]["value"]
        for identifier in p["identifier"][1:]:
            assert identifier["system"] == "http://hl7.org/fhir/sid/us-ssn"
            assert re.fullmatch(r"\d{9}", identifier["value"])
            ssn += 1
        assert p["name"][0]["use"] == "official" and p["name"][0]["family"]
        old += any(name["use"] == "old" for name in p["name"])
        assert p["gender"] in ("male", "female", "other", "unknown")
        if "birthDate" in p:
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", p["birthDate"])
            partial += len(p["birthDate"]) == 7
    assert partial and old and ssn
    classes = Counter()
    part2_encounters = set()
    subject_of = {}
    for e in fhir["Encounter"]:
        assert e["class"]["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
        classes[e["class"]["code"]] += 1
        assert e["serviceType"]["text"]
        kind, patient_id = e["subject"]["reference"].split("/")
        assert kind == "Patient" and patient_id in ids["Patient"]
        subject_of[e["id"]] = e["subject"]["reference"]
        start = datetime.fromisoformat(e["period"]["start"])
        if "end" in e["period"]:
            assert datetime.fromisoformat(e["period"]["end"]) >= start
        assert e["status"] == ("finished" if "end" in e["period"] else "in-progress")
        labels = {s["code"] for s in e.get("meta", {}).get("security", [])}
        if "42CFRPart2" in labels:
            part2_encounters.add(e["id"])
    assert set(classes) <= {"AMB", "EMER", "IMP", "NONAC"} and classes["AMB"] and classes["EMER"]
    assert 0 < len(part2_encounters) < len(fhir["Encounter"])
    for c in fhir["Condition"]:
        coding = c["code"]["coding"][0]
        assert coding["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
        assert coding["code"] in ICD10_DESCRIPTIONS
        encounter_id = c["encounter"]["reference"].removeprefix("Encounter/")
        assert encounter_id in ids["Encounter"]
        assert c["subject"]["reference"] == subject_of[encounter_id]
        labels = {s["code"] for s in c.get("meta", {}).get("security", [])}
        assert ("42CFRPart2" in labels) == (encounter_id in part2_encounters)


# -- ground truth --------------------------------------------------------------------------------
def test_truth_covers_exactly_the_ids_in_good_rows(county, rows, truth, good_hl7, reports, fhir):
    records, people = truth
    seen = {(SOURCE_OF[name], row[ID_COLUMN[name]]) for name in SOURCE_OF for row in rows[name]}
    clients = {c["PersonalID"] for c in rows["hmis/Client.csv"] if not c["DateDeleted"]}
    seen |= {("shelters", pid) for pid in clients}
    seen |= {("county_hospital", mrn_of(m)) for m in good_hl7}
    seen |= {("county_ems", nv(r, "eRecord.01")) for r in reports}
    seen |= {("bh_fhir", p["id"]) for p in fhir["Patient"]}
    assert seen == set(records)
    assert set(records.values()) <= set(people)
    assert len(people) == N_PEOPLE
    assert {source for source, _ in records} == set(SOURCE_FILES)
    # Referential integrity inside a source.
    bh_clients = {r["ClientID"] for r in rows["bh_clients.csv"]}
    assert {r["ClientID"] for r in rows["bh_services.csv"]} <= bh_clients
    inmates = {r["InmateID"] for r in rows["jail_bookings.csv"]}
    assert rows["jail_aliases.csv"] and {r["InmateID"] for r in rows["jail_aliases.csv"]} <= inmates
    live = [e for e in rows["hmis/Enrollment.csv"] if not e["DateDeleted"]]
    assert {e["PersonalID"] for e in live} == clients
    deleted = {c["PersonalID"] for c in rows["hmis/Client.csv"] if c["DateDeleted"]}
    assert deleted and not deleted & {pid for _, pid in records}
    # Bad rows that keep an id point at a person the truth knows.
    for name, bad in county.bad_row_lines.items():
        if name not in HEADERS:
            continue
        lines = read_lines(county.files[name])
        for line, kind in bad.items():
            if kind not in ("missing_id", "wrong_columns", "invalid_utf8"):
                row = dict(zip(HEADERS[name], lines[line - 2][1], strict=True))
                source = SOURCE_OF.get(name, "shelters")
                assert (source, row[ID_COLUMN[name]]) in records
    # The FHIR provider's clients are mostly other people than the agency's, some the same.
    agency = {p for (s, _), p in records.items() if s == "behavioral_health"}
    bridgewell = {p for (s, _), p in records.items() if s == "bh_fhir"}
    assert 0 < len(agency & bridgewell) < 0.5 * len(bridgewell)


# -- utilization ---------------------------------------------------------------------------------
def test_heavy_tailed_utilization(truth, contacts) -> None:
    _, people = truth
    per_person = sorted((sum(map(len, contacts[p].values())) for p in people), reverse=True)
    total = sum(per_person)
    top = per_person[: len(per_person) // 20]
    assert sum(top) / total > 0.35  # top 5% of people hold over a third of all contacts
    assert per_person[len(per_person) // 2] <= 2  # the median person has one or two contacts
    one_system = sum(1 for p in people if len(contacts[p]) == 1)
    assert one_system / len(people) > 0.55
    assert max(per_person) >= 30


def test_frequent_utilizers_have_co_occurring_needs(truth, contacts) -> None:
    _, people = truth
    fu = [p for p, r in people.items() if r["frequent_utilizer"] == "1"]
    others = [p for p, r in people.items() if r["frequent_utilizer"] == "0"]
    assert 0.025 <= len(fu) / len(people) <= 0.045
    needs = ("homeless", "mental_illness", "substance_use")
    co_occurring = [p for p in fu if sum(people[p][k] == "1" for k in needs) >= 2]
    assert len(co_occurring) / len(fu) >= 0.9
    all_three = sum(1 for p in fu if all(people[p][k] == "1" for k in needs))
    assert all_three / len(fu) >= 0.5
    for k in needs:  # far more common among frequent utilizers than in the rest
        share_fu = sum(people[p][k] == "1" for p in fu) / len(fu)
        share_rest = sum(people[p][k] == "1" for p in others) / len(others)
        assert share_fu > 3 * share_rest

    cutoff = datetime(2025, 1, 1)  # the last 12 months of the default window

    def jail_and_shelter(p: str) -> bool:
        return len(contacts[p]["county_jail"]) >= 4 and len(contacts[p]["shelters"]) >= 4

    def recent_multi_system(p: str) -> bool:
        recent = sum(t >= cutoff for times in contacts[p].values() for t in times)
        return len(contacts[p]) >= 3 and recent >= 6

    assert sum(map(jail_and_shelter, fu)) / len(fu) >= 0.45
    assert sum(map(recent_multi_system, fu)) / len(fu) >= 0.75
    # The rules pick out the frequent utilizers, not the general population.
    assert sum(map(jail_and_shelter, others)) <= 0.01 * len(others)
    assert sum(map(recent_multi_system, others)) <= 0.02 * len(others)


def test_frequent_utilizers_come_by_ambulance_and_to_the_er(truth, contacts, visits, reports):
    records, people = truth
    fu = {p for p, r in people.items() if r["frequent_utilizer"] == "1"}

    def median(values: list[int]) -> float:
        return sorted(values)[len(values) // 2]

    for source, floor in (("county_hospital", 6), ("county_ems", 3)):
        fu_counts = [len(contacts[p][source]) for p in fu]
        other_counts = [len(contacts[p][source]) for p in people if p not in fu]
        assert median(fu_counts) >= floor, source
        assert sum(fu_counts) / len(fu) > 8 * sum(other_counts) / len(other_counts), source
    # Their runs and visits are overdoses, psychiatric crises, intoxication.
    behavioral = re.compile(r"F\d|T40|T43|R45\.851|T14\.91")
    fu_runs = [r for r in reports if records[("county_ems", nv(r, "eRecord.01"))] in fu]
    share = sum(bool(behavioral.match(nv(r, "eSituation.11"))) for r in fu_runs) / len(fu_runs)
    assert share > 0.5
    overdoses = [r for r in fu_runs if nv(r, "eSituation.11").startswith("T40")]
    assert overdoses and any(n(r, "eMedications.03") is not None for r in overdoses)
    fu_visits = [v for v in visits.values() if records[("county_hospital", v.mrn)] in fu]
    share = sum(any(behavioral.match(c) for c in v.codes) for v in fu_visits) / len(fu_visits)
    assert share > 0.4


# -- identity ------------------------------------------------------------------------------------
def test_identity_errors_at_plausible_rates(county, rows, truth) -> None:
    records, people = truth
    # In-source duplicate ids: a few percent of people per source, never most.
    ids_per_person: dict[str, Counter] = {s: Counter() for s in SOURCE_FILES}
    for (source, _), person in records.items():
        ids_per_person[source][person] += 1
    for source, counts in ids_per_person.items():
        if source == "county_ems":  # one record per run: EMS has no patient id
            assert max(counts.values()) > 3
            continue
        dup_share = sum(1 for n in counts.values() if n > 1) / len(counts)
        assert dup_share <= 0.08, source
    assert sum(1 for n in ids_per_person["police_cad"].values() if n > 1) >= 10
    assert sum(1 for n in ids_per_person["county_jail"].values() if n > 1) >= 5

    def normalized(first: str, last: str) -> tuple[str, str]:
        return " ".join(first.upper().split()), " ".join(last.upper().split())

    # Names a person is recorded under, across all sources.
    names: dict[str, set[tuple[str, str]]] = defaultdict(set)
    nickname_hits = swapped = 0
    sources = {**SOURCE_OF, "hmis/Client.csv": "shelters"}
    for name in ("jail_bookings.csv", "cad_calls.csv", "bh_clients.csv", "hmis/Client.csv"):
        for row in rows[name]:
            if not row.get("DateDeleted", ""):
                person = people[records[(sources[name], row[ID_COLUMN[name]])]]
                first, last = normalized(row["FirstName"], row["LastName"])
                names[person["true_person_id"]].add((first, last))
                if first != person["first_name"] and first in nickname_variants(
                    person["first_name"]
                ):
                    nickname_hits += 1
                if (last, first) == (person["first_name"], person["last_name"]):
                    swapped += 1
    multi_name = sum(1 for v in names.values() if len(v) > 1)
    assert 0.05 < multi_name / len(names) < 0.6
    assert nickname_hits >= 20 and swapped >= 3
    # Case and whitespace noise.
    raw_names = [r["FirstName"] for r in rows["cad_calls.csv"]]
    assert any(n != n.strip() for n in raw_names) and any(n.islower() for n in raw_names)

    # Missing values follow the systems: jail best, CAD worst.
    def missing(name: str, column: str) -> float:
        return sum(1 for r in rows[name] if not r[column]) / len(rows[name])

    assert missing("jail_bookings.csv", "DOB") == 0
    assert 0.2 < missing("cad_calls.csv", "DOB") < 0.6
    assert missing("jail_bookings.csv", "SSN") < missing("hmis/Client.csv", "SSN") < 0.6
    # Jail aliases: some inmates have 1-3.
    per_inmate = Counter(r["InmateID"] for r in rows["jail_aliases.csv"])
    assert max(per_inmate.values()) <= 3 and len(per_inmate) >= 20


def test_ems_identity_is_poor(reports) -> None:
    with_dob = sum(
        1 for r in reports if (d := n(r, "ePatient.17")) is not None and d.get(XSI_NIL) != "true"
    )
    assert 0.4 < with_dob / len(reports) < 0.85
    with_ssn = sum(1 for r in reports if n(r, "ePatient.12") is not None)
    assert with_ssn / len(reports) < 0.1


def test_households_twins_and_shared_shelter_addresses(rows, truth) -> None:
    _, people = truth
    by_name_dob = Counter((p["last_name"], p["dob"]) for p in people.values())
    assert any(n >= 2 for n in by_name_dob.values())  # twins (or a coincidence) exist
    surnames = Counter(p["last_name"] for p in people.values())
    top = [name for name, _ in surnames.most_common(5)]
    assert "SMITH" in top or "JOHNSON" in top
    assert surnames.most_common(1)[0][1] > 10 * sorted(surnames.values())[len(surnames) // 2]
    firsts = Counter(p["first_name"] for p in people.values())
    assert {"JAMES", "MARY"} & {name for name, _ in firsts.most_common(5)}
    # Many different people give the same shelter address to the police.
    records, _ = truth
    at_address: dict[str, set[str]] = defaultdict(set)
    for row in rows["cad_calls.csv"]:
        at_address[row["PersonAddress"]].add(records[("police_cad", row["NameID"])])
    assert len(at_address["455 N COMMERCIAL ST, RIVERTON OR 97301"]) >= 20
    # Households: different people share a street address and a surname.
    household: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name in ("bh_clients.csv", "jail_bookings.csv"):
        for row in rows[name]:
            if row["Address"][:1].isdigit():
                key = (row["Address"].upper(), row["LastName"].upper().strip())
                household[key].add(records[(SOURCE_OF[name], row[ID_COLUMN[name]])])
    assert any(len(v) >= 2 for v in household.values())


# -- arguments, progress, speed ------------------------------------------------------------------
def test_arguments_are_checked(tmp_path: Path) -> None:
    tiny = generate_county(tmp_path / "tiny", people=1, seed=1)
    assert tiny.n_people == 1 and tiny.rows["truth/people.csv"] == 1
    with pytest.raises(ValueError):
        generate_county(tmp_path / "none", people=0)
    with pytest.raises(ValueError):
        generate_county(tmp_path / "backwards", start=date(2025, 1, 1), end=date(2024, 1, 1))


def test_progress_is_reported(tmp_path: Path) -> None:
    messages: list[str] = []
    generate_county(tmp_path / "p", people=50, progress=messages.append)
    assert len(messages) >= 4 and all(isinstance(m, str) and m for m in messages)


@pytest.mark.slow
def test_a_large_county_keeps_its_shape(tmp_path: Path) -> None:
    """20,000 people: every file written, the frequent-utilizer share holds (3-4%).
    How fast it is generated is measured by bench/pipeline.py, not here."""
    county = generate_county(tmp_path / "big", people=20_000, seed=42)
    assert county.n_people == 20_000
    assert county.rows["truth/people.csv"] == 20_000
    assert county.rows["cad_calls.csv"] > 20_000
    assert county.rows[NEMSIS_FILE] > 5_000 and county.rows[HL7_FILE] > 20_000
    assert 600 <= county.n_frequent_utilizers <= 800
