"""Reading ФИС ОКО reports: «Статистика по отметкам» and «Сравнение отметок с отметками по журналу».

A report is found by its labels, never by fixed cells: the title area (title lines, a filter
block) gives the procedure, subject, grade and year; the table is the row holding the columns
«2», «3», «4», «5» (or the groups «Понизили / Подтвердили / Повысили»), wherever it starts.
Rows nest region → municipality → school; the nesting is read from what the names say (a login
in brackets, «обл.», «район»), from separate columns, or, for names that say nothing, from their
indentation. «Вся выборка» (the whole country) is skipped. Readers return lines with the figures
and the school as the report names it; matching to the registry is the importer's work.

The shared pieces (the line type, the title reader, cell parsers, the name classifier) are used
by the flat template reader too (app/results/flat.py).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.importing.columns import ColumnSpec, match_columns, normalize_title
from app.importing.report import ImportIssue, Severity
from app.importing.sheet import Cell, SheetData, column_letter
from app.results.model import Indicator, Level, Procedure
from app.text import fold

TITLE_SCAN_ROWS = 40  # the title and filter block sit above the table, within the first rows
SHARE_TOLERANCE = 1.0  # percentages of 2–5 (or the journal groups) must add to 100 ± this

SUBJECTS = (
    "Русский язык",
    "Математика",
    "Окружающий мир",
    "История",
    "Биология",
    "География",
    "Обществознание",
    "Физика",
    "Химия",
    "Английский язык",
    "Немецкий язык",
    "Французский язык",
    "Испанский язык",
    "Китайский язык",
    "Иностранный язык",
    "Информатика",
    "Литература",
    "Естествознание",
    "Математика (профильный уровень)",
    "Математика (базовый уровень)",
    "Читательская грамотность",
)
# Other spellings of the same subjects (folded): ФИС ОКО, ФЦТ and schools write them differently.
_SUBJECT_ALIASES = {
    "математика профильная": "Математика (профильный уровень)",
    "математика профиль": "Математика (профильный уровень)",
    "профильная математика": "Математика (профильный уровень)",
    "математика базовая": "Математика (базовый уровень)",
    "базовая математика": "Математика (базовый уровень)",
    "английский": "Английский язык",
    "иностранный язык английский": "Английский язык",
    "иностранный язык английский язык": "Английский язык",
    "немецкий": "Немецкий язык",
    "французский": "Французский язык",
    "русский": "Русский язык",
    "информатика и икт": "Информатика",
}


class ReportKind(StrEnum):
    STATISTICS = "statistics"
    COMPARISON = "comparison"
    FLAT = "flat"

    @property
    def label(self) -> str:
        return {
            "statistics": "«Статистика по отметкам»",
            "comparison": "«Сравнение отметок с отметками по журналу»",
            "flat": "шаблон результатов (ОГЭ, ЕГЭ, контекст)",
        }[self.value]


@dataclass(frozen=True)
class Entity:
    """Whom a line is about, as the report names it (before matching to the registry)."""

    level: Level
    name: str  # the school's name without its login, or the area's name
    login: str = ""
    inn: str = ""
    area: str = ""  # the municipality (or region) the school or municipality sits under

    def display(self) -> str:
        return f"({self.login}) {self.name}" if self.login else self.name


@dataclass
class ReadLine:
    """One line read from a report: a result (or, in the flat template, context values)."""

    file_name: str
    sheet: str
    row: int  # as Excel numbers rows
    kind: ReportKind
    entity: Entity
    academic_year: int
    procedure: Procedure | None
    subject: str
    grade: int
    figures: dict[str, float | int | None] = field(default_factory=dict)  # Result field → value
    context: dict[Indicator, float] = field(default_factory=dict)
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def place(self) -> str:
        return f"«{self.file_name}», строка {self.row}"


@dataclass
class SheetReport:
    """What one worksheet held: its kind, where the table is, the lines and the problems."""

    file_name: str
    sheet: str
    kind: ReportKind | None
    header_row: int = 0
    procedure: Procedure | None = None
    subject: str = ""
    grade: int = 0
    academic_year: int | None = None
    lines: list[ReadLine] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)  # about the sheet as a whole
    skipped: int = 0  # rows deliberately not stored («Вся выборка», headings without figures)

    @property
    def rejected(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    def error(self, message: str, row: int | None = None, column: str = "", title: str = "") -> None:
        self.issues.append(ImportIssue(self.file_name, row, column, title, message))


# ---- cells -------------------------------------------------------------------------------------------

_EMPTY_MARKS = {"", "-", "–", "—", "нет данных", "н/д", "x", "х"}


def cell_text(value: Cell) -> str:
    """A cell as text with its leading spaces kept (they may be the nesting), the rest trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").rstrip()
    return text


def clean(value: Cell) -> str:
    return " ".join(cell_text(value).split())


