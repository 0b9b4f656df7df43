"""Issues found in a file, each naming the file, the row and the column."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "Ошибка" if self is Severity.ERROR else "Предупреждение"


@dataclass(frozen=True)
class ImportIssue:
    file_name: str
    row: int | None  # as Excel numbers rows, 1-based
    column: str  # letter, "" when the issue is about the whole row
    column_title: str
    message: str
    severity: Severity = Severity.ERROR

    def text(self) -> str:
        where = [f"Файл «{self.file_name}»"]
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            title = f" («{self.column_title}»)" if self.column_title else ""
            where.append(f"столбец {self.column}{title}")
        return f"{', '.join(where)}: {self.message}"
