"""Parsers shared by the school card and the Excel import, with their Russian messages."""

from __future__ import annotations

import re

import pytest

from app.domain import Locality, SchoolKind
from app.values import (
    clean_text,
    parse_email,
    parse_float,
    parse_inn,
    parse_int,
    parse_kind,
    parse_latitude,
    parse_locality,
    parse_longitude,
    parse_phone,
    parse_students,
)

RUSSIAN = re.compile(r"[а-яё]{4,}", re.IGNORECASE)


def russian_error(excinfo: pytest.ExceptionInfo[ValueError]) -> str:
    message = str(excinfo.value)
    assert RUSSIAN.search(message), f"not a Russian message: {message!r}"
    return message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 200", 1200),
        ("1\u00a0200", 1200),
        ("1200", 1200),
        ("1200.0", 1200),
        ("1200,00", 1200),
        (1200.0, 1200),
        (1200, 1200),
        (" 312 ", 312),
        ("0", 0),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_int_accepts(value: object, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    "value", ["12а", "12.5", "1,5", 12.5, float("nan"), float("inf"), "двенадцать", True]
)
def test_parse_int_rejects(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_int(value)
    message = russian_error(caught)
    assert "целое число" in message


@pytest.mark.parametrize("value", ["-5", -5, -5.0])
def test_parse_int_rejects_negative(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_int(value)
    assert "-5" in russian_error(caught)


def test_parse_int_shows_the_text_as_typed() -> None:
    with pytest.raises(ValueError) as caught:
        parse_int("12а")
    assert "«12а»" in str(caught.value)


def test_parse_students_has_an_upper_limit() -> None:
    assert parse_students("20 000") == 20000
    with pytest.raises(ValueError) as caught:
        parse_students("200000")
    assert "пределов" in russian_error(caught)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("55,75", 55.75), ("55.75", 55.75), (" 59,8249 ", 59.8249), (59.8249, 59.8249), (60, 60.0), ("", None)],
)
def test_parse_float_accepts(value: object, expected: float | None) -> None:
    assert parse_float(value, minimum=-90, maximum=90) == expected


@pytest.mark.parametrize("value", ["55,7,5", "север", "nan", "inf", True])
def test_parse_float_rejects(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_float(value, minimum=-90, maximum=90)
    russian_error(caught)


def test_coordinates_ranges() -> None:
    assert parse_latitude("-90") == -90.0
    assert parse_longitude("179,5") == 179.5
    with pytest.raises(ValueError) as caught:
        parse_latitude("91")
    assert "пределов" in russian_error(caught)
    with pytest.raises(ValueError):
        parse_longitude(-180.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4706012345", "4706012345"),
        ("4706 012 345", "4706012345"),
        (4706012345, "4706012345"),
        (4706012345.0, "4706012345"),  # a spreadsheet cell typed as number
        ("470601234567", "470601234567"),
        ("", ""),
        (None, ""),
    ],
)
def test_parse_inn_accepts(value: object, expected: str) -> None:
    assert parse_inn(value) == expected


@pytest.mark.parametrize(
    "value", ["470601234", "47060123456", "4706012345678", "47060123ab", "ИНН 4706012345"]
)
def test_parse_inn_rejects(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_inn(value)
    assert "10" in russian_error(caught) and "12" in str(caught.value)


@pytest.mark.parametrize(
    "value", ["shum_school@mail.ru", "школа@кировск.рф", " kirovsk-sosh2@yandex.ru ", ""]
)
def test_parse_email_accepts(value: str) -> None:
    assert parse_email(value) == value.strip()


@pytest.mark.parametrize("value", ["shum_school", "shum@mail", "a b@mail.ru", "a@@mail.ru", "@mail.ru"])
def test_parse_email_rejects(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_email(value)
    message = russian_error(caught)
    assert "электронной почты" in message and value in message


@pytest.mark.parametrize(
    "value", ["8 (81362) 2-34-56", "+7 813 622-34-56", "8-813-62-23456 доб. 12", "22-34-56", ""]
)
def test_parse_phone_accepts(value: str) -> None:
    assert parse_phone(value) == value


@pytest.mark.parametrize("value", ["нет", "12-3", "shum@mail.ru", "тел. директора"])
def test_parse_phone_rejects(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_phone(value)
    assert "телефона" in russian_error(caught)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("городская", Locality.URBAN),
        ("Городская", Locality.URBAN),
        ("г.", Locality.URBAN),
        ("ГОРОД", Locality.URBAN),
        ("городская местность", Locality.URBAN),
        ("urban", Locality.URBAN),
        ("сельская", Locality.RURAL),
        ("Сельская местность", Locality.RURAL),
        ("с", Locality.RURAL),
        ("с.", Locality.RURAL),
        ("Село", Locality.RURAL),
        ("rural", Locality.RURAL),
        ("", Locality.NONE),
        (None, Locality.NONE),
        (Locality.RURAL, Locality.RURAL),
    ],
)
def test_parse_locality(value: object, expected: Locality) -> None:
    assert parse_locality(value) is expected


def test_parse_locality_rejects() -> None:
    with pytest.raises(ValueError) as caught:
        parse_locality("пригород")
    message = russian_error(caught)
    assert "городская" in message and "«пригород»" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("СОШ", SchoolKind.SOSH),
        ("сош", SchoolKind.SOSH),
        ("Средняя", SchoolKind.SOSH),
        ("средняя общеобразовательная школа", SchoolKind.SOSH),
        ("ООШ", SchoolKind.OOSH),
        ("основная школа", SchoolKind.OOSH),
        ("НОШ", SchoolKind.NOSH),
        ("Гимназия", SchoolKind.GYMNASIUM),
        ("лицей", SchoolKind.LYCEUM),
        ("Школа-интернат", SchoolKind.BOARDING),
        ("другое", SchoolKind.OTHER),
        ("sosh", SchoolKind.SOSH),
        ("", SchoolKind.NONE),
        (None, SchoolKind.NONE),
        (SchoolKind.LYCEUM, SchoolKind.LYCEUM),
    ],
)
def test_parse_kind(value: object, expected: SchoolKind) -> None:
    assert parse_kind(value) is expected


def test_parse_kind_rejects() -> None:
    with pytest.raises(ValueError) as caught:
        parse_kind("колледж")
    message = russian_error(caught)
    assert "тип ОО" in message and "«колледж»" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (1234.0, "1234"),
        (12.5, "12.5"),
        ("  МКОУ \u00a0«Шумская  СОШ»  ", "МКОУ «Шумская СОШ»"),
        (7, "7"),
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    assert clean_text(value) == expected
