"""The office's requisites: the form (also used by the first-run dialog) and the «Реквизиты органа» page.

These are printed on every order: the name as it stands on the letterhead (several lines), the
head's position and name for the signature, the place printed under the date.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain import Office
from app.errors import FieldProblem, ValidationError
from app.office import OfficeService
from db.changes import ChangeSet
from db.connection import Database
from ui.forms import FieldBox, plain_text
from ui.signals import emit
from ui.undo import ChangeHistory

OFFICE_LABELS = {
    "name": "Наименование (как на бланке)*",
    "short_name": "Краткое наименование",
    "district": "Муниципальный район (округ)",
    "head_position": "Должность руководителя",
    "head_name": "Руководитель (И.О. Фамилия)",
    "address": "Адрес",
    "place": "Место издания документов",
    "phone": "Телефон",
    "email": "Электронная почта",
    "website": "Сайт",
}
# Hints, not data: each says «например», so an empty field is never mistaken for a filled one.
_PLACEHOLDERS = {
    "name": "например:\nАдминистрация\nКировского муниципального района Ленинградской области\nКОМИТЕТ ОБРАЗОВАНИЯ",
    "short_name": "например, Комитет образования",
    "district": "например, Кировский муниципальный район Ленинградской области",
    "head_position": "например, Председатель комитета образования",
    "head_name": "например, Е.А. Краснова",
    "address": "например, 187342, Ленинградская область, г. Кировск, ул. Новая, д. 1",
    "place": "например, г. Кировск",
    "phone": "например, 8 (81362) 2-12-34",
    "email": "например, edu@example.ru",
    "website": "например, https://edu.example.ru",
}


class OfficeForm(QWidget):
    """The requisites' fields with per-field errors; `save()` writes them through OfficeService."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = OfficeService(database)
        self.boxes: dict[str, FieldBox] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for name in (f.name for f in fields(Office)):
            if name == "name":
                editor: QWidget = QPlainTextEdit()
                editor.setPlaceholderText(_PLACEHOLDERS[name])
                editor.setTabChangesFocus(True)
                editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 5 + 14)
                editor.setToolTip("Каждая строка бланка — отдельной строкой, как в шапке приказа")
            else:
                editor = QLineEdit()
                editor.setPlaceholderText(_PLACEHOLDERS.get(name, ""))
            editor.setObjectName(name)
            box = FieldBox(editor)
            self.boxes[name] = box
            label = QLabel(OFFICE_LABELS[name] + ":")
            label.setBuddy(editor)
            form.addRow(label, box)
        self.load()

    def load(self) -> None:
        office = self.service.get()
        for name, box in self.boxes.items():
            value = getattr(office, name)
            if isinstance(box.editor, QPlainTextEdit):
                box.editor.setPlainText(value)
            elif isinstance(box.editor, QLineEdit):
                box.editor.setText(value)
            box.clear_error()

    def office(self) -> Office:
        return Office(**{name: plain_text(box.editor) for name, box in self.boxes.items()})

    def is_modified(self) -> bool:
        return self.office() != self.service.get()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        first: FieldBox | None = None
        for problem in problems:
            box = self.boxes.get(problem.field) or self.boxes["name"]
            box.show_error(problem.message)
            first = first or box
        if first is not None:
            first.editor.setFocus()

    def save(self) -> ChangeSet | None:
        """Save; on bad values show them at their fields and return None."""
        for box in self.boxes.values():
            box.clear_error()
        try:
            return self.service.save(self.office())
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return None


class OfficePage(QWidget):
    """«Реквизиты органа»: the form with «Сохранить» and «Вернуть сохранённое»."""

    saved = Signal()

    def __init__(self, database: Database, history: ChangeHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        title = QLabel("Реквизиты органа управления образованием")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Эти сведения печатаются в шапке и подписи приказов и распоряжений. Изменения можно "
            "отменить командой «Правка → Отменить»."
        )
        intro.setWordWrap(True)
        self.form = OfficeForm(database)
        self.form.setMaximumWidth(900)
        self.save_button = QPushButton("Сохранить")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Вернуть сохранённое")
        self.revert_button.clicked.connect(self.form.load)
        self.status = QLabel()

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status, 1)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        history.changed.connect(self._on_data_changed)

    def save(self) -> None:
        changeset = self.form.save()
        if changeset is None:
            self.status.setText("")
            return
        self.history.record(changeset)
        self.status.setText("Реквизиты сохранены." if changeset else "Изменений нет.")
        emit(self.saved)

    def _on_data_changed(self, changeset: ChangeSet) -> None:
        # An undo of the requisites (or a save elsewhere) shows at once in the form.
        if any(change.table == "office" for change in changeset.changes):
            self.form.load()
