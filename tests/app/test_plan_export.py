"""Plans exported to real .xlsx and .docx files, read back with openpyxl and python-docx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from app.errors import AppError
from app.exporting.plan_docx import export_plan_docx
from app.exporting.plan_xlsx import export_plan_xlsx
from app.plans.model import ItemStatus
from app.plans.service import PlanService
from db import Database


@pytest.fixture
def plan_id(database: Database) -> int:
    service = PlanService(database)
    plan_id, _ = service.create(
        {"title": "План мероприятий\nна 2020-2021 учебный год", "academic_year": 2020}
    )
    section, _ = service.add_section(plan_id, "Раздел 1. Организационное обеспечение")
    done, _ = service.add_item(
        plan_id,
        {
            "measure": "Формирование списка школ",
            "deadline_text": "сентябрь 2020 года",
            "responsible": "Отдел",
        },
        section_id=section,
    )
    service.set_status(done, ItemStatus.DONE, completed_on=date(2020, 9, 20), evidence="Приказ № 5")
    service.add_item(
        plan_id,
        {"measure": "=СУММ(A1:A2)", "deadline_text": "Октябрь-ноябрь 2020г", "responsible": "МОЦ"},
        section_id=section,
    )
    service.add_item(
        plan_id, {"measure": "Выезды\n– в Шумскую СОШ", "deadline_text": "по запросу"}, section_id=section
    )
    return plan_id


def test_xlsx_has_the_plan_columns_months_shaded_and_sections_merged(
    database: Database, plan_id: int, tmp_path: Path
) -> None:
    plan = PlanService(database).get(plan_id)
    path = export_plan_xlsx(plan, tmp_path / "план.xlsx", today=date(2020, 12, 15))
    sheet = load_workbook(path).active
    header = [sheet.cell(row=4, column=c).value for c in range(1, sheet.max_column + 1)]
    assert header[:6] == [
        "№ п/п",
        "Наименование мероприятия",
        "Сроки исполнения",
        "Ответственный исполнитель",
        "Ожидаемый результат",
        "Отметка о выполнении",
    ]
    assert header[6] == "сен\n2020" and header[-1] == "авг\n2021" and len(header) == 18
    assert sheet.cell(row=5, column=1).value == "Раздел 1. Организационное обеспечение"
    assert any(str(r) == "A5:R5" for r in sheet.merged_cells.ranges)
    # The done item: September shaded green, October not; its status carries date and evidence.
    assert sheet.cell(row=6, column=7).fill.fgColor.rgb.endswith("92D050")
    assert sheet.cell(row=6, column=8).fill.fill_type is None
    assert sheet.cell(row=6, column=6).value == "Выполнено 20.09.2020\nПриказ № 5"
    # Overdue on 15.12.2020: October and November red.
    assert [sheet.cell(row=7, column=c).fill.fgColor.rgb[-6:] for c in (8, 9)] == ["FF7C80", "FF7C80"]
    assert sheet.cell(row=7, column=10).fill.fill_type is None
    # Formula-like text stays text.
    measure = sheet.cell(row=7, column=2)
    assert measure.value == "=СУММ(A1:A2)" and measure.data_type == "s" and measure.quotePrefix
    # Undated: no month shaded, the text kept.
    assert all(sheet.cell(row=8, column=c).fill.fill_type is None for c in range(7, 19))
    assert sheet.cell(row=8, column=2).value == "Выезды\n– в Шумскую СОШ"
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape"


def test_docx_is_landscape_with_a_repeated_header_and_merged_sections(
    database: Database, plan_id: int, tmp_path: Path
) -> None:
    plan = PlanService(database).get(plan_id)
    path = export_plan_docx(plan, tmp_path / "план.docx", appendix_stamp="Приложение 1\nк распоряжению")
    doc = Document(str(path))
    section = doc.sections[0]
    assert section.page_width > section.page_height
    assert round(section.left_margin.mm) == 20 and round(section.right_margin.mm) == 10
    texts = [p.text for p in doc.paragraphs]
    assert texts[:2] == ["Приложение 1", "к распоряжению"]
    assert "План мероприятий" in texts and "на 2020-2021 учебный год" in texts
    table = doc.tables[0]
    header = table.rows[0]
    assert header._tr.trPr.xpath("./w:tblHeader")
    assert [c.text for c in header.cells][:3] == ["№ п/п", "Наименование мероприятия", "Сроки исполнения"]
    section_row = table.rows[1]
    assert len({id(c._tc) for c in section_row.cells}) == 1  # one cell across the table
    assert section_row.cells[0].text == "Раздел 1. Организационное обеспечение"
    assert [c.text for c in table.rows[2].cells][:3] == [
        "1",
        "Формирование списка школ",
        "сентябрь 2020 года",
    ]
    assert [p.text for p in table.rows[4].cells[1].paragraphs] == ["Выезды", "– в Шумскую СОШ"]


def test_wrong_extension_or_missing_folder_is_refused(
    database: Database, plan_id: int, tmp_path: Path
) -> None:
    plan = PlanService(database).get(plan_id)
    with pytest.raises(AppError, match=r"расширением \.xlsx"):
        export_plan_xlsx(plan, tmp_path / "план.xls")
    with pytest.raises(AppError, match="не существует"):
        export_plan_docx(plan, tmp_path / "нет" / "план.docx")


def test_exported_files_can_be_shared(database: Database, plan_id: int, tmp_path: Path) -> None:
    import os
    import stat

    plan = PlanService(database).get(plan_id)
    umask = os.umask(0o022)
    try:
        path = export_plan_xlsx(plan, tmp_path / "план.xlsx")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
