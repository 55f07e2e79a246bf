"""The identify SQL keeps every engine-specific form in dialect.py: Spark needs only a dialect."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ddj.identify import default_needs, default_rules
from ddj.identify.dialect import Dialect
from ddj.identify.needs_sql import (
    EventTables,
    diagnoses_table_sql,
    events_table_sql,
    evidence_table_sql,
    need_flag_sql,
)
from ddj.identify.sql import members_sql


class Marked(Dialect):
    """Writes each engine-specific form as a marker that no engine reads."""

    def text(self, value: str) -> str:
        return f"TEXT<{value}>"

    def explode(self, array: str) -> str:
        return f"EXPLODE<{array}>"

    def json_text(self, column: str, path: str) -> str:
        return f"JSON_TEXT<{column},{path}>"

    def days_between(self, start: str, end: str) -> str:
        return f"DAYS<{start},{end}>"

    def json_object(self, fields: dict[str, str]) -> str:
        return "JSON_OBJECT<>"

    def whole_number_text(self, number: str) -> str:
        return f"NUMBER<{number}>"

    def json_objects(self, fields: dict[str, str], order_by: str, where: str) -> str:
        return "JSON_OBJECTS<>"

    def distinct_sorted(self, column: str) -> str:
        return f"DISTINCT_SORTED<{column}>"


# Functions and syntax of DuckDB that Spark SQL does not read (or reads differently).
DUCKDB_ONLY = re.compile(
    r"\b(unnest|json_\w+|to_json|date_diff|format|list|struct_pack|arg_min|arg_max|"
    r"list_\w+|string_agg)\s*\(|\bQUALIFY\b|\bEXCLUDE\b|::|FILTER\s*\(",
    re.IGNORECASE,
)


def _all_sql() -> list[str]:
    as_of = date(2025, 12, 31)
    marked = Marked("marked")
    needs = default_needs()
    sql = [
        evidence_table_sql(needs, as_of, dialect=marked),
        need_flag_sql("run", "(SELECT 1)", "descriptions", marked),
        events_table_sql(dialect=marked),
        diagnoses_table_sql("identify_event", marked, linked=True),
    ]
    for linked in (EventTables(), EventTables("identify_event", "identify_diagnosis", True)):
        sql += [members_sql(r, as_of, "run", dialect=marked, src=linked) for r in default_rules()]
    return sql


def test_the_check_finds_duckdbs_own_forms() -> None:
    text = evidence_table_sql(default_needs(), date(2025, 12, 31))  # the DuckDB dialect
    assert {m.lower() for m in DUCKDB_ONLY.findall(text)} >= {"unnest", "json_extract_string"}


@pytest.mark.parametrize("index", range(len(_all_sql())))
def test_no_duckdb_only_sql_outside_the_dialect(index) -> None:
    found = DUCKDB_ONLY.findall(_all_sql()[index])
    assert not found, found
