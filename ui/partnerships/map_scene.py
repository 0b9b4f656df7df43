"""The partnership map as a QGraphicsScene: schools, the lines of their partnerships, the basemap.

Scene units are Web Mercator pixels at zoom 16: a world of `WORLD` × `WORLD` units (see app/geo.py).
Schools are built-in C++ items (`QGraphicsEllipseItem` with a `QGraphicsSimpleTextItem` label) that
ignore the view's scale, so a point and its label keep their size in pixels at any zoom; nothing
is painted by Python code, so a frame costs no Python work per item. Lines are cosmetic (their
width is in pixels too).

Schools without coordinates are laid out in a grid in a «Без координат» box beside the mapped ones;
they can be dragged, and the place a school is dropped on is saved with
`PartnershipService.set_position` (in thousandths of the world, the table's «0..1000» units), so it
is restored next time and undone with Ctrl+Z.

Label overlap is resolved once a zoom has settled (`layout_labels`), never per frame: labels are
placed greedily, group members first, and those that would overlap another label or a point hide.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
)

from app.domain import Category, School, academic_year_label
from app.errors import AppError
from app.geo import TILE_SIZE, MBTiles, lonlat_to_world, tiles_at, tiles_covering, zoom_for_scale
from app.partnerships.model import (
    MemberRole,
    PartnershipGroup,
    PartnershipStatus,
    distance_km,
    looks_swapped,
)
from app.partnerships.service import PartnershipService
from app.schools import SchoolService
from db.connection import Database
from ui.signals import emit, protect_none

protect_none()

WORLD = float(TILE_SIZE << 16)  # scene units across the world (zoom-16 pixels)
POSITION_UNITS = 1000.0  # school_map_positions stores x, y in thousandths of the world
SCHOOL_ROLE = 0  # QGraphicsItem.data key holding the school id
NO_COORDINATES_TITLE = "Без координат"

CATEGORY_ORDER = (Category.LOW_RESULTS, Category.UNFAVOURABLE, Category.NONOBJECTIVE)
CATEGORY_COLOURS = {
    Category.LOW_RESULTS: QColor("#d32f2f"),
    Category.UNFAVOURABLE: QColor("#f57c00"),
    Category.NONOBJECTIVE: QColor("#7b1fa2"),
}
NO_CATEGORY_COLOUR = QColor("#9e9e9e")
PARTNER_COLOUR = QColor("#2e7d32")
LINE_COLOUR = QColor("#1f5f99")
HIGHLIGHT_COLOUR = QColor("#0097a7")  # teal: no category or role uses it
LABEL_COLOUR = QColor("#263238")
BOX_COLOUR = QColor("#78909c")
MAP_BACKGROUND = QColor("#eef1f4")
LABEL_PIXELS = 12
POINT_RADIUS = 6.0
MEMBER_RADIUS = 7.5
MAX_TILES = 160  # more tiles than this for one view: the file has no zoom coarse enough, none drawn
TILE_CACHE = 384

_LEGAL_FORM = re.compile(r"^(?:[МГ][БКА]?Н?ОУ|ЧОУ|НОУ|АНО(?:\s+ОО)?)\s+")


def label_font() -> QFont:
    font = QFont()
    font.setPixelSize(LABEL_PIXELS)
    return font


def map_label(name: str) -> str:
    """«МКОУ «Шумская СОШ»» → «Шумская СОШ»: the legal form and the outer quotes off."""
    text = _LEGAL_FORM.sub("", name.strip())
    if text.startswith("«") and "»" in text:
        inner = text[1:]
        if inner.endswith("»") and inner.count("«") < inner.count("»"):
            inner = inner[:-1]
        elif inner.count("»") == 1:
            inner = inner.replace("»", "", 1)
        text = inner
    return " ".join(text.split()) or name


def main_category(categories: tuple[Category, ...]) -> Category | None:
    for category in CATEGORY_ORDER:
        if category in categories:
            return category
    return None


def format_km(km: float | None) -> str:
    if km is None:
        return "расстояние неизвестно (нет координат)"
    return f"{km:.1f}".replace(".", ",") + " км"


# --- the data the map is built from --------------------------------------------------------------
@dataclass(frozen=True)
class MapSchool:
    school: School
    categories: tuple[Category, ...]
    roles: frozenset[MemberRole] = frozenset()

    @property
    def id(self) -> int:
        return self.school.id

    @property
    def has_coordinates(self) -> bool:
        """Placed by its coordinates; swapped ones (a known warning) go to the schematic box instead
        of throwing the whole map out of scale."""
        latitude, longitude = self.school.latitude, self.school.longitude
        return latitude is not None and longitude is not None and not looks_swapped(latitude, longitude)

    @property
    def is_supporter(self) -> bool:
        return any(role.is_supporting for role in self.roles)

    @property
    def label(self) -> str:
        return map_label(self.school.display_name)


@dataclass
class MapData:
    year: int
    schools: list[MapSchool]
    groups: list[PartnershipGroup]
    positions: dict[int, tuple[float, float]] = field(default_factory=dict)
    office_name: str = ""
    basemap_path: str = ""

    def school(self, school_id: int) -> MapSchool | None:
        return next((s for s in self.schools if s.id == school_id), None)

    def groups_of(self, school_id: int) -> list[PartnershipGroup]:
        return [g for g in self.groups if any(m.school_id == school_id for m in g.members)]


def load_map_data(database: Database, year: int) -> MapData:
    """The schools of the registry (archived ones only when in a group) with the year's categories,
    the year's groups and the saved schematic positions."""
    from app.office import OfficeService

    partnerships = PartnershipService(database)
    groups = partnerships.list_groups(year)
    roles: dict[int, set[MemberRole]] = {}
    for group in groups:
        if group.status is PartnershipStatus.CANCELLED:
            continue
        for member in group.members:
            roles.setdefault(member.school_id, set()).add(member.role)
    in_groups = {m.school_id for g in groups for m in g.members}
    schools = [
        MapSchool(
            school,
            tuple(c.category for c in school.categories),
            frozenset(roles.get(school.id, ())),
        )
        for school in SchoolService(database).list_schools(year=year)
        if not school.is_archived or school.id in in_groups
    ]
    office = OfficeService(database)
    details = office.get()
    name = " ".join(details.name.split()) or details.short_name
    return MapData(
        year=year,
        schools=schools,
        groups=groups,
        positions=partnerships.positions(),
        office_name=name,
        basemap_path=office.setting("map_basemap"),
    )


