"""The jail's extracts: one row per booking, plus the aliases inmates gave."""

from __future__ import annotations

import random
from dataclasses import replace

from ddj.demo import formats, names
from ddj.demo.errors import COUNTY_JAIL, RATES, Recorded, noisy, record
from ddj.demo.events import Event
from ddj.demo.people import Person
from ddj.demo.registry import Extract, SourceIdentity, address_at_event, register
from ddj.demo.writers import Table

BOOKINGS_HEADER = [
    "InmateID",
    "BookingNumber",
    "FirstName",
    "MiddleName",
    "LastName",
    "Suffix",
    "DOB",
    "Sex",
    "SSN",
    "Address",
    "City",
    "State",
    "Zip",
    "BookingDateTime",
    "ReleaseDateTime",
    "Charges",
    "Facility",
]
ALIASES_HEADER = ["InmateID", "AliasFirstName", "AliasLastName", "AliasDOB"]

_ALIAS_USED_AT_BOOKING = 0.1  # an inmate with aliases gives one of them at a booking


def _alias(rng: random.Random, person: Person, base: Recorded) -> Recorded:
    pick = rng.random()
    first, last = base.first, base.last
    if pick < 0.3 and names.nickname_variants(person.first):
        first = rng.choice(names.nickname_variants(person.first))
    elif pick < 0.55:
        last = person.former_last or names.draw_surname(rng)
    elif pick < 0.85:
        first = names.draw_first_name(rng, person.sex, last)
        last = names.draw_surname(rng)
    else:
        first, last = base.last, base.first
    dob_pick = rng.random()
    dob = base.dob
    if dob is not None and dob_pick < 0.25:
        dob = dob.replace(year=dob.year + rng.choice((-2, -1, 1)), day=min(dob.day, 28))
    elif dob is not None and dob_pick < 0.35:
        dob = dob.replace(day=rng.randint(1, 28))
    elif dob_pick < 0.6:
        dob = None
    return replace(base, first=first, last=last, dob=dob)


def _add_aliases(rng: random.Random, identity: SourceIdentity) -> None:
    person = identity.person
    if rng.random() >= (0.4 if person.frequent_utilizer else 0.05):
        return
    for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0]):
        alias = _alias(rng, person, identity.recorded)
        known = [(a.first, a.last) for a in identity.aliases]
        main = (identity.recorded.first, identity.recorded.last)
        if (alias.first, alias.last) != main and (alias.first, alias.last) not in known:
            identity.aliases.append(alias)


def build_jail(rng: random.Random, people: list[Person], events: list[Event]) -> Extract:
    rates = RATES[COUNTY_JAIL]
    reg = register(rng, people, events, rates, lambda n: str(200000 + 3 * n))
    for identity in reg.identities:
        _add_aliases(rng, identity)
    bookings = Table(BOOKINGS_HEADER)
    per_year: dict[int, int] = {}
    for event, identity in zip(reg.events, reg.owners, strict=True):
        person = identity.person
        day = event.start.date()
        rec = identity.recorded
        if rng.random() < rates.row_reentry:
            rec = record(rng, person, day, rates)  # the booking officer typed it again
        elif (
            rec.last == person.former_last
            and person.last_name_on(day) != rec.last
            and rng.random() < 0.6
        ):
            rec = replace(rec, last=person.last_name_on(day))  # the new married name
        if identity.aliases and rng.random() < _ALIAS_USED_AT_BOOKING:
            alias = rng.choice(identity.aliases)
            rec = replace(rec, first=alias.first, last=alias.last)
        year = event.start.year
        per_year[year] = per_year.get(year, 0) + 1
        street, city, state, zip_code = formats.address_fields(rng, address_at_event(rng, person))
        bookings.rows.append(
            [
                identity.source_id,
                f"{year}{per_year[year]:06d}",
                noisy(rng, rec.first, rates),
                noisy(rng, rec.middle, rates),
                noisy(rng, rec.last, rates),
                rec.suffix,
                formats.us_date(rec.dob),
                rec.sex,
                rec.ssn,
                street,
                city,
                state,
                zip_code,
                formats.us_minutes(event.start),
                formats.us_minutes(event.end),
                ";".join(event.charges),
                event.facility,
            ]
        )
    aliases = Table(ALIASES_HEADER)
    for identity in reg.identities:
        for alias in identity.aliases:
            aliases.rows.append(
                [identity.source_id, alias.first, alias.last, formats.us_date(alias.dob)]
            )
    return Extract.of(reg, {"jail_bookings.csv": bookings, "jail_aliases.csv": aliases})
