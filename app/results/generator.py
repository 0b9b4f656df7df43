"""Realistic assessment results for a district or a region: for the demo, the tests and the benchmarks.

Each school gets a level (its students' ability), a size (which drives the participants: a small
rural school writes ВПР with 5–15 pupils per grade, so its shares jump) and yearly and per-subject
noise. Marks come from a latent normal score cut at fixed thresholds, counted pupil by pupil for
small samples, so shares are those of whole pupils and add up to 100. Schools marked `inflated`
show the markers of non-objective results: ВПР far above the region but not backed by ОГЭ/ЕГЭ, a
high share who raised their journal mark, and one grade whose results jump in the last year.
Schools marked `low` have low results everywhere. Municipality and region lines are the schools'
figures weighted by participants (the region also counts `others`, schools not listed).
Everything is deterministic for a seed: each school draws from its own generator, so adding a
school does not change the others.

`write_fisoko_reports` writes the ВПР lines back as ФИС ОКО reports (both layouts);
`create_demo_results` fills the demo district.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.domain import School
from app.errors import AppError
from app.results.model import ContextValue, Indicator, Level, Procedure, Result
from app.text import guess_school_kind

MUNICIPALITY = "Кировский муниципальный район"
REGION = "Ленинградская обл."

VPR_SUBJECTS: dict[int, tuple[str, ...]] = {
    4: ("Русский язык", "Математика", "Окружающий мир"),
    5: ("Русский язык", "Математика", "История", "Биология"),
    6: ("Русский язык", "Математика", "История", "Биология", "География", "Обществознание"),
    7: (
        "Русский язык",
        "Математика",
        "История",
        "Биология",
        "География",
        "Обществознание",
        "Физика",
        "Английский язык",
    ),
    8: (
        "Русский язык",
        "Математика",
        "История",
        "Биология",
        "География",
        "Обществознание",
        "Физика",
        "Химия",
    ),
    10: ("География",),
    11: ("История", "Физика"),
}
OGE_SUBJECTS = (("Русский язык", 0.97), ("Математика", 0.97), ("Обществознание", 0.5), ("География", 0.35))
EGE_SUBJECTS = (
    ("Русский язык", 0.97),
    ("Математика (профильный уровень)", 0.5),
    ("Обществознание", 0.45),
    ("Физика", 0.2),
    ("Химия", 0.15),
    ("Биология", 0.2),
    ("История", 0.15),
    ("Английский язык", 0.1),
)
# Latent-score thresholds between marks 2|3, 3|4, 4|5: at level 0 ВПР gives about 16/44/29/12 %,
# ОГЭ about 5/40/38/17 %.
VPR_CUTS = (-1.0, 0.25, 1.2)
OGE_CUTS = (-1.645, -0.126, 0.954)
INFLATED_VPR_BOOST = 0.9
INFLATED_JUMP = 1.0
LOW_LEVEL = -0.75


@dataclass(frozen=True)
class GenSchool:
    id: int
    name: str
    login: str
    municipality: str
    kind: str  # 'sosh', 'oosh', 'nosh', …
    students: int | None


def school_login(school_id: int) -> str:
    """A ФИС ОКО-like login for a school that has none (sch + six digits)."""
    return f"sch47{school_id % 10000:04d}"


def _schools(schools: Sequence[School | tuple], municipality: str) -> list[GenSchool]:
    result = []
    for school in schools:
        if isinstance(school, School):
            name = school.display_name
            result.append(
                GenSchool(
                    school.id,
                    name,
                    school.fis_login or school_login(school.id),
                    municipality,
                    school.kind.value if school.kind.value else guess_school_kind(school.full_name),
                    school.students,
                )
            )
        else:
            school_id, name, login, *rest = school
            area = rest[0] if rest else municipality
            result.append(
                GenSchool(
                    int(school_id),
                    name,
                    login or school_login(int(school_id)),
                    area,
                    guess_school_kind(name),
                    None,
                )
            )
    return result


def make_schools(count: int, *, seed: int, municipalities: int = 1) -> list[tuple[int, str, str, str]]:
    """Synthetic schools (id, name, login, municipality) for a district or a region (benchmarks)."""
    rng = random.Random(f"{seed}:make")
    stems = ("Берёз", "Лес", "Озёр", "Сосн", "Речн", "Полев", "Горн", "Луг", "Ключ", "Дубр", "Кедр", "Заречн")
    areas = [f"{stem}овский муниципальный район" for stem in stems] + [
        f"Район № {n}" for n in range(1, max(0, municipalities - len(stems)) + 1)
    ]
    made = []
    for number in range(1, count + 1):
        kind = rng.choices(("СОШ", "ООШ", "НОШ"), (0.7, 0.25, 0.05))[0]
        name = f"МБОУ «{rng.choice(stems)}ская {kind} №{number}»"
        made.append((number, name, f"sch{470000 + number:06d}", areas[(number - 1) % max(1, municipalities)]))
    return made


# ---- drawing ------------------------------------------------------------------------------------------------


def _cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n * min(p, 1 - p) < 12:
        return sum(1 for _ in range(n) if rng.random() < p)
    value = round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return max(0, min(n, value))


def _multinomial(rng: random.Random, n: int, probabilities: Sequence[float]) -> list[int]:
    counts, left, rest = [], n, 1.0
    for p in probabilities[:-1]:
        count = _binomial(rng, left, p / rest if rest > 0 else 0)
        counts.append(count)
        left -= count
        rest -= p
    counts.append(left)
    return counts


def _mark_probabilities(level: float, cuts: Sequence[float]) -> list[float]:
    edges = [0.0, *(_cdf(c - level) for c in cuts), 1.0]
    return [edges[i + 1] - edges[i] for i in range(4)]


def _percent(count: int, total: int) -> float:
    return round(100.0 * count / total, 2) if total else 0.0


@dataclass
class _Profile:
    level: float
    per_grade: float
    vpr_boost: float
    raised: tuple[float, float]  # the range of the share who raised their journal mark
    lowered: tuple[float, float]
    jump_grade: int
    subject_effect: dict[str, float]


def _profile(school: GenSchool, seed: int, *, inflated: bool, low: bool) -> _Profile:
    rng = random.Random(f"{seed}:profile:{school.id}")
    level = rng.gauss(0.0, 0.25)
    if low:
        level = LOW_LEVEL + rng.gauss(0, 0.1)
    students = school.students
    if students is None:
        students = {
            "nosh": rng.randint(30, 90),
            "oosh": rng.randint(60, 160),
        }.get(school.kind) or rng.choice(
            (rng.randint(90, 180), rng.randint(250, 700), rng.randint(700, 1200))
        )
    grades = {"nosh": 4, "oosh": 9}.get(school.kind, 11)
    subjects = {s for group in VPR_SUBJECTS.values() for s in group} | {
        s for s, _ in (*OGE_SUBJECTS, *EGE_SUBJECTS)
    }
    return _Profile(
        level=level,
        per_grade=students / grades,
        # ВПР well above the region whatever the school's ГИА say (a low school's included)
        vpr_boost=INFLATED_VPR_BOOST + rng.gauss(0, 0.1) + max(0.0, -level) if inflated else 0.0,
        raised=(20.0, 40.0) if inflated else (2.0, 9.0),
        lowered=(3.0, 8.0) if inflated else ((25.0, 40.0) if low else (12.0, 28.0)),
        jump_grade=rng.choice((5, 6, 7)) if inflated else 0,
        subject_effect={s: rng.gauss(0, 0.15) for s in sorted(subjects)},
    )


def _vpr_grades(kind: str) -> list[int]:
    return {"nosh": [4], "oosh": [4, 5, 6, 7, 8]}.get(kind, [4, 5, 6, 7, 8, 10, 11])


def generate(
    schools: Sequence[School | tuple],
    years: Sequence[int],
    *,
    seed: int,
    inflated: Iterable[int] = (),
    low: Iterable[int] = (),
    municipality: str = MUNICIPALITY,
    region: str = REGION,
    others: int = 0,
    gia: bool = True,
    context: bool = True,
) -> tuple[list[Result], list[ContextValue]]:
    """Results of the schools (School, or (id, name, login[, municipality]) tuples) for the years,
    with the municipality and region lines; and their context indicators."""
    inflated, low = set(inflated), set(low)
    listed = _schools(schools, municipality)
    hidden = [
        GenSchool(
            -n,
            f"Школа {n}",
            "",
            "",
            random.Random(f"{seed}:other:{n}").choice(("sosh", "sosh", "oosh")),
            None,
        )
        for n in range(1, others + 1)
    ]
    results: list[Result] = []
    hidden_results: list[Result] = []
    values: list[ContextValue] = []
    last_year = max(years) if years else 0
    for school in (*listed, *hidden):
        profile = _profile(school, seed, inflated=school.id in inflated, low=school.id in low)
        target = results if school.id > 0 else hidden_results  # the hidden count in the region only
        for year in sorted(years):
            rng = random.Random(f"{seed}:{school.id}:{year}")
            year_effect = rng.gauss(0, 0.08)
            for grade in _vpr_grades(school.kind):
                if grade >= 10 and rng.random() < 0.5:  # ВПР in grades 10–11 are chosen by some schools
                    continue
                for subject in VPR_SUBJECTS[grade]:
                    level = profile.level + profile.subject_effect[subject] + year_effect + profile.vpr_boost
                    if grade == profile.jump_grade and year == last_year:
                        level += INFLATED_JUMP
                    target.append(_vpr_line(rng, school, profile, year, subject, grade, level))
            if gia and school.kind not in ("nosh",):
                for subject, share in OGE_SUBJECTS:
                    level = profile.level + profile.subject_effect[subject] + year_effect
                    line = _oge_line(rng, school, profile, year, subject, share, level)
                    if line is not None:
                        target.append(line)
            if gia and school.kind not in ("nosh", "oosh"):
                for subject, share in EGE_SUBJECTS:
                    level = profile.level + profile.subject_effect[subject] + year_effect
                    line = _ege_line(rng, school, profile, year, subject, share, level)
                    if line is not None:
                        target.append(line)
            if context and school.id > 0:
                values.extend(_context(rng, school, year, profile, low=school.id in low))
    results.extend(aggregate(results, hidden_results, region=region))
    return results, values


def _base(school: GenSchool, year: int, procedure: Procedure, subject: str, grade: int) -> dict:
    return {
        "level": Level.SCHOOL,
        "school_id": school.id,
        "area": school.municipality,
        "academic_year": year,
        "procedure": procedure,
        "subject": subject,
        "grade": grade,
        "source": "Генератор",
    }


def _participants(rng: random.Random, profile: _Profile, share: float) -> int:
    expected = profile.per_grade * share * rng.uniform(0.8, 0.97)
    return max(0, round(expected + rng.gauss(0, max(0.5, expected * 0.06))))


def _vpr_line(
    rng: random.Random,
    school: GenSchool,
    profile: _Profile,
    year: int,
    subject: str,
    grade: int,
    level: float,
) -> Result:
    n = max(1, _participants(rng, profile, 1.0 if grade < 10 else 0.9))
    counts = _multinomial(rng, n, _mark_probabilities(level, VPR_CUTS))
    raised = rng.uniform(*profile.raised) / 100
    lowered = rng.uniform(*profile.lowered) / 100
    journal = _multinomial(rng, n, (lowered, max(0.0, 1 - lowered - raised), raised))
    return Result(
        **_base(school, year, Procedure.VPR, subject, grade),
        participants=n,
        share_2=_percent(counts[0], n),
        share_3=_percent(counts[1], n),
        share_4=_percent(counts[2], n),
        share_5=_percent(counts[3], n),
        lowered=_percent(journal[0], n),
        confirmed=_percent(journal[1], n),
        raised=_percent(journal[2], n),
    )


def _oge_line(
    rng: random.Random,
    school: GenSchool,
    profile: _Profile,
    year: int,
    subject: str,
    share: float,
    level: float,
) -> Result | None:
    n = _participants(rng, profile, share)
    if n <= 0:
        return None
    counts = _multinomial(rng, n, _mark_probabilities(level, OGE_CUTS))
    average = sum(mark * count for mark, count in zip((2, 3, 4, 5), counts, strict=True)) / n
    return Result(
        **_base(school, year, Procedure.OGE, subject, 9),
        participants=n,
        share_2=_percent(counts[0], n),
        share_3=_percent(counts[1], n),
        share_4=_percent(counts[2], n),
        share_5=_percent(counts[3], n),
        average=round(average, 2),
        below_minimum=_percent(counts[0], n),
    )


def _ege_line(
    rng: random.Random,
    school: GenSchool,
    profile: _Profile,
    year: int,
    subject: str,
    share: float,
    level: float,
) -> Result | None:
    n = _participants(rng, profile, share * 0.9)
    if n <= 0:
        return None
    average = 62 + 10 * level + rng.gauss(0, 12 / math.sqrt(n))
    below = _binomial(rng, n, _cdf(-2.0 - 0.9 * level))
    return Result(
        **_base(school, year, Procedure.EGE, subject, 11),
        participants=n,
        average=round(min(80.0, max(45.0, average)), 1),
        below_minimum=_percent(below, n),
    )


def _context(
    rng: random.Random, school: GenSchool, year: int, profile: _Profile, *, low: bool
) -> list[ContextValue]:
    rural_small = (profile.per_grade or 0) < 20
    level = profile.level
    figures = {
        Indicator.SOCIAL_INDEX: round(min(0.95, max(0.1, 0.6 + 0.25 * level + rng.gauss(0, 0.05))), 2),
        Indicator.SINGLE_PARENT: round(min(60.0, max(5.0, 22 - 10 * level + rng.gauss(0, 3))), 1),
        Indicator.PREVENTION_REGISTER: round(min(15.0, max(0.0, 1.5 - 1.5 * level + rng.gauss(0, 0.5))), 1),
        Indicator.CONTINUING_10: round(
            rng.uniform(40, 58) if low else min(90.0, max(50.0, 68 + 12 * level + rng.gauss(0, 5))), 1
        ),
        Indicator.OLYMPIAD_SHARE: round(
            rng.uniform(0.1, 0.5)
            if low
            else max(0.6, 12 + 10 * level - (4 if rural_small else 0) + rng.gauss(0, 3)),
            1,
        ),
    }
    return [
        ContextValue(school.id, year, indicator, value, "Генератор") for indicator, value in figures.items()
    ]


_WEIGHTED = (
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


def aggregate(
    results: Sequence[Result], hidden: Sequence[Result] = (), *, region: str = REGION
) -> list[Result]:
    """Municipality lines (from the listed schools) and region lines (listed and hidden schools):
    each figure weighted by participants, over the schools that have it."""
    by_area: dict[tuple, list[Result]] = defaultdict(list)
    by_region: dict[tuple, list[Result]] = defaultdict(list)
    for result in results:
        if result.level is not Level.SCHOOL:
            continue
        key = (result.academic_year, result.procedure, result.subject, result.grade)
        by_area[(result.area, *key)].append(result)
        by_region[key].append(result)
    for result in hidden:
        by_region[(result.academic_year, result.procedure, result.subject, result.grade)].append(result)
    lines = []
    for (area, year, procedure, subject, grade), group in by_area.items():
        lines.append(_weighted(group, Level.MUNICIPALITY, area, year, procedure, subject, grade))
    for (year, procedure, subject, grade), group in by_region.items():
        lines.append(_weighted(group, Level.REGION, region, year, procedure, subject, grade))
    return lines


def _weighted(
    group: Sequence[Result],
    level: Level,
    area: str,
    year: int,
    procedure: Procedure,
    subject: str,
    grade: int,
) -> Result:
    total = sum(r.participants or 0 for r in group)
    figures: dict[str, float | None] = {}
    for name in _WEIGHTED:
        pairs = [(getattr(r, name), r.participants or 0) for r in group if getattr(r, name) is not None]
        weight = sum(n for _, n in pairs)
        figures[name] = round(sum(v * n for v, n in pairs) / weight, 2) if pairs and weight else None
    return Result(
        level, None, area, year, procedure, subject, grade, participants=total, source="Генератор", **figures
    )


# ---- ФИС ОКО reports -------------------------------------------------------------------------------------------

LOWERED_LABEL = "Понизили (Отметка < Отметка по журналу) %"
CONFIRMED_LABEL = "Подтвердили (Отметка = Отметка по журналу) %"
RAISED_LABEL = "Повысили (Отметка > Отметка по журналу) %"
TOTAL_LABEL = "Всего"
_INDENT = "    "


def _safe(text: str) -> str:
    return re.sub(r"[^\w\- ]+", "", text).strip()


def write_fisoko_reports(
    results: Sequence[Result],
    folder: Path,
    schools: Sequence[School | tuple],
    *,
    comparison_layout: str = "rows",
    years: Iterable[int] | None = None,
    subjects: Iterable[str] | None = None,
    grades: Iterable[int] | None = None,
) -> list[Path]:
    """The ВПР lines as ФИС ОКО would publish them: for each year, subject and grade a report
    «Статистика по отметкам» and a report «Сравнение отметок с отметками по журналу»
    (`comparison_layout`: "rows" — a block of group rows per area and school, as ФИС ОКО shows
    it; "columns" — the groups side by side). Returns the files written."""
    from openpyxl import Workbook

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = {s.id: s for s in _schools(schools, MUNICIPALITY)}
    wanted_years = set(years) if years is not None else None
    wanted_subjects = set(subjects) if subjects is not None else None
    wanted_grades = set(grades) if grades is not None else None
    reports: dict[tuple[int, str, int], list[Result]] = defaultdict(list)
    for result in results:
        if result.procedure is not Procedure.VPR:
            continue
        if wanted_years is not None and result.academic_year not in wanted_years:
            continue
        if wanted_subjects is not None and result.subject not in wanted_subjects:
            continue
        if wanted_grades is not None and result.grade not in wanted_grades:
            continue
        reports[(result.academic_year, result.subject, result.grade)].append(result)
    written = []
    for (year, subject, grade), lines in sorted(reports.items()):
        rows = _ordered(lines, names)
        stem = f"ВПР {year + 1} {_safe(subject)} {grade} класс"
        for kind, write in (
            ("Статистика по отметкам", _write_statistics),
            ("Сравнение с журналом", _write_comparison),
        ):
            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "Отчёт"
            write(sheet, rows, year, subject, grade, comparison_layout)
            path = folder / f"{stem} — {kind}.xlsx"
            workbook.save(path)
            written.append(path)
    return written


def _ordered(lines: Sequence[Result], names: dict[int, GenSchool]) -> list[tuple[int, str, Result]]:
    """(depth, label, line): the region, then each municipality followed by its schools."""
    regions = [r for r in lines if r.level is Level.REGION]
    areas = sorted({r.area for r in lines if r.level is not Level.REGION})
    ordered: list[tuple[int, str, Result]] = []
    if regions:
        region = regions[0]
        # «Вся выборка»: the country, a little different from the region (the reader skips it)
        country = Result(
            Level.REGION,
            None,
            "Вся выборка",
            region.academic_year,
            region.procedure,
            region.subject,
            region.grade,
            participants=(region.participants or 0) * 90 + 17,
            share_2=region.share_2,
            share_3=region.share_3,
            share_4=region.share_4,
            share_5=region.share_5,
            lowered=region.lowered,
            confirmed=region.confirmed,
            raised=region.raised,
        )
        ordered.append((0, "Вся выборка", country))
        ordered.extend((0, r.area, r) for r in regions)
    for area in areas:
        ordered.extend((1, area, r) for r in lines if r.level is Level.MUNICIPALITY and r.area == area)
        schools = sorted(
            (r for r in lines if r.level is Level.SCHOOL and r.area == area), key=lambda r: r.school_id or 0
        )
        for result in schools:
            school = names.get(result.school_id or 0)
            label = f"({school.login}) {school.name}" if school else f"Школа {result.school_id}"
            ordered.append((2, label, result))
    return ordered


def _title_block(sheet, year: int, subject: str, grade: int, report: str) -> int:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Font

    lines = [
        (f"Всероссийские проверочные работы {year + 1} ({grade} класс)", True),
        (f"Дата: 15.04.{year + 1}", False),
        (f"Предмет: {subject}", False),
        (report, True),
        ("Максимальный первичный балл: 20", False),
        ("", False),
        ("Фильтр:", True),
        (f"Регион: {REGION}", False),
        ("Муниципалитет: все", False),
        ("ОО: все", False),
        ("", False),
    ]
    for number, (text, bold) in enumerate(lines, 1):
        if text:
            cell = sheet.cell(number, 1, text)
            cell.font = Font(bold=bold, size=12 if number == 1 else 10)
    return len(lines) + 1


def _write_statistics(sheet, rows, year, subject, grade, layout) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Font

    top = _title_block(sheet, year, subject, grade, "Статистика по отметкам")
    sheet.cell(top, 1, "ОО")
    sheet.cell(top, 2, "Кол-во уч.")
    sheet.cell(top, 3, "Распределение групп баллов в %")
    sheet.merge_cells(start_row=top, start_column=3, end_row=top, end_column=6)
    for offset, mark in enumerate((2, 3, 4, 5)):
        sheet.cell(top + 1, 3 + offset, mark)
    for row in (top, top + 1):
        for column in range(1, 7):
            sheet.cell(row, column).font = Font(bold=True)
            sheet.cell(row, column).alignment = Alignment(horizontal="center")
    sheet.column_dimensions["A"].width = 70
    for number, (depth, label, result) in enumerate(rows, top + 2):
        sheet.cell(number, 1, _INDENT * depth + label)
        sheet.cell(number, 2, result.participants)
        for offset, value in enumerate((result.share_2, result.share_3, result.share_4, result.share_5)):
            sheet.cell(number, 3 + offset, value)


def _group_counts(result: Result) -> list[tuple[str, int, float]]:
    n = result.participants or 0
    groups = [
        (LOWERED_LABEL, result.lowered),
        (CONFIRMED_LABEL, result.confirmed),
        (RAISED_LABEL, result.raised),
    ]
    return [(label, round(n * (share or 0) / 100), share or 0.0) for label, share in groups] + [
        (TOTAL_LABEL, n, 100.0)
    ]


def _write_comparison(sheet, rows, year, subject, grade, layout) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Font

    top = _title_block(sheet, year, subject, grade, "Сравнение отметок с отметками по журналу")
    sheet.column_dimensions["A"].width = 60
    if layout == "columns":
        sheet.cell(top, 1, "ОО")
        for index, (label, _, _) in enumerate(_group_counts(rows[0][2])):
            column = 2 + 2 * index
            sheet.cell(top, column, label.removesuffix(" %"))
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
            sheet.cell(top + 1, column, "Кол-во уч.")
            sheet.cell(top + 1, column + 1, "%")
        for number, (depth, label, result) in enumerate(rows, top + 2):
            sheet.cell(number, 1, _INDENT * depth + label)
            for index, (_, count, share) in enumerate(_group_counts(result)):
                sheet.cell(number, 2 + 2 * index, count)
                sheet.cell(number, 3 + 2 * index, share)
        return
    for column, title in enumerate(("ОО", "Группы участников", "Кол-во уч.", "%"), 1):
        sheet.cell(top, column, title).font = Font(bold=True)
    sheet.column_dimensions["B"].width = 48
    number = top + 1
    for depth, label, result in rows:
        sheet.cell(number, 1, _INDENT * depth + label)
        number += 1
        for group, count, share in _group_counts(result):
            sheet.cell(number, 2, group)
            sheet.cell(number, 3, count)
            sheet.cell(number, 4, share)
            number += 1


# ---- the demo district ------------------------------------------------------------------------------------------

DEMO_RESULT_YEARS = (2017, 2018, 2019)
DEMO_INFLATED = ("МКОУ «Шумская СОШ»", "МКОУ «Назиевская СОШ»")
DEMO_SEED = 2020


def create_demo_results(database) -> int:  # type: ignore[no-untyped-def]
    """Three years (2017/2018–2019/2020: what the 2020/2021 lists of August 2020 are computed from,
    see RuleSettings.results_before_list_year) of results for the demo district's schools, with the
    Кировский район and Ленинградская область lines; returns the number of result lines saved."""
    from app.demo import LOW_RESULTS
    from app.results.service import ResultsService
    from app.schools import SchoolService

    schools = [s for s in SchoolService(database).list_schools() if not s.is_archived]
    if not schools:
        raise AppError("В базе нет школ: сначала создайте демонстрационный район.")
    by_name = {s.short_name: s.id for s in schools}
    inflated = {by_name[name] for name in DEMO_INFLATED if name in by_name}
    low = {by_name[name] for name in LOW_RESULTS if name in by_name}
    results, context = generate(
        schools, DEMO_RESULT_YEARS, seed=DEMO_SEED, inflated=inflated, low=low, others=60
    )
    ResultsService(database).save(results, context, description="Демонстрационные результаты ВПР, ОГЭ и ЕГЭ")
    return len(results)
