"""The tabular importer against a real DuckDB file: good rows load, bad rows are quarantined with
row, field and reason, whole-file problems are one clear error, and re-ingesting adds nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddj import Workspace
from ddj.errors import ConfigError, FileUnreadableError
from ddj.ingest import fields

HEADER = (
    "InmateID,BookingNumber,FirstName,MiddleName,LastName,Suffix,DOB,Sex,SSN,Address,City,"
    "State,Zip,BookingDateTime,ReleaseDateTime,Charges,Facility"
)
GOOD = [
    "1001,B1,John,Q,Smith,,01/02/1980,M,900-12-3456,1 Main St,Springfield,IL,62701,"
    "01/05/2024 10:00,01/06/2024 09:00,TRESPASS;DUI,Main Jail",
    "1001,B2,Jon,,Smith,,01/02/1980,M,,1 Main St,Springfield,IL,62701,03/05/2024 10:00,,THEFT,"
    "Main Jail",
    "1002,B7,Ann,,Lee,,07/04/1991,F,,,,,,04/01/2024 08:30,,TRESPASS,Main Jail",
]


def write_bookings(path: Path, extra: list[bytes] | None = None) -> Path:
    body = "\n".join([HEADER, *GOOD]).encode() + b"\n"
    for line in extra or []:
        body += line + b"\n"
    path.write_bytes(body)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def ingest_jail(ws: Workspace, path: Path):
    return ws.ingest(
        path=path,
        format="table",
        system="jail_booking",
        profile="jail_bookings",
        source="county_jail",
    )


def test_good_rows_load_into_canonical_tables(ws: Workspace, tmp_path: Path) -> None:
    [summary] = ingest_jail(ws, write_bookings(tmp_path / "jail.csv"))
    assert (summary.records_added, summary.events_added, summary.rows_quarantined) == (2, 3, 0)
    john = ws.store.dicts("SELECT * FROM current_record WHERE source_person_id = '1001'")[0]
    # The newest booking is the identity; blanks are filled from the older row; the older
    # spelling of the name is kept as an alias.
    assert (john["first_name"], john["last_name"], john["ssn"]) == ("JON", "SMITH", "900123456")
    assert john["ssn_last4"] == "3456"
    assert str(john["dob"]) == "1980-01-02"
    assert john["other_ids"] == {"inmate_id": "1001"}
    aliases = ws.store.sql("SELECT first_name FROM record_alias WHERE source_person_id = '1001'")
    assert aliases == [("JOHN",)]
    b1 = ws.store.dicts("SELECT * FROM current_event WHERE event_key = 'county_jail|B1'")[0]
    assert b1["charges"] == ["TRESPASS", "DUI"]
    assert b1["event_type"] == "jail_booking" and b1["system"] == "jail_booking"
    assert str(b1["end_at"]) == "2024-01-06 09:00:00"


@pytest.mark.parametrize(
    ("line", "field", "reason_part"),
    [
        (
            b"1003,B3,Ann,,Lee,,13/45/1990,F,,,,,,03/05/2024 10:00,,THEFT,Main Jail",
            "DOB",
            "unparseable date",
        ),
        (
            b"1003,B3,Ann,,Lee,,01/01/2090,F,,,,,,03/05/2024 10:00,,THEFT,Main Jail",
            "DOB",
            "impossible date of birth",
        ),
        (
            b"1003,B3,Ann,,Lee,,01/01/1850,F,,,,,,03/05/2024 10:00,,THEFT,Main Jail",
            "DOB",
            "impossible date of birth",
        ),
        (
            b",B3,Ann,,Lee,,01/01/1990,F,,,,,,03/05/2024 10:00,,THEFT,Main Jail",
            "InmateID",
            "missing required source_person_id",
        ),
        (b"1003,B3,too,few", None, "wrong column count"),
        (
            b"1003,B3,B\xffad,,Enc,,01/01/1990,F,,,,,,03/05/2024 10:00,,THEFT,Main Jail",
            "FirstName",
            "bad encoding",
        ),
        (
            b"1003,B3,Ann,,Lee,,01/01/1990,F,12345,,,,,03/05/2024 10:00,,THEFT,Main Jail",
            "SSN",
            "SSN must have 9 digits",
        ),
        (
            b"1003,B3,Ann,,Lee,,01/01/1990,F,,,,,,03/05/2024 10:00,03/01/2024 10:00,THEFT,"
            b"Main Jail",
            "ReleaseDateTime",
            "ends before it starts",
        ),
    ],
)
def test_bad_row_is_quarantined_and_good_rows_load(
    ws: Workspace, tmp_path: Path, line: bytes, field: str | None, reason_part: str
) -> None:
    [summary] = ingest_jail(ws, write_bookings(tmp_path / "jail.csv", [line]))
    assert summary.events_added == 3 and summary.rows_quarantined == 1
    [q] = ws.quarantine()
    assert q["row_number"] == 4  # the fourth data row
    assert q["field"] == field
    assert reason_part in q["reason"]
    assert q["file"].endswith("jail.csv")


def test_reingesting_the_same_file_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write_bookings(tmp_path / "jail.csv", [b"1003,B3,too,few"])
    ingest_jail(ws, path)
    before = ws.status()["tables"]
    [again] = ingest_jail(ws, path)
    assert again.skipped
    assert ws.status()["tables"] == before
    # A copy with the same content under another name is also recognised row by row.
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes() + b"\n")
    [summary] = ingest_jail(ws, copy)
    assert (
        summary.records_added,
        summary.records_changed,
        summary.events_added,
        summary.events_changed,
    ) == (0, 0, 0, 0)
    assert ws.store.scalar("SELECT count(*) FROM source_record") == 2


def test_a_changed_row_becomes_a_new_version_with_history(ws: Workspace, tmp_path: Path) -> None:
    ingest_jail(ws, write_bookings(tmp_path / "jail.csv"))
    GOOD_CHANGED = [g.replace("Ann,,Lee", "Ann,,Lee-Park") for g in GOOD]
    changed = tmp_path / "jail2.csv"
    changed.write_text("\n".join([HEADER, *GOOD_CHANGED]) + "\n")
    [summary] = ingest_jail(ws, changed)
    assert (summary.records_added, summary.records_changed) == (0, 1)
    versions = ws.store.sql(
        "SELECT version, is_current, last_name, valid_to IS NOT NULL FROM source_record "
        "WHERE source_person_id = '1002' ORDER BY version"
    )
    assert versions == [(1, False, "LEE", True), (2, True, "LEE-PARK", False)]


def test_unreadable_files_are_one_clear_error_and_load_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    with pytest.raises(FileUnreadableError, match="file not found"):
        ingest_jail(ws, tmp_path / "missing.csv")
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text(HEADER.replace(",", ";") + "\n" + GOOD[0].replace(",", ";") + "\n")
    with pytest.raises(FileUnreadableError, match="missing required column") as err:
        ingest_jail(ws, semicolons)
    assert "semi.csv" in str(err.value) and "delimiter" in str(err.value)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FileUnreadableError, match="no header"):
        ingest_jail(ws, empty)
    assert ws.store.scalar("SELECT count(*) FROM source_record") == 0
    assert ws.store.scalar("SELECT count(*) FROM ingest_batch") == 0


def test_xlsx_and_parquet_read_like_csv(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = [line.split(",") for line in [HEADER, *GOOD]]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "jail.xlsx")
    [x] = ingest_jail(ws, tmp_path / "jail.xlsx")
    columns = {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}
    pq.write_table(pa.table(columns), tmp_path / "jail.parquet")
    [p] = ingest_jail(ws, tmp_path / "jail.parquet")
    assert (x.records_added, x.events_added) == (2, 3)
    assert (p.records_added, p.events_added, p.records_changed) == (0, 0, 0)


def test_records_events_and_part2_flags_from_separate_files(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "clients.csv").write_text(
        "ClientID,FirstName,MiddleName,LastName,DateOfBirth,Gender,SSN,Address,City,State,Zip,Phone\n"
        "C1,Maria,,Garcia,1985-03-04,Female,,,,,,555-123-4567\n"
    )
    (tmp_path / "services.csv").write_text(
        "ServiceID,ClientID,ServiceDate,ServiceEndDate,ServiceType,DiagnosisCodes,Program,"
        "Part2Program,Cost\n"
        "S1,C1,2024-02-01,,CRISIS,F20.9;F10.20,Crisis Center,N,850\n"
        "S2,C1,2024-03-01,2024-03-05,DETOX,F11.20,Detox Unit,Y,1200\n"
    )
    ws.ingest(
        path=tmp_path / "clients.csv", system="behavioral_health", profile="bh_clients", source="bh"
    )
    ws.ingest(
        path=tmp_path / "services.csv",
        system="behavioral_health",
        profile="bh_services",
        source="bh",
    )
    record = ws.store.dicts("SELECT sex, phone FROM current_record")[0]
    assert record == {"sex": "F", "phone": "5551234567"}
    events = ws.store.dicts(
        "SELECT event_type, diagnosis_codes, part2, cost, record_key FROM current_event "
        "ORDER BY event_key"
    )
    assert events[0] == {
        "event_type": "bh_crisis",
        "diagnosis_codes": ["F20.9", "F10.20"],
        "part2": False,
        "cost": 850.0,
        "record_key": "bh|C1",
    }
    assert events[1]["event_type"] == "bh_detox" and events[1]["part2"] is True


def test_user_profile_in_ddj_toml(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    config = """
[[sources]]
name = "shelters"
system = "shelter"
format = "table"
files = [{ path = "stays.csv", profile = "stays" }]

