"""The report opened in real headless Debian Chromium: charts draw, nothing touches the network.

Never downloads a browser: it uses /usr/bin/chromium (``apt-get install chromium``) or skips.
Leaves a full-page screenshot in artifacts/report.png for a person to look at.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ddj.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[1] / "artifacts" / "report.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (apt-get install chromium); never downloads a browser",
    ),
]


def _workspace_module():
    """The synthetic workspace of test_report_render.py, loaded by path (any pytest import mode)."""
    spec = importlib.util.spec_from_file_location(
        "report_workspace", Path(__file__).with_name("test_report_render.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ws = _workspace_module()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    store = ws.make_workspace(folder / "ddj.duckdb")
    try:
        return write_report(
            store, folder / "report.html", title="Synthetic County", generated_at=ws.GENERATED
        )
    finally:
        store.close()


@pytest.fixture(scope="module")
def page(report_file):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.requested = []  # every request the page made
            page.blocked = []  # every one that was not the report file itself
            page.console_errors = []
            page_url = report_file.as_uri()

            def route(r):
                if r.request.url == page_url:
                    r.continue_()
                else:
                    page.blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page.on("request", lambda req: page.requested.append(req.url))
            page.on(
                "console",
                lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None,
            )
            page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
            page.goto(page_url, wait_until="load")
            yield page
        finally:
            browser.close()


def test_no_request_but_the_file_itself(page, report_file):
    assert page.blocked == []
    assert page.requested == [report_file.as_uri()]
    assert page.console_errors == []


def test_the_network_guard_would_catch_a_remote_request(page):
    """Sanity check of the routing above: a remote image in a page is seen and aborted."""
    context = page.context.browser.new_context()
    try:
        caught = []
        context.route("**/*", lambda r: (caught.append(r.request.url), r.abort()))
        probe = context.new_page()
        probe.set_content('<img src="http://example.invalid/x.png">')
        probe.wait_for_load_state("load")
        assert caught == ["http://example.invalid/x.png"]
    finally:
        context.close()


def test_every_section_is_visible(page):
    for section in ws.SECTION_IDS:
        box = page.locator(f"section#{section}").bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, section


def chart(page, name: str):
    svg = page.locator(f'svg.chart[data-chart="{name}"]')
    assert svg.count() == 1, name
    box = svg.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 40, (name, box)
    return svg


def drawn_bars(svg, selector: str = "rect.bar") -> list[dict]:
    """Bounding boxes of the bars the browser actually laid out."""
    return [b.bounding_box() for b in svg.locator(selector).all()]


@pytest.mark.parametrize(
    "name, n_bars",
    [
        ("timeline", ws.EXPECTED_MONTHS),
        ("per-system", 2 * ws.N_SYSTEMS),  # records and people, per system
        ("cohorts", len(ws.COHORTS)),
        ("needs", 2 * len(ws.NEED_DEFINITIONS)),  # people and those in a cohort, per need
        ("quarantine", len(ws.QUARANTINE)),
        ("upset", len(ws.EXPECTED_COMBINATIONS)),
    ],
)
def test_chart_renders_its_bars(page, name, n_bars):
    svg = chart(page, name)
    boxes = drawn_bars(svg)
    assert len(boxes) == n_bars
    # every bar with a non-zero value got real size on screen (months without events are 0)
    assert sum(1 for b in boxes if b and b["width"] > 0 and b["height"] > 0) >= min(n_bars, 3)
    titles = svg.locator("rect.bar > title").all_text_contents()
    assert len(titles) == n_bars and all(titles)


def test_upset_matrix(page):
    svg = chart(page, "upset")
    combos = ws.EXPECTED_COMBINATIONS
    assert svg.locator("circle.dot").count() == len(combos) * ws.N_SYSTEMS
    assert svg.locator("circle.dot.on").count() == sum(len(c) for c, _ in combos)
    assert svg.locator("rect.set-bar").count() == ws.N_SYSTEMS
    assert svg.locator("line.connector").count() == sum(1 for c, _ in combos if len(c) > 1)
    heights = [b["height"] for b in drawn_bars(svg)]
    assert heights == sorted(heights, reverse=True)  # sorted by people, descending
    for dot in svg.locator("circle.dot").all():
        box = dot.bounding_box()
        assert box and box["width"] > 5


def test_cohort_tables_list_the_expected_people(page):
    for cohort, expected in ws.EXPECTED_TOP.items():
        ids = page.locator(f'[data-cohort="{cohort}"] td.person-id').all_text_contents()
        assert ids == expected, cohort
    assert page.locator("section#cohort").get_by_text("P012").count() == 0


def test_numbers_are_right_aligned(page):
    cell = page.locator("section#per-system table.data tbody td.num").first
    assert cell.evaluate("e => getComputedStyle(e).textAlign") == "right"


def test_full_page_screenshot(page):
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
