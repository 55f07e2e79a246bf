"""Retention: remove what the agreements say may no longer be kept (`ddj purge`).

For each source whose agreement sets ``retention_days``, contacts that ended before the cut-off
are deleted (every version), then records with no contact left that were last updated before the
cut-off, with their aliases, links and quarantined rows; persons left with no record go too. Only
counts are reported and logged, never what was removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ddj.govern.policy import Policy
from ddj.store import Store


@dataclass
class PurgeSummary:
    cutoffs: dict[str, date] = field(default_factory=dict)
    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    persons_removed: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = []
        for source, cutoff in self.cutoffs.items():
            counts = self.removed.get(source, {})
            detail = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing"
            out.append(f"{source}: kept from {cutoff}; {verb} {detail}")
        if not self.cutoffs:
            out.append("no agreement sets retention_days: nothing to purge")
        out.append(f"persons left without records: {self.persons_removed}")
        return out


def purge(store: Store, policy: Policy, *, today: date | None = None, dry_run: bool = False):
    today = today or date.today()
    summary = PurgeSummary(dry_run=dry_run)
    sources = store.sql("SELECT source, any_value(system) FROM ingest_batch GROUP BY 1 ORDER BY 1")
    con = store.con
    con.execute("BEGIN")
    try:
        for source, system in sources:
            days = policy.retention_days(source, system)
            if days is None:
                continue
            cutoff = today - timedelta(days=days)
            summary.cutoffs[source] = cutoff
            summary.removed[source] = _purge_source(store, source, cutoff)
        summary.persons_removed = _drop_empty_persons(store)
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


def _count(store: Store, query: str, params: list) -> int:
    return int(store.scalar(f"SELECT count(*) FROM ({query})", params) or 0)


def _purge_source(store: Store, source: str, cutoff: date) -> dict[str, int]:
    limit = datetime(cutoff.year, cutoff.month, cutoff.day)
    old_events = (
        "SELECT event_key FROM event WHERE source = ? GROUP BY event_key "
        "HAVING max(coalesce(end_at, start_at)) < ?"
    )
    removed = {"contacts": _count(store, old_events, [source, limit])}
    store.con.execute(f"DELETE FROM event WHERE event_key IN ({old_events})", [source, limit])
    gone_records = (
        "SELECT record_key FROM source_record r WHERE source = ? GROUP BY record_key "
        "HAVING max(valid_from) < ? AND NOT EXISTS "
        "(SELECT 1 FROM event e WHERE e.record_key = r.record_key)"
    )
    keys = [r[0] for r in store.sql(gone_records, [source, limit])]
    removed["records"] = len(keys)
    if keys:
        store.con.execute("CREATE OR REPLACE TEMP TABLE purge_keys (record_key VARCHAR)")
        store.con.executemany("INSERT INTO purge_keys VALUES (?)", [[k] for k in keys])
        for table in ("source_record", "record_alias", "person_record", "link_input"):
            column = "unique_id" if table == "link_input" else "record_key"
            store.con.execute(
                f"DELETE FROM {table} WHERE {column} IN (SELECT record_key FROM purge_keys)"
            )
        store.con.execute(
            "DELETE FROM link_pair WHERE record_key_l IN (SELECT record_key FROM purge_keys) "
            "OR record_key_r IN (SELECT record_key FROM purge_keys)"
        )
        store.con.execute("DROP TABLE purge_keys")
    quarantined = "SELECT quarantine_id FROM quarantine WHERE source = ? AND created_at < ?"
    removed["quarantined rows"] = _count(store, quarantined, [source, limit])
    store.con.execute("DELETE FROM quarantine WHERE source = ? AND created_at < ?", [source, limit])
    return removed


def _drop_empty_persons(store: Store) -> int:
    empty = (
        "SELECT person_id FROM person WHERE person_id NOT IN (SELECT person_id FROM person_record)"
    )
    n = _count(store, empty, [])
    if n:
        for table in ("cohort_member", "need_flag"):
            store.con.execute(f"DELETE FROM {table} WHERE person_id IN ({empty})")
        store.con.execute(f"DELETE FROM person WHERE person_id IN ({empty})")
    return n
