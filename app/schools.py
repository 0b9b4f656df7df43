"""The school registry: reading, validating and changing schools, branches and their categories.

Every write returns a `ChangeSet` that the UI keeps on its undo stack; `undo` and `redo` here put
it back or forward in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from app.domain import (
    SCHOOL_FIELDS,
    Category,
    CategorySource,
    Locality,
    School,
    SchoolCategory,
    SchoolKind,
    academic_year_label,
)
from app.errors import AppError, FieldProblem, ValidationError
from app.text import abbreviate_school_name, fold, guess_school_kind, match_key
from app.values import (
    clean_text,
    parse_email,
    parse_inn,
    parse_kind,
    parse_latitude,
    parse_locality,
    parse_longitude,
    parse_phone,
    parse_students,
)
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

FIELD_LABELS = {
    "full_name": "Полное наименование",
    "short_name": "Краткое наименование",
    "kind": "Тип ОО",
    "parent_id": "Филиал ОО",
    "locality": "Городская/сельская",
    "settlement": "Населённый пункт",
    "address": "Адрес",
    "latitude": "Широта",
    "longitude": "Долгота",
    "director": "Руководитель",
    "phone": "Телефон",
    "email": "Электронная почта",
    "students": "Численность обучающихся",
    "inn": "ИНН",
    "fis_login": "Логин ФИС ОКО",
}

_PARSERS = {
    "kind": parse_kind,
    "locality": parse_locality,
    "latitude": parse_latitude,
    "longitude": parse_longitude,
    "students": parse_students,
    "inn": parse_inn,
    "email": parse_email,
    "phone": parse_phone,
}


def clean_school_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Parse the fields present in `raw`; returns clean values and a problem per bad field."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, value in raw.items():
        if name not in SCHOOL_FIELDS:
            continue
        if name == "parent_id":
            values[name] = int(value) if value not in (None, "") else None
            continue
        parser = _PARSERS.get(name)
        try:
            values[name] = parser(value) if parser else clean_text(value)
        except ValueError as exc:
            problems.append(FieldProblem(name, f"{FIELD_LABELS[name]}: {exc}"))
    if "full_name" in raw and not values.get("full_name"):
        problems.append(FieldProblem("full_name", "Не указано полное наименование ОО"))
    lat, lon = values.get("latitude"), values.get("longitude")
    if ("latitude" in values or "longitude" in values) and (lat is None) != (lon is None):
        problems.append(FieldProblem("latitude", "Координаты: укажите и широту, и долготу"))
    if values.get("full_name"):
        if not values.get("short_name") and "short_name" in raw:
            values["short_name"] = abbreviate_school_name(values["full_name"])
        if values.get("kind") == SchoolKind.NONE and "kind" in raw:
            values["kind"] = SchoolKind(guess_school_kind(values["full_name"]))
    return values, problems


# Letters (and digits) of a match key whose every spelling a GLOB can list: see name_pattern.
_GLOB_LETTERS = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюя0123456789")


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Each of _GLOB_LETTERS with every character `fold` turns into it: «е» ← «еЕёЁ», «о» ←
    «оОᲂ». Found by folding the Basic Multilingual Plane once (about 15 ms); no character outside
    it folds into these, and none folds into several characters that include one of them."""
    found: dict[str, list[str]] = {}
    for code in range(0x10000):
        folded = fold(chr(code))
        if folded in _GLOB_LETTERS:
            found.setdefault(folded, []).append(chr(code))
    return {letter: "".join(chars) for letter, chars in found.items()}


def name_pattern(key: str) -> str | None:
    """A GLOB pattern that every name with this `match_key` satisfies, or None when there is none.

    The key's longest word made of Cyrillic letters and digits appears, letter by letter, in any
    name with that key: each of its letters comes from one character of the name that folds to
    it (case, ё), and punctuation or spaces only ever end a word. SQLite checks the pattern in C,
    so finding a name among 40,000 costs milliseconds instead of keying every name in Python.
    """
    words = [word for word in key.split() if all(char in _GLOB_LETTERS for char in word)]
    if not words:
        return None
    spellings = _spellings()
    word = max(words, key=len)
    return "*" + "".join(f"[{spellings[c]}]" if len(spellings[c]) > 1 else c for c in word) + "*"


