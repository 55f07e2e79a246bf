"""The HL7 v2 ADT importer: the real sample messages (shared/samples/hl7v2, written by others),
a synthetic feed (tests/data/hl7v2/feed.hl7: made-up people), framing and line endings, escapes,
visits updated message by message, quarantine, ACKs, and corrupted input."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddj import Workspace
from ddj.errors import FileUnreadableError
from ddj.ingest import hl7v2
from ddj.ingest.hl7v2.parser import Delimiters, Message, parse_timestamp, unescape

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "hl7v2"
FEED = Path(__file__).resolve().parent / "data" / "hl7v2" / "feed.hl7"
TODAY = date(2026, 1, 1)
MESSAGES = FEED.read_bytes().rstrip(b"\r").split(b"\rMSH")
MESSAGES = [MESSAGES[0]] + [b"MSH" + m for m in MESSAGES[1:]]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def ingest(ws: Workspace, path: Path):
    return ws.ingest(path=path, format="hl7v2", system="ed", source="county_er")


def event(ws: Workspace, event_id: str) -> dict:
    # The event table itself: current_event leaves cancelled visits out.
    [row] = ws.store.dicts(
        "SELECT * FROM event WHERE is_current AND event_key = ?", [f"county_er|{event_id}"]
    )
    row["details"] = json.loads(row["details"])
    return row


# --- the real samples ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ADT-A01-01", "ADT-A03-01", "ADT-A04-01", "ADT-A08-01"])
def test_sample_patient_and_visit(ws: Workspace, name: str) -> None:
    [summary] = ingest(ws, SAMPLES / f"{name}.hl7")
    assert (summary.rows_read, summary.records_added, summary.events_added) == (1, 1, 1)
    assert summary.rows_quarantined == 0
    [person] = ws.store.dicts("SELECT * FROM current_record")
    # PID-3 repeats: the MR identifier is the MRN and the record id, the SS one is the SSN.
    assert person["source_person_id"] == "PATID1234"
    assert person["other_ids"] == {"mrn": "PATID1234"}
    assert (person["ssn"], person["ssn_last4"]) == ("123456789", "6789")
    # PID-5 repeats: the legal (L) name expired in 1924 (XPN-13), so the first name is used;
    # FN sub-components (EVERYMAN&&&&Aniston): the surname is the first.
    assert (person["first_name"], person["middle_name"], person["last_name"]) == (
        "ADAM",
        "A",
        "EVERYMAN",
    )
    assert person["suffix"] == "III"
    assert str(person["dob"]) == "1988-08-18" and person["dob_quality"] == "full"
    assert person["sex"] == "M"
    assert (person["address"], person["city"], person["state"], person["zip"]) == (
        "1000 HOSPITAL LANE",
        "ANN ARBOR",
        "MI",
        "99999",
    )
    assert person["phone"] is None  # 78788788 / 1111 / 2222: no 10-digit number
    # The other PID-5 repetition and PID-9 (patient alias) are aliases.
    aliases = ws.store.sql("SELECT first_name, last_name FROM record_alias ORDER BY last_name")
    assert aliases == [("SON", "ELBERT"), (None, "JOSH")]
    visit = event(ws, "40007716")  # PV1-19
    # PV1-2 is P (preadmit), PV1-4 E (emergency admission type): not an ED patient class.
    assert visit["event_type"] == "outpatient_visit"
    assert visit["details"]["patient_class"] == "P"
    assert visit["details"]["admission_type"] == "E"
    assert visit["details"]["trigger"] == name[4:7]
    assert visit["details"]["sending_facility"] == "GHHSFacility"
    # PV1-44 20150208113419+0110 in UTC.
    assert visit["start_at"] == datetime(2015, 2, 8, 11, 34, 19)
    assert visit["details"]["utc_offset"] == "+01:10"
    assert visit["location"] == "HOMERTON UNIVER, HUH AE OMU"
    assert visit["disposition"] == "ADMITTED AS INPATIENT"
    # DG1-3 is SNOMED CT, not ICD-10-CM: kept apart.
    assert visit["diagnosis_codes"] is None
    assert visit["details"]["other_diagnosis_codes"] == ["SCT:422504002"]
    discharged = name in ("ADT-A03-01", "ADT-A08-01")
    assert visit["end_at"] == (datetime(2015, 2, 9, 11, 34, 19) if discharged else None)


def test_sample_admit_then_discharge_file_versions_the_visit(ws: Workspace) -> None:
    ingest(ws, SAMPLES / "ADT-A01-01.hl7")
    [summary] = ingest(ws, SAMPLES / "ADT-A03-01.hl7")
    assert (summary.events_added, summary.events_changed, summary.records_changed) == (0, 1, 0)
    visit = event(ws, "40007716")
    assert visit["version"] == 2
    assert visit["start_at"] == datetime(2015, 2, 8, 11, 34, 19)  # the A03 repeats PV1-44
    assert visit["end_at"] == datetime(2015, 2, 9, 11, 34, 19)


# --- a synthetic feed: visits updated in message order, quarantine ---------------------------


def test_feed_merges_each_visit_in_message_order(ws: Workspace) -> None:
    [summary] = ingest(ws, FEED)
    assert summary.rows_read == 12
    ed = event(ws, "V1001")  # A04, A08, A03
    assert ed["event_type"] == "ed_visit"
    assert ed["start_at"] == datetime(2024, 12, 2, 23, 58)  # 23:58 -08:00, as sent
    assert ed["end_at"] == datetime(2024, 12, 3, 4, 15)
    assert ed["location"] == "RIVERTON GEN, ER&TRAUMA"  # ER\T\TRAUMA
    # The A08 replaced the diagnoses (ICD-10-CM in dotted form); the A03 sent none, so kept.
    assert ed["diagnosis_codes"] == ["T40.1X1A", "F11.20"]
    assert ed["details"]["other_diagnosis_codes"] == ["SCT:55680006"]
    assert ed["disposition"] == "LEFT AGAINST MEDICAL ADVICE OR DISCONTINUED CARE"
    assert ed["details"]["discharge_disposition"] == "07"
    assert ed["details"]["trigger"] == "A03"
    quill = ws.store.dicts("SELECT * FROM current_record WHERE source_person_id = '900100'")[0]
    assert quill["phone"] == "5415550199"  # the A08's
    assert (quill["address"], quill["zip"], quill["ssn"]) == ("17 ALDER WAY", "97301", "900123456")
    assert ws.store.sql(
        "SELECT first_name FROM record_alias WHERE source_person_id = '900100'"
    ) == [("JORDY",)]
    admit = event(ws, "V2001")  # A01 then A11: kept, marked cancelled
    assert admit["event_type"] == "hospital_admission"
    assert admit["details"]["cancelled"] is True
    assert not ws.store.sql("SELECT 1 FROM current_event WHERE event_key = 'county_er|V2001'"), (
        "a cancelled visit is no contact"
    )
    outpatient = event(ws, "V3001")  # v2.3: A04, A03, A13 (cancel discharge)
    assert outpatient["event_type"] == "outpatient_visit"
    assert outpatient["start_at"] == datetime(2024, 12, 6, 8, 25)  # no offset: as sent
    assert outpatient["end_at"] is None and outpatient["disposition"] is None
    assert outpatient["details"]["discharge_cancelled"] is True
    orchard = ws.store.dicts("SELECT * FROM current_record WHERE source_person_id = '900500'")[0]
    assert (str(orchard["dob"]), orchard["dob_quality"], orchard["sex"]) == (
        "1975-01-01",
        "approximate",
        "X",
    )
    assert event(ws, "msg-C0012")["event_type"] == "ed_visit"  # no PV1-19: MSH-10


def test_feed_quarantines_bad_messages_with_number_field_and_reason(ws: Workspace) -> None:
    [summary] = ingest(ws, FEED)
    assert summary.rows_quarantined == 3
    rows = [(q["row_number"], q["field"], q["value"]) for q in ws.quarantine()]
    assert rows == [(6, "MSH-9", "ADT^A02^ADT_A02"), (7, "PID-7", "19841345"), (8, "PID", None)]
    reasons = [q["reason"] for q in ws.quarantine()]
    assert "ADT^A02 is not read" in reasons[0]
    assert "unparseable date of birth" in reasons[1]
    assert "no PID segment" in reasons[2]


def test_reingesting_the_feed_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    ingest(ws, FEED)
    copy = tmp_path / "copy.hl7"
    copy.write_bytes(FEED.read_bytes() + b"\r")
    [again] = ingest(ws, copy)
    assert (again.records_added, again.records_changed, again.events_added) == (0, 0, 0)
    assert again.events_changed == 0


@pytest.mark.parametrize(
    "transform",
    [
        lambda b: b.replace(b"\r", b"\n"),
        lambda b: b.replace(b"\r", b"\r\n"),
        lambda b: b"\xef\xbb\xbf" + b.replace(b"\r", b"\n"),
        lambda b: b"".join(b"\x0b" + m.replace(b"\r", b"\r\n") + b"\x1c\r" for m in MESSAGES),
        lambda b: b"FHS|^~\\&\rBHS|^~\\&\r" + b + b"BTS|12\rFTS|1\r",
    ],
    ids=["lf", "crlf", "bom-lf", "mllp", "batch"],
)
def test_line_endings_framing_and_batches_read_the_same(tmp_path: Path, transform) -> None:
    expected = hl7v2.parse_file(FEED, None, today=TODAY)
    path = tmp_path / "feed.hl7"
    path.write_bytes(transform(FEED.read_bytes()))
    got = hl7v2.parse_file(path, None, today=TODAY)
    assert got.rows_read == expected.rows_read
    assert got.events == expected.events and got.records == expected.records
    assert [(r.row_number, r.field) for r in got.rejected] == [
        (r.row_number, r.field) for r in expected.rejected
    ]


def pv1(fields: dict[int, str]) -> str:
    out = ["PV1"] + [""] * max(fields)
    for n, value in fields.items():
        out[n] = value
    return "|".join(out)


def test_start_fallback_legal_name_and_explicit_null(tmp_path: Path) -> None:
    pid = "PID|1||55^^^^MR||ROE^ANN^^^^^D~ROE-LEGAL^ANNA^^^^^L^^^^^20200101^20990101||19800101|F"
    admit = "\r".join(
        [
            "MSH|^~\\&|ED|GEN|DDJ|CTY|20240105100000||ADT^A04|M1|P|2.5",
            "EVN|A04|20240105095900",
            pid,
            pv1({2: "E", 3: "ED^^^GEN", 19: "V9", 36: "07"}),
        ]
    )
    update = "\r".join(
        [
            "MSH|^~\\&|ED|GEN|DDJ|CTY|20240105110000||ADT^A08|M2|P|2.5",
            pid,
            pv1({2: "E", 3: '""', 19: "V9", 36: '""'}),
        ]
    )
    path = tmp_path / "v9.hl7"
    path.write_text(admit + "\r")
    first = hl7v2.parse_file(path, None, today=TODAY)
    visit = first.events["V9"]
    # No PV1-44: EVN-2 is the start, and says so.
    assert visit["start_at"] == datetime(2024, 1, 5, 9, 59)
    assert visit["details"]["start_from"] == "EVN-2"
    assert (visit["location"], visit["disposition"]) == (
        "GEN, ED",
        "LEFT AGAINST MEDICAL ADVICE OR DISCONTINUED CARE",
    )
    # The legal name (type L, not expired) is the name; the display name is an alias.
    record = first.records["55"]
    assert (record["first_name"], record["last_name"]) == ("ANNA", "ROE-LEGAL")
    assert [(a["first_name"], a["last_name"]) for a in first.aliases] == [("ANN", "ROE")]
    path.write_text(admit + "\r" + update + "\r")
    both = hl7v2.parse_file(path, None, today=TODAY).events["V9"]
    # HL7's "" clears a value; the start from the first message is kept.
    assert (both["location"], both["disposition"]) == (None, None)
    assert "discharge_disposition" not in both["details"]
    assert both["start_at"] == datetime(2024, 1, 5, 9, 59)


def test_a_file_without_msh_is_unreadable(tmp_path: Path) -> None:
    for content in (b"", b"PID|1||123^^^^MR\r", b"\x89PNG\r\n\x1a\n\x00\x00"):
        path = tmp_path / "not.hl7"
        path.write_bytes(content)
        with pytest.raises(FileUnreadableError, match="no HL7 message found"):
            hl7v2.parse_file(path, None)


# --- parsing details ----------------------------------------------------------------------------


def test_escapes_and_delimiters_from_msh() -> None:
    d = Delimiters()
    assert unescape(r"A\T\E \F\ \S\ \R\ \E\ x\X41\y \H\bold\N\ \Zlocal\ \Q\ tail\\", d) == (
        "A&E | ^ ~ \\ xAy bold  \\Q\\ tail\\\\"
    )
    # Other encoding characters: # separates fields, $ components, * repeats, ! escapes.
    text = "MSH#$*!%#APP#FAC#####ADT$A04#1#P#2.4\rPID#1##77$$$$MR*55$$$$SS##DOE$JO!S!E#"
    msg = Message(text)
    pid = msg.first("PID")
    assert pid is not None
    assert [pid.value(3, 1, rep=r) for r in (1, 2)] == ["77", "55"]
    assert pid.value(5, 2) == "JO$E"  # !S! is an escaped component separator
    assert msg.msh.value(9, 2) == "A04"


def test_timestamps() -> None:
    ts = parse_timestamp("20240301233000.25-0500")
    assert ts.local == datetime(2024, 3, 1, 23, 30, 0, 250000)
    assert ts.utc_naive == datetime(2024, 3, 2, 4, 30, 0, 250000)
    assert ts.offset_text == "-05:00" and ts.digits == 14
    assert parse_timestamp("198803").digits == 6
    for bad in ("2024130101", "20240230", "2024-03-01", "20240301+2500", "202403011"):
        with pytest.raises(ValueError):
            parse_timestamp(bad)


def test_read_message_raises_with_the_ack_to_send() -> None:
    with pytest.raises(hl7v2.MessageError) as caught:
        hl7v2.read_message(MESSAGES[5].decode())
    assert caught.value.ack_code == "AR" and caught.value.field == "MSH-9"
    one = hl7v2.parse_message(MESSAGES[1].decode())
    assert one.rows_read == 1 and list(one.events) == ["V1001"] and not one.rejected


def test_build_ack_swaps_sender_and_receiver() -> None:
    message = MESSAGES[0].decode()
    ack = hl7v2.build_ack(message, "AA", None, control_id="ACK1", now=datetime(2024, 1, 2, 3, 4))
    msh, msa = ack.rstrip("\r").split("\r")
    assert msh == "MSH|^~\\&|DDJ|COUNTY|EDSYS|RIVERTON GEN|20240102030400||ACK^A04^ACK|ACK1|P|2.5.1"
    assert msa == "MSA|AA|C0001"
    error = hl7v2.build_ack(message, "AE", "PID-7: bad | date ^ here", error_code="102")
    segments = error.rstrip("\r").split("\r")
    assert segments[1] == "MSA|AE|C0001|PID-7: bad \\F\\ date \\S\\ here"
    assert segments[2].startswith("ERR|||102^^HL70357|E|")
    v23 = MESSAGES[8].decode()
    assert len(hl7v2.build_ack(v23, "AR", "no").rstrip("\r").split("\r")) == 2  # no ERR in 2.3
    assert hl7v2.build_ack("garbage", "AR", "unreadable").startswith("MSH|^~\\&|||||")
    with pytest.raises(ValueError):
        hl7v2.build_ack(message, "OK", None)


def test_ack_for_a_message_error() -> None:
    problem = hl7v2.MessageError("PID-7", "x", "unparseable date of birth", hl7_code="102")
    message = MESSAGES[0].decode()
    ack = hl7v2.ack_for(message, problem)
    assert "MSA|AE|C0001|PID-7: unparseable date of birth" in ack
    assert "MSA|AA|C0001" in hl7v2.ack_for(message)


# --- corrupted input ----------------------------------------------------------------------------

GOOD = {1: "V1001", 2: "V1001", 3: "V1001", 4: "V2001", 5: "V2001", 9: "V3001", 10: "V3001"}


def _corrupt(data: bytes, draw) -> tuple[bytes, int]:
    """(corrupted bytes, offset of the first byte that changed)."""
    kind = draw(st.sampled_from(["truncate", "flip", "drop"]))
    if kind == "truncate":
        at = draw(st.integers(0, len(data)))
        return data[:at], at
    if kind == "flip":
        positions = draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=4))
        out = bytearray(data)
        for p in positions:
            out[p] = draw(st.integers(0, 255))
        return bytes(out), min(positions)
    segments = data.split(b"\r")
    drop = draw(st.integers(0, len(segments) - 1))
    return b"\r".join(segments[:drop] + segments[drop + 1 :]), len(b"\r".join(segments[:drop]))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_corrupted_files_load_their_good_messages(tmp_path: Path, data) -> None:
    original = b"\r".join(MESSAGES) + b"\r"
    corrupted, first_bad = _corrupt(original, data.draw)
    path = tmp_path / "corrupt.hl7"
    path.write_bytes(corrupted)
    try:
        parsed = hl7v2.parse_file(path, None, today=TODAY)
    except FileUnreadableError:
        assert first_bad < len(MESSAGES[0])  # only when the damage left no MSH at all
        return
    # Every message that ends before the first damaged byte, and whose visit is not touched by
    # a damaged later message, is loaded as it was.
    end = 0
    intact = []
    for number, message in enumerate(MESSAGES, 1):
        end += len(message) + 1
        if end <= first_bad:
            intact.append(number)
    for number in intact:
        assert number not in {r.row_number for r in parsed.rejected} or number not in GOOD
        if number in GOOD:
            assert GOOD[number] in parsed.events
    for item in parsed.events.values():
        assert item["start_at"] is not None and item["event_type"]


# --- merging updates into the stored visit (across files, chunks and MLLP commits) -------------

ADMIT = "\r".join(
    [
        "MSH|^~\\&|EDSYS|RIVERTON GEN|DDJ|COUNTY|20250310221500-0700||ADT^A01^ADT_A01|K1|P|2.5.1",
        "EVN|A01|20250310221500-0700",
        "PID|1||700300^^^RGH^MR~700-11-2233^^^SSA^SS||FENWICK^DARIA^L^^^^L||19790412|F|||"
        "9 CEDAR CT^^RIVERTON^OR^97301||^PRN^PH^^^541^5550177",
        pv1({2: "E", 3: "ER^^^RIVERTON GEN", 4: "E", 19: "V7001", 44: "20250310221000-0700"}),
        "DG1|1||F1092^Opioid use, unspecified with intoxication^I10",
        "DG1|2||R4182^Altered mental status^I10",
    ]
)
# The discharge repeats neither the admit time nor the diagnoses (many senders trim A03s).
DISCHARGE = "\r".join(
    [
        "MSH|^~\\&|EDSYS|RIVERTON GEN|DDJ|COUNTY|20250311063000-0700||ADT^A03^ADT_A03|K2|P|2.5.1",
        "EVN|A03|20250311063000-0700",
        "PID|1||700300^^^RGH^MR||FENWICK^DARIA||19790412|F",
        pv1({2: "E", 19: "V7001", 36: "01", 45: "20250311062500-0700"}),
    ]
)
# A later registration update: a new phone and location; no discharge time, no diagnoses.
UPDATE = "\r".join(
    [
        "MSH|^~\\&|EDSYS|RIVERTON GEN|DDJ|COUNTY|20250311090000-0700||ADT^A08^ADT_A01|K3|P|2.5.1",
        "EVN|A08|20250311090000-0700",
        "PID|1||700300^^^RGH^MR||FENWICK^DARIA||19790412|F|||||^PRN^PH^^^541^5550188",
        pv1({2: "E", 3: "OBS^^^RIVERTON GEN", 19: "V7001"}),
    ]
)


def check_merged_visit(ws: Workspace) -> None:
    visit = event(ws, "V7001")
    assert visit["event_type"] == "ed_visit"
    assert visit["start_at"] == datetime(2025, 3, 10, 22, 10)  # the A01's PV1-44, not EVN-2
    assert visit["details"]["start_from"] == "PV1-44"
    assert visit["diagnosis_codes"] == ["F10.92", "R41.82"]  # sent only in the A01
    assert visit["end_at"] == datetime(2025, 3, 11, 6, 25)  # sent only in the A03
    assert visit["disposition"] == "DISCHARGED TO HOME OR SELF CARE"  # the A03's PV1-36
    assert visit["location"] == "RIVERTON GEN, OBS"  # the A08's
    assert visit["details"]["trigger"] == "A08"
    [person] = ws.store.dicts("SELECT * FROM current_record WHERE source_person_id = '700300'")
    assert person["phone"] == "5415550188"  # the A08's
    assert (person["ssn"], person["address"]) == ("700112233", "9 CEDAR CT")  # the A01's


def test_later_messages_in_later_files_merge_into_the_stored_visit(
    ws: Workspace, tmp_path: Path
) -> None:
    for name, text in (("1.hl7", ADMIT), ("2.hl7", DISCHARGE), ("3.hl7", UPDATE)):
        (tmp_path / name).write_text(text + "\r")
        [summary] = ingest(ws, tmp_path / name)
        assert summary.rows_quarantined == 0
    check_merged_visit(ws)
    assert event(ws, "V7001")["version"] == 3
    # The same messages again (another file) change nothing: the merge is already stored.
    (tmp_path / "again.hl7").write_text(ADMIT + "\r" + DISCHARGE + "\r" + UPDATE + "\r\r")
    [again] = ingest(ws, tmp_path / "again.hl7")
    assert (again.events_added, again.events_changed, again.records_changed) == (0, 0, 0)


def test_one_file_read_in_chunks_stores_what_one_chunk_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "all.hl7"
    path.write_bytes((ADMIT + "\r" + DISCHARGE + "\r" + UPDATE + "\r").encode() + FEED.read_bytes())
    stored = {}
    for size in (0, 1, 2, 5):
        monkeypatch.setattr(hl7v2, "CHUNK_MESSAGES", size)
        chunks = list(hl7v2.iter_chunks(path, None, today=TODAY))
        assert len(chunks) == (1 if size == 0 else -(-15 // size))
        with Workspace.init(tmp_path / f"ws{size}") as workspace:
            [summary] = ingest(workspace, path)
            assert (summary.rows_read, summary.rows_quarantined) == (15, 3)
            check_merged_visit(workspace)
            stored[size] = workspace.store.sql(
                "SELECT event_key, event_type, start_at, end_at, location, diagnosis_codes,"
                " disposition, details FROM event WHERE is_current ORDER BY event_key"
            ) + workspace.store.sql(
                "SELECT record_key, first_name, last_name, dob, ssn, address, phone"
                " FROM source_record WHERE is_current ORDER BY record_key"
            )
            assert len(workspace.quarantine()) == 3
            # A copy of the file (not skipped by its checksum) adds nothing, in any chunking:
            # every message is already applied to its visit.
            copy = tmp_path / f"copy{size}.hl7"
            copy.write_bytes(path.read_bytes() + b"\r")
            [again] = ingest(workspace, copy)
            assert (again.records_added, again.records_changed) == (0, 0)
            assert (again.events_added, again.events_changed) == (0, 0)
    assert stored[1] == stored[0] and stored[2] == stored[0] and stored[5] == stored[0]


def test_a_stored_start_is_kept_and_a_discharge_before_it_is_quarantined(
    ws: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "1.hl7").write_text(ADMIT + "\r")
    ingest(ws, tmp_path / "1.hl7")
    early = DISCHARGE.replace("20250311062500-0700", "20250310200000-0700")
    (tmp_path / "2.hl7").write_text(early + "\r")
    [summary] = ingest(ws, tmp_path / "2.hl7")
    assert summary.rows_quarantined == 1 and summary.events_changed == 0
    [q] = ws.quarantine()
    assert (q["row_number"], q["field"]) == (1, "end_at")
    assert "ends before it starts" in q["reason"]
    assert event(ws, "V7001")["end_at"] is None
