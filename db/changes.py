"""Row-level change sets: what a write did, so that it can be undone and redone exactly.

Services write through a `ChangeRecorder` inside a transaction; it snapshots each affected row
before and after. Undo puts the "before" rows back, redo the "after" rows, both in one
transaction and only if the rows still look as the change left them (otherwise an import or a
colleague changed them since, and overwriting would lose their work).

The audit log (table `audit_log`, migration 0007) is written here too. A recorder registers
itself in a per-thread list when it is made; `Database.atomic()` calls `audit_commit` just before
the outermost COMMIT, which writes one line per recorder that changed anything, in the same
transaction: a change never goes without its line, and a rolled-back change leaves none (a
rolled-back savepoint drops the recorders made inside it and what older ones recorded there).
Undo and redo write «Отмена: …» and «Повтор: …» lines; `log_action` is for the few writes that
do not go through a recorder. The lines hold table and column names; app/audit.py renders them
in Russian.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
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
        _pending().append(self)  # its audit line is written when the transaction commits

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
        if changeset.changes:
            undone = [RowChange(c.table, c.row_id, c.after, c.before) for c in reversed(changeset.changes)]
            write_audit_line(conn, f"{UNDO_PREFIX}{changeset.description}", undone)


def reapply(database: Database, changeset: ChangeSet) -> None:
    """Redo: put every row back as the change left it, oldest change first."""
    with database.atomic() as conn:
        for change in changeset.changes:
            if not _same(_fetch(conn, change.table, change.row_id), change.before):
                raise StaleChangeError(change.table, change.row_id)
            _put(conn, change.table, change.row_id, change.after)
        if changeset.changes:
            write_audit_line(conn, f"{REDO_PREFIX}{changeset.description}", changeset.changes)


# --- the audit log ------------------------------------------------------------------------------

UNDO_PREFIX = "Отмена: "
REDO_PREFIX = "Повтор: "
# Up to this many row changes a line lists each row's changed fields; beyond it, counts only (a
# 40,000-row import is one short line, not megabytes of JSON).
AUDIT_ROW_LIMIT = 50
# Texts longer than this are cut in the details; BLOBs (a signed PDF) are recorded as their size.
AUDIT_TEXT_LIMIT = 160
UNKNOWN_USER = "неизвестно"
# Columns that say nothing a reader of the log needs (the line has its own time).
_AUDIT_SKIP = frozenset({"id", "created_at", "updated_at"})
INSERTED, CHANGED, DELETED = "+", "~", "-"

_thread = threading.local()
_identity: tuple[str, str] | None = None


class _Note(NamedTuple):
    """A line already composed (undo, redo, `log_action`), waiting for its transaction's COMMIT."""

    conn: sqlite3.Connection
    action: str
    tables: str
    details: str


_Pending = ChangeRecorder | _Note
# At a savepoint: the connection's waiting entries and how many changes each recorder had then.
AuditMark = list[tuple[_Pending, int]]


def _pending() -> list[_Pending]:
    """This thread's recorders and notes whose lines are not written yet, in the order they came:
    the lines of one transaction are numbered in the order things happened in it."""
    pending: list[_Pending] | None = getattr(_thread, "pending", None)
    if pending is None:
        pending = _thread.pending = []
    return pending


def who() -> tuple[str, str]:
    """(the operating-system user, the computer's name); «неизвестно» when the system will not say."""
    global _identity
    if _identity is None:
        import getpass
        import platform

        try:
            user = getpass.getuser()
        except Exception:  # no USER/LOGNAME and no password entry (a service account, a container)
            user = ""
        try:
            computer = platform.node()
        except Exception:
            computer = ""
        _identity = (user or UNKNOWN_USER, computer or UNKNOWN_USER)
    return _identity


def _kind(change: RowChange) -> str:
    return INSERTED if change.before is None else DELETED if change.after is None else CHANGED


def _compact(value: Any) -> Any:
    """A value as the log keeps it: long text cut, bytes as their size."""
    if isinstance(value, str):
        return value if len(value) <= AUDIT_TEXT_LIMIT else value[:AUDIT_TEXT_LIMIT] + "…"
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": len(value)}
    return value


def _fields(change: RowChange) -> dict[str, list[Any]]:
    """The columns that differ, each as [before, after]; a new or deleted row lists its filled columns."""
    before, after = change.before, change.after
    if before is None or after is None:
        row = after if before is None else before
        assert row is not None
        filled = {
            k: v
            for k, v in row.items()
            if k not in _AUDIT_SKIP and v is not None and v not in ("", "[]", "{}")
        }
        if before is None:
            return {k: [None, _compact(v)] for k, v in filled.items()}
        return {k: [_compact(v), None] for k, v in filled.items()}
    return {
        k: [_compact(before.get(k)), _compact(v)]
        for k, v in after.items()
        if k not in _AUDIT_SKIP and before.get(k) != v
    }


