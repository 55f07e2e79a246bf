"""Small-cell suppression: properties over random lists and tables, checked by an attacker who
has only the published cells and margins, and worked examples."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddj.govern import suppression
from ddj.govern.suppression import (
    COMPLEMENTARY,
    MARK,
    PRIMARY,
    SuppressionError,
    suppress_list,
    suppress_table,
)

# Mostly small counts, so that suppression has work to do, with some large ones.
counts = st.one_of(st.integers(0, 14), st.integers(0, 60), st.integers(0, 5000))
tables = st.integers(1, 6).flatmap(
    lambda n_cols: st.lists(
        st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=6
    )
)


def _grid(table: list[list[int]]) -> dict:
    """Every cell of the table with margins (None = total), computed here, not by the module."""
    n_rows, n_cols = len(table), len(table[0])
    grid = {(i, j): table[i][j] for i in range(n_rows) for j in range(n_cols)}
    for i in range(n_rows):
        grid[i, None] = sum(table[i])
    for j in range(n_cols):
        grid[None, j] = sum(row[j] for row in table)
    grid[None, None] = sum(map(sum, table))
    return grid


def _table_lines(n_rows: int, n_cols: int) -> list[list]:
    """Each row and column of the table with margins; the last cell is the sum of the others."""
    rows, cols = [*range(n_rows), None], [*range(n_cols), None]
    return [[(i, j) for j in cols] for i in rows] + [[(i, j) for i in rows] for j in cols]


def _recover_by_subtraction(published: dict, lines: list[list]) -> dict:
    """What a reader works out by subtracting along rows and columns, repeated while it helps."""
    known = {cell: v for cell, v in published.items() if v is not None}
    recovered = {}
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [c for c in line if c not in known]
            if len(unknown) != 1:
                continue
            *parts, total = line
            cell = unknown[0]
            if cell == total:
                value = sum(known[c] for c in parts)
            else:
                value = known[total] - sum(known[c] for c in parts if c != cell)
            known[cell] = recovered[cell] = value
            progress = True
    return recovered


def _rank(rows: list[list[Fraction]]) -> int:
    """Exact rank by Gaussian elimination over the rationals."""
    rows = [r[:] for r in rows]
    rank, n_cols = 0, len(rows[0]) if rows else 0
    for col in range(n_cols):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _fixed_by_equations(hidden: set, lines: list[list]) -> list:
    """Hidden cells whose value all the line equations together pin down (exact arithmetic):
    a cell is fixed when its unit vector lies in the row space of the equations."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return []
    matrix = []
    for line in lines:
        *parts, total = line
        matrix.append([Fraction(1 if c in parts else -1 if c == total else 0) for c in unknowns])
    base = _rank(matrix)
    fixed = []
    for k, cell in enumerate(unknowns):
        unit = [Fraction(int(i == k)) for i in range(len(unknowns))]
        if _rank([*matrix, unit]) == base:
            fixed.append(cell)
    return fixed


def _check(truth: dict, published: dict, reasons: dict, lines, threshold, suppress_zero) -> None:
    def small(v: int) -> bool:
        return v < threshold and (v > 0 or suppress_zero)

    for cell, value in truth.items():
        shown = published[cell]
        assert shown is None or shown == value  # nothing published is altered
        if shown is not None:
            assert not small(value)  # no published cell is below the threshold
        assert (shown is None) == (cell in reasons)
    for cell, why in reasons.items():
        assert why == (PRIMARY if small(truth[cell]) else COMPLEMENTARY)
    if not any(small(v) for v in truth.values()):
        assert not reasons  # nothing hidden without a reason
    assert _recover_by_subtraction(published, lines) == {}
    assert _fixed_by_equations(set(reasons), lines) == []


@settings(max_examples=300, deadline=None)
@given(table=tables, threshold=st.integers(1, 20), suppress_zero=st.booleans())
def test_tables_publish_no_small_cell_and_none_can_be_recovered(
    table, threshold, suppress_zero
) -> None:
    result = suppress_table(table, threshold=threshold, suppress_zero=suppress_zero)
    truth = _grid(table)
    published = {cell: result.value(*cell) for cell in truth}
    lines = _table_lines(len(table), len(table[0]))
    _check(truth, published, result.suppressed, lines, threshold, suppress_zero)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(counts, min_size=1, max_size=12),
    threshold=st.integers(1, 20),
    zero=st.booleans(),
)
def test_lists_publish_no_small_count_and_none_can_be_recovered(values, threshold, zero) -> None:
    result = suppress_list(values, threshold=threshold, suppress_zero=zero)
    truth = {j: v for j, v in enumerate(values)} | {None: sum(values)}
    published = {j: v for j, v in enumerate(result.values)} | {None: result.total}
    line = [*range(len(values)), None]
    _check(truth, published, result.suppressed, [line], threshold, zero)


