"""Inline SVG charts over time: a multi-series line chart and one person's timeline of contacts.

Same rules as :mod:`ddj.report.charts`: no JavaScript, every text escaped, hover text in
``<title>``. Lines are ``path.line`` with a ``circle.point`` per value; a person's timeline draws
each stay (booking, shelter stay, admission) as a ``rect.span`` and each point contact (call, EMS
run, ED visit) as a ``circle.contact``, one lane per system.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from ddj.report.charts import (
    AXIS,
    FONT,
    GRID,
    MUTED,
    PALETTE,
    TEXT,
    WIDTH,
    _legend,
    _open,
    _text_w,
    empty_chart,
    esc,
    fmt_num,
    nice_ticks,
)

LANE_H = 28


def line_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    chart: str,
    title: str,
    value_label: str,
    width: float = WIDTH,
    height: float = 260,
) -> str:
    """One line per series over the categories (time periods, oldest first)."""
    if not categories or not series or all(v == 0 for _, vals in series for v in vals):
        return empty_chart(chart, title)
    vmax = max(v for _, vals in series for v in vals)
    ticks = nice_ticks(vmax)
    top, bottom, left, right = 48, 40, 56, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(categories) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(categories) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (v / ticks[-1]) * plot_h

    desc = f"{value_label} per period for " + ", ".join(name for name, _ in series)
    parts = _open(chart, width, height + 24, title, desc)
    for t in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            f'stroke="{GRID}"/><text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}">{esc(fmt_num(t))}</text>'
        )
    every = max(1, len(categories) // 12)
    for i, cat in enumerate(categories):
        if i % every == 0 or i == len(categories) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" '
                f'fill="{MUTED}">{esc(cat)}</text>'
            )
    for s, (name, vals) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals)
        )
        parts.append(
            f'<path class="line" data-series="{esc(name)}" d="{path}" fill="none" '
            f'stroke="{color}" stroke-width="2"/>'
        )
        for i, v in enumerate(vals):
            parts.append(
                f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                f"<title>{esc(name)}, {esc(categories[i])}: {esc(fmt_num(v))} "
                f"{esc(value_label.lower())}</title></circle>"
            )
    parts.extend(_legend([name for name, _ in series], height + 16))
    parts.append("</svg>")
    return "\n".join(parts)


def person_timeline(
    contacts: Sequence[Mapping],
    *,
    lanes: Sequence[str],
    lane_labels: Mapping[str, str],
    labels: Mapping[str, str],
    chart: str = "person-timeline",
    title: str = "Every contact across systems",
    width: float = WIDTH,
) -> str:
    """Contacts as spans (with an end) or points, one lane per system, oldest on the left.

    Each contact is a mapping with ``system``, ``event_type``, ``start_at`` and ``end_at``
    (datetimes or ISO strings); ``labels`` names event types for the hover text.
    """
    items = [(c, _when(c["start_at"]), _when(c.get("end_at"))) for c in contacts]
    items = [(c, s, e) for c, s, e in items if s is not None]
    if not items:
        return empty_chart(chart, title, "No contacts recorded")
    first = min(s for _, s, _ in items)
    last = max(max(s, e or s) for _, s, e in items)
    span_days = max((last - first).days, 30)
    first -= timedelta(days=span_days * 0.02)
    last += timedelta(days=span_days * 0.02)
    total = (last - first).total_seconds()
    label_w = max(_text_w(lane_labels.get(lane, lane)) for lane in lanes) + 12
    left, right, top = label_w, 16, 40
    plot_w = width - left - right
    height = top + LANE_H * len(lanes) + 40

    def x(when: datetime) -> float:
        return left + (when - first).total_seconds() / total * plot_w

    desc = f"{len(items)} contacts in {len({c['system'] for c, _, _ in items})} systems"
    parts = _open(chart, width, height, title, desc)
    for year in range(first.year + 1, last.year + 1):
        tx = x(datetime(year, 1, 1))
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top}" y2="{height - 28}" stroke="{GRID}"/>'
            f'<text x="{tx:.1f}" y="{height - 12}" text-anchor="middle" fill="{MUTED}">'
            f"{year}</text>"
        )
    for i, lane in enumerate(lanes):
        ly = top + i * LANE_H
        parts.append(
            f'<text class="lane" x="0" y="{ly + LANE_H / 2 + FONT / 3:.1f}" fill="{TEXT}">'
            f"{esc(lane_labels.get(lane, lane))}</text>"
            f'<line x1="{left}" x2="{width - right}" y1="{ly + LANE_H / 2:.1f}" '
            f'y2="{ly + LANE_H / 2:.1f}" stroke="{AXIS}" stroke-dasharray="2 3"/>'
        )
    row = {lane: i for i, lane in enumerate(lanes)}
    for c, start, end in sorted(items, key=lambda item: item[1]):
        if c["system"] not in row:
            continue
        i = row[c["system"]]
        color = PALETTE[i % len(PALETTE)]
        cy = top + i * LANE_H + LANE_H / 2
        kind = labels.get(c["event_type"], c["event_type"])
        when = start.strftime("%Y-%m-%d")
        if end is not None and end - start >= timedelta(days=1):
            hover = f"{kind}: {when} to {end:%Y-%m-%d} ({(end - start).days} days)"
            w = max(x(end) - x(start), 3)
            parts.append(
                f'<rect class="span" data-system="{esc(c["system"])}" x="{x(start):.1f}" '
                f'y="{cy - 7:.1f}" width="{w:.1f}" height="14" rx="2" fill="{color}" '
                f'fill-opacity="0.55" stroke="{color}"><title>{esc(hover)}</title></rect>'
            )
        else:
            parts.append(
                f'<circle class="contact" data-system="{esc(c["system"])}" cx="{x(start):.1f}" '
                f'cy="{cy:.1f}" r="5" fill="{color}"><title>{esc(kind)}: {esc(when)}</title>'
                "</circle>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _when(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))
