"""Building a plan document in other formats from a parsed one: .docx (python-docx), .xlsx (openpyxl)
and the HTML Word puts on the clipboard, the way offices really make them.

A cell's lines become paragraphs; a line starting with «– » becomes a bulleted list paragraph
(Word's «List Bullet» style, or Word's mso-list markup in HTML); a section row is one cell merged
across the table; `split` writes an item as two rows, its number cell merged down (vMerge in
.docx, rowspan in HTML), the measure cut in the middle of a sentence the way a page break cuts it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from app.importing.plan_parse import ColumnRole, ParsedDocument, ParsedItem, ParsedPlan

STAMP = ["Приложение 1", "к приказу отдела образования", "от 01.09.2021 № 15"]
FIELDS = {
    ColumnRole.NUMBER: "number",
    ColumnRole.MEASURE: "measure",
    ColumnRole.DEADLINE: "deadline",
    ColumnRole.RESPONSIBLE: "responsible",
    ColumnRole.RESULT: "result",
    ColumnRole.SCHOOLS: "schools",
}
Split = set[tuple[int, str]]  # (plan index, item number) written as two rows


def cell_value(item: ParsedItem, role: ColumnRole, title: str) -> str:
    if role is ColumnRole.OTHER:
        return item.other.get(title, "")
    return getattr(item, FIELDS[role])


def split_text(text: str) -> tuple[str, str]:
    """The text cut before a lowercase word after a space, near the middle: «… в эффективный» +
    «режим функционирования» (a sentence a page break cut)."""
    cuts = [m.start() for m in re.finditer(r"(?<=[^\W\d_]) (?=[а-яё])", text)]
    if not cuts:
        raise ValueError(f"no place to split {text!r}")
    cut = min(cuts, key=lambda c: abs(c - len(text) // 2))
    return text[:cut], text[cut + 1 :]


def rows_of(plan: ParsedPlan, plan_index: int, split: Split) -> list[tuple[str, list[str] | str]]:
    """('section', title) and ('row', cells) / ('split', [cells of first row, cells of second row])."""
    out: list[tuple[str, object]] = []
    for section in plan.sections:
        if section.title:
            out.append(("section", section.title))
        for item in section.items:
            cells = [cell_value(item, c.role, c.title) for c in plan.columns]
            if (plan_index, item.number) in split:
                measure = [c.role for c in plan.columns].index(ColumnRole.MEASURE)
                first, second = split_text(cells[measure])
                top = list(cells)
                top[measure] = first
                bottom = [""] * len(cells)
                bottom[measure] = second
                out.append(("split", [top, bottom]))
            else:
                out.append(("row", cells))
    return out  # type: ignore[return-value]


# ---- .docx --------------------------------------------------------------------------------------


def _fill_cell(cell, text: str, bold: bool = False) -> None:
    lines = text.split("\n") if text else [""]
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        if line.startswith("– "):
            paragraph.style = "List Bullet"
            line = line[2:]
        run = paragraph.add_run(line)
        run.bold = bold or None


def make_docx(
    path: Path, document: ParsedDocument, *, split: Split = frozenset(), stamp: bool = True
) -> Path:
    import docx

    word = docx.Document()
    for line in document.text_before.split("\n"):
        word.add_paragraph(line)
    for plan_index, plan in enumerate(document.plans):
        if stamp:
            for line in STAMP:  # no empty paragraph between the stamp and the title
                word.add_paragraph(line)
        word.add_paragraph().add_run(plan.title).bold = True
        rows = rows_of(plan, plan_index, split)
        width = len(plan.columns)
        table = word.add_table(rows=1, cols=width)
        table.style = "Table Grid"
        for cell, column in zip(table.rows[0].cells, plan.columns, strict=True):
            _fill_cell(cell, column.title, bold=True)
        for kind, value in rows:
            if kind == "section":
                cells = table.add_row().cells
                merged = cells[0].merge(cells[width - 1])
                _fill_cell(merged, value, bold=True)  # type: ignore[arg-type]
            elif kind == "row":
                for cell, text in zip(table.add_row().cells, value, strict=True):
                    _fill_cell(cell, text)
            else:
                top, bottom = value
                first = table.add_row().cells
                second = table.add_row().cells
                for cell, text in zip(first, top, strict=True):
                    _fill_cell(cell, text)
                for index, (cell, text) in enumerate(zip(second, bottom, strict=True)):
                    if index == 0:
                        continue
                    _fill_cell(cell, text)
                first[0].merge(second[0])  # the number cell merged down
        word.add_paragraph("")
    word.save(str(path))
    return path


# ---- .xlsx --------------------------------------------------------------------------------------


def make_xlsx(path: Path, plan: ParsedPlan) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "План"
    sheet.append([" ".join(STAMP)])
    sheet.append([plan.title])
    sheet.append([])
    sheet.append([c.title for c in plan.columns])
    width = len(plan.columns)
    for kind, value in rows_of(plan, 0, frozenset()):
        if kind == "section":
            sheet.append([value])
            row = sheet.max_row
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        else:
            sheet.append(value)
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(path)
    return path


# ---- clipboard HTML as Word writes it -----------------------------------------------------------

WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15">
<style><!-- p.MsoNormal {margin:0cm; font-size:12.0pt; font-family:"Times New Roman",serif;} --></style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
</head><body lang=RU style='tab-interval:35.4pt'>
<!--StartFragment-->
"""
WORD_TAIL = "<!--EndFragment-->\n</body></html>"


