"""Shared fixtures: a small synthetic county run through the whole pipeline once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddj.demo.run import DemoResult, run_demo

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """600 synthetic people, generated, ingested, linked, identified and reported."""
    return run_demo(tmp_path_factory.mktemp("county"), people=600, seed=7)
