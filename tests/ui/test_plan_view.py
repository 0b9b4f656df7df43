"""The plans page in the main window, used the way a person does: cells, keys, dialogs, filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot
from ui_helpers import the_window, type_text

from app.plans.model import ColumnRole, ItemStatus
from app.plans.service import PlanService
from db import Database
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.plans.dialogs import DoneDialog
from ui.plans.model import BAR_ROLE, COLOUR_ROLE, ITEM_MIME_TYPE, NO_BAR, STATE_COLOURS, STATE_ROLE, State
from ui.plans.view import PlansPage

TODAY = date(2021, 1, 15)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def main_window(qtbot: QtBot, database: Database) -> Iterator[MainWindow]:
    """A window over an empty database (the demo district has plans of its own)."""
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    yield window
    for box in visible_message_boxes():
        box.close()
    window.close()


@pytest.fixture
def page(main_window: MainWindow, qtbot: QtBot) -> PlansPage:
    service = PlanService(main_window.database)
    plan_id, _ = service.create({"title": "План мероприятий на 2020/2021 учебный год", "academic_year": 2020})
    first, _ = service.add_section(plan_id, "Раздел 1. Организационное обеспечение")
    second, _ = service.add_section(plan_id, "Раздел 2. Работа с педагогами")
    for section, measure, deadline, responsible in (
        (first, "Анализ результатов ВПР", "Октябрь-ноябрь 2020г", "Отдел образования"),
        (first, "Сбор отчётов школ", "до 1 марта", "Руководители ОО"),
        (first, "Ёлочный семинар", "май 2021", "МОЦ"),
        (second, "Консультации", "В течение года", "Методисты МОЦ"),
        (second, "Выезды в школы", "По запросу", "МОЦ"),
    ):
        service.add_item(
            plan_id,
            {"measure": measure, "deadline_text": deadline, "responsible": responsible},
            section_id=section,
        )
    main_window.nav.setCurrentRow(1)
    assert main_window.nav.currentItem().text() == "Планы мероприятий"
    plans = main_window.plans_page
    plans.set_today(TODAY)
    assert plans.plan is not None and plans.plan.id == plan_id
    plans.table.setFocus()
    return plans


def row_of(page: PlansPage, measure: str) -> int:
    return next(r for r, row in enumerate(page.model.rows()) if row.item and row.item.measure == measure)


def item_id(page: PlansPage, measure: str) -> int:
    return page.model.item_at(row_of(page, measure)).id


def bar_months(page: PlansPage, measure: str) -> list[int]:
    model = page.model
    row = row_of(page, measure)
    return [
        m
        for m in range(len(model.months))
        if model.data(model.index(row, model.first_month_column + m), BAR_ROLE) is not NO_BAR
    ]


def shown_measures(page: PlansPage) -> list[str]:
    rows = [
        page.model.row_at(page.proxy.mapToSource(page.proxy.index(r, 0)).row())
        for r in range(page.proxy.rowCount())
    ]
    return [r.item.measure if r.item else f"# {r.section.title[:8]}" for r in rows]


def press(
    qtbot: QtBot, window: MainWindow, page: PlansPage, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier
) -> None:
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    page.table.setFocus()
    qtbot.keyClick(page.table, key, modifiers)


def click_box_button(text: str) -> None:
    boxes = visible_message_boxes()
    assert len(boxes) == 1, "expected one question"
    button = next(b for b in boxes[0].buttons() if b.text() == text)
    button.click()


def test_the_plan_is_shown_with_sections_and_a_gantt(page: PlansPage) -> None:
    assert page.plan_combo.currentText().startswith("План мероприятий на 2020/2021")
    assert shown_measures(page)[:2] == ["# Раздел 1", "Анализ результатов ВПР"]
    assert page.table.columnSpan(0, 0) == page.proxy.columnCount()  # the heading spans the row
    assert page.counts_label.text() == "Показано 5 из 5 пунктов"
    assert bar_months(page, "Анализ результатов ВПР") == [1, 2]
    assert "просрочено 1" in page.summary_label.text()


def test_edit_a_deadline_in_place_moves_the_bar_and_ctrl_z_restores_it(
    main_window: MainWindow, page: PlansPage, qtbot: QtBot
) -> None:
    deadline = page.model.column_of(ColumnRole.DEADLINE)
    index = page.item_index(item_id(page, "Анализ результатов ВПР"), deadline)
    page.table.setCurrentIndex(index)
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "Октябрь-ноябрь 2020г"
    editor.selectAll()
    type_text(editor, "Март 2021")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The line editor is committed by Qt on the next pass of the event loop.
    qtbot.waitUntil(lambda: page.plan.items[0].deadline_text == "Март 2021")
    assert bar_months(page, "Анализ результатов ВПР") == [6]  # March
    row = row_of(page, "Анализ результатов ВПР")
    assert page.model.data(page.model.index(row, 0), STATE_ROLE) == State.OPEN

    press(qtbot, main_window, page, Qt.Key.Key_Z, CTRL)
    assert page.plan.items[0].deadline_text == "Октябрь-ноябрь 2020г"
    assert bar_months(page, "Анализ результатов ВПР") == [1, 2]
    assert page.model.data(page.model.index(row, 0), STATE_ROLE) == State.OVERDUE


def test_edit_the_measure_in_a_multiline_editor(page: PlansPage, qtbot: QtBot) -> None:
    measure = page.model.column_of(ColumnRole.MEASURE)
    target = item_id(page, "Консультации")
    index = page.item_index(target, measure)
    page.table.setCurrentIndex(index)
    page.table.edit(index)
    editor = page.table.viewport().findChild(QPlainTextEdit, "planCellEditor")
    assert editor is not None and editor.toPlainText() == "Консультации"
    editor.selectAll()
    type_text(editor, "Консультации для учителей")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(editor, "– по графику")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    item = page.model.item_at(page.model.row_of_item(target))
    assert item.measure == "Консультации для учителей\n– по графику"


def test_ctrl_d_marks_done_with_date_and_evidence(
    main_window: MainWindow, page: PlansPage, qtbot: QtBot
) -> None:
    target = item_id(page, "Анализ результатов ВПР")
    assert page.select_item(target)
    press(qtbot, main_window, page, Qt.Key.Key_D, CTRL)
    dialog = the_window(DoneDialog)
    assert dialog.completed_on() == TODAY
    dialog.evidence_edit.setFocus()
    type_text(dialog.evidence_edit, "Справка по итогам ВПР")
    dialog.accept()
    row = row_of(page, "Анализ результатов ВПР")
    item = page.model.item_at(row)
    assert (
        item.status is ItemStatus.DONE
        and item.completed_on == TODAY
        and item.evidence == "Справка по итогам ВПР"
    )
    assert page.model.data(page.model.index(row, 0), STATE_ROLE) == State.DONE
    assert page.model.data(page.model.index(row, 0), COLOUR_ROLE) == STATE_COLOURS[State.DONE]
    cell = page.model.data(page.model.index(row, page.model.first_month_column + 1), BAR_ROLE)
    assert cell.colour == STATE_COLOURS[State.DONE]  # the bar turned green
    press(qtbot, main_window, page, Qt.Key.Key_Z, CTRL)
    assert page.model.data(page.model.index(row, 0), STATE_ROLE) == State.OVERDUE


def test_status_through_the_combo_editor(page: PlansPage, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QComboBox

    from ui.signals import emit

    index = page.item_index(item_id(page, "Консультации"), page.model.status_column)
    page.table.setCurrentIndex(index)
    page.table.edit(index)
    combo = page.table.viewport().findChild(QComboBox, "planStatusEditor")
    assert combo is not None
    combo.setCurrentIndex(combo.findText(ItemStatus.CANCELLED.label))
    emit(combo.activated, combo.currentIndex())  # a person's choice in the list
    row = row_of(page, "Консультации")
    assert page.model.data(page.model.index(row, 0), STATE_ROLE) == State.CANCELLED


def test_filters_by_status_and_month_and_search(page: PlansPage) -> None:
    page.status_combo.setCurrentIndex(page.status_combo.findText("Просроченные"))
    assert shown_measures(page) == ["# Раздел 1", "Анализ результатов ВПР"]
    assert page.counts_label.text() == "Показано 1 из 5 пунктов"
    page.status_combo.setCurrentIndex(0)
    page.month_combo.setCurrentIndex(page.month_combo.findText("май 2021"))
    assert shown_measures(page) == ["# Раздел 1", "Ёлочный семинар", "# Раздел 2", "Консультации"]
    page.month_combo.setCurrentIndex(0)
    page.search_edit.setFocus()
    type_text(page.search_edit, "ЕЛОЧ")  # ё = е, any case
    assert shown_measures(page) == ["# Раздел 1", "Ёлочный семинар"]
    page.search_edit.clear()
    page.responsible_combo.setCurrentIndex(page.responsible_combo.findText("МОЦ"))
    assert "Выезды в школы" in shown_measures(page) and "Анализ результатов ВПР" not in shown_measures(page)
    page.clear_filters()
    assert len(shown_measures(page)) == 7


def test_insert_adds_an_item_and_delete_removes_it_undoably(
    main_window: MainWindow, page: PlansPage, qtbot: QtBot
) -> None:
    assert page.select_item(item_id(page, "Сбор отчётов школ"))
    press(qtbot, main_window, page, Qt.Key.Key_Insert)
    editor = page.table.viewport().findChild(QPlainTextEdit, "planCellEditor")
    assert editor is not None and editor.isVisible()
    type_text(editor, "Новое мероприятие")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    measures = [i.measure for i in page.plan.items]
    assert measures.index("Новое мероприятие") == measures.index("Сбор отчётов школ") + 1
    assert page.counts_label.text() == "Показано 6 из 6 пунктов"

    assert page.select_item(item_id(page, "Новое мероприятие"))
    press(qtbot, main_window, page, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(visible_message_boxes()) == 1)
    assert "Новое мероприятие" in visible_message_boxes()[0].text()
    click_box_button("Удалить")
    assert "Новое мероприятие" not in [i.measure for i in page.plan.items]
    press(qtbot, main_window, page, Qt.Key.Key_Z, CTRL)
    assert "Новое мероприятие" in [i.measure for i in page.plan.items]


def test_delete_is_cancelled_by_the_question(main_window: MainWindow, page: PlansPage, qtbot: QtBot) -> None:
    assert page.select_item(item_id(page, "Консультации"))
    press(qtbot, main_window, page, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(visible_message_boxes()) == 1)
    box = visible_message_boxes()[0]
    assert box.icon() == QMessageBox.Icon.Question
    click_box_button("Отмена")
    assert "Консультации" in [i.measure for i in page.plan.items]


def test_move_with_ctrl_arrows_and_by_dragging(
    main_window: MainWindow, page: PlansPage, qtbot: QtBot
) -> None:
    assert page.select_item(item_id(page, "Сбор отчётов школ"))
    press(qtbot, main_window, page, Qt.Key.Key_Up, CTRL)
    first_section = [i.measure for i in page.plan.items][:3]
    assert first_section == ["Сбор отчётов школ", "Анализ результатов ВПР", "Ёлочный семинар"]
    assert page.current_item().measure == "Сбор отчётов школ"  # the moved item stays current
    # Down past the section's end: into the next section, at its start.
    assert page.select_item(item_id(page, "Ёлочный семинар"))
    press(qtbot, main_window, page, Qt.Key.Key_Down, CTRL)
    second = page.plan.sections[1].id
    assert page.plan.items_of(second)[0].measure == "Ёлочный семинар"
    press(qtbot, main_window, page, Qt.Key.Key_Z, CTRL)
    assert page.plan.items_of(second)[0].measure == "Консультации"

    # Drag «Выезды в школы» onto the first section's heading: it goes to that section's start.
    moving = page.model.row_of_item(item_id(page, "Выезды в школы"))
    data = page.proxy.mimeData([page.proxy.mapFromSource(page.model.index(moving, 1))])
    assert data.hasFormat(ITEM_MIME_TYPE)
    heading = page.proxy.mapFromSource(
        page.model.index(page.model.row_of_section(page.plan.sections[0].id), 0)
    )
    assert page.proxy.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, heading)
    qtbot.waitUntil(lambda: page.plan.items[0].measure == "Выезды в школы")
    assert page.plan.items[0].section_id == page.plan.sections[0].id
    # And between rows: before «Консультации».
    target = page.proxy.mapFromSource(page.model.index(row_of(page, "Консультации"), 0)).row()
    data = page.proxy.mimeData(
        [page.proxy.mapFromSource(page.model.index(row_of(page, "Выезды в школы"), 1))]
    )
    assert page.proxy.dropMimeData(data, Qt.DropAction.MoveAction, target, 0, QModelIndex())
    qtbot.waitUntil(lambda: page.plan.items_of(second)[0].measure == "Выезды в школы")


def test_add_section_roll_over_and_new_plan(main_window: MainWindow, page: PlansPage, qtbot: QtBot) -> None:
    from ui.plans.dialogs import PlanPropertiesDialog, TextDialog

    page.add_section_action.trigger()
    dialog = the_window(TextDialog)
    dialog.edit.setFocus()
    type_text(dialog.edit, "Раздел 3. Сетевое взаимодействие")
    dialog._check()
    # After the section of the current row (the table starts on the first heading).
    assert [s.title[:9] for s in page.plan.sections] == ["Раздел 1.", "Раздел 3.", "Раздел 2."]

    page.roll_over_action.trigger()
    qtbot.waitUntil(lambda: len(visible_message_boxes()) == 1)
    click_box_button("Перенести")
    assert page.plan.academic_year == 2021
    assert page.plan.title == "План мероприятий на 2021/2022 учебный год"
    assert page.plan.items[0].deadline_text == "Октябрь-ноябрь 2021г"
    assert page.plan_combo.count() == 2
    press(qtbot, main_window, page, Qt.Key.Key_Z, CTRL)
    assert page.plan_combo.count() == 1 and page.plan.academic_year == 2020

    page.new_plan_action.trigger()
    dialog = the_window(PlanPropertiesDialog)
    dialog.title_edit.setFocus()
    type_text(dialog.title_edit, "Дорожная карта ШНРО")
    dialog.year_combo.setCurrentIndex(dialog.year_combo.findText("2020/2021"))
    dialog.save()
    assert page.plan.title == "Дорожная карта ШНРО" and page.plan.items == ()
    assert page.plan.period_start == date(2020, 9, 1)
    assert page.add_item_action.isEnabled()


def test_page_is_built_lazily(empty_window: MainWindow) -> None:
    assert empty_window._plans_page is None
    assert [empty_window.nav.item(i).text() for i in range(empty_window.nav.count())][1:4] == [
        "Планы мероприятий",
        "Сетевое партнёрство",
        "Мониторинг",
    ]
    empty_window.nav.setCurrentRow(1)
    page = empty_window.plans_page
    assert page.plan is None and page.empty_label.isVisibleTo(page)


def test_target_schools_are_ticked_in_a_list_and_filter_the_plan(page: PlansPage, qtbot: QtBot) -> None:
    from app.schools import SchoolService
    from ui.plans.schools_dialog import ItemSchoolsDialog

    schools = SchoolService(page.database)
    shum, _ = schools.create({"full_name": "МКОУ «Шумская СОШ»"})
    schools.create({"full_name": "МКОУ «Назиевская СОШ»"})
    page.select_item(item_id(page, "Консультации"))
    dialog = page.choose_schools()
    assert isinstance(dialog, ItemSchoolsDialog)
    type_text(dialog.search, "шумск")
    assert dialog.proxy.rowCount() == 1
    shown = dialog.proxy.mapToSource(dialog.proxy.index(0, 0))
    dialog.model.itemFromIndex(shown).setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    qtbot.waitUntil(lambda: page.service.item(item_id(page, "Консультации")).school_ids == (shum,))
    page.school_combo.setCurrentIndex(page.school_combo.findData(shum))
    visible = [page.proxy.index(r, 0) for r in range(page.proxy.rowCount())]
    items = [page.model.item_at(page.proxy.mapToSource(i).row()) for i in visible]
    assert [i.measure for i in items if i is not None] == ["Консультации"]
    qtbot.keyClick(page.table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: page.service.item(item_id(page, "Консультации")).school_ids == ())


def test_the_status_bar_counts_follow_the_page_on_screen(page: PlansPage, main_window: MainWindow) -> None:
    assert main_window.counts_label.text() == "Показано 5 из 5 пунктов"
    type_text(page.search_edit, "семинар")
    assert main_window.counts_label.text() == "Показано 1 из 5 пунктов"
    main_window.nav.setCurrentRow(0)
    assert "школ" in main_window.counts_label.text()
