"""The matrix of one monitoring campaign: schools (rows) × leaf criteria (columns).

Everything a cell shows is computed once when the matrix is set (display texts, completeness,
colours), so painting 1,600 schools × 120 criteria only looks values up. Filters (a school name
search, «только незаполненные», one top-level group of criteria) pick rows and columns from the
precomputed lists and reset the model.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.monitoring.service import Criterion, Matrix, display_value
from app.text import fold, plural

_Index = QModelIndex | QPersistentModelIndex

RED = QColor("#f4c7c3")
YELLOW = QColor("#fce8b2")
GREEN = QColor("#b7e1cd")
EMPTY_REQUIRED = QColor("#fdf0ef")
SCHOOL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 2


_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value


def completeness_colour(fraction: float) -> QColor:
    """Red below a half, yellow below all, green when every required criterion is filled."""
    if fraction < 0.5:
        return RED
    if fraction < 1.0:
        return YELLOW
    return GREEN


def top_groups(criteria: list[Criterion]) -> dict[int, int]:
    """Each criterion's top-level ancestor (a top-level criterion is its own)."""
    top: dict[int, int] = {}
    for criterion in criteria:  # reading order: a parent comes before its children
        parent = criterion.parent_id
        top[criterion.id] = top.get(parent, criterion.id) if parent is not None else criterion.id
    return top


class MatrixModel(QAbstractTableModel):
    SCHOOL = 0
    COMPLETE = 1
    FIRST_CRITERION = 2

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.matrix: Matrix | None = None
        self._schools: list[tuple[int, str]] = []
        self._folded: list[str] = []
        self._texts: list[list[str]] = []  # per school, per leaf: the display text
        self._fractions: list[float] = []
        self._complete_texts: list[str] = []
        self._leaves: list[Criterion] = []
        self._top: dict[int, int] = {}
        self._rows: list[int] = []
        self._columns: list[int] = []
        self._search = ""
        self._only_unfilled = False
        self._group_id: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes = {id(c): QBrush(c) for c in (RED, YELLOW, GREEN, EMPTY_REQUIRED)}

    # --- data in -------------------------------------------------------------------------------
    def set_matrix(self, matrix: Matrix | None, tree: list[Criterion] | None = None) -> None:
        """The campaign's matrix; `tree` is the whole template (groups too) for the group filter."""
        self.beginResetModel()
        self.matrix = matrix
        self._schools = list(matrix.schools) if matrix else []
        self._leaves = list(matrix.criteria) if matrix else []
        self._top = top_groups(tree if tree is not None else self._leaves)
        self._folded = [fold(name) for _id, name in self._schools]
        self._texts = []
        self._fractions = []
        self._complete_texts = []
        if matrix is not None:
            values = matrix.values
            for school_id, _name in self._schools:
                self._texts.append(
                    [display_value(c, values.get((school_id, c.id), "")) for c in self._leaves]
                )
                done, total = matrix.required_filled(school_id)
                self._fractions.append(1.0 if total == 0 else done / total)
                self._complete_texts.append(f"{done} из {total}")
        self._apply_filters()
        self.endResetModel()

    def set_filters(
        self, *, search: str | None = None, only_unfilled: bool | None = None, group_id: object = ...
    ) -> None:
        """Change any of the filters (`group_id=None`: every group)."""
        self.beginResetModel()
        if search is not None:
            self._search = fold(search.strip())
        if only_unfilled is not None:
            self._only_unfilled = only_unfilled
        if group_id is not ...:
            self._group_id = group_id  # type: ignore[assignment]
        self._apply_filters()
        self.endResetModel()

    def _apply_filters(self) -> None:
        search, unfilled = self._search, self._only_unfilled
        self._rows = [
            row
            for row in range(len(self._schools))
            if (not search or search in self._folded[row]) and (not unfilled or self._fractions[row] < 1.0)
        ]
        group = self._group_id
        self._columns = [
            column
            for column, criterion in enumerate(self._leaves)
            if group is None or self._top.get(criterion.id) == group
        ]

    # --- questions -----------------------------------------------------------------------------------
    def school_at(self, row: int) -> tuple[int, str] | None:
        return self._schools[self._rows[row]] if 0 <= row < len(self._rows) else None

    def row_of(self, school_id: int) -> int | None:
        for row, index in enumerate(self._rows):
            if self._schools[index][0] == school_id:
                return row
        return None

    def criterion_at(self, column: int) -> Criterion | None:
        column -= self.FIRST_CRITERION
        return self._leaves[self._columns[column]] if 0 <= column < len(self._columns) else None

    def total_schools(self) -> int:
        return len(self._schools)

    def complete_schools(self) -> int:
        return sum(1 for fraction in self._fractions if fraction >= 1.0)

    def counts_text(self) -> str:
        if self.matrix is None:
            return ""
        total = len(self._schools)
        shown = len(self._rows)
        text = f"{total} {plural(total, 'школа', 'школы', 'школ')}, заполнили полностью {self.complete_schools()}"
        return text if shown == total else f"Показано {shown} из {text}"

    # --- Qt ------------------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else self.FIRST_CRITERION + len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if section == self.SCHOOL:
            return {Qt.ItemDataRole.DisplayRole: "Школа"}.get(role)
        if section == self.COMPLETE:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Заполнено"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Заполнено обязательных пунктов из всех обязательных"
            return None
        criterion = self.criterion_at(section)
        if criterion is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return criterion.number or "—"
        if role == Qt.ItemDataRole.ToolTipRole:
            required = "" if criterion.required else " (необязательный)"
            return f"{criterion.label}{required}"
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called for every visible cell and role on each repaint: plain ints, no enum lookups.
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if column >= self.FIRST_CRITERION:
            leaf = self._columns[column - self.FIRST_CRITERION]
            text = self._texts[row][leaf]
            if role == _DISPLAY:
                return text
            if role == _BACKGROUND:
                return self._brushes[id(EMPTY_REQUIRED)] if not text and self._leaves[leaf].required else None
            if role == _TOOLTIP:
                criterion = self._leaves[leaf]
                return f"{criterion.label}\n{text or 'не заполнено'}"
            return None
        if column == self.SCHOOL:
            if role in (_DISPLAY, _TOOLTIP):
                return self._schools[row][1]
            if role == SCHOOL_ID_ROLE:
                return self._schools[row][0]
            return None
        if role == _DISPLAY:
            return self._complete_texts[row]
        if role == _BACKGROUND:
            return self._brushes[id(completeness_colour(self._fractions[row]))]
        if role == FRACTION_ROLE:
            return self._fractions[row]
        if role == _ALIGNMENT:
            return Qt.AlignmentFlag.AlignCenter
        if role == _TOOLTIP:
            return f"Заполнено обязательных пунктов: {self._complete_texts[row]}"
        return None
