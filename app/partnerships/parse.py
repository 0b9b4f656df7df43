"""Reading lists of network partnerships (сетевое партнёрство) into plain structures.

Offices write the groups the way seed 000 does, one group per line or per table cell, the schools
joined by dashes: «МБОУ «Отраденская СОШ №3» - МКОУ «Отраденская СОШ №2»», «МКОУ «Синявинская
СОШ»-МКОУ «Шумская СОШ» - МБОУ «Нлиссельбургская СОШ»»; or keep a workbook with a column for the
school with low results and one for its partner (mentor, base site), an agreement and the joint
activities. Whatever the source, the result is a `ParsedPartnerships`: groups of names as written
(matching them to the registry is `app.partnerships.matching`), each with the roles the source
implies, and the problems found, each naming its row (and column). Nothing here writes anywhere.

    parse_text(text, name)      lines or tab-separated rows (a paste from Word or Excel, a .txt file)
    parse_rows(rows, name)      a table of cells: with a header («Школа с низкими результатами»,
                                «Школа-партнёр»…) or without one (each row a group)
    parse_workbook(path)        .xlsx/.xls/.ods via app/importing/sheet.py
    parse_file(path)            any of these (and .docx, .html, .csv) by the file's real signature
    split_group(line)           «A - B – C» → [A, B, C], hyphens inside names («Усть-Лужская») kept

Roles: the first school of a group is the target (low results) unless a column or a mark such as
«(наставник)» says otherwise; the others are partners. Every failure of a whole file is an
`ImportFileError` with a Russian message naming the file.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.importing.columns import HEADER_SCAN_ROWS, ColumnSpec, find_header
from app.importing.errors import ImportFileError
from app.importing.plan_columns import RawTable, TextBlock, clean_cell
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import SheetData, column_letter
from app.partnerships.matching import name_key
from app.text import fold

__all__ = [
    "CLIPBOARD_NAME",
    "PARTNERSHIP_COLUMNS",
    "ParsedGroup",
    "ParsedPartnerships",
    "looks_like_school",
    "parse_file",
    "parse_rows",
    "parse_text",
    "parse_workbook",
    "split_group",
]

CLIPBOARD_NAME = "буфер обмена"
MAX_TEXT_CHARS = 5_000_000
MAX_NAME_CHARS = 300  # longer «names» are sentences of an order's text, not schools
MAX_NAME_WORDS = 20

TARGET, PARTNER, MENTOR, BASE_SITE = "target", "partner", "mentor", "base_site"


@dataclass
class ParsedGroup:
    """One group as the source lists it; names as written, roles parallel to them."""

    names: list[str]
    kind_hint: str  # 'pair' (two schools), 'group' (three or more), 'mentoring', 'base_site'
    source_row: int  # the line or the row (as Excel numbers them) the group comes from
    note: str = ""
    roles: list[str] = field(default_factory=list)  # 'target', 'partner', 'mentor', 'base_site'
    columns: list[str] = field(default_factory=list)  # the column letter of each name ('' in text)
    agreement_number: str = ""
    agreement_date: date | None = None
    activities: str = ""
    sheet: str = ""

    @property
    def targets(self) -> list[str]:
        return [n for n, r in zip(self.names, self.roles, strict=False) if r == TARGET]

    @property
    def supporters(self) -> list[str]:
        return [n for n, r in zip(self.names, self.roles, strict=False) if r != TARGET]


@dataclass
class ParsedPartnerships:
    source_name: str
    groups: list[ParsedGroup]
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Every distinct name in the order of appearance (what the matcher has to resolve)."""
        seen: dict[str, None] = {}
        for group in self.groups:
            for name in group.names:
                seen.setdefault(name, None)
        return list(seen)

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]


# ---- names and groups in a line --------------------------------------------------------------------

