"""Writing tables as CSV files (UTF-8, header row, comma, standard quoting).

Cells are ``str``. A cell may carry lone surrogates (``"\\udcff"``): they are written as the raw
bytes they stand for, which is how a deliberately badly encoded row gets into a file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def column(self, name: str) -> int:
        return self.header.index(name)


def write_csv(path: Path, table: Table) -> int:
    """Write ``table`` to ``path``; returns the number of data rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows(table.rows)
    return len(table.rows)
