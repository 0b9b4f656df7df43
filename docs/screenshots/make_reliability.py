"""Make docs/screenshots/backups.png (the «Резервные копии» window after a few days of work) and
docs/screenshots/audit-log.png (the «Журнал изменений» window after edits, an undo and a restore).

Run under a virtual X server (fonts render as on a desktop):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_reliability.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

FOLDER = Path(__file__).resolve().parent


def settle(app: QApplication, seconds: float = 0.4) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app: QApplication, condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.02)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["OPORA_DATA_DIR"] = str(Path(folder) / "data")  # the copies go to a scratch folder
        QCoreApplication.setOrganizationName("Opora-screenshots")
        QCoreApplication.setApplicationName("Opora-screenshots")
        app = QApplication.instance() or QApplication(sys.argv)
        QSettings().clear()
        from app.backups import make_backup
        from app.demo import create_demo
        from app.history import undo
        from app.schools import SchoolService
        from db import open_database
        from ui.main_window import MainWindow

        database = open_database(Path(folder) / "Кировский район.sqlite")
        create_demo(database)
        schools = SchoolService(database)
        make_backup(database, "start")
        school = next(s for s in schools.list_schools() if "Шумская" in s.full_name)
        schools.update(school.id, {"director": "Иванова Мария Петровна", "phone": "8 (81362) 54-321"})
        make_backup(database, "manual")
        changed = schools.update(school.id, {"students": 214})
        undo(database, changed)
        make_backup(database, "close")

        window = MainWindow(database)
        window.resize(1400, 900)
        window.show()
        settle(app)
        window.show_backups()
        dialog = window._backups_dialog  # type: ignore[attr-defined]
        wait_for(app, lambda: dialog.model.rowCount() >= 3)
        dialog.resize(820, 460)
        settle(app, 0.6)
        dialog.grab().save(str(FOLDER / "backups.png"))
        dialog.close()

        window.show_audit_log()
        audit = window._audit_dialog  # type: ignore[attr-defined]
        wait_for(app, lambda: audit.model.rowCount() >= 3)
        audit.resize(1200, 640)
        audit.table.selectRow(2)
        settle(app, 0.8)
        audit.grab().save(str(FOLDER / "audit-log.png"))
        audit.close()
        print("saved backups.png, audit-log.png")
        window.close()
        window.jobs.shutdown()
        database.close()


if __name__ == "__main__":
    main()
