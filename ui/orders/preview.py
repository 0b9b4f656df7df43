"""A PDF shown inside the program exactly as it prints, and what can be done with it: print, save,
open in the system's viewer, export the same document to Word.

Pages are rasterised with pypdfium2 (the 6.12 wheels carry no QtPdf) on a `JobRunner` worker, never
on the UI thread: a 30-page order opens without freezing the window. Only the pages near the
visible part are kept as images, and only at the current zoom; the others are grey placeholders
until scrolled to. A newer `show_pdf` drops whatever an older one was still rendering.

PDFium is not thread-safe: every use of it here holds `PDFIUM_LOCK`.

Printing draws each page as an image at the printer's resolution (at most `PRINT_MAX_DPI`, which
keeps a page under 40 MB of memory) onto the full sheet, portrait or landscape as the page is, so
the margins on paper are the margins of the PDF. Qt allows painting on a `QPrinter` off the UI
thread, so the pages are printed on a worker with a progress dialog and «Отмена».
"""

from __future__ import annotations

import bisect
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QMarginsF,
    QObject,
    QRect,
    QRectF,
    QSettings,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, os_reason
from app.jobs import Job, Progress, run_job
from ui.messages import remembered_folder, show_error, show_file_saved, show_info, status_message
from ui.signals import protect_none
from ui.workers import JobRunner, Worker, report_failure

protect_none()

PDFIUM_LOCK = threading.RLock()
POINTS_PER_INCH = 72.0
SCREEN_DPI = 96.0  # zoom 100 %: a page as large as on paper at 96 logical pixels per inch
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.25, 4.0, 1.2
PAGE_MARGIN = 20  # grey around the pages, logical pixels
PAGE_GAP = 14
PREFETCH = 2  # pages rendered beyond the visible ones, each side
KEEP = 6  # pages kept as images beyond the visible ones, each side (memory)
BATCH = 2  # pages per render job: scrolling is answered after at most this many pages
PRINT_MAX_DPI = 300
BACKGROUND = QColor("#8d9399")
PLACEHOLDER_TEXT = QColor("#b0b4b8")
BROKEN_PDF = "Документ не показан: файл PDF повреждён или это не PDF."
FOLDER_KEY = "orders/export-folder"
PDF_FILTER = "Документ PDF (*.pdf)"
DOCX_FILTER = "Документ Word (*.docx)"
VIEWER_FOLDER = "Документы для просмотра"
VIEWER_KEEP_DAYS = 7

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


# --- PDFium ------------------------------------------------------------------------------------------
def _open_document(data: bytes) -> Any:
    """A `pypdfium2.PdfDocument` (call with `PDFIUM_LOCK` held); a Russian refusal if broken."""
    import pypdfium2

    if not data or b"%PDF" not in bytes(data[:1024]):
        raise AppError(BROKEN_PDF)
    try:
        document = pypdfium2.PdfDocument(bytes(data))
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise AppError("Документ не показан: файл PDF защищён паролем.") from exc
        raise AppError(BROKEN_PDF) from exc
    if len(document) == 0:
        document.close()
        raise AppError("В документе PDF нет ни одной страницы.")
    return document


def pdf_page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, as it is shown (rotation applied)."""
    with PDFIUM_LOCK:
        document = _open_document(data)
        try:
            return _sizes(document)
        except Exception as exc:
            raise AppError(BROKEN_PDF) from exc
        finally:
            document.close()


def _sizes(document: Any) -> list[tuple[float, float]]:
    """Each page's size in points (call with `PDFIUM_LOCK` held)."""
    sizes = []
    for index in range(len(document)):
        page = document[index]
        sizes.append((float(page.get_width()), float(page.get_height())))
        page.close()
    return sizes


def render_page(document: Any, index: int, width_px: int) -> QImage:
    """Page `index` (0-based) of an open document as an image `width_px` wide (the height keeps
    the page's proportions). The bitmap goes to a QImage without PIL: RGBx bytes, copied."""
    with PDFIUM_LOCK:
        page = document[index]
        try:
            # PDFium rounds the bitmap's size up: half a pixel less makes it exactly `width_px`.
            scale = (max(width_px, 1) - 0.5) / max(float(page.get_width()), 1e-6)
            bitmap = page.render(scale=scale, prefer_bgrx=True, rev_byteorder=True)
            try:
                image = QImage(
                    bytes(bitmap.buffer),
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGBX8888,
                ).copy()
            finally:
                bitmap.close()
        finally:
            page.close()
    return image


