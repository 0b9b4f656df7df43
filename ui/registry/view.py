"""The registry view: the filter bar, the table of schools, and the commands on the current school.

The registry is loaded once into an `app.registry.RegistryIndex`; a keystroke in the search box
only re-selects rows from it (`apply_filter_now`). After an edit only the schools the change set
touched are fetched again, so an edit costs the same at 9 schools and at 40,000; a full reload
(another year, an import, undoing an import) runs on a worker when the registry is large.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import Category, Locality, School, SchoolKind, academic_year_label
from app.errors import AppError
from app.jobs import Job, Progress, run_job
from app.office import OfficeService, current_academic_year
from app.schools import SchoolService
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.registry.columns import TOOLTIP_ROLE, Column
from ui.startup import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, report_failure

if TYPE_CHECKING:  # the dialogs are imported when first opened, off the start-up path
    from app.registry import RegistryIndex, RegistryQuery
    from ui.registry.archive_dialog import ArchiveDialog
    from ui.registry.model import RegistryTableModel
    from ui.registry.school_card import SchoolCardDialog

SEARCH_PLACEHOLDER = "Поиск: название, населённый пункт, руководитель, ИНН…"
LOADING_TEXT = "Загрузка реестра школ…"
# Below this size a keystroke filters at once; above it, typing is debounced.
INSTANT_FILTER_LIMIT = 3000
SEARCH_DEBOUNCE_MS = 120
# Above this size a full reload runs on a worker instead of the UI thread.
ASYNC_RELOAD_LIMIT = 5000
# An edit touching more schools than this reloads everything instead of school by school.
INCREMENTAL_LIMIT = 200

ANY_CATEGORY = "any"
# Starting widths for a large registry; a small one fits its columns to the content.
_COLUMN_WIDTHS = {
    Column.NAME: 280,
    Column.KIND: 70,
    Column.LOCALITY: 140,
    Column.SETTLEMENT: 140,
    Column.DIRECTOR: 180,
    Column.STUDENTS: 100,
    Column.CATEGORIES: 220,
    Column.PARENT: 160,
    Column.INN: 110,
}
_MAX_FITTED_WIDTH = {Column.NAME: 380, Column.DIRECTOR: 240, Column.CATEGORIES: 280, Column.PARENT: 260}


def load_registry(database: Database, year: int) -> Job[RegistryIndex]:
    """The whole registry with `year`'s categories, folded for search (a job: runs on a worker)."""
    from app.registry import RegistryIndex

    yield Progress(0, 0, "Загрузка реестра школ…")
    schools = SchoolService(database).list_schools(year=year)
    yield Progress(
        0, 0, f"Подготовка поиска по {len(schools)} {plural(len(schools), 'школе', 'школам', 'школам')}…"
    )
    return RegistryIndex.build(schools)


def counts_text(shown: int, total: int, archived: int, show_archived: bool) -> str:
    """«Показано 9 из 9 школ»; «Показано 1 из 21 школы»; the hidden archive is mentioned."""
    if show_archived:
        total += archived
    text = f"Показано {shown} из {total} {plural(total, 'школы', 'школ', 'школ')}"
    if archived and not show_archived:
        text += f"; в архиве — {archived}"
    return text


