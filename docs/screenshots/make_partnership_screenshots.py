"""Make docs/screenshots/partnership-map.png (the «Сетевое партнёрство» page over the demo district)
and docs/screenshots/partnership-map-export.png (the exported A4 PDF, turned into a picture).

Run under a virtual X server (fonts render as on a desktop); pdftoppm (poppler-utils) makes the PNG:

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_partnership_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from db import open_database  # noqa: E402

FOLDER = Path(__file__).resolve().parent


def settle(app: QApplication, seconds: float = 0.4) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    QCoreApplication.setOrganizationName("Opora-screenshots")
    QCoreApplication.setApplicationName("Opora-screenshots")
    app = QApplication.instance() or QApplication(sys.argv)
    QSettings().clear()
    from app.demo import create_demo
    from ui.main_window import MainWindow
    from ui.messages import visible_message_boxes

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite")
        create_demo(database)
        window = MainWindow(database)
        window.resize(1600, 960)
        window.show()
        window.splitter.setSizes([200, 1400])
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        window.nav.setCurrentRow(titles.index("Сетевое партнёрство"))
        page = window.partnerships_page
        page.splitter.setSizes([600, 260])
        settle(app)
        page.distances_check.setChecked(True)
        page.view.fit_all()
        settle(app)
        sinyavino = database.query("SELECT id FROM schools WHERE short_name = 'МКОУ «Синявинская СОШ»'")[0][0]
        page.show_school(sinyavino)
        settle(app)
        window.grab().save(str(FOLDER / "partnership-map.png"))

        pdf = Path(folder) / "map.pdf"
        page.export(pdf)
        for box in visible_message_boxes():
            box.close()
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(Path(folder) / "page")],
                check=True,
            )
            shutil.copyfile(Path(folder) / "page.png", FOLDER / "partnership-map-export.png")
            print("saved partnership-map.png, partnership-map-export.png")
        else:
            print("saved partnership-map.png; pdftoppm not found: partnership-map-export.png not made")
        window.close()
        window.jobs.shutdown()
        database.close()
    QSettings().clear()


if __name__ == "__main__":
    main()
