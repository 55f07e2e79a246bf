"""How each system writes dates, times, phones and addresses."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import cache

from ddj.demo.places import COUNTY_SEAT, STATE, Address


def us_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def iso_date(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def us_minutes(value: datetime | None) -> str:
    return value.strftime("%m/%d/%Y %H:%M") if value else ""


def iso_seconds(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def phone(rng: random.Random, digits: str) -> str:
    """A ten-digit phone written the way front-desk staff type it."""
    if not digits:
        return ""
    pick = rng.random()
    if pick < 0.45:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if pick < 0.75:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    if pick < 0.95:
        return digits
    return f"{digits[3:6]}-{digits[6:]}"  # no area code


def address_fields(rng: random.Random, where: Address | str) -> tuple[str, str, str, str]:
    """(street, city, state, zip) for a record; a word like HOMELESS keeps the county seat."""
    if isinstance(where, Address):
        return where.street, where.city, where.state, where.zip
    if not where:
        return "", "", "", ""
    return where, COUNTY_SEAT if rng.random() < 0.6 else "", STATE, ""


def address_line(where: Address | str) -> str:
    return where.one_line() if isinstance(where, Address) else where


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


@cache
def _daylight_time(year: int) -> tuple[datetime, datetime]:
    # US daylight saving time: from the second Sunday of March to the first Sunday of November.
    return (
        datetime.combine(_nth_sunday(year, 3, 2), time(2)),
        datetime.combine(_nth_sunday(year, 11, 1), time(2)),
    )


def utc_offset_hours(value: datetime) -> int:
    """The county's offset from UTC at a local time (US Pacific: -7 in daylight time, else -8)."""
    start, end = _daylight_time(value.year)
    return -7 if start <= value < end else -8


def iso_offset(value: datetime) -> str:
    """ISO 8601 with the local offset, as XML and FHIR want it: 2024-03-05T14:07:00-08:00."""
    return f"{value.strftime('%Y-%m-%dT%H:%M:%S')}{utc_offset_hours(value):+03d}:00"


def hl7_ts(value: datetime) -> str:
    """An HL7 v2 timestamp with the local offset: 20240305140700-0800."""
    return f"{value.strftime('%Y%m%d%H%M%S')}{utc_offset_hours(value):+03d}00"


def hl7_date(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def dashed_phone(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" if len(digits) == 10 else ""


_UNIT_MARKERS = (" APT ", " UNIT ", " SPC ", " #")


def split_unit(street: str) -> tuple[str, str]:
    """("123 MAIN ST", "APT 4") from "123 MAIN ST APT 4"."""
    for marker in _UNIT_MARKERS:
        at = street.find(marker)
        if at > 0:
            return street[:at], street[at + 1 :]
    return street, ""


_UPPER_WORDS = frozenset({"N", "S", "E", "W", "NE", "NW", "SE", "SW", "PO", "OR"})


def title_street(street: str) -> str:
    """ "455 N COMMERCIAL ST" -> "455 N Commercial St" (directions stay upper case)."""
    return " ".join(w if w in _UPPER_WORDS else w.capitalize() for w in street.split(" "))


def title_suffix(suffix: str) -> str:
    """JR -> Jr, SR -> Sr; roman numerals stay upper case."""
    return suffix if set(suffix) <= set("IVX") else suffix.title()
