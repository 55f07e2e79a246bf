"""ddj's own blocking finds exactly the candidate pairs Splink's blocking finds (same rules)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from splink import Linker

from ddj import Workspace
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config
from ddj.link import model
from ddj.link.blocking import candidate_pairs_sql, rule_columns
from ddj.link.engine import register_records, splink_db_api
from ddj.link.prepare import refresh_linkage_input
from ddj.link.run import with_integer_ids


def test_rule_columns_are_read_from_the_sql() -> None:
    assert rule_columns('(l."first_name" = r."first_name") AND (l.dob = r.dob)') == [
        "dob",
        "first_name",
    ]
    assert rule_columns("substr(l.first_name, 1, 1) = substr(r.last_name, 1, 1)") == [
        "first_name",
        "last_name",
    ]


def test_integer_ids_follow_the_key_order() -> None:
    table = pa.table({"unique_id": ["a|1", "a|2", "b|1"], "first_name": ["X", "Y", "Z"]})
    keyed = with_integer_ids(table)
    assert keyed.column("unique_id").to_pylist() == [0, 1, 2]
    assert keyed.column("record_key").to_pylist() == ["a|1", "a|2", "b|1"]


def test_the_same_pairs_as_splink_blocking(tmp_path: Path) -> None:
    generate_county(tmp_path, people=500, seed=11)
    ws = Workspace.init(tmp_path, config_text=demo_config())
    ws.ingest()
    table, _ = refresh_linkage_input(ws.store)
    ws.close()
    keyed = with_integer_ids(table)
    keys = keyed.column("record_key").to_pylist()

    db_api = splink_db_api("duckdb")
    records = register_records(db_api, keyed, "ddj_records")
    con = db_api.duckdb_con
    ours = con.execute(
        f"SELECT join_key_l, join_key_r, match_key FROM "
        f"({candidate_pairs_sql('ddj_records', model.blocking_rules_sql())})"
    ).fetchall()

    linker = Linker(records, model.settings(unique_id="record_key"), log_level=None)
    splinks = linker.inference.compute_blocked_pairs_for_predict().as_record_list()
    expected = {(p["join_key_l"], p["join_key_r"]): str(p["match_key"]) for p in splinks}
    found = {(keys[a], keys[b]): rule for a, b, rule in ours}
    assert len(found) == len(ours) > 1000  # each pair once
    assert found == expected  # the same pairs, each under the first rule that finds it
