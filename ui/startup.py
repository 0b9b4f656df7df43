"""What start-up needs before any window: the database file filter, the first-run test, and
`emit`/`disconnect` for the modules on the way to the window's first paint.

Kept apart from `ui.first_run` so that opening a filled database never imports the first-run
dialog (nor the demo district): every module off this path is start-up time saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.office import OfficeService
from app.schools import SchoolService
from db.connection import Database

DATABASE_FILTER = "База данных «Опоры» (*.sqlite *.sqlite3 *.db);;Все файлы (*)"


def emit(signal: Any, *args: object) -> None:
    """`ui.signals.emit`, with `ui.signals` imported at the first call rather than at start-up.

    Importing it costs ~3 ms (ctypes, and a probe of PySide6's `emit`), and nothing is emitted
    before the window's first paint. The first call is made on the UI thread: `JobRunner.start`
    imports `ui.signals` before a job can emit from its pool thread.
    """
    from ui.signals import emit as emit_safely

    emit_safely(signal, *args)


def disconnect(signal: Any, slot: Callable[..., object] | None = None) -> None:
    """`ui.signals.disconnect`, imported at the first call (see `emit`)."""
    from ui.signals import disconnect as disconnect_safely

    disconnect_safely(signal, slot)


def needs_first_run(database: Database) -> bool:
    """Neither requisites nor schools: a new database, shown the first-run dialog."""
    return not OfficeService(database).get().is_filled and SchoolService(database).count() == 0
