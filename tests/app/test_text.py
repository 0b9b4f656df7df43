"""Russian text helpers: folding, matching keys, abbreviations, school kinds, plurals."""

from __future__ import annotations

import pytest

from app.text import abbreviate_school_name, fold, guess_school_kind, match_key, normalize_spaces, plural


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ёлкинская СОШ", "елкинская сош"),
        ("ШУМСКАЯ", "шумская"),
        ("Приладожский", "приладожский"),
        ("ЁЖ и ёж", "еж и еж"),
        ("School N3", "school n3"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_makes_case_and_yo_variants_equal() -> None:
    assert fold("МКОУ «Ёлкинская СОШ»") == fold("мкоу «елкинская сош»")
    assert fold("Шумская") != fold("Шимская")


def test_normalize_spaces() -> None:
    assert normalize_spaces("  МКОУ\u00a0 «Шумская\tСОШ» \n") == "МКОУ «Шумская СОШ»"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("МКОУ «Шумская СОШ»", 'МКОУ "Шумская СОШ"'),
        ("МКОУ «Шумская СОШ»", "мкоу шумская сош"),
        ("МБОУ «Отрадненская СОШ №3»", "МБОУ «Отрадненская СОШ № 3»"),
        ("МБОУ «Отрадненская СОШ №3»", "МБОУ «Отрадненская СОШ N3»"),
        ("МБОУ «Отрадненская СОШ №3»", "МБОУ „Отрадненская СОШ N 3“"),
        ("МКОУ «Ёлкинская СОШ»", "МКОУ «Елкинская СОШ»"),
        ("МКОУ  «Шумская   СОШ»", "МКОУ «Шумская СОШ»\u00a0"),
    ],
)
def test_match_key_equal(left: str, right: str) -> None:
    assert match_key(left) == match_key(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # Seed 000 misspells these; match_key is exact, so the misspelling is not a match.
        ("МБОУ «Нлиссельбургская СОШ»", "МБОУ «Шлиссельбургская СОШ»"),
        ("МБОУ «Отраденская СОШ №3»", "МБОУ «Отрадненская СОШ №3»"),
        ("МБОУ «Отрадненская СОШ №3»", "МКОУ «Отрадненская СОШ №2»"),
        ("МБОУ «Отрадненская СОШ №3»", "МБОУ «Отрадненская СОШ №33»"),
        ("МКОУ «Шумская СОШ»", "МКОУ «Шумская ООШ»"),
    ],
)
def test_match_key_different(left: str, right: str) -> None:
    assert match_key(left) != match_key(right)


def test_match_key_does_not_turn_letters_inside_words_into_numero() -> None:
    # The «n» before a digit becomes № only as a word of its own.
    assert "№" not in match_key("Gymnasium2")
    assert match_key("Школа N 5") == match_key("Школа №5")


@pytest.mark.parametrize(
    ("full", "short"),
    [
        (
            "Муниципальное казённое общеобразовательное учреждение «Шумская средняя общеобразовательная школа»",
            "МКОУ «Шумская СОШ»",
        ),
        (
            "Муниципальное казенное общеобразовательное учреждение «Путиловская основная общеобразовательная школа»",
            "МКОУ «Путиловская ООШ»",
        ),
        (
            "Муниципальное бюджетное общеобразовательное учреждение «Отрадненская средняя общеобразовательная школа №3»",
            "МБОУ «Отрадненская СОШ №3»",
        ),
        (
            "МУНИЦИПАЛЬНОЕ АВТОНОМНОЕ ОБЩЕОБРАЗОВАТЕЛЬНОЕ УЧРЕЖДЕНИЕ «СРЕДНЯЯ ОБЩЕОБРАЗОВАТЕЛЬНАЯ ШКОЛА № 2 Г. КИРОВСКА»",
            "МАОУ «СОШ № 2 Г. КИРОВСКА»",
        ),
        (
            "Государственное бюджетное общеобразовательное учреждение  «Начальная общеобразовательная школа»",
            "ГБОУ «НОШ»",
        ),
        # Unknown wording is kept as it is.
        ("Гимназия им. А.С. Пушкина", "Гимназия им. А.С. Пушкина"),
    ],
)
def test_abbreviate_school_name(full: str, short: str) -> None:
    assert abbreviate_school_name(full) == short


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("МКОУ «Шумская СОШ»", "sosh"),
        (
            "Муниципальное казённое общеобразовательное учреждение «Шумская средняя общеобразовательная школа»",
            "sosh",
        ),
        ("МКОУ «Путиловская ООШ»", "oosh"),
        ("Путиловская основная общеобразовательная школа", "oosh"),
        ("Путиловская основная школа", "oosh"),
        ("Березовская начальная школа", "nosh"),
        ("МАОУ «Гимназия №1»", "gymnasium"),
        ("МБОУ «Лицей № 8»", "lyceum"),
        ("ГБОУ «Школа-интернат №3»", "boarding"),
        ("МБОУ «Центр образования»", ""),
        ("Сошниковская ООШ", "oosh"),  # «сош» inside a word is not the type
    ],
)
def test_guess_school_kind(name: str, kind: str) -> None:
    assert guess_school_kind(name) == kind


@pytest.mark.parametrize(
    ("count", "word"),
    [
        (0, "школ"),
        (1, "школа"),
        (2, "школы"),
        (4, "школы"),
        (5, "школ"),
        (11, "школ"),
        (12, "школ"),
        (14, "школ"),
        (21, "школа"),
        (22, "школы"),
        (101, "школа"),
        (111, "школ"),
        (112, "школ"),
        (1601, "школа"),
    ],
)
def test_plural(count: int, word: str) -> None:
    assert plural(count, "школа", "школы", "школ") == word
