"""Excel forms of a monitoring campaign: one workbook per school, sent out and collected back.

Each workbook has three sheets:

* «Инструкция» — what to fill, by when, how to send it back, and that the structure must stay;
* «Анкета» — № / Критерий / Тип / Значение / Комментарий, one row per criterion (groups as bold
  merged rows), the value and comment cells unlocked and everything else locked by sheet
  protection without a password (against accidental edits, not against a determined user),
  a data validation per type, required criteria marked «*» with a shaded value cell;
* «_опора» — very hidden (Excel shows it in no menu): the form's format version, the campaign,
  the school, the template version and, per criterion, its id, number, row on «Анкета» and the
  value and comment the form was pre-filled with. This is how the import knows what is where.

Choices that cannot be written into a validation formula (a comma or a quote in a choice, or
a long list) are listed on a hidden sheet «_списки» and the validation points at that range.

Reading back (`preview_forms`) never stops at a bad file: every failure of one file becomes an
issue of that file, and the other files are read as usual. `apply_forms` writes the accepted
forms in one transaction — one undo step.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.errors import AppError, os_reason
from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import is_formula_like, setup_print, table_styles
from app.importing.errors import ImportFileError, database_errors
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import check_workbook_file
from app.jobs import Job, Progress, run_job
from app.monitoring.service import (
    TYPE_LABELS,
    Campaign,
    Criterion,
    MonitoringService,
    StoredValue,
    display_value,
    parse_value,
)
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database

FORM_FORMAT_VERSION = 1
INSTRUCTION_SHEET = "Инструкция"
FORM_SHEET = "Анкета"
META_SHEET = "_опора"
LISTS_SHEET = "_списки"

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
NUMBER_COLUMN, TITLE_COLUMN, TYPE_COLUMN, VALUE_COLUMN, COMMENT_COLUMN = "A", "B", "C", "D", "E"
FORM_COLUMNS = (("№", 8), ("Критерий", 62), ("Тип", 16), ("Значение", 30), ("Комментарий", 36))

# A returned form is small; anything far bigger is not our form (or a hostile file).
MAX_FORM_BYTES = 20 * 1024 * 1024
# openpyxl holds every cell of a form as an object: 40 MB of cells took 11 s and 320 MB; a real form
# of 52 criteria unpacks to 110 KB.
MAX_FORM_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_FORM_ROWS = 20_000
MAX_INLINE_LIST = 250  # Excel refuses inline list validations longer than 255 characters

FORM_SUFFIXES = (".xlsx", ".xlsm")
_NOT_A_FORM = (
    "файл не является формой «Опоры» или лист «_опора» удалён (например, анкету скопировали в "
    "новую книгу). Попросите школу заполнить исходный файл формы или выгрузите форму заново."
)
_REQUIRED_FILL = "FFF2CC"
_GROUP_FILL = "E7EEF6"
_ILLEGAL_IN_FILE_NAMES = re.compile(r"[<>:|?*\x00-\x1f]")


# --- writing ------------------------------------------------------------------------------


def form_file_name(campaign_title: str, school_name: str) -> str:
    """«<campaign title> — <school>.xlsx» with what Windows forbids in file names replaced."""
    text = f"{campaign_title} — {school_name}"
    text = text.replace("/", "-").replace("\\", "-").replace('"', "'")
    text = _ILLEGAL_IN_FILE_NAMES.sub("_", text)
    text = " ".join(text.split()).strip(" .")
    if len(text) > 150:
        text = text[:150].rstrip(" .")
    return (text or "Форма мониторинга") + ".xlsx"


def _school_names(database: Database, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    return {
        r["id"]: r["short_name"] or r["full_name"]
        for r in database.query("SELECT id, short_name, full_name FROM schools")
        if r["id"] in wanted
    }


def _template_row(database: Database, template_id: int) -> tuple[str, int]:
    rows = database.query("SELECT key, version FROM monitoring_templates WHERE id = ?", (template_id,))
    if not rows:
        raise AppError("Шаблон мониторинга не найден.")
    return str(rows[0]["key"]), int(rows[0]["version"])


def _typed_value(criterion: Criterion, stored: str) -> object:
    """What the value cell holds: numbers and dates as such (Excel validates and formats them),
    everything else as display text."""
    if not stored:
        return None
    if criterion.value_type in ("number", "percent"):
        try:
            number = float(stored.replace(",", "."))
        except ValueError:
            return display_value(criterion, stored)
        return int(number) if number.is_integer() else number
    if criterion.value_type == "date":
        try:
            return date.fromisoformat(stored)
        except ValueError:
            return display_value(criterion, stored)
    return display_value(criterion, stored)


_TYPE_PROMPTS = {
    "text": "Текст.",
    "document": "Вид, номер и дата документа, например «приказ № 12 от 01.09.2020».",
    "number": "Число, например 12 или 12,5.",
    "percent": "Число от 0 до 100, без знака %.",
    "yesno": "Выберите «да» или «нет».",
    "date": "Дата в виде ДД.ММ.ГГГГ, например 01.09.2021.",
    "choice": "Выберите значение из списка.",
}


def _write_workbook(
    campaign: Campaign,
    school_id: int,
    school_name: str,
    template: tuple[str, int],
    criteria: Sequence[Criterion],
    stored: dict[int, StoredValue],
    office_name: str,
) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils.datetime import to_excel
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    for style in table_styles().values():
        workbook.add_named_style(style)
    unlocked = Protection(locked=False)

    def put(sheet: Any, ref: str, value: object, style: str | None = None) -> Any:
        cell = sheet[ref]
        if style:
            cell.style = style  # before quotePrefix: assigning a named style resets it
        cell.value = value
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell

    # --- «Инструкция» ---
    guide = workbook.active
    guide.title = INSTRUCTION_SHEET
    guide.column_dimensions["A"].width = 110
    due = f"до {campaign.due_date:%d.%m.%Y}" if campaign.due_date else "в срок, указанный в письме"
    year = f"{campaign.academic_year}/{campaign.academic_year + 1}" if campaign.academic_year else ""
    lines: list[tuple[str, str]] = [
        (campaign.title, "opora_title"),
        (f"Школа: {school_name}", "text"),
    ]
    if year:
        lines.append((f"Учебный год: {year}", "text"))
    lines += [
        (f"Срок представления: {due}", "heading"),
        ("", ""),
        ("Что заполнить", "heading"),
        (
            f"На листе «{FORM_SHEET}» для каждого пункта заполните столбец «Значение»; при необходимости "
            "поясните ответ в столбце «Комментарий». Если значение уже указано, проверьте его и при "
            "необходимости исправьте. Пункты, отмеченные «*», обязательны — их ячейки выделены цветом.",
            "text",
        ),
        ("Как вводить значения", "heading"),
        ("Число — цифрами, например 12 или 12,5.", "text"),
        ("Процент — число от 0 до 100 без знака %, например 45,5.", "text"),
        ("Да/нет, выбор из списка — выберите значение из раскрывающегося списка в ячейке.", "text"),
        ("Дата — в виде ДД.ММ.ГГГГ, например 01.09.2021.", "text"),
        ("Реквизиты документа — вид, номер и дату, например «приказ № 12 от 01.09.2020».", "text"),
        ("Что нельзя менять", "heading"),
        (
            "Не добавляйте, не удаляйте и не переставляйте строки, столбцы и листы, не переименовывайте "
            "листы и не переносите анкету в другую книгу: программа находит ответы по их местам и "
            "не примет изменённую форму. Листы защищены от случайных изменений (без пароля); "
            "заполнять можно только столбцы «Значение» и «Комментарий».",
            "text",
        ),
        ("Как отправить", "heading"),
        (
            "Сохраните файл в том же формате (книга Excel .xlsx) — имя файла можно не менять — и "
            f"отправьте его {due} в "
            + (f"{office_name}" if office_name else "муниципальный орган управления образованием")
            + " тем способом, каким получили форму (например, по электронной почте).",
            "text",
        ),
    ]
    fonts = {
        "heading": Font(name="Liberation Sans", bold=True, size=11),
        "text": Font(name="Liberation Sans", size=11),
    }
    for index, (text, kind) in enumerate(lines, start=1):
        cell = put(guide, f"A{index}", text or None, kind if kind.startswith("opora_") else "opora_note")
        if kind in fonts:
            cell.font = fonts[kind]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.protection.sheet = True
    guide.page_setup.orientation = "portrait"
    guide.page_setup.paperSize = 9
    guide.page_setup.fitToWidth = 1
    guide.page_setup.fitToHeight = 0
    guide.sheet_properties.pageSetUpPr.fitToPage = True

    # --- «Анкета» ---
    sheet = workbook.create_sheet(FORM_SHEET)
    for letter, (_, width) in zip("ABCDE", FORM_COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = width
    put(sheet, "A1", campaign.title, "opora_title")
    sheet.merge_cells("A1:E1")
    put(sheet, "A2", f"{school_name}. Срок представления: {due}.", "opora_note")
    sheet.merge_cells("A2:E2")
    put(
        sheet,
        "A3",
        "Заполните столбцы «Значение» и «Комментарий». «*» — обязательный пункт (ячейка выделена цветом).",
        "opora_note",
    )
    sheet.merge_cells("A3:E3")
    for letter, (title, _) in zip("ABCDE", FORM_COLUMNS, strict=True):
        put(sheet, f"{letter}{HEADER_ROW}", title, "opora_header")

    lists_sheet: Any = None
    lists_used = 0
    validations: dict[tuple[Any, ...], Any] = {}
    error_title = "Неверное значение"

    def validation(criterion: Criterion) -> Any:
        nonlocal lists_sheet, lists_used
        kind = criterion.value_type
        key: tuple[Any, ...] = (kind, criterion.choices) if kind == "choice" else (kind,)
        if key in validations:
            return validations[key]
        prompt = _TYPE_PROMPTS.get(kind, "")
        common = {
            "allow_blank": True,
            "showErrorMessage": True,
            "showInputMessage": True,
            "errorTitle": error_title,
            "promptTitle": TYPE_LABELS.get(kind, "")[:32],
            "prompt": prompt,
        }
        if kind == "number":
            made = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                error="Введите число цифрами, например 12 или 12,5 (не меньше нуля).",
                **common,
            )
        elif kind == "percent":
            made = DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2="100",
                error="Введите процент числом от 0 до 100 без знака %, например 45,5.",
                **common,
            )
        elif kind == "yesno":
            made = DataValidation(
                type="list", formula1='"да,нет"', error="Выберите «да» или «нет» из списка.", **common
            )
        elif kind == "date":
            made = DataValidation(
                type="date",
                operator="between",
                formula1=str(int(to_excel(date(1990, 1, 1)))),
                formula2=str(int(to_excel(date(2100, 12, 31)))),
                error="Введите дату в виде ДД.ММ.ГГГГ, например 01.09.2021.",
                **common,
            )
        elif kind == "choice" and criterion.choices:
            inline = ",".join(criterion.choices)
            if len(inline) <= MAX_INLINE_LIST and not any(
                "," in c or '"' in c or is_formula_like(c) for c in criterion.choices
            ):
                formula = f'"{inline}"'
            else:
                if lists_sheet is None:
                    lists_sheet = workbook.create_sheet(LISTS_SHEET)
                    lists_sheet.sheet_state = "hidden"
                    lists_sheet.protection.sheet = True
                lists_used += 1
                from openpyxl.utils import get_column_letter

                letter = get_column_letter(lists_used)
                for index, choice in enumerate(criterion.choices, start=1):
                    put(lists_sheet, f"{letter}{index}", choice)
                formula = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(criterion.choices)}"
            made = DataValidation(
                type="list", formula1=formula, error="Выберите значение из раскрывающегося списка.", **common
            )
        else:  # text, document: no check, only the prompt
            made = DataValidation(showInputMessage=True, promptTitle=common["promptTitle"], prompt=prompt)
        sheet.add_data_validation(made)
        validations[key] = made
        return made

    group_font = Font(name="Liberation Sans", bold=True, size=10)
    group_fill = PatternFill("solid", fgColor=_GROUP_FILL)
    required_fill = PatternFill("solid", fgColor=_REQUIRED_FILL)
    rows: dict[int, int] = {}
    row = HEADER_ROW
    for criterion in criteria:
        row += 1
        rows[criterion.id] = row
        put(sheet, f"A{row}", criterion.number, "opora_body")
        if criterion.is_group:
            put(sheet, f"B{row}", criterion.title, "opora_body")
            for letter in "CDE":
                sheet[f"{letter}{row}"].style = "opora_body"
            sheet.merge_cells(f"B{row}:E{row}")
            for letter in "AB":
                sheet[f"{letter}{row}"].font = group_font
                sheet[f"{letter}{row}"].fill = group_fill
            sheet[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="top", indent=criterion.depth)
            continue
        title = criterion.title + (" *" if criterion.required else "")
        if criterion.hint:
            title += f"\n{criterion.hint}"
        put(sheet, f"B{row}", title, "opora_body")
        sheet[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="top", indent=criterion.depth)
        type_text = TYPE_LABELS.get(criterion.value_type, criterion.value_type)
        if criterion.value_type == "choice" and criterion.choices:
            type_text += ": " + "; ".join(criterion.choices)
        put(sheet, f"C{row}", type_text, "opora_body")
        current = stored.get(criterion.id)
        value = _typed_value(criterion, current.value if current else "")
        numeric = criterion.value_type in ("number", "percent")
        cell = put(sheet, f"D{row}", value, "opora_number" if numeric else "opora_body")
        if criterion.value_type == "date":
            cell.number_format = "DD.MM.YYYY"
        elif numeric:
            cell.number_format = "General"
        else:
            cell.number_format = "@"  # text: «01.09» or «1-2» typed by a school stays as typed
        cell.protection = unlocked
        if criterion.required:
            cell.fill = required_fill
        comment = put(sheet, f"E{row}", (current.comment if current else "") or None, "opora_body")
        comment.number_format = "@"
        comment.protection = unlocked
        validation(criterion).add(f"D{row}")
    last_row = max(row, FIRST_ROW)
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widening a column or a row is harmless
    sheet.protection.formatRows = False
    setup_print(sheet, HEADER_ROW, "E")
    sheet.page_setup.orientation = "portrait"
    sheet.print_area = f"A1:E{last_row}"

    # --- «_опора» ---
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    meta_rows: list[list[object]] = [
        ["Служебный лист программы «Опора»: по нему загружается заполненная форма. Не изменяйте его."],
        ["формат", FORM_FORMAT_VERSION],
        ["мониторинг_id", campaign.id],
        ["мониторинг", campaign.title],
        ["школа_id", school_id],
        ["школа", school_name],
        ["шаблон", template[0]],
        ["версия_шаблона", template[1]],
        ["лист", FORM_SHEET],
        ["столбец_значения", VALUE_COLUMN],
        ["столбец_комментария", COMMENT_COLUMN],
        ["выгружено", datetime.now().strftime("%Y-%m-%dT%H:%M:%S")],
        [],
        ["пункт_id", "номер", "строка", "тип", "было_значение", "было_комментарий"],
    ]
    for criterion in criteria:
        current = stored.get(criterion.id)
        meta_rows.append(
            [
                criterion.id,
                criterion.number,
                rows[criterion.id],
                criterion.value_type,
                current.value if current else "",
                current.comment if current else "",
            ]
        )
    for row_index, values in enumerate(meta_rows, start=1):
        for column_index, value in enumerate(values, start=1):
            cell = meta.cell(row=row_index, column=column_index)
            cell.value = value if value != "" else None
            if is_formula_like(value):
                cell.data_type = "s"
                cell.quotePrefix = True
    meta.protection.sheet = True

    workbook.active = 0
    # Sheets cannot be deleted, renamed, moved or unhidden by accident (no password).
    workbook.security = WorkbookProtection(lockStructure=True)
    return workbook


def write_school_form(database: Database, campaign_id: int, school_id: int, path: Path) -> Path:
    """One school's form with what is already stored pre-filled; returns the path written."""
    path = check_target(Path(path), (".xlsx",), "Форма мониторинга сохраняется в книгу Excel")
    service = MonitoringService(database)
    campaign = service.campaign(campaign_id)
    if school_id not in campaign.school_ids:
        raise AppError("Эта школа не участвует в мониторинге.")
    return _write_form(database, service, campaign, school_id, path)


