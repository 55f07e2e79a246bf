"""Updates that merge into what is already known instead of replacing it.

Some formats send a contact piece by piece: an HL7 A01 carries the diagnoses, the A03 of the same
visit only the discharge. Such an importer marks each event it builds with an :class:`EventPatch`
naming the fields its messages actually sent (a None value among them clears the field, as HL7's
null ""), and asks that its records fill their blanks from the version already known. The writer
then applies the patch to the current stored version (:func:`apply_event`), so the new version is
the merge of everything sent, whether the earlier messages were in the same chunk, an earlier
chunk of the file, an earlier file or an earlier MLLP commit. A patch is a plain description of
the fields; composing two (:func:`compose`) gives the patch of both, in order.

A patch may name the messages it is made of (HL7 MSH-10 control ids): they are kept in the
event's ``details["message_ids"]``, and a patch whose messages are all there already is not
applied again, so re-sending or re-ingesting messages (in a copy of a file, in other chunks, after
a lost ACK) adds no version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class EventPatch:
    """Which fields of an event the source sent.

    ``fields``: event columns set (None clears); ``details``: keys of ``details`` set (a key
    missing from the update's details was removed); ``fallback_start``: (where, when) to use as
    the start only while no start is known; ``row``: the row (message number) of the last update,
    for quarantine."""

    fields: set[str] = field(default_factory=set)
    details: set[str] = field(default_factory=set)
    fallback_start: tuple[str, datetime] | None = None
    row: int | None = None
    message_ids: list[str] = field(default_factory=list)


def compose(first: EventPatch, then: EventPatch) -> EventPatch:
    return EventPatch(
        first.fields | then.fields,
        first.details | then.details,
        first.fallback_start or then.fallback_start,
        then.row if then.row is not None else first.row,
        first.message_ids + [m for m in then.message_ids if m not in first.message_ids],
    )


def apply_event(base: dict[str, Any], update: dict[str, Any], patch: EventPatch) -> dict[str, Any]:
    """``base`` (the event as known) with what ``patch`` says ``update`` sent."""
    out = dict(base)
    details = dict(base.get("details") or {})
    applied = list(details.get("message_ids") or [])
    if patch.message_ids and set(patch.message_ids) <= set(applied):
        return out  # every message of the patch is in already
    if patch.message_ids:
        applied += [m for m in patch.message_ids if m not in applied]
    new_details = update.get("details") or {}
    for name in patch.fields:
        out[name] = update.get(name)
    for key in patch.details:
        if key in new_details:
            details[key] = new_details[key]
        else:
            details.pop(key, None)
    if out.get("start_at") is None and patch.fallback_start is not None:
        details["start_from"], out["start_at"] = patch.fallback_start
    if patch.message_ids:
        details["message_ids"] = applied
    out["details"] = details
    return out


ENDS_BEFORE_START = (
    "with this update the contact ends before it starts; the version already known is kept"
)


def ends_before_start(event: dict[str, Any]) -> bool:
    start, end = event.get("start_at"), event.get("end_at")
    return start is not None and end is not None and end < start


def fill_record(update: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """The newer record is the identity; what it leaves empty comes from the known one."""
    record = dict(update)
    for key, value in known.items():
        # (record.get(key) in (None, {}) and value not in (None, {}), spelt out: hot)
        if value is None or (value.__class__ is dict and not value):
            continue
        now = record.get(key)
        if now is None or (now.__class__ is dict and not now):
            record[key] = value
    record["other_ids"] = {**(known.get("other_ids") or {}), **(update.get("other_ids") or {})}
    record["dq_codes"] = {**(known.get("dq_codes") or {}), **(update.get("dq_codes") or {})}
    return record


def identity(record: dict[str, Any]) -> tuple[Any, ...]:
    return record.get("first_name"), record.get("last_name"), record.get("dob")


def alias_of(spid: str, record: dict[str, Any]) -> dict[str, Any]:
    """The name and date of birth of ``record`` as an alias of ``spid``."""
    return {
        "source_person_id": spid,
        "first_name": record.get("first_name"),
        "last_name": record.get("last_name"),
        "dob": record.get("dob"),
    }
