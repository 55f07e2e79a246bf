"""One ADT message as canonical content: the person (PID) and the visit (PV1, DG1).

Fields read (HL7 v2.3 to v2.8):

- PID-3 identifiers (CX, repeating): the first of type MR is the MRN and the source person id
  (else the first identifier); type SS is the SSN. PID-19 is the SSN when PID-3 has none.
- PID-5 names (XPN, repeating): the name is the first of type L (legal) that has not expired
  (XPN-13), else the first; the others, and PID-9 (patient alias), are aliases.
- PID-7 date of birth: day precision or finer is 'full', year or month only is 'approximate'. It is
  a calendar date: a time-zone offset on it is ignored.
- PID-8 sex: M, F; O and A (other, ambiguous) as X; U, N and anything else as U.
- PID-11 address (first repetition): street line, city, state, zip. PID-13 phone: the first
  repetition with a 10-digit number.
- PV1-19 visit number is the event id (else "msg-" + MSH-10). PV1-2 patient class: E is an
  ed_visit, I a hospital_admission, any other an outpatient_visit. PV1-44 admit is the start (else,
  while no admit time is known for the visit, EVN-2, else MSH-7, but never after the discharge),
  PV1-45 discharge the end. PV1-3 location (facility, point of care).
  PV1-36 discharge disposition. DG1-3 diagnoses coded in ICD-10(-CM).

Times are stored as the local wall-clock time sent (like every other source's, so the same moment
lines up across sources); a UTC offset sent is kept in details["utc_offset"].
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ddj.ingest import fields as f
from ddj.ingest.hl7v2.codes import DISCHARGE_DISPOSITIONS, ICD10_SYSTEMS, SEX
from ddj.ingest.hl7v2.parser import (
    Delimiters,
    Message,
    MessageError,
    Segment,
    Timestamp,
    component,
    components,
    parse_timestamp,
)

SUPPORTED_TRIGGERS = ("A01", "A03", "A04", "A08", "A11", "A13")
_NEEDS_VISIT = ("A01", "A03", "A04")
_EVENT_TYPES = {"E": "ed_visit", "I": "hospital_admission"}
OTHER_EVENT_TYPE = "outpatient_visit"
_SSN = re.compile(r"[0-9xX]{9}|[0-9]{4}")
_SSN_SEPARATORS = re.compile(r"[\s-]")
_ICD10CM = re.compile(r"([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})")


@dataclass
class AdtMessage:
    """What one message says. ``visit`` holds only the event fields this message carries (a key
    with None means the message cleared the value with HL7's null ""); ``visit_details`` likewise
    for details."""

    control_id: str | None
    message_type: str
    trigger: str
    version: str | None
    sending_facility: str | None
    source_person_id: str
    record: dict[str, Any]
    aliases: list[dict[str, Any]]
    visit_id: str | None
    visit: dict[str, Any] = field(default_factory=dict)
    visit_details: dict[str, Any] = field(default_factory=dict)
    fallback_start: tuple[str, datetime] | None = None
    message_time: str | None = None  # MSH-7 as sent

    @property
    def message_key(self) -> str | None:
        """What tells this message from another: MSH-10 with the trigger and MSH-7 (some senders
        reuse control ids)."""
        if not self.control_id:
            return None
        return " ".join(p for p in (self.control_id, self.trigger, self.message_time) if p)


def read_adt(message: Message, today: date) -> AdtMessage:
    msh = message.msh
    message_type, trigger = _message_type(message)
    pid = message.first("PID")
    if pid is None:
        raise MessageError("PID", None, "no PID segment (patient identification)", hl7_code="100")
    spid, record, aliases = _person_of(pid, today)
    pv1 = message.first("PV1")
    if pv1 is None and trigger in _NEEDS_VISIT:
        raise MessageError("PV1", None, f"ADT^{trigger} has no PV1 segment (visit)", hl7_code="100")
    adt = AdtMessage(
        control_id=msh.value(10),
        message_type=message_type,
        trigger=trigger,
        version=msh.value(12),
        sending_facility=msh.value(4),
        source_person_id=spid,
        record=record,
        aliases=aliases,
        visit_id=None,
        message_time=msh.value(7),
    )
    if pv1 is not None:
        _visit(adt, message, pv1)
    return adt


def _message_type(message: Message) -> tuple[str, str]:
    msh = message.msh
    message_type = (msh.value(9) or "").upper()
    trigger = (msh.value(9, 2) or "").upper()
    if not trigger and (evn := message.first("EVN")) is not None:
        trigger = (evn.value(1) or "").upper()  # v2.3 senders may leave MSH-9.2 empty
    if not message_type:
        raise MessageError("MSH-9", None, "no message type (MSH-9)", ack_code="AR", hl7_code="101")
    if message_type != "ADT" or trigger not in SUPPORTED_TRIGGERS:
        shown = f"{message_type}^{trigger}" if trigger else message_type
        raise MessageError(
            "MSH-9",
            msh.raw(9),
            f"message type {shown} is not read; ddj reads ADT {', '.join(SUPPORTED_TRIGGERS)}",
            ack_code="AR",
            hl7_code="200" if message_type != "ADT" else "201",
        )
    return message_type, trigger


# --- the person ---------------------------------------------------------------------------------


def _person_of(pid: Segment, today: date) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """:func:`_person`, remembered by the segment's text: every message about a patient (the
    admit, the updates, the discharge) usually repeats the same PID, read once. Each caller gets
    its own record and aliases."""
    spid, record, aliases = _remembered_person(pid.text, pid.d, today)
    own = {**record, "other_ids": dict(record["other_ids"]), "dq_codes": dict(record["dq_codes"])}
    return spid, own, [dict(alias) for alias in aliases]


@functools.lru_cache(maxsize=4096)
def _remembered_person(
    text: str, d: Delimiters, today: date
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    return _person(Segment(text, d), today)


def _person(pid: Segment, today: date) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    ids = _identifiers(pid)
    mrn = next((value for value, kind in ids if kind == "MR"), None)
    spid = mrn or (ids[0][0] if ids else None)
    if spid is None:
        raise MessageError("PID-3", pid.raw(3), "no patient identifier in PID-3", hl7_code="101")
    names = _name_reps(pid)
    chosen = _chosen_index(names, pid.d, today)
    dob, dob_quality = _dob(pid, today)
    record: dict[str, Any] = {
        **_name_fields(_xpn(names[chosen], pid.d) if chosen is not None else None),
        "dob": dob,
        "dob_quality": dob_quality,
        "sex": _sex(pid),
        "other_ids": {"mrn": mrn} if mrn else {},
        "dq_codes": {},
        "part2": False,
    }
    record.update(_ssn(pid, ids, record["dq_codes"]))
    record.update(_address(pid))
    record["phone"] = _phone(pid)
    return spid, record, _aliases(pid, names, chosen, record, spid)


def _identifiers(pid: Segment) -> list[tuple[str, str]]:
    """(id, identifier type code) of each PID-3 repetition that has an id."""
    found = []
    d = pid.d
    for rep in pid.reps(3):
        parts = components(rep, d)
        value = component(parts, d, 1)
        if value:
            found.append((value, (component(parts, d, 5) or "").upper()))
    return found


def _name_fields(name: tuple[str | None, ...] | None) -> dict[str, str | None]:
    last, first, middle, suffix = name or (None, None, None, None)
    return {
        "first_name": f.name(first),
        "middle_name": f.name(middle),
        "last_name": f.name(last),
        "suffix": f.name(suffix),
    }


def _xpn(parts: list[str], d: Delimiters) -> tuple[str | None, str | None, str | None, str | None]:
    """Surname, given name, second name, suffix of one XPN (split by ``components``)."""
    # XPN-1 is a surname (v2.3) or FN with the surname first (v2.4+): the first sub-component.
    return (
        component(parts, d, 1, 1),
        component(parts, d, 2),
        component(parts, d, 3),
        component(parts, d, 4),
    )


def _named(pid: Segment, n: int) -> list[list[str]]:
    """The repetitions of an XPN field (PID-5, PID-9) that have a surname or a given name,
    each split into its components."""
    d = pid.d
    found = []
    for rep in pid.reps(n):
        parts = components(rep, d)
        if component(parts, d, 1) or component(parts, d, 2):
            found.append(parts)
    return found


def _name_reps(pid: Segment) -> list[list[str]]:
    return _named(pid, 5)


def _chosen_index(reps: list[list[str]], d: Delimiters, today: date) -> int | None:
    for i, parts in enumerate(reps):
        if (component(parts, d, 7) or "").upper() == "L" and not _expired(parts, d, today):
            return i
    return 0 if reps else None


def _expired(parts: list[str], d: Delimiters, today: date) -> bool:
    ended = component(parts, d, 13)  # XPN-13 expiration date (v2.5+)
    if not ended:
        return False
    try:
        return parse_timestamp(ended).local.date() < today
    except ValueError:
        return False


def _aliases(
    pid: Segment, names: list[list[str]], chosen: int | None, record: dict[str, Any], spid: str
) -> list[dict[str, Any]]:
    """The other PID-5 names and PID-9 (patient alias), each once, the record's name left out."""
    others = [r for i, r in enumerate(names) if i != chosen]
    others += _named(pid, 9)
    seen = {(record["first_name"], record["last_name"])}
    aliases = []
    for parts in others:
        last, first, _, _ = _xpn(parts, pid.d)
        key = (f.name(first), f.name(last))
        if key in seen:
            continue
        seen.add(key)
        aliases.append(
            {
                "source_person_id": spid,
                "first_name": key[0],
                "last_name": key[1],
                "dob": record["dob"],
            }
        )
    return aliases


