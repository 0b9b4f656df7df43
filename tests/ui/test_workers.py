"""Jobs on the thread pool: results by signal, a late progress dialog, cancel that rolls back."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from ui_helpers import visible_windows

from app.errors import AppError
from app.jobs import Job, Progress
from app.schools import SchoolService
from db import Database
from ui.workers import PROGRESS_DELAY_MS, JobRunner


def quick_job(value: int) -> Job[int]:
    yield Progress(1, 1, "Готово")
    return value * 2


def slow_insert_job(database: Database, started: threading.Event, steps: list[int] | None = None) -> Job[int]:
    """Inserts schools one by one in one transaction, yielding between them for ~3 s."""
    with database.atomic() as conn:
        for number in range(150):
            conn.execute("INSERT INTO schools (full_name) VALUES (?)", (f"Школа № {number}",))
            if steps is not None:
                steps.append(number)
            started.set()
            yield Progress(number, 150, f"Школа {number} из 150")
            time.sleep(0.02)
    return 150


def failing_job() -> Job[None]:
    yield Progress(0, 0)
    raise AppError("Файл «x.xlsx» не найден.")


def test_quick_job_delivers_its_result_without_a_dialog(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = JobRunner(parent)
    worker = runner.start(lambda: quick_job(21), title="Проверка", progress_parent=parent)
    with qtbot.waitSignal(worker.finished, timeout=3000) as blocker:
        pass
    assert blocker.args == [42]
    qtbot.wait(PROGRESS_DELAY_MS + 200)
    assert not visible_windows(QProgressDialog)
    assert not runner.is_busy()


def test_progress_dialog_appears_late_and_cancel_rolls_back(qtbot: QtBot, database: Database) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    runner = JobRunner(parent)
    started = threading.Event()
    worker = runner.start(
        lambda: slow_insert_job(database, started), title="Загрузка реестра", progress_parent=parent
    )
    qtbot.waitUntil(started.is_set, timeout=3000)
    assert not visible_windows(QProgressDialog)  # not in the first half second
    qtbot.waitUntil(lambda: bool(visible_windows(QProgressDialog)), timeout=3000)
    dialog = visible_windows(QProgressDialog)[0]
    assert dialog.windowTitle() == "Загрузка реестра"
    qtbot.waitUntil(lambda: dialog.maximum() == 150 and "из 150" in dialog.labelText(), timeout=3000)
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Отмена")
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert SchoolService(database).count() == 0  # the transaction was rolled back
    qtbot.waitUntil(lambda: not visible_windows(QProgressDialog), timeout=2000)
    assert not runner.is_busy()


def test_failure_is_delivered_as_the_exception(qtbot: QtBot) -> None:
    runner = JobRunner()
    worker = runner.start(failing_job, title="Импорт", show_progress=False)
    with qtbot.waitSignal(worker.failed, timeout=3000) as blocker:
        pass
    error = blocker.args[0]
    assert isinstance(error, AppError) and error.message == "Файл «x.xlsx» не найден."


def test_shutdown_cancels_and_waits(qtbot: QtBot, database: Database) -> None:
    runner = JobRunner()
    started = threading.Event()
    steps: list[int] = []
    worker = runner.start(
        lambda: slow_insert_job(database, started, steps), title="Загрузка", show_progress=False
    )
    qtbot.waitUntil(started.is_set, timeout=3000)
    assert runner.is_busy()
    assert runner.shutdown(timeout_ms=10_000)
    assert len(steps) < 150  # cancelled at the next yield, not run to the end
    assert worker.is_cancelled()
    assert not runner.is_busy()
    assert SchoolService(database).count() == 0
