"""Scoring a linkage against a ground truth: pairwise precision, recall and F1, cluster counts.

Pairs are counted without listing them: within each (predicted person, true person) group every
pair of records is a true positive, so the counts are sums of n*(n-1)/2 over groups.
"""

from __future__ import annotations

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
