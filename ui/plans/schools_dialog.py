"""Choosing an item's target schools from the registry: a checkable list with search."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from app.domain import School
from app.text import fold


class _FoldedFilter(QSortFilterProxyModel):
    """Case- and ё-insensitive filter (Qt's own does not fold ё)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.needle = ""

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self.needle = fold(text.strip())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:
        if not self.needle:
            return True
        model = self.sourceModel()
        text = model.index(source_row, 0).data(Qt.ItemDataRole.UserRole + 1)
        return self.needle in (text or "")


class ItemSchoolsDialog(QDialog):
    """Tick the schools an item is aimed at; «ОК» gives `chosen()` in registry order."""

    def __init__(
        self, caption: str, schools: list[School], chosen: tuple[int, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Школы пункта плана")
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        label = QLabel(caption)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Поиск школы")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = QStandardItemModel(self)
        for school in schools:
            entry = QStandardItem(school.display_name)
            entry.setToolTip(school.full_name)
            entry.setCheckable(True)
            entry.setEditable(False)
            entry.setCheckState(Qt.CheckState.Checked if school.id in chosen else Qt.CheckState.Unchecked)
            entry.setData(school.id, Qt.ItemDataRole.UserRole)
            entry.setData(fold(f"{school.display_name} {school.full_name}"), Qt.ItemDataRole.UserRole + 1)
            self.model.appendRow(entry)
        self.proxy = _FoldedFilter(self)
        self.proxy.setSourceModel(self.model)
        self.list = QListView()
        self.list.setModel(self.proxy)
        layout.addWidget(self.list, 1)
        self.search.textChanged.connect(self.proxy.set_needle)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("ОК", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[int]:
        return [
            int(self.model.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.model.rowCount())
            if self.model.item(row).checkState() == Qt.CheckState.Checked
        ]
