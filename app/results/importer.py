"""Importing assessment results from Excel: ФИС ОКО reports and the flat template; preview, then apply.

The preview reads every file, tells each sheet's kind (statistics, journal comparison, flat),
matches the schools to the registry (ФИС ОКО login, then ИНН, then the name; a name matched with
doubt waits for a person to confirm it), merges the lines of different reports about the same
school, subject and grade (the statistics give the marks, the comparison the journal groups) and
finds what must not be used: a file of another layout, the same report twice with other figures
(usually a wrong year), duplicated lines, schools not in the registry, bad numbers. Applying
writes what is good through `ResultsService.save`: one transaction, one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from app.domain import School, academic_year_label
from app.errors import AppError
from app.importing.errors import ImportFileError, database_errors
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import read_sheets
from app.partnerships.matching import SchoolMatcher
from app.results.fisoko import (
    ReadLine,
    ReportKind,
    SheetReport,
    detect_kind,
    read_comparison,
    read_statistics,
)
from app.results.flat import flat_header, read_flat
from app.results.model import ContextValue, Indicator, Level, Result
from app.results.service import ResultsService
from app.schools import SchoolService
from app.text import match_key, plural
from db.changes import ChangeSet
from db.connection import Database

_FIGURES = (
    "participants",
    "share_2",
    "share_3",
    "share_4",
    "share_5",
    "average",
    "below_minimum",
    "lowered",
    "confirmed",
    "raised",
)


class LineStatus(StrEnum):
    OK = "ok"
    DOUBTFUL = "doubtful"  # the school found by name with doubt: used once a person confirms it
    NOT_FOUND = "not_found"  # no such school in the registry: not imported
    ERROR = "error"  # a bad cell, a conflicting duplicate: not imported
    DUPLICATE = "duplicate"  # the same figures again: used once

    @property
    def label(self) -> str:
        return {
            "ok": "Будет загружена",
            "doubtful": "Школа требует подтверждения",
            "not_found": "Школа не найдена в реестре",
            "error": "Ошибка",
            "duplicate": "Повтор",
        }[self.value]


@dataclass
class DoubtfulMatch:
    """A school named in a report that the registry has only under a different spelling."""

    text: str  # the name as the report writes it (with the login, if any)
    school_id: int  # the best guess
    school_name: str
    score: float
    candidates: list[tuple[int, str, float]]  # (id, name, score), best first
    places: list[str] = field(default_factory=list)  # «файл», строка N
    confirmed_id: int | None = None  # the school a person confirmed

    @property
    def confirmed(self) -> bool:
        return self.confirmed_id is not None


@dataclass
class PreviewLine:
    line: ReadLine
    status: LineStatus = LineStatus.OK
    school_id: int | None = None
    match_text: str = ""  # the DoubtfulMatch key, for doubtful lines


@dataclass
class FileSummary:
    path: Path
    sheets: list[SheetReport] = field(default_factory=list)
    error: str = ""  # the whole file refused (unreadable, too big, another layout)
    lines: int = 0
    matched: int = 0  # school lines matched to the registry
    aggregates: int = 0  # municipality and region lines
    not_found: int = 0
    doubtful: int = 0
    skipped: int = 0  # «Вся выборка», headings

    @property
    def rejected(self) -> bool:
        return bool(self.error) or any(s.rejected for s in self.sheets)

    def rejection(self) -> str:
        if self.error:
            return self.error
        return "; ".join(i.text() for s in self.sheets for i in s.issues if i.severity is Severity.ERROR)

    def kinds(self) -> list[str]:
        labels = []
        for sheet in self.sheets:
            if sheet.kind is None:
                continue
            what = sheet.kind.label
            if sheet.kind is not ReportKind.FLAT and sheet.academic_year is not None:
                what += (
                    f" ({sheet.procedure.label if sheet.procedure else ''}, {sheet.subject}, "
                    f"{sheet.grade} класс, {academic_year_label(sheet.academic_year)})"
                )
            labels.append(what)
        return labels


@dataclass
class ResultsImportPreview:
    paths: list[Path]
    files: list[FileSummary]
    lines: list[PreviewLine]
    doubtful: list[DoubtfulMatch]
    not_found: list[tuple[str, str]]  # (the name as written, the first place)
    merge_issues: list[ImportIssue] = field(default_factory=list)
    default_year: int | None = None
    stored: set[tuple] = field(default_factory=set)  # the keys of the lines already in the database

    def replacing(self) -> int:
        """How many of the lines to load replace lines saved before (their figures are overwritten)."""
        return sum(
            1
            for r in self.results()
            if _db_key(
                r.level.value, r.school_id, r.area, r.academic_year, r.procedure.value, r.subject, r.grade
            )
            in self.stored
        )

    # --- the person's decisions ------------------------------------------------------------
    def confirm(self, text: str, school_id: int | None = None) -> None:
        """Confirm a doubtful match (the best guess, or another school of the candidates)."""
        for match in self.doubtful:
            if match.text == text:
                match.confirmed_id = school_id if school_id is not None else match.school_id
                return
        raise KeyError(text)

    def accept_doubtful(self) -> None:
        for match in self.doubtful:
            if match.confirmed_id is None:
                match.confirmed_id = match.school_id

    # --- what it holds --------------------------------------------------------------------
    @property
    def rejected_files(self) -> list[FileSummary]:
        return [f for f in self.files if f.rejected]

    def issues(self) -> list[ImportIssue]:
        found: list[ImportIssue] = []
        for summary in self.files:
            if summary.error:
                found.append(ImportIssue(summary.path.name, None, "", "", summary.error))
            for sheet in summary.sheets:
                found.extend(sheet.issues)
        for item in self.lines:
            found.extend(item.line.issues)
        found.extend(self.merge_issues)
        return found

    def error_count(self) -> int:
        return sum(1 for i in self.issues() if i.severity is Severity.ERROR)

    def warning_count(self) -> int:
        return sum(1 for i in self.issues() if i.severity is Severity.WARNING)

    def _school_of(self, item: PreviewLine) -> int | None:
        if item.status is LineStatus.OK:
            return item.school_id if item.line.entity.level is Level.SCHOOL else None
        if item.status is LineStatus.DOUBTFUL:
            match = next((m for m in self.doubtful if m.text == item.match_text), None)
            return match.confirmed_id if match is not None else None
        return None

    def _usable(self) -> list[tuple[PreviewLine, int | None]]:
        usable = []
        for item in self.lines:
            if item.status in (LineStatus.ERROR, LineStatus.NOT_FOUND, LineStatus.DUPLICATE):
                continue
            school_id = self._school_of(item)
            if item.line.entity.level is Level.SCHOOL and school_id is None:
                continue  # a doubtful school nobody confirmed
            usable.append((item, school_id))
        return usable

    def results(self) -> list[Result]:
        """The lines to save, the reports about one school, subject and grade merged into one."""
        merged: dict[tuple, dict] = {}
        for item, school_id in self._usable():
            line = item.line
            if line.procedure is None or not any(line.figures.get(f) is not None for f in _FIGURES):
                continue
            entity = line.entity
            area = entity.area if entity.level is Level.SCHOOL else entity.name
            key = _key(entity.level, school_id, area, line)
            values = merged.setdefault(
                key,
                {
                    "level": entity.level,
                    "school_id": school_id,
                    "area": area,
                    "academic_year": line.academic_year,
                    "procedure": line.procedure,
                    "subject": line.subject,
                    "grade": line.grade,
                    "sources": [],
                },
            )
            if not values["area"]:
                values["area"] = area
            for name in _FIGURES:
                if line.figures.get(name) is not None and values.get(name) is None:
                    values[name] = line.figures[name]
            if line.file_name not in values["sources"]:
                values["sources"].append(line.file_name)
        results = []
        for values in merged.values():
            sources = values.pop("sources")
            results.append(Result(**values, source="Загрузка: " + ", ".join(sources)))
        return results

    def context(self) -> list[ContextValue]:
        values: dict[tuple[int, int, Indicator], ContextValue] = {}
        for item, school_id in self._usable():
            if school_id is None:
                continue
            for indicator, value in item.line.context.items():
                key = (school_id, item.line.academic_year, indicator)
                values.setdefault(key, ContextValue(*key, value, f"Загрузка: {item.line.file_name}"))
        return list(values.values())

    def summary(self) -> str:
        parts = []
        for summary in self.files:
            if summary.error:
                parts.append(f"«{summary.path.name}»: не загружен — {summary.error}")
                continue
            what = "; ".join(summary.kinds()) or "не распознан"
            text = (
                f"«{summary.path.name}» — {what}: {summary.lines} "
                f"{plural(summary.lines, 'строка', 'строки', 'строк')}, школ сопоставлено с реестром "
                f"{summary.matched}, итогов муниципалитета и региона {summary.aggregates}"
            )
            if summary.not_found:
                text += f", не найдено в реестре {summary.not_found}"
            if summary.doubtful:
                text += f", требуют подтверждения {summary.doubtful}"
            if summary.rejected:
                text += " — файл не загружен"
            parts.append(text)
        results, context = self.results(), self.context()
        total = (
            f"К загрузке: {len(results)} {plural(len(results), 'строка', 'строки', 'строк')} результатов"
            f", {len(context)} {plural(len(context), 'показатель', 'показателя', 'показателей')} контекста"
        )
        replacing = self.replacing()
        if replacing:
            total += (
                f"; из них {replacing} {plural(replacing, 'строка заменит', 'строки заменят', 'строк заменят')} "
                "уже сохранённые (прежние значения будут перезаписаны)"
            )
        pending = sum(1 for m in self.doubtful if not m.confirmed)
        if pending:
            total += f"; {pending} {plural(pending, 'школа ждёт', 'школы ждут', 'школ ждут')} подтверждения"
        errors, warnings = self.error_count(), self.warning_count()
        if errors:
            total += f"; {errors} {plural(errors, 'ошибка', 'ошибки', 'ошибок')}"
        if warnings:
            total += f"; {warnings} {plural(warnings, 'предупреждение', 'предупреждения', 'предупреждений')}"
        return "\n".join([*parts, total + "."])


def _db_key(
    level: str, school_id: int | None, area: str, year: int, procedure: str, subject: str, grade: int
) -> tuple:
    """A line as the database knows it; a school's line whatever area the report puts it under."""
    return (level, school_id or 0, "" if level == "school" else area, year, procedure, subject, grade)


