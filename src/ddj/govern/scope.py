"""What one role may see today: the policy applied to the data the pages, API and exports return.

Everything person-level leaves the store through these functions. They only ever remove: a source
without a live agreement, a field group the role lacks, a Part 2 record without consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ddj.errors import DdjError
from ddj.govern.consent import consented_records
from ddj.govern.policy import Policy, Role
from ddj.store import Store

RECENT_DAYS = 90  # "involvement": recent when the last contact is this close to the newest data
DETAIL_FIELDS = ("location", "charges", "call_type", "disposition", "project_type")
DIAGNOSIS_FIELDS = ("diagnosis_codes",)


def source_systems(store: Store) -> dict[str, str]:
    """Each ingested source and its system."""
    return dict(store.sql("SELECT source, any_value(system) FROM ingest_batch GROUP BY 1"))


def shared_sources(store: Store, policy: Policy, today: date | None = None) -> list[str]:
    """Sources under a live agreement: the only ones counted in aggregates (for every role)."""
    today = today or date.today()
    return sorted(
        s
        for s, system in source_systems(store).items()
        if policy.agreement_for(s, system, today) is not None
    )


class NotAllowed(DdjError):
    """The role may not see this at all (the web answers 403)."""


@dataclass(frozen=True)
class Scope:
    policy: Policy
    role: Role
    today: date
    source_systems: dict[str, str]
    consented: frozenset[str]

    @classmethod
    def for_role(cls, store: Store, policy: Policy, role: str, today: date | None = None) -> Scope:
        today = today or date.today()
        systems = source_systems(store)
        the_role = policy.role(role)
        consented = (
            frozenset(consented_records(store, role, today))
            if the_role.part2 and not the_role.criminal_justice
            else frozenset()
        )
        return cls(policy, the_role, today, systems, consented)

    def groups(self, source: str) -> frozenset[str]:
        system = self.source_systems.get(source, "")
        if self.policy.agreement_for(source, system, self.today) is None:
            return frozenset()
        return self.role.groups(source, system)

    def identity_records(self) -> str:
        """SQL for the current records whose identity this role may see (for file exports)."""
        sources = [s for s in self.source_systems if "identity" in self.groups(s)]
        names = ", ".join(_quote(s) for s in sources) or "NULL"
        opened = ", ".join(_quote(k) for k in sorted(self.consented)) or "NULL"
        return (
            f"(SELECT * FROM current_record WHERE source IN ({names}) "
            f"AND (NOT part2 OR record_key IN ({opened})))"
        )

    def part2_open(self, record_key: str) -> bool:
        return record_key in self.consented

    def visible(self, record_key: str, part2: bool) -> bool:
        """A record or contact is hidden only when it is Part 2 without a consent for the role."""
        return not part2 or self.part2_open(record_key)

    def require_person_level(self) -> None:
        if self.role.aggregate_only:
            raise NotAllowed(
                f"the {self.role.name} role sees de-identified aggregates only",
                fix="ask the privacy officer if your work needs person-level data",
            )

    def require_review(self) -> None:
        if not self.role.review:
            raise NotAllowed(f"the {self.role.name} role may not review record pairs")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def person(scope: Scope, view: dict[str, Any]) -> dict[str, Any] | None:
    """A person page's data cut to the scope; None when the role may see nothing of them."""
    scope.require_person_level()
    identities = []
    for i in view["identities"]:
        groups = scope.groups(i["source"])
        if "identity" in groups and scope.visible(i["record_key"], i["part2"]):
            identities.append(i)
    events, involvement = [], {}
    for e in view["events"]:
        groups = scope.groups(e["source"])
        if not scope.visible(e["record_key"], e["part2"]):
            continue
        if "contacts" in groups:
            shown = dict(e)
            for f in DETAIL_FIELDS if "details" not in groups else ():
                shown[f] = None
            for f in DIAGNOSIS_FIELDS if "diagnoses" not in groups else ():
                shown[f] = None
            events.append(shown)
        elif "involvement" in groups:
            last = involvement.get(e["system"])
            if last is None or e["start_at"] > last:
                involvement[e["system"]] = e["start_at"]
    needs = []
    by_key = {e["event_key"]: e for e in view["events"]}
    for n in view["needs"]:
        evidence = []
        for item in n["evidence"]:
            event = by_key.get(item.get("event_key"))
            source = item.get("source") or (event or {}).get("source", "")
            groups = scope.groups(source)
            if "needs" not in groups and "diagnoses" not in groups:
                continue
            if event is not None and not scope.visible(event["record_key"], event["part2"]):
                continue
            if event is None and n["part2"] and not scope.consented:
                continue
            shown = dict(item)
            if "diagnoses" not in groups:
                shown["code"] = None
            shown["part2"] = event["part2"] if event is not None else n["part2"]
            evidence.append(shown)
        if evidence:
            needs.append(
                {
                    **n,
                    "evidence": evidence,
                    "evidence_count": len(evidence),
                    # Labelled Part 2 only when evidence this role sees comes from Part 2.
                    "part2": any(item["part2"] for item in evidence),
                }
            )
    if not identities and not events:
        return None
    newest = max((e["start_at"] for e in view["events"]), default=None)
    return {
        **view,
        "identities": identities,
        "events": events,
        "needs": needs,
        "involvement": [
            {"system": s, "recent": _recent(last, newest)}
            for s, last in sorted(involvement.items())
        ],
        "systems": sorted({e["system"] for e in events} | {i["system"] for i in identities}),
        "part2_shown": any(e["part2"] for e in events) or any(n["part2"] for n in needs),
    }


def _recent(last: str | None, newest: str | None) -> bool:
    if not last or not newest:
        return False
    gap = datetime.fromisoformat(newest) - datetime.fromisoformat(last)
    return gap.days <= RECENT_DAYS


def members(scope: Scope, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The by-name list cut to the scope: names, systems and needs the role may see."""
    scope.require_person_level()
    out = []
    for row in rows:
        names = [
            i
            for i in row["identities"]
            if "identity" in scope.groups(i["source"])
            and scope.visible(i["record_key"], i["part2"])
        ]
        if not names:
            continue  # nobody the role may identify
        newest = max(names, key=lambda i: i["valid_from"])
        seen_sources = [s for s in row["sources"] if scope.groups(s)]
        shown_needs = [
            n
            for n in row["need_sources"]
            if any({"needs", "diagnoses"} & scope.groups(s) for s in n["sources"])
            and (not n["part2"] or any(scope.part2_open(k) for k in row["part2_records"]))
        ]
        out.append(
            {
                **{
                    k: v
                    for k, v in row.items()
                    if k not in ("identities", "need_sources", "part2_records", "sources")
                },
                "name": " ".join(p for p in (newest["first_name"], newest["last_name"]) if p),
                "dob": newest["dob"],
                "needs": sorted({n["need"] for n in shown_needs}),
                "part2": any(n["part2"] for n in shown_needs),
                "systems": sorted({scope.source_systems.get(s, s) for s in seen_sources}),
            }
        )
    return out
