"""Building the linkage input: one row per current source record, identity fields normalised.

Aliases (from alias files, or other names a source gave the same id) join the record's name
variants, so a record matches through any of its names.
"""

from __future__ import annotations

import pyarrow as pa

from ddj.link.age import age_ranges_sql
from ddj.link.normalise import (
    PLACEHOLDER_FIRST,
    PLACEHOLDER_LAST,
    clean_city,
    clean_dob,
    clean_name,
    clean_ssn,
    name_variants,
    phonetic,
    split_address,
)
from ddj.store import Store

# Part of every record's basis hash: a new version (when the cleaning above changes) prepares
# every record again, so link_input never mixes two ways of cleaning.
PREPARE_VERSION = "4"

INPUT_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("source", pa.string()),
        ("system", pa.string()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("first_variants", pa.list_(pa.string())),
        ("first_phonetic", pa.string()),
        ("last_phonetic", pa.string()),
        ("dob", pa.date32()),
        ("sex", pa.string()),
        ("ssn", pa.string()),
        ("ssn_last4", pa.string()),
        ("zip", pa.string()),
        ("city", pa.string()),
        ("address", pa.string()),
        ("phone", pa.string()),
        ("incidents", pa.list_(pa.string())),
        ("full_names", pa.list_(pa.string())),
    ]
)

# Columns derived from the stored ones as the input is read (link_input keeps only the above).
DERIVED = (
    # The house number and the first word of the street ("52 FAUCETT"): typed addresses misspell
    # the street type ("52 FAUCETT DTREET") more than the name.
    (
        "street_key",
        "nullif(regexp_extract(l.address, '^[0-9]+[A-Z]? +(?:[NSEW]{1,2} +)?[A-Z]+'), '')",
        pa.string(),
    ),
    # Without spaces: typed addresses split and join words ("DISNEYCOURT").
    ("address_compact", "replace(l.address, ' ', '')", pa.string()),
    # The house number ('' when there is none), and the street of an address that has one.
    ("house_number", "regexp_extract(l.address, '^[0-9]*')", pa.string()),
    (
        "street",
        "nullif(regexp_replace(l.address, '^[0-9]+[A-Z]? ', ''), l.address)",
        pa.string(),
    ),
    # First letters of the names, for the cheap test before the swapped-names similarities.
    ("first_initial", "left(l.first_name, 1)", pa.string()),
    ("last_initial", "left(l.last_name, 1)", pa.string()),
    # The date of birth as YYYYMMDD, for "one digit different" (8 characters for any year 1-9999).
    (
        "dob_digits",
        "CASE WHEN year(l.dob) BETWEEN 1 AND 9999 THEN strftime(l.dob, '%Y%m%d') END",
        pa.string(),
    ),
    # The dates of birth a stated age allows, for records without one (age.py).
    ("age_dob_from", "g.age_dob_from", pa.date32()),
    ("age_dob_to", "g.age_dob_to", pa.date32()),
)
LINK_SCHEMA = pa.schema([*INPUT_SCHEMA, *(pa.field(name, kind) for name, _, kind in DERIVED)])


