"""Cohort rules: "at least N events of types X (and M of Y) within a window", a need ("and a
mental-health diagnosis"), and cost ranking ("the costliest 10%"), checked on load."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ddj.errors import ConfigError
from ddj.identify.needs import Need, default_needs

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CONDITION_KEYS = {"label", "event_types", "systems", "min", "min_systems", "window_days", "need"}
_COHORT_KEYS = {"name", "description", "combine", "conditions", "cost"}
_COST_KEYS = {"window_days", "top_percent", "top", "min_cost"}
_WEIGHT_KEYS = {"per_event", "per_day", "use_recorded"}


@dataclass(frozen=True)
class Condition:
    label: str
    window_days: int | None  # None only for a need: all evidence up to the as-of date
    min_events: int | None = None
    min_systems: int | None = None
    event_types: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    need: Need | None = None  # min_events then counts this need's evidence

    @property
    def minimum(self) -> int:
        return int(self.min_systems or self.min_events or 1)

    def window_text(self) -> str:
        return f" in {self.window_days} days" if self.window_days else ""


@dataclass(frozen=True)
class CostWeight:
    """What one event of a type costs: per event, plus per day (night) of a stay."""

    event_type: str
    per_event: float = 0.0
    per_day: float = 0.0
    use_recorded: bool = True  # an event's own recorded cost (e.g. a claim) replaces the weight


@dataclass(frozen=True)
class CostRank:
    """Members by cost over a window: the top share, the top N, or everyone above a cost."""

    window_days: int
    top_percent: float | None = None
    top: int | None = None
    min_cost: float | None = None


@dataclass(frozen=True)
class CohortRule:
    name: str
    description: str
    combine: str  # "all" | "any"
    conditions: tuple[Condition, ...]
    costs: tuple[CostWeight, ...] = ()
    rank: CostRank | None = None

    def cost_window_days(self) -> int | None:
        """The window a member's cost is summed over."""
        if self.rank:
            return self.rank.window_days
        windows = [c.window_days for c in self.conditions if c.window_days]
        return max(windows) if windows else None


def default_cohorts_raw() -> dict[str, Any]:
    return tomllib.loads((resources.files("ddj.identify") / "default_cohorts.toml").read_text())


def default_cost_weights() -> tuple[CostWeight, ...]:
    raw = default_cohorts_raw().get("cost_weights", {})
    return parse_cost_weights(raw, where="built-in defaults")


def default_rules(needs: list[Need] | None = None) -> list[CohortRule]:
    raw = default_cohorts_raw()
    return parse_rules(
        raw["cohorts"],
        where="built-in default cohorts",
        needs=default_needs() if needs is None else needs,
        cost_weights=parse_cost_weights(raw.get("cost_weights", {}), where="built-in defaults"),
    )


