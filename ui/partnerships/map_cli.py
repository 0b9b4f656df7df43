"""`python main.py map export FILE.png|FILE.pdf [--year 2020/2021]`: the map drawn without a window.

The command line's other commands live in app/ and never touch Qt; drawing the map needs Qt, so
main.py hands this one command to the ui layer. With no display it draws offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys


def run_map_export(args: argparse.Namespace) -> int:
    from app.cli import _fail, _log_unexpected, _year
    from app.errors import AppError
    from app.paths import default_database_path
    from db import open_database
    from db.errors import DatabaseError

    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import ui.signals  # noqa: F401  (guards None and bools against this PySide's reference leaks)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    path = args.db or default_database_path()
    try:
        database = open_database(path)
    except DatabaseError as exc:
        return _fail(exc.message)
    try:
        from ui.partnerships.map_export import render_map
        from ui.partnerships.map_scene import load_map_data

        year = _year(args, database)
        data = load_map_data(database, year)
        if not data.groups:
            from app.domain import academic_year_label

            raise AppError(f"На {academic_year_label(year)} учебный год партнёрств нет: карта не сохранена.")
        written = render_map(data, args.file)
        print(f"Карта сохранена: «{written}».")
        return 0
    except (AppError, DatabaseError) as exc:
        return _fail(exc.message)
    except Exception:
        log_file = _log_unexpected()
        return _fail(
            f"Внутренняя ошибка программы; данные не изменены. Подробности записаны в журнал «{log_file}»."
        )
    finally:
        database.close()
        del app
