"""Benchmark: the demo pipeline at several county sizes; wall time per stage and peak memory.

Each size runs in its own process so its peak resident memory is its own. Results are appended
to bench/results.md with the machine and the command.

    .venv/bin/python bench/pipeline.py --people 5000 50000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_one(people: int, seed: int, work: Path) -> dict:
    from ddj.demo.run import run_demo

    result = run_demo(work / f"county-{people}", people=people, seed=seed)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "people": people,
        "seconds": result.seconds,
        "peak_rss_mib": round(peak_kib / 1024),
        "precision": result.linkage.precision,
        "recall": result.linkage.recall,
        "f1": result.linkage.f1,
        "records": sum(1 for _ in open(result.root / "truth" / "records.csv")) - 1,
        "cohorts": {c.cohort: [c.found, c.true, c.precision, c.recall] for c in result.cohorts},
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help="Do not append to results.md.")
    args = parser.parse_args()
    work = HERE / "work"
    if args.one:
        print(json.dumps(run_one(args.people[0], args.seed, work)))
        return
    rows = []
    for people in args.people:
        print(f"running {people} people ...", file=sys.stderr, flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--one", "--people", str(people), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    table = render(rows, args)
    print(table)
    if not args.no_record:
        with (HERE / "results.md").open("a", encoding="utf-8") as handle:
            handle.write(table + "\n")


def render(rows: list[dict], args) -> str:
    stages = ["generate", "ingest", "link", "identify", "report"]
    lines = [
        f"## Pipeline, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}.  ",
        f"Command: `.venv/bin/python bench/pipeline.py --people {' '.join(map(str, args.people))}"
        f" --seed {args.seed}`",
        "",
        "| people | source records | "
        + " | ".join(f"{s} s" for s in stages)
        + " | total s | peak RSS MiB | pairwise P / R / F1 |",
        "|---:|---:|" + "---:|" * (len(stages) + 3),
    ]
    for r in rows:
        secs = r["seconds"]
        total = sum(secs.get(s, 0) for s in stages)
        lines.append(
            f"| {r['people']:,} | {r['records']:,} | "
            + " | ".join(f"{secs.get(s, 0):.1f}" for s in stages)
            + f" | {total:.1f} | {r['peak_rss_mib']:,} | "
            f"{r['precision']:.4f} / {r['recall']:.4f} / {r['f1']:.4f} |"
        )
    lines.append("")
    for r in rows:
        cohorts = "; ".join(
            f"{name}: {v[0]} found / {v[1]} true, P {v[2]:.3f} R {v[3]:.3f}"
            for name, v in r["cohorts"].items()
        )
        lines.append(f"- {r['people']:,} people, cohorts: {cohorts}")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
