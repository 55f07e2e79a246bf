"""Render the workspace into one self-contained HTML document (inline CSS and SVG, no network)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ddj.govern.suppression import DEFAULT_THRESHOLD
from ddj.report import charts, queries
from ddj.report.labels import event_label, system_description, system_label
from ddj.report.public import as_number, make_public
from ddj.store import Store

MAX_COMBINATIONS = 20
MAX_BATCHES = 100
MAX_MONTHS = 96  # a longer span of events is drawn per year


def template_environment(package: str) -> Environment:
    """Jinja2 as ddj's pages use it: autoescaped, strict about missing values, from a package's
    ``templates`` folder (the report here, the dashboard in ddj.web)."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _environment() -> Environment:
    env = template_environment("ddj.report")
    env.filters.update(
        num=_num,
        when=_when,
        day=_day,
        system=system_label,
        system_long=system_description,
        event=event_label,
    )
    return env


def _num(value: float | str | None) -> str:
    if isinstance(value, str):  # a hidden count (public report)
        return value
    return "—" if value is None else charts.fmt_num(value)


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _day(value: date | datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d")


def _timeline(months: list[tuple[date, int]]) -> tuple[list[tuple[str, int]], str]:
    """Events per month as chart bars, or per year when the months would be too many to read."""
    if len(months) <= MAX_MONTHS:
        return [(m.strftime("%b %Y"), n) for m, n in months], "month"
    years: dict[int, int] = {}
    for m, n in months:
        years[m.year] = years.get(m.year, 0) + n
    return [(str(y), n) for y, n in years.items()], "year"


def _svg(svg: str) -> Markup:
    """Chart functions escape every text they draw, so their output is safe to embed."""
    return Markup(svg)


def render_report(
    store: Store,
    *,
    title: str = "ddj report",
    top_n: int = 50,
    generated_at: datetime | None = None,
    sources: Sequence[str] | None = None,
    public: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
) -> str:
    """The report on a workspace as one HTML document.

    ``sources`` limits the figures to those sources (the policy's shared ones). ``public`` makes
    it fit to leave the team: small counts hidden with complementary suppression, no person named.
    """
    generated_at = generated_at or datetime.now().astimezone()
    parts = report_parts(store, sources=sources, top_n=top_n, public=public, threshold=threshold)
    run, period = parts["identify_run"], parts["period"]
    estimate, weights = parts["estimate"], parts["weights"]
    summary, timeline, systems = parts["summary"], parts["timeline"], parts["systems"]
    overlap, cohorts, needs = parts["overlap"], parts["cohorts"], parts["needs"]
    quarantine = parts["quarantine"]
    shown_combos = overlap.combinations[:MAX_COMBINATIONS]
    n = as_number

    svg = {
        "timeline": charts.bar_chart(
            [label for label, _ in timeline],
            [("Events", [n(v) for _, v in timeline])],
            chart="timeline",
            title=f"Events per {period}",
            value_label="Events",
            category_label=f"{period.capitalize()} of contact",
            horizontal=False,
        ),
        "per-system": charts.bar_chart(
            [system_label(s.system) for s in systems],
            [
                ("Records", [n(s.records) for s in systems]),
                ("People", [n(s.people) for s in systems]),
            ],
            chart="per-system",
            title="Records and linked people per system",
            value_label="Count",
            category_label="System",
        ),
        "upset": charts.upset_chart(
            [(c, n(v)) for c, v in shown_combos],
            [(sy, n(v)) for sy, v in overlap.set_sizes],
            title="People by the exact combination of systems they appear in",
            labels={sy: system_label(sy) for sy, _ in overlap.set_sizes},
        ),
        "cohorts": charts.bar_chart(
            [c.name for c in cohorts],
            [("Members", [n(c.size) for c in cohorts])],
            chart="cohorts",
            title="Cohort sizes",
            value_label="Members",
            category_label="Cohort",
        ),
        "needs": charts.bar_chart(
            [x.label for x in needs],
            [
                ("People", [n(x.persons) for x in needs]),
                ("In a cohort", [n(x.cohort_persons) for x in needs]),
            ],
            chart="needs",
            title="People with evidence of each need",
            value_label="People",
            category_label="Need",
        ),
        "quarantine": charts.bar_chart(
            [f"{q.source}: {q.reason}" for q in quarantine],
            [("Rows", [n(q.rows) for q in quarantine])],
            chart="quarantine",
            title="Quarantined rows per source and reason",
            value_label="Rows quarantined",
            category_label="Source: reason",
        ),
    }
    svg["weights"] = charts.weight_chart(
        [f"{w.comparison}: {w.level}" for w in weights],
        [w.weight for w in weights],
        chart="weights",
        title="What each comparison level says (match weights of the trained model)",
    )
    return (
        _environment()
        .get_template("report.html")
        .render(
            title=title,
            generated_at=generated_at,
            top_n=top_n,
            public=public,
            threshold=threshold,
            summary=summary,
            timeline=timeline,
            systems=systems,
            overlap=overlap,
            shown_combos=shown_combos,
            identify_run=run,
            cohorts=cohorts,
            needs=needs,
            need_labels={x.name: x.label for x in needs},
            quarantine=quarantine,
            batches=[] if public else queries.batches(store, MAX_BATCHES),
            batch_count=0 if public else queries.batch_count(store),
            link_run=queries.latest_link_run(store),
            estimate=estimate,
            suspects=parts["suspects"],
            charts={k: _svg(v) for k, v in svg.items()},
        )
    )


def report_parts(
    store: Store,
    *,
    sources: Sequence[str] | None = None,
    top_n: int = 50,
    public: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict:
    """The figures the report shows, made public (suppressed, nobody named) when asked."""
    run = queries.latest_identify_run(store)
    timeline, period = _timeline(queries.events_by_month(store, sources))
    parts = {
        "identify_run": run,
        "summary": queries.summary(store, sources),
        "timeline": timeline,
        "systems": queries.per_system(store, sources),
        "overlap": queries.overlap(store, sources),
        "cohorts": queries.cohorts(store, 0 if public else top_n) if run else [],
        "needs": queries.needs(store) if run else [],
        "quarantine": queries.quarantine(store, sources),
    }
    parts["estimate"], parts["suspects"], parts["weights"] = linkage_quality(store)
    if public:
        parts = make_public(parts, threshold)
    parts["period"] = period
    return parts


def linkage_quality(store: Store):
    from ddj.link.quality import match_weights, model_estimate, suspect_persons
    from ddj.link.review import estimated_quality

    text = store.scalar(
        "SELECT CAST(model_json AS VARCHAR) FROM link_run ORDER BY started_at DESC LIMIT 1"
    )
    if text is None:
        return None, [], []
    estimate = model_estimate(store)
    reviewed = estimated_quality(store)
    return (
        {"model": estimate, "reviewed": reviewed},
        suspect_persons(store),
        match_weights(json.loads(text)),
    )


def write_report(store: Store, out: Path, **kw) -> Path:
    """Render the report and write it to ``out`` (UTF-8); return the path written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(store, **kw), encoding="utf-8")
    return out
