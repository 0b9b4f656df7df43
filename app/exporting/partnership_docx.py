"""The partnership list as a Word table, ready to be an order's appendix («Приложение 4 к приказу …»).

Portrait A4 with the margins of ГОСТ Р 7.0.97-2025, Liberation Serif 12 pt, the header row
repeated on every page: № п/п, школа с низкими результатами, школы-партнёры, форма взаимодействия,
совместные мероприятия.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.domain import academic_year_label
from app.exporting.files import check_target, write_atomically
from app.exporting.plan_docx import FONT, _no_split, _repeat_as_header, _set_cell_text
from app.partnerships.model import PartnershipGroup

HEADER = (
    "№ п/п",
    "Школа с низкими результатами",
    "Школы-партнёры",
    "Форма взаимодействия",
    "Совместные мероприятия",
)
WEIGHTS = (0.6, 3.2, 3.6, 1.8, 3.8)


def partnership_rows(groups: Sequence[PartnershipGroup]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for number, group in enumerate(groups, start=1):
        targets = "\n".join(m.name for m in group.targets)
        supporters = "\n".join(
            m.name if m.role.value == "partner" else f"{m.name} ({m.role.short_label})"
            for m in group.supporters
        )
        form = group.kind.label
        if group.agreement_text():
            form += f"\nсоглашение {group.agreement_text()}"
        rows.append((str(number), targets, supporters, form, group.activities))
    return rows


def build_partnership_document(
    groups: Sequence[PartnershipGroup], year: int, *, appendix_stamp: str = "", document: Any = None
) -> Any:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = document if document is not None else Document()
    section = doc.sections[-1]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(20), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    doc.styles["Normal"].font.name = FONT
    doc.styles["Normal"].font.size = Pt(12)
    if appendix_stamp:
        for line in appendix_stamp.split("\n"):
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.add_run(line).font.name = FONT
        doc.add_paragraph()
    for line in (
        "Список сетевого партнёрства",
        "образовательных организаций с низкими образовательными результатами",
        f"и образовательных организаций-партнёров на {academic_year_label(year)} учебный год",
    ):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(line)
        run.bold = True
        run.font.name = FONT
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    usable = Mm(210 - 20 - 10)
    widths = [int(usable * w / sum(WEIGHTS)) for w in WEIGHTS]
    _repeat_as_header(table.rows[0])
    for cell, title, width in zip(table.rows[0].cells, HEADER, widths, strict=True):
        cell.width = width
        _set_cell_text(cell, title, bold=True, centre=True)
    for values in partnership_rows(groups):
        row = table.add_row()
        _no_split(row)
        for index, (cell, value, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = width
            _set_cell_text(cell, value, centre=index == 0)
    return doc


def export_partnerships_docx(
    groups: Sequence[PartnershipGroup], year: int, path: Path, *, appendix_stamp: str = ""
) -> Path:
    path = check_target(path, (".docx",), "Список партнёрств выгружается в документ Word")
    doc = build_partnership_document(groups, year, appendix_stamp=appendix_stamp)
    write_atomically(path, doc.save)
    return path
