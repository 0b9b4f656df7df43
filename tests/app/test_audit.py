"""The audit log: one line per change in the change's own transaction, undo/redo lines, nothing for
a rollback, compact lines for big imports, Cyrillic search, the Excel export and the command line."""

from __future__ import annotations

import getpass
import json
import platform
import re
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from app.audit import TABLE_NAMES, AuditFilters, AuditService
from app.domain import Category, CategorySource
from app.history import redo, undo
from app.importing.registry_import import apply_registry_import, preview_registry_import
from app.jobs import Progress, run_job
from app.office import OfficeService
from app.orders.model import OrderKind
from app.orders.service import OrderService
from app.schools import SchoolService
from db import Database, open_database
from db.changes import AUDIT_ROW_LIMIT, ChangeRecorder, log_action
from tests.command_line import run_main as run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]
SHUM = "Муниципальное казённое общеобразовательное учреждение «Шумская средняя общеобразовательная школа»"
YOLKI = (
    "Муниципальное бюджетное общеобразовательное учреждение «Ёлкинская основная общеобразовательная школа»"
)


def lines(database: Database) -> list[sqlite3.Row]:
    """The stored lines, oldest first, as they are in the file."""
    return database.query("SELECT * FROM audit_log ORDER BY id")


def rows_of(line: sqlite3.Row) -> list[dict[str, object]]:
    return json.loads(line["details"])["rows"]


def now_seconds() -> datetime:
    return datetime.now().replace(microsecond=0)


# --- the table -------------------------------------------------------------------------------


