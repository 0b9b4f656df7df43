"""One school's checklist: the template's tree with an editor per criterion fitting its type, a
comment per criterion, completeness on top and «Сохранить» (Ctrl+S) writing every change of the
school in one `set_values` call — one undo step. A refused save marks the criteria it names in red
and keeps what the user typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ValidationError
from app.monitoring.service import Criterion, MonitoringService, StoredValue, display_value
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import show_error
from ui.signals import emit
from ui.undo import ChangeHistory

_Index = QModelIndex | QPersistentModelIndex
ERROR_COLOUR = QColor("#b71c1c")
ERROR_BACKGROUND = QColor("#fdecea")
CHANGED_BACKGROUND = QColor("#fff8dc")
NOT_SET = "—"
DATE_NOT_SET = "не указана"
EMPTY_DATE = QDate(1900, 1, 1)
CRITERION_ROLE = Qt.ItemDataRole.UserRole + 1


class ChecklistModel(QAbstractItemModel):
    """The template tree (index internal ids are criterion ids) with the school's values.

    Values are kept as the user typed them (`edit_text`) until saved; `changes()` lists what differs
    from the stored values."""

    TITLE = 0
    VALUE = 1
    COMMENT = 2
    PROBLEM = 3
    HEADERS = ("Пункт", "Значение", "Комментарий", "Замечание")

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.criteria: dict[int, Criterion] = {}
        self.children: dict[int | None, list[int]] = {None: []}
        self.row_in_parent: dict[int, int] = {}
        self.stored: dict[int, StoredValue] = {}
        self.values: dict[int, str] = {}  # criterion → the text shown (typed or stored)
        self.comments: dict[int, str] = {}
        self.errors: dict[int, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # --- data in -------------------------------------------------------------------------------
    def set_tree(self, criteria: list[Criterion]) -> None:
        self.beginResetModel()
        self.criteria = {c.id: c for c in criteria}
        self.children = {None: []}
        self.row_in_parent = {}
        for criterion in criteria:
            siblings = self.children.setdefault(criterion.parent_id, [])
            self.row_in_parent[criterion.id] = len(siblings)
            siblings.append(criterion.id)
        self.stored, self.values, self.comments, self.errors = {}, {}, {}, {}
        self.endResetModel()

    def set_stored(self, stored: dict[int, StoredValue], *, keep_typed: bool = False) -> None:
        """The school's saved values; `keep_typed` keeps unsaved input over them."""
        typed = self.changes() if keep_typed else {}
        self.beginResetModel()
        self.stored = dict(stored)
        self.values = {cid: self.stored_text(cid) for cid in self.criteria}
        self.comments = {cid: v.comment for cid, v in self.stored.items()}
        for cid, (value, comment) in typed.items():
            self.values[cid] = value
            self.comments[cid] = comment
        if not keep_typed:
            self.errors = {}
        self.endResetModel()

    def stored_text(self, criterion_id: int) -> str:
        stored = self.stored.get(criterion_id)
        criterion = self.criteria[criterion_id]
        return display_value(criterion, stored.value) if stored and not criterion.is_group else ""

    # --- questions -----------------------------------------------------------------------------------
    def changes(self) -> dict[int, tuple[str, str]]:
        """Criteria whose value or comment differs from the stored one: (value text, comment)."""
        found = {}
        for cid, criterion in self.criteria.items():
            if criterion.is_group:
                continue
            value = self.values.get(cid, "")
            comment = self.comments.get(cid, "")
            stored = self.stored.get(cid)
            if value != self.stored_text(cid) or comment != (stored.comment if stored else ""):
                found[cid] = (value, comment)
        return found

    def is_dirty(self) -> bool:
        return bool(self.changes())

    def required_filled(self) -> tuple[int, int]:
        required = [cid for cid, c in self.criteria.items() if c.required and not c.is_group]
        return sum(1 for cid in required if self.values.get(cid, "").strip()), len(required)

    def criterion(self, index: _Index) -> Criterion | None:
        return self.criteria.get(index.internalId()) if index.isValid() else None

    def index_of(self, criterion_id: int, column: int = 0) -> QModelIndex:
        row = self.row_in_parent.get(criterion_id)
        return QModelIndex() if row is None else self.createIndex(row, column, criterion_id)

    def set_errors(self, errors: dict[int, str]) -> None:
        self.errors = dict(errors)
        self._refresh_all()

    def _refresh_all(self) -> None:
        for cid in self.criteria:
            emit(self.dataChanged, self.index_of(cid, 0), self.index_of(cid, self.PROBLEM))

    # --- Qt: the tree --------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        parent_id = parent.internalId() if parent.isValid() else None
        siblings = self.children.get(parent_id, [])
        if 0 <= row < len(siblings) and 0 <= column < len(self.HEADERS):
            return self.createIndex(row, column, siblings[row])
        return QModelIndex()

    def parent(self, index: _Index) -> QModelIndex:  # type: ignore[override]
        criterion = self.criterion(index)
        if criterion is None or criterion.parent_id is None:
            return QModelIndex()
        return self.index_of(criterion.parent_id)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.children.get(parent.internalId() if parent.isValid() else None, []))

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        criterion = self.criterion(index)
        if criterion is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not criterion.is_group and index.column() in (self.VALUE, self.COMMENT):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        criterion = self.criterion(index)
        if criterion is None:
            return None
        cid, column = criterion.id, index.column()
        if role == CRITERION_ROLE:
            return criterion
        error = self.errors.get(cid)
        if role == Qt.ItemDataRole.FontRole and criterion.is_group:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and error and column in (self.TITLE, self.PROBLEM):
            return QBrush(ERROR_COLOUR)
        if role == Qt.ItemDataRole.BackgroundRole and column == self.VALUE and not criterion.is_group:
            if error:
                return QBrush(ERROR_BACKGROUND)
            if self.values.get(cid, "") != self.stored_text(cid):
                return QBrush(CHANGED_BACKGROUND)
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == self.TITLE:
                mark = " *" if criterion.required and not criterion.is_group else ""
                return f"{criterion.label}{mark}" if role == Qt.ItemDataRole.DisplayRole else criterion.label
            if criterion.is_group:
                return None
            if column == self.VALUE:
                return self.values.get(cid, "")
            if column == self.COMMENT:
                return self.comments.get(cid, "")
            if column == self.PROBLEM and role == Qt.ItemDataRole.DisplayRole:
                return error or ""
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if error:
                return error
            if column == self.TITLE:
                hint = f"\n{criterion.hint}" if criterion.hint else ""
                return f"{criterion.label}{hint}"
            return None
        return None

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        criterion = self.criterion(index)
        if criterion is None or criterion.is_group or role != Qt.ItemDataRole.EditRole:
            return False
        text = "" if value is None else str(value)
        if index.column() == self.VALUE:
            if text.strip() == NOT_SET:
                text = ""
            self.values[criterion.id] = text
        elif index.column() == self.COMMENT:
            self.comments[criterion.id] = text
        else:
            return False
        self.errors.pop(criterion.id, None)
        emit(self.dataChanged, self.index_of(criterion.id, 0), self.index_of(criterion.id, self.PROBLEM))
        return True


