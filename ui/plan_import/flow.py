"""Bringing a plan in: from a file (Word, Excel, text) or from the clipboard, through a preview.

Reading runs on a worker → if the table's header is not recognised, the user maps the columns by
hand → the preview dialog (plans found, their year and period, deadlines the program could not
read) → «Загрузить» → one transaction on a worker → one step on the undo stack. Exports of a plan
to Excel and Word go through the same worker and report where the file went.

The parsers (python-docx, lxml, calamine) are imported here, and this module only when the user
asks for an import or an export: they stay off the start-up path.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app.jobs import Progress
from app.office import OfficeService, current_academic_year
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from ui.messages import remembered_folder, show_error, show_file_saved, status_message
from ui.plan_import.dialogs import ColumnMappingDialog, PlanImportDialog
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, report_failure

PLAN_FILTER = (
    "Планы (*.docx *.xlsx *.xls *.ods *.txt *.csv *.tsv *.html *.htm);;"
    "Документы Word (*.docx);;Книги Excel (*.xlsx *.xls *.ods);;Текст (*.txt *.csv *.tsv);;Все файлы (*)"
)


def clipboard_formats() -> dict[str, str]:
    """What the clipboard holds as HTML and as plain text (Word and Excel put both)."""
    data = QGuiApplication.clipboard().mimeData()
    formats: dict[str, str] = {}
    if data is None:
        return formats
    if data.hasHtml():
        formats["text/html"] = data.html()
    if data.hasText():
        formats["text/plain"] = data.text()
    return formats


def _read_job(
    source: Path | dict[str, str], default_year: int, year: int | None, database: Database
) -> Iterator[Progress]:
    from app.importing.plan_parse import parse_clipboard, parse_file
    from app.plans.importer import preview_plan_import

    yield Progress(0, 0, "Чтение таблицы…")
    document = parse_file(source) if isinstance(source, Path) else parse_clipboard(source)
    yield Progress(0, 0, "Разбор сроков…")
    return document, preview_plan_import(document, year=year, default_year=default_year, database=database)


def _mapped_job(
    table: Any,
    mapping: dict[int, Any],
    header_row: int,
    source_name: str,
    default_year: int,
    database: Database,
) -> Iterator[Progress]:
    from app.importing.plan_parse import ParsedDocument, parse_with_mapping
    from app.plans.importer import preview_plan_import

    yield Progress(0, 0, "Разбор таблицы…")
    plan = parse_with_mapping(
        table.rows,
        mapping,
        header_row=header_row,
        title=table.title,
        source_name=source_name,
        row_numbers=table.row_numbers,
        section_rows=table.section_rows,
    )
    document = ParsedDocument(source_name=source_name, plans=[plan], text_before="")
    return document, preview_plan_import(document, default_year=default_year, database=database)


def _apply_job(database: Database, preview: Any) -> Iterator[Progress]:
    from app.plans.importer import apply_plan_import

    yield Progress(0, 0, "Запись плана…")
    return apply_plan_import(database, preview)


class PlanImportFlow(QObject):
    """One import from choosing the source to the undo step; deletes itself when done."""

    imported = Signal(object)  # list of the new plans' ids

    def __init__(self, database: Database, history: ChangeHistory, jobs: JobRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs
        self.parent_widget = parent
        self.source: Path | dict[str, str] | None = None
        self.source_name = ""
        self.source_from = ""
        self.dialog: PlanImportDialog | None = None
        self.mapping_dialog: ColumnMappingDialog | None = None
        self.preview: Any = None
        stored = OfficeService(database).setting("current_year")
        self.default_year = int(stored) if stored.isdigit() else current_academic_year()

    # --- sources -----------------------------------------------------------------------------------
    def start_from_file(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.parent_widget,
                "Загрузка плана мероприятий",
                remembered_folder("plans/import-folder"),
                PLAN_FILTER,
            )
            if not name:
                self.deleteLater()
                return
            path = Path(name)
        QSettings().setValue("plans/import-folder", str(path.parent))
        self.source, self.source_name = path, path.name
        self.source_from = f"из «{path.name}»"
        self._read(None)

    def start_from_clipboard(self, formats: dict[str, str] | None = None) -> None:
        formats = clipboard_formats() if formats is None else formats
        if not any(text.strip() for text in formats.values()):
            show_error(
                self.parent_widget,
                "В буфере обмена нет таблицы. Выделите таблицу плана в Word или Excel, скопируйте её "
                "(Ctrl+C) и повторите.",
                "Вставка плана",
            )
            self.deleteLater()
            return
        self.source, self.source_name = formats, "буфер обмена"
        self.source_from = "из буфера обмена"
        self._read(None)

    # --- reading -----------------------------------------------------------------------------------
    def _read(self, year: int | None) -> None:
        assert self.source is not None
        if self.dialog is not None:
            self.dialog.set_busy(True)
        worker = self.jobs.start(
            partial(_read_job, self.source, self.default_year, year, self.database),
            title="Чтение плана",
            label=f"Чтение «{self.source_name}»…",
            progress_parent=self.dialog or self.parent_widget,
        )
        worker.finished.connect(self._on_read)
        worker.failed.connect(self._on_read_failed)
        worker.cancelled.connect(self._on_cancelled)

    def _on_read(self, result: object) -> None:
        assert isinstance(result, tuple)
        _document, preview = result
        self.preview = preview
        if not preview.plans:
            show_error(self.parent_widget, preview.summary(), "План не загружен")
            self._finish()
            return
        if self.dialog is None:
            dialog = PlanImportDialog(preview, self.parent_widget)
            dialog.year_changed.connect(self._read)
            dialog.apply_requested.connect(self._apply)
            dialog.finished.connect(self._on_dialog_closed)
            self.dialog = dialog
            dialog.open()
        else:
            self.dialog.set_preview(preview)

    def _on_read_failed(self, exc: object) -> None:
        from app.importing.plan_parse import PlanHeaderError

        assert isinstance(exc, BaseException)
        if (
            isinstance(exc, PlanHeaderError)
            and exc.table_rows
            and self.dialog is None
            and self.preview is None
        ):
            self._ask_mapping(exc)
            return
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)
        report_failure(self.dialog or self.parent_widget, exc, "План не загружен")
        if self.dialog is None:
            self._finish()

    def _ask_mapping(self, error: Any) -> None:
        table = max((t for t in error.tables if t.rows), key=lambda t: len(t.rows))
        dialog = ColumnMappingDialog(error.message, table.rows, self.parent_widget)
        dialog.finished.connect(partial(self._on_mapped, dialog, table))
        self.mapping_dialog = dialog
        dialog.open()

    def _on_mapped(self, dialog: ColumnMappingDialog, table: Any, result: int) -> None:
        self.mapping_dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            status_message(self.parent_widget, "Загрузка плана отменена.")
            self._finish()
            return
        worker = self.jobs.start(
            partial(
                _mapped_job,
                table,
                dialog.mapping(),
                dialog.header_row(),
                self.source_name,
                self.default_year,
                self.database,
            ),
            title="Чтение плана",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_read)
        worker.failed.connect(self._on_read_failed)
        worker.cancelled.connect(self._on_cancelled)

    def _on_cancelled(self) -> None:
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)
        elif self.dialog is None:
            status_message(self.parent_widget, "Загрузка плана отменена.")
            self._finish()

    # --- writing -----------------------------------------------------------------------------------
    def _apply(self) -> None:
        assert self.preview is not None and self.dialog is not None
        preview = self.dialog.chosen_preview()
        self.dialog.set_busy(True)
        worker = self.jobs.start(
            partial(_apply_job, self.database, preview),
            title="Загрузка плана",
            progress_parent=self.dialog,
        )
        worker.finished.connect(self._on_applied)
        worker.failed.connect(self._on_apply_failed)

    def _on_applied(self, result: object) -> None:
        assert isinstance(result, tuple)
        ids, changeset = result
        assert isinstance(changeset, ChangeSet)
        self.history.record(changeset)
        count = len(ids)
        status_message(
            self.parent_widget,
            f"Загружено: {count} {plural(count, 'план', 'плана', 'планов')} {self.source_from}. "
            "Отменить загрузку — Ctrl+Z.",
        )
        emit(self.imported, list(ids))
        if self.dialog is not None:
            self.dialog.accept()

    def _on_apply_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        if self.dialog is not None and self.preview is not None:
            self.dialog.set_preview(self.preview)
        report_failure(self.dialog or self.parent_widget, exc, "План не загружен")

    def _on_dialog_closed(self, _result: int) -> None:
        self.dialog = None
        self._finish()

    def _finish(self) -> None:
        self.deleteLater()


def _export_job(database: Database, plan_id: int, path: Path) -> Iterator[Progress]:
    from app.exporting.plan_docx import export_plan_docx
    from app.exporting.plan_xlsx import export_plan_xlsx
    from app.plans.service import PlanService

    yield Progress(0, 0, "Чтение плана…")
    plan = PlanService(database).get(plan_id)
    yield Progress(0, 0, "Запись файла…")
    if path.suffix.lower() == ".docx":
        export_plan_docx(plan, path)
    else:
        export_plan_xlsx(plan, path)
    return path


class PlanExportFlow(QObject):
    """Save one plan as .xlsx or .docx and offer to open the folder."""

    def __init__(self, database: Database, jobs: JobRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.database = database
        self.jobs = jobs
        self.parent_widget = parent
        self.path: Path | None = None
        self.message_box: QMessageBox | None = None

    def start(self, plan_id: int, title: str, suffix: str, path: Path | None = None) -> None:
        if path is None:
            stem = (
                " ".join(title.split())[:80]
                .replace("/", "-")
                .replace("\\", "-")
                .replace("«", "")
                .replace("»", "")
            )
            stem = stem.replace('"', "").replace(":", "").replace("?", "").replace("*", "") or "План"
            default = Path(remembered_folder("plans/export-folder")) / f"{stem}{suffix}"
            filters = "Документ Word (*.docx)" if suffix == ".docx" else "Книга Excel (*.xlsx)"
            name, _ = QFileDialog.getSaveFileName(self.parent_widget, "Выгрузка плана", str(default), filters)
            if not name:
                self.deleteLater()
                return
            path = Path(name)
            if path.suffix.lower() != suffix:
                path = path.with_name(path.name + suffix)
        QSettings().setValue("plans/export-folder", str(path.parent))
        self.path = path
        worker = self.jobs.start(
            partial(_export_job, self.database, plan_id, path),
            title="Выгрузка плана",
            label=f"Выгрузка плана в «{path.name}»…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self.deleteLater)

    def _on_done(self, _path: object) -> None:
        assert self.path is not None
        box = show_file_saved(
            self.parent_widget, "Выгрузка плана", f"План выгружен в файл «{self.path}».", self.path
        )
        box.finished.connect(self.deleteLater)
        self.message_box = box

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.parent_widget, exc, "План не выгружен")
        self.deleteLater()