_DASH = re.compile(r"\s*[-‐‑‒–—―]+\s*")
_CLOSING = "»”“\"'"
_OPENING = "«„“\"'"
_ABBREVIATION = re.compile(r"[A-ZА-ЯЁ]{2,}(?![a-zа-яё])")
_BULLET = re.compile(
    r"^(?:[•·▪●○◦*►✓✔➢>]+|[-‐‑‒–—―]+|\d{1,3}(?:\.\d{1,3})*\s*[.)](?!\d)|[а-яa-z]\))\s*", re.IGNORECASE
)
_GROUP_LABEL = re.compile(
    r"^(?:сетев\w*\s+)?(?:пара|группа)\s*(?:№\s*)?(?:\d+\s*[:.)]?|:)\s*(?=\S)", re.IGNORECASE
)
_ROLE_MARK = re.compile(
    r"\s*[(\[]\s*(шнро|шнор|целевая(?:\s+школа)?|низкие\s+результаты|(?:школа[\s-]*)?наставник|"
    r"базовая\s+(?:площадка|школа)|(?:школа[\s-]*)?партн[её]р)\s*[)\]]\s*$",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s;,]+$")


def split_group(line: str) -> list[str]:
    """The schools of a line joined by dashes; a hyphen inside a name («Усть-Лужская», «школа-интернат»)
    or inside its quotes does not split it. «A»-МКОУ «B» and «A» -МКОУ «B» split, as seed 000 writes."""
    parts: list[str] = []
    start = 0
    for dash in _DASH.finditer(line):
        before, after = line[start : dash.start()], line[dash.end() :]
        if not before.strip() or not after.strip():
            continue
        prefix = line[: dash.start()]
        if prefix.count("«") > prefix.count("»") and "»" in after:
            continue  # inside the quotes of a name
        text = dash.group()
        spaced_left, spaced_right = text[0].isspace(), text[-1].isspace()
        prev, nxt = line[dash.start() - 1], after[0]
        closing = prev in "»”" or (prev in "\"'" and prefix.count(prev) % 2 == 0)
        opening = nxt in _OPENING or bool(_ABBREVIATION.match(after))
        if closing:
            split = True
        elif spaced_left and spaced_right:
            split = not nxt.islower()
        elif spaced_left or spaced_right:
            split = opening
        else:
            split = prev.isdigit() and (opening or nxt.isupper())
        if split:
            parts.append(line[start : dash.start()])
            start = dash.end()
    parts.append(line[start:])
    return [clean for part in parts if (clean := _clean_name(part))]


def _clean_name(text: str) -> str:
    return _TRAILING.sub("", " ".join(text.split())).strip()


def _strip_line(line: str) -> str:
    line = " ".join(line.split())
    for _ in range(2):
        stripped = _GROUP_LABEL.sub("", _BULLET.sub("", line))
        if stripped == line:
            break
        line = stripped
    return line


def looks_like_school(text: str) -> bool:
    """Whether a piece of text names a school: a legal form (МБОУ), a type (СОШ, гимназия…), or
    «школа» with a number or a quoted name; a long sentence that mentions schools does not."""
    if not text or len(text) > MAX_NAME_CHARS or len(text.split()) > MAX_NAME_WORDS:
        return False
    key = name_key(text)
    if key.form or key.kind:
        return True
    return bool(key.numbers or any(q in text for q in '«"“„')) and bool(
        re.search(r"(?<![а-яё])школ[аы]?(?![а-яё])", fold(text))
    )


def _role_of(name: str) -> tuple[str, str]:
    """«МБОУ «Кировская СОШ №2» (наставник)» → («МБОУ «Кировская СОШ №2»», 'mentor')."""
    mark = _ROLE_MARK.search(name)
    if not mark:
        return name, ""
    word = fold(mark.group(1))
    if "наставник" in word:
        role = MENTOR
    elif "базов" in word:
        role = BASE_SITE
    elif "партн" in word:
        role = PARTNER
    else:
        role = TARGET
    return name[: mark.start()].strip(), role


def _kind_hint(roles: Sequence[str], count: int) -> str:
    if BASE_SITE in roles:
        return "base_site"
    if MENTOR in roles:
        return "mentoring"
    return "pair" if count <= 2 else "group"


def _assign_roles(marked: list[str]) -> list[str]:
    """Roles for a group: explicit marks kept; the first unmarked school is the target when no
    school is marked as one; every other unmarked school is a partner."""
    roles = list(marked)
    if TARGET not in roles:
        for i, role in enumerate(roles):
            if not role:
                roles[i] = TARGET
                break
    return [role or PARTNER for role in roles]


