"""Importing ФИС ОКО reports and the flat template: readers, matching, bad input, apply, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.history import undo
from app.importing.report import Severity
from app.results.flat import write_flat_template
from app.results.generator import generate, write_fisoko_reports
from app.results.importer import LineStatus, apply_results_import, preview_results_import
from app.results.model import Indicator, Level, Procedure
from app.results.service import ResultsService
from app.schools import SchoolService
from db import Database

REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTRY = [
    ("МКОУ «Шумская СОШ»", "sch224332", "4706012345"),
    ("МКОУ «Назиевская СОШ»", "sch224333", "4706012346"),
    ("МКОУ «Путиловская ООШ»", "sch224334", "4706012347"),
    ("МБОУ «Кировская СОШ №2»", "sch224335", "4706012348"),
    ("МБОУ «Кировская СОШ №3»", "", "4706012349"),
]


@pytest.fixture
def registry(database: Database) -> dict[str, int]:
    service = SchoolService(database)
    ids = {}
    for name, login, inn in REGISTRY:
        school_id, _ = service.create({"full_name": name, "short_name": name, "fis_login": login, "inn": inn})
        ids[name] = school_id
    return ids


def _book(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _statistics_rows(
    schools: list[list[object]], title: str = "ВПР 2021. Математика 5 класс"
) -> list[list[object]]:
    """A hand-made «Статистика по отметкам»: title rows, a filter block, the header in row 7."""
    return [
        [title],
        ["Статистика по отметкам"],
        [None, "Фильтр:"],
        [None, "Регион: Ленинградская обл."],
        [None, "Дата проведения: 20.04.2021"],
        [],
        ["ОО", "Количество участников", "% «2»", "% «3»", "% «4»", "% «5»"],
        ["Ленинградская обл.", 15200, 12.5, 40.1, 33.4, 14.0],
        ["Кировский муниципальный район", 640, 14.06, 39.84, 32.81, 13.29],
        *schools,
    ]


# ---- round trips through the generator's reports ---------------------------------------------------------


@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_generated_reports_read_back_exactly(
    database: Database, registry: dict[str, int], tmp_path: Path, layout: str
) -> None:
    schools = [(registry[name], name, login or "sch224399") for name, login, _ in REGISTRY[:4]]
    results, _ = generate(schools, [2019, 2020], seed=5, inflated={registry["МКОУ «Шумская СОШ»"]}, others=5)
    files = write_fisoko_reports(
        results,
        tmp_path,
        schools,
        comparison_layout=layout,
        subjects=["Математика", "История"],
        grades=[5, 6],
    )
    assert len(files) == 2 * 2 * 2 * 2  # years × subjects × grades × two reports
    text = " ".join(
        str(c.value) for row in load_workbook(files[0]).active.iter_rows() for c in row if c.value
    )
    assert "(sch224332) МКОУ «Шумская СОШ»" in text and "Вся выборка" in text and "Фильтр:" in text

    preview = preview_results_import(database, files)
    assert not preview.rejected_files, preview.summary()
    assert preview.error_count() == 0 and not preview.doubtful and not preview.not_found
    assert all(f.skipped >= 1 for f in preview.files)  # «Вся выборка» is not stored
    apply_results_import(database, preview)

    expected = [
        replace(r, source="")
        for r in results
        if r.procedure is Procedure.VPR and r.subject in ("Математика", "История") and r.grade in (5, 6)
    ]
    stored = [replace(r, source="") for r in ResultsService(database).results()]

    def key(r):  # type: ignore[no-untyped-def]
        return (r.academic_year, r.subject, r.grade, r.level, r.school_id or 0, r.area)

    assert sorted(stored, key=key) == sorted(expected, key=key)
    levels = {r.level for r in stored}
    assert levels == {Level.SCHOOL, Level.MUNICIPALITY, Level.REGION}


# ---- hand-made reports -------------------------------------------------------------------------------------------


def test_hand_made_statistics_with_title_rows(
    database: Database, registry: dict[str, int], tmp_path: Path
) -> None:
    path = _book(
        tmp_path / "статистика.xlsx",
        _statistics_rows(
            [
                ["(sch224332) МКОУ «Шумская СОШ»", 12, 8.33, 25, 41.67, 25],
                ["(sch000001) МБОУ «Кировская СОШ №3»", "14", "7,14", "42,86", "35,71", "14,29"],  # by name
                ["МКОУ «Путиловская ООШ»", 9, 11.11, 44.44, 33.33, 11.12],
            ]
        ),
    )
    preview = preview_results_import(database, [path])
    assert preview.error_count() == 0, [i.text() for i in preview.issues()]
    summary = preview.files[0]
    assert summary.sheets[0].header_row == 7
    assert (summary.lines, summary.matched, summary.aggregates) == (5, 3, 2)
    apply_results_import(database, preview)
    results = {(r.level, r.school_id): r for r in ResultsService(database).results(2020)}
    shum = results[(Level.SCHOOL, registry["МКОУ «Шумская СОШ»"])]
    assert (shum.participants, shum.share_2, shum.share_3, shum.share_4, shum.share_5) == (
        12,
        8.33,
        25,
        41.67,
        25,
    )
    assert (shum.procedure, shum.subject, shum.grade, shum.area) == (
        Procedure.VPR,
        "Математика",
        5,
        "Кировский муниципальный район",
    )
    # the registry has no login for it: found by name (a registered, different login would make it doubtful)
    naz = results[(Level.SCHOOL, registry["МБОУ «Кировская СОШ №3»"])]
    assert (naz.participants, naz.share_3) == (14, 42.86)
    region = results[(Level.REGION, None)]
    assert (region.area, region.participants, region.share_5) == ("Ленинградская обл.", 15200, 14.0)
    assert results[(Level.MUNICIPALITY, None)].area == "Кировский муниципальный район"


def test_separate_columns_for_region_municipality_and_school(
    database: Database, registry, tmp_path: Path
) -> None:
    path = _book(
        tmp_path / "колонки.xlsx",
        [
            ["Всероссийские проверочные работы 2020 (осень). Русский язык, 6 класс"],
            [],
            ["Регион", "Муниципалитет", "Наименование ОО", "Логин", "Кол-во уч.", "2", "3", "4", "5"],
            ["Ленинградская обл.", None, None, None, 900, 20, 40, 30, 10],
            [None, "Кировский муниципальный район", None, None, 50, 22, 38, 30, 10],
            [None, None, "МКОУ «Шумская СОШ»", "sch224332", 20, 25, 35, 30, 10],
        ],
    )
    preview = preview_results_import(database, [path])
    assert preview.error_count() == 0
    lines = {item.line.entity.level: item for item in preview.lines}
    school = lines[Level.SCHOOL]
    assert school.school_id == registry["МКОУ «Шумская СОШ»"]
    assert school.line.entity.area == "Кировский муниципальный район"
    assert (school.line.academic_year, school.line.subject, school.line.grade) == (2020, "Русский язык", 6)


def test_hand_made_comparison_in_blocks_of_rows(database: Database, registry, tmp_path: Path) -> None:
    groups = [
        ("Понизили (Отметка < Отметка по журналу) %", 3, 25.0),
        ("Подтвердили (Отметка = Отметка по журналу) %", 6, 50.0),
        ("Повысили (Отметка > Отметка по журналу) %", 3, 25.0),
        ("Всего", 12, 100),
    ]
    rows: list[list[object]] = [
        ["Всероссийские проверочные работы 2021 (5 класс)"],
        ["Предмет: Математика"],
        ["Сравнение отметок с отметками по журналу"],
        [],
        ["Группы участников", "Кол-во уч.", "%"],
        ["Вся выборка"],
        *[[g, 1000 * c, p] for g, c, p in groups],
        ["Ленинградская обл."],
        ["Понизили (Отметка < Отметка по журналу) %", 300, 20.0],
        ["Подтвердили (Отметка = Отметка по журналу) %", 1050, 70.0],
        ["Повысили (Отметка > Отметка по журналу) %", 150, 10.0],
        ["Всего", 1500, 100],
        ["  (sch224332) МКОУ «Шумская СОШ»"],
        *[[g, c, p] for g, c, p in groups],
    ]
    path = _book(tmp_path / "сравнение.xlsx", rows)
    preview = preview_results_import(database, [path])
    assert preview.error_count() == 0, [i.text() for i in preview.issues()]
    assert preview.files[0].skipped == 1
    apply_results_import(database, preview)
    stored = {r.level: r for r in ResultsService(database).results(2020)}
    shum = stored[Level.SCHOOL]
    assert shum.school_id == registry["МКОУ «Шумская СОШ»"]
    assert (shum.participants, shum.lowered, shum.confirmed, shum.raised) == (12, 25.0, 50.0, 25.0)
    assert shum.share_2 is None
    region = stored[Level.REGION]
    assert (region.participants, region.lowered, region.confirmed, region.raised) == (1500, 20.0, 70.0, 10.0)


def test_comparison_after_statistics_keeps_the_marks(database: Database, registry, tmp_path: Path) -> None:
    stats = _book(
        tmp_path / "s.xlsx", _statistics_rows([["(sch224332) МКОУ «Шумская СОШ»", 12, 8.33, 25, 41.67, 25]])
    )
    apply_results_import(database, preview_results_import(database, [stats]))
    comparison = _book(
        tmp_path / "c.xlsx",
        [
            ["ВПР 2021. Математика 5 класс"],
            ["Сравнение отметок с отметками по журналу"],
            [
                "ОО",
                "Понизили (Отметка < Отметка по журналу)",
                None,
                "Подтвердили (Отметка = Отметка по журналу)",
                None,
                "Повысили (Отметка > Отметка по журналу)",
                None,
            ],
            [None, "Кол-во уч.", "%", "Кол-во уч.", "%", "Кол-во уч.", "%"],
            ["(sch224332) МКОУ «Шумская СОШ»", 1, 8.33, 7, 58.34, 4, 33.33],
        ],
    )
    apply_results_import(database, preview_results_import(database, [comparison]))
    (line,) = ResultsService(database).results(2020, level=Level.SCHOOL)
    assert (line.share_4, line.raised, line.participants) == (41.67, 33.33, 12)


# ---- matching ---------------------------------------------------------------------------------------------------------


def test_matching_by_login_inn_and_name_with_a_typo(database: Database, registry, tmp_path: Path) -> None:
    path = _book(
        tmp_path / "шаблон.xlsx",
        [
            ["Учебный год", "Процедура", "Предмет", "ОО", "ИНН", "Участников", "Средний балл"],
            ["2020/2021", "ЕГЭ", "Русский язык", "sch224333", None, 10, 70],  # login in the ОО column
            ["2020/2021", "ЕГЭ", "Русский язык", "Школа с ИНН", "4706012349", 11, 65],
            ["2020/2021", "ЕГЭ", "Русский язык", "МКОУ «Путилвска ООШ»", None, 5, 55],  # a typo: doubtful
            ["2020/2021", "ЕГЭ", "Русский язык", "МБОУ «Кировская СОШ №7»", None, 30, 60],  # another school
        ],
    )
    preview = preview_results_import(database, [path])
    statuses = [(item.status, item.school_id) for item in preview.lines]
    assert statuses[0] == (LineStatus.OK, registry["МКОУ «Назиевская СОШ»"])
    assert statuses[1] == (LineStatus.OK, registry["МБОУ «Кировская СОШ №3»"])
    assert statuses[2] == (LineStatus.DOUBTFUL, registry["МКОУ «Путиловская ООШ»"])
    assert statuses[3][0] is LineStatus.NOT_FOUND  # «№7» is not «№2» or «№3»
    assert [name for name, _ in preview.not_found] == ["МБОУ «Кировская СОШ №7»"]
    (doubtful,) = preview.doubtful
    assert doubtful.school_name == "МКОУ «Путиловская ООШ»" and doubtful.places == ["«шаблон.xlsx», строка 4"]
    assert any("не найдена в реестре" in i.message and i.row == 5 for i in preview.issues())
    assert {r.school_id for r in preview.results()} == {
        registry["МКОУ «Назиевская СОШ»"],
        registry["МБОУ «Кировская СОШ №3»"],
    }
    preview.confirm(doubtful.text)
    assert registry["МКОУ «Путиловская ООШ»"] in {r.school_id for r in preview.results()}
    apply_results_import(database, preview)
    assert len(ResultsService(database).results(2020)) == 3


# ---- the flat template -----------------------------------------------------------------------------------------------


def test_flat_template_filled_in_and_read(database: Database, registry, tmp_path: Path) -> None:
    path = write_flat_template(tmp_path / "шаблон.xlsx")
    workbook = load_workbook(path)
    sheet = workbook["Результаты"]
    header = [c.value for c in sheet[4]]
    assert header[:6] == ["Учебный год", "Процедура", "Предмет", "Класс", "ОО", "Участников"]
    assert "Индекс социального благополучия" in header
    column = {title: index + 1 for index, title in enumerate(header)}

    def put(row: int, **values: object) -> None:
        for title, value in values.items():
            sheet.cell(row, column[title], value)

    put(
        5,
        **{
            "Учебный год": "2020/2021",
            "Процедура": "ОГЭ",
            "Предмет": "математика",
            "ОО": "sch224332",
            "Участников": 20,
            '% "2"': 10,
            '% "3"': 40,
            '% "4"': 35,
            '% "5"': 15,
            "Средний балл": 3.55,
            "% не преодолевших минимальный порог": 10,
        },
    )
    put(
        6,
        **{
            "Учебный год": 2021,
            "Процедура": "ЕГЭ",
            "Предмет": "Математика профильная",
            "ОО": "МКОУ «Шумская СОШ»",
            "Участников": 7,
            "Средний балл": 52.5,
            "% не преодолевших минимальный порог": 14.29,
        },
    )
    put(
        7,
        **{
            "Учебный год": "2020/2021",
            "ОО": "МКОУ «Шумская СОШ»",
            "Индекс социального благополучия": 0.42,
            "Доля неполных семей": 31,
            "Продолжили обучение в 10 классе": 55,
        },
    )
    workbook.save(path)

    preview = preview_results_import(database, [path])
    assert preview.error_count() == 0, [i.text() for i in preview.issues()]
    apply_results_import(database, preview)
    service = ResultsService(database)
    oge, ege = sorted(service.results(2020), key=lambda r: r.procedure.value, reverse=True)
    assert (oge.procedure, oge.subject, oge.grade, oge.participants, oge.average, oge.below_minimum) == (
        Procedure.OGE,
        "Математика",
        9,
        20,
        3.55,
        10,
    )
    assert (ege.procedure, ege.subject, ege.grade, ege.average) == (
        Procedure.EGE,
        "Математика (профильный уровень)",
        11,
        52.5,
    )
    context = {c.indicator: c.value for c in service.context(2020)}
    assert context == {Indicator.SOCIAL_INDEX: 0.42, Indicator.SINGLE_PARENT: 31, Indicator.CONTINUING_10: 55}


# ---- bad input ---------------------------------------------------------------------------------------------------------


def _issues(preview, severity=None) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.text() for i in preview.issues() if severity is None or i.severity is severity]


def test_another_layout_is_refused(database: Database, tmp_path: Path) -> None:
    path = _book(tmp_path / "реестр.xlsx", [["Наименование", "Адрес"], ["МКОУ «Шумская СОШ»", "с. Шум"]])
    preview = preview_results_import(database, [path])
    (rejected,) = preview.rejected_files
    assert "не найдена таблица со столбцами 2, 3, 4, 5" in rejected.error
    assert "Файл «реестр.xlsx»" in _issues(preview)[0]


def test_participants_not_a_number_and_shares_not_adding_up(
    database: Database, registry, tmp_path: Path
) -> None:
    path = _book(
        tmp_path / "плохо.xlsx",
        _statistics_rows(
            [
                ["(sch224332) МКОУ «Шумская СОШ»", "двенадцать", 8.33, 25, 41.67, 25],
                ["(sch224333) МКОУ «Назиевская СОШ»", 14, 7.14, 42.86, 35.71, 10],
            ]
        ),
    )
    preview = preview_results_import(database, [path])
    errors = _issues(preview, Severity.ERROR)
    assert errors == [
        "Файл «плохо.xlsx», строка 10, столбец B («Количество участников»): число участников должно быть целым "
        "числом, а указано «двенадцать»"
    ]
    (warning,) = _issues(preview, Severity.WARNING)
    assert warning.startswith(
        "Файл «плохо.xlsx», строка 11, столбец C–F («2–5»): доли (2–5) в сумме дают 95,71 %"
    )
    statuses = [item.status for item in preview.lines if item.line.entity.level is Level.SCHOOL]
    assert statuses == [LineStatus.ERROR, LineStatus.OK]  # the flagged line is still loaded
    assert {r.school_id for r in preview.results() if r.level is Level.SCHOOL} == {
        registry["МКОУ «Назиевская СОШ»"]
    }


def test_duplicated_lines_and_duplicated_years(database: Database, registry, tmp_path: Path) -> None:
    shum = ["(sch224332) МКОУ «Шумская СОШ»", 12, 8.33, 25, 41.67, 25]
    path = _book(tmp_path / "дубли.xlsx", _statistics_rows([shum, [*shum[:2], 10, 25, 40, 25], shum]))
    preview = preview_results_import(database, [path])
    errors = [i for i in preview.issues() if i.severity is Severity.ERROR]
    # rows 10 and 12 agree, row 11 contradicts both: none of the three is used
    assert {i.row for i in errors} == {10, 11, 12}
    on_11 = [i.text() for i in errors if i.row == 11]
    assert on_11[0].startswith("Файл «дубли.xlsx», строка 11: повторяется строка: та же школа, год")
    assert "(«дубли.xlsx», строка 10)" in on_11[0]
    assert not [r for r in preview.results() if r.level is Level.SCHOOL]

    # the same report under two years' names: a wrong year somewhere, both files refused
    first = _book(tmp_path / "2021.xlsx", _statistics_rows([shum]))
    second = _book(tmp_path / "2021 копия.xlsx", _statistics_rows([[*shum[:2], 10, 25, 40, 25]]))
    preview = preview_results_import(database, [first, second])
    assert [f.path.name for f in preview.rejected_files] == ["2021.xlsx", "2021 копия.xlsx"]
    assert "повторяется учебный год" in preview.rejected_files[0].rejection()
    # an identical copy is only skipped
    copy = _book(tmp_path / "копия.xlsx", _statistics_rows([shum]))
    preview = preview_results_import(database, [first, copy])
    assert not preview.rejected_files
    assert any("повтор не загружается" in text for text in _issues(preview, Severity.WARNING))


def test_year_that_cannot_be_found(database: Database, registry, tmp_path: Path) -> None:
    rows = _statistics_rows(
        [["(sch224332) МКОУ «Шумская СОШ»", 12, 8.33, 25, 41.67, 25]], title="ВПР. Математика 5 класс"
    )
    rows[4] = []  # no date either
    path = _book(tmp_path / "без года.xlsx", rows)
    preview = preview_results_import(database, [path])
    (rejected,) = preview.rejected_files
    assert "не найден учебный год" in rejected.rejection() and "--year" in rejected.rejection()
    assert "строка 7" in rejected.rejection()
    preview = preview_results_import(database, [path], year=2019)
    assert not preview.rejected_files
    assert {r.academic_year for r in preview.results()} == {2019}


def test_too_big_and_broken_files(database: Database, tmp_path: Path) -> None:
    big = tmp_path / "огромный.xlsx"
    with big.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(100 * 1024 * 1024)  # sparse: no 100 MB written
    broken = tmp_path / "битый.xlsx"
    good = _book(tmp_path / "x.xlsx", [["a"]])
    broken.write_bytes(good.read_bytes()[:300])
    preview = preview_results_import(database, [big, broken])
    messages = [f.error for f in preview.rejected_files]
    assert "слишком большой (100 МБ" in messages[0]
    assert "повреждён" in messages[1]


# ---- apply and undo ----------------------------------------------------------------------------------------------------


def test_apply_is_one_undo_step(database: Database, registry, tmp_path: Path) -> None:
    path = _book(
        tmp_path / "s.xlsx",
        _statistics_rows(
            [
                ["(sch224332) МКОУ «Шумская СОШ»", 12, 8.33, 25, 41.67, 25],
                ["(sch224333) Назиевская", 14, 10, 40, 40, 10],
            ]
        ),
    )
    changes = apply_results_import(database, preview_results_import(database, [path]))
    service = ResultsService(database)
    assert service.count() == 4
    undo(database, changes)
    assert service.count() == 0


# ---- the command line ----------------------------------------------------------------------------------------------------


def _run(*args: object, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPORA_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), *map(str, args)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_cli_import_end_to_end(tmp_path: Path) -> None:
    import json

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db_path = tmp_path / "район.sqlite"
    assert _run("--db", db_path, "demo", data_dir=data_dir).returncode == 0
    stats = _book(
        tmp_path / "stat.xlsx",
        _statistics_rows(
            [
                ["(sch470001) МКОУ «Шумская СОШ»", 12, 8.33, 25, 41.67, 25],
                ["(sch470002) МКОУ «Назиевск СОШ»", 14, 10, 40, 40, 10],  # a typo: doubtful
                ["(sch470003) МБОУ «Неизвестная СОШ»", 20, 10, 40, 40, 10],
            ]
        ),
    )
    dry = _run("--db", db_path, "results", "import", stats, "--dry-run", data_dir=data_dir)
    assert dry.returncode == 0, dry.stderr
    assert "«stat.xlsx» — «Статистика по отметкам» (ВПР, Математика, 5 класс, 2020/2021)" in dry.stdout
    assert "МКОУ «Назиевск СОШ»" in dry.stdout and "Неизвестная" in dry.stdout
    assert "--dry-run" in dry.stdout

    done = _run("--db", db_path, "results", "import", stats, "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["files"][0]["matched"] == 1 and payload["files"][0]["doubtful"] == 1
    assert payload["files"][0]["not_found"] == 1 and payload["saved"] == 3  # school, district, region

    accepted = _run(
        "--db", db_path, "results", "import", stats, "--accept-doubtful", "--json", data_dir=data_dir
    )
    assert json.loads(accepted.stdout)["saved"] == 4

    other = _book(tmp_path / "другое.xlsx", [["Просто таблица"], ["a", "b"]])
    refused = _run("--db", db_path, "results", "import", stats, other, data_dir=data_dir)
    assert refused.returncode == 1
    assert "«другое.xlsx» не загружен" in refused.stderr and "В базе ничего не изменено" in refused.stderr

    template = tmp_path / "шаблон.xlsx"
    made = _run("--db", db_path, "results", "template", template, data_dir=data_dir)
    assert made.returncode == 0 and template.exists()


def test_a_task_completion_report_is_not_read_as_marks(database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    from app.importing.errors import ImportFileError
    from app.results.importer import preview_results_import

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Выполнение заданий"])
    sheet.append(["ВПР 2021. Математика. 6 класс"])
    sheet.append(["ОО", "Кол-во уч.", *range(1, 11)])
    sheet.append(["Ленинградская обл.", 2000, *(90, 88, 80, 75, 70, 60, 55, 50, 40, 30)])
    path = tmp_path / "Выполнение заданий.xlsx"
    workbook.save(path)
    try:
        preview = preview_results_import(database, [path])
    except ImportFileError:
        return  # refused outright: fine
    assert preview.results() == []  # nothing read as marks 2–5
    assert "не загружен" in preview.summary() or "не распознан" in preview.summary()


def test_the_preview_says_how_many_stored_lines_it_replaces(demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.results.flat import write_flat_template
    from app.results.importer import preview_results_import
    from app.results.model import Level, Procedure
    from app.results.service import ResultsService

    stored = next(r for r in ResultsService(demo_db).results(level=Level.SCHOOL, procedure=Procedure.OGE))
    template = tmp_path / "огэ.xlsx"
    write_flat_template(template)
    from openpyxl import load_workbook

    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    header_row = next(
        r for r in range(1, 15) if any(str(c.value or "").startswith("Процедура") for c in sheet[r])
    )
    titles = [str(c.value or "") for c in sheet[header_row]]
    school = demo_db.query("SELECT full_name FROM schools WHERE id = ?", (stored.school_id,))[0][0]
    values = {
        "Учебный год": f"{stored.academic_year}/{stored.academic_year + 1}",
        "Процедура": "ОГЭ",
        "Предмет": stored.subject,
        "Класс": 9,
        "ОО": school,
        "Участников": 30,
        "Средний балл": 3.9,
    }
    for column, title in enumerate(titles, start=1):
        for key, value in values.items():
            if title == key:
                sheet.cell(header_row + 1, column, value)
    workbook.save(template)
    preview = preview_results_import(demo_db, [template])
    assert preview.replacing() == 1
    assert "1 строка заменит уже сохранённые" in preview.summary()
