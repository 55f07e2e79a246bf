"""Deliberately bad rows, so that an importer's quarantine has something to show.

Each bad row is an extra row: a copy of a good row (same person id, a new event id) with one
thing broken. Good rows are never changed, so no true person is known only through a bad row.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from ddj.demo.writers import Table

# Lone surrogates that the writer turns into the raw bytes FF FE: not valid UTF-8.
INVALID_UTF8 = "\udcff\udcfe"

UNPARSEABLE_DATE = "unparseable_date"
IMPOSSIBLE_DOB = "impossible_dob"
MISSING_ID = "missing_id"
WRONG_COLUMNS = "wrong_columns"
INVALID_ENCODING = "invalid_utf8"

Breaker = Callable[[Table, list[str]], list[str]]


@dataclass(frozen=True, slots=True)
class BadRowPlan:
    event_column: str  # given a fresh value so no event id repeats a good row's
    breakers: tuple[tuple[str, Breaker], ...]


def _set(column: str, value: str) -> Breaker:
    def breaker(table: Table, row: list[str]) -> list[str]:
        row[table.column(column)] = value
        return row

    return breaker


def _garble(column: str) -> Breaker:
    def breaker(table: Table, row: list[str]) -> list[str]:
        i = table.column(column)
        text = row[i] or "X"
        row[i] = text[:2] + INVALID_UTF8 + text[2:]
        return row

    return breaker


def _extra_column(table: Table, row: list[str]) -> list[str]:
    return row + ["UNEXPECTED EXTRA VALUE"]


def _short_row(table: Table, row: list[str]) -> list[str]:
    return row[:-2]


PLANS: dict[str, BadRowPlan] = {
    "jail_bookings.csv": BadRowPlan(
        "BookingNumber",
        (
            (UNPARSEABLE_DATE, _set("BookingDateTime", "13/45/2024 25:61")),
            (IMPOSSIBLE_DOB, _set("DOB", "03/14/1850")),
            (MISSING_ID, _set("InmateID", "")),
            (WRONG_COLUMNS, _extra_column),
            (INVALID_ENCODING, _garble("LastName")),
        ),
    ),
    "cad_calls.csv": BadRowPlan(
        "CallNumber",
        (
            (UNPARSEABLE_DATE, _set("CallDateTime", "not a date")),
            (IMPOSSIBLE_DOB, _set("DOB", "2091-07-04")),
            (MISSING_ID, _set("NameID", "")),
            (WRONG_COLUMNS, _short_row),
            (INVALID_ENCODING, _garble("FirstName")),
        ),
    ),
    "bh_services.csv": BadRowPlan(
        "ServiceID",
        (
            (UNPARSEABLE_DATE, _set("ServiceDate", "13/45/2024")),
            (UNPARSEABLE_DATE, _set("ServiceDate", "not a date")),
            (MISSING_ID, _set("ClientID", "")),
            (WRONG_COLUMNS, _short_row),
            (INVALID_ENCODING, _garble("Program")),
        ),
    ),
    "hmis/Enrollment.csv": BadRowPlan(
        "EnrollmentID",
        (
            (UNPARSEABLE_DATE, _set("EntryDate", "13/45/2024")),
            (MISSING_ID, _set("PersonalID", "")),
            (WRONG_COLUMNS, _extra_column),
            (INVALID_ENCODING, _garble("EnrollmentCoC")),
        ),
    ),
}


def add_bad_rows(rng: random.Random, name: str, table: Table) -> dict[int, str]:
    """Insert ``name``'s bad rows into ``table`` at random places.

    Returns {line number in the written file (the header is line 1): kind of problem}.
    """
    plan = PLANS.get(name)
    if plan is None or not table.rows:
        return {}
    event_col = table.column(plan.event_column)
    bad: list[tuple[list[str], str]] = []
    for n, (kind, breaker) in enumerate(plan.breakers, start=1):
        template = list(rng.choice(table.rows))
        template[event_col] = f"{template[event_col]}-B{n}"
        bad.append((breaker(table, template), kind))
    good = table.rows
    slots = sorted(rng.randrange(len(good) + 1) for _ in bad)
    merged: list[list[str]] = []
    lines: dict[int, str] = {}
    taken = 0
    for position, row in enumerate(good):
        while taken < len(bad) and slots[taken] == position:
            merged.append(bad[taken][0])
            lines[len(merged) + 1] = bad[taken][1]
            taken += 1
        merged.append(row)
    while taken < len(bad):
        merged.append(bad[taken][0])
        lines[len(merged) + 1] = bad[taken][1]
        taken += 1
    table.rows = merged
    return lines
