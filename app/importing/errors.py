"""File-level import failures: the file cannot be read at all, so nothing was changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from app.errors import AppError

if TYPE_CHECKING:
    from db.connection import Database


class ImportFileError(AppError):
    """A workbook that cannot be read: missing, too big, not Excel, damaged, no header row."""


@contextmanager
def database_errors(database: Database) -> Iterator[None]:
    """SQLite's own errors inside an import's apply step (a full disk, a busy or read-only file) as
    the Russian `DatabaseError` the window and the command line show; the transaction is rolled back
    already. A broken constraint or wrong SQL is a bug and stays what it is (logged, not shown)."""
    from db.connection import _translate

    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise
    except sqlite3.Error as exc:
        raise _translate(exc, database.path) from exc
