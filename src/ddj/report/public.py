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
    systems = parts["systems"]
    columns = {
        f: hide([getattr(s, f) for s in systems], threshold)
        for f in ("records", "events", "people")
    }
    out["systems"] = [
        replace(s, **{f: columns[f][i] for f in columns}) for i, s in enumerate(systems)
    ]
    overlap = parts["overlap"]
    combos = hide([n for _, n in overlap.combinations], threshold)
    sizes = {s.system: s.people for s in out["systems"]}
    out["overlap"] = replace(
        overlap,
        combinations=[(c, n) for (c, _), n in zip(overlap.combinations, combos, strict=True)],
        set_sizes=[(s, sizes.get(s, hide_one(n, threshold))) for s, n in overlap.set_sizes],
        people=hide_one(overlap.people, threshold),
    )
    cohorts = parts["cohorts"]
    sizes_shown = hide([c.size for c in cohorts], threshold)
    out["cohorts"] = [replace(c, size=n, top=[]) for c, n in zip(cohorts, sizes_shown, strict=True)]
    needs = parts["needs"]
    need_columns = {
        f: hide([getattr(n, f) for n in needs], threshold)
        for f in ("persons", "part2_persons", "cohort_persons")
    }
    out["needs"] = [
        replace(n, **{f: need_columns[f][i] for f in need_columns}) for i, n in enumerate(needs)
    ]
    quarantine = parts["quarantine"]
    rows = hide([q.rows for q in quarantine], threshold)
    out["quarantine"] = [replace(q, rows=n) for q, n in zip(quarantine, rows, strict=True)]
    out["suspects"] = []
    return out
