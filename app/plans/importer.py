"""Parsed plan documents → plans in the database: a preview first, then one transaction.

The parsers in app/importing/plan_parse.py turn Word, Excel, pasted tables and the seeds' text
into neutral structures; this module decides the period, understands the deadlines, links target
schools and responsible bodies, and writes everything as one undoable step.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.deadlines import academic_year_period, understand
from app.domain import academic_year_label
from app.importing.errors import database_errors
from app.importing.report import ImportIssue, Severity
from app.plans.model import ColumnRole, PlanColumn, PlanKind
from app.plans.service import ResponsibleBodies, clean_multiline, columns_json, deadline_values
from app.text import match_key
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

_ACADEMIC = re.compile(r"((?:19|20)\d\d)\s*[-–—/]\s*((?:19|20)\d\d)")
_FOR_SCHOOL_YEAR = re.compile(r"\bна\s+((?:19|20)\d\d)\s*[-–—/]\s*((?:19|20)\d\d)\s+учебн", re.IGNORECASE)
_CALENDAR_YEAR = re.compile(r"\bна\s+((?:19|20)\d\d)\s*(?:год|г\.)", re.IGNORECASE)
_HAS_YEAR = re.compile(r"(?:19|20)\d\d|\d{1,2}\.\d{1,2}\.\d{2}")
_DOCUMENT_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.\s*((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True)
class PlanPreview:
    """One plan of the document as it will be created."""

    title: str
    kind: PlanKind
    academic_year: int
    period_start: date
    period_end: date
    columns: tuple[PlanColumn, ...]
    sections: int
    items: int
    undated: int  # deadlines with no dates by design (по запросу, по плану…)
    not_understood: list[tuple[int, str]]  # (source row, text) kept and flagged
    parsed: Any = field(repr=False, compare=False)


@dataclass(frozen=True)
class PlanImportPreview:
    source_name: str
    plans: list[PlanPreview]
    issues: list[ImportIssue]

    def summary(self) -> str:
        if not self.plans:
            return f"В файле «{self.source_name}» не найдено ни одного плана мероприятий."
        parts = []
        for plan in self.plans:
            text = f"«{_short(plan.title)}»: пунктов {plan.items}"
            if plan.sections:
                text += f", разделов {plan.sections}"
            parts.append(text)
        flagged = sum(len(p.not_understood) for p in self.plans)
        tail = (
            f" Сроков, которые программа не поняла (сохранятся как написаны, будут отмечены): {flagged}."
            if flagged
            else ""
        )
        return f"Будет создано планов: {len(self.plans)} — " + "; ".join(parts) + "." + tail


def _academic_year_of(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def guess_plan_period(
    title: str, text_before: str = "", default_year: int | None = None
) -> tuple[int, date, date]:
    """The plan's academic year and period, read from its title or the document above it.

    «на 2020-2021 учебный год» → that school year; «на 2019–2021 гг.» → the school years
    from 1 Sep 2019 to 31 Aug 2021;
    «на 2021 год» → the calendar year; otherwise the year of the document's date («от 15.01.2021»).
    """
    for match in _ACADEMIC.finditer(title or ""):
        first, last = int(match.group(1)), int(match.group(2))
        if last == first + 1:
            return (first, *academic_year_period(first))
        if first < last <= first + 6:
            return first, date(first, 9, 1), date(last, 8, 31)
    calendar = _CALENDAR_YEAR.search(title or "")
    if calendar:
        year = int(calendar.group(1))
        return year - 1, date(year, 1, 1), date(year, 12, 31)
    for match in _FOR_SCHOOL_YEAR.finditer(text_before or ""):
        first, last = int(match.group(1)), int(match.group(2))
        if last == first + 1:
            return (first, *academic_year_period(first))
    dated = _DOCUMENT_DATE.search(text_before or "")
    if dated:
        try:
            signed = date(int(dated.group(3)), int(dated.group(2)), int(dated.group(1)))
        except ValueError:
            signed = None
        if signed is not None:
            # An order of late August approves the plan of the school year about to begin.
            year = signed.year if signed.month >= 8 else signed.year - 1
            return (year, *academic_year_period(year))
    year = default_year if default_year is not None else _academic_year_of(date.today())
    return (year, *academic_year_period(year))


def guess_kind(title: str) -> PlanKind:
    folded = title.lower()
    if "дорожн" in folded:
        return PlanKind.ROADMAP
    if folded.startswith("комплекс"):
        return PlanKind.COMPLEX
    if folded.startswith("программ"):
        return PlanKind.PROGRAM
    return PlanKind.PLAN


def year_from_deadlines(texts: list[str]) -> int | None:
    """The school year of the earliest deadline that names its own year («сентябрь 2025»), for
    a plan whose title and document say nothing of its year (a table pasted on its own)."""
    dates = []
    for text in texts:
        if not _HAS_YEAR.search(text or ""):
            continue
        deadline = understand(text, date(2000, 9, 1), date(2001, 8, 31))
        first = deadline.start or deadline.end
        if deadline.understood and first is not None and first.year >= 1990:
            dates.append(first)
    return _academic_year_of(min(dates)) if dates else None


def preview_plan_import(
    document: Any,
    *,
    year: int | None = None,
    default_year: int | None = None,
    database: Database | None = None,
) -> PlanImportPreview:
    """Decide year, period and kind of each parsed plan and read its deadlines.

    With `database`, a plan that is already there (same title and year) is pointed out.
    """
    previews: list[PlanPreview] = []
    issues: list[ImportIssue] = []
    existing: dict[tuple[str, int | None], int] = {}
    if database is not None:
        for row in database.query("SELECT id, title, academic_year FROM plans ORDER BY id"):
            existing.setdefault((match_key(row["title"]), row["academic_year"]), row["id"])
    for parsed in document.plans:
        items = [item for section in parsed.sections for item in section.items]
        if year is not None:
            plan_year, (start, end) = year, academic_year_period(year)
        else:
            from_deadlines = year_from_deadlines([item.deadline for item in items])
            plan_year, start, end = guess_plan_period(
                parsed.title,
                document.text_before,
                from_deadlines if from_deadlines is not None else default_year,
            )
        undated = 0
        flagged: list[tuple[int, str]] = []
        outside = 0
        for item in items:
            values = deadline_values(item.deadline, start, end)
            if not values["deadline_understood"]:
                flagged.append((item.source_row, item.deadline))
                issues.append(
                    ImportIssue(
                        document.source_name,
                        item.source_row,
                        "",
                        "Сроки",
                        f"срок «{_short(item.deadline, 80)}» не распознан: он сохранится как написан и будет отмечен в плане",
                        Severity.WARNING,
                    )
                )
            elif values["deadline_kind"] == "undated":
                undated += 1
            elif _outside(values, start, end):
                outside += 1
                issues.append(
                    ImportIssue(
                        document.source_name,
                        item.source_row,
                        "",
                        "Сроки",
                        f"срок «{_short(item.deadline, 80)}» вне периода плана "
                        f"({start:%d.%m.%Y} – {end:%d.%m.%Y}): проверьте учебный год или сам срок",
                        Severity.WARNING,
                    )
                )
        for warning in getattr(parsed, "warnings", []) or []:
            issues.append(_issue_from_warning(document.source_name, warning))
        title = parsed.title or f"План мероприятий на {academic_year_label(plan_year)} учебный год"
        twin = existing.get((match_key(clean_multiline(title)), plan_year))
        if twin is not None:
            issues.append(
                ImportIssue(
                    document.source_name,
                    None,
                    "",
                    "",
                    f"план «{_short(title, 80)}» на {academic_year_label(plan_year)} учебный год уже есть "
                    f"(план № {twin}): загрузка создаст его второй экземпляр",
                    Severity.WARNING,
                )
            )
        previews.append(
            PlanPreview(
                title=title,
                kind=guess_kind(parsed.title or ""),
                academic_year=plan_year,
                period_start=start,
                period_end=end,
                columns=tuple(PlanColumn(ColumnRole(str(c.role)), c.title) for c in parsed.columns),
                sections=sum(1 for s in parsed.sections if s.title),
                items=len(items),
                undated=undated,
                not_understood=flagged,
                parsed=parsed,
            )
        )
    return PlanImportPreview(document.source_name, previews, issues)


def apply_plan_import(database: Database, preview: PlanImportPreview) -> tuple[list[int], ChangeSet]:
    """Create every previewed plan in one transaction; one undo step removes them all."""
    created: list[int] = []
    description = (
        f"Загрузка плана из «{preview.source_name}»"
        if len(preview.plans) == 1
        else f"Загрузка планов ({len(preview.plans)}) из «{preview.source_name}»"
    )
    with database_errors(database), database.atomic() as conn:
        recorder = ChangeRecorder(conn, description)
        schools = _SchoolNames(conn)
        bodies = ResponsibleBodies(conn, recorder)
        for position, plan in enumerate(preview.plans, start=1):
            conn.execute(
                "INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (plan.academic_year,)
            )
            plan_id = recorder.insert(
                "plans",
                {
                    "title": clean_multiline(plan.title),
                    "kind": plan.kind.value,
                    "academic_year": plan.academic_year,
                    "period_start": plan.period_start.isoformat(),
                    "period_end": plan.period_end.isoformat(),
                    "columns": columns_json(plan.columns),
                    "source": preview.source_name,
                    "source_position": position,
                },
            )
            created.append(plan_id)
            section_position = 0
            for section in plan.parsed.sections:
                section_id = None
                if section.title:
                    section_position += 1
                    section_id = recorder.insert(
                        "plan_sections",
                        {
                            "plan_id": plan_id,
                            "position": section_position,
                            "title": clean_multiline(section.title),
                        },
                    )
                for item_position, item in enumerate(section.items, start=1):
                    item_id = recorder.insert(
                        "plan_items",
                        {
                            "plan_id": plan_id,
                            "section_id": section_id,
                            "position": item_position,
                            "number": " ".join(item.number.split()).rstrip("."),
                            "measure": clean_multiline(item.measure),
                            **deadline_values(
                                clean_multiline(item.deadline), plan.period_start, plan.period_end
                            ),
                            "responsible": clean_multiline(item.responsible),
                            "result": clean_multiline(item.result),
                            "schools_text": clean_multiline(item.schools),
                            "extra": json.dumps(dict(item.other or {}), ensure_ascii=False),
                        },
                    )
                    for school_id in schools.find_all(item.schools):
                        recorder.insert("plan_item_schools", {"item_id": item_id, "school_id": school_id})
                    bodies.link(item_id, item.responsible)
    return created, recorder.changeset


class _SchoolNames:
    """Finds registry schools named in a plan's «ОО» cell (full or short names)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.keys: list[tuple[str, int]] = []
        for row in conn.execute("SELECT id, full_name, short_name FROM schools WHERE archived_at IS NULL"):
            for name in (row["full_name"], row["short_name"]):
                key = match_key(name or "")
                if len(key) >= 6:
                    self.keys.append((key, row["id"]))

    def find_all(self, text: str) -> list[int]:
        if not text or not self.keys:
            return []
        haystack = match_key(text)
        found: list[int] = []
        for key, school_id in self.keys:
            if key in haystack and school_id not in found:
                found.append(school_id)
        return found


def _outside(values: dict[str, Any], start: date, end: date) -> bool:
    """A deadline wholly before or after the plan's period."""
    first, last = values["deadline_start"], values["deadline_end"]
    if last is not None and last < start.isoformat():
        return True
    return first is not None and first > end.isoformat()


def _issue_from_warning(source_name: str, warning: Any) -> ImportIssue:
    if isinstance(warning, ImportIssue):
        return warning
    row = getattr(warning, "row", None)
    column = getattr(warning, "column", "") or ""
    message = getattr(warning, "message", str(warning))
    return ImportIssue(source_name, row, str(column), "", message, Severity.WARNING)


def _short(text: str, limit: int = 60) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def total_items(previews: Iterable[PlanPreview]) -> int:
    return sum(p.items for p in previews)
