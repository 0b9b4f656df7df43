"""The template editor, used the way a person does: the bundled final monitoring adapted and saved
as version 2, an empty group refused in red, a new template shared through a .json file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QComboBox,
    QLineEdit,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot
from ui_helpers import type_text

from app.monitoring.service import MonitoringService
from db import Database
from ui.main_window import MainWindow
from ui.monitoring.template_editor import CHOICES, NUMBER, REQUIRED, TITLE, TYPE, TemplateEditorDialog
from ui.undo import ChangeHistory
from ui.workers import JobRunner


@pytest.fixture
def history(qtbot: QtBot, database: Database) -> Iterator[ChangeHistory]:
    parent = QWidget()
    qtbot.addWidget(parent)
    yield ChangeHistory(database, JobRunner(parent), parent)  # lives as long as `parent`


@pytest.fixture
def final_id(database: Database) -> int:
    service = MonitoringService(database)
    service.install_bundled()
    return next(t.id for t in service.list_templates() if t.key == "final_monitoring")


@pytest.fixture
def editor(
    qtbot: QtBot, database: Database, history: ChangeHistory, final_id: int
) -> Iterator[TemplateEditorDialog]:
    dialog = TemplateEditorDialog(database, history, final_id)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.confirm_box.close()


def row(dialog: TemplateEditorDialog, number: str) -> QTreeWidgetItem:
    item = dialog.item(number)
    assert item is not None, number
    return item


def cell(dialog: TemplateEditorDialog, number: str, column: int) -> QModelIndex:
    item = row(dialog, number)
    return dialog.tree.indexFromItem(item, column)


def open_editor(dialog: TemplateEditorDialog, number: str, column: int) -> QWidget | None:
    """Start editing a cell as a double-click would; the editor, or None for a cell that takes none."""
    dialog.tree.setCurrentItem(row(dialog, number), column)
    dialog.tree.editItem(row(dialog, number), column)
    return dialog.tree.indexWidget(cell(dialog, number, column))


def type_into_open_editor(dialog: TemplateEditorDialog, text: str) -> None:
    """Type into the cell editor a button opened, then press Enter."""
    editor = dialog.tree.indexWidget(dialog.tree.currentIndex())
    assert isinstance(editor, QLineEdit)
    type_text(editor, text + "\n")
    QApplication.processEvents()  # the delegate commits and closes on Enter through a queued call
    assert dialog.tree.indexWidget(dialog.tree.currentIndex()) is None  # Enter closed it


def choose_type(dialog: TemplateEditorDialog, number: str, key: str) -> None:
    editor = open_editor(dialog, number, TYPE)
    assert isinstance(editor, QComboBox)
    assert editor.itemText(editor.findData("choice")) == "Выбор из списка"
    editor.setCurrentIndex(editor.findData(key))
    dialog.tree.commitData(editor)
    dialog.tree.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def versions(database: Database) -> dict[int, tuple[int, int, bool]]:
    """final_monitoring's versions: version → (criteria to fill, groups, builtin)."""
    return {
        t.version: (t.criteria, t.groups, t.builtin)
        for t in MonitoringService(database).list_templates()
        if t.key == "final_monitoring"
    }


def test_the_bundled_template_is_adapted_and_saved_as_version_2(
    editor: TemplateEditorDialog, qtbot: QtBot, database: Database, history: ChangeHistory, final_id: int
) -> None:
    assert editor.windowTitle().startswith("Шаблон мониторинга «Критерии и показатели итогового мониторинга")
    assert editor.key_edit.text() == "final_monitoring"
    assert editor.counts_label.text() == "52 пункта для заполнения, 10 групп"
    assert editor.version_label.text() == (
        "Будет сохранена версия 2 шаблона «final_monitoring». Версия 1 остаётся как есть."
    )
    assert not editor.is_dirty()
    # Numbers are not typed, and a group with items keeps its type; choices only for a choice.
    assert open_editor(editor, "6", NUMBER) is None
    assert open_editor(editor, "6", TYPE) is None
    assert open_editor(editor, "6.1", CHOICES) is None
    assert not editor.add_sub_button.isEnabled()  # 6.1 is not a group

    # A sub-criterion at the end of group 6, typed in the cell the button opens.
    editor.tree.setCurrentItem(row(editor, "6"))
    assert editor.add_sub_button.isEnabled()
    click(qtbot, editor.add_sub_button)
    assert editor.tree.currentItem().text(NUMBER) == "6.3"
    type_into_open_editor(editor, "Периодичность заседаний")
    assert row(editor, "6.3").text(TITLE) == "Периодичность заседаний"
    assert row(editor, "6.3").checkState(REQUIRED) == Qt.CheckState.Checked
    assert editor.is_dirty()

    # Its type becomes a choice with three answers.
    choose_type(editor, "6.3", "choice")
    assert row(editor, "6.3").text(TYPE) == "Выбор из списка"
    choices = open_editor(editor, "6.3", CHOICES)
    assert isinstance(choices, QLineEdit)
    type_text(choices, "ежемесячно, ежеквартально, реже\n")
    QApplication.processEvents()
    assert row(editor, "6.3").text(CHOICES) == "ежемесячно, ежеквартально, реже"

    # Moved up: renumbered at once; and back down.
    was_second = row(editor, "6.2").text(TITLE)
    click(qtbot, editor.up_button)
    assert row(editor, "6.2").text(TITLE) == "Периодичность заседаний"
    assert row(editor, "6.3").text(TITLE) == was_second
    click(qtbot, editor.down_button)
    assert row(editor, "6.3").text(TITLE) == "Периодичность заседаний"
    assert not editor.down_button.isEnabled()

    # A row added and deleted again, after the question.
    editor.tree.setCurrentItem(row(editor, "18"))
    click(qtbot, editor.add_button)
    assert editor.tree.currentItem().text(NUMBER) == "19"
    type_into_open_editor(editor, "Лишний пункт")
    box = editor.delete_current()
    assert box is not None and box.isVisible() and box.text() == "Удалить пункт «19 Лишний пункт»?"
    click(qtbot, editor.confirm_yes)
    assert editor.item("19") is None and editor.counts_label.text() == "53 пункта для заполнения, 10 групп"

    click(qtbot, editor.save_button)
    assert not editor.isVisible() and editor.saved_id is not None
    assert versions(database) == {1: (52, 10, True), 2: (53, 10, False)}
    saved = MonitoringService(database).template_spec(editor.saved_id).find("6.3")
    assert saved is not None and saved.title == "Периодичность заседаний"
    assert (saved.type, saved.choices) == ("choice", ("ежемесячно", "ежеквартально", "реже"))
    assert MonitoringService(database).template_spec(final_id).find("6.3") is None
    # One undo step.
    assert history.stack.count() == 1
    history.undo()
    assert versions(database) == {1: (52, 10, True)}


