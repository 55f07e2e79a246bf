"""Short display names for system and event-type codes, as an analyst would say them."""

from __future__ import annotations

from ddj.model import SYSTEMS

# Short enough for a chart axis; the long descriptions live in ddj.model.SYSTEMS.
SYSTEM_SHORT: dict[str, str] = {
    "police_call": "Police (CAD)",
    "jail_booking": "Jail",
    "ems": "EMS",
    "ed": "Emergency dept.",
    "hospital": "Hospital",
    "behavioral_health": "Behavioral health",
    "shelter": "Shelter (HMIS)",
}


def system_label(code: str) -> str:
    """The short name of a system; a county-defined system keeps its own code."""
    return SYSTEM_SHORT.get(code, code)


def system_description(code: str) -> str:
    """The long description of a system, or its code when ddj does not know it."""
    return SYSTEMS.get(code, code)


def event_label(code: str) -> str:
    """An event-type or count code as words: ``jail_booking`` -> ``jail booking``."""
    return code.replace("_", " ")
