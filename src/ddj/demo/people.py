"""The synthetic population: true identities, households, and needs.

Households share a surname and an address (couples, parents with adult children, adult siblings,
some twins born the same day, some JR/SR pairs). A small frequent-utilizer subpopulation has
co-occurring homelessness, mental illness and substance use.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ddj.demo import names
from ddj.demo.places import Address, random_address, random_phone

FREQUENT_UTILIZER_SHARE = 0.035

# Diagnoses (ICD-10-CM) with weights; frequent utilizers draw from the serious-illness end.
MENTAL_ILLNESS_DX: tuple[tuple[str, float, float], ...] = (
    # code, weight in general population, weight among frequent utilizers
    ("F20.9", 0.06, 0.22),  # schizophrenia, unspecified
    ("F20.0", 0.02, 0.08),  # paranoid schizophrenia
    ("F25.0", 0.03, 0.10),  # schizoaffective disorder, bipolar type
    ("F31.9", 0.08, 0.14),  # bipolar disorder, unspecified
    ("F31.2", 0.03, 0.06),  # bipolar, current episode manic with psychotic features
    ("F32.9", 0.22, 0.06),  # major depressive disorder, single episode
    ("F33.1", 0.14, 0.08),  # major depressive disorder, recurrent, moderate
    ("F43.10", 0.12, 0.12),  # PTSD, unspecified
    ("F41.1", 0.20, 0.04),  # generalized anxiety disorder
    ("F60.3", 0.03, 0.06),  # borderline personality disorder
    ("F43.20", 0.07, 0.04),  # adjustment disorder
)
SUBSTANCE_USE_DX: tuple[tuple[str, float, float], ...] = (
    ("F10.20", 0.34, 0.30),  # alcohol dependence
    ("F10.10", 0.14, 0.04),  # alcohol abuse
    ("F11.20", 0.18, 0.26),  # opioid dependence
    ("F15.20", 0.14, 0.24),  # other stimulant (methamphetamine) dependence
    ("F14.20", 0.06, 0.06),  # cocaine dependence
    ("F12.20", 0.10, 0.04),  # cannabis dependence
    ("F19.20", 0.04, 0.06),  # other psychoactive substance dependence
)


@dataclass(slots=True)
class Person:
    """One true person. ``last`` is the legal surname at the end of the window."""

    index: int
    sex: str  # M or F
    first: str
    middle: str
    last: str
    suffix: str
    dob: date
    ssn: str
    address: Address  # home, or last housed address for someone who became homeless
    phone: str  # digits, or "" when the person has no phone
    household: int
    former_last: str = ""  # surname before a name change (marriage)
    name_changed_on: date | None = None
    person_id: str = ""
    frequent_utilizer: bool = False
    homeless: bool = False
    mental_illness: bool = False
    substance_use: bool = False
    mi_dx: tuple[str, ...] = ()
    su_dx: tuple[str, ...] = ()
    relatives: list[int] = field(default_factory=list)

    def last_name_on(self, day: date) -> str:
        if self.former_last and self.name_changed_on and day < self.name_changed_on:
            return self.former_last
        return self.last

    def age_on(self, day: date) -> int:
        years = day.year - self.dob.year
        return years - ((day.month, day.day) < (self.dob.month, self.dob.day))


class _Builder:
    def __init__(self, rng: random.Random, start: date, end: date):
        self.rng = rng
        self.start = start
        self.end = end
        self.people: list[Person] = []
        self.household = 0
        self._ssns: set[str] = set()
        self._phones: set[str] = set()

    # -- identity pieces -------------------------------------------------------------------
    def ssn(self) -> str:
        # Area numbers 900-999 are never issued as Social Security numbers.
        while True:
            value = (
                f"{self.rng.randint(900, 999)}{self.rng.randint(1, 99):02d}"
                f"{self.rng.randint(1, 9999):04d}"
            )
            if value not in self._ssns:
                self._ssns.add(value)
                return value

    def phone(self, p_has: float) -> str:
        if self.rng.random() >= p_has:
            return ""
        while True:
            value = random_phone(self.rng)
            if value not in self._phones:
                self._phones.add(value)
                return value

    def dob_for_age(self, age: float) -> date:
        days = int(age * 365.25) + self.rng.randint(0, 364)
        return self.start - timedelta(days=days)

    def surname(self) -> str:
        first = names.draw_surname(self.rng)
        hispanic = names.is_hispanic_surname(first)
        if self.rng.random() < (0.06 if hispanic else 0.008):
            second = names.draw_surname(self.rng)
            if second != first and " " not in first + second:
                return f"{first}-{second}"
        return first

    def add(
        self,
        sex: str,
        last: str,
        dob: date,
        address: Address,
        *,
        first: str = "",
        avoid: tuple[str, ...] = (),
        p_phone: float = 0.75,
    ) -> Person:
        rng = self.rng
        while not first or first in avoid:
            first = names.draw_first_name(rng, sex, last)
        middle = names.draw_middle_name(rng, sex) if rng.random() < 0.85 else ""
        if middle == first:
            middle = ""
        person = Person(
            index=len(self.people),
            sex=sex,
            first=first,
            middle=middle,
            last=last,
            suffix="",
            dob=dob,
            ssn=self.ssn(),
            address=address,
            phone=self.phone(p_phone),
            household=self.household,
        )
        self.people.append(person)
        return person

    # -- households ------------------------------------------------------------------------
    def single(self) -> None:
        rng = self.rng
        sex = "M" if rng.random() < 0.55 else "F"
        age = rng.triangular(18, 82, 30)
        person = self.add(sex, self.surname(), self.dob_for_age(age), random_address(rng))
        if rng.random() < 0.015 and sex == "M":
            person.suffix = rng.choice(("JR", "II", "III"))

    def couple(self, address: Address, last: str, age: float) -> tuple[Person, Person]:
        rng = self.rng
        husband = self.add("M", last, self.dob_for_age(age), address)
        wife_age = max(18.0, age + rng.uniform(-6, 3))
        maiden = self.surname()
        took_name = rng.random() < 0.75
        wife_last = last if took_name else maiden
        if took_name and rng.random() < 0.12 and "-" not in maiden + last and " " not in maiden:
            wife_last = f"{maiden}-{last}"  # a hyphenated married name
        wife = self.add("F", wife_last, self.dob_for_age(wife_age), address)
        if wife_last != maiden:
            wife.former_last = maiden
            earliest = wife.dob + timedelta(days=int(19 * 365.25))
            if rng.random() < 0.2 and earliest < self.end - timedelta(days=60):
                lo = max(earliest, self.start + timedelta(days=30))
                span = (self.end - timedelta(days=60) - lo).days
                wife.name_changed_on = lo + timedelta(days=rng.randint(0, max(span, 0)))
            else:
                span = max((self.start - earliest).days, 1)
                wife.name_changed_on = earliest + timedelta(days=rng.randint(0, span))
        return husband, wife

    def family(self, size: int) -> None:
        rng = self.rng
        address = random_address(rng)
        last = self.surname()
        parent_age = rng.uniform(42, 74)
        if rng.random() < 0.6 and size >= 3:
            father, mother = self.couple(address, last, parent_age)
            parents = [father, mother]
        else:
            sex = "F" if rng.random() < 0.65 else "M"
            parents = [self.add(sex, last, self.dob_for_age(parent_age), address)]
        n_kids = max(1, size - len(parents))
        oldest = parent_age - rng.uniform(20, 34)
        self.children(parents, last, address, n_kids, oldest)

    def children(
        self, parents: list[Person], last: str, address: Address, n: int, oldest: float
    ) -> None:
        rng = self.rng
        father = next((p for p in parents if p.sex == "M"), None)
        used = tuple(p.first for p in parents)
        age = max(18.0, oldest)
        twin_of: Person | None = None
        for i in range(n):
            sex = "M" if rng.random() < 0.5 else "F"
            if twin_of is not None:
                kid = self.add(sex, last, twin_of.dob, address, avoid=used, p_phone=0.8)
                twin_of = None
            elif father is not None and i == 0 and sex == "M" and rng.random() < 0.18:
                # A son named after his father: same name and address, 20-35 years apart.
                kid = self.add(
                    "M", last, self.dob_for_age(age), address, first=father.first, p_phone=0.8
                )
                kid.middle = father.middle if rng.random() < 0.7 else kid.middle
                kid.suffix = "JR"
                father.suffix = "SR" if rng.random() < 0.5 else ""
            else:
                kid = self.add(sex, last, self.dob_for_age(age), address, avoid=used, p_phone=0.8)
                if i + 1 < n and rng.random() < 0.06:
                    twin_of = kid  # the next child is this one's twin
            used += (kid.first,)
            age = max(18.0, age - rng.uniform(1.2, 6))

    def siblings(self, size: int) -> None:
        rng = self.rng
        self.children([], self.surname(), random_address(self.rng), size, rng.uniform(20, 55))

    def build(self, n: int) -> list[Person]:
        rng = self.rng
        while len(self.people) < n:
            self.household += 1
            first_member = len(self.people)
            left = n - first_member
            size = min(left, rng.choices((1, 2, 3, 4, 5), weights=(52, 22, 13, 9, 4))[0])
            if size == 1:
                self.single()
            elif size == 2 and rng.random() < 0.55:
                self.couple(random_address(rng), self.surname(), rng.triangular(19, 80, 35))
            elif rng.random() < 0.25:
                self.siblings(size)
            else:
                self.family(size)
            members = range(first_member, len(self.people))
            if len(members) > 1:
                for index in members:
                    self.people[index].relatives = [m for m in members if m != index]
        return self.people[:n]


def _draw_dx(
    rng: random.Random, table: tuple[tuple[str, float, float], ...], fu: bool, k: int
) -> tuple[str, ...]:
    codes = [row[0] for row in table]
    weights = [row[2] if fu else row[1] for row in table]
    picked: list[str] = []
    for _ in range(k):
        code = rng.choices(codes, weights=weights)[0]
        if code not in picked:
            picked.append(code)
    return tuple(picked)


def _assign_needs(rng: random.Random, people: list[Person], start: date) -> None:
    n_fu = round(len(people) * FREQUENT_UTILIZER_SHARE)
    candidates = [p for p in people if 19 <= p.age_on(start) <= 62]
    cum_weights = list(itertools.accumulate(4.0 if not p.relatives else 1.0 for p in candidates))
    chosen: set[int] = set()
    while len(chosen) < min(n_fu, len(candidates)):
        chosen.add(rng.choices(candidates, cum_weights=cum_weights)[0].index)
    for person in people:
        if person.index in chosen:
            person.frequent_utilizer = True
            person.homeless = rng.random() < 0.9
            person.mental_illness = rng.random() < 0.85
            person.substance_use = rng.random() < 0.88
            needs = [person.homeless, person.mental_illness, person.substance_use]
            if sum(needs) < 2:  # co-occurring needs define this group
                person.substance_use = person.mental_illness = True
        else:
            single = not person.relatives
            person.homeless = rng.random() < (0.04 if single else 0.008)
            person.mental_illness = rng.random() < (0.35 if person.homeless else 0.10)
            person.substance_use = rng.random() < (0.45 if person.homeless else 0.07)
        fu = person.frequent_utilizer
        if person.mental_illness:
            person.mi_dx = _draw_dx(rng, MENTAL_ILLNESS_DX, fu, 1 if rng.random() < 0.7 else 2)
        if person.substance_use:
            person.su_dx = _draw_dx(rng, SUBSTANCE_USE_DX, fu, 1 if rng.random() < 0.6 else 2)
        if person.homeless and person.phone and rng.random() < 0.5:
            person.phone = ""


def build_population(rng: random.Random, n: int, start: date, end: date) -> list[Person]:
    """N people with identities, households, and needs; ``person_id`` is P0000001... in an order
    unrelated to households or needs."""
    builder = _Builder(rng, start, end)
    people = builder.build(n)
    for person in people:  # a household cut short at the end may name a relative beyond n
        person.relatives = [r for r in person.relatives if r < n]
    _assign_needs(rng, people, start)
    order = list(range(len(people)))
    rng.shuffle(order)
    width = max(7, len(str(n)))
    for number, index in enumerate(order, start=1):
        people[index].person_id = f"P{number:0{width}d}"
    return people
