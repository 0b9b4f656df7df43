"""Excel in and out: choose the file, run the work on a worker, show the result.

Import: file dialog → preview on a worker → the preview dialog (mapping changes re-run the
preview) → «Загрузить» → apply on a worker → the change set goes on the undo stack, so the whole
import is one «Отменить». Export: save dialog → export on a worker → «Реестр выгружен: N школ».

`app.importing` and `app.exporting` (calamine, openpyxl) are imported here, and this module is
imported only when the user asks for an import or an export: they stay off the start-up path.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from app.domain import academic_year_label
from app.exporting.registry_export import export_registry
from app.importing.registry_import import (
    RegistryImportPreview,
    RowAction,
    apply_registry_import,
    preview_registry_import,
)
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from ui.importing.preview_dialog import ImportPreviewDialog
from ui.messages import remembered_folder, show_file_saved, status_message
from ui.undo import ChangeHistory
from ui.workers import JobRunner, describe_failure, report_failure

EXCEL_FILTER = "Книги Excel (*.xlsx *.xls *.xlsm *.ods);;Все файлы (*)"
EXPORT_FILTER = "Книга Excel (*.xlsx)"


class RegistryImportFlow(QObject):
    """One import from choosing the file to the undo step; deletes itself when done."""

    def __init__(self, database: Database, history: ChangeHistory, jobs: JobRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs
        self.parent_widget = parent
        self.path: Path | None = None
        self.dialog: ImportPreviewDialog | None = None
        self.preview: RegistryImportPreview | None = None

    def start(self, path: Path | None = None) -> None:
        """Ask for the file (unless given) and check it."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.parent_widget,
                "Импорт реестра из Excel",
                remembered_folder("import/folder"),
                EXCEL_FILTER,
            )
            if not name:
                self.deleteLater()
                return
            path = Path(name)
        QSettings().setValue("import/folder", str(path.parent))
        self.path = path
        self.run_preview(None)

    # --- preview -----------------------------------------------------------------------------------
    def run_preview(self, mapping: dict[int, str | None] | None) -> None:
        assert self.path is not None
        if self.dialog is not None:
            self.dialog.set_busy(True, "Проверка файла…")
        worker = self.jobs.start(
            partial(preview_registry_import, self.database, self.path, mapping),
            title="Проверка файла",
            label=f"Проверка файла «{self.path.name}»…",
            progress_parent=self.dialog or self.parent_widget,
        )
        worker.finished.connect(self._on_preview)
        worker.failed.connect(self._on_preview_failed)
        worker.cancelled.connect(self._on_preview_cancelled)

    def _on_preview(self, preview: object) -> None:
        assert isinstance(preview, RegistryImportPreview)
        self.preview = preview
        if self.dialog is None:
            dialog = ImportPreviewDialog(preview, self.parent_widget)
            dialog.mapping_changed.connect(self.run_preview)
            dialog.reload_requested.connect(self._reload)
            dialog.apply_requested.connect(self.run_apply)
            dialog.finished.connect(self._on_dialog_closed)
            self.dialog = dialog
            dialog.open()
        else:
            self.dialog.set_preview(preview)

    def _reload(self) -> None:
        self.run_preview(self.preview.mapping() if self.preview is not None else None)

    def _on_preview_failed(self, exc: object) -> None:
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)  # back to the last good preview
        assert isinstance(exc, BaseException)
        report_failure(self.dialog or self.parent_widget, exc, "Файл не загружен")
        if self.dialog is None:
            self.deleteLater()

    def _on_preview_cancelled(self) -> None:
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)
        elif self.dialog is None:
            status_message(self.parent_widget, "Проверка файла отменена.")
            self.deleteLater()

    # --- apply -------------------------------------------------------------------------------------
    def run_apply(self) -> None:
        assert self.preview is not None
        worker = self.jobs.start(
            partial(apply_registry_import, self.database, self.preview),
            title="Загрузка реестра",
            label=f"Загрузка школ из «{self.preview.path.name}»…",
            progress_parent=self.dialog or self.parent_widget,
        )
        worker.finished.connect(self._on_applied)
        worker.failed.connect(self._on_apply_failed)
        worker.cancelled.connect(self._on_apply_cancelled)

    def _on_applied(self, changeset: object) -> None:
        assert isinstance(changeset, ChangeSet) and self.preview is not None
        self.history.record(changeset)
        counts = self.preview.counts()
        new, updated = counts[RowAction.NEW], counts[RowAction.UPDATE]
        status_message(
            self.parent_widget,
            f"Импорт завершён: {new} {plural(new, 'новая школа', 'новые школы', 'новых школ')}, "
            f"{updated} {plural(updated, 'обновление', 'обновления', 'обновлений')}. "
            "Отменить импорт целиком — Ctrl+Z.",
        )
        if self.dialog is not None:
            self.dialog.accept()

    def _on_apply_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)
        message = describe_failure(exc)
        if message is not None and self.dialog is not None:
            self.dialog.blocked_label.setText(message)
        report_failure(self.dialog or self.parent_widget, exc, "Импорт не выполнен")

    def _on_apply_cancelled(self) -> None:
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)
            self.dialog.blocked_label.setText("Загрузка отменена, в базе ничего не изменено.")

    def _on_dialog_closed(self, _result: int) -> None:
        self.dialog = None
        self.deleteLater()


class RegistryExportFlow(QObject):
    """One export: the save dialog, the job, the message with «Открыть папку»."""

    def __init__(
        self,
        database: Database,
        jobs: JobRunner,
        parent: QWidget,
        *,
        year: int,
        include_archived: bool = False,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self.parent_widget = parent
        self.year = year
        self.include_archived = include_archived
        self.path: Path | None = None

    def start(self, path: Path | None = None) -> None:
        if path is None:
            default = Path(remembered_folder("export/folder")) / (
                f"Реестр школ {academic_year_label(self.year).replace('/', '-')}.xlsx"
            )
            name, _ = QFileDialog.getSaveFileName(
                self.parent_widget, "Экспорт реестра в Excel", str(default), EXPORT_FILTER
            )
            if not name:
                self.deleteLater()
                return
            path = Path(name)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
        QSettings().setValue("export/folder", str(path.parent))
        self.path = path
        worker = self.jobs.start(
            partial(
                export_registry, self.database, path, year=self.year, include_archived=self.include_archived
            ),
            title="Экспорт реестра",
            label=f"Выгрузка реестра в «{path.name}»…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)

    def _on_done(self, count: object) -> None:
        assert self.path is not None
        number = int(count) if isinstance(count, int) else 0
        box = show_file_saved(
            self.parent_widget,
            "Экспорт реестра",
            f"Реестр выгружен: {number} {plural(number, 'школа', 'школы', 'школ')}.\nФайл «{self.path}».",
            self.path,
        )
        self.open_folder_button = box.open_folder_button  # type: ignore[attr-defined]
        box.finished.connect(self._finish)
        self.message_box = box

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.parent_widget, exc, "Реестр не выгружен")
        self.deleteLater()

    def _on_cancelled(self) -> None:
        status_message(self.parent_widget, "Экспорт отменён, файл не создан.")
        self.deleteLater()

    def _finish(self, _result: int) -> None:
        self.deleteLater()
