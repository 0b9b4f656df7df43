"""A database on a network share, and several instances of the program on one file (issue #8, part 5).

Detection of a share is a pure function over the mount table (or the Windows drive type), so every
kind of share is tested here with made-up tables. The file really is shared between real processes:
each child is this very file run as a script (`python tests/app/test_shared_database.py writer …`)
writing through the services (app/schools.py, app/plans/service.py) and reporting each save that
returned as a JSON line; afterwards the file passes integrity_check and holds every reported save.
The journal mode of the children is forced with OPORA_JOURNAL_MODE (DELETE is what a share gets),
busy timeouts are shortened (the `busy_timeout_ms` parameter, PRAGMA busy_timeout in the writers) so
that nothing waits 5 s, and the OS user is set per child through LOGNAME/USER (what
getpass.getuser() reads), so that a busy message can be seen to name another user.

The same runner measures the figures for docs/RELIABILITY.md:
    PYTHONPATH=. .venv/bin/python tests/app/test_shared_database.py stress --processes 2 4 --saves 500
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain import Category
from app.plans.service import PlanService
from app.schools import SchoolService
from db import Database, open_database, presence
from db.changes import ChangeRecorder
from db.connection import (
    JOURNAL_MODE_VARIABLE,
    choose_journal_mode,
    default_busy_timeout_ms,
    is_network_path,
    journal_mode_override,
    network_share_type,
    share_locks_are_local,
)
from db.errors import DatabaseBusyError

REPO_ROOT = Path(__file__).resolve().parents[2]
USERS = ["Иванова", "Петров", "Сидорова", "Кузнецов"]
YEAR = 2020
WAIT_LIMIT_SECONDS = 120.0  # a child never waits for the parent longer than this


def mount_line(device: str, mount_point: str, fs_type: str) -> str:
    """A /proc/mounts line, escaped as the kernel escapes it."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011")

    return f"{escape(device)} {escape(mount_point)} {fs_type} rw,relatime 0 0"


LOCAL_MOUNTS = "\n".join(
    [
        mount_line("/dev/sda1", "/", "ext4"),
        mount_line("tmpfs", "/tmp", "tmpfs"),
        mount_line("/dev/sda2", "/home", "ext4"),
    ]
)


# --- detection: Linux mount tables ---------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "path", "expected"),
    [
        (mount_line("//server/share", "/mnt/share", "cifs"), "/mnt/share/opora.sqlite", "cifs"),
        (mount_line("//server/share", "/mnt/share", "smb3"), "/mnt/share/отдел/opora.sqlite", "smb3"),
        (mount_line("server:/export/home", "/home/shared", "nfs4"), "/home/shared/opora.sqlite", "nfs4"),
        (mount_line("server:/export", "/srv/nfs", "nfs"), "/srv/nfs/a/b/opora.sqlite", "nfs"),
        (mount_line("user@host:/data", "/mnt/ssh", "fuse.sshfs"), "/mnt/ssh/opora.sqlite", "fuse.sshfs"),
        (
            mount_line("gvfsd-fuse", "/run/user/1000/gvfs", "fuse.gvfsd-fuse"),
            "/run/user/1000/gvfs/smb-share:server=srv,share=общие/opora.sqlite",
            "fuse.gvfsd-fuse",
        ),
        (mount_line("//srv/share", "/mnt/share", "fuse"), "/mnt/share/opora.sqlite", "fuse"),
        # Spaces and Cyrillic in the mount point (the kernel writes a space as \040).
        (
            mount_line("//server/Общие папки", "/mnt/Общие папки", "cifs"),
            "/mnt/Общие папки/Управление образования/опора.sqlite",
            "cifs",
        ),
        # The mount point itself (a file mounted over a file is legal, and the check is by string).
        (mount_line("//server/share", "/mnt/share", "cifs"), "/mnt/share", "cifs"),
        # Local file systems.
        (mount_line("/dev/sdb1", "/mnt/usb", "vfat"), "/mnt/usb/opora.sqlite", None),
        (mount_line("/dev/sdb1", "/data", "ext4"), "/data/opora.sqlite", None),
        (mount_line("/dev/fuse", "/mnt/local", "fuseblk"), "/mnt/local/opora.sqlite", None),
        # A prefix is only a prefix at a "/": /mnt/share2 is not inside /mnt/share.
        (mount_line("//server/share", "/mnt/share", "cifs"), "/mnt/share2/opora.sqlite", None),
    ],
)
def test_mounts(line: str, path: str, expected: str | None) -> None:
    mounts = LOCAL_MOUNTS + "\n" + line + "\n"
    assert network_share_type(path, windows=False, mounts=mounts) == expected


def test_cyrillic_mount_point_written_as_octal_bytes() -> None:
    # Some kernels and tools escape every non-ASCII byte: «Общие» as \320\236\320\261…
    octal = "".join(f"\\{byte:03o}" for byte in "Общие".encode())
    mounts = LOCAL_MOUNTS + f"\n//srv/x /mnt/{octal}\\040папки cifs rw 0 0\n"
    assert network_share_type("/mnt/Общие папки/опора.sqlite", windows=False, mounts=mounts) == "cifs"
    assert network_share_type("/mnt/Общие/опора.sqlite", windows=False, mounts=mounts) is None


def test_longest_mount_point_wins() -> None:
    mounts = "\n".join(
        [
            mount_line("/dev/sda1", "/", "ext4"),
            mount_line("//server/share", "/mnt/share", "cifs"),
            mount_line("/dev/sdb1", "/mnt/share/local", "ext4"),  # a local disk mounted inside a share
            mount_line("//server/other", "/mnt/share/local/remote", "nfs4"),
        ]
    )
    assert network_share_type("/mnt/share/opora.sqlite", windows=False, mounts=mounts) == "cifs"
    assert network_share_type("/mnt/share/local/opora.sqlite", windows=False, mounts=mounts) is None
    assert network_share_type("/mnt/share/local/remote/x.sqlite", windows=False, mounts=mounts) == "nfs4"
    assert network_share_type("/home/user/opora.sqlite", windows=False, mounts=mounts) is None


