"""Running importers over configured sources or ad-hoc paths, and writing their batches."""

from __future__ import annotations

import gc
import importlib
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from ddj.config import Config, SourceConfig, SourceFile
from ddj.errors import ConfigError, FileUnreadableError
from ddj.ingest.profile import resolve_profile
from ddj.ingest.writer import (
    BatchSummary,
    already_ingested,
    append_to_batch,
    close_batch,
    content_sha256,
    open_batch,
    write_batch,
)
from ddj.store import Store

Progress = Callable[[str], None]

# Format name -> the module that reads it. Each module defines:
#   PATTERNS: tuple[str, ...]  the file names it reads from a folder (glob patterns)
#   NEEDS_PROFILE: bool        whether a mapping profile is required
#   WHOLE_FOLDER: bool         True when a folder is one export (HMIS CSV), not a set of files
#   parse_file(path: Path, profile: Profile | None) -> ParsedFile
FORMAT_MODULES: dict[str, str] = {
    "table": "ddj.ingest.tabular",
    "hmis-csv": "ddj.ingest.hmis",
    "hl7v2": "ddj.ingest.hl7v2",
    "nemsis": "ddj.ingest.nemsis",
    "fhir": "ddj.ingest.fhir",
}


def format_module(fmt: str) -> ModuleType:
    name = FORMAT_MODULES.get(fmt)
    if name is None:
        raise ConfigError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(FORMAT_MODULES)}")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise ConfigError(
            f"format {fmt!r} is not available in this version of ddj",
            fix='use format = "table" with a mapping profile',
        ) from exc


def ingest_source(
    store: Store, config: Config, source: SourceConfig, progress: Progress | None = None
) -> list[BatchSummary]:
    summaries = []
    with fewer_collections():
        for source_file in source.files:
            for path in _expand(source_file.path, source.format):
                summaries.append(ingest_file(store, config, source, source_file, path, progress))
    return summaries


# Python's cyclic garbage collector runs every 700 new container objects by default; an importer
# makes a few dicts per row and keeps them until the chunk is written, so the collector would
# walk the growing chunk over and over (10-25% of an ingest's CPU). Ingested rows form no
# reference cycles (reference counting frees them), so collecting less often costs no memory.
_INGEST_GC_THRESHOLD = (100_000, 50, 50)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the garbage collector's thresholds for the duration, then restore them."""
    before = gc.get_threshold()
    if before[0]:  # 0: automatic collection is off already
        gc.set_threshold(*(max(a, b) for a, b in zip(_INGEST_GC_THRESHOLD, before, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def ingest_file(
    store: Store,
    config: Config,
    source: SourceConfig,
    source_file: SourceFile,
    path: Path,
    progress: Progress | None = None,
) -> BatchSummary:
    reader = format_module(source.format)
    profile = None
    if reader.NEEDS_PROFILE:
        if not source_file.profile:
            raise ConfigError(
                f"source {source.name!r}: {path.name} has no mapping profile",
                fix='add profile = "NAME" to the file entry in ddj.toml, or --profile on the '
                "command line",
            )
        profile = resolve_profile(source_file.profile, config.profiles, config.root)
    if progress:
        progress(f"{source.name}: reading {path.name}")
    if not path.exists():
        raise FileUnreadableError(
            "file not found",
            where=str(path),
            fix="check the path in ddj.toml or on the command line",
        )
    sha = content_sha256(path)
    done = already_ingested(store, source.name, sha) if sha else None
    if done:
        return BatchSummary(done, source.name, str(path), skipped=True)
    if hasattr(reader, "iter_chunks"):
        return _write_in_chunks(
            store,
            reader.iter_chunks(path, profile),
            source,
            profile.name if profile else None,
            path,
            sha,
        )
    parsed = reader.parse_file(path, profile)
    return write_batch(
        store,
        parsed,
        source=source.name,
        system=source.system,
        fmt=source.format,
        profile=profile.name if profile else None,
        path=path,
        sha256=sha,
    )


def _write_in_chunks(
    store: Store, chunks, source: SourceConfig, profile: str | None, path: Path, sha: str
) -> BatchSummary:
    """A large file, chunk by chunk, one transaction each, so memory stays flat in file size.

    The batch stays 'running' until the last chunk is in; if reading fails part-way, it is marked
    'failed' and ingesting the file again completes it (rows already stored add nothing). The
    first chunk is read before the batch opens, so a file that cannot be read at all (found at
    its start) leaves nothing behind."""
    chunks = iter(chunks)
    first = next(chunks)
    batch_id = open_batch(
        store,
        source=source.name,
        system=source.system,
        fmt=source.format,
        profile=profile,
        path=path,
        sha256=sha,
    )
    total = BatchSummary(batch_id, source.name, str(path))
    try:
        for chunk in itertools.chain([first], chunks):
            store.con.execute("BEGIN")
            try:
                part = append_to_batch(
                    store, batch_id, chunk, source=source.name, system=source.system, path=path
                )
                store.con.execute("COMMIT")
            except BaseException:
                store.con.execute("ROLLBACK")
                raise
            for name in (
                "rows_read",
                "records_added",
                "records_changed",
                "events_added",
                "events_changed",
                "rows_quarantined",
            ):
                setattr(total, name, getattr(total, name) + getattr(part, name))
    except BaseException:
        store.con.execute(
            "UPDATE ingest_batch SET status = 'failed' WHERE batch_id = ?", [batch_id]
        )
        raise
    close_batch(store, batch_id)
    return total


def _expand(path: Path, fmt: str) -> list[Path]:
    """A folder stands for the files in it that the format reads, in name order (or, for a
    format whose export is a whole folder, for itself)."""
    reader = format_module(fmt)
    if path.is_dir() and not getattr(reader, "WHOLE_FOLDER", False):
        return sorted({p for pattern in reader.PATTERNS for p in path.glob(pattern)})
    return [path]
