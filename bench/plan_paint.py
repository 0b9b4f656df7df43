"""Opening and repainting a plan of 2,000 items in the Gantt table, against a plain QTableView over a
QStandardItemModel of the same rows and columns (same window size, same process, interleaved).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/plan_paint.py            # 2,000 items
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/plan_paint.py --items 5000 --repeat 7

Prints one JSON line with medians in milliseconds: the plan's load into the page («open_ms»), a
repaint of the visible rows («repaint_ms», goal ≤ 16 ms) and the baseline's repaint, and the
ratio of the two repaints.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEADLINES = (
    "сентябрь 2020 г.",
    "Октябрь-ноябрь 2020г",
    "до 15.12.2020",
    "В течение учебного года",
    "ежеквартально",
    "По запросу руководителей",
    "январь-февраль 2021 года",
    "с 01.04.2021",
    "Июнь– август",
)


def build_plan(database: object, items: int) -> int:
    """A plan of `items` items in sections of 50, written in one transaction."""
    from app.plans.service import PlanService, deadline_values
    from db.changes import ChangeRecorder

    service = PlanService(database)  # type: ignore[arg-type]
    plan_id, _ = service.create({"title": "План мероприятий на 2020-2021 учебный год", "academic_year": 2020})
    start, end = date(2020, 9, 1), date(2021, 8, 31)
    with database.atomic() as conn:  # type: ignore[attr-defined]
        recorder = ChangeRecorder(conn, "bench")
        section_id = None
        for number in range(items):
            if number % 50 == 0:
                section_id = recorder.insert(
                    "plan_sections",
                    {"plan_id": plan_id, "position": number // 50 + 1, "title": f"Раздел {number // 50 + 1}"},
                )
            recorder.insert(
                "plan_items",
                {
                    "plan_id": plan_id,
                    "section_id": section_id,
                    "position": number % 50 + 1,
                    "measure": f"Мероприятие № {number + 1}: семинар для учителей школ с низкими результатами",
                    **deadline_values(DEADLINES[number % len(DEADLINES)], start, end),
                    "responsible": "Отдел образования, МОЦ",
                    "result": "Аналитическая справка",
                    "status": "done" if number % 7 == 0 else "planned",
                },
            )
    return plan_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView, QWidget

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from db import open_database
    from ui.plans.view import PlansPage
    from ui.undo import ChangeHistory
    from ui.workers import JobRunner

    folder = Path(tempfile.mkdtemp(prefix="opora-bench-"))
    database = open_database(folder / "plan.sqlite")
    plan_id = build_plan(database, args.items)

    holder = QWidget()
    jobs = JobRunner(holder)
    page = PlansPage(database, ChangeHistory(database, jobs, holder), today=date(2020, 12, 15), jobs=jobs)
    page.resize(1600, 900)
    page.show()
    app.processEvents()

    opens = []
    for _ in range(args.repeat):
        begun = time.perf_counter()
        page.select_plan(plan_id)
        page.load_plan()
        app.processEvents()
        opens.append((time.perf_counter() - begun) * 1000)
    rows, columns = page.model.rowCount(), page.model.columnCount()

    baseline_model = QStandardItemModel(rows, columns)
    for row in range(rows):
        for column in range(min(columns, 6)):
            baseline_model.setItem(row, column, QStandardItem(f"Ячейка {row}:{column} с текстом мероприятия"))
    baseline = QTableView()
    baseline.setModel(baseline_model)
    baseline.resize(page.table.size())
    baseline.show()
    app.processEvents()

    def repaint(view: QTableView) -> float:
        begun = time.perf_counter()
        view.viewport().repaint()
        return (time.perf_counter() - begun) * 1000

    ours, theirs = [], []
    for _ in range(args.repeat):
        for _ in range(10):
            ours.append(repaint(page.table))
            theirs.append(repaint(baseline))
    result = {
        "items": args.items,
        "rows": rows,
        "columns": columns,
        "visible_size": [page.table.viewport().width(), page.table.viewport().height()],
        "open_ms": round(statistics.median(opens), 1),
        "repaint_ms": round(statistics.median(ours), 2),
        "repaint_max_ms": round(max(ours), 2),
        "baseline_repaint_ms": round(statistics.median(theirs), 2),
        "ratio": round(statistics.median(ours) / statistics.median(theirs), 2),
        "goal_repaint_ms": 16,
    }
    print(json.dumps(result, ensure_ascii=False))
    database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