# --- items -----------------------------------------------------------------------------------------
_POINT_PIXMAPS: dict[tuple[object, ...], QPixmap] = {}


def point_pixmap(fill: QColor, pen: QPen, radius: float, ratio: float) -> QPixmap:
    """A school's point drawn once per look and shared by every item with that look: blitting a
    pixmap is several times cheaper than painting an antialiased ellipse per item per frame."""
    key = (fill.rgba(), pen.color().rgba(), pen.widthF(), int(pen.style().value), radius, ratio)
    pixmap = _POINT_PIXMAPS.get(key)
    if pixmap is None:
        size = math.ceil(2 * radius + pen.widthF() + 2)
        pixmap = QPixmap(math.ceil(size * ratio), math.ceil(size * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(QBrush(fill))
        painter.setPen(pen)
        painter.drawEllipse(QPointF(size / 2, size / 2), radius, radius)
        painter.end()
        _POINT_PIXMAPS[key] = pixmap
    return pixmap


class SchoolItem(QGraphicsPixmapItem):
    """A school's point (a shared pixmap) with its label; a school without coordinates can be dragged."""

    def __init__(self, school: MapSchool, movable: bool, ratio: float = 1.0) -> None:
        super().__init__()
        radius = MEMBER_RADIUS if school.roles else POINT_RADIUS
        self.radius = radius
        self.ratio = ratio
        self.school_id = school.id
        self.movable = movable
        self._pressed_at: QPointF | None = None
        self.setData(SCHOOL_ROLE, school.id)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.setZValue(10 if school.roles else 5)
        category = main_category(school.categories)
        self.fill = CATEGORY_COLOURS.get(category, NO_CATEGORY_COLOUR) if category else NO_CATEGORY_COLOUR
        if school.is_supporter:
            pen = QPen(PARTNER_COLOUR, 3.0)
        else:
            others = [c for c in school.categories if c is not category]
            pen = QPen(CATEGORY_COLOURS[others[0]], 2.5) if others else QPen(QColor("white"), 1.2)
        if not school.has_coordinates:
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidthF(max(pen.widthF(), 1.6))
            if pen.color() == QColor("white"):
                pen.setColor(QColor("#37474f"))
        self.normal_pen = pen
        self._pen = pen
        self.setPen(pen)
        tip = f"{school.school.full_name}"
        if school.categories:
            tip += "\n" + ", ".join(c.label for c in school.categories)
        if school.roles:
            tip += "\n" + ", ".join(sorted(r.label for r in school.roles))
        if not school.has_coordinates:
            tip += "\nКоординаты не указаны: точку можно перетащить на нужное место"
        self.setToolTip(tip)
        self.label = QGraphicsSimpleTextItem(school.label, self)
        self.label.setFont(label_font())
        self.label.setBrush(QBrush(LABEL_COLOUR))
        height = QFontMetricsF(self.label.font()).height()
        self.label.setPos(radius + 3, -height / 2)
        self.label_at = (radius + 3, -height / 2)
        self.label_size = (self.label.boundingRect().width(), height)
        self.label_offset = radius + 3
        if movable:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, True)
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
            self.setCursor(Qt.CursorShape.OpenHandCursor)

    def pen(self) -> QPen:
        return QPen(self._pen)

    def setPen(self, pen: QPen) -> None:
        self._pen = QPen(pen)
        pixmap = point_pixmap(self.fill, pen, self.radius, self.ratio)
        self.setPixmap(pixmap)
        size = pixmap.width() / pixmap.devicePixelRatio()
        self.setOffset(-size / 2, -size / 2)

    def brush(self) -> QBrush:
        return QBrush(self.fill)

    def rect(self) -> QRectF:
        return QRectF(-self.radius, -self.radius, 2 * self.radius, 2 * self.radius)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            scene = self.scene()
            if isinstance(scene, MapScene):
                scene.follow_school(self.school_id)
        return super().itemChange(change, value)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._pressed_at = QPointF(self.pos())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._pressed_at = self._pressed_at, None
        scene = self.scene()
        if pressed is not None and pressed != self.pos() and isinstance(scene, MapScene):
            scene.drop_school(self.school_id, self.pos())


@dataclass
class LinkLine:
    item: QGraphicsLineItem
    first: int
    second: int
    group_id: int
    km: float | None
    text: QGraphicsSimpleTextItem
    pen: QPen


class MapScene(QGraphicsScene):
    school_dropped = Signal(int, float, float)  # school id, x and y in POSITION_UNITS
    basemap_failed = Signal(str)  # a Russian message; the map goes on without the basemap

    def __init__(self, parent: object = None, *, pixel_ratio: float | None = None) -> None:
        super().__init__(parent)
        if pixel_ratio is None:
            from PySide6.QtGui import QGuiApplication

            screen = QGuiApplication.primaryScreen()
            pixel_ratio = screen.devicePixelRatio() if screen is not None else 1.0
        self.pixel_ratio = pixel_ratio
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setSceneRect(QRectF(0, 0, WORLD, WORLD))
        self.setBackgroundBrush(QBrush(MAP_BACKGROUND))
        self.data_: MapData | None = None
        self.schools: dict[int, SchoolItem] = {}
        self.links: list[LinkLine] = []
        self.box: QGraphicsRectItem | None = None
        self.box_title: QGraphicsSimpleTextItem | None = None
        self.mapped_rect = QRectF()
        self.highlighted: int | None = None
        self.show_distances = False
        self._label_order: list[int] = []
        self._label_shown: dict[int, bool] = {}
        self.basemap: Basemap | None = None
        self.basemap_message = ""

    # --- building ---------------------------------------------------------------------------------
    def build(self, data: MapData) -> None:
        """(Re)build every item from `data` (the basemap's tiles stay)."""
        for link in self.links:
            self.removeItem(link.item)
            self.removeItem(link.text)
        for item in self.schools.values():
            self.removeItem(item)
        if self.box is not None:
            self.removeItem(self.box)
        self.links, self.schools, self.box, self.box_title = [], {}, None, None
        self.data_ = data
        self._label_shown = {}

        mapped: dict[int, QPointF] = {}
        for school in data.schools:
            if school.has_coordinates:
                assert school.school.latitude is not None and school.school.longitude is not None
                x, y = lonlat_to_world(school.school.latitude, school.school.longitude)
                mapped[school.id] = QPointF(x * WORLD, y * WORLD)
        if mapped:
            xs = [p.x() for p in mapped.values()]
            ys = [p.y() for p in mapped.values()]
            self.mapped_rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        else:
            self.mapped_rect = QRectF(0.6 * WORLD, 0.3 * WORLD, 0, 0)
        unit = max(self.mapped_rect.width(), self.mapped_rect.height(), WORLD / 4000)

        placed: dict[int, QPointF] = dict(mapped)
        loose = [s for s in data.schools if not s.has_coordinates]
        unplaced = []
        for school in loose:
            saved = data.positions.get(school.id)
            if saved is not None:
                placed[school.id] = QPointF(
                    saved[0] / POSITION_UNITS * WORLD, saved[1] / POSITION_UNITS * WORLD
                )
            else:
                unplaced.append(school)
        if unplaced:
            self._lay_out_box(unplaced, unit, placed)

        for school in data.schools:
            item = SchoolItem(school, movable=not school.has_coordinates, ratio=self.pixel_ratio)
            item.setPos(placed[school.id])
            self.addItem(item)
            self.schools[school.id] = item

        for group in data.groups:
            for first, second in group.links():
                if first.school_id not in self.schools or second.school_id not in self.schools:
                    continue
                self._add_link(group, first.school_id, second.school_id, distance_km(first, second))
        by_students = sorted(data.schools, key=lambda s: (not s.roles, -(s.school.students or 0), s.label))
        self._label_order = [s.id for s in by_students]
        if self.highlighted is not None:
            self.highlight_group(self.highlighted)

    def _lay_out_box(self, unplaced: list[MapSchool], unit: float, placed: dict[int, QPointF]) -> None:
        row_height = unit * 0.07
        rows = min(len(unplaced), max(8, math.ceil(math.sqrt(len(unplaced)) * 2)))
        columns = math.ceil(len(unplaced) / rows)
        column_width = unit * 0.5
        padding = unit * 0.05
        title_height = row_height * 1.2
        left = self.mapped_rect.right() + unit * 0.15
        top = self.mapped_rect.top()
        for index, school in enumerate(sorted(unplaced, key=lambda s: s.label)):
            column, row = divmod(index, rows)
            placed[school.id] = QPointF(
                left + padding + column * column_width + unit * 0.02,
                top + padding + title_height + row * row_height + row_height / 2,
            )
        rect = QRectF(
            left, top, columns * column_width + 2 * padding, title_height + rows * row_height + 2 * padding
        )
        pen = QPen(BOX_COLOUR, 1.2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.box = QGraphicsRectItem(rect)
        self.box.setPen(pen)
        self.box.setBrush(QBrush(QColor(255, 255, 255, 170)))
        self.box.setZValue(-10)
        self.box.setToolTip(
            "Школы без координат в реестре. Перетащите школу на её место на карте — оно запомнится; "
            "или укажите координаты в карточке школы."
        )
        self.addItem(self.box)
        title = QGraphicsSimpleTextItem(NO_COORDINATES_TITLE, self.box)
        font = label_font()
        font.setBold(True)
        title.setFont(font)
        title.setBrush(QBrush(BOX_COLOUR.darker(140)))
        title.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        title.setPos(rect.left() + padding, rect.top() + padding / 2)
        self.box_title = title

    def _add_link(self, group: PartnershipGroup, first: int, second: int, km: float | None) -> None:
        a, b = self.schools[first], self.schools[second]
        pen = QPen(LINE_COLOUR, 2.2)
        if group.status is PartnershipStatus.PLANNED:
            pen.setStyle(Qt.PenStyle.DashLine)
        elif group.status in (PartnershipStatus.FINISHED, PartnershipStatus.CANCELLED):
            pen.setColor(QColor("#90a4ae"))
            pen.setStyle(Qt.PenStyle.DotLine)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # round caps cost several times more to paint
        line = QGraphicsLineItem(QLineF(a.pos(), b.pos()))
        line.setPen(pen)
        line.setZValue(1)
        names = f"{map_label(_name(group, first))} — {map_label(_name(group, second))}"
        line.setToolTip(f"{group.title}\n{names}: {format_km(km)}\n{group.status.label}")
        line.setData(SCHOOL_ROLE, -group.id)
        self.addItem(line)
        text = QGraphicsSimpleTextItem(format_km(km) if km is not None else "? км")
        font = label_font()
        font.setPixelSize(LABEL_PIXELS - 1)
        text.setFont(font)
        text.setBrush(QBrush(LINE_COLOUR.darker(130)))
        text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        text.setZValue(2)
        text.setVisible(self.show_distances)
        self.addItem(text)
        link = LinkLine(line, first, second, group.id, km, text, pen)
        self._place_text(link)
        self.links.append(link)

    def _place_text(self, link: LinkLine) -> None:
        middle = link.item.line().center()
        rect = link.text.boundingRect()
        # Untransformed: the offset is in pixels, applied through the item's own transform.
        link.text.setPos(middle)
        link.text.setTransform(QTransform.fromTranslate(-rect.width() / 2, -rect.height() - 2))

    # --- reading ----------------------------------------------------------------------------------
    def school_item(self, school_id: int) -> SchoolItem | None:
        return self.schools.get(school_id)

    def colour_of(self, school_id: int) -> QColor:
        return QColor(self.schools[school_id].brush().color())

    def content_rect(self) -> QRectF:
        """What «fit all» shows: the mapped schools and the schematic box (scene units)."""
        rect = QRectF(self.mapped_rect)
        for item in self.schools.values():
            point = item.pos()
            rect = rect.united(QRectF(point.x(), point.y(), 0, 0))
        if self.box is not None:
            rect = rect.united(self.box.rect())
        if rect.width() <= 0 and rect.height() <= 0:
            size = WORLD / 2000
            rect = QRectF(rect.center().x() - size, rect.center().y() - size, 2 * size, 2 * size)
        return rect

    def links_of_group(self, group_id: int) -> list[LinkLine]:
        return [link for link in self.links if link.group_id == group_id]

    # --- interaction ------------------------------------------------------------------------------
    def follow_school(self, school_id: int) -> None:
        """A dragged school: its lines follow it."""
        for link in self.links:
            if school_id in (link.first, link.second):
                link.item.setLine(QLineF(self.schools[link.first].pos(), self.schools[link.second].pos()))
                self._place_text(link)

    def drop_school(self, school_id: int, position: QPointF) -> None:
        x = min(max(position.x() / WORLD, 0.0), 1.0) * POSITION_UNITS
        y = min(max(position.y() / WORLD, 0.0), 1.0) * POSITION_UNITS
        emit(self.school_dropped, school_id, x, y)

    def highlight_group(self, group_id: int | None) -> None:
        self.highlighted = group_id
        members = set()
        for link in self.links:
            if link.group_id == group_id:
                pen = QPen(link.pen)
                pen.setColor(HIGHLIGHT_COLOUR)
                pen.setWidthF(5.0)
                link.item.setPen(pen)
                link.item.setZValue(3)
                members.update((link.first, link.second))
            elif link.item.pen() != link.pen:
                link.item.setPen(link.pen)
                link.item.setZValue(1)
        if self.data_ is not None and group_id is not None:
            for group in self.data_.groups:
                if group.id == group_id:
                    members.update(m.school_id for m in group.members)
        for school_id, item in self.schools.items():
            if school_id in members:
                pen = QPen(HIGHLIGHT_COLOUR, 4.0)
                item.setPen(pen)
                item.setZValue(20)
            elif item.pen() != item.normal_pen:
                item.setPen(item.normal_pen)
                item.setZValue(10 if self.data_ and self._has_roles(school_id) else 5)

    def _has_roles(self, school_id: int) -> bool:
        school = self.data_.school(school_id) if self.data_ else None
        return bool(school and school.roles)

    def set_distance_labels(self, shown: bool) -> None:
        self.show_distances = shown
        for link in self.links:
            link.text.setVisible(shown)

    def layout_labels(self, scale: float, bounds: QRectF | None = None) -> None:
        """Place the labels at this scale (pixels per scene unit) right of, left of, above or below
        their point, and hide those that would overlap another label or a point (or leave `bounds`,
        in scene units); called when a zoom has settled, never while painting."""
        cell = 48.0
        limits = (
            (bounds.left() * scale, bounds.top() * scale, bounds.right() * scale, bounds.bottom() * scale)
            if bounds is not None
            else None
        )
        grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

        def cells(x0: float, y0: float, x1: float, y1: float) -> list[tuple[int, int]]:
            return [
                (cx, cy)
                for cx in range(int(x0 // cell), int(x1 // cell) + 1)
                for cy in range(int(y0 // cell), int(y1 // cell) + 1)
            ]

        def collides(rect: tuple[float, float, float, float]) -> bool:
            x0, y0, x1, y1 = rect
            if limits is not None and (x0 < limits[0] or y0 < limits[1] or x1 > limits[2] or y1 > limits[3]):
                return True
            for key in cells(x0, y0, x1, y1):
                for ox0, oy0, ox1, oy1 in grid.get(key, ()):
                    if x0 < ox1 and ox0 < x1 and y0 < oy1 and oy0 < y1:
                        return True
            return False

        def occupy(rect: tuple[float, float, float, float]) -> None:
            for key in cells(*rect):
                grid.setdefault(key, []).append(rect)

        points = {}
        for school_id, item in self.schools.items():
            pos = item.pos()
            x, y = pos.x() * scale, pos.y() * scale
            points[school_id] = (x, y)
            r = item.rect().width() / 2
            occupy((x - r, y - r, x + r, y + r))
        for school_id in self._label_order:
            item = self.schools.get(school_id)
            if item is None:
                continue
            x, y = points[school_id]
            width, height = item.label_size
            offset = item.label_offset
            shown = False
            # Right of the point, then left, above, below: the first place that is free.
            for dx, dy in (
                (offset, -height / 2),
                (-offset - width, -height / 2),
                (-width / 2, -offset - height + 2),
                (-width / 2, offset - 2),
                (-2, -offset - height + 2),
                (-2, offset - 2),
            ):
                rect = (x + dx, y + dy, x + dx + width, y + dy + height)
                if not collides(rect):
                    occupy(rect)
                    shown = True
                    if item.label_at != (dx, dy):
                        item.label_at = (dx, dy)
                        item.label.setPos(dx, dy)
                    break
            if self._label_shown.get(school_id) != shown:
                self._label_shown[school_id] = shown
                item.label.setVisible(shown)
        if not self.show_distances:
            return
        for link in self.links:
            middle = link.item.line().center()
            x, y = middle.x() * scale, middle.y() * scale
            text = link.text.boundingRect()
            width, height = text.width(), text.height()
            shown = False
            for dx, dy in (
                (-width / 2, -height - 2),
                (-width / 2, 2),
                (4, -height / 2),
                (-width - 4, -height / 2),
            ):
                rect = (x + dx, y + dy, x + dx + width, y + dy + height)
                if not collides(rect):
                    occupy(rect)
                    link.text.setTransform(QTransform.fromTranslate(dx, dy))
                    shown = True
                    break
            link.text.setVisible(shown)

    def label_visible(self, school_id: int) -> bool:
        item = self.schools[school_id]
        return item.label.isVisible()

    # --- the basemap ------------------------------------------------------------------------------
    def set_basemap(self, path: str | Path | None) -> str:
        """Use an MBTiles file under the points (None or "": none). Returns "" or the Russian
        reason it cannot be used (the map goes on without it)."""
        if self.basemap is not None:
            self.basemap.clear(self)
            self.basemap = None
        self.basemap_message = ""
        if not path:
            return ""
        try:
            self.basemap = Basemap(MBTiles(path))
        except AppError as exc:
            self.basemap_message = exc.message
        except Exception as exc:  # any unexpected failure of a user's file must not stop the map
            self.basemap_message = f"Подложку карты «{Path(path).name}» открыть нельзя: {exc}"
        if self.basemap_message:
            emit(self.basemap_failed, self.basemap_message)
        return self.basemap_message

    def update_basemap(self, visible: QRectF, scale: float, budget: int | None = 12) -> bool:
        """Load the tiles for the visible rectangle at `scale` (device pixels per scene unit), at
        most `budget` new ones (None: all). True when more are still to load."""
        if self.basemap is None:
            return False
        try:
            return self.basemap.update(self, visible, scale, budget)
        except AppError as exc:
            self.basemap.clear(self)
            self.basemap = None
            self.basemap_message = exc.message
            emit(self.basemap_failed, exc.message)
            return False


def _name(group: PartnershipGroup, school_id: int) -> str:
    return next((m.name for m in group.members if m.school_id == school_id), "")


class Basemap:
    """Tiles of an MBTiles file as pixmap items under the schools; a cache of decoded pixmaps."""

    def __init__(self, tiles: MBTiles) -> None:
        self.tiles = tiles
        self.format = tiles.metadata().get("format", "").lower()
        if self.format == "pbf":
            tiles.close()
            raise AppError(
                f"Подложку карты «{tiles.path.name}» показать нельзя: в ней векторные тайлы (pbf), "
                "а нужны растровые (png или jpg). Карта показывается без подложки."
            )
        self.cache: OrderedDict[tuple[int, int, int], QPixmap | None] = OrderedDict()
        self.items: dict[tuple[int, int, int], QGraphicsPixmapItem] = {}
        self.zoom: int | None = None

    @property
    def attribution(self) -> str:
        return self.tiles.attribution

    def _pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        data = self.tiles.tile(*key)
        pixmap: QPixmap | None = None
        if data:
            pixmap = QPixmap()
            if not pixmap.loadFromData(data):
                pixmap = None
        self.cache[key] = pixmap
        while len(self.cache) > TILE_CACHE:
            self.cache.popitem(last=False)
        return pixmap

    def update(self, scene: QGraphicsScene, visible: QRectF, scale: float, budget: int | None) -> bool:
        zoom = zoom_for_scale(scale * WORLD, self.tiles.min_zoom, self.tiles.max_zoom)
        area = visible.intersected(QRectF(0, 0, WORLD, WORLD))
        if area.isEmpty():
            return False
        n = tiles_at(zoom)
        needed = tiles_covering(
            area.left() / WORLD,
            area.top() / WORLD,
            min(area.right() / WORLD, math.nextafter(1.0, 0.0)),
            min(area.bottom() / WORLD, math.nextafter(1.0, 0.0)),
            zoom,
        )
        if len(needed) > MAX_TILES:
            return False
        wanted = {(zoom, column, row) for column, row in needed}
        loaded = 0
        pending = False
        for key in sorted(wanted - self.items.keys()):
            if budget is not None and loaded >= budget:
                pending = True
                break
            fresh = key not in self.cache
            pixmap = self._pixmap(key)
            loaded += 1 if fresh else 0
            if pixmap is None:
                continue
            item = QGraphicsPixmapItem(pixmap)
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            tile_units = WORLD / n
            item.setScale(tile_units / pixmap.width())
            item.setPos(key[1] * tile_units, key[2] * tile_units)
            item.setZValue(-100 + zoom / 100)
            scene.addItem(item)
            self.items[key] = item
        if not pending:
            # Everything for this view is in place: tiles of other zooms and far away go.
            for key in [k for k in self.items if k not in wanted and (k[0] != zoom or len(self.items) > 96)]:
                scene.removeItem(self.items.pop(key))
        self.zoom = zoom
        return pending

    def clear(self, scene: QGraphicsScene) -> None:
        for item in self.items.values():
            scene.removeItem(item)
        self.items = {}
        self.cache.clear()
        self.tiles.close()


def year_title(year: int) -> str:
    return f"Сетевое партнёрство на {academic_year_label(year)} учебный год"


def paint_legend(painter: QPainter, left: float, top: float, *, compact: bool = False) -> QRectF:
    """The legend of the map's colours and lines; returns the rectangle it took (logical pixels)."""
    font = QFont()
    font.setPixelSize(12)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    line_height = max(18.0, metrics.height() + 5)
    entries: list[tuple[str, str, QColor, QColor | None]] = [
        ("point", "ШНРО — низкие результаты", CATEGORY_COLOURS[Category.LOW_RESULTS], None),
        ("point", "ШФНСУ — неблагоприятные условия", CATEGORY_COLOURS[Category.UNFAVOURABLE], None),
        ("point", "Признаки необъективности", CATEGORY_COLOURS[Category.NONOBJECTIVE], None),
        ("point", "Не в перечнях", NO_CATEGORY_COLOUR, None),
        (
            "point",
            "Две категории: заливка и кольцо",
            CATEGORY_COLOURS[Category.LOW_RESULTS],
            CATEGORY_COLOURS[Category.NONOBJECTIVE],
        ),
        ("point", "Школа-партнёр, наставник", NO_CATEGORY_COLOUR, PARTNER_COLOUR),
        ("line", "Партнёрство (расстояние — в подсказке)", LINE_COLOUR, None),
        ("dash", "Без координат (схема)", NO_CATEGORY_COLOUR, QColor("#37474f")),
    ]
    if compact:
        entries[6] = ("line", "Партнёрство", LINE_COLOUR, None)
    width = 28 + max(metrics.horizontalAdvance(text) for _, text, _, _ in entries) + 10
    height = line_height * len(entries) + 10
    rect = QRectF(left, top, width, height)
    painter.setPen(QPen(QColor("#b0bec5"), 1))
    painter.setBrush(QBrush(QColor(255, 255, 255, 235)))
    painter.drawRoundedRect(rect, 4, 4)
    y = top + 5
    for kind, text, colour, ring in entries:
        centre = QPointF(left + 15, y + line_height / 2)
        if kind == "line":
            pen = QPen(colour, 2.2)
            painter.setPen(pen)
            painter.drawLine(QPointF(left + 6, centre.y()), QPointF(left + 24, centre.y()))
        else:
            pen = (
                QPen(ring, 3.0 if ring == PARTNER_COLOUR else 2.5)
                if ring is not None
                else QPen(QColor("white"), 1.2)
            )
            if kind == "dash":
                pen = QPen(ring or QColor("#37474f"), 1.6, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(QBrush(colour))
            painter.drawEllipse(centre, 6, 6)
        painter.setPen(QPen(LABEL_COLOUR))
        painter.drawText(
            QRectF(left + 28, y, width - 30, line_height),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            text,
        )
        y += line_height
    painter.restore()
    return rect