def _dob(pid: Segment, today: date) -> tuple[date | None, str | None]:
    raw = pid.value(7)
    if raw is None:
        return None, None
    try:
        ts = parse_timestamp(raw)
    except ValueError as exc:
        raise MessageError(
            "PID-7", raw, f"unparseable date of birth: {exc}", hl7_code="102"
        ) from exc
    dob = ts.local.date()
    if dob > today:
        raise MessageError("PID-7", raw, "impossible date of birth: in the future", hl7_code="102")
    if dob < f.EARLIEST_DOB:
        raise MessageError(
            "PID-7",
            raw,
            f"impossible date of birth: before {f.EARLIEST_DOB.isoformat()}",
            hl7_code="102",
        )
    return dob, "full" if ts.digits >= 8 else "approximate"


def _sex(pid: Segment) -> str | None:
    raw = pid.value(8)
    return SEX.get(raw.upper(), "U") if raw else None


def _ssn(
    pid: Segment, ids: list[tuple[str, str]], dq_codes: dict[str, str]
) -> dict[str, str | None]:
    candidates = [("PID-3", value) for value, kind in ids if kind == "SS"]
    if (pid19 := pid.value(19)) is not None:
        candidates.append(("PID-19", pid19))
    for where, value in candidates:
        compact = _SSN_SEPARATORS.sub("", value)
        if _SSN.fullmatch(compact):
            ssn, last4 = f.parse_ssn(compact)
            return {"ssn": ssn, "ssn_last4": last4}
        dq_codes[f"ssn_{where}"] = "not an SSN (9 digits or the last 4); ignored"
    return {"ssn": None, "ssn_last4": None}


