"""The contacts the planner schedules: one :class:`Event` per contact of a person with a system."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from ddj.demo.places import BhProgram, ShelterProject

JAIL, CAD, BH, SHELTER, ED, EMS = "jail", "cad", "bh", "shelter", "ed", "ems"
SYSTEMS = (JAIL, CAD, BH, SHELTER, ED, EMS)


@dataclass(slots=True)
class Event:
    """One contact of one person with one system."""

    person: int
    system: str
    start: datetime
    end: datetime | None = None  # None: still open when the extract was taken
    charges: tuple[str, ...] = ()
    facility: str = ""
    call: int = 0  # police and EMS: the dispatch incident; people on the same call share it
    call_type: str = ""
    disposition: str = ""
    service_type: str = ""
    program: BhProgram | None = None
    dx: tuple[str, ...] = ()
    cost: float = 0.0
    project: ShelterProject | None = None
    reason: str = ""  # EMS and ED: why (overdose, psych, medical ...), see medical.py
    transport: bool = False  # EMS: transported to the county hospital
    inpatient: bool = False  # hospital: an inpatient stay rather than an ED visit
    arrival: str = ""  # ED: how the patient came (ems, police, walk-in)
    times: tuple[datetime, ...] = ()  # EMS: the run's milestones, see medical.Milestone


@dataclass(slots=True)
class Utilization:
    events: dict[str, list[Event]] = field(default_factory=lambda: {s: [] for s in SYSTEMS})

    def add(self, event: Event) -> None:
        self.events[event.system].append(event)


def weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([row[0] for row in table], weights=[row[1] for row in table])[0]
