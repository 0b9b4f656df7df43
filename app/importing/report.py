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
        # A message that opens by naming the file («Файл «x.xlsx» повреждён…») is not prefixed with it again.
        opens_with_file = self.message.lower().startswith(f"файл «{self.file_name.lower()}»")
        where = [] if opens_with_file else [f"файл «{self.file_name}»"]
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            title = f" («{self.column_title}»)" if self.column_title else ""
            where.append(f"столбец {self.column}{title}")
        if not where:
            return self.message[:1].upper() + self.message[1:]
        head = ", ".join(where)
        return f"{head[:1].upper()}{head[1:]}: {self.message}"
