"""Cohort rules: "at least N events of types X (and M of Y) within a window", checked on load."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ddj.errors import ConfigError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CONDITION_KEYS = {"label", "event_types", "systems", "min", "min_systems", "window_days"}
_COHORT_KEYS = {"name", "description", "combine", "conditions"}


@dataclass(frozen=True)
class Condition:
    label: str
    window_days: int
    min_events: int | None = None
    min_systems: int | None = None
    event_types: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class CohortRule:
    name: str
    description: str
    combine: str  # "all" | "any"
    conditions: tuple[Condition, ...]


def default_rules() -> list[CohortRule]:
    text = (resources.files("ddj.identify") / "default_cohorts.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text)["cohorts"], where="built-in default cohorts")


def parse_rules(raw: list[dict[str, Any]], *, where: str = "ddj.toml") -> list[CohortRule]:
    rules = [_parse_cohort(item, i, where) for i, item in enumerate(raw, 1)]
    names = [r.name for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(
            f"cohort names must be unique; repeated: {', '.join(repeated)}", where=where
        )
    return rules


def _parse_cohort(item: Any, index: int, where: str) -> CohortRule:
    label = f"[[cohorts]] #{index}"
    if not isinstance(item, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(
            f"{label}: name must be lower_case letters, digits and _ (got {name!r})", where=where
        )
    label = f"cohort {name!r}"
    unknown = sorted(set(item) - _COHORT_KEYS)
    if unknown:
        raise ConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_COHORT_KEYS))}",
        )
    combine = item.get("combine", "all")
    if combine not in ("all", "any"):
        raise ConfigError(f'{label}: combine must be "all" or "any"', where=where)
    conditions_raw = item.get("conditions")
    if not isinstance(conditions_raw, list) or not conditions_raw:
        raise ConfigError(f"{label} has no [[cohorts.conditions]]", where=where)
    conditions = tuple(
        _parse_condition(c, label, i, where) for i, c in enumerate(conditions_raw, 1)
    )
    return CohortRule(name, str(item.get("description", "")), combine, conditions)


def _parse_condition(item: Any, cohort: str, index: int, where: str) -> Condition:
    label = f"{cohort} condition #{index}"
    if not isinstance(item, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    unknown = sorted(set(item) - _CONDITION_KEYS)
    if unknown:
        raise ConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_CONDITION_KEYS))}",
        )
    has_min, has_systems = "min" in item, "min_systems" in item
    if has_min == has_systems:
        raise ConfigError(f"{label}: give exactly one of min (events) or min_systems", where=where)
    for key in ("min", "min_systems", "window_days"):
        if key in item and (not isinstance(item[key], int) or item[key] < 1):
            raise ConfigError(f"{label}: {key} must be a whole number of at least 1", where=where)
    if "window_days" not in item:
        raise ConfigError(f"{label}: window_days is required (e.g. 1095 for 3 years)", where=where)
    for key in ("event_types", "systems"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{label}: {key} must be a list of names", where=where)
    default_label = ", ".join(item.get("event_types", []) or item.get("systems", [])) or (
        "systems" if has_systems else "contacts"
    )
    return Condition(
        label=str(item.get("label", default_label)),
        window_days=item["window_days"],
        min_events=item.get("min"),
        min_systems=item.get("min_systems"),
        event_types=tuple(item.get("event_types", [])),
        systems=tuple(item.get("systems", [])),
    )
