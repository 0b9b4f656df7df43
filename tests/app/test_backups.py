"""Backups (app/backups.py) and the `backup`, `backups`, `restore`, `check` commands, on real files."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app import backups
from app.audit import AuditService
from app.backups import (
    DEFAULT_KEEP,
    backup_folder,
    check_database,
    export_backup,
    keep_count,
    latest_good_backup,
    list_backups,
    make_backup,
    restore,
    set_keep_count,
    verify_backup,
)
from app.demo import create_demo
from app.errors import AppError
from app.schools import SchoolService
from db import Database, open_database
from db.connection import APPLICATION_ID
from db.errors import CorruptDatabaseError, NotADatabaseError
from db.migrations import latest_version


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo district, made once per module (closed: one self-contained file)."""
    path = tmp_path_factory.mktemp("template") / "demo.sqlite"
    database = open_database(path)
    create_demo(database)
    database.close()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """The demo district in a file of this test's own (the backups folder is per file)."""
    path = tmp_path / "Кировский район.sqlite"
    shutil.copyfile(demo_file, path)
    database = open_database(path)
    yield database
    database.close()


def rename_school(database: Database, school_id: int, name: str) -> None:
    with database.atomic() as conn:
        conn.execute("UPDATE schools SET full_name = ? WHERE id = ?", (name, school_id))


