"""Working groups: the dialog that edits one (its title, year and members with their roles) and the
list of a year's groups with «Создать», «Изменить», «Удалить».

Both are opened with `open()` (window-modal, never blocking). Every write goes through
`OrderService` and its change set onto the undo stack (`ChangeHistory.record`); the group dialog
reports the saved group's id through `saved`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.errors import AppError, ValidationError
from app.office import OfficeService
from app.orders.model import GroupMember, MemberRole, WorkingGroup
from app.orders.service import OrderService
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.forms import ERROR_STYLE, FieldBox
from ui.signals import emit, protect_none
from ui.undo import ChangeHistory

protect_none()

_Index = QModelIndex | QPersistentModelIndex
NO_YEAR = -1  # the year combo's data for «без учебного года»

ROLE_COLUMN, NAME_COLUMN, JOB_COLUMN = 0, 1, 2
MEMBER_HEADERS = ("Роль", "Фамилия, имя, отчество", "Должность")


@dataclass
class MemberRow:
    role: MemberRole = MemberRole.MEMBER
    full_name: str = ""
    job_title: str = ""
    person_id: int | None = None

    def member(self) -> GroupMember:
        return GroupMember(self.full_name, self.job_title, self.role, self.person_id)


class MembersModel(QAbstractTableModel):
    """The members in their printed order; the role column edits as a choice of `MemberRole`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[MemberRow] = []

    def set_members(self, members: list[GroupMember] | tuple[GroupMember, ...]) -> None:
        self.beginResetModel()
        self.rows = [MemberRow(m.role, m.full_name, m.job_title, m.person_id) for m in members]
        self.endResetModel()

    def members(self) -> list[GroupMember]:
        return [row.member() for row in self.rows]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MEMBER_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return MEMBER_HEADERS[section] if 0 <= section < len(MEMBER_HEADERS) else None
        return str(section + 1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == ROLE_COLUMN:
                return row.role.label
            return row.full_name if column == NAME_COLUMN else row.job_title
        if role == Qt.ItemDataRole.EditRole:
            if column == ROLE_COLUMN:
                return row.role.value
            return row.full_name if column == NAME_COLUMN else row.job_title
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return False
        row = self.rows[index.row()]
        if index.column() == ROLE_COLUMN:
            chosen = role_from(value)
            if chosen is None:
                return False
            row.role = chosen
        elif index.column() == NAME_COLUMN:
            row.full_name = " ".join(str(value or "").split())
        else:
            row.job_title = " ".join(str(value or "").split())
        emit(self.dataChanged, index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    # --- editing rows ----------------------------------------------------------------------------
    def insert(self, position: int, member: MemberRow) -> int:
        position = max(0, min(position, len(self.rows)))
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.insert(position, member)
        self.endInsertRows()
        return position

    def remove(self, position: int) -> None:
        if 0 <= position < len(self.rows):
            self.beginRemoveRows(QModelIndex(), position, position)
            del self.rows[position]
            self.endRemoveRows()

    def move(self, position: int, delta: int) -> int:
        """Move a row up (-1) or down (+1); returns where it is now."""
        target = position + delta
        if not (0 <= position < len(self.rows)) or not (0 <= target < len(self.rows)):
            return position
        # beginMoveRows wants the destination *before* which the row lands.
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), position, position, QModelIndex(), destination)
        self.rows.insert(target, self.rows.pop(position))
        self.endMoveRows()
        return target


def role_from(value: object) -> MemberRole | None:
    """A role from its value («chair»), its label or the role itself."""
    if isinstance(value, MemberRole):
        return value
    text = str(value or "").strip()
    for role in MemberRole:
        if text in (role.value, role.label):
            return role
    return None


