"""Clustering scored pairs into persons, strongest links first, never across a known conflict.

Plain connected components let one weak record bridge two people (a police record with a common
name and no date of birth joins every JOSE HERNANDEZ it resembles). Here links are taken in
descending probability and two groups are joined only when no pair of their records conflicts:
a reviewer said "not the same person", or the records carry different full SSNs (more than one
digit apart) together with a different date of birth or first name, or (twins, siblings) the
first names differ and so does the sex, or the surname and date of birth or address are the
same. A conflict counts when it is not outweighed: where more record pairs across the two groups
agree (same date of birth, surname and first name) than conflict, the conflicting record is one
misread record of a well-attested person, not a second person.
A reviewer's "same person" is taken first and always; a reviewer's "not the same" always holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

import jellyfish


class Identity(NamedTuple):
    """The identifiers of one record that can rule a merge out (a tuple: a million of them are
    made per full run, several times faster than frozen dataclasses)."""

    ssn: str | None
    dob: date | None
    first_variants: frozenset[str]
    first: str | None = None
    last: str | None = None
    sex: str | None = None
    address: str | None = None


def _ssn_far(a: str, b: str) -> bool:
    """More than one digit changed, and not two neighbouring digits swapped."""
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) <= 1:
        return False
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        i = diffs[0]
        return not (a[i] == b[i + 1] and a[i + 1] == b[i])
    return True


def _dob_close(a: date, b: date) -> bool:
    if a == b or (a.year == b.year and a.month == b.day and a.day == b.month):
        return True
    if a.month == b.month and a.day == b.day and abs(a.year - b.year) <= 1:
        return True
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(x != y for x, y in zip(sa, sb, strict=True)) <= 1


def _dob_far(a: Identity, b: Identity) -> bool:
    """Dates of birth more than a year apart and not a typo of each other: two people of one
    name and household (JR and SR) are born years apart; dates within a year are more likely one
    person's, written wrong."""
    return bool(
        a.dob and b.dob and not _dob_close(a.dob, b.dob) and abs((a.dob - b.dob).days) > 366
    )


def _first_names_differ(a: Identity, b: Identity) -> bool:
    """Two first names that are neither nickname variants (nor a typo of one) nor near
    spellings (REBECCA/REBECAC) nor the two names swapped (exactly or with a typo)."""
    if not (a.first and b.first) or a.first == b.first:
        return False
    if not a.first_variants.isdisjoint(b.first_variants):
        return False
    if a.first == b.last or a.last == b.first:
        return False
    if a.last and b.last and _near(a.first, b.last) and _near(a.last, b.first):
        return False  # swapped, with a typo
    if jellyfish.damerau_levenshtein_distance(a.first, b.first) <= 1:
        return False  # one letter left out, added, changed or two swapped (GUS/GS)
    if jellyfish.jaro_winkler_similarity(a.first, b.first) >= 0.85:
        return False
    # A typo of the other's nickname or full name (MIKEEY for MICHAEL, JMAES for JIM).
    return not (_typo_of_any(a.first, b.first_variants) or _typo_of_any(b.first, a.first_variants))


def _typo_of_any(name: str, variants: frozenset[str]) -> bool:
    return any(
        abs(len(name) - len(v)) <= 1 and jellyfish.damerau_levenshtein_distance(name, v) <= 1
        for v in variants
    )


def _near(x: str, y: str) -> bool:
    return jellyfish.jaro_winkler_similarity(x, y) >= 0.88


def conflicting(a: Identity, b: Identity) -> bool:
    """Records that cannot be one person: different SSNs with a different date of birth or first
    name; dates of birth years apart with the same surname and address (JR and SR); or (twins,
    siblings) a different first name with a different sex, or with the same surname and date of
    birth or address."""
    if a.ssn and b.ssn:
        if not _ssn_far(a.ssn, b.ssn):
            return False  # the same SSN (or a typo of it): whatever else differs, no conflict
        # Two people of one name and household (JR and SR) are born years apart; dates of
        # birth within a year of each other are more likely one person's, written wrong.
        return _dob_far(a, b) or _first_names_differ(a, b)
    if _dob_far(a, b) and a.last and a.last == b.last and a.address and a.address == b.address:
        return True  # JR and SR (or another relative) at one address
    if not _first_names_differ(a, b):
        return False
    if a.sex and b.sex and a.sex != b.sex:
        return True
    if not (a.last and a.last == b.last):
        return False
    return bool((a.dob and a.dob == b.dob) or (a.address and a.address == b.address))


