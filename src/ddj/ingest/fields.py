"""Parsing one field's value into its canonical form; a bad value raises FieldError."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Any

EARLIEST_DOB = date(1900, 1, 1)


class FieldError(ValueError):
    """A value that cannot be read; carries the reason shown in quarantine."""


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def name(value: Any) -> str | None:
    """Names are kept upper-case with single spaces; linkage normalises further."""
    cleaned = text(value)
    return cleaned.upper() if cleaned else None


def parse_date(value: Any, formats: tuple[str, ...]) -> date | None:
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    for fmt in formats:
        try:
            return strptime(raw, fmt).date()
        except ValueError:
            continue
    raise FieldError(f"unparseable date; expected one of {', '.join(formats)}")


def parse_datetime(
    value: Any, formats: tuple[str, ...], date_formats: tuple[str, ...]
) -> datetime | None:
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raw = str(value).strip()
    for fmt in formats:
        try:
            return strptime(raw, fmt)
        except ValueError:
            continue
    for fmt in date_formats:
        try:
            return strptime(raw, fmt)
        except ValueError:
            continue
    raise FieldError(f"unparseable date-time; expected one of {', '.join(formats + date_formats)}")


# Formats made only of these directives are parsed by one compiled regex (``datetime.strptime``
# costs several microseconds a call, and raises for every format tried before the one that
# fits); any other format is left to strptime. Same results (tests compare them): strptime's own
# patterns, case-insensitive, whitespace in the format matching any run of whitespace,
# impossible dates a ValueError.
_FAST_DIRECTIVES = {  # the patterns _strptime itself uses for them
    "Y": r"(\d\d\d\d)",
    "m": r"(1[0-2]|0[1-9]|[1-9])",
    "d": r"(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(2[0-3]|[0-1]\d|\d)",
    "M": r"([0-5]\d|\d)",
    "S": r"(6[0-1]|[0-5]\d|\d)",
}


@functools.lru_cache(maxsize=128)
def _compiled(fmt: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    regex: list[str] = []
    order: list[str] = []
    for piece in re.split(r"(%.)", fmt):
        if len(piece) == 2 and piece[0] == "%":
            directive = piece[1]
            if directive == "%":
                regex.append("%")
                continue
            if directive not in _FAST_DIRECTIVES or directive in order:
                return None
            regex.append(_FAST_DIRECTIVES[directive])
            order.append(directive)
        elif "%" in piece:
            return None
        else:
            regex.append(re.sub(r"\\\s+|\s+", r"\\s+", re.escape(piece)))
    return re.compile("".join(regex), re.IGNORECASE), tuple(order)


def strptime(raw: str, fmt: str) -> datetime:
    """``datetime.strptime(raw, fmt)``, fast for the usual numeric formats."""
    compiled = _compiled(fmt)
    if compiled is None:
        return datetime.strptime(raw, fmt)
    pattern, order = compiled
    match = pattern.fullmatch(raw)
    if match is None:
        raise ValueError(f"{raw!r} does not match format {fmt!r}")
    got = dict(zip(order, map(int, match.groups()), strict=True))
    return datetime(
        got.get("Y", 1900),
        got.get("m", 1),
        got.get("d", 1),
        got.get("H", 0),
        got.get("M", 0),
        got.get("S", 0),
    )


def parse_dob(value: Any, formats: tuple[str, ...], today: date) -> date | None:
    dob = parse_date(value, formats)
    if dob is None:
        return None
    if dob > today:
        raise FieldError("impossible date of birth: in the future")
    if dob < EARLIEST_DOB:
        raise FieldError(f"impossible date of birth: before {EARLIEST_DOB.isoformat()}")
    return dob


_SSN_CHARS = re.compile(r"[^0-9xX]")


def parse_ssn(value: Any) -> tuple[str | None, str | None]:
    """(ssn, last4): nine characters of digits or 'x' for an unknown digit; last4 when known."""
    raw = text(value)
    if raw is None:
        return None, None
    digits = _SSN_CHARS.sub("", raw).lower()
    if len(digits) == 4 and digits.isdigit():
        return None, digits
    if len(digits) != 9:
        raise FieldError("SSN must have 9 digits (x for an unknown digit) or be the last 4")
    last4 = digits[-4:] if digits[-4:].isdigit() else None
    return digits, last4


def parse_number(value: Any) -> float | None:
    if blank(value):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "").replace("$", "").strip())
    except ValueError as exc:
        raise FieldError("not a number") from exc


_TRUE = {"Y", "YES", "TRUE", "T", "1"}
_FALSE = {"N", "NO", "FALSE", "F", "0"}


def parse_flag(value: Any) -> bool:
    if blank(value):
        return False
    if isinstance(value, bool):
        return value
    raw = str(value).strip().upper()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise FieldError("not a yes/no value (Y/N, true/false, 1/0)")


def parse_list(value: Any, separator: str) -> list[str] | None:
    if blank(value):
        return None
    if isinstance(value, list | tuple):
        items = [text(v) for v in value]
    else:
        items = [text(v) for v in str(value).split(separator)]
    kept = [i.upper() for i in items if i]
    return kept or None


def zip5(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    digits = re.sub(r"\D", "", raw)
    return digits[:5] if len(digits) >= 5 else None


def phone(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None
