"""Identity errors real systems make, at rates that differ by system.

A source records a person as a :class:`Recorded` identity: the true one at that date, passed
through the source's typical mistakes (typos, nicknames, swapped names, DOB slips, missing SSNs,
stale surnames after a marriage, partial compound surnames). Jail and shelter records are the
cleanest, police CAD the worst. Case and whitespace noise is applied when a row is written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from ddj.demo.names import nickname_variants
from ddj.demo.people import Person

# Sources (the names used in the truth files).
COUNTY_JAIL = "county_jail"
POLICE_CAD = "police_cad"
BEHAVIORAL_HEALTH = "behavioral_health"
SHELTERS = "shelters"
COUNTY_HOSPITAL = "county_hospital"
COUNTY_EMS = "county_ems"
BH_FHIR = "bh_fhir"


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """Probabilities, per recorded identity, of each kind of error."""

    typo: float  # one-character edit in the first or last name
    nickname: float  # BOB for ROBERT
    name_swap: float  # first and last name swapped
    dob_day_month: float  # 03/04 for 04/03
    dob_year: float  # off by one year
    dob_missing: float
    ssn_missing: float
    ssn_typo: float  # one digit wrong or two digits transposed
    ssn_placeholder: float  # 999999999 / 000000000 typed when the SSN is unknown
    middle_missing: float
    middle_initial: float  # only the middle initial recorded
    compound_partial: float  # GARCIA for GARCIA-LOPEZ, or GARCIALOPEZ
    stale_surname: float  # former (maiden) surname still used after a change
    suffix_in_last: float  # "SMITH JR" in the last-name field
    case_noise: float  # a name written in another case (per field written)
    whitespace: float  # stray or doubled spaces (per field written)
    sex_unknown: float
    duplicate_id: float  # chance, per contact after the first, that a second id is opened
    row_reentry: float  # a row's identity typed afresh instead of copied from the master record


RATES: dict[str, ErrorRates] = {
    COUNTY_JAIL: ErrorRates(
        typo=0.02,
        nickname=0.02,
        name_swap=0.003,
        dob_day_month=0.008,
        dob_year=0.008,
        dob_missing=0.0,
        ssn_missing=0.12,
        ssn_typo=0.006,
        ssn_placeholder=0.0,
        middle_missing=0.12,
        middle_initial=0.15,
        compound_partial=0.3,
        stale_surname=0.15,
        suffix_in_last=0.05,
        case_noise=0.01,
        whitespace=0.02,
        sex_unknown=0.0,
        duplicate_id=0.03,
        row_reentry=0.15,
    ),
    SHELTERS: ErrorRates(
        typo=0.03,
        nickname=0.06,
        name_swap=0.008,
        dob_day_month=0.012,
        dob_year=0.012,
        dob_missing=0.02,
        ssn_missing=0.35,
        ssn_typo=0.01,
        ssn_placeholder=0.01,
        middle_missing=1.0,
        middle_initial=0.0,
        compound_partial=0.4,
        stale_surname=0.25,
        suffix_in_last=0.05,
        case_noise=0.03,
        whitespace=0.03,
        sex_unknown=0.0,
        duplicate_id=0.006,
        row_reentry=0.03,
    ),
    BEHAVIORAL_HEALTH: ErrorRates(
        typo=0.04,
        nickname=0.05,
        name_swap=0.01,
        dob_day_month=0.02,
        dob_year=0.015,
        dob_missing=0.02,
        ssn_missing=0.3,
        ssn_typo=0.01,
        ssn_placeholder=0.01,
        middle_missing=0.35,
        middle_initial=0.2,
        compound_partial=0.4,
        stale_surname=0.3,
        suffix_in_last=0.03,
        case_noise=0.03,
        whitespace=0.03,
        sex_unknown=0.01,
        duplicate_id=0.01,
        row_reentry=0.0,
    ),
    COUNTY_HOSPITAL: ErrorRates(
        typo=0.025,
        nickname=0.03,
        name_swap=0.004,
        dob_day_month=0.008,
        dob_year=0.008,
        dob_missing=0.0,
        ssn_missing=0.45,
        ssn_typo=0.008,
        ssn_placeholder=0.0,
        middle_missing=0.3,
        middle_initial=0.4,
        compound_partial=0.35,
        stale_surname=0.2,
        suffix_in_last=0.02,
        case_noise=0.0,
        whitespace=0.01,
        sex_unknown=0.002,
        duplicate_id=0.01,
        row_reentry=0.08,
    ),
    BH_FHIR: ErrorRates(
        typo=0.03,
        nickname=0.04,
        name_swap=0.005,
        dob_day_month=0.015,
        dob_year=0.01,
        dob_missing=0.01,
        ssn_missing=0.35,
        ssn_typo=0.01,
        ssn_placeholder=0.0,
        middle_missing=0.3,
        middle_initial=0.2,
        compound_partial=0.4,
        stale_surname=0.25,
        suffix_in_last=0.02,
        case_noise=0.0,
        whitespace=0.01,
        sex_unknown=0.005,
        duplicate_id=0.01,
        row_reentry=0.0,
    ),
    # EMS takes a name from a patient who may be intoxicated, in crisis or unconscious.
    COUNTY_EMS: ErrorRates(
        typo=0.09,
        nickname=0.12,
        name_swap=0.02,
        dob_day_month=0.03,
        dob_year=0.04,
        dob_missing=0.3,
        ssn_missing=0.96,
        ssn_typo=0.02,
        ssn_placeholder=0.0,
        middle_missing=0.9,
        middle_initial=0.05,
        compound_partial=0.5,
        stale_surname=0.35,
        suffix_in_last=0.05,
        case_noise=0.0,
        whitespace=0.03,
        sex_unknown=0.01,
        duplicate_id=0.0,
        row_reentry=0.0,
    ),
    POLICE_CAD: ErrorRates(
        typo=0.08,
        nickname=0.15,
        name_swap=0.03,
        dob_day_month=0.04,
        dob_year=0.04,
        dob_missing=0.35,
        ssn_missing=1.0,
        ssn_typo=0.0,
        ssn_placeholder=0.0,
        middle_missing=1.0,
        middle_initial=0.0,
        compound_partial=0.5,
        stale_surname=0.4,
        suffix_in_last=0.1,
        case_noise=0.05,
        whitespace=0.05,
        sex_unknown=0.05,
        duplicate_id=0.045,
        row_reentry=0.3,
    ),
}


@dataclass(frozen=True, slots=True)
class Recorded:
    """A person as one source recorded them ('' or None where the source has nothing)."""

    first: str
    middle: str
    last: str
    suffix: str
    dob: date | None
    sex: str
    ssn: str


_KEYBOARD = {
    "A": "QSZW",
    "B": "VNGH",
    "C": "XVDF",
    "D": "SFER",
    "E": "WRDS",
    "F": "DGRT",
    "G": "FHTY",
    "H": "GJYU",
    "I": "UOKJ",
    "J": "HKUI",
    "K": "JLIO",
    "L": "KOP",
    "M": "NJK",
    "N": "BMHJ",
    "O": "IPLK",
    "P": "OL",
    "Q": "WA",
    "R": "ETFD",
    "S": "ADWE",
    "T": "RYGF",
    "U": "YIJH",
    "V": "CBFG",
    "W": "QESA",
    "X": "ZCSD",
    "Y": "TUHG",
    "Z": "XAS",
}
# Letters people confuse by ear as well as by key.
_SOUNDS = {"C": "K", "K": "C", "I": "Y", "Y": "I", "S": "Z", "Z": "S", "F": "PH", "PH": "F"}


def typo(rng: random.Random, text: str) -> str:
    """One character substituted, dropped, doubled or transposed (never the whole name)."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    i = rng.choice(letters[1:])  # first letters are rarely wrong
    kind = rng.random()
    if kind < 0.4:
        ch = text[i].upper()
        swap = _SOUNDS.get(ch) if rng.random() < 0.3 else None
        new = swap or rng.choice(_KEYBOARD.get(ch, "E"))
        return text[:i] + new + text[i + 1 :]
    if kind < 0.65:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def nickname(rng: random.Random, first: str) -> str:
    variants = nickname_variants(first)
    return rng.choice(variants) if variants else first


