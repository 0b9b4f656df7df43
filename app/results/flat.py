"""The flat template: one row per school (or area), year, procedure, subject and grade, for what
ФИС ОКО does not publish in its two reports — ОГЭ and ЕГЭ results from the regional centre, РКР,
and the schools' context indicators (social well-being, single-parent families, the prevention
register, continuing to grade 10, olympiads).

Columns are found by their titles through the import framework's synonyms, wherever the header
row is; the school is named by its name, its ФИС ОКО login or its ИНН. `write_flat_template`
writes the empty, formatted template a specialist fills in.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from app.importing.columns import HEADER_SCAN_ROWS, ColumnSpec, HeaderMatch, match_columns
from app.importing.report import ImportIssue
from app.importing.sheet import Cell, SheetData, column_letter
from app.results.fisoko import (
    Entity,
    ReadLine,
    ReportKind,
    SheetReport,
    academic_year_of,
    canonical_subject,
    classify,
    clean,
    is_empty,
    parse_count,
    parse_share,
    procedure_of,
    split_login,
)
from app.results.model import Indicator, Level, Procedure
from app.text import fold

FIGURES = ("participants", "share_2", "share_3", "share_4", "share_5", "average", "below_minimum")
JOURNAL = ("lowered", "confirmed", "raised")
CONTEXT = {
    "social_index": Indicator.SOCIAL_INDEX,
    "single_parent": Indicator.SINGLE_PARENT,
    "prevention_register": Indicator.PREVENTION_REGISTER,
    "continuing_10": Indicator.CONTINUING_10,
    "olympiad_share": Indicator.OLYMPIAD_SHARE,
}


def _share_spec(mark: int) -> ColumnSpec:
    return ColumnSpec(
        f"share_{mark}",
        f'% "{mark}"',
        (
            f"Доля {mark}",
            f"Отметка {mark}",
            f"% отметок {mark}",
            f"Доля отметок {mark}",
            f"% получивших {mark}",
            f"Доля отметок «{mark}», %",
        ),
    )


FLAT_COLUMNS: list[ColumnSpec] = [
    ColumnSpec("year", "Учебный год", ("Год", "Год проведения", "Уч. год", "Учебный год проведения")),
    ColumnSpec(
        "procedure",
        "Процедура",
        ("Оценочная процедура", "Вид процедуры", "Экзамен", "Мероприятие", "Вид оценочной процедуры"),
    ),
    ColumnSpec("subject", "Предмет", ("Учебный предмет", "Дисциплина", "Наименование предмета")),
    ColumnSpec("grade", "Класс", ("Параллель", "Классы")),
    ColumnSpec(
        "name",
        "ОО",
        (
            "Наименование ОО",
            "Образовательная организация",
            "Общеобразовательная организация",
            "Наименование",
            "Школа",
            "Организация",
            "Название ОО",
            "ОО (наименование, логин или ИНН)",
        ),
        required=True,
    ),
    ColumnSpec("login", "Логин", ("Логин ФИС ОКО", "Логин ОО", "Код ОО")),
    ColumnSpec("inn", "ИНН", ("ИНН ОО",)),
    ColumnSpec("level", "Уровень", ("Уровень данных", "Школа / муниципалитет / регион")),
    ColumnSpec("area", "Муниципалитет", ("Муниципальный район", "Муниципальное образование", "Район", "АТЕ")),
    ColumnSpec(
        "participants",
        "Участников",
        (
            "Количество участников",
            "Кол-во участников",
            "Кол-во уч.",
            "Число участников",
            "Участники",
            "Сдавали",
            "Количество сдававших",
        ),
    ),
    *(_share_spec(mark) for mark in (2, 3, 4, 5)),
    ColumnSpec(
        "average",
        "Средний балл",
        ("Средняя отметка", "Средний тестовый балл", "Ср. балл", "Средний балл ОО", "Средний первичный балл"),
    ),
    ColumnSpec(
        "below_minimum",
        "% не преодолевших минимальный порог",
        (
            "Не преодолели минимальный порог",
            "Доля не преодолевших минимальный порог",
            "Не преодолевших минимальный порог",
            "Ниже минимального порога",
            "% не сдавших",
            "Доля не сдавших",
            "Не сдали",
        ),
    ),
    ColumnSpec("lowered", "Понизили, %", ("Понизили", "Доля понизивших")),
    ColumnSpec("confirmed", "Подтвердили, %", ("Подтвердили", "Доля подтвердивших")),
    ColumnSpec("raised", "Повысили, %", ("Повысили", "Доля повысивших")),
    ColumnSpec(
        "social_index",
        "Индекс социального благополучия",
        ("Индекс социального благополучия школы", "ИСБ", "Индекс социального благополучия ОО"),
    ),
    ColumnSpec(
        "single_parent",
        "Доля неполных семей",
        ("Неполные семьи", "% неполных семей", "Доля обучающихся из неполных семей", "Неполных семей, %"),
    ),
    ColumnSpec(
        "prevention_register",
        "На профилактическом учёте",
        (
            "Доля обучающихся на профилактическом учёте",
            "Состоят на профилактическом учёте",
            "Профилактический учёт",
            "Доля состоящих на профилактическом учёте",
            "На профилактическом учёте, %",
        ),
    ),
    ColumnSpec(
        "continuing_10",
        "Продолжили обучение в 10 классе",
        (
            "Доля продолживших обучение в 10 классе",
            "Продолжили обучение",
            "Перешли в 10 класс",
            "Продолжили обучение в 10 классе, %",
        ),
    ),
    ColumnSpec(
        "olympiad_share",
        "Участие в ВсОШ",
        (
            "Доля участников ВсОШ",
            "Участники ВсОШ",
            "Участие в олимпиадах",
            "Доля участников олимпиад",
            "ВсОШ, %",
        ),
    ),
]
_TITLES = {spec.field: spec.title for spec in FLAT_COLUMNS}
_VALUE_FIELDS = set(FIGURES) | set(JOURNAL) | set(CONTEXT)


def flat_header(sheets: list[SheetData]) -> HeaderMatch | None:
    """The flat template's header row: «ОО» with «Предмет» or a context column, and some figures."""
    best: tuple[int, SheetData, int, dict[int, str]] | None = None
    for sheet in sheets:
        for row_index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            mapping = match_columns(row, FLAT_COLUMNS)
            fields = set(mapping.values())
            if "name" not in fields and "login" not in fields:
                continue
            if not fields & _VALUE_FIELDS or not ({"subject", "procedure"} & fields or fields & set(CONTEXT)):
                continue
            if best is None or len(mapping) > best[0]:
                best = (len(mapping), sheet, row_index, mapping)
    if best is None:
        return None
    from app.importing.columns import SourceColumn

    _, sheet, row_index, mapping = best
    header = sheet.rows[row_index]
    columns = [
        SourceColumn(i, column_letter(i), clean(cell), mapping.get(i))
        for i, cell in enumerate(header)
        if clean(cell) or i in mapping
    ]
    return HeaderMatch(sheet, row_index, columns)


