"""ICD-10-CM code patterns, checked against the official code set that simple-icd-10-cm ships.

A pattern in a needs file is one of:

- a code, subcategory or category (``F20.0``, ``F10.2``, ``F20``): it and every code below it;
- a block of categories (``F10-F19``, ``I10-I1A``) or a range of categories (``F20-F48``);
- a code with ``?`` for any one character (``T40.??1``: the accidental poisonings of ``T40``).

Patterns are compared on codes without their dot, upper case, so ``F10.20`` and ``F1020`` match
alike. The code set (April 2026 release) is read once, on first use: it takes a second or two.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from types import ModuleType

_CATEGORY = re.compile(r"^[A-Z][0-9][0-9A-Z]$")
_WILDCARD = re.compile(r"^[A-Z][0-9?][0-9A-Z?](\.?[0-9A-Z?]{1,4})?$")
CODE_SET = "ICD-10-CM (April 2026 release, package simple-icd-10-cm)"


@dataclass(frozen=True)
class CodePattern:
    """One configured pattern, as written and as the SQL compares it (dotless, upper case)."""

    text: str
    kind: str  # "prefix" | "range" | "like"
    first: str  # the prefix, the range's first category, or the LIKE pattern
    last: str = ""  # the range's last category


class CodeError(ValueError):
    """A pattern that is not in the ICD-10-CM code set; the message says what to write instead."""


@functools.cache
def _codes() -> ModuleType:
    with warnings.catch_warnings():
        # The package reads its data with importlib.resources' legacy read_text.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def dotless(code: str) -> str:
    return code.strip().upper().replace(".", "")


def parse_pattern(text: str) -> CodePattern:
    """Check one pattern against the code set; raise CodeError with a suggestion if it is not."""
    cm = _codes()
    raw = text.strip().upper()
    if not raw:
        raise CodeError("an empty code")
    if "?" in raw:
        if not _WILDCARD.match(raw):
            raise CodeError(f"{text!r} is not a code pattern (write e.g. T40.??1)")
        like = dotless(raw).replace("?", "_")
        rx = re.compile(dotless(raw).replace("?", "[0-9A-Z]"))
        head = like[:3] if "_" not in like[:3] else like[:1]
        if not any(rx.match(c) for c in _all_dotless() if c.startswith(head)):
            raise CodeError(f"{text!r} matches no ICD-10-CM code")
        return CodePattern(text, "like", like)
    if "-" in raw:
        first, _, last = raw.partition("-")
        if not (_CATEGORY.match(first) and _CATEGORY.match(last)):
            raise CodeError(
                f"{text!r}: a range joins two three-character categories (e.g. F20-F29)"
            )
        for end in (first, last):
            if not cm.is_valid_item(end):
                raise CodeError(f"{text!r}: {end} is not an ICD-10-CM category{_nearest(end)}")
        if first > last:
            raise CodeError(f"{text!r}: the range runs backwards (write {last}-{first})")
        return CodePattern(text, "range", first, last)
    if not cm.is_valid_item(raw) or cm.is_chapter(raw):
        raise CodeError(f"{text!r} is not an ICD-10-CM code{_nearest(raw)}")
    return CodePattern(text, "prefix", dotless(raw))


@functools.cache
def _all_dotless() -> tuple[str, ...]:
    return tuple(c for c in _codes().get_all_codes(False) if _CATEGORY.match(c[:3]))


def _nearest(code: str) -> str:
    import difflib

    key = dotless(code)
    # the letter O for zero and I for one are the commonest slips
    swapped = key[:1] + key[1:].replace("O", "0").replace("I", "1")
    close = [swapped] if swapped != key and _codes().is_valid_item(swapped) else []
    close += difflib.get_close_matches(key, _all_dotless(), n=3 - len(close), cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(_codes().add_dot(c) for c in close) + "?)"


def describe(code: str) -> str | None:
    """The official description of a code as stored on an event, or None if it is not one."""
    cm = _codes()
    key = dotless(code)
    return cm.get_description(key) if cm.is_valid_item(key) else None


def matches(pattern: CodePattern, code: str) -> bool:
    """The Python twin of the SQL test, for tests and explanations."""
    c = dotless(code)
    if pattern.kind == "prefix":
        return c.startswith(pattern.first)
    if pattern.kind == "range":
        return pattern.first <= c[:3] <= pattern.last
    return re.fullmatch(pattern.first.replace("_", ".") + ".*", c) is not None
