"""The link stage: train a Splink model on the current records, score pairs, cluster, assign ids."""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker

from ddj.config import LinkConfig
from ddj.errors import StageOrderError
from ddj.link import model
from ddj.link.blocking import candidate_pairs_sql
from ddj.link.cluster import Identity, cluster
from ddj.link.engine import register_records, splink_db_api
from ddj.link.prepare import refresh_linkage_input
from ddj.link.stable_ids import assign_person_ids
from ddj.store import Store

Progress = Callable[[str], None]
# Pairs kept for inspection and the review queue: from this probability up.
KEEP_PAIRS_FROM = 0.5


@dataclass
class LinkSummary:
    run_id: str
    n_records: int
    n_pairs_scored: int
    n_links: int
    n_persons: int
    n_multi_system_persons: int
    n_id_changes: int
    seconds: dict[str, float] = field(default_factory=dict)
    mode: str = "full"
    labels_used: int = 0

    def line(self) -> str:
        return (
            f"linked ({self.mode}) {self.n_records} records into {self.n_persons} persons "
            f"({self.n_multi_system_persons} seen by 2+ systems); {self.n_links} links above "
            f"the threshold; {self.n_id_changes} person-id changes recorded"
        )


# A new batch of at most this many records (or this share of all) is linked incrementally
# against the existing persons with the stored model, instead of retraining on everything.
INCREMENTAL_MAX_RECORDS = 50_000
INCREMENTAL_MAX_SHARE = 0.10
TF_COLUMNS = ("first_name", "last_name", "address", "city")
MODES = ("auto", "full", "incremental")


def link_workspace(
    store: Store,
    config: LinkConfig,
    progress: Progress | None = None,
    engine: str = "duckdb",
    mode: str = "auto",
) -> LinkSummary:
    """Link the workspace. ``auto`` links a small new batch incrementally and retrains on
    everything otherwise; ``full`` always retrains; ``incremental`` never does."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    say = progress or (lambda _m: None)
    timings: dict[str, float] = {}
    started = datetime.now()
    t0 = time.perf_counter()
    table, changed = refresh_linkage_input(store)
    if table.num_rows == 0:
        raise StageOrderError("there are no records to link", fix="run `ddj ingest` first")
    timings["prepare"] = time.perf_counter() - t0
    say(f"link: {table.num_rows} records prepared ({len(changed)} new or changed)")
    stored_model = _stored_model(store)
    small = (
        len(changed) <= INCREMENTAL_MAX_RECORDS
        and len(changed) <= INCREMENTAL_MAX_SHARE * table.num_rows
    )
    if mode == "incremental" and stored_model is None:
        raise StageOrderError(
            "no trained model for this version of ddj", fix="run `ddj link --mode full` first"
        )
    incremental = stored_model is not None and (mode == "incremental" or (mode == "auto" and small))

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = splink_db_api(engine)
    keyed = with_integer_ids(table)
    records = register_records(db_api, keyed, "ddj_records")
    t0 = time.perf_counter()
    if incremental:
        say("link: linking the new records with the stored model")
        linker = Linker(records, stored_model, log_level=None)
        new_pairs = _predict_new(db_api, linker, keyed, changed)
        timings["predict"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        say("link: clustering the persons the new records touch")
        scope = _Scope.of(store, changed, new_pairs)
        scoped = table.filter(
            pc.is_in(table.column("unique_id"), value_set=pa.array(sorted(scope.keys), pa.string()))
        )
        pairs = pa.concat_tables(
            [new_pairs, _stored_pairs(store, scope.reopened, changed)], promote_options="default"
        )
        clusters = cluster_records(
            store, scoped, pairs, config.threshold, keep_together=scope.keep_together
        )
        timings["cluster"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_id = f"l{started:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        summary = _write_scoped(
            store,
            run_id,
            started,
            config,
            scoped,
            new_pairs,
            clusters,
            linker.misc.save_model_to_json(),
            engine,
            scope,
            changed,
        )
        timings["write"] = time.perf_counter() - t0
        summary.seconds = timings
        summary.mode = "incremental"
        return summary
    trainer = Linker(records, model.settings(unique_id="record_key"), log_level=None)
    _train(trainer, config, say, table.num_rows)
    labels_used = (
        _train_from_reviews(db_api, trainer, store, say) if config.train_from_reviews else 0
    )
    trained = trainer.misc.save_model_to_json()
    trained["unique_id_column_name"] = "unique_id"
    linker = Linker(records, trained, log_level=None)
    timings["train"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    say("link: scoring candidate pairs")
    pairs = _predict_all(db_api, linker, keyed)
    timings["predict"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    say("link: clustering")
    clusters = cluster_records(store, table, pairs, config.threshold)
    timings["cluster"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    run_id = f"l{started:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    summary = _write(
        store,
        run_id,
        started,
        config,
        table,
        pairs,
        clusters,
        linker.misc.save_model_to_json(),
        engine,
    )
    timings["write"] = time.perf_counter() - t0
    summary.seconds = timings
    summary.mode = "full"
    summary.labels_used = labels_used
    return summary


_PAIR_COLUMNS = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
# Candidate pairs are scored in parts of at most this many (a million records make about 20
# million), so scoring stays within the engine's memory cap.
PAIRS_PER_PART = 40_000_000


def with_integer_ids(table: pa.Table) -> pa.Table:
    """The records as Splink reads them: ``unique_id`` is the row number (the table is in key
    order, so id order is key order) and ``record_key`` the key. Joining, comparing and
    de-duplicating pairs of integers is much cheaper than of the keys' strings."""
    keyed = table.rename_columns(
        ["record_key" if name == "unique_id" else name for name in table.column_names]
    )
    return keyed.append_column("unique_id", pa.array(range(table.num_rows), pa.int32()))


