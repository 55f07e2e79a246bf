"""Mapping profiles: which column of a tabular extract holds which canonical field.

A profile is TOML (built in, a ``[profiles.NAME]`` table in ddj.toml, or a file path). It is checked
on load so a mistake is reported with the profile's name and the key at fault.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ddj.errors import ConfigError
from ddj.model import ALIAS_FIELDS, EVENT_FIELDS, PERSON_FIELDS

KINDS = ("records", "events", "records_and_events", "aliases")
_FIELDS_BY_KIND = {
    "records": set(PERSON_FIELDS),
    "events": {"source_person_id", *EVENT_FIELDS},
    "records_and_events": set(PERSON_FIELDS) | set(EVENT_FIELDS),
    "aliases": {"source_person_id", *ALIAS_FIELDS},
}
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
DEFAULT_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)


@dataclass(frozen=True)
class Profile:
    name: str
    system: str | None
    kind: str
    columns: dict[str, str]
    other_ids: dict[str, str] = field(default_factory=dict)
    event_type: str | None = None
    # True when one event id covers several people (a CAD call with two parties): the event is
    # then keyed by event id and person id together.
    event_per_person: bool = False
    required: tuple[str, ...] = ("source_person_id",)
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    datetime_formats: tuple[str, ...] = DEFAULT_DATETIME_FORMATS
    list_separator: str = ";"
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    description: str = ""

    @property
    def has_records(self) -> bool:
        return self.kind in ("records", "records_and_events")

    @property
    def has_events(self) -> bool:
        return self.kind in ("events", "records_and_events")

    def needed_columns(self) -> set[str]:
        """The file columns that must be in the header: those of the required fields."""
        return {self.columns[f] for f in self.required if f in self.columns}


def builtin_profile_names() -> list[str]:
    folder = resources.files("ddj.ingest") / "profiles"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def resolve_profile(ref: str, user_profiles: dict[str, dict[str, Any]], root: Path) -> Profile:
    """A profile by name (ddj.toml's [profiles.NAME] first, then built-in) or by file path."""
    if ref in user_profiles:
        return parse_profile(user_profiles[ref], name=ref, where=f"ddj.toml [profiles.{ref}]")
    if ref in builtin_profile_names():
        text = (resources.files("ddj.ingest") / "profiles" / f"{ref}.toml").read_text("utf-8")
        return parse_profile(tomllib.loads(text), name=ref, where=f"built-in profile {ref}")
    path = Path(ref).expanduser()
    path = path if path.is_absolute() else root / path
    if path.suffix == ".toml" and path.exists():
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"profile is not valid TOML: {exc}", where=str(path)) from exc
        return parse_profile(raw, name=raw.get("name", path.stem), where=str(path))
    known = sorted(set(user_profiles) | set(builtin_profile_names()))
    raise ConfigError(
        f"no mapping profile {ref!r}",
        fix=f"use a .toml file path or one of: {', '.join(known)}",
    )


def parse_profile(raw: dict[str, Any], *, name: str, where: str) -> Profile:
    def bad(message: str) -> ConfigError:
        return ConfigError(f"profile {name!r}: {message}", where=where)

    kind = raw.get("kind", "records_and_events")
    if kind not in KINDS:
        raise bad(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    columns = raw.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise bad("has no [columns] table (canonical field = column name)")
    allowed = _FIELDS_BY_KIND[kind]
    unknown = sorted(set(columns) - allowed)
    if unknown:
        raise bad(
            f"unknown field(s) {', '.join(unknown)} for kind {kind!r}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    if "source_person_id" not in columns:
        raise bad("[columns] must map source_person_id (the source's own person id)")
    event = raw.get("event", {})
    event_type = event.get("type")
    if kind in ("events", "records_and_events"):
        if "start_at" not in columns:
            raise bad("an events profile must map start_at")
        if not event_type and "event_type" not in columns:
            raise bad('give [event] type = "..." or map event_type to a column')
    required = tuple(raw.get("required", {}).get("fields", ("source_person_id",)))
    missing = [f for f in required if f not in columns]
    if missing:
        raise bad(f"required field(s) {', '.join(missing)} are not mapped in [columns]")
    formats = raw.get("formats", {})
    codes = {
        k: {str(a).upper(): str(b) for a, b in v.items()} for k, v in raw.get("codes", {}).items()
    }
    return Profile(
        name=name,
        system=raw.get("system"),
        kind=kind,
        columns={k: str(v) for k, v in columns.items()},
        other_ids={k: str(v) for k, v in raw.get("other_ids", {}).items()},
        event_type=event_type,
        event_per_person=bool(event.get("per_person", False)),
        required=required,
        date_formats=tuple(formats.get("date", DEFAULT_DATE_FORMATS)),
        datetime_formats=tuple(formats.get("datetime", DEFAULT_DATETIME_FORMATS)),
        list_separator=formats.get("list_separator", ";"),
        codes=codes,
        description=raw.get("description", ""),
    )
