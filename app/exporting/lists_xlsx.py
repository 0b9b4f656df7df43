"""The year's target lists as a formatted Excel book: one sheet per category (ШНРО, ШФНСУ, signs
of non-objectivity), one row per school with the reasons, where the entry came from and the
document; A4 landscape, the header repeated on every printed page, formula-safe cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from app.domain import Category, academic_year_label
from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import XlsxColumn, column_widths, is_formula_like, setup_print, table_styles
from app.results.identification import ListEntry

COLUMNS = (
    XlsxColumn("№ п/п", 6),
    XlsxColumn("Общеобразовательная организация", 42, wrap=True),
    XlsxColumn("Населённый пункт", 18, wrap=True),
    XlsxColumn("Основания", 80, wrap=True),
    XlsxColumn("Источник", 18, wrap=True),
    XlsxColumn("Документ", 24, wrap=True),
)
SHEET_TITLES = {
    Category.LOW_RESULTS: "ШНРО",
    Category.UNFAVOURABLE: "ШФНСУ",
    Category.NONOBJECTIVE: "Необъективность",
}


def export_lists_xlsx(
    lists: Mapping[Category, Sequence[ListEntry]], year: int, path: Path, *, office_name: str = ""
) -> Path:
    """Write the lists; every category gets its sheet, an empty one says there are no schools."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = check_target(path, (".xlsx",), "Списки школ выгружаются в книгу Excel")
    workbook = Workbook()
    styles = table_styles()
    for style in styles.values():
        workbook.add_named_style(style)
    last = get_column_letter(len(COLUMNS))
    first_sheet = True
    for category in Category:
        entries = lists.get(category, ())
        if first_sheet:
            sheet = workbook.active
            first_sheet = False
        else:
            sheet = workbook.create_sheet()
        sheet.title = SHEET_TITLES[category]

        def put(row: int, column: int, value: object, style: str, sheet=sheet) -> None:
            cell = sheet.cell(row=row, column=column)
            cell.style = style  # before quotePrefix: assigning a named style resets it
            cell.value = value
            if is_formula_like(value):
                cell.data_type = "s"
                cell.quotePrefix = True

        put(
            1,
            1,
            f"Список школ категории «{category.label}» на {academic_year_label(year)} учебный год",
            "opora_title",
        )
        sheet.merge_cells(f"A1:{last}1")
        office = " ".join((office_name or "").split())  # the letterhead's lines on one line
        put(2, 1, f"{category.description}." + (f" {office}" if office else ""), "opora_note")
        sheet.merge_cells(f"A2:{last}2")
        header_row = 4
        for index, column in enumerate(COLUMNS, start=1):
            put(header_row, index, column.title, "opora_header")
        column_widths(sheet, COLUMNS)
        row = header_row
        for number, entry in enumerate(entries, start=1):
            row += 1
            values: list[object] = [
                number,
                entry.school_name,
                entry.settlement,
                entry.reason,
                entry.source.label,
                entry.document_ref,
            ]
            for index, value in enumerate(values, start=1):
                put(row, index, value, "opora_number" if index == 1 else "opora_body")
        if not entries:
            row += 1
            put(row, 1, "Школ в списке нет.", "opora_note")
            sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.freeze_panes = f"A{header_row + 1}"
        setup_print(sheet, header_row, last)
    write_atomically(path, workbook.save)
    return path
