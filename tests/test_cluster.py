"""Clustering: strongest links first, never across a reviewer's "not link" or a hard conflict."""

from datetime import date

from ddj.link.cluster import Identity, cluster, conflicting


def ident(
    ssn: str | None,
    dob: date | None,
    *names: str,
    last: str = "DOE",
    sex: str | None = None,
    address: str | None = None,
) -> Identity:
    return Identity(ssn, dob, frozenset(names), names[0] if names else None, last, sex, address)


def test_a_weak_bridge_cannot_join_two_people_with_different_ssns_and_dobs() -> None:
    identities = {
        "jail|1": ident("900000001", date(1980, 1, 1), "JOSE"),
        "jail|2": ident("900555552", date(1971, 6, 5), "JOSE"),
    }
    pairs = [("cad|9", "jail|1", 0.99), ("cad|9", "jail|2", 0.98)]  # cad|9 has no dob or ssn
    clusters = cluster(["jail|1", "jail|2", "cad|9"], pairs, 0.95, identities)
    assert clusters["cad|9"] == clusters["jail|1"] != clusters["jail|2"]


def test_ssn_typos_and_dob_typos_are_not_conflicts() -> None:
    a = ident("900123456", date(1980, 3, 4), "ANN")
    assert not conflicting(a, ident("900123457", date(1981, 1, 1), "BOB"))  # one digit
    assert not conflicting(a, ident("900213456", date(1981, 1, 1), "BOB"))  # two swapped
    assert not conflicting(a, ident("911111111", date(1980, 4, 3), "ANN"))  # dob day/month
    assert conflicting(a, ident("911111111", date(1990, 1, 1), "ANN"))
    assert conflicting(a, ident("911111111", date(1980, 3, 4), "BOB"))  # twins
    assert not conflicting(a, ident(None, date(1990, 1, 1), "BOB"))
    assert not conflicting(
        ident("900123456", None, "REBECCA"), ident("911111111", None, "REBECAC")
    )  # a typo is the same name


def test_twins_and_siblings_without_ssns_conflict() -> None:
    gary = ident(None, date(1984, 1, 15), "GARY", last="MILLER", sex="M")
    assert conflicting(gary, ident(None, date(1984, 1, 15), "SANDRA", last="MILLER", sex="F"))
    assert conflicting(gary, ident(None, date(1984, 1, 15), "PAUL", last="MILLER", sex="M"))
    assert not conflicting(gary, ident(None, date(1984, 1, 15), "GARRY", last="MILLER"))
    assert not conflicting(gary, ident(None, date(1984, 1, 15), "GRAY", last="MILLER"))  # typo
    assert not conflicting(gary, ident(None, None, "MILLER", last="GARY"))  # swapped names
    assert not conflicting(gary, ident(None, date(1990, 2, 2), "PAUL", last="SMITH", sex="M"))


def test_a_typo_of_a_nickname_is_the_same_first_name() -> None:
    from ddj.link.normalise import name_variants

    def person(first: str, dob: date | None = None) -> Identity:
        variants = frozenset(name_variants(first))
        return Identity(None, dob, variants, first, "KENHAM", "M", "88 MILL BLVD")

    # MIKEEY is MIKEY (MICHAEL's nickname) mistyped; JMAES is JAMES (JIM's full name) mistyped.
    assert not conflicting(person("MIKEEY"), person("MICHAEL", date(1983, 1, 28)))
    assert not conflicting(person("JMAES"), person("JIM", date(1973, 11, 26)))
    assert not conflicting(person("PHIPIP"), person("PHIL"))
    # A brother at the same address is still a conflict.
    assert conflicting(person("JASON"), person("JAMES", date(1982, 2, 11)))
    assert conflicting(person("JOE"), person("JACK"))


