"""Command-line commands for monitoring (`monitoring …`): templates, forms out and back, export.

Wired into app/cli.py by `add_commands(commands, common)` in `build_parser()` and
`run_monitoring(database, args)` in `run_command()` when `args.command == "monitoring"`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    monitoring = commands.add_parser(
        "monitoring", help="мониторинг школ", description="Мониторинг: шаблоны, формы для школ, сводная"
    )
    sub = monitoring.add_subparsers(dest="monitoring_command", title="команды", metavar="КОМАНДА")
    sub.required = True

    templates = sub.add_parser(
        "templates",
        parents=[common],
        help="список шаблонов мониторинга",
        description="Установленные шаблоны мониторинга (встроенные устанавливаются при первом вызове)",
    )
    templates.add_argument("--json", action="store_true", help="в формате JSON")

    forms = sub.add_parser(
        "forms",
        parents=[common],
        help="выгрузить формы для школ",
        description="Формы Excel для всех школ мониторинга: по файлу на школу, с уже внесёнными значениями",
    )
    forms.add_argument("campaign", type=int, metavar="НОМЕР_МОНИТОРИНГА")
    forms.add_argument("folder", type=Path, metavar="ПАПКА")

    importing = sub.add_parser(
        "import",
        parents=[common],
        help="загрузить заполненные формы",
        description="Загрузка заполненных школами форм: принятые формы записываются одним действием, "
        "формы с ошибками не загружаются (ошибки выводятся с файлом, строкой и столбцом)",
    )
    importing.add_argument("files", type=Path, nargs="+", metavar="ФАЙЛ")
    importing.add_argument(
        "--campaign", type=int, metavar="НОМЕР", help="принимать только формы этого мониторинга"
    )
    importing.add_argument("--dry-run", action="store_true", help="только проверить файлы")

    exporting = sub.add_parser(
        "export",
        parents=[common],
        help="выгрузить сводную в Excel",
        description="Сводная мониторинга: школы × критерии с полнотой заполнения и все значения с "
        "комментариями, кто и когда их внёс",
    )
    exporting.add_argument("campaign", type=int, metavar="НОМЕР_МОНИТОРИНГА")
    exporting.add_argument("file", type=Path, metavar="ФАЙЛ")


def run_monitoring(database: Any, args: argparse.Namespace) -> int:
    """Run `monitoring …`; AppError propagates to the caller, which prints its message."""
    handler = {
        "templates": _templates,
        "forms": _forms,
        "import": _import,
        "export": _export,
    }[args.monitoring_command]
    return handler(database, args)


def _templates(database: Any, args: argparse.Namespace) -> int:
    from app.monitoring.service import MonitoringService

    service = MonitoringService(database)
    with contextlib.suppress(ImportError):  # no bundled templates in this build yet
        service.install_bundled()
    templates = service.list_templates()
    if args.json:
        payload = [
            {
                "key": t.key,
                "title": t.title,
                "version": t.version,
                "criteria": t.criteria,
                "groups": t.groups,
                "source": t.source,
            }
            for t in templates
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for t in templates:
        print(f"{t.key} (версия {t.version})  {t.title}: пунктов {t.criteria}, разделов {t.groups}")
    print(f"Всего шаблонов: {len(templates)}.")
    return 0


def _forms(database: Any, args: argparse.Namespace) -> int:
    from app.jobs import run_job
    from app.monitoring.forms import write_forms
    from app.text import plural

    paths = run_job(write_forms(database, args.campaign, args.folder))
    count = len(paths)
    print(f"Сохранено {count} {plural(count, 'форма', 'формы', 'форм')} в папке «{args.folder}».")
    return 0


def _import(database: Any, args: argparse.Namespace) -> int:
    from app.monitoring.forms import apply_forms, preview_forms

    preview = preview_forms(database, args.files, campaign_id=args.campaign)
    for issue in preview.issues:
        print(issue.text(), file=sys.stderr)
    print(preview.summary())
    if not preview.accepted:
        print("Ни одна форма не принята: в базе ничего не изменено.", file=sys.stderr)
        return 1
    if args.dry_run:
        print("Проверка без записи (--dry-run): в базе ничего не изменено.")
        return 0
    changeset = apply_forms(database, preview)
    if changeset:
        print(f"Загрузка завершена: {changeset.description}.")
    else:
        print("Загрузка завершена: изменений нет.")
    return 0


def _export(database: Any, args: argparse.Namespace) -> int:
    from app.exporting.monitoring_xlsx import export_campaign_xlsx
    from app.jobs import run_job

    path = run_job(export_campaign_xlsx(database, args.campaign, args.file))
    print(f"Сводная мониторинга выгружена в файл «{path}».")
    return 0
