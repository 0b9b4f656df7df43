"""Forms of a monitoring from the «Мониторинг» page over the demo district: written for the schools,
filled the way a school fills them, read back through the preview dialog, loaded as one undo step;
the matrix exported to Excel.

The flows delete themselves when done, and the preview dialog and the message boxes delete
themselves when closed: the tests keep no reference to them past that (this PySide frees such
objects twice when the last Python reference goes).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import the_window, visible_windows

from app.exporting.monitoring_xlsx import MATRIX_SHEET
from app.monitoring.forms import FORM_SHEET, form_file_name
from app.monitoring.service import MonitoringService
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.monitoring.forms_dialog import ACCEPTED, REFUSED, FormsImportDialog, FormsModel
from ui.monitoring.matrix_model import MatrixModel
from ui.monitoring.page import MonitoringPage, report_exporter

CTRL = Qt.KeyboardModifier.ControlModifier
CAMPAIGN = "Итоговый мониторинг ШНРО 2020/2021"
PUTILOVO = "МКОУ «Путиловская ООШ»"  # answered 1, 6.1 and 7.4 (31) in the demo


@pytest.fixture
def page(main_window: MainWindow) -> MonitoringPage:
    titles = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    main_window.nav.setCurrentRow(titles.index("Мониторинг"))
    page = main_window.monitoring_page
    campaign = next(
        c for c in MonitoringService(main_window.database).list_campaigns() if c.title == CAMPAIGN
    )
    page.select_campaign(campaign.id)
    assert page.current_campaign() is not None and page.current_campaign().title == CAMPAIGN
    return page


def take_message(qtbot: QtBot) -> str:
    """Wait for the one message box, press «Закрыть» and return its text (keeping no reference
    to the box, which deletes itself)."""
    qtbot.waitUntil(lambda: len(visible_message_boxes()) == 1, timeout=20_000)
    text = visible_message_boxes()[0].text()
    click_box_button("Закрыть")
    qtbot.waitUntil(lambda: not visible_message_boxes(), timeout=10_000)
    return text


def click_box_button(text: str) -> None:
    (box,) = visible_message_boxes()
    next(b for b in box.buttons() if b.text() == text).click()


def rows_by_number(sheet: object) -> dict[str, int]:
    return {
        str(sheet[f"A{r}"].value): r  # type: ignore[index]
        for r in range(5, sheet.max_row + 1)  # type: ignore[attr-defined]
        if sheet[f"A{r}"].value  # type: ignore[index]
    }


def fill(path: Path, values: dict[str, object]) -> None:
    """What a school does: open the form, type into the unlocked value cells, save."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[FORM_SHEET]
    rows = rows_by_number(sheet)
    for number, value in values.items():
        cell = sheet[f"D{rows[number]}"]
        assert cell.protection.locked is False
        cell.value = value
    workbook.save(path)


def completeness(page: MonitoringPage, school: str) -> str:
    model = page.model
    row = next(r for r in range(model.rowCount()) if model.school_at(r)[1] == school)  # type: ignore[index]
    return str(model.index(row, MatrixModel.COMPLETE).data())


