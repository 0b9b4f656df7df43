"""«Резервные копии»: the copies of the open database, a new one now, restore, save to a file.

Opened from «Файл» → «Резервные копии…» with `open()` (never exec()). Making and saving a copy run
on the window's `JobRunner` with a busy indicator in the dialog; restoring is the application
controller's work: the dialog asks for confirmation and emits `restore_requested`, the main window
passes it on as `restore_backup_requested`, and the controller closes the database, restores and
reopens it (ui/application.py).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.backups import (
    KEEP_MAX,
    KEEP_MIN,
    BackupInfo,
    BackupResult,
    backup_folder,
    export_backup,
    format_size,
    keep_count,
    list_backups,
    make_backup,
    set_keep_count,
)
from app.errors import AppError, os_reason
from app.jobs import Job, Progress
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import remembered_folder, show_error, show_file_saved
from ui.signals import emit
from ui.startup import DATABASE_FILTER
from ui.workers import JobRunner, report_failure

if TYPE_CHECKING:
    from ui.main_window import MainWindow

FOLDER_KEY = "backups/export_folder"
_Index = QModelIndex | QPersistentModelIndex


class Column:
    DATE, KIND, SIZE, VERIFIED = range(4)


_HEADERS = ["Дата", "Вид", "Размер", "Проверена"]


class BackupsModel(QAbstractTableModel):
    """The copies, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BackupInfo] = []

    def set_rows(self, rows: list[BackupInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.DATE:
                return info.created.strftime("%d.%m.%Y %H:%M:%S")
            if column == Column.KIND:
                return info.kind_label
            if column == Column.SIZE:
                return format_size(info.size)
            return "да" if info.verified else "нет"
        if role == Qt.ItemDataRole.ToolTipRole:
            version = f", версия схемы {info.schema_version}" if info.schema_version is not None else ""
            return f"{info.path}{version}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def info(self, row: int) -> BackupInfo | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


def _manual_job(path: Path) -> Job[BackupResult]:
    yield Progress(0, 0, "Создание резервной копии…")
    return make_backup(path, "manual")


def _export_job(path: Path, target: Path) -> Job[Path]:
    yield Progress(0, 0, f"Запись копии в файл «{target.name}»…")
    # The file dialog has already asked whether to replace an existing file.
    return export_backup(path, target, overwrite=True)


class BackupsDialog(QDialog):
    restore_requested = Signal(Path)  # the copy the user confirmed

    def __init__(self, database: Database, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self._busy = False
        self.setWindowTitle("Резервные копии")
        self.setMinimumSize(640, 420)

        folder = backup_folder(database.path)
        self.folder_label = QLabel(
            f"Копии базы «{database.path.name}» делаются при запуске, при закрытии и раз в сутки работы "
            f"программы; копия с теми же данными, что и последняя, не повторяется. Папка копий:\n{folder}"
        )
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = BackupsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())

        self.create_button = QPushButton("Создать копию сейчас")
        self.create_button.clicked.connect(self.create_now)
        self.restore_button = QPushButton("Восстановить выбранную…")
        self.restore_button.clicked.connect(self.restore_selected)
        self.export_button = QPushButton("Сохранить копию в файл…")
        self.export_button.setToolTip(
            "Записать проверенную копию текущей базы в выбранный файл, например на флешку"
        )
        self.export_button.clicked.connect(self.save_to_file)
        self.folder_button = QPushButton("Открыть папку")
        self.folder_button.clicked.connect(self.open_folder)
        buttons = QHBoxLayout()
        for button in (self.create_button, self.restore_button, self.export_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.keep_spin = QSpinBox()
        self.keep_spin.setRange(KEEP_MIN, KEEP_MAX)
        self.keep_spin.setValue(keep_count(database))
        self.keep_spin.setToolTip(
            "Сколько последних автоматических копий хранить; столько же хранится копий, сделанных "
            "вручную, и копий «перед восстановлением». Лишние старые копии удаляются при следующем копировании."
        )
        self.keep_spin.valueChanged.connect(self._keep_changed)
        keep_row = QHBoxLayout()
        keep_row.addWidget(QLabel("Хранить последних копий:"))
        keep_row.addWidget(self.keep_spin)
        keep_row.addStretch(1)

        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # a busy indicator: the job does not know its size
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        close_button = QPushButton("Закрыть")
        close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(keep_row)
        layout.addWidget(self.busy_bar)
        layout.addLayout(bottom)
        self.refresh()

    # --- the list --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected()
        self.model.set_rows(list_backups(self.database.path))
        row = 0
        if selected is not None:
            row = next((i for i, b in enumerate(self.model.rows) if b.path == selected.path), 0)
        if self.model.rows:
            self.table.selectRow(row)
        if not self._busy:
            count = len(self.model.rows)
            self.status_label.setText("Копий пока нет." if count == 0 else f"Копий: {count}.")
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.info(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        self.restore_button.setEnabled(not self._busy and self.selected() is not None)
        for button in (self.create_button, self.export_button):
            button.setEnabled(not self._busy)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        if text:
            self.status_label.setText(text)
        self._update_buttons()

    # --- a copy now --------------------------------------------------------------------------------------
    def create_now(self) -> None:
        if self._busy:
            return
        self._set_busy(True, "Создаётся резервная копия…")
        worker = self.jobs.start(
            partial(_manual_job, self.database.path), title="Резервная копия", show_progress=False
        )
        worker.finished.connect(self._created)
        worker.failed.connect(partial(self._failed, "Резервная копия не создана"))
        worker.cancelled.connect(lambda: self._set_busy(False, "Копирование отменено."))

    def _created(self, result: object) -> None:
        assert isinstance(result, BackupResult)
        self._set_busy(False)
        self.refresh()
        if result.backup is not None:
            self.status_label.setText(
                f"Копия от {result.backup.date_label} создана и проверена ({format_size(result.backup.size)})."
            )

    def _failed(self, title: str, exc: object) -> None:
        assert isinstance(exc, BaseException)
        self._set_busy(False, title + ".")
        report_failure(self, exc, title)

    # --- restore -----------------------------------------------------------------------------------------
    def restore_selected(self) -> QMessageBox | None:
        info = self.selected()
        if info is None or self._busy:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Восстановить из копии",
            f"Восстановить базу «{self.database.path.name}» из копии от {info.date_label} "
            f"(«{info.kind_label}»)?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setInformativeText(
            "Всё, что изменено в базе после этой копии, заменится её содержимым. Текущее состояние "
            "сначала сохранится копией «перед восстановлением», так что его тоже можно будет вернуть. "
            "Окно откроет базу заново."
        )
        confirm = box.addButton("Восстановить", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Отмена", QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(lambda button: self._confirmed(info) if button is confirm else None)
        box.restore_button = confirm  # type: ignore[attr-defined]  # for tests
        box.open()
        return box

    def _confirmed(self, info: BackupInfo) -> None:
        self.close()
        emit(self.restore_requested, info.path)

    # --- save to a file ----------------------------------------------------------------------------------
    def save_to_file(self) -> QFileDialog:
        from datetime import datetime

        name = f"{self.database.path.stem} — копия {datetime.now():%Y-%m-%d %H-%M}.sqlite"
        dialog = QFileDialog(self, "Сохранить копию базы", remembered_folder(FOLDER_KEY), DATABASE_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("sqlite")
        dialog.selectFile(name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda chosen: self.export_to(Path(chosen)))
        dialog.open()
        return dialog

    def export_to(self, target: Path) -> None:
        if self._busy:
            return
        self._set_busy(True, f"Копия записывается в файл «{target.name}»…")
        worker = self.jobs.start(
            partial(_export_job, self.database.path, target), title="Копия базы", show_progress=False
        )
        worker.finished.connect(self._exported)
        worker.failed.connect(partial(self._failed, "Копия не сохранена"))
        worker.cancelled.connect(lambda: self._set_busy(False, "Запись отменена."))

    def _exported(self, target: object) -> None:
        path = Path(str(target))
        self._set_busy(False, f"Копия сохранена в файл «{path}».")
        QSettings().setValue(FOLDER_KEY, str(path.parent))
        show_file_saved(self, "Копия сохранена", f"Проверенная копия базы сохранена в файл «{path}».", path)

    # --- the folder and the setting ------------------------------------------------------------------------
    def open_folder(self) -> None:
        folder = backup_folder(self.database.path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            show_error(self, f"Папка копий «{folder}» недоступна: {os_reason(exc)}.", "Резервные копии")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _keep_changed(self, value: int) -> None:
        try:
            set_keep_count(self.database, value)
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Настройка не сохранена")
            return
        self.status_label.setText(
            f"Будут храниться последние {value} автоматических копий (и столько же каждого другого вида)."
        )


def show_backups_dialog(window: MainWindow) -> BackupsDialog:
    """Open (or bring back) the window's «Резервные копии» dialog; a confirmed restore goes out as the
    window's `restore_backup_requested`."""
    dialog: BackupsDialog | None = getattr(window, "_backups_dialog", None)
    if dialog is None:
        dialog = BackupsDialog(window.database, window.jobs, window)
        dialog.restore_requested.connect(partial(_pass_on, window))
        window._backups_dialog = dialog  # type: ignore[attr-defined]  # owned by the window (its parent)
    dialog.refresh()
    dialog.open()
    return dialog


def _pass_on(window: MainWindow, path: Path) -> None:
    emit(window.restore_backup_requested, path)
