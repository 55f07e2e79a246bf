"""The `ddj` command as a user runs it: a real process, real files, exit codes 0/1/2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DDJ = [sys.executable, "-m", "ddj.cli"]
COMMANDS = [
    "init",
    "ingest",
    "link",
    "identify",
    "report",
    "export",
    "quarantine",
    "status",
    "demo",
    "serve",
    "user",
    "user add",
    "user list",
    "purge",
    "policy",
    "policy check",
    "consent",
    "consent add",
    "consent revoke",
    "consent list",
    "token",
    "token add",
    "token revoke",
]


def ddj(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DDJ, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = ddj(*command.split(), "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout and f"ddj {command.split()[0]}" in result.stdout


def test_usage_errors_exit_2() -> None:
    assert ddj("export", "nonsense", "--out", "x.csv").returncode == 2
    assert ddj("no-such-command").returncode == 2


def test_failures_are_one_line_and_exit_1(tmp_path: Path) -> None:
    result = ddj("status", "--workspace", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "ddj init" in result.stderr
    assert "Traceback" not in result.stderr
    ddj("init", str(tmp_path / "ws"))
    missing = ddj(
        "ingest",
        str(tmp_path / "nope.csv"),
        "--system",
        "jail_booking",
        "--profile",
        "jail_bookings",
        cwd=tmp_path / "ws",
    )
    assert missing.returncode == 1 and "nope.csv" in missing.stderr
    assert "file not found" in missing.stderr and "Traceback" not in missing.stderr
    assert ddj("link", cwd=tmp_path / "ws").returncode == 1


def test_init_ingest_quarantine_status_via_the_environment_variable(tmp_path: Path) -> None:
    ws = tmp_path / "county"
    assert ddj("init", str(ws)).returncode == 0
    assert (ws / "ddj.toml").exists() and (ws / "ddj.duckdb").exists()
    assert "[roles.case_manager]" in (ws / "policy.toml").read_text()  # a policy to edit
    assert ddj("init", str(ws)).returncode == 1  # never overwrites a workspace
    extract = tmp_path / "clients.csv"
    extract.write_text(
        "ClientID,FirstName,MiddleName,LastName,DateOfBirth,Gender,SSN,Address,"
        "City,State,Zip,Phone\nC1,Ana,,Ruiz,1980-02-03,Female,,,,,,\n"
        "C2,Bo,,Li,not-a-date,Male,,,,,,\n"
    )
    env = {"DDJ_WORKSPACE": str(ws)}
    result = ddj(
        "ingest",
        str(extract),
        "--system",
        "behavioral_health",
        "--profile",
        "bh_clients",
        "--source",
        "bh",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "1 records added" in result.stdout and "1 rows quarantined" in result.stdout
    listing = ddj("quarantine", env=env, cwd=tmp_path)
    assert "row 2" in listing.stdout and "DateOfBirth" in listing.stdout
    status = ddj("status", env=env, cwd=tmp_path)
    assert "bh" in status.stdout and "behavioral_health" in status.stdout


def test_the_configured_pipeline_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "county"
    result = ddj("demo", "--people", "300", "--seed", "3", "--out", str(out), "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "pairwise precision" in result.stdout and "cohort fuse" in result.stdout
    assert ddj("identify", "--as-of", "2025-06-30", cwd=out).returncode == 0
    assert ddj("report", "--out", "again.html", cwd=out).returncode == 0
    assert (out / "again.html").stat().st_size > 10_000
    exported = ddj("export", "records", "--format", "csv", "--out", "links.csv", cwd=out)
    assert exported.returncode == 0
    assert (out / "links.csv").read_text().startswith("source,source_person_id,person_id")


def test_the_linkage_engine_is_one_checked_setting(tmp_path: Path) -> None:
    from ddj.config import load_config
    from ddj.errors import ConfigError

    (tmp_path / "ddj.toml").write_text('[link]\nengine = "duckdb"\n')
    assert load_config(tmp_path).link.engine == "duckdb"
    (tmp_path / "ddj.toml").write_text('[link]\nengine = "oracle"\n')
    with pytest.raises(ConfigError, match="engine 'oracle' is not available"):
        load_config(tmp_path)


def test_accounts_from_the_command_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert ddj("init", str(ws)).returncode == 0
    refused = ddj("serve", "--workspace", str(ws))
    assert refused.returncode == 1
    assert "no accounts yet" in refused.stderr and "ddj user add" in refused.stderr
    added = subprocess.run(
        [*DDJ, "user", "add", "alice", "--role", "case_manager", "--workspace", str(ws)],
        input="a long enough passphrase\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    assert "account alice created with role case_manager" in added.stdout
    short = subprocess.run(
        [*DDJ, "user", "add", "bob", "--role", "analyst", "--workspace", str(ws)],
        input="short\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert short.returncode == 1
    assert "shorter than 12 characters" in short.stderr
    wizard = subprocess.run(
        [*DDJ, "user", "add", "carol", "--role", "wizard", "--workspace", str(ws)],
        input="a long enough passphrase\n", capture_output=True, text=True, timeout=60,
    )
    assert wizard.returncode == 1
    assert "role 'wizard' is not in the policy" in wizard.stderr
    listed = ddj("user", "list", "--workspace", str(ws))
    assert listed.returncode == 0
    assert "alice" in listed.stdout and "case_manager" in listed.stdout
    assert "bob" not in listed.stdout
