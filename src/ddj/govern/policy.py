"""policy.toml: the data-sharing agreements and roles, as one file a privacy officer can read.

Each agreement names its parties, purpose, the sources (or systems) it covers, when it expires and
how long records are kept. Each role says, per source or system, which field groups it may see:

- ``identity``: names, aliases, date of birth, sex, address, phone, SSN's last four
- ``contacts``: each contact's date, system and type
- ``details``: a contact's charges, call type, disposition, shelter project, location
- ``diagnoses``: diagnosis codes and EMS impressions, and the codes behind a need flag
- ``needs``: need flags (mental illness, homelessness, ...) derived from the source, without codes
- ``involvement``: only that the person is involved with the system, and whether recently

A source that no unexpired agreement covers is shown to nobody. 42 CFR Part 2 records are shown
only to roles with ``part2 = true`` (never to a ``criminal_justice`` role) and only for a person
with a recorded, unexpired, unrevoked consent whose scope names the role.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from ddj.errors import ConfigError

POLICY_NAME = "policy.toml"
GROUPS = ("identity", "contacts", "details", "diagnoses", "needs", "involvement")
ALL = "*"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_AGREEMENT_KEYS = {
    "name",
    "kind",
    "parties",
    "purpose",
    "sources",
    "systems",
    "expires",
    "retention_days",
}
_ROLE_KEYS = {
    "description",
    "purpose",
    "aggregate_only",
    "criminal_justice",
    "part2",
    "review",
    "sources",
    "systems",
}


@dataclass(frozen=True)
class Agreement:
    name: str
    kind: str
    parties: tuple[str, ...]
    purpose: str
    sources: tuple[str, ...]
    systems: tuple[str, ...]
    expires: date
    retention_days: int | None

    def covers(self, source: str, system: str) -> bool:
        return (
            source in self.sources
            or system in self.systems
            or ALL in self.sources
            or ALL in self.systems
        )


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    purpose: str
    aggregate_only: bool = False
    criminal_justice: bool = False
    part2: bool = False
    review: bool = False
    sources: dict[str, frozenset[str]] = field(default_factory=dict)
    systems: dict[str, frozenset[str]] = field(default_factory=dict)

    def groups(self, source: str, system: str) -> frozenset[str]:
        """The field groups this role may see of a source (source entry, else system, else *)."""
        if self.aggregate_only:
            return frozenset()
        if source in self.sources:
            return self.sources[source]
        if system in self.systems:
            return self.systems[system]
        return self.systems.get(ALL, frozenset())


@dataclass(frozen=True)
class Policy:
    version: str
    agreements: tuple[Agreement, ...]
    roles: dict[str, Role]
    where: str
    digest: str  # SHA-256 of the file's bytes: a change is an audited event

    def role(self, name: str) -> Role:
        try:
            return self.roles[name]
        except KeyError:
            raise ConfigError(
                f"role {name!r} is not in the policy",
                where=self.where,
                fix=f"use one of: {', '.join(self.roles)}, or add [roles.{name}]",
            ) from None

    def agreement_for(self, source: str, system: str, today: date) -> Agreement | None:
        """The unexpired agreement covering a source, or None (then nobody sees it)."""
        live = [a for a in self.agreements if a.covers(source, system) and a.expires >= today]
        return max(live, key=lambda a: a.expires) if live else None

    def retention_days(self, source: str, system: str) -> int | None:
        days = [
            a.retention_days
            for a in self.agreements
            if a.covers(source, system) and a.retention_days is not None
        ]
        return min(days) if days else None


def load_policy(root: Path) -> Policy:
    """ROOT/policy.toml, or the built-in default when the workspace has none."""
    path = root / POLICY_NAME
    if path.exists():
        data, where = path.read_bytes(), str(path)
    else:
        data = (resources.files("ddj.govern") / "default_policy.toml").read_bytes()
        where = "built-in default policy (no policy.toml in the workspace)"
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=where) from exc
    return parse_policy(raw, where=where, digest=hashlib.sha256(data).hexdigest())


def parse_policy(raw: dict[str, Any], *, where: str, digest: str = "") -> Policy:
    agreements = tuple(
        _agreement(item, i, where) for i, item in enumerate(_list(raw, "agreements", where), 1)
    )
    if not agreements:
        raise ConfigError(
            "the policy has no [[agreements]]",
            where=where,
            fix="add the data-sharing agreement(s) the sources are shared under",
        )
    names = [a.name for a in agreements]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"agreement names repeat: {', '.join(repeated)}", where=where)
    roles_raw = raw.get("roles")
    if not isinstance(roles_raw, dict) or not roles_raw:
        raise ConfigError("the policy has no [roles.NAME] tables", where=where)
    roles = {name: _role(name, spec, where) for name, spec in roles_raw.items()}
    unknown = sorted(set(raw) - {"version", "agreements", "roles"})
    if unknown:
        raise ConfigError(
            f"unknown top-level key(s): {', '.join(unknown)}",
            where=where,
            fix="allowed: version, [[agreements]], [roles.NAME]",
        )
    return Policy(str(raw.get("version", "")), agreements, roles, where, digest)


def _list(raw: dict[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a list of tables ([[{key}]])", where=where)
    return value


def _strings(value: Any, label: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{label} must be a list of strings", where=where)
    return tuple(value)


def _agreement(item: Any, index: int, where: str) -> Agreement:
    label = f"[[agreements]] #{index}"
    if not isinstance(item, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{label} needs a name", where=where)
    label = f"agreement {name!r}"
    unknown = sorted(set(item) - _AGREEMENT_KEYS)
    if unknown:
        raise ConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_AGREEMENT_KEYS))}",
        )
    expires = item.get("expires")
    if not isinstance(expires, date):
        raise ConfigError(
            f"{label}: expires must be a date such as 2027-06-30 (got {expires!r})", where=where
        )
    sources = _strings(item.get("sources", []), f"{label}: sources", where)
    systems = _strings(item.get("systems", []), f"{label}: systems", where)
    if not sources and not systems:
        raise ConfigError(f"{label} covers no sources or systems", where=where)
    retention = item.get("retention_days")
    if retention is not None and (not isinstance(retention, int) or retention < 1):
        raise ConfigError(f"{label}: retention_days must be a positive number", where=where)
    purpose = item.get("purpose")
    if not isinstance(purpose, str) or not purpose.strip():
        raise ConfigError(f"{label} needs a purpose", where=where)
    return Agreement(
        name=name,
        kind=str(item.get("kind", "agreement")),
        parties=_strings(item.get("parties", []), f"{label}: parties", where),
        purpose=purpose,
        sources=sources,
        systems=systems,
        expires=expires,
        retention_days=retention,
    )


def _role(name: str, spec: Any, where: str) -> Role:
    label = f"[roles.{name}]"
    if not _NAME.match(name):
        raise ConfigError(f"{label}: role names are lower_case letters, digits and _", where=where)
    if not isinstance(spec, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    unknown = sorted(set(spec) - _ROLE_KEYS)
    if unknown:
        raise ConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}",
            where=where,
            fix=f"allowed: {', '.join(sorted(_ROLE_KEYS))}",
        )
    flags = {}
    for key in ("aggregate_only", "criminal_justice", "part2", "review"):
        value = spec.get(key, False)
        if not isinstance(value, bool):
            raise ConfigError(f"{label}: {key} must be true or false", where=where)
        flags[key] = value
    if flags["criminal_justice"] and flags["part2"]:
        raise ConfigError(
            f"{label}: a criminal_justice role can never see 42 CFR Part 2 records",
            where=where,
            fix="remove part2 = true (Part 2 forbids use against the person in proceedings)",
        )
    return Role(
        name=name,
        description=str(spec.get("description", "")),
        purpose=str(spec.get("purpose", "")),
        sources=_grants(spec.get("sources", {}), f"{label}.sources", where),
        systems=_grants(spec.get("systems", {}), f"{label}.systems", where),
        **flags,
    )


def _grants(raw: Any, label: str, where: str) -> dict[str, frozenset[str]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{label} must be a table of NAME = [groups]", where=where)
    grants = {}
    for key, groups in raw.items():
        values = _strings(groups, f"{label}.{key}", where)
        wrong = sorted(set(values) - set(GROUPS))
        if wrong:
            raise ConfigError(
                f"{label}.{key}: unknown field group(s) {', '.join(wrong)}",
                where=where,
                fix=f"groups are: {', '.join(GROUPS)}",
            )
        grants[key] = frozenset(values)
    return grants
