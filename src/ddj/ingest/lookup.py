"""Statements the writer runs over and over: parsed once, and keys given as a condition DuckDB
evaluates cheaply."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from ddj.ingest import arrow
from ddj.store import Store

_PARSED: dict[str, Any] = {}  # SQL text -> duckdb.Statement


def parsed(store: Store, sql: str) -> Any:
    """``sql`` parsed once (``duckdb.Statement``): a live feed's commit runs the same few
    statements every time, and parsing is a good part of a small statement's cost. The texts
    are the writer's own (a few per table), so the cache stays small."""
    statement = _PARSED.get(sql)
    if statement is None:
        [statement] = store.con.extract_statements(sql)
        if len(_PARSED) < 256:
            _PARSED[sql] = statement
    return statement


# Up to this many keys go to DuckDB as one list parameter; more as an Arrow table to join (a
# list parameter is converted value by value, an Arrow table is not, but registering one costs
# more than a short list).
KEYS_AS_LIST = 256


@contextmanager
def keys_in(store: Store, column: str, keys: list[str]) -> Iterator[tuple[str, list[Any]]]:
    """A condition ``column`` is one of ``keys``, and its parameters, for a WHERE clause."""
    if len(keys) <= KEYS_AS_LIST:
        yield f"{column} = ANY(?::VARCHAR[])", [keys]
        return
    # (registered by name: the query runs in the caller's frame, so a local variable would not
    # be found by DuckDB's replacement scan; once per chunk, its cost does not matter)
    name = f"staged_keys_{column}"
    store.con.register(name, pa.Table.from_arrays([arrow.strings(keys)], ["k"]))
    try:
        yield f"{column} IN (SELECT k FROM {name})", []
    finally:
        store.con.unregister(name)
