"""Paints the Gantt bar in the month cells: one delegate for all month columns, paint only.

Everything is precomputed by the model (`BarCell`: fill, colour, whether the bar starts or ends in
this month, where a deadline marker sits); here are only rectangles and lines, so scrolling a
2,000-item plan stays smooth.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.plans.model import BAR_ROLE, NO_BAR, TODAY_ROLE, BarCell, Fill

TODAY_COLOUR = QColor("#e65100")
BAR_HEIGHT = 10
_SELECTED_ALPHA = 60
_LIGHT_ALPHA = 70
_TICK_STEP = 7
_TICK_WIDTH = 3

_Index = QModelIndex | QPersistentModelIndex


class GanttDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        painter.save()
        if state & QStyle.StateFlag.State_Selected:
            # A light tint instead of the row's full highlight, so the bar stays readable.
            highlight = QColor(option.palette.highlight().color())  # type: ignore[attr-defined]
            painter.fillRect(rect, QColor("white"))
            highlight.setAlpha(_SELECTED_ALPHA)
            painter.fillRect(rect, highlight)
        cell = index.data(BAR_ROLE)
        if isinstance(cell, BarCell) and cell is not NO_BAR:
            self._paint_bar(painter, QRectF(rect), cell)
        today = index.data(TODAY_ROLE)
        if isinstance(today, float) and today >= 0:
            x = rect.left() + today * rect.width()
            pen = QPen(TODAY_COLOUR, 2)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom() + 1))
        painter.restore()

    @staticmethod
    def _paint_bar(painter: QPainter, rect: QRectF, cell: BarCell) -> None:
        height = min(BAR_HEIGHT, max(4.0, rect.height() - 6))
        top = round(rect.center().y() - height / 2)  # whole pixels: crisp edges, equal in every cell
        left = rect.left() + (3 if cell.starts else 0)
        right = rect.right() + 1 - (3 if cell.ends else 0)
        if cell.marker is not None and cell.ends:
            right = max(left + height, rect.left() + cell.marker * rect.width())  # ends on the day
        bar = QRectF(left, top, max(1.0, right - left), height)
        colour = cell.colour
        painter.setRenderHint(
            QPainter.RenderHint.Antialiasing, cell.starts or cell.ends or cell.marker is not None
        )
        if cell.fill is Fill.DOTTED:
            pen = QPen(colour, 2, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            y = rect.center().y()
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right() + 1, y))
            return
        if cell.fill is Fill.LIGHT:
            light = QColor(colour)
            light.setAlpha(_LIGHT_ALPHA)
            painter.fillRect(bar, light)
        elif cell.fill is Fill.DASHED:
            light = QColor(colour)
            light.setAlpha(_LIGHT_ALPHA)
            painter.fillRect(bar, light)
            x = bar.left() + 1
            while x < bar.right():
                painter.fillRect(
                    QRectF(x, bar.top(), min(_TICK_WIDTH, bar.right() - x), bar.height()), colour
                )
                x += _TICK_STEP
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(colour))
            if cell.starts or cell.ends:
                # Rounded only at the bar's own ends: a square overlap keeps the middle joined.
                radius = height / 2
                painter.drawRoundedRect(bar, radius, radius)
                if not cell.starts:
                    painter.drawRect(QRectF(bar.left(), bar.top(), bar.width() / 2, height))
                if not cell.ends:
                    painter.drawRect(QRectF(bar.center().x(), bar.top(), bar.width() / 2, height))
            else:
                painter.drawRect(bar)
        if cell.marker is not None:
            x = rect.left() + cell.marker * rect.width()
            y = top + height / 2
            size = height / 2 + 3
            diamond = QPolygonF(
                [QPointF(x, y - size), QPointF(x + size, y), QPointF(x, y + size), QPointF(x - size, y)]
            )
            painter.setPen(QPen(QColor("white"), 1))
            painter.setBrush(QBrush(colour.darker(130)))
            painter.drawPolygon(diamond)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(40, BAR_HEIGHT + 8)

    def createEditor(self, *_args: object) -> None:  # type: ignore[override]
        return None
