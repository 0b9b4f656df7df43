"""The columns of a plan of measures, and the raw material every plan reader produces.

A plan's header names the same column in many ways («Сроки исполнения», «Срок», «Дата»…), with
extra words in parentheses («Наименование мероприятия (краткое содержание)»). Titles are compared
after folding case and ё/е, dropping punctuation and text in parentheses; an exact synonym wins
over a synonym that starts the title, which wins over one found inside it.

Every reader (.docx, clipboard HTML, tab-separated text, a workbook) turns its document into
`DocumentBlock`s: paragraphs of text and `RawTable`s (rows of cell strings, a merged cell's text in
its first grid cell only); `plan_parse` interprets them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from app.importing.columns import ColumnSpec, normalize_title
from app.plans.model import ColumnRole as _ColumnRole
from app.text import fold

# One vocabulary of column roles for the model, the parsers and the views.
ColumnRole = _ColumnRole


SYNONYMS: dict[ColumnRole, tuple[str, ...]] = {
    ColumnRole.NUMBER: (
        "№",
        "№ п/п",
        "N п/п",
        "№№ п/п",
        "№№",
        "п/п",
        "пп",
        "номер",
        "номер п/п",
        "№ пункта",
        "пункт",
    ),
    ColumnRole.MEASURE: (
        "Наименование мероприятия",
        "Мероприятие",
        "Мероприятия",
        "Содержание",
        "Наименование мероприятия (краткое содержание)",
        "Наименование мероприятий",
        "Содержание мероприятия",
        "Содержание мероприятий",
        "Содержание работы",
        "Название мероприятия",
        "Перечень мероприятий",
        "Наименование мер",
        "Меры",
        "Содержание деятельности",
    ),
    ColumnRole.DEADLINE: (
        "Сроки исполнения",
        "Срок",
        "Сроки",
        "Сроки реализации",
        "Срок исполнения",
        "Дата",
        "Срок реализации",
        "Сроки проведения",
        "Срок проведения",
        "Сроки выполнения",
        "Срок выполнения",
        "Дата проведения",
        "Период",
        "Период проведения",
        "Время проведения",
        "Дата исполнения",
    ),
    ColumnRole.RESPONSIBLE: (
        "Ответственный исполнитель",
        "Ответственные",
        "Ответственный",
        "Исполнитель",
        "Ответственные исполнители",
        "Исполнители",
        "Ответственные за исполнение",
        "Ответственный за исполнение",
        "Ответственные лица",
        "Ответственное лицо",
        "Ответственный за выполнение",
        "Ответственные за выполнение",
        "Ответственный за проведение",
    ),
    ColumnRole.RESULT: (
        "Ожидаемый результат",
        "Планируемый результат",
        "Результат",
        "Форма отчёта",
        "Итоговый документ",
        "Ожидаемые результаты",
        "Планируемые результаты",
        "Результаты",
        "Форма отчётности",
        "Форма отчета о выполнении",
        "Отчётный документ",
        "Выходной документ",
        "Форма представления результата",
        "Форма завершения",
        "Конечный результат",
    ),
    ColumnRole.SCHOOLS: (
        "ОО",
        "Школы",
        "Целевые школы",
        "Образовательные организации",
        "Общеобразовательные организации",
        "Целевые ОО",
        "Школа",
        "Наименование ОО",
        "Участники (ОО)",
    ),
}

PLAN_ROLES = (
    ColumnRole.NUMBER,
    ColumnRole.MEASURE,
    ColumnRole.DEADLINE,
    ColumnRole.RESPONSIBLE,
    ColumnRole.RESULT,
    ColumnRole.SCHOOLS,
)

# For a mapping combo in the UI: the same shape as the other importers' column specs.
PLAN_COLUMN_SPECS: tuple[ColumnSpec, ...] = tuple(
    ColumnSpec(role.value, role.label, SYNONYMS[role], required=role is ColumnRole.MEASURE)
    for role in PLAN_ROLES
)

_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _key(title: str) -> str:
    """Folded words of a title: «№ п/п» → «номер п п», «N п/п» → «номер п п»."""
    text = fold(title)
    text = re.sub(r"(?<!\w)n(?=\s*п\s*/?\s*п)", "№", text)
    return normalize_title(text)


def _keys(title: str) -> tuple[str, str]:
    """The title's key without the text in parentheses, and with it."""
    return _key(_PARENS.sub(" ", title)), _key(title)


