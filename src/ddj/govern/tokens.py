"""API tokens for automation: a random bearer token per use, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from ddj.govern.accounts import AccountError
from ddj.govern.sessions import Session
from ddj.store import Store


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, username: str, name: str, *, days: int = 90) -> str:
    """A new token for an account; returned once, never stored."""
    if not store.scalar("SELECT count(*) FROM account WHERE username = ?", [username]):
        raise AccountError(f"no account {username!r}", fix="create it with `ddj user add`")
    if days < 1 or days > 366:
        raise AccountError("a token lives 1 to 366 days", fix="choose --days in that range")
    token = "ddj_" + secrets.token_urlsafe(32)
    now = datetime.now()
    store.con.execute(
        "INSERT INTO api_token VALUES (?, ?, ?, ?, ?, NULL)",
        [_digest(token), username, name, now, now + timedelta(days=days)],
    )
    return token


def revoke_tokens(store: Store, username: str, name: str | None = None) -> int:
    query = "UPDATE api_token SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL"
    params: list = [datetime.now(), username]
    if name:
        query += " AND name = ?"
        params.append(name)
    before = store.scalar(
        "SELECT count(*) FROM api_token WHERE username = ? AND revoked_at IS NULL", [username]
    )
    store.con.execute(query, params)
    after = store.scalar(
        "SELECT count(*) FROM api_token WHERE username = ? AND revoked_at IS NULL", [username]
    )
    return before - after


def session_for_token(store: Store, token: str, *, now: datetime | None = None) -> Session | None:
    """The account a bearer token acts for, as a session without CSRF (no cookie, no forms)."""
    rows = store.sql(
        """
        SELECT t.username, a.role, t.expires_at FROM api_token t JOIN account a USING (username)
        WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND NOT a.disabled
        """,
        [_digest(token), now or datetime.now()],
    )
    if not rows:
        return None
    username, role, expires = rows[0]
    return Session(username, role, "", expires, via_token=True)
