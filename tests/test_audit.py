"""The audit trail: hash-chained rows in a real workspace; tampering caught by verify and CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from ddj import Workspace
from ddj.govern import audit
from ddj.govern.audit import AuditError
from ddj.store import Store

DDJ = [sys.executable, "-m", "ddj.cli"]
COLUMNS = audit._COLUMNS


def ddj(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DDJ, *args], cwd=cwd, capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    Workspace.init(tmp_path / "ws").close()
    return tmp_path / "ws"


def _store(root: Path) -> Store:
    return Store(root / "ddj.duckdb")


def _fill(store: Store, n: int) -> None:
    """n rows of the kinds the dashboard writes: logins, views, lists, exports, decisions."""
    for i in range(n):
        kind = i % 4
        if kind == 0:
            audit.record(store, actor=f"user{i % 3}", action="login")
        elif kind == 1:
            audit.record(
                store,
                actor=f"user{i % 3}",
                action="view_person",
                subject_kind="person",
                subject_id=f"P-{i:04d}",
                purpose="care coordination",
            )
        elif kind == 2:
            audit.record(
                store,
                actor=f"user{i % 3}",
                action="export",
                subject_kind="file",
                subject_id=f"cohort-{i}.csv",
                details={"format": "csv", "rows": 2, "person_ids": [f"P-{i:04d}", "P-9999"]},
            )
        else:
            audit.record(
                store,
                actor="reviewer",
                action="review_decision",
                subject_kind="pair",
                subject_id=f"jail|{i}~shelter|{i}",
                details={"decision": "link"},
            )


def _rows(store: Store) -> list[list]:
    return [list(r) for r in store.sql(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq")]


def _rewrite(store: Store, rows: list[list]) -> None:
    """Replace the whole table, as someone with write access to the file could."""
    store.con.execute("DELETE FROM audit_log")
    for row in rows:
        store.con.execute(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({', '.join('?' * 10)})", row)


def _rehash(prev_hash: str, row: list) -> list:
    row = [*row[:8], prev_hash, None]
    row[9] = audit._row_hash(prev_hash, *row[:8])
    return row


def test_an_empty_trail_is_intact(workspace: Path) -> None:
    with _store(workspace) as store:
        result = audit.verify(store)
    assert result.ok and result.rows_checked == 0 and result.head_seq is None
    assert ddj("audit", "verify", cwd=workspace).returncode == 0


def test_chain_is_intact_after_many_records_from_several_threads(workspace: Path) -> None:
    store = _store(workspace)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        cursor = store.cursor()  # as each web request does
        try:
            for i in range(25):
                audit.record(
                    cursor,
                    actor=name,
                    action="view_person",
                    subject_kind="person",
                    subject_id=f"P-{i}",
                )
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"user{t}",)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    _fill(store, 50)
    result = audit.verify(store)
    assert result.ok, result.line()
    assert result.rows_checked == 200 and result.head_seq == 200
    assert [r[0] for r in _rows(store)] == list(range(1, 201))
    per_actor = dict(store.sql("SELECT actor, count(*) FROM audit_log GROUP BY actor"))
    assert all(per_actor[f"user{t}"] >= 25 for t in range(6))
    store.close()
    run = ddj("audit", "verify", cwd=workspace)
    assert run.returncode == 0 and "intact: 200 rows" in run.stdout


def _edit_field(store: Store) -> None:
    store.con.execute("UPDATE audit_log SET subject_id = 'P-0000' WHERE seq = 6")


def _edit_time(store: Store) -> None:
    store.con.execute(
        "UPDATE audit_log SET occurred_at = occurred_at - INTERVAL 1 DAY WHERE seq = 6"
    )


def _edit_details(store: Store) -> None:
    store.con.execute("""UPDATE audit_log SET details = '{"rows":1}' WHERE seq = 6""")


def _edit_and_rehash_the_row(store: Store) -> None:
    rows = _rows(store)
    rows[5][2] = "someone_else"
    rows[5] = _rehash(rows[4][9], rows[5])
    _rewrite(store, rows)


def _delete_row(store: Store) -> None:
    store.con.execute("DELETE FROM audit_log WHERE seq = 6")


def _delete_and_renumber(store: Store) -> None:
    rows = _rows(store)
    del rows[5]
    for row in rows[5:]:
        row[0] -= 1
    _rewrite(store, rows)


def _insert_forged_row(store: Store) -> None:
    rows = _rows(store)
    forged = [6, rows[5][1], "nobody", "login", None, None, None, None]
    forged = _rehash(rows[4][9], forged)  # the forger knows the algorithm
    for row in rows[5:]:
        row[0] += 1
    _rewrite(store, [*rows[:5], forged, *rows[5:]])


def _swap_rows(store: Store) -> None:
    rows = _rows(store)
    rows[5][0], rows[6][0] = 7, 6
    _rewrite(store, rows)


@pytest.mark.parametrize(
    ("tamper", "broken", "why"),
    [
        (_edit_field, 6, "edited"),
        (_edit_time, 6, "edited"),
        (_edit_details, 6, "edited"),
        (_edit_and_rehash_the_row, 7, "prev_hash"),
        (_delete_row, 6, "missing"),
        (_delete_and_renumber, 6, "prev_hash"),
        (_insert_forged_row, 7, "prev_hash"),
        (_swap_rows, 6, "prev_hash"),
    ],
)
def test_tampering_is_detected_by_verify_and_the_cli(workspace, tamper, broken, why) -> None:
    with _store(workspace) as store:
        _fill(store, 12)
        assert audit.verify(store).ok
        tamper(store)
        result = audit.verify(store)
    assert not result.ok
    assert result.broken_seq == broken and why in result.reason
    assert result.rows_checked == broken - 1
    run = ddj("audit", "verify", cwd=workspace)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"broken at row {broken}" in lines[0]
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_an_anchor_kept_outside_catches_a_rebuilt_chain_and_a_removed_tail(workspace) -> None:
    with _store(workspace) as store:
        _fill(store, 8)
        head = audit.verify(store)
        anchor = f"{head.head_seq}:{head.head_hash}"
        rows = _rows(store)
        rows[2][6] = "a purpose made up later"
        prev = audit.GENESIS
        for i, row in enumerate(rows):  # the whole chain recomputed from row 1
            rows[i] = _rehash(prev, row)
            prev = rows[i][9]
        _rewrite(store, rows)
        assert audit.verify(store).ok  # without an anchor a full rebuild looks intact
        rebuilt = audit.verify(store, anchor=(head.head_seq, head.head_hash))
        assert not rebuilt.ok and rebuilt.broken_seq == 8 and "anchor" in rebuilt.reason
    assert ddj("audit", "verify", "--anchor", anchor, cwd=workspace).returncode == 1
    with _store(workspace) as store:  # reopened after deletes: DuckDB 2.0.1's Top-N trap
        _rewrite(store, [])
        _fill(store, 8)
        anchor = audit.verify(store)
        store.con.execute("DELETE FROM audit_log WHERE seq = 8")
        assert audit.verify(store).ok  # the tail alone: only an anchor can tell
        cut = audit.verify(store, anchor=(anchor.head_seq, anchor.head_hash))
    assert not cut.ok and cut.broken_seq == 8 and "removed from the end" in cut.reason
    good = ddj("audit", "verify", "--anchor", f"7:{_rows_hash(workspace, 7)}", cwd=workspace)
    assert good.returncode == 0 and good.stdout.startswith("audit trail intact: 7 rows")


def _rows_hash(workspace: Path, seq: int) -> str:
    with _store(workspace) as store:
        return store.scalar("SELECT row_hash FROM audit_log WHERE seq = ?", [seq])


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"password": "correct horse battery"}, "details.password"),
        ({"person": {"first_name": "JOHN"}}, "details.person.first_name"),
        ({"SSN": "123456789"}, "details.SSN"),
        ({"note": "says he sleeps at the bus station"}, "details.note"),
        ({"comment": "x" * 300}, "300 characters"),
        ({"when": date(2026, 1, 1)}, "date cannot be stored"),
        ({"score": float("nan")}, "only finite numbers"),
    ],
)
def test_record_refuses_secrets_and_record_contents(workspace, details, message) -> None:
    with _store(workspace) as store:
        with pytest.raises(AuditError, match=message):
            audit.record(store, actor="alice", action="export", details=details)
        assert store.scalar("SELECT count(*) FROM audit_log") == 0


def test_long_purposes_are_refused_and_numeric_ids_are_kept_as_text(workspace) -> None:
    with _store(workspace) as store:
        with pytest.raises(AuditError, match="purpose is 250 characters long"):
            audit.record(store, actor="alice", action="view_person", purpose="p" * 250)
        seq = audit.record(
            store, actor="alice", action="view_person", subject_kind="person", subject_id=42
        )
        assert audit.entries(store)[0].subject_id == "42" and seq == 1
        assert audit.verify(store).ok


def test_record_refuses_unknown_actions_and_open_transactions(workspace) -> None:
    with _store(workspace) as store:
        with pytest.raises(AuditError, match="unknown audit action 'veiw_person'"):
            audit.record(store, actor="alice", action="veiw_person")
        with pytest.raises(AuditError, match="needs an actor"):
            audit.record(store, actor="", action="login")
        store.con.execute("BEGIN")
        with pytest.raises(AuditError, match="inside an open transaction"):
            audit.record(store, actor="alice", action="login")
        store.con.execute("ROLLBACK")
        assert audit.record(store, actor="alice", action="login") == 1
        assert audit.record(store, actor="alice", action="logout") == 2


def _day(d: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, d, hour)


@pytest.fixture
def history(workspace: Path) -> Path:
    """Who looked at whom over four days, with logins and a policy change in between."""
    with _store(workspace) as store:
        rec = audit.record
        rec(store, actor="alice", action="login", now=_day(1, 8))
        rec(
            store,
            actor="alice",
            action="view_person",
            subject_kind="person",
            subject_id="P-1",
            purpose="care coordination",
            now=_day(1, 9),
        )
        rec(
            store,
            actor="alice",
            action="view_list",
            subject_kind="cohort",
            subject_id="frequent_utilizers",
            details={"person_ids": ["P-1", "P-2", "P-3"]},
            now=_day(2),
        )
        rec(store, actor="bob", action="login_failed", now=_day(2, 13))
        rec(
            store,
            actor="bob",
            action="view_person",
            subject_kind="person",
            subject_id="P-2",
            purpose="discharge planning",
            now=_day(3),
        )
        rec(
            store,
            actor="bob",
            action="export",
            subject_kind="file",
            subject_id="cohort.csv",
            details={"format": "csv", "rows": 2, "person_ids": ["P-2", "P-3"]},
            purpose="monthly case conference",
            now=_day(3, 15),
        )
        rec(store, actor="carol", action="policy_change", subject_kind="policy", now=_day(4))
        rec(
            store,
            actor="alice",
            action="view_person",
            subject_kind="person",
            subject_id="P-1",
            purpose="follow-up",
            now=_day(4, 10),
        )
    return workspace


def test_listing_filters_by_actor_person_and_dates(history: Path) -> None:
    with _store(history) as store:
        seqs = lambda **kw: [e.seq for e in audit.entries(store, **kw)]  # noqa: E731
        assert seqs() == list(range(1, 9))
        assert seqs(actor="bob") == [4, 5, 6]
        assert seqs(person="P-2") == [3, 5, 6]
        assert seqs(person="P-1") == [2, 3, 8]
        assert seqs(person="P-2", actor="bob") == [5, 6]
        assert seqs(since=date(2026, 11, 3)) == [5, 6, 7, 8]
        assert seqs(until=date(2026, 11, 2)) == [1, 2, 3, 4]  # the whole of the 2nd
        assert seqs(since=date(2026, 11, 2), until=date(2026, 11, 3)) == [3, 4, 5, 6]
        assert seqs(until=_day(3, 14)) == [1, 2, 3, 4, 5]
        assert seqs(actions=["login", "login_failed"]) == [1, 4]
        assert seqs(limit=2) == [7, 8]
        assert [e.seq for e in audit.views_of(store, "P-3")] == [3, 6]
        assert [e.seq for e in audit.views_of(store, "P-1", since=date(2026, 11, 2))] == [3, 8]
        with pytest.raises(AuditError, match="unknown audit action"):
            audit.entries(store, actions=["look"])
        exported = audit.entries(store, actions=["export"])[0]
        assert exported.details["person_ids"] == ["P-2", "P-3"] and exported.at == _day(3, 15)


def test_report_says_who_looked_at_whom(history: Path) -> None:
    with _store(history) as store:
        summary = {(s.actor, s.person_id): s for s in audit.report(store)}
        assert set(summary) == {
            ("alice", "P-1"),
            ("alice", "P-2"),
            ("alice", "P-3"),
            ("bob", "P-2"),
            ("bob", "P-3"),
        }
        a1 = summary["alice", "P-1"]
        assert (a1.viewed, a1.listed, a1.exported) == (2, 1, 0)
        assert (a1.first_at, a1.last_at) == (_day(1, 9), _day(4, 10))
        assert a1.purposes == ("care coordination", "follow-up")
        b2 = summary["bob", "P-2"]
        assert (b2.viewed, b2.listed, b2.exported) == (1, 0, 1)
        assert b2.purposes == ("discharge planning", "monthly case conference")
        only = audit.report(store, person="P-3", since=date(2026, 11, 3))
        assert [(s.actor, s.exported) for s in only] == [("bob", 1)]


def test_the_cli_lists_views_and_exports_with_filters(history: Path) -> None:
    run = ddj("audit", "--person", "P-2", cwd=history)
    assert run.returncode == 0
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 3
    assert "alice  view_list  cohort frequent_utilizers  (3 persons)" in lines[0]
    assert "bob  view_person  person P-2  purpose: discharge planning" in lines[1]
    assert "bob  export  file cohort.csv  (2 persons)" in lines[2]
    bob = ddj("audit", "--actor", "bob", "--all", "--until", "2026-11-02", cwd=history)
    assert bob.stdout.strip().splitlines() == ["2026-11-02 13:00:00  bob  login_failed  -"]
    summary = ddj("audit", "--summary", "--since", "2026-11-04", cwd=history)
    assert summary.stdout.startswith("alice -> person P-1: viewed 1, listed 0, exported 0")
    none = ddj("audit", "--actor", "mallory", cwd=history)
    assert none.returncode == 0 and none.stdout.strip() == "no audit rows match"
    bad = ddj("audit", "--since", "last tuesday", cwd=history)
    assert bad.returncode == 2 and "not a date" in bad.stderr


@pytest.mark.parametrize("command", ["audit", "audit verify"])
def test_audit_commands_have_help_with_an_example(command: str, tmp_path: Path) -> None:
    run = ddj(*command.split(), "--help", cwd=tmp_path)
    assert run.returncode == 0
    assert "Example" in run.stdout and f"ddj {command}" in run.stdout