def _dedupe(
    names: list[str], roles: list[str], columns: list[str]
) -> tuple[list[str], list[str], list[str], list[str]]:
    seen: set[str] = set()
    out: tuple[list[str], list[str], list[str]] = ([], [], [])
    repeated: list[str] = []
    for name, role, column in zip(names, roles, columns, strict=True):
        key = name_key(name)
        marker = repr(key) if (key.words or key.numbers) else fold(name)
        if marker in seen:
            repeated.append(name)
            continue
        seen.add(marker)
        out[0].append(name)
        out[1].append(role)
        out[2].append(column)
    return out[0], out[1], out[2], repeated


# ---- the collector ---------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.groups: list[ParsedGroup] = []
        self.issues: list[ImportIssue] = []

    def issue(
        self, row: int | None, message: str, *, column: str = "", title: str = "", warning: bool = False
    ) -> None:
        severity = Severity.WARNING if warning else Severity.ERROR
        self.issues.append(ImportIssue(self.source_name, row, column, title, message, severity))

    def add(self, group: ParsedGroup) -> None:
        names, roles, columns, repeated = _dedupe(
            group.names, group.roles or [""] * len(group.names), group.columns or [""] * len(group.names)
        )
        for name in repeated:
            self.issue(
                group.source_row, f"школа «{name}» указана в группе дважды; учтена один раз.", warning=True
            )
        if len(names) < 2:
            if names:
                self.issue(
                    group.source_row,
                    f"в группе только одна школа («{names[0]}»): не указана школа-партнёр; строка пропущена.",
                )
            return
        group.names, group.roles, group.columns = names, roles, columns
        if not group.kind_hint:
            group.kind_hint = _kind_hint(roles, len(names))
        self.groups.append(group)

    def line(self, text: str, row: int, *, column: str = "", title: str = "", sheet: str = "") -> bool:
        """A line that may be a group of schools joined by dashes; True when it was one."""
        line = _strip_line(text)
        if not line or len(line) > MAX_NAME_CHARS * 4:
            return False
        parts = split_group(line)
        if len(parts) < 2:
            return False
        schools = [looks_like_school(part) for part in parts]
        if not all(schools):
            if sum(schools) >= 2:
                odd = next(p for p, ok in zip(parts, schools, strict=True) if not ok)
                self.issue(
                    row,
                    f"строка похожа на группу школ, но «{odd}» не похоже на название школы; строка пропущена.",
                    column=column,
                    title=title,
                    warning=True,
                )
            return False
        names: list[str] = []
        marks: list[str] = []
        for part in parts:
            name, role = _role_of(part)
            names.append(name or part)
            marks.append(role)
        roles = _assign_roles(marks)
        self.add(ParsedGroup(names, "", row, roles=roles, columns=[column] * len(names), sheet=sheet))
        return True

    def result(self) -> ParsedPartnerships:
        return ParsedPartnerships(self.source_name, self.groups, self.issues)


# ---- tables ------------------------------------------------------------------------------------------------

_GROUP_FIELDS = ("target", "partner", "mentor", "base_site", "group")
_NAME_ROLES = {"target": TARGET, "partner": PARTNER, "mentor": MENTOR, "base_site": BASE_SITE}