def _to_keys(scored: pa.Table, keyed: pa.Table) -> pa.Table:
    """Scored pairs of integer ids as pairs of record keys."""
    keys = keyed.column("record_key")
    return pa.table(
        {
            "unique_id_l": keys.take(scored.column("unique_id_l")),
            "unique_id_r": keys.take(scored.column("unique_id_r")),
            "match_weight": scored.column("match_weight"),
            "match_probability": scored.column("match_probability"),
        }
    )


def _predict_all(db_api, linker: Linker, keyed: pa.Table) -> pa.Table:
    """Block with every prediction rule at once (blocking.py) and score the candidate pairs."""
    con = db_api.duckdb_con
    sql = candidate_pairs_sql("ddj_records", model.blocking_rules_sql())
    con.execute(f"CREATE TABLE ddj_candidates AS {sql}").fetchall()
    n_pairs = con.execute("SELECT count(*) FROM ddj_candidates").fetchall()[0][0]
    parts = max(1, math.ceil(n_pairs / PAIRS_PER_PART))
    scored = []
    for part in range(parts):
        name = f"ddj_candidates_{part}"
        where = f"WHERE join_key_l % {parts} = {part}" if parts > 1 else ""
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM ddj_candidates {where}").fetchall()
        linker.table_management.register_blocked_pairs_for_predict(db_api.register(name))
        predictions = linker.inference.predict(threshold_match_probability=KEEP_PAIRS_FROM)
        scored.append(predictions.as_pyarrow_table().select(_PAIR_COLUMNS))
        predictions.drop_table_from_database_and_remove_from_cache()
        con.execute(f"DROP VIEW {name}").fetchall()
    con.execute("DROP TABLE ddj_candidates").fetchall()
    return _to_keys(pa.concat_tables(scored), keyed)


def _stored_model(store: Store) -> dict | None:
    """The latest trained model, unless this ddj compares records differently (then retrain)."""
    text = store.scalar(
        "SELECT CAST(model_json AS VARCHAR) FROM link_run ORDER BY started_at DESC LIMIT 1"
    )
    if not text:
        return None
    stored = json.loads(text)
    return stored if model.signature(stored) == model.current_signature() else None


