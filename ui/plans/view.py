"""The plans page: the list of plans, the selected plan as a Gantt-like table, filters and commands.

A plan is read with one `PlanService.get` (a 2,000-item plan in a few tens of milliseconds) and
shown through `PlanTableModel`; an edit reloads it, and the model refreshes only the rows that
changed, so the table keeps its scroll position and selection. Row heights are computed from the
text and the column widths and cached, never measured by Qt row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.errors import AppError, ValidationError
from app.plans.model import ColumnRole, ItemStatus, Plan, PlanItem, PlanSection, PlanSummary
from app.plans.service import PlanService
from app.schools import SchoolService
from app.text import fold, plural
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import show_error
from ui.plans.delegates import MultilineDelegate, StatusDelegate
from ui.plans.filtering import STATUS_OPEN, STATUS_OVERDUE, PlanFilter, PlanFilterProxy, responsible_names
from ui.plans.gantt_delegate import GanttDelegate
from ui.plans.model import MULTILINE_ROLES, PlanTableModel, month_label
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner

if TYPE_CHECKING:
    from ui.plan_import.flow import PlanImportFlow

PLAN_TABLES = frozenset(
    {"plans", "plan_sections", "plan_items", "plan_item_schools", "plan_item_responsibles"}
)
SEARCH_PLACEHOLDER = "Поиск по плану: мероприятие, срок, ответственный, результат…"
ALL_YEARS = -1
ANY = ""  # the «all» entry of a text filter list
ANY_ID = -1  # the «all» entry of a number filter list

COLUMN_WIDTHS = {
    ColumnRole.NUMBER: 44,
    ColumnRole.MEASURE: 300,
    ColumnRole.DEADLINE: 118,
    ColumnRole.RESPONSIBLE: 150,
    ColumnRole.RESULT: 190,
    ColumnRole.SCHOOLS: 110,
    ColumnRole.OTHER: 130,
}
STATUS_WIDTH = 120
MONTH_WIDTH = 36
MAX_LINES = 5  # taller text is cut in the table; the tooltip and the editor show it all
CELL_PADDING = 10


def combo_value(combo: QComboBox, default: Any) -> Any:
    """The current item's data. Never None: PySide6 6.12.0 loses a reference to None each time
    `currentData()` returns it (see NO_TODAY in ui/plans/model.py), so «all» entries carry
    ANY / -1 and an empty list is not asked."""
    return combo.currentData() if combo.currentIndex() >= 0 else default


def _combined(description: str, changesets: list[ChangeSet]) -> ChangeSet:
    """Several writes as one undo step (in the order they happened)."""
    if len(changesets) == 1:
        return changesets[0]
    return ChangeSet(description, [change for changeset in changesets for change in changeset.changes])


class PlanTableView(QTableView):
    """The table; its keys for the page's commands win over the table's own (Ctrl+Up moves the
    item, not the cursor) and over the window's shortcuts with the same keys (Insert)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.command_actions: list[QAction] = []
        self.installEventFilter(self)

    def _action_for(self, event: QKeyEvent) -> QAction | None:
        pressed = QKeySequence(event.keyCombination())
        for action in self.command_actions:
            if action.isEnabled() and any(
                shortcut.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
                for shortcut in action.shortcuts()
            ):
                return action
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self
            and isinstance(event, QKeyEvent)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            if event.type() == QEvent.Type.ShortcutOverride and self._action_for(event) is not None:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                action = self._action_for(event)
                if action is not None:
                    action.trigger()
                    return True
        return super().eventFilter(watched, event)


