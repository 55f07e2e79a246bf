"""The tabular importer: CSV, XLSX or Parquet rows mapped to canonical rows by a profile."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ddj.errors import FileUnreadableError
from ddj.ingest import fields as f
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.profile import Profile
from ddj.ingest.readers import iter_rows, read_header
from ddj.model import EVENT_COLUMNS, RECORD_COLUMNS, SEX_CODES

FORMAT = "table"
PATTERNS = ("*.csv", "*.tsv", "*.xlsx", "*.parquet")
NEEDS_PROFILE = True
WHOLE_FOLDER = False


def check_header(path: Path, profile: Profile) -> list[str]:
    """Fail for the whole file when its header lacks the profile's required columns."""
    header = read_header(path)
    needed = profile.needed_columns()
    missing = sorted(needed - set(header))
    if missing:
        hint = (
            "check the delimiter and the header row"
            if len(header) <= 1
            else (f"the profile {profile.name!r} expects them; fix the profile's [columns]")
        )
        raise FileUnreadableError(
            f"missing required column(s) {', '.join(missing)} (found: {', '.join(header[:12])})",
            where=str(path),
            fix=hint,
        )
    return header


def parse_file(path: Path, profile: Profile | None, *, today: date | None = None) -> ParsedFile:
    assert profile is not None, "the table format needs a mapping profile"
    header = check_header(path, profile)
    mapper = _RowMapper(profile, set(header), today or date.today())
    parsed = ParsedFile()
    newest: dict[str, datetime | None] = {}
    for row_number, values, problem in iter_rows(path):
        parsed.rows_read += 1
        if problem is not None:
            parsed.reject(row_number, *problem)
            continue
        try:
            row = mapper.map(values)
        except _Rejected as bad:
            parsed.reject(row_number, bad.column, bad.value, bad.reason)
            continue
        _collect(parsed, profile, row, row_number, newest)
    return parsed


def _collect(
    parsed: ParsedFile,
    profile: Profile,
    row: dict[str, Any],
    row_number: int,
    newest: dict[str, datetime | None],
) -> None:
    spid = row["source_person_id"]
    get = row.get
    if profile.kind == "aliases":
        parsed.aliases.append(
            {
                "source_person_id": spid,
                "first_name": get("alias_first_name"),
                "last_name": get("alias_last_name"),
                "dob": get("alias_dob"),
            }
        )
        return
    if profile.has_events:
        event = dict(zip(EVENT_COLUMNS, map(get, EVENT_COLUMNS), strict=True))
        event["part2"] = bool(get("part2"))
        if get("incident_number"):
            event["details"] = {"incident_number": row["incident_number"]}
        event["source_person_id"] = spid
        event_id = get("event_id") or _content_id(spid, event)
        if profile.event_per_person and get("event_id"):
            event_id = f"{event_id}|{spid}"
        if event_id in parsed.events:
            parsed.reject(
                row_number,
                profile.columns.get("event_id"),
                event_id,
                "duplicate event id in this file (an earlier row has the same id)",
            )
            return
        parsed.events[event_id] = event
    if profile.has_records:
        record = dict(zip(RECORD_COLUMNS, map(get, RECORD_COLUMNS), strict=True))
        record["other_ids"] = {k: v for k, v in get("other_ids", {}).items() if v}
        when = get("start_at")
        previous = parsed.records.get(spid)
        if previous is None:
            parsed.records[spid] = record
            newest[spid] = when
            return
        # The same person on several rows (e.g. one per booking): the newest row is the identity,
        # other names become aliases so linkage can still use them.
        take_new = when is None or newest[spid] is None or when >= newest[spid]
        current, other = (record, previous) if take_new else (previous, record)
        for key, value in other.items():  # blanks in the identity are filled from other rows
            # (current.get(key) in (None, {}) and value not in (None, {}), spelt out: hot)
            if value is None or (value.__class__ is dict and not value):
                continue
            now = current.get(key)
            if now is None or (now.__class__ is dict and not now):
                current[key] = value
        if take_new:
            parsed.records[spid] = record
            newest[spid] = when
        if (other["first_name"], other["last_name"], other["dob"]) != (
            current["first_name"],
            current["last_name"],
            current["dob"],
        ):
            parsed.aliases.append(
                {
                    "source_person_id": spid,
                    "first_name": other["first_name"],
                    "last_name": other["last_name"],
                    "dob": other["dob"],
                }
            )