def _predict_new(db_api, linker: Linker, keyed: pa.Table, changed: set[str]) -> pa.Table:
    """Score the new records against the existing ones and against each other."""
    if not changed:
        return pa.table(
            {
                c: pa.array([], pa.float64() if c.startswith("match") else pa.string())
                for c in _PAIR_COLUMNS
            }
        )
    for column in TF_COLUMNS:
        linker.table_management.compute_tf_table(column)
    is_new = pc.is_in(keyed.column("record_key"), value_set=pa.array(sorted(changed), pa.string()))
    new = register_records(db_api, keyed.filter(is_new), "ddj_new")
    parts = [linker.inference.predict_within(new, threshold_match_probability=KEEP_PAIRS_FROM)]
    existing_rows = keyed.filter(pc.invert(is_new))
    if existing_rows.num_rows:
        existing = register_records(db_api, existing_rows, "ddj_existing")
        parts.append(
            linker.inference.predict_between(
                existing, new, threshold_match_probability=KEEP_PAIRS_FROM
            )
        )
    scored = pa.concat_tables([p.as_pyarrow_table().select(_PAIR_COLUMNS) for p in parts])
    return _to_keys(scored, keyed)


@dataclass
class _Scope:
    """The records an incremental run re-clusters: the new or changed ones, and every record of
    the persons they, their scored pairs or a review decision touch. Persons touched by a change
    or a decision are reopened (clustered again from their stored pairs); persons only reached by
    a new pair keep their records together. No other person is read or written."""

    keys: set[str]
    previous: dict[str, str]
    reopened: set[str]
    keep_together: list[list[str]]

    @classmethod
    def of(cls, store: Store, changed: set[str], new_pairs: pa.Table) -> _Scope:
        reached = set(new_pairs.column("unique_id_l").to_pylist()) | set(
            new_pairs.column("unique_id_r").to_pylist()
        )
        decided = {
            k
            for row in store.sql("SELECT record_key_l, record_key_r FROM current_review_decision")
            for k in row
        }
        con = store.con
        con.register(
            "scope_seed",
            pa.table(
                {
                    "k": pa.array(sorted(changed | decided | reached), pa.string()),
                    "opens": pa.array(
                        [k in changed or k in decided for k in sorted(changed | decided | reached)],
                        pa.bool_(),
                    ),
                }
            ),
        )
        try:
            rows = con.execute("""
                WITH touched AS (
                    SELECT p.person_id, bool_or(s.opens) AS opens
                    FROM scope_seed s JOIN person_record p ON p.record_key = s.k
                    GROUP BY p.person_id)
                SELECT p.record_key, p.person_id, t.opens
                FROM person_record p JOIN touched t USING (person_id)
            """).fetchall()
        finally:
            con.unregister("scope_seed")
        previous = {key: person for key, person, _ in rows}
        reopened = {key for key, _, opens in rows if opens and key not in changed}
        groups: dict[str, list[str]] = {}
        for key, person, opens in rows:
            if not opens:
                groups.setdefault(person, []).append(key)
        return cls(
            keys=set(previous) | changed,
            previous=previous,
            reopened=reopened,
            keep_together=[g for g in groups.values() if len(g) > 1],
        )


def _stored_pairs(store: Store, reopened: set[str], changed: set[str]) -> pa.Table:
    """The scored pairs kept from earlier runs among reopened records (pairs of changed records
    are scored again)."""
    store.con.register("reopened", pa.table({"k": pa.array(sorted(reopened), pa.string())}))
    try:
        table = store.con.sql("""
            SELECT record_key_l AS unique_id_l, record_key_r AS unique_id_r,
                   match_weight, match_probability
            FROM link_pair
            WHERE record_key_l IN (SELECT k FROM reopened)
              AND record_key_r IN (SELECT k FROM reopened)
        """).to_arrow_table()
    finally:
        store.con.unregister("reopened")
    return table.cast(
        pa.schema(
            [
                ("unique_id_l", pa.string()),
                ("unique_id_r", pa.string()),
                ("match_weight", pa.float64()),
                ("match_probability", pa.float64()),
            ]
        )
    )


