"""«Журнал изменений»: who changed what and when, filtered by period, user and text, exported to Excel.

Opened from «Правка» → «Журнал изменений…» as a non-modal window (show(), never exec()). The lines
come from `app.audit.AuditService` a page at a time on the window's `JobRunner`: the first page
and the count when the filters change, the next page when the table is scrolled to its end
(`canFetchMore`/`fetchMore`), so a long log never freezes the window. The details of the selected
line (each row's fields «было → стало») show below the table. The table refreshes itself after
every change made in this window while it is open.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.audit import PAGE, AuditFilters, AuditLine, AuditService, export_audit
from app.jobs import Job, Progress
from app.text import plural
from db.connection import Database
from ui.messages import remembered_folder, show_file_saved
from ui.signals import emit
from ui.workers import JobRunner, Worker, report_failure

Index = QModelIndex | QPersistentModelIndex
FOLDER_KEY = "audit/export_folder"
SEARCH_DELAY_MS = 300
XLSX_FILTER = "Книги Excel (*.xlsx)"

WHEN, USER, COMPUTER, ACTION, TABLES = range(5)
HEADERS = ("Когда", "Пользователь", "Компьютер", "Действие", "Что изменено")
ALL_USERS = "Все пользователи"


class Period:
    """The period presets of the filter; CUSTOM enables the two date fields."""

    ALL, TODAY, WEEK, MONTH, CUSTOM = range(5)
    TITLES = ("За всё время", "Сегодня", "За 7 дней", "За 30 дней", "Период…")


def _load_job(service: AuditService, filters: AuditFilters, offset: int, first: bool) -> Job[dict[str, Any]]:
    """One page of lines; with the first page also the count and the users (for the filter)."""
    yield Progress(0, 0, "Чтение журнала изменений…")
    result: dict[str, Any] = {"lines": service.lines(filters, limit=PAGE, offset=offset)}
    if first:
        result["total"] = service.count(filters)
        result["users"] = service.users()
    return result


class AuditModel(QAbstractTableModel):
    """The lines loaded so far, newest first; asks for the next page when the view reaches the end."""

    fetch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[AuditLine] = []
        self.total = 0
        self.loading = False

    def reset_lines(self, lines: list[AuditLine], total: int) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.total = max(total, len(lines))
        self.loading = False
        self.endResetModel()

    def append_lines(self, lines: list[AuditLine]) -> None:
        self.loading = False
        if not lines:
            self.total = len(self.lines)  # the log shrank meanwhile (never by the program): stop asking
            return
        start = len(self.lines)
        self.beginInsertRows(QModelIndex(), start, start + len(lines) - 1)
        self.lines.extend(lines)
        self.endInsertRows()

    def line(self, row: int) -> AuditLine | None:
        return self.lines[row] if 0 <= row < len(self.lines) else None

    # --- Qt ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == WHEN:
                return line.at_text
            if column == USER:
                return line.os_user
            if column == COMPUTER:
                return line.computer
            if column == ACTION:
                return line.action
            if column == TABLES:
                return line.tables
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (ACTION, TABLES):
            return line.action if index.column() == ACTION else line.tables
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.loading and len(self.lines) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self.loading = True
            emit(self.fetch_requested)


def details_text(line: AuditLine) -> str:
    head = f"{line.at_text} — {line.os_user}" + (f" (компьютер {line.computer})" if line.computer else "")
    parts = [head, line.action]
    if line.tables:
        parts.append(f"Что изменено: {line.tables}")
    if line.details:
        parts.extend(["", line.details])
    return "\n".join(parts)


class AuditDialog(QDialog):
    """The audit log's window; `loaded` after each page arrives, `exported(path)` after an export."""

    loaded = Signal()
    exported = Signal(object)  # Path

    def __init__(
        self, database: Database, jobs: JobRunner, parent: QWidget | None = None, *, history: Any = None
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self.service = AuditService(database)
        self._generation = 0
        self._worker: Worker | None = None
        self._file_dialog: QFileDialog | None = None
        self.export_path: Path | None = None
        self.setWindowTitle("Журнал изменений")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1100, 680)

        self.period_combo = QComboBox()
        self.period_combo.addItems(list(Period.TITLES))
        today = QDate.currentDate()
        self.since_edit = self._date_edit(today.addDays(-30))
        self.until_edit = self._date_edit(today)
        self.user_combo = QComboBox()
        self.user_combo.addItem(ALL_USERS, "")
        self.user_combo.setMinimumWidth(170)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Поиск: школа, действие, поле, значение…")
        self.search_edit.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Период:"))
        filters.addWidget(self.period_combo)
        filters.addWidget(QLabel("с"))
        filters.addWidget(self.since_edit)
        filters.addWidget(QLabel("по"))
        filters.addWidget(self.until_edit)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Пользователь:"))
        filters.addWidget(self.user_combo)
        filters.addSpacing(12)
        filters.addWidget(self.search_edit, 1)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column, width in ((WHEN, 140), (USER, 120), (COMPUTER, 120), (ACTION, 380)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(TABLES, QHeaderView.ResizeMode.Stretch)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Выберите строку журнала, чтобы увидеть, какие поля изменились.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        self.status_label = QLabel()
        self.export_button = QPushButton("Выгрузить в Excel…")
        self.export_button.setToolTip("Записать показанные строки (с учётом отбора) в книгу Excel")
        self.refresh_button = QPushButton("Обновить")
        self.close_button = QPushButton("Закрыть")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(SEARCH_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)

        self.period_combo.currentIndexChanged.connect(self._on_period_changed)
        self.since_edit.dateChanged.connect(self._on_filters_changed)
        self.until_edit.dateChanged.connect(self._on_filters_changed)
        self.user_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._on_search_changed)
        self.model.fetch_requested.connect(self._fetch_next)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self.model.modelReset.connect(self._show_current)
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.choose_export_file)
        self.close_button.clicked.connect(self.close)
        if history is not None:
            history.changed.connect(self._on_data_changed)
        self._on_period_changed(Period.ALL)

    @staticmethod
    def _date_edit(value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd.MM.yyyy")
        return edit

    # --- filters ----------------------------------------------------------------------------------
    def filters(self) -> AuditFilters:
        preset = self.period_combo.currentIndex()
        today = date.today()
        since: date | None = None
        until: date | None = None
        if preset == Period.TODAY:
            since = until = today
        elif preset == Period.WEEK:
            since, until = today - timedelta(days=6), today
        elif preset == Period.MONTH:
            since, until = today - timedelta(days=29), today
        elif preset == Period.CUSTOM:
            since, until = self.since_edit.date().toPython(), self.until_edit.date().toPython()
            if since > until:
                since, until = until, since
        user = self.user_combo.currentData()
        return AuditFilters(since, until, user if isinstance(user, str) else "", self.search_edit.text())

    def set_period(self, since: date, until: date) -> None:
        """Choose «Период…» with these days (for a caller that knows the dates)."""
        for edit in (self.since_edit, self.until_edit):
            edit.blockSignals(True)
        self.since_edit.setDate(QDate(since.year, since.month, since.day))
        self.until_edit.setDate(QDate(until.year, until.month, until.day))
        for edit in (self.since_edit, self.until_edit):
            edit.blockSignals(False)
        if self.period_combo.currentIndex() != Period.CUSTOM:
            self.period_combo.setCurrentIndex(Period.CUSTOM)
        else:
            self.reload()

    def set_user(self, user: str) -> None:
        index = self.user_combo.findData(user)
        if index < 0:
            self.user_combo.addItem(user, user)
            index = self.user_combo.count() - 1
        self.user_combo.setCurrentIndex(index)

    def _on_period_changed(self, preset: int) -> None:
        custom = preset == Period.CUSTOM
        self.since_edit.setEnabled(custom)
        self.until_edit.setEnabled(custom)
        self._on_filters_changed()

    def _on_filters_changed(self, *_args: object) -> None:
        if self.isVisible():
            self.reload()

    def _on_search_changed(self, _text: str) -> None:
        if self.isVisible():
            self._reload_timer.start()

    def _on_data_changed(self, _changeset: object) -> None:
        # Refreshed only while open; opening it again reloads anyway.
        if self.isVisible():
            self._reload_timer.start()

    # --- loading ---------------------------------------------------------------------------------
    def show_and_reload(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.reload()

    def reload(self) -> None:
        """Read the first page and the count for the current filters (off the event loop)."""
        self._reload_timer.stop()
        self.status_label.setText("Чтение журнала…")
        self._start(0)

    def _fetch_next(self) -> None:
        self._start(len(self.model.lines))

    def _start(self, offset: int) -> None:
        if offset == 0:
            self._generation += 1
            if self._worker is not None and self._worker.running:
                self._worker.cancel()  # its result would be ignored anyway
        generation = self._generation
        worker = self.jobs.start(
            partial(_load_job, self.service, self.filters(), offset, offset == 0),
            title="Журнал изменений",
            show_progress=False,
        )
        worker.finished.connect(partial(self._on_loaded, generation, offset))
        worker.failed.connect(partial(self._on_failed, generation))
        self._worker = worker

    def _on_loaded(self, generation: int, offset: int, result: object) -> None:
        if generation != self._generation or not isinstance(result, dict):
            return
        lines: list[AuditLine] = result["lines"]
        if offset == 0:
            self._set_users(result.get("users", []))
            self.model.reset_lines(lines, int(result.get("total", len(lines))))
            if lines:
                self.table.selectRow(0)
        else:
            self.model.append_lines(lines)
        self._update_status()
        emit(self.loaded)

    def _on_failed(self, generation: int, exc: object) -> None:
        self.model.loading = False
        if generation != self._generation or not isinstance(exc, BaseException):
            return
        self.status_label.setText("Журнал не прочитан.")
        report_failure(self, exc, "Журнал изменений не прочитан")

    def _set_users(self, users: list[str]) -> None:
        chosen = self.user_combo.currentData()
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        self.user_combo.addItem(ALL_USERS, "")
        for user in users:
            self.user_combo.addItem(user, user)
        if isinstance(chosen, str) and chosen and chosen not in users:
            self.user_combo.addItem(chosen, chosen)  # kept: the filter stays what was chosen
        index = self.user_combo.findData(chosen if isinstance(chosen, str) else "")
        self.user_combo.setCurrentIndex(max(index, 0))
        self.user_combo.blockSignals(False)

    def _update_status(self) -> None:
        shown, total = len(self.model.lines), self.model.total
        if total == 0:
            text = (
                "Записей нет." if self.filters() == AuditFilters() else "Нет записей, подходящих под отбор."
            )
        elif shown < total:
            text = f"Показано {shown} из {total} {plural(total, 'записи', 'записей', 'записей')} (прокрутите вниз, чтобы увидеть ещё)."
        else:
            text = f"{total} {plural(total, 'запись', 'записи', 'записей')}."
        self.status_label.setText(text)

    def _show_current(self) -> None:
        self._show_details(self.table.currentIndex())

    def _show_details(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        line = self.model.line(current.row()) if current.isValid() else None
        self.details.setPlainText(details_text(line) if line is not None else "")

    # --- export ----------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        if self._file_dialog is None:
            dialog = QFileDialog(self, "Выгрузка журнала изменений в Excel")
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setNameFilter(XLSX_FILTER)
            dialog.setDefaultSuffix("xlsx")
            dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
            self._file_dialog = dialog
        self._file_dialog.setDirectory(remembered_folder(FOLDER_KEY))
        self._file_dialog.selectFile(f"Журнал изменений {date.today():%d.%m.%Y}.xlsx")
        self._file_dialog.open()

    def export_to(self, path: Path) -> None:
        """Write the lines the filters select to `path` (.xlsx) on a worker, then say where."""
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        QSettings().setValue(FOLDER_KEY, str(path.parent))
        self.export_path = path
        worker = self.jobs.start(
            partial(export_audit, self.database, path, self.filters()),
            title="Выгрузка журнала изменений",
            label=f"Выгрузка журнала изменений в «{path.name}»…",
            progress_parent=self,
        )
        self.export_button.setEnabled(False)
        worker.finished.connect(partial(self._on_exported, path))
        worker.failed.connect(self._on_export_failed)
        worker.cancelled.connect(self._on_export_cancelled)

    def _on_exported(self, path: Path, count: object) -> None:
        self.export_button.setEnabled(True)
        number = count if isinstance(count, int) else 0
        show_file_saved(
            self,
            "Выгрузка журнала изменений",
            f"Журнал изменений выгружен: {number} {plural(number, 'запись', 'записи', 'записей')}.\n"
            f"Файл «{path}».",
            path,
        )
        emit(self.exported, path)

    def _on_export_failed(self, exc: object) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, BaseException):
            report_failure(self, exc, "Журнал изменений не выгружен")

    def _on_export_cancelled(self) -> None:
        self.export_button.setEnabled(True)
        self.status_label.setText("Выгрузка отменена, файл не создан.")