def summarize(changes: list[RowChange]) -> tuple[str, str]:
    """(tables, details) of an audit line: «schools +1 ~2; people -1» and compact JSON."""
    counts: Counter[tuple[str, bool, bool]] = Counter((c[0], c[2] is None, c[3] is None) for c in changes)
    per_table: dict[str, dict[str, int]] = {}
    for (table, inserted, deleted), count in counts.items():
        kinds = per_table.setdefault(table, {})
        kind = INSERTED if inserted else DELETED if deleted else CHANGED
        kinds[kind] = kinds.get(kind, 0) + count
    tables = "; ".join(
        f"{table} "
        + " ".join(f"{kind}{kinds[kind]}" for kind in (INSERTED, CHANGED, DELETED) if kind in kinds)
        for table, kinds in per_table.items()
    )
    if len(changes) <= AUDIT_ROW_LIMIT:
        payload: dict[str, Any] = {
            "rows": [{"t": c.table, "id": c.row_id, "op": _kind(c), "f": _fields(c)} for c in changes]
        }
    else:
        payload = {"total": len(changes), "counts": per_table}
    details = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return tables, details


def _insert_line(conn: sqlite3.Connection, action: str, tables: str, details: str) -> None:
    user, computer = who()
    conn.execute(
        "INSERT INTO audit_log (at, os_user, computer, action, tables, details) VALUES (?, ?, ?, ?, ?, ?)",
        (datetime.now().isoformat(timespec="seconds"), user, computer, action, tables, details),
    )


def _defer(conn: sqlite3.Connection, action: str, tables: str, details: str) -> None:
    """Write the line at the transaction's COMMIT, after the lines of what happened before it."""
    if conn.in_transaction:
        _pending().append(_Note(conn, action, tables, details))
    else:  # no transaction to join: the write it describes was committed already
        _insert_line(conn, action, tables, details)


def write_audit_line(conn: sqlite3.Connection, action: str, changes: list[RowChange]) -> None:
    """One line for `changes`, written with the caller's transaction (undo and redo use it)."""
    tables, details = summarize(changes)
    _defer(conn, action, tables, details)


def log_action(
    conn: sqlite3.Connection, action: str, details: Mapping[str, Any] | None = None, *, tables: str = ""
) -> None:
    """A line for a write that does not go through a `ChangeRecorder` (a setting, a number format).

    Call it inside the write's own transaction (`with database.atomic() as conn:`): the line is
    written at its COMMIT and vanishes with its rollback. `details` is any JSON-able mapping;
    {"key": [before, after]} renders as «before → after».
    """
    payload = {key: _compact(value) for key, value in (details or {}).items()}
    text = json.dumps({"action": payload}, ensure_ascii=False, separators=(",", ":"), default=str)
    _defer(conn, action, tables, text)


def _size(entry: _Pending) -> int:
    return len(entry.changeset.changes) if isinstance(entry, ChangeRecorder) else 0


def audit_begin(conn: sqlite3.Connection) -> None:
    """At BEGIN: forget this connection's recorders that wrote outside any transaction (their
    changes were committed already, without a line); keep unused ones made just before it."""
    pending = _pending()
    if pending:
        pending[:] = [
            e for e in pending if e.conn is not conn or (isinstance(e, ChangeRecorder) and not _size(e))
        ]


def audit_mark(conn: sqlite3.Connection) -> AuditMark:
    """At a SAVEPOINT: this connection's waiting entries and how much each recorder has so far."""
    return [(e, _size(e)) for e in _pending() if e.conn is conn]


def audit_rollback(conn: sqlite3.Connection, mark: AuditMark) -> None:
    """At ROLLBACK TO a savepoint: drop the entries made inside it and what older recorders
    recorded there, since SQLite has just undone those rows (the change set then matches the data)."""
    kept = {id(entry): length for entry, length in mark}
    pending = _pending()
    survivors: list[_Pending] = []
    for entry in pending:
        if entry.conn is not conn:
            survivors.append(entry)
        elif id(entry) in kept:
            if isinstance(entry, ChangeRecorder):
                del entry.changeset.changes[kept[id(entry)] :]
            survivors.append(entry)
    pending[:] = survivors


def audit_discard(conn: sqlite3.Connection) -> None:
    """At ROLLBACK of the whole transaction: nothing of it happened, so no line."""
    pending = _pending()
    if pending:
        pending[:] = [e for e in pending if e.conn is not conn]


def audit_commit(conn: sqlite3.Connection) -> None:
    """Just before COMMIT: the lines of this connection's notes and of its recorders that changed
    anything, in the order they were made."""
    pending = _pending()
    if not pending:
        return
    own = [e for e in pending if e.conn is conn]
    if not own:
        return
    pending[:] = [e for e in pending if e.conn is not conn]
    for entry in own:
        if isinstance(entry, _Note):
            _insert_line(conn, entry.action, entry.tables, entry.details)
        elif entry.changeset.changes:
            tables, details = summarize(entry.changeset.changes)
            _insert_line(conn, entry.changeset.description, tables, details)