def test_an_empty_group_is_shown_in_red_and_nothing_is_saved(
    editor: TemplateEditorDialog, qtbot: QtBot, database: Database, history: ChangeHistory
) -> None:
    editor.tree.setCurrentItem(row(editor, "18"))
    click(qtbot, editor.add_group_button)
    type_into_open_editor(editor, "Новый раздел")
    assert row(editor, "19").text(TYPE) == "Группа"
    assert row(editor, "19").data(REQUIRED, Qt.ItemDataRole.CheckStateRole) is None

    click(qtbot, editor.save_button)
    assert editor.isVisible() and editor.error_label.isVisible()
    assert "#b71c1c" in editor.error_label.styleSheet()
    assert editor.error_label.text() == (
        "Шаблон «Критерии и показатели итогового мониторинга реализации программ повышения качества "
        "образования» не сохранён: критерий 19: группа без вложенных критериев (поле «children» пусто)."
    )
    assert versions(database) == {1: (52, 10, True)} and history.stack.count() == 0

    # Closing with unsaved changes asks first; «Отмена» keeps the dialog.
    click(qtbot, editor.close_button)
    assert editor.confirm_box.isVisible() and "не сохранены" in editor.confirm_box.text()
    click(qtbot, editor.confirm_no)
    assert editor.isVisible()

    # An item in the group makes it right.
    click(qtbot, editor.add_sub_button)
    type_into_open_editor(editor, "Участие в конкурсах")
    click(qtbot, editor.save_button)
    assert not editor.isVisible()
    assert versions(database) == {1: (52, 10, True), 2: (53, 11, False)}


def test_a_new_template_goes_to_a_file_and_comes_back(
    qtbot: QtBot, database: Database, history: ChangeHistory, tmp_path: Path
) -> None:
    editor = TemplateEditorDialog(database, history, None)
    qtbot.addWidget(editor)
    editor.open()
    assert editor.windowTitle() == "Новый шаблон мониторинга"
    editor.title_edit.setText("Проверка кадров")
    assert editor.key_edit.text() == "proverka_kadrov"
    editor.source_edit.setText("приказ № 12")
    click(qtbot, editor.add_button)
    type_into_open_editor(editor, "Количество учителей")
    choose_type(editor, "1", "number")
    click(qtbot, editor.add_button)
    type_into_open_editor(editor, "Уровень риска")
    choose_type(editor, "2", "choice")
    # A choice without answers cannot be written to a file either.
    path = tmp_path / "Проверка кадров.json"
    assert not editor.export_file(path) and not path.exists()
    assert "нужен список вариантов ответа" in editor.error_label.text()
    choices = open_editor(editor, "2", CHOICES)
    assert isinstance(choices, QLineEdit)
    type_text(choices, "высокий; средний, но растущий; низкий\n")
    QApplication.processEvents()
    assert editor.export_file(path) and not editor.error_label.isVisible()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["key"] == "proverka_kadrov"
    assert data["criteria"][1]["choices"] == ["высокий", "средний, но растущий", "низкий"]

    # Another office opens the file in its editor and saves it.
    editor.load(None)
    assert editor.tree.topLevelItemCount() == 0 and editor.key_edit.text() == ""
    broken = tmp_path / "битый.json"
    broken.write_text("{", encoding="utf-8")
    assert not editor.import_file(broken)
    assert editor.error_label.text().startswith("Шаблон мониторинга «битый.json» не загружен")
    assert editor.import_file(path) and editor.is_dirty()
    assert "Загружен шаблон из файла «Проверка кадров.json»" in editor.status_label.text()
    assert row(editor, "2").text(CHOICES) == "высокий; средний, но растущий; низкий"
    template_id = editor.save()
    assert template_id is not None and not editor.isVisible()
    summary = next(t for t in MonitoringService(database).list_templates() if t.id == template_id)
    assert (summary.key, summary.version, summary.criteria, summary.source) == (
        "proverka_kadrov",
        1,
        2,
        "приказ № 12",
    )

    # A second new template with the same title gets a key of its own.
    editor.load(None)
    editor.title_edit.setText("Проверка кадров")
    assert editor.key_edit.text() == "proverka_kadrov_2"


def test_the_page_opens_the_editor_on_the_campaigns_template(qtbot: QtBot, main_window: MainWindow) -> None:
    page = main_window.monitoring_page
    campaign = page.current_campaign()
    assert campaign is not None
    qtbot.mouseClick(page.templates_button, Qt.MouseButton.LeftButton)
    editor = page._template_editor
    assert editor is not None and editor.isVisible()
    assert editor.item("6.1") is not None  # the final monitoring of seed 002
    editor.reject()
