"""The plan table model: section heading rows and item rows in reading order, one column per month.

Left come the plan's own columns, in the plan's order and with the plan's titles (as the document
has them), then the status, then one column per month of the plan's period. Everything the Gantt
delegate paints is computed here once per plan (`RowBar`: a `BarCell` per month, or none), so
painting does no date arithmetic, and a reload after an edit only touches the rows that changed.

Writes do not happen here: `setData` hands the change to `commit` (set by the view), which calls
the service and pushes the change set on the undo stack; the view then reloads the plan.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from app.plans.model import ColumnRole, ItemStatus, Plan, PlanColumn, PlanItem, PlanSection
from app.plans.service import item_is_overdue
from app.text import fold
from ui.signals import emit, protect_none

protect_none()  # see ui/signals.py: painting a Gantt table would exhaust None

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the PlanItem of an item row (None on section rows)
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2  # the PlanSection of a section row
BAR_ROLE = Qt.ItemDataRole.UserRole + 3  # month columns: the BarCell to paint, or NO_BAR
TODAY_ROLE = Qt.ItemDataRole.UserRole + 4  # month columns: where today falls in the month (0…1) or NO_TODAY
STATE_ROLE = Qt.ItemDataRole.UserRole + 5  # item rows: «open», «overdue», «done», «not_done», «cancelled»
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 6  # item rows: the colour of the state (QColor)

ITEM_MIME_TYPE = "application/x-opora-plan-item"
# The roles the delegate asks for on every paint never answer None (PySide6 6.12.0 steals a
# reference to each None it returns, see ui/signals.py): these stand for «nothing here».
NO_TODAY = -1.0

MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
MONTHS_FULL = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)

STATUS_TITLE = "Отметка"
UNDATED_LABEL = "без срока"
NOT_UNDERSTOOD_TIP = "Срок не распознан — он сохранён как написан"
OUTSIDE_TIP = "Срок вне периода плана: проверьте год в сроке или период плана (Свойства…)"


class State:
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"
    NOT_DONE = "not_done"
    CANCELLED = "cancelled"


STATE_COLOURS = {
    State.OPEN: QColor("#1e6fc0"),
    State.OVERDUE: QColor("#d32f2f"),
    State.DONE: QColor("#2e7d32"),
    State.NOT_DONE: QColor("#a0522d"),
    State.CANCELLED: QColor("#9e9e9e"),
}
UNDATED_COLOUR = QColor("#8a8a8a")
SECTION_BACKGROUND = QColor("#e3ebf4")
SECTION_FOREGROUND = QColor("#16426b")
NOT_UNDERSTOOD_BACKGROUND = QColor("#fff3cd")
OVERDUE_TEXT = QColor("#b71c1c")
CLOSED_TEXT = QColor("#707070")

# The fields of `PlanService.update_item` each editable column writes.
EDIT_FIELDS = {
    ColumnRole.NUMBER: "number",
    ColumnRole.MEASURE: "measure",
    ColumnRole.DEADLINE: "deadline_text",
    ColumnRole.RESPONSIBLE: "responsible",
    ColumnRole.RESULT: "result",
    ColumnRole.SCHOOLS: "schools_text",
}
# Columns whose text has several lines: edited in a multi-line editor, wrapped in the table.
MULTILINE_ROLES = frozenset(
    {ColumnRole.MEASURE, ColumnRole.RESPONSIBLE, ColumnRole.RESULT, ColumnRole.SCHOOLS, ColumnRole.OTHER}
)

_Index = QModelIndex | QPersistentModelIndex


class Fill(IntEnum):
    SOLID = 1  # the item's period
    LIGHT = 2  # «до …»: any time from the plan's start up to the date
    DASHED = 3  # recurring («ежемесячно»): ticks over the period
    DOTTED = 4  # no dates («по запросу», not understood): a grey dotted line over the whole plan


@dataclass(frozen=True, slots=True)
class BarCell:
    """What the delegate paints in one month cell of one item."""

    fill: Fill
    colour: QColor
    starts: bool = False  # the bar begins in this month (a rounded left end)
    ends: bool = False  # the bar ends in this month (a rounded right end)
    marker: float | None = None  # a deadline marker at this fraction of the month (0…1)


NO_BAR = BarCell(Fill.SOLID, QColor())  # compared by identity: no bar in this month


@dataclass(frozen=True, slots=True)
class RowBar:
    cells: tuple[BarCell | None, ...]
    months: frozenset[int]  # indexes of the months the deadline covers (the month filter)
    tooltip: str


@dataclass(slots=True)
class PlanRow:
    section: PlanSection | None = None
    item: PlanItem | None = None
    bar: RowBar | None = None
    state: str = State.OPEN
    search_text: str | None = None  # folded, built on the first search

    @property
    def key(self) -> tuple[str, int]:
        if self.item is not None:
            return ("item", self.item.id)
        assert self.section is not None
        return ("section", self.section.id)


CommitTarget = PlanItem | PlanSection
Commit = Callable[[CommitTarget, dict[str, Any]], bool]
Move = Callable[[list[int], int | None, int], bool]  # item ids, section id, index among its items


# --- months ------------------------------------------------------------------------------------------
def plan_months(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every month from `start`'s to `end`'s, inclusive."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_title(year: int, month: int) -> str:
    """«Сен\\n2020»: two short lines, so twelve months fit a screen."""
    return f"{MONTHS_SHORT[month - 1].capitalize()}\n{year}"


def month_label(year: int, month: int) -> str:
    """«сентябрь 2020» (the filter's and the tooltip's wording)."""
    return f"{MONTHS_FULL[month - 1]} {year}"


def _month_key(value: date) -> int:
    return value.year * 12 + value.month - 1


def _fraction(value: date) -> float:
    """Where the day falls in its month: the middle of the day, 0…1."""
    days = calendar.monthrange(value.year, value.month)[1]
    return (value.day - 0.5) / days


def _format(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "…"


# --- states and bars ---------------------------------------------------------------------------------
def item_state(item: PlanItem, today: date) -> str:
    if item.status is ItemStatus.DONE:
        return State.DONE
    if item.status is ItemStatus.CANCELLED:
        return State.CANCELLED
    if item.status is ItemStatus.NOT_DONE:
        return State.NOT_DONE
    return State.OVERDUE if item_is_overdue(item, today) else State.OPEN


def deadline_tooltip(item: PlanItem) -> str:
    deadline = item.deadline
    kind = str(deadline.kind)
    lines = [deadline.text or "Срок не указан"]
    if not deadline.understood:
        lines.append(NOT_UNDERSTOOD_TIP)
    elif kind == "undated":
        lines.append(f"{deadline.kind.label}: на шкале не показан")
    elif kind == "until":
        lines.append(f"{deadline.kind.label}: до {_format(deadline.end)}")
    elif kind == "from":
        lines.append(f"{deadline.kind.label}: с {_format(deadline.start)}")
    else:
        lines.append(f"{deadline.kind.label}: {_format(deadline.start)} — {_format(deadline.end)}")
    return "\n".join(lines)


def build_bar(item: PlanItem, state: str, first_month: int, count: int) -> RowBar:
    """The bar of one item over `count` months starting at month key `first_month`."""
    deadline = item.deadline
    kind = str(deadline.kind)
    colour = STATE_COLOURS[state]
    cells: list[BarCell | None] = [None] * count
    tooltip = f"{deadline_tooltip(item)}\n{item.status.label}"
    if kind == "undated" or (deadline.start is None and deadline.end is None):
        dotted = BarCell(Fill.DOTTED, UNDATED_COLOUR if state == State.OPEN else colour)
        return RowBar((dotted,) * count, frozenset(), tooltip)
    last_month = first_month + count - 1
    start = _month_key(deadline.start) if deadline.start is not None else None
    end = _month_key(deadline.end) if deadline.end is not None else None
    # Open ends are unbounded (as app.deadlines.covers_month reads them), clipped to the plan.
    lo = max(first_month, start if start is not None else first_month)
    hi = min(last_month, end if end is not None else last_month)
    months = frozenset(range(lo - first_month, hi - first_month + 1)) if lo <= hi else frozenset()
    if lo > hi:
        return RowBar(tuple(cells), months, tooltip + "\nСрок за пределами периода плана")
    if kind == "until":
        # Lighter from the plan's start, full in the month of the date, a marker on the day.
        for key in range(lo, hi + 1):
            cells[key - first_month] = BarCell(
                Fill.LIGHT if key < hi or end != hi else Fill.SOLID,
                colour,
                starts=key == lo and start is not None and start >= first_month,
                ends=key == hi and end == hi,
                marker=_fraction(deadline.end) if key == end and deadline.end is not None else None,
            )
        return RowBar(tuple(cells), months, tooltip)
    fill = Fill.DASHED if kind == "recurring" else Fill.SOLID
    for key in range(lo, hi + 1):
        cells[key - first_month] = BarCell(
            fill,
            colour,
            starts=key == lo and start is not None and start >= first_month,
            ends=key == hi and end is not None and end <= last_month,
        )
    return RowBar(tuple(cells), months, tooltip)


# --- the model ---------------------------------------------------------------------------------------
class PlanTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plan: Plan | None = None
        self.today = date.today()
        self.commit: Commit | None = None
        self.move: Move | None = None
        self._rows: list[PlanRow] = []
        self._plan_columns: tuple[PlanColumn, ...] = ()
        self._months: list[tuple[int, int]] = []
        self._first_month = 0
        self._today_column = -1
        self._today_fraction = 0.0
        self._built_today: date | None = None  # the «today» the rows' states were computed for
        self._section_font = QFont()
        self._section_font.setBold(True)
        self._italic_font = QFont()
        self._italic_font.setItalic(True)
        self._struck_font = QFont()
        self._struck_font.setStrikeOut(True)
        self._bold_font = QFont()
        self._bold_font.setBold(True)
        self._warning_icon: Any = None

    # --- loading -------------------------------------------------------------------------------------
    def set_plan(self, plan: Plan | None, today: date | None = None) -> None:
        """Show `plan`; when only items' contents changed, only those rows are refreshed."""
        if today is not None:
            self.today = today
        if plan is None:
            self.beginResetModel()
            self.plan = None
            self._rows = []
            self._plan_columns = ()
            self._months = []
            self._today_column = -1
            self.endResetModel()
            return
        rows = self._build_rows(plan)
        same_shape = (
            self.plan is not None
            and self._built_today == self.today
            and self.plan.id == plan.id
            and self.plan.columns == plan.columns
            and (self.plan.period_start, self.plan.period_end) == (plan.period_start, plan.period_end)
            and len(rows) == len(self._rows)
            and all(a.key == b.key for a, b in zip(rows, self._rows, strict=True))
        )
        if not same_shape:
            self.beginResetModel()
            self._set_shape(plan)
            self._rows = self._with_bars(rows)
            self.endResetModel()
            return
        self.plan = plan
        changed = [
            number
            for number, (new, old) in enumerate(zip(rows, self._rows, strict=True))
            if new.item != old.item or new.section != old.section or self._item_extra_changed(new, old)
        ]
        for number in changed:
            self._rows[number] = self._with_bars([rows[number]])[0]
        last_column = self.columnCount() - 1
        for number in changed:
            emit_data_changed(self, self.index(number, 0), self.index(number, last_column))

    @staticmethod
    def _item_extra_changed(new: PlanRow, old: PlanRow) -> bool:
        return new.item is not None and old.item is not None and new.item.extra != old.item.extra

    def set_today(self, today: date) -> None:
        self.today = today
        if self.plan is not None:
            self.beginResetModel()
            self._set_shape(self.plan)
            self._rows = self._with_bars(self._rows)
            self.endResetModel()

    def _set_shape(self, plan: Plan) -> None:
        self.plan = plan
        self._built_today = self.today
        self._plan_columns = plan.columns
        self._months = plan_months(plan.period_start, plan.period_end)
        self._first_month = _month_key(plan.period_start)
        self._today_column = -1
        if plan.period_start <= self.today <= plan.period_end:
            self._today_column = self.first_month_column + _month_key(self.today) - self._first_month
            self._today_fraction = _fraction(self.today)

    @staticmethod
    def _build_rows(plan: Plan) -> list[PlanRow]:
        """Items outside sections first, then each section's heading and items (the service's order)."""
        by_section: dict[int | None, list[PlanItem]] = {}
        for item in plan.items:
            by_section.setdefault(item.section_id, []).append(item)
        rows = [PlanRow(item=item) for item in by_section.get(None, ())]
        for section in plan.sections:
            rows.append(PlanRow(section=section))
            rows.extend(PlanRow(item=item) for item in by_section.get(section.id, ()))
        return rows

    def _with_bars(self, rows: list[PlanRow]) -> list[PlanRow]:
        count = len(self._months)
        for row in rows:
            if row.item is not None:
                row.state = item_state(row.item, self.today)
                row.bar = build_bar(row.item, row.state, self._first_month, count)
                row.search_text = None
        return rows

    # --- shape and lookups ---------------------------------------------------------------------------
    @property
    def plan_columns(self) -> tuple[PlanColumn, ...]:
        return self._plan_columns

    @property
    def months(self) -> list[tuple[int, int]]:
        return list(self._months)

    @property
    def status_column(self) -> int:
        return len(self._plan_columns)

    @property
    def first_month_column(self) -> int:
        return len(self._plan_columns) + 1

    @property
    def today_column(self) -> int:
        """The month column containing today, or -1 when today is outside the plan's period."""
        return self._today_column

    def column_of(self, role: ColumnRole) -> int | None:
        for number, column in enumerate(self._plan_columns):
            if column.role is role:
                return number
        return None

    def month_column(self, year: int, month: int) -> int | None:
        try:
            return self.first_month_column + self._months.index((year, month))
        except ValueError:
            return None

    def plan_column(self, column: int) -> PlanColumn | None:
        return self._plan_columns[column] if 0 <= column < len(self._plan_columns) else None

    def row_at(self, row: int) -> PlanRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> Sequence[PlanRow]:
        return self._rows

    def item_at(self, row: int) -> PlanItem | None:
        found = self.row_at(row)
        return found.item if found is not None else None

    def section_at(self, row: int) -> PlanSection | None:
        found = self.row_at(row)
        return found.section if found is not None else None

    def is_section_row(self, row: int) -> bool:
        found = self.row_at(row)
        return found is not None and found.section is not None

    def row_of_item(self, item_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.item is not None and row.item.id == item_id:
                return number
        return None

    def row_of_section(self, section_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.section is not None and row.section.id == section_id:
                return number
        return None

    def section_rows(self) -> Iterable[int]:
        return (number for number, row in enumerate(self._rows) if row.section is not None)

    def search_text(self, row: int) -> str:
        """All the item's text, folded for case- and ё-insensitive search (built when first needed)."""
        found = self._rows[row]
        if found.search_text is None:
            if found.item is not None:
                item = found.item
                parts = [
                    item.display_number,
                    item.measure,
                    item.deadline.text,
                    item.responsible,
                    item.result,
                    item.schools_text,
                    item.evidence,
                    *item.extra.values(),
                ]
            else:
                assert found.section is not None
                parts = [found.section.title]
            found.search_text = fold("\n".join(parts))
        return found.search_text

    def item_count(self) -> int:
        return sum(1 for row in self._rows if row.item is not None)

    # --- QAbstractTableModel -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.plan is None:
            return 0
        return len(self._plan_columns) + 1 + len(self._months)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.plan is None:
            return None
        first_month = self.first_month_column
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(self._plan_columns):
                return _two_lines(self._plan_columns[section].title)
            if section == self.status_column:
                return STATUS_TITLE
            if first_month <= section < first_month + len(self._months):
                return month_title(*self._months[section - first_month])
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if section < len(self._plan_columns):
                return self._plan_columns[section].title
            if section == self.status_column:
                return "Отметка о выполнении"
            if first_month <= section < first_month + len(self._months):
                label = month_label(*self._months[section - first_month])
                return label + (" — сегодня" if section == self._today_column else "")
            return None
        if role == Qt.ItemDataRole.FontRole and section == self._today_column:
            return self._bold_font
        if role == Qt.ItemDataRole.ForegroundRole and section == self._today_column:
            return QColor("#c62828")
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        row = self._rows[index.row()]
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        column = index.column()
        if row.section is not None:
            return flags | Qt.ItemFlag.ItemIsEditable if column == 0 else flags
        flags |= Qt.ItemFlag.ItemIsDragEnabled
        if column == self.status_column:
            return flags | Qt.ItemFlag.ItemIsEditable
        plan_column = self.plan_column(column)
        if plan_column is not None and (
            plan_column.role in EDIT_FIELDS or plan_column.role is ColumnRole.OTHER
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        item = row.item
        if item is None:
            return self._section_data(row, column, role)
        if column >= self.first_month_column:
            if role == BAR_ROLE:
                assert row.bar is not None
                return row.bar.cells[column - self.first_month_column] or NO_BAR
            if role == TODAY_ROLE:
                return self._today_fraction if column == self._today_column else NO_TODAY
            if role == Qt.ItemDataRole.ToolTipRole:
                assert row.bar is not None
                return row.bar.tooltip
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(item, column, role == Qt.ItemDataRole.EditRole)
        if role == ITEM_ROLE:
            return item
        if role == STATE_ROLE:
            return row.state
        if role == COLOUR_ROLE:
            return STATE_COLOURS[row.state]
        plan_column = self.plan_column(column)
        is_deadline = plan_column is not None and plan_column.role is ColumnRole.DEADLINE
        if role == Qt.ItemDataRole.ToolTipRole:
            if is_deadline:
                tip = deadline_tooltip(item)
                return f"{tip}\n{OUTSIDE_TIP}" if self._outside_period(item) else tip
            if column == self.status_column:
                return self._status_tooltip(item)
            text = self._text(item, column, False)
            return text if text and len(text) > 40 else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.state == State.OVERDUE and (is_deadline or column == self.status_column):
                return OVERDUE_TEXT
            if row.state in (State.CANCELLED, State.NOT_DONE) or (
                is_deadline and str(item.deadline.kind) == "undated"
            ):
                return CLOSED_TEXT
            if column == self.status_column:
                return STATE_COLOURS[row.state]
            return None
        if role == Qt.ItemDataRole.FontRole:
            if (
                row.state == State.CANCELLED
                and plan_column is not None
                and plan_column.role is ColumnRole.MEASURE
            ):
                return self._struck_font
            if is_deadline and str(item.deadline.kind) == "undated":
                return self._italic_font
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if is_deadline and (not item.deadline.understood or self._outside_period(item)):
                return NOT_UNDERSTOOD_BACKGROUND
            return None
        if (
            role == Qt.ItemDataRole.DecorationRole
            and is_deadline
            and (not item.deadline.understood or self._outside_period(item))
        ):
            return self._warning()
        return None

    def _outside_period(self, item: PlanItem) -> bool:
        """A dated deadline wholly before or after the plan's period (a typo in a year, often)."""
        plan = self.plan
        deadline = item.deadline
        if plan is None or not deadline.understood:
            return False
        if deadline.end is not None and deadline.end < plan.period_start:
            return True
        return deadline.start is not None and deadline.start > plan.period_end

    def _section_data(self, row: PlanRow, column: int, role: int) -> Any:
        section = row.section
        assert section is not None
        if role == BAR_ROLE:
            return NO_BAR
        if role == TODAY_ROLE:
            return NO_TODAY
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return section.title if column == 0 else None
        if role == SECTION_ROLE:
            return section
        if role == Qt.ItemDataRole.FontRole:
            return self._section_font
        if role == Qt.ItemDataRole.BackgroundRole:
            return SECTION_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole:
            return SECTION_FOREGROUND
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return section.title
        return None

    def _text(self, item: PlanItem, column: int, editing: bool) -> str:
        if column == self.status_column:
            if editing:
                return item.status.value
            text = item.status.label
            if item.status is ItemStatus.DONE and item.completed_on:
                text += f" {item.completed_on:%d.%m.%Y}"
            return text
        plan_column = self.plan_column(column)
        if plan_column is None:
            return ""
        role = plan_column.role
        if role is ColumnRole.NUMBER:
            return item.display_number
        if role is ColumnRole.MEASURE:
            return item.measure
        if role is ColumnRole.DEADLINE:
            if not editing and not item.deadline.text:
                return UNDATED_LABEL
            return item.deadline.text
        if role is ColumnRole.RESPONSIBLE:
            return item.responsible
        if role is ColumnRole.RESULT:
            return item.result
        if role is ColumnRole.SCHOOLS:
            return item.schools_text
        return item.extra.get(plan_column.title, "")

    @staticmethod
    def _status_tooltip(item: PlanItem) -> str:
        lines = [item.status.label]
        if item.completed_on:
            lines.append(f"Дата: {item.completed_on:%d.%m.%Y}")
        if item.evidence:
            lines.append(f"Подтверждение: {item.evidence}")
        return "\n".join(lines)

    def _warning(self) -> Any:
        if self._warning_icon is None:
            from PySide6.QtWidgets import QApplication, QStyle

            style = QApplication.style() if QApplication.instance() is not None else None
            if style is None:
                return None
            self._warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon

    # --- editing -------------------------------------------------------------------------------------
    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.commit is None:
            return False
        row = self._rows[index.row()]
        column = index.column()
        text = "" if value is None else str(value)
        if row.section is not None:
            if column != 0 or text.strip() == row.section.title:
                return False
            return self.commit(row.section, {"title": text})
        item = row.item
        assert item is not None
        if column == self.status_column:
            status = ItemStatus(text)
            return status is not item.status and self.commit(item, {"status": status})
        plan_column = self.plan_column(column)
        if plan_column is None:
            return False
        if text == self._text(item, column, True):
            return False
        if plan_column.role is ColumnRole.OTHER:
            return self.commit(item, {"extra": {**item.extra, plan_column.title: text}})
        field = EDIT_FIELDS.get(plan_column.role)
        return field is not None and self.commit(item, {field: text})

    # --- drag and drop -------------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ITEM_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = []
        for index in indexes:
            item = self.item_at(index.row())
            if item is not None and item.id not in ids:
                ids.append(item.id)
        data = QMimeData()
        data.setData(ITEM_MIME_TYPE, QByteArray(",".join(map(str, ids)).encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        return data.hasFormat(ITEM_MIME_TYPE)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        if not data.hasFormat(ITEM_MIME_TYPE) or self.move is None:
            return False
        raw = bytes(data.data(ITEM_MIME_TYPE).data()).decode()
        ids = [int(part) for part in raw.split(",") if part.strip().isdigit()]
        if not ids:
            return False
        if row < 0 and parent.isValid():
            # Dropped on a row: on a heading → the start of that section; on an item → before it.
            if self.is_section_row(parent.row()):
                section = self.section_at(parent.row())
                assert section is not None
                return self._move_all(ids, section.id, 0)
            row = parent.row()
        elif row < 0:
            row = len(self._rows)
        section_id, position = self.drop_target(row, ids[0])
        return self._move_all(ids, section_id, position)

    def _move_all(self, ids: list[int], section_id: int | None, position: int) -> bool:
        assert self.move is not None
        # The view reloads the plan from the change (removeRows is not implemented: Qt leaves
        # the dragged rows to the reload).
        return self.move(ids, section_id, position)

    def drop_target(self, row: int, moving_id: int) -> tuple[int | None, int]:
        """(section id, index among its items without the moved one) for an item put before `row`."""
        rows = self._rows
        if row < len(rows) and rows[row].item is not None:
            target = rows[row].item
            assert target is not None
            section_id = target.section_id
            stop = row
        else:
            # Before a heading or at the very end: the end of the section above.
            above = rows[row - 1] if 0 < row <= len(rows) else None
            if above is None:
                section_id = None
            elif above.section is not None:
                section_id = above.section.id
            else:
                assert above.item is not None
                section_id = above.item.section_id
            stop = row
        index = sum(
            1
            for r in rows[:stop]
            if r.item is not None and r.item.section_id == section_id and r.item.id != moving_id
        )
        return section_id, index


def emit_data_changed(model: QAbstractTableModel, first: QModelIndex, last: QModelIndex) -> None:
    emit(model.dataChanged, first, last, [])


def _two_lines(title: str) -> str:
    """A long column title on two lines at the space nearest the middle (headers do not wrap)."""
    title = " ".join(title.split())
    if len(title) <= 14 or " " not in title:
        return title
    middle = len(title) // 2
    spaces = [i for i, char in enumerate(title) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return title[:cut] + "\n" + title[cut + 1 :]