def _write_form(
    database: Database,
    service: MonitoringService,
    campaign: Campaign,
    school_id: int,
    path: Path,
    *,
    criteria: Sequence[Criterion] | None = None,
    names: dict[int, str] | None = None,
) -> Path:
    from app.office import OfficeService

    names = names if names is not None else _school_names(database, [school_id])
    criteria = criteria if criteria is not None else service.criteria(campaign.template_id)
    office = OfficeService(database).get()
    workbook = _write_workbook(
        campaign,
        school_id,
        names.get(school_id, f"Школа № {school_id}"),
        _template_row(database, campaign.template_id),
        criteria,
        service.values(campaign.id, school_id),
        office.short_name or office.name,
    )
    write_atomically(path, workbook.save)
    return path


def write_forms(database: Database, campaign_id: int, folder: Path) -> Job[list[Path]]:
    """A form for every school of the campaign in `folder` (created when only its last level is
    missing), named «<campaign> — <school>.xlsx»; returns the paths written."""
    folder = Path(folder)
    if not folder.exists():
        if not folder.parent.is_dir():
            raise AppError(f"Папка «{folder.parent}» не существует.")
        try:
            folder.mkdir()
        except OSError as exc:
            raise AppError(f"Не удалось создать папку «{folder}»: {os_reason(exc)}.") from exc
    elif not folder.is_dir():
        raise AppError(f"«{folder}» — это файл, а не папка.")
    service = MonitoringService(database)
    campaign = service.campaign(campaign_id)
    criteria = service.criteria(campaign.template_id)
    names = _school_names(database, campaign.school_ids)
    total = len(campaign.school_ids)
    paths: list[Path] = []
    used: set[str] = set()
    for index, school_id in enumerate(campaign.school_ids):
        name = names.get(school_id, f"Школа № {school_id}")
        yield Progress(index, total, f"Форма: {name}")
        file_name = form_file_name(campaign.title, name)
        stem, counter = file_name[: -len(".xlsx")], 1
        while file_name.lower() in used:  # two schools with the same short name
            counter += 1
            file_name = f"{stem} ({counter}).xlsx"
        used.add(file_name.lower())
        paths.append(
            _write_form(
                database, service, campaign, school_id, folder / file_name, criteria=criteria, names=names
            )
        )
    yield Progress(total, total, "Формы сохранены")
    return paths


