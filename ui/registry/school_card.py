"""The school card: add or edit a school, its categories by academic year, its branches.

Values are checked by `SchoolService` (the same rules the Excel import uses); each problem is
shown next to its field and the card stays open. The card's «Сохранить» saves the «Сведения» tab;
categories are separate small edits, each saved (and undoable) at once, as the tab says.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import (
    SCHOOL_FIELDS,
    Category,
    CategorySource,
    Locality,
    School,
    SchoolCategory,
    SchoolKind,
    academic_year_label,
)
from app.errors import AppError, FieldProblem, ValidationError
from app.office import OfficeService
from app.schools import FIELD_LABELS, SchoolService
from app.text import abbreviate_school_name, guess_school_kind, plural
from db.connection import Database
from db.errors import DatabaseError
from ui.forms import ERROR_STYLE, FieldBox, plain_text
from ui.messages import show_error
from ui.signals import emit
from ui.undo import ChangeHistory

_Index = QModelIndex | QPersistentModelIndex

NO_PARENT = "— самостоятельная ОО —"
KIND_NONE = "— не указан —"
LOCALITY_NONE = "— не указано —"

# Hints, not data: each says «например», so an empty field is never mistaken for a filled one.
_PLACEHOLDERS = {
    "full_name": "например, Муниципальное бюджетное общеобразовательное учреждение "
    "«Ивановская средняя общеобразовательная школа»",
    "short_name": "подставляется по полному наименованию, например МБОУ «Ивановская СОШ»",
    "settlement": "например, с. Шум",
    "address": "например, 187350, Ленинградская область, Кировский район, с. Шум, ул. Советская, д. 1",
    "latitude": "например, 59,8249",
    "longitude": "например, 32,0346",
    "director": "например, Иванова Мария Петровна",
    "phone": "например, 8 (81362) 5-42-31",
    "email": "например, school@example.ru",
    "inn": "10 или 12 цифр",
}


def _format_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


# --- categories -----------------------------------------------------------------------------------
class CategoryTableModel(QAbstractTableModel):
    """A school's categories, newest year first."""

    TITLES = ("Учебный год", "Категория", "Основание", "Источник", "Документ")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SchoolCategory] = []

    def set_rows(self, rows: list[SchoolCategory]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def category_at(self, row: int) -> SchoolCategory | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.TITLES[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        values = (
            academic_year_label(item.academic_year),
            item.category.label,
            item.reason,
            item.source.label,
            item.document_ref,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.category.description if index.column() == 1 else values[index.column()] or None
        return None


class CategoryDialog(QDialog):
    """Put the school on a year's list (or change the reason and source of an existing entry)."""

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        school: School,
        *,
        year: int,
        existing: SchoolCategory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.school = school
        self.existing = existing
        self.setWindowTitle("Изменение категории" if existing else "Новая категория")
        self.setMinimumWidth(560)

        self.year_combo = QComboBox()
        years = set(OfficeService(database).years())
        years.add(max(years) + 1)  # the lists for the coming year are often drawn up in summer
        years.add(year)
        for value in sorted(years, reverse=True):
            self.year_combo.addItem(academic_year_label(value), value)
        self.year_combo.setCurrentIndex(
            self.year_combo.findData(existing.academic_year if existing else year)
        )

        self.category_combo = QComboBox()
        for category in Category:
            self.category_combo.addItem(f"{category.label} — {category.description.lower()}", category.value)
        self.source_combo = QComboBox()
        for source in CategorySource:
            self.source_combo.addItem(source.label, source.value)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(
            "Например: доля обучающихся, подтвердивших отметку по журналу в ВПР, ниже 50 %"
        )
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.document_edit = QLineEdit()
        self.document_edit.setPlaceholderText("приказ комитета образования от 27.08.2020 № 149")

        self.document_box = FieldBox(self.document_edit)
        self.category_box = FieldBox(self.category_combo)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()

        form = QFormLayout()
        form.addRow(QLabel(f"<b>{_html(school.display_name)}</b>"))
        form.addRow("Учебный год:", self.year_combo)
        form.addRow("Категория:", self.category_box)
        form.addRow("Источник:", self.source_combo)
        self.document_label = QLabel()
        form.addRow(self.document_label, self.document_box)
        form.addRow("Основание:", self.reason_edit)

        if existing is not None:
            self.category_combo.setCurrentIndex(self.category_combo.findData(existing.category.value))
            self.source_combo.setCurrentIndex(self.source_combo.findData(existing.source.value))
            self.reason_edit.setPlainText(existing.reason)
            self.document_edit.setText(existing.document_ref)
            # Year and category identify the entry; to move it, remove it and add another.
            self.year_combo.setEnabled(False)
            self.category_combo.setEnabled(False)
        else:
            self.source_combo.setCurrentIndex(self.source_combo.findData(CategorySource.REGIONAL.value))
        self.source_combo.currentIndexChanged.connect(self._update_document_label)
        self._update_document_label()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Сохранить")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def _update_document_label(self) -> None:
        required = self.source_combo.currentData() == CategorySource.ORDER.value
        self.document_label.setText("Приказ № … от …*:" if required else "Документ:")
        self.document_label.setToolTip(
            "Обязательно, если источник — приказ (распоряжение)" if required else ""
        )
        self.document_box.clear_error()

    def save(self) -> None:
        self.general_error.hide()
        try:
            changeset = SchoolService(self.database).set_category(
                self.school.id,
                int(self.year_combo.currentData()),
                Category(self.category_combo.currentData()),
                reason=self.reason_edit.toPlainText(),
                source=CategorySource(self.source_combo.currentData()),
                document_ref=self.document_edit.text(),
            )
        except ValidationError as exc:
            for problem in exc.problems:
                box = {"document_ref": self.document_box, "category": self.category_box}.get(problem.field)
                if box is not None:
                    box.show_error(problem.message)
                    box.editor.setFocus()
                else:
                    self.general_error.setText(problem.message)
                    self.general_error.show()
            return
        except (AppError, DatabaseError) as exc:
            self.general_error.setText(exc.message)
            self.general_error.show()
            return
        self.history.record(changeset)
        self.accept()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the card --------------------------------------------------------------------------------------
class SchoolCardDialog(QDialog):
    """Add (`school_id=None`) or edit a school. Emits `saved(id)` after a successful save."""

    saved = Signal(int)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        *,
        school_id: int | None,
        head_schools: list[tuple[int, str]],
        year: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.service = SchoolService(database)
        self.year = year
        self.school: School | None = self.service.get(school_id) if school_id is not None else None
        self.boxes: dict[str, FieldBox] = {}
        self._filling = False
        self._short_name_touched = False
        self._kind_touched = False

        name = self.school.display_name if self.school else ""
        self.setWindowTitle(f"Карточка школы — {name}" if self.school else "Новая школа")
        self.setMinimumWidth(800)

        self.tabs = QTabWidget()
        # In a scroll area: the error messages under the fields make the form grow, and a scroll
        # area re-lays its content out (a bare tab page would squeeze the messages under the fields),
        # which also keeps the card usable on a 768-pixel-high screen.
        details = QScrollArea()
        details.setWidgetResizable(True)
        details.setFrameShape(QScrollArea.Shape.NoFrame)
        form_page = self._build_details(head_schools)
        details.setWidget(form_page)
        # Tall enough for the whole form, unless the screen is not.
        screen = self.screen()
        room = screen.availableGeometry().height() - 220 if screen is not None else 600
        details.setMinimumHeight(min(form_page.sizeHint().height() + 4, max(room, 300)))
        self.tabs.addTab(details, "Сведения")
        self.categories_model = CategoryTableModel(self)
        self.tabs.addTab(self._build_categories(), "Категории по годам")
        self.branches_model = QStringListModel(self)
        self.branches_tab_index = self.tabs.addTab(self._build_branches(), "Филиалы")

        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Сохранить")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if self.school is not None and self.school.is_archived:
            banner = QLabel(self._archive_text(self.school))
            banner.setWordWrap(True)
            banner.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 6px; border-radius: 3px;")
            layout.addWidget(banner)
        layout.addWidget(self.tabs)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        self._fill()
        self.boxes["full_name"].editor.setFocus()

    # --- building --------------------------------------------------------------------------------
    def _build_details(self, head_schools: list[tuple[int, str]]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for name in SCHOOL_FIELDS:
            editor = self._make_editor(name, head_schools)
            editor.setObjectName(name)
            box = FieldBox(editor)
            self.boxes[name] = box
            label = QLabel(f"{FIELD_LABELS[name]}{'*' if name == 'full_name' else ''}:")
            label.setBuddy(editor)
            form.addRow(label, box)
        full = self.boxes["full_name"].editor
        assert isinstance(full, QPlainTextEdit)
        full.textChanged.connect(self._on_full_name_edited)
        self.line_edit("short_name").textEdited.connect(self._on_short_name_edited)
        self.combo("kind").activated.connect(self._on_kind_chosen)
        hint = QLabel(
            "* — обязательное поле. Краткое наименование и тип подставляются по полному наименованию."
        )
        hint.setStyleSheet("color: palette(mid);")
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    def _make_editor(self, name: str, head_schools: list[tuple[int, str]]) -> QWidget:
        if name == "kind":
            combo = QComboBox()
            for kind in SchoolKind:
                combo.addItem(kind.label or KIND_NONE, kind.value)
            return combo
        if name == "locality":
            combo = QComboBox()
            for locality in Locality:
                combo.addItem(locality.label or LOCALITY_NONE, locality.value)
            return combo
        if name == "parent_id":
            combo = QComboBox()
            combo.addItem(NO_PARENT, None)
            own_id = self.school.id if self.school else None
            for school_id, title in head_schools:
                if school_id != own_id:
                    combo.addItem(title, school_id)
            combo.setToolTip("Если школа — филиал, выберите головную организацию")
            return combo
        if name == "full_name":
            # Full names run to 120 characters: show them whole, wrapped, not scrolled.
            text = QPlainTextEdit()
            text.setPlaceholderText(_PLACEHOLDERS[name])
            text.setTabChangesFocus(True)
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 2 + 14)
            return text
        edit = QLineEdit()
        edit.setPlaceholderText(_PLACEHOLDERS.get(name, ""))
        if name in ("latitude", "longitude", "students", "inn"):
            edit.setMaximumWidth(220)
        return edit

    def _build_categories(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        if self.school is None:
            note = QLabel(
                "Категории по учебным годам (ШНРО, ШФНСУ, признаки необъективности) указываются "
                "после сохранения школы: сохраните карточку и откройте её снова."
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addStretch(1)
            return page
        note = QLabel(
            "Изменения категорий сохраняются сразу; отменить их можно командой «Правка → Отменить»."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.categories_view = QTableView()
        self.categories_view.setModel(self.categories_model)
        self.categories_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.categories_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.categories_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.categories_view.verticalHeader().hide()
        self.categories_view.setWordWrap(True)
        header = self.categories_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((85, 165, 240, 150)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.categories_view.doubleClicked.connect(self.edit_category)
        self.categories_view.selectionModel().currentRowChanged.connect(self._on_category_row_changed)
        layout.addWidget(self.categories_view)
        row = QHBoxLayout()
        self.add_category_button = QPushButton("Добавить…")
        self.add_category_button.clicked.connect(self.add_category)
        self.edit_category_button = QPushButton("Изменить…")
        self.edit_category_button.clicked.connect(self.edit_category)
        self.remove_category_button = QPushButton("Снять категорию")
        self.remove_category_button.clicked.connect(self.remove_category)
        for button in (self.add_category_button, self.edit_category_button, self.remove_category_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _build_branches(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.branches_note = QLabel()
        self.branches_note.setWordWrap(True)
        layout.addWidget(self.branches_note)
        view = QListView()
        view.setModel(self.branches_model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.branches_view = view
        layout.addWidget(view)
        return page

    # --- access to the editors ----------------------------------------------------------------------
    def line_edit(self, name: str) -> QLineEdit:
        editor = self.boxes[name].editor
        assert isinstance(editor, QLineEdit)
        return editor

    def full_name_edit(self) -> QPlainTextEdit:
        editor = self.boxes["full_name"].editor
        assert isinstance(editor, QPlainTextEdit)
        return editor

    def combo(self, name: str) -> QComboBox:
        editor = self.boxes[name].editor
        assert isinstance(editor, QComboBox)
        return editor

    def values(self) -> dict[str, Any]:
        """What the user typed, as the raw form `SchoolService` validates."""
        raw: dict[str, Any] = {}
        for name, box in self.boxes.items():
            editor = box.editor
            if isinstance(editor, QComboBox):
                raw[name] = editor.currentData()
            elif isinstance(editor, QLineEdit | QPlainTextEdit):
                raw[name] = plain_text(editor)
        return raw

    # --- filling --------------------------------------------------------------------------------------
    def _fill(self) -> None:
        self._filling = True
        try:
            self._fill_fields()
        finally:
            self._filling = False

    def _fill_fields(self) -> None:
        school = self.school
        if school is None:
            self._short_name_touched = False
            self._kind_touched = False
            self.tabs.setTabEnabled(self.branches_tab_index, False)
            return
        for name, value in school.values().items():
            editor = self.boxes[name].editor
            if isinstance(editor, QComboBox):
                position = editor.findData(value.value if hasattr(value, "value") else value)
                if position < 0 and name == "parent_id" and value is not None:
                    # The head school is archived (so not offered); keep it rather than lose it.
                    editor.addItem(school.parent_name or f"№ {value}", value)
                    position = editor.count() - 1
                editor.setCurrentIndex(max(position, 0))
            elif isinstance(editor, QLineEdit):
                editor.setText(_format_value(name, value))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(_format_value(name, value))
        # The short name follows the full one only while it still is the automatic abbreviation.
        self._short_name_touched = bool(school.short_name) and school.short_name != abbreviate_school_name(
            school.full_name
        )
        self._kind_touched = school.kind is not SchoolKind.NONE
        self._reload_categories()
        self._reload_branches()

    @staticmethod
    def _archive_text(school: School) -> str:
        date = (school.archived_at or "")[:10]
        if len(date) == 10:
            date = f"{date[8:10]}.{date[5:7]}.{date[0:4]}"
        text = f"Школа в архиве с {date}."
        if school.archive_reason:
            text += f" Причина: {school.archive_reason}"
        return text

    def _reload_categories(self) -> None:
        if self.school is None:
            return
        self.categories_model.set_rows(self.service.categories(self.school.id))
        self.categories_view.resizeRowsToContents()  # reasons are long: show them whole
        self._update_category_buttons()
        self.tabs.setTabText(1, f"Категории по годам ({self.categories_model.rowCount()})")

    def _reload_branches(self) -> None:
        if self.school is None:
            return
        if self.school.is_branch:
            self.branches_note.setText(
                f"Эта школа — филиал ОО «{self.school.parent_name}»; своих филиалов у неё нет."
            )
            self.branches_model.setStringList([])
            self.tabs.setTabText(self.branches_tab_index, "Филиалы")
            return
        branches = self.service.branches(self.school.id)
        names = [b.display_name + (" (архив)" if b.is_archived else "") for b in branches]
        self.branches_model.setStringList(names)
        count = len(branches)
        self.branches_note.setText(
            f"У школы {count} {plural(count, 'филиал', 'филиала', 'филиалов')}. "
            "Чтобы подчинить филиал, откройте его карточку и выберите головную ОО."
            if count
            else "Филиалов нет. Чтобы подчинить филиал, откройте его карточку и выберите эту школу "
            "в поле «Филиал ОО»."
        )
        self.tabs.setTabText(self.branches_tab_index, f"Филиалы ({count})")

    # --- automatic suggestions ------------------------------------------------------------------------
    def _on_full_name_edited(self) -> None:
        if self._filling:
            return
        text = self.full_name_edit().toPlainText()
        if not self._short_name_touched:
            self.line_edit("short_name").setText(abbreviate_school_name(text))
            self.boxes["short_name"].clear_error()
        if not self._kind_touched:
            kind = self.combo("kind")
            kind.setCurrentIndex(max(kind.findData(guess_school_kind(text)), 0))

    def _on_short_name_edited(self, text: str) -> None:
        # Cleared by the user: go back to suggesting it.
        self._short_name_touched = bool(text.strip())

    def _on_kind_chosen(self, _index: int) -> None:
        self._kind_touched = True

    # --- saving ---------------------------------------------------------------------------------------
    def clear_problems(self) -> None:
        for box in self.boxes.values():
            box.clear_error()
        self.general_error.hide()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        self.clear_problems()
        general: list[str] = []
        first: FieldBox | None = None
        for problem in problems:
            box = self.boxes.get(problem.field)
            if box is None:
                general.append(problem.message)
                continue
            box.show_error(
                problem.message if not box.has_error() else f"{box.error_text()}\n{problem.message}"
            )
            first = first or box
        if general:
            self.general_error.setText("\n".join(general))
            self.general_error.show()
        self.tabs.setCurrentIndex(0)
        if first is not None:
            first.editor.setFocus()

    def save(self) -> None:
        self.clear_problems()
        raw = self.values()
        try:
            if self.school is None:
                school_id, changeset = self.service.create(raw)
            else:
                school_id = self.school.id
                changeset = self.service.update(school_id, raw)
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return
        except (AppError, DatabaseError) as exc:
            self.general_error.setText(exc.message)
            self.general_error.show()
            return
        self.history.record(changeset)
        emit(self.saved, school_id)
        self.accept()

    # --- categories -----------------------------------------------------------------------------------
    def _update_category_buttons(self) -> None:
        has_row = self._current_category() is not None
        self.edit_category_button.setEnabled(has_row)
        self.remove_category_button.setEnabled(has_row)

    def _current_category(self) -> SchoolCategory | None:
        if self.school is None:
            return None
        index = self.categories_view.currentIndex()
        return self.categories_model.category_at(index.row()) if index.isValid() else None

    def add_category(self) -> None:
        if self.school is None:
            return
        dialog = CategoryDialog(self.database, self.history, self.school, year=self.year, parent=self)
        dialog.accepted.connect(self._reload_categories)
        dialog.open()

    def edit_category(self, *_args: object) -> None:
        category = self._current_category()
        if self.school is None or category is None:
            return
        dialog = CategoryDialog(
            self.database,
            self.history,
            self.school,
            year=category.academic_year,
            existing=category,
            parent=self,
        )
        dialog.accepted.connect(self._reload_categories)
        dialog.open()

    def remove_category(self) -> None:
        category = self._current_category()
        if category is None:
            return
        try:
            changeset = self.service.remove_category(category.id)
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message)
            return
        self.history.record(changeset)
        self._reload_categories()

    def show_categories(self) -> None:
        self.tabs.setCurrentIndex(1)

    def _on_category_row_changed(self, *_args: object) -> None:
        self._update_category_buttons()