_LEVELS = [
    (r"^(?:школ|оо|организац|образовательн)", Level.SCHOOL),
    (r"^(?:муниципал|район|мо$|ато|ате|округ|город)", Level.MUNICIPALITY),
    (r"^(?:регион|субъект|область|край|республик)", Level.REGION),
]
_PROCEDURES_EXTRA = [(r"гиа\s*-?\s*9", Procedure.OGE), (r"гиа\s*-?\s*11", Procedure.EGE)]


def parse_year(value: Cell) -> int:
    """«2020/2021» → 2020; 2021 (the year of the session, in spring) → 2020; a date → its year."""
    if isinstance(value, dt.datetime | dt.date):
        return value.year if value.month >= 9 else value.year - 1
    text = clean(value)
    year, _ = academic_year_of(text)
    if year is None or not re.fullmatch(r"[\d\s/\-–—.,уч годг]+", fold(text)):
        raise ValueError(f"не удаётся понять учебный год «{text}»: укажите, например, 2020/2021")
    return year


def parse_procedure(value: Cell) -> Procedure:
    text = clean(value)
    folded = fold(text)
    for pattern, procedure in _PROCEDURES_EXTRA:
        if re.search(pattern, folded):
            return procedure
    procedure = procedure_of(text)
    if procedure is None:
        raise ValueError(f"неизвестная процедура «{text}»: укажите ВПР, ОГЭ, ЕГЭ, РКР, НИКО или ВсОШ")
    return procedure


