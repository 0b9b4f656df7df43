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
