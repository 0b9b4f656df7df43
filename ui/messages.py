"""Message boxes that never block the event loop, with Russian buttons whatever the translations.

Boxes are opened with `open()` (window-modal, non-blocking) and delete themselves when closed,
so a background job keeps delivering its results and tests can find and close them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

ERROR_TITLE = "Ошибка"
# A box without a parent window would be garbage-collected as soon as it is shown: keep it here
# until it is closed (pruned whenever another one opens).
_parentless: list[QMessageBox] = []


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, details: str = ""
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if parent is None:
        _parentless[:] = [b for b in _parentless if b.isVisible()]
        _parentless.append(box)
    else:
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.button(QMessageBox.StandardButton.Ok).setText("ОК")
    if details:
        box.setDetailedText(details)
    return box


def show_error(parent: QWidget | None, text: str, title: str = ERROR_TITLE, details: str = "") -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Warning, title, text, details)
    box.open()
    return box


def show_info(parent: QWidget | None, text: str, title: str = "«Опора»") -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Information, title, text)
    box.open()
    return box


def visible_message_boxes() -> list[QMessageBox]:
    """The message boxes on screen now (for the excepthook's re-entrancy guard and for tests)."""
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
