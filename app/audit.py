"""The audit log (журнал изменений): who changed what and when, in Russian, and its Excel export.

db/changes.py writes one line per change set in the change's own transaction, with table and
column names and a compact JSON of the fields (see migration 0007). This module reads the lines
back as plain `AuditLine`s whose texts are Russian: the tables' and columns' names below, the
schools named, codes shown as their labels. Searching folds case and ё in Python (SQLite's
lower() and LIKE ignore Cyrillic case) through a function registered on the connection, so the
filter, the count and the paging all stay in one SQL query.

Nothing is ever removed from the log by the program: there is no retention limit (a district's
year of edits is a few thousand lines, a few megabytes at most).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.jobs import Job, Progress
from app.schools import FIELD_LABELS
from app.text import fold, plural
from db.changes import CHANGED, DELETED, INSERTED
from db.connection import Database

# Every table of the migrations, by its Russian name (a test checks that none is missing).
TABLE_NAMES = {
    "office": "Реквизиты органа",
    "academic_years": "Учебные годы",
    "settings": "Настройки",
    "schools": "Школы",
    "school_categories": "Категории школ",
    "people": "Люди",
    "bodies": "Органы и организации",
    "plans": "Планы",
    "plan_sections": "Разделы планов",
    "plan_items": "Мероприятия планов",
    "plan_item_schools": "Школы мероприятий",
    "plan_item_responsibles": "Ответственные за мероприятия",
    "partnership_groups": "Партнёрства",
    "partnership_members": "Участники партнёрств",
    "partnership_plan_items": "Мероприятия партнёрств",
    "school_map_positions": "Положение школ на схеме",
    "monitoring_templates": "Шаблоны мониторинга",
    "monitoring_criteria": "Критерии мониторинга",
    "monitoring_campaigns": "Мониторинги",
    "monitoring_campaign_schools": "Школы мониторингов",
    "monitoring_values": "Значения мониторинга",
    "working_groups": "Рабочие группы",
    "working_group_members": "Члены рабочих групп",
    "orders": "Документы",
    "order_points": "Пункты документов",
    "order_appendices": "Приложения к документам",
    "order_templates": "Шаблоны документов",
    "assessment_results": "Результаты оценочных процедур",
    "school_context": "Показатели контекста школ",
    "identification_runs": "Расчёты списков",
    "identification_proposals": "Предложения расчёта списков",
    "audit_log": "Журнал изменений",
}

# Column names as the window labels them; a column not here is shown by its own name.
_COLUMN_NAMES = {
    **FIELD_LABELS,  # the school card's labels
    "parent_id": "Головная ОО",
    "archived_at": "В архиве с",
    "archive_reason": "Причина перевода в архив",
    "name": "Наименование",
    "district": "Муниципальный район (округ)",
    "head_position": "Должность руководителя",
    "head_name": "Руководитель (И.О. Фамилия)",
    "place": "Место издания документов",
    "website": "Сайт",
    "start_year": "Учебный год",
    "key": "Ключ",
    "value": "Значение",
    "school_id": "Школа",
    "academic_year": "Учебный год",
    "category": "Категория",
    "reason": "Причина",
    "source": "Источник",
    "document_ref": "Документ",
    "position": "Порядок",
    "organisation": "Организация",
    "title": "Название",
    "kind": "Вид",
    "period_start": "Начало периода",
    "period_end": "Конец периода",
    "status": "Состояние",
    "columns": "Столбцы",
    "plan_id": "План",
    "section_id": "Раздел",
    "number": "Номер",
    "measure": "Мероприятие",
    "deadline_text": "Срок",
    "deadline_kind": "Вид срока",
    "deadline_start": "Начало срока",
    "deadline_end": "Конец срока",
    "deadline_understood": "Срок понят",
    "responsible": "Ответственные",
    "result": "Ожидаемый результат",
    "schools_text": "ОО (как в документе)",
    "extra": "Другие столбцы",
    "completed_on": "Дата выполнения",
    "evidence": "Подтверждение выполнения",
    "item_id": "Мероприятие",
    "person_id": "Человек",
    "body_id": "Орган",
    "agreement_number": "Номер соглашения",
    "agreement_date": "Дата соглашения",
    "activities": "Совместные мероприятия",
    "group_id": "Группа",
    "role": "Роль",
    "template_id": "Шаблон",
    "version": "Версия",
    "description": "Описание",
    "builtin": "Встроенный",
    "value_type": "Тип значения",
    "required": "Обязательный",
    "points": "Баллы",
    "choices": "Варианты",
    "hint": "Подсказка",
    "due_date": "Срок представления",
    "campaign_id": "Мониторинг",
    "criterion_id": "Критерий",
    "comment": "Комментарий",
    "entered_by": "Кем внесено",
    "entered_at": "Когда внесено",
    "job_title": "Должность",
    "order_date": "Дата",
    "date_style": "Запись даты",
    "letterhead": "Бланк",
    "kind_title": "Название вида документа",
    "issuer": "Издатель",
    "addressee": "Адресат",
    "reply_number": "На №",
    "reply_date": "От (дата)",
    "preamble": "Преамбула",
    "directive": "Распорядительное слово",
    "control_text": "Пункт о контроле",
    "signer_position": "Должность подписывающего",
    "signer_name": "Подписывающий",
    "executor": "Исполнитель",
    "distribution": "Рассылка",
    "attachments_note": "Отметка о приложениях",
    "template_key": "Шаблон",
    "amends_order_id": "Изменяет документ",
    "options": "Параметры печати",
    "signed_at": "Подписан",
    "pdf": "Подписанная копия (PDF)",
    "pdf_sha256": "Контрольная сумма PDF",
    "snapshot": "Снимок документа",
    "order_id": "Документ",
    "text": "Текст",
    "deadline": "Срок",
    "plan_ids": "Планы",
    "working_group_id": "Рабочая группа",
    "body": "Текст приложения",
    "landscape": "Альбомная страница",
    "stamp": "Отметка приложения",
    "data": "Содержание шаблона",
    "level": "Уровень",
    "area": "Территория",
    "procedure": "Процедура",
    "subject": "Предмет",
    "grade": "Класс",
    "participants": "Участников",
    "share_2": "Доля «2», %",
    "share_3": "Доля «3», %",
    "share_4": "Доля «4», %",
    "share_5": "Доля «5», %",
    "average": "Средний балл",
    "below_minimum": "Ниже минимума, %",
    "lowered": "Понизили, %",
    "confirmed": "Подтвердили, %",
    "raised": "Повысили, %",
    "indicator": "Показатель",
    "rules": "Правила",
    "note": "Примечание",
    "run_id": "Расчёт",
    "rule": "Правило",
    "explanation": "Обоснование",
    "figures": "Цифры",
    "thresholds": "Пороги",
    "weak_evidence": "Малая выборка",
    "decision": "Решение",
    "decided_at": "Дата решения",
    "x": "X на схеме",
    "y": "Y на схеме",
}
# Where a table calls a column differently from the others.
_TABLE_COLUMN_NAMES = {
    ("schools", "kind"): "Тип ОО",
    ("office", "name"): "Наименование (как на бланке)",
    ("office", "short_name"): "Краткое наименование органа",
    ("people", "position"): "Должность",
    ("partnership_groups", "name"): "Название партнёрства",
    ("monitoring_criteria", "parent_id"): "Раздел",
    ("order_points", "parent_id"): "Пункт верхнего уровня",
    ("order_points", "addressee"): "Адресат пункта",
    ("working_group_members", "position"): "Порядок",
}

# Setting keys (table `settings`), as log_action lines name them.
SETTING_NAMES = {
    "current_year": "Текущий учебный год",
    "map_basemap": "Подложка карты",
    "orders.issuer": "Издатель документов (для отметок)",
    "orders.numbering.order": "Формат номера приказа",
    "orders.numbering.directive": "Формат номера распоряжения",
    "orders.numbering.letter": "Формат номера письма",
    "backups.keep": "Число хранимых резервных копий",
}

# Settings that are the views' state rather than data: no audit line when they change.
UNLOGGED_SETTINGS = frozenset({"current_year"})

_KIND_WORDS = {INSERTED: "добавлено", CHANGED: "изменено", DELETED: "удалено"}
_ROW_WORDS = {INSERTED: "добавлена", CHANGED: "изменена", DELETED: "удалена"}
PAGE = 500  # lines per page of the window's table and per step of the export


def table_name(table: str) -> str:
    return TABLE_NAMES.get(table, table)


def column_name(table: str, column: str) -> str:
    return _TABLE_COLUMN_NAMES.get((table, column)) or _COLUMN_NAMES.get(column, column)


def setting_name(key: str) -> str:
    return SETTING_NAMES.get(key, key)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _value_labels() -> dict[tuple[str, str], Callable[[str], str]]:
    """Codes stored in the tables → the labels the window shows (imported on first use)."""
    from app.domain import Category, CategorySource, Locality, SchoolKind

    def enum_label(kind: Any) -> Callable[[str], str]:
        def label(code: str) -> str:
            try:
                return str(kind(code).label) or "—"
            except ValueError:
                return code

        return label

    from app.deadlines import DeadlineKind
    from app.orders.model import AppendixKind, OrderKind, OrderStatus
    from app.orders.model import MemberRole as GroupRole
    from app.partnerships.model import MemberRole, PartnershipKind, PartnershipStatus
    from app.plans.model import ItemStatus, PlanKind, PlanStatus
    from app.results.model import Indicator, Level, Procedure

    def fixed(labels: dict[str, str]) -> Callable[[str], str]:
        return lambda code: labels.get(code, code)

    category = enum_label(Category)
    return {
        ("schools", "kind"): enum_label(SchoolKind),
        ("schools", "locality"): enum_label(Locality),
        ("school_categories", "category"): category,
        ("school_categories", "source"): enum_label(CategorySource),
        ("plans", "kind"): enum_label(PlanKind),
        ("plans", "status"): enum_label(PlanStatus),
        ("plan_items", "status"): enum_label(ItemStatus),
        ("plan_items", "deadline_kind"): enum_label(DeadlineKind),
        ("partnership_groups", "kind"): enum_label(PartnershipKind),
        ("partnership_groups", "status"): enum_label(PartnershipStatus),
        ("partnership_members", "role"): enum_label(MemberRole),
        ("monitoring_campaigns", "status"): fixed({"open": "открыт", "closed": "закрыт"}),
        ("orders", "kind"): enum_label(OrderKind),
        ("orders", "status"): enum_label(OrderStatus),
        ("order_appendices", "kind"): enum_label(AppendixKind),
        ("order_appendices", "category"): category,
        ("working_group_members", "role"): enum_label(GroupRole),
        ("assessment_results", "level"): enum_label(Level),
        ("assessment_results", "procedure"): enum_label(Procedure),
        ("school_context", "indicator"): enum_label(Indicator),
        ("identification_proposals", "category"): category,
        ("identification_proposals", "decision"): fixed(
            {"pending": "не рассмотрено", "accepted": "принято", "rejected": "отклонено"}
        ),
    }


@dataclass(frozen=True)
class AuditFilters:
    """What the window, the command line and the export ask for; empty = everything."""

    since: date | None = None  # from this day, inclusive
    until: date | None = None  # to this day, inclusive
    user: str = ""  # the OS user, exactly as the log has it
    text: str = ""  # anywhere in the line as shown, ignoring case and ё

    def describe(self) -> str:
        parts = []
        if self.since and self.until:
            parts.append(f"с {self.since:%d.%m.%Y} по {self.until:%d.%m.%Y}")
        elif self.since:
            parts.append(f"с {self.since:%d.%m.%Y}")
        elif self.until:
            parts.append(f"по {self.until:%d.%m.%Y}")
        if self.user:
            parts.append(f"пользователь {self.user}")
        if self.text.strip():
            parts.append(f"поиск «{self.text.strip()}»")
        return ", ".join(parts) if parts else "все записи"


@dataclass(frozen=True)
class AuditLine:
    """One line of the log as a person reads it."""

    id: int
    at: datetime | None  # None only if the stored time is unreadable
    at_text: str  # «01.03.2024 14:05:09»
    os_user: str
    computer: str
    action: str  # «Изменение школы …», «Отмена: …»
    tables: str  # «Школы: изменено 1; Категории школ: добавлено 1»
    details: str  # one row per line: «Школы, запись 5 — МКОУ «Шумская СОШ», изменена: Руководитель: …»
    data: dict[str, Any]  # the stored JSON, for --json and tests


class _Names:
    """Names of the rows a line points at (schools, for now), read once per query when needed."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._schools: dict[int, str] | None = None
        self._labels: dict[tuple[str, str], Callable[[str], str]] | None = None

    def school(self, school_id: Any) -> str:
        if self._schools is None:
            self._schools = {
                int(r[0]): str(r[1] or r[2])
                for r in self.database.query("SELECT id, short_name, full_name FROM schools")
            }
        if isinstance(school_id, int) and school_id in self._schools:
            return self._schools[school_id]
        return ""

    def label(self, table: str, column: str, value: Any) -> str | None:
        if self._labels is None:
            self._labels = _value_labels()
        labeller = self._labels.get((table, column))
        return labeller(value) if labeller is not None and isinstance(value, str) else None


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict) and set(value) == {"bytes"}:
        return f"файл, {_number(int(value['bytes']))} байт"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, str):
        return "«" + " ".join(value.split()) + "»"
    return str(value)


