"""The registry in the main window, driven the way a person uses it: typing, keys, dialogs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import the_window, type_text, visible_windows

from app.domain import Category, CategorySource
from app.office import OfficeService
from app.schools import SchoolService
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.registry import view as registry_view_module
from ui.registry.archive_dialog import ArchiveDialog
from ui.registry.model import ARCHIVE_MARK, Column
from ui.registry.school_card import CategoryDialog, SchoolCardDialog

MGA = "Муниципальное бюджетное общеобразовательное учреждение «Мгинская средняя общеобразовательная школа»"


def shown_names(window: MainWindow) -> list[str]:
    model = window.registry_view.model
    return [model.data(model.index(row, Column.NAME)) for row in range(model.rowCount())]


def select(window: MainWindow, fragment: str) -> None:
    view = window.registry_view
    school = next(s for s in view.model.registry.schools if fragment in s.full_name)
    assert view.select_school(school.id)
    view.table.setFocus()


def press(
    qtbot: QtBot,
    window: MainWindow,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A key press on the table, as when the registry has the keyboard focus.

    Offscreen there is no window manager to give the window back its activation after a dialog
    closed; a person would click it, here it is activated (window shortcuts need an active window).
    """
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.registry_view.table, key, modifiers)


CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


# --- searching and filtering ------------------------------------------------------------------------
def test_search_as_you_type_any_case(main_window: MainWindow, qtbot: QtBot) -> None:
    view = main_window.registry_view
    assert len(shown_names(main_window)) == 9
    assert main_window.counts_label.text() == "Показано 9 из 9 школ"
    qtbot.keyClick(view.table, Qt.Key.Key_F, CTRL)
    assert view.search_edit.hasFocus()
    type_text(view.search_edit, "ОТРАД")
    assert view.search_edit.text() == "ОТРАД"
    assert shown_names(main_window) == ["МБОУ «Отрадненская СОШ №3»", "МКОУ «Отрадненская СОШ №2»"]
    assert main_window.counts_label.text() == "Показано 2 из 9 школ"
    type_text(view.search_edit, "ненская сош №2")
    assert shown_names(main_window) == ["МКОУ «Отрадненская СОШ №2»"]
    view.search_edit.clear()
    assert len(shown_names(main_window)) == 9


def test_search_folds_yo(main_window: MainWindow, qtbot: QtBot) -> None:
    view = main_window.registry_view
    school_id, changeset = SchoolService(main_window.database).create(
        {"full_name": "МБОУ «Ёлкинская СОШ»", "director": "Фёдорова Алёна Петровна"}
    )
    main_window.history.record(changeset)
    type_text(view.search_edit, "федорова")
    assert shown_names(main_window) == ["МБОУ «Ёлкинская СОШ»"]
    view.search_edit.clear()
    type_text(view.search_edit, "ЕЛКИН")
    assert shown_names(main_window) == ["МБОУ «Ёлкинская СОШ»"]
    assert view.current_school() is None or view.current_school().id == school_id


def test_search_is_debounced_for_a_large_registry(
    main_window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = main_window.registry_view
    monkeypatch.setattr(registry_view_module, "INSTANT_FILTER_LIMIT", 3)
    type_text(view.search_edit, "шум")
    assert len(shown_names(main_window)) == 9  # not yet: the user is still typing
    qtbot.waitUntil(lambda: shown_names(main_window) == ["МКОУ «Шумская СОШ»"], timeout=2000)


def test_filters_by_type_locality_and_category(main_window: MainWindow) -> None:
    view = main_window.registry_view
    view.kind_combo.setCurrentIndex(view.kind_combo.findText("ООШ"))
    assert shown_names(main_window) == ["МКОУ «Путиловская ООШ»"]
    view.kind_combo.setCurrentIndex(0)
    view.locality_combo.setCurrentIndex(view.locality_combo.findText("Городские"))
    assert len(shown_names(main_window)) == 4
    view.locality_combo.setCurrentIndex(0)
    view.category_combo.setCurrentIndex(view.category_combo.findText("Признаки необъективности"))
    assert sorted(shown_names(main_window)) == [
        "МКОУ «Назиевская СОШ»",
        "МКОУ «Путиловская ООШ»",
        "МКОУ «Шумская СОШ»",
    ]
    view.category_combo.setCurrentIndex(view.category_combo.findText("Любая категория"))
    assert len(shown_names(main_window)) == 5


def test_sorting_by_clicking_a_header(main_window: MainWindow, qtbot: QtBot) -> None:
    view = main_window.registry_view
    header = view.table.horizontalHeader()
    position = header.sectionViewportPosition(Column.STUDENTS) + 10
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().topLeft() + _point(position)
    )
    first = shown_names(main_window)[0]
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().topLeft() + _point(position)
    )
    assert {first, shown_names(main_window)[0]} == {"МКОУ «Путиловская ООШ»", "МБОУ «Кировская СОШ №2»"}


