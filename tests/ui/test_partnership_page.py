"""The «Сетевое партнёрство» page over the demo district, used the way a person does."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import type_text

from app.domain import Category, CategorySource
from app.partnerships.model import MemberRole
from app.partnerships.service import PartnershipService
from app.schools import SchoolService
from db import Database
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.partnerships.dialogs import GroupDialog
from ui.partnerships.model import GroupsModel
from ui.partnerships.page import PartnershipsPage

YEAR = 2020


def school_id(database: Database, short_name: str) -> int:
    return database.query("SELECT id FROM schools WHERE short_name = ?", (short_name,))[0][0]


def close_boxes() -> list[str]:
    texts = []
    for box in visible_message_boxes():
        texts.append(box.text())
        box.close()
    return texts


@pytest.fixture
def page(main_window: MainWindow) -> PartnershipsPage:
    titles = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert titles.index("Сетевое партнёрство") == titles.index("Планы мероприятий") + 1
    assert main_window._partnerships_page is None  # built on first use
    main_window.nav.setCurrentRow(titles.index("Сетевое партнёрство"))
    page = main_window.partnerships_page
    assert page.year == YEAR
    return page


def cell(page: PartnershipsPage, row: int, column: int) -> str:
    return page.model.index(row, column).data()


def test_the_demo_groups_and_no_warnings(page: PartnershipsPage, main_window: MainWindow) -> None:
    assert page.model.rowCount() == 4
    assert page.model.headerData(GroupsModel.SUPPORTERS, Qt.Orientation.Horizontal) == "Школы-партнёры"
    assert cell(page, 1, GroupsModel.TARGETS) == "МКОУ «Синявинская СОШ»\nМКОУ «Шумская СОШ»"
    assert cell(page, 1, GroupsModel.SUPPORTERS) == "МБОУ «Шлиссельбургская СОШ» (партнёр)"
    assert cell(page, 0, GroupsModel.DISTANCE) == "1,7"
    assert cell(page, 1, GroupsModel.DISTANCE).count(";") == 1
    assert cell(page, 0, GroupsModel.AGREEMENT) == "от 01.10.2020"
    assert cell(page, 0, GroupsModel.STATUS) == "Действует"
    assert page.warnings_model.rowCount() == 0
    assert page.warnings_caption.text() == "Предупреждений нет"
    assert main_window.counts_label.text() == "4 партнёрства, 0 предупреждений"
    assert len(page.scene.links) == 5

    # Selecting a group highlights its lines on the map.
    page.select_group(page.model.group_at(1).id)
    assert page.scene.highlighted == page.model.group_at(1).id
    highlighted = [link for link in page.scene.links if link.item.pen().widthF() > 4]
    assert len(highlighted) == 2

    # The kind filter.
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("group"))
    assert page.model.rowCount() == 1 and len(page.scene.links) == 2
    page.kind_combo.setCurrentIndex(0)
    assert page.model.rowCount() == 4


def test_a_group_is_created_through_the_dialog_and_undone(
    page: PartnershipsPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    database = main_window.database
    dialog = page.new_group()
    assert isinstance(dialog, GroupDialog) and dialog.isVisible()
    assert len(dialog.rows) == 2
    dialog.rows[0].set_value(school_id(database, "МКОУ «Путиловская ООШ»"), MemberRole.TARGET)
    dialog.rows[1].set_value(school_id(database, "МБОУ «Кировская СОШ №2»"), MemberRole.MENTOR)
    dialog.number_edit.setFocus()
    type_text(dialog.number_edit, "15-СП")
    dialog.date_check.setChecked(True)
    dialog.activities_edit.setFocus()
    type_text(dialog.activities_edit, "Взаимопосещение уроков")
    assert dialog.kind_combo.currentData() == "pair"
    # Joint activities may also be items of the year's plans: link item 11 of the demo plan.
    entries = [dialog.items_list.item(row) for row in range(dialog.items_list.count())]
    item_11 = next(e for e in entries if "п. 11: Утверждение списка сетевого партнёрства" in e.text())
    item_11.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert page.model.rowCount() == 5
    created = page.current_group()
    assert created is not None and created.agreement_number == "15-СП"
    assert [m.role for m in created.members] == [MemberRole.TARGET, MemberRole.MENTOR]
    assert created.plan_item_ids == (item_11.data(Qt.ItemDataRole.UserRole),)
    assert "наставник" in cell(page, page.model.row_of(created.id), GroupsModel.SUPPORTERS)
    # Both schools are now in two partnerships of the year: the page says so.
    assert page.warnings_model.rowCount() == 2
    assert page.warnings_caption.text() == "Предупреждения: 2"
    assert all("два партнёрства" in w.message for w in page.warnings_model.warnings())
    assert len(page.scene.links) == 6

    main_window.undo()
    assert page.model.rowCount() == 4 and page.warnings_model.rowCount() == 0


def test_the_dialog_refuses_a_single_school(page: PartnershipsPage, qtbot: QtBot) -> None:
    dialog = page.new_group()
    dialog.remove_member(dialog.rows[1])
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "не меньше двух школ" in dialog.error_label.text()
    dialog.reject()
    assert page.model.rowCount() == 4


def test_a_partner_on_a_target_list_is_warned_about(page: PartnershipsPage, main_window: MainWindow) -> None:
    database = main_window.database
    partner = school_id(database, "МБОУ «Кировская СОШ №2»")
    changeset = SchoolService(database).set_category(
        partner, YEAR, Category.UNFAVOURABLE, source=CategorySource.MANUAL, reason="проверка"
    )
    main_window.history.record(changeset)
    warnings = page.warnings_model.warnings()
    assert len(warnings) == 1
    assert "Кировская СОШ №2" in warnings[0].message and "ШФНСУ" in warnings[0].message
    assert page.warnings_table.isVisibleTo(page)
    # The map shows the partner's new colour.
    assert page.scene.colour_of(partner).name() == "#f57c00"

    # The same warning in «Обзор».
    overview = main_window.overview_page
    titles = [s.title for s in overview.sections]
    assert "Сетевое партнёрство" in titles
    section = overview.sections[titles.index("Сетевое партнёрство")]
    assert section.model.rowCount() == 1
    section.activate(0)
    assert main_window.pages.currentWidget() is page
    assert page.current_group() is not None and "Кировская" in page.current_group().title


def test_delete_and_undo(page: PartnershipsPage, main_window: MainWindow, qtbot: QtBot) -> None:
    first = page.model.group_at(0)
    page.select_group(first.id)
    box = page.delete_group()
    assert box is not None and "Удалить партнёрство" in box.text()
    button = next(b for b in box.buttons() if b.text() == "Удалить")
    button.click()
    assert page.model.rowCount() == 3 and len(page.scene.links) == 4
    assert PartnershipService(main_window.database).list_groups(YEAR)[0].id != first.id
    main_window.undo()
    assert page.model.rowCount() == 4 and len(page.scene.links) == 5
    assert page.model.group_at(0).members == first.members


def test_export_png_pdf_and_excel(page: PartnershipsPage, tmp_path: Path) -> None:
    png = page.export(tmp_path / "карта.png")
    assert close_boxes() == [f"Сохранено в файл «{png}»."]
    assert png is not None and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000

    pdf = page.export(tmp_path / "карта.pdf")
    close_boxes()
    assert pdf is not None
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 10_000
    # The title is in the document's properties (UTF-16 in the PDF's info dictionary).
    title = "Сетевое партнёрство на 2020/2021 учебный год"
    assert (
        title.encode("utf-16-be").hex().upper().encode() in content.upper()
        or title.encode("utf-16-be") in content
    )

    xlsx = page.export(tmp_path / "перечень.xlsx")
    close_boxes()
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet["A1"].value == title
    assert sheet.cell(row=5, column=3).value == "МБОУ «Отрадненская СОШ №3»"

    docx = page.export(tmp_path / "приложение.docx")
    close_boxes()
    from docx import Document

    rows = Document(str(docx)).tables[0].rows
    assert len(rows) == 5 and rows[1].cells[1].text == "МБОУ «Отрадненская СОШ №3»"

    assert page.export(tmp_path / "карта.txt") is None
    assert any("расширением" in text for text in close_boxes())
