"""Importing the school registry from Excel: preview first, then one transaction.

The preview reads the file, finds the header, maps columns, parses every cell and decides for
each row whether it adds a school, updates one (matched by ФИС ОКО login, then by full or short
name ignoring case, ё and quotes, then by a unique ИНН) or changes nothing. Every problem names
the row and column. Empty cells never erase what is stored. Applying writes everything or
nothing and returns one change set, so the whole import is a single undo step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain import SCHOOL_FIELDS, School, SchoolKind
from app.errors import AppError, ConflictError
from app.importing.columns import ColumnSpec, HeaderMatch, SourceColumn, find_header, remap
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import read_sheets
from app.jobs import Job, Progress
from app.schools import FIELD_LABELS, SchoolService, clean_school_values
from app.text import abbreviate_school_name, guess_school_kind, match_key, plural
from app.values import clean_text
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


class _Registry:
    """Existing schools indexed the ways a row can be matched to one."""

    def __init__(self, schools: list[School], keys: _MatchKeys | None = None) -> None:
        keys = _MatchKeys() if keys is None else keys
        self.keys = keys
        self.by_id = {s.id: s for s in schools}
        self.by_login: dict[str, School] = {}
        self.by_name: dict[str, School] = {}
        self.by_inn: dict[str, list[School]] = {}
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
        for name_field in ("full_name", "short_name"):
            name = values.get(name_field)
            if name and self.keys[name] in self.by_name:
                return self.by_name[self.keys[name]]
        inn = values.get("inn")
        if inn and len(self.by_inn.get(inn, [])) == 1:
            return self.by_inn[inn][0]
        return None


def preview_registry_import(
    database: Database, path: Path, mapping: dict[int, str | None] | None = None
) -> Job[RegistryImportPreview]:
    path = Path(path)
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
    rows = list(_preview_rows(path.name, data, match.row_index + 2, mapped, registry))
    total = len(rows)
    for done in range(0, total, PROGRESS_EVERY):
        yield Progress(done, total, "Проверка строк…")
    preview.rows = rows
    _resolve_parents(path.name, preview, registry, mapped)
    yield Progress(total, total, "Проверка завершена")
    return preview


def _preview_rows(
    file_name: str,
    data: list[list[Any]],
    first_row_number: int,
    columns: list[SourceColumn],
    registry: _Registry,
) -> Iterator[PreviewRow]:
    by_field = {c.field: c for c in columns if c.field}
    keys = registry.keys
    seen_names: dict[str, int] = {}
    seen_schools: dict[int, int] = {}
    width = max((c.index for c in columns), default=0) + 1
    for offset, cells in enumerate(data):
        row_number = first_row_number + offset
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        raw = {c.field: cells[c.index] for c in columns if c.field}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
            continue
        parent_name = clean_text(raw.pop(PARENT_FIELD, None))
        # Empty cells never erase stored values, so only non-empty ones are parsed and kept.
        # (clean_text(v) == "" exactly when v is text made of whitespace only: str.isspace and
        # the regex \s that clean_text collapses agree on what whitespace is.)
        present = {
            k: v
            for k, v in raw.items()
            if v is not None and not (isinstance(v, str) and (not v or v.isspace()))
        }
        values, problems = clean_school_values(present)
        issues = [
            ImportIssue(
                file_name,
                row_number,
                by_field[p.field].letter,
                by_field[p.field].title,
                _strip_label(p.field, p.message),
            )
            for p in problems
            if p.field in by_field
        ]
        if not values.get("full_name"):
            column = by_field["full_name"]
            issues.append(
                ImportIssue(file_name, row_number, column.letter, column.title, "не указано наименование ОО")
            )
            yield PreviewRow(row_number, RowAction.ERROR, values, issues=issues, parent_name=parent_name)
            continue
        key = keys[values["full_name"]]
        if key in seen_names:
            column = by_field["full_name"]
            issues.append(
                ImportIssue(
                    file_name,
                    row_number,
                    column.letter,
                    column.title,
                    f"школа «{values['full_name']}» уже есть в строке {seen_names[key]} этого файла",
                )
            )
        else:
            seen_names[key] = row_number
        existing = registry.find(values)
        row = PreviewRow(
            row_number,
            RowAction.NEW,
            values,
            issues=issues,
            parent_name=parent_name,
            name=values["full_name"],
        )
        if existing is not None:
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
                values["short_name"] = abbreviate_school_name(values["full_name"])
            if values.get("kind") in (None, SchoolKind.NONE):
                values["kind"] = SchoolKind(guess_school_kind(values["full_name"]))
        if issues and any(i.severity is Severity.ERROR for i in issues):
            row.action = RowAction.ERROR
        yield row


def _strip_label(field_name: str, message: str) -> str:
    prefix = f"{FIELD_LABELS.get(field_name, '')}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _resolve_parents(
    file_name: str, preview: RegistryImportPreview, registry: _Registry, columns: list[SourceColumn]
) -> None:
    """Branches name their head school; it must be in the registry or elsewhere in the file."""
    column = next((c for c in columns if c.field == PARENT_FIELD), None)
    if column is None:
        return
    keys = registry.keys
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
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, f"Импорт реестра из «{preview.path.name}»")
        for row in updates:
            assert row.school_id is not None
            stored = conn.execute("SELECT updated_at FROM schools WHERE id = ?", (row.school_id,)).fetchone()
            if stored is None or stored[0] != row.expected_updated_at:
                raise ConflictError(
                    f"Строка {row.row_number}: школа изменена после проверки файла. "
                    "Проверьте файл заново; в базе ничего не изменено."
                )
        defaults: dict[str, Any] = {
            name: ("" if name not in {"parent_id", "latitude", "longitude", "students"} else None)
            for name in SCHOOL_FIELDS
        }
        records = [{**defaults, **r.values, "parent_id": r.values.get("parent_id")} for r in new_rows]
        ids: dict[int, int] = {}
        for start in range(0, len(records), PROGRESS_EVERY):
            chunk = records[start : start + PROGRESS_EVERY]
            for row, new_id in zip(
                new_rows[start : start + PROGRESS_EVERY], recorder.insert_many("schools", chunk), strict=True
            ):
                ids[row.row_number] = new_id
            yield Progress(start + len(chunk), total, "Добавление школ…")
        keys = preview._keys
        name_to_id = {keys[r.values["full_name"]]: ids[r.row_number] for r in new_rows}
        name_to_id.update(
            {keys[r.values["short_name"]]: ids[r.row_number] for r in new_rows if r.values.get("short_name")}
        )
        for done, row in enumerate(updates, start=1):
            values = {k: v for k, v in row.values.items() if k in SCHOOL_FIELDS}
            if row.parent_name and values.get("parent_id") is None:
                values["parent_id"] = name_to_id.get(keys[row.parent_name])
            assert row.school_id is not None
            recorder.update("schools", row.school_id, values)
            if done % PROGRESS_EVERY == 0:
                yield Progress(len(new_rows) + done, total, "Обновление школ…")
        for row in new_rows:
            if row.parent_name and row.values.get("parent_id") is None:
                parent_id = name_to_id.get(keys[row.parent_name])
                if parent_id is not None:
                    recorder.update("schools", ids[row.row_number], {"parent_id": parent_id})
        yield Progress(total, total, "Сохранение…")
    return recorder.changeset
