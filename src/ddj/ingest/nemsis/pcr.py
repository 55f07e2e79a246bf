"""One NEMSIS PatientCareReport as one source record (the patient as this run knows them) and
one ``ems_run`` event.

NEMSIS has no patient id that is stable across runs (ePatient.01, the agency's patient id, is
optional and often per run), so the record is keyed by the run: source_person_id and event id are
both eRecord.01 (Patient Care Report Number); ePatient.01 is kept in other_ids["ems_patient_id"].
Linkage joins the runs of one person.

Fields read: ePatient.02/.03/.04/.23 names, .17 date of birth, .25 sex (v3.5.1; else .13 gender
of v3.5.0), .12 SSN, .05 street, .08 state (FIPS code, stored as its USPS abbreviation), .09 ZIP,
.18 phone. The city (ePatient.06) is a GNIS feature code, not a name, and is not stored.
Event: start eTimes.03 (unit notified) else .01 (PSAP call); end eTimes.13 (back in service)
else .12/.11 (at destination); call_type eDispatch.01; disposition eDisposition.30 (transport);
diagnosis_codes eSituation.11 and .12 (ICD-10-CM); location the scene (eScene.13/.15, state,
ZIP). details: cad_incident_number (eResponse.03, the 911/CAD incident number that ties the run to
the police call of the same incident), cad_unit_record_id (eDispatch.06), complaint, symptoms,
the other dispositions, destination, utc_offset, not_recorded (elements sent nil/NV/PN).

Times carry a UTC offset in NEMSIS; they are stored as the local wall-clock time written (like
every other source's, so the same moment lines up across sources) and the offset is kept in
details["utc_offset"].
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ddj.ingest import fields as f
from ddj.ingest.nemsis import codes
from ddj.ingest.nemsis.reader import Pcr

_ICD10CM = re.compile(r"([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})")
_SSN = re.compile(r"[0-9]{9}|[0-9]{4}")
_READ = (
    "eRecord.01",
    "eResponse.01",
    "eResponse.03",
    "eResponse.04",
    "eDispatch.01",
    "eDispatch.06",
    "eTimes.01",
    "eTimes.03",
    "eTimes.11",
    "eTimes.12",
    "eTimes.13",
    "ePatient.01",
    "ePatient.02",
    "ePatient.03",
    "ePatient.04",
    "ePatient.05",
    "ePatient.08",
    "ePatient.09",
    "ePatient.12",
    "ePatient.13",
    "ePatient.15",
    "ePatient.16",
    "ePatient.17",
    "ePatient.18",
    "ePatient.25",
    "eScene.13",
    "eScene.15",
    "eScene.18",
    "eScene.19",
    "eSituation.04",
    "eSituation.09",
    "eSituation.10",
    "eSituation.11",
    "eSituation.12",
    "eDisposition.01",
    "eDisposition.21",
    "eDisposition.27",
    "eDisposition.28",
    "eDisposition.29",
    "eDisposition.30",
    "eDisposition.31",
)


# Every element this module looks at: the reader builds only these (and the sections) of a PCR.
WANTED = frozenset(
    {
        *_READ,
        "ePatient.23",
        "eDisposition.12",
        *codes.REQUIRED,
        *(element for elements in codes.REQUIRED.values() for element, _ in elements),
    }
)

# Of those, the ones only checked for presence (the sections and the XSD-required elements whose
# value ddj does not use).
PRESENCE_ONLY = frozenset(
    {
        *codes.REQUIRED,
        *(element for elements in codes.REQUIRED.values() for element, _ in elements),
    }
    - {*_READ, "ePatient.23", "eDisposition.12"}
)


class PcrError(Exception):
    """A PCR that cannot be loaded: the element, its value and the reason (for quarantine)."""

    def __init__(self, element: str | None, value: str | None, reason: str):
        self.element, self.value, self.reason = element, value, reason
        super().__init__(f"{element}: {reason}")


def no_patient_contact(pcr: Pcr) -> bool:
    """eDisposition.27 says the unit made no patient contact (cancelled, no patient found...):
    not an ems_run with a person, so nothing is loaded."""
    unit = pcr.first("eDisposition.27")
    return unit is not None and unit != codes.PATIENT_CONTACT_MADE


def read_pcr(pcr: Pcr, today: date) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(record id, record, event) of one PCR; raises PcrError."""
    _check_required(pcr)
    run_id = pcr.first("eRecord.01")
    if run_id is None:
        raise PcrError("eRecord.01", None, "no Patient Care Report Number (eRecord.01)")
    record = _record(pcr, today)
    event = _event(pcr, run_id)
    return run_id, record, event


