"""The partnership map: schools where they are, lines of the groups, colours, the schematic box,
dragging a school without coordinates (saved, undone), zoom keys, a school's card, the basemap."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.domain import Category
from app.partnerships.service import PartnershipService
from app.schools import SchoolService
from db import Database
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.partnerships.map_scene import (
    CATEGORY_COLOURS,
    NO_CATEGORY_COLOUR,
    PARTNER_COLOUR,
    MapScene,
    load_map_data,
    map_label,
)
from ui.partnerships.page import PartnershipsPage

YEAR = 2020


def school_id(database: Database, short_name: str) -> int:
    return database.query("SELECT id FROM schools WHERE short_name = ?", (short_name,))[0][0]


@pytest.fixture
def scene(qtbot: QtBot, demo_db: Database) -> MapScene:
    scene = MapScene()
    scene.build(load_map_data(demo_db, YEAR))
    return scene


@pytest.fixture
def page(main_window: MainWindow) -> PartnershipsPage:
    row = next(
        i for i in range(main_window.nav.count()) if main_window.nav.item(i).text() == "Сетевое партнёрство"
    )
    main_window.nav.setCurrentRow(row)
    page = main_window.partnerships_page
    assert main_window.pages.currentWidget() is page
    return page


def test_schools_and_lines_of_the_demo(scene: MapScene, demo_db: Database) -> None:
    assert len(scene.schools) == 9
    # Four groups; the group of three has two low-result schools and one partner: two lines.
    assert len(scene.links) == 5
    assert sorted(len(scene.links_of_group(g.id)) for g in PartnershipService(demo_db).list_groups(YEAR)) == [
        1,
        1,
        1,
        2,
    ]
    assert scene.box is None  # every demo school has coordinates
    # North is up: Шлиссельбург (59.94° N) above Отрадное (59.77° N); east is right: Шум right of Кировск.
    shl = scene.school_item(school_id(demo_db, "МБОУ «Шлиссельбургская СОШ»")).pos()
    otr = scene.school_item(school_id(demo_db, "МБОУ «Отрадненская СОШ №3»")).pos()
    shum = scene.school_item(school_id(demo_db, "МКОУ «Шумская СОШ»")).pos()
    kir = scene.school_item(school_id(demo_db, "МБОУ «Кировская СОШ №2»")).pos()
    assert shl.y() < otr.y() and shum.x() > kir.x()
    tips = [link.item.toolTip() for link in scene.links]
    assert any("1,7 км" in tip for tip in tips)  # the two schools of Отрадное


def test_colours_follow_the_year_categories(scene: MapScene, demo_db: Database) -> None:
    low = school_id(demo_db, "МБОУ «Отрадненская СОШ №3»")
    partner = school_id(demo_db, "МКОУ «Отрадненская СОШ №2»")
    both = school_id(demo_db, "МКОУ «Шумская СОШ»")  # low results and signs of non-objectivity
    assert scene.colour_of(low) == CATEGORY_COLOURS[Category.LOW_RESULTS]
    assert scene.colour_of(partner) == NO_CATEGORY_COLOUR
    assert scene.school_item(partner).pen().color() == PARTNER_COLOUR
    assert scene.colour_of(both) == CATEGORY_COLOURS[Category.LOW_RESULTS]
    assert scene.school_item(both).pen().color() == CATEGORY_COLOURS[Category.NONOBJECTIVE]
    assert scene.school_item(low).label.text() == "Отрадненская СОШ №3"
    assert map_label("МБОУ «Лицей «Вектор»»") == "Лицей «Вектор»"


def test_labels_do_not_overlap_when_zoomed_out(scene: MapScene) -> None:
    scene.layout_labels(0.0005)  # the district is a few pixels wide: only some labels fit
    shown = [sid for sid in scene.schools if scene.label_visible(sid)]
    assert 1 <= len(shown) < 9
    scene.layout_labels(0.05)
    assert all(scene.label_visible(sid) for sid in scene.schools)


def test_a_school_without_coordinates_is_in_the_schematic_box(qapp: object, demo_db: Database) -> None:
    SchoolService(demo_db).create(
        {
            "full_name": "Муниципальное казённое общеобразовательное учреждение «Мгинская СОШ»",
            "short_name": "МКОУ «Мгинская СОШ»",
        }
    )
    scene = MapScene()
    scene.build(load_map_data(demo_db, YEAR))
    item = scene.school_item(school_id(demo_db, "МКОУ «Мгинская СОШ»"))
    assert scene.box is not None and scene.box_title is not None
    assert scene.box_title.text() == "Без координат"
    assert scene.box.rect().contains(item.pos())
    assert not scene.mapped_rect.contains(item.pos())
    assert item.pen().style() == Qt.PenStyle.DashLine
    assert scene.content_rect().contains(scene.box.rect())


def test_swapped_coordinates_send_a_school_to_the_box_not_across_the_map(
    qapp: object, demo_db: Database
) -> None:
    schools = SchoolService(demo_db)
    prila = school_id(demo_db, "МКОУ «Приладожская СОШ»")
    before = MapScene()
    before.build(load_map_data(demo_db, YEAR))
    schools.update(prila, {"latitude": 31.1, "longitude": 59.9})  # the two columns swapped
    scene = MapScene()
    scene.build(load_map_data(demo_db, YEAR))
    item = scene.school_item(prila)
    assert scene.box is not None and scene.box.rect().contains(item.pos())
    # The other schools keep the district's scale: the mapped area does not grow to another continent.
    assert scene.mapped_rect.width() <= before.mapped_rect.width() * 1.01


def test_dragging_a_school_saves_its_place_and_undo_puts_it_back(
    page: PartnershipsPage, main_window: MainWindow, qtbot: QtBot
) -> None:
    database = main_window.database
    new_id, changeset = SchoolService(database).create({"full_name": "МКОУ «Мгинская СОШ»"})
    main_window.history.record(changeset)
    item = page.scene.school_item(new_id)
    assert item is not None and page.scene.box.rect().contains(item.pos())
    start = page.view.point_of(new_id)
    target = start + QPoint(-150, 40)
    viewport = page.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + (target - start) * step / 5)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=target)
    qtbot.waitUntil(lambda: new_id in PartnershipService(database).positions())
    moved = page.scene.school_item(new_id)  # the page reloads: a new item at the saved place
    assert not page.scene.box.rect().contains(moved.pos()) if page.scene.box else True
    assert (page.view.point_of(new_id) - target).manhattanLength() <= 3
    assert main_window.history.stack.undoText() == "Перемещение школы на схеме"

    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert new_id not in PartnershipService(database).positions()
    back = page.scene.school_item(new_id)
    assert page.scene.box is not None and page.scene.box.rect().contains(back.pos())


def test_zoom_keys_fit_and_the_school_card(
    page: PartnershipsPage, qtbot: QtBot, main_window: MainWindow
) -> None:
    view = page.view
    view.setFocus()
    before = view.scale_factor()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.scale_factor() == pytest.approx(before * 1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.scale_factor() < before
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() == pytest.approx(before)
    for sid in page.scene.schools:
        assert view.viewport().rect().contains(view.point_of(sid))

    sinyavino = school_id(main_window.database, "МКОУ «Синявинская СОШ»")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.point_of(sinyavino))
    assert view.card.isVisible()
    text = view.card.text.text()
    assert "Синявинская средняя общеобразовательная школа" in text
    assert "ШНРО" in text and "Обучающихся: 540" in text
    assert "Шлиссельбургская" in text and "км" in text
    # Its group is selected in the table and drawn highlighted.
    group = page.current_group()
    assert group is not None and "Синявинская" in group.title
    assert page.scene.highlighted == group.id
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.card.isVisible()


def _png(colour: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def make_mbtiles(path: Path, zoom: int, tiles: list[tuple[int, int]]) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "test"), ("format", "png")])
    for column, row in tiles:
        conn.execute(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, column, (1 << zoom) - 1 - row, _png("#c8e6c9"))
        )
    conn.commit()
    conn.close()
    return path


def test_a_basemap_is_drawn_under_the_schools(scene: MapScene, tmp_path: Path) -> None:
    from app.geo import tile_of

    centre = scene.content_rect().center()
    from ui.partnerships.map_scene import WORLD

    column, row = tile_of(centre.x() / WORLD, centre.y() / WORLD, 8)
    path = make_mbtiles(
        tmp_path / "район.mbtiles", 8, [(column + dx, row + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    )
    assert scene.set_basemap(path) == ""
    rect = scene.content_rect()
    scale = 256 * 2**8 / WORLD  # zoom 8 pixels
    pending = scene.update_basemap(rect, scale, budget=1)
    assert pending  # one tile per call at most
    while scene.update_basemap(rect, scale, budget=1):
        pass
    assert scene.basemap is not None and len(scene.basemap.items) >= 1
    assert all(item.zValue() < 0 for item in scene.basemap.items.values())


def test_a_broken_basemap_gives_a_russian_message_and_the_map_goes_on(
    page: PartnershipsPage, tmp_path: Path, qtbot: QtBot
) -> None:
    broken = tmp_path / "карта.mbtiles"
    broken.write_bytes(b"this is not a map" * 100)
    assert not page.set_basemap(str(broken))
    boxes = visible_message_boxes()
    assert len(boxes) == 1 and "Подложку карты «карта.mbtiles» открыть нельзя" in boxes[0].text()
    boxes[0].close()
    assert page.office.setting("map_basemap") == ""
    assert len(page.scene.schools) == 9 and len(page.scene.links) == 5

    # A file that broke after it was chosen: the page opens with a notice over the map instead.
    page.office.set_setting("map_basemap", str(broken))
    page._basemap_path = ""
    page.reload()
    assert page.view.notice.isVisibleTo(page.view)
    assert "не база SQLite" in page.view.notice.text()
    assert len(page.scene.schools) == 9
