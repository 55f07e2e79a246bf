"""What every importer produces: canonical rows plus quarantine rows, for one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rejected:
    row_number: int | None
    field: str | None
    value: str | None
    reason: str


@dataclass
class ParsedFile:
    """The canonical content of one input file, before it is written to the store."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # by source_person_id
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by event id
    aliases: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0

    def reject(
        self, row_number: int | None, field_name: str | None, value: Any, reason: str
    ) -> None:
        shown = None if value is None else str(value)[:200]
        self.rejected.append(Rejected(row_number, field_name, shown, reason))
