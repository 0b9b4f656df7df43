"""A monitoring campaign as a formatted Excel file.

«Сводная» — schools (rows) × criteria (columns) with the values, how many required criteria are
filled and the completeness in per cent, coloured (red below half, yellow below all, green when
complete). «Значения» — every stored value with its comment, who entered it (a specialist or the
file a school sent back) and when. Numbers and percentages are written as numbers and dates as
dates, so the office can sum and filter them in Excel; text never runs as a formula.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import is_formula_like, setup_print, table_styles
from app.jobs import Job, Progress
from app.monitoring.service import TYPE_LABELS, Criterion, MonitoringService, display_value
from app.text import plural
from db.connection import Database

MATRIX_SHEET = "Сводная"
VALUES_SHEET = "Значения"
HEADER_ROW = 4
FIXED_COLUMNS = ("№ п/п", "Школа", "Обязательные заполнены", "Полнота, %")
VALUE_COLUMNS = (
    ("Школа", 34),
    ("№", 8),
    ("Критерий", 50),
    ("Тип", 14),
    ("Значение", 28),
    ("Комментарий", 34),
    ("Кто внёс", 30),
    ("Когда", 17),
)
COMPLETE_FILL, PARTIAL_FILL, LOW_FILL = "C6EFCE", "FFEB9C", "FFC7CE"


def completeness_fill(share: float) -> str:
    """The colour of a completeness cell: green when complete, yellow from half, red below."""
    if share >= 1.0:
        return COMPLETE_FILL
    return PARTIAL_FILL if share >= 0.5 else LOW_FILL


def cell_value(criterion: Criterion, stored: str) -> object:
    """Numbers as numbers, dates as dates, the rest as display text; None when empty."""
    if not stored:
        return None
    if criterion.value_type in ("number", "percent"):
        try:
            number = float(stored.replace(",", "."))
        except ValueError:
            return display_value(criterion, stored)
        return int(number) if number.is_integer() else number
    if criterion.value_type == "date":
        try:
            return date.fromisoformat(stored)
        except ValueError:
            return stored
    return display_value(criterion, stored)


def _when(stamp: str) -> object:
    try:
        return datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or None


def export_campaign_xlsx(database: Database, campaign_id: int, path: Path) -> Job[Path]:
    """Write the campaign's matrix and its values to `path` (.xlsx); returns the path."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    path = check_target(Path(path), (".xlsx",), "Мониторинг выгружается в книгу Excel")
    yield Progress(0, 0, "Чтение мониторинга…")
    service = MonitoringService(database)
    matrix = service.matrix(campaign_id)
    campaign = matrix.campaign
    criteria = matrix.criteria
    workbook = Workbook()
    for style in table_styles().values():
        workbook.add_named_style(style)

    def put(sheet: Any, row: int, column: int, value: object, style: str) -> Any:
        cell = sheet.cell(row=row, column=column)
        cell.style = style  # before quotePrefix: assigning a named style resets it
        cell.value = value
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell

    def number_format(cell: Any, criterion: Criterion) -> None:
        if criterion.value_type == "date" and cell.value is not None:
            cell.number_format = "DD.MM.YYYY"

    # --- «Сводная» ---
    sheet = workbook.active
    sheet.title = MATRIX_SHEET
    columns = len(FIXED_COLUMNS) + len(criteria)
    last = get_column_letter(max(columns, 4))
    put(sheet, 1, 1, campaign.title, "opora_title")
    year = service.year_label(campaign)
    notes = [f"Шаблон: {campaign.template_title}"]
    if year:
        notes.append(f"учебный год {year}")
    if campaign.due_date:
        notes.append(f"срок представления {campaign.due_date:%d.%m.%Y}")
    count = len(matrix.schools)
    notes.append(
        f"{count} {plural(count, 'школа', 'школы', 'школ')}; по состоянию на {date.today():%d.%m.%Y}"
    )
    put(sheet, 2, 1, "; ".join(notes), "opora_note")
    for index, title in enumerate(FIXED_COLUMNS, start=1):
        put(sheet, HEADER_ROW, index, title, "opora_header")
    for index, criterion in enumerate(criteria, start=len(FIXED_COLUMNS) + 1):
        mark = " *" if criterion.required else ""
        put(sheet, HEADER_ROW, index, f"{criterion.label}{mark}", "opora_header")
        sheet.column_dimensions[get_column_letter(index)].width = 18
    for letter, width in zip("ABCD", (6, 34, 14, 11), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.row_dimensions[HEADER_ROW].height = 90
    row = HEADER_ROW
    for number, (school_id, name) in enumerate(matrix.schools, start=1):
        row += 1
        done, total = matrix.required_filled(school_id)
        share = matrix.completeness(school_id)
        put(sheet, row, 1, number, "opora_number")
        put(sheet, row, 2, name, "opora_body")
        put(sheet, row, 3, f"{done} из {total}", "opora_number")
        cell = put(sheet, row, 4, share, "opora_number")
        cell.number_format = "0%"
        cell.fill = PatternFill("solid", fgColor=completeness_fill(share))
        for index, criterion in enumerate(criteria, start=len(FIXED_COLUMNS) + 1):
            value = cell_value(criterion, matrix.values.get((school_id, criterion.id), ""))
            numeric = isinstance(value, (int, float, date))
            cell = put(sheet, row, index, value, "opora_number" if numeric else "opora_body")
            number_format(cell, criterion)
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row, HEADER_ROW + 1)}"
    setup_print(sheet, HEADER_ROW, last)
    yield Progress(1, 2, "Значения…")

    # --- «Значения» ---
    values_sheet = workbook.create_sheet(VALUES_SHEET)
    put(values_sheet, 1, 1, f"{campaign.title}: значения, комментарии, кто и когда внёс", "opora_title")
    for index, (title, width) in enumerate(VALUE_COLUMNS, start=1):
        put(values_sheet, HEADER_ROW - 1, index, title, "opora_header")
        values_sheet.column_dimensions[get_column_letter(index)].width = width
    row = HEADER_ROW - 1
    for school_id, name in matrix.schools:
        stored = service.values(campaign.id, school_id)
        for criterion in criteria:
            found = stored.get(criterion.id)
            if found is None or (not found.value and not found.comment):
                continue
            row += 1
            value = cell_value(criterion, found.value)
            numeric = isinstance(value, (int, float, date))
            put(values_sheet, row, 1, name, "opora_body")
            put(values_sheet, row, 2, criterion.number, "opora_body")
            put(values_sheet, row, 3, criterion.title, "opora_body")
            put(values_sheet, row, 4, TYPE_LABELS.get(criterion.value_type, ""), "opora_body")
            number_format(
                put(values_sheet, row, 5, value, "opora_number" if numeric else "opora_body"), criterion
            )
            put(values_sheet, row, 6, found.comment or None, "opora_body")
            put(values_sheet, row, 7, found.entered_by or None, "opora_body")
            when = put(values_sheet, row, 8, _when(found.entered_at), "opora_body")
            if isinstance(when.value, datetime):
                when.number_format = "DD.MM.YYYY HH:MM"
    values_last = get_column_letter(len(VALUE_COLUMNS))
    values_sheet.freeze_panes = f"A{HEADER_ROW}"
    values_sheet.auto_filter.ref = f"A{HEADER_ROW - 1}:{values_last}{max(row, HEADER_ROW)}"
    setup_print(values_sheet, HEADER_ROW - 1, values_last)
    yield Progress(2, 2, "Сохранение файла…")
    write_atomically(path, workbook.save)
    return path