def _address(pid: Segment) -> dict[str, str | None]:
    reps = pid.reps(11)
    if not reps:
        return {"address": None, "city": None, "state": None, "zip": None}
    d = pid.d
    parts = components(reps[0], d)
    # XAD-1 is a street line; in v2.5+ it has sub-components (street & name & dwelling number).
    street_parts = [component(parts, d, 1, n) for n in (1, 2, 3)]
    street = " ".join(p for p in street_parts if p)
    return {
        "address": _upper(street),
        "city": _upper(component(parts, d, 3)),
        "state": _upper(component(parts, d, 4)),
        "zip": f.zip5(component(parts, d, 5)),
    }


def _phone(pid: Segment) -> str | None:
    d = pid.d
    for rep in pid.reps(13):
        parts = components(rep, d)
        area_local = (component(parts, d, 6) or "") + (component(parts, d, 7) or "")
        for candidate in (component(parts, d, 12), area_local, component(parts, d, 1)):
            number = f.phone(candidate)
            if number:
                return number
    return None


def _upper(value: str | None) -> str | None:
    if value.__class__ is str:  # f.text, then upper, in one step
        return " ".join(value.split()).upper() or None  # type: ignore[union-attr]
    cleaned = f.text(value)
    return cleaned.upper() if cleaned else None


# --- the visit ----------------------------------------------------------------------------------


def _visit(adt: AdtMessage, message: Message, pv1: Segment) -> None:
    visit_number = pv1.value(19)
    if visit_number:
        adt.visit_id = visit_number
    elif adt.control_id:
        adt.visit_id = f"msg-{adt.control_id}"
    else:
        raise MessageError(
            "PV1-19",
            None,
            "no visit number (PV1-19) and no message control id (MSH-10)",
            hl7_code="101",
        )
    visit, details = adt.visit, adt.visit_details
    patient_class = (pv1.value(2) or "").upper()
    if patient_class:
        visit["event_type"] = _EVENT_TYPES.get(patient_class, OTHER_EVENT_TYPE)
        details["patient_class"] = patient_class
    if (admission_type := pv1.value(4)) is not None:
        details["admission_type"] = admission_type.upper()
    _visit_times(adt, message, pv1)
    _visit_location(adt, pv1)
    _visit_disposition(adt, pv1)
    _visit_diagnoses(adt, message)
    details["message_type"] = adt.message_type
    details["trigger"] = adt.trigger
    if adt.sending_facility:
        details["sending_facility"] = adt.sending_facility