def test_relatives_at_one_address_conflict_without_a_date_of_birth() -> None:
    # A police record with no date of birth and the jail record of a brother at the same address.
    brandon = ident(None, date(1991, 5, 27), "BRANDON", last="BECKER", sex="M", address="2525 W ST")
    jimmy = ident(None, None, "JIMMY", last="BECKER", sex="M", address="2525 W ST")
    assert conflicting(brandon, jimmy)
    assert not conflicting(brandon, ident(None, None, "JIMMY", last="BECKER", sex="M"))
    assert not conflicting(
        brandon, ident(None, None, "BRANDEN", last="BECKER", sex="M", address="2525 W ST")
    )


def test_jr_and_sr_at_one_address_conflict_without_ssns() -> None:
    senior = ident(None, date(1958, 2, 1), "WALTER", last="MOORE", address="6160 HILL PL")
    junior = ident(None, date(1984, 7, 9), "WALTER", last="MOORE", address="6160 HILL PL")
    assert conflicting(senior, junior)
    # Elsewhere, a date of birth years off is left to the model's score, and so is a typo of it.
    assert not conflicting(senior, ident(None, date(1984, 7, 9), "WALTER", last="MOORE"))
    typo = ident(None, date(1958, 1, 2), "WALTER", last="MOORE", address="6160 HILL PL")
    assert not conflicting(senior, typo)


def test_names_swapped_with_a_typo_are_not_a_conflict() -> None:
    danjel = ident("900202917", date(1947, 9, 12), "DANJEL", last="ANG")
    assert not conflicting(danjel, ident("911111111", date(1947, 9, 12), "ANG", last="DANEQL"))


def test_the_same_name_born_within_a_year_is_a_typo_not_jr_and_sr() -> None:
    ferris = ident("900632061", date(1925, 7, 8), "JACQUELINE", last="FERRIS")
    assert not conflicting(ferris, ident("911111111", date(1925, 10, 30), "JACQUELINE"))
    assert conflicting(ferris, ident("911111111", date(1951, 10, 30), "JACQUELINE"))


def test_one_misread_record_does_not_keep_a_well_attested_person_apart() -> None:
    born = date(1981, 4, 26)
    alice = {f"bh|{i}": ident(None, born, "ALICE", last="ROBINSON", sex="F") for i in range(4)}
    # She gave a nickname to a crew; a jail clerk mistyped her name.
    lisa = {"ems|1": ident(None, born, "LISA", "ALICE", last="ROBINSON", sex="F")}
    akice = {"jail|1": ident("929870540", born, "AKICE", last="ROBINSON", sex="F")}
    identities = alice | lisa | akice
    pairs = [(a, b, 0.999) for a in alice for b in alice if a < b]
    pairs += [("bh|0", "ems|1", 0.998)] + [(a, "jail|1", 0.99) for a in alice]
    clusters = cluster(list(identities), pairs, 0.95, identities)
    assert len(set(clusters.values())) == 1

    # Twins: every record of one conflicts with every record of the other.
    paul = {f"jail|p{i}": ident(None, born, "PAUL", last="ROBINSON", sex="M") for i in range(3)}
    peter = {f"ed|q{i}": ident(None, born, "PETER", last="ROBINSON", sex="M") for i in range(3)}
    identities = paul | peter
    pairs = [(a, b, 0.999) for group in (paul, peter) for a in group for b in group if a < b]
    pairs += [(a, b, 0.99) for a in paul for b in peter]
    clusters = cluster(list(identities), pairs, 0.95, identities)
    assert len(set(clusters.values())) == 2


def test_reviewer_decisions_override_scores() -> None:
    pairs = [("a", "b", 0.99), ("c", "d", 0.6)]
    clusters = cluster(
        ["a", "b", "c", "d"], pairs, 0.95, {}, must_link=[("c", "d")], cannot_link=[("a", "b")]
    )
    assert clusters["a"] != clusters["b"]
    assert clusters["c"] == clusters["d"]