def is_empty(value: Cell) -> bool:
    return fold(clean(value)) in _EMPTY_MARKS


def parse_share(value: Cell) -> float | None:
    """A percentage 0–100: 12.5, «12,5», «12,5 %»; empty or «-» → None; anything else: ValueError."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError("ожидается число (процент)")
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = clean(value)
        if fold(text) in _EMPTY_MARKS:
            return None
        text = text.replace("%", "").replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"ожидается процент (число от 0 до 100), а указано «{clean(value)}»") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise ValueError(f"процент {clean(value)} вне пределов 0–100")
    return number


def parse_count(value: Cell) -> int | None:
    """A number of participants: 12, 12.0, «1 234»; empty → None; anything else: ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("ожидается число участников (целое число)")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"число участников должно быть целым, а указано «{clean(value)}»")
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = clean(value)
        if fold(text) in _EMPTY_MARKS:
            return None
        digits = text.replace(" ", "")
        if re.fullmatch(r"\d+([.,]0+)?", digits):
            number = int(re.split(r"[.,]", digits)[0])
        else:
            raise ValueError(f"число участников должно быть целым числом, а указано «{text}»")
    if not 0 <= number <= 10_000_000:
        raise ValueError(f"число участников {number} вне допустимых пределов")
    return number


def number_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def canonical_subject(text: str) -> str:
    """«русский язык», «Математика профильная» → the subject as the program names it; unknown
    names are kept as written (trimmed)."""
    cleaned = " ".join(str(text).split()).strip(" .,:;")
    key = " ".join(re.sub(r"[^\w]+", " ", fold(cleaned)).split())
    for subject in SUBJECTS:
        if key == " ".join(re.sub(r"[^\w]+", " ", fold(subject)).split()):
            return subject
    return _SUBJECT_ALIASES.get(key, cleaned)


def find_subject(text: str) -> str:
    """The known subject named somewhere in a title line («ВПР 2021. Математика 5 класс»), or ''."""
    folded = " ".join(re.sub(r"[^\w()]+", " ", fold(text)).split())
    best = ""
    for subject in SUBJECTS:
        key = " ".join(re.sub(r"[^\w()]+", " ", fold(subject)).split())
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded) and len(subject) > len(best):
            best = subject
    if not best:
        for alias, subject in _SUBJECT_ALIASES.items():
            if len(alias) > 8 and re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", folded):
                return subject
    return best


# ---- the title area ------------------------------------------------------------------------------------


@dataclass
class Meta:
    procedure: Procedure | None = None
    subject: str = ""
    grade: int = 0
    academic_year: int | None = None
    year_rank: int = 0  # how sure: 3 an academic year written out, 2 a date, 1 a bare year
    title: str = ""


_PROCEDURE_WORDS = [
    (r"всероссийск\w* проверочн\w*|\bвпр\b", Procedure.VPR),
    (r"\bогэ\b|основн\w* государственн\w* экзамен", Procedure.OGE),
    (r"\bегэ\b|единн\w* государственн\w* экзамен", Procedure.EGE),
    (r"\bнико\b|национальн\w* исследован", Procedure.NIKO),
    (r"\bркр\b|\bрдр\b|региональн\w* (?:контрольн|диагностическ)", Procedure.RKR),
    (r"\bвсош\b|всероссийск\w* олимпиад", Procedure.VSOSH),
]
_ACADEMIC_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*[/\-–—]\s*(20\d\d|\d\d)(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(20\d\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d.])(20\d\d)(?![\d.]\d)")
_GRADE_BEFORE = re.compile(r"(?<!\d)(1[01]|[1-9])\s*(?:-?(?:й|го|м|х))?\s*(?:класс|кл\b|кл\.|параллел)")
_GRADE_AFTER = re.compile(r"(?:класс|параллель)\w*\s*[:\-–]?\s*(1[01]|[1-9])(?!\d)")
_LABEL = re.compile(r"^\s*([^:]{2,40}):\s*(.+)$")


def procedure_of(text: str) -> Procedure | None:
    folded = fold(text)
    for pattern, procedure in _PROCEDURE_WORDS:
        if re.search(pattern, folded):
            return procedure
    return None


def academic_year_of(text: str) -> tuple[int | None, int]:
    """The academic year a title names and how sure that is.

    «2020/2021» → 2020 (sure); a date → its academic year (September starts one); a bare year is
    the year of the session: ВПР, ОГЭ and ЕГЭ are written in spring, so «ВПР 2021» → 2020/2021,
    unless the title says autumn («осень»)."""
    match = _ACADEMIC_YEAR.search(text)
    if match:
        start, end = int(match.group(1)), match.group(2)
        end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        if end_year == start + 1:
            return start, 3
    match = _DATE.search(text)
    if match:
        month, year = int(match.group(2)), int(match.group(3))
        if 1 <= month <= 12:
            return (year if month >= 9 else year - 1), 2
    match = _YEAR.search(text)
    if match:
        year = int(match.group(1))
        return (year if "осен" in fold(text) else year - 1), 1
    return None, 0


