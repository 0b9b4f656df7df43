"""Reading the paragraphs and tables of a Word .docx file for `plan_parse`.

python-docx opens the package (and checks it is one); the body is then read straight from its XML
with lxml, which is many times faster than python-docx's `table.cell(r, c)` on a long plan. Cells
merged across (gridSpan) keep their text in the first grid column, cells merged down (vMerge) in
the first row only; paragraphs of a cell become its lines, list paragraphs get «– » or their number;
a table inside a cell is flattened into the cell's lines with a warning.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from app.importing.errors import ImportFileError
from app.importing.plan_columns import DocumentBlock, RawTable, TextBlock
from app.importing.sheet import MAX_COLUMNS, MAX_UNPACKED_BYTES

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MAX_NESTING = 5
MAX_XML_PART_BYTES = 100 * 1024 * 1024  # the body of a 5,000-row plan is about 20 MB
BULLET = "– "

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


P, R, T, TAB, BR, CR, NBH = _w("p"), _w("r"), _w("t"), _w("tab"), _w("br"), _w("cr"), _w("noBreakHyphen")
TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    _w("tbl"),
    _w("tr"),
    _w("tc"),
    _w("sdt"),
    _w("sdtContent"),
    _w("customXml"),
)
PPR, RPR, PSTYLE, NUMPR, NUMID, ILVL = (
    _w("pPr"),
    _w("rPr"),
    _w("pStyle"),
    _w("numPr"),
    _w("numId"),
    _w("ilvl"),
)
TCPR, TRPR, GRIDSPAN, VMERGE, HMERGE = _w("tcPr"), _w("trPr"), _w("gridSpan"), _w("vMerge"), _w("hMerge")
GRID_BEFORE, GRID_AFTER, TBLGRID, GRIDCOL = _w("gridBefore"), _w("gridAfter"), _w("tblGrid"), _w("gridCol")
B, VAL, TXBX, FALLBACK = _w("b"), _w("val"), _w("txbxContent"), f"{{{MC_NS}}}Fallback"
_WRAPPERS = {SDT, CUSTOM_XML, _w("ins"), _w("moveTo"), _w("smartTag")}
_FALSE = {"0", "false", "off", "none"}


def check_docx_file(path: Path) -> None:
    """Raise ImportFileError with a Russian message when the file is not a readable .docx."""
    from app.importing.plan_parse import _check_file, _ole_message, ole_kind

    _, head = _check_file(path)
    name = path.name
    if head.startswith(_OLE_MAGIC):
        kind = ole_kind(path)
        if kind == "xls":
            raise ImportFileError(f"Файл «{name}» — книга Excel 97–2003, а не документ Word.")
        raise ImportFileError(_ole_message(name, kind))
    if not head.startswith(_ZIP_MAGIC):
        kind = "текстовый файл" if _looks_like_text(head) else "файл другого формата"
        raise ImportFileError(
            f"Файл «{name}» не является документом Word: это {kind} с расширением {path.suffix or '(без расширения)'}. "
            "Откройте его в Word и сохраните как «Документ Word (.docx)»."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise ImportFileError(
            f"Файл «{name}» повреждён: архив документа Word обрезан или испорчен. "
            "Попросите файл заново или откройте его в Word и сохраните ещё раз."
        ) from exc
    if "word/document.xml" not in names and not any(n.startswith("word/") for n in names):
        what = "книга Excel" if any(n.startswith("xl/") for n in names) else "архив другого формата"
        raise ImportFileError(f"Файл «{name}» не является документом Word: это {what}.")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"Файл «{name}» в распакованном виде занимает {unpacked // (1024 * 1024)} МБ — больше "
            f"допустимого ({MAX_UNPACKED_BYTES // (1024 * 1024)} МБ). Файл не загружен."
        )
    # python-docx parses every XML part whole (lxml trees take several times their size): a part
    # that unpacks beyond the limit is refused before it is parsed.
    for info in infos:
        if info.file_size > MAX_XML_PART_BYTES and info.filename.lower().endswith((".xml", ".rels")):
            raise ImportFileError(
                f"Файл «{name}»: часть документа «{info.filename}» в распакованном виде занимает "
                f"{info.file_size // (1024 * 1024)} МБ — больше допустимого "
                f"({MAX_XML_PART_BYTES // (1024 * 1024)} МБ). Файл не загружен."
            )


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def open_document(path: Path):  # -> docx.document.Document
    import docx

    check_docx_file(path)
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, XMLSyntaxError, PackageNotFoundError…
        raise ImportFileError(
            f"Файл «{path.name}» повреждён или не является документом Word ({_why_unreadable(exc)}). "
            "Откройте его в Word и сохраните ещё раз."
        ) from exc


def _why_unreadable(exc: Exception) -> str:
    """What python-docx's English error means, in Russian."""
    text = str(exc)
    if isinstance(exc, KeyError) or "There is no item named" in text:
        return "в архиве нет части, на которую ссылается документ"
    if "entity" in text.lower() or "doctype" in text.lower():
        return "в нём есть определения сущностей XML (DOCTYPE), которых Word не записывает: файл изменён или подделан"
    if "limit" in text.lower() or "huge" in text.lower():
        return "в нём текст или вложенность сверх пределов, которые программа читает"
    if isinstance(exc, etree.XMLSyntaxError):
        return "разметка XML внутри файла испорчена"
    return "его содержимое не соответствует формату документа Word"


