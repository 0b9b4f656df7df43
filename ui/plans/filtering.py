"""Filtering the plan table: by text, responsible, school, status and month.

The proxy decides every row once per change of the criteria (a Python loop over the model's
rows, a few milliseconds at 2,000 items) and keeps the answers in a list, so Qt's calls back into
`filterAcceptsRow` are a list lookup. A section heading stays when any of its items matches (and
every heading stays when nothing is filtered, so empty sections can be seen and filled).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from app.plans.model import ItemStatus
from app.plans.service import responsible_names as split_responsible
from app.text import fold
from ui.plans.model import PlanRow, PlanTableModel, State

_Index = QModelIndex | QPersistentModelIndex

STATUS_OPEN = "open"  # not closed: planned or in progress
STATUS_OVERDUE = "overdue"


@dataclass(frozen=True)
class PlanFilter:
    text: str = ""
    responsible: str = ""  # a name as listed by `responsible_names`
    school_id: int | None = None
    status: str | None = None  # an ItemStatus value, STATUS_OPEN or STATUS_OVERDUE
    month: int | None = None  # index of the month in the plan's period

    @property
    def is_empty(self) -> bool:
        return (
            not self.text.strip()
            and not self.responsible
            and self.school_id is None
            and (self.status is None and self.month is None)
        )


def responsible_names(model: PlanTableModel) -> list[str]:
    """Distinct responsible executors of the plan, as written (split at commas and line breaks)."""
    seen: dict[str, str] = {}
    for row in model.rows():
        if row.item is None:
            continue
        for name in split_responsible(row.item.responsible):
            if fold(name) not in seen:
                seen[fold(name)] = name
    return sorted(seen.values(), key=fold)


def row_matches(
    model: PlanTableModel, number: int, row: PlanRow, criteria: PlanFilter, words: list[str]
) -> bool:
    item = row.item
    if item is None:
        return False
    if criteria.status is not None:
        if criteria.status == STATUS_OPEN:
            if item.status.is_closed:
                return False
        elif criteria.status == STATUS_OVERDUE:
            if row.state != State.OVERDUE:
                return False
        elif item.status is not ItemStatus(criteria.status):
            return False
    if criteria.month is not None and (row.bar is None or criteria.month not in row.bar.months):
        return False
    if criteria.school_id is not None and criteria.school_id not in item.school_ids:
        return False
    if criteria.responsible and fold(criteria.responsible) not in fold(item.responsible):
        return False
    if words:
        text = model.search_text(number)
        return all(word in text for word in words)
    return True


class PlanFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.criteria = PlanFilter()
        self._accepted: list[bool] | None = None
        self.setDynamicSortFilter(False)  # the view refilters after each reload

    def setSourceModel(self, model: Any) -> None:
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self._forget)

    def _forget(self) -> None:
        self._accepted = None

    @property
    def plan_model(self) -> PlanTableModel:
        model = self.sourceModel()
        assert isinstance(model, PlanTableModel)
        return model

    def set_criteria(self, criteria: PlanFilter) -> None:
        self.criteria = criteria
        self.refilter()

    def refilter(self) -> None:
        """Decide every row again (after new criteria or new data)."""
        self.beginFilterChange()
        self._accepted = None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _decide(self) -> list[bool]:
        model = self.plan_model
        rows = model.rows()
        criteria = self.criteria
        if criteria.is_empty:
            return [True] * len(rows)
        words = fold(criteria.text).split()
        accepted = [False] * len(rows)
        heading: int | None = None
        for number, row in enumerate(rows):
            if row.section is not None:
                heading = number
                # A heading whose own title matches the search shows with all its items.
                continue
            if row_matches(model, number, row, criteria, words):
                accepted[number] = True
                if heading is not None:
                    accepted[heading] = True
        return accepted

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if self._accepted is None or len(self._accepted) != self.plan_model.rowCount():
            self._accepted = self._decide()
        return self._accepted[source_row]

    def shown_item_count(self) -> int:
        model = self.plan_model
        count = 0
        for row in range(self.rowCount()):
            if model.item_at(self.mapToSource(self.index(row, 0)).row()) is not None:
                count += 1
        return count
