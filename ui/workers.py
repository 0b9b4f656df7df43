"""Running `app.jobs` generators off the UI thread, with a progress dialog and cancel.

A job runs on a `QThreadPool` as a `QRunnable`. The signals live on a `Worker` object that the
caller owns (it lives in the UI thread, so results arrive there through queued connections); the
runnable only holds a reference to it. That is why a window must call `JobRunner.shutdown()`
when it closes: the pool is cancelled and waited for before the `Worker` objects go away, so no
thread ever emits on a deleted object.

The progress dialog appears only when the job is still running after half a second (as Anki's
`progress.py` does), so quick jobs never flash a window. «Отмена» sets a flag; `run_job` checks it
at the job's next yield and throws `CancelledError` into the job, which rolls back its transaction.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from app.errors import AppError, CancelledError
from app.jobs import Job, Progress, run_job
from db.errors import DatabaseError
from ui.startup import disconnect, emit

PROGRESS_DELAY_MS = 500
_KEEP_FINISHED = 16
# Progress signals are throttled: a 40,000-row import must not flood the event queue.
_PROGRESS_INTERVAL_S = 0.05

JobFactory = Callable[[], Job[Any]]


class Worker(QObject):
    """One job's signals and state; owned by the UI thread and kept alive by its `JobRunner`."""

    progressed = Signal(object)  # Progress
    finished = Signal(object)  # the job's return value
    failed = Signal(object)  # the exception
    cancelled = Signal()
    done = Signal()  # after any of the three above

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.cancel_event = threading.Event()
        self.running = True
        self.last_progress: Progress | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def is_cancelled(self) -> bool:
        return self.cancel_event.is_set()


class _JobRunnable(QRunnable):
    """Runs in a pool thread; talks to the UI only through the worker's signals."""

    def __init__(self, factory: JobFactory, worker: Worker) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._factory = factory
        self._worker = worker
        self._last_emit = 0.0

    def _on_progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last_emit >= _PROGRESS_INTERVAL_S or (
            progress.total and progress.done >= progress.total
        ):
            self._last_emit = now
            emit(self._worker.progressed, progress)

    def run(self) -> None:
        worker = self._worker
        try:
            result = run_job(self._factory(), self._on_progress, worker.is_cancelled)
        except CancelledError:
            emit(worker.cancelled)
        except BaseException as exc:  # delivered to the UI thread, which decides how to show it
            emit(worker.failed, exc)
        else:
            emit(worker.finished, result)
        finally:
            # The runnable is destroyed in this pool thread; it must not hold the UI-thread
            # objects then (the runner keeps them alive meanwhile).
            self._worker = None  # type: ignore[assignment]
            self._factory = None  # type: ignore[assignment]