def agreeing(a: Identity, b: Identity) -> bool:
    """Records that attest one person: the same date of birth and surname, and first names that
    do not differ. Where more pairs across two groups agree so than conflict, the conflict is
    one misread record of a well-attested person (a crew heard LISA for ALICE), not two people."""
    return bool(
        a.dob and a.dob == b.dob and a.last and a.last == b.last and a.first and b.first
    ) and not _first_names_differ(a, b)


class _Groups:
    """Union-find over the records. A record no link has touched is its own group and has no
    entry (a million records, most of them never joined, need no dictionaries of their own)."""

    def __init__(self, keys: Iterable[str], identities: dict[str, Identity]):
        self.order = list(keys)
        self.keys = set(self.order)
        self.parent: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        self.identities = identities
        self._hard: dict[str, list[Identity]] = {}  # a group's identities, kept as groups join
        self.cannot: dict[str, set[str]] = {}

    def members(self, root: str) -> list[str]:
        return self._members.get(root) or [root]

    def hard(self, root: str) -> list[Identity]:
        found = self._hard.get(root)
        if found is not None:
            return found
        return [self.identities[root]] if root in self.identities else []

    def find(self, key: str) -> str:
        parent = self.parent
        root = key
        while (up := parent.get(root, root)) != root:
            root = up
        while (up := parent.get(key, key)) != root:
            parent[key] = root
            key = up
        return root

    def forbid(self, a: str, b: str) -> None:
        self.cannot.setdefault(a, set()).add(b)
        self.cannot.setdefault(b, set()).add(a)

    def blocked(self, ra: str, rb: str) -> bool:
        members_a, members_b = self.members(ra), self.members(rb)
        if len(members_b) < len(members_a):
            small, large = members_b, members_a
        else:
            small, large = members_a, members_b
        if self.cannot:
            forbidden = [self.cannot[k] for k in small if k in self.cannot]
            if forbidden and any(not f.isdisjoint(large) for f in forbidden):
                return True
        hard_small, hard_large = self.hard(ra), self.hard(rb)
        if not hard_small or not hard_large:
            return False
        if not any(conflicting(x, y) for x in hard_small for y in hard_large):
            return False
        conflicts = agreements = 0
        for x in hard_small:
            for y in hard_large:
                if conflicting(x, y):
                    conflicts += 1
                elif agreeing(x, y):
                    agreements += 1
        return conflicts > agreements

    def union(self, ra: str, rb: str) -> None:
        if len(self.members(ra)) < len(self.members(rb)):
            ra, rb = rb, ra
        self.parent[rb] = ra
        kept = self._members.get(ra)
        if kept is None:
            kept = self._members[ra] = [ra]
        kept.extend(self._members.pop(rb, None) or [rb])
        moved = self.hard(rb)
        self._hard.pop(rb, None)
        if moved:
            kept_hard = self._hard.get(ra)
            if kept_hard is None:
                kept_hard = self._hard[ra] = self.hard(ra)  # a new list
            kept_hard.extend(moved)


def _strongest_first(pair: tuple[str, str, float]) -> tuple[float, str, str]:
    return (-pair[2], pair[0], pair[1])


def cluster(
    keys: Iterable[str],
    pairs: Iterable[tuple[str, str, float]],
    threshold: float,
    identities: dict[str, Identity],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    presorted: bool = False,
) -> dict[str, str]:
    """record key -> cluster label (the label is one member's key). ``presorted``: the pairs
    are already at or above the threshold and strongest first (probability descending, then
    the two keys ascending), as run.py sorts them in Arrow."""
    groups = _Groups(keys, identities)
    for a, b in cannot_link:
        if a in groups.keys and b in groups.keys:
            groups.forbid(a, b)
    for a, b in must_link:
        if a in groups.keys and b in groups.keys:
            ra, rb = groups.find(a), groups.find(b)
            if ra != rb:
                groups.union(ra, rb)
    strong = (
        pairs
        if presorted
        else sorted((p for p in pairs if p[2] >= threshold), key=_strongest_first)
    )
    for a, b, _probability in strong:
        ra, rb = groups.find(a), groups.find(b)
        if ra != rb and not groups.blocked(ra, rb):
            groups.union(ra, rb)
    return {key: groups.find(key) for key in groups.order}