def _school_from_row(row: Mapping[str, Any], categories: tuple[SchoolCategory, ...] = ()) -> School:
    return School(
        id=row["id"],
        full_name=row["full_name"],
        short_name=row["short_name"],
        kind=SchoolKind(row["kind"]),
        parent_id=row["parent_id"],
        locality=Locality(row["locality"]),
        settlement=row["settlement"],
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        director=row["director"],
        phone=row["phone"],
        email=row["email"],
        students=row["students"],
        inn=row["inn"],
        fis_login=row["fis_login"],
        archived_at=row["archived_at"],
        archive_reason=row["archive_reason"],
        updated_at=row["updated_at"],
        parent_name=row["parent_name"] if "parent_name" in row.keys() else "",  # noqa: SIM118
        categories=categories,
    )


def _category_from_row(row: Mapping[str, Any]) -> SchoolCategory:
    return SchoolCategory(
        id=row["id"],
        school_id=row["school_id"],
        academic_year=row["academic_year"],
        category=Category(row["category"]),
        reason=row["reason"],
        source=CategorySource(row["source"]),
        document_ref=row["document_ref"],
    )


class SchoolService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- reading -------------------------------------------------------------------------
    def list_schools(self, *, year: int | None = None, include_archived: bool = True) -> list[School]:
        """All schools with their parent's name and (when `year` is given) that year's categories."""
        rows = self.database.query(
            "SELECT s.*, coalesce(nullif(p.short_name, ''), p.full_name, '') AS parent_name "
            "FROM schools s LEFT JOIN schools p ON p.id = s.parent_id "
            + ("" if include_archived else "WHERE s.archived_at IS NULL ")
            + "ORDER BY s.id"
        )
        by_school: dict[int, list[SchoolCategory]] = {}
        if year is not None:
            for row in self.database.query(
                "SELECT * FROM school_categories WHERE academic_year = ? ORDER BY category", (year,)
            ):
                by_school.setdefault(row["school_id"], []).append(_category_from_row(row))
        return [_school_from_row(r, tuple(by_school.get(r["id"], ()))) for r in rows]

    def get(self, school_id: int) -> School:
        rows = self.database.query(
            "SELECT s.*, coalesce(nullif(p.short_name, ''), p.full_name, '') AS parent_name "
            "FROM schools s LEFT JOIN schools p ON p.id = s.parent_id WHERE s.id = ?",
            (school_id,),
        )
        if not rows:
            raise AppError(f"Школа № {school_id} не найдена в реестре.")
        return _school_from_row(rows[0], tuple(self.categories(school_id)))

    def categories(self, school_id: int) -> list[SchoolCategory]:
        return [
            _category_from_row(r)
            for r in self.database.query(
                "SELECT * FROM school_categories WHERE school_id = ? ORDER BY academic_year DESC, category",
                (school_id,),
            )
        ]

    def branches(self, school_id: int) -> list[School]:
        rows = self.database.query("SELECT * FROM schools WHERE parent_id = ? ORDER BY id", (school_id,))
        return [_school_from_row(r) for r in rows]

    def count(self) -> int:
        return int(self.database.query("SELECT count(*) FROM schools")[0][0])

    # --- validation ----------------------------------------------------------------------
    def validate(self, raw: Mapping[str, Any], *, school_id: int | None = None) -> dict[str, Any]:
        """Clean values ready to store, or a ValidationError listing every problem."""
        values, problems = clean_school_values(raw)
        parent_id = values.get("parent_id")
        if parent_id is not None:
            parent = self.database.query(
                "SELECT id, parent_id, archived_at FROM schools WHERE id = ?", (parent_id,)
            )
            if not parent:
                problems.append(FieldProblem("parent_id", "Головная ОО не найдена в реестре"))
            elif parent_id == school_id:
                problems.append(FieldProblem("parent_id", "Школа не может быть филиалом самой себя"))
            elif parent[0]["parent_id"] is not None:
                problems.append(
                    FieldProblem("parent_id", "Филиал можно подчинить только головной ОО, не филиалу")
                )
            elif school_id is not None and self.branches(school_id):
                problems.append(
                    FieldProblem("parent_id", "У этой школы есть свои филиалы: она не может быть филиалом")
                )
        if values.get("full_name"):
            key = match_key(values["full_name"])
            # Only the names that can have this key are read and keyed, not the whole registry.
            pattern = name_pattern(key)
            for row in self.database.query(
                "SELECT id, full_name FROM schools WHERE archived_at IS NULL AND id IS NOT ?"
                + (" AND full_name GLOB ?" if pattern else ""),
                (school_id, pattern) if pattern else (school_id,),
            ):
                if match_key(row["full_name"]) == key:
                    problems.append(
                        FieldProblem("full_name", f"Такая школа уже есть в реестре: {row['full_name']}")
                    )
                    break
        if values.get("inn"):
            clash = self.database.query(
                "SELECT full_name FROM schools WHERE inn = ? AND id IS NOT ? AND parent_id IS NULL "
                "AND archived_at IS NULL",
                (values["inn"], school_id),
            )
            if clash and parent_id is None:
                problems.append(
                    FieldProblem("inn", f"ИНН {values['inn']} уже указан у школы {clash[0]['full_name']}")
                )
        if problems:
            raise ValidationError(problems)
        return values

    # --- writing -------------------------------------------------------------------------
    def create(self, raw: Mapping[str, Any]) -> tuple[int, ChangeSet]:
        full = {name: raw.get(name, "") for name in SCHOOL_FIELDS}
        full["parent_id"] = raw.get("parent_id")
        values = self.validate(full)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(
                conn, f"Добавление школы {values.get('short_name') or values['full_name']}"
            )
            school_id = recorder.insert("schools", values)
        return school_id, recorder.changeset

    def update(self, school_id: int, raw: Mapping[str, Any]) -> ChangeSet:
        current = self.get(school_id)
        merged = {**current.values(), **raw}
        values = self.validate(merged, school_id=school_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Изменение школы {current.display_name}")
            recorder.update("schools", school_id, values)
        return recorder.changeset

    def archive(self, school_id: int, reason: str) -> ChangeSet:
        reason = clean_text(reason)
        if not reason:
            raise ValidationError(
                [FieldProblem("archive_reason", "Укажите причину: закрытие, реорганизация, присоединение…")]
            )
        school = self.get(school_id)
        if school.is_archived:
            raise AppError(f"Школа {school.display_name} уже в архиве.")
        active_branches = [b for b in self.branches(school_id) if not b.is_archived]
        if active_branches:
            names = ", ".join(b.display_name for b in active_branches)
            raise AppError(
                f"У школы {school.display_name} есть действующие филиалы ({names}). "
                "Сначала переведите их в архив или подчините другой ОО."
            )
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Перевод в архив: {school.display_name}")
            stamp = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
            recorder.update("schools", school_id, {"archived_at": stamp, "archive_reason": reason})
        return recorder.changeset

    def restore(self, school_id: int) -> ChangeSet:
        school = self.get(school_id)
        if not school.is_archived:
            raise AppError(f"Школа {school.display_name} не в архиве.")
        self.validate(school.values(), school_id=school_id)  # a new school may have taken its name
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Возврат из архива: {school.display_name}")
            recorder.update("schools", school_id, {"archived_at": None, "archive_reason": ""})
        return recorder.changeset

    def set_category(
        self,
        school_id: int,
        year: int,
        category: Category,
        *,
        reason: str = "",
        source: CategorySource = CategorySource.MANUAL,
        document_ref: str = "",
    ) -> ChangeSet:
        """Put the school on a category list for the year (or update the reason and source)."""
        school = self.get(school_id)
        category, source = Category(category), CategorySource(source)  # the stored codes are accepted too
        reason, document_ref = clean_text(reason), clean_text(document_ref)
        if source is CategorySource.ORDER and not document_ref:
            raise ValidationError([FieldProblem("document_ref", "Укажите реквизиты приказа: № … от …")])
        values = {
            "school_id": school_id,
            "academic_year": year,
            "category": Category(category).value,
            "reason": reason,
            "source": CategorySource(source).value,
            "document_ref": document_ref,
        }
        description = f"{Category(category).label} {academic_year_label(year)}: {school.display_name}"
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, description)
            if not conn.execute("SELECT 1 FROM academic_years WHERE start_year = ?", (year,)).fetchone():
                conn.execute("INSERT INTO academic_years (start_year) VALUES (?)", (year,))
            existing = conn.execute(
                "SELECT id FROM school_categories WHERE school_id = ? AND academic_year = ? AND category = ?",
                (school_id, year, values["category"]),
            ).fetchone()
            if existing:
                recorder.update("school_categories", existing["id"], values)
            else:
                recorder.insert("school_categories", values)
        return recorder.changeset

    def remove_category(self, category_id: int) -> ChangeSet:
        with self.database.atomic() as conn:
            row = conn.execute("SELECT * FROM school_categories WHERE id = ?", (category_id,)).fetchone()
            if row is None:
                raise AppError("Эта категория уже удалена.")
            recorder = ChangeRecorder(
                conn,
                f"Снятие категории {Category(row['category']).label} "
                f"{academic_year_label(row['academic_year'])}",
            )
            recorder.delete("school_categories", category_id)
        return recorder.changeset
