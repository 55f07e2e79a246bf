"""One HMIS CSV row to its canonical form: a person record, dates, sex and data-quality codes.
A value that cannot be read raises :class:`Bad` with the column, the value and the reason."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from ddj.ingest import fields as f
from ddj.ingest.hmis import codes

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\Z")
DQ_COLUMNS = ("NameDataQuality", "SSNDataQuality", "DOBDataQuality")


class Bad(Exception):
    """A row that goes to quarantine: the column at fault, its value, and why."""

    def __init__(self, column: str | None, value: Any, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def value(row: dict[str, str], column: str) -> str | None:
    raw = row.get(column)
    if raw is None:
        return None
    raw = raw.strip()
    return raw or None


def is_deleted(row: dict[str, str]) -> bool:
    return value(row, "DateDeleted") is not None


def required_text(row: dict[str, str], column: str) -> str:
    found = value(row, column)
    if found is None:
        raise Bad(column, None, f"missing {column}")
    return found


def hmis_date(row: dict[str, str], column: str, *, required: bool = True) -> date | None:
    """A Date (YYYY-MM-DD; a Datetime's date part is accepted too)."""
    raw = value(row, column)
    if raw is None:
        if required:
            raise Bad(column, None, f"missing {column}")
        return None
    if _ISO_DATE.match(raw):
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            raise Bad(column, raw, f"{column}: not a real calendar date") from None
    hint = " (this looks like a file re-saved by Excel)" if "/" in raw else ""
    raise Bad(column, raw, f"{column}: unparseable date; HMIS CSV dates are YYYY-MM-DD{hint}")


def midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def client_record(row: dict[str, str], today: date) -> dict[str, Any]:
    """The canonical record of one Client.csv row, honouring its data-quality codes."""
    dq = {c: v for c in DQ_COLUMNS if (v := value(row, c)) is not None}
    names_given = dq.get("NameDataQuality") not in codes.NOT_GIVEN
    ssn, last4 = _ssn(row, dq.get("SSNDataQuality"))
    dob, dob_quality = _dob(row, dq.get("DOBDataQuality"), today)
    pid = required_text(row, "PersonalID")
    return {
        "first_name": f.name(row.get("FirstName")) if names_given else None,
        "middle_name": f.name(row.get("MiddleName")) if names_given else None,
        "last_name": f.name(row.get("LastName")) if names_given else None,
        "suffix": f.name(row.get("NameSuffix")) if names_given else None,
        "dob": dob,
        "dob_quality": dob_quality,
        "sex": sex(row),
        "ssn": ssn,
        "ssn_last4": last4,
        "other_ids": {"hmis_personal_id": pid},
        "dq_codes": dq,
        "part2": False,
    }


def _ssn(row: dict[str, str], quality: str | None) -> tuple[str | None, str | None]:
    if quality in codes.NOT_GIVEN:
        return None, None
    raw = value(row, "SSN")
    try:
        return f.parse_ssn(raw)
    except f.FieldError as exc:
        raise Bad("SSN", raw, f"SSN: {exc}") from None


def _dob(row: dict[str, str], quality: str | None, today: date) -> tuple[date | None, str]:
    if quality in codes.NOT_GIVEN:
        return None, "unknown"
    dob = hmis_date(row, "DOB", required=False)
    if dob is None:
        return None, "unknown"
    if dob > today:
        raise Bad("DOB", value(row, "DOB"), "impossible date of birth: in the future")
    if dob < f.EARLIEST_DOB:
        raise Bad(
            "DOB",
            value(row, "DOB"),
            f"impossible date of birth: before {f.EARLIEST_DOB.isoformat()}",
        )
    return dob, "approximate" if quality == codes.APPROXIMATE else "full"


def sex(row: dict[str, str]) -> str | None:
    """F/M/X/U from 4.21 Sex (FY2026) or else the 3.06 gender columns (FY2022/FY2024).

    Gender is not sex; for linkage only a lone Woman/Female or Man/Male is read as F or M, any other
    identity given (non-binary, transgender, several, ...) is X, nothing given is U."""
    coded = value(row, "Sex")
    if coded is not None:
        return codes.SEX_FY2026.get(coded, "U")
    columns = (*codes.GENDER_WOMAN, *codes.GENDER_MAN, *codes.GENDER_OTHER)
    if "Sex" not in row and not any(c in row for c in columns):
        return None
    chosen = {c for c in columns if value(row, c) == "1"}
    woman = bool(chosen & set(codes.GENDER_WOMAN))
    man = bool(chosen & set(codes.GENDER_MAN))
    other = bool(chosen & set(codes.GENDER_OTHER))
    if woman and not man and not other:
        return "F"
    if man and not woman and not other:
        return "M"
    return "X" if chosen else "U"