def cluster_records(
    store: Store,
    table: pa.Table,
    pairs: pa.Table,
    threshold: float,
    keep_together: list[list[str]] | None = None,
) -> dict[str, str]:
    """Cluster with the reviewers' decisions and the hard-identifier conflicts applied."""
    decisions = store.sql(
        "SELECT record_key_l, record_key_r, decision FROM current_review_decision"
    )
    must_link = [(a, b) for a, b, d in decisions if d == "link"] + [
        (group[0], other) for group in keep_together or [] for other in group[1:]
    ]
    # Only pairs at the threshold join records (cluster.py); strongest first, as cluster()
    # takes them (Arrow orders strings by their UTF-8 bytes, which is Python's order too).
    strong = pairs.filter(pc.greater_equal(pairs.column("match_probability"), threshold)).sort_by(
        [
            ("match_probability", "descending"),
            ("unique_id_l", "ascending"),
            ("unique_id_r", "ascending"),
        ]
    )
    scored = list(
        zip(
            strong.column("unique_id_l").to_pylist(),
            strong.column("unique_id_r").to_pylist(),
            strong.column("match_probability").to_pylist(),
            strict=True,
        )
    )
    # Identities are looked at only when groups join: for the records of those pairs.
    joining = pa.array(
        sorted(
            {k for a, b, _ in scored for k in (a, b)} | {k for pair in must_link for k in pair}
        ),
        pa.string(),
    )
    rows = table.filter(pc.is_in(table.column("unique_id"), value_set=joining))
    identities = {
        key: Identity(ssn, dob, frozenset(variants or ()), first, last, sex, address)
        for key, ssn, dob, variants, first, last, sex, address in zip(
            rows.column("unique_id").to_pylist(),
            rows.column("ssn").to_pylist(),
            rows.column("dob").to_pylist(),
            rows.column("first_variants").to_pylist(),
            rows.column("first_name").to_pylist(),
            rows.column("last_name").to_pylist(),
            rows.column("sex").to_pylist(),
            rows.column("address").to_pylist(),
            strict=True,
        )
        if ssn or first
    }
    return cluster(
        table.column("unique_id").to_pylist(),
        scored,
        threshold,
        identities,
        must_link=must_link,
        cannot_link=[(a, b) for a, b, d in decisions if d == "not_link"],
        presorted=True,
    )


# EM's sample is sized from a count of the blocked pairs among this many records (all of them in
# a smaller workspace): enough for a close count, a small part of the blocking itself.
EM_PROBE_RECORDS = 50_000


def _train(linker: Linker, config: LinkConfig, say: Progress, n_records: int) -> None:
    say("link: estimating the share of matching pairs")
    linker.training.estimate_probability_two_random_records_match(
        model.deterministic_rules(), recall=0.7
    )
    say("link: estimating u (random pairs)")
    linker.training.estimate_u_using_random_sampling(
        max_pairs=config.max_pairs_for_training, seed=config.seed
    )
    for rule in model.training_blocking_rules():
        say("link: estimating m (expectation maximisation)")
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule,
            estimate_without_term_frequencies=True,
            max_pairs=config.max_pairs_for_em or None,
            record_sample_proportion=min(1.0, EM_PROBE_RECORDS / max(n_records, 1)),
        )


# Reviewed "link" pairs needed before they are used to estimate m (fewer say too little).
MIN_REVIEWED_LINKS = 20


def _train_from_reviews(db_api, linker: Linker, store: Store, say: Progress) -> int:
    """Estimate m from the pairs reviewers said are one person (Splink's labelled estimation).

    Reviewed pairs are the uncertain ones, not a random sample of matches, so this is opt-in
    (``[link] train_from_reviews``). Returns the number of labels used (0 when too few)."""
    pairs = store.sql(
        "SELECT d.record_key_l, d.record_key_r FROM current_review_decision d "
        "JOIN link_input a ON a.unique_id = d.record_key_l "
        "JOIN link_input b ON b.unique_id = d.record_key_r WHERE d.decision = 'link'"
    )
    if len(pairs) < MIN_REVIEWED_LINKS:
        return 0
    say(f"link: estimating m from {len(pairs)} reviewed links")
    labels = pa.table(
        {
            "source_dataset_l": ["ddj_records"] * len(pairs),
            "record_key_l": [a for a, _ in pairs],
            "source_dataset_r": ["ddj_records"] * len(pairs),
            "record_key_r": [b for _, b in pairs],
        }
    )
    linker.training.estimate_m_from_pairwise_labels(
        db_api.register(labels, table_name="ddj_review_labels")
    )
    return len(pairs)


