"""Start-up of the window: QApplication, Qt's Russian translations, the excepthook, the database.

`run_gui` opens the database (offering another file when one is refused, never overwriting it;
for a damaged file with a good backup, first «Восстановить из копии от …»), shows the first-run
dialog for an empty database, then the main window. Automatic backups (app/backups.py): `start` on a
worker after the window's first paint (START_BACKUP_DELAY_MS later), `daily` every 24 hours of
running, `close` at shutdown and when another file replaces this one; a failed automatic backup is
logged and said once in the status bar, never in the way of work. The window is painted
first and filled right after (the registry's rows, the icons: `MainWindow(fill_after_paint=True)`).
With OPORA_BENCH_PAINTED=1 it prints the seconds since the process started once the main window
has been painted, again once the registry's rows have been painted, and quits: the start-up
benchmark runs it that way.

Only Qt and the light services are imported here; pandas, sqlite_utils and openpyxl stay off the
start-up path (the import and export code is imported when first used), and so do the Qt classes
only needed later (message boxes, file dialogs): PySide6 builds a class's Python type, enums
included, the first time it is imported.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from app.errors import AppError
from app.paths import default_database_path, log_dir, resources_dir
from db.connection import Database, open_database
from db.errors import DatabaseError
from ui.main_window import MainWindow, icon
from ui.startup import DATABASE_FILTER, needs_first_run

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

    from app.backups import BackupInfo
    from ui.workers import JobRunner

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
    """The start-up benchmark's probe (OPORA_BENCH_PAINTED=1).

    Prints the process age after the window's first paint, exactly as bench/bare_window.py does;
    then again after the first paint of the registry table once its rows are loaded (the same
    frame when they are loaded before the first paint; the next one when they are loaded right
    after it), and quits.
    """

    def __init__(self, window: MainWindow) -> None:
        from PySide6.QtCore import QEvent

        super().__init__(window)
        self._paint = QEvent.Type.Paint
        self._window = window
        self._rows = window.registry_view.table.viewport()
        self._window_painted = False
        self._rows_painted = False
        window.installEventFilter(self)
        self._rows.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._paint:
            # After this paint event has been handled, not before it.
            if watched is self._window and not self._window_painted:
                self._window_painted = True
                QTimer.singleShot(0, self, self._report)
            elif watched is self._rows and not self._rows_painted and self._window.registry_view.is_loaded():
                self._rows_painted = True
                QTimer.singleShot(0, self, self._report_rows)
        return False

    def _report(self) -> None:
        print(f"{process_age():.3f}", flush=True)
        # For bench/run.py: splits `-X importtime` into before and after the first paint.
        print("opora-bench: first paint", file=sys.stderr, flush=True)

    def _report_rows(self) -> None:
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
    from ui.messages import show_error

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
def create_application(argv: list[str] | None = None, *, window_icon: bool = True) -> QApplication:
    """The QApplication; `window_icon=False` leaves the icon to `set_window_icon` (start-up sets it
    after the first paint: loading the SVG icon engine is start-up time)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("Opora")
    app.setApplicationName("Opora")
    # The installed menu entry (opora.desktop): a Wayland session takes the window's icon from it.
    app.setDesktopFileName("opora")
    if window_icon:
        set_window_icon(app)
    install_translations(app)
    return app


def set_window_icon(app: QApplication) -> None:
    if app.windowIcon().isNull():
        app.setWindowIcon(icon("opora"))