def _key(level: Level, school_id: int | None, area: str, line: ReadLine) -> tuple:
    # A school's line is the school's whatever municipality the report puts it under.
    return (
        level.value,
        school_id or 0,
        "" if level is Level.SCHOOL else area,
        line.academic_year,
        line.procedure.value if line.procedure else "",
        line.subject,
        line.grade,
    )


# ---- reading the files -----------------------------------------------------------------------------------

_ANOTHER_LAYOUT = (
    "не найдена таблица со столбцами 2, 3, 4, 5 (отчёт «Статистика по отметкам»), с группами «Понизили / "
    "Подтвердили / Повысили» (отчёт «Сравнение отметок с отметками по журналу») или со столбцами шаблона "
    "результатов («ОО», «Процедура», «Предмет», «Участников» …) — файл другого вида"
)


def read_results_file(path: Path, default_year: int | None = None) -> FileSummary:
    """Every sheet of one workbook read by the reader its kind needs."""
    summary = FileSummary(Path(path))
    try:
        sheets = read_sheets(summary.path)
    except ImportFileError as exc:
        summary.error = exc.message
        return summary
    flat_sheets = []
    for sheet in sheets:
        kind = detect_kind(sheet)
        flat = flat_header([sheet])
        if kind is ReportKind.COMPARISON:
            summary.sheets.append(read_comparison(sheet, default_year))
        elif flat is not None:
            flat_sheets.append(flat)
        elif kind is ReportKind.STATISTICS:
            summary.sheets.append(read_statistics(sheet, default_year))
    for match in flat_sheets:
        summary.sheets.append(read_flat(match, default_year))
    if not summary.sheets:
        summary.error = _ANOTHER_LAYOUT
    return summary


