"""Acknowledgements (ACK) for a live listener: MSH with sender and receiver swapped, then MSA."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from ddj.ingest.hl7v2.parser import Delimiters, MessageError, Segment, escape

ACK_CODES = ("AA", "AE", "AR")
_BREAK = re.compile(r"[\r\n\x0b\x1c]+")


def build_ack(
    message_text: str,
    code: str,
    error: str | None = None,
    *,
    error_code: str | None = None,
    control_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """The ACK for one received message, segments ended by ``\\r`` (frame it for MLLP yourself).

    ``code`` is AA (accepted), AE (error: the content was wrong) or AR (rejected: not a message
    ddj reads). ``error`` goes into MSA-3 and, for v2.5 and later, into an ERR segment with the
    HL7 table 0357 code ``error_code`` (default 207, application internal error). The ACK copies
    MSH-2, MSH-11 and MSH-12 and answers MSH-10 in MSA-2; a message without a readable MSH still
    gets an answer, with default delimiters and empty fields.
    """
    if code not in ACK_CODES:
        raise ValueError(f"ACK code must be one of {', '.join(ACK_CODES)}, not {code!r}")
    msh, d = _received_msh(message_text)
    got = msh.raw if msh is not None else (lambda n: "")
    trigger = msh.value(9, 2) if msh is not None else None
    stamp = (now or datetime.now().astimezone()).strftime("%Y%m%d%H%M%S%z")
    version = got(12) or "2.5"
    message_type = d.component.join(["ACK", trigger, "ACK"]) if trigger and d.component else "ACK"
    header = [
        "MSH",
        d.encoding_characters,
        got(5),  # sending application and facility: the receiver of the message
        got(6),
        got(3),  # receiving application and facility: its sender
        got(4),
        stamp,
        "",
        message_type,
        control_id or "A" + uuid.uuid4().hex[:19],
        got(11) or "P",
        version,
    ]
    segments = [header[0] + d.field + d.field.join(header[1:])]
    msa = ["MSA", code, got(10)] + ([escape(error, d)] if error else [])
    segments.append(d.field.join(msa))
    if error and code != "AA" and _version_at_least(version, 2, 5):
        err_code = d.component.join([error_code or "207", "", "HL70357"])
        severity = "E"
        segments.append(
            d.field.join(["ERR", "", "", err_code, severity, "", "", "", escape(error, d)])
        )
    return "\r".join(segments) + "\r"


def ack_for(message_text: str, problem: MessageError | None = None) -> str:
    """AA when ``problem`` is None, else the ACK the problem asks for (AE or AR) with its text."""
    if problem is None:
        return build_ack(message_text, "AA")
    return build_ack(message_text, problem.ack_code, str(problem), error_code=problem.hl7_code)


def _received_msh(text: str) -> tuple[Segment | None, Delimiters]:
    for line in _BREAK.split(text):
        line = line.strip()
        if line.startswith("MSH"):
            try:
                d = Delimiters.from_msh(line)
            except MessageError:
                break
            return Segment(line, d), d
    return None, Delimiters()


def _version_at_least(version: str, major: int, minor: int) -> bool:
    match = re.match(r"(\d+)\.(\d+)", version)
    return bool(match) and (int(match[1]), int(match[2])) >= (major, minor)
