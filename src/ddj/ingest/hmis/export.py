"""Finding the files of an HMIS CSV export (a folder or a .zip) and reading their rows.

A file of the export is found by name, ignoring case and (in a zip) the folder it sits in. Rows
are decoded line by line, so one badly encoded row is quarantined rather than the whole file.
"""

from __future__ import annotations

import csv
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ddj.errors import FileUnreadableError

CLIENT = "Client.csv"
_BAD_BYTE = "\ufffd"
# What a damaged zip raises while it is opened or read (zipfile does not wrap them all).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unknown compression method
    ValueError,
)

Opener = Callable[[], IO[bytes]]
# (row number, values by column, problem): problem is (column or None, reason).
Row = tuple[int, dict[str, str], tuple[str | None, str] | None]


@dataclass
class Export:
    """One HMIS CSV export: its files by lower-case name."""

    label: str  # how messages name the export (a path)
    prefix: str = ""  # put before file names in quarantine fields ("" for a single export)
    zipped: bool = False
    members: dict[str, tuple[str, Opener]] = field(default_factory=dict)
    closer: AbstractContextManager | None = None

    def has(self, name: str) -> bool:
        return name.lower() in self.members

    def rows(self, name: str, required: tuple[str, ...], known: tuple[str, ...]) -> Iterator[Row]:
        """The data rows of one file, keyed by the spec's column names. Raises for the whole file
        when its header lacks a required column."""
        shown, opener = self.members[name.lower()]
        where = f"{self.label} ({shown})" if self.zipped else str(Path(self.label) / shown)
        lines = _read_lines(opener, where)
        first = next(lines, None)
        if first is None:
            raise FileUnreadableError("file is empty (no header row)", where=where)
        header = _header(first, where, known)
        missing = [c for c in required if c not in header]
        if missing:
            raise FileUnreadableError(
                f"missing required column(s) {', '.join(missing)} "
                f"(found: {', '.join(header[:10]) or 'nothing'})",
                where=where,
                fix="HMIS CSV files are comma-separated with the HUD column names in the first row",
            )
        return _data_rows(lines, header)

    def close(self) -> None:
        if self.closer is not None:
            self.closer.__exit__(None, None, None)


def find_exports(path: Path) -> list[Export]:
    """The export at path: a folder holding Client.csv, a .zip, or a folder of .zip exports
    (read in name order, so later exports update earlier ones)."""
    if not path.exists():
        raise FileUnreadableError("file not found", where=str(path))
    if path.is_dir():
        return _folder_exports(path)
    if path.name.lower().endswith(".csv"):
        raise FileUnreadableError(
            "an HMIS CSV export is a whole folder or .zip, not one CSV file",
            where=str(path),
            fix="point at the folder that holds Client.csv, Enrollment.csv, ... or at the .zip",
        )
    return [_zip_export(path, "")]


def _folder_exports(folder: Path) -> list[Export]:
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    if CLIENT.lower() in files:
        export = Export(str(folder))
        for lower, file in files.items():
            export.members[lower] = (file.name, _file_opener(file))
        return [export]
    zips = sorted(p for p in files.values() if p.suffix.lower() == ".zip")
    if not zips:
        raise FileUnreadableError(
            f"no {CLIENT} in this folder (and no .zip export)",
            where=str(folder),
            fix="point at the unzipped HMIS CSV export (the folder with Client.csv) or the .zip",
        )
    prefix = len(zips) > 1
    exports: list[Export] = []
    try:
        for z in zips:
            exports.append(_zip_export(z, f"{z.name}/" if prefix else ""))
    except FileUnreadableError:
        for export in exports:
            export.close()
        raise
    return exports


def _file_opener(file: Path) -> Opener:
    return lambda: file.open("rb")


def _zip_export(path: Path, prefix: str) -> Export:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise FileUnreadableError(
            f"not a readable zip file ({exc})",
            where=str(path),
            fix="export the HMIS CSV again, or unzip it and point at the folder",
        ) from exc
    export = Export(str(path), prefix, zipped=True, closer=archive)
    for info in infos:
        name = info.filename.replace("\\", "/")
        base = name.rsplit("/", 1)[-1]
        if info.is_dir() or not base or name.startswith("__MACOSX/"):
            continue
        if base.lower() in export.members:
            export.close()
            raise FileUnreadableError(
                f"the zip holds more than one {base} ({export.members[base.lower()][0]}, {name})",
                where=str(path),
                fix="put one HMIS CSV export in each zip",
            )
        export.members[base.lower()] = (name, _member_opener(archive, info))
    if CLIENT.lower() not in export.members:
        export.close()
        raise FileUnreadableError(
            f"the zip holds no {CLIENT}",
            where=str(path),
            fix="is this an HMIS CSV export? it needs Client.csv, Enrollment.csv, ...",
        )
    return export


def _member_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Opener:
    return lambda: archive.open(info)


def _read_lines(opener: Opener, where: str) -> Iterator[bytes]:
    """The file's lines; a read error (a damaged zip member) fails the whole file."""
    try:
        with opener() as handle:
            yield from handle
    except _ZIP_ERRORS as exc:
        raise FileUnreadableError(f"cannot read the file ({exc})", where=where) from exc


def _header(first: bytes, where: str, known: tuple[str, ...]) -> list[str]:
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileUnreadableError(
            "the header row is not valid UTF-8", where=where, fix="export the file as UTF-8"
        ) from exc
    try:
        names = next(csv.reader([text.lstrip("\ufeff")]), [])
    except csv.Error as exc:
        raise FileUnreadableError(f"unreadable header row ({exc})", where=where) from exc
    # Column names are case-sensitive since FY2024; older exports vary, so match them by case.
    spelled = {k.lower(): k for k in known}
    return [spelled.get(n.strip().lower(), n.strip()) for n in names]


def _data_rows(lines: Iterator[bytes], header: list[str]) -> Iterator[Row]:
    # The lines (1 = the first after the header) holding U+FFFD, from bytes that are not UTF-8
    # or written as such: a row is badly encoded exactly when one of its lines is marked (the
    # csv reader keeps every character but quotes, delimiters and line ends), which is cheaper
    # to ask than to search every value of every row.
    marked: set[int] = set()

    def texts() -> Iterator[str]:
        for number, raw in enumerate(lines, 1):
            text = raw.decode("utf-8", errors="replace")
            if _BAD_BYTE in text:
                marked.add(number)
            yield text

    reader = csv.reader(texts())
    row_number = 0
    width = len(header)
    while True:
        start_line = reader.line_num
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_number += 1
            yield row_number, {}, (None, f"unreadable CSV row ({exc})")
            continue
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        row_number += 1
        if marked and not marked.isdisjoint(range(start_line + 1, reader.line_num + 1)):
            bad = next((h for h, v in zip(header, values, strict=False) if _BAD_BYTE in v), None)
            yield row_number, {}, (bad, "bad encoding: the row is not valid UTF-8")
        elif len(values) != width:
            spanned = reader.line_num - start_line
            yield row_number, {}, (None, _count_reason(len(values), width, spanned))
        else:
            yield row_number, dict(zip(header, values, strict=True)), None


def _count_reason(found: int, width: int, spanned: int) -> str:
    reason = f"wrong column count: {found} values for {width} columns"
    if spanned > 1:
        reason += f" (an unclosed quote joined {spanned} lines into this row)"
    return reason