def school_name(path: Path, school_id: int = 1) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("SELECT full_name FROM schools WHERE id = ?", (school_id,)).fetchone()[0])
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def damage_middle(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\x00" * 16384)


def truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def at(second: int) -> datetime:
    return datetime(2026, 11, 23, 10, 0, second)


# --- making copies ------------------------------------------------------------------------------------
def test_a_backup_is_a_verified_self_contained_copy_with_the_data(demo: Database) -> None:
    result = make_backup(demo, "start")
    info = result.backup
    assert info is not None and not result.skipped
    folder = backup_folder(demo.path)
    assert info.path.parent == folder
    assert folder.name.startswith("Кировский район-") and len(folder.name) == len("Кировский район-") + 8
    assert (folder / "источник.txt").read_text(encoding="utf-8").splitlines()[1] == str(demo.path.resolve())
    assert info.path.name.endswith("_start.sqlite") and info.kind_label == "при запуске"
    assert verify_backup(info.path) is None
    conn = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal
        assert conn.execute("SELECT count(*) FROM schools").fetchone()[0] == 9
    finally:
        conn.close()
    # Nothing else is left in the folder: no temporary file, no journal.
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([info.path.name, "источник.txt", "копии.json"])
    [listed] = list_backups(demo.path)
    assert listed.path == info.path and listed.verified and listed.schema_version == latest_version()
    assert listed.kind == "start" and listed.size == info.path.stat().st_size


def test_copies_of_unchanged_data_are_byte_identical_and_automatic_ones_are_not_repeated(
    demo: Database,
) -> None:
    first = make_backup(demo, "start", now=at(1)).backup
    assert first is not None
    again = make_backup(demo, "close", now=at(2))
    assert again.skipped and again.same_as is not None and again.same_as.path == first.path
    manual = make_backup(demo, "manual", now=at(3)).backup  # asked for: always made
    assert manual is not None and sha256(manual.path) == sha256(first.path)
    # The newest copy is now the manual one, with the same data: a daily copy adds nothing either.
    assert make_backup(demo, "daily", now=at(4)).skipped
    rename_school(demo, 1, "Изменённая школа")
    changed = make_backup(demo, "close", now=at(5)).backup
    assert changed is not None and school_name(changed.path) == "Изменённая школа"
    assert [b.kind for b in list_backups(demo.path)] == ["close", "manual", "start"]


def test_rotation_keeps_the_last_n_automatic_copies_and_n_of_each_other_kind(demo: Database) -> None:
    assert keep_count(demo) == DEFAULT_KEEP
    set_keep_count(demo, 3)
    assert keep_count(demo) == 3
    with pytest.raises(AppError, match="от 1 до 100"):
        set_keep_count(demo, 0)
    for second in range(4):  # four manual copies (never skipped)
        make_backup(demo, "manual", now=at(second))
    for step, kind in enumerate(["start", "daily", "close", "start", "daily"]):
        rename_school(demo, 1, f"Школа, версия {step}")
        result = make_backup(demo, kind, now=at(10 + step))
        assert result.backup is not None
    listed = list_backups(demo.path)
    automatic = [b for b in listed if b.is_automatic]
    assert [b.created.second for b in automatic] == [14, 13, 12]
    assert school_name(automatic[0].path) == "Школа, версия 4"
    # Manual copies have their own limit of N: the oldest one went when the fourth was made.
    assert [b.created.second for b in listed if b.kind == "manual"] == [3, 2, 1]
    assert all(b.verified for b in listed)
    manifest = (backup_folder(demo.path) / "копии.json").read_text(encoding="utf-8")
    assert all(b.path.name in manifest for b in listed) and "10-00-10_start" not in manifest


def test_two_copies_within_one_second_get_distinct_names(demo: Database) -> None:
    first = make_backup(demo, "manual", now=at(7)).backup
    second = make_backup(demo, "manual", now=at(7)).backup
    assert first is not None and second is not None
    assert second.path.name == "2026-11-23_10-00-07_manual-2.sqlite"
    assert [b.path for b in list_backups(demo.path)] == [second.path, first.path]


def test_a_damaged_database_is_not_backed_up_and_the_good_copies_stay(demo: Database) -> None:
    good = make_backup(demo, "start").backup
    assert good is not None
    demo.close()
    damage_middle(demo.path)
    with pytest.raises((AppError, CorruptDatabaseError)) as caught:
        make_backup(demo.path, "close")
    assert "не прошла проверку" in str(caught.value) or "повреждена" in str(caught.value)
    assert [b.path for b in list_backups(demo.path)] == [good.path]
    assert latest_good_backup(demo.path) == list_backups(demo.path)[0]


def test_an_unwritable_backups_folder_gives_a_clear_message_and_leaves_the_database(
    demo: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "данные"
    data.mkdir()
    (data / "backups").write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("OPORA_DATA_DIR", str(data))
    before = demo.path.read_bytes()
    with pytest.raises(AppError) as caught:
        make_backup(demo, "start")
    assert "нельзя записывать" in caught.value.message and "База данных не изменена" in caught.value.message
    assert str(data / "backups") in caught.value.message
    assert demo.path.read_bytes() == before
    assert SchoolService(demo).count() == 9


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind root")
def test_a_read_only_backups_folder(demo: Database) -> None:
    folder = backup_folder(demo.path)
    folder.mkdir(parents=True)
    (folder / "источник.txt").write_text(
        f"Резервные копии базы данных «Опоры»:\n{demo.path.resolve()}\n", encoding="utf-8"
    )
    folder.chmod(0o500)
    try:
        with pytest.raises(AppError, match=r"защищены от записи|нельзя записывать"):
            make_backup(demo, "manual")
    finally:
        folder.chmod(0o700)


def test_export_writes_a_verified_copy_and_never_replaces_a_file_unasked(
    demo: Database, tmp_path: Path
) -> None:
    target = tmp_path / "флешка" / "копия района"
    with pytest.raises(AppError, match="не существует"):
        export_backup(demo, target)
    target.parent.mkdir()
    written = export_backup(demo, target)
    assert written == target.with_name("копия района.sqlite") and verify_backup(written) is None
    stamp = written.read_bytes()
    rename_school(demo, 1, "После выгрузки")
    with pytest.raises(AppError, match="уже существует"):
        export_backup(demo, written)
    assert written.read_bytes() == stamp
    export_backup(demo, written, overwrite=True)
    assert school_name(written) == "После выгрузки"
    with pytest.raises(AppError, match="сам файл базы"):
        export_backup(demo, demo.path, overwrite=True)
    assert [p.name for p in target.parent.iterdir()] == ["копия района.sqlite"]  # no temporary file left


# --- restoring ----------------------------------------------------------------------------------------
def test_restoring_a_healthy_file_keeps_a_before_restore_copy_and_the_file_keeps_working(
    demo: Database,
) -> None:
    old = make_backup(demo, "manual").backup
    assert old is not None
    original = school_name(demo.path)
    rename_school(demo, 1, "Правка после копии")
    result = restore(demo.path, old.path)
    assert result.before_restore is not None and result.moved_aside == ()
    assert school_name(result.before_restore) == "Правка после копии"  # the edit can be brought back
    assert "перед восстановлением" in result.summary()
    # The Database that stayed open the whole time reads the restored data and can write again.
    assert demo.query("SELECT full_name FROM schools WHERE id = 1")[0][0] == original
    rename_school(demo, 2, "Правка после восстановления")
    assert demo.query("PRAGMA integrity_check")[0][0] == "ok"
    assert school_name(demo.path, 2) == "Правка после восстановления"
    assert sorted(b.kind for b in list_backups(demo.path)) == ["before-restore", "manual"]
    # The log came back with the copy; the restore itself is its newest line.
    newest = AuditService(demo).list(limit=1)[0]
    assert newest.action == f"Восстановление из резервной копии «{old.path.name}»"
    assert result.before_restore.name in newest.details


@pytest.mark.parametrize("damage", [damage_middle, truncate_half], ids=["zeros-in-the-middle", "truncated"])
def test_restoring_over_a_damaged_file_moves_it_aside_unchanged(demo: Database, damage: object) -> None:
    good = make_backup(demo, "close").backup
    assert good is not None
    demo.close()
    damage(demo.path)  # type: ignore[operator]
    damaged = demo.path.read_bytes()
    with pytest.raises((CorruptDatabaseError, NotADatabaseError)):
        open_database(demo.path)
    assert latest_good_backup(demo.path) is not None
    result = restore(demo.path, good.path, now=at(30))
    aside = result.moved_aside[0]
    assert aside.name == "Кировский район.повреждённая-2026-11-23_10-00-30.sqlite"
    assert aside.read_bytes() == damaged
    assert result.before_restore is None and str(aside) in result.summary()
    database = open_database(demo.path)
    try:
        assert SchoolService(database).count() == 9
        assert database.query("PRAGMA integrity_check")[0][0] == "ok"
        newest = AuditService(database).list(limit=1)[0]
        assert newest.action.startswith("Восстановление из резервной копии")
        assert aside.name in newest.details
    finally:
        database.close()
    leftovers = [p.name for p in demo.path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_restoring_a_missing_file_and_one_that_is_not_a_database(demo: Database) -> None:
    good = make_backup(demo, "close").backup
    assert good is not None
    demo.close()
    demo.path.unlink()
    result = restore(demo.path, good.path)
    assert result.moved_aside == () and school_name(demo.path) == school_name(good.path)
    demo.path.write_text("Это не база данных, а заметка.", encoding="utf-8")
    result = restore(demo.path, good.path)
    assert result.moved_aside[0].read_text(encoding="utf-8") == "Это не база данных, а заметка."


def test_a_corrupt_or_foreign_backup_is_refused_and_the_database_is_left_alone(
    demo: Database, tmp_path: Path
) -> None:
    good = make_backup(demo, "manual").backup
    assert good is not None
    broken = tmp_path / "испорченная копия.sqlite"
    broken.write_bytes(good.path.read_bytes())
    damage_middle(broken)
    reason = verify_backup(broken)
    assert reason is not None and "повреждён" in reason and "испорченная копия.sqlite" in reason
    foreign = tmp_path / "чужая.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert "не база данных «Опоры»" in (verify_backup(foreign) or "")
    assert "не найден" in (verify_backup(tmp_path / "нет такой.sqlite") or "")
    rename_school(demo, 1, "Текущее состояние")
    before = list_backups(demo.path)
    for bad in (broken, foreign):
        with pytest.raises(AppError, match=r"не восстановлена.*не изменена"):
            restore(demo.path, bad)
    assert school_name(demo.path) == "Текущее состояние"
    assert list_backups(demo.path) == before  # not even a before-restore copy was made


def test_a_copy_from_a_newer_version_is_refused(demo: Database, tmp_path: Path) -> None:
    old = make_backup(demo, "manual").backup
    assert old is not None
    newer = tmp_path / "новая версия.sqlite"
    newer.write_bytes(old.path.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    assert "более новой версией" in (verify_backup(newer) or "")
    with pytest.raises(AppError, match="более новой версией"):
        restore(demo.path, newer)


def test_restoring_a_copy_of_an_older_schema_brings_it_up_to_date(demo: Database, tmp_path: Path) -> None:
    from db.migrations import load_migrations

    older = tmp_path / "копия прошлой версии.sqlite"
    conn = sqlite3.connect(older)
    for migration in load_migrations()[:-1]:
        conn.executescript(
            f"BEGIN;{migration.sql};PRAGMA user_version = {migration.version};"
            f"PRAGMA application_id = {APPLICATION_ID};COMMIT;"
        )
    conn.close()
    assert verify_backup(older) is None
    restore(demo.path, older)
    assert demo.query("PRAGMA user_version")[0][0] == latest_version()
    assert SchoolService(demo).count() == 0  # the copy's content: an empty district


# --- check ----------------------------------------------------------------------------------------------
def test_check_reports_a_healthy_file_and_its_copies(demo: Database) -> None:
    make_backup(demo, "start")
    report = check_database(demo.path)
    assert report.healthy and report.problems == []
    text = report.text()
    for expected in ("Целостность:", "в порядке", "Внешние ключи:", "Версия схемы:", "Сетевая папка:", "нет"):
        assert expected in text
    assert "Резервных копий:" in text and "при запуске" in text and "исправна" in text
    # A local file is in WAL, also as seen by the read-only check once every connection is closed
    # (SQLite then reports "delete" for it when the -shm file is gone).
    demo.close()
    assert not Path(f"{demo.path}-shm").exists()
    assert "Журнал:                WAL" in check_database(demo.path).text()


@pytest.mark.parametrize("damage", [damage_middle, truncate_half], ids=["zeros-in-the-middle", "truncated"])
def test_check_reports_a_damaged_file_without_changing_it(demo: Database, damage: object) -> None:
    make_backup(demo, "close")
    demo.close()
    damage(demo.path)  # type: ignore[operator]
    before = demo.path.read_bytes()
    files_before = sorted(p.name for p in demo.path.parent.iterdir())
    report = check_database(demo.path)
    assert not report.healthy and report.problems
    assert "ПОВРЕЖДЕНА" in report.text() and "restore" in report.text()
    assert report.latest_good is not None
    assert demo.path.read_bytes() == before
    assert sorted(p.name for p in demo.path.parent.iterdir()) == files_before


def test_check_of_a_file_that_is_not_there(tmp_path: Path) -> None:
    report = check_database(tmp_path / "нет.sqlite")
    assert not report.healthy and "не найден" in report.text()


# --- the command line -------------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    """What a person types at a terminal."""

    def isatty(self) -> bool:
        return True


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    from main import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "район.sqlite"
    db = ("--db", path)
    assert run_cli(capsys, *db, "demo")[0] == 0
    code, out, _ = run_cli(capsys, "backup", *db)
    assert code == 0 and "Резервная копия создана и проверена" in out and str(backup_folder(path)) in out
    target = tmp_path / "копия.sqlite"
    assert run_cli(capsys, "backup", target, *db)[0] == 0 and verify_backup(target) is None
    code, _, err = run_cli(capsys, "backup", target, *db)
    assert code == 1 and "уже существует" in err
    assert run_cli(capsys, "backup", target, "--overwrite", *db)[0] == 0

    code, out, _ = run_cli(capsys, "backups", *db)
    assert code == 0 and "вручную" in out and "проверена" in out and "Всего: 1." in out
    code, out, _ = run_cli(capsys, "check", *db)
    assert code == 0 and "Итог: база данных исправна." in out

    # restore asks first: refused without a terminal, and a «нет» at the terminal changes nothing
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run_cli(capsys, "restore", target, *db)
    assert code == 1 and "--yes" in err
    monkeypatch.setattr("sys.stdin", _Terminal("н\n"))
    code, out, _ = run_cli(capsys, "restore", target, *db)
    assert code == 1 and "Восстановить? [д/Н]" in out and "отменено" in out

    damage_middle(path)
    damaged = path.read_bytes()
    code, out, _ = run_cli(capsys, "check", *db)
    assert code == 1 and "ПОВРЕЖДЕНА" in out and path.read_bytes() == damaged
    code, _, err = run_cli(capsys, "schools", "list", *db)
    assert code == 1 and "повреждена" in err and "restore" in err  # the way back is named

    name = list_backups(path)[0].path.name  # a copy's name from `backups` is enough
    monkeypatch.setattr("sys.stdin", _Terminal("д\n"))
    code, out, _ = run_cli(capsys, "restore", name, *db)
    assert code == 0 and "восстановлена" in out and "повреждённая" in out
    [aside] = tmp_path.glob("район.повреждённая-*.sqlite")
    assert aside.read_bytes() == damaged
    code, out, _ = run_cli(capsys, "schools", "list", *db)
    assert code == 0 and "Всего: 9." in out
    code, _, err = run_cli(capsys, "restore", tmp_path / "нет.sqlite", "--yes", *db)
    assert code == 1 and "не найден" in err


def test_restore_refuses_without_a_terminal_in_a_real_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.app.conftest import REPO_ROOT

    path = tmp_path / "база.sqlite"
    database = open_database(path)
    copy = make_backup(database, "manual").backup
    database.close()
    assert copy is not None
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), "--db", str(path), "restore", str(copy.path)],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=60,
    )
    assert result.returncode == 1 and "--yes" in result.stderr and "Traceback" not in result.stderr


def test_module_has_russian_labels_for_every_kind() -> None:
    assert set(backups.KIND_LABELS) == {"start", "close", "daily", "manual", "before-restore"}
    assert backups.format_size(1536) == "2 КБ" and backups.format_size(3 * 1024 * 1024 // 2) == "1,5 МБ"
