"""Fixtures for the Qt-free tests of app/ and db/: real SQLite files in tmp_path, the seed documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo import create_demo
from db import Database, open_database

SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEED_000 = "000_47eb12e1519b5f53.txt"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "opora.sqlite"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def demo_database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "demo.sqlite")
    create_demo(database)
    yield database
    database.close()


@pytest.fixture(scope="module")
def demo_database_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One demo district per module, for tests that only read it."""
    database = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    create_demo(database)
    yield database
    database.close()


@pytest.fixture
def seed_000() -> str:
    """The text of seed 000 (распоряжение № 149, Кировский район), the source of the demo district."""
    path = SEEDS_DIR / SEED_000
    if not path.exists():
        pytest.skip(f"seed document {SEED_000} not found in {SEEDS_DIR} (the shared seeds are not present)")
    return path.read_text(encoding="utf-8")