[profiles.stays]
kind = "records_and_events"
event = { type = "shelter_stay" }
formats = { date = ["%d.%m.%Y"] }
[profiles.stays.columns]
source_person_id = "PID"
event_id = "EID"
last_name = "Surname"
start_at = "In"
"""
    ws = Workspace.init(root, config_text=config)
    (root / "stays.csv").write_text("PID,EID,Surname,In\nP1,E1,Doe,31.12.2024\nP2,E2,Roe,bad\n")
    [summary] = ws.ingest()
    assert (summary.events_added, summary.rows_quarantined) == (1, 1)
    assert (
        ws.store.scalar("SELECT start_at FROM current_event").isoformat() == "2024-12-31T00:00:00"
    )
    ws.close()


def test_profile_mistakes_are_reported_by_name(tmp_path: Path) -> None:
    ws = Workspace.init(
        tmp_path / "ws",
        config_text="""
[profiles.broken]
kind = "records"
[profiles.broken.columns]
source_person_id = "ID"
shoe_size = "Shoes"
""",
    )
    (tmp_path / "x.csv").write_text("ID\n1\n")
    with pytest.raises(ConfigError, match="profile 'broken': unknown field"):
        ws.ingest(path=tmp_path / "x.csv", system="shelter", profile="broken")
    with pytest.raises(ConfigError, match="no mapping profile 'nope'"):
        ws.ingest(path=tmp_path / "x.csv", system="shelter", profile="nope")
    ws.close()


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(
        ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y", "%d.%m.%Y"]
    ),
    st.one_of(
        st.datetimes().map(str),
        st.datetimes().map(lambda d: d.strftime("%m/%d/%Y %H:%M")),
        st.datetimes().map(lambda d: f"{d.month}/{d.day}/{d.year:04d} {d.hour}:{d.minute}"),
        st.from_regex(r"\A[0-9 /:.Tt-]{4,20}\Z"),
    ),
)
def test_the_fast_date_parser_agrees_with_strptime(fmt: str, raw: str) -> None:
    try:
        expected = datetime.strptime(raw, fmt)
    except ValueError:
        with pytest.raises(ValueError):
            fields.strptime(raw, fmt)
    else:
        assert fields.strptime(raw, fmt) == expected
