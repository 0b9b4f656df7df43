"""Map arithmetic and the offline basemap: Web Mercator and MBTiles files.

Positions are «world» coordinates in [0, 1): x grows east from 180° W, y grows south from the
top of the Web Mercator square (85.0511° N). A map of zoom z is 256·2^z pixels wide, split into
2^z × 2^z tiles of 256 pixels (the XYZ scheme); MBTiles files number their rows from the bottom
(TMS), so a row is flipped when read.

The basemap is a file the user has (exported from any tile server or made with a tool such as
TileMill or QGIS); it is opened read-only and never changed. There is no network here.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from urllib.parse import quote

from app.errors import AppError, os_reason

TILE_SIZE = 256
MAX_LATITUDE = 85.0511287798066  # the edge of the Web Mercator square


def lonlat_to_world(latitude: float, longitude: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees → world (x, y) in [0, 1)."""
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))
    x = ((longitude + 180.0) / 360.0) % 1.0
    sin_lat = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + sin_lat) / (1 - sin_lat)) / (4 * math.pi)
    return x, min(max(y, 0.0), math.nextafter(1.0, 0.0))


def world_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """World (x, y) → (latitude, longitude) in degrees (the inverse of `lonlat_to_world`)."""
    longitude = x * 360.0 - 180.0
    latitude = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return latitude, longitude


def tiles_at(zoom: int) -> int:
    """How many tiles a row (and a column) has at `zoom`."""
    return 1 << zoom


def world_size(zoom: int) -> int:
    """The map's width in pixels at `zoom`."""
    return TILE_SIZE << zoom


def tile_of(x: float, y: float, zoom: int) -> tuple[int, int]:
    """The XYZ tile (column, row) holding world point (x, y) at `zoom`."""
    n = tiles_at(zoom)
    return min(max(int(x * n), 0), n - 1), min(max(int(y * n), 0), n - 1)


def tile_bounds(column: int, row: int, zoom: int) -> tuple[float, float, float, float]:
    """World (left, top, right, bottom) of an XYZ tile."""
    n = tiles_at(zoom)
    return column / n, row / n, (column + 1) / n, (row + 1) / n


def tiles_covering(left: float, top: float, right: float, bottom: float, zoom: int) -> list[tuple[int, int]]:
    """The XYZ tiles (column, row) that cover a world rectangle, row by row."""
    first_column, first_row = tile_of(left, top, zoom)
    last_column, last_row = tile_of(right, bottom, zoom)
    return [
        (column, row)
        for row in range(first_row, last_row + 1)
        for column in range(first_column, last_column + 1)
    ]


def zoom_for_scale(pixels_per_world: float, min_zoom: int = 0, max_zoom: int = 22) -> int:
    """The tile zoom whose pixels match a view showing the world `pixels_per_world` pixels wide."""
    if pixels_per_world <= 0:
        return min_zoom
    zoom = round(math.log2(pixels_per_world / TILE_SIZE))
    return max(min_zoom, min(max_zoom, zoom))


# --- MBTiles ------------------------------------------------------------------------------------
class BasemapError(AppError):
    """The basemap file cannot be used; `message` says why, in Russian."""


def _refuse(path: Path, why: str) -> BasemapError:
    return BasemapError(
        f"Подложку карты «{path.name}» открыть нельзя: {why}. Карта показывается без подложки."
    )


class MBTiles:
    """A read-only MBTiles file: `tile(z, x, y)` in the XYZ scheme gives the image bytes or None."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise _refuse(self.path, "файл не найден" if not self.path.exists() else "это не файл")
        try:
            with self.path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise _refuse(self.path, f"файл не читается ({os_reason(exc)})") from exc
        if header != b"SQLite format 3\x00":
            raise _refuse(self.path, "это не файл MBTiles (не база SQLite)")
        uri = "file:" + quote(str(self.path.resolve())) + "?mode=ro"
        try:
            self._conn: sqlite3.Connection | None = sqlite3.connect(uri, uri=True, check_same_thread=False)
            names = {
                row[0]
                for row in self._conn.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                )
            }
        except sqlite3.DatabaseError as exc:
            raise _refuse(self.path, f"файл повреждён ({exc})") from exc
        if "tiles" not in names:
            self.close()
            raise _refuse(self.path, "в файле нет таблицы тайлов «tiles»")
        try:
            self._metadata = (
                {str(k): str(v) for k, v in self._conn.execute("SELECT name, value FROM metadata")}
                if "metadata" in names
                else {}
            )
            zooms = self._conn.execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise _refuse(self.path, f"файл повреждён ({exc})") from exc
        if zooms is None or zooms[0] is None:
            self.close()
            raise _refuse(self.path, "в файле нет ни одного тайла")
        self.min_zoom = int(self._metadata.get("minzoom", zooms[0]) or zooms[0])
        self.max_zoom = int(self._metadata.get("maxzoom", zooms[1]) or zooms[1])
        self.min_zoom = max(self.min_zoom, int(zooms[0]))
        self.max_zoom = min(self.max_zoom, int(zooms[1]))

    def metadata(self) -> dict[str, str]:
        return dict(self._metadata)

    @property
    def name(self) -> str:
        return self._metadata.get("name", "") or self.path.stem

    @property
    def attribution(self) -> str:
        return self._metadata.get("attribution", "")

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in degrees from the metadata, or None when not given."""
        text = self._metadata.get("bounds", "")
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError:
            return None
        return west, south, east, north

    def tile(self, zoom: int, column: int, row: int) -> bytes | None:
        """The image of XYZ tile (column, row) at `zoom`, or None when the file has none."""
        if self._conn is None or not self.min_zoom <= zoom <= self.max_zoom:
            return None
        n = tiles_at(zoom)
        if not (0 <= column < n and 0 <= row < n):
            return None
        try:
            found = self._conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (zoom, column, n - 1 - row),
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise _refuse(self.path, f"файл повреждён ({exc})") from exc
        return bytes(found[0]) if found and found[0] is not None else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> MBTiles:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
