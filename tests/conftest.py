"""Fixtures shared by all tests: Qt offscreen, isolated user folders, a fresh database per test.

The environment is set here, at import, before pytest-qt creates the QApplication: Qt reads
QT_QPA_PLATFORM when the application starts, QSettings and the log folder read XDG_CONFIG_HOME
and OPORA_DATA_DIR when first used. No Qt module is imported here, so tests/app stays Qt-free.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo import create_demo
from db import Database, open_database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's own database, settings or logs.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="opora-tests-"))
os.environ["OPORA_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_DIR / "config")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty database file in this test's own folder."""
    database = open_database(tmp_path / "opora.sqlite")
    yield database
    database.close()


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    """The demo district (nine schools of Кировский район, categories for 2020/2021)."""
    database = open_database(tmp_path / "demo.sqlite")
    create_demo(database)
    yield database
    database.close()
