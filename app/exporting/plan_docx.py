"""A plan of measures as a Word document, ready to be an order's appendix.

A4 landscape with the margins of ГОСТ Р 7.0.97-2025 (left 20 mm, right 10 mm, top and bottom
20 mm), Liberation Serif 12 pt (metric twin of Times New Roman, freely licensed), the appendix
stamp in the top right corner when given, the title centred above the table, the header row
repeated on every page, sections as merged heading rows, paragraphs and list lines of a cell
kept as separate paragraphs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.exporting.files import check_target, write_atomically
from app.exporting.plan_xlsx import cell_text
from app.plans.model import ColumnRole, Plan

FONT = "Liberation Serif"
_WEIGHTS = {
    ColumnRole.NUMBER: 0.6,
    ColumnRole.MEASURE: 4.5,
    ColumnRole.DEADLINE: 1.8,
    ColumnRole.RESPONSIBLE: 2.4,
    ColumnRole.RESULT: 2.6,
    ColumnRole.SCHOOLS: 2.2,
    ColumnRole.OTHER: 1.8,
}


def _set_cell_text(
    cell: Any, text: str, *, bold: bool = False, size: float = 11, centre: bool = False
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    lines = text.split("\n") if text else [""]
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if centre:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)
        run.font.name = FONT


def _repeat_as_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _no_split(row: Any) -> None:
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def build_plan_document(plan: Plan, *, appendix_stamp: str = "", document: Any = None) -> Any:
    """The plan as a python-docx Document (or appended to `document`)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = document if document is not None else Document()
    section = doc.sections[-1]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(20), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)

    if appendix_stamp:
        for line in appendix_stamp.split("\n"):
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.add_run(line).font.name = FONT
        doc.add_paragraph()
    for line in plan.title.split("\n"):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(line)
        run.bold = True
        run.font.name = FONT
    doc.add_paragraph()

    columns = list(plan.columns)
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    usable = Mm(297 - 20 - 10)
    total = sum(_WEIGHTS[c.role] for c in columns)
    widths = [int(usable * _WEIGHTS[c.role] / total) for c in columns]
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, column, width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        _set_cell_text(cell, column.title, bold=True, centre=True)

    sections = {s.id: s for s in plan.sections}
    current: int | None = None
    for item in plan.items:
        if item.section_id != current and item.section_id in sections:
            current = item.section_id
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1]) if len(columns) > 1 else row.cells[0]
            _set_cell_text(merged, sections[item.section_id].title, bold=True, centre=True)
        row = table.add_row()
        _no_split(row)
        for cell, column, width in zip(row.cells, columns, widths, strict=True):
            cell.width = width
            _set_cell_text(
                cell, cell_text(item, column.role, column.title), centre=column.role is ColumnRole.NUMBER
            )
    return doc


def export_plan_docx(plan: Plan, path: Path, *, appendix_stamp: str = "") -> Path:
    path = check_target(path, (".docx",), "План выгружается в документ Word")
    doc = build_plan_document(plan, appendix_stamp=appendix_stamp)
    write_atomically(path, doc.save)
    return path
