"""An order, a directive or an outgoing letter as a PDF, formatted by ГОСТ Р 7.0.97-2025.

Renders an `OrderDocument` (app/orders/document.py) and nothing else, so the printed copy says
the same words as the preview and the Word file. A4; margins top 20, right 10, bottom 20 mm and
left 20 or 30 mm; Liberation Serif 12–14 pt embedded in the file; paragraph indent 1.25 cm;
page numbers from page 2 centred in the top margin (the appendices continue the numbering);
each appendix on a new page, portrait or landscape, with its stamp in the top right corner and
table headers repeated on every page; the optional QR code bottom right of page 1; «ПРОЕКТ» in
the top margin of every page of a draft.

Russian words are hyphenated with soft hyphens from pyphen (`app.exporting.hyphenation.soft_hyphens`):
reportlab's own `hyphenationLang` skips words with «ё» or in «ёлочки» and then cuts them letter
by letter in narrow table cells. A table row taller than a third of the page (a cell of 20,000
characters) is cut here into pieces printed without lines between them: reportlab's in-row
splitting repeats the header in the middle of a page.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.exporting.files import check_target, write_atomically
from app.exporting.hyphenation import markup, pyphen_dictionary, soft_hyphens
from app.orders.document import Appendix, Image, OrderDocument, Paragraph, Point, Table

MM = 72 / 25.4  # points per millimetre
A4_WIDTH, A4_HEIGHT = 210 * MM, 297 * MM
RIGHT, TOP, BOTTOM = 10 * MM, 20 * MM, 20 * MM
INDENT = 12.5 * MM  # the paragraph indent of ГОСТ Р 7.0.97: 1.25 cm
LEADING = 1.15
STAMP_WIDTH = 75 * MM
STAMP_SIZE = 12
QR_SIZE = 25 * MM
QR_GAP = 3 * MM
SMALL_SIZE = 10  # the executor's line, «ПРОЕКТ»
WIDE_COLUMN = 90 * 72 / 25.4  # points: a column this wide (90 mm) needs no syllable hyphenation
BLANK = "__________"  # a date or a number still to be written by hand
NBSP = "\u00a0"
SHY = "\u00ad"
MISSING = "\u25a1"  # «□» for a character the font has no glyph for

_KIND_NAMES = {"order": "Приказ", "directive": "Распоряжение", "letter": "Письмо"}
# characters a PDF cannot show or reportlab cannot parse: C0/C1 controls (tab and newline are
# handled before), lone surrogates, the non-characters U+FFFE / U+FFFF
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TOKEN = re.compile(r"\S+")
_NUMBER_SIGN = re.compile(r"№ (?=\d)")
_RUSSIAN = re.compile(r"[А-Яа-яЁё]{5,}")
# the lines of a letter's letterhead that are its address and contacts, printed small
_CONTACT = re.compile(r"^\s*(\d|тел|факс|e-?mail|эл\.|http|www|инн|огрн|окпо|кпп)", re.IGNORECASE)


# --- text ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _glyphs() -> frozenset[str]:
    """The characters Liberation Serif can draw (the bold face covers the same ones), as strings:
    `set(text) <= glyphs` checks a whole text in C."""
    from reportlab.pdfbase import pdfmetrics

    from app.exporting.pdf_fonts import register_fonts

    codes = pdfmetrics.getFont(register_fonts(italic=False)).face.charToGlyph
    return frozenset(map(chr, codes)) | {"\n"}


def clean(text: Any) -> str:
    """Text safe for a PDF: line breaks normalised, tabs as spaces, control characters dropped,
    characters the font lacks (emoji, CJK) shown as «□» rather than as an unreadable glyph 0."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _UNPRINTABLE.sub("", text.replace("\t", " "))
    glyphs = _glyphs()
    if text.isascii() or glyphs.issuperset(text):
        return text
    return "".join(c if c in glyphs else MISSING for c in text)


def _markup(text: Any, *, hyphenate: bool = True) -> str:
    """Paragraph markup: cleaned, hyphenated, XML-escaped, line breaks as <br/>."""
    return markup(_bind(clean(text)), hyphenate=hyphenate)


def _bind(text: str) -> str:
    """«№ 594» never breaks between the sign and the number («№ п/п» may: it heads narrow columns)."""
    return _NUMBER_SIGN.sub(f"№{NBSP}", text)