def parse_grade(value: Cell) -> int | None:
    if is_empty(value):
        return None
    text = clean(value)
    match = re.fullmatch(r"(\d{1,2})(?:[.,]0+)?\s*(?:-?й)?\s*(?:кл\.?|класс\w*)?", fold(text))
    if not match or not 1 <= int(match.group(1)) <= 11:
        raise ValueError(f"класс должен быть числом от 1 до 11, а указано «{text}»")
    return int(match.group(1))


def _parse_average(value: Cell) -> float | None:
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(clean(value).replace(" ", "").replace(",", "."))
        except ValueError:
            raise ValueError(f"ожидается число (средний балл), а указано «{clean(value)}»") from None
    if not 0 <= number <= 100:
        raise ValueError(f"средний балл {clean(value)} вне пределов 0–100")
    return number


def _parse_index(value: Cell) -> float | None:
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(clean(value).replace(" ", "").replace(",", "."))
    except ValueError:
        raise ValueError(f"ожидается число, а указано «{clean(value)}»") from None


def _level_of(value: Cell) -> Level | None:
    folded = fold(clean(value))
    for pattern, level in _LEVELS:
        if re.search(pattern, folded):
            return level
    return None


def read_flat(match: HeaderMatch, default_year: int | None = None) -> SheetReport:
    sheet = match.sheet
    report = SheetReport(sheet.path.name, sheet.name, ReportKind.FLAT, header_row=match.header_row)
    columns = {c.field: c for c in match.columns if c.field}

    def cell(row: list[Cell], name: str) -> Cell:
        column = columns.get(name)
        return row[column.index] if column is not None and column.index < len(row) else None

    def problem(line: ReadLine | None, row_number: int, name: str, message: str) -> None:
        column = columns[name]
        issue = ImportIssue(report.file_name, row_number, column.letter, column.title, message)
        (line.issues if line is not None else report.issues).append(issue)

    for index in range(match.row_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        row_number = index + 1
        if all(is_empty(cell(row, name)) for name in columns):
            continue
        line = ReadLine(
            report.file_name,
            sheet.name,
            row_number,
            ReportKind.FLAT,
            Entity(Level.SCHOOL, ""),
            0,
            None,
            "",
            0,
        )
        # who
        name = clean(cell(row, "name"))
        login = clean(cell(row, "login")).lower()
        inn = clean(cell(row, "inn")).replace(" ", "")
        area = clean(cell(row, "area"))
        level = _level_of(cell(row, "level")) if not is_empty(cell(row, "level")) else None
        if not is_empty(cell(row, "level")) and level is None:
            problem(
                line,
                row_number,
                "level",
                f"неизвестный уровень «{clean(cell(row, 'level'))}»: "
                "укажите «школа», «муниципалитет» или «регион»",
            )
        found_login, plain = split_login(name)
        if re.fullmatch(r"\d{10}|\d{12}", plain):  # the school named by its ИНН alone
            inn, plain = inn or plain, ""
        login = login or found_login
        if level is None:
            kind = "school" if (login or inn) else classify(name)[0]
            level = {"region": Level.REGION, "municipality": Level.MUNICIPALITY}.get(kind, Level.SCHOOL)
        if not plain and not login and not inn:
            problem(line, row_number, "name", "не указана школа: нужно наименование, логин ФИС ОКО или ИНН")
        line.entity = Entity(
            level, plain, login=login, inn=inn, area=area if level is Level.SCHOOL else plain
        )
        # when
        year_cell = cell(row, "year")
        if is_empty(year_cell):
            if default_year is None:
                if "year" in columns:
                    problem(
                        line,
                        row_number,
                        "year",
                        "не указан учебный год: заполните ячейку или укажите год "
                        "при загрузке (в командной строке — --year 2020/2021)",
                    )
                else:
                    line.issues.append(
                        ImportIssue(
                            report.file_name,
                            row_number,
                            "",
                            "",
                            "в файле нет столбца «Учебный год»: укажите год при загрузке (--year 2020/2021)",
                        )
                    )
            line.academic_year = default_year or 0
        else:
            try:
                line.academic_year = parse_year(year_cell)
            except ValueError as exc:
                problem(line, row_number, "year", str(exc))
        # the figures
        for field_name in (*FIGURES, *JOURNAL):
            if field_name not in columns or is_empty(cell(row, field_name)):
                continue
            parser = {"participants": parse_count, "average": _parse_average}.get(field_name, parse_share)
            try:
                line.figures[field_name] = parser(cell(row, field_name))
            except ValueError as exc:
                problem(line, row_number, field_name, str(exc))
        for field_name, indicator in CONTEXT.items():
            if field_name not in columns or is_empty(cell(row, field_name)):
                continue
            parser = _parse_index if field_name == "social_index" else parse_share
            try:
                value = parser(cell(row, field_name))
            except ValueError as exc:
                problem(line, row_number, field_name, str(exc))
                continue
            if value is not None:
                line.context[indicator] = value
        has_figures = any(line.figures.get(f) is not None for f in (*FIGURES, *JOURNAL)) or any(
            f in columns and not is_empty(cell(row, f)) for f in (*FIGURES, *JOURNAL)
        )
        # what
        procedure_cell = cell(row, "procedure")
        if not is_empty(procedure_cell):
            try:
                line.procedure = parse_procedure(procedure_cell)
            except ValueError as exc:
                problem(line, row_number, "procedure", str(exc))
        elif has_figures:
            if "procedure" in columns:
                problem(
                    line,
                    row_number,
                    "procedure",
                    "не указана процедура (ВПР, ОГЭ, ЕГЭ …) для результатов строки",
                )
            else:
                line.issues.append(
                    ImportIssue(report.file_name, row_number, "", "", "в файле нет столбца «Процедура»")
                )
        if line.procedure is not None or has_figures:
            line.subject = canonical_subject(clean(cell(row, "subject")))
            if not line.subject:
                if "subject" in columns:
                    problem(line, row_number, "subject", "не указан предмет")
                else:
                    line.issues.append(
                        ImportIssue(report.file_name, row_number, "", "", "в файле нет столбца «Предмет»")
                    )
            try:
                grade = parse_grade(cell(row, "grade")) if "grade" in columns else None
            except ValueError as exc:
                problem(line, row_number, "grade", str(exc))
                grade = None
            if grade is None:
                grade = {Procedure.OGE: 9, Procedure.EGE: 11}.get(line.procedure, 0)  # type: ignore[arg-type]
                grade_column = columns.get("grade")
                bad_grade = grade_column is not None and any(
                    i.column == grade_column.letter for i in line.issues
                )
                if line.procedure is Procedure.VPR and not bad_grade:
                    problem(
                        line, row_number, "grade" if grade_column else "name", "для ВПР нужно указать класс"
                    )
            line.grade = grade
        if line.context and level is not Level.SCHOOL:
            line.issues.append(
                ImportIssue(
                    report.file_name,
                    row_number,
                    "",
                    "",
                    "показатели контекста указываются только для школ, а не для муниципалитета или региона",
                )
            )
        _check_flat_shares(line, columns)
        if not has_figures and not line.context and not line.has_errors:
            report.skipped += 1
            continue
        report.lines.append(line)
    if not report.lines and not report.issues:
        report.error("в таблице нет ни одной строки с результатами или показателями", match.header_row)
    return report


def _check_flat_shares(line: ReadLine, columns: dict) -> None:
    from app.results.fisoko import _check_shares

    marks = [(f"share_{m}", columns[f"share_{m}"].index) for m in (2, 3, 4, 5) if f"share_{m}" in columns]
    if len(marks) == 4:
        _check_shares(line, marks, [], 0, "2–5")
    journal = [(f, columns[f].index) for f in JOURNAL if f in columns]
    if len(journal) == 3:
        _check_shares(line, journal, [], 0, "понизили, подтвердили, повысили")


# ---- the empty template ---------------------------------------------------------------------------------

_TEMPLATE = [
    ("year", 12, "2020/2021 — учебный год; одно число (2021) — год проведения экзамена (весна 2021 г.)"),
    ("procedure", 11, "ВПР, ОГЭ, ЕГЭ, РКР, НИКО или ВсОШ"),
    ("subject", 22, "«Русский язык», «Математика», «Математика (профильный уровень)»…"),
    ("grade", 7, "4–11; для ОГЭ можно не указывать (9), для ЕГЭ — тоже (11)"),
    (
        "name",
        42,
        "наименование ОО, её логин ФИС ОКО (sch470123) или ИНН; для итогов — название "
        "муниципалитета или региона",
    ),
    ("participants", 11, "число участников (целое)"),
    ("share_2", 8, "доля отметок «2», % (0–100)"),
    ("share_3", 8, "доля отметок «3», %"),
    ("share_4", 8, "доля отметок «4», %"),
    ("share_5", 8, "доля отметок «5», %; сумма долей 2–5 должна быть 100 ± 1"),
    ("average", 10, "средний балл (ЕГЭ — тестовый балл, ОГЭ и ВПР — средняя отметка)"),
    ("below_minimum", 14, "доля не преодолевших минимальный порог, %"),
    ("social_index", 14, "индекс социального благополучия школы (чем больше, тем благополучнее)"),
    ("single_parent", 12, "доля обучающихся из неполных семей, %"),
    ("prevention_register", 14, "доля обучающихся на профилактическом учёте, %"),
    ("continuing_10", 14, "доля выпускников 9 класса, продолживших обучение в 10 классе, %"),
    ("olympiad_share", 11, "доля обучающихся — участников ВсОШ, %"),
]


def write_flat_template(path: Path) -> Path:
    """An empty, formatted template: a title, the header row frozen, a sheet of explanations."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from app.exporting.files import check_target, write_atomically

    path = check_target(Path(path), (".xlsx",), "Шаблон результатов")
    header_row = 4
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Результаты"
    sheet["A1"] = "Результаты оценочных процедур (ОГЭ, ЕГЭ, РКР) и показатели контекста школ"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (
        "Одна строка — одна школа (или муниципалитет, регион), учебный год, процедура, предмет и класс. "
        "Показатели контекста можно указать в отдельных строках без процедуры. Пояснения — на листе «Пояснения»."
    )
    sheet["A2"].font = Font(italic=True, size=10, color="555555")
    fill = PatternFill("solid", fgColor="DDE6F0")
    context_fill = PatternFill("solid", fgColor="E8F0DC")
    for number, (field_name, width, _) in enumerate(_TEMPLATE, 1):
        cell = sheet.cell(header_row, number, _TITLES[field_name])
        cell.font = Font(bold=True, size=10)
        cell.fill = context_fill if field_name in CONTEXT else fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.row_dimensions[header_row].height = 48
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    procedures = DataValidation(type="list", formula1='"ВПР,ОГЭ,ЕГЭ,РКР,НИКО,ВсОШ"', allow_blank=True)
    procedures.error = "Выберите процедуру из списка"
    sheet.add_data_validation(procedures)
    procedures.add(f"B{header_row + 1}:B5000")
    notes = workbook.create_sheet("Пояснения")
    notes["A1"], notes["B1"] = "Поле шаблона", "Что указать"
    notes["A1"].font = notes["B1"].font = Font(bold=True)
    for number, (field_name, _, text) in enumerate(_TEMPLATE, 2):
        notes.cell(number, 1, _TITLES[field_name])
        notes.cell(number, 2, text)
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 90
    write_atomically(path, workbook.save)
    return path
