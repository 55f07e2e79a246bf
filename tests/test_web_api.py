"""The dashboard's JSON API and pages over a real uvicorn server on loopback (demo county)."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from openpyxl import load_workbook

from ddj.govern import add_account

PAGES = ["/", "/persons", "/quality", "/persons.csv", "/persons.xlsx"]
API = [
    "/api/overview",
    "/api/persons",
    "/api/quality",
    "/api/review",
    "/api/session",
    "/api/openapi.json",
]


def login(url: str, account: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/login", data={"username": account, "password": password, "csrf": csrf, "next": "/"}
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
def client(dashboard):
    c = login(dashboard.url, dashboard.account, dashboard.password)
    yield c
    c.close()


def a_person(dashboard) -> str:
    """A cohort member with contacts in at least three systems."""
    return dashboard.workspace.store.scalar(
        "SELECT person_id FROM latest_cohort WHERE n_systems >= 3 ORDER BY total_contacts DESC "
        "LIMIT 1"
    )


@pytest.mark.parametrize("path", PAGES + API + ["/persons/p000001", "/api/persons/p000001"])
def test_nothing_is_served_without_a_login(dashboard, path: str) -> None:
    response = httpx.get(dashboard.url + path)
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert "log in" in response.json()["detail"]
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_a_forged_session_cookie_is_refused(dashboard) -> None:
    response = httpx.get(dashboard.url + "/api/overview", cookies={"ddj_session": "guess"})
    assert response.status_code == 401


def test_login_needs_the_form_token(dashboard) -> None:
    response = httpx.post(
        dashboard.url + "/login",
        data={"username": dashboard.account, "password": dashboard.password, "csrf": "x"},
    )
    assert response.status_code == 403


def test_wrong_password_is_refused_and_repeated_failures_lock_the_account(dashboard) -> None:
    add_account(dashboard.workspace.store.cursor(), "locktest", "a long enough secret", "analyst")
    client = httpx.Client(base_url=dashboard.url)
    for attempt in range(5):
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post(
            "/login", data={"username": "locktest", "password": f"wrong {attempt}", "csrf": csrf}
        )
        assert response.status_code == 401
        assert "wrong account name or password" in response.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post(
        "/login", data={"username": "locktest", "password": "a long enough secret", "csrf": csrf}
    )
    assert response.status_code == 401
    assert "locked" in response.text


@pytest.mark.parametrize("path", PAGES + API)
def test_every_page_answers_once_logged_in(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_overview_counts_match_the_workspace(client, dashboard) -> None:
    body = client.get("/api/overview").json()
    store = dashboard.workspace.store
    assert body["summary"]["persons"] == store.scalar("SELECT count(*) FROM person")
    assert body["summary"]["events"] == store.scalar("SELECT count(*) FROM current_event")
    per_system = {s["system"]: s["events"] for s in body["systems"]}
    expected = dict(store.sql("SELECT system, count(*) FROM current_event GROUP BY system"))
    assert per_system == expected
    assert sum(c["people"] for c in body["overlap"]["combinations"]) == body["summary"]["persons"]
    # The demo identifies at several as-of dates, so the cohort trend has more than one point.
    assert len({c["as_of"] for c in body["cohorts"]}) >= 2


def test_by_name_list_filters_sorts_and_pages(client, dashboard) -> None:
    everyone = client.get("/api/persons", params={"limit": 10_000}).json()
    store = dashboard.workspace.store
    assert everyone["total"] == store.scalar("SELECT count(DISTINCT person_id) FROM latest_cohort")
    fuse = client.get("/api/persons", params={"cohort": "fuse", "limit": 10_000}).json()
    assert fuse["total"] == store.scalar("SELECT count(*) FROM latest_cohort WHERE cohort='fuse'")
    assert all("fuse" in p["cohorts"] for p in fuse["persons"])
    assert all("jail bookings" in p["qualifying"]["fuse"] for p in fuse["persons"])
    by_name = client.get("/api/persons", params={"sort": "name", "order": "asc", "limit": 50})
    names = [p["name"] for p in by_name.json()["persons"]]
    assert names == sorted(names)
    second = client.get("/api/persons", params={"limit": 5, "offset": 5}).json()["persons"]
    assert [p["person_id"] for p in second] == [p["person_id"] for p in everyone["persons"][5:10]]


def test_exports_hold_the_filtered_list(client) -> None:
    listed = client.get("/api/persons", params={"cohort": "cross_system", "limit": 10_000}).json()
    csv_text = client.get("/persons.csv", params={"cohort": "cross_system"}).text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("person_id,name,dob,cohorts,needs")
    assert len(lines) - 1 == listed["total"]
    xlsx = client.get("/persons.xlsx", params={"cohort": "cross_system"})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == listed["total"]
    assert {r[0] for r in rows[1:]} == {p["person_id"] for p in listed["persons"]}


def test_person_shows_identities_and_contacts_across_systems(client, dashboard) -> None:
    person_id = a_person(dashboard)
    body = client.get(f"/api/persons/{person_id}").json()
    store = dashboard.workspace.store
    assert len(body["identities"]) == store.scalar(
        "SELECT count(*) FROM person_record WHERE person_id = ?", [person_id]
    )
    assert len({e["system"] for e in body["events"]}) >= 3
    assert body["cohorts"], "a cohort member carries why it qualified"
    page = client.get(f"/persons/{person_id}").text
    assert 'data-chart="person-timeline"' in page
    assert page.count('class="contact"') + page.count('class="span"') == len(body["events"])


def test_unknown_person_is_404(client) -> None:
    assert client.get("/api/persons/p999999999").status_code == 404


def test_review_decisions_need_the_csrf_token_and_are_stored(client, dashboard) -> None:
    pairs = client.get("/api/review", params={"limit": 5}).json()["pairs"]
    assert pairs, "the demo county has uncertain pairs"
    pair = pairs[0]
    decision = {
        "record_key_l": pair["record_key_l"],
        "record_key_r": pair["record_key_r"],
        "decision": "not_link",
        "note": "different people",
    }
    assert client.post("/api/review", json=decision).status_code == 403
    token = client.get("/api/session").json()["csrf_token"]
    response = client.post("/api/review", json=decision, headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    stored = dashboard.workspace.store.sql(
        "SELECT decision, reviewer FROM current_review_decision "
        "WHERE record_key_l = ? AND record_key_r = ?",
        [
            min(pair["record_key_l"], pair["record_key_r"]),
            max(pair["record_key_l"], pair["record_key_r"]),
        ],
    )
    assert stored == [("not_link", dashboard.account)]


def test_openapi_describes_every_data_endpoint(client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/overview",
        "/api/persons",
        "/api/persons/{person_id}",
        "/api/quality",
        "/api/review",
    ):
        assert path in paths


def test_logout_ends_the_session(dashboard) -> None:
    client = login(dashboard.url, dashboard.account, dashboard.password)
    assert client.get("/api/session").status_code == 200
    token = client.get("/api/session").json()["csrf_token"]
    cookie = client.cookies.get("ddj_session")
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    replayed = httpx.get(dashboard.url + "/api/session", cookies={"ddj_session": cookie})
    assert replayed.status_code == 401


def test_list_filters_by_need_and_person_shows_its_evidence(client, dashboard) -> None:
    store = dashboard.workspace.store
    need = store.scalar(
        "SELECT need FROM latest_need_flag WHERE person_id IN (SELECT person_id FROM latest_cohort)"
        " AND NOT part2 GROUP BY need ORDER BY count(*) DESC LIMIT 1"
    )
    assert need, "the demo county flags needs for cohort members"
    listed = client.get("/api/persons", params={"need": need, "limit": 10_000}).json()
    assert listed["total"] > 0
    assert all(need in p["needs"] for p in listed["persons"])
    person = listed["persons"][0]["person_id"]
    body = client.get(f"/api/persons/{person}").json()
    flag = next(n for n in body["needs"] if n["need"] == need)
    assert flag["evidence"] and all(item["at"] for item in flag["evidence"])
    page = client.get(f"/persons/{person}").text
    assert "Needs and their evidence" in page and need.replace("_", " ") in page


def test_an_id_moved_by_a_merge_redirects_to_the_person_now(client, dashboard) -> None:
    store = dashboard.workspace.store.cursor()
    person = a_person(dashboard)
    store.con.execute(
        "INSERT INTO person_id_change VALUES ('r-test', 'Pmerged-away', ?, 'merge', 1)", [person]
    )
    response = client.get("/persons/Pmerged-away", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/persons/{person}"
    body = client.get("/api/persons/Pmerged-away").json()
    assert body["person_id"] == person and body["requested_id"] == "Pmerged-away"