def _write(
    store: Store,
    run_id: str,
    started: datetime,
    config: LinkConfig,
    table: pa.Table,
    pairs: pa.Table,
    clusters: dict[str, str],
    model_json: dict,
    engine: str,
) -> LinkSummary:
    con = store.con
    previous = dict(con.execute("SELECT record_key, person_id FROM person_record").fetchall())
    taken = {row[0] for row in con.execute("SELECT person_id FROM person").fetchall()}
    taken |= {
        row[0] for row in con.execute("SELECT old_person_id FROM person_id_change").fetchall()
    }
    assignment, changes = assign_person_ids(clusters, previous, taken)
    keys = table.column("unique_id").to_pylist()
    assigned = pa.table(
        {
            "record_key": keys,
            "person_id": [assignment[k] for k in keys],
            "source": table.column("source"),
            "system": table.column("system"),
        }
    )
    kept_pairs = pairs.select(["unique_id_l", "unique_id_r", "match_weight", "match_probability"])
    n_links = sum(
        1 for p in kept_pairs.column("match_probability").to_pylist() if p >= config.threshold
    )
    con.execute("BEGIN")
    try:
        con.register("assigned", assigned)
        con.register("kept_pairs", kept_pairs)
        _store_assignments(con, run_id, everything=True)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE person_new AS
            SELECT person_id, count(*) AS n_records, count(DISTINCT system) AS n_systems
            FROM assigned GROUP BY person_id
        """)
        con.execute("DELETE FROM person WHERE person_id NOT IN (SELECT person_id FROM person_new)")
        _apply_person_new(con, run_id, changes)
        con.execute("DELETE FROM link_pair")
        con.execute(
            """
            INSERT INTO link_pair
            SELECT ?, unique_id_l, unique_id_r, match_weight, match_probability FROM kept_pairs
        """,
            [run_id],
        )
        n_persons, n_multi = _record_run(
            con,
            run_id,
            started,
            engine,
            table.num_rows,
            kept_pairs.num_rows,
            n_links,
            config.threshold,
            model_json,
        )
        con.execute("DROP TABLE person_new")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("assigned")
        con.unregister("kept_pairs")
    return LinkSummary(
        run_id, table.num_rows, kept_pairs.num_rows, n_links, n_persons, n_multi, len(changes)
    )


def _write_scoped(
    store: Store,
    run_id: str,
    started: datetime,
    config: LinkConfig,
    scoped: pa.Table,
    new_pairs: pa.Table,
    clusters: dict[str, str],
    model_json: dict,
    engine: str,
    scope: _Scope,
    changed: set[str],
) -> LinkSummary:
    """Write an incremental run: only the scope's records, their persons and the new pairs."""
    con = store.con
    taken = {row[0] for row in con.execute("SELECT person_id FROM person").fetchall()}
    taken |= {r[0] for r in con.execute("SELECT old_person_id FROM person_id_change").fetchall()}
    assignment, changes = assign_person_ids(clusters, scope.previous, taken)
    keys = scoped.column("unique_id").to_pylist()
    assigned = pa.table(
        {
            "record_key": keys,
            "person_id": [assignment[k] for k in keys],
            "source": scoped.column("source"),
        }
    )
    affected = pa.table(
        {
            "person_id": pa.array(
                sorted(set(scope.previous.values()) | set(assignment.values())), pa.string()
            )
        }
    )
    n_links = sum(
        1 for p in new_pairs.column("match_probability").to_pylist() if p >= config.threshold
    )
    con.execute("BEGIN")
    try:
        for name, arrow in (
            ("assigned", assigned),
            ("affected", affected),
            ("new_pairs", new_pairs),
            ("replaced", pa.table({"k": pa.array(sorted(changed), pa.string())})),
        ):
            con.register(name, arrow)
        _store_assignments(con, run_id, everything=False)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE person_new AS
            SELECT p.person_id, count(*) AS n_records, count(DISTINCT r.system) AS n_systems
            FROM person_record p JOIN current_record r USING (record_key)
            WHERE p.person_id IN (SELECT person_id FROM affected)
            GROUP BY p.person_id
        """)
        con.execute("""
            DELETE FROM person WHERE person_id IN (SELECT person_id FROM affected)
              AND person_id NOT IN (SELECT person_id FROM person_new)
        """)
        _apply_person_new(con, run_id, changes)
        con.execute(
            "DELETE FROM link_pair WHERE record_key_l IN (SELECT k FROM replaced) "
            "OR record_key_r IN (SELECT k FROM replaced)"
        )
        con.execute(
            """
            INSERT INTO link_pair
            SELECT ?, unique_id_l, unique_id_r, match_weight, match_probability FROM new_pairs
        """,
            [run_id],
        )
        n_records = con.execute("SELECT count(*) FROM person_record").fetchall()[0][0]
        n_persons, n_multi = _record_run(
            con,
            run_id,
            started,
            engine,
            n_records,
            new_pairs.num_rows,
            n_links,
            config.threshold,
            model_json,
        )
        con.execute("DROP TABLE person_new")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("assigned", "affected", "new_pairs", "replaced"):
            con.unregister(name)
    return LinkSummary(
        run_id, n_records, new_pairs.num_rows, n_links, n_persons, n_multi, len(changes)
    )


def _store_assignments(con, run_id: str, everything: bool) -> None:
    """Write the registered table ``assigned`` (record_key, person_id, source) to person_record:
    kept records are updated in place, new ones inserted and, when ``assigned`` holds every
    record, the others deleted. Deleting and inserting the same keys of this primary-keyed
    table in one transaction made the commit take 34 s for a million records (DuckDB 2.0);
    updating them takes 1 s."""
    con.execute(
        """
        UPDATE person_record SET person_id = a.person_id, run_id = ?
        FROM assigned a WHERE person_record.record_key = a.record_key
        """,
        [run_id],
    )
    if everything:
        con.execute(
            "DELETE FROM person_record WHERE record_key NOT IN (SELECT record_key FROM assigned)"
        )
    con.execute(
        """
        INSERT INTO person_record (record_key, person_id, source, source_person_id, run_id)
        SELECT a.record_key, a.person_id, a.source, substr(a.record_key, length(a.source) + 2), ?
        FROM assigned a
        WHERE a.record_key NOT IN (SELECT record_key FROM person_record)
        """,
        [run_id],
    )


def _apply_person_new(con, run_id: str, changes: list) -> None:
    """Update and add the persons counted in the temp table person_new; log the id changes."""
    con.execute(
        """
        UPDATE person SET n_records = n.n_records, n_systems = n.n_systems, updated_run = ?
        FROM person_new n WHERE person.person_id = n.person_id
        """,
        [run_id],
    )
    con.execute(
        """
        INSERT INTO person (person_id, created_run, updated_run, n_records, n_systems)
        SELECT person_id, ?, ?, n_records, n_systems FROM person_new
        WHERE person_id NOT IN (SELECT person_id FROM person)
        """,
        [run_id, run_id],
    )
    if changes:
        con.executemany(
            "INSERT INTO person_id_change VALUES (?, ?, ?, ?, ?)",
            [(run_id, c.old_person_id, c.new_person_id, c.kind, c.n_records) for c in changes],
        )


def _record_run(
    con,
    run_id: str,
    started: datetime,
    engine: str,
    n_records: int,
    n_pairs: int,
    n_links: int,
    threshold: float,
    model_json: dict,
) -> tuple[int, int]:
    """Log the run in link_run; return the persons now and those seen by 2+ systems."""
    n_persons, n_multi = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE n_systems > 1) FROM person"
    ).fetchall()[0]
    con.execute(
        "INSERT INTO link_run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started,
            datetime.now(),
            engine,
            n_records,
            n_pairs,
            n_links,
            n_persons,
            threshold,
            json.dumps(model_json),
        ],
    )
    return n_persons, n_multi
