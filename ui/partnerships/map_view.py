"""The partnership map's view: zoom with the wheel (under the mouse), pan by dragging, keys, the legend
and a school's card.

A frame costs Qt's own painting only: the items are C++ items, the legend is a pixmap in a label,
the basemap's tiles are loaded between frames (a few per timer tick) and labels are re-laid out
once a zoom has settled.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.partnerships.map_scene import SCHOOL_ROLE, WORLD, MapScene, paint_legend
from ui.signals import emit

ZOOM_STEP = 1.25
MIN_SCALE = 256 / WORLD  # the whole world in 256 pixels
MAX_SCALE = 4.0  # zoom 18
SETTLE_MS = 120
TILE_TICK_MS = 15
CLICK_SLOP = 4


def legend_pixmap(device_pixel_ratio: float = 1.0) -> QPixmap:
    probe = QPixmap(1, 1)
    painter = QPainter(probe)
    size = paint_legend(painter, 0, 0).size()
    painter.end()
    pixmap = QPixmap(int(size.width() * device_pixel_ratio) + 2, int(size.height() * device_pixel_ratio) + 2)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_legend(painter, 0, 0)
    painter.end()
    return pixmap


class SchoolCard(QFrame):
    """A small panel over the map: the clicked school's details and partnerships."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("schoolCard")
        self.setStyleSheet(
            "#schoolCard { background: rgba(255, 255, 255, 240); border: 1px solid #b0bec5; border-radius: 4px; }"
        )
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip("Закрыть карточку (Esc)")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.text, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 6, 8)
        layout.addLayout(top)
        self.text.setFixedWidth(300)
        self.setFixedWidth(340)
        self.hide()

    def show_html(self, html: str) -> None:
        self.text.setText(html)
        self.adjustSize()
        self.show()
        self.raise_()


class MapView(QGraphicsView):
    school_clicked = Signal(int)  # a school's point was clicked (not dragged)
    zoom_settled = Signal(float)

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.map_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlags(
            QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing
            | QGraphicsView.OptimizationFlag.DontSavePainterState
        )
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        self.setAccessibleName("Карта сетевого партнёрства")
        self._pressed_at: QPoint | None = None
        self._fitted = False
        self._user_moved = False  # zoomed or panned by hand since the last «fit all»

        self.legend = QLabel(self)
        self.legend.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.legend.setPixmap(legend_pixmap(self.devicePixelRatioF()))
        self.legend.adjustSize()
        self.card = SchoolCard(self)
        self.notice = QLabel(self)  # the basemap's trouble, over the map's top edge
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "background: rgba(255, 243, 224, 235); color: #8d4a00; border: 1px solid #ffb74d; padding: 4px;"
        )
        self.notice.hide()

        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        self._tiles = QTimer(self)
        self._tiles.setSingleShot(True)
        self._tiles.setInterval(TILE_TICK_MS)
        self._tiles.timeout.connect(self._load_tiles)

    # --- zoom and fit -------------------------------------------------------------------------------
    def scale_factor(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor_under_mouse: bool = True) -> None:
        current = self.scale_factor()
        target = min(max(current * factor, MIN_SCALE), MAX_SCALE)
        if target == current:
            return
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(target / current, target / current)
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._changed(zoomed=True)

    def fit_all(self) -> None:
        """Everything in view, above the legend, with room for the labels right of the points."""
        rect = self.map_scene.content_rect()
        view = self.viewport().rect()
        if rect.isNull() or view.width() < 20 or view.height() < 20:
            return
        label_room, legend_room = 170, self.legend.height() + 16
        width = max(view.width() - 2 * 24 - label_room, 40)
        height = max(view.height() - 2 * 24 - legend_room, 40)
        scale = min(width / max(rect.width(), 1e-6), height / max(rect.height(), 1e-6))
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        self.resetTransform()
        self.scale(scale, scale)
        centre = rect.center()
        self.centerOn(QPointF(centre.x(), centre.y() + legend_room / 2 / scale))
        self._fitted = True
        self._user_moved = False
        self._changed(zoomed=True)

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    # --- events -------------------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self._user_moved = True
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        control = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if control and key == Qt.Key.Key_0:
            self.fit_all()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self._user_moved = True
            self.zoom_by(ZOOM_STEP, anchor_under_mouse=False)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self._user_moved = True
            self.zoom_by(1 / ZOOM_STEP, anchor_under_mouse=False)
        elif key == Qt.Key.Key_Escape and self.card.isVisible():
            self.card.hide()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed_at = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is not None and (event.position().toPoint() - pressed).manhattanLength() > CLICK_SLOP:
            self._user_moved = True
            self._settle.start()  # the labels for what is now in view
        if (
            pressed is not None
            and event.button() == Qt.MouseButton.LeftButton
            and (event.position().toPoint() - pressed).manhattanLength() <= CLICK_SLOP
        ):
            school_id = self.school_at(pressed)
            if school_id is not None:
                emit(self.school_clicked, school_id)
            elif self.card.isVisible():
                self.card.hide()

    def school_at(self, position: QPoint) -> int | None:
        for item in self.items(position):
            current = item
            while current is not None:
                value = current.data(SCHOOL_ROLE)
                if isinstance(value, int) and value > 0:
                    return value
                current = current.parentItem()
        return None

    def point_of(self, school_id: int) -> QPoint:
        item = self.map_scene.school_item(school_id)
        assert item is not None
        return self.mapFromScene(item.pos())

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._changed(zoomed=False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_moved and self.viewport().width() > 50:
            self.fit_all()
        self._place_overlays()
        self._changed(zoomed=False)

    def _place_overlays(self) -> None:
        frame = self.frameWidth()
        area = self.viewport().geometry()
        self.legend.move(area.left() + 8, area.bottom() - self.legend.height() - 8)
        self.card.move(max(frame, area.right() - self.card.width() - 8), area.top() + 8)
        self.notice.setFixedWidth(max(120, min(area.width() - 16, 640)))
        self.notice.adjustSize()
        self.notice.move(area.left() + 8, area.top() + 8)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self._place_overlays()

    def show_card(self, html: str) -> None:
        self.card.show_html(html)
        self._place_overlays()

    # --- after a change -----------------------------------------------------------------------------
    def _changed(self, *, zoomed: bool) -> None:
        if zoomed:
            self._settle.start()
        if self.map_scene.basemap is not None and not self._tiles.isActive():
            self._tiles.start()

    def _on_settled(self) -> None:
        self.map_scene.layout_labels(self.scale_factor(), self.visible_scene_rect())
        emit(self.zoom_settled, self.scale_factor())

    def _load_tiles(self) -> None:
        scale = self.scale_factor() * self.devicePixelRatioF()
        if self.map_scene.update_basemap(self.visible_scene_rect(), scale):
            self._tiles.start()

    def refresh_after_build(self) -> None:
        """The scene was rebuilt: labels for the current zoom, tiles for the current view."""
        self.map_scene.layout_labels(self.scale_factor(), self.visible_scene_rect())
        self._changed(zoomed=False)

    def center_on_school(self, school_id: int) -> None:
        item = self.map_scene.school_item(school_id)
        if item is not None and not self.visible_scene_rect().contains(item.pos()):
            self.centerOn(QPointF(item.pos()))
