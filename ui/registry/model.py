"""The registry table model: the schools `RegistryIndex.select` returns for the current query.

Filtering and sorting happen in `app.registry` over plain Python objects (see its docstring for
why, not a QSortFilterProxyModel); the model only holds the selected rows and answers the view for
the few dozen cells on screen, so 40,000 schools cost nothing until they are looked at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor, QFont

from app.domain import Category, School, academic_year_label
from app.registry import SORT_KEYS, RegistryIndex, RegistryQuery
from ui.registry.columns import (
    DISPLAY_ROLE,
    FONT_ROLE,
    FOREGROUND_ROLE,
    RIGHT_ALIGNED,
    SCHOOL_ID_ROLE,
    SORT_ROLE,
    TEXT_ALIGNMENT_ROLE,
    TOOLTIP_ROLE,
    Column,
)
from ui.signals import emit

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

ARCHIVE_MARK = " (архив)"
_ARCHIVED_COLOUR = QColor(128, 128, 128)
_CATEGORY_ORDER = {category: position for position, category in enumerate(Category)}

_Index = QModelIndex | QPersistentModelIndex


COLUMN_TITLES = {
    Column.NAME: "Наименование",
    Column.KIND: "Тип",
    Column.LOCALITY: "Городская/сельская",
    Column.SETTLEMENT: "Населённый пункт",
    Column.DIRECTOR: "Руководитель",
    Column.STUDENTS: "Обучающихся",
    Column.CATEGORIES: "Категории",  # the year is added: «Категории 2020/2021»
    Column.PARENT: "Филиал ОО",
    Column.INN: "ИНН",
}

# Which `app.registry.SORT_KEYS` entry each column sorts by.
COLUMN_SORT_KEYS = {
    Column.NAME: "name",
    Column.KIND: "kind",
    Column.LOCALITY: "locality",
    Column.SETTLEMENT: "settlement",
    Column.DIRECTOR: "director",
    Column.STUDENTS: "students",
    Column.CATEGORIES: "categories",
    Column.PARENT: "parent",
    Column.INN: "inn",
}


def category_labels(school: School) -> str:
    ordered = sorted(school.categories, key=lambda c: _CATEGORY_ORDER[c.category])
    return ", ".join(c.category.label for c in ordered)


def format_count(value: int | None) -> str:
    """1050 → «1 050» (a non-breaking space, as Russian documents group thousands)."""
    return "" if value is None else f"{value:,}".replace(",", "\u00a0")


class RegistryTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._index = RegistryIndex()
        self._year: int | None = None
        self._query = RegistryQuery()
        self._sort_column = Column.NAME
        self._descending = False
        self._rows: list[School] = []
        self._archived = 0
        self._archived_font = QFont()
        self._archived_font.setItalic(True)

    # --- what is shown ---------------------------------------------------------------------------
    @property
    def registry(self) -> RegistryIndex:
        return self._index

    @property
    def query(self) -> RegistryQuery:
        return self._query

    @property
    def year(self) -> int | None:
        return self._year

    @property
    def sort_column(self) -> Column:
        return self._sort_column

    @property
    def descending(self) -> bool:
        return self._descending

    def set_registry(self, index: RegistryIndex, year: int | None) -> None:
        """New data (a reload or an edit); the query and the sort order stay."""
        year_changed = year != self._year
        self._index = index
        self._year = year
        self._archived = sum(1 for s in index.schools if s.archived_at is not None)
        if year_changed:
            from PySide6.QtCore import Qt

            emit(self.headerDataChanged, Qt.Orientation.Horizontal, Column.CATEGORIES, Column.CATEGORIES)
        self.refresh()

    def set_query(self, query: RegistryQuery) -> None:
        self._query = query
        self.refresh()

    def refresh(self) -> None:
        key = COLUMN_SORT_KEYS[self._sort_column]
        self.set_rows(self._index.select(self._query, key, self._descending))

    def set_rows(self, rows: list[School]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder | None = None) -> None:
        """Qt's `sort(column, order)`; no order means ascending, as in Qt."""
        from PySide6.QtCore import Qt

        if column not in COLUMN_SORT_KEYS:
            return
        self._sort_column = Column(column)
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- lookups ---------------------------------------------------------------------------------
    def school_at(self, row: int) -> School | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, school_id: int) -> int | None:
        for row, school in enumerate(self._rows):
            if school.id == school_id:
                return row
        return None

    def shown_ids(self) -> list[int]:
        return [s.id for s in self._rows]

    def total_count(self) -> int:
        """Schools in the registry (the archive not counted)."""
        return len(self._index.schools) - self._archived

    def archived_count(self) -> int:
        return self._archived

    # --- QAbstractTableModel -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE) -> Any:
        from PySide6.QtCore import Qt

        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == DISPLAY_ROLE:
            title = COLUMN_TITLES[column]
            if column == Column.CATEGORIES and self._year is not None:
                title = f"{title} {academic_year_label(self._year)}"
            return title
        if role == TOOLTIP_ROLE and column == Column.PARENT:
            return "Головная организация, если школа — филиал"
        return None

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid():
            return None
        school = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY_ROLE:
            return self._display(school, column)
        if role == SORT_ROLE:
            return SORT_KEYS[COLUMN_SORT_KEYS[Column(column)]](school)
        if role == SCHOOL_ID_ROLE:
            return school.id
        if role == FOREGROUND_ROLE:
            return _ARCHIVED_COLOUR if school.archived_at is not None else None
        if role == FONT_ROLE:
            return self._archived_font if school.archived_at is not None else None
        if role == TEXT_ALIGNMENT_ROLE and column == Column.STUDENTS:
            return RIGHT_ALIGNED
        if role == TOOLTIP_ROLE:
            return self._tooltip(school, column)
        return None

    @staticmethod
    def _display(school: School, column: int) -> str:
        if column == Column.NAME:
            return school.display_name + (ARCHIVE_MARK if school.archived_at is not None else "")
        if column == Column.KIND:
            return school.kind.label
        if column == Column.LOCALITY:
            return school.locality.label
        if column == Column.SETTLEMENT:
            return school.settlement
        if column == Column.DIRECTOR:
            return school.director
        if column == Column.STUDENTS:
            return format_count(school.students)
        if column == Column.CATEGORIES:
            return category_labels(school)
        if column == Column.PARENT:
            return school.parent_name
        if column == Column.INN:
            return school.inn
        return ""

    @staticmethod
    def _tooltip(school: School, column: int) -> str | None:
        if column == Column.NAME:
            text = school.full_name
            if school.archived_at is not None:
                text += f"\nВ архиве: {school.archive_reason}" if school.archive_reason else "\nВ архиве"
            return text
        if column == Column.CATEGORIES and school.categories:
            lines = []
            for category in sorted(school.categories, key=lambda c: _CATEGORY_ORDER[c.category]):
                line = category.category.description
                if category.reason:
                    line += f": {category.reason}"
                source = category.source.label
                if category.document_ref:
                    source += f", {category.document_ref}"
                lines.append(f"{line} ({source})")
            return "\n".join(lines)
        return None
