"""The report's SVG chart functions: pure functions, checked by parsing their output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ddj.report import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # also proves the SVG is well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['svg']}}}{tag}") if cls in e.get("class", "").split()]


def visible(text: ET.Element) -> str:
    """A <text>'s visible characters: without its <title> (the hover text)."""
    parts = [text.text or ""]
    for child in text:
        if child.tag != f"{{{NS['svg']}}}title":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def texts(root: ET.Element) -> list[str]:
    return [visible(e) for e in root.iter(f"{{{NS['svg']}}}text")]


def bar_titles(root: ET.Element) -> list[str]:
    return [b.find("svg:title", NS).text for b in by_class(root, "rect", "bar")]


@pytest.mark.parametrize("horizontal", [True, False])
def test_bar_chart_one_bar_per_value_with_hover_title(horizontal):
    svg = charts.bar_chart(
        ["Jail", "Police (CAD)", "Shelter"],
        [("Records", [120, 80, 5])],
        chart="demo",
        title="Records per system",
        value_label="Records",
        category_label="System",
        horizontal=horizontal,
    )
    root = parse(svg)
    assert root.get("data-chart") == "demo"
    assert root.get("class") == "chart"
    assert root.get("role") == "img"
    assert bar_titles(root) == ["Jail: 120", "Police (CAD): 80", "Shelter: 5"]
    assert root.find("svg:title", NS).text == "Records per system"
    visible = texts(root)
    assert "Records per system" in visible  # the visible title
    assert "Records" in visible and "System" in visible  # both axis labels
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0


def test_bar_lengths_are_proportional():
    root = parse(
        charts.bar_chart(
            ["a", "b"],
            [("n", [10, 5])],
            chart="p",
            title="t",
            value_label="v",
            category_label="c",
        )
    )
    a, b = (float(r.get("width")) for r in by_class(root, "rect", "bar"))
    assert a == pytest.approx(2 * b, rel=0.01)


def test_grouped_bar_chart_draws_every_series_and_a_legend():
    root = parse(
        charts.bar_chart(
            ["Jail", "Shelter"],
            [("Records", [10, 4]), ("People", [7, 3])],
            chart="grouped",
            title="t",
            value_label="Count",
            category_label="System",
        )
    )
    assert len(by_class(root, "rect", "bar")) == 4
    assert "Jail — People: 7" in bar_titles(root)
    assert len(by_class(root, "rect", "legend-key")) == 2
    assert {"Records", "People"} <= set(texts(root))


def test_series_length_must_match_categories():
    with pytest.raises(ValueError, match="2 values for 3 bars"):
        charts.bar_chart(
            ["a", "b", "c"],
            [("n", [1, 2])],
            chart="x",
            title="t",
            value_label="v",
            category_label="c",
        )


def test_text_is_escaped():
    nasty = '<script>alert("x")</script> & co'
    svg = charts.bar_chart(
        [nasty],
        [("n", [3])],
        chart='x" onload="evil',
        title=nasty,
        value_label=nasty,
        category_label="<c>",
    )
    assert "<script>" not in svg
    assert 'onload="evil' not in svg
    root = parse(svg)
    assert root.get("data-chart") == 'x" onload="evil'
    assert bar_titles(root) == [f"{nasty}: 3"]
    assert root.find("svg:title", NS).text == nasty


def test_long_labels_are_cut_but_kept_whole_on_hover():
    label = "A very long source name: a reason that goes on and on and on"
    root = parse(
        charts.bar_chart(
            [label], [("n", [1])], chart="x", title="t", value_label="v", category_label="c"
        )
    )
    (category,) = by_class(root, "text", "category")
    assert category.find("svg:title", NS).text == label
    assert visible(category).endswith("…")
    assert len(visible(category)) < len(label)


