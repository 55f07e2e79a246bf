"""The county EMS agency's export: NEMSIS v3.5.1 XML, one PatientCareReport per run.

data/nemsis/ems.xml is one EMSDataSet whose Header holds the agency (DemographicGroup) and one
PatientCareReport per run, in time order. EMS has no patient id of its own, so every report is
a record of its own (eRecord.01, the report number, is the source person id). A run that
answers a police call carries that call's 911 incident number in eResponse.03, the same number
the CAD extract shows. EMS identity is poor: names taken down in a hurry, many dates of birth
missing (an estimated age instead), now and then no name at all.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date

from ddj.demo.demographics import race_of
from ddj.demo.ems_report import write_report
from ddj.demo.errors import COUNTY_EMS, RATES, Recorded, record
from ddj.demo.events import Event
from ddj.demo.nemsis import NAMESPACE, SCHEMA_LOCATION, XSI, Xml
from ddj.demo.people import Person
from ddj.demo.places import EMS_AGENCY_NUMBER, EMS_AGENCY_STATE_ID, STATE_FIPS, Address
from ddj.demo.registry import Extract, address_at_event
from ddj.demo.writers import Document

FILE = "nemsis/ems.xml"
_UNITS = ("12", "14", "21", "23", "31", "42")


@dataclass(slots=True)
class Run:
    """What the report of one run says about it."""

    event: Event
    person: Person
    number: str  # eRecord.01
    uuid: str
    incident: str  # eResponse.03, the 911 incident number
    unit: str
    police: bool  # the run answered a police call
    rec: Recorded
    name_known: bool
    where: Address | str
    phone: str
    race: str
    age: int
    age_estimated: bool


def _age(person: Person, rec: Recorded, on: date, rng: random.Random) -> tuple[int, bool]:
    if rec.dob is not None:
        years = on.year - rec.dob.year - ((on.month, on.day) < (rec.dob.month, rec.dob.day))
        return max(years, 0), False
    return max(18, person.age_on(on) + rng.randint(-6, 6)), True


def build_ems(
    rng: random.Random,
    people: list[Person],
    events: list[Event],
    incidents: dict[int, str],
    police_calls: set[int],
) -> Extract:
    """``incidents``: 911 incident number of every call; ``police_calls``: the calls that have a
    police CAD record."""
    rates = RATES[COUNTY_EMS]
    runs: list[Run] = []
    per_year: dict[int, int] = {}
    for event in sorted(events, key=lambda e: (e.start, e.call, e.person)):
        person = people[event.person]
        year = event.start.year
        per_year[year] = per_year.get(year, 0) + 1
        rec = record(rng, person, event.start.date(), rates)
        age, estimated = _age(person, rec, event.start.date(), rng)
        runs.append(
            Run(
                event=event,
                person=person,
                number=f"{EMS_AGENCY_NUMBER}-{year}-{per_year[year]:06d}",
                uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                incident=incidents[event.call],
                unit=rng.choice(_UNITS),
                police=event.call in police_calls,
                rec=rec,
                name_known=rng.random() >= 0.015,
                where=address_at_event(rng, person),
                phone=person.phone if rng.random() < 0.3 else "",
                race=race_of(person),
                age=age,
                age_estimated=estimated,
            )
        )
    x = Xml()
    x.parts.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    attrs = {"xmlns": NAMESPACE, "xmlns:xsi": XSI, "xsi:schemaLocation": SCHEMA_LOCATION}
    with x.group("EMSDataSet", attrs), x.group("Header"):
        with x.group("DemographicGroup"):
            x.value("dAgency.01", EMS_AGENCY_STATE_ID)
            x.value("dAgency.02", EMS_AGENCY_NUMBER)
            x.value("dAgency.04", STATE_FIPS)
        for run in runs:
            write_report(x, rng, run)
    extract = Extract({}, {run.number: run.person.person_id for run in runs})
    extract.documents[FILE] = Document([x.text()], len(runs))
    return extract
