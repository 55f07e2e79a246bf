"""The one place that knows which engine Splink runs on.

DuckDB (in memory, beside the workspace file) is the default; a Spark engine can be added here
without touching comparisons, blocking or clustering.
"""

from __future__ import annotations

import duckdb

ENGINES = ("duckdb",)


def splink_db_api(engine: str = "duckdb"):
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(duckdb.connect(":memory:"))
    raise ValueError(f"unknown linkage engine {engine!r}; available: {', '.join(ENGINES)}")