def docx_blocks(path: Path) -> list[DocumentBlock]:
    """Paragraphs and tables of the document's body in order."""
    document = open_document(path)
    try:
        reader = _Reader(document)
        body = _plain_body(path, document)
        if body is not None:
            reader.body = body
        return reader.blocks()
    except ImportFileError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, etree.LxmlError) as exc:
        raise ImportFileError(
            f"Файл «{path.name}» не читается: структура документа Word повреждена ({_why_unreadable(exc)})."
        ) from exc


def _plain_body(path: Path, document):
    """The body parsed again with plain lxml elements: walking them is about a third faster than
    python-docx's custom element classes. None when that fails (python-docx's body is used)."""
    try:
        name = str(document.part.partname).lstrip("/")
        with zipfile.ZipFile(path) as archive:
            data = archive.read(name)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return etree.fromstring(data, parser).find(_w("body"))
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, etree.LxmlError):
        return None


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_ROMAN = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
]
_RUSSIAN = "абвгдежзиклмнопрстуфхцчшщэюя"


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        out, n = "", value
        for number, letters in _ROMAN:
            while n >= number:
                out, n = out + letters, n - number
        return out.upper() if fmt == "upperRoman" else out
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("russianLower", "russianUpper") and value > 0:
        letter = _RUSSIAN[(value - 1) % len(_RUSSIAN)] * ((value - 1) // len(_RUSSIAN) + 1)
        return letter.upper() if fmt == "russianUpper" else letter
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


class _Reader:
    def __init__(self, document) -> None:
        self.body = document.element.body
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → (fmt, text, start)
        self.style_numbering: dict[str, tuple[str, int]] = {}
        self.bold_styles: set[str] = set()
        self.counters: dict[str, list[int]] = {}
        self.paragraph_no = 0
        self._load_numbering(document)
        self._load_styles(document)

    # -- definitions

    def _load_numbering(self, document) -> None:
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in numbering.iterchildren(_w("abstractNum")):
            levels = {}
            for lvl in node.iterchildren(_w("lvl")):
                fmt = lvl.find(_w("numFmt"))
                text = lvl.find(_w("lvlText"))
                start = lvl.find(_w("start"))
                levels[_int(lvl.get(_w("ilvl")))] = (
                    fmt.get(VAL, "decimal") if fmt is not None else "decimal",
                    text.get(VAL, "") if text is not None else "",
                    _int(start.get(VAL), 1) if start is not None else 1,
                )
            abstract[node.get(_w("abstractNumId"), "")] = levels
        for node in numbering.iterchildren(_w("num")):
            ref = node.find(_w("abstractNumId"))
            if ref is not None:
                self.levels[node.get(_w("numId"), "")] = abstract.get(ref.get(VAL, ""), {})

    def _load_styles(self, document) -> None:
        try:
            styles = document.styles.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            return
        based: dict[str, str] = {}
        own_numbering: dict[str, tuple[str, int]] = {}
        own_bold: dict[str, bool] = {}
        for style in styles.iterchildren(_w("style")):
            style_id = style.get(_w("styleId"), "")
            parent = style.find(_w("basedOn"))
            if parent is not None:
                based[style_id] = parent.get(VAL, "")
            ppr = style.find(PPR)
            numpr = ppr.find(NUMPR) if ppr is not None else None
            if numpr is not None:
                num_id = numpr.find(NUMID)
                ilvl = numpr.find(ILVL)
                own_numbering[style_id] = (
                    num_id.get(VAL, "0") if num_id is not None else "0",
                    _int(ilvl.get(VAL)) if ilvl is not None else 0,
                )
            rpr = style.find(RPR)
            bold = rpr.find(B) if rpr is not None else None
            if bold is not None:
                own_bold[style_id] = bold.get(VAL, "true").lower() not in _FALSE
            name = style.find(_w("name"))
            if name is not None and name.get(VAL, "").lower().startswith(("heading", "title")):
                own_bold.setdefault(style_id, True)
        for style_id in set(based) | set(own_numbering) | set(own_bold):
            current, seen = style_id, 0
            while current and seen < 10:
                if style_id not in self.style_numbering and current in own_numbering:
                    self.style_numbering[style_id] = own_numbering[current]
                if current in own_bold:
                    if own_bold[current]:
                        self.bold_styles.add(style_id)
                    break
                current, seen = based.get(current, ""), seen + 1

    # -- the body

    def blocks(self) -> list[DocumentBlock]:
        out: list[DocumentBlock] = []
        self._walk(self.body, out)
        return out

    def _walk(self, parent, out: list[DocumentBlock]) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == P:
                self.paragraph_no += 1
                text = self._paragraph_text(child)
                bold = self._is_bold(child) if text.strip() else False
                for line in text.split("\n") if text else [""]:
                    out.append(TextBlock(line.strip(), self.paragraph_no, bold))
            elif tag == TBL:
                out.append(self._table(child, 0))
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self._walk(content, out)
            elif tag in _WRAPPERS:
                self._walk(child, out)

    def _is_bold(self, paragraph) -> bool:
        ppr = paragraph.find(PPR)
        style = ppr.find(PSTYLE) if ppr is not None else None
        style_bold = style is not None and style.get(VAL, "") in self.bold_styles
        seen = False
        for run in paragraph.iter(R):
            if not any((t.text or "").strip() for t in run.iterchildren(T)):
                continue
            seen = True
            rpr = run.find(RPR)
            bold = rpr.find(B) if rpr is not None else None
            if bold is None:
                if not style_bold:
                    return False
            elif bold.get(VAL, "true").lower() in _FALSE:
                return False
        return seen

    def _paragraph_text(self, paragraph) -> str:
        parts: list[str] = []
        if paragraph.find(f".//{TXBX}") is None:
            elements: Iterator = paragraph.iter(T, TAB, BR, CR, NBH)
        else:
            elements = _iter_skipping_fallback(paragraph)
        for element in elements:
            tag = element.tag
            if tag == T:
                parts.append(element.text or "")
            elif tag == TAB:
                parts.append("\t")
            elif tag in (BR, CR):
                parts.append("\n")
            elif tag == NBH:
                parts.append("-")
        text = "".join(parts)
        marker = self._list_marker(paragraph)
        if marker and text.strip():
            return marker + text.strip()
        return text

    def _list_marker(self, paragraph) -> str:
        ppr = paragraph.find(PPR)
        if ppr is None:
            return ""
        numpr = ppr.find(NUMPR)
        num_id: str | None = None
        ilvl = 0
        if numpr is not None:
            node = numpr.find(NUMID)
            num_id = node.get(VAL) if node is not None else None
            node = numpr.find(ILVL)
            ilvl = _int(node.get(VAL)) if node is not None else 0
        if num_id is None:
            style = ppr.find(PSTYLE)
            if style is None:
                return ""
            found = self.style_numbering.get(style.get(VAL, ""))
            if found is None:
                return ""
            num_id, style_level = found
            ilvl = ilvl or style_level
        if not num_id or num_id == "0":
            return ""
        levels = self.levels.get(num_id)
        if not levels:
            return BULLET
        ilvl = max(0, min(ilvl, 8))
        fmt, pattern, start = levels.get(ilvl, ("bullet", "", 1))
        if fmt == "bullet":
            return BULLET
        if fmt == "none":
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        text = pattern or f"%{ilvl + 1}."
        for level in range(ilvl, -1, -1):
            level_fmt, _, level_start = levels.get(level, ("decimal", "", 1))
            value = counters[level] or level_start
            text = text.replace(f"%{level + 1}", _format_number(value, level_fmt))
        return text.strip() + " " if text.strip() else ""

    # -- tables

    def _table(self, table, depth: int) -> RawTable:
        grid = table.find(TBLGRID)
        grid_width = len(grid.findall(GRIDCOL)) if grid is not None else 0
        rows: list[list[str]] = []
        spans: list[list[tuple[int, int, bool]]] = []
        raw = RawTable(rows, [])
        for row_index, tr in enumerate(_children(table, TR)):
            trpr = tr.find(TRPR)
            before = 0
            if trpr is not None:
                node = trpr.find(GRID_BEFORE)
                before = max(0, min(_int(node.get(VAL)) if node is not None else 0, MAX_COLUMNS))
            cells = [""] * before
            row_spans: list[tuple[int, int, bool]] = []
            for tc in _children(tr, TC):
                span, skip = 1, False
                tcpr = tc.find(TCPR)
                if tcpr is not None:
                    for node in tcpr.iterchildren(GRIDSPAN, VMERGE, HMERGE):
                        if node.tag == GRIDSPAN:
                            span = max(1, min(_int(node.get(VAL), 1), MAX_COLUMNS))
                        elif node.get(VAL, "continue") != "restart":
                            skip = True
                text = "" if skip else self._cell_text(tc, raw, row_index, len(cells), depth)
                row_spans.append((len(cells), span, bool(text.strip())))
                cells.append(text)
                cells.extend([""] * (span - 1))
                if len(cells) > MAX_COLUMNS:
                    del cells[MAX_COLUMNS:]
                    break
            rows.append(cells)
            spans.append(row_spans)
            raw.row_numbers.append(row_index + 1)
        width = max([grid_width, *(len(r) for r in rows)]) if rows else grid_width
        width = min(width, MAX_COLUMNS)
        for index, cells in enumerate(rows):
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            with_text = [s for s in spans[index] if s[2]]
            if width >= 2 and len(with_text) == 1:
                start, span, _ = with_text[0]
                if span >= 2 and start <= 1 and start + span >= width:
                    raw.section_rows.add(index)
        return raw

    def _cell_text(self, tc, raw: RawTable, row: int, column: int, depth: int) -> str:
        lines: list[str] = []
        self._cell_lines(tc, lines, raw, row, column, depth)
        return "\n".join(lines)

    def _cell_lines(self, parent, lines: list[str], raw: RawTable, row: int, column: int, depth: int) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == P:
                text = self._paragraph_text(child)
                if text.strip():
                    lines.append(text)
            elif tag == TBL:
                if depth >= MAX_NESTING:
                    lines.extend(t for t in (self._paragraph_text(p) for p in child.iter(P)) if t.strip())
                    continue
                nested = self._table(child, depth + 1)
                raw.nested.append(nested)
                raw.nested.extend(nested.nested)
                count = 0
                for cells in nested.rows:
                    texts = [" ".join(c.split()) for c in cells if c.strip()]
                    if texts:
                        lines.append(" – ".join(texts))
                        count += 1
                raw.notes.append(
                    (
                        row,
                        column,
                        f"В ячейке таблицы вложенная таблица ({count} строк): её текст перенесён в ячейку "
                        "построчно, через «–». Проверьте этот пункт плана.",
                    )
                )
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self._cell_lines(content, lines, raw, row, column, depth)
            elif tag in _WRAPPERS:
                self._cell_lines(child, lines, raw, row, column, depth)


def _children(parent, tag: str) -> Iterator:
    """The parent's `tag` children, including those wrapped in content controls (w:sdt) or w:customXml."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _iter_skipping_fallback(element) -> Iterator:
    """Text elements in document order, without mc:Fallback copies of text boxes."""
    for child in element.iterchildren():
        if child.tag == FALLBACK:
            continue
        if child.tag in (T, TAB, BR, CR, NBH):
            yield child
        else:
            yield from _iter_skipping_fallback(child)
