"""«Опора»: start-up only. Parse the arguments, then start the window or run a command.

Kept light on purpose: nothing heavy (pandas, sqlite_utils, openpyxl) is imported before the
window is painted, and starting the window without a command (`main.py` or `main.py --db FILE`)
does not even build the command line's parser: argparse, json and the commands' definitions are
imported only when there is something for them to parse.
"""

from __future__ import annotations

import sys
from pathlib import Path


def window_database(argv: list[str]) -> tuple[bool, Path | None]:
    """(True, file or None) when `argv` only starts the window; (False, None) when it needs the parser.

    Only the two plain forms are recognised, `--db FILE` and `--db=FILE` (an empty or dash-led
    FILE goes to argparse, which gives the usual Russian message); anything else (a command,
    `--help`, a typo) goes through `app.cli` exactly as before.
    """
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and argv[1] and not argv[1].startswith("-"):
        return True, Path(argv[1])
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > len("--db="):
        return True, Path(argv[0][len("--db=") :])
    return False, None


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    window_only, db_path = window_database(arguments)
    if window_only:
        from ui.application import run_gui

        return run_gui(db_path)

    from app.cli import build_parser, run_command

    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.version:
        from app.version import version

        print(f"«Опора» {version()}")
        return 0
    if args.self_check:  # is this installation complete? (ui/self_check.py)
        if args.command is not None:
            parser.error("--self-check проверяет установку программы, а не базу: запустите его без команды")
        from ui.self_check import run_self_check

        return run_self_check()
    if args.command is None:
        from ui.application import run_gui

        return run_gui(args.db)
    if args.command == "map":  # drawing needs Qt: the one command served by the ui layer
        from ui.partnerships.map_cli import run_map_export

        return run_map_export(args)
    if args.command == "order" and args.order_command in ("pdf", "docx"):
        _draw_maps_with_qt()
    return run_command(args)


def _draw_maps_with_qt() -> None:
    """A partnership-map appendix is drawn by the ui layer; Qt is imported only if one is printed."""
    import app.cli_orders

    def factory(database):  # type: ignore[no-untyped-def]
        def render(year: int) -> bytes:
            from ui.orders.map_image import map_renderer

            return map_renderer(database)(year)

        return render

    app.cli_orders.map_renderer_factory = factory


if __name__ == "__main__":
    sys.exit(main())