def test_bind_mount_of_a_share_is_a_share() -> None:
    # `mount --bind /mnt/share/отдел /home/user/База`: the kernel lists the bind with the share's type.
    mounts = "\n".join(
        [
            mount_line("/dev/sda1", "/", "ext4"),
            mount_line("//server/share", "/mnt/share", "cifs"),
            mount_line("//server/share", "/home/user/База", "cifs"),
        ]
    )
    assert network_share_type("/home/user/База/opora.sqlite", windows=False, mounts=mounts) == "cifs"
    assert network_share_type("/home/user/opora.sqlite", windows=False, mounts=mounts) is None


def test_later_mount_on_the_same_point_wins() -> None:
    # autofs first, then the real share mounted over it; and a share later covered by a local disk.
    autofs = "\n".join(
        [mount_line("auto.misc", "/misc/share", "autofs"), mount_line("//s/x", "/misc/share", "cifs")]
    )
    assert network_share_type("/misc/share/opora.sqlite", windows=False, mounts=autofs) == "cifs"
    covered = "\n".join([mount_line("//s/x", "/data", "cifs"), mount_line("/dev/sdb1", "/data", "ext4")])
    assert network_share_type("/data/opora.sqlite", windows=False, mounts=covered) is None


def test_whole_system_on_nfs_and_no_mount_table() -> None:
    assert (
        network_share_type("/x/opora.sqlite", windows=False, mounts=mount_line("srv:/", "/", "nfs")) == "nfs"
    )
    assert network_share_type("/x/opora.sqlite", windows=False, mounts="") is None
    assert network_share_type("/x/opora.sqlite", windows=False, mounts="garbage\n\n") is None


@pytest.mark.parametrize(
    ("line", "local"),
    [
        (mount_line("//server/share", "/mnt/s", "cifs").replace("rw,", "rw,nobrl,"), True),
        (mount_line("//server/share", "/mnt/s", "cifs"), False),
        (mount_line("srv:/export", "/mnt/s", "nfs").replace("rw,", "rw,nolock,"), True),
        (mount_line("srv:/export", "/mnt/s", "nfs4").replace("rw,", "rw,local_lock=all,"), True),
        (mount_line("srv:/export", "/mnt/s", "nfs4").replace("rw,", "rw,local_lock=none,"), False),
        (mount_line("user@host:/", "/mnt/s", "fuse.sshfs"), True),
        (mount_line("gvfsd-fuse", "/mnt/s", "fuse.gvfsd-fuse"), True),
        (mount_line("/dev/sdb1", "/mnt/s", "ext4").replace("rw,", "rw,nobrl,"), False),  # local: no matter
    ],
)
def test_shares_whose_locks_stay_on_this_computer(line: str, local: bool) -> None:
    assert share_locks_are_local("/mnt/s/opora.sqlite", LOCAL_MOUNTS + "\n" + line) is local


# --- detection: Windows paths, tested through the pure function ----------------------------


def drive_types(**types: int) -> object:
    """A GetDriveType stand-in: 3 = fixed, 4 = remote (mapped), 2 = removable."""
    asked: list[str] = []

    def drive_type(root: str) -> int:
        asked.append(root)
        return types.get(root[0], 3)

    drive_type.asked = asked  # type: ignore[attr-defined]
    return drive_type


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("\\\\server\\share\\opora.sqlite", "unc"),
        ("\\\\SERVER-1\\Общие папки\\Управление\\опора.sqlite", "unc"),
        ("//server/share/opora.sqlite", "unc"),
        ("\\\\?\\UNC\\server\\share\\opora.sqlite", "unc"),
        ("Z:\\opora.sqlite", "remote-drive"),
        ("z:\\Отдел\\опора.sqlite", "remote-drive"),
        ("\\\\?\\Z:\\opora.sqlite", "remote-drive"),
        ("C:\\Users\\Иванова\\AppData\\Local\\Opora\\opora.sqlite", None),
        ("\\\\?\\C:\\Users\\opora.sqlite", None),
        ("E:\\opora.sqlite", None),  # a USB stick: removable, not remote
    ],
)
def test_windows_paths(path: str, expected: str | None) -> None:
    assert network_share_type(path, windows=True, drive_type=drive_types(Z=4, E=2)) == expected  # type: ignore[arg-type]


def test_windows_asks_the_drive_type_of_the_drive_root() -> None:
    getter = drive_types(Z=4)
    network_share_type("z:\\a\\b.sqlite", windows=True, drive_type=getter)  # type: ignore[arg-type]
    assert getter.asked == ["Z:\\"]  # type: ignore[attr-defined]
    assert network_share_type("Z:\\a.sqlite", windows=True, drive_type=None) is None


def test_this_machines_temporary_folder_is_local(tmp_path: Path) -> None:
    assert is_network_path(tmp_path / "opora.sqlite") is False


# --- the journal mode ----------------------------------------------------------------------