PARTNERSHIP_COLUMNS = (
    ColumnSpec(
        "target",
        "Школа с низкими результатами",
        (
            "ШНРО",
            "ШНОР",
            "ШНРО ШФНСУ",
            "Целевая школа",
            "Школа с низкими образовательными результатами",
            "Школа с низкими результатами обучения",
            "ОО с низкими результатами",
            "ОО с низкими образовательными результатами",
            "Образовательная организация с низкими образовательными результатами",
            "Школа с НОР",
            "Школа",
            "ОО",
        ),
        required=True,
    ),
    ColumnSpec(
        "partner",
        "Школа-партнёр",
        (
            "Школа-партнер",
            "Школа партнёр",
            "Школы-партнёры",
            "Школы-партнеры",
            "Партнёр",
            "Партнер",
            "Партнёры",
            "Партнеры",
            "ОО-партнёр",
            "ОО-партнер",
            "Образовательная организация-партнёр",
            "Образовательная организация-партнер",
            "Школа со стабильными результатами",
            "Школа со стабильно высокими результатами",
            "Школа со стабильными образовательными результатами",
            "ОО со стабильными результатами",
            "ОО со стабильными образовательными результатами",
            "Школа с высокими результатами",
            "Успешная школа",
        ),
    ),
    ColumnSpec(
        "mentor", "Школа-наставник", ("Школа наставник", "Наставник", "ОО-наставник", "Школы-наставники")
    ),
    ColumnSpec(
        "base_site", "Базовая площадка", ("Базовая школа", "Базовая ОО", "Опорная школа", "Ресурсный центр")
    ),
    ColumnSpec(
        "group",
        "Группа школ",
        (
            "Состав группы",
            "Состав пары",
            "Пара школ",
            "Пары школ",
            "Группа",
            "Пара",
            "Сетевая пара",
            "Сетевые пары",
            "Перечень групп школ",
            "Участники",
            "Школы",
            "№ группы",
            "Номер группы",
            "№ пары",
        ),
    ),
    ColumnSpec(
        "kind",
        "Тип",
        (
            "Форма взаимодействия",
            "Форма партнёрства",
            "Форма партнерства",
            "Тип партнёрства",
            "Тип партнерства",
            "Тип группы",
            "Вид",
            "Вид партнёрства",
            "Вид партнерства",
            "Форма сетевого взаимодействия",
        ),
    ),
    ColumnSpec(
        "agreement_number",
        "№ соглашения",
        (
            "Соглашение",
            "Номер соглашения",
            "Соглашение о сотрудничестве",
            "Реквизиты соглашения",
            "Договор",
            "№ договора",
            "Номер договора",
            "Договор о сетевом взаимодействии",
        ),
    ),
    ColumnSpec(
        "agreement_date",
        "Дата соглашения",
        ("Дата договора", "Дата заключения соглашения", "Дата заключения", "Дата"),
    ),
    ColumnSpec(
        "activities",
        "Совместные мероприятия",
        (
            "Мероприятия",
            "Планируемые мероприятия",
            "Совместная деятельность",
            "Содержание взаимодействия",
            "Направления взаимодействия",
            "Направления работы",
        ),
    ),
    ColumnSpec("note", "Примечание", ("Примечания", "Комментарий")),
)


def _with_required(field_name: str) -> list[ColumnSpec]:
    return [
        ColumnSpec(s.field, s.title, s.synonyms, required=s.field == field_name) for s in PARTNERSHIP_COLUMNS
    ]


_SPECS_BY_TARGET = _with_required("target")
_SPECS_BY_GROUP = _with_required("group")
_EXTRA_COLUMNS = (("партн", "partner"), ("наставн", "mentor"), ("площадк", "base_site"))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (time, timedelta)):
        return str(value)
    return clean_cell(str(value))


_DATE = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_EXCEL_EPOCH = date(1899, 12, 30)


