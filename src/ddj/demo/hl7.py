"""HL7 v2 encoding: escaping, fields, components and segments with the standard delimiters.

Segments end with a carriage return; the encoding characters are ``^~\\&`` (component,
repetition, escape, sub-component) and fields are separated by ``|``. A value that contains a
delimiter is escaped (``\\F\\`` ``\\S\\`` ``\\T\\`` ``\\R\\`` ``\\E\\``).
"""

from __future__ import annotations

FIELD, COMPONENT, REPETITION, ESCAPE, SUBCOMPONENT = "|", "^", "~", "\\", "&"
ENCODING_CHARACTERS = COMPONENT + REPETITION + ESCAPE + SUBCOMPONENT
SEGMENT_END = "\r"

_ESCAPES = {
    ESCAPE: "\\E\\",
    FIELD: "\\F\\",
    COMPONENT: "\\S\\",
    SUBCOMPONENT: "\\T\\",
    REPETITION: "\\R\\",
}
_DELIMITERS = frozenset(_ESCAPES)


def escape(text: str) -> str:
    """``text`` with every delimiter replaced by its escape sequence."""
    if not _DELIMITERS.intersection(text):
        return text
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def unescape(text: str) -> str:
    """The inverse of :func:`escape` (for tests and readers)."""
    out, i = [], 0
    reverse = {v: k for k, v in _ESCAPES.items()}
    while i < len(text):
        if text[i] == ESCAPE and text[i : i + 3] in reverse:
            out.append(reverse[text[i : i + 3]])
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def components(*values: str) -> str:
    """One field of escaped components, trailing empty ones dropped: ``DOE^JOHN^A``."""
    parts = [escape(v) for v in values]
    while parts and not parts[-1]:
        parts.pop()
    return COMPONENT.join(parts)


def repeat(*values: str) -> str:
    """Repetitions of an already encoded field: ``a~b``."""
    return REPETITION.join(v for v in values if v)


def segment(name: str, fields: dict[int, str]) -> str:
    """A segment from {field number: encoded value}; trailing empty fields are dropped.

    For MSH, field 1 is the field separator itself and field 2 the encoding characters.
    """
    last = max((n for n, v in fields.items() if v), default=0)
    if name == "MSH":
        values = [fields.get(n, "") for n in range(3, last + 1)]
        return f"MSH{FIELD}{ENCODING_CHARACTERS}{FIELD}" + FIELD.join(values) + SEGMENT_END
    values = [fields.get(n, "") for n in range(1, last + 1)]
    return name + FIELD + FIELD.join(values) + SEGMENT_END
