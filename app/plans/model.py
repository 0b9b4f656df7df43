"""Plans of measures as plain objects: what services return and views show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.deadlines import Deadline


class PlanKind(StrEnum):
    PLAN = "plan"
    ROADMAP = "roadmap"
    COMPLEX = "complex"
    PROGRAM = "program"

    @property
    def label(self) -> str:
        return {
            "plan": "План мероприятий",
            "roadmap": "Дорожная карта",
            "complex": "Комплекс мер",
            "program": "Программа",
        }[self.value]


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {"draft": "Проект", "approved": "Утверждён"}[self.value]


class ItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "planned": "Запланировано",
            "in_progress": "Выполняется",
            "done": "Выполнено",
            "not_done": "Не выполнено",
            "cancelled": "Отменено",
        }[self.value]

    @property
    def is_closed(self) -> bool:
        return self in (ItemStatus.DONE, ItemStatus.NOT_DONE, ItemStatus.CANCELLED)


class ColumnRole(StrEnum):
    NUMBER = "number"
    MEASURE = "measure"
    DEADLINE = "deadline"
    RESPONSIBLE = "responsible"
    RESULT = "result"
    SCHOOLS = "schools"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The role's name in a column-mapping list."""
        return {
            "number": "№ п/п",
            "measure": "Мероприятие",
            "deadline": "Сроки исполнения",
            "responsible": "Ответственный исполнитель",
            "result": "Ожидаемый результат",
            "schools": "Школы (ОО)",
            "other": "Другой столбец",
        }[self.value]

    @property
    def default_title(self) -> str:
        return {
            "number": "№ п/п",
            "measure": "Наименование мероприятия",
            "deadline": "Сроки исполнения",
            "responsible": "Ответственный исполнитель",
            "result": "Ожидаемый результат",
            "schools": "ОО",
            "other": "Примечание",
        }[self.value]


@dataclass(frozen=True)
class PlanColumn:
    role: ColumnRole
    title: str

    def as_json(self) -> dict[str, str]:
        return {"role": self.role.value, "title": self.title}


DEFAULT_COLUMNS: tuple[PlanColumn, ...] = tuple(
    PlanColumn(role, role.default_title)
    for role in (
        ColumnRole.NUMBER,
        ColumnRole.MEASURE,
        ColumnRole.DEADLINE,
        ColumnRole.RESPONSIBLE,
        ColumnRole.RESULT,
    )
)


@dataclass(frozen=True)
class PlanSummary:
    id: int
    title: str
    kind: PlanKind
    academic_year: int | None
    period_start: date
    period_end: date
    status: PlanStatus
    sections: int
    items: int
    done: int
    overdue: int


@dataclass(frozen=True)
class PlanItem:
    id: int
    plan_id: int
    section_id: int | None
    position: int
    number: str
    measure: str
    deadline: Deadline
    responsible: str
    result: str
    schools_text: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    status: ItemStatus = ItemStatus.PLANNED
    completed_on: date | None = None
    evidence: str = ""
    school_ids: tuple[int, ...] = ()
    # The number shown: the typed one, or the running number when the plan numbers itself.
    display_number: str = ""

    @property
    def deadline_text(self) -> str:
        return self.deadline.text

    @property
    def is_dated(self) -> bool:
        return self.deadline.kind != "undated"


@dataclass(frozen=True)
class PlanSection:
    id: int
    plan_id: int
    position: int
    title: str


@dataclass(frozen=True)
class Plan:
    id: int
    title: str
    kind: PlanKind
    academic_year: int | None
    period_start: date
    period_end: date
    status: PlanStatus
    columns: tuple[PlanColumn, ...]
    sections: tuple[PlanSection, ...]
    items: tuple[PlanItem, ...]
    source: str = ""
    rolled_from_id: int | None = None

    def has_column(self, role: ColumnRole) -> bool:
        return any(c.role is role for c in self.columns)

    def column_title(self, role: ColumnRole) -> str:
        for column in self.columns:
            if column.role is role:
                return column.title
        return role.default_title

    def items_of(self, section_id: int | None) -> list[PlanItem]:
        return [item for item in self.items if item.section_id == section_id]


@dataclass(frozen=True)
class DueItem:
    """An item on the overview page: overdue or due soon."""

    item_id: int
    plan_id: int
    plan_title: str
    number: str
    measure: str
    deadline_text: str
    due: date
    responsible: str
    overdue: bool


MONTH_NAMES = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
MONTH_ABBREVIATIONS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every month the period touches, in order: the Gantt's columns."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def item_span(item: PlanItem, period_start: date, period_end: date) -> tuple[date, date] | None:
    """The dates a bar covers: «до …» from the plan's start, «с …» to its end; None when undated."""
    deadline = item.deadline
    if deadline.kind == "undated" or (deadline.start is None and deadline.end is None):
        return None
    return deadline.start or period_start, deadline.end or period_end


def span_covers_month(span: tuple[date, date] | None, year: int, month: int) -> bool:
    if span is None:
        return False
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1)
    return span[0] < last and span[1] >= first
