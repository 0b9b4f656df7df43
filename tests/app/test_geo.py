"""Web Mercator arithmetic and the MBTiles reader, over tiny real files made here."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from app.errors import AppError
from app.geo import (
    BasemapError,
    MBTiles,
    lonlat_to_world,
    tile_bounds,
    tile_of,
    tiles_covering,
    world_size,
    world_to_lonlat,
    zoom_for_scale,
)

KIROVSK = (59.879, 30.992)


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_mbtiles(
    path: Path, tiles: dict[tuple[int, int, int], bytes], metadata: dict[str, str] | None = None
) -> Path:
    """An MBTiles file with XYZ-numbered `tiles` (stored in TMS order, as the format wants)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", list((metadata or {}).items()))
    for (zoom, column, row), data in tiles.items():
        conn.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, column, (1 << zoom) - 1 - row, data))
    conn.commit()
    conn.close()
    return path


def test_web_mercator_round_trip_and_known_points() -> None:
    assert lonlat_to_world(0, 0) == pytest.approx((0.5, 0.5))
    x, y = lonlat_to_world(85.0511287798066, -180)
    assert (x, y) == pytest.approx((0.0, 0.0), abs=1e-9)
    x, y = lonlat_to_world(*KIROVSK)
    assert 0.5 < x < 0.6 and 0.2 < y < 0.35  # north-east of (0, 0)
    assert world_to_lonlat(x, y) == pytest.approx(KIROVSK)
    # North is up: a school further north has a smaller y.
    assert lonlat_to_world(59.944, 31.037)[1] < lonlat_to_world(59.7737, 30.803)[1]


def test_tile_math() -> None:
    assert world_size(0) == 256 and world_size(3) == 2048
    x, y = lonlat_to_world(*KIROVSK)
    column, row = tile_of(x, y, 10)
    left, top, right, bottom = tile_bounds(column, row, 10)
    assert left <= x < right and top <= y < bottom
    assert tile_of(0.9999999, 0.9999999, 2) == (3, 3)
    assert tiles_covering(0.0, 0.0, 0.6, 0.2, 2) == [(0, 0), (1, 0), (2, 0)]
    assert zoom_for_scale(256 * 1024) == 10
    assert zoom_for_scale(256 * 1024, max_zoom=8) == 8


def test_mbtiles_reads_tiles_in_xyz_order(tmp_path: Path) -> None:
    red, blue = png((200, 0, 0)), png((0, 0, 200))
    path = make_mbtiles(
        tmp_path / "район.mbtiles",
        {(1, 0, 0): red, (1, 1, 1): blue},
        {"name": "Кировский район", "format": "png", "bounds": "30.5,59.6,32.2,60.0", "attribution": "© OSM"},
    )
    with MBTiles(path) as tiles:
        assert tiles.tile(1, 0, 0) == red  # the top-left tile (TMS row 1)
        assert tiles.tile(1, 1, 1) == blue
        assert tiles.tile(1, 1, 0) is None
        assert tiles.tile(5, 0, 0) is None  # beyond the file's zooms
        assert tiles.tile(1, 7, 0) is None  # outside the world
        assert tiles.min_zoom == tiles.max_zoom == 1
        assert tiles.metadata()["name"] == "Кировский район"
        assert tiles.name == "Кировский район"
        assert tiles.bounds == (30.5, 59.6, 32.2, 60.0)
        assert tiles.attribution == "© OSM"
    assert Image.open(io.BytesIO(red)).size == (256, 256)


def test_mbtiles_is_opened_read_only(tmp_path: Path) -> None:
    path = make_mbtiles(tmp_path / "a.mbtiles", {(0, 0, 0): png((1, 2, 3))})
    before = path.read_bytes()
    tiles = MBTiles(path)
    assert tiles._conn is not None
    with pytest.raises(sqlite3.OperationalError):
        tiles._conn.execute("DELETE FROM tiles")
    tiles.close()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "файл не найден"),
        (b"PK\x03\x04 not a database at all" * 50, "не база SQLite"),
        ("no_tiles", "нет таблицы тайлов"),
        ("empty", "нет ни одного тайла"),
        ("corrupt", "повреждён"),
    ],
)
def test_unusable_files_are_refused_in_russian(tmp_path: Path, content: object, words: str) -> None:
    path = tmp_path / "подложка.mbtiles"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "no_tiles":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE other (a)")
        conn.commit()
        conn.close()
    elif content == "empty":
        make_mbtiles(path, {})
    elif content == "corrupt":
        make_mbtiles(path, {(0, 0, 0): png((9, 9, 9))})
        data = bytearray(path.read_bytes())
        data[100:] = b"\xff" * (len(data) - 100)  # the schema and the pages garbled, the header kept
        path.write_bytes(bytes(data))
    with pytest.raises(BasemapError) as caught:
        MBTiles(path)
    assert isinstance(caught.value, AppError)
    assert words in caught.value.message
    assert "подложка.mbtiles" in caught.value.message