# ---- matching the schools ---------------------------------------------------------------------------------


class _Resolver:
    """Registry schools found by the ФИС ОКО login, the ИНН, the exact name, else the fuzzy matcher."""

    def __init__(self, schools: Sequence[School]) -> None:
        self.schools = {s.id: s for s in schools}
        self.by_login = {s.fis_login.casefold(): s.id for s in schools if s.fis_login}
        inns: dict[str, list[int]] = {}
        for school in schools:
            if school.inn:
                inns.setdefault(school.inn, []).append(school.id)
        self.by_inn = {inn: ids[0] for inn, ids in inns.items() if len(ids) == 1}
        self.by_name: dict[str, int] = {}
        for school in schools:
            for name in (school.full_name, school.short_name):
                if name:
                    self.by_name.setdefault(match_key(name), school.id)
        self.matcher = SchoolMatcher(schools)

    def name(self, school_id: int) -> str:
        return self.schools[school_id].display_name

    def resolve(
        self, login: str, inn: str, name: str
    ) -> tuple[LineStatus, int | None, list[tuple[int, float]]]:
        if login and login.casefold() in self.by_login:
            return LineStatus.OK, self.by_login[login.casefold()], []
        if inn and inn in self.by_inn:
            return LineStatus.OK, self.by_inn[inn], []
        if not name:
            return LineStatus.NOT_FOUND, None, []
        school_id = self.by_name.get(match_key(name))
        status = LineStatus.OK
        candidates: list[tuple[int, float]] = []
        if school_id is None:
            match = self.matcher.match(name)
            candidates = match.candidates
            if match.school_id is None:
                return LineStatus.NOT_FOUND, None, candidates
            school_id = match.school_id
            status = LineStatus.OK if match.confident else LineStatus.DOUBTFUL
        registered = self.schools[school_id].fis_login
        if login and registered and registered.casefold() != login.casefold():
            status = LineStatus.DOUBTFUL  # the name fits, the login is another school's
        return status, school_id, candidates or [(school_id, 1.0)]


