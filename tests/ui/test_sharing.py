"""The status bar tells when the database is used over a network and who else has it open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.demo import create_demo
from db import open_database
from db.presence import write_record
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.sharing import sharing_text


@contextmanager
def _window(qtbot: QtBot, path: Path) -> Iterator[MainWindow]:
    database = open_database(path)
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    for box in visible_message_boxes():
        box.close()
    window.close()
    database.close()


@pytest.fixture
def shared_file(tmp_path: Path) -> Path:
    """A database that a colleague on another computer has open."""
    path = tmp_path / "Общая база района.sqlite"
    database = open_database(path)
    create_demo(database)
    database.close()
    write_record(path, user="Иванова", computer="OFFICE-3", pid=4242)
    return path


def test_a_file_a_colleague_has_open_is_shown_as_shared_with_her_name(
    qtbot: QtBot, shared_file: Path
) -> None:
    with _window(qtbot, shared_file) as window:
        assert window.database.is_shared_mode  # DELETE journal: WAL is unsafe across computers
        indicator = window.sharing
        assert indicator is not None
        qtbot.waitUntil(lambda: "Также открыта: 1" in indicator.text())
        assert indicator.isVisible()
        assert indicator.text().startswith("Сетевая база")
        assert "Иванова (компьютер OFFICE-3" in indicator.toolTip()
        # She closes the program: the next refresh forgets her.
        for record in shared_file.parent.glob("~$*OFFICE-3*"):
            os.remove(record)
        indicator.refresh()
        qtbot.waitUntil(lambda: "Также открыта" not in indicator.text())
        assert indicator.text() == "Сетевая база"


def test_a_local_file_nobody_else_has_open_shows_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "opora.sqlite"
    with _window(qtbot, path) as window:
        indicator = window.sharing
        assert indicator is not None and not window.database.is_shared_mode
        qtbot.wait(50)
        assert indicator.isHidden() and indicator.text() == ""
        assert not visible_message_boxes()


def test_texts_name_the_mode_and_the_people() -> None:
    assert sharing_text(False, []) == ("", "")
    label, tooltip = sharing_text(True, [])
    assert label == "Сетевая база" and "совместного доступа" in tooltip
