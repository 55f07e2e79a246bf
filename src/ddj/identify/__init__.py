"""Identify: cohort rules evaluated as SQL over linked persons' events."""

from ddj.identify.rules import CohortRule, Condition, default_rules, parse_rules
from ddj.identify.run import IdentifySummary, identify

__all__ = ["CohortRule", "Condition", "IdentifySummary", "default_rules", "identify", "parse_rules"]