# ---- the preview -----------------------------------------------------------------------------------------


def preview_results_import(
    database: Database, paths: Iterable[Path], *, year: int | None = None
) -> ResultsImportPreview:
    """Read, match and check every file; nothing is written. `year`: for files that do not say it."""
    paths = [Path(p) for p in paths]
    files = [read_results_file(path, year) for path in paths]
    _check_repeated_reports(files)
    resolver = _Resolver(SchoolService(database).list_schools())
    lines: list[PreviewLine] = []
    doubtful: dict[str, DoubtfulMatch] = {}
    not_found: dict[str, tuple[str, str]] = {}
    for summary in files:
        for sheet in summary.sheets:
            summary.skipped += sheet.skipped
            if sheet.rejected:
                continue
            for line in sheet.lines:
                item = PreviewLine(line)
                lines.append(item)
                summary.lines += 1
                if line.has_errors:
                    item.status = LineStatus.ERROR
                entity = line.entity
                if entity.level is not Level.SCHOOL:
                    summary.aggregates += 1
                    continue
                status, school_id, candidates = resolver.resolve(entity.login, entity.inn, entity.name)
                item.school_id = school_id
                if item.status is not LineStatus.ERROR:
                    item.status = status
                text = entity.display()
                if status is LineStatus.OK:
                    summary.matched += 1
                elif status is LineStatus.NOT_FOUND:
                    summary.not_found += 1
                    not_found.setdefault(text, (text, line.place))
                    line.issues.append(
                        ImportIssue(
                            line.file_name,
                            line.row,
                            "",
                            "",
                            f"школа «{text}» не найдена в реестре (ни по логину, ни по ИНН, ни по названию): "
                            "строка не загружается; добавьте школу в реестр или укажите её логин ФИС ОКО",
                            Severity.WARNING,
                        )
                    )
                else:
                    summary.doubtful += 1
                    item.match_text = text
                    assert school_id is not None
                    match = doubtful.get(text)
                    if match is None:
                        match = doubtful[text] = DoubtfulMatch(
                            text,
                            school_id,
                            resolver.name(school_id),
                            next((s for i, s in candidates if i == school_id), 0.0),
                            [(i, resolver.name(i), s) for i, s in candidates],
                        )
                    match.places.append(line.place)
    preview = ResultsImportPreview(paths, files, lines, list(doubtful.values()), list(not_found.values()))
    preview.default_year = year
    preview.stored = {
        _db_key(
            r["level"],
            r["school_id"],
            r["area"],
            r["academic_year"],
            r["procedure"],
            r["subject"],
            r["grade"],
        )
        for r in database.query(
            "SELECT level, school_id, area, academic_year, procedure, subject, grade FROM assessment_results"
        )
    }
    _check_duplicates(preview)
    return preview


