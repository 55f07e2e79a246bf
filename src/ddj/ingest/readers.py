"""Reading tabular files (CSV, XLSX, Parquet) row by row, with row-level problems reported.

A reader yields ``(row_number, values, problem)``: row_number counts data rows from 1 (the header
is row 0), values maps column name to text or a Python value, problem is None or a
(field, value, reason) triple for a row that cannot be read at all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ddj.errors import FileUnreadableError

RowProblem = tuple[str | None, str | None, str]
Row = tuple[int, dict[str, Any], RowProblem | None]

_BAD_BYTE = "\ufffd"


def read_header(path: Path) -> list[str]:
    return next(_iter_rows(path, header_only=True))[1]["__header__"]


def iter_rows(path: Path) -> Iterator[Row]:
    yield from _iter_rows(path, header_only=False)


def _iter_rows(path: Path, *, header_only: bool) -> Iterator[Row]:
    if not path.exists():
        raise FileUnreadableError(
            "file not found", where=str(path), fix="check the path in ddj.toml"
        )
    if path.is_dir():
        raise FileUnreadableError("is a folder, not a file", where=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        yield from _csv_rows(path, "\t" if suffix == ".tsv" else ",", header_only)
    elif suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path, header_only)
    elif suffix == ".parquet":
        yield from _parquet_rows(path, header_only)
    else:
        raise FileUnreadableError(
            f"unsupported file type {suffix or '(none)'}",
            where=str(path),
            fix="tabular files must be .csv, .tsv, .xlsx or .parquet",
        )


def _csv_rows(path: Path, delimiter: str, header_only: bool) -> Iterator[Row]:
    # Decode line by line so that one badly encoded row is quarantined, not the whole file.
    with path.open("rb") as handle:
        first = handle.readline()
        if not first:
            raise FileUnreadableError("file is empty (no header row)", where=str(path))
        first_text, first_ok = _decode(first)
        if not first_ok:
            raise FileUnreadableError(
                "the header row is not valid UTF-8", where=str(path), fix="save the file as UTF-8"
            )
        header = [
            h.strip() for h in next(csv.reader([first_text.lstrip("\ufeff")], delimiter=delimiter))
        ]
        if header_only:
            yield 0, {"__header__": header}, None
            return
        # The lines (1 = the first after the header) holding U+FFFD: bytes that are not UTF-8,
        # decoded as U+FFFD, or the character itself. A row is badly encoded exactly when one of
        # its lines is marked (the csv reader keeps every character of a line but quotes,
        # delimiters and line ends), which is cheaper to ask than to search every value.
        marked: set[int] = set()

        def text_lines() -> Iterator[str]:
            for number, raw in enumerate(handle, 1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace")
                if _BAD_BYTE in text:
                    marked.add(number)
                yield text

        reader = csv.reader(text_lines(), delimiter=delimiter)
        row_number = 0
        width = len(header)
        last_line = 0
        for values in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            row_number += 1
            if marked and not marked.isdisjoint(range(first_line, last_line + 1)):
                column = next(
                    (h for h, v in zip(header, values, strict=False) if _BAD_BYTE in v), None
                )
                yield row_number, {}, (column, None, "bad encoding: the row is not valid UTF-8")
                continue
            if len(values) != width:
                yield (
                    row_number,
                    {},
                    (
                        None,
                        None,
                        f"wrong column count: {len(values)} values for {len(header)} columns",
                    ),
                )
                continue
            yield row_number, dict(zip(header, values, strict=True)), None


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), False


def _xlsx_rows(path: Path, header_only: bool) -> Iterator[Row]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise FileUnreadableError(f"cannot open the workbook: {exc}", where=str(path)) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        if not header_row or all(v is None for v in header_row):
            raise FileUnreadableError("the first sheet has no header row", where=str(path))
        header = [str(h).strip() if h is not None else "" for h in header_row]
        if header_only:
            yield 0, {"__header__": header}, None
            return
        row_number = 0
        for values in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            row_number += 1
            yield row_number, {h: v for h, v in zip(header, values, strict=False) if h}, None
    finally:
        book.close()


def _parquet_rows(path: Path, header_only: bool) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise FileUnreadableError(f"not a readable Parquet file: {exc}", where=str(path)) from exc
    header = parquet.schema_arrow.names
    if header_only:
        yield 0, {"__header__": header}, None
        return
    row_number = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for values in batch.to_pylist():
            row_number += 1
            yield row_number, values, None
