"""Benchmark: each importer's throughput and peak memory on the synthetic county's real formats.

Every source is ingested alone into a fresh workspace in its own process (so peak RSS is that
importer's own). Run at two county sizes to see whether memory stays flat as files grow.

    .venv/bin/python bench/ingest.py --people 25000 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from pipeline import machine  # noqa: E402


def one(county: Path, source: str) -> dict:
    from ddj import Workspace
    from ddj.demo.run import demo_config

    work = county.parent / f"{county.name}-ws-{source}"
    if work.exists():
        import shutil

        shutil.rmtree(work)
    ws = Workspace.init(work, config_text=demo_config(str(county.resolve() / "data")))
    t0 = time.perf_counter()
    summaries = ws.ingest(source=source)
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in _paths(ws, source))
    ws.close()
    return {
        "source": source,
        "format": next(s.format for s in ws.config.sources if s.name == source),
        "rows": sum(s.rows_read for s in summaries),
        "records": sum(s.records_added for s in summaries),
        "events": sum(s.events_added for s in summaries),
        "seconds": seconds,
        "mb": size / 2**20,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _paths(ws, source: str) -> list[Path]:
    config = next(s for s in ws.config.sources if s.name == source)
    found = []
    for f in config.files:
        found += [p for p in f.path.rglob("*") if p.is_file()] if f.path.is_dir() else [f.path]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="+", default=[25000, 100000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one[0]), args.one[1])))
        return
    from ddj.demo.generate import SOURCE_FILES

    rows = []
    for people in args.people:
        county = HERE / "work" / f"ingest-{people}"
        print(f"generating {people} people ...", file=sys.stderr, flush=True)
        # In its own process: a child's peak RSS starts from its parent's (Linux keeps ru_maxrss
        # across fork and exec), so this process stays small.
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from ddj.demo.generate import generate_county; "
                        "generate_county(Path(sys.argv[1]), people=int(sys.argv[2]), "
                        "seed=int(sys.argv[3]))", str(county), str(people), str(args.seed)],
                       check=True)
        for source in SOURCE_FILES:
            out = subprocess.run([sys.executable, __file__, "--one", str(county), source],
                                 check=True, capture_output=True, text=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["people"] = people
            rows.append(row)
            print(f"  {source}: {row['rows']:,} rows in {row['seconds']:.1f}s", file=sys.stderr)
    lines = [
        f"## Ingest throughput, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}. Command: `.venv/bin/python bench/ingest.py --people "
        f"{' '.join(map(str, args.people))} --seed {args.seed}`. Each source ingested alone into "
        "a fresh workspace (read, parse, write, commit); rows are the units of the format "
        "(CSV rows, HMIS rows of all files, HL7 messages, NEMSIS PCRs, FHIR resources).",
        "",
        "| people | source | format | file MB | rows | records | events | seconds | rows/s | "
        "peak RSS MiB |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['people']:,} | {r['source']} | {r['format']} | {r['mb']:.1f} | {r['rows']:,} | "
            f"{r['records']:,} | {r['events']:,} | {r['seconds']:.1f} | "
            f"{r['rows'] / r['seconds']:,.0f} | {r['peak_mib']:,.0f} |")
    lines.append("")
    table = "\n".join(lines)
    print(table)
    if not args.no_record:
        with (HERE / "results.md").open("a", encoding="utf-8") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
