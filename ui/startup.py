"""What start-up needs before any window: the database file filter, the first-run test.

Kept apart from `ui.first_run` so that opening a filled database never imports the first-run
dialog (nor the demo district): every module off this path is start-up time saved.
"""

from __future__ import annotations

from app.office import OfficeService
from app.schools import SchoolService
from db.connection import Database

DATABASE_FILTER = "База данных «Опоры» (*.sqlite *.sqlite3 *.db);;Все файлы (*)"


def needs_first_run(database: Database) -> bool:
    """Neither requisites nor schools: a new database, shown the first-run dialog."""
    return not OfficeService(database).get().is_filled and SchoolService(database).count() == 0
