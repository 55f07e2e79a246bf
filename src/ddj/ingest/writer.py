"""Writing one parsed file into the workspace: a batch, versioned records and events, quarantine.

Idempotence has two levels: a file whose bytes were already ingested for the source is skipped,
and within a new file a row whose canonical content is unchanged adds nothing. A changed row is
stored as a new version; the old version is kept with ``is_current = false`` and ``valid_to`` set.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import pyarrow as pa

from ddj.ingest import arrow, lookup
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.current import merge_with_current
from ddj.ingest.session import KnownRows
from ddj.model import EVENT_COLUMNS, RECORD_COLUMNS
from ddj.store import Store


@dataclass
class BatchSummary:
    batch_id: str
    source: str
    path: str
    rows_read: int = 0
    records_added: int = 0
    records_changed: int = 0
    events_added: int = 0
    events_changed: int = 0
    rows_quarantined: int = 0
    skipped: bool = False

    def line(self) -> str:
        name = Path(self.path).name
        if self.skipped:
            return f"{self.source}: {name} was already ingested; nothing added"
        return (
            f"{self.source}: {name}: {self.rows_read} rows read, "
            f"{self.records_added} records added, {self.records_changed} changed, "
            f"{self.events_added} events added, {self.events_changed} changed, "
            f"{self.rows_quarantined} rows quarantined"
        )


def content_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and bytes, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def already_ingested(store: Store, source: str, sha256: str) -> str | None:
    return store.scalar(
        "SELECT batch_id FROM ingest_batch"
        " WHERE source = ? AND file_sha256 = ? AND status = 'done'",
        [source, sha256],
    )


def write_batch(
    store: Store,
    parsed: ParsedFile,
    *,
    source: str,
    system: str,
    fmt: str,
    profile: str | None,
    path: Path | str,
    sha256: str,
) -> BatchSummary:
    """Write one file's content as one batch, in one transaction: all of it or nothing."""
    con = store.con
    con.execute("BEGIN")
    try:
        batch_id = open_batch(
            store, source=source, system=system, fmt=fmt, profile=profile, path=path, sha256=sha256
        )
        summary = append_to_batch(store, batch_id, parsed, source=source, system=system, path=path)
        close_batch(store, batch_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


def open_batch(
    store: Store,
    *,
    source: str,
    system: str,
    fmt: str,
    profile: str | None,
    path: Path | str,
    sha256: str,
    status: str = "running",
) -> str:
    now = datetime.now().replace(microsecond=0)
    batch_id = f"b{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    store.con.execute(
        "INSERT INTO ingest_batch (batch_id, source, system, format, profile, path,"
        " file_sha256, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, source, system, fmt, profile, str(path), sha256, now, status],
    )
    return batch_id


def append_to_batch(
    store: Store,
    batch_id: str,
    parsed: ParsedFile,
    *,
    source: str,
    system: str,
    path: Path | str,
    session: KnownRows | None = None,
) -> BatchSummary:
    """Add parsed content to an open batch (the caller owns the transaction). A live feed passes
    what its ``session`` knows of the stored rows, and tells it whether the transaction committed
    (``session.keep()`` or ``session.discard()``)."""
    # table -> key -> (version, row_hash) of the current rows already read
    known: dict[str, dict[str, tuple[int, str] | None]] = {"source_record": {}, "event": {}}
    if parsed.patches or parsed.fill_records:
        parsed = merge_with_current(store, parsed, source, known, session)
    now = datetime.now().replace(microsecond=0)
    summary = BatchSummary(
        batch_id,
        source,
        str(path),
        rows_read=parsed.rows_read,
        rows_quarantined=len(parsed.rejected),
    )
    if parsed.records:
        summary.records_added, summary.records_changed = _upsert_records(
            store, parsed, source, system, batch_id, now, known["source_record"], session
        )
    if parsed.events:
        summary.events_added, summary.events_changed = _upsert_events(
            store, parsed, source, system, batch_id, now, known["event"], session
        )
    if parsed.aliases:
        _insert_aliases(store, parsed, source, batch_id)
    counts = (
        "UPDATE ingest_batch SET rows_read = rows_read + ?, records_added = records_added + ?,"
        " records_changed = records_changed + ?, events_added = events_added + ?,"
        " events_changed = events_changed + ?, rows_quarantined = rows_quarantined + ?"
        " WHERE batch_id = ?"
    )
    params = [
        summary.rows_read,
        summary.records_added,
        summary.records_changed,
        summary.events_added,
        summary.events_changed,
        summary.rows_quarantined,
        batch_id,
    ]
    if not parsed.rejected:  # no RETURNING then: it costs as much again (a live feed's commits)
        store.con.execute(lookup.parsed(store, counts), params)
        return summary
    returning = lookup.parsed(store, f"{counts} RETURNING rows_quarantined")
    [(quarantined,)] = store.con.execute(returning, params).fetchall()
    # Numbered after the batch's earlier rows (a file written chunk by chunk, a live feed).
    first = quarantined - len(parsed.rejected) + 1
    _insert_quarantine(store, parsed, source, str(path), batch_id, now, first)
    return summary


