"""Dialogs of the orders page: a new document from a template, signing, an appendix, the numbering
of the register and the list of working groups.

All are opened with `open()` (window-modal, never blocking the event loop), delete themselves when
closed and report through signals; the writes they make go to the undo stack.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

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
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import Category, academic_year_label
from app.errors import AppError, ValidationError
from app.monitoring.service import MonitoringService
from app.office import OfficeService, current_academic_year
from app.orders.model import AppendixKind, NumberingFormat, Order, OrderAppendix, OrderKind
from app.orders.service import OrderService
from app.orders.templates import OrderTemplate, Person, TemplateChoices, create_from_template, list_templates
from app.plans.service import PlanService
from app.text import plural
from db.connection import Database
from db.errors import DatabaseError
from ui.forms import ERROR_STYLE
from ui.signals import emit
from ui.undo import ChangeHistory

DATE_FORMAT = "dd.MM.yyyy"
HINT_STYLE = "color: #555;"
NO_GROUP = 0

# Kinds of appendix that are built from the data of one academic year.
YEAR_KINDS = (
    AppendixKind.PLAN,
    AppendixKind.SCHOOL_LIST,
    AppendixKind.WORKING_GROUP,
    AppendixKind.PARTNERSHIPS,
    AppendixKind.PARTNERSHIP_MAP,
)


# --- small helpers ------------------------------------------------------------------------------
def buttons(ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox()
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setDefault(True)
    box.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
    return box, ok


def date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


def py_date(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def office_year(database: Database) -> int:
    """The office's current academic year (a setting; the calendar's when not set)."""
    stored = OfficeService(database).setting("current_year")
    return int(stored) if stored.isdigit() else current_academic_year()


def fill_years(combo: QComboBox, database: Database, wanted: int | None, *extra: int | None) -> None:
    """The years in use, newest first, with `wanted` chosen."""
    years = {*OfficeService(database).years(), *(y for y in extra if y is not None)}
    if wanted is not None:
        years.add(wanted)
    combo.blockSignals(True)
    combo.clear()
    for year in sorted(years, reverse=True):
        combo.addItem(academic_year_label(year), year)
    combo.setCurrentIndex(max(combo.findData(wanted), 0))
    combo.blockSignals(False)


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def hint_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(HINT_STYLE)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def short(text: str, limit: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def open_working_group_dialog(
    parent: QWidget, database: Database, history: ChangeHistory, group_id: int | None, year: int | None
) -> QDialog:
    """The working group editor (ui/orders/working_groups.py), opened; reports `saved(int)`."""
    from ui.orders.working_groups import WorkingGroupDialog

    dialog = WorkingGroupDialog(parent, database, history, group_id, year)
    dialog.open()
    return dialog


def fill_groups(combo: QComboBox, database: Database, year: int | None, wanted: int | None) -> None:
    groups = OrderService(database).list_working_groups(year)
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("— не выбрана —", NO_GROUP)
    for group in groups:
        count = len(group.members)
        combo.addItem(
            f"{short(group.title, 70)} ({count} {plural(count, 'человек', 'человека', 'человек')})", group.id
        )
    combo.setCurrentIndex(max(combo.findData(wanted if wanted is not None else NO_GROUP), 0))
    combo.blockSignals(False)


def fill_plans(plans_list: QListWidget, database: Database, year: int | None, checked: set[int]) -> None:
    """The plans of the year as a checkable list; plans checked before stay (even of another year)."""
    summaries = PlanService(database).list_plans()
    plans_list.clear()
    for summary in summaries:
        if summary.academic_year != year and summary.id not in checked:
            continue
        label = short(summary.title, 220)
        if summary.academic_year != year and summary.academic_year is not None:
            label += f" ({academic_year_label(summary.academic_year)})"
        entry = QListWidgetItem(label)
        entry.setToolTip(summary.title)
        entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        entry.setCheckState(Qt.CheckState.Checked if summary.id in checked else Qt.CheckState.Unchecked)
        entry.setData(Qt.ItemDataRole.UserRole, summary.id)
        plans_list.addItem(entry)


def checked_plans(plans_list: QListWidget) -> list[int]:
    return [
        int(plans_list.item(row).data(Qt.ItemDataRole.UserRole))
        for row in range(plans_list.count())
        if plans_list.item(row).checkState() == Qt.CheckState.Checked
    ]


def fill_criteria(combo: QComboBox, database: Database, wanted: int | None) -> None:
    combo.clear()
    combo.addItem("— не выбран —", NO_GROUP)
    for template in MonitoringService(database).list_templates():
        combo.addItem(short(f"{template.title} (версия {template.version})", 110), template.id)
        combo.setItemData(combo.count() - 1, template.title, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(max(combo.findData(wanted if wanted is not None else NO_GROUP), 0))


def plans_list_widget(rows: int) -> QListWidget:
    """A checkable list of plans whose long titles wrap instead of scrolling sideways."""
    plans_list = QListWidget()
    plans_list.setWordWrap(True)
    plans_list.setResizeMode(QListWidget.ResizeMode.Adjust)
    plans_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    plans_list.setSpacing(1)
    plans_list.setMinimumHeight(_list_height(plans_list, rows))
    return plans_list


def _list_height(widget: QWidget, rows: int) -> int:
    return widget.fontMetrics().lineSpacing() * rows + 16


# --- a new document from a template ---------------------------------------------------------------
class NewFromTemplateDialog(QDialog):
    """Choose a template, the year and what its appendices and people need; «Создать» makes the
    draft (one undo step) and reports it with the notes on word forms to check."""

    created = Signal(int, object)  # the order's id, notes (list[str])

    def __init__(
        self, database: Database, history: ChangeHistory, *, year: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Новый документ по шаблону")
        self.resize(980, 620)
        self.database = database
        self.history = history
        self.templates: list[OrderTemplate] = list_templates(database)

        self.template_list = QListWidget()
        self.template_list.setMinimumWidth(300)
        self.template_list.setWordWrap(True)
        self.template_list.setSpacing(3)
        self.template_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fill_templates()
        self.description = hint_label()
        self.description.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.year_combo = QComboBox()
        fill_years(self.year_combo, database, year)
        self.plans_list = plans_list_widget(5)
        self.plans_hint = hint_label()
        plans_box = QWidget()
        plans_layout = QVBoxLayout(plans_box)
        plans_layout.setContentsMargins(0, 0, 0, 0)
        plans_layout.addWidget(self.plans_list)
        plans_layout.addWidget(self.plans_hint)
        self.group_combo = QComboBox()
        self.group_button = QPushButton("Создать…")
        self.group_button.setToolTip("Составить новую рабочую группу")
        group_row = QHBoxLayout()
        group_row.addWidget(self.group_combo, 1)
        group_row.addWidget(self.group_button)
        self.criteria_combo = QComboBox()
        fill_criteria(self.criteria_combo, database, None)
        self.responsible_name = QLineEdit()
        self.responsible_name.setPlaceholderText("Фамилия И.О. в именительном падеже: Плаксина И.Н.")
        self.responsible_position = QLineEdit()
        self.responsible_position.setPlaceholderText("Должность: главный специалист комитета образования")
        self.controller_name = QLineEdit()
        self.controller_name.setPlaceholderText("Пусто — «Контроль … оставляю за собой» не изменится")
        self.controller_position = QLineEdit()
        self.controller_position.setPlaceholderText("Должность: заместитель председателя комитета")
        self.error = error_label()

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow(self.description)
        self.form.addRow("Учебный год:", self.year_combo)
        self.form.addRow("Планы в приложение:", plans_box)
        self.form.addRow("Рабочая группа:", group_row)
        self.form.addRow("Критерии мониторинга:", self.criteria_combo)
        self.form.addRow("Ответственный:", self.responsible_name)
        self.form.addRow("его должность:", self.responsible_position)
        self.form.addRow("Контроль возложить на:", self.controller_name)
        self.form.addRow("его должность:", self.controller_position)
        self.form.addRow(self.error)
        self._plans_box = plans_box
        self._group_row = group_row

        box, self.create_button = buttons("Создать")
        box.accepted.connect(self.create)
        box.rejected.connect(self.reject)
        self.reset_button = QPushButton("Вернуть исходный")
        self.reset_button.setToolTip("Убрать правку органа: вернуть шаблон, как он поставляется с программой")
        self.reset_button.clicked.connect(self.reset_template)
        box.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        right = QVBoxLayout()
        right.addLayout(self.form)
        right.addStretch(1)
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("Шаблон:"))
        left.addWidget(self.template_list, 1)
        top.addLayout(left, 2)
        top.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(box)

        self.template_list.currentRowChanged.connect(self._on_template_chosen)
        self.year_combo.currentIndexChanged.connect(self._on_year_chosen)
        self.group_button.clicked.connect(self._new_group)
        history.changed.connect(self._on_history_changed)
        if self.templates:
            self.template_list.setCurrentRow(0)

    # --- choices -------------------------------------------------------------------------------
    @property
    def template(self) -> OrderTemplate | None:
        row = self.template_list.currentRow()
        return self.templates[row] if 0 <= row < len(self.templates) else None

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def select_template(self, key: str) -> bool:
        for row, template in enumerate(self.templates):
            if template.key == key:
                self.template_list.setCurrentRow(row)
                return True
        return False

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            fill_years(self.year_combo, self.database, year)
            index = self.year_combo.findData(year)
        self.year_combo.setCurrentIndex(index)

    def check_plan(self, plan_id: int, checked: bool = True) -> bool:
        for row in range(self.plans_list.count()):
            entry = self.plans_list.item(row)
            if entry.data(Qt.ItemDataRole.UserRole) == plan_id:
                entry.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return True
        return False

    def _needs(self) -> dict[str, bool]:
        template = self.template
        if template is None:
            return dict.fromkeys(("plan", "group", "criteria", "responsible", "controller"), False)
        kinds = {str(a.get("kind")) for a in template.data.get("appendices", []) if isinstance(a, dict)}
        text = json.dumps(template.data, ensure_ascii=False)
        return {
            "plan": "plan" in kinds,
            "group": "working_group" in kinds,
            "criteria": "monitoring_criteria" in kinds,
            "responsible": "{ответственный." in text,
            "controller": template.data.get("control") == "person" or "{контроль." in text,
        }

    def reset_template(self) -> None:
        """The office's copy goes (a bundled template is back; an office-made one is removed)."""
        from app.orders.templates import reset_template

        template = self.template
        if template is None or not template.edited:
            return
        try:
            changeset = reset_template(self.database, template.key)
        except (AppError, DatabaseError) as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.history.record(changeset)
        row = self.template_list.currentRow()
        self.templates = list_templates(self.database)
        self._fill_templates()
        self.template_list.setCurrentRow(min(row, len(self.templates) - 1))

    def _fill_templates(self) -> None:
        self.template_list.clear()
        for template in self.templates:
            entry = QListWidgetItem(template.name + (" (шаблон органа)" if template.edited else ""))
            entry.setData(Qt.ItemDataRole.UserRole, template.key)
            entry.setToolTip(template.description)
            self.template_list.addItem(entry)

    def _on_template_chosen(self, _row: int) -> None:
        template = self.template
        from app.orders.templates import is_bundled

        self.reset_button.setVisible(template is not None and template.edited)
        if template is not None:
            self.reset_button.setText("Вернуть исходный" if is_bundled(template.key) else "Удалить шаблон")
        self.description.setText(
            f"{OrderKind(template.kind).label}. {template.description}" if template else ""
        )
        needs = self._needs()
        self.form.setRowVisible(self._plans_box, needs["plan"])
        self.form.setRowVisible(self._group_row, needs["group"])
        self.form.setRowVisible(self.criteria_combo, needs["criteria"])
        self.form.setRowVisible(self.responsible_name, needs["responsible"])
        self.form.setRowVisible(self.responsible_position, needs["responsible"])
        self.form.setRowVisible(self.controller_name, needs["controller"])
        self.form.setRowVisible(self.controller_position, needs["controller"])
        self.create_button.setEnabled(template is not None)
        self.error.hide()
        self._on_year_chosen()

    def _on_year_chosen(self, *_args: object) -> None:
        fill_plans(self.plans_list, self.database, self.year, set(checked_plans(self.plans_list)))
        count = self.plans_list.count()
        self.plans_hint.setText(
            "Отметьте планы, которые утверждает документ (можно несколько)."
            if count
            else "В этом учебном году планов нет: план можно выбрать позже, в приложении."
        )
        wanted = self.group_combo.currentData() if self.group_combo.count() else None
        fill_groups(self.group_combo, self.database, self.year, wanted)

    def _new_group(self) -> None:
        dialog = open_working_group_dialog(self, self.database, self.history, None, self.year)
        dialog.saved.connect(self._on_group_saved)

    def _on_group_saved(self, group_id: int) -> None:
        fill_groups(self.group_combo, self.database, self.year, group_id)
        if self.group_combo.findData(group_id) < 0:  # a group of another year: show all
            fill_groups(self.group_combo, self.database, None, group_id)

    def _on_history_changed(self, changeset: object) -> None:
        tables = {change.table for change in getattr(changeset, "changes", [])}
        if tables & {"working_groups", "working_group_members"}:
            fill_groups(self.group_combo, self.database, self.year, self.group_combo.currentData())

    # --- creating ----------------------------------------------------------------------------------
    def choices(self) -> TemplateChoices:
        needs = self._needs()

        def person(name: QLineEdit, position: QLineEdit, needed: bool) -> Person | None:
            if not needed or not name.text().strip():
                return None
            return Person(name.text().strip(), position.text().strip())

        group = self.group_combo.currentData()
        criteria = self.criteria_combo.currentData()
        return TemplateChoices(
            year=self.year,
            responsible=person(self.responsible_name, self.responsible_position, needs["responsible"]),
            controller=person(self.controller_name, self.controller_position, needs["controller"]),
            plan_ids=checked_plans(self.plans_list) if needs["plan"] else (),
            working_group_id=int(group) if needs["group"] and group else None,
            monitoring_template_id=int(criteria) if needs["criteria"] and criteria else None,
        )

    def create(self) -> None:
        template = self.template
        if template is None:
            return
        try:
            order_id, changeset, notes = create_from_template(self.database, template.key, self.choices())
        except ValidationError as exc:
            self._show_error("\n".join(p.message for p in exc.problems))
            return
        except (AppError, DatabaseError) as exc:
            self._show_error(exc.message)
            return
        self.history.record(changeset)
        emit(self.created, order_id, notes)
        self.accept()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


