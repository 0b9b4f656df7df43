"""The project's own exceptions: each carries a message a person can act on, in Russian."""

from __future__ import annotations

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
