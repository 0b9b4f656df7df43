"""Emitting and disconnecting Qt signals from Python without corrupting `True` and `False`.

PySide6 6.12.0's `SignalInstance.emit()` and `.disconnect()` return `True`/`False` without taking
a reference to it, so every call steals one reference from the interpreter's `True` (or `False`).
After a few hundred keystrokes' worth of signals the count reaches zero and the process dies with
«Fatal Python error: bool_dealloc». The defect is probed once at import; when present, `emit` and
`disconnect` here give the stolen reference back. With a fixed PySide they are plain calls.

Use `emit(self.changed, value)` instead of `self.changed.emit(value)` everywhere in `ui/`.
"""

from __future__ import annotations

import ctypes
import sys
import warnings
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(4):
        probe.ping.emit()
    stolen = before - sys.getrefcount(True)
    for _ in range(max(stolen, 0)):  # repair the probe's own damage
        _incref(True)
    return stolen == 4


STEALS_BOOL_REFERENCE = _emit_steals_a_reference()


def _give_back(result: object) -> None:
    if STEALS_BOOL_REFERENCE and isinstance(result, bool):
        _incref(result)


def emit(signal: Any, *args: object) -> None:
    """`signal.emit(*args)`, safe on PySide6 6.12.0 (any thread: ctypes holds the GIL)."""
    _give_back(signal.emit(*args))


def disconnect(signal: Any, slot: Callable[..., object] | None = None) -> None:
    """`signal.disconnect(slot)` (or all), safe on PySide6 6.12.0; no error if not connected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # «Failed to disconnect»: nothing to do
        try:
            result = signal.disconnect(slot) if slot is not None else signal.disconnect()
        except (RuntimeError, TypeError):
            return
    _give_back(result)


# --- None ------------------------------------------------------------------------------------
# PySide6 6.12.0 loses a reference to `None` on every call that returns it to Python.
#
# Every void method (`painter.fillRect(…)`, `label.setText(…)`) and every invalid QVariant
# (`index.data(role)` with nothing there, `QComboBox.currentData()` of an item without data) hands
# Python a `None` without taking a reference for it, so each call steals one from the interpreter.
# A Gantt table paints a few hundred cells per frame, ten calls each: after a few seconds of
# scrolling the count reaches zero and the process dies with «Fatal Python error: none_dealloc».
#
# Python 3.12 makes `None` immortal; on 3.11 the same is done here, once, by raising its reference
# count far beyond anything the defect can steal (2**40 calls). Nothing else changes: an object's
# reference count that is too high only means it is never freed, and `None` never is anyway. The
# defect is probed first; with a fixed PySide or Python 3.12+ this does nothing. It runs when this
# module is first imported, i.e. before the first window is built.

_MARGIN = 1 << 40
_done = False


def _steals_none() -> bool:
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(4):
        probe.setObjectName("probe")
    stolen = before - sys.getrefcount(None)
    if stolen > 0:  # give back the probe's own damage
        ctypes.c_ssize_t.from_address(id(None)).value += stolen
    return stolen == 4


def protect_none() -> None:
    """Make `None` effectively immortal when this PySide steals references to it (idempotent)."""
    global _done
    if _done:
        return
    _done = True
    if sys.version_info >= (3, 12) or not _steals_none():
        return
    ctypes.c_ssize_t.from_address(id(None)).value += _MARGIN


protect_none()
