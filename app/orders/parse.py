"""Reading an existing order (приказ, распоряжение) or an outgoing letter back into plain structures.

The office has years of orders in Word, or as text extracted from Word (the seeds' format: one
paragraph a line, table cells separated by tabs, «**» around bold lines). This module reads one
document into a `ParsedOrder`: the requisites (letterhead, kind, date, number, place, title), the
preamble, the numbered points with their sub-points, addressees and «Срок:» lines, the control
point, the signature, the distribution list, and the appendices with their stamps, titles and
content (plans through `app.importing.plan_parse`, school lists, working groups, partnerships,
monitoring criteria, free text). Nothing here writes anywhere; nothing here needs Qt.

    parse_order_text(text, name)    the seeds' tab-separated text (a paste of text/plain from Word)
    parse_order_file(path)          .docx, .txt/.tsv, .html by the file's real signature; .doc, .rtf,
                                    .pdf, workbooks and damaged files raise ImportFileError

The plans are found by the plan reader over the whole document (`plan_parse.assemble`), so an
appendix's plans are exactly what `plan_parse.parse_text` gives for the same file. The rest is
read line by line with the heuristics below; what cannot be read becomes a Russian warning naming
the file and the line («Файл «003.txt», строки 26, 27, 28: …»).

Heuristics (the seeds are their specification):
  * kind: a line that is only «ПРИКАЗ» / «РАСПОРЯЖЕНИЕ» (spaced letters «П Р И К А З» too) among the
    first 40 lines; without it, a document with a date and number line («от … № …») is a letter
    (an order when a directive word «приказываю» follows). Neither of the two → ImportFileError:
    a file with no order in it (a letter to a friend, a bare plan) is refused, not half-read.
  * requisites: the lines right after the kind: date («27 августа 2020 года», «10.09.2020г»,
    «15.01. 2021»), number («№ 01-10/142-2», on the date line or its own), place («с.Пономаревка»).
  * title: the next block of lines if it starts with «О»/«Об» or is bold; printed lines kept («\\n»).
  * directive: a line «ПРИКАЗЫВАЮ:», or the word ending the preamble's last paragraph («…
    перспективу приказываю:»), split off; none when the preamble runs straight into «1.» (seed 000).
  * points: «1. …», «- 2.1 …», «2.3 …», nested by the depth of the number under the latest point
    with the parent number (seed 003 numbers «2.» twice: the 2.x go under the second); «1)» lines
    under a «N.» point are its sub-points. «Срок: …» and «Ответственный: …» lines fill the current
    point; a line starting in lower case continues its text after a space (a page break split the
    sentence), other lines after a line break.
    A point ending with «:» that has sub-points and opens with a dative («Руководителям …»,
    «Плаксиной И.Н., главному специалисту …») is an addressee with no text of its own.
  * control: the last top-level point starting with «Контроль».
  * signature: the first «И.О. Фамилия» line after the title, the position being the short lines
    right above it (blank lines between allowed); «Разослано: …» and «Исп. …» lines after it.
  * a repeated copy of the order right after the signature (seed 002, a scanned duplicate) is
    skipped with a warning.
  * appendices: each begins at a stamp («Приложение N к приказу … от … №», «УТВЕРЖДЕН …»). With no
    stamp at all (seeds 002, 004) they begin where a plan's title begins and at a title line that
    repeats the first words of what a point approves («Утвердить Мониторинг в рамках …» →
    «Мониторинг в рамках …»); their numbers come from the points' references («(Приложение № 2)»,
    «согласно Приложению 1», «приложению к настоящему приказу» for a single appendix), matched by
    the words of the title, else by order with a warning. All plans after one stamp belong to that
    appendix (seed 000: two plans in appendix 1).
  * letters (seed 001): the first block of lines and any block of address/phone/e-mail lines before
    the date are the letterhead, another block there (or a short block after the date) is the
    addressee; «на … от …» is the reply reference; the body paragraphs go to `preamble`; the line
    «Приложение: на 3 л. в 1 экз.» to `attachments_note`.

Not handled: stamps or signatures laid out in text boxes or side-by-side tables with other text,
points numbered with letters («а)»), appendices referred to by name only when several are unstamped
and the words of their titles do not match any point, acquaintance lists («С приказом ознакомлены»).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from pathlib import Path

from app.importing.errors import ImportFileError
from app.importing.plan_columns import DocumentBlock, RawTable, TextBlock, clean_cell
from app.importing.plan_parse import (
    SIGNATURE,
    STAMP_END,
    STAMP_START,
    ParsedPlan,
    assemble,
    check_cell_sizes,
    read_text_file,
    sniff,
    text_blocks,
    title_from,
)
from app.text import fold

__all__ = [
    "APPENDIX_KINDS",
    "ParsedAppendix",
    "ParsedOrder",
    "ParsedPoint",
    "parse_order_file",
    "parse_order_text",
]

APPENDIX_KINDS = ("plan", "school_list", "working_group", "partnerships", "monitoring_criteria", "text")
MAX_ORDER_CHARS = 3_000_000  # the longest seed is 60 000; a larger «order» is several documents or not one
HEAD_LINES = 40  # the kind, date and number sit in the first lines of page 1
MAX_POSITION_LINES = 4


# ---- the structures -----------------------------------------------------------------------------------


@dataclass
class ParsedPoint:
    number: str  # as printed: «1.», «2.1», «2.1.»
    text: str
    addressee: str = ""  # «Руководителям общеобразовательных организаций» (the colon dropped)
    responsible: str = ""
    deadline: str = ""  # «в течение учебного года», letter for letter
    children: list[ParsedPoint] = field(default_factory=list)
    source: str = field(default="", compare=False, repr=False)  # «строка 25», for messages


@dataclass
class ParsedAppendix:
    number: str  # «1», «2»; '' for a lone «Приложение»
    stamp: list[str]  # the stamp lines exactly as in the document
    title: str  # printed lines joined with «\n»
    kind: str  # one of APPENDIX_KINDS
    plans: list[ParsedPlan] = field(default_factory=list)  # from plan_parse, when kind == "plan"
    paragraphs: list[str] = field(default_factory=list)  # text paragraphs, or the lines of a list
    table_rows: list[list[str]] = field(default_factory=list)  # the main table, or rows read from lines
    tables: list[list[list[str]]] = field(default_factory=list)  # every table that is not a plan
    source: str = field(default="", compare=False, repr=False)  # where the appendix starts

    @property
    def plan(self) -> ParsedPlan | None:
        return self.plans[0] if self.plans else None


@dataclass
class ParsedOrder:
    source_name: str
    kind: str = "order"  # "order" | "directive" | "letter"
    letterhead: list[str] = field(default_factory=list)
    kind_title: str = ""  # as printed: «РАСПОРЯЖЕНИЕ», «П Р И К А З»; '' for a letter
    date: date | None = None
    date_text: str = ""  # as printed: «27 августа 2020 года», «10.09.2020г»
    number: str = ""
    place: str = ""
    addressee: list[str] = field(default_factory=list)  # letters
    reply_to: str = ""  # letters: «на 07-11/2523-20 от 23.11.2020 г.»
    title: str = ""  # printed lines joined with «\n»
    preamble: list[str] = field(default_factory=list)  # for letters: the body paragraphs
    directive: str = ""  # «ПРИКАЗЫВАЮ:», «п р и к а з ы в а ю :»
    points: list[ParsedPoint] = field(default_factory=list)
    control: str = ""
    control_number: str = ""
    signer_position: str = ""  # printed lines joined with «\n»
    signer_name: str = ""
    distribution: str = ""  # «в дело, УУиК, ОО»
    attachments_note: str = ""  # «Приложение: на 3 л. в 1 экз.»
    executor: str = ""  # «Исп. Иванова И.И.» and the phone line under it
    appendices: list[ParsedAppendix] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def plans(self) -> list[ParsedPlan]:
        return [plan for appendix in self.appendices for plan in appendix.plans]


# ---- patterns ---------------------------------------------------------------------------------------

_KINDS = {"приказ": "order", "распоряжение": "directive"}
_MONTHS = {
    "января": 1,
    "февраля": 2,
    "марта": 3,
    "апреля": 4,
    "мая": 5,
    "июня": 6,
    "июля": 7,
    "августа": 8,
    "сентября": 9,
    "октября": 10,
    "ноября": 11,
    "декабря": 12,
}
_YEAR_WORD = r"(?:\s*(?:года|год|г\.?)(?![а-яё]))?"
_DATE = (
    r"(?P<date>[«\"“]?(?P<d1>\d{1,2})[»\"”]?\s+(?P<month>"
    + "|".join(_MONTHS)
    + r")\s+(?P<y1>\d{4})"
    + _YEAR_WORD
    + r"|(?P<d2>\d{1,2})\s*\.\s*(?P<m2>\d{1,2})\s*\.\s*(?P<y2>\d{4}|\d{2})(?!\d)"
    + _YEAR_WORD
    + ")"
)
_DATE_LINE = re.compile(r"^(?:от\s*)?" + _DATE + r"\s*(?:[№N]\s*(?P<number>\S.*))?$", re.IGNORECASE)
# «от «___» ____________ 20___ г.   № ________», «от __________ № ______»: a draft's blank requisites
_BLANK_REQUISITES = re.compile(r"^(?:от\s*)?[«\"]?_{2,}[»\"]?[\s_]*(?:20_*\s*г\.?)?\s*(?:[№N]\s*_*)?$")
_NUMBER_LINE = re.compile(r"^[№N]\s*(?P<number>\S.{0,40})$")
_PLACE = re.compile(
    r"^(?:(?:г|с|п|пгт|рп|р\.п|д|ст|пос|х)\.\s?|(?:город|село|поселок|посёлок|деревня|станица)\s)"
    r"[А-ЯЁ][\w-]*(?:\s[А-ЯЁ][\w-]*){0,2}$"
)
_REPLY = re.compile(r"^на\s+(?:исх\.?\s*)?(?:№\s*)?\S+.*\sот\s+[«\"]?\d", re.IGNORECASE)
_REPLY_INSIDE = re.compile(r"\s+(?=на\s+(?:исх\.?\s*)?(?:№\s*)?\S+.*\sот\s+[«\"]?\d)", re.IGNORECASE)
_CONTACT = re.compile(
    r"(?:^|\s)\d{6}(?:,|\s)|тел\.?\s*[:.]?|факс|e-?mail|эл\.\s*почта|https?://|www\.|\bул\.|\bпр-т\b"
    r"|\bинн\b|\bогрн\b|\bокпо\b|@",
    re.IGNORECASE,
)


def _spaced(word: str) -> str:
    return r"\s*".join(word)


_DIRECTIVE_WORDS = "|".join(
    _spaced(w) for w in ("приказываю", "постановляю", "распоряжаюсь", "обязываю", "предлагаю", "решил")
)
_DIRECTIVE_FULL = re.compile(rf"^(?:{_DIRECTIVE_WORDS})\s*:?$", re.IGNORECASE)
_DIRECTIVE_TAIL = re.compile(rf"^(?P<pre>.*\S)\s+(?P<d>(?:{_DIRECTIVE_WORDS})\s*:)$", re.IGNORECASE)
_DIRECTIVE_HEAD = re.compile(rf"^(?P<d>(?:{_DIRECTIVE_WORDS})\s*:)\s+(?P<rest>\S.*)$", re.IGNORECASE)
_PREAMBLE_START = re.compile(
    r"^(?:в\s+целях|в\s+соответствии|на\s+основании|во\s+исполнение|с\s+целью|руководствуясь|в\s+связи"
    r"|согласно|по\s+результатам|в\s+рамках|для\s+)",
    re.IGNORECASE,
)
_TITLE_START = re.compile(r"^(?:о|об)\s", re.IGNORECASE)

_POINT = re.compile(
    r"^(?:[-–—•]\s*)?(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<end>[.)])?(?:\s+|(?<=[.)])(?=[«\"А-ЯЁ]))(?P<text>\S.*)$"
)
_POINT_ALONE = re.compile(r"^(?:[-–—•]\s*)?(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<end>[.)])$")
_DEADLINE = re.compile(
    r"^срок(?:и)?(?:\s+(?:исполнения|выполнения|реализации))?\s*[:\-–—]\s*(?P<v>\S.*)$", re.IGNORECASE
)
_RESPONSIBLE = re.compile(
    r"^ответственн(?:ый|ая|ые|ое)(?:\s+исполнител\w*)?(?:\s+за\s+исполнение)?\s*[:\-–—]\s*(?P<v>\S.*)$",
    re.IGNORECASE,
)
_ATTACHMENTS = re.compile(r"^приложени[ея]\s*:", re.IGNORECASE)
_DISTRIBUTION = re.compile(r"^(?:разослано|рассылка|разослать|направлено)\s*[:\-–—]?\s*(?P<v>.*)$", re.I)
_EXECUTOR = re.compile(r"^(?:исп\.|исп\s|исполнитель\b)", re.IGNORECASE)
_PHONE = re.compile(r"^(?:тел\.?|т\.)\s*[:.]?\s*[\d(+]|^[\d\s()+-]{6,}$", re.IGNORECASE)
_NAME = r"(?:[А-ЯЁ]\.\s?){1,2}[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_SIGNED_LINE = re.compile(
    r"^(?P<pos>(?i:и\.\s?о\.|врио|начальник|председател|заведующ|директор|глав|заместител|руководител"
    r"|министр|ректор|управляющ|исполняющ)[^;:]{0,150}?)\s+(?P<name>" + _NAME + ")$"
)
_STAMP_LINK = re.compile(
    r"\bк\s+(?:приказу|распоряжению|письму|постановлению|решению)|\b(?:приказом|распоряжением|постановлением)\b",
    re.IGNORECASE,
)
_STAMP_NUMBER = re.compile(r"^приложение\s*(?:№\s*)?(\d{1,3})\b", re.IGNORECASE)
_REFERENCE = re.compile(r"приложени[еяюиём]\w*\s*(?:№\s*)?(\d{1,3})?", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[-–—•·*▪●]\s|\d{1,3}[.)]\s)")
_SEPARATOR = re.compile(r"^[-=_\s]+$")
_PERSON = re.compile(
    r"^(?:\d{1,3}[.)]\s*)?(?P<name>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+(?:[А-ЯЁ]\.\s?){1,2}|"
    + _NAME
    + r"|[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+)\s*[-–—,]\s*(?P<rest>\S.*)$"
)
_ROLE_TAIL = re.compile(
    r",\s*(?P<role>(?:председатель|заместитель\s+председателя|секретарь|член)[^,]*)$", re.IGNORECASE
)
_ROLE_HEADING = re.compile(
    r"^(?P<role>председатель|заместитель\s+председателя|секретарь|члены?)(?:\s+рабочей\s+группы)?\s*:$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[а-яёa-z]{3,}", re.IGNORECASE)
_INFINITIVE = ("ть", "ться", "чь", "ти")
_DATIVE = ("ям", "ам", "им", "ым", "ому", "ему", "ой", "ей", "у", "ю")


def _stems(text: str) -> list[str]:
    """Crude stems for comparing titles: the first four letters of every word of three or more."""
    return [fold(word)[:4] for word in _WORD.findall(text)]


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip("«\"'(*– -")
    return bool(stripped) and stripped[0].islower()


def _kind_of(text: str) -> str:
    return _KINDS.get("".join(text.split()).casefold(), "")


def _is_addressee(text: str) -> bool:
    """«Руководителям ОО:», «Плаксиной И.Н., главному специалисту …:», not «Утвердить:»."""
    words = text.split()
    if not words:
        return False
    first = fold(words[0].strip('«",.:'))
    if first.endswith(_INFINITIVE):
        return False
    return first.endswith(_DATIVE) or bool(re.match(r"^[А-ЯЁ][а-яё]+\s+(?:[А-ЯЁ]\.\s?){1,2}", text))


def _date_of(match: re.Match[str]) -> date | None:
    try:
        if match["d1"]:
            return date(int(match["y1"]), _MONTHS[match["month"].casefold()], int(match["d1"]))
        year = int(match["y2"])
        return date(year + 2000 if year < 100 else year, int(match["m2"]), int(match["d2"]))
    except ValueError:
        return None


# ---- lines and tables in document order -----------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str  # whitespace collapsed, «**» removed
    bold: bool
    where: str  # «строка 12», «абзац 5», «таблица 2, строка 1»
    para: int  # the lines of one paragraph (a docx paragraph with line breaks) share it
    item: int  # the index of the block it comes from


@dataclass(slots=True)
class _Table:
    table: RawTable
    plans: list[ParsedPlan]
    item: int
    where: str


_Item = _Line | _Table


def _clean_rows(table: RawTable) -> list[list[str]]:
    """Cells as a person reads them; empty and separator rows dropped, empty right columns trimmed."""
    rows = [[clean_cell(cell.replace("**", "")) for cell in row] for row in table.rows]
    rows = [row for row in rows if any(row) and not all(_SEPARATOR.match(c) for c in row if c)]
    width = max((max(i for i, c in enumerate(row) if c) + 1 for row in rows), default=0)
    return [row[:width] + [""] * (width - len(row)) for row in rows]


def _range(lines: Sequence[_Line]) -> str:
    """«строка 5», «строки 29–51», «строки 26, 27, 28» for the lines a message is about."""
    wheres = [line.where for line in lines]
    if not wheres:
        return ""
    if len(wheres) == 1:
        return wheres[0]
    unit = wheres[0].rsplit(" ", 1)[0]
    numbers = [w.rsplit(" ", 1)[-1] for w in wheres]
    plural = {"строка": "строки", "абзац": "абзацы"}.get(unit, unit)
    if all(w.rsplit(" ", 1)[0] == unit for w in wheres) and len(wheres) > 3:
        return f"{plural} {numbers[0]}–{numbers[-1]}"
    if all(w.rsplit(" ", 1)[0] == unit for w in wheres):
        return f"{plural} {', '.join(numbers)}"
    return ", ".join(wheres)


def _paragraphs(lines: Sequence[_Line]) -> list[str]:
    """Paragraphs of text: a bold block or a docx paragraph keeps its printed lines; a line starting
    in lower case continues the paragraph before it (a page break split it), even across a blank."""
    out: list[list[str]] = []
    previous: _Line | None = None
    gap = False
    for line in lines:
        if not line.text:
            gap = True
            continue
        if out and previous is not None:
            if (previous.bold and line.bold and not gap) or line.para == previous.para:
                out[-1] += ["\n", line.text]
            elif _starts_lower(line.text) and previous.text[-1] not in ":;":
                out[-1] += [" ", line.text]
            else:
                out.append([line.text])
        else:
            out.append([line.text])
        previous, gap = line, False
    return ["".join(parts) for parts in out]


# ---- points -----------------------------------------------------------------------------------------


@dataclass
class _Draft:
    number: str
    parts: list[str]
    source: str
    depth: int
    path: tuple[str, ...]
    deadline: str = ""
    responsible: str = ""
    children: list[_Draft] = field(default_factory=list)
    parts_at_deadline: int = 0  # how much text the point had when its «Срок:» line came

    def split_by_deadline(self) -> bool:
        """A «Срок:» line fell inside this point's sentence: the text went on in lower case after it."""
        return len(self.parts) > self.parts_at_deadline > 0 and self.parts[self.parts_at_deadline] == " "

    def add(self, text: str) -> None:
        if not self.parts:
            self.parts.append(text)
        elif _starts_lower(text):
            self.parts += [" ", text]
        else:
            self.parts += ["\n", text]

    def point(self) -> ParsedPoint:
        text = "".join(self.parts)
        children = [child.point() for child in self.children]
        addressee = ""
        if children and text.endswith(":") and "\n" not in text and _is_addressee(text):
            addressee, text = text[:-1].rstrip(), ""
        return ParsedPoint(
            self.number, text, addressee, self.responsible, self.deadline, children, self.source
        )


