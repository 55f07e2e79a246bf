"""Race and ethnicity of a person, the same in every system that records it.

Drawn from a hash of the person id, so it costs no random draws and does not depend on the
order in which systems are generated.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from itertools import accumulate

from ddj.demo.names import is_hispanic_surname
from ddj.demo.people import Person

WHITE, HISPANIC, BLACK, ASIAN = "white", "hispanic", "black", "asian"
AMIND, NHPI, MENA, WHITE_HISPANIC = "amind", "nhpi", "mena", "white_hispanic"

_SHARES: tuple[tuple[str, float], ...] = (
    (WHITE, 0.70),
    (HISPANIC, 0.10),
    (WHITE_HISPANIC, 0.04),
    (BLACK, 0.05),
    (ASIAN, 0.04),
    (AMIND, 0.03),
    (NHPI, 0.01),
    (MENA, 0.01),
)
_CUM = tuple(accumulate(share for _, share in _SHARES))


def race_of(person: Person) -> str:
    """One of the categories above (WHITE_HISPANIC: white and Hispanic/Latino)."""
    u = zlib.crc32(person.person_id.encode()) / 2**32
    if is_hispanic_surname(person.last.split("-")[0]) and u < 0.8:
        return HISPANIC if u < 0.55 else WHITE_HISPANIC
    return _SHARES[min(bisect_right(_CUM, u * _CUM[-1]), len(_SHARES) - 1)][0]


def is_hispanic(race: str) -> bool:
    return race in (HISPANIC, WHITE_HISPANIC)
