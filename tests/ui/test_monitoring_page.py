"""The «Мониторинг» page over the demo district, used the way a person does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemDelegate, QComboBox, QDateEdit, QLineEdit
from pytestqt.qtbot import QtBot
from ui_helpers import type_text

from app.monitoring.service import MonitoringService
from tests.monitoring_specs import Node, Spec
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.monitoring.checklist import ChecklistModel
from ui.monitoring.dialogs import CampaignDialog
from ui.monitoring.matrix_model import GREEN, RED, YELLOW, MatrixModel
from ui.monitoring.page import MonitoringPage

CTRL = Qt.KeyboardModifier.ControlModifier


SPEC = Spec(
    key="checkup",
    title="Проверочный мониторинг",
    source="тест",
    criteria=[
        Node("1", "Реквизиты программы", "document"),
        Node(
            "2",
            "Кадры",
            "group",
            children=[
                Node("2.1", "Количество учителей", "number"),
                Node("2.2", "Доля учителей с категорией", "percent"),
            ],
        ),
        Node("3", "Введено видеонаблюдение", "yesno"),
        Node("4", "Дата утверждения программы", "date", required=False),
        Node("5", "Уровень риска", "choice", choices=["высокий", "средний", "низкий"]),
    ],
)


@pytest.fixture
def page(main_window: MainWindow) -> MonitoringPage:
    titles = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert titles.index("Мониторинг") == titles.index("Сетевое партнёрство") + 1
    assert main_window._monitoring_page is None  # built on first use
    MonitoringService(main_window.database).install_template(SPEC)
    main_window.nav.setCurrentRow(titles.index("Мониторинг"))
    page = main_window.monitoring_page
    assert main_window.pages.currentWidget() is page
    return page


def create_campaign(page: MonitoringPage, qtbot: QtBot) -> CampaignDialog:
    dialog = page.new_campaign()
    assert isinstance(dialog, CampaignDialog) and dialog.isVisible()
    texts = [dialog.template_combo.itemText(i) for i in range(dialog.template_combo.count())]
    assert "Проверочный мониторинг (6 пунктов)" in texts
    assert any(
        t.startswith("Критерии и показатели итогового мониторинга") and "(52 пункта)" in t for t in texts
    )
    dialog.template_combo.setCurrentIndex(texts.index("Проверочный мониторинг (6 пунктов)"))
    assert dialog.title_edit.text() == "Проверочный мониторинг 2020/2021"
    assert dialog.year_combo.currentText() == "2020/2021"
    # Quick buttons: the year's low-result schools, all, none.
    qtbot.mouseClick(dialog.low_button, Qt.MouseButton.LeftButton)
    assert len(dialog.checked_ids()) == 5
    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    assert dialog.checked_ids() == [] and dialog.chosen_label.text() == "Отмечено: 0 из 9"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Выберите хотя бы одну школу" in dialog.error_label.text()
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    assert len(dialog.checked_ids()) == 9
    dialog.title_edit.clear()
    dialog.title_edit.setFocus()
    type_text(dialog.title_edit, "Проверка кадров")
    dialog.due_date.setDate(QDate(2021, 6, 1))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    return dialog


def value_index(page: MonitoringPage, number: str, column: int = ChecklistModel.VALUE) -> QModelIndex:
    model = page.checklist.model
    found = next(c for c in model.criteria.values() if c.number == number)
    return model.index_of(found.id, column)


def edit(page: MonitoringPage, number: str, fill: object, column: int = ChecklistModel.VALUE) -> None:
    """Open the cell's editor as a double-click would, fill it, and leave the cell."""
    tree = page.checklist.tree
    index = value_index(page, number, column)
    tree.setCurrentIndex(index)
    tree.edit(index)
    editor = tree.indexWidget(index)
    assert editor is not None, number
    editor.setFocus()
    fill(editor)  # type: ignore[operator]
    tree.commitData(editor)
    tree.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


def typed(text: str) -> object:
    def fill(editor: QLineEdit) -> None:
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        type_text(editor, text)

    return fill


def matrix_row(page: MonitoringPage, name: str) -> int:
    model = page.model
    return next(r for r in range(model.rowCount()) if model.index(r, MatrixModel.SCHOOL).data() == name)


def open_checklist(page: MonitoringPage, qtbot: QtBot, name: str) -> None:
    row = matrix_row(page, name)
    rect = page.table.visualRect(page.model.index(row, MatrixModel.SCHOOL))
    # A real double click is a click, then the double-click event (QTest sends only the latter).
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.checklist.isVisible() and page.checklist.school_name == name


