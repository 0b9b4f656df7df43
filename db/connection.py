r"""The one connection factory.

Every connection gets foreign keys, a busy timeout, a journal mode chosen for the disk the file is
on and `synchronous=FULL`, so that a change whose save returned survives a crash or a power cut.
sqlite3 connections must not cross threads, so a `Database` hands each thread its own connection.

**Journal mode.** WAL on a local disk: readers never wait for a writer. On a network share — a
Windows UNC path (\\server\share\opora.sqlite) or a mapped network drive (GetDriveType says
DRIVE_REMOTE); on Linux a CIFS/SMB, NFS, sshfs… mount found in /proc/self/mounts, the longest
mount point holding the file winning, so bind mounts and local disks mounted inside a share are
judged right (`network_share_type` is the pure rule, tested with made-up mount tables) — the
rollback journal, DELETE. WAL keeps its index in shared memory (the -shm file mapped into every
process), which SMB and NFS do not keep coherent between computers: two computers in WAL mode on
one file can corrupt it. The rollback journal needs only the byte-range locks that the share
passes to its server. A file on a local disk also stays in DELETE mode while colleagues on other
computers have it open over the network (their presence records say so, see db/presence.py), so
that the computer that serves the folder does not switch the file to WAL under them. Either
journal relies on byte-range locks reaching the server: shares that keep locks on this computer
(sshfs, gvfs and other FUSE mounts, CIFS with `nobrl`, NFS with `nolock`) get a Russian warning in
`Database.share_warning` for the window to show (`share_locks_are_local`).

A file that comes in WAL mode (copied from a local disk) is switched to DELETE when it is opened
on a share; SQLite checkpoints a leftover -wal file into the database during the switch, so nothing
in it is lost. The switch needs the file to itself: while another process keeps it open in WAL
mode, opening is refused with `DatabaseBusyError` naming who has it open.

`PRAGMA locking_mode` stays NORMAL everywhere: EXCLUSIVE would keep the lock from the first write
until the program closes, locking every colleague out of a shared file.

**Busy.** Each connection waits up to `BUSY_TIMEOUT_MS` (5 s) for a lock; beyond that a
`DatabaseBusyError` names the other users of the file from their presence records: «База данных
«…» занята: её сейчас использует Иванова (компьютер OFFICE-3, открыта в 10:15). Повторите
действие через несколько секунд.» `Database.other_users()` lists them, `Database.is_shared_mode`
says whether the file is in DELETE mode because it is used over a network.

**Environment.**
`OPORA_JOURNAL_MODE=DELETE` or `=WAL` forces the journal mode whatever the disk (tests, the crash
harness, a share that the detection misses, a local disk that misbehaves); any other value is
ignored with a warning in the log. `OPORA_BUSY_TIMEOUT_MS=N` replaces the 5 s busy timeout (tests
use a short one); `open_database(path, busy_timeout_ms=N)` does the same for one database.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from db import presence
from db.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseError,
    ForeignDatabaseError,
    NewerVersionError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
)

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA application_id marks a file as ours: "OPOR" in ASCII.
APPLICATION_ID = 0x4F504F52
BUSY_TIMEOUT_MS = 5000
JOURNAL_MODE_VARIABLE = "OPORA_JOURNAL_MODE"
BUSY_TIMEOUT_VARIABLE = "OPORA_BUSY_TIMEOUT_MS"
JOURNAL_MODES = ("DELETE", "WAL")

# Linux file systems whose files live on another computer (/proc/self/mounts, third field).
_NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "smb",
    "smb2",
    "fuse.sshfs",
    "sshfs",
    "9p",
    "davfs",
    "fuse.davfs2",
    "fuse.gvfsd-fuse",
    "fuse.smbnetfs",
    "fuse.rclone",
    "fuse.s3fs",
    "fuse.curlftpfs",
    "afs",
    "coda",
    "ncpfs",
    "glusterfs",
    "fuse.glusterfs",
    "ceph",
    "fuse.ceph",
    "lustre",
    "beegfs",
    "gpfs",
    "ocfs2",
    "gfs2",
}
# Network file systems whose byte-range locks never leave this computer.
_FS_WITHOUT_NETWORK_LOCKS = {
    "fuse.sshfs",
    "sshfs",
    "fuse.gvfsd-fuse",
    "fuse.rclone",
    "fuse.s3fs",
    "fuse.curlftpfs",
    "davfs",
    "fuse.davfs2",
}
_WINDOWS_DRIVE_REMOTE = 4
_OCTAL_ESCAPE = re.compile(rb"\\([0-3][0-7]{2})")


# --- where the file is -----------------------------------------------------------------------


def _unescape_mount_field(field: str) -> str:
    """/proc/mounts writes a space as \\040 (also tab, newline, backslash), other text as raw UTF-8."""
    raw = field.encode("utf-8", "surrogateescape")
    raw = _OCTAL_ESCAPE.sub(lambda m: bytes([int(m.group(1), 8)]), raw)
    return raw.decode("utf-8", "surrogateescape")


def _network_fs(fs_type: str, device: str) -> bool:
    if fs_type in _NETWORK_FS:
        return True
    # Old-style FUSE entries name the helper in the device: "sshfs#user@host:/", "//srv/share".
    return fs_type in ("fuse", "fuseblk") and device.startswith(("//", "http://", "https://", "sshfs#"))


def _mount_of(path: str, mounts: str) -> tuple[str, str, str] | None:
    """(device, file system type, options) of the longest mount point in `mounts` holding `path`."""
    best_length, best = -1, None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        device, mount_point = _unescape_mount_field(parts[0]), _unescape_mount_field(parts[1])
        mount_point = mount_point.rstrip("/") or "/"
        inside = path == mount_point or path.startswith(mount_point.rstrip("/") + "/")
        # ">=": a later line mounted on the same point hides the earlier one (autofs, then cifs).
        if inside and len(mount_point) >= best_length:
            best_length, best = len(mount_point), (device, parts[2], parts[3] if len(parts) > 3 else "")
    return best


def _mounted_share(path: str, mounts: str) -> str | None:
    mount = _mount_of(path, mounts)
    if mount is None or not _network_fs(mount[1], mount[0]):
        return None
    return mount[1]


def share_locks_are_local(path: str, mounts: str) -> bool:
    """True when the share holding `path` keeps file locks on this computer only, so that SQLite on
    two computers cannot see each other's locks: sshfs, gvfs, rclone and other FUSE file systems
    without lock support, CIFS mounted with `nobrl`, NFS with `nolock` or `local_lock=all|posix`."""
    mount = _mount_of(path, mounts)
    if mount is None or not _network_fs(mount[1], mount[0]):
        return False
    fs_type, options = mount[1], set(mount[2].split(","))
    if fs_type in _FS_WITHOUT_NETWORK_LOCKS or fs_type in ("fuse", "fuseblk"):
        return True
    if fs_type in ("cifs", "smb3", "smbfs", "smb", "smb2"):
        return "nobrl" in options
    if fs_type in ("nfs", "nfs4"):
        return bool(options & {"nolock", "local_lock=all", "local_lock=posix"})
    return False


def _windows_share(path: str, drive_type: Callable[[str], int] | None) -> str | None:
    path = path.replace("/", "\\")
    upper = path.upper()
    if upper.startswith(("\\\\?\\UNC\\", "\\\\.\\UNC\\")):
        return "unc"
    if upper.startswith(("\\\\?\\", "\\\\.\\")):
        path = path[4:]  # \\?\C:\… is a local drive written the long way
    elif path.startswith("\\\\"):
        return "unc"
    if drive_type is None or len(path) < 2 or path[1] != ":" or not path[0].isalpha():
        return None
    return "remote-drive" if drive_type(path[0].upper() + ":\\") == _WINDOWS_DRIVE_REMOTE else None


def network_share_type(
    path: str,
    *,
    windows: bool,
    mounts: str = "",
    drive_type: Callable[[str], int] | None = None,
) -> str | None:
    """The kind of network share that holds `path` (absolute and resolved), None on a local disk.

    Pure, so that every case can be tested on any system. Windows: "unc" for \\\\server\\share\\…
    (also //server/share/… and \\\\?\\UNC\\…), "remote-drive" when `drive_type("Z:\\")` says
    DRIVE_REMOTE (a mapped drive). Linux: the file system type of the longest mount point in
    `mounts` (the text of /proc/self/mounts) that holds the path, when it is a network one.
    """
    if windows:
        return _windows_share(path, drive_type)
    return _mounted_share(path, mounts)


def read_mounts() -> str:
    """The mount table of this process ("" where there is none, e.g. macOS)."""
    for name in ("/proc/self/mounts", "/proc/mounts"):
        try:
            return Path(name).read_bytes().decode("utf-8", "surrogateescape")
        except OSError:
            continue
    return ""


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _resolved(path: Path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(Path(path).absolute())


def _where(path: Path) -> tuple[str | None, bool]:
    """(kind of network share or None, whether that share's locks stay on this computer)."""
    resolved = _resolved(path)
    if sys.platform == "win32":
        return network_share_type(resolved, windows=True, drive_type=_windows_drive_type), False
    mounts = read_mounts()
    share = network_share_type(resolved, windows=False, mounts=mounts)
    return share, share is not None and share_locks_are_local(resolved, mounts)


def share_type(path: Path) -> str | None:
    """`network_share_type` for a real path on this computer."""
    return _where(path)[0]


def is_network_path(path: Path) -> bool:
    """True when the file sits on a network share, where WAL must not be used."""
    return share_type(path) is not None


def journal_mode_override() -> str | None:
    """OPORA_JOURNAL_MODE when it says DELETE or WAL (any case), else None."""
    value = os.environ.get(JOURNAL_MODE_VARIABLE, "").strip().upper()
    if not value:
        return None
    if value in JOURNAL_MODES:
        return value
    log.warning("%s=%r ignored: DELETE or WAL expected", JOURNAL_MODE_VARIABLE, value)
    return None


def default_busy_timeout_ms() -> int:
    """OPORA_BUSY_TIMEOUT_MS when it is a whole number of milliseconds, else BUSY_TIMEOUT_MS."""
    value = os.environ.get(BUSY_TIMEOUT_VARIABLE, "").strip()
    try:
        return max(0, int(value)) if value else BUSY_TIMEOUT_MS
    except ValueError:
        log.warning("%s=%r ignored: milliseconds expected", BUSY_TIMEOUT_VARIABLE, value)
        return BUSY_TIMEOUT_MS


@dataclass(frozen=True)
class JournalChoice:
    """The journal mode for a file, and why."""

    mode: str  # "WAL" or "DELETE"
    share: str | None  # the kind of network share ("cifs", "unc", "remote-drive"…), None when local
    shared: bool  # DELETE because the file is used over a network (on a share, or by colleagues)
    locks_local: bool = False  # the share does not pass locks to its server (see share_locks_are_local)


def choose_journal_mode(path: Path) -> JournalChoice:
    share, locks_local = _where(path)
    forced = journal_mode_override()
    if forced is not None:
        return JournalChoice(forced, share, forced == "DELETE" and share is not None, locks_local)
    if share is not None:
        return JournalChoice("DELETE", share, True, locks_local)
    if presence.remote_users(path):
        return JournalChoice("DELETE", None, True)
    return JournalChoice("WAL", None, False)


def _is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _is_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc).lower()


def busy_message(path: Path) -> str:
    """«База данных «…» занята: её сейчас использует Иванова (компьютер OFFICE-3, открыта в 10:15)…»."""
    others = presence.others(path)
    if not others:
        return (
            f"База данных «{path}» занята другой программой или другим пользователем. "
            "Повторите действие через несколько секунд."
        )
    verb = "использует" if len(others) == 1 else "используют"
    return (
        f"База данных «{path}» занята: её сейчас {verb} {presence.describe_all(others)}. "
        "Повторите действие через несколько секунд."
    )


def _translate(exc: sqlite3.Error, path: Path) -> DatabaseError:
    text = str(exc).lower()
    if "not a database" in text or "file is encrypted" in text:
        return NotADatabaseError(
            f"Файл «{path}» не является базой данных «Опоры» или повреждён. Файл не изменён.",
            path,
        )
    if "malformed" in text or "corrupt" in text:
        return CorruptDatabaseError(
            f"База данных «{path}» повреждена{sqlite_code(exc)}. Файл не изменён; восстановите его из резервной копии.",
            path,
        )
    if "locked" in text or "busy" in text:
        return DatabaseBusyError(busy_message(path), path)
    if "readonly" in text or "read-only" in text:
        return ReadOnlyDatabaseError(
            f"Базу данных «{path}» нельзя изменить: файл или папка доступны только для чтения.",
            path,
        )
    if "unable to open" in text:
        return DatabaseError(
            f"Не удалось открыть базу данных «{path}»: нет доступа к файлу или папке{sqlite_code(exc)}.", path
        )
    # SQLITE_FULL; SQLite may have rolled the transaction back itself, so the error seen may be the
    # failed ROLLBACK ("cannot rollback", "no such savepoint") with SQLITE_FULL as its context.
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if "disk is full" in str(seen).lower():
            return DatabaseError(
                f"На диске нет места для базы данных «{path}»: изменение не сохранено, данные, "
                "сохранённые раньше, не затронуты. Освободите место на диске и повторите.",
                path,
            )
        seen = seen.__cause__ or seen.__context__
    log.warning("SQLite error on %s: %s", path, exc)  # SQLite's own (English) words go to the log
    return DatabaseError(
        f"Ошибка базы данных «{path}»{sqlite_code(exc)}: изменение не выполнено, данные, сохранённые раньше, "
        "не затронуты. Если ошибка повторяется, выполните проверку базы (команда check) или "
        "восстановите её из резервной копии.",
        path,
    )


def sqlite_code(exc: BaseException) -> str:
    """« (код SQLITE_…)» for the message: SQLite's own text is English, its code is searchable."""
    name = getattr(exc, "sqlite_errorname", "")
    return f" (код {name})" if name else ""


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


def connect(
    path: Path, *, journal_mode: str | None = None, busy_timeout_ms: int | None = None
) -> sqlite3.Connection:
    """Open one configured connection. Callers normally use `Database.connection()`.

    `journal_mode` None chooses by the disk (`choose_journal_mode`), `busy_timeout_ms` None takes
    `default_busy_timeout_ms()`.
    """
    timeout_ms = default_busy_timeout_ms() if busy_timeout_ms is None else busy_timeout_ms
    mode = journal_mode or choose_journal_mode(path).mode
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=True,
        )
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
        _set_journal_mode(conn, path, mode, timeout_ms)
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise _translate(exc, path) from exc
        raise
    return conn


