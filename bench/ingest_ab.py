"""Benchmark: one importer before and after a change, back to back at the same load, by CPU time.

Each run is ``bench/ingest.py --one COUNTY SOURCE`` (a fresh workspace, read, parse, write,
commit) in its own process, once with the source tree of the base commit (``git archive``) and
once with this tree, alternating ``--reps`` times; the minimum and median CPU seconds of each are
reported with the load average seen during the runs. CPU time is the ingesting process's (all its
threads), so a busy machine disturbs it far less than wall time; alternating keeps the two sides
under the same load.

    .venv/bin/python bench/ingest_ab.py --base 49ecc73 --reps 3
    .venv/bin/python bench/ingest_ab.py --base 49ecc73 --sources police_cad county_jail
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run_one(src: Path, county: Path, source: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "ingest.py"), "--one", str(county), source],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="The commit to compare with (git ref).")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--people", type=int, default=25000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sources", nargs="+")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    from ddj.demo.generate import SOURCE_FILES

    county = HERE / "work" / f"ingest-{args.people}-seed{args.seed}"
    if not (county / "data").exists():
        sys.exit(f"{county} is missing: run bench/ingest.py --people {args.people} first")
    base = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "src"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "base.tar"
        subprocess.run(
            ["git", "-C", str(ROOT), "archive", "-o", str(archive), base, "src"], check=True
        )
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
        trees = {"before": Path(folder) / "src", "after": ROOT / "src"}
        for source in args.sources or SOURCE_FILES:
            runs: dict[str, list[dict]] = {"before": [], "after": []}
            loads = []
            for _ in range(args.reps):
                for side, src in trees.items():
                    loads.append(os.getloadavg()[0])
                    runs[side].append(run_one(src, county, source))
            units = runs["before"][0]["rows"]
            cells = []
            for side in ("before", "after"):
                cpus = [r["cpu"] for r in runs[side]]
                cells.append((min(cpus), statistics.median(cpus)))
            (b_min, b_med), (a_min, a_med) = cells
            lines.append(
                f"| {source} | {runs['before'][0]['format']} | {units:,} | "
                f"{min(loads):.1f}-{max(loads):.1f} | {b_min:.2f} / {b_med:.2f} | "
                f"{a_min:.2f} / {a_med:.2f} | {units / b_min:,.0f} | {units / a_min:,.0f} | "
                f"{b_min / a_min:.2f}x |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    table = "\n".join(
        [
            f"## Ingest before/after by CPU time, {datetime.now():%Y-%m-%d %H:%M}",
            "",
            f"`.venv/bin/python bench/ingest_ab.py --base {args.base} --reps {args.reps}"
            f"{' --sources ' + ' '.join(args.sources) if args.sources else ''}`: before = "
            f"{base}, after = {head}{' + uncommitted changes' if dirty else ''}; the "
            f"{args.people:,}-people county (seed {args.seed}); each source ingested alone into "
            "a fresh workspace, before and after alternating; CPU s of the ingesting process "
            "(min / median of the runs); units per CPU second from the minimum.",
            "",
            "| source | format | units | load (1 min) | before CPU s | after CPU s | "
            "before units/CPU-s | after units/CPU-s | speed-up |",
            "|---|---|---:|---|---:|---:|---:|---:|---:|",
            *lines,
            "",
        ]
    )
    print(table)
    if not args.no_record:
        with (HERE / "results.md").open("a", encoding="utf-8") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
