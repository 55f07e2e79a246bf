"""Identify: needs with their evidence, and cohort rules, evaluated as SQL over linked persons."""

from ddj.identify.needs import Need, default_needs, default_needs_text, load_needs, parse_needs
from ddj.identify.rules import (
    CohortRule,
    Condition,
    CostWeight,
    default_cohorts_raw,
    default_cost_weights,
    default_rules,
    parse_cost_weights,
    parse_rules,
)
from ddj.identify.run import IdentifySummary, identify

__all__ = [
    "CohortRule",
    "Condition",
    "CostWeight",
    "IdentifySummary",
    "Need",
    "default_cohorts_raw",
    "default_cost_weights",
    "default_needs",
    "default_needs_text",
    "default_rules",
    "identify",
    "load_needs",
    "parse_cost_weights",
    "parse_needs",
    "parse_rules",
]