def grade_of(text: str) -> int:
    folded = fold(text)
    match = _GRADE_BEFORE.search(folded) or _GRADE_AFTER.search(folded)
    return int(match.group(1)) if match else 0


def read_meta(rows: Sequence[Sequence[Cell]], until: int) -> Meta:
    """The procedure, subject, grade and year from the title lines and filter block above `until`."""
    meta = Meta()
    for row in rows[: min(until, TITLE_SCAN_ROWS)]:
        texts = [clean(c) for c in row if not is_empty(c)]
        dates = [c for c in row if isinstance(c, dt.date)]
        if not texts and not dates:
            continue
        line = " ".join(texts)
        if not meta.title and texts:
            meta.title = line
        label = _LABEL.match(line)
        key = fold(label.group(1)) if label else ""
        value = label.group(2) if label else line
        if len(texts) >= 2 and texts[0].endswith(":"):  # «Предмет:» | «Математика» in two cells
            key, value = fold(texts[0][:-1]), " ".join(texts[1:])
        if key.startswith("предмет") or key.startswith("дисциплин"):
            meta.subject = meta.subject or canonical_subject(value)
        elif key.startswith(("класс", "параллель")):
            meta.grade = meta.grade or grade_of(f"класс {value}")
        elif key.startswith(("процедура", "мероприятие", "оценочная процедура", "вид работы")):
            meta.procedure = meta.procedure or procedure_of(value)
        if meta.procedure is None:
            meta.procedure = procedure_of(line)
        if not meta.subject:
            meta.subject = find_subject(line)
        if not meta.grade and not key.startswith(("дата", "максимальн", "балл")):
            meta.grade = grade_of(line)
        for source in [line, *(f"{d.day:02d}.{d.month:02d}.{d.year}" for d in dates)]:
            year, rank = academic_year_of(source)
            if year is not None and rank > meta.year_rank:
                meta.academic_year, meta.year_rank = year, rank
    return meta


def apply_meta(report: SheetReport, meta: Meta, default_year: int | None, first_row: int) -> None:
    """Fill the report's procedure, subject, grade and year; a missing one rejects the sheet."""
    report.procedure = meta.procedure or Procedure.VPR  # ФИС ОКО publishes ВПР unless it says otherwise
    report.subject = meta.subject
    report.grade = meta.grade
    report.academic_year = meta.academic_year if meta.academic_year is not None else default_year
    if not report.subject:
        report.error(
            "не найден предмет: в строках над таблицей нет ни строки «Предмет: …», ни названия предмета "
            "в заголовке (например, «ВПР 2021. Математика 5 класс»)",
            first_row,
        )
    if not report.grade and report.procedure is Procedure.VPR:
        report.error(
            "не найден класс: в строках над таблицей нет ни «5 класс», ни строки «Класс: 5»", first_row
        )
    if report.academic_year is None:
        report.error(
            "не найден учебный год: в заголовке отчёта нет ни года (например, «ВПР 2021» или "
            "«2020/2021»), ни даты. Укажите учебный год при загрузке (в командной строке — "
            "--year 2020/2021)",
            first_row,
        )


# ---- names: who a row is about -------------------------------------------------------------------------

_LOGIN = re.compile(r"\(\s*([a-z]{2,6}_?\d{3,})\s*\)", re.IGNORECASE)
_LOGIN_ONLY = re.compile(r"[a-z]{2,6}_?\d{3,}", re.IGNORECASE)
_LOGIN_BARE = re.compile(r"^\s*([a-z]{2,6}_?\d{3,})\s+", re.IGNORECASE)
_FEDERAL = {"вся выборка", "вся россия", "россия", "российская федерация", "рф", "всего по рф", "итого по рф"}
_SCHOOL_WORDS = re.compile(
    r"(?<!\w)(?:сош|оош|нош|сш|оош|школ\w*|гимнази\w*|лице\w*|учрежден\w*|мбоу|мкоу|маоу|моу|мобу|гбоу|"
    r"гкоу|гаоу|чоу|ноу|аноо|интернат\w*|кадетск\w*|центр образования|филиал\w*|оц)(?!\w)"
)
_AUTONOMOUS_REGION = re.compile(r"автономн\w* (?:округ|област)")
_MUNICIPALITY_WORDS = re.compile(
    r"район|муниципальн|городск\w* округ|(?<!\w)округ(?!\w)|(?<!\w)(?:го|мо|мр|гп|сп)(?!\w)|поселени"
)
_REGION_WORDS = re.compile(
    r"(?<!\w)обл(?:\.|(?!\w))|област|(?<!\w)край(?!\w)|республик|"
    r"^(?:г\.?\s*)?(?:москва|санкт-петербург|севастополь)$"
)
_CITY = re.compile(r"^(?:г\.|г |город |гор\. )")


