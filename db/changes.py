"""Row-level change sets: what a write did, so that it can be undone and redone exactly.

Services write through a `ChangeRecorder` inside a transaction; it snapshots each affected row
before and after. Undo puts the "before" rows back, redo the "after" rows, both in one
transaction and only if the rows still look as the change left them (otherwise an import or a
colleague changed them since, and overwriting would lose their work).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from db.connection import Database

Row = dict[str, Any]
# Columns that change on every write and must not make undo think another user was here.
_VOLATILE = {"updated_at"}


@dataclass(frozen=True)
class RowChange:
    table: str
    row_id: int
    before: Row | None  # None: the row was inserted
    after: Row | None  # None: the row was deleted


@dataclass
class ChangeSet:
    description: str
    changes: list[RowChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)


class StaleChangeError(Exception):
    """The rows no longer look as the change set expects."""

    def __init__(self, table: str, row_id: int) -> None:
        super().__init__(f"{table}#{row_id}")
        self.table = table
        self.row_id = row_id


def _fetch(conn: sqlite3.Connection, table: str, row_id: int) -> Row | None:
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return dict(row) if row is not None else None


class ChangeRecorder:
    """Insert, update and delete rows by id, remembering each row's before and after."""

    def __init__(self, conn: sqlite3.Connection, description: str) -> None:
        self.conn = conn
        self.changeset = ChangeSet(description)

    def insert(self, table: str, values: Mapping[str, Any]) -> int:
        columns = list(values)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        cursor = self.conn.execute(sql, [values[c] for c in columns])
        row_id = int(cursor.lastrowid or 0)
        self.changeset.changes.append(RowChange(table, row_id, None, _fetch(self.conn, table, row_id)))
        return row_id

    def insert_many(self, table: str, rows: list[dict[str, Any]]) -> list[int]:
        """Bulk insert with one executemany; every row must have the same keys.

        Ids are assigned here (after the current maximum) so the change set needs no read-back,
        which keeps a 40,000-row import close to the speed of a plain executemany.
        """
        if not rows:
            return []
        columns = list(rows[0])
        start = int(self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1
        ids = list(range(start, start + len(rows)))
        sql = f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES (?, {', '.join('?' for _ in columns)})"
        self.conn.executemany(
            sql, ([row_id, *(row[c] for c in columns)] for row_id, row in zip(ids, rows, strict=True))
        )
        self.changeset.changes.extend(
            RowChange(table, row_id, None, {"id": row_id, **row})
            for row_id, row in zip(ids, rows, strict=True)
        )
        return ids

    def update(self, table: str, row_id: int, values: Mapping[str, Any]) -> bool:
        """Update the given columns; records nothing and returns False when nothing differs."""
        before = _fetch(self.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table}#{row_id}")
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if not changed:
            return False
        if "updated_at" in before and "updated_at" not in changed:
            changed["updated_at"] = _now(self.conn)
        assignments = ", ".join(f"{column} = ?" for column in changed)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*changed.values(), row_id])
        self.changeset.changes.append(RowChange(table, row_id, before, _fetch(self.conn, table, row_id)))
        return True

    def delete(self, table: str, row_id: int) -> None:
        before = _fetch(self.conn, table, row_id)
        if before is None:
            return
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        self.changeset.changes.append(RowChange(table, row_id, before, None))


def _now(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0])


def _same(current: Row | None, expected: Row | None) -> bool:
    if current is None or expected is None:
        return current is expected
    return all(current.get(k) == v for k, v in expected.items() if k not in _VOLATILE)


def _put(conn: sqlite3.Connection, table: str, row_id: int, row: Row | None) -> None:
    exists = conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if row is None:
        conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
    elif exists:
        columns = [c for c in row if c != "id"]
        conn.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [*(row[c] for c in columns), row_id],
        )
    else:
        columns = list(row)
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )


def revert(database: Database, changeset: ChangeSet) -> None:
    """Undo: put back every row as it was before, newest change first."""
    with database.atomic() as conn:
        for change in reversed(changeset.changes):
            if not _same(_fetch(conn, change.table, change.row_id), change.after):
                raise StaleChangeError(change.table, change.row_id)
            _put(conn, change.table, change.row_id, change.before)


def reapply(database: Database, changeset: ChangeSet) -> None:
    """Redo: put every row back as the change left it, oldest change first."""
    with database.atomic() as conn:
        for change in changeset.changes:
            if not _same(_fetch(conn, change.table, change.row_id), change.before):
                raise StaleChangeError(change.table, change.row_id)
            _put(conn, change.table, change.row_id, change.after)