class _ProgressPresenter(QObject):
    """Shows a QProgressDialog for a worker once it has run for `PROGRESS_DELAY_MS`."""

    def __init__(self, worker: Worker, parent_widget: QWidget | None, label: str) -> None:
        super().__init__(worker)
        self._worker = worker
        self._parent_widget = parent_widget
        self._label = label
        self.dialog: QProgressDialog | None = None
        self._cancel_button: QPushButton | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show)
        self._timer.start(PROGRESS_DELAY_MS)
        worker.progressed.connect(self._on_progress)
        worker.done.connect(self._close)

    def _show(self) -> None:
        # Imported here: `Qt` is not needed before the window's first paint (ui.application).
        from PySide6.QtCore import Qt

        if not self._worker.running:
            return
        dialog = QProgressDialog(self._label, "Отмена", 0, 0, self._parent_widget)
        # Our own button, so that after a click it can be disabled (deleting it from its own
        # clicked() signal, as setCancelButton(None) would, crashes).
        self._cancel_button = QPushButton("Отмена")
        dialog.setCancelButton(self._cancel_button)
        dialog.setWindowTitle(self._worker.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(420)
        dialog.canceled.connect(self._on_cancel)
        self.dialog = dialog
        if self._worker.last_progress is not None:
            self._on_progress(self._worker.last_progress)
        dialog.show()

    def _on_progress(self, progress: Progress) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        # setValue() of a window-modal progress dialog processes events, and the job may finish
        # (and this dialog close) in the middle: keep the local reference and stop if it went.
        if progress.total > 0:
            dialog.setMaximum(progress.total)
            dialog.setValue(min(progress.done, progress.total))
        else:
            dialog.setMaximum(0)  # busy indicator: the job does not know its size
        if progress.message and self.dialog is not None:
            dialog.setLabelText(progress.message)

    def _on_cancel(self) -> None:
        self._worker.cancel()
        if self.dialog is not None:
            # Keep the dialog up until the job has really stopped and rolled back.
            self.dialog.setLabelText("Отмена… Изменения откатываются.")
            self._cancel_button.setEnabled(False)
            self.dialog.show()

    def _close(self) -> None:
        self._timer.stop()
        if self.dialog is not None:
            disconnect(self.dialog.canceled, self._on_cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None


class JobRunner(QObject):
    """Starts jobs on its own thread pool and keeps their workers alive until they finish."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._workers: list[Worker] = []
        self._queued: list[tuple[Worker, _JobRunnable]] = []
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(0)
        self._start_timer.timeout.connect(self._start_queued)
        # Finished workers are kept a little while: a caller may still hold one and disconnect
        # from it, which must not touch a deleted object.
        self._finished: deque[Worker] = deque()

    def start(
        self,
        factory: JobFactory,
        *,
        title: str,
        label: str = "",
        progress_parent: QWidget | None = None,
        show_progress: bool = True,
    ) -> Worker:
        """Run `factory()` (a job generator) on the pool; connect to the returned worker's signals.

        The factory is called in the pool thread, so even a job's first statement runs there.
        """
        # On this (UI) thread, before the job can emit from its pool thread: see `ui.startup.emit`.
        import ui.signals  # noqa: F401

        worker = Worker(title, self)
        worker.progressed.connect(self._remember_progress)
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_done)
        worker.cancelled.connect(self._on_done)
        if show_progress:
            _ProgressPresenter(worker, progress_parent, label or title)
        self._workers.append(worker)
        if len(self._workers) == 1:
            emit(self.busy_changed, True)
        # Started from the event loop, not here: a fast job could otherwise emit `finished` before
        # the caller has connected to it, and a queued signal with no receiver is simply lost.
        self._queued.append((worker, _JobRunnable(factory, worker)))
        self._start_timer.start()
        return worker

    def _start_queued(self) -> None:
        queued, self._queued = self._queued, []
        for worker, runnable in queued:
            if worker.is_cancelled():
                emit(worker.cancelled)
            else:
                self.pool.start(runnable)

    def _remember_progress(self, progress: Progress) -> None:
        worker = self.sender()
        if isinstance(worker, Worker):
            worker.last_progress = progress

    def _on_done(self, *_args: object) -> None:
        worker = self.sender()
        if not isinstance(worker, Worker) or not worker.running:
            return
        worker.running = False
        emit(worker.done)
        if worker in self._workers:
            self._workers.remove(worker)
        self._finished.append(worker)
        while len(self._finished) > _KEEP_FINISHED:
            self._finished.popleft().deleteLater()
        if not self._workers:
            emit(self.busy_changed, False)

    def is_busy(self) -> bool:
        return bool(self._workers)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job and wait for the threads; True when all of them stopped in time."""
        self._start_timer.stop()
        self._queued.clear()  # never started: nothing to wait for
        for worker in self._workers:
            worker.cancel()
        stopped = self.pool.waitForDone(timeout_ms)
        for worker in self._workers:
            worker.running = False
        self._workers.clear()
        return bool(stopped)


def describe_failure(exc: BaseException) -> str | None:
    """The Russian message of a failure the user can act on, or None for a programming error."""
    if isinstance(exc, AppError | DatabaseError):
        return exc.message
    return None


def report_failure(parent: QWidget | None, exc: BaseException, title: str) -> None:
    """Show an expected failure as a message; send anything else to the application's excepthook."""
    from ui.messages import show_error

    message = describe_failure(exc)
    if message is not None:
        show_error(parent, message, title)
    else:
        sys.excepthook(type(exc), exc, exc.__traceback__)
