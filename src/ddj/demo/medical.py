"""EMS runs and hospital visits: what brings a person to the ambulance and the emergency room.

Many EMS runs answer a police call (the same 911 incident, so the EMS record carries the CAD
call's incident number); others are medical calls police never see. A transported patient
arrives at the county hospital's emergency department, which also sees walk-ins; a few visits
end in an inpatient admission. Frequent utilizers come for overdoses, psychiatric crises,
intoxication and withdrawal; everyone else mostly for everyday complaints.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import IntEnum

from ddj.demo.codes import MEDICAL_DX, OPIOID_OVERDOSE, STIMULANT_OVERDOSE
from ddj.demo.events import ED, EMS, Event, Utilization, weighted
from ddj.demo.people import Person
from ddj.demo.sampling import Window

# Why EMS is called or a patient comes to the emergency department.
OVERDOSE, PSYCH, SUICIDE, INTOXICATED, WITHDRAWAL = (
    "overdose",
    "psych",
    "suicide",
    "intoxicated",
    "withdrawal",
)
WELFARE, ASSAULT, FALL, COLD, SEIZURE, MEDICAL = (
    "welfare",
    "assault",
    "fall",
    "cold",
    "seizure",
    "medical",
)
REASONS = (
    OVERDOSE,
    PSYCH,
    SUICIDE,
    INTOXICATED,
    WITHDRAWAL,
    WELFARE,
    ASSAULT,
    FALL,
    COLD,
    SEIZURE,
    MEDICAL,
)

# Police call type -> what EMS finds when police ask for it.
_REASON_OF_CALL = {
    "OVERDOSE": OVERDOSE,
    "MENTAL HEALTH CRISIS": PSYCH,
    "SUICIDE THREAT": SUICIDE,
    "WELFARE CHECK": WELFARE,
    "ASSAULT": ASSAULT,
    "DOMESTIC DISTURBANCE": ASSAULT,
}
# Chance that a police call brings EMS, by call type (others: _EMS_OTHERWISE).
_EMS_FOR_CALL = {
    "OVERDOSE": 0.9,
    "MENTAL HEALTH CRISIS": 0.35,
    "SUICIDE THREAT": 0.6,
    "WELFARE CHECK": 0.15,
    "ASSAULT": 0.3,
    "DOMESTIC DISTURBANCE": 0.15,
}
_EMS_OTHERWISE = 0.03
_TRANSPORTED = "TRANSPORTED TO HOSPITAL"


class Milestone(IntEnum):
    """Indexes into an EMS run's ``Event.times``: NEMSIS eTimes.01, .03, .05, .06, .07, .09,
    .11, .12 and .13. A run without transport has no arrival at a destination nor transfer of
    care: those two hold the back-in-service time."""

    PSAP = 0
    NOTIFIED = 1
    EN_ROUTE = 2
    ON_SCENE = 3
    AT_PATIENT = 4
    LEFT_SCENE = 5
    AT_DESTINATION = 6
    TRANSFER = 7
    BACK = 8


def _uses(p: Person, prefix: str) -> bool:
    return any(code.startswith(prefix) for code in p.su_dx)


class MedicalPlanner:
    def __init__(
        self, rng: random.Random, window: Window, out: Utilization, new_call: Callable[[], int]
    ):
        self.rng = rng
        self.window = window
        self.out = out
        self.new_call = new_call

    # -- how many -----------------------------------------------------------------------------
    def reason_mix(self, p: Person) -> tuple[tuple[str, float], ...]:
        mix: list[tuple[str, float]] = [(MEDICAL, 10.0), (FALL, 1.5), (SEIZURE, 0.3)]
        if p.substance_use:
            scale = 3.0 if p.frequent_utilizer else 1.0
            mix += [(OVERDOSE, 3 * scale), (INTOXICATED, 3 * scale), (WITHDRAWAL, 1.5 * scale)]
        if p.mental_illness:
            scale = 3.0 if p.frequent_utilizer else 1.0
            mix += [(PSYCH, 3 * scale), (SUICIDE, 1 * scale)]
        if p.homeless:
            mix += [(COLD, 1.0), (WELFARE, 1.5), (ASSAULT, 0.8)]
        return tuple(mix)

    # -- diagnoses ---------------------------------------------------------------------------
    def dx(self, p: Person, reason: str) -> tuple[str, ...]:
        """ICD-10-CM codes for a run or visit: the primary one first."""
        rng = self.rng
        if reason == OVERDOSE:
            if _uses(p, "F11") or not p.su_dx:
                primary = rng.choice(OPIOID_OVERDOSE)
                return (primary, "F11.20") if _uses(p, "F11") else (primary,)
            if _uses(p, "F15") or _uses(p, "F14"):
                return (rng.choice(STIMULANT_OVERDOSE), p.su_dx[0])
            return ("F10.229" if _uses(p, "F10.20") else "F10.129",)
        if reason in (PSYCH, SUICIDE):
            first = "R45.851" if reason == SUICIDE else (p.mi_dx[0] if p.mi_dx else "F29")
            second = p.mi_dx[0] if reason == SUICIDE and p.mi_dx else rng.choice(("R44.3", "R45.1"))
            if reason == SUICIDE and rng.random() < 0.2:
                first = "T14.91XA"
            return (first, second) if second != first else (first,)
        if reason == INTOXICATED:
            return ("F10.229" if _uses(p, "F10.20") else "F10.129",)
        if reason == WITHDRAWAL:
            return ("F11.23",) if _uses(p, "F11") else ("F10.239",)
        if reason == WELFARE:
            return (rng.choice(("R41.82", "R53.1", "R55")),)
        if reason in (ASSAULT, FALL):
            return (rng.choice(("S09.90XA", "S61.411A", "S93.401A")),)
        if reason == COLD:
            return ("T68.XXXA",)
        if reason == SEIZURE:
            return ("R56.9", "F10.239") if _uses(p, "F10") else ("R56.9",)
        if _uses(p, "F11") and rng.random() < 0.25:  # injection-related infections
            return (rng.choice(("L03.115", "L02.416")),)
        return (weighted(rng, MEDICAL_DX),)

    # -- EMS ---------------------------------------------------------------------------------
    def run(self, p: Person, psap: datetime, call: int, reason: str, transport: bool) -> None:
        rng = self.rng
        notified = psap + timedelta(seconds=rng.randint(40, 150))
        en_route = notified + timedelta(seconds=rng.randint(30, 120))
        on_scene = en_route + timedelta(seconds=rng.randint(240, 840))
        at_patient = on_scene + timedelta(seconds=rng.randint(30, 180))
        if transport:
            left = at_patient + timedelta(seconds=rng.randint(480, 1500))
            arrived = left + timedelta(seconds=rng.randint(300, 1080))
            transfer = arrived + timedelta(seconds=rng.randint(300, 2100))
            back = transfer + timedelta(seconds=rng.randint(300, 1200))
        else:
            left = at_patient + timedelta(seconds=rng.randint(480, 1500))
            back = left + timedelta(seconds=rng.randint(60, 900))
            arrived = transfer = back
        if back >= self.window.stop:
            return
        dx = self.dx(p, reason)
        times = (psap, notified, en_route, on_scene, at_patient, left, arrived, transfer, back)
        self.out.add(
            Event(
                p.index,
                EMS,
                notified,
                back,
                call=call,
                reason=reason,
                dx=dx,
                transport=transport,
                times=times,
            )
        )
        if transport:
            registered = arrived + timedelta(seconds=rng.randint(60, 600))
            self.visit(p, registered, reason, "ems", dx)

    def police_runs(self, p: Person, calls: list[Event]) -> None:
        """EMS runs answering the person's police calls (same incident)."""
        rng = self.rng
        for call in calls:
            chance = _EMS_FOR_CALL.get(call.call_type, _EMS_OTHERWISE)
            if call.disposition == _TRANSPORTED:
                chance = max(chance, 0.85)
            reason = _REASON_OF_CALL.get(call.call_type, "")
            if not reason:
                reason = INTOXICATED if p.substance_use and rng.random() < 0.6 else MEDICAL
            if rng.random() >= chance:
                if call.disposition == _TRANSPORTED:  # officers drove the person in themselves
                    arrived = (call.end or call.start) - timedelta(minutes=rng.randint(0, 20))
                    if arrived < self.window.stop:
                        self.visit(p, max(arrived, call.start), reason, "police")
                continue
            if call.disposition == _TRANSPORTED:
                transport = True
            else:
                transport = rng.random() < {OVERDOSE: 0.7, SUICIDE: 0.85}.get(reason, 0.55)
            self.run(p, call.start, call.call, reason, transport)

    def medical_runs(self, p: Person, n: int) -> None:
        """EMS runs for 911 medical calls the police do not attend (an incident of their own)."""
        rng = self.rng
        mix = self.reason_mix(p)
        for at in self.window.random_times(rng, n):
            reason = weighted(rng, mix)
            self.run(p, at, self.new_call(), reason, rng.random() < 0.75)

    # -- hospital ----------------------------------------------------------------------------
    def visit(
        self, p: Person, at: datetime, reason: str, arrival: str, dx: tuple[str, ...] = ()
    ) -> None:
        """An emergency-department visit, sometimes followed by an inpatient stay."""
        rng = self.rng
        dx = dx or self.dx(p, reason)
        if p.homeless and rng.random() < 0.5:
            dx = dx + (rng.choice(("Z59.01", "Z59.02")),)
        hours = rng.uniform(6, 30) if reason in (PSYCH, SUICIDE) else rng.uniform(1.5, 9)
        end: datetime | None = at + timedelta(hours=hours)
        admit = {PSYCH: 0.12, SUICIDE: 0.25, OVERDOSE: 0.06, WITHDRAWAL: 0.1}.get(reason, 0.04)
        admitted = rng.random() < admit
        if admitted:
            disposition = "09"  # admitted as an inpatient to this hospital
        elif reason in (PSYCH, SUICIDE, INTOXICATED, OVERDOSE) and rng.random() < 0.12:
            disposition = "07"  # left against medical advice
        elif arrival == "police" and rng.random() < 0.3:
            disposition = "21"  # to court/law enforcement
        else:
            disposition = "01"  # home or self care
        if end is not None and end >= self.window.stop:
            end, admitted = None, False
        self.out.add(
            Event(
                p.index, ED, at, end, reason=reason, dx=dx, arrival=arrival, disposition=disposition
            )
        )
        admitted_at = end + timedelta(minutes=rng.randint(5, 90)) if end is not None else None
        if admitted and admitted_at is not None and admitted_at < self.window.stop:
            days = rng.uniform(3, 14) if reason in (PSYCH, SUICIDE) else rng.uniform(1, 5)
            discharged: datetime | None = admitted_at + timedelta(days=days)
            if discharged is not None and discharged >= self.window.stop:
                discharged = None
            self.out.add(
                Event(
                    p.index,
                    ED,
                    admitted_at,
                    discharged,
                    reason=reason,
                    dx=dx,
                    arrival="ed",
                    inpatient=True,
                    disposition="01",
                )
            )

    def walk_ins(self, p: Person, n: int) -> None:
        rng = self.rng
        mix = self.reason_mix(p)
        for at in self.window.random_times(rng, n):
            self.visit(p, at, weighted(rng, mix), "walk-in")
