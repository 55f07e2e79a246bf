"""The review queue: pairs the model is unsure of, and reviewers' decisions on them.

A decision (link / not_link) is stored with who, when and the model's score at the time; the
latest decision on a pair is the one in force (``current_review_decision``). ``ddj link`` takes
every "link" as given and never joins a "not_link" pair, so no automatic run undoes a reviewer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ddj.errors import DdjError, StageOrderError
from ddj.store import Store

DECISIONS = ("link", "not_link")
# Pairs scored in this band are uncertain; the ones nearest the linking threshold come first.
REVIEW_LOW, REVIEW_HIGH = 0.5, 0.99
_SHOWN = (
    "source",
    "source_person_id",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "sex",
    "ssn_last4",
    "address",
    "zip",
    "phone",
)


@dataclass(frozen=True)
class ReviewItem:
    record_key_l: str
    record_key_r: str
    match_probability: float
    match_weight: float
    left: dict[str, Any]
    right: dict[str, Any]
    same_person_now: bool


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log2(p / (1 - p))


def review_queue(store: Store, limit: int = 20) -> list[ReviewItem]:
    threshold = store.scalar("SELECT threshold FROM link_run ORDER BY started_at DESC LIMIT 1")
    if threshold is None:
        raise StageOrderError("nothing linked yet", fix="run `ddj link` first")
    rows = store.dicts(
        f"""
        SELECT p.record_key_l, p.record_key_r, p.match_probability, p.match_weight,
               pl.person_id = pr.person_id AS same_person_now
        FROM link_pair p
        JOIN person_record pl ON pl.record_key = p.record_key_l
        JOIN person_record pr ON pr.record_key = p.record_key_r
        LEFT JOIN current_review_decision d
          ON d.record_key_l = least(p.record_key_l, p.record_key_r)
         AND d.record_key_r = greatest(p.record_key_l, p.record_key_r)
        WHERE d.decision IS NULL AND p.match_probability >= ? AND p.match_probability < ?
        ORDER BY abs(p.match_weight - ?), p.record_key_l, p.record_key_r
        LIMIT {int(limit)}
    """,
        [REVIEW_LOW, REVIEW_HIGH, _logit(threshold)],
    )
    if not rows:
        return []
    keys = {r["record_key_l"] for r in rows} | {r["record_key_r"] for r in rows}
    placeholders = ", ".join("?" for _ in keys)
    records = {
        r["record_key"]: r
        for r in store.dicts(
            f"SELECT record_key, {', '.join(_SHOWN)} FROM current_record "
            f"WHERE record_key IN ({placeholders})",
            sorted(keys),
        )
    }
    return [
        ReviewItem(
            r["record_key_l"],
            r["record_key_r"],
            r["match_probability"],
            r["match_weight"],
            _shown(records.get(r["record_key_l"])),
            _shown(records.get(r["record_key_r"])),
            bool(r["same_person_now"]),
        )
        for r in rows
    ]


def _shown(record: dict[str, Any] | None) -> dict[str, Any]:
    return {k: (record or {}).get(k) for k in _SHOWN}


def decide(
    store: Store,
    record_key_a: str,
    record_key_b: str,
    decision: str,
    *,
    reviewer: str,
    note: str | None = None,
) -> None:
    if decision not in DECISIONS:
        raise DdjError(f"unknown decision {decision!r}", fix=f"use {' or '.join(DECISIONS)}")
    if record_key_a == record_key_b:
        raise DdjError("a pair needs two different records")
    left, right = sorted((record_key_a, record_key_b))
    known = store.scalar(
        "SELECT count(DISTINCT record_key) FROM current_record WHERE record_key IN (?, ?)",
        [left, right],
    )
    if known != 2:
        raise DdjError(
            f"no such record pair: {left} / {right}", fix="take the keys from `ddj review --list`"
        )
    probability = store.scalar(
        "SELECT match_probability FROM link_pair WHERE least(record_key_l, record_key_r) = ? "
        "AND greatest(record_key_l, record_key_r) = ?",
        [left, right],
    )
    store.con.execute(
        "INSERT INTO review_decision VALUES (?, ?, ?, ?, ?, ?, ?)",
        [left, right, decision, reviewer, datetime.now(), note, probability],
    )


def decisions(store: Store) -> list[dict[str, Any]]:
    return store.dicts("SELECT * FROM current_review_decision ORDER BY decided_at")


def estimated_quality(store: Store) -> dict[str, float | int | None]:
    """Precision as reviewers saw it: of the reviewed pairs the model linked, the share they
    confirmed; recall: of the pairs they said are one person, the share the model had linked."""
    row = store.sql("""
        SELECT count(*) FILTER (WHERE linked),
               count(*) FILTER (WHERE linked AND decision = 'link'),
               count(*) FILTER (WHERE decision = 'link'),
               count(*) FILTER (WHERE decision = 'link' AND linked)
        FROM (SELECT d.decision, coalesce(p.match_probability >= r.threshold, false) AS linked
              FROM current_review_decision d
              LEFT JOIN link_pair p ON least(p.record_key_l, p.record_key_r) = d.record_key_l
                                    AND greatest(p.record_key_l, p.record_key_r) = d.record_key_r
              CROSS JOIN (SELECT threshold FROM link_run ORDER BY started_at DESC LIMIT 1) r)
    """)[0]
    linked, linked_confirmed, said_link, said_link_linked = row
    return {
        "reviewed_precision": linked_confirmed / linked if linked else None,
        "reviewed_recall": said_link_linked / said_link if said_link else None,
        "reviewed_pairs": store.scalar("SELECT count(*) FROM current_review_decision"),
    }