# ---- the reader -------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, source_name: str, unit: str) -> None:
        self.name = source_name
        self.unit = unit  # «строка» (text) or «абзац» (docx, html)
        self.order = ParsedOrder(source_name)
        self.ids = count(-1, -1)  # paragraph ids for table cells (positive ids are source paragraphs)

    def warn(self, lines: Sequence[_Line], message: str) -> None:
        where = _range(lines)
        self.order.warnings.append(f"Файл «{self.name}»{', ' + where if where else ''}: {message}")

    # -- items

    def items(self, blocks: Sequence[DocumentBlock], plans: Sequence[ParsedPlan]) -> list[_Item]:
        by_table: dict[int, list[ParsedPlan]] = {}
        for plan in plans:
            by_table.setdefault(plan.table_index, []).append(plan)
        out: list[_Item] = []
        bold_open = False  # «**» opens on one line of the seeds' text and closes lines later
        for index, block in enumerate(blocks):
            if isinstance(block, TextBlock):
                text, bold = block.text, block.bold
                if "**" in text:
                    bold = bold or bold_open or text.lstrip().startswith("**")
                    if text.count("**") % 2:
                        bold_open = not bold_open
                    text = text.replace("**", "")
                else:
                    bold = bold or bold_open
                text = " ".join(text.split())
                out.append(_Line(text, bold and bool(text), f"{self.unit} {block.line}", block.line, index))
            else:
                found = [
                    p for i in (block.index, *(n.index for n in block.nested)) for p in by_table.get(i, [])
                ]
                out.append(_Table(block, found, index, f"таблица {block.index}"))
        return out

    def flatten(self, table: _Table) -> list[_Line]:
        """A small table in the order's text (date and number side by side, the signature) as lines."""
        lines: list[_Line] = []
        for r, row in enumerate(table.table.rows):
            number = table.table.row_numbers[r] if r < len(table.table.row_numbers) else r + 1
            for cell in row:
                para = next(self.ids)
                for piece in clean_cell(cell.replace("**", "")).split("\n"):
                    piece = " ".join(piece.split())
                    if piece:
                        where = f"таблица {table.table.index}, строка {number}"
                        lines.append(_Line(piece, False, where, para, table.item))
        return lines

    # -- the whole document

    def read(self, blocks: list[DocumentBlock]) -> ParsedOrder:
        try:
            plans = assemble(blocks, self.name).plans
        except ImportFileError:  # no table, or no plan among them
            plans = []
        items = self.items(blocks, plans)
        zone_end = next(
            (
                k
                for k, item in enumerate(items)
                if (isinstance(item, _Table) and item.plans)
                or (isinstance(item, _Line) and _stamp_at(items, k))
            ),
            len(items),
        )
        lines: list[_Line] = []
        for item in items[:zone_end]:
            lines.extend(self.flatten(item) if isinstance(item, _Table) else [item])
        end = self.read_order(lines)
        if end < len(lines):
            part_start = lines[end].item
            if lines[end - 1].item == part_start:  # a table read half: go on after it
                part_start += 1
        else:
            part_start = zone_end
        part_start = self.skip_copy(items, part_start, lines)
        self.read_appendices(items[part_start:])
        return self.order

    # -- the order's own text

    def read_order(self, lines: list[_Line]) -> int:
        """Fill the requisites, preamble, points and signature; return the index of the first line
        after the order (its signature, distribution and executor lines)."""
        order = self.order
        filled = [i for i, line in enumerate(lines) if line.text]
        head = filled[:HEAD_LINES]
        kind_at = next((i for i in head if _kind_of(lines[i].text)), None)
        # a letter's date line carries its number («от 15.01. 2021 № 103»): a bare date is not enough
        date_at = next(
            (i for i in head if (m := _DATE_LINE.match(lines[i].text)) and m["number"]),
            None,
        )
        directive_near = any(
            _DIRECTIVE_FULL.match(lines[i].text) or _DIRECTIVE_TAIL.match(lines[i].text) for i in filled[:80]
        )
        if kind_at is None and date_at is None:
            raise ImportFileError(
                f"В файле «{self.name}» не найден текст приказа, распоряжения или письма: в начале документа "
                "нет ни названия вида документа («ПРИКАЗ», «РАСПОРЯЖЕНИЕ»), ни даты с номером "
                "(«от 01.09.2023 № 45»). Откройте документ и проверьте, что это приказ."
            )
        if kind_at is not None:
            order.kind_title = lines[kind_at].text
            order.kind = _KINDS["".join(order.kind_title.split()).casefold()]
            body = self.requisites_of_order(lines, kind_at)
            body = self.title(lines, body)
        elif directive_near:
            order.kind = "order"
            self.warn([lines[date_at]], "не найдено название вида документа («ПРИКАЗ», «РАСПОРЯЖЕНИЕ»).")
            order.letterhead = [lines[i].text for i in filled if i < date_at]
            self.requisite(lines[date_at])
            body = self.title(lines, date_at + 1)
        else:
            order.kind = "letter"
            body = self.requisites_of_letter(lines, date_at)
        name_at, position_at = self.signature(lines, body)
        stop = position_at if name_at is not None else len(lines)
        if order.kind == "letter":
            self.letter_body(lines[body:stop])
        else:
            self.order_body(lines, body, stop)
        if name_at is None:
            self.warn(lines[body : body + 1], "не найдена подпись («И.О. Фамилия» под должностью).")
            return len(lines)
        return self.tail(lines, name_at + 1)

    def requisite(self, line: _Line) -> bool:
        """Date, number, place or reply reference; True when the line was one of them."""
        order, text = self.order, line.text
        match = _DATE_LINE.match(text)
        if match and not order.date_text:
            order.date_text = match["date"]
            order.date = _date_of(match)
            if order.date is None:
                self.warn([line], f"дата «{order.date_text}» не существует.")
            number = match["number"] or ""
            if number:
                parts = _REPLY_INSIDE.split(number, maxsplit=1)
                order.number = parts[0].strip()
                if len(parts) > 1:
                    order.reply_to = parts[1].strip()
            return True
        if _BLANK_REQUISITES.match(text):  # a draft printed with blanks to fill in by hand
            return True
        match = _NUMBER_LINE.match(text)
        if match and not order.number:
            order.number = match["number"].strip()
            return True
        if _PLACE.match(text) and len(text) <= 50 and not order.place:
            order.place = text
            return True
        if _REPLY.match(text) and not order.reply_to:
            order.reply_to = text
            return True
        return False

    def requisites_of_order(self, lines: list[_Line], kind_at: int) -> int:
        self.order.letterhead = [
            line.text for line in lines[:kind_at] if line.text and not self.requisite(line)
        ]
        i = kind_at + 1
        while i < len(lines) and (not lines[i].text or self.requisite(lines[i])):
            i += 1
        if not self.order.date_text:
            self.warn(lines[kind_at : kind_at + 1], "не найдена дата документа.")
        if not self.order.number:
            self.warn(lines[kind_at : kind_at + 1], "не найден номер документа.")
        return i

    def requisites_of_letter(self, lines: list[_Line], date_at: int) -> int:
        """Letterhead and addressee before the date (seed 001), reply reference and addressee after it."""
        order = self.order
        groups: list[list[_Line]] = [[]]
        for line in lines[:date_at]:
            if line.text:
                groups[-1].append(line)
            elif groups[-1]:
                groups.append([])
        groups = [g for g in groups if g]
        for number, group in enumerate(groups):
            if number == 0 or all(_CONTACT.search(line.text) for line in group):
                order.letterhead += [line.text for line in group]
            else:
                order.addressee += [line.text for line in group]
        self.requisite(lines[date_at])
        i = date_at + 1
        while i < len(lines):
            line = lines[i]
            if not line.text or self.requisite(line):
                i += 1
                continue
            block = []
            j = i
            while j < len(lines) and lines[j].text:
                block.append(lines[j])
                j += 1
            short = all(len(b.text) <= 80 and b.text[-1] not in ".!?" for b in block) and len(block) <= 6
            if _TITLE_START.match(line.text) and not order.title and len(line.text) <= 300:
                order.title = "\n".join(b.text for b in block)
                i = j
            elif short and not order.addressee and not order.title and line.text[0].isupper():
                order.addressee = [b.text for b in block]
                i = j
            else:
                break
        return i

    def title(self, lines: list[_Line], start: int) -> int:
        """The title block (bold, or starting with «О»/«Об»); returns where the preamble begins."""
        i = start
        while i < len(lines) and not lines[i].text:
            i += 1
        if i >= len(lines):
            return i
        first = lines[i]
        if not (first.bold or _TITLE_START.match(first.text)) or _POINT.match(first.text):
            self.warn([first], "не найден заголовок документа («Об утверждении …»).")
            return i
        block = [first]
        j = i + 1
        while j < len(lines) and lines[j].text:
            line = lines[j]
            if first.bold and not line.bold:
                break
            if (
                _PREAMBLE_START.match(line.text)
                or _DIRECTIVE_FULL.match(line.text)
                or _POINT.match(line.text)
            ):
                break
            if not first.bold and len(line.text) > 250:
                break
            block.append(line)
            j += 1
        self.order.title = "\n".join(line.text for line in block)
        return j

    def signature(self, lines: list[_Line], start: int) -> tuple[int | None, int]:
        """The index of the name line and of the first position line above it."""
        for i in range(start, len(lines)):
            text = lines[i].text
            if not text or len(text) > 200:
                continue
            if SIGNATURE.match(text):
                position: list[int] = []
                k = i - 1
                while k >= start and not lines[k].text:
                    k -= 1
                while k >= start and len(position) < MAX_POSITION_LINES:
                    above = lines[k].text
                    if (
                        not above
                        or len(above) > 120
                        or above[-1] in ".,;:!"
                        or _POINT.match(above)
                        or _DEADLINE.match(above)
                        or _ATTACHMENTS.match(above)
                    ):
                        break
                    position.insert(0, k)
                    k -= 1
                self.order.signer_name = text
                self.order.signer_position = "\n".join(lines[p].text for p in position)
                if not position:
                    self.warn([lines[i]], "над подписью не найдена должность подписавшего.")
                return i, position[0] if position else i
            match = _SIGNED_LINE.match(text)
            if match and not _POINT.match(text):
                self.order.signer_position = match["pos"]
                self.order.signer_name = match["name"]
                return i, i
        return None, len(lines)

    def tail(self, lines: list[_Line], start: int) -> int:
        order = self.order
        executor: list[str] = []
        i = start
        while i < len(lines):
            text = lines[i].text
            if not text:
                i += 1
                continue
            match = _DISTRIBUTION.match(text)
            if match and not order.distribution:
                order.distribution = match["v"]
            elif _EXECUTOR.match(text) or (executor and _PHONE.match(text)):
                executor.append(text)
            elif _ATTACHMENTS.match(text) and not order.attachments_note:
                order.attachments_note = text
            else:
                break
            i += 1
        order.executor = "\n".join(executor)
        return i

    # -- the body

    def letter_body(self, lines: list[_Line]) -> None:
        kept = []
        for line in lines:
            if _ATTACHMENTS.match(line.text) and not self.order.attachments_note:
                self.order.attachments_note = line.text
            else:
                kept.append(line)
        self.order.preamble = _paragraphs(kept)

    def order_body(self, lines: list[_Line], start: int, stop: int) -> None:
        order = self.order
        directive_at, first_point = None, None
        rest: list[_Line] = []
        for i in range(start, stop):
            text = lines[i].text
            if not text:
                continue
            if _point_match(text) is not None:
                first_point = i
                break
            if _DIRECTIVE_FULL.match(text):
                directive_at, order.directive = i, text
                break
            match = _DIRECTIVE_TAIL.match(text)
            if match:
                directive_at, order.directive = i, match["d"]
                rest = [_Line(match["pre"], lines[i].bold, lines[i].where, lines[i].para, lines[i].item)]
                break
            match = _DIRECTIVE_HEAD.match(text)
            if match:
                directive_at, order.directive = i, match["d"]
                after = _Line(match["rest"], lines[i].bold, lines[i].where, lines[i].para, lines[i].item)
                order.preamble = _paragraphs(lines[start:i])
                self.points([after, *lines[i + 1 : stop]])
                return
        if directive_at is not None:
            order.preamble = _paragraphs([*lines[start:directive_at], *rest])
            self.points(lines[directive_at + 1 : stop])
        elif first_point is not None:
            order.preamble = _paragraphs(lines[start:first_point])
            self.points(lines[first_point:stop])
        else:
            order.preamble = _paragraphs(lines[start:stop])
            self.warn(lines[start : start + 1], "не найдены пункты распорядительной части («1. …»).")

    def points(self, lines: Sequence[_Line]) -> None:
        order = self.order
        top: list[_Draft] = []
        recent: list[_Draft] = []  # every point so far, for finding a sub-point's parent
        current: _Draft | None = None
        loose: list[_Line] = []
        for line in lines:
            text = line.text
            if not text:
                continue
            match = _DEADLINE.match(text)
            if match and current is not None:
                value = match["v"].strip()
                previous = recent[-2] if len(recent) >= 2 else None
                if (
                    current.deadline
                    and current.split_by_deadline()
                    and previous is not None
                    and previous.depth == current.depth
                    and not previous.deadline
                ):
                    # seed 003: a page broke the text so that the point before's «Срок:» line fell
                    # inside this point's sentence; each point keeps its own
                    previous.deadline, current.deadline = current.deadline, value
                    continue
                if current.deadline and current.deadline != value:
                    self.warn([line], f"у пункта {current.number} два срока; записаны оба.")
                    current.deadline = f"{current.deadline}; {value}"
                else:
                    current.deadline = value
                    current.parts_at_deadline = len(current.parts)
                continue
            match = _RESPONSIBLE.match(text)
            if match and current is not None:
                current.responsible = match["v"].strip()
                continue
            if _ATTACHMENTS.match(text) and not order.attachments_note:
                order.attachments_note = text
                continue
            found = _point_match(text)
            if found is not None:
                num, end, body = found
                path = tuple(num.split("."))
                bare_top = len(path) == 1 and not end
                expected = (int(top[-1].path[0]) + 1) if top and top[-1].path[0].isdigit() else 1
                if not (bare_top and int(num) != expected):
                    draft = _Draft(num + end, [body] if body else [], line.where, len(path), path)
                    self.attach(draft, top, recent, end == ")")
                    recent.append(draft)
                    current = draft
                    continue
            if current is None:
                loose.append(line)
            else:
                current.add(text)
        if loose:
            order.preamble += _paragraphs(loose)
        points = [draft.point() for draft in top]
        for index in range(len(points) - 1, -1, -1):
            if fold(points[index].text).startswith("контрол"):
                control = points.pop(index)
                order.control, order.control_number = control.text, control.number
                break
        order.points = points

    @staticmethod
    def attach(draft: _Draft, top: list[_Draft], recent: list[_Draft], bracket: bool) -> None:
        """Nest «2.1» under the latest «2.» (seed 003 has two), «1)» under the point it lists in."""
        if draft.depth == 1 and bracket and top and top[-1].number.endswith("."):
            top[-1].children.append(draft)
            return
        if draft.depth == 1:
            top.append(draft)
            return
        parent = next((p for p in reversed(recent) if p.path == draft.path[:-1]), None)
        if parent is None:
            parent = next((p for p in reversed(recent) if p.depth < draft.depth), None)
        if parent is None:
            top.append(draft)
        else:
            parent.children.append(draft)

    # -- a repeated copy of the order (a scanned duplicate, seed 002)

    def skip_copy(self, items: list[_Item], start: int, lines: list[_Line]) -> int:
        name = self.order.signer_name
        original = [line.text for line in lines if line.text]
        if name in original:
            original = original[: original.index(name) + 1]
        first = next((k for k in range(start, len(items)) if not _blank(items[k])), None)
        if first is None or not isinstance(items[first], _Line) or len(original) < 4:
            return start
        try:
            offset = original[:10].index(items[first].text)
        except ValueError:
            return start
        matched: list[_Line] = []
        k, position = first, offset
        while k < len(items) and position < len(original):
            item = items[k]
            if isinstance(item, _Table):
                break
            if item.text:
                if item.text != original[position]:
                    break
                matched.append(item)
                position += 1
            k += 1
        kind_line = self.order.kind_title or self.order.date_text
        if len(matched) < 4 or not any(kind_line in line.text for line in matched):
            return start
        self.warn(
            matched,
            "текст приказа напечатан повторно (копия того же приказа); повтор пропущен.",
        )
        k = matched[-1].item + 1
        while k < len(items):  # the copy's own distribution list
            line = items[k]
            if not isinstance(line, _Line) or (
                line.text and not (_DISTRIBUTION.match(line.text) or _EXECUTOR.match(line.text))
            ):
                break
            k += 1
        return k

    # -- appendices

    def read_appendices(self, part: list[_Item]) -> None:
        part = self.cut_next_document(part)
        if all(_blank(item) for item in part):
            self.check_references()
            return
        stamps = [k for k, item in enumerate(part) if isinstance(item, _Line) and _stamp_at(part, k)]
        if stamps:
            segments = []
            if any(not _blank(item) for item in part[: stamps[0]]):
                segments.append((part[: stamps[0]], False))
            bounds = [*stamps, len(part)]
            segments += [(part[bounds[i] : bounds[i + 1]], True) for i in range(len(stamps))]
        else:
            bounds = sorted(self.unstamped_starts(part))
            bounds.append(len(part))
            segments = [(part[bounds[i] : bounds[i + 1]], False) for i in range(len(bounds) - 1)]
        appendices = [self.appendix(segment, stamped) for segment, stamped in segments]
        self.order.appendices = [a for a in appendices if a is not None]
        self.number_unstamped()
        self.check_references()

    def cut_next_document(self, part: list[_Item]) -> list[_Item]:
        """Two documents in one file (pasted one after the other): a second «ПРИКАЗ» or
        «РАСПОРЯЖЕНИЕ» line after the signature starts another document, with its letterhead just
        above it. Only the first is read, and the user is told, rather than the second becoming an
        appendix of the first."""
        kind_at = next(
            (
                k
                for k, item in enumerate(part)
                if isinstance(item, _Line) and item.text and _kind_of(item.text)
            ),
            None,
        )
        if kind_at is None:
            return part
        start = kind_at
        lines_above = 0
        while start > 0 and isinstance(part[start - 1], _Line) and lines_above < 8:
            start -= 1
            lines_above += 1
            if _blank(part[start]) and start > 0 and _blank(part[start - 1]):
                break
        while start < kind_at and _blank(part[start]):
            start += 1
        line = part[kind_at]
        assert isinstance(line, _Line)
        self.warn(
            [line],
            f"после подписи начинается другой документ («{line.text}»): загружен только первый; "
            "второй сохраните в отдельный файл и загрузите отдельно.",
        )
        return part[:start]

    def unstamped_starts(self, part: list[_Item]) -> set[int]:
        """Where appendices begin when none is stamped: at the part's start, at each plan's title,
        and at a title line repeating the first words of what a point approves."""
        first = next(k for k, item in enumerate(part) if not _blank(item))
        starts = {first}
        previous = 0
        for k, item in enumerate(part):
            if isinstance(item, _Table):
                if item.plans:
                    starts.add(_title_start(part, previous, k))
                previous = k + 1
        for wanted in self.approved_objects():
            size = min(3, len(wanted))
            if size < 2:
                continue
            for k in range(first + 1, len(part)):
                item = part[k]
                if not isinstance(item, _Line) or not _title_like(item.text):
                    continue
                if not _blank(part[k - 1]) and not (
                    isinstance(part[k - 1], _Line) and part[k - 1].bold != item.bold
                ):
                    continue
                if _stems(item.text)[:size] == wanted[:size]:
                    starts.add(k)
                    break
        return starts

    def approved_objects(self) -> list[list[str]]:
        return [_object_stems(point.text) for point in self.order.points if _object_stems(point.text)]

    def appendix(self, segment: list[_Item], stamped: bool) -> ParsedAppendix | None:
        start = next((k for k, item in enumerate(segment) if not _blank(item)), None)
        if start is None:
            return None
        where = segment[start].where
        stamp: list[str] = []
        number = ""
        body_start = start
        if stamped:
            body_start = _stamp_end(segment, start)
            stamp = [it.text for it in segment[start:body_start] if isinstance(it, _Line) and it.text]
            for line in stamp:
                match = _STAMP_NUMBER.match(line)
                if match:
                    number = match[1]
                    break
        body = segment[body_start:]
        plans: list[ParsedPlan] = []
        tables: list[list[list[str]]] = []
        headers: list[str] = []
        title_lines: set[int] = set()
        title = ""
        previous = 0
        for k, item in enumerate(body):
            if not isinstance(item, _Table):
                continue
            if item.plans:
                region = _title_start(body, previous, k)
                region_lines = [
                    (i, line) for i, line in enumerate(body[region:k], region) if isinstance(line, _Line)
                ]
                if not plans and not title:
                    title = "\n".join(line.text for _, line in region_lines if line.text)
                title_lines.update(i for i, _ in region_lines)
                plans.extend(item.plans)
            else:
                rows = _clean_rows(item.table)
                if rows:
                    tables.append(rows)
                    headers.append(" ".join(rows[0]))
            previous = k + 1
        lines = [item for i, item in enumerate(body) if isinstance(item, _Line) and i not in title_lines]
        if not plans:
            title_block, after = _title_block(lines)
            title = "\n".join(line.text for line in title_block)
            lines = lines[after:]
        kind = _appendix_kind(title, headers, plans)
        appendix = ParsedAppendix(number, stamp, title, kind, plans, tables=tables, source=where)
        if tables:
            appendix.table_rows = max(tables, key=len)
        if kind in ("school_list", "working_group", "partnerships"):
            appendix.paragraphs = [line.text for line in lines if line.text]
            if not tables:
                appendix.table_rows = _rows_from_lines(kind, appendix.paragraphs, self.name)
        else:
            appendix.paragraphs = _paragraphs(lines)
        return appendix

    def number_unstamped(self) -> None:
        """Numbers for appendices without «Приложение N» (no stamp, or «УТВЕРЖДЕН приказом …»): the
        reference in the point that approves them, else the first free number, with a warning."""
        appendices = self.order.appendices
        loose = [
            i
            for i, a in enumerate(appendices)
            if not a.number and not (a.stamp and fold(a.stamp[0]).startswith("приложение"))
        ]
        if not loose:
            return
        candidates = [p for p in self.order.points if p.text]
        scores = []
        for i in loose:
            for j, point in enumerate(candidates):
                score = _match_score(appendices[i], point.text)
                if score >= 3:
                    scores.append((score, -i, -j, i, j))
        assigned: dict[int, ParsedPoint] = {}
        used_points: set[int] = set()
        for _, _, _, i, j in sorted(scores, reverse=True):
            if i not in assigned and j not in used_points:
                assigned[i] = candidates[j]
                used_points.add(j)
        taken = {a.number for a in appendices if a.number}
        numbered_refs = [n for p in self.order.points for n in _references(p) if n]
        for i in loose:
            point = assigned.get(i)
            refs = [n for n in _references(point) if n] if point is not None else []
            if refs:
                appendices[i].number = refs[0]
                taken.add(refs[0])
        for i in loose:
            appendix = appendices[i]
            if appendix.number:
                continue
            if len(appendices) == 1 and not numbered_refs:
                appendix.number = ""  # «согласно приложению к настоящему приказу»: the only one
                continue
            guess = 1
            while str(guess) in taken:
                guess += 1
            appendix.number = str(guess)
            taken.add(appendix.number)
            first_line = appendix.title.split("\n", 1)[0] or appendix.kind
            self.order.warnings.append(
                f"Файл «{self.name}», {appendix.source}: у приложения «{first_line}» нет отметки «Приложение N "
                f"к приказу …», и пункты приказа не называют его номер; присвоен номер {guess} по порядку."
            )

    def check_references(self) -> None:
        have = {a.number for a in self.order.appendices}
        missing: dict[str, list[str]] = {}
        for point in _walk(self.order.points):
            for number in _references(point):
                if number and number not in have:
                    missing.setdefault(number, [])
                    if point.source not in missing[number]:
                        missing[number].append(point.source)
        if not missing:
            return
        numbers = sorted(missing, key=int)
        sources = [_Line("", False, s, 0, 0) for s in dict.fromkeys(s for n in numbers for s in missing[n])]
        if len(numbers) == 1:
            what = f"на приложение {numbers[0]}, но его нет в файле"
        else:
            what = f"на приложения {', '.join(numbers)}, но их нет в файле"
        self.warn(sources, f"документ ссылается {what}.")


