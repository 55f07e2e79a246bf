"""Benchmark: linking at scale, and a daily batch linked incrementally into a large workspace.

1. A synthetic county of --people people (about 1.9 source records per person) is generated and
   ingested; `ddj link` links everything (wall time and peak memory of that process).
2. A daily batch: --batch jail bookings of known people under new inmate ids arrives as a new
   source; `ddj link` links it incrementally (wall time), and we count how many of the batch's
   records joined the person their truth says.

    .venv/bin/python bench/scale.py --people 520000 --batch 1000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from pipeline import machine  # noqa: E402


def step(work: Path, what: str, batch: int, prefix: str) -> dict:
    from ddj import Workspace

    ws = Workspace(work)
    t0 = time.perf_counter()
    if what == "ingest":
        ws.ingest()
        out = {"records": ws.store.scalar("SELECT count(*) FROM current_record")}
    elif what == "link":
        summary = ws.link(mode="full")
        out = {"mode": summary.mode, "stages": summary.seconds, "persons": summary.n_persons}
    else:
        daily = _daily_batch(work, batch, prefix)
        ws.ingest(
            path=daily,
            system="jail_booking",
            profile="jail_bookings",
            source=f"daily_jail_{prefix}",
        )
        t1 = time.perf_counter()
        summary = ws.link()
        out = {
            "mode": summary.mode,
            "stages": summary.seconds,
            "link_seconds": time.perf_counter() - t1,
            "joined": _joined(ws, prefix),
            "records": summary.n_records,
        }
    out["seconds"] = time.perf_counter() - t0
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ws.close()
    return out


def _daily_batch(work: Path, batch: int, prefix: str) -> Path:
    """Bookings of people the jail already knows, under new inmate ids (a new intake system)."""
    source = work / "data" / "jail_bookings.csv"
    out = work / f"daily_bookings_{prefix}.csv"
    with (
        source.open(newline="", encoding="utf-8", errors="replace") as f_in,
        out.open("w", newline="", encoding="utf-8") as f_out,
    ):
        reader = csv.DictReader(f_in)
        writer = csv.DictWriter(f_out, fieldnames=reader.fieldnames)
        writer.writeheader()
        seen: set[str] = set()
        for row in reader:
            if not row.get("InmateID") or row["InmateID"] in seen or None in row:
                continue
            seen.add(row["InmateID"])
            row["InmateID"] = prefix + row["InmateID"]
            row["BookingNumber"] = prefix + row["BookingNumber"]
            writer.writerow(row)
            if len(seen) >= batch:
                break
    return out


def _joined(ws, prefix: str) -> dict:
    """How many daily records landed with the person holding the same inmate's jail record."""
    row = ws.store.sql(
        """
        SELECT count(*),
               count(*) FILTER (WHERE d.person_id = j.person_id)
        FROM person_record d
        JOIN person_record j ON j.source = 'county_jail'
         AND j.source_person_id = substr(d.source_person_id, ?)
        WHERE d.source = ?
    """,
        [len(prefix) + 1, f"daily_jail_{prefix}"],
    )[0]
    return {"records": row[0], "with_their_person": row[1]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=520_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--prefix", default="D", help="Prefix of the daily batch's new ids.")
    parser.add_argument(
        "--daily-only",
        action="store_true",
        help="Reuse the workspace of an earlier run; only link a new batch.",
    )
    parser.add_argument("--step", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(Path(args.step[0]), args.step[1], args.batch, args.prefix)))
        return
    work = HERE / "work" / f"scale-{args.people}"
    load_start = os.getloadavg()[0]
    t0 = time.perf_counter()
    steps = ("daily",) if args.daily_only else ("ingest", "link", "daily")
    if not args.daily_only:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; "
                "from ddj import Workspace; from ddj.demo.generate import generate_county; "
                "from ddj.demo.run import demo_config; "
                "generate_county(Path(sys.argv[1]), people=int(sys.argv[2]), "
                "seed=int(sys.argv[3])); "
                "Workspace.init(Path(sys.argv[1]), config_text=demo_config()).close()",
                str(work),
                str(args.people),
                str(args.seed),
            ],
            check=True,
        )
    generated = time.perf_counter() - t0
    results = {}
    for what in steps:
        print(f"{what} ...", file=sys.stderr, flush=True)
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--step",
                str(work),
                what,
                "--batch",
                str(args.batch),
                "--prefix",
                args.prefix,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            results[what] = {"error": done.stderr.strip().splitlines()[-1][:300]}
            print(done.stderr[-2000:], file=sys.stderr)
            break
        results[what] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  {results[what]}", file=sys.stderr, flush=True)
    table = render(args, generated, results, (load_start, os.getloadavg()[0]))
    print(table)
    if not args.no_record:
        with (HERE / "results.md").open("a", encoding="utf-8") as handle:
            handle.write(table + "\n")


def render(args, generated: float, results: dict, load: tuple[float, float]) -> str:
    lines = [
        f"## Linking at scale, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}; load average {load[0]:.1f} at the start, {load[1]:.1f} at the "
        "end (other processes shared the cores, so wall times are indicative). "
        "Command: `.venv/bin/python bench/scale.py --people "
        f"{args.people} --batch {args.batch} --seed {args.seed}`. Each step in its own "
        f"process (peak RSS is that step's). "
        + (
            "A new batch into the workspace of an earlier run."
            if args.daily_only
            else f"Generation took {generated:.0f} s."
        ),
        "",
        "| step | records | wall s | peak RSS MiB | detail |",
        "|---|---:|---:|---:|---|",
    ]
    records = results.get("ingest", {}).get("records") or results.get("daily", {}).get("records", 0)
    for what, r in results.items():
        if "error" in r:
            lines.append(f"| {what} | {records} | | | failed: {r['error']} |")
            continue
        detail = ""
        if what == "link":
            detail = f"{r['persons']:,} persons; stages " + ", ".join(
                f"{k} {v:.0f}s" for k, v in r["stages"].items()
            )
        if what == "daily":
            j = r["joined"]
            detail = (
                f"{r['mode']} link of the batch in {r['link_seconds']:.1f} s "
                f"(stages "
                + ", ".join(f"{k} {v:.1f}s" for k, v in r["stages"].items())
                + f"); {j['with_their_person']:,} of {j['records']:,} batch records "
                "joined their person"
            )
        lines.append(
            f"| {what} | {records:,} | {r['seconds']:.1f} | {r['peak_mib']:,.0f} | {detail} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
