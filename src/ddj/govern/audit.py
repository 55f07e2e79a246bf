"""The audit trail: who did what to whom, when and why, in an append-only, hash-chained table.

Each row's ``row_hash`` is the SHA-256 of the previous row's hash and a canonical serialisation
of the row's own fields, so editing, deleting, inserting or reordering a row breaks the chain at
that row and :func:`verify` names it. DuckDB has no triggers: rows are only ever appended because
this module is the only writer, and the chain shows when someone went around it. Someone who
can write the database file could rebuild the whole chain from the start; that is caught only
against a head kept outside the database (``verify(store, anchor=(seq, row_hash))``, the head
that ``ddj audit verify`` prints).

Rows hold ids and counts, never names, record contents, passwords or tokens: :func:`record`
refuses details whose keys name such things or whose texts are long enough to be contents.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from ddj.errors import DdjError
from ddj.store import Store

GENESIS = "0" * 64  # the prev_hash of the first row

ACTIONS: dict[str, str] = {
    "login": "an account logged in",
    "login_failed": "a login was refused",
    "logout": "an account logged out",
    "view_person": "a person's page or records were shown",
    "view_list": "a by-name list was shown",
    "export": "data left ddj as a file (CSV, XLSX, Parquet, report)",
    "review_decision": "a reviewer decided whether two records are one person",
    "policy_change": "the data-sharing policy was loaded or changed",
    "purge": "records past their retention were removed",
    "token_created": "an API token was created",
    "token_revoked": "an API token was revoked",
    "account_created": "an account was created",
    "account_changed": "an account's role or state was changed",
    "consent_recorded": "a 42 CFR Part 2 consent was recorded",
    "consent_revoked": "a 42 CFR Part 2 consent was revoked",
    "view_audit": "the audit trail was read",
}
# The actions that show or release a person's data: what "who looked at whom" reports.
ACCESS_ACTIONS: tuple[str, ...] = ("view_person", "view_list", "export")

# Detail keys that would put secrets or a person's identity into the log.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "password",
        "passphrase",
        "secret",
        "token",
        "api_key",
        "cookie",
        "csrf",
        "csrf_token",
        "name",
        "first_name",
        "middle_name",
        "last_name",
        "full_name",
        "dob",
        "date_of_birth",
        "ssn",
        "ssn_last4",
        "address",
        "phone",
        "email",
        "diagnosis",
        "diagnosis_codes",
        "charges",
        "note",
        "notes",
    }
)
MAX_DETAIL_TEXT = 200  # longer texts are likely contents, not ids
_COLUMNS = (
    "seq, occurred_at, actor, action, subject_kind, subject_id, purpose, details, "
    "prev_hash, row_hash"
)
_lock = threading.Lock()  # one writer at a time in this process; the file lock covers others


class AuditError(DdjError):
    """An audit row cannot be written as asked, or the log cannot be read as asked."""


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject_kind: str | None
    subject_id: str | None
    purpose: str | None
    details: dict[str, Any] | None

    def line(self) -> str:
        subject = f"{self.subject_kind or ''} {self.subject_id or ''}".strip() or "-"
        parts = [f"{self.at:%Y-%m-%d %H:%M:%S}", self.actor, self.action, subject]
        if self.details and self.details.get("person_ids"):
            parts.append(f"({len(self.details['person_ids'])} persons)")
        if self.purpose:
            parts.append(f"purpose: {self.purpose}")
        return "  ".join(parts)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows_checked: int  # rows found intact, in order, before the first broken one
    broken_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None  # the last intact row: keep (seq, hash) outside as an anchor
    head_hash: str | None = None

    def line(self) -> str:
        if not self.ok:
            return f"audit trail broken at row {self.broken_seq}: {self.reason}"
        if not self.head_seq:
            return "audit trail intact: no rows yet"
        return (
            f"audit trail intact: {self.rows_checked} rows; head {self.head_seq}:{self.head_hash}"
        )


@dataclass(frozen=True)
class AccessSummary:
    """How often one actor saw one person, and why."""

    actor: str
    person_id: str
    viewed: int  # the person's page or records
    listed: int  # on a by-name list
    exported: int  # in an exported file
    first_at: datetime
    last_at: datetime
    purposes: tuple[str, ...]

    def line(self) -> str:
        why = f"  purposes: {', '.join(self.purposes)}" if self.purposes else ""
        return (
            f"{self.actor} -> person {self.person_id}: viewed {self.viewed}, listed {self.listed}, "
            f"exported {self.exported}  ({self.first_at:%Y-%m-%d %H:%M} .. "
            f"{self.last_at:%Y-%m-%d %H:%M}){why}"
        )


def record(
    store: Store,
    *,
    actor: str,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    purpose: str | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Append one row to the audit trail and return its seq.

    Safe from many threads, each with its own ``store.cursor()``. Call it outside any open
    transaction of that cursor, so the row commits on its own (it refuses otherwise).
    ``details`` holds ids and counts only; ``details["person_ids"]`` lists the persons a list or
    an export contained, so :func:`views_of` finds them.
    """
    if not actor or not isinstance(actor, str):
        raise AuditError("an audit row needs an actor", fix="pass the account name")
    if action not in ACTIONS:
        raise AuditError(f"unknown audit action {action!r}", fix=f"use one of {', '.join(ACTIONS)}")
    subject_id = None if subject_id is None else str(subject_id)  # stored and hashed as text
    for field, text in (("subject_kind", subject_kind), ("purpose", purpose)):
        if text is not None:
            _check_value(text, field)
            if not isinstance(text, str):
                raise AuditError(f"{field} must be text")
    details_json = None if details is None else _canonical_json(_checked_details(details))
    at = now or datetime.now(UTC)
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    con = store.con
    with _lock:
        try:
            con.execute("BEGIN TRANSACTION")
        except duckdb.TransactionException as exc:
            raise AuditError(
                "an audit row was recorded inside an open transaction",
                fix="record it after COMMIT, from its own cursor",
            ) from exc
        try:
            # Not ORDER BY seq DESC LIMIT 1: DuckDB 2.0's Top-N can return no row from a
            # reopened file after a DELETE; an aggregate reads every live row.
            last_seq, last_hash = con.execute(
                "SELECT max(seq), arg_max(row_hash, seq) FROM audit_log"
            ).fetchall()[0]
            seq, prev_hash = (last_seq + 1, last_hash) if last_seq else (1, GENESIS)
            fields = (seq, at, actor, action, subject_kind, subject_id, purpose, details_json)
            row_hash = _row_hash(prev_hash, *fields)
            con.execute(
                f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*fields, prev_hash, row_hash],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return seq