def _parse_date(value: object) -> date | None:
    """A date cell or text («01.09.2020», «1.9.20», «2020-09-01», an Excel serial number); None if none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = str(value or "")
    found = _ISO_DATE.search(text)
    try:
        if found:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        found = _DATE.search(text)
        if found:
            year = int(found.group(3))
            if year < 100:
                year += 2000
            return date(year, int(found.group(2)), int(found.group(1)))
    except ValueError:
        return None
    return None


# Names in a cell are separated by lines, «;», or a comma before the next school's legal form or
# opening quote («МКОУ «А», МКОУ «Б»») — a comma inside a name («им. А.С. Пушкина, г. Кировск») stays.
_CELL_SEPARATOR = re.compile(r"[\n;]|,\s*(?=(?:[МГ][БКА]?ОУ|МОУ|ЧОУ|АНО|ОУ)\b|[«\"“])")


def _split_cell(text: str) -> list[str]:
    """Names in one cell: one per line, by «;» or a comma before the next school, each line perhaps
    a dash-joined group."""
    return [name for name, _position in _cell_parts(text)]


def _cell_parts(text: str) -> list[tuple[str, int]]:
    """Like `_split_cell`, with each name's place in its «A - B - C» group (0 for a listed name):
    schools listed one per line or by commas are peers; a dash-joined group has a first school."""
    parts: list[tuple[str, int]] = []
    for line in _CELL_SEPARATOR.split(text):
        line = _strip_line(line)
        if line:
            group = split_group(line) if len(line) <= MAX_NAME_CHARS * 4 else [line]
            parts.extend((name, position) for position, name in enumerate(group))
    return parts


def _kind_from_text(text: str) -> str:
    folded = fold(text)
    if "наставн" in folded:
        return "mentoring"
    if "базов" in folded or "площадк" in folded:
        return "base_site"
    if "групп" in folded:
        return "group"
    if "пар" in folded:
        return "pair"
    return ""


def _header_candidate(row: Sequence[object]) -> bool:
    """A row that may be a header: titles are short, and a header does not start with a number."""
    texts = [str(c).strip() for c in row if c not in (None, "") and str(c).strip()]
    if not texts or any(len(t) > 150 for t in texts):
        return False
    first = next((c for c in row if c not in (None, "")), None)
    return not isinstance(first, (int, float)) and not re.fullmatch(r"\d+[.)]?", texts[0])


def _header(sheets: Sequence[SheetData]) -> tuple[SheetData, int, dict[int, str], dict[int, str]] | None:
    """(sheet, header row index, column → field, column → title) of the partnership table, or None."""
    candidates = [
        SheetData(
            s.path, s.name, [list(r) if _header_candidate(r) else [] for r in s.rows[:HEADER_SCAN_ROWS]]
        )
        for s in sheets
    ]
    for specs in (_SPECS_BY_TARGET, _SPECS_BY_GROUP):
        try:
            match = find_header(candidates, specs)
        except ImportFileError:
            continue
        mapping = {c.index: c.field for c in match.columns if c.field}
        titles = {c.index: c.title for c in match.columns}
        if specs is _SPECS_BY_GROUP and len(mapping) < 2:
            continue  # a lone «Группа школ» column: its cells are read as lines, no header needed
        if not any(f in mapping.values() for f in ("partner", "mentor", "base_site", "group")):
            # a lone «Школа» column is not yet a list of groups: its partners must come from somewhere
            extra = any(k in fold(titles.get(i, "")) for i in titles for k, _ in _EXTRA_COLUMNS)
            if not extra:
                continue
        for index, title in titles.items():
            if index in mapping:
                continue
            folded = fold(title)
            for keyword, field_name in _EXTRA_COLUMNS:
                if keyword in folded:
                    mapping[index] = field_name  # «Партнёр 2», «Школа-наставник (2)»
                    break
        sheet = sheets[next(i for i, s in enumerate(candidates) if s is match.sheet)]
        return sheet, match.row_index, mapping, titles
    return None


def _table_rows(
    collector: _Collector,
    sheet: SheetData,
    header_index: int,
    mapping: dict[int, str],
    titles: dict[int, str],
    row_numbers: Sequence[int] | None,
) -> None:
    label_group: ParsedGroup | None = None
    label = ""

    def flush() -> None:
        nonlocal label_group, label
        if label_group is not None:
            label_group.roles = _assign_roles(label_group.roles)
            collector.add(label_group)
        label_group, label = None, ""

    for index in range(header_index + 1, len(sheet.rows)):
        raw = sheet.rows[index]
        row = row_numbers[index] if row_numbers is not None and index < len(row_numbers) else index + 1
        names: list[str] = []
        marks: list[str] = []
        columns: list[str] = []
        values: dict[str, list[tuple[object, str]]] = {}
        row_label = ""
        for col, value in enumerate(raw):
            field_name = mapping.get(col)
            if field_name is None:
                continue
            text = _cell_text(value)
            if not text:
                continue
            letter = column_letter(col)
            if field_name in _GROUP_FIELDS:
                parts = _split_cell(text)
                if field_name == "group" and (len(parts) < 2 and not all(map(looks_like_school, parts))):
                    row_label = text  # a group number: rows with the same one form one group
                    continue
                for part, position in _cell_parts(text):
                    name, mark = _role_of(part)
                    role = _NAME_ROLES.get(field_name, "")
                    if field_name == "target" and position > 0:
                        role = ""  # a whole «A - B» group written in the target's cell
                    names.append(name or part)
                    marks.append(mark or role)
                    columns.append(letter)
            else:
                values.setdefault(field_name, []).append((value, col))
        has_other = bool(values)
        if not names:
            if row_label and label_group is not None and row_label == label:
                continue
            if has_other and not row_label:
                collector.issue(row, "в строке не указано ни одной школы; строка пропущена.", warning=True)
            continue
        kind = ""
        number = activities = note = ""
        agreement_date: date | None = None
        for value, col in values.get("kind", []):
            understood = _kind_from_text(_cell_text(value))
            if not understood:
                # «обмен опытом» says what they do, not the form: keep it with the activities.
                activities = "\n".join(filter(None, [activities, _cell_text(value)]))
                collector.issue(
                    row,
                    f"вид партнёрства «{_cell_text(value)}» не распознан (пара, группа, базовая площадка, "
                    "наставничество): вид определён по числу школ, текст добавлен к совместным мероприятиям.",
                    column=column_letter(col),
                    title=titles.get(col, ""),
                    warning=True,
                )
            kind = understood or kind
        for value, _ in values.get("agreement_number", []):
            number = re.sub(r"^\s*(?:№|N|No)\s*", "", _cell_text(value)).strip()
            if " от " in f" {number} ":
                agreement_date = agreement_date or _parse_date(number)
                number = re.split(r"\s+от\s+", number, maxsplit=1)[0].strip()
        for value, col in values.get("agreement_date", []):
            parsed = _parse_date(value)
            if parsed is None:
                collector.issue(
                    row,
                    f"дата соглашения «{_cell_text(value)}» не распознана (ожидается ДД.ММ.ГГГГ); "
                    "дата не загружена.",
                    column=column_letter(col),
                    title=titles.get(col, ""),
                    warning=True,
                )
            else:
                agreement_date = parsed
        for value, _ in values.get("activities", []):
            activities = "\n".join(filter(None, [activities, _cell_text(value)]))
        for value, _ in values.get("note", []):
            note = "\n".join(filter(None, [note, _cell_text(value)]))
        if row_label:
            if label_group is not None and row_label == label:
                label_group.names.extend(names)
                label_group.roles.extend(marks)
                label_group.columns.extend(columns)
                label_group.agreement_number = label_group.agreement_number or number
                label_group.agreement_date = label_group.agreement_date or agreement_date
                label_group.activities = label_group.activities or activities
                label_group.note = label_group.note or note
                continue
            flush()
            label = row_label
            label_group = ParsedGroup(
                names, kind, row, note, marks, columns, number, agreement_date, activities, sheet.name
            )
            continue
        flush()
        roles = _assign_roles(marks)
        collector.add(
            ParsedGroup(
                names, kind, row, note, roles, columns, number, agreement_date, activities, sheet.name
            )
        )
    flush()


def _headless_rows(
    collector: _Collector, rows: Sequence[Sequence[object]], row_numbers: Sequence[int] | None, sheet: str
) -> None:
    """Rows without a header: a cell with a dash-joined group, or a row whose cells are one school each."""
    for index, raw in enumerate(rows):
        row = row_numbers[index] if row_numbers is not None and index < len(row_numbers) else index + 1
        found = False
        single: list[tuple[str, str]] = []
        for col, value in enumerate(raw):
            text = _cell_text(value)
            if not text:
                continue
            letter = column_letter(col) if len(raw) > 1 else ""
            lines = text.split("\n")
            for line in lines:
                found = collector.line(line, row, column=letter, sheet=sheet) or found
            if len(lines) == 1 and looks_like_school(_strip_line(text)) and len(split_group(text)) == 1:
                single.append((_clean_name(_strip_line(text)), letter))
        if not found and len(single) >= 2:
            names, marks = [], []
            for text, _ in single:
                name, mark = _role_of(text)
                names.append(name or text)
                marks.append(mark)
            roles = _assign_roles(marks)
            collector.add(ParsedGroup(names, "", row, "", roles, [c for _, c in single], sheet=sheet))


def _table(
    collector: _Collector, path: Path, rows: list[list[object]], row_numbers: Sequence[int] | None, sheet: str
) -> None:
    data = SheetData(path, sheet, rows)
    header = _header([data])
    if header is None:
        _headless_rows(collector, rows, row_numbers, sheet)
    else:
        found, header_index, mapping, titles = header
        _table_rows(collector, found, header_index, mapping, titles, row_numbers)


def parse_rows(
    rows: Sequence[Sequence[object]],
    source_name: str = CLIPBOARD_NAME,
    *,
    row_numbers: Sequence[int] | None = None,
    sheet: str = "",
) -> ParsedPartnerships:
    """Groups from a table of cells (a worksheet, a pasted table), with or without a header row."""
    collector = _Collector(source_name)
    _table(collector, Path(source_name), [list(r) for r in rows], row_numbers, sheet)
    return _finish(collector)


def _finish(collector: _Collector, *, require: bool = True) -> ParsedPartnerships:
    result = collector.result()
    if require and not result.groups:
        where = (
            "В тексте из буфера обмена"
            if collector.source_name == CLIPBOARD_NAME
            else f"В файле «{collector.source_name}»"
        )
        details = "; ".join(i.text() for i in collector.issues[:3])
        raise ImportFileError(
            f"{where} не найдено ни одной группы школ. Ожидаются строки вида «МБОУ «…» – МКОУ «…»» "
            "(школы одной группы через тире, по группе в строке) или таблица со столбцами «Школа с "
            "низкими результатами» и «Школа-партнёр»." + (f" Замечания: {details}" if details else "")
        )
    return result


# ---- text, documents, workbooks -------------------------------------------------------------------------


def _blocks(collector: _Collector, blocks: Sequence[object]) -> None:
    path = Path(collector.source_name)
    for block in blocks:
        if isinstance(block, TextBlock):
            for line in clean_cell(block.text).split("\n"):
                collector.line(line, block.line)
        elif isinstance(block, RawTable):
            rows: list[list[object]] = [list(r) for r in block.rows]
            _table(collector, path, rows, block.row_numbers, block.sheet)
            for nested in block.nested:
                _table(collector, path, [list(r) for r in nested.rows], nested.row_numbers, nested.sheet)


def parse_text(text: str, source_name: str = CLIPBOARD_NAME) -> ParsedPartnerships:
    """Groups from text: one group per line (bullets and numbering allowed), or tab-separated rows."""
    from app.importing.plan_parse import text_blocks

    if len(text) > MAX_TEXT_CHARS:
        where = "В тексте" if source_name == CLIPBOARD_NAME else f"В файле «{source_name}»"
        raise ImportFileError(f"{where} слишком много текста ({len(text)} символов).")
    collector = _Collector(source_name)
    _blocks(collector, text_blocks(text, source_name))
    return _finish(collector)


def _csv(collector: _Collector, text: str) -> None:
    sample = text[:20000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    try:
        from app.importing.plan_parse import capped

        rows: list[list[object]] = [
            list(capped(r)) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        from app.importing.plan_parse import csv_problem

        raise ImportFileError(
            f"Файл «{collector.source_name}» не читается как CSV: {csv_problem(exc)}."
        ) from exc
    _table(collector, Path(collector.source_name), rows, None, "")


def parse_workbook(path: Path) -> ParsedPartnerships:
    """Groups from a workbook: the sheet whose header names the schools, or each sheet's rows."""
    from app.importing.sheet import read_sheets

    path = Path(path)
    collector = _Collector(path.name)
    with _WorkbookPath(path) as real:
        sheets = read_sheets(real)
    for sheet in sheets:
        sheet.path = path
    header = _header(sheets)
    if header is not None:
        found, header_index, mapping, titles = header
        _table_rows(collector, found, header_index, mapping, titles, None)
    else:
        for sheet in sheets:
            _headless_rows(collector, sheet.rows, None, sheet.name)
    return _finish(collector)


