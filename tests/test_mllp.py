"""The live HL7 v2 feed: a real MLLP listener on loopback, a real client, ACKs after storage."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from ddj import Workspace

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "hl7v2"
VT, FS_CR = b"\x0b", b"\x1c\r"


def frame(text: str) -> bytes:
    return VT + text.replace("\r\n", "\r").replace("\n", "\r").encode() + FS_CR


def read_ack(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(FS_CR):
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the ACK"
        data += chunk
    return data[1:-2].decode()


def pv1(fields: dict[int, str]) -> str:
    out = ["PV1"] + [""] * max(fields)
    for n, value in fields.items():
        out[n] = value
    return "|".join(out) + "\r"


def msa(ack: str) -> list[str]:
    segment = next(s for s in ack.split("\r") if s.startswith("MSA"))
    return segment.split("|")


@pytest.fixture
def listening(tmp_path: Path):
    ws = Workspace.init(tmp_path / "ws")
    listener = ws.hl7_listener(source="county_er", system="ed", port=0)
    thread = threading.Thread(target=listener.run, daemon=True)
    thread.start()
    assert listener.ready.wait(10)
    yield ws, listener
    listener.stop()
    thread.join(10)
    ws.close()


@pytest.mark.skipif(not SAMPLES.exists(), reason="needs ../shared/samples")
def test_each_sample_is_acknowledged_after_it_is_stored(listening) -> None:
    ws, listener = listening
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        for name in ("ADT-A01-01.hl7", "ADT-A04-01.hl7", "ADT-A08-01.hl7", "ADT-A03-01.hl7"):
            text = (SAMPLES / name).read_text()
            sock.sendall(frame(text))
            ack = read_ack(sock)
            fields = msa(ack)
            assert fields[1] == "AA", ack
            control_id = text.split("\n")[0].split("|")[9]
            assert fields[2] == control_id
            # Durable before the ACK: the record is already readable in the workspace.
            assert (
                ws.store.scalar("SELECT count(*) FROM current_record WHERE source = 'county_er'")
                >= 1
            )
    assert listener.stats.stored == 4 and listener.stats.rejected == 0
    batch = ws.store.dicts("SELECT * FROM ingest_batch WHERE source = 'county_er'")[0]
    assert batch["path"].startswith("mllp://127.0.0.1:") and batch["rows_read"] == 4


def test_a_bad_message_is_rejected_with_the_reason_and_quarantined(listening) -> None:
    ws, listener = listening
    bad = (
        "MSH|^~\\&|ER|HOSP|DDJ|COUNTY|20240101120000||ADT^A04|MSG0001|P|2.5.1\r"
        "EVN|A04|20240101120000\r"
        "PV1|1|E|||||||||||||||||V1\r"
    )  # no PID
    good = (
        "MSH|^~\\&|ER|HOSP|DDJ|COUNTY|20240101120000||ADT^A04|MSG0002|P|2.5.1\r"
        "EVN|A04|20240101120000\r"
        "PID|1||MRN77^^^HOSP^MR||DOE^JANE||19800101|F\r"
        "PV1|1|E|||||||||||||||||V2|||||||||||||||||||||||||20240101120000\r"
    )
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        sock.sendall(frame(bad) + frame(good))  # two frames in one write
        first, second = read_ack(sock), None
        second = read_ack(sock)
    assert msa(first)[1] in ("AR", "AE") and msa(first)[2] == "MSG0001"
    assert "PID" in first
    assert msa(second)[1] == "AA" and msa(second)[2] == "MSG0002"
    [q] = ws.quarantine()
    assert q["source"] == "county_er" and "PID" in q["reason"]
    assert ws.store.scalar("SELECT count(*) FROM current_event WHERE source = 'county_er'") == 1


def test_many_senders_at_once_are_each_acknowledged(listening) -> None:
    ws, listener = listening
    template = (
        "MSH|^~\\&|ER|HOSP|DDJ|COUNTY|20240101120000||ADT^A04|C{n}|P|2.5.1\r"
        "EVN|A04|20240101120000\r"
        "PID|1||M{n}^^^HOSP^MR||DOE{n}^JOHN||19800101|M\r"
        "PV1|1|E|||||||||||||||||V{n}|||||||||||||||||||||||||20240101120000\r"
    )
    codes: list[str] = []

    def sender(start: int) -> None:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=20) as sock:
            for n in range(start, start + 25):
                sock.sendall(frame(template.format(n=n)))
                codes.append(msa(read_ack(sock))[1])

    threads = [threading.Thread(target=sender, args=(i * 100,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == ["AA"] * 200
    assert ws.store.scalar("SELECT count(*) FROM current_event WHERE source = 'county_er'") == 200
    assert listener.stats.commits < 200  # group commits took several messages at once


def test_a_discharge_merges_into_the_visit_its_admit_stored(listening) -> None:
    """Each message is its own group commit here (the sender waits for each ACK): the A03,
    which repeats neither the admit time nor the diagnoses, updates the stored A01 visit."""
    ws, listener = listening
    admit = (
        "MSH|^~\\&|ER|HOSP|DDJ|COUNTY|20250401081000||ADT^A01|A1|P|2.5.1\r"
        "EVN|A01|20250401081000\r"
        "PID|1||M500^^^HOSP^MR~512-44-9012^^^SSA^SS||LARKIN^ROWAN||19920214|M|||"
        "3 ELM ST^^RIVERTON^OR^97301\r"
        + pv1({2: "E", 3: "ED^^^HOSP", 19: "V500", 44: "20250401080500"})
        + "DG1|1||F1020^Alcohol dependence, uncomplicated^I10\r"
    )
    discharge = (
        "MSH|^~\\&|ER|HOSP|DDJ|COUNTY|20250401140000||ADT^A03|A2|P|2.5.1\r"
        "EVN|A03|20250401140000\r"
        "PID|1||M500^^^HOSP^MR||LARKIN^ROWAN||19920214|M\r"
        + pv1({2: "E", 19: "V500", 36: "01", 45: "20250401135500"})
    )
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        # The admit is sent again (its ACK was lost, say): it is already applied, so no version.
        for text in (admit, discharge, admit):
            sock.sendall(frame(text))
            assert msa(read_ack(sock))[1] == "AA"
    assert listener.stats.commits == 3
    [visit] = ws.store.dicts(
        "SELECT * FROM event WHERE is_current AND event_key = 'county_er|V500'"
    )
    assert visit["version"] == 2
    assert str(visit["start_at"]) == "2025-04-01 08:05:00"  # the A01's PV1-44
    assert str(visit["end_at"]) == "2025-04-01 13:55:00"  # the A03's PV1-45
    assert visit["diagnosis_codes"] == ["F10.20"]  # the A01's DG1
    assert visit["location"] == "HOSP, ED"
    [person] = ws.store.dicts("SELECT * FROM current_record WHERE source_person_id = 'M500'")
    assert (person["ssn"], person["address"]) == ("512449012", "3 ELM ST")
