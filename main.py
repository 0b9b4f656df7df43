"""«Опора»: start-up only. Parse the arguments, then start the window or run a command.

Kept light on purpose: nothing heavy (pandas, sqlite_utils, openpyxl) is imported before the
window is painted.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import build_parser, run_command

    args = build_parser().parse_args(argv)
    if args.command is None:
        from ui.application import run_gui

        return run_gui(args.db)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