def verify(store: Store, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the chain from row 1; report the first row that was edited, removed or forged.

    ``anchor`` is a (seq, row_hash) kept outside the database from an earlier verify; it also
    catches a chain rebuilt from the start and rows removed from the end.
    """
    cur = store.con.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
    expected, prev_hash, checked = 1, GENESIS, 0
    while batch := cur.fetchmany(10_000):
        for row in batch:
            seq, stored_prev, stored_hash = row[0], row[8], row[9]
            reason = None
            if seq < expected:
                reason = f"there are two rows {seq}: one was inserted"
            elif seq > expected:
                missing = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
                return VerifyResult(
                    False,
                    checked,
                    expected,
                    f"row {missing} is missing (the log jumps from {expected - 1} to {seq}): "
                    "deleted",
                )
            elif stored_prev != prev_hash:
                reason = (
                    f"its prev_hash does not match row {seq - 1}'s hash: a row before it was "
                    "removed, inserted or reordered"
                )
            elif _safe_row_hash(stored_prev, *row[:8]) != stored_hash:
                reason = "its contents do not match its hash: it was edited after it was written"
            elif anchor and seq == anchor[0] and stored_hash != anchor[1]:
                reason = "its hash differs from the anchor kept outside: the chain was rewritten"
            if reason:
                return VerifyResult(False, checked, seq, reason)
            prev_hash, expected, checked = stored_hash, expected + 1, checked + 1
    if anchor and anchor[0] >= expected:
        return VerifyResult(
            False,
            checked,
            anchor[0],
            f"the anchor names row {anchor[0]} but the log ends at row {expected - 1}: "
            "rows were removed from the end",
        )
    return VerifyResult(True, checked, head_seq=expected - 1 or None, head_hash=_head(prev_hash))


def entries(
    store: Store,
    *,
    actor: str | None = None,
    person: str | None = None,
    actions: Iterable[str] | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit rows, oldest first, filtered; a date ``until`` includes that whole day (UTC).

    ``person`` matches rows about the person and lists or exports that contained them.
    ``limit`` keeps the latest rows.
    """
    where, params = _filters(actor=actor, person=person, actions=actions, since=since, until=until)
    if limit:  # the latest rows; found without a Top-N (see record)
        seqs = [r[0] for r in store.sql(f"SELECT seq FROM audit_log WHERE {where}", params)]
        if len(seqs) > limit:
            where += f" AND seq >= {sorted(seqs)[-limit]}"
    rows = store.sql(f"SELECT {_COLUMNS} FROM audit_log WHERE {where} ORDER BY seq", params)
    return [_entry(row) for row in rows]


def views_of(
    store: Store,
    person: str,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
) -> list[AuditEntry]:
    """Every time a person's data was shown or exported, by whom and why, oldest first."""
    return entries(store, person=person, actions=ACCESS_ACTIONS, since=since, until=until)


def report(
    store: Store,
    *,
    actor: str | None = None,
    person: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
) -> list[AccessSummary]:
    """Who looked at whom: one row per (actor, person) with counts, first and last time."""
    where, params = _filters(actor=actor, since=since, until=until, actions=ACCESS_ACTIONS)
    person_filter = "WHERE person_id = ?" if person else ""
    rows = store.sql(
        f"""
        WITH access AS (
            SELECT * FROM audit_log WHERE {where}
        ), touched AS (
            SELECT seq, occurred_at, actor, action, purpose, subject_id AS person_id
            FROM access WHERE subject_kind = 'person' AND subject_id IS NOT NULL
            UNION
            SELECT seq, occurred_at, actor, action, purpose,
                   unnest(from_json(json_extract(details, '$.person_ids'), '["VARCHAR"]'))
                       AS person_id
            FROM access WHERE json_extract(details, '$.person_ids') IS NOT NULL
        )
        SELECT actor, person_id,
               count(*) FILTER (WHERE action = 'view_person'),
               count(*) FILTER (WHERE action = 'view_list'),
               count(*) FILTER (WHERE action = 'export'),
               min(occurred_at), max(occurred_at),
               list_sort(list(DISTINCT purpose) FILTER (WHERE purpose IS NOT NULL))
        FROM touched {person_filter}
        GROUP BY actor, person_id
        ORDER BY person_id, actor
        """,
        [*params, *([person] if person else [])],
    )
    return [AccessSummary(*row[:7], tuple(row[7] or ())) for row in rows]


def _filters(
    *,
    actor: str | None = None,
    person: str | None = None,
    actions: Iterable[str] | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
) -> tuple[str, list]:
    clauses, params = ["TRUE"], []
    if actor:
        clauses.append("actor = ?")
        params.append(actor)
    if person:
        clauses.append(
            "((subject_kind = 'person' AND subject_id = ?) OR coalesce(list_contains("
            "from_json(json_extract(details, '$.person_ids'), '[\"VARCHAR\"]'), ?), FALSE))"
        )
        params += [person, person]
    if actions is not None:
        wanted = list(actions)
        unknown = [a for a in wanted if a not in ACTIONS]
        if unknown:
            raise AuditError(
                f"unknown audit action {unknown[0]!r}", fix=f"use one of {', '.join(ACTIONS)}"
            )
        clauses.append(f"action IN ({', '.join('?' for _ in wanted) or 'NULL'})")
        params += wanted
    if since is not None:
        clauses.append("occurred_at >= ?")
        params.append(_start(since))
    if until is not None:
        if isinstance(until, datetime):
            clauses.append("occurred_at <= ?")
            params.append(until)
        else:
            clauses.append("occurred_at < ?")
            params.append(_start(until) + timedelta(days=1))
    return " AND ".join(clauses), params


def _start(day: date | datetime) -> datetime:
    return day if isinstance(day, datetime) else datetime.combine(day, time())


def _entry(row: tuple) -> AuditEntry:
    details = json.loads(row[7]) if row[7] is not None else None
    return AuditEntry(*row[:7], details)


def _checked_details(details: dict[str, Any], path: str = "details") -> dict[str, Any]:
    if not isinstance(details, dict):
        raise AuditError(f"{path} must be a mapping of ids and counts")
    for key, value in details.items():
        where = f"{path}.{key}"
        if not isinstance(key, str):
            raise AuditError(f"{where}: detail keys must be text")
        if key.lower() in FORBIDDEN_DETAIL_KEYS:
            raise AuditError(
                f"{where} would put a secret or a person's identity into the audit trail",
                fix="record ids and counts only",
            )
        _check_value(value, where)
    return details


def _check_value(value: Any, where: str) -> None:
    if isinstance(value, dict):
        _checked_details(value, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_value(item, where)
    elif isinstance(value, str):
        if len(value) > MAX_DETAIL_TEXT:
            raise AuditError(
                f"{where} is {len(value)} characters long: details hold ids and counts, "
                "not contents",
                fix=f"keep each text under {MAX_DETAIL_TEXT} characters",
            )
    elif isinstance(value, float) and not math.isfinite(value):
        raise AuditError(f"{where} is {value}: only finite numbers can be stored")
    elif value is not None and not isinstance(value, bool | int | float):
        raise AuditError(f"{where}: {type(value).__name__} cannot be stored in the audit trail")


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _row_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_kind: str | None,
    subject_id: str | None,
    purpose: str | None,
    details_json: str | None,
) -> str:
    fields = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "purpose": purpose,
        "details": None if details_json is None else json.loads(details_json),
    }
    payload = f"{prev_hash}\n{_canonical_json(fields)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _safe_row_hash(prev_hash: str, *fields: Any) -> str | None:
    try:
        return _row_hash(prev_hash, *fields)
    except (TypeError, ValueError, AttributeError):
        return None  # a field of the wrong type or unreadable details: it was edited


def _head(row_hash: str) -> str | None:
    return None if row_hash == GENESIS else row_hash