def _show_field(table: str, column: str, value: Any, names: _Names) -> str:
    if (
        value is not None
        and column in ("school_id", "parent_id")
        and (column == "school_id" or table == "schools")
    ):
        name = names.school(value)
        if name:
            return f"{name} (№ {value})"
    label = names.label(table, column, value)
    if label is not None:
        return label
    return _show(value)


def render_tables(tables: str) -> str:
    """«schools +1 ~2; people -1» → «Школы: добавлено 1, изменено 2; Люди: удалено 1»."""
    parts = []
    for chunk in tables.split("; "):
        if not chunk.strip():
            continue
        name, _, counts = chunk.partition(" ")
        words = []
        for token in counts.split():
            kind, amount = token[:1], token[1:]
            if kind in _KIND_WORDS and amount.isdigit():
                words.append(f"{_KIND_WORDS[kind]} {_number(int(amount))}")
        parts.append(f"{table_name(name)}: {', '.join(words)}" if words else table_name(name))
    return "; ".join(parts)


def render_details(data: dict[str, Any], names: _Names) -> str:
    """The stored JSON as lines of text: one per row, or the counts of a big change (a line of
    another shape — edited by hand, from a newer version — is shown as it is stored)."""
    try:
        return _render_details(data, names)
    except (AttributeError, TypeError, ValueError, KeyError):
        return json.dumps(data, ensure_ascii=False)


