"""The Python API: a workspace folder (ddj.toml + ddj.duckdb) and every stage as a method.

The CLI is a thin layer over this class::

    from ddj import Workspace
    ws = Workspace("county")
    ws.ingest()
    ws.link()
    ws.identify()
    ws.report("report.html")
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ddj import export as exports
from ddj.config import CONFIG_NAME, DATABASE_NAME, Config, SourceConfig, SourceFile, load_config
from ddj.errors import ConfigError, WorkspaceError
from ddj.identify import (
    IdentifySummary,
    Need,
    default_cohorts_raw,
    default_needs,
    load_needs,
    parse_cost_weights,
    parse_rules,
)
from ddj.identify import identify as run_identify
from ddj.ingest import ingest_source
from ddj.ingest.writer import BatchSummary
from ddj.link import LinkSummary, link_workspace
from ddj.store import Store
from ddj.templates import CONFIG_TEMPLATE

Progress = Callable[[str], None]


class Workspace:
    def __init__(self, path: str | Path = "."):
        self.root = Path(path).expanduser().resolve()
        self._config: Config | None = None
        self._store: Store | None = None

    @classmethod
    def init(cls, path: str | Path = ".", *, config_text: str | None = None) -> Workspace:
        root = Path(path).expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        config_path = root / CONFIG_NAME
        if config_path.exists() and config_text is None:
            raise WorkspaceError(
                "a workspace already exists here",
                where=str(config_path),
                fix="use it as it is, or remove ddj.toml to start again",
            )
        config_path.write_text(config_text or CONFIG_TEMPLATE, encoding="utf-8")
        from importlib import resources

        from ddj.govern.policy import POLICY_NAME

        if not (root / POLICY_NAME).exists():  # a starting point for the privacy officer
            default = resources.files("ddj.govern") / "default_policy.toml"
            (root / POLICY_NAME).write_text(default.read_text("utf-8"), encoding="utf-8")
        workspace = cls(root)
        _ = workspace.store  # opening it creates the database with the schema
        return workspace

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.root)
        return self._config

    @property
    def policy(self):
        """The data-sharing policy: ROOT/policy.toml, else the built-in default."""
        from ddj.govern.policy import load_policy

        return load_policy(self.root)

    @property
    def store(self) -> Store:
        if self._store is None:
            if not self.root.is_dir():
                raise WorkspaceError(
                    "workspace folder does not exist",
                    where=str(self.root),
                    fix="run `ddj init DIR` first",
                )
            database = self.config.database
            if not database.exists() and not (self.root / CONFIG_NAME).exists():
                raise WorkspaceError(
                    f"no workspace here (no {CONFIG_NAME} or {DATABASE_NAME})",
                    where=str(self.root),
                    fix="run `ddj init` here, or point --workspace / DDJ_WORKSPACE at one",
                )
            self._store = Store(database)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- stages ---------------------------------------------------------------------------------

    def ingest(
        self,
        *,
        source: str | None = None,
        path: str | Path | None = None,
        format: str = "table",
        system: str | None = None,
        profile: str | None = None,
        progress: Progress | None = None,
    ) -> list[BatchSummary]:
        """Ingest all configured sources, one source by name, or one file or folder."""
        if path is not None:
            if not system:
                raise ConfigError("ingesting a path needs --system (e.g. jail_booking)")
            target = Path(path).expanduser().resolve()
            name = source or target.stem
            ad_hoc = SourceConfig(
                name=name, system=system, format=format, files=(SourceFile(target, profile),)
            )
            return ingest_source(self.store, self.config, ad_hoc, progress)
        sources = [self.config.source(source)] if source else self.config.sources
        if not sources:
            raise ConfigError(
                "no sources configured",
                where=str(self.root / CONFIG_NAME),
                fix="add [[sources]] to ddj.toml, or give a PATH to ingest",
            )
        summaries: list[BatchSummary] = []
        for item in sources:
            summaries.extend(ingest_source(self.store, self.config, item, progress))
        return summaries

    def link(self, progress: Progress | None = None, mode: str = "auto") -> LinkSummary:
        """Link all records; a small new batch is linked incrementally (see link.run)."""
        return link_workspace(
            self.store, self.config.link, progress, engine=self.config.link.engine, mode=mode
        )

    def hl7_listener(
        self, *, source: str, system: str = "ed", host: str = "127.0.0.1", port: int = 2575
    ):
        """An MLLP listener that stores each HL7 v2 message before acknowledging it."""
        from ddj.ingest.hl7v2 import build_ack, parse_message
        from ddj.ingest.mllp import MllpListener

        return MllpListener(
            self.store,
            source=source,
            system=system,
            parse=parse_message,
            build_ack=build_ack,
            host=host,
            port=port,
        )

    def review_queue(self, limit: int = 20):
        from ddj.link.review import review_queue

        return review_queue(self.store, limit)

    def decide(
        self,
        record_key_a: str,
        record_key_b: str,
        decision: str,
        *,
        reviewer: str,
        note: str | None = None,
    ) -> None:
        """Record a reviewer's decision on a pair; the next `link` honours it."""
        from ddj.link.review import decide

        decide(self.store, record_key_a, record_key_b, decision, reviewer=reviewer, note=note)

    def need_definitions(self) -> list[Need]:
        """The needs flagged: ddj.toml's `[identify] needs = "file.toml"`, else the built-in."""
        where = str(self.root / CONFIG_NAME)
        section = self.config.raw.get("identify", {})
        if not isinstance(section, dict):
            raise ConfigError("[identify] must be a table", where=where)
        unknown = sorted(set(section) - {"needs"})
        if unknown:
            raise ConfigError(
                f"[identify]: unknown key(s) {', '.join(unknown)}",
                where=where,
                fix='allowed: needs (a needs file, e.g. needs = "needs.toml")',
            )
        path = section.get("needs")
        if path is None:
            return default_needs()
        if not isinstance(path, str) or not path.strip():
            raise ConfigError("[identify] needs must be a file path", where=where)
        target = Path(path).expanduser()
        return load_needs(
            target if target.is_absolute() else self.root / target, referenced_from=where
        )

    def cohort_rules(self, needs: list[Need] | None = None):
        """ddj.toml's [[cohorts]] (else the built-in ones) with its [cost_weights] (else the
        built-in ones); a condition may name any of the workspace's needs."""
        needs = self.need_definitions() if needs is None else needs
        where = str(self.root / CONFIG_NAME)
        defaults = default_cohorts_raw()
        raw_weights = self.config.raw.get("cost_weights")
        weights = parse_cost_weights(
            defaults.get("cost_weights", {}) if raw_weights is None else raw_weights,
            where="built-in default cohorts" if raw_weights is None else where,
        )
        return parse_rules(
            self.config.cohorts or defaults["cohorts"],
            where=where if self.config.cohorts else "built-in default cohorts",
            needs=needs,
            cost_weights=weights,
        )

    def identify(self, as_of: date | None = None) -> IdentifySummary:
        """Flag each person's needs and find each cohort's members, as of a day."""
        needs = self.need_definitions()
        return run_identify(self.store, self.cohort_rules(needs), as_of, needs)

    def needs(self, person_id: str, *, include_part2: bool = True) -> list[dict[str, Any]]:
        """A person's needs from the latest identify run, with the evidence behind each.

        Each: need, label, evidence_count, first_at, last_at, part2 (some evidence comes from a
        42 CFR Part 2 record), sources (every source behind it), evidence (newest first, at most
        20: event_key, record_key, source, system, at, code, why, kind, part2). Needs in the
        order they are defined.
        ``include_part2=False`` leaves out every need that rests even partly on Part 2 records,
        for a viewer without Part 2 consent or authority.
        """
        labels = {n.name: n.label for n in self.need_definitions()}
        rows = self.store.dicts(
            "SELECT need, evidence_count, first_at, last_at, part2, sources,"
            " CAST(evidence AS VARCHAR) AS evidence FROM latest_need_flag WHERE person_id = ?"
            + ("" if include_part2 else " AND NOT part2"),
            [person_id],
        )
        order = list(labels)
        rows.sort(key=lambda r: order.index(r["need"]) if r["need"] in labels else len(order))
        for r in rows:
            r["label"] = labels.get(r["need"], r["need"].replace("_", " "))
            r["evidence"] = json.loads(r["evidence"])
        return rows

    def needs_summary(self) -> list[dict[str, Any]]:
        """People flagged per need in the latest identify run (and how many of them rest on some
        Part 2 evidence): need, label, persons, part2_persons; every defined need listed."""
        counts = {
            r["need"]: r
            for r in self.store.dicts(
                "SELECT need, count(*) AS persons,"
                " count(*) FILTER (WHERE part2) AS part2_persons"
                " FROM latest_need_flag GROUP BY need"
            )
        }
        return [
            {
                "need": n.name,
                "label": n.label,
                "persons": counts.get(n.name, {}).get("persons", 0),
                "part2_persons": counts.get(n.name, {}).get("part2_persons", 0),
            }
            for n in self.need_definitions()
        ]

    def report(
        self,
        out: str | Path,
        *,
        title: str | None = None,
        top_n: int = 50,
        public: bool = False,
        threshold: int = 11,
    ) -> Path:
        """Write the HTML report. Only sources under a live agreement are counted; ``public``
        names nobody and hides small counts (complementary suppression)."""
        from ddj.govern.scope import shared_sources
        from ddj.report import write_report

        sources = shared_sources(self.store, self.policy)
        path = write_report(
            self.store,
            Path(out),
            title=title or f"ddj report: {self.root.name}",
            top_n=top_n,
            sources=sources,
            public=public,
            threshold=threshold,
        )
        self.audit(
            "export",
            subject_kind="file",
            subject_id=Path(out).name,
            details={"export": "public report" if public else "report"},
        )
        return path

    @property
    def actor(self) -> str:
        """Who the audit trail names for work done from this machine's command line."""
        import getpass

        return f"cli:{getpass.getuser()}"

    def audit(self, action: str, **fields: Any) -> int:
        from ddj.govern import audit

        return audit.record(self.store, actor=self.actor, action=action, **fields)

    def note_policy(self) -> bool:
        """Record the policy in the audit trail when it differs from the one last recorded."""
        from ddj.govern import audit

        policy = self.policy
        last = audit.entries(self.store, actions=["policy_change"])
        if last and (last[-1].details or {}).get("sha256") == policy.digest:
            return False
        self.audit(
            "policy_change",
            subject_kind="policy",
            subject_id=policy.version or None,
            details={
                "sha256": policy.digest,
                "agreements": len(policy.agreements),
                "roles": sorted(policy.roles),
            },
        )
        return True

    def add_user(self, username: str, password: str, role: str):
        """Create a local dashboard account (argon2id-hashed password)."""
        from ddj.govern import add_account

        self.policy.role(role)  # the role must be one the policy defines
        account = add_account(self.store, username, password, role)
        self.audit(
            "account_created", subject_kind="account", subject_id=username, details={"role": role}
        )
        return account

    def create_token(self, username: str, name: str, *, days: int = 90) -> str:
        from ddj.govern.tokens import create_token

        token = create_token(self.store, username, name, days=days)
        self.audit(
            "token_created",
            subject_kind="account",
            subject_id=username,
            details={"token_name": name, "days": days},
        )
        return token

    def revoke_tokens(self, username: str, name: str | None = None) -> int:
        from ddj.govern.tokens import revoke_tokens

        n = revoke_tokens(self.store, username, name)
        self.audit(
            "token_revoked",
            subject_kind="account",
            subject_id=username,
            details={"token_name": name or "all", "revoked": n},
        )
        return n

    def record_consent(self, record_key: str, **terms: Any):
        from ddj.govern.consent import record_consent

        for role in terms.get("roles", []):
            self.policy.role(role)
        consent = record_consent(self.store, record_key, **terms)
        self.audit(
            "consent_recorded",
            subject_kind="record",
            subject_id=record_key,
            details={"consent_id": consent.consent_id, "roles": list(consent.roles)},
        )
        return consent

    def revoke_consent(self, consent_id: str, *, on: date) -> None:
        from ddj.govern.consent import revoke_consent

        revoke_consent(self.store, consent_id, on=on)
        self.audit(
            "consent_revoked",
            subject_kind="consent",
            subject_id=consent_id,
            details={"from": on.isoformat()},
        )

    def users(self):
        from ddj.govern import list_accounts

        return list_accounts(self.store)

    def serve(self, *, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serve the dashboard until interrupted."""
        from ddj.web import serve

        serve(self.store, self.policy, host=host, port=port, title=self.root.name)

    def purge(self, *, today: date | None = None, dry_run: bool = False):
        """Remove what the agreements' retention_days no longer allow to be kept."""
        from ddj.govern.retention import purge

        summary = purge(self.store, self.policy, today=today, dry_run=dry_run)
        if not dry_run:
            self.audit(
                "purge",
                details={
                    "removed": summary.removed,
                    "cutoffs": {k: v.isoformat() for k, v in summary.cutoffs.items()},
                    "persons_removed": summary.persons_removed,
                },
            )
        return summary

    def export(self, what: str, fmt: str, out: str | Path, *, role: str = "admin") -> int:
        """Write an export as ROLE may see it under the policy (sources, identity, Part 2)."""
        from ddj.govern.scope import Scope

        scope = Scope.for_role(self.store, self.policy, role)
        scope.require_person_level()
        n = exports.export(self.store, what, fmt, Path(out), records=scope.identity_records())
        self.audit(
            "export",
            subject_kind="file",
            subject_id=Path(out).name,
            details={"export": what, "format": fmt, "rows": n},
        )
        return n

    def quarantine(self, source: str | None = None, limit: int | None = None) -> list[dict]:
        query = (
            "SELECT source, file, row_number, field, value, reason FROM current_quarantine"
            + (" WHERE source = ?" if source else "")
            + " ORDER BY source, file, row_number"
        )
        if limit:
            query += f" LIMIT {int(limit)}"
        return self.store.dicts(query, [source] if source else [])

    def status(self) -> dict[str, Any]:
        s = self.store
        return {
            "workspace": str(self.root),
            "sources": s.dicts("""
                SELECT b.source, any_value(b.system) AS system,
                    count(DISTINCT b.batch_id) AS batches,
                    (SELECT count(*) FROM current_record r WHERE r.source = b.source) AS records,
                    (SELECT count(*) FROM current_event e WHERE e.source = b.source) AS events,
                    (SELECT count(*) FROM current_quarantine q WHERE q.source = b.source)
                        AS quarantined
                FROM ingest_batch b WHERE b.status = 'done' GROUP BY b.source ORDER BY b.source
            """),
            "tables": {
                t: s.scalar(f"SELECT count(*) FROM {t}")
                for t in (
                    "source_record",
                    "event",
                    "record_alias",
                    "quarantine",
                    "ingest_batch",
                    "person",
                    "person_record",
                    "link_pair",
                    "cohort_member",
                    "need_flag",
                )
            },
            "stages": {
                "ingest": s.scalar("SELECT max(finished_at) FROM ingest_batch"),
                "link": s.scalar("SELECT max(finished_at) FROM link_run"),
                "identify": s.scalar("SELECT max(ran_at) FROM identify_run"),
            },
        }
