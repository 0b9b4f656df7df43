"""RegistryIndex: search as you type (tokens, case, ё/е), filters and sorting; academic years."""

from __future__ import annotations

import pytest

from app.domain import (
    Category,
    Locality,
    School,
    SchoolCategory,
    SchoolKind,
    academic_year_label,
    parse_academic_year,
)
from app.registry import SORT_KEYS, RegistryIndex, RegistryQuery
from app.schools import SchoolService
from db import Database


def names(schools: list[School]) -> list[str]:
    return [s.display_name for s in schools]


@pytest.fixture(scope="module")
def demo_index(demo_database_shared: Database) -> RegistryIndex:
    service = SchoolService(demo_database_shared)
    return RegistryIndex.build(service.list_schools(year=2020))


# --- search over the demo district -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ШУМСКАЯ", ["МКОУ «Шумская СОШ»"]),
        ("шумская сош", ["МКОУ «Шумская СОШ»"]),
        ("  Шумская   СОШ ", ["МКОУ «Шумская СОШ»"]),
        ("отрадненская 3", ["МБОУ «Отрадненская СОШ №3»"]),
        ("3 отрадненская", ["МБОУ «Отрадненская СОШ №3»"]),
        ("отрадненская", ["МБОУ «Отрадненская СОШ №3»", "МКОУ «Отрадненская СОШ №2»"]),
        ("ООШ", ["МКОУ «Путиловская ООШ»"]),
        ("шлиссельбург", ["МБОУ «Шлиссельбургская СОШ»"]),
        ("нлиссельбургская", []),  # the seed's misspelling finds nothing: search is not fuzzy
        ("шумская ооШ", []),  # every token must match
    ],
)
def test_search(demo_index: RegistryIndex, text: str, expected: list[str]) -> None:
    assert sorted(names(demo_index.select(RegistryQuery(text=text)))) == sorted(expected)


def test_empty_search_returns_all_sorted_by_name(demo_index: RegistryIndex) -> None:
    found = demo_index.select(RegistryQuery())
    assert len(found) == 9
    assert names(found) == sorted(names(found), key=str.casefold)


def test_search_by_settlement_and_category_filter(demo_index: RegistryIndex) -> None:
    assert len(demo_index.select(RegistryQuery(text="г. Отрадное"))) == 2
    nonobjective = demo_index.select(RegistryQuery(category=Category.NONOBJECTIVE))
    assert sorted(names(nonobjective)) == [
        "МКОУ «Назиевская СОШ»",
        "МКОУ «Путиловская ООШ»",
        "МКОУ «Шумская СОШ»",
    ]
    assert names(demo_index.select(RegistryQuery(text="шумская", category=Category.UNFAVOURABLE))) == []


# --- filters and sorting over hand-made schools ------------------------------------------------


def _category(school_id: int, category: Category) -> SchoolCategory:
    return SchoolCategory(id=school_id * 10, school_id=school_id, academic_year=2020, category=category)


@pytest.fixture
def index() -> RegistryIndex:
    schools = [
        School(
            id=1,
            full_name="МКОУ «Ёлкинская СОШ»",
            kind=SchoolKind.SOSH,
            locality=Locality.RURAL,
            settlement="д. Ёлкино",
            students=120,
            categories=(_category(1, Category.LOW_RESULTS), _category(1, Category.NONOBJECTIVE)),
        ),
        School(
            id=2,
            full_name="МАОУ «Гимназия №1»",
            kind=SchoolKind.GYMNASIUM,
            locality=Locality.URBAN,
            settlement="г. Кировск",
            director="Берёзова А.А.",
            students=None,
        ),
        School(
            id=3,
            full_name="МКОУ «Анинская ООШ»",
            kind=SchoolKind.OOSH,
            locality=Locality.RURAL,
            settlement="с. Анино",
            students=45,
            categories=(_category(3, Category.UNFAVOURABLE),),
        ),
        School(
            id=4,
            full_name="Филиал МКОУ «Ёлкинская СОШ» в д. Вахрушево",
            kind=SchoolKind.NOSH,
            parent_id=1,
            parent_name="МКОУ «Ёлкинская СОШ»",
            locality=Locality.RURAL,
            students=None,
        ),
        School(
            id=5,
            full_name="МБОУ «Вязовская СОШ»",
            kind=SchoolKind.SOSH,
            locality=Locality.URBAN,
            students=980,
            archived_at="2024-06-30T12:00:00",
            archive_reason="Реорганизация",
            categories=(_category(5, Category.LOW_RESULTS),),
        ),
    ]
    return RegistryIndex.build(schools)