def _render_details(data: dict[str, Any], names: _Names) -> str:
    lines: list[str] = []
    for row in data.get("rows", []):
        table, row_id, kind = str(row.get("t", "")), row.get("id"), str(row.get("op", ""))
        subject = f"{table_name(table)}, запись {row_id}"
        if table == "schools":
            name = names.school(row_id)
            if name:
                subject += f" — {name}"
        fields = row.get("f") or {}
        shown = []
        for column, pair in fields.items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            label = column_name(table, column)
            if kind == INSERTED:
                shown.append(f"{label}: {_show_field(table, column, after, names)}")
            elif kind == DELETED:
                shown.append(f"{label}: {_show_field(table, column, before, names)}")
            else:
                shown.append(
                    f"{label}: {_show_field(table, column, before, names)} → {_show_field(table, column, after, names)}"
                )
        lines.append(f"{subject}, {_ROW_WORDS.get(kind, kind)}" + (": " + "; ".join(shown) if shown else ""))
    if "total" in data:
        total = int(data["total"])
        counts = data.get("counts") or {}
        per_table = "; ".join(
            f"{table_name(table)}: "
            + ", ".join(f"{_KIND_WORDS.get(k, k)} {_number(int(n))}" for k, n in kinds.items())
            for table, kinds in counts.items()
        )
        lines.append(
            f"Всего {_number(total)} {plural(total, 'изменение строки', 'изменения строк', 'изменений строк')} "
            f"(подробности по полям не записываются для изменений больше чем в 50 строках). {per_table}."
        )
    action = data.get("action")
    if isinstance(action, dict):
        for key, value in action.items():
            label = setting_name(key) if key in SETTING_NAMES else _COLUMN_NAMES.get(key, key)
            if isinstance(value, list) and len(value) == 2:
                lines.append(f"{label}: {_show(value[0])} → {_show(value[1])}")
            else:
                lines.append(f"{label}: {_show(value)}")
    return "\n".join(lines)