def test_migration_adds_the_log_to_a_database_of_the_previous_version(tmp_path: Path) -> None:
    from db.connection import APPLICATION_ID
    from db.migrations import latest_version, load_migrations

    path = tmp_path / "v6.sqlite"
    conn = sqlite3.connect(path)
    previous = [m for m in load_migrations() if m.name < "0007"]
    for migration in previous:
        conn.executescript(migration.sql)
    conn.execute(f"PRAGMA user_version = {len(previous)}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("INSERT INTO people (full_name) VALUES ('Труфанова А.А.')")
    conn.commit()
    conn.close()

    database = open_database(path)
    try:
        assert database.query("PRAGMA user_version")[0][0] == latest_version() >= 7
        columns = [r["name"] for r in database.query("PRAGMA table_info(audit_log)")]
        assert columns == ["id", "at", "os_user", "computer", "action", "tables", "details"]
        indexes = {r["name"] for r in database.query("PRAGMA index_list(audit_log)")}
        assert "audit_log_at" in indexes
        assert database.query("SELECT full_name FROM people")[0][0] == "Труфанова А.А."
        assert lines(database) == []  # migrating is not a change anyone made
    finally:
        database.close()


def test_every_table_of_the_migrations_has_a_russian_name(database: Database) -> None:
    tables = {
        r[0]
        for r in database.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    assert tables - set(TABLE_NAMES) == set()
    assert all(re.search("[А-Яа-яЁё]", name) for name in TABLE_NAMES.values())


# --- each kind of change -------------------------------------------------------------------------


def test_create_update_delete_each_write_one_line_with_user_computer_time_and_fields(
    database: Database,
) -> None:
    schools = SchoolService(database)
    started = now_seconds()
    school_id, _ = schools.create({"full_name": SHUM, "students": "312"})
    schools.update(school_id, {"director": "Иванова Мария Петровна", "students": "315"})
    schools.set_category(school_id, 2020, Category.LOW_RESULTS, reason="ВПР ниже региона")
    (category,) = schools.categories(school_id)
    schools.remove_category(category.id)
    finished = now_seconds()

    created, updated, categorised, removed = lines(database)
    for line in (created, updated, categorised, removed):
        assert line["os_user"] == getpass.getuser()
        assert line["computer"] == platform.node()
        at = datetime.fromisoformat(line["at"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", line["at"])
        assert started <= at <= finished

    assert created["action"].startswith("Добавление школы")
    assert created["tables"] == "schools +1"
    (row,) = rows_of(created)
    assert row["t"] == "schools" and row["id"] == school_id and row["op"] == "+"
    assert row["f"]["full_name"] == [None, SHUM]
    assert row["f"]["students"] == [None, 312]
    assert "created_at" not in row["f"] and "updated_at" not in row["f"]

    assert updated["tables"] == "schools ~1"
    (row,) = rows_of(updated)
    # Only what changed, each as before → after; the time stamp column is not a field change.
    assert row["f"] == {"director": ["", "Иванова Мария Петровна"], "students": [312, 315]}

    assert categorised["action"] == "ШНРО 2020/2021: МКОУ «Шумская СОШ»"
    assert categorised["tables"] == "school_categories +1"
    assert removed["tables"] == "school_categories -1"
    (row,) = rows_of(removed)
    assert row["op"] == "-" and row["f"]["category"] == ["low_results", None]
    assert row["f"]["school_id"] == [school_id, None]

    # As a person reads it: Russian names of the tables and fields, the school named, codes as labels.
    newest_first = AuditService(database).list()
    assert [line.action for line in newest_first][::-1] == [
        created["action"],
        updated["action"],
        categorised["action"],
        removed["action"],
    ]
    shown_update = newest_first[2]
    assert shown_update.tables == "Школы: изменено 1"
    assert "Школы, запись 1 — МКОУ «Шумская СОШ», изменена" in shown_update.details
    assert "Руководитель: — → «Иванова Мария Петровна»" in shown_update.details
    assert "Численность обучающихся: 312 → 315" in shown_update.details
    shown_removal = newest_first[0]
    assert shown_removal.tables == "Категории школ: удалено 1"
    assert "Школа: МКОУ «Шумская СОШ» (№ 1)" in shown_removal.details
    assert "Категория: ШНРО" in shown_removal.details
    assert shown_removal.at is not None and shown_removal.at_text == f"{shown_removal.at:%d.%m.%Y %H:%M:%S}"


def test_who_changed_this_schools_category_and_when(database: Database) -> None:
    """The head's question: search by the school's name finds its category changes."""
    schools = SchoolService(database)
    shum, _ = schools.create({"full_name": SHUM})
    other, _ = schools.create({"full_name": YOLKI})
    schools.set_category(shum, 2020, Category.LOW_RESULTS)
    schools.set_category(other, 2020, Category.UNFAVOURABLE)
    schools.set_category(
        shum,
        2020,
        Category.LOW_RESULTS,
        source=CategorySource.ORDER,
        document_ref="приказ № 338-ОД от 08.05.2020",
    )
    found = AuditService(database).list(text="шумская сош")
    assert [line.action for line in found] == [
        "ШНРО 2020/2021: МКОУ «Шумская СОШ»",
        "ШНРО 2020/2021: МКОУ «Шумская СОШ»",
        "Добавление школы МКОУ «Шумская СОШ»",
    ]
    assert "Источник: Решение специалиста → Приказ (распоряжение)" in found[0].details
    assert "Документ: — → «приказ № 338-ОД от 08.05.2020»" in found[0].details
    assert found[0].os_user == getpass.getuser()


def test_long_texts_are_cut_and_blobs_recorded_as_their_size(database: Database) -> None:
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, "Проба: подписанная копия")
        recorder.insert(
            "orders", {"title": "О проведении ВПР", "pdf": bytes(123_456), "snapshot": "щ" * 5000}
        )
    (line,) = lines(database)
    assert len(line["details"]) < 600
    (row,) = rows_of(line)
    assert row["f"]["pdf"] == [None, {"bytes": 123_456}]
    snapshot = row["f"]["snapshot"][1]
    assert snapshot.startswith("щщщ") and snapshot.endswith("…") and len(snapshot) < 200
    (shown,) = AuditService(database).list()
    assert "Подписанная копия (PDF): файл, 123\u00a0456 байт" in shown.details


def test_a_change_that_records_nothing_writes_no_line(database: Database) -> None:
    schools = SchoolService(database)
    school_id, _ = schools.create({"full_name": SHUM, "students": "312"})
    schools.update(school_id, {"students": "312"})  # the same value: nothing changed
    with database.atomic() as conn:
        ChangeRecorder(conn, "Пустая правка")
    assert [line["action"] for line in lines(database)] == ["Добавление школы МКОУ «Шумская СОШ»"]


# --- undo and redo ---------------------------------------------------------------------------------


def test_undo_and_redo_write_their_own_lines(database: Database) -> None:
    schools = SchoolService(database)
    school_id, _ = schools.create({"full_name": SHUM, "director": "Петров П.П."})
    changeset = schools.update(school_id, {"director": "Сидорова А.В."})
    undo(database, changeset)
    redo(database, changeset)
    *_, changed, undone, redone = lines(database)
    assert undone["action"] == f"Отмена: {changeset.description}"
    assert redone["action"] == f"Повтор: {changeset.description}"
    assert rows_of(changed)[0]["f"]["director"] == ["Петров П.П.", "Сидорова А.В."]
    assert rows_of(undone)[0]["f"]["director"] == ["Сидорова А.В.", "Петров П.П."]
    assert rows_of(redone)[0]["f"]["director"] == ["Петров П.П.", "Сидорова А.В."]

    # Undoing a creation is a deletion in the log.
    _, created = schools.create({"full_name": YOLKI})
    undo(database, created)
    last = lines(database)[-1]
    assert last["action"].startswith("Отмена: Добавление школы") and last["tables"] == "schools -1"


def test_a_refused_undo_writes_nothing(database: Database) -> None:
    from app.errors import ConflictError

    schools = SchoolService(database)
    school_id, _ = schools.create({"full_name": SHUM})
    first = schools.update(school_id, {"director": "Петров П.П."})
    schools.update(school_id, {"director": "Сидорова А.В."})  # a colleague changed it since
    before = len(lines(database))
    with pytest.raises(ConflictError):
        undo(database, first)
    assert len(lines(database)) == before


# --- transactions ------------------------------------------------------------------------------------


def test_a_rolled_back_transaction_leaves_no_line(database: Database) -> None:
    with pytest.raises(RuntimeError), database.atomic() as conn:
        recorder = ChangeRecorder(conn, "Неудачная правка")
        recorder.insert("people", {"full_name": "Труфанова А.А."})
        raise RuntimeError("сбой посреди записи")
    assert lines(database) == []
    assert database.query("SELECT count(*) FROM people")[0][0] == 0
    # The next transaction does not pick up the failed one's recorder.
    with database.atomic() as conn:
        ChangeRecorder(conn, "Удачная правка").insert("people", {"full_name": "Смирнова О.В."})
    assert [line["action"] for line in lines(database)] == ["Удачная правка"]


def test_a_failing_commit_rolls_back_the_change_with_its_line(database: Database) -> None:
    """The line goes in the change's transaction: when the line cannot be written, neither is the change."""
    database.connection().execute(
        "CREATE TRIGGER no_log BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END"
    )
    with pytest.raises(Exception, match="Ошибка базы данных"):
        SchoolService(database).create({"full_name": SHUM})
    assert database.query("SELECT count(*) FROM schools")[0][0] == 0
    assert not database.connection().in_transaction
    database.connection().execute("DROP TRIGGER no_log")
    SchoolService(database).create({"full_name": SHUM})
    assert len(lines(database)) == 1


def test_a_rolled_back_savepoint_drops_its_recorders_and_what_older_ones_recorded_there(
    database: Database,
) -> None:
    with database.atomic() as conn:
        outer = ChangeRecorder(conn, "Внешняя правка")
        kept = outer.insert("people", {"full_name": "Труфанова А.А."})
        with pytest.raises(RuntimeError), database.atomic():
            outer.insert("people", {"full_name": "Откатится вместе с точкой сохранения"})
            inner = ChangeRecorder(conn, "Внутренняя правка")
            inner.insert("people", {"full_name": "Тоже откатится"})
            raise RuntimeError
        with database.atomic():  # a savepoint that succeeds keeps its own recorder
            ChangeRecorder(conn, "Вложенная удачная правка").insert("bodies", {"name": "ИМС"})
    stored = lines(database)
    assert [line["action"] for line in stored] == ["Внешняя правка", "Вложенная удачная правка"]
    assert [row["id"] for row in rows_of(stored[0])] == [kept]
    # The change set matches the data too, so undoing it does not trip over a row that never stayed.
    assert [c.row_id for c in outer.changeset.changes] == [kept]
    assert database.query("SELECT full_name FROM people")[0][0] == "Труфанова А.А."
    undo(database, outer.changeset)
    assert database.query("SELECT count(*) FROM people")[0][0] == 0


def test_several_change_sets_in_one_transaction_write_a_line_each(database: Database) -> None:
    schools = SchoolService(database)
    with database.atomic():
        shum, _ = schools.create({"full_name": SHUM})
        schools.set_category(shum, 2020, Category.LOW_RESULTS)
    assert [line["action"] for line in lines(database)] == [
        "Добавление школы МКОУ «Шумская СОШ»",
        "ШНРО 2020/2021: МКОУ «Шумская СОШ»",
    ]


def test_lines_of_one_transaction_keep_the_order_things_happened_in(database: Database) -> None:
    schools = SchoolService(database)
    with database.atomic():
        OfficeService(database).set_setting("map_basemap", "/карты/район.mbtiles")
        _, created = schools.create({"full_name": SHUM})
        OrderService(database).set_numbering_format(OrderKind.ORDER, "{n}-ОД")
        undo(database, created)
    assert [line["action"] for line in lines(database)] == [
        "Настройка: Подложка карты",
        "Добавление школы МКОУ «Шумская СОШ»",
        "Настройка: Формат номера приказа",
        "Отмена: Добавление школы МКОУ «Шумская СОШ»",
    ]


def test_two_databases_on_one_thread_keep_their_own_lines(database: Database, tmp_path: Path) -> None:
    other = open_database(tmp_path / "другая.sqlite")
    try:
        with database.atomic() as conn:
            recorder = ChangeRecorder(conn, "В первой базе")
            SchoolService(other).create({"full_name": YOLKI})  # commits in the other file meanwhile
            recorder.insert("people", {"full_name": "Труфанова А.А."})
        assert [line["action"] for line in lines(database)] == ["В первой базе"]
        assert [line["action"] for line in lines(other)] == ["Добавление школы МБОУ «Ёлкинская ООШ»"]
    finally:
        other.close()


def test_a_worker_thread_writes_its_own_lines(database: Database) -> None:
    def work() -> None:
        SchoolService(database).create({"full_name": SHUM})

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert [line["action"] for line in lines(database)] == ["Добавление школы МКОУ «Шумская СОШ»"]


# --- big changes -------------------------------------------------------------------------------------


def test_a_big_import_is_one_compact_line(database: Database, tmp_path: Path) -> None:
    count = 600
    path = tmp_path / "реестр.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["№ п/п", "Наименование ОО", "Численность обучающихся"])
    for n in range(1, count + 1):
        sheet.append([n, f"МБОУ «Школа № {n}» Кировского района", 100 + n])
    workbook.save(path)
    preview = run_job(preview_registry_import(database, path))
    assert preview.error_count() == 0
    changeset = run_job(apply_registry_import(database, preview))

    (line,) = lines(database)
    assert line["action"] == "Импорт реестра из «реестр.xlsx»"
    assert line["tables"] == f"schools +{count}"
    assert json.loads(line["details"]) == {"total": count, "counts": {"schools": {"+": count}}}
    (shown,) = AuditService(database).list()
    assert shown.tables == "Школы: добавлено 600"
    assert "Всего 600 изменений строк" in shown.details

    undo(database, changeset)
    undone = lines(database)[-1]
    assert undone["action"] == "Отмена: Импорт реестра из «реестр.xlsx»"
    assert undone["tables"] == f"schools -{count}" and len(undone["details"]) < 100


def test_up_to_the_limit_rows_are_listed_beyond_it_counted(database: Database) -> None:
    for size in (AUDIT_ROW_LIMIT, AUDIT_ROW_LIMIT + 1):
        with database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Пакет из {size}")
            recorder.insert_many("bodies", [{"name": f"Орган {size}-{n}"} for n in range(size)])
    small, big = lines(database)
    assert len(rows_of(small)) == AUDIT_ROW_LIMIT
    assert "rows" not in json.loads(big["details"])


# --- writes outside ChangeRecorder -------------------------------------------------------------------


def test_settings_people_see_are_logged_and_the_views_year_is_not(database: Database) -> None:
    office = OfficeService(database)
    office.set_setting("current_year", "2021")  # where the registry view stands: not a change of data
    office.set_setting("map_basemap", "/карты/район.mbtiles")
    office.set_setting("map_basemap", "/карты/район.mbtiles")  # unchanged: no second line
    OrderService(database).set_numbering_format(OrderKind.ORDER, "{n}-ОД")
    stored = lines(database)
    assert [line["action"] for line in stored] == [
        "Настройка: Подложка карты",
        "Настройка: Формат номера приказа",
    ]
    shown = AuditService(database).list()
    assert shown[0].details == "Формат номера приказа: — → «{n}-ОД»"
    assert shown[0].tables == "Настройки: изменено 1"


def test_log_action_goes_with_its_transaction(database: Database) -> None:
    with pytest.raises(RuntimeError), database.atomic() as conn:
        log_action(conn, "Проба", {"value": ["а", "б"]})
        raise RuntimeError
    assert lines(database) == []
    with database.atomic() as conn:
        log_action(conn, "Проба", {"value": ["а", "б"]})
    assert AuditService(database).list()[0].details == "Значение: «а» → «б»"


# --- reading: filters, search, users -----------------------------------------------------------------


def add_line(database: Database, at: str, user: str, action: str, details: dict[str, object]) -> None:
    with database.atomic() as conn:
        conn.execute(
            "INSERT INTO audit_log (at, os_user, computer, action, tables, details) VALUES (?, ?, ?, ?, ?, ?)",
            (at, user, "КАБИНЕТ-12", action, "schools ~1", json.dumps(details, ensure_ascii=False)),
        )


@pytest.fixture
def office_log(database: Database) -> Database:
    """Lines of three colleagues over three days (written as another computer would have)."""
    schools = SchoolService(database)
    shum, _ = schools.create({"full_name": SHUM})
    database.connection().execute("DELETE FROM audit_log")
    row = {"t": "schools", "id": shum, "op": "~"}
    add_line(
        database,
        "2024-03-01T09:15:00",
        "Иванова",
        "Изменение школы МКОУ «Шумская СОШ»",
        {"rows": [{**row, "f": {"director": ["", "ЁЛКИНА Анна"]}}]},
    )
    add_line(
        database,
        "2024-03-02T23:59:59",
        "petrov",
        "Изменение плана «Дорожная карта»",
        {"rows": [{"t": "plans", "id": 7, "op": "~", "f": {"title": ["Старый", "Дорожная карта"]}}]},
    )
    add_line(database, "2024-03-03T00:00:00", "Иванова", "Загрузка реестра", {"total": 900, "counts": {}})
    return database


def test_filters_by_period_and_user(office_log: Database) -> None:
    service = AuditService(office_log)
    assert [line.at_text for line in service.list()] == [
        "03.03.2024 00:00:00",
        "02.03.2024 23:59:59",
        "01.03.2024 09:15:00",
    ]
    # Both ends of the period are whole days.
    assert [line.os_user for line in service.list(since=date(2024, 3, 2), until=date(2024, 3, 2))] == [
        "petrov"
    ]
    assert len(service.list(since=date(2024, 3, 2))) == 2
    assert len(service.list(until=date(2024, 3, 1))) == 1
    assert [line.action for line in service.list(user="Иванова")] == [
        "Загрузка реестра",
        "Изменение школы МКОУ «Шумская СОШ»",
    ]
    assert service.users() == ["petrov", "Иванова"]
    assert service.count(AuditFilters(user="Иванова")) == 2
    # Paging.
    assert [line.id for line in service.list(limit=1, offset=1)] == [service.list()[1].id]


def test_search_ignores_cyrillic_case_and_yo(office_log: Database) -> None:
    service = AuditService(office_log)
    for needle in ("шумская", "ШУМСКАЯ", "елкина", "Ёлкина анна", "  шумская   сош "):
        assert [line.os_user for line in service.list(text=needle)] == ["Иванова"], needle
    # The words the line shows, not only what is stored: a field's label, a table's name.
    assert [line.os_user for line in service.list(text="руководитель")] == ["Иванова"]
    assert [line.os_user for line in service.list(text="ПЛАНЫ")] == ["petrov"]
    assert [line.action for line in service.list(text="ивановА")] == [
        "Загрузка реестра",
        "Изменение школы МКОУ «Шумская СОШ»",
    ]
    assert service.list(text="кабинет-12", user="petrov")[0].os_user == "petrov"
    assert service.list(text="нет такого") == []
    assert service.count(AuditFilters(text="дорожная")) == 1


def test_a_line_of_an_unknown_shape_is_shown_as_stored(database: Database) -> None:
    add_line(database, "2024-03-01T09:15:00", "Иванова", "Правка вручную", {"rows": [1, 2]})
    with database.atomic() as conn:
        conn.execute(
            "INSERT INTO audit_log (at, os_user, computer, action, tables, details) "
            "VALUES ('вчера', 'petrov', '', 'Старая запись', 'непонятно', 'не JSON')"
        )
    newest, oldest = AuditService(database).list(text="е")
    assert newest.at is None and newest.at_text == "вчера" and newest.details == "Как записано: «не JSON»"
    assert newest.tables == "непонятно"
    assert oldest.details == '{"rows": [1, 2]}'


# --- the Excel export ---------------------------------------------------------------------------------


def test_export_to_excel_is_formatted_and_complete(office_log: Database, tmp_path: Path) -> None:
    path = tmp_path / "журнал.xlsx"
    progress: list[Progress] = []
    count = run_job(AuditService(office_log).export_xlsx(path, AuditFilters(user="Иванова")), progress.append)
    assert count == 2
    assert progress[-1].message == "Сохранение файла…"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet.title == "Журнал изменений"
    assert "Журнал изменений" in sheet["A1"].value
    assert "пользователь Иванова" in sheet["A2"].value and "2 записи" in sheet["A2"].value
    header = [cell.value for cell in sheet[4]]
    assert header == ["Когда", "Пользователь", "Компьютер", "Действие", "Что изменено", "Подробности"]
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:F6"
    assert sheet.column_dimensions["F"].width >= 60
    first = [cell.value for cell in sheet[5]]
    assert first[0] == datetime(2024, 3, 3, 0, 0, 0)
    assert sheet["A5"].number_format == "DD.MM.YYYY HH:MM:SS"
    assert first[1:4] == ["Иванова", "КАБИНЕТ-12", "Загрузка реестра"]
    second = [cell.value for cell in sheet[6]]
    assert second[4] == "Школы: изменено 1"
    assert "Руководитель: — → «ЁЛКИНА Анна»" in second[5]
    assert sheet.max_row == 6
    assert not list(tmp_path.glob(".opora-*"))  # written through a temporary file, moved into place


def test_export_refuses_a_wrong_extension(office_log: Database, tmp_path: Path) -> None:
    from app.errors import AppError

    with pytest.raises(AppError, match=r"с расширением \.xlsx"):
        run_job(AuditService(office_log).export_xlsx(tmp_path / "журнал.csv"))


# --- the command line ---------------------------------------------------------------------------------


def test_command_line_lists_finds_and_exports(office_log: Database, tmp_path: Path) -> None:
    path = office_log.path
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    office_log.close()

    listed = run_cli("audit", "--db", path, "--find", "ШУМСКАЯ", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    assert "01.03.2024 09:15:00  Иванова (КАБИНЕТ-12)  Изменение школы МКОУ «Шумская СОШ»" in listed.stdout
    assert "Школы: изменено 1" in listed.stdout
    assert "Руководитель: — → «ЁЛКИНА Анна»" in listed.stdout
    assert "Дорожная карта" not in listed.stdout
    assert "Всего: 1 запись." in listed.stdout

    as_json = run_cli(
        "audit", "--db", path, "--since", "02.03.2024", "--until", "2024-03-02", "--json", data_dir=data_dir
    )
    assert as_json.returncode == 0, as_json.stderr
    (line,) = json.loads(as_json.stdout)
    assert line["user"] == "petrov" and line["at"] == "2024-03-02T23:59:59"
    assert line["data"]["rows"][0]["f"]["title"] == ["Старый", "Дорожная карта"]

    by_user = run_cli("audit", "--db", path, "--user", "Иванова", "--json", data_dir=data_dir)
    assert [entry["action"] for entry in json.loads(by_user.stdout)] == [
        "Загрузка реестра",
        "Изменение школы МКОУ «Шумская СОШ»",
    ]

    target = tmp_path / "журнал.xlsx"
    exported = run_cli("audit", "--db", path, "--xlsx", target, data_dir=data_dir)
    assert exported.returncode == 0, exported.stderr
    assert "Журнал изменений выгружен: 3 записи" in exported.stdout
    assert openpyxl.load_workbook(target).active.max_row == 7

    wrong = run_cli("audit", "--db", path, "--since", "31.02.2024", data_dir=data_dir)
    assert wrong.returncode == 1
    assert "Неверная дата «31.02.2024» в --since" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    backwards = run_cli(
        "audit", "--db", path, "--since", "03.03.2024", "--until", "01.03.2024", data_dir=data_dir
    )
    assert backwards.returncode == 1 and "позже его конца" in backwards.stderr