def _set_journal_mode(conn: sqlite3.Connection, path: Path, mode: str, timeout_ms: int) -> None:
    """Set the journal mode, retrying while another connection is in the way.

    Leaving WAL needs the file to itself and SQLite does not wait for that (no busy handler), so
    the change is retried up to the busy timeout. Going to WAL may fail the same way: the file then
    simply stays in rollback-journal mode, which is as safe. Staying in WAL when DELETE is needed
    (a share) is not safe: that is refused, naming who keeps the file open.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    failure: sqlite3.OperationalError | None = None
    while True:
        try:
            row = conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()
            if row and str(row[0]).upper() == mode:
                return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            failure = exc
        if time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    if mode == "WAL":
        log.info("%s stays in rollback-journal mode: another connection kept it busy", path)
        return
    if _file_in_wal_mode(path):
        others = presence.others(path)
        who = presence.describe_all(others) if others else "другая программа или другой пользователь"
        # Leave our record (it goes stale within the hour): the program that holds the file, once
        # reopened, sees a colleague on another computer and chooses DELETE itself.
        presence.leave_note(path)
        raise DatabaseBusyError(
            f"Базу данных «{path}» сейчас нельзя открыть для работы по сети: её держит открытой "
            f"в режиме WAL {who}, а по сети этот режим небезопасен. Попросите закрыть «Опору» там "
            "(или закрыть и открыть снова — тогда база перейдёт в режим совместной работы) "
            "и откройте файл ещё раз.",
            path,
        )
    if failure is not None:
        raise failure  # locked by a writer for longer than the timeout: the usual busy message
    raise DatabaseError(f"Базу данных «{path}» не удалось перевести в режим журнала {mode}.", path)


def _file_in_wal_mode(path: Path) -> bool:
    """Bytes 18 and 19 of the header (write and read format versions) are 2 in WAL mode."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