def _content_id(spid: str, event: dict[str, Any]) -> str:
    basis = f"{spid}|{event['event_type']}|{event['start_at']}|{event['location']}"
    return "h" + hashlib.sha1(basis.encode()).hexdigest()[:16]


class _Rejected(Exception):
    def __init__(self, column: str | None, value: Any, reason: str):
        self.column, self.value, self.reason = column, value, reason


# Fields read as upper-case text (a name's spacing is cleaned the same way).
_NAMES = ("first_name", "middle_name", "last_name", "suffix", "alias_first_name", "alias_last_name")
_UPPER = (
    "address",
    "city",
    "state",
    "call_type",
    "disposition",
    "event_type",
    "project_type",
    "location",
)
# Fields whose parsed value is a list: not remembered (a list is mutable).
_LISTS = ("charges", "diagnosis_codes")
_MISS = object()
_REMEMBERED = 20_000  # distinct values remembered per column (memory stays bounded)


def _upper_text(raw: Any) -> str | None:
    value = f.text(raw)
    return value.upper() if value else None


def _clean_text(raw: Any) -> str | None:
    """``fields.text``, with text (what a CSV holds) cleaned in one step."""
    if raw.__class__ is str:
        return " ".join(raw.split()) or None
    return f.text(raw)


def _clean_upper(raw: Any) -> str | None:
    if raw.__class__ is str:
        return " ".join(raw.split()).upper() or None
    return _upper_text(raw)


