"""Running importers over configured sources or ad-hoc paths, and writing their batches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ddj.config import Config, SourceConfig, SourceFile
from ddj.errors import ConfigError
from ddj.ingest import tabular
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.profile import Profile, resolve_profile
from ddj.ingest.writer import BatchSummary, already_ingested, file_sha256, write_batch
from ddj.store import Store

Progress = Callable[[str], None]
# Format name -> (file patterns it reads from a folder, whether it needs a mapping profile).
_FORMATS: dict[str, tuple[tuple[str, ...], bool]] = {
    "table": (("*.csv", "*.tsv", "*.xlsx", "*.parquet"), True),
}


def _parse(fmt: str, path: Path, profile: Profile | None) -> ParsedFile:
    if fmt == "table":
        assert profile is not None
        return tabular.parse_file(path, profile)
    raise ConfigError(
        f"format {fmt!r} is not available in this version of ddj",
        fix='use format = "table" with a mapping profile',
    )


def ingest_source(
    store: Store, config: Config, source: SourceConfig, progress: Progress | None = None
) -> list[BatchSummary]:
    summaries = []
    for source_file in source.files:
        for path in _expand(source_file.path, source.format):
            summaries.append(ingest_file(store, config, source, source_file, path, progress))
    return summaries


def ingest_file(
    store: Store,
    config: Config,
    source: SourceConfig,
    source_file: SourceFile,
    path: Path,
    progress: Progress | None = None,
) -> BatchSummary:
    if source.format not in _FORMATS:
        _parse(source.format, path, None)  # raises the "not available" error
    needs_profile = _FORMATS[source.format][1]
    profile = None
    if needs_profile:
        if not source_file.profile:
            raise ConfigError(
                f"source {source.name!r}: {path.name} has no mapping profile",
                fix='add profile = "NAME" to the file entry in ddj.toml, or --profile on the '
                "command line",
            )
        profile = resolve_profile(source_file.profile, config.profiles, config.root)
    if progress:
        progress(f"{source.name}: reading {path.name}")
    sha = file_sha256(path) if path.is_file() else ""
    done = already_ingested(store, source.name, sha) if sha else None
    if done:
        return BatchSummary(done, source.name, str(path), skipped=True)
    parsed = _parse(source.format, path, profile)
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


def _expand(path: Path, fmt: str) -> list[Path]:
    """A folder stands for the files in it that the format reads, in name order."""
    if path.is_dir():
        patterns = _FORMATS.get(fmt, (("*",), False))[0]
        found = sorted({p for pattern in patterns for p in path.glob(pattern)})
        return found
    return [path]
