"""The «Выявление школ» page: load ВПР / ОГЭ / ЕГЭ results, compute the year's lists by the rules,
accept or reject each proposal (every decision one undo step), see a school's results over three
years against the district and the region.

Reading the files and computing the lists run on workers; accepted proposals become the school's
categories for the year (the service writes them), so the registry's filter shows them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain import Category, academic_year_label
from app.errors import AppError
from app.jobs import Progress
from app.office import OfficeService
from app.results.identification import IdentificationRun, IdentificationService, missing_years_note
from app.results.model import Procedure, StoredProposal
from app.results.rules import RuleSettings, years_label
from app.results.service import ResultsService
from app.text import fold, plural
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.identification.chart import SchoolResultsPanel
from ui.identification.model import DECISION_LABELS, ProposalsModel, proposal_text
from ui.messages import remembered_folder, show_error, show_file_saved, status_message
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, report_failure

LISTS_MODULE = "app.exporting.lists_xlsx"
EXPORT_FOLDER_KEY = "identification/export-folder"
TEMPLATE_FOLDER_KEY = "identification/template-folder"
ALL = ""
COLUMN_WIDTHS = (200, 130, 270, 560, 150, 90)
RESULT_TABLES = {"assessment_results", "school_context"}
LIST_TABLES = {"identification_runs", "identification_proposals", "school_categories"}
VERBS = {"accepted": "Принято", "rejected": "Отклонено", "pending": "Возвращено в ожидающие"}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def run_label(run: IdentificationRun) -> str:
    """«Расчёт от 25.08.2020 10:15 — предложений 46, принято 3»."""
    time = run.created_at[11:16] if len(run.created_at) >= 16 else ""
    text = f"Расчёт от {run.date_text} {time}".rstrip()
    text += f" — предложений {run.proposals}"
    if run.accepted:
        text += f", принято {run.accepted}"
    if run.rejected:
        text += f", отклонено {run.rejected}"
    return text


def _rule_hint(proposal: StoredProposal) -> tuple[Procedure, str, int]:
    """Which results to chart first for a proposal: the procedure (subject, grade) its rule is about."""
    import re

    rule = proposal.rule
    if rule.startswith("oge_"):
        return Procedure.OGE, "Математика" if "math" in rule else "Русский язык", 9
    if rule.startswith("ege_"):
        return Procedure.EGE, "Русский язык", 11
    # «ВПР, История, 7 кл.» (a sharp change), «больше всего: История, 5 кл.» (raised marks)
    found = re.search(r"(?:ВПР, |больше всего: )([^,;:()]+), (\d+) кл\.", proposal.explanation)
    if found:
        return Procedure.VPR, found.group(1).strip(), int(found.group(2))
    return Procedure.VPR, "Русский язык", 0


# --- jobs (run on the pool) ------------------------------------------------------------------------
def _out_of_date_job(database: Database, run: IdentificationRun) -> Iterator[Progress]:
    yield Progress(0, 0, "Проверка расчёта…")
    return IdentificationService(database).is_out_of_date(run)


def _run_job(database: Database, year: int, settings: RuleSettings) -> Iterator[Progress]:
    yield Progress(0, 0, f"Расчёт списков на {academic_year_label(year)} учебный год…")
    return IdentificationService(database).run(year, settings)


def _template_job(path: Path) -> Iterator[Progress]:
    from app.results.flat import write_flat_template

    yield Progress(0, 0, "Запись шаблона…")
    return write_flat_template(path)


def _lists_job(database: Database, year: int, path: Path, office_name: str) -> Iterator[Progress]:
    from app.exporting.lists_xlsx import export_lists_xlsx

    yield Progress(0, 0, "Запись списков…")
    service = IdentificationService(database)
    lists = {category: service.accepted_list(year, category) for category in Category}
    return export_lists_xlsx(lists, year, path, office_name=office_name)


# --- the page ----------------------------------------------------------------------------------------
class IdentificationPage(QWidget):
    counts_changed = Signal(str)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        parent: QWidget | None = None,
        *,
        jobs: JobRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs if jobs is not None else history.jobs
        self.service = IdentificationService(database)
        self.results = ResultsService(database)
        self.office = OfficeService(database)
        self.settings = RuleSettings()
        self.weak_box: QMessageBox | None = None  # the question before accepting a weak proposal
        self.weak_yes: object = None
        self.weak_no: object = None
        self._weak_pending: list[int] = []
        # Whether a run is out of date, by run id: read off the UI thread (a pass over three years of
        # results) and kept until results or context change (`_results_version` counts the changes,
        # so that an answer computed before one is not kept).
        self._out_of_date: dict[int, bool] = {}
        self._checking: set[int] = set()
        self._results_version = 0
        self.settings_source = "по умолчанию"
        self._runs: list[IdentificationRun] = []
        self._proposals: list[StoredProposal] = []
        self._running = False
        self.import_dialog: QWidget | None = None  # the last results preview (for tests)

        self._create_actions()
        self._build_toolbar()
        self._build_table()
        self.chart_panel = SchoolResultsPanel(database)

        # The proposals take the width (their explanations are long); the chart goes below.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.chart_panel)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([440, 420])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.toolbar)
        layout.addLayout(self.run_row)
        layout.addWidget(self.out_of_date_label)
        layout.addWidget(self.splitter, 1)

        self._fill_years()
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.run_combo.currentIndexChanged.connect(lambda _i: self._load_proposals())
        self.category_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.decision_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.search_edit.textChanged.connect(lambda _t: self.apply_filters())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._on_selection_changed())
        self.table.doubleClicked.connect(lambda _index: self.explain_current())
        history.changed.connect(self._on_history_changed)
        self.reload()

    # --- building ------------------------------------------------------------------------------------
    def _action(self, text: str, slot: Any, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.import_action = self._action(
            "Загрузить результаты…",
            self.import_results,
            "Загрузить отчёты ФИС ОКО («Статистика по отметкам», «Сравнение с журналом») "
            "или заполненный шаблон ОГЭ/ЕГЭ; можно выбрать несколько файлов",
        )
        self.template_action = self._action(
            "Шаблон для ОГЭ/ЕГЭ…",
            self.save_template,
            "Сохранить пустой шаблон Excel для результатов ОГЭ, ЕГЭ и показателей контекста",
        )
        self.rules_action = self._action(
            "Правила…", self.edit_rules, "Пороговые значения правил: посмотреть, загрузить из файла .json"
        )
        self.run_action = self._action(
            "Рассчитать списки",
            self.compute,
            "Применить правила к результатам трёх лет и предложить школы для списков ШНРО, ШФНСУ "
            "и школ с признаками необъективности",
        )
        self.export_action = self._action(
            "Списки в Excel…", self.export_lists, "Выгрузить принятые списки учебного года в книгу Excel"
        )
        self.explain_action = QAction("Пояснение", self)
        self.explain_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.explain_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.explain_action.triggered.connect(lambda _checked=False: self.explain_current())

    def _build_toolbar(self) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setToolTip("Учебный год, на который составляются списки")
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        year_caption = QLabel("Учебный год: ")
        year_caption.setBuddy(self.year_combo)
        self.toolbar.addWidget(year_caption)
        self.toolbar.addWidget(self.year_combo)
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.import_action, self.template_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.rules_action, self.run_action])
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.export_action)

        self.run_combo = QComboBox()
        self.run_combo.setToolTip("История расчётов списков этого учебного года")
        self.run_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.rules_label = QLabel()
        self.rules_label.setStyleSheet("color: #555;")
        self.rules_label.setWordWrap(True)
        row = QHBoxLayout()
        caption = QLabel("Расчёт:")
        caption.setBuddy(self.run_combo)
        row.addWidget(caption)
        row.addWidget(self.run_combo)
        row.addWidget(self.rules_label, 1)
        self.run_row = row
        self.out_of_date_label = QLabel()
        self.out_of_date_label.setWordWrap(True)
        self.out_of_date_label.setStyleSheet(
            "color: #7a3e00; background: #fff3d6; border: 1px solid #e8c27a; padding: 4px 6px;"
        )
        self.out_of_date_label.hide()

    def _build_table(self) -> None:
        self.category_combo = QComboBox()
        self.category_combo.addItem("Все категории", ALL)
        for category in Category:
            self.category_combo.addItem(category.label, category.value)
        self.decision_combo = QComboBox()
        self.decision_combo.addItem("Все решения", ALL)
        for value, label in DECISION_LABELS.items():
            self.decision_combo.addItem(label, value)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Поиск: школа, правило, показатели")
        self.search_edit.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        for caption_text, widget in (("Категория:", self.category_combo), ("Решение:", self.decision_combo)):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addWidget(self.search_edit, 1)

        self.model = ProposalsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setToolTip("Enter или двойной щелчок — пояснение с цифрами и порогами")
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().lineSpacing() * 3 + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        header.setSectionResizeMode(ProposalsModel.EXPLANATION, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.addAction(self.explain_action)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #555; padding: 12px;")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.accept_button = QPushButton("Принять")
        self.accept_button.setToolTip("Включить школу в список категории на учебный год (Ctrl+Z — отменить)")
        self.reject_button = QPushButton("Отклонить")
        self.reject_button.setToolTip("Не включать школу в список по этому правилу")
        self.reset_button = QPushButton("Вернуть в ожидающие")
        self.reset_button.setToolTip("Снять решение: предложение снова ждёт рассмотрения")
        self.explain_button = QPushButton("Пояснение…")
        self.explain_button.setToolTip("Все цифры и пороги предложения (Enter)")
        self.accept_button.clicked.connect(lambda: self.decide_selected("accepted"))
        self.reject_button.clicked.connect(lambda: self.decide_selected("rejected"))
        self.reset_button.clicked.connect(lambda: self.decide_selected("pending"))
        self.explain_button.clicked.connect(lambda: self.explain_current())
        self.counts_label = QLabel()
        self.counts_label.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        for button in (self.accept_button, self.reject_button, self.reset_button, self.explain_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.counts_label)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(buttons)
        self.list_panel = panel

    # --- the year and the runs ---------------------------------------------------------------------
    def _fill_years(self) -> None:
        wanted = self.year_combo.currentData() if self.year_combo.count() else None
        # The years a list can be computed for: by default the year after the last results (seed 002:
        # the lists are drawn up in August from the three years before).
        shift = 1 if self.settings.results_before_list_year else 0
        computable = {year + shift for year in self.results.years()}
        years = {*self.office.years(), *computable, *(r.academic_year for r in self.service.runs())}
        if wanted is None:
            wanted = max(computable) if computable else max(years)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in sorted(years, reverse=True):
            self.year_combo.addItem(academic_year_label(year), year)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(wanted), 0))
        self.year_combo.blockSignals(False)

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(academic_year_label(year), year)
            index = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(index)

    def reload(self, run_id: int | None = None) -> None:
        """Read the year's runs again and show the chosen one (default: the latest)."""
        wanted = run_id if run_id is not None else self.current_run_id()
        self._runs = self.service.runs(self.year)
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for run in self._runs:
            self.run_combo.addItem(run_label(run), run.id)
        if not self._runs:
            self.run_combo.addItem("Списки на этот год ещё не рассчитывались", None)
        index = self.run_combo.findData(wanted) if wanted is not None else -1
        self.run_combo.setCurrentIndex(max(index, 0))
        self.run_combo.setEnabled(bool(self._runs))
        self.run_combo.blockSignals(False)
        self._load_proposals()

    def current_run(self) -> IdentificationRun | None:
        run_id = self.run_combo.currentData()
        return next((r for r in self._runs if r.id == run_id), None)

    def current_run_id(self) -> int | None:
        value = self.run_combo.currentData() if self.run_combo.count() else None
        return int(value) if value is not None else None

    def _load_proposals(self) -> None:
        run = self.current_run()
        self._proposals = self.service.proposals(run.id) if run is not None else []
        self._show_rules(run)
        self._show_out_of_date(run)
        self.apply_filters()

    @property
    def results_last_year(self) -> int:
        """The last year of results behind what is shown: the run's, or the next calculation's."""
        run = self.current_run()
        if run is not None and run.data_years is not None:
            return run.data_years[1]
        settings = self._run_settings(run) if run is not None else None
        return (settings or self.settings).last_results_year(self.year)

    def _show_out_of_date(self, run: IdentificationRun | None) -> None:
        known = self._out_of_date.get(run.id) if run is not None else False
        if known is None and run is not None:
            self._check_out_of_date(run)
        if not known or run is None:
            self.out_of_date_label.hide()
            return
        assert run.data_years is not None
        self.out_of_date_label.setText(
            f"Результаты или показатели за {years_label(*run.data_years)} изменились после этого расчёта "
            f"(от {run.date_text}): предложения могут не соответствовать данным. Нажмите «Рассчитать списки», "
            "чтобы получить новый расчёт; принятые решения этого расчёта сохранятся."
        )
        self.out_of_date_label.show()

    def _check_out_of_date(self, run: IdentificationRun) -> None:
        if run.id in self._checking:
            return
        self._checking.add(run.id)
        version = self._results_version
        worker = self.jobs.start(
            partial(_out_of_date_job, self.database, run), title="Проверка расчёта", show_progress=False
        )
        worker.finished.connect(lambda result, run_id=run.id: self._on_checked(run_id, version, result))
        worker.failed.connect(lambda _exc, run_id=run.id: self._checking.discard(run_id))
        worker.cancelled.connect(lambda run_id=run.id: self._checking.discard(run_id))

    def _on_checked(self, run_id: int, version: int, result: object) -> None:
        self._checking.discard(run_id)
        if version != self._results_version:  # the results changed meanwhile: ask again
            run = self.current_run()
            if run is not None and run.id == run_id:
                self._check_out_of_date(run)
            return
        self._out_of_date[run_id] = bool(result)
        run = self.current_run()
        if run is not None and run.id == run_id:
            self._show_out_of_date(run)

    def _run_settings(self, run: IdentificationRun | None) -> RuleSettings | None:
        if run is None:
            return None
        try:
            return run.settings
        except AppError:
            return None

    def _show_rules(self, run: IdentificationRun | None) -> None:
        settings = self._run_settings(run)
        if run is None:
            first, last = self.service.data_years(self.year, self.settings)
            text = (
                f"Расчёт по результатам {years_label(first, last)}. "
                f"Пороги для расчёта: {self.settings_source} («Правила…»)."
            )
            if last not in self.results.years():
                text = (
                    f"Результатов за {years_label(last, last)} в базе нет — загрузите их, чтобы рассчитать "
                    f"списки на {academic_year_label(self.year)} учебный год (по результатам "
                    f"{years_label(first, last)}). Пороги: {self.settings_source}."
                )
        else:
            years = run.data_years or self.service.data_years(self.year, settings)
            missing = missing_years_note(run.missing_years)
            text = (
                f"По результатам {years_label(*years)}"
                + (f" ({missing})" if missing else "")
                + ". "
                + (
                    f"Пороги этого расчёта: слабая выборка — менее {settings.min_participants if settings else 20} "
                    f"участников; повысили отметку — более {_n(settings.vpr_raised_above if settings else 15)} %; "
                    f"нижние {_n(settings.quintile_share if settings else 20)} % школ. Все пороги — «Правила…»."
                )
            )
            if run.not_applied:
                text += f" Не применено правил: {len(run.not_applied)}."
            if settings is None or settings.to_dict() != self.settings.to_dict():
                text += f" Следующий расчёт — пороги {self.settings_source}."
        self.rules_label.setText(text)
        tips = []
        if run is not None and run.not_applied:
            from app.results.rules import RULES

            tips = [f"{RULES[k].title if k in RULES else k}: {v}" for k, v in run.not_applied.items()]
        self.rules_label.setToolTip("\n".join(tips))

    # --- filtering ---------------------------------------------------------------------------------
    def _filtered(self) -> list[StoredProposal]:
        category = self.category_combo.currentData()
        decision = self.decision_combo.currentData()
        words = fold(self.search_edit.text()).split()
        shown = []
        for proposal in self._proposals:
            if category and proposal.category != category:
                continue
            if decision and proposal.decision != decision:
                continue
            if words:
                text = proposal_text(proposal)
                if not all(word in text for word in words):
                    continue
            shown.append(proposal)
        return shown

    def apply_filters(self, select_ids: list[int] | None = None) -> None:
        current = select_ids if select_ids is not None else self.selected_ids()
        shown = self._filtered()
        settings = self._run_settings(self.current_run())
        self.model.set_rows(shown, settings.min_participants if settings else 20)
        has_rows = bool(shown)
        self.table.setVisible(has_rows)
        self.empty_label.setVisible(not has_rows)
        if not has_rows:
            if self.current_run() is None:
                text = (
                    "Списки на этот учебный год ещё не рассчитывались. Загрузите результаты ВПР, ОГЭ и ЕГЭ "
                    "(«Загрузить результаты…») и нажмите «Рассчитать списки»."
                    if self.results.count()
                    else "Результатов оценочных процедур в базе нет. Загрузите отчёты ФИС ОКО или заполненный "
                    "шаблон ОГЭ/ЕГЭ кнопкой «Загрузить результаты…», затем нажмите «Рассчитать списки»."
                )
            elif not self._proposals:
                text = "Расчёт не предложил ни одной школы: ни одно правило не выполнилось."
            else:
                text = "Ни одно предложение не подходит под отбор."
            self.empty_label.setText(text)
        if current:
            self.select_ids(current)
        self._on_selection_changed()
        emit(self.counts_changed, self.counts_text())

    def counts_text(self) -> str:
        total = len(self._proposals)
        if not total:
            return "Предложений нет"
        accepted = sum(1 for p in self._proposals if p.decision == "accepted")
        rejected = sum(1 for p in self._proposals if p.decision == "rejected")
        schools = len({p.school_id for p in self._proposals})
        return (
            f"{total} {plural(total, 'предложение', 'предложения', 'предложений')} по {schools} "
            f"{plural(schools, 'школе', 'школам', 'школам')}: принято {accepted}, отклонено {rejected}, "
            f"ожидают {total - accepted - rejected}"
        )

    # --- selection ---------------------------------------------------------------------------------
    def selected_proposals(self) -> list[StoredProposal]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        found = [self.model.proposal_at(row) for row in rows]
        return [p for p in found if p is not None]

    def selected_ids(self) -> list[int]:
        return [p.id for p in self.selected_proposals()]

    def current_proposal(self) -> StoredProposal | None:
        index = self.table.currentIndex()
        if index.isValid():
            proposal = self.model.proposal_at(index.row())
            if proposal is not None and proposal.id in self.selected_ids():
                return proposal
        selected = self.selected_proposals()
        return selected[0] if selected else None

    def select_ids(self, ids: list[int]) -> bool:
        selection = self.table.selectionModel()
        rows = [r for r in (self.model.row_of(i) for i in ids) if r is not None]
        if not rows:
            return False
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in rows:
            selection.select(self.model.index(row, 0), flags)
        selection.setCurrentIndex(self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.scrollTo(self.model.index(rows[0], 0))
        return True

    def select_school(self, name: str, rule: str | None = None) -> bool:
        """Select the (first) proposal of the school shown under `name` (for tests, screenshots)."""
        for row, proposal in enumerate(self.model.rows):
            if proposal.school_name == name and (rule is None or proposal.rule == rule):
                return self.select_ids([self.model.rows[row].id])
        return False

    def _on_selection_changed(self) -> None:
        selected = self.selected_proposals()
        decisions = {p.decision for p in selected}
        self.accept_button.setEnabled(bool(selected) and decisions != {"accepted"})
        self.reject_button.setEnabled(bool(selected) and decisions != {"rejected"})
        self.reset_button.setEnabled(bool(selected) and decisions != {"pending"})
        self.explain_button.setEnabled(bool(selected))
        count = len(selected)
        self.counts_label.setText(f"Выбрано: {count}" if count > 1 else "")
        proposal = self.current_proposal()
        if proposal is None:
            if self.chart_panel.school_id is not None and not self._proposals:
                self.chart_panel.show_school(None)
            return
        last = self.results_last_year
        if proposal.school_id != self.chart_panel.school_id or self.chart_panel.year != last:
            self.chart_panel.show_school(
                proposal.school_id, proposal.school_name, last, hint=_rule_hint(proposal)
            )

    def _update_actions(self) -> None:
        busy = self._running
        self.run_action.setEnabled(not busy)
        self.run_action.setText("Расчёт…" if busy else "Рассчитать списки")
        self.export_action.setEnabled(_available(LISTS_MODULE))

    # --- deciding ----------------------------------------------------------------------------------
    def decide_selected(self, decision: str) -> ChangeSet | None:
        """Accept, reject or reset the selected proposals: one undo step for the click. Accepting a
        proposal on weak evidence (a small sample) asks first; then nothing is written until «Принять»."""
        return self.decide_asking([p for p in self.selected_proposals() if p.decision != decision], decision)

    def decide_asking(self, chosen: list[StoredProposal], decision: str) -> ChangeSet | None:
        """`decide`, but accepting a proposal on weak evidence asks first (the page's buttons and the
        explanation window both come here)."""
        weak = [p for p in chosen if p.weak_evidence] if decision == "accepted" else []
        if weak:
            self._ask_about_weak(chosen, weak)
            return None
        return self.decide([p.id for p in chosen], decision)

    def _ask_about_weak(self, chosen: list[StoredProposal], weak: list[StoredProposal]) -> QMessageBox:
        if self.weak_box is None:
            box = QMessageBox(
                QMessageBox.Icon.Warning, "Слабое основание", "", QMessageBox.StandardButton.NoButton, self
            )
            self.weak_yes = box.addButton("Принять", QMessageBox.ButtonRole.AcceptRole)
            self.weak_no = box.addButton("Не принимать", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(self.weak_no)
            box.setEscapeButton(self.weak_no)
            box.buttonClicked.connect(self._weak_answered)
            self.weak_box = box
        settings = self._run_settings(self.current_run())
        least = settings.min_participants if settings else 20
        names = ", ".join(dict.fromkeys(p.school_name for p in weak))
        count = len(weak)
        self.weak_box.setText(
            f"{plural(count, 'Предложение основано', 'Предложения основаны', 'Предложения основаны')} на выборке "
            f"менее {least} участников ({names}): такие цифры случайно колеблются от года к году и по "
            "правилам не считаются доказательством. Принять всё равно?"
        )
        self.weak_box.setInformativeText(
            "Проверьте пояснение (Enter): цифры, пороги и число участников."
            if len(chosen) == count
            else f"Выбрано предложений: {len(chosen)}, из них со слабым основанием: {count}."
        )
        self._weak_pending = [p.id for p in chosen]
        self.weak_box.open()
        return self.weak_box

    def _weak_answered(self, button: object) -> None:
        ids, self._weak_pending = self._weak_pending, []
        if button is self.weak_yes and ids:
            self.decide(ids, "accepted")

    def decide(self, proposal_ids: list[int], decision: str) -> ChangeSet | None:
        if not proposal_ids:
            return None
        merged: ChangeSet | None = None
        try:
            for proposal_id in proposal_ids:
                changeset = self.service.decide(proposal_id, decision)
                if merged is None:
                    merged = changeset
                else:
                    merged.changes.extend(changeset.changes)
        except (AppError, DatabaseError) as exc:
            if merged:
                self.history.record(merged)  # what was written stays undoable
            show_error(self, exc.message, "Решение не записано")
            self.reload()
            return None
        assert merged is not None
        if len(proposal_ids) > 1:
            merged.description = (
                f"{VERBS[decision]}: {len(proposal_ids)} "
                f"{plural(len(proposal_ids), 'предложение', 'предложения', 'предложений')}"
            )
        self.history.record(merged)  # the page refreshes from history.changed
        status_message(self, f"{merged.description}. Отменить — Ctrl+Z.")
        return merged

    def explain_current(self) -> QWidget | None:
        from ui.identification.dialogs import ExplanationDialog

        proposal = self.current_proposal()
        if proposal is None:
            return None
        settings = self._run_settings(self.current_run())
        dialog = ExplanationDialog(proposal, settings.min_participants if settings else 20, self)
        dialog.decision_requested.connect(
            lambda proposal_id, decision: self.decide_asking(
                [self.service.get_proposal(proposal_id)], decision
            )
        )
        dialog.open()
        return dialog

    # --- computing ---------------------------------------------------------------------------------
    def compute(self) -> bool:
        if self._running:
            return False
        if not self.results.count():
            show_error(
                self,
                "Результатов оценочных процедур в базе нет: сначала загрузите отчёты ФИС ОКО или шаблон ОГЭ/ЕГЭ.",
                "Расчёт списков",
            )
            return False
        self._running = True
        self._update_actions()
        worker = self.jobs.start(
            partial(_run_job, self.database, self.year, self.settings),
            title="Расчёт списков",
            label=f"Расчёт списков на {academic_year_label(self.year)} учебный год…",
            progress_parent=self,
        )
        worker.finished.connect(self._on_computed)
        worker.failed.connect(self._on_compute_failed)
        worker.cancelled.connect(self._on_compute_stopped)
        return True

    def _on_computed(self, result: object) -> None:
        assert isinstance(result, tuple)
        run_id, changeset = result
        self._running = False
        self._update_actions()
        self.history.record(changeset)
        self.reload(run_id=run_id)
        count = len(self._proposals)
        schools = len({p.school_id for p in self._proposals})
        status_message(
            self,
            f"Списки рассчитаны: {count} {plural(count, 'предложение', 'предложения', 'предложений')} "
            f"по {schools} {plural(schools, 'школе', 'школам', 'школам')}. Отменить — Ctrl+Z.",
        )

    def _on_compute_failed(self, exc: object) -> None:
        self._on_compute_stopped()
        assert isinstance(exc, BaseException)
        report_failure(self, exc, "Списки не рассчитаны")

    def _on_compute_stopped(self) -> None:
        self._running = False
        self._update_actions()

    def is_computing(self) -> bool:
        return self._running

    def edit_rules(self) -> QWidget:
        from ui.identification.dialogs import RulesDialog

        dialog = RulesDialog(self.settings, self.settings_source, self)
        dialog.settings_chosen.connect(self.set_settings)
        dialog.open()
        return dialog

    def set_settings(self, settings: object, source: str) -> None:
        assert isinstance(settings, RuleSettings)
        self.settings, self.settings_source = settings, source
        self._fill_years()  # the years a list can be computed for follow the rules' data window
        self._show_rules(self.current_run())
        status_message(self, f"Пороги для следующего расчёта: {source}.")

    # --- files ---------------------------------------------------------------------------------------
    def import_results(self, paths: list[Path] | None = None) -> bool:
        from ui.identification.import_dialog import ResultsImportFlow

        flow = ResultsImportFlow(self.database, self.history, self.jobs, self, year=self.year)
        flow.imported.connect(lambda _changeset: self.chart_panel.reload())
        flow.preview_shown.connect(self._remember_import_dialog)
        return flow.start(paths)

    def _remember_import_dialog(self, dialog: object) -> None:
        assert isinstance(dialog, QWidget)
        self.import_dialog = dialog

    def save_template(self, path: Path | None = None) -> bool:
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            default = Path(remembered_folder(TEMPLATE_FOLDER_KEY)) / "Результаты ОГЭ и ЕГЭ — шаблон.xlsx"
            name, _ = QFileDialog.getSaveFileName(
                self, "Шаблон для ОГЭ/ЕГЭ", str(default), "Книга Excel (*.xlsx)"
            )
            if not name:
                return False
            path = Path(name)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
        path = Path(path)
        QSettings().setValue(TEMPLATE_FOLDER_KEY, str(path.parent))
        worker = self.jobs.start(
            partial(_template_job, path), title="Шаблон для ОГЭ/ЕГЭ", progress_parent=self
        )
        worker.finished.connect(
            lambda written: show_file_saved(
                self,
                "Шаблон для ОГЭ/ЕГЭ",
                f"Шаблон сохранён в файл «{written}». Заполните его и загрузите кнопкой «Загрузить результаты…».",
                written,
            )
        )
        worker.failed.connect(lambda exc: report_failure(self, exc, "Шаблон не сохранён"))
        return True

    def export_lists(self, path: Path | None = None) -> bool:
        if not _available(LISTS_MODULE):
            show_error(self, "Выгрузка списков в Excel ещё не установлена.", "Списки в Excel")
            return False
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            year = academic_year_label(self.year).replace("/", "-")
            default = Path(remembered_folder(EXPORT_FOLDER_KEY)) / f"Списки школ {year}.xlsx"
            name, _ = QFileDialog.getSaveFileName(
                self, "Списки в Excel", str(default), "Книга Excel (*.xlsx)"
            )
            if not name:
                return False
            path = Path(name)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
        path = Path(path)
        QSettings().setValue(EXPORT_FOLDER_KEY, str(path.parent))
        worker = self.jobs.start(
            partial(_lists_job, self.database, self.year, path, self.office.get().name),
            title="Списки в Excel",
            label=f"Запись файла «{path.name}»…",
            progress_parent=self,
        )
        worker.finished.connect(
            lambda written: show_file_saved(
                self, "Списки в Excel", f"Списки сохранены в файл «{written}».", written
            )
        )
        worker.failed.connect(lambda exc: report_failure(self, exc, "Списки не сохранены"))
        return True

    # --- reacting to changes -------------------------------------------------------------------------
    def _on_history_changed(self, changeset: ChangeSet) -> None:
        tables = {change.table for change in changeset.changes}
        if tables & RESULT_TABLES:
            self._results_version += 1
            self._out_of_date.clear()
            self._fill_years()
            self.chart_panel.reload()
        if tables & (LIST_TABLES | RESULT_TABLES) or "academic_years" in tables:
            self.reload()


def _n(value: float) -> str:
    return f"{value:g}".replace(".", ",")
