"""The command line for batch work: `python main.py [--db FILE] COMMAND …`.

Every message is Russian, argparse's own included. A rejected file prints the same message the
window shows and exits with code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import AppError
from db.errors import DatabaseError

_RU = {
    "usage: ": "использование: ",
    "positional arguments": "аргументы",
    "options": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "expected one argument": "ожидается одно значение",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "неизвестная команда %(value)r (возможны: %(choices)s)",
    "invalid %(type)s value: %(value)r": "неверное значение: %(value)r",
}


def _russian(message: str) -> str:
    return _RU.get(message, message)


argparse._ = _russian  # type: ignore[attr-defined]  # argparse looks its strings up through `_`


def build_parser() -> argparse.ArgumentParser:
    db_help = "файл базы данных (по умолчанию — в папке данных пользователя)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS, metavar="ФАЙЛ", help=db_help)

    parser = argparse.ArgumentParser(
        prog="opora",
        description="«Опора» — поддержка школ с низкими образовательными результатами. "
        "Без команды запускается окно программы.",
    )
    parser.add_argument("--db", type=Path, default=None, metavar="ФАЙЛ", help=db_help)
    parser.add_argument("--version", action="store_true", help="показать версию программы и выйти")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="проверить установку (модули, библиотеки, шрифты, шаблоны, перевод Qt, папка данных) и выйти",
    )
    commands = parser.add_subparsers(dest="command", title="команды", metavar="КОМАНДА")

    commands.add_parser(
        "demo",
        parents=[common],
        help="создать демонстрационный район в новой базе",
        description="Заполняет новую пустую базу данными Кировского муниципального района "
        "(распоряжение № 149 от 27.08.2020).",
    )

    schools = commands.add_parser("schools", help="реестр школ", description="Реестр школ")
    school_commands = schools.add_subparsers(dest="schools_command", title="команды", metavar="КОМАНДА")
    school_commands.required = True
    listing = school_commands.add_parser(
        "list", parents=[common], help="вывести список школ", description="Список школ реестра"
    )
    listing.add_argument("--json", action="store_true", help="в формате JSON")
    listing.add_argument("--year", metavar="ГОД", help="учебный год для категорий, например 2020/2021")
    listing.add_argument("--archived", action="store_true", help="включить школы из архива")

    importing = school_commands.add_parser(
        "import",
        parents=[common],
        help="загрузить школы из Excel",
        description="Загрузка реестра из файла Excel (.xlsx, .xls, .ods)",
    )
    importing.add_argument("file", type=Path, metavar="ФАЙЛ")
    importing.add_argument(
        "--dry-run", action="store_true", help="только проверить файл и показать, что изменится"
    )

    exporting = school_commands.add_parser(
        "export",
        parents=[common],
        help="выгрузить реестр в Excel",
        description="Выгрузка реестра в оформленный файл Excel (.xlsx)",
    )
    exporting.add_argument("file", type=Path, metavar="ФАЙЛ")
    exporting.add_argument("--year", metavar="ГОД", help="учебный год для категорий")
    exporting.add_argument("--archived", action="store_true", help="включить школы из архива")

    from app import cli_plans

    cli_plans.add_commands(commands, common)
    from app import cli_partnerships

    cli_partnerships.add_commands(commands, common)
    from app import cli_monitoring

    cli_monitoring.add_commands(commands, common)
    from app import cli_orders

    cli_orders.add_commands(commands, common)
    from app import cli_results

    cli_results.add_commands(commands, common)
    from app import cli_identify

    cli_identify.add_commands(commands, common)
    from app import cli_audit

    cli_audit.add_commands(commands, common)
    from app import cli_backups

    cli_backups.add_commands(commands, common)
    return parser


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def run_command(args: argparse.Namespace) -> int:
    from app.paths import default_database_path
    from db import open_database

    if args.command == "deadline":  # needs no database
        from app.cli_plans import run_deadline

        try:
            return run_deadline(args)
        except AppError as exc:
            return _fail(exc.message)

    if args.command == "rules":  # needs no database
        from app.cli_identify import run_rules_command

        try:
            return run_rules_command(args)
        except AppError as exc:
            return _fail(exc.message)

    if args.command in ("restore", "check", "backups"):  # before open_database: the file may be damaged
        from app.cli_backups import run_before_open

        return run_before_open(args, args.db or default_database_path())

    path: Path = args.db or default_database_path()
    if args.db is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        database = open_database(path)
    except DatabaseError as exc:
        from app.cli_backups import restore_hint
        from db.errors import CorruptDatabaseError, NotADatabaseError

        damaged = isinstance(exc, CorruptDatabaseError | NotADatabaseError)
        return _fail(exc.message + (restore_hint(path) if damaged else ""))
    try:
        if args.command == "demo":
            return _demo(database)
        if args.command == "schools":
            handler = {"list": _schools_list, "import": _schools_import, "export": _schools_export}
            return handler[args.schools_command](database, args)
        if args.command == "monitoring":
            from app.cli_monitoring import run_monitoring

            return run_monitoring(database, args)
        if args.command == "partnership":
            from app.cli_partnerships import run_partnership

            return run_partnership(database, args, _year)
        if args.command == "order":
            from app.cli_orders import run_order

            return run_order(database, args)
        if args.command == "document":
            from app.cli_orders import run_document

            return run_document(database, args)
        if args.command == "results":
            from app.cli_results import run_results

            return run_results(database, args)
        if args.command in ("identify", "lists"):
            from app.cli_identify import run_identify

            return run_identify(database, args, _year)
        if args.command == "plan":
            from app.cli_plans import run_plan

            return run_plan(database, args)
        if args.command == "audit":
            from app.cli_audit import run_audit

            return run_audit(database, args)
        if args.command == "backup":
            from app.cli_backups import run_backup

            return run_backup(database, args)
        return _fail(f"Неизвестная команда: {args.command}")
    except (AppError, DatabaseError) as exc:
        return _fail(exc.message)
    except BrokenPipeError:  # `… | head`: the reader has seen enough
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:  # never a traceback in the user's face: log it, say where
        log_file = _log_unexpected()
        return _fail(
            "Внутренняя ошибка программы; данные, сохранённые до неё, не потеряны. "
            f"Подробности записаны в журнал «{log_file}»."
        )
    finally:
        database.close()


def _log_unexpected() -> Path:
    import logging
    import traceback

    from app.paths import log_dir

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    log_file = folder / "opora.log"
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(f"--- {logging.Formatter().formatTime(logging.makeLogRecord({}))}\n")
        handle.write(traceback.format_exc())
    return log_file


def _year(args: argparse.Namespace, database: Any) -> int:
    from app.domain import parse_academic_year_argument
    from app.office import OfficeService, current_academic_year

    if getattr(args, "year", None):
        return parse_academic_year_argument(args.year)
    stored = OfficeService(database).setting("current_year")
    return int(stored) if stored.isdigit() else current_academic_year()


def _demo(database: Any) -> int:
    from app.demo import create_demo
    from app.text import plural

    count = create_demo(database)
    print(
        f"Создан демонстрационный район: {count} {plural(count, 'школа', 'школы', 'школ')}, "
        f"база «{database.path}»."
    )
    return 0


def _schools_list(database: Any, args: argparse.Namespace) -> int:
    from app.domain import academic_year_label
    from app.schools import SchoolService

    year = _year(args, database)
    schools = SchoolService(database).list_schools(year=year, include_archived=args.archived)
    if args.json:
        payload = [
            {
                "id": s.id,
                "full_name": s.full_name,
                "short_name": s.short_name,
                "kind": s.kind.label,
                "branch_of": s.parent_name or None,
                "locality": s.locality.label,
                "settlement": s.settlement,
                "address": s.address,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "director": s.director,
                "phone": s.phone,
                "email": s.email,
                "students": s.students,
                "inn": s.inn,
                "fis_login": s.fis_login,
                "archived": s.is_archived,
                "archive_reason": s.archive_reason or None,
                "academic_year": academic_year_label(year),
                "categories": [
                    {
                        "category": c.category.label,
                        "reason": c.reason,
                        "source": c.source.label,
                        "document": c.document_ref,
                    }
                    for c in s.categories
                ],
            }
            for s in schools
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for s in schools:
        cats = ", ".join(c.category.label for c in s.categories)
        mark = " [архив]" if s.is_archived else ""
        print(f"{s.id:>5}  {s.display_name}{mark}" + (f"  — {cats}" if cats else ""))
    print(f"Всего: {len(schools)}. Категории за {academic_year_label(year)} учебный год.")
    return 0


def _schools_import(database: Any, args: argparse.Namespace) -> int:
    from app.importing.registry_import import apply_registry_import, preview_registry_import
    from app.jobs import run_job

    preview = run_job(preview_registry_import(database, args.file))
    for issue in preview.issues():
        print(issue.text(), file=sys.stderr)
    print(preview.summary())
    if preview.error_count():
        return _fail(
            f"Файл «{args.file.name}» не загружен: исправьте ошибки и повторите. В базе ничего не изменено."
        )
    if args.dry_run:
        print("Проверка без записи (--dry-run): в базе ничего не изменено.")
        return 0
    run_job(apply_registry_import(database, preview))
    print("Загрузка завершена.")
    return 0


def _schools_export(database: Any, args: argparse.Namespace) -> int:
    from app.exporting.registry_export import export_registry
    from app.jobs import run_job

    year = _year(args, database)
    from app.text import plural

    count = run_job(export_registry(database, args.file, year=year, include_archived=args.archived))
    print(f"Реестр выгружен: {count} {plural(count, 'школа', 'школы', 'школ')}, файл «{args.file}».")
    return 0
