"""OfficeService: the office's requisites, academic years and per-database settings."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import Office
from app.errors import ValidationError
from app.history import undo
from app.office import OfficeService, current_academic_year
from db import Database, open_database

LETTERHEAD = "Администрация\nКировского муниципального района Ленинградской области\nКОМИТЕТ ОБРАЗОВАНИЯ"


@pytest.fixture
def office(database: Database) -> OfficeService:
    return OfficeService(database)


def test_empty_database_has_an_unfilled_office(office: OfficeService) -> None:
    assert office.get() == Office()
    assert not office.get().is_filled


def test_save_and_get_multi_line_name(office: OfficeService, database: Database) -> None:
    typed = "  Администрация \r\n\nКировского муниципального района Ленинградской области  \n \nКОМИТЕТ ОБРАЗОВАНИЯ\n"
    office.save(
        Office(
            name=typed,
            short_name=" Комитет  образования ",
            head_position="Председатель комитета образования",
            head_name="Е.А. Краснова",
            email="kirovsk-edu@mail.ru",
            phone="8 (81362) 2-11-11",
        )
    )
    saved = office.get()
    assert saved.name == LETTERHEAD
    assert saved.name.splitlines() == [
        "Администрация",
        "Кировского муниципального района Ленинградской области",
        "КОМИТЕТ ОБРАЗОВАНИЯ",
    ]
    assert saved.short_name == "Комитет образования"
    assert saved.head_name == "Е.А. Краснова"
    assert saved.is_filled
    # It is stored in the file, not only in this object.
    database.close()
    reopened = open_database(database.path)
    assert OfficeService(reopened).get() == saved
    reopened.close()


def test_save_twice_updates_the_one_row(office: OfficeService, database: Database) -> None:
    office.save(Office(name=LETTERHEAD, head_name="Е.А. Краснова"))
    changeset = office.save(Office(name=LETTERHEAD, head_name="И.И. Иванова"))
    assert database.query("SELECT count(*) FROM office")[0][0] == 1
    assert office.get().head_name == "И.И. Иванова"
    undo(database, changeset)
    assert office.get().head_name == "Е.А. Краснова"


def test_save_requires_a_name(office: OfficeService) -> None:
    with pytest.raises(ValidationError) as caught:
        office.save(Office(name=" \n ", head_name="Е.А. Краснова"))
    assert {p.field for p in caught.value.problems} == {"name"}
    assert "наименование" in caught.value.message
    assert office.get() == Office()


def test_save_validates_email_and_phone(office: OfficeService) -> None:
    with pytest.raises(ValidationError) as caught:
        office.save(Office(name=LETTERHEAD, email="Komitet.Kirovsk", phone="нет"))
    problems = {p.field: p.message for p in caught.value.problems}
    assert set(problems) == {"email", "phone"}
    assert problems["email"].startswith("Неверный адрес электронной почты")
    # The value is quoted as the person typed it, capitals included.
    assert "«Komitet.Kirovsk»" in problems["email"]
    assert office.get() == Office()


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 8, 31), 2025),
        (date(2026, 9, 1), 2026),
        (date(2026, 11, 15), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 3, 15), 2026),
    ],
)
def test_current_academic_year_boundaries(today: date, year: int) -> None:
    assert current_academic_year(today) == year


def test_years_include_the_current_one(office: OfficeService) -> None:
    assert office.years() == [current_academic_year()]
    office.add_year(2020)
    office.add_year(2020)
    office.add_year(2099)
    assert office.years() == sorted({2099, current_academic_year(), 2020}, reverse=True)


def test_settings(office: OfficeService) -> None:
    assert office.setting("current_year") == ""
    assert office.setting("current_year", "2024") == "2024"
    office.set_setting("current_year", "2020")
    office.set_setting("current_year", "2021")
    assert office.setting("current_year") == "2021"
