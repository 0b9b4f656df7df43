"""The PDF preview (pages rendered off the UI thread, zoom, broken files), printing to a QPrinter,
saving, file names, and the partnership map as PNG for an order's appendix."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from db import Database
from ui.messages import visible_message_boxes
from ui.orders.preview import (
    PDFIUM_LOCK,
    PdfPreview,
    print_pdf,
    print_to,
    render_page,
    save_pdf_as,
    suggested_file_name,
    write_viewer_copy,
)
from ui.signals import emit


def make_pdf(orientations: str = "PLP") -> bytes:
    """A PDF with one A4 page per letter: P portrait, L landscape; each page says its number."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number, kind in enumerate(orientations, start=1):
        size = landscape(A4) if kind == "L" else A4
        pdf.setPageSize(size)
        pdf.setFont("Helvetica", 28)
        pdf.drawString(72, size[1] - 100, f"Page {number}")
        pdf.setLineWidth(4)
        pdf.rect(36, 36, size[0] - 72, size[1] - 72)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def preview(qtbot: QtBot) -> Iterator[PdfPreview]:
    widget = PdfPreview()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()
    for box in visible_message_boxes():
        box.close()


def all_rendered(preview: PdfPreview) -> bool:
    images = preview.rendered_images()
    return bool(images) and all(image is not None for image in images)


