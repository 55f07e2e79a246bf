"""Training on a sample: expectation maximisation reads at most [link] max_pairs_for_em pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from splink.internals.linker_components.training import LinkerTraining

from ddj import Workspace
from ddj.config import LinkConfig, parse_config
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config
from ddj.errors import ConfigError


def test_the_em_sample_size_is_a_checked_setting(tmp_path: Path) -> None:
    assert LinkConfig().max_pairs_for_em == 1e6
    config = parse_config({"link": {"max_pairs_for_em": 5e5}}, tmp_path, where="ddj.toml")
    assert config.link.max_pairs_for_em == 5e5
    assert parse_config({"link": {"max_pairs_for_em": 0}}, tmp_path, where="x").link
    for bad in (-1, "many", True):
        with pytest.raises(ConfigError, match="max_pairs_for_em"):
            parse_config({"link": {"max_pairs_for_em": bad}}, tmp_path, where="ddj.toml")
    with pytest.raises(ConfigError, match="max_pairs_for_training"):
        parse_config({"link": {"max_pairs_for_training": 0}}, tmp_path, where="ddj.toml")


def _with_em_pairs(n: int) -> str:
    text = demo_config()
    assert "\n[link]\n" in text
    return text.replace("\n[link]\n", f"\n[link]\nmax_pairs_for_em = {n}\n", 1)


def _parameters(ws: Workspace) -> list:
    """The trained m and u of the latest run's model."""
    stored = json.loads(
        ws.store.scalar(
            "SELECT CAST(model_json AS VARCHAR) FROM link_run ORDER BY started_at DESC LIMIT 1"
        )
    )
    return [
        (c["output_column_name"], level.get("m_probability"), level.get("u_probability"))
        for c in stored["comparisons"]
        for level in c["comparison_levels"]
    ]


def _sessions(monkeypatch: pytest.MonkeyPatch) -> list:
    """Record every EM session a link trains (its sampling decision is in _sample_info)."""
    sessions: list = []
    original = LinkerTraining.estimate_parameters_using_expectation_maximisation

    def recording(self, *args, **kwargs):
        session = original(self, *args, **kwargs)
        sessions.append(session)
        return session

    monkeypatch.setattr(
        LinkerTraining, "estimate_parameters_using_expectation_maximisation", recording
    )
    return sessions


def test_em_trains_on_a_repeatable_sample_of_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_county(tmp_path, people=800, seed=3)
    ws = Workspace.init(tmp_path, config_text=_with_em_pairs(300))
    assert ws.config.link.max_pairs_for_em == 300
    ws.ingest()
    sessions = _sessions(monkeypatch)
    first = ws.link(mode="full")
    # Blocking on the date of birth gives more pairs than that: EM reads a sample of them.
    by_dob = sessions[0]._sample_info
    assert by_dob["sampling_applied"] and by_dob["estimated_total_pairs"] > 300
    assert by_dob["expected_pairs_after_sampling"] < 400
    persons = dict(ws.store.sql("SELECT record_key, person_id FROM person_record"))
    model = _parameters(ws)
    # The sample is drawn by a hash of the record keys: the same data trains the same model.
    again = ws.link(mode="full")
    assert again.n_persons == first.n_persons
    assert dict(ws.store.sql("SELECT record_key, person_id FROM person_record")) == persons
    # the same sample trains the same model (to rounding: DuckDB sums in parallel, in any order)
    again_model = _parameters(ws)
    assert [p[0] for p in again_model] == [p[0] for p in model]
    for (_, *again_mu), (_, *first_mu) in zip(again_model, model, strict=True):
        for a, b in zip(again_mu, first_mu, strict=True):  # None for the null level
            assert a == b if b is None else a == pytest.approx(b, rel=1e-9)
    ws.close()


def test_no_em_sample_when_the_setting_is_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_county(tmp_path, people=300, seed=4)
    ws = Workspace.init(tmp_path, config_text=_with_em_pairs(0))
    ws.ingest()
    sessions = _sessions(monkeypatch)
    ws.link(mode="full")
    assert sessions and not any(s._sample_info["sampling_applied"] for s in sessions)
    ws.close()
