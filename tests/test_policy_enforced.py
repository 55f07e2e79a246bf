"""Every role against every endpoint on the demo county: exactly the allowed fields and rows.

The demo's policy.toml has three agreements (justice/EMS/shelter MOU, hospital BAA,
behavioral-health QSOA) and the built-in roles; about 60% of the people with 42 CFR Part 2
records consented to clinicians, a few consents since revoked.
"""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from conftest import ROLE_PASSWORD, serving
from ddj.govern.consent import REDISCLOSURE_NOTICE, consented_records
from ddj.govern.policy import load_policy, parse_policy
from ddj.govern.tokens import create_token, revoke_tokens

ROLES = ("admin", "analyst", "case_manager", "clinician", "privacy_officer")
PERSON_LEVEL = ("/api/persons", "/persons", "/persons.csv", "/persons.xlsx")


def account(role: str, dashboard) -> tuple[str, str]:
    if role == "admin":
        return dashboard.account, dashboard.password
    return role.replace("_", "-"), ROLE_PASSWORD


def login(url: str, name: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": name, "password": password, "csrf": csrf})
    assert r.status_code == 303, r.text
    return client


@pytest.fixture(scope="module")
def clients(dashboard):
    made = {role: login(dashboard.url, *account(role, dashboard)) for role in ROLES}
    yield made
    for c in made.values():
        c.close()


def sources_of(dashboard, system_or_source: str) -> set[str]:
    rows = dashboard.workspace.store.sql(
        "SELECT DISTINCT source FROM ingest_batch WHERE system = ? OR source = ?",
        [system_or_source, system_or_source],
    )
    return {r[0] for r in rows}


def rich_person(dashboard, *, consented: bool | None = None) -> str:
    """A person with contacts in several systems incl. Part 2 behavioral-health records; with
    consented=True/False one whose Part 2 record has / has no active clinician consent."""
    store = dashboard.workspace.store
    keys = consented_records(store, "clinician", date.today())
    rows = store.sql(
        """
        SELECT pr.person_id, list(DISTINCT e.record_key) FILTER (WHERE e.part2) AS p2,
               count(DISTINCT e.system) AS systems
        FROM person_record pr JOIN current_event e ON e.record_key = pr.record_key
        GROUP BY pr.person_id HAVING count(*) FILTER (WHERE e.part2) > 0
        ORDER BY systems DESC, pr.person_id
        """
    )
    for person_id, p2, _ in rows:
        opened = [k in keys for k in p2]
        if consented is None or (all(opened) if consented else not any(opened)):
            return person_id
    raise AssertionError("the demo county has such a person")


@pytest.mark.parametrize("role", ["analyst", "privacy_officer"])
def test_aggregate_only_roles_get_aggregates_and_nothing_person_level(clients, dashboard, role):
    c = clients[role]
    assert c.get("/api/overview").status_code == 200
    assert c.get("/").status_code == 200
    person = rich_person(dashboard)
    for path in (*PERSON_LEVEL, f"/api/persons/{person}", f"/persons/{person}", "/api/review"):
        response = c.get(path)
        assert response.status_code == 403, path
        assert person not in response.text
    quality = c.get("/api/quality").json()
    assert quality["suspect_persons"] == []
    assert 'id="review"' not in c.get("/quality").text


@pytest.mark.parametrize("role", ["admin", "case_manager", "clinician"])
def test_person_level_roles_see_the_list(clients, role):
    body = clients[role].get("/api/persons", params={"limit": 10_000}).json()
    assert body["total"] > 0
    assert all(p["name"] for p in body["persons"])


def test_case_manager_sees_involvement_not_behavioral_health_records(clients, dashboard) -> None:
    person = rich_person(dashboard)
    body = clients["case_manager"].get(f"/api/persons/{person}").json()
    bh = sources_of(dashboard, "behavioral_health")
    assert not [e for e in body["events"] if e["source"] in bh]
    assert not [i for i in body["identities"] if i["source"] in bh]
    assert any(i["system"] == "behavioral_health" for i in body["involvement"])
    assert all(e["diagnosis_codes"] is None for e in body["events"])
    assert not any(e["part2"] for e in body["events"])
    for need in body["needs"]:
        assert all(item["code"] is None for item in need["evidence"])
    page = clients["case_manager"].get(f"/persons/{person}").text
    assert "Involved with Behavioral health" in page
    assert REDISCLOSURE_NOTICE not in page


def test_case_manager_keeps_charges_but_not_health_details(clients, dashboard) -> None:
    person = rich_person(dashboard)
    body = clients["case_manager"].get(f"/api/persons/{person}").json()
    jail = [e for e in body["events"] if e["system"] == "jail_booking"]
    ed = [e for e in body["events"] if e["system"] in ("ed", "hospital")]
    assert all(e["charges"] is not None for e in jail)
    assert all(e["disposition"] is None and e["location"] is None for e in ed)


def test_clinician_sees_part2_only_with_consent(clients, dashboard) -> None:
    with_consent = rich_person(dashboard, consented=True)
    without = rich_person(dashboard, consented=False)
    seen = clients["clinician"].get(f"/api/persons/{with_consent}").json()
    assert any(e["part2"] for e in seen["events"])
    assert any(e["diagnosis_codes"] for e in seen["events"] if e["system"] == "behavioral_health")
    assert REDISCLOSURE_NOTICE in clients["clinician"].get(f"/persons/{with_consent}").text
    hidden = clients["clinician"].get(f"/api/persons/{without}").json()
    assert not any(e["part2"] for e in hidden["events"])
    store = dashboard.workspace.store
    part2_total = store.scalar(
        "SELECT count(*) FROM current_event e JOIN person_record pr USING (record_key) "
        "WHERE pr.person_id = ? AND e.part2",
        [with_consent],
    )
    assert sum(e["part2"] for e in seen["events"]) == part2_total


@pytest.mark.parametrize("role", ["admin", "case_manager"])
def test_no_part2_for_roles_without_it(clients, dashboard, role) -> None:
    person = rich_person(dashboard, consented=True)
    body = clients[role].get(f"/api/persons/{person}").json()
    assert not any(e["part2"] for e in body["events"])
    assert REDISCLOSURE_NOTICE not in clients[role].get(f"/persons/{person}").text


def test_guessing_a_person_id_gives_nothing_beyond_the_role(clients, dashboard) -> None:
    """A person known only to behavioral health is invisible to the case manager: the answer is
    the same 404 as for an id that does not exist."""
    store = dashboard.workspace.store
    bh_only = store.scalar(
        """
        SELECT pr.person_id FROM person_record pr JOIN current_record r USING (record_key)
        GROUP BY pr.person_id HAVING bool_and(r.system = 'behavioral_health') LIMIT 1
        """
    )
    assert bh_only
    c = clients["case_manager"]
    assert c.get(f"/api/persons/{bh_only}").status_code == 404
    assert c.get("/api/persons/Pnot-a-person").status_code == 404
    assert clients["clinician"].get(f"/api/persons/{bh_only}").status_code == 200


def test_review_is_for_review_roles_only(clients, dashboard) -> None:
    assert clients["clinician"].get("/api/review").status_code == 403
    assert clients["case_manager"].get("/api/review").status_code == 200
    token = clients["clinician"].get("/api/session").json()["csrf_token"]
    decision = {"record_key_l": "a|1", "record_key_r": "b|2", "decision": "link"}
    refused = clients["clinician"].post(
        "/api/review", json=decision, headers={"X-CSRF-Token": token}
    )
    assert refused.status_code == 403


def test_an_expired_agreement_hides_its_sources_from_everyone(dashboard) -> None:
    """The same workspace served under a policy whose behavioral-health QSOA has expired."""
    from ddj.web import create_app

    root = dashboard.workspace.root
    text = (root / "policy.toml").read_text()
    expired = text.replace("expires = 2028-03-31", "expires = 2020-03-31")
    assert expired != text
    import tomllib

    policy = parse_policy(tomllib.loads(expired), where="test")
    bh = sources_of(dashboard, "behavioral_health")
    person = rich_person(dashboard, consented=True)
    with serving(create_app(dashboard.workspace.store, policy)) as url:
        clinician = login(url, "clinician", ROLE_PASSWORD)
        body = clinician.get(f"/api/persons/{person}").json()
        assert not [e for e in body["events"] if e["source"] in bh]
        overview = clinician.get("/api/overview").json()
        assert not {s for row in overview["systems"] for s in row["sources"]} & bh
        analyst = login(url, "analyst", ROLE_PASSWORD)
        full = analyst.get("/api/overview").json()["summary"]["events"]
    store = dashboard.workspace.store
    assert full == store.scalar(
        "SELECT count(*) FROM current_event WHERE source NOT IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(bh)],
    )


def test_api_tokens_act_for_their_account_until_revoked(dashboard) -> None:
    store = dashboard.workspace.store.cursor()
    token = create_token(store, "case-manager", "nightly export", days=30)
    headers = {"Authorization": f"Bearer {token}"}
    listed = httpx.get(dashboard.url + "/api/persons", headers=headers)
    assert listed.status_code == 200 and listed.json()["total"] > 0
    assert httpx.get(dashboard.url + "/api/review", headers=headers).status_code == 200
    assert revoke_tokens(store, "case-manager") == 1
    assert httpx.get(dashboard.url + "/api/persons", headers=headers).status_code == 401
    forged = {"Authorization": "Bearer ddj_forged"}
    assert httpx.get(dashboard.url + "/api/persons", headers=forged).status_code == 401


def test_export_of_part2_derived_needs_carries_the_notice(clients, dashboard) -> None:
    listed = clients["clinician"].get("/api/persons", params={"limit": 10_000}).json()
    csv_text = clients["clinician"].get("/persons.csv").text
    carries = any(p["part2"] for p in listed["persons"])
    assert csv_text.startswith("# " + REDISCLOSURE_NOTICE) == carries
    assert REDISCLOSURE_NOTICE not in clients["case_manager"].get("/persons.csv").text


def test_the_policy_file_is_the_one_served(dashboard) -> None:
    policy = load_policy(dashboard.workspace.root)
    assert [a.kind for a in policy.agreements] == ["MOU", "BAA", "QSOA"]
    assert policy.role("case_manager").criminal_justice


def test_views_exports_logins_and_decisions_are_in_the_audit_trail(clients, dashboard) -> None:
    from ddj.govern import audit

    store = dashboard.workspace.store.cursor()
    person = rich_person(dashboard)
    assert clients["case_manager"].get(f"/persons/{person}").status_code == 200
    views = [e for e in audit.views_of(store, person) if e.actor == "case-manager"]
    assert views and views[-1].action == "view_person"
    assert views[-1].purpose == "warm hand-offs to treatment and housing"
    listed = clients["clinician"].get("/persons.csv", params={"cohort": "fuse"})
    assert listed.status_code == 200
    export = [e for e in audit.entries(store, actor="clinician", actions=["export"])][-1]
    exported = {line.split(",")[0] for line in listed.text.splitlines()[1:] if line[:1] != "#"}
    assert set(export.details["person_ids"]) == exported - {"person_id"}
    # A refused login with an unknown name does not write the typed text anywhere.
    c = httpx.Client(base_url=dashboard.url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "hunter2-typed-here", "password": "x", "csrf": csrf})
    failed = audit.entries(store, actions=["login_failed"])
    assert failed and failed[-1].actor == "(unknown account)"
    assert "hunter2" not in str(store.sql("SELECT * FROM audit_log"))
    logins = audit.entries(store, actor="case-manager", actions=["login"])
    assert logins
    assert audit.verify(store).ok


