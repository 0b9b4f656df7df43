"""An order, directive or letter (`OrderDocument`) as a Word document.

The layout follows ГОСТ Р 7.0.97-2025 and the PDF of the same document: A4, margins top 20 /
right 10 / bottom 20 / left 20 or 30 mm, Liberation Serif (metric twin of Times New Roman), a
1.25 cm first-line indent, page numbers from page 2 centred in the top margin, each appendix in
its own section (portrait or landscape) with its stamp in the top right corner. Numbers of points
are plain text, not Word numbering, so they print exactly as stored in the order.
"""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.exporting.files import check_target, write_atomically
from app.exporting.plan_docx import FONT, _no_split, _repeat_as_header, _set_cell_text
from app.orders.document import Appendix, Image, OrderDocument, Paragraph, Point, Table

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0
TOP_MM, RIGHT_MM, BOTTOM_MM = 20.0, 10.0, 20.0
HEADER_DISTANCE_MM = 10.0  # the page number sits in the middle of the 20 mm top margin
INDENT_MM = 12.5
STAMP_SHARE = 0.4  # the appendix stamp takes the right 40 % of the line…
STAMP_MIN_MM = 80.0  # …but never less than what «к распоряжению комитета образования» needs
QR_MM = 20.0
DRAFT_MARK = "ПРОЕКТ"

# XML 1.0 forbids these; python-docx raises on them. \t and \n are kept (tab and line break).
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe for WordprocessingML: line breaks unified to \\n, forbidden characters dropped."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _INVALID_XML.sub("", text)


def build_order_docx(document: OrderDocument) -> Any:
    """The document as a python-docx `Document`, ready to save."""
    from docx import Document

    doc = Document()
    writer = _Writer(doc, document)
    writer.setup_styles()
    writer.set_properties()
    section = doc.sections[0]
    writer.setup_section(section, landscape=False)
    section.different_first_page_header_footer = True
    writer.fill_header(section.first_page_header, section, page_number=False)
    writer.fill_header(section.header, section, page_number=True)
    if document.qr_text.strip():
        writer.add_qr(section)
    if document.kind == "letter":
        writer.letter_head()
    else:
        writer.order_head()
    writer.body()
    for appendix in document.appendices:
        writer.appendix(appendix)
    return doc


def write_order_docx(document: OrderDocument, path: Path) -> None:
    path = check_target(path, (".docx",), "Документ сохраняется в формате Word")
    doc = build_order_docx(document)
    write_atomically(path, doc.save)


