"""What each dashboard page shows, as plain JSON-ready dicts: the pages and the JSON API share them.

Whole-workspace figures (the overview, the by-name list before filtering) are computed once per
data version (see :func:`data_version`) and kept in memory, so a page answers from the cache until
an ingest, link or identify run changes the data.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from ddj.report import queries
from ddj.store import Store

LIST_COLUMNS = (
    "person_id",
    "name",
    "dob",
    "cohorts",
    "needs",
    "total_contacts",
    "n_systems",
    "systems",
    "last_contact",
)
SORTABLE = ("name", "dob", "total_contacts", "n_systems", "last_contact", "person_id")
MONTHS_SHOWN = 36


def data_version(store: Store) -> tuple:
    """Changes whenever an ingest, link or identify run finishes."""
    return tuple(
        store.sql(
            """
            SELECT (SELECT max(finished_at) FROM ingest_batch),
                   (SELECT max(finished_at) FROM link_run),
                   (SELECT max(ran_at) FROM identify_run),
                   (SELECT count(*) FROM review_decision),
                   (SELECT count(*) || '/' || count(revoked_on) || '/' || max(recorded_at)
                    FROM consent)
            """
        )[0]
    )


class VersionedCache:
    """Values computed once per data version; thread-safe, one computation per key at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._values: dict[str, Any] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._read_at = 0.0

    VERSION_TTL = 1.0  # seconds a data version reading is trusted (a new run shows within 1 s)

    def version(self, store: Store) -> tuple:
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._read_at < self.VERSION_TTL:
                return self._version
        version = data_version(store)
        with self._lock:
            self._read_at = now
            if version != self._version:
                self._version, self._values = version, {}
        return version

    def get(self, store: Store, key: str, compute: Callable[[Store], Any]) -> Any:
        version = self.version(store)
        with self._lock:
            if version != self._version:
                self._version, self._values = version, {}
            if key in self._values:
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if self._version == version and key in self._values:
                    return self._values[key]
            value = compute(store)
            with self._lock:
                if self._version == version:
                    self._values[key] = value
            return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def overview(store: Store, sources: Sequence[str] | None = None) -> dict[str, Any]:
    """Whole-workspace figures, counting only the given sources (None: all)."""
    s = queries.summary(store, sources)
    overlap = queries.overlap(store, sources)
    return {
        "summary": {k: _jsonable(v) for k, v in s.__dict__.items()},
        "systems": [
            {
                "system": r.system,
                "sources": r.sources,
                "records": r.records,
                "events": r.events,
                "people": r.people,
            }
            for r in queries.per_system(store, sources)
        ],
        "monthly": _monthly(store, sources),
        "overlap": {
            "combinations": [{"systems": c, "people": n} for c, n in overlap.combinations],
            "set_sizes": [{"system": c, "people": n} for c, n in overlap.set_sizes],
            "people": overlap.people,
        },
        "cohorts": _cohort_trend(store),
    }


def _monthly(store: Store, sources: Sequence[str] | None) -> list[dict[str, Any]]:
    """Contacts and distinct people per system and month, for the last MONTHS_SHOWN months."""
    event = queries.only("current_event", sources)
    rows = store.sql(
        f"""
        WITH recent AS (
            SELECT e.system, date_trunc('month', e.start_at) AS month, pr.person_id
            FROM {event} e
            LEFT JOIN person_record pr ON pr.record_key = e.record_key
            WHERE e.start_at >= (SELECT max(start_at) FROM {event})
                                - INTERVAL {MONTHS_SHOWN} MONTH
        )
        SELECT month, system, count(*) AS contacts, count(DISTINCT person_id) AS people
        FROM recent GROUP BY month, system ORDER BY month, system
        """
    )
    return [
        {"month": m.date().isoformat()[:7], "system": sy, "contacts": c, "people": p}
        for m, sy, c, p in rows
    ]


def _cohort_trend(store: Store) -> list[dict[str, Any]]:
    """Members of each cohort at each as-of date identified (the latest run per date)."""
    rows = store.sql(
        """
        WITH runs AS (
            SELECT run_id, as_of FROM identify_run
            QUALIFY row_number() OVER (PARTITION BY as_of ORDER BY ran_at DESC) = 1
        )
        SELECT r.as_of, m.cohort, count(*) AS members
        FROM runs r JOIN cohort_member m USING (run_id)
        GROUP BY r.as_of, m.cohort ORDER BY r.as_of, m.cohort
        """
    )
    return [{"as_of": a.isoformat(), "cohort": c, "members": n} for a, c, n in rows]


