"""Excel import and export from the window: preview, mapping, errors, one undo step, the result."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from ui_helpers import visible_windows

from app.schools import SchoolService
from ui.importing.flow import RegistryExportFlow, RegistryImportFlow
from ui.importing.preview_dialog import ImportPreviewDialog
from ui.importing.preview_model import PreviewTableModel, RowFilter
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.registry.model import Column

MGA = "Муниципальное бюджетное общеобразовательное учреждение «Мгинская средняя общеобразовательная школа»"


def write_book(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Список ОО"
    sheet.append(["Список общеобразовательных организаций на 01.09.2021"])
    sheet.append([])
    sheet.append(["№", "Наименование ОО", "Населенный пункт", "ФИО директора", "Кол-во обучающихся", "ИНН"])
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    book.save(path)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "Список ОО.xlsx",
        [
            ["МКОУ «Шумская СОШ»", "с. Шум", "Петрова Анна Сергеевна", 312, ""],
            ["МКОУ «Путиловская ООШ»", "с. Путилово", "", 118, ""],
            [MGA, "пгт Мга", "Соколов Игорь Викторович", "1 112", "4706023456"],
            ["МБОУ «Суховская ООШ»", "д. Сухое", "", "около 90", ""],
        ],
    )


def shown_names(window: MainWindow) -> list[str]:
    model = window.registry_view.model
    return [model.data(model.index(row, Column.NAME)) for row in range(model.rowCount())]


def open_preview(qtbot: QtBot, window: MainWindow, path: Path) -> RegistryImportFlow:
    flow = RegistryImportFlow(window.database, window.history, window.jobs, window)
    flow.start(path)
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=10_000)
    return flow


def actions(model: PreviewTableModel) -> list[str]:
    return [model.data(model.index(row, PreviewTableModel.ACTION_COLUMN)) for row in range(model.rowCount())]


def test_preview_then_mapping_then_load_then_undo(main_window: MainWindow, qtbot: QtBot, book: Path) -> None:
    flow = open_preview(qtbot, main_window, book)
    dialog = flow.dialog
    assert dialog is not None
    model = dialog.model
    assert actions(model) == ["Обновление", "Без изменений", "Новая", "Ошибка"]
    assert "заголовок в строке 3" in dialog.summary_label.text()
    assert "1 ошибка" in dialog.summary_label.text()
    assert not dialog.apply_button.isEnabled()
    assert dialog.blocked_label.text().startswith("Загрузка невозможна: 1 ошибка.")
    # The bad cell is red and says what is wrong, with the file, row and column.
    students = model.column_of("students")
    assert students is not None
    bad = model.index(3, students)
    assert model.data(bad, Qt.ItemDataRole.BackgroundRole) is not None
    tooltip = model.data(bad, Qt.ItemDataRole.ToolTipRole)
    assert "строка 7" in tooltip and "столбец E" in tooltip and "около 90" in tooltip
    assert "E: " in model.data(model.index(3, PreviewTableModel.ISSUES_COLUMN))
    # The update shows what changes and what it was.
    director = model.column_of("director")
    assert director is not None
    assert model.data(model.index(0, director)) == "Петрова Анна Сергеевна"
    assert model.data(model.index(0, director), Qt.ItemDataRole.ToolTipRole) == "Было: пусто"
    # Only the problem rows, on request.
    dialog.filter_combo.setCurrentIndex(dialog.filter_combo.findData(RowFilter.ERRORS))
    assert actions(model) == ["Ошибка"]
    assert dialog.shown_label.text() == "показано 1 из 4 строк"
    dialog.filter_combo.setCurrentIndex(0)

    # Not loading the students column removes the error; the preview is checked again.
    assert dialog.mapping.combos[4].currentText() == "Численность обучающихся"
    old_preview = dialog.preview
    dialog.mapping.choose(4, None)
    qtbot.waitUntil(lambda: dialog.preview is not old_preview, timeout=10_000)
    assert dialog.preview.error_count() == 0
    assert model.column_of("students") is None
    assert dialog.apply_button.isEnabled() and dialog.blocked_label.text() == ""
    assert actions(model) == ["Обновление", "Без изменений", "Новая", "Новая"]

    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not visible_windows(ImportPreviewDialog), timeout=10_000)
    names = shown_names(main_window)
    assert "МБОУ «Мгинская СОШ»" in names and "МБОУ «Суховская ООШ»" in names
    assert main_window.counts_label.text() == "Показано 11 из 11 школ"
    assert (
        main_window.statusBar().currentMessage().startswith("Импорт завершён: 2 новые школы, 1 обновление.")
    )
    service = SchoolService(main_window.database)
    shum = next(s for s in service.list_schools() if "Шумская" in s.full_name)
    assert shum.director == "Петрова Анна Сергеевна"

    # The whole import is one step of the undo stack.
    assert main_window.history.stack.count() == 1
    main_window.undo()
    qtbot.waitUntil(lambda: service.count() == 9, timeout=5000)
    assert "МБОУ «Мгинская СОШ»" not in shown_names(main_window)
    assert next(s for s in service.list_schools() if "Шумская" in s.full_name).director == ""


def test_cancel_in_the_preview_writes_nothing(main_window: MainWindow, qtbot: QtBot, book: Path) -> None:
    flow = open_preview(qtbot, main_window, book)
    dialog = flow.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not visible_windows(ImportPreviewDialog)
    assert SchoolService(main_window.database).count() == 9
    assert main_window.history.stack.count() == 0


def test_unchanged_file_has_nothing_to_load(main_window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    path = write_book(tmp_path / "same.xlsx", [["МКОУ «Путиловская ООШ»", "с. Путилово", "", 118, ""]])
    flow = open_preview(qtbot, main_window, path)
    assert flow.dialog is not None
    assert not flow.dialog.apply_button.isEnabled()
    assert flow.dialog.blocked_label.text() == "Загружать нечего: новых школ и изменений нет."
    flow.dialog.reject()


def test_a_text_file_named_xlsx_is_refused_with_a_russian_message(
    main_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    fake = tmp_path / "реестр.xlsx"
    fake.write_text("Наименование;ИНН\nШкола;123\n", encoding="utf-8")
    flow = RegistryImportFlow(main_window.database, main_window.history, main_window.jobs, main_window)
    flow.start(fake)
    qtbot.waitUntil(lambda: bool(visible_message_boxes()), timeout=10_000)
    box = visible_message_boxes()[0]
    assert "«реестр.xlsx» не является книгой Excel" in box.text()
    assert box.windowTitle() == "Файл не загружен"
    box.close()
    assert SchoolService(main_window.database).count() == 9


def test_export_reports_the_count_and_opens_the_folder(
    main_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    target = tmp_path / "Реестр.xlsx"
    RegistryExportFlow(main_window.database, main_window.jobs, main_window, year=2020).start(target)
    qtbot.waitUntil(lambda: bool(visible_message_boxes()), timeout=10_000)
    box = visible_message_boxes()[0]
    assert box.text().startswith("Реестр выгружен: 9 школ.")
    assert target.exists() and target.stat().st_size > 0
    button = next(b for b in box.findChildren(QPushButton) if b.text() == "Открыть папку")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened and Path(opened[0].toLocalFile()) == tmp_path
    for other in visible_message_boxes():
        other.close()


def test_export_to_a_missing_folder_says_so(main_window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    RegistryExportFlow(main_window.database, main_window.jobs, main_window, year=2020).start(
        tmp_path / "нет такой папки" / "Реестр.xlsx"
    )
    qtbot.waitUntil(lambda: bool(visible_message_boxes()), timeout=10_000)
    box = visible_message_boxes()[0]
    assert isinstance(box, QMessageBox) and "не существует" in box.text()
    box.close()
