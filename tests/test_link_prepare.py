"""The linkage input as prepared from ingested records: CAD addresses written as one string."""

from __future__ import annotations

from ddj import Workspace
from ddj.demo.generate import generate_county
from ddj.demo.run import demo_config
from ddj.link.prepare import refresh_linkage_input


def test_a_cad_address_gives_its_street_and_zip(tmp_path) -> None:
    generate_county(tmp_path, people=300, seed=12)
    ws = Workspace.init(tmp_path, config_text=demo_config())
    ws.ingest(source="police_cad")
    rows = ws.store.sql(
        "SELECT record_key, address FROM current_record "
        "WHERE address LIKE '%, % OR 9____' AND zip IS NULL "
        "AND NOT regexp_matches(address, ' (APT|UNIT|SPC|STE|#)') ORDER BY record_key LIMIT 20"
    )
    assert rows, "the CAD extract writes street, city, state and ZIP in one field"
    table, changed = refresh_linkage_input(ws.store)
    prepared = {r["unique_id"]: r for r in table.to_pylist()}
    for key, written in rows:
        street, _, rest = written.partition(",")
        assert prepared[key]["address"] == " ".join(street.upper().split())
        assert prepared[key]["zip"] == rest.strip()[-5:]
        number = street.split()[0]
        assert prepared[key]["street_key"].startswith(f"{number} ")
        assert prepared[key]["address"].startswith(prepared[key]["street_key"])
    assert changed == set(prepared)
    _, again = refresh_linkage_input(ws.store)
    assert again == set(), "unchanged records are not prepared again"
    ws.close()
