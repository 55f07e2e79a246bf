"""What every importer produces: canonical rows plus quarantine rows, for one file (or one chunk
of a large file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ddj.ingest.patch import (
    ENDS_BEFORE_START,
    EventPatch,
    alias_of,
    apply_event,
    compose,
    ends_before_start,
    fill_record,
    identity,
)


@dataclass
class Rejected:
    row_number: int | None
    field: str | None
    value: str | None
    reason: str


@dataclass
class ParsedFile:
    """The canonical content of one input file, before it is written to the store.

    ``patches``: events that update the stored version rather than replace it (see
    :mod:`ddj.ingest.patch`); ``fill_records``: records fill their blanks from the stored
    version (and a changed name or date of birth keeps the stored one as an alias)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # by source_person_id
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by event id
    aliases: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0
    patches: dict[str, EventPatch] = field(default_factory=dict)  # by event id
    fill_records: bool = False
    record_messages: dict[str, list[str | None]] = field(default_factory=dict)

    def reject(
        self, row_number: int | None, field_name: str | None, value: Any, reason: str
    ) -> None:
        shown = None if value is None else str(value)[:200]
        self.rejected.append(Rejected(row_number, field_name, shown, reason))


def merge_parsed(parts: list[ParsedFile]) -> ParsedFile:
    """Several ParsedFiles (e.g. the messages of one MLLP group commit) as one, in order: a later
    patched event is applied to the earlier one, a later record fills its blanks from it; other
    rows are replaced by the later ones."""
    merged = ParsedFile()
    for part in parts:
        merged.rows_read += part.rows_read
        merged.fill_records = merged.fill_records or part.fill_records
        for spid, record in part.records.items():
            old = merged.records.get(spid)
            if old is not None and part.fill_records:
                record = fill_record(record, old)
                if identity(old) != identity(record):
                    merged.aliases.append(alias_of(spid, old))
            merged.records[spid] = record
            if spid in part.record_messages:
                merged.record_messages.setdefault(spid, []).extend(part.record_messages[spid])
        for key, event in part.events.items():
            patch, old = part.patches.get(key), merged.events.get(key)
            if patch is not None and old is not None:
                event = apply_event(old, event, patch)
                if ends_before_start(event):
                    merged.reject(patch.row, "end_at", event["end_at"], ENDS_BEFORE_START)
                    continue
                earlier = merged.patches.get(key)
                patch = compose(earlier, patch) if earlier else patch
            if patch is not None:
                merged.patches[key] = patch
            merged.events[key] = event
        merged.aliases.extend(part.aliases)
        merged.rejected.extend(part.rejected)
    return merged
