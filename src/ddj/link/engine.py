"""The one place that knows which engine Splink runs on.

DuckDB (in memory, beside the workspace file) is the default; a Spark engine can be added here
without touching comparisons, blocking or clustering.
"""

from __future__ import annotations

import os
import tempfile

import duckdb

ENGINES = ("duckdb",)
# DuckDB takes 80% of the machine's memory by default; linkage shares the machine with the
# workspace and Python, so its database is capped and spills to disk past the cap.
DEFAULT_MEMORY_LIMIT = os.environ.get("DDJ_LINK_MEMORY_LIMIT", "6GB")


def splink_db_api(engine: str = "duckdb"):
    if engine == "duckdb":
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        spill = os.path.join(tempfile.gettempdir(), "ddj-link-spill")
        con.execute(f"SET memory_limit = '{DEFAULT_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute("SET preserve_insertion_order = false")  # lets large results spill
        return DuckDBAPI(con)
    raise ValueError(f"unknown linkage engine {engine!r}; available: {', '.join(ENGINES)}")
