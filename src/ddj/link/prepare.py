"""Building the linkage input: one row per current source record, identity fields normalised.

Aliases (from alias files, or other names a source gave the same id) join the record's name
variants, so a record matches through any of its names.
"""

from __future__ import annotations

import pyarrow as pa

from ddj.link.normalise import (
    PLACEHOLDER_FIRST,
    PLACEHOLDER_LAST,
    clean_address,
    clean_name,
    clean_ssn,
    name_variants,
    phonetic,
)
from ddj.store import Store

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
        ("address", pa.string()),
        ("phone", pa.string()),
    ]
)


def linkage_input(store: Store) -> pa.Table:
    rows = store.con.execute("""
        SELECT r.record_key, r.source, r.system, r.first_name, r.last_name, r.dob, r.sex,
               r.ssn, r.ssn_last4, r.zip, r.address, r.phone,
               list(a.first_name) FILTER (WHERE a.first_name IS NOT NULL) AS alias_first
        FROM current_record r LEFT JOIN record_alias a USING (record_key)
        GROUP BY ALL
        ORDER BY r.record_key
    """).fetchall()
    out: dict[str, list] = {name: [] for name in INPUT_SCHEMA.names}
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
            address,
            phone,
            alias_first,
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
        out["dob"].append(dob)
        out["sex"].append(sex if sex in ("F", "M") else None)
        out["ssn"].append(ssn_clean)
        out["ssn_last4"].append(ssn_clean[-4:] if ssn_clean else last4)
        out["zip"].append(zip_code)
        out["address"].append(clean_address(address))
        out["phone"].append(phone)
    return pa.Table.from_pydict(out, schema=INPUT_SCHEMA)
