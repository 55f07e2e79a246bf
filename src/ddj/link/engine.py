"""The one place that knows which engine Splink runs on.

DuckDB (in memory, beside the workspace file) is the default; a Spark engine can be added here
without touching comparisons, blocking or clustering.
"""

from __future__ import annotations

import os
import tempfile

import duckdb
import pyarrow as pa

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


def register_records(db_api, table: pa.Table, name: str):
    """Copy records into the engine as a table of its own and register it with Splink.

    Blocking and training read the records many times; DuckDB reads its own table much faster
    than an Arrow table registered as a view (whose strings and lists it converts on each scan).
    """
    con = db_api.duckdb_con
    con.register(f"{name}_arrow", table)
    try:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow").fetchall()
    finally:
        con.unregister(f"{name}_arrow")
    return db_api.register(name)
