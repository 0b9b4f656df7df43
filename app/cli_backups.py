"""The command line's `backup [FILE]`, `backups`, `restore FILE [--yes]` and `check`.

`restore`, `check` and `backups` run before `open_database` (see `app.cli.run_command`): the file
may be damaged, and opening it would refuse it. `backup` needs a healthy, open database.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import AppError


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="сделать резервную копию базы",
        description="Резервная копия базы данных, проверенная после записи. Без ФАЙЛА — в папку "
        "резервных копий (вид «вручную»); с ФАЙЛОМ — в этот файл.",
    )
    backup.add_argument("file", type=Path, nargs="?", metavar="ФАЙЛ", help="куда записать копию")
    backup.add_argument("--overwrite", action="store_true", help="заменить существующий ФАЙЛ")

    commands.add_parser(
        "backups",
        parents=[common],
        help="список резервных копий базы",
        description="Резервные копии базы данных, новые сверху: дата, вид, размер, версия схемы, проверка.",
    ).add_argument("--json", action="store_true", help="в формате JSON")

    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="восстановить базу из резервной копии",
        description="Восстанавливает базу данных из копии. Исправная база сначала сохраняется копией "
        "«перед восстановлением»; повреждённая не перезаписывается, а переименовывается рядом "
        "(«….повреждённая-ДАТА.sqlite»).",
    )
    restore.add_argument(
        "file", type=Path, metavar="ФАЙЛ", help="файл копии (или имя копии из списка команды backups)"
    )
    restore.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")

    commands.add_parser(
        "check",
        parents=[common],
        help="проверить базу данных",
        description="Полная проверка целостности, внешних ключей, версии схемы и резервных копий; "
        "файл не изменяется. Код выхода 0 — база исправна, 1 — повреждена или непригодна.",
    )


def run_backup(database: Any, args: argparse.Namespace) -> int:
    from app.backups import export_backup, format_size, make_backup

    if args.file is not None:
        target = export_backup(database, args.file, overwrite=args.overwrite)
        print(f"Копия базы записана и проверена: «{target}» ({format_size(target.stat().st_size)}).")
        return 0
    result = make_backup(database, "manual")
    assert result.backup is not None  # a manual copy is never skipped
    print(f"Резервная копия создана и проверена: «{result.backup.path}» ({format_size(result.backup.size)}).")
    for path in result.removed:
        print(f"Удалена старая копия «{path.name}» (хранятся последние копии каждого вида).")
    return 0


def run_before_open(args: argparse.Namespace, path: Path) -> int:
    """`restore`, `check`, `backups`: they look at the file themselves and never refuse it."""
    from app.cli import _fail, _log_unexpected
    from db.errors import DatabaseError

    try:
        if args.command == "check":
            return _check(path)
        if args.command == "backups":
            return _list(path, args)
        return _restore(path, args)
    except (AppError, DatabaseError) as exc:
        return _fail(exc.message)
    except Exception:  # never a traceback in the user's face
        log_file = _log_unexpected()
        return _fail(
            "Внутренняя ошибка программы; данные, сохранённые до неё, не потеряны. "
            f"Подробности записаны в журнал «{log_file}»."
        )


def restore_hint(path: Path) -> str:
    """For a refused damaged file: the command that brings back its newest good copy (or "")."""
    from app.backups import latest_good_backup

    try:
        good = latest_good_backup(path)
    except (OSError, AppError):
        return ""
    if good is None:
        return ""
    return (
        f"\nПоследняя хорошая резервная копия — от {good.date_label}. Восстановить: "
        f'python main.py --db "{path}" restore "{good.path.name}"'
    )


def _check(path: Path) -> int:
    from app.backups import check_database

    report = check_database(path)
    print(report.text())
    return 0 if report.healthy else 1


def _list(path: Path, args: argparse.Namespace) -> int:
    from app.backups import backup_folder, format_size, list_backups

    backups = list_backups(path)
    if args.json:
        payload = [
            {
                "file": str(b.path),
                "date": b.created.isoformat(),
                "kind": b.kind,
                "kind_label": b.kind_label,
                "size": b.size,
                "schema_version": b.schema_version,
                "verified": b.verified,
            }
            for b in backups
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"Резервные копии базы «{path}» (папка «{backup_folder(path)}»):")
    if not backups:
        print("Копий нет.")
        return 0
    for b in backups:
        mark = "проверена" if b.verified else "не проверена"
        version = f"схема {b.schema_version}" if b.schema_version is not None else "схема ?"
        print(
            f"  {b.date_label}  {b.kind_label:<21} {format_size(b.size):>9}  {version}  {mark}  {b.path.name}"
        )
    print(f"Всего: {len(backups)}.")
    return 0


def _resolve_backup(path: Path, given: Path) -> Path:
    """A file path as given, or the name of a copy in the database's backups folder."""
    from app.backups import backup_folder

    candidate = given.expanduser()
    if candidate.exists():
        return candidate
    in_folder = backup_folder(path) / given.name
    if given.parent == Path(".") and in_folder.exists():
        return in_folder
    raise AppError(f"Файл копии «{given}» не найден. Список копий: python main.py backups")


def _restore(path: Path, args: argparse.Namespace) -> int:
    from app.backups import backup_date, restore

    backup = _resolve_backup(path, args.file)
    if not args.yes:
        if not sys.stdin.isatty():
            raise AppError(
                "Восстановление не выполнено: нужно подтверждение. Запустите команду в терминале "
                "или добавьте --yes."
            )
        made = backup_date(backup)
        when = f" от {made.strftime('%d.%m.%Y %H:%M')}" if made else ""
        print(
            f"База данных «{path}» будет восстановлена из копии{when} «{backup}». Исправная база "
            "сначала сохранится копией «перед восстановлением», повреждённая — переименуется рядом."
        )
        try:
            answer = input("Восстановить? [д/Н] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("д", "да", "y", "yes"):
            print("Восстановление отменено, база не изменена.")
            return 1
    result = restore(path, backup)
    print(result.summary())
    return 0
