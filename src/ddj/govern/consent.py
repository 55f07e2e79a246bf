"""42 CFR Part 2 consents: which roles may receive a person's Part 2 records, why, until when.

A consent is recorded against the Part 2 program's own record of the person (its record_key),
with its scope (roles), purpose, date given, optional expiry and revocation. Only a consent that
is given, not expired and not revoked on the day of the request opens those records, and only to
the roles it names that the policy lets see Part 2 at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from ddj.errors import DdjError
from ddj.store import Store

REDISCLOSURE_NOTICE = (
    "This record contains information from a 42 CFR Part 2 program. 42 CFR Part 2 prohibits "
    "unauthorized use or disclosure of these records, including their use to criminally "
    "investigate or prosecute the patient (42 CFR 2.32)."
)


class ConsentError(DdjError):
    """A consent cannot be recorded or revoked as asked."""


@dataclass(frozen=True)
class Consent:
    consent_id: str
    record_key: str
    roles: tuple[str, ...]
    purpose: str
    given_on: date
    expires_on: date | None
    revoked_on: date | None

    def active(self, today: date) -> bool:
        return (
            self.given_on <= today
            and (self.expires_on is None or self.expires_on >= today)
            and (self.revoked_on is None or self.revoked_on > today)
        )


def record_consent(
    store: Store,
    record_key: str,
    *,
    roles: list[str],
    purpose: str,
    given_on: date,
    expires_on: date | None,
    recorded_by: str,
) -> Consent:
    part2 = store.sql(
        """
        SELECT r.part2 OR EXISTS (
            SELECT 1 FROM current_event e WHERE e.record_key = r.record_key AND e.part2)
        FROM current_record r WHERE r.record_key = ?
        """,
        [record_key],
    )
    if not part2:
        raise ConsentError(
            f"no record {record_key}", fix="give the record as SOURCE|SOURCE_PERSON_ID"
        )
    if not part2[0][0]:
        raise ConsentError(
            f"record {record_key} is not a 42 CFR Part 2 record; it needs no Part 2 consent"
        )
    if not roles:
        raise ConsentError("a consent must name the roles that may receive the records")
    if expires_on is not None and expires_on < given_on:
        raise ConsentError("the consent expires before it was given", fix="check the dates")
    consent = Consent(
        f"c{uuid.uuid4().hex[:12]}", record_key, tuple(roles), purpose, given_on, expires_on, None
    )
    store.con.execute(
        "INSERT INTO consent VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        [
            consent.consent_id,
            record_key,
            list(roles),
            purpose,
            given_on,
            expires_on,
            recorded_by,
            datetime.now(),
        ],
    )
    return consent


def revoke_consent(store: Store, consent_id: str, *, on: date) -> None:
    found = store.sql("SELECT revoked_on FROM consent WHERE consent_id = ?", [consent_id])
    if not found:
        raise ConsentError(f"no consent {consent_id}", fix="see `ddj consent list`")
    if found[0][0] is not None:
        raise ConsentError(f"consent {consent_id} was already revoked on {found[0][0]}")
    store.con.execute("UPDATE consent SET revoked_on = ? WHERE consent_id = ?", [on, consent_id])


def consents(store: Store, record_key: str | None = None) -> list[Consent]:
    rows = store.sql(
        "SELECT consent_id, record_key, roles, purpose, given_on, expires_on, revoked_on "
        "FROM consent" + (" WHERE record_key = ?" if record_key else "") + " ORDER BY given_on",
        [record_key] if record_key else [],
    )
    return [Consent(r[0], r[1], tuple(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def consented_records(store: Store, role: str, today: date) -> set[str]:
    """Part 2 record keys whose active consent names this role."""
    rows = store.sql(
        """
        SELECT DISTINCT record_key FROM consent
        WHERE list_contains(roles, ?) AND given_on <= ?
          AND (expires_on IS NULL OR expires_on >= ?) AND (revoked_on IS NULL OR revoked_on > ?)
        """,
        [role, today, today, today],
    )
    return {r[0] for r in rows}