# --- jobs (run on workers) ------------------------------------------------------------------------
def _open_job(data: bytes) -> Job[list[tuple[float, float]] | str]:
    """The pages' sizes, or the Russian reason the PDF cannot be shown."""
    yield Progress(0, 0, "Открытие документа…")
    try:
        return pdf_page_sizes(data)
    except AppError as exc:
        return exc.message


def _render_job(data: bytes, requests: Sequence[tuple[int, int]]) -> Job[list[tuple[int, QImage]]]:
    with PDFIUM_LOCK:
        document = _open_document(data)
    try:
        images: list[tuple[int, QImage]] = []
        for done, (index, width) in enumerate(requests):
            yield Progress(done, len(requests), "Отрисовка страниц…")
            images.append((index, render_page(document, index, width)))
        return images
    finally:
        with PDFIUM_LOCK:
            document.close()


# --- the preview widget -------------------------------------------------------------------------------
class _PageCanvas(QWidget):
    """Paints the pages (or grey placeholders) stacked on a grey background with shadows."""

    def __init__(self, preview: PdfPreview) -> None:
        super().__init__()
        self.preview = preview
        self.sizes: list[QSize] = []  # each page in logical pixels at the current zoom
        self.tops: list[int] = []
        self.setAutoFillBackground(False)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def set_sizes(self, sizes: list[QSize]) -> None:
        self.sizes = sizes
        self.tops = []
        y = PAGE_MARGIN
        for size in sizes:
            self.tops.append(y)
            y += size.height() + PAGE_GAP
        width = max((s.width() for s in sizes), default=0) + 2 * PAGE_MARGIN
        height = (y - PAGE_GAP + PAGE_MARGIN) if sizes else 0
        self.setMinimumSize(width, height)
        self.resize(max(width, self.width()), height)
        self.update()

    def page_rect(self, index: int) -> QRect:
        size = self.sizes[index]
        left = max(PAGE_MARGIN, (self.width() - size.width()) // 2)
        return QRect(left, self.tops[index], size.width(), size.height())

    def pages_between(self, top: int, bottom: int) -> range:
        """The pages that show between the two heights (a range, possibly empty)."""
        if not self.sizes:
            return range(0)
        first = max(0, bisect.bisect_right(self.tops, top) - 1)
        if self.tops[first] + self.sizes[first].height() < top and first + 1 < len(self.sizes):
            first += 1
        last = max(first, bisect.bisect_right(self.tops, bottom) - 1)
        return range(first, min(last, len(self.sizes) - 1) + 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = event.rect()
        painter.fillRect(area, BACKGROUND)
        font = painter.font()
        font.setPixelSize(14)
        painter.setFont(font)
        for index in self.pages_between(area.top(), area.bottom()):
            rect = self.page_rect(index)
            if not rect.intersects(area):
                continue
            # A soft shadow: two translucent rectangles below and to the right.
            painter.fillRect(rect.translated(3, 4), QColor(0, 0, 0, 40))
            painter.fillRect(rect.translated(1, 2), QColor(0, 0, 0, 60))
            painter.fillRect(rect, QColor("white"))
            image = self.preview.image_for(index)
            if image is not None:
                painter.drawImage(rect, image)
            else:
                painter.setPen(PLACEHOLDER_TEXT)
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), f"Стр. {index + 1}…")
        painter.end()


class _ScrollArea(QScrollArea):
    """Ctrl + wheel zooms instead of scrolling; a resize is reported (fit to width)."""

    def __init__(self, on_zoom: Callable[[int], None], on_resize: Callable[[], None]) -> None:
        super().__init__()
        self._on_zoom = on_zoom
        self._on_resize = on_resize
        self._wheel = 0

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            # A wheel notch is 120; a touchpad sends many small deltas: add them up.
            self._wheel += event.angleDelta().y()
            while abs(self._wheel) >= 120:
                step = 1 if self._wheel > 0 else -1
                self._wheel -= 120 * step
                self._on_zoom(step)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._on_resize()


