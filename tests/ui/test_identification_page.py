"""The «Выявление школ» page over the demo district with its generated results, used the way a
person does: the lists computed on a worker, proposals with their figures, accepted (the school's
category for the year appears; Ctrl+Z takes it away again) and rejected, the chart of a school
against the district and the region, and results loaded from ФИС ОКО reports through the preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from app.domain import Category
from app.results.generator import create_demo_results, generate, write_fisoko_reports
from app.results.identification import IdentificationService
from app.results.model import Level, Procedure, StoredProposal
from app.results.service import ResultsService
from app.schools import SchoolService
from db import Database
from ui.identification.chart import EMPTY_TEXT, ResultsChart, Series
from ui.identification.dialogs import ExplanationDialog, RulesDialog
from ui.identification.import_dialog import ResultsImportDialog
from ui.identification.model import ProposalsModel
from ui.identification.page import IdentificationPage
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes

YEAR = 2020
NEXT = 2021
WAIT_MS = 30_000


def open_page(main_window: MainWindow) -> IdentificationPage:
    titles = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert titles.index("Выявление школ") == titles.index("Мониторинг") + 1
    assert titles.index("Приказы и письма") == titles.index("Выявление школ") + 1
    assert main_window._identification_page is None  # built on first use
    main_window.nav.setCurrentRow(titles.index("Выявление школ"))
    page = main_window.identification_page
    assert main_window.pages.currentWidget() is page
    return page


@pytest.fixture
def page(main_window: MainWindow) -> IdentificationPage:
    if not ResultsService(main_window.database).count():  # the demo may bring its results already
        create_demo_results(main_window.database)
    page = open_page(main_window)
    page.set_year(YEAR)
    return page


def compute(page: IdentificationPage, qtbot: QtBot) -> None:
    qtbot.mouseClick(page.toolbar.widgetForAction(page.run_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_computing() and page.model.rowCount() > 0, timeout=WAIT_MS)


def has_category(database: Database, school_id: int, category: str, year: int = YEAR) -> bool:
    return any(
        c.academic_year == year and c.category.value == category
        for c in SchoolService(database).categories(school_id)
    )


def row_of(page: IdentificationPage, proposal: StoredProposal) -> int:
    row = page.model.row_of(proposal.id)
    assert row is not None
    return row


# --- the model and the chart without the page ---------------------------------------------------------
def proposal(
    pid: int, school: str, category: str, decision: str = "pending", weak: bool = False
) -> StoredProposal:
    return StoredProposal(
        school_id=pid,
        category=category,
        rule="vpr_raised",
        explanation=f"На ВПР 2020/21 получили отметку выше, чем по журналу, {pid}0,0 % участников — больше 15,0 %",
        weak_evidence=weak,
        id=pid,
        run_id=1,
        decision=decision,
        school_name=school,
    )


def test_the_model_shows_labels_and_sorts(qtbot: QtBot) -> None:
    model = ProposalsModel()
    model.set_rows(
        [
            proposal(1, "Б", "nonobjective", "accepted"),
            proposal(2, "А", "low_results", weak=True),
            proposal(3, "В", "unfavourable", "rejected"),
        ]
    )
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert texts[0] == "Б" and texts[1] == "Признаки необъективности" and texts[5] == "Принято"
    assert texts[2] == "Высокая доля повысивших отметку по журналу на ВПР"
    assert model.index(1, ProposalsModel.WEAK).data() == "менее 20 участников — не доказательство"
    assert model.index(0, ProposalsModel.WEAK).data() == ""
    model.sort(ProposalsModel.SCHOOL)
    assert [p.school_name for p in model.rows] == ["А", "Б", "В"]
    model.sort(ProposalsModel.CATEGORY)
    assert [p.category for p in model.rows] == ["low_results", "unfavourable", "nonobjective"]
    model.sort(ProposalsModel.DECISION, Qt.SortOrder.DescendingOrder)
    assert [p.decision for p in model.rows] == ["rejected", "accepted", "pending"]


def test_the_chart_draws_lines_with_gaps(qtbot: QtBot) -> None:
    chart = ResultsChart()
    qtbot.addWidget(chart)
    chart.resize(600, 400)
    chart.set_series(
        [2018, 2019, 2020],
        [
            Series("Школа", QColor("#c62828"), (50.0, None, 70.0)),
            Series("Район", QColor("#1f5f99"), (40.0, 42.0, 41.0)),
        ],
        title="ВПР, Математика, 5 класс",
        y_title="Качество, %",
    )
    assert chart.series() == [
        ("Школа", [(2018, 50.0), (2020, 70.0)]),
        ("Район", [(2018, 40.0), (2019, 42.0), (2020, 41.0)]),
    ]
    image = chart.grab().toImage()  # paints without errors
    assert image.width() >= 600


# --- the page --------------------------------------------------------------------------------------------
def test_lists_computed_accepted_undone_and_rejected(
    page: IdentificationPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    database = main_window.database
    assert "ещё не рассчитывались" in page.empty_label.text()
    compute(page, qtbot)
    assert page.run_combo.currentText().startswith("Расчёт от ")
    assert page.model.rowCount() == len(IdentificationService(database).proposals(page.current_run_id()))
    explanations = [
        page.model.index(r, ProposalsModel.EXPLANATION).data() for r in range(page.model.rowCount())
    ]
    assert all(any(ch.isdigit() for ch in text) for text in explanations)  # figures in every explanation
    categories = {page.model.index(r, ProposalsModel.CATEGORY).data() for r in range(page.model.rowCount())}
    assert {"ШНРО", "Признаки необъективности"} <= categories
    assert all(
        page.model.index(r, ProposalsModel.DECISION).data() == "Ожидает" for r in range(page.model.rowCount())
    )
    # A change of the run is one undo step of its own.
    assert main_window.history.stack.count() == 1

    # Filters and search.
    page.category_combo.setCurrentIndex(page.category_combo.findData(Category.NONOBJECTIVE.value))
    assert {p.category for p in page.model.rows} == {"nonobjective"}
    page.search_edit.setText("шумская")
    assert page.model.rows and {p.school_name for p in page.model.rows} == {"МКОУ «Шумская СОШ»"}
    page.search_edit.setText("")
    page.category_combo.setCurrentIndex(0)

    # Accept a proposal whose school is not on that list yet.
    fresh = next(
        p
        for p in page.model.rows
        if not has_category(database, p.school_id, p.category) and not p.weak_evidence
    )
    page.select_ids([fresh.id])
    assert page.accept_button.isEnabled()
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert has_category(database, fresh.school_id, fresh.category)
    assert page.model.index(row_of(page, fresh), ProposalsModel.DECISION).data() == "Принято"
    assert "принято 1" in page.run_combo.currentText()
    main_window.undo_action.trigger()
    assert not has_category(database, fresh.school_id, fresh.category)
    assert page.model.index(row_of(page, fresh), ProposalsModel.DECISION).data() == "Ожидает"
    main_window.redo_action.trigger()
    assert has_category(database, fresh.school_id, fresh.category)

    # Reject another; «Вернуть в ожидающие» resets it.
    other = next(p for p in page.model.rows if p.id != fresh.id and p.decision == "pending")
    page.select_ids([other.id])
    qtbot.mouseClick(page.reject_button, Qt.MouseButton.LeftButton)
    assert page.model.index(row_of(page, other), ProposalsModel.DECISION).data() == "Отклонено"
    assert IdentificationService(database).get_proposal(other.id).decision == "rejected"
    page.decision_combo.setCurrentIndex(page.decision_combo.findData("rejected"))
    assert [p.id for p in page.model.rows] == [other.id]
    page.decision_combo.setCurrentIndex(0)
    page.select_ids([other.id])
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    assert IdentificationService(database).get_proposal(other.id).decision == "pending"

    # Several rows at once: one undo step.
    pending = [p.id for p in page.model.rows if p.decision == "pending"][:3]
    page.select_ids(pending)
    before = main_window.history.stack.count()
    qtbot.mouseClick(page.reject_button, Qt.MouseButton.LeftButton)
    assert main_window.history.stack.count() == before + 1
    assert all(IdentificationService(database).get_proposal(i).decision == "rejected" for i in pending)
    main_window.undo_action.trigger()
    assert all(IdentificationService(database).get_proposal(i).decision == "pending" for i in pending)


def test_accepting_a_weak_proposal_asks_first(page: IdentificationPage, qtbot: QtBot) -> None:
    compute(page, qtbot)
    weak = next(p for p in page.model.rows if p.weak_evidence)
    strong = next(p for p in page.model.rows if not p.weak_evidence and p.school_id != weak.school_id)
    service = IdentificationService(page.database)
    page.select_ids([weak.id, strong.id])
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    box = page.weak_box
    assert box is not None and box.isVisible()
    assert f"менее 20 участников ({weak.school_name})" in box.text()
    assert "Выбрано предложений: 2, из них со слабым основанием: 1" in box.informativeText()
    assert service.get_proposal(weak.id).decision == "pending"  # nothing written while it asks
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc: «Не принимать»
    qtbot.waitUntil(lambda: not box.isVisible())
    assert {service.get_proposal(i).decision for i in (weak.id, strong.id)} == {"pending"}

    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(box.isVisible)
    page.weak_yes.click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert {service.get_proposal(i).decision for i in (weak.id, strong.id)} == {"accepted"}
    # Rejecting needs no question.
    page.select_ids([weak.id])
    qtbot.mouseClick(page.reject_button, Qt.MouseButton.LeftButton)
    assert not box.isVisible() and service.get_proposal(weak.id).decision == "rejected"
    # «Принять» in the explanation window asks the same question.
    page.select_ids([weak.id])
    dialog = page.explain_current()
    assert isinstance(dialog, ExplanationDialog)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(box.isVisible)
    assert service.get_proposal(weak.id).decision == "rejected"
    page.weak_no.click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert service.get_proposal(weak.id).decision == "rejected"


def test_every_explanation_names_its_figures_in_russian(page: IdentificationPage, qtbot: QtBot) -> None:
    import re

    from ui.identification.dialogs import explanation_html

    compute(page, qtbot)
    labels = set()
    for proposal in page.model.rows:
        labels |= set(re.findall(r"<td style='color:#555'>(.*?)</td>", explanation_html(proposal)))
    assert labels  # the tables are there
    latin = sorted(label for label in labels if re.search(r"[A-Za-z]{2,}", label))
    assert latin == [], latin
    assert "ЕГЭ: показатель школы в ранжировании" in labels and "ЕГЭ, русский язык: среднее за годы" in labels


def test_the_saved_box_closes_with_escape(page: IdentificationPage, qtbot: QtBot, tmp_path: Path) -> None:
    from ui.messages import show_file_saved

    box = show_file_saved(page, "Списки сохранены", "Сохранено", tmp_path / "списки.xlsx")
    qtbot.waitUntil(box.isVisible)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not visible_message_boxes())


def test_explanation_and_rules(page: IdentificationPage, qtbot: QtBot, tmp_path: Path) -> None:
    compute(page, qtbot)
    assert page.select_school("МКОУ «Шумская СОШ»", "vpr_raised")
    dialog = page.explain_current()
    assert isinstance(dialog, ExplanationDialog)
    text = dialog.browser.toPlainText()
    assert "15,0" in text and "участников" in text and "Пороги правила" in text
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert IdentificationService(page.database).get_proposal(dialog.proposal.id).decision == "accepted"

    rules = page.edit_rules()
    assert isinstance(rules, RulesDialog)
    assert "vpr_raised_above" in rules.text.toPlainText()
    path = tmp_path / "правила.json"
    assert rules.save(path)
    for box in visible_message_boxes():
        box.close()
    path.write_text(
        path.read_text(encoding="utf-8").replace('"vpr_raised_above": 15.0', '"vpr_raised_above": 35.0'),
        encoding="utf-8",
    )
    assert rules.load(path)
    assert page.settings.vpr_raised_above == 35.0
    assert "правила.json" in page.rules_label.text()
    rules.close()
    compute_again = page.current_run_id()
    qtbot.mouseClick(page.toolbar.widgetForAction(page.run_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not page.is_computing() and page.current_run_id() != compute_again, timeout=WAIT_MS
    )
    assert page.run_combo.count() == 2
    assert not any(p.rule == "vpr_raised" for p in page.model.rows)  # 29–31 % is not above 35 %


def test_the_data_window_and_an_out_of_date_run(
    main_window: MainWindow, page: IdentificationPage, qtbot: QtBot
) -> None:
    # The demo's results are 2017/18–2019/20: the year offered first is the list they lead to.
    page.year_combo.blockSignals(True)
    page.year_combo.clear()  # as on the page's first opening
    page.year_combo.blockSignals(False)
    page._fill_years()
    assert page.year == YEAR
    page.reload()
    assert page.rules_label.text().startswith("Расчёт по результатам 2017/18–2019/20.")
    page.set_year(YEAR + 5)  # nothing loaded for 2024/25: said before anyone clicks «Рассчитать»
    assert page.rules_label.text().startswith("Результатов за 2024/25 в базе нет — загрузите их")
    page.set_year(YEAR - 1)  # 2016/17–2018/19: the first of them is missing
    compute(page, qtbot)
    assert "(нет результатов за 2016/17 — расчёт по неполным данным" in page.rules_label.text()
    page.set_year(YEAR)
    compute(page, qtbot)
    assert page.rules_label.text().startswith("По результатам 2017/18–2019/20.")
    assert page.out_of_date_label.isHidden()

    # A re-import that changes one figure of those years: the page says the run is out of date.
    service = ResultsService(page.database)
    line = next(r for r in service.results(YEAR - 1, level=Level.SCHOOL) if r.average is not None)
    from dataclasses import replace

    changes = service.save([replace(line, average=line.average + 0.5)], [], description="исправление")
    main_window.history.record(changes)
    qtbot.waitUntil(lambda: not page.out_of_date_label.isHidden(), timeout=WAIT_MS)
    assert page.out_of_date_label.text().startswith(
        "Результаты или показатели за 2017/18–2019/20 изменились после этого расчёта"
    )
    main_window.undo_action.trigger()  # the figure back as it was: up to date again
    qtbot.waitUntil(lambda: page.out_of_date_label.isHidden(), timeout=WAIT_MS)
    main_window.redo_action.trigger()
    qtbot.waitUntil(lambda: not page.out_of_date_label.isHidden(), timeout=WAIT_MS)
    compute(page, qtbot)
    qtbot.waitUntil(lambda: page.run_combo.count() == 2, timeout=WAIT_MS)
    assert page.out_of_date_label.isHidden()


def test_chart_of_a_school_against_district_and_region(page: IdentificationPage, qtbot: QtBot) -> None:
    panel = page.chart_panel
    assert panel.stack.currentIndex() == 0  # nothing selected yet
    compute(page, qtbot)
    assert page.select_school("МКОУ «Назиевская СОШ»", "vpr_raised")
    assert panel.school_name == "МКОУ «Назиевская СОШ»"
    assert panel.choose(Procedure.VPR, "Русский язык", 5)
    series = panel.series()
    assert [name for name, _ in series] == ["Школа", "Район", "Регион"]
    assert [len(points) for _, points in series] == [3, 3, 3]
    # The 2020/21 lists stand on 2017/18–2019/20 (seed 002: drawn up in August): the chart shows those.
    assert [year for year, _ in series[0][1]] == [2017, 2018, 2019]
    stored = {
        r.academic_year: r
        for r in ResultsService(page.database).results(school_id=panel.school_id, procedure=Procedure.VPR)
        if r.subject == "Русский язык" and r.grade == 5
    }
    assert series[0][1][2][1] == pytest.approx(stored[2019].quality)
    assert panel.figures.rowCount() == 9 and panel.figures.columnCount() == 11  # with the journal groups
    panel.set_measure("mean")
    assert panel.series()[0][1][2][1] == pytest.approx(stored[2019].mean_mark)
    # ЕГЭ gives scores only: the quality is not offered.
    assert panel.choose(Procedure.EGE, "Русский язык", 11)
    assert not panel.quality_radio.isEnabled() and panel.mean_radio.isChecked()
    assert all(len(points) == 3 for _, points in panel.series())
    # Scores on an axis fitted to them (not 0–100, where three close lines merge), and the share
    # below the minimum score in the figures.
    scores = [v for _, points in panel.series() for _, v in points]
    low, high = panel.chart.y_range
    assert 0 < high - low < 100 and low <= min(scores) - 5 and max(scores) + 5 <= high
    assert panel.figures.columnCount() == 10
    assert panel.figures.headerData(9, Qt.Orientation.Horizontal) == "Не преодолели минимальный порог, %"
    ege = {
        r.academic_year: r
        for r in ResultsService(page.database).results(school_id=panel.school_id, procedure=Procedure.EGE)
        if r.subject == "Русский язык"
    }
    assert panel.figures.text(0, 9) == f"{ege[2017].below_minimum:.1f}".replace(".", ",")
    panel.chart.grab()  # paints


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([62.1, 63.5, 64.0], (50.0, 80.0)),
        ([12.0, 95.0], (0.0, 100.0)),
        ([97.0, 98.5], (70.0, 100.0)),
        ([3.0], (0.0, 30.0)),
        ([], (0.0, 100.0)),
    ],
)
def test_score_axis_fits_the_values(values: list[float], expected: tuple[float, float]) -> None:
    from ui.identification.chart import score_range

    assert score_range(values) == expected


def test_chart_empty_state_for_a_school_without_results(empty_window: MainWindow, qtbot: QtBot) -> None:
    school_id, _ = SchoolService(empty_window.database).create(
        {"full_name": "МБОУ «Новая школа»", "short_name": "МБОУ «Новая школа»"}
    )
    page = open_page(empty_window)
    assert "Результатов оценочных процедур в базе нет" in page.empty_label.text()
    page.chart_panel.show_school(school_id, "МБОУ «Новая школа»", YEAR)
    assert page.chart_panel.stack.currentIndex() == 0
    assert page.chart_panel.empty_label.text() == EMPTY_TEXT
    assert page.chart_panel.series() == []
    page.compute()  # nothing to compute from: said so, no run
    assert not page.is_computing() and page.run_combo.count() == 1
    assert any("Результатов оценочных процедур в базе нет" in box.text() for box in visible_message_boxes())


def _typo_template(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Учебный год", "Процедура", "Предмет", "ОО", "Участников", "Средний балл"])
    sheet.append(["2021/2022", "ЕГЭ", "Русский язык", "МКОУ «Путилвска ООШ»", 12, 58])  # a typo: doubtful
    sheet.append(
        ["2021/2022", "ЕГЭ", "Русский язык", "МБОУ «Кировская СОШ №7»", 30, 60]
    )  # not in the registry
    workbook.save(path)
    return path


def test_results_imported_through_the_preview(main_window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    database = main_window.database
    page = open_page(main_window)
    schools = [s for s in SchoolService(database).list_schools() if not s.is_archived]
    # A year the demo has no results for: every line is new.
    results, _ = generate(schools, [NEXT], seed=7, others=10)
    files = write_fisoko_reports(results, tmp_path, schools, subjects=["Математика"], grades=[5])
    files.append(_typo_template(tmp_path / "ЕГЭ.xlsx"))
    service = ResultsService(database)
    before = service.count()

    assert page.import_results(files)
    qtbot.waitUntil(lambda: isinstance(page.import_dialog, ResultsImportDialog), timeout=WAIT_MS)
    dialog = page.import_dialog
    assert isinstance(dialog, ResultsImportDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert "Статистика по отметкам" in dialog.summary.text()
    assert "ждёт подтверждения" in dialog.summary.text()
    assert dialog.not_found_text.toPlainText().startswith("МБОУ «Кировская СОШ №7»")
    assert any(
        issue.row == 3 and "не найдена в реестре" in issue.message for issue in dialog.issues_model.issues
    )
    # Each remark wrapped whole in its row, not cut at one line.
    from PySide6.QtWidgets import QHeaderView

    rows = dialog.issues_view.verticalHeader()
    assert rows.sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    dialog.tabs.setCurrentWidget(dialog.issues_view)
    dialog.issues_view.horizontalHeader().resizeSection(3, 200)
    longest = max(
        range(dialog.issues_model.rowCount()), key=lambda r: len(dialog.issues_model.issues[r].message)
    )
    qtbot.waitUntil(
        lambda: dialog.issues_view.rowHeight(longest) > 2 * dialog.issues_view.fontMetrics().height()
    )
    (text,) = dialog.combos
    combo = dialog.combos[text]
    assert combo.currentData() is None  # not loaded until confirmed
    putilovo = next(s.id for s in schools if s.short_name == "МКОУ «Путиловская ООШ»")
    combo.setCurrentIndex(combo.findData(putilovo))
    assert "ждёт подтверждения" not in dialog.summary.text()
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)

    expected = [
        r for r in results if r.procedure is Procedure.VPR and r.subject == "Математика" and r.grade == 5
    ]
    assert service.count() == before + len(expected) + 1
    assert any(
        r.school_id == putilovo and r.average == 58 for r in service.results(NEXT, procedure=Procedure.EGE)
    )
    assert {r.level for r in service.results(NEXT)} == {Level.SCHOOL, Level.MUNICIPALITY, Level.REGION}
    assert "Загрузка результатов" in main_window.history.stack.undoText()
    # The chart of an imported school now has its line; the import is one undo step.
    school = next(r.school_id for r in expected if r.level is Level.SCHOOL)
    page.chart_panel.show_school(school, "школа", NEXT)
    assert page.chart_panel.choose(Procedure.VPR, "Математика", 5)
    series = page.chart_panel.series()
    assert [points[-1][0] for _, points in series] == [NEXT, NEXT, NEXT]
    assert series[0][1][-1][1] == pytest.approx(
        next(r.quality for r in expected if r.school_id == school and r.level is Level.SCHOOL)
    )
    main_window.undo_action.trigger()
    assert service.count() == before
