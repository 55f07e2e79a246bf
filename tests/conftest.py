"""Shared fixtures: a small synthetic county run through the whole pipeline once per session."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddj import Workspace
from ddj.demo.run import DemoResult, run_demo

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """600 synthetic people, generated, ingested, linked, identified and reported."""
    return run_demo(tmp_path_factory.mktemp("county"), people=600, seed=7)


ROLE_ACCOUNTS = ("analyst", "case_manager", "clinician", "privacy_officer")
ROLE_PASSWORD = "a test passphrase"


@dataclass
class Dashboard:
    url: str
    account: str
    password: str
    workspace: Workspace


@contextlib.contextmanager
def serving(app):
    """Serve an ASGI app with uvicorn on a free loopback port; yield its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def dashboard(demo_county: DemoResult, tmp_path_factory: pytest.TempPathFactory):
    """The dashboard served by a real uvicorn on loopback, over a copy of the demo workspace,
    with one account per role (password ROLE_PASSWORD) besides the demo's admin account."""
    from ddj.web import create_app

    root = tmp_path_factory.mktemp("dashboard")
    for name in ("ddj.toml", "policy.toml", "ddj.duckdb"):
        shutil.copy(demo_county.root / name, root / name)
    ws = Workspace(root)
    for role in ROLE_ACCOUNTS:
        ws.add_user(role.replace("_", "-"), ROLE_PASSWORD, role)
    account, password = demo_county.account
    with serving(create_app(ws.store, ws.policy, title="test county")) as url:
        yield Dashboard(url, account, password, ws)
    ws.close()
