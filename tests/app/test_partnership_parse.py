"""Reading partnership lists: seed-style lines, pasted tables and workbooks (app/partnerships/parse.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.importing.errors import ImportFileError
from app.importing.report import Severity
from app.partnerships.parse import looks_like_school, parse_file, parse_rows, parse_text, split_group
from tests.app.conftest import seed_path

SEED_GROUPS = [
    ["МБОУ «Отраденская СОШ №3»", "МКОУ «Отраденская СОШ №2»"],
    ["МКОУ «Синявинская СОШ»", "МКОУ «Шумская СОШ»", "МБОУ «Нлиссельбургская СОШ»"],
    ["МКОУ «Путиловская ООШ»", "МКОУ «Приладожская СОШ»"],
    ["МКОУ «Назиевская СОШ»", "МБОУ «Кировская СОШ №2»"],
]


def _seed_line() -> str:
    return next(x for x in seed_path("000").read_text(encoding="utf-8").splitlines() if x.startswith("11\t"))


def test_seed_000_item_11_cell_gives_four_groups() -> None:
    parsed = parse_text(_seed_line().split("\t")[1], "распоряжение № 149")
    assert [g.names for g in parsed.groups] == SEED_GROUPS
    assert [g.kind_hint for g in parsed.groups] == ["pair", "group", "pair", "pair"]
    assert all(g.roles[0] == "target" and set(g.roles[1:]) == {"partner"} for g in parsed.groups)
    assert parsed.issues == []


def test_the_whole_seed_row_and_the_whole_document_give_the_same_groups() -> None:
    assert [g.names for g in parse_text(_seed_line()).groups] == SEED_GROUPS
    whole = parse_text(seed_path("000").read_text(encoding="utf-8"), "000.txt")
    assert [g.names for g in whole.groups] == SEED_GROUPS
    line_number = seed_path("000").read_text(encoding="utf-8").splitlines().index(_seed_line()) + 1
    assert {g.source_row for g in whole.groups} == {line_number}


def test_bullets_numbering_and_dashes_of_every_kind() -> None:
    text = "\n".join(
        [
            "Перечень групп школ:",
            "1. МБОУ «Лесная СОШ» – МБОУ «Полевая СОШ»",
            "• МБОУ «Речная ООШ»—МАОУ «Гимназия №1»",
            "- МКОУ 'Горная НОШ' - МБОУ \"Лицей № 2\" - МБОУ СОШ N5",
            "Пара 4: МБОУ «Озёрная СОШ» -МКОУ «Луговая СОШ»",
            "Октябрь - ноябрь 2020 г.",
        ]
    )
    parsed = parse_text(text, "список.txt")
    assert [g.names for g in parsed.groups] == [
        ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"],
        ["МБОУ «Речная ООШ»", "МАОУ «Гимназия №1»"],
        ["МКОУ 'Горная НОШ'", 'МБОУ "Лицей № 2"', "МБОУ СОШ N5"],
        ["МБОУ «Озёрная СОШ»", "МКОУ «Луговая СОШ»"],
    ]
    assert [g.source_row for g in parsed.groups] == [2, 3, 4, 5]


def test_hyphens_inside_names_do_not_split() -> None:
    assert split_group("МБОУ «Усть-Лужская СОШ» - МОУ «Школа-интернат №2»") == [
        "МБОУ «Усть-Лужская СОШ»",
        "МОУ «Школа-интернат №2»",
    ]
    assert split_group("МБОУ «Усть - Лужская СОШ» - МБОУ «Лесная СОШ»") == [
        "МБОУ «Усть - Лужская СОШ»",
        "МБОУ «Лесная СОШ»",
    ]
    assert split_group("МБОУ СОШ №3-МКОУ «Лесная СОШ»") == ["МБОУ СОШ №3", "МКОУ «Лесная СОШ»"]
    assert split_group("Проведение мастер-классов в ОО") == ["Проведение мастер-классов в ОО"]
    parsed = parse_text("МБОУ «Усть-Лужская СОШ» - МБОУ «Санкт-Петербургская школа-интернат»")
    assert parsed.groups[0].names == ["МБОУ «Усть-Лужская СОШ»", "МБОУ «Санкт-Петербургская школа-интернат»"]


def test_role_marks_and_repeated_schools() -> None:
    parsed = parse_text(
        "МБОУ «Лесная СОШ» (наставник) - МБОУ «Полевая СОШ» (ШНРО)\n"
        "МБОУ «Речная СОШ» - МБОУ «Речная СОШ» - МБОУ «Горная СОШ»"
    )
    first, second = parsed.groups
    assert first.names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]
    assert first.roles == ["mentor", "target"] and first.kind_hint == "mentoring"
    assert second.names == ["МБОУ «Речная СОШ»", "МБОУ «Горная СОШ»"]
    assert [i.severity for i in parsed.issues] == [Severity.WARNING]
    assert parsed.issues[0].row == 2


def test_no_groups_is_a_file_error_naming_the_source() -> None:
    with pytest.raises(ImportFileError, match=r"список\.txt"):
        parse_text("Октябрь - ноябрь\nПеречень групп школ:", "список.txt")


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_workbook_with_title_rows_and_synonyms(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "партнёрства.xlsx",
        [
            ["Приложение 4 к приказу от 10.09.2020 № 142"],
            ["Список сетевого партнёрства образовательных организаций"],
            [],
            [
                "№ п/п",
                "ШНРО",
                "Школа-наставник",
                "Базовая площадка",
                "Форма взаимодействия",
                "№ соглашения",
                "Дата соглашения",
                "Совместные мероприятия",
            ],
            [
                1,
                "МБОУ «Лесная СОШ»",
                "МБОУ «Полевая СОШ»",
                None,
                "наставничество",
                "№ 12",
                date(2020, 9, 1),
                "Взаимопосещение уроков",
            ],
            [
                2,
                "МКОУ «Речная ООШ»",
                "МБОУ «Гимназия №1»\nМБОУ «Лицей №2»",
                "МАОУ «Центр»",
                "",
                "5 от 02.10.2020",
                None,
                "",
            ],
            [3, "МКОУ «Горная СОШ»", None, None, None, None, "вчера", None],
            [4, None, None, None, "пара", None, None, None],
        ],
    )
    parsed = parse_file(path)
    assert parsed.source_name == "партнёрства.xlsx"
    first, second = parsed.groups
    assert first.names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]
    assert first.roles == ["target", "mentor"] and first.kind_hint == "mentoring"
    assert (first.agreement_number, first.agreement_date, first.activities) == (
        "12",
        date(2020, 9, 1),
        "Взаимопосещение уроков",
    )
    assert first.source_row == 5 and first.columns == ["B", "C"]
    assert second.names == ["МКОУ «Речная ООШ»", "МБОУ «Гимназия №1»", "МБОУ «Лицей №2»", "МАОУ «Центр»"]
    assert second.roles == ["target", "mentor", "mentor", "base_site"] and second.kind_hint == "base_site"
    assert (second.agreement_number, second.agreement_date) == ("5", date(2020, 10, 2))
    problems = {(i.row, i.column, i.severity) for i in parsed.issues}
    assert (7, "", Severity.ERROR) in problems  # one school only: no partner
    assert (7, "G", Severity.WARNING) in problems  # «вчера» is no date
    assert (8, "", Severity.WARNING) in problems  # no school in the row
    assert all("партнёрства.xlsx" in i.text() for i in parsed.issues)


def test_simple_two_column_sheets_with_and_without_a_header(tmp_path: Path) -> None:
    with_header = _workbook(
        tmp_path / "пары.xlsx",
        [["Школа", "Партнёр"], ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"], ["МБОУ СОШ №2", "МБОУ СОШ № 3"]],
    )
    parsed = parse_file(with_header)
    assert [g.names for g in parsed.groups] == [
        ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"],
        ["МБОУ СОШ №2", "МБОУ СОШ № 3"],
    ]
    assert [g.source_row for g in parsed.groups] == [2, 3]
    headless = _workbook(tmp_path / "без шапки.xlsx", [["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]])
    assert parse_file(headless).groups[0].names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]


def test_group_numbers_join_rows_and_pasted_tables() -> None:
    rows = [
        ["№ группы", "Школа", "Тип"],
        ["1", "МБОУ «Лесная СОШ»", "группа"],
        ["1", "МБОУ «Полевая СОШ»", ""],
        ["1", "МБОУ «Речная СОШ»", ""],
        ["2", "МБОУ «Горная СОШ»", ""],
        ["2", "МБОУ «Озёрная СОШ»", ""],
    ]
    parsed = parse_rows(rows, "вставка")
    assert [g.names for g in parsed.groups] == [
        ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»", "МБОУ «Речная СОШ»"],
        ["МБОУ «Горная СОШ»", "МБОУ «Озёрная СОШ»"],
    ]
    assert [g.roles[0] for g in parsed.groups] == ["target", "target"]
    assert parsed.groups[0].kind_hint == "group" and parsed.groups[1].kind_hint == "pair"
    pasted = parse_text("Целевая школа\tШкола-партнёр\nМБОУ «Лесная СОШ»\tМБОУ «Полевая СОШ»\n")
    assert pasted.groups[0].names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]


def test_text_files_in_utf8_and_cp1251_and_wrong_files(tmp_path: Path) -> None:
    text = "МБОУ «Лесная СОШ» - МБОУ «Полевая СОШ»\r\n"
    for encoding in ("utf-8", "cp1251", "utf-8-sig"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        assert parse_file(path).groups[0].names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]
    csv_path = tmp_path / "пары.csv"
    csv_path.write_text("Школа;Партнёр\nМБОУ «Лесная СОШ»;МБОУ «Полевая СОШ»\n", encoding="cp1251")
    assert parse_file(csv_path).groups[0].names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]
    renamed = tmp_path / "пары.txt"
    _workbook(tmp_path / "x.xlsx", [["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]]).rename(renamed)
    assert parse_file(renamed).groups[0].names == ["МБОУ «Лесная СОШ»", "МБОУ «Полевая СОШ»"]
    fake = tmp_path / "пары.xlsx"
    fake.write_text("не книга", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"пары\.xlsx"):
        parse_file(fake)
    with pytest.raises(ImportFileError, match=r"нет\.txt"):
        parse_file(tmp_path / "нет.txt")
    empty = tmp_path / "пусто.txt"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match=r"пусто\.txt"):
        parse_file(empty)


def test_looks_like_school() -> None:
    assert looks_like_school("МБОУ «Лесная СОШ»")
    assert looks_like_school("Гимназия №1")
    assert looks_like_school("Школа № 5")
    assert not looks_like_school("Октябрь 2020 г")
    assert not looks_like_school("Разработка и утверждение планов ОО")
    assert not looks_like_school("Отдел образования, муниципальные общеобразовательные организации")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        alphabet=st.sampled_from(list("МБОУКСШ«»\"'-–— №N1234\n\tаб<p>;.")) | st.characters(),
        max_size=200,
    )
)
def test_random_text_raises_only_import_errors(text: str) -> None:
    try:
        parsed = parse_text(text, "x.txt")
    except ImportFileError as error:
        assert "x.txt" in error.message
        return
    for group in parsed.groups:
        assert len(group.names) >= 2 and len(group.roles) == len(group.names)
        assert all(name.strip() for name in group.names)


def test_several_schools_in_one_cell_and_an_unknown_kind(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "список.xlsx",
        [
            ["Школа с низкими результатами", "Школа-партнёр", "Форма взаимодействия"],
            ["МКОУ «Синявинская СОШ», МКОУ «Шумская СОШ»", "МБОУ «Шлиссельбургская СОШ»", "обмен опытом"],
            ["МБОУ «СОШ №1 им. А.С. Пушкина, г. Кировск»", "МКОУ «Приладожская СОШ»", "пара"],
        ],
    )
    parsed = parse_file(path)
    first, second = parsed.groups
    assert first.names == ["МКОУ «Синявинская СОШ»", "МКОУ «Шумская СОШ»", "МБОУ «Шлиссельбургская СОШ»"]
    assert first.roles == ["target", "target", "partner"]  # listed by a comma: both have low results
    assert first.kind_hint == "group" and first.activities == "обмен опытом"
    assert second.names[0] == "МБОУ «СОШ №1 им. А.С. Пушкина, г. Кировск»"  # a comma inside a name stays
    warning = next(i for i in parsed.issues if "не распознан" in i.message)
    assert (warning.row, warning.column, warning.severity) == (2, "C", Severity.WARNING)
