"""Open (and create or migrate) the workspace's DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ddj.errors import WorkspaceError
from ddj.store.schema import MIGRATIONS, VIEWS

SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """The workspace database. Every stage reads and writes the canonical tables through it."""

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise WorkspaceError(
                f"cannot open the workspace database: {exc}",
                where=str(self.path),
                fix="is another ddj command using it? wait for it to finish",
            ) from exc
        if not read_only:
            self.migrate()

    def migrate(self) -> int:
        """Apply the migrations not yet applied; return the schema version."""
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS ddj_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        rows = con.execute("SELECT value FROM ddj_meta WHERE key = 'schema_version'").fetchall()
        row = rows[0] if rows else None
        current = int(row[0]) if row else 0
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"the workspace was written by a newer ddj (schema {current}, this ddj knows "
                f"{SCHEMA_VERSION})",
                where=str(self.path),
                fix="upgrade ddj",
            )
        for version in range(current, SCHEMA_VERSION):
            con.execute("BEGIN")
            for statement in MIGRATIONS[version]:
                con.execute(statement)
            con.execute(
                "INSERT OR REPLACE INTO ddj_meta VALUES ('schema_version', ?)", [str(version + 1)]
            )
            con.execute("COMMIT")
        for view in VIEWS:
            con.execute(view)
        return SCHEMA_VERSION

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(query, params or []).fetchall()

    def scalar(self, query: str, params: list | None = None):
        rows = self.con.execute(query, params or []).fetchall()
        return rows[0][0] if rows else None

    def dicts(self, query: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(query, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def cursor(self) -> Store:
        """A Store on its own cursor of the same database, for use from another thread."""
        view = object.__new__(Store)
        view.path = self.path
        view.con = self.con.cursor()
        return view

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