def close_batch(store: Store, batch_id: str) -> None:
    store.con.execute(
        "UPDATE ingest_batch SET finished_at = ?, status = 'done' WHERE batch_id = ?",
        [datetime.now(), batch_id],
    )


def _json_dumps() -> Callable[[Any], str]:
    """``json.dumps(value, sort_keys=True, default=str)``, the canonical text the row hashes are
    taken over, without the encoder ``json.dumps`` builds on every call (it is most of a hash's
    cost). The same text: checked here, else json.dumps itself is used."""
    encoder = json.JSONEncoder(sort_keys=True, default=str)
    if c_make_encoder is None:  # a Python without the C accelerator
        return encoder.encode
    encode = c_make_encoder(None, str, encode_basestring_ascii, None, ": ", ", ", True, False, True)

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    sample = {"b": [1.5, None, True, "\u00e9\n"], "a": {"z": date(2024, 1, 2), "y": {}}, "c": 7}
    return dumps if dumps(sample) == encoder.encode(sample) else encoder.encode


_dumps = _json_dumps()


def _hash(values: dict[str, Any]) -> str:
    """SHA-1 of the canonical JSON of ``values`` (keys sorted, dates as text)."""
    return hashlib.sha1(_dumps(values).encode()).hexdigest()


def _text(value: Any) -> Any:
    """A date or time as ``default=str`` would write it, so the hash's encoder does not call back
    into Python for it (the same text, a little faster)."""
    return str(value) if isinstance(value, date) else value


def _upsert_records(
    store: Store,
    parsed: ParsedFile,
    source: str,
    system: str,
    batch_id: str,
    now: datetime,
    known: dict[str, tuple[int, str] | None],
    session: KnownRows | None = None,
) -> tuple[int, int]:
    rows: list[tuple[Any, ...]] = []
    keys: list[str] = []
    hashes: list[str] = []
    for spid, record in parsed.records.items():
        get = record.get
        other_ids = get("other_ids", {})
        other_ids = dict(sorted(other_ids.items())) if len(other_ids) > 1 else dict(other_ids)
        dq_codes = get("dq_codes", {})
        dq_codes = dict(sorted(dq_codes.items())) if len(dq_codes) > 1 else dict(dq_codes)
        dob = get("dob")
        part2 = bool(get("part2"))
        dob_quality = get("dob_quality") or ("full" if dob else "unknown")
        row = (*map(get, RECORD_COLUMNS), other_ids, dq_codes, part2, dob_quality)
        # The hash is over the canonical fields by name (the encoder sorts the keys).
        named = dict(zip(RECORD_COLUMNS, row, strict=False))
        named["dob"] = _text(dob)
        named.update(
            other_ids=other_ids, dq_codes=dq_codes, part2=part2, dob_quality=dob_quality, spid=spid
        )
        rows.append(row)
        keys.append(f"{source}|{spid}")
        hashes.append(hashlib.sha1(_dumps(named).encode()).hexdigest())
    spids = list(parsed.records)
    return _upsert(
        store,
        "source_record",
        "record_key",
        _RECORD_SCHEMA,
        rows,
        (spids,),
        keys,
        hashes,
        (source, system, batch_id, now),
        known,
        session,
    )