def test_file_exports_pass_the_same_policy(dashboard, tmp_path) -> None:
    from ddj.govern.scope import NotAllowed

    ws = dashboard.workspace
    bh = sources_of(dashboard, "behavioral_health")
    ws.export("records", "csv", tmp_path / "cm.csv", role="case_manager")
    cm_sources = {line.split(",")[0] for line in (tmp_path / "cm.csv").read_text().splitlines()[1:]}
    assert cm_sources and not cm_sources & bh
    ws.export("records", "csv", tmp_path / "clin.csv", role="clinician")
    clin = {line.split(",")[0] for line in (tmp_path / "clin.csv").read_text().splitlines()[1:]}
    assert bh <= clin
    with pytest.raises(NotAllowed, match="aggregates only"):
        ws.export("cohort", "csv", tmp_path / "a.csv", role="analyst")


# Every role against every endpoint: the status each must get (200 allowed, 403 refused).
ENDPOINTS = {
    "/api/overview": "all",
    "/": "all",
    "/api/quality": "all",
    "/quality": "all",
    "/api/persons": "person_level",
    "/persons": "person_level",
    "/persons.csv": "person_level",
    "/persons.xlsx": "person_level",
    "/api/persons/{person}": "person_level",
    "/persons/{person}": "person_level",
    "/api/review": "review",
}
ALLOWED = {
    "all": set(ROLES),
    "person_level": {"admin", "case_manager", "clinician"},
    "review": {"admin", "case_manager"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_role_endpoint_matrix(clients, dashboard, role: str, endpoint: str) -> None:
    person = rich_person(dashboard)
    response = clients[role].get(endpoint.format(person=person))
    expected = 200 if role in ALLOWED[ENDPOINTS[endpoint]] else 403
    assert response.status_code == expected, (role, endpoint, response.text[:200])
    if expected == 403:
        assert person not in response.text