# --- signing ----------------------------------------------------------------------------------------
class SignDialog(QDialog):
    """The number and date the document takes in the register; signing is refused while the
    document is not ready. «Подписать» asks the page to sign (it prints on a worker)."""

    sign_requested = Signal(str, object)  # the number, the date

    def __init__(
        self, database: Database, order: Order, *, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Подписание: {order.kind.label.lower()}")
        self.setMinimumWidth(560)
        self.service = OrderService(database)
        self.order = order
        self._number_typed = False
        on = today or date.today()

        caption = QLabel(short(order.title, 300) or "(без заголовка)")
        caption.setWordWrap(True)
        caption.setTextFormat(Qt.TextFormat.PlainText)
        caption.setStyleSheet("font-weight: bold;")
        self.date_edit = date_edit(on)
        self.number_edit = QLineEdit(self.service.suggest_number(order.kind, on))
        pattern = self.service.numbering_format(order.kind).pattern
        self.number_edit.setToolTip(
            f"Следующий номер по журналу (формат «{pattern}», меняется кнопкой «Нумерация…»)"
        )
        self.number_error = error_label()
        self.problems = self.service.check_ready(order)
        self.problems_label = error_label()
        if self.problems:
            self.problems_label.setText(
                "Подписать пока нельзя:\n" + "\n".join(f"• {p}" for p in self.problems)
            )
            self.problems_label.show()
        warning = hint_label(
            f"После подписания {order.kind.genitive} изменить нельзя: он получит номер и дату в журнале, "
            "а его текст и приложения будут сохранены такими, как напечатаны. Изменения вносятся новым "
            f"документом «О внесении изменений в {order.kind.accusative} …» (кнопка «Внести изменения»). "
            "Сразу после подписания его можно отменить (Ctrl+Z)."
        )
        form = QFormLayout()
        form.addRow(caption)
        form.addRow("Дата:", self.date_edit)
        form.addRow("Номер:", self.number_edit)
        form.addRow("", self.number_error)
        self.date_hint = hint_label("")
        form.addRow("", self.date_hint)
        form.addRow(self.problems_label)
        form.addRow(warning)
        box, self.sign_button = buttons("Подписать")
        box.accepted.connect(self.sign)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)

        self.number_edit.textEdited.connect(self._on_number_typed)
        self.date_edit.dateChanged.connect(self._on_date_changed)
        self._check()

    def on(self) -> date:
        return py_date(self.date_edit)

    def number(self) -> str:
        return self.number_edit.text().strip()

    def _on_number_typed(self, _text: str) -> None:
        self._number_typed = True
        self._check()

    def _on_date_changed(self, *_args: object) -> None:
        if not self._number_typed:
            self.number_edit.setText(self.service.suggest_number(self.order.kind, self.on()))
        self._check()

    def _check(self) -> bool:
        message = ""
        if not self.number():
            message = "Укажите номер."
        elif self.service.number_in_use(self.order.kind, self.number(), self.on(), except_id=self.order.id):
            message = (
                f"Номер {self.number()} в {self.on().year} году уже занят другим подписанным документом."
            )
        self.number_error.setText(message)
        self.number_error.setVisible(bool(message))
        year = self.order.academic_year
        on = self.on()
        outside = year is not None and not date(year, 6, 1) <= on <= date(year + 1, 8, 31)
        self.date_hint.setText(
            f"Дата вне {year}/{year + 1} учебного года, к которому относится документ: проверьте её."
            if outside and year is not None
            else ""
        )
        self.date_hint.setVisible(outside)
        ok = not message and not self.problems
        self.sign_button.setEnabled(ok)
        return ok

    def sign(self) -> None:
        if not self._check():
            return
        emit(self.sign_requested, self.number(), self.on())
        self.accept()


