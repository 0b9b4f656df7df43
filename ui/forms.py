"""Form helpers shared by the dialogs: a field with its error message, shown the same way everywhere.

A field that failed validation gets a red border and the service's message right under it; the
message disappears as soon as the user edits the field again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

ERROR_STYLE = "color: #b71c1c;"
INVALID_STYLE = "border: 1px solid #c62828; border-radius: 2px;"


class FieldBox(QWidget):
    """An editor with an error label under it."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        signal = _edit_signal(editor)
        if signal is not None:
            signal.connect(self.clear_error)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.editor.setStyleSheet(f"{type(self.editor).__name__} {{ {INVALID_STYLE} }}")
        self.editor.setProperty("invalid", True)
        # After the pending layout requests: redone now, the form would still use stale heights.
        QTimer.singleShot(0, self, self._relayout)

    def clear_error(self, *_args: object) -> None:
        if self.error.isHidden():
            return
        self.error.clear()
        self.error.hide()
        self.editor.setStyleSheet("")
        self.editor.setProperty("invalid", False)
        QTimer.singleShot(0, self, self._relayout)

    def _relayout(self) -> None:
        """Make the form give the message its room.

        QFormLayout caches the heights of rows whose fields wrap text; showing the message does
        not clear that cache, and the message would be drawn under the field. The form's own
        layout is redone at once; the windows and scroll areas above follow its new minimum.
        """
        own = self.layout()
        if own is not None:
            own.invalidate()
        self.updateGeometry()
        form = self.parentWidget()
        layout = form.layout() if form is not None else None
        if layout is not None:
            layout.invalidate()
            layout.activate()

    def has_error(self) -> bool:
        return not self.error.isHidden()

    def error_text(self) -> str:
        return self.error.text() if self.has_error() else ""


def _edit_signal(editor: QWidget) -> object | None:
    """The signal that means «the user changed this field»."""
    if isinstance(editor, QLineEdit):
        return editor.textEdited
    if isinstance(editor, QPlainTextEdit):
        return editor.textChanged
    if isinstance(editor, QComboBox):
        return editor.activated
    return None


def plain_text(editor: QObject) -> str:
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, QLineEdit):
        return editor.text()
    raise TypeError(type(editor).__name__)
