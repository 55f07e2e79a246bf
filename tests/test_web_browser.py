"""The dashboard in headless Debian Chromium: log in, open every page, check what is drawn.

Screenshots of each page are saved under artifacts/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (make chromium)"),
]


@pytest.fixture(scope="module")
def page(dashboard):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        outside: list[str] = []

        def route(r):
            if r.request.url.startswith(dashboard.url):
                r.continue_()
            else:  # every asset ships with the package: nothing may come from elsewhere
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(dashboard.url + "/")
        assert "/login" in page.url
        page.fill("input[name=username]", dashboard.account)
        page.fill("input[name=password]", dashboard.password)
        page.click("button[type=submit]")
        page.wait_for_url(dashboard.url + "/")
        yield page
        assert outside == []
        browser.close()


def _charts(page) -> dict[str, dict]:
    found = page.eval_on_selector_all(
        "svg.chart",
        "els => els.map(e => ({name: e.dataset.chart, w: e.getBoundingClientRect().width,"
        " marks: e.querySelectorAll('rect.bar, path.line, circle.dot, circle.contact,"
        " rect.span').length}))",
    )
    return {c["name"]: c for c in found}


def test_overview_draws_every_chart(page, dashboard) -> None:
    page.goto(dashboard.url + "/")
    charts = _charts(page)
    for name in ("people-per-month", "contacts-per-month", "upset", "cohorts", "cohort-trend"):
        assert charts[name]["w"] > 300, charts[name]
        assert charts[name]["marks"] > 0, charts[name]
    persons = dashboard.workspace.store.scalar("SELECT count(*) FROM person")
    assert page.inner_text("#fig-persons").replace(",", "") == str(persons)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)


def test_by_name_list_sorts_and_filters(page, dashboard) -> None:
    page.goto(dashboard.url + "/persons")
    rows = page.locator("#by-name-list tbody tr")
    assert rows.count() > 0
    header = '#by-name-list thead a.sort:text-is("Name")'
    page.click(header)  # sort by name, descending first
    page.wait_for_url("**order=desc*")
    page.click(header)  # then ascending
    page.wait_for_url("**order=asc*")
    names = page.eval_on_selector_all(
        "#by-name-list tbody tr td:first-child a", "els => els.map(e => e.textContent.trim())"
    )
    assert names == sorted(names)
    page.select_option("select[name=cohort]", "fuse")
    page.click("button:has-text('Filter')")
    fuse = dashboard.workspace.store.scalar(
        "SELECT count(*) FROM latest_cohort WHERE cohort = 'fuse'"
    )
    assert page.inner_text("#list-total").startswith(f"{fuse:,} people")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-list.png"), full_page=True)


def test_person_timeline_shows_contacts_from_three_systems(page, dashboard) -> None:
    person_id = dashboard.workspace.store.scalar(
        "SELECT person_id FROM latest_cohort WHERE n_systems >= 3 ORDER BY total_contacts DESC "
        "LIMIT 1"
    )
    page.goto(dashboard.url + "/persons")
    page.click(f"a[href='/persons/{person_id}']")
    page.wait_for_url(f"{dashboard.url}/persons/{person_id}")
    systems = page.eval_on_selector_all(
        "svg[data-chart=person-timeline] [data-system]",
        "els => [...new Set(els.map(e => e.dataset.system))]",
    )
    assert len(systems) >= 3, systems
    box = page.locator("svg[data-chart=person-timeline]").bounding_box()
    assert box and box["width"] > 300
    assert page.locator("#identities tbody tr").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-person.png"), full_page=True)


def test_quality_page_shows_quarantine_and_linkage(page, dashboard) -> None:
    page.goto(dashboard.url + "/quality")
    charts = _charts(page)
    assert charts["quarantine"]["marks"] > 0
    assert charts["weights"]["w"] > 300
    assert page.locator("form.pair").count() > 0, "the review queue is on the page"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-quality.png"), full_page=True)


def test_review_from_the_page_is_stored(page, dashboard) -> None:
    page.goto(dashboard.url + "/quality")
    form = page.locator("form.pair").first
    left = form.locator("input[name=record_key_l]").get_attribute("value")
    right = form.locator("input[name=record_key_r]").get_attribute("value")
    form.locator("button[value=link]").click()
    page.wait_for_url(f"{dashboard.url}/quality#review")
    stored = dashboard.workspace.store.cursor().sql(
        "SELECT decision FROM current_review_decision WHERE record_key_l = ? AND record_key_r = ?",
        [min(left, right), max(left, right)],
    )
    assert stored == [("link",)]
