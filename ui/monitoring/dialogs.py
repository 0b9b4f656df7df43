"""«Новый мониторинг»: a template, a title, the year, the period, the due date and the schools
(a checkable list of the registry with «ШНРО этого года», «Все», «Никого»)."""

from __future__ import annotations

import contextlib
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
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import Category, academic_year_label
from app.errors import AppError, ValidationError
from app.monitoring.service import MonitoringService
from app.schools import SchoolService
from app.text import plural
from db.connection import Database
from db.errors import DatabaseError
from ui.signals import emit
from ui.undo import ChangeHistory

EMPTY_DATE = QDate(1900, 1, 1)
SCHOOL_ID_ROLE = Qt.ItemDataRole.UserRole


def _date_edit(tip: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(EMPTY_DATE)
    edit.setSpecialValueText("не указана")
    edit.setDate(EMPTY_DATE)
    edit.setToolTip(tip)
    return edit


def _picked(edit: QDateEdit) -> date | None:
    chosen = edit.date()
    return None if chosen == EMPTY_DATE else date(chosen.year(), chosen.month(), chosen.day())


class CampaignDialog(QDialog):
    """Reused by the page (`prepare` refills it): never deleted while the page lives."""

    created = Signal(int)  # campaign id

    def __init__(self, database: Database, history: ChangeHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.service = MonitoringService(database)
        self.schools = SchoolService(database)
        self.setWindowTitle("Новый мониторинг")
        self.setMinimumSize(640, 620)
        self._title_touched = False
        self._low_results: set[int] = set()

        self.template_combo = QComboBox()
        self.template_combo.setToolTip("Шаблон: перечень критериев и показателей мониторинга")
        self.title_edit = QLineEdit()
        self.title_edit.textEdited.connect(self._on_title_edited)
        self.year_combo = QComboBox()
        self.period_start = _date_edit("Начало периода, за который собираются сведения")
        self.period_end = _date_edit("Конец периода")
        self.due_date = _date_edit("Срок представления сведений школами")
        period = QHBoxLayout()
        period.addWidget(QLabel("с"))
        period.addWidget(self.period_start)
        period.addWidget(QLabel("по"))
        period.addWidget(self.period_end)
        period.addStretch(1)

        self.school_list = QListWidget()
        self.school_list.setToolTip("Отметьте школы, которые участвуют в мониторинге")
        self.low_button = QPushButton("ШНРО этого года")
        self.low_button.setToolTip("Отметить школы с низкими результатами выбранного учебного года")
        self.all_button = QPushButton("Все")
        self.none_button = QPushButton("Никого")
        self.chosen_label = QLabel()
        quick = QHBoxLayout()
        for button in (self.low_button, self.all_button, self.none_button):
            quick.addWidget(button)
        quick.addStretch(1)
        quick.addWidget(self.chosen_label)

        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow("Шаблон:", self.template_combo)
        form.addRow("Название:", self.title_edit)
        form.addRow("Учебный год:", self.year_combo)
        form.addRow("Период:", period)
        form.addRow("Срок представления:", self.due_date)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Создать", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(lambda _checked=False: self.create())
        cancel.clicked.connect(lambda _checked=False: self.reject())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Школы:"))
        layout.addLayout(quick)
        layout.addWidget(self.school_list, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        self.template_combo.currentIndexChanged.connect(lambda _i: self._suggest_title())
        self.year_combo.currentIndexChanged.connect(lambda _i: self._on_year_changed())
        self.low_button.clicked.connect(lambda _checked=False: self.check_low_results())
        self.all_button.clicked.connect(lambda _checked=False: self.check_all(True))
        self.none_button.clicked.connect(lambda _checked=False: self.check_all(False))
        self.school_list.itemChanged.connect(lambda _item: self._count())

    # --- filling -----------------------------------------------------------------------------------
    def prepare(self, year: int, years: list[int]) -> None:
        """Fresh templates, schools and defaults for a new campaign of `year`."""
        # The templates already installed (or written by the user) are offered anyway.
        with contextlib.suppress(ImportError, AppError, OSError):
            self.service.install_bundled()
        self.template_combo.blockSignals(True)
        self.template_combo.clear()
        for template in self.service.list_templates():
            count = template.criteria
            self.template_combo.addItem(
                f"{template.title} ({count} {plural(count, 'пункт', 'пункта', 'пунктов')})", template.id
            )
            self.template_combo.setItemData(
                self.template_combo.count() - 1,
                template.source or template.title,
                Qt.ItemDataRole.ToolTipRole,
            )
        self.template_combo.blockSignals(False)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for each in sorted({*years, year, year + 1, year - 1}, reverse=True):
            self.year_combo.addItem(academic_year_label(each), each)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))
        self.year_combo.blockSignals(False)
        self._title_touched = False
        self.title_edit.clear()
        for edit in (self.period_start, self.period_end, self.due_date):
            edit.setDate(EMPTY_DATE)
        self.error_label.hide()
        self._fill_schools()
        self._suggest_title()

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def _fill_schools(self) -> None:
        checked = self.checked_ids()
        self.school_list.blockSignals(True)
        self.school_list.clear()
        self._low_results = set()
        for school in self.schools.list_schools(year=self.year, include_archived=False):
            labels = [c.category.label for c in school.categories]
            if any(c.category == Category.LOW_RESULTS for c in school.categories):
                self._low_results.add(school.id)
            text = school.display_name + (f"  ({', '.join(labels)})" if labels else "")
            item = QListWidgetItem(text)
            item.setData(SCHOOL_ID_ROLE, school.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if school.id in checked else Qt.CheckState.Unchecked)
            self.school_list.addItem(item)
        self.school_list.blockSignals(False)
        self._count()

    def _on_year_changed(self) -> None:
        self._fill_schools()
        self._suggest_title()

    def _on_title_edited(self, _text: str) -> None:
        self._title_touched = True

    def _suggest_title(self) -> None:
        if self._title_touched or self.template_combo.currentIndex() < 0:
            return
        template = next(
            (t for t in self.service.list_templates() if t.id == self.template_combo.currentData()), None
        )
        if template is not None and self.year_combo.count():
            self.title_edit.setText(f"{template.title} {academic_year_label(self.year)}")

    # --- the schools -------------------------------------------------------------------------------
    def items(self) -> list[QListWidgetItem]:
        return [self.school_list.item(row) for row in range(self.school_list.count())]

    def checked_ids(self) -> list[int]:
        return [
            int(item.data(SCHOOL_ID_ROLE))
            for item in self.items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _set_checked(self, wanted: set[int] | None) -> None:
        self.school_list.blockSignals(True)
        for item in self.items():
            on = wanted is None or int(item.data(SCHOOL_ID_ROLE)) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.school_list.blockSignals(False)
        self._count()

    def check_all(self, on: bool) -> None:
        self._set_checked(None if on else set())

    def check_low_results(self) -> None:
        self._set_checked(set(self._low_results))

    def _count(self) -> None:
        count = len(self.checked_ids())
        self.chosen_label.setText(f"Отмечено: {count} из {self.school_list.count()}")

    # --- creating ----------------------------------------------------------------------------------
    def create(self) -> int | None:
        if self.template_combo.currentIndex() < 0:
            self._show_error("Нет ни одного шаблона мониторинга.")
            return None
        try:
            campaign_id, changeset = self.service.create_campaign(
                int(self.template_combo.currentData()),
                self.title_edit.text(),
                self.checked_ids(),
                academic_year=self.year,
                period_start=_picked(self.period_start),
                period_end=_picked(self.period_end),
                due_date=_picked(self.due_date),
            )
        except ValidationError as exc:
            self._show_error("\n".join(p.message for p in exc.problems))
            return None
        except (AppError, DatabaseError) as exc:
            self._show_error(exc.message)
            return None
        self.history.record(changeset)
        self.accept()
        emit(self.created, campaign_id)
        return campaign_id

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
