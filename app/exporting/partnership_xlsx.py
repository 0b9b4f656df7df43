"""The year's network partnerships as a formatted Excel list (the appendix «Перечень групп школ»):
one row per group, A4 landscape, the header repeated on every printed page, formula-safe cells."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from app.domain import academic_year_label
from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import XlsxColumn, column_widths, is_formula_like, setup_print, table_styles
from app.partnerships.model import Member, PartnershipGroup, distance_km

COLUMNS = (
    XlsxColumn("№ п/п", 6),
    XlsxColumn("Вид", 16),
    XlsxColumn("Школы с низкими результатами", 34, wrap=True),
    XlsxColumn("Школы-партнёры", 38, wrap=True),
    XlsxColumn("Расстояние, км", 14, wrap=True),
    XlsxColumn("Соглашение", 20, wrap=True),
    XlsxColumn("Совместные мероприятия", 50, wrap=True),
    XlsxColumn("Состояние", 14),
)


def km_text(km: float | None) -> str:
    return "—" if km is None else f"{km:.1f}".replace(".", ",")


def distances_text(group: PartnershipGroup) -> str:
    """Each link's distance on its own line, as the table's tooltip shows it."""
    return "\n".join(f"{a.name} – {b.name}: {km_text(distance_km(a, b))}" for a, b in group.links())


def distances_value(group: PartnershipGroup) -> float | str | None:
    """1.7 (a number Excel can sum) for a pair; «Синявинская СОШ – Шлиссельбургская СОШ: 4,4» per
    line for a group."""
    links = group.links()
    if len(links) == 1:
        km = distance_km(*links[0])
        return round(km, 1) if km is not None else None
    return "\n".join(f"{a.name} – {b.name}: {km_text(distance_km(a, b))}" for a, b in links)


def supporters_text(group: PartnershipGroup) -> str:
    def text(member: Member) -> str:
        return f"{member.name} ({member.role.short_label})"

    return "\n".join(text(m) for m in group.supporters)


def row_values(
    number: int, group: PartnershipGroup, plan_items: Mapping[int, str] | None = None
) -> list[object]:
    activities = group.activities
    if group.plan_item_ids:
        names = [plan_items[i] for i in group.plan_item_ids if plan_items and i in plan_items]
        linked = "\n".join(names) if names else f"пунктов плана мероприятий: {len(group.plan_item_ids)}"
        activities += ("\n" if activities else "") + linked
    return [
        number,
        group.kind.label,
        "\n".join(m.name for m in group.targets),
        supporters_text(group),
        distances_value(group),
        group.agreement_text(),
        activities,
        group.status.label,
    ]


def export_partnerships_xlsx(
    groups: list[PartnershipGroup],
    year: int,
    path: Path,
    *,
    office_name: str = "",
    plan_items: Mapping[int, str] | None = None,
) -> Path:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = check_target(path, (".xlsx",), "Перечень партнёрств выгружается в книгу Excel")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Партнёрства"
    styles = table_styles()
    for style in styles.values():
        workbook.add_named_style(style)

    def put(row: int, column: int, value: object, style: str) -> None:
        cell = sheet.cell(row=row, column=column)
        cell.style = style  # before quotePrefix: assigning a named style resets it
        cell.value = value
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True

    last = get_column_letter(len(COLUMNS))
    put(1, 1, f"Сетевое партнёрство на {academic_year_label(year)} учебный год", "opora_title")
    sheet.merge_cells(f"A1:{last}1")
    if office_name:
        put(2, 1, office_name, "opora_note")
        sheet.merge_cells(f"A2:{last}2")
    header_row = 4
    for index, column in enumerate(COLUMNS, start=1):
        put(header_row, index, column.title, "opora_header")
    column_widths(sheet, COLUMNS)
    row = header_row
    for number, group in enumerate(groups, start=1):
        row += 1
        for index, value in enumerate(row_values(number, group, plan_items), start=1):
            put(
                row,
                index,
                value,
                "opora_number" if index in (1, 5) and not isinstance(value, str) else "opora_body",
            )
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(row, header_row + 1)}"
    setup_print(sheet, header_row, last)
    write_atomically(path, workbook.save)
    return path
