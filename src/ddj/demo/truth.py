"""The ground truth: which source person id is which true person, and who the people are."""

from __future__ import annotations

from ddj.demo.people import Person
from ddj.demo.writers import Table

RECORDS_HEADER = ["source", "source_person_id", "true_person_id"]
PEOPLE_HEADER = [
    "true_person_id",
    "first_name",
    "last_name",
    "dob",
    "sex",
    "frequent_utilizer",
    "homeless",
    "mental_illness",
    "substance_use",
]


def records_table(ids: dict[str, dict[str, str]]) -> Table:
    """``ids`` maps source -> {source person id: true person id}, as seen in good rows."""
    table = Table(RECORDS_HEADER)
    for source, mapping in ids.items():
        for source_id in sorted(mapping):
            table.rows.append([source, source_id, mapping[source_id]])
    return table


def people_table(people: list[Person]) -> Table:
    table = Table(PEOPLE_HEADER)
    for p in sorted(people, key=lambda p: p.person_id):
        table.rows.append(
            [
                p.person_id,
                p.first,
                p.last,
                p.dob.isoformat(),
                p.sex,
                str(int(p.frequent_utilizer)),
                str(int(p.homeless)),
                str(int(p.mental_illness)),
                str(int(p.substance_use)),
            ]
        )
    return table
