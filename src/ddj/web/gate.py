"""The one door between the store and anyone outside: every page, API answer and export passes here.

It computes what a page shows (``data``), cuts it to what the caller's role may see under the
policy (``ddj.govern.scope``) and writes the access to the audit trail. Handlers never call
``data`` directly.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from ddj.errors import DdjError
from ddj.govern import audit
from ddj.govern.policy import Policy
from ddj.govern.scope import NotAllowed, Scope, shared_sources
from ddj.govern.scope import members as scoped_members
from ddj.govern.scope import person as scoped_person
from ddj.govern.sessions import Session
from ddj.store import Store
from ddj.web import data


class NotFound(Exception):
    """Nothing the caller may see is there (the same answer as "no such person")."""


class Gate:
    def __init__(self, policy: Policy, cache: data.VersionedCache):
        self.policy = policy
        self.cache = cache

    def scope(self, store: Store, session: Session, today: date | None = None) -> Scope:
        today = today or date.today()
        key = f"scope:{session.role}:{today.isoformat()}"
        return self.cache.get(
            store, key, lambda s: Scope.for_role(s, self.policy, session.role, today)
        )

    def _shared_sources(self, store: Store) -> list[str]:
        """Sources under a live agreement today (the same for every role), cached."""
        return self.cache.get(
            store,
            f"shared:{date.today().isoformat()}",
            lambda s: shared_sources(s, self.policy),
        )

    def overview(self, store: Store, session: Session) -> dict[str, Any]:
        sources = self._shared_sources(store)
        key = "overview:" + ",".join(sources)
        return self.cache.get(store, key, lambda s: data.overview(s, sources))

    def members(self, store: Store, session: Session, **filters: Any) -> list[dict[str, Any]]:
        scope = self.scope(store, session)
        scope.require_person_level()
        rows = self.cache.get(
            store,
            f"members:{session.role}",
            lambda s: scoped_members(scope, self.cache.get(s, "members", data.member_table)),
        )
        if filters.get("search"):  # free text: not worth keeping
            return data.filter_members(rows, **filters)
        key = f"members:{session.role}:" + repr(sorted(filters.items()))
        return self.cache.get(store, key, lambda _s: data.filter_members(rows, **filters))

    def choices(self, store: Store, session: Session) -> dict[str, list[str]]:
        rows = self.members(store, session)
        return {
            "cohorts": sorted({c for r in rows for c in r["cohorts"]}),
            "needs": sorted({n for r in rows for n in r["needs"]}),
        }

    def person(self, store: Store, session: Session, person_id: str) -> dict[str, Any]:
        scope = self.scope(store, session)
        scope.require_person_level()
        current = data.current_person_id(store, person_id)
        if current is None:
            raise NotFound(person_id)
        self.cache.get(store, "person-tables", data.build_person_tables)
        view = scoped_person(scope, data.person(store, current))
        if view is None:
            self.log(store, session, "view_person", "person", person_id, {"shown": False})
            raise NotFound(person_id)
        view["requested_id"] = person_id
        self.log(store, session, "view_person", "person", current, {"part2": view["part2_shown"]})
        return view

    def log(
        self,
        store: Store,
        session: Session,
        action: str,
        subject_kind: str | None = None,
        subject_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """One audit row for what this caller was shown or did, with the role's purpose."""
        purpose = (
            self.policy.roles[session.role].purpose if session.role in self.policy.roles else None
        )
        audit.record(
            store,
            actor=session.username,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            purpose=purpose or None,
            details={
                "role": session.role,
                "via": "token" if session.via_token else "session",
                **(details or {}),
            },
        )

    def log_list(
        self, store: Store, session: Session, action: str, rows: list[dict[str, Any]], **how: Any
    ) -> None:
        """A list or an export: which persons it held, and how it was filtered."""
        filters = {k: v for k, v in how.items() if v not in (None, "")}
        self.log(
            store,
            session,
            action,
            "list",
            None,
            {"person_ids": [r["person_id"] for r in rows], "rows": len(rows), **filters},
        )

    def quality(self, store: Store, session: Session) -> dict[str, Any]:
        view = self.cache.get(store, "quality", data.quality)
        if self.scope(store, session).role.aggregate_only:
            # Likely false merges name persons: person-level, so not for aggregate-only roles.
            return {**view, "suspect_persons": []}
        return view

    def review_queue(self, store: Store, session: Session, limit: int) -> list[dict[str, Any]]:
        scope = self.scope(store, session)
        scope.require_review()
        items = self.cache.get(store, "review", lambda s: data.review_items(s, 500))[:limit]
        keys = [k for p in items for k in (p["record_key_l"], p["record_key_r"])]
        part2 = (
            {
                r[0]
                for r in store.sql(
                    "SELECT record_key FROM current_record WHERE part2 AND record_key IN "
                    "(SELECT unnest(?::VARCHAR[]))",
                    [keys],
                )
            }
            if keys
            else set()
        )
        return [
            pair
            for pair in items
            if all(
                "identity" in scope.groups(pair[side].get("source", ""))
                and (key not in part2 or scope.part2_open(key))
                for side, key in (("left", pair["record_key_l"]), ("right", pair["record_key_r"]))
            )
        ]

    def warm(self, store: Store) -> None:
        """Compute the cached views before the first visitor asks (server start, new data)."""
        self.cache.get(store, "person-tables", data.build_person_tables)
        self.cache.get(store, "members", data.member_table)
        self.cache.get(store, "quality", data.quality)
        with contextlib.suppress(DdjError):  # nothing linked yet: no review queue
            self.cache.get(store, "review", lambda s: data.review_items(s, 500))
        sources = self._shared_sources(store)
        self.cache.get(store, "overview:" + ",".join(sources), lambda s: data.overview(s, sources))

    def may_review(self, store: Store, session: Session) -> bool:
        return self.scope(store, session).role.review


__all__ = ["Gate", "NotAllowed", "NotFound"]
