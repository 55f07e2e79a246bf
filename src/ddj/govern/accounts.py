"""Local accounts: argon2id password hashes, roles, and lock-out after repeated failed logins.

Passwords are hashed with argon2-cffi (the reference argon2 binding, maintained by the PHC
winners' ecosystem) so ddj never stores or logs a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ddj.errors import DdjError
from ddj.store import Store

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
_hasher = PasswordHasher()


class AccountError(DdjError):
    """An account cannot be created or changed as asked."""


class LoginRefused(DdjError):
    """A login failed; the message never says whether the name or the password was wrong."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    created_at: datetime
    locked_until: datetime | None
    disabled: bool


def add_account(store: Store, username: str, password: str, role: str) -> Account:
    """Create an account; the caller checks that the role is one the policy defines."""
    if not _USERNAME.match(username):
        raise AccountError(
            f"account name {username!r} is not allowed",
            fix="use 2-64 lower-case letters, digits, '.', '-' or '_', starting with a letter",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password is shorter than {MIN_PASSWORD_LENGTH} characters",
            fix="choose a longer passphrase",
        )
    if store.scalar("SELECT count(*) FROM account WHERE username = ?", [username]):
        raise AccountError(f"account {username!r} already exists", fix="choose another name")
    now = datetime.now()
    store.con.execute(
        "INSERT INTO account (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
        [username, _hasher.hash(password), role, now],
    )
    return Account(username, role, now, None, False)


def list_accounts(store: Store) -> list[Account]:
    rows = store.sql(
        "SELECT username, role, created_at, locked_until, disabled FROM account ORDER BY username"
    )
    return [Account(*row) for row in rows]


def authenticate(
    store: Store, username: str, password: str, *, now: datetime | None = None
) -> Account:
    """Return the account when the password is right; count failures and lock after too many."""
    now = now or datetime.now()
    rows = store.sql(
        "SELECT password_hash, role, created_at, failed_logins, locked_until, disabled "
        "FROM account WHERE username = ?",
        [username],
    )
    if not rows:
        _hasher.hash(password)  # spend the same time as a real check, so names cannot be probed
        raise LoginRefused("wrong account name or password")
    password_hash, role, created_at, failed, locked_until, disabled = rows[0]
    if disabled:
        raise LoginRefused("wrong account name or password")
    if locked_until is not None and locked_until > now:
        raise LoginRefused(
            "this account is locked after repeated failed logins",
            fix=f"try again after {locked_until:%H:%M}, or ask an administrator",
        )
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        failed += 1
        lock = now + LOCKOUT if failed >= MAX_FAILED_LOGINS else None
        store.con.execute(
            "UPDATE account SET failed_logins = ?, locked_until = ? WHERE username = ?",
            [0 if lock else failed, lock, username],
        )
        raise LoginRefused("wrong account name or password") from None
    if failed or locked_until is not None or _hasher.check_needs_rehash(password_hash):
        store.con.execute(
            "UPDATE account SET failed_logins = 0, locked_until = NULL, password_hash = ? "
            "WHERE username = ?",
            [_rehash(password_hash, password), username],
        )
    return Account(username, role, created_at, None, False)


def _rehash(password_hash: str, password: str) -> str:
    return _hasher.hash(password) if _hasher.check_needs_rehash(password_hash) else password_hash