# Every section and element _check_required asks for: a PCR holding them all (nearly every one)
# is checked with one set comparison.
_ALL_REQUIRED = frozenset(
    {*codes.REQUIRED, *(element for elements in codes.REQUIRED.values() for element, _ in elements)}
)


def _check_required(pcr: Pcr) -> None:
    if "eDisposition.12" not in pcr.values and pcr.values.keys() >= _ALL_REQUIRED:
        return
    if pcr.present("eDisposition.12"):
        raise PcrError(
            "eDisposition.12",
            pcr.first("eDisposition.12"),
            "a NEMSIS v3.4 PCR (eDisposition.12 was replaced by eDisposition.27-.30 in v3.5); "
            "ddj reads v3.5: export the runs as NEMSIS v3.5",
        )
    missing: list[tuple[str, str]] = []
    for section, elements in codes.REQUIRED.items():
        if not pcr.present(section):
            raise PcrError(
                section,
                None,
                f"the PCR has no {section} section, which NEMSIS v3.5 requires (the PCR fails "
                "the XSD); fix the export in the ePCR software",
            )
        missing += [(e, name) for e, name in elements if not pcr.present(e)]
    if missing:
        names = "; ".join(f"{e} ({name})" for e, name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise PcrError(
            missing[0][0],
            None,
            f"missing required element {names}{more}: the PCR fails the NEMSIS v3.5 XSD. "
            'Send it, or send it empty with xsi:nil="true" and NV="7701001" (not applicable) '
            'or NV="7701003" (not recorded); fix the export in the ePCR software',
        )


# --- the record ---------------------------------------------------------------------------------


def _record(pcr: Pcr, today: date) -> dict[str, Any]:
    dob = _dob(pcr, today)
    record: dict[str, Any] = {
        "first_name": f.name(pcr.first("ePatient.03")),
        "middle_name": f.name(pcr.first("ePatient.04")),
        "last_name": f.name(pcr.first("ePatient.02")),
        "suffix": f.name(pcr.first("ePatient.23")),
        "dob": dob,
        "dob_quality": "full" if dob else None,
        "sex": _sex(pcr),
        "address": _upper(pcr.first("ePatient.05")),
        "city": None,
        "state": _state(pcr.first("ePatient.08")),
        "zip": f.zip5(pcr.first("ePatient.09")),
        "phone": next((p for p in map(f.phone, pcr.all("ePatient.18")) if p), None),
        "other_ids": {},
        "dq_codes": {},
        "part2": False,
    }
    if pcr.first("ePatient.01"):
        record["other_ids"]["ems_patient_id"] = pcr.first("ePatient.01")
    record["ssn"], record["ssn_last4"] = _ssn(pcr.first("ePatient.12"), record["dq_codes"])
    return record


def _dob(pcr: Pcr, today: date) -> date | None:
    raw = pcr.first("ePatient.17")
    if raw is None:
        return None
    try:
        dob = date.fromisoformat(raw)
    except ValueError as exc:
        raise PcrError("ePatient.17", raw, "unparseable date of birth (YYYY-MM-DD)") from exc
    if dob > today:
        raise PcrError("ePatient.17", raw, "impossible date of birth: in the future")
    if dob < f.EARLIEST_DOB:
        raise PcrError(
            "ePatient.17", raw, f"impossible date of birth: before {f.EARLIEST_DOB.isoformat()}"
        )
    return dob


def _sex(pcr: Pcr) -> str | None:
    sex = pcr.first("ePatient.25")
    if sex is not None:
        return codes.SEX.get(sex, "U")
    gender = pcr.first("ePatient.13")
    return codes.GENDER.get(gender, "U") if gender is not None else None


def _ssn(raw: str | None, dq_codes: dict[str, str]) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    compact = re.sub(r"[\s-]", "", raw)
    if not _SSN.fullmatch(compact):
        dq_codes["ssn_ePatient.12"] = "not an SSN (9 digits or the last 4); ignored"
        return None, None
    return f.parse_ssn(compact)


def _state(raw: str | None) -> str | None:
    if raw is None:
        return None
    return codes.STATES.get(raw.zfill(2), raw.upper() if len(raw) == 2 else None)


def _upper(value: str | None) -> str | None:
    cleaned = f.text(value)
    return cleaned.upper() if cleaned else None


# --- the event ----------------------------------------------------------------------------------


def _event(pcr: Pcr, run_id: str) -> dict[str, Any]:
    start_from, start, offset = _first_time(pcr, ("eTimes.03", "eTimes.01"))
    if start is None:
        raise PcrError(
            "eTimes.03",
            None,
            "no start: eTimes.03 (unit notified) and eTimes.01 "
            "(PSAP call) are both missing or not recorded",
        )
    end_from, end, end_offset = _first_time(pcr, ("eTimes.13", "eTimes.12", "eTimes.11"))
    if end is not None and end < start:
        raise PcrError(end_from, pcr.first(end_from or ""), f"ends before it starts ({start_from})")
    codes_, other = _impressions(pcr)
    return {
        "event_type": "ems_run",
        "start_at": start,
        "end_at": end,
        "location": _scene(pcr),
        "charges": None,
        "diagnosis_codes": codes_ or None,
        "call_type": _coded(pcr, "eDispatch.01", codes.DISPATCH_REASON, upper=True),
        "disposition": _coded(pcr, "eDisposition.30", codes.TRANSPORT_DISPOSITION, upper=True),
        "project_type": None,
        "cost": None,
        "part2": False,
        "source_person_id": run_id,
        "details": _details(pcr, start_from, end_from, offset or end_offset, other),
    }


def _first_time(pcr: Pcr, names: tuple[str, ...]) -> tuple[str | None, datetime | None, str | None]:
    for name in names:
        raw = pcr.first(name)
        if raw is not None:
            when, offset = _datetime(name, raw)
            return name, when, offset
    return None, None, None


def _datetime(name: str, raw: str) -> tuple[datetime, str | None]:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise PcrError(name, raw, "unparseable date/time (YYYY-MM-DDThh:mm:ss+hh:mm)") from exc
    if parsed.tzinfo is None:
        return parsed, None
    offset = parsed.utcoffset()
    assert offset is not None
    local = parsed.replace(tzinfo=None)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return local, f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _impressions(pcr: Pcr) -> tuple[list[str], list[str]]:
    found: list[str] = []
    other: list[str] = []
    for raw in pcr.all("eSituation.11") + pcr.all("eSituation.12"):
        code = icd10cm(raw)
        if code and code not in found:
            found.append(code)
        elif not code and raw not in other:
            other.append(raw)
    return found, other


def icd10cm(code: str) -> str | None:
    """An ICD-10-CM code in its dotted form (F1092 -> F10.92), or None if it is not one."""
    match = _ICD10CM.fullmatch(code.strip().upper())
    if not match:
        return None
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def _scene(pcr: Pcr) -> str | None:
    state = _state(pcr.first("eScene.18")) or ""
    place = " ".join(p for p in (state, f.zip5(pcr.first("eScene.19")) or "") if p)
    parts = [pcr.first("eScene.13"), pcr.first("eScene.15"), place]
    return _upper(", ".join(p for p in parts if p))


def _coded(pcr: Pcr, name: str, table: dict[str, str], *, upper: bool = False) -> str | None:
    raw = pcr.first(name)
    if raw is None:
        return None
    text = table.get(raw, raw)
    return text.upper() if upper else text


def _details(
    pcr: Pcr, start_from: str | None, end_from: str | None, offset: str | None, other: list[str]
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "cad_incident_number": pcr.first("eResponse.03"),
        "cad_unit_record_id": pcr.first("eDispatch.06"),
        "response_number": pcr.first("eResponse.04"),
        "agency_number": pcr.first("eResponse.01"),
        "pcr_uuid": pcr.uuid,
        "complaint": "; ".join(pcr.all("eSituation.04")) or None,
        "symptoms": _symptoms(pcr) or None,
        "other_impressions": other or None,
        "unit_disposition": _coded(pcr, "eDisposition.27", codes.UNIT_DISPOSITION),
        "patient_evaluation_care": _coded(pcr, "eDisposition.28", codes.PATIENT_EVALUATION_CARE),
        "crew_disposition": _coded(pcr, "eDisposition.29", codes.CREW_DISPOSITION),
        "refusal_reasons": [codes.REFUSAL_REASON.get(r, r) for r in pcr.all("eDisposition.31")]
        or None,
        # The stated age, linkage evidence when no date of birth was taken (ddj.link.age).
        "patient_age": pcr.first("ePatient.15"),
        "patient_age_units": pcr.first("ePatient.16") if pcr.first("ePatient.15") else None,
        "destination": pcr.first("eDisposition.01"),
        "destination_type": _coded(pcr, "eDisposition.21", codes.DESTINATION_TYPE),
        "start_from": start_from,
        "end_from": end_from,
        "utc_offset": offset,
        "not_recorded": sorted(n for n in _READ if n in pcr.not_recorded) or None,
    }
    return {k: v for k, v in details.items() if v is not None}


def _symptoms(pcr: Pcr) -> list[str]:
    """eSituation.09 and .10; a .10 with PN "Symptom Not Present" is not recorded, so never here."""
    found: list[str] = []
    for raw in pcr.all("eSituation.09") + pcr.all("eSituation.10"):
        code = icd10cm(raw) or raw
        if code not in found:
            found.append(code)
    return found