def _point(x: int) -> object:
    from PySide6.QtCore import QPoint

    return QPoint(x, 5)


def test_year_choice_is_remembered_and_reloads_categories(main_window: MainWindow) -> None:
    view = main_window.registry_view
    assert view.year_combo.currentText() == "2020/2021"
    view.category_combo.setCurrentIndex(view.category_combo.findText("Любая категория"))
    assert len(shown_names(main_window)) == 5
    other = next(i for i in range(view.year_combo.count()) if view.year_combo.itemData(i) != 2020)
    view.year_combo.setCurrentIndex(other)
    assert shown_names(main_window) == []
    assert OfficeService(main_window.database).setting("current_year") == str(view.year_combo.itemData(other))
    header = view.model.headerData(Column.CATEGORIES, Qt.Orientation.Horizontal)
    assert header == f"Категории {view.year_combo.currentText()}"


def test_year_change_loads_on_a_worker_when_the_registry_is_large(
    main_window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = main_window.registry_view
    monkeypatch.setattr(registry_view_module, "ASYNC_RELOAD_LIMIT", 0)
    view.category_combo.setCurrentIndex(view.category_combo.findText("ШНРО"))
    assert len(shown_names(main_window)) == 5
    with qtbot.waitSignal(view.loading_changed, check_params_cb=lambda loading: not loading, timeout=5000):
        view.year_combo.setCurrentIndex(
            view.year_combo.findData(2021) if view.year_combo.findData(2021) >= 0 else 0
        )
        assert view.is_loading()
    assert shown_names(main_window) == []
    with qtbot.waitSignal(view.loading_changed, check_params_cb=lambda loading: not loading, timeout=5000):
        view.year_combo.setCurrentIndex(view.year_combo.findData(2020))
    assert len(shown_names(main_window)) == 5


# --- the card ---------------------------------------------------------------------------------------
def test_enter_opens_the_card_and_an_empty_name_is_refused(main_window: MainWindow, qtbot: QtBot) -> None:
    select(main_window, "Шумская")
    press(qtbot, main_window, Qt.Key.Key_Return)
    card = the_window(SchoolCardDialog)
    assert card.windowTitle() == "Карточка школы — МКОУ «Шумская СОШ»"
    assert card.full_name_edit().toPlainText().startswith("Муниципальное казённое")
    assert card.line_edit("settlement").text() == "с. Шум"

    card.full_name_edit().clear()
    qtbot.mouseClick(card.buttons.button(card.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert card.isVisible()
    box = card.boxes["full_name"]
    assert box.has_error()
    assert box.error_text() == "Не указано полное наименование ОО"
    assert box.editor.property("invalid") is True
    # Typing again clears the mark; nothing was saved meanwhile.
    type_text(card.full_name_edit(), "МКОУ «Шумская СОШ»")
    assert not box.has_error()
    assert SchoolService(main_window.database).get(card.school.id).full_name.startswith("Муниципальное")
    card.reject()


def test_card_shows_each_problem_at_its_field(main_window: MainWindow, qtbot: QtBot) -> None:
    select(main_window, "Назиевская")
    card = main_window.registry_view.open_current()
    assert card is not None
    card.line_edit("inn").setText("12345")
    card.line_edit("students").setText("много")
    card.line_edit("email").setText("школа@")
    card.save()
    assert card.isVisible()
    assert "10 (организация) или 12 цифр" in card.boxes["inn"].error_text()
    assert "ожидается целое число" in card.boxes["students"].error_text()
    assert "неверный адрес электронной почты" in card.boxes["email"].error_text()
    assert not card.boxes["full_name"].has_error()
    card.reject()


def test_edit_saves_and_undo_restores(main_window: MainWindow, qtbot: QtBot) -> None:
    select(main_window, "Назиевская")
    card = main_window.registry_view.open_current()
    assert card is not None
    card.line_edit("director").setText("Иванова Мария Петровна")
    card.line_edit("students").setText("1 200")
    card.save()
    assert not card.isVisible()
    view = main_window.registry_view
    school = view.current_school()
    assert school is not None and school.director == "Иванова Мария Петровна" and school.students == 1200
    assert main_window.undo_action.text() == "Отменить: Изменение школы МКОУ «Назиевская СОШ»"
    press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
    school = view.current_school()
    assert school is not None and school.director == "" and school.students == 420
    press(qtbot, main_window, Qt.Key.Key_Y, CTRL)
    assert view.current_school().students == 1200


def test_add_school_then_undo_and_redo(main_window: MainWindow, qtbot: QtBot) -> None:
    press(qtbot, main_window, Qt.Key.Key_Insert)
    card = the_window(SchoolCardDialog)
    assert card.windowTitle() == "Новая школа"
    type_text(card.full_name_edit(), MGA)
    # The short name and the type follow the full name while the user has not set them.
    assert card.line_edit("short_name").text() == "МБОУ «Мгинская СОШ»"
    assert card.combo("kind").currentText() == "СОШ"
    card.combo("locality").setCurrentIndex(card.combo("locality").findText("Сельская"))
    type_text(card.line_edit("settlement"), "пгт Мга")
    qtbot.mouseClick(card.buttons.button(card.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not card.isVisible()

    service = SchoolService(main_window.database)
    assert "МБОУ «Мгинская СОШ»" in shown_names(main_window)
    assert main_window.counts_label.text() == "Показано 10 из 10 школ"
    assert main_window.registry_view.current_school().short_name == "МБОУ «Мгинская СОШ»"
    assert service.count() == 10

    press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
    assert "МБОУ «Мгинская СОШ»" not in shown_names(main_window)
    assert service.count() == 9
    assert main_window.counts_label.text() == "Показано 9 из 9 школ"
    assert main_window.statusBar().currentMessage() == "Отменено: Добавление школы МБОУ «Мгинская СОШ»"

    press(qtbot, main_window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert "МБОУ «Мгинская СОШ»" in shown_names(main_window)
    assert service.count() == 10


def test_short_name_typed_by_the_user_is_kept(main_window: MainWindow, qtbot: QtBot) -> None:
    card = main_window.registry_view.add_school()
    type_text(card.line_edit("short_name"), "Мгинская школа")
    type_text(card.full_name_edit(), MGA)
    assert card.line_edit("short_name").text() == "Мгинская школа"
    card.reject()


def test_branch_card_offers_head_schools_only(main_window: MainWindow, qtbot: QtBot) -> None:
    select(main_window, "Путиловская")
    card = main_window.registry_view.open_current()
    assert card is not None
    parent = card.combo("parent_id")
    choices = [parent.itemText(i) for i in range(parent.count())]
    assert choices[0] == "— самостоятельная ОО —"
    assert "МКОУ «Путиловская ООШ»" not in choices  # not itself
    parent.setCurrentIndex(parent.findText("МКОУ «Назиевская СОШ»"))
    card.save()
    assert main_window.registry_view.current_school().parent_name == "МКОУ «Назиевская СОШ»"
    model = main_window.registry_view.model
    row = model.row_of(main_window.registry_view.current_school().id)
    assert model.data(model.index(row, Column.PARENT)) == "МКОУ «Назиевская СОШ»"
    # The head school's card lists its branch; a branch is not offered as a head school.
    select(main_window, "Назиевская")
    head_card = main_window.registry_view.open_current()
    assert head_card is not None
    assert head_card.branches_model.stringList() == ["МКОУ «Путиловская ООШ»"]
    assert head_card.tabs.tabText(head_card.branches_tab_index) == "Филиалы (1)"
    head_card.reject()
    select(main_window, "Шумская")
    other = main_window.registry_view.open_current()
    assert other is not None
    combo = other.combo("parent_id")
    assert combo.findText("МКОУ «Путиловская ООШ»") == -1
    other.reject()


# --- archive --------------------------------------------------------------------------------------
def test_archive_needs_a_reason_and_hides_the_school(main_window: MainWindow, qtbot: QtBot) -> None:
    view = main_window.registry_view
    select(main_window, "Приладожская")
    main_window.archive_action.trigger()
    dialog = the_window(ArchiveDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "Укажите причину" in dialog.reason_box.error_text()
    type_text(dialog.reason_edit, "Реорганизация путём присоединения")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert "МКОУ «Приладожская СОШ»" not in shown_names(main_window)
    assert main_window.counts_label.text() == "Показано 8 из 8 школ; в архиве — 1"
    view.archive_check.setChecked(True)
    assert "МКОУ «Приладожская СОШ»" + ARCHIVE_MARK in shown_names(main_window)

    select(main_window, "Приладожская")
    assert main_window.restore_action.isEnabled() and not main_window.archive_action.isEnabled()
    main_window.restore_action.trigger()
    assert "МКОУ «Приладожская СОШ»" in shown_names(main_window)
    assert main_window.counts_label.text() == "Показано 9 из 9 школ"
    # Undo the restore, then the archiving: back where we started.
    press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
    assert "МКОУ «Приладожская СОШ»" + ARCHIVE_MARK in shown_names(main_window)
    press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
    assert "МКОУ «Приладожская СОШ»" in shown_names(main_window)


def test_archive_refused_while_branches_are_active(main_window: MainWindow) -> None:
    service = SchoolService(main_window.database)
    schools = {s.short_name: s for s in service.list_schools()}
    changeset = service.update(
        schools["МКОУ «Путиловская ООШ»"].id, {"parent_id": schools["МКОУ «Назиевская СОШ»"].id}
    )
    main_window.history.record(changeset)
    select(main_window, "Назиевская")
    dialog = main_window.registry_view.archive_current()
    assert dialog is not None
    type_text(dialog.reason_edit, "Закрытие")
    dialog.save()
    assert dialog.isVisible()
    assert "действующие филиалы" in dialog.general_error.text()
    dialog.reject()


# --- categories ------------------------------------------------------------------------------------
def test_category_set_in_the_card_is_picked_up_by_the_filter(main_window: MainWindow, qtbot: QtBot) -> None:
    view = main_window.registry_view
    view.category_combo.setCurrentIndex(view.category_combo.findText("ШФНСУ"))
    assert shown_names(main_window) == []
    view.category_combo.setCurrentIndex(0)

    select(main_window, "Кировская")
    main_window.categories_action.trigger()
    card = the_window(SchoolCardDialog)
    assert card.tabs.currentIndex() == 1
    assert card.categories_model.rowCount() == 0
    qtbot.mouseClick(card.add_category_button, Qt.MouseButton.LeftButton)
    dialog = the_window(CategoryDialog)
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData(Category.UNFAVOURABLE.value))
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData(CategorySource.ORDER.value))
    assert dialog.document_label.text() == "Приказ № … от …*:"
    type_text(dialog.reason_edit, "Индекс социального благополучия ниже 0,5")
    dialog.save()
    assert dialog.isVisible()
    assert "реквизиты приказа" in dialog.document_box.error_text()
    type_text(dialog.document_edit, "приказ от 01.09.2020 № 12")
    dialog.save()
    assert not dialog.isVisible()
    assert card.categories_model.rowCount() == 1
    assert card.categories_model.data(card.categories_model.index(0, 1)) == "ШФНСУ"
    assert card.tabs.tabText(1) == "Категории по годам (1)"
    card.reject()

    view.category_combo.setCurrentIndex(view.category_combo.findText("ШФНСУ"))
    assert shown_names(main_window) == ["МБОУ «Кировская СОШ №2»"]
    press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
    assert shown_names(main_window) == []


def test_category_removed_in_the_card(main_window: MainWindow, qtbot: QtBot) -> None:
    select(main_window, "Синявинская")
    card = main_window.registry_view.open_categories()
    assert card is not None
    assert card.categories_model.rowCount() == 1
    assert not card.remove_category_button.isEnabled()
    card.categories_view.selectRow(0)
    assert card.remove_category_button.isEnabled()
    qtbot.mouseClick(card.remove_category_button, Qt.MouseButton.LeftButton)
    assert card.categories_model.rowCount() == 0
    card.reject()
    view = main_window.registry_view
    view.category_combo.setCurrentIndex(view.category_combo.findText("ШНРО"))
    assert "МКОУ «Синявинская СОШ»" not in shown_names(main_window)


# --- undo conflicts and the office page ------------------------------------------------------------
def test_undo_refused_when_data_changed_since(main_window: MainWindow, qtbot: QtBot) -> None:
    select(main_window, "Шумская")
    card = main_window.registry_view.open_current()
    assert card is not None
    card.line_edit("director").setText("Петрова Анна Сергеевна")
    card.save()
    school_id = card.school.id
    # Someone else (an import, a colleague) changes the same school outside this undo stack.
    SchoolService(main_window.database).update(school_id, {"director": "Смирнова Ольга Ивановна"})
    stack = main_window.history.stack
    assert stack.count() == 1
    press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: bool(visible_message_boxes()), timeout=2000)
    box = visible_message_boxes()[0]
    assert "Нельзя отменить" in box.text() and "данные не тронуты" in box.text()
    box.close()
    assert SchoolService(main_window.database).get(school_id).director == "Смирнова Ольга Ивановна"
    # The stale step is gone, so the stack does not claim a state the data is not in.
    assert stack.count() == 0 and not main_window.undo_action.isEnabled()
    assert main_window.registry_view.current_school().director == "Смирнова Ольга Ивановна"


def test_big_changes_are_undone_on_a_worker(
    main_window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.undo

    monkeypatch.setattr(ui.undo, "ASYNC_THRESHOLD", 0)
    card = main_window.registry_view.add_school()
    type_text(card.full_name_edit(), MGA)
    card.save()
    service = SchoolService(main_window.database)
    assert service.count() == 10
    with qtbot.waitSignal(
        main_window.history.busy_changed, check_params_cb=lambda busy: not busy, timeout=5000
    ):
        press(qtbot, main_window, Qt.Key.Key_Z, CTRL)
        assert main_window.history.is_busy() and not main_window.undo_action.isEnabled()
    assert service.count() == 9
    assert "МБОУ «Мгинская СОШ»" not in shown_names(main_window)
    assert main_window.history.stack.index() == 0 and main_window.redo_action.isEnabled()
    with qtbot.waitSignal(
        main_window.history.busy_changed, check_params_cb=lambda busy: not busy, timeout=5000
    ):
        press(qtbot, main_window, Qt.Key.Key_Y, CTRL)
    assert service.count() == 10
    assert "МБОУ «Мгинская СОШ»" in shown_names(main_window)


def test_office_requisites_page(main_window: MainWindow, qtbot: QtBot) -> None:
    assert main_window.windowTitle() == "Опора — Комитет образования"
    assert [main_window.nav.item(i).text() for i in range(main_window.nav.count())] == [
        "Реестр школ",
        "Планы мероприятий",
        "Сетевое партнёрство",
        "Мониторинг",
        "Выявление школ",
        "Приказы и письма",
        "Обзор",
        "Реквизиты органа",
    ]
    main_window.nav.setCurrentRow(7)
    page = main_window.office_page
    assert main_window.pages.currentWidget() is page
    form = page.form
    assert "КОМИТЕТ ОБРАЗОВАНИЯ" in form.boxes["name"].editor.toPlainText()
    form.boxes["email"].editor.setText("не почта")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert form.boxes["email"].has_error()
    form.boxes["email"].editor.setText("kirovsk-edu@example.ru")
    form.boxes["short_name"].editor.setText("Комитет образования Кировского района")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Реквизиты сохранены."
    assert main_window.windowTitle() == "Опора — Комитет образования Кировского района"
    main_window.undo()
    assert main_window.windowTitle() == "Опора — Комитет образования"
    assert form.boxes["short_name"].editor.text() == "Комитет образования"


def test_menus_and_shortcuts_are_russian(main_window: MainWindow) -> None:
    titles = [a.text() for a in main_window.menuBar().actions()]
    assert titles == ["&Файл", "&Правка", "&Школа", "&Справка"]
    shortcuts = {
        main_window.new_db_action: ["Ctrl+N"],
        main_window.open_db_action: ["Ctrl+O"],
        main_window.quit_action: ["Ctrl+Q"],
        main_window.undo_action: ["Ctrl+Z"],
        main_window.redo_action: ["Ctrl+Shift+Z", "Ctrl+Y"],
        main_window.find_action: ["Ctrl+F"],
        main_window.add_school_action: ["Ins", "Ctrl+Shift+N"],
        main_window.open_card_action: ["Return", "Enter"],
    }
    for action, expected in shortcuts.items():
        assert [s.toString() for s in action.shortcuts()] == expected, action.text()
    assert not main_window.undo_action.isEnabled()


def test_ctrl_shift_n_adds_and_escape_cancels(main_window: MainWindow, qtbot: QtBot) -> None:
    press(qtbot, main_window, Qt.Key.Key_N, CTRL_SHIFT)
    card = the_window(SchoolCardDialog)
    qtbot.keyClick(card, Qt.Key.Key_Escape)
    assert not visible_windows(SchoolCardDialog)
    assert SchoolService(main_window.database).count() == 9


def test_double_click_opens_one_card(main_window: MainWindow, qtbot: QtBot) -> None:
    view = main_window.registry_view
    select(main_window, "Синявинская")
    row = view.model.row_of(view.current_school().id)
    rect = view.table.visualRect(view.model.index(row, Column.SETTLEMENT))
    # A real double click is a click, then the double-click event (QTest sends only the latter).
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not visible_windows(SchoolCardDialog)  # one click only selects
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    card = the_window(SchoolCardDialog)
    assert card.windowTitle() == "Карточка школы — МКОУ «Синявинская СОШ»"
    card.reject()