def _check_repeated_reports(files: list[FileSummary]) -> None:
    """The same ФИС ОКО report (kind, procedure, subject, grade, year) read twice: identical → the
    repeat is skipped with a warning; other figures → both refused (a year is wrong somewhere)."""
    seen: dict[tuple, SheetReport] = {}
    for summary in files:
        for sheet in summary.sheets:
            if sheet.kind is ReportKind.FLAT or sheet.rejected or sheet.academic_year is None:
                continue
            key = (sheet.kind, sheet.procedure, sheet.subject, sheet.grade, sheet.academic_year)
            first = seen.get(key)
            if first is None:
                seen[key] = sheet
                continue
            what = (
                f"{sheet.procedure.label if sheet.procedure else ''}, {sheet.subject}, {sheet.grade} класс, "
                f"{academic_year_label(sheet.academic_year)}"
            )
            same = [(ln.entity, ln.figures) for ln in first.lines] == [
                (ln.entity, ln.figures) for ln in sheet.lines
            ]
            if same:
                sheet.issues.append(
                    ImportIssue(
                        sheet.file_name,
                        None,
                        "",
                        "",
                        f"тот же отчёт ({what}) уже прочитан из файла «{first.file_name}»: повтор не загружается",
                        Severity.WARNING,
                    )
                )
                sheet.lines = []
                continue
            for one, other in ((sheet, first), (first, sheet)):
                one.error(
                    f"повторяется учебный год: отчёт {one.kind.label if one.kind else ''} ({what}) есть и в файле "
                    f"«{other.file_name}», но с другими цифрами — вероятно, у одного из файлов неверно указан год. "
                    "Ни один из двух не загружается",
                    one.header_row or None,
                )


