"""The plan import's dialogs: the preview of the plans found, and the manual column mapping."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.plans.model import ColumnRole
from app.text import plural
from ui.signals import emit

_Index = QModelIndex | QPersistentModelIndex
_HEADERS = (
    "Загрузить",
    "Название плана",
    "Учебный год",
    "Период",
    "Разделов",
    "Пунктов",
    "Без срока",
    "Не распознано",
)


class PreviewPlansModel(QAbstractTableModel):
    """The plans of a document, each with a check box «load it»."""

    def __init__(self, preview: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.checked = [True] * len(preview.plans)

    def set_preview(self, preview: Any) -> None:
        self.beginResetModel()
        keep = self.checked if len(self.checked) == len(preview.plans) else [True] * len(preview.plans)
        self.preview, self.checked = preview, keep
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.preview.plans)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        plan = self.preview.plans[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return Qt.CheckState.Checked if self.checked[index.row()] else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and column == 7 and plan.not_understood:
            return "\n".join(f"строка {row}: «{text}»" for row, text in plan.not_understood)
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return plan.title
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            "",
            " ".join(plan.title.split()),
            academic_year_label(plan.academic_year),
            f"{plan.period_start:%d.%m.%Y} – {plan.period_end:%d.%m.%Y}",
            plan.sections,
            plan.items,
            plan.undated,
            len(plan.not_understood),
        )
        return values[column]

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole:
            self.checked[index.row()] = Qt.CheckState(value) == Qt.CheckState.Checked
            emit(self.dataChanged, index, index, [role])
            return True
        return False


class PlanImportDialog(QDialog):
    """What the document holds and what «Загрузить» will create; nothing is written before."""

    year_changed = Signal(object)  # int, or None: «по документу»
    apply_requested = Signal()

    def __init__(self, preview: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Загрузка плана мероприятий")
        self.resize(980, 560)
        layout = QVBoxLayout(self)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        layout.addWidget(self.source_label)

        form = QFormLayout()
        self.year_combo = QComboBox()
        self.year_combo.addItem("по документу (из названия или даты)", None)
        years = sorted({p.academic_year for p in preview.plans})
        first = min(years) if years else 2020
        for year in range(first - 3, first + 4):
            self.year_combo.addItem(f"{academic_year_label(year)} учебный год", year)
        self.year_combo.currentIndexChanged.connect(self._on_year)
        form.addRow("Учебный год планов:", self.year_combo)
        layout.addLayout(form)

        self.model = PreviewPlansModel(preview, self)
        self.model.dataChanged.connect(self._update_buttons)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 2)

        layout.addWidget(QLabel("Замечания:"))
        self.issues = QPlainTextEdit()
        self.issues.setReadOnly(True)
        layout.addWidget(self.issues, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        buttons = QDialogButtonBox()
        self.load_button = QPushButton("Загрузить")
        self.load_button.setDefault(True)
        buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        self.load_button.clicked.connect(self._on_load)
        layout.addWidget(buttons)
        self.set_preview(preview)

    def set_preview(self, preview: Any) -> None:
        self.preview = preview
        self.model.set_preview(preview)
        self.source_label.setText(f"Источник: <b>{_html(preview.source_name)}</b>")
        self.issues.setPlainText("\n".join(i.text() for i in preview.issues) or "Замечаний нет.")
        self.summary.setText(preview.summary())
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.year_combo.setEnabled(not busy)
        self.table.setEnabled(not busy)
        self._update_buttons(busy=busy)

    def _update_buttons(self, *_args: object, busy: bool = False) -> None:
        chosen = sum(self.model.checked)
        self.load_button.setEnabled(not busy and chosen > 0)
        self.load_button.setText(
            f"Загрузить {chosen} {plural(chosen, 'план', 'плана', 'планов')}"
            if chosen != 1
            else "Загрузить план"
        )

    def chosen_preview(self) -> Any:
        plans = [plan for plan, keep in zip(self.preview.plans, self.model.checked, strict=True) if keep]
        return replace(self.preview, plans=plans)

    def _on_year(self) -> None:
        emit(self.year_changed, self.year_combo.currentData())

    def _on_load(self) -> None:
        if sum(self.model.checked):
            emit(self.apply_requested)


class ColumnMappingDialog(QDialog):
    """The table's header is not recognised: the user says which column holds what."""

    def __init__(self, message: str, rows: list[list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Столбцы плана")
        self.resize(1000, 520)
        self.rows = rows
        width = max((len(r) for r in rows), default=0)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{message}\n\nУкажите, что записано в каждом столбце. Столбцы без указания не загружаются; "
            "обязателен столбец с мероприятием."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.header_spin = QSpinBox()
        self.header_spin.setRange(0, max(len(rows), 1))
        self.header_spin.setSpecialValueText("нет строки заголовков")
        self.header_spin.setValue(1)
        self.header_spin.setToolTip("Номер строки с заголовками столбцов; строки выше не загружаются")
        form.addRow("Строка заголовков:", self.header_spin)
        layout.addLayout(form)

        grid = QGridLayout()
        self.combos: list[QComboBox] = []
        for column in range(width):
            combo = QComboBox()
            combo.addItem("— не загружать —", None)
            for role in ColumnRole:
                combo.addItem(role.label, role.value)
            grid.addWidget(QLabel(f"Столбец {column + 1}"), 0, column)
            grid.addWidget(combo, 1, column)
            combo.currentIndexChanged.connect(self._validate)
            self.combos.append(combo)
        layout.addLayout(grid)

        self.sample = QTableView()
        self.sample.setModel(_RowsModel(rows[:12], width, self))
        self.sample.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.sample, 1)

        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Продолжить", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._validate()

    def mapping(self) -> dict[int, ColumnRole | None]:
        result: dict[int, ColumnRole | None] = {}
        for column, combo in enumerate(self.combos):
            value = combo.currentData()
            result[column] = ColumnRole(value) if value else None
        return result

    def header_row(self) -> int | None:
        value = self.header_spin.value()
        return value - 1 if value > 0 else None

    def _validate(self) -> None:
        roles = [r for r in self.mapping().values() if r is not None]
        repeated = {r for r in roles if r is not ColumnRole.OTHER and roles.count(r) > 1}
        if ColumnRole.MEASURE not in roles:
            self.problem.setText("Выберите столбец с мероприятием.")
        elif repeated:
            self.problem.setText(
                "Один и тот же смысл выбран для нескольких столбцов: " + ", ".join(r.label for r in repeated)
            )
        else:
            self.problem.setText("")
        self.ok_button.setEnabled(not self.problem.text())


class _RowsModel(QAbstractTableModel):
    def __init__(self, rows: list[list[str]], width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows, self.width = rows, width

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.width

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and index.isValid():
            row = self.rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        return None


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
