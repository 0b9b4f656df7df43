"""Who else has a database file open: one small side file per running instance.

Beside `opora.sqlite` every process that opened it keeps `~$opora.sqlite.<COMPUTER>.<pid>.opora`
(like Word's `~$` owner files; hidden on Windows) with a few lines of JSON: the OS user
(`getpass.getuser()`), the computer (its network name), the pid and since when the file is open.
A side file and not a table: saying "I am here" inside the database would need the very write lock
that a colleague is holding when we want to name them, and reading a table would need the read
lock that a committing colleague holds on a network share. A plain file in the same folder is
readable at any moment, on a local disk and on an SMB/NFS share alike.

Life cycle: written by `announce` when `open_database` succeeds, refreshed (its modification time)
every `HEARTBEAT_SECONDS` by one daemon thread per process, removed by `withdraw` on
`Database.close()` and, for whatever was not closed, at interpreter exit. A program that was killed
or a computer that lost power leaves its file behind, so readers judge each record:

* same computer and the pid is not running → stale, removed;
* not refreshed for `STALE_AFTER_SECONDS` → ignored (the owner is gone or asleep; an idle
  instance holds no lock anyway); not refreshed for `FORGET_AFTER_SECONDS` → removed;
* unreadable or of another database → ignored.

Everything here is best effort: a folder where the side file cannot be written only means that
colleagues will not see our name; it is never an error for the user. No Qt, no network: the
computer name comes from the local system, never from a DNS lookup.
"""

from __future__ import annotations

import atexit
import getpass
import json
import logging
import os
import re
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "~$"
SUFFIX = ".opora"
HEARTBEAT_SECONDS = 10 * 60
# Generous against clocks that differ between computers (the share's server sets file times).
STALE_AFTER_SECONDS = 60 * 60
FORGET_AFTER_SECONDS = 7 * 24 * 60 * 60
_SAFE_NAME = re.compile(r"[^0-9A-Za-zА-Яа-яЁё_-]+")


@dataclass(frozen=True)
class Presence:
    """One running instance that has the database open."""

    user: str
    computer: str
    pid: int
    since: datetime
    file: Path

    def describe(self, now: datetime | None = None) -> str:
        """«Иванова (компьютер OFFICE-3, открыта в 10:15)»; the date too when it was not today."""
        now = now or datetime.now().astimezone()
        since = self.since.astimezone(now.tzinfo) if self.since.tzinfo else self.since
        when = f"в {since:%H:%M}" if since.date() == now.date() else f"{since:%d.%m.%Y} в {since:%H:%M}"
        return f"{self.user} (компьютер {self.computer}, открыта {when})"


def current_user() -> str:
    try:
        return getpass.getuser() or "неизвестный пользователь"
    except Exception:  # getuser raises OSError/KeyError when neither the environment nor pwd knows
        return "неизвестный пользователь"


def computer_name() -> str:
    # platform.node() without importing platform (~1.5 ms of the start-up): uname on POSIX, the
    # NetBIOS name Windows sets in the environment
    name = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
    return name or "неизвестный компьютер"


def _same_computer(a: str, b: str) -> bool:
    # Windows computer names are case-insensitive; a Linux host name may come with its domain.
    return a.split(".")[0].casefold() == b.split(".")[0].casefold()


def record_file(db_path: Path, computer: str, pid: int) -> Path:
    safe = _SAFE_NAME.sub("_", computer)[:40] or "_"
    return db_path.parent / f"{PREFIX}{db_path.name}.{safe}.{pid}{SUFFIX}"


