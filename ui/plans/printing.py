"""Printing a plan: an HTML table (the plan's own columns and the status) on landscape A4.

`plan_html` builds the document and is tested on its own; the preview renders it with
`QTextDocument`, whose tables repeat a `<thead>` row at the top of every printed page.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from app.domain import academic_year_label
from app.plans.model import ColumnRole, ItemStatus, Plan, PlanItem
from ui.plans.model import STATUS_TITLE

# Relative widths of the printed columns (the measure gets the most room).
_WIDTHS = {
    ColumnRole.NUMBER: 5,
    ColumnRole.MEASURE: 38,
    ColumnRole.DEADLINE: 13,
    ColumnRole.RESPONSIBLE: 16,
    ColumnRole.RESULT: 18,
    ColumnRole.SCHOOLS: 10,
    ColumnRole.OTHER: 10,
}
_STATUS_WIDTH = 11
FONT_FAMILY = "PT Astra Serif, Liberation Serif, Times New Roman, serif"


def _cell_text(item: PlanItem, role: ColumnRole, title: str) -> str:
    value = {
        ColumnRole.NUMBER: item.display_number,
        ColumnRole.MEASURE: item.measure,
        ColumnRole.DEADLINE: item.deadline.text,
        ColumnRole.RESPONSIBLE: item.responsible,
        ColumnRole.RESULT: item.result,
        ColumnRole.SCHOOLS: item.schools_text,
    }.get(role)
    if value is None:
        value = item.extra.get(title, "")
    return html.escape(value).replace("\n", "<br>")


def _status_text(item: PlanItem) -> str:
    if item.status is ItemStatus.PLANNED:
        return ""
    text = item.status.label
    if item.completed_on:
        text += f" {item.completed_on:%d.%m.%Y}"
    if item.evidence:
        text += f"<br>{html.escape(item.evidence)}"
    return text


def plan_html(plan: Plan, *, printed_on: date | None = None) -> str:
    """The whole plan as one HTML table: a heading row repeated on each page, sections spanning."""
    columns = plan.columns
    total = sum(_WIDTHS[c.role] for c in columns) + _STATUS_WIDTH
    span = len(columns) + 1
    parts = [
        "<html><head><meta charset='utf-8'></head>",
        f'<body style="font-family: {FONT_FAMILY}; font-size: 10pt;">',
        f"<p align='center' style='font-size: 12pt;'><b>{html.escape(plan.title).replace(chr(10), '<br>')}</b></p>",
    ]
    subtitle = [plan.kind.label]
    if plan.academic_year is not None:
        subtitle.append(f"{academic_year_label(plan.academic_year)} учебный год")
    subtitle.append(f"период: {plan.period_start:%d.%m.%Y} — {plan.period_end:%d.%m.%Y}")
    if printed_on is not None:
        subtitle.append(f"состояние на {printed_on:%d.%m.%Y}")
    parts.append(f"<p align='center'>{html.escape(', '.join(subtitle))}</p>")
    parts.append(
        "<table width='100%' border='1' cellspacing='0' cellpadding='3' "
        "style='border-collapse: collapse; border-color: #000;'>"
    )
    parts.append("<thead><tr>")
    for column in columns:
        width = round(100 * _WIDTHS[column.role] / total)
        parts.append(f"<th width='{width}%' bgcolor='#eeeeee'>{html.escape(column.title)}</th>")
    parts.append(f"<th width='{round(100 * _STATUS_WIDTH / total)}%' bgcolor='#eeeeee'>{STATUS_TITLE}</th>")
    parts.append("</tr></thead><tbody>")
    by_section: dict[int | None, list[PlanItem]] = {}
    for item in plan.items:
        by_section.setdefault(item.section_id, []).append(item)

    def item_rows(items: list[PlanItem]) -> None:
        for item in items:
            parts.append("<tr>")
            for column in columns:
                align = " align='center'" if column.role is ColumnRole.NUMBER else ""
                parts.append(f"<td valign='top'{align}>{_cell_text(item, column.role, column.title)}</td>")
            parts.append(f"<td valign='top'>{_status_text(item)}</td>")
            parts.append("</tr>")

    item_rows(by_section.get(None, []))
    for section in plan.sections:
        parts.append(
            f"<tr><td colspan='{span}' bgcolor='#f4f4f4'><b>{html.escape(section.title)}</b></td></tr>"
        )
        item_rows(by_section.get(section.id, []))
    parts.append("</tbody></table></body></html>")
    return "".join(parts)


def plan_document(plan: Plan, printed_on: date | None = None) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(plan_html(plan, printed_on=printed_on))
    return document


def make_printer() -> QPrinter:
    """Landscape A4 with the office's usual margins (20 mm left, top and bottom, 10 mm right)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(20, 20, 10, 20),
            QPageLayout.Unit.Millimeter,
        )
    )
    return printer


def render(plan: Plan, printer: QPrinter, printed_on: date | None = None) -> None:
    document = plan_document(plan, printed_on)
    page = printer.pageLayout().paintRectPoints()
    document.setPageSize(QSizeF(page.width(), page.height()))
    document.print_(printer)


def print_to_pdf(plan: Plan, path: Path, printed_on: date | None = None) -> None:
    printer = make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    render(plan, printer, printed_on)


def open_print_preview(parent: QWidget, plan: Plan, printed_on: date | None = None) -> QPrintPreviewDialog:
    printer = make_printer()
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Печать: {plan.title.splitlines()[0] if plan.title else 'план'}")
    dialog.paintRequested.connect(lambda target: render(plan, target, printed_on))
    dialog.resize(1100, 800)
    # The printer (not a QObject) must live as long as the dialog: kept here until it closes.
    entry = (dialog, printer)
    _open_previews.append(entry)
    dialog.finished.connect(lambda _result: _open_previews.remove(entry) if entry in _open_previews else None)
    dialog.open()
    return dialog


_open_previews: list[tuple[QPrintPreviewDialog, QPrinter]] = []
