"""The partnerships list exported to a real .xlsx, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.errors import AppError
from app.exporting.partnership_xlsx import export_partnerships_xlsx
from app.partnerships.service import PartnershipService
from db import Database


def test_xlsx_lists_the_groups_print_ready_and_formula_safe(demo_database: Database, tmp_path: Path) -> None:
    service = PartnershipService(demo_database)
    first = service.list_groups(2020)[0]
    service.update(first.id, {"activities": "=СУММ(A1:A2)", "agreement_number": "7"})
    groups = service.list_groups(2020)
    path = export_partnerships_xlsx(
        groups,
        2020,
        tmp_path / "перечень.xlsx",
        office_name="Комитет образования",
        plan_items=dict(service.plan_items_of_year(2020)),
    )
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Сетевое партнёрство на 2020/2021 учебный год"
    assert sheet["A2"].value == "Комитет образования"
    assert [sheet.cell(row=4, column=c).value for c in range(1, 9)] == [
        "№ п/п",
        "Вид",
        "Школы с низкими результатами",
        "Школы-партнёры",
        "Расстояние, км",
        "Соглашение",
        "Совместные мероприятия",
        "Состояние",
    ]
    assert sheet.max_row == 8
    assert sheet["C6"].value == "МКОУ «Синявинская СОШ»\nМКОУ «Шумская СОШ»"
    assert sheet["D6"].value == "МБОУ «Шлиссельбургская СОШ» (партнёр)"
    assert sheet["E5"].value == 1.7  # a number Excel can sum and sort
    assert sheet["E6"].value.count("\n") == 1
    assert sheet["F5"].value == "№ 7 от 01.10.2020"
    activities = sheet["G5"]
    assert activities.value.startswith("=СУММ(A1:A2)") and activities.data_type == "s"
    # The linked plan item is named, not counted.
    assert "п. 11: Утверждение списка сетевого партнёрства" in activities.value
    assert sheet.freeze_panes == "A5"
    assert sheet.page_setup.orientation == "landscape"


def test_a_wrong_extension_is_refused(demo_database: Database, tmp_path: Path) -> None:
    with pytest.raises(AppError, match=r"расширением \.xlsx"):
        export_partnerships_xlsx([], 2020, tmp_path / "перечень.csv")
