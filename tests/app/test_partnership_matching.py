"""Matching school names as documents write them to the registry (app/partnerships/matching.py)."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import School
from app.partnerships.matching import SchoolMatcher, edit_distance, name_key
from app.partnerships.parse import parse_text
from app.schools import SchoolService
from db import Database
from tests.app.conftest import seed_path


@pytest.fixture
def matcher(demo_database: Database) -> SchoolMatcher:
    return SchoolMatcher(SchoolService(demo_database).list_schools())


def _id(matcher: SchoolMatcher, short_name: str) -> int:
    found = [s.id for s in _schools(matcher) if s.short_name == short_name]
    assert len(found) == 1, short_name
    return found[0]


def _schools(matcher: SchoolMatcher) -> list[School]:
    return [matcher.school(i) for i in matcher._schools]


def _seed_item_11() -> str:
    line = next(x for x in seed_path("000").read_text(encoding="utf-8").splitlines() if x.startswith("11\t"))
    return line.split("\t")[1]


def test_every_name_of_seed_000_item_11_matches_the_demo_registry(matcher: SchoolMatcher) -> None:
    parsed = parse_text(_seed_item_11(), "распоряжение № 149")
    expected = [
        ["МБОУ «Отрадненская СОШ №3»", "МКОУ «Отрадненская СОШ №2»"],
        ["МКОУ «Синявинская СОШ»", "МКОУ «Шумская СОШ»", "МБОУ «Шлиссельбургская СОШ»"],
        ["МКОУ «Путиловская ООШ»", "МКОУ «Приладожская СОШ»"],
        ["МКОУ «Назиевская СОШ»", "МБОУ «Кировская СОШ №2»"],
    ]
    assert len(parsed.groups) == 4
    for group, names in zip(parsed.groups, expected, strict=True):
        results = matcher.match_all(group.names)
        assert [r.school_id for r in results] == [_id(matcher, n) for n in names]
        # One wrong letter in a long unique name («Отраденская», «Нлиссельбургская») is still sure.
        assert all(r.confident for r in results), results


def test_one_letter_typos_resolve_confidently(matcher: SchoolMatcher) -> None:
    result = matcher.match("МБОУ «Нлиссельбургская СОШ»")
    assert result.school_id == _id(matcher, "МБОУ «Шлиссельбургская СОШ»")
    assert result.confident and 0.92 <= result.score < 1.0
    result = matcher.match("МКОУ «Отраденская СОШ №2»")
    assert result.school_id == _id(matcher, "МКОУ «Отрадненская СОШ №2»")
    assert result.confident


def test_school_numbers_are_never_confused(matcher: SchoolMatcher) -> None:
    no2 = _id(matcher, "МКОУ «Отрадненская СОШ №2»")
    no3 = _id(matcher, "МБОУ «Отрадненская СОШ №3»")
    assert matcher.match("Отрадненская СОШ №3").school_id == no3
    assert matcher.match("Отрадненская СОШ № 2").school_id == no2
    assert matcher.match("МБОУ «Отрадненская СОШ №2»").school_id == no2  # the form differs, not the number
    unknown = matcher.match("МБОУ «Отрадненская СОШ №4»")
    assert unknown.school_id is None and not unknown.confident
    assert matcher.match("МБОУ «Кировская СОШ №3»").school_id is None
    # No number at all: either school could be meant, so a person has to choose.
    doubtful = matcher.match("Отрадненская СОШ")
    assert doubtful.school_id in (no2, no3) and not doubtful.confident
    assert {no2, no3} <= {school_id for school_id, _ in doubtful.candidates}


def test_quotes_number_signs_case_spaces_and_full_names(matcher: SchoolMatcher) -> None:
    kirov = _id(matcher, "МБОУ «Кировская СОШ №2»")
    for name in (
        'МБОУ "Кировская СОШ N2"',
        "МБОУ “Кировская СОШ No 2”",
        "МБОУ 'Кировская СОШ #2'",
        "мбоу  кировская   сош №  2",
        "МБОУ «КИРОВСКАЯ СОШ № 2»",
        "Муниципальное бюджетное общеобразовательное учреждение «Кировская средняя общеобразовательная школа № 2»",
        "Кировская средняя школа №2",
    ):
        result = matcher.match(name)
        assert result.school_id == kirov and result.confident, (name, result)
    putilovo = matcher.match("МКОУ «Путиловская основная общеобразовательная школа»")
    assert putilovo.school_id == _id(matcher, "МКОУ «Путиловская ООШ»") and putilovo.confident
    # ООШ is not СОШ: the type is part of the name.
    assert not matcher.match("МКОУ «Путиловская СОШ»").confident


def test_unknown_school_has_no_id_but_candidates(matcher: SchoolMatcher) -> None:
    result = matcher.match("МБОУ «Ивановская СОШ»")
    assert result.school_id is None and not result.confident and not result.doubtful
    assert result.candidates
    assert all(0.0 <= score < 0.75 for _, score in result.candidates)
    assert matcher.match("").school_id is None
    assert matcher.match("МБОУ СОШ").candidates == []


def test_name_key_takes_names_apart() -> None:
    key = name_key(
        "Муниципальное казённое общеобразовательное учреждение «Ёлкинская средняя общеобразовательная школа N 07»"
    )
    assert (key.form, key.kind, key.numbers, key.words) == ("мкоу", "sosh", frozenset({"7"}), ("елкинская",))
    assert name_key("МАОУ «Лицей №3 им. А.С. Пушкина»").words == ("пушкина",)
    assert name_key("Гимназия № 1").kind == "gymnasium"


def test_edit_distance() -> None:
    assert edit_distance("отраденская", "отрадненская") == 1
    assert edit_distance("шумская", "шусмкая") == 1  # a swap of neighbours is one edit
    assert edit_distance("abc", "") == 3
    assert edit_distance("abcdef", "uvwxyz", limit=2) == 3


def test_ties_and_archived_schools_are_doubtful() -> None:
    schools = [
        School(1, "МБОУ «Лесная СОШ»", "МБОУ «Лесная СОШ»"),
        School(2, "МКОУ «Лесная СОШ»", "МКОУ «Лесная СОШ»"),
    ]
    result = SchoolMatcher(schools).match("Лесная СОШ")
    assert result.school_id in (1, 2) and not result.confident


def test_a_large_registry_is_matched_quickly() -> None:
    rnd = random.Random(7)
    letters = "абвгдежзиклмнопрстуфхцчшэюя"
    schools = []
    for i in range(1600):
        word = "".join(rnd.choice(letters) for _ in range(rnd.randint(5, 10))).capitalize() + "ская"
        number = f" №{rnd.randint(1, 40)}" if rnd.random() < 0.4 else ""
        schools.append(
            School(
                i + 1,
                f"МБОУ «{word} средняя общеобразовательная школа{number}»",
                f"МБОУ «{word} СОШ{number}»",
            )
        )
    matcher = SchoolMatcher(schools)
    picked = rnd.sample(schools, 800)
    names = [s.short_name[:7] + s.short_name[8:] for s in picked]  # one letter of the name lost
    started = time.perf_counter()
    results = matcher.match_all(names)
    elapsed = time.perf_counter() - started
    assert sum(r.school_id == s.id for r, s in zip(results, picked, strict=True)) >= 790
    assert elapsed < 15  # about 1.5 s on an office PC


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_text_gives_a_match_object(text: str) -> None:
    matcher = SchoolMatcher([School(1, "МБОУ «Кировская СОШ №2»", "МБОУ «Кировская СОШ №2»")])
    result = matcher.match(text)
    assert 0.0 <= result.score <= 1.0
    assert result.school_id in (None, 1)
