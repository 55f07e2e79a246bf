"""Reading HL7 v2 text: messages in a file, segments, delimiters, escape sequences, timestamps.

A file holds messages one after another; a message starts at each MSH segment. Segments may be
separated by carriage returns, newlines or both, and messages may be MLLP-framed (``\\x0b`` before,
``\\x1c\\r`` after): the framing bytes are treated as segment breaks. Batch segments (FHS, BHS, BTS,
FTS) are skipped.

Delimiters come from each message's MSH-1 and MSH-2, so a message that uses other encoding
characters is read correctly. Values are split first (repetition, component, sub-component) and
unescaped afterwards, so an escaped delimiter (``\\F\\``, ``\\S\\``, ``\\T\\``, ``\\R\\``,
``\\E\\``) never splits a value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

_BREAK = re.compile(rb"[\r\n\x0b\x1c]+")
_TEXT_BREAK = re.compile(r"[\r\n\x0b\x1c]+")
_BATCH_SEGMENTS = (b"FHS", b"BHS", b"BTS", b"FTS")
_BOM = b"\xef\xbb\xbf"
NULL = '""'  # HL7's explicit null: "delete the value the receiver has"


class MessageError(Exception):
    """One message cannot be used; says which field and why (quarantine and ACK text).

    ``ack_code`` is the acknowledgement a listener should send: AR for a message ddj does not read
    at all (type, structure), AE for one whose content is wrong. ``hl7_code`` is the HL7 table 0357
    error code for an ERR segment.
    """

    def __init__(
        self,
        field: str | None,
        value: str | None,
        reason: str,
        *,
        ack_code: str = "AE",
        hl7_code: str = "207",
    ):
        self.field, self.value, self.reason = field, value, reason
        self.ack_code, self.hl7_code = ack_code, hl7_code
        super().__init__(f"{field}: {reason}" if field else reason)


# --- messages in a file -------------------------------------------------------------------------


def iter_messages(handle: BinaryIO, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of each message in the file (segments joined by ``\\r``), in file order.

    Reads the file in chunks, so memory does not grow with the file. Lines before the first MSH
    are ignored.
    """
    current: list[bytes] | None = None
    for segment in _iter_segments(handle, chunk_size):
        if is_msh(segment):
            if current:
                yield b"\r".join(current)
            current = [segment]
        elif segment[:3] in _BATCH_SEGMENTS:
            if current:
                yield b"\r".join(current)
            current = None
        elif current is not None:
            current.append(segment)
    if current:
        yield b"\r".join(current)


def is_msh(segment: bytes) -> bool:
    return segment[:3] == b"MSH" and len(segment) > 3 and not segment[3:4].isalnum()


