"""The «Мониторинг» page: the year's campaigns, the matrix schools × criteria with completeness,
and the checklist of the school double-clicked in the matrix (to the right, in a splitter).

The toolbar beside the campaign works with files (ui/monitoring/forms_dialog.py): forms for the
schools, filled forms read back, the matrix in Excel and, when its exporter is installed, the
report in PDF.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.errors import AppError
from app.monitoring.service import Campaign, Criterion, MonitoringService
from app.office import OfficeService, current_academic_year
from db.changes import ChangeSet
from db.connection import Database
from ui.monitoring.checklist import ChecklistPanel
from ui.monitoring.matrix_model import MatrixModel
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner

ALL_GROUPS = -1
CRITERION_WIDTH = 64
REPORT_MODULE = "app.exporting.monitoring_report"


def report_exporter() -> Callable[..., Any] | None:
    """`export_campaign_report(database, campaign_id, path)` when its module is installed."""
    try:
        module = importlib.import_module(REPORT_MODULE)
    except ImportError:
        return None
    exporter = getattr(module, "export_campaign_report", None)
    return exporter if callable(exporter) else None


def _report_job(exporter: Callable[..., Any], database: Database, campaign_id: int, path: Path) -> Any:
    """The report exporter as a job, whether it is a job itself or a plain function."""
    import inspect

    from app.jobs import Progress

    yield Progress(0, 0, "Составление справки…")
    result = exporter(database, campaign_id, path)
    if inspect.isgenerator(result):
        result = yield from result
    return result


class MonitoringPage(QWidget):
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
        self._template_editor: Any = None
        self.jobs = jobs if jobs is not None else history.jobs
        self.service = MonitoringService(database)
        self.office = OfficeService(database)
        self.campaigns: list[Campaign] = []
        self.tree: list[Criterion] = []
        self._dialog: QWidget | None = None

        self.year_combo = QComboBox()
        self.year_combo.setToolTip("Учебный год мониторингов")
        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumWidth(420)
        self.campaign_combo.setToolTip("Мониторинг выбранного учебного года")
        self.new_button = QPushButton("Новый мониторинг…")
        self.new_button.setToolTip("Начать мониторинг по шаблону: выбрать школы, период и срок")
        top = QHBoxLayout()
        for caption_text, widget in (("Учебный год:", self.year_combo), ("Мониторинг:", self.campaign_combo)):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            top.addWidget(caption)
            top.addWidget(widget)
        top.addWidget(self.new_button)
        self.templates_button = QPushButton("Шаблоны…")
        self.templates_button.setToolTip(
            "Изменить шаблон выбранного мониторинга (сохраняется новой версией) или создать свой"
        )
        self.templates_button.clicked.connect(self._edit_current_template)
        top.addWidget(self.templates_button)
        top.addStretch(1)
        self.toolbar = self._make_toolbar()
        self.info_label = QLabel()
        self.info_label.setStyleSheet("color: #555;")
        self.info_label.setWordWrap(True)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Поиск школы")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(160)
        self.search_edit.setMaximumWidth(320)
        self.unfilled_check = QCheckBox("Только незаполненные")
        self.unfilled_check.setToolTip("Показать школы, заполнившие не все обязательные пункты")
        self.group_combo = QComboBox()
        self.group_combo.setToolTip("Показать столбцы одного раздела шаблона")
        self.group_combo.setMinimumWidth(260)
        self.group_combo.setMaximumWidth(480)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit)
        filters.addWidget(self.unfilled_check)
        caption = QLabel("Раздел:")
        caption.setBuddy(self.group_combo)
        filters.addWidget(caption)
        filters.addWidget(self.group_combo)
        filters.addStretch(1)

        self.model = MatrixModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setToolTip("Двойной щелчок или Enter — открыть чек-лист школы")
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().lineSpacing() + 10)
        vertical.hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultSectionSize(CRITERION_WIDTH)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet("color: #555; padding: 6px;")
        self.empty_label.setWordWrap(True)

        self.checklist = ChecklistPanel(database, history)
        self.checklist.hide()
        matrix_panel = QWidget()
        matrix_layout = QVBoxLayout(matrix_panel)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        matrix_layout.addLayout(filters)
        matrix_layout.addWidget(self.table, 1)
        matrix_layout.addWidget(self.empty_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(matrix_panel)
        self.splitter.addWidget(self.checklist)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.toolbar)  # a row of its own: every action stays visible
        layout.addWidget(self.info_label)
        layout.addWidget(self.splitter, 1)

        self._fill_years()
        self.year_combo.currentIndexChanged.connect(lambda _i: self._guarded(self._on_year_chosen))
        self.campaign_combo.activated.connect(lambda _i: self._guarded(self.load_campaign))
        self.new_button.clicked.connect(lambda _checked=False: self.new_campaign())
        self.search_edit.textChanged.connect(lambda text: self._filter(search=text))
        self.unfilled_check.toggled.connect(lambda on: self._filter(only_unfilled=on))
        self.group_combo.currentIndexChanged.connect(lambda _i: self._filter(group_id=self._group_id()))
        self.table.doubleClicked.connect(self._on_double_clicked)
        # Enter opens the checklist too (not `activated`: it also comes with the double click).
        open_action = QAction("Открыть чек-лист школы", self.table)
        open_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(
            lambda _checked=False: self._on_double_clicked(self.table.currentIndex())
        )
        self.table.addAction(open_action)
        self.checklist.closed.connect(self.checklist.hide)
        history.changed.connect(self._on_history_changed)
        self.reload_campaigns()

    # --- years and campaigns -------------------------------------------------------------------------
    def _fill_years(self) -> None:
        stored = self.office.setting("current_year")
        current = int(stored) if stored.isdigit() else current_academic_year()
        wanted = int(self.year_combo.currentData()) if self.year_combo.count() else current
        years = {c.academic_year for c in self.service.list_campaigns() if c.academic_year is not None}
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in sorted({*years, current, wanted}, reverse=True):
            self.year_combo.addItem(academic_year_label(year), year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(wanted))
        self.year_combo.blockSignals(False)

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData()) if self.year_combo.count() else current_academic_year()

    def set_year(self, year: int) -> None:
        if self.year_combo.findData(year) < 0:
            self.year_combo.addItem(academic_year_label(year), year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))

    def _on_year_chosen(self) -> None:
        self.reload_campaigns()

    def edit_template(self, template_id: int | None = None) -> QWidget:
        """The template editor (reused, never deleted while the page lives): a changed template is
        saved as a new version, so campaigns already run keep what they asked."""
        from ui.monitoring.template_editor import TemplateEditorDialog

        if self._template_editor is None:
            self._template_editor = TemplateEditorDialog(self.database, self.history, template_id, self)
        else:
            self._template_editor.load(template_id)
        self._template_editor.open()
        return self._template_editor

    def _edit_current_template(self) -> None:
        campaign = self.current_campaign()
        try:
            self.edit_template(campaign.template_id if campaign else None)
        except AppError as exc:
            from ui.messages import show_error

            show_error(self, exc.message, "Шаблон не открыт")

    def current_campaign(self) -> Campaign | None:
        campaign_id = self.campaign_combo.currentData()
        return next((c for c in self.campaigns if c.id == campaign_id), None)

    def reload_campaigns(self, select: int | None = None) -> None:
        wanted = select if select is not None else self.campaign_combo.currentData()
        self.campaigns = self.service.list_campaigns(self.year)
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        for campaign in self.campaigns:
            self.campaign_combo.addItem(campaign.title, campaign.id)
            self.campaign_combo.setItemData(
                self.campaign_combo.count() - 1, campaign.template_title, Qt.ItemDataRole.ToolTipRole
            )
        index = self.campaign_combo.findData(wanted) if wanted is not None else -1
        self.campaign_combo.setCurrentIndex(index if index >= 0 else (0 if self.campaigns else -1))
        self.campaign_combo.blockSignals(False)
        self.load_campaign()

    def select_campaign(self, campaign_id: int) -> None:
        campaign = next((c for c in self.service.list_campaigns() if c.id == campaign_id), None)
        if (
            campaign is not None
            and campaign.academic_year is not None
            and campaign.academic_year != self.year
        ):
            self._fill_years()
            self.year_combo.blockSignals(True)
            self.set_year(campaign.academic_year)
            self.year_combo.blockSignals(False)
        self.reload_campaigns(select=campaign_id)

    def load_campaign(self) -> None:
        """The matrix of the chosen campaign (the checklist closes when it belongs to another)."""
        campaign = self.current_campaign()
        if campaign is None:
            self.tree = []
            self.model.set_matrix(None)
            self.info_label.setText("")
            self.empty_label.setText(
                "Мониторингов в этом учебном году нет. Начните кнопкой «Новый мониторинг…»."
            )
            self.empty_label.show()
            self.table.hide()
            self._close_checklist()
            self._fill_groups()
            self._counts()
            self._update_actions()
            return
        if self.checklist.campaign_id not in (None, campaign.id):
            self._close_checklist()
        self.tree = self.service.criteria(campaign.template_id)
        self._fill_groups()
        self.reload_matrix()
        self.empty_label.hide()
        self.table.show()
        parts = [f"Шаблон: {campaign.template_title}"]
        if campaign.period_start or campaign.period_end:
            start = f"{campaign.period_start:%d.%m.%Y}" if campaign.period_start else "…"
            end = f"{campaign.period_end:%d.%m.%Y}" if campaign.period_end else "…"
            parts.append(f"период {start} – {end}")
        if campaign.due_date:
            parts.append(f"срок представления {campaign.due_date:%d.%m.%Y}")
        self.info_label.setText("; ".join(parts))
        self._update_actions()

    def reload_matrix(self) -> None:
        campaign = self.current_campaign()
        if campaign is None:
            return
        current = (
            self.model.school_at(self.table.currentIndex().row())
            if self.table.currentIndex().isValid()
            else None
        )
        try:
            matrix = self.service.matrix(campaign.id)
        except AppError:
            matrix = None
        self.model.set_matrix(matrix, self.tree)
        header = self.table.horizontalHeader()
        header.resizeSection(MatrixModel.SCHOOL, 280)
        header.resizeSection(MatrixModel.COMPLETE, 90)
        if current is not None:
            self.select_school(current[0])
        self._counts()

    def _fill_groups(self) -> None:
        wanted = self.group_combo.currentData()
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem("Все разделы", ALL_GROUPS)
        for criterion in self.tree:
            if criterion.parent_id is None and criterion.is_group:
                self.group_combo.addItem(criterion.label, criterion.id)
                self.group_combo.setItemData(
                    self.group_combo.count() - 1, criterion.label, Qt.ItemDataRole.ToolTipRole
                )
        index = self.group_combo.findData(wanted) if wanted is not None else 0
        self.group_combo.setCurrentIndex(max(index, 0))
        self.group_combo.blockSignals(False)
        self.model.set_filters(group_id=self._group_id())

    def _group_id(self) -> int | None:
        data = self.group_combo.currentData()
        return None if data in (None, ALL_GROUPS) else int(data)

    def _filter(self, **filters: object) -> None:
        current = (
            self.model.school_at(self.table.currentIndex().row())
            if self.table.currentIndex().isValid()
            else None
        )
        self.model.set_filters(**filters)  # type: ignore[arg-type]
        header = self.table.horizontalHeader()
        header.resizeSection(MatrixModel.SCHOOL, 280)
        header.resizeSection(MatrixModel.COMPLETE, 90)
        if current is not None:
            self.select_school(current[0])
        self._counts()

    def counts_text(self) -> str:
        return self.model.counts_text()

    def _counts(self) -> None:
        emit(self.counts_changed, self.counts_text())

    def _on_history_changed(self, changeset: ChangeSet) -> None:
        tables = {change.table for change in changeset.changes}
        if any(t.startswith("monitoring_") for t in tables):
            self._fill_years()
            self.reload_campaigns()
            self.checklist.reload()
            self.checklist.note_change(changeset)
        elif tables & {"schools", "office", "academic_years"}:
            self.reload_matrix()

    # --- schools ---------------------------------------------------------------------------------------
    def select_school(self, school_id: int) -> bool:
        row = self.model.row_of(school_id)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def _on_double_clicked(self, index: QModelIndex) -> None:
        school = self.model.school_at(index.row())
        if school is not None:
            self.open_school(school[0])

    def open_school(self, school_id: int) -> None:
        """Show the school's checklist (asking first about unsaved changes of another school)."""
        if self.checklist.school_id == school_id and self.checklist.isVisible():
            return
        self.checklist.confirm_then(lambda: self._open_school(school_id))

    def _open_school(self, school_id: int) -> None:
        campaign = self.current_campaign()
        name = dict(self.model.matrix.schools).get(school_id) if self.model.matrix else None
        if campaign is None or name is None:
            return
        self.checklist.open_school(campaign.id, campaign.template_id, school_id, name)
        if not self.checklist.isVisible():
            self.checklist.show()
            width = max(self.splitter.width(), 1000)
            self.splitter.setSizes([width // 2, width - width // 2])
        self.select_school(school_id)

    def _close_checklist(self) -> None:
        self.checklist.clear()
        self.checklist.hide()

    def _guarded(self, then: object) -> None:
        """Year or campaign changed: ask about unsaved values first (and go back when kept)."""
        if not self.checklist.is_dirty():
            then()  # type: ignore[operator]
            return
        campaign_id = self.checklist.campaign_id
        year = self.campaign_year(campaign_id)

        def go_back() -> None:
            self.year_combo.blockSignals(True)
            if year is not None:
                self.set_year(year)
            self.year_combo.blockSignals(False)
            self.reload_campaigns(select=campaign_id)

        box = self.checklist.confirm_then(then)  # type: ignore[arg-type]
        if box is not None:
            box.rejected.connect(go_back)

    def campaign_year(self, campaign_id: int | None) -> int | None:
        found = next((c for c in self.service.list_campaigns() if c.id == campaign_id), None)
        return found.academic_year if found else None

    # --- a new campaign --------------------------------------------------------------------------------
    def new_campaign(self) -> QWidget:
        from ui.monitoring.dialogs import CampaignDialog

        if self._dialog is None:
            dialog = CampaignDialog(self.database, self.history, self)
            dialog.created.connect(self.select_campaign)
            self._dialog = dialog
        years = [c.academic_year for c in self.service.list_campaigns() if c.academic_year is not None]
        self._dialog.prepare(self.year, years)  # type: ignore[attr-defined]
        self._dialog.open()  # type: ignore[attr-defined]
        return self._dialog

    # --- files: forms for schools, filled forms back, exports -------------------------------------
    def _make_toolbar(self) -> QToolBar:
        toolbar = QToolBar("Файлы мониторинга")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.write_forms_action = QAction("Формы для школ…", self)
        self.write_forms_action.setToolTip(
            "Сохранить в папку форму Excel для каждой школы мониторинга, чтобы разослать их школам"
        )
        self.write_forms_action.triggered.connect(lambda _checked=False: self.write_forms_to())
        self.import_forms_action = QAction("Загрузить формы…", self)
        self.import_forms_action.setToolTip(
            "Загрузить формы, заполненные школами: сначала проверка и список изменений"
        )
        self.import_forms_action.triggered.connect(lambda _checked=False: self.import_forms())
        self.export_matrix_action = QAction("Сводная в Excel…", self)
        self.export_matrix_action.setToolTip("Сохранить сводную таблицу школы × пункты в книгу Excel")
        self.export_matrix_action.triggered.connect(lambda _checked=False: self.export_matrix())
        self.export_report_action = QAction("Справка в PDF…", self)
        self.export_report_action.setToolTip("Сохранить аналитическую справку по мониторингу в PDF")
        self.export_report_action.triggered.connect(lambda _checked=False: self.export_report())
        toolbar.addAction(self.write_forms_action)
        toolbar.addAction(self.import_forms_action)
        toolbar.addAction(self.export_matrix_action)
        self.report_available = report_exporter() is not None
        if self.report_available:
            toolbar.addAction(self.export_report_action)
        self.export_report_action.setVisible(self.report_available)
        for action in toolbar.actions():
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setAutoRaise(False)
        return toolbar

    def _update_actions(self) -> None:
        has_campaign = self.current_campaign() is not None
        for action in (
            self.write_forms_action,
            self.import_forms_action,
            self.export_matrix_action,
            self.export_report_action,
        ):
            action.setEnabled(has_campaign)

    def _campaign_or_say(self, what: str) -> Campaign | None:
        campaign = self.current_campaign()
        if campaign is None:
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(f"{what}: сначала выберите мониторинг.", 10000)
        return campaign

    def write_forms_to(self, folder: Path | None = None) -> None:
        """A form for every school of the campaign into `folder` (asked for when None)."""
        from ui.monitoring.forms_dialog import FormsWriteFlow

        campaign = self._campaign_or_say("Формы для школ")
        if campaign is None:
            return
        FormsWriteFlow(
            self.database, self.jobs, self, campaign_id=campaign.id, campaign_title=campaign.title
        ).start(folder)

    def import_forms(self, paths: Sequence[Path] | None = None) -> None:
        """Read filled forms (`paths`, or chosen in a dialog), preview them, load the accepted ones."""
        from ui.monitoring.forms_dialog import FormsImportFlow

        campaign = self._campaign_or_say("Загрузка форм")
        if campaign is None:
            return
        FormsImportFlow(
            self.database,
            self.history,
            self.jobs,
            self,
            campaign_id=campaign.id,
            campaign_title=campaign.title,
        ).start(paths)

    def export_matrix(self, path: Path | None = None) -> None:
        """The campaign's matrix as an Excel workbook (`path`, or chosen in a save dialog)."""
        from app.exporting.monitoring_xlsx import export_campaign_xlsx
        from ui.monitoring.forms_dialog import FileExportFlow, safe_file_stem

        campaign = self._campaign_or_say("Сводная в Excel")
        if campaign is None:
            return
        FileExportFlow(
            self.jobs,
            self,
            job=partial(export_campaign_xlsx, self.database, campaign.id),
            title="Сводная в Excel",
            suffix=".xlsx",
            file_filter="Книга Excel (*.xlsx)",
            default_name=safe_file_stem(f"Сводная — {campaign.title}", "Сводная мониторинга"),
            saved_text="Сводная по мониторингу сохранена в файл",
        ).start(path)

    def export_report(self, path: Path | None = None) -> None:
        """The campaign's report in PDF, when `app.exporting.monitoring_report` is installed."""
        from ui.monitoring.forms_dialog import FileExportFlow, safe_file_stem

        exporter = report_exporter()
        if exporter is None:
            self.export_report_action.setVisible(False)
            return
        campaign = self._campaign_or_say("Справка в PDF")
        if campaign is None:
            return
        FileExportFlow(
            self.jobs,
            self,
            job=partial(_report_job, exporter, self.database, campaign.id),
            title="Справка в PDF",
            suffix=".pdf",
            file_filter="Документ PDF (*.pdf)",
            default_name=safe_file_stem(f"Справка — {campaign.title}", "Справка по мониторингу"),
            saved_text="Справка по мониторингу сохранена в файл",
        ).start(path)
