"""Importing the school registry from Excel: preview first, then one transaction.

The preview reads the file, finds the header, maps columns, parses every cell and decides for
each row whether it adds a school, updates one (matched by ФИС ОКО login, then by full or short
name ignoring case, ё and quotes, then by a unique ИНН) or changes nothing. Every problem names
the row and column. Empty cells never erase what is stored. Applying writes everything or
nothing and returns one change set, so the whole import is a single undo step.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain import SCHOOL_FIELDS, School, SchoolKind
from app.errors import AppError, ConflictError
from app.importing.columns import ColumnSpec, HeaderMatch, SourceColumn, find_header, remap
from app.importing.errors import database_errors
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import read_sheets
from app.jobs import Job, Progress
from app.schools import SchoolService
from app.text import abbreviate_school_name, guess_school_kind, match_key, match_keys, plural
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

PARENT_FIELD = "parent_name"

REGISTRY_COLUMNS: list[ColumnSpec] = [
    ColumnSpec(
        "full_name",
        "Полное наименование",
        (
            "Наименование ОО",
            "Полное наименование ОО",
            "Наименование",
            "Наименование организации",
            "Наименование образовательной организации",
            "Полное наименование образовательной организации",
            "Наименование общеобразовательной организации",
            "Образовательная организация",
            "Общеобразовательная организация",
            "Наименование учреждения",
            "Название школы",
            "Школа",
            "Название ОО",
            "ОО",
            "Полное наименование организации",
        ),
        required=True,
    ),
    ColumnSpec(
        "short_name",
        "Краткое наименование",
        (
            "Сокращённое наименование",
            "Краткое наименование ОО",
            "Сокращённое наименование ОО",
            "Краткое название",
            "Сокращённое название",
        ),
    ),
    ColumnSpec("kind", "Тип ОО", ("Тип", "Вид ОО", "Тип организации", "Вид организации", "Тип школы")),
    ColumnSpec(
        PARENT_FIELD,
        "Филиал ОО (головная организация)",
        (
            "Филиал",
            "Филиал ОО",
            "Головная организация",
            "Головная ОО",
            "Является филиалом",
            "Филиал какой ОО",
            "Головное учреждение",
        ),
    ),
    ColumnSpec(
        "locality",
        "Городская/сельская",
        (
            "Городская / сельская",
            "Сельская/городская",
            "Город/село",
            "Местность",
            "Тип местности",
            "Территория",
            "Городская или сельская",
            "Расположение",
        ),
    ),
    ColumnSpec(
        "settlement",
        "Населённый пункт",
        ("Населенный пункт", "Нас. пункт", "Поселение", "Город/посёлок", "Населённый пункт ОО"),
    ),
    ColumnSpec(
        "address",
        "Адрес",
        (
            "Юридический адрес",
            "Фактический адрес",
            "Почтовый адрес",
            "Адрес ОО",
            "Место нахождения",
            "Местонахождение",
            "Адрес организации",
        ),
    ),
    ColumnSpec("latitude", "Широта", ("Latitude", "Lat", "Координата широта")),
    ColumnSpec("longitude", "Долгота", ("Longitude", "Lon", "Lng", "Координата долгота")),
    ColumnSpec(
        "director",
        "ФИО руководителя",
        (
            "Руководитель",
            "Директор",
            "ФИО директора",
            "Руководитель ОО",
            "Директор ОО",
            "ФИО руководителя ОО",
            "Заведующий",
        ),
    ),
    ColumnSpec("phone", "Телефон", ("Контактный телефон", "Тел", "Телефон ОО", "Телефоны")),
    ColumnSpec(
        "email",
        "Электронная почта",
        ("E-mail", "Email", "Эл. почта", "Адрес электронной почты", "Электронный адрес", "Почта"),
    ),
    ColumnSpec(
        "students",
        "Численность обучающихся",
        (
            "Количество обучающихся",
            "Число обучающихся",
            "Контингент",
            "Кол-во обучающихся",
            "Количество учащихся",
            "Численность учащихся",
            "Обучающихся",
            "Кол-во учащихся",
        ),
    ),
    ColumnSpec("inn", "ИНН", ("ИНН ОО", "ИНН организации")),
    ColumnSpec(
        "fis_login",
        "Логин ФИС ОКО",
        ("Логин", "Логин ОО", "Логин в ФИС ОКО", "Логин ОО в ФИС ОКО", "Код ФИС ОКО"),
    ),
]
_TITLES = {spec.field: spec.title for spec in REGISTRY_COLUMNS}
PROGRESS_EVERY = 1000
INSERT_EVERY = 5000  # rows per executemany: a progress step (and a chance to cancel) each


class RowAction(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {
            "new": "Новая",
            "update": "Обновление",
            "unchanged": "Без изменений",
            "error": "Ошибка",
        }[self.value]


@dataclass
class PreviewRow:
    row_number: int
    action: RowAction
    values: dict[str, Any]
    school_id: int | None = None
    issues: list[ImportIssue] = field(default_factory=list)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    parent_name: str = ""
    expected_updated_at: str = ""
    name: str = ""  # the school's name as the file spells it, for showing the row


@dataclass
class RegistryImportPreview:
    path: Path
    sheet_name: str
    header_row: int
    columns: list[SourceColumn]
    rows: list[PreviewRow]
    file_issues: list[ImportIssue] = field(default_factory=list)
    _keys: _MatchKeys = field(default_factory=lambda: _MatchKeys(), repr=False, compare=False)

    def issues(self) -> list[ImportIssue]:
        return [*self.file_issues, *(i for row in self.rows for i in row.issues)]

    def error_count(self) -> int:
        return sum(1 for i in self.issues() if i.severity is Severity.ERROR)

    def counts(self) -> dict[RowAction, int]:
        result = dict.fromkeys(RowAction, 0)
        for row in self.rows:
            result[row.action] += 1
        return result

    def mapping(self) -> dict[int, str | None]:
        return {c.index: c.field for c in self.columns}

    def summary(self) -> str:
        counts = self.counts()
        total = len(self.rows)
        parts = [
            f"{counts[RowAction.NEW]} {plural(counts[RowAction.NEW], 'новая школа', 'новые школы', 'новых школ')}",
            f"{counts[RowAction.UPDATE]} {plural(counts[RowAction.UPDATE], 'обновление', 'обновления', 'обновлений')}",
            f"{counts[RowAction.UNCHANGED]} без изменений",
        ]
        text = (
            f"Файл «{self.path.name}», лист «{self.sheet_name}», заголовок в строке {self.header_row}: "
            f"{total} {plural(total, 'строка', 'строки', 'строк')} с данными — {', '.join(parts)}"
        )
        errors = self.error_count()
        if errors:
            text += f"; {errors} {plural(errors, 'ошибка', 'ошибки', 'ошибок')}"
        warnings = len(self.issues()) - errors
        if warnings:
            text += f"; {warnings} {plural(warnings, 'предупреждение', 'предупреждения', 'предупреждений')}"
        return text + "."


class _MatchKeys(dict[str, str]):
    """`match_key` of each text, computed once per import: a 40,000-row file asks for the same
    names up to seven times (matching, duplicates, branches, apply) and each costs several regexes."""

    def __missing__(self, text: str) -> str:
        key = self[text] = match_key(text)
        return key

    def fill(self, texts: list[str]) -> None:
        """Key every text not keyed yet, all at once (`match_keys`: the same keys, in bulk)."""
        missing = [text for text in dict.fromkeys(texts) if text not in self]
        if missing:
            self.update(zip(missing, match_keys(missing), strict=True))


class _Registry:
    """Existing schools indexed the ways a row can be matched to one."""

    def __init__(self, schools: list[School], keys: _MatchKeys | None = None) -> None:
        keys = _MatchKeys() if keys is None else keys
        self.keys = keys
        self.by_id = {s.id: s for s in schools}
        self.by_login: dict[str, School] = {}
        self.by_name: dict[str, School] = {}
        self.by_inn: dict[str, list[School]] = {}
        keys.fill([s.full_name for s in schools])
        keys.fill([s.short_name for s in schools if s.short_name])
        for school in schools:
            if school.fis_login:
                self.by_login.setdefault(school.fis_login.casefold(), school)
            self.by_name.setdefault(keys[school.full_name], school)
        for school in schools:
            if school.short_name:
                self.by_name.setdefault(keys[school.short_name], school)
            if school.inn:
                self.by_inn.setdefault(school.inn, []).append(school)

    def find(self, values: dict[str, Any]) -> School | None:
        login = str(values.get("fis_login") or "").casefold()
        if login and login in self.by_login:
            return self.by_login[login]
        if self.by_name:  # (an empty registry: no name needs its key computed)
            for name_field in ("full_name", "short_name"):
                name = values.get(name_field)
                if name and self.keys[name] in self.by_name:
                    return self.by_name[self.keys[name]]
        inn = values.get("inn")
        if inn and len(self.by_inn.get(inn, [])) == 1:
            return self.by_inn[inn][0]
        return None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import builds its rows.

    A 40,000-row import allocates millions of lists, dicts and tuples that all stay alive until it
    ends, so the collector's passes (each full one walking every one of them) find nothing and cost
    a sixth of the import's time. The import makes no reference cycles of its own; whatever other
    code leaves meanwhile is collected once the collector is back on, which it is however the job
    ends (finished, failed or cancelled). If the collector was already off, it stays off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def preview_registry_import(
    database: Database, path: Path, mapping: dict[int, str | None] | None = None
) -> Job[RegistryImportPreview]:
    with _collector_paused():
        return (yield from _preview(database, Path(path), mapping))


def _preview(
    database: Database, path: Path, mapping: dict[int, str | None] | None
) -> Job[RegistryImportPreview]:
    yield Progress(0, 0, f"Чтение файла «{path.name}»…")
    sheets = read_sheets(path)
    match: HeaderMatch = find_header(sheets, REGISTRY_COLUMNS)
    if mapping is not None:
        match = remap(match, mapping)
    data = match.sheet.rows[match.row_index + 1 :]
    preview = RegistryImportPreview(path, match.sheet.name, match.header_row, match.columns, [])
    mapped = [c for c in match.columns if c.field]
    if not any(c.field == "full_name" for c in mapped):
        preview.file_issues.append(
            ImportIssue(
                path.name,
                None,
                "",
                "",
                "не выбран столбец с полным наименованием ОО: укажите его в сопоставлении столбцов",
            )
        )
        return preview
    registry = _Registry(SchoolService(database).list_schools(), preview._keys)
    total = len(data)
    yield Progress(0, total, "Проверка строк…")
    rows: list[PreviewRow] = []
    checker = _RowChecker(path.name, match.row_index + 2, mapped, registry)
    # Block by block, reporting progress after each: a cancel stops the check within one block.
    for start in range(0, total, PROGRESS_EVERY):
        rows.extend(checker.check(data[start : start + PROGRESS_EVERY], start))
        yield Progress(min(start + PROGRESS_EVERY, total), total, "Проверка строк…")
    preview.rows = rows
    _resolve_parents(path.name, preview, registry, mapped)
    yield Progress(total, total, "Проверка завершена")
    return preview


_ABSENT: Any = object()  # an empty cell: it never erases a stored value, so it is not in `values`
_PARSERS: dict[str, Callable[[object], Any]] = {
    "kind": parse_kind,
    "locality": parse_locality,
    "latitude": parse_latitude,
    "longitude": parse_longitude,
    "students": parse_students,
    "inn": parse_inn,
    "email": parse_email,
    "phone": parse_phone,
}
# Columns with a handful of distinct texts: each distinct text is parsed once per import.
_REPEATING = {"kind", "locality"}


def _clean_text_cell(value: object) -> Any:
    """A text cell's clean value, or _ABSENT for an empty one (None, "", whitespace)."""
    return clean_text(value) or _ABSENT


