"""«Шаблон мониторинга»: an office makes its own template or adapts an installed one.

A template a campaign uses must never change under it, so the editor never overwrites: «Сохранить
как новую версию» stores the tree as the next version of its key (MonitoringService.save_template,
one undo step). The tree is a small QTreeWidget: number (automatic: 1, 2 … 6.1, 6.2 …), wording,
type, required, choices (for «Выбор из списка»), hint. What is wrong is shown in red in the dialog,
in the words of the template checker, and nothing is stored.

Reused like CampaignDialog: `load(template_id)` refills it, so the page keeps one and it is never
deleted while the page lives (no self-deleting QObject held from Python).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, os_reason
from app.exporting.files import check_target, write_atomically
from app.monitoring.service import MonitoringService
from app.monitoring.templates import (
    CRITERION_TYPES,
    CriterionSpec,
    TemplateError,
    TemplateSpec,
    load_template,
    template_from_json,
    template_to_json,
    write_template,
)
from app.text import plural
from db.connection import Database
from db.errors import DatabaseError
from ui.signals import emit
from ui.undo import ChangeHistory

NUMBER, TITLE, TYPE, REQUIRED, CHOICES, HINT = range(6)
HEADERS = ("№", "Формулировка", "Тип", "Обязательный", "Варианты ответа (через запятую)", "Подсказка")
TYPE_ROLE = Qt.ItemDataRole.UserRole  # on the TYPE column: the type's key («choice»)
POINTS_ROLE = Qt.ItemDataRole.UserRole + 1  # on the NUMBER column: points as text, '' for none
ERROR_STYLE = "color: #b71c1c;"
DONE_STYLE = "color: #2e7d32;"
JSON_FILTER = "Шаблон мониторинга (*.json)"

_Index = QModelIndex | QPersistentModelIndex

# Russian letters in Latin (ъ and ь dropped) for a key made from a title.
_TRANSLIT = {
    **dict(zip("абвгдеёзийклмнопрстуфхыэ", "abvgdeeziyklmnoprstufhye", strict=True)),
    **{"ж": "zh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"},
}


def slug(title: str) -> str:
    """A template key from its title: «Проверка кадров 2021» → «proverka_kadrov_2021»."""
    latin = "".join(_TRANSLIT.get(char, char) for char in title.lower())
    key = re.sub(r"[^a-z0-9]+", "_", latin).strip("_")[:40].strip("_")
    return key or "template"


def parse_choices(text: str) -> tuple[str, ...]:
    """«высокий, средний, низкий» → three choices; «;» separates when a choice has a comma."""
    separator = ";" if ";" in text else ","
    return tuple(part.strip() for part in text.split(separator) if part.strip())


def format_choices(choices: tuple[str, ...]) -> str:
    return ("; " if any("," in choice for choice in choices) else ", ").join(choices)


class _CellDelegate(QStyledItemDelegate):
    """Which cells take typing: the wording and the hint always, the type from a list (not for a
    group that has items), the choices only for «Выбор из списка»; the number never."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        column = index.column()
        if column in (NUMBER, REQUIRED):
            return None  # type: ignore[return-value]
        kind = index.siblingAtColumn(TYPE).data(TYPE_ROLE)
        if column == TYPE:
            if index.model().hasChildren(index.siblingAtColumn(0)):
                return None  # type: ignore[return-value]
            combo = QComboBox(parent)
            combo.setObjectName("templateTypeEditor")
            for key, label in CRITERION_TYPES.items():
                combo.addItem(label, key)
            combo.activated.connect(lambda _i, c=combo: self._chosen(c))
            return combo
        if column == CHOICES and kind != "choice":
            return None  # type: ignore[return-value]
        line = QLineEdit(parent)
        line.setObjectName("templateTextEditor")
        if column == CHOICES:
            line.setPlaceholderText("высокий, средний, низкий")
        return line

    def _chosen(self, combo: QComboBox) -> None:
        emit(self.commitData, combo)
        emit(self.closeEditor, combo, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(TYPE_ROLE)), 0))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), TYPE_ROLE)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.DisplayRole)
        else:
            super().setModelData(editor, model, index)


