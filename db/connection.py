"""The one connection factory.

Every connection gets foreign keys, a busy timeout, WAL on local disks (rollback journal on network
shares, where WAL's shared memory is unsafe) and `synchronous=FULL`, so that a change whose save
returned survives a crash or a power cut. sqlite3 connections must not cross threads, so a
`Database` hands each thread its own connection.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from db.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseError,
    ForeignDatabaseError,
    NewerVersionError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
)

SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA application_id marks a file as ours: "OPOR" in ASCII.
APPLICATION_ID = 0x4F504F52
BUSY_TIMEOUT_MS = 5000

_NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "9p",
    "davfs",
    "fuse.gvfsd-fuse",
    "afs",
    "ncpfs",
    "glusterfs",
    "ceph",
    "fuse.rclone",
}


def is_network_path(path: Path) -> bool:
    """True when the file sits on a network share, where WAL must not be used."""
    resolved = str(path.resolve())
    if sys.platform == "win32":
        if resolved.startswith("\\\\"):
            return True
        import ctypes

        drive = os.path.splitdrive(resolved)[0] + "\\"
        drive_remote = 4
        return bool(ctypes.windll.kernel32.GetDriveTypeW(drive) == drive_remote)  # type: ignore[attr-defined]
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    best_mount, best_type = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (resolved == mount_point or resolved.startswith(prefix)) and len(mount_point) > len(best_mount):
            best_mount, best_type = mount_point, parts[2]
    return best_type in _NETWORK_FS


def _translate(exc: sqlite3.Error, path: Path) -> DatabaseError:
    text = str(exc).lower()
    if "not a database" in text or "file is encrypted" in text:
        return NotADatabaseError(
            f"Файл «{path}» не является базой данных «Опоры» или повреждён. Файл не изменён.",
            path,
        )
    if "malformed" in text or "corrupt" in text:
        return CorruptDatabaseError(
            f"База данных «{path}» повреждена ({exc}). Файл не изменён; восстановите его из резервной копии.",
            path,
        )
    if "locked" in text or "busy" in text:
        return DatabaseBusyError(
            f"База данных «{path}» занята другой программой или другим пользователем. "
            "Повторите действие через несколько секунд.",
            path,
        )
    if "readonly" in text or "read-only" in text:
        return ReadOnlyDatabaseError(
            f"Базу данных «{path}» нельзя изменить: файл или папка доступны только для чтения.",
            path,
        )
    if "unable to open" in text:
        return DatabaseError(f"Не удалось открыть базу данных «{path}»: {exc}.", path)
    return DatabaseError(f"Ошибка базы данных «{path}»: {exc}.", path)


def check_file_is_usable(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is not ours to write."""
    if path.is_dir():
        raise DatabaseError(f"«{path}» — это папка, а не файл базы данных.", path)
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise DatabaseError(f"Не удалось прочитать файл «{path}»: {exc.strerror}.", path) from exc
        if header and header != SQLITE_HEADER:
            raise NotADatabaseError(
                f"Файл «{path}» не является базой данных «Опоры» (это не файл SQLite). Файл не изменён.",
                path,
            )
        if not os.access(path, os.W_OK):
            raise ReadOnlyDatabaseError(
                f"Файл базы данных «{path}» доступен только для чтения. "
                "Снимите атрибут «только чтение» или скопируйте файл в свою папку.",
                path,
            )
    folder = path.parent
    if not folder.exists():
        raise DatabaseError(f"Папка «{folder}» не существует.", path)
    if not os.access(folder, os.W_OK):
        raise ReadOnlyDatabaseError(
            f"В папку «{folder}» нельзя записывать, а базе данных это нужно для журнала изменений.",
            path,
        )


def connect(path: Path) -> sqlite3.Connection:
    """Open one configured connection. Callers normally use `Database.connection()`."""
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=True,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = "DELETE" if is_network_path(path) else "WAL"
        conn.execute(f"PRAGMA journal_mode = {mode}")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
    return conn


class Database:
    """A database file: per-thread connections and the one place where writes get a transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            self._local.depth = 0
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls become savepoints, so a failed inner step undoes only itself."""
        conn = self.connection()
        depth: int = self._local.depth
        try:
            if depth == 0:
                conn.execute("BEGIN IMMEDIATE")
            else:
                conn.execute(f"SAVEPOINT sp{depth}")
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc
        self._local.depth = depth + 1
        try:
            yield conn
        except BaseException:
            self._local.depth = depth
            if depth == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO sp{depth}")
                conn.execute(f"RELEASE sp{depth}")
            raise
        else:
            self._local.depth = depth
            try:
                conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
            except sqlite3.Error as exc:
                if depth == 0 and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _translate(exc, self.path) from exc

    def query(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> list[sqlite3.Row]:
        try:
            return self.connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    def backup_to(self, target: Path) -> None:
        """Copy the whole file with SQLite's online backup API (consistent even while in use)."""
        dest = sqlite3.connect(str(target))
        try:
            self.connection().backup(dest)
        finally:
            dest.close()

    def close(self) -> None:
        """Close every thread's connection; WAL is checkpointed by SQLite on the last close."""
        with self._lock:
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (or create) a database file, check it, and bring its schema up to date.

    Raises a `DatabaseError` subclass with a Russian message; never overwrites a file it refuses.
    """
    from db.migrations import apply_migrations

    path = Path(path).expanduser()
    check_file_is_usable(path)
    if path.exists() and path.stat().st_size > 0:
        _probe_read_only(path)
    database = Database(path)
    try:
        if migrate:
            apply_migrations(database)
    except sqlite3.Error as exc:
        database.close()
        raise _translate(exc, path) from exc
    except DatabaseError:
        database.close()
        raise
    return database


def _probe_read_only(path: Path) -> None:
    """Look at an existing file without writing a byte: integrity, owner program, schema version."""
    from db.migrations import latest_version

    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        probe = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
    try:
        result = probe.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise CorruptDatabaseError(
                f"База данных «{path}» повреждена: {result}. Файл не изменён; "
                "восстановите его из резервной копии.",
                path,
            )
        app_id = probe.execute("PRAGMA application_id").fetchone()[0]
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        has_tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
    finally:
        probe.close()
    if (app_id not in (0, APPLICATION_ID)) or (app_id == 0 and has_tables):
        raise ForeignDatabaseError(
            f"Файл «{path}» — база данных другой программы, а не «Опоры». Файл не изменён.",
            path,
        )
    if version > latest_version():
        raise NewerVersionError(
            f"База данных «{path}» создана более новой версией «Опоры» (версия схемы {version}, "
            f"эта программа знает версии до {latest_version()}). Обновите программу. "
            "Файл не изменён.",
            path,
        )
