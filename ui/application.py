"""Start-up of the window: QApplication, Qt's Russian translations, the excepthook, the database.

`run_gui` opens the database (offering another file when one is refused, never overwriting it),
shows the first-run dialog for an empty database, then the main window. With
OPORA_BENCH_PAINTED=1 it prints the seconds since the process started once the main window has
been painted, and quits: the start-up benchmark runs it that way.

Only Qt and the light services are imported here; pandas, sqlite_utils and openpyxl stay off the
start-up path (the import and export code is imported when first used).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from app.errors import AppError
from app.paths import default_database_path, log_dir
from db.connection import Database, open_database
from db.errors import DatabaseError
from ui.main_window import MainWindow, icon
from ui.messages import show_error
from ui.startup import DATABASE_FILTER, needs_first_run

_IMPORTED_AT = time.perf_counter()
log = logging.getLogger("opora")


# --- the process clock, for the start-up benchmark -------------------------------------------------
def process_age() -> float:
    """Seconds since the operating system started this process (interpreter start-up included)."""
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


class _FirstPaintProbe(QObject):
    """Prints the process age after the watched widget's first paint, then quits (benchmark)."""

    def __init__(self, watched: QWidget) -> None:
        super().__init__(watched)
        self._fired = False
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._fired:
            self._fired = True
            # After this paint event has been handled, not before it.
            QTimer.singleShot(0, self, self._report)
        return False

    def _report(self) -> None:
        print(f"{process_age():.3f}", flush=True)
        QApplication.quit()


# --- logging and unexpected errors ----------------------------------------------------------------
def log_file() -> Path:
    return log_dir() / "opora.log"


LOG_LIMIT_BYTES = 1_000_000


def setup_logging() -> None:
    # A plain FileHandler, rotated here once per start: logging.handlers would pull socket,
    # pickle and queue into the start-up path.
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        path = log_file()
        if path.exists() and path.stat().st_size > LOG_LIMIT_BYTES:
            path.replace(path.with_suffix(".log.1"))
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