def test_the_demo_campaign_is_shown(page: MonitoringPage, main_window: MainWindow) -> None:
    assert page.campaign_combo.currentText() == "Итоговый мониторинг ШНРО 2020/2021"
    assert page.model.rowCount() == 5
    assert page.model.index(0, MatrixModel.SCHOOL).data() == "МКОУ «Шумская СОШ»"
    assert page.model.index(0, MatrixModel.COMPLETE).data() == "6 из 51"
    assert main_window.counts_label.text() == "5 школ, заполнили полностью 0"
    assert "срок представления 10.06.2021" in page.info_label.text()
    # The search: case and ё do not matter.
    type_text(page.search_edit, "шумская")
    assert page.model.rowCount() == 1
    page.search_edit.clear()
    # A group of criteria: only its columns.
    page.group_combo.setCurrentIndex(page.group_combo.findText("7 ВСОКО"))
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    assert headers[2:] == ["7.1", "7.2", "7.3", "7.4", "7.5", "7.6"]


def test_a_campaign_is_created_filled_saved_and_undone(
    page: MonitoringPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    create_campaign(page, qtbot)
    assert page.campaign_combo.currentText() == "Проверка кадров"
    assert page.model.rowCount() == 9
    assert {page.model.index(r, MatrixModel.COMPLETE).data() for r in range(9)} == {"0 из 5"}
    colour = page.model.index(0, MatrixModel.COMPLETE).data(Qt.ItemDataRole.BackgroundRole).color()
    assert colour == RED
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    assert headers == ["Школа", "Заполнено", "1", "2.1", "2.2", "3", "4", "5"]

    open_checklist(page, qtbot, "МКОУ «Назиевская СОШ»")
    checklist = page.checklist
    assert checklist.completeness.text() == "Заполнено обязательных пунктов: 0 из 5"
    group = value_index(page, "2", ChecklistModel.TITLE)
    assert group.data(Qt.ItemDataRole.FontRole).bold()

    edit(page, "1", typed("Программа развития № 12 от 01.09.2020"))
    edit(page, "2.1", typed("24"))
    edit(page, "2.2", typed("37,5"))

    def choose_yes(editor: QComboBox) -> None:
        assert [editor.itemText(i) for i in range(editor.count())] == ["—", "да", "нет"]
        editor.setCurrentIndex(editor.findText("да"))

    edit(page, "3", choose_yes)

    def pick_date(editor: QDateEdit) -> None:
        assert editor.text() == "не указана"
        editor.setDate(QDate(2020, 8, 28))

    edit(page, "4", pick_date)
    edit(page, "1", typed("Утверждена педсоветом"), column=ChecklistModel.COMMENT)
    assert checklist.is_dirty()
    assert "4 из 5" in checklist.completeness.text() and "несохранённые" in checklist.completeness.text()

    stack_before = main_window.history.stack.count()
    qtbot.keyClick(checklist.tree, Qt.Key.Key_S, CTRL)
    assert not checklist.is_dirty()
    assert checklist.status.text() == "Сохранено. Отменить — Ctrl+Z."
    assert main_window.history.stack.count() == stack_before + 1  # one undo step

    row = matrix_row(page, "МКОУ «Назиевская СОШ»")
    assert page.model.index(row, MatrixModel.COMPLETE).data() == "4 из 5"
    complete = page.model.index(row, MatrixModel.COMPLETE).data(Qt.ItemDataRole.BackgroundRole).color()
    assert complete == YELLOW
    shown = [page.model.index(row, c).data() for c in range(2, 8)]
    assert shown == ["Программа развития № 12 от 01.09.2020", "24", "37,5 %", "да", "28.08.2020", ""]
    campaign = page.current_campaign()
    assert campaign is not None
    stored = MonitoringService(main_window.database).values(campaign.id, checklist.school_id or 0)
    assert stored[value_index(page, "1").internalId()].comment == "Утверждена педсоветом"

    # The last one: a choice; the school is complete (green).
    def choose_low(editor: QComboBox) -> None:
        editor.setCurrentIndex(editor.findText("низкий"))

    edit(page, "5", choose_low)
    checklist.save()
    row = matrix_row(page, "МКОУ «Назиевская СОШ»")
    assert page.model.index(row, MatrixModel.COMPLETE).data() == "5 из 5"
    assert page.model.index(row, MatrixModel.COMPLETE).data(Qt.ItemDataRole.BackgroundRole).color() == GREEN
    page.unfilled_check.setChecked(True)
    assert page.model.rowCount() == 8 and page.model.row_of(checklist.school_id or 0) is None
    page.unfilled_check.setChecked(False)

    # Ctrl+Z undoes one save at a time; the checklist follows.
    assert checklist.status.text() == "Сохранено. Отменить — Ctrl+Z."
    main_window.undo()
    assert checklist.status.text() == ""  # «Сохранено» would no longer be true
    row = matrix_row(page, "МКОУ «Назиевская СОШ»")
    assert page.model.index(row, MatrixModel.COMPLETE).data() == "4 из 5"
    main_window.undo()
    row = matrix_row(page, "МКОУ «Назиевская СОШ»")
    assert page.model.index(row, MatrixModel.COMPLETE).data() == "0 из 5"
    assert value_index(page, "2.1").data() == ""
    assert checklist.completeness.text() == "Заполнено обязательных пунктов: 0 из 5"


def test_a_wrong_number_is_shown_at_its_row_and_nothing_is_written(
    page: MonitoringPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    create_campaign(page, qtbot)
    open_checklist(page, qtbot, "МКОУ «Шумская СОШ»")
    checklist = page.checklist
    edit(page, "2.1", typed("12"))
    edit(page, "2.2", typed("150"))  # a percent above 100
    stack_before = main_window.history.stack.count()
    qtbot.mouseClick(checklist.save_button, Qt.MouseButton.LeftButton)
    assert main_window.history.stack.count() == stack_before
    assert checklist.status.text() == "Не сохранено: исправьте отмеченные красным пункты (1)."
    problem = value_index(page, "2.2", ChecklistModel.PROBLEM)
    assert "процент не может быть больше 100" in problem.data()
    assert problem.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b71c1c"
    assert value_index(page, "2.1", ChecklistModel.PROBLEM).data() == ""
    # The input is kept; nothing was written.
    assert value_index(page, "2.2").data() == "150" and value_index(page, "2.1").data() == "12"
    campaign = page.current_campaign()
    assert campaign is not None
    assert MonitoringService(main_window.database).values(campaign.id, checklist.school_id or 0) == {}
    assert page.model.index(matrix_row(page, "МКОУ «Шумская СОШ»"), MatrixModel.COMPLETE).data() == "0 из 5"

    # Correcting it clears the mark; the save goes through.
    edit(page, "2.2", typed("15"))
    assert value_index(page, "2.2", ChecklistModel.PROBLEM).data() == ""
    assert checklist.save()
    assert page.model.index(matrix_row(page, "МКОУ «Шумская СОШ»"), MatrixModel.COMPLETE).data() == "2 из 5"


def test_unsaved_values_are_asked_about_before_another_school(page: MonitoringPage, qtbot: QtBot) -> None:
    open_checklist(page, qtbot, "МКОУ «Назиевская СОШ»")
    edit(page, "6.1", typed("Управляющий совет"))
    open_checklist_name = "МКОУ «Путиловская ООШ»"
    row = matrix_row(page, open_checklist_name)
    rect = page.table.visualRect(page.model.index(row, MatrixModel.SCHOOL))
    # A real double click is a click, then the double-click event (QTest sends only the latter).
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    boxes = visible_message_boxes()
    assert len(boxes) == 1 and "не сохранены" in boxes[0].text()
    assert page.checklist.school_name == "МКОУ «Назиевская СОШ»"  # still there
    save = next(b for b in boxes[0].buttons() if b.text() == "Сохранить")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert page.checklist.school_name == open_checklist_name
    assert (
        page.model.index(matrix_row(page, "МКОУ «Назиевская СОШ»"), MatrixModel.COMPLETE).data() == "1 из 51"
    )


def test_closing_the_window_with_unsaved_values_asks_first(
    page: MonitoringPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.messages import visible_message_boxes

    create_campaign(page, qtbot)
    open_checklist(page, qtbot, "МКОУ «Шумская СОШ»")
    edit(page, "2.1", typed("12"))
    assert page.checklist.is_dirty()
    main_window.close()
    assert main_window.isVisible()  # not closed: the question is on screen
    (box,) = [b for b in visible_message_boxes() if b.windowTitle() == "Несохранённые изменения"]
    save = next(b for b in box.buttons() if b.text() == "Сохранить")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=5000)
    campaign = page.current_campaign()
    assert campaign is not None
    stored = MonitoringService(main_window.database).values(campaign.id, page.checklist.school_id or 0)
    assert [v.value for v in stored.values()] == ["12"]
    assert isinstance(box, QMessageBox)
