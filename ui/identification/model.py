"""The proposals of one run as a table: school, category, rule, explanation, weak evidence, decision."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain import Category
from app.results.model import StoredProposal
from app.text import fold
from ui.signals import emit

Index = QModelIndex | QPersistentModelIndex

DECISION_LABELS = {"pending": "Ожидает", "accepted": "Принято", "rejected": "Отклонено"}
DECISION_ORDER = {"pending": 0, "accepted": 1, "rejected": 2}
DECISION_COLOURS = {
    "pending": QColor("#6d4c41"),
    "accepted": QColor("#1b5e20"),
    "rejected": QColor("#757575"),
}
CATEGORY_ORDER = {"low_results": 0, "unfavourable": 1, "nonobjective": 2}
WEAK_COLOUR = QColor("#b26a00")


def category_label(category: str) -> str:
    try:
        return Category(category).label
    except ValueError:
        return category


def rule_title(rule: str) -> str:
    from app.results.rules import RULES

    info = RULES.get(rule)
    return info.title if info is not None else rule


def weak_text(min_participants: int = 20) -> str:
    return f"менее {min_participants} участников — не доказательство"


def proposal_text(proposal: StoredProposal) -> str:
    """Everything a search may look for in a proposal, folded."""
    return fold(
        " ".join(
            (
                proposal.school_name,
                category_label(proposal.category),
                rule_title(proposal.rule),
                proposal.explanation,
                DECISION_LABELS.get(proposal.decision, proposal.decision),
            )
        )
    )


class ProposalsModel(QAbstractTableModel):
    """The proposals shown (already filtered), sortable by any column."""

    SCHOOL, CATEGORY, RULE, EXPLANATION, WEAK, DECISION = range(6)
    HEADERS = ("Школа", "Категория", "Правило", "Показатели", "Слабые данные", "Решение")
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[StoredProposal] = []
        self.min_participants = 20
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: list[StoredProposal], min_participants: int = 20) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.min_participants = min_participants
        self._apply_sort()
        self.endResetModel()

    def proposal_at(self, row: int) -> StoredProposal | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, proposal_id: int) -> int | None:
        return next((row for row, p in enumerate(self.rows) if p.id == proposal_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == self.WEAK:
                return f"Выборка менее {self.min_participants} участников: показывается, но не доказательство"
        return None

    def text(self, proposal: StoredProposal, column: int) -> str:
        if column == self.SCHOOL:
            return proposal.school_name
        if column == self.CATEGORY:
            return category_label(proposal.category)
        if column == self.RULE:
            return rule_title(proposal.rule)
        if column == self.EXPLANATION:
            return proposal.explanation
        if column == self.WEAK:
            return weak_text(self.min_participants) if proposal.weak_evidence else ""
        return DECISION_LABELS.get(proposal.decision, proposal.decision)

    def sort_key(self, proposal: StoredProposal, column: int) -> tuple[Any, ...]:
        if column == self.CATEGORY:
            return (CATEGORY_ORDER.get(proposal.category, 9), fold(proposal.school_name))
        if column == self.DECISION:
            return (DECISION_ORDER.get(proposal.decision, 9), fold(proposal.school_name))
        if column == self.WEAK:
            return (not proposal.weak_evidence, fold(proposal.school_name))
        return (fold(self.text(proposal, column)), proposal.id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        proposal = self.proposal_at(index.row()) if index.isValid() else None
        if proposal is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(proposal, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.EXPLANATION or column == self.RULE:
                return f"{rule_title(proposal.rule)}\n\n{proposal.explanation}\n\nEnter или двойной щелчок — подробно"
            if column == self.WEAK and proposal.weak_evidence:
                return (
                    f"Участников меньше {self.min_participants}: результат показан, "
                    "но основанием для включения в список не считается"
                )
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.DECISION:
                return DECISION_COLOURS.get(proposal.decision)
            if column == self.WEAK:
                return WEAK_COLOUR
        if role == Qt.ItemDataRole.FontRole and column == self.DECISION and proposal.decision != "pending":
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(proposal.decision == "accepted")
            return font
        if role == self.SORT_ROLE:
            return self.sort_key(proposal, column)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        emit(self.layoutAboutToBeChanged)
        self._sort = (column, order)
        self._apply_sort()
        emit(self.layoutChanged)

    def _apply_sort(self) -> None:
        column, order = self._sort
        if column < 0:
            return  # the service's order: category, school, rule
        self.rows.sort(key=lambda p: self.sort_key(p, column), reverse=order == Qt.SortOrder.DescendingOrder)
