"""Loading assessment results: the files are read on a worker, the preview shows what will be loaded,
the problems (file, row, column), the schools not in the registry and the doubtful matches to
confirm; «Загрузить» writes everything in one undo step."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.jobs import Progress
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from ui.messages import remembered_folder, status_message
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, report_failure

Index = QModelIndex | QPersistentModelIndex
IMPORT_FOLDER_KEY = "identification/import-folder"
FILE_FILTER = "Книги Excel (*.xlsx *.xlsm *.xls);;Все файлы (*)"
SKIP = "— не загружать —"


def _read_job(database: Database, paths: list[Path], year: int | None) -> Iterator[Progress]:
    from app.results.importer import preview_results_import

    yield Progress(0, 0, f"Чтение {len(paths)} {plural(len(paths), 'файла', 'файлов', 'файлов')}…")
    return preview_results_import(database, paths, year=year)


def _apply_job(database: Database, preview: Any) -> Iterator[Progress]:
    from app.results.importer import apply_results_import

    yield Progress(0, 0, "Запись результатов…")
    return apply_results_import(database, preview)


FITTED_ROWS = 1000  # up to this many remarks, each row is as tall as its wrapped text


class IssuesModel(QAbstractTableModel):
    """The problems found in the files: file, row, column, message."""

    HEADERS = ("Файл", "Строка", "Столбец", "Замечание")

    def __init__(self, issues: list[Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.issues = list(issues)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.issues)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        issue = self.issues[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return issue.file_name
            if column == 1:
                return "" if issue.row is None else str(issue.row)
            if column == 2:
                title = f" «{issue.column_title}»" if issue.column_title else ""
                return f"{issue.column}{title}"
            severity = getattr(issue, "severity", None)
            label = getattr(severity, "label", "")
            return f"{label}: {issue.message}" if label else issue.message
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return QColor("#b71c1c") if getattr(issue.severity, "value", "") == "error" else QColor("#8d5a00")
        return None


class ResultsImportDialog(QDialog):
    """The preview of a results import; the doubtful schools are confirmed in their combo boxes."""

    apply_requested = Signal()

    def __init__(self, preview: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("Загрузка результатов")
        self.resize(980, 640)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        # Doubtful matches: the name as the report writes it, where, and the school to use.
        self.combos: dict[str, QComboBox] = {}
        doubtful = QWidget()
        grid = QGridLayout(doubtful)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel("<b>Как в отчёте</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Школа в реестре</b>"), 0, 1)
        for row, match in enumerate(preview.doubtful, start=1):
            where = ", ".join(match.places[:3]) + (" …" if len(match.places) > 3 else "")
            label = QLabel(f"«{match.text}»\n{where}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            combo = QComboBox()
            combo.addItem(SKIP, None)
            for school_id, name, score in match.candidates:
                combo.addItem(f"{name}  ({round(score * 100)} %)", school_id)
            combo.setStyleSheet("QComboBox { background: #fff4cc; }")
            combo.setToolTip("Совпадение названий сомнительное: выберите школу или оставьте «не загружать»")
            if match.confirmed_id is not None:
                combo.setCurrentIndex(max(combo.findData(match.confirmed_id), 0))
            combo.currentIndexChanged.connect(partial(self._on_choice, match.text, combo))
            self.combos[match.text] = combo
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
        grid.setRowStretch(len(preview.doubtful) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(doubtful)
        doubtful_page = QWidget()
        doubtful_layout = QVBoxLayout(doubtful_page)
        doubtful_layout.setContentsMargins(4, 4, 4, 4)
        self.confirm_all_button = QPushButton("Подтвердить все предложенные")
        self.confirm_all_button.setToolTip(
            "Взять для каждого названия школу, которую программа считает вероятной"
        )
        self.confirm_all_button.clicked.connect(self.confirm_all)
        doubtful_layout.addWidget(
            QLabel(
                "Эти названия совпали с реестром не точно. Строки загружаются только для подтверждённых школ."
            )
        )
        doubtful_layout.addWidget(scroll, 1)
        doubtful_layout.addWidget(self.confirm_all_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.issues_model = IssuesModel(preview.issues(), self)
        self.issues_view = QTableView()
        self.issues_view.setModel(self.issues_model)
        self.issues_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.issues_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issues_view.setWordWrap(True)
        self.issues_view.verticalHeader().hide()
        header = self.issues_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 260)
        header.resizeSection(1, 60)
        header.resizeSection(2, 120)
        header.setStretchLastSection(True)
        if self.issues_model.rowCount() <= FITTED_ROWS:
            # Every remark read whole, wrapped in its row (the full text is in the tooltip as well);
            # Qt measures every row for this, so a very long list keeps one line per remark.
            self.issues_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        not_found = "\n".join(f"{name} — {place}" for name, place in preview.not_found)
        self.not_found_text = QPlainTextEdit(not_found or "Все школы отчётов найдены в реестре.")
        self.not_found_text.setReadOnly(True)

        count_doubtful = len(preview.doubtful)
        self.tabs.addTab(doubtful_page, f"Требуют подтверждения ({count_doubtful})")
        self.tabs.addTab(self.issues_view, f"Замечания ({self.issues_model.rowCount()})")
        self.tabs.addTab(self.not_found_text, f"Не найдены в реестре ({len(preview.not_found)})")
        if not count_doubtful:
            self.tabs.setCurrentIndex(1 if self.issues_model.rowCount() else 0)
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox()
        self.load_button = QPushButton("Загрузить")
        self.load_button.setDefault(True)
        buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.clicked.connect(self.reject)
        self.load_button.clicked.connect(self._on_load)
        layout.addWidget(buttons)
        self._update()

    def _on_choice(self, text: str, combo: QComboBox, _index: int) -> None:
        value = combo.currentData()
        if value is None:
            for match in self.preview.doubtful:
                if match.text == text:
                    match.confirmed_id = None
        else:
            self.preview.confirm(text, int(value))
        self._update()

    def confirm(self, text: str, school_id: int | None = None) -> None:
        """Choose the school for a doubtful name (None: the program's best guess)."""
        combo = self.combos[text]
        match = next(m for m in self.preview.doubtful if m.text == text)
        combo.setCurrentIndex(max(combo.findData(school_id if school_id is not None else match.school_id), 0))

    def confirm_all(self) -> None:
        for match in self.preview.doubtful:
            self.confirm(match.text)

    def _update(self) -> None:
        self.summary.setText(self.preview.summary())
        count = len(self.preview.results()) + len(self.preview.context())
        self.load_button.setEnabled(count > 0)
        self.load_button.setText(
            f"Загрузить {count} {plural(count, 'строку', 'строки', 'строк')}" if count else "Загрузить"
        )

    def _on_load(self) -> None:
        emit(self.apply_requested)


class ResultsImportFlow(QObject):
    """From the chosen files to the undo step; deletes itself when done."""

    imported = Signal(object)  # ChangeSet
    preview_shown = Signal(object)  # the ResultsImportDialog, once open

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        jobs: JobRunner,
        parent: QWidget,
        *,
        year: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs
        self.parent_widget = parent
        self.year = year
        self.dialog: ResultsImportDialog | None = None

    def start(self, paths: list[Path] | None = None) -> bool:
        if paths is None:
            names, _ = QFileDialog.getOpenFileNames(
                self.parent_widget,
                "Загрузка результатов ФИС ОКО, ОГЭ и ЕГЭ",
                remembered_folder(IMPORT_FOLDER_KEY),
                FILE_FILTER,
            )
            if not names:
                self.deleteLater()
                return False
            paths = [Path(n) for n in names]
        paths = [Path(p) for p in paths]
        QSettings().setValue(IMPORT_FOLDER_KEY, str(paths[0].parent))
        worker = self.jobs.start(
            partial(_read_job, self.database, paths, self.year),
            title="Загрузка результатов",
            label="Чтение отчётов…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_read)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self.deleteLater)
        return True

    def _on_read(self, preview: object) -> None:
        dialog = ResultsImportDialog(preview, self.parent_widget)
        dialog.apply_requested.connect(self._apply)
        dialog.finished.connect(self._on_closed)
        self.dialog = dialog
        dialog.open()
        emit(self.preview_shown, dialog)

    def _apply(self) -> None:
        assert self.dialog is not None
        self.dialog.load_button.setEnabled(False)
        worker = self.jobs.start(
            partial(_apply_job, self.database, self.dialog.preview),
            title="Загрузка результатов",
            label="Запись результатов…",
            progress_parent=self.dialog,
        )
        worker.finished.connect(self._on_applied)
        worker.failed.connect(self._on_failed)

    def _on_applied(self, changeset: object) -> None:
        assert isinstance(changeset, ChangeSet)
        self.history.record(changeset)
        status_message(self.parent_widget, f"{changeset.description}. Отменить — Ctrl+Z.")
        emit(self.imported, changeset)
        if self.dialog is not None:
            self.dialog.accept()

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.dialog or self.parent_widget, exc, "Результаты не загружены")
        if self.dialog is None:
            self.deleteLater()
        else:
            self.dialog._update()

    def _on_closed(self, _result: int) -> None:
        self.dialog = None
        self.deleteLater()
