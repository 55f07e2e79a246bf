"""Load on the real dashboard: N concurrent logged-in users over loopback, latency per page.

The server is `ddj serve` in its own process (as a county would run it); the users are asyncio
httpx clients in this process. Each user logs in, then loops: overview, the by-name list (a random
cohort filter and sort), a person page and the same data through the JSON API. A first pass per
page warms the per-data-version cache and is not counted.

    .venv/bin/python bench/dashboard.py --people 200000 --users 20 --seconds 60

With --workspace DIR an existing workspace is used; otherwise a demo county of --people is built
under bench/work/ (kept, so the next run reuses it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from pipeline import machine  # noqa: E402

from ddj import Workspace  # noqa: E402
from ddj.demo.run import run_demo  # noqa: E402

ACCOUNT, PASSWORD = "loadtest", "load test passphrase"


def prepare(args) -> Path:
    root = Path(args.workspace) if args.workspace else HERE / "work" / f"dash{args.people}"
    if not (root / "ddj.duckdb").exists():
        print(f"building a demo county of {args.people} people in {root}", flush=True)
        run_demo(root, people=args.people, seed=42, progress=lambda m: print(m, flush=True))
    with Workspace(root) as ws:
        if ACCOUNT not in {a.username for a in ws.users()}:
            ws.add_user(ACCOUNT, PASSWORD, "admin")
    return root


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ddj = Path(sys.executable).with_name("ddj")
    proc = subprocess.Popen(
        [str(ddj), "serve", "--workspace", str(root), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


async def login(client) -> None:
    form = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = await client.post(
        "/login", data={"username": ACCOUNT, "password": PASSWORD, "csrf": csrf, "next": "/"}
    )
    assert r.status_code == 303, r.text


async def user(
    base: str,
    stop_at: float,
    persons: list[str],
    cohorts: list[str],
    seen: dict,
    errors: list,
    seed: int,
    think: float,
) -> None:
    import httpx

    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await login(client)
        while time.monotonic() < stop_at:
            person = rng.choice(persons)
            cohort = rng.choice(cohorts + [""])
            sort = rng.choice(["total_contacts", "name", "last_contact", "n_systems"])
            for page, path in (
                ("overview", "/"),
                ("by-name list", f"/persons?cohort={cohort}&sort={sort}"),
                ("person", f"/persons/{person}"),
                ("data quality", "/quality"),
                ("api persons", f"/api/persons?cohort={cohort}&limit=100"),
                ("api person", f"/api/persons/{person}"),
            ):
                t0 = time.perf_counter()
                r = await client.get(path)
                took = time.perf_counter() - t0
                if r.status_code != 200:
                    errors.append((path, r.status_code))
                seen[page].append(took)
                if think:
                    await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def run(base: str, users: int, seconds: float, think: float) -> tuple[dict, list, float]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        await login(client)
        listed = (await client.get("/api/persons", params={"limit": 10_000})).json()
        persons = [p["person_id"] for p in listed["persons"]]
        cohorts = sorted({c for p in listed["persons"] for c in p["cohorts"]})
        for path in ("/", "/persons", "/quality", f"/persons/{persons[0]}"):  # warm the cache
            await client.get(path)
    seen: dict[str, list[float]] = defaultdict(list)
    errors: list = []
    t0 = time.monotonic()
    await asyncio.gather(
        *(user(base, t0 + seconds, persons, cohorts, seen, errors, i, think) for i in range(users))
    )
    return seen, errors, time.monotonic() - t0


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--workspace", help="Use this workspace instead of building one.")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="Mean seconds a user reads a page before the next (0: back to back).",
    )
    parser.add_argument("--no-record", action="store_true", help="Do not append to results.md.")
    args = parser.parse_args()
    root = prepare(args)
    with Workspace(root) as ws:
        persons = ws.store.scalar("SELECT count(*) FROM person")
        events = ws.store.scalar("SELECT count(*) FROM current_event")
    proc, base = start_server(root)
    try:
        seen, errors, took = asyncio.run(run(base, args.users, args.seconds, args.think))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    load = os.getloadavg()
    total = sum(len(v) for v in seen.values())
    lines = [
        f"\n## Dashboard under load, {datetime.now():%Y-%m-%d %H:%M}\n",
        f"`bench/dashboard.py --users {args.users} --seconds {args.seconds:.0f} --think "
        f"{args.think:g}` on a workspace of "
        f"{persons:,} linked people and {events:,} contacts; {machine()}; load average after the "
        f"run {load[0]:.2f} (the 20 clients run on the same 2 cores as the server).\n",
        f"{total:,} requests in {took:.0f} s ({total / took:.0f}/s), {len(errors)} errors.\n",
        "| page | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for page, values in seen.items():
        lines.append(
            f"| {page} | {len(values):,} | {percentile(values, 50) * 1000:.0f} | "
            f"{percentile(values, 95) * 1000:.0f} | {max(values) * 1000:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if errors:
        print(f"errors (first 5): {errors[:5]}")
    if not args.no_record:
        with open(HERE / "results.md", "a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
