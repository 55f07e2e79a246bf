"""`ddj report --public`: nobody named, small counts hidden, only shared sources counted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ddj import Workspace
from ddj.govern.suppression import MARK
from ddj.report.render import render_report, report_parts


def test_public_report_names_nobody_and_hides_small_counts(demo_county, tmp_path: Path) -> None:
    with Workspace(demo_county.root) as ws:
        store = ws.store
        html = render_report(store, public=True, threshold=11)
        internal = render_report(store, public=False)
        person_ids = [r[0] for r in store.sql("SELECT person_id FROM latest_cohort")]
    assert 'id="public-notice"' in html
    assert any(pid in internal for pid in person_ids)
    assert not any(pid in html for pid in person_ids)
    with Workspace(demo_county.root) as ws:
        parts = report_parts(ws.store, public=True, threshold=11)
    counts = [
        *(v for _, v in parts["timeline"]),
        *(getattr(s, f) for s in parts["systems"] for f in ("records", "events", "people")),
        *(n for _, n in parts["overlap"].combinations),
        *(c.size for c in parts["cohorts"]),
        *(
            getattr(n, f)
            for n in parts["needs"]
            for f in ("persons", "part2_persons", "cohort_persons")
        ),
        *(q.rows for q in parts["quarantine"]),
    ]
    assert all(c == MARK or c == 0 or c >= 11 for c in counts)
    assert MARK in counts, "the demo county has counts below 11 to hide"
    assert all(c.top == [] for c in parts["cohorts"]) and parts["suspects"] == []
    assert re.search(r'<td class="num">\*</td>', html)


def test_public_report_counts_only_sources_under_a_live_agreement(demo_county, tmp_path) -> None:
    for name in ("ddj.toml", "ddj.duckdb"):
        shutil.copy(demo_county.root / name, tmp_path / name)
    policy = (demo_county.root / "policy.toml").read_text()
    (tmp_path / "policy.toml").write_text(
        policy.replace("expires = 2028-12-31", "expires = 2020-12-31")
    )
    with Workspace(tmp_path) as ws:
        out = ws.report(tmp_path / "public.html", public=True)
        text = out.read_text()
        hospital_events = ws.store.scalar(
            "SELECT count(*) FROM current_event WHERE source = 'county_hospital'"
        )
        from ddj.govern import audit

        exports = audit.entries(ws.store, actions=["export"])
    assert hospital_events > 0
    assert "<code>county_hospital</code>" not in text
    assert exports and exports[-1].details["export"] == "public report"
