"""The registry as a formatted Excel file: title, bold frozen header with autofilter, wrapped
text, widths that fit, A4 landscape with the header repeated on every printed page.

The file is written to a temporary name beside the target and moved into place at the end, so a
cancelled or failed export never leaves half a file under the user's chosen name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.domain import School, academic_year_label
from app.exporting.files import check_target, write_atomically
from app.exporting.xlsx import XlsxColumn, column_widths, safe_cell, setup_print, table_styles
from app.jobs import Job, Progress
from app.office import OfficeService
from app.schools import SchoolService
from app.text import plural
from db.connection import Database

PROGRESS_EVERY = 2000


def registry_columns(year: int) -> list[XlsxColumn]:
    return [
        XlsxColumn("№ п/п", 6),
        XlsxColumn("Полное наименование", 48, wrap=True),
        XlsxColumn("Краткое наименование", 30, wrap=True),
        XlsxColumn("Тип ОО", 11),
        XlsxColumn("Филиал ОО", 24, wrap=True),
        XlsxColumn("Городская/сельская", 12),
        XlsxColumn("Населённый пункт", 18, wrap=True),
        XlsxColumn("Адрес", 32, wrap=True),
        XlsxColumn("ФИО руководителя", 24, wrap=True),
        XlsxColumn("Телефон", 16),
        XlsxColumn("Электронная почта", 24),
        XlsxColumn("Численность обучающихся", 13),
        XlsxColumn("ИНН", 13),
        XlsxColumn("Логин ФИС ОКО", 14),
        XlsxColumn("Широта", 10),
        XlsxColumn("Долгота", 10),
        XlsxColumn(f"Категории {academic_year_label(year)}", 22, wrap=True),
        XlsxColumn("Основание", 36, wrap=True),
        XlsxColumn("В архиве (причина)", 22, wrap=True),
    ]


def _row_values(number: int, school: School) -> list[object]:
    categories = "; ".join(c.category.label for c in school.categories)
    grounds = "; ".join(
        " — ".join(p for p in (c.category.label, c.reason, c.source.label, c.document_ref) if p)
        for c in school.categories
    )
    archived = ""
    if school.is_archived:
        archived = f"с {school.archived_at[:10]}: {school.archive_reason}" if school.archived_at else "да"
    return [
        number,
        school.full_name,
        school.short_name,
        school.kind.label,
        school.parent_name,
        school.locality.label,
        school.settlement,
        school.address,
        school.director,
        school.phone,
        school.email,
        school.students,
        school.inn,
        school.fis_login,
        school.latitude,
        school.longitude,
        categories,
        grounds,
        archived,
    ]


def export_registry(database: Database, path: Path, *, year: int, include_archived: bool = False) -> Job[int]:
    """Write the registry to `path` (.xlsx); returns the number of schools written."""
    from openpyxl import Workbook

    path = check_target(path, (".xlsx",), "Реестр выгружается в книгу Excel")
    yield Progress(0, 0, "Чтение реестра…")
    schools = SchoolService(database).list_schools(year=year, include_archived=include_archived)
    schools.sort(key=lambda s: (s.parent_id or s.id, s.parent_id is not None, s.id))
    office = OfficeService(database).get()
    columns = registry_columns(year)

    workbook = Workbook(write_only=True)
    styles = table_styles()
    for style in styles.values():
        workbook.add_named_style(style)
    sheet = workbook.create_sheet("Реестр ОО")
    column_widths(sheet, columns)
    header_row = 4
    sheet.freeze_panes = f"C{header_row + 1}"
    last = len(columns)
    from openpyxl.utils import get_column_letter

    last_letter = get_column_letter(last)
    sheet.auto_filter.ref = f"A{header_row}:{last_letter}{header_row + max(len(schools), 1)}"
    setup_print(sheet, header_row, last_letter)

    district = office.district or office.short_name
    title = "Реестр общеобразовательных организаций" + (f" — {district}" if district else "")
    sheet.append([safe_cell(sheet, title, "opora_title")])
    count_text = f"{len(schools)} {plural(len(schools), 'организация', 'организации', 'организаций')}"
    sheet.append(
        [
            safe_cell(
                sheet,
                f"По состоянию на {date.today():%d.%m.%Y}; категории за {academic_year_label(year)} "
                f"учебный год; {count_text}",
                "opora_note",
            )
        ]
    )
    sheet.append([])
    sheet.append([safe_cell(sheet, c.title, "opora_header") for c in columns])
    numeric = {0, 11, 14, 15}
    for index, school in enumerate(schools, start=1):
        values = _row_values(index, school)
        sheet.append(
            [
                safe_cell(sheet, value, "opora_number" if i in numeric else "opora_body")
                for i, value in enumerate(values)
            ]
        )
        if index % PROGRESS_EVERY == 0:
            yield Progress(index, len(schools), "Запись строк…")
    yield Progress(len(schools), len(schools), "Сохранение файла…")

    write_atomically(path, workbook.save)
    return len(schools)
