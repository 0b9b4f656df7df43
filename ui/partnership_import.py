"""Loading a partnership list from a file or the clipboard: each written name beside the school it
was matched to, doubtful ones for the user to confirm, then one undo step.

The parser and the matcher (app/partnerships) are imported only when the user asks for an import.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.jobs import Progress
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from ui.messages import remembered_folder, show_error, status_message
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, report_failure

FILE_FILTER = "Списки (*.xlsx *.xls *.ods *.docx *.txt *.csv *.html);;Все файлы (*)"
CHOOSE = "— выберите школу —"


def _read_job(database: Database, source: Path | str, year: int) -> Iterator[Progress]:
    from app.partnerships.importer import preview_partnership_import
    from app.partnerships.parse import parse_text

    yield Progress(0, 0, "Чтение списка…")
    parsed = source if isinstance(source, Path) else parse_text(source)
    return preview_partnership_import(database, parsed, year)


def _apply_job(database: Database, preview: Any) -> Iterator[Progress]:
    from app.partnerships.importer import apply_partnership_import

    yield Progress(0, 0, "Запись партнёрств…")
    return apply_partnership_import(database, preview)


class PartnershipImportDialog(QDialog):
    """One row per written name: the school it is taken to be (a list to confirm or correct)."""

    apply_requested = Signal()

    def __init__(self, preview: Any, schools: list[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("Загрузка сетевого партнёрства")
        self.resize(900, 600)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        content = QWidget()
        grid = QGridLayout(content)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.combos: dict[tuple[int, int], QComboBox] = {}
        self.checks: list[QCheckBox] = []
        row = 0
        for index, group in enumerate(preview.groups):
            check = QCheckBox(f"Группа {index + 1} (строка {group.parsed.source_row})")
            check.setChecked(group.load)
            check.toggled.connect(partial(self._on_load_toggled, index))
            self.checks.append(check)
            grid.addWidget(check, row, 0, 1, 3)
            row += 1
            for position, match in enumerate(group.matches):
                grid.addWidget(QLabel(f"«{match.text}»"), row, 1)
                combo = QComboBox()
                combo.addItem(CHOOSE, None)
                for school_id, score in match.candidates:
                    combo.addItem(f"{preview.names.get(school_id, '')}  ({round(score * 100)}%)", school_id)
                combo.insertSeparator(combo.count())
                for school_id, name in schools:
                    combo.addItem(name, school_id)
                chosen = group.school_ids()[position]
                if chosen is None and match.school_id is not None:
                    chosen = match.school_id  # the best guess, shown but still to be confirmed
                combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
                confident = match.confident
                combo.setStyleSheet("" if confident else "QComboBox { background: #fff4cc; }")
                combo.setToolTip(
                    "Совпадение уверенное" if confident else "Проверьте: совпадение сомнительное"
                )
                combo.currentIndexChanged.connect(partial(self._on_choice, index, position, combo))
                if not confident and chosen is not None:
                    preview.confirm(index, position, chosen)
                self.combos[(index, position)] = combo
                grid.addWidget(combo, row, 2)
                row += 1
            line = QFrame()
            line.setFrameShape(QFrame.Shape.HLine)
            grid.addWidget(line, row, 0, 1, 3)
            row += 1
        grid.setRowStretch(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout.addWidget(scroll, 1)
        layout.addWidget(QLabel("Замечания:"))
        issues = QPlainTextEdit("\n".join(i.text() for i in preview.issues) or "Замечаний нет.")
        issues.setReadOnly(True)
        issues.setMaximumHeight(110)
        layout.addWidget(issues)
        buttons = QDialogButtonBox()
        self.load_button = QPushButton("Загрузить")
        self.load_button.setDefault(True)
        buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        self.load_button.clicked.connect(self._on_load)
        layout.addWidget(buttons)
        self._update()

    def _on_choice(self, index: int, position: int, combo: QComboBox, _row: int) -> None:
        value = combo.currentData()
        group = self.preview.groups[index]
        if value is None:
            group.chosen[position] = None  # «выберите школу»: this name is not settled
        else:
            self.preview.confirm(index, position, int(value))
        self._update()

    def _on_load_toggled(self, index: int, checked: bool) -> None:
        self.preview.groups[index].load = checked
        self._update()

    def _update(self) -> None:
        ready = len(self.preview.ready_groups())
        waiting = sum(1 for g in self.preview.groups if g.load and not g.ready)
        text = (
            f"Учебный год: {academic_year_label(self.preview.year)}. Групп в списке: {len(self.preview.groups)}; "
            f"будет загружено: {ready}."
        )
        if waiting:
            text += f" Не хватает школ в группах: {waiting} — выберите школу для каждого названия или снимите отметку."
        self.summary.setText(text)
        self.load_button.setEnabled(ready > 0 and waiting == 0)
        self.load_button.setText(
            f"Загрузить {ready} {plural(ready, 'партнёрство', 'партнёрства', 'партнёрств')}"
            if ready
            else "Загрузить"
        )

    def _on_load(self) -> None:
        emit(self.apply_requested)


class PartnershipImportFlow(QObject):
    """From the file (or pasted text) to the undo step; deletes itself when done."""

    imported = Signal(object)  # list of group ids

    def __init__(
        self, database: Database, history: ChangeHistory, jobs: JobRunner, parent: QWidget, *, year: int
    ) -> None:
        super().__init__(parent)
        self.database, self.history, self.jobs, self.parent_widget, self.year = (
            database,
            history,
            jobs,
            parent,
            year,
        )
        self.dialog: PartnershipImportDialog | None = None

    def start_from_file(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.parent_widget,
                "Загрузка списка партнёрств",
                remembered_folder("partnerships/import-folder"),
                FILE_FILTER,
            )
            if not name:
                self.deleteLater()
                return
            path = Path(name)
        QSettings().setValue("partnerships/import-folder", str(path.parent))
        self._read(path)

    def start_from_text(self, text: str) -> None:
        if not text.strip():
            show_error(self.parent_widget, "В буфере обмена нет списка школ.", "Загрузка партнёрств")
            self.deleteLater()
            return
        self._read(text)

    def _read(self, source: Path | str) -> None:
        worker = self.jobs.start(
            partial(_read_job, self.database, source, self.year),
            title="Чтение списка",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_read)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self.deleteLater)

    def _on_read(self, preview: object) -> None:
        from app.schools import SchoolService

        schools = sorted(
            (
                (s.id, s.display_name)
                for s in SchoolService(self.database).list_schools(include_archived=False)
            ),
            key=lambda e: e[1],
        )
        dialog = PartnershipImportDialog(preview, schools, self.parent_widget)
        dialog.apply_requested.connect(self._apply)
        dialog.finished.connect(self._on_closed)
        self.dialog = dialog
        dialog.open()

    def _apply(self) -> None:
        assert self.dialog is not None
        self.dialog.load_button.setEnabled(False)
        worker = self.jobs.start(
            partial(_apply_job, self.database, self.dialog.preview),
            title="Загрузка партнёрств",
            progress_parent=self.dialog,
        )
        worker.finished.connect(self._on_applied)
        worker.failed.connect(self._on_failed)

    def _on_applied(self, result: object) -> None:
        assert isinstance(result, tuple)
        ids, changeset = result
        assert isinstance(changeset, ChangeSet)
        self.history.record(changeset)
        count = len(ids)
        status_message(
            self.parent_widget,
            f"Загружено {count} {plural(count, 'партнёрство', 'партнёрства', 'партнёрств')}. Отменить — Ctrl+Z.",
        )
        emit(self.imported, list(ids))
        if self.dialog is not None:
            self.dialog.accept()

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        report_failure(self.dialog or self.parent_widget, exc, "Список не загружен")
        if self.dialog is None:
            self.deleteLater()
        else:
            self.dialog.load_button.setEnabled(True)

    def _on_closed(self, _result: int) -> None:
        self.dialog = None
        self.deleteLater()