def compound_part(rng: random.Random, last: str) -> str:
    """How a record keeps a two-part surname: one part, both run together, or a space."""
    parts = last.replace("-", " ").split()
    if len(parts) < 2:
        return last
    choice = rng.random()
    if choice < 0.4:
        return parts[0]
    if choice < 0.6:
        return parts[-1]
    if choice < 0.8:
        return "".join(parts)
    return " ".join(parts) if "-" in last else "-".join(parts)


def _day_month_swap(dob: date) -> date:
    if dob.day <= 12 and dob.day != dob.month:
        return date(dob.year, dob.day, dob.month)
    return dob


def _year_off(rng: random.Random, dob: date) -> date:
    year = dob.year + rng.choice((-1, 1))
    day = min(dob.day, 28) if dob.month == 2 else dob.day
    return date(year, dob.month, day)


def _ssn_typo(rng: random.Random, ssn: str) -> str:
    """One digit wrong or two neighbours transposed, never the first (it stays in the 9xx area
    that is never issued, so a typo cannot make a real number)."""
    i = rng.randrange(1, len(ssn) - 1)
    if rng.random() < 0.5 and ssn[i] != ssn[i + 1]:
        return ssn[:i] + ssn[i + 1] + ssn[i] + ssn[i + 2 :]
    digit = str((int(ssn[i]) + rng.randint(1, 9)) % 10)
    return ssn[:i] + digit + ssn[i + 1 :]