def member_table(store: Store) -> list[dict[str, Any]]:
    """Every person in a cohort of the latest identify run, with what the policy layer needs to
    cut it per role: each identity's source, the sources behind each need, the Part 2 records."""
    rows = store.dicts(
        """
        WITH members AS (
            SELECT person_id, list(cohort ORDER BY cohort) AS cohorts,
                   max(total_contacts) AS total_contacts, max(n_systems) AS n_systems,
                   list(cohort || '=' || CAST(qualifying_counts AS VARCHAR) ORDER BY cohort)
                       AS qualifying, list(reason ORDER BY cohort) AS reasons
            FROM latest_cohort GROUP BY person_id
        ),
        needs AS (
            SELECT person_id,
                   list({'need': need, 'part2': part2, 'sources': coalesce(sources, [])}
                        ORDER BY need) AS need_sources
            FROM latest_need_flag GROUP BY person_id
        ),
        records AS (
            SELECT pr.person_id, r.record_key, r.source, r.system, r.first_name, r.last_name,
                   r.dob, r.part2, r.valid_from
            FROM person_record pr JOIN current_record r ON r.record_key = pr.record_key
            WHERE pr.person_id IN (SELECT person_id FROM members)
        ),
        identities AS (
            SELECT person_id,
                   list({'record_key': record_key, 'source': source, 'first_name': first_name,
                         'last_name': last_name, 'dob': dob, 'part2': part2,
                         'valid_from': valid_from}) AS identities,
                   list_sort(list(DISTINCT source)) AS sources,
                   list(record_key) FILTER (WHERE part2) AS part2_records
            FROM records GROUP BY person_id
        ),
        last_contact AS (
            SELECT r.person_id, max(e.start_at) AS last_contact
            FROM records r JOIN current_event e ON e.record_key = r.record_key
            GROUP BY r.person_id
        )
        SELECT m.person_id, m.cohorts, coalesce(nd.need_sources, []) AS need_sources,
               m.total_contacts, m.n_systems, i.identities, i.sources,
               coalesce(i.part2_records, []) AS part2_records, l.last_contact,
               m.qualifying, m.reasons
        FROM members m
        LEFT JOIN needs nd USING (person_id)
        LEFT JOIN identities i USING (person_id)
        LEFT JOIN last_contact l USING (person_id)
        ORDER BY m.total_contacts DESC, m.person_id
        """
    )
    for row in rows:
        row["qualifying"] = {
            item.split("=", 1)[0]: json.loads(item.split("=", 1)[1]) for item in row["qualifying"]
        }
        row["last_contact"] = _jsonable(row["last_contact"])
        for identity in row["identities"] or []:
            identity["dob"] = _jsonable(identity["dob"])
        row["identities"] = row["identities"] or []
        row["sources"] = row["sources"] or []
    return rows


def filter_members(
    members: list[dict[str, Any]],
    *,
    cohort: str | None = None,
    need: str | None = None,
    search: str | None = None,
    sort: str = "total_contacts",
    descending: bool = True,
) -> list[dict[str, Any]]:
    rows = members
    if cohort:
        rows = [r for r in rows if cohort in r["cohorts"]]
    if need:
        rows = [r for r in rows if need in r["needs"]]
    if search:
        needle = search.strip().lower()
        rows = [r for r in rows if needle in r["name"].lower() or needle in r["person_id"].lower()]
    if sort not in SORTABLE:
        sort = "total_contacts"
    present = [r for r in rows if r[sort] is not None]
    missing = [r for r in rows if r[sort] is None]
    present.sort(key=lambda r: (r[sort], r["person_id"]), reverse=descending)
    return present + missing


def current_person_id(store: Store, person_id: str) -> str | None:
    """The id a person has now: itself, or where a merge or split moved it (followed to the end)."""
    seen = set()
    while person_id not in seen:
        seen.add(person_id)
        if store.scalar("SELECT count(*) FROM person WHERE person_id = ?", [person_id]):
            return person_id
        moved = store.sql(
            "SELECT new_person_id FROM person_id_change WHERE old_person_id = ? "
            "ORDER BY n_records DESC LIMIT 1",
            [person_id],
        )
        if not moved:
            return None
        person_id = moved[0][0]
    return None


# Per-person copies of the current records and contacts, sorted by person, so a person page reads
# one block of rows (DuckDB skips the rest by its min/max zone maps) instead of scanning every
# contact. They are caches: rebuilt by the dashboard whenever the data version changes.
PERSON_IDENTITY = "cache_person_identity"
PERSON_CONTACT = "cache_person_contact"


