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

from datetime import date
from pathlib import Path

from ddj.errors import FileUnreadableError
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.nemsis.pcr import PcrError, no_patient_contact, read_pcr
from ddj.ingest.nemsis.reader import BrokenXml, PcrReader
from ddj.ingest.profile import Profile

FORMAT = "nemsis"
PATTERNS = ("*.xml",)
NEEDS_PROFILE = False
WHOLE_FOLDER = False

__all__ = ["PcrError", "parse_file"]


def parse_file(
    path: Path, profile: Profile | None = None, *, today: date | None = None
) -> ParsedFile:
    parsed = ParsedFile()
    reader = PcrReader(path)
    day = today or date.today()
    try:
        for pcr in reader:
            parsed.rows_read = pcr.index
            if no_patient_contact(pcr):
                continue
            try:
                run_id, record, event = read_pcr(pcr, day)
            except PcrError as bad:
                parsed.reject(pcr.index, bad.element, bad.value, bad.reason)
                continue
            if run_id in parsed.events:
                parsed.reject(
                    pcr.index,
                    "eRecord.01",
                    run_id,
                    "duplicate Patient Care Report Number in this file (an earlier PCR has it)",
                )
                continue
            parsed.records[run_id] = record
            parsed.events[run_id] = event
    except BrokenXml as broken:
        _broken(parsed, reader, broken, path)
    except OSError as exc:
        raise FileUnreadableError(
            f"cannot read the file: {exc.strerror or exc}", where=str(path)
        ) from exc
    return parsed


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
