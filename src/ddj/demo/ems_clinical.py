"""The clinical sections of a NEMSIS 3.5.1 PatientCareReport: injury, arrest, history, vitals,
protocols, medications, procedures, disposition and outcome."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from ddj.demo import ems_codes as codes
from ddj.demo import formats, medical
from ddj.demo.medical import Milestone as M
from ddj.demo.nemsis import NONE_REPORTED, NOT_APPLICABLE, NOT_RECORDED, Xml
from ddj.demo.places import CITY_GNIS, COUNTY_FIPS, HOSPITAL_ADDRESS, HOSPITAL_NAME, STATE_FIPS

if TYPE_CHECKING:
    from ddj.demo.ems import Run

BEHAVIORAL = (medical.PSYCH, medical.SUICIDE)


def injury_related(run: Run) -> bool:
    """An injury or poisoning (ICD-10-CM chapter S-T) among the impressions."""
    return run.event.dx[0][0] in "ST" or run.event.reason in codes.INJURY_CAUSE


def injury(x: Xml, run: Run) -> None:
    with x.group("eInjury"):
        cause = codes.INJURY_CAUSE.get(run.event.reason)
        if cause is None and injury_related(run):
            # A poisoning code is its own cause; other injuries: "other specified factors".
            cause = run.event.dx[0] if run.event.dx[0][0] == "T" else "X58.XXXA"
        if cause:
            x.value("eInjury.01", cause)
        else:
            x.nil("eInjury.01", nv=NOT_APPLICABLE)
        x.nil("eInjury.03", nv=NOT_APPLICABLE)
        x.nil("eInjury.04", nv=NOT_APPLICABLE)


def arrest(x: Xml) -> None:
    with x.group("eArrest"):
        x.value("eArrest.01", "3001001")  # no cardiac arrest
        for n in ("02", "03", "04", "07", "09", "11", "12", "14", "16", "17", "18", "20", "21"):
            x.nil(f"eArrest.{n}", nv=NOT_APPLICABLE)
        x.nil("eArrest.22", nv=NOT_APPLICABLE)


def history(x: Xml, rng: random.Random, run: Run) -> None:
    reason = run.event.reason
    with x.group("eHistory"):
        if reason == medical.OVERDOSE:
            x.values("eHistory.01", ("3101027", "3101035"))  # unconscious, drug use suspected
        elif reason == medical.INTOXICATED:
            x.values("eHistory.01", ("3101033", "3101029"))  # alcohol suspected, uncooperative
        elif reason in BEHAVIORAL:
            x.value("eHistory.01", rng.choice(("3101019", "3101031", "3101029")))
        else:
            x.value("eHistory.01", "3101009")  # none noted
        if reason == medical.OVERDOSE:
            x.values("eHistory.17", ("3117003", "3117013"))
        elif reason in (medical.INTOXICATED, medical.WITHDRAWAL):
            x.values("eHistory.17", ("3117001", "3117005"))
        else:
            x.nil("eHistory.17", pn=NONE_REPORTED)


def vitals(x: Xml, rng: random.Random, run: Run) -> None:
    reason = run.event.reason
    overdose = reason == medical.OVERDOSE
    when = run.event.times[M.AT_PATIENT] + timedelta(minutes=rng.randint(1, 6))
    with x.group("eVitals"), x.group("eVitals.VitalGroup"):
        x.value("eVitals.01", formats.iso_offset(when))
        x.value("eVitals.02", "9923001")  # taken by this unit
        with x.group("eVitals.CardiacRhythmGroup"):
            x.nil("eVitals.03", nv=NOT_RECORDED)
            x.nil("eVitals.04", nv=NOT_RECORDED)
            x.nil("eVitals.05", nv=NOT_RECORDED)
        with x.group("eVitals.BloodPressureGroup"):
            x.value("eVitals.06", str(rng.randint(88, 112) if overdose else rng.randint(110, 165)))
            x.value("eVitals.07", str(rng.randint(50, 70) if overdose else rng.randint(65, 98)))
        with x.group("eVitals.HeartRateGroup"):
            x.value("eVitals.10", str(rng.randint(48, 70) if overdose else rng.randint(68, 124)))
        x.value("eVitals.12", str(rng.randint(72, 88) if overdose else rng.randint(93, 100)))
        x.value("eVitals.14", str(rng.randint(4, 9) if overdose else rng.randint(12, 24)))
        x.nil("eVitals.16", nv=NOT_RECORDED)
        x.nil("eVitals.18", nv=NOT_RECORDED)
        eye, verbal, motor = (1, 1, rng.randint(1, 4)) if overdose else (4, rng.choice((4, 5)), 6)
        with x.group("eVitals.GlasgowScoreGroup"):
            x.value("eVitals.19", str(eye))
            x.value("eVitals.20", str(verbal))
            x.value("eVitals.21", str(motor))
            x.nil("eVitals.22", nv=NOT_RECORDED)
            x.value("eVitals.23", str(eye + verbal + motor))
        x.value("eVitals.26", "3326007" if overdose else "3326001")  # unresponsive / alert
        with x.group("eVitals.PainScaleGroup"):
            x.nil("eVitals.27", nv=NOT_RECORDED)
        with x.group("eVitals.StrokeScaleGroup"):
            x.nil("eVitals.29", nv=NOT_APPLICABLE)
            x.nil("eVitals.30", nv=NOT_APPLICABLE)
        x.nil("eVitals.31", nv=NOT_APPLICABLE)


def protocols(x: Xml, run: Run) -> None:
    reason = run.event.reason
    if reason == medical.OVERDOSE:
        code = "9914219" if run.event.dx[0].startswith("T40") else "9914135"
    elif reason in BEHAVIORAL:
        code = "9914053"  # behavioral/patient restraint
    elif reason in (medical.INTOXICATED, medical.WELFARE):
        code = "9914113"  # altered mental status
    else:
        code = "9914075"  # universal patient care
    with x.group("eProtocols"), x.group("eProtocols.ProtocolGroup"):
        x.value("eProtocols.01", code)
        x.value("eProtocols.02", "3602001")  # adult only


def medications(x: Xml, rng: random.Random, run: Run) -> None:
    opioid = run.event.reason == medical.OVERDOSE and run.event.dx[0].startswith("T40")
    with x.group("eMedications"), x.group("eMedications.MedicationGroup"):
        if opioid and rng.random() < 0.8:  # naloxone
            given = run.event.times[M.AT_PATIENT] + timedelta(minutes=rng.randint(1, 4))
            x.value("eMedications.01", formats.iso_offset(given))
            x.value("eMedications.02", "9923001")
            x.value("eMedications.03", "7242")  # RxNorm: naloxone
            intranasal = rng.random() < 0.6
            x.value("eMedications.04", "9927017" if intranasal else "9927023")
            with x.group("eMedications.DosageGroup"):
                x.value("eMedications.05", "4" if intranasal else "0.4")
                x.value("eMedications.06", "3706021")  # mg
            x.value("eMedications.07", "9916001")  # improved
            x.value("eMedications.08", "3708031")  # no complication
            x.value("eMedications.10", "9905007")  # paramedic
            return
        x.nil("eMedications.01", nv=NOT_APPLICABLE)
        x.nil("eMedications.02", nv=NOT_APPLICABLE)
        x.nil("eMedications.03", nv=NOT_APPLICABLE)
        x.nil("eMedications.04", nv=NOT_APPLICABLE)
        with x.group("eMedications.DosageGroup"):
            x.nil("eMedications.05", nv=NOT_APPLICABLE)
            x.nil("eMedications.06", nv=NOT_APPLICABLE)
        for n in ("07", "08", "10"):
            x.nil(f"eMedications.{n}", nv=NOT_APPLICABLE)


def procedures(x: Xml) -> None:
    with x.group("eProcedures"), x.group("eProcedures.ProcedureGroup"):
        for n in ("01", "02", "03", "05", "06", "07", "08", "10"):
            x.nil(f"eProcedures.{n}", nv=NOT_APPLICABLE)


def disposition(x: Xml, rng: random.Random, run: Run) -> None:
    transport = run.event.transport
    with x.group("eDisposition"):
        with x.group("eDisposition.DestinationGroup"):
            if transport:
                x.value("eDisposition.01", HOSPITAL_NAME.title())
                x.value("eDisposition.03", formats.title_street(HOSPITAL_ADDRESS.street))
                x.value("eDisposition.04", CITY_GNIS[HOSPITAL_ADDRESS.city])
                x.value("eDisposition.05", STATE_FIPS)
                x.value("eDisposition.06", COUNTY_FIPS)
                x.value("eDisposition.07", HOSPITAL_ADDRESS.zip)
                x.value("eDisposition.08", "US")
            else:
                for n in ("05", "06", "07"):
                    x.nil(f"eDisposition.{n}", nv=NOT_APPLICABLE)
        refused = not transport and rng.random() < 0.7
        with x.group("eDisposition.IncidentDispositionGroup"):
            x.value("eDisposition.27", "4227001")  # patient contact made
            x.value("eDisposition.28", "4228003" if refused else "4228001")
            x.value("eDisposition.29", "4229013" if refused else "4229001")
            if transport:
                x.value("eDisposition.30", "4230001")  # transported by this unit
            else:
                x.value("eDisposition.30", "4230009" if refused else "4230013")
        if transport:
            x.value("eDisposition.16", "4216005")  # ground ambulance
            x.value("eDisposition.17", "4217005")  # non-emergent
            x.value("eDisposition.18", "4218015")  # no lights or sirens
            x.value("eDisposition.19", "4219003" if run.event.reason != "medical" else "4219005")
            x.value("eDisposition.20", "4220001")  # closest facility
            x.value("eDisposition.21", "4221003")  # hospital emergency department
            x.nil("eDisposition.22", nv=NOT_APPLICABLE)
            x.value("eDisposition.23", "9908007")  # general hospital
        else:
            x.nil("eDisposition.16", nv=NOT_APPLICABLE)
            x.nil("eDisposition.17", nv=NOT_APPLICABLE)
            x.nil("eDisposition.18", nv=NOT_APPLICABLE)
            x.value("eDisposition.19", "4219005")  # lower acuity
            for n in ("20", "21", "22", "23"):
                x.nil(f"eDisposition.{n}", nv=NOT_APPLICABLE)
        with x.group("eDisposition.HospitalTeamActivationGroup"):
            x.value("eDisposition.24", "4224001")  # no pre-arrival alert
            x.nil("eDisposition.25", nv=NOT_APPLICABLE)
        x.value("eDisposition.32", "4232005")  # ALS - paramedic


def outcome(x: Xml) -> None:
    with x.group("eOutcome"):
        x.nil("eOutcome.01", nv=NOT_APPLICABLE)
        x.nil("eOutcome.02", nv=NOT_APPLICABLE)
        with x.group("eOutcome.EmergencyDepartmentProceduresGroup"):
            x.nil("eOutcome.09", nv=NOT_APPLICABLE)
            x.nil("eOutcome.19", nv=NOT_APPLICABLE)
        x.nil("eOutcome.10", nv=NOT_APPLICABLE)
        x.nil("eOutcome.11", nv=NOT_APPLICABLE)
        with x.group("eOutcome.HospitalProceduresGroup"):
            x.nil("eOutcome.12", nv=NOT_APPLICABLE)
            x.nil("eOutcome.20", nv=NOT_APPLICABLE)
        x.nil("eOutcome.13", nv=NOT_APPLICABLE)
        x.nil("eOutcome.16", nv=NOT_APPLICABLE)
        x.nil("eOutcome.18", nv=NOT_APPLICABLE)