def build_person_tables(store: Store) -> None:
    store.con.execute(
        f"""
        CREATE OR REPLACE TABLE {PERSON_IDENTITY} AS
        SELECT pr.person_id, r.record_key, r.source, r.system, r.source_person_id, r.first_name,
               r.middle_name, r.last_name, r.suffix, r.dob, r.sex, r.ssn_last4, r.address,
               r.city, r.zip, r.phone, r.part2, a.aliases
        FROM person_record pr JOIN current_record r ON r.record_key = pr.record_key
        LEFT JOIN (
            SELECT record_key,
                   list(first_name || ' ' || last_name ORDER BY last_name, first_name) AS aliases
            FROM record_alias GROUP BY record_key
        ) a ON a.record_key = r.record_key
        ORDER BY pr.person_id
        """
    )
    store.con.execute(
        f"""
        CREATE OR REPLACE TABLE {PERSON_CONTACT} AS
        SELECT pr.person_id, e.event_key, e.record_key, e.source, e.system, e.event_type,
               e.start_at, e.end_at, e.location, e.charges, e.diagnosis_codes, e.call_type,
               e.disposition, e.project_type, e.part2
        FROM current_event e JOIN person_record pr ON pr.record_key = e.record_key
        ORDER BY pr.person_id, e.start_at DESC
        """
    )


def person(store: Store, person_id: str) -> dict[str, Any]:
    """One person: identities as each system knows them, every contact, needs and cohorts.

    Reads the per-person tables of :func:`build_person_tables` (the caller keeps them fresh).
    """
    identities = store.dicts(
        f"SELECT * EXCLUDE (person_id) FROM {PERSON_IDENTITY} WHERE person_id = ? "
        "ORDER BY system, source, source_person_id",
        [person_id],
    )
    events = store.dicts(
        f"SELECT * EXCLUDE (person_id) FROM {PERSON_CONTACT} WHERE person_id = ? "
        "ORDER BY start_at DESC, event_key",
        [person_id],
    )
    needs = store.dicts(
        "SELECT need, evidence_count, first_at, last_at, part2, evidence FROM latest_need_flag "
        "WHERE person_id = ? ORDER BY need",
        [person_id],
    )
    for need in needs:
        need["evidence"] = json.loads(need["evidence"]) if need["evidence"] else []
    cohorts = store.dicts(
        "SELECT cohort, total_contacts, n_systems, qualifying_counts, reason FROM latest_cohort "
        "WHERE person_id = ? ORDER BY cohort",
        [person_id],
    )
    for c in cohorts:
        c["qualifying_counts"] = json.loads(c["qualifying_counts"])
    return {
        "person_id": person_id,
        "identities": [{k: _jsonable(v) for k, v in i.items()} for i in identities],
        "events": [{k: _jsonable(v) for k, v in e.items()} for e in events],
        "needs": [{k: _jsonable(v) for k, v in n.items()} for n in needs],
        "cohorts": cohorts,
        "systems": sorted({e["system"] for e in events} | {i["system"] for i in identities}),
    }


def quality(store: Store) -> dict[str, Any]:
    from ddj.report.render import linkage_quality

    per_source = store.dicts(
        """
        SELECT source, count(*) AS rows, count(DISTINCT file) AS files
        FROM current_quarantine GROUP BY source ORDER BY rows DESC, source
        """
    )
    reasons = [
        {"source": q.source, "reason": q.reason, "fields": q.fields, "rows": q.rows}
        for q in queries.quarantine(store)
    ]
    run = queries.latest_link_run(store)
    estimate, suspects, weights = linkage_quality(store)
    return {
        "quarantine_per_source": per_source,
        "quarantine_reasons": reasons,
        "link_run": {k: _jsonable(v) for k, v in run.__dict__.items()} if run else None,
        "estimate": {
            "model": asdict(estimate["model"]) if estimate else None,
            "reviewed": estimate["reviewed"] if estimate else None,
        },
        "suspect_persons": [
            {k: _jsonable(v) for k, v in (s if isinstance(s, dict) else s.__dict__).items()}
            for s in suspects
        ],
        "match_weights": [
            {"comparison": w.comparison, "level": w.level, "weight": w.weight} for w in weights
        ],
    }


def review_items(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    from ddj.link.review import review_queue

    return [
        {
            "record_key_l": item.record_key_l,
            "record_key_r": item.record_key_r,
            "match_probability": item.match_probability,
            "match_weight": item.match_weight,
            "same_person_now": item.same_person_now,
            "left": {k: _jsonable(v) for k, v in item.left.items()},
            "right": {k: _jsonable(v) for k, v in item.right.items()},
        }
        for item in review_queue(store, limit)
    ]
