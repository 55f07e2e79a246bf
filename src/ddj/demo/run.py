"""`ddj demo`: a synthetic county through the whole pipeline, scored against its ground truth."""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ddj.demo.generate import SOURCE_FILES, SOURCE_FORMATS, SOURCE_SYSTEMS, generate_county
from ddj.demo.governance import demo_policy, record_demo_consents
from ddj.govern.policy import POLICY_NAME
from ddj.identify.needs_sql import COUNTED
from ddj.identify.run import default_as_of
from ddj.identify.sql import cohort_sql
from ddj.link.quality import PairwiseScore, load_truth, score_against_truth
from ddj.workspace import Workspace

Progress = Callable[[str], None]
DEMO_ACCOUNT = "demo"


def demo_config(data_dir: str = "data") -> str:
    """The demo workspace's ddj.toml: every source of the synthetic county in its own format."""
    lines = [
        "# ddj.toml written by `ddj demo` for a synthetic county.",
        "",
        "[link]",
        "threshold = 0.97",
        "seed = 42",
        "",
    ]
    for source, files in SOURCE_FILES.items():
        lines += [
            "[[sources]]",
            f'name = "{source}"',
            f'system = "{SOURCE_SYSTEMS[source]}"',
            f'format = "{SOURCE_FORMATS[source]}"',
            "files = [",
        ]
        for name, profile in files:
            with_profile = f', profile = "{profile}"' if profile else ""
            lines.append(f'  {{ path = "{data_dir}/{name}"{with_profile} }},')
        lines += ["]", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class CohortScore:
    cohort: str
    found: int
    true: int
    precision: float
    recall: float


@dataclass
class DemoResult:
    root: Path
    report: Path
    linkage: PairwiseScore
    cohorts: list[CohortScore]
    seconds: dict[str, float] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)
    account: tuple[str, str] | None = None  # the demo dashboard login (name, password)

    def lines(self) -> list[str]:
        out = list(self.summaries)
        out.append(f"linkage against the truth: {self.linkage.line()}")
        for c in self.cohorts:
            out.append(
                f"cohort {c.cohort}: {c.found} found, {c.true} in the truth; "
                f"precision {c.precision:.3f}, recall {c.recall:.3f}"
            )
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        out.append(f"time: {timing}")
        out.append(f"report: {self.report}")
        if self.account:
            out.append(f"dashboard login: account {self.account[0]}, password {self.account[1]}")
        return out


def run_demo(
    out: Path, *, people: int = 5000, seed: int = 42, progress: Progress | None = None
) -> DemoResult:
    say = progress or (lambda _m: None)
    out = out.expanduser().resolve()
    if out.exists():
        for name in ("ddj.toml", "policy.toml", "ddj.duckdb", "ddj.duckdb.wal", "report.html"):
            (out / name).unlink(missing_ok=True)
        for name in ("data", "truth"):
            shutil.rmtree(out / name, ignore_errors=True)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    say(f"demo: generating a county of {people} people (seed {seed})")
    county = generate_county(out, people=people, seed=seed, progress=say)
    seconds["generate"] = time.perf_counter() - t0

    ws = Workspace.init(out, config_text=demo_config())
    (out / POLICY_NAME).write_text(demo_policy(), encoding="utf-8")
    summaries: list[str] = []
    try:
        t0 = time.perf_counter()
        summaries += [s.line() for s in ws.ingest(progress=say)]
        seconds["ingest"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        linked = ws.link(progress=say)
        summaries.append(linked.line())
        seconds["link"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        identify_history(ws)
        identified = ws.identify()
        summaries.append(identified.line())
        seconds["identify"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = ws.report(out / "report.html", title="ddj demo: a synthetic county")
        seconds["report"] = time.perf_counter() - t0
        load_truth(ws.store, county.out_dir / "truth" / "records.csv")
        linkage = score_against_truth(ws.store)
        cohorts = [score_cohort(ws, rule, identified.as_of) for rule in ws.cohort_rules()]
        record_demo_consents(ws.store, seed=seed)
        password = secrets.token_urlsafe(12)
        ws.add_user(DEMO_ACCOUNT, password, "admin")
    finally:
        ws.close()
    return DemoResult(out, report, linkage, cohorts, seconds, summaries, (DEMO_ACCOUNT, password))


def identify_history(ws: Workspace, quarters: int = 4) -> None:
    """Identify as of the end of each of the last few quarters, so the cohort trend has points.

    The newest run must come last: the by-name list shows the latest run.
    """
    newest = default_as_of(ws.store)
    for back in range(quarters, 0, -1):
        ws.identify(as_of=newest - timedelta(days=91 * back))


def score_cohort(ws: Workspace, rule, as_of) -> CohortScore:
    """Compare the cohort found through ddj's linkage with the cohort the true identities give.

    A found member counts as right when the true person behind most of its records is in the true
    cohort (and no other found member already claimed that person). Both sides count what identify
    counts: no 42 CFR Part 2 contact.
    """
    con = ws.store.con
    truth = cohort_sql(rule, as_of, "truth_record", src=COUNTED)
    true_members = {r[0] for r in con.execute(truth).fetchall()}
    found = con.execute(f"""
        WITH found AS ({cohort_sql(rule, as_of, src=COUNTED)}),
        votes AS (
            SELECT f.person_id, t.person_id AS true_id, count(*) AS n
            FROM found f JOIN person_record p USING (person_id)
            JOIN truth_record t ON t.record_key = p.record_key
            GROUP BY ALL)
        SELECT person_id, arg_max(true_id, n) FROM votes GROUP BY person_id
    """).fetchall()
    claimed: set[str] = set()
    right = 0
    for _person, true_id in found:
        if true_id in true_members and true_id not in claimed:
            right += 1
            claimed.add(true_id)
    precision = right / len(found) if found else 1.0
    recall = len(claimed) / len(true_members) if true_members else 1.0
    return CohortScore(rule.name, len(found), len(true_members), precision, recall)