# ---- helpers for the appendix part ---------------------------------------------------------------------


def _blank(item: _Item) -> bool:
    return isinstance(item, _Line) and not item.text


def _point_match(text: str) -> tuple[str, str, str] | None:
    match = _POINT.match(text) or _POINT_ALONE.match(text)
    if match is None:
        return None
    body = match.groupdict().get("text") or ""
    return match["num"], match["end"] or "", body


def _stamp_at(items: Sequence[_Item], k: int) -> bool:
    """Whether a stamp («Приложение 1 / к распоряжению … / от … №», «УТВЕРЖДЕН приказом …») starts here."""
    item = items[k]
    if not isinstance(item, _Line) or not item.text or len(item.text) > 160:
        return False
    text = item.text
    if not STAMP_START.match(text) or _ATTACHMENTS.match(text):
        return False
    previous = next((items[i] for i in range(k - 1, -1, -1) if not _blank(items[i])), None)
    if (
        isinstance(previous, _Line)
        and STAMP_START.match(previous.text)
        and not _ATTACHMENTS.match(previous.text)
        and len(previous.text) <= 160
    ):
        return False  # «к приказу …», «УТВЕРЖДЕНО» under «Приложение 1»: the stamp began above
    following: list[str] = [text]
    for i in range(k + 1, min(k + 6, len(items))):
        nxt = items[i]
        if isinstance(nxt, _Table):
            break
        if nxt.text:
            following.append(nxt.text)
        if len(following) >= 3:
            break
    return any(_STAMP_LINK.search(line) for line in following)