@pytest.fixture
def on_a_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as if it were a CIFS mount: the real detection fed with a mount table saying so."""
    share = tmp_path / "Общая папка"
    share.mkdir()
    table = LOCAL_MOUNTS + "\n" + mount_line("//server/Общие", str(share), "cifs") + "\n"
    monkeypatch.setattr("db.connection.read_mounts", lambda: table)
    monkeypatch.delenv(JOURNAL_MODE_VARIABLE, raising=False)
    return share


def journal_mode_of(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).upper()
    finally:
        conn.close()


def test_local_file_gets_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(JOURNAL_MODE_VARIABLE, raising=False)
    database = open_database(tmp_path / "opora.sqlite")
    try:
        assert (database.journal_mode, database.network_share, database.is_shared_mode) == (
            "WAL",
            None,
            False,
        )
        assert database.query("PRAGMA journal_mode")[0][0] == "wal"
        assert database.query("PRAGMA locking_mode")[0][0] == "normal"
    finally:
        database.close()


def test_file_on_a_share_gets_the_rollback_journal(on_a_share: Path) -> None:
    database = open_database(on_a_share / "опора.sqlite")
    try:
        assert (database.journal_mode, database.network_share, database.is_shared_mode) == (
            "DELETE",
            "cifs",
            True,
        )
        assert database.query("PRAGMA journal_mode")[0][0] == "delete"
        # NORMAL locking: the lock is let go after each transaction, so colleagues can work too.
        assert database.query("PRAGMA locking_mode")[0][0] == "normal"
        SchoolService(database).create({"full_name": "МБОУ «Школа на сетевом диске»"})
        assert not (on_a_share / "опора.sqlite-wal").exists()
        assert not (on_a_share / "опора.sqlite-shm").exists()
    finally:
        database.close()


@pytest.mark.parametrize(
    ("value", "expected"), [("DELETE", "DELETE"), ("wal", "WAL"), (" Delete ", "DELETE")]
)
def test_environment_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, value)
    assert journal_mode_override() == expected
    database = open_database(tmp_path / "opora.sqlite")
    try:
        assert database.journal_mode == expected
        assert database.query("PRAGMA journal_mode")[0][0] == expected.lower()
        assert database.is_shared_mode is False  # forced, not because of a share
    finally:
        database.close()


def test_share_without_network_locks_gets_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(JOURNAL_MODE_VARIABLE, raising=False)
    table = LOCAL_MOUNTS + "\n" + mount_line("user@host:/data", str(tmp_path), "fuse.sshfs") + "\n"
    monkeypatch.setattr("db.connection.read_mounts", lambda: table)
    database = open_database(tmp_path / "опора.sqlite")
    try:
        assert (database.journal_mode, database.network_share) == ("DELETE", "fuse.sshfs")
        warning = database.share_warning
        assert warning is not None and str(tmp_path / "опора.sqlite") in warning
        assert "может повредиться" in warning and "fuse.sshfs" in warning
    finally:
        database.close()


def test_cifs_share_with_locks_has_no_warning(on_a_share: Path) -> None:
    database = open_database(on_a_share / "опора.sqlite")
    try:
        assert database.share_warning is None
    finally:
        database.close()


def test_forced_delete_on_a_share_is_shared_mode(on_a_share: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, "DELETE")
    choice = choose_journal_mode(on_a_share / "opora.sqlite")
    assert (choice.mode, choice.share, choice.shared) == ("DELETE", "cifs", True)


def test_override_wins_on_a_share_too(on_a_share: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, "WAL")
    choice = choose_journal_mode(on_a_share / "opora.sqlite")
    assert (choice.mode, choice.share, choice.shared) == ("WAL", "cifs", False)


@pytest.mark.parametrize("value", ["TRUNCATE", "memory", "да", ""])
def test_unknown_override_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, value)
    assert journal_mode_override() is None
    assert choose_journal_mode(tmp_path / "opora.sqlite").mode == "WAL"


def test_busy_timeout_from_parameter_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPORA_BUSY_TIMEOUT_MS", raising=False)
    assert default_busy_timeout_ms() == 5000
    monkeypatch.setenv("OPORA_BUSY_TIMEOUT_MS", "250")
    assert default_busy_timeout_ms() == 250
    monkeypatch.setenv("OPORA_BUSY_TIMEOUT_MS", "пять")
    assert default_busy_timeout_ms() == 5000
    database = open_database(tmp_path / "opora.sqlite", busy_timeout_ms=123)
    try:
        assert database.query("PRAGMA busy_timeout")[0][0] == 123
    finally:
        database.close()


def make_wal_file_with_leftover_wal(source_dir: Path, target: Path, schools: int) -> list[str]:
    """A WAL database whose last saves are only in its -wal file, copied (both files) to `target`,
    as a user copies the folder of a program that is still running or has crashed."""
    source = source_dir / "местная.sqlite"
    database = open_database(source)
    database.close()
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # nothing moves from the -wal into the file
    names = [f"МБОУ «Школа из журнала № {i}»" for i in range(schools)]
    conn.executemany("INSERT INTO schools (full_name) VALUES (?)", [(n,) for n in names])
    wal = Path(f"{source}-wal")
    assert wal.stat().st_size > 0
    shutil.copyfile(source, target)
    shutil.copyfile(wal, Path(f"{target}-wal"))
    conn.close()
    return names


def test_wal_file_copied_to_a_share_is_switched_and_keeps_its_wal_data(
    on_a_share: Path, tmp_path: Path
) -> None:
    target = on_a_share / "опора.sqlite"
    names = make_wal_file_with_leftover_wal(tmp_path, target, schools=30)
    # Without its -wal file the copy would not have these schools: they really are only in there.
    bare = sqlite3.connect(f"file:{target}?mode=ro&nolock=1&immutable=1", uri=True)
    assert bare.execute("SELECT count(*) FROM schools").fetchone()[0] == 0
    bare.close()

    database = open_database(target)
    try:
        assert database.journal_mode == "DELETE"
        assert sorted(s.full_name for s in SchoolService(database).list_schools()) == sorted(names)
        assert database.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        database.close()
    assert not Path(f"{target}-wal").exists()  # checkpointed into the file by the switch
    assert journal_mode_of(target) == "DELETE"


def test_switch_refused_while_another_process_holds_the_file_in_wal(on_a_share: Path, tmp_path: Path) -> None:
    target = on_a_share / "опора.sqlite"
    make_wal_file_with_leftover_wal(tmp_path, target, schools=3)
    before = target.read_bytes()
    # A colleague opens it first in WAL (e.g. on the computer that serves the folder).
    with Child(target, "hold", user="Иванова", hold="idle") as colleague:
        assert colleague.expect("holding")["journal"] == "wal"
        with pytest.raises(DatabaseBusyError) as caught:
            open_database(target, busy_timeout_ms=200)
        message = caught.value.message
        assert str(target) in message and "WAL" in message
        assert "Иванова" in message and f"компьютер {presence.computer_name()}" in message
        assert "Попросите закрыть «Опору» там" in message
        # We left our record: the colleague's program, reopened, will see us and choose DELETE.
        assert [f.name for f in records_beside(target) if f"{os.getpid()}" in f.name] == [
            presence.record_file(target, presence.computer_name(), os.getpid()).name
        ]
        assert target.read_bytes()[:100] == before[:100]  # the header, WAL mode included: untouched
    # Nothing was lost and, once the colleague has closed it, the file opens and switches.
    assert journal_mode_of(target) == "WAL"
    database = open_database(target)
    try:
        assert database.query("SELECT count(*) FROM schools")[0][0] == 3
        assert database.query("PRAGMA journal_mode")[0][0] == "delete"
    finally:
        database.close()


def test_local_file_used_from_another_computer_stays_in_delete_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(JOURNAL_MODE_VARIABLE, raising=False)
    path = tmp_path / "opora.sqlite"
    open_database(path).close()
    assert journal_mode_of(path) == "WAL"
    # A colleague on OFFICE-3 opened this file through the share: the local program must not use WAL.
    presence.write_record(path, user="Петров", computer="OFFICE-3", pid=4242)
    database = open_database(path)
    try:
        assert (database.journal_mode, database.is_shared_mode, database.network_share) == (
            "DELETE",
            True,
            None,
        )
        assert database.query("PRAGMA journal_mode")[0][0] == "delete"
    finally:
        database.close()


# --- presence records ----------------------------------------------------------------------


def records_beside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith("~$"))


def test_presence_record_written_on_open_and_removed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "База района.sqlite"
    database = open_database(path)
    files = records_beside(path)
    assert files == [presence.record_file(path, presence.computer_name(), os.getpid())]
    assert files[0].name.startswith("~$База района.sqlite.") and files[0].name.endswith(
        f".{os.getpid()}.opora"
    )
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert data["user"] == presence.current_user()
    assert data["computer"] == presence.computer_name() == socket.gethostname()
    assert data["pid"] == os.getpid()
    assert datetime.fromisoformat(data["since"]) <= datetime.now().astimezone()
    assert data["database"] == "База района.sqlite"
    assert database.other_users() == []  # this instance is not "another user"
    # A second handle on the same file in the same process shares the record.
    second = open_database(path)
    database.close()
    assert len(records_beside(path)) == 1
    second.close()
    assert records_beside(path) == []


def test_other_users_and_what_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "opora.sqlite"
    database = open_database(path)
    try:
        opened = datetime.now().astimezone().replace(hour=10, minute=15, second=0, microsecond=0)
        live = presence.write_record(path, user="Иванова", computer="OFFICE-3", pid=1234, since=opened)
        old = presence.write_record(path, user="Сидорова", computer="OFFICE-5", pid=77)
        ancient = presence.write_record(path, user="Кузнецов", computer="OFFICE-6", pid=78)
        dead_here = presence.write_record(
            path, user="Петров", computer=presence.computer_name(), pid=finished_pid()
        )
        # Named like ours by its prefix, but the record of «opora.sqlite.bak».
        foreign = presence.write_record(
            tmp_path / "opora.sqlite.bak", user="Чужой", computer="OFFICE-9", pid=5
        )
        garbage = tmp_path / "~$opora.sqlite.OFFICE-8.99.opora"
        garbage.write_text("{не json", encoding="utf-8")
        an_hour_and_more = time.time() - presence.STALE_AFTER_SECONDS - 60
        os.utime(old, (an_hour_and_more, an_hour_and_more))
        weeks = time.time() - presence.FORGET_AFTER_SECONDS - 60
        os.utime(ancient, (weeks, weeks))

        others = database.other_users()
        assert [(r.user, r.computer, r.pid) for r in others] == [("Иванова", "OFFICE-3", 1234)]
        assert others[0].describe() == "Иванова (компьютер OFFICE-3, открыта в 10:15)"
        assert others[0].file == live
        # Sure to be dead (this computer, no such process) or forgotten: removed. Only stale: kept.
        assert not dead_here.exists() and not ancient.exists()
        assert old.exists() and foreign.exists() and garbage.exists()
    finally:
        database.close()


def test_describe_names_the_day_when_not_today() -> None:
    since = datetime(2026, 3, 12, 9, 5).astimezone()
    record = presence.Presence("petrov", "OFFICE-5", 1, since, Path("x"))
    assert (
        record.describe(now=since + timedelta(days=1))
        == "petrov (компьютер OFFICE-5, открыта 12.03.2026 в 09:05)"
    )
    many = [presence.Presence(f"u{i}", "PC", i, since, Path("x")) for i in range(5)]
    assert presence.describe_all(many).endswith(" и ещё 2")


def test_heartbeat_refreshes_and_restores_the_record(tmp_path: Path) -> None:
    path = tmp_path / "opora.sqlite"
    database = open_database(path)
    try:
        (mine,) = records_beside(path)
        long_ago = time.time() - 3 * 3600
        os.utime(mine, (long_ago, long_ago))
        presence.refresh()
        assert mine.stat().st_mtime > long_ago + 3600
        mine.unlink()  # e.g. a colleague's program cleaned the folder
        presence.refresh()
        assert records_beside(path) == [mine]
    finally:
        database.close()
    assert records_beside(path) == []


def test_record_left_by_an_earlier_process_with_our_pid_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "opora.sqlite"
    open_database(path).close()
    presence.write_record(path, user="прежний", computer=presence.computer_name(), pid=os.getpid())
    assert presence.others(path) == []
    assert records_beside(path) == []  # not ours (not registered): removed
    database = open_database(path)
    try:
        (mine,) = records_beside(path)
        assert json.loads(mine.read_text(encoding="utf-8"))["user"] == presence.current_user()
    finally:
        database.close()


def test_presence_record_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    # Presence is best effort: if the side file cannot be written, nothing fails.
    path = tmp_path / "opora.sqlite"
    open_database(path).close()
    blocker = presence.record_file(path, presence.computer_name(), os.getpid())
    blocker.mkdir()  # a directory where our record file should go: writing it fails
    database = open_database(path)
    try:
        SchoolService(database).create({"full_name": "МБОУ «Школа без отметки»"})
        assert database.other_users() == []
    finally:
        database.close()
    assert blocker.is_dir()
    assert records_beside(path) == [blocker]  # no temporary file left behind


def finished_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --- busy: the message names who has the file ------------------------------------------------


def test_busy_message_names_the_other_user(tmp_path: Path) -> None:
    path = tmp_path / "opora.sqlite"
    holder = open_database(path)
    waiting = open_database(path, busy_timeout_ms=50)
    try:
        opened = datetime.now().astimezone().replace(hour=10, minute=15, second=0, microsecond=0)
        presence.write_record(path, user="Иванова", computer="OFFICE-3", pid=31337, since=opened)
        with holder.atomic():
            SchoolService(holder).create({"full_name": "МБОУ «Школа держателя»"})
            with pytest.raises(DatabaseBusyError) as caught:
                SchoolService(waiting).create({"full_name": "МБОУ «Школа ожидающего»"})
        assert caught.value.message == (
            f"База данных «{path}» занята: её сейчас использует Иванова (компьютер OFFICE-3, "
            "открыта в 10:15). Повторите действие через несколько секунд."
        )
        assert [s.full_name for s in SchoolService(waiting).list_schools()] == ["МБОУ «Школа держателя»"]
    finally:
        waiting.close()
        holder.close()


def test_busy_message_without_records_is_the_generic_one(tmp_path: Path) -> None:
    path = tmp_path / "opora.sqlite"
    holder = open_database(path)
    waiting = open_database(path, busy_timeout_ms=20)
    try:
        with holder.atomic(), pytest.raises(DatabaseBusyError) as caught:
            SchoolService(waiting).create({"full_name": "МБОУ «Школа»"})
        # The holder is this same process: not "another user".
        assert caught.value.message == (
            f"База данных «{path}» занята другой программой или другим пользователем. "
            "Повторите действие через несколько секунд."
        )
    finally:
        waiting.close()
        holder.close()


# --- real processes on one file --------------------------------------------------------------


def child_environment(user: str, journal: str | None, busy_ms: int | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        env[name] = user
    env.pop(JOURNAL_MODE_VARIABLE, None)
    if journal:
        env[JOURNAL_MODE_VARIABLE] = journal
    if busy_ms is not None:
        env["OPORA_BUSY_TIMEOUT_MS"] = str(busy_ms)
    return env


class Child:
    """This file run as a script in its own process, talking JSON lines on stdout; files in a
    control folder say "go" and "release"."""

    def __init__(
        self,
        db_path: Path,
        role: str,
        *,
        user: str,
        journal: str | None = None,
        busy_ms: int | None = None,
        control: Path | None = None,
        **options: object,
    ) -> None:
        self.own_control = control is None
        self.control = control or Path(tempfile.mkdtemp(prefix="opora-child-"))
        self.user = user
        arguments = {"db": str(db_path), "control": str(self.control), **options}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), role, json.dumps(arguments, ensure_ascii=False)],
            cwd=REPO_ROOT,
            env=child_environment(user, journal, busy_ms),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[dict[str, object]] = []

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.finish()

    def expect(self, event: str) -> dict[str, object]:
        """Read lines until `event` arrives (or the child ends: then fail with its stderr)."""
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                self.process.wait(timeout=WAIT_LIMIT_SECONDS)
                raise AssertionError(f"child ended before «{event}»: {self.process.stderr.read()}")  # type: ignore[union-attr]
            data = json.loads(line)
            self.lines.append(data)
            if data.get("event") == event:
                return data

    def release(self) -> None:
        (self.control / "release").touch()

    def finish(self) -> list[dict[str, object]]:
        out, err = self.process.communicate(timeout=WAIT_LIMIT_SECONDS)
        self.lines += [json.loads(line) for line in out.splitlines() if line.strip()]
        if self.own_control:
            shutil.rmtree(self.control, ignore_errors=True)
        assert self.process.returncode == 0, err
        return self.lines


def school_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT full_name FROM schools ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
def test_long_write_transaction_refuses_the_other_save_naming_the_holder(
    tmp_path: Path, journal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, journal)
    path = tmp_path / "опора.sqlite"
    setup = open_database(path)
    plan_id = make_plan(setup)
    plans = PlanService(setup)
    first, _ = plans.add_item(plan_id, {"measure": "Первое", "deadline_text": "октябрь 2020"})
    plans.add_item(plan_id, {"measure": "Второе", "deadline_text": "ноябрь 2020"})
    setup.close()
    with Child(path, "hold", user="Иванова", journal=journal, hold="write") as holder:
        holder.expect("holding")
        mine = Database(path, busy_timeout_ms=150)  # much shorter than the 5 s a user would wait
        try:
            assert mine.journal_mode == journal
            before = dump_plan(mine, plan_id)
            with pytest.raises(DatabaseBusyError) as caught:
                # Several rows at once: the items after the new one move down, then it is inserted.
                PlanService(mine).add_item(
                    plan_id, {"measure": "Вставка", "deadline_text": "май"}, after_item_id=first
                )
            message = caught.value.message
            assert message.startswith(
                f"База данных «{path}» занята: её сейчас использует Иванова (компьютер "
            )
            assert f"компьютер {presence.computer_name()}, открыта в " in message
            assert message.endswith("Повторите действие через несколько секунд.")
            assert dump_plan(mine, plan_id) == before  # nothing half-written
        finally:
            mine.close()
        holder.release()
        holder.expect("committed")
    # The holder's save is in; ours can now be made; the file is sound.
    database = open_database(path)
    try:
        assert "МБОУ «Школа держателя Иванова»" in [
            s.full_name for s in SchoolService(database).list_schools()
        ]
        PlanService(database).add_item(
            plan_id, {"measure": "Вставка", "deadline_text": "май"}, after_item_id=first
        )
        assert [i.measure for i in PlanService(database).get(plan_id).items] == [
            "Первое",
            "Вставка",
            "Второе",
        ]
        assert database.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        database.close()


def test_commit_refused_while_a_reader_holds_the_file_is_rolled_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DELETE mode: a writer needs the exclusive lock to commit; a reader in a long read stands in
    its way. The save fails at COMMIT, after its rows were written in the transaction: all of them
    must go."""
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, "DELETE")
    path = tmp_path / "опора.sqlite"
    setup = open_database(path)
    plan_id = make_plan(setup)
    first, _ = PlanService(setup).add_item(plan_id, {"measure": "Первое", "deadline_text": "октябрь 2020"})
    PlanService(setup).add_item(plan_id, {"measure": "Второе", "deadline_text": "ноябрь 2020"})
    setup.close()
    with Child(path, "hold", user="Сидорова", journal="DELETE", hold="read") as reader:
        reader.expect("holding")
        writer = Database(path, busy_timeout_ms=150)
        try:
            before = dump_plan(writer, plan_id)
            with pytest.raises(DatabaseBusyError) as caught:
                PlanService(writer).add_item(
                    plan_id, {"measure": "Вставка", "deadline_text": "май"}, after_item_id=first
                )
            assert "Сидорова (компьютер" in caught.value.message
            assert dump_plan(writer, plan_id) == before
            assert not writer.connection().in_transaction
        finally:
            writer.close()
    assert journal_mode_of(path) == "DELETE"
    assert not Path(f"{path}-journal").exists()


