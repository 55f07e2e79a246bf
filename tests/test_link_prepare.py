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


def test_an_ssn_with_a_00_group_and_the_city_are_linkage_evidence(tmp_path) -> None:
    """A 00 group was never issued, yet such an SSN is a typo or a shorter id padded with zeros
    (FEBRL's 7-digit soc_sec_id), not a placeholder: it is kept; placeholders are not. The city
    is compared in one spelling."""
    ws = Workspace.init(tmp_path / "ws")
    path = tmp_path / "jail.csv"
    path.write_text(
        "InmateID,BookingNumber,FirstName,LastName,DOB,SSN,City,BookingDateTime\n"
        "1,B1,AMY,BRITTEN,01/02/1980,002-00-1865,Mount  Isa,01/05/2024 10:00\n"
        "2,B2,ANN,LEE,07/04/1991,999-99-9999,st. albans,04/01/2024 08:30\n"
        "3,B3,BO,KIM,07/04/1991,123-45-0000,,04/01/2024 08:30\n"
    )
    ws.ingest(
        path=path, format="table", system="jail_booking", profile="jail_bookings", source="jail"
    )
    table, _ = refresh_linkage_input(ws.store)
    prepared = {r["unique_id"]: (r["ssn"], r["city"]) for r in table.to_pylist()}
    assert prepared == {
        "jail|1": ("002001865", "MOUNT ISA"),
        "jail|2": (None, "ST ALBANS"),
        "jail|3": (None, None),
    }
    ws.close()
