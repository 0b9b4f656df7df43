"""The «Приказы и письма» page: the register (journal) of orders, directives and letters on the left,
the document as it prints on the right; double-click opens the editor in place of the register.

A draft is re-rendered on a worker after each save (debounced) and by «Обновить»; a signed
document shows the very PDF that was signed. Signing prints the final copy on a worker and
freezes the document; Ctrl+Z undoes it while nothing else has changed since.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import re
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.errors import AppError
from app.jobs import Job, Progress
from app.office import OfficeService
from app.orders.model import (
    AppendixKind,
    Order,
    OrderKind,
    OrderOptions,
    OrderStatus,
    OrderSummary,
    format_order_date,
)
from app.orders.service import ISSUER_KEY, OrderService
from app.text import fold, plural
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import remembered_folder, show_error, show_file_saved, show_info, status_message
from ui.orders.dialogs import (
    NewFromTemplateDialog,
    NumberingDialog,
    SignDialog,
    office_year,
    short,
)
from ui.orders.editor import OrderEditor
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner, describe_failure, report_failure

log = logging.getLogger("opora.orders")

PREVIEW_MODULE = "ui.orders.preview"
MAP_MODULE = "ui.orders.map_image"
IMPORTER_MODULE = "app.orders.importer"
REGISTER_MODULE = "app.exporting.order_register_xlsx"
PDF_MODULE = "app.exporting.order_pdf"
EXPORT_FOLDER_KEY = "orders/export-folder"
IMPORT_FOLDER_KEY = "orders/import-folder"
PREVIEW_DELAY_MS = 350
ALL = ""
ALL_YEARS = 0
SIGNED_COLOUR = QColor("#1b5e20")
DRAFT_COLOUR = QColor("#6d4c41")
COLUMN_WIDTHS = (64, 84, 108, 420, 80, 112, 44)
Index = QModelIndex | QPersistentModelIndex


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def file_name(order: Order | OrderSummary) -> str:
    """A file name for the document: «Приказ от 17.09.2021 № 594 Об утверждении плана …»."""
    if order.status is OrderStatus.SIGNED:
        head = f"{order.kind.label} от {format_order_date(order.order_date)} № {order.number}"
    else:
        head = f"Проект — {order.kind.label.lower()}"
    title = " ".join(order.title.split())
    name = f"{head} {title}".strip()
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", name)
    name = " ".join(name.split())
    return name if len(name) <= 90 else name[:89].rstrip() + "…"


# --- jobs (run on the pool) ------------------------------------------------------------------------
def _call(function: Callable[..., Any], *args: Any) -> Job[Any]:
    """A plain function or a job generator, run as a job."""
    result = function(*args)
    if inspect.isgenerator(result):
        result = yield from result
    return result


def _pdf_job(database: Database, order_id: int, renderer: Callable[[int], bytes] | None) -> Job[bytes]:
    yield Progress(0, 0, "Построение документа…")
    from app.orders.printing import order_pdf

    return order_pdf(database, order_id, map_renderer=renderer)


def _sign_job(
    database: Database, order_id: int, number: str, on: date, renderer: Callable[[int], bytes] | None
) -> Job[tuple[ChangeSet, bytes]]:
    yield Progress(0, 0, "Печать итоговой копии…")
    from app.orders.printing import sign_order

    return sign_order(database, order_id, number=number, on=on, map_renderer=renderer)


def _import_preview_job(database: Database, path: Path) -> Job[Any]:
    yield Progress(0, 0, f"Чтение файла «{path.name}»…")
    module = importlib.import_module(IMPORTER_MODULE)
    return (yield from _call(module.preview_document_import, database, path))


def _import_apply_job(database: Database, preview: Any, renderer: Callable[[int], bytes] | None) -> Job[Any]:
    yield Progress(0, 0, "Запись документа…")
    module = importlib.import_module(IMPORTER_MODULE)
    apply = module.apply_document_import
    if renderer is not None and "map_renderer" in inspect.signature(apply).parameters:
        apply = partial(apply, map_renderer=renderer)
    return (yield from _call(apply, database, preview))


def _register_job(summaries: list[OrderSummary], path: Path, office_name: str) -> Job[Path]:
    yield Progress(0, 0, "Запись журнала…")
    module = importlib.import_module(REGISTER_MODULE)
    write = module.write_register
    if "office_name" in inspect.signature(write).parameters:
        write = partial(write, office_name=office_name)
    result = yield from _call(write, summaries, path)
    return result if isinstance(result, Path) else path


# --- the register ------------------------------------------------------------------------------------
def _number_key(number: str) -> tuple[Any, ...]:
    """«01-10/142» sorts after «01-10/15»: digits compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", number) if part)


