"""The HUD HMIS CSV importer (format "hmis-csv"): one export, a folder or a .zip, at a time.

Each Client.csv row becomes a person record; each enrollment becomes an event whose type follows
the project type (see :mod:`ddj.ingest.hmis.codes`); each bed night of a night-by-night shelter
becomes a one-night ``shelter_stay`` of its own, and its enrollment is kept as a
``shelter_enrollment`` so the stay is not counted twice. A folder of .zip exports is read in name
order as one batch: a later export updates and deletes (DateDeleted) what an earlier one loaded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ddj.ingest.canonical import ParsedFile
from ddj.ingest.hmis.export import find_exports
from ddj.ingest.hmis.reader import Deletions, ExportReader
from ddj.ingest.profile import Profile

FORMAT = "hmis-csv"
PATTERNS = ("*.zip",)
NEEDS_PROFILE = False
WHOLE_FOLDER = True


def parse_file(
    path: Path, profile: Profile | None = None, *, today: date | None = None
) -> ParsedFile:
    exports = find_exports(path)
    try:
        results = [ExportReader(x, today or date.today()).read() for x in exports]
    finally:
        for export in exports:
            export.close()
    if len(results) == 1:
        return results[0][0]
    merged = ParsedFile()
    for parsed, deleted in results:
        _apply_deletions(merged, deleted)
        merged.records.update(parsed.records)
        merged.events.update(parsed.events)
        merged.rejected.extend(parsed.rejected)
        merged.rows_read += parsed.rows_read
    return merged


def _apply_deletions(merged: ParsedFile, deleted: Deletions) -> None:
    """Remove from earlier exports what a later one marks deleted."""
    for pid in deleted.clients:
        merged.records.pop(pid, None)
    gone_enrollments = {f"enr:{e}" for e in deleted.enrollments}
    bed_prefixes = tuple(f"bed:{e}:" for e in deleted.enrollments)
    for event_id in list(merged.events):
        event = merged.events[event_id]
        if (
            event["source_person_id"] in deleted.clients
            or event_id in gone_enrollments
            or event_id in deleted.bed_nights
            or (bed_prefixes and event_id.startswith(bed_prefixes))
        ):
            del merged.events[event_id]
