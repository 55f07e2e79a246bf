"""The county 911 center's incident numbers, shared by police CAD and EMS.

Every 911 incident (a police call for service or an EMS response) gets one number, YY-NNNNNN,
counted per year in the order the calls came in. A police call that brings EMS is one incident,
so the EMS record carries the same number as the CAD call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ddj.demo.events import EMS, Event


def incident_numbers(events: Iterable[Event]) -> dict[int, str]:
    """{incident (Event.call): number} for every incident among ``events``."""
    first: dict[int, datetime] = {}
    for event in events:
        at = event.times[0] if event.system == EMS else event.start
        if event.call not in first or at < first[event.call]:
            first[event.call] = at
    numbers: dict[int, str] = {}
    per_year: dict[int, int] = {}
    for call, at in sorted(first.items(), key=lambda item: (item[1], item[0])):
        per_year[at.year] = per_year.get(at.year, 0) + 1
        numbers[call] = f"{at.year % 100:02d}-{per_year[at.year]:06d}"
    return numbers
