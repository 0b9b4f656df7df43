"""Make docs/screenshots/plan-gantt.png: a demo plan on the «Планы мероприятий» page.

Run under a virtual X server (fonts render as on a desktop):

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_plan_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
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
OUTPUT = Path(__file__).resolve().parent / "plan-gantt.png"

SECTIONS = [
    (
        "Раздел 1. Организационное обеспечение",
        [
            (
                "Утверждение перечня школ с низкими образовательными результатами и плана мероприятий",
                "Август 2020 г.",
                "Комитет образования",
                "Приказ об утверждении перечня и плана",
                ItemStatus.DONE,
            ),
            (
                "Анализ результатов ВПР осенью 2020 года в школах с низкими результатами",
                "Октябрь-ноябрь 2020г",
                "МОЦ, руководители ОО",
                "Аналитическая справка",
                ItemStatus.DONE,
            ),
            (
                "Сбор и анализ программ повышения качества образования (антирисковых программ)",
                "до 15 декабря 2020 г.",
                "Методисты МОЦ",
                "Программы размещены на сайтах ОО",
                ItemStatus.PLANNED,
            ),
            (
                "Мониторинг выполнения плана мероприятий",
                "ежеквартально",
                "Отдел образования",
                "Отчёт о ходе выполнения",
                ItemStatus.IN_PROGRESS,
            ),
        ],
    ),
    (
        "Раздел 2. Работа с педагогами",
        [
            (
                "Курсы повышения квалификации учителей математики и русского языка",
                "Январь-март 2021",
                "ЛОИРО, МОЦ",
                "Не менее 20 педагогов прошли курсы",
                ItemStatus.IN_PROGRESS,
            ),
            (
                "Консультации для учителей по подготовке к ОГЭ и ЕГЭ\n– по предметам с низкими результатами",
                "В течение учебного года",
                "Руководители РМО",
                "Методическая помощь оказана",
                ItemStatus.PLANNED,
            ),
            (
                "Выезды специалистов в школы",
                "По запросу руководителей",
                "Специалисты МОЦ",
                "Справки по итогам выездов",
                ItemStatus.PLANNED,
            ),
            (
                "Семинар «Объективность оценивания»",
                "по окончании четверти",
                "МОЦ",
                "Материалы семинара",
                ItemStatus.PLANNED,
            ),
        ],
    ),
    (
        "Раздел 3. Сетевое взаимодействие",
        [
            (
                "Заключение договоров о сетевом взаимодействии со школами-наставниками",
                "до 1 марта 2021 г.",
                "Руководители ОО",
                "Договоры заключены",
                ItemStatus.PLANNED,
            ),
            (
                "Совместные уроки и мастер-классы школ-наставников",
                "с 01.04.2021",
                "Школы-наставники",
                "Проведено не менее 10 занятий",
                ItemStatus.PLANNED,
            ),
            (
                "Подведение итогов, корректировка перечня школ",
                "Июнь– август",
                "Комитет образования",
                "Приказ о корректировке перечня",
                ItemStatus.PLANNED,
            ),
        ],
    ),
]


def build_demo_plan(database: Database) -> int:
    service = PlanService(database)
    plan_id, _ = service.create(
        {
            "title": "План мероприятий по повышению качества образования в школах с низкими "
            "образовательными результатами на 2020/2021 учебный год",
            "academic_year": 2020,
        }
    )
    for title, items in SECTIONS:
        section_id, _ = service.add_section(plan_id, title)
        for measure, deadline, responsible, result, status in items:
            item_id, _ = service.add_item(
                plan_id,
                {"measure": measure, "deadline_text": deadline, "responsible": responsible, "result": result},
                section_id=section_id,
            )
            if status is not ItemStatus.PLANNED:
                completed = date(2020, 11, 30) if status is ItemStatus.DONE else None
                service.set_status(item_id, status, completed_on=completed)
    return plan_id


def main() -> None:
    QCoreApplication.setOrganizationName("Opora-screenshots")
    QCoreApplication.setApplicationName("Opora-screenshots")
    app = QApplication.instance() or QApplication(sys.argv)
    QSettings().clear()
    from ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite")
        build_demo_plan(database)
        window = MainWindow(database)
        window.resize(1600, 860)
        window.show()
        window.splitter.setSizes([190, 1410])
        window.nav.setCurrentRow(
            next(i for i in range(window.nav.count()) if "Планы" in window.nav.item(i).text())
        )
        page = window.plans_page
        page.set_today(TODAY)
        for _ in range(5):
            app.processEvents()
        page.select_item(page.plan.items[2].id)
        page.table.scrollToTop()
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(OUTPUT))
        print(f"saved {OUTPUT}")
        window.close()
        window.jobs.shutdown()
        database.close()
    QSettings().clear()


if __name__ == "__main__":
    main()
