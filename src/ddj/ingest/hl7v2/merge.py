"""Folding the messages of one file, in order, into records and visits.

A later message about the same visit (same event id) updates it: the fields it carries replace
the earlier ones, fields it leaves empty keep theirs, HL7's null ("") clears one. A03 adds the
discharge; A13 (cancel discharge) clears it; A11 (cancel admit) keeps the visit and marks it
``details["cancelled"] = true`` (a later A01/A04 for the same visit clears the mark). Cancelled
visits are kept rather than dropped because the admit may sit in an earlier file: only a new
version of the same event can take it back.

Each file is parsed on its own, so a visit whose messages span files is rebuilt from what each
file says: a later file's version holds only what that file's messages carry (an A03 that repeats
PV1-44, as senders normally do, keeps the admit time; one that does not gets EVN-2 as its start,
marked in details["start_from"]).
"""

from __future__ import annotations

from typing import Any

from ddj.ingest.canonical import ParsedFile
from ddj.ingest.hl7v2.adt import OTHER_EVENT_TYPE, AdtMessage
from ddj.ingest.hl7v2.parser import MessageError
from ddj.model import EVENT_COLUMNS

_EVENT_FIELDS = EVENT_COLUMNS


class FileState:
    """The records, visits and aliases of one file so far."""

    def __init__(self, parsed: ParsedFile):
        self.parsed = parsed
        self._aliases_seen: set[tuple[Any, ...]] = set()

    def apply(self, adt: AdtMessage) -> None:
        """Add one message; raises MessageError (and changes nothing) when the visit it leaves
        cannot be stored."""
        event = self._updated_visit(adt) if adt.visit_id else None
        self._merge_record(adt)
        if event is not None and adt.visit_id:
            self.parsed.events[adt.visit_id] = event

    # --- visits ---

    def _updated_visit(self, adt: AdtMessage) -> dict[str, Any]:
        assert adt.visit_id is not None
        current = self.parsed.events.get(adt.visit_id)
        event = (
            _new_event() if current is None else {**current, "details": dict(current["details"])}
        )
        event.update(adt.visit)
        details = event["details"]
        for key, value in adt.visit_details.items():
            if value is None:
                details.pop(key, None)
            else:
                details[key] = value
        _apply_trigger(event, adt.trigger)
        if event["start_at"] is None and adt.fallback_start is not None:
            details["start_from"], event["start_at"] = adt.fallback_start
        event["event_type"] = event["event_type"] or OTHER_EVENT_TYPE
        event["source_person_id"] = adt.source_person_id
        _check(event)
        return event

    # --- records ---

    def _merge_record(self, adt: AdtMessage) -> None:
        spid = adt.source_person_id
        record = {**adt.record, "other_ids": dict(adt.record["other_ids"])}
        old = self.parsed.records.get(spid)
        if old is not None:
            _fill_blanks(record, old)
            if _identity(old) != _identity(record):
                self._add_alias(spid, old)
        self.parsed.records[spid] = record
        for alias in adt.aliases:
            self._add_alias(spid, alias)

    def _add_alias(self, spid: str, source: dict[str, Any]) -> None:
        alias = {
            "source_person_id": spid,
            "first_name": source.get("first_name"),
            "last_name": source.get("last_name"),
            "dob": source.get("dob"),
        }
        key = tuple(alias.values())
        if key not in self._aliases_seen:
            self._aliases_seen.add(key)
            self.parsed.aliases.append(alias)


def _new_event() -> dict[str, Any]:
    event: dict[str, Any] = dict.fromkeys(_EVENT_FIELDS)
    event.update({"details": {}, "part2": False})
    return event


def _apply_trigger(event: dict[str, Any], trigger: str) -> None:
    details = event["details"]
    if trigger == "A11":
        details["cancelled"] = True
    elif trigger in ("A01", "A04"):
        details.pop("cancelled", None)
    if trigger == "A13":
        event["end_at"] = None
        event["disposition"] = None
        details.pop("discharge_disposition", None)
        details["discharge_cancelled"] = True
    elif trigger == "A03":
        details.pop("discharge_cancelled", None)


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


def _fill_blanks(record: dict[str, Any], old: dict[str, Any]) -> None:
    """The newer message is the identity; what it leaves empty comes from the earlier one."""
    for key, value in old.items():
        if record.get(key) in (None, {}) and value not in (None, {}):
            record[key] = value
    record["other_ids"] = {**old.get("other_ids", {}), **record["other_ids"]}
    record["dq_codes"] = {**old.get("dq_codes", {}), **record.get("dq_codes", {})}


def _identity(record: dict[str, Any]) -> tuple[Any, ...]:
    return record.get("first_name"), record.get("last_name"), record.get("dob")
