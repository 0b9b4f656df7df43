"""Command-line commands for orders, directives and letters (`order …`) and for reading an existing
document back into data (`document import`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# main.py sets this for the commands that print, so that a partnership-map appendix is drawn with
# Qt (the ui layer); app/ itself never imports Qt. It takes the database, gives year → PNG bytes.
map_renderer_factory: Callable[[Any], Callable[[int], bytes]] | None = None


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    order = commands.add_parser(
        "order", help="приказы, распоряжения, письма", description="Приказы, распоряжения и письма"
    )
    sub = order.add_subparsers(dest="order_command", title="команды", metavar="КОМАНДА")
    sub.required = True
    listing = sub.add_parser(
        "list", parents=[common], help="журнал документов", description="Журнал документов"
    )
    listing.add_argument("--json", action="store_true", help="в формате JSON")
    listing.add_argument("--year", metavar="ГОД", help="учебный год, например 2020/2021 (по умолчанию — все)")
    for name, what, suffix in (("pdf", "PDF для печати", ".pdf"), ("docx", "документ Word", ".docx")):
        command = sub.add_parser(
            name,
            parents=[common],
            help=f"сохранить документ как {what}",
            description=f"Документ с приложениями как {what} (ГОСТ Р 7.0.97-2025). Подписанный документ "
            "выгружается в том виде, в каком был подписан.",
        )
        command.add_argument("id", type=int, metavar="НОМЕР_В_БАЗЕ", help="id из «order list»")
        command.add_argument("file", type=Path, metavar=f"ФАЙЛ{suffix.upper()}")
    register = sub.add_parser(
        "register", parents=[common], help="журнал в Excel", description="Журнал регистрации в книгу Excel"
    )
    register.add_argument("file", type=Path, metavar="ФАЙЛ.XLSX")
    register.add_argument("--year", metavar="ГОД", help="учебный год (по умолчанию — все)")
    verify = sub.add_parser(
        "verify",
        parents=[common],
        help="проверить подписанную копию",
        description="Сверяет сохранённую подписанную копию с её контрольной суммой SHA-256.",
    )
    verify.add_argument("id", type=int, metavar="НОМЕР_В_БАЗЕ")
    rollover = sub.add_parser(
        "rollover",
        parents=[common],
        help="перенести документ на следующий учебный год",
        description="Новый проект на следующий учебный год: годы в текстах сдвинуты, планы перенесены, "
        "рабочая группа скопирована.",
    )
    rollover.add_argument("id", type=int, metavar="НОМЕР_В_БАЗЕ")
    rollover.add_argument(
        "--year", metavar="ГОД", help="учебный год нового документа (по умолчанию — следующий)"
    )

    document = commands.add_parser(
        "document", help="прочитать готовый документ", description="Существующие документы"
    )
    doc_sub = document.add_subparsers(dest="document_command", title="команды", metavar="КОМАНДА")
    doc_sub.required = True
    importing = doc_sub.add_parser(
        "import",
        parents=[common],
        help="загрузить приказ из Word или текста",
        description="Читает приказ (распоряжение, письмо) из .docx или текста: реквизиты, пункты, "
        "подписывающего, приложения — планы, списки школ, рабочую группу, партнёрства — и сохраняет их "
        "как данные. Печатает JSON с тем, что создано.",
    )
    importing.add_argument("file", type=Path, metavar="ФАЙЛ")
    importing.add_argument("--dry-run", action="store_true", help="только прочитать, ничего не сохранять")


def _renderer(database: Any) -> Callable[[int], bytes] | None:
    return map_renderer_factory(database) if map_renderer_factory is not None else None


def run_order(database: Any, args: argparse.Namespace) -> int:
    command = args.order_command
    if command == "list":
        return _list(database, args)
    if command == "pdf":
        return _pdf(database, args)
    if command == "docx":
        return _docx(database, args)
    if command == "register":
        return _register(database, args)
    if command == "verify":
        return _verify(database, args)
    return _rollover(database, args)


def _list(database: Any, args: argparse.Namespace) -> int:
    from app.cli_plans import _optional_year
    from app.domain import academic_year_label
    from app.orders.service import OrderService

    summaries = OrderService(database).list_orders(_optional_year(args))
    if args.json:
        payload = [
            {
                "id": s.id,
                "kind": s.kind.value,
                "kind_label": s.kind.label,
                "number": s.number,
                "date": s.order_date.isoformat() if s.order_date else None,
                "title": s.title,
                "status": s.status.value,
                "status_label": s.status.label,
                "signer": s.signer_name,
                "academic_year": academic_year_label(s.academic_year) if s.academic_year else None,
                "appendices": s.appendix_count,
                "amends": s.amends_order_id,
            }
            for s in summaries
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not summaries:
        print("Документов нет.")
        return 0
    for s in summaries:
        date_text = f"{s.order_date:%d.%m.%Y}" if s.order_date else "без даты"
        title = " ".join(s.title.split())
        print(
            f"{s.id:>4}  {s.kind.label:<13} № {s.number or '—':<14} {date_text:<10}  {s.status.label:<9}  {title}"
        )
    return 0


def _pdf(database: Any, args: argparse.Namespace) -> int:
    from app.exporting.files import check_target, write_atomically
    from app.orders.printing import order_pdf

    path = check_target(args.file, (".pdf",), "Документ сохраняется в PDF")
    data = order_pdf(database, args.id, map_renderer=_renderer(database))
    write_atomically(path, lambda target: Path(target).write_bytes(data))
    print(f"Сохранено: {path}")
    return 0


def _docx(database: Any, args: argparse.Namespace) -> int:
    from app.exporting.order_docx import write_order_docx
    from app.orders.printing import build_document
    from app.orders.service import OrderService

    order = OrderService(database).get(args.id)
    document = build_document(database, order, map_renderer=_renderer(database))
    write_order_docx(document, args.file)
    print(f"Сохранено: {args.file}")
    return 0


def _register(database: Any, args: argparse.Namespace) -> int:
    from app.cli_plans import _optional_year
    from app.exporting.order_register_xlsx import write_register
    from app.office import OfficeService
    from app.orders.service import OrderService

    summaries = OrderService(database).list_orders(_optional_year(args))
    path = write_register(summaries, args.file, office_name=OfficeService(database).get().name)
    print(f"Сохранено: {path} (документов: {len(summaries)})")
    return 0


def _verify(database: Any, args: argparse.Namespace) -> int:
    from app.orders.service import OrderService

    result = OrderService(database).verify(args.id)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _rollover(database: Any, args: argparse.Namespace) -> int:
    from app.cli_plans import _optional_year
    from app.orders.rollover import roll_over_order

    new_id, _ = roll_over_order(database, args.id, _optional_year(args))
    print(f"Создан проект на следующий учебный год (запись {new_id} в базе).")
    return 0


def run_document(database: Any, args: argparse.Namespace) -> int:
    from app.orders.importer import apply_document_import, preview_document_import

    preview = preview_document_import(database, args.file)
    for warning in preview.warnings:
        print(f"Предупреждение: {warning}", file=sys.stderr)
    if args.dry_run:
        json.dump(preview.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    result, _ = apply_document_import(database, preview)
    json.dump(result.as_json(), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0
