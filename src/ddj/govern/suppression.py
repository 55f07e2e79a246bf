"""Small-cell suppression for counts that leave the team (public reports, shared tables).

Primary suppression hides every count below the threshold (default 11; zero only when asked).
Complementary suppression then hides the fewest, smallest further cells so that no hidden cell
can be worked out from what is published: every row and column of a table with its margins
(the totals count as cells of their own lines) has either no hidden cell or at least two, and
no hidden cell is fixed by the row and column equations taken together (checked by linear
algebra, which subtraction along one line is a special case of). It repeats until stable.

What it does not protect against: a reader who knows some hidden cells from elsewhere, or
narrow ranges (a hidden 3 paired with a hidden 12 in a row of 15 is known to be at most 15).
Print every hidden cell the same way (:data:`MARK`): which ones are primary is for the team.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ddj.errors import DdjError

DEFAULT_THRESHOLD = 11
PRIMARY = "primary"  # below the threshold
COMPLEMENTARY = "complementary"  # hidden so a primary cell cannot be worked out
MARK = "*"

# A cell of a table with margins: (row, column), where None is the margin (the total).
Cell = tuple[int | None, int | None]


class SuppressionError(DdjError):
    """Counts that cannot be suppressed as given (negative, not whole numbers, ragged)."""


@dataclass(frozen=True)
class SuppressedList:
    """A one-way list of counts and its total, with hidden values as None."""

    labels: tuple[str, ...]
    values: tuple[int | None, ...]
    total: int | None
    suppressed: dict[int | None, str]  # position (None = the total) -> primary | complementary
    threshold: int

    def display(self, mark: str = MARK) -> list[tuple[str, str]]:
        """(label, shown value) for each count, then ("Total", ...)."""
        rows = [(label, _shown(v, mark)) for label, v in zip(self.labels, self.values, strict=True)]
        return [*rows, ("Total", _shown(self.total, mark))]


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table with row totals, column totals and a grand total; hidden values as None."""

    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    col_totals: tuple[int | None, ...]
    grand_total: int | None
    suppressed: dict[Cell, str]  # (row, col), None = margin -> primary | complementary
    threshold: int

    def value(self, row: int | None, col: int | None) -> int | None:
        """The published value of a cell of the table with margins (None where hidden)."""
        if row is None:
            return self.grand_total if col is None else self.col_totals[col]
        return self.row_totals[row] if col is None else self.cells[row][col]

    def display(self, mark: str = MARK) -> list[list[str]]:
        """The table as text, with a header row and a Total row and column."""
        grid = [["", *self.col_labels, "Total"]]
        for i, label in enumerate(self.row_labels):
            shown = [_shown(v, mark) for v in (*self.cells[i], self.row_totals[i])]
            grid.append([label, *shown])
        grid.append(["Total", *(_shown(v, mark) for v in (*self.col_totals, self.grand_total))])
        return grid


def suppress_list(
    counts: Sequence[int] | Mapping[str, int],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    suppress_zero: bool = False,
) -> SuppressedList:
    """Suppress a list of counts published with its total (say, people by system).

    Example: ``suppress_list({"jail": 40, "ems": 3, "shelter": 25})`` hides ems (primary) and
    shelter (complementary: the smallest other count, else the total would give ems away).
    """
    labels, values = _labelled(counts)
    cells: dict[Cell, int] = {(0, j): v for j, v in enumerate(values)}
    cells[0, None] = sum(values)
    line = [*((0, j) for j in range(len(values))), (0, None)]
    hidden = _suppress(cells, [line], _checked_threshold(threshold), suppress_zero)
    return SuppressedList(
        labels=labels,
        values=tuple(None if (0, j) in hidden else v for j, v in enumerate(values)),
        total=None if (0, None) in hidden else cells[0, None],
        suppressed={col: why for (_, col), why in hidden.items()},
        threshold=threshold,
    )