def _iter_segments(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    tail = b""
    first = True
    while chunk := handle.read(chunk_size):
        if first:
            chunk = chunk.removeprefix(_BOM)
            first = False
        parts = _BREAK.split(tail + chunk)
        tail = parts.pop()
        for part in parts:
            if part.strip():
                yield part.strip()
    if tail.strip():
        yield tail.strip()


def decode(data: bytes) -> str:
    """UTF-8 when it is valid, else ISO 8859-1 (HL7's usual 8-bit character set), which never
    fails; a message is never lost to its encoding."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- delimiters and values ----------------------------------------------------------------------


@dataclass(frozen=True)
class Delimiters:
    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"
    truncation: str = ""

    @classmethod
    def from_msh(cls, segment: str) -> Delimiters:
        """MSH-1 is the character after "MSH"; MSH-2 the encoding characters up to the next one.
        A missing encoding character means that level is not split."""
        if len(segment) < 4 or segment[3].isalnum() or segment[3].isspace():
            raise MessageError("MSH-1", segment[:8], "no field separator after MSH")
        field = segment[3]
        chars = segment[4:].split(field, 1)[0]
        key = field + chars
        known = _SEEN_DELIMITERS.get(key)
        if known is not None:  # most feeds send the same few characters in every message
            return known
        if len(set(chars + field)) != len(chars) + 1:
            raise MessageError("MSH-2", chars, "the encoding characters repeat a delimiter")
        padded = (chars + "\0" * 5)[:5]
        component, repetition, escape, sub, trunc = (c if c != "\0" else "" for c in padded)
        found = cls(field, component, repetition, escape, sub, trunc)
        if len(_SEEN_DELIMITERS) < 64:
            _SEEN_DELIMITERS[key] = found
        return found

    @property
    def encoding_characters(self) -> str:
        return self.component + self.repetition + self.escape + self.subcomponent + self.truncation


_SEEN_DELIMITERS: dict[str, Delimiters] = {}  # MSH-1 + MSH-2 -> their Delimiters


def split(value: str, separator: str) -> list[str]:
    return value.split(separator) if separator else [value]


def unescape(value: str, d: Delimiters) -> str:
    """Replace escape sequences; an unknown or unterminated one is kept as it is."""
    esc = d.escape
    if not esc or esc not in value:
        return value
    out: list[str] = []
    i = 0
    while True:
        start = value.find(esc, i)
        end = value.find(esc, start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(value[i:])
            return "".join(out)
        out.append(value[i:start])
        code = value[start + 1 : end]
        replaced = _escape_value(code, d)
        out.append(replaced if replaced is not None else value[start : end + 1])
        i = end + 1


def _escape_value(code: str, d: Delimiters) -> str | None:
    simple = {
        "F": d.field,
        "S": d.component,
        "T": d.subcomponent,
        "R": d.repetition,
        "E": d.escape,
        "P": d.truncation,
    }
    if code in simple:
        return simple[code]
    if code.startswith("X") and len(code) > 1:
        try:
            return decode(bytes.fromhex(code[1:]))
        except ValueError:
            return None
    if code == ".br":
        return "\n"
    if (
        code in ("H", "N")
        or code[:1] in ("Z", "C", "M")
        or code[:3]
        in (
            ".sp",
            ".in",
            ".ti",
            ".sk",
            ".ce",
            ".fi",
            ".nf",
        )
    ):
        return ""  # highlighting, formatting, character-set switching, local: no text
    return None


def escape(value: str, d: Delimiters) -> str:
    """The inverse of :func:`unescape` for text written into a message (line breaks as spaces)."""
    out = value.replace("\r", " ").replace("\n", " ")
    if not d.escape:
        return out
    out = out.replace(d.escape, f"{d.escape}E{d.escape}")
    for char, code in (
        (d.field, "F"),
        (d.component, "S"),
        (d.repetition, "R"),
        (d.subcomponent, "T"),
    ):
        if char:
            out = out.replace(char, f"{d.escape}{code}{d.escape}")
    return out


class Segment:
    """One segment: ``raw(n)`` is field n as sent; ``value(n, component, sub, rep)`` its text."""

    __slots__ = ("name", "fields", "d", "text")

    def __init__(self, text: str, d: Delimiters):
        fields = text.split(d.field)
        if fields[0] == "MSH":  # MSH-1 is the separator itself, MSH-2 the encoding characters
            fields = ["MSH", d.field, *fields[1:]]
        self.name = fields[0]
        self.fields = fields
        self.d = d
        self.text = text  # as sent

    def raw(self, n: int) -> str:
        return self.fields[n] if n < len(self.fields) else ""

    def reps(self, n: int) -> list[str]:
        fields = self.fields
        raw = fields[n] if n < len(fields) else ""
        if not raw:
            return []
        if self.name == "MSH" and n <= 2:
            return [raw]
        return split(raw, self.d.repetition)

    def value(self, n: int, component: int = 1, sub: int = 1, rep: int = 1) -> str | None:
        fields = self.fields
        raw = fields[n] if n < len(fields) else ""
        if not raw:
            return None
        if rep == 1:  # the first repetition without splitting off the others
            separator = self.d.repetition
            if separator and not (n <= 2 and self.name == "MSH"):
                raw = raw.split(separator, 1)[0]
            return part(raw, self.d, component, sub)
        reps = self.reps(n)
        return part(reps[rep - 1], self.d, component, sub) if len(reps) >= rep else None

    def is_null(self, n: int) -> bool:
        """The field is HL7's explicit null ("" ): the receiver should delete its value."""
        return self.raw(n).strip() == NULL


def part(rep: str, d: Delimiters, component: int = 1, sub: int = 1) -> str | None:
    """The text of one component (and sub-component) of one repetition; None when empty."""
    separator = d.component
    if not separator:
        return finish(rep, d, sub) if component == 1 else None
    if component == 1:
        end = rep.find(separator)
        return finish(rep if end < 0 else rep[:end], d, sub)
    components = rep.split(separator)
    return finish(components[component - 1], d, sub) if len(components) >= component else None


def components(rep: str, d: Delimiters) -> list[str]:
    """A repetition's components as sent, for reading several with :func:`component`."""
    return rep.split(d.component) if d.component else [rep]


def component(parts: list[str], d: Delimiters, n: int, sub: int = 1) -> str | None:
    """``part(rep, d, n, sub)`` of a repetition already split by :func:`components`."""
    if len(parts) < n:
        return None
    value = parts[n - 1]
    # finish(value, d, sub), inline (the importer's hottest call)
    separator = d.subcomponent
    if separator and separator in value:
        subs = value.split(separator)
        if len(subs) < sub:
            return None
        value = subs[sub - 1]
    elif sub > 1:
        return None
    if d.escape and d.escape in value:
        value = unescape(value, d)
    value = value.strip()
    return value if value and value != NULL else None


def finish(value: str, d: Delimiters, sub: int = 1) -> str | None:
    """One component's text: its sub-component, unescaped and stripped; None when empty or
    HL7's null."""
    separator = d.subcomponent
    if separator and separator in value:
        subs = value.split(separator)
        if len(subs) < sub:
            return None
        value = subs[sub - 1]
    elif sub > 1:
        return None
    if d.escape and d.escape in value:
        value = unescape(value, d)
    value = value.strip()
    return value if value and value != NULL else None


class Message:
    """A parsed message: delimiters from its MSH, segments split only when asked for."""

    def __init__(self, text: str):
        if "\n" in text or "\x0b" in text or "\x1c" in text:
            pieces = _TEXT_BREAK.split(text)
        else:  # a message read from a file: its segments are joined by \r already
            pieces = text.split("\r")
        lines = [line for piece in pieces if (line := piece.strip())]
        if not lines or not lines[0].startswith("MSH"):
            raise MessageError(
                "MSH",
                None,
                "the message does not start with an MSH segment",
                ack_code="AR",
                hl7_code="100",
            )
        self.d = Delimiters.from_msh(lines[0])
        self._lines = lines
        self.msh = Segment(lines[0], self.d)
        self._named: dict[str, list[str]] | None = None  # segment type -> its lines
        self._split: dict[str, list[Segment]] = {}  # segment type -> its segments, when asked

    def _segments(self, name: str) -> list[Segment]:
        found = self._split.get(name)
        if found is None:
            named = self._named
            if named is None:
                named = self._named = {}
                field = self.d.field
                for line in self._lines:
                    named.setdefault(line.partition(field)[0], []).append(line)
            found = self._split[name] = [Segment(line, self.d) for line in named.get(name, ())]
        return found

    def first(self, name: str) -> Segment | None:
        found = self._segments(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Segment]:
        return list(self._segments(name))


# --- timestamps ---------------------------------------------------------------------------------

_TS = re.compile(
    r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?(?:([+-])(\d{2})(\d{2}))?"
)


@dataclass(frozen=True)
class Timestamp:
    """An HL7 DTM/TS value: local wall-clock time, its precision and the UTC offset if given."""

    local: datetime
    digits: int  # 4 = year only, 6 = month, 8 = day, 10 = hour, 12 = minute, 14 = second
    offset: timedelta | None
    utc_naive: datetime  # UTC without tzinfo when an offset was given, else the local time
    offset_text: str | None = field(init=False, compare=False)  # "+05:30", from offset

    def __post_init__(self) -> None:
        text = None
        if self.offset is not None:
            minutes = int(self.offset.total_seconds() // 60)
            sign = "-" if minutes < 0 else "+"
            text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        object.__setattr__(self, "offset_text", text)


@functools.lru_cache(maxsize=4096)  # a visit's messages repeat its times, a patient's birth date
def parse_timestamp(value: str) -> Timestamp:
    """YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]; raises ValueError when it is not one."""
    match = _TS.fullmatch(value.strip())
    if not match:
        raise ValueError("not an HL7 date/time (YYYYMMDDHHMMSS[+/-ZZZZ])")
    year, month, day, hour, minute, second, fraction, sign, oh, om = match.groups()
    if fraction and not second:
        raise ValueError("fractional seconds without seconds")
    digits = 4 + 2 * (5 - (month, day, hour, minute, second).count(None))
    micro = int((fraction or "0").ljust(6, "0")[:6])
    local = datetime(
        int(year),
        int(month or 1),
        int(day or 1),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
    )
    offset = None
    if sign:
        if int(oh) > 14 or int(om) > 59:
            raise ValueError("impossible time-zone offset")
        offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    try:
        utc = local - offset if offset is not None else local
    except OverflowError as exc:
        raise ValueError("date/time out of range") from exc
    return Timestamp(local, digits, offset, utc)