class _RowChecker:
    """Parses and checks the data rows block by block, one column at a time.

    Working down a column lets each cell cost one call of its parser (none at all for an empty
    cell, and one `str.split` for plain text) instead of a trip through the generic per-row
    `clean_school_values`; the messages are the same, since the same parsers raise them.
    """

    def __init__(
        self, file_name: str, first_row_number: int, columns: list[SourceColumn], registry: _Registry
    ) -> None:
        self.file_name = file_name
        self.first_row_number = first_row_number
        self.columns = columns
        self.registry = registry
        self.by_field = {c.field: c for c in columns if c.field}
        self.width = max((c.index for c in columns), default=0) + 1
        # The school's fields (in column order, as messages are listed) and the head school's name.
        self.fields = [c for c in columns if c.field in SCHOOL_FIELDS]
        self.parent = next((c for c in columns if c.field == PARENT_FIELD), None)
        self.seen_names: dict[str, int] = {}
        self.seen_schools: dict[int, int] = {}
        self.caches: dict[str, dict[str, tuple[Any, str]]] = {name: {} for name in _REPEATING}

    def _column(
        self, column: SourceColumn, cells: list[Any], problems: dict[int, list[tuple[SourceColumn, str]]]
    ) -> list[Any]:
        field_name = column.field
        assert field_name is not None
        parser = _PARSERS.get(field_name)
        if parser is None:
            return [
                (" ".join(v.split()) or _ABSENT) if v.__class__ is str else _clean_text_cell(v) for v in cells
            ]
        cache = self.caches.get(field_name)
        result: list[Any] = []
        append = result.append
        for position, value in enumerate(cells):
            if value is None or (isinstance(value, str) and (not value or value.isspace())):
                append(_ABSENT)
                continue
            if cache is not None and value.__class__ is str:
                known = cache.get(value)
                if known is None:
                    try:
                        known = cache[value] = (parser(value), "")
                    except ValueError as exc:
                        known = cache[value] = (_ABSENT, str(exc))
                parsed, message = known
                if message:
                    problems.setdefault(position, []).append((column, message))
                append(parsed)
                continue
            try:
                append(parser(value))
            except ValueError as exc:
                problems.setdefault(position, []).append((column, str(exc)))
                append(_ABSENT)
        return result

    def check(self, block: list[list[Any]], offset: int) -> list[PreviewRow]:
        width = self.width
        if block and min(map(len, block)) < width:
            block = [
                [*cells, *([None] * (width - len(cells)))] if len(cells) < width else cells for cells in block
            ]
        problems: dict[int, list[tuple[SourceColumn, str]]] = {}
        names = [c.field for c in self.fields]
        columns = [self._column(c, [cells[c.index] for cells in block], problems) for c in self.fields]
        parents = (
            [clean_text(cells[self.parent.index]) for cells in block]
            if self.parent is not None
            else [""] * len(block)
        )
        if "full_name" in names:  # each name keyed once, in bulk, for duplicates and matching
            self.registry.keys.fill([v for v in columns[names.index("full_name")] if v is not _ABSENT])
        absent: dict[int, list[str]] = {}
        for name, values in zip(names, columns, strict=True):
            if _ABSENT in values:
                for position, value in enumerate(values):
                    if value is _ABSENT:
                        absent.setdefault(position, []).append(name)
        all_absent = len(names)
        rows: list[PreviewRow] = []
        for position, cells in enumerate(zip(*columns, strict=True) if columns else [()] * len(block)):
            values = dict(zip(names, cells, strict=True))
            empty = absent.get(position)
            if empty:
                if len(empty) == all_absent and not parents[position]:
                    continue  # an empty row
                for name in empty:
                    del values[name]
            rows.append(
                self._row(
                    self.first_row_number + offset + position,
                    values,
                    parents[position],
                    problems.get(position),
                )
            )
        return rows

    def _row(
        self,
        row_number: int,
        values: dict[str, Any],
        parent_name: str,
        cell_problems: list[tuple[SourceColumn, str]] | None,
    ) -> PreviewRow:
        file_name, by_field, registry = self.file_name, self.by_field, self.registry
        keys = registry.keys
        issues = (
            [ImportIssue(file_name, row_number, c.letter, c.title, message) for c, message in cell_problems]
            if cell_problems
            else []
        )
        if ("latitude" in values) != ("longitude" in values) and "latitude" in by_field:
            issues.append(
                ImportIssue(
                    file_name,
                    row_number,
                    by_field["latitude"].letter,
                    by_field["latitude"].title,
                    "Координаты: укажите и широту, и долготу",
                )
            )
        full_name = values.get("full_name")
        if not full_name:
            column = by_field["full_name"]
            issues.append(
                ImportIssue(file_name, row_number, column.letter, column.title, "не указано наименование ОО")
            )
            return PreviewRow(row_number, RowAction.ERROR, values, issues=issues, parent_name=parent_name)
        if values.get("kind") == SchoolKind.NONE and "kind" in values:
            # «.» in the type column: the type the name implies (as the school card does).
            values["kind"] = SchoolKind(guess_school_kind(full_name))
        key = keys[full_name]
        seen_names = self.seen_names
        if key in seen_names:
            column = by_field["full_name"]
            issues.append(
                ImportIssue(
                    file_name,
                    row_number,
                    column.letter,
                    column.title,
                    f"школа «{full_name}» уже есть в строке {seen_names[key]} этого файла",
                )
            )
        else:
            seen_names[key] = row_number
        existing = registry.find(values) if registry.by_id else None  # (an empty registry: none)
        row = PreviewRow(
            row_number,
            RowAction.NEW,
            values,
            issues=issues,
            parent_name=parent_name,
            name=full_name,
        )
        if existing is not None:
            seen_schools = self.seen_schools
            if existing.id in seen_schools:
                issues.append(
                    ImportIssue(
                        file_name,
                        row_number,
                        "",
                        "",
                        f"строка {seen_schools[existing.id]} уже обновляет школу «{existing.display_name}»",
                    )
                )
            seen_schools[existing.id] = row_number
            row.school_id = existing.id
            row.expected_updated_at = existing.updated_at
            current = existing.values()
            known_names = {keys[existing.full_name], keys[existing.short_name]}
            for name_field in ("full_name", "short_name"):
                # A name that differs only in case, quotes or ё identifies the school; it must not
                # replace the stored spelling (nor a short name overwrite the full one).
                if name_field in values and keys[values[name_field]] in known_names:
                    del values[name_field]
            if "full_name" in values:
                issues.append(
                    ImportIssue(
                        file_name,
                        row_number,
                        by_field["full_name"].letter,
                        by_field["full_name"].title,
                        f"наименование школы изменится: «{existing.full_name}» → «{values['full_name']}»",
                        Severity.WARNING,
                    )
                )
            row.changes = {
                name: (current[name], value)
                for name, value in values.items()
                if name in current and current[name] != value
            }
            row.action = RowAction.UPDATE if row.changes else RowAction.UNCHANGED
            if existing.is_archived:
                issues.append(
                    ImportIssue(
                        file_name,
                        row_number,
                        "",
                        "",
                        f"школа «{existing.display_name}» в архиве: данные обновятся, "
                        "но она останется в архиве",
                        Severity.WARNING,
                    )
                )
        else:
            if "short_name" not in values:
                values["short_name"] = abbreviate_school_name(full_name)
            if values.get("kind") in (None, SchoolKind.NONE):
                values["kind"] = SchoolKind(guess_school_kind(full_name))
        if issues:
            for issue in issues:
                if issue.severity is Severity.ERROR:
                    row.action = RowAction.ERROR
                    break
        return row


