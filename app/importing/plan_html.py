"""Reading the paragraphs and tables of HTML (clipboard text/html from Word, Excel, LibreOffice) for
`plan_parse`, with the standard library's html.parser.

Cells spanning rows or columns (rowspan/colspan) keep their text in their first grid cell only;
paragraphs and <br> inside a cell become its lines; Word's list paragraphs (the «mso-list:Ignore»
bullet) and <li> become «– text» or «1. text»; a table inside a cell is flattened with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from app.importing.errors import ImportFileError
from app.importing.plan_columns import DocumentBlock, RawTable, TextBlock, clean_cell
from app.importing.sheet import MAX_COLUMNS

BULLET = "– "
MAX_ROWSPAN = 10_000
# A 4 MB line of «<td>» was a million cells and 800 MB: a plan of 10,000 rows by 20 columns is far
# below these.
MAX_HTML_CELLS = 300_000
MAX_HTML_ROWS = 50_000
MAX_HTML_TAGS = 2_000_000  # Word writes about ten tags a cell; 3 million stray tags took 7 s
MAX_PARAGRAPH_CHARS = 200_000  # splitting a 12-million-character paragraph into words took 560 MB


class _TooBig(Exception):
    """The tables hold more than the limits above (the message says what)."""


_BLOCK = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "section",
    "article",
    "header",
    "footer",
    "center",
    "address",
    "caption",
}
_VOID = {"br", "img", "meta", "link", "hr", "input", "col", "wbr", "area", "base", "source", "param", "embed"}
_SKIP = {"style", "script", "title", "xml", "head", "template", "noscript"}
_BOLD_TAGS = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6"}
_SPACES = re.compile(r"[ \t\n\r\f]+")
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.IGNORECASE)
_MSO_IGNORE = re.compile(r"mso-list\s*:\s*ignore", re.IGNORECASE)
_NO_MARKER = re.compile(r"list-style-type\s*:\s*none", re.IGNORECASE)
_BULLET_CHARS = set("·•▪●◦o§Ø\uf0b7\uf0a7\uf0d8\uf076\uf0fc-–—*✓✔➢►")


@dataclass(slots=True)
class _Text:
    parts: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def newline(self) -> None:
        if self.parts and self.parts[-1] != "\n":
            self.parts.append("\n")

    def value(self) -> str:
        return "".join(self.parts)


@dataclass(slots=True)
class _Table:
    rows: list[list[tuple[str, int, int]]] = field(default_factory=list)
    row: list[tuple[str, int, int]] | None = None
    cell: _Text | None = None
    span: tuple[int, int] = (1, 1)
    raw: RawTable = field(default_factory=lambda: RawTable([], []))


def _span(value: str | None, limit: int) -> int:
    try:
        number = int(str(value).strip().split(".")[0]) if value is not None else 1
    except ValueError:
        return 1
    return max(1, min(number, limit))


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[DocumentBlock] = []
        self.tables: list[_Table] = []
        self.stack: list[tuple[str, bool, bool]] = []  # tag, bold, starts a list marker
        self.skip = 0
        self.bold = 0
        self.marker: list[str] | None = None
        self.marker_depth = (
            0  # stack depth of the span whose text is a list marker; -1: <![if !supportLists]>
        )
        self.lists: list[list[int]] = []  # [kind (0 bullet, 1 numbered, 2 none), counter]
        self.paragraph = _Text()
        self.bold_chars = 0
        self.chars = 0
        self.line = 0
        self.cells = self.rows = self.tags = 0  # against MAX_HTML_CELLS, MAX_HTML_ROWS, MAX_HTML_TAGS

    # -- text sinks

    def _sink(self) -> _Text | None:
        if self.tables:
            return self.tables[-1].cell
        return self.paragraph

    def _break(self, blank_if_empty: bool = False) -> None:
        if self.tables:
            cell = self.tables[-1].cell
            if cell is not None:
                cell.newline()
            return
        value = self.paragraph.value()
        if len(value) > MAX_PARAGRAPH_CHARS:
            raise _TooBig(f"абзац длиннее {MAX_PARAGRAPH_CHARS:,} знаков".replace(",", " "))
        text = " ".join(value.replace("\xa0", " ").split())
        if text or blank_if_empty:
            self.line += 1
            bold = bool(text) and self.bold_chars * 2 > self.chars
            self.blocks.append(TextBlock(text, self.line, bold))
        self.paragraph = _Text()
        self.bold_chars = self.chars = 0

    # -- parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.tags > MAX_HTML_TAGS:
            raise _TooBig(f"в разметке больше {MAX_HTML_TAGS:,} тегов".replace(",", " "))
        tag = tag.lower()
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
            return
        if self.skip:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        style = values.get("style", "")
        if tag == "table":
            self._start_table()
            return
        if tag == "tr":
            self._end_row()
            if self.tables:
                self.tables[-1].row = []
            return
        if tag in ("td", "th"):
            self._start_cell(values)
            return
        if tag == "br":
            self._break()
            return
        if tag in _BLOCK:
            self._break()
        if tag in ("ul", "ol"):
            kind = 2 if _NO_MARKER.search(style) else (1 if tag == "ol" else 0)
            self.lists.append([kind, _span(values.get("start"), 10**6) - 1])
        if tag == "li" and self.lists:
            kind = self.lists[-1]
            if kind[0] == 1:
                kind[1] += 1
                self._emit(f"{kind[1]}. ")
            elif kind[0] == 0:
                self._emit(BULLET)
        if tag in _VOID:
            return
        bold = tag in _BOLD_TAGS or bool(_BOLD_STYLE.search(style))
        marker = bool(_MSO_IGNORE.search(style)) and self.marker is None
        self.stack.append((tag, bold, marker))
        if bold:
            self.bold += 1
        if marker:
            self.marker = []
            self.marker_depth = len(self.stack)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table":
            self._end_table()
            return
        if tag == "tr":
            self._end_row()
            return
        if tag in ("td", "th"):
            self._end_cell()
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if any(t == tag for t, _, _ in self.stack):
            while self.stack:
                open_tag, bold, marker = self.stack.pop()
                if bold:
                    self.bold = max(0, self.bold - 1)
                if marker:
                    self._end_marker()
                if open_tag == tag:
                    break
        if tag in _BLOCK:
            self._break(blank_if_empty=tag == "p")

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        if len(data) > MAX_PARAGRAPH_CHARS:  # before the substitution below builds millions of pieces
            raise _TooBig(f"абзац длиннее {MAX_PARAGRAPH_CHARS:,} знаков".replace(",", " "))
        text = _SPACES.sub(" ", data)
        if self.marker is not None:
            self.marker.append(text)
            return
        sink = self._sink()
        if sink is None:
            return
        sink.add(text)
        if not self.tables:
            visible = len(text.strip())
            self.chars += visible
            if self.bold:
                self.bold_chars += visible

    def unknown_decl(self, data: str) -> None:
        decl = data.strip().lower()
        if decl.startswith("if") and "supportlists" in decl and self.marker is None:
            self.marker = []
            self.marker_depth = -1
        elif decl.startswith("endif") and self.marker is not None and self.marker_depth == -1:
            self._end_marker()

    # -- list markers

    def _emit(self, text: str) -> None:
        sink = self._sink()
        if sink is not None:
            sink.add(text)

    def _end_marker(self) -> None:
        marker = "".join(self.marker or []).replace("\xa0", " ").strip()
        self.marker = None
        self.marker_depth = 0
        if not marker:
            return
        if len(marker) == 1 and (marker in _BULLET_CHARS or not marker.isalnum()):
            self._emit(BULLET)
        else:
            self._emit(marker + " ")

    # -- tables

    def _start_table(self) -> None:
        if not self.tables:
            self._break()
        self.tables.append(_Table())

    def _start_cell(self, values: dict[str, str]) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        self._end_cell()
        if table.row is None:
            table.row = []
        table.cell = _Text()
        table.span = (_span(values.get("rowspan"), MAX_ROWSPAN), _span(values.get("colspan"), MAX_COLUMNS))

    def _end_cell(self) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if table.cell is None:
            return
        if table.row is None:
            table.row = []
        table.row.append((table.cell.value(), *table.span))
        table.cell = None
        self.cells += 1
        if self.cells > MAX_HTML_CELLS:
            raise _TooBig(f"в таблицах больше {MAX_HTML_CELLS:,} ячеек".replace(",", " "))

    def _end_row(self) -> None:
        if not self.tables:
            return
        self._end_cell()
        table = self.tables[-1]
        if table.row is not None:
            table.rows.append(table.row)
            table.row = None
            self.rows += 1
            if self.rows > MAX_HTML_ROWS:
                raise _TooBig(f"в таблицах больше {MAX_HTML_ROWS:,} строк".replace(",", " "))

    def _end_table(self) -> None:
        if not self.tables:
            return
        self._end_row()
        table = self.tables.pop()
        raw = _resolve(table)
        if self.tables:
            parent = self.tables[-1]
            if parent.cell is None:
                parent.cell = _Text()
                parent.span = (1, 1)
            count = 0
            for cells in raw.rows:
                texts = [" ".join(clean_cell(c).split()) for c in cells if clean_cell(c)]
                if texts:
                    parent.cell.newline()
                    parent.cell.add(" – ".join(texts))
                    parent.cell.newline()
                    count += 1
            row = len(parent.rows)
            column = sum(span for _, _, span in parent.row or [])
            parent.raw.notes.append(
                (
                    row,
                    column,
                    f"В ячейке таблицы вложенная таблица ({count} строк): её текст перенесён в ячейку "
                    "построчно, через «–». Проверьте этот пункт плана.",
                )
            )
            parent.raw.nested.append(raw)
            parent.raw.nested.extend(raw.nested)
        else:
            self.blocks.append(raw)

    def finish(self) -> list[DocumentBlock]:
        while self.tables:
            self._end_table()
        self._break()
        return self.blocks


def _resolve(table: _Table) -> RawTable:
    """The grid of a table with rowspan/colspan: a spanning cell's text in its first grid cell."""
    raw = table.raw
    count = len(table.rows)
    occupied: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, str, int]]] = []
    width = 0
    for r, row in enumerate(table.rows):
        c = 0
        row_cells = []
        for text, rowspan, colspan in row:
            while (r, c) in occupied:
                c += 1
            if c >= MAX_COLUMNS:
                break
            colspan = min(colspan, MAX_COLUMNS - c)
            rowspan = min(rowspan, count - r)
            if rowspan > 1 or colspan > 1:
                for dr in range(rowspan):
                    for dc in range(colspan):
                        occupied.add((r + dr, c + dc))
                if len(occupied) > MAX_HTML_CELLS:
                    raise _TooBig(
                        f"объединённые ячейки занимают больше {MAX_HTML_CELLS:,} ячеек".replace(",", " ")
                    )
            row_cells.append((c, text, colspan))
            c += colspan
            width = max(width, c)
        placed.append(row_cells)
    for r, row_cells in enumerate(placed):
        cells = [""] * width
        with_text = []
        for c, text, colspan in row_cells:
            cells[c] = text
            if text.strip():
                with_text.append((c, colspan))
        raw.rows.append(cells)
        raw.row_numbers.append(r + 1)
        if width >= 2 and len(with_text) == 1:
            start, span = with_text[0]
            if span >= 2 and start <= 1 and start + span >= width:
                raw.section_rows.add(r)
    return raw


def html_blocks(html: str, source_name: str = "") -> list[DocumentBlock]:
    """Paragraphs and tables of an HTML fragment or page, in order."""
    parser = _Parser()
    try:
        parser.feed(html)
        parser.close()
        blocks = parser.finish()
    except _TooBig as exc:
        where = f"Файл «{source_name}»" if source_name else "Фрагмент HTML"
        raise ImportFileError(f"{where} не загружен: {exc} — файл испорчен или это не тот документ.") from exc
    except (AssertionError, ValueError, IndexError, TypeError) as exc:
        where = f"файла «{source_name}»" if source_name else "фрагмента"
        raise ImportFileError(
            f"Не удалось разобрать разметку HTML {where}: она испорчена. Откройте файл в браузере или Word "
            "и сохраните его заново."
        ) from exc
    for block in blocks:
        if isinstance(block, RawTable):
            block.source_name = source_name
    return blocks
