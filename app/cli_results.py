"""Command-line commands for assessment results (`results …`): importing ФИС ОКО reports and the flat
template, writing the empty template."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    results = commands.add_parser(
        "results", help="результаты ВПР, ОГЭ, ЕГЭ", description="Результаты оценочных процедур"
    )
    sub = results.add_subparsers(dest="results_command", title="команды", metavar="КОМАНДА")
    sub.required = True
    importing = sub.add_parser(
        "import",
        parents=[common],
        help="загрузить отчёты ФИС ОКО и шаблон результатов",
        description="Загрузка отчётов ФИС ОКО «Статистика по отметкам» и «Сравнение отметок с отметками "
        "по журналу», а также шаблона результатов ОГЭ/ЕГЭ и показателей контекста (.xlsx, .xls, .ods). "
        "Школы сопоставляются с реестром по логину ФИС ОКО, ИНН или названию; сомнительные совпадения "
        "названий не загружаются без --accept-doubtful.",
    )
    importing.add_argument("files", type=Path, nargs="+", metavar="ФАЙЛ")
    importing.add_argument(
        "--year", metavar="ГОД", help="учебный год для файлов, где он не указан, например 2020/2021"
    )
    importing.add_argument(
        "--accept-doubtful",
        action="store_true",
        help="загрузить и строки школ, найденных по названию с сомнением (лучшее совпадение)",
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="только проверить файлы, ничего не сохранять"
    )
    importing.add_argument("--json", action="store_true", help="отчёт о загрузке в формате JSON")
    template = sub.add_parser(
        "template",
        parents=[common],
        help="сохранить пустой шаблон результатов",
        description="Пустой оформленный шаблон Excel для результатов ОГЭ, ЕГЭ, РКР и показателей контекста.",
    )
    template.add_argument("file", type=Path, metavar="ФАЙЛ.XLSX")


def run_results(database: Any, args: argparse.Namespace) -> int:
    if args.results_command == "template":
        from app.results.flat import write_flat_template

        path = write_flat_template(args.file)
        print(f"Шаблон результатов сохранён: «{path}».")
        return 0
    return _import(database, args)


def _import(database: Any, args: argparse.Namespace) -> int:
    from app.domain import parse_academic_year_argument
    from app.results.importer import apply_results_import, preview_results_import
    from app.text import plural

    year = parse_academic_year_argument(args.year) if args.year else None
    preview = preview_results_import(database, args.files, year=year)
    if args.accept_doubtful:
        preview.accept_doubtful()
    rejected = preview.rejected_files
    saved = 0
    if not rejected and not args.dry_run and (preview.results() or preview.context()):
        apply_results_import(database, preview)
        saved = len(preview.results())
    if args.json:
        json.dump(_payload(preview, saved, args), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for issue in preview.issues():
            print(f"{issue.severity.label}. {issue.text()}", file=sys.stderr)
        print(preview.summary())
        pending = [m for m in preview.doubtful if not m.confirmed]
        if pending:
            print(
                "Школы, найденные по названию с сомнением (их строки не загружены; проверьте и повторите "
                "с --accept-doubtful или подтвердите в окне программы):"
            )
            for match in pending:
                print(
                    f"  «{match.text}» → {match.school_name} (сходство {match.score:.2f}); {match.places[0]}"
                )
        if preview.not_found:
            print("Школы, которых нет в реестре (не загружены):")
            for name, place in preview.not_found:
                print(f"  «{name}» ({place})")
    if rejected:
        names = ", ".join(f"«{f.path.name}»" for f in rejected)
        # the reasons are printed above (or are in the JSON): here only what it means for the base
        print(
            f"{plural(len(rejected), 'Файл', 'Файлы', 'Файлы')} {names} не "
            f"{plural(len(rejected), 'загружен', 'загружены', 'загружены')} (причины — выше). "
            "В базе ничего не изменено.",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        print(
            "Проверка без записи (--dry-run): в базе ничего не изменено.",
            file=sys.stderr if args.json else sys.stdout,
        )
    elif not saved and not preview.context():
        print(
            "Нечего загружать: ни одна строка не прошла проверку. В базе ничего не изменено.", file=sys.stderr
        )
        return 1
    elif not args.json:
        context = len(preview.context())
        print(
            f"Загружено строк результатов: {saved}"
            + (f", показателей контекста: {context}." if context else ".")
        )
    return 0


def _payload(preview: Any, saved: int, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "files": [
            {
                "file": str(f.path),
                "kinds": f.kinds(),
                "lines": f.lines,
                "matched": f.matched,
                "aggregates": f.aggregates,
                "not_found": f.not_found,
                "doubtful": f.doubtful,
                "skipped": f.skipped,
                "rejected": f.rejection() if f.rejected else None,
            }
            for f in preview.files
        ],
        "doubtful": [
            {
                "name": m.text,
                "school_id": m.school_id,
                "school": m.school_name,
                "score": m.score,
                "accepted": m.confirmed,
                "candidates": [{"school_id": i, "school": n, "score": s} for i, n, s in m.candidates],
                "places": m.places,
            }
            for m in preview.doubtful
        ],
        "not_found": [{"name": name, "place": place} for name, place in preview.not_found],
        "issues": [
            {
                "file": i.file_name,
                "row": i.row,
                "column": i.column,
                "column_title": i.column_title,
                "severity": i.severity.value,
                "message": i.message,
            }
            for i in preview.issues()
        ],
        "results": len(preview.results()),
        "context": len(preview.context()),
        "saved": saved,
        "dry_run": bool(args.dry_run),
    }