def install_translations(app: QApplication) -> bool:
    """Qt's own Russian strings (standard buttons, file dialogs, context menus of text fields)."""
    QLocale.setDefault(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_ru", folder):
        app.installTranslator(translator)
        # Qt 6's strings qtbase_ru lacks (the file dialog's «Look in:», «Files of type:», «Folder»):
        # installed after it, so asked first (resources/translations/opora_qt_ru.ts).
        extra = QTranslator(app)
        if extra.load("opora_qt_ru", str(resources_dir() / "translations")):
            app.installTranslator(extra)
        return True
    log.warning("Русский перевод Qt (qtbase_ru.qm) не найден в %s", folder)
    return False


_RESTORE = object()  # `_ask_for_another_file`'s answer: restore the offered backup


def _backup_job(path: Path, kind: str):  # type: ignore[no-untyped-def]  # Job[BackupResult]
    from app.backups import make_backup
    from app.jobs import Progress

    yield Progress(0, 0, "Резервная копия…")
    return make_backup(path, kind)


def _restore_job(path: Path, backup: Path):  # type: ignore[no-untyped-def]  # Job[RestoreResult]
    from app.backups import restore
    from app.jobs import Progress

    yield Progress(0, 0, f"Восстановление базы «{path.name}» из копии…")
    return restore(path, backup)


class ApplicationController(QObject):
    """Owns the open database and its main window; opening another file replaces both."""

    # The start backup waits this long after the first paint: start-up (the registry's rows) first.
    START_BACKUP_DELAY_MS = 1500
    DAILY_BACKUP_MS = 24 * 60 * 60 * 1000

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.window: MainWindow | None = None
        self.database: Database | None = None
        # Kept: a change is written to disk from the event loop (or when another QSettings goes),
        # not on the way to the first paint; every QSettings in the process sees it at once.
        self._settings = QSettings(self)
        self._backups: JobRunner | None = None  # automatic backups and restores, one at a time
        self._backup_failure_shown = False
        self._notice: str | None = None  # said once the next window is painted (a restore's result)

    # --- opening files ---------------------------------------------------------------------------
    def start(self, path: Path | None) -> bool:
        if path is None:
            path = self._last_database() or default_database_path()
            path.parent.mkdir(parents=True, exist_ok=True)
        database = self.open_interactively(path, None)
        return database is not None and self.show_database(database)

    def _last_database(self) -> Path | None:
        value = self._settings.value("last_database")
        if isinstance(value, str) and value and Path(value).is_file():
            return Path(value)
        return None

    def open_interactively(self, path: Path, parent: QWidget | None) -> Database | None:
        """Open `path`; when it is refused, say why and offer another file (None: the user gave up).

        A damaged file (or one that is no database at all, e.g. truncated) with a good backup gets
        «Восстановить из копии от …» first; the file itself is never overwritten (app.backups.restore).
        """
        restore_failed: set[Path] = set()
        while True:
            try:
                return open_database(path)
            except DatabaseError as exc:
                log.warning("База данных не открыта: %s", exc.message)
                backup = None if path in restore_failed else self._good_backup(exc, path)
                if backup is None:
                    chosen = self._ask_for_another_file(exc.message, path, parent)
                else:
                    chosen = self._ask_for_another_file(exc.message, path, parent, backup=backup)
                if chosen is _RESTORE and backup is not None:
                    if not self._restore_at_start(path, backup, parent):
                        restore_failed.add(path)
                    continue
                if not isinstance(chosen, Path):
                    return None
                path = chosen

    @staticmethod
    def _good_backup(exc: DatabaseError, path: Path) -> BackupInfo | None:
        from db.errors import CorruptDatabaseError, NotADatabaseError

        if not isinstance(exc, CorruptDatabaseError | NotADatabaseError):
            return None
        from app.backups import latest_good_backup

        try:
            return latest_good_backup(path)
        except (OSError, AppError, DatabaseError) as error:  # looking must never make things worse
            log.warning("Резервные копии «%s» не просмотрены: %s", path, error)
            return None

    def _restore_at_start(self, path: Path, backup: BackupInfo, parent: QWidget | None) -> bool:
        """Restore synchronously (no window to keep responsive yet) under a wait cursor."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication

        from app.backups import restore

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = restore(path, backup.path)
        except (AppError, DatabaseError) as exc:
            QGuiApplication.restoreOverrideCursor()
            log.warning("Восстановление из копии не выполнено: %s", exc.message)
            self._show_blocking_error(parent, exc.message, "База данных не восстановлена")
            return False
        QGuiApplication.restoreOverrideCursor()
        self._notice = result.summary()
        return True

    def _show_blocking_error(self, parent: QWidget | None, message: str, title: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.NoButton, parent
        )
        box.addButton("ОК", QMessageBox.ButtonRole.AcceptRole)
        box.exec()  # the start-up path's boxes are modal (see `_ask_for_another_file`)

    def _ask_for_another_file(
        self, message: str, path: Path, parent: QWidget | None, *, backup: BackupInfo | None = None
    ) -> Path | object | None:
        """A Path chosen, `_RESTORE` (only when `backup` was offered), or None: the user gave up."""
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        set_window_icon(self.app)
        box = QMessageBox(QMessageBox.Icon.Warning, "База данных не открыта", message, parent=parent)
        restore = None
        if backup is not None:
            restore = box.addButton(
                f"Восстановить из копии от {backup.date_label}", QMessageBox.ButtonRole.AcceptRole
            )
            box.setDefaultButton(restore)
            box.setInformativeText(
                f"Есть проверенная резервная копия от {backup.date_label} («{backup.kind_label}»). "
                "Повреждённый файл не будет удалён: он переименуется рядом. Или выберите другой файл "
                "базы данных, или создайте новую базу."
            )
        else:
            box.setInformativeText("Выберите другой файл базы данных или создайте новую базу.")
        other = box.addButton("Выбрать другой файл…", QMessageBox.ButtonRole.AcceptRole)
        new = box.addButton("Создать новую базу…", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Отмена" if self.window else "Выход", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        folder = str(path.parent if path.parent.exists() else Path.home())
        if restore is not None and box.clickedButton() is restore:
            return _RESTORE
        if box.clickedButton() is other:
            name, _ = QFileDialog.getOpenFileName(parent, "Открыть базу данных", folder, DATABASE_FILTER)
            return Path(name) if name else self._ask_for_another_file(message, path, parent, backup=backup)
        if box.clickedButton() is new:
            name, _ = QFileDialog.getSaveFileName(
                parent,
                "Создать базу данных",
                str(Path(folder) / "Новая база.sqlite"),
                DATABASE_FILTER,
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
            return Path(name) if name else self._ask_for_another_file(message, path, parent, backup=backup)
        return None

    def show_database(self, database: Database) -> bool:
        """First-run dialog when the database is empty, then a main window for it."""
        if needs_first_run(database):
            from ui.first_run import FirstRunChoice, FirstRunDialog

            set_window_icon(self.app)
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
        window = MainWindow(database, fill_after_paint=True)
        window.when_painted(lambda: set_window_icon(self.app))
        window.open_database_requested.connect(self.switch_to)
        window.create_database_requested.connect(self.switch_to)
        window.restore_backup_requested.connect(self.restore_backup)
        self.window, self.database = window, database
        if os.environ.get("OPORA_BENCH_PAINTED") == "1":
            _FirstPaintProbe(window)
        window.show()
        if previous is not None:
            previous.close()
            previous.deleteLater()
        if previous_database is not None:
            if previous_database.path.resolve() != database.path.resolve():
                self._backup_now(previous_database, "close")
            previous_database.close()
        self._settings.setValue("last_database", str(database.path))
        window.when_painted(lambda: log.info("Открыта база данных %s", database.path))
        window.when_painted(partial(self._schedule_backups, window, database))
        if self._notice is not None:
            notice, self._notice = self._notice, None
            window.when_painted(partial(self._show_notice, window, notice))
        return True

    def _show_notice(self, window: MainWindow, text: str) -> None:
        from ui.messages import show_info

        show_info(window, text, "База данных восстановлена")

    def switch_to(self, path: Path) -> None:
        if self.database is not None and path.resolve() == self.database.path.resolve():
            return
        if path.exists() and self.window is not None and path.stat().st_size > 0:
            self.window.statusBar().showMessage(f"Открывается «{path.name}»…")
        database = self.open_interactively(path, self.window)
        if database is not None:
            self.show_database(database)

    # --- automatic backups -----------------------------------------------------------------------
    def _runner(self) -> JobRunner:
        if self._backups is None:
            from ui.workers import JobRunner

            self._backups = JobRunner(self, max_threads=1)
        return self._backups

    def _schedule_backups(self, window: MainWindow, database: Database) -> None:
        """After the first paint: the start backup a little later, then one every 24 hours."""
        QTimer.singleShot(
            self.START_BACKUP_DELAY_MS, window, partial(self._automatic_backup, window, database, "start")
        )
        daily = QTimer(window)
        daily.setObjectName("daily_backup_timer")
        daily.setInterval(self.DAILY_BACKUP_MS)
        daily.timeout.connect(partial(self._automatic_backup, window, database, "daily"))
        daily.start()

    def _automatic_backup(self, window: MainWindow, database: Database, kind: str) -> None:
        if self.database is not database or self.window is not window:
            return  # another file has replaced it meanwhile (its close backup is made then)
        worker = self._runner().start(
            partial(_backup_job, database.path, kind), title="Резервная копия", show_progress=False
        )
        worker.finished.connect(partial(self._backup_done, kind))
        worker.failed.connect(partial(self._backup_failed, window, kind))

    def _backup_done(self, kind: str, result: object) -> None:
        from app.backups import KIND_LABELS, BackupResult

        if isinstance(result, BackupResult) and result.skipped:
            log.info("Резервная копия (%s) не нужна: данные те же, что в последней копии", KIND_LABELS[kind])

    def _backup_failed(self, window: MainWindow, kind: str, exc: object) -> None:
        """Logged; said once per session in the status bar; never a box in the way of work."""
        message = exc.message if isinstance(exc, AppError | DatabaseError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, AppError | DatabaseError):
            log.warning("Автоматическая резервная копия (%s) не создана: %s", kind, message)
        else:
            log.error("Автоматическая резервная копия (%s) не создана", kind, exc_info=exc)  # type: ignore[arg-type]
        if self._backup_failure_shown or window is not self.window:
            return
        self._backup_failure_shown = True
        window.statusBar().showMessage(
            f"Автоматическая резервная копия не создана: {message} Подробности — в журнале «{log_file()}».",
            60_000,
        )

    def _backup_now(self, database: Database, kind: str) -> None:
        """Synchronously (closing): the copy is made while the database's own connection is still open."""
        from app.backups import make_backup

        try:
            make_backup(database, kind)
        except (AppError, DatabaseError) as exc:
            log.warning("Резервная копия (%s) не создана: %s", kind, exc.message)
        except Exception:  # a failed backup must never stop the program from closing
            log.exception("Резервная копия (%s) не создана", kind)

    # --- restoring from the window ---------------------------------------------------------------
    def restore_backup(self, backup: Path) -> None:
        """The «Резервные копии» dialog's confirmed restore: close the file, restore on a worker, reopen."""
        from ui.messages import show_error

        window, database = self.window, self.database
        if window is None or database is None:
            return
        if window.jobs.is_busy() or window.history.is_busy():
            show_error(window, "Дождитесь окончания текущей операции, затем повторите восстановление.")
            return
        path = database.path
        window.setEnabled(False)
        window.statusBar().showMessage(f"Восстановление базы «{path.name}» из копии…")
        database.close()
        worker = self._runner().start(
            partial(_restore_job, path, backup),
            title="Восстановление из копии",
            label=f"Восстановление базы «{path.name}» из копии «{backup.name}»…",
            progress_parent=window,
        )
        worker.finished.connect(partial(self._restored, window, path))
        worker.failed.connect(partial(self._restore_failed, window))
        worker.cancelled.connect(partial(self._restore_failed, window, AppError("Восстановление отменено.")))

    def _restored(self, window: MainWindow, path: Path, result: object) -> None:
        from app.backups import RestoreResult

        assert isinstance(result, RestoreResult)
        log.info("%s", result.summary())
        database = self.open_interactively(path, window)
        if database is None:
            window.setEnabled(True)
            return
        self._notice = result.summary()
        if self.database is not None and self.database is not database:
            self.database.close()
        self.database = None  # the old Database object of this file: replaced, no close backup for it
        self.show_database(database)

    def _restore_failed(self, window: MainWindow, exc: object) -> None:
        from ui.workers import report_failure

        window.setEnabled(True)
        window.statusBar().clearMessage()
        assert isinstance(exc, BaseException)
        report_failure(window, exc, "База данных не восстановлена")

    def shutdown(self) -> None:
        if self._backups is not None:
            self._backups.shutdown()  # a start or daily backup still running finishes first
        if self.database is not None:
            self._backup_now(self.database, "close")
            self.database.close()


def run_gui(db_path: Path | None) -> int:
    """Start the window; returns the process exit code."""
    setup_logging()
    app = create_application(window_icon=False)
    install_excepthook()
    controller = ApplicationController(app)
    try:
        started = controller.start(db_path)
    except Exception as exc:  # a failure before the event loop: show it, do not just vanish
        log.exception("Программа не запущена")
        from PySide6.QtWidgets import QMessageBox

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
