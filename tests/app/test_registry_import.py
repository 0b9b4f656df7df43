"""The registry importer with files built here the way offices really make them (and break them)."""

from __future__ import annotations

import gc
import random
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.errors import AppError, CancelledError, ConflictError
from app.history import redo, undo
from app.importing import registry_import
from app.importing import sheet as sheet_module
from app.importing.errors import ImportFileError
from app.importing.registry_import import RowAction, apply_registry_import, preview_registry_import
from app.jobs import Progress, run_job
from app.schools import SchoolService
from app.text import match_key, match_keys
from db import Database

HEADER = ["№ п/п", "Наименование ОО", "Тип ОО", "Городская/сельская", "Численность обучающихся", "ИНН"]
LESNAYA = "Муниципальное бюджетное общеобразовательное учреждение «Лесная средняя общеобразовательная школа»"


def make_xlsx(path: Path, rows: list[list[object]], title_rows: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Школы"
    for index in range(title_rows):
        sheet.append([f"Реестр школ, строка заголовка {index + 1}"] if index == 0 else [])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def preview(database: Database, path: Path, mapping: dict[int, str | None] | None = None):
    return run_job(preview_registry_import(database, path, mapping))


def test_header_found_below_title_rows_and_new_school_added(database: Database, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "реестр школ.xlsx",
        [HEADER, [1, LESNAYA, None, "городская", "1 200", "4706012345"]],
        title_rows=3,
    )
    result = preview(database, path)
    assert result.header_row == 4
    assert [c.field for c in result.columns[:6]] == [None, "full_name", "kind", "locality", "students", "inn"]
    (row,) = result.rows
    assert row.row_number == 5
    assert row.action is RowAction.NEW
    assert row.values["students"] == 1200  # «1 200» stored as text becomes a number
    assert row.values["short_name"] == "МБОУ «Лесная СОШ»"
    assert row.values["kind"] == "sosh"
    changeset = run_job(apply_registry_import(database, result))
    (school,) = SchoolService(database).list_schools()
    assert school.full_name == LESNAYA and school.students == 1200 and school.inn == "4706012345"
    undo(database, changeset)
    assert SchoolService(database).count() == 0
    redo(database, changeset)
    assert SchoolService(database).list_schools()[0].full_name == LESNAYA


def test_each_bad_cell_is_named_by_file_row_and_column(database: Database, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "bad.xlsx",
        [
            HEADER,
            [1, "", "СОШ", "сельская", 10, None],
            [2, "МКОУ «Речная СОШ»", "колледж", "на горе", "12а", "123"],
        ],
    )
    result = preview(database, path)
    texts = [issue.text() for issue in result.issues()]
    assert "Файл «bad.xlsx», строка 2, столбец B («Наименование ОО»): не указано наименование ОО" in texts
    row3 = [t for t in texts if "строка 3" in t]
    assert any("столбец C («Тип ОО»)" in t and "колледж" in t for t in row3)
    assert any("столбец D («Городская/сельская»)" in t and "на горе" in t for t in row3)
    assert any("столбец E («Численность обучающихся»)" in t and "12а" in t for t in row3)
    assert any("столбец F («ИНН»)" in t and "10" in t for t in row3)
    assert result.error_count() == 5
    assert all(r.action is RowAction.ERROR for r in result.rows)
    with pytest.raises(AppError, match="ничего не изменено"):
        run_job(apply_registry_import(database, result))
    assert SchoolService(database).count() == 0


def test_rows_match_existing_schools_ignoring_case_quotes_and_yo(
    demo_database: Database, tmp_path: Path
) -> None:
    path = make_xlsx(
        tmp_path / "update.xlsx",
        [
            ["Наименование ОО", "Директор", "Численность обучающихся"],
            ['мкоу "ШУМСКАЯ сош"', "Петрова Анна Андреевна", 300],
            ["МКОУ «Назиевская СОШ»", None, None],  # empty cells never erase stored values
            ["МБОУ «Кировская СОШ №2»", "", 1050],
        ],
    )
    result = preview(demo_database, path)
    actions = [r.action for r in result.rows]
    assert actions == [RowAction.UPDATE, RowAction.UNCHANGED, RowAction.UNCHANGED]
    assert result.rows[0].changes == {"director": ("", "Петрова Анна Андреевна"), "students": (312, 300)}
    run_job(apply_registry_import(demo_database, result))
    schools = {s.short_name: s for s in SchoolService(demo_database).list_schools()}
    shum = schools["МКОУ «Шумская СОШ»"]  # the stored spelling is kept, not the file's lower case
    assert shum.director == "Петрова Анна Андреевна" and shum.students == 300
    assert schools["МКОУ «Назиевская СОШ»"].students == 420


def test_duplicates_in_the_file_are_errors(database: Database, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "dups.xlsx",
        [["Наименование ОО"], ["МКОУ «Шумская СОШ»"], ["Мкоу «шумская сош»"]],
    )
    result = preview(database, path)
    assert result.rows[0].action is RowAction.NEW
    assert result.rows[1].action is RowAction.ERROR
    assert "уже есть в строке 2" in result.rows[1].issues[0].message


def test_branches_resolve_to_head_schools_in_the_same_file(database: Database, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "branches.xlsx",
        [
            ["Наименование ОО", "Головная организация"],
            ["Ручейская НОШ — филиал", "МБОУ «Лесная СОШ»"],
            [LESNAYA, None],
            ["Озёрная ООШ — филиал", "МБОУ «Нет такой СОШ»"],
        ],
    )
    result = preview(database, path)
    assert result.rows[2].action is RowAction.ERROR
    assert "не найдена" in result.rows[2].issues[0].message
    mapping = result.mapping()
    result = preview(database, path, mapping)
    rows_ok = [r for r in result.rows if r.action is not RowAction.ERROR]
    assert len(rows_ok) == 2
    # drop the bad row by building the file again without it
    path = make_xlsx(
        tmp_path / "branches2.xlsx",
        [
            ["Наименование ОО", "Головная организация"],
            ["Ручейская НОШ — филиал", "МБОУ «Лесная СОШ»"],
            [LESNAYA, None],
        ],
    )
    run_job(apply_registry_import(database, preview(database, path)))
    schools = {s.full_name: s for s in SchoolService(database).list_schools()}
    assert schools["Ручейская НОШ — филиал"].parent_id == schools[LESNAYA].id
    assert schools["Ручейская НОШ — филиал"].kind == "nosh"


def test_user_mapping_changes_the_preview(database: Database, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "map.xlsx", [["Наименование ОО", "Примечание"], ["МКОУ «Речная СОШ»", "Иванов И.И."]]
    )
    result = preview(database, path)
    assert [c.field for c in result.columns] == ["full_name", None]
    result = preview(database, path, {0: "full_name", 1: "director"})
    assert result.rows[0].values["director"] == "Иванов И.И."
    result = preview(database, path, {0: None, 1: "director"})
    assert result.error_count() == 1 and "полным наименованием" in result.issues()[0].message


def test_foreign_sheet_without_a_header_is_refused(database: Database, tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "бюджет.xlsx", [["Статья", "Сумма"], ["Канцтовары", 1000]])
    with pytest.raises(ImportFileError, match=r"«бюджет\.xlsx».*не найдена строка заголовков"):
        preview(database, path)


def test_text_file_named_xlsx_is_named_as_such(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "школы.xlsx"
    path.write_text("Наименование;Тип\nШумская СОШ;СОШ\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="текстовый файл"):
        preview(database, path)


def test_truncated_workbook_is_reported_as_damaged(database: Database, tmp_path: Path) -> None:
    good = make_xlsx(tmp_path / "good.xlsx", [["Наименование ОО"], ["МКОУ «Речная СОШ»"]])
    data = good.read_bytes()
    broken = tmp_path / "обрезан.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFileError, match=r"«обрезан\.xlsx».*поврежд"):
        preview(database, broken)


def test_zip_that_is_not_a_workbook_is_refused(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "архив.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "не книга")
    with pytest.raises(ImportFileError, match=r"«архив\.xlsx»"):
        preview(database, path)


def test_size_limits(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_xlsx(tmp_path / "big.xlsx", [["Наименование ОО"], *[[f"Школа № {i}"] for i in range(50)]])
    monkeypatch.setattr(sheet_module, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ImportFileError, match=r"«big\.xlsx» слишком большой"):
        preview(database, path)
    monkeypatch.setattr(sheet_module, "MAX_FILE_BYTES", 10**9)
    monkeypatch.setattr(sheet_module, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ImportFileError, match="в распакованном виде"):
        preview(database, path)
    monkeypatch.setattr(sheet_module, "MAX_UNPACKED_BYTES", 10**9)
    monkeypatch.setattr(sheet_module, "MAX_ROWS", 10)
    with pytest.raises(ImportFileError, match=r"строк — больше допустимого"):
        run_job(preview_registry_import(database, path))


def test_missing_file_and_wrong_extension(database: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="не найден"):
        preview(database, tmp_path / "нет.xlsx")
    other = tmp_path / "список.docx"
    other.write_bytes(b"PK\x03\x04")
    with pytest.raises(ImportFileError, match="не является книгой Excel"):
        preview(database, other)


def test_cancel_rolls_back_everything(database: Database, tmp_path: Path) -> None:
    rows = [["Наименование ОО"], *[[f"МКОУ «Школа № {i}»"] for i in range(2500)]]
    result = preview(database, make_xlsx(tmp_path / "many.xlsx", rows))
    calls = {"n": 0}

    def cancel_after_first_chunk() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(CancelledError):
        run_job(apply_registry_import(database, result), is_cancelled=cancel_after_first_chunk)
    assert SchoolService(database).count() == 0
    run_job(apply_registry_import(database, result))
    assert SchoolService(database).count() == 2500


def test_cancel_stops_the_preview_while_rows_are_checked(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress comes while the rows are checked, so Cancel stops a big file's check midway."""
    rows = [["Наименование ОО"], *[[f"МКОУ «Школа № {i}»"] for i in range(3500)]]
    path = make_xlsx(tmp_path / "big.xlsx", rows)
    keyed: list[str] = []  # every checked row's name is keyed once (for duplicates and matching)

    def counting_match_key(text: str) -> str:
        keyed.append(text)
        return match_key(text)

    def counting_match_keys(texts: list[str]) -> list[str]:
        keyed.extend(texts)
        return match_keys(texts)

    monkeypatch.setattr(registry_import, "match_key", counting_match_key)
    monkeypatch.setattr(registry_import, "match_keys", counting_match_keys)
    seen: list[Progress] = []

    def cancel_once_rows_are_being_checked() -> bool:
        return any(p.done > 0 for p in seen)

    with pytest.raises(CancelledError):
        run_job(preview_registry_import(database, path), seen.append, cancel_once_rows_are_being_checked)
    checking = [p for p in seen if p.message == "Проверка строк…"]
    assert [(p.done, p.total) for p in checking] == [(0, 3500), (1000, 3500)]
    assert 0 < len(keyed) < 3500  # stopped within the next block, not after every row
    # Without a cancel the same file is checked to the end.
    keyed.clear()
    result = run_job(preview_registry_import(database, path))
    assert len(result.rows) == 3500 and len(keyed) == 3500
    assert gc.isenabled()  # the collector paused during the check is back on, cancelled or not


def test_match_keys_gives_match_keys_results() -> None:
    """The bulk keying an import uses is `match_key` text by text, tricky characters included."""
    pool = [*"nN№ 0123456789ёЁеЕ_«»\"'.,-()–—/„“”:;!?@#*aбвГДİßΣσς\u00a0\t\n\x1c\u2003\u200b~\x00"]
    pool += ["СОШ", "школа", "n3", "N 12", "№ 5", "№\t 7", " n\u00a04"]
    generator = random.Random(2024)
    for _ in range(300):
        texts = [
            "".join(generator.choice(pool) for _ in range(generator.randint(0, 25)))
            for _ in range(generator.randint(0, 60))
        ]
        assert match_keys(texts) == [match_key(text) for text in texts], texts


def test_collector_is_back_on_after_a_failed_apply(demo_database: Database, tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "one.xlsx", [["Наименование ОО"], ["МКОУ «Новая школа»"]])
    result = preview(demo_database, path)
    result.rows[0].values["kind"] = "not a kind"  # the table's CHECK refuses it: the write fails
    count = SchoolService(demo_database).count()
    with pytest.raises(sqlite3.IntegrityError):
        run_job(apply_registry_import(demo_database, result))
    assert gc.isenabled()
    assert SchoolService(demo_database).count() == count


def test_change_after_preview_is_a_conflict(demo_database: Database, tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "late.xlsx", [["Наименование ОО", "Директор"], ["МКОУ «Шумская СОШ»", "Петрова А.А."]]
    )
    result = preview(demo_database, path)
    service = SchoolService(demo_database)
    shum = next(s for s in service.list_schools() if s.short_name == "МКОУ «Шумская СОШ»")
    service.update(shum.id, {"phone": "8 (81362) 2-22-22"})
    # updated_at has one-second resolution: make the stored stamp differ for certain
    with demo_database.atomic() as conn:
        conn.execute("UPDATE schools SET updated_at = '2000-01-01T00:00:00' WHERE id = ?", (shum.id,))
    with pytest.raises(ConflictError, match="Строка 2"):
        run_job(apply_registry_import(demo_database, result))
    assert service.get(shum.id).director == ""


def test_seed_000_visited_schools_are_recognised_in_the_demo(
    demo_database: Database, tmp_path: Path, seed_000: str
) -> None:
    """Item 9 of seed 000 names the schools visited; a list typed from it matches the demo registry."""
    item9 = seed_000[seed_000.index("Выезды в образовательные организации") :][:300]
    names = re.findall(r"(МКОУ «[^»]+»)", item9)
    assert len(names) == 3
    path = make_xlsx(tmp_path / "seed.xlsx", [["Образовательная организация"], *[[n] for n in names]])
    result = preview(demo_database, path)
    assert [r.action for r in result.rows] == [RowAction.UNCHANGED] * 3
    assert {r.school_id for r in result.rows} == {
        s.id for s in SchoolService(demo_database).list_schools() if s.short_name in names
    }


def test_an_issue_names_the_file_once() -> None:
    from app.importing.report import ImportIssue, Severity

    cell = ImportIssue("школы.xlsx", 5, "B", "Наименование ОО", "не указано наименование ОО")
    assert (
        cell.text()
        == "Файл «школы.xlsx», строка 5, столбец B («Наименование ОО»): не указано наименование ОО"
    )
    whole = ImportIssue("школы.xlsx", None, "", "", "Файл «школы.xlsx» повреждён (архив обрезан).")
    assert whole.text() == "Файл «школы.xlsx» повреждён (архив обрезан)."
    row = ImportIssue(
        "отчёт.xlsx", 7, "", "", "та же строка уже есть («отчёт.xlsx», строка 6)", Severity.WARNING
    )
    assert row.text() == "Файл «отчёт.xlsx», строка 7: та же строка уже есть («отчёт.xlsx», строка 6)"
