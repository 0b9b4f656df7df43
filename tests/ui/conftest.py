"""Fixtures for the window tests: a shown main window over the demo district, typing helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from db import Database
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Each test starts without remembered geometry, column widths or folders."""
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture
def main_window(qtbot: QtBot, demo_db: Database) -> Iterator[MainWindow]:
    window = MainWindow(demo_db)
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
def empty_window(qtbot: QtBot, database: Database) -> Iterator[MainWindow]:
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
