"""What a live feed's writer knows without asking the database, so a commit reads little.

While ``ddj listen`` runs it is the workspace's only writer (it holds the DuckDB file), so:

- the current stored version of a row it wrote or read lately is the one it remembers
  (``rows``: the row as stored, its version and hash; the latest ``capacity`` per table);
- a key that is in no table for the source when the session starts, and that the session has not
  written, is not stored. ``stored`` is a Bloom filter of every key stored for the source, filled
  from the database at the start and with each key written: a key it has never seen is certainly
  not stored (a key it has seen may not be: a false positive just means a lookup).

A commit then looks up only the keys that are neither remembered nor certainly new. Without this,
every commit read the current rows of its keys from the event and record tables: two statements
that cost more than their rows, and that scan tables growing with every message. What is written
is remembered only after the COMMIT (``keep`` then ``discard``), so a failed commit leaves the
memory as the database is.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from ddj.store import Store

TABLES = {"source_record": "record_key", "event": "event_key"}
_HASHES = 6  # bit positions per key
_BITS_PER_KEY = 16  # about 0.1% false positives at the design count
_ROOM = 1_000_000  # keys a session may add before the filter is rebuilt larger


class StoredKeys:
    """A Bloom filter of keys (Python's string hash, so only valid in this process)."""

    def __init__(self, keys: list[str], room: int = _ROOM):
        self.design = len(keys) + room
        self.size = max(1 << 16, _BITS_PER_KEY * self.design)
        self.count = len(keys)
        found = np.zeros(self.size, dtype=bool)
        if keys:
            hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys)).view(np.uint64)
            low, high = hashes & np.uint64(0xFFFFFFFF), (hashes >> np.uint64(32)) | np.uint64(1)
            for i in range(_HASHES):
                found[(low + np.uint64(i) * high) % np.uint64(self.size)] = True
        self.bits = bytearray(np.packbits(found, bitorder="little").tobytes())

    def _positions(self, key: str) -> list[int]:
        h = hash(key) & 0xFFFFFFFFFFFFFFFF
        low, high = h & 0xFFFFFFFF, (h >> 32) | 1
        return [(low + i * high) % self.size for i in range(_HASHES)]

    def add(self, key: str) -> None:
        bits = self.bits
        for p in self._positions(key):
            bits[p >> 3] |= 1 << (p & 7)
        self.count += 1

    def __contains__(self, key: str) -> bool:
        bits = self.bits
        return all(bits[p >> 3] >> (p & 7) & 1 for p in self._positions(key))

    @property
    def full(self) -> bool:
        return self.count > 2 * self.design


class KnownRows:
    """The session's knowledge of one source's stored rows (see the module's docstring)."""

    def __init__(self, store: Store, source: str, capacity: int = 10_000):
        self.store, self.source, self.capacity = store, source, capacity
        self.rows: dict[str, OrderedDict[str, tuple[int, str, dict[str, Any]]]] = {
            table: OrderedDict() for table in TABLES
        }
        self.pending: list[tuple[str, str, int, str, dict[str, Any]]] = []
        self.stored = self._load()

    def _load(self) -> StoredKeys:
        keys: list[str] = []
        for table, key in TABLES.items():
            rows = self.store.con.execute(
                f"SELECT DISTINCT {key} FROM {table} WHERE source = ?", [self.source]
            ).fetchall()
            keys += [k for (k,) in rows]
        return StoredKeys(keys)

    def lookup(
        self, table: str, keys: list[str]
    ) -> tuple[dict[str, tuple[int, str, dict[str, Any]]], list[str], list[str]]:
        """(remembered: key -> (version, row_hash, a copy of the stored row), keys certainly not
        stored, keys to look up)."""
        remembered: dict[str, tuple[int, str, dict[str, Any]]] = {}
        new: list[str] = []
        unknown: list[str] = []
        rows = self.rows[table]
        for key in keys:
            found = rows.get(key)
            if found is not None:
                rows.move_to_end(key)
                remembered[key] = (found[0], found[1], dict(found[2]))
            elif key not in self.stored:
                new.append(key)
            else:
                unknown.append(key)
        return remembered, new, unknown

    def read(self, table: str, key: str, version: int, row_hash: str, row: dict[str, Any]) -> None:
        """A current row read from the database (remembered as it is: nothing to commit)."""
        self._remember(table, key, version, row_hash, dict(row))

    def wrote(self, table: str, key: str, version: int, row_hash: str, row: dict[str, Any]) -> None:
        """A row written in the open transaction: remembered once it is committed."""
        self.pending.append((table, key, version, row_hash, row))

    def keep(self) -> None:
        """The transaction committed: what it wrote is what is stored."""
        for table, key, version, row_hash, row in self.pending:
            self._remember(table, key, version, row_hash, row)
            self.stored.add(key)
        self.pending.clear()
        if self.stored.full:
            self.stored = self._load()

    def discard(self) -> None:
        """The transaction rolled back: forget what it wrote."""
        for table, key, *_ in self.pending:
            self.rows[table].pop(key, None)
        self.pending.clear()

    def _remember(
        self, table: str, key: str, version: int, row_hash: str, row: dict[str, Any]
    ) -> None:
        rows = self.rows[table]
        rows[key] = (version, row_hash, row)
        rows.move_to_end(key)
        if len(rows) > self.capacity:
            rows.popitem(last=False)
