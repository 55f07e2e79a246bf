"""The HUD HMIS CSV importer (format "hmis-csv"): one export, a folder or a .zip, at a time.

Each Client.csv row becomes a person record; each enrollment becomes an event whose type follows
the project type (see :mod:`ddj.ingest.hmis.codes`); each bed night of a night-by-night shelter
becomes a one-night ``shelter_stay`` of its own, and its enrollment is kept as a
``shelter_enrollment`` so the stay is not counted twice. Each CurrentLivingSituation.csv row
(4.12, a contact and where the person was staying then: a place not meant for habitation, jail,
a psychiatric facility...) becomes an event on its InformationDate: an ``outreach_contact`` in a
Street Outreach project, else a ``homeless_service``, the situation in
details["CurrentLivingSituation"]. One export is read and written in chunks (memory flat in its
size). A folder of .zip exports is read in name order as one batch, whole: a later export updates
and deletes (DateDeleted) what an earlier one loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ddj.ingest.canonical import ParsedFile
from ddj.ingest.hmis import reader
from ddj.ingest.hmis.export import find_exports
from ddj.ingest.hmis.reader import Deletions, ExportReader
from ddj.ingest.profile import Profile

FORMAT = "hmis-csv"
PATTERNS = ("*.zip",)
NEEDS_PROFILE = False
WHOLE_FOLDER = True


def iter_chunks(
    path: Path,
    profile: Profile | None = None,
    *,
    today: date | None = None,
    chunk_size: int | None = None,
) -> Iterator[ParsedFile]:
    """One export as ParsedFiles of about ``chunk_size`` records and events (0: one chunk;
    default ``reader.CHUNK_ROWS``); a folder of several exports as one chunk."""
    exports = find_exports(path)
    if len(exports) > 1:
        for export in exports:
            export.close()
        yield parse_file(path, profile, today=today)
        return
    [export] = exports
    try:
        size = reader.CHUNK_ROWS if chunk_size is None else chunk_size
        yield from ExportReader(export, today or date.today()).chunks(size)
    finally:
        export.close()


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
    gone = {f"enr:{e}" for e in deleted.enrollments}
    gone |= deleted.bed_nights | deleted.living_situations
    for event_id in list(merged.events):
        event = merged.events[event_id]
        if (
            event["source_person_id"] in deleted.clients
            or event_id in gone
            or event["details"].get("EnrollmentID") in deleted.enrollments  # its nights, contacts
        ):
            del merged.events[event_id]