# --- reading back -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormChange:
    """One criterion of one school that the form changes: the value and/or the comment."""

    criterion: Criterion
    old: str  # display value now stored
    new: str  # display value from the form
    value: str  # the value to store, normalised (equal to the stored one when only the comment changes)
    old_comment: str = ""
    comment: str | None = None  # the comment to store; None: the comment stays as it is

    @property
    def value_changed(self) -> bool:
        return self.old != self.new

    def text(self) -> str:
        parts = []
        if self.value_changed:
            parts.append(f"«{self.old}» → «{self.new}»" if self.old else f"«{self.new}»")
            if not self.new:
                parts[-1] = f"«{self.old}» → (пусто)"
        if self.comment is not None:
            parts.append(f"комментарий «{self.old_comment}» → «{self.comment}»")
        return f"{self.criterion.label}: {'; '.join(parts)}"


@dataclass
class FormFile:
    """One file read back: which school it is, what it changes, and whether it is accepted."""

    path: Path
    campaign_id: int | None = None
    campaign_title: str = ""
    school_id: int | None = None
    school_name: str = ""
    changes: list[FormChange] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def refused(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def change_count(self) -> int:
        return len(self.changes)

    def status(self) -> str:
        if self.refused:
            errors = sum(1 for i in self.issues if i.severity is Severity.ERROR)
            return f"не принята ({errors} {plural(errors, 'ошибка', 'ошибки', 'ошибок')})"
        if not self.changes:
            return "принята, изменений нет"
        count = len(self.changes)
        return f"принята: {count} {plural(count, 'изменение', 'изменения', 'изменений')}"

    def error(self, message: str, row: int | None = None, column: str = "", title: str = "") -> None:
        self.issues.append(ImportIssue(self.file_name, row, column, title, message))


def _without_file_prefix(message: str, file_name: str) -> str:
    """«Файл «x.xlsx» не является …» → «не является …»: the issue names the file already."""
    prefix = f"Файл «{file_name}» "
    return message[len(prefix) :] if message.startswith(prefix) else message


@dataclass
class FormsPreview:
    forms: list[FormFile] = field(default_factory=list)

    @property
    def issues(self) -> list[ImportIssue]:
        return [issue for form in self.forms for issue in form.issues]

    @property
    def accepted(self) -> list[FormFile]:
        return [form for form in self.forms if form.ok]

    @property
    def refused(self) -> list[FormFile]:
        return [form for form in self.forms if form.refused]

    def change_count(self) -> int:
        return sum(len(form.changes) for form in self.accepted)

    def error_count(self) -> int:
        return sum(1 for issue in self.issues if issue.severity is Severity.ERROR)

    def summary(self) -> str:
        files = len(self.forms)
        accepted = len(self.accepted)
        refused = files - accepted
        changes = self.change_count()
        text = (
            f"Проверено {files} {plural(files, 'файл', 'файла', 'файлов')}: принято форм — {accepted}"
            f" ({changes} {plural(changes, 'изменение', 'изменения', 'изменений')}), не принято — {refused}."
        )
        lines = [text]
        for form in self.forms:
            who = f" — {form.school_name}" if form.school_name else ""
            lines.append(f"  «{form.file_name}»{who}: {form.status()}")
        return "\n".join(lines)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


@dataclass
class _Meta:
    keys: dict[str, object]
    rows: list[tuple[int, str, int, str, str]]  # id, number, row, pre-filled value, pre-filled comment


def _read_meta(sheet: Any) -> _Meta:
    keys: dict[str, object] = {}
    rows: list[tuple[int, str, int, str, str]] = []
    in_rows = False
    for index, values in enumerate(sheet.iter_rows(values_only=True)):
        if index > MAX_FORM_ROWS:
            raise ValueError("слишком много строк")
        values = (*values, None, None, None, None, None, None)
        first = _text(values[0])
        if not in_rows:
            if first == "пункт_id":
                in_rows = True
            elif first:
                keys[first] = values[1]
            continue
        if not first:
            continue
        rows.append((_int(values[0]), _text(values[1]), _int(values[2]), _text(values[4]), _text(values[5])))
    return _Meta(keys, rows)


def _cell_raw(cell: Any, criterion: Criterion) -> object:
    """A value cell as parse_value wants it: dates without time, a «45 %»-formatted 0.45 as 45,
    integral floats as integers, text as it is."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if criterion.value_type == "percent" and "%" in (cell.number_format or ""):
            value = round(value * 100, 10)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if criterion.value_type in ("number", "percent"):
            return str(value)
        return value
    return value


class _Context:
    """What several files of one preview share: campaigns, criteria, names, templates."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.service = MonitoringService(database)
        self._campaigns = {c.id: c for c in self.service.list_campaigns()}
        self._criteria: dict[int, list[Criterion]] = {}
        self._templates: dict[int, tuple[str, int]] = {}
        self.names = {
            r["id"]: r["short_name"] or r["full_name"]
            for r in database.query("SELECT id, short_name, full_name FROM schools")
        }

    def campaign(self, campaign_id: int) -> Campaign | None:
        return self._campaigns.get(campaign_id)

    def criteria(self, template_id: int) -> list[Criterion]:
        if template_id not in self._criteria:
            self._criteria[template_id] = self.service.criteria(template_id)
        return self._criteria[template_id]

    def template(self, template_id: int) -> tuple[str, int]:
        if template_id not in self._templates:
            self._templates[template_id] = _template_row(self.database, template_id)
        return self._templates[template_id]


def _check_file(path: Path) -> None:
    check_workbook_file(path)  # missing, empty, too big, a text file renamed, a zip bomb…
    name = path.name
    if path.suffix.lower() not in FORM_SUFFIXES:
        raise ImportFileError(
            f"Файл «{name}» не является формой «Опоры»: форма — это книга Excel .xlsx. Если школа "
            "пересохранила её в другом формате, попросите прислать исходный файл .xlsx."
        )
    if path.stat().st_size > MAX_FORM_BYTES:
        raise ImportFileError(f"Файл «{name}» слишком большой для формы мониторинга: это не форма «Опоры».")
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_FORM_UNPACKED_BYTES:
        raise ImportFileError(
            f"Файл «{name}» в распакованном виде слишком велик для формы мониторинга: это не форма «Опоры»."
        )


def _read_form(context: _Context, path: Path, campaign_id: int | None) -> FormFile:
    form = FormFile(Path(path))
    try:
        _check_file(form.path)
    except ImportFileError as exc:
        form.error(_without_file_prefix(exc.message, form.file_name))
        return form
    try:
        workbook = _load(form.path)
    except Exception as exc:  # openpyxl (and defusedxml in it) raise many kinds on a damaged file
        text = str(exc).lower()
        why = (
            "в нём есть определения сущностей XML (DOCTYPE), которых Excel не записывает: файл изменён или подделан"
            if "entit" in text or "dtd" in text or "doctype" in text
            else "его содержимое не соответствует формату книги Excel"
        )
        form.error(
            f"Файл «{form.file_name}» повреждён или не является книгой Excel ({why}). "
            "Попросите файл заново или пересохраните его в Excel."
        )
        return form
    try:
        _read_workbook(context, form, workbook, campaign_id)
    finally:
        workbook.close()
    if form.refused:
        form.changes = []
    return form


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # «Data Validation extension is not supported» and the like
        return load_workbook(path, read_only=False, data_only=True, keep_links=False)


def _read_workbook(context: _Context, form: FormFile, workbook: Any, only_campaign: int | None) -> None:
    if META_SHEET not in workbook.sheetnames:
        form.error(_NOT_A_FORM)
        return
    try:
        meta = _read_meta(workbook[META_SHEET])
        version = _int(meta.keys["формат"])
        campaign_id = _int(meta.keys["мониторинг_id"])
        school_id = _int(meta.keys["школа_id"])
        title = _text(meta.keys.get("мониторинг"))
        template_key = _text(meta.keys.get("шаблон"))
        template_version = _int(meta.keys.get("версия_шаблона"))
    except (KeyError, ValueError, TypeError):
        form.error(
            f"служебный лист «{META_SHEET}» повреждён: форма не может быть загружена. Выгрузите форму заново."
        )
        return
    if version > FORM_FORMAT_VERSION:
        form.error("форма создана более новой версией «Опоры»: обновите программу.")
        return
    form.campaign_id, form.campaign_title = campaign_id, title
    form.school_name = _text(meta.keys.get("школа"))
    campaign = context.campaign(campaign_id)
    if campaign is None:
        form.error(
            f"форма мониторинга «{title}» (№ {campaign_id}), которого нет в этой базе: форма из другой "
            "базы данных или мониторинг удалён."
        )
        return
    if " ".join(title.split()) != " ".join(campaign.title.split()):
        form.error(
            f"форма другого мониторинга: в форме — «{title}», а мониторинг № {campaign_id} в базе — "
            f"«{campaign.title}». Форма из другой базы данных или её служебный лист изменён."
        )
        return
    if only_campaign is not None and campaign_id != only_campaign:
        wanted = context.campaign(only_campaign)
        if wanted is None:
            form.error(f"мониторинга № {only_campaign} в базе нет: проверьте номер (--campaign).")
        else:
            form.error(
                f"форма другого мониторинга («{campaign.title}»), а загружаются формы мониторинга "
                f"«{wanted.title}»."
            )
        return
    if school_id not in campaign.school_ids:
        form.error(f"школа «{form.school_name or school_id}» не участвует в мониторинге «{campaign.title}».")
        return
    form.school_id = school_id
    form.school_name = context.names.get(school_id, form.school_name)
    key, template_version_now = context.template(campaign.template_id)
    if (template_key, template_version) != (key, template_version_now):
        form.error(
            f"форма составлена по другой версии шаблона ({template_key}, версия {template_version}), "
            f"а мониторинг «{campaign.title}» ведётся по версии {template_version_now}. Выгрузите форму заново."
        )
        return
    _read_answers(context, form, workbook, campaign, meta)


def _structure_error(form: FormFile, row: int, detail: str) -> None:
    form.error(
        f"структура листа «{FORM_SHEET}» изменена ({detail}): строки удалены, добавлены или переставлены. "
        "Ответы нельзя сопоставить с пунктами — попросите школу заполнить исходную форму.",
        row=row,
    )


def _read_answers(context: _Context, form: FormFile, workbook: Any, campaign: Campaign, meta: _Meta) -> None:
    criteria = context.criteria(campaign.template_id)
    by_id = {c.id: c for c in criteria}
    if FORM_SHEET not in workbook.sheetnames:
        form.error(f"в файле нет листа «{FORM_SHEET}»: его удалили или переименовали.")
        return
    sheet = workbook[FORM_SHEET]
    if sheet.max_row > MAX_FORM_ROWS:
        _structure_error(form, MAX_FORM_ROWS, f"строк больше {MAX_FORM_ROWS}")
        return
    if {r[0] for r in meta.rows} != set(by_id) or len(meta.rows) != len(by_id):
        form.error(
            f"список пунктов в служебном листе «{META_SHEET}» не совпадает с шаблоном мониторинга. "
            "Выгрузите форму заново."
        )
        return
    for criterion_id, number, row, _, _ in meta.rows:
        criterion = by_id[criterion_id]
        if not 1 <= row <= MAX_FORM_ROWS:
            form.error(f"служебный лист «{META_SHEET}» повреждён: форма не может быть загружена.")
            return
        found_number = _text(sheet[f"{NUMBER_COLUMN}{row}"].value)
        found_title = _text(sheet[f"{TITLE_COLUMN}{row}"].value)
        if found_number != number or not found_title.startswith(criterion.title.strip()):
            first_line = found_title.split("\n", 1)[0]
            shown = (
                f"«{found_number} {first_line}»".replace("« ", "«")
                if found_number or found_title
                else "пустая строка"
            )
            _structure_error(form, row, f"в строке {row} ожидался пункт «{criterion.label}», а там {shown}")
            return
    stored = context.service.values(campaign.id, form.school_id or 0)
    missing: list[str] = []
    for criterion_id, _number, row, was_value, was_comment in meta.rows:
        criterion = by_id[criterion_id]
        if criterion.is_group:
            continue
        cell = sheet[f"{VALUE_COLUMN}{row}"]
        try:
            value = parse_value(criterion, _cell_raw(cell, criterion))
        except ValueError as exc:
            form.error(f"пункт «{criterion.label}»: {exc}", row=row, column=VALUE_COLUMN, title="Значение")
            continue
        comment = _text(sheet[f"{COMMENT_COLUMN}{row}"].value)
        current = stored.get(criterion_id)
        now_value = current.value if current else ""
        now_comment = current.comment if current else ""
        # Only what the school changed in the form counts (see preview_forms).
        new_value = value if value != was_value else now_value
        new_comment = comment if comment != was_comment else now_comment
        if new_value == "" and criterion.required:
            missing.append(criterion.number or criterion.title)
        if new_value == now_value and new_comment == now_comment:
            continue
        form.changes.append(
            FormChange(
                criterion=criterion,
                old=display_value(criterion, now_value),
                new=display_value(criterion, new_value),
                value=new_value,
                old_comment=now_comment,
                comment=new_comment if new_comment != now_comment else None,
            )
        )
    if missing:
        shown = ", ".join(missing[:20]) + (" …" if len(missing) > 20 else "")
        form.issues.append(
            ImportIssue(
                form.file_name,
                None,
                "",
                "",
                f"не заполнены обязательные пункты ({len(missing)}): {shown}.",
                Severity.WARNING,
            )
        )


def preview_forms_job(
    database: Database, paths: Sequence[Path], *, campaign_id: int | None = None
) -> Job[FormsPreview]:
    """`preview_forms` as a job with progress per file (for the window's worker)."""
    context = _Context(database)
    preview = FormsPreview()
    seen: dict[tuple[int, int], str] = {}
    for index, path in enumerate(paths):
        yield Progress(index, len(paths), f"Проверка файла «{Path(path).name}»…")
        try:
            form = _read_form(context, Path(path), campaign_id)
        except AppError as exc:
            form = FormFile(Path(path))
            form.error(_without_file_prefix(exc.message, form.file_name))
        except Exception:  # one broken file never stops the others
            form = FormFile(Path(path))
            form.error("файл не удалось прочитать: он повреждён или это не форма «Опоры».")
        if form.ok and form.campaign_id is not None and form.school_id is not None:
            key = (form.campaign_id, form.school_id)
            if key in seen:
                form.error(
                    f"форма школы «{form.school_name}» уже есть в файле «{seen[key]}»: оставьте один из "
                    "файлов и загрузите его."
                )
                form.changes = []
            else:
                seen[key] = form.file_name
        preview.forms.append(form)
    yield Progress(len(paths), len(paths), "Файлы проверены")
    return preview


def preview_forms(
    database: Database, paths: Sequence[Path], *, campaign_id: int | None = None
) -> FormsPreview:
    """Read filled forms and say, per file, what it would change or why it is refused.

    A file is refused (with an issue naming it) when it cannot be read, is not an «Опора» form
    (no hidden sheet «_опора»), belongs to a campaign that is not in this database or whose title
    differs (another database), to another campaign than `campaign_id` when one is given, to a
    school outside the campaign, to another template version, when the rows on «Анкета» are not
    where the hidden sheet says (rows deleted, inserted or moved), or when any value cell does
    not parse for its type (one issue per cell, with its row and column). A form of a school
    already read from an earlier file is refused too.

    **Which values count.** Only what the school changed in the form counts: a value cell is
    compared with what the form was pre-filled with (kept on the hidden sheet). A cell left as
    pre-filled changes nothing — even if the office has corrected the value in the database
    since. A cell that differs is the school's answer, and an empty cell therefore clears a
    stored value only when the form had it pre-filled and the school erased it; an empty cell
    that was empty in the form means «no value» and never erases what the database holds.
    Comments follow the same rule. Answers equal to what is stored are skipped.
    """
    return run_job(preview_forms_job(database, paths, campaign_id=campaign_id))


def apply_forms(database: Database, preview: FormsPreview) -> ChangeSet:
    """Write every accepted form's changes in one transaction: one change set, one undo step.

    `entered_by` of each value is the name of the file it came from."""
    forms = [form for form in preview.accepted if form.changes]
    total = ChangeSet(f"Загрузка форм мониторинга ({len(forms)})")
    if not forms:
        return total
    service = MonitoringService(database)
    with database_errors(database), database.atomic():
        for form in forms:
            assert form.campaign_id is not None and form.school_id is not None
            changeset = service.set_values(
                form.campaign_id,
                form.school_id,
                {change.criterion.id: change.value for change in form.changes},
                comments={c.criterion.id: c.comment for c in form.changes if c.comment is not None},
                entered_by=form.file_name,
                description=f"Форма «{form.file_name}»",
            )
            total.changes.extend(changeset.changes)
    return total