class ValueDelegate(QStyledItemDelegate):
    """The value column's editor by the criterion's type."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        criterion = index.data(CRITERION_ROLE)
        kind = criterion.value_type if isinstance(criterion, Criterion) else "text"
        if kind in ("yesno", "choice"):
            combo = QComboBox(parent)
            combo.setObjectName("monitoringChoiceEditor")
            combo.addItem(NOT_SET, "")
            for choice in ("да", "нет") if kind == "yesno" else criterion.choices:
                combo.addItem(choice, choice)
            combo.activated.connect(lambda _i, c=combo: self._chosen(c))
            return combo
        if kind == "date":
            edit = QDateEdit(parent)
            edit.setObjectName("monitoringDateEditor")
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setCalendarPopup(True)
            edit.setMinimumDate(EMPTY_DATE)
            edit.setSpecialValueText(DATE_NOT_SET)
            return edit
        line = QLineEdit(parent)
        line.setObjectName("monitoringValueEditor")
        if kind in ("number", "percent"):
            # Digits, spaces, a decimal comma and «%»: the service says what is still wrong.
            line.setValidator(QRegularExpressionValidator(QRegularExpression(r"[\d\s.,%]*"), line))
            line.setPlaceholderText("число" if kind == "number" else "процент, до 100")
        elif kind == "document":
            line.setPlaceholderText("№ … от ДД.ММ.ГГГГ")
        return line

    def _chosen(self, combo: QComboBox) -> None:
        emit(self.commitData, combo)
        emit(self.closeEditor, combo, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, QComboBox):
            found = editor.findData(text)
            editor.setCurrentIndex(max(found, 0))
        elif isinstance(editor, QDateEdit):
            editor.setDate(_qdate(text) or EMPTY_DATE)
        elif isinstance(editor, QLineEdit):
            editor.setText(text)
            editor.selectAll()
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QDateEdit):
            chosen = editor.date()
            text = "" if chosen == EMPTY_DATE else chosen.toString("dd.MM.yyyy")
            model.setData(index, text, Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


def _qdate(text: str) -> QDate | None:
    parts = text.strip().split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            day = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return None
        return QDate(day.year, day.month, day.day)
    return None


class ChecklistPanel(QWidget):
    """The checklist of one school in one campaign; `saved` after a successful save."""

    saved = Signal(int)  # school id
    closed = Signal()

    def __init__(self, database: Database, history: ChangeHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = MonitoringService(database)
        self.history = history
        self.campaign_id: int | None = None
        self.school_id: int | None = None
        self.school_name = ""

        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.title.setWordWrap(True)
        self.completeness = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.model = ChecklistModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setItemDelegateForColumn(ChecklistModel.VALUE, ValueDelegate(self.tree))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column, width in enumerate((340, 140, 130)):
            header.resizeSection(column, width)

        self.save_action = QAction("Сохранить", self)
        self.save_action.setShortcut("Ctrl+S")
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.setToolTip("Сохранить значения школы (Ctrl+S); отменить можно Ctrl+Z")
        self.save_action.triggered.connect(lambda _checked=False: self.save())
        self.addAction(self.save_action)
        self.save_button = QPushButton("Сохранить")
        self.save_button.setToolTip(self.save_action.toolTip())
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.close_button = QPushButton("Закрыть")
        self.close_button.setToolTip("Закрыть чек-лист школы")
        self.close_button.clicked.connect(lambda _checked=False: self.confirm_then(self._close))

        top = QHBoxLayout()
        top.addWidget(self.completeness, 1)
        top.addWidget(self.save_button)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        self.model.dataChanged.connect(lambda *_args: self._update_header())
        self.model.modelReset.connect(self._update_header)
        self._update_header()

    # --- loading -------------------------------------------------------------------------------------
    def open_school(self, campaign_id: int, template_id: int, school_id: int, school_name: str) -> None:
        if campaign_id != self.campaign_id or not self.model.criteria:
            self.model.set_tree(self.service.criteria(template_id))
        self.campaign_id, self.school_id, self.school_name = campaign_id, school_id, school_name
        self.title.setText(school_name)
        self.status.clear()
        self.model.set_stored(self.service.values(campaign_id, school_id))
        self.tree.expandAll()

    def reload(self) -> None:
        """The stored values again (after undo or someone's write); typed input stays."""
        if self.campaign_id is None or self.school_id is None:
            return
        self.model.set_stored(self.service.values(self.campaign_id, self.school_id), keep_typed=True)
        self.tree.expandAll()

    def clear(self) -> None:
        self.campaign_id = self.school_id = None
        self.model.set_tree([])

    def _update_header(self) -> None:
        done, total = self.model.required_filled()
        text = f"Заполнено обязательных пунктов: {done} из {total}"
        if self.model.is_dirty():
            text += " (есть несохранённые изменения)"
        self.completeness.setText(text)

    # --- saving --------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Write every change of the school in one call; False (and the rows marked) when refused."""
        if self.campaign_id is None or self.school_id is None:
            return False
        view = self.tree
        if view.state() == QAbstractItemView.State.EditingState:
            editor = view.indexWidget(view.currentIndex())
            if editor is not None:  # the value being typed counts too
                view.commitData(editor)
        changes = self.model.changes()
        if not changes:
            self.status.setText("Изменений нет.")
            self.status.setStyleSheet("")
            return True
        raw: dict[int, object] = {cid: value for cid, (value, _comment) in changes.items()}
        comments = {cid: comment for cid, (_value, comment) in changes.items()}
        try:
            changeset = self.service.set_values(
                self.campaign_id,
                self.school_id,
                raw,
                comments=comments,
                description=f"Мониторинг: {self.school_name}",
            )
        except ValidationError as exc:
            errors = {}
            for problem in exc.problems:
                if problem.field.isdigit() and int(problem.field) in self.model.criteria:
                    # The row names the criterion already: the message without its label.
                    label = self.model.criteria[int(problem.field)].label + ": "
                    errors[int(problem.field)] = problem.message.removeprefix(label)
            self.model.set_errors(errors)
            count = len(exc.problems)
            self.status.setText(f"Не сохранено: исправьте отмеченные красным пункты ({count}).")
            self.status.setStyleSheet(f"color: {ERROR_COLOUR.name()};")
            first = min(errors, key=lambda cid: self.model.criteria[cid].position, default=None)
            if first is not None:
                self.tree.scrollTo(self.model.index_of(first))
                self.tree.setCurrentIndex(self.model.index_of(first, ChecklistModel.VALUE))
            return False
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Не сохранено")
            return False
        self.status.setText("Сохранено. Отменить — Ctrl+Z.")
        self.status.setStyleSheet("color: #2e7d32;")
        # Stored values first: the history's `changed` reloads the page with nothing unsaved.
        self.model.set_stored(self.service.values(self.campaign_id, self.school_id))
        self.tree.expandAll()
        self._recording = True
        try:
            self.history.record(changeset)
        finally:
            self._recording = False
        emit(self.saved, self.school_id)
        return True

    def note_change(self, _changeset: ChangeSet) -> None:
        """Any change but this save being recorded (an undo, a redo, an import): «Сохранено»
        would no longer describe the values on screen."""
        if not getattr(self, "_recording", False):
            self.status.setText("")

    # --- leaving ---------------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self.school_id is not None and self.model.is_dirty()

    def confirm_then(self, then: Callable[[], object]) -> QMessageBox | None:
        """Run `then` now when nothing is unsaved; else ask to save, discard or stay."""
        if not self.is_dirty():
            then()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Несохранённые изменения",
            f"Значения школы «{self.school_name}» изменены и не сохранены. Сохранить их?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextFormat(Qt.TextFormat.PlainText)
        save = box.addButton("Сохранить", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Не сохранять", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Отмена", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)

        def chosen(button: object) -> None:
            if button is save:
                if self.save():
                    then()
            elif button is discard:
                self.discard()
                then()

        box.buttonClicked.connect(chosen)
        box.open()
        return box

    def discard(self) -> None:
        if self.campaign_id is not None and self.school_id is not None:
            self.model.set_stored(self.service.values(self.campaign_id, self.school_id))
            self.tree.expandAll()
        self.status.clear()

    def _close(self) -> None:
        self.clear()
        emit(self.closed)
