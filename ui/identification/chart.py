"""A school's results over three years against the district and the region, drawn with QPainter
(PySide6-Essentials has no QtCharts), and the figures under it as a small table.

The chart widget knows nothing of the database: `ResultsChart.set_series` gets the lines to draw;
`SchoolResultsPanel` reads a school's results, fills the procedure / subject / grade combos from
them and feeds the chart and the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.results.model import Level, Procedure, Result
from app.results.service import ResultsService
from db.connection import Database

Index = QModelIndex | QPersistentModelIndex

EMPTY_TEXT = "Нет результатов этой школы — загрузите отчёты ФИС ОКО"
NO_SCHOOL_TEXT = (
    "Выберите школу в таблице: здесь появятся её результаты за три года рядом с районом и регионом"
)
SCHOOL_COLOUR = QColor("#c62828")
DISTRICT_COLOUR = QColor("#1f5f99")
REGION_COLOUR = QColor("#558b2f")
QUALITY, MEAN = "quality", "mean"


def year_short(year: int) -> str:
    """2020 → «2020/21»."""
    return f"{year}/{(year + 1) % 100:02d}"


def number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")


@dataclass(frozen=True)
class Series:
    name: str
    colour: QColor
    values: tuple[float | None, ...]  # one per year of the chart, None where there is no figure
    dashed: bool = False


class ResultsChart(QWidget):
    """Lines over the years: a marker and a label at every value, a legend, titled axes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.years: list[int] = []
        self._series: list[Series] = []
        self.title = ""
        self.y_title = ""
        self.y_range = (0.0, 100.0)
        self.digits = 1
        self.empty_text = NO_SCHOOL_TEXT
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 260)
        self.setAutoFillBackground(False)

    def sizeHint(self) -> QSize:
        return QSize(520, 340)

    # --- data ------------------------------------------------------------------------------------
    def set_series(
        self,
        years: list[int],
        series: list[Series],
        *,
        title: str = "",
        y_title: str = "",
        y_range: tuple[float, float] = (0.0, 100.0),
        digits: int = 1,
    ) -> None:
        self.years = list(years)
        self._series = list(series)
        self.title = title
        self.y_title = y_title
        self.y_range = y_range
        self.digits = digits
        self.update()

    def clear(self, text: str = NO_SCHOOL_TEXT) -> None:
        self.years, self._series, self.title = [], [], ""
        self.empty_text = text
        self.update()

    def series(self) -> list[tuple[str, list[tuple[int, float]]]]:
        """The lines drawn: (name, [(year, value), …]) with only the points that have a value."""
        return [
            (s.name, [(year, v) for year, v in zip(self.years, s.values, strict=True) if v is not None])
            for s in self._series
        ]

    def has_points(self) -> bool:
        return any(points for _name, points in self.series())

    # --- painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        try:
            if not self.years or not self.has_points():
                self._paint_empty(painter)
            else:
                self._paint_chart(painter)
        finally:
            painter.end()

    def _paint_empty(self, painter: QPainter) -> None:
        painter.setPen(QColor("#666666"))
        rect = QRectF(self.rect()).adjusted(24, 24, -24, -24)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.empty_text)

    def _paint_chart(self, painter: QPainter) -> None:
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() * 0.9, 7.0))
        bold = QFont(base)
        bold.setBold(True)
        fm = QFontMetricsF(base)
        fs = QFontMetricsF(small)
        line = fm.height()
        pad = line * 0.6
        width, height = float(self.width()), float(self.height())

        # Title, then the legend on its own line(s).
        top = pad
        painter.setFont(bold)
        painter.setPen(QColor("#222222"))
        if self.title:
            title_rect = QRectF(pad, top, width - 2 * pad, line * 2.2)
            bounds = painter.boundingRect(
                title_rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap), self.title
            )
            painter.drawText(
                title_rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap), self.title
            )
            top += min(bounds.height(), line * 2.2) + pad * 0.5
        top = self._paint_legend(painter, base, fm, top, width, pad)

        # The plot area: room for the y axis' title and tick labels on the left, the years and the
        # x axis' title below, and the value labels above the highest point.
        low, high = self.y_range
        tick_labels = [number(v, 0 if high - low >= 10 else 1) for v in self._ticks(low, high)]
        tick_width = max(fs.horizontalAdvance(t) for t in tick_labels) if tick_labels else 0
        left = pad + line + pad * 0.5 + tick_width + pad * 0.6
        right = width - pad * 2 - fs.horizontalAdvance("00,00") / 2
        bottom = height - pad - line - pad * 0.4 - fs.height() - pad * 0.4
        plot_top = top + fs.height() + pad * 0.3
        if right - left < 60 or bottom - plot_top < 60:
            return
        plot = QRectF(left, plot_top, right - left, bottom - plot_top)

        def y_of(value: float) -> float:
            share = (value - low) / (high - low) if high > low else 0.5
            return plot.bottom() - max(0.0, min(1.0, share)) * plot.height()

        count = len(self.years)
        step = plot.width() / count
        xs = [plot.left() + step * (i + 0.5) for i in range(count)]

        # Grid and tick labels.
        painter.setFont(small)
        for value, label in zip(self._ticks(low, high), tick_labels, strict=True):
            y = y_of(value)
            painter.setPen(QPen(QColor("#e3e3e3"), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor("#555555"))
            painter.drawText(
                QRectF(plot.left() - tick_width - pad * 0.6, y - fs.height() / 2, tick_width, fs.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        painter.setPen(QPen(QColor("#888888"), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.setPen(QColor("#333333"))
        for x, year in zip(xs, self.years, strict=True):
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            painter.drawText(
                QRectF(x - step / 2, plot.bottom() + pad * 0.3, step, fs.height()),
                int(Qt.AlignmentFlag.AlignCenter),
                year_short(year),
            )

        # Axis titles.
        painter.setFont(base)
        painter.setPen(QColor("#333333"))
        painter.drawText(
            QRectF(plot.left(), height - pad - line, plot.width(), line),
            int(Qt.AlignmentFlag.AlignCenter),
            "Учебный год",
        )
        painter.save()
        painter.translate(pad, plot.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRectF(-plot.height() / 2 - 40, 0, plot.height() + 80, line),
            int(Qt.AlignmentFlag.AlignCenter),
            self.y_title,
        )
        painter.restore()

        # The lines, markers, then the value labels (placed so that they do not overlap).
        points: list[list[QPointF | None]] = []
        for series in self._series:
            pen = QPen(series.colour, 2.4 if series is self._series[0] else 2.0)
            if series.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            row = [
                QPointF(x, y_of(v)) if v is not None else None for x, v in zip(xs, series.values, strict=True)
            ]
            points.append(row)
            path = QPainterPath()
            started = False
            for point in row:
                if point is None:
                    started = False
                    continue
                if started:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    started = True
            painter.drawPath(path)
            painter.setBrush(series.colour)
            painter.setPen(QPen(QColor("#ffffff"), 1.2))
            for point in row:
                if point is not None:
                    painter.drawEllipse(point, 4.2, 4.2)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setFont(small)
        label_height = fs.height()
        for column in range(count):
            placed: list[tuple[float, int]] = []
            for index, series in enumerate(self._series):
                point = points[index][column]
                value = series.values[column]
                if point is None or value is None:
                    continue
                placed.append((point.y(), index))
            placed.sort()
            # Labels stacked from the top: the highest value's label above its point, the others
            # below the previous label when they would collide.
            last_bottom = -1e9
            for y, index in placed:
                label_top = y - label_height - 4
                if label_top < last_bottom + 1:
                    label_top = last_bottom + 1
                last_bottom = label_top + label_height
                text = number(self._series[index].values[column] or 0.0, self.digits)
                text_width = fs.horizontalAdvance(text) + 6
                x = xs[column] + 7
                rect = QRectF(x, label_top, text_width, label_height)
                painter.fillRect(rect, QColor(255, 255, 255, 215))
                painter.setPen(self._series[index].colour.darker(115))
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)

    def _paint_legend(
        self, painter: QPainter, font: QFont, fm: QFontMetricsF, top: float, width: float, pad: float
    ) -> float:
        painter.setFont(font)
        swatch = fm.height() * 1.4
        items = [(s, fm.horizontalAdvance(s.name)) for s in self._series]
        total = sum(swatch + 6 + w for _s, w in items) + pad * 1.5 * (len(items) - 1)
        x = max(pad, (width - total) / 2)
        y = top
        for series, text_width in items:
            if x + swatch + 6 + text_width > width - pad and x > pad:
                x = pad
                y += fm.height() + 4
            middle = y + fm.height() / 2
            pen = QPen(series.colour, 2.4)
            if series.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, middle), QPointF(x + swatch, middle))
            painter.setBrush(series.colour)
            painter.setPen(QPen(QColor("#ffffff"), 1.0))
            painter.drawEllipse(QPointF(x + swatch / 2, middle), 3.6, 3.6)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QColor("#222222"))
            painter.drawText(
                QRectF(x + swatch + 6, y, text_width + 2, fm.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                series.name,
            )
            x += swatch + 6 + text_width + pad * 1.5
        return y + fm.height() + pad * 0.6

    @staticmethod
    def _ticks(low: float, high: float) -> list[float]:
        span = high - low
        if span <= 0:
            return [low]
        for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 25, 50):
            if span / step <= 6:
                break
        first = step * round(low / step)
        ticks = []
        value = first
        while value <= high + 1e-9:
            if value >= low - 1e-9:
                ticks.append(round(value, 6))
            value += step
        return ticks


def score_range(values: list[float]) -> tuple[float, float]:
    """An axis for scores (ЕГЭ, 0–100) fitted to the values in steps of ten, at least 30 points tall:
    on the whole 0–100 scale three lines within a few points of each other would merge, and so
    would their labels."""
    if not values:
        return 0.0, 100.0
    low = max(0.0, math.floor((min(values) - 5) / 10) * 10)
    high = min(100.0, math.ceil((max(values) + 5) / 10) * 10)
    while high - low < 30:
        if high < 100:
            high += 10
        if high - low < 30 and low > 0:
            low -= 10
    return low, high


# --- the figures under the chart ----------------------------------------------------------------------
class FiguresModel(QAbstractTableModel):
    """Year × level: participants, shares of marks, quality, mean; for ВПР the journal groups, for
    ОГЭ and ЕГЭ the share below the minimum score."""

    HEADERS = ("Год", "Кто", "Участников", "«2», %", "«3», %", "«4», %", "«5», %", "Качество, %", "Ср. балл")
    VPR_HEADERS = ("Понизили, %", "Повысили, %")
    GIA_HEADERS = ("Не преодолели минимальный порог, %",)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[int, str, Result]] = []
        self.vpr = False
        self.gia = False

    def set_rows(self, rows: list[tuple[int, str, Result]], *, vpr: bool, gia: bool = False) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.vpr, self.gia = vpr, gia and not vpr
        self.endResetModel()

    def _extra(self) -> tuple[str, ...]:
        return self.VPR_HEADERS if self.vpr else self.GIA_HEADERS if self.gia else ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS) + len(self._extra())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.HEADERS + self._extra())[section]
        return None

    def text(self, row: int, column: int) -> str:
        year, who, result = self.rows[row]

        def share(value: float | None) -> str:
            return "—" if value is None else number(value, 1)

        if column == 0:
            return year_short(year)
        if column == 1:
            return who
        if column == 2:
            return "—" if result.participants is None else str(result.participants)
        if 3 <= column <= 6:
            return share((result.share_2, result.share_3, result.share_4, result.share_5)[column - 3])
        if column == 7:
            return share(result.quality)
        if column == 8:
            mean = result.mean_mark
            return "—" if mean is None else number(mean, 2 if mean < 10 else 1)
        if self.gia:
            return share(result.below_minimum)
        if column == 9:
            return share(result.lowered)
        return share(result.raised)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() != 1:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return {0: SCHOOL_COLOUR, 1: DISTRICT_COLOUR, 2: REGION_COLOUR}.get(
                self._level_index(index.row())
            )
        return None

    def _level_index(self, row: int) -> int:
        level = self.rows[row][2].level
        return {Level.SCHOOL: 0, Level.MUNICIPALITY: 1, Level.REGION: 2}[level]


