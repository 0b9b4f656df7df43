"""Make docs/screenshots/identification.png: the «Выявление школ» page over the demo district with
its generated results — the lists computed, a school with signs of non-objective results selected,
its results over three years against the district and the region — and
docs/screenshots/identification-explanation.png (a proposal's full explanation), and
docs/screenshots/identification-out-of-date.png (the run out of date after a re-import, a school's
ЕГЭ, the question before accepting a proposal on a small sample).

Run under a virtual X server (fonts render as on a desktop):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_identification.py
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
YEAR = 2020
SCHOOL = "МКОУ «Назиевская СОШ»"


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
    QCoreApplication.setOrganizationName("Opora-screenshots")
    QCoreApplication.setApplicationName("Opora-screenshots")
    app = QApplication.instance() or QApplication(sys.argv)
    QSettings().clear()
    from app.demo import create_demo
    from app.domain import Category
    from app.results.generator import create_demo_results
    from app.results.service import ResultsService
    from ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite")
        create_demo(database)
        if not ResultsService(database).count():  # older demos came without results
            create_demo_results(database)
        window = MainWindow(database)
        window.resize(1600, 960)
        window.show()
        window.splitter.setSizes([200, 1400])
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        window.nav.setCurrentRow(titles.index("Выявление школ"))
        page = window.identification_page
        page.set_year(YEAR)
        settle(app)
        page.compute()
        wait_for(app, lambda: not page.is_computing() and page.model.rowCount() > 0)
        # A few decisions, as a specialist would have made them.
        shumy = [
            p.id
            for p in page.model.rows
            if p.school_name == "МКОУ «Шумская СОШ»" and p.category == "nonobjective"
        ]
        page.decide(shumy, "accepted")
        weak = [p.id for p in page.model.rows if p.weak_evidence][:1]
        page.decide(weak, "rejected")
        settle(app)
        page.category_combo.setCurrentIndex(page.category_combo.findData(Category.NONOBJECTIVE.value))
        page.splitter.setSizes([420, 440])
        page.select_school(SCHOOL, "sharp_change")
        settle(app, 1.0)
        window.grab().save(str(FOLDER / "identification.png"))

        dialog = page.explain_current()
        settle(app, 0.6)
        if dialog is not None:
            dialog.grab().save(str(FOLDER / "identification-explanation.png"))
            dialog.close()

        # Then a re-import changes one figure of those years: the run is marked out of date; the
        # school's ЕГЭ on an axis fitted to the scores; the question before accepting a proposal
        # that stands on a small sample (the screen is grabbed: the question is a window of its own).
        from dataclasses import replace

        from app.results.model import Level, Procedure

        service = ResultsService(database)
        line = next(r for r in service.results(2019, level=Level.SCHOOL) if r.average is not None)
        changes = service.save([replace(line, average=line.average + 0.5)], [], description="Исправление")
        window.history.record(changes)
        settle(app)
        page.category_combo.setCurrentIndex(0)
        weak = next(p for p in page.model.rows if p.weak_evidence and p.decision == "pending")
        page.select_ids([weak.id])
        settle(app)
        page.chart_panel.choose(Procedure.EGE, "Русский язык", 11)
        page.decide_selected("accepted")
        settle(app, 1.0)
        app.primaryScreen().grabWindow(0).copy(window.geometry()).save(
            str(FOLDER / "identification-out-of-date.png")
        )
        if page.weak_box is not None:
            page.weak_box.close()
        print("saved identification.png, identification-explanation.png, identification-out-of-date.png")
        window.close()
        window.jobs.shutdown()


if __name__ == "__main__":
    main()
