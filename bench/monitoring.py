"""Monitoring at the scale of a region: the schools × criteria matrix of 1,600 schools and 120
criteria scrolled a page at a time, and filled Excel forms of those schools read back.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/monitoring.py                 # 1,600 × 120, 1,600 forms
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/monitoring.py --forms 200     # quicker

Prints one JSON line (medians): a page scroll of the matrix against the same QTableView scrolled
over an empty model of the same size; the preview of N filled forms against openpyxl merely
opening the same files (what any reader of .xlsx pays), both in this process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Node:
    number: str
    title: str
    type: str
    required: bool = True
    points: float | None = None
    choices: list[str] = field(default_factory=list)
    hint: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass
class Spec:
    key: str = "bench"
    version: int = 1
    title: str = "Мониторинг для замера"
    source: str = ""
    description: str = ""
    criteria: list[Node] = field(default_factory=list)


TYPES = ("number", "percent", "yesno", "text", "document", "date")


def build(database: object, schools: int, groups: int = 10, per_group: int = 12) -> tuple[int, list[int]]:
    from app.monitoring.service import MonitoringService
    from db.changes import ChangeRecorder

    spec = Spec(
        criteria=[
            Node(
                str(g),
                f"Раздел {g}",
                "group",
                children=[
                    Node(
                        f"{g}.{c}",
                        f"Показатель {g}.{c}: количество мероприятий по теме",
                        TYPES[c % len(TYPES)],
                    )
                    for c in range(1, per_group + 1)
                ],
            )
            for g in range(1, groups + 1)
        ]
    )
    with database.atomic() as conn:  # type: ignore[attr-defined]
        recorder = ChangeRecorder(conn, "bench")
        ids = recorder.insert_many(
            "schools",
            [{"full_name": f"МБОУ «Школа № {n}»", "short_name": f"Школа № {n}"} for n in range(schools)],
        )
    service = MonitoringService(database)  # type: ignore[arg-type]
    template_id, _ = service.install_template(spec)
    campaign_id, _ = service.create_campaign(template_id, "Мониторинг региона", ids, academic_year=2020)
    leaves = [c for c in service.criteria(template_id) if not c.is_group]
    values = {
        "number": "12",
        "percent": "45,5",
        "yesno": "да",
        "text": "проведено",
        "document": "приказ № 1 от 01.09.2020",
        "date": "2021-03-01",
    }
    with database.atomic() as conn:  # type: ignore[attr-defined]
        conn.executemany(
            "INSERT INTO monitoring_values (campaign_id, school_id, criterion_id, value) VALUES (?, ?, ?, ?)",
            [
                (campaign_id, school_id, c.id, values[c.value_type])
                for n, school_id in enumerate(ids)
                for i, c in enumerate(leaves)
                if (n + i) % 3
            ],
        )
    return campaign_id, ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=1600)
    parser.add_argument("--forms", type=int, default=1600)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QAbstractTableModel, QModelIndex
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    import ui.signals  # noqa: F401  (protects None from this PySide's leak during painting)
    from app.monitoring.service import MonitoringService
    from db import open_database
    from ui.monitoring.matrix_model import MatrixModel

    folder = Path(tempfile.mkdtemp(prefix="opora-bench-monitoring-"))
    database = open_database(folder / "region.sqlite")
    campaign_id, ids = build(database, args.schools)
    service = MonitoringService(database)
    begun = time.perf_counter()
    matrix = service.matrix(campaign_id)
    model = MatrixModel()
    model.set_matrix(matrix, service.criteria(matrix.campaign.template_id))
    load_ms = (time.perf_counter() - begun) * 1000

    class Empty(QAbstractTableModel):
        def rowCount(self, parent: object = QModelIndex()) -> int:
            return model.rowCount()

        def columnCount(self, parent: object = QModelIndex()) -> int:
            return model.columnCount()

        def data(self, index: object, role: int = 0) -> object:
            return None

    views = []
    for source in (model, Empty()):
        view = QTableView()
        view.setModel(source)
        view.verticalHeader().setDefaultSectionSize(24)
        view.resize(1400, 800)
        view.show()
        views.append(view)
    app.processEvents()

    def scroll_page(view: QTableView, step: int) -> float:
        bar = view.verticalScrollBar()
        begun = time.perf_counter()
        bar.setValue((bar.value() + bar.pageStep() * step) % max(bar.maximum(), 1))
        view.viewport().repaint()
        return (time.perf_counter() - begun) * 1000

    ours, theirs = [], []
    for step in range(1, args.repeat * 10 + 1):
        ours.append(scroll_page(views[0], step))
        theirs.append(scroll_page(views[1], step))

    # Forms: write N, fill them as a school would (one value changed each), read them back.
    from openpyxl import load_workbook

    from app.jobs import run_job
    from app.monitoring.forms import FORM_SHEET, preview_forms, write_forms

    forms_folder = folder / "forms"
    forms_folder.mkdir()
    chosen_ids = ids[: args.forms]
    small = service.create_campaign(matrix.campaign.template_id, "Формы", chosen_ids, academic_year=2020)[0]
    paths = run_job(write_forms(database, small, forms_folder))
    for path in paths:
        book = load_workbook(path)
        sheet = book[FORM_SHEET]
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
            if row[2].value == "Число":
                row[3].value = 7
                break
        book.save(path)
    begun = time.perf_counter()
    for path in paths:
        load_workbook(path, data_only=True)
    baseline_s = time.perf_counter() - begun
    begun = time.perf_counter()
    preview = preview_forms(database, paths)
    preview_s = time.perf_counter() - begun

    result = {
        "bench": "monitoring",
        "schools": args.schools,
        "criteria": len(matrix.criteria),
        "matrix_load_ms": round(load_ms, 1),
        "scroll_ms": round(statistics.median(ours), 2),
        "scroll_max_ms": round(max(ours), 2),
        "scroll_samples_ms": [round(v, 3) for v in ours],
        "scroll_baseline_samples_ms": [round(v, 3) for v in theirs],
        "scroll_baseline_ms": round(statistics.median(theirs), 2),
        "forms": len(paths),
        "forms_accepted": len(preview.accepted),
        "forms_preview_s": round(preview_s, 2),
        "forms_baseline_s": round(baseline_s, 2),
        "forms_ratio": round(preview_s / baseline_s, 2) if baseline_s else None,
        "goal_scroll_ms": 16,
    }
    print(json.dumps(result, ensure_ascii=False))
    database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
