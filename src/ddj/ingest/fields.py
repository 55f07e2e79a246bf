"""Parsing one field's value into its canonical form; a bad value raises FieldError."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

EARLIEST_DOB = date(1900, 1, 1)


class FieldError(ValueError):
    """A value that cannot be read; carries the reason shown in quarantine."""


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    if value.__class__ is str:  # the usual case, in one step: blank text joins to ""
        return " ".join(value.split()) or None
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def name(value: Any) -> str | None:
    """Names are kept upper-case with single spaces; linkage normalises further."""
    if value.__class__ is str:
        return " ".join(value.split()).upper() or None
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
    return _datetime_of(dict(zip(order, map(int, match.groups()), strict=True)))


_DATETIME_FIELDS = "YmdHMS"  # datetime()'s arguments, in order


@functools.lru_cache(maxsize=64)
def _combined(
    formats: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[int, Callable[[re.Match[str]], datetime]]] | None:
    """One regex trying ``formats`` in order (the first that fits wins, as the loop's), or None
    when one of them is not a fast format; and, by the group each alternative opens, how to
    build the datetime from its groups."""
    alternatives: list[str] = []
    builders: dict[int, Callable[[re.Match[str]], datetime]] = {}
    group = 0
    for fmt in formats:
        compiled = _compiled(fmt)
        if compiled is None:
            return None
        pattern, order = compiled
        outer = group + 1
        alternatives.append(f"({pattern.pattern})")
        builders[outer] = _builder(outer, order)
        group = outer + len(order)
    return re.compile("|".join(alternatives), re.IGNORECASE), builders


def _builder(outer: int, order: tuple[str, ...]) -> Callable[[re.Match[str]], datetime]:
    """The datetime of an alternative's groups (as ``strptime`` builds it)."""
    present = _DATETIME_FIELDS[: len(order)]
    if len(order) >= 3 and set(order) == set(present):  # year, month, day [, hour ...]: direct
        pick = operator.itemgetter(*(outer + order.index(d) for d in present))
        return lambda match: datetime(*map(int, pick(match.groups())))

    def build(match: re.Match[str]) -> datetime:
        found = match.groups()[outer : outer + len(order)]
        return _datetime_of(dict(zip(order, map(int, found), strict=True)))

    return build


def _fast_reader(formats: tuple[str, ...]) -> Callable[[str], datetime | None] | None:
    """Reads stripped, non-blank text with one regex of ``formats`` (in order); None when the
    text fits none of them or names an impossible date (the caller then tries the formats one
    by one, which gives the result or the error). None for formats the regex cannot hold."""
    combined = _combined(formats)
    if combined is None:
        return None
    fullmatch, builders = combined[0].fullmatch, combined[1]

    def read(raw: str) -> datetime | None:
        match = fullmatch(raw)
        if match is None:
            return None
        try:
            return builders[match.lastindex](match)  # type: ignore[index]
        except ValueError:
            return None  # an impossible date: a later format may still read it

    return read


def datetime_parser(
    formats: tuple[str, ...], date_formats: tuple[str, ...]
) -> Callable[[Any], datetime | None]:
    """``parse_datetime`` with its formats compiled once: text is matched against one regex of
    all the formats, in order, instead of trying them one by one. Anything else (no format
    fitting, an impossible date, a value that is not text) takes ``parse_datetime`` itself, so
    results and errors are the same."""
    read = _fast_reader(formats + date_formats)

    def parse(value: Any) -> datetime | None:
        if read is not None and value.__class__ is str:
            raw = value.strip()
            if not raw:
                return None
            found = read(raw)
            if found is not None:
                return found
        return parse_datetime(value, formats, date_formats)

    return parse


def date_parser(formats: tuple[str, ...]) -> Callable[[Any], date | None]:
    """``parse_date`` with its formats compiled once (see :func:`datetime_parser`)."""
    read = _fast_reader(formats)

    def parse(value: Any) -> date | None:
        if read is not None and value.__class__ is str:
            raw = value.strip()
            if not raw:
                return None
            found = read(raw)
            if found is not None:
                return found.date()
        return parse_date(value, formats)

    return parse


def dob_parser(formats: tuple[str, ...], today: date) -> Callable[[Any], date | None]:
    """``parse_dob`` with its formats compiled once."""
    parse_one = date_parser(formats)

    def parse(value: Any) -> date | None:
        return _check_dob(parse_one(value), today)

    return parse


def parse_dob(value: Any, formats: tuple[str, ...], today: date) -> date | None:
    return _check_dob(parse_date(value, formats), today)


def _check_dob(dob: date | None, today: date) -> date | None:
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


_NOT_DIGIT = re.compile(r"\D")


def zip5(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    digits = _NOT_DIGIT.sub("", raw)
    return digits[:5] if len(digits) >= 5 else None


def phone(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    digits = _NOT_DIGIT.sub("", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def _datetime_of(got: dict[str, int]) -> datetime:
    """A datetime from the fields a format gave (Y m d H M S), the rest at their start."""
    return datetime(
        got.get("Y", 1900),
        got.get("m", 1),
        got.get("d", 1),
        got.get("H", 0),
        got.get("M", 0),
        got.get("S", 0),
    )
