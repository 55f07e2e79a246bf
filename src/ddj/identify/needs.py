"""Needs (mental illness, substance use, homelessness, ...) and the evidence that flags each one.

The definitions are data: ``needs.toml`` beside this module is the default, and a county points
``[identify] needs = "my-needs.toml"`` in ddj.toml at its own file (which replaces the default;
``ddj identify --print-needs`` prints the default to start from). Every file is checked on load:
names, keys, and each ICD-10-CM code against the official code set.

A need has one or more ``[[needs.evidence]]`` entries, each matching events or records by exactly
one of: ``diagnosis_codes`` (ICD-10-CM patterns on an event's diagnoses/impressions),
``call_types`` (CAD or EMS call types), ``event_types`` (e.g. shelter_stay, bh_crisis),
``detail`` + ``values`` (a field of the event's details, e.g. HMIS LivingSituation.category) or
``addresses`` (a record's address starting with one of them, e.g. HOMELESS or a shelter's).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ddj.errors import ConfigError
from ddj.identify.icd import CodeError, CodePattern, parse_pattern

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DETAIL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MATCHERS = ("diagnosis_codes", "call_types", "detail", "addresses")
_EVIDENCE_KEYS = {
    "label",
    "diagnosis_codes",
    "exclude_codes",
    "call_types",
    "event_types",
    "systems",
    "detail",
    "values",
    "show",
    "addresses",
}
_NEED_KEYS = {"name", "label", "description", "window_days", "evidence"}
DEFAULT_FILE = "needs.toml"


@dataclass(frozen=True)
class Evidence:
    """One way a need shows in the data; ``kind`` is the matcher used."""

    kind: str  # diagnosis | call_type | event_type | detail | address
    label: str
    codes: tuple[CodePattern, ...] = ()
    exclude: tuple[CodePattern, ...] = ()
    values: tuple[str, ...] = ()  # call types, detail values or address beginnings (upper case)
    detail: str = ""  # a path in event.details, e.g. LivingSituation.category
    show: str = ""  # the details path shown in the evidence instead of the value
    event_types: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Need:
    name: str
    label: str
    description: str
    evidence: tuple[Evidence, ...]
    window_days: int | None = None  # only evidence this recent; None = all up to the as-of date


def default_needs_text() -> str:
    return (resources.files("ddj.identify") / DEFAULT_FILE).read_text("utf-8")


def default_needs() -> list[Need]:
    return list(_default_needs())


@functools.cache
def _default_needs() -> tuple[Need, ...]:
    """Parsed once per process: checking the codes takes a tenth of a second (seconds the first
    time, when the code set loads), too long for every dashboard page that names a need."""
    return tuple(parse_needs(tomllib.loads(default_needs_text()), where="built-in needs.toml"))


def load_needs(path: Path, *, referenced_from: str) -> list[Need]:
    """A county's needs file; every mistake names the file, the key and a fix. Parsed again
    only when the file changes."""
    if not path.is_file():
        raise ConfigError(
            f"[identify] needs: no file {path}",
            where=referenced_from,
            fix="give a path relative to the workspace, or remove the setting to use the defaults",
        )
    stat = path.stat()
    return list(_load_needs(path.resolve(), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=16)
def _load_needs(path: Path, _mtime_ns: int, _size: int) -> tuple[Need, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path)) from exc
    return tuple(parse_needs(raw, where=str(path)))


def parse_needs(raw: dict[str, Any], *, where: str) -> list[Need]:
    unknown = sorted(set(raw) - {"needs"})
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(unknown)}", where=where, fix="a needs file has [[needs]]"
        )
    items = raw.get("needs")
    if not isinstance(items, list) or not items:
        raise ConfigError("no [[needs]] defined", where=where, fix="see the built-in needs.toml")
    needs = [_parse_need(item, i, where) for i, item in enumerate(items, 1)]
    names = [n.name for n in needs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(
            f"need names must be unique; repeated: {', '.join(repeated)}", where=where
        )
    return needs


def _parse_need(item: Any, index: int, where: str) -> Need:
    key = f"[[needs]] #{index}"
    if not isinstance(item, dict):
        raise ConfigError(f"{key} must be a table", where=where)
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(
            f"{key}: name must be lower_case letters, digits and _ (got {name!r})", where=where
        )
    key = f"need {name!r}"
    unknown = sorted(set(item) - _NEED_KEYS)
    if unknown:
        raise ConfigError(
            f"{key}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_NEED_KEYS))}",
        )
    window = item.get("window_days")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise ConfigError(f"{key}: window_days must be a whole number of at least 1", where=where)
    evidence_raw = item.get("evidence")
    if not isinstance(evidence_raw, list) or not evidence_raw:
        raise ConfigError(
            f"{key} has no [[needs.evidence]]",
            where=where,
            fix='add at least one, e.g. diagnosis_codes = ["F20-F29"]',
        )
    evidence = tuple(
        _parse_evidence(e, f"{key} evidence #{i}", where) for i, e in enumerate(evidence_raw, 1)
    )
    return Need(
        name=name,
        label=_text(item, "label", key, where) or name.replace("_", " "),
        description=_text(item, "description", key, where),
        evidence=evidence,
        window_days=window,
    )


def _parse_evidence(item: Any, key: str, where: str) -> Evidence:
    if not isinstance(item, dict):
        raise ConfigError(f"{key} must be a table", where=where)
    unknown = sorted(set(item) - _EVIDENCE_KEYS)
    if unknown:
        raise ConfigError(
            f"{key}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_EVIDENCE_KEYS))}",
        )
    given = [m for m in MATCHERS if m in item]
    if len(given) > 1:
        raise ConfigError(
            f"{key}: give one of {', '.join(MATCHERS)} (got {', '.join(given)})",
            where=where,
            fix="split it into two [[needs.evidence]] entries",
        )
    event_types = _names(item, "event_types", key, where)
    systems = _names(item, "systems", key, where)
    label = _text(item, "label", key, where)
    if not given:
        if not event_types:
            raise ConfigError(
                f"{key} matches nothing",
                where=where,
                fix=f"give one of {', '.join(MATCHERS)}, or event_types alone",
            )
        return Evidence("event_type", label or "contact", event_types=event_types, systems=systems)
    matcher = given[0]
    for stray, needs in (("exclude_codes", "diagnosis_codes"), ("values", "detail")):
        if stray in item and matcher != needs:
            raise ConfigError(f"{key}: {stray} goes with {needs}", where=where)
    if "show" in item and matcher != "detail":
        raise ConfigError(f"{key}: show goes with detail", where=where)
    common = {"event_types": event_types, "systems": systems}
    if matcher == "diagnosis_codes":
        return Evidence(
            "diagnosis",
            label or "diagnosis",
            codes=_codes(item, "diagnosis_codes", key, where, required=True),
            exclude=_codes(item, "exclude_codes", key, where, required=False),
            **common,
        )
    if matcher == "call_types":
        values = _names(item, "call_types", key, where, required=True)
        return Evidence("call_type", label or "call", values=_upper(values), **common)
    if matcher == "addresses":
        if event_types:
            raise ConfigError(
                f"{key}: addresses belong to records, so event_types does not apply", where=where
            )
        values = _names(item, "addresses", key, where, required=True)
        return Evidence("address", label or "address", values=_upper(values), systems=systems)
    path = item["detail"]
    for field in ("detail", "show"):
        if field in item and (not isinstance(item[field], str) or not _DETAIL.match(item[field])):
            raise ConfigError(
                f"{key}: {field} must be a field of the event's details, e.g. "
                f"LivingSituation.category (got {item[field]!r})",
                where=where,
            )
    values = _names(item, "values", key, where, required=True)
    return Evidence(
        "detail",
        label or path,
        values=values,
        detail=path,
        show=str(item.get("show", "")),
        **common,
    )


def _codes(item: dict, field: str, key: str, where: str, *, required: bool) -> tuple:
    texts = _names(item, field, key, where, required=required)
    patterns = []
    for text in texts:
        try:
            patterns.append(parse_pattern(text))
        except CodeError as exc:
            raise ConfigError(
                f"{key} {field}: {exc}",
                where=where,
                fix="use a code (F20.0), a category (F20), a block or range (F20-F29) "
                "or ? for one character (T40.??1)",
            ) from exc
    return tuple(patterns)


def _names(item: dict, field: str, key: str, where: str, *, required: bool = False) -> tuple:
    value = item.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key}: {field} must be a list of non-empty strings", where=where)
    if required and not value:
        raise ConfigError(f"{key}: {field} is empty", where=where)
    return tuple(v.strip() for v in value)


def _upper(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.upper() for v in values)


def _text(item: dict, field: str, key: str, where: str) -> str:
    value = item.get(field, "")
    if not isinstance(value, str):
        raise ConfigError(f"{key}: {field} must be text", where=where)
    return value
