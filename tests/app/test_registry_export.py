"""The registry export: a real .xlsx read back with openpyxl, formatted and safe from formulas."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.errors import AppError, CancelledError
from app.exporting.registry_export import export_registry
from app.importing.registry_import import RowAction, preview_registry_import
from app.jobs import run_job
from app.schools import SchoolService
from db import Database


def test_export_is_formatted_for_screen_and_print(demo_database: Database, tmp_path: Path) -> None:
    target = tmp_path / "Реестр ОО.xlsx"
    count = run_job(export_registry(demo_database, target, year=2020))
    assert count == 9
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "Реестр ОО"
    assert "Кировский муниципальный район" in sheet["A1"].value
    header = [cell.value for cell in sheet[4]]
    assert header[:3] == ["№ п/п", "Полное наименование", "Краткое наименование"]
    assert "Категории 2020/2021" in header
    assert all(sheet.cell(4, i).font.b for i in range(1, len(header) + 1))
    assert sheet.freeze_panes == "C5"
    assert sheet.auto_filter.ref.startswith("A4:")
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"
    assert sheet.column_dimensions["B"].width >= 40
    assert sheet.cell(5, 2).alignment.wrap_text
    rows = {sheet.cell(r, 3).value: r for r in range(5, 14)}
    shum = rows["МКОУ «Шумская СОШ»"]
    categories_col = header.index("Категории 2020/2021") + 1
    assert sheet.cell(shum, categories_col).value == "ШНРО; Признаки необъективности"
    assert "№ 149" in sheet.cell(shum, categories_col + 1).value


def test_formula_like_text_is_never_a_formula(database: Database, tmp_path: Path) -> None:
    service = SchoolService(database)
    service.create(
        {"full_name": '=HYPERLINK("http://x","школа")', "director": "+7 (999) 000", "address": "@home"}
    )
    service.create({"full_name": "-школа", "settlement": "=1+1"})
    target = tmp_path / "formulas.xlsx"
    run_job(export_registry(database, target, year=2020))
    sheet = openpyxl.load_workbook(target).active
    cells = [sheet.cell(r, c) for r in range(5, 7) for c in range(1, 20)]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert len(risky) == 7  # short names copy the full names
    for cell in risky:
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix, cell.coordinate
    # and the raw XML holds no <f> (formula) element at all
    import zipfile

    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml


def test_exported_file_imports_back_unchanged(demo_database: Database, tmp_path: Path) -> None:
    target = tmp_path / "roundtrip.xlsx"
    run_job(export_registry(demo_database, target, year=2020))
    preview = run_job(preview_registry_import(demo_database, target))
    assert preview.header_row == 4
    assert len(preview.rows) == 9
    assert all(row.action is RowAction.UNCHANGED for row in preview.rows), preview.summary()


def test_archived_schools_only_on_request(demo_database: Database, tmp_path: Path) -> None:
    service = SchoolService(demo_database)
    school = service.list_schools()[0]
    service.archive(school.id, "реорганизация в форме присоединения")
    assert run_job(export_registry(demo_database, tmp_path / "a.xlsx", year=2020)) == 8
    assert run_job(export_registry(demo_database, tmp_path / "b.xlsx", year=2020, include_archived=True)) == 9
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx").active
    archived = [sheet.cell(r, 19).value for r in range(5, 14) if sheet.cell(r, 19).value]
    assert len(archived) == 1 and "реорганизация" in archived[0]


def test_bad_targets_and_cancel_leave_no_file(demo_database: Database, tmp_path: Path) -> None:
    with pytest.raises(AppError, match=r"\.xlsx"):
        run_job(export_registry(demo_database, tmp_path / "r.csv", year=2020))
    with pytest.raises(AppError, match="не существует"):
        run_job(export_registry(demo_database, tmp_path / "нет" / "r.xlsx", year=2020))
    target = tmp_path / "cancelled.xlsx"
    with pytest.raises(CancelledError):
        run_job(export_registry(demo_database, target, year=2020), is_cancelled=lambda: True)
    assert not target.exists()
    assert list(tmp_path.glob(".opora-*")) == []
