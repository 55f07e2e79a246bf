"""The DuckDB workspace file: the only place that opens a connection."""

from ddj.store.database import Store

__all__ = ["Store"]
