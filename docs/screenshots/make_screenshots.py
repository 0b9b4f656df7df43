"""Take the README screenshots from the real window: the registry, the school card, the import preview.

Run under a display (Xvfb works):  Xvfb :99 -screen 0 1400x900x24 &
                                   DISPLAY=:99 .venv/bin/python docs/screenshots/make_screenshots.py
It builds the demo district and a small Excel file in a temporary folder, opens the windows
programmatically and saves each one with QWidget.grab() next to this script. The user's own
settings and data are not touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

WORK = Path(tempfile.mkdtemp(prefix="opora-shots-"))
os.environ["OPORA_DATA_DIR"] = str(WORK / "data")
os.environ["XDG_CONFIG_HOME"] = str(WORK / "config")  # fresh QSettings: default geometry

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from app.demo import create_demo  # noqa: E402
from db import open_database  # noqa: E402
from ui.application import create_application, install_excepthook  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def settle(ms: int = 300) -> None:
    """Let Qt lay out and paint (and workers deliver) before a grab."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: object, timeout_ms: int = 10_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:  # type: ignore[operator]
        settle(50)
        waited += 50
    if not condition():  # type: ignore[operator]
        raise RuntimeError("timed out waiting for the window")


def save(widget: QWidget, name: str) -> None:
    path = HERE / name
    widget.grab().save(str(path))
    print(f"saved {path.relative_to(ROOT)}")


def make_workbook(path: Path) -> None:
    """A list of schools as districts send them: a title above the header, one school updated,
    new schools, one row with mistakes."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Список ОО"
    sheet.append(["Список общеобразовательных организаций Кировского района на 01.09.2021"])
    sheet.append([])
    sheet.append(
        [
            "№",
            "Наименование ОО",
            "Тип",
            "Населенный пункт",
            "ФИО директора",
            "Кол-во обучающихся",
            "ИНН",
            "Примечание",
        ]
    )
    rows = [
        ("МКОУ «Шумская СОШ»", "СОШ", "с. Шум", "Петрова Анна Сергеевна", 315, "4706012345", ""),
        ("МКОУ «Путиловская ООШ»", "ООШ", "с. Путилово", "", 118, "", ""),
        (
            "Муниципальное бюджетное общеобразовательное учреждение «Мгинская средняя общеобразовательная школа»",
            "СОШ",
            "пгт Мга",
            "Соколов Игорь Викторович",
            "1 112",
            "4706023456",
            "",
        ),
        (
            "Муниципальное казённое общеобразовательное учреждение «Павловская основная общеобразовательная школа»",
            "ООШ",
            "пгт Павлово",
            "Кузнецова Ольга Николаевна",
            204,
            "4706034567",
            "",
        ),
        ("МБОУ «Суховская ООШ»", "основная", "д. Сухое", "Смирнов П.А.", "около 90", "47060", "уточнить"),
        ("", "СОШ", "пгт Назия", "", 12, "", "строка без названия"),
    ]
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    book.save(path)


def main() -> int:
    app = create_application()
    install_excepthook()
    database = open_database(WORK / "demo.sqlite")
    create_demo(database)

    window = MainWindow(database)
    window.resize(1400, 860)
    window.show()
    settle(600)
    view = window.registry_view
    view.select_school(next(s.id for s in view.model.registry.schools if "Шумская" in s.full_name))
    settle()
    save(window, "registry.png")

    card = view.open_current()
    assert card is not None
    card.resize(820, card.sizeHint().height())
    settle()
    save(card, "school-card.png")
    card.show_categories()
    settle()
    save(card, "school-card-categories.png")
    card.reject()
    settle()

    from ui.importing.flow import RegistryImportFlow

    book = WORK / "Список ОО Кировского района.xlsx"
    make_workbook(book)
    flow = RegistryImportFlow(database, window.history, window.jobs, window)
    flow.start(book)
    wait_for(lambda: flow.dialog is not None and flow.dialog.isVisible())
    assert flow.dialog is not None
    flow.dialog.resize(1300, 640)
    settle(600)
    save(flow.dialog, "import-preview.png")
    flow.dialog.reject()
    settle()

    window.close()
    database.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
