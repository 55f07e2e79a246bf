"""Dashboard sessions: a random cookie (only its SHA-256 is stored), a CSRF token, an expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ddj.store import Store

SESSION_LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class Session:
    username: str
    role: str
    csrf_token: str
    expires_at: datetime
    via_token: bool = False  # an API token: no cookie, so no CSRF check applies


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    store: Store, username: str, *, lifetime: timedelta = SESSION_LIFETIME
) -> tuple[str, Session]:
    """Start a session; return the cookie value (shown once, never stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = datetime.now()
    store.con.execute(
        "INSERT INTO web_session (token_hash, username, csrf_token, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [_digest(token), username, csrf, now, now + lifetime],
    )
    role = store.scalar("SELECT role FROM account WHERE username = ?", [username])
    return token, Session(username, role, csrf, now + lifetime)


def session_for(store: Store, token: str | None, *, now: datetime | None = None) -> Session | None:
    """The live session a cookie opens, or None (unknown, ended, expired or account disabled)."""
    if not token:
        return None
    rows = store.sql(
        """
        SELECT s.username, a.role, s.csrf_token, s.expires_at
        FROM web_session s JOIN account a USING (username)
        WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND NOT a.disabled
        """,
        [_digest(token), now or datetime.now()],
    )
    return Session(*rows[0]) if rows else None


def end_session(store: Store, token: str) -> None:
    store.con.execute(
        "UPDATE web_session SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        [datetime.now(), _digest(token)],
    )
