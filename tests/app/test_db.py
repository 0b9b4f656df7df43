"""The database file: creation, refusal of files that are not ours, migrations with backups, transactions."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from pathlib import Path

import pytest

import db.migrations
from db import Database, DatabaseError, open_database
from db.connection import APPLICATION_ID, is_network_path
from db.errors import (
    CorruptDatabaseError,
    ForeignDatabaseError,
    NewerVersionError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
)
from db.migrations import Migration

CYRILLIC = re.compile(r"[А-Яа-яЁё]{4,}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def make_database(path: Path, people: int = 0) -> Path:
    """A real file of ours, closed; `people` rows make it span many pages."""
    database = open_database(path)
    if people:
        with database.atomic() as conn:
            conn.executemany(
                "INSERT INTO people (full_name, position) VALUES (?, ?)",
                [(f"Сотрудник {i}", "методист " * 8) for i in range(people)],
            )
    database.close()
    return path


# --- a new file ----------------------------------------------------------------------------


def test_new_file_gets_schema_version_and_application_id(db_path: Path) -> None:
    make_database(db_path)
    assert pragma(db_path, "user_version") == len(db.migrations.load_migrations()) >= 1
    assert pragma(db_path, "application_id") == APPLICATION_ID == 0x4F504F52
    assert {"office", "schools", "school_categories", "academic_years", "people"} <= tables(db_path)


def test_connection_settings(database: Database) -> None:
    conn = database.connection()
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    # Foreign keys are really enforced: a category for a school that does not exist is refused.
    with pytest.raises(sqlite3.IntegrityError), database.atomic() as c:
        c.execute("INSERT INTO academic_years (start_year) VALUES (2020)")
        c.execute(
            "INSERT INTO school_categories (school_id, academic_year, category) VALUES (999, 2020, 'low_results')"
        )


def test_tmp_path_is_not_a_network_path(tmp_path: Path) -> None:
    assert is_network_path(tmp_path) is False
    assert is_network_path(tmp_path / "not-yet-created.sqlite") is False


def test_reopening_is_a_no_op(db_path: Path) -> None:
    make_database(db_path, people=50)
    before = sha256(db_path)
    files_before = sorted(p.name for p in db_path.parent.iterdir())
    reopened = open_database(db_path)
    assert reopened.query("SELECT count(*) FROM people")[0][0] == 50
    reopened.close()
    assert sha256(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == files_before  # no backup made
    assert pragma(db_path, "user_version") == len(db.migrations.load_migrations())


def test_data_survives_close_and_reopen(db_path: Path) -> None:
    database = open_database(db_path)
    with database.atomic() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('current_year', '2020')")
    database.close()
    reopened = open_database(db_path)
    assert reopened.query("SELECT value FROM settings WHERE key = 'current_year'")[0][0] == "2020"
    reopened.close()


# --- files that are refused and never touched ----------------------------------------------


def test_newer_version_is_refused_and_unchanged(db_path: Path) -> None:
    make_database(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = sha256(db_path)
    with pytest.raises(NewerVersionError) as caught:
        open_database(db_path)
    assert "более новой версией" in caught.value.message
    assert str(db_path) in caught.value.message
    assert sha256(db_path) == before
    assert pragma(db_path, "user_version") == 99


def test_text_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "школы.sqlite"
    path.write_text("Наименование ОО;Адрес\nМКОУ «Шумская СОШ»;с. Шум\n", encoding="utf-8")
    before = sha256(path)
    with pytest.raises(NotADatabaseError) as caught:
        open_database(path)
    assert "не является базой данных" in caught.value.message
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["школы.sqlite"]


def test_short_garbage_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(NotADatabaseError):
        open_database(path)
    assert path.read_bytes() == b"PK\x03\x04"


@pytest.mark.parametrize("application_id", [0, 0x12345678])
def test_foreign_sqlite_file_is_refused_and_unchanged(tmp_path: Path, application_id: int) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()
    before = sha256(path)
    with pytest.raises(ForeignDatabaseError) as caught:
        open_database(path)
    assert "другой программы" in caught.value.message
    assert sha256(path) == before
    assert tables(path) == {"invoices"}


def test_empty_foreign_sqlite_without_tables_is_adopted(tmp_path: Path) -> None:
    """An SQLite file with no tables and no application id holds nothing to lose: it is initialised."""
    path = tmp_path / "empty.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("CREATE TABLE tmp (x)")
    conn.execute("DROP TABLE tmp")
    conn.commit()
    conn.close()
    open_database(path).close()
    assert pragma(path, "application_id") == APPLICATION_ID


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_database_is_refused_and_unchanged(tmp_path: Path, damage: str) -> None:
    path = make_database(tmp_path / "damaged.sqlite", people=3000)
    data = bytearray(path.read_bytes())
    page = pragma(path, "page_size")
    assert isinstance(page, int)
    pages = len(data) // page
    assert pages > 20, "the test needs a multi-page database"
    if damage == "garbage":
        for number in range(pages // 3, 2 * pages // 3):
            data[number * page : (number + 1) * page] = b"\xde\xad\xbe\xef" * (page // 4)
    else:
        del data[len(data) // 2 :]
    path.write_bytes(bytes(data))
    before = sha256(path)
    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    assert isinstance(caught.value, CorruptDatabaseError | NotADatabaseError)
    assert CYRILLIC.search(caught.value.message), caught.value.message
    assert "повреждена" in caught.value.message or "повреждён" in caught.value.message
    assert sha256(path) == before
    assert not list(tmp_path.glob("*до-обновления*"))


def test_read_only_file_is_refused(db_path: Path) -> None:
    make_database(db_path)
    db_path.chmod(0o444)
    try:
        if os.access(db_path, os.W_OK):
            pytest.skip("running as root: a 0o444 file is still writable, so read-only cannot be simulated")
        before = sha256(db_path)
        with pytest.raises(ReadOnlyDatabaseError) as caught:
            open_database(db_path)
        assert "только для чтения" in caught.value.message
        assert sha256(db_path) == before
    finally:
        db_path.chmod(0o644)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as caught:
        open_database(tmp_path)
    assert "папка" in caught.value.message


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as caught:
        open_database(tmp_path / "нет такой папки" / "opora.sqlite")
    assert "не существует" in caught.value.message
    assert not (tmp_path / "нет такой папки").exists()


# --- migrations ---------------------------------------------------------------------------


def _with_extra_migration(monkeypatch: pytest.MonkeyPatch, sql: str) -> int:
    real = db.migrations.load_migrations()
    extra = Migration(len(real) + 1, f"{len(real) + 1:04d}_test.sql", sql)
    monkeypatch.setattr(db.migrations, "load_migrations", lambda: [*real, extra])
    return extra.version


def test_migration_makes_a_backup_of_the_old_version(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_database(db_path, people=10)
    old_version = pragma(db_path, "user_version")
    new_version = _with_extra_migration(monkeypatch, "CREATE TABLE t (x);")

    database = open_database(db_path)
    database.close()

    assert pragma(db_path, "user_version") == new_version
    assert "t" in tables(db_path)
    backups = list(db_path.parent.glob(f"{db_path.stem}.до-обновления-v{old_version}-*{db_path.suffix}"))
    assert len(backups) == 1, sorted(p.name for p in db_path.parent.iterdir())
    backup = backups[0]
    assert pragma(backup, "user_version") == old_version
    assert "t" not in tables(backup)
    # The backup is itself a usable database of the old version.
    conn = sqlite3.connect(backup)
    assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 10
    conn.close()


def test_new_file_is_not_backed_up(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_extra_migration(monkeypatch, "CREATE TABLE t (x);")
    open_database(db_path).close()
    assert sorted(p.name for p in db_path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        db_path.name
    ]


def test_failing_migration_leaves_the_old_version(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_database(db_path, people=5)
    old_version = pragma(db_path, "user_version")
    _with_extra_migration(monkeypatch, "CREATE TABLE t (x);\nINSERT INTO no_such_table VALUES (1);")

    with pytest.raises(DatabaseError) as caught:
        open_database(db_path)
    assert "прежней версии" in caught.value.message
    assert f"{old_version + 1:04d}_test.sql" in caught.value.message

    assert pragma(db_path, "user_version") == old_version
    assert "t" not in tables(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 5
    conn.close()
    # Without the broken migration the file opens as before.
    monkeypatch.undo()
    open_database(db_path).close()


def test_open_without_migrate_leaves_a_new_file_empty(db_path: Path) -> None:
    database = open_database(db_path, migrate=False)
    database.close()
    assert not db_path.exists() or pragma(db_path, "user_version") == 0


# --- transactions -------------------------------------------------------------------------


def _keys(database: Database) -> list[str]:
    return [r[0] for r in database.query("SELECT key FROM settings ORDER BY key")]


def test_inner_failure_rolls_back_only_the_inner_block(database: Database) -> None:
    with database.atomic() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        with pytest.raises(ValueError), database.atomic() as inner:
            inner.execute("INSERT INTO settings (key, value) VALUES ('b', '2')")
            raise ValueError("inner step failed")
        conn.execute("INSERT INTO settings (key, value) VALUES ('c', '3')")
    assert _keys(database) == ["a", "c"]


def test_nested_success_commits_everything(database: Database) -> None:
    with database.atomic() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        with database.atomic() as inner:
            inner.execute("INSERT INTO settings (key, value) VALUES ('b', '2')")
            with database.atomic() as innermost:
                innermost.execute("INSERT INTO settings (key, value) VALUES ('c', '3')")
    assert _keys(database) == ["a", "b", "c"]


def test_outer_failure_rolls_back_everything(database: Database) -> None:
    with pytest.raises(RuntimeError), database.atomic() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        with database.atomic() as inner:
            inner.execute("INSERT INTO settings (key, value) VALUES ('b', '2')")
        raise RuntimeError("outer step failed")
    assert _keys(database) == []
    # The transaction depth was reset: the next transaction commits normally.
    with database.atomic() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('d', '4')")
    assert _keys(database) == ["d"]


def test_committed_transaction_is_visible_to_another_connection(database: Database, db_path: Path) -> None:
    with database.atomic() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
    other = Database(db_path)
    assert [r[0] for r in other.query("SELECT key FROM settings")] == ["a"]
    other.close()
