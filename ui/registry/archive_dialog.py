"""Moving a school to the archive: a closed or reorganised school is never deleted, only archived
with the reason, so that old orders and lists that name it still make sense."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.errors import AppError, ValidationError
from app.schools import SchoolService
from db.connection import Database
from db.errors import DatabaseError
from ui.forms import ERROR_STYLE, FieldBox
from ui.undo import ChangeHistory


class ArchiveDialog(QDialog):
    def __init__(
        self, database: Database, history: ChangeHistory, school_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.service = SchoolService(database)
        self.school = self.service.get(school_id)
        self.setWindowTitle("Перевод в архив")
        self.setMinimumWidth(520)

        intro = QLabel(
            f"Школа «{self.school.display_name}» будет переведена в архив: она пропадёт из реестра и "
            "списков, но все её данные сохранятся. Вернуть её можно командой «Школа → Вернуть из архива»."
        )
        intro.setWordWrap(True)
        reason_label = QLabel("Причина (обязательно):")
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(
            "Например: реорганизация путём присоединения к МБОУ «Кировская СОШ №2», "
            "постановление администрации от 01.09.2024 № 1234"
        )
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        reason_label.setBuddy(self.reason_edit)
        self.reason_box = FieldBox(self.reason_edit)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("В архив")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_box)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.reason_edit.setFocus()

    def save(self) -> None:
        self.general_error.hide()
        try:
            changeset = self.service.archive(self.school.id, self.reason_edit.toPlainText())
        except ValidationError as exc:
            self.reason_box.show_error("\n".join(p.message for p in exc.problems))
            self.reason_edit.setFocus()
            return
        except (AppError, DatabaseError) as exc:
            self.general_error.setText(exc.message)
            self.general_error.show()
            return
        self.history.record(changeset)
        self.accept()