class PdfPreview(QWidget):
    """A PDF shown page by page as it prints: zoom (Ctrl + wheel, «−»/«+», «По ширине») and the page
    counter. `show_pdf(data)` shows a document, `show_message(text)` a line of text instead."""

    def __init__(self, parent: QWidget | None = None, *, jobs: JobRunner | None = None) -> None:
        super().__init__(parent)
        self._own_jobs = jobs is None
        self.jobs = jobs if jobs is not None else JobRunner(self)
        self._data: bytes | None = None
        self._points: list[tuple[float, float]] = []  # page sizes in points
        self._images: dict[int, QImage] = {}  # at the current zoom only
        self._stale: dict[int, QImage] = {}  # the previous document's pages, shown until replaced
        self._zoom = 1.0
        self._fit_width = True
        self._open_worker: Worker | None = None
        self._render_worker: Worker | None = None

        self.zoom_out_button = QToolButton()
        self.zoom_out_button.setText("−")
        self.zoom_out_button.setToolTip("Уменьшить (Ctrl + −, Ctrl + колесо мыши)")
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(-1))
        self.zoom_label = QLabel("100 %")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = QToolButton()
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setToolTip("Увеличить (Ctrl + +, Ctrl + колесо мыши)")
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(1))
        self.fit_button = QToolButton()
        self.fit_button.setText("По ширине")
        self.fit_button.setToolTip("Страница во всю ширину окна")
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.fit_button.toggled.connect(self._on_fit_toggled)
        self.page_label = QLabel("")
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setMinimumWidth(28)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        bar.addStretch(1)
        bar.addWidget(self.page_label)

        self.canvas = _PageCanvas(self)
        self.scroll = _ScrollArea(self.zoom_by, self.viewport_resized)
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setStyleSheet(f"QScrollArea {{ background: {BACKGROUND.name()}; border: none; }}")
        self.scroll.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.scroll.horizontalScrollBar().valueChanged.connect(self._on_scrolled)

        self.message_label = QLabel()
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.message_label.setMargin(24)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setStyleSheet(
            f"QLabel {{ background: {BACKGROUND.name()}; color: white; font-size: 15px; }}"
        )
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.message_label)
        self.stack.addWidget(self.scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(40)
        self._render_timer.timeout.connect(self._start_render)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(60)
        self._fit_timer.timeout.connect(self._apply_fit)

        for standard, extra, step in (
            (QKeySequence.StandardKey.ZoomIn, "Ctrl+=", 1),
            (QKeySequence.StandardKey.ZoomOut, "Ctrl+_", -1),
        ):
            keys = list(QKeySequence.keyBindings(standard))
            if QKeySequence(extra) not in keys:
                keys.append(QKeySequence(extra))
            shortcut = QShortcut(self)
            shortcut.setKeys(keys)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(partial(self.zoom_by, step))
        self._update_controls()

    # --- public -----------------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return len(self._points) if self.stack.currentWidget() is self.scroll else 0

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def pdf(self) -> bytes | None:
        """The document shown (None when a message or nothing is)."""
        return self._data if self.page_count else None

    def show_pdf(self, data: bytes) -> None:
        """Show `data`; the previous document stays on screen until this one is open."""
        self._cancel_work()
        self._data = bytes(data)
        worker = self.jobs.start(
            partial(_open_job, self._data), title="Просмотр документа", show_progress=False
        )
        self._open_worker = worker
        worker.finished.connect(self._on_opened)
        worker.failed.connect(self._on_open_failed)

    def show_message(self, text: str) -> None:
        """A line of text instead of a document («Документ формируется…», an error)."""
        self._cancel_work()
        self._forget_document()
        self.message_label.setText(text)
        self.stack.setCurrentWidget(self.message_label)
        self._update_controls()

    def clear(self) -> None:
        self.show_message("")

    def set_zoom(self, zoom: float) -> None:
        """A fixed zoom (1.0 = the page's size on paper at 96 pixels per inch); ends «По ширине»."""
        if self.fit_button.isChecked():
            self._fit_width = False
            self.fit_button.blockSignals(True)
            self.fit_button.setChecked(False)
            self.fit_button.blockSignals(False)
        self._set_zoom(zoom)

    def zoom_by(self, steps: int) -> None:
        zoom = self._zoom * (ZOOM_STEP**steps)
        # Snap to 100 % when passing it, as viewers do.
        if (self._zoom < 1.0 < zoom) or (zoom < 1.0 < self._zoom):
            zoom = 1.0
        self.set_zoom(zoom)

    def fit_width(self) -> None:
        self.fit_button.setChecked(True)

    def current_page(self) -> int:
        """1-based number of the page in the middle of the view (0 without a document)."""
        if not self.page_count:
            return 0
        bar = self.scroll.verticalScrollBar()
        middle = bar.value() + self.scroll.viewport().height() // 2
        index = max(0, bisect.bisect_right(self.canvas.tops, middle) - 1)
        if bar.value() <= 0:
            index = 0
        elif bar.value() >= bar.maximum() and bar.maximum() > 0:
            index = self.page_count - 1
        return min(index, self.page_count - 1) + 1

    def rendered_images(self) -> list[QImage | None]:
        """The images held now, page by page (None: not rendered at this zoom). For tests."""
        return [self._images.get(index) for index in range(len(self._points))]

    def image_for(self, index: int) -> QImage | None:
        image = self._images.get(index)
        if image is None:
            image = self._stale.get(index)
            if image is not None and image.width() != self._target_width(index):
                return None
        return image

    def shutdown(self) -> None:
        """Stop the rendering (call when the window closes; its own runner waits for its threads)."""
        self._cancel_work()
        if self._own_jobs:
            self.jobs.shutdown()

    # --- opening ------------------------------------------------------------------------------------
    def _cancel_work(self) -> None:
        for worker in (self._open_worker, self._render_worker):
            if worker is not None:
                worker.cancel()
        self._open_worker = None
        self._render_worker = None
        self._render_timer.stop()

    def _forget_document(self) -> None:
        self._data = None
        self._points = []
        self._images.clear()
        self._stale.clear()
        self.canvas.set_sizes([])

    def _on_opened(self, result: object) -> None:
        if self.sender() is not self._open_worker:
            return  # a newer document was asked for meanwhile
        self._open_worker = None
        if isinstance(result, str):
            self._forget_document()
            self.message_label.setText(result)
            self.stack.setCurrentWidget(self.message_label)
            self._update_controls()
            return
        assert isinstance(result, list)
        # A refreshed document (the editor's live preview) keeps its place and shows its old pages
        # until the new ones are drawn.
        keep_scroll = self.stack.currentWidget() is self.scroll and bool(self._points)
        position = self.scroll.verticalScrollBar().value()
        self._stale = {**self._stale, **self._images}
        self._images = {}
        self._points = list(result)
        self.stack.setCurrentWidget(self.scroll)
        if self._fit_width:
            self._zoom = self._fit_zoom()
        self._lay_out()
        if keep_scroll:
            self.scroll.verticalScrollBar().setValue(position)
        else:
            self.scroll.verticalScrollBar().setValue(0)
        self._update_controls()
        self._schedule_render()

    def _on_open_failed(self, exc: object) -> None:
        if self.sender() is not self._open_worker:
            return
        self._open_worker = None
        self.show_message("Документ не показан из-за внутренней ошибки программы.")
        if isinstance(exc, BaseException):
            report_failure(self, exc, "Документ не показан")

    # --- zoom and layout ----------------------------------------------------------------------------
    def _page_pixels(self, index: int, zoom: float | None = None) -> QSize:
        width_pt, height_pt = self._points[index]
        factor = (self._zoom if zoom is None else zoom) * SCREEN_DPI / POINTS_PER_INCH
        return QSize(max(1, round(width_pt * factor)), max(1, round(height_pt * factor)))

    def _target_width(self, index: int) -> int:
        """The rendered image's width in device pixels."""
        return max(1, round(self._page_pixels(index).width() * self.devicePixelRatioF()))

    def _fit_zoom(self) -> float:
        if not self._points:
            return self._zoom
        widest = max(width for width, _height in self._points) * SCREEN_DPI / POINTS_PER_INCH
        bar = self.scroll.verticalScrollBar()
        room = self.scroll.viewport().width() - 2 * PAGE_MARGIN
        if not bar.isVisible():
            room -= self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        return min(MAX_ZOOM, max(MIN_ZOOM, room / max(widest, 1.0)))

    def _set_zoom(self, zoom: float) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if abs(zoom - self._zoom) < 1e-4:
            self._update_controls()
            return
        bar = self.scroll.verticalScrollBar()
        height = max(1, self.canvas.height())
        centre = (bar.value() + self.scroll.viewport().height() / 2) / height
        self._zoom = zoom
        self._images.clear()  # other zoom: dropped (memory), re-rendered for the new one
        self._stale.clear()
        self._lay_out()
        bar.setValue(round(centre * self.canvas.height() - self.scroll.viewport().height() / 2))
        self._update_controls()
        self._schedule_render()

    def _on_fit_toggled(self, checked: bool) -> None:
        self._fit_width = checked
        if checked:
            self._apply_fit()

    def _apply_fit(self) -> None:
        if self._fit_width and self._points:
            self._set_zoom(self._fit_zoom())

    def viewport_resized(self) -> None:
        if self._fit_width:
            self._fit_timer.start()
        self._schedule_render()

    def _lay_out(self) -> None:
        self.canvas.set_sizes([self._page_pixels(i) for i in range(len(self._points))])

    def _update_controls(self) -> None:
        has_pages = self.page_count > 0
        for widget in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            widget.setEnabled(has_pages)
        self.zoom_in_button.setEnabled(has_pages and self._zoom < MAX_ZOOM - 1e-4)
        self.zoom_out_button.setEnabled(has_pages and self._zoom > MIN_ZOOM + 1e-4)
        self.zoom_label.setText(f"{round(self._zoom * 100)} %" if has_pages else "")
        self.page_label.setText(f"Стр. {self.current_page()} из {self.page_count}" if has_pages else "")

    def _on_scrolled(self, _value: int) -> None:
        self._update_controls()
        self._schedule_render()

    # --- rendering ----------------------------------------------------------------------------------
    def _visible_pages(self) -> range:
        top = self.scroll.verticalScrollBar().value()
        return self.canvas.pages_between(top, top + max(self.scroll.viewport().height(), 1))

    def _schedule_render(self) -> None:
        if self._data is not None and self._points:
            self._render_timer.start()

    def _start_render(self) -> None:
        if self._render_worker is not None or self._data is None or not self._points:
            return  # the running job reschedules when it is done
        visible = self._visible_pages()
        count = len(self._points)
        keep = range(max(0, visible.start - KEEP), min(count, visible.stop + KEEP))
        for index in [i for i in self._images if i not in keep]:
            del self._images[index]
        for index in [i for i in self._stale if i not in keep]:
            del self._stale[index]
        wanted = list(visible)
        for distance in range(1, PREFETCH + 1):
            wanted += [i for i in (visible.start - distance, visible.stop - 1 + distance) if 0 <= i < count]
        requests = []
        for index in wanted:
            width = self._target_width(index)
            image = self._images.get(index)
            if (image is None or image.width() != width) and (index, width) not in requests:
                requests.append((index, width))
        if not requests:
            return
        worker = self.jobs.start(
            partial(_render_job, self._data, requests[:BATCH]),
            title="Просмотр документа",
            show_progress=False,
        )
        self._render_worker = worker
        worker.finished.connect(self._on_rendered)
        worker.failed.connect(self._on_render_failed)
        worker.cancelled.connect(self._on_render_cancelled)

    def _on_rendered(self, result: object) -> None:
        if self.sender() is not self._render_worker:
            return  # stale: another document or zoom
        self._render_worker = None
        assert isinstance(result, list)
        dpr = self.devicePixelRatioF()
        for index, image in result:
            if index < len(self._points) and image.width() == self._target_width(index):
                image.setDevicePixelRatio(dpr)
                self._images[index] = image
                self._stale.pop(index, None)
        self.canvas.update()
        self._schedule_render()

    def _on_render_failed(self, exc: object) -> None:
        if self.sender() is not self._render_worker:
            return
        self._render_worker = None
        message = exc.message if isinstance(exc, AppError) else BROKEN_PDF
        self._forget_document()
        self.show_message(message)

    def _on_render_cancelled(self) -> None:
        if self.sender() is self._render_worker:
            self._render_worker = None


# --- printing ----------------------------------------------------------------------------------------
def _page_layout(width_pt: float, height_pt: float) -> QPageLayout:
    """The sheet for a page: its standard size (A4 whichever way it lies), no margins."""
    landscape = width_pt > height_pt
    short, long = sorted((width_pt, height_pt))
    size = QPageSize(QSizeF(short, long), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))


