"""The partnership map as a page: PNG or PDF, A4 landscape, with a title, the legend, the list of
partnerships with their distances and the office's name.

`render_map` needs a QGuiApplication but no window: the command line can call it under
QT_QPA_PLATFORM=offscreen. The map is drawn into an image (points and labels keep their pixel size
whatever the page's resolution); the title, legend and list are vector text in the PDF.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from app.exporting.files import check_target, write_atomically
from app.partnerships.model import distance_km
from ui.partnerships.map_scene import (
    LABEL_COLOUR,
    MAP_BACKGROUND,
    WORLD,
    MapData,
    MapScene,
    format_km,
    paint_legend,
    year_title,
)

# The page in logical pixels (96 per inch): A4 landscape.
PAGE_WIDTH = 297 / 25.4 * 96
PAGE_HEIGHT = 210 / 25.4 * 96
MARGIN = 12 / 25.4 * 96
PNG_DPI = 150
PDF_DPI = 300
MAP_PIXEL_RATIO = 2.5  # the map image: 240 dots per inch


def _font(pixels: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    return font


def _map_image(scene: MapScene, size: QSizeF, ratio: float) -> QImage:
    image = QImage(
        max(1, round(size.width() * ratio)), max(1, round(size.height() * ratio)), QImage.Format.Format_RGB32
    )
    image.setDevicePixelRatio(ratio)
    image.fill(MAP_BACKGROUND)
    content = scene.content_rect()
    # The content fills the frame but for room at the edges for the labels.
    room_x, room_y = 40.0, 30.0
    scale = min(
        (size.width() - 2 * room_x) / max(content.width(), 1e-6),
        (size.height() - 2 * room_y) / max(content.height(), 1e-6),
    )
    scale = min(max(scale, 256 / WORLD), 4.0)
    source_size = QSizeF(size.width() / scale, size.height() / scale)
    centre = content.center()
    source = QRectF(
        centre.x() - source_size.width() / 2,
        centre.y() - source_size.height() / 2,
        source_size.width(),
        source_size.height(),
    )
    scene.update_basemap(source, scale * ratio, budget=None)
    scene.layout_labels(scale, source)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(
        painter, QRectF(0, 0, size.width(), size.height()), source, Qt.AspectRatioMode.IgnoreAspectRatio
    )
    painter.end()
    return image


def _group_lines(data: MapData) -> list[str]:
    lines = []
    for number, group in enumerate(data.groups, start=1):
        distances = [distance_km(a, b) for a, b in group.links()]
        known = [d for d in distances if d is not None]
        where = "; ".join(format_km(d) for d in known) if known else "расстояние неизвестно"
        lines.append(f"{number}. {group.title} — {where}")
    return lines


def _paint_page(painter: QPainter, data: MapData, scene: MapScene, map_ratio: float, title: str) -> None:
    """Everything on the page, in logical pixels (PAGE_WIDTH × PAGE_HEIGHT)."""
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, PAGE_WIDTH, PAGE_HEIGHT), QColor("white"))
    left, top = MARGIN, MARGIN
    width = PAGE_WIDTH - 2 * MARGIN
    painter.setPen(QPen(LABEL_COLOUR))
    painter.setFont(_font(20, bold=True))
    title_height = QFontMetricsF(painter.font()).height()
    painter.drawText(QRectF(left, top, width, title_height), int(Qt.AlignmentFlag.AlignLeft), title)
    top += title_height + 2
    if data.office_name:
        painter.setFont(_font(12))
        height = QFontMetricsF(painter.font()).height()
        painter.setPen(QPen(QColor("#455a64")))
        painter.drawText(QRectF(left, top, width, height), int(Qt.AlignmentFlag.AlignLeft), data.office_name)
        top += height
    top += 6
    footer_height = 16.0
    side_width = 250.0
    map_rect = QRectF(left, top, width - side_width - 12, PAGE_HEIGHT - MARGIN - footer_height - top)
    image = _map_image(scene, map_rect.size(), map_ratio)
    painter.drawImage(map_rect, image)
    painter.setPen(QPen(QColor("#90a4ae"), 0.8))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(map_rect)

    side_left = map_rect.right() + 12
    legend = paint_legend(painter, side_left, top, compact=True)
    y = legend.bottom() + 14
    painter.setPen(QPen(LABEL_COLOUR))
    painter.setFont(_font(13, bold=True))
    heading = QFontMetricsF(painter.font()).height()
    painter.drawText(
        QRectF(side_left, y, side_width, heading), int(Qt.AlignmentFlag.AlignLeft), "Партнёрства"
    )
    y += heading + 4
    painter.setFont(_font(11))
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
    lines = _group_lines(data) or ["Партнёрств в этом учебном году нет."]
    for line in lines:
        bounds = painter.boundingRect(QRectF(side_left, y, side_width, 1000), flags, line)
        if bounds.bottom() > map_rect.bottom():
            painter.drawText(QRectF(side_left, y, side_width, 20), flags, "…")
            break
        painter.drawText(QRectF(side_left, y, side_width, bounds.height()), flags, line)
        y = bounds.bottom() + 5

    painter.setFont(_font(10))
    painter.setPen(QPen(QColor("#607d8b")))
    footer = f"Составлено {date.today():%d.%m.%Y} в программе «Опора»"
    if scene.basemap is not None and scene.basemap.attribution:
        footer += f". Подложка: {scene.basemap.attribution}"
    painter.drawText(
        QRectF(left, PAGE_HEIGHT - MARGIN - footer_height + 4, width, footer_height),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
        footer,
    )


def render_map(
    scene_or_data: MapData | MapScene,
    target: str | Path,
    *,
    title: str | None = None,
    basemap: str | Path | None = None,
    show_distances: bool = True,
) -> Path:
    """Write the map page to `target` (.png or .pdf). Given a `MapData`, a scene is built for the
    page (the on-screen map is not touched); given a `MapScene`, that scene is drawn as it is.
    `basemap` is an MBTiles file (default: the one in the data); a broken one is left out."""
    path = check_target(Path(target), (".png", ".pdf"), "Карта выгружается")
    if isinstance(scene_or_data, MapScene):
        scene = scene_or_data
        assert scene.data_ is not None, "the scene has not been built"
        data = scene.data_
    else:
        data = scene_or_data
        scene = MapScene(pixel_ratio=PNG_DPI / 96 if path.suffix.lower() == ".png" else MAP_PIXEL_RATIO)
        scene.build(data)
        scene.set_distance_labels(show_distances)
        chosen = data.basemap_path if basemap is None else basemap
        if chosen:
            scene.set_basemap(chosen)
    title = title or year_title(data.year)

    if path.suffix.lower() == ".png":
        ratio = PNG_DPI / 96
        image = QImage(round(PAGE_WIDTH * ratio), round(PAGE_HEIGHT * ratio), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.setDotsPerMeterX(round(PNG_DPI / 0.0254))
        image.setDotsPerMeterY(round(PNG_DPI / 0.0254))
        painter = QPainter(image)
        _paint_page(painter, data, scene, ratio, title)
        painter.end()

        def write_png(name: str) -> None:
            if not image.save(name, "PNG"):
                raise OSError(f"не удалось сохранить изображение «{path.name}»")

        write_atomically(path, write_png)
    else:

        def write_pdf(name: str) -> None:
            writer = QPdfWriter(name)
            writer.setPageLayout(
                QPageLayout(
                    QPageSize(QPageSize.PageSizeId.A4),
                    QPageLayout.Orientation.Landscape,
                    QMarginsF(0, 0, 0, 0),
                )
            )
            writer.setResolution(PDF_DPI)
            writer.setTitle(title)
            writer.setCreator("«Опора»")
            painter = QPainter(writer)
            if not painter.isActive():
                raise OSError(f"не удалось создать файл PDF «{path.name}»")
            painter.scale(PDF_DPI / 96, PDF_DPI / 96)
            _paint_page(painter, data, scene, MAP_PIXEL_RATIO, title)
            painter.end()

        write_atomically(path, write_pdf)
    return path
