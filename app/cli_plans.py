"""Command-line commands for plans of measures and deadlines (`plan …`, `deadline …`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import AppError


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    deadline = commands.add_parser(
        "deadline",
        help="понять срок, записанный словами",
        description="Разбирает срок («Октябрь-ноябрь 2020г», «до 03.02.2023», «в течение года») "
        'и печатает JSON: {"text", "kind", "start", "end"}.',
    )
    deadline.add_argument("text", metavar="ТЕКСТ")
    deadline.add_argument(
        "--period",
        metavar="НАЧАЛО:КОНЕЦ",
        help="период плана, например 2020-09-01:2021-08-31 (по умолчанию — текущий учебный год)",
    )

    plan = commands.add_parser("plan", help="планы мероприятий", description="Планы мероприятий")
    plan_commands = plan.add_subparsers(dest="plan_command", title="команды", metavar="КОМАНДА")
    plan_commands.required = True
    listing = plan_commands.add_parser(
        "list", parents=[common], help="список планов", description="Список планов мероприятий"
    )
    listing.add_argument("--json", action="store_true", help="в формате JSON")
    listing.add_argument("--year", metavar="ГОД", help="только планы учебного года, например 2020/2021")

    importing = plan_commands.add_parser(
        "import",
        parents=[common],
        help="загрузить план из Word, Excel или текста",
        description="Загрузка плана мероприятий из .docx, .xlsx, .html или текста с таблицей "
        "(строки с табуляцией, как при вставке из Word). Печатает JSON с созданными планами.",
    )
    importing.add_argument("file", type=Path, metavar="ФАЙЛ")
    importing.add_argument("--year", metavar="ГОД", help="учебный год плана (иначе — из названия)")
    importing.add_argument("--dry-run", action="store_true", help="только проверить файл")

    exporting = plan_commands.add_parser(
        "export",
        parents=[common],
        help="выгрузить план в Excel или Word",
        description="Выгрузка плана в книгу Excel (.xlsx) или документ Word (.docx)",
    )
    exporting.add_argument("plan_id", type=int, metavar="НОМЕР")
    exporting.add_argument("file", type=Path, metavar="ФАЙЛ")

    deleting = plan_commands.add_parser(
        "delete", parents=[common], help="удалить план", description="Удаляет план со всеми пунктами"
    )
    deleting.add_argument("plan_id", type=int, metavar="НОМЕР")

    rolling = plan_commands.add_parser(
        "rollover",
        parents=[common],
        help="перенести план на следующий учебный год",
        description="Копирует план на следующий учебный год: годы в сроках сдвигаются, отметки сбрасываются.",
    )
    rolling.add_argument("plan_id", type=int, metavar="НОМЕР")
    rolling.add_argument("--year", metavar="ГОД", help="учебный год копии (по умолчанию — следующий)")


def run_deadline(args: argparse.Namespace) -> int:
    from app.deadlines import academic_year_period, understand

    if args.period:
        try:
            first, last = args.period.split(":")
            start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
        except ValueError as exc:
            raise AppError(
                f"Неверный период «{args.period}»: укажите его как ГГГГ-ММ-ДД:ГГГГ-ММ-ДД, "
                "например 2020-09-01:2021-08-31."
            ) from exc
        if start > end:
            raise AppError(f"Неверный период «{args.period}»: начало позже конца.")
    else:
        today = date.today()
        start, end = academic_year_period(today.year if today.month >= 9 else today.year - 1)
    print(json.dumps(understand(args.text, start, end).as_json(), ensure_ascii=False))
    return 0


def run_plan(database: Any, args: argparse.Namespace) -> int:
    handler = {"list": _list, "import": _import, "export": _export, "rollover": _rollover, "delete": _delete}
    return handler[args.plan_command](database, args)


def _optional_year(args: argparse.Namespace) -> int | None:
    from app.domain import parse_academic_year_argument

    if not getattr(args, "year", None):
        return None
    return parse_academic_year_argument(args.year)


def _list(database: Any, args: argparse.Namespace) -> int:
    from app.domain import academic_year_label
    from app.plans.service import PlanService
    from app.text import plural

    plans = PlanService(database).list_plans(year=_optional_year(args))
    if args.json:
        payload = [
            {
                "id": p.id,
                "title": p.title,
                "kind": p.kind.label,
                "academic_year": academic_year_label(p.academic_year) if p.academic_year else None,
                "period_start": p.period_start.isoformat(),
                "period_end": p.period_end.isoformat(),
                "status": p.status.label,
                "sections": p.sections,
                "items": p.items,
                "done": p.done,
                "overdue": p.overdue,
            }
            for p in plans
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for p in plans:
        title = " ".join(p.title.split())
        year = academic_year_label(p.academic_year) if p.academic_year else "—"
        count = f"{p.items} {plural(p.items, 'пункт', 'пункта', 'пунктов')}"
        print(f"{p.id:>5}  {year}  {count:<12} {title}")
    print(f"Всего планов: {len(plans)}.")
    return 0


def _import(database: Any, args: argparse.Namespace) -> int:
    from app.importing.plan_parse import parse_file
    from app.plans.importer import apply_plan_import, preview_plan_import

    document = parse_file(args.file)
    preview = preview_plan_import(document, year=_optional_year(args), database=database)
    for issue in preview.issues:
        print(issue.text(), file=sys.stderr)
    if not preview.plans:
        raise AppError(
            f"В файле «{args.file.name}» не найдено таблицы плана мероприятий. В базе ничего не изменено."
        )
    if args.dry_run:
        print(preview.summary(), file=sys.stderr)
        print("Проверка без записи (--dry-run): в базе ничего не изменено.", file=sys.stderr)
        ids: list[int | None] = [None] * len(preview.plans)
    else:
        created, _ = apply_plan_import(database, preview)
        ids = list(created)
    payload = [
        {"id": plan_id, "title": plan.title, "sections": plan.sections, "items": plan.items}
        for plan_id, plan in zip(ids, preview.plans, strict=True)
    ]
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _export(database: Any, args: argparse.Namespace) -> int:
    from app.exporting.plan_docx import export_plan_docx
    from app.exporting.plan_xlsx import export_plan_xlsx
    from app.plans.service import PlanService
    from app.text import plural

    plan = PlanService(database).get(args.plan_id)
    suffix = args.file.suffix.lower()
    if suffix == ".docx":
        export_plan_docx(plan, args.file)
    elif suffix == ".xlsx":
        export_plan_xlsx(plan, args.file)
    else:
        raise AppError(f"План выгружается в .xlsx или .docx, а не в «{args.file.name}».")
    count = len(plan.items)
    print(
        f"План № {plan.id} выгружен: {count} {plural(count, 'пункт', 'пункта', 'пунктов')}, файл «{args.file}»."
    )
    return 0


def _rollover(database: Any, args: argparse.Namespace) -> int:
    from app.domain import academic_year_label
    from app.plans.service import PlanService

    service = PlanService(database)
    new_id, _ = service.roll_over(args.plan_id, _optional_year(args))
    plan = service.get(new_id)
    year = academic_year_label(plan.academic_year) if plan.academic_year else ""
    print(f"Создан план № {new_id} на {year} учебный год: «{' '.join(plan.title.split())}».")
    return 0


def _delete(database: Any, args: argparse.Namespace) -> int:
    from app.plans.service import PlanService

    service = PlanService(database)
    plan = service.get(args.plan_id)
    service.delete(args.plan_id)
    print(f"План № {plan.id} удалён: «{' '.join(plan.title.split())}».")
    return 0
