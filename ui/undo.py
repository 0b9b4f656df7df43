"""The undo stack: every service write's `ChangeSet` as a `QUndoCommand`.

A service has already written its change when the view gets the `ChangeSet`, so the command's
first `redo()` (which `QUndoStack.push` calls) does nothing. Later undo/redo go through
`app.history`, which refuses to overwrite rows changed since (`ConflictError`): the command is
then made obsolete, so Qt drops it and the stack stays in step with the data.

A big change set (an import of thousands of rows) is undone on a worker thread: the stack's
index moves only after the work is done, so the window never freezes and the stack never claims
a state the database is not in.
"""

from __future__ import annotations

import sys
from enum import Enum
from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app import history
from app.errors import AppError
from app.jobs import Job, Progress
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.startup import emit
from ui.workers import JobRunner

# Change sets with more row changes than this are undone and redone off the UI thread.
ASYNC_THRESHOLD = 300


class _State(Enum):
    APPLIED = "applied"
    REVERTED = "reverted"


class ChangeSetCommand(QUndoCommand):
    def __init__(self, owner: ChangeHistory, changeset: ChangeSet) -> None:
        super().__init__(changeset.description)
        self.owner = owner
        self.changeset = changeset
        # The change is in the database already: the first redo() from push() must not re-apply.
        self.state = _State.APPLIED

    def redo(self) -> None:
        if self.state is _State.APPLIED:
            return
        if self.owner.run_change(history.redo, self.changeset, "Повтор не выполнен"):
            self.state = _State.APPLIED
        else:
            self.setObsolete(True)

    def undo(self) -> None:
        if self.state is _State.REVERTED:
            return
        if self.owner.run_change(history.undo, self.changeset, "Отмена не выполнена"):
            self.state = _State.REVERTED
        else:
            self.setObsolete(True)


def _change_job(action: object, database: Database, changeset: ChangeSet) -> Job[None]:
    yield Progress(0, 0, f"{changeset.description}…")
    action(database, changeset)  # type: ignore[operator]


class ChangeHistory(QObject):
    """The undo stack of one open database, and the signal views refresh on."""

    changed = Signal(object)  # ChangeSet: recorded, undone or redone; views refresh from it
    failed = Signal(str)  # a Russian message: undo/redo refused, nothing changed
    busy_changed = Signal(bool)  # a big undo/redo is running on a worker

    def __init__(self, database: Database, jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self.stack = QUndoStack(self)
        self._busy = False
        self._pending: tuple[ChangeSetCommand, bool] | None = None

    # --- recording ---------------------------------------------------------------------------
    def record(self, changeset: ChangeSet) -> None:
        """Put a write that has just happened on the stack (a no-op write is not recorded)."""
        if not changeset:
            return
        self.stack.push(ChangeSetCommand(self, changeset))
        emit(self.changed, changeset)

    # --- undo / redo ---------------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self._busy

    def undo(self) -> None:
        self._step(undo=True)

    def redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        if self._busy:
            return
        index = self.stack.index() - 1 if undo else self.stack.index()
        if not (0 <= index < self.stack.count()):
            return
        command = self.stack.command(index)
        if not isinstance(command, ChangeSetCommand) or len(command.changeset.changes) <= ASYNC_THRESHOLD:
            self.stack.undo() if undo else self.stack.redo()
            return
        # Big change: do the work on a worker, then move the stack (the command sees the new
        # state and does not repeat the work).
        self._set_busy(True)
        self._pending = (command, undo)
        action = history.undo if undo else history.redo
        worker = self.jobs.start(
            partial(_change_job, action, self.database, command.changeset),
            title="Отмена" if undo else "Повтор",
            label=f"{'Отмена' if undo else 'Повтор'}: {command.changeset.description}…",
            progress_parent=None,
        )
        worker.finished.connect(self._on_async_done)
        worker.failed.connect(self._on_async_failed)
        worker.cancelled.connect(self._on_async_cancelled)

    def _on_async_done(self, _result: object) -> None:
        if self._pending is None:
            return
        command, undo = self._pending
        self._pending = None
        command.state = _State.REVERTED if undo else _State.APPLIED
        self.stack.undo() if undo else self.stack.redo()
        self._set_busy(False)
        emit(self.changed, command.changeset)

    def _on_async_failed(self, exc: object) -> None:
        if self._pending is None:
            return
        command, undo = self._pending
        self._pending = None
        self._set_busy(False)
        self._drop(command, undo)
        if isinstance(exc, AppError | DatabaseError):
            emit(self.failed, exc.message)
        elif isinstance(exc, BaseException):
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def _on_async_cancelled(self) -> None:
        self._pending = None
        self._set_busy(False)  # rolled back: the stack has not moved, nothing to fix

    def _drop(self, command: ChangeSetCommand, undo: bool) -> None:
        """Remove a command whose change can no longer be undone or redone."""
        command.setObsolete(True)
        self.stack.undo() if undo else self.stack.redo()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        emit(self.busy_changed, busy)

    # --- called by the commands --------------------------------------------------------------------
    def run_change(self, action: object, changeset: ChangeSet, failure: str) -> bool:
        try:
            action(self.database, changeset)  # type: ignore[operator]
        except (AppError, DatabaseError) as exc:
            message = exc.message
            if not isinstance(exc, AppError):
                message = f"{failure}: {message}"
            emit(self.failed, message)
            return False
        emit(self.changed, changeset)
        return True
