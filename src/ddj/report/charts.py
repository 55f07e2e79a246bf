"""Inline SVG charts: pure functions from numbers to an SVG string.

No JavaScript and no external resource: the report must open offline. Every text is escaped here,
so the caller may mark the result safe. Each bar is a ``rect.bar`` with a ``<title>`` (hover text);
the UpSet chart's matrix dots are ``circle.dot`` (``.on`` when the system is in the combination).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

# Okabe-Ito: distinguishable with the common color-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
TEXT = "#1f2933"
MUTED = "#52606d"
GRID = "#e4e7eb"
AXIS = "#9aa5b1"
DOT_OFF = "#d5dae0"
ROW_SHADE = "#f5f7fa"

FONT = 12  # px; the page's font family is inherited
CHAR_W = 6.8  # a generous average glyph width at FONT px, to size label columns
WIDTH = 960
MAX_LABEL = 40  # characters before a label is cut with an ellipsis (the full text is on hover)

Fmt = Callable[[float], str]


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def fmt_num(value: float) -> str:
    """1234 -> '1,234'; 0.5 -> '0.5'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(vmax: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 covering vmax: steps of 1, 2 or 5 times a power of ten (>= 1)."""
    if vmax <= 0:
        return [0, 1]
    raw = vmax / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if raw <= m * mag)
    step = max(step, 1)
    n = math.ceil(vmax / step - 1e-9)
    return [i * step for i in range(n + 1)]


def _cut(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _text_w(label: str) -> float:
    return len(label) * CHAR_W


def _open(chart: str, width: float, height: float, title: str, desc: str) -> list[str]:
    tid, did = f"chart-{chart}-title", f"chart-{chart}-desc"
    return [
        f'<svg class="chart" data-chart="{esc(chart)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="{esc(tid)} {esc(did)}" font-size="{FONT}">',
        f'<title id="{esc(tid)}">{esc(title)}</title>',
        f'<desc id="{esc(did)}">{esc(desc)}</desc>',
        f'<text class="chart-title" x="0" y="18" font-size="15" font-weight="600" '
        f'fill="{TEXT}">{esc(title)}</text>',
    ]


def empty_chart(chart: str, title: str, message: str = "No data yet") -> str:
    """A chart frame with a message instead of bars."""
    parts = _open(chart, WIDTH, 64, title, message)
    parts.append(f'<text class="empty" x="0" y="48" fill="{MUTED}">{esc(message)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(series_names: Sequence[str], y: float) -> list[str]:
    parts, x = [], 0.0
    for i, name in enumerate(series_names):
        color = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect class="legend-key" x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" '
            f'rx="2" fill="{color}"/>'
            f'<text x="{x + 17:.1f}" y="{y:.1f}" fill="{TEXT}">{esc(name)}</text>'
        )
        x += 17 + _text_w(name) + 20
    return parts


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    chart: str,
    title: str,
    value_label: str,
    category_label: str,
    horizontal: bool = True,
    fmt: Fmt = fmt_num,
    width: float = WIDTH,
) -> str:
    """A (grouped) bar chart: one bar per category and series.

    ``series`` is a list of (name, values) with one value per category; with more than one series a
    legend is drawn. Horizontal charts suit long category names; vertical ones, time.
    """
    values = [list(vals) for _, vals in series]
    if not categories or not series or all(v == 0 for vals in values for v in vals):
        return empty_chart(chart, title)
    for name, vals in series:
        if len(vals) != len(categories):
            raise ValueError(f"series {name!r} has {len(vals)} values for {len(categories)} bars")
    names = [name for name, _ in series]
    desc = f"{value_label} by {category_label.lower()}: " + "; ".join(
        f"{cat}: " + ", ".join(f"{n} {fmt(v[i])}" for n, v in zip(names, values, strict=True))
        for i, cat in enumerate(categories)
    )
    draw = _horizontal if horizontal else _vertical
    return draw(
        list(categories), names, values, chart, title, desc, value_label, category_label, fmt, width
    )


def _horizontal(
    cats: list[str],
    names: list[str],
    values: list[list[float]],
    chart: str,
    title: str,
    desc: str,
    value_label: str,
    category_label: str,
    fmt: Fmt,
    width: float,
) -> str:
    bar_h, gap = 18, 12
    group_h = bar_h * len(names) + gap
    top = 34 + (24 if len(names) > 1 else 0) + 18  # title, legend, category-axis caption
    label_w = min(max(_text_w(_cut(c)) for c in cats), 280)
    left = label_w + 14
    vmax = max(max(v) for v in values)
    right = 16 + _text_w(fmt(vmax))
    plot_w = width - left - right
    plot_h = group_h * len(cats)
    height = top + plot_h + 48
    ticks = nice_ticks(vmax)
    scale = plot_w / ticks[-1]

    parts = _open(chart, width, height, title, desc)
    if len(names) > 1:
        parts += _legend(names, 50)
    parts.append(
        f'<text class="axis-label" x="{left - 10:.1f}" y="{top - 8:.1f}" text-anchor="end" '
        f'font-weight="600" fill="{MUTED}">{esc(category_label)}</text>'
    )
    for t in ticks:
        x = left + t * scale
        parts.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{top + plot_h:.1f}" '
            f'stroke="{GRID if t else AXIS}"/>'
            f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" '
            f'fill="{MUTED}">{esc(fmt(t))}</text>'
        )
    for i, cat in enumerate(cats):
        y0 = top + i * group_h + gap / 2
        parts.append(
            f'<text class="category" x="{left - 10:.1f}" '
            f'y="{y0 + bar_h * len(names) / 2 + 4:.1f}" text-anchor="end" fill="{TEXT}">'
            f"<title>{esc(cat)}</title>{esc(_cut(cat))}</text>"
        )
        for j, name in enumerate(names):
            v = values[j][i]
            y = y0 + j * bar_h
            w = max(v * scale, 0)
            hover = f"{cat} — {name}: {fmt(v)}" if len(names) > 1 else f"{cat}: {fmt(v)}"
            parts.append(
                f'<rect class="bar" x="{left:.1f}" y="{y + 1:.1f}" width="{w:.1f}" '
                f'height="{bar_h - 2}" rx="2" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{esc(hover)}</title></rect>"
                f'<text class="value" x="{left + w + 5:.1f}" y="{y + bar_h / 2 + 4:.1f}" '
                f'fill="{TEXT}">{esc(fmt(v))}</text>'
            )
    parts.append(
        f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{top + plot_h + 38:.1f}" '
        f'text-anchor="middle" font-weight="600" fill="{MUTED}">{esc(value_label)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _vertical(
    cats: list[str],
    names: list[str],
    values: list[list[float]],
    chart: str,
    title: str,
    desc: str,
    value_label: str,
    category_label: str,
    fmt: Fmt,
    width: float,
) -> str:
    top = 34 + (24 if len(names) > 1 else 0) + 14
    vmax = max(max(v) for v in values)
    ticks = nice_ticks(vmax)
    left = 30 + _text_w(fmt(ticks[-1]))
    plot_w = width - left - 12
    plot_h = 200.0
    slot = plot_w / len(cats)
    label_w = max(_text_w(_cut(c, 20)) for c in cats)
    rotate = label_w > slot - 4
    every = 1
    if rotate:  # slanted labels need ~16px each; show every n-th one on dense axes
        every = max(1, math.ceil(16 / slot))
    label_h = (label_w * 0.71 + 10) if rotate else 18
    height = top + plot_h + label_h + 30
    scale = plot_h / ticks[-1]
    base = top + plot_h

    parts = _open(chart, width, height, title, desc)
    if len(names) > 1:
        parts += _legend(names, 50)
    for t in ticks:
        y = base - t * scale
        parts.append(
            f'<line class="grid" x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="{GRID if t else AXIS}"/>'
            f'<text class="tick" x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}">{esc(fmt(t))}</text>'
        )
    bar_w = min((slot * 0.8) / len(names), 48)
    show_values = bar_w >= 22
    for i, cat in enumerate(cats):
        cx = left + slot * (i + 0.5)
        x0 = cx - bar_w * len(names) / 2
        for j, name in enumerate(names):
            v = values[j][i]
            h = max(v * scale, 0)
            x = x0 + j * bar_w
            hover = f"{cat} — {name}: {fmt(v)}" if len(names) > 1 else f"{cat}: {fmt(v)}"
            parts.append(
                f'<rect class="bar" x="{x + 0.5:.1f}" y="{base - h:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" rx="1.5" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{esc(hover)}</title></rect>'
            )
            if show_values:
                parts.append(
                    f'<text class="value" x="{x + bar_w / 2:.1f}" y="{base - h - 5:.1f}" '
                    f'text-anchor="middle" fill="{TEXT}">{esc(fmt(v))}</text>'
                )
        if i % every:
            continue
        label = esc(_cut(cat, 20))
        if rotate:
            parts.append(
                f'<text class="category" x="{cx + 4:.1f}" y="{base + 12:.1f}" text-anchor="end" '
                f'transform="rotate(-45 {cx + 4:.1f} {base + 12:.1f})" fill="{TEXT}">'
                f"<title>{esc(cat)}</title>{label}</text>"
            )
        else:
            parts.append(
                f'<text class="category" x="{cx:.1f}" y="{base + 16:.1f}" text-anchor="middle" '
                f'fill="{TEXT}"><title>{esc(cat)}</title>{label}</text>'
            )
    parts.append(
        f'<text class="axis-label" x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})" font-weight="600" '
        f'fill="{MUTED}">{esc(value_label)}</text>'
        f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 8:.1f}" '
        f'text-anchor="middle" font-weight="600" fill="{MUTED}">{esc(category_label)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def upset_chart(
    combinations: Sequence[tuple[Sequence[str], int]],
    set_sizes: Sequence[tuple[str, int]],
    *,
    chart: str = "upset",
    title: str,
    labels: Mapping[str, str] | None = None,
    unit: str = "people",
    set_noun: str = "system",
    fmt: Fmt = fmt_num,
) -> str:
    """An UpSet chart: a bar per combination of sets, a dot matrix naming the sets in it.

    ``combinations`` are drawn in the order given (sorted by count, descending, by the caller);
    matrix rows follow ``set_sizes``, which also get bars of their own on the left. Sets named in a
    combination but missing from ``set_sizes`` get a row of size 0.
    """
    if not combinations:
        return empty_chart(chart, title)
    labels = labels or {}
    sets = [s for s, _ in set_sizes]
    sizes = dict(set_sizes)
    for combo, _ in combinations:
        for s in combo:
            if s not in sizes:
                sets.append(s)
                sizes[s] = 0

    def name(s: str) -> str:
        return labels.get(s, s)

    row_h, col_w = 28, 40
    top = 40
    bars_h = 200.0
    size_w = 150.0  # left: set-size bars, growing leftwards
    label_w = min(max(_text_w(_cut(name(s), 24)) for s in sets), 180) + 16
    count_w = 8 + _text_w(fmt(max(sizes.values())))
    x_sizes_right = count_w + size_w
    x0 = x_sizes_right + label_w  # first matrix column's left edge
    matrix_top = top + bars_h + 14
    matrix_h = row_h * len(sets)
    width = max(x0 + col_w * len(combinations) + 16, 480)
    height = matrix_top + matrix_h + 40

    desc = (
        f"{unit.capitalize()} per exact combination of {set_noun}s: "
        + "; ".join(f"{' + '.join(name(s) for s in c)}: {fmt(n)}" for c, n in combinations)
        + f". Per {set_noun}: "
        + "; ".join(f"{name(s)}: {fmt(sizes[s])}" for s in sets)
    )
    parts = _open(chart, width, height, title, desc)

    # intersection bars, with a y axis
    ticks = nice_ticks(max(n for _, n in combinations), 4)
    scale = bars_h / ticks[-1]
    base = top + bars_h
    xr = x0 + col_w * len(combinations)
    for t in ticks:
        y = base - t * scale
        parts.append(
            f'<line class="grid" x1="{x0:.1f}" x2="{xr:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID if t else AXIS}"/>'
            f'<text class="tick" x="{x0 - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}">{esc(fmt(t))}</text>'
        )
    axis_x = x0 - 16 - _text_w(fmt(ticks[-1]))
    parts.append(
        f'<text class="axis-label" x="{axis_x:.1f}" y="{top + bars_h / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 {axis_x:.1f} {top + bars_h / 2:.1f})" '
        f'font-weight="600" fill="{MUTED}">{esc(unit.capitalize())} in the combination</text>'
    )

    # matrix row shading and set labels
    for r, s in enumerate(sets):
        y = matrix_top + r * row_h
        if r % 2 == 0:
            parts.append(
                f'<rect class="row-shade" x="{x_sizes_right:.1f}" y="{y:.1f}" '
                f'width="{xr - x_sizes_right:.1f}" height="{row_h}" fill="{ROW_SHADE}"/>'
            )
        parts.append(
            f'<text class="category" x="{x0 - 10:.1f}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end" fill="{TEXT}"><title>{esc(name(s))}</title>'
            f"{esc(_cut(name(s), 24))}</text>"
        )

    # set-size bars
    size_scale = size_w / max(max(sizes.values()), 1)
    for r, s in enumerate(sets):
        y = matrix_top + r * row_h
        w = sizes[s] * size_scale
        parts.append(
            f'<rect class="set-bar" x="{x_sizes_right - w:.1f}" y="{y + 5:.1f}" width="{w:.1f}" '
            f'height="{row_h - 10}" rx="2" fill="{PALETTE[4]}">'
            f"<title>{esc(f'{name(s)}: {fmt(sizes[s])} {unit}')}</title></rect>"
            f'<text class="value" x="{x_sizes_right - w - 4:.1f}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end" fill="{TEXT}">{esc(fmt(sizes[s]))}</text>'
        )
    parts.append(
        f'<text class="axis-label" x="{x_sizes_right:.1f}" y="{matrix_top + matrix_h + 20:.1f}" '
        f'text-anchor="end" font-weight="600" fill="{MUTED}">'
        f"{esc(unit.capitalize())} per {esc(set_noun)}</text>"
    )

    # one column per combination: bar, dots, connector
    for c, (combo, n) in enumerate(combinations):
        cx = x0 + col_w * (c + 0.5)
        h = n * scale
        members = set(combo)
        hover = f"{' + '.join(name(s) for s in sets if s in members)}: {fmt(n)} {unit}"
        parts.append(
            f'<rect class="bar" x="{cx - 13:.1f}" y="{base - h:.1f}" width="26" height="{h:.1f}" '
            f'rx="1.5" fill="{PALETTE[0]}"><title>{esc(hover)}</title></rect>'
            f'<text class="value" x="{cx:.1f}" y="{base - h - 5:.1f}" text-anchor="middle" '
            f'fill="{TEXT}">{esc(fmt(n))}</text>'
        )
        rows = [r for r, s in enumerate(sets) if s in members]
        if len(rows) > 1:
            y1 = matrix_top + rows[0] * row_h + row_h / 2
            y2 = matrix_top + rows[-1] * row_h + row_h / 2
            parts.append(
                f'<line class="connector" x1="{cx:.1f}" x2="{cx:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" '
                f'stroke="{TEXT}" stroke-width="3"/>'
            )
        for r, s in enumerate(sets):
            on = s in members
            parts.append(
                f'<circle class="dot {"on" if on else "off"}" cx="{cx:.1f}" '
                f'cy="{matrix_top + r * row_h + row_h / 2:.1f}" r="8" '
                f'fill="{TEXT if on else DOT_OFF}"><title>{esc(hover)}</title></circle>'
            )
    parts.append(
        f'<text class="axis-label" x="{(x0 + xr) / 2:.1f}" y="{matrix_top + matrix_h + 20:.1f}" '
        f'text-anchor="middle" font-weight="600" fill="{MUTED}">'
        f"Combination of {esc(set_noun)}s</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)


def weight_chart(
    labels: Sequence[str], weights: Sequence[float], *, chart: str, title: str, width: float = WIDTH
) -> str:
    """Diverging horizontal bars around zero: evidence for a match (right) or against (left)."""
    if not labels:
        return empty_chart(chart, title)
    bar_h, gap = 16, 6
    top, label_w = 52, min(max(_text_w(_cut(c, 56)) for c in labels), 400)
    left = label_w + 14
    plot_w = width - left - 60
    plot_h = (bar_h + gap) * len(labels)
    bound = max(max(abs(w) for w in weights), 1.0)
    scale = plot_w / (2 * bound)
    zero = left + plot_w / 2
    desc = "Match weight (log2 of m/u) per comparison level: " + "; ".join(
        f"{c}: {w:+.1f}" for c, w in zip(labels, weights, strict=True)
    )
    parts = _open(chart, width, top + plot_h + 44, title, desc)
    parts.append(
        f'<line class="axis" x1="{zero:.1f}" x2="{zero:.1f}" y1="{top - 6}" '
        f'y2="{top + plot_h:.1f}" stroke="{AXIS}"/>'
    )
    for i, (label, w) in enumerate(zip(labels, weights, strict=True)):
        y = top + i * (bar_h + gap)
        x = zero if w >= 0 else zero + w * scale
        color = PALETTE[2] if w >= 0 else PALETTE[5]
        parts.append(
            f'<text class="category" x="{left - 10:.1f}" y="{y + bar_h - 4:.1f}" '
            f'text-anchor="end" fill="{TEXT}"><title>{esc(label)}</title>{esc(_cut(label, 56))}'
            f"</text>"
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{abs(w) * scale:.1f}" '
            f'height="{bar_h}" rx="2" fill="{color}"><title>{esc(label)}: {w:+.2f}</title></rect>'
        )
    parts.append(
        f'<text class="axis-label" x="{zero:.1f}" y="{top + plot_h + 30:.1f}" '
        f'text-anchor="middle" font-weight="600" fill="{MUTED}">'
        f"{esc('← evidence against a match · match weight (log2 m/u) · evidence for →')}</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)
