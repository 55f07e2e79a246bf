"""The peers bench/linkage.py compares ddj with, each configured the way its own docs show.

* Splink 5 as its tutorials build it (the "deduplicate 50k" tutorial for the county, the FEBRL4
  example for FEBRL4): out-of-the-box comparisons (NameComparison with term frequencies,
  DateOfBirthComparison, ExactMatch), block_on rules, the prior from deterministic rules, u by
  random sampling, m by EM on two blockings, predict, then connected components at 0.95.
  None of ddj's own devices (nickname lists, phonetic codes, placeholder cleaning, swapped-name
  and day/month levels, conflict-aware clustering).
* recordlinkage 0.16 as its docs show: an Index that is the union of a few blockings and sorted
  neighbourhoods, a Compare of thresholded Jaro-Winkler names and exact other fields, the
  unsupervised ECMClassifier, then connected components over the predicted links.

Every function returns {record key: cluster label} for all the records it was given.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

THRESHOLD = 0.95  # the clustering threshold the benchmark gives every probabilistic linker

# Columns of the county input both peers see (one row per ddj record, from current_record).
COUNTY_COLUMNS = [
    "unique_id",
    "first_name",
    "last_name",
    "dob",
    "sex",
    "ssn",
    "zip",
    "address",
    "phone",
]


def connected_components(keys: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Plain connected components (union-find); the label is the smallest key of the cluster."""
    parent: dict[str, str] = {k: k for k in keys}

    def find(k: str) -> str:
        root = k
        while parent[root] != root:
            root = parent[root]
        while parent[k] != root:
            parent[k], k = root, parent[k]
        return root

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    return {k: find(k) for k in parent}


# -- Splink 5, as its tutorials configure it -------------------------------------------------


def _splink_quiet() -> None:
    logging.getLogger("splink").setLevel(logging.ERROR)


def splink_county(records: pa.Table, seed: int) -> dict[str, str]:
    """Dedupe the county's records with Splink set up like its deduplication tutorial."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    _splink_quiet()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "dob"),
            block_on("first_name", "dob"),
            block_on("ssn"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("ssn"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("zip"),
            cl.ExactMatch("address").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    sdf = db_api.register(records.select(COUNTY_COLUMNS), table_name="county_records")
    linker = Linker(sdf, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "dob"), block_on("ssn", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in (block_on("first_name", "last_name"), block_on("dob")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    )
    table = clusters.as_pyarrow_table()
    return dict(
        zip(
            table.column("unique_id").to_pylist(),
            map(str, table.column("cluster_id").to_pylist()),
            strict=True,
        )
    )


def splink_febrl(df_a: pd.DataFrame, df_b: pd.DataFrame, seed: int) -> dict[str, str]:
    """Link FEBRL4 A to B (link_only) with Splink set up like its FEBRL4 example.

    Keys come back as ``febrl_a|rec-…`` / ``febrl_b|rec-…``.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    _splink_quiet()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    sdf_a = db_api.register(_febrl_arrow(df_a), table_name="febrl_a")
    sdf_b = db_api.register(_febrl_arrow(df_b), table_name="febrl_b")
    linker = Linker([sdf_a, sdf_b], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("given_name", "surname", "date_of_birth"),
            block_on("soc_sec_id", "date_of_birth"),
        ],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    pairs = predictions.as_pyarrow_table()
    links = [
        (f"{sl}|{il}", f"{sr}|{ir}")
        for sl, il, sr, ir, p in zip(
            pairs.column("source_dataset_l").to_pylist(),
            pairs.column("rec_id_l").to_pylist(),
            pairs.column("source_dataset_r").to_pylist(),
            pairs.column("rec_id_r").to_pylist(),
            pairs.column("match_probability").to_pylist(),
            strict=True,
        )
        if p >= THRESHOLD
    ]
    keys = [f"febrl_a|{k}" for k in df_a.index] + [f"febrl_b|{k}" for k in df_b.index]
    return connected_components(keys, links)


def _febrl_arrow(df: pd.DataFrame) -> pa.Table:
    frame = df.reset_index()
    frame = frame.astype(object).where(frame.notna(), None)
    for column in frame.columns:
        frame[column] = frame[column].map(lambda v: v.strip() or None if isinstance(v, str) else v)
    return pa.Table.from_pandas(frame, preserve_index=False)


# -- recordlinkage (ECM), as its docs show ---------------------------------------------------


def recordlinkage_county(records: pa.Table) -> dict[str, str]:
    import recordlinkage as rl

    df = records.select(COUNTY_COLUMNS).to_pandas().set_index("unique_id")
    df["dob"] = df["dob"].astype("string")
    indexer = rl.Index()
    indexer.block("dob")
    indexer.block("ssn")
    indexer.sortedneighbourhood("last_name", window=5, block_on="first_name")
    indexer.sortedneighbourhood("first_name", window=5, block_on="last_name")
    pairs = indexer.index(df)

    compare = rl.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="fn")
    compare.string("last_name", "last_name", method="jarowinkler", threshold=0.85, label="ln")
    compare.exact("dob", "dob", label="dob")
    compare.exact("sex", "sex", label="sex")
    compare.exact("zip", "zip", label="zip")
    compare.exact("ssn", "ssn", label="ssn")
    # Not address or phone: with them ECM's "match" class settles on households (pairs that share
    # an address) and recall falls to about 0.2 on the county; this is the better setup.
    features = compare.compute(pairs, df)

    links = rl.ECMClassifier().fit_predict(features)
    return connected_components(df.index, links.tolist())


def recordlinkage_febrl(df_a: pd.DataFrame, df_b: pd.DataFrame) -> dict[str, str]:
    import recordlinkage as rl

    indexer = rl.Index()
    indexer.block("given_name")
    indexer.block("surname")
    indexer.block("date_of_birth")
    indexer.block("soc_sec_id")
    pairs = indexer.index(df_a, df_b)

    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="fn")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="ln")
    compare.exact("date_of_birth", "date_of_birth", label="dob")
    compare.exact("soc_sec_id", "soc_sec_id", label="ssn")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="addr")
    features = compare.compute(pairs, df_a, df_b)

    links = rl.ECMClassifier().fit_predict(features)
    keys = [f"febrl_a|{k}" for k in df_a.index] + [f"febrl_b|{k}" for k in df_b.index]
    return connected_components(keys, ((f"febrl_a|{a}", f"febrl_b|{b}") for a, b in links))
