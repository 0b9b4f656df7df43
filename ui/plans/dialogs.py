"""The plans page's dialogs: a title, «выполнено» with its date and evidence, the plan's properties.

All are opened with `open()` (window-modal, never blocking the event loop) and report through
their `accepted` signal, so tests and background jobs keep running while they are up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.errors import AppError, ValidationError
from app.office import OfficeService, current_academic_year
from app.plans.model import Plan, PlanKind, PlanStatus
from app.plans.service import PlanService
from db.connection import Database
from db.errors import DatabaseError
from ui.forms import ERROR_STYLE, FieldBox
from ui.signals import emit
from ui.undo import ChangeHistory

DATE_FORMAT = "dd.MM.yyyy"


def _buttons(ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
    return buttons


def _date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


def _py_date(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def ask(parent: QWidget, text: str, title: str, yes_text: str, on_yes: Callable[[], None]) -> QMessageBox:
    """A question with Russian buttons, non-blocking; `on_yes` runs when the user agrees."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Отмена", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes)
    box.buttonClicked.connect(lambda button: on_yes() if button is yes else None)
    box.open()
    return box


class TextDialog(QDialog):
    """One line of text: the title of a new section."""

    def __init__(self, title: str, label: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.edit = QLineEdit(text)
        self.box = FieldBox(self.edit)
        form = QFormLayout()
        form.addRow(label, self.box)
        buttons = _buttons("Сохранить")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.edit.text().strip()

    def _check(self) -> None:
        if not self.text():
            self.box.show_error("Введите название")
            return
        self.accept()


class DoneDialog(QDialog):
    """«Выполнено»: when (today by default) and what shows it (a report, an order, a link)."""

    def __init__(self, items_text: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Отметка о выполнении")
        self.setMinimumWidth(480)
        caption = QLabel(items_text)
        caption.setWordWrap(True)
        caption.setTextFormat(Qt.TextFormat.PlainText)
        self.date_edit = _date_edit(today)
        self.evidence_edit = QPlainTextEdit()
        self.evidence_edit.setPlaceholderText("Например: отчёт от 15.10.2020, приказ № 52, протокол РМО")
        self.evidence_edit.setTabChangesFocus(True)
        self.evidence_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout()
        form.addRow(caption)
        form.addRow("Дата выполнения:", self.date_edit)
        form.addRow("Подтверждение:", self.evidence_edit)
        buttons = _buttons("Отметить")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def completed_on(self) -> date:
        return _py_date(self.date_edit)

    def evidence(self) -> str:
        return self.evidence_edit.toPlainText().strip()


class PlanPropertiesDialog(QDialog):
    """A new plan, or the title, kind, year, period and status of an existing one."""

    saved = Signal(int)  # the plan's id

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        plan: Plan | None = None,
        *,
        year: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.plan = plan
        self.setWindowTitle("Свойства плана" if plan else "Новый план")
        self.setMinimumWidth(560)

        self.title_edit = QPlainTextEdit()
        self.title_edit.setTabChangesFocus(True)
        self.title_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.title_edit.setPlaceholderText(
            "План мероприятий по повышению качества образования в … на 2020/2021 учебный год"
        )
        self.kind_combo = QComboBox()
        for kind in PlanKind:
            self.kind_combo.addItem(kind.label, kind.value)
        wanted = plan.academic_year if plan else (year or current_academic_year())
        years = set(OfficeService(database).years()) | {current_academic_year(), current_academic_year() + 1}
        if wanted is not None:
            years.add(wanted)
        self.year_combo = QComboBox()
        for value in sorted(years, reverse=True):
            self.year_combo.addItem(academic_year_label(value), value)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(wanted), 0))
        start, end = (plan.period_start, plan.period_end) if plan else self._year_period()
        self.start_edit = _date_edit(start)
        self.end_edit = _date_edit(end)
        self.status_combo = QComboBox()
        for status in PlanStatus:
            self.status_combo.addItem(status.label, status.value)
        if plan is not None:
            self.title_edit.setPlainText(plan.title)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(plan.kind.value))
            self.status_combo.setCurrentIndex(self.status_combo.findData(plan.status.value))
        else:
            self.year_combo.currentIndexChanged.connect(self._on_year_chosen)

        self.title_box = FieldBox(self.title_edit)
        self.period_error = QLabel()
        self.period_error.setStyleSheet(ERROR_STYLE)
        self.period_error.setWordWrap(True)
        self.period_error.hide()
        period = QHBoxLayout()
        period.addWidget(QLabel("с"))
        period.addWidget(self.start_edit)
        period.addWidget(QLabel("по"))
        period.addWidget(self.end_edit)
        period.addStretch(1)
        form = QFormLayout()
        form.addRow("Название:", self.title_box)
        form.addRow("Вид документа:", self.kind_combo)
        form.addRow("Учебный год:", self.year_combo)
        form.addRow("Период:", period)
        form.addRow("", self.period_error)
        form.addRow("Состояние:", self.status_combo)
        buttons = _buttons("Сохранить" if plan else "Создать")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _year_period(self) -> tuple[date, date]:
        year = int(self.year_combo.currentData())
        return date(year, 9, 1), date(year + 1, 8, 31)

    def _on_year_chosen(self, _index: int) -> None:
        start, end = self._year_period()
        self.start_edit.setDate(QDate(start.year, start.month, start.day))
        self.end_edit.setDate(QDate(end.year, end.month, end.day))

    def values(self) -> dict[str, object]:
        return {
            "title": self.title_edit.toPlainText(),
            "kind": PlanKind(self.kind_combo.currentData()),
            "academic_year": int(self.year_combo.currentData()),
            "period_start": _py_date(self.start_edit),
            "period_end": _py_date(self.end_edit),
            "status": PlanStatus(self.status_combo.currentData()),
        }

    def save(self) -> None:
        self.period_error.hide()
        service = PlanService(self.database)
        try:
            if self.plan is None:
                plan_id, changeset = service.create(self.values())
            else:
                plan_id, changeset = self.plan.id, service.update(self.plan.id, self.values())
        except ValidationError as exc:
            for problem in exc.problems:
                if problem.field == "title":
                    self.title_box.show_error(problem.message)
                    self.title_edit.setFocus()
                else:
                    self.period_error.setText(problem.message)
                    self.period_error.show()
            return
        except (AppError, DatabaseError) as exc:
            self.period_error.setText(exc.message)
            self.period_error.show()
            return
        self.history.record(changeset)
        emit(self.saved, plan_id)
        self.accept()