_showing_error = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log anything unexpected and tell the user in Russian, instead of letting the window vanish."""
    global _showing_error
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    try:
        if not log.handlers:
            setup_logging()
        log.error("Необработанное исключение:\n%s", details)
    except Exception:  # logging must never make things worse
        pass
    print(details, file=sys.__stderr__)
    if QApplication.instance() is None or _showing_error:
        return  # a cascade of errors: one message at a time is enough
    if isinstance(exc, AppError | DatabaseError):
        text = exc.message
    else:
        text = (
            "Внутренняя ошибка программы: действие не выполнено. Данные, сохранённые раньше, не потеряны, "
            "программа продолжает работу.\n\n"
            f"Подробности записаны в журнал «{log_file()}». Пожалуйста, передайте этот файл разработчикам."
        )
    _showing_error = True
    box = show_error(QApplication.activeWindow(), text, "Непредвиденная ошибка", details=details)
    box.finished.connect(_error_box_closed)


def _error_box_closed(_result: int) -> None:
    global _showing_error
    _showing_error = False


def install_excepthook() -> None:
    sys.excepthook = excepthook


# --- the application -------------------------------------------------------------------------------
def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("Opora")
    app.setApplicationName("Opora")
    app.setWindowIcon(icon("opora"))
    install_translations(app)
    return app


def install_translations(app: QApplication) -> bool:
    """Qt's own Russian strings (standard buttons, file dialogs, context menus of text fields)."""
    QLocale.setDefault(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_ru", folder):
        app.installTranslator(translator)
        return True
    log.warning("Русский перевод Qt (qtbase_ru.qm) не найден в %s", folder)
    return False


class ApplicationController(QObject):
    """Owns the open database and its main window; opening another file replaces both."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.window: MainWindow | None = None
        self.database: Database | None = None

    # --- opening files ---------------------------------------------------------------------------
    def start(self, path: Path | None) -> bool:
        if path is None:
            path = self._last_database() or default_database_path()
            path.parent.mkdir(parents=True, exist_ok=True)
        database = self.open_interactively(path, None)
        return database is not None and self.show_database(database)

    @staticmethod
    def _last_database() -> Path | None:
        value = QSettings().value("last_database")
        if isinstance(value, str) and value and Path(value).is_file():
            return Path(value)
        return None

    def open_interactively(self, path: Path, parent: QWidget | None) -> Database | None:
        """Open `path`; when it is refused, say why and offer another file (None: the user gave up)."""
        while True:
            try:
                return open_database(path)
            except DatabaseError as exc:
                log.warning("База данных не открыта: %s", exc.message)
                chosen = self._ask_for_another_file(exc.message, path, parent)
                if chosen is None:
                    return None
                path = chosen

    def _ask_for_another_file(self, message: str, path: Path, parent: QWidget | None) -> Path | None:
        box = QMessageBox(QMessageBox.Icon.Warning, "База данных не открыта", message, parent=parent)
        box.setInformativeText("Выберите другой файл базы данных или создайте новую базу.")
        other = box.addButton("Выбрать другой файл…", QMessageBox.ButtonRole.AcceptRole)
        new = box.addButton("Создать новую базу…", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Отмена" if self.window else "Выход", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        folder = str(path.parent if path.parent.exists() else Path.home())
        if box.clickedButton() is other:
            name, _ = QFileDialog.getOpenFileName(parent, "Открыть базу данных", folder, DATABASE_FILTER)
            return Path(name) if name else self._ask_for_another_file(message, path, parent)
        if box.clickedButton() is new:
            name, _ = QFileDialog.getSaveFileName(
                parent,
                "Создать базу данных",
                str(Path(folder) / "Новая база.sqlite"),
                DATABASE_FILTER,
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
            return Path(name) if name else self._ask_for_another_file(message, path, parent)
        return None

    def show_database(self, database: Database) -> bool:
        """First-run dialog when the database is empty, then a main window for it."""
        if needs_first_run(database):
            from ui.first_run import FirstRunChoice, FirstRunDialog

            dialog = FirstRunDialog(database, self.window)
            dialog.exec()
            if dialog.choice is FirstRunChoice.OPEN_FILE and dialog.chosen_file is not None:
                other = self.open_interactively(dialog.chosen_file, self.window)
                if other is not None:
                    database.close()
                    return self.show_database(other)
        previous, previous_database = self.window, self.database
        if previous is not None:
            previous.save_settings()
        window = MainWindow(database)
        window.open_database_requested.connect(self.switch_to)
        window.create_database_requested.connect(self.switch_to)
        self.window, self.database = window, database
        if os.environ.get("OPORA_BENCH_PAINTED") == "1":
            _FirstPaintProbe(window)
        window.show()
        if previous is not None:
            previous.close()
            previous.deleteLater()
        if previous_database is not None:
            previous_database.close()
        QSettings().setValue("last_database", str(database.path))
        log.info("Открыта база данных %s", database.path)
        return True

    def switch_to(self, path: Path) -> None:
        if self.database is not None and path.resolve() == self.database.path.resolve():
            return
        if path.exists() and self.window is not None and path.stat().st_size > 0:
            self.window.statusBar().showMessage(f"Открывается «{path.name}»…")
        database = self.open_interactively(path, self.window)
        if database is not None:
            self.show_database(database)

    def shutdown(self) -> None:
        if self.database is not None:
            self.database.close()


def run_gui(db_path: Path | None) -> int:
    """Start the window; returns the process exit code."""
    setup_logging()
    app = create_application()
    install_excepthook()
    controller = ApplicationController(app)
    try:
        started = controller.start(db_path)
    except Exception as exc:  # a failure before the event loop: show it, do not just vanish
        log.exception("Программа не запущена")
        QMessageBox.critical(None, "«Опора» не запущена", _startup_failure_text(exc))
        return 1
    if not started:
        return 1
    code = app.exec()
    controller.shutdown()
    return int(code)


def _startup_failure_text(exc: BaseException) -> str:
    if isinstance(exc, AppError | DatabaseError):
        return exc.message
    return f"Программа не смогла запуститься. Подробности записаны в журнал «{log_file()}»."