# --- an appendix ------------------------------------------------------------------------------------
ORIENTATIONS = (("По содержанию", None), ("Книжная", False), ("Альбомная", True))


class AppendixDialog(QDialog):
    """A new appendix (or an existing one): its kind and the data it is built from."""

    saved = Signal(int)  # the appendix's id

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        order: Order,
        appendix: OrderAppendix | None = None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Приложение" if appendix else "Новое приложение")
        self.resize(680, 460)
        self.database = database
        self.history = history
        self.order = order
        self.appendix = appendix
        self.service = OrderService(database)

        self.kind_combo = QComboBox()
        for kind in AppendixKind:
            self.kind_combo.addItem(kind.label, kind.value)
        year = (appendix.academic_year if appendix else None) or order.academic_year or office_year(database)
        self.year_combo = QComboBox()
        fill_years(self.year_combo, database, year, order.academic_year)
        self.plans_list = plans_list_widget(6)
        self.category_combo = QComboBox()
        for category in Category:
            self.category_combo.addItem(f"{category.label} — {category.description.lower()}", category.value)
        self.group_combo = QComboBox()
        self.group_new_button = QPushButton("Создать…")
        self.group_edit_button = QPushButton("Изменить…")
        group_row = QHBoxLayout()
        group_row.addWidget(self.group_combo, 1)
        group_row.addWidget(self.group_new_button)
        group_row.addWidget(self.group_edit_button)
        self.criteria_combo = QComboBox()
        self.body_edit = QPlainTextEdit()
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setPlaceholderText("Текст приложения; каждая строка — абзац")
        self.title_edit = QPlainTextEdit()
        self.title_edit.setTabChangesFocus(True)
        self.title_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 14)
        self.orientation_combo = QComboBox()
        for text, value in ORIENTATIONS:
            self.orientation_combo.addItem(text, value)
        self.error = error_label()

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Вид приложения:", self.kind_combo)
        self.form.addRow("Учебный год:", self.year_combo)
        self.form.addRow("Планы:", self.plans_list)
        self.form.addRow("Категория школ:", self.category_combo)
        self.form.addRow("Рабочая группа:", group_row)
        self.form.addRow("Перечень критериев:", self.criteria_combo)
        self.title_caption = QLabel("Заголовок:")
        self.form.addRow(self.title_caption, self.title_edit)
        self.form.addRow("Текст:", self.body_edit)
        self.form.addRow("Ориентация листа:", self.orientation_combo)
        self.form.addRow(self.error)
        self._group_row = group_row
        box, self.ok_button = buttons("Сохранить" if appendix else "Добавить")
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        self.body_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 10 + 14)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(box)

        checked = set(appendix.plan_ids) if appendix else set()
        fill_plans(self.plans_list, database, self.year, checked)
        fill_groups(self.group_combo, database, self.year, appendix.working_group_id if appendix else None)
        fill_criteria(self.criteria_combo, database, appendix.template_id if appendix else None)
        if appendix is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(appendix.kind.value))
            if appendix.category:
                self.category_combo.setCurrentIndex(max(self.category_combo.findData(appendix.category), 0))
            self.title_edit.setPlainText(appendix.title)
            self.body_edit.setPlainText(appendix.body)
            self.orientation_combo.setCurrentIndex(
                next(i for i, (_t, v) in enumerate(ORIENTATIONS) if v == appendix.landscape)
            )
        self.kind_combo.currentIndexChanged.connect(self._on_kind_chosen)
        self.year_combo.currentIndexChanged.connect(self._on_year_chosen)
        self.group_new_button.clicked.connect(lambda: self._edit_group(None))
        self.group_edit_button.clicked.connect(lambda: self._edit_group(self._group_id()))
        self.group_combo.currentIndexChanged.connect(self._update_group_buttons)
        history.changed.connect(self._on_history_changed)
        self._on_kind_chosen()

    @property
    def kind(self) -> AppendixKind:
        return AppendixKind(self.kind_combo.currentData())

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def set_kind(self, kind: AppendixKind) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            fill_years(self.year_combo, self.database, year)
            index = self.year_combo.findData(year)
        self.year_combo.setCurrentIndex(index)

    def _group_id(self) -> int | None:
        value = self.group_combo.currentData()
        return int(value) if value else None

    def _on_kind_chosen(self, *_args: object) -> None:
        kind = self.kind
        self.form.setRowVisible(self.year_combo, kind in YEAR_KINDS)
        self.form.setRowVisible(self.plans_list, kind is AppendixKind.PLAN)
        self.form.setRowVisible(self.category_combo, kind is AppendixKind.SCHOOL_LIST)
        self.form.setRowVisible(self._group_row, kind is AppendixKind.WORKING_GROUP)
        self.form.setRowVisible(self.criteria_combo, kind is AppendixKind.MONITORING_CRITERIA)
        self.form.setRowVisible(self.body_edit, kind is AppendixKind.TEXT)
        if kind is AppendixKind.TEXT:
            self.title_caption.setText("Заголовок:")
            self.title_edit.setPlaceholderText("Заголовок приложения")
        else:
            self.title_caption.setText("Свой заголовок:")
            self.title_edit.setPlaceholderText("Пусто — заголовок по данным (название плана, списка, группы)")
        self._update_group_buttons()
        self.error.hide()

    def _on_year_chosen(self, *_args: object) -> None:
        fill_plans(self.plans_list, self.database, self.year, set(checked_plans(self.plans_list)))
        fill_groups(self.group_combo, self.database, self.year, self._group_id())

    def _update_group_buttons(self, *_args: object) -> None:
        self.group_edit_button.setEnabled(self._group_id() is not None)

    def _edit_group(self, group_id: int | None) -> None:
        dialog = open_working_group_dialog(self, self.database, self.history, group_id, self.year)
        dialog.saved.connect(self._on_group_saved)

    def _on_group_saved(self, group_id: int) -> None:
        fill_groups(self.group_combo, self.database, self.year, group_id)
        if self.group_combo.findData(group_id) < 0:
            fill_groups(self.group_combo, self.database, None, group_id)

    def _on_history_changed(self, changeset: object) -> None:
        tables = {change.table for change in getattr(changeset, "changes", [])}
        if tables & {"working_groups", "working_group_members"}:
            fill_groups(self.group_combo, self.database, self.year, self._group_id())
            self._update_group_buttons()

    def raw(self) -> dict[str, Any]:
        kind = self.kind
        criteria = self.criteria_combo.currentData()
        return {
            "kind": kind.value,
            "title": self.title_edit.toPlainText(),
            "plan_ids": checked_plans(self.plans_list) if kind is AppendixKind.PLAN else [],
            "academic_year": self.year if kind in YEAR_KINDS else None,
            "category": self.category_combo.currentData() if kind is AppendixKind.SCHOOL_LIST else "",
            "working_group_id": self._group_id() if kind is AppendixKind.WORKING_GROUP else None,
            "template_id": int(criteria) if kind is AppendixKind.MONITORING_CRITERIA and criteria else None,
            "body": self.body_edit.toPlainText() if kind is AppendixKind.TEXT else "",
            "landscape": self.orientation_combo.currentData(),
        }

    def save(self) -> None:
        raw = self.raw()
        try:
            if self.appendix is None:
                appendix_id, changeset = self.service.add_appendix(self.order.id, raw)
            else:
                appendix_id, changeset = self.appendix.id, self.service.update_appendix(self.appendix.id, raw)
        except ValidationError as exc:
            self._show_error("\n".join(p.message for p in exc.problems))
            return
        except (AppError, DatabaseError) as exc:
            self._show_error(exc.message)
            return
        self.history.record(changeset)
        emit(self.saved, appendix_id)
        self.accept()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


