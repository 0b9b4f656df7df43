"""The project's own exceptions: each carries a message a person can act on, in Russian."""

from __future__ import annotations

import errno
from dataclasses import dataclass


class AppError(Exception):
    """A failure the user should read; `message` is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the attribute name, e.g. "full_name"
    message: str  # «Не указано полное наименование»


class ValidationError(AppError):
    """Values a person typed that cannot be saved; one problem per field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


class ConflictError(AppError):
    """Undo or redo found the data changed since (by an import, another window or user)."""


class CancelledError(AppError):
    """The user cancelled long work; whatever it had started was rolled back."""

    def __init__(self, message: str = "Операция отменена, данные не изменены.") -> None:
        super().__init__(message)


_OS_REASONS = {
    errno.ENOSPC: "на диске нет места",
    errno.EDQUOT: "превышена квота на диске",
    errno.EROFS: "диск доступен только для чтения",
    errno.EACCES: "нет прав на запись или чтение",
    errno.EPERM: "нет прав на запись или чтение",
    errno.ENOENT: "файл или папка не найдены",
    errno.EISDIR: "это папка, а не файл",
    errno.EIO: "ошибка ввода-вывода (диск или сеть недоступны)",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
    errno.EBUSY: "файл занят другой программой",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Russian: Linux gives the system's words in English."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if isinstance(exc, PermissionError):
        return "нет прав на запись или чтение"
    return f"ошибка системы (код {exc.errno})" if exc.errno else "ошибка системы"
