"""Arrow columns built from Python lists without ``pyarrow.array``.

``pyarrow.array`` asks whether its input is a pandas object, which imports pandas: 0.4 s of CPU
in every process that writes an ingest batch, more than a whole small file takes. These build the
same arrays (tests compare them with ``pyarrow.array``) from their buffers, with numpy, for the
types the writer stages: text, dates, naive timestamps in microseconds, doubles, booleans, 32-bit
integers, lists of text and maps of text to text. None is null.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

_EPOCH_DAY = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)


def _validity(values: list[Any]) -> tuple[pa.Buffer | None, int]:
    """The validity bitmap (None when nothing is null) and the null count."""
    nulls = values.count(None)
    if not nulls:
        return None, 0
    if nulls == len(values):
        return pa.py_buffer(bytes((nulls + 7) // 8)), nulls
    valid = np.array([v is not None for v in values], dtype=bool)
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def _offsets(lengths: Any, count: int) -> pa.Buffer:
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(np.fromiter(lengths, dtype=np.int64, count=count), out=offsets[1:], dtype=np.int32)
    return pa.py_buffer(offsets)


def strings(values: list[str | None]) -> pa.Array:
    validity, nulls = _validity(values)
    count = len(values)
    if nulls == count:  # (a column the source never fills)
        offsets = pa.py_buffer(bytes(4 * (count + 1)))
        return pa.Array.from_buffers(
            pa.string(), count, [validity, offsets, pa.py_buffer(b"")], null_count=nulls
        )
    texts = ["" if v is None else v for v in values] if nulls else values
    joined = "".join(texts)  # type: ignore[arg-type]
    data = joined.encode()
    if len(data) == len(joined):  # ASCII: each text's bytes are its characters
        lengths: Any = map(len, texts)
    else:
        lengths = (len(t.encode()) for t in texts)  # type: ignore[union-attr]
    return pa.Array.from_buffers(
        pa.string(),
        count,
        [validity, _offsets(lengths, count), pa.py_buffer(data)],
        null_count=nulls,
    )


def _fixed(kind: pa.DataType, numbers: np.ndarray, values: list[Any]) -> pa.Array:
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(
        kind, len(values), [validity, pa.py_buffer(numbers)], null_count=nulls
    )


def dates(values: list[date | None]) -> pa.Array:
    days = (0 if v is None else v.toordinal() - _EPOCH_DAY for v in values)
    return _fixed(pa.date32(), np.fromiter(days, dtype=np.int32, count=len(values)), values)


def _microseconds(value: datetime) -> int:
    if value.tzinfo is not None:  # as pyarrow does: the UTC time
        value = value.astimezone(UTC).replace(tzinfo=None)
    return (value - _EPOCH) // _US


def timestamps(values: list[datetime | None]) -> pa.Array:
    """Microseconds without a time zone (``pa.timestamp("us")``)."""
    present = [_EPOCH if v is None else v for v in values]
    if any(v.tzinfo is not None for v in present):
        micros = (0 if v is None else _microseconds(v) for v in values)
        numbers = np.fromiter(micros, dtype=np.int64, count=len(values))
    else:  # naive times: numpy converts them in one step
        numbers = np.array(present, dtype="datetime64[us]").view(np.int64)
    return _fixed(pa.timestamp("us"), numbers, values)


def doubles(values: list[float | None]) -> pa.Array:
    numbers = np.fromiter((0.0 if v is None else v for v in values), np.float64, len(values))
    return _fixed(pa.float64(), numbers, values)


def int32s(values: list[int | None]) -> pa.Array:
    numbers = np.fromiter((0 if v is None else v for v in values), np.int32, len(values))
    return _fixed(pa.int32(), numbers, values)


def bools(values: list[bool | None]) -> pa.Array:
    bits = np.fromiter((bool(v) for v in values), dtype=bool, count=len(values))
    validity, nulls = _validity(values)
    data = pa.py_buffer(np.packbits(bits, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity, data], null_count=nulls)


def string_lists(values: list[list[str] | None]) -> pa.Array:
    items = [item for v in values if v is not None for item in v]
    validity, nulls = _validity(values)
    offsets = _offsets((0 if v is None else len(v) for v in values), len(values))
    return pa.Array.from_buffers(
        pa.list_(pa.string()),
        len(values),
        [validity, offsets],
        null_count=nulls,
        children=[strings(items)],
    )


_MAP = pa.map_(pa.string(), pa.string())


def string_maps(values: list[dict[str, str] | None]) -> pa.Array:
    pairs = [(k, v) for m in values if m is not None for k, v in m.items()]
    entries = pa.StructArray.from_arrays(
        [strings([k for k, _ in pairs]), strings([v for _, v in pairs])],
        fields=[_MAP.key_field, _MAP.item_field],
    )
    validity, nulls = _validity(values)
    offsets = _offsets((0 if m is None else len(m) for m in values), len(values))
    return pa.Array.from_buffers(
        _MAP, len(values), [validity, offsets], null_count=nulls, children=[entries]
    )


_BUILDERS = {
    pa.string(): strings,
    pa.date32(): dates,
    pa.timestamp("us"): timestamps,
    pa.float64(): doubles,
    pa.int32(): int32s,
    pa.bool_(): bools,
    pa.list_(pa.string()): string_lists,
    _MAP: string_maps,
}


def column(values: list[Any], kind: pa.DataType) -> pa.Array:
    """``pa.array(values, kind)`` for the types above."""
    return _BUILDERS[kind](values)