def test_a_small_count_in_a_list_is_hidden_with_the_next_smallest() -> None:
    result = suppress_list({"jail": 40, "ems": 3, "shelter": 25, "er": 18})
    # ems (3) is below 11; with the total published it would be 86 - 40 - 25 - 18, so the
    # smallest other count (er, 18) is hidden too; the total stays.
    assert result.suppressed == {1: PRIMARY, 3: COMPLEMENTARY}
    assert result.values == (40, None, 25, None) and result.total == 86
    assert result.display() == [
        ("jail", "40"),
        ("ems", MARK),
        ("shelter", "25"),
        ("er", MARK),
        ("Total", "86"),
    ]


def test_a_table_gets_a_rectangle_of_hidden_cells() -> None:
    result = suppress_table(
        [[20, 5, 30], [40, 25, 12], [15, 18, 50]],
        row_labels=["jail", "ems", "shelter"],
        col_labels=["2024", "2025", "2026"],
    )
    # 5 is primary. Row 0 then needs a second hidden cell: 20 (smaller than 30 and the total 55).
    # Column 0 now has one: 15 (below 40 and 75). Column 1 has one: 18 (below 25 and 48).
    # Row 2 now has two (15, 18): a rectangle, which no row or column sum opens.
    assert result.suppressed == {
        (0, 1): PRIMARY,
        (0, 0): COMPLEMENTARY,
        (2, 0): COMPLEMENTARY,
        (2, 1): COMPLEMENTARY,
    }
    assert result.row_totals == (55, 77, 83) and result.grand_total == 215
    grid = result.display()
    assert grid[0] == ["", "2024", "2025", "2026", "Total"]
    assert grid[1] == ["jail", MARK, MARK, "30", "55"]
    assert grid[4] == ["Total", "75", "48", "92", "215"]


def test_two_hidden_cells_per_line_are_not_always_enough(monkeypatch) -> None:
    table = [[2, 5, 12], [0, 1, 0], [5, 15, 8]]
    lines = _table_lines(3, 3)
    with monkeypatch.context() as m:  # the line rule alone, without the equations check
        m.setattr(suppression, "_determined", lambda *args: [])
        lines_only = suppress_table(table)
    assert all(sum(c in lines_only.suppressed for c in line) != 1 for line in lines)
    assert _fixed_by_equations(set(lines_only.suppressed), lines)  # yet a cell is pinned down
    result = suppress_table(table)
    assert _fixed_by_equations(set(result.suppressed), lines) == []
    assert set(lines_only.suppressed) < set(result.suppressed)


def test_zero_is_published_unless_configured_and_the_threshold_is_configurable() -> None:
    assert suppress_list([0, 15, 20]).suppressed == {}
    hidden = suppress_list([0, 15, 20], suppress_zero=True)
    assert hidden.suppressed == {0: PRIMARY, 1: COMPLEMENTARY} and hidden.total == 35
    assert suppress_list([4, 6, 30], threshold=5).suppressed == {0: PRIMARY, 1: COMPLEMENTARY}
    # At the default threshold 4 and 6 are both primary and already hide each other.
    assert suppress_list([4, 6, 30]).suppressed == {0: PRIMARY, 1: PRIMARY}
    assert suppress_list([11, 12]).suppressed == {}  # 11 is not below 11


def test_a_lone_small_count_hides_its_total() -> None:
    result = suppress_list({"shelter": 7})
    assert result.values == (None,) and result.total is None
    assert suppress_table([[7]]).suppressed == {
        (0, 0): PRIMARY,
        (0, None): PRIMARY,
        (None, 0): PRIMARY,
        (None, None): PRIMARY,
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: suppress_list([3, -1]), "count '2' is -1"),
        (lambda: suppress_list({"ems": 2.5}), "count 'ems' is 2.5"),
        (lambda: suppress_list([True]), "count '1' is True"),
        (lambda: suppress_table([[1, 2], [3]]), "different lengths"),
        (lambda: suppress_table([[1, 2]], col_labels=["a"]), "1 column labels for 2 columns"),
        (lambda: suppress_list([1], threshold=0), "threshold is 0"),
    ],
)
def test_bad_input_is_refused_with_a_reason(call, message) -> None:
    with pytest.raises(SuppressionError, match=message):
        call()
