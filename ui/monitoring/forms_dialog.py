"""The «Мониторинг» page's file work: forms for schools, filled forms read back, the exports.

* «Формы для школ…» — a workbook per school written into a chosen folder on a worker
  (`app.monitoring.forms.write_forms`), then «Сохранено N форм в папке …» with «Открыть папку»;
  forms already in that folder (perhaps filled ones sent back) are replaced only when confirmed.
* «Загрузить формы…» — the chosen files are read on a worker (`preview_forms_job`), the preview
  dialog lists each file (school, «принята / отклонена», number of changes) with the selected
  file's changes and issues; «Загрузить» writes the accepted forms in one transaction (one undo
  step) and the page reloads from `ChangeHistory.changed`.
* «Сводная в Excel…» and «Справка в PDF…» — a file written on a worker, then where it went.

Every flow is a QObject owned by the page that deletes itself when done: callers keep no
reference to it (this PySide frees twice a deleted object whose last Python reference goes).
openpyxl and the form code are imported only when the user asks for one of these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.jobs import Job, Progress
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from ui.messages import remembered_folder, show_file_saved, status_message
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, report_failure

_Index = QModelIndex | QPersistentModelIndex

FORMS_FOLDER_KEY = "monitoring/forms-folder"
IMPORT_FOLDER_KEY = "monitoring/import-folder"
EXPORT_FOLDER_KEY = "monitoring/export-folder"
FORMS_FILTER = "Формы мониторинга (*.xlsx *.xlsm);;Все файлы (*)"
ACCEPTED, REFUSED = "принята", "отклонена"
REFUSED_COLOUR = QColor("#b3261e")
LABEL_LENGTH = 70


def safe_file_stem(text: str, fallback: str) -> str:
    """A file name from a title: what Windows forbids in names replaced, at most 120 characters."""
    for bad in '<>:"/\\|?*':
        text = text.replace(bad, "-" if bad in "/\\" else "")
    text = " ".join(text.replace("«", "").replace("»", "").split()).strip(" .")
    return text[:120].rstrip(" .") or fallback


def elide(text: str, length: int = LABEL_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] or text[:length]
    return cut.rstrip(" ,.;:—–-") + " …"


def change_line(change: Any) -> str:
    """«7.4 Количество уроков …: было «—», стало «48»» (and the comment, when it changes)."""
    parts = []
    if change.value_changed:
        parts.append(f"было «{change.old or '—'}», стало «{change.new or '—'}»")
    if change.comment is not None:
        parts.append(f"комментарий: было «{change.old_comment or '—'}», стало «{change.comment or '—'}»")
    return f"{elide(change.criterion.label)}: {'; '.join(parts)}"


def issue_line(issue: Any) -> str:
    from app.importing.report import Severity

    prefix = "" if issue.severity is Severity.ERROR else f"{issue.severity.label}. "
    return prefix + issue.text()


# --- the preview dialog --------------------------------------------------------------------------


class FormsModel(QAbstractTableModel):
    """One row per file read: file, school, «принята / отклонена», number of changes."""

    FILE, SCHOOL, STATUS, CHANGES = range(4)
    HEADERS = ("Файл", "Школа", "Статус", "Изменений")

    def __init__(self, forms: Sequence[Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.forms = list(forms)
        self._refused_brush = QBrush(REFUSED_COLOUR)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.forms)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def form_at(self, row: int) -> Any:
        return self.forms[row] if 0 <= row < len(self.forms) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        form = self.form_at(index.row()) if index.isValid() else None
        if form is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.FILE:
                return form.file_name
            if column == self.SCHOOL:
                return form.school_name or "—"
            if column == self.STATUS:
                return REFUSED if form.refused else ACCEPTED
            if column == self.CHANGES:
                return "—" if form.refused else len(form.changes)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == self.FILE:
                return str(form.path)
            if column == self.STATUS:
                return form.status()
        elif role == Qt.ItemDataRole.ForegroundRole and form.refused and column == self.STATUS:
            return self._refused_brush
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.CHANGES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class FormsImportDialog(QDialog):
    """The files read back: which are accepted, what each changes, why the others are refused."""

    apply_requested = Signal()

    def __init__(self, preview: Any, campaign_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Загрузка форм — {campaign_title}")
        self.resize(1000, 640)
        self.preview = preview
        self._busy = False

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = FormsModel(preview.forms, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.resizeSection(FormsModel.FILE, 420)
        header.resizeSection(FormsModel.SCHOOL, 260)
        header.resizeSection(FormsModel.STATUS, 110)
        header.resizeSection(FormsModel.CHANGES, 90)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details.setPlaceholderText("Выберите файл в списке, чтобы увидеть его изменения и замечания.")
        details_panel = QWidget()
        details_layout = QVBoxLayout(details_panel)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_caption = QLabel("Изменения и замечания выбранного файла:")
        details_caption.setBuddy(self.details)
        details_layout.addWidget(details_caption)
        details_layout.addWidget(self.details, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(details_panel)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([260, 340])

        buttons = QDialogButtonBox()
        self.load_button = QPushButton("Загрузить")
        self.load_button.setDefault(True)
        self.load_button.setToolTip("Записать значения принятых форм (одно действие: отменяется Ctrl+Z)")
        self.cancel_button = QPushButton("Отмена")
        buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.load_button.clicked.connect(self._on_load)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self._update()
        if self.model.rowCount():
            self.select_row(0)

    # --- what is shown -----------------------------------------------------------------------
    def summary_text(self) -> str:
        preview = self.preview
        text = preview.summary().splitlines()[0]
        if not preview.accepted:
            text += " Загружать нечего: ни одна форма не принята — см. замечания к файлам."
        elif preview.refused:
            text += " Отклонённые формы не загружаются; значения принятых можно загрузить."
        return text

    def _update(self) -> None:
        self.summary_label.setText(self.summary_text())
        self.load_button.setEnabled(bool(self.preview.accepted) and not self._busy)
        self.cancel_button.setEnabled(not self._busy)

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.selectRow(row)
        self._show_details(row)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details(current.row())

    def _show_details(self, row: int) -> None:
        form = self.model.form_at(row)
        self.details.setPlainText(self.details_text(form) if form is not None else "")

    @staticmethod
    def details_text(form: Any) -> str:
        lines = [f"Файл «{form.file_name}»" + (f" — {form.school_name}" if form.school_name else "")]
        lines.append(f"Статус: {form.status()}")
        lines.append("")
        if form.refused:
            lines.append("Форма отклонена: значения из неё не загружаются.")
        elif form.changes:
            count = len(form.changes)
            lines.append(f"Изменения ({count} {plural(count, 'пункт', 'пункта', 'пунктов')}):")
            lines.extend(f"  {change_line(change)}" for change in form.changes)
        else:
            lines.append("Изменений нет: значения в форме совпадают с базой.")
        lines.append("")
        if form.issues:
            lines.append(f"Замечания ({len(form.issues)}):")
            lines.extend(f"  {issue_line(issue)}" for issue in form.issues)
        else:
            lines.append("Замечаний нет.")
        return "\n".join(lines)

    # --- loading -------------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update()

    def _on_load(self) -> None:
        if self.preview.accepted and not self._busy:
            emit(self.apply_requested)

    def reject(self) -> None:
        # While the forms are being written the dialog stays: the result must reach the undo stack.
        if not self._busy:
            super().reject()


# --- the flows -----------------------------------------------------------------------------------


def _apply_job(database: Database, preview: Any) -> Iterator[Progress]:
    from app.monitoring.forms import apply_forms

    count = len(preview.accepted)
    yield Progress(0, 0, f"Запись значений из {count} {plural(count, 'формы', 'форм', 'форм')}…")
    return apply_forms(database, preview)


class FormsImportFlow(QObject):
    """Files → preview on a worker → the dialog → one transaction → one undo step."""

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        jobs: JobRunner,
        parent: QWidget,
        *,
        campaign_id: int,
        campaign_title: str,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs
        self.parent_widget = parent
        self.campaign_id = campaign_id
        self.campaign_title = campaign_title
        self.dialog: FormsImportDialog | None = None

    def start(self, paths: Sequence[Path] | None = None) -> None:
        if paths is None:
            names, _ = QFileDialog.getOpenFileNames(
                self.parent_widget,
                "Загрузка заполненных форм",
                remembered_folder(IMPORT_FOLDER_KEY),
                FORMS_FILTER,
            )
            paths = [Path(name) for name in names]
        paths = [Path(p) for p in paths]
        if not paths:
            self.deleteLater()
            return
        QSettings().setValue(IMPORT_FOLDER_KEY, str(paths[0].parent))
        from app.monitoring.forms import preview_forms_job

        count = len(paths)
        worker = self.jobs.start(
            partial(preview_forms_job, self.database, paths, campaign_id=self.campaign_id),
            title="Проверка форм",
            label=f"Проверка {count} {plural(count, 'файла', 'файлов', 'файлов')}…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_read)
        worker.failed.connect(self._on_read_failed)
        worker.cancelled.connect(self._on_read_cancelled)

    def _on_read(self, preview: object) -> None:
        dialog = FormsImportDialog(preview, self.campaign_title, self.parent_widget)
        dialog.apply_requested.connect(self._apply)
        dialog.finished.connect(self._on_closed)
        self.dialog = dialog
        dialog.open()

    def _on_read_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.parent_widget, exc, "Формы не загружены")
        self.deleteLater()

    def _on_read_cancelled(self) -> None:
        status_message(self.parent_widget, "Проверка форм отменена.")
        self.deleteLater()

    def _apply(self) -> None:
        assert self.dialog is not None
        self.dialog.set_busy(True)
        worker = self.jobs.start(
            partial(_apply_job, self.database, self.dialog.preview),
            title="Загрузка форм",
            progress_parent=self.dialog,
        )
        worker.finished.connect(self._on_applied)
        worker.failed.connect(self._on_apply_failed)
        worker.cancelled.connect(self._on_apply_cancelled)

    def _on_applied(self, changeset: object) -> None:
        assert isinstance(changeset, ChangeSet)
        count = len(self.dialog.preview.accepted) if self.dialog is not None else 0
        self.history.record(changeset)  # the page reloads its matrix from history.changed
        if changeset:
            status_message(self.parent_widget, f"Загружено форм: {count}. Отменить — Ctrl+Z.")
        else:
            status_message(
                self.parent_widget, f"Загружено форм: {count}. Изменений нет: значения совпадают с базой."
            )
        if self.dialog is not None:
            self.dialog.set_busy(False)
            self.dialog.accept()

    def _on_apply_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        if self.dialog is not None:
            self.dialog.set_busy(False)
        report_failure(self.dialog or self.parent_widget, exc, "Формы не загружены")

    def _on_apply_cancelled(self) -> None:
        if self.dialog is not None:
            self.dialog.set_busy(False)
            self.dialog.summary_label.setText("Загрузка отменена, в базе ничего не изменено.")

    def _on_closed(self, _result: int) -> None:
        self.dialog = None
        self.deleteLater()


class FormsWriteFlow(QObject):
    """A form per school of the campaign into a folder, with progress and «Отмена»."""

    def __init__(
        self, database: Database, jobs: JobRunner, parent: QWidget, *, campaign_id: int, campaign_title: str
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self.parent_widget = parent
        self.campaign_id = campaign_id
        self.campaign_title = campaign_title
        self.folder: Path | None = None

    def start(self, folder: Path | None = None) -> None:
        if folder is None:
            name = QFileDialog.getExistingDirectory(
                self.parent_widget, "Папка для форм школ", remembered_folder(FORMS_FOLDER_KEY)
            )
            if not name:
                self.deleteLater()
                return
            folder = Path(name)
        self.folder = Path(folder)
        QSettings().setValue(FORMS_FOLDER_KEY, str(self.folder))
        existing = self._existing_forms()
        if existing:
            self._ask_replace(existing)
        else:
            self._write()

    def _existing_forms(self) -> list[str]:
        """Files of this campaign's forms already in the folder (perhaps filled and sent back)."""
        from app.monitoring.forms import form_file_name
        from app.monitoring.service import MonitoringService

        assert self.folder is not None
        if not self.folder.is_dir():
            return []
        try:
            schools = MonitoringService(self.database).matrix(self.campaign_id).schools
        except Exception:  # the job reports a missing campaign in Russian
            return []
        names = [form_file_name(self.campaign_title, name) for _id, name in schools]
        return [name for name in names if (self.folder / name).exists()]

    def _ask_replace(self, existing: list[str]) -> None:
        count = len(existing)
        shown = "\n".join(f"«{name}»" for name in existing[:5]) + ("\n…" if count > 5 else "")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Формы для школ",
            f"В папке «{self.folder}» уже есть {count} {plural(count, 'форма', 'формы', 'форм')} этого "
            f"мониторинга:\n{shown}\n\nЕсли это формы, заполненные школами, сначала загрузите их или "
            "выберите другую папку. Заменить их пустыми формами?",
            QMessageBox.StandardButton.NoButton,
            self.parent_widget,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        replace = box.addButton("Заменить", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("Отмена", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.buttonClicked.connect(partial(self._on_answered, replace))
        box.open()

    def _on_answered(self, replace: object, button: object) -> None:
        if button is replace:
            self._write()
        else:
            status_message(self.parent_widget, "Формы не сохранены.")
            self.deleteLater()

    def _write(self) -> None:
        from app.monitoring.forms import write_forms

        assert self.folder is not None
        worker = self.jobs.start(
            partial(write_forms, self.database, self.campaign_id, self.folder),
            title="Формы для школ",
            label="Сохранение форм…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)

    def _on_done(self, paths: object) -> None:
        assert self.folder is not None and isinstance(paths, list)
        count = len(paths)
        saved = plural(count, "Сохранена", "Сохранено", "Сохранено")
        text = f"{saved} {count} {plural(count, 'форма', 'формы', 'форм')} в папке «{self.folder}»."
        if count:
            text += (
                "\nОтправьте каждой школе её файл; заполненные формы загрузите кнопкой «Загрузить формы…»."
            )
        inside = paths[0] if paths else self.folder / "формы.xlsx"  # «Открыть папку» opens its folder
        box = show_file_saved(self.parent_widget, "Формы для школ", text, inside)
        box.finished.connect(self._finish)

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.parent_widget, exc, "Формы не сохранены")
        self.deleteLater()

    def _on_cancelled(self) -> None:
        status_message(self.parent_widget, "Сохранение форм отменено: часть форм могла остаться в папке.")
        self.deleteLater()

    def _finish(self, _result: int) -> None:
        self.deleteLater()


class FileExportFlow(QObject):
    """One file written on a worker (the matrix in Excel, the report in PDF), then where it went."""

    def __init__(
        self,
        jobs: JobRunner,
        parent: QWidget,
        *,
        job: Callable[[Path], Job[Any]],
        title: str,
        suffix: str,
        file_filter: str,
        default_name: str,
        saved_text: str,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.parent_widget = parent
        self.job = job
        self.title = title
        self.suffix = suffix
        self.file_filter = file_filter
        self.default_name = default_name
        self.saved_text = saved_text
        self.path: Path | None = None

    def start(self, path: Path | None = None) -> None:
        if path is None:
            default = Path(remembered_folder(EXPORT_FOLDER_KEY)) / f"{self.default_name}{self.suffix}"
            name, _ = QFileDialog.getSaveFileName(
                self.parent_widget, self.title, str(default), self.file_filter
            )
            if not name:
                self.deleteLater()
                return
            path = Path(name)
            if path.suffix.lower() != self.suffix:
                path = path.with_name(path.name + self.suffix)
        path = Path(path)
        QSettings().setValue(EXPORT_FOLDER_KEY, str(path.parent))
        self.path = path
        worker = self.jobs.start(
            partial(self.job, path),
            title=self.title,
            label=f"Запись файла «{path.name}»…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)

    def _on_done(self, _result: object) -> None:
        assert self.path is not None
        box = show_file_saved(self.parent_widget, self.title, f"{self.saved_text} «{self.path}».", self.path)
        box.finished.connect(self._finish)

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.parent_widget, exc, "Файл не сохранён")
        self.deleteLater()

    def _on_cancelled(self) -> None:
        status_message(self.parent_widget, "Выгрузка отменена, файл не создан.")
        self.deleteLater()

    def _finish(self, _result: int) -> None:
        self.deleteLater()