def write_record(
    db_path: Path,
    *,
    user: str,
    computer: str,
    pid: int,
    since: datetime | None = None,
) -> Path:
    """Write (or replace) one presence record; returns its file. Raises OSError."""
    since = since or datetime.now().astimezone()
    target = record_file(db_path, computer, pid)
    content = json.dumps(
        {
            "program": "Опора",
            "database": db_path.name,
            "user": user,
            "computer": computer,
            "pid": pid,
            "since": since.isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
    )
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        _remove(temporary)
        raise
    _hide_on_windows(target)
    return target


def _hide_on_windows(path: Path) -> None:
    if sys.platform == "win32":
        import ctypes

        file_attribute_hidden = 0x2
        ctypes.windll.kernel32.SetFileAttributesW(str(path), file_attribute_hidden)  # type: ignore[attr-defined]


def read_record(file: Path, db_name: str) -> Presence | None:
    """The record in `file`, or None when it is unreadable or belongs to another database."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("database") != db_name:
            return None
        return Presence(
            user=str(data["user"]),
            computer=str(data["computer"]),
            pid=int(data["pid"]),
            since=datetime.fromisoformat(str(data["since"])),
            file=file,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this computer (a reused pid counts as alive)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        process_query_limited_information, still_active, access_denied = 0x1000, 259, 5
        handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
        if not handle:
            # Access denied: the process exists and belongs to someone else.
            return ctypes.get_last_error() == access_denied  # type: ignore[attr-defined]
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


def _candidates(db_path: Path) -> list[Path]:
    prefix = f"{PREFIX}{db_path.name}."
    try:
        return [
            entry
            for entry in db_path.parent.iterdir()
            if entry.name.startswith(prefix) and entry.name.endswith(SUFFIX)
        ]
    except OSError:
        return []


def records(db_path: Path, *, now: float | None = None) -> list[Presence]:
    """Live records of every instance (ours included), oldest first; stale files are cleaned up."""
    db_path = Path(db_path)
    now = time.time() if now is None else now
    here = computer_name()
    mine = os.getpid()
    found: list[Presence] = []
    for file in _candidates(db_path):
        try:
            age = now - file.stat().st_mtime
        except OSError:
            continue
        record = read_record(file, db_path.name)
        if record is None:
            if age > FORGET_AFTER_SECONDS:
                _remove(file)
            continue
        same_computer = _same_computer(record.computer, here)
        if same_computer and record.pid == mine:
            if _registered(db_path):
                found.append(record)
            else:
                _remove(file)  # left by an earlier process that had our pid
            continue
        if (same_computer and not pid_alive(record.pid)) or age > FORGET_AFTER_SECONDS:
            _remove(file)
            continue
        if age > STALE_AFTER_SECONDS:
            continue
        found.append(record)
    found.sort(key=lambda r: (r.since.timestamp(), r.pid))
    return found


def others(db_path: Path, *, now: float | None = None) -> list[Presence]:
    """Live records of the other instances: other processes here, other computers."""
    here, mine = computer_name(), os.getpid()
    return [r for r in records(db_path, now=now) if not (_same_computer(r.computer, here) and r.pid == mine)]


def describe_all(found: list[Presence], limit: int = 3) -> str:
    """«Иванова (компьютер OFFICE-3, открыта в 10:15), Петров (…) и ещё 2»."""
    now = datetime.now().astimezone()
    shown = ", ".join(r.describe(now) for r in found[:limit])
    if len(found) > limit:
        shown += f" и ещё {len(found) - limit}"
    return shown


def _remove(file: Path) -> None:
    with suppress(OSError):
        file.unlink()


def leave_note(db_path: Path) -> Path | None:
    """Our record without opening the file (we were refused): the instance that holds the file
    sees someone waiting. Not refreshed; it goes stale after STALE_AFTER_SECONDS."""
    return _write_mine(Path(db_path))


# --- this process's own records ------------------------------------------------------------


@dataclass
class _Mine:
    db_path: Path
    file: Path | None
    count: int


_lock = threading.Lock()
_mine: dict[str, _Mine] = {}  # resolved database path → this process's record
_heartbeat: threading.Thread | None = None
_atexit_registered = False


def _key(db_path: Path) -> str:
    try:
        return str(Path(db_path).resolve())
    except OSError:
        return str(Path(db_path).absolute())


def _registered(db_path: Path) -> bool:
    with _lock:
        return _key(db_path) in _mine


def _write_mine(db_path: Path) -> Path | None:
    try:
        return write_record(db_path, user=current_user(), computer=computer_name(), pid=os.getpid())
    except OSError as exc:
        log.info("presence record for %s not written: %s", db_path, exc)
        return None


def announce(db_path: Path) -> None:
    """Say that this process has the database open (counted: each call needs a `withdraw`)."""
    global _atexit_registered
    db_path = Path(db_path)
    key = _key(db_path)
    with _lock:
        entry = _mine.get(key)
        if entry is not None:
            entry.count += 1
            return
        _mine[key] = _Mine(db_path, _write_mine(db_path), 1)
        if not _atexit_registered:
            atexit.register(_withdraw_all)
            _atexit_registered = True
        _start_heartbeat()


def withdraw(db_path: Path) -> None:
    """This process closed the database once; the record goes with the last close."""
    key = _key(Path(db_path))
    with _lock:
        entry = _mine.get(key)
        if entry is None:
            return
        entry.count -= 1
        if entry.count > 0:
            return
        del _mine[key]
        if entry.file is not None:
            _remove(entry.file)


def _withdraw_all() -> None:
    with _lock:
        for entry in _mine.values():
            if entry.file is not None:
                _remove(entry.file)
        _mine.clear()


def refresh() -> None:
    """Touch this process's records (the heartbeat); rewrite one that someone removed."""
    with _lock:
        for entry in _mine.values():
            try:
                if entry.file is not None and entry.file.exists():
                    os.utime(entry.file)
                    continue
            except OSError:
                pass
            entry.file = _write_mine(entry.db_path)


def _start_heartbeat() -> None:
    global _heartbeat
    if _heartbeat is not None and _heartbeat.is_alive():
        return

    def beat() -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            refresh()

    _heartbeat = threading.Thread(target=beat, name="opora-presence", daemon=True)
    _heartbeat.start()


def remote_users(db_path: Path) -> list[Presence]:
    """Live records of instances on other computers: the file is being used over a network."""
    here = computer_name()
    return [r for r in others(db_path) if not _same_computer(r.computer, here)]
