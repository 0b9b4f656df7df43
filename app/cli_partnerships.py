"""Command-line commands for network partnerships (`partnership …`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    partnership = commands.add_parser(
        "partnership", help="сетевое партнёрство", description="Сетевое партнёрство школ"
    )
    sub = partnership.add_subparsers(dest="partnership_command", title="команды", metavar="КОМАНДА")
    sub.required = True
    listing = sub.add_parser(
        "list", parents=[common], help="список партнёрств", description="Список партнёрств"
    )
    listing.add_argument("--json", action="store_true", help="в формате JSON")
    listing.add_argument("--year", metavar="ГОД", help="учебный год, например 2020/2021 (по умолчанию — все)")
    importing = sub.add_parser(
        "import",
        parents=[common],
        help="загрузить партнёрства из Excel или текста",
        description="Загрузка списка партнёрств: книга Excel или текст, где школы группы разделены тире "
        "(«МБОУ «Отрадненская СОШ №3» - МКОУ «Отрадненская СОШ №2»»).",
    )
    importing.add_argument("file", type=Path, metavar="ФАЙЛ")
    importing.add_argument("--year", metavar="ГОД", help="учебный год партнёрств (по умолчанию — текущий)")
    importing.add_argument("--dry-run", action="store_true", help="только проверить файл")

    map_parser = commands.add_parser(
        "map", help="карта сетевого партнёрства", description="Карта партнёрства"
    )
    map_commands = map_parser.add_subparsers(dest="map_command", title="команды", metavar="КОМАНДА")
    map_commands.required = True
    exporting = map_commands.add_parser(
        "export",
        parents=[common],
        help="сохранить карту в PNG или PDF",
        description="Карта партнёрств учебного года: рисунок PNG или PDF (A4, альбомная) с названием и "
        "легендой. Работает без экрана и без интернета.",
    )
    exporting.add_argument("file", type=Path, metavar="ФАЙЛ")
    exporting.add_argument(
        "--year", metavar="ГОД", help="учебный год, например 2020/2021 (по умолчанию — текущий)"
    )


def run_partnership(database: Any, args: argparse.Namespace, year_of: Any) -> int:
    if args.partnership_command == "list":
        return _list(database, args)
    return _import(database, args, year_of)


def _list(database: Any, args: argparse.Namespace) -> int:
    from app.cli_plans import _optional_year
    from app.domain import academic_year_label
    from app.partnerships.model import distance_km
    from app.partnerships.service import PartnershipService

    groups = PartnershipService(database).list_groups(_optional_year(args))
    if args.json:
        payload = [
            {
                "id": g.id,
                "academic_year": academic_year_label(g.academic_year),
                "kind": g.kind.label,
                "name": g.title,
                "members": [
                    {"school_id": m.school_id, "school": m.name, "role": m.role.label} for m in g.members
                ],
                "distances_km": [
                    {
                        "from": a.name,
                        "to": b.name,
                        "km": round(d, 1) if (d := distance_km(a, b)) is not None else None,
                    }
                    for a, b in g.links()
                ],
                "agreement": g.agreement_text(),
                "activities": g.activities,
                "status": g.status.label,
                "plan_items": list(g.plan_item_ids),
            }
            for g in groups
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for g in groups:
        print(f"{g.id:>5}  {academic_year_label(g.academic_year)}  {g.kind.label:<17} {g.title}")
    print(f"Всего партнёрств: {len(groups)}.")
    return 0


def _import(database: Any, args: argparse.Namespace, year_of: Any) -> int:
    from app.partnerships.importer import apply_partnership_import, preview_partnership_import

    year = year_of(args, database)
    preview = preview_partnership_import(database, args.file, year)
    for issue in preview.issues:
        print(issue.text(), file=sys.stderr)
    print(preview.summary())
    if preview.doubtful:
        print("Сомнительные совпадения названий (проверьте и подтвердите в окне программы):", file=sys.stderr)
        for line in preview.doubtful:
            print(f"  {line}", file=sys.stderr)
    if not preview.groups:
        print(
            f"Файл «{args.file.name}» не загружен: нет ни одной группы школ. В базе ничего не изменено.",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        print("Проверка без записи (--dry-run): в базе ничего не изменено.")
        return 0
    ids, _ = apply_partnership_import(database, preview)
    skipped = len(preview.groups) - len(ids)
    print(
        f"Загружено партнёрств: {len(ids)}."
        + (f" Не загружено (ждут подтверждения в окне): {skipped}." if skipped else "")
    )
    return 0
