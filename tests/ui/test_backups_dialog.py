"""The «Резервные копии» dialog, automatic backups of the running window, and the start-up offer
to restore a damaged file from its last good copy, driven the way a person uses them."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.backups import backup_folder, keep_count, list_backups, make_backup
from app.demo import create_demo
from app.schools import SchoolService
from db import Database, open_database
from ui.application import ApplicationController
from ui.backups_dialog import BackupsDialog, Column
from ui.main_window import MainWindow
from ui.messages import visible_message_boxes
from ui.signals import emit


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.sqlite"
    database = open_database(path)
    create_demo(database)
    database.close()
    return path


@pytest.fixture
def demo_path(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "Кировский район.sqlite"
    shutil.copyfile(demo_file, path)
    return path


@pytest.fixture
def controller(qapp: QApplication) -> Iterator[ApplicationController]:
    """A controller whose windows it closes itself (a replaced window deletes itself: never qtbot's)."""
    controller = ApplicationController(qapp)
    controller.START_BACKUP_DELAY_MS = 0  # type: ignore[misc]
    yield controller
    for box in visible_message_boxes():
        box.close()
    if controller.window is not None:
        controller.window.close()
    controller.shutdown()


def school_name(database: Database, school_id: int = 1) -> str:
    return str(database.query("SELECT full_name FROM schools WHERE id = ?", (school_id,))[0][0])


def rename_school(database: Database, name: str) -> None:
    with database.atomic() as conn:
        conn.execute("UPDATE schools SET full_name = ? WHERE id = 1", (name,))


def open_dialog(window: MainWindow) -> BackupsDialog:
    window.backups_action.trigger()
    dialog = window._backups_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, BackupsDialog) and dialog.isVisible()
    return dialog


def click_when_shown(qtbot: QtBot, find: Callable[[], QPushButton | None]) -> list[str]:
    """Click a button of a modal box as soon as it is shown (the box runs its own event loop)."""
    clicked: list[str] = []

    def attempt() -> None:
        button = find()
        if button is None:
            QTimer.singleShot(20, attempt)
            return
        clicked.append(button.text())
        button.click()

    QTimer.singleShot(0, attempt)
    return clicked


def box_button(prefix: str) -> Callable[[], QPushButton | None]:
    def find() -> QPushButton | None:
        for box in visible_message_boxes():
            for button in box.buttons():
                if button.text().startswith(prefix) and isinstance(button, QPushButton):
                    return button
        return None

    return find


# --- the dialog -----------------------------------------------------------------------------------------
def test_the_menu_opens_the_list_and_a_copy_is_made_on_a_worker(qtbot: QtBot, demo_path: Path) -> None:
    database = open_database(demo_path)
    make_backup(database, "start")
    rename_school(database, "Правка")
    make_backup(database, "close")
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.show()
    assert window.backups_action.text() == "Резервные копии…"
    assert window.backups_action in window.menuBar().actions()[0].menu().actions()
    dialog = open_dialog(window)
    model = dialog.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Дата",
        "Вид",
        "Размер",
        "Проверена",
    ]
    assert model.rowCount() == 2
    assert model.data(model.index(0, Column.KIND)) == "при закрытии"
    assert model.data(model.index(1, Column.KIND)) == "при запуске"
    assert model.data(model.index(0, Column.VERIFIED)) == "да"
    assert model.data(model.index(0, Column.SIZE)).endswith(("КБ", "МБ"))
    assert str(backup_folder(demo_path)) in dialog.folder_label.text()
    assert dialog.restore_button.isEnabled()

    dialog.create_button.click()
    assert dialog.busy_bar.isVisible() and not dialog.create_button.isEnabled()
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    qtbot.waitUntil(lambda: not dialog.busy_bar.isVisible())
    assert model.data(model.index(0, Column.KIND)) == "вручную"
    assert "создана и проверена" in dialog.status_label.text()

    dialog.keep_spin.setValue(4)
    assert keep_count(database) == 4
    dialog.close()
    window.close()
    database.close()


def test_save_a_copy_to_a_chosen_file(qtbot: QtBot, demo_path: Path, tmp_path: Path) -> None:
    database = open_database(demo_path)
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.show()
    dialog = open_dialog(window)
    file_dialog = dialog.save_to_file()
    assert file_dialog.isVisible()
    target = tmp_path / "на флешку" / "копия района.sqlite"
    target.parent.mkdir()
    emit(file_dialog.fileSelected, str(target))
    file_dialog.close()
    qtbot.waitUntil(target.exists)
    qtbot.waitUntil(lambda: any("сохранена" in box.text() for box in visible_message_boxes()))
    for box in visible_message_boxes():
        box.close()
    check = open_database(target)
    assert SchoolService(check).count() == 9
    check.close()
    dialog.close()
    window.close()
    database.close()


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_folder_hands_the_folder_to_the_desktop(qtbot: QtBot, demo_path: Path) -> None:
    database = open_database(demo_path)
    window = MainWindow(database)
    qtbot.addWidget(window)
    dialog = open_dialog(window)
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        dialog.folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(u.toLocalFile()) for u in catcher.urls] == [backup_folder(demo_path)]
    assert backup_folder(demo_path).is_dir()
    dialog.close()
    window.close()
    database.close()


