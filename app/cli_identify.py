"""Command-line commands for the target lists: `identify` (run the rules), `lists …` (the history,
decisions, the Excel export) and `rules template` (the default thresholds for an office to edit)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import AppError


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    identify = commands.add_parser(
        "identify",
        parents=[common],
        help="предложить списки ШНРО, ШФНСУ и школ с признаками необъективности",
        description="Применяет правила к результатам оценочных процедур за три учебных года (по умолчанию — три "
        "года до года списка: списки на 2020/2021 составляются в августе 2020 года по результатам "
        "2017/18–2019/20; параметр results_before_list_year файла правил) и к показателям контекста школ; "
        "каждое предложение — с правилом, цифрами и порогами. "
        "Расчёт сохраняется вместе с правилами, чтобы его можно было воспроизвести.",
    )
    identify.add_argument(
        "--year", metavar="ГОД", help="учебный год, например 2020/2021 (по умолчанию — текущий)"
    )
    identify.add_argument(
        "--rules", type=Path, metavar="ФАЙЛ.JSON", help="файл правил (см. «rules template»)"
    )
    identify.add_argument("--json", action="store_true", help="в формате JSON")
    identify.add_argument("--dry-run", action="store_true", help="только рассчитать, ничего не сохранять")
    identify.add_argument("--note", default="", metavar="ТЕКСТ", help="примечание к расчёту")

    lists = commands.add_parser(
        "lists", help="списки школ по категориям", description="Списки школ по категориям"
    )
    sub = lists.add_subparsers(dest="lists_command", title="команды", metavar="КОМАНДА")
    sub.required = True
    exporting = sub.add_parser(
        "export",
        parents=[common],
        help="выгрузить списки года в Excel",
        description="Списки учебного года по категориям (ШНРО, ШФНСУ, признаки необъективности) с основаниями — "
        "книга Excel, по листу на категорию, готовая к печати.",
    )
    exporting.add_argument("file", type=Path, metavar="ФАЙЛ.XLSX")
    exporting.add_argument("--year", metavar="ГОД", help="учебный год (по умолчанию — текущий)")
    history = sub.add_parser(
        "runs", parents=[common], help="история расчётов", description="Расчёты списков по учебным годам"
    )
    history.add_argument("--year", metavar="ГОД", help="учебный год (по умолчанию — все)")
    history.add_argument("--json", action="store_true", help="в формате JSON")
    show = sub.add_parser(
        "show", parents=[common], help="предложения расчёта", description="Предложения одного расчёта"
    )
    show.add_argument("run", type=int, metavar="НОМЕР_РАСЧЁТА", help="номер из «lists runs»")
    show.add_argument("--json", action="store_true", help="в формате JSON")
    decide = sub.add_parser(
        "decide",
        parents=[common],
        help="принять или отклонить предложение",
        description="Принятое предложение вносит школу в список категории на учебный год (источник — расчёт "
        "по правилам); отклонение снимает то, что внесло это предложение.",
    )
    decide.add_argument("proposal", type=int, metavar="НОМЕР_ПРЕДЛОЖЕНИЯ", help="номер из «lists show»")
    decide.add_argument(
        "decision",
        choices=("принять", "отклонить", "отменить"),
        metavar="РЕШЕНИЕ",
        help="принять, отклонить или отменить (вернуть «не рассмотрено»)",
    )

    rules = commands.add_parser("rules", help="правила выявления", description="Правила выявления школ")
    rules_sub = rules.add_subparsers(dest="rules_command", title="команды", metavar="КОМАНДА")
    rules_sub.required = True
    template = rules_sub.add_parser(
        "template",
        help="записать правила по умолчанию в файл",
        description="Записывает пороговые значения по умолчанию (критерии приказа № 98/1 Ельнинского района, "
        "рекомендации ФИОКО) в файл JSON: измените значения своего региона и передайте файл в "
        "«identify --rules».",
    )
    template.add_argument("file", type=Path, metavar="ФАЙЛ.JSON")


def run_rules_command(args: argparse.Namespace) -> int:
    """`rules template FILE.json` (needs no database)."""
    from app.exporting.files import check_target, write_atomically
    from app.results.rules import RuleSettings

    path = check_target(args.file, (".json",), "Правила сохраняются в файл JSON")
    text = RuleSettings().to_json() + "\n"
    write_atomically(path, lambda target: Path(target).write_text(text, encoding="utf-8"))
    print(f"Правила по умолчанию записаны в «{path}». Измените значения в разделе «rules».")
    return 0


def run_identify(database: Any, args: argparse.Namespace, year_of: Any) -> int:
    if args.command == "identify":
        return _identify(database, args, year_of(args, database))
    command = args.lists_command
    if command == "export":
        return _export(database, args, year_of(args, database))
    if command == "runs":
        return _runs(database, args)
    if command == "show":
        return _show(database, args)
    return _decide(database, args)


def _proposal_json(p: Any, names: dict[int, str]) -> dict[str, Any]:
    from app.domain import Category
    from app.results.rules import RULES

    payload = {
        "school_id": p.school_id,
        "school": getattr(p, "school_name", "") or names.get(p.school_id, ""),
        "category": p.category,
        "category_label": Category(p.category).label,
        "rule": p.rule,
        "rule_title": RULES[p.rule].title,
        "explanation": p.explanation,
        "figures": p.figures,
        "thresholds": p.thresholds,
        "weak_evidence": p.weak_evidence,
    }
    if getattr(p, "id", 0):
        payload = {"id": p.id, **payload, "decision": p.decision}
    return payload


def _identify(database: Any, args: argparse.Namespace, year: int) -> int:
    from app.domain import Category, academic_year_label
    from app.results.identification import IdentificationService
    from app.results.rules import RuleSettings, load_rules
    from app.schools import SchoolService
    from app.text import plural

    settings = load_rules(args.rules) if args.rules else RuleSettings()
    service = IdentificationService(database)
    outcome = service.compute(year, settings)
    run_id = None
    if not args.dry_run:
        run_id, _ = service.store(year, settings, outcome, args.note)
    names = {s.id: s.display_name for s in SchoolService(database).list_schools()}
    if args.json:
        first, last = outcome.data_years or service.data_years(year, settings)
        payload = {
            "academic_year": academic_year_label(year),
            "results_years": [academic_year_label(first), academic_year_label(last)],
            "missing_years": [academic_year_label(y) for y in outcome.missing_years],
            "run_id": run_id,
            "stored": run_id is not None,
            "rules": settings.to_dict(),
            "not_applied": outcome.not_applied,
            "proposals": [_proposal_json(p, names) for p in outcome.proposals],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for p in outcome.proposals:
        weak = " [слабое основание]" if p.weak_evidence else ""
        print(
            f"{Category(p.category).label:<25} {names.get(p.school_id, p.school_id)}{weak}\n    {p.explanation}"
        )
    from app.results.identification import missing_years_note
    from app.results.rules import RULES

    if outcome.missing_years:
        print(f"Внимание: {missing_years_note(outcome.missing_years)}.", file=sys.stderr)
    for rule, reason in outcome.not_applied.items():
        title = RULES[rule].title if rule in RULES else rule
        print(f"Не применено правило «{title}»: {reason}", file=sys.stderr)
    from app.results.rules import years_label

    schools = len({p.school_id for p in outcome.proposals})
    count = len(outcome.proposals)
    first, last = outcome.data_years or service.data_years(year, settings)
    print(
        f"Предложений: {count} ({schools} {plural(schools, 'школа', 'школы', 'школ')}) на "
        f"{academic_year_label(year)} учебный год по результатам {years_label(first, last)}. "
        + (f"Расчёт сохранён под номером {run_id}." if run_id else "Проверка без записи (--dry-run).")
    )
    return 0


def _export(database: Any, args: argparse.Namespace, year: int) -> int:
    from app.domain import Category
    from app.exporting.lists_xlsx import export_lists_xlsx
    from app.office import OfficeService
    from app.results.identification import IdentificationService

    service = IdentificationService(database)
    lists = {category: service.accepted_list(year, category) for category in Category}
    path = export_lists_xlsx(lists, year, args.file, office_name=OfficeService(database).get().name)
    counts = ", ".join(f"{c.label} — {len(v)}" for c, v in lists.items())
    print(f"Сохранено: {path} ({counts})")
    return 0


def _runs(database: Any, args: argparse.Namespace) -> int:
    from app.cli_plans import _optional_year
    from app.domain import academic_year_label
    from app.results.identification import IdentificationService

    service = IdentificationService(database)
    runs = service.runs(_optional_year(args))
    out_of_date = {r.id for r in runs if service.is_out_of_date(r)}
    if args.json:
        payload = [
            {
                "id": r.id,
                "academic_year": academic_year_label(r.academic_year),
                "created_at": r.created_at,
                "note": r.note,
                "proposals": r.proposals,
                "accepted": r.accepted,
                "rejected": r.rejected,
                "not_applied": r.not_applied,
                "results_years": [academic_year_label(y) for y in r.data_years] if r.data_years else None,
                "missing_years": [academic_year_label(y) for y in r.missing_years],
                "out_of_date": r.id in out_of_date,
                "rules": json.loads(r.rules_json).get("rules", {}),
            }
            for r in runs
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not runs:
        print("Расчётов нет.")
        return 0
    for r in runs:
        print(
            f"{r.id:>4}  {academic_year_label(r.academic_year)}  {r.date_text}  предложений {r.proposals}, "
            f"принято {r.accepted}, отклонено {r.rejected}"
            + (f"  — {r.note}" if r.note else "")
            + ("  [устарел: результаты изменились после расчёта]" if r.id in out_of_date else "")
        )
    return 0


def _show(database: Any, args: argparse.Namespace) -> int:
    from app.domain import Category
    from app.results.identification import DECISION_LABELS, IdentificationService

    service = IdentificationService(database)
    service.get_run(args.run)
    proposals = service.proposals(args.run)
    if args.json:
        json.dump([_proposal_json(p, {}) for p in proposals], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for p in proposals:
        weak = " [слабое основание]" if p.weak_evidence else ""
        print(
            f"{p.id:>6}  {DECISION_LABELS[p.decision]:<14} {Category(p.category).label:<25} "
            f"{p.school_name}{weak}\n        {p.explanation}"
        )
    return 0


def _decide(database: Any, args: argparse.Namespace) -> int:
    from app.results.identification import IdentificationService

    decision = {"принять": "accepted", "отклонить": "rejected", "отменить": "pending"}.get(args.decision)
    if decision is None:
        raise AppError(f"Неизвестное решение «{args.decision}»: принять, отклонить или отменить.")
    service = IdentificationService(database)
    proposal = service.get_proposal(args.proposal)
    changes = service.decide(args.proposal, decision)
    from app.results.rules import RULES

    rule = RULES[proposal.rule].title if proposal.rule in RULES else proposal.rule
    print(
        f"{changes.description} (правило: {rule})"
        if changes
        else "Решение уже принято ранее: ничего не изменено."
    )
    if changes and decision == "accepted" and proposal.weak_evidence:
        print(
            "Внимание: предложение основано на малой выборке участников (слабое основание): по правилам "
            "это не доказательство. Отменить решение: «lists decide … отменить».",
            file=sys.stderr,
        )
    return 0
