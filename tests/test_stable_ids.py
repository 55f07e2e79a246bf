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
