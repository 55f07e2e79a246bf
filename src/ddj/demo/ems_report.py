"""One NEMSIS v3.5.1 PatientCareReport: every section the EMS dataset requires, in order
(the clinical ones are in ems_clinical.py).

Code values are those of the NEMSIS 3.5.1 data dictionary; impressions and injury causes are
ICD-10-CM codes.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from ddj.demo import ems_clinical as clinical
from ddj.demo import ems_codes as codes
from ddj.demo import formats, medical
from ddj.demo.errors import COUNTY_EMS, RATES, noisy
from ddj.demo.medical import Milestone as M
from ddj.demo.nemsis import (
    APPROXIMATE,
    NOT_APPLICABLE,
    NOT_RECORDED,
    REFUSED,
    UNABLE_TO_COMPLETE,
    Xml,
)
from ddj.demo.places import (
    CITY_GNIS,
    COUNTY_FIPS,
    DISPATCH_CENTER,
    EMS_AGENCY_NAME,
    EMS_AGENCY_NUMBER,
    SHELTERS,
    STATE_FIPS,
    Address,
)

if TYPE_CHECKING:
    from ddj.demo.ems import Run

_SUBSTANCE = (medical.OVERDOSE, medical.INTOXICATED, medical.WITHDRAWAL)


def _ts(run: Run, milestone: M) -> str:
    return formats.iso_offset(run.event.times[milestone])


def write_report(x: Xml, rng: random.Random, run: Run) -> None:
    with x.group("PatientCareReport", {"UUID": run.uuid}):
        _record(x, run)
        _response(x, rng, run)
        _dispatch(x, rng, run)
        _times(x, run)
        _patient(x, rng, run)
        _payment(x, rng, run)
        _scene(x, rng, run)
        _situation(x, rng, run)
        clinical.injury(x, run)
        clinical.arrest(x)
        clinical.history(x, rng, run)
        clinical.vitals(x, rng, run)
        clinical.protocols(x, run)
        clinical.medications(x, rng, run)
        clinical.procedures(x)
        clinical.disposition(x, rng, run)
        clinical.outcome(x)


def _record(x: Xml, run: Run) -> None:
    with x.group("eRecord"):
        x.value("eRecord.01", run.number)
        with x.group("eRecord.SoftwareApplicationGroup"):
            x.value("eRecord.02", "Synthetic ePCR Systems")
            x.value("eRecord.03", "Synthetic ePCR")
            x.value("eRecord.04", "3.5.1")


def _response(x: Xml, rng: random.Random, run: Run) -> None:
    transport = run.event.transport
    with x.group("eResponse"):
        with x.group("eResponse.AgencyGroup"):
            x.value("eResponse.01", EMS_AGENCY_NUMBER)
            x.value("eResponse.02", EMS_AGENCY_NAME)
        x.value("eResponse.03", run.incident)
        x.value("eResponse.04", f"{run.incident}-M{run.unit}")
        with x.group("eResponse.ServiceGroup"):
            x.value("eResponse.05", "2205001")  # emergency response, primary response area
        x.value("eResponse.07", "2207015")  # ground transport, ALS equipped
        x.value("eResponse.08", "2208013")  # no dispatch delay
        x.value("eResponse.09", "2209011" if rng.random() < 0.9 else "2209003")
        x.value("eResponse.10", "2210017" if rng.random() < 0.9 else "2210025")
        if transport:
            x.value("eResponse.11", "2211011")
            x.value("eResponse.12", "2212015" if rng.random() < 0.8 else "2212009")
        else:
            x.nil("eResponse.11", nv=NOT_APPLICABLE)
            x.nil("eResponse.12", nv=NOT_APPLICABLE)
        x.value("eResponse.13", f"M{run.unit}")
        x.value("eResponse.14", f"MEDIC {run.unit}")
        emergent = run.event.reason not in (medical.WITHDRAWAL, medical.MEDICAL)
        x.value("eResponse.23", "2223001" if emergent else "2223005")
        x.value("eResponse.24", "2224015" if emergent else "2224019")


def _dispatch(x: Xml, rng: random.Random, run: Run) -> None:
    reason = run.event.reason
    code = codes.DISPATCH.get(reason) or codes.DISPATCH_BY_DX.get(run.event.dx[0], "2301061")
    if run.police and reason not in (medical.OVERDOSE, medical.PSYCH, medical.SUICIDE):
        code = "2301097"  # EMS requested by law enforcement
    with x.group("eDispatch"):
        x.value("eDispatch.01", code)
        x.value("eDispatch.02", "2302003" if not run.police else "2302001")
        x.value("eDispatch.04", DISPATCH_CENTER)
        acuity = "2305003" if reason != medical.MEDICAL else rng.choice(("2305003", "2305005"))
        x.value("eDispatch.05", "2305001" if reason == medical.OVERDOSE else acuity)


def _times(x: Xml, run: Run) -> None:
    transport = run.event.transport
    with x.group("eTimes"):
        x.value("eTimes.01", _ts(run, M.PSAP))
        x.value("eTimes.03", _ts(run, M.NOTIFIED))
        x.value("eTimes.05", _ts(run, M.EN_ROUTE))
        x.value("eTimes.06", _ts(run, M.ON_SCENE))
        x.value("eTimes.07", _ts(run, M.AT_PATIENT))
        x.value("eTimes.09", _ts(run, M.LEFT_SCENE))
        for name, milestone in (("eTimes.11", M.AT_DESTINATION), ("eTimes.12", M.TRANSFER)):
            if transport:
                x.value(name, _ts(run, milestone))
            else:
                x.nil(name, nv=NOT_APPLICABLE)
        x.value("eTimes.13", _ts(run, M.BACK))


def _patient(x: Xml, rng: random.Random, run: Run) -> None:
    rec, rates = run.rec, RATES[COUNTY_EMS]
    homeless = not isinstance(run.where, Address) or run.person.homeless
    with x.group("ePatient"):
        with x.group("ePatient.PatientNameGroup"):
            if run.name_known:
                x.value("ePatient.02", noisy(rng, rec.last, rates, title=True).strip() or "Unknown")
                x.value(
                    "ePatient.03", noisy(rng, rec.first, rates, title=True).strip() or "Unknown"
                )
                if rec.middle:
                    x.value("ePatient.04", rec.middle.title())
                if rec.suffix:
                    x.value("ePatient.23", formats.title_suffix(rec.suffix))
            else:
                x.nil("ePatient.02", pn=UNABLE_TO_COMPLETE)
                x.nil("ePatient.03", pn=UNABLE_TO_COMPLETE)
        where = run.where
        if isinstance(where, Address):
            street, unit = formats.split_unit(where.street)
            x.value(
                "ePatient.05",
                formats.title_street(street),
                {"StreetAddress2": unit} if unit else None,
            )
            x.value("ePatient.06", CITY_GNIS[where.city])
            x.value("ePatient.07", COUNTY_FIPS)
            x.value("ePatient.08", STATE_FIPS)
            x.value("ePatient.09", where.zip)
        else:
            x.nil("ePatient.05", pn=UNABLE_TO_COMPLETE)
            x.value("ePatient.07", COUNTY_FIPS)
            x.value("ePatient.08", STATE_FIPS)
            x.nil("ePatient.09", nv=NOT_APPLICABLE if homeless else NOT_RECORDED)
        x.value("ePatient.10", "US")
        if rec.ssn:
            x.value("ePatient.12", rec.ssn)
        if run.name_known and rng.random() < 0.95:
            x.values("ePatient.14", codes.RACE[run.race])
        else:
            x.nil("ePatient.14", pn=UNABLE_TO_COMPLETE)
        with x.group("ePatient.AgeGroup"):
            x.value("ePatient.15", str(run.age), {"PN": APPROXIMATE} if run.age_estimated else None)
            x.value("ePatient.16", "2516009")  # years
        if rec.dob is not None and run.name_known:
            x.value("ePatient.17", rec.dob.isoformat())
        else:
            pn = REFUSED if run.name_known and rng.random() < 0.25 else ""
            if pn:
                x.nil("ePatient.17", pn=pn)
            else:
                x.nil("ePatient.17", nv=NOT_RECORDED)
        if run.phone:
            x.value("ePatient.18", formats.dashed_phone(run.phone), {"PhoneNumberType": "9913005"})
        if homeless:
            x.value("ePatient.22", "2522001")  # homeless
        x.value("ePatient.24", "eng")
        if rec.sex in ("M", "F"):
            x.value("ePatient.25", "9919003" if rec.sex == "M" else "9919001")
        else:
            x.value("ePatient.25", "9919005")  # unknown


def _payment(x: Xml, rng: random.Random, run: Run) -> None:
    with x.group("ePayment"):
        if run.event.transport:
            payer = "2601003" if run.person.homeless or rng.random() < 0.3 else "2601001"
            x.value("ePayment.01", payer)  # Medicaid / insurance
            x.value("ePayment.50", "2650003" if rng.random() < 0.7 else "2650009")
        else:
            x.value("ePayment.01", "2601007")  # not billed
            x.nil("ePayment.50", nv=NOT_APPLICABLE)


def _scene(x: Xml, rng: random.Random, run: Run) -> None:
    # Someone without an address is found downtown, often near a shelter.
    where = run.where if isinstance(run.where, Address) else rng.choice(SHELTERS).address
    outdoors = not isinstance(run.where, Address) or run.event.reason in (
        medical.ASSAULT,
        medical.COLD,
    )
    with x.group("eScene"):
        x.value("eScene.01", "9923003")  # first EMS unit on scene
        if run.police:
            with x.group("eScene.ResponderGroup"):
                x.value("eScene.02", "Riverton Police Department")
                x.value("eScene.04", "2704009")  # law enforcement
        x.value("eScene.06", "2707005")  # single patient
        x.value("eScene.07", "9923001")  # no mass-casualty incident
        x.nil("eScene.08", nv=NOT_APPLICABLE)
        x.value(
            "eScene.09", rng.choice(("Y92.410", "Y92.481", "Y92.830")) if outdoors else "Y92.009"
        )
        if not outdoors:
            x.value("eScene.15", formats.title_street(formats.split_unit(where.street)[0]))
        x.value("eScene.17", CITY_GNIS[where.city])
        x.value("eScene.18", STATE_FIPS)
        x.value("eScene.19", where.zip)
        x.value("eScene.21", COUNTY_FIPS)
        x.value("eScene.22", "US")


def _situation(x: Xml, rng: random.Random, run: Run) -> None:
    reason, dx = run.event.reason, run.event.dx
    behavioral, injury = reason in clinical.BEHAVIORAL, clinical.injury_related(run)
    onset = run.event.times[M.PSAP] - timedelta(minutes=rng.randint(5, 240))
    with x.group("eSituation"):
        x.value("eSituation.01", formats.iso_offset(onset))
        x.value("eSituation.02", "9922005" if injury else "9922001")
        with x.group("eSituation.PatientComplaintGroup"):
            x.value("eSituation.03", "2803001")  # chief complaint
            x.value("eSituation.04", codes.COMPLAINT[reason])
        head = reason in (medical.ASSAULT, medical.FALL)
        x.value("eSituation.07", "2807015" if head else "2807011")  # head / general
        organ = "2808001" if behavioral else "2808005" if reason in _SUBSTANCE else "2808011"
        x.value("eSituation.08", "2808015" if head else organ)
        x.value("eSituation.09", codes.SYMPTOM.get(reason, dx[0]))
        x.nil("eSituation.10", nv=NOT_APPLICABLE)
        x.value("eSituation.11", dx[0])
        if len(dx) > 1:
            x.values("eSituation.12", dx[1:])
        else:
            x.nil("eSituation.12", nv=NOT_APPLICABLE)
        critical = reason == medical.OVERDOSE and rng.random() < 0.6
        acuity = "2813005" if reason == medical.MEDICAL else "2813003"
        x.value("eSituation.13", "2813001" if critical else acuity)  # critical/emergent/lower
        x.nil("eSituation.18", nv=NOT_RECORDED)
        x.nil("eSituation.20", nv=NOT_APPLICABLE)
