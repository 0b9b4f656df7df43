"""The status bar's word on sharing: «Сетевая база» when the file is used over a network, who else
has it open, and — once — the warning for a share that cannot keep two computers apart.

Who else has the file is read from the presence records beside it (db/presence.py): a folder
listing, slow on a share, so it runs on a worker every minute and never on the event loop.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from db.connection import Database
from ui.workers import JobRunner

REFRESH_MS = 60_000


def _others_job(database: Database):  # type: ignore[no-untyped-def]  # Job[list[Presence]]
    from app.jobs import Progress

    yield Progress(0, 0, "")
    return database.other_users()


def sharing_text(shared: bool, others: list[object]) -> tuple[str, str]:
    """(label, tooltip) for the status bar; an empty label hides it."""
    from db.presence import describe_all

    label = "Сетевая база" if shared else ""
    tooltip = (
        "База данных открыта с сетевого диска: программа работает в режиме совместного доступа "
        "(без WAL, с ожиданием, пока коллега сохраняет свои изменения)."
        if shared
        else ""
    )
    if others:
        label = (label + " · " if label else "") + f"Также открыта: {len(others)}"
        tooltip = (
            (tooltip + "\n\n" if tooltip else "") + "Базу сейчас открыли: " + describe_all(others, limit=10)
        )
    return label, tooltip


class SharingIndicator(QLabel):
    """A permanent status bar label; hidden when the file is local and nobody else has it open."""

    def __init__(self, database: Database, status_bar: QStatusBar, parent: QWidget) -> None:
        super().__init__(parent)
        self._database = database
        self._parent = parent
        self._jobs = JobRunner(self, max_threads=1)
        self._running = False
        self._warned = False
        self.hide()
        status_bar.addPermanentWidget(self)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        """Show the mode, warn once about an unsafe share, and begin watching for colleagues."""
        self._show([])
        warning = self._database.share_warning
        if warning and not self._warned:
            self._warned = True
            from ui.messages import show_error

            show_error(self._parent, warning, "Небезопасный сетевой диск")
        self.refresh()
        self._timer.start()

    def refresh(self) -> None:
        if self._running:
            return
        self._running = True
        worker = self._jobs.start(
            lambda: _others_job(self._database), title="Кто ещё открыл базу", show_progress=False
        )
        worker.finished.connect(self._show)
        worker.done.connect(self._finished)

    def _finished(self) -> None:
        self._running = False

    def _show(self, others: list[object]) -> None:
        label, tooltip = sharing_text(self._database.is_shared_mode, others)
        self.setText(label)
        self.setToolTip(tooltip)
        self.setVisible(bool(label))

    def stop(self) -> None:
        self._timer.stop()
