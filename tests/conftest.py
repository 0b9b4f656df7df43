"""Fixtures shared by all tests: Qt offscreen, isolated user folders, a fresh database per test.

The environment is set here, at import, before pytest-qt creates the QApplication: Qt reads
QT_QPA_PLATFORM when the application starts, QSettings and the log folder read XDG_CONFIG_HOME
and OPORA_DATA_DIR when first used. No Qt module is imported here, so tests/app stays Qt-free.
"""

from __future__ import annotations

import os
import shutil
import sys
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

# No network, here or in any Python child process (see tests/network_guard).
_GUARD_DIR = Path(__file__).resolve().parent / "network_guard"
NETWORK_RECORD = _SESSION_DIR / "network-use.log"
os.environ["OPORA_NETWORK_RECORD"] = str(NETWORK_RECORD)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_GUARD_DIR), os.environ.get("PYTHONPATH")]))
sys.path.insert(0, str(_GUARD_DIR))
import opora_network_guard  # noqa: E402

opora_network_guard.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The whole suite fails when anything in it, or in a child process, used the network."""
    used = NETWORK_RECORD.read_text(encoding="utf-8") if NETWORK_RECORD.exists() else ""
    if used:
        print(f"\n\nСЕТЬ ИСПОЛЬЗОВАНА ВО ВРЕМЯ ТЕСТОВ (это запрещено):\n{used}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