# --- numbering -------------------------------------------------------------------------------------
def _pattern_regex(pattern: str, on: date) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{n\}|\{yyyy\}|\{yy\})", pattern):
        if part == "{n}":
            regex += r"(?P<n>\d+)"
        elif part == "{yyyy}":
            regex += f"{on.year:04d}"
        elif part == "{yy}":
            regex += f"{on.year % 100:02d}"
        else:
            regex += re.escape(part)
    return re.compile(regex)


def next_number(database: Database, kind: OrderKind, pattern: str, on: date) -> str:
    """The number the next document of `kind` would take with `pattern` (as suggest_number does)."""
    if "{n}" not in pattern:
        return ""
    regex = _pattern_regex(pattern, on)
    largest = 0
    for summary in OrderService(database).list_orders():
        if (
            summary.kind is kind
            and summary.number
            and summary.order_date
            and summary.order_date.year == on.year
        ):
            match = regex.fullmatch(summary.number.strip())
            if match:
                largest = max(largest, int(match.group("n")))
    return NumberingFormat(pattern).format(largest + 1, on)


class NumberingDialog(QDialog):
    """The office's numbering of each kind of document, with the next number as an example."""

    saved = Signal()

    def __init__(
        self, database: Database, *, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Нумерация документов")
        self.setMinimumWidth(580)
        self.database = database
        self.service = OrderService(database)
        self.today = today or date.today()
        self.edits: dict[OrderKind, QLineEdit] = {}
        self.examples: dict[OrderKind, QLabel] = {}
        self.errors: dict[OrderKind, QLabel] = {}
        form = QFormLayout()
        form.addRow(
            hint_label(
                "{n} — порядковый номер в календарном году, {yyyy} — год, {yy} — две последние цифры "
                "года. Например: «{n}», «01-10/{n}», «{n}-ОД», «{n}/{yy}»."
            )
        )
        for kind in OrderKind:
            edit = QLineEdit(self.service.numbering_format(kind).pattern)
            example = hint_label()
            error = error_label()
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(example)
            column.addWidget(error)
            form.addRow(f"{kind.label}:", column)
            self.edits[kind] = edit
            self.examples[kind] = example
            self.errors[kind] = error
            edit.textChanged.connect(lambda _text, k=kind: self._update_example(k))
            self._update_example(kind)
        box, self.ok_button = buttons("Сохранить")
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)

    def _update_example(self, kind: OrderKind) -> None:
        pattern = self.edits[kind].text().strip()
        number = next_number(self.database, kind, pattern, self.today)
        self.examples[kind].setText(
            f"Следующий номер в {self.today.year} году: {number}" if number else "Нет места для номера: {n}"
        )
        self.errors[kind].hide()

    def save(self) -> None:
        failed = False
        for kind, edit in self.edits.items():
            pattern = edit.text().strip()
            if pattern == self.service.numbering_format(kind).pattern:
                continue
            try:
                self.service.set_numbering_format(kind, pattern)
            except ValidationError as exc:
                self.errors[kind].setText("\n".join(p.message for p in exc.problems))
                self.errors[kind].show()
                failed = True
            except (AppError, DatabaseError) as exc:
                self.errors[kind].setText(exc.message)
                self.errors[kind].show()
                failed = True
        if not failed:
            emit(self.saved)
            self.accept()


