"""The homeless-services extract as a HUD HMIS CSV export (FY2024 format specifications).

Writes data/hmis/{Export,Organization,Project,Client,Enrollment,Exit,Services}.csv: one Client
row per PersonalID, one Enrollment per shelter, transitional-housing or outreach enrollment, an
Exit for every enrollment that ended, and one Services row (RecordType 200) per bed night in
night-by-night shelters. A few records are marked deleted (DateDeleted): duplicate clients that
were merged away and enrollments entered in error. The truth holds only PersonalIDs of clients
that are not deleted.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ddj.demo import formats
from ddj.demo import hmis_codes as codes
from ddj.demo import hmis_columns as cols
from ddj.demo.demographics import race_of
from ddj.demo.errors import RATES, SHELTERS, noisy
from ddj.demo.events import BH, ED, JAIL, Event
from ddj.demo.people import Person
from ddj.demo.places import (
    ES_NIGHT_BY_NIGHT,
    HMIS_COC,
    HMIS_ORGANIZATIONS,
    STREET_OUTREACH,
)
from ddj.demo.places import SHELTERS as PROJECTS
from ddj.demo.registry import Extract, SourceIdentity, register
from ddj.demo.writers import Table

FOLDER = "hmis"
EXPORT_ID = "SCHMIS-FY2024-0001"
_USERS = tuple(str(1000 + 37 * i) for i in range(1, 25))
# An institution a person stayed in: (start, end, HMIS living-situation code).
Stay = tuple[datetime, datetime | None, int]


def _t(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _table(header: tuple[str, ...]) -> Table:
    return Table(list(header), quoted=cols.STRING_COLUMNS)


@dataclass
class _Export:
    rng: random.Random
    start: date
    end: date
    exported: datetime

    def meta(self, created: datetime, updated: datetime | None = None) -> dict[str, str]:
        updated = min(updated or created, self.exported)
        return {
            "DateCreated": _t(created),
            "DateUpdated": _t(max(updated, created)),
            "UserID": self.rng.choice(_USERS),
            "DateDeleted": "",
            "ExportID": EXPORT_ID,
        }

    def row(self, header: tuple[str, ...], values: dict[str, str]) -> list[str]:
        return [values.get(name, "") for name in header]


def _came_from(
    stays: list[Stay], entry: datetime, previous_exit: datetime | None
) -> tuple[int, float] | None:
    """The institution (or shelter) the person left in the three days before ``entry``."""
    best: tuple[int, float] | None = None
    best_end: datetime | None = None
    for start, end, code in stays:
        recent = end is not None and entry - timedelta(days=3) <= end <= entry
        if recent and end is not None and (best_end is None or end > best_end):
            best, best_end = (code, (end - start).total_seconds() / 86400), end
    if best is None and previous_exit is not None and entry - previous_exit <= timedelta(days=2):
        return codes.EMERGENCY_SHELTER, 7.0
    return best


def _went_to(stays: list[Stay], starts: list[datetime], exit_day: datetime) -> int | None:
    """The institution the person entered within two days after leaving."""
    i = bisect_left(starts, exit_day - timedelta(hours=12))
    if i < len(stays) and stays[i][0] <= exit_day + timedelta(days=2):
        return stays[i][2]
    return None


class _Builder:
    def __init__(self, rng: random.Random, export: _Export, stays: dict[int, list[Stay]]):
        self.rng = rng
        self.x = export
        self.stays = stays
        self.tables = {name: _table(header) for name, header in cols.FILES.items()}
        self.enrollments = 0
        self.exits = 0
        self.services = 0
        self.homeless_since: dict[int, date] = {}

    def office_hours(self) -> timedelta:
        return timedelta(hours=self.rng.randint(8, 19), minutes=self.rng.randint(0, 59))

    def client(self, identity: SourceIdentity, last_seen: datetime, deleted: bool = False) -> None:
        rng, rec, person = self.rng, identity.recorded, identity.person
        rates = RATES[SHELTERS]
        last, name_quality = codes.name_quality(rng, rec)
        ssn, ssn_quality = codes.ssn_fields(rng, rec.ssn)
        dob, dob_quality = codes.dob_fields(rng, rec.dob)
        values = {
            "PersonalID": identity.source_id,
            "FirstName": noisy(rng, rec.first, rates, title=True),
            "MiddleName": noisy(rng, rec.middle, rates, title=True),
            "LastName": noisy(rng, last, rates, title=True),
            "NameSuffix": formats.title_suffix(rec.suffix),
            "NameDataQuality": name_quality,
            "SSN": ssn,
            "SSNDataQuality": ssn_quality,
            "DOB": dob,
            "DOBDataQuality": dob_quality,
            "AdditionalRaceEthnicity": "",
            "DifferentIdentityText": "",
            **codes.race_fields(rng, race_of(person)),
            **codes.gender_fields(rng, rec.sex if rec.sex in ("M", "F") else person.sex),
            **codes.veteran_fields(rng, person, identity.first_seen.date()),
            **self.x.meta(
                identity.first_seen + self.office_hours(), last_seen + self.office_hours()
            ),
        }
        if deleted:
            when = last_seen + timedelta(days=rng.randint(1, 60))
            values["DateDeleted"] = _t(min(when, self.x.exported))
        self.tables["Client.csv"].rows.append(self.x.row(cols.CLIENT, values))

    def enrollment(
        self, identity: SourceIdentity, event: Event, previous_exit: datetime | None
    ) -> str:
        rng, person = self.rng, identity.person
        project = event.project
        assert project is not None
        self.enrollments += 1
        enrollment_id = str(500000 + self.enrollments)
        entry = event.start
        stays = self.stays.get(person.index, [])
        engaged = ""
        if project.project_type in (STREET_OUTREACH, ES_NIGHT_BY_NIGHT) and rng.random() < 0.8:
            engaged_on = entry + timedelta(days=rng.randint(0, 10))
            if event.end is None or engaged_on <= event.end:
                engaged = engaged_on.date().isoformat()
        values = {
            "EnrollmentID": enrollment_id,
            "PersonalID": identity.source_id,
            "ProjectID": project.project_id,
            "EntryDate": entry.date().isoformat(),
            "HouseholdID": f"HH{rng.getrandbits(40):010x}",
            "RelationshipToHoH": "1",
            "EnrollmentCoC": HMIS_COC,
            "DisablingCondition": self.disabling(person),
            "DateOfEngagement": engaged,
            **codes.prior_living(
                rng,
                person,
                entry,
                _came_from(stays, entry, previous_exit),
                self.since(person, entry),
            ),
            **self.x.meta(entry + self.office_hours(), (event.end or entry) + self.office_hours()),
        }
        self.tables["Enrollment.csv"].rows.append(self.x.row(cols.ENROLLMENT, values))
        return enrollment_id

    def since(self, person: Person, entry: datetime) -> date:
        """When the person's homelessness began, as they tell every project the same."""
        if person.index not in self.homeless_since:
            back = (
                self.rng.randint(30, 900) if person.frequent_utilizer else self.rng.randint(7, 400)
            )
            self.homeless_since[person.index] = (entry - timedelta(days=back)).date()
        return min(self.homeless_since[person.index], entry.date())

    def disabling(self, person: Person) -> str:
        if self.rng.random() < 0.05:
            return str(self.rng.choice(codes.UNKNOWN_ANSWERS))
        needs = person.mental_illness or person.substance_use
        return "1" if needs and self.rng.random() < 0.8 else "0"

    def exit(self, identity: SourceIdentity, event: Event, enrollment_id: str) -> None:
        if event.end is None:
            return
        project = event.project
        assert project is not None
        stays = self.stays.get(identity.person.index, [])
        went = _went_to(stays, [s[0] for s in stays], event.end)
        self.exits += 1
        values = {
            "ExitID": str(800000 + self.exits),
            "EnrollmentID": enrollment_id,
            "PersonalID": identity.source_id,
            "ExitDate": event.end.date().isoformat(),
            **codes.destination(self.rng, went, project.night_by_night),
            **self.x.meta(event.end + timedelta(hours=self.rng.randint(7, 22))),
        }
        self.tables["Exit.csv"].rows.append(self.x.row(cols.EXIT, values))

    def bed_nights(self, identity: SourceIdentity, event: Event, enrollment_id: str) -> None:
        """RecordType 200 (bed night) for each night the client stayed in a night-by-night
        shelter."""
        last = event.end - timedelta(days=1) if event.end else self.x.exported - timedelta(days=1)
        night = event.start
        rows = self.tables["Services.csv"].rows
        while night.date() <= max(last.date(), event.start.date()):
            if night == event.start or self.rng.random() < 0.85:
                self.services += 1
                values = {
                    "ServicesID": str(900000 + self.services),
                    "EnrollmentID": enrollment_id,
                    "PersonalID": identity.source_id,
                    "DateProvided": night.date().isoformat(),
                    "RecordType": "200",
                    "TypeProvided": "200",
                    **self.x.meta(night + timedelta(hours=20, minutes=self.rng.randint(0, 200))),
                }
                rows.append(self.x.row(cols.SERVICES, values))
            night += timedelta(days=1)

    def descriptors(self) -> None:
        """Export.csv, Organization.csv and Project.csv."""
        x = self.x
        opened = datetime(2015, 7, 1, 9, 0)
        export = {
            "ExportID": EXPORT_ID,
            "SourceType": "1",  # a continuum-operated HMIS
            "SourceID": HMIS_COC,
            "SourceName": "Synthetic County HMIS",
            "ExportDate": _t(x.exported),
            "ExportStartDate": x.start.isoformat(),
            "ExportEndDate": x.end.isoformat(),
            "SoftwareName": "Synthetic HMIS",
            "SoftwareVersion": "24.3",
            "CSVVersion": "2024 v1.5",
            "ExportPeriodType": "3",  # reporting period
            "ExportDirective": "2",  # full refresh
            "HashStatus": "1",  # unhashed
            "ImplementationID": "SCHMIS-OR504",
        }
        self.tables["Export.csv"].rows.append(x.row(cols.EXPORT, export))
        for org_id, name in HMIS_ORGANIZATIONS.items():
            values = {
                "OrganizationID": org_id,
                "OrganizationName": name,
                "VictimServiceProvider": "0",
                **x.meta(opened),
            }
            self.tables["Organization.csv"].rows.append(x.row(cols.ORGANIZATION, values))
        for project in PROJECTS:
            values = {
                "ProjectID": project.project_id,
                "OrganizationID": project.organization,
                "ProjectName": project.name.title(),
                "OperatingStartDate": opened.date().isoformat(),
                "ContinuumProject": "1",
                "ProjectType": str(project.project_type),
                # Site-based, single site (2.02.D); street outreach has no housing type.
                "HousingType": "" if project.project_type == STREET_OUTREACH else "1",
                "TargetPopulation": "4",  # not applicable
                **x.meta(opened),
            }
            self.tables["Project.csv"].rows.append(x.row(cols.PROJECT, values))