class _RowMapper:
    """Maps one row's values to canonical fields. Each column's parser is chosen once per file,
    and the values a column repeats (a sex code, a facility, a person's date of birth on each of
    their bookings) are parsed once: parsers are pure, so a remembered result is the same."""

    def __init__(self, profile: Profile, header: set[str], today: date):
        self.p = profile
        self.today = today
        # Only columns the file has; an optional column absent from the file reads as blank.
        self.columns = {k: v for k, v in profile.columns.items() if v in header}
        self.plan = [
            (name, column, self._compiled(name), {} if name not in _LISTS else None)
            for name, column in self.columns.items()
        ]
        self.required = [(name, profile.columns.get(name)) for name in profile.required]
        self.other_ids = list(profile.other_ids.items())
        self.event_types: dict[str | None, str] = {}

    def map(self, values: dict[str, Any]) -> dict[str, Any]:
        p = self.p
        out: dict[str, Any] = {}
        try:
            for field_name, column, parse, seen in self.plan:
                raw = values.get(column)
                if seen is None or raw.__class__ is not str:
                    out[field_name] = parse(raw)
                    continue
                value = seen.get(raw, _MISS)
                if value is _MISS:
                    value = parse(raw)
                    if len(seen) < _REMEMBERED:
                        seen[raw] = value
                out[field_name] = value
        except f.FieldError as exc:
            raise _Rejected(column, raw, f"{field_name}: {exc}") from exc
        ssn = out.pop("ssn", None)
        if ssn is not None:
            out["ssn"], out["ssn_last4"] = ssn
        for field_name, column in self.required:
            value = out.get(field_name)
            if value is None or (isinstance(value, str) and not value.strip()):  # f.blank
                raise _Rejected(column, None, f"missing required {field_name} (column {column})")
        if p.has_events:
            raw_type = out.get("event_type")
            event_type = self.event_types.get(raw_type)
            if event_type is None:
                event_type = self._event_type(raw_type)
                if len(self.event_types) < _REMEMBERED:
                    self.event_types[raw_type] = event_type
            out["event_type"] = event_type
            if out.get("end_at") and out["end_at"] < out["start_at"]:
                raise _Rejected(
                    p.columns.get("end_at"),
                    values.get(p.columns.get("end_at")),
                    "end_at: ends before it starts",
                )
        other_ids = self.other_ids
        out["other_ids"] = (
            {k: _clean_text(values.get(c)) for k, c in other_ids} if other_ids else {}
        )
        return out

    def _compiled(self, field_name: str) -> Callable[[Any], Any]:
        """The field's parser, with what map() does to its value afterwards when that depends
        on the value alone (sex codes), so a remembered result is the final one."""
        parse = self._parser(field_name)
        if field_name == "sex":
            code = self._code
            return lambda raw: code("sex", parse(raw), SEX_CODES, "U")
        if field_name in _LISTS:  # remembered as tuples: each row gets a list of its own
            seen: dict[str, tuple[str, ...] | None] = {}

            def parse_list(raw: Any) -> list[str] | None:
                if raw.__class__ is not str:
                    return parse(raw)
                found = seen.get(raw, _MISS)
                if found is _MISS:
                    value = parse(raw)
                    if len(seen) < _REMEMBERED:
                        seen[raw] = None if value is None else tuple(value)
                    return value
                return None if found is None else list(found)  # type: ignore[arg-type]

            return parse_list
        return parse

    def _parser(self, field_name: str) -> Callable[[Any], Any]:
        """The parser of one field (what ``_parse`` does for it), chosen once."""
        p = self.p
        if field_name in ("dob", "alias_dob"):
            return f.dob_parser(p.date_formats, self.today)
        if field_name in ("start_at", "end_at"):
            return f.datetime_parser(p.datetime_formats, p.date_formats)
        if field_name in _NAMES:
            return _clean_upper
        if field_name == "ssn":
            return f.parse_ssn
        if field_name in _LISTS:
            separator = p.list_separator
            return lambda raw: f.parse_list(raw, separator)
        if field_name == "cost":
            return f.parse_number
        if field_name == "part2":
            return f.parse_flag
        if field_name == "zip":
            return f.zip5
        if field_name == "phone":
            return f.phone
        if field_name in _UPPER:
            return _clean_upper
        return _clean_text

    def _parse(self, field_name: str, raw: Any) -> Any:
        """One field's value (the reference the compiled parsers follow; tests compare them)."""
        p = self.p
        if field_name in ("dob", "alias_dob"):
            return f.parse_dob(raw, p.date_formats, self.today)
        if field_name in ("start_at", "end_at"):
            return f.parse_datetime(raw, p.datetime_formats, p.date_formats)
        if field_name in _NAMES:
            return f.name(raw)
        if field_name == "ssn":
            return f.parse_ssn(raw)
        if field_name in _LISTS:
            return f.parse_list(raw, p.list_separator)
        if field_name == "cost":
            return f.parse_number(raw)
        if field_name == "part2":
            return f.parse_flag(raw)
        if field_name == "zip":
            return f.zip5(raw)
        if field_name == "phone":
            return f.phone(raw)
        if field_name in _UPPER:
            return _upper_text(raw)
        return f.text(raw)

    def _event_type(self, raw: str | None) -> str:
        mapping = self.p.codes.get("event_type", {})
        if raw and raw.upper() in mapping:
            return mapping[raw.upper()]
        if self.p.event_type:
            return self.p.event_type
        if raw:
            return raw.lower()
        raise _Rejected(self.p.columns.get("event_type"), raw, "missing event type")

    def _code(
        self, field_name: str, raw: str | None, allowed: tuple[str, ...], default: str
    ) -> str | None:
        if raw is None:
            return None
        mapping = self.p.codes.get(field_name, {})
        value = mapping.get(raw.upper(), raw.upper())
        return value if value in allowed else default