class Database:
    """A database file: per-thread connections and the one place where writes get a transaction."""

    def __init__(self, path: Path, *, busy_timeout_ms: int | None = None) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = default_busy_timeout_ms() if busy_timeout_ms is None else busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._journal: JournalChoice | None = None
        self._announced = False

    @property
    def journal(self) -> JournalChoice:
        """The journal mode chosen for this file when it was first connected, and why."""
        with self._lock:
            if self._journal is None:
                self._journal = choose_journal_mode(self.path)
            return self._journal

    @property
    def journal_mode(self) -> str:
        return self.journal.mode

    @property
    def network_share(self) -> str | None:
        """The kind of network share the file is on ("cifs", "unc"…), None on a local disk."""
        return self.journal.share

    @property
    def is_shared_mode(self) -> bool:
        """True when the file is in DELETE mode because it is used over a network."""
        return self.journal.shared

    @property
    def share_warning(self) -> str | None:
        """A Russian warning for the window when the share cannot keep two computers apart."""
        if not self.journal.locks_local:
            return None
        return (
            f"База данных «{self.path}» лежит на сетевом диске, который не передаёт блокировки файлов "
            f"на сервер ({self.journal.share}). Если открыть её одновременно на нескольких компьютерах, "
            "она может повредиться: работайте с ней по очереди или подключите папку по SMB (cifs) "
            "без параметра nobrl."
        )

    def other_users(self) -> list[presence.Presence]:
        """The other running instances that have this file open (from their presence records)."""
        return presence.others(self.path)

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, journal_mode=self.journal.mode, busy_timeout_ms=self.busy_timeout_ms)
            self._local.conn = conn
            self._local.depth = 0
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls become savepoints, so a failed inner step undoes only itself.

        The audit log's lines for the change sets recorded inside (db/changes.py) are written just
        before COMMIT, in the same transaction; a rollback, or a savepoint's, leaves none."""
        from db import changes as audit

        conn = self.connection()
        depth: int = self._local.depth
        try:
            if depth == 0:
                conn.execute("BEGIN IMMEDIATE")
            else:
                conn.execute(f"SAVEPOINT sp{depth}")
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc
        if depth == 0:
            audit.audit_begin(conn)
            mark: audit.AuditMark = []
        else:
            mark = audit.audit_mark(conn)
        self._local.depth = depth + 1
        try:
            yield conn
        except BaseException as failure:
            self._local.depth = depth
            # After some errors (a full disk, an I/O error) SQLite has rolled the whole transaction
            # back itself: a ROLLBACK of ours would then fail and hide the real error.
            if depth == 0:
                try:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                finally:
                    audit.audit_discard(conn)
            else:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute(f"ROLLBACK TO sp{depth}")
                        conn.execute(f"RELEASE sp{depth}")
                audit.audit_rollback(conn, mark)
            if _is_busy(failure) or _is_full(failure):
                # A lock held too long inside the body (e.g. a big write that needs the exclusive
                # lock), or no room on the disk: a message for the user, not SQLite's English.
                raise _translate(failure, self.path) from failure  # type: ignore[arg-type]
            raise
        else:
            self._local.depth = depth
            try:
                if depth == 0:
                    audit.audit_commit(conn)
                conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
            except BaseException as exc:
                if depth == 0 and conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _translate(exc, self.path) from exc
                raise

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
            announced, self._announced = self._announced, False
        self._local = threading.local()
        if announced:
            presence.withdraw(self.path)

    def announce(self) -> None:
        """Write this instance's presence record beside the file (`open_database` does it)."""
        with self._lock:
            if self._announced:
                return
            self._announced = True
        presence.announce(self.path)