def _escape(text: str) -> str:
    """Escaped the way Word does, with entities, and wrapped at spaces like Word's HTML source."""
    escaped = html.escape(text, quote=False).replace("«", "&laquo;").replace("»", "&raquo;")
    words = escaped.split(" ")
    return "".join(w + ("\n" if i % 9 == 8 else " ") for i, w in enumerate(words)).rstrip(" \n")


def _html_paragraphs(text: str, bold: bool = False) -> str:
    out = []
    for line in text.split("\n") if text else [""]:
        if line.startswith("– "):
            out.append(
                "<p class=MsoListParagraphCxSpMiddle style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>"
                "<![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·"
                "<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span>"
                f"<![endif]><span>{_escape(line[2:])}</span><o:p></o:p></p>"
            )
        else:
            body = _escape(line) if line else "&nbsp;"
            if bold:
                body = f"<b><span style='font-size:12.0pt'>{body}</span></b>"
            out.append(f"<p class=MsoNormal style='margin:0cm'>{body}<o:p></o:p></p>")
    return "\n".join(out)


def _td(text: str, *, bold: bool = False, extra: str = "") -> str:
    return f"<td width=120 valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'{extra}>\n{_html_paragraphs(text, bold)}</td>"


def make_html(document: ParsedDocument, *, split: Split = frozenset()) -> str:
    parts = [WORD_HEAD]
    for line in document.text_before.split("\n"):
        parts.append(_html_paragraphs(line))
    for plan_index, plan in enumerate(document.plans):
        for line in STAMP:
            parts.append(f"<p class=MsoNormal align=right style='text-align:right'>{_escape(line)}</p>")
        parts.append("<p class=MsoNormal>&nbsp;</p>")
        parts.append(
            f"<p class=MsoNormal align=center style='text-align:center'><b>{_escape(plan.title)}</b></p>"
        )
        width = len(plan.columns)
        parts.append(
            "<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"
        )
        parts.append("<tr>" + "".join(_td(c.title, bold=True) for c in plan.columns) + "</tr>")
        for kind, value in rows_of(plan, plan_index, split):
            if kind == "section":
                parts.append(f"<tr>{_td(value, bold=True, extra=f' colspan={width}')}</tr>")  # type: ignore[arg-type]
            elif kind == "row":
                parts.append("<tr>" + "".join(_td(t) for t in value) + "</tr>")
            else:
                top, bottom = value
                parts.append(
                    "<tr>" + _td(top[0], extra=" rowspan=2") + "".join(_td(t) for t in top[1:]) + "</tr>"
                )
                parts.append("<tr>" + "".join(_td(t) for t in bottom[1:]) + "</tr>")
        parts.append("</table>\n<p class=MsoNormal>&nbsp;</p>")
    parts.append(WORD_TAIL)
    return "\n".join(parts)
