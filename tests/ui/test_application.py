"""Start-up: Russian Qt strings, the excepthook, opening refused files, switching databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from app.demo import create_demo
from app.paths import log_dir
from db import Database, open_database
from ui.application import ApplicationController, excepthook, install_translations, process_age
from ui.messages import visible_message_boxes
from ui.registry.model import Column

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_qt_standard_buttons_are_russian(qapp: QApplication) -> None:
    assert install_translations(qapp)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Отмена"
    # what qtbase_ru lacks in Qt 6's file dialog comes from resources/translations/opora_qt_ru.qm
    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "&Папка:"
    assert QCoreApplication.translate("QFileDialog", "Files of &type:") == "&Тип файлов:"
    assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder") == "Папка"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    texts = {b.text().replace("&", "") for b in buttons.buttons()}
    assert texts == {"Сохранить", "Отмена"}


def test_excepthook_logs_and_shows_a_russian_message(qtbot: QtBot, qapp: QApplication) -> None:
    try:
        raise ValueError("something internal")
    except ValueError as exc:
        excepthook(type(exc), exc, exc.__traceback__)
    boxes = visible_message_boxes()
    assert len(boxes) == 1
    box = boxes[0]
    assert box.windowTitle() == "Непредвиденная ошибка"
    assert "Внутренняя ошибка программы" in box.text() and "opora.log" in box.text()
    assert "ValueError: something internal" in box.detailedText()
    log = (log_dir() / "opora.log").read_text(encoding="utf-8")
    assert "ValueError: something internal" in log and "Traceback" in log
    # A second error while the first message is open is logged, not stacked on screen.
    try:
        raise KeyError("second")
    except KeyError as exc:
        excepthook(type(exc), exc, exc.__traceback__)
    assert len(visible_message_boxes()) == 1
    box.close()
    qtbot.waitUntil(lambda: not visible_message_boxes())
    assert "KeyError: 'second'" in (log_dir() / "opora.log").read_text(encoding="utf-8")


def test_excepthook_shows_an_app_error_as_it_is(qtbot: QtBot, qapp: QApplication) -> None:
    from app.errors import AppError

    excepthook(AppError, AppError("Школа № 5 не найдена в реестре."), None)
    boxes = visible_message_boxes()
    assert [b.text() for b in boxes] == ["Школа № 5 не найдена в реестре."]
    boxes[0].close()
    qtbot.waitUntil(lambda: not visible_message_boxes())


def test_refused_file_is_reported_and_left_untouched(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "реестр.sqlite"
    bad.write_text("это не база данных", encoding="utf-8")
    before = bad.read_bytes()
    messages: list[str] = []

    def give_up(self: ApplicationController, message: str, path: Path, parent: object) -> None:
        messages.append(message)
        return None

    monkeypatch.setattr(ApplicationController, "_ask_for_another_file", give_up)
    controller = ApplicationController(qapp)
    assert controller.open_interactively(bad, None) is None
    assert messages and "не является базой данных" in messages[0]
    assert bad.read_bytes() == before


def test_refused_file_then_another_one_is_chosen(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"PK\x03\x04 a zip, not a database")
    good = tmp_path / "good.sqlite"
    monkeypatch.setattr(ApplicationController, "_ask_for_another_file", lambda *args: good)
    controller = ApplicationController(qapp)
    database = controller.open_interactively(bad, None)
    assert database is not None and database.path == good
    database.close()


def test_switching_databases_replaces_the_window(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    first = open_database(tmp_path / "first.sqlite")
    create_demo(first)
    second_path = tmp_path / "second.sqlite"
    second = open_database(second_path)
    create_demo(second)
    second.close()
    controller = ApplicationController(qapp)
    assert controller.show_database(first)
    window = controller.window
    assert window is not None and window.isVisible()
    qtbot.addWidget(window)
    controller.switch_to(second_path)
    assert controller.window is not window and controller.window is not None
    qtbot.addWidget(controller.window)
    assert not window.isVisible()
    assert controller.database is not None and controller.database.path == second_path
    assert QSettings().value("last_database") == str(second_path)
    controller.window.close()
    controller.shutdown()


def test_process_age_counts_from_process_start() -> None:
    age = process_age()
    assert 0 < age < 3600


@pytest.mark.skipif(sys.platform != "linux", reason="the start-up probe is exercised on Linux CI")
def test_bench_mode_prints_the_time_to_first_paint(tmp_path: Path) -> None:
    database = open_database(tmp_path / "demo.sqlite")
    create_demo(database)
    database.close()
    env = {
        **os.environ,
        "OPORA_BENCH_PAINTED": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "OPORA_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "main.py", "--db", str(tmp_path / "demo.sqlite")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # The window's first paint, then the registry's rows (painted right after it).
    window, rows = (float(line) for line in result.stdout.strip().splitlines()[-2:])
    assert 0 < window <= rows < 30


def test_the_window_is_painted_first_and_filled_right_after(
    qtbot: QtBot, qapp: QApplication, demo_db: Database
) -> None:
    from ui.main_window import MainWindow

    controller = ApplicationController(qapp)
    assert controller.show_database(demo_db)
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    view = window.registry_view
    # Shown, not yet painted: no rows, a loading message, but every shortcut already works.
    assert not view.is_loaded()
    assert window.counts_label.text() == "Загрузка реестра школ…"
    assert [s.toString() for s in window.find_action.shortcuts()] == ["Ctrl+F"]
    assert [s.toString() for s in window.undo_action.shortcuts()] == ["Ctrl+Z"]
    assert [s.toString() for s in window.new_db_action.shortcuts()] == ["Ctrl+N"]
    qtbot.waitUntil(view.is_loaded)
    assert view.model.rowCount() == 9
    assert window.counts_label.text() == "Показано 9 из 9 школ"
    assert not window.nav.item(0).icon().isNull() and not window.windowIcon().isNull()
    assert [s.toString() for s in window.open_card_action.shortcuts()] == ["Return", "Enter"]
    assert view.table.horizontalHeader().sectionSize(Column.NAME) > 0
    window.close()
    controller.database = None  # demo_db is closed by its fixture


def test_window_only_arguments_skip_the_command_line_parser() -> None:
    from main import window_database

    assert window_database([]) == (True, None)
    assert window_database(["--db", "реестр.sqlite"]) == (True, Path("реестр.sqlite"))
    assert window_database(["--db=реестр.sqlite"]) == (True, Path("реестр.sqlite"))
    for argv in (["--help"], ["demo"], ["--db"], ["--db", "-x"], ["--db=", "x"], ["--db", "a", "demo"]):
        assert window_database(argv) == (False, None), argv


def test_start_up_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    code = (
        "import sys, ui.application, ui.main_window;"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pandas', 'numpy', 'sqlite_utils', 'openpyxl', 'python_calamine', 'app.importing', 'app.exporting'));"
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_about_box(qtbot: QtBot, main_window: object) -> None:
    from ui.main_window import MainWindow

    assert isinstance(main_window, MainWindow)
    main_window.about_action.trigger()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes and "«Опора»" in boxes[0].text()
    boxes[0].close()


def test_window_geometry_is_remembered(qtbot: QtBot, demo_db: object) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(demo_db)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    # The offscreen screen is 800×600: a height that fits, so restoring does not clamp it.
    window.resize(window.minimumSizeHint().width() + 10, 555)
    window.registry_view.table.horizontalHeader().resizeSection(0, 333)
    window.registry_view.table.sortByColumn(Column.STUDENTS, Qt.SortOrder.DescendingOrder)
    window.close()
    again = MainWindow(demo_db)  # type: ignore[arg-type]
    qtbot.addWidget(again)
    header = again.registry_view.table.horizontalHeader()
    assert header.sectionSize(0) == 333
    # The sort order comes back too, and the rows follow it.
    assert header.sortIndicatorSection() == Column.STUDENTS
    model = again.registry_view.model
    assert model.data(model.index(0, Column.NAME)) == "МБОУ «Кировская СОШ №2»"
    again.show()
    assert again.size().height() == 555
    again.close()
