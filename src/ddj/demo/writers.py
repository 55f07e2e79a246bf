"""Writing the extracts: tables as CSV files (UTF-8, header row, comma, standard quoting), and
documents (HL7 messages, NEMSIS XML, FHIR NDJSON) as the text they already are.

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
    quoted: frozenset[str] = frozenset()  # columns whose non-empty values are always quoted

    def column(self, name: str) -> int:
        return self.header.index(name)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _line(row: list[str], always: list[bool]) -> str:
    cells = []
    for i, value in enumerate(row):
        if value and ((i < len(always) and always[i]) or any(c in value for c in ',"\r\n')):
            cells.append(_quote(value))
        else:
            cells.append(value)
    return ",".join(cells) + "\n"


def write_csv(path: Path, table: Table) -> int:
    """Write ``table`` to ``path``; returns the number of data rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        if not table.quoted:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.header)
            writer.writerows(table.rows)
        else:
            always = [name in table.quoted for name in table.header]
            handle.write(",".join(table.header) + "\n")
            handle.writelines(_line(row, always) for row in table.rows)
    return len(table.rows)


@dataclass(slots=True)
class Document:
    """A file that is not a table: its text in parts, how many items (messages, reports,
    resources) it holds, and which of them are deliberately bad ({item number from 1: kind})."""

    parts: list[str] = field(default_factory=list)
    items: int = 0
    bad: dict[int, str] = field(default_factory=dict)


def write_document(path: Path, document: Document) -> int:
    """Write ``document`` to ``path`` (UTF-8, exactly its text); returns its number of items."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(document.parts)
    return document.items
