"""Shared openpyxl helpers: a formatted table that prints well and never runs a formula.

Any cell text that starts with = + - @ (or a tab or carriage return) would be taken by Excel as
a formula when a user re-types it or by some viewers as is; such text is written as a string
with Excel's quote prefix, so it shows exactly as typed and never evaluates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class XlsxColumn:
    title: str
    width: float
    wrap: bool = False
    number_format: str | None = None


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(sheet: Any, value: Any, style: Any = None) -> Any:
    """A write-only cell for `value`; formula-like text stays text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if style is not None:
        cell.style = style  # before quotePrefix: assigning a named style resets it
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def table_styles() -> dict[str, Any]:
    """Named styles shared by every cell of a kind (one style record in the file, not one per cell)."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = NamedStyle(name="opora_header")
    header.font = Font(name="Liberation Sans", bold=True, size=10)
    header.fill = PatternFill("solid", fgColor="DDE6F0")
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header.border = border
    body = NamedStyle(name="opora_body")
    body.font = Font(name="Liberation Sans", size=10)
    body.alignment = Alignment(vertical="top", wrap_text=True)
    body.border = border
    number = NamedStyle(name="opora_number")
    number.font = Font(name="Liberation Sans", size=10)
    number.alignment = Alignment(vertical="top", horizontal="right")
    number.border = border
    title = NamedStyle(name="opora_title")
    title.font = Font(name="Liberation Sans", bold=True, size=13)
    note = NamedStyle(name="opora_note")
    note.font = Font(name="Liberation Sans", italic=True, size=10, color="555555")
    return {"header": header, "body": body, "number": number, "title": title, "note": note}


def setup_print(sheet: Any, header_row: int, last_column: str) -> None:
    """A4 landscape, fit to page width, the header row repeated on every printed page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins.left = 0.5
    sheet.page_margins.right = 0.4
    sheet.page_margins.top = 0.6
    sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "Страница &P из &N"
    sheet.print_options.horizontalCentered = True


def column_widths(sheet: Any, columns: Sequence[XlsxColumn]) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
