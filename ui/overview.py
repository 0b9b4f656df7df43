"""«Обзор»: what needs attention now, section by section.

The page is a list of `OverviewSection`s, each a title and a table model with a `refresh()`;
this issue adds the plans' overdue items and those due within 30 days. Later issues add their
own warnings (monitoring forms not returned, lists without a document…) by appending a section
to `OverviewPage.sections` — nothing else on the page changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.plans.model import DueItem
from app.plans.service import PlanService
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from ui.signals import emit, protect_none
from ui.undo import ChangeHistory

protect_none()

DUE_ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
HORIZON_DAYS = 30
_OVERDUE_COLOUR = QColor("#b71c1c")
_Index = QModelIndex | QPersistentModelIndex


class DueItemsModel(QAbstractTableModel):
    """Plan items overdue (or due soon) across all plans."""

    TITLES = ("План", "№", "Мероприятие", "Срок", "Дата окончания", "Ответственный")
    PLAN, NUMBER, MEASURE, DEADLINE, DUE, RESPONSIBLE = range(6)

    def __init__(self, database: Database, *, overdue: bool, parent: Any = None) -> None:
        super().__init__(parent)
        self.database = database
        self.overdue = overdue
        self.today: date | None = None
        self._rows: list[DueItem] = []

    def refresh(self) -> None:
        today = self.today or date.today()
        rows = PlanService(self.database).due_items(today, horizon_days=HORIZON_DAYS)
        self.beginResetModel()
        self._rows = [r for r in rows if r.overdue == self.overdue]
        self.endResetModel()

    def item_at(self, row: int) -> DueItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.TITLES[section] if 0 <= section < len(self.TITLES) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column, short=True)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(item, column, short=False)
        if role == DUE_ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.ForegroundRole and item.overdue and column in (self.DEADLINE, self.DUE):
            return _OVERDUE_COLOUR
        return None

    def _text(self, item: DueItem, column: int, *, short: bool) -> str:
        if column == self.PLAN:
            return " ".join(item.plan_title.split()) if short else item.plan_title
        if column == self.NUMBER:
            return item.number
        if column == self.MEASURE:
            return " ".join(item.measure.split()) if short else item.measure
        if column == self.DEADLINE:
            return item.deadline_text
        if column == self.DUE:
            return f"{item.due:%d.%m.%Y}"
        if column == self.RESPONSIBLE:
            return " ".join(item.responsible.split()) if short else item.responsible
        return ""


@dataclass
class OverviewSection:
    """One block of the overview: a title, its rows, and what double-clicking a row does."""

    title: str
    model: Any  # a QAbstractItemModel with refresh()
    activate: Callable[[int], None]  # called with the row
    empty_text: str = "Нет"
    refresh_tables: frozenset[str] = frozenset()  # refresh when a change touches these tables


class OverviewPage(QWidget):
    open_plan_item = Signal(int, int)  # plan id, item id
    counts_changed = Signal(str)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.today = today
        self.sections: list[OverviewSection] = []
        self.tables: list[QTableView] = []
        self._captions: list[QLabel] = []

        self.refresh_button = QPushButton("Обновить")
        self.refresh_button.clicked.connect(self.refresh)
        self._content = QWidget()
        self._layout = QVBoxLayout(self._content)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._content)
        heading = QLabel("<b>Что требует внимания</b>")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)

        plan_tables = frozenset({"plans", "plan_items", "plan_sections"})
        for overdue, title, empty in (
            (True, "Просроченные пункты планов", "Просроченных пунктов нет."),
            (
                False,
                f"Срок истекает в ближайшие {HORIZON_DAYS} дней",
                f"Пунктов со сроком в ближайшие {HORIZON_DAYS} дней нет.",
            ),
        ):
            model = DueItemsModel(database, overdue=overdue, parent=self)
            model.today = today
            self.add_section(
                OverviewSection(
                    title,
                    model,
                    lambda row, m=model: self._open_due(m, row),
                    empty,
                    plan_tables,
                )
            )
        self.refresh()
        history.changed.connect(self._on_history_changed)

    def add_section(self, section: OverviewSection) -> QTableView:
        caption = QLabel()
        caption.setStyleSheet("font-weight: bold; margin-top: 6px;")
        table = QTableView()
        table.setModel(section.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate((240, 50, 420, 150, 110)):
            header.resizeSection(column, width)
        table.activated.connect(lambda index, s=section: s.activate(index.row()))
        position = self._layout.count() - 1  # before the stretch
        self._layout.insertWidget(position, caption)
        self._layout.insertWidget(position + 1, table)
        self.sections.append(section)
        self.tables.append(table)
        self._captions.append(caption)
        return table

    def set_today(self, today: date | None) -> None:
        """Fix «today» (tests, screenshots); None follows the calendar again."""
        self.today = today
        for section in self.sections:
            if isinstance(section.model, DueItemsModel):
                section.model.today = today
        self.refresh()

    def refresh(self) -> None:
        for section, table, caption in zip(self.sections, self.tables, self._captions, strict=True):
            section.model.refresh()
            self._show_count(section, table, caption)
        emit(self.counts_changed, self.counts_text())

    def showEvent(self, event: QShowEvent) -> None:
        # Deadlines pass while the window stays open: what is overdue is read again on each visit.
        if self.sections:
            self.refresh()
        super().showEvent(event)

    def _show_count(self, section: OverviewSection, table: QTableView, caption: QLabel) -> None:
        count = section.model.rowCount()
        caption.setText(f"{section.title}: {count}" if count else section.empty_text)
        table.setVisible(count > 0)
        rows = min(count, 20)
        table.setFixedHeight(
            table.horizontalHeader().sizeHint().height()
            + rows * table.verticalHeader().defaultSectionSize()
            + 2 * table.frameWidth()
            + (table.horizontalScrollBar().sizeHint().height() if count else 0)
        )

    def _on_history_changed(self, changeset: ChangeSet) -> None:
        tables = {change.table for change in changeset.changes}
        for section, table, caption in zip(self.sections, self.tables, self._captions, strict=True):
            if tables & section.refresh_tables:
                section.model.refresh()
                self._show_count(section, table, caption)
        emit(self.counts_changed, self.counts_text())

    def _open_due(self, model: DueItemsModel, row: int) -> None:
        item = model.item_at(row)
        if item is not None:
            emit(self.open_plan_item, item.plan_id, item.item_id)

    def counts_text(self) -> str:
        overdue = self.sections[0].model.rowCount() if self.sections else 0
        return f"Просрочено {overdue} {plural(overdue, 'пункт', 'пункта', 'пунктов')}"