class TemplateEditorDialog(QDialog):
    """Edit a template (a copy: saved as its next version) or make a new one (`template_id` None)."""

    saved = Signal(int)  # the id of the version just stored

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        template_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.service = MonitoringService(database)
        self.template_id: int | None = None
        self.version = 1
        self._loaded_key = ""
        self.saved_id: int | None = None
        self._dirty = False
        self._updating = False
        self._key_touched = False
        self._on_confirm: Callable[[], object] | None = None
        self.setMinimumSize(960, 660)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(
            "Например: Итоговый мониторинг программ повышения качества образования"
        )
        self.key_edit = QLineEdit()
        self.key_edit.setToolTip(
            "Ключ шаблона: строчные латинские буквы, цифры, «_» и «-». Версии одного шаблона "
            "имеют один ключ; для нового шаблона ключ составляется из названия."
        )
        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText("Документ, которым утверждены критерии (приказ, письмо)")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(54)
        self.version_label = QLabel()
        self.version_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Название:", self.title_edit)
        form.addRow("Ключ:", self.key_edit)
        form.addRow("Источник:", self.source_edit)
        form.addRow("Описание:", self.description_edit)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(HEADERS))
        self.tree.setHeaderLabels(list(HEADERS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.tree.setAlternatingRowColors(True)
        self._delegate = _CellDelegate(self.tree)
        self.tree.setItemDelegate(self._delegate)
        for column, width in ((NUMBER, 80), (TITLE, 360), (TYPE, 150), (REQUIRED, 40), (CHOICES, 190)):
            self.tree.setColumnWidth(column, width)

        self.add_button = QPushButton("Добавить пункт")
        self.add_button.setToolTip("Новый пункт после выбранного, на том же уровне")
        self.add_sub_button = QPushButton("Добавить подпункт")
        self.add_sub_button.setToolTip("Новый пункт внутри выбранной группы, в её конце")
        self.add_group_button = QPushButton("Добавить группу")
        self.add_group_button.setToolTip(
            "Группа — заголовок без своего значения; в неё добавляются подпункты"
        )
        self.delete_button = QPushButton("Удалить…")
        self.delete_button.setToolTip("Удалить выбранный пункт (группу — вместе с её пунктами)")
        self.up_button = QPushButton("Выше")
        self.up_button.setToolTip("Переместить выше среди пунктов того же уровня (Ctrl+↑)")
        self.down_button = QPushButton("Ниже")
        self.down_button.setToolTip("Переместить ниже среди пунктов того же уровня (Ctrl+↓)")
        tools = QHBoxLayout()
        for button in (self.add_button, self.add_sub_button, self.add_group_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.up_button)
        tools.addWidget(self.down_button)
        for text, keys, slot in (
            ("Удалить", QKeySequence(QKeySequence.StandardKey.Delete), self.delete_current),
            ("Выше", QKeySequence("Ctrl+Up"), self.move_up),
            ("Ниже", QKeySequence("Ctrl+Down"), self.move_down),
        ):
            action = QAction(text, self.tree)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # not while typing in a cell
            action.triggered.connect(lambda _checked=False, run=slot: run())
            self.tree.addAction(action)

        self.counts_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        self.import_button = QPushButton("Импорт из файла…")
        self.import_button.setToolTip(
            "Загрузить в редактор шаблон из файла .json (например, от другого управления)"
        )
        self.export_button = QPushButton("Экспорт в файл…")
        self.export_button.setToolTip("Сохранить шаблон из редактора в файл .json, чтобы передать его")
        self.save_button = QPushButton("Сохранить как новую версию")
        self.save_button.setDefault(True)
        self.close_button = QPushButton("Закрыть")
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.version_label)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addLayout(bottom)

        # The one question box, reused (never deleted while the dialog lives).
        self.confirm_box = QMessageBox(
            QMessageBox.Icon.Question, "Шаблон мониторинга", "", QMessageBox.StandardButton.NoButton, self
        )
        self.confirm_box.setTextFormat(Qt.TextFormat.PlainText)
        self.confirm_yes = self.confirm_box.addButton("Удалить", QMessageBox.ButtonRole.AcceptRole)
        self.confirm_no = self.confirm_box.addButton("Отмена", QMessageBox.ButtonRole.RejectRole)
        self.confirm_box.setDefaultButton(self.confirm_no)
        self.confirm_box.buttonClicked.connect(self._confirmed)

        self.title_edit.textChanged.connect(self._on_title_changed)
        self.key_edit.textEdited.connect(self._on_key_edited)
        self.key_edit.textChanged.connect(lambda _text: self._update_version())
        for edit in (self.title_edit, self.source_edit):
            edit.textEdited.connect(lambda _text: self._touch())
        self.description_edit.textChanged.connect(self._on_description_changed)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(lambda _now, _before: self._update_buttons())
        self.add_button.clicked.connect(lambda _checked=False: self._add_and_edit("criterion"))
        self.add_sub_button.clicked.connect(lambda _checked=False: self._add_and_edit("sub"))
        self.add_group_button.clicked.connect(lambda _checked=False: self._add_and_edit("group"))
        self.delete_button.clicked.connect(lambda _checked=False: self.delete_current())
        self.up_button.clicked.connect(lambda _checked=False: self.move_up())
        self.down_button.clicked.connect(lambda _checked=False: self.move_down())
        self.import_button.clicked.connect(lambda _checked=False: self.choose_import_file())
        self.export_button.clicked.connect(lambda _checked=False: self.choose_export_file())
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.close_button.clicked.connect(lambda _checked=False: self.reject())

        self.load(template_id)

    # --- filling ---------------------------------------------------------------------------------------
    def load(self, template_id: int | None) -> None:
        """Show an installed template (None: an empty new one), with nothing unsaved."""
        if template_id is None:
            spec = TemplateSpec(key="", title="", version=1, source="", description="", criteria=())
        else:
            spec = self.service.template_spec(template_id)
        self.template_id = template_id
        self.saved_id = None
        self._key_touched = template_id is not None
        self._fill(spec)
        self.setWindowTitle(
            "Новый шаблон мониторинга" if template_id is None else f"Шаблон мониторинга «{spec.title}»"
        )
        self.error_label.hide()
        self.status_label.clear()
        self._dirty = False
        if template_id is None:
            self.title_edit.setFocus()

    def _fill(self, spec: TemplateSpec) -> None:
        self._updating = True
        try:
            self.version = spec.version
            self._loaded_key = spec.key
            self.title_edit.setText(spec.title)
            self.key_edit.setText(spec.key)
            self.source_edit.setText(spec.source)
            self.description_edit.setPlainText(spec.description)
            self.tree.clear()
            for node in spec.criteria:
                self.tree.addTopLevelItem(self._make_item(node))
        finally:
            self._updating = False
        self.tree.expandAll()
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._changed_structure(touch=False)

    def _make_item(self, node: CriterionSpec) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setFlags(
            Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsUserCheckable
        )
        item.setText(TITLE, node.title)
        item.setText(HINT, node.hint)
        item.setText(CHOICES, format_choices(node.choices))
        item.setData(NUMBER, POINTS_ROLE, "" if node.points is None else repr(float(node.points)))
        item.setData(TYPE, TYPE_ROLE, node.type)
        if not node.is_group:
            item.setCheckState(REQUIRED, Qt.CheckState.Checked if node.required else Qt.CheckState.Unchecked)
        self._show_type(item)
        for child in node.children:
            item.addChild(self._make_item(child))
        return item

    def _show_type(self, item: QTreeWidgetItem) -> None:
        """The type's label, the required box (none for a group), bold groups, greyed choices."""
        kind = str(item.data(TYPE, TYPE_ROLE))
        item.setText(TYPE, CRITERION_TYPES.get(kind, kind))
        is_group = kind == "group"
        font = item.font(TITLE)
        font.setBold(is_group)
        for column in (NUMBER, TITLE):
            item.setFont(column, font)
        if is_group:
            item.setData(REQUIRED, Qt.ItemDataRole.CheckStateRole, None)
            item.setToolTip(TYPE, "Группа: заголовок, значения вводятся в её пунктах")
        else:
            if item.data(REQUIRED, Qt.ItemDataRole.CheckStateRole) is None:
                item.setCheckState(REQUIRED, Qt.CheckState.Checked)
            item.setToolTip(TYPE, "")
        colour = (
            self.palette().text().color() if kind == "choice" else self.palette().placeholderText().color()
        )
        item.setForeground(CHOICES, colour)
        item.setToolTip(
            CHOICES, "" if kind == "choice" else "Варианты ответа учитываются только у типа «Выбор из списка»"
        )

    # --- reading -----------------------------------------------------------------------------------------
    def spec(self) -> TemplateSpec:
        """The template as it stands in the editor (unchecked); under a key of its own it starts
        at version 1."""
        key = self.key_edit.text().strip()
        return TemplateSpec(
            key=key,
            title=self.title_edit.text().strip(),
            version=self.version if key == self._loaded_key else 1,
            source=self.source_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            criteria=tuple(
                self._node(self.tree.topLevelItem(i)) for i in range(self.tree.topLevelItemCount())
            ),
        )

    def _node(self, item: QTreeWidgetItem) -> CriterionSpec:
        kind = str(item.data(TYPE, TYPE_ROLE))
        points = str(item.data(NUMBER, POINTS_ROLE) or "")
        return CriterionSpec(
            number=item.text(NUMBER),
            title=item.text(TITLE).strip(),
            type=kind,
            required=kind != "group" and item.checkState(REQUIRED) == Qt.CheckState.Checked,
            points=float(points) if points else None,
            choices=parse_choices(item.text(CHOICES)) if kind == "choice" else (),
            hint=item.text(HINT).strip(),
            children=tuple(self._node(item.child(i)) for i in range(item.childCount())),
        )

    def items(self) -> list[QTreeWidgetItem]:
        """Every row in reading order."""
        found: list[QTreeWidgetItem] = []

        def visit(item: QTreeWidgetItem) -> None:
            found.append(item)
            for i in range(item.childCount()):
                visit(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            visit(self.tree.topLevelItem(i))
        return found

    def item(self, number: str) -> QTreeWidgetItem | None:
        """The row numbered «6.1», or None."""
        return next((item for item in self.items() if item.text(NUMBER) == number), None)

    def is_dirty(self) -> bool:
        return self._dirty

    # --- changing the tree ----------------------------------------------------------------------------------
    def _blank(self, kind: str) -> QTreeWidgetItem:
        return self._make_item(CriterionSpec(number="", title="", type=kind, required=kind != "group"))

    def add_criterion(self, kind: str = "text") -> QTreeWidgetItem:
        """A new row after the selected one on its level (at the end when nothing is selected)."""
        item = self._blank(kind)
        current = self.tree.currentItem()
        if current is None:
            self.tree.addTopLevelItem(item)
        else:
            parent = current.parent()
            if parent is None:
                self.tree.insertTopLevelItem(self.tree.indexOfTopLevelItem(current) + 1, item)
            else:
                parent.insertChild(parent.indexOfChild(current) + 1, item)
        self.tree.setCurrentItem(item, TITLE)
        self._changed_structure()
        return item

    def add_group(self) -> QTreeWidgetItem:
        return self.add_criterion("group")

    def add_sub_criterion(self) -> QTreeWidgetItem | None:
        """A new row at the end of the selected group (None when a group is not selected)."""
        current = self.tree.currentItem()
        if current is None or current.data(TYPE, TYPE_ROLE) != "group":
            return None
        item = self._blank("text")
        current.addChild(item)
        current.setExpanded(True)
        self.tree.setCurrentItem(item, TITLE)
        self._changed_structure()
        return item

    def _add_and_edit(self, what: str) -> None:
        if what == "sub":
            item = self.add_sub_criterion()
        else:
            item = self.add_group() if what == "group" else self.add_criterion()
        if item is not None:
            self.tree.scrollToItem(item)
            self.tree.setFocus()
            self.tree.editItem(item, TITLE)

    def delete_current(self) -> QMessageBox | None:
        """Ask, then delete the selected row with everything under it."""
        item = self.tree.currentItem()
        if item is None:
            return None
        nested = _count_nested(item)
        text = f"Удалить пункт «{item.text(NUMBER)} {item.text(TITLE)}".rstrip() + "»"
        if nested:
            text += f" вместе с {nested} {plural(nested, 'вложенным пунктом', 'вложенными пунктами', 'вложенными пунктами')}"
        return self._ask(text + "?", "Удалить", lambda: self._remove(item))

    def _remove(self, item: QTreeWidgetItem) -> None:
        parent = item.parent()
        if parent is None:
            index = self.tree.indexOfTopLevelItem(item)
            if index < 0:
                return
            self.tree.takeTopLevelItem(index)
            siblings = self.tree.topLevelItemCount()
            after = self.tree.topLevelItem(min(index, siblings - 1)) if siblings else None
        else:
            index = parent.indexOfChild(item)
            if index < 0:
                return
            parent.takeChild(index)
            after = parent.child(min(index, parent.childCount() - 1)) if parent.childCount() else parent
        if after is not None:
            self.tree.setCurrentItem(after)
        self._changed_structure()

    def move_up(self) -> None:
        self._move(-1)

    def move_down(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        parent = item.parent()
        if parent is None:
            index = self.tree.indexOfTopLevelItem(item)
            if not 0 <= index + step < self.tree.topLevelItemCount():
                return
            taken = self.tree.takeTopLevelItem(index)
            self.tree.insertTopLevelItem(index + step, taken)
        else:
            index = parent.indexOfChild(item)
            if not 0 <= index + step < parent.childCount():
                return
            taken = parent.takeChild(index)
            parent.insertChild(index + step, taken)
        _expand(taken)
        self.tree.setCurrentItem(taken)
        self._changed_structure()

    def _changed_structure(self, *, touch: bool = True) -> None:
        """Renumber (1, 2 … 6.1, 6.2 …), recount, and mark the template changed."""
        self._updating = True
        try:

            def number(item: QTreeWidgetItem, text: str) -> None:
                item.setText(NUMBER, text)
                for i in range(item.childCount()):
                    number(item.child(i), f"{text}.{i + 1}")

            for i in range(self.tree.topLevelItemCount()):
                number(self.tree.topLevelItem(i), str(i + 1))
        finally:
            self._updating = False
        leaves = sum(1 for item in self.items() if item.data(TYPE, TYPE_ROLE) != "group")
        groups = len(self.items()) - leaves
        self.counts_label.setText(
            f"{leaves} {plural(leaves, 'пункт', 'пункта', 'пунктов')} для заполнения, "
            f"{groups} {plural(groups, 'группа', 'группы', 'групп')}"
        )
        self._update_buttons()
        if touch:
            self._touch()

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating:
            return
        if column == TYPE:
            self._updating = True
            try:
                self._show_type(item)
            finally:
                self._updating = False
            self._changed_structure()
            return
        self._touch()

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        self.add_sub_button.setEnabled(item is not None and item.data(TYPE, TYPE_ROLE) == "group")
        self.delete_button.setEnabled(item is not None)
        if item is None:
            self.up_button.setEnabled(False)
            self.down_button.setEnabled(False)
            return
        parent = item.parent()
        index = parent.indexOfChild(item) if parent else self.tree.indexOfTopLevelItem(item)
        count = parent.childCount() if parent else self.tree.topLevelItemCount()
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(index < count - 1)

    # --- the fields -----------------------------------------------------------------------------------
    def _touch(self) -> None:
        if not self._updating:
            self._dirty = True
            self.status_label.clear()

    def _on_description_changed(self) -> None:
        self._touch()

    def _on_title_changed(self, title: str) -> None:
        if self._updating or self._key_touched:
            return
        base = slug(title) if title.strip() else ""
        key, n = base, 1
        while key and self.service.next_version(key) > 1:  # a new template never joins another's versions
            n += 1
            key = f"{base}_{n}"
        self.key_edit.setText(key)

    def _on_key_edited(self, _text: str) -> None:
        self._key_touched = True
        self._touch()

    def _update_version(self) -> None:
        key = self.key_edit.text().strip()
        if not key:
            self.version_label.setText("Укажите ключ шаблона: по нему различаются версии.")
            return
        version = self.service.next_version(key)
        if version == 1:
            text = "Будет сохранён новый шаблон."
        else:
            text = f"Будет сохранена версия {version} шаблона «{key}»."
        if self.template_id is not None:
            used = self.service.campaigns_using(self.template_id)
            if used:
                count = len(used)
                text += (
                    f" Версия {self.version} используется в {count} "
                    f"{plural(count, 'мониторинге', 'мониторингах', 'мониторингах')} и не изменится."
                )
            else:
                text += f" Версия {self.version} остаётся как есть."
        self.version_label.setText(text)

    # --- saving, files -----------------------------------------------------------------------------------
    def _commit_editor(self) -> None:
        """The cell being typed in counts too."""
        if self.tree.state() == QAbstractItemView.State.EditingState:
            editor = self.tree.indexWidget(self.tree.currentIndex())
            if editor is not None:
                self.tree.commitData(editor)
                self.tree.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def save(self) -> int | None:
        """Store the editor's template as a new version; its id, or None (the reason in red)."""
        self._commit_editor()
        try:
            template_id, changeset = self.service.save_template(self.spec(), based_on=self.template_id)
        except (AppError, DatabaseError) as exc:
            self._show_error(exc.message)
            return None
        self.error_label.hide()
        if not changeset:
            self._show_status("Изменений нет: такая версия шаблона уже сохранена.")
            self._dirty = False
            return template_id
        self.history.record(changeset)
        self.saved_id = template_id
        self._dirty = False
        emit(self.saved, template_id)
        self.accept()
        return template_id

    def choose_import_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Импорт шаблона мониторинга", str(Path.home()), JSON_FILTER
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> bool:
        """Put a template file's tree into the editor (stored only by «Сохранить как новую версию»)."""
        try:
            spec = load_template(path)
        except TemplateError as exc:
            self._show_error(exc.message)
            return False
        self._key_touched = True
        self._fill(spec)
        self._dirty = True
        self.error_label.hide()
        self._show_status(
            f"Загружен шаблон из файла «{Path(path).name}». Проверьте его и нажмите «Сохранить как новую версию»."
        )
        return True

    def choose_export_file(self) -> None:
        key = self.key_edit.text().strip() or slug(self.title_edit.text())
        default = Path.home() / f"{key}_v{self.version}.json"
        name, _ = QFileDialog.getSaveFileName(self, "Экспорт шаблона мониторинга", str(default), JSON_FILTER)
        if name:
            self.export_file(Path(name))

    def export_file(self, path: Path) -> bool:
        """Write the template as it stands in the editor to a .json file (checked first)."""
        self._commit_editor()
        try:
            checked = template_from_json(template_to_json(self.spec()))
            target = check_target(Path(path), (".json",), "Экспорт шаблона")
            write_atomically(target, lambda temp: write_template(checked, temp))
        except TemplateError as exc:
            self._show_error("Шаблон не выгружен:\n" + "\n".join(f"— {p}" for p in exc.problems))
            return False
        except AppError as exc:
            self._show_error(exc.message)
            return False
        except OSError as exc:
            self._show_error(f"Файл «{Path(path).name}» не записан: {os_reason(exc)}.")
            return False
        self.error_label.hide()
        self._show_status(f"Шаблон выгружен в файл «{target}».")
        return True

    def _show_error(self, text: str) -> None:
        self.status_label.clear()
        self.error_label.setText(text)
        self.error_label.show()

    def _show_status(self, text: str) -> None:
        self.status_label.setStyleSheet(DONE_STYLE)
        self.status_label.setText(text)

    # --- questions, closing ----------------------------------------------------------------------------------
    def _ask(self, text: str, yes: str, then: Callable[[], object]) -> QMessageBox:
        self._on_confirm = then
        self.confirm_box.setText(text)
        self.confirm_yes.setText(yes)
        self.confirm_box.open()
        return self.confirm_box

    def _confirmed(self, button: object) -> None:
        then, self._on_confirm = self._on_confirm, None
        if button is self.confirm_yes and then is not None:
            then()

    def reject(self) -> None:
        """Close; with unsaved changes, ask first."""
        self._commit_editor()
        if self._dirty:
            self._ask("Изменения шаблона не сохранены. Закрыть без сохранения?", "Закрыть", self._discard)
            return
        super().reject()

    def _discard(self) -> None:
        self._dirty = False
        super().reject()


def _count_nested(item: QTreeWidgetItem) -> int:
    return sum(1 + _count_nested(item.child(i)) for i in range(item.childCount()))


def _expand(item: QTreeWidgetItem) -> None:
    """A moved row keeps its subtree open (Qt collapses it when the row is taken out)."""
    item.setExpanded(True)
    for i in range(item.childCount()):
        _expand(item.child(i))
