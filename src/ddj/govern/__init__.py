"""Governance: who may use ddj and how (accounts and sessions; policy, consent and audit next)."""

from ddj.govern.accounts import (
    Account,
    AccountError,
    LoginRefused,
    add_account,
    authenticate,
    list_accounts,
)
from ddj.govern.sessions import Session, end_session, open_session, session_for

__all__ = [
    "Account",
    "AccountError",
    "LoginRefused",
    "Session",
    "add_account",
    "authenticate",
    "end_session",
    "list_accounts",
    "open_session",
    "session_for",
]