class RoleDelegate(QStyledItemDelegate):
    """The role column: a drop-down list of the roles' Russian names; a choice is saved at once."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("memberRoleEditor")
        for role in MemberRole:
            combo.addItem(role.label, role.value)
        combo.activated.connect(lambda _i, c=combo: self._chosen(c))
        return combo

    def _chosen(self, combo: QComboBox) -> None:
        emit(self.commitData, combo)
        emit(self.closeEditor, combo, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


def _year_combo(database: Database, year: int | None) -> QComboBox:
    combo = QComboBox()
    years = OfficeService(database).years()
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    for start in years:
        combo.addItem(f"{academic_year_label(start)} учебный год", start)
    combo.addItem("без учебного года", NO_YEAR)
    combo.setCurrentIndex(max(0, combo.findData(NO_YEAR if year is None else year)))
    return combo


def _combo_year(combo: QComboBox) -> int | None:
    value = combo.currentData()
    return None if value is None or int(value) == NO_YEAR else int(value)


class WorkingGroupDialog(QDialog):
    """One working group: title, academic year and members (role, name, position) in order."""

    saved = Signal(int)  # the group's id

    def __init__(
        self,
        parent: QWidget | None,
        database: Database,
        history: ChangeHistory,
        group_id: int | None,
        year: int | None,
    ) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.service = OrderService(database)
        self.group_id = group_id
        group: WorkingGroup | None = self.service.working_group(group_id) if group_id is not None else None
        if group is not None:
            year = group.academic_year
        self.setWindowTitle("Рабочая группа" if group is not None else "Новая рабочая группа")
        self.resize(820, 560)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(
            "например, «Рабочая группа по сопровождению школ с низкими результатами»"
        )
        self.title_box = FieldBox(self.title_edit)
        self.year_combo = _year_combo(database, year)

        self.model = MembersModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.role_delegate = RoleDelegate(self.table)
        self.table.setItemDelegateForColumn(ROLE_COLUMN, self.role_delegate)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ROLE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(ROLE_COLUMN, 230)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(JOB_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)

        self.add_button = QPushButton("Добавить")
        self.add_button.setToolTip("Добавить участника после выбранного")
        self.add_button.clicked.connect(lambda: self.add_member())
        self.remove_button = QPushButton("Удалить")
        self.remove_button.clicked.connect(self.remove_member)
        self.up_button = QPushButton("Выше")
        self.up_button.clicked.connect(lambda: self.move_member(-1))
        self.down_button = QPushButton("Ниже")
        self.down_button.clicked.connect(lambda: self.move_member(1))
        side = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            side.addWidget(button)
        side.addStretch(1)

        self.error_label = QLabel()
        self.error_label.setObjectName("membersError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        hint = QLabel(
            "Порядок строк — порядок в приказе. Роль выбирается из списка (двойной щелчок по ячейке)."
        )
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Название:", self.title_box)
        form.addRow("Учебный год:", self.year_combo)
        members = QHBoxLayout()
        members.addWidget(self.table, 1)
        members.addLayout(side)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Сохранить", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Состав</b>"))
        layout.addWidget(hint)
        layout.addLayout(members, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        if group is not None:
            self.title_edit.setText(group.title)
            self.model.set_members(group.members)
        else:
            self.add_member(role=MemberRole.CHAIR)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.model.rowsInserted.connect(lambda *_: self._clear_member_error())
        self.model.rowsRemoved.connect(lambda *_: self._clear_member_error())
        self.model.dataChanged.connect(lambda *_: self._clear_member_error())
        self._update_buttons()

    # --- members -------------------------------------------------------------------------------------
    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def add_member(
        self, full_name: str = "", job_title: str = "", role: MemberRole | None = None, *, edit: bool = True
    ) -> int:
        """A new row after the selected one (at the end when none is); returns its number (0-based)."""
        if role is None:
            taken = {row.role for row in self.model.rows}
            role = (
                MemberRole.CHAIR
                if MemberRole.CHAIR not in taken and not self.model.rows
                else MemberRole.MEMBER
            )
        current = self.current_row()
        position = current + 1 if current >= 0 else len(self.model.rows)
        position = self.model.insert(position, MemberRow(role, full_name, job_title))
        index = self.model.index(position, NAME_COLUMN)
        self.table.setCurrentIndex(index)
        if edit and not full_name and self.isVisible():
            self.table.edit(index)
        self._update_buttons()
        return position

    def remove_member(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self._close_editor()
        self.model.remove(row)
        if self.model.rows:
            self.table.setCurrentIndex(self.model.index(min(row, len(self.model.rows) - 1), NAME_COLUMN))
        self._update_buttons()

    def move_member(self, delta: int) -> None:
        row = self.current_row()
        if row < 0:
            return
        self._close_editor()
        column = max(0, self.table.currentIndex().column())
        moved = self.model.move(row, delta)
        self.table.setCurrentIndex(self.model.index(moved, column))
        self._update_buttons()

    def _close_editor(self) -> None:
        """Commit a cell being edited (clicking a button keeps the editor open otherwise)."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            editor = self.table.indexWidget(self.table.currentIndex())
            if editor is not None:
                emit(self.table.itemDelegate(self.table.currentIndex()).commitData, editor)
                emit(
                    self.table.itemDelegate(self.table.currentIndex()).closeEditor,
                    editor,
                    QAbstractItemDelegate.EndEditHint.NoHint,
                )

    def _update_buttons(self) -> None:
        row = self.current_row()
        count = len(self.model.rows)
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)

    def _clear_member_error(self) -> None:
        if not self.error_label.isHidden():
            self.error_label.clear()
            self.error_label.hide()

    # --- saving ----------------------------------------------------------------------------------------
    def values(self) -> dict[str, object]:
        return {
            "title": self.title_edit.text(),
            "year": _combo_year(self.year_combo),
            "members": self.model.members(),
        }

    def save(self) -> None:
        self._close_editor()
        self.title_box.clear_error()
        self._clear_member_error()
        try:
            group_id, changeset = self.service.save_working_group(
                self.group_id,
                title=self.title_edit.text(),
                year=_combo_year(self.year_combo),
                members=self.model.members(),
            )
        except ValidationError as exc:
            self._show_problems(exc)
            return
        except (AppError, DatabaseError) as exc:
            self._show_member_error(exc.message)
            return
        self.group_id = group_id
        self.history.record(changeset)
        emit(self.saved, group_id)
        self.accept()

    def _show_problems(self, exc: ValidationError) -> None:
        member_lines = []
        for problem in exc.problems:
            if problem.field == "title":
                self.title_box.show_error(problem.message)
            else:
                member_lines.append(problem.message)
        if member_lines:
            self._show_member_error("\n".join(member_lines))
            # Select the first row the message names («Строка 3: …»).
            first = member_lines[0]
            if first.startswith("Строка "):
                number = first.removeprefix("Строка ").split(":", 1)[0]
                if number.isdigit() and 0 < int(number) <= len(self.model.rows):
                    self.table.setCurrentIndex(self.model.index(int(number) - 1, NAME_COLUMN))
        if exc.problems and exc.problems[0].field == "title":
            self.title_edit.setFocus()
        else:
            self.table.setFocus()

    def _show_member_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()


