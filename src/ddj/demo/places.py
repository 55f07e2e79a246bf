"""The synthetic county's places: towns and zips, streets, shelters, jail facilities, programs."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

STATE = "OR"

# (city, zips, share of residents). The county seat holds the shelters and the jail.
CITIES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("RIVERTON", ("97301", "97302", "97304"), 0.48),
    ("MILLBROOK", ("97321",), 0.16),
    ("FAIRVIEW", ("97338",), 0.12),
    ("CEDAR FALLS", ("97352",), 0.10),
    ("OAKDALE", ("97361",), 0.08),
    ("PINE HOLLOW", ("97375",), 0.06),
)
COUNTY_SEAT = "RIVERTON"

_STREET_NAMES = (
    "MAIN",
    "OAK",
    "PINE",
    "MAPLE",
    "CEDAR",
    "ELM",
    "WASHINGTON",
    "LAKE",
    "HILL",
    "PARK",
    "RIVER",
    "CHURCH",
    "MILL",
    "SPRING",
    "HIGH",
    "CENTER",
    "UNION",
    "WALNUT",
    "CHESTNUT",
    "FRANKLIN",
    "JEFFERSON",
    "MADISON",
    "LINCOLN",
    "JACKSON",
    "ORCHARD",
    "MEADOW",
    "WILLOW",
    "BIRCH",
    "ASPEN",
    "SUNSET",
    "VALLEY",
    "RIDGE",
    "FOREST",
    "HARBOR",
    "BRIDGE",
    "FERRY",
    "STATE",
    "COMMERCIAL",
    "LIBERTY",
    "CAPITOL",
    "SILVERTON",
    "LANCASTER",
    "PORTLAND",
    "GARDEN",
    "ACADEMY",
    "BROADWAY",
    "MISSION",
    "CROSS",
    "FAIRGROUNDS",
    "HAZEL",
    "LAUREL",
)
_STREET_TYPES = ("ST", "ST", "ST", "AVE", "AVE", "RD", "DR", "LN", "CT", "WAY", "BLVD", "PL")
_DIRECTIONS = ("", "", "", "", "N ", "S ", "E ", "W ", "NE ", "SE ")
_UNIT_TYPES = ("APT", "APT", "UNIT", "#", "SPC")

AREA_CODES = ("541", "458", "503")

# What records say instead of an address for someone without one.
NO_ADDRESS = ("HOMELESS", "TRANSIENT", "HOMELESS", "NONE", "GENERAL DELIVERY", "UNKNOWN")


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    state: str
    zip: str

    def one_line(self) -> str:
        return f"{self.street}, {self.city} {self.state} {self.zip}"


# HMIS project types (FY2024 HMIS CSV, list 2.02.6) used by the county's projects.
ES_ENTRY_EXIT, ES_NIGHT_BY_NIGHT, TRANSITIONAL_HOUSING, STREET_OUTREACH = 0, 1, 2, 4


@dataclass(frozen=True, slots=True)
class ShelterProject:
    project_id: str
    name: str
    project_type: int  # HMIS ProjectType code
    organization: str  # OrganizationID
    address: Address
    weight: float
    median_days: float  # typical length of an enrollment

    @property
    def night_by_night(self) -> bool:
        return self.project_type == ES_NIGHT_BY_NIGHT


# HMIS organizations: OrganizationID -> name.
HMIS_ORGANIZATIONS: dict[str, str] = {
    "101": "Riverton Union Gospel Mission",
    "102": "Harbor House Services",
    "103": "Hope Village Community Housing",
    "104": "Synthetic County Health and Human Services",
}
HMIS_COC = "OR-504"

SHELTERS: tuple[ShelterProject, ...] = (
    ShelterProject(
        "1001",
        "RIVERTON MISSION EMERGENCY SHELTER",
        ES_ENTRY_EXIT,
        "101",
        Address("455 N COMMERCIAL ST", "RIVERTON", STATE, "97301"),
        0.34,
        12,
    ),
    ShelterProject(
        "1002",
        "HARBOR HOUSE LOW BARRIER SHELTER",
        ES_NIGHT_BY_NIGHT,
        "102",
        Address("1290 FERRY ST SE", "RIVERTON", STATE, "97302"),
        0.22,
        8,
    ),
    ShelterProject(
        "1003",
        "WOMEN AND FAMILY EMERGENCY SHELTER",
        ES_ENTRY_EXIT,
        "101",
        Address("210 CHURCH ST NE", "RIVERTON", STATE, "97301"),
        0.12,
        20,
    ),
    ShelterProject(
        "1004",
        "HOPE VILLAGE TRANSITIONAL HOUSING",
        TRANSITIONAL_HOUSING,
        "103",
        Address("3340 LANCASTER DR NE", "RIVERTON", STATE, "97304"),
        0.10,
        120,
    ),
    ShelterProject(
        "1005",
        "MILLBROOK WARMING CENTER",
        ES_NIGHT_BY_NIGHT,
        "104",
        Address("88 MAIN ST", "MILLBROOK", STATE, "97321"),
        0.08,
        3,
    ),
    ShelterProject(
        "1006",
        "COUNTY STREET OUTREACH",
        STREET_OUTREACH,
        "104",
        Address("455 N COMMERCIAL ST", "RIVERTON", STATE, "97301"),
        0.14,
        45,
    ),
)

JAIL_FACILITIES: tuple[tuple[str, float], ...] = (
    ("SYNTHETIC COUNTY JAIL", 0.9),
    ("SYNTHETIC COUNTY JAIL - ANNEX", 0.07),
    ("SYNTHETIC COUNTY WORK RELEASE CENTER", 0.03),
)


@dataclass(frozen=True, slots=True)
class BhProgram:
    name: str
    service_types: tuple[str, ...]
    part2: bool  # a 42 CFR Part 2 substance-use treatment program
    for_mental_illness: bool
    for_substance_use: bool
    fhir: bool = False  # run by the second provider, whose records come as FHIR


# The county's behavioral-health agency (its extracts are CSV files).
BH_PROGRAMS: tuple[BhProgram, ...] = (
    BhProgram("SYNTHETIC COUNTY CRISIS CENTER", ("CRISIS",), False, True, True),
    BhProgram("MOBILE CRISIS RESPONSE TEAM", ("MOBILE_CRISIS",), False, True, True),
    BhProgram(
        "RIVERTON COMMUNITY MENTAL HEALTH", ("OUTPATIENT", "CASE_MANAGEMENT"), False, True, False
    ),
    BhProgram("ASSERTIVE COMMUNITY TREATMENT TEAM", ("CASE_MANAGEMENT",), False, True, False),
    BhProgram("CEDAR HOUSE PSYCHIATRIC RESIDENTIAL", ("RESIDENTIAL",), False, True, False),
    BhProgram(
        "NEW DIRECTIONS RECOVERY OUTPATIENT", ("OUTPATIENT", "CASE_MANAGEMENT"), True, False, True
    ),
    BhProgram("BRIDGEWAY RESIDENTIAL TREATMENT", ("RESIDENTIAL",), True, False, True),
    BhProgram("SYNTHETIC COUNTY WITHDRAWAL MANAGEMENT", ("DETOX",), True, False, True),
)
# A second provider whose electronic health record offers a FHIR R4 bulk export.
FHIR_BH_PROVIDER = "Bridgewell Behavioral Health"
FHIR_BH_PROGRAMS: tuple[BhProgram, ...] = (
    BhProgram(
        "Bridgewell Crisis Stabilization", ("CRISIS", "MOBILE_CRISIS"), False, True, True, True
    ),
    BhProgram(
        "Bridgewell Outpatient Mental Health",
        ("OUTPATIENT", "CASE_MANAGEMENT"),
        False,
        True,
        False,
        True,
    ),
    BhProgram(
        "Bridgewell Opioid Treatment Program",
        ("OUTPATIENT", "CASE_MANAGEMENT"),
        True,
        False,
        True,
        True,
    ),
    BhProgram("Bridgewell Adult Residential", ("RESIDENTIAL",), False, True, False, True),
    BhProgram("Bridgewell Recovery House", ("RESIDENTIAL", "DETOX"), True, False, True, True),
)

# The county hospital (ADT feed) and the county EMS agency (NEMSIS export).
HOSPITAL_NAME = "SYNTHETIC COUNTY GENERAL HOSPITAL"
HOSPITAL_CODE = "SCGH"
HOSPITAL_ADDRESS = Address("890 OAK ST SE", "RIVERTON", STATE, "97301")
EMS_AGENCY_NAME = "Synthetic County Fire and EMS"
EMS_AGENCY_NUMBER = "SCFEMS"
EMS_AGENCY_STATE_ID = "OR-0417"
DISPATCH_CENTER = "Synthetic County 911 Communications"

# FIPS codes of the state and county, and (made-up) GNIS feature ids of the towns, as NEMSIS
# records them.
STATE_FIPS = "41"
COUNTY_FIPS = "41047"
CITY_GNIS: dict[str, str] = {
    "RIVERTON": "2411778",
    "MILLBROOK": "2411091",
    "FAIRVIEW": "2410479",
    "CEDAR FALLS": "2409974",
    "OAKDALE": "2411331",
    "PINE HOLLOW": "2411432",
}


_CITY_CUM_WEIGHTS = tuple(itertools.accumulate(c[2] for c in CITIES))


def random_city(rng: random.Random) -> tuple[str, str]:
    city, zips, _ = rng.choices(CITIES, cum_weights=_CITY_CUM_WEIGHTS)[0]
    return city, rng.choice(zips)


def random_address(rng: random.Random) -> Address:
    city, zip_code = random_city(rng)
    number = rng.randint(100, 9999) if rng.random() < 0.85 else rng.randint(1, 99)
    street = (
        f"{number} {rng.choice(_DIRECTIONS)}{rng.choice(_STREET_NAMES)} {rng.choice(_STREET_TYPES)}"
    )
    if rng.random() < 0.25:
        street += f" {rng.choice(_UNIT_TYPES)} {rng.randint(1, 40)}{rng.choice(('', '', 'A', 'B'))}"
    return Address(street.replace("# ", "#"), city, STATE, zip_code)


def random_phone(rng: random.Random) -> str:
    """A ten-digit phone number (digits only) with a realistic but made-up exchange."""
    exchange = rng.randint(200, 989)
    if exchange % 100 == 11:  # N11 codes are not exchanges
        exchange += 1
    return f"{rng.choice(AREA_CODES)}{exchange}{rng.randint(0, 9999):04d}"
