"""A full run rewrites person_record: every current record under this run, nothing else."""

from __future__ import annotations

from pathlib import Path

from ddj import Workspace
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config


def test_a_full_run_stamps_every_record_and_drops_the_gone(tmp_path: Path) -> None:
    generate_county(tmp_path, people=300, seed=8)
    ws = Workspace.init(tmp_path, config_text=demo_config())
    ws.ingest()
    first = ws.link()
    before = dict(ws.store.sql("SELECT record_key, person_id FROM person_record"))
    # A record that is no longer current (purged, say) but still assigned.
    ws.store.con.execute(
        "INSERT INTO person_record VALUES ('gone|1', 'Pgone', 'gone', '1', ?)", [first.run_id]
    )
    again = ws.link(mode="full")
    rows = ws.store.sql("SELECT record_key, person_id, run_id FROM person_record")
    assert {key: person for key, person, _ in rows} == before
    assert {run for _, _, run in rows} == {again.run_id}
    assert ws.store.scalar("SELECT count(*) FROM current_record") == len(rows)
    ws.close()
