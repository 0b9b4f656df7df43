"""Fixtures for the Qt-free tests of app/ and db/: real SQLite files in tmp_path, the seed documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo import create_demo
from db import Database, open_database

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
# The five seeds ship with the program (the demo district's plans): tests never need to skip.
BUNDLED_SEEDS_DIR = REPO_ROOT / "resources" / "demo" / "plans"
SEED_000 = "000_47eb12e1519b5f53.txt"


def seed_path(number: str) -> Path:
    """The seed document «000»…«004»: from ../shared/seeds when present, else the bundled copy."""
    shared = sorted(SEEDS_DIR.glob(f"{number}_*.txt")) if SEEDS_DIR.is_dir() else []
    return shared[0] if shared else BUNDLED_SEEDS_DIR / f"{number}.txt"


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
    return seed_path("000").read_text(encoding="utf-8")
