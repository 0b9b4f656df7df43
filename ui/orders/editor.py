"""The editor of one document: its requisites, text, points (with sub-points) and appendices.

The form and the points are saved together by «Сохранить» (Ctrl+S) and when the editor is left,
as one undo step; an appendix is written at once by its dialog (an undo step of its own). A
signed document opens read-only under a banner: it is changed by a new document «О внесении
изменений …», never in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.domain import Category, academic_year_label
from app.errors import AppError, ValidationError
from app.monitoring.service import MonitoringService
from app.office import OfficeService
from app.orders.model import AppendixKind, Order, OrderAppendix, OrderKind, OrderOptions, PointDraft
from app.orders.service import (
    LINE_FIELDS,
    TEXT_FIELDS,
    OrderService,
    SignedOrderError,
    number_points,
    point_drafts,
)
from app.plans.service import PlanService
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import show_error
from ui.orders.dialogs import AppendixDialog, SaveTemplateDialog, fill_years, short
from ui.signals import emit
from ui.undo import ChangeHistory

AUTO_COLOUR = QColor("#777777")
PROBLEM_COLOUR = QColor("#b71c1c")
BANNER_STYLE = "QFrame#signedBanner { background: #fff4cf; border: 1px solid #e0c060; border-radius: 4px; }"
NO_YEAR = 0
Index = QModelIndex | QPersistentModelIndex


# --- the points ---------------------------------------------------------------------------------------
class PointsModel(QAbstractItemModel):
    """The points of the document as a tree of `PointDraft`s (sub-points are children).

    Every node gets an integer key for its `QModelIndex` (internalId); structural changes reset
    the model and renumber the keys, edits of a point's fields only report `dataChanged`.
    """

    NUMBER, ADDRESSEE, TEXT, RESPONSIBLE, DEADLINE = range(5)
    HEADERS = ("№", "Кому", "Текст пункта", "Ответственный", "Срок")
    FIELDS = ("number", "addressee", "text", "responsible", "deadline")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[PointDraft] = []
        self._nodes: dict[int, PointDraft] = {}
        self._parents: dict[int, int] = {}  # key → the parent's key (0: a top-level point)
        self._keys: dict[int, int] = {}  # id(node) → key
        self._numbers: dict[int, str] = {}  # key → the number as printed

    # --- structure -----------------------------------------------------------------------------
    def set_points(self, points: list[PointDraft]) -> None:
        self.beginResetModel()
        self.points = points
        self._rebuild()
        self.endResetModel()

    def _rebuild(self) -> None:
        self._nodes.clear()
        self._parents.clear()
        self._keys.clear()
        counter = 0

        def walk(nodes: list[PointDraft], parent_key: int) -> None:
            nonlocal counter
            for node in nodes:
                counter += 1
                self._nodes[counter] = node
                self._parents[counter] = parent_key
                self._keys[id(node)] = counter
                walk(node.children, counter)

        walk(self.points, 0)
        self._renumber()

    def _renumber(self) -> None:
        self._numbers.clear()

        def walk(nodes: list[PointDraft], prefix: str) -> None:
            for node, number in zip(nodes, number_points(nodes, prefix), strict=True):
                self._numbers[self._keys[id(node)]] = number
                walk(node.children, number if number.endswith(".") else number + ".")

        walk(self.points, "")

    def _siblings(self, parent_key: int) -> list[PointDraft]:
        return self.points if parent_key == 0 else self._nodes[parent_key].children

    def node(self, index: Index) -> PointDraft | None:
        if not index.isValid():
            return None
        return self._nodes.get(int(index.internalId()))

    def index_of(self, node: PointDraft, column: int = 0) -> QModelIndex:
        key = self._keys.get(id(node))
        if key is None:
            return QModelIndex()
        siblings = self._siblings(self._parents[key])
        row = next(i for i, sibling in enumerate(siblings) if sibling is node)
        return self.createIndex(row, column, key)

    def path_of(self, index: Index) -> list[int]:
        path: list[int] = []
        while index.isValid():
            path.insert(0, index.row())
            index = index.parent()
        return path

    def index_at(self, path: list[int]) -> QModelIndex:
        index = QModelIndex()
        for row in path:
            if row >= self.rowCount(index):
                return index
            index = self.index(row, 0, index)
        return index

    def count(self) -> int:
        return len(self._nodes)

    # --- Qt -------------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        parent_key = int(parent.internalId()) if parent.isValid() else 0
        if parent.isValid() and parent_key not in self._nodes:
            return QModelIndex()
        siblings = self._siblings(parent_key)
        if not (0 <= row < len(siblings)) or not (0 <= column < len(self.HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, self._keys[id(siblings[row])])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent_key = self._parents.get(int(index.internalId()), 0)
        if parent_key == 0:
            return QModelIndex()
        return self.index_of(self._nodes[parent_key])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            if parent.column() != 0:
                return 0
            node = self._nodes.get(int(parent.internalId()))
            return len(node.children) if node is not None else 0
        return len(self.points)

    def columnCount(self, _parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NUMBER:
                return node.number.strip() or self._numbers.get(int(index.internalId()), "")
            value = getattr(node, self.FIELDS[column])
            return " ".join(value.split())
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.NUMBER and not node.number.strip():
                return "Номер ставится автоматически"
            value = getattr(node, self.FIELDS[column])
            return value or None
        if role == Qt.ItemDataRole.ForegroundRole and column == self.NUMBER and not node.number.strip():
            return AUTO_COLOUR
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- edits -------------------------------------------------------------------------------------
    def update(self, index: Index, **values: str) -> None:
        node = self.node(index)
        if node is None:
            return
        for name, value in values.items():
            setattr(node, name, value)
        if "number" in values:
            self._renumber()
            self._all_numbers_changed()
        row_index = self.index_of(node)
        emit(
            self.dataChanged,
            row_index.siblingAtColumn(0),
            row_index.siblingAtColumn(len(self.HEADERS) - 1),
        )

    def _all_numbers_changed(self) -> None:
        for node in list(self._nodes.values()):
            index = self.index_of(node, self.NUMBER)
            emit(self.dataChanged, index, index)

    def add(self, after: Index | None, *, child: bool = False) -> QModelIndex:
        """A new empty point after `after` (at the end when none), or its last sub-point."""
        new = PointDraft()
        current = self.node(after) if after is not None else None
        if current is None:
            self.points.append(new)
        elif child:
            current.children.append(new)
        else:
            key = self._keys[id(current)]
            siblings = self._siblings(self._parents[key])
            siblings.insert(siblings.index(current) + 1, new)
        self.set_points(self.points)
        return self.index_of(new)

    def remove(self, index: Index) -> QModelIndex:
        """Delete the point (with its sub-points); the index of the point to select next."""
        node = self.node(index)
        if node is None:
            return QModelIndex()
        key = self._keys[id(node)]
        parent_key = self._parents[key]
        siblings = self._siblings(parent_key)
        row = next(i for i, s in enumerate(siblings) if s is node)
        siblings.pop(row)
        parent = self._nodes.get(parent_key)
        self.set_points(self.points)
        if siblings:
            return self.index_of(siblings[min(row, len(siblings) - 1)])
        return self.index_of(parent) if parent is not None else QModelIndex()

    def move(self, index: Index, step: int) -> QModelIndex:
        node = self.node(index)
        if node is None:
            return QModelIndex()
        siblings = self._siblings(self._parents[self._keys[id(node)]])
        row = next(i for i, s in enumerate(siblings) if s is node)
        target = row + step
        if not (0 <= target < len(siblings)):
            return self.index_of(node)
        siblings[row], siblings[target] = siblings[target], siblings[row]
        self.set_points(self.points)
        return self.index_of(node)

    def can_move(self, index: Index, step: int) -> bool:
        node = self.node(index)
        if node is None:
            return False
        siblings = self._siblings(self._parents[self._keys[id(node)]])
        row = next(i for i, s in enumerate(siblings) if s is node)
        return 0 <= row + step < len(siblings)


def copy_points(points: list[PointDraft]) -> list[PointDraft]:
    return [replace(p, children=copy_points(p.children)) for p in points]


# --- the appendices ------------------------------------------------------------------------------------
class AppendicesModel(QAbstractTableModel):
    """The document's appendices in print order, each with what it is built from and its problems."""

    NUMBER, KIND, CONTENT, PROBLEMS = range(4)
    HEADERS = ("№", "Вид", "Содержание", "Замечания")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.appendices: list[OrderAppendix] = []
        self.descriptions: list[str] = []
        self.problems: list[list[str]] = []

    def set_appendices(
        self, appendices: list[OrderAppendix], descriptions: list[str], problems: list[list[str]]
    ) -> None:
        self.beginResetModel()
        self.appendices = appendices
        self.descriptions = descriptions
        self.problems = problems
        self.endResetModel()

    def appendix_at(self, row: int) -> OrderAppendix | None:
        return self.appendices[row] if 0 <= row < len(self.appendices) else None

    def row_of(self, appendix_id: int) -> int | None:
        return next((row for row, a in enumerate(self.appendices) if a.id == appendix_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.appendices)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row, column = index.row(), index.column()
        if not index.isValid() or not (0 <= row < len(self.appendices)):
            return None
        appendix = self.appendices[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == self.NUMBER:
                return str(row + 1) if len(self.appendices) > 1 else "—"
            if column == self.KIND:
                return appendix.kind.label
            if column == self.CONTENT:
                return self.descriptions[row]
            return (
                "\n".join(self.problems[row])
                if self.problems[row]
                else ("" if role == Qt.ItemDataRole.DisplayRole else None)
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == self.PROBLEMS:
            return PROBLEM_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.NUMBER:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class AppendixDescriber:
    """What an appendix is built from, in words («План: …», «ШНРО, 2020/2021»), with the titles
    of plans, groups and criteria read once per load."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._plans: dict[int, str] | None = None
        self._groups: dict[int, str] | None = None
        self._templates: dict[int, str] | None = None

    def plans(self) -> dict[int, str]:
        if self._plans is None:
            self._plans = {p.id: p.title for p in PlanService(self.database).list_plans()}
        return self._plans

    def groups(self) -> dict[int, str]:
        if self._groups is None:
            self._groups = {g.id: g.title for g in OrderService(self.database).list_working_groups()}
        return self._groups

    def templates(self) -> dict[int, str]:
        if self._templates is None:
            self._templates = {t.id: t.title for t in MonitoringService(self.database).list_templates()}
        return self._templates

    def describe(self, appendix: OrderAppendix) -> str:
        kind = appendix.kind
        year = f"{academic_year_label(appendix.academic_year)} уч. год" if appendix.academic_year else ""
        parts: list[str] = []
        if appendix.title.strip():
            parts.append(f"«{short(appendix.title, 80)}»")
        if kind is AppendixKind.PLAN:
            titles = [short(self.plans().get(i, f"план № {i} (удалён)"), 90) for i in appendix.plan_ids]
            parts.extend(titles or ["план не выбран"])
        elif kind is AppendixKind.SCHOOL_LIST:
            try:
                parts.append(Category(appendix.category).label)
            except ValueError:
                parts.append("категория не выбрана")
            parts.append(year)
        elif kind is AppendixKind.WORKING_GROUP:
            group = self.groups().get(appendix.working_group_id or 0)
            parts.append(short(group, 90) if group else "группа не выбрана")
        elif kind in (AppendixKind.PARTNERSHIPS, AppendixKind.PARTNERSHIP_MAP):
            parts.append(year or "год не выбран")
        elif kind is AppendixKind.MONITORING_CRITERIA:
            template = self.templates().get(appendix.template_id or 0)
            parts.append(short(template, 90) if template else "перечень не выбран")
        elif kind is AppendixKind.TEXT and appendix.body.strip():
            parts.append(short(appendix.body, 80))
        return "\n".join(p for p in parts if p)


class ElidedLabel(QLabel):
    """One line of text that ends in «…» when the room is short (it never widens the editor)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(
            " ".join(self.text().split()), Qt.TextElideMode.ElideRight, self.width()
        )
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.end()


# --- the editor ------------------------------------------------------------------------------------------
def _plain(height_lines: int, owner: QWidget, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(owner.fontMetrics().lineSpacing() * height_lines + 14)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _line(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return form


def _top_aligned(page: QWidget, form: QFormLayout) -> None:
    """The form at the top of its page; the rest of the height stays empty below it."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(6, 8, 12, 8)
    layout.addLayout(form)
    layout.addStretch(1)


def _scrolled(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    return area


class OrderEditor(QWidget):
    saved = Signal(int)  # the order's id, after a save that changed something
    back_requested = Signal()
    amend_requested = Signal(int)  # «Внести изменения» on the banner of a signed document

    def __init__(self, database: Database, history: ChangeHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.service = OrderService(database)
        self.order: Order | None = None
        self._loaded_points: list[PointDraft] = []
        self._dirty = False
        self._loading = False
        self._read_only = False

        self._build_header()
        self._build_requisites()
        self._build_text()
        self._build_points()
        self._build_appendices()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_scrolled(self._requisites_page), "Реквизиты")
        self.tabs.addTab(_scrolled(self._text_page), "Текст")
        self.tabs.addTab(self._points_page, "Пункты")
        self.tabs.addTab(self._appendices_page, "Приложения")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self._header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        self.save_action = QAction("Сохранить", self)
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(lambda _checked=False: self.save())
        self.addAction(self.save_action)
        self._connect_changes()
        self._update_state()

    def save_as_template(self) -> SaveTemplateDialog | None:
        """Open «Сохранить как шаблон» for the document as it is saved (edits are saved first)."""
        if self.order is None or (self.is_dirty() and not self.save()):
            return None
        from app.orders.service import OrderService

        dialog = SaveTemplateDialog(
            self.database, self.history, OrderService(self.database).get(self.order.id), self
        )
        dialog.open()
        return dialog

    # --- building ------------------------------------------------------------------------------------
    def _build_header(self) -> None:
        self.back_button = QPushButton("← Журнал")
        self.back_button.setToolTip("Сохранить и вернуться к журналу документов")
        self.back_button.clicked.connect(lambda: emit(self.back_requested))
        self.heading = ElidedLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        self.state_label = QLabel()
        self.state_label.setStyleSheet("color: #555;")
        self.save_button = QPushButton("Сохранить")
        self.save_button.setToolTip("Сохранить изменения (Ctrl+S); отменить — Ctrl+Z")
        self.save_button.clicked.connect(lambda: self.save())
        self.template_button = QPushButton("Как шаблон…")
        self.template_button.setToolTip("Сохранить этот документ как шаблон органа для следующих")
        self.template_button.clicked.connect(lambda: self.save_as_template())
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.heading, 1)
        header.addWidget(self.state_label)
        header.addWidget(self.template_button)
        header.addWidget(self.save_button)
        self._header = header

        self.banner = QFrame()
        self.banner.setObjectName("signedBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.amend_button = QPushButton("Внести изменения")
        self.amend_button.setToolTip("Создать новый документ «О внесении изменений в …»")
        self.amend_button.clicked.connect(
            lambda: emit(self.amend_requested, self.order.id) if self.order else None
        )
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 10, 6)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.amend_button)
        self.banner.hide()

    def _build_requisites(self) -> None:
        page = QWidget()
        form = _form()
        self.kind_combo = QComboBox()
        for kind in OrderKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.letterhead_edit = _plain(3, self)
        self.kind_title_edit = _line("Пусто — «ПРИКАЗ» или «РАСПОРЯЖЕНИЕ»")
        self.date_check = QCheckBox("указана")
        self.date_check.setToolTip("Дату и номер документ получает при подписании")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd.MM.yyyy")
        self.date_style_combo = QComboBox()
        self.date_style_combo.addItem("числом: 27.08.2020", "numeric")
        self.date_style_combo.addItem("словами: 27 августа 2020 года", "words")
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_check)
        date_row.addWidget(self.date_edit)
        date_row.addWidget(self.date_style_combo, 1)
        self.number_edit = _line("Присваивается при подписании")
        self.place_edit = _line("г. Кировск")
        self.year_combo = QComboBox()
        self.issuer_edit = _line("комитета образования администрации … района")
        self.issuer_edit.setToolTip(
            "Орган в родительном падеже: «Приложение к приказу комитета образования …»"
        )
        self.addressee_edit = _plain(3, self, "Руководителю …\nФамилия И.О.")
        self.reply_number_edit = _line("07-11/2523-20")
        self.reply_date_edit = _line("23.11.2020")
        reply_row = QHBoxLayout()
        reply_row.addWidget(QLabel("№"))
        reply_row.addWidget(self.reply_number_edit, 2)
        reply_row.addWidget(QLabel("от"))
        reply_row.addWidget(self.reply_date_edit, 1)
        self.attachments_edit = _line("Приложение: на 3 л. в 1 экз.")
        self.signer_position_edit = _plain(2, self)
        self.signer_name_edit = _line("И.О. Фамилия")
        self.executor_edit = _line("Исп. Фамилия И.О., тел. …")
        self.distribution_edit = _line("в дело, ОО")
        self.font_combo = QComboBox()
        for size in (12, 13, 14):
            self.font_combo.addItem(f"{size} пт", float(size))
        self.margin_combo = QComboBox()
        self.margin_combo.addItem("20 мм", 20.0)
        self.margin_combo.addItem("30 мм (хранение свыше 10 лет)", 30.0)
        self.qr_check = QCheckBox("QR-код с реквизитами на первой странице")
        options_row = QHBoxLayout()
        options_row.addWidget(QLabel("шрифт"))
        options_row.addWidget(self.font_combo)
        options_row.addWidget(QLabel("левое поле"))
        options_row.addWidget(self.margin_combo)
        options_row.addStretch(1)

        form.addRow("Вид документа:", self.kind_combo)
        form.addRow("Бланк (орган):", self.letterhead_edit)
        form.addRow("Название вида:", self.kind_title_edit)
        form.addRow("Дата:", date_row)
        form.addRow("Номер:", self.number_edit)
        form.addRow("Место издания:", self.place_edit)
        form.addRow("Учебный год:", self.year_combo)
        form.addRow("Орган в отметке приложений:", self.issuer_edit)
        form.addRow("Адресат:", self.addressee_edit)
        form.addRow("На запрос:", reply_row)
        form.addRow("Отметка о приложении:", self.attachments_edit)
        form.addRow("Должность подписывающего:", self.signer_position_edit)
        form.addRow("Подписывает:", self.signer_name_edit)
        form.addRow("Исполнитель:", self.executor_edit)
        form.addRow("Разослано:", self.distribution_edit)
        form.addRow("Оформление:", options_row)
        form.addRow("", self.qr_check)
        _top_aligned(page, form)
        self._requisites_form = form
        self._reply_row = reply_row
        self._requisites_page = page

    def _build_text(self) -> None:
        page = QWidget()
        form = _form()
        self.title_edit = _plain(3, self, "Об утверждении плана мероприятий …")
        self.preamble_edit = _plain(8, self, "В целях …\nНа основании …\n(каждая строка — абзац)")
        self.directive_edit = _line("ПРИКАЗЫВАЮ:")
        self.control_edit = _plain(3, self, "Контроль за исполнением настоящего приказа оставляю за собой.")
        form.addRow("Заголовок:", self.title_edit)
        form.addRow("Преамбула:", self.preamble_edit)
        form.addRow("Распорядительная часть:", self.directive_edit)
        form.addRow("Пункт о контроле:", self.control_edit)
        hint = QLabel("Пункт о контроле печатается последним пунктом с очередным номером.")
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        form.addRow("", hint)
        _top_aligned(page, form)
        self._text_form = form
        self._text_page = page

    def _build_points(self) -> None:
        self.points_model = PointsModel(self)
        self.points_tree = QTreeView()
        self.points_tree.setModel(self.points_model)
        self.points_tree.setUniformRowHeights(True)
        self.points_tree.setAlternatingRowColors(True)
        self.points_tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.points_tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.points_tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.points_tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.points_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PointsModel.TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (PointsModel.NUMBER, 96),  # a sub-point is indented: «2.1.» must still show
            (PointsModel.ADDRESSEE, 100),
            (PointsModel.RESPONSIBLE, 110),
            (PointsModel.DEADLINE, 100),
        ):
            header.resizeSection(column, width)

        self.add_point_button = QPushButton("Пункт")
        self.add_point_button.setToolTip("Добавить пункт после выбранного")
        self.add_subpoint_button = QPushButton("Подпункт")
        self.add_subpoint_button.setToolTip("Добавить подпункт к выбранному пункту")
        self.delete_point_button = QPushButton("Удалить")
        self.delete_point_button.setToolTip("Удалить пункт вместе с подпунктами")
        self.up_button = QPushButton("Выше")
        self.down_button = QPushButton("Ниже")
        buttons = QHBoxLayout()
        for button in (
            self.add_point_button,
            self.add_subpoint_button,
            self.delete_point_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.add_point_button.clicked.connect(lambda: self.add_point())
        self.add_subpoint_button.clicked.connect(lambda: self.add_point(child=True))
        self.delete_point_button.clicked.connect(lambda: self.delete_point())
        self.up_button.clicked.connect(lambda: self.move_point(-1))
        self.down_button.clicked.connect(lambda: self.move_point(1))

        self.point_number_edit = _line("Пусто — по порядку")
        self.point_number_edit.setMaximumWidth(160)
        self.point_addressee_edit = _line("Руководителям общеобразовательных организаций")
        self.point_text_edit = QPlainTextEdit()
        self.point_text_edit.setTabChangesFocus(True)
        self.point_text_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.point_responsible_edit = _line("Ответственный: …")
        self.point_deadline_edit = _line("Срок: до 01.10.2020, в течение учебного года…")
        point_form = _form()
        point_form.addRow("Номер:", self.point_number_edit)
        point_form.addRow("Кому:", self.point_addressee_edit)
        point_form.addRow("Текст:", self.point_text_edit)
        point_form.addRow("Ответственный:", self.point_responsible_edit)
        point_form.addRow("Срок:", self.point_deadline_edit)
        self.point_form = QWidget()
        self.point_form.setLayout(point_form)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.points_tree, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.point_form)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.points_splitter = splitter
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self._points_page = page
        self.points_tree.selectionModel().currentRowChanged.connect(self._on_point_chosen)

    def _build_appendices(self) -> None:
        self.appendices_model = AppendicesModel(self)
        self.appendices_table = QTableView()
        self.appendices_table.setModel(self.appendices_model)
        self.appendices_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.appendices_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.appendices_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.appendices_table.setWordWrap(True)
        self.appendices_table.verticalHeader().hide()
        self.appendices_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.appendices_table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AppendicesModel.CONTENT, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(AppendicesModel.NUMBER, 40)
        header.resizeSection(AppendicesModel.KIND, 190)
        header.resizeSection(AppendicesModel.PROBLEMS, 200)
        self.appendices_table.doubleClicked.connect(lambda _index: self.edit_appendix())
        self.add_appendix_button = QPushButton("Добавить…")
        self.add_appendix_button.setToolTip(
            "Приложение из данных: план, список школ, рабочая группа, партнёрство, критерии или текст"
        )
        self.edit_appendix_button = QPushButton("Изменить…")
        self.delete_appendix_button = QPushButton("Удалить")
        self.appendix_up_button = QPushButton("Выше")
        self.appendix_down_button = QPushButton("Ниже")
        buttons = QHBoxLayout()
        for button in (
            self.add_appendix_button,
            self.edit_appendix_button,
            self.delete_appendix_button,
            self.appendix_up_button,
            self.appendix_down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.add_appendix_button.clicked.connect(lambda: self.add_appendix())
        self.edit_appendix_button.clicked.connect(lambda: self.edit_appendix())
        self.delete_appendix_button.clicked.connect(lambda: self.delete_appendix())
        self.appendix_up_button.clicked.connect(lambda: self.move_appendix(-1))
        self.appendix_down_button.clicked.connect(lambda: self.move_appendix(1))
        hint = QLabel(
            "Приложения строятся из данных программы и печатаются после подписи, каждое со своей "
            "отметкой «Приложение N к приказу …». Изменения приложений сохраняются сразу."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.appendices_table, 1)
        layout.addWidget(hint)
        self._appendices_page = page
        self.appendices_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_state())

    def _connect_changes(self) -> None:
        for name in LINE_FIELDS:
            self._line_edit(name).textChanged.connect(self._on_changed)
        for name in TEXT_FIELDS:
            self._text_edit(name).textChanged.connect(self._on_changed)
        for combo in (self.date_style_combo, self.year_combo, self.font_combo, self.margin_combo):
            combo.currentIndexChanged.connect(self._on_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.date_check.toggled.connect(self._on_date_toggled)
        self.date_edit.dateChanged.connect(self._on_changed)
        self.qr_check.toggled.connect(self._on_changed)
        for name, edit in self._point_edits().items():
            signal = edit.textChanged
            signal.connect(lambda *_args, field=name: self._on_point_edited(field))

    def _line_edit(self, name: str) -> QLineEdit:
        return {
            "number": self.number_edit,
            "place": self.place_edit,
            "kind_title": self.kind_title_edit,
            "issuer": self.issuer_edit,
            "reply_number": self.reply_number_edit,
            "reply_date": self.reply_date_edit,
            "directive": self.directive_edit,
            "signer_name": self.signer_name_edit,
            "executor": self.executor_edit,
            "distribution": self.distribution_edit,
            "attachments_note": self.attachments_edit,
        }[name]

    def _text_edit(self, name: str) -> QPlainTextEdit:
        return {
            "letterhead": self.letterhead_edit,
            "addressee": self.addressee_edit,
            "title": self.title_edit,
            "preamble": self.preamble_edit,
            "control_text": self.control_edit,
            "signer_position": self.signer_position_edit,
        }[name]

    def _point_edits(self) -> dict[str, QLineEdit | QPlainTextEdit]:
        return {
            "number": self.point_number_edit,
            "addressee": self.point_addressee_edit,
            "text": self.point_text_edit,
            "responsible": self.point_responsible_edit,
            "deadline": self.point_deadline_edit,
        }

    # --- loading -------------------------------------------------------------------------------------
    @property
    def order_id(self) -> int | None:
        return self.order.id if self.order is not None else None

    def is_dirty(self) -> bool:
        return self._dirty

    def is_read_only(self) -> bool:
        return self._read_only

    def load(self, order_id: int) -> bool:
        """Show the document `order_id` (unsaved edits of the previous one must be saved first)."""
        try:
            order = self.service.get(order_id)
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Документ не открыт")
            return False
        same = self.order is not None and self.order.id == order_id
        path = self.points_model.path_of(self.points_tree.currentIndex()) if same else []
        self._show(order)
        if same:
            index = self.points_model.index_at(path)
            if index.isValid():
                self.points_tree.setCurrentIndex(index)
        else:
            self.tabs.setCurrentIndex(0 if order.is_signed else 1)
        return True

    def _show(self, order: Order) -> None:
        self._loading = True
        try:
            self.order = order
            office = OfficeService(self.database).get()
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(order.kind.value), 0))
            # Only what differs: after a save the cursor stays where the user was typing.
            for name in LINE_FIELDS:
                if self._line_edit(name).text() != getattr(order, name):
                    self._line_edit(name).setText(getattr(order, name))
                    self._line_edit(name).setCursorPosition(0)  # a long line shows its beginning
            for name in TEXT_FIELDS:
                if self._text_edit(name).toPlainText() != getattr(order, name):
                    self._text_edit(name).setPlainText(getattr(order, name))
            self.letterhead_edit.setPlaceholderText(
                office.name or "Наименование органа (из реквизитов органа)"
            )
            self.date_check.setChecked(order.order_date is not None)
            on = order.order_date or date.today()
            self.date_edit.setDate(QDate(on.year, on.month, on.day))
            self.date_edit.setEnabled(order.order_date is not None)
            self.date_style_combo.setCurrentIndex(max(self.date_style_combo.findData(order.date_style), 0))
            fill_years(self.year_combo, self.database, order.academic_year)
            self.year_combo.blockSignals(True)
            if order.academic_year is None:
                self.year_combo.insertItem(0, "не указан", NO_YEAR)
                self.year_combo.setCurrentIndex(0)
            self.year_combo.blockSignals(False)
            self.font_combo.setCurrentIndex(max(self.font_combo.findData(float(order.options.font_size)), 0))
            self.margin_combo.setCurrentIndex(
                max(self.margin_combo.findData(float(order.options.left_margin_mm)), 0)
            )
            self.qr_check.setChecked(order.options.qr)
            self._loaded_points = point_drafts(order.points)
            self.points_model.set_points(copy_points(self._loaded_points))
            self.points_tree.expandAll()
            self._show_appendices(order)
            self._show_kind_rows(order.kind)
            self._dirty = False
            self._set_read_only(order.is_signed)
            self._fill_point_form()
        finally:
            self._loading = False
        self._update_state()

    def _show_appendices(self, order: Order) -> None:
        current = self.current_appendix()
        describer = AppendixDescriber(self.database)
        self.appendices_model.set_appendices(
            list(order.appendices),
            [describer.describe(a) for a in order.appendices],
            [self.service.appendix_problems(a) for a in order.appendices],
        )
        if current is not None:
            self.select_appendix(current.id)

    def refresh_from_database(self) -> None:
        """After a change in the database (a save, an appendix, an undo): show it; unsaved edits of
        the form and the points stay (only the appendices and the state are read again)."""
        if self.order is None:
            return
        try:
            order = self.service.get(self.order.id)
        except AppError:
            self.clear()
            return
        if not self._dirty or order.is_signed != self.order.is_signed:
            self.load(order.id)
            return
        self.order = replace(self.order, appendices=order.appendices)
        self._show_appendices(order)
        self._update_state()

    def clear(self) -> None:
        self._loading = True
        self.order = None
        self._dirty = False
        self.points_model.set_points([])
        self.appendices_model.set_appendices([], [], [])
        self._loading = False
        self._update_state()

    def _show_kind_rows(self, kind: OrderKind) -> None:
        letter = kind is OrderKind.LETTER
        form = self._requisites_form
        form.setRowVisible(self.addressee_edit, letter)
        form.setRowVisible(self._reply_row, letter)
        form.setRowVisible(self.attachments_edit, letter)
        form.setRowVisible(self.kind_title_edit, not letter)
        self.kind_title_edit.setPlaceholderText(f"Пусто — «{kind.heading}»" if kind.heading else "")

    def _set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for name in LINE_FIELDS:
            self._line_edit(name).setReadOnly(read_only)
        for name in TEXT_FIELDS:
            self._text_edit(name).setReadOnly(read_only)
        for edit in self._point_edits().values():
            edit.setReadOnly(read_only)
        for widget in (
            self.kind_combo,
            self.date_check,
            self.date_style_combo,
            self.year_combo,
            self.font_combo,
            self.margin_combo,
            self.qr_check,
        ):
            widget.setEnabled(not read_only)
        self.date_edit.setEnabled(not read_only and self.date_check.isChecked())
        order = self.order
        if read_only and order is not None:
            signed_at = f", отмечен {_when(order.signed_at)}" if order.signed_at else ""
            self.banner_label.setText(
                f"Подписан: {order.requisites}{signed_at} — изменить нельзя; «Внести изменения» "
                "создаёт новый документ."
            )
        self.banner.setVisible(read_only)

    # --- changes -------------------------------------------------------------------------------------
    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self._update_state()

    def _on_kind_changed(self, *_args: object) -> None:
        kind = OrderKind(self.kind_combo.currentData())
        self._show_kind_rows(kind)
        if self._loading:
            return
        old = self.order.kind if self.order is not None else None
        if old is not None and self.directive_edit.text().strip() in ("", old.directive_word):
            self.directive_edit.setText(kind.directive_word)
        self._on_changed()

    def _on_date_toggled(self, checked: bool) -> None:
        self.date_edit.setEnabled(checked and not self._read_only)
        self._on_changed()

    def _update_state(self) -> None:
        order = self.order
        self.heading.setText(
            "" if order is None else f"{order.kind.label}: {order.title or '(без заголовка)'}"
        )
        self.heading.setToolTip(order.title if order else "")
        if order is None:
            state = ""
        elif self._read_only:
            state = "только чтение"
        elif self._dirty:
            state = "не сохранено"
        else:
            state = "сохранено"
        self.state_label.setText(state)
        editable = order is not None and not self._read_only
        self.save_button.setEnabled(editable and self._dirty)
        self.save_action.setEnabled(editable)
        current = self.points_tree.currentIndex()
        has_point = self.points_model.node(current) is not None
        self.add_point_button.setEnabled(editable)
        self.add_subpoint_button.setEnabled(editable and has_point)
        self.delete_point_button.setEnabled(editable and has_point)
        self.up_button.setEnabled(editable and self.points_model.can_move(current, -1))
        self.down_button.setEnabled(editable and self.points_model.can_move(current, 1))
        self.point_form.setEnabled(has_point)
        appendix = self.current_appendix()
        row = self.appendices_table.currentIndex().row()
        self.add_appendix_button.setEnabled(editable)
        self.edit_appendix_button.setEnabled(editable and appendix is not None)
        self.delete_appendix_button.setEnabled(editable and appendix is not None)
        self.appendix_up_button.setEnabled(editable and appendix is not None and row > 0)
        self.appendix_down_button.setEnabled(
            editable and appendix is not None and row < self.appendices_model.rowCount() - 1
        )
        self.tabs.setTabText(2, f"Пункты ({self.points_model.count()})")
        self.tabs.setTabText(3, f"Приложения ({self.appendices_model.rowCount()})")

    # --- the points ----------------------------------------------------------------------------------
    def current_point(self) -> PointDraft | None:
        return self.points_model.node(self.points_tree.currentIndex())

    def select_point(self, path: list[int]) -> bool:
        index = self.points_model.index_at(path)
        if not index.isValid():
            return False
        self.points_tree.setCurrentIndex(index)
        return True

    def _on_point_chosen(self, *_args: object) -> None:
        self._fill_point_form()
        self._update_state()

    def _fill_point_form(self) -> None:
        node = self.current_point()
        loading, self._loading = self._loading, True
        try:
            for name, edit in self._point_edits().items():
                value = getattr(node, name) if node is not None else ""
                if isinstance(edit, QPlainTextEdit):
                    if edit.toPlainText() != value:
                        edit.setPlainText(value)
                elif edit.text() != value:
                    edit.setText(value)
        finally:
            self._loading = loading

    def _on_point_edited(self, field: str) -> None:
        if self._loading or self._read_only:
            return
        index = self.points_tree.currentIndex()
        if self.points_model.node(index) is None:
            return
        edit = self._point_edits()[field]
        value = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        self.points_model.update(index, **{field: value})
        self._on_changed()

    def _structure_changed(self, select: QModelIndex) -> None:
        self.points_tree.expandAll()
        if select.isValid():
            self.points_tree.setCurrentIndex(select)
        self._fill_point_form()
        self._on_changed()

    def add_point(self, *, child: bool = False) -> None:
        if self._read_only or self.order is None:
            return
        current = self.points_tree.currentIndex()
        index = self.points_model.add(current if current.isValid() else None, child=child)
        self._structure_changed(index)
        self.point_text_edit.setFocus()

    def delete_point(self) -> None:
        current = self.points_tree.currentIndex()
        if self._read_only or not current.isValid():
            return
        self._structure_changed(self.points_model.remove(current))

    def move_point(self, step: int) -> None:
        current = self.points_tree.currentIndex()
        if self._read_only or not self.points_model.can_move(current, step):
            return
        self._structure_changed(self.points_model.move(current, step))

    # --- saving --------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The form as the service's raw values."""
        raw: dict[str, Any] = {name: self._line_edit(name).text() for name in LINE_FIELDS}
        raw.update({name: self._text_edit(name).toPlainText() for name in TEXT_FIELDS})
        raw["kind"] = self.kind_combo.currentData()
        raw["order_date"] = (
            date(self.date_edit.date().year(), self.date_edit.date().month(), self.date_edit.date().day())
            if self.date_check.isChecked()
            else None
        )
        raw["date_style"] = self.date_style_combo.currentData()
        year = self.year_combo.currentData()
        raw["academic_year"] = int(year) if year else None
        raw["options"] = OrderOptions(
            font_size=float(self.font_combo.currentData()),
            left_margin_mm=float(self.margin_combo.currentData()),
            qr=self.qr_check.isChecked(),
        )
        return raw

    def changed_values(self) -> dict[str, Any]:
        order = self.order
        if order is None:
            return {}
        current: dict[str, Any] = {
            name: getattr(order, name)
            for name in (*LINE_FIELDS, *TEXT_FIELDS, "order_date", "date_style", "academic_year", "options")
        }
        current["kind"] = order.kind.value
        return {name: value for name, value in self.values().items() if current.get(name) != value}

    def save(self) -> bool:
        """Write the form and the points (one undo step). False when the service refused."""
        order = self.order
        if order is None or not self._dirty:
            return True
        raw = self.changed_values()
        points = self.points_model.points
        points_changed = points != self._loaded_points
        if not raw and not points_changed:
            self._dirty = False
            self._update_state()
            return True
        changes: list[Any] = []
        try:
            with self.database.atomic():
                if raw:
                    changes.extend(self.service.update(order.id, raw).changes)
                if points_changed:
                    changes.extend(self.service.set_points(order.id, points).changes)
        except ValidationError as exc:
            show_error(self, "\n".join(p.message for p in exc.problems), "Документ не сохранён")
            return False
        except SignedOrderError as exc:
            show_error(self, exc.message, "Документ не изменён")
            self._dirty = False
            self.load(order.id)  # the signed text back on screen: the edits cannot be kept
            return False
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Документ не сохранён")
            return False
        self._dirty = False
        self._loaded_points = copy_points(points)
        description = f"Изменение документа «{short(order.title or str(raw.get('title', '')), 60)}»"
        self.history.record(ChangeSet(description, changes))
        self._update_state()
        emit(self.saved, order.id)
        return True

    # --- the appendices ------------------------------------------------------------------------------
    def current_appendix(self) -> OrderAppendix | None:
        return self.appendices_model.appendix_at(self.appendices_table.currentIndex().row())

    def select_appendix(self, appendix_id: int) -> bool:
        row = self.appendices_model.row_of(appendix_id)
        if row is None:
            return False
        self.appendices_table.selectRow(row)
        return True

    def _write(self, action: Callable[[], ChangeSet], failure: str) -> bool:
        try:
            changeset = action()
        except ValidationError as exc:
            show_error(self, "\n".join(p.message for p in exc.problems), failure)
            return False
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, failure)
            return False
        self.history.record(changeset)
        return True

    def add_appendix(self) -> AppendixDialog | None:
        if self.order is None or self._read_only:
            return None
        dialog = AppendixDialog(self.database, self.history, self.order, parent=self)
        dialog.saved.connect(self._select_appendix_later)
        dialog.open()
        return dialog

    def edit_appendix(self) -> AppendixDialog | None:
        appendix = self.current_appendix()
        if self.order is None or appendix is None or self._read_only:
            return None
        dialog = AppendixDialog(self.database, self.history, self.order, appendix, parent=self)
        dialog.saved.connect(self._select_appendix_later)
        dialog.open()
        return dialog

    def _select_appendix_later(self, appendix_id: int) -> None:
        self.tabs.setCurrentIndex(3)
        self.select_appendix(appendix_id)
        self._update_state()

    def delete_appendix(self) -> bool:
        appendix = self.current_appendix()
        if appendix is None or self._read_only:
            return False
        return self._write(lambda: self.service.delete_appendix(appendix.id), "Приложение не удалено")

    def move_appendix(self, step: int) -> bool:
        appendix = self.current_appendix()
        row = self.appendices_table.currentIndex().row()
        if appendix is None or self._read_only or not (0 <= row + step < self.appendices_model.rowCount()):
            return False
        if self._write(lambda: self.service.move_appendix(appendix.id, row + step), "Порядок не изменён"):
            self.select_appendix(appendix.id)
            return True
        return False


def _when(stamp: str) -> str:
    """«2026-11-23T14:40:12» → «23.11.2026 14:40», as dates are written everywhere else."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return stamp