class _WorkbookPath:
    """The path itself, or a temporary copy with the suffix the workbook reader expects."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder: Path | None = None

    def __enter__(self) -> Path:
        from app.importing.plan_parse import sniff

        if self.path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"} or not self.path.is_file():
            return self.path
        suffix = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}.get(sniff(self.path))
        if suffix is None:
            return self.path
        self.folder = Path(tempfile.mkdtemp(prefix="opora-partners-"))
        copy = self.folder / (self.path.stem + suffix)
        shutil.copyfile(self.path, copy)
        return copy

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def parse_file(path: Path) -> ParsedPartnerships:
    """Groups from a file chosen by its content: a workbook, a Word document, HTML, CSV or text
    (UTF-8, UTF-16 or Windows-1251)."""
    from app.importing.plan_parse import read_text_file, sniff

    path = Path(path)
    kind = sniff(path)  # ImportFileError for a missing, empty, huge, PDF, .doc… file
    if kind in ("xlsx", "xls", "ods"):
        return parse_workbook(path)
    collector = _Collector(path.name)
    if kind == "docx":
        from app.importing.plan_docx import docx_blocks

        _blocks(collector, docx_blocks(path))
        return _finish(collector)
    text = read_text_file(path)
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFileError(f"В файле «{path.name}» слишком много текста ({len(text)} символов).")
    if kind == "html":
        from app.importing.plan_html import html_blocks

        _blocks(collector, html_blocks(text, path.name))
        return _finish(collector)
    if kind == "csv":
        _csv(collector, text)
        return _finish(collector)
    return parse_text(text, path.name)