def record(
    rng: random.Random, person: Person, day: date, rates: ErrorRates, *, forced: bool = False
) -> Recorded:
    """``person`` as a source with ``rates`` records them on ``day``.

    ``forced`` guarantees at least one name or DOB error (how duplicate ids usually arise).
    """
    r = rng.random
    first, middle, last = person.first, person.middle, person.last_name_on(day)
    suffix, dob, sex, ssn = person.suffix, person.dob, person.sex, person.ssn
    if person.former_last and last != person.former_last and r() < rates.stale_surname:
        last = person.former_last
    if ("-" in last or " " in last) and r() < rates.compound_partial:
        last = compound_part(rng, last)
    errors = 0
    if r() < rates.nickname and nickname_variants(first):
        first, errors = nickname(rng, first), errors + 1
    if r() < rates.typo:
        if r() < 0.5:
            first = typo(rng, first)
        else:
            last = typo(rng, last)
        errors += 1
    if r() < rates.name_swap:
        first, last, errors = last, first, errors + 1
    if middle:
        if r() < rates.middle_missing:
            middle = ""
        elif r() < rates.middle_initial:
            middle = middle[0]
    if suffix and r() < rates.suffix_in_last:
        last, suffix = f"{last} {suffix}", ""
    elif suffix and r() < 0.3:
        suffix = ""
    if r() < rates.dob_day_month:
        swapped = _day_month_swap(dob)
        errors += swapped != dob
        dob = swapped
    if r() < rates.dob_year:
        dob, errors = _year_off(rng, dob), errors + 1
    if forced and not errors:
        pick = r()
        if pick < 0.35 and nickname_variants(first):
            first = nickname(rng, first)
        elif pick < 0.7:
            if r() < 0.5:
                last = typo(rng, last)
            else:
                first = typo(rng, first)
        elif pick < 0.85:
            dob = _year_off(rng, dob)
        else:
            swapped = _day_month_swap(dob)
            dob = swapped if swapped != dob else _year_off(rng, dob)
    if r() < rates.dob_missing:
        dob = None
    if r() < rates.ssn_missing:
        ssn = ""
    elif r() < rates.ssn_placeholder:
        ssn = rng.choice(("999999999", "000000000"))
    elif r() < rates.ssn_typo:
        ssn = _ssn_typo(rng, ssn)
    if r() < rates.sex_unknown:
        sex = "U"
    return Recorded(first, middle, last, suffix, dob, sex, ssn)


def noisy(rng: random.Random, text: str, rates: ErrorRates, *, title: bool = False) -> str:
    """A name as typed into a system: upper case (or Title Case), now and then in another case or
    with stray spaces."""
    if not text:
        return text
    out = text.title() if title else text
    if rng.random() < rates.case_noise:
        out = rng.choice((text.lower(), text.title(), text.upper(), text.capitalize()))
    if rng.random() < rates.whitespace:
        where = rng.random()
        if where < 0.4:
            out = out + " "
        elif where < 0.7:
            out = " " + out
        else:
            out = out.replace(" ", "  ") if " " in out else out + "  "
    return out
