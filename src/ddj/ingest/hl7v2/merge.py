"""Folding messages, in order, into records and visits.

A later message about the same visit (same event id) updates it: the fields it carries replace
the earlier ones, fields it leaves empty keep theirs, HL7's null ("") clears one. A03 adds the
discharge; A13 (cancel discharge) clears it; A11 (cancel admit) keeps the visit and marks it
``details["cancelled"] = true`` (a later A01/A04 for the same visit clears the mark). Cancelled
visits are kept rather than dropped because the admit may sit in an earlier file: only a new
version of the same event can take it back.

Each visit also carries an :class:`~ddj.ingest.patch.EventPatch` naming the fields its messages
sent, so the writer merges it into the version already stored in the same way: a visit whose
messages span chunks, files or MLLP commits ends up as the merge of all of them (diagnoses sent
only in the A01 survive the A03; a discharge time sent only in the A03 survives a later A08).
A message without an admit time (PV1-44) uses EVN-2 (else MSH-7) as the start only while no
admit time is known, marked in details["start_from"]. The messages applied (MSH-10 control id,
trigger, MSH-7 time) are kept in details["message_ids"]; a message already applied to a visit is
not applied again (a re-sent message, a file ingested twice under another name).
"""

from __future__ import annotations

from typing import Any

from ddj.ingest.canonical import ParsedFile
from ddj.ingest.hl7v2.adt import OTHER_EVENT_TYPE, AdtMessage
from ddj.ingest.hl7v2.parser import MessageError
from ddj.ingest.patch import EventPatch, alias_of, apply_event, compose, fill_record, identity
from ddj.model import EVENT_COLUMNS


class FileState:
    """The records, visits and aliases of one file (or chunk, or message) so far."""

    def __init__(self, parsed: ParsedFile):
        self.parsed = parsed
        parsed.fill_records = True
        self._aliases_seen: set[tuple[Any, ...]] = set()

    def apply(self, adt: AdtMessage, row: int | None = None) -> None:
        """Add one message; raises MessageError (and changes nothing) when the visit it leaves
        cannot be stored."""
        visit = self._updated_visit(adt, row) if adt.visit_id else None
        self._merge_record(adt)
        if visit is not None and adt.visit_id:
            self.parsed.events[adt.visit_id], self.parsed.patches[adt.visit_id] = visit

    # --- visits ---

    def _updated_visit(self, adt: AdtMessage, row: int | None) -> tuple[dict[str, Any], EventPatch]:
        assert adt.visit_id is not None
        update, patch = message_update(adt, row)
        current = self.parsed.events.get(adt.visit_id)
        event = apply_event(current if current is not None else _new_event(), update, patch)
        event["event_type"] = event["event_type"] or OTHER_EVENT_TYPE
        _check(event)
        earlier = self.parsed.patches.get(adt.visit_id)
        return event, (compose(earlier, patch) if earlier else patch)

    # --- records ---

    def _merge_record(self, adt: AdtMessage) -> None:
        spid = adt.source_person_id
        record = {**adt.record, "other_ids": dict(adt.record["other_ids"])}
        old = self.parsed.records.get(spid)
        if old is not None:
            record = fill_record(record, old)
            if identity(old) != identity(record):
                self._add_alias(alias_of(spid, old))
        self.parsed.records[spid] = record
        checkable = adt.message_key if adt.visit_id else None
        self.parsed.record_messages.setdefault(spid, []).append(checkable)
        for alias in adt.aliases:
            self._add_alias(alias_of(spid, alias))

    def _add_alias(self, alias: dict[str, Any]) -> None:
        key = tuple(alias.values())
        if key not in self._aliases_seen:
            self._aliases_seen.add(key)
            self.parsed.aliases.append(alias)


def message_update(adt: AdtMessage, row: int | None) -> tuple[dict[str, Any], EventPatch]:
    """The visit fields one message sends, and the patch naming them (trigger effects included)."""
    update: dict[str, Any] = {**adt.visit, "source_person_id": adt.source_person_id}
    details = {k: v for k, v in adt.visit_details.items() if v is not None}
    patch = EventPatch(
        set(adt.visit) | {"source_person_id"},
        set(adt.visit_details),
        adt.fallback_start,
        row,
        [adt.message_key] if adt.message_key else [],
    )
    trigger = adt.trigger
    if trigger == "A11":
        details["cancelled"] = True
        patch.details.add("cancelled")
    elif trigger in ("A01", "A04"):
        patch.details.add("cancelled")  # re-admitted: no longer cancelled
    if trigger == "A13":
        update["end_at"] = update["disposition"] = None
        details.pop("discharge_disposition", None)
        details["discharge_cancelled"] = True
        patch.fields |= {"end_at", "disposition"}
        patch.details |= {"discharge_disposition", "discharge_cancelled"}
    elif trigger == "A03":
        details.pop("discharge_cancelled", None)
        patch.details.add("discharge_cancelled")
    update["details"] = details
    return update, patch


def _new_event() -> dict[str, Any]:
    event: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
    event.update({"details": {}, "part2": False})
    return event


def _check(event: dict[str, Any]) -> None:
    if event["start_at"] is None:
        raise MessageError(
            "PV1-44",
            None,
            "no admit time (PV1-44) and no event or message time (EVN-2, MSH-7)",
            hl7_code="101",
        )
    if event["end_at"] is not None and event["end_at"] < event["start_at"]:
        raise MessageError(
            "PV1-45", str(event["end_at"]), "discharge (PV1-45) is before admit", hl7_code="102"
        )