def _check_duplicates(preview: ResultsImportPreview) -> None:
    """Lines about the same school (or area), year, procedure, subject and grade within the import.

    The same kind of report twice: identical figures → a repeat, used once; other figures → both
    lines refused. Different kinds merge (the statistics give the marks, the comparison the
    journal groups); a figure both give differently refuses both (participants excepted: ФИС ОКО
    counts those with journal marks only in the comparison)."""
    groups: dict[tuple, list[PreviewLine]] = {}
    for item in preview.lines:
        if item.status in (LineStatus.ERROR, LineStatus.NOT_FOUND) or item.line.procedure is None:
            continue
        entity = item.line.entity
        identity: object = item.school_id if entity.level is Level.SCHOOL else entity.name
        if entity.level is Level.SCHOOL and item.status is LineStatus.DOUBTFUL:
            identity = ("?", item.match_text)
        key = (
            entity.level,
            identity,
            item.line.academic_year,
            item.line.procedure,
            item.line.subject,
            item.line.grade,
        )
        groups.setdefault(key, []).append(item)
    context: dict[tuple, PreviewLine] = {}
    for item in preview.lines:
        if item.status in (LineStatus.ERROR, LineStatus.NOT_FOUND) or not item.line.context:
            continue
        for indicator, value in item.line.context.items():
            key = (item.school_id, item.match_text, item.line.academic_year, indicator)
            first = context.setdefault(key, item)
            if first is not item and abs(first.line.context.get(indicator, value) - value) > 1e-9:
                for one, other in ((item, first), (first, item)):
                    _refuse(
                        preview,
                        one,
                        f"показатель «{indicator.label}» за тот же год указан дважды с разными значениями "
                        f"(ещё {other.line.place}): ни одна из двух строк не загружается",
                    )
    for items in groups.values():
        if len(items) < 2:
            continue
        for index, item in enumerate(items):
            for first in items[:index]:
                if first.status is LineStatus.ERROR and item.status is LineStatus.ERROR:
                    continue
                if first.line.kind is item.line.kind:
                    if first.line.figures == item.line.figures:
                        if item.status is not LineStatus.ERROR:
                            item.status = LineStatus.DUPLICATE
                            item.line.issues.append(
                                ImportIssue(
                                    item.line.file_name,
                                    item.line.row,
                                    "",
                                    "",
                                    f"повтор строки ({first.line.place}) с теми же цифрами: загружается один раз",
                                    Severity.WARNING,
                                )
                            )
                        continue
                    reason = "та же школа, год, предмет и класс"
                else:
                    differing = [
                        name
                        for name in _FIGURES
                        if name != "participants"
                        and first.line.figures.get(name) is not None
                        and item.line.figures.get(name) is not None
                        and abs(float(first.line.figures[name] or 0) - float(item.line.figures[name] or 0))
                        > 0.01
                    ]
                    if not differing:
                        continue
                    reason = "те же школа, год, предмет и класс в отчёте другого вида"
                for one, other in ((item, first), (first, item)):
                    _refuse(
                        preview,
                        one,
                        f"повторяется строка: {reason} уже есть ({other.line.place}), но с другими цифрами — "
                        "ни одна из двух строк не загружается (проверьте год и класс отчётов)",
                    )


def _refuse(preview: ResultsImportPreview, item: PreviewLine, message: str) -> None:
    if item.status is LineStatus.ERROR and any(i.message == message for i in item.line.issues):
        return
    item.status = LineStatus.ERROR
    item.line.issues.append(ImportIssue(item.line.file_name, item.line.row, "", "", message))


# ---- applying --------------------------------------------------------------------------------------------------


def apply_results_import(
    database: Database, preview: ResultsImportPreview, *, accept_doubtful: bool = False
) -> ChangeSet:
    """Save every usable line in one transaction (one undo step); figures a report does not give
    keep what is stored (importing the comparison after the statistics keeps the marks)."""
    if accept_doubtful:
        preview.accept_doubtful()
    results, context = preview.results(), preview.context()
    if not results and not context:
        raise AppError(
            "Нечего загружать: ни одна строка файлов не прошла проверку. В базе ничего не изменено."
        )
    service = ResultsService(database)
    stored: dict[tuple, Result] = {}
    for year in sorted({r.academic_year for r in results}):
        for old in service.results(year):
            stored.setdefault(_stored_key(old), old)
    merged = []
    for result in results:
        old = stored.get(_stored_key(result))
        if old is not None:
            fill = {name: getattr(old, name) for name in _FIGURES if getattr(result, name) is None}
            result = replace(result, area=old.area if result.level is Level.SCHOOL else result.area, **fill)
        merged.append(result)
    files = len({p.name for p in preview.paths})
    description = (
        f"Загрузка результатов: {len(merged)} {plural(len(merged), 'строка', 'строки', 'строк')} "
        f"из {files} {plural(files, 'файла', 'файлов', 'файлов')}"
    )
    with database_errors(database):
        return service.save(merged, context, description=description)


def _stored_key(result: Result) -> tuple:
    return (
        result.level.value,
        result.school_id or 0,
        "" if result.level is Level.SCHOOL else result.area,
        result.academic_year,
        result.procedure.value,
        result.subject,
        result.grade,
    )
