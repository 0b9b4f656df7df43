"""The import preview as a table: one row per file row, its action, its values and its issues.

Rows are shown as the importer understood them (parsed values, Russian labels). A cell the
import would change is highlighted with the old value in its tooltip; a cell with an error is red.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.importing.registry_import import (
    PARENT_FIELD,
    REGISTRY_COLUMNS,
    PreviewRow,
    RegistryImportPreview,
    RowAction,
)
from app.importing.report import Severity
from ui.registry.model import format_count

_Index = QModelIndex | QPersistentModelIndex

ACTION_COLOURS = {
    RowAction.NEW: QColor("#dff3e0"),
    RowAction.UPDATE: QColor("#fff1cc"),
    RowAction.UNCHANGED: QColor("#eeeeee"),
    RowAction.ERROR: QColor("#fbd9d9"),
}
ERROR_CELL = QColor("#fbd9d9")
WARNING_CELL = QColor("#fff1cc")
CHANGED_CELL = QColor("#fff8e1")
_TITLES = {spec.field: spec.title for spec in REGISTRY_COLUMNS}


class RowFilter(Enum):
    ALL = "Все строки"
    PROBLEMS = "Только с замечаниями"
    ERRORS = "Только ошибки"
    NEW = "Только новые"
    UPDATE = "Только обновления"
    UNCHANGED = "Только без изменений"

    def accepts(self, row: PreviewRow) -> bool:
        if self is RowFilter.ALL:
            return True
        if self is RowFilter.PROBLEMS:
            return bool(row.issues)
        return (
            row.action
            is {
                RowFilter.ERRORS: RowAction.ERROR,
                RowFilter.NEW: RowAction.NEW,
                RowFilter.UPDATE: RowAction.UPDATE,
                RowFilter.UNCHANGED: RowAction.UNCHANGED,
            }[self]
        )


def display_value(value: Any) -> str:
    if value is None:
        return ""
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


class PreviewTableModel(QAbstractTableModel):
    ROW_COLUMN = 0
    ACTION_COLUMN = 1
    ISSUES_COLUMN = 2  # right after the action: problems are what the user looks for first
    FIRST_FIELD_COLUMN = 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PreviewRow] = []
        self._fields: list[str] = []
        self._field_by_letter: dict[str, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def set_preview(self, preview: RegistryImportPreview, row_filter: RowFilter = RowFilter.ALL) -> None:
        mapped = {c.field for c in preview.columns if c.field}
        self.beginResetModel()
        self._fields = [spec.field for spec in REGISTRY_COLUMNS if spec.field in mapped]
        self._field_by_letter = {c.letter: c.field for c in preview.columns if c.field}
        self._rows = [row for row in preview.rows if row_filter.accepts(row)]
        self.endResetModel()

    def set_rows(self, rows: list[PreviewRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> PreviewRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def fields(self) -> list[str]:
        return list(self._fields)

    @property
    def issues_column(self) -> int:
        return self.ISSUES_COLUMN

    def column_of(self, field: str) -> int | None:
        return self.FIRST_FIELD_COLUMN + self._fields.index(field) if field in self._fields else None

    def field_at(self, column: int) -> str | None:
        offset = column - self.FIRST_FIELD_COLUMN
        return self._fields[offset] if 0 <= offset < len(self._fields) else None

    # --- QAbstractTableModel -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3 + len(self._fields)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == self.ROW_COLUMN:
            return "Строка"
        if section == self.ACTION_COLUMN:
            return "Действие"
        if section == self.issues_column:
            return "Замечания"
        field = self.field_at(section)
        return _TITLES.get(field, field) if field else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if column == self.ROW_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(row.row_number)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if column == self.ACTION_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.action.label
            if role == Qt.ItemDataRole.BackgroundRole:
                return ACTION_COLOURS[row.action]
            return None
        if column == self.issues_column:
            if role == Qt.ItemDataRole.DisplayRole:
                return "; ".join(_short_issue(i) for i in row.issues)
            if role == Qt.ItemDataRole.ToolTipRole and row.issues:
                return "\n".join(i.text() for i in row.issues)
            if role == Qt.ItemDataRole.ForegroundRole and row.issues:
                errors = any(i.severity is Severity.ERROR for i in row.issues)
                return QColor("#b71c1c") if errors else QColor("#7a5200")
            return None
        field = self.field_at(column)
        if field is None:
            return None
        return self._field_data(row, field, role)

    def _field_data(self, row: PreviewRow, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(self._value(row, field))
        issues = [i for i in row.issues if self._field_by_letter.get(i.column) == field]
        if role == Qt.ItemDataRole.BackgroundRole:
            if any(i.severity is Severity.ERROR for i in issues):
                return ERROR_CELL
            if issues:
                return WARNING_CELL
            if field in row.changes:
                return CHANGED_CELL
            return None
        if role == Qt.ItemDataRole.FontRole and field in row.changes:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [i.text() for i in issues]
            if field in row.changes:
                old = display_value(row.changes[field][0])
                lines.append(f"Было: «{old}»" if old else "Было: пусто")
            if not lines and len(text := display_value(self._value(row, field))) > 30:
                lines.append(text)  # long names are elided in the cell
            return "\n".join(lines) or None
        return None

    @staticmethod
    def _value(row: PreviewRow, field: str) -> Any:
        if field == PARENT_FIELD:
            return row.parent_name
        if field == "full_name" and "full_name" not in row.values:
            return row.name  # same as stored (case, quotes, ё aside): the importer keeps the stored spelling
        if field == "parent_id":
            return None
        return row.values.get(field)


def _short_issue(issue: Any) -> str:
    prefix = f"{issue.column}: " if issue.column else ""
    return prefix + issue.message
