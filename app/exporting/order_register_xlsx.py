"""The register of orders, directives and letters (журнал регистрации) as a formatted Excel book:
one row per document, A4 landscape, the header repeated on every printed page, formula-safe cells,
dates as real Excel dates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import XlsxColumn, column_widths, is_formula_like, setup_print, table_styles
from app.orders.model import OrderSummary

COLUMNS = (
    XlsxColumn("№ п/п", 6),
    XlsxColumn("Вид документа", 16),
    XlsxColumn("Номер", 14),
    XlsxColumn("Дата", 12, number_format="DD.MM.YYYY"),
    XlsxColumn("Заголовок", 70, wrap=True),
    XlsxColumn("Подписал", 20, wrap=True),
    XlsxColumn("Состояние", 12),
    XlsxColumn("Приложений", 12),
    XlsxColumn("Изменяет документ", 22, wrap=True),
)


def write_register(summaries: Sequence[OrderSummary], path: Path, *, office_name: str = "") -> Path:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = check_target(path, (".xlsx",), "Журнал регистрации выгружается в книгу Excel")
    by_id = {s.id: s for s in summaries}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Журнал"
    for style in table_styles().values():
        workbook.add_named_style(style)

    def put(row: int, column: int, value: object, style: str, number_format: str | None = None) -> None:
        cell = sheet.cell(row=row, column=column)
        cell.style = style  # before quotePrefix: assigning a named style resets it
        cell.value = value
        if number_format:
            cell.number_format = number_format
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True

    last = get_column_letter(len(COLUMNS))
    put(1, 1, "Журнал регистрации приказов, распоряжений и писем", "opora_title")
    sheet.merge_cells(f"A1:{last}1")
    if office_name:
        put(2, 1, office_name.replace("\n", " "), "opora_note")
        sheet.merge_cells(f"A2:{last}2")
    header_row = 4
    for index, column in enumerate(COLUMNS, start=1):
        put(header_row, index, column.title, "opora_header")
    column_widths(sheet, COLUMNS)
    ordered = sorted(summaries, key=lambda s: (s.order_date is None, s.order_date or s.id, s.id))
    row = header_row
    for number, summary in enumerate(ordered, start=1):
        row += 1
        amended = by_id.get(summary.amends_order_id or 0)
        amends = ""
        if summary.amends_order_id is not None:
            amends = (
                f"{amended.kind.label.lower()} № {amended.number or '—'}"
                + (f" от {amended.order_date:%d.%m.%Y}" if amended and amended.order_date else "")
                if amended
                else f"документ № {summary.amends_order_id} в базе"
            )
        values: list[object] = [
            number,
            summary.kind.label,
            summary.number,
            summary.order_date,
            summary.title.replace("\n", " "),
            summary.signer_name if summary.status.value == "signed" else "",
            summary.status.label,
            summary.appendix_count,
            amends,
        ]
        for index, (value, column) in enumerate(zip(values, COLUMNS, strict=True), start=1):
            style = "opora_number" if isinstance(value, int) else "opora_body"
            put(row, index, value, style, column.number_format if value is not None else None)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(row, header_row + 1)}"
    setup_print(sheet, header_row, last)
    write_atomically(path, workbook.save)
    return path