def suppress_table(
    counts: Sequence[Sequence[int]],
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    suppress_zero: bool = False,
) -> SuppressedTable:
    """Suppress a rows x columns table of counts published with its row, column and grand totals.

    Example: ``suppress_table([[20, 5, 30], [40, 25, 12], [15, 18, 50]])`` hides the 5
    (primary) and 20, 18, 15 (complementary), a rectangle no row or column sum can open.
    """
    table = [list(_labelled(row)[1]) for row in counts]
    n_rows, n_cols = len(table), len(table[0]) if table else 0
    if any(len(row) != n_cols for row in table):
        raise SuppressionError(
            "the rows of the table have different lengths", fix="give every row a count per column"
        )
    rows = _labels(row_labels, n_rows, "row")
    cols = _labels(col_labels, n_cols, "column")
    cells: dict[Cell, int] = {(i, j): table[i][j] for i in range(n_rows) for j in range(n_cols)}
    for i in range(n_rows):
        cells[i, None] = sum(table[i])
    for j in range(n_cols):
        cells[None, j] = sum(table[i][j] for i in range(n_rows))
    cells[None, None] = sum(cells[i, None] for i in range(n_rows))
    all_rows: list[int | None] = [*range(n_rows), None]
    all_cols: list[int | None] = [*range(n_cols), None]
    lines = [[(i, j) for j in all_cols] for i in all_rows] + [
        [(i, j) for i in all_rows] for j in all_cols
    ]
    hidden = _suppress(cells, lines, _checked_threshold(threshold), suppress_zero)

    def shown(cell: Cell) -> int | None:
        return None if cell in hidden else cells[cell]

    return SuppressedTable(
        row_labels=rows,
        col_labels=cols,
        cells=tuple(tuple(shown((i, j)) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(shown((i, None)) for i in range(n_rows)),
        col_totals=tuple(shown((None, j)) for j in range(n_cols)),
        grand_total=shown((None, None)),
        suppressed=hidden,
        threshold=threshold,
    )


def _suppress(
    cells: dict[Cell, int], lines: list[list[Cell]], threshold: int, suppress_zero: bool
) -> dict[Cell, str]:
    """Which cells to hide and why. Each line's last cell is the sum of the others."""
    hidden = {
        cell: PRIMARY
        for cell, value in cells.items()
        if value < threshold and (value > 0 or suppress_zero)
    }
    while hidden:
        lone = next(
            (line for line in lines if len(line) > 1 and sum(c in hidden for c in line) == 1),
            None,
        )
        if lone is not None:
            hidden[_cheapest(lone, cells, hidden, lines)] = COMPLEMENTARY
            continue
        determined = _determined(cells, lines, hidden)
        if not determined:
            break
        around = [c for line in lines if determined[0] in line for c in line if c not in hidden]
        anywhere = [c for c in cells if c not in hidden]
        if not (around or anywhere):
            break  # everything is hidden already
        hidden[_cheapest(around or anywhere, cells, hidden, lines)] = COMPLEMENTARY
    return hidden


def _cheapest(
    candidates: list[Cell], cells: dict[Cell, int], hidden: dict[Cell, str], lines
) -> Cell:
    """The published cell whose hiding costs least: a small non-zero count, best one that also
    closes another line left with a single hidden cell; a margin only when needed."""

    def lone_lines(cell: Cell) -> int:
        return sum(1 for line in lines if cell in line and sum(c in hidden for c in line) == 1)

    def cost(cell: Cell) -> tuple:
        value = cells[cell]
        is_margin = cell[0] is None or cell[1] is None
        return (value == 0, value, -lone_lines(cell), is_margin, _order(cell))

    return min((c for c in candidates if c not in hidden), key=cost)


def _determined(cells: dict[Cell, int], lines: list[list[Cell]], hidden) -> list[Cell]:
    """Hidden cells whose value the line equations fix, given every published cell.

    A hidden cell is fixed exactly when every solution of the homogeneous system (the lines'
    equations over the hidden cells) leaves it unchanged, i.e. the null space is zero there.
    """
    unknowns = sorted(hidden, key=_order)
    index = {cell: k for k, cell in enumerate(unknowns)}
    matrix = np.zeros((len(lines), len(unknowns)))
    for r, line in enumerate(lines):
        *parts, total = line
        for cell in parts:
            if cell in index:
                matrix[r, index[cell]] += 1.0
        if total in index:
            matrix[r, index[total]] -= 1.0
    _, singular, vh = np.linalg.svd(matrix, full_matrices=True)
    tolerance = max(matrix.shape) * np.finfo(float).eps * (singular.max() if singular.size else 0)
    rank = int((singular > tolerance).sum())
    null_space = vh[rank:]
    free = np.abs(null_space).max(axis=0) > 1e-9 if len(null_space) else np.zeros(len(unknowns))
    return [cell for cell, is_free in zip(unknowns, free, strict=True) if not is_free]


def _order(cell: Cell) -> tuple[int, int]:
    row, col = cell
    big = 1 << 30
    return (big if row is None else row, big if col is None else col)


def _labelled(counts: Sequence[int] | Mapping[str, int]) -> tuple[tuple[str, ...], list[int]]:
    if isinstance(counts, Mapping):
        labels, raw = tuple(str(k) for k in counts), list(counts.values())
    else:
        raw = list(counts)
        labels = tuple(str(j + 1) for j in range(len(raw)))
    values = []
    for label, value in zip(labels, raw, strict=True):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise SuppressionError(
                f"count {label!r} is {value!r}", fix="counts must be whole numbers, 0 or more"
            )
        values.append(int(value))
    return labels, values


def _labels(given: Sequence[str] | None, n: int, what: str) -> tuple[str, ...]:
    if given is None:
        return tuple(str(k + 1) for k in range(n))
    if len(given) != n:
        raise SuppressionError(f"{len(given)} {what} labels for {n} {what}s")
    return tuple(str(label) for label in given)


def _checked_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, Integral) or threshold < 1:
        raise SuppressionError(
            f"the suppression threshold is {threshold!r}", fix="use a whole number, 1 or more"
        )
    return int(threshold)


def _shown(value: int | None, mark: str) -> str:
    return mark if value is None else str(value)
