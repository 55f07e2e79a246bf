"""policy.toml is checked on load with errors that say what and where; consents and the CLI."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from ddj import Workspace
from ddj.errors import ConfigError
from ddj.govern.consent import ConsentError, consented_records, record_consent, revoke_consent
from ddj.govern.policy import load_policy, parse_policy

GOOD = """
version = "t1"
[[agreements]]
name = "MOU"
purpose = "diversion"
sources = ["jail"]
systems = ["shelter"]
expires = 2030-01-01
retention_days = 365
[roles.worker]
description = "case worker"
criminal_justice = true
  [roles.worker.sources]
  jail = ["identity", "contacts"]
  [roles.worker.systems]
  "*" = ["involvement"]
"""


def parse(text: str):
    return parse_policy(tomllib.loads(text), where="policy.toml")


def test_a_good_policy_resolves_groups_by_source_then_system_then_star() -> None:
    policy = parse(GOOD)
    worker = policy.role("worker")
    assert worker.groups("jail", "jail_booking") == {"identity", "contacts"}
    assert worker.groups("bh", "behavioral_health") == {"involvement"}
    assert policy.agreement_for("jail", "jail_booking", date(2029, 12, 31)).name == "MOU"
    assert policy.agreement_for("jail", "jail_booking", date(2030, 1, 2)) is None
    assert policy.agreement_for("hmis", "shelter", date(2029, 1, 1)) is not None
    assert policy.agreement_for("bh", "behavioral_health", date(2029, 1, 1)) is None
    assert policy.retention_days("jail", "jail_booking") == 365


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('"contacts"]', '"contacts", "everything"]'), "unknown field group"),
        (
            lambda t: t.replace("criminal_justice = true", "criminal_justice = true\npart2 = true"),
            "can never see 42 CFR Part 2",
        ),
        (lambda t: t.replace("expires = 2030-01-01", 'expires = "soon"'), "expires must be a date"),
        (lambda t: t.replace('purpose = "diversion"\n', ""), "needs a purpose"),
        (
            lambda t: t.replace('sources = ["jail"]\nsystems = ["shelter"]\n', ""),
            "covers no sources",
        ),
        (lambda t: t.replace("retention_days = 365", "retention_days = -1"), "retention_days"),
        (lambda t: t + "\n[roles.Bad-Name]\n", "role names"),
        (lambda t: t.replace('version = "t1"', 'version = "t1"\nowner = "x"'), "unknown top-level"),
    ],
)
def test_mistakes_are_named(change, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(change(GOOD))
    assert message in caught.value.render()
    assert "policy.toml" in caught.value.render()


def test_an_unknown_role_says_which_roles_exist() -> None:
    with pytest.raises(ConfigError, match="use one of: worker"):
        parse(GOOD).role("boss")


def test_without_a_policy_file_the_built_in_default_applies(tmp_path: Path) -> None:
    policy = load_policy(tmp_path)
    assert "built-in default" in policy.where
    assert set(policy.roles) >= {"admin", "analyst", "case_manager", "clinician"}
    assert policy.role("analyst").aggregate_only


def test_consents_open_part2_records_only_while_active(demo_county, tmp_path: Path) -> None:
    import shutil

    for name in ("ddj.toml", "policy.toml", "ddj.duckdb"):
        shutil.copy(demo_county.root / name, tmp_path / name)
    with Workspace(tmp_path) as ws:
        store = ws.store
        key = store.scalar(
            "SELECT record_key FROM current_event WHERE part2 AND record_key NOT IN "
            "(SELECT record_key FROM consent) LIMIT 1"
        )
        plain = store.scalar(
            "SELECT record_key FROM current_record WHERE record_key NOT IN "
            "(SELECT record_key FROM current_event WHERE part2) LIMIT 1"
        )
        with pytest.raises(ConsentError, match="not a 42 CFR Part 2 record"):
            record_consent(
                store,
                plain,
                roles=["clinician"],
                purpose="t",
                given_on=date(2025, 1, 1),
                expires_on=None,
                recorded_by="t",
            )
        consent = record_consent(
            store,
            key,
            roles=["clinician"],
            purpose="treatment",
            given_on=date(2025, 1, 1),
            expires_on=date(2026, 1, 1),
            recorded_by="tester",
        )
        assert key in consented_records(store, "clinician", date(2025, 6, 1))
        assert key not in consented_records(store, "case_manager", date(2025, 6, 1))
        assert key not in consented_records(store, "clinician", date(2026, 1, 2))
        assert key not in consented_records(store, "clinician", date(2024, 12, 31))
        revoke_consent(store, consent.consent_id, on=date(2025, 3, 1))
        assert key in consented_records(store, "clinician", date(2025, 2, 28))
        assert key not in consented_records(store, "clinician", date(2025, 3, 1))
        with pytest.raises(ConsentError, match="already revoked"):
            revoke_consent(store, consent.consent_id, on=date(2025, 4, 1))


def test_policy_check_on_the_command_line(demo_county) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ddj.cli", "policy", "check", "-w", str(demo_county.root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "QSOA" in result.stdout and "in force" in result.stdout
    assert "role case_manager" in result.stdout


def test_purge_removes_what_retention_no_longer_allows(demo_county, tmp_path: Path) -> None:
    import shutil

    for name in ("ddj.toml", "ddj.duckdb"):
        shutil.copy(demo_county.root / name, tmp_path / name)
    text = (demo_county.root / "policy.toml").read_text()
    (tmp_path / "policy.toml").write_text(
        text.replace("retention_days = 2555", "retention_days = 400")
    )
    with Workspace(tmp_path) as ws:
        store = ws.store
        newest = store.scalar("SELECT max(start_at) FROM current_event").date()
        cutoff = newest - timedelta(days=400)
        expected = store.scalar(
            "SELECT count(*) FROM (SELECT event_key FROM event GROUP BY event_key "
            "HAVING max(coalesce(end_at, start_at)) < ?)",
            [cutoff],
        )
        assert expected > 0
        before = store.scalar("SELECT count(*) FROM event")
        dry = ws.purge(today=newest, dry_run=True)
        assert sum(c["contacts"] for c in dry.removed.values()) == expected
        assert store.scalar("SELECT count(*) FROM event") == before
        done = ws.purge(today=newest)
        assert sum(c["contacts"] for c in done.removed.values()) == expected
        assert (
            store.scalar(
                "SELECT count(*) FROM event WHERE coalesce(end_at, start_at) < ?", [cutoff]
            )
            == 0
        )
        assert store.scalar("SELECT count(*) FROM event") > 0
        orphans = store.scalar(
            "SELECT count(*) FROM person_record WHERE record_key NOT IN "
            "(SELECT record_key FROM source_record)"
        )
        assert orphans == 0
        assert any("kept from" in line for line in done.lines())
        from ddj.govern import audit

        purges = audit.entries(store, actions=["purge"])
        assert len(purges) == 1  # the dry run is not logged; the purge is, with counts only
        assert purges[0].details["persons_removed"] == done.persons_removed
        assert audit.verify(store).ok