def ids(schools: list[School]) -> list[int]:
    return [s.id for s in schools]


@pytest.mark.parametrize("text", ["елкино", "ЕЛКИНО", "Ёлкино", "ёлкино"])
def test_search_folds_yo_in_settlement(index: RegistryIndex, text: str) -> None:
    assert ids(index.select(RegistryQuery(text=text))) == [1]


@pytest.mark.parametrize("text", ["елкинская", "ЁЛКИНСКАЯ", "Елкинская сош"])
def test_search_folds_yo_in_names(index: RegistryIndex, text: str) -> None:
    # The branch is found through its parent's name too.
    assert sorted(ids(index.select(RegistryQuery(text=text)))) == [1, 4]


def test_search_by_director_with_yo(index: RegistryIndex) -> None:
    assert ids(index.select(RegistryQuery(text="березова"))) == [2]


def test_archived_are_hidden_unless_asked(index: RegistryIndex) -> None:
    assert 5 not in ids(index.select(RegistryQuery()))
    assert 5 not in ids(index.select(RegistryQuery(text="вязовская")))
    assert ids(index.select(RegistryQuery(text="вязовская", show_archived=True))) == [5]
    assert sorted(ids(index.select(RegistryQuery(show_archived=True)))) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (RegistryQuery(kind=SchoolKind.SOSH), [1]),
        (RegistryQuery(kind=SchoolKind.SOSH, show_archived=True), [1, 5]),
        (RegistryQuery(kind=SchoolKind.LYCEUM), []),
        (RegistryQuery(locality=Locality.URBAN), [2]),
        (RegistryQuery(locality=Locality.RURAL), [1, 3, 4]),
        (RegistryQuery(category=Category.LOW_RESULTS), [1]),
        (RegistryQuery(category=Category.LOW_RESULTS, show_archived=True), [1, 5]),
        (RegistryQuery(category=Category.UNFAVOURABLE), [3]),
        (RegistryQuery(any_category=True), [1, 3]),
        (RegistryQuery(any_category=True, locality=Locality.RURAL, kind=SchoolKind.OOSH), [3]),
        (RegistryQuery(text="сош", locality=Locality.RURAL), [1, 4]),
    ],
)
def test_filters(index: RegistryIndex, query: RegistryQuery, expected: list[int]) -> None:
    assert sorted(ids(index.select(query))) == expected


def test_sort_by_name(index: RegistryIndex) -> None:
    query = RegistryQuery(show_archived=True)
    ascending = names(index.select(query, "name"))
    assert ascending == [
        "МАОУ «Гимназия №1»",
        "МБОУ «Вязовская СОШ»",
        "МКОУ «Анинская ООШ»",
        "МКОУ «Ёлкинская СОШ»",
        "Филиал МКОУ «Ёлкинская СОШ» в д. Вахрушево",
    ]
    assert names(index.select(query, "name", descending=True)) == ascending[::-1]


def test_sort_by_name_treats_yo_as_ye_and_ignores_case() -> None:
    index = RegistryIndex.build(
        [
            School(id=1, full_name="жуковская СОШ"),
            School(id=2, full_name="Ёлкинская СОШ"),
            School(id=3, full_name="Ельцовская СОШ"),
            School(id=4, full_name="ДУБКИ"),
        ]
    )
    # Plain code-point order would put «Ё» after every other letter and «ДУБКИ» before «жуковская».
    assert ids(index.select(RegistryQuery(), "name")) == [4, 2, 3, 1]


