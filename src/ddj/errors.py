"""Errors meant for people: each says what was wrong, where, and what to do.

The CLI turns any :class:`DdjError` into one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations


class DdjError(Exception):
    """Base class for errors a user can act on."""

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        parts = []
        if self.where:
            parts.append(f"{self.where}: ")
        parts.append(self.message)
        if self.fix:
            parts.append(f" ({self.fix})")
        return "".join(parts)


class ConfigError(DdjError):
    """ddj.toml or a mapping profile is missing, unreadable or inconsistent."""


class WorkspaceError(DdjError):
    """The workspace folder or its database cannot be used."""


class FileUnreadableError(DdjError):
    """A whole file cannot be read (missing, wrong delimiter, no header); nothing is loaded."""


class StageOrderError(DdjError):
    """A stage was run before the stage it depends on."""