# --- the panel ------------------------------------------------------------------------------------
class SchoolResultsPanel(QWidget):
    """The chosen school's results: procedure, subject, grade, quality or mean; chart and figures."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.school_id: int | None = None
        self.school_name = ""
        self.year = 0
        self._school: list[Result] = []
        self._aggregates: list[Result] = []
        self._filling = False
        self._table_width = 0

        self.caption = QLabel()
        self.caption.setStyleSheet("font-weight: bold;")
        self.caption.setWordWrap(True)
        self.procedure_combo = QComboBox()
        self.procedure_combo.setToolTip("Оценочная процедура")
        self.subject_combo = QComboBox()
        self.subject_combo.setToolTip("Предмет")
        self.subject_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.grade_combo = QComboBox()
        self.grade_combo.setToolTip("Класс (параллель)")
        self.quality_radio = QRadioButton("Качество (% «4» и «5»)")
        self.mean_radio = QRadioButton("Средний балл")
        self.quality_radio.setChecked(True)
        self.measure_group = QButtonGroup(self)
        self.measure_group.addButton(self.quality_radio)
        self.measure_group.addButton(self.mean_radio)

        choose = QHBoxLayout()
        choose.setSpacing(6)
        choose.addWidget(self.procedure_combo)
        choose.addWidget(self.subject_combo)
        choose.addWidget(self.grade_combo)
        choose.addSpacing(12)
        choose.addWidget(QLabel("Показатель:"))
        choose.addWidget(self.quality_radio)
        choose.addWidget(self.mean_radio)
        choose.addStretch(1)

        self.chart = ResultsChart()
        self.figures = FiguresModel(self)
        self.table = QTableView()
        self.table.setModel(self.figures)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        self.table.setMinimumWidth(self.table.fontMetrics().horizontalAdvance("Участников") * 5)

        self.empty_label = QLabel(NO_SCHOOL_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #555; padding: 24px; background: #ffffff;")

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(4)
        content_layout.addLayout(choose)
        # The chart and its figures side by side: the page gives the panel its lower part.
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.addWidget(self.chart)
        self.body.addWidget(self.table)
        self.body.setChildrenCollapsible(False)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)
        content_layout.addWidget(self.body, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)

        self.procedure_combo.currentIndexChanged.connect(lambda _i: self._on_procedure())
        self.subject_combo.currentIndexChanged.connect(lambda _i: self._on_subject())
        self.grade_combo.currentIndexChanged.connect(lambda _i: self._redraw())
        self.quality_radio.toggled.connect(lambda _on: self._redraw())
        self.show_school(None)

    # --- choosing ----------------------------------------------------------------------------------
    def show_school(
        self,
        school_id: int | None,
        school_name: str = "",
        year: int | None = None,
        *,
        hint: tuple[Procedure, str, int] | None = None,
    ) -> None:
        """Read the school's results of year-2 … year and show them (None: the empty state)."""
        keep = self.current_choice() if school_id == self.school_id else None
        self.school_id = school_id
        self.school_name = school_name
        if year is not None:
            self.year = year
        if school_id is None:
            self._school, self._aggregates = [], []
            self.caption.setText("Результаты школы")
            self.empty_label.setText(NO_SCHOOL_TEXT)
            self.stack.setCurrentIndex(0)
            self.chart.clear()
            return
        service = ResultsService(self.database)
        years = self.chart_years()
        self._school = [r for r in service.results(school_id=school_id) if r.academic_year in years]
        self._aggregates = [
            r
            for y in years
            for level in (Level.MUNICIPALITY, Level.REGION)
            for r in service.results(y, level=level)
        ]
        self.caption.setText(f"Результаты: {school_name}")
        if not self._school:
            self.empty_label.setText(EMPTY_TEXT)
            self.stack.setCurrentIndex(0)
            self.chart.clear(EMPTY_TEXT)
            self.figures.set_rows([], vpr=False)
            return
        self.stack.setCurrentIndex(1)
        self._fill_procedures(keep, hint)

    def reload(self) -> None:
        self.show_school(self.school_id, self.school_name, self.year)

    def chart_years(self) -> list[int]:
        return [self.year - 2, self.year - 1, self.year]

    def current_choice(self) -> tuple[Procedure, str, int] | None:
        procedure = self.procedure_combo.currentData()
        subject = self.subject_combo.currentData()
        grade = self.grade_combo.currentData()
        if procedure is None or subject is None or grade is None:
            return None
        return Procedure(procedure), str(subject), int(grade)

    def choose(self, procedure: Procedure, subject: str, grade: int | None = None) -> bool:
        """Select a procedure, subject (and grade) in the combos; False when the school has none."""
        index = self.procedure_combo.findData(procedure.value)
        if index < 0:
            return False
        self.procedure_combo.setCurrentIndex(index)
        index = self.subject_combo.findData(subject)
        if index < 0:
            return False
        self.subject_combo.setCurrentIndex(index)
        if grade is not None:
            index = self.grade_combo.findData(grade)
            if index < 0:
                return False
            self.grade_combo.setCurrentIndex(index)
        return True

    def set_measure(self, measure: str) -> None:
        (self.mean_radio if measure == MEAN else self.quality_radio).setChecked(True)

    def _fill_procedures(
        self, keep: tuple[Procedure, str, int] | None, hint: tuple[Procedure, str, int] | None
    ) -> None:
        procedures = [p for p in Procedure if any(r.procedure is p for r in self._school)]
        self._filling = True
        self.procedure_combo.clear()
        for procedure in procedures:
            self.procedure_combo.addItem(procedure.label, procedure.value)
        self._filling = False
        wanted = keep or hint or (procedures[0], "Русский язык", 0)
        index = self.procedure_combo.findData(wanted[0].value)
        self.procedure_combo.setCurrentIndex(max(index, 0))
        self._on_procedure(wanted[1], wanted[2])

    def _on_procedure(self, subject: str | None = None, grade: int = 0) -> None:
        if self._filling:
            return
        procedure = self.procedure_combo.currentData()
        current = subject or self.subject_combo.currentData()
        subjects = sorted({r.subject for r in self._school if r.procedure.value == procedure})
        self._filling = True
        self.subject_combo.clear()
        for name in subjects:
            self.subject_combo.addItem(name, name)
        self._filling = False
        index = self.subject_combo.findData(current) if current else -1
        if index < 0:
            index = self.subject_combo.findData("Русский язык")
        self.subject_combo.setCurrentIndex(max(index, 0))
        self._on_subject(grade)

    def _on_subject(self, grade: int = 0) -> None:
        if self._filling:
            return
        procedure = self.procedure_combo.currentData()
        subject = self.subject_combo.currentData()
        current = grade or self.grade_combo.currentData()
        grades = sorted(
            {r.grade for r in self._school if r.procedure.value == procedure and r.subject == subject}
        )
        self._filling = True
        self.grade_combo.clear()
        for value in grades:
            self.grade_combo.addItem(f"{value} класс" if value else "без класса", value)
        self._filling = False
        index = self.grade_combo.findData(current) if current is not None else -1
        self.grade_combo.setCurrentIndex(max(index, 0))
        self._redraw()

    # --- drawing ---------------------------------------------------------------------------------
    def _lines(self) -> tuple[list[Result | None], list[Result | None], list[Result | None]]:
        choice = self.current_choice()
        years = self.chart_years()
        if choice is None:
            empty: list[Result | None] = [None] * len(years)
            return empty, list(empty), list(empty)
        procedure, subject, grade = choice

        def fits(r: Result) -> bool:
            return r.procedure is procedure and r.subject == subject and r.grade == grade

        school = {r.academic_year: r for r in self._school if fits(r)}
        areas = {r.area for r in self._school if r.area}
        district: dict[int, Result] = {}
        region: dict[int, Result] = {}
        for r in self._aggregates:
            if not fits(r):
                continue
            if r.level is Level.REGION:
                region.setdefault(r.academic_year, r)
            elif r.area in areas or not areas:
                district.setdefault(r.academic_year, r)
        if not district:  # the report names the district otherwise: one district only is unambiguous
            municipal = [r for r in self._aggregates if fits(r) and r.level is Level.MUNICIPALITY]
            if len({r.area for r in municipal}) == 1:
                district = {r.academic_year: r for r in municipal}
        return (
            [school.get(y) for y in years],
            [district.get(y) for y in years],
            [region.get(y) for y in years],
        )

    def _redraw(self) -> None:
        if self._filling:
            return
        school, district, region = self._lines()
        has_quality = any(r is not None and r.quality is not None for r in school)
        self.quality_radio.setEnabled(has_quality)
        if not has_quality and self.quality_radio.isChecked():
            self.mean_radio.setChecked(True)  # ЕГЭ: scores only; toggled() redraws
            return
        measure = QUALITY if self.quality_radio.isChecked() else MEAN

        def value(r: Result | None) -> float | None:
            if r is None:
                return None
            return r.quality if measure == QUALITY else r.mean_mark

        lines = [
            Series("Школа", SCHOOL_COLOUR, tuple(value(r) for r in school)),
            Series("Район", DISTRICT_COLOUR, tuple(value(r) for r in district)),
            Series("Регион", REGION_COLOUR, tuple(value(r) for r in region), dashed=True),
        ]
        values = [v for s in lines for v in s.values if v is not None]
        if measure == QUALITY:
            y_title, y_range, digits = "Качество знаний (доля «4» и «5»), %", (0.0, 100.0), 1
        elif values and max(values) <= 5.0:
            y_title, digits = "Средний балл (отметка)", 2
            y_range = (2.0, 5.0)
        else:
            y_title, y_range, digits = "Средний балл", score_range(values), 1
        choice = self.current_choice()
        title = ""
        if choice is not None:
            procedure, subject, grade = choice
            title = f"{procedure.label}, {subject}" + (f", {grade} класс" if grade else "")
        self.chart.set_series(
            self.chart_years(), lines, title=title, y_title=y_title, y_range=y_range, digits=digits
        )
        rows: list[tuple[int, str, Result]] = []
        for year, triple in zip(self.chart_years(), zip(school, district, region, strict=True), strict=True):
            for who, result in zip(("Школа", "Район", "Регион"), triple, strict=True):
                if result is not None:
                    rows.append((year, who, result))
        self.figures.set_rows(
            rows,
            vpr=choice is not None and choice[0] is Procedure.VPR,
            gia=choice is not None and choice[0] in (Procedure.OGE, Procedure.EGE),
        )
        self._fit_table()

    def _fit_table(self) -> None:
        """Give the figures table the width of its columns; the chart takes the rest."""
        self.table.resizeColumnsToContents()
        needed = self.table.horizontalHeader().length() + 2 * self.table.frameWidth() + 4
        if self.table.verticalScrollBar().isVisible():
            needed += self.table.verticalScrollBar().width()
        total = sum(self.body.sizes())
        if total <= 0 or needed == self._table_width:
            return
        self._table_width = needed
        self.body.setSizes([max(total - needed, self.chart.minimumWidth()), needed])

    def series(self) -> list[tuple[str, list[tuple[int, float]]]]:
        """The chart's lines (for tests): (name, [(year, value), …])."""
        return self.chart.series()
