"""The second behavioral-health provider's FHIR R4 bulk export (NDJSON, one resource a line).

data/fhir/Patient.ndjson, Encounter.ndjson and Condition.ndjson. A Patient carries the
provider's MRN (identifier type MR) and for some the SSN (system http://hl7.org/fhir/sid/us-ssn),
an official name and, after a name change, the old one; a few birth dates are partial (YYYY-MM).
Encounters are AMB (outpatient, case management), EMER (crisis), NONAC (residential) or IMP
(withdrawal management), with serviceType text; those of 42 CFR Part 2 programs carry the
security label 42CFRPart2, as do their Conditions (ICD-10-CM, referencing patient and encounter).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ddj.demo import formats
from ddj.demo.codes import describe
from ddj.demo.errors import BH_FHIR, RATES, Recorded
from ddj.demo.events import Event
from ddj.demo.people import Person
from ddj.demo.places import FHIR_BH_PROVIDER, Address
from ddj.demo.registry import Extract, SourceIdentity, address_at_event, register
from ddj.demo.writers import Document

FOLDER = "fhir"
FILES = ("Patient.ndjson", "Encounter.ndjson", "Condition.ndjson")
MRN_SYSTEM = "https://bridgewell.example.org/fhir/sid/mrn"
SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
PART2_LABELS = [
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
]
# Service type -> (encounter class code, class display, serviceType text).
_SERVICE = {
    "CRISIS": ("EMER", "emergency", "Crisis stabilization"),
    "MOBILE_CRISIS": ("EMER", "emergency", "Mobile crisis response"),
    "OUTPATIENT": ("AMB", "ambulatory", "Outpatient behavioral health visit"),
    "CASE_MANAGEMENT": ("AMB", "ambulatory", "Case management"),
    "RESIDENTIAL": ("NONAC", "inpatient non-acute", "Residential treatment"),
    "DETOX": ("IMP", "inpatient encounter", "Withdrawal management"),
}
_GENDER = {"M": "male", "F": "female"}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _line(resource: dict[str, Any]) -> str:
    return json.dumps(resource, separators=(",", ":"), ensure_ascii=False) + "\n"


def _name(rec: Recorded, use: str) -> dict[str, Any]:
    name: dict[str, Any] = {"use": use, "family": rec.last.title()}
    given = [g.title() for g in (rec.first, rec.middle) if g]
    if given:
        name["given"] = given
    if rec.suffix:
        name["suffix"] = [formats.title_suffix(rec.suffix)]
    return name


def _address(where: Address | str) -> dict[str, Any] | None:
    if isinstance(where, Address):
        street, unit = formats.split_unit(where.street)
        return {
            "use": "home",
            "type": "physical",
            "line": [formats.title_street(s) for s in (street, unit) if s],
            "city": where.city.title(),
            "state": where.state,
            "postalCode": where.zip,
            "country": "US",
        }
    if where in ("", "NONE", "UNKNOWN"):
        return None
    return {"use": "temp", "text": where.title(), "city": "Riverton", "state": "OR"}


def patient(rng: random.Random, identity: SourceIdentity, mrn: str) -> dict[str, Any]:
    rec, person = identity.recorded, identity.person
    on = identity.first_seen.date()
    if person.last_name_on(on) != rec.last and rec.last == person.former_last:
        rec = replace(rec, last=person.last)  # the chart shows the current name
    identifiers: list[dict[str, Any]] = [
        {
            "use": "usual",
            "type": {
                "coding": [{"system": V2_0203, "code": "MR"}],
                "text": "Medical record number",
            },
            "system": MRN_SYSTEM,
            "value": mrn,
        }
    ]
    if rec.ssn:
        identifiers.append(
            {
                "type": {"coding": [{"system": V2_0203, "code": "SS"}]},
                "system": SSN_SYSTEM,
                "value": rec.ssn,
            }
        )
    names = [_name(rec, "official")]
    if person.former_last and rec.last != person.former_last and rng.random() < 0.7:
        old: dict[str, Any] = {"use": "old", "family": person.former_last.title()}
        old["given"] = [rec.first.title()]
        if person.name_changed_on:
            old["period"] = {"end": person.name_changed_on.isoformat()}
        names.append(old)
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": identity.source_id,
        "identifier": identifiers,
        "active": True,
        "name": names,
        "gender": _GENDER.get(rec.sex, "unknown"),
    }
    if rec.dob is not None:
        partial = rng.random() < 0.02
        resource["birthDate"] = rec.dob.strftime("%Y-%m") if partial else rec.dob.isoformat()
    if person.phone and rng.random() < 0.8:
        phone = formats.dashed_phone(person.phone)
        resource["telecom"] = [{"system": "phone", "value": phone, "use": "mobile"}]
    address = _address(address_at_event(rng, person))
    if address is not None:
        resource["address"] = [address]
    return resource


def _period(rng: random.Random, event: Event) -> tuple[datetime, datetime | None]:
    day = event.start
    service = event.service_type
    if service in ("OUTPATIENT", "CASE_MANAGEMENT"):
        start = day + timedelta(hours=rng.randint(8, 16), minutes=rng.choice((0, 15, 30, 45)))
        return start, start + timedelta(minutes=rng.choice((30, 45, 50, 60)))
    if service in ("CRISIS", "MOBILE_CRISIS"):
        start = day + timedelta(hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        if event.end is None:
            return start, None
        return start, start + timedelta(minutes=rng.randint(60, 1200))
    start = day + timedelta(hours=rng.randint(9, 17))
    end = event.end + timedelta(hours=rng.randint(9, 14)) if event.end else None
    return start, end


def encounter(
    rng: random.Random, event: Event, patient_id: str, encounter_id: str
) -> dict[str, Any]:
    program = event.program
    assert program is not None
    code, display, text = _SERVICE[event.service_type]
    if program.part2 and event.service_type == "OUTPATIENT":
        text = "Opioid treatment program visit"
    start, end = _period(rng, event)
    period = {"start": formats.iso_offset(start)}
    if end is not None:
        period["end"] = formats.iso_offset(end)
    resource: dict[str, Any] = {"resourceType": "Encounter", "id": encounter_id}
    if program.part2:
        resource["meta"] = {"security": PART2_LABELS}
    resource.update(
        {
            "status": "finished" if end is not None else "in-progress",
            "class": {"system": ACT_CODE, "code": code, "display": display},
            "serviceType": {"text": text},
            "subject": {"reference": f"Patient/{patient_id}"},
            "period": period,
            "serviceProvider": {"display": f"{FHIR_BH_PROVIDER} - {program.name}"},
        }
    )
    return resource


def condition(
    code: str, event: Event, patient_id: str, encounter: dict[str, Any], condition_id: str
) -> dict[str, Any]:
    program = event.program
    assert program is not None
    resource: dict[str, Any] = {"resourceType": "Condition", "id": condition_id}
    if program.part2:
        resource["meta"] = {"security": PART2_LABELS}
    resource.update(
        {
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }
                ]
            },
            "verificationStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                        "code": "confirmed",
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "encounter-diagnosis",
                            "display": "Encounter Diagnosis",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": ICD10CM, "code": code, "display": describe(code)}]},
            "subject": {"reference": f"Patient/{patient_id}"},
            "encounter": {"reference": f"Encounter/{encounter['id']}"},
            "recordedDate": encounter["period"]["start"],
        }
    )
    return resource


def build_fhir(rng: random.Random, people: list[Person], events: list[Event]) -> Extract:
    rates = RATES[BH_FHIR]
    reg = register(rng, people, events, rates, lambda n: _uuid(rng))
    docs = {name: Document() for name in FILES}
    for n, identity in enumerate(reg.identities, start=1):
        docs["Patient.ndjson"].parts.append(_line(patient(rng, identity, f"BW{n + 400000:07d}")))
    for event, identity in zip(reg.events, reg.owners, strict=True):
        found = encounter(rng, event, identity.source_id, _uuid(rng))
        docs["Encounter.ndjson"].parts.append(_line(found))
        for code in event.dx:
            found_condition = condition(code, event, identity.source_id, found, _uuid(rng))
            docs["Condition.ndjson"].parts.append(_line(found_condition))
    for doc in docs.values():
        doc.items = len(doc.parts)
    extract = Extract.of(reg, {})
    extract.documents.update({f"{FOLDER}/{name}": doc for name, doc in docs.items()})
    return extract
