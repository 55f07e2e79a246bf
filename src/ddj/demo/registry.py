"""How one source knows people: its own person ids, the identity it recorded, and duplicates.

Within a source a person keeps one id, except that now and then a second id is opened for the
same person (a known problem of real systems); that second record usually carries a name or DOB
error, which is why nobody matched it to the first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ddj.demo.errors import ErrorRates, Recorded, record
from ddj.demo.events import Event
from ddj.demo.people import Person
from ddj.demo.places import NO_ADDRESS, SHELTERS, Address
from ddj.demo.writers import Document, Table

_SHELTER_WEIGHTS = [s.weight for s in SHELTERS]


@dataclass(slots=True)
class SourceIdentity:
    """One source person id and the identity the source recorded for it."""

    person: Person
    recorded: Recorded
    first_seen: datetime
    duplicate: bool = False
    source_id: str = ""
    aliases: list[Recorded] = field(default_factory=list)


@dataclass(slots=True)
class Registration:
    identities: list[SourceIdentity]  # in source-id order
    events: list[Event]  # in time order
    owners: list[SourceIdentity]  # the identity each event is filed under


@dataclass(slots=True)
class Extract:
    """What one source hands over, and (for the truth) whose each id is.

    Files are named by their path under data/. ``tables`` are CSV files that may still get bad
    rows; ``documents`` are other files, final (bad items included). ``ids`` maps source person
    ids to true person ids: for documents exactly the ids their good items carry (for tables the
    generator keeps those seen in good rows).
    """

    tables: dict[str, Table]
    ids: dict[str, str]  # source person id -> true person id
    documents: dict[str, Document] = field(default_factory=dict)

    @staticmethod
    def of(registration: Registration, tables: dict[str, Table]) -> Extract:
        ids = {i.source_id: i.person.person_id for i in registration.identities}
        return Extract(tables, ids)


def register(
    rng: random.Random,
    people: list[Person],
    events: list[Event],
    rates: ErrorRates,
    make_id: Callable[[int], str],
) -> Registration:
    """File each event under a source id; ``make_id(n)`` names the n-th id opened (from 1)."""
    by_person: dict[int, list[Event]] = {}
    for event in events:
        by_person.setdefault(event.person, []).append(event)
    owner_of: dict[int, SourceIdentity] = {}
    identities: list[SourceIdentity] = []
    for index, own in by_person.items():
        own.sort(key=lambda e: e.start)
        person = people[index]
        first = SourceIdentity(
            person, record(rng, person, own[0].start.date(), rates), own[0].start
        )
        identities.append(first)
        split = len(own)
        second = None
        # Every further contact is another chance that staff open a new record by mistake.
        if len(own) >= 2 and rng.random() < 1 - (1 - rates.duplicate_id) ** (len(own) - 1):
            split = rng.randint(1, len(own) - 1)
            at = own[split].start
            second = SourceIdentity(
                person, record(rng, person, at.date(), rates, forced=True), at, duplicate=True
            )
            identities.append(second)
        for i, event in enumerate(own):
            use_second = second is not None and (i == split or (i > split and rng.random() < 0.6))
            owner_of[id(event)] = second if use_second and second is not None else first
    # Ids are handed out in the order people first showed up, as a real system does.
    order = sorted(range(len(identities)), key=lambda i: (identities[i].first_seen, i))
    ordered = [identities[i] for i in order]
    for number, identity in enumerate(ordered, start=1):
        identity.source_id = make_id(number)
    timeline = sorted(events, key=lambda e: (e.start, e.call, e.person))
    return Registration(ordered, timeline, [owner_of[id(e)] for e in timeline])


def address_at_event(rng: random.Random, person: Person) -> Address | str:
    """The address a record gets: home, or for an unhoused person often a shelter's address,
    a word like HOMELESS, an old address, or nothing."""
    if not person.homeless or (not person.frequent_utilizer and rng.random() < 0.35):
        return person.address
    pick = rng.random()
    if pick < 0.35:
        return rng.choices(SHELTERS, weights=_SHELTER_WEIGHTS)[0].address
    if pick < 0.75:
        return rng.choice(NO_ADDRESS)
    if pick < 0.9:
        return person.address
    return ""
