"""The partnership map at regional size: a zoom step and a pan frame with 1,600 schools and 800
partnership lines, against the same view over an empty scene (same window size, same process,
interleaved).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/partnership_map.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/partnership_map.py --schools 3000 --groups 1500 --repeat 9

The data is written through the real tables (ChangeRecorder, one transaction) into a temporary
database and read back with the page's own `load_map_data`. A frame is the view's change (a
zoom step with the wheel's factor, or a 40-pixel pan) plus a synchronous repaint of the viewport.
Prints one JSON line with medians in milliseconds (goal: ≤ 16 ms per frame) and the ratios.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEAR = 2020
# Ленинградская область, roughly.
SOUTH, NORTH, WEST, EAST = 58.5, 61.2, 27.8, 35.6


def build_region(database: object, schools: int, groups: int, seed: int = 7) -> None:
    from db.changes import ChangeRecorder

    rng = random.Random(seed)
    with database.atomic() as conn:  # type: ignore[attr-defined]
        conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (YEAR,))
        recorder = ChangeRecorder(conn, "bench")
        ids = []
        for number in range(1, schools + 1):
            ids.append(
                recorder.insert(
                    "schools",
                    {
                        "full_name": f"Муниципальное общеобразовательное учреждение «Школа № {number}»",
                        "short_name": f"МОУ «СОШ № {number}»",
                        "latitude": rng.uniform(SOUTH, NORTH),
                        "longitude": rng.uniform(WEST, EAST),
                        "students": rng.randint(40, 1500),
                    },
                )
            )
        targets, partners = ids[: len(ids) // 2], ids[len(ids) // 2 :]
        for school_id in targets[:groups]:
            recorder.insert(
                "school_categories",
                {
                    "school_id": school_id,
                    "academic_year": YEAR,
                    "category": rng.choice(["low_results", "unfavourable", "nonobjective"]),
                },
            )
        for index in range(groups):
            group_id = recorder.insert("partnership_groups", {"academic_year": YEAR, "kind": "pair"})
            for position, (school_id, role) in enumerate(
                ((targets[index % len(targets)], "target"), (partners[index % len(partners)], "partner")),
                start=1,
            ):
                recorder.insert(
                    "partnership_members",
                    {"group_id": group_id, "school_id": school_id, "role": role, "position": position},
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=1600)
    parser.add_argument("--groups", type=int, default=800)
    parser.add_argument(
        "--repeat", type=int, default=7, help="rounds; each round measures 10 frames of each kind"
    )
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from db import open_database
    from ui.partnerships.map_scene import MapData, MapScene, load_map_data
    from ui.partnerships.map_view import ZOOM_STEP, MapView

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "region.sqlite")
        build_region(database, args.schools, args.groups)
        started = time.perf_counter()
        data = load_map_data(database, YEAR)
        scene = MapScene()
        scene.build(data)
        build_ms = (time.perf_counter() - started) * 1000
        assert len(scene.schools) == args.schools and len(scene.links) == args.groups

        empty = MapScene()
        empty.build(MapData(year=YEAR, schools=[], groups=[]))
        # Both views side by side in one window: an offscreen window that is not exposed skips painting.
        from PySide6.QtWidgets import QHBoxLayout, QWidget

        window = QWidget()
        layout = QHBoxLayout(window)
        views = {}
        for name, the_scene in (("map", scene), ("baseline", empty)):
            view = MapView(the_scene)
            view.setFixedSize(1200, 800)
            layout.addWidget(view)
            views[name] = view
        window.show()
        for _ in range(5):
            app.processEvents()
        # The same transform for both: the region fitted in the window, then two steps closer.
        views["map"].fit_all()
        transform = views["map"].transform()
        centre = views["map"].mapToScene(views["map"].viewport().rect().center())
        for view in views.values():
            view.setTransform(transform)
            view.centerOn(centre)
            view._settle.stop()
        scene.layout_labels(transform.m11())
        app.processEvents()

        def zoom_frames(view: MapView) -> list[float]:
            times = []
            for step in range(10):
                factor = ZOOM_STEP if step % 2 == 0 else 1 / ZOOM_STEP
                start = time.perf_counter()
                view.zoom_by(factor)
                view.viewport().repaint()
                times.append((time.perf_counter() - start) * 1000)
                view._settle.stop()
            return times

        def pan_frames(view: MapView) -> list[float]:
            times = []
            bar = view.horizontalScrollBar()
            for step in range(10):
                start = time.perf_counter()
                bar.setValue(bar.value() + (40 if step % 2 == 0 else -40))
                view.viewport().repaint()
                times.append((time.perf_counter() - start) * 1000)
            return times

        results: dict[str, list[float]] = {"zoom": [], "zoom_base": [], "pan": [], "pan_base": []}
        for _ in range(args.repeat):
            for name, key in (("map", ""), ("baseline", "_base")):
                results["zoom" + key].append(statistics.median(zoom_frames(views[name])))
                results["pan" + key].append(statistics.median(pan_frames(views[name])))
                app.processEvents()
        medians = {key: round(statistics.median(values), 3) for key, values in results.items()}
        report = {
            "bench": "partnership_map",
            "schools": args.schools,
            "links": len(scene.links),
            "build_ms": round(build_ms, 1),
            "zoom_ms": medians["zoom"],
            "zoom_baseline_ms": medians["zoom_base"],
            "zoom_ratio": round(medians["zoom"] / max(medians["zoom_base"], 1e-6), 2),
            "pan_ms": medians["pan"],
            "pan_baseline_ms": medians["pan_base"],
            "pan_ratio": round(medians["pan"] / max(medians["pan_base"], 1e-6), 2),
            "goal_ms": 16,
            "ok": medians["zoom"] <= 16 and medians["pan"] <= 16,
        }
        print(json.dumps(report, ensure_ascii=False))
        window.close()
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
