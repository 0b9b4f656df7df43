"""A partnership's dialog: its schools with their roles, kind, agreement, joint activities, status.

Opened with `open()` (window-modal, never blocking); on «Сохранить» it writes through
`PartnershipService` and records one undo step, then reports the group's id through `saved`.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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

from app.domain import Category, School, academic_year_label
from app.errors import AppError, ValidationError
from app.partnerships.model import MemberRole, PartnershipGroup, PartnershipKind, PartnershipStatus
from app.partnerships.service import PartnershipService
from app.schools import SchoolService
from db.connection import Database
from db.errors import DatabaseError
from ui.forms import ERROR_STYLE
from ui.signals import emit
from ui.undo import ChangeHistory

DATE_FORMAT = "dd.MM.yyyy"


class MemberRow(QWidget):
    """One school of the partnership: the school from the registry, its role, a remove button."""

    def __init__(self, schools: list[School], year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.school_combo = QComboBox()
        self.school_combo.setMinimumContentsLength(34)
        self.school_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.school_combo.addItem("— выберите школу —", -1)
        for school in schools:
            listed = [c.category.label for c in school.categories if c.academic_year == year]
            text = school.display_name + (f"  ({', '.join(listed)})" if listed else "")
            self.school_combo.addItem(text, school.id)
        self.role_combo = QComboBox()
        for role in MemberRole:
            self.role_combo.addItem(role.label, role.value)
        self.remove_button = QPushButton("Убрать")
        self.remove_button.setToolTip("Убрать школу из партнёрства")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.school_combo, 1)
        layout.addWidget(self.role_combo)
        layout.addWidget(self.remove_button)

    def set_value(self, school_id: int, role: MemberRole) -> None:
        self.school_combo.setCurrentIndex(max(0, self.school_combo.findData(school_id)))
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(MemberRole(role).value)))

    def value(self) -> tuple[int, MemberRole] | None:
        school_id = self.school_combo.currentData() if self.school_combo.currentIndex() >= 0 else -1
        if school_id is None or int(school_id) < 0:
            return None
        return int(school_id), MemberRole(self.role_combo.currentData())


class GroupDialog(QDialog):
    saved = Signal(int)  # the group's id

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        year: int,
        group: PartnershipGroup | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.service = PartnershipService(database)
        self.year = group.academic_year if group is not None else year
        self.group = group
        self.setWindowTitle(
            ("Партнёрство" if group else "Новое партнёрство")
            + f", {academic_year_label(self.year)} учебный год"
        )
        self.resize(720, 560)
        in_group = {m.school_id for m in group.members} if group else set()
        self.schools = [
            s
            for s in SchoolService(database).list_schools(year=self.year)
            if not s.is_archived or s.id in in_group
        ]
        self.schools.sort(key=lambda s: s.display_name.casefold())

        self.rows: list[MemberRow] = []
        self._removed: list[MemberRow] = []
        self.members_box = QVBoxLayout()
        self.members_box.setSpacing(4)
        self.add_button = QPushButton("Добавить школу")
        self.add_button.clicked.connect(lambda: self.add_member())
        hint = QLabel(
            "Школы с низкими результатами и школы, которые им помогают (партнёр, наставник, базовая площадка)."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")

        self.kind_combo = QComboBox()
        for kind in PartnershipKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.status_combo = QComboBox()
        for status in PartnershipStatus:
            self.status_combo.addItem(status.label, status.value)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("необязательно: по умолчанию — школы через тире")
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("например, 15/2020")
        self.date_check = QCheckBox("от")
        today = date.today()
        in_year = date(self.year, 9, 1) <= today <= date(self.year + 1, 8, 31)
        # An agreement of the year shown: today when within it, else the first of September.
        self.date_edit = QDateEdit(QDate.currentDate() if in_year else QDate(self.year, 9, 1))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        self.date_edit.setEnabled(False)
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        agreement = QHBoxLayout()
        agreement.addWidget(QLabel("№"))
        agreement.addWidget(self.number_edit, 1)
        agreement.addWidget(self.date_check)
        agreement.addWidget(self.date_edit)
        self.activities_edit = QPlainTextEdit()
        self.activities_edit.setPlaceholderText("Совместные мероприятия: семинары, взаимопосещение уроков…")
        self.activities_edit.setTabChangesFocus(True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow("Вид:", self.kind_combo)
        form.addRow("Название:", self.name_edit)
        form.addRow("Соглашение:", agreement)
        form.addRow("Состояние:", self.status_combo)
        form.addRow("Совместные мероприятия:", self.activities_edit)
        # Joint activities can also be items of the year's plans (linked, not copied).
        self.items_list = QListWidget()
        self.items_list.setMaximumHeight(120)
        linked = set(group.plan_item_ids) if group else set()
        for item_id, text in self.service.plan_items_of_year(self.year):
            entry = QListWidgetItem(text)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if item_id in linked else Qt.CheckState.Unchecked)
            entry.setData(Qt.ItemDataRole.UserRole, item_id)
            entry.setToolTip(text)
            self.items_list.addItem(entry)
        if self.items_list.count():
            form.addRow("Пункты плана:", self.items_list)

        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Сохранить", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        caption = QLabel("<b>Школы</b>")
        layout.addWidget(caption)
        layout.addWidget(hint)
        layout.addLayout(self.members_box)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(form, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        if group is not None:
            for member in group.members:
                self.add_member(member.school_id, member.role)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(group.kind.value))
            self.status_combo.setCurrentIndex(self.status_combo.findData(group.status.value))
            self.name_edit.setText(group.name)
            self.number_edit.setText(group.agreement_number)
            if group.agreement_date:
                d = group.agreement_date
                self.date_check.setChecked(True)
                self.date_edit.setDate(QDate(d.year, d.month, d.day))
            self.activities_edit.setPlainText(group.activities)
        else:
            self.status_combo.setCurrentIndex(self.status_combo.findData(PartnershipStatus.ACTIVE.value))
            listed = [
                s.id
                for s in self.schools
                if any(
                    c.category is Category.LOW_RESULTS and c.academic_year == self.year for c in s.categories
                )
            ]
            self.add_member(listed[0] if listed else None, MemberRole.TARGET)
            self.add_member(None, MemberRole.PARTNER)

    # --- members ------------------------------------------------------------------------------------
    def add_member(self, school_id: int | None = None, role: MemberRole | None = None) -> MemberRow:
        row = MemberRow(self.schools, self.year, self)
        if role is None:
            role = MemberRole.PARTNER if self.rows else MemberRole.TARGET
        row.set_value(school_id if school_id is not None else -1, role)
        row.remove_button.clicked.connect(lambda: self.remove_member(row))
        self.rows.append(row)
        self.members_box.addWidget(row)
        self._update_kind()
        return row

    def remove_member(self, row: MemberRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self.members_box.removeWidget(row)
            row.hide()  # kept (owned by the dialog) until the dialog goes: no deleteLater here
            self._removed.append(row)
        self._update_kind()

    def _update_kind(self) -> None:
        if self.kind_combo.currentData() in (
            PartnershipKind.PAIR.value,
            PartnershipKind.GROUP.value,
        ):
            kind = PartnershipKind.PAIR if len(self.rows) <= 2 else PartnershipKind.GROUP
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def members(self) -> list[tuple[int, MemberRole]]:
        return [value for value in (row.value() for row in self.rows) if value is not None]

    def values(self) -> dict[str, object]:
        agreement_date: date | None = None
        if self.date_check.isChecked():
            chosen = self.date_edit.date()
            agreement_date = date(chosen.year(), chosen.month(), chosen.day())
        return {
            "kind": self.kind_combo.currentData(),
            "status": self.status_combo.currentData(),
            "name": self.name_edit.text(),
            "agreement_number": self.number_edit.text(),
            "agreement_date": agreement_date,
            "activities": self.activities_edit.toPlainText(),
        }

    def plan_item_ids(self) -> list[int]:
        return [
            int(self.items_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.items_list.count())
            if self.items_list.item(row).checkState() == Qt.CheckState.Checked
        ]

    # --- saving -------------------------------------------------------------------------------------
    def save(self) -> None:
        members, values = self.members(), self.values()
        try:
            group_id, changeset = self.service.save(
                self.group.id if self.group else None, self.year, members, values, self.plan_item_ids()
            )
        except ValidationError as exc:
            self._show_error("\n".join(p.message for p in exc.problems))
            return
        except (AppError, DatabaseError) as exc:
            self._show_error(exc.message)
            return
        self.history.record(changeset)
        emit(self.saved, group_id)
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
