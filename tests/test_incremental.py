"""Incremental linking: a new source's records are linked against the existing persons with the
stored model, existing persons keep their ids, and the result is as good as relinking it all."""

from __future__ import annotations

from ddj import Workspace
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config
from ddj.link.quality import load_truth, score_against_truth


def test_a_new_source_links_incrementally_as_well_as_a_full_run(tmp_path) -> None:
    county = generate_county(tmp_path, people=1500, seed=5)
    ws = Workspace.init(tmp_path, config_text=demo_config())
    for source in ws.config.sources:
        if source.name != "bh_fhir":
            ws.ingest(source=source.name)
    full = ws.link()
    assert full.mode == "full"
    before = dict(ws.store.sql("SELECT record_key, person_id FROM person_record"))

    ws.ingest(source="bh_fhir")
    added = ws.store.scalar("SELECT count(*) FROM current_record WHERE source = 'bh_fhir'")
    assert 0 < added <= 0.1 * len(before)
    step = ws.link()
    assert step.mode == "incremental"
    after = dict(ws.store.sql("SELECT record_key, person_id FROM person_record"))
    assert set(after) == set(before) | {k for k in after if k.startswith("bh_fhir|")}
    # Existing persons keep their ids, except where a new record joined two of them (logged).
    moved = {k for k in before if after[k] != before[k]}
    logged = ws.store.scalar("SELECT coalesce(sum(n_records), 0) FROM person_id_change")
    assert len(moved) == logged
    assert len(moved) <= 0.01 * len(before)
    new_linked = ws.store.scalar("""
        SELECT count(*) FROM person_record p
        WHERE p.source = 'bh_fhir' AND (SELECT count(*) FROM person_record q
                                        WHERE q.person_id = p.person_id) > 1""")
    assert new_linked > 0, "some FHIR patients are people the county already knows"

    load_truth(ws.store, county.out_dir / "truth" / "records.csv")
    incremental_score = score_against_truth(ws.store)
    relinked = ws.link(mode="full")
    assert relinked.mode == "full"
    full_score = score_against_truth(ws.store)
    assert incremental_score.precision >= full_score.precision - 0.01
    assert incremental_score.recall >= full_score.recall - 0.02
    ws.close()


def test_nothing_new_links_nothing(tmp_path) -> None:
    generate_county(tmp_path, people=300, seed=6)
    ws = Workspace.init(tmp_path, config_text=demo_config())
    ws.ingest()
    ws.link()
    before = dict(ws.store.sql("SELECT record_key, person_id FROM person_record"))
    again = ws.link()
    assert again.mode == "incremental" and again.n_id_changes == 0
    assert dict(ws.store.sql("SELECT record_key, person_id FROM person_record")) == before
    ws.close()