def test_cannot_link_holds_through_a_chain() -> None:
    pairs = [("a", "x", 0.99), ("x", "b", 0.98)]
    clusters = cluster(["a", "b", "x"], pairs, 0.95, {}, cannot_link=[("a", "b")])
    assert clusters["a"] == clusters["x"] != clusters["b"]


def test_the_same_ssn_is_never_a_conflict() -> None:
    # A record whose first name was replaced (a data-entry error) with the same SSN and DOB.
    a = ident("900123456", date(1934, 7, 31), "WILLIAM", last="MILLAR", sex="M")
    assert not conflicting(
        a, ident("900123456", date(1934, 7, 31), "JAYED", last="MILLAR", sex="F")
    )


def _reference_cluster(keys, pairs, threshold, identities, must_link=(), cannot_link=()):
    """The plain algorithm: every record its own group, links strongest first, a join refused
    when a "not link" or more conflicting than agreeing record pairs stand between the groups."""
    from ddj.link.cluster import agreeing

    group = {k: {k} for k in keys}
    label = {k: k for k in keys}
    cannot = {frozenset(p) for p in cannot_link}

    def join(a, b, checked):
        ga, gb = group[label[a]], group[label[b]]
        if ga is gb:
            return
        if checked:
            if any(frozenset((x, y)) in cannot for x in ga for y in gb):
                return
            hard = [
                (identities[x], identities[y])
                for x in ga
                for y in gb
                if x in identities and y in identities
            ]
            conflicts = sum(conflicting(x, y) for x, y in hard)
            agreements = sum(not conflicting(x, y) and agreeing(x, y) for x, y in hard)
            if conflicts and conflicts > agreements:
                return
        merged = ga | gb
        root = label[a] if len(ga) >= len(gb) else label[b]
        for k in merged:
            group[k] = merged
            label[k] = root
        group[root] = merged

    for a, b in must_link:
        join(a, b, checked=False)
    for a, b, _p in sorted(
        (p for p in pairs if p[2] >= threshold), key=lambda p: (-p[2], p[0], p[1])
    ):
        join(a, b, checked=True)
    return {k: label[k] for k in keys}


def _partition(labels):
    groups = {}
    for key, label in labels.items():
        groups.setdefault(label, set()).add(key)
    return sorted(sorted(g) for g in groups.values())


def test_clustering_matches_the_plain_algorithm_on_random_data() -> None:
    import random

    rng = random.Random(5)
    names = ["ANN", "ANNA", "BOB", "ROBERT", "GARY", "SANDRA", "JOSE", "MARIA"]
    keys = [f"s|{i:03d}" for i in range(300)]
    identities = {
        k: ident(
            rng.choice([None, None, f"90012345{rng.randint(0, 3)}"]),
            rng.choice([None, date(1980, 1, 1), date(1984, 6, 5), date(1990, 2, 2)]),
            rng.choice(names),
            last=rng.choice(["MILLER", "DOE", "SMITH"]),
            sex=rng.choice([None, "F", "M"]),
            address=rng.choice([None, "1 A ST", "2 B ST"]),
        )
        for k in keys
        if rng.random() < 0.9
    }
    pairs = [
        (a, b, round(rng.uniform(0.9, 1.0), 3))
        for a, b in (sorted(rng.sample(keys, 2)) for _ in range(900))
    ]
    must = [tuple(sorted(rng.sample(keys, 2))) for _ in range(5)]
    cannot = [tuple(sorted(rng.sample(keys, 2))) for _ in range(20)]
    got = cluster(keys, pairs, 0.95, identities, must_link=must, cannot_link=cannot)
    want = _reference_cluster(keys, pairs, 0.95, identities, must, cannot)
    assert _partition(got) == _partition(want)
    strong = sorted((p for p in pairs if p[2] >= 0.95), key=lambda p: (-p[2], p[0], p[1]))
    presorted = cluster(
        keys, strong, 0.95, identities, must_link=must, cannot_link=cannot, presorted=True
    )
    assert presorted == got