def build_hmis(
    rng: random.Random,
    people: list[Person],
    events: list[Event],
    stays: dict[int, list[Stay]],
    start: date,
    end: date,
) -> Extract:
    """The export of ``events`` (shelter, transitional-housing and outreach enrollments).

    ``stays``: each person's institutional stays (jail, treatment, hospital), sorted by start,
    which become the living situation before an entry and the destination after an exit.
    """
    rates = RATES[SHELTERS]
    # HMIS PersonalIDs are opaque 32-character hex strings.
    reg = register(rng, people, events, rates, lambda n: f"{rng.getrandbits(128):032x}")
    exported = datetime.combine(end + timedelta(days=1), datetime.min.time()) + timedelta(hours=6)
    builder = _Builder(rng, _Export(rng, start, end, exported), stays)
    builder.descriptors()
    by_identity: dict[str, list[Event]] = {}
    for event, identity in zip(reg.events, reg.owners, strict=True):
        by_identity.setdefault(identity.source_id, []).append(event)
    previous_exit: dict[int, datetime | None] = {}
    for identity in reg.identities:
        own = by_identity[identity.source_id]
        last = max((e.end or e.start) for e in own)
        builder.client(identity, last)
        if rng.random() < 0.004:  # a duplicate record, later merged into this one and deleted
            builder.client(_duplicate(rng, identity), identity.first_seen, deleted=True)
    for event, identity in zip(reg.events, reg.owners, strict=True):
        project = event.project
        assert project is not None
        enrollment_id = builder.enrollment(identity, event, previous_exit.get(event.person))
        previous_exit[event.person] = event.end
        builder.exit(identity, event, enrollment_id)
        if project.night_by_night:
            builder.bed_nights(identity, event, enrollment_id)
        if rng.random() < 0.005:  # an enrollment entered in error, then deleted
            builder.enrollment(identity, event, None)
            row = builder.tables["Enrollment.csv"].rows[-1]
            row[cols.ENROLLMENT.index("DateDeleted")] = _t(
                min(event.start + timedelta(days=rng.randint(0, 3), hours=17), exported)
            )
    tables = {f"{FOLDER}/{name}": table for name, table in builder.tables.items()}
    return Extract.of(reg, tables)


def _duplicate(rng: random.Random, identity: SourceIdentity) -> SourceIdentity:
    twin = SourceIdentity(identity.person, identity.recorded, identity.first_seen, duplicate=True)
    twin.source_id = f"{rng.getrandbits(128):032x}"
    return twin


def institution_stays(events: dict[str, list[Event]]) -> dict[int, list[Stay]]:
    """Each person's stays in jail, residential treatment, detox and hospital, by start."""
    out: dict[int, list[Stay]] = {}
    for event in events[JAIL]:
        out.setdefault(event.person, []).append((event.start, event.end, codes.JAIL_CODE))
    for event in events[BH]:
        if event.service_type in ("RESIDENTIAL", "DETOX") and event.program is not None:
            code = codes.SUBSTANCE_TREATMENT if event.program.part2 else codes.PSYCHIATRIC_FACILITY
            out.setdefault(event.person, []).append((event.start, event.end, code))
    for event in events[ED]:
        if event.inpatient:
            psych = event.reason in ("psych", "suicide")
            code = codes.PSYCHIATRIC_FACILITY if psych else codes.HOSPITAL
            out.setdefault(event.person, []).append((event.start, event.end, code))
    for stays in out.values():
        stays.sort(key=lambda s: s[0])
    return out
