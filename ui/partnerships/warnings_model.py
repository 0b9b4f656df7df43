"""The partnership warnings of a year as a table: on the partnerships page and in «Обзор»."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.partnerships.model import PartnershipWarning, WarningKind
from app.partnerships.service import PartnershipService
from db.connection import Database
from ui.signals import protect_none

protect_none()

WARNING_ROLE = Qt.ItemDataRole.UserRole + 1
PARTNERSHIP_TABLES = frozenset(
    {"partnership_groups", "partnership_members", "school_categories", "schools", "settings"}
)
KIND_LABELS = {
    WarningKind.NO_PARTNER: "Нет партнёра",
    WarningKind.PARTNER_ON_LIST: "Партнёр в перечне",
    WarningKind.TWO_GROUPS: "Два партнёрства",
    WarningKind.INCOMPLETE: "Неполная группа",
    WarningKind.COORDINATES: "Координаты",
}
_Index = QModelIndex | QPersistentModelIndex


class WarningsModel(QAbstractTableModel):
    """`PartnershipService.warnings(year)`, the year given by `year_of()` at each refresh."""

    TITLES = ("Что проверить", "Предупреждение")
    KIND, MESSAGE = range(2)

    def __init__(self, database: Database, year_of: Callable[[], int], parent: Any = None) -> None:
        super().__init__(parent)
        self.database = database
        self.year_of = year_of
        self._rows: list[PartnershipWarning] = []

    def refresh(self) -> None:
        rows = PartnershipService(self.database).warnings(self.year_of())
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def warning_at(self, row: int) -> PartnershipWarning | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def warnings(self) -> list[PartnershipWarning]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.TITLES[section] if 0 <= section < len(self.TITLES) else ""
        return super().headerData(section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return ""
        warning = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == self.KIND:
                return KIND_LABELS.get(warning.kind, "")
            return warning.message
        if role == WARNING_ROLE:
            return warning
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.KIND:
            from PySide6.QtGui import QColor

            return QColor("#b26a00")
        return None
