"""Bringing a plan in from the window: a file, a paste from Word, a table with unknown headers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.plans.service import PlanService
from db import Database
from ui.messages import visible_message_boxes
from ui.plan_import.dialogs import PlanImportDialog
from ui.plan_import.flow import PlanExportFlow, PlanImportFlow, clipboard_formats
from ui.undo import ChangeHistory
from ui.workers import JobRunner

SEED_000 = Path(__file__).resolve().parents[2] / "resources" / "demo" / "plans" / "000.txt"

WORD_HTML = """<html><body>
<p><b>План мероприятий на 2022-2023 учебный год</b></p>
<table border=1>
<tr><td>№ п/п</td><td>Мероприятие</td><td>Срок</td><td>Ответственный</td></tr>
<tr><td colspan=4>Раздел 1. Организация</td></tr>
<tr><td>1.</td><td>Совещание с директорами</td><td>Сентябрь 2022 г.</td><td>Отдел образования</td></tr>
<tr><td>2.</td><td>Анализ ВПР</td><td>по мере готовности</td><td>МОЦ</td></tr>
</table></body></html>"""


def make_flow(qtbot: QtBot, database: Database) -> tuple[PlanImportFlow, ChangeHistory]:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    jobs = JobRunner(parent)
    history = ChangeHistory(database, jobs, parent)
    return PlanImportFlow(database, history, jobs, parent), history


def wait_dialog(qtbot: QtBot, flow: PlanImportFlow) -> PlanImportDialog:
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=10_000)
    assert flow.dialog is not None
    return flow.dialog


def test_a_seed_document_shows_its_two_plans_and_loads_the_chosen_one(
    qtbot: QtBot, database: Database
) -> None:
    flow, history = make_flow(qtbot, database)
    flow.start_from_file(SEED_000)
    dialog = wait_dialog(qtbot, flow)
    model = dialog.model
    assert model.rowCount() == 2
    assert [model.data(model.index(r, 5)) for r in range(2)] == [12, 16]
    assert [model.data(model.index(r, 4)) for r in range(2)] == [0, 5]
    assert model.data(model.index(0, 2)) == "2020/2021"
    assert dialog.load_button.text() == "Загрузить 2 плана"
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert dialog.load_button.text() == "Загрузить план"
    with qtbot.waitSignal(flow.imported, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    (ids,) = blocker.args
    plans = PlanService(database).list_plans()
    assert [p.id for p in plans] == ids and plans[0].items == 16 and plans[0].sections == 5
    # One undo step takes the whole import back.
    assert history.stack.count() == 1
    history.stack.undo()
    qtbot.waitUntil(lambda: PlanService(database).list_plans() == [], timeout=5000)


def test_a_table_pasted_from_word_becomes_a_plan_in_the_chosen_year(qtbot: QtBot, database: Database) -> None:
    # What Word puts on the clipboard: the table as HTML and as tab-separated text. (A QMimeData
    # made in Python and handed to the clipboard is freed twice by this PySide: pass the formats.)
    flow, _ = make_flow(qtbot, database)
    flow.start_from_clipboard({"text/html": WORD_HTML, "text/plain": "не используется: HTML точнее"})
    dialog = wait_dialog(qtbot, flow)
    assert dialog.source_label.text() == "Источник: <b>буфер обмена</b>"
    assert dialog.model.data(dialog.model.index(0, 2)) == "2022/2023"
    # Choosing another year reads the plan again in that year.
    dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(2023))
    qtbot.waitUntil(lambda: dialog.model.data(dialog.model.index(0, 2)) == "2023/2024", timeout=10_000)
    with qtbot.waitSignal(flow.imported, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    plan = PlanService(database).get(blocker.args[0][0])
    assert plan.academic_year == 2023
    assert [s.title for s in plan.sections] == ["Раздел 1. Организация"]
    assert [(i.display_number, i.measure, i.deadline_text) for i in plan.items] == [
        ("1", "Совещание с директорами", "Сентябрь 2022 г."),
        ("2", "Анализ ВПР", "по мере готовности"),
    ]


def test_unknown_headers_are_mapped_by_hand(qtbot: QtBot, database: Database, tmp_path: Path) -> None:
    source = tmp_path / "план.txt"
    source.write_text(
        "Что делаем\tКогда\tКто\nСовещание\tоктябрь 2020 г.\tОтдел\nСеминар\tдо 15.12.2020\tМОЦ\n",
        encoding="utf-8",
    )
    flow, _ = make_flow(qtbot, database)
    flow.start_from_file(source)
    qtbot.waitUntil(
        lambda: flow.mapping_dialog is not None and flow.mapping_dialog.isVisible(), timeout=10_000
    )
    mapping = flow.mapping_dialog
    assert mapping is not None
    assert mapping.problem.text() == "Выберите столбец с мероприятием." and not mapping.ok_button.isEnabled()
    for combo, role in zip(mapping.combos, ("measure", "deadline", "responsible"), strict=True):
        combo.setCurrentIndex(combo.findData(role))
    assert mapping.problem.text() == "" and mapping.ok_button.isEnabled()
    qtbot.mouseClick(mapping.ok_button, Qt.MouseButton.LeftButton)
    dialog = wait_dialog(qtbot, flow)
    with qtbot.waitSignal(flow.imported, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    plan = PlanService(database).get(blocker.args[0][0])
    assert [(i.measure, i.deadline_text, i.responsible) for i in plan.items] == [
        ("Совещание", "октябрь 2020 г.", "Отдел"),
        ("Семинар", "до 15.12.2020", "МОЦ"),
    ]


def test_the_clipboard_text_is_read(qtbot: QtBot) -> None:
    QGuiApplication.clipboard().setText("№\tМероприятие\tСрок\n1\tСовещание\tмай")
    assert clipboard_formats()["text/plain"] == "№\tМероприятие\tСрок\n1\tСовещание\tмай"


# A flow deletes itself when done: the tests drop their reference at once, as the window does
# (this PySide crashes when the last Python reference to a QObject it already deleted goes away).


def test_an_empty_clipboard_gets_a_russian_message(qtbot: QtBot, database: Database) -> None:
    QGuiApplication.clipboard().clear()
    assert clipboard_formats() == {}
    flow, _history = make_flow(qtbot, database)
    flow.start_from_clipboard()
    del flow
    boxes = visible_message_boxes()
    assert len(boxes) == 1 and "В буфере обмена нет таблицы" in boxes[0].text()
    boxes[0].close()


def test_a_broken_file_gets_a_russian_message_and_changes_nothing(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    broken = tmp_path / "план.docx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    flow, _history = make_flow(qtbot, database)
    flow.start_from_file(broken)
    del flow
    qtbot.waitUntil(lambda: len(visible_message_boxes()) == 1, timeout=10_000)
    box = visible_message_boxes()[0]
    assert "план.docx" in box.text() and "повреждён" in box.text()
    box.close()
    assert PlanService(database).list_plans() == []


def test_export_writes_the_file_and_says_where(qtbot: QtBot, database: Database, tmp_path: Path) -> None:
    plan_id, _ = PlanService(database).create({"title": "План", "academic_year": 2020})
    PlanService(database).add_item(plan_id, {"measure": "Совещание", "deadline_text": "май 2021"})
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    flow = PlanExportFlow(database, JobRunner(parent), parent)
    target = tmp_path / "план.docx"
    flow.start(plan_id, "План", ".docx", target)
    qtbot.waitUntil(lambda: flow.message_box is not None and flow.message_box.isVisible(), timeout=10_000)
    assert target.exists() and str(target) in flow.message_box.text()
    flow.message_box.close()


def test_the_plans_page_shows_a_pasted_plan_at_once(qtbot: QtBot, database: Database) -> None:
    from PySide6.QtWidgets import QWidget

    from ui.plans.view import PlansPage

    parent = QWidget()
    qtbot.addWidget(parent)
    jobs = JobRunner(parent)
    page = PlansPage(database, ChangeHistory(database, jobs, parent), parent, jobs=jobs)
    assert page.plan is None
    page.import_from_clipboard({"text/html": WORD_HTML})
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, PlanImportDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
        ),
        timeout=10_000,
    )
    dialog = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, PlanImportDialog) and w.isVisible()
    )
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.plan is not None, timeout=10_000)
    assert page.plan is not None and page.plan.title == "План мероприятий на 2022-2023 учебный год"
    assert [i.measure for i in page.plan.items] == ["Совещание с директорами", "Анализ ВПР"]