def test_sort_by_students_puts_unknown_last(index: RegistryIndex) -> None:
    found = index.select(RegistryQuery(show_archived=True), "students")
    assert [s.students for s in found] == [45, 120, 980, None, None]


def test_sort_by_kind_locality_and_unknown_key(index: RegistryIndex) -> None:
    query = RegistryQuery()
    assert ids(index.select(query, "id", descending=True)) == [4, 3, 2, 1]
    by_kind = index.select(query, "kind")
    assert [s.kind.label for s in by_kind] == sorted(s.kind.label for s in by_kind)
    assert [s.locality for s in index.select(query, "locality")] == [
        Locality.URBAN,
        Locality.RURAL,
        Locality.RURAL,
        Locality.RURAL,
    ]
    assert ids(index.select(query, "no-such-column")) == ids(index.select(query, "name"))


def test_every_sort_key_orders_the_registry(index: RegistryIndex) -> None:
    for key in SORT_KEYS:
        found = index.select(RegistryQuery(show_archived=True), key)
        assert sorted(ids(found)) == [1, 2, 3, 4, 5], key


def test_with_changes_replaces_adds_and_removes(index: RegistryIndex) -> None:
    # Fill the cached sort order first: the new index must not reuse it.
    assert names(index.select(RegistryQuery(), "name"))[0] == "МАОУ «Гимназия №1»"
    renamed = School(id=2, full_name="МАОУ «Ярославская гимназия»", kind=SchoolKind.GYMNASIUM, students=700)
    added = School(id=6, full_name="МБОУ «Бережковская СОШ»", settlement="д. Бережки")
    changed = index.with_changes([renamed, added], removed_ids=[3])

    assert sorted(ids(changed.select(RegistryQuery()))) == [1, 2, 4, 6]
    assert ids(changed.select(RegistryQuery(text="ярославская"))) == [2]
    assert ids(changed.select(RegistryQuery(text="гимназия №1"))) == []
    assert ids(changed.select(RegistryQuery(text="бережки"))) == [6]
    assert names(changed.select(RegistryQuery(), "name"))[0] == "МАОУ «Ярославская гимназия»"
    assert [s.students for s in changed.select(RegistryQuery(), "students")] == [120, 700, None, None]
    # The original index is untouched.
    assert sorted(ids(index.select(RegistryQuery()))) == [1, 2, 3, 4]
    assert ids(index.select(RegistryQuery(text="гимназия №1"))) == [2]


# --- academic years -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2020/2021", 2020),
        ("2020-2021", 2020),
        ("2020–2021", 2020),
        ("2020 / 21", 2020),
        ("2020/21", 2020),
        ("2020", 2020),
        (" 2020-2021 уч. год", 2020),
        ("2020/2021 уч.г.", 2020),
        ("1999/2000", 1999),
        ("1999/00", 1999),
        ("2020/2022", None),
        ("2021/2020", None),
        ("2020/22", None),
        ("20/21", None),
        ("двадцатый", None),
        ("", None),
    ],
)
def test_parse_academic_year(text: str, year: int | None) -> None:
    assert parse_academic_year(text) == year


def test_academic_year_label_round_trip() -> None:
    for year in (1999, 2020, 2025):
        assert parse_academic_year(academic_year_label(year)) == year


def test_schools_without_a_value_sort_last_both_ways() -> None:
    from app.domain import School
    from app.registry import RegistryIndex, RegistryQuery

    index = RegistryIndex.build(
        [
            School(id=1, full_name="А", students=None, director=""),
            School(id=2, full_name="Б", students=300, director="Яковлева"),
            School(id=3, full_name="В", students=120, director="Антонова"),
        ]
    )
    for descending, expected in ((False, [3, 2, 1]), (True, [2, 3, 1])):
        assert [s.id for s in index.select(RegistryQuery(), "students", descending)] == expected
    assert [s.id for s in index.select(RegistryQuery(), "director", True)] == [2, 3, 1]
