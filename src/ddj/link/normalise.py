"""Identity normalisation for linkage: clean names, name variants, phonetic codes, placeholders."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

_NOT_LETTERS = re.compile(r"[^A-Z ]")
# Values that stand for "unknown" in public-system extracts; they are no evidence of identity.
PLACEHOLDER_FIRST = frozenset({"UNKNOWN", "UNK", "JOHN DOE", "JANE DOE", "NONE", "NA", "NFN"})
PLACEHOLDER_LAST = frozenset({"UNKNOWN", "UNK", "DOE", "NONE", "NA", "NLN"})
PLACEHOLDER_SSN = frozenset({"000000000", "999999999", "123456789", "111111111"})
SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})

_namer = NickNamer()


def clean_name(value: str | None, placeholders: frozenset[str]) -> str | None:
    if not value:
        return None
    cleaned = " ".join(_NOT_LETTERS.sub(" ", value.upper().replace("'", "")).split())
    words = [w for w in cleaned.split() if w not in SUFFIXES]
    cleaned = " ".join(words)
    if not cleaned or cleaned in placeholders:
        return None
    return cleaned


@lru_cache(maxsize=200_000)
def name_variants(first: str) -> tuple[str, ...]:
    """The first name with its nickname relatives (ROBERT, BOB, BOBBY, ...), for matching."""
    lower = first.lower().split()[0]
    related = {lower} | _namer.canonicals_of(lower) | _namer.nicknames_of(lower)
    return tuple(sorted(n.upper() for n in related))


@lru_cache(maxsize=200_000)
def phonetic(value: str) -> str:
    return jellyfish.metaphone(value.replace(" ", ""))


# Dates of birth that intake systems use for "unknown".
PLACEHOLDER_DOB = frozenset({date(1900, 1, 1), date(1901, 1, 1), date(1899, 12, 31)})


def clean_dob(value: date | None) -> date | None:
    return None if value is None or value in PLACEHOLDER_DOB else value


def clean_ssn(value: str | None) -> str | None:
    """A full, plausible SSN or nothing: unknown digits, placeholders and 000/666/9xx areas drop out
    except that synthetic data uses the 9xx range, which is kept so the demo can link on it."""
    if not value or len(value) != 9 or not value.isdigit() or value in PLACEHOLDER_SSN:
        return None
    if value[:3] in ("000", "666") or value[3:5] == "00" or value[5:] == "0000":
        return None
    return value


_ADDRESS_WORDS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "BOULEVARD": "BLVD",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "APARTMENT": "APT",
}
PLACEHOLDER_ADDRESS = frozenset(
    {"HOMELESS", "TRANSIENT", "UNKNOWN", "NONE", "NO ADDRESS", "GENERAL DELIVERY", "UNHOUSED"}
)


def clean_address(value: str | None) -> str | None:
    """Street address in one spelling (STREET -> ST ...); 'homeless' and the like are missing."""
    if not value:
        return None
    words = re.sub(r"[^A-Z0-9 ]", " ", value.upper()).split()
    cleaned = " ".join(_ADDRESS_WORDS.get(w, w) for w in words)
    return None if not cleaned or cleaned in PLACEHOLDER_ADDRESS else cleaned
