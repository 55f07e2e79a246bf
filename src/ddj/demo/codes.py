"""ICD-10-CM codes the demo county's hospital, EMS agency and behavioral-health providers use.

Every code here is a valid, billable ICD-10-CM code with its official short description.
"""

from __future__ import annotations

ICD10_DESCRIPTIONS: dict[str, str] = {
    # Mental illness (the codes people.py draws from).
    "F20.9": "Schizophrenia, unspecified",
    "F20.0": "Paranoid schizophrenia",
    "F25.0": "Schizoaffective disorder, bipolar type",
    "F31.9": "Bipolar disorder, unspecified",
    "F31.2": "Bipolar disorder, current episode manic severe with psychotic features",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F41.1": "Generalized anxiety disorder",
    "F60.3": "Borderline personality disorder",
    "F43.20": "Adjustment disorder, unspecified",
    "F29": "Unspecified psychosis not due to a substance or known physiological condition",
    "F99": "Mental disorder, not otherwise specified",
    # Substance use.
    "F10.20": "Alcohol dependence, uncomplicated",
    "F10.10": "Alcohol abuse, uncomplicated",
    "F11.20": "Opioid dependence, uncomplicated",
    "F15.20": "Other stimulant dependence, uncomplicated",
    "F14.20": "Cocaine dependence, uncomplicated",
    "F12.20": "Cannabis dependence, uncomplicated",
    "F19.20": "Other psychoactive substance dependence, uncomplicated",
    "F10.129": "Alcohol abuse with intoxication, unspecified",
    "F10.229": "Alcohol dependence with intoxication, unspecified",
    "F10.239": "Alcohol dependence with withdrawal, unspecified",
    "F11.23": "Opioid dependence with withdrawal",
    "F15.10": "Other stimulant abuse, uncomplicated",
    # Overdoses (poisonings, accidental, initial encounter).
    "T40.1X1A": "Poisoning by heroin, accidental (unintentional), initial encounter",
    "T40.2X1A": "Poisoning by other opioids, accidental (unintentional), initial encounter",
    "T40.411A": "Poisoning by fentanyl or fentanyl analogs, accidental (unintentional), "
    "initial encounter",
    "T40.601A": "Poisoning by unspecified narcotics, accidental (unintentional), initial encounter",
    "T40.5X1A": "Poisoning by cocaine, accidental (unintentional), initial encounter",
    "T43.621A": "Poisoning by amphetamines, accidental (unintentional), initial encounter",
    # Crisis presentations.
    "R45.851": "Suicidal ideations",
    "T14.91XA": "Suicide attempt, initial encounter",
    "R44.3": "Hallucinations, unspecified",
    "R41.82": "Altered mental status, unspecified",
    "R45.1": "Restlessness and agitation",
    # Everyday emergency-department and EMS complaints.
    "R07.9": "Chest pain, unspecified",
    "R10.9": "Unspecified abdominal pain",
    "J06.9": "Acute upper respiratory infection, unspecified",
    "N39.0": "Urinary tract infection, site not specified",
    "L03.115": "Cellulitis of right lower limb",
    "L02.416": "Cutaneous abscess of left lower limb",
    "S09.90XA": "Unspecified injury of head, initial encounter",
    "S93.401A": "Sprain of unspecified ligament of right ankle, initial encounter",
    "S61.411A": "Laceration without foreign body of right hand, initial encounter",
    "R51.9": "Headache, unspecified",
    "M54.50": "Low back pain, unspecified",
    "J45.901": "Unspecified asthma with (acute) exacerbation",
    "R55": "Syncope and collapse",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia",
    "R06.02": "Shortness of breath",
    "T68.XXXA": "Hypothermia, initial encounter",
    "R56.9": "Unspecified convulsions",
    "R53.1": "Weakness",
    # Social circumstances (secondary diagnoses only).
    "Z59.01": "Sheltered homelessness",
    "Z59.02": "Unsheltered homelessness",
}

OPIOID_OVERDOSE = ("T40.411A", "T40.1X1A", "T40.2X1A", "T40.601A")
STIMULANT_OVERDOSE = ("T43.621A", "T40.5X1A")
# Everyday complaints: (code, weight).
MEDICAL_DX: tuple[tuple[str, float], ...] = (
    ("R07.9", 8),
    ("R10.9", 9),
    ("J06.9", 7),
    ("N39.0", 5),
    ("L03.115", 3),
    ("S09.90XA", 4),
    ("S93.401A", 4),
    ("S61.411A", 4),
    ("R51.9", 4),
    ("M54.50", 5),
    ("J45.901", 3),
    ("R55", 3),
    ("E11.65", 2),
    ("R06.02", 3),
)


def describe(code: str) -> str:
    return ICD10_DESCRIPTIONS[code]
