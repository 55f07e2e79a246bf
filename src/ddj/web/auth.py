"""Who is asking: the session cookie, the CSRF check on every form and JSON write, login and logout.

Pages without a session redirect to the login page; API calls without one get 401. No page and no
API answer is given to a caller without a live session.
"""

from __future__ import annotations

import hmac
import secrets
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


def page_session(request: Request) -> Session:
    session = session_for(store_of(request), request.cookies.get(COOKIE))
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
    session = session_for(store, request.cookies.get(COOKIE))
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
