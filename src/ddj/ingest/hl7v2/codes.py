"""HL7 v2 code values the ADT importer translates."""

from __future__ import annotations

# PID-8 administrative sex (HL7 table 0001) -> canonical sex. Anything else is U.
SEX: dict[str, str] = {
    "M": "M",
    "F": "F",
    "O": "X",  # other
    "A": "X",  # ambiguous
    "X": "X",  # non-binary (later versions)
    "U": "U",
    "N": "U",  # not applicable
}

# DG1-3 coding systems (HL7 table 0396 and common spellings, dashes and spaces removed) whose
# codes are ICD-10-CM in US feeds. I10P (ICD-10-PCS, procedures) is not one of them.
ICD10_SYSTEMS = frozenset({"I10", "I10C", "ICD10", "ICD10CM", "2.16.840.1.113883.6.90"})

# PV1-36 discharge disposition: HL7 table 0112 is user-defined; US feeds send the UB-04 patient
# discharge status codes, kept here as text. An unknown code is stored as sent.
DISCHARGE_DISPOSITIONS: dict[str, str] = {
    "01": "Discharged to home or self care",
    "02": "Discharged/transferred to a short-term general hospital",
    "03": "Discharged/transferred to a skilled nursing facility",
    "04": "Discharged/transferred to an intermediate care facility",
    "05": "Discharged/transferred to another type of institution",
    "06": "Discharged/transferred to home under care of a home health service",
    "07": "Left against medical advice or discontinued care",
    "09": "Admitted as an inpatient to this hospital",
    "20": "Expired",
    "21": "Discharged/transferred to court/law enforcement",
    "30": "Still patient",
    "40": "Expired at home",
    "41": "Expired in a medical facility",
    "42": "Expired, place unknown",
    "43": "Discharged/transferred to a federal health care facility",
    "50": "Discharged to hospice, home",
    "51": "Discharged to hospice, medical facility",
    "61": "Discharged/transferred to a hospital-based swing bed",
    "62": "Discharged/transferred to an inpatient rehabilitation facility",
    "63": "Discharged/transferred to a long-term care hospital",
    "64": "Discharged/transferred to a Medicaid-certified nursing facility",
    "65": "Discharged/transferred to a psychiatric hospital or unit",
    "66": "Discharged/transferred to a critical access hospital",
    "69": "Discharged/transferred to a designated disaster alternative care site",
    "70": "Discharged/transferred to another type of health care institution",
}