def _apply_layout(printer: QPrinter, layout: QPageLayout) -> None:
    if not printer.setPageLayout(layout):
        # Some printers refuse margins below their own: then keep theirs, set size and orientation.
        printer.setPageSize(layout.pageSize())
        printer.setPageOrientation(layout.orientation())


def print_job(
    printer: QPrinter, pdf: bytes, pages: Sequence[int] | None = None, *, max_dpi: int = PRINT_MAX_DPI
) -> Job[int]:
    """Print `pages` (1-based; None: all) of `pdf` on `printer`; returns the number printed."""
    with PDFIUM_LOCK:
        document = _open_document(pdf)
        sizes = _sizes(document)
    painter = QPainter()
    try:
        numbers = [
            n for n in (pages if pages is not None else range(1, len(sizes) + 1)) if 1 <= n <= len(sizes)
        ]
        if not numbers:
            raise AppError(f"Нет страниц для печати: в документе {len(sizes)} стр.")
        printer.setFullPage(True)
        for done, number in enumerate(numbers):
            yield Progress(done, len(numbers), f"Печать: страница {done + 1} из {len(numbers)}…")
            width_pt, height_pt = sizes[number - 1]
            _apply_layout(printer, _page_layout(width_pt, height_pt))
            if done == 0:
                if not painter.begin(printer):
                    raise AppError("Печать не началась: принтер недоступен или файл для печати не создаётся.")
            elif not printer.newPage():
                raise AppError("Печать прервана: принтер не принял следующую страницу.")
            sheet = printer.pageLayout().fullRectPixels(printer.resolution())
            painter.setViewport(sheet)
            painter.setWindow(sheet)
            dpi = min(printer.resolution(), max_dpi)
            image = render_page(document, number - 1, max(1, round(width_pt / POINTS_PER_INCH * dpi)))
            target = QSizeF(image.size()).scaled(QSizeF(sheet.size()), Qt.AspectRatioMode.KeepAspectRatio)
            left = sheet.left() + (sheet.width() - target.width()) / 2
            top = sheet.top() + (sheet.height() - target.height()) / 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(QRectF(left, top, target.width(), target.height()), image)
        yield Progress(len(numbers), len(numbers), "Печать завершается…")
        if not painter.end():
            raise AppError("Печать не завершена: принтер не принял документ.")
        return len(numbers)
    except BaseException:
        if painter.isActive():
            printer.abort()
            painter.end()
        raise
    finally:
        with PDFIUM_LOCK:
            document.close()


