"""The partnership map of a year as PNG bytes, for the map appendix of an order (`map_renderer`).

The page is the one `ui.partnerships.map_export` draws (A4 landscape: the map, its legend, the list
of partnerships), here at `MAP_DPI` on white. The map is a `QGraphicsScene` whose tiles and points
are `QPixmap`s, which Qt allows on the GUI thread only; the order's PDF, though, is built on a
worker. So the renderer runs the drawing on the GUI thread: called there (the command line, a
test) it draws at once; called from a worker it posts the drawing to the GUI thread's event loop
and waits for it (at most `WAIT_S`, and never while the application is closing down).

The command line (`main.py … order pdf`) has no window: `map_renderer` creates the application
then (offscreen when there is no display), which must happen on the main thread.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, Qt, QThread, Signal
from PySide6.QtGui import QImage, QPainter

from app.errors import AppError
from db.connection import Database

MAP_DPI = 200
WAIT_S = 120.0
_POLL_S = 0.1

_application: Any = None  # an application made here (command line): kept for the process's life
_invoker: _GuiInvoker | None = None
_invoker_lock = threading.Lock()


def ensure_application() -> QCoreApplication:
    """The running application, or a new QApplication (offscreen without a display)."""
    app = QCoreApplication.instance()
    if app is not None:
        return app
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("map_renderer: create the QApplication on the main thread first")
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import ui.signals  # noqa: F401  (guards None and bools against this PySide's reference leaks)

    global _application
    _application = QApplication(sys.argv[:1])
    return _application


def render_map_png(database: Database, year: int, *, dpi: int = MAP_DPI) -> bytes:
    """The map page of `year` as PNG bytes. GUI thread only (see the module's note)."""
    from ui.partnerships.map_export import PAGE_HEIGHT, PAGE_WIDTH, _paint_page
    from ui.partnerships.map_scene import MapScene, load_map_data, year_title

    data = load_map_data(database, year)
    ratio = dpi / 96
    scene = MapScene(pixel_ratio=ratio)
    try:
        scene.build(data)
        scene.set_distance_labels(True)
        if data.basemap_path:
            scene.set_basemap(data.basemap_path)  # a broken basemap is left out, the map goes on
        image = QImage(round(PAGE_WIDTH * ratio), round(PAGE_HEIGHT * ratio), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.setDotsPerMeterX(round(dpi / 0.0254))
        image.setDotsPerMeterY(round(dpi / 0.0254))
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        try:
            _paint_page(painter, data, scene, ratio, year_title(year))
        finally:
            painter.end()
    finally:
        scene.set_basemap(None)  # closes the MBTiles file
    data_bytes = QByteArray()
    buffer = QBuffer(data_bytes)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise AppError("Карта партнёрства не нарисована: изображение не сохраняется.")
    buffer.close()
    return bytes(data_bytes.data())


class _Call:
    """A function to run on the GUI thread, with its result or exception for the waiting thread."""

    def __init__(self, function: Callable[[], bytes]) -> None:
        self.function = function
        self.done = threading.Event()
        self.abandoned = False
        self.result: bytes | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        if self.abandoned:
            return
        try:
            self.result = self.function()
        except BaseException as exc:
            self.error = exc
        finally:
            self.done.set()


class _GuiInvoker(QObject):
    """Lives on the GUI thread; a queued signal brings it calls from other threads."""

    requested = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.requested.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, call: object) -> None:
        assert isinstance(call, _Call)
        call.run()


def _gui_invoker(app: QCoreApplication) -> _GuiInvoker:
    global _invoker
    with _invoker_lock:
        if _invoker is None:
            invoker = _GuiInvoker()
            if invoker.thread() is not app.thread():
                invoker.moveToThread(app.thread())
            _invoker = invoker
        return _invoker


def run_on_gui_thread(function: Callable[[], bytes], *, wait_s: float = WAIT_S) -> bytes:
    """`function()` on the GUI thread: at once when already there, else through its event loop."""
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is app.thread():
        return function()
    from ui.signals import emit

    call = _Call(function)
    emit(_gui_invoker(app).requested, call)
    waited = 0.0
    while not call.done.wait(_POLL_S):
        waited += _POLL_S
        if waited >= wait_s or QCoreApplication.closingDown():
            call.abandoned = True
            raise AppError(
                "Карта партнёрства не нарисована: окно программы не ответило вовремя. Повторите печать."
            )
    if call.error is not None:
        raise call.error
    assert call.result is not None
    return call.result


def map_renderer(database: Database) -> Callable[[int], bytes]:
    """A function year → PNG bytes of that year's partnership map (A4 landscape, `MAP_DPI`, white),
    safe to call from any thread (the drawing itself happens on the GUI thread)."""
    app = ensure_application()
    _gui_invoker(app)  # made now, while on the calling thread, so a worker only has to emit

    def render(year: int) -> bytes:
        return run_on_gui_thread(lambda: render_map_png(database, year))

    return render
