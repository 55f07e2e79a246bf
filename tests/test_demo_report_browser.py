"""The report of a real pipeline run (synthetic county) opened in headless Debian Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddj.demo.run import DemoResult

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[1] / "artifacts" / "demo-report.png"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (make chromium)"),
]


def test_demo_report_renders_every_chart_offline(demo_county: DemoResult) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    url = demo_county.report.as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            outside: list[str] = []

            def route(r):
                if r.request.url == url:
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(url)
            charts = page.eval_on_selector_all(
                "svg.chart",
                "els => els.map(e => ({name: e.dataset.chart, w: e.getBoundingClientRect().width,"
                " h: e.getBoundingClientRect().height, bars: e.querySelectorAll('rect.bar').length,"
                " dots: e.querySelectorAll('circle').length}))",
            )
            by_name = {c["name"]: c for c in charts}
            for name in ("per-system", "upset", "cohorts", "quarantine"):
                chart = by_name[name]
                assert chart["w"] > 100 and chart["h"] > 50, chart
                assert chart["bars"] > 0, chart
            # Four systems, each drawn as a set in the UpSet matrix.
            assert by_name["upset"]["dots"] >= 4 * 2
            members = page.locator("#cohort table tbody tr").count()
            assert members > 0
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert outside == []