def print_to(printer: QPrinter, pdf: bytes, first: int = 1, last: int = 0) -> int:
    """Print pages `first`…`last` (0: to the end) on `printer` here and now; the testable core of
    `print_pdf`. Returns the number of pages printed."""
    pages = None
    if first > 1 or last > 0:
        end = last if last > 0 else 10**6
        pages = range(max(1, first), end + 1)
    return run_job(print_job(printer, pdf, pages))


def selected_pages(printer: QPrinter, count: int) -> list[int] | None:
    """The pages chosen in the print dialog (1-based), or None for all of them."""
    if printer.printRange() != QPrinter.PrintRange.PageRange:
        return None
    ranges = printer.pageRanges()
    if not ranges.isEmpty():
        return [n for n in range(1, count + 1) if ranges.contains(n)]
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 and last <= 0:
        return None
    return list(range(max(1, first), (last if last > 0 else count) + 1))


def print_pdf(
    parent: QWidget | None, pdf: bytes, title: str, *, jobs: JobRunner | None = None
) -> QPrintDialog | None:
    """Ask for the printer and the pages (a window-modal dialog, opened with `open()`), then print
    on a worker. Returns the dialog (None if the PDF cannot be read: a message says why)."""
    try:
        sizes = pdf_page_sizes(pdf)
    except AppError as exc:
        show_error(parent, exc.message, "Печать")
        return None
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setCreator("«Опора»")
    printer.setFullPage(True)
    _apply_layout(printer, _page_layout(*sizes[0]))
    printer.setFromTo(1, len(sizes))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Печать: {title}" if title else "Печать")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
    dialog.setMinMax(1, len(sizes))
    runner = jobs or _jobs_for(parent)

    def start(result: int) -> None:
        if result != QDialog.DialogCode.Accepted.value:
            return
        pages = selected_pages(printer, len(sizes))
        worker = runner.start(
            partial(print_job, printer, pdf, pages),
            title="Печать",
            label=f"Печать «{title}»…" if title else "Печать…",
            progress_parent=parent,
        )
        # The printer lives as long as the job's factory (held by the runner until it is done).
        worker.finished.connect(lambda count: status_message(parent, f"Отправлено на печать: {count} стр."))
        worker.failed.connect(lambda exc: report_failure(parent, exc, "Печать не выполнена"))
        worker.cancelled.connect(lambda: status_message(parent, "Печать отменена."))

    dialog.finished.connect(start)  # once; `accepted` comes twice, with and without the printer
    _keep_open(dialog, parent)
    QDialog.open(dialog)  # QPrintDialog.open() in PySide is only the (receiver, slot) overload
    return dialog


