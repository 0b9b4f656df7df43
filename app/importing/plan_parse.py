"""Reading a plan of measures (план мероприятий, дорожная карта) from a document into plain structures.

Offices keep their plans in Word, paste them from Word, Excel or LibreOffice, or have them as text
extracted from a Word file. Whatever the source, a reader turns it into paragraphs and tables of
cell strings (`plan_columns.RawTable`); one interpreter, `interpret_table`, decides whether a table
is a plan (a header naming at least the measure and its deadline or responsible), then reads its
sections (one cell across the table, «Раздел 1. …»), items (a row with a number) and continuation
rows (no number: the rest of the previous item after a page break). Nothing here writes anywhere.

    parse_file(path)            any supported file, by its real signature, not just its extension
    parse_docx(path)            .docx (python-docx + lxml, merged cells, lists in cells)
    parse_xlsx(path)            .xlsx/.xls/.ods via app/importing/sheet.py
    parse_text(text, name)      tab-separated text (a paste of text/plain from Word)
    parse_html(html, name)      clipboard text/html from Word, Excel, LibreOffice
    parse_clipboard(mime)       text/html first, text/plain second
    extract_tables(path)        every table as cell strings, for mapping columns by hand
    parse_with_mapping(rows, mapping)   a plan from a table whose header was not recognised

Every failure is an `AppError` subclass with a Russian message naming the file; an unrecognised
header raises `PlanHeaderError`, which carries the tables so the user can map the columns.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.errors import AppError, os_reason
from app.importing.errors import ImportFileError
from app.importing.plan_columns import (
    ColumnRole,
    DocumentBlock,
    RawTable,
    TextBlock,
    clean_cell,
    is_plan_header,
    match_plan_columns,
    one_line,
)
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import MAX_COLUMNS, MAX_FILE_BYTES, column_letter

__all__ = [
    "CLIPBOARD_NAME",
    "ColumnRole",
    "ParsedColumn",
    "ParsedDocument",
    "ParsedItem",
    "ParsedPlan",
    "ParsedSection",
    "PlanHeaderError",
    "PlanMappingError",
    "RawTable",
    "extract_tables",
    "interpret_table",
    "join_continuation",
    "parse_clipboard",
    "parse_docx",
    "parse_file",
    "parse_html",
    "parse_text",
    "parse_with_mapping",
    "parse_xlsx",
]

CLIPBOARD_NAME = "буфер обмена"
HEADER_SCAN_ROWS = 30  # a header may sit below a title, a stamp or empty rows (workbooks)
MAX_TITLE_LINES = 8
MAX_TEXT_CHARS = 20_000_000
# A table cell: the seeds' longest has 695 characters and 5 lines (see check_cell_sizes).
MAX_CELL_CHARS = 20_000
MAX_CELL_LINES = 400


# ---- the structures ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ParsedColumn:
    role: ColumnRole
    title: str  # as in the header: «Сроки исполнения»


@dataclass(slots=True)
class ParsedItem:
    number: str  # as typed («1.», «5», «1.2»); '' in a table without a number column
    measure: str
    deadline: str  # letter for letter: it is printed, and parsed into a period elsewhere
    responsible: str
    result: str
    schools: str
    other: dict[str, str]  # column title → text, for the columns that are none of the above
    source_row: int  # 1-based line (text), row (table, sheet) of the item's first row, for messages


@dataclass(slots=True)
class ParsedSection:
    title: str  # '' for the items before any section row
    items: list[ParsedItem]


@dataclass(slots=True)
class ParsedPlan:
    title: str
    columns: list[ParsedColumn]
    sections: list[ParsedSection]
    warnings: list[ImportIssue]
    source_name: str = ""
    table_index: int = 0  # 1-based number of the table in the document (0: not known)

    @property
    def items(self) -> list[ParsedItem]:
        return [item for section in self.sections for item in section.items]

    def roles(self) -> list[ColumnRole]:
        return [column.role for column in self.columns]


@dataclass(slots=True)
class ParsedDocument:
    source_name: str
    plans: list[ParsedPlan]
    text_before: str = ""  # the paragraphs above the first plan (the order that approves it)
    tables: list[RawTable] = field(default_factory=list)  # every table found, plans or not


class PlanHeaderError(ImportFileError):
    """Tables were found, but none has a recognised plan header; the UI can map columns by hand."""

    def __init__(self, message: str, tables: list[RawTable]) -> None:
        super().__init__(message)
        self.tables = tables

    @property
    def table_rows(self) -> list[list[str]]:
        """The rows of the largest table: the likeliest plan."""
        if not self.tables:
            return []
        return max(self.tables, key=lambda t: len(t.rows)).rows


class PlanMappingError(AppError):
    """A hand-made column mapping that cannot be used (no measure column, a role twice)."""


# ---- small text rules -------------------------------------------------------------------------------

_NUMBER_LIKE = re.compile(
    r"^(?:\d{1,4}(?:\.\d{1,4})*[.)]?|[IVXLCІ]{1,6}[.)]?|\d{1,4}[а-яa-z][.)]?)$", re.IGNORECASE
)
_ROMAN = re.compile(r"^[IVXLCІ]{1,6}[.)]?$")
_HEADING = re.compile(
    r"^(?:раздел|блок|направление|модуль|этап|часть|глава|подраздел)\b\s*(?:[№n]\s*)?"
    r"(?:\d+|[ivxlc]+\b|[а-яa-z]\b)?",
)
_SEPARATOR = re.compile(r"^[-=_:+|.\s]+$")
_LIST_MARKER = re.compile(r"^(?:[-–—•·*▪●o]\s|\d{1,3}[.)]\s)")
_SENTENCE_END = ".!?;:"
_SIGNATURE = re.compile(
    r"^(?:[А-ЯЁ]\.\s?){1,2}[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$|^[А-ЯЁ][а-яё]+\s(?:[А-ЯЁ]\.\s?){1,2}$"
)
_STAMP = re.compile(
    r"^(?:приложение|утвержден[оаы]?|утверждаю|согласовано|к приказу|к распоряжению)\b", re.IGNORECASE
)
_STAMP_END = re.compile(r"^от\s|(?:^|\s)от\s+\d|\bот\s+«?\d", re.IGNORECASE)


def is_number_like(text: str) -> bool:
    return bool(_NUMBER_LIKE.match(text.strip()))


def looks_like_heading(text: str) -> bool:
    """«Раздел 1. …», «I. Организационная работа», or a line in capitals."""
    first = text.split("\n", 1)[0].strip()
    if not first:
        return False
    folded = first.casefold().replace("ё", "е")
    if _HEADING.match(folded) and re.match(
        r"^\w+\s*[№N]?\s*(?:\d+|[IVXLC]+\b|[А-ЯA-Z]\b)", first, re.IGNORECASE
    ):
        return True
    if re.match(r"^[IVXLC]{1,6}[.)]\s+\S", first):
        return True
    letters = [c for c in first if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def join_continuation(previous: str, addition: str) -> str:
    """The text of a cell continued on the next row (a page break split the row).

    A sentence cut in the middle goes on after a space («В течение всего» + «периода»); a new
    sentence, paragraph or list line starts on a new line.
    """
    if not addition:
        return previous
    if not previous:
        return addition
    if previous == addition or previous.endswith((f" {addition}", f"\n{addition}")):
        return previous  # a word the page break printed twice: «В течение всего периода» + «периода»
    first = addition[0]
    if _LIST_MARKER.match(addition):
        return f"{previous}\n{addition}"
    if previous[-1] in _SENTENCE_END:
        return f"{previous}\n{addition}"
    if previous[-1] in ',-–(«"' or not first.isupper():
        return f"{previous} {addition}"
    return f"{previous}\n{addition}"


def _plain(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def _where(source_name: str) -> str:
    return "В скопированном тексте" if source_name == CLIPBOARD_NAME else f"В файле «{source_name}»"


def _issue(source_name: str, row: int | None, column: str, title: str, message: str) -> ImportIssue:
    return ImportIssue(source_name, row, column, title, message, Severity.WARNING)


# ---- the interpreter -----------------------------------------------------------------------------------


def check_cell_sizes(
    rows: Sequence[Sequence[object]],
    source_name: str,
    *,
    row_numbers: Sequence[int] | None = None,
    letters: bool = False,
    what: str = "таблицы",
) -> None:
    """Refuse a table with a cell beyond MAX_CELL_CHARS or MAX_CELL_LINES: no plan or order has one,
    and reading (then printing) a cell of millions of lines takes minutes and gigabytes."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if not isinstance(value, str) or (
                len(value) <= MAX_CELL_CHARS and value.count("\n") < MAX_CELL_LINES
            ):
                continue
            number = row_numbers[r] if row_numbers is not None and r < len(row_numbers) else r + 1
            column = column_letter(c) if letters else str(c + 1)
            raise ImportFileError(
                f"{_where(source_name)} строка {number}, столбец {column} {what}: в ячейке {len(value)} знаков, "
                f"{value.count(chr(10)) + 1} строк — больше допустимого (до {MAX_CELL_CHARS} знаков и "
                f"{MAX_CELL_LINES} строк в ячейке). Таблица испорчена или это не тот документ; файл не загружен."
            )


