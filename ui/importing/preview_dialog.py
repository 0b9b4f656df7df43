"""The import preview dialog: what the file holds, how its columns map, what loading would do.

Nothing is written until «Загрузить». Changing a column's mapping asks the flow to check the file
again (`mapping_changed`); «Загрузить» stays disabled, with the reason written next to it, while
the file has errors or nothing to load.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.importing.registry_import import REGISTRY_COLUMNS, RegistryImportPreview, RowAction
from app.text import plural
from ui.forms import ERROR_STYLE
from ui.importing.preview_model import PreviewTableModel, RowFilter
from ui.signals import emit

NOT_LOADED = "— не загружать —"
_WIDTHS = {
    "full_name": 300,
    "short_name": 200,
    "address": 260,
    "director": 190,
    "parent_name": 200,
    "settlement": 130,
    "students": 90,
    "kind": 90,
    "inn": 110,
}


class MappingStrip(QWidget):
    """One combo per source column: which field it goes to, or none."""

    changed = Signal(object)  # {column index: field or None}; object: int keys are no QVariantMap

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combos: dict[int, QComboBox] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)

    def set_columns(self, preview: RegistryImportPreview) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.combos.clear()
        for column in preview.columns:
            cell = QFrame()
            cell.setFrameShape(QFrame.Shape.StyledPanel)
            cell.setFixedWidth(220)
            box = QVBoxLayout(cell)
            box.setAlignment(Qt.AlignmentFlag.AlignTop)
            box.setContentsMargins(6, 4, 6, 4)
            box.setSpacing(2)
            title = column.title or "(без заголовка)"
            caption = QLabel(f"<b>{column.letter}</b> · {_html(_elide(title, 26))}")
            caption.setToolTip(f"Столбец {column.letter}: «{title}»")
            combo = QComboBox()
            combo.addItem(NOT_LOADED, None)
            for spec in REGISTRY_COLUMNS:
                combo.addItem(spec.title + (" *" if spec.required else ""), spec.field)
            combo.setCurrentIndex(max(combo.findData(column.field), 0) if column.field else 0)
            combo.setObjectName(f"mapping_{column.letter}")
            combo.activated.connect(self._on_activated)
            self.combos[column.index] = combo
            box.addWidget(caption)
            box.addWidget(combo)
            self._layout.addWidget(cell)
        self._layout.addStretch(1)

    def mapping(self) -> dict[int, str | None]:
        return {index: combo.currentData() for index, combo in self.combos.items()}

    def choose(self, column_index: int, field: str | None) -> None:
        """Pick a field for a column as the user would (tests and keyboard users alike)."""
        combo = self.combos[column_index]
        combo.setCurrentIndex(max(combo.findData(field), 0) if field else 0)
        self._apply_choice(combo)

    def _on_activated(self, _index: int) -> None:
        combo = self.sender()
        if isinstance(combo, QComboBox):
            self._apply_choice(combo)

    def _apply_choice(self, chosen: QComboBox) -> None:
        field = chosen.currentData()
        if field is not None:
            # One field comes from one column: the latest choice wins, the other column lets go.
            for combo in self.combos.values():
                if combo is not chosen and combo.currentData() == field:
                    combo.setCurrentIndex(0)
        emit(self.changed, self.mapping())


class ImportPreviewDialog(QDialog):
    mapping_changed = Signal(object)
    reload_requested = Signal()
    apply_requested = Signal()

    def __init__(self, preview: RegistryImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Импорт реестра — {preview.path.name}")
        self.resize(1240, 720)
        self.preview = preview
        self._busy = False

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_issues_label = QLabel()
        self.file_issues_label.setWordWrap(True)
        self.file_issues_label.setStyleSheet(ERROR_STYLE)

        mapping_caption = QLabel(
            "Сопоставление столбцов: укажите, в какое поле реестра загружать каждый столбец файла "
            "(* — обязательное поле)."
        )
        mapping_caption.setWordWrap(True)
        self.mapping = MappingStrip()
        self.mapping.changed.connect(self.mapping_changed)
        mapping_scroll = QScrollArea()
        mapping_scroll.setWidget(self.mapping)
        mapping_scroll.setWidgetResizable(True)
        mapping_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        mapping_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mapping_scroll = mapping_scroll

        self.filter_combo = QComboBox()
        for row_filter in RowFilter:
            self.filter_combo.addItem(row_filter.value, row_filter)
        self.filter_combo.currentIndexChanged.connect(self._apply_filter)
        self.shown_label = QLabel()
        filter_row = QHBoxLayout()
        filter_label = QLabel("Показать:")
        filter_label.setBuddy(self.filter_combo)
        filter_row.addWidget(filter_label)
        filter_row.addWidget(self.filter_combo)
        filter_row.addWidget(self.shown_label, 1)

        self.model = PreviewTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.blocked_label = QLabel()
        self.blocked_label.setWordWrap(True)
        self.reload_button = QPushButton("Перечитать файл")
        self.reload_button.setToolTip("Проверить файл снова, например после исправления в Excel")
        self.reload_button.clicked.connect(self.reload_requested)
        self.apply_button = QPushButton("Загрузить")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self._on_apply)
        self.cancel_button = QPushButton("Отмена")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.blocked_label, 1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.file_issues_label)
        layout.addWidget(mapping_caption)
        layout.addWidget(mapping_scroll)
        layout.addLayout(filter_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.set_preview(preview)

    # --- showing a preview -------------------------------------------------------------------------
    def set_preview(self, preview: RegistryImportPreview) -> None:
        self.preview = preview
        self._busy = False
        self.summary_label.setText(preview.summary())
        self.file_issues_label.setText("\n".join(i.text() for i in preview.file_issues))
        self.file_issues_label.setVisible(bool(preview.file_issues))
        self.mapping.set_columns(preview)
        scrollbar = self.mapping_scroll.horizontalScrollBar().sizeHint().height()
        self.mapping_scroll.setFixedHeight(self.mapping.sizeHint().height() + scrollbar + 6)
        self._apply_filter()
        self._size_columns()
        self._update_buttons()

    def _apply_filter(self, *_args: object) -> None:
        row_filter = self.filter_combo.currentData()
        self.model.set_preview(
            self.preview, row_filter if isinstance(row_filter, RowFilter) else RowFilter.ALL
        )
        total = len(self.preview.rows)
        shown = self.model.rowCount()
        self.shown_label.setText(f"показано {shown} из {total} {plural(total, 'строки', 'строк', 'строк')}")

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.resizeSection(PreviewTableModel.ROW_COLUMN, 64)
        header.resizeSection(PreviewTableModel.ACTION_COLUMN, 120)
        header.resizeSection(PreviewTableModel.ISSUES_COLUMN, 300)
        for column, field in enumerate(self.model.fields, start=PreviewTableModel.FIRST_FIELD_COLUMN):
            # Never narrower than the title, so «Численность обучающихся» is not cut.
            header.resizeSection(column, max(_WIDTHS.get(field, 130), header.sectionSizeHint(column) + 8))

    def blocking_reason(self) -> str:
        """Why «Загрузить» is disabled, or "" when loading is possible."""
        if self._busy:
            return "Идёт проверка файла…"
        errors = self.preview.error_count()
        if errors:
            return (
                f"Загрузка невозможна: {errors} {plural(errors, 'ошибка', 'ошибки', 'ошибок')}. "
                "Исправьте файл (строки с ошибками выделены) или сопоставление столбцов и перечитайте файл."
            )
        counts = self.preview.counts()
        if not counts[RowAction.NEW] and not counts[RowAction.UPDATE]:
            return "Загружать нечего: новых школ и изменений нет."
        return ""

    def _update_buttons(self) -> None:
        reason = self.blocking_reason()
        self.apply_button.setEnabled(not reason)
        self.mapping.setEnabled(not self._busy)
        self.reload_button.setEnabled(not self._busy)
        self.blocked_label.setText(reason)
        self.blocked_label.setStyleSheet(ERROR_STYLE if reason and not self._busy else "")

    def set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self._update_buttons()
        if busy and message:
            self.blocked_label.setText(message)

    def _on_apply(self) -> None:
        if self.blocking_reason():
            return
        self.set_busy(True, "Загрузка…")
        emit(self.apply_requested)


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