# --- saving, exporting, opening ---------------------------------------------------------------------
def suggested_file_name(
    kind_label: str, number: str, date_text: str, title: str, suffix: str = ".pdf"
) -> str:
    """«Приказ № 149 от 27.08.2020.pdf»; a draft without number and date is named by its title.
    Characters Windows forbids go («/» in a number becomes «-»)."""
    parts = [kind_label.strip() or "Документ"]
    if number.strip():
        parts.append(f"№ {number.strip()}")
    if date_text.strip():
        parts.append(f"от {date_text.strip()}")
    if len(parts) == 1:
        short = " ".join(title.split())
        if len(short) > 80:
            short = short[:79].rstrip() + "…"
        parts.append(f"(проект) {short}" if short else "(проект)")
    return safe_file_name(" ".join(parts)) + suffix


def safe_file_name(stem: str) -> str:
    """A file name (without extension) Windows accepts: no \\/:*?"<>|, no control characters, no
    trailing dot or space, not a reserved device name, at most 150 characters."""
    text = " ".join(stem.replace("/", "-").replace("\\", "-").split())
    text = _FORBIDDEN.sub("", text).replace('"', "")
    text = " ".join(text.split())[:150].rstrip(" .")
    if not text or _RESERVED.match(text):
        text = f"Документ {text}".strip()
    return text


