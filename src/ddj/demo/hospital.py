"""The county hospital's ADT feed: HL7 v2.5.1 messages for emergency visits and admissions.

data/hl7/adt.hl7 holds the messages one after another in time order, segments ending with a
carriage return. An ED visit is an A04 (register, PV1-2 = E) and, when it ended, an A03
(discharge); some visits get an A08 (update: a corrected name, a new phone or address, a working
diagnosis). An inpatient stay is an A01 (admit, PV1-2 = I) and an A03. PID-3 carries the MRN
(type MR) and for some patients the SSN (type SS); PID-5 the legal name and sometimes a maiden
name or alias; DG1 the ICD-10-CM diagnoses (coding system I10). Two deliberately bad messages:
one whose PID-7 is not a date and one without a PID segment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ddj.demo import formats, hl7, names
from ddj.demo.codes import describe
from ddj.demo.demographics import is_hispanic, race_of
from ddj.demo.errors import COUNTY_HOSPITAL, RATES, Recorded, record
from ddj.demo.events import Event
from ddj.demo.people import Person
from ddj.demo.places import HOSPITAL_CODE, Address
from ddj.demo.registry import Extract, SourceIdentity, address_at_event, register
from ddj.demo.writers import Document

FILE = "hl7/adt.hl7"
UNPARSEABLE_DOB = "unparseable_dob"
MISSING_PID = "missing_pid"
_STRUCTURE = {"A01": "ADT_A01", "A03": "ADT_A03", "A04": "ADT_A01", "A08": "ADT_A01"}
# HL7 table 0005 race codes (CDC race and ethnicity code set).
_RACE = {
    "white": ("2106-3", "White"),
    "white_hispanic": ("2106-3", "White"),
    "hispanic": ("2131-1", "Other Race"),
    "black": ("2054-5", "Black or African American"),
    "asian": ("2028-9", "Asian"),
    "amind": ("1002-5", "American Indian or Alaska Native"),
    "nhpi": ("2076-8", "Native Hawaiian or Other Pacific Islander"),
    "mena": ("2106-3", "White"),
}
_ATTENDING = (
    ("1730452981", "OKAFOR", "DANIEL"),
    ("1528364107", "LINDQVIST", "MARA"),
    ("1942075316", "PATEL", "ANJALI"),
    ("1366502849", "BRENNAN", "THOMAS"),
    ("1083947265", "NGUYEN", "LINH"),
)
_COMPLAINTS = {
    "overdose": ("OVERDOSE", "OD - NARCAN PTA", "UNRESPONSIVE/POSS OD", "POSS OD & ALTERED"),
    "psych": ("PSYCH EVAL", "AGITATION & PARANOIA", "HALLUCINATIONS", "BIZARRE BEHAVIOR"),
    "suicide": ("SI", "SUICIDAL IDEATION", "SI W/ PLAN", "SI & ETOH"),
    "intoxicated": ("ETOH", "ETOH INTOX", "INTOXICATED - FOUND DOWN"),
    "withdrawal": ("WITHDRAWAL", "DETOX REQUEST", "ETOH WITHDRAWAL"),
    "welfare": ("ALTERED MENTAL STATUS", "WEAKNESS", "FOUND DOWN"),
    "assault": ("ASSAULT", "HEAD INJURY", "LACERATION"),
    "fall": ("FALL", "FALL W/ HEAD INJURY"),
    "cold": ("HYPOTHERMIA", "COLD EXPOSURE"),
    "seizure": ("SEIZURE",),
}
_MEDICAL_COMPLAINTS = {
    "R07.9": "CHEST PAIN",
    "R10.9": "ABD PAIN, N/V",
    "J06.9": "COUGH & CONGESTION",
    "N39.0": "DYSURIA",
    "L03.115": "LEG PAIN/SWELLING",
    "L02.416": "ABSCESS L LEG",
    "S09.90XA": "HEAD INJURY",
    "S93.401A": "ANKLE PAIN",
    "S61.411A": "HAND LACERATION",
    "R51.9": "HEADACHE",
    "M54.50": "BACK PAIN",
    "J45.901": "SOB & WHEEZING",
    "R55": "SYNCOPE",
    "E11.65": "HIGH BLOOD SUGAR",
    "R06.02": "SOB",
}
# HL7 table 0189 ethnic group, by "is Hispanic or Latino".
_ETHNICITY = {True: ("H", "Hispanic or Latino"), False: ("N", "Not Hispanic or Latino")}
# HL7 table 0430 mode of arrival.
_ARRIVAL = {
    "ems": "A^Ambulance^HL70430",
    "police": "O^Other^HL70430",
    "walk-in": "C^Car^HL70430",
}


@dataclass(frozen=True, slots=True)
class _Visit:
    number: str  # PV1-19
    account: str  # PID-18
    location: str
    attending: str
    service: str
    admit_source: str
    complaint: str  # PV2-3, free text as triage typed it


@dataclass(slots=True)
class _Message:
    at: datetime
    order: int
    event_type: str  # A01, A03, A04, A08
    segments: list[str]  # every segment after MSH
    bad: str = ""


def _cx(value: str, authority: str, kind: str) -> str:
    return hl7.components(value, "", "", authority, kind)


class _Feed:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.messages: list[_Message] = []
        self.visits = 0

    def add(self, at: datetime, event_type: str, segments: list[str]) -> None:
        self.messages.append(_Message(at, len(self.messages), event_type, segments))

    # -- segments ------------------------------------------------------------------------------
    def pid(
        self,
        identity: SourceIdentity,
        rec: Recorded,
        where: Address | str,
        phone: str,
        account: str,
    ) -> str:
        rng, person = self.rng, identity.person
        ids = [_cx(identity.source_id, HOSPITAL_CODE, "MR")]
        if rec.ssn:
            ids.append(_cx(rec.ssn, "USSSA", "SS"))
        names_ = [hl7.components(rec.last, rec.first, rec.middle, rec.suffix, "", "", "L")]
        if person.former_last and person.former_last != rec.last and rng.random() < 0.6:
            names_.append(hl7.components(person.former_last, rec.first, "", "", "", "", "M"))
        if person.frequent_utilizer and rng.random() < 0.2:
            nick = names.nickname_variants(person.first)
            alias_first = rng.choice(nick) if nick else rec.first
            names_.append(hl7.components(rec.last, alias_first, "", "", "", "", "A"))
        race = race_of(person)
        code, label = _RACE[race]
        fields = {
            1: "1",
            3: hl7.repeat(*ids),
            5: hl7.repeat(*names_),
            7: formats.hl7_date(rec.dob),
            8: rec.sex if rec.sex in ("M", "F") else "U",
            10: hl7.components(code, label, "HL70005"),
            11: self.address(where),
            13: self.phone(phone),
            18: _cx(account, HOSPITAL_CODE, "AN"),
            22: hl7.components(*_ETHNICITY[is_hispanic(race)], "HL70189"),
        }
        return hl7.segment("PID", fields)

    def address(self, where: Address | str) -> str:
        if isinstance(where, Address):
            street, unit = formats.split_unit(where.street)
            return hl7.components(street, unit, where.city, where.state, where.zip, "USA", "H")
        if not where:
            return ""
        return hl7.components(where, "", "RIVERTON", "OR", "", "USA", "C")

    def phone(self, digits: str) -> str:
        if not digits:
            return ""
        shown = f"({digits[:3]}){digits[3:6]}-{digits[6:]}"
        return hl7.components(shown, "PRN", "PH", "", "", digits[:3], digits[3:])

    def pv1(self, event: Event, visit: _Visit, discharged: bool) -> str:
        fields = {
            1: "1",
            2: "I" if event.inpatient else "E",
            3: visit.location,
            4: "E",  # emergency
            7: visit.attending,
            10: visit.service,
            14: visit.admit_source,
            19: _cx(visit.number, HOSPITAL_CODE, "VN"),
            39: HOSPITAL_CODE,
            44: formats.hl7_ts(event.start),
        }
        if discharged and event.end is not None:
            fields[36] = event.disposition
            fields[45] = formats.hl7_ts(event.end)
        return hl7.segment("PV1", fields)

    def pv2(self, event: Event, visit: _Visit) -> str:
        fields = {3: hl7.components("", visit.complaint)}
        if not event.inpatient:
            fields[38] = _ARRIVAL.get(event.arrival, "")
        return hl7.segment("PV2", fields)

    def new_visit(self, event: Event) -> _Visit:
        rng = self.rng
        self.visits += 1
        npi, last, first = rng.choice(_ATTENDING)
        attending = hl7.components(npi, last, first, "", "", "", "MD")
        complaint = rng.choice(_COMPLAINTS.get(event.reason, ("ILLNESS",)))
        if event.reason == "medical":
            complaint = _MEDICAL_COMPLAINTS.get(event.dx[0], complaint)
        if event.inpatient:
            unit = "BHU" if event.reason in ("psych", "suicide") else "4W"
            room = str(rng.randint(401, 430))
            location = hl7.components(unit, room, rng.choice("AB"), HOSPITAL_CODE)
            service = "PSY" if unit == "BHU" else "MED"
            admit_source = "7"  # from the emergency room
        else:
            location = hl7.components("ED", f"B{rng.randint(1, 28)}", "1", HOSPITAL_CODE)
            service = "EM"
            admit_source = "8" if event.arrival == "police" else ""  # court/law enforcement
        return _Visit(
            number=f"V{event.start.year % 100:02d}{self.visits:07d}",
            account=f"A{self.visits + 3000000:08d}",
            location=location,
            attending=attending,
            service=service,
            admit_source=admit_source,
            complaint=complaint,
        )

    def dg1(self, codes: tuple[str, ...], when: datetime, kind: str) -> list[str]:
        return [
            hl7.segment(
                "DG1",
                {
                    1: str(n),
                    3: hl7.components(code, describe(code), "I10"),
                    5: formats.hl7_ts(when),
                    6: kind,
                    15: str(n),
                },
            )
            for n, code in enumerate(codes, start=1)
        ]

    # -- one visit -----------------------------------------------------------------------------
    def visit(self, event: Event, identity: SourceIdentity) -> None:
        rng, person = self.rng, identity.person
        rates = RATES[COUNTY_HOSPITAL]
        visit = self.new_visit(event)
        account = visit.account
        rec = identity.recorded
        retyped = rng.random() < rates.row_reentry
        if retyped:
            rec = record(rng, person, event.start.date(), rates)
        if person.last_name_on(event.start.date()) != rec.last and rec.last == person.former_last:
            rec = replace(rec, last=person.last_name_on(event.start.date()))
        where = address_at_event(rng, person)
        phone = person.phone if rng.random() < 0.75 else ""
        pid = self.pid(identity, rec, where, phone, account)
        first = "A01" if event.inpatient else "A04"
        pv1 = self.pv1(event, visit, discharged=False)
        registered = event.start + timedelta(seconds=rng.randint(5, 240))
        body = [self.evn(first, registered, event.start), pid, pv1, self.pv2(event, visit)]
        if event.inpatient:
            body += self.dg1(event.dx[:1], event.start, "A")
        self.add(registered, first, body)
        stay = (event.end or event.start + timedelta(hours=4)) - event.start
        if retyped or rng.random() < 0.12:  # registration corrected or updated
            at = event.start + stay * rng.uniform(0.2, 0.8)
            if event.end is None or at < event.end:
                fixed = identity.recorded if retyped else rec
                new_phone = phone or (person.phone if rng.random() < 0.5 else "")
                pid = self.pid(identity, fixed, where, new_phone, account)
                body = [self.evn("A08", at, at), pid, pv1, self.pv2(event, visit)]
                body += self.dg1(event.dx[:1], at, "W")
                self.add(at, "A08", body)
        if event.end is not None:
            at = event.end + timedelta(seconds=rng.randint(5, 600))
            pv1_out = self.pv1(event, visit, discharged=True)
            body = [self.evn("A03", at, event.end), pid, pv1_out]
            body += self.dg1(event.dx, event.end, "F")
            self.add(at, "A03", body)

    def evn(self, event_type: str, recorded: datetime, occurred: datetime) -> str:
        return hl7.segment(
            "EVN", {1: event_type, 2: formats.hl7_ts(recorded), 6: formats.hl7_ts(occurred)}
        )

    # -- the file ------------------------------------------------------------------------------
    def add_bad_messages(self) -> None:
        """A copy of an update whose PID-7 is no date, and an update without its PID."""
        rng = self.rng
        updates = [m for m in self.messages if m.event_type in ("A08", "A04")]
        if not updates:
            return
        for kind in (UNPARSEABLE_DOB, MISSING_PID):
            source = rng.choice(updates)
            segments = list(source.segments)
            if kind == UNPARSEABLE_DOB:
                pid_at = next(i for i, s in enumerate(segments) if s.startswith("PID|"))
                fields = segments[pid_at].split(hl7.FIELD)
                fields[7] = "19851345"  # month 13, day 45
                segments[pid_at] = hl7.FIELD.join(fields)
            else:
                segments = [s for s in segments if not s.startswith("PID|")]
            at = source.at + timedelta(seconds=rng.randint(1, 30))
            self.messages.append(_Message(at, len(self.messages), "A08", segments, kind))

    def document(self) -> Document:
        doc = Document()
        ordered = sorted(self.messages, key=lambda m: (m.at, m.order))
        for number, message in enumerate(ordered, start=1):
            msh = hl7.segment(
                "MSH",
                {
                    3: "SCGH_ADT",
                    4: HOSPITAL_CODE,
                    5: "DDJ",
                    6: "SYNTHETIC_COUNTY",
                    7: formats.hl7_ts(message.at),
                    9: hl7.components("ADT", message.event_type, _STRUCTURE[message.event_type]),
                    10: f"{HOSPITAL_CODE}{number:010d}",
                    11: "P",
                    12: "2.5.1",
                    15: "AL",
                    16: "NE",
                },
            )
            doc.parts.append(msh)
            doc.parts.extend(message.segments)
            if message.bad:
                doc.bad[number] = message.bad
        doc.items = len(ordered)
        return doc


def build_hospital(rng: random.Random, people: list[Person], events: list[Event]) -> Extract:
    rates = RATES[COUNTY_HOSPITAL]
    reg = register(rng, people, events, rates, lambda n: f"{n + 2000000:08d}")
    feed = _Feed(rng)
    for event, identity in zip(reg.events, reg.owners, strict=True):
        feed.visit(event, identity)
    feed.add_bad_messages()
    extract = Extract.of(reg, {})
    extract.documents[FILE] = feed.document()
    return extract