def _one_line(text: Any) -> str:
    return " ".join(clean(text).split())


def _hyphenate_wide_words(text: str, width: float, font: str, size: float) -> str:
    """Soft hyphens in the words wider than a cell, which `soft_hyphens` left whole (the last word,
    abbreviations) or which are not hyphenated at all (headers): otherwise reportlab cuts them
    letter by letter."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    dictionary = pyphen_dictionary()
    if dictionary is None:
        return text

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        if SHY in token or stringWidth(token, font, size) <= width:
            return token
        return _RUSSIAN.sub(lambda m: str(dictionary.inserted(m.group(0), hyphen=SHY)), token)

    return _TOKEN.sub(fix, text)


def _number(value: float, default: float, low: float, high: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(value) else min(high, max(low, value))


# --- geometry -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Page:
    width: float
    height: float
    left: float

    @property
    def frame_width(self) -> float:
        return self.width - self.left - RIGHT

    @property
    def frame_height(self) -> float:
        return self.height - TOP - BOTTOM


@dataclass
class _Layout:
    family: str
    size: float
    portrait: _Page
    landscape: _Page
    qr: list[list[bool]] | None  # the QR code's modules

    @property
    def bold(self) -> str:
        return f"{self.family}-Bold"

    @property
    def leading(self) -> float:
        return self.size * LEADING

    @property
    def qr_reserve(self) -> float:
        """The strip at the bottom of page 1 kept free for the QR code."""
        return QR_SIZE + QR_GAP if self.qr is not None else 0.0


# --- styles -------------------------------------------------------------------------------
class _Styles:
    """Paragraph styles made on demand and cached: body text, cells of each size, headings."""

    def __init__(self, layout: _Layout) -> None:
        from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        self._make = ParagraphStyle
        self._align = {"left": TA_LEFT, "centre": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
        self.layout = layout
        self._cache: dict[tuple[Any, ...], Any] = {}
        size, leading = layout.size, layout.leading
        self.body = ParagraphStyle(
            "body",
            fontName=layout.family,
            fontSize=size,
            leading=leading,
            alignment=TA_JUSTIFY,
            firstLineIndent=INDENT,
            hyphenationLang="",  # soft hyphens do it (see the module's docstring)
            embeddedHyphenation=0,  # a line never ends at a word's own hyphen: «2020-2021» stays whole
            splitLongWords=1,
        )
        self.plain = self.style(align="left", indent=False)

    def style(
        self,
        *,
        size: float | None = None,
        bold: bool = False,
        align: str = "justify",
        indent: bool = True,
        leading: float | None = None,
        **extra: Any,
    ) -> Any:
        size = size or self.layout.size
        key = (size, bold, align, indent, leading, tuple(sorted(extra.items())))
        if key not in self._cache:
            self._cache[key] = self._make(
                f"s{len(self._cache)}",
                parent=self.body,
                fontName=self.layout.bold if bold else self.layout.family,
                fontSize=size,
                leading=leading or size * LEADING,
                alignment=self._align.get(align, self._align["justify"]),
                firstLineIndent=INDENT if indent else 0,
                **extra,
            )
        return self._cache[key]


# --- flowables ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _bottom_note_class() -> type:
    from reportlab.platypus import Flowable

    class BottomNote(Flowable):
        """The executor's line: takes what is left of the frame and draws itself at its bottom,
        so it lands at the foot of the last page of the order's body. On page 1 with a QR code
        it drops into the strip kept for the code, left of it."""

        def __init__(self, paragraph: Any, doc: Any, drop: float, gap: float) -> None:
            super().__init__()
            self.paragraph, self.doc, self.drop, self.gap = paragraph, doc, drop, gap
            self._drop_now = 0.0

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self._drop_now = self.drop if self.drop and getattr(self.doc, "page", 0) == 1 else 0.0
            room = available_width - (QR_SIZE + QR_GAP if self._drop_now else 0.0)  # beside the code
            _, height = self.paragraph.wrap(room, available_height + self._drop_now)
            needed = height + self.gap - self._drop_now
            self.width = available_width
            self.height = available_height if needed <= available_height else needed
            return self.width, self.height

        def split(self, available_width: float, available_height: float) -> list[Any]:
            return []  # never cut: the whole note goes to the next page

        def draw(self) -> None:
            self.paragraph.drawOn(self.canv, 0, -self._drop_now)

    return BottomNote


# --- page 1 -------------------------------------------------------------------------------
def _borderless(rows: list[list[Any]], widths: list[float], valign: str = "TOP") -> Any:
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    from app.exporting.pdf_fonts import FAMILY

    table = RLTable(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FAMILY, 10),  # otherwise a table names Helvetica, not embedded
                ("VALIGN", (0, 0), (-1, -1), valign),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _lines(lines: list[str]) -> str:
    return "<br/>".join(_markup(line, hyphenate=False) for line in lines)


def _requisites(document: OrderDocument) -> tuple[str, str]:
    """The date and the number as printed; a blank line for each one still to be written by hand."""
    number = re.sub(r"^№\s*", "", _one_line(document.number))  # «№» is printed before it anyway
    return _one_line(document.date_text) or BLANK, number or BLANK


def _order_head(document: OrderDocument, styles: _Styles, layout: _Layout) -> list[Any]:
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Spacer

    story: list[Any] = []
    width = layout.portrait.frame_width
    letterhead = [clean(line) for line in document.letterhead]
    while letterhead and not letterhead[-1].strip():
        letterhead.pop()
    if letterhead:
        story.append(RLParagraph(_lines(letterhead), styles.style(bold=True, align="centre", indent=False)))
    if document.kind_title.strip():
        story.append(
            RLParagraph(
                _markup(document.kind_title.strip(), hyphenate=False),
                styles.style(
                    size=layout.size + 2, bold=True, align="centre", indent=False, spaceBefore=layout.size
                ),
            )
        )
    story.append(Spacer(1, layout.size))
    date, number = _requisites(document)
    story.append(
        _borderless(
            [
                [
                    # «от 27 августа 2020 года», as in seeds 000 and 004 and in the .docx writer
                    RLParagraph(
                        _markup(f"от {date}", hyphenate=False), styles.style(align="left", indent=False)
                    ),
                    RLParagraph(
                        _markup(f"№{NBSP}{number}", hyphenate=False),
                        styles.style(align="right", indent=False),
                    ),
                ]
            ],
            [width / 2, width / 2],
        )
    )
    if document.place.strip():
        story.append(
            RLParagraph(
                _markup(document.place.strip(), hyphenate=False), styles.style(align="centre", indent=False)
            )
        )
    return story


def _letter_head(document: OrderDocument, styles: _Styles, layout: _Layout) -> list[Any]:
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Spacer

    width = layout.portrait.frame_width
    left_width, gap = width * 0.48, width * 0.08
    small = min(layout.size, 12) - 1
    left: list[Any] = []
    lines = [clean(line) for line in document.letterhead]
    split = next((i for i, line in enumerate(lines) if _CONTACT.match(line)), len(lines))
    name, contacts = lines[:split], lines[split:]
    if name:
        left.append(RLParagraph(_lines(name), styles.style(bold=True, align="centre", indent=False)))
    if contacts:
        left.append(
            RLParagraph(
                _lines(contacts), styles.style(size=small, align="centre", indent=False, spaceBefore=4)
            )
        )
    date, number = _requisites(document)
    left.append(
        RLParagraph(
            _markup(f"от {date} №{NBSP}{number}", hyphenate=False),
            styles.style(align="centre", indent=False, spaceBefore=layout.size),
        )
    )
    if document.reply_to.strip():
        left.append(
            RLParagraph(
                _markup(_one_line(document.reply_to), hyphenate=False),
                styles.style(align="centre", indent=False),
            )
        )
    right = [
        RLParagraph(
            _lines([clean(line) for line in document.addressee]), styles.style(align="left", indent=False)
        )
    ]
    return [
        _borderless([[left, "", right]], [left_width, gap, width - left_width - gap]),
        Spacer(1, layout.size),
    ]


# --- body ---------------------------------------------------------------------------------
def _paragraphs(text: str, style: Any) -> list[Any]:
    """A text as paragraphs, one per line (a new line of an order's text is a new paragraph)."""
    from reportlab.platypus import Paragraph as RLParagraph

    return [RLParagraph(_markup(line), style) for line in clean(text).split("\n") if line.strip()]


def _numbered(number: str, text: str) -> str:
    number, text = clean(number).strip(), clean(text)
    return f"{number} {text}" if number else text


def _point(point: Point, styles: _Styles) -> list[Any]:
    story: list[Any] = []
    text = clean(point.text).strip()
    if point.addressee.strip():
        addressee = clean(point.addressee).strip()
        head = addressee if addressee.endswith(":") else addressee + ":"
        text = f"{head} {text}" if text else head
    story += _paragraphs(_numbered(point.number, text), styles.body)
    if point.responsible.strip():
        story += _paragraphs(f"Ответственный: {clean(point.responsible).strip()}", styles.body)
    if point.deadline.strip():
        story += _paragraphs(f"Срок: {clean(point.deadline).strip()}", styles.body)
    for child in point.children:
        story += _point(child, styles)
    return story


def _signature(document: OrderDocument, styles: _Styles, layout: _Layout) -> Any:
    from reportlab.platypus import Paragraph as RLParagraph

    width = layout.portrait.frame_width
    position = RLParagraph(_lines(clean(document.signer_position).split("\n")), styles.plain)
    name = RLParagraph(
        _markup(_one_line(document.signer_name), hyphenate=False), styles.style(align="right", indent=False)
    )
    # bottom-aligned cells of one font put the name on the baseline of the position's last line
    return _borderless([[position, name]], [width * 0.62, width * 0.38], valign="BOTTOM")


def _title_width(title: str, layout: _Layout) -> float:
    """The title's block: about 60 % of the width, as «Об утверждении …» stands in the seeds, or
    as wide as the longest of its own lines (up to the full width), so that lines broken by the
    author are not broken again."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = layout.portrait.frame_width
    lines = [line.strip() for line in clean(title).strip("\n").split("\n")]
    if len(lines) < 2:
        return width * 0.6
    longest = max(stringWidth(line, layout.bold, layout.size) for line in lines)
    return min(width, max(width * 0.6, longest + 2))


def _body(document: OrderDocument, styles: _Styles, layout: _Layout, doc: Any) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer
    from reportlab.platypus import Paragraph as RLParagraph

    letter = document.kind == "letter"
    story = _letter_head(document, styles, layout) if letter else _order_head(document, styles, layout)
    if document.title.strip():
        story.append(
            RLParagraph(
                _markup(document.title.strip("\n"), hyphenate=False),
                styles.style(
                    bold=True,
                    align="left",
                    indent=False,
                    rightIndent=layout.portrait.frame_width - _title_width(document.title, layout),
                    spaceBefore=layout.size,
                    spaceAfter=layout.size,
                ),
            )
        )
    else:
        story.append(Spacer(1, layout.size))
    for text in document.preamble:
        story += _paragraphs(text, styles.body)
    if document.directive.strip() and not letter:
        story.append(
            RLParagraph(
                _markup(document.directive.strip(), hyphenate=False),
                styles.style(
                    align="left", indent=False, spaceBefore=layout.size / 2, spaceAfter=layout.size / 2
                ),
            )
        )
    for point in document.points:
        story += _point(point, styles)
    if document.control.strip():
        story += _paragraphs(_numbered(document.control_number, document.control), styles.body)
    if letter and document.attachments_note.strip():
        story.append(
            RLParagraph(
                _markup(document.attachments_note.strip()),
                styles.style(align="left", indent=False, spaceBefore=layout.size),
            )
        )

    closing: list[Any] = []
    if document.signer_position.strip() or document.signer_name.strip():
        closing += [Spacer(1, layout.leading * 2.5), _signature(document, styles, layout)]
    if document.distribution.strip():
        closing += [
            Spacer(1, layout.leading * 1.5),
            RLParagraph(
                _markup(f"Разослано: {_one_line(document.distribution)}", hyphenate=False),
                styles.style(size=min(layout.size, 12), align="left", indent=False),
            ),
        ]
    if closing:
        # the signature never stands alone on a page: it keeps the last paragraph with it
        last = [story.pop()] if len(story) > 1 else []
        story.append(KeepTogether(last + closing))
    if document.executor.strip():
        note = RLParagraph(
            _lines(clean(document.executor).split("\n")),
            styles.style(size=SMALL_SIZE, align="left", indent=False),
        )
        story.append(_bottom_note_class()(note, doc, layout.qr_reserve, layout.leading))
    return story


# --- appendices ---------------------------------------------------------------------------
def _table_size(columns: int, frame_width: float, body_size: float) -> float:
    average = frame_width / max(columns, 1)
    size = 12 if average >= 45 * MM else 11 if average >= 30 * MM else 10
    return min(size, body_size)


def _column_widths(relative: list[float], columns: int, frame_width: float) -> list[float]:
    values: list[float] = []
    for value in list(relative)[:columns]:
        try:
            values.append(float(value))
        except (TypeError, ValueError):
            values.append(0.0)
    if len(values) != columns or not all(math.isfinite(v) and v > 0 for v in values):
        values = [1.0] * columns
    total = sum(values)
    widths = [frame_width * v / total for v in values]
    # a column too narrow for a syllable would have its words cut letter by letter
    least = min(10 * MM, frame_width / columns)
    narrow = [w < least for w in widths]
    if any(narrow):
        spare = frame_width - least * sum(narrow)
        rest = sum(w for w, n in zip(widths, narrow, strict=True) if not n)
        widths = [least if n else w * spare / rest for w, n in zip(widths, narrow, strict=True)]
    return widths


@lru_cache(maxsize=1)
def _ruled_table_class() -> type:
    from reportlab.lib import colors
    from reportlab.platypus import LongTable

    class RuledTable(LongTable):
        """A table closed by a line at the foot of each page and opened by one under the repeated
        header on the next, even where the page falls between the pieces of a cut row (reportlab
        drops the lines of `BOX` at a split and ignores «splitlast» for lines)."""

        def split(self, available_width: float, available_height: float) -> list[Any]:
            parts = super().split(available_width, available_height)
            if len(parts) == 2:
                head, rest = parts
                head.setStyle([("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black)])
                row = rest.repeatRows if isinstance(rest.repeatRows, int) else len(rest.repeatRows)
                rest.setStyle([("LINEABOVE", (0, row), (-1, row), 0.5, colors.black)])
            return parts

    return RuledTable


def _split_tall_row(cells: list[Any], rooms: list[float], limit: float, piece: float) -> list[list[Any]]:
    """A row taller than `limit` as several rows of at most `piece` each, cut between lines.

    reportlab's own in-row splitting (`splitInRow`) repeats the header in the middle of a page and
    loses grid lines, so a tall row (a cell of 20,000 characters) is cut here instead; the pieces
    are printed without lines between them and read as one row that goes on to the next page.
    """
    heights = [
        0.0 if isinstance(c, str) else c.wrap(room, 1e9)[1] for c, room in zip(cells, rooms, strict=True)
    ]
    if max(heights, default=0) <= limit:
        return [cells]
    columns: list[list[Any]] = []
    for content, room, height in zip(cells, rooms, heights, strict=True):
        parts: list[Any] = []
        rest = content
        while not isinstance(rest, str) and height > piece and len(parts) < 10_000:
            pieces = rest.split(room, piece)
            if len(pieces) < 2:
                break
            parts.append(pieces[0])
            rest = pieces[1]
            height = rest.wrap(room, 1e9)[1]
        columns.append([*parts, rest])
    count = max(len(parts) for parts in columns)
    return [[parts[i] if i < len(parts) else "" for parts in columns] for i in range(count)]


@lru_cache(maxsize=1)
def _cell_paragraph() -> type:
    """A table cell's paragraph that remembers its last wrap: reportlab wraps every cell to measure
    the row, again to split the table at a page and again to draw it, each time breaking the same
    lines at the same width (a third of an order's printing time)."""
    from reportlab.platypus import Paragraph as RLParagraph

    class CellParagraph(RLParagraph):
        _wrapped: tuple[float, float, tuple[float, float]] | None = None

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            known = self._wrapped
            if known is not None and known[0] == avail_width and known[1] >= 0:
                self.width = avail_width
                return known[2]
            size = super().wrap(avail_width, avail_height)
            self._wrapped = (avail_width, 0.0, size)
            return size

        def split(self, avail_width: float, avail_height: float) -> list[Any]:
            self._wrapped = None
            return super().split(avail_width, avail_height)

    return CellParagraph


def _table(table: Table, styles: _Styles, page: _Page) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    RLParagraph = _cell_paragraph()

    frame_width = page.frame_width
    header = [clean(cell) for cell in table.header]
    columns = max([len(header)] + [1 if row.section else len(row.cells) for row in table.rows])
    if columns == 0 or (not header and not table.rows):
        return []
    size = _table_size(columns, frame_width, styles.layout.size)
    widths = _column_widths(table.widths, columns, frame_width)
    padding = 3
    rooms = [width - 2 * padding for width in widths]
    # rows up to a third of the page move whole to the next page, taller ones are cut into pieces
    limit, piece = page.frame_height / 3, page.frame_height / 10
    centred = {i for i in table.centred if isinstance(i, int)}
    cell_style = {
        align: styles.style(size=size, align=align, indent=False, leading=size * 1.12, uriWasteReduce=0.3)
        for align in ("left", "centre")
    }
    head_style = styles.style(size=size, bold=True, align="centre", indent=False, leading=size * 1.12)
    section_style = styles.style(size=size, bold=True, align="left", indent=False, leading=size * 1.12)
    family, bold = styles.layout.family, styles.layout.bold

    def cell(text: str, column: int, *, head: bool = False) -> Any:
        text = _bind(clean(text))
        if head:  # headers break between words, and inside a word only where it cannot fit
            marked = _hyphenate_wide_words(text, rooms[column], bold, size)
            return RLParagraph(markup(marked, hyphenate=False), head_style)
        # syllables matter in narrow columns; a wide one breaks between words well enough, and
        # hyphenating every word of a long plan costs a tenth of its printing time
        syllables = soft_hyphens(text) if rooms[column] < WIDE_COLUMN else text
        marked = _hyphenate_wide_words(syllables, rooms[column], family, size)
        style = cell_style["centre" if column in centred else "left"]
        return RLParagraph(markup(marked, hyphenate=False), style)

    data: list[list[Any]] = []
    starts: list[int] = []  # the first table row of each row of the source (the others continue it)
    spans: list[int] = []
    if header:
        header += [""] * (columns - len(header))
        data.append([cell(text, i, head=True) for i, text in enumerate(header)])
        starts.append(0)
    for row in table.rows:
        cells = [_bind(clean(text)) for text in row.cells]
        starts.append(len(data))
        if row.section:
            text = " ".join(c for c in cells if c.strip())  # nothing of a section row is lost
            marked = _hyphenate_wide_words(text, frame_width - 2 * padding, bold, size)
            heading = RLParagraph(markup(marked, hyphenate=False), section_style)
            for part in _split_tall_row([heading], [frame_width - 2 * padding], limit, piece):
                spans.append(len(data))
                data.append(part + [""] * (columns - 1))
            continue
        if len(cells) > columns:  # extra cells join the last column rather than vanish
            cells = [*cells[: columns - 1], "\n".join(cells[columns - 1 :])]
        cells += [""] * (columns - len(cells))
        row_cells = [cell(text, i) for i, text in enumerate(cells)]
        # measuring every cell is slow: only a row that might be tall is measured and cut
        lines = [
            2 * len(text) * size * 0.75 / room + text.count("\n") + 1
            for text, room in zip(cells, rooms, strict=True)
        ]
        if max(lines) * size * 1.12 + 5 > limit:
            data += _split_tall_row(row_cells, rooms, limit, piece)
        else:
            data.append(row_cells)
    if not data:
        return []

    line = (0.5, colors.black)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), family, size),  # otherwise a table names Helvetica, not embedded
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *(("SPAN", (0, r), (-1, r)) for r in spans),
    ]
    if header:
        commands.append(("VALIGN", (0, 0), (-1, 0), "MIDDLE"))
    if len(starts) == len(data):
        commands.append(("GRID", (0, 0), (-1, -1), *line))
    else:  # no line nor padding between the pieces of a cut row: they read as one row
        first = set(starts)
        commands += [
            ("BOX", (0, 0), (-1, -1), *line),
            ("LINEBEFORE", (1, 0), (-1, -1), *line),
            *(("LINEABOVE", (0, r), (-1, r), *line) for r in starts if r),
            *(("TOPPADDING", (0, r), (-1, r), 0) for r in range(len(data)) if r not in first),
            *(("BOTTOMPADDING", (0, r - 1), (-1, r - 1), 0) for r in range(1, len(data)) if r not in first),
        ]
        if header:
            commands.append(("LINEBELOW", (0, 0), (-1, 0), *line))
    result = _ruled_table_class()(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    result.setStyle(TableStyle(commands))
    return [result]


def _image(image: Image, styles: _Styles, page: _Page) -> list[Any]:
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image as RLImage
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Spacer

    caption = clean(image.caption).strip()
    caption_style = styles.style(
        size=min(styles.layout.size, 12), align="centre", indent=False, spaceBefore=4
    )
    try:
        reader = ImageReader(io.BytesIO(bytes(image.png)))
        pixel_width, pixel_height = reader.getSize()
        if pixel_width <= 0 or pixel_height <= 0:
            raise ValueError("empty image")
    except Exception:  # a damaged picture must not stop the whole order from printing
        parts = [RLParagraph(_markup("[изображение не удалось прочитать]"), caption_style)]
        return parts + ([RLParagraph(_markup(caption), caption_style)] if caption else [])
    width = _number(image.width_mm, 0.0, 0.0, 10_000.0) * MM or page.frame_width
    width = min(width, page.frame_width)
    height = width * pixel_height / pixel_width
    room = page.frame_height - (3 * styles.layout.leading if caption else 0) - 12
    if height > room:  # a tall picture shrinks to fit one page with its caption
        width, height = width * room / height, room
    reserve = 3 * styles.layout.leading if caption else 12

    class FittedImage(RLImage):
        """Shrinks to the room left on the page (under a stamp and a title) instead of moving the
        picture to the next page and leaving the title alone."""

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            scale = min(1.0, avail_width / width, max(avail_height - reserve, height / 3) / height)
            self.drawWidth, self.drawHeight = width * scale, height * scale
            return self.drawWidth, self.drawHeight

    picture = FittedImage(io.BytesIO(bytes(image.png)), width=width, height=height, hAlign="CENTER")
    parts: list[Any] = [Spacer(1, 6), picture]
    if caption:
        parts.append(RLParagraph(_markup(caption, hyphenate=False), caption_style))
    return parts


def _appendix(appendix: Appendix, styles: _Styles, layout: _Layout) -> list[Any]:
    from reportlab.platypus import NextPageTemplate, PageBreak, Spacer
    from reportlab.platypus import Paragraph as RLParagraph

    page = layout.landscape if appendix.landscape else layout.portrait
    story: list[Any] = [NextPageTemplate("landscape" if appendix.landscape else "portrait"), PageBreak()]
    stamp = [clean(line) for line in appendix.stamp]
    if any(line.strip() for line in stamp):
        story.append(
            RLParagraph(
                _lines(stamp),
                styles.style(
                    size=STAMP_SIZE,
                    align="left",
                    indent=False,
                    leftIndent=max(page.frame_width - STAMP_WIDTH, 0),
                    spaceAfter=layout.size,
                ),
            )
        )
    if appendix.title.strip():
        story.append(
            RLParagraph(
                _markup(appendix.title.strip("\n"), hyphenate=False),
                styles.style(bold=True, align="centre", indent=False, spaceBefore=4, spaceAfter=layout.size),
            )
        )
    for block in appendix.blocks:
        if isinstance(block, Table):
            story += _table(block, styles, page)
            story.append(Spacer(1, 6))
        elif isinstance(block, Image):
            story += _image(block, styles, page)
        elif isinstance(block, Paragraph):
            style = styles.style(bold=block.bold, align=block.align, indent=block.indent, spaceAfter=2)
            story.append(RLParagraph(_markup(block.text, hyphenate=not block.bold), style))
    return story


# --- pages --------------------------------------------------------------------------------
def _qr_modules(text: str) -> list[list[bool]] | None:
    """The QR code's modules (True = dark), or None when the text cannot be encoded."""
    from reportlab.graphics.barcode import qrencoder

    text = clean(text).strip()
    for candidate in (text, text[:400]):  # a text too long for a code keeps its beginning
        if not candidate:
            return None
        try:
            code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
            # bytes in UTF-8: left to itself the encoder would pick Shift-JIS «kanji» for Cyrillic
            code.addData(qrencoder.QR8bitByte(candidate.encode("utf-8")))
            code.make()
            return [[bool(module) for module in row] for row in code.modules]
        except Exception:
            continue
    return None


def _draw_qr(canvas: Any, modules: list[list[bool]], x: float, y: float) -> None:
    """The code as filled squares in a form XObject named QR (one object, easy to find); drawn
    by hand because reportlab's renderer adds Helvetica, a font not embedded, to the file."""
    border = 4  # the quiet zone of the QR standard, in modules
    box = QR_SIZE / (len(modules) + 2 * border)
    canvas.beginForm("QR", 0, 0, QR_SIZE, QR_SIZE)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(modules):
        top = QR_SIZE - (r + border + 1) * box
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            canvas.rect((c + border) * box, top, (run - c) * box, box, stroke=0, fill=1)
            c = run
    canvas.endForm()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm("QR")
    canvas.restoreState()


def _decorate(layout: _Layout, draft: bool, *, first: bool = False) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        width, height = doc.pageTemplate.pagesize
        left = layout.portrait.left  # the same left margin on portrait and landscape pages
        canvas.saveState()
        if doc.page > 1:  # ГОСТ: every page but the first is numbered, centred in the top margin
            canvas.setFont(layout.family, min(layout.size, 12))
            canvas.drawCentredString(left + (width - left - RIGHT) / 2, height - TOP / 2 - 4, str(doc.page))
        if draft:
            canvas.setFont(layout.family, SMALL_SIZE)
            canvas.drawRightString(width - RIGHT, height - TOP / 2 - 3, "ПРОЕКТ")
        if first and layout.qr is not None:
            _draw_qr(canvas, layout.qr, width - RIGHT - QR_SIZE, BOTTOM)
        canvas.restoreState()

    return draw


def _build(document: OrderDocument, target: Any) -> None:
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from app.exporting.pdf_fonts import register_fonts

    family = register_fonts(italic=False)
    left = _number(document.left_margin_mm, 20.0, 20.0, 30.0) * MM
    layout = _Layout(
        family=family,
        size=_number(document.font_size, 14.0, 12.0, 14.0),
        portrait=_Page(A4_WIDTH, A4_HEIGHT, left),
        landscape=_Page(A4_HEIGHT, A4_WIDTH, left),
        qr=_qr_modules(document.qr_text) if clean(document.qr_text).strip() else None,
    )
    styles = _Styles(layout)

    def frame(page: _Page, name: str, reserve: float = 0.0) -> Any:
        return Frame(
            page.left,
            BOTTOM + reserve,
            page.frame_width,
            page.frame_height - reserve,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=name,
        )

    kind = _KIND_NAMES.get(document.kind, "Документ")
    title = _one_line(document.title) or " ".join(
        part for part in (_one_line(document.kind_title) or kind, _one_line(document.number)) if part
    )
    requisites = ", ".join(
        part
        for part in (
            f"от {_one_line(document.date_text)}" if document.date_text.strip() else "",
            f"№ {_one_line(document.number)}" if document.number.strip() else "",
        )
        if part
    )
    template = BaseDocTemplate(
        target,
        pagesize=(A4_WIDTH, A4_HEIGHT),
        leftMargin=left,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        author=next((_one_line(line) for line in document.letterhead if line.strip()), ""),
        subject=f"{kind} {requisites}".strip(),
        keywords=[word for word in (kind, _one_line(document.number), _one_line(document.date_text)) if word],
        creator="Опора",
        lang="ru-RU",
        initialFontName=family,  # otherwise the canvas names Helvetica, a font not embedded
    )
    draft = bool(document.draft)
    template.addPageTemplates(
        [
            PageTemplate(
                "first",
                [frame(layout.portrait, "first", layout.qr_reserve)],
                onPage=_decorate(layout, draft, first=True),
                pagesize=(A4_WIDTH, A4_HEIGHT),
                autoNextPageTemplate="portrait",
            ),
            PageTemplate(
                "portrait",
                [frame(layout.portrait, "portrait")],
                onPage=_decorate(layout, draft),
                pagesize=(A4_WIDTH, A4_HEIGHT),
            ),
            PageTemplate(
                "landscape",
                [frame(layout.landscape, "landscape")],
                onPage=_decorate(layout, draft),
                pagesize=(A4_HEIGHT, A4_WIDTH),
            ),
        ]
    )
    story = _body(document, styles, layout, template)
    for appendix in document.appendices:
        story += _appendix(appendix, styles, layout)
    template.build(story)


# --- public -------------------------------------------------------------------------------
def render_order_pdf(document: OrderDocument) -> bytes:
    """The document as the bytes of a PDF file."""
    buffer = io.BytesIO()
    _build(document, buffer)
    return buffer.getvalue()


def write_order_pdf(document: OrderDocument, path: Path) -> None:
    """Write the document to `path` (.pdf), replacing the file only when the PDF is complete."""
    kind = _KIND_NAMES.get(document.kind, "Документ")
    path = check_target(Path(path), (".pdf",), f"{kind} сохраняется в файл PDF")
    data = render_order_pdf(document)  # rendered first: a failure leaves the old file untouched
    write_atomically(path, lambda temp: Path(temp).write_bytes(data))
