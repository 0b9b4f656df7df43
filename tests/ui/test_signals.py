"""PySide6 6.12.0 steals a reference to True/False on every Python-side emit; ui.signals repairs it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ui.signals import disconnect, emit

UI_DIR = Path(__file__).resolve().parents[2] / "ui"


class _Source(QObject):
    value = Signal(int)
    flag = Signal(bool)

    def slot(self, *_args: object) -> None:
        pass


def test_emit_and_disconnect_keep_the_bool_reference_counts(qapp: object) -> None:
    source = _Source()
    source.value.connect(source.slot)
    # A warm-up round: first calls may cache things (PySide's signatures) that hold a bool.
    emit(source.value, 0)
    emit(source.flag, True)
    source.flag.connect(source.slot)
    disconnect(source.flag, source.slot)
    true_before, false_before = sys.getrefcount(True), sys.getrefcount(False)
    for number in range(3000):  # more than True's whole reference count in a fresh process
        emit(source.value, number)
        emit(source.flag, number % 2 == 0)
    for _ in range(200):
        source.flag.connect(source.slot)
        disconnect(source.flag, source.slot)
    # Counted into plain ints first: pytest's assertion rewriting would hold a bool of its own.
    true_after, false_after = sys.getrefcount(True), sys.getrefcount(False)
    assert (true_after, false_after) == (true_before, false_before)


def test_disconnecting_what_is_not_connected_is_quiet(qapp: object, recwarn: object) -> None:
    source = _Source()
    disconnect(source.flag, source.slot)
    disconnect(source.value)
    assert not recwarn.list  # type: ignore[attr-defined]


def test_ui_code_never_emits_directly() -> None:
    offenders = []
    for path in UI_DIR.rglob("*.py"):
        if path.name == "signals.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.(emit|disconnect)\(", line):
                offenders.append(f"{path.relative_to(UI_DIR.parent)}:{number}: {line.strip()}")
    assert offenders == [], "use ui.signals.emit/disconnect:\n" + "\n".join(offenders)


def test_calls_returning_none_cannot_exhaust_none(qapp: object) -> None:
    """Each PySide call returning None may steal a reference; None must survive any number of them."""
    from PySide6.QtWidgets import QLabel

    import ui.signals

    ui.signals.protect_none()
    label = QLabel()
    for number in range(100_000):  # unprotected, this aborts the process with none_dealloc
        label.setText(str(number))
    assert label.text() == "99999"
