"""HUD HMIS CSV code lists (FY2024/FY2026 Appendix B, with the FY2022 codes still found in
older exports) and how ddj turns them into event types and labels."""

from __future__ import annotations

from typing import NamedTuple


class ProjectKind(NamedTuple):
    name: str  # HUD's label for the ProjectType
    event_type: str  # what an enrollment in such a project becomes


SHELTER_STAY = "shelter_stay"
SHELTER_ENROLLMENT = "shelter_enrollment"  # a night-by-night enrollment; its nights are stays
OUTREACH_CONTACT = "outreach_contact"
HOUSING_ENROLLMENT = "housing_enrollment"
HOMELESS_SERVICE = "homeless_service"

NIGHT_BY_NIGHT = 1  # FY2024+ ProjectType of an emergency shelter that records bed nights
BED_NIGHT = "200"  # Services.csv RecordType of a bed night

# 2.02.6 ProjectType (FY2024 and later).
PROJECT_TYPES: dict[int, ProjectKind] = {
    0: ProjectKind("Emergency Shelter - Entry Exit", SHELTER_STAY),
    1: ProjectKind("Emergency Shelter - Night-by-Night", SHELTER_ENROLLMENT),
    2: ProjectKind("Transitional Housing", SHELTER_STAY),
    3: ProjectKind("PH - Permanent Supportive Housing", HOUSING_ENROLLMENT),
    4: ProjectKind("Street Outreach", OUTREACH_CONTACT),
    6: ProjectKind("Services Only", HOMELESS_SERVICE),
    7: ProjectKind("Other", HOMELESS_SERVICE),
    8: ProjectKind("Safe Haven", SHELTER_STAY),
    9: ProjectKind("PH - Housing Only", HOUSING_ENROLLMENT),
    10: ProjectKind("PH - Housing with Services", HOUSING_ENROLLMENT),
    11: ProjectKind("Day Shelter", SHELTER_STAY),
    12: ProjectKind("Homelessness Prevention", HOMELESS_SERVICE),
    13: ProjectKind("PH - Rapid Re-Housing", HOUSING_ENROLLMENT),
    14: ProjectKind("Coordinated Entry", HOMELESS_SERVICE),
}
# A project without a ProjectType (allowed when ContinuumProject is not 1).
UNTYPED_PROJECT = ProjectKind("Not a Continuum project", HOMELESS_SERVICE)

# FY2022 exports: ProjectType 1 was any emergency shelter; TrackingMethod 3 meant night-by-night.
FY2022_NIGHT_BY_NIGHT_TRACKING = "3"


def fy2022_project_type(project_type: int, tracking_method: str | None) -> int:
    """The FY2024 ProjectType of an FY2022 project (only emergency shelters changed)."""
    if project_type != 1:
        return project_type
    return 1 if (tracking_method or "").strip() == FY2022_NIGHT_BY_NIGHT_TRACKING else 0