def _keep_open(dialog: QDialog, parent: QWidget | None) -> None:
    """Keep a dialog alive while it is open: its parent owns it (deleted on close); a parentless
    one is held here and released from the event loop after it closes."""
    if parent is not None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return
    _parentless.append(dialog)

    def release(_result: int = 0) -> None:
        QTimer.singleShot(0, lambda: _parentless.remove(dialog) if dialog in _parentless else None)

    dialog.finished.connect(release)


_parentless: list[QDialog] = []
_default_jobs: JobRunner | None = None


def _jobs_for(parent: QWidget | None) -> JobRunner:
    """The window's `JobRunner` (MainWindow.jobs), else one for the whole application."""
    global _default_jobs
    widget: QObject | None = parent
    while widget is not None:
        jobs = getattr(widget, "jobs", None)
        if isinstance(jobs, JobRunner):
            return jobs
        widget = widget.parent()
    if _default_jobs is None:
        _default_jobs = JobRunner(QCoreApplication.instance())
    return _default_jobs


def _save_dialog(parent: QWidget | None, caption: str, suggested_name: str, file_filter: str) -> QFileDialog:
    folder = remembered_folder(FOLDER_KEY)
    dialog = QFileDialog(parent, caption, folder, file_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(Path(suggested_name).suffix.lstrip("."))
    dialog.selectFile(suggested_name)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Сохранить")
    dialog.setLabelText(QFileDialog.DialogLabel.Reject, "Отмена")
    dialog.setLabelText(QFileDialog.DialogLabel.FileName, "Имя файла:")
    dialog.setLabelText(QFileDialog.DialogLabel.FileType, "Тип файла:")
    dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "Папка:")
    _keep_open(dialog, parent)
    return dialog


def _with_suffix(name: str, suffix: str) -> Path:
    path = Path(name)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def save_pdf_as(parent: QWidget | None, pdf: bytes, suggested_name: str) -> QFileDialog:
    """«Сохранить как…» for a PDF: the dialog (opened, window-modal) in the folder used last."""
    dialog = _save_dialog(
        parent, "Сохранить PDF", safe_file_name(Path(suggested_name).stem) + ".pdf", PDF_FILTER
    )
    dialog.fileSelected.connect(lambda name: write_pdf(parent, pdf, _with_suffix(name, ".pdf")))
    dialog.open()
    return dialog


def write_pdf(parent: QWidget | None, pdf: bytes, path: Path) -> Path | None:
    """Write `pdf` to `path` (through a temporary file) and say so; a Russian message on failure."""
    from app.exporting.files import check_target, write_atomically

    try:
        path = check_target(Path(path), (".pdf",), "Документ сохраняется")
        write_atomically(path, lambda name: Path(name).write_bytes(pdf))
    except AppError as exc:
        show_error(parent, exc.message, "Документ не сохранён")
        return None
    QSettings().setValue(FOLDER_KEY, str(path.parent))
    show_file_saved(parent, "Документ сохранён", f"Документ сохранён в файл «{path}».", path)
    return path


