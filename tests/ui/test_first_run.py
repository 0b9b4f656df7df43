"""The first-run dialog: demo district in one click, one's own office, another file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from ui_helpers import type_text

from app.office import OfficeService
from app.schools import SchoolService
from db import Database
from ui.first_run import FirstRunChoice, FirstRunDialog, needs_first_run
from ui.main_window import MainWindow
from ui.registry.model import Column


def test_demo_button_fills_the_registry(qtbot: QtBot, database: Database) -> None:
    assert needs_first_run(database)
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "9 школ" in dialog.demo_button.description()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is FirstRunChoice.DEMO
    assert not needs_first_run(database)

    window = MainWindow(database)
    qtbot.addWidget(window)
    model = window.registry_view.model
    names = [model.data(model.index(row, Column.NAME)) for row in range(model.rowCount())]
    assert len(names) == 9 and "МКОУ «Шумская СОШ»" in names
    assert window.windowTitle() == "Опора — Комитет образования"
    assert window.registry_view.year_combo.currentText() == "2020/2021"
    window.close()


def test_own_office_form_validates_and_saves(qtbot: QtBot, database: Database) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.own_button, Qt.MouseButton.LeftButton)
    assert dialog.current_page() == 1
    form = dialog.office_form
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert form.boxes["name"].error_text() == "Укажите наименование органа управления образованием"

    type_text(form.boxes["name"].editor, "Администрация\nПономаревского района\nОТДЕЛ ОБРАЗОВАНИЯ")
    type_text(form.boxes["short_name"].editor, "Отдел образования")
    type_text(form.boxes["place"].editor, "с. Пономаревка")
    type_text(form.boxes["head_name"].editor, "Т.С. Потехина")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is FirstRunChoice.OWN_OFFICE
    office = OfficeService(database).get()
    assert office.name == "Администрация\nПономаревского района\nОТДЕЛ ОБРАЗОВАНИЯ"  # lines kept
    assert (office.short_name, office.place, office.head_name) == (
        "Отдел образования",
        "с. Пономаревка",
        "Т.С. Потехина",
    )
    assert SchoolService(database).count() == 0
    assert not needs_first_run(database)


def test_back_button_returns_to_the_choice(qtbot: QtBot, database: Database) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.own_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.current_page() == 0


def test_open_file_button_returns_the_chosen_path(
    qtbot: QtBot, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "other.sqlite"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(chosen), ""))
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is FirstRunChoice.OPEN_FILE
    assert dialog.chosen_file == chosen


def test_demo_refused_in_a_filled_database(qtbot: QtBot, demo_db: Database) -> None:
    dialog = FirstRunDialog(demo_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.create_demo()
    assert dialog.choice is None and dialog.isVisible()
    from ui.messages import visible_message_boxes

    boxes = visible_message_boxes()
    assert boxes and "уже есть данные" in boxes[0].text()
    for box in boxes:
        box.close()
