"""Scoring a linkage against a ground truth: pairwise precision, recall and F1, cluster counts.

Pairs are counted without listing them: within each (predicted person, true person) group every
pair of records is a true positive, so the counts are sums of n*(n-1)/2 over groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ddj.store import Store


@dataclass(frozen=True)
class PairwiseScore:
    true_positives: int
    false_positives: int
    false_negatives: int
    predicted_clusters: int
    true_clusters: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"pairwise precision {self.precision:.4f}, recall {self.recall:.4f}, "
            f"F1 {self.f1:.4f} ({self.false_positives} false links, "
            f"{self.false_negatives} missed links); {self.predicted_clusters} persons found "
            f"for {self.true_clusters} true people"
        )


def load_truth(store: Store, truth_csv: Path, table: str = "truth_record") -> None:
    """truth_csv has columns source, source_person_id, true_person_id."""
    store.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT source || '|' || source_person_id AS record_key, true_person_id AS person_id
        FROM read_csv(?, header = true, all_varchar = true)
    """,
        [str(truth_csv)],
    )


def score_against_truth(store: Store, truth_table: str = "truth_record") -> PairwiseScore:
    """Compare person_record with the truth over the records both know."""
    row = store.con.execute(f"""
        WITH both_known AS (
            SELECT p.person_id AS predicted, t.person_id AS actual
            FROM person_record p JOIN {truth_table} t USING (record_key)),
        pairs AS (
            SELECT
              (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM
                 (SELECT count(*) AS n FROM both_known GROUP BY predicted, actual)) AS tp,
              (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM
                 (SELECT count(*) AS n FROM both_known GROUP BY predicted)) AS predicted_pairs,
              (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM
                 (SELECT count(*) AS n FROM both_known GROUP BY actual)) AS true_pairs,
              (SELECT count(DISTINCT predicted) FROM both_known) AS n_predicted,
              (SELECT count(DISTINCT actual) FROM both_known) AS n_true)
        SELECT tp, predicted_pairs - tp, true_pairs - tp, n_predicted, n_true FROM pairs
    """).fetchall()[0]
    return PairwiseScore(*(int(v) for v in row))


@dataclass(frozen=True)
class ModelEstimate:
    """What the model itself expects of the linked pairs (no truth needed)."""

    precision: float | None  # mean match probability of the pairs it linked
    recall: float | None  # expected true pairs linked / expected true pairs among scored pairs
    links: int


def model_estimate(store: Store) -> ModelEstimate:
    """From the latest run's scored pairs (those of probability 0.5 and up are kept, so recall
    leaves out true pairs the model scored lower: an upper bound)."""
    threshold = store.scalar("SELECT threshold FROM link_run ORDER BY started_at DESC LIMIT 1")
    if threshold is None:
        return ModelEstimate(None, None, 0)
    linked, expected_linked, expected_all = store.sql(
        """
        SELECT count(*) FILTER (WHERE match_probability >= ?),
               sum(match_probability) FILTER (WHERE match_probability >= ?),
               sum(match_probability)
        FROM link_pair
        """,
        [threshold, threshold],
    )[0]
    if not linked:
        return ModelEstimate(None, None, 0)
    return ModelEstimate(expected_linked / linked, expected_linked / expected_all, linked)


@dataclass(frozen=True)
class LevelWeight:
    comparison: str
    level: str
    weight: float  # log2(m / u): how much agreeing at this level moves the odds of a match


def match_weights(model_json: dict) -> list[LevelWeight]:
    """Each comparison level's match weight from a trained Splink model."""
    found = []
    for comparison in model_json.get("comparisons", []):
        name = comparison.get("output_column_name", "?")
        for level in comparison.get("comparison_levels", []):
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not m or not u:
                continue
            found.append(LevelWeight(name, level.get("label_for_charts", "?"), math.log2(m / u)))
    return found


def suspect_persons(store: Store, limit: int = 20) -> list[dict]:
    """Persons most likely to be false merges: records whose dates of birth are years apart, or
    unusually many records; the worst first."""
    return store.dicts(
        f"""
        WITH per AS (
            SELECT p.person_id, count(*) AS n_records,
                   count(DISTINCT r.dob) AS n_dobs,
                   date_diff('day', min(r.dob), max(r.dob)) AS dob_span_days,
                   count(DISTINCT r.last_name) AS n_last_names,
                   count(DISTINCT r.sex) FILTER (WHERE r.sex IN ('F', 'M')) AS n_sexes
            FROM person_record p JOIN current_record r USING (record_key)
            GROUP BY p.person_id),
        big AS (SELECT quantile_cont(n_records, 0.999) AS p999 FROM per)
        SELECT per.* FROM per, big
        WHERE coalesce(dob_span_days, 0) > 366 OR n_sexes > 1 OR n_records > greatest(p999, 10)
        ORDER BY n_sexes DESC, coalesce(dob_span_days, 0) DESC, n_records DESC, person_id
        LIMIT {int(limit)}
        """
    )
