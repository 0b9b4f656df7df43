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
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from db.connection import Database

Row = dict[str, Any]
# Columns that change on every write and must not make undo think another user was here.
_VOLATILE = {"updated_at"}


class RowChange(NamedTuple):
    """One row's change (immutable). A named tuple rather than a frozen dataclass: a bulk insert
    makes one per row, and a tuple is built in C, a frozen dataclass by four `object.__setattr__`."""

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

    def next_id(self, table: str) -> int:
        """The id `insert_many` gives the first of its rows when they carry none."""
        return int(self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1

    def insert_many(self, table: str, rows: list[dict[str, Any]], *, keep_rows: bool = False) -> list[int]:
        """Bulk insert with one executemany; every row must have the same keys.

        Rows without an "id" get the ids after the current maximum, so the change set needs no
        read-back, which keeps a 40,000-row import close to the speed of a plain executemany. With
        `keep_rows` the caller hands the dicts over: they become the change set's "after" rows
        as they are (their "id" added) instead of being copied.
        """
        if not rows:
            return []
        if "id" in rows[0]:
            ids = [int(row["id"]) for row in rows]
            columns = list(rows[0])
        else:
            start = self.next_id(table)
            ids = list(range(start, start + len(rows)))
            columns = ["id", *rows[0]]
            if keep_rows:
                for row_id, row in zip(ids, rows, strict=True):
                    row["id"] = row_id
            else:
                rows = [{"id": row_id, **row} for row_id, row in zip(ids, rows, strict=True)]
                keep_rows = True
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        # Tuples built in C by itemgetter: binding dicts by name costs sqlite3 a new key string
        # per value, a quarter of the insert's time.
        values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
        self.conn.executemany(sql, map(values, rows))
        if not keep_rows:
            rows = [dict(row) for row in rows]
        self.changeset.changes.extend(map(RowChange._make, zip(repeat(table), ids, repeat(None), rows)))
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
