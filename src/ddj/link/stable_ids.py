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
    for record_key, cluster in clusters.items():
        members[cluster].append(record_key)
    overlap: Counter[tuple[str, str]] = Counter()
    for record_key, cluster in clusters.items():
        old = previous.get(record_key)
        if old is not None:
            overlap[(cluster, old)] += 1
    # Largest overlaps choose first; ties go to the older (smaller) id, then the cluster label.
    ranked = sorted(overlap.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    cluster_id: dict[str, str] = {}
    used_old: set[str] = set()
    for (cluster, old), _count in ranked:
        if cluster in cluster_id or old in used_old:
            continue
        cluster_id[cluster] = old
        used_old.add(old)
    taken = set(taken or ()) | set(previous.values())
    for cluster in sorted(members, key=lambda c: min(members[c])):
        if cluster not in cluster_id:
            pid = new_person_id(min(members[cluster]), taken)
            cluster_id[cluster] = pid
            taken.add(pid)
    assignment = {key: cluster_id[cluster] for key, cluster in clusters.items()}
    moved: Counter[tuple[str, str]] = Counter()
    for record_key, pid in assignment.items():
        old = previous.get(record_key)
        if old is not None and old != pid:
            moved[(old, pid)] += 1
    changes = [
        IdChange(old, new, "split" if old in used_old else "merge", n)
        for (old, new), n in sorted(moved.items())
    ]
    return assignment, changes