def test_in_wal_mode_a_reader_does_not_stop_a_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, "WAL")
    path = tmp_path / "опора.sqlite"
    setup = open_database(path)
    plan_id = make_plan(setup)
    setup.close()
    with Child(path, "hold", user="Сидорова", journal="WAL", hold="read") as reader:
        reader.expect("holding")
        writer = Database(path, busy_timeout_ms=150)
        try:
            PlanService(writer).add_item(plan_id, {"measure": "Пока читают", "deadline_text": "май"})
        finally:
            writer.close()
    assert [r["measure"] for r in rows(path, "SELECT measure FROM plan_items")] == ["Пока читают"]


@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
def test_reader_during_a_long_write_transaction_reads_the_last_saved_state(
    tmp_path: Path, journal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, journal)
    path = tmp_path / "опора.sqlite"
    setup = open_database(path)
    SchoolService(setup).create({"full_name": "МБОУ «Школа № 1»"})
    setup.close()
    with Child(path, "hold", user="Иванова", journal=journal, hold="write") as holder:
        holder.expect("holding")
        # Not a moment of waiting allowed: in WAL a reader never waits, in DELETE the writer holds
        # only the RESERVED lock until it commits, and readers go on.
        reader = Database(path, busy_timeout_ms=0)
        try:
            assert [s.full_name for s in SchoolService(reader).list_schools()] == ["МБОУ «Школа № 1»"]
        finally:
            reader.close()
        holder.release()
        holder.expect("committed")
    assert school_names(path) == ["МБОУ «Школа № 1»", "МБОУ «Школа держателя Иванова»"]


