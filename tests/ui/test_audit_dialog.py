"""«Журнал изменений» in the main window: opened from «Правка», fresh after an edit in the window,
filtered by text, user and period, paged for a long log, exported to Excel through the file dialog."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from ui_helpers import the_window, type_text

from app.audit import PAGE, AuditService
from db import Database
from ui.audit_dialog import ACTION, COMPUTER, TABLES, USER, WHEN, AuditDialog
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes


def open_log(window: MainWindow, qtbot: QtBot) -> AuditDialog:
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Правка")
    (action,) = [a for a in edit_menu.actions() if a.text() == "Журнал изменений…"]
    with qtbot.waitSignal(window.jobs.busy_changed, timeout=5000):
        action.trigger()
    dialog = the_window(AuditDialog)
    qtbot.waitUntil(lambda: not dialog.status_label.text().startswith("Чтение"), timeout=5000)
    return dialog


def cell(dialog: AuditDialog, row: int, column: int) -> str:
    return str(dialog.model.data(dialog.model.index(row, column)))


def actions(dialog: AuditDialog) -> list[str]:
    return [line.action for line in dialog.model.lines]


def add_lines(database: Database, lines: list[tuple[str, str, str]]) -> None:
    """Lines as another colleague's computer would have written them: (at, user, action)."""
    details = json.dumps({"rows": [{"t": "plans", "id": 1, "op": "~", "f": {"title": ["Старый", "Новый"]}}]})
    with database.atomic() as conn:
        conn.executemany(
            "INSERT INTO audit_log (at, os_user, computer, action, tables, details) VALUES (?, ?, 'КАБИНЕТ-12', ?, "
            "'plans ~1', ?)",
            [(at, user, action, details) for at, user, action in lines],
        )


def test_the_log_shows_an_edit_made_in_the_window_and_its_undo(
    main_window: MainWindow, qtbot: QtBot, demo_db: Database
) -> None:
    dialog = open_log(main_window, qtbot)
    assert dialog.windowTitle() == "Журнал изменений"
    assert not dialog.isModal()
    headers = [
        dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(dialog.model.columnCount())
    ]
    assert headers == ["Когда", "Пользователь", "Компьютер", "Действие", "Что изменено"]
    demo_lines = AuditService(demo_db).count()
    assert demo_lines > 0 and dialog.model.rowCount() == demo_lines
    assert dialog.status_label.text().startswith(f"{demo_lines} ")

    # An edit in the window, through the school's card.
    view = main_window.registry_view
    school = next(s for s in view.model.registry.schools if "Назиевская" in s.full_name)
    assert view.select_school(school.id)
    card = view.open_current()
    assert card is not None
    card.line_edit("director").setText("Иванова Мария Петровна")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        card.save()
    assert dialog.model.rowCount() == demo_lines + 1
    assert cell(dialog, 0, ACTION) == "Изменение школы МКОУ «Назиевская СОШ»"
    assert cell(dialog, 0, USER) == getpass.getuser()
    assert cell(dialog, 0, COMPUTER) != ""
    assert cell(dialog, 0, TABLES) == "Школы: изменено 1"
    assert len(cell(dialog, 0, WHEN)) == len("01.03.2024 14:05:09")
    # The newest line is selected and its fields show below the table.
    assert dialog.table.currentIndex().row() == 0
    text = dialog.details.toPlainText()
    assert "Изменение школы МКОУ «Назиевская СОШ»" in text
    assert "Руководитель: — → «Иванова Мария Петровна»" in text

    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        main_window.undo()
    assert cell(dialog, 0, ACTION) == "Отмена: Изменение школы МКОУ «Назиевская СОШ»"
    assert "Руководитель: «Иванова Мария Петровна» → —" in dialog.details.toPlainText()

    # Choosing another line shows its details.
    dialog.table.selectRow(1)
    assert "Руководитель: — → «Иванова Мария Петровна»" in dialog.details.toPlainText()

    # Opening it again reuses the one window.
    dialog.close()
    assert open_log(main_window, qtbot) is dialog


