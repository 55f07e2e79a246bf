"""The police CAD extract: one row per person involved in a call for service."""

from __future__ import annotations

import random

from ddj.demo import formats
from ddj.demo.errors import POLICE_CAD, RATES, noisy, record
from ddj.demo.events import Event
from ddj.demo.people import Person
from ddj.demo.registry import Extract, address_at_event, register
from ddj.demo.writers import Table

CALLS_HEADER = [
    "NameID",
    "CallNumber",
    "FirstName",
    "LastName",
    "DOB",
    "Sex",
    "PersonAddress",
    "Phone",
    "CallDateTime",
    "ClearedDateTime",
    "CallType",
    "Disposition",
]


def build_cad(
    rng: random.Random, people: list[Person], events: list[Event], call_numbers: dict[int, str]
) -> Extract:
    """``call_numbers``: the 911 incident number of every call (dispatch.incident_numbers)."""
    rates = RATES[POLICE_CAD]
    reg = register(rng, people, events, rates, lambda n: f"MN{n + 100000:07d}")
    calls = Table(CALLS_HEADER)
    for event, identity in zip(reg.events, reg.owners, strict=True):
        person = identity.person
        rec = identity.recorded
        if rng.random() < rates.row_reentry:
            rec = record(rng, person, event.start.date(), rates)  # dispatcher took it down again
        where = address_at_event(rng, person) if rng.random() < 0.8 else ""
        phone = formats.phone(rng, person.phone) if rng.random() < 0.45 else ""
        calls.rows.append(
            [
                identity.source_id,
                call_numbers[event.call],
                noisy(rng, rec.first, rates),
                noisy(rng, rec.last, rates),
                formats.iso_date(rec.dob),
                rec.sex,
                formats.address_line(where),
                phone,
                formats.iso_seconds(event.start),
                formats.iso_seconds(event.end),
                event.call_type,
                event.disposition,
            ]
        )
    return Extract.of(reg, {"cad_calls.csv": calls})
