"""The homeless-services (HMIS) extract: one row per shelter or outreach enrollment."""

from __future__ import annotations

import random

from ddj.demo import formats
from ddj.demo.errors import RATES, SHELTERS, noisy, record
from ddj.demo.people import Person
from ddj.demo.registry import Extract, register
from ddj.demo.utilization import Event
from ddj.demo.writers import Table

STAYS_HEADER = [
    "EnrollmentID",
    "PersonalID",
    "FirstName",
    "LastName",
    "DOB",
    "SSN",
    "Gender",
    "EntryDate",
    "ExitDate",
    "ProjectName",
    "ProjectType",
]


def build_shelter(rng: random.Random, people: list[Person], events: list[Event]) -> Extract:
    rates = RATES[SHELTERS]
    # HMIS PersonalIDs are opaque 32-character hex strings.
    reg = register(rng, people, events, rates, lambda n: f"{rng.getrandbits(128):032x}")
    stays = Table(STAYS_HEADER)
    for number, (event, identity) in enumerate(zip(reg.events, reg.owners, strict=True), 1):
        project = event.project
        assert project is not None
        rec = identity.recorded
        if rng.random() < rates.row_reentry:
            rec = record(rng, identity.person, event.start.date(), rates)
        stays.rows.append(
            [
                str(70000 + number),
                identity.source_id,
                noisy(rng, rec.first, rates, title=True),
                noisy(rng, rec.last, rates, title=True),
                formats.iso_date(rec.dob),
                rec.ssn,
                rec.sex if rec.sex in ("M", "F") else identity.person.sex,
                formats.iso_date(event.start),
                formats.iso_date(event.end),
                project.name.title(),
                project.project_type,
            ]
        )
    return Extract.of(reg, {"shelter_stays.csv": stays})
