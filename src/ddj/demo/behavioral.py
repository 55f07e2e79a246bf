"""The behavioral-health extracts: a client roster and one row per service."""

from __future__ import annotations

import random

from ddj.demo import formats
from ddj.demo.errors import BEHAVIORAL_HEALTH, RATES, noisy
from ddj.demo.events import Event
from ddj.demo.people import Person
from ddj.demo.registry import Extract, address_at_event, register
from ddj.demo.writers import Table

CLIENTS_HEADER = [
    "ClientID",
    "FirstName",
    "MiddleName",
    "LastName",
    "DateOfBirth",
    "Gender",
    "SSN",
    "Address",
    "City",
    "State",
    "Zip",
    "Phone",
]
SERVICES_HEADER = [
    "ServiceID",
    "ClientID",
    "ServiceDate",
    "ServiceEndDate",
    "ServiceType",
    "DiagnosisCodes",
    "Program",
    "Part2Program",
    "Cost",
]


def _gender(rng: random.Random, sex: str) -> str:
    if sex == "U":
        return "Unknown"
    if rng.random() < 0.004:
        return "NB"
    return "Male" if sex == "M" else "Female"


def build_bh(rng: random.Random, people: list[Person], events: list[Event]) -> Extract:
    rates = RATES[BEHAVIORAL_HEALTH]
    reg = register(rng, people, events, rates, lambda n: f"C{n + 10000:07d}")
    clients = Table(CLIENTS_HEADER)
    for identity in reg.identities:
        rec = identity.recorded
        street, city, state, zip_code = formats.address_fields(
            rng, address_at_event(rng, identity.person)
        )
        phone = identity.person.phone if rng.random() < 0.8 else ""
        clients.rows.append(
            [
                identity.source_id,
                noisy(rng, rec.first, rates, title=True),
                noisy(rng, rec.middle, rates, title=True),
                noisy(rng, rec.last, rates, title=True),
                formats.iso_date(rec.dob),
                _gender(rng, rec.sex),
                rec.ssn,
                street.title(),
                city.title(),
                state,
                zip_code,
                formats.phone(rng, phone),
            ]
        )
    services = Table(SERVICES_HEADER)
    for number, (event, identity) in enumerate(zip(reg.events, reg.owners, strict=True), 1):
        program = event.program
        assert program is not None
        services.rows.append(
            [
                f"S{number + 500000:08d}",
                identity.source_id,
                formats.iso_date(event.start),
                formats.iso_date(event.end),
                event.service_type,
                ";".join(event.dx),
                program.name,
                "Y" if program.part2 else "N",
                f"{event.cost:.2f}",
            ]
        )
    return Extract.of(reg, {"bh_clients.csv": clients, "bh_services.csv": services})
