"""Ingest: one module per format turns a file into canonical rows plus quarantine rows."""

from ddj.ingest.run import ingest_file, ingest_source

__all__ = ["ingest_file", "ingest_source"]
