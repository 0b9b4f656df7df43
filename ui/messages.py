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


def show_file_saved(parent: QWidget | None, title: str, text: str, path: object) -> QMessageBox:
    """«Saved to …» with «Открыть папку» (opens the folder in the file manager) and «Закрыть»."""
    from pathlib import Path

    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    folder = Path(str(path)).parent
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    open_folder = box.addButton("Открыть папку", QMessageBox.ButtonRole.ActionRole)
    close = box.addButton("Закрыть", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(close)
    box.setEscapeButton(close)  # with two buttons of these roles Qt would pick none: Esc would do nothing
    box.buttonClicked.connect(
        lambda button: (
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))) if button is open_folder else None
        )
    )
    box.open_folder_button = open_folder  # type: ignore[attr-defined]  # for tests
    box.open()
    return box


def remembered_folder(key: str) -> str:
    """The folder a file dialog last used for `key` (QSettings), or the home folder."""
    from pathlib import Path

    from PySide6.QtCore import QSettings

    value = QSettings().value(key)
    return value if isinstance(value, str) and Path(value).is_dir() else str(Path.home())


def status_message(parent: QWidget | None, text: str, timeout_ms: int = 10000) -> None:
    """A passing message in the status bar of the window `parent` belongs to (none: ignored)."""
    from PySide6.QtWidgets import QMainWindow

    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, timeout_ms)