def _docx_job(document: object, path: Path) -> Job[Path]:
    yield Progress(0, 0, f"Запись файла «{path.name}»…")
    from app.exporting.order_docx import write_order_docx

    write_order_docx(document, path)  # type: ignore[arg-type]
    return path


class _DocxExport(QObject):
    """One export to Word: the job on a worker, then «saved» or the reason it failed."""

    def __init__(self, owner: QObject, parent_widget: QWidget | None, jobs: JobRunner) -> None:
        super().__init__(owner)
        self.parent_widget = parent_widget
        self.jobs = jobs

    def start(self, document: object, path: Path) -> Worker:
        QSettings().setValue(FOLDER_KEY, str(path.parent))
        worker = self.jobs.start(
            partial(_docx_job, document, path),
            title="Выгрузка в Word",
            label=f"Запись файла «{path.name}»…",
            progress_parent=self.parent_widget,
        )
        worker.finished.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        return worker

    def _on_done(self, path: object) -> None:
        show_file_saved(self.parent_widget, "Выгрузка в Word", f"Документ сохранён в файл «{path}».", path)
        self.deleteLater()

    def _on_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        if isinstance(exc, OSError) and not isinstance(exc, AppError):
            show_error(self.parent_widget, f"Файл Word не сохранён: {os_reason(exc)}.", "Выгрузка в Word")
        else:
            report_failure(self.parent_widget, exc, "Файл Word не сохранён")
        self.deleteLater()

    def _on_cancelled(self) -> None:
        status_message(self.parent_widget, "Выгрузка отменена, файл не создан.")
        self.deleteLater()


def export_docx(
    parent: QWidget | None, document: object, suggested_name: str, *, jobs: JobRunner | None = None
) -> QFileDialog:
    """«Сохранить в Word…»: asks for the file, then writes the `OrderDocument` on a worker."""
    runner = jobs or _jobs_for(parent)
    name = safe_file_name(Path(suggested_name).stem) + ".docx"
    dialog = _save_dialog(parent, "Сохранить в Word", name, DOCX_FILTER)
    dialog.fileSelected.connect(
        lambda chosen: write_docx(parent, document, _with_suffix(chosen, ".docx"), jobs=runner)
    )
    dialog.open()
    return dialog


def write_docx(
    parent: QWidget | None, document: object, path: Path, *, jobs: JobRunner | None = None
) -> Worker:
    """Write the .docx to `path` on a worker; a message says where it went or why it did not."""
    runner = jobs or _jobs_for(parent)
    flow = _DocxExport(parent if parent is not None else runner, parent, runner)
    return flow.start(document, Path(path))


def viewer_folder() -> Path:
    from app.paths import data_dir

    return data_dir() / VIEWER_FOLDER


def _clean_viewer_folder(folder: Path) -> None:
    """Copies older than a week go (one still open in a viewer stays: the removal fails quietly)."""
    limit = time.time() - VIEWER_KEEP_DAYS * 86400
    for path in folder.glob("*.pdf"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def write_viewer_copy(pdf: bytes, name: str) -> Path:
    """The PDF written under a readable name in the viewer folder; a copy still open (locked on
    Windows) is left alone and the next free name «… (2).pdf» is used."""
    folder = viewer_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"Не удалось создать папку «{folder}»: {os_reason(exc)}.") from exc
    _clean_viewer_folder(folder)
    stem = safe_file_name(Path(name).stem if name.lower().endswith(".pdf") else name)
    for attempt in range(1, 100):
        path = folder / (f"{stem}.pdf" if attempt == 1 else f"{stem} ({attempt}).pdf")
        try:
            if path.exists() and path.read_bytes() == pdf:
                return path
            temp = path.with_name(f".{os.getpid()}-{attempt}.tmp")
            temp.write_bytes(pdf)
            os.replace(temp, path)
            return path
        except OSError:
            continue
    raise AppError(f"Не удалось записать документ в папку «{folder}»: все имена заняты открытыми файлами.")


def open_in_viewer(parent: QWidget | None, pdf: bytes, name: str) -> Path | None:
    """Open the PDF in the system's viewer (a copy in the data folder); if no viewer opens, a
    message says where the file is."""
    try:
        path = write_viewer_copy(pdf, name)
    except AppError as exc:
        show_error(parent, exc.message, "Документ не открыт")
        return None
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        show_info(
            parent,
            f"Программа для просмотра PDF не открылась. Документ сохранён в файл «{path}» — "
            "откройте его вручную или установите программу для просмотра PDF.",
            "Документ не открыт",
        )
    return path
