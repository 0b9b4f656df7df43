"""Exceptions raised when a database file cannot be used, each with a message a person can act on."""

from __future__ import annotations

from pathlib import Path


class DatabaseError(Exception):
    """A database problem described in Russian for the user."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return self.message


class NotADatabaseError(DatabaseError):
    """The file is not SQLite at all (a renamed document, a truncated copy)."""


class ForeignDatabaseError(DatabaseError):
    """The file is SQLite but belongs to another program."""


class NewerVersionError(DatabaseError):
    """The file was written by a newer version of «Опора»."""


class CorruptDatabaseError(DatabaseError):
    """SQLite's own integrity check failed."""


class ReadOnlyDatabaseError(DatabaseError):
    """The file or its folder cannot be written."""


class DatabaseBusyError(DatabaseError):
    """Another program holds a lock on the file for longer than the busy timeout."""
