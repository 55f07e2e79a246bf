"""Merging patched content into the current stored versions before it is written.

For a ParsedFile with ``patches`` (events that update rather than replace) or ``fill_records``,
the current versions of those events and records are read in one query each and the new content
is merged into them (see :mod:`ddj.ingest.patch`). Content about keys not yet stored is kept as
it is. The caller owns the transaction, so what is read is what the write will version.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ddj.ingest.canonical import ParsedFile
from ddj.ingest.lookup import keys_in, parsed
from ddj.ingest.patch import (
    ENDS_BEFORE_START,
    alias_of,
    apply_event,
    ends_before_start,
    fill_record,
    identity,
)
from ddj.ingest.session import KnownRows
from ddj.model import EVENT_COLUMNS, RECORD_COLUMNS
from ddj.store import Store

_EVENT_READ = (*EVENT_COLUMNS, "details", "part2", "source_person_id")
_RECORD_READ = (*RECORD_COLUMNS, "dob_quality", "other_ids", "dq_codes", "part2")


def merge_with_current(
    store: Store,
    parsed: ParsedFile,
    source: str,
    known: dict[str, dict[str, tuple[int, str] | None]] | None = None,
    session: KnownRows | None = None,
) -> ParsedFile:
    """``parsed`` with its patched events and blank-filling records merged into the stored
    current versions (a new ParsedFile; ``parsed`` is not changed). ``known[table]`` receives the
    (version, row_hash) of every current row read, so the writer need not look them up again.
    A live feed's ``session`` answers for the rows it knows (see :mod:`ddj.ingest.session`)."""
    known = {"source_record": {}, "event": {}} if known is None else known
    out = replace(
        parsed,
        records=dict(parsed.records),
        events=dict(parsed.events),
        aliases=list(parsed.aliases),
        rejected=list(parsed.rejected),
    )
    patched = [eid for eid in parsed.patches if eid in parsed.events]
    filled = list(parsed.records) if parsed.fill_records else []
    stored_events, stored_records = _current_rows(
        store,
        [f"{source}|{e}" for e in patched],
        [f"{source}|{spid}" for spid in filled],
        known,
        session,
    )
    applied: set[str | None] = set()  # the messages already in the stored events
    if patched:
        stored = stored_events
        for eid in patched:
            was = stored.get(f"{source}|{eid}")
            if was is None:
                continue
            was["details"] = json.loads(was["details"]) if was["details"] else {}
            applied.update(was["details"].get("message_ids") or [])
            patch = parsed.patches[eid]
            merged = apply_event(was, parsed.events[eid], patch)
            if ends_before_start(merged):
                out.reject(patch.row, "end_at", merged["end_at"], ENDS_BEFORE_START)
                del out.events[eid]
                continue
            out.events[eid] = merged
    if filled:
        stored = stored_records
        for spid, record in parsed.records.items():
            was = stored.get(f"{source}|{spid}")
            if was is None:
                continue
            read_from = parsed.record_messages.get(spid)
            if read_from and applied.issuperset(read_from):
                del out.records[spid]  # a replay: the stored identity is newer
                continue
            out.records[spid] = fill_record(record, was)
            if identity(was) != identity(out.records[spid]):
                out.aliases.append(alias_of(spid, was))
    return out


def _current_rows(
    store: Store,
    event_keys: list[str],
    record_keys: list[str],
    known: dict[str, dict[str, tuple[int, str] | None]],
    session: KnownRows | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The current stored events and records of these keys."""
    found = []
    for table, key, keys in (
        ("event", "event_key", event_keys),
        ("source_record", "record_key", record_keys),
    ):
        if session is None:
            found.append(_current(store, table, key, keys, known[table]))
            continue
        remembered, new, unknown = session.lookup(table, keys)
        rows = {k: row for k, (_, _, row) in remembered.items()}
        known[table].update(
            {k: (version, row_hash) for k, (version, row_hash, _) in remembered.items()}
        )
        known[table].update(dict.fromkeys(new))  # certainly not stored
        read = _current(store, table, key, unknown, known[table])
        for k, row in read.items():
            version, row_hash = known[table][k]  # type: ignore[misc]
            session.read(table, k, version, row_hash, row)
        rows.update(read)
        found.append(rows)
    return found[0], found[1]


def _current(
    store: Store, table: str, key: str, keys: list[str], known: dict[str, tuple[int, str] | None]
) -> dict[str, dict[str, Any]]:
    if not keys:
        return {}
    columns = _EVENT_READ if table == "event" else _RECORD_READ
    with keys_in(store, key, keys) as (where, params):
        sql = (
            f"SELECT {key}, version, row_hash, {', '.join(columns)} FROM {table}"
            f" WHERE is_current AND {where}"
        )
        rows = store.con.execute(parsed(store, sql), params).fetchall()
    known.update(dict.fromkeys(keys))  # looked up: None until found (not stored yet)
    for row in rows:
        known[row[0]] = (row[1], row[2])
    return {row[0]: dict(zip(columns, row[3:], strict=True)) for row in rows}
