"""The baseline of the start-up benchmark: an empty PySide6 main window and nothing else.

It reports its first paint exactly as «Опора» does with OPORA_BENCH_PAINTED=1 (ui/application.py):
once the window's first paint event has been handled it prints the seconds since the operating
system started the process, then quits. So both numbers include the interpreter's own start-up,
and the ratio shows what «Опора» adds on top of Qt: its modules, the database, the registry.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bare_window.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

_IMPORTED_AT = time.perf_counter()


def process_age() -> float:
    """Seconds since the process started (the same clock as ui.application.process_age)."""
    if sys.platform.startswith("linux"):
        try:
            stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
            started = int(stat[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time in clock ticks
            return time.clock_gettime(time.CLOCK_BOOTTIME) - started
        except (OSError, ValueError, IndexError):
            pass
    elif sys.platform == "win32":
        try:
            import ctypes
            from ctypes import wintypes

            created, exited, kernel, user, now = (wintypes.FILETIME() for _ in range(5))
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.GetProcessTimes(
                kernel32.GetCurrentProcess(),
                ctypes.byref(created),
                ctypes.byref(exited),
                ctypes.byref(kernel),
                ctypes.byref(user),
            )
            kernel32.GetSystemTimePreciseAsFileTime(ctypes.byref(now))

            def ticks(value: wintypes.FILETIME) -> int:
                return (value.dwHighDateTime << 32) | value.dwLowDateTime

            return (ticks(now) - ticks(created)) / 10_000_000
        except (OSError, AttributeError):
            pass
    return time.perf_counter() - _IMPORTED_AT


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaintProbe(QObject):
        def __init__(self, watched: QMainWindow) -> None:
            super().__init__(watched)
            self._fired = False
            watched.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self._fired:
                self._fired = True
                QTimer.singleShot(0, self._report)  # after this paint event has been handled
            return False

        def _report(self) -> None:
            print(f"{process_age():.3f}", flush=True)
            QApplication.quit()

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Опора — пустое окно")
    window.resize(1320, 820)  # the main window's default size
    FirstPaintProbe(window)
    window.show()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