class RegisterModel(QAbstractTableModel):
    """The documents shown in the register (already filtered), sortable by any column."""

    NUMBER, DATE, KIND, TITLE, STATUS, SIGNER, APPENDICES = range(7)
    HEADERS = ("№", "Дата", "Вид", "Заголовок", "Статус", "Подписал", "Прил.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OrderSummary] = []
        self.references: dict[int, str] = {}  # id → «приказ от … № …» of the amended documents
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: list[OrderSummary], references: dict[int, str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.references = references
        self._apply_sort()
        self.endResetModel()

    def summary_at(self, row: int) -> OrderSummary | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, order_id: int) -> int | None:
        return next((row for row, s in enumerate(self.rows) if s.id == order_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == self.APPENDICES:
                return "Число приложений"
        return None

    def text(self, summary: OrderSummary, column: int) -> str:
        if column == self.NUMBER:
            return summary.number
        if column == self.DATE:
            return format_order_date(summary.order_date)
        if column == self.KIND:
            return summary.kind.label
        if column == self.TITLE:
            return " ".join(summary.title.split()) or "(без заголовка)"
        if column == self.STATUS:
            return summary.status.label
        if column == self.SIGNER:
            return summary.signer_name if summary.status is OrderStatus.SIGNED else ""
        return str(summary.appendix_count) if summary.appendix_count else ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        summary = self.summary_at(index.row()) if index.isValid() else None
        if summary is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [summary.title or "(без заголовка)"]
            if summary.amends_order_id in self.references:
                lines.append(f"Вносит изменения в {self.references[summary.amends_order_id]}")
            if summary.signed_at:
                lines.append(f"Отмечен подписанным {_when(summary.signed_at)}")
            if summary.source:
                lines.append(f"Источник: {summary.source}")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return SIGNED_COLOUR if summary.status is OrderStatus.SIGNED else DRAFT_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NUMBER, self.DATE, self.APPENDICES):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        emit(self.layoutAboutToBeChanged)
        self._sort = (column, order)
        self._apply_sort()
        emit(self.layoutChanged)

    def _apply_sort(self) -> None:
        column, order = self._sort
        if column < 0:
            return  # the service's order: drafts first, then the newest

        def key(s: OrderSummary) -> tuple[Any, ...]:
            if column == self.NUMBER:
                return (not s.number, _number_key(s.number))
            if column == self.DATE:
                return (s.order_date is None, s.order_date or date.min, s.id)
            if column == self.APPENDICES:
                return (s.appendix_count,)
            return (fold(self.text(s, column)),)

        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)


class _NoPreview(QLabel):
    """Stands in for the PDF preview while ui/orders/preview.py is not installed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet("color: #555; background: #f4f4f4; padding: 24px;")
        self.show_message("Предпросмотр недоступен: модуль просмотра PDF не установлен.")

    def show_pdf(self, _data: bytes) -> None:
        self.setText("Документ построен. Предпросмотр недоступен: модуль просмотра PDF не установлен.")

    def clear(self) -> None:
        super().clear()

    def show_message(self, text: str) -> None:
        self.setText(text)


# --- the page ----------------------------------------------------------------------------------------
class OrdersPage(QWidget):
    counts_changed = Signal(str)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        parent: QWidget | None = None,
        *,
        jobs: JobRunner | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.jobs = jobs if jobs is not None else history.jobs
        self.service = OrderService(database)
        self.office = OfficeService(database)
        self._today = today
        self._summaries: list[OrderSummary] = []
        self._preview_module = _module(PREVIEW_MODULE)
        # The preview: which document it shows, the PDF it shows, and the render in progress.
        self._pdf: tuple[int, bytes] | None = None
        self._preview_busy = False
        self._preview_again = False
        self._preview_stale = False
        self._preview_generation = 0
        self._pdf_waiters: list[Callable[[bytes], None]] = []
        self._shown_once = False  # a PDF is on screen: a new render replaces it without a blank

        self._create_actions()
        self._build_toolbar()
        self._build_register()
        self.editor = OrderEditor(database, history)
        self.editor.back_requested.connect(self.show_register)
        self.editor.amend_requested.connect(self.amend)
        self._build_preview()

        self.left = QStackedWidget()
        self.left.addWidget(self.register_panel)
        self.left.addWidget(self.editor)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.preview_panel)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 520])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._render_preview)

        self._fill_years()
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.status_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.search_edit.textChanged.connect(lambda _text: self.apply_filters())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(lambda index: self.open_order(self.model.summary_at(index.row()).id))
        history.changed.connect(self._on_history_changed)
        self.reload()

    # --- building ------------------------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._today or date.today()

    def _action(self, text: str, slot: Callable[[], object], tip: str = "", shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip = f"{tip or text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.new_template_action = self._action(
            "Создать из шаблона…",
            self.new_from_template,
            "Новый приказ, распоряжение или письмо по шаблону: план, списки, рабочая группа, партнёрство",
        )
        self.new_blank_action = self._action(
            "Пустой документ", self.new_blank, "Новый приказ без текста: реквизиты органа уже заполнены"
        )
        self.import_action = self._action(
            "Импорт из документа…",
            self.import_document,
            "Загрузить приказ из файла Word (.docx) или текста (.txt)",
        )
        self.open_action = self._action(
            "Открыть", self.open_current, "Открыть выбранный документ в редакторе"
        )
        self.sign_action = self._action(
            "Подписать…", self.sign_current, "Присвоить номер и дату по журналу и закрепить текст"
        )
        self.amend_action = self._action(
            "Внести изменения",
            self.amend_current,
            "Новый документ «О внесении изменений в …» к подписанному документу",
        )
        self.verify_action = self._action(
            "Проверить подлинность",
            self.verify_current,
            "Сверить хранимую подписанную копию с контрольной суммой, записанной при подписании",
        )
        self.delete_action = self._action(
            "Удалить проект", self.delete_current, "Удалить проект документа (можно отменить)"
        )
        self.roll_over_action = self._action(
            "Перенести на следующий год…",
            self.roll_over_current,
            "Новый проект на следующий учебный год: годы в тексте сдвинуты, планы скопированы",
        )
        self.export_register_action = self._action(
            "Журнал в Excel…", self.export_register, "Выгрузить журнал (показанные строки) в книгу Excel"
        )
        self.numbering_action = self._action(
            "Нумерация…", self.edit_numbering, "Формат номеров приказов, распоряжений и писем"
        )
        self.groups_action = self._action(
            "Рабочие группы…", self.edit_working_groups, "Составы рабочих групп для приложений"
        )
        self.refresh_action = self._action("Обновить", self.refresh_preview, "Построить предпросмотр заново")
        self.print_action = self._action("Печать…", self.print_current, "Напечатать документ", "Ctrl+P")
        self.save_pdf_action = self._action("Сохранить PDF…", self.save_pdf, "Сохранить документ в PDF")
        self.export_docx_action = self._action(
            "Экспорт в Word…", self.export_word, "Сохранить документ в формате Word (.docx)"
        )
        self.viewer_action = self._action(
            "Открыть в просмотрщике", self.open_viewer, "Открыть PDF в программе просмотра"
        )
        # Short captions on the preview's toolbar (menus show the full text).
        for action, caption in (
            (self.save_pdf_action, "PDF…"),
            (self.export_docx_action, "Word…"),
            (self.viewer_action, "В просмотрщике"),
        ):
            action.setIconText(caption)
        self.open_enter_action = QAction("Открыть", self)
        self.open_enter_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.open_enter_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.open_enter_action.triggered.connect(lambda _checked=False: self.open_current())

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.new_template_action, self.new_blank_action, self.import_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.sign_action, self.amend_action, self.verify_action, self.delete_action])
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.export_register_action)
        self.more_menu = QMenu(self)
        self.more_menu.addActions([self.numbering_action, self.groups_action])
        self.more_menu.addSeparator()
        self.more_menu.addAction(self.roll_over_action)
        more = QToolButton()
        more.setText("Ещё")
        more.setToolTip("Нумерация, рабочие группы, перенос на следующий год")
        more.setMenu(self.more_menu)
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button = more
        self.toolbar.addWidget(more)

    def _build_register(self) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setToolTip("Учебный год документов")
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Все виды", ALL)
        for kind in OrderKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.status_combo = QComboBox()
        self.status_combo.addItem("Все", ALL)
        for status in OrderStatus:
            self.status_combo.addItem(status.label, status.value)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Поиск: номер, заголовок, подписавший")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(180)
        filters = QHBoxLayout()
        for caption_text, widget in (
            ("Учебный год:", self.year_combo),
            ("Вид:", self.kind_combo),
            ("Статус:", self.status_combo),
        ):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addWidget(self.search_edit, 1)

        self.model = RegisterModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)  # two lines of the title; the whole of it in the tooltip
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setToolTip("Двойной щелчок или Enter — открыть документ")
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().lineSpacing() * 2 + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        header.setSectionResizeMode(RegisterModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.addAction(self.open_enter_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #555; padding: 12px;")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        self.register_panel = panel

    def _build_preview(self) -> None:
        module = self._preview_module
        preview_class = getattr(module, "PdfPreview", None) if module is not None else None
        self.preview: Any = preview_class(jobs=self.jobs) if preview_class is not None else _NoPreview()
        self.preview_caption = QLabel()
        self.preview_caption.setStyleSheet("font-weight: bold;")
        self.preview_caption.setTextFormat(Qt.TextFormat.PlainText)
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addActions(
            [
                self.refresh_action,
                self.print_action,
                self.save_pdf_action,
                self.export_docx_action,
                self.viewer_action,
            ]
        )
        self.preview_toolbar = bar
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.preview_caption)
        layout.addWidget(bar)
        layout.addWidget(self.preview, 1)
        panel.setMinimumWidth(360)
        self.preview_panel = panel

    # --- the register ------------------------------------------------------------------------------
    def _fill_years(self) -> None:
        wanted = self.year_combo.currentData() if self.year_combo.count() else ALL_YEARS
        years = {
            *self.office.years(),
            *(s.academic_year for s in self.service.list_orders() if s.academic_year),
        }
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        self.year_combo.addItem("Все годы", ALL_YEARS)
        for year in sorted(years, reverse=True):
            self.year_combo.addItem(academic_year_label(year), year)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(wanted), 0))
        self.year_combo.blockSignals(False)

    @property
    def year(self) -> int | None:
        value = self.year_combo.currentData()
        return int(value) if value else None

    def set_year(self, year: int | None) -> None:
        index = self.year_combo.findData(year or ALL_YEARS)
        if index < 0 and year:
            self.year_combo.addItem(academic_year_label(year), year)
            index = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(max(index, 0))

    def new_document_year(self) -> int:
        return self.year or office_year(self.database)

    def reload(self, select_id: int | None = None) -> None:
        """Read the register again (the year chosen) and show it through the filters."""
        self._summaries = self.service.list_orders(self.year)
        self.apply_filters(select_id=select_id)

    def _filtered(self) -> list[OrderSummary]:
        kind = self.kind_combo.currentData()
        status = self.status_combo.currentData()
        words = fold(self.search_edit.text()).split()
        shown = []
        for summary in self._summaries:
            if kind and summary.kind.value != kind:
                continue
            if status and summary.status.value != status:
                continue
            if words:
                text = fold(
                    " ".join(
                        (
                            summary.number,
                            format_order_date(summary.order_date),
                            summary.kind.label,
                            summary.title,
                            summary.signer_name,
                            summary.status.label,
                        )
                    )
                )
                if not all(word in text for word in words):
                    continue
            shown.append(summary)
        return shown

    def apply_filters(self, select_id: int | None = None) -> None:
        current = select_id if select_id is not None else self.current_register_id()
        shown = self._filtered()
        references = {}
        amended = {s.amends_order_id for s in shown if s.amends_order_id is not None}
        if amended:
            for summary in self.service.list_orders():
                if summary.id in amended:
                    references[summary.id] = (
                        f"{summary.kind.accusative} от {format_order_date(summary.order_date)} № {summary.number}"
                    )
        self.model.set_rows(shown, references)
        has_rows = bool(shown)
        self.table.setVisible(has_rows)
        self.empty_label.setVisible(not has_rows)
        if not has_rows:
            self.empty_label.setText(
                "Документов пока нет. Создайте приказ кнопкой «Создать из шаблона…» или «Пустой документ»."
                if not self._summaries
                else "Ни один документ не подходит под отбор."
            )
        if current is None or not self.select_order(current):
            self._on_current_changed()
        emit(self.counts_changed, self.counts_text())

    def counts_text(self) -> str:
        total = len(self._summaries)
        signed = sum(1 for s in self._summaries if s.status is OrderStatus.SIGNED)
        return (
            f"{total} {plural(total, 'документ', 'документа', 'документов')}: "
            f"подписано {signed}, проектов {total - signed}"
        )

    def current_register_id(self) -> int | None:
        index = self.table.currentIndex()
        summary = self.model.summary_at(index.row()) if index.isValid() else None
        return summary.id if summary is not None else None

    def current_summary(self) -> OrderSummary | None:
        index = self.table.currentIndex()
        return self.model.summary_at(index.row()) if index.isValid() else None

    def select_order(self, order_id: int) -> bool:
        row = self.model.row_of(order_id)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def row_texts(self, order_id: int) -> list[str]:
        """The register's cells of the document (for tests and the status bar)."""
        row = self.model.row_of(order_id)
        if row is None:
            return []
        return [self.model.index(row, column).data() or "" for column in range(self.model.columnCount())]

    def _on_current_changed(self, *_args: object) -> None:
        self.update_actions()
        if not self.in_editor():
            self.request_preview()

    def _show_context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        if self.current_summary() is not None:
            menu.addAction(self.open_action)
            menu.addSeparator()
            menu.addActions([self.sign_action, self.amend_action, self.verify_action])
            menu.addSeparator()
            menu.addActions([self.print_action, self.save_pdf_action, self.export_docx_action])
            menu.addSeparator()
            menu.addActions([self.roll_over_action, self.delete_action])
            menu.addSeparator()
        menu.addActions([self.new_template_action, self.new_blank_action, self.import_action])
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(position))

    # --- which document ------------------------------------------------------------------------------
    def in_editor(self) -> bool:
        return self.left.currentWidget() is self.editor and self.editor.order is not None

    def current_id(self) -> int | None:
        """The document the commands act on: the one in the editor, else the register's current row."""
        if self.in_editor():
            return self.editor.order_id
        return self.current_register_id()

    def _current_state(self) -> tuple[int | None, bool]:
        if self.in_editor():
            order = self.editor.order
            assert order is not None
            return order.id, order.is_signed
        summary = self.current_summary()
        if summary is None:
            return None, False
        return summary.id, summary.status is OrderStatus.SIGNED

    def update_actions(self) -> None:
        order_id, signed = self._current_state()
        has = order_id is not None
        self.open_action.setEnabled(has and not self.in_editor())
        self.sign_action.setEnabled(has and not signed)
        self.amend_action.setEnabled(has and signed)
        self.verify_action.setEnabled(has and signed)
        self.delete_action.setEnabled(has and not signed)
        self.roll_over_action.setEnabled(has and _available("app.orders.rollover"))
        self.import_action.setEnabled(_available(IMPORTER_MODULE))
        if not self.import_action.isEnabled():
            self.import_action.setToolTip("Импорт документов ещё не установлен")
        exporter = _available(REGISTER_MODULE)
        self.export_register_action.setEnabled(exporter and self.model.rowCount() > 0)
        if not exporter:
            self.export_register_action.setToolTip("Выгрузка журнала в Excel ещё не установлена")
        preview = self._preview_module is not None
        for action, name in (
            (self.print_action, "print_pdf"),
            (self.save_pdf_action, "save_pdf_as"),
            (self.export_docx_action, "export_docx"),
            (self.viewer_action, "open_in_viewer"),
        ):
            action.setEnabled(has and preview and hasattr(self._preview_module, name))
        self.refresh_action.setEnabled(has)

    # --- the editor ----------------------------------------------------------------------------------
    def open_current(self) -> bool:
        order_id = self.current_register_id()
        return order_id is not None and self.open_order(order_id)

    def open_order(self, order_id: int) -> bool:
        """Show the document in the editor (the unsaved edits of another one are saved first)."""
        if self.editor.order is not None and self.editor.order_id != order_id and not self.editor.save():
            return False
        if self.editor.order_id != order_id or self.editor.order is None:
            if not self.editor.load(order_id):
                return False
        else:
            self.editor.refresh_from_database()
        if self.model.row_of(order_id) is None:
            self.reload(select_id=order_id)
        self.select_order(order_id)
        self.left.setCurrentWidget(self.editor)
        self.splitter.setSizes(self._sizes(editor=True))
        self.update_actions()
        self.request_preview(at_once=True)
        return True

    def show_register(self) -> bool:
        """Back to the register; the editor's edits are saved first (False: refused, stays)."""
        if self.editor.order is not None and not self.editor.save():
            return False
        order_id = self.editor.order_id
        self.left.setCurrentWidget(self.register_panel)
        self.splitter.setSizes(self._sizes(editor=False))
        if order_id is not None:
            self.select_order(order_id)
        self.update_actions()
        self.request_preview()
        return True

    def _sizes(self, *, editor: bool) -> list[int]:
        total = max(self.splitter.width(), 900)
        left = int(total * (0.55 if editor else 0.6))
        return [left, total - left]

    def save_pending(self) -> bool:
        """Save the editor's unsaved edits (when the window closes)."""
        return self.editor.save() if self.editor.order is not None else True

    def hideEvent(self, event: Any) -> None:
        if self.editor.order is not None and self.editor.is_dirty():
            self.editor.save()
        super().hideEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._preview_stale:
            self.request_preview()

    # --- creating ---------------------------------------------------------------------------------
    def _write(self, action: Callable[[], ChangeSet], failure: str) -> ChangeSet | None:
        try:
            changeset = action()
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, failure)
            return None
        self.history.record(changeset)
        return changeset

    def new_from_template(self) -> NewFromTemplateDialog:
        if self.editor.order is not None:
            self.editor.save()
        dialog = NewFromTemplateDialog(
            self.database, self.history, year=self.new_document_year(), parent=self
        )
        dialog.created.connect(self._on_created)
        dialog.open()
        return dialog

    def _on_created(self, order_id: int, notes: object) -> None:
        self._show_created(order_id)
        if isinstance(notes, list) and notes:
            show_info(
                self,
                "Документ создан. Программа не уверена в формах некоторых слов — проверьте их в тексте:\n\n"
                + "\n".join(f"• {note}" for note in notes),
                "Проверьте склонение",
            )

    def _show_created(self, order_id: int) -> None:
        summary = next((s for s in self.service.list_orders() if s.id == order_id), None)
        if summary is not None and self.year is not None and summary.academic_year != self.year:
            self.set_year(None)
        for combo in (self.kind_combo, self.status_combo):
            combo.setCurrentIndex(0)
        self.search_edit.clear()
        self.reload(select_id=order_id)
        self.open_order(order_id)

    def new_blank(self) -> int | None:
        from app.orders.printing import suggested_issuer

        office = self.office.get()
        kind = OrderKind.ORDER
        raw = {
            "kind": kind.value,
            "title": "",
            "directive": kind.directive_word,
            "place": office.place,
            "issuer": self.office.setting(ISSUER_KEY) or suggested_issuer(office.short_name),
            "signer_position": office.head_position,
            "signer_name": office.head_name,
            "control_text": f"Контроль за исполнением настоящего {kind.genitive} оставляю за собой.",
            "distribution": "в дело",
            "academic_year": self.new_document_year(),
            "options": OrderOptions(),
        }
        result: list[int] = []

        def create() -> ChangeSet:
            order_id, changeset = self.service.create(raw)
            result.append(order_id)
            return changeset

        if self.editor.order is not None and not self.editor.save():
            return None
        if self._write(create, "Документ не создан") is None:
            return None
        self._show_created(result[0])
        self.editor.tabs.setCurrentIndex(1)
        self.editor.title_edit.setFocus()
        return result[0]

    # --- import --------------------------------------------------------------------------------------
    def import_document(self, path: Path | None = None) -> bool:
        if not _available(IMPORTER_MODULE):
            show_error(self, "Импорт приказов из документов ещё не установлен.", "Импорт документа")
            return False
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            name, _ = QFileDialog.getOpenFileName(
                self,
                "Импорт приказа из документа",
                remembered_folder(IMPORT_FOLDER_KEY),
                "Документы (*.docx *.txt);;Документ Word (*.docx);;Текст (*.txt)",
            )
            if not name:
                return False
            path = Path(name)
        QSettings().setValue(IMPORT_FOLDER_KEY, str(Path(path).parent))
        worker = self.jobs.start(
            partial(_import_preview_job, self.database, Path(path)),
            title="Импорт документа",
            label=f"Чтение файла «{Path(path).name}»…",
            progress_parent=self,
        )
        worker.finished.connect(self._confirm_import)
        worker.failed.connect(lambda exc: report_failure(self, exc, "Документ не прочитан"))
        return True

    def _confirm_import(self, preview: Any) -> QWidget:
        from ui.plans.dialogs import ask

        summary = preview.summary() if callable(getattr(preview, "summary", None)) else str(preview)
        warnings = list(getattr(preview, "warnings", []) or [])
        text = summary
        if warnings:
            shown = [w if len(w) <= 300 else w[:299] + "…" for w in warnings[:12]]
            text += "\n\nОбратите внимание:\n" + "\n".join(f"• {w}" for w in shown)
            if len(warnings) > len(shown):
                text += f"\n• … и ещё предупреждений: {len(warnings) - len(shown)}"
        if getattr(preview, "will_be_signed", False):
            text += (
                "\n\nДокумент с номером и датой подписан на бумаге: он встанет в журнал как подписанный. "
                "Загрузить? Загрузку можно отменить (Ctrl+Z)."
            )
        else:
            text += "\n\nЗагрузить документ как новый проект? Загрузку можно отменить (Ctrl+Z)."
        self.import_box = ask(
            self, text, "Импорт документа", "Загрузить", lambda: self._apply_import(preview)
        )
        return self.import_box

    def _apply_import(self, preview: Any) -> None:
        worker = self.jobs.start(
            partial(_import_apply_job, self.database, preview, self._any_map_renderer()),
            title="Импорт документа",
            label="Запись документа…",
            progress_parent=self,
        )
        worker.finished.connect(self._on_imported)
        worker.failed.connect(lambda exc: report_failure(self, exc, "Документ не загружен"))

    def _on_imported(self, result: Any) -> None:
        imported, changeset = result
        self.history.record(changeset)
        order_id = int(getattr(imported, "order_id", imported))
        self._show_created(order_id)
        if getattr(imported, "status", "") == OrderStatus.SIGNED.value:
            order = self.service.get(order_id)
            status_message(self, f"Загружен подписанный документ: {order.requisites}. Отменить — Ctrl+Z.")
        else:
            status_message(self, "Документ загружен как проект. Отменить — Ctrl+Z.")

    # --- signing, amending, checking -----------------------------------------------------------------
    def _saved_current(self) -> int | None:
        """The current document, with the editor's edits saved (None: nothing, or refused)."""
        order_id = self.current_id()
        if order_id is None:
            return None
        if self.in_editor() and not self.editor.save():
            return None
        return order_id

    def sign_current(self) -> SignDialog | None:
        order_id = self._saved_current()
        if order_id is None:
            return None
        try:
            order = self.service.get(order_id)
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Подписание")
            return None
        if order.is_signed:
            show_info(self, f"{order.requisites.capitalize()} уже подписан.", "Подписание")
            return None
        dialog = SignDialog(self.database, order, today=self.today, parent=self)
        dialog.sign_requested.connect(partial(self._sign, order_id))
        dialog.open()
        return dialog

    def _sign(self, order_id: int, number: str, on: object) -> None:
        assert isinstance(on, date)
        try:
            renderer = self._map_renderer(self.service.get(order_id))
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Документ не подписан")
            return
        worker = self.jobs.start(
            partial(_sign_job, self.database, order_id, number, on, renderer),
            title="Подписание",
            label="Подписание: печать итоговой копии…",
            progress_parent=self,
        )
        worker.finished.connect(partial(self._on_signed, order_id))
        worker.failed.connect(lambda exc: report_failure(self, exc, "Документ не подписан"))

    def _on_signed(self, order_id: int, result: object) -> None:
        changeset, _pdf = result  # type: ignore[misc]
        self.history.record(changeset)
        if self.in_editor():
            self.show_register()
        self.select_order(order_id)
        try:
            order = self.service.get(order_id)
        except AppError:
            return
        status_message(self, f"Подписан: {order.requisites}. Отменить подписание — Ctrl+Z.")

    def amend_current(self) -> int | None:
        order_id = self._saved_current()
        return self.amend(order_id) if order_id is not None else None

    def amend(self, order_id: int) -> int | None:
        result: list[int] = []

        def create() -> ChangeSet:
            new_id, changeset = self.service.amend(order_id)
            result.append(new_id)
            return changeset

        if self._write(create, "Изменения не созданы") is None:
            return None
        self._show_created(result[0])
        self.editor.tabs.setCurrentIndex(2)
        status_message(self, "Создан проект «О внесении изменений…»: допишите пункты изменений.")
        return result[0]

    def verify_current(self) -> QWidget | None:
        order_id = self.current_id()
        if order_id is None:
            return None
        try:
            verification = self.service.verify(order_id)
        except (AppError, DatabaseError) as exc:
            return show_error(self, exc.message, "Проверка подлинности")
        if verification.ok:
            return show_info(self, verification.message, "Проверка подлинности")
        return show_error(self, verification.message, "Проверка подлинности")

    def delete_current(self) -> QWidget | None:
        order_id = self.current_id()
        if order_id is None:
            return None
        from ui.plans.dialogs import ask

        try:
            order = self.service.get(order_id)
        except (AppError, DatabaseError) as exc:
            return show_error(self, exc.message, "Документ не удалён")
        if order.is_signed:
            return show_error(
                self,
                f"{order.requisites.capitalize()} подписан и хранится в журнале: удалить его нельзя.",
                "Документ не удалён",
            )
        text = f"Удалить проект «{short(order.title, 150) or '(без заголовка)'}»?\n\nУдаление можно отменить (Ctrl+Z)."

        def delete() -> None:
            if self.editor.order_id == order_id:
                self.editor.clear()
                self.show_register()
            self._write(lambda: self.service.delete(order_id), "Документ не удалён")

        return ask(self, text, "Удаление проекта", "Удалить", delete)

    def roll_over_current(self) -> QWidget | None:
        order_id = self._saved_current()
        if order_id is None:
            return None
        from ui.plans.dialogs import ask

        order = self.service.get(order_id)
        year = order.academic_year
        target = f"{academic_year_label(year + 1)} учебный год" if year else "следующий учебный год"
        text = (
            f"Создать проект на {target} по документу «{short(order.title, 150)}»?\n\n"
            "Годы в тексте будут сдвинуты, номер и дата очищены; планы из приложений скопированы на новый "
            "год (или взяты уже перенесённые), рабочая группа скопирована. Отменить — Ctrl+Z."
        )
        return ask(self, text, "Перенос на следующий год", "Создать", lambda: self._roll_over(order_id))

    def _roll_over(self, order_id: int) -> None:
        from app.orders.rollover import roll_over_order

        result: list[int] = []

        def roll() -> ChangeSet:
            new_id, changeset = roll_over_order(self.database, order_id)
            result.append(new_id)
            return changeset

        if self._write(roll, "Документ не перенесён") is not None:
            self._show_created(result[0])

    # --- register-wide commands ----------------------------------------------------------------------
    def export_register(self, path: Path | None = None) -> bool:
        if not _available(REGISTER_MODULE):
            show_error(self, "Выгрузка журнала в Excel ещё не установлена.", "Журнал в Excel")
            return False
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            year = academic_year_label(self.year).replace("/", "-") if self.year else "все годы"
            default = Path(remembered_folder(EXPORT_FOLDER_KEY)) / f"Журнал приказов {year}.xlsx"
            name, _ = QFileDialog.getSaveFileName(
                self, "Журнал в Excel", str(default), "Книга Excel (*.xlsx)"
            )
            if not name:
                return False
            path = Path(name)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
        path = Path(path)
        QSettings().setValue(EXPORT_FOLDER_KEY, str(path.parent))
        worker = self.jobs.start(
            partial(_register_job, list(self.model.rows), path, self.office.get().name),
            title="Журнал в Excel",
            label=f"Запись файла «{path.name}»…",
            progress_parent=self,
        )
        worker.finished.connect(
            lambda written: show_file_saved(
                self, "Журнал в Excel", f"Журнал сохранён в файл «{written}».", written
            )
        )
        worker.failed.connect(lambda exc: report_failure(self, exc, "Журнал не сохранён"))
        return True

    def edit_numbering(self) -> NumberingDialog:
        dialog = NumberingDialog(self.database, today=self.today, parent=self)
        dialog.saved.connect(lambda: status_message(self, "Нумерация сохранена."))
        dialog.open()
        return dialog

    def edit_working_groups(self) -> QWidget:
        from ui.orders.working_groups import WorkingGroupsDialog

        dialog = WorkingGroupsDialog(self, self.database, self.history, self.new_document_year())
        dialog.open()
        return dialog

    # --- reacting to changes -------------------------------------------------------------------------
    def _on_history_changed(self, changeset: ChangeSet) -> None:
        tables = {change.table for change in changeset.changes}
        if tables & {"orders", "order_points", "order_appendices", "academic_years"}:
            if "orders" in tables:
                self._fill_years()
            self.reload()
        if self.editor.order is not None:
            self.editor.refresh_from_database()
            if self.editor.order is None and self.left.currentWidget() is self.editor:
                self.left.setCurrentWidget(self.register_panel)
        self.update_actions()
        self.request_preview()

    # --- the preview -----------------------------------------------------------------------------------
    def request_preview(self, *, at_once: bool = False) -> None:
        """Show the current document as it prints: after a short pause (edits come in bursts)."""
        self._pdf = None
        if at_once:
            self._preview_timer.stop()
            self._render_preview()
        else:
            self._preview_timer.start()

    def refresh_preview(self) -> None:
        if self.in_editor() and self.editor.is_dirty():
            self.editor.save()  # its change re-renders the preview
        self.request_preview(at_once=True)

    def _any_map_renderer(self) -> Callable[[int], bytes] | None:
        module = _module(MAP_MODULE)
        return module.map_renderer(self.database) if module is not None else None

    def _map_renderer(self, order: Order) -> Callable[[int], bytes] | None:
        """The partnership map's painter for a document with a map appendix (it draws on the UI
        thread even when the worker that prints calls it)."""
        if not any(a.kind is AppendixKind.PARTNERSHIP_MAP for a in order.appendices):
            return None
        module = _module(MAP_MODULE)
        return module.map_renderer(self.database) if module is not None else None

    def _render_preview(self) -> None:
        order_id = self.current_id()
        if order_id is None:
            self.preview_caption.setText("Предпросмотр")
            self.preview.show_message(
                "Выберите документ в журнале, чтобы увидеть его таким, как он напечатается."
            )
            self._fail_waiters("")
            return
        if not self.isVisible():
            self._preview_stale = True
            return
        self._preview_stale = False
        if self._preview_busy:
            self._preview_again = True
            return
        try:
            order = self.service.get(order_id)
        except (AppError, DatabaseError) as exc:
            self.preview.show_message(exc.message)
            self._fail_waiters(exc.message)
            return
        self.preview_caption.setText(
            f"Подписанная копия: {order.requisites}"
            if order.is_signed
            else f"Проект {order.kind.genitive} — как он напечатается"
        )
        if order.is_signed:
            try:
                pdf = self.service.signed_pdf(order_id)
            except (AppError, DatabaseError) as exc:
                self.preview.show_message(exc.message)
                self._fail_waiters(exc.message)
                return
            self._show_pdf(order_id, pdf)
            return
        if not _available(PDF_MODULE):
            message = "Предпросмотр недоступен: модуль печати PDF ещё не установлен."
            self.preview.show_message(message)
            self._fail_waiters(message)
            return
        self._preview_busy = True
        self._preview_generation += 1
        generation = self._preview_generation
        if not self._shown_once:
            self.preview.show_message("Построение документа…")
        worker = self.jobs.start(
            partial(_pdf_job, self.database, order_id, self._map_renderer(order)),
            title="Предпросмотр",
            show_progress=False,
        )
        worker.finished.connect(partial(self._on_preview_done, generation, order_id))
        worker.failed.connect(partial(self._on_preview_failed, generation, order_id))
        worker.cancelled.connect(self._on_preview_cancelled)

    def _show_pdf(self, order_id: int, pdf: bytes) -> None:
        self._pdf = (order_id, pdf)
        self._shown_once = True
        self.preview.show_pdf(pdf)
        waiters, self._pdf_waiters = self._pdf_waiters, []
        for waiter in waiters:
            waiter(pdf)

    def _fail_waiters(self, message: str) -> None:
        waiters, self._pdf_waiters = self._pdf_waiters, []
        if waiters and message:
            show_error(self, message, "Документ не построен")

    def _preview_done(self) -> bool:
        """The render has ended; True when another one was asked for meanwhile (it starts now)."""
        self._preview_busy = False
        if self._preview_again:
            self._preview_again = False
            self._render_preview()
            return True
        return False

    def _on_preview_done(self, generation: int, order_id: int, pdf: object) -> None:
        current = generation == self._preview_generation and order_id == self.current_id()
        if self._preview_done() or not current:
            return
        assert isinstance(pdf, bytes | bytearray)
        self._show_pdf(order_id, bytes(pdf))

    def _on_preview_failed(self, generation: int, order_id: int, exc: object) -> None:
        current = generation == self._preview_generation and order_id == self.current_id()
        if self._preview_done() or not current:
            return
        message = describe_failure(exc) if isinstance(exc, BaseException) else None
        if message is None:
            if isinstance(exc, BaseException):
                log.error("Предпросмотр документа не построен", exc_info=(type(exc), exc, exc.__traceback__))
            message = (
                "Документ не удалось построить для предпросмотра. Подробности записаны в журнал "
                "программы (opora.log); остальная работа не затронута."
            )
        self.preview.show_message(message)
        self._fail_waiters(message)

    def _on_preview_cancelled(self) -> None:
        self._preview_done()

    def with_pdf(self, callback: Callable[[bytes], None]) -> None:
        """Run `callback` with the current document's PDF: at once when the preview is up to date,
        else after the render (the editor's edits are saved first)."""
        if self.in_editor() and self.editor.is_dirty() and not self.editor.save():
            return
        order_id = self.current_id()
        if order_id is None:
            return
        if (
            self._pdf is not None
            and self._pdf[0] == order_id
            and not self._preview_timer.isActive()
            and not self._preview_busy
        ):
            callback(self._pdf[1])
            return
        self._pdf_waiters.append(callback)
        self._preview_timer.stop()
        if self._preview_busy:
            self._preview_again = True
        else:
            self._render_preview()

    def _current_order(self) -> Order | None:
        order_id = self.current_id()
        if order_id is None:
            return None
        try:
            return self.service.get(order_id)
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Документ не найден")
            return None

    def _preview_function(self, name: str) -> Callable[..., Any] | None:
        function = getattr(self._preview_module, name, None) if self._preview_module is not None else None
        if function is None:
            show_error(self, "Эта команда ещё не установлена: нет модуля просмотра и печати PDF.", "Печать")
        return function

    def print_current(self) -> None:
        function = self._preview_function("print_pdf")
        order = self._current_order()
        if function is None or order is None:
            return
        title = file_name(order)
        self.with_pdf(lambda pdf: function(self, pdf, title))

    def save_pdf(self) -> None:
        function = self._preview_function("save_pdf_as")
        order = self._current_order()
        if function is None or order is None:
            return
        name = file_name(order) + ".pdf"
        self.with_pdf(lambda pdf: function(self, pdf, name))

    def open_viewer(self) -> None:
        function = self._preview_function("open_in_viewer")
        order = self._current_order()
        if function is None or order is None:
            return
        name = file_name(order) + ".pdf"
        self.with_pdf(lambda pdf: function(self, pdf, name))

    def export_word(self) -> None:
        function = self._preview_function("export_docx")
        if function is None:
            return
        if self.in_editor() and self.editor.is_dirty() and not self.editor.save():
            return
        order = self._current_order()
        if order is None:
            return
        from app.orders.printing import build_document

        try:
            document = build_document(self.database, order, map_renderer=self._map_renderer(order))
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Документ не построен")
            return
        function(self, document, file_name(order) + ".docx")


def _when(stamp: str) -> str:
    """«2026-11-23T14:40:12» → «23.11.2026 14:40», as dates are written everywhere else."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return stamp
