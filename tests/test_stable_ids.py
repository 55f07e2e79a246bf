"""Person ids survive relinking: unchanged clusters keep their ids; merges and splits are logged."""

from ddj.link.stable_ids import assign_person_ids, new_person_id


def test_fresh_ids_depend_only_on_the_records() -> None:
    clusters = {"a|1": "c1", "b|1": "c1", "a|2": "c2"}
    first, changes = assign_person_ids(clusters, {})
    relabelled = {"a|1": "x", "b|1": "x", "a|2": "y"}
    second, _ = assign_person_ids(relabelled, {})
    assert first == second and not changes
    assert first["a|1"] == first["b|1"] != first["a|2"]
    assert first["a|1"] == new_person_id("a|1", set())


def test_same_data_linked_again_keeps_every_id() -> None:
    previous, _ = assign_person_ids({"a|1": "c1", "b|1": "c1", "a|2": "c2"}, {})
    again, changes = assign_person_ids(
        {"a|1": "k9", "b|1": "k9", "a|2": "k3", "c|5": "k3"}, previous
    )
    assert again["a|1"] == previous["a|1"] and again["a|2"] == previous["a|2"]
    assert again["c|5"] == previous["a|2"]  # a new record joins an existing person
    assert changes == []


def test_merge_keeps_the_larger_persons_id_and_logs_the_other() -> None:
    previous = {"a|1": "P1", "b|1": "P1", "a|2": "P2"}
    now, changes = assign_person_ids({"a|1": "c", "b|1": "c", "a|2": "c"}, previous)
    assert set(now.values()) == {"P1"}
    assert [(c.old_person_id, c.new_person_id, c.kind, c.n_records) for c in changes] == [
        ("P2", "P1", "merge", 1)
    ]


def test_split_keeps_the_id_with_the_larger_part_and_logs_the_move() -> None:
    previous = {"a|1": "P1", "b|1": "P1", "c|1": "P1"}
    now, changes = assign_person_ids({"a|1": "x", "b|1": "x", "c|1": "y"}, previous)
    assert now["a|1"] == now["b|1"] == "P1"
    assert now["c|1"] not in ("P1",)
    assert [(c.old_person_id, c.kind) for c in changes] == [("P1", "split")]


def test_a_released_id_is_never_reused_for_someone_else() -> None:
    taken = {new_person_id("a|1", set())}
    assert new_person_id("a|1", taken) != new_person_id("a|1", set())


def _reference_assign(clusters, previous, taken=None):
    """The plain greedy: every (cluster, old id) overlap sorted, largest first."""
    from collections import Counter, defaultdict

    members = defaultdict(list)
    for key, cluster in clusters.items():
        members[cluster].append(key)
    overlap = Counter()
    for key, cluster in clusters.items():
        if previous.get(key) is not None:
            overlap[(cluster, previous[key])] += 1
    cluster_id, used = {}, set()
    for (cluster, old), _n in sorted(overlap.items(), key=lambda i: (-i[1], i[0][1], i[0][0])):
        if cluster not in cluster_id and old not in used:
            cluster_id[cluster] = old
            used.add(old)
    taken = set(taken or ()) | set(previous.values())
    for cluster in sorted(members, key=lambda c: min(members[c])):
        if cluster not in cluster_id:
            cluster_id[cluster] = new_person_id(min(members[cluster]), taken)
            taken.add(cluster_id[cluster])
    return {key: cluster_id[cluster] for key, cluster in clusters.items()}


def test_ids_match_the_plain_greedy_on_random_merges_and_splits() -> None:
    import random

    rng = random.Random(3)
    keys = [f"s|{i}" for i in range(400)]
    previous = {k: f"P{rng.randint(0, 120)}" for k in keys if rng.random() < 0.9}
    for _ in range(5):
        clusters = {k: f"c{rng.randint(0, 150)}" for k in keys}
        got, changes = assign_person_ids(clusters, previous, {"P999"})
        assert got == _reference_assign(clusters, previous, {"P999"})
        moved = sum(1 for k in keys if k in previous and previous[k] != got[k])
        assert sum(c.n_records for c in changes) == moved
        previous = got