def _stamp_end(segment: Sequence[_Item], start: int) -> int:
    """The index after a stamp's last line: the «от … №» line, or the lines going on in lower case."""
    for k in range(start, min(start + 10, len(segment))):
        item = segment[k]
        if isinstance(item, _Table):
            break
        if item.text and STAMP_END.search(item.text):
            return k + 1
    k = start + 1
    while k < len(segment):
        line = segment[k]
        if not isinstance(line, _Line) or not line.text:
            break
        if not (_starts_lower(line.text) or fold(line.text).startswith("к ")):
            break
        k += 1
    return k


def _title_start(items: Sequence[_Item], start: int, end: int) -> int:
    """Where a plan's title begins among items[start:end] (the lines above its table)."""
    lines = [(i, line) for i, line in enumerate(items[start:end], start) if isinstance(line, _Line)]
    _, region = title_from([TextBlock(line.text, 0, line.bold) for _, line in lines])
    return lines[region][0] if region < len(lines) else end


def _title_like(text: str) -> bool:
    return (
        bool(text)
        and len(text) <= 400
        and text[-1] not in ":;,"
        and not _LIST_ITEM.match(text)
        and text[0].isupper()
    )


def _title_block(lines: Sequence[_Line]) -> tuple[list[_Line], int]:
    """An appendix's title: its first bold block, or its first block of short lines."""
    from app.partnerships.parse import looks_like_school

    i = next((k for k, line in enumerate(lines) if line.text), None)
    if i is None:
        return [], len(lines)
    first = lines[i]
    block: list[_Line] = []
    j = i
    if first.bold:
        while j < len(lines) and lines[j].text and lines[j].bold:
            block.append(lines[j])
            j += 1
        return block, j
    while j < len(lines) and lines[j].text and len(block) < 6:
        text = lines[j].text
        if len(text) > 300 or (block and (_LIST_ITEM.match(text) or _PERSON.match(text))):
            break
        if block and looks_like_school(text):
            break
        block.append(lines[j])
        j += 1
    if (
        not block
        or _starts_lower(block[0].text)
        or _LIST_ITEM.match(block[0].text)
        or _PERSON.match(block[0].text)
        or block[-1].text[-1] in ":;"
    ):
        return [], i
    return block, j