def dialog_rows(dialog: FormsImportDialog) -> list[tuple[object, ...]]:
    model = dialog.model
    return [
        tuple(model.index(row, column).data() for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def test_the_toolbar_offers_the_file_actions(page: MonitoringPage) -> None:
    texts = [action.text() for action in page.toolbar.actions()]
    assert texts[:3] == ["Формы для школ…", "Загрузить формы…", "Сводная в Excel…"]
    assert ("Справка в PDF…" in texts) == (report_exporter() is not None)
    assert page.export_report_action.isVisible() == (report_exporter() is not None)
    assert all(action.isEnabled() for action in page.toolbar.actions())


def test_forms_written_filled_read_back_loaded_and_undone(
    qtbot: QtBot, main_window: MainWindow, page: MonitoringPage, tmp_path: Path
) -> None:
    database = main_window.database
    service = MonitoringService(database)
    campaign = page.current_campaign()
    assert campaign is not None
    schools = dict(page.model.matrix.schools)  # type: ignore[union-attr]
    assert len(schools) == 5

    # 1. A form per school into a new folder, then where they went.
    folder = tmp_path / "формы"
    page.write_forms_to(folder)
    text = take_message(qtbot)
    assert text.startswith(f"Сохранено 5 форм в папке «{folder}».")
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 5
    by_school = {name: folder / form_file_name(CAMPAIGN, name) for name in schools.values()}
    assert sorted(by_school.values()) == files

    # 2. Two schools fill their forms: Putilovo correctly, another with a word for a number.
    other = next(name for name in schools.values() if name not in (PUTILOVO, "МКОУ «Шумская СОШ»"))
    fill(by_school[PUTILOVO], {"7.4": 40, "7.2": 5, "2": "Анкетирование педагогов"})
    fill(by_school[other], {"7.2": "много", "6.1": "Совет школы"})
    before = completeness(page, PUTILOVO)
    other_before = completeness(page, other)
    assert before == "3 из 51"

    # 3. Both read back through the page: one accepted, one refused with its cell.
    page.import_forms([by_school[PUTILOVO], by_school[other]])
    qtbot.waitUntil(lambda: len(visible_windows(FormsImportDialog)) == 1, timeout=20_000)
    dialog = the_window(FormsImportDialog)
    rows = dialog_rows(dialog)
    assert [row[FormsModel.SCHOOL] for row in rows] == [PUTILOVO, other]
    assert [row[FormsModel.STATUS] for row in rows] == [ACCEPTED, REFUSED]
    assert [row[FormsModel.CHANGES] for row in rows] == [3, "—"]
    assert dialog.summary_label.text().startswith("Проверено 2 файла: принято форм — 1 (3 изменения)")
    details = dialog.details.toPlainText()  # the first file is selected
    assert "7.4 Количество уроков" in details and "было «31», стало «40»" in details
    assert "7.2 Количество оценочных" in details and "было «—», стало «5»" in details
    dialog.select_row(1)
    details = dialog.details.toPlainText()
    assert "Форма отклонена" in details
    assert f"Файл «{by_school[other].name}», строка" in details
    assert "столбец D («Значение»): пункт «7.2" in details
    assert dialog.load_button.isEnabled()
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    del dialog  # it deletes itself once the forms are loaded

    # 4. Loaded: the values are stored, the matrix reloaded, one undo step.
    qtbot.waitUntil(
        lambda: main_window.statusBar().currentMessage() == "Загружено форм: 1. Отменить — Ctrl+Z.",
        timeout=20_000,
    )
    assert not visible_windows(FormsImportDialog)
    by_number = {c.number: c.id for c in service.criteria(campaign.template_id)}
    putilovo_id = next(i for i, name in schools.items() if name == PUTILOVO)
    other_id = next(i for i, name in schools.items() if name == other)
    stored = service.values(campaign.id, putilovo_id)
    assert stored[by_number["7.4"]].value == "40" and stored[by_number["7.2"]].value == "5"
    assert stored[by_number["7.4"]].entered_by == by_school[PUTILOVO].name
    assert by_number["6.1"] not in service.values(campaign.id, other_id)  # the refused form: nothing
    assert completeness(page, PUTILOVO) == "5 из 51"
    assert completeness(page, other) == other_before

    # 5. Ctrl+Z takes the whole load back.
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: completeness(page, PUTILOVO) == before, timeout=10_000)
    assert service.values(campaign.id, putilovo_id)[by_number["7.4"]].value == "31"
    assert by_number["7.2"] not in service.values(campaign.id, putilovo_id)


def test_writing_over_forms_already_in_the_folder_asks_first(
    qtbot: QtBot, page: MonitoringPage, tmp_path: Path
) -> None:
    page.write_forms_to(tmp_path)
    assert "Сохранено 5 форм" in take_message(qtbot)
    one = next(tmp_path.glob("*.xlsx"))
    fill(one, {"7.4": 12})
    page.write_forms_to(tmp_path)
    qtbot.waitUntil(lambda: len(visible_message_boxes()) == 1, timeout=10_000)
    assert "уже есть 5 форм этого мониторинга" in visible_message_boxes()[0].text()
    click_box_button("Отмена")
    qtbot.waitUntil(lambda: not visible_message_boxes(), timeout=10_000)
    workbook = openpyxl.load_workbook(one)
    assert workbook[FORM_SHEET][f"D{rows_by_number(workbook[FORM_SHEET])['7.4']}"].value == 12


def test_cancelling_the_preview_changes_nothing(qtbot: QtBot, page: MonitoringPage, tmp_path: Path) -> None:
    page.write_forms_to(tmp_path)
    take_message(qtbot)
    files = sorted(tmp_path.glob("*.xlsx"))
    fill(files[0], {"7.2": 7})
    stack = page.history.stack.count()
    page.import_forms(files[:1])
    qtbot.waitUntil(lambda: len(visible_windows(FormsImportDialog)) == 1, timeout=20_000)
    dialog = the_window(FormsImportDialog)
    assert dialog_rows(dialog)[0][FormsModel.STATUS] == ACCEPTED
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    del dialog
    qtbot.waitUntil(lambda: not visible_windows(FormsImportDialog), timeout=10_000)
    assert page.history.stack.count() == stack


def test_a_file_that_is_not_a_form_is_refused_and_nothing_can_be_loaded(
    qtbot: QtBot, page: MonitoringPage, tmp_path: Path
) -> None:
    foreign = tmp_path / "чужая.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Просто таблица"
    workbook.save(foreign)
    page.import_forms([foreign])
    qtbot.waitUntil(lambda: len(visible_windows(FormsImportDialog)) == 1, timeout=20_000)
    dialog = the_window(FormsImportDialog)
    assert dialog_rows(dialog) == [("чужая.xlsx", "—", REFUSED, "—")]
    assert "не является формой «Опоры»" in dialog.details.toPlainText()
    assert "Загружать нечего" in dialog.summary_label.text()
    assert not dialog.load_button.isEnabled()
    dialog.reject()
    del dialog
    qtbot.waitUntil(lambda: not visible_windows(FormsImportDialog), timeout=10_000)


def test_the_matrix_is_exported_to_a_real_workbook(
    qtbot: QtBot, page: MonitoringPage, tmp_path: Path
) -> None:
    target = tmp_path / "сводная.xlsx"
    page.export_matrix(target)
    text = take_message(qtbot)
    assert text == f"Сводная по мониторингу сохранена в файл «{target}»."
    workbook = openpyxl.load_workbook(target)
    assert MATRIX_SHEET in workbook.sheetnames
    sheet = workbook[MATRIX_SHEET]
    assert sheet["A1"].value == CAMPAIGN
    names = {sheet.cell(row=r, column=2).value for r in range(1, sheet.max_row + 1)}
    assert PUTILOVO in names and "МКОУ «Шумская СОШ»" in names


def test_the_report_is_exported_to_pdf_when_its_exporter_is_installed(
    qtbot: QtBot, page: MonitoringPage, tmp_path: Path
) -> None:
    if report_exporter() is None:
        assert not page.export_report_action.isVisible()
        pytest.skip("app.exporting.monitoring_report is not installed")
    assert page.export_report_action in page.toolbar.actions()
    target = tmp_path / "справка.pdf"
    page.export_report(target)
    text = take_message(qtbot)
    assert text == f"Справка по мониторингу сохранена в файл «{target}»."
    assert target.read_bytes().startswith(b"%PDF")
