"""Working groups: the dialog that edits one (members with roles, order, validation, undo) and the list
of a year's groups."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from app.orders.model import GroupMember, MemberRole
from app.orders.service import OrderService
from db import Database
from ui.orders.working_groups import (
    JOB_COLUMN,
    NAME_COLUMN,
    ROLE_COLUMN,
    MembersModel,
    WorkingGroupDialog,
    WorkingGroupsDialog,
)
from ui.undo import ChangeHistory
from ui.workers import JobRunner

YEAR = 2020
MEMBERS = [
    ("Иванова Мария Петровна", "начальник отдела образования", MemberRole.CHAIR),
    ("Петров Сергей Иванович", "заместитель начальника", MemberRole.DEPUTY),
    ("Сидорова Анна Викторовна", "методист", MemberRole.SECRETARY),
    ("Кузнецов Олег Андреевич", "директор МКОУ «Шумская СОШ»", MemberRole.MEMBER),
]


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def history(qtbot: QtBot, demo_db: Database) -> Iterator[ChangeHistory]:
    jobs = JobRunner()
    yield ChangeHistory(demo_db, jobs)
    jobs.shutdown()


def fill_row(dialog: WorkingGroupDialog, row: int, name: str, job: str, role: MemberRole) -> None:
    model = dialog.model
    assert model.setData(model.index(row, NAME_COLUMN), name)
    assert model.setData(model.index(row, JOB_COLUMN), job)
    assert model.setData(model.index(row, ROLE_COLUMN), role.value)


def test_create_a_group_with_four_members(
    qtbot: QtBot, parent: QWidget, demo_db: Database, history: ChangeHistory
) -> None:
    dialog = WorkingGroupDialog(parent, demo_db, history, None, YEAR)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert dialog.year_combo.currentData() == YEAR
    # A new group starts with one row for the chair.
    assert len(dialog.model.rows) == 1 and dialog.model.rows[0].role is MemberRole.CHAIR
    dialog.title_edit.setText("Рабочая группа по сопровождению школ с низкими результатами")
    fill_row(dialog, 0, *MEMBERS[0])
    for name, job, role in MEMBERS[1:]:
        row = dialog.add_member(edit=False)
        fill_row(dialog, row, name, job, role)
    # Roles show their Russian names.
    assert dialog.model.index(2, ROLE_COLUMN).data() == "секретарь"
    assert dialog.model.index(0, ROLE_COLUMN).data() == "председатель рабочей группы"
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    group_id = saved.args[0]
    group = OrderService(demo_db).working_group(group_id)
    assert group.academic_year == YEAR
    assert group.title == "Рабочая группа по сопровождению школ с низкими результатами"
    assert [(m.full_name, m.job_title, m.role) for m in group.members] == MEMBERS
    assert not dialog.isVisible()

    # Undo through the history removes the group.
    assert history.stack.count() == 1
    history.undo()
    assert all(g.id != group_id for g in OrderService(demo_db).list_working_groups())
    history.redo()
    assert OrderService(demo_db).working_group(group_id).members[3].role is MemberRole.MEMBER


def test_the_role_editor_is_a_list_of_russian_roles(
    qtbot: QtBot, parent: QWidget, demo_db: Database, history: ChangeHistory
) -> None:
    dialog = WorkingGroupDialog(parent, demo_db, history, None, YEAR)
    dialog.open()
    qtbot.waitExposed(dialog)
    index = dialog.model.index(0, ROLE_COLUMN)
    dialog.table.setCurrentIndex(index)
    dialog.table.edit(index)
    combo = dialog.table.findChild(QComboBox, "memberRoleEditor")
    assert combo is not None
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "председатель рабочей группы",
        "заместитель председателя",
        "секретарь",
        "член рабочей группы",
    ]
    combo.setCurrentIndex(2)
    dialog.role_delegate.setModelData(combo, dialog.model, index)
    assert dialog.model.rows[0].role is MemberRole.SECRETARY
    dialog.reject()


def test_an_empty_name_is_refused_in_russian(
    qtbot: QtBot, parent: QWidget, demo_db: Database, history: ChangeHistory
) -> None:
    before = OrderService(demo_db).list_working_groups()
    dialog = WorkingGroupDialog(parent, demo_db, history, None, YEAR)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.title_edit.setText("Рабочая группа")
    fill_row(dialog, 0, *MEMBERS[0])
    row = dialog.add_member(edit=False)
    dialog.model.setData(dialog.model.index(row, JOB_COLUMN), "методист")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "Строка 2: не указаны фамилия и инициалы."
    assert dialog.table.currentIndex().row() == 1
    assert OrderService(demo_db).list_working_groups() == before
    assert history.stack.count() == 0
    # Without a title as well: that message goes under the title field.
    dialog.title_edit.setText("")
    dialog.save_button.click()
    assert dialog.title_box.error_text() == "Укажите название рабочей группы."
    # Editing the table takes the old message away; removing the row lets it save.
    dialog.table.setCurrentIndex(dialog.model.index(1, NAME_COLUMN))
    dialog.remove_member()
    assert not dialog.error_label.isVisible()
    dialog.title_edit.setText("Рабочая группа")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert len(OrderService(demo_db).list_working_groups()) == len(before) + 1


def test_rows_move_up_and_down() -> None:
    model = MembersModel()
    model.set_members([GroupMember(name, job, role) for name, job, role in MEMBERS])
    assert model.move(3, -1) == 2
    assert [r.full_name for r in model.rows][2:] == [MEMBERS[3][0], MEMBERS[2][0]]
    assert model.move(0, 1) == 1
    assert model.rows[1].full_name == MEMBERS[0][0]
    assert model.move(3, 1) == 3  # the last row stays last
    assert model.setData(model.index(0, ROLE_COLUMN), "секретарь")  # a label works too
    assert model.rows[0].role is MemberRole.SECRETARY
    assert not model.setData(model.index(0, ROLE_COLUMN), "директор")


def test_editing_an_existing_group(
    qtbot: QtBot, parent: QWidget, demo_db: Database, history: ChangeHistory
) -> None:
    service = OrderService(demo_db)
    group_id, _ = service.save_working_group(
        None, title="Группа", year=YEAR, members=[GroupMember(n, j, r) for n, j, r in MEMBERS]
    )
    dialog = WorkingGroupDialog(parent, demo_db, history, group_id, None)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert dialog.title_edit.text() == "Группа"
    assert dialog.year_combo.currentData() == YEAR
    assert len(dialog.model.rows) == 4
    dialog.table.setCurrentIndex(dialog.model.index(3, NAME_COLUMN))
    dialog.move_member(-1)
    assert dialog.table.currentIndex().row() == 2
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    names = [m.full_name for m in service.working_group(group_id).members]
    assert names == [MEMBERS[0][0], MEMBERS[1][0], MEMBERS[3][0], MEMBERS[2][0]]
    history.undo()
    names = [m.full_name for m in service.working_group(group_id).members]
    assert names == [m[0] for m in MEMBERS]


def test_the_list_creates_edits_and_deletes(
    qtbot: QtBot, parent: QWidget, demo_db: Database, history: ChangeHistory
) -> None:
    service = OrderService(demo_db)
    service.save_working_group(None, title="Прошлогодняя", year=2019, members=[])
    for group in service.list_working_groups(YEAR):  # the demo's own
        service.delete_working_group(group.id)
    groups = WorkingGroupsDialog(parent, demo_db, history, YEAR)
    groups.open()
    qtbot.waitExposed(groups)
    assert groups.model.rowCount() == 0
    assert groups.empty_label.isVisible()
    assert not groups.delete_button.isEnabled()
    groups.year_combo.setCurrentIndex(groups.year_combo.findData(2019))
    assert groups.model.index(0, 0).data() == "Прошлогодняя"
    assert groups.delete_button.isEnabled()
    groups.year_combo.setCurrentIndex(groups.year_combo.findData(YEAR))

    dialog = groups.create_group()
    qtbot.waitExposed(dialog)
    dialog.title_edit.setText("Новая группа")
    fill_row(dialog, 0, *MEMBERS[0])
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert groups.model.rowCount() == 1
    assert groups.model.index(0, 0).data() == "Новая группа"
    assert groups.model.index(0, 1).data() == MEMBERS[0][0]
    assert groups.model.index(0, 2).data() == "1"

    dialog = groups.edit_group()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.title_edit.text() == "Новая группа"
    dialog.title_edit.setText("Переименованная группа")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert groups.model.index(0, 0).data() == "Переименованная группа"

    groups.delete_group()
    assert groups.model.rowCount() == 0
    assert "удалена" in groups.status_label.text()
    assert [g.title for g in service.list_working_groups()] == ["Прошлогодняя"]
    groups.undo_button.click()
    assert groups.model.rowCount() == 1
    assert groups.model.index(0, 0).data(Qt.ItemDataRole.DisplayRole) == "Переименованная группа"
    groups.reject()