def test_reader_waits_for_a_committing_writer_then_reads_its_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DELETE mode: while a writer holds the EXCLUSIVE lock (committing, or a big transaction that
    spilled its cache) readers wait; beyond the timeout they get the busy message, within it they
    read the saved data. In WAL the same reader reads the last committed state at once."""
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, "DELETE")
    path = tmp_path / "опора.sqlite"
    setup = open_database(path)
    SchoolService(setup).create({"full_name": "МБОУ «Школа № 1»"})
    setup.close()
    with Child(path, "hold", user="Кузнецов", journal="DELETE", hold="exclusive") as holder:
        holder.expect("holding")
        impatient = Database(path, busy_timeout_ms=100)
        try:
            with pytest.raises(DatabaseBusyError) as caught:
                SchoolService(impatient).list_schools()
            assert "Кузнецов (компьютер" in caught.value.message
        finally:
            impatient.close()

        patient = Database(path, busy_timeout_ms=60_000)
        result: list[list[str]] = []
        started = threading.Event()

        def read() -> None:
            started.set()
            result.append([s.full_name for s in SchoolService(patient).list_schools()])

        reader = threading.Thread(target=read)
        reader.start()
        started.wait()
        time.sleep(0.2)  # let the reader reach the lock (not a measurement: any order gives the same data)
        holder.release()
        reader.join(timeout=WAIT_LIMIT_SECONDS)
        holder.expect("committed")
    patient.close()
    assert result == [["МБОУ «Школа № 1»", "МБОУ «Школа Кузнецов под замком»"]]


def test_exclusive_writer_in_wal_does_not_block_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOURNAL_MODE_VARIABLE, "WAL")
    path = tmp_path / "опора.sqlite"
    setup = open_database(path)
    SchoolService(setup).create({"full_name": "МБОУ «Школа № 1»"})
    setup.close()
    with Child(path, "hold", user="Кузнецов", journal="WAL", hold="exclusive") as holder:
        holder.expect("holding")
        reader = Database(path, busy_timeout_ms=0)
        try:
            assert [s.full_name for s in SchoolService(reader).list_schools()] == ["МБОУ «Школа № 1»"]
        finally:
            reader.close()


# --- several writers at once ---------------------------------------------------------------


def make_plan(database: Database) -> int:
    plan_id, _ = PlanService(database).create({"title": "План совместной работы", "academic_year": YEAR})
    return plan_id


def dump_plan(database: Database, plan_id: int) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in database.query(
            "SELECT id, position, measure, section_id FROM plan_items WHERE plan_id = ? ORDER BY id",
            (plan_id,),
        )
    ]


def rows(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@dataclass
class Outcome:
    """What several writers did to one file, and what the file holds afterwards."""

    processes: int
    journal: str
    busy_ms: int
    saves: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)
    busy_messages: list[tuple[str, str]] = field(default_factory=list)  # (writer's user, message)
    integrity: str = ""
    seconds: float = 0.0
    interleaved: int = 0  # neighbouring plan items (by id) saved by different writers: real concurrency


def run_writers(path: Path, *, processes: int, saves: int, journal: str, busy_ms: int) -> Outcome:
    """Start `processes` writers on one file at once; check the file against what they reported."""
    # The file is made in the writers' journal mode, as it would be on a share: otherwise the first
    # writer to open it switches it while the others open, which a 2 ms timeout does not survive.
    saved = os.environ.get(JOURNAL_MODE_VARIABLE)
    os.environ[JOURNAL_MODE_VARIABLE] = journal
    try:
        setup = open_database(path)
        plan_id = make_plan(setup)
        setup.close()
    finally:
        if saved is None:
            del os.environ[JOURNAL_MODE_VARIABLE]
        else:
            os.environ[JOURNAL_MODE_VARIABLE] = saved
    assert journal_mode_of(path) == journal
    control = Path(tempfile.mkdtemp(prefix="opora-writers-"))
    outcome = Outcome(processes, journal, busy_ms)
    users = [USERS[i % len(USERS)] + ("" if i < len(USERS) else str(i)) for i in range(processes)]
    children = [
        Child(
            path,
            "writer",
            user=user,
            journal=journal,
            save_busy_ms=busy_ms,
            control=control,
            name=f"w{i}",
            saves=saves,
            plan_id=plan_id,
        )
        for i, user in enumerate(users)
    ]
    try:
        for child in children:
            child.expect("ready")
        started = time.perf_counter()
        (control / "go").touch()
        for child in children:
            child.expect("finished")
        outcome.seconds = time.perf_counter() - started
        (control / "release").touch()
        reports = [child.finish() for child in children]
    finally:
        (control / "release").touch()
        for child in children:
            if child.process.poll() is None:
                child.process.kill()
        shutil.rmtree(control, ignore_errors=True)
    check_writers(path, plan_id, users, reports, outcome)
    return outcome


def check_writers(
    path: Path, plan_id: int, users: list[str], reports: list[list[dict[str, object]]], outcome: Outcome
) -> None:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        outcome.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            outcome.problems.append("foreign_key_check is not empty")
        schools = {r["id"]: r for r in conn.execute("SELECT * FROM schools")}
        names = {r["full_name"] for r in schools.values()}
        items = {r["id"]: r for r in conn.execute("SELECT * FROM plan_items WHERE plan_id = ?", (plan_id,))}
        measures = {r["measure"] for r in items.values()}
        directors = {r["director"] for r in schools.values()}
        categories = {
            r["school_id"]: r["reason"]
            for r in conn.execute("SELECT * FROM school_categories WHERE academic_year = ?", (YEAR,))
        }
    finally:
        conn.close()
    writers = [str(items[i]["measure"]).split()[-1].split("-")[0] for i in sorted(items)]
    outcome.interleaved = sum(a != b for a, b in itertools.pairwise(writers))
    positions = [r["position"] for r in items.values()]
    if sorted(positions) != list(range(1, len(positions) + 1)):
        outcome.problems.append(f"plan item positions are not 1..n: {sorted(positions)}")
    for user, lines in zip(users, reports, strict=True):
        last_director: dict[int, str] = {}
        last_reason: dict[int, str] = {}
        for line in lines:
            op, value = line.get("op"), str(line.get("value", ""))
            if op is None:
                continue
            if "busy" in line:
                outcome.refused += 1
                outcome.busy_messages.append((user, str(line["busy"])))
                if value in names | measures | directors | set(categories.values()):
                    outcome.problems.append(f"{user}: refused {op} {value!r} is in the file")
                continue
            outcome.saves += 1
            target = int(line["id"])  # type: ignore[call-overload]
            if op == "school" and (target not in schools or schools[target]["full_name"] != value):
                outcome.problems.append(f"{user}: school {target} {value!r} missing")
            elif op == "item" and (target not in items or items[target]["measure"] != value):
                outcome.problems.append(f"{user}: plan item {target} {value!r} missing")
            elif op == "director":
                last_director[target] = value
            elif op == "category":
                last_reason[target] = value
        for school_id, value in last_director.items():
            if schools[school_id]["director"] != value:
                outcome.problems.append(f"{user}: director of {school_id} is not the last saved {value!r}")
        for school_id, value in last_reason.items():
            if categories.get(school_id) != value:
                outcome.problems.append(
                    f"{user}: category reason of {school_id} is not the last saved {value!r}"
                )
    for user, message in outcome.busy_messages:
        others = [u for u in users if u != user]
        if not any(f"{other} (компьютер" in message for other in others) or f"{user} (компьютер" in message:
            outcome.problems.append(f"{user}: busy message does not name another user: {message}")


@pytest.mark.parametrize("processes", [2, 4])
@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
def test_several_processes_write_one_file(tmp_path: Path, processes: int, journal: str) -> None:
    outcome = run_writers(
        tmp_path / "опора.sqlite", processes=processes, saves=24, journal=journal, busy_ms=5000
    )
    assert outcome.integrity == "ok"
    assert outcome.problems == []
    assert outcome.saves + outcome.refused == processes * 24
    # Refusals are possible even with 5 s when writers save back to back on a slow disk (a writer
    # can lose the race for the lock many times over); each one is checked like any other above.
    assert outcome.saves > 0


@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
def test_writers_with_a_tiny_busy_timeout_lose_nothing_that_returned(tmp_path: Path, journal: str) -> None:
    """With 2 ms of patience writers are refused now and then: each refusal names another user,
    leaves nothing of its save behind, and every save that returned is in the file."""
    outcome = run_writers(tmp_path / "опора.sqlite", processes=4, saves=30, journal=journal, busy_ms=2)
    assert outcome.integrity == "ok"
    assert outcome.problems == []
    assert outcome.saves + outcome.refused == 4 * 30
    assert outcome.saves > 0


# --- the child processes ---------------------------------------------------------------------


def _wait_for(file: Path) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not file.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited too long for {file}")
        time.sleep(0.005)


def _say(**data: object) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _writer(args: dict[str, object]) -> None:
    path, control, name = Path(str(args["db"])), Path(str(args["control"])), str(args["name"])
    database = open_database(path)  # opening waits as long as a user would
    # The saves get the timeout under test (PRAGMA busy_timeout is what sqlite3's timeout sets).
    database.connection().execute(f"PRAGMA busy_timeout = {int(args['save_busy_ms'])}")  # type: ignore[call-overload]
    schools, plans = SchoolService(database), PlanService(database)
    plan_id = int(args["plan_id"])  # type: ignore[call-overload]
    own: int | None = None
    _say(event="ready")
    _wait_for(control / "go")
    for i in range(int(args["saves"])):  # type: ignore[call-overload]
        token = f"{name}-{i:04d}"
        op = ("school", "director", "item", "category")[i % 4]
        if own is None and op in ("director", "category"):
            op = "school"
        try:
            if op == "school":
                value = f"МБОУ «Школа {token}»"
                target, _ = schools.create({"full_name": value})
                own = own or target
            elif op == "director":
                value, target = f"Директор {token}", own  # type: ignore[assignment]
                schools.update(target, {"director": value})  # type: ignore[arg-type]
            elif op == "item":
                value = f"Мероприятие {token}"
                target, _ = plans.add_item(plan_id, {"measure": value, "deadline_text": "октябрь 2020"})
            else:
                value, target = f"Причина {token}", own  # type: ignore[assignment]
                schools.set_category(target, YEAR, Category.LOW_RESULTS, reason=value)  # type: ignore[arg-type]
        except DatabaseBusyError as exc:
            _say(op=op, value=value, busy=exc.message)
        else:
            _say(op=op, value=value, id=target)
    _say(event="finished")
    _wait_for(control / "release")  # stay open until all are done: busy messages name live users
    database.close()


def _hold(args: dict[str, object]) -> None:
    path, control, kind = Path(str(args["db"])), Path(str(args["control"])), str(args["hold"])
    database = open_database(path)  # on this process's local disk: WAL unless told otherwise
    user = presence.current_user()
    if kind == "idle":  # open, doing nothing: what a colleague's program mostly does
        _say(event="holding", journal=database.query("PRAGMA journal_mode")[0][0])
        _wait_for(control / "release")
    elif kind == "write":
        with database.atomic():
            SchoolService(database).create({"full_name": f"МБОУ «Школа держателя {user}»"})
            _say(event="holding")
            _wait_for(control / "release")
    elif kind == "exclusive":
        values = SchoolService(database).validate({"full_name": f"МБОУ «Школа {user} под замком»"})
        conn = database.connection()
        conn.execute("BEGIN EXCLUSIVE")
        ChangeRecorder(conn, "Школа под замком").insert("schools", values)
        _say(event="holding")
        _wait_for(control / "release")
        conn.execute("COMMIT")
    elif kind == "read":
        conn = database.connection()
        conn.execute("BEGIN")
        count = conn.execute("SELECT count(*) FROM plan_items").fetchone()[0]
        _say(event="holding", count=count)
        _wait_for(control / "release")
        conn.execute("COMMIT")
    _say(event="committed")
    database.close()


def _stress(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="test_shared_database.py stress")
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--journal", nargs="+", default=["WAL", "DELETE"])
    parser.add_argument("--busy-ms", type=int, nargs="+", default=[5000, 2])
    options = parser.parse_args(argv)
    print(
        "| processes | journal | busy timeout | saves returned | refused (busy) | writer switches "
        "| integrity_check | lost or wrong | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for busy_ms in options.busy_ms:
        for journal in options.journal:
            for processes in options.processes:
                with tempfile.TemporaryDirectory(prefix="opora-stress-") as folder:
                    outcome = run_writers(
                        Path(folder) / "опора.sqlite",
                        processes=processes,
                        saves=options.saves,
                        journal=journal,
                        busy_ms=busy_ms,
                    )
                print(
                    f"| {processes} | {journal} | {busy_ms} ms | {outcome.saves} | {outcome.refused} | "
                    f"{outcome.interleaved} | {outcome.integrity} | {len(outcome.problems)} | "
                    f"{outcome.seconds:.1f} |",
                    flush=True,
                )
                for problem in outcome.problems[:10]:
                    print("   ", problem)


def _child(argv: list[str]) -> int:
    role = argv[0]
    if role == "stress":
        _stress(argv[1:])
        return 0
    args = json.loads(argv[1])
    {"writer": _writer, "hold": _hold}[role](args)
    return 0


@pytest.fixture(autouse=True)
def _no_forced_journal_in_this_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(JOURNAL_MODE_VARIABLE, raising=False)
    monkeypatch.delenv("OPORA_BUSY_TIMEOUT_MS", raising=False)
    yield


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