def test_restore_from_the_dialog_reopens_the_database_with_the_old_data(
    qtbot: QtBot, controller: ApplicationController, demo_path: Path
) -> None:
    database = open_database(demo_path)
    original = school_name(database)
    good = make_backup(database, "manual").backup
    assert good is not None
    rename_school(database, "Правка, которую отменит восстановление")
    assert controller.show_database(database)
    window = controller.window
    assert window is not None
    dialog = open_dialog(window)
    row = next(i for i, b in enumerate(dialog.model.rows) if b.path == good.path)
    dialog.table.selectRow(row)
    box = dialog.restore_selected()
    assert box is not None and good.date_label in box.text()
    box.restore_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.window is not window, timeout=10_000)
    new_window = controller.window
    assert new_window is not None and controller.database is not None
    assert school_name(controller.database) == original
    kinds = [b.kind for b in list_backups(demo_path)]
    assert "before-restore" in kinds
    before = next(b for b in list_backups(demo_path) if b.kind == "before-restore")
    copy = open_database(before.path)
    assert school_name(copy) == "Правка, которую отменит восстановление"
    copy.close()
    qtbot.waitUntil(lambda: any("восстановлена" in box.text() for box in visible_message_boxes()))


# --- automatic backups ----------------------------------------------------------------------------------
def test_start_backup_after_the_first_paint_and_close_backup_at_shutdown(
    qtbot: QtBot, controller: ApplicationController, demo_path: Path
) -> None:
    database = open_database(demo_path)
    assert controller.show_database(database)
    assert controller.window is not None
    qtbot.waitUntil(lambda: [b.kind for b in list_backups(demo_path)] == ["start"], timeout=10_000)
    timer = controller.window.findChild(QTimer, "daily_backup_timer")
    assert timer is not None and timer.isActive() and timer.interval() == 24 * 60 * 60 * 1000
    # The daily timer's tick makes a copy only when the data changed.
    emit(timer.timeout)
    rename_school(database, "Правка за день")
    emit(timer.timeout)
    qtbot.waitUntil(lambda: [b.kind for b in list_backups(demo_path)] == ["daily", "start"], timeout=10_000)
    controller.window.close()
    controller.shutdown()  # nothing changed since the daily copy: no close copy
    assert [b.kind for b in list_backups(demo_path)] == ["daily", "start"]
    controller.window = None
    controller.database = None


def test_a_failed_automatic_backup_is_said_once_in_the_status_bar(
    qtbot: QtBot,
    controller: ApplicationController,
    demo_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    data = tmp_path / "данные"
    data.mkdir()
    (data / "backups").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("OPORA_DATA_DIR", str(data))
    database = open_database(demo_path)
    assert controller.show_database(database)
    window = controller.window
    assert window is not None
    qtbot.waitUntil(lambda: "не создана" in window.statusBar().currentMessage(), timeout=10_000)
    assert "нельзя записывать" in window.statusBar().currentMessage()
    assert not visible_message_boxes()  # never a box in the way of work
    window.statusBar().clearMessage()
    timer = window.findChild(QTimer, "daily_backup_timer")
    emit(timer.timeout)
    qtbot.waitUntil(lambda: not controller._runner().is_busy())
    qtbot.wait(50)
    assert window.statusBar().currentMessage() == ""


# --- the start-up offer -----------------------------------------------------------------------------------
def test_a_damaged_file_at_start_is_restored_from_its_last_good_copy(
    qtbot: QtBot, controller: ApplicationController, demo_path: Path
) -> None:
    database = open_database(demo_path)
    good = make_backup(database, "close").backup
    assert good is not None
    database.close()
    size = demo_path.stat().st_size
    with demo_path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\x00" * 16384)
    damaged = demo_path.read_bytes()

    clicked = click_when_shown(qtbot, box_button("Восстановить из копии от"))
    opened = controller.open_interactively(demo_path, None)
    assert clicked == [f"Восстановить из копии от {good.date_label}"]
    assert opened is not None and opened.path == demo_path
    assert SchoolService(opened).count() == 9
    [aside] = demo_path.parent.glob("Кировский район.повреждённая-*.sqlite")
    assert aside.read_bytes() == damaged
    # The window then says what happened, once painted.
    assert controller.show_database(opened)
    assert controller.window is not None
    qtbot.waitUntil(lambda: any(str(aside) in box.text() for box in visible_message_boxes()), timeout=10_000)


def test_a_truncated_file_without_copies_gets_the_usual_choices(
    qtbot: QtBot, controller: ApplicationController, tmp_path: Path
) -> None:
    path = tmp_path / "без копий.sqlite"
    database = open_database(path)
    create_demo(database)
    database.close()
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    before = path.read_bytes()
    texts: list[list[str]] = []

    def give_up() -> QPushButton | None:
        boxes = [b for b in visible_message_boxes() if isinstance(b, QMessageBox)]
        if not boxes:
            return None
        texts.append([b.text() for b in boxes[0].buttons()])
        return box_button("Выход")() or box_button("Отмена")()

    click_when_shown(qtbot, give_up)
    assert controller.open_interactively(path, None) is None
    assert texts and not any(t.startswith("Восстановить") for t in texts[0])
    assert path.read_bytes() == before
