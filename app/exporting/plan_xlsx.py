"""A plan of measures as a formatted Excel book: the plan's own columns, then the months of its
period shaded over each item's deadline, sections as merged heading rows, A4 landscape with the
header repeated on every printed page."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import is_formula_like, setup_print, table_styles
from app.plans.model import (
    MONTH_ABBREVIATIONS,
    ColumnRole,
    ItemStatus,
    Plan,
    PlanItem,
    item_span,
    months_between,
    span_covers_month,
)
from app.plans.service import item_is_overdue

_WIDTHS = {
    ColumnRole.NUMBER: 6,
    ColumnRole.MEASURE: 52,
    ColumnRole.DEADLINE: 18,
    ColumnRole.RESPONSIBLE: 26,
    ColumnRole.RESULT: 30,
    ColumnRole.SCHOOLS: 24,
    ColumnRole.OTHER: 20,
}
_BAR_COLOURS = {"planned": "8DB4E2", "done": "92D050", "overdue": "FF7C80", "cancelled": "BFBFBF"}


def cell_text(item: PlanItem, role: ColumnRole, title: str) -> str:
    if role is ColumnRole.NUMBER:
        return item.display_number
    if role is ColumnRole.MEASURE:
        return item.measure
    if role is ColumnRole.DEADLINE:
        return item.deadline_text
    if role is ColumnRole.RESPONSIBLE:
        return item.responsible
    if role is ColumnRole.RESULT:
        return item.result
    if role is ColumnRole.SCHOOLS:
        return item.schools_text
    return item.extra.get(title, "")


def bar_state(item: PlanItem, today: date) -> str:
    if item.status is ItemStatus.DONE:
        return "done"
    if item.status in (ItemStatus.CANCELLED, ItemStatus.NOT_DONE):
        return "cancelled"
    return "overdue" if item_is_overdue(item, today) else "planned"


def export_plan_xlsx(plan: Plan, path: Path, *, today: date | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = check_target(path, (".xlsx",), "План выгружается в книгу Excel")
    today = today or date.today()
    months = months_between(plan.period_start, plan.period_end)
    columns = list(plan.columns)
    status_column = len(columns) + 1
    first_month_column = status_column + 1
    last_column = first_month_column + len(months) - 1

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "План"
    styles = table_styles()
    for style in styles.values():
        workbook.add_named_style(style)

    def put(row: int, column: int, value: Any, style: str) -> Any:
        cell = sheet.cell(row=row, column=column)
        cell.style = style
        cell.value = value
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell

    put(1, 1, plan.title, "opora_title")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(last_column, status_column))
    sheet.cell(row=1, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 15 * (plan.title.count("\n") + 1) + 6
    period = (
        f"Период: {plan.period_start:%d.%m.%Y} – {plan.period_end:%d.%m.%Y}; состояние на {today:%d.%m.%Y}"
    )
    put(2, 1, period, "opora_note")
    header_row = 4
    for index, column in enumerate(columns, start=1):
        put(header_row, index, column.title, "opora_header")
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[column.role]
    put(header_row, status_column, "Отметка о выполнении", "opora_header")
    sheet.column_dimensions[get_column_letter(status_column)].width = 18
    for offset, (year, month) in enumerate(months):
        column = first_month_column + offset
        put(header_row, column, f"{MONTH_ABBREVIATIONS[month - 1]}\n{year}", "opora_header")
        sheet.column_dimensions[get_column_letter(column)].width = 5.5
    sheet.row_dimensions[header_row].height = 30

    fills = {state: PatternFill("solid", fgColor=colour) for state, colour in _BAR_COLOURS.items()}
    section_font = Font(name="Liberation Sans", bold=True, size=10)
    row = header_row
    sections = {s.id: s for s in plan.sections}
    current_section: int | None = None
    for item in plan.items:
        if item.section_id != current_section and item.section_id in sections:
            current_section = item.section_id
            row += 1
            cell = put(row, 1, sections[item.section_id].title, "opora_body")
            cell.font = section_font
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
        row += 1
        for index, column in enumerate(columns, start=1):
            value = cell_text(item, column.role, column.title)
            put(row, index, value, "opora_number" if column.role is ColumnRole.NUMBER else "opora_body")
        status = item.status.label
        if item.completed_on:
            status += f" {item.completed_on:%d.%m.%Y}"
        if item.evidence:
            status += f"\n{item.evidence}"
        put(row, status_column, status, "opora_body")
        span = item_span(item, plan.period_start, plan.period_end)
        fill = fills[bar_state(item, today)]
        for offset, (year, month) in enumerate(months):
            cell = put(row, first_month_column + offset, None, "opora_body")
            if span_covers_month(span, year, month):
                cell.fill = fill
    # Sections with no items still print as headings.
    shown = {i.section_id for i in plan.items}
    for section in plan.sections:
        if section.id not in shown:
            row += 1
            put(row, 1, section.title, "opora_body").font = section_font
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)

    last_letter = get_column_letter(last_column)
    sheet.freeze_panes = f"{get_column_letter(min(3, len(columns) + 1))}{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(status_column)}{max(row, header_row + 1)}"
    setup_print(sheet, header_row, last_letter)
    write_atomically(path, workbook.save)
    return path
