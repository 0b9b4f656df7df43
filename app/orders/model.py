"""Orders, directives and letters as plain objects: what services return and views show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


class OrderKind(StrEnum):
    ORDER = "order"
    DIRECTIVE = "directive"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return {"order": "Приказ", "directive": "Распоряжение", "letter": "Письмо"}[self.value]

    @property
    def heading(self) -> str:
        """The word printed under the letterhead."""
        return {"order": "ПРИКАЗ", "directive": "РАСПОРЯЖЕНИЕ", "letter": ""}[self.value]

    @property
    def dative(self) -> str:
        """«к приказу», «к распоряжению», «к письму» in an appendix stamp."""
        return {"order": "приказу", "directive": "распоряжению", "letter": "письму"}[self.value]

    @property
    def genitive(self) -> str:
        """«исполнением настоящего приказа», «в приказ» → «изменений в приказ»."""
        return {"order": "приказа", "directive": "распоряжения", "letter": "письма"}[self.value]

    @property
    def accusative(self) -> str:
        return {"order": "приказ", "directive": "распоряжение", "letter": "письмо"}[self.value]

    @property
    def directive_word(self) -> str:
        return {"order": "ПРИКАЗЫВАЮ:", "directive": "", "letter": ""}[self.value]


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return {"draft": "Проект", "signed": "Подписан"}[self.value]


class AppendixKind(StrEnum):
    PLAN = "plan"
    SCHOOL_LIST = "school_list"
    WORKING_GROUP = "working_group"
    PARTNERSHIPS = "partnerships"
    PARTNERSHIP_MAP = "partnership_map"
    MONITORING_CRITERIA = "monitoring_criteria"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {
            "plan": "План мероприятий",
            "school_list": "Список школ категории",
            "working_group": "Состав рабочей группы",
            "partnerships": "Список сетевого партнёрства",
            "partnership_map": "Карта сетевого партнёрства",
            "monitoring_criteria": "Критерии мониторинга",
            "text": "Текст",
        }[self.value]


class MemberRole(StrEnum):
    CHAIR = "chair"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return {
            "chair": "председатель рабочей группы",
            "deputy": "заместитель председателя",
            "secretary": "секретарь",
            "member": "член рабочей группы",
        }[self.value]

    @property
    def heading(self) -> str:
        """The heading of the role's block in the printed list."""
        return {
            "chair": "Председатель рабочей группы:",
            "deputy": "Заместитель председателя:",
            "secretary": "Секретарь:",
            "member": "Члены рабочей группы:",
        }[self.value]


@dataclass(frozen=True)
class GroupMember:
    full_name: str
    job_title: str = ""
    role: MemberRole = MemberRole.MEMBER
    person_id: int | None = None


@dataclass(frozen=True)
class WorkingGroup:
    id: int
    title: str
    academic_year: int | None
    members: tuple[GroupMember, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class OrderPoint:
    """A point as stored: `children` hold its sub-points."""

    number: str = ""  # as printed; '' = numbered automatically
    text: str = ""
    addressee: str = ""
    responsible: str = ""
    deadline: str = ""
    children: tuple[OrderPoint, ...] = ()


@dataclass(frozen=True)
class OrderAppendix:
    id: int
    kind: AppendixKind
    title: str = ""
    plan_ids: tuple[int, ...] = ()
    academic_year: int | None = None
    category: str = ""
    working_group_id: int | None = None
    template_id: int | None = None
    body: str = ""
    landscape: bool | None = None
    stamp: str = ""


@dataclass(frozen=True)
class OrderOptions:
    font_size: float = 14.0
    left_margin_mm: float = 20.0
    qr: bool = False


@dataclass(frozen=True)
class Order:
    id: int
    kind: OrderKind
    status: OrderStatus
    number: str
    order_date: date | None
    date_style: str
    place: str
    letterhead: str
    kind_title: str
    issuer: str
    addressee: str
    reply_number: str
    reply_date: str
    title: str
    preamble: str
    directive: str
    control_text: str
    signer_position: str
    signer_name: str
    executor: str
    distribution: str
    attachments_note: str
    academic_year: int | None
    template_key: str
    amends_order_id: int | None
    options: OrderOptions
    source: str
    signed_at: str | None
    pdf_sha256: str
    points: tuple[OrderPoint, ...] = ()
    appendices: tuple[OrderAppendix, ...] = ()
    has_snapshot: bool = False

    @property
    def is_signed(self) -> bool:
        return self.status is OrderStatus.SIGNED

    @property
    def date_text(self) -> str:
        return format_order_date(self.order_date, self.date_style)

    @property
    def requisites(self) -> str:
        """«приказ от 17.09.2021 № 594», or «проект приказа» while a draft has no number."""
        if not self.number and self.order_date is None:
            return f"проект {self.kind.genitive}"
        parts = [self.kind.label.lower()]
        if self.order_date is not None:
            parts.append(f"от {format_order_date(self.order_date, 'numeric')}")
        if self.number:
            parts.append(f"№ {self.number}")
        return " ".join(parts)


@dataclass(frozen=True)
class OrderSummary:
    """A line of the register (journal)."""

    id: int
    kind: OrderKind
    status: OrderStatus
    number: str
    order_date: date | None
    title: str
    signer_name: str
    academic_year: int | None
    appendix_count: int
    amends_order_id: int | None
    signed_at: str | None
    source: str = ""


@dataclass(frozen=True)
class NumberingFormat:
    """The office's way of numbering one kind of document: `{n}` is the running number, `{yyyy}`
    and `{yy}` the year: «{n}» → «149», «01-10/{n}» → «01-10/142», «{n}-ОД» → «338-ОД»."""

    pattern: str = "{n}"

    def format(self, n: int, on: date) -> str:
        return (
            self.pattern.replace("{yyyy}", f"{on.year:04d}").replace("{yy}", f"{on.year % 100:02d}")
        ).replace("{n}", str(n))


@dataclass
class PointDraft:
    """A point as the editor builds it (mutable, children nested)."""

    number: str = ""
    text: str = ""
    addressee: str = ""
    responsible: str = ""
    deadline: str = ""
    children: list[PointDraft] = field(default_factory=list)


def format_order_date(value: date | None, style: str = "numeric") -> str:
    if value is None:
        return ""
    if style == "words":
        return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} года"
    return value.strftime("%d.%m.%Y")