def _appendix_kind(title: str, headers: Sequence[str], plans: Sequence[ParsedPlan]) -> str:
    if plans:
        return "plan"
    text = fold(title)
    header = fold(" ".join(headers))
    listing = bool(re.match(r"^(?:состав|список|перечень|сетев|пары|группы|реестр)", text))
    if (listing and "рабоч" in text and "групп" in text) or (
        ("фио" in header or "фамилия" in header) and "должност" in header
    ):
        return "working_group"
    if (listing and ("партн" in text or "пар школ" in text or "наставни" in text)) or "партн" in header:
        return "partnerships"
    if listing and any(word in text for word in ("организац", "школ", "учрежден", " оо")):
        return "school_list"
    if any(word in text for word in ("мониторинг", "критери", "показател")) or "критери" in header:
        return "monitoring_criteria"
    return "text"


def _rows_from_lines(kind: str, lines: Sequence[str], source_name: str) -> list[list[str]]:
    """Rows of a list written as lines: «1. МБОУ «…»», «Иванов И.И. – директор …, председатель»,
    «МБОУ «А» – МКОУ «Б»»."""
    if kind == "partnerships":
        from app.partnerships.parse import parse_text as parse_partnerships

        try:
            groups = parse_partnerships("\n".join(lines), source_name).groups
        except ImportFileError:
            return []
        return [list(group.names) for group in groups]
    rows: list[list[str]] = []
    if kind == "school_list":
        from app.partnerships.parse import looks_like_school

        for line in lines:
            match = re.match(r"^(\d{1,3}[.)]?)\s+(\S.*)$", line)
            number, name = (match[1], match[2]) if match else ("", line)
            if looks_like_school(name.rstrip(";.,")):
                rows.append([number, name.rstrip(";,")])
        return rows
    role = ""
    for line in lines:
        heading = _ROLE_HEADING.match(line)
        if heading:
            role = heading["role"]
            continue
        match = _PERSON.match(line)
        if match is None:
            continue
        position = match["rest"].rstrip(";.")
        own = _ROLE_TAIL.search(position)
        if own:
            rows.append([match["name"].strip(), position[: own.start()].strip(), own["role"]])
        else:
            rows.append([match["name"].strip(), position, role])
    return rows


