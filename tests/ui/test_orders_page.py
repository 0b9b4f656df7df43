"""The «Приказы и письма» page over the demo district, used the way a person does: a draft from a
template, edited and saved, a sub-point and an appendix added, signed through the dialog, refused
when changed, the signing undone and redone, amended, verified, the register exported."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.domain import Category
from app.orders.model import AppendixKind, OrderKind, OrderStatus, OrderSummary, PointDraft
from app.orders.service import OrderService
from db import Database
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.orders.dialogs import AppendixDialog, NewFromTemplateDialog, NumberingDialog, SignDialog
from ui.orders.editor import PointsModel
from ui.orders.page import OrdersPage, RegisterModel

YEAR = 2020
TITLE = "Об утверждении плана мероприятий по оказанию методической помощи школам на 2020-2021 учебный год"
STATUS = RegisterModel.STATUS
WAIT_MS = 30_000


def close_boxes() -> list[str]:
    texts = []
    for box in visible_message_boxes():
        texts.append(box.text())
        box.close()
    return texts


def demo_plan_id(database: Database) -> int:
    rows = database.query(
        "SELECT id FROM plans WHERE academic_year = ? AND title LIKE 'План мероприятий по оказанию%'", (YEAR,)
    )
    return int(rows[0][0])


@pytest.fixture
def page(main_window: MainWindow) -> OrdersPage:
    titles = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert titles.index("Приказы и письма") == titles.index("Выявление школ") + 1
    assert titles.index("Выявление школ") == titles.index("Мониторинг") + 1
    assert titles.index("Обзор") == titles.index("Приказы и письма") + 1
    assert main_window._orders_page is None  # built on first use
    main_window.nav.setCurrentRow(titles.index("Приказы и письма"))
    page = main_window.orders_page
    assert main_window.pages.currentWidget() is page
    return page


# --- the models without widgets ---------------------------------------------------------------------
def summary(order_id: int, number: str, title: str, *, on: date | None = None) -> OrderSummary:
    return OrderSummary(
        id=order_id,
        kind=OrderKind.ORDER,
        status=OrderStatus.SIGNED if number else OrderStatus.DRAFT,
        number=number,
        order_date=on,
        title=title,
        signer_name="Е.А. Краснова",
        academic_year=YEAR,
        appendix_count=1,
        amends_order_id=None,
        signed_at=None,
    )


def test_the_register_model_sorts_numbers_as_numbers(qtbot: QtBot) -> None:
    model = RegisterModel()
    model.set_rows(
        [
            summary(1, "01-10/15", "Б", on=date(2020, 9, 1)),
            summary(2, "01-10/142", "А", on=date(2020, 10, 1)),
            summary(3, "", "В"),
        ],
        {},
    )
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "№",
        "Дата",
        "Вид",
        "Заголовок",
        "Статус",
        "Подписал",
        "Прил.",
    ]
    assert model.index(0, RegisterModel.DATE).data() == "01.09.2020"
    assert model.index(2, STATUS).data() == "Проект"
    model.sort(RegisterModel.NUMBER, Qt.SortOrder.AscendingOrder)
    assert [s.id for s in model.rows] == [1, 2, 3]  # 15 before 142; no number last
    model.sort(RegisterModel.TITLE, Qt.SortOrder.AscendingOrder)
    assert [s.id for s in model.rows] == [2, 1, 3]


def test_the_points_model_numbers_points_and_sub_points(qtbot: QtBot) -> None:
    model = PointsModel()
    model.set_points([PointDraft(text="Утвердить план."), PointDraft(text="Назначить ответственного.")])
    first = model.index(0, 0)
    child = model.add(first, child=True)
    assert model.index(0, PointsModel.NUMBER, model.index(0, 0)).data() == "1.1."
    assert model.parent(child).row() == 0
    model.update(child, text="Разместить план на сайте.")
    assert model.points[0].children[0].text == "Разместить план на сайте."
    # A typed number stays and the count continues from it.
    model.update(model.index(0, 0), number="3.")
    assert [model.index(r, 0).data() for r in range(2)] == ["3.", "4."]
    assert model.index(0, 0, model.index(0, 0)).data() == "3.1."
    moved = model.move(model.index(1, 0), -1)
    assert moved.row() == 0 and model.points[0].text == "Назначить ответственного."
    model.remove(model.index(1, 0))
    assert model.count() == 1


# --- the page ------------------------------------------------------------------------------------------
def test_the_life_of_an_order(
    page: OrdersPage, main_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    database = main_window.database
    service = OrderService(database)
    history = main_window.history
    demo_orders = page.model.rowCount()

    # «Создать из шаблона…»: the plan approval with a plan of the demo district.
    dialog = page.new_from_template()
    assert isinstance(dialog, NewFromTemplateDialog) and dialog.isVisible()
    assert dialog.select_template("approve_plan")
    dialog.set_year(YEAR)
    assert dialog.form.isRowVisible(dialog.plans_list.parentWidget())
    assert not dialog.form.isRowVisible(dialog.criteria_combo)
    assert dialog.check_plan(demo_plan_id(database))
    dialog.responsible_name.setText("Плаксина И.Н.")
    dialog.responsible_position.setText("главный специалист комитета образования")
    dialog.controller_name.setText("Куприенко Е.В.")
    dialog.controller_position.setText("заместитель председателя комитета образования")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    # The forms the declension is unsure of are shown to be checked.
    notes = close_boxes()
    assert len(notes) == 1 and "Куприенко" in notes[0]

    editor = page.editor
    assert page.in_editor() and editor.order is not None
    order_id = editor.order_id
    assert order_id is not None
    order = service.get(order_id)
    assert "Плаксину И.Н." in order.points[1].text
    assert [a.kind for a in order.appendices] == [AppendixKind.PLAN]
    assert page.model.rowCount() == demo_orders + 1
    assert page.row_texts(order_id)[STATUS] == "Проект"

    # The title, edited and saved: one undo step.
    steps = history.stack.count()
    editor.title_edit.setPlainText(TITLE)
    assert editor.is_dirty() and editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.is_dirty() and editor.state_label.text() == "сохранено"
    assert service.get(order_id).title == TITLE
    assert history.stack.count() == steps + 1
    assert page.row_texts(order_id)[RegisterModel.TITLE] == TITLE

    # A sub-point of point 1, saved with Ctrl+S (the editor's action).
    editor.tabs.setCurrentIndex(2)
    assert editor.select_point([0])
    qtbot.mouseClick(editor.add_subpoint_button, Qt.MouseButton.LeftButton)
    editor.point_text_edit.setPlainText("Разместить план на официальном сайте комитета образования.")
    sub = editor.points_model.index(0, PointsModel.NUMBER, editor.points_model.index(0, 0))
    assert sub.data() == "1.1."
    editor.save_action.trigger()
    saved = service.get(order_id)
    assert saved.points[0].children[0].text == "Разместить план на официальном сайте комитета образования."
    assert history.stack.count() == steps + 2

    # An appendix: the list of ШНРО of the year.
    appendix_dialog = editor.add_appendix()
    assert isinstance(appendix_dialog, AppendixDialog)
    appendix_dialog.set_kind(AppendixKind.SCHOOL_LIST)
    appendix_dialog.set_year(YEAR)
    appendix_dialog.category_combo.setCurrentIndex(
        appendix_dialog.category_combo.findData(Category.LOW_RESULTS.value)
    )
    assert not appendix_dialog.form.isRowVisible(appendix_dialog.plans_list)
    qtbot.mouseClick(appendix_dialog.ok_button, Qt.MouseButton.LeftButton)
    assert editor.appendices_model.rowCount() == 2
    assert editor.appendices_model.problems == [[], []]
    assert "ШНРО" in editor.appendices_model.index(1, 2).data()
    assert editor.tabs.tabText(3) == "Приложения (2)"

    # The preview shows the draft as it prints (rendered on a worker).
    qtbot.waitUntil(lambda: page._pdf is not None and page._pdf[0] == order_id, timeout=WAIT_MS)
    assert page._pdf[1].startswith(b"%PDF")

    # Back to the register: the draft is there.
    qtbot.mouseClick(editor.back_button, Qt.MouseButton.LeftButton)
    assert not page.in_editor() and page.current_id() == order_id
    texts = page.row_texts(order_id)
    assert texts[STATUS] == "Проект" and texts[RegisterModel.APPENDICES] == "2" and texts[0] == ""

    # Signing: the number the register suggests, today's date.
    sign = page.sign_current()
    assert isinstance(sign, SignDialog) and sign.isVisible()
    today = date.today()
    assert sign.number_edit.text() == service.suggest_number(OrderKind.ORDER, today) == "1"
    assert sign.on() == today and sign.sign_button.isEnabled() and not sign.problems
    qtbot.mouseClick(sign.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.row_texts(order_id)[STATUS] == "Подписан", timeout=WAIT_MS)
    texts = page.row_texts(order_id)
    assert texts[0] == "1" and texts[RegisterModel.DATE] == today.strftime("%d.%m.%Y")
    signed = service.get(order_id)
    assert signed.is_signed and signed.number == "1"
    assert page.sign_action.isEnabled() is False and page.amend_action.isEnabled()

    # The signed document opens read-only, with the banner.
    assert page.open_order(order_id)
    assert editor.is_read_only() and editor.banner.isVisible()
    assert "изменить нельзя" in editor.banner_label.text()
    assert editor.title_edit.isReadOnly() and not editor.add_appendix_button.isEnabled()
    assert editor.add_appendix() is None
    # The stored signed PDF is what the preview shows.
    qtbot.waitUntil(lambda: page._pdf is not None and page._pdf[0] == order_id, timeout=WAIT_MS)
    assert page._pdf[1] == service.signed_pdf(order_id)

    # A change is refused with a message, and the signed text comes back.
    editor.title_edit.setPlainText("Другой заголовок")
    assert not editor.save()
    refused = close_boxes()
    assert len(refused) == 1 and "подписан" in refused[0] and "Внести изменения" in refused[0]
    assert editor.title_edit.toPlainText() == TITLE and not editor.is_dirty()
    assert service.get(order_id).title == TITLE

    # Undo of the signing: a draft again, editable; redo signs it again.
    main_window.undo()
    assert page.row_texts(order_id)[STATUS] == "Проект"
    assert not service.get(order_id).is_signed
    assert not editor.is_read_only() and not editor.banner.isVisible()
    main_window.redo()
    assert page.row_texts(order_id)[STATUS] == "Подписан"
    assert editor.is_read_only()

    # The stored copy is the one that was signed.
    box = page.verify_current()
    assert box is not None and "совпадает с подписанной" in box.text()
    close_boxes()

    # «Внести изменения»: a new draft that refers to the signed order.
    new_id = page.amend_current()
    assert new_id is not None and new_id != order_id
    assert page.editor.order_id == new_id and not page.editor.is_read_only()
    amendment = service.get(new_id)
    assert amendment.title.startswith("О внесении изменений в приказ от")
    assert f"№ 1 «{TITLE}»" in amendment.title
    assert amendment.amends_order_id == order_id and not amendment.is_signed
    assert page.row_texts(new_id)[STATUS] == "Проект"

    # The register in Excel (the rows shown).
    if importlib.util.find_spec("app.exporting.order_register_xlsx") is None:
        pytest.skip(
            "app/exporting/order_register_xlsx.py is not installed: the journal export is not checked"
        )
    assert page.show_register()
    target = tmp_path / "Журнал.xlsx"
    assert page.export_register(target)
    qtbot.waitUntil(lambda: target.exists() and bool(visible_message_boxes()), timeout=WAIT_MS)
    assert any("Журнал сохранён" in text for text in close_boxes())
    from openpyxl import load_workbook

    values = [str(c.value) for row in load_workbook(target).active.iter_rows() for c in row if c.value]
    assert any(TITLE in value for value in values)
    assert any(value.startswith("О внесении изменений в приказ от") for value in values)


def test_filters_search_and_a_blank_draft_deleted_and_undone(
    page: OrdersPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    service = OrderService(main_window.database)
    demo = page.model.rowCount()
    assert demo >= 1
    assert main_window.counts_label.text().startswith(f"{demo} документ")

    order_id = page.new_blank()
    assert order_id is not None and page.in_editor()
    editor = page.editor
    assert editor.tabs.currentIndex() == 1
    editor.title_edit.setPlainText("О проведении семинара «Ещё раз об объективности»")
    assert page.show_register()  # leaving the editor saves
    assert service.get(order_id).title == "О проведении семинара «Ещё раз об объективности»"

    # Search folds case and ё; the filters by kind and status.
    page.search_edit.setText("ЕЩЕ РАЗ")
    assert [s.id for s in page.model.rows] == [order_id]
    page.search_edit.clear()
    page.status_combo.setCurrentIndex(page.status_combo.findData(OrderStatus.SIGNED.value))
    assert all(s.status is OrderStatus.SIGNED for s in page.model.rows)
    page.status_combo.setCurrentIndex(0)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(OrderKind.LETTER.value))
    assert page.model.rowCount() == 0 and page.empty_label.isVisible()
    page.kind_combo.setCurrentIndex(0)
    assert page.model.rowCount() == demo + 1

    # «Удалить проект» asks, deletes; Ctrl+Z brings the draft back.
    assert page.select_order(order_id)
    box = page.delete_current()
    assert box is not None
    yes = next(b for b in box.buttons() if b.text() == "Удалить")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert page.model.row_of(order_id) is None
    main_window.undo()
    assert page.model.row_of(order_id) is not None

    # A signed document cannot be deleted.
    signed = next(s for s in page.model.rows if s.status is OrderStatus.SIGNED)
    assert page.select_order(signed.id)
    assert not page.delete_action.isEnabled()
    page.delete_current()
    assert any("удалить его нельзя" in text for text in close_boxes())


def test_numbering_shows_the_next_number(page: OrdersPage, main_window: MainWindow, qtbot: QtBot) -> None:
    dialog = page.edit_numbering()
    assert isinstance(dialog, NumberingDialog)
    edit = dialog.edits[OrderKind.DIRECTIVE]
    edit.setText("{n}-р")
    assert dialog.examples[OrderKind.DIRECTIVE].text().endswith("1-р")
    edit.setText("без номера")
    assert "{n}" in dialog.examples[OrderKind.DIRECTIVE].text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors[OrderKind.DIRECTIVE].isVisible()  # refused: no place for the number
    edit.setText("01-10/{n}")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert OrderService(main_window.database).numbering_format(OrderKind.DIRECTIVE).pattern == "01-10/{n}"


IMPORTED = "\n".join(
    [
        "Отдел образования администрации района",
        "",
        "ПРИКАЗ",
        "",
        "01.09.2021\t№ 77",
        "",
        "Об утверждении состава рабочей группы",
        "",
        "В целях повышения качества образования",
        "ПРИКАЗЫВАЮ:",
        "1. Утвердить состав рабочей группы (приложение).",
        "2. Контроль за исполнением настоящего приказа оставляю за собой.",
        "",
        "Начальник отдела образования",
        "",
        "И.И. Иванов",
        "",
        "Приложение к приказу от 01.09.2021 № 77",
        "",
        "Состав рабочей группы по оказанию методической помощи",
        "",
        "Председатель рабочей группы:",
        "Труфанова А.А. – руководитель ИМС",
        "Члены рабочей группы:",
        "Петров П.П. – методист",
    ]
)


def test_a_document_is_imported_after_its_preview(
    page: OrdersPage, main_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    if importlib.util.find_spec("app.orders.importer") is None:
        pytest.skip("app/orders/importer.py is not installed: the import is not checked")
    path = tmp_path / "приказ 77.txt"
    path.write_text(IMPORTED, encoding="utf-8")
    before = page.model.rowCount()
    assert page.import_action.isEnabled()
    assert page.import_document(path)
    # The preview (read on a worker) is shown first and asks.
    qtbot.waitUntil(lambda: bool(visible_message_boxes()), timeout=WAIT_MS)
    box = visible_message_boxes()[0]
    # a document with a number and a date was signed on paper: the question says where it goes
    assert "№ 77" in box.text() and "встанет в журнал как подписанный" in box.text()
    load = next(b for b in box.buttons() if b.text() == "Загрузить")
    qtbot.mouseClick(load, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 1 and page.in_editor(), timeout=WAIT_MS)
    order = OrderService(main_window.database).get(page.editor.order_id)
    assert order.title == "Об утверждении состава рабочей группы"
    assert [a.kind for a in order.appendices] == [AppendixKind.WORKING_GROUP]
    assert order.status is OrderStatus.SIGNED and order.number == "77"
    # One undo step takes it all back.
    main_window.undo()
    assert page.model.rowCount() == before and not page.in_editor()


def test_sign_dialog_warns_of_a_date_outside_the_documents_year(
    main_window: MainWindow, qtbot: QtBot
) -> None:
    from datetime import date

    from app.orders.service import OrderService
    from ui.orders.dialogs import SignDialog

    service = OrderService(main_window.database)
    order_id, _ = service.create(
        {
            "title": "Об утверждении",
            "signer_position": "Начальник",
            "signer_name": "И.И. Иванов",
            "academic_year": 2020,
        },
        [PointDraft(text="Утвердить.")],
    )
    dialog = SignDialog(main_window.database, service.get(order_id), today=date(2026, 11, 23))
    qtbot.addWidget(dialog)
    assert "вне 2020/2021 учебного года" in dialog.date_hint.text() and not dialog.date_hint.isHidden()
    dialog.date_edit.setDate(QDate(2020, 9, 1))
    assert dialog.date_hint.isHidden()
    assert dialog.sign_button.isEnabled()  # a warning, not a refusal


def test_a_document_saved_as_a_template_is_offered_and_can_be_removed(
    main_window: MainWindow, qtbot: QtBot
) -> None:
    from app.orders.templates import list_templates
    from ui.orders.dialogs import NewFromTemplateDialog, SaveTemplateDialog

    service = OrderService(main_window.database)
    order_id, _ = service.create(
        {"title": "Об утверждении плана на 2020-2021 учебный год", "academic_year": 2020},
        [PointDraft(text="Утвердить план.")],
    )
    dialog = SaveTemplateDialog(main_window.database, main_window.history, service.get(order_id))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Приказ о плане (наш)")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save()
    key = saved.args[0]
    chooser = NewFromTemplateDialog(main_window.database, main_window.history, year=2021)
    qtbot.addWidget(chooser)
    row = next(i for i, t in enumerate(chooser.templates) if t.key == key)
    chooser.template_list.setCurrentRow(row)
    assert chooser.template_list.item(row).text() == "Приказ о плане (наш) (шаблон органа)"
    assert chooser.reset_button.text() == "Удалить шаблон" and not chooser.reset_button.isHidden()
    chooser.reset_template()
    assert key not in {t.key for t in list_templates(main_window.database)}
    main_window.undo()  # the removal is one undo step
    assert key in {t.key for t in list_templates(main_window.database)}
