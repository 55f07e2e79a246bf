"""The report's figures made fit to leave the team: small counts hidden, no person named.

Each family of counts (events per period, records / contacts / people per system, people per
combination of systems, cohort sizes, people per need, quarantined rows) goes through
:func:`ddj.govern.suppression.suppress_list`, which hides counts below the threshold and then
enough others that none can be worked out from the rest and the total. Hidden counts become
:data:`MARK` in tables and 0 in charts; cohort members and likely false merges are left out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ddj.govern.suppression import DEFAULT_THRESHOLD, MARK, suppress_list

Shown = int | str  # a count, or MARK where it is hidden


def hide(values: list[int], threshold: int = DEFAULT_THRESHOLD) -> list[Shown]:
    if not values:
        return []
    kept = suppress_list(values, threshold=threshold).values
    return [MARK if v is None else v for v in kept]


def hide_one(value: int, threshold: int = DEFAULT_THRESHOLD) -> Shown:
    return MARK if 0 < value < threshold else value


def as_number(value: Shown) -> int:
    """For charts: a hidden count is drawn as 0 (its label says it is hidden)."""
    return value if isinstance(value, int) else 0


def hide_columns(rows: list[Any], fields: tuple[str, ...], threshold: int) -> list[Any]:
    """Rows (dataclasses) with each named field suppressed as one family of counts."""
    shown = {f: hide([getattr(r, f) for r in rows], threshold) for f in fields}
    return [replace(r, **{f: shown[f][i] for f in fields}) for i, r in enumerate(rows)]


def make_public(parts: dict[str, Any], threshold: int = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """The report's parts (as render_report gathers them) with small counts hidden."""
    out = dict(parts)
    summary = parts["summary"]
    out["summary"] = replace(
        summary,
        **{
            f: hide_one(getattr(summary, f), threshold)
            for f in (
                "source_records",
                "events",
                "persons",
                "multi_system_persons",
                "cohort_members",
                "quarantined_rows",
            )
        },
    )
    timeline = parts["timeline"]
    out["timeline"] = list(
        zip([p for p, _ in timeline], hide([n for _, n in timeline], threshold), strict=True)
    )
    out["systems"] = hide_columns(parts["systems"], ("records", "events", "people"), threshold)
    overlap = parts["overlap"]
    combos = hide([n for _, n in overlap.combinations], threshold)
    sizes = {s.system: s.people for s in out["systems"]}
    out["overlap"] = replace(
        overlap,
        combinations=[(c, n) for (c, _), n in zip(overlap.combinations, combos, strict=True)],
        set_sizes=[(s, sizes.get(s, hide_one(n, threshold))) for s, n in overlap.set_sizes],
        people=hide_one(overlap.people, threshold),
    )
    cohorts = hide_columns(parts["cohorts"], ("size",), threshold)
    out["cohorts"] = [replace(c, top=[]) for c in cohorts]
    out["needs"] = hide_columns(
        parts["needs"], ("persons", "part2_persons", "cohort_persons"), threshold
    )
    out["quarantine"] = hide_columns(parts["quarantine"], ("rows",), threshold)
    out["suspects"] = []
    return out
