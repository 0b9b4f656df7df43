"""One measurement per process: `bench/run.py` starts this script once per repetition.

A fresh interpreter for every repetition keeps the repetitions independent (no warm caches of
Python objects, no garbage from the previous run) and makes `ru_maxrss` the peak of exactly one
import. Each task prints one JSON line at the end: {"total": seconds, "phases": {...}, ...}.

    .venv/bin/python bench/tasks.py import-app FILE.xlsx
    .venv/bin/python bench/tasks.py import-baseline FILE.xlsx
    .venv/bin/python bench/tasks.py export-app DB.sqlite
    .venv/bin/python bench/tasks.py export-baseline DB.sqlite
    .venv/bin/python bench/tasks.py filter DB.sqlite --text "берёзовская сош" --repeat 5
    .venv/bin/python bench/tasks.py import-profile FILE.xlsx      # cProfile of import-app
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CATEGORY_YEAR = 2024  # the year bench/synthetic.py gives categories for
_SPARE_REFERENCES: list[bool] = []


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes, macOS in bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError):
        return float("nan")


@contextmanager
def _scratch_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="opora-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Phases:
    """Accumulates named phase durations; `wrap` times every call of a function."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started)

        return timed


def _run_job_timed(job: Any, marks: list[tuple[float, str]]) -> Any:
    """Like app.jobs.run_job, noting when each progress message arrives."""
    try:
        while True:
            progress = next(job)
            marks.append((time.perf_counter(), progress.message))
    except StopIteration as stop:
        return stop.value


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def task_import_app(path: Path) -> dict[str, Any]:
    """preview_registry_import + apply_registry_import of `path` into a fresh database."""
    import app.importing.registry_import as registry_import
    from db import open_database

    with _scratch_dir() as folder:
        database = open_database(folder / "import.sqlite")  # migrations are not part of the import
        database.query("SELECT count(*) FROM schools")
        phases = Phases()
        # Time the file read and the header search inside the preview without changing it.
        registry_import.read_sheets = phases.wrap("read (calamine)", registry_import.read_sheets)
        registry_import.find_header = phases.wrap("find header", registry_import.find_header)
        rss_before = _current_rss_mb()
        gc.collect()
        started = time.perf_counter()
        preview_marks: list[tuple[float, str]] = []
        preview = _run_job_timed(registry_import.preview_registry_import(database, path), preview_marks)
        previewed = time.perf_counter()
        errors = preview.error_count()
        if errors:
            raise SystemExit(f"{path.name}: the preview found {errors} errors: {preview.issues()[0].text()}")
        apply_marks: list[tuple[float, str]] = []
        _run_job_timed(registry_import.apply_registry_import(database, preview), apply_marks)
        finished = time.perf_counter()
        saving = next((t for t, message in apply_marks if message.startswith("Сохранение")), finished)
        count = database.query("SELECT count(*) FROM schools")[0][0]
        database.close()
    parse = (previewed - started) - sum(phases.seconds.values())
    return {
        "total": finished - started,
        "phases": {
            **phases.seconds,
            "parse, validate, match (rest of preview)": parse,
            "apply: write rows": saving - previewed,
            "apply: commit": finished - saving,
        },
        "rows": len(preview.rows),
        "schools_in_db": count,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def task_import_baseline(path: Path) -> dict[str, Any]:
    """python-calamine alone reads the file; a plain sqlite3 executemany stores the same rows."""
    import sqlite3

    from python_calamine import CalamineWorkbook

    with _scratch_dir() as folder:
        rss_before = _current_rss_mb()
        gc.collect()
        started = time.perf_counter()
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        workbook.close()
        read = time.perf_counter()
        header_index = next(i for i, row in enumerate(rows) if row and row[0] == "№ п/п")
        data = rows[header_index + 1 :]
        width = len(rows[header_index])
        # Same settings as the app's connections (WAL, synchronous=FULL), a table with one column
        # per column of the file and an integer primary key, no constraints and no indexes.
        conn = sqlite3.connect(str(folder / "baseline.sqlite"), isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        columns = ", ".join(f"c{i}" for i in range(width))
        conn.execute(f"CREATE TABLE rows (id INTEGER PRIMARY KEY, {columns})")
        prepared = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO rows ({columns}) VALUES ({', '.join('?' * width)})", data)
        inserted = time.perf_counter()
        conn.execute("COMMIT")
        finished = time.perf_counter()
        conn.close()
    return {
        "total": finished - started - (prepared - read),
        "phases": {
            "read (calamine)": read - started,
            "executemany": inserted - prepared,
            "commit": finished - inserted,
        },
        "rows": len(data),
        "rss_before_mb": rss_before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def task_import_profile(path: Path, top: int = 15) -> dict[str, Any]:
    """The import under cProfile: the functions where its time goes (by own time)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    result = task_import_app(path)
    profile.disable()
    stats = pstats.Stats(profile)
    entries = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        path = Path(filename)
        try:
            where = path.resolve().relative_to(ROOT).as_posix() if path.is_absolute() else ""
        except ValueError:
            where = "/".join(path.parts[-2:])
        name = f"{where}:{line}({function})" if where else function
        entries.append({"function": name, "calls": calls, "own": own, "cumulative": cumulative})
    by_own = sorted(entries, key=lambda e: e["own"], reverse=True)[:top]
    ours = [e for e in entries if e["function"].startswith(("app/", "db/"))]
    by_cumulative = sorted(ours, key=lambda e: e["cumulative"], reverse=True)[:top]
    return {
        "total_profiled": sum(e["own"] for e in entries),
        "total_unprofiled_run": result["total"],
        "by_own": by_own,
        "ours_by_cumulative": by_cumulative,
    }


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def _copy_database(source: Path, folder: Path) -> Path:
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def task_export_app(db_path: Path) -> dict[str, Any]:
    """export_registry of every active school (with the categories of the synthetic year)."""
    import app.exporting.registry_export as registry_export
    from app.schools import SchoolService
    from db import open_database

    with _scratch_dir() as folder:
        database = open_database(_copy_database(db_path, folder))
        phases = Phases()
        SchoolService.list_schools = phases.wrap("read registry", SchoolService.list_schools)  # type: ignore[method-assign]
        gc.collect()
        started = time.perf_counter()
        marks: list[tuple[float, str]] = []
        count = _run_job_timed(
            registry_export.export_registry(database, folder / "реестр.xlsx", year=CATEGORY_YEAR), marks
        )
        finished = time.perf_counter()
        saving = next((t for t, message in marks if message.startswith("Сохранение")), finished)
        size = (folder / "реестр.xlsx").stat().st_size
        database.close()
    return {
        "total": finished - started,
        "phases": {
            **phases.seconds,
            "styled rows": saving - started - phases.seconds.get("read registry", 0.0),
            "save (zip)": finished - saving,
        },
        "rows": count,
        "bytes": size,
        "peak_rss_mb": _peak_rss_mb(),
    }


def task_export_baseline(db_path: Path) -> dict[str, Any]:
    """openpyxl write-only with the same values, no styles, no print setup."""
    from openpyxl import Workbook

    from app.exporting.registry_export import _row_values, registry_columns
    from app.schools import SchoolService
    from db import open_database

    with _scratch_dir() as folder:
        database = open_database(_copy_database(db_path, folder))
        schools = SchoolService(database).list_schools(year=CATEGORY_YEAR, include_archived=False)
        schools.sort(key=lambda s: (s.parent_id or s.id, s.parent_id is not None, s.id))
        values = [_row_values(index, school) for index, school in enumerate(schools, start=1)]
        header = [c.title for c in registry_columns(CATEGORY_YEAR)]
        database.close()
        gc.collect()
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Реестр ОО")
        sheet.append(header)
        for row in values:
            sheet.append(row)
        saving = time.perf_counter()
        workbook.save(folder / "baseline.xlsx")
        finished = time.perf_counter()
    return {
        "total": finished - started,
        "phases": {"rows": saving - started, "save (zip)": finished - saving},
        "rows": len(values),
        "peak_rss_mb": _peak_rss_mb(),
    }


# --------------------------------------------------------------------------------------------
# Filter keystrokes
# --------------------------------------------------------------------------------------------


def task_filter(db_path: Path, text: str, repeat: int) -> dict[str, Any]:
    """Type `text` one character at a time into the registry of the real main window (offscreen).

    Each keystroke is timed from setting the search box's text to `apply_filter_now` returning,
    which is when the model holds its new rows and the window has updated its counts and actions
    (the view's own debounce timer is bypassed: the bench asks for the filter's cost, not the
    typing delay). The time to repaint the table after it is measured separately. The baseline is
    a list comprehension substring filter of the same folded texts the registry searches.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.text import fold
    from db import open_database
    from ui.main_window import MainWindow

    application = QApplication.instance() or QApplication([sys.argv[0]])
    # PySide6 6.12 on CPython 3.11 loses a reference to True on every Signal.emit() made from Python
    # (bench/run.py checks for it and docs/PERFORMANCE.md warns); a few hundred keystrokes would free
    # True and abort the process. Hold spare references so the measurement can finish; main() then
    # leaves with os._exit so that they are never released.
    _SPARE_REFERENCES.extend([True] * 1_000_000)
    with _scratch_dir() as folder:
        database = open_database(_copy_database(db_path, folder))
        load_started = time.perf_counter()
        window = MainWindow(database)
        window.show()
        application.processEvents()
        loaded = time.perf_counter() - load_started
        view = window.registry_view
        schools = len(view.model.registry.schools)
        texts = list(view.model.registry._texts)  # the same folded strings the index searches

        prefixes = [text[:n] for n in range(1, len(text) + 1)]
        model_ms: dict[str, list[float]] = {p: [] for p in prefixes}
        paint_ms: dict[str, list[float]] = {p: [] for p in prefixes}
        baseline_ms: dict[str, list[float]] = {p: [] for p in prefixes}
        rows: dict[str, int] = {}
        true_references = sys.getrefcount(True)
        for _ in range(repeat):
            view.search_edit.clear()
            view.apply_filter_now()
            application.processEvents()
            for prefix in prefixes:
                gc.collect()
                started = time.perf_counter()
                view.search_edit.setText(prefix)  # a keystroke: textChanged starts the debounce timer
                view.apply_filter_now()  # …which the bench does not wait for
                filtered = time.perf_counter()
                view.table.viewport().repaint()  # synchronous paint of the rows now on screen
                painted = time.perf_counter()
                model_ms[prefix].append((filtered - started) * 1000)
                paint_ms[prefix].append((painted - filtered) * 1000)
                rows[prefix] = view.model.rowCount()
                application.processEvents()

                needle = fold(prefix)
                gc.collect()
                started = time.perf_counter()
                hits = [t for t in texts if needle in t]
                baseline_ms[prefix].append((time.perf_counter() - started) * 1000)
                del hits
        true_references_lost = true_references - sys.getrefcount(True)
        window.close()
        application.processEvents()
        database.close()
    return {
        "schools": schools,
        "load_seconds": loaded,
        "keystrokes_typed": repeat * (len(prefixes) + 1),
        "true_references_lost": true_references_lost,
        "keystrokes": [
            {
                "text": prefix,
                "rows": rows[prefix],
                "model_ms": model_ms[prefix],
                "paint_ms": paint_ms[prefix],
                "baseline_ms": baseline_ms[prefix],
            }
            for prefix in prefixes
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "task",
        choices=(
            "import-app",
            "import-baseline",
            "import-profile",
            "export-app",
            "export-baseline",
            "filter",
        ),
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--text", default="берёзовская сош")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.path.exists():
        print(f"no such file: {args.path}", file=sys.stderr)
        return 2
    if args.task == "import-app":
        result = task_import_app(args.path)
    elif args.task == "import-baseline":
        result = task_import_baseline(args.path)
    elif args.task == "import-profile":
        result = task_import_profile(args.path)
    elif args.task == "export-app":
        result = task_export_app(args.path)
    elif args.task == "export-baseline":
        result = task_export_baseline(args.path)
    else:
        result = task_filter(args.path, args.text, args.repeat)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if _SPARE_REFERENCES:
        sys.stderr.flush()
        os._exit(0)  # see task_filter: never give the spare references back
    return 0


if __name__ == "__main__":
    sys.exit(main())
