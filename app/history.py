"""Undo and redo of any service's change set, with a clear message when the data moved on."""

from __future__ import annotations

from app.errors import ConflictError
from db.changes import ChangeSet, StaleChangeError, reapply, revert
from db.connection import Database


def undo(database: Database, changeset: ChangeSet) -> None:
    try:
        revert(database, changeset)
    except StaleChangeError as exc:
        raise ConflictError(
            f"Нельзя отменить «{changeset.description}»: эти данные с тех пор изменены "
            "(импортом или другим пользователем). Отмена не выполнена, данные не тронуты."
        ) from exc


def redo(database: Database, changeset: ChangeSet) -> None:
    try:
        reapply(database, changeset)
    except StaleChangeError as exc:
        raise ConflictError(
            f"Нельзя повторить «{changeset.description}»: эти данные с тех пор изменены. "
            "Повтор не выполнен, данные не тронуты."
        ) from exc
