"""Person ids that stay the same when the same data is linked again.

A new cluster inherits the previous person id that most of its records carried (each old id goes
to at most one cluster, the one holding most of its records). A cluster with no inheritable id gets
a new id derived from its smallest record key, so a fresh workspace with the same data gets the
same ids. Every id that stops covering a record it covered before is written to the change log.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class IdChange:
    old_person_id: str
    new_person_id: str
    kind: str  # "merge": the old id was absorbed; "split": some of its records moved away
    n_records: int


def new_person_id(smallest_record_key: str, taken: set[str]) -> str:
    digest = hashlib.sha1(smallest_record_key.encode()).hexdigest()
    for length in range(10, 41):
        candidate = f"P{digest[:length]}"
        if candidate not in taken:
            return candidate
    raise RuntimeError("could not mint a unique person id")


def assign_person_ids(
    clusters: dict[str, str], previous: dict[str, str], taken: set[str] | None = None
) -> tuple[dict[str, str], list[IdChange]]:
    """Map each record to a person id.

    clusters: record_key -> cluster label of this run; previous: record_key -> person id of the
    last run (records new since then are absent). Returns record_key -> person id, and the changes.
    """
    members: dict[str, list[str]] = defaultdict(list)
    overlap: Counter[tuple[str, str]] = Counter()
    for record_key, cluster in clusters.items():
        members[cluster].append(record_key)
        old = previous.get(record_key)
        if old is not None:
            overlap[(cluster, old)] += 1
    # Largest overlaps choose first; ties go to the older (smaller) id, then the cluster label.
    # A cluster whose records had one old id that no other cluster holds records of takes it
    # whatever the order (nothing competes for either), so only the others are sorted.
    olds_per_cluster = Counter(cluster for cluster, _ in overlap)
    clusters_per_old = Counter(old for _, old in overlap)
    cluster_id: dict[str, str] = {}
    used_old: set[str] = set()
    contested = []
    for (cluster, old), count in overlap.items():
        if olds_per_cluster[cluster] == 1 and clusters_per_old[old] == 1:
            cluster_id[cluster] = old
            used_old.add(old)
        else:
            contested.append(((cluster, old), count))
    for (cluster, old), _count in sorted(
        contested, key=lambda item: (-item[1], item[0][1], item[0][0])
    ):
        if cluster in cluster_id or old in used_old:
            continue
        cluster_id[cluster] = old
        used_old.add(old)
    taken = set(taken or ()) | set(previous.values())
    fresh = [cluster for cluster in members if cluster not in cluster_id]
    for cluster in sorted(fresh, key=lambda c: min(members[c])):
        pid = new_person_id(min(members[cluster]), taken)
        cluster_id[cluster] = pid
        taken.add(pid)
    assignment: dict[str, str] = {}
    moved: Counter[tuple[str, str]] = Counter()
    for record_key, cluster in clusters.items():
        pid = assignment[record_key] = cluster_id[cluster]
        old = previous.get(record_key)
        if old is not None and old != pid:
            moved[(old, pid)] += 1
    changes = [
        IdChange(old, new, "split" if old in used_old else "merge", n)
        for (old, new), n in sorted(moved.items())
    ]
    return assignment, changes