def parse_rules(
    raw: list[dict[str, Any]],
    *,
    where: str = "ddj.toml",
    needs: list[Need] | None = None,
    cost_weights: tuple[CostWeight, ...] = (),
) -> list[CohortRule]:
    """Cohort rules from TOML; ``needs`` are the needs a condition may name."""
    known = {n.name: n for n in needs or []}
    rules = [_parse_cohort(item, i, where, known, cost_weights) for i, item in enumerate(raw, 1)]
    names = [r.name for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(
            f"cohort names must be unique; repeated: {', '.join(repeated)}", where=where
        )
    return rules


def parse_cost_weights(raw: Any, *, where: str) -> tuple[CostWeight, ...]:
    """``[cost_weights]``: event_type = { per_event = 250, per_day = 120, use_recorded = true }."""
    if not isinstance(raw, dict):
        raise ConfigError("[cost_weights] must be a table", where=where)
    weights = []
    for event_type, value in raw.items():
        key = f"[cost_weights] {event_type}"
        if not _NAME.match(event_type):
            raise ConfigError(
                f"{key}: an event type is lower_case letters, digits and _", where=where
            )
        if not isinstance(value, dict) or not value:
            raise ConfigError(
                f"{key} must be a table", where=where, fix="e.g. { per_event = 250, per_day = 120 }"
            )
        unknown = sorted(set(value) - _WEIGHT_KEYS)
        if unknown:
            raise ConfigError(
                f"{key}: unknown key(s) {', '.join(unknown)}",
                where=where,
                fix=f"allowed: {', '.join(sorted(_WEIGHT_KEYS))}",
            )
        for field in ("per_event", "per_day"):
            amount = value.get(field, 0)
            if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
                raise ConfigError(f"{key}: {field} must be a number of at least 0", where=where)
            if not math.isfinite(amount):
                raise ConfigError(f"{key}: {field} must be a finite number", where=where)
        if not isinstance(value.get("use_recorded", True), bool):
            raise ConfigError(f"{key}: use_recorded must be true or false", where=where)
        weights.append(
            CostWeight(
                event_type,
                float(value.get("per_event", 0)),
                float(value.get("per_day", 0)),
                value.get("use_recorded", True),
            )
        )
    return tuple(weights)


def _parse_cohort(
    item: Any,
    index: int,
    where: str,
    needs: dict[str, Need],
    cost_weights: tuple[CostWeight, ...],
) -> CohortRule:
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
    rank = _parse_rank(item["cost"], label, where) if "cost" in item else None
    if rank and not cost_weights:
        raise ConfigError(
            f"{label} ranks by cost but no [cost_weights] are set",
            where=where,
            fix="add [cost_weights] to ddj.toml, e.g. jail_booking = { per_day = 120 }",
        )
    conditions_raw = item.get("conditions", [] if rank else None)
    if not isinstance(conditions_raw, list) or (not conditions_raw and not rank):
        raise ConfigError(
            f"{label} has no [[cohorts.conditions]]",
            where=where,
            fix="add a condition, or a [cohorts.cost] ranking",
        )
    conditions = tuple(
        _parse_condition(c, label, i, where, needs) for i, c in enumerate(conditions_raw, 1)
    )
    return CohortRule(
        name, str(item.get("description", "")), combine, conditions, cost_weights, rank
    )


def _parse_rank(item: Any, cohort: str, where: str) -> CostRank:
    label = f"{cohort} [cohorts.cost]"
    if not isinstance(item, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    unknown = sorted(set(item) - _COST_KEYS)
    if unknown:
        raise ConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_COST_KEYS))}",
        )
    window = item.get("window_days")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise ConfigError(f"{label}: window_days must be a whole number of at least 1", where=where)
    given = [k for k in ("top_percent", "top", "min_cost") if k in item]
    if len(given) != 1:
        raise ConfigError(
            f"{label}: give exactly one of top_percent, top or min_cost",
            where=where,
            fix="e.g. top_percent = 10 for the costliest tenth",
        )
    value = item[given[0]]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{label}: {given[0]} must be a number", where=where)
    if given[0] == "top_percent" and not 0 < value <= 100:
        raise ConfigError(f"{label}: top_percent must be above 0 and at most 100", where=where)
    if given[0] == "top" and (not isinstance(value, int) or value < 1):
        raise ConfigError(f"{label}: top must be a whole number of at least 1", where=where)
    if given[0] == "min_cost" and value <= 0:
        raise ConfigError(f"{label}: min_cost must be above 0", where=where)
    return CostRank(window, **{given[0]: value})


def _parse_condition(
    item: Any, cohort: str, index: int, where: str, needs: dict[str, Need]
) -> Condition:
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
    for key in ("min", "min_systems", "window_days"):
        if key in item and (not isinstance(item[key], int) or item[key] < 1):
            raise ConfigError(f"{label}: {key} must be a whole number of at least 1", where=where)
    if "need" in item:
        return _need_condition(item, label, where, needs)
    has_min, has_systems = "min" in item, "min_systems" in item
    if has_min == has_systems:
        raise ConfigError(
            f"{label}: give exactly one of min (events) or min_systems, or a need", where=where
        )
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


def _need_condition(item: dict, label: str, where: str, needs: dict[str, Need]) -> Condition:
    stray = sorted({"min_systems", "event_types", "systems"} & set(item))
    if stray:
        raise ConfigError(
            f"{label}: a need condition counts the need's evidence; drop {', '.join(stray)}",
            where=where,
        )
    name = item["need"]
    if name not in needs:
        raise ConfigError(
            f"{label}: no need named {name!r}",
            where=where,
            fix=f"use one of {', '.join(sorted(needs)) or 'none (no needs are defined)'}",
        )
    need = needs[name]
    return Condition(
        label=str(item.get("label", need.label.lower())),
        window_days=item.get("window_days"),
        min_events=item.get("min", 1),
        need=need,
    )
