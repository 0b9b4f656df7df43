"""Typing and finding windows the way a person does, safely for Cyrillic.

qtbot.keyClicks with Cyrillic characters aborts the process (QTest maps characters to key codes),
so text is sent as key events that carry the text and no key code.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)


def type_text(widget: QWidget, text: str) -> None:
    """Type `text` into the focused-or-given widget, one key press and release per character."""
    for char in text:
        # A line break is the Enter key, not a character (as in a multi-line field).
        key, typed = (Qt.Key.Key_Return, "\r") if char == "\n" else (0, char)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, typed))


def visible_windows(kind: type[W]) -> list[W]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def the_window(kind: type[W]) -> W:
    """The one visible top-level window of this kind (a dialog opened by the code under test)."""
    found = visible_windows(kind)
    assert len(found) == 1, f"expected one visible {kind.__name__}, found {len(found)}"
    return found[0]