def _upsert_events(
    store: Store,
    parsed: ParsedFile,
    source: str,
    system: str,
    batch_id: str,
    now: datetime,
    known: dict[str, tuple[int, str] | None],
    session: KnownRows | None = None,
) -> tuple[int, int]:
    rows: list[tuple[Any, ...]] = []
    keys: list[str] = []
    hashes: list[str] = []
    spids: list[str] = []
    record_keys: list[str] = []
    for event_id, event in parsed.events.items():
        get = event.get
        spid = event["source_person_id"]
        details = get("details")
        details = _dumps(details) if details else "{}"
        part2 = bool(get("part2"))
        row = (*map(get, EVENT_COLUMNS), details, part2)
        named = dict(zip(EVENT_COLUMNS, row, strict=False))
        if isinstance(start := named["start_at"], date):  # as _text(), inline: hot
            named["start_at"] = str(start)
        if isinstance(end := named["end_at"], date):
            named["end_at"] = str(end)
        named.update(details=details, part2=part2, id=event_id, spid=spid)
        rows.append(row)
        keys.append(f"{source}|{event_id}")
        hashes.append(hashlib.sha1(_dumps(named).encode()).hexdigest())
        spids.append(spid)
        record_keys.append(f"{source}|{spid}")
    return _upsert(
        store,
        "event",
        "event_key",
        _EVENT_SCHEMA,
        rows,
        (spids, record_keys),
        keys,
        hashes,
        (source, system, batch_id, now),
        known,
        session,
    )


def _upsert(
    store: Store,
    table_name: str,
    key: str,
    schema: pa.Schema,
    rows: list[tuple[Any, ...]],
    extra: tuple[list[str], ...],
    keys: list[str],
    hashes: list[str],
    labels: tuple[str, str, str, datetime],
    known: dict[str, tuple[int, str] | None],
    session: KnownRows | None = None,
) -> tuple[int, int]:
    """Write the rows that are new or changed: one lookup of the current versions (unless the
    caller knows them), one UPDATE closing the changed ones, one INSERT from Arrow.

    ``rows`` hold the table's canonical columns in ``schema`` order, ``extra`` the columns after
    them (source_person_id, and record_key for events), then come the key, the row hash and the
    version; the table is built only from the rows written."""
    con = store.con
    source, system, batch_id, now = labels
    missing = [k for k in keys if k not in known]
    if missing:
        known.update(dict.fromkeys(missing))
        known.update(current_versions(store, table_name, key, missing))
    take: list[int] = []
    versions: list[int] = []
    changed: list[str] = []
    for i, (k, row_hash) in enumerate(zip(keys, hashes, strict=True)):
        old = known.get(k)
        if old is None:
            take.append(i)
            versions.append(1)
        elif old[1] != row_hash:  # a re-sent row is neither new nor changed: nothing written
            take.append(i)
            versions.append(old[0] + 1)
            changed.append(k)
    if not take:
        return 0, 0
    if session is not None:  # the rows as stored, for the session to remember once committed
        names = schema.names[: len(rows[0])]
        person = extra[0] if table_name == "event" else None  # read back with events only
        for i, version in zip(take, versions, strict=True):
            stored = dict(zip(names, rows[i], strict=True))
            if person is not None:
                stored["source_person_id"] = person[i]
            session.wrote(table_name, keys[i], version, hashes[i], stored)
    if changed:
        with lookup.keys_in(store, key, changed) as (where, params):
            sql = (
                f"UPDATE {table_name} SET is_current = false, valid_to = ?"
                f" WHERE is_current AND {where}"
            )
            con.execute(lookup.parsed(store, sql), [now, *params])
    columns = [*zip(*rows, strict=True), *extra, keys, hashes]
    if len(take) < len(keys):
        columns = [[column[i] for i in take] for column in columns]
    arrays = [arrow.column(c, f.type) for c, f in zip(columns, schema, strict=True)]
    arrays.append(arrow.int32s(versions))
    staged = pa.Table.from_arrays(arrays, schema=schema.append(pa.field("version", pa.int32())))
    names = ", ".join(staged.column_names)
    # DuckDB reads ``staged_rows`` from this frame (a replacement scan): registering and
    # unregistering a table costs as much as the INSERT of a live feed's commit.
    staged_rows = staged  # noqa: F841
    sql = (
        f"INSERT INTO {table_name} ({names}, is_current, source, system, batch_id, valid_from)"
        f" SELECT {names}, true, ?, ?, ?, ? FROM staged_rows"
    )
    con.execute(lookup.parsed(store, sql), [source, system, batch_id, now])
    return len(take) - len(changed), len(changed)


