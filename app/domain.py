"""Plain objects the services hand to the views, and the enumerations with their Russian labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SchoolKind(StrEnum):
    NONE = ""
    SOSH = "sosh"
    OOSH = "oosh"
    NOSH = "nosh"
    GYMNASIUM = "gymnasium"
    LYCEUM = "lyceum"
    BOARDING = "boarding"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    SchoolKind.NONE: "",
    SchoolKind.SOSH: "СОШ",
    SchoolKind.OOSH: "ООШ",
    SchoolKind.NOSH: "НОШ",
    SchoolKind.GYMNASIUM: "Гимназия",
    SchoolKind.LYCEUM: "Лицей",
    SchoolKind.BOARDING: "Школа-интернат",
    SchoolKind.OTHER: "Другое",
}


class Locality(StrEnum):
    NONE = ""
    URBAN = "urban"
    RURAL = "rural"

    @property
    def label(self) -> str:
        return {"": "", "urban": "Городская", "rural": "Сельская"}[self.value]


class Category(StrEnum):
    LOW_RESULTS = "low_results"
    UNFAVOURABLE = "unfavourable"
    NONOBJECTIVE = "nonobjective"

    @property
    def label(self) -> str:
        return {
            "low_results": "ШНРО",
            "unfavourable": "ШФНСУ",
            "nonobjective": "Признаки необъективности",
        }[self.value]

    @property
    def description(self) -> str:
        return {
            "low_results": "Школа с низкими результатами обучения",
            "unfavourable": "Школа, функционирующая в неблагоприятных социальных условиях",
            "nonobjective": "Школа с признаками необъективности результатов",
        }[self.value]


class CategorySource(StrEnum):
    REGIONAL = "regional"
    ORDER = "order"
    COMPUTED = "computed"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return {
            "regional": "Региональный перечень",
            "order": "Приказ (распоряжение)",
            "computed": "Расчёт по правилам",
            "manual": "Решение специалиста",
        }[self.value]


def academic_year_label(start_year: int) -> str:
    """2020 → «2020/2021»."""
    return f"{start_year}/{start_year + 1}"


def parse_academic_year(text: str) -> int | None:
    """«2020/2021», «2020-2021», «2020/21», «2020» → 2020; anything else → None."""
    import re

    match = re.fullmatch(r"\s*(\d{4})\s*(?:[/\-–—]\s*(\d{2}|\d{4}))?\s*(?:уч\.?\s*г(?:од|\.)?)?\s*", text)
    if not match:
        return None
    start = int(match.group(1))
    if match.group(2):
        end = int(match.group(2))
        if len(match.group(2)) == 2:
            end += (start + 1) - (start + 1) % 100  # «1999/00»: the century of the year after
        if end != start + 1:
            return None
    return start


def parse_academic_year_argument(text: str) -> int:
    """A command line's --year: «2020/2021», «2020/21», «2020-2021». A bare «2021» is refused: in
    results it is the spring session (2020/21), on a list it would read as 2021/22."""
    from app.errors import AppError

    if text.strip().isdigit() and len(text.strip()) == 4:
        year = int(text.strip())
        raise AppError(
            f"Учебный год «{text.strip()}» неоднозначен: укажите его полностью — {year - 1}/{year} "
            f"(весна {year} года) или {year}/{year + 1}."
        )
    year = parse_academic_year(text)
    if year is None:
        raise AppError(f"Неверный учебный год «{text}»: укажите, например, 2020/2021.")
    if not 1990 <= year <= 2100:
        raise AppError(f"Учебный год «{text.strip()}» вне допустимых (1990/1991–2100/2101): проверьте цифры.")
    return year


@dataclass(frozen=True)
class Office:
    name: str = ""
    short_name: str = ""
    district: str = ""
    head_position: str = ""
    head_name: str = ""
    address: str = ""
    place: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    @property
    def is_filled(self) -> bool:
        return bool(self.name.strip())


# The school's editable fields, in the order the card and the Excel export show them.
SCHOOL_FIELDS = (
    "full_name",
    "short_name",
    "kind",
    "parent_id",
    "locality",
    "settlement",
    "address",
    "latitude",
    "longitude",
    "director",
    "phone",
    "email",
    "students",
    "inn",
    "fis_login",
)


@dataclass(frozen=True)
class SchoolCategory:
    id: int
    school_id: int
    academic_year: int
    category: Category
    reason: str = ""
    source: CategorySource = CategorySource.MANUAL
    document_ref: str = ""


@dataclass(frozen=True)
class School:
    id: int
    full_name: str
    short_name: str = ""
    kind: SchoolKind = SchoolKind.NONE
    parent_id: int | None = None
    locality: Locality = Locality.NONE
    settlement: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    director: str = ""
    phone: str = ""
    email: str = ""
    students: int | None = None
    inn: str = ""
    fis_login: str = ""
    archived_at: str | None = None
    archive_reason: str = ""
    updated_at: str = ""
    # Filled by the registry query, not stored in `schools`.
    parent_name: str = ""
    categories: tuple[SchoolCategory, ...] = field(default=(), compare=False)

    @property
    def display_name(self) -> str:
        return self.short_name or self.full_name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_branch(self) -> bool:
        return self.parent_id is not None

    def values(self) -> dict[str, object]:
        """The editable fields as a dict, the form services take for create and update."""
        return {name: getattr(self, name) for name in SCHOOL_FIELDS}


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    position: str = ""
    organisation: str = ""
    school_id: int | None = None
    phone: str = ""
    email: str = ""
