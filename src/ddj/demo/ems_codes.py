"""NEMSIS 3.5.1 code values the county EMS agency records, by what the run was about."""

from __future__ import annotations

from ddj.demo import medical

# ePatient.14 race (2514xxx) by demographics category.
RACE = {
    "white": ("2514011",),
    "white_hispanic": ("2514011", "2514007"),
    "hispanic": ("2514007",),
    "black": ("2514005",),
    "asian": ("2514003",),
    "amind": ("2514001",),
    "nhpi": ("2514009",),
    "mena": ("2514013",),
}
# eDispatch.01 dispatch reason for a run that has no police call (others: see _dispatch).
DISPATCH = {
    medical.OVERDOSE: "2301053",
    medical.PSYCH: "2301059",
    medical.SUICIDE: "2301059",
    medical.INTOXICATED: "2301095",
    medical.WITHDRAWAL: "2301061",
    medical.WELFARE: "2301079",
    medical.ASSAULT: "2301007",
    medical.FALL: "2301033",
    medical.COLD: "2301043",
    medical.SEIZURE: "2301025",
}
DISPATCH_BY_DX = {
    "R07.9": "2301021",
    "J45.901": "2301013",
    "R06.02": "2301013",
    "J06.9": "2301013",
    "R10.9": "2301001",
    "R55": "2301077",
    "E11.65": "2301027",
    "R51.9": "2301037",
}
COMPLAINT = {
    medical.OVERDOSE: "Unresponsive, suspected overdose",
    medical.PSYCH: "Agitated, bizarre behavior",
    medical.SUICIDE: "Suicidal ideation",
    medical.INTOXICATED: "Intoxicated",
    medical.WITHDRAWAL: "Tremors, requests detox",
    medical.WELFARE: "Found down",
    medical.ASSAULT: "Assaulted",
    medical.FALL: "Fall",
    medical.COLD: "Cold exposure",
    medical.SEIZURE: "Seizure",
    medical.MEDICAL: "Sick person",
}
# eSituation.09 primary symptom when it is not the impression itself.
SYMPTOM = {
    medical.OVERDOSE: "R40.20",
    medical.PSYCH: "R45.1",
    medical.SUICIDE: "R45.851",
    medical.INTOXICATED: "R41.82",
    medical.WITHDRAWAL: "R25.1",
    medical.WELFARE: "R53.1",
}
INJURY_CAUSE = {medical.ASSAULT: "Y04.0XXA", medical.FALL: "W19.XXXA", medical.COLD: "X31.XXXA"}