def _parse_at(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _load(details: str) -> dict[str, Any]:
    try:
        data = json.loads(details or "{}")
    except ValueError:
        return {"action": {"Как записано": details}}
    return data if isinstance(data, dict) else {"action": {"Как записано": data}}


class AuditService:
    """Reads the audit log: filtered pages of lines, the users who appear in it, the Excel export."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # --- reading ---------------------------------------------------------------------------------
    def _where(self, filters: AuditFilters, names: _Names) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filters.since is not None:
            clauses.append("at >= ?")
            params.append(filters.since.isoformat())
        if filters.until is not None:
            clauses.append("at < ?")
            params.append((filters.until + timedelta(days=1)).isoformat())
        if filters.user:
            clauses.append("os_user = ?")
            params.append(filters.user)
        needle = fold(" ".join(filters.text.split()))
        if needle:
            conn = self.database.connection()
            conn.create_function("opora_audit_match", 5, _matcher(needle, names))
            clauses.append("opora_audit_match(action, os_user, computer, tables, details)")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def lines(self, filters: AuditFilters, *, limit: int | None = None, offset: int = 0) -> list[AuditLine]:
        names = _Names(self.database)
        where, params = self._where(filters, names)
        sql = f"SELECT * FROM audit_log{where} ORDER BY id DESC LIMIT ? OFFSET ?"
        rows = self.database.query(sql, (*params, -1 if limit is None else limit, max(offset, 0)))
        return [self._line(row, names) for row in rows]

    def count(self, filters: AuditFilters | None = None) -> int:
        filters = filters or AuditFilters()
        where, params = self._where(filters, _Names(self.database))
        return int(self.database.query(f"SELECT count(*) FROM audit_log{where}", tuple(params))[0][0])

    def users(self) -> list[str]:
        """Everyone who appears in the log, sorted as a person expects (case and ё ignored)."""
        found = [str(r[0]) for r in self.database.query("SELECT DISTINCT os_user FROM audit_log")]
        return sorted(found, key=lambda name: (fold(name), name))

    def _line(self, row: sqlite3.Row, names: _Names) -> AuditLine:
        at = _parse_at(str(row["at"]))
        data = _load(str(row["details"]))
        return AuditLine(
            id=int(row["id"]),
            at=at,
            at_text=f"{at:%d.%m.%Y %H:%M:%S}" if at is not None else str(row["at"]),
            os_user=str(row["os_user"]),
            computer=str(row["computer"]),
            action=str(row["action"]),
            tables=render_tables(str(row["tables"])),
            details=render_details(data, names),
            data=data,
        )

    def iter_lines(self, filters: AuditFilters, page: int = PAGE) -> Iterator[list[AuditLine]]:
        """All matching lines, newest first, a page at a time (the export's memory stays flat)."""
        offset = 0
        while True:
            chunk = self.lines(filters, limit=page, offset=offset)
            if not chunk:
                return
            yield chunk
            if len(chunk) < page:
                return
            offset += len(chunk)

    # --- the Excel export ------------------------------------------------------------------------
    def export_xlsx(self, path: Path, filters: AuditFilters | None = None) -> Job[int]:
        """Write the matching lines to a formatted .xlsx (a job: progress, cancel); returns their number."""
        return export_audit(self.database, path, filters or AuditFilters())

    # Last in the class: below it, `list` in this class's scope is the method.
    def list(
        self,
        since: date | None = None,
        until: date | None = None,
        user: str = "",
        text: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[AuditLine]:
        """Lines newest first, filtered as `AuditFilters` says; `limit`/`offset` page through them."""
        return self.lines(AuditFilters(since, until, user, text), limit=limit, offset=offset)


def _matcher(needle: str, names: _Names) -> Callable[[str, str, str, str, str], int]:
    """The SQL function behind the text search: the line as shown, folded, contains the needle."""

    def match(action: str, os_user: str, computer: str, tables: str, details: str) -> int:
        raw = fold(f"{action}\n{os_user}\n{computer}\n{details}")
        if needle in raw:
            return 1
        shown = fold(f"{render_tables(tables or '')}\n{render_details(_load(details), names)}")
        return 1 if needle in shown else 0

    return match


# Excel refuses a cell longer than this.
_CELL_LIMIT = 32_000


def export_audit(database: Database, path: Path, filters: AuditFilters) -> Job[int]:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    from app.exporting.files import check_target, write_atomically
    from app.exporting.xlsx import XlsxColumn, column_widths, safe_cell, setup_print, table_styles

    path = check_target(path, (".xlsx",), "Журнал изменений выгружается в книгу Excel")
    service = AuditService(database)
    yield Progress(0, 0, "Чтение журнала изменений…")
    total = service.count(filters)
    columns = [
        XlsxColumn("Когда", 19, number_format="DD.MM.YYYY HH:MM:SS"),
        XlsxColumn("Пользователь", 16, wrap=True),
        XlsxColumn("Компьютер", 16, wrap=True),
        XlsxColumn("Действие", 44, wrap=True),
        XlsxColumn("Что изменено", 34, wrap=True),
        XlsxColumn("Подробности", 80, wrap=True),
    ]
    workbook = Workbook(write_only=True)
    for style in table_styles().values():
        workbook.add_named_style(style)
    sheet = workbook.create_sheet("Журнал изменений")
    column_widths(sheet, columns)
    header_row = 4
    last = get_column_letter(len(columns))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(total, 1)}"
    setup_print(sheet, header_row, last)
    sheet.append([safe_cell(sheet, f"Журнал изменений базы «{database.path.name}»", "opora_title")])
    sheet.append(
        [
            safe_cell(
                sheet,
                f"Выгружено {datetime.now():%d.%m.%Y %H:%M}; {filters.describe()}; "
                f"{_number(total)} {plural(total, 'запись', 'записи', 'записей')}",
                "opora_note",
            )
        ]
    )
    sheet.append([])
    sheet.append([safe_cell(sheet, c.title, "opora_header") for c in columns])

    def text(value: str) -> str:
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value if len(value) <= _CELL_LIMIT else value[:_CELL_LIMIT] + "…"

    written = 0
    for chunk in service.iter_lines(filters):
        for line in chunk:
            when = safe_cell(sheet, line.at if line.at is not None else line.at_text, "opora_body")
            if line.at is not None:
                when.number_format = "DD.MM.YYYY HH:MM:SS"
            sheet.append(
                [
                    when,
                    *(
                        safe_cell(sheet, text(value), "opora_body")
                        for value in (line.os_user, line.computer, line.action, line.tables, line.details)
                    ),
                ]
            )
        written += len(chunk)
        yield Progress(written, total, "Запись строк…")
    yield Progress(written, max(total, written), "Сохранение файла…")
    write_atomically(path, workbook.save)
    return written