def _timestamp(segment: Segment | None, n: int, where: str) -> Timestamp | None:
    if segment is None:
        return None
    raw = segment.value(n)  # TS (v2.3-2.5) has the precision in a second component: ignored
    if raw is None:
        return None
    try:
        return parse_timestamp(raw)
    except ValueError as exc:
        raise MessageError(where, raw, f"unparseable date/time: {exc}", hl7_code="102") from exc


def _visit_times(adt: AdtMessage, message: Message, pv1: Segment) -> None:
    admit = _timestamp(pv1, 44, "PV1-44")
    discharge = _timestamp(pv1, 45, "PV1-45")
    if admit is not None:
        adt.visit["start_at"] = admit.local
        adt.visit_details["start_from"] = "PV1-44"
    if discharge is not None:
        adt.visit["end_at"] = discharge.local
    elif pv1.is_null(45):
        adt.visit["end_at"] = None
    offset = next((t.offset_text for t in (admit, discharge) if t and t.offset_text), None)
    if offset:
        adt.visit_details["utc_offset"] = offset
    if admit is not None:
        return
    # No admit time: the event (EVN-2) or message (MSH-7) time stands in, unless an earlier
    # message of the file gave the admit time.
    for where, segment, n in (("EVN-2", message.first("EVN"), 2), ("MSH-7", message.msh, 7)):
        when = _timestamp(segment, n, where)
        if when is not None:
            adt.fallback_start = (where, when.local)
            break
    # A discharge sent after the fact (EVN-2 later than PV1-45): the visit began by its end.
    if adt.fallback_start and discharge is not None and discharge.local < adt.fallback_start[1]:
        adt.fallback_start = ("PV1-45", discharge.local)


def _visit_location(adt: AdtMessage, pv1: Segment) -> None:
    reps = pv1.reps(3)
    if pv1.is_null(3):
        adt.visit["location"] = None
    if not reps:
        return
    d = pv1.d
    parts = components(reps[0], d)
    facility = component(parts, d, 4, 1)
    point_of_care = component(parts, d, 1, 1)
    if point_of_care and not facility:
        facility = adt.sending_facility
    text = ", ".join(p for p in (facility, point_of_care) if p)
    if text:
        adt.visit["location"] = _upper(text)


def _visit_disposition(adt: AdtMessage, pv1: Segment) -> None:
    if pv1.is_null(36):
        adt.visit["disposition"] = None
        adt.visit_details["discharge_disposition"] = None
        return
    code = pv1.value(36)
    if not code:
        return
    known = DISCHARGE_DISPOSITIONS.get(code.zfill(2) if code.isdigit() else code)
    adt.visit["disposition"] = _upper(known or code)
    adt.visit_details["discharge_disposition"] = code


def _visit_diagnoses(adt: AdtMessage, message: Message) -> None:
    segments = message.all("DG1")
    if not segments:
        return
    codes: list[str] = []
    others: list[str] = []
    for dg1 in segments:
        for rep in dg1.reps(3)[:1]:
            code, other = _diagnosis(rep, dg1)
            if code and code not in codes:
                codes.append(code)
            elif other and other not in others:
                others.append(other)
    adt.visit["diagnosis_codes"] = codes or None
    adt.visit_details["other_diagnosis_codes"] = others or None


def _diagnosis(rep: str, dg1: Segment) -> tuple[str | None, str | None]:
    """(ICD-10-CM code, None) or (None, "SYSTEM:code") for a code of another system."""
    d = dg1.d
    parts = components(rep, d)
    method = (dg1.value(2) or "").upper()  # DG1-2 coding method (v2.3), deprecated later
    for code_at, system_at in ((1, 3), (4, 6)):  # the code, then the alternate code
        code = component(parts, d, code_at)
        if not code:
            continue
        system = (component(parts, d, system_at) or (method if code_at == 1 else "")).upper()
        if system.replace("-", "").replace(" ", "") in ICD10_SYSTEMS:
            normalised = icd10cm(code)
            if normalised:
                return normalised, None
    code, system = component(parts, d, 1), component(parts, d, 3) or dg1.value(2)
    return None, (f"{system}:{code}" if code and system else code)


def icd10cm(code: str) -> str | None:
    """An ICD-10-CM code in its dotted form (F1092 -> F10.92), or None if it is not one."""
    match = _ICD10CM.fullmatch(code.strip().upper())
    if not match:
        return None
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category
