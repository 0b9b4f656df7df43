"""The year's partnerships as a table: one row per group, as in the appendix «Перечень групп школ»."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.exporting.partnership_xlsx import COLUMNS, distances_text, km_text, row_values
from app.partnerships.model import PartnershipGroup, PartnershipStatus, distance_km
from ui.signals import protect_none

protect_none()

GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
_STATUS_COLOURS = {
    PartnershipStatus.PLANNED: QColor("#1f5f99"),
    PartnershipStatus.FINISHED: QColor("#607d8b"),
    PartnershipStatus.CANCELLED: QColor("#9e9e9e"),
}


class GroupsModel(QAbstractTableModel):
    TITLES = (
        "№",
        "Вид",
        "Школы с низкими результатами",
        "Школы-партнёры",
        "Расстояние, км",
        "Соглашение",
        "Совместные мероприятия",
        "Состояние",
    )
    NUMBER, KIND, TARGETS, SUPPORTERS, DISTANCE, AGREEMENT, ACTIVITIES, STATUS = range(8)
    assert len(TITLES) == len(COLUMNS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[PartnershipGroup] = []
        self._values: list[list[object]] = []

    def set_groups(self, groups: list[PartnershipGroup]) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        self._values = [row_values(number, g) for number, g in enumerate(self._groups, start=1)]
        self.endResetModel()

    def groups(self) -> list[PartnershipGroup]:
        return list(self._groups)

    def group_at(self, row: int) -> PartnershipGroup | None:
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def row_of(self, group_id: int) -> int | None:
        return next((r for r, g in enumerate(self._groups) if g.id == group_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._groups)

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
        row, column = index.row(), index.column()
        group = self._groups[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DISTANCE and len(group.links()) > 1:
                known = [distance_km(a, b) for a, b in group.links()]
                return "; ".join("—" if d is None else f"{d:.1f}".replace(".", ",") for d in known)
            value = self._values[row][column]
            if column == self.DISTANCE:
                return km_text(value) if not isinstance(value, str) else value
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.DISTANCE:
                return distances_text(group)
            text = str(self._values[row][column])
            return text if column in (self.TARGETS, self.SUPPORTERS, self.ACTIVITIES) else group.title
        if role == GROUP_ROLE:
            return group
        if role == SORT_ROLE:
            if column == self.DISTANCE:
                known = [d for d in (distance_km(a, b) for a, b in group.links()) if d is not None]
                return max(known) if known else -1.0
            value = self._values[row][column]
            return value if isinstance(value, int) else str(value).casefold()
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return _STATUS_COLOURS.get(group.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NUMBER, self.DISTANCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None
