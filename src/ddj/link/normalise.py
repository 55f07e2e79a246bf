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


def clean_city(value: str | None) -> str | None:
    """A city, suburb or town in one spelling: upper case, letters and single spaces."""
    if not value:
        return None
    cleaned = " ".join(_NOT_LETTERS.sub(" ", value.upper()).split())
    return None if not cleaned or cleaned in PLACEHOLDER_ADDRESS else cleaned


def clean_ssn(value: str | None) -> str | None:
    """A full SSN, or nothing for unknown digits, placeholders, the 000 and 666 areas and a 0000
    serial (how a form fills the digits it does not know). The 9xx areas, never issued, are kept
    because synthetic data uses them. So is a 00 group: also never issued, but no placeholder
    either; it is a mistyped SSN (still the same or one digit from the person's other records)
    or a shorter id padded with zeros (7 digits as 00xxxxxxx), and dropping it loses the best
    evidence those records have."""
    if not value or len(value) != 9 or not value.isdigit() or value in PLACEHOLDER_SSN:
        return None
    if value[:3] in ("000", "666") or value[5:] == "0000":
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
    "CRESCENT": "CRES",
    "CIRCUIT": "CCT",
    "CLOSE": "CL",
    "TERRACE": "TER",
    "HIGHWAY": "HWY",
    "PARKWAY": "PKWY",
}
PLACEHOLDER_ADDRESS = frozenset(
    {"HOMELESS", "TRANSIENT", "UNKNOWN", "NONE", "NO ADDRESS", "GENERAL DELIVERY", "UNHOUSED"}
)


# A unit within a building ("APT 4", "UNIT 2B", "# 12"): other records of the person often omit it.
_UNIT = re.compile(r"\s+(?:APT|UNIT|SPC|STE|SUITE|RM|ROOM|LOT|TRLR|#)\s*[A-Z0-9-]*$")
# "street, city ST 12345": an address written as one string (CAD extracts), city/state/ZIP after
# the first comma.
_ZIP_AT_END = re.compile(r"\b(\d{5})(?:-?\d{4})?$")


def split_address(value: str | None) -> tuple[str | None, str | None]:
    """(street, ZIP) of an address: 'homeless' and the like are missing; an address written as one
    string ('6160 HILL PL, RIVERTON OR 97301') gives its street and its ZIP; the street in one
    spelling (STREET -> ST ...) without the unit (APT 4)."""
    if not value:
        return None, None
    text = value.upper()
    zip_code = None
    street, comma, rest = text.partition(",")
    if comma:
        found = _ZIP_AT_END.search(rest.strip())
        zip_code = found.group(1) if found else None
    words = re.sub(r"[^A-Z0-9# ]", " ", street).split()
    cleaned = " ".join(_ADDRESS_WORDS.get(w, w) for w in words)
    cleaned = _UNIT.sub("", cleaned).replace("#", "").strip()
    cleaned = " ".join(cleaned.split())
    if not cleaned or cleaned in PLACEHOLDER_ADDRESS:
        return None, zip_code
    return cleaned, zip_code