@pytest.mark.parametrize(
    "categories, series",
    [([], []), ([], [("n", [])]), (["a", "b"], [("n", [0, 0])])],
)
def test_empty_input_draws_a_message_and_no_bars(categories, series):
    root = parse(
        charts.bar_chart(
            categories, series, chart="e", title="Nothing", value_label="v", category_label="c"
        )
    )
    assert by_class(root, "rect", "bar") == []
    assert "No data yet" in texts(root)
    assert root.get("data-chart") == "e"


def test_many_vertical_bars_thin_out_their_labels():
    months = [f"Month {i:02d}" for i in range(60)]
    root = parse(
        charts.bar_chart(
            months,
            [("Events", list(range(60)))],
            chart="m",
            title="t",
            value_label="Events",
            category_label="Month",
            horizontal=False,
        )
    )
    assert len(by_class(root, "rect", "bar")) == 60
    assert 0 < len(by_class(root, "text", "category")) < 60


COMBOS = [
    (["jail_booking", "police_call"], 30),
    (["shelter"], 20),
    (["jail_booking", "police_call", "shelter"], 8),
    (["behavioral_health"], 3),
]
SIZES = [("jail_booking", 38), ("police_call", 38), ("shelter", 28), ("behavioral_health", 3)]


def test_upset_chart_bars_and_dot_matrix():
    root = parse(
        charts.upset_chart(COMBOS, SIZES, title="Overlap", labels={"jail_booking": "Jail"})
    )
    assert root.get("data-chart") == "upset"
    bars = by_class(root, "rect", "bar")
    assert len(bars) == len(COMBOS)
    heights = [float(b.get("height")) for b in bars]
    assert heights == sorted(heights, reverse=True)
    assert len(by_class(root, "rect", "set-bar")) == len(SIZES)
    dots = by_class(root, "circle", "dot")
    assert len(dots) == len(COMBOS) * len(SIZES)
    assert len(by_class(root, "circle", "on")) == sum(len(c) for c, _ in COMBOS)
    # a line joins the dots of every combination of two or more systems
    assert len(by_class(root, "line", "connector")) == 2
    assert bar_titles(root)[0] == "Jail + police_call: 30 people"
    assert "Jail" in texts(root)


def test_upset_adds_rows_for_sets_only_named_in_combinations():
    root = parse(charts.upset_chart([(["a", "b"], 2)], [("a", 2)], title="t"))
    assert len(by_class(root, "circle", "dot")) == 2
    assert len(by_class(root, "circle", "on")) == 2


def test_upset_escapes_labels_and_handles_empty_input():
    svg = charts.upset_chart([(["<x>"], 1)], [("<x>", 1)], title="a & b")
    assert "<x>" not in svg
    assert "&lt;x&gt;" in svg
    empty = parse(charts.upset_chart([], [], title="Overlap"))
    assert by_class(empty, "rect", "bar") == [] and by_class(empty, "circle", "dot") == []
    assert "No data yet" in texts(empty)


@pytest.mark.parametrize(
    "vmax, expected_top",
    [(0, 1), (1, 1), (3, 3), (7, 8), (10, 10), (37, 40), (120, 150), (999, 1000), (12345, 15000)],
)
def test_nice_ticks_cover_the_maximum_with_round_steps(vmax, expected_top):
    ticks = charts.nice_ticks(vmax)
    assert ticks[0] == 0
    assert ticks[-1] == expected_top
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_fmt_num():
    assert charts.fmt_num(1234567) == "1,234,567"
    assert charts.fmt_num(0.85) == "0.85"
    assert charts.fmt_num(2.0) == "2"


def test_weight_chart_draws_evidence_for_and_against() -> None:
    from ddj.report.charts import weight_chart

    svg = weight_chart(
        ["name: exact", "name: other <x>"], [6.5, -3.25], chart="weights", title="Weights"
    )
    assert svg.count('class="bar"') == 2
    assert "+6.50" in svg and "-3.25" in svg and "&lt;x&gt;" in svg
    assert "No data yet" in weight_chart([], [], chart="weights", title="Weights")
