"""The demo county's data-sharing policy and 42 CFR Part 2 consents (synthetic)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from importlib import resources

from ddj.govern.consent import record_consent, revoke_consent
from ddj.store import Store

AGREEMENTS = """\
# policy.toml written by `ddj demo`: the synthetic county's data-sharing agreements and roles.
version = "demo-1"

[[agreements]]
name = "County justice, EMS and shelter data-sharing MOU"
kind = "MOU"
parties = ["Sheriff's Office", "Police Department", "County EMS", "Continuum of Care (HMIS)"]
purpose = "identify frequent utilizers and coordinate diversion to treatment and housing"
sources = ["county_jail", "police_cad", "county_ems", "shelters"]
expires = 2028-06-30
retention_days = 2555

[[agreements]]
name = "County hospital business-associate agreement"
kind = "BAA"
parties = ["County Hospital", "County Health Department"]
purpose = "care coordination for people with frequent emergency visits"
sources = ["county_hospital"]
expires = 2028-12-31
retention_days = 2555

[[agreements]]
name = "Behavioral-health qualified service organization agreement (42 CFR Part 2)"
kind = "QSOA"
parties = ["County Behavioral Health", "Community Mental Health Center"]
purpose = "treatment and care coordination; Part 2 records only with the patient's consent"
sources = ["behavioral_health", "bh_fhir"]
expires = 2028-03-31
retention_days = 2555

"""


def demo_policy() -> str:
    """The demo agreements followed by the built-in roles."""
    default = (resources.files("ddj.govern") / "default_policy.toml").read_text("utf-8")
    return AGREEMENTS + default[default.index("[roles.") :]


def record_demo_consents(store: Store, *, seed: int, share: float = 0.6) -> int:
    """Consents to clinicians for about `share` of the people with Part 2 records; a few of them
    expired or revoked, as in real programs. Returns the number of consents recorded."""
    rng = random.Random(seed)
    keys = [
        r[0]
        for r in store.sql(
            "SELECT DISTINCT record_key FROM current_event WHERE part2 ORDER BY record_key"
        )
    ]
    newest = store.scalar("SELECT max(start_at) FROM current_event")
    today = newest.date() if newest else date.today()
    n = 0
    for key in keys:
        if rng.random() > share:
            continue
        given = today - timedelta(days=rng.randint(30, 700))
        expires = given + timedelta(days=365 * 3)
        consent = record_consent(
            store,
            key,
            roles=["clinician"],
            purpose="treatment and care coordination",
            given_on=given,
            expires_on=expires,
            recorded_by="demo",
        )
        if rng.random() < 0.1:
            revoke_consent(store, consent.consent_id, on=given + timedelta(days=rng.randint(1, 20)))
        n += 1
    return n