def split_login(text: str) -> tuple[str, str]:
    """«(sch224332) МБОУ «Шумская СОШ»» → («sch224332», «МБОУ «Шумская СОШ»»)."""
    match = _LOGIN.search(text)
    if match:
        rest = (text[: match.start()] + " " + text[match.end() :]).strip(" -–—,;")
        return match.group(1).lower(), " ".join(rest.split())
    if _LOGIN_ONLY.fullmatch(text.strip()):
        return text.strip().lower(), ""
    match = _LOGIN_BARE.match(text)
    if match:
        return match.group(1).lower(), " ".join(text[match.end() :].split())
    return "", " ".join(text.split())


def classify(text: str) -> tuple[str, str, str]:
    """(kind, login, name): kind is 'federal', 'region', 'municipality', 'school' or '' (says nothing)."""
    login, name = split_login(text)
    if login:
        return "school", login, name
    folded = fold(name).strip(" .")
    if folded in _FEDERAL:
        return "federal", "", name
    if _SCHOOL_WORDS.search(folded):
        return "school", "", name
    if _AUTONOMOUS_REGION.search(folded):
        return "region", "", name
    if _MUNICIPALITY_WORDS.search(folded):
        return "municipality", "", name
    if _REGION_WORDS.search(folded):
        return "region", "", name
    if _CITY.match(folded):
        return "municipality", "", name
    return "", "", name


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


class Nesting:
    """Turns a column of names into region / municipality / school, remembering the current area.

    Names that say what they are decide by themselves; the others take the kind most common at
    their indentation (when the report indents), else they are schools."""

    def __init__(self, names: Sequence[str]) -> None:
        votes: dict[int, Counter[str]] = {}
        for text in names:
            kind, _, _ = classify(text)
            if kind and kind != "federal":
                votes.setdefault(_indent(text), Counter())[kind] += 1
        self.by_indent = {indent: counter.most_common(1)[0][0] for indent, counter in votes.items()}
        self.region = ""
        self.municipality = ""

    def entity(self, text: str, *, inn: str = "") -> Entity | None:
        """The row's entity (None for «Вся выборка»), updating the current region and municipality."""
        kind, login, name = classify(text)
        if not kind:
            kind = self.by_indent.get(_indent(text), "school") if len(self.by_indent) > 1 else "school"
        if kind == "federal":
            return None
        if kind == "region":
            self.region, self.municipality = name, ""
            return Entity(Level.REGION, name, area=name)
        if kind == "municipality":
            self.municipality = name
            return Entity(Level.MUNICIPALITY, name, area=name)
        return Entity(Level.SCHOOL, name, login=login, inn=inn, area=self.municipality or self.region)


# ---- finding the table -----------------------------------------------------------------------------------

_MARK_NOISE = re.compile(r"доля|процент|отметк\w*|оценк\w*|получивш\w*|на|в|кол во|%|[«»\"'()№]")