def _resolve_parents(
    file_name: str, preview: RegistryImportPreview, registry: _Registry, columns: list[SourceColumn]
) -> None:
    """Branches name their head school; it must be in the registry or elsewhere in the file."""
    column = next((c for c in columns if c.field == PARENT_FIELD), None)
    if column is None:
        return
    if not any(row.parent_name for row in preview.rows):
        return
    keys = registry.keys
    keys.fill([row.values["full_name"] for row in preview.rows if row.values.get("full_name")])
    keys.fill([row.values["short_name"] for row in preview.rows if row.values.get("short_name")])
    in_file: dict[str, PreviewRow] = {}
    for row in preview.rows:
        if row.values.get("full_name"):
            in_file.setdefault(keys[row.values["full_name"]], row)
            if row.values.get("short_name"):
                in_file.setdefault(keys[row.values["short_name"]], row)
    for row in preview.rows:
        if not row.parent_name or row.action is RowAction.ERROR:
            continue
        key = keys[row.parent_name]
        target_row = in_file.get(key)
        existing = registry.by_name.get(key)
        problem = ""
        if target_row is row or (existing is not None and existing.id == row.school_id):
            problem = "школа не может быть филиалом самой себя"
        elif existing is not None:
            if existing.parent_id is not None:
                problem = f"«{row.parent_name}» сама является филиалом: укажите головную ОО"
            else:
                row.values["parent_id"] = existing.id
        elif target_row is not None:
            if target_row.parent_name:
                problem = f"«{row.parent_name}» сама является филиалом: укажите головную ОО"
        else:
            problem = f"головная ОО «{row.parent_name}» не найдена ни в реестре, ни в этом файле"
        if problem:
            row.issues.append(ImportIssue(file_name, row.row_number, column.letter, column.title, problem))
            row.action = RowAction.ERROR
            continue
        if row.school_id is not None:
            current = registry.by_id[row.school_id].parent_id
            new_parent = row.values.get("parent_id")
            if new_parent is not None and current != new_parent:
                row.changes["parent_id"] = (current, new_parent)
                row.action = RowAction.UPDATE
            elif new_parent is None:  # the head school is new in this file
                row.changes["parent_id"] = (current, row.parent_name)
                row.action = RowAction.UPDATE


