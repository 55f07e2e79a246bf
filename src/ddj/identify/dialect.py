"""The few SQL forms identify needs that differ between engines, kept in this one place.

Everything else the identify stage writes is plain SQL (CTEs, window functions, CASE, LIKE,
COALESCE, GREATEST/LEAST, SUBSTR, REPLACE, ||) that DuckDB and Spark SQL both read. Only DuckDB
runs today; a Spark engine gets its own ``Dialect`` here (``explode``, ``get_json_object``,
``datediff``, ``to_json(collect_list(named_struct(...)))``) and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quote_all(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(quote(v) for v in values)


@dataclass(frozen=True)
class Dialect:
    name: str

    def text(self, value: str) -> str:
        """A value as text (Spark spells the type STRING)."""
        return f"CAST({value} AS VARCHAR)"

    def explode(self, array: str) -> str:
        """One row per element of an array column (in a SELECT list)."""
        return f"unnest({array})"

    def json_text(self, column: str, path: str) -> str:
        """The text at a dotted path of a JSON column (NULL when absent)."""
        return f"json_extract_string({column}, {quote('$.' + path)})"

    def days_between(self, start: str, end: str) -> str:
        """Whole days from the date of ``start`` to the date of ``end``."""
        return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"

    def json_object(self, fields: dict[str, str]) -> str:
        """A JSON object of the given keys and SQL values."""
        return f"json_object({', '.join(f'{quote(k)}, {v}' for k, v in fields.items())})"

    def whole_number_text(self, number: str) -> str:
        """A number rounded to a whole one, as text with thousands separators: 12,345."""
        return f"format('{{:,}}', CAST(round({number}) AS BIGINT))"

    def distinct_sorted(self, column: str) -> str:
        """An aggregate: the distinct values of a column as a sorted array."""
        return f"list_sort(list(DISTINCT {column}))"

    def json_objects(self, fields: dict[str, str], order_by: str, where: str) -> str:
        """An aggregate: a JSON array (text) of one object per row passing ``where``, in order.

        Joined as text: faster in DuckDB than a list of JSON values turned into JSON.
        """
        item = self.text(self.json_object(fields))
        return (
            f"'[' || coalesce(string_agg({item}, ',' ORDER BY {order_by}) "
            f"FILTER (WHERE {where}), '') || ']'"
        )


DUCKDB = Dialect("duckdb")


def window_filter(column: str, as_of: date, days: int | None) -> str:
    """``column`` within the ``days`` days ending on the as-of date (all before it if None).

    Plain SQL: timestamp literals and comparisons.
    """
    end = date.fromordinal(as_of.toordinal() + 1)
    sql = f"{column} < TIMESTAMP '{end.isoformat()} 00:00:00'"
    if days is not None:
        start = date.fromordinal(as_of.toordinal() - days + 1)
        sql = f"{column} >= TIMESTAMP '{start.isoformat()} 00:00:00' AND {sql}"
    return sql