def _object_stems(text: str) -> list[str]:
    """What a point approves, as stems: «Утвердить Мониторинг в рамках …» → [мони, рамк, …]."""
    match = re.match(r"^утверди\w*\s+(.+)$", text, re.IGNORECASE)
    if match is None:
        return []
    wanted = re.split(r"\(далее|\(приложени|\bсогласно\b|\bв\s+соответствии\b", match[1], flags=re.I)[0]
    return _stems(wanted)


def _match_score(appendix: ParsedAppendix, text: str) -> int:
    """How well a point's approved object names an appendix: shared words, first word near the
    start of the title, a plan for «план»/«дорожная карта»."""
    wanted = _object_stems(text) or _stems(text)
    title = _stems(appendix.title)
    if not wanted or not title:
        return 0
    score = len(set(wanted) & set(title))
    if wanted[0] in title[:3]:
        score += 5
    if appendix.kind == "plan" and ({"план", "доро"} & set(wanted)):
        score += 3
    return score


def _references(point: ParsedPoint | None) -> list[str]:
    """Appendix numbers a point refers to; '' for «приложению к настоящему приказу»."""
    if point is None:
        return []
    text = " ".join((point.text, point.addressee))
    return [match[1] or "" for match in _REFERENCE.finditer(text)]


def _walk(points: Sequence[ParsedPoint]):
    for point in points:
        yield point
        yield from _walk(point.children)