class _Writer:
    """Adds the parts of one `OrderDocument` to a python-docx document, in reading order."""

    def __init__(self, doc: Any, document: OrderDocument) -> None:
        self.doc = doc
        self.d = document
        self.size = float(document.font_size)
        self.small = min(10.0, self.size)  # the executor's note and the like
        self.table_size = max(10.0, self.size - 2)  # appendix tables: a size smaller than the text

    # --- page set-up ----------------------------------------------------------------------
    def setup_styles(self) -> None:
        from docx.shared import Pt

        styles = self.doc.styles
        defaults = styles.element.find(_qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{_qn('w:rPrDefault')}/{_qn('w:rPr')}")
            if rpr is not None:
                _set_fonts(rpr)
                _set_lang(rpr)
            ppr = defaults.find(f"{_qn('w:pPrDefault')}/{_qn('w:pPr')}")
            if ppr is not None:
                spacing = ppr.find(_qn("w:spacing"))
                if spacing is not None:  # the template's 10 pt after and 1.15 lines
                    ppr.remove(spacing)
        normal = styles["Normal"]
        normal.font.size = Pt(self.size)
        _set_fonts(normal.element.get_or_add_rPr())
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0

    def set_properties(self) -> None:
        """File properties Word shows: the order's title instead of the template's «python-docx»."""
        properties = self.doc.core_properties
        properties.title = clean(" ".join(self.d.title.split()))[:255]
        properties.subject = clean(self.d.kind_title)
        properties.author = properties.last_modified_by = ""
        properties.comments = ""
        properties.created = properties.modified = datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    def setup_section(self, section: Any, *, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(self.d.left_margin_mm), Mm(RIGHT_MM)
        section.header_distance = Mm(HEADER_DISTANCE_MM)
        section.footer_distance = Mm(HEADER_DISTANCE_MM)
        section.gutter = 0

    def usable(self, section: Any) -> int:
        return int(section.page_width - section.left_margin - section.right_margin)

    def fill_header(self, header: Any, section: Any, *, page_number: bool) -> None:
        """A centred PAGE field and, for a draft, «ПРОЕКТ» at the right, in one line."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT

        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.style = self.doc.styles["Normal"]  # the Header style's Letter-sized tab stops
        width = self.usable(section)
        if page_number and self.d.draft:
            paragraph.paragraph_format.tab_stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CENTER)
            paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
            self.run(paragraph, "\t", size=self.size)
            _add_page_field(paragraph)
            self.run(paragraph, "\t" + DRAFT_MARK, bold=True)
        elif page_number:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_page_field(paragraph)
        elif self.d.draft:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            self.run(paragraph, DRAFT_MARK, bold=True)

    def add_qr(self, section: Any) -> None:
        """The 2025 edition's optional QR code, bottom right of page 1 (the first-page footer)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        png = qr_png(clean(self.d.qr_text))
        if png is None:
            return
        section.footer_distance = Mm(5)
        footer = section.first_page_footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = self.doc.styles["Normal"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(QR_MM))

    # --- paragraphs -----------------------------------------------------------------------
    def run(self, paragraph: Any, text: str, *, bold: bool = False, size: float | None = None) -> Any:
        from docx.shared import Pt

        run = paragraph.add_run(clean(text))  # python-docx turns \n into <w:br/> and \t into <w:tab/>
        if bold:
            run.bold = True
        if size is not None and size != self.size:
            run.font.size = Pt(size)
        return run

    def para(
        self,
        text: str,
        *,
        align: str = "justify",
        indent: bool = False,
        bold: bool = False,
        size: float | None = None,
        before: float = 0,
        after: float = 0,
        keep_next: bool = False,
        container: Any = None,
    ) -> Any:
        from docx.shared import Mm, Pt

        paragraph = (container or self.doc).add_paragraph()
        paragraph.alignment = _alignment(align)
        fmt = paragraph.paragraph_format
        if indent:
            fmt.first_line_indent = Mm(INDENT_MM)
        if before:
            fmt.space_before = Pt(before)
        if after:
            fmt.space_after = Pt(after)
        if keep_next:
            fmt.keep_with_next = True
        self.run(paragraph, text, bold=bold, size=size)
        return paragraph

    def lines(self) -> float:
        """One empty line of body text, in points, for spacing between parts."""
        return self.size * 1.15

    # --- the head of page 1 ---------------------------------------------------------------
    def order_head(self) -> None:
        from docx.enum.text import WD_TAB_ALIGNMENT

        d = self.d
        for line in d.letterhead:
            self.para(line, align="centre", bold=True, keep_next=True)
        if d.kind_title:
            self.para(d.kind_title, align="centre", bold=True, before=self.lines(), keep_next=True)
        date = f"от {d.date_text}" if d.date_text else "от «___» ____________ 20___ г."
        number = f"№ {d.number}" if d.number else "№ ________"
        paragraph = self.para(f"{date}\t{number}", align="left", before=self.lines(), keep_next=True)
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            self.usable(self.doc.sections[-1]), WD_TAB_ALIGNMENT.RIGHT
        )
        if d.place:
            self.para(d.place, align="centre", before=self.lines() / 2, keep_next=True)
        self.title()

    def letter_head(self) -> None:
        """Letterhead with the register line at the left, the addressee at the right."""
        from docx.shared import Mm

        d = self.d
        width = self.usable(self.doc.sections[-1])
        table = self.doc.add_table(rows=1, cols=2)
        _plain_table(table, [width // 2, width - width // 2])
        left, right = table.rows[0].cells
        head_size = max(10.0, self.size - 2)  # the letterhead carries address lines too
        first = True
        for line in d.letterhead:
            self.cell_para(left, line, first=first, align="centre", size=head_size)
            first = False
        date = d.date_text or "____________"
        number = d.number or "________"
        self.cell_para(left, f"от {date} № {number}", first=first, align="centre", before=self.lines() / 2)
        if d.reply_to:
            self.cell_para(left, d.reply_to, first=False, align="centre")
        first = True
        for line in d.addressee:
            paragraph = self.cell_para(right, line, first=first, align="left")
            paragraph.paragraph_format.left_indent = Mm(10)
            first = False
        self.title()

    def cell_para(
        self, cell: Any, text: str, *, first: bool, align: str, size: float | None = None, before: float = 0
    ) -> Any:
        from docx.shared import Pt

        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.alignment = _alignment(align)
        if before:
            paragraph.paragraph_format.space_before = Pt(before)
        self.run(paragraph, text, size=size)
        return paragraph

    def title(self) -> None:
        """The title in a left block, narrower than the line as on a printed blank."""
        from docx.shared import Mm

        if not self.d.title:
            return
        paragraph = self.para(self.d.title, align="left", bold=True, before=self.lines(), after=self.lines())
        width = self.usable(self.doc.sections[-1])
        paragraph.paragraph_format.right_indent = int(width - max(Mm(110), width * 0.6))
        paragraph.paragraph_format.keep_with_next = True

    # --- the text -------------------------------------------------------------------------
    def body(self) -> None:
        d = self.d
        for text in d.preamble:
            self.para(text, indent=True)
        if d.directive:
            self.para(d.directive, align="left", before=self.lines() / 2, after=self.lines() / 2)
        for point in d.points:
            self.point(point)
        if d.control:
            self.para(_numbered(d.control_number, d.control), indent=True, keep_next=True)
        if d.attachments_note:
            self.para(d.attachments_note, align="left", before=self.lines())
        self.signature()
        if d.distribution:
            self.para(f"Разослано: {d.distribution}", align="left", before=self.lines() * 2)
        if d.executor:
            self.para(d.executor, align="left", size=self.small, before=self.lines() * 2)

    def point(self, point: Point) -> None:
        if point.addressee:
            text = f"{point.addressee}:" + (f" {point.text}" if point.text else "")
        else:
            text = point.text
        self.para(_numbered(point.number, text), indent=True)
        for child in point.children:
            self.point(child)
        # After the sub-points: a deadline under «2. Руководителям ОО:» covers all of 2.1, 2.2…
        if point.responsible:
            self.para(f"Ответственный: {point.responsible}", indent=True)
        if point.deadline:
            self.para(f"Срок: {point.deadline}", indent=True)

    def signature(self) -> None:
        """Position at the left, the name at the right on the position's last line."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.shared import Pt

        d = self.d
        if not (d.signer_position or d.signer_name):
            return
        width = self.usable(self.doc.sections[-1])
        table = self.doc.add_table(rows=1, cols=2)
        _plain_table(table, [int(width * 0.6), width - int(width * 0.6)])
        position, name = table.rows[0].cells
        _no_split(table.rows[0])
        for cell, text, align in ((position, d.signer_position, "left"), (name, d.signer_name, "right")):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = _alignment(align)
            paragraph.paragraph_format.space_before = Pt(self.lines() * 2)
            self.run(paragraph, text)
        name.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM

    # --- appendices -----------------------------------------------------------------------
    def appendix(self, appendix: Appendix) -> None:
        from docx.enum.section import WD_SECTION
        from docx.shared import Mm

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self.setup_section(section, landscape=appendix.landscape)
        section.different_first_page_header_footer = False  # pages go on being numbered
        self.fill_header(section.header, section, page_number=True)
        width = self.usable(section)
        stamp_indent = int(width - max(Mm(STAMP_MIN_MM), width * STAMP_SHARE))
        for line in appendix.stamp:
            paragraph = self.para(line, align="left", keep_next=True)
            paragraph.paragraph_format.left_indent = stamp_indent
        if appendix.title:
            self.para(
                appendix.title,
                align="centre",
                bold=True,
                before=self.lines(),
                after=self.lines(),
                keep_next=True,
            )
        for block in appendix.blocks:
            if isinstance(block, Table):
                self.table(block, width)
            elif isinstance(block, Image):
                self.image(block, section)
            elif isinstance(block, Paragraph):
                self.para(block.text, align=block.align, indent=block.indent, bold=block.bold)

    def table(self, block: Table, width: int) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT

        if not block.header and not block.rows:
            return  # Word calls a table without rows a damaged file
        # The header sets the columns; a longer row folds its extra cells into the last one.
        columns = len(block.header) or max([*(len(r.cells) for r in block.rows), 1])
        # A short, long, zero or NaN width list must not break the file: missing or bad widths count 1.
        weights = [float(w) for w in block.widths[:columns]] + [1.0] * (columns - len(block.widths))
        weights = [w if math.isfinite(w) and w > 0 else 1.0 for w in weights]
        total = sum(weights)
        widths = [int(width * w / total) for w in weights]
        centred = set(block.centred)

        table = self.doc.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, column_width in zip(table.columns, widths, strict=True):
            column.width = column_width  # the grid: what LibreOffice reads
        if block.header:
            row = table.add_row()
            _repeat_as_header(row)
            for cell, text, column_width in zip(row.cells, _fit(block.header, columns), widths, strict=True):
                cell.width = column_width
                _set_cell_text(cell, clean(text), bold=True, size=self.table_size, centre=True)
        for source in block.rows:
            row = table.add_row()
            if source.section:
                cell = row.cells[0].merge(row.cells[-1]) if columns > 1 else row.cells[0]
                text = "\n".join(c for c in source.cells if c)  # a section row is one text
                _set_cell_text(cell, clean(text), bold=True, size=self.table_size, centre=True)
                continue
            _no_split(row)
            cells = _fit(source.cells, columns)
            for index, (cell, text, column_width) in enumerate(zip(row.cells, cells, widths, strict=True)):
                cell.width = column_width
                _set_cell_text(cell, clean(text), size=self.table_size, centre=index in centred)
        # A small gap before whatever follows; also keeps two tables from fusing into one.
        self.para("", align="left")

    def image(self, block: Image, section: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        width = self.usable(section)
        height = int(section.page_height - section.top_margin - section.bottom_margin) - Mm(20)
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = bool(block.caption)
        try:
            wanted = Mm(block.width_mm) if 0 < block.width_mm < 10_000 else width  # NaN, inf, 0: the line
            shape = paragraph.add_run().add_picture(io.BytesIO(block.png), width=min(wanted, width))
        except Exception:  # a damaged picture: say so in its place rather than fail the whole order
            self.run(paragraph, "[изображение не удалось прочитать]")
        else:
            if shape.height > height > 0:  # taller than the page: shrink keeping the proportions
                shape.width, shape.height = int(shape.width * height / shape.height), height
        if block.caption:
            self.para(block.caption, align="centre", after=self.lines() / 2)


# --- helpers --------------------------------------------------------------------------------


def qr_png(text: str) -> bytes | None:
    """A QR code of `text` as PNG, or None when the text does not fit into one.

    reportlab's renderPM needs rlPyCairo, which is not installed; the code matrix comes from
    reportlab's encoder and Pillow (a dependency of reportlab) draws it.
    """
    from PIL import Image as PilImage
    from reportlab.graphics.barcode import qrencoder

    try:
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(text)
        code.make()
    except Exception:  # longer than the biggest code holds
        return None
    count = code.getModuleCount()
    border, scale = 4, 8  # the quiet zone the standard asks for; 8 px per module prints sharp
    side = (count + 2 * border) * scale
    picture = PilImage.new("1", (side, side), 1)
    pixels = picture.load()
    for r in range(count):
        for c in range(count):
            if code.isDark(r, c):
                x0, y0 = (c + border) * scale, (r + border) * scale
                for y in range(y0, y0 + scale):
                    for x in range(x0, x0 + scale):
                        pixels[x, y] = 0
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", dpi=(300, 300))
    return buffer.getvalue()


def _numbered(number: str, text: str) -> str:
    return f"{number} {text}" if number else text


def _fit(cells: list[str], columns: int) -> list[str]:
    """Exactly `columns` cells: short rows padded, extra cells folded into the last one, not lost."""
    cells = list(cells)
    if len(cells) > columns:
        cells = [*cells[: columns - 1], "\n".join(c for c in cells[columns - 1 :] if c)]
    return cells + [""] * (columns - len(cells))


def _alignment(align: str) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "centre": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }.get(align, WD_ALIGN_PARAGRAPH.JUSTIFY)


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _set_fonts(rpr: Any) -> None:
    """All four font slots, so Word substitutes nothing for Cyrillic or complex-script text."""
    from docx.oxml import OxmlElement

    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_qn(theme), None)  # a theme font would win over the named one
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(_qn(slot), FONT)


def _set_lang(rpr: Any) -> None:
    lang = rpr.find(_qn("w:lang"))
    if lang is not None:  # Russian spelling and hyphenation instead of the template's English
        lang.set(_qn("w:val"), "ru-RU")
        lang.set(_qn("w:eastAsia"), "ru-RU")


def _add_page_field(paragraph: Any) -> None:
    """A PAGE field; Word and LibreOffice both fill it in when the page is laid out."""
    from docx.oxml import OxmlElement

    def field_run(kind: str | None = None, instruction: str | None = None, text: str | None = None) -> None:
        run = paragraph.add_run(text or "")
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(_qn("w:fldCharType"), kind)
            run._r.append(char)
        if instruction:
            instr = OxmlElement("w:instrText")
            instr.set(_qn("xml:space"), "preserve")
            instr.text = instruction
            run._r.append(instr)

    field_run("begin")
    field_run(instruction=" PAGE ")
    field_run("separate")
    field_run(text="2")
    field_run("end")


def _plain_table(table: Any, widths: list[int]) -> None:
    """A layout table: no borders, no cell padding, so its text lines up with the margins."""
    from docx.oxml import OxmlElement

    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(_qn("w:val"), "nil")
        borders.append(element)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(_qn("w:w"), "0")
        element.set(_qn("w:type"), "dxa")
        margins.append(element)
    _insert_in_order(properties, borders)
    _insert_in_order(properties, margins)


# The order of w:tblPr children the schema requires (Word refuses a file that breaks it).
_TBLPR_ORDER = (
    *("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize"),
    *("tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"),
    *("tblCaption", "tblDescription"),
)


def _insert_in_order(properties: Any, element: Any) -> None:
    name = element.tag.split("}")[1]
    rank = _TBLPR_ORDER.index(name)
    for old in properties.findall(element.tag):
        properties.remove(old)
    for index, child in enumerate(properties):
        child_name = child.tag.split("}")[1]
        if child_name in _TBLPR_ORDER and _TBLPR_ORDER.index(child_name) > rank:
            properties.insert(index, element)
            return
    properties.append(element)