def mark_of(value: Cell) -> int | None:
    """The mark a header cell stands for: 2, «2», «"2"», «% "2"», «Отметка 5», «Доля 3, %»."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if float(value) in (2.0, 3.0, 4.0, 5.0) else None
    text = fold(clean(value))
    if len(text) > 30:
        return None
    rest = " ".join(_MARK_NOISE.sub(" ", text.replace("-", " ")).replace(",", " ").split())
    return int(rest) if rest in ("2", "3", "4", "5") else None


ENTITY_COLUMNS = [
    ColumnSpec(
        "name",
        "ОО",
        (
            "Наименование",
            "Наименование ОО",
            "Образовательная организация",
            "Общеобразовательная организация",
            "Организация",
            "Школа",
            "Название ОО",
            "ОО логин",
            "Регион Муниципалитет ОО",
            "Территория ОО",
            "Группы участников",
        ),
    ),
    ColumnSpec(
        "participants",
        "Кол-во уч.",
        (
            "Количество участников",
            "Кол-во участников",
            "Число участников",
            "Участников",
            "Участники",
            "Кол-во учащихся",
            "Количество учащихся",
            "Кол во уч",
            "Количество уч",
        ),
    ),
    ColumnSpec("login", "Логин", ("Логин ОО", "Логин ФИС ОКО", "Код ОО")),
    ColumnSpec("inn", "ИНН", ("ИНН ОО",)),
    ColumnSpec("region", "Регион", ("Субъект РФ", "Субъект", "Субъект Российской Федерации")),
    ColumnSpec(
        "municipality",
        "Муниципалитет",
        (
            "Муниципальный район",
            "Муниципальное образование",
            "Муниципальный район городской округ",
            "АТЕ",
            "Район",
            "МО",
        ),
    ),
]


def _find_mark_row(rows: Sequence[Sequence[Cell]]) -> tuple[int, dict[int, int]] | None:
    """The first row holding each of the marks 2, 3, 4, 5 once: (row index, mark → column)."""
    for index, row in enumerate(rows[: TITLE_SCAN_ROWS + 10]):
        marks: dict[int, int] = {}
        for column, cell in enumerate(row):
            mark = mark_of(cell)
            if mark is not None and mark not in marks:
                marks[mark] = column
        if len(marks) == 4 and sorted(marks.values()) == [marks[m] for m in (2, 3, 4, 5)]:
            return index, marks
    return None


def _entity_columns(rows: Sequence[Sequence[Cell]], header: int, depth: int = 3) -> dict[str, int]:
    """Name, participants, login… columns from the header row and up to `depth` rows above it
    (ФИС ОКО's header has two rows: «ОО», «Кол-во уч.» merged over the row of marks)."""
    found: dict[str, int] = {}
    for index in range(header, max(-1, header - depth), -1):
        for column, spec_field in match_columns(rows[index], ENTITY_COLUMNS).items():
            if spec_field not in found and column not in found.values():
                found[spec_field] = column
    return found


_GROUPS = (("понизил", "lowered"), ("подтвердил", "confirmed"), ("повысил", "raised"), ("всего", "total"))


def group_of(value: Cell) -> str:
    """'lowered', 'confirmed', 'raised', 'total' for the comparison's group labels; '' otherwise."""
    if not isinstance(value, str):
        return ""
    text = fold(clean(value))
    for prefix, group in _GROUPS:
        if text.startswith(prefix):
            return group
    return ""


def _is_percent_label(value: Cell) -> bool:
    text = fold(clean(value)).replace(" ", "")
    return text in {"%", "доля", "доля,%", "доля%", "процент", "%уч.", "%уч", "%участников", "доляучастников"}


def _is_count_label(value: Cell) -> bool:
    """«Кол-во уч.», «Количество участников», «Число участников» (not «Группы участников»)."""
    text = normalize_title(value) if isinstance(value, str) else ""
    return len(text) < 40 and bool(re.search(r"(?<!\w)кол(?!\w)|кол во|количеств|(?<!\w)число", text))


_OTHER_REPORTS = ("выполнение заданий", "индивидуальные результаты", "индивидуальных результатов")


def detect_kind(sheet: SheetData) -> ReportKind | None:
    """Which ФИС ОКО report a sheet holds (None: neither; the flat reader is asked separately)."""
    rows = sheet.rows
    head = rows[: TITLE_SCAN_ROWS + 10]
    groups = {group_of(c) for row in head for c in row} - {""}
    title = " ".join(clean(c) for row in head[:TITLE_SCAN_ROWS] for c in row if isinstance(c, str))
    folded = fold(title)
    if any(other in folded for other in _OTHER_REPORTS):
        return None  # «Выполнение заданий», «Индивидуальные результаты»: their columns 2–5 are not marks
    if "сравнение отметок" in folded or len(groups & {"lowered", "confirmed", "raised"}) >= 2:
        return ReportKind.COMPARISON
    found = _find_mark_row(rows)
    if found is not None:
        index, _marks = found
        # a header with «1» or «6» beside 2–5 numbers tasks, not marks
        if any(isinstance(c, int | float | str) and clean(str(c)) in {"1", "6", "7"} for c in rows[index]):
            return None
        return ReportKind.STATISTICS
    return None


# ---- «Статистика по отметкам» ------------------------------------------------------------------------------


def _line(report: SheetReport, row: int, entity: Entity) -> ReadLine:
    assert report.academic_year is not None and report.kind is not None
    return ReadLine(
        report.file_name,
        report.sheet,
        row,
        report.kind,
        entity,
        report.academic_year,
        report.procedure,
        report.subject,
        report.grade,
    )


class _RowEntities:
    """The entity of each data row: from one name column (nesting by names and indentation) or
    from separate region / municipality / school columns (blank cells carried down, as merged)."""

    def __init__(self, rows: Sequence[Sequence[Cell]], columns: dict[str, int]) -> None:
        self.columns = columns
        name_column = columns.get("name")
        self.nesting = Nesting(
            [cell_text(_at(r, name_column)) for r in rows] if name_column is not None else []
        )
        self.region = ""
        self.municipality = ""

    def entity(self, row: Sequence[Cell]) -> Entity | bool | None:
        """The entity, None for a skipped row («Вся выборка»), False for a row with no name at all."""
        name = cell_text(_at(row, self.columns.get("name")))
        login = clean(_at(row, self.columns.get("login"))).lower()
        inn = clean(_at(row, self.columns.get("inn")))
        region = clean(_at(row, self.columns.get("region")))
        municipality = clean(_at(row, self.columns.get("municipality")))
        if "region" not in self.columns and "municipality" not in self.columns:
            if not name.strip() and not login:
                return False
            if login and not _LOGIN.search(name):
                name = f"({login}) {name.strip()}"
            return self.nesting.entity(name, inn=inn)
        # separate columns: the most specific filled cell says what the row is
        if region and fold(region) not in _FEDERAL:
            if region != self.region:
                self.municipality = ""
            self.region = region
        if municipality:
            self.municipality = municipality
        if name.strip() or login:
            kind, found_login, school = classify(name)
            if kind == "federal":
                return None
            return Entity(
                Level.SCHOOL,
                school,
                login=login or found_login,
                inn=inn,
                area=self.municipality or self.region,
            )
        if municipality:
            return Entity(Level.MUNICIPALITY, municipality, area=municipality)
        if region:
            return None if fold(region) in _FEDERAL else Entity(Level.REGION, region, area=region)
        return False


def _at(row: Sequence[Cell], column: int | None) -> Cell:
    if column is None or column >= len(row):
        return None
    return row[column]


def _title(rows: Sequence[Sequence[Cell]], header: int, column: int) -> str:
    for index in range(header, max(-1, header - 3), -1):
        text = clean(_at(rows[index], column))
        if text:
            return text
    return ""


def read_statistics(sheet: SheetData, default_year: int | None = None) -> SheetReport:
    """«Статистика по отметкам»: participants and % of marks 2–5 per region, municipality and school."""
    report = SheetReport(sheet.path.name, sheet.name, ReportKind.STATISTICS)
    rows = sheet.rows
    found = _find_mark_row(rows)
    if found is None:
        report.error(
            "не найдена таблица со столбцами 2, 3, 4, 5 (доли отметок) — это не отчёт «Статистика по "
            "отметкам» ФИС ОКО или его заголовок изменён"
        )
        return report
    header, marks = found
    report.header_row = header + 1
    columns = _entity_columns(rows, header)
    if "name" not in columns and "login" not in columns:
        first_mark = min(marks.values())
        # ФИС ОКО leaves the name column's header blank at times: take the first text column
        columns["name"] = next(
            (c for c in range(first_mark) if any(isinstance(_at(r, c), str) for r in rows[header + 1 :])), 0
        )
    apply_meta(report, read_meta(rows, header), default_year, report.header_row)
    if report.rejected:
        return report
    entities = _RowEntities(rows[header + 1 :], columns)
    participants_column = columns.get("participants")
    for index in range(header + 1, len(rows)):
        row = rows[index]
        entity = entities.entity(row)
        if entity is False:
            continue
        if entity is None:
            report.skipped += 1
            continue
        assert isinstance(entity, Entity)
        line = _line(report, index + 1, entity)
        cells = {"participants": participants_column, **{f"share_{m}": c for m, c in marks.items()}}
        if all(is_empty(_at(row, c)) for c in cells.values() if c is not None):
            report.skipped += 1  # a heading row (a municipality's name over its schools) with no figures
            continue
        _read_figures(report, line, rows, header, row, cells)
        _check_shares(line, [(f"share_{m}", marks[m]) for m in (2, 3, 4, 5)], rows, header, "2–5")
        report.lines.append(line)
    if not report.lines:
        report.error("в таблице нет ни одной строки с результатами", report.header_row)
    return report


def _read_figures(
    report: SheetReport,
    line: ReadLine,
    rows: Sequence[Sequence[Cell]],
    header: int,
    row: Sequence[Cell],
    cells: dict[str, int | None],
) -> None:
    for name, column in cells.items():
        if column is None:
            continue
        parser = (
            parse_count if name in ("participants", "count") or name.startswith("count_") else parse_share
        )
        try:
            line.figures[name] = parser(_at(row, column))
        except ValueError as exc:
            line.issues.append(
                ImportIssue(
                    report.file_name, line.row, column_letter(column), _title(rows, header, column), str(exc)
                )
            )


def _check_shares(
    line: ReadLine, columns: list[tuple[str, int]], rows: Sequence[Sequence[Cell]], header: int, what: str
) -> None:
    """Shares that should add to 100 and do not: a warning on the line (it is flagged, not dropped)."""
    values = [line.figures.get(name) for name, _ in columns]
    if any(v is None for v in values) or line.figures.get("participants") == 0:
        return
    total = sum(v for v in values if v is not None)
    if total == 0 and not line.figures.get("participants"):
        return
    if abs(total - 100) > SHARE_TOLERANCE:
        first, last = column_letter(columns[0][1]), column_letter(columns[-1][1])
        line.issues.append(
            ImportIssue(
                line.file_name,
                line.row,
                first if first == last else f"{first}–{last}",
                what,
                f"доли ({what}) в сумме дают {number_text(total)} %, а должны 100 % (± "
                f"{number_text(SHARE_TOLERANCE)}): строка загружается, но проверьте её",
                Severity.WARNING,
            )
        )


# ---- «Сравнение отметок с отметками по журналу» ----------------------------------------------------------------

_GROUP_FIELDS = {"lowered": "lowered", "confirmed": "confirmed", "raised": "raised"}


def read_comparison(sheet: SheetData, default_year: int | None = None) -> SheetReport:
    """«Сравнение отметок с отметками по журналу»: % who lowered / confirmed / raised their journal
    mark, either as a block of group rows under each area and school, or as column groups."""
    report = SheetReport(sheet.path.name, sheet.name, ReportKind.COMPARISON)
    rows = sheet.rows
    layout = _comparison_columns(rows)
    if layout is not None:
        return _read_comparison_columns(report, rows, *layout, default_year)
    return _read_comparison_blocks(report, rows, default_year)


def _comparison_columns(rows: Sequence[Sequence[Cell]]) -> tuple[int, dict[str, dict[str, int]]] | None:
    """Column groups: a header row with two or more group labels; under each, «Кол-во уч.» and «%»
    in the next row (or «Понизили, кол-во уч.» / «Понизили, %» in one row). (data start, groups)."""
    for index, row in enumerate(rows[: TITLE_SCAN_ROWS + 10]):
        starts = [(c, group_of(cell)) for c, cell in enumerate(row) if group_of(cell)]
        if len({g for _, g in starts}) < 2:
            continue
        groups: dict[str, dict[str, int]] = {}
        below = rows[index + 1] if index + 1 < len(rows) else []
        sub = {c for c, cell in enumerate(below) if _is_percent_label(cell) or _is_count_label(cell)}
        if sub:
            bounds = [c for c, _ in starts] + [max(len(below), len(row)) + 1]
            for (start, group), end in zip(starts, bounds[1:], strict=False):
                for column in range(start, end):
                    cell = _at(below, column)
                    if _is_count_label(cell):
                        groups.setdefault(group, {}).setdefault("count", column)
                    elif _is_percent_label(cell):
                        groups.setdefault(group, {}).setdefault("share", column)
            return index + 1, groups
        for column, group in starts:
            text = fold(clean(row[column]))
            kind = "count" if re.search(r"кол|число|количеств", text) else "share"
            groups.setdefault(group, {}).setdefault(kind, column)
        return index, groups
    return None


def _read_comparison_columns(
    report: SheetReport,
    rows: Sequence[Sequence[Cell]],
    header: int,
    groups: dict[str, dict[str, int]],
    default_year: int | None,
) -> SheetReport:
    report.header_row = header + 1
    missing = [g for g in ("lowered", "confirmed", "raised") if "share" not in groups.get(g, {})]
    if missing:
        names = {"lowered": "«Понизили»", "confirmed": "«Подтвердили»", "raised": "«Повысили»"}
        report.error(
            "не найдены столбцы % для групп " + ", ".join(names[g] for g in missing) + " — таблица "
            "«Сравнение отметок с отметками по журналу» неполная или другого вида",
            report.header_row,
        )
        return report
    used = {c for g in groups.values() for c in g.values()}
    columns = _entity_columns(rows, header, depth=2)
    columns = {k: v for k, v in columns.items() if v not in used and k != "participants"}
    if "name" not in columns and "login" not in columns:
        columns["name"] = next(
            (c for c in range(min(used)) if any(isinstance(_at(r, c), str) for r in rows[header + 1 :])), 0
        )
    apply_meta(report, read_meta(rows, header - 1), default_year, report.header_row)
    if report.rejected:
        return report
    entities = _RowEntities(rows[header + 1 :], columns)
    for index in range(header + 1, len(rows)):
        row = rows[index]
        entity = entities.entity(row)
        if entity is False:
            continue
        if entity is None:
            report.skipped += 1
            continue
        assert isinstance(entity, Entity)
        cells: dict[str, int | None] = {}
        for group, places in groups.items():
            if "share" in places and group in _GROUP_FIELDS:
                cells[_GROUP_FIELDS[group]] = places["share"]
            if "count" in places:
                cells[f"count_{group}"] = places["count"]
        if all(is_empty(_at(row, c)) for c in cells.values() if c is not None):
            report.skipped += 1
            continue
        line = _line(report, index + 1, entity)
        _read_figures(report, line, rows, header, row, cells)
        _finish_comparison(line, [(f, c) for f, c in cells.items() if f in _GROUP_FIELDS], rows, header)
        report.lines.append(line)
    if not report.lines:
        report.error("в таблице нет ни одной строки с результатами", report.header_row)
    return report


def _read_comparison_blocks(
    report: SheetReport, rows: Sequence[Sequence[Cell]], default_year: int | None
) -> SheetReport:
    """Blocks of rows: a row naming the area or school, then its rows «Понизили …», «Подтвердили …»,
    «Повысили …», «Всего», each with «Кол-во уч.» and «%» (the report as ФИС ОКО shows it)."""
    first_group = next(
        (
            i
            for i, row in enumerate(rows)
            if any(group_of(c) in ("lowered", "confirmed", "raised") for c in row)
        ),
        None,
    )
    if first_group is None:
        report.error(
            "не найдены строки «Понизили (Отметка < Отметка по журналу)», «Подтвердили …», «Повысили …» — "
            "это не отчёт «Сравнение отметок с отметками по журналу» ФИС ОКО или его вид изменён"
        )
        return report
    header = None
    for index in range(first_group - 1, max(-1, first_group - 12), -1):
        row = rows[index]
        if any(_is_percent_label(c) for c in row) and any(_is_count_label(c) for c in row):
            header = index
            break
    if header is None:
        report.error(
            "не найдена строка заголовков со столбцами «Кол-во уч.» и «%» над группами «Понизили / "
            "Подтвердили / Повысили»",
            first_group + 1,
        )
        return report
    report.header_row = header + 1
    count_column = next(c for c, cell in enumerate(rows[header]) if _is_count_label(cell))
    share_column = next(c for c, cell in enumerate(rows[header]) if _is_percent_label(cell))
    apply_meta(report, read_meta(rows, header), default_year, report.header_row)
    if report.rejected:
        return report
    name_columns = [c for c in range(min(count_column, share_column))]
    names = []
    for row in rows[header + 1 :]:
        for column in name_columns:
            if isinstance(_at(row, column), str) and clean(row[column]) and not group_of(row[column]):
                names.append(cell_text(row[column]))
    nesting = Nesting(names)
    current: ReadLine | None = None
    skipping = False
    places: dict[str, int] = {}

    def finish() -> None:
        if current is not None:
            if not any(k in current.figures for k in _GROUP_FIELDS):
                report.skipped += 1
                return
            _finish_comparison(
                current, [(f, places.get(f, share_column)) for f in _GROUP_FIELDS], rows, header
            )
            report.lines.append(current)

    for index in range(header + 1, len(rows)):
        row = rows[index]
        group_cells = [(c, group_of(_at(row, c))) for c in name_columns if group_of(_at(row, c))]
        name_cells = [
            c for c in name_columns if isinstance(_at(row, c), str) and clean(row[c]) and not group_of(row[c])
        ]
        if name_cells:  # a new area or school (its groups follow, on this row or below)
            finish()
            current, places = None, {}
            entity = nesting.entity(cell_text(row[name_cells[0]]))
            skipping = entity is None
            if entity is None:
                report.skipped += 1
            else:
                current = _line(report, index + 1, entity)
        if not group_cells or current is None or skipping:
            continue
        group = group_cells[0][1]
        field_name = _GROUP_FIELDS.get(group, "")
        values: dict[str, float | int | None] = {}
        for key, column, parser in (
            ("count", count_column, parse_count),
            ("share", share_column, parse_share),
        ):
            try:
                values[key] = parser(_at(row, column))
            except ValueError as exc:
                current.issues.append(
                    ImportIssue(
                        report.file_name,
                        index + 1,
                        column_letter(column),
                        _title(rows, header, column),
                        str(exc),
                    )
                )
        if len(values) < 2:
            continue
        count, share = values["count"], values["share"]
        current.figures[f"count_{group}"] = count
        if field_name:
            if field_name in current.figures:
                current.issues.append(
                    ImportIssue(
                        report.file_name,
                        index + 1,
                        column_letter(group_cells[0][0]),
                        "",
                        f"группа «{clean(row[group_cells[0][0]])}» повторяется в блоке строки {current.row}",
                    )
                )
            current.figures[field_name] = share
            places[field_name] = share_column
    finish()
    if not report.lines:
        report.error("в таблице нет ни одного блока с результатами", report.header_row)
    return report


def _finish_comparison(
    line: ReadLine, columns: list[tuple[str, int | None]], rows: Sequence[Sequence[Cell]], header: int
) -> None:
    """Participants from «Всего» (else the sum of the groups); the three shares should add to 100."""
    figures = line.figures
    counts = [figures.get(f"count_{g}") for g in ("lowered", "confirmed", "raised")]
    total = figures.get("count_total")
    if total is None and all(c is not None for c in counts):
        total = sum(c for c in counts if c is not None)
    figures["participants"] = total
    for key in [k for k in figures if k.startswith("count_")]:
        del figures[key]
    placed = [(name, column) for name, column in columns if column is not None]
    if len(placed) == 3:
        _check_shares(line, placed, rows, header, "понизили, подтвердили, повысили")