def test_pages_are_rendered_with_their_proportions(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.show_pdf(make_pdf("PLP"))
    qtbot.waitUntil(lambda: preview.page_count == 3, timeout=10000)
    qtbot.waitUntil(lambda: all_rendered(preview), timeout=10000)
    images = preview.rendered_images()
    assert len(images) == 3
    for image, landscape in zip(images, (False, True, False), strict=True):
        assert isinstance(image, QImage) and not image.isNull()
        ratio = image.width() / image.height()
        expected = 297 / 210 if landscape else 210 / 297
        assert ratio == pytest.approx(expected, rel=0.01)
    # A page is white with black text: the rendering is not an empty image.
    first = images[0]
    assert first.pixelColor(first.width() // 2, first.height() // 2).name() == "#ffffff"
    frame = [
        first.pixelColor(x, first.height() // 2).lightness()
        for x in range(first.width() * 30 // 595, first.width() * 42 // 595)
    ]
    assert min(frame) < 100  # the frame drawn 36 pt from the edge
    assert preview.page_label.text() == "Стр. 1 из 3"
    # Scrolling to the end shows the last page's number.
    bar = preview.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert preview.page_label.text() == "Стр. 3 из 3"


def test_a_broken_pdf_shows_a_message(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.show_pdf(b"%PDF-1.4 this is not really a PDF")
    qtbot.waitUntil(lambda: preview.stack.currentWidget() is preview.message_label, timeout=10000)
    qtbot.waitUntil(lambda: "повреждён" in preview.message_label.text(), timeout=10000)
    assert preview.page_count == 0
    preview.show_pdf(b"")
    qtbot.waitUntil(lambda: "повреждён" in preview.message_label.text(), timeout=10000)
    assert not visible_message_boxes()


def test_messages_and_clear(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.show_message("Документ формируется…")
    assert preview.message_label.text() == "Документ формируется…"
    assert preview.page_count == 0
    preview.show_pdf(make_pdf("P"))
    qtbot.waitUntil(lambda: preview.page_count == 1, timeout=10000)
    preview.clear()
    assert preview.page_count == 0
    assert preview.pdf is None


def test_zoom_changes_the_images(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.show_pdf(make_pdf("PL"))
    qtbot.waitUntil(lambda: preview.page_count == 2, timeout=10000)
    preview.set_zoom(0.5)
    qtbot.waitUntil(lambda: all_rendered(preview), timeout=10000)
    small = [image.width() for image in preview.rendered_images() if image is not None]
    assert not preview.fit_button.isChecked()
    assert preview.zoom_label.text() == "50 %"
    preview.set_zoom(1.0)
    # Images of the old zoom are dropped at once, new ones come from the worker.
    assert all(image is None for image in preview.rendered_images())
    qtbot.waitUntil(lambda: all_rendered(preview), timeout=10000)
    large = [image.width() for image in preview.rendered_images() if image is not None]
    for a, b in zip(small, large, strict=True):
        assert b == pytest.approx(2 * a, abs=2)
    # The zoom buttons step, «По ширине» fits the page to the window again.
    preview.zoom_by(1)
    assert preview.zoom == pytest.approx(1.2)
    # Ctrl + wheel: one notch is one step.
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    viewport = preview.scroll.viewport()
    for _ in range(2):
        event = QWheelEvent(
            QPointF(50, 50),
            QPointF(viewport.mapToGlobal(QPoint(50, 50))),
            QPoint(0, 0),
            QPoint(0, -60),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.ControlModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)
    assert preview.zoom == pytest.approx(1.0)
    preview.fit_width()
    width = preview.scroll.viewport().width()
    qtbot.waitUntil(lambda: abs(preview.canvas.sizes[1].width() - (width - 40)) < 30, timeout=5000)


def test_a_newer_document_drops_the_older_rendering(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.show_pdf(make_pdf("PPPPPP"))
    preview.show_pdf(make_pdf("L"))
    qtbot.waitUntil(lambda: preview.page_count == 1, timeout=10000)
    qtbot.waitUntil(lambda: all_rendered(preview), timeout=10000)
    qtbot.wait(200)
    assert preview.page_count == 1
    image = preview.rendered_images()[0]
    assert image is not None and image.width() > image.height()


def test_a_long_document_keeps_only_the_pages_near_the_view(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.show_pdf(make_pdf("P" * 30))
    qtbot.waitUntil(lambda: preview.page_count == 30, timeout=10000)
    qtbot.waitUntil(lambda: preview.rendered_images()[0] is not None, timeout=10000)
    qtbot.wait(300)
    held = [i for i, image in enumerate(preview.rendered_images()) if image is not None]
    assert 0 in held and max(held) < 10
    bar = preview.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: preview.rendered_images()[29] is not None, timeout=10000)
    assert preview.rendered_images()[0] is None
    assert preview.page_label.text() == "Стр. 30 из 30"


def test_printing_to_a_pdf_printer_keeps_pages_and_orientations(qtbot: QtBot, tmp_path: Path) -> None:
    from pypdf import PdfReader

    target = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setResolution(100)  # quick; the page images follow the printer's resolution
    assert print_to(printer, make_pdf("PLP")) == 3
    pages = PdfReader(str(target)).pages
    assert len(pages) == 3
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pages]
    assert [w > h for w, h in sizes] == [False, True, False]
    for width, height in sizes:
        assert sorted((width, height)) == pytest.approx([595.3, 841.9], abs=2)
    # The landscape page is drawn whole and 1:1: its frame 36 pt from each edge is where it was.
    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(str(target))
        image = render_page(document, 1, 842)
        document.close()
    row = [image.pixelColor(x, image.height() // 2).lightness() for x in range(image.width())]
    dark = [x for x, value in enumerate(row) if value < 100]
    assert dark and abs(dark[0] - 36) <= 3 and abs(dark[-1] - (842 - 36)) <= 3

    # A page range: only the landscape page.
    second = tmp_path / "second.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(second))
    printer.setResolution(100)
    assert print_to(printer, make_pdf("PLP"), first=2, last=2) == 1
    (page,) = PdfReader(str(second)).pages
    assert float(page.mediabox.width) > float(page.mediabox.height)


def test_print_pdf_asks_then_prints_on_a_worker(qtbot: QtBot, tmp_path: Path) -> None:
    from pypdf import PdfReader

    parent = PdfPreview()
    qtbot.addWidget(parent)
    parent.show()
    dialog = print_pdf(parent, make_pdf("PLP"), "Приказ № 1")
    assert dialog is not None and dialog.isVisible()
    assert (dialog.minPage(), dialog.maxPage()) == (1, 3)
    printer = dialog.printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    printer.setResolution(100)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    dialog.done(1)  # «Печать», without taking the printer's settings from the dialog's widgets
    qtbot.waitUntil(lambda: not parent.jobs.is_busy() and target.exists(), timeout=20000)
    assert len(PdfReader(str(target)).pages) == 2
    parent.shutdown()


def test_print_pdf_of_a_broken_file_says_why(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    assert print_pdf(parent, b"nonsense", "x") is None
    boxes = visible_message_boxes()
    assert len(boxes) == 1 and "повреждён" in boxes[0].text()
    boxes[0].close()


def test_printing_a_broken_pdf_says_why(tmp_path: Path) -> None:
    from app.errors import AppError

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "x.pdf"))
    with pytest.raises(AppError, match="повреждён"):
        print_to(printer, b"not a pdf")


def test_suggested_file_names() -> None:
    assert suggested_file_name("Приказ", "149", "27.08.2020", "О чём-то") == "Приказ № 149 от 27.08.2020.pdf"
    name = suggested_file_name("Распоряжение", '01-10/142:*?"<>|\\', "17.09.2021", "")
    assert not set(name) & set('\\/:*?"<>|')
    assert name.startswith("Распоряжение № 01-10-142") and name.endswith(" от 17.09.2021.pdf")
    draft = suggested_file_name("Приказ", "", "", 'О создании "рабочей группы"?')
    assert draft == "Приказ (проект) О создании рабочей группы.pdf"
    assert suggested_file_name("Приказ", "5", "", "", ".docx") == "Приказ № 5.docx"


def test_save_pdf_as_writes_the_chosen_file(qtbot: QtBot, tmp_path: Path) -> None:
    parent = PdfPreview()
    qtbot.addWidget(parent)
    pdf = make_pdf("P")
    dialog = save_pdf_as(parent, pdf, "Приказ № 1 от 01.09.2020.pdf")
    assert dialog.isVisible()
    target = tmp_path / "Приказ № 1"
    emit(dialog.fileSelected, str(target))
    dialog.close()
    assert (tmp_path / "Приказ № 1.pdf").read_bytes() == pdf
    boxes = visible_message_boxes()
    assert any("сохранён" in box.text() for box in boxes)
    for box in boxes:
        box.close()
    parent.shutdown()


def test_viewer_copy_has_a_readable_name(tmp_path: Path) -> None:
    pdf = make_pdf("P")
    path = write_viewer_copy(pdf, "Приказ № 149 от 27.08.2020.pdf")
    assert path.name == "Приказ № 149 от 27.08.2020.pdf"
    assert path.read_bytes() == pdf
    # The same document again: the same file; another one under that name replaces it.
    assert write_viewer_copy(pdf, "Приказ № 149 от 27.08.2020") == path
    other = make_pdf("L")
    assert write_viewer_copy(other, "Приказ № 149 от 27.08.2020").read_bytes() == other


# --- the partnership map as PNG ----------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull()
    return image.width(), image.height()


def test_map_renderer_draws_the_demo_map(qtbot: QtBot, demo_db: Database) -> None:
    from ui.orders.map_image import map_renderer

    render = map_renderer(demo_db)
    png = render(2020)
    assert png.startswith(b"\x89PNG")
    width, height = png_size(png)
    assert width / height == pytest.approx(297 / 210, rel=0.01)
    assert width > 2000  # about 200 dpi across A4
    image = QImage.fromData(png, "PNG")
    assert image.pixelColor(3, 3).name() == "#ffffff"


def test_map_renderer_from_a_worker_thread_draws_on_the_gui_thread(qtbot: QtBot, demo_db: Database) -> None:
    from PySide6.QtCore import QThread

    import ui.orders.map_image as map_image

    render = map_image.map_renderer(demo_db)
    threads: list[object] = []
    original = map_image.render_map_png

    def spy(database: Database, year: int, **kwargs: object) -> bytes:
        threads.append(QThread.currentThread())
        return original(database, year)

    map_image.render_map_png = spy  # type: ignore[assignment]
    result: list[bytes | BaseException] = []

    def work() -> None:
        try:
            result.append(render(2020))
        except BaseException as exc:
            result.append(exc)

    try:
        thread = threading.Thread(target=work)
        thread.start()
        qtbot.waitUntil(lambda: bool(result), timeout=30000)
        thread.join(5)
    finally:
        map_image.render_map_png = original  # type: ignore[assignment]
    assert isinstance(result[0], bytes) and result[0].startswith(b"\x89PNG")
    assert threads == [QThread.currentThread()]  # this test runs on the GUI thread