def refresh_linkage_input(store: Store) -> tuple[pa.Table, set[str]]:
    """Bring link_input up to date with the current records.

    Returns every prepared record (with the DERIVED columns) and the keys that are new or
    changed since the last refresh.
    """
    con = store.con
    # The 911/CAD incident numbers of each record's contacts: an EMS run and the police call of
    # the same incident usually concern the same person.
    # One pass over the events' details for both (and for the stated ages, age.py).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE link_event_facts AS
        SELECT record_key, on_day, coalesce(v[1], v[2]) AS incident,
               v[3] AS age_text, lower(v[4]) AS age_units
        FROM (SELECT record_key, CAST(start_at AS DATE) AS on_day,
                     json_extract_string(details, ['$.incident_number', '$.cad_incident_number',
                                                   '$.patient_age', '$.patient_age_units']) AS v
              FROM current_event WHERE details IS NOT NULL)
        WHERE coalesce(v[1], v[2], v[3]) IS NOT NULL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE link_incidents AS
        SELECT record_key, list(DISTINCT incident ORDER BY incident) AS incidents
        FROM link_event_facts WHERE incident IS NOT NULL
        GROUP BY record_key
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE link_basis AS
        SELECT r.record_key,
               md5(r.row_hash || coalesce(string_agg(a.alias_hash, ',' ORDER BY a.alias_hash),
                                         '')
                   || coalesce(CAST(any_value(i.incidents) AS VARCHAR), '')
                   || '{PREPARE_VERSION}') AS basis_hash
        FROM current_record r LEFT JOIN record_alias a USING (record_key)
        LEFT JOIN link_incidents i USING (record_key)
        GROUP BY r.record_key, r.row_hash
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE link_changed AS
        SELECT b.record_key, b.basis_hash FROM link_basis b
        LEFT JOIN link_input l ON l.unique_id = b.record_key
        WHERE l.basis_hash IS DISTINCT FROM b.basis_hash
    """)
    rows = con.execute("""
        SELECT r.record_key, r.source, r.system, r.first_name, r.last_name, r.dob, r.sex,
               r.ssn, r.ssn_last4, r.zip, r.city, r.address, r.phone,
               list(a.first_name) FILTER (WHERE a.first_name IS NOT NULL) AS alias_first,
               list(a.first_name || ' ' || a.last_name)
                   FILTER (WHERE a.first_name IS NOT NULL AND a.last_name IS NOT NULL)
                   AS alias_full,
               any_value(c.basis_hash) AS basis_hash, any_value(i.incidents) AS incidents
        FROM current_record r JOIN link_changed c USING (record_key)
        LEFT JOIN record_alias a USING (record_key)
        LEFT JOIN link_incidents i USING (record_key)
        GROUP BY ALL
        ORDER BY r.record_key
    """).fetchall()
    prepared = _prepare(rows)
    changed = set(prepared.column("unique_id").to_pylist())
    con.execute("BEGIN")
    try:
        con.execute(
            "DELETE FROM link_input WHERE unique_id NOT IN (SELECT record_key FROM link_basis)"
        )
        con.execute(
            "DELETE FROM link_input WHERE unique_id IN (SELECT record_key FROM link_changed)"
        )
        if prepared.num_rows:
            con.register("prepared_rows", prepared)
            names = ", ".join(prepared.column_names)
            con.execute(f"INSERT INTO link_input ({names}) SELECT {names} FROM prepared_rows")
            con.unregister("prepared_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("""
        CREATE OR REPLACE TEMP TABLE link_stated_ages AS
        SELECT f.record_key, f.on_day, f.age_text, f.age_units
        FROM link_event_facts f JOIN link_input l ON l.unique_id = f.record_key
        WHERE f.age_text IS NOT NULL AND l.dob IS NULL
    """)
    con.execute(f"CREATE OR REPLACE TEMP TABLE link_ages AS {age_ranges_sql('link_stated_ages')}")
    columns = ", ".join(
        [*(f"l.{name}" for name in INPUT_SCHEMA.names), *(f"{sql} AS {n}" for n, sql, _ in DERIVED)]
    )
    table = con.sql(f"""
        SELECT {columns} FROM link_input l LEFT JOIN link_ages g ON g.record_key = l.unique_id
        ORDER BY l.unique_id
    """).to_arrow_table()
    return table.cast(LINK_SCHEMA), changed


def _prepare(rows: list[tuple]) -> pa.Table:
    names = [*INPUT_SCHEMA.names, "basis_hash"]
    out: dict[str, list] = {name: [] for name in names}
    for row in rows:
        (
            key,
            source,
            system,
            first,
            last,
            dob,
            sex,
            ssn,
            last4,
            zip_code,
            city,
            address,
            phone,
            alias_first,
            alias_full,
            basis_hash,
            incidents,
        ) = row
        first_clean = clean_name(first, PLACEHOLDER_FIRST)
        last_clean = clean_name(last, PLACEHOLDER_LAST)
        variants: set[str] = set()
        for name in [first_clean, *(alias_first or [])]:
            cleaned = clean_name(name, PLACEHOLDER_FIRST) if name else None
            if cleaned:
                variants.update(name_variants(cleaned))
        ssn_clean = clean_ssn(ssn)
        out["unique_id"].append(key)
        out["source"].append(source)
        out["system"].append(system)
        out["first_name"].append(first_clean)
        out["last_name"].append(last_clean)
        out["first_variants"].append(sorted(variants) or None)
        out["first_phonetic"].append(phonetic(first_clean) if first_clean else None)
        out["last_phonetic"].append(phonetic(last_clean) if last_clean else None)
        out["dob"].append(clean_dob(dob))
        full_names = {f"{first_clean} {last_clean}"} if first_clean and last_clean else set()
        for alias in alias_full or []:
            a_first, _, a_last = alias.partition(" ")
            af, al = clean_name(a_first, PLACEHOLDER_FIRST), clean_name(a_last, PLACEHOLDER_LAST)
            if af and al:
                full_names.add(f"{af} {al}")
        out["full_names"].append(sorted(full_names) or None)
        out["sex"].append(sex if sex in ("F", "M") else None)
        out["ssn"].append(ssn_clean)
        out["ssn_last4"].append(ssn_clean[-4:] if ssn_clean else last4)
        street, address_zip = split_address(address)
        out["zip"].append(zip_code or address_zip)
        out["city"].append(clean_city(city))
        out["address"].append(street)
        out["phone"].append(phone)
        out["incidents"].append(incidents or None)
        out["basis_hash"].append(basis_hash)
    schema = pa.schema([*INPUT_SCHEMA, pa.field("basis_hash", pa.string())])
    return pa.Table.from_pydict(out, schema=schema)
