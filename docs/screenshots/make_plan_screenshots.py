"""Make docs/screenshots/plan-gantt.png: a demo plan on the «Планы мероприятий» page.

Run under a virtual X server (fonts render as on a desktop):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_plan_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.plans.model import ItemStatus  # noqa: E402
from app.plans.service import PlanService  # noqa: E402
from db import Database, open_database  # noqa: E402

TODAY = date(2021, 1, 18)
FOLDER = Path(__file__).resolve().parent


def settle(app: QApplication, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()


def plan_of(database: Database, source_start: str, position: int = 1) -> int:
    """The demo plan imported from the seed document whose name starts with `source_start`."""
    service = PlanService(database)
    found = [service.get(p.id) for p in service.list_plans()]
    chosen = sorted((p for p in found if p.source.startswith(source_start)), key=lambda p: p.id)
    return chosen[position - 1].id


def mark_some_done(database: Database, plan_id: int, count: int) -> None:
    """A few items done, as in December of the plan's year: the screenshot shows green bars."""
    service = PlanService(database)
    plan = service.get(plan_id)
    for item in [i for i in plan.items if i.deadline.end and i.deadline.end < TODAY][:count]:
        service.set_status(
            item.id, ItemStatus.DONE, completed_on=item.deadline.end, evidence="Справка на сайте"
        )


def main() -> None:
    QCoreApplication.setOrganizationName("Opora-screenshots")
    QCoreApplication.setApplicationName("Opora-screenshots")
    app = QApplication.instance() or QApplication(sys.argv)
    QSettings().clear()
    from app.demo import create_demo
    from ui.main_window import MainWindow
    from ui.plan_import.flow import PlanImportFlow

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite")
        create_demo(database)
        kirovsky = plan_of(database, "Распоряжение комитета образования Кировского", 2)
        mark_some_done(database, kirovsky, 3)
        window = MainWindow(database)
        window.resize(1600, 900)
        window.show()
        window.splitter.setSizes([200, 1400])
        window.nav.setCurrentRow(1)
        page = window.plans_page
        page.set_today(TODAY)
        page.select_plan(kirovsky)
        settle(app)
        page.table.scrollToTop()
        settle(app)
        window.grab().save(str(FOLDER / "plan-gantt.png"))

        page.set_today(date(2022, 2, 10))
        page.select_plan(plan_of(database, "Приказ управления образования Прокопьевского"))
        settle(app)
        page.table.scrollToTop()
        settle(app)
        window.grab().save(str(FOLDER / "plan-gantt-004.png"))

        window.nav.setCurrentRow(3)
        window.overview_page.set_today(TODAY)
        settle(app)
        window.grab().save(str(FOLDER / "overview.png"))

        window.nav.setCurrentRow(1)
        flow = PlanImportFlow(database, window.history, window.jobs, page)
        flow.start_from_file(ROOT / "resources" / "demo" / "plans" / "000.txt")
        deadline = time.monotonic() + 20
        while not (flow.dialog is not None and flow.dialog.isVisible()) and time.monotonic() < deadline:
            settle(app, 2)
            time.sleep(0.02)
        assert flow.dialog is not None
        settle(app)
        flow.dialog.grab().save(str(FOLDER / "plan-import.png"))
        flow.dialog.reject()
        settle(app)
        print("saved plan-gantt.png, plan-gantt-004.png, overview.png, plan-import.png")
        window.close()
        window.jobs.shutdown()
        database.close()
    QSettings().clear()


if __name__ == "__main__":
    main()
