"""Local accounts and sessions against a real workspace file: hashes, expiry, lock-out."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ddj.govern import LoginRefused, add_account, authenticate, end_session, open_session
from ddj.govern.accounts import AccountError
from ddj.govern.sessions import session_for
from ddj.store import Store


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "ddj.duckdb") as s:
        yield s


def test_only_an_argon2id_hash_is_stored(store) -> None:
    add_account(store, "alice", "correct horse battery", "case_manager")
    stored = store.scalar("SELECT password_hash FROM account WHERE username = 'alice'")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert authenticate(store, "alice", "correct horse battery").role == "case_manager"


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("Alice Smith", "long enough secret", "not allowed"), ("bob", "short", "shorter than 12")],
)
def test_bad_accounts_are_refused_with_a_reason(store, name, password, message) -> None:
    with pytest.raises(AccountError, match=message):
        add_account(store, name, password, "analyst")


def test_five_failures_lock_for_fifteen_minutes(store) -> None:
    add_account(store, "carol", "a long passphrase", "analyst")
    start = datetime(2026, 1, 1, 9, 0)
    for i in range(5):
        with pytest.raises(LoginRefused, match="wrong account name or password"):
            authenticate(store, "carol", f"guess {i}", now=start)
    with pytest.raises(LoginRefused, match="locked"):
        authenticate(store, "carol", "a long passphrase", now=start + timedelta(minutes=14))
    assert authenticate(store, "carol", "a long passphrase", now=start + timedelta(minutes=16))


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(store) -> None:
    with pytest.raises(LoginRefused) as unknown:
        authenticate(store, "nobody", "whatever it is")
    add_account(store, "dave", "a long passphrase", "analyst")
    with pytest.raises(LoginRefused) as wrong:
        authenticate(store, "dave", "not the passphrase")
    assert unknown.value.render() == wrong.value.render()


def test_sessions_expire_and_end(store) -> None:
    add_account(store, "erin", "a long passphrase", "clinician")
    token, session = open_session(store, "erin", lifetime=timedelta(hours=1))
    assert store.scalar("SELECT count(*) FROM web_session WHERE token_hash = ?", [token]) == 0
    assert session_for(store, token).role == "clinician"
    assert session_for(store, token, now=datetime.now() + timedelta(hours=2)) is None
    end_session(store, token)
    assert session_for(store, token) is None
    store.con.execute("UPDATE account SET disabled = true WHERE username = 'erin'")
    other, _ = open_session(store, "erin")
    assert session_for(store, other) is None
