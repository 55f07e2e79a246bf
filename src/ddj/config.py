"""Reading ddj.toml: sources, mapping profiles, linkage settings and cohort rules."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddj.errors import ConfigError

CONFIG_NAME = "ddj.toml"
DATABASE_NAME = "ddj.duckdb"
FORMATS = ("table", "hmis-csv", "hl7v2", "nemsis", "fhir")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    profile: str | None = None


@dataclass(frozen=True)
class SourceConfig:
    name: str
    system: str
    format: str
    files: tuple[SourceFile, ...]


@dataclass(frozen=True)
class LinkConfig:
    threshold: float = 0.97
    seed: int = 42
    engine: str = "duckdb"  # where Splink runs: link/engine.py knows the choices
    train_from_reviews: bool = False  # also estimate m from reviewers' "link" decisions
    max_pairs_for_training: float = 2e6
    # Expectation maximisation estimates m from at most about this many blocked pairs (records
    # are sampled by a hash of their key, so the same data gives the same sample); 0 = all pairs.
    max_pairs_for_em: float = 1e6


@dataclass
class Config:
    root: Path
    database: Path
    sources: list[SourceConfig] = field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    link: LinkConfig = field(default_factory=LinkConfig)
    cohorts: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(
            f"no source named {name!r} (configured: {known})",
            where=str(self.root / CONFIG_NAME),
            fix="add it under [[sources]] or check the spelling",
        )


def resolve_workspace(explicit: str | Path | None = None) -> Path:
    """The workspace folder: the one given, else $DDJ_WORKSPACE, else the current folder."""
    chosen = explicit or os.environ.get("DDJ_WORKSPACE") or os.getcwd()
    return Path(chosen).expanduser().resolve()


def load_config(root: Path) -> Config:
    """Read ROOT/ddj.toml; a workspace without one gets the defaults (no sources)."""
    path = root / CONFIG_NAME
    if not path.exists():
        return Config(root=root, database=root / DATABASE_NAME)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path)) from exc
    return parse_config(raw, root, where=str(path))


def parse_config(raw: dict[str, Any], root: Path, *, where: str) -> Config:
    workspace = _table(raw.get("workspace", {}), "[workspace]", where)
    database = root / str(workspace.get("database", DATABASE_NAME))
    sources = [
        _parse_source(item, i, root, where)
        for i, item in enumerate(_list(raw.get("sources", []), "[[sources]]", where), 1)
    ]
    names = [s.name for s in sources]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(
            f"source names must be unique; repeated: {', '.join(duplicated)}", where=where
        )
    profiles = _table(raw.get("profiles", {}), "[profiles]", where)
    link_raw = _table(raw.get("link", {}), "[link]", where)
    try:
        link = LinkConfig(**link_raw)
    except TypeError as exc:
        raise ConfigError(
            f"[link]: {exc}", where=where, fix="see `ddj init` for the settings"
        ) from exc
    from ddj.link.engine import ENGINES

    if link.engine not in ENGINES:
        raise ConfigError(
            f"[link] engine {link.engine!r} is not available",
            where=where,
            fix=f"use one of {', '.join(ENGINES)}",
        )
    if not 0 < link.threshold < 1:
        raise ConfigError("[link] threshold must be a probability between 0 and 1", where=where)
    for name, least in (("max_pairs_for_training", 1), ("max_pairs_for_em", 0)):
        value = getattr(link, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < least:
            raise ConfigError(
                f"[link] {name} must be a number of pairs ({least} or more)", where=where
            )
    cohorts = _list(raw.get("cohorts", []), "[[cohorts]]", where)
    return Config(
        root=root,
        database=database,
        sources=sources,
        profiles=profiles,
        link=link,
        cohorts=cohorts,
        raw=raw,
    )


def _parse_source(item: Any, index: int, root: Path, where: str) -> SourceConfig:
    label = f"[[sources]] #{index}"
    item = _table(item, label, where)
    for key in ("name", "system", "format"):
        if not item.get(key):
            raise ConfigError(f"{label} has no {key!r}", where=where)
    if item["format"] not in FORMATS:
        raise ConfigError(
            f"{label} ({item['name']}): unknown format {item['format']!r}",
            where=where,
            fix=f"use one of {', '.join(FORMATS)}",
        )
    files_raw = item.get("files")
    if files_raw is None and "path" in item:
        files_raw = [{"path": item["path"], "profile": item.get("profile")}]
    if not files_raw:
        raise ConfigError(
            f"{label} ({item['name']}) lists no files",
            where=where,
            fix='add path = "..." or files = [{ path = "...", profile = "..." }]',
        )
    files = []
    for f in _list(files_raw, f"{label} files", where):
        f = _table(f, f"{label} files", where)
        if "path" not in f:
            raise ConfigError(f"{label} ({item['name']}): a file entry has no path", where=where)
        path = Path(f["path"]).expanduser()
        files.append(
            SourceFile(path=path if path.is_absolute() else root / path, profile=f.get("profile"))
        )
    return SourceConfig(
        name=item["name"], system=item["system"], format=item["format"], files=tuple(files)
    )


def _table(value: Any, label: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    return value


def _list(value: Any, label: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{label} must be a list", where=where)
    return value