class RegistryView(QWidget):
    counts_changed = Signal(str)
    current_changed = Signal()  # the current school changed: the main window updates its actions
    loading_changed = Signal(bool)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        load: bool = True,
    ) -> None:
        """`load=False` leaves the table without its model and rows until `load_now()`: the
        start-up loads them right after the window's first paint, so that the window appears
        sooner (and without PySide6's `Qt` namespace, which the model's header needs)."""
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs
        self.schools = SchoolService(database)
        self.office = OfficeService(database)
        self._model: RegistryTableModel | None = None
        self._context_actions: list[QAction] = []
        self._loaded = False
        self._model_attached = False
        self._loading = False
        self._reload_again = False
        self._current_id: int | None = None
        self._loading_year = 0

        self._build_filters()
        self._build_table()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(self._filters)
        layout.addWidget(self.table)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filter_now)

        self._fill_years()
        if load:
            self.load_now()
        history.changed.connect(self._on_data_changed)

    @property
    def model(self) -> RegistryTableModel:
        """The table model, made when first needed: at start-up right after the first paint, so
        that neither it nor `app.registry` is imported before."""
        if self._model is None:
            from ui.registry.model import RegistryTableModel

            self._model = RegistryTableModel(self)
        return self._model

    # --- building ------------------------------------------------------------------------------------
    def _build_filters(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setMinimumWidth(280)
        self.search_edit.setToolTip("Поиск без учёта регистра, «ё» и «е» не различаются (Ctrl+F)")
        self.search_edit.textChanged.connect(self._on_search_changed)

        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Все типы", None)
        for kind in SchoolKind:
            self.kind_combo.addItem(kind.label or "Тип не указан", kind.value)
        self.kind_combo.setToolTip("Тип ОО")

        self.locality_combo = QComboBox()
        self.locality_combo.addItem("Городские и сельские", None)
        self.locality_combo.addItem("Городские", Locality.URBAN.value)
        self.locality_combo.addItem("Сельские", Locality.RURAL.value)
        self.locality_combo.addItem("Местность не указана", Locality.NONE.value)
        self.locality_combo.setToolTip("Городская/сельская")

        self.year_combo = QComboBox()
        self.year_combo.setToolTip("Учебный год, за который показаны категории")

        self.category_combo = QComboBox()
        self.category_combo.addItem("Все школы", None)
        for category in Category:
            self.category_combo.addItem(category.label, category.value)
            self.category_combo.setItemData(
                self.category_combo.count() - 1, category.description, TOOLTIP_ROLE
            )
        self.category_combo.addItem("Любая категория", ANY_CATEGORY)
        self.category_combo.setToolTip("Категория за выбранный учебный год")

        self.archive_check = QCheckBox("Показывать архив")

        for combo in (self.kind_combo, self.locality_combo, self.category_combo):
            # As wide as the longest item when there is room, narrower (elided) when there is not:
            # the window must still fit a 1024-pixel screen.
            combo.setMinimumWidth(90)
        for combo in (self.kind_combo, self.locality_combo, self.category_combo):
            combo.currentIndexChanged.connect(self.apply_filter_now)
        self.archive_check.toggled.connect(self.apply_filter_now)
        self.year_combo.currentIndexChanged.connect(self._on_year_chosen)

        # Two rows: the search box gets the width it needs even on a 1366-pixel screen.
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.archive_check)
        combos_row = QHBoxLayout()
        for label, combo in (
            ("Тип ОО:", self.kind_combo),
            ("Местность:", self.locality_combo),
            ("Учебный год:", self.year_combo),
            ("Категория:", self.category_combo),
        ):
            caption = QLabel(label)
            caption.setBuddy(combo)
            combos_row.addWidget(caption)
            combos_row.addWidget(combo)
            combos_row.addSpacing(6)
        combos_row.addStretch(1)
        self._filters = QVBoxLayout()
        self._filters.setSpacing(6)
        self._filters.addLayout(search_row)
        self._filters.addLayout(combos_row)

    def _build_table(self) -> None:
        """The table without its model: `_finish_building` gives it (with `load_now`)."""
        table = QTableView(self)
        # A viewport made here rather than by Qt: PySide6 knows its Python type, whereas wrapping
        # the one Qt makes (`viewport()`, for a context menu or a test) makes it look through all
        # the widget classes the first time (~8 ms).
        table.setViewport(QWidget())
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        # Fixed row heights and no row header: the view never measures 40,000 rows.
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        table.activated.connect(self._on_activated)
        self.table = table

    def _finish_building(self) -> None:
        """What the first paint does without: the table's model, column widths, sort order and
        context menu, and the search box's clear button (shown only once there is text).

        Kept out of the first paint at start-up: a header painted from the Python model is given
        `Qt.Orientation` values, and the first of them makes PySide6 build the Python enums of the
        whole `Qt` namespace (~13 ms); the clear button loads its icon (~1 ms).
        """
        from PySide6.QtCore import Qt

        self._model_attached = True
        self.search_edit.setClearButtonEnabled(True)
        table = self.table
        table.setModel(self.model)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        table.setSortingEnabled(True)
        table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._show_context_menu)
        table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        # After setModel: the view's own reset (which clears the current row) runs first.
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.modelReset.connect(self._restore_current)

    def fit_columns(self) -> None:
        """Fit the columns to their title and the rows on screen (sampled, not all 40,000)."""
        from PySide6.QtCore import Qt

        header = self.table.horizontalHeader()
        # Qt measures up to 1,000 rows by default: 9,000 Python calls, 0.2 s at start-up. The
        # first rows tell the widths as well.
        header.setResizeContentsPrecision(20)
        metrics = header.fontMetrics()
        for column in Column:
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            # The title's own width, not sectionSizeHint: that reserves room for the sort arrow in
            # every column and makes the table wider than a 1366-pixel screen.
            width = max(self.table.sizeHintForColumn(column), metrics.horizontalAdvance(title) + 20)
            header.resizeSection(column, min(width, _MAX_FITTED_WIDTH.get(column, 200)))

    def set_context_actions(self, actions: Iterable[QAction]) -> None:
        self._context_actions = list(actions)

    def _show_context_menu(self, position: QPoint) -> None:
        if not self._context_actions:
            return
        from PySide6.QtCore import Qt

        menu = QMenu(self)
        for action in self._context_actions:
            if action.isSeparator():
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(position))

    # --- years ---------------------------------------------------------------------------------------
    @property
    def year(self) -> int:
        value = self.year_combo.currentData()
        return int(value) if value is not None else current_academic_year()

    def _fill_years(self) -> None:
        stored = self.office.setting("current_year")
        wanted = int(stored) if stored.isdigit() else current_academic_year()
        if self.year_combo.count():
            wanted = self.year
        years = self.office.years()
        if wanted not in years:
            years = sorted({*years, wanted}, reverse=True)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(academic_year_label(year), year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(wanted))
        self.year_combo.blockSignals(False)

    def _on_year_chosen(self, _index: int) -> None:
        self.office.set_setting("current_year", str(self.year))
        self.reload()

    # --- loading -------------------------------------------------------------------------------------
    def load_now(self) -> None:
        """Load the whole registry on this thread (at start-up: right after the first paint)."""
        if not self._model_attached:
            self._finish_building()
        year = self.year
        index = run_job(load_registry(self.database, year))
        self._loaded = True
        self.model.set_registry(index, year)
        self._after_rows_changed()

    def is_loaded(self) -> bool:
        """Whether the registry has been read at least once (False only at start-up)."""
        return self._loaded

    def reload(self) -> None:
        """Load everything again: at once when small, on a worker when large."""
        if self._loading:
            self._reload_again = True
            return
        if len(self.model.registry.schools) <= ASYNC_RELOAD_LIMIT:
            self.load_now()
            return
        self._set_loading(True)
        year = self.year
        worker = self.jobs.start(
            partial(load_registry, self.database, year), title="Реестр школ", progress_parent=self
        )
        self._loading_year = year
        worker.finished.connect(self._on_loaded)
        worker.failed.connect(self._on_load_failed)
        worker.cancelled.connect(self._on_load_cancelled)

    def _on_loaded(self, index: object) -> None:
        from app.registry import RegistryIndex

        year = self._loading_year
        self._set_loading(False)
        if isinstance(index, RegistryIndex) and year == self.year:
            self.model.set_registry(index, year)
            self._after_rows_changed()
        if self._reload_again or year != self.year:
            self._reload_again = False
            self.reload()

    def _on_load_failed(self, exc: object) -> None:
        self._set_loading(False)
        if isinstance(exc, BaseException):
            report_failure(self, exc, "Реестр школ не загружен")

    def _on_load_cancelled(self) -> None:
        self._set_loading(False)
        self._reload_again = False

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        emit(self.loading_changed, loading)

    def is_loading(self) -> bool:
        return self._loading

    def _on_data_changed(self, changeset: ChangeSet) -> None:
        """Refresh the schools a change touched (or everything, for a big change)."""
        touched: set[int] = set()
        categories_changed = False
        for change in changeset.changes:
            if change.table == "schools":
                touched.add(change.row_id)
            elif change.table == "school_categories":
                categories_changed = True
                for row in (change.before, change.after):
                    if row is not None:
                        touched.add(int(row["school_id"]))
        if categories_changed:
            self._fill_years()
        if not touched or not self._loaded:
            return  # nothing shown yet: the pending first load reads everything
        if len(touched) > INCREMENTAL_LIMIT or self._loading:
            self.reload()
            return
        # Branches show their head's name: refresh them too when a head changed.
        touched.update(s.id for s in self.model.registry.schools if s.parent_id in touched)
        year = self.year
        updated: list[School] = []
        removed: list[int] = []
        for school_id in touched:
            try:
                school = self.schools.get(school_id)
            except AppError:  # gone: an addition was undone
                removed.append(school_id)
                continue
            this_year = tuple(c for c in school.categories if c.academic_year == year)
            updated.append(replace(school, categories=this_year))
        self.model.set_registry(self.model.registry.with_changes(updated, removed), year)
        self._after_rows_changed()

    # --- filtering -----------------------------------------------------------------------------------
    def query(self) -> RegistryQuery:
        from app.registry import RegistryQuery

        kind = self.kind_combo.currentData()
        locality = self.locality_combo.currentData()
        category = self.category_combo.currentData()
        return RegistryQuery(
            text=self.search_edit.text(),
            kind=SchoolKind(kind) if kind is not None else None,
            locality=Locality(locality) if locality is not None else None,
            category=Category(category) if category not in (None, ANY_CATEGORY) else None,
            any_category=category == ANY_CATEGORY,
            show_archived=self.archive_check.isChecked(),
        )

    def _on_search_changed(self, _text: str) -> None:
        if len(self.model.registry.schools) <= INSTANT_FILTER_LIMIT:
            self.apply_filter_now()
        else:
            self._search_timer.start()

    def apply_filter_now(self, *_args: object) -> None:
        """Select the rows for the filters as they are now, synchronously (the benchmark times this)."""
        self._search_timer.stop()
        self.model.set_query(self.query())
        self._after_rows_changed()

    def _after_rows_changed(self) -> None:
        emit(self.counts_changed, self.counts_text())
        emit(self.current_changed)

    def counts_text(self) -> str:
        if not self._loaded:
            return LOADING_TEXT
        return counts_text(
            self.model.rowCount(),
            self.model.total_count(),
            self.model.archived_count(),
            self.archive_check.isChecked(),
        )

    def focus_search(self) -> None:
        from PySide6.QtCore import Qt

        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # --- the current school --------------------------------------------------------------------------
    def current_school(self) -> School | None:
        index = self.table.currentIndex()
        return self.model.school_at(index.row()) if index.isValid() else None

    def select_school(self, school_id: int) -> bool:
        row = self.model.row_of(school_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def _remember_current(self) -> None:
        school = self.current_school()
        self._current_id = school.id if school else None

    def _restore_current(self) -> None:
        if self._current_id is not None and not self.select_school(self._current_id):
            self.table.clearSelection()
        self._current_id = None

    def _on_current_row_changed(self, *_args: object) -> None:
        emit(self.current_changed)

    def _on_activated(self, _index: QModelIndex) -> None:
        self.open_current()

    # --- commands ------------------------------------------------------------------------------------
    def head_schools(self) -> list[tuple[int, str]]:
        """Schools a branch can belong to: active, not branches themselves."""
        heads = [s for s in self.model.registry.schools if s.parent_id is None and s.archived_at is None]
        heads.sort(key=lambda s: s.display_name.casefold())
        return [(s.id, s.display_name) for s in heads]

    def add_school(self) -> SchoolCardDialog:
        return self._open_card(None)

    def open_current(self) -> SchoolCardDialog | None:
        school = self.current_school()
        return self._open_card(school.id) if school else None

    def open_categories(self) -> SchoolCardDialog | None:
        dialog = self.open_current()
        if dialog is not None:
            dialog.show_categories()
        return dialog

    def _open_card(self, school_id: int | None) -> SchoolCardDialog:
        from ui.registry.school_card import SchoolCardDialog

        dialog = SchoolCardDialog(
            self.database,
            self.history,
            school_id=school_id,
            head_schools=self.head_schools(),
            year=self.year,
            parent=self,
        )
        dialog.saved.connect(self._on_card_saved)
        dialog.open()
        return dialog

    def _on_card_saved(self, school_id: int) -> None:
        if not self.select_school(school_id):
            emit(self.counts_changed, self.counts_text() + " · сохранённая школа скрыта фильтром")

    def archive_current(self) -> ArchiveDialog | None:
        school = self.current_school()
        if school is None or school.is_archived:
            return None
        from ui.registry.archive_dialog import ArchiveDialog

        dialog = ArchiveDialog(self.database, self.history, school.id, parent=self)
        dialog.open()
        return dialog

    def restore_current(self) -> None:
        school = self.current_school()
        if school is None or not school.is_archived:
            return
        try:
            changeset = self.schools.restore(school.id)
        except (AppError, DatabaseError) as exc:
            from ui.messages import show_error

            show_error(self, exc.message, "Школа не возвращена из архива")
            return
        self.history.record(changeset)
        self.select_school(school.id)