def open_database(path: Path | str, *, migrate: bool = True, busy_timeout_ms: int | None = None) -> Database:
    """Open (or create) a database file, check it, and bring its schema up to date.

    Raises a `DatabaseError` subclass with a Russian message; never overwrites a file it refuses.
    Once open, the file carries this instance's presence record until `Database.close()`.
    """
    from db.migrations import apply_migrations

    path = Path(path).expanduser()
    check_file_is_usable(path)
    if path.exists() and path.stat().st_size > 0:
        _probe_read_only(path, default_busy_timeout_ms() if busy_timeout_ms is None else busy_timeout_ms)
    database = Database(path, busy_timeout_ms=busy_timeout_ms)
    try:
        if migrate:
            apply_migrations(database)
    except sqlite3.Error as exc:
        database.close()
        raise _translate(exc, path) from exc
    except DatabaseError:
        database.close()
        raise
    database.announce()
    return database


def _probe_read_only(path: Path, timeout_ms: int = BUSY_TIMEOUT_MS, *, retry: bool = True) -> None:
    """Look at an existing file without writing a byte: integrity, owner program, schema version.

    The one exception is a hot journal (a crash in the middle of a write in rollback-journal mode,
    the mode of network shares): a read-only connection may not roll it back and SQLite answers
    SQLITE_READONLY_ROLLBACK, which would read as «the file is read-only». It is rolled back
    first, as any read-write open of the file does, and the probe runs again.
    """
    from db.migrations import latest_version

    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        probe = sqlite3.connect(uri, uri=True, timeout=timeout_ms / 1000)
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
    try:
        result = probe.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            log.warning("quick_check of %s: %s", path, result)  # SQLite's own words, for the log
            raise CorruptDatabaseError(
                f"База данных «{path}» повреждена: встроенная проверка SQLite нашла ошибки в структуре "
                "файла. Файл не изменён; восстановите его из резервной копии.",
                path,
            )
        app_id = probe.execute("PRAGMA application_id").fetchone()[0]
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        has_tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.Error as exc:
        if retry and getattr(exc, "sqlite_errorcode", None) == _SQLITE_READONLY_ROLLBACK:
            probe.close()
            _roll_back_hot_journal(path, timeout_ms)
            return _probe_read_only(path, timeout_ms, retry=False)
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


_SQLITE_READONLY_ROLLBACK = getattr(sqlite3, "SQLITE_READONLY_ROLLBACK", 776)


def _roll_back_hot_journal(path: Path, timeout_ms: int) -> None:
    """Put the file back to its last commit: SQLite rolls a hot journal back on the first read of
    a read-write connection."""
    try:
        conn = sqlite3.connect(str(path), timeout=timeout_ms / 1000)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