def _clean_rows(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    """Cells as clean strings; a row wider than MAX_COLUMNS keeps the rest of its text in the last cell."""
    cleaned: list[list[str]] = []
    for row in rows:
        cells = [clean_cell(cell if isinstance(cell, str) else _cell_text(cell)) for cell in row]
        if len(cells) > MAX_COLUMNS:
            cells[MAX_COLUMNS - 1 :] = ["\n".join(c for c in cells[MAX_COLUMNS - 1 :] if c)]
        cleaned.append(cells)
    return cleaned


def _cell_text(value: object) -> str:
    """A workbook value as the text a person sees in the cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y") if value.time() == time(0) else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def find_plan_header(
    rows: list[list[str]], scan: int = HEADER_SCAN_ROWS
) -> tuple[int, dict[int, ColumnRole]] | None:
    """The first row among the first `scan` whose cells name a plan's columns."""
    for index, row in enumerate(rows[:scan]):
        if not any(row):
            continue
        mapping = match_plan_columns([one_line(cell) for cell in row])
        if is_plan_header(set(mapping.values())):
            return index, mapping
    return None


def interpret_table(
    rows: Sequence[Sequence[object]],
    title: str = "",
    source_name: str = "",
    *,
    row_numbers: Sequence[int] | None = None,
    section_rows: set[int] | frozenset[int] = frozenset(),
    notes: Sequence[tuple[int, int, str]] = (),
    letters: bool = False,
    table_index: int = 0,
) -> ParsedPlan | None:
    """The plan in a table of cell strings, or None when the table is not a plan.

    `row_numbers` give each row's line/row in the source for messages (default: 1, 2, …);
    `section_rows` are rows the reader knows to be one merged cell across the table; `letters`
    names columns by letter (workbooks) rather than by number in warnings.
    """
    check_cell_sizes(rows, source_name, row_numbers=row_numbers, letters=letters)
    cleaned = _clean_rows(rows)
    found = find_plan_header(cleaned)
    if found is None:
        return None
    header_index, mapping = found
    return _build_plan(
        cleaned,
        header_index,
        dict(mapping),
        title,
        source_name,
        row_numbers=row_numbers,
        section_rows=section_rows,
        notes=notes,
        letters=letters,
        keep_unmapped=True,
        table_index=table_index,
    )


def parse_with_mapping(
    rows: Sequence[Sequence[object]],
    mapping: Mapping[int, ColumnRole | str | None],
    *,
    header_row: int | None = 0,
    title: str = "",
    source_name: str = "",
    row_numbers: Sequence[int] | None = None,
    section_rows: set[int] | frozenset[int] = frozenset(),
    letters: bool = False,
) -> ParsedPlan:
    """A plan from a table whose columns the user mapped by hand (column index → role).

    Columns missing from `mapping` (or mapped to None) are not loaded; `ColumnRole.OTHER` keeps a
    column under its header title. `header_row` is the 0-based index of the header row (None: the
    table has no header, data starts at the first row); rows above it give the title.
    """
    roles: dict[int, ColumnRole] = {}
    for index, role in mapping.items():
        if role is None or role == "":
            continue
        try:
            role = ColumnRole(role)
        except ValueError as exc:
            raise PlanMappingError(f"Неизвестное назначение столбца: «{role}».") from exc
        if not isinstance(index, int) or not 0 <= index < MAX_COLUMNS:
            raise PlanMappingError(f"Неверный номер столбца: {index!r}.")
        roles[index] = role
    chosen = [role for role in roles.values() if role is not ColumnRole.OTHER]
    for role in set(chosen):
        if chosen.count(role) > 1:
            raise PlanMappingError(
                f"Назначение «{role.label}» выбрано для нескольких столбцов; оставьте одно."
            )
    if ColumnRole.MEASURE not in chosen:
        raise PlanMappingError("Укажите, в каком столбце записаны мероприятия: без него план не загрузить.")
    check_cell_sizes(rows, source_name, row_numbers=row_numbers, letters=letters)
    cleaned = _clean_rows(rows)
    if header_row is None:
        cleaned.insert(0, [])
        header_index = 0
        row_numbers = [0, *(row_numbers if row_numbers is not None else range(1, len(cleaned)))]
        section_rows = {r + 1 for r in section_rows}
    else:
        if not 0 <= header_row < max(len(cleaned), 1):
            raise PlanMappingError(f"Строки заголовка с номером {header_row + 1} в таблице нет.")
        header_index = header_row
        if not cleaned:
            cleaned = [[]]
    return _build_plan(
        cleaned,
        header_index,
        roles,
        title,
        source_name,
        row_numbers=row_numbers,
        section_rows=section_rows,
        notes=(),
        letters=letters,
        keep_unmapped=False,
    )


@dataclass(slots=True)
class _Layout:
    width: int
    roles: dict[int, ColumnRole]  # every loaded column
    titles: dict[int, str]
    number: int | None
    measure: int


def _layout(
    rows: list[list[str]], header_index: int, mapping: dict[int, ColumnRole], keep_unmapped: bool
) -> _Layout:
    header = [one_line(cell) for cell in rows[header_index]]
    width = max([len(header), *(index + 1 for index in mapping)])
    roles = dict(mapping)
    if keep_unmapped:
        data = rows[header_index + 1 :]
        for index in range(width):
            if index in roles:
                continue
            has_title = index < len(header) and bool(header[index])
            if has_title or any(index < len(row) and row[index] for row in data):
                roles[index] = ColumnRole.OTHER
    titles: dict[int, str] = {}
    used: set[str] = set()
    for index in sorted(roles):
        text = header[index] if index < len(header) else ""
        if not text:
            text = roles[index].label if roles[index] is not ColumnRole.OTHER else f"Столбец {index + 1}"
        base, n = text, 2
        while roles[index] is ColumnRole.OTHER and text in used:
            text, n = f"{base} ({n})", n + 1
        used.add(text)
        titles[index] = text
    number = next((i for i, r in roles.items() if r is ColumnRole.NUMBER), None)
    measure = next(i for i, r in roles.items() if r is ColumnRole.MEASURE)
    return _Layout(width, roles, titles, number, measure)


def _fit(row: list[str], width: int) -> tuple[list[str], bool]:
    """The row cut to the header's width: extra empty cells (a text extraction's leftovers of merged
    cells) are dropped from the right; text in extra cells goes to the last column."""
    if len(row) <= width:
        return row + [""] * (width - len(row)), False
    cells = list(row)
    while len(cells) > width and not cells[-1]:
        cells.pop()
    while len(cells) > width:
        empty = next((i for i in range(len(cells) - 1, 0, -1) if not cells[i]), None)
        if empty is None:
            break
        del cells[empty]
    overflow = False
    if len(cells) > width:
        extra = [c for c in cells[width - 1 :] if c]
        cells = [*cells[: width - 1], "\n".join(extra)]
        overflow = True
    return cells, overflow


_FIELDS = {
    ColumnRole.NUMBER: "number",
    ColumnRole.MEASURE: "measure",
    ColumnRole.DEADLINE: "deadline",
    ColumnRole.RESPONSIBLE: "responsible",
    ColumnRole.RESULT: "result",
    ColumnRole.SCHOOLS: "schools",
}


def _same_header(cells: list[str], filled: list[int], header_key: list[str]) -> bool:
    first = filled[0]
    if first >= len(header_key) or one_line(cells[first]).casefold() != header_key[first]:
        return False
    return all(i < len(header_key) and one_line(cells[i]).casefold() == header_key[i] for i in filled)


def _build_plan(
    rows: list[list[str]],
    header_index: int,
    mapping: dict[int, ColumnRole],
    title: str,
    source_name: str,
    *,
    row_numbers: Sequence[int] | None,
    section_rows: set[int] | frozenset[int],
    notes: Sequence[tuple[int, int, str]],
    letters: bool,
    keep_unmapped: bool,
    table_index: int = 0,
) -> ParsedPlan:
    layout = _layout(rows, header_index, mapping, keep_unmapped)
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    if len(numbers) < len(rows):
        numbers += list(range(len(numbers) + 1, len(rows) + 1))
    warnings: list[ImportIssue] = []

    def col_name(index: int) -> str:
        return column_letter(index) if letters else str(index + 1)

    def warn(row: int, column: int | None, message: str) -> None:
        if column is None:
            warnings.append(_issue(source_name, numbers[row], "", "", message))
        else:
            warnings.append(
                _issue(source_name, numbers[row], col_name(column), layout.titles.get(column, ""), message)
            )

    for row, column, message in notes:
        if 0 <= row < len(rows):
            warn(row, column if column >= 0 else None, message)

    if not title:
        above = [TextBlock(" ".join(c for c in r if c)) for r in rows[:header_index]]
        title = _title_from(above)[0]

    header_key = [one_line(c).casefold() for c in rows[header_index]]
    ordered = sorted(layout.roles)
    columns = [ParsedColumn(layout.roles[i], layout.titles[i]) for i in ordered]
    sections: list[ParsedSection] = [ParsedSection("", [])]
    current: ParsedItem | None = None  # the item a continuation row goes on
    ni, mi = layout.number, layout.measure
    data_rows = range(header_index + 1, len(rows))

    def new_item(cells: list[str], row: int) -> ParsedItem:
        values = {name: "" for name in _FIELDS.values()}
        other: dict[str, str] = {}
        for index in ordered:
            role = layout.roles[index]
            if role is ColumnRole.OTHER:
                other[layout.titles[index]] = cells[index]
            else:
                values[_FIELDS[role]] = cells[index]
        item = ParsedItem(other=other, source_row=numbers[row], **values)
        sections[-1].items.append(item)
        return item

    def extend(item: ParsedItem, cells: list[str]) -> None:
        for index in ordered:
            text = cells[index]
            if not text:
                continue
            role = layout.roles[index]
            if role is ColumnRole.OTHER:
                key = layout.titles[index]
                item.other[key] = join_continuation(item.other.get(key, ""), text)
            elif role is ColumnRole.NUMBER:
                item.number = item.number or text
            else:
                name = _FIELDS[role]
                setattr(item, name, join_continuation(getattr(item, name), text))

    def start_section(text: str) -> None:
        nonlocal current
        if sections[-1].items or sections[-1].title:
            sections.append(ParsedSection(text, []))
        else:
            sections[-1].title = text
        current = None

    def next_number(after: int) -> str:
        for later in range(after + 1, min(after + 60, len(rows))):
            cells = rows[later]
            if ni is not None and ni < len(cells) and cells[ni]:
                return cells[ni]
        return ""

    for r in data_rows:
        raw = rows[r]
        if not any(raw):
            continue
        cells, overflow = _fit(raw, layout.width)
        filled = [i for i, c in enumerate(cells) if c]
        if not filled:
            continue
        if all(_SEPARATOR.match(cells[i]) for i in filled):
            continue
        if len(filled) >= 2 and _same_header(cells, filled, header_key):
            continue  # the header repeated on the next page
        if len(filled) >= 2 and [cells[i] for i in filled] == [str(n) for n in range(1, len(filled) + 1)]:
            continue  # the row numbering the columns: 1 2 3 4 5
        hinted = r in section_rows
        number = cells[ni] if ni is not None else ""
        # Section rows: one cell across the table, or a heading in the measure column.
        if len(filled) == 1:
            k = filled[0]
            text = cells[k]
            plain_text = not is_number_like(text)
            if (
                (hinted and plain_text)
                or (k == ni and plain_text)
                or (k == mi and looks_like_heading(text))
                or (k < mi and k != ni and plain_text)
            ):
                start_section(text)
                continue
        filled = [i for i in filled if i in layout.roles]
        if not filled:
            continue
        if overflow:
            warn(
                r,
                layout.width - 1,
                "В строке больше ячеек, чем столбцов в заголовке: лишний текст добавлен в последний столбец.",
            )
        if ni is not None and number and set(filled) == {ni, mi}:
            following = next_number(r).rstrip(".)")
            stem = number.rstrip(".)")
            if (
                hinted
                or _ROMAN.match(number)
                or (following.startswith(stem + ".") and len(following) > len(stem) + 1)
            ):
                start_section(f"{stem}. {cells[mi]}" if not number.endswith(")") else f"{number} {cells[mi]}")
                continue
        # Items and continuation rows.
        starts_item = bool(number) if ni is not None else bool(cells[mi])
        if starts_item or current is None:
            if not starts_item:
                warn(
                    r,
                    ni if ni is not None else mi,
                    "Строка без номера не продолжает ни один пункт: она загружена как отдельный пункт.",
                )
            current = new_item(cells, r)
        else:
            extend(current, cells)

    for section in sections:
        for item in section.items:
            if not item.measure:
                label = f"Пункт {item.number}" if item.number else "Пункт"
                warnings.append(
                    _issue(
                        source_name,
                        item.source_row,
                        col_name(mi),
                        layout.titles[mi],
                        f"{label} без текста мероприятия.",
                    )
                )
    kept = [s for s in sections if s.items or s.title]
    warnings.sort(key=lambda w: w.row or 0)
    return ParsedPlan(_plain(title), columns, kept, warnings, source_name, table_index)


# ---- titles above tables --------------------------------------------------------------------------


_TITLE_START = re.compile(
    r"^(?:муниципальный\s+|межведомственный\s+|комплексный\s+)?(?:план|дорожная\s+карта|комплекс\s+мер|перечень"
    r"|мероприятия|программа|график|календарный\s+план)",
    re.IGNORECASE,
)


def _is_body_text(text: str) -> bool:
    if _TITLE_START.match(text) and len(text) <= 600:
        return False
    if text.endswith(":") or len(text) > 300:
        return True
    if text[-1] in ".;" and len(text) > 150:
        return True
    return bool(_SIGNATURE.match(text) or text.casefold().startswith(("разослано", "исп.", "исполнитель:")))


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip("«\"'(*– -")
    return bool(stripped) and stripped[0].islower()


def _stamp_cut(texts: list[str], start: int, end: int) -> int:
    """Where the title starts in texts[start:end] once a «Приложение N к приказу …» stamp is cut."""
    stamp = None
    for k in range(start, end):
        if _STAMP.match(texts[k]):
            stamp = k
    if stamp is None:
        return start
    for k in range(stamp, end):
        if (k > stamp and _STAMP_END.search(texts[k])) or (k == stamp and re.search(r"\bот\s+\d", texts[k])):
            return k + 1
    k = stamp + 1
    while k < end and _starts_lower(texts[k]):
        k += 1
    return k


def _stamp_above(texts: list[str], i: int) -> int:
    """The first line of a «Приложение N к приказу …» stamp right above line i, or i."""
    k = i
    while k > 0 and not texts[k - 1]:
        k -= 1
    found = i
    for n in range(k - 1, max(k - 1 - MAX_TITLE_LINES, -1), -1):
        if not texts[n]:
            break
        if _STAMP.match(texts[n]):
            found = n
    return found


def _title_from(paras: Sequence[TextBlock]) -> tuple[str, int]:
    """The plan title in the paragraphs above a table, and the index where the title (with a stamp
    above it) begins: the paragraphs before that index are the text of the order."""
    texts = [_plain(p.text) for p in paras]
    j = len(texts)
    while j > 0 and not texts[j - 1]:
        j -= 1
    if j == 0 or _is_body_text(texts[j - 1]):
        return "", j
    bold = paras[j - 1].bold
    i = j - 1
    while (
        i > 0
        and texts[i - 1]
        and j - i < MAX_TITLE_LINES
        and not _is_body_text(texts[i - 1])
        and not (bold and not paras[i - 1].bold)
    ):
        i -= 1
    start = _stamp_cut(texts, i, j)
    lines = texts[start:j]
    if start > i:  # the stamp is part of the block: it begins at its first stamp line
        region = next((k for k in range(i, start) if _STAMP.match(texts[k])), i)
        return " ".join(lines), region
    if lines and _starts_lower(lines[0]):
        # «План» on a line of its own above «мероприятий по …»
        k = i
        while k > 0 and not texts[k - 1]:
            k -= 1
        if k > 0:
            above = texts[k - 1]
            alone = k == 1 or not texts[k - 2]
            if alone and len(above) <= 80 and above[-1] not in ".:;," and not _STAMP.match(above):
                lines.insert(0, above)
                i = k - 1
    return " ".join(lines), _stamp_above(texts, i)


# ---- assembling a document ------------------------------------------------------------------------


def _assemble(blocks: list[DocumentBlock], source_name: str, *, letters: bool = False) -> ParsedDocument:
    plans: list[ParsedPlan] = []
    tables: list[RawTable] = []
    paragraphs: list[TextBlock] = []  # every paragraph so far
    since_table = 0  # index into paragraphs where the text since the last table starts
    text_before = ""
    for block in blocks:
        if isinstance(block, TextBlock):
            paragraphs.append(block)
            continue
        table = block
        tables.append(table)
        table.index = len(tables)
        table.source_name = source_name
        recent = paragraphs[since_table:]
        title, region = _title_from(recent)
        if not table.title:
            table.title = title
        candidates = [table]
        plan = _interpret_raw(table, source_name, letters)
        if plan is None:
            for nested in table.nested:
                tables.append(nested)
                nested.index = len(tables)
                nested.source_name = source_name
                nested_plan = _interpret_raw(nested, source_name, letters)
                if nested_plan is not None:
                    if not nested_plan.title:
                        nested_plan.title = _plain(table.title)
                    candidates.append(nested)
                    if not plans:
                        text_before = _text(paragraphs[: since_table + region])
                    plans.append(nested_plan)
        else:
            if not plans:
                text_before = _text(paragraphs[: since_table + region])
            plans.append(plan)
        since_table = len(paragraphs)
    if not plans:
        if not tables:
            raise ImportFileError(
                f"{_where(source_name)} нет ни одной таблицы, а план мероприятий читается из таблицы "
                "(столбцы «№ п/п», «Мероприятие», «Сроки исполнения», «Ответственный исполнитель»…)."
            )
        count = len(tables)
        raise PlanHeaderError(
            f"{_where(source_name)} не найдена таблица плана мероприятий: ни в одной из таблиц ({count}) "
            "не распознаны заголовки столбцов. Нужны столбец «Мероприятие» (или «Наименование мероприятия», "
            "«Содержание») и хотя бы один из столбцов «Сроки исполнения» или «Ответственный исполнитель». "
            "Укажите назначение столбцов вручную.",
            tables,
        )
    return ParsedDocument(source_name, plans, text_before, tables)


def _interpret_raw(table: RawTable, source_name: str, letters: bool) -> ParsedPlan | None:
    return interpret_table(
        table.rows,
        table.title,
        source_name,
        row_numbers=table.row_numbers,
        section_rows=table.section_rows,
        notes=table.notes,
        letters=letters,
        table_index=table.index,
    )


def _text(paragraphs: Sequence[TextBlock]) -> str:
    lines = [_plain(p.text) for p in paragraphs]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


# ---- tab-separated text -----------------------------------------------------------------------------

_LINES = re.compile(r"\r\n|\r|\n")


def text_blocks(text: str, source_name: str = "") -> list[DocumentBlock]:
    """Paragraphs and tables of tab-separated text, as Word puts a document on the clipboard.

    Empty lines inside a table do not end it; a line of text inside a table followed by a row with
    only its first cell filled is that cell's first paragraphs (a merged row with several paragraphs).
    """
    blocks: list[DocumentBlock] = []
    table: RawTable | None = None
    header_key: tuple[str, ...] | None = None
    pending: list[TextBlock] = []

    def close() -> None:
        nonlocal table, header_key
        if table is not None:
            blocks.append(table)
        table, header_key = None, None

    for number, line in enumerate(_LINES.split(text), 1):
        if "\t" not in line:
            block = TextBlock(line.strip(), number)
            (blocks if table is None else pending).append(block)
            continue
        # A line of millions of tabs is one wide row: the text beyond MAX_COLUMNS cells stays in the
        # last cell (as capped() does), without a list of millions of pieces in between.
        cells = line.split("\t", MAX_COLUMNS - 1)
        if len(cells) == MAX_COLUMNS and "\t" in cells[-1]:
            cells[-1] = cells[-1].replace("\t", "\n").strip("\n")
        key = _header_key(cells)
        if table is not None:
            texts = [p for p in pending if p.text]
            if texts:
                if _lone_first(cells) and len(texts) <= 40 and not _STAMP.match(texts[0].text):
                    cells[0] = "\n".join([*(p.text for p in texts), cells[0]])
                    table.rows.append(cells)
                    table.row_numbers.append(texts[0].line)
                    pending = []
                    continue
                close()
                blocks.extend(pending)
            elif key is not None and key != header_key:
                close()
                blocks.extend(pending)
            pending = []
        if table is None:
            table = RawTable([], [], source_name=source_name)
        if key is not None and header_key is None:
            header_key = key
        table.rows.append(cells)
        table.row_numbers.append(number)
    close()
    blocks.extend(pending)
    return blocks


def capped(cells: list[str]) -> list[str]:
    """A row of at most MAX_COLUMNS cells: the text of the cells beyond stays in the last one (a
    line of a million tabs is one wide row, not a million columns to match against the titles)."""
    if len(cells) > MAX_COLUMNS:
        cells[MAX_COLUMNS - 1 :] = ["\n".join(c for c in cells[MAX_COLUMNS - 1 :] if c)]
    return cells


def _lone_first(cells: list[str]) -> bool:
    return len(cells) >= 2 and bool(cells[0].strip()) and not any(c.strip() for c in cells[1:])


def _header_key(cells: list[str]) -> tuple[str, ...] | None:
    """The row's titles when it is a plan header, else None (cheap checks first)."""
    first = cells[0].strip()
    if first and is_number_like(first):
        return None
    if sum(1 for c in cells if c.strip()) < 2 or any(len(c) > 150 for c in cells):
        return None
    titles = [one_line(c) for c in cells]
    if not is_plan_header(set(match_plan_columns(titles).values())):
        return None
    return tuple(t.casefold() for t in titles if t)


def parse_text(text: str, source_name: str = CLIPBOARD_NAME) -> ParsedDocument:
    """A plan from tab-separated text: a paste of text/plain from Word, or a .txt/.tsv file."""
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFileError(f"{_where(source_name)} слишком много текста ({len(text)} символов).")
    return _assemble(text_blocks(text, source_name), source_name)


def _csv_blocks(text: str, source_name: str) -> list[DocumentBlock]:
    sample = text[:20000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    try:
        rows = [capped(list(row)) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(f"Файл «{source_name}» не читается как CSV: {csv_problem(exc)}.") from exc
    return [RawTable(rows, list(range(1, len(rows) + 1)), source_name=source_name)]


def csv_problem(exc: csv.Error) -> str:
    """What the csv module's English complaint means, in Russian."""
    text = str(exc)
    if "NUL" in text:
        return "в тексте есть нулевые байты — это не текстовый файл или он повреждён"
    if "field limit" in text:
        return f"в одной ячейке больше {csv.field_size_limit():,} знаков".replace(",", " ")
    return "кавычки или переводы строк в ячейках расставлены неправильно"


# ---- HTML, docx, workbooks ----------------------------------------------------------------------------


def parse_html(html: str, source_name: str = CLIPBOARD_NAME) -> ParsedDocument:
    """A plan from HTML: clipboard text/html from Word, Excel or LibreOffice, or a saved .html page."""
    from app.importing.plan_html import html_blocks

    if len(html) > MAX_TEXT_CHARS * 2:
        raise ImportFileError(f"{_where(source_name)} слишком большой фрагмент HTML ({len(html)} символов).")
    return _assemble(html_blocks(html, source_name), source_name)


def parse_docx(path: Path) -> ParsedDocument:
    """A plan (or several) from a Word .docx file: every table in body order."""
    from app.importing.plan_docx import docx_blocks

    path = Path(path)
    return _assemble(docx_blocks(path), path.name)


def _sheet_tables(path: Path, source_name: str) -> list[RawTable]:
    from app.importing.sheet import read_sheets

    tables = []
    for sheet in read_sheets(path):
        rows = [[_cell_text(v) for v in row] for row in sheet.rows]
        while rows and not any(rows[-1]):
            rows.pop()
        tables.append(
            RawTable(rows, list(range(1, len(rows) + 1)), source_name=source_name, sheet=sheet.name)
        )
    return tables


def parse_xlsx(path: Path) -> ParsedDocument:
    """A plan from the first sheet of a workbook whose header names a plan's columns."""
    path = Path(path)
    with _WorkbookPath(path) as real:
        tables = _sheet_tables(real, path.name)
    for index, table in enumerate(tables, 1):
        table.index = index
        plan = interpret_table(
            table.rows, "", path.name, row_numbers=table.row_numbers, letters=True, table_index=index
        )
        if plan is not None:
            return ParsedDocument(path.name, [plan], "", tables)
    raise PlanHeaderError(
        f"В файле «{path.name}» не найдена таблица плана мероприятий: ни на одном листе в первых "
        f"{HEADER_SCAN_ROWS} строках нет заголовков «Мероприятие» и «Сроки исполнения» или "
        "«Ответственный исполнитель». Укажите назначение столбцов вручную.",
        tables,
    )


# ---- files and the clipboard -------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}


class _WorkbookPath:
    """The path itself, or a temporary copy with the suffix calamine's checks expect (a workbook
    saved under a wrong extension)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder: Path | None = None

    def __enter__(self) -> Path:
        if self.path.suffix.lower() in _EXCEL or not self.path.is_file():
            return self.path
        kind = sniff(self.path)
        suffix = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}.get(kind)
        if suffix is None:
            return self.path
        self.folder = Path(tempfile.mkdtemp(prefix="opora-plan-"))
        copy = self.folder / (self.path.stem + suffix)
        shutil.copyfile(self.path, copy)
        return copy

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _check_file(path: Path) -> tuple[int, bytes]:
    if not path.exists():
        raise ImportFileError(f"Файл «{path}» не найден.")
    if path.is_dir():
        raise ImportFileError(f"«{path}» — это папка, а не файл.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ImportFileError(f"Не удалось прочитать файл «{path.name}»: {os_reason(exc)}.") from exc
    if size == 0:
        raise ImportFileError(f"Файл «{path.name}» пуст (0 байт).")
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"Файл «{path.name}» слишком большой ({size // (1024 * 1024)} МБ; допускается не более "
            f"{MAX_FILE_BYTES // (1024 * 1024)} МБ)."
        )
    return size, head


def ole_kind(path: Path) -> str:
    """'encrypted' (a password-protected Office file), 'doc', 'xls' or 'ole' for a CFB file."""
    try:
        data = path.read_bytes()[: 8 * 1024 * 1024]
    except OSError:
        return "ole"
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return "encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "ole"


def sniff(path: Path) -> str:
    """The real kind of a file: docx, xlsx, ods, xls, html, csv, text; or an ImportFileError."""
    path = Path(path)
    _, head = _check_file(path)
    name = path.name
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = (
                    archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
                )
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, RuntimeError, ValueError) as exc:
            raise ImportFileError(
                f"Файл «{name}» повреждён: архив обрезан или испорчен. Попросите файл заново "
                "или откройте его в Word и сохраните ещё раз."
            ) from exc
        if "word/document.xml" in names or any(n.startswith("word/") for n in names):
            return "docx"
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "spreadsheet" in mimetype:
            return "ods"
        if "opendocument.text" in mimetype:
            raise ImportFileError(
                f"Файл «{name}» — документ OpenDocument (.odt). Откройте его в LibreOffice Writer и "
                "сохраните как «Word 2007–365 (.docx)»."
            )
        raise ImportFileError(f"Файл «{name}» — архив, но не документ Word и не книга Excel.")
    if head.startswith(_OLE_MAGIC):
        kind = ole_kind(path)
        if kind == "xls":
            return "xls"
        raise ImportFileError(_ole_message(name, kind))
    if head.startswith(b"%PDF"):
        raise ImportFileError(
            f"Файл «{name}» — это PDF. Откройте исходный документ Word (.docx) или скопируйте таблицу "
            "плана и вставьте её."
        )
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf"):
        raise ImportFileError(f"Файл «{name}» в формате RTF. Откройте его в Word и сохраните как .docx.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        sample = head.decode("utf-16", "replace")
    elif b"\x00" in head:
        raise ImportFileError(
            f"Файл «{name}» повреждён или записан в незнакомом формате: программа читает "
            "документы Word (.docx), книги Excel (.xlsx, .xls, .ods), веб-страницы (.html) и текст (.txt, .csv)."
        )
    else:
        sample = head.decode("utf-8", "replace")
    lowered = sample.lstrip("\ufeff \r\n\t").lower()
    if lowered.startswith(("<!doctype html", "<html", "<table", "<?xml", "<meta", "<body", "<head")) or (
        lowered.startswith("version:") and "starthtml" in lowered
    ):
        return "html"
    if path.suffix.lower() == ".csv" and "\t" not in sample:
        return "csv"
    return "text"


def _ole_message(name: str, kind: str) -> str:
    if kind == "encrypted":
        return (
            f"Файл «{name}» защищён паролем (зашифрован), поэтому его нельзя прочитать. Откройте его в "
            "Word, снимите пароль («Файл → Сведения → Защита документа») и сохраните как .docx."
        )
    if kind == "doc":
        return (
            f"Файл «{name}» — документ Word 97–2003 (.doc). Откройте его в Word или LibreOffice и "
            "сохраните как «Документ Word (.docx)»."
        )
    return f"Файл «{name}» — файл Microsoft Office старого формата, но не документ Word и не книга Excel."


def read_text_file(path: Path) -> str:
    """A text file's content: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"Файл «{path.name}» повреждён: текст UTF-16 не читается.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Файл «{path.name}» не читается как текст: кодировка не UTF-8 и не Windows-1251."
        ) from exc


def _file_blocks(path: Path, kind: str) -> list[DocumentBlock]:
    name = path.name
    if kind == "docx":
        from app.importing.plan_docx import docx_blocks

        return docx_blocks(path)
    text = read_text_file(path)
    if kind == "html":
        from app.importing.plan_html import html_blocks

        return html_blocks(text, name)
    if kind == "csv":
        return _csv_blocks(text, name)
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFileError(f"В файле «{name}» слишком много текста ({len(text)} символов).")
    return text_blocks(text, name)


def parse_file(path: Path) -> ParsedDocument:
    """A plan from any supported file, chosen by the file's content rather than its extension."""
    path = Path(path)
    kind = sniff(path)
    if kind in ("xlsx", "xls", "ods"):
        return parse_xlsx(path)
    return _assemble(_file_blocks(path, kind), path.name)


def extract_tables(path: Path) -> list[RawTable]:
    """Every table of a file as cell strings (for mapping the columns of an unrecognised plan)."""
    path = Path(path)
    kind = sniff(path)
    if kind in ("xlsx", "xls", "ods"):
        with _WorkbookPath(path) as real:
            tables = _sheet_tables(real, path.name)
    else:
        tables = []
        for block in _file_blocks(path, kind):
            if isinstance(block, RawTable):
                tables.append(block)
                tables.extend(block.nested)
    for index, table in enumerate(tables, 1):
        table.index = index
        table.source_name = path.name
    return tables


def parse_clipboard(mime: Mapping[str, str]) -> ParsedDocument:
    """What was copied: text/html (Word, Excel, LibreOffice keep the table there) or else text/plain."""
    html = _mime(mime, "text/html")
    plain = _mime(mime, "text/plain")
    first_error: AppError | None = None
    if html and "<t" in html.lower():
        try:
            return parse_html(_strip_cf_html(html), CLIPBOARD_NAME)
        except AppError as exc:
            first_error = exc
    if plain:
        try:
            return parse_text(plain, CLIPBOARD_NAME)
        except PlanHeaderError as exc:
            if not isinstance(first_error, PlanHeaderError):
                first_error = exc
        except AppError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    raise ImportFileError(
        "В буфере обмена нет текста. Выделите в Word или Excel таблицу плана вместе с заголовком, "
        "скопируйте её и вставьте снова."
    )


def _mime(mime: Mapping[str, str], kind: str) -> str:
    for key, value in mime.items():
        if key.split(";", 1)[0].strip().lower() == kind and isinstance(value, str) and value:
            return value
    return ""


def _strip_cf_html(html: str) -> str:
    """Windows «HTML Format» starts with Version:/StartHTML: lines before the markup."""
    if html.lstrip().startswith("Version:"):
        start = html.find("<")
        return html[start:] if start >= 0 else ""
    return html


# ---- public names for the order reader (app/orders/parse.py reads the whole order around its plans) ----

assemble = _assemble
title_from = _title_from
STAMP_START = _STAMP  # «Приложение N», «к приказу …», «УТВЕРЖДЕН…»: the first line of a stamp
STAMP_END = _STAMP_END  # «от 27 августа 2020 года № 149»: its last line
SIGNATURE = _SIGNATURE  # «Е.А. Краснова», «Краснова Е.А.»: the signer's name line