# ---- entry points -----------------------------------------------------------------------------------


def _read(blocks: list[DocumentBlock], source_name: str, unit: str) -> ParsedOrder:
    if not any(
        b.text.strip() if isinstance(b, TextBlock) else any(c.strip() for row in b.rows for c in row)
        for b in blocks
    ):
        raise ImportFileError(f"В файле «{source_name}» нет текста.")
    _check_cells(blocks, source_name)
    return _Reader(source_name, unit).read(blocks)


def _check_cells(blocks: Sequence[DocumentBlock], source_name: str) -> None:
    """A signed document is printed when it is loaded, and a cell of thousands of lines takes the PDF
    minutes to cut into pages: such a cell (beyond MAX_CELL_CHARS or MAX_CELL_LINES) is no order's."""
    tables = [b for b in blocks if isinstance(b, RawTable)]
    for table in tables:
        tables.extend(table.nested)
        check_cell_sizes(table.rows, source_name, row_numbers=table.row_numbers, what="таблицы приложения")


def parse_order_text(text: str, source_name: str) -> ParsedOrder:
    """An order from the seeds' tab-separated text (a paste of text/plain from Word, a .txt file)."""
    if len(text) > MAX_ORDER_CHARS:
        size = f"{len(text):,}".replace(",", "\u00a0")
        raise ImportFileError(
            f"Файл «{source_name}» слишком велик для приказа: {size} знаков (приказ со всеми "
            f"приложениями обычно меньше {MAX_ORDER_CHARS // 1_000_000} млн знаков). Проверьте, что это один "
            "документ, а не несколько, сохранённых вместе."
        )
    return _read(text_blocks(text, source_name), source_name, "строка")


def parse_order_file(path: Path) -> ParsedOrder:
    """An order from a .docx, .txt or .html file, chosen by the file's content, not its extension.

    .doc, .rtf, .pdf, password-protected, damaged and binary files raise ImportFileError with the
    plan reader's Russian messages; so do workbooks and a document with no order in it.
    """
    path = Path(path)
    kind = sniff(path)  # checks existence, size, and refuses .doc/.rtf/.pdf/binary with a message
    if kind == "docx":
        from app.importing.plan_docx import docx_blocks

        return _read(docx_blocks(path), path.name, "абзац")
    if kind in ("xlsx", "xls", "ods", "csv"):
        raise ImportFileError(
            f"Файл «{path.name}» — таблица ({kind}), а не документ приказа. Откройте приказ в Word "
            "(.docx) или загрузите таблицу как план мероприятий."
        )
    text = read_text_file(path)
    if kind == "html":
        from app.importing.plan_html import html_blocks

        return _read(html_blocks(text, path.name), path.name, "абзац")
    return parse_order_text(text, path.name)
