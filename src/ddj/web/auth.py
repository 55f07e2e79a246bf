"""Who is asking: the session cookie, the CSRF check on every form and JSON write, login and logout.

Pages without a session redirect to the login page; API calls without one get 401. No page and no
API answer is given to a caller without a live session.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from datetime import datetime
from urllib.parse import quote

from fastapi import HTTPException, Request

from ddj.govern import Session, session_for
from ddj.govern.tokens import session_for_token
from ddj.store import Store

COOKIE = "ddj_session"
LOGIN_CSRF_COOKIE = "ddj_login_csrf"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to /login."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def store_of(request: Request) -> Store:
    return request.app.state.stores.get()


SESSION_CACHE_SECONDS = 5.0  # a live session is re-read from the store at most this often


class SessionCache:
    """Recently checked sessions, so a page does not query the store for its cookie each time.
    Logging out drops the entry at once; an expiry is checked on every use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, Session]] = {}

    def lookup(self, store, token: str | None) -> Session | None:
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(token)
        if hit and now - hit[0] < SESSION_CACHE_SECONDS and hit[1].expires_at > datetime.now():
            return hit[1]
        session = session_for(store, token)
        with self._lock:
            if session is None:
                self._seen.pop(token, None)
            else:
                if len(self._seen) > 10_000:
                    self._seen.clear()
                self._seen[token] = (now, session)
        return session

    def forget(self, token: str | None) -> None:
        with self._lock:
            self._seen.pop(token or "", None)


def _cookie_session(request: Request) -> Session | None:
    return request.app.state.sessions.lookup(store_of(request), request.cookies.get(COOKIE))


def page_session(request: Request) -> Session:
    session = _cookie_session(request)
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(quote(target, safe="/?=&"))
    return session


def api_session(request: Request) -> Session:
    """A session cookie, or an API token sent as ``Authorization: Bearer TOKEN``."""
    store = store_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        session = session_for_token(store, header[7:].strip())
        if session is None:
            raise HTTPException(
                status_code=401, detail="the API token is unknown, expired or revoked"
            )
        return session
    session = _cookie_session(request)
    if session is None:
        raise HTTPException(
            status_code=401, detail="log in first (POST /login) or send an API token"
        )
    return session


def check_csrf(session: Session, supplied: str | None) -> None:
    if not supplied or not hmac.compare_digest(session.csrf_token, supplied):
        raise HTTPException(
            status_code=403,
            detail="missing or wrong CSRF token: reload the page and try again",
        )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def safe_next(target: str | None) -> str:
    """Only same-site paths may be a redirect target after login."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