class SaveTemplateDialog(QDialog):
    """«Сохранить как шаблон»: the office's own template made of the open document — a new one, or
    one that replaces a template of the list (the bundled one comes back with «Вернуть исходный»)."""

    saved = Signal(str)  # the template's key

    def __init__(
        self, database: Database, history: ChangeHistory, order: Order, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Сохранить как шаблон")
        self.resize(620, 260)
        self.database = database
        self.history = history
        self.order = order
        self.name_edit = QLineEdit(short(order.title, 80))
        self.description_edit = QLineEdit()
        self.description_edit.setPlaceholderText("Когда его выбирать (можно не заполнять)")
        self.target_combo = QComboBox()
        self.target_combo.addItem("Новый шаблон", "")
        for template in list_templates(database):
            self.target_combo.addItem(f"Заменить: {template.name}", template.key)
        hint = hint_label(
            "В шаблон войдут заголовок, преамбула, пункты, пункт о контроле и виды приложений; годы "
            "документа станут годом, выбранным при создании. Данные приложений (планы, группа) "
            "выбираются заново."
        )
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Название:", self.name_edit)
        form.addRow("Описание:", self.description_edit)
        form.addRow("Куда:", self.target_combo)
        form.addRow(hint)
        form.addRow(self.error)
        box, self.save_button = buttons("Сохранить")
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)

    def save(self) -> None:
        from app.orders.templates import new_template_key, save_template, template_from_order

        name = self.name_edit.text().strip()
        if not name:
            self.error.setText("Укажите название шаблона.")
            self.error.show()
            return
        key = self.target_combo.currentData() or new_template_key(self.database)
        try:
            data = template_from_order(self.order, name, self.description_edit.text())
            changeset = save_template(self.database, key, data)
        except (AppError, DatabaseError) as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.history.record(changeset)
        emit(self.saved, key)
        self.accept()
