"""The review queue on a real linked county: decisions are stored and no later link undoes them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ddj import Workspace
from ddj.demo.run import run_demo
from ddj.errors import DdjError
from ddj.link.review import estimated_quality


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("review"), people=400, seed=11)


def _same_person(ws: Workspace, a: str, b: str) -> bool:
    return (
        ws.store.scalar(
            "SELECT count(DISTINCT person_id) FROM person_record WHERE record_key IN (?, ?)", [a, b]
        )
        == 1
    )


def test_queue_lists_uncertain_pairs_nearest_the_threshold_first(county) -> None:
    with Workspace(county.root) as ws:
        items = ws.review_queue(10)
    assert items, "a messy county has uncertain pairs"
    assert all(0.5 <= i.match_probability < 0.99 for i in items)
    distances = [abs(i.match_probability - 0.97) for i in items]
    assert distances[0] <= distances[-1] + 0.05
    assert items[0].left["source"] and items[0].right["source"]
    assert "ssn" not in items[0].left  # reviewers see the last four digits only


def test_decisions_survive_relinking(county) -> None:
    with Workspace(county.root) as ws:
        items = ws.review_queue(50)
        linked = next(i for i in items if i.same_person_now)
        apart = next(i for i in items if not i.same_person_now)
        ws.decide(linked.record_key_l, linked.record_key_r, "not_link", reviewer="alice")
        ws.decide(apart.record_key_l, apart.record_key_r, "link", reviewer="bob")
        ws.link()
        assert not _same_person(ws, linked.record_key_l, linked.record_key_r)
        assert _same_person(ws, apart.record_key_l, apart.record_key_r)
        ws.link()  # and again: an automatic run never undoes a reviewer
        assert not _same_person(ws, linked.record_key_l, linked.record_key_r)
        assert _same_person(ws, apart.record_key_l, apart.record_key_r)
        stored = ws.store.dicts("SELECT * FROM current_review_decision ORDER BY reviewer")
        assert [(d["reviewer"], d["decision"]) for d in stored] == [
            ("alice", "not_link"),
            ("bob", "link"),
        ]
        assert all(d["decided_at"] and d["match_probability"] for d in stored)
        decided = {(d["record_key_l"], d["record_key_r"]) for d in stored}
        assert not decided & {(i.record_key_l, i.record_key_r) for i in ws.review_queue(500)}
        quality = estimated_quality(ws.store)
        assert quality["reviewed_pairs"] == 2


def test_bad_decisions_are_refused(county) -> None:
    with Workspace(county.root) as ws, pytest.raises(DdjError, match="no such record pair"):
        ws.decide("x|1", "y|2", "link", reviewer="alice")
    with Workspace(county.root) as ws, pytest.raises(DdjError, match="unknown decision"):
        ws.decide("x|1", "y|2", "maybe", reviewer="alice")


def test_review_in_the_terminal(county) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ddj.cli", "review", "--limit", "2", "--reviewer", "carol"],
        input="n\nq\n",
        capture_output=True,
        text=True,
        cwd=county.root,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "recorded: not_link" in result.stdout and "match probability" in result.stdout
    with Workspace(county.root) as ws:
        assert ws.store.scalar("SELECT count(*) FROM review_decision WHERE reviewer = 'carol'") == 1


def test_reviewed_links_can_train_the_model(tmp_path) -> None:
    from dataclasses import replace

    county = run_demo(tmp_path / "c", people=400, seed=12)
    with Workspace(county.root) as ws:
        pairs = ws.store.sql(
            "SELECT record_key_l, record_key_r FROM link_pair ORDER BY match_probability DESC "
            "LIMIT 25"
        )
        for a, b in pairs:
            ws.decide(a, b, "link", reviewer="alice")
        assert ws.link(mode="full").labels_used == 0  # off unless the county turns it on
        ws.config.link = replace(ws.config.link, train_from_reviews=True)
        trained = ws.link(mode="full")
        assert trained.labels_used == 25
        for a, b in pairs:
            assert _same_person(ws, a, b)
