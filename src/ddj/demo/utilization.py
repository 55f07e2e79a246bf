"""Who touches which system, how often and when: heavy-tailed contacts over the window.

Most people touch one system once or twice; the frequent utilizers cycle through jail, police
calls, behavioral-health crisis care, shelters, EMS and the emergency room many times. Arrests
come from police calls, many crisis services from police crisis calls, many EMS runs answer police
calls and bring patients to the emergency room, so the systems' events line up in time.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from ddj.demo.events import (
    BH,
    CAD,
    ED,
    EMS,
    JAIL,
    SHELTER,
    SYSTEMS,
    Event,
    Utilization,
    weighted,
)
from ddj.demo.medical import MedicalPlanner
from ddj.demo.people import Person
from ddj.demo.places import BH_PROGRAMS, FHIR_BH_PROGRAMS, JAIL_FACILITIES, SHELTERS, BhProgram
from ddj.demo.sampling import Window, neg_binomial

_CHARGES_GENERAL = (
    ("THEFT III", 10),
    ("ASSAULT IV", 7),
    ("DISORDERLY CONDUCT II", 7),
    ("CRIMINAL MISCHIEF II", 5),
    ("FAILURE TO APPEAR", 9),
    ("PROBATION VIOLATION", 9),
    ("HARASSMENT", 4),
    ("RESISTING ARREST", 3),
    ("MENACING", 3),
    ("BURGLARY II", 2),
    ("DRIVING WHILE SUSPENDED", 5),
    ("UNAUTHORIZED USE OF A VEHICLE", 2),
    ("ROBBERY III", 1),
    ("IDENTITY THEFT", 1),
    ("FOURTH DEGREE ASSAULT - DOMESTIC", 3),
    ("CONTEMPT OF COURT", 3),
)
_CHARGES_HOMELESS = (
    ("CRIMINAL TRESPASS II", 14),
    ("PROHIBITED CAMPING", 6),
    ("THEFT III", 6),
    ("DISORDERLY CONDUCT II", 5),
    ("INTERFERING WITH A PEACE OFFICER", 2),
    ("OFFENSIVE LITTERING", 2),
)
_CHARGES_SUBSTANCE = (
    ("PUBLIC INTOXICATION", 10),
    ("POSSESSION OF METHAMPHETAMINE", 8),
    ("POSSESSION OF HEROIN", 5),
    ("POSSESSION OF A CONTROLLED SUBSTANCE", 6),
    ("DUII", 6),
    ("FRAUDULENT USE OF A CREDIT CARD", 1),
)

_ARREST_CALL_TYPES = (
    "TRESPASS",
    "DISTURBANCE",
    "THEFT",
    "ASSAULT",
    "SUSPICIOUS PERSON",
    "WARRANT SERVICE",
    "DOMESTIC DISTURBANCE",
    "TRAFFIC STOP",
)
_CRISIS_CALL_TYPES = (
    "MENTAL HEALTH CRISIS",
    "MENTAL HEALTH CRISIS",
    "SUICIDE THREAT",
    "WELFARE CHECK",
)

# Generic calls: (call type, weight for everyone, extra weight if homeless / MI / substance use)
_CALL_TYPES: tuple[tuple[str, float, float, float, float], ...] = (
    ("WELFARE CHECK", 8, 10, 6, 4),
    ("TRESPASS", 4, 14, 1, 2),
    ("DISTURBANCE", 10, 5, 4, 5),
    ("MENTAL HEALTH CRISIS", 1, 2, 14, 1),
    ("SUICIDE THREAT", 1, 1, 6, 1),
    ("OVERDOSE", 0.3, 2, 0, 10),
    ("THEFT", 12, 4, 0, 2),
    ("ASSAULT", 5, 2, 1, 2),
    ("NOISE", 9, 0, 0, 1),
    ("SUSPICIOUS PERSON", 6, 8, 2, 2),
    ("TRAFFIC STOP", 10, 0, 0, 2),
    ("DOMESTIC DISTURBANCE", 5, 0, 1, 2),
)
_DISPOSITIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "MENTAL HEALTH CRISIS": (
        ("REFERRED TO CRISIS TEAM", 40),
        ("TRANSPORTED TO HOSPITAL", 30),
        ("REPORT TAKEN", 10),
        ("NO ACTION", 20),
    ),
    "SUICIDE THREAT": (
        ("TRANSPORTED TO HOSPITAL", 55),
        ("REFERRED TO CRISIS TEAM", 35),
        ("GONE ON ARRIVAL", 10),
    ),
    "OVERDOSE": (("TRANSPORTED TO HOSPITAL", 80), ("NO ACTION", 10), ("REPORT TAKEN", 10)),
    "WELFARE CHECK": (
        ("NO ACTION", 45),
        ("REFERRED TO CRISIS TEAM", 15),
        ("TRANSPORTED TO HOSPITAL", 10),
        ("GONE ON ARRIVAL", 20),
        ("REPORT TAKEN", 10),
    ),
    "TRESPASS": (("GONE ON ARRIVAL", 30), ("NO ACTION", 30), ("REPORT TAKEN", 30), ("ARREST", 10)),
}
_DEFAULT_DISPOSITIONS = (
    ("REPORT TAKEN", 45),
    ("NO ACTION", 25),
    ("GONE ON ARRIVAL", 20),
    ("ARREST", 10),
)

_BH_MIX_FU = (
    ("CRISIS", 20),
    ("MOBILE_CRISIS", 15),
    ("OUTPATIENT", 25),
    ("CASE_MANAGEMENT", 22),
    ("DETOX", 12),
    ("RESIDENTIAL", 6),
)
_BH_MIX_MI = (
    ("OUTPATIENT", 55),
    ("CASE_MANAGEMENT", 15),
    ("CRISIS", 14),
    ("MOBILE_CRISIS", 11),
    ("RESIDENTIAL", 5),
)
_BH_MIX_SU = (
    ("OUTPATIENT", 55),
    ("DETOX", 20),
    ("RESIDENTIAL", 10),
    ("CRISIS", 10),
    ("MOBILE_CRISIS", 5),
)
# Cost of one service, or of one day for residential and detox stays (dollars).
_BH_COST = {
    "CRISIS": (650, 1400),
    "MOBILE_CRISIS": (350, 900),
    "OUTPATIENT": (110, 260),
    "CASE_MANAGEMENT": (80, 190),
    "RESIDENTIAL": (280, 450),
    "DETOX": (550, 800),
}
_BH_DAYS = {"RESIDENTIAL": (7, 90), "DETOX": (2, 7)}


class _Planner:
    def __init__(self, rng: random.Random, window: Window, people: list[Person]):
        self.rng = rng
        self.window = window
        self.people = people
        self.out = Utilization()
        self.calls = 0
        self.homeless = [p.index for p in people if p.homeless]
        self.medical = MedicalPlanner(rng, window, self.out, self.new_call)

    def new_call(self) -> int:
        """A new dispatch incident (police call or EMS run): ids are shared by both."""
        self.calls += 1
        return self.calls

    # -- how many contacts ------------------------------------------------------------------
    def counts(self, p: Person) -> dict[str, int]:
        rng = self.rng
        if p.frequent_utilizer:
            jail = 4 + neg_binomial(rng, 4, 2) if rng.random() < 0.82 else rng.randint(1, 3)
            shelter = 0
            if p.homeless:
                shelter = (
                    4 + neg_binomial(rng, 5, 1.5) if rng.random() < 0.85 else rng.randint(1, 3)
                )
            bh = 3 + neg_binomial(rng, 10, 1.2) if p.mental_illness or p.substance_use else 0
            return {
                JAIL: 0 if rng.random() < 0.04 else jail,
                CAD: 3 + neg_binomial(rng, 8, 1.5),
                BH: bh,
                SHELTER: shelter,
                ED: 2 + neg_binomial(rng, 5, 1.2),
                EMS: neg_binomial(rng, 2.5, 1.2),
            }
        weights = {
            CAD: 0.42,
            JAIL: 0.22 * (1.5 if p.sex == "M" else 0.5) * (1.6 if p.substance_use else 1.0),
            BH: (0.5 if p.mental_illness else 0.0) + (0.3 if p.substance_use else 0.0),
            SHELTER: 1.5 if p.homeless else 0.0,
            ED: 0.3 + (0.15 if p.substance_use else 0.0) + (0.1 if p.mental_illness else 0.0),
            EMS: 0.03 + (0.08 if p.substance_use else 0.0) + (0.04 if p.homeless else 0.0),
        }
        k = rng.choices((1, 2, 3, 4), weights=(74, 19, 5.5, 1.5))[0]
        chosen: list[str] = []
        if p.homeless and rng.random() < 0.85:
            chosen.append(SHELTER)
        elif weights[BH] and rng.random() < 0.6:
            chosen.append(BH)
        while len(chosen) < k:
            left = [s for s in SYSTEMS if s not in chosen and weights[s] > 0]
            if not left:
                break
            chosen.append(rng.choices(left, weights=[weights[s] for s in left])[0])
        means = {CAD: 0.5, JAIL: 0.4, BH: 1.5, SHELTER: 0.8, ED: 0.6, EMS: 0.3}
        counts = dict.fromkeys(SYSTEMS, 0)
        for system in chosen:
            counts[system] = 1 + neg_binomial(rng, means[system], 0.5)
        return counts

    # -- police calls -----------------------------------------------------------------------
    def call(self, p: Person, at: datetime, call_type: str, disposition: str) -> Event | None:
        if not self.window.contains(at):
            return None
        cleared = at + timedelta(minutes=self.rng.randint(8, 240))
        event = Event(
            p.index,
            CAD,
            at,
            cleared,
            call=self.new_call(),
            call_type=call_type,
            disposition=disposition,
        )
        self.out.add(event)
        return event

    def generic_calls(self, p: Person, n: int) -> None:
        rng = self.rng
        types = [row[0] for row in _CALL_TYPES]
        weights = [
            row[1]
            + (row[2] if p.homeless else 0)
            + (row[3] if p.mental_illness else 0)
            + (row[4] if p.substance_use else 0)
            for row in _CALL_TYPES
        ]
        for at in self.window.random_times(rng, n):
            call_type = rng.choices(types, weights=weights)[0]
            disposition = weighted(rng, _DISPOSITIONS.get(call_type, _DEFAULT_DISPOSITIONS))
            event = self.call(p, at, call_type, disposition)
            if event is None:
                continue
            # Some calls involve a second person: a relative at home, or another unhoused person.
            other: int | None = None
            if p.relatives and rng.random() < 0.12:
                other = rng.choice(p.relatives)
            elif p.homeless and call_type in ("TRESPASS", "DISTURBANCE") and rng.random() < 0.2:
                other = rng.choice(self.homeless)
            if other is not None and other != p.index:
                self.out.add(
                    Event(
                        other,
                        CAD,
                        at,
                        event.end,
                        call=event.call,
                        call_type=call_type,
                        disposition=rng.choice(("NO ACTION", "REPORT TAKEN")),
                    )
                )

    # -- jail -------------------------------------------------------------------------------
    def charges(self, p: Person) -> tuple[str, ...]:
        rng = self.rng
        tables = [_CHARGES_GENERAL]
        if p.homeless:
            tables.append(_CHARGES_HOMELESS)
        if p.substance_use:
            tables.append(_CHARGES_SUBSTANCE)
        picked: list[str] = []
        for _ in range(rng.choices((1, 2, 3), weights=(55, 30, 15))[0]):
            charge = weighted(rng, rng.choice(tables))
            if charge not in picked:
                picked.append(charge)
        return tuple(picked)

    def bookings(self, p: Person, n: int, has_cad: bool) -> None:
        rng = self.rng
        times = self.window.random_times(rng, n)
        median_days = 4.0 if p.frequent_utilizer else 1.5
        for i, booked in enumerate(times):
            days = min(rng.lognormvariate(math.log(median_days), 1.3), 180.0)
            release = booked + timedelta(days=days, minutes=rng.randint(30, 300))
            if i + 1 < n and release > times[i + 1] - timedelta(hours=2):
                release = booked + (times[i + 1] - booked) * 0.7
            facility = weighted(rng, JAIL_FACILITIES)
            self.out.add(
                Event(
                    p.index,
                    JAIL,
                    booked,
                    release if release < self.window.stop else None,
                    charges=self.charges(p),
                    facility=facility,
                )
            )
            if has_cad and rng.random() < (0.65 if p.frequent_utilizer else 0.45):
                at = booked - timedelta(minutes=rng.randint(20, 180))
                self.call(p, at, rng.choice(_ARREST_CALL_TYPES), "ARREST")

    # -- behavioral health ------------------------------------------------------------------
    def services(self, p: Person, n: int, has_cad: bool) -> None:
        rng = self.rng
        if p.frequent_utilizer:
            mix = _BH_MIX_FU
        elif p.mental_illness and (not p.substance_use or rng.random() < 0.5):
            mix = _BH_MIX_MI
        else:
            mix = _BH_MIX_SU
        # Most clients use one provider (the county agency or Bridgewell), some both.
        pick = rng.random()
        fhir_share = 0.0 if pick < 0.6 else 1.0 if pick < 0.86 else 0.5
        for at in self.window.random_times(rng, n):
            service = weighted(rng, mix)
            programs = FHIR_BH_PROGRAMS if rng.random() < fhir_share else BH_PROGRAMS
            delivered = self.program(p, service, programs)
            if delivered is None:
                continue
            service, program = delivered
            day = datetime(at.year, at.month, at.day)
            lo, hi = _BH_COST[service]
            end: datetime | None
            if service in _BH_DAYS:
                days = rng.randint(*_BH_DAYS[service])
                end = day + timedelta(days=days)
                if end >= self.window.stop:
                    end = None
                    days = max(1, (self.window.stop - day).days)
                cost = days * rng.uniform(lo, hi)
            else:
                cost = rng.uniform(lo, hi)
                end = day if service != "CRISIS" else day + timedelta(days=rng.choice((0, 0, 1)))
                if service in ("OUTPATIENT", "CASE_MANAGEMENT") or end >= self.window.stop:
                    end = None
            self.out.add(
                Event(
                    p.index,
                    BH,
                    day,
                    end,
                    service_type=service,
                    program=program,
                    dx=self.diagnoses(p, program),
                    cost=round(cost, 2),
                )
            )
            if has_cad and service in ("CRISIS", "MOBILE_CRISIS") and rng.random() < 0.55:
                at = self.window.at_hour(rng, day, tuple(range(0, 24)))
                call_type = rng.choice(_CRISIS_CALL_TYPES)
                if p.substance_use and rng.random() < 0.25:
                    call_type = "OVERDOSE"
                disposition = rng.choice(("REFERRED TO CRISIS TEAM", "TRANSPORTED TO HOSPITAL"))
                self.call(p, at, call_type, disposition)

    def program(
        self, p: Person, service: str, programs: tuple[BhProgram, ...]
    ) -> tuple[str, BhProgram] | None:
        """The service as delivered, and the program delivering it (one fitting the needs)."""
        rng = self.rng
        candidates = [prog for prog in programs if service in prog.service_types]
        if service in ("CRISIS", "MOBILE_CRISIS"):
            return service, candidates[0]
        mental = [prog for prog in candidates if prog.for_mental_illness and p.mental_illness]
        substance = [prog for prog in candidates if prog.for_substance_use and p.substance_use]
        pool = mental + substance
        if pool:
            return service, rng.choice(pool)
        # A service the person's needs don't call for (detox without substance use): they get
        # outpatient care instead.
        if service == "OUTPATIENT":
            return None
        return self.program(p, "OUTPATIENT", programs)

    def diagnoses(self, p: Person, program: BhProgram) -> tuple[str, ...]:
        rng = self.rng
        if program.part2:
            codes = list(p.su_dx)
            if p.mi_dx and rng.random() < 0.3:
                codes += p.mi_dx[:1]
        elif program.for_substance_use:  # crisis services see both
            codes = list(p.mi_dx) + list(p.su_dx)
            if len(codes) > 1 and rng.random() < 0.4:
                codes = codes[:1] if p.mi_dx else codes
        else:
            codes = list(p.mi_dx)
            if p.su_dx and rng.random() < 0.5:
                codes += p.su_dx[:1]
        return tuple(codes) if codes else ("F99",)

    # -- shelters ---------------------------------------------------------------------------
    def stays(self, p: Person, n: int) -> None:
        rng = self.rng
        projects = [s for s in SHELTERS if p.sex == "F" or "WOMEN" not in s.name]
        weights = [s.weight for s in projects]
        times = self.window.random_times(rng, n)
        for i, entered in enumerate(times):
            project = rng.choices(projects, weights=weights)[0]
            day = datetime(entered.year, entered.month, entered.day)
            days = max(1, round(rng.lognormvariate(math.log(project.median_days), 1.0)))
            exit_day: datetime | None = day + timedelta(days=days)
            if i + 1 < n:
                next_day = datetime(times[i + 1].year, times[i + 1].month, times[i + 1].day)
                if exit_day is not None and exit_day >= next_day:
                    exit_day = max(day, next_day - timedelta(days=1))
            if exit_day is not None and exit_day >= self.window.stop:
                exit_day = None
            self.out.add(Event(p.index, SHELTER, day, exit_day, project=project))

    # -- everyone ---------------------------------------------------------------------------
    def person(self, p: Person) -> None:
        counts = self.counts(p)
        has_cad = counts[CAD] > 0
        cad_before = len(self.out.events[CAD])
        if counts[JAIL]:
            self.bookings(p, counts[JAIL], has_cad)
        if counts[BH]:
            self.services(p, counts[BH], has_cad)
        if counts[SHELTER]:
            self.stays(p, counts[SHELTER])
        derived = len(self.out.events[CAD]) - cad_before
        # Arrest and crisis calls are part of the person's calls, not all of them.
        self.generic_calls(p, max(counts[CAD] - derived, counts[CAD] // 2))
        own_calls = [e for e in self.out.events[CAD][cad_before:] if e.person == p.index]
        self.medical.police_runs(p, own_calls)
        if counts[EMS]:
            self.medical.medical_runs(p, counts[EMS])
        if counts[ED]:
            self.medical.walk_ins(p, counts[ED])


def plan_utilization(rng: random.Random, people: list[Person], window: Window) -> Utilization:
    """Every person's contacts with every system over the window."""
    planner = _Planner(rng, window, people)
    for person in people:
        planner.person(person)
    return planner.out
