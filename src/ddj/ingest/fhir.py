"""The FHIR R4 importer (format "fhir"): Patient, Encounter and Condition resources from a Bundle
(.json) or a bulk-data NDJSON export (.ndjson, one resource per line).

- A Patient is a person record; its other names are aliases.
- An Encounter is an event: EMER is an ``ed_visit``; IMP, ACUTE and NONAC a
  ``hospital_admission``; anything else an ``outpatient_visit``, or a ``bh_service`` when its type
  or service type says behavioral/mental health, psychiatry or substance use.
- A Condition gives its ICD-10-CM codes to the Encounter it names, and to any Encounter whose
  ``diagnosis`` refers to it.
- The 42 CFR Part 2 security label (meta.security code ``42CFRPart2``) on a resource, or on the
  Bundle holding it, marks the record or event as Part 2; a Part 2 Condition marks its Encounter.

A folder is read as one export (WHOLE_FOLDER): every *.json and *.ndjson in it, in name order,
so that references between Patient.ndjson, Encounter.ndjson and Condition.ndjson resolve. A single
file can be ingested on its own; an Encounter's ``Patient/ID`` subject need not be in the same
input, but ``urn:uuid:`` references and Condition -> Encounter links must resolve within it.

Times are stored as the local wall-clock time the source wrote, without its UTC offset, like every
other source's (a county's systems share one time zone, and CSV extracts carry none), so the same
moment lines up across sources; plain dates are kept as written. Encounters with status
entered-in-error, cancelled or planned are skipped (they are not contacts), like Conditions whose
verification status is entered-in-error or refuted. A resource id seen twice: the later one wins.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ddj.errors import FileUnreadableError
from ddj.ingest import fields as f
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.profile import Profile

FORMAT = "fhir"
PATTERNS = ("*.json", "*.ndjson")
NEEDS_PROFILE = False
WHOLE_FOLDER = True
CHUNK_RESOURCES = 20_000

SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
ICD10CM_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90"})
PART2_CODE = "42cfrpart2"
GENDERS = {"male": "M", "female": "F", "other": "X", "unknown": "U"}
ED_CLASSES = frozenset({"EMER", "EMERGENCY"})
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC", "INPATIENT"})
BH_WORDS = ("behavioral", "behavioural", "mental", "psychiatr", "substance", "addiction")
SKIPPED_ENCOUNTER_STATUS = frozenset({"entered-in-error", "cancelled", "planned"})
SKIPPED_CONDITION_STATUS = frozenset({"entered-in-error", "refuted"})
NOT_PRIMARY_NAME_USES = frozenset({"old", "maiden", "anonymous", "temp"})

_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\Z")


class _Bad(Exception):
    """A resource that goes to quarantine: the element at fault, its value and why."""

    def __init__(self, element: str, value: Any, reason: str):
        super().__init__(reason)
        self.element, self.value, self.reason = element, value, reason


@dataclass
class _Item:
    """One row of the input (an NDJSON line, a Bundle entry): where it was (file prefix, row),
    the resource, or the problem that makes it unreadable."""

    prefix: str  # "" for a single file, "Name.ndjson:" for a file of a folder
    row: int
    resource: Any = None
    full_url: str | None = None
    part2: bool = False  # labelled on the Bundle that holds it
    problem: tuple[str | None, Any, str] | None = None  # (element, value, reason)

    @property
    def kind(self) -> str | None:
        kind = self.resource.get("resourceType") if isinstance(self.resource, dict) else None
        return kind if isinstance(kind, str) else None


@dataclass
class _Link:
    """A Condition naming the Encounter it was diagnosed in."""

    prefix: str
    row: int
    ref: str
    codes: list[str]
    part2: bool


def parse_file(
    path: Path, profile: Profile | None = None, *, today: date | None = None
) -> ParsedFile:
    """The whole input at once (see :func:`iter_chunks` for constant memory)."""
    [whole] = iter_chunks(path, profile, today=today, chunk_size=0)
    return whole


def iter_chunks(
    path: Path,
    profile: Profile | None = None,
    *,
    today: date | None = None,
    chunk_size: int | None = None,
) -> Iterator[ParsedFile]:
    """The input as successive ParsedFiles of about ``chunk_size`` records and events each (0:
    one chunk; default ``CHUNK_RESOURCES``).

    Two passes: the first keeps only what references need (each Condition's codes and the
    Encounter it names, Bundle fullUrls); the second builds Patients and Encounters and yields
    them chunk by chunk. NDJSON is read line by line, so its memory does not grow with the file
    (beyond that index); a Bundle is one JSON document and is read whole."""
    size = CHUNK_RESOURCES if chunk_size is None else chunk_size
    inputs = [(file, f"{file.name}:" if path.is_dir() else "") for file in _input_files(path)]
    builder = _Builder(today or date.today())
    for file, prefix in inputs:
        for item in _read_file(file, prefix, _INDEXED):
            builder.index(item)
    builder.resolve_links()
    for file, prefix in inputs:
        for item in _read_file(file, prefix):
            builder.add(item)
            if size and len(builder.parsed.records) + len(builder.parsed.events) >= size:
                yield builder.take()
    builder.check_links()
    yield builder.take()


# -- reading files ----------------------------------------------------------------------------


def _input_files(path: Path) -> list[Path]:
    if not path.exists():
        raise FileUnreadableError("file not found", where=str(path))
    if not path.is_dir():
        return [path]
    files = sorted(
        p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".ndjson")
    )
    if not files:
        raise FileUnreadableError(
            "no .json or .ndjson files in this folder",
            where=str(path),
            fix="point at a FHIR Bundle (.json) or a bulk-data export folder (.ndjson)",
        )
    return files


# What the first pass needs of an NDJSON line (a resource of a Bundle is found by its fullUrl
# too, but an NDJSON line has none): only Conditions.
_INDEXED = b"Condition"


def _read_file(file: Path, prefix: str, only: bytes | None = None) -> Iterator[_Item]:
    """Every row of one file, in order (see _read_ndjson for ``only``)."""
    if file.suffix.lower() == ".ndjson":
        yield from _read_ndjson(file, prefix, only)
        return
    data = file.read_bytes().removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        raise FileUnreadableError("file is empty", where=str(file))
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # several JSON objects: NDJSON under a .json name
            del data
            yield from _read_ndjson(file, prefix, only)
            return
        raise _not_json(file, exc) from exc
    except (ValueError, RecursionError) as exc:  # bad UTF-8, absurd nesting or numbers
        raise _not_json(file, exc) from exc
    del data
    yield from _read_document(file, document, prefix)


def _not_json(file: Path, exc: Exception) -> FileUnreadableError:
    return FileUnreadableError(
        f"not valid JSON ({exc})",
        where=str(file),
        fix="a FHIR file is a Bundle or resource in JSON, or NDJSON with one resource a line",
    )


def _read_ndjson(file: Path, prefix: str, only: bytes | None = None) -> Iterator[_Item]:
    """Each line as an item. With ``only``, a line that cannot hold it is not parsed (nor
    handed on) once the file has a good line: the first pass reads a Patient or Encounter line
    for nothing, and the file's own checks (empty, no JSON at all) are decided by then. A line
    with an escape (``\\``) is always parsed: its words may be spelt with \\u escapes."""
    good = bad = 0
    with file.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if good and only is not None and only not in line and b"\\" not in line:
                continue
            if not line.strip():
                continue
            try:
                resource = json.loads(line)
            except (ValueError, RecursionError) as exc:
                bad += 1
                shown = line[:200].decode("utf-8", errors="replace").rstrip("\r\n")
                yield _Item(prefix, number, problem=(None, shown, f"not a valid JSON line ({exc})"))
                continue
            good += 1
            yield _Item(prefix, number, resource)
    if not good and not bad:
        raise FileUnreadableError("file is empty", where=str(file))
    if bad and not good:
        raise FileUnreadableError(
            "no line of this file is valid JSON", where=str(file), fix="is this an NDJSON file?"
        )


def _read_document(file: Path, document: Any, prefix: str) -> Iterator[_Item]:
    if _is_bulk_manifest(document):
        if prefix:  # a file of a folder: the export's own manifest, next to its .ndjson files
            return
        raise FileUnreadableError(
            "this is a bulk-data export manifest, not FHIR resources",
            where=str(file),
            fix="point at the folder that holds the exported .ndjson files",
        )
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise FileUnreadableError(
            "not a FHIR resource or Bundle (no resourceType)",
            where=str(file),
            fix="a FHIR file holds a JSON object with a resourceType",
        )
    if document["resourceType"] != "Bundle":
        yield _Item(prefix, 1, document)
        return
    entries = document.get("entry", [])
    if not isinstance(entries, list):
        raise FileUnreadableError("Bundle.entry is not a list", where=str(file))
    bundle_part2 = _part2(document)
    for number, entry in enumerate(entries, 1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None and isinstance(entry, dict) and "resource" not in entry:
            yield _Item(prefix, number)  # e.g. a transaction-response entry: nothing to read
            continue
        url = entry.get("fullUrl") if isinstance(entry, dict) else None
        yield _Item(
            prefix, number, resource if resource is not None else {}, _text(url), bundle_part2
        )


def _is_bulk_manifest(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and "resourceType" not in document
        and "transactionTime" in document
        and isinstance(document.get("output"), list)
    )


# -- building records and events ------------------------------------------------------------


class _Builder:
    def __init__(self, today: date):
        self.parsed = ParsedFile()
        self.today = today
        # What the first pass keeps: references resolve against it.
        self.urls: dict[str, tuple[str, str]] = {}  # fullUrl -> (resourceType, id)
        self.conditions: dict[str, tuple[list[str], bool]] = {}  # id -> (codes, part2)
        self.links: list[_Link] = []
        self.encounter_codes: dict[str, list[tuple[list[str], bool]]] = {}  # encounter id ->
        # What the second pass learns about Encounters, for the Conditions that name them.
        self.built_encounters: set[str] = set()
        self.bad_encounters: dict[str, _Item] = {}
        self.skipped_encounters: set[str] = set()

    def take(self) -> ParsedFile:
        chunk, self.parsed = self.parsed, ParsedFile()
        return chunk

    def reject(self, item: _Item, element: str | None, value: Any, reason: str) -> None:
        where = f"{item.prefix}{element}" if element else (item.prefix.rstrip(":") or None)
        self.parsed.reject(item.row, where, value, reason)

    # first pass

    def index(self, item: _Item) -> None:
        kind = item.kind
        if kind not in ("Patient", "Encounter", "Condition"):
            return
        rid = _resource_id(item)
        if rid is not None and item.full_url:
            self.urls[item.full_url] = (kind, rid)
        if kind == "Condition":
            self._condition(item, rid)

    def _condition(self, item: _Item, rid: str | None) -> None:
        res = item.resource
        if _coded(res.get("verificationStatus")) & SKIPPED_CONDITION_STATUS:
            return
        codes, part2 = _icd10cm(res.get("code")), item.part2 or _part2(res)
        if rid is not None:
            self.conditions[rid] = (codes, part2)
        ref = _reference(res.get("encounter")) or _reference(res.get("context"))
        if ref:
            self.links.append(_Link(item.prefix, item.row, ref, codes, part2))

    def resolve_links(self) -> None:
        for link in self.links:
            target = self._resolve(link.ref)
            if target is not None and target[0] == "Encounter":
                self.encounter_codes.setdefault(target[1], []).append((link.codes, link.part2))

    # second pass

    def add(self, item: _Item) -> None:
        self.parsed.rows_read += 1
        if item.problem is not None:
            self.reject(item, *item.problem)
            return
        if item.resource is None:
            return
        kind = item.kind
        if kind is None:
            self.reject(item, "resourceType", None, "not a FHIR resource")
        elif kind == "Patient":
            self._guarded(item, self._patient)
        elif kind == "Encounter":
            self._guarded(item, self._encounter)

    def check_links(self) -> None:
        """Quarantine the Conditions whose Encounter is not there (or was quarantined)."""
        for link in self.links:
            item = _Item(link.prefix, link.row)
            target = self._resolve(link.ref)
            if target is None or target[0] != "Encounter":
                reason = "the encounter reference does not resolve to an Encounter"
                self.reject(item, "Condition.encounter", link.ref, reason)
            elif not (target[1] in self.skipped_encounters or target[1] in self.built_encounters):
                reason = self._missing_encounter(target[1])
                self.reject(item, "Condition.encounter", link.ref, reason)

    def _guarded(self, item: _Item, build: Callable[[_Item], None]) -> None:
        """Build one resource; a malformed one is quarantined, never raised."""
        kind = item.kind
        try:
            build(item)
        except _Bad as bad:
            self.reject(item, f"{kind}.{bad.element}", bad.value, bad.reason)
            rid = _resource_id(item)
            if kind == "Encounter" and rid is not None:
                self.bad_encounters[rid] = _Item(item.prefix, item.row)
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            reason = f"unexpected structure ({type(exc).__name__}: {exc})"
            self.reject(item, kind, None, reason)

    def _id(self, item: _Item) -> str:
        rid = _resource_id(item)
        if rid is None:
            raise _Bad("id", None, "missing id (and no urn:uuid fullUrl)")
        return rid

    # Patient

    def _patient(self, item: _Item) -> None:
        res = item.resource
        pid = self._id(item)
        parts = {id(n): p for n in _dicts(res.get("name")) if any(p := _name_parts(n))}
        names = [n for n in _dicts(res.get("name")) if id(n) in parts]
        main = _choose_name(names)
        first, middle, last, suffix = parts[id(main)] if main else (None, None, None, None)
        dob, dob_quality = _birth_date(res.get("birthDate"), self.today)
        ssn, last4 = _ssn(res)
        record = {
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "suffix": suffix,
            "dob": dob,
            "dob_quality": dob_quality,
            "sex": _gender(res.get("gender")),
            "ssn": ssn,
            "ssn_last4": last4,
            **_address(res.get("address")),
            "phone": _phone(res.get("telecom")),
            "other_ids": _other_ids(res),
            "part2": item.part2 or _part2(res),
        }
        self.parsed.records[pid] = record
        for other in names:
            o_first, _, o_last, _ = parts[id(other)]
            if other is not main and (o_first, o_last) != (first, last):
                alias = {"first_name": o_first, "last_name": o_last, "dob": dob}
                self.parsed.aliases.append({"source_person_id": pid, **alias})

    def _missing_encounter(self, encounter_id: str) -> str:
        bad = self.bad_encounters.get(encounter_id)
        if bad is not None:
            return f"its Encounter (row {bad.row}) was quarantined"
        return f"Encounter/{encounter_id} is not in this input"

    # Encounter

    def _encounter(self, item: _Item) -> None:
        res = item.resource
        status = _text(res.get("status"))
        if status in SKIPPED_ENCOUNTER_STATUS:
            rid = _resource_id(item)
            if rid is not None:
                self.skipped_encounters.add(rid)
            return
        eid = self._id(item)
        pid = self._subject(res)
        period = res.get("period") or res.get("actualPeriod") or {}
        if not isinstance(period, dict):
            raise _Bad("period", period, "period is not an object")
        start, start_precision = _datetime(period.get("start"), "period.start")
        if start is None:
            raise _Bad("period.start", None, "missing period.start: an encounter needs a start")
        end, _ = _datetime(period.get("end"), "period.end")
        if end is not None and end < start:
            raise _Bad("period.end", period.get("end"), "the encounter ends before it starts")
        class_code = _class_code(res.get("class"))
        kinds = [_cc_text(c) for c in _dicts(res.get("type"))]
        services = [_cc_text(c) for c in _dicts(res.get("serviceType"))]
        details = {
            "status": status,
            "class": class_code,
            "type": "; ".join(k for k in kinds if k) or None,
            "serviceType": "; ".join(s for s in services if s) or None,
        }
        if start_precision != "time":
            details["start_precision"] = start_precision
        event = {
            "event_type": _event_type(class_code, [*kinds, *services]),
            "start_at": start,
            "end_at": end,
            "location": _location(res),
            "disposition": _disposition(res),
            "diagnosis_codes": None,
            "details": {k: v for k, v in details.items() if v is not None},
            "part2": item.part2 or _part2(res),
            "source_person_id": pid,
        }
        for ref in _diagnosis_refs(res.get("diagnosis")):
            target = self._resolve(ref)
            if target and target[0] == "Condition" and target[1] in self.conditions:
                _add_codes(event, *self.conditions[target[1]])
        for codes, part2 in self.encounter_codes.get(eid, []):
            _add_codes(event, codes, part2)
        self.parsed.events[f"Encounter/{eid}"] = event
        self.built_encounters.add(eid)
        self.bad_encounters.pop(eid, None)

    def _subject(self, res: dict[str, Any]) -> str:
        ref = _reference(res.get("subject") or res.get("patient"))
        if ref is None:
            raise _Bad("subject", None, "no subject: an encounter needs its Patient")
        target = self._resolve(ref)
        if target is None:
            raise _Bad("subject", ref, "the subject reference does not resolve to a Patient")
        if target[0] != "Patient":
            raise _Bad("subject", ref, f"the subject is a {target[0]}, not a Patient")
        return target[1]

    def _resolve(self, ref: str) -> tuple[str, str] | None:
        if ref in self.urls:
            return self.urls[ref]
        if ref.startswith(("urn:", "#")):
            return None
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] and parts[-1]:
            return parts[-2], parts[-1]
        return None


# -- element helpers (tolerant of wrong JSON types: a wrong type reads as absent) --------------


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for v in items if (t := _text(v))]


def _resource_id(item: _Item) -> str | None:
    rid = _text(item.resource.get("id"))
    if rid is None and item.full_url and item.full_url.lower().startswith("urn:uuid:"):
        rid = item.full_url[len("urn:uuid:") :] or None
    return rid


def _part2(resource: dict[str, Any]) -> bool:
    meta = resource.get("meta")
    labels = _dicts(meta.get("security")) if isinstance(meta, dict) else []
    return any((_text(c.get("code")) or "").lower() == PART2_CODE for c in labels)


def _coded(concept: Any) -> set[str]:
    """The lower-cased codes of a CodeableConcept (or Coding)."""
    if not isinstance(concept, dict):
        return set()
    codings = _dicts(concept.get("coding")) or [concept]
    return {c.lower() for c in (_text(x.get("code")) for x in codings) if c}


def _cc_text(concept: dict[str, Any]) -> str | None:
    text = _text(concept.get("text"))
    if text:
        return text
    for coding in _dicts(concept.get("coding")):
        shown = _text(coding.get("display")) or _text(coding.get("code"))
        if shown:
            return shown
    return None


def _reference(value: Any) -> str | None:
    return _text(value.get("reference")) if isinstance(value, dict) else None


def _name_parts(name: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    given = _texts(name.get("given"))
    family = " ".join(_texts(name.get("family"))) or None  # a list in FHIR DSTU2
    if not given and not family and (text := _text(name.get("text"))):
        words = text.split()
        given, family = words[:-1] or words, words[-1] if len(words) > 1 else None
    return (
        f.name(given[0]) if given else None,
        f.name(" ".join(given[1:])) if len(given) > 1 else None,
        f.name(family),
        f.name(" ".join(_texts(name.get("suffix")))),
    )


def _choose_name(names: list[dict[str, Any]]) -> dict[str, Any] | None:
    for use in ("official", "usual"):
        for name in names:
            if name.get("use") == use:
                return name
    current = [n for n in names if n.get("use") not in NOT_PRIMARY_NAME_USES]
    return (current or names or [None])[0]


def _birth_date(value: Any, today: date) -> tuple[date | None, str]:
    if value is None:
        return None, "unknown"
    raw = _text(value)
    match = _DATE.match(raw or "")
    if not match:
        reason = "unparseable birthDate; FHIR dates are YYYY, YYYY-MM or YYYY-MM-DD"
        raise _Bad("birthDate", value, reason)
    year, month, day = match.groups()
    try:
        dob = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise _Bad("birthDate", value, "birthDate is not a real calendar date") from None
    if dob > today:
        raise _Bad("birthDate", value, "impossible date of birth: in the future")
    if dob < f.EARLIEST_DOB:
        raise _Bad("birthDate", value, f"impossible date of birth: before {f.EARLIEST_DOB}")
    return dob, "full" if day else "approximate"


def _datetime(value: Any, element: str) -> tuple[datetime | None, str]:
    """(naive datetime, precision) of a FHIR dateTime: the wall-clock time as written."""
    if value is None:
        return None, "time"
    raw = _text(value) or ""
    match = _DATE.match(raw)
    if match:
        year, month, day = match.groups()
        try:
            moment = datetime(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise _Bad(element, value, f"{element} is not a real calendar date") from None
        return moment, "day" if day else "month" if month else "year"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise _Bad(element, value, f"unparseable {element}; expected a FHIR dateTime") from None
    return moment.replace(tzinfo=None), "time"


def _gender(value: Any) -> str | None:
    raw = _text(value)
    return None if raw is None else GENDERS.get(raw.lower(), "U")


def _ssn(res: dict[str, Any]) -> tuple[str | None, str | None]:
    for ident in _dicts(res.get("identifier")):
        if _text(ident.get("system")) == SSN_SYSTEM or "ss" in _coded(ident.get("type")):
            value = ident.get("value")
            try:
                return f.parse_ssn(_text(value))
            except f.FieldError as exc:
                raise _Bad("identifier", value, f"SSN: {exc}") from None
    return None, None


def _other_ids(res: dict[str, Any]) -> dict[str, str]:
    for ident in _dicts(res.get("identifier")):
        value = _text(ident.get("value"))
        if value and "mr" in _coded(ident.get("type")):
            return {"mrn": value}
    return {}


def _address(value: Any) -> dict[str, str | None]:
    addresses = _dicts(value)
    home = [a for a in addresses if a.get("use") == "home"]
    chosen = (home or addresses or [{}])[0]
    line = " ".join(_texts(chosen.get("line")))
    city, state = _text(chosen.get("city")), _text(chosen.get("state"))
    return {
        "address": f.text(line).upper() if f.text(line) else None,
        "city": f.text(city).upper() if city else None,
        "state": f.text(state).upper() if state else None,
        "zip": f.zip5(_text(chosen.get("postalCode"))),
    }


def _phone(value: Any) -> str | None:
    phones = [t for t in _dicts(value) if t.get("system") == "phone"]
    phones.sort(key=lambda t: t.get("use") not in ("home", "mobile"))
    for telecom in phones:
        number = f.phone(_text(telecom.get("value")))
        if number:
            return number
    return None


def _class_code(value: Any) -> str | None:
    """Encounter.class: a Coding in R4, a list of CodeableConcepts in R5."""
    for concept in _dicts(value):
        codes = sorted(_coded(concept))
        if codes:
            return codes[0].upper()
    return None


def _event_type(class_code: str | None, texts: list[str | None]) -> str:
    if class_code in ED_CLASSES:
        return "ed_visit"
    if class_code in INPATIENT_CLASSES:
        return "hospital_admission"
    words = " ".join(t.lower() for t in texts if t)
    if any(w in words for w in BH_WORDS):
        return "bh_service"
    return "outpatient_visit"


def _location(res: dict[str, Any]) -> str | None:
    for entry in _dicts(res.get("location")):
        for place in _dicts(entry.get("location")):
            shown = _text(place.get("display"))
            if shown:
                return f.text(shown).upper()
    provider = res.get("serviceProvider")
    shown = _text(provider.get("display")) if isinstance(provider, dict) else None
    return f.text(shown).upper() if shown else None


def _disposition(res: dict[str, Any]) -> str | None:
    stay = res.get("hospitalization") or res.get("admission")
    if not isinstance(stay, dict):
        return None
    concept = stay.get("dischargeDisposition")
    shown = _cc_text(concept) if isinstance(concept, dict) else None
    return f.text(shown).upper() if shown else None


def _diagnosis_refs(value: Any) -> Iterator[str]:
    def rank(diagnosis: dict[str, Any]) -> int:
        given = diagnosis.get("rank")
        return given if isinstance(given, int) else 1_000_000

    for diagnosis in sorted(_dicts(value), key=rank):
        for condition in _dicts(diagnosis.get("condition")):
            ref = _reference(condition) or _reference(condition.get("reference"))  # R4 / R5
            if ref:
                yield ref


def _icd10cm(concept: Any) -> list[str]:
    if not isinstance(concept, dict):
        return []
    found = []
    for coding in _dicts(concept.get("coding")):
        code = _text(coding.get("code"))
        if code and _text(coding.get("system")) in ICD10CM_SYSTEMS:
            found.append(code.upper())
    return found


def _add_codes(event: dict[str, Any], codes: list[str], part2: bool) -> None:
    existing = event["diagnosis_codes"] or []
    merged = existing + [c for c in codes if c not in existing]
    event["diagnosis_codes"] = merged or None
    event["part2"] = event["part2"] or part2
