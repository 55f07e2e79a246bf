"""HMIS data-standards answers (FY2024 codes) for a client or an enrollment.

Living situations and destinations (3.917.1 / 3.12.1): 1xx homeless, 2xx institutional,
3xx temporary, 4xx permanent; 8 client doesn't know, 9 prefers not to answer, 99 not collected,
30 no exit interview completed, 17 other.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from ddj.demo.demographics import (
    AMIND,
    ASIAN,
    BLACK,
    HISPANIC,
    MENA,
    NHPI,
    WHITE,
    WHITE_HISPANIC,
)
from ddj.demo.errors import Recorded
from ddj.demo.people import Person

PLACE_NOT_MEANT_FOR_HABITATION = 116
EMERGENCY_SHELTER = 101
JAIL_CODE = 207
PSYCHIATRIC_FACILITY = 204
SUBSTANCE_TREATMENT = 205
HOSPITAL = 206
TRANSITIONAL_HOUSING = 302
FAMILY_TEMPORARY, FRIENDS_TEMPORARY = 312, 313
RENTAL_NO_SUBSIDY, RENTAL_WITH_SUBSIDY = 410, 435
NO_EXIT_INTERVIEW, OTHER = 30, 17
UNKNOWN_ANSWERS = (8, 9, 99)
_HOMELESS_SITUATIONS = (
    PLACE_NOT_MEANT_FOR_HABITATION,
    EMERGENCY_SHELTER,
    FAMILY_TEMPORARY,
    FRIENDS_TEMPORARY,
)
_HOUSED_SITUATIONS = (
    FAMILY_TEMPORARY,
    FRIENDS_TEMPORARY,
    RENTAL_NO_SUBSIDY,
    PLACE_NOT_MEANT_FOR_HABITATION,
)

# Race and ethnicity columns of Client.csv (3.04), in order.
RACE_COLUMNS = (
    "AmIndAKNative",
    "Asian",
    "BlackAfAmerican",
    "HispanicLatinaeo",
    "MidEastNAfrican",
    "NativeHIPacific",
    "White",
)
_RACE_FLAGS: dict[str, tuple[str, ...]] = {
    WHITE: ("White",),
    HISPANIC: ("HispanicLatinaeo",),
    WHITE_HISPANIC: ("White", "HispanicLatinaeo"),
    BLACK: ("BlackAfAmerican",),
    ASIAN: ("Asian",),
    AMIND: ("AmIndAKNative",),
    NHPI: ("NativeHIPacific",),
    MENA: ("MidEastNAfrican",),
}
GENDER_COLUMNS = (
    "Woman",
    "Man",
    "NonBinary",
    "CulturallySpecific",
    "Transgender",
    "Questioning",
    "DifferentIdentity",
)


def race_fields(rng: random.Random, race: str) -> dict[str, str]:
    """Client.csv race columns: 0/1 flags, RaceNone only when no race is recorded."""
    out = dict.fromkeys(RACE_COLUMNS, "0")
    if rng.random() < 0.03:
        out["RaceNone"] = str(rng.choice(UNKNOWN_ANSWERS))
        return out
    for column in _RACE_FLAGS[race]:
        out[column] = "1"
    out["RaceNone"] = ""
    return out


def gender_fields(rng: random.Random, sex: str) -> dict[str, str]:
    out = dict.fromkeys(GENDER_COLUMNS, "0")
    out["GenderNone"] = ""
    if sex not in ("M", "F"):
        out["GenderNone"] = "99"
        return out
    pick = rng.random()
    if pick < 0.004:
        out["NonBinary"] = "1"
    else:
        out["Woman" if sex == "F" else "Man"] = "1"
        if pick < 0.008:
            out["Transgender"] = "1"
    return out


def name_quality(rng: random.Random, rec: Recorded) -> tuple[str, str]:
    """(last name as recorded, NameDataQuality): now and then only a first or street name."""
    if rng.random() < 0.01:
        return "", "2"
    return rec.last, "1"


def ssn_fields(rng: random.Random, ssn: str) -> tuple[str, str]:
    """(SSN, SSNDataQuality): full, partial with 'x' for the unknown digits, or none."""
    if not ssn:
        return "", str(rng.choices(UNKNOWN_ANSWERS, weights=(25, 15, 60))[0])
    if rng.random() < 0.04:
        return "xxxxx" + ssn[5:], "2"
    return ssn, "1"


def dob_fields(rng: random.Random, dob: date | None) -> tuple[str, str]:
    """(DOB, DOBDataQuality): full, approximate (January 1 of the year given), or none."""
    if dob is None:
        return "", str(rng.choices(UNKNOWN_ANSWERS, weights=(40, 20, 40))[0])
    if rng.random() < 0.03:
        return date(dob.year, 1, 1).isoformat(), "2"
    return dob.isoformat(), "1"


def veteran_fields(rng: random.Random, person: Person, entered: date) -> dict[str, str]:
    """VeteranStatus (3.07) and, for veterans only, the V1 veteran fields."""
    fields = dict.fromkeys(
        (
            "YearEnteredService",
            "YearSeparated",
            "WorldWarII",
            "KoreanWar",
            "VietnamWar",
            "DesertStorm",
            "AfghanistanOEF",
            "IraqOIF",
            "IraqOND",
            "OtherTheater",
            "MilitaryBranch",
            "DischargeStatus",
        ),
        "",
    )
    if rng.random() < 0.03:
        fields["VeteranStatus"] = str(rng.choice(UNKNOWN_ANSWERS))
        return fields
    age = person.age_on(entered)
    is_veteran = person.sex == "M" and age >= 25 and rng.random() < 0.08
    fields["VeteranStatus"] = "1" if is_veteran else "0"
    if not is_veteran:
        return fields
    start = person.dob.year + rng.randint(18, 22)
    end = start + rng.randint(2, 8)
    served = range(start, end + 1)
    fields.update(
        YearEnteredService=str(start),
        YearSeparated=str(end),
        WorldWarII="0",
        KoreanWar="0",
        VietnamWar="1" if any(1964 <= y <= 1975 for y in served) else "0",
        DesertStorm="1" if any(1990 <= y <= 1991 for y in served) else "0",
        AfghanistanOEF="1" if any(2001 <= y <= 2014 for y in served) else "0",
        IraqOIF="1" if any(2003 <= y <= 2010 for y in served) else "0",
        IraqOND="1" if any(2010 <= y <= 2011 for y in served) else "0",
        OtherTheater="0",
        MilitaryBranch=str(rng.choice((1, 1, 1, 2, 3, 4, 6))),
        DischargeStatus=str(rng.choice((1, 1, 1, 2, 6, 7))),
    )
    return fields


def length_of_stay_code(days: float) -> int:
    """3.917.2 LengthOfStay: 10 one night or less, 11 two to six nights, 2 one week to a month,
    3 one to three months, 4 three months to a year, 5 a year or longer."""
    if days <= 1:
        return 10
    if days < 7:
        return 11
    if days < 30:
        return 2
    if days < 90:
        return 3
    if days < 365:
        return 4
    return 5


def prior_living(
    rng: random.Random,
    person: Person,
    entry: datetime,
    came_from: tuple[int, float] | None,
    homeless_since: date,
) -> dict[str, str]:
    """The 3.917 prior-living-situation fields at entry.

    ``came_from`` is (living situation, days there) when the person just left an institution or
    another shelter; otherwise the situation is drawn from the person's housing.
    ``homeless_since``: when this episode of homelessness began (DateToStreetESSH).
    """
    if came_from is not None:
        situation, days = came_from
        los = length_of_stay_code(days)
    elif person.homeless:
        situation = rng.choices(
            (
                PLACE_NOT_MEANT_FOR_HABITATION,
                EMERGENCY_SHELTER,
                FAMILY_TEMPORARY,
                FRIENDS_TEMPORARY,
            ),
            weights=(60, 15, 13, 12),
        )[0]
        los = rng.choice((2, 3, 4, 5)) if situation < 200 else rng.choice((10, 11, 2, 3))
    else:
        situation = rng.choices(
            (
                FAMILY_TEMPORARY,
                FRIENDS_TEMPORARY,
                RENTAL_NO_SUBSIDY,
                PLACE_NOT_MEANT_FOR_HABITATION,
            ),
            weights=(35, 25, 25, 15),
        )[0]
        los = rng.choice((10, 11, 2, 3, 4))
    out = {
        "LivingSituation": str(situation),
        "RentalSubsidyType": "",
        "LengthOfStay": str(los),
        "LOSUnderThreshold": "",
        "PreviousStreetESSH": "",
        "DateToStreetESSH": "",
        "TimesHomelessPastThreeYears": "",
        "MonthsHomelessPastThreeYears": "",
    }
    if rng.random() < 0.02:  # the question was not asked or not answered
        out["LivingSituation"] = str(rng.choice(UNKNOWN_ANSWERS))
        out["LengthOfStay"] = "99"
        return out
    homeless_now = situation < 200
    if not homeless_now:
        threshold = (10, 11, 2, 3) if situation < 300 else (10, 11)
        under = los in threshold
        out["LOSUnderThreshold"] = "1" if under else "0"
        if under:
            out["PreviousStreetESSH"] = "1" if person.homeless else "0"
    if homeless_now or out["PreviousStreetESSH"] == "1":
        out["DateToStreetESSH"] = homeless_since.isoformat()
        times = 4 if person.frequent_utilizer and rng.random() < 0.7 else rng.randint(1, 3)
        out["TimesHomelessPastThreeYears"] = str(times)
        months = min((entry.date() - homeless_since).days // 30 + 1, 13)
        out["MonthsHomelessPastThreeYears"] = str(100 + months)  # 101-112 months, 113 more
    return out


def destination(rng: random.Random, went_to: int | None, night_by_night: bool) -> dict[str, str]:
    """Exit.csv Destination (3.12) and its dependent fields."""
    out = {"Destination": "", "DestinationSubsidyType": "", "OtherDestination": ""}
    if went_to is not None:
        out["Destination"] = str(went_to)
        return out
    if night_by_night and rng.random() < 0.4:
        out["Destination"] = str(NO_EXIT_INTERVIEW)
        return out
    code = rng.choices(
        (
            PLACE_NOT_MEANT_FOR_HABITATION,
            EMERGENCY_SHELTER,
            FAMILY_TEMPORARY,
            FRIENDS_TEMPORARY,
            RENTAL_NO_SUBSIDY,
            RENTAL_WITH_SUBSIDY,
            TRANSITIONAL_HOUSING,
            NO_EXIT_INTERVIEW,
            OTHER,
            99,
        ),
        weights=(28, 18, 10, 8, 5, 4, 3, 14, 3, 7),
    )[0]
    out["Destination"] = str(code)
    if code == RENTAL_WITH_SUBSIDY:
        out["DestinationSubsidyType"] = str(rng.choice((419, 433, 439)))
    elif code == OTHER:
        out["OtherDestination"] = rng.choice(("Vehicle", "Moved out of county", "Camping"))
    return out
