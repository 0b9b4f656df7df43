"""Make docs/screenshots/orders.png: the «Приказы и письма» page over the demo district — a plan
approval made from its template, open in the editor at its points, beside the preview of the
draft as it prints — and docs/screenshots/orders-register.png (the register with the signed
demo order's copy).

Run under a virtual X server (fonts render as on a desktop):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_orders.py
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
        window.nav.setCurrentRow(titles.index("Приказы и письма"))
        page = window.orders_page
        settle(app)

        # The register with the demo's signed order selected and its signed copy beside it.
        signed = next(s for s in page.model.rows if s.number)
        page.select_order(signed.id)
        wait_for(app, lambda: page._pdf is not None and page._pdf[0] == signed.id)
        settle(app, 1.0)
        window.grab().save(str(FOLDER / "orders-register.png"))

        plan_id = database.query(
            "SELECT id FROM plans WHERE academic_year = ? AND title LIKE 'План мероприятий по оказанию%'",
            (YEAR,),
        )[0][0]
        dialog = page.new_from_template()
        dialog.select_template("approve_plan")
        dialog.set_year(YEAR)
        dialog.check_plan(plan_id)
        dialog.responsible_name.setText("Плаксина И.Н.")
        dialog.responsible_position.setText("главный специалист комитета образования")
        dialog.controller_name.setText("Потехина Т.С.")
        dialog.controller_position.setText("заместитель председателя комитета образования")
        dialog.create()
        settle(app)
        for box in visible_message_boxes():
            box.close()
        editor = page.editor
        editor.tabs.setCurrentIndex(2)
        editor.select_point([1])
        order_id = editor.order_id
        wait_for(app, lambda: page._pdf is not None and page._pdf[0] == order_id)
        settle(app, 1.5)
        window.grab().save(str(FOLDER / "orders.png"))
        print("saved orders.png, orders-register.png")
        window.close()
        window.jobs.shutdown()


if __name__ == "__main__":
    main()