_SYNONYM_KEYS: dict[ColumnRole, tuple[str, ...]] = {
    role: tuple(dict.fromkeys(_key(s) for s in synonyms)) for role, synonyms in SYNONYMS.items()
}


def score_title(title: str, role: ColumnRole) -> int:
    """3: an exact synonym; 2: the title starts with a synonym; 1: a synonym among its words; 0."""
    bare, full = _keys(title)
    if not full:
        return 0
    best = 0
    for key in _SYNONYM_KEYS.get(role, ()):
        if key in (bare, full):
            return 3
        if bare.startswith(key + " "):
            best = max(best, 2)
        elif len(key) >= 4 and f" {key} " in f" {bare} ":
            best = max(best, 1)
    return best


def match_plan_columns(header: list[str]) -> dict[int, ColumnRole]:
    """Column index → role for the cells of a header row; each role goes to its best column."""
    candidates: list[tuple[int, int, int, ColumnRole]] = []
    for index, cell in enumerate(header):
        title = cell.strip()
        if not title or len(title) > 150:
            continue
        for order, role in enumerate(PLAN_ROLES):
            score = score_title(title, role)
            if score:
                candidates.append((-score, index, order, role))
    mapping: dict[int, ColumnRole] = {}
    taken: set[ColumnRole] = set()
    for _, index, _, role in sorted(candidates):
        if index in mapping or role in taken:
            continue
        mapping[index] = role
        taken.add(role)
    return mapping


def is_plan_header(roles: set[ColumnRole]) -> bool:
    """A plan names at least its measures and either their deadlines or who is responsible."""
    return ColumnRole.MEASURE in roles and bool({ColumnRole.DEADLINE, ColumnRole.RESPONSIBLE} & roles)


# ---- cell text ------------------------------------------------------------------------------------

_BLOCK_TAGS = r"p|div|li|ul|ol|h[1-6]|tr|table|tbody|thead|blockquote|pre|section|article|dd|dt|dl"
_INLINE_TAGS = (
    r"span|b|i|u|s|strong|em|font|a|sup|sub|small|big|strike|del|ins|mark|code|abbr|td|th|col|colgroup"
    r"|o:p|w:[a-z]+|v:[a-z]+|label|nobr|wbr|img|hr|caption|center"
)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^<>]*>", re.IGNORECASE)
_INLINE = re.compile(rf"</?(?:{_INLINE_TAGS})\b[^<>]*>", re.IGNORECASE)
_INVISIBLE = re.compile("[\u200b\ufeff\xad\u200e\u200f]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\u2028\u2029\x85]")


def clean_cell(text: str) -> str:
    """Cell text as a person reads it: HTML remnants gone, each line stripped, empty lines dropped."""
    if not text:
        return ""
    if "<" in text:
        text = _BR.sub("\n", text)
        text = _BLOCK.sub("\n", text)
        text = _INLINE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = _LINE_BREAKS.sub("\n", _INVISIBLE.sub("", text)).replace("\xa0", " ").replace("\t", " ")
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """A title on one line: «Сроки\\nисполнения» → «Сроки исполнения»."""
    return " ".join(clean_cell(text).split())


# ---- what a reader hands to the interpreter -------------------------------------------------------


@dataclass(slots=True)
class TextBlock:
    """A paragraph outside tables; '' is an empty line (it separates the title from the text above)."""

    text: str
    line: int = 0  # 1-based line or paragraph number in the source
    bold: bool = False


@dataclass(slots=True)
class RawTable:
    """A table as cell strings, for the interpreter or for mapping its columns by hand."""

    rows: list[list[str]]
    row_numbers: list[int]  # 1-based line/row of each row in the source, for messages
    title: str = ""  # the paragraphs right above the table, as a plan title
    source_name: str = ""
    index: int = 0  # 1-based number of the table in the document
    sheet: str = ""  # the worksheet's name, for a workbook
    section_rows: set[int] = field(default_factory=set)  # rows that are one cell across the table
    notes: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, message) warnings
    nested: list[RawTable] = field(default_factory=list)  # tables found inside its cells


DocumentBlock = TextBlock | RawTable