# 3.12.1 Living Situation (prior living situation, destination): FY2024+ codes are grouped by
# hundreds; FY2022 codes (1-37) are kept so older exports still read with labels.
_CATEGORY_BY_HUNDRED = {1: "homeless", 2: "institutional", 3: "temporary", 4: "permanent"}
_LIVING_FY2024 = {
    116: "Place not meant for habitation",
    101: "Emergency shelter, including hotel or motel paid for with emergency shelter voucher, "
    "Host Home shelter",
    118: "Safe Haven",
    215: "Foster care home or foster care group home",
    206: "Hospital or other residential non-psychiatric medical facility",
    207: "Jail, prison or juvenile detention facility",
    225: "Long-term care facility or nursing home",
    204: "Psychiatric hospital or other psychiatric facility",
    205: "Substance abuse treatment facility or detox center",
    302: "Transitional housing for homeless persons (including homeless youth)",
    329: "Residential project or halfway house with no homeless criteria",
    314: "Hotel or motel paid for without emergency shelter voucher",
    332: "Host Home (non-crisis)",
    312: "Staying or living with family, temporary tenure",
    313: "Staying or living with friends, temporary tenure",
    327: "Moved from one HOPWA funded project to HOPWA TH",
    336: "Staying or living in a friend's room, apartment, or house",
    335: "Staying or living in a family member's room, apartment, or house",
    422: "Staying or living with family, permanent tenure",
    423: "Staying or living with friends, permanent tenure",
    426: "Moved from one HOPWA funded project to HOPWA PH",
    410: "Rental by client, no ongoing housing subsidy",
    435: "Rental by client, with ongoing housing subsidy",
    421: "Owned by client, with ongoing housing subsidy",
    411: "Owned by client, no ongoing housing subsidy",
}
_LIVING_OTHER = {
    30: ("No exit interview completed", "other"),
    17: ("Other", "other"),
    24: ("Deceased", "other"),
    37: ("Worker unable to determine", "other"),
    8: ("Client doesn't know", "missing"),
    9: ("Client prefers not to answer", "missing"),
    99: ("Data not collected", "missing"),
}
# FY2022 code -> the FY2024 code with the same meaning (or a label and category of its own).
_FY2022_TO_FY2024 = {
    1: 101, 2: 302, 4: 204, 5: 205, 6: 206, 7: 207, 10: 410, 11: 411, 12: 312, 13: 313,
    14: 314, 15: 215, 16: 116, 18: 118, 21: 421, 22: 422, 23: 423, 25: 225, 26: 426, 27: 327,
    29: 329, 32: 332, 35: 335, 36: 336,
}  # fmt: skip
_FY2022_OWN = {
    3: ("Permanent housing (other than RRH) for formerly homeless persons", "permanent"),
    19: ("Rental by client, with VASH housing subsidy", "permanent"),
    20: ("Rental by client, with other ongoing housing subsidy", "permanent"),
    28: ("Rental by client, with GPD TIP housing subsidy", "permanent"),
    31: ("Rental by client, with RRH or equivalent subsidy", "permanent"),
    33: ("Rental by client, with HCV voucher (tenant or project based)", "permanent"),
    34: ("Rental by client in a public housing unit", "permanent"),
}


def living_situation(raw: str | None) -> dict[str, str] | None:
    """{"code", "label", "category"} for a LivingSituation or Destination value; None if blank.
    An unknown code is kept with the label "Unknown code" so nothing is silently dropped."""
    code_text = (raw or "").strip()
    if not code_text:
        return None
    try:
        code = int(code_text)
    except ValueError:
        return {"code": code_text, "label": "Unknown code", "category": "unknown"}
    label, category = _living_label(code)
    return {"code": code_text, "label": label, "category": category}


def _living_label(code: int) -> tuple[str, str]:
    if code in _LIVING_FY2024:
        return _LIVING_FY2024[code], _CATEGORY_BY_HUNDRED[code // 100]
    if code in _LIVING_OTHER:
        return _LIVING_OTHER[code]
    if code in _FY2022_TO_FY2024:
        return _living_label(_FY2022_TO_FY2024[code])
    if code in _FY2022_OWN:
        return _FY2022_OWN[code]
    return "Unknown code", "unknown"


# 3.15.1 RelationshipToHoH
RELATIONSHIP_TO_HOH = {
    "1": "Self (head of household)",
    "2": "Head of household's child",
    "3": "Head of household's spouse or partner",
    "4": "Head of household's other relation member",
    "5": "Other: non-relation member",
    "99": "Data not collected",
}

# Data-quality codes (3.01.5, 3.02.2, 3.03.2) that mean the value was not given.
NOT_GIVEN = frozenset({"8", "9", "99"})
APPROXIMATE = "2"

# Sex (4.21, FY2026) and gender (3.06: FY2024 Woman/Man/..., FY2022 Female/Male/...).
SEX_FY2026 = {"0": "F", "1": "M"}
GENDER_WOMAN = ("Woman", "Female")
GENDER_MAN = ("Man", "Male")
GENDER_OTHER = (
    "NonBinary",
    "CulturallySpecific",
    "Transgender",
    "Questioning",
    "DifferentIdentity",
    "NoSingleGender",
)

# 1.8 No/Yes/Reasons for Missing Data (LeaveSituation14Days, LeaseOwn60Day, MovedTwoOrMore).
NO_YES = {
    "0": "No",
    "1": "Yes",
    "8": "Client doesn't know",
    "9": "Client prefers not to answer",
    "99": "Data not collected",
}


def contact_event_type(kind: ProjectKind) -> str:
    """The event type of one Current Living Situation contact: a street-outreach contact in a
    Street Outreach project, a homeless-services contact in any other."""
    return OUTREACH_CONTACT if kind.event_type == OUTREACH_CONTACT else HOMELESS_SERVICE