class GroupsModel(QAbstractTableModel):
    HEADERS = ("Рабочая группа", "Председатель", "Участников")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[WorkingGroup] = []

    def set_groups(self, groups: list[WorkingGroup]) -> None:
        self.beginResetModel()
        self.groups = list(groups)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.groups)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not (0 <= index.row() < len(self.groups)):
            return None
        group = self.groups[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == 0:
                return group.title
            if index.column() == 1:
                chair = next((m for m in group.members if m.role is MemberRole.CHAIR), None)
                return chair.full_name if chair else "—"
            return str(len(group.members))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class WorkingGroupsDialog(QDialog):
    """The working groups of an academic year: create, edit, delete (undoable)."""

    def __init__(
        self, parent: QWidget | None, database: Database, history: ChangeHistory, year: int | None
    ) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.database = database
        self.history = history
        self.service = OrderService(database)
        self.setWindowTitle("Рабочие группы")
        self.resize(760, 460)
        self._deleted: ChangeSet | None = None  # the last deletion's change set, for «Вернуть»

        self.year_combo = _year_combo(database, year)
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.model = GroupsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.edit_group())
        self.empty_label = QLabel("В этом учебном году рабочих групп нет. Нажмите «Создать».")
        self.empty_label.setStyleSheet("color: #555;")

        self.create_button = QPushButton("Создать")
        self.create_button.clicked.connect(self.create_group)
        self.edit_button = QPushButton("Изменить")
        self.edit_button.clicked.connect(self.edit_group)
        self.delete_button = QPushButton("Удалить")
        self.delete_button.clicked.connect(self.delete_group)
        side = QVBoxLayout()
        for button in (self.create_button, self.edit_button, self.delete_button):
            side.addWidget(button)
        side.addStretch(1)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.undo_button = QPushButton("Вернуть")
        self.undo_button.setToolTip("Отменить удаление")
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_button.hide()
        status = QHBoxLayout()
        status.addWidget(self.status_label, 1)
        status.addWidget(self.undo_button)

        buttons = QDialogButtonBox()
        buttons.addButton("Закрыть", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel("Учебный год:"))
        top.addWidget(self.year_combo)
        top.addStretch(1)
        body = QHBoxLayout()
        list_box = QVBoxLayout()
        list_box.addWidget(self.table, 1)
        list_box.addWidget(self.empty_label)
        body.addLayout(list_box, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addLayout(status)
        layout.addWidget(buttons)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        history.changed.connect(self._on_history_changed)
        self.reload()

    @property
    def year(self) -> int | None:
        return _combo_year(self.year_combo)

    def reload(self, select_id: int | None = None) -> None:
        if select_id is None:
            select_id = self.selected_group_id()
        groups = [g for g in self.service.list_working_groups(self.year) if g.academic_year == self.year]
        self.model.set_groups(groups)
        self.empty_label.setVisible(not groups)
        row = next((i for i, g in enumerate(groups) if g.id == select_id), 0 if groups else -1)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()

    def selected_group_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not (0 <= index.row() < len(self.model.groups)):
            return None
        return self.model.groups[index.row()].id

    def _update_buttons(self) -> None:
        chosen = self.selected_group_id() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _on_history_changed(self, _changeset: object) -> None:
        self.reload()

    # --- actions ------------------------------------------------------------------------------------
    def create_group(self) -> WorkingGroupDialog:
        return self._open_group(None)

    def edit_group(self) -> WorkingGroupDialog | None:
        group_id = self.selected_group_id()
        return self._open_group(group_id) if group_id is not None else None

    def _open_group(self, group_id: int | None) -> WorkingGroupDialog:
        dialog = WorkingGroupDialog(self, self.database, self.history, group_id, self.year)
        dialog.saved.connect(self._on_saved)
        dialog.open()
        return dialog

    def _on_saved(self, group_id: int) -> None:
        self.reload(select_id=group_id)
        self.status_label.clear()
        self.undo_button.hide()

    def delete_group(self) -> None:
        group_id = self.selected_group_id()
        if group_id is None:
            return
        try:
            title = self.service.working_group(group_id).title
            changeset = self.service.delete_working_group(group_id)
        except (AppError, DatabaseError) as exc:
            self.status_label.setText(exc.message)
            self.undo_button.hide()
            return
        self.history.record(changeset)
        self._deleted = changeset
        self.reload()
        self.status_label.setText(f"Рабочая группа «{title}» удалена.")
        self.undo_button.show()

    def undo_delete(self) -> None:
        """Undo the deletion, if it is still the last step on the undo stack."""
        stack = self.history.stack
        index = stack.index() - 1
        command = stack.command(index) if index >= 0 else None
        if command is None or getattr(command, "changeset", None) is not self._deleted:
            self.status_label.setText("Удаление уже нельзя вернуть отсюда: после него были другие изменения.")
            self.undo_button.hide()
            return
        self.history.undo()
        self._deleted = None
        self.undo_button.hide()
        self.status_label.setText("Рабочая группа возвращена.")
