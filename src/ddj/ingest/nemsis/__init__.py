"""The NEMSIS v3.5 EMS importer (``format = "nemsis"``): EMSDataSet XML exports of patient care
reports (PCRs), read as a stream.

Each PCR with patient contact gives one source record and one ``ems_run`` event, both keyed by
eRecord.01 (see :mod:`.pcr` for the fields). A PCR whose unit made no patient contact
(eDisposition.27 other than "Patient Contact Made": cancelled, no patient found...) is skipped:
there is no person to load. A PCR that cannot be loaded goes to quarantine with its number in the
file (1 = the first PCR), the element name and the reason; that includes a PCR missing an element
the NEMSIS v3.5 XSD requires in the sections ddj reads (eRecord, eResponse, eDispatch, eTimes,
ePatient, eScene, eSituation, eDisposition). If the XML breaks part-way, the PCRs before the break
are loaded and the break is one quarantine row. A file that is not XML, not a NEMSIS v3
EMSDataSet, or breaks before its first PCR is a :class:`FileUnreadableError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ddj.errors import FileUnreadableError
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.nemsis.pcr import (
    PRESENCE_ONLY,
    WANTED,
    PcrError,
    no_patient_contact,
    read_pcr,
)
from ddj.ingest.nemsis.reader import BrokenXml, PcrReader
from ddj.ingest.profile import Profile

FORMAT = "nemsis"
PATTERNS = ("*.xml",)
NEEDS_PROFILE = False
WHOLE_FOLDER = False
CHUNK_PCRS = 5_000

__all__ = ["PcrError", "parse_file"]


def parse_file(
    path: Path, profile: Profile | None = None, *, today: date | None = None
) -> ParsedFile:
    """The whole file at once (see :func:`iter_chunks` for constant memory)."""
    whole = ParsedFile()
    for chunk in iter_chunks(path, profile, today=today, chunk_size=0):
        whole = chunk
    return whole


def iter_chunks(
    path: Path,
    profile: Profile | None = None,
    *,
    today: date | None = None,
    chunk_size: int | None = None,
) -> Iterator[ParsedFile]:
    """The file as successive ParsedFiles of about ``chunk_size`` PCRs each (0: one chunk;
    default ``CHUNK_PCRS``), so a file of any size is read in constant memory. ``rows_read``
    counts each chunk's own PCRs."""
    if chunk_size is None:
        chunk_size = CHUNK_PCRS
    parsed = ParsedFile()
    reader = PcrReader(path, WANTED, PRESENCE_ONLY)
    day = today or date.today()
    seen: set[str] = set()
    counted = 0
    try:
        for pcr in reader:
            parsed.rows_read = pcr.index - counted
            if no_patient_contact(pcr):
                continue
            try:
                run_id, record, event = read_pcr(pcr, day)
            except PcrError as bad:
                parsed.reject(pcr.index, bad.element, bad.value, bad.reason)
                continue
            if run_id in seen:
                parsed.reject(
                    pcr.index,
                    "eRecord.01",
                    run_id,
                    "duplicate Patient Care Report Number in this file (an earlier PCR has it)",
                )
                continue
            seen.add(run_id)
            parsed.records[run_id] = record
            parsed.events[run_id] = event
            if chunk_size and len(parsed.events) >= chunk_size:
                yield parsed
                counted = pcr.index
                parsed = ParsedFile()
    except BrokenXml as broken:
        _broken(parsed, reader, broken, path)
    except OSError as exc:
        raise FileUnreadableError(
            f"cannot read the file: {exc.strerror or exc}", where=str(path)
        ) from exc
    yield parsed


def _broken(parsed: ParsedFile, reader: PcrReader, broken: BrokenXml, path: Path) -> None:
    where = f"line {broken.line}, column {broken.column}"
    if reader.count == 0:
        raise FileUnreadableError(
            f"the XML is broken at {where} ({broken.message}), in or before the first "
            "PatientCareReport",
            where=str(path),
            fix="re-export the file from the ePCR software",
        )
    parsed.rows_read = reader.count + 1
    parsed.reject(
        reader.count + 1,
        None,
        None,
        f"the XML is broken at {where} ({broken.message}): this PCR and any after it were not "
        "read; the PCRs before it were loaded. Re-export the file from the ePCR software",
    )