class PlansPage(QWidget):
    current_plan_changed = Signal()
    counts_changed = Signal(str)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
        jobs: JobRunner | None = None,
        show_counts: bool = True,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs or JobRunner(self)
        self.service = PlanService(database)
        self._today = today
        self._summaries: list[PlanSummary] = []
        self._school_names: dict[int, str] | None = None
        self._height_cache: dict[tuple[Any, ...], int] = {}
        self._restore_item: int | None = None
        self._shape_key: tuple[Any, ...] = ()

        self.model = PlanTableModel(self)
        self.model.today = self.today
        self.model.commit = self._commit
        self.model.move = self._drop_move
        self.proxy = PlanFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.gantt_delegate = GanttDelegate(self)
        self.multiline_delegate = MultilineDelegate(self)
        self.status_delegate = StatusDelegate(self)
        self._delegated_columns: list[int] = []

        self._create_actions()
        self._build_top()
        self._build_filters()
        self._build_table()
        self.empty_label = QLabel(
            "Планов мероприятий пока нет. Создайте план кнопкой «Новый план» или загрузите его из документа."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #555; padding: 12px;")
        self.counts_label = QLabel()
        self.counts_label.setStyleSheet("color: #555;")
        # In the main window the status bar shows the counts; the label serves a page on its own.
        self.counts_label.setVisible(show_counts)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addLayout(self._top)
        layout.addWidget(self.toolbar)
        layout.addLayout(self._filters)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts_label)

        self._heights_timer = QTimer(self)
        self._heights_timer.setSingleShot(True)
        self._heights_timer.setInterval(60)
        self._heights_timer.timeout.connect(self._apply_row_heights)

        self.reload_plans()
        history.changed.connect(self._on_history_changed)

    # --- building ------------------------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._today or date.today()

    def set_today(self, today: date | None) -> None:
        """Fix «today» (the demo, the screenshots and tests); None follows the calendar again."""
        self._today = today
        self.reload_plans()

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: str | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip = f"{tip or text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.new_plan_action = self._action("Новый план…", self.new_plan, tip="Создать план мероприятий")
        self.properties_action = self._action(
            "Свойства…", self.edit_properties, tip="Название, вид, учебный год, период и состояние плана"
        )
        self.roll_over_action = self._action(
            "На следующий год…", self.roll_over, tip="Скопировать план на следующий учебный год"
        )
        self.print_action = self._action("Печать…", self.print_plan, "Ctrl+P", "Печать плана")
        self.delete_plan_action = self._action("Удалить план…", self.delete_plan, tip="Удалить весь план")
        self.add_item_action = self._action("Добавить пункт", self.add_item, "Ins", "Добавить пункт плана")
        self.add_section_action = self._action(
            "Добавить раздел…", self.add_section, tip="Добавить раздел плана"
        )
        self.delete_action = self._action("Удалить", self.delete_selected, "Del", "Удалить выбранные пункты")
        self.done_action = self._action(
            "Выполнено…", self.mark_done, "Ctrl+D", "Отметить выполнение: дата и подтверждение"
        )
        self.up_action = self._action("Вверх", self.move_up, "Ctrl+Up", "Переместить пункт выше")
        self.down_action = self._action("Вниз", self.move_down, "Ctrl+Down", "Переместить пункт ниже")
        self.edit_action = self._action("Изменить", self.edit_current, "F2", "Изменить ячейку")
        self.schools_action = self._action(
            "Школы пункта…", self.choose_schools, tip="Выбрать школы, на которые направлен пункт плана"
        )
        self.import_action = self._action(
            "Загрузить из файла…",
            self.import_from_file,
            tip="Загрузить план из документа Word, книги Excel или текста",
        )
        self.paste_action = self._action(
            "Вставить из буфера",
            self.import_from_clipboard,
            "Ctrl+Shift+V",
            "Вставить таблицу плана, скопированную в Word или Excel",
        )
        self.export_xlsx_action = self._action(
            "В Excel…",
            lambda: self.export_plan(".xlsx"),
            tip="Выгрузить план в книгу Excel с диаграммой по месяцам",
        )
        self.export_docx_action = self._action(
            "В Word…",
            lambda: self.export_plan(".docx"),
            tip="Выгрузить план в документ Word (приложение к приказу)",
        )

    def _build_top(self) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setToolTip("Учебный год планов")
        self.year_combo.currentIndexChanged.connect(self._on_year_chosen)
        self.plan_combo = QComboBox()
        self.plan_combo.setMinimumWidth(320)
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.plan_combo.setMinimumContentsLength(40)
        self.plan_combo.currentIndexChanged.connect(self._on_plan_chosen)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("color: #555;")
        self._top = QHBoxLayout()
        for caption_text, widget in (("Учебный год:", self.year_combo), ("План:", self.plan_combo)):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            self._top.addWidget(caption)
            self._top.addWidget(widget, 1 if widget is self.plan_combo else 0)
        self._top.addWidget(self.summary_label)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions(
            [self.new_plan_action, self.properties_action, self.roll_over_action, self.delete_plan_action]
        )
        self.toolbar.addAction(self.print_action)
        self.toolbar.addSeparator()
        self.toolbar.addActions(
            [self.import_action, self.paste_action, self.export_xlsx_action, self.export_docx_action]
        )
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.add_item_action, self.add_section_action, self.delete_action])
        self.toolbar.addAction(self.done_action)
        self.toolbar.addActions([self.up_action, self.down_action])

    def _build_filters(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip("Без учёта регистра, «ё» и «е» не различаются")
        self.search_edit.textChanged.connect(self.apply_filters)
        self.responsible_combo = QComboBox()
        self.responsible_combo.setToolTip("Ответственный исполнитель")
        self.school_combo = QComboBox()
        self.school_combo.setToolTip("Пункты, относящиеся к школе")
        self.status_combo = QComboBox()
        self.status_combo.addItem("Любая отметка", ANY)
        self.status_combo.addItem("Невыполненные", STATUS_OPEN)
        self.status_combo.addItem("Просроченные", STATUS_OVERDUE)
        for status in ItemStatus:
            self.status_combo.addItem(status.label, status.value)
        self.month_combo = QComboBox()
        self.month_combo.setToolTip("Пункты, срок которых приходится на месяц")
        for combo in (self.responsible_combo, self.school_combo, self.status_combo, self.month_combo):
            combo.setMinimumWidth(90)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(self.apply_filters)
        self._filters = QHBoxLayout()
        self._filters.addWidget(self.search_edit, 2)
        for caption_text, combo in (
            ("Ответственный:", self.responsible_combo),
            ("ОО:", self.school_combo),
            ("Отметка:", self.status_combo),
            ("Месяц:", self.month_combo),
        ):
            caption = QLabel(caption_text)
            caption.setBuddy(combo)
            self._filters.addWidget(caption)
            self._filters.addWidget(combo, 1)

    def _build_table(self) -> None:
        table = PlanTableView(self)
        table.setModel(self.proxy)
        table.command_actions = [
            self.add_item_action,
            self.delete_action,
            self.done_action,
            self.up_action,
            self.down_action,
            self.print_action,
        ]
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setTabKeyNavigation(False)
        table.setShowGrid(True)
        table.setStyleSheet("QTableView { gridline-color: #d6dbe1; }")
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setDragEnabled(True)
        table.setAcceptDrops(True)
        table.setDropIndicatorShown(True)
        table.setDragDropOverwriteMode(False)
        table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        table.setDefaultDropAction(Qt.DropAction.MoveAction)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setMinimumSectionSize(table.fontMetrics().height() + 8)
        vertical.setDefaultSectionSize(table.fontMetrics().lineSpacing() + CELL_PADDING)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumSectionSize(30)
        header.sectionResized.connect(self._on_section_resized)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._show_context_menu)
        table.selectionModel().selectionChanged.connect(self.update_actions)
        table.selectionModel().currentRowChanged.connect(self.update_actions)
        self.proxy.modelAboutToBeReset.connect(self._remember_current)
        self.table = table

    # --- the list of plans ---------------------------------------------------------------------------
    def reload_plans(self, select_id: int | None = None) -> None:
        """Fill the year and plan lists again, keeping (or moving to) the chosen plan."""
        wanted = select_id if select_id is not None else self.plan_id
        all_summaries = self.service.list_plans(today=self.today)
        years = sorted({s.academic_year for s in all_summaries if s.academic_year is not None}, reverse=True)
        year = combo_value(self.year_combo, ALL_YEARS)
        if wanted is not None:
            chosen = next((s for s in all_summaries if s.id == wanted), None)
            if chosen is not None and year not in (ALL_YEARS, chosen.academic_year):
                year = ALL_YEARS
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        self.year_combo.addItem("Все годы", ALL_YEARS)
        for value in years:
            self.year_combo.addItem(academic_year_label(value), value)
        found = self.year_combo.findData(year)
        self.year_combo.setCurrentIndex(max(found, 0))
        self.year_combo.blockSignals(False)
        self._fill_plan_combo(all_summaries, wanted)

    def _fill_plan_combo(self, all_summaries: list[PlanSummary], wanted: int | None) -> None:
        year = combo_value(self.year_combo, ALL_YEARS)
        self._summaries = [s for s in all_summaries if year == ALL_YEARS or s.academic_year == year]
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for summary in self._summaries:
            title = " ".join(summary.title.split())
            if summary.academic_year is not None and academic_year_label(summary.academic_year) not in title:
                title += f" ({academic_year_label(summary.academic_year)})"
            self.plan_combo.addItem(title, summary.id)
            self.plan_combo.setItemData(
                self.plan_combo.count() - 1, _summary_tooltip(summary), Qt.ItemDataRole.ToolTipRole
            )
        index = self.plan_combo.findData(wanted) if wanted is not None else -1
        if index < 0 and self.plan_combo.count():
            index = 0
        self.plan_combo.setCurrentIndex(index)
        self.plan_combo.blockSignals(False)
        self.load_plan()

    def _on_year_chosen(self, _index: int) -> None:
        self._fill_plan_combo(self.service.list_plans(today=self.today), self.plan_id)

    def _on_plan_chosen(self, _index: int) -> None:
        self.clear_filters(apply=False)
        self.load_plan()
        self.table.scrollToTop()

    @property
    def plan_id(self) -> int | None:
        if not hasattr(self, "plan_combo") or self.plan_combo.currentIndex() < 0:
            return None
        return int(self.plan_combo.currentData())

    @property
    def plan(self) -> Plan | None:
        return self.model.plan

    def select_plan(self, plan_id: int) -> bool:
        if self.plan_combo.findData(plan_id) < 0:
            self.year_combo.setCurrentIndex(0)  # all years
        index = self.plan_combo.findData(plan_id)
        if index < 0:
            return False
        self.plan_combo.setCurrentIndex(index)
        return True

    # --- loading one plan ----------------------------------------------------------------------------
    def load_plan(self) -> None:
        """Read the chosen plan again and show it (the model refreshes only what changed)."""
        plan_id = self.plan_id
        plan: Plan | None = None
        if plan_id is not None:
            try:
                plan = self.service.get(plan_id)
            except AppError:
                plan = None
        current = self.current_item()
        if current is not None:
            self._restore_item = current.id
        self.model.today = self.today
        self.model.set_plan(plan)
        shape = (plan.id, plan.columns, plan.period_start, plan.period_end) if plan is not None else ()
        if shape != self._shape_key:
            self._shape_key = shape
            self._configure_columns()
            self._fill_filter_lists(keep=False)
        else:
            self._fill_filter_lists(keep=True)
        self.proxy.refilter()
        self._after_rows_changed()
        self._restore_current()
        has_plan = plan is not None
        self.table.setVisible(has_plan)
        self.empty_label.setVisible(not has_plan and not self._summaries)
        self._update_summary()
        emit(self.current_plan_changed)

    def _configure_columns(self) -> None:
        table = self.table
        for column in self._delegated_columns:
            table.setItemDelegateForColumn(column, None)  # type: ignore[arg-type]
        self._delegated_columns = []
        model = self.model
        header = table.horizontalHeader()
        for number, column in enumerate(model.plan_columns):
            header.resizeSection(number, COLUMN_WIDTHS.get(column.role, 140))
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
            if column.role in MULTILINE_ROLES:
                self._delegate(number, self.multiline_delegate)
        if model.plan is None:
            return
        header.resizeSection(model.status_column, STATUS_WIDTH)
        self._delegate(model.status_column, self.status_delegate)
        for offset in range(len(model.months)):
            column = model.first_month_column + offset
            header.resizeSection(column, MONTH_WIDTH)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self._delegate(column, self.gantt_delegate)
        header.setStretchLastSection(False)
        self._height_cache.clear()

    def _delegate(self, column: int, delegate: QStyledItemDelegate) -> None:
        self.table.setItemDelegateForColumn(column, delegate)
        self._delegated_columns.append(column)

    def _update_summary(self) -> None:
        plan = self.plan
        if plan is None:
            self.summary_label.clear()
            return
        items = [row for row in self.model.rows() if row.item is not None]
        done = sum(1 for row in items if row.state == "done")
        overdue = sum(1 for row in items if row.state == "overdue")
        parts = [f"{len(items)} {plural(len(items), 'пункт', 'пункта', 'пунктов')}", f"выполнено {done}"]
        if overdue:
            parts.append(f"просрочено {overdue}")
        self.summary_label.setText(", ".join(parts) + f" · {plan.status.label.lower()}")

    def _on_history_changed(self, changeset: ChangeSet) -> None:
        tables = {change.table for change in changeset.changes}
        if "schools" in tables:
            self._school_names = None
        if not tables & PLAN_TABLES:
            return
        if "plans" in tables:
            current = self.plan_id
            touched = [c.row_id for c in changeset.changes if c.table == "plans"]
            origins = [
                row.get("rolled_from_id")
                for c in changeset.changes
                if c.table == "plans"
                for row in (c.before, c.after)
                if row
            ]
            alive = {s.id for s in self.service.list_plans()}
            # Undoing a roll-over removes the copy on screen: show the plan it came from.
            candidates = [current, *touched, *origins]
            wanted = next((plan_id for plan_id in candidates if plan_id in alive), None)
            self.reload_plans(select_id=wanted)
        else:
            self.load_plan()

    # --- filters -------------------------------------------------------------------------------------
    def _school_name(self, school_id: int) -> str:
        if self._school_names is None:
            self._school_names = {s.id: s.display_name for s in SchoolService(self.database).list_schools()}
        return self._school_names.get(school_id, f"Школа № {school_id}")

    def _fill_filter_lists(self, *, keep: bool) -> None:
        def refill(combo: QComboBox, first: str, any_value: Any, entries: list[tuple[str, Any]]) -> None:
            current = combo_value(combo, any_value) if keep else any_value
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, any_value)
            for text, value in entries:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

        refill(self.responsible_combo, "Все", ANY, [(name, name) for name in responsible_names(self.model)])
        school_ids = sorted(
            {sid for row in self.model.rows() if row.item is not None for sid in row.item.school_ids}
        )
        schools = sorted(((self._school_name(sid), sid) for sid in school_ids), key=lambda e: fold(e[0]))
        refill(self.school_combo, "Все школы", ANY_ID, schools)
        refill(
            self.month_combo,
            "Все месяцы",
            ANY_ID,
            [(month_label(year, month), offset) for offset, (year, month) in enumerate(self.model.months)],
        )
        if not keep:
            self.status_combo.blockSignals(True)
            self.status_combo.setCurrentIndex(0)
            self.status_combo.blockSignals(False)

    def criteria(self) -> PlanFilter:
        return PlanFilter(
            text=self.search_edit.text(),
            responsible=combo_value(self.responsible_combo, ANY),
            school_id=_id_or_none(combo_value(self.school_combo, ANY_ID)),
            status=combo_value(self.status_combo, ANY) or None,
            month=_id_or_none(combo_value(self.month_combo, ANY_ID)),
        )

    def apply_filters(self, *_args: object) -> None:
        self._remember_current()
        self.proxy.set_criteria(self.criteria())
        self._after_rows_changed()
        self._restore_current()

    def clear_filters(self, *, apply: bool = True) -> None:
        for widget in (
            self.search_edit,
            self.responsible_combo,
            self.school_combo,
            self.status_combo,
            self.month_combo,
        ):
            widget.blockSignals(True)
        self.search_edit.clear()
        for combo in (self.responsible_combo, self.school_combo, self.status_combo, self.month_combo):
            combo.setCurrentIndex(0)
        for widget in (
            self.search_edit,
            self.responsible_combo,
            self.school_combo,
            self.status_combo,
            self.month_combo,
        ):
            widget.blockSignals(False)
        if apply:
            self.apply_filters()
        else:
            self.proxy.criteria = self.criteria()

    # --- import and export -----------------------------------------------------------------------
    def _import_flow(self) -> PlanImportFlow:
        from ui.plan_import.flow import PlanImportFlow

        flow = PlanImportFlow(self.database, self.history, self.jobs, self)
        flow.imported.connect(self._on_imported)
        return flow

    def import_from_file(self, path: Path | None = None) -> None:
        self._import_flow().start_from_file(path)

    def import_from_clipboard(self, formats: dict[str, str] | None = None) -> None:
        self._import_flow().start_from_clipboard(formats)

    def _on_imported(self, ids: object) -> None:
        assert isinstance(ids, list)
        self.reload_plans(select_id=ids[0] if ids else None)

    def export_plan(self, suffix: str, path: Path | None = None) -> None:
        from ui.plan_import.flow import PlanExportFlow

        plan = self.plan
        if plan is None:
            return
        PlanExportFlow(self.database, self.jobs, self).start(plan.id, plan.title, suffix, path)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _after_rows_changed(self) -> None:
        self._apply_spans()
        self._apply_row_heights()
        text = self.counts_text()
        self.counts_label.setText(text)
        emit(self.counts_changed, text)
        self.update_actions()

    def counts_text(self) -> str:
        if self.plan is None:
            return ""
        total = self.model.item_count()
        shown = self.proxy.shown_item_count() if not self.proxy.criteria.is_empty else total
        return f"Показано {shown} из {total} {plural(total, 'пункта', 'пунктов', 'пунктов')}"

    def _apply_spans(self) -> None:
        table = self.table
        table.clearSpans()
        columns = self.proxy.columnCount()
        if columns <= 1:
            return
        for row in range(self.proxy.rowCount()):
            if self.model.is_section_row(self.proxy.mapToSource(self.proxy.index(row, 0)).row()):
                table.setSpan(row, 0, 1, columns)

    # --- row heights ---------------------------------------------------------------------------------
    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column < self.model.first_month_column:
            self._heights_timer.start()

    def _wrapped_columns(self) -> list[tuple[int, int]]:
        """(column, text width) of the columns whose text wraps."""
        model = self.model
        columns = [
            (number, self.table.columnWidth(number) - CELL_PADDING)
            for number, column in enumerate(model.plan_columns)
            if column.role is not ColumnRole.NUMBER
        ]
        if model.plan is not None:
            columns.append((model.status_column, self.table.columnWidth(model.status_column) - CELL_PADDING))
        return columns

    def _apply_row_heights(self) -> None:
        """Each row as tall as its longest text (up to MAX_LINES lines), from cached measurements."""
        model, proxy = self.model, self.proxy
        metrics = self.table.fontMetrics()
        line = metrics.lineSpacing()
        single = line + CELL_PADDING
        wrapped = self._wrapped_columns()
        span_width = max(
            200, sum(self.table.columnWidth(c) for c in range(proxy.columnCount())) - CELL_PADDING
        )
        bold = self.table.font()
        bold.setBold(True)
        from PySide6.QtGui import QFontMetrics

        bold_metrics = QFontMetrics(bold)
        cache = self._height_cache
        header = self.table.verticalHeader()
        flags = int(Qt.TextFlag.TextWordWrap)
        limit = line * MAX_LINES
        for row in range(proxy.rowCount()):
            source_row = proxy.mapToSource(proxy.index(row, 0)).row()
            found = model.row_at(source_row)
            if found is None:
                continue
            if found.section is not None:
                key: tuple[Any, ...] = ("s", found.section.title, span_width)
                height = cache.get(key)
                if height is None:
                    box = bold_metrics.boundingRect(
                        QRect(0, 0, span_width, limit * 4), flags, found.section.title
                    )
                    height = cache[key] = max(single, min(box.height(), limit) + CELL_PADDING)
            else:
                item = found.item
                assert item is not None
                texts = tuple(model._text(item, column, False) for column, _w in wrapped)
                key = ("i", texts, tuple(w for _c, w in wrapped))
                height = cache.get(key)
                if height is None:
                    tallest = line
                    for text, (_column, width) in zip(texts, wrapped, strict=True):
                        if not text:
                            continue
                        if "\n" not in text and metrics.horizontalAdvance(text) <= width:
                            continue
                        box = metrics.boundingRect(QRect(0, 0, max(width, 20), limit * 4), flags, text)
                        tallest = max(tallest, min(box.height(), limit))
                    height = cache[key] = tallest + CELL_PADDING
            if header.sectionSize(row) != height:
                header.resizeSection(row, height)

    # --- the current row -----------------------------------------------------------------------------
    def current_item(self) -> PlanItem | None:
        index = self.table.currentIndex() if hasattr(self, "table") else QModelIndex()
        if not index.isValid():
            return None
        return self.model.item_at(self.proxy.mapToSource(index).row())

    def current_section(self) -> PlanSection | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.section_at(self.proxy.mapToSource(index).row())

    def selected_source_rows(self) -> list[int]:
        rows = {self.proxy.mapToSource(index).row() for index in self.table.selectionModel().selectedRows()}
        if not rows and self.table.currentIndex().isValid():
            rows.add(self.proxy.mapToSource(self.table.currentIndex()).row())
        return sorted(rows)

    def selected_items(self) -> list[PlanItem]:
        return [item for row in self.selected_source_rows() if (item := self.model.item_at(row)) is not None]

    def selected_sections(self) -> list[PlanSection]:
        return [s for row in self.selected_source_rows() if (s := self.model.section_at(row)) is not None]

    def select_item(self, item_id: int, column: int | None = None) -> bool:
        """Make the item current (and visible); False when it is not in the plan or filtered out."""
        source_row = self.model.row_of_item(item_id)
        if source_row is None:
            return False
        if column is None:
            measure = self.model.column_of(ColumnRole.MEASURE)
            column = measure if measure is not None else 0
        index = self.proxy.mapFromSource(self.model.index(source_row, column))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def show_item(self, plan_id: int, item_id: int) -> bool:
        """Open the plan at the item (from the overview); filters that hide it are cleared."""
        if self.plan_id != plan_id and not self.select_plan(plan_id):
            return False
        if not self.select_item(item_id):
            self.clear_filters()
            if not self.select_item(item_id):
                return False
        self.table.setFocus()
        return True

    def _remember_current(self) -> None:
        current = self.current_item()
        if current is not None:
            self._restore_item = current.id

    def _restore_current(self) -> None:
        item_id, self._restore_item = self._restore_item, None
        if item_id is not None:
            column = self.table.currentIndex().column() if self.table.currentIndex().isValid() else None
            if not self.select_item(item_id, column):
                self.table.clearSelection()

    def item_index(self, item_id: int, column: int) -> QModelIndex:
        """The view's index of an item's cell (for tests and `edit_current`)."""
        row = self.model.row_of_item(item_id)
        if row is None:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(row, column))

    # --- actions state -------------------------------------------------------------------------------
    def update_actions(self, *_args: object) -> None:
        has_plan = self.plan is not None
        items = self.selected_items() if has_plan else []
        sections = self.selected_sections() if has_plan else []
        for action in (
            self.properties_action,
            self.roll_over_action,
            self.print_action,
            self.delete_plan_action,
            self.add_item_action,
            self.add_section_action,
        ):
            action.setEnabled(has_plan)
        self.delete_action.setEnabled(bool(items or sections))
        self.done_action.setEnabled(bool(items))
        current = self.current_item()
        self.schools_action.setEnabled(current is not None)
        self.up_action.setEnabled(current is not None)
        self.down_action.setEnabled(current is not None)
        self.edit_action.setEnabled(self.table.currentIndex().isValid())

    def _show_context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addActions([self.edit_action, self.done_action, self.schools_action])
        menu.addSeparator()
        menu.addActions([self.add_item_action, self.add_section_action])
        menu.addSeparator()
        menu.addActions([self.up_action, self.down_action])
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(position))

    # --- writing -------------------------------------------------------------------------------------
    def _write(self, action: Callable[[], ChangeSet], failure: str) -> ChangeSet | None:
        """Run a service write; show its message when refused; push the change on the undo stack."""
        try:
            changeset = action()
        except ValidationError as exc:
            show_error(self, "\n".join(p.message for p in exc.problems), failure)
            return None
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, failure)
            return None
        self.history.record(changeset)
        return changeset

    def _commit(self, target: PlanItem | PlanSection, raw: dict[str, Any]) -> bool:
        """A cell edited in place (called by the model's setData)."""
        if isinstance(target, PlanSection):
            return (
                self._write(lambda: self.service.rename_section(target.id, raw["title"]), "Раздел не изменён")
                is not None
            )
        if "status" in raw:
            status = ItemStatus(raw["status"])
            return (
                self._write(
                    lambda: self.service.set_status(
                        target.id, status, completed_on=self.today if status is ItemStatus.DONE else None
                    ),
                    "Отметка не изменена",
                )
                is not None
            )
        return self._write(lambda: self.service.update_item(target.id, raw), "Пункт не изменён") is not None

    def edit_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.table.edit(index)

    def add_item(self) -> None:
        plan = self.plan
        if plan is None:
            return
        current = self.current_item()
        section = self.current_section()
        if current is not None:
            section_id, after = current.section_id, current.id
        elif section is not None:
            section_id, after = section.id, None
        else:
            section_id, after = (plan.sections[-1].id if plan.sections else None), None
        result: list[int] = []

        def write() -> ChangeSet:
            item_id, changeset = self.service.add_item(
                plan.id,
                {"measure": "Новое мероприятие", "deadline_text": ""},
                section_id=section_id,
                after_item_id=after,
            )
            result.append(item_id)
            return changeset

        if self._write(write, "Пункт не добавлен") is None or not result:
            return
        item_id = result[0]
        if not self.select_item(item_id):
            self.clear_filters()
            self.select_item(item_id)
        measure = self.model.column_of(ColumnRole.MEASURE)
        if measure is not None:
            index = self.item_index(item_id, measure)
            if index.isValid():
                self.table.setFocus()
                self.table.edit(index)

    def add_section(self) -> QWidget | None:
        plan = self.plan
        if plan is None:
            return None
        from ui.plans.dialogs import TextDialog

        dialog = TextDialog("Новый раздел", "Название раздела:", parent=self)
        order = [s.id for s in plan.sections]
        current = self.current_item()
        section = self.current_section()
        current_section = section.id if section is not None else (current.section_id if current else None)
        before: int | None = None
        if current_section in order and order.index(current_section) + 1 < len(order):
            before = order[order.index(current_section) + 1]

        def accepted() -> None:
            title = dialog.text()
            self._write(
                lambda: self.service.add_section(plan.id, title, before_section_id=before)[1],
                "Раздел не добавлен",
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def delete_selected(self) -> QWidget | None:
        items = self.selected_items()
        sections = self.selected_sections()
        if not items and not sections:
            return None
        from ui.plans.dialogs import ask

        section_ids = {s.id for s in sections}
        items = [i for i in items if i.section_id not in section_ids]  # deleted with their section
        parts = []
        if len(items) == 1:
            parts.append(f"пункт {items[0].display_number} «{_short(items[0].measure)}»")
        elif items:
            parts.append(f"{len(items)} {plural(len(items), 'пункт', 'пункта', 'пунктов')}")
        for section in sections:
            count = len(self.plan.items_of(section.id)) if self.plan else 0
            parts.append(
                f"раздел «{_short(section.title)}»"
                + (
                    f" вместе с его {count} {plural(count, 'пунктом', 'пунктами', 'пунктами')}"
                    if count
                    else ""
                )
            )
        text = "Удалить " + " и ".join(parts) + "?\n\nУдаление можно отменить (Ctrl+Z)."

        def delete() -> None:
            changesets = []
            try:
                if items:
                    changesets.append(self.service.delete_items([i.id for i in items]))
                for section in sections:
                    changesets.append(self.service.delete_section(section.id))
            except (AppError, DatabaseError) as exc:
                show_error(self, exc.message, "Не удалено")
            if changesets:
                description = changesets[0].description if len(changesets) == 1 else "Удаление из плана"
                self.history.record(_combined(description, changesets))

        return ask(self, text, "Удаление", "Удалить", delete)

    def mark_done(self) -> QWidget | None:
        items = self.selected_items()
        if not items:
            return None
        from ui.plans.dialogs import DoneDialog

        if len(items) == 1:
            caption = f"Пункт {items[0].display_number}: {_short(items[0].measure, 200)}"
        else:
            caption = f"Выбрано {len(items)} {plural(len(items), 'пункт', 'пункта', 'пунктов')}"
        dialog = DoneDialog(caption, self.today, parent=self)

        def accepted() -> None:
            completed_on, evidence = dialog.completed_on(), dialog.evidence()
            changesets = []
            try:
                for item in items:
                    changesets.append(
                        self.service.set_status(
                            item.id, ItemStatus.DONE, completed_on=completed_on, evidence=evidence
                        )
                    )
            except (AppError, DatabaseError) as exc:
                show_error(self, exc.message, "Отметка не сохранена")
            if changesets:
                self.history.record(_combined("Отметка «Выполнено»", changesets))

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def choose_schools(self) -> QWidget | None:
        """Tick the registry schools the current item is aimed at (one undo step)."""
        item = self.current_item()
        if item is None:
            return None
        from ui.plans.schools_dialog import ItemSchoolsDialog

        schools = [
            s
            for s in SchoolService(self.database).list_schools()
            if not s.is_archived or s.id in item.school_ids
        ]
        dialog = ItemSchoolsDialog(
            f"Пункт {item.display_number}: {_short(item.measure, 200)}", schools, item.school_ids, parent=self
        )

        def accepted() -> None:
            self._write(
                lambda: self.service.update_item(item.id, {"school_ids": dialog.chosen()}),
                "Школы не сохранены",
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def _sibling_order(self) -> list[int | None]:
        plan = self.plan
        return [None, *(s.id for s in plan.sections)] if plan else [None]

    def move_up(self) -> None:
        self._move_current(-1)

    def move_down(self) -> None:
        self._move_current(1)

    def _move_current(self, step: int) -> None:
        plan = self.plan
        item = self.current_item()
        if plan is None or item is None:
            return
        siblings = [i.id for i in plan.items_of(item.section_id)]
        index = siblings.index(item.id) + step
        section_id = item.section_id
        if not 0 <= index < len(siblings):
            # Past the section's edge: into the neighbouring section (its end going up, its start going down).
            order = self._sibling_order()
            neighbour = order.index(section_id) + step
            if not 0 <= neighbour < len(order):
                return
            section_id = order[neighbour]
            index = len(plan.items_of(section_id)) if step < 0 else 0
        self._move([item.id], section_id, index)

    def _move(self, ids: list[int], section_id: int | None, index: int) -> bool:
        changesets = []
        try:
            for offset, item_id in enumerate(ids):
                changesets.append(
                    self.service.move_item(item_id, section_id=section_id, index=index + offset)
                )
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Пункт не перемещён")
        changesets = [c for c in changesets if c]
        if not changesets:
            return False
        self._restore_item = ids[0]
        self.history.record(
            _combined("Перемещение пунктов плана" if len(ids) > 1 else changesets[0].description, changesets)
        )
        return True

    def _drop_move(self, ids: list[int], section_id: int | None, index: int) -> bool:
        """Rows dragged and dropped: moved once the drop has finished (the model is then reset)."""
        QTimer.singleShot(0, self, lambda: self._move(ids, section_id, index))
        return True

    # --- plan commands -------------------------------------------------------------------------------
    def new_plan(self) -> QWidget:
        from ui.plans.dialogs import PlanPropertiesDialog

        year = combo_value(self.year_combo, ALL_YEARS)
        dialog = PlanPropertiesDialog(
            self.database, self.history, None, year=None if year == ALL_YEARS else int(year), parent=self
        )
        dialog.saved.connect(lambda plan_id: self.reload_plans(select_id=plan_id))
        dialog.open()
        return dialog

    def edit_properties(self) -> QWidget | None:
        if self.plan is None:
            return None
        from ui.plans.dialogs import PlanPropertiesDialog

        dialog = PlanPropertiesDialog(self.database, self.history, self.plan, parent=self)
        dialog.open()
        return dialog

    def roll_over(self) -> QWidget | None:
        plan = self.plan
        if plan is None:
            return None
        from ui.plans.dialogs import ask

        year = plan.academic_year if plan.academic_year is not None else plan.period_start.year
        text = (
            f"Скопировать план «{_short(plan.title, 120)}» на {academic_year_label(year + 1)} учебный год?\n\n"
            "Годы в названии и сроках сдвинутся на год, отметки о выполнении не переносятся. "
            "Исходный план останется как есть."
        )

        def roll() -> None:
            result: list[int] = []

            def write() -> ChangeSet:
                new_id, changeset = self.service.roll_over(plan.id)
                result.append(new_id)
                return changeset

            if self._write(write, "План не перенесён") is not None and result:
                self.reload_plans(select_id=result[0])

        return ask(self, text, "Перенос плана на следующий год", "Перенести", roll)

    def delete_plan(self) -> QWidget | None:
        plan = self.plan
        if plan is None:
            return None
        from ui.plans.dialogs import ask

        count = len(plan.items)
        text = (
            f"Удалить план «{_short(plan.title, 120)}»"
            + (f" и все его пункты ({count})" if count else "")
            + "?\n\nУдаление можно отменить (Ctrl+Z)."
        )
        return ask(
            self,
            text,
            "Удаление плана",
            "Удалить",
            lambda: self._write(lambda: self.service.delete(plan.id), "План не удалён"),
        )

    def print_plan(self) -> QWidget | None:
        if self.plan is None:
            return None
        from ui.plans.printing import open_print_preview

        return open_print_preview(self, self.plan, self.today)


def _id_or_none(value: Any) -> int | None:
    return None if value == ANY_ID else int(value)


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _summary_tooltip(summary: PlanSummary) -> str:
    lines = [summary.title, f"{summary.kind.label}, {summary.status.label.lower()}"]
    lines.append(f"Период: {summary.period_start:%d.%m.%Y} — {summary.period_end:%d.%m.%Y}")
    lines.append(
        f"Пунктов: {summary.items}, выполнено: {summary.done}"
        + (f", просрочено: {summary.overdue}" if summary.overdue else "")
    )
    return "\n".join(lines)