def test_filters_by_text_user_and_period(main_window: MainWindow, qtbot: QtBot, demo_db: Database) -> None:
    add_lines(
        demo_db,
        [
            ("2024-03-01T09:15:00", "Иванова", "Изменение плана «Дорожная карта ШНРО»"),
            ("2024-03-02T10:00:00", "petrov", "Изменение плана «Комплекс мер»"),
        ],
    )
    dialog = open_log(main_window, qtbot)
    me = getpass.getuser()
    users = [dialog.user_combo.itemText(i) for i in range(dialog.user_combo.count())]
    assert users[0] == "Все пользователи" and set(users[1:]) == {me, "Иванова", "petrov"}

    # Typing (Cyrillic, another case) filters once the typing pauses.
    dialog.search_edit.setFocus()
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        type_text(dialog.search_edit, "ДОРОЖНАЯ")
    assert actions(dialog) == ["Изменение плана «Дорожная карта ШНРО»"]
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.search_edit.setText("шумская")
    assert actions(dialog) and all(
        "Шумская" in a or "Шумская" in line.details
        for a, line in zip(actions(dialog), dialog.model.lines, strict=True)
    )
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.search_edit.setText("нет такой строки")
    assert dialog.model.rowCount() == 0
    assert dialog.status_label.text() == "Нет записей, подходящих под отбор."
    assert dialog.details.toPlainText() == ""
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.search_edit.clear()

    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.user_combo.setCurrentIndex(dialog.user_combo.findData("petrov"))
    assert actions(dialog) == ["Изменение плана «Комплекс мер»"]
    assert "Название: «Старый» → «Новый»" in dialog.details.toPlainText()
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.user_combo.setCurrentIndex(0)

    from datetime import date

    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.set_period(date(2024, 3, 1), date(2024, 3, 1))
    assert dialog.since_edit.isEnabled() and dialog.period_combo.currentText() == "Период…"
    assert actions(dialog) == ["Изменение плана «Дорожная карта ШНРО»"]
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.period_combo.setCurrentIndex(1)  # «Сегодня»: the demo district was made today
    assert not dialog.since_edit.isEnabled()
    assert "Изменение плана «Комплекс мер»" not in actions(dialog)
    assert dialog.model.rowCount() == AuditService(demo_db).count() - 2


def test_a_long_log_is_read_a_page_at_a_time(
    main_window: MainWindow, qtbot: QtBot, demo_db: Database
) -> None:
    add_lines(
        demo_db,
        [(f"2024-03-01T09:{n // 60:02d}:{n % 60:02d}", "petrov", f"Правка № {n}") for n in range(1200)],
    )
    total = AuditService(demo_db).count()
    dialog = open_log(main_window, qtbot)
    assert dialog.model.rowCount() == PAGE < total
    assert dialog.status_label.text().startswith(f"Показано {PAGE} из {total} ")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.table.scrollToBottom()  # the view asks the model for more
    assert dialog.model.rowCount() == 2 * PAGE
    while dialog.model.canFetchMore():
        with qtbot.waitSignal(dialog.loaded, timeout=5000):
            dialog.model.fetchMore()
    assert dialog.model.rowCount() == total
    assert len({line.id for line in dialog.model.lines}) == total  # no page read twice
    ids = [line.id for line in dialog.model.lines]
    assert ids == sorted(ids, reverse=True)  # newest first, across the pages
    assert dialog.status_label.text() == f"{total} записей."


def test_export_through_the_file_dialog(
    main_window: MainWindow, qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    add_lines(demo_db, [("2024-03-01T09:15:00", "Иванова", "Изменение плана «Дорожная карта ШНРО»")])
    dialog = open_log(main_window, qtbot)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.user_combo.setCurrentIndex(dialog.user_combo.findData("Иванова"))

    dialog.export_button.click()
    file_dialog = the_window(QFileDialog)
    assert file_dialog.windowTitle() == "Выгрузка журнала изменений в Excel"
    target = tmp_path / "журнал изменений"
    file_dialog.selectFile(str(target))
    with qtbot.waitSignal(dialog.exported, timeout=10000) as exported:
        file_dialog.accept()
    path = exported.args[0]
    assert path == target.with_name("журнал изменений.xlsx") and path.exists()
    box = next(b for b in visible_message_boxes() if b.windowTitle() == "Выгрузка журнала изменений")
    assert "1 запись" in box.text() and str(path) in box.text()
    box.close()

    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[4]] == [
        "Когда",
        "Пользователь",
        "Компьютер",
        "Действие",
        "Что изменено",
        "Подробности",
    ]
    assert sheet.freeze_panes == "A5"
    assert [c.value for c in sheet[5]][1:5] == [
        "Иванова",
        "КАБИНЕТ-12",
        "Изменение плана «Дорожная карта ШНРО»",
        "Планы: изменено 1",
    ]
    assert sheet.max_row == 5