def current_versions(
    store: Store, table_name: str, key: str, keys: list[str]
) -> dict[str, tuple[int, str] | None]:
    """(version, row_hash) of the current rows of these keys (absent keys: not stored yet)."""
    with lookup.keys_in(store, key, keys) as (where, params):
        sql = f"SELECT {key}, version, row_hash FROM {table_name} WHERE is_current AND {where}"
        rows = store.con.execute(lookup.parsed(store, sql), params).fetchall()
    return {k: (version, row_hash) for k, version, row_hash in rows}


def _insert_aliases(store: Store, parsed: ParsedFile, source: str, batch_id: str) -> None:
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [])
    spids, record_keys, firsts, lasts, dobs, hashes = columns
    for alias in parsed.aliases:
        spid = alias["source_person_id"]
        record_key = f"{source}|{spid}"
        first, last, dob = alias.get("first_name"), alias.get("last_name"), alias.get("dob")
        text = _dumps(
            {"dob": _text(dob), "first_name": first, "last_name": last, "record_key": record_key}
        )
        spids.append(spid)
        record_keys.append(record_key)
        firsts.append(first)
        lasts.append(last)
        dobs.append(dob)
        hashes.append(hashlib.sha1(text.encode()).hexdigest())
    staged_aliases = pa.Table.from_arrays(  # noqa: F841 (read by DuckDB, as staged_rows)
        [arrow.column(c, f.type) for c, f in zip(columns, _ALIAS_SCHEMA, strict=True)],
        schema=_ALIAS_SCHEMA,
    )
    sql = """
        INSERT INTO record_alias (source, source_person_id, record_key, first_name, last_name,
                                  dob, batch_id, alias_hash)
        SELECT DISTINCT ON (alias_hash) ?, source_person_id, record_key, first_name,
               last_name, dob, ?, alias_hash
        FROM staged_aliases
        WHERE alias_hash NOT IN (SELECT alias_hash FROM record_alias)
    """
    store.con.execute(lookup.parsed(store, sql), [source, batch_id])


def _insert_quarantine(
    store: Store,
    parsed: ParsedFile,
    source: str,
    path: str,
    batch_id: str,
    now: datetime,
    first: int,
) -> None:
    rejected = parsed.rejected
    staged_quarantine = pa.Table.from_arrays(  # noqa: F841 (read by DuckDB, as staged_rows)
        [
            arrow.strings([f"{batch_id}-{i}" for i in range(first, first + len(rejected))]),
            arrow.int32s([r.row_number for r in rejected]),
            arrow.strings([r.field for r in rejected]),
            arrow.strings([r.value for r in rejected]),
            arrow.strings([r.reason for r in rejected]),
        ],
        ["quarantine_id", "row_number", "field", "value", "reason"],
    )
    sql = (
        "INSERT INTO quarantine (quarantine_id, batch_id, source, file, row_number, field,"
        " value, reason, created_at) SELECT quarantine_id, ?, ?, ?, row_number, field, value,"
        " reason, ? FROM staged_quarantine"
    )
    store.con.execute(lookup.parsed(store, sql), [batch_id, source, path, now])


_S = pa.string()
# Arrow types of the canonical columns that are not text.
_TYPES = {
    "dob": pa.date32(),
    "start_at": pa.timestamp("us"),
    "end_at": pa.timestamp("us"),
    "charges": pa.list_(_S),
    "diagnosis_codes": pa.list_(_S),
    "cost": pa.float64(),
    "other_ids": pa.map_(_S, _S),
    "dq_codes": pa.map_(_S, _S),
    "part2": pa.bool_(),
}
# The columns staged for an INSERT, in the order _upsert_records / _upsert_events build them.
_RECORD_SCHEMA = pa.schema(
    (name, _TYPES.get(name, _S))
    for name in (
        *RECORD_COLUMNS,
        "other_ids",
        "dq_codes",
        "part2",
        "dob_quality",
        "source_person_id",
        "record_key",
        "row_hash",
    )
)
_EVENT_SCHEMA = pa.schema(
    (name, _TYPES.get(name, _S))
    for name in (
        *EVENT_COLUMNS,
        "details",
        "part2",
        "source_person_id",
        "record_key",
        "event_key",
        "row_hash",
    )
)
_ALIAS_SCHEMA = pa.schema(
    [
        ("source_person_id", _S),
        ("record_key", _S),
        ("first_name", _S),
        ("last_name", _S),
        ("dob", pa.date32()),
        ("alias_hash", _S),
    ]
)
