"""The command line of the audit log: `audit [--since ДАТА] [--until ДАТА] [--user ИМЯ] [--find ТЕКСТ]
[--xlsx ФАЙЛ] [--json]` — who changed what and when, newest first, or the same lines in Excel."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.errors import AppError

_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[common],
        help="журнал изменений: кто, когда и что изменил",
        description="Журнал изменений базы: время, пользователь компьютера, компьютер, действие, что "
        "изменено (таблицы и поля «было → стало»). Новые записи — первыми. Записи не удаляются.",
    )
    audit.add_argument("--since", metavar="ДАТА", help="с этого дня включительно (ДД.ММ.ГГГГ)")
    audit.add_argument("--until", metavar="ДАТА", help="по этот день включительно (ДД.ММ.ГГГГ)")
    audit.add_argument("--user", default="", metavar="ИМЯ", help="только этот пользователь компьютера")
    audit.add_argument(
        "--find", default="", metavar="ТЕКСТ", help="только записи с этим текстом (без учёта регистра и ё)"
    )
    audit.add_argument("--limit", type=int, default=None, metavar="N", help="не больше N записей")
    audit.add_argument("--xlsx", type=Path, metavar="ФАЙЛ", help="выгрузить записи в книгу Excel (.xlsx)")
    audit.add_argument("--json", action="store_true", help="в формате JSON")


def parse_day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    cleaned = text.strip().rstrip("г. ").strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise AppError(f"Неверная дата «{text}» в {option}: укажите, например, 01.09.2024.")


def run_audit(database: Any, args: argparse.Namespace) -> int:
    from app.audit import AuditFilters, AuditService
    from app.jobs import run_job
    from app.text import plural

    filters = AuditFilters(
        since=parse_day(args.since, "--since"),
        until=parse_day(args.until, "--until"),
        user=args.user.strip(),
        text=args.find,
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise AppError(
            f"Начало периода ({filters.since:%d.%m.%Y}) позже его конца ({filters.until:%d.%m.%Y})."
        )
    if args.limit is not None and args.limit < 1:
        raise AppError("--limit: укажите число записей больше нуля.")
    service = AuditService(database)
    if args.xlsx is not None:
        count = run_job(service.export_xlsx(args.xlsx, filters))
        print(
            f"Журнал изменений выгружен: {count} {plural(count, 'запись', 'записи', 'записей')}, "
            f"файл «{args.xlsx}»."
        )
        return 0
    lines = service.lines(filters, limit=args.limit)
    if args.json:
        payload = [
            {
                "id": line.id,
                "at": line.at.isoformat() if line.at is not None else line.at_text,
                "user": line.os_user,
                "computer": line.computer,
                "action": line.action,
                "tables": line.tables,
                "details": line.details,
                "data": line.data,
            }
            for line in lines
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for line in lines:
        print(f"{line.at_text}  {line.os_user} ({line.computer})  {line.action}")
        if line.tables:
            print(f"    {line.tables}")
        for detail in line.details.splitlines():
            print(f"    {detail}")
    total = len(lines)
    print(f"Всего: {total} {plural(total, 'запись', 'записи', 'записей')}. Отбор: {filters.describe()}.")
    return 0
