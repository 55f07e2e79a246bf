"""Benchmark: HL7 v2 over MLLP with durable ACKs, many senders on loopback.

Each sender opens one connection and sends its messages one at a time, waiting for each ACK
(HL7 original-mode acknowledgement), as interface engines do. Reports messages/s and ACK latency.

    .venv/bin/python bench/mllp.py --senders 20 --messages 500
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline import machine  # noqa: E402

from ddj import Workspace  # noqa: E402

TEMPLATE = (
    "MSH|^~\\&|ER|HOSP|DDJ|COUNTY|20250101120000||ADT^{trigger}|C{n}|P|2.5.1\r"
    "EVN|{trigger}|20250101120000\r"
    "PID|1||M{person}^^^HOSP^MR~9{person:08d}^^^SSA^SS||DOE{person}^JOHN^Q||19800101|M|||"
    "12 MAIN ST^^RIVERTON^OR^97301||5415550100\r"
    "PV1|1|E|ED^01^A||||||||||||||||V{n}|||||||||||||||||||||||||20250101120000\r"
    "DG1|1||F11.20^Opioid dependence^I10\r"
)


def sender(port: int, start: int, count: int, latencies: list[float], codes: list[str]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        for n in range(start, start + count):
            text = TEMPLATE.format(trigger="A04", n=n, person=n % 5000)
            t0 = time.perf_counter()
            sock.sendall(b"\x0b" + text.encode() + b"\x1c\r")
            data = b""
            while not data.endswith(b"\x1c\r"):
                data += sock.recv(65536)
            latencies.append(time.perf_counter() - t0)
            codes.append(data.decode().split("MSA|")[1][:2])


def send_all(port: int, senders: int, messages: int) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    codes: list[str] = []
    threads = [
        threading.Thread(target=sender, args=(port, i * messages, messages, latencies, codes))
        for i in range(senders)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, codes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--messages", type=int, default=500, help="Messages per sender.")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.init(Path(folder) / "ws")
        listener = ws.hl7_listener(source="county_er", system="ed", port=0)
        thread = threading.Thread(target=listener.run, daemon=True)
        thread.start()
        listener.ready.wait(10)
        # The senders run in another process, so they do not share the listener's interpreter.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            t0 = time.perf_counter()
            latencies, codes = pool.apply(send_all, (listener.port, args.senders, args.messages))
            elapsed = time.perf_counter() - t0
        listener.stop()
        thread.join(30)
        stored = ws.store.scalar("SELECT count(*) FROM current_event")
        ws.close()
    total = args.senders * args.messages
    ok = codes.count("AA")
    q = statistics.quantiles(latencies, n=100)
    lines = [
        f"## HL7 v2 over MLLP, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}. Load average (1/5/15 min) before "
        f"{' / '.join(f'{x:.2f}' for x in load_before)}, after "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}. Command: `.venv/bin/python "
        f"bench/mllp.py --senders {args.senders} --messages {args.messages}` (senders in a "
        "second process on this machine).",
        "",
        "| senders | messages | AA | stored events | seconds | messages/s | ACK p50 ms | "
        "ACK p95 ms | group commits |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {args.senders} | {total:,} | {ok:,} | {stored:,} | {elapsed:.1f} | "
        f"{total / elapsed:,.0f} | {q[49] * 1000:.1f} | {q[94] * 1000:.1f} | "
        f"{listener.stats.commits:,} |",
        "",
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_record:
        with (Path(__file__).resolve().parent / "results.md").open("a") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
