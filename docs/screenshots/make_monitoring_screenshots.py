"""Make docs/screenshots/monitoring-matrix.png (the «Мониторинг» page: the matrix of the demo's
final monitoring) and docs/screenshots/monitoring-checklist.png (one school's checklist beside it,
with a refused value marked at its row).

Run under a virtual X server (fonts render as on a desktop):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_monitoring_screenshots.py
"""

from __future__ import annotations

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

# More answers than the demo has, so the matrix shows every colour: «Шумская» complete, the others
# partly filled.
SAMPLE = {
    "text": "Проведено: педсовет, методические дни",
    "number": "12",
    "percent": "64,5",
    "document": "Приказ № 41 от 02.09.2020",
}


def settle(app: QApplication, seconds: float = 0.4) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def fill(database: object) -> int:
    from app.monitoring.service import MonitoringService

    service = MonitoringService(database)  # type: ignore[arg-type]
    campaign = service.list_campaigns()[0]
    leaves = [c for c in service.criteria(campaign.template_id) if not c.is_group]
    shares = {0: 1.0, 1: 0.35, 2: 0.8, 3: 0.6, 4: 0.1}
    for order, school_id in enumerate(campaign.school_ids):
        stored = service.values(campaign.id, school_id)
        count = int(len(leaves) * shares.get(order, 0.5))
        raw = {c.id: SAMPLE[c.value_type] for c in leaves[:count] if c.id not in stored}
        if raw:
            service.set_values(campaign.id, school_id, raw)
    return campaign.id


def main() -> None:
    QCoreApplication.setOrganizationName("Opora-screenshots")
    QCoreApplication.setApplicationName("Opora-screenshots")
    app = QApplication.instance() or QApplication(sys.argv)
    QSettings().clear()
    from app.demo import create_demo
    from ui.main_window import MainWindow
    from ui.monitoring.checklist import ChecklistModel

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite")
        create_demo(database)
        fill(database)
        window = MainWindow(database)
        window.resize(1600, 960)
        window.show()
        window.splitter.setSizes([200, 1400])
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        window.nav.setCurrentRow(titles.index("Мониторинг"))
        page = window.monitoring_page
        settle(app)
        window.grab().save(str(FOLDER / "monitoring-matrix.png"))

        school_id, name = next(s for s in page.model.matrix.schools if "Назиевская" in s[1])  # type: ignore[union-attr]
        page.open_school(school_id)
        page.splitter.setSizes([480, 920])
        checklist = page.checklist
        model = checklist.model
        by_number = {c.number: c.id for c in model.criteria.values()}
        model.setData(model.index_of(by_number["7.2"], ChecklistModel.VALUE), "4")
        model.setData(model.index_of(by_number["7.5"], ChecklistModel.VALUE), "140")
        model.setData(model.index_of(by_number["7.3"], ChecklistModel.COMMENT), "по плану ВСОКО")
        checklist.save()
        checklist.tree.scrollTo(model.index_of(by_number["7"]))
        settle(app)
        window.grab().save(str(FOLDER / "monitoring-checklist.png"))
        print("saved monitoring-matrix.png, monitoring-checklist.png", name)
        checklist.discard()
        window.close()
        window.jobs.shutdown()
        database.close()
    QSettings().clear()


if __name__ == "__main__":
    main()
