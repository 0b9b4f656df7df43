"""Numbered SQL migrations (`0001_initial.sql`, `0002_….sql`), the version kept in PRAGMA user_version.

Before an existing file is migrated it is copied aside with SQLite's backup API, so that a failed
or unwanted upgrade can always be undone by hand. A file from a newer version is refused earlier,
in `db.connection`, without being opened for writing.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from db.errors import DatabaseError, NewerVersionError

if TYPE_CHECKING:
    from db.connection import Database

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    found: list[Migration] = []
    # The .sql files beside this module: from the sources, an installed package and the PyInstaller
    # bundle alike (importlib.resources would cost the start-up ~3 ms of imports for the same).
    for entry in Path(__file__).resolve().parent.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migrations are not numbered consecutively at {migration.name}")
    return found


def latest_version() -> int:
    return len(load_migrations())


def backup_before_migration(database: Database, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = database.path.with_name(
        f"{database.path.stem}.до-обновления-v{version}-{stamp}{database.path.suffix or '.sqlite'}"
    )
    database.backup_to(target)
    return target


def apply_migrations(database: Database) -> list[str]:
    """Bring the file to the latest schema; returns the names of the migrations applied."""
    from db.connection import APPLICATION_ID

    conn = database.connection()
    current: int = conn.execute("PRAGMA user_version").fetchone()[0]
    migrations = load_migrations()
    if current > len(migrations):
        raise NewerVersionError(
            f"База данных «{database.path}» создана более новой версией «Опоры». Файл не изменён.",
            database.path,
        )
    pending = [m for m in migrations if m.version > current]
    if not pending:
        return []
    if current > 0:
        backup_before_migration(database, current)
    applied: list[str] = []
    for migration in pending:
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n"
            f";PRAGMA user_version = {migration.version};\n"
            f"PRAGMA application_id = {APPLICATION_ID};\n"
            "COMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DatabaseError(
                f"Не удалось обновить базу данных «{database.path}» ({migration.name}): {exc}. "
                "Файл оставлен в прежней версии.",
                database.path,
            ) from exc
        applied.append(migration.name)
    return applied
