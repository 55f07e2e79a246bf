"""The HL7 v2 ADT importer (``format = "hl7v2"``): admits, discharges, registrations, updates and
their cancels (A01, A03, A04, A08, A11, A13), v2.3 to v2.8.

A file holds messages one after another (each starts at an MSH segment), optionally MLLP-framed;
segments may end with ``\\r``, ``\\n`` or ``\\r\\n``. Each message gives one source record (the
patient, keyed by MRN) and updates one visit event (keyed by PV1-19); see :mod:`.adt` for the
fields read and :mod:`.merge` for how later messages update a visit. A message that cannot be
used goes to quarantine with its number in the file (1 = the first message), the field (e.g.
"PID-7") and the reason; a file with no MSH segment at all is a :class:`FileUnreadableError`.

For a live MLLP listener: :func:`parse_message` reads one message into a ParsedFile (the same
shape as a file's, one row), :func:`read_message` gives the message's content or raises
:class:`MessageError` carrying the ACK code to send, and :func:`build_ack` / :func:`ack_for`
write the acknowledgement.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ddj.errors import FileUnreadableError
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.hl7v2.ack import ack_for, build_ack
from ddj.ingest.hl7v2.adt import AdtMessage, read_adt
from ddj.ingest.hl7v2.merge import FileState
from ddj.ingest.hl7v2.parser import Message, MessageError, decode, iter_messages
from ddj.ingest.profile import Profile

FORMAT = "hl7v2"
PATTERNS = ("*.hl7", "*.txt", "*.adt")
NEEDS_PROFILE = False
WHOLE_FOLDER = False
CHUNK_MESSAGES = 20_000

__all__ = [
    "AdtMessage",
    "FileState",
    "MessageError",
    "ack_for",
    "build_ack",
    "iter_chunks",
    "parse_file",
    "parse_message",
    "read_message",
]


def read_message(text: str, *, today: date | None = None) -> AdtMessage:
    """One message (segments separated by \\r or \\n, MLLP framing allowed) as canonical content.

    Raises :class:`MessageError` for a message ddj cannot use; its ``ack_code`` (AE or AR) and
    text are what to acknowledge.
    """
    return read_adt(Message(text), today or date.today())


def parse_message(text: str, *, today: date | None = None) -> ParsedFile:
    """One message as a ParsedFile: its record, visit and aliases, or one quarantine row (row 1)
    with the field and reason. Several of them can be folded in order with :class:`FileState`
    (via :func:`read_message`) to update visits the way :func:`parse_file` does."""
    parsed = ParsedFile(rows_read=1)
    try:
        FileState(parsed).apply(read_message(text, today=today), 1)
    except MessageError as bad:
        parsed.reject(1, bad.field, bad.value, bad.reason)
    return parsed


def parse_file(
    path: Path, profile: Profile | None = None, *, today: date | None = None
) -> ParsedFile:
    """The whole file at once (see :func:`iter_chunks` for constant memory)."""
    [whole] = iter_chunks(path, profile, today=today, chunk_size=0)
    return whole


def iter_chunks(
    path: Path,
    profile: Profile | None = None,
    *,
    today: date | None = None,
    chunk_size: int | None = None,
) -> Iterator[ParsedFile]:
    """The file as successive ParsedFiles of ``chunk_size`` messages each (0: one chunk), so a
    file of any size is read in constant memory. A visit whose messages fall in two chunks is
    merged by the writer (each chunk's visits are patches; see :mod:`.merge`). ``rows_read``
    counts each chunk's own messages; ``chunk_size`` defaults to ``CHUNK_MESSAGES``."""
    if chunk_size is None:
        chunk_size = CHUNK_MESSAGES
    parsed = ParsedFile()
    state = FileState(parsed)
    day = today or date.today()
    number = 0
    try:
        with path.open("rb") as handle:
            for number, data in enumerate(iter_messages(handle), 1):
                if chunk_size and parsed.rows_read >= chunk_size:
                    yield parsed
                    parsed = ParsedFile()
                    state = FileState(parsed)
                parsed.rows_read += 1
                try:
                    state.apply(read_message(decode(data), today=day), number)
                except MessageError as bad:
                    parsed.reject(number, bad.field, bad.value, bad.reason)
    except OSError as exc:
        raise FileUnreadableError(
            f"cannot read the file: {exc.strerror or exc}", where=str(path)
        ) from exc
    if number == 0:
        raise FileUnreadableError(
            "no HL7 message found (no line starts with an MSH segment)",
            where=str(path),
            fix="check that this is an HL7 v2 export; for another format choose --format",
        )
    yield parsed