def apply_registry_import(database: Database, preview: RegistryImportPreview) -> Job[ChangeSet]:
    """Write the previewed rows in one transaction; a cancel or an error leaves the file as it was."""
    with _collector_paused():
        return (yield from _apply(database, preview))


def _apply(database: Database, preview: RegistryImportPreview) -> Job[ChangeSet]:
    errors = preview.error_count()
    if errors:
        raise AppError(
            f"Файл «{preview.path.name}» содержит {errors} {plural(errors, 'ошибку', 'ошибки', 'ошибок')}: "
            "исправьте их и проверьте файл снова. В базе ничего не изменено."
        )
    new_rows = [r for r in preview.rows if r.action is RowAction.NEW]
    updates = [r for r in preview.rows if r.action is RowAction.UPDATE]
    total = len(new_rows) + len(updates)
    yield Progress(0, total, "Запись в базу…")
    with database_errors(database), database.atomic() as conn:
        recorder = ChangeRecorder(conn, f"Импорт реестра из «{preview.path.name}»")
        for row in updates:
            assert row.school_id is not None
            stored = conn.execute("SELECT updated_at FROM schools WHERE id = ?", (row.school_id,)).fetchone()
            if stored is None or stored[0] != row.expected_updated_at:
                raise ConflictError(
                    f"Строка {row.row_number}: школа изменена после проверки файла. "
                    "Проверьте файл заново; в базе ничего не изменено."
                )
        # The new schools get the ids after the current maximum, in the order of the file; knowing
        # them now, a branch whose head is new in this file is written with its parent_id at once.
        first_id = recorder.next_id("schools")
        keys = preview._keys
        name_to_id: dict[str, int] | None = None
        if any(r.parent_name and r.values.get("parent_id") is None for r in (*new_rows, *updates)):
            name_to_id = {keys[r.values["full_name"]]: first_id + n for n, r in enumerate(new_rows)}
            name_to_id.update(
                {
                    keys[r.values["short_name"]]: first_id + n
                    for n, r in enumerate(new_rows)
                    if r.values.get("short_name")
                }
            )
        defaults: dict[str, Any] = {
            name: ("" if name not in {"parent_id", "latitude", "longitude", "students"} else None)
            for name in SCHOOL_FIELDS
        }
        # One time stamp for the whole import, rather than the columns' default evaluated twice
        # per row (strftime(…, 'localtime') costs SQLite a time-zone conversion each time).
        stamp = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
        defaults["created_at"] = defaults["updated_at"] = stamp
        heads: list[dict[str, Any]] = []
        branches: list[dict[str, Any]] = []  # their heads are new too: written after them
        for n, row in enumerate(new_rows):
            record = {**defaults, **row.values, "id": first_id + n}
            # Plain strings for the StrEnum codes: sqlite3 binds an exact str directly, while a
            # subclass goes through its adapter look-up first (a tenth of the insert's time).
            record["kind"] = str(record["kind"])
            record["locality"] = str(record["locality"])
            parent_id = row.values.get("parent_id")
            if parent_id is None and row.parent_name and name_to_id is not None:
                parent_id = name_to_id.get(keys[row.parent_name])
                if parent_id is not None:
                    record["parent_id"] = parent_id
                    branches.append(record)
                    continue
            record["parent_id"] = parent_id
            heads.append(record)
        done = 0
        for records in (heads, branches):
            for start in range(0, len(records), INSERT_EVERY):
                chunk = records[start : start + INSERT_EVERY]
                recorder.insert_many("schools", chunk, keep_rows=True)
                done += len(chunk)
                yield Progress(done, total, "Добавление школ…")
        for done, row in enumerate(updates, start=1):
            values = {k: v for k, v in row.values.items() if k in SCHOOL_FIELDS}
            if row.parent_name and values.get("parent_id") is None and name_to_id is not None:
                values["parent_id"] = name_to_id.get(keys[row.parent_name])
            assert row.school_id is not None
            recorder.update("schools", row.school_id, values)
            if done % PROGRESS_EVERY == 0:
                yield Progress(len(new_rows) + done, total, "Обновление школ…")
        yield Progress(total, total, "Сохранение…")
    return recorder.changeset
