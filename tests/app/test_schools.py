"""SchoolService: validation, duplicates, branches, archive, categories per academic year."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain import Category, CategorySource, Locality, SchoolKind
from app.errors import AppError, ValidationError
from app.history import undo
from app.schools import SchoolService
from app.text import match_key
from db import Database

MKOU = "Муниципальное казённое общеобразовательное учреждение"
SHUM = f"{MKOU} «Шумская средняя общеобразовательная школа»"
NAZIA = f"{MKOU} «Назиевская средняя общеобразовательная школа»"
PUTILOVO = f"{MKOU} «Путиловская основная общеобразовательная школа»"


@pytest.fixture
def service(database: Database) -> SchoolService:
    return SchoolService(database)


def fields(error: ValidationError) -> set[str]:
    return {p.field for p in error.problems}


def rows(database: Database, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(r) for r in database.query(sql, params)]


# --- create ---------------------------------------------------------------------------------


def test_create_fills_short_name_and_kind_from_the_full_name(service: SchoolService) -> None:
    school_id, changeset = service.create(
        {
            "full_name": f"  {SHUM} ",
            "locality": "сельская",
            "settlement": "с. Шум",
            "students": "1 200",
            "latitude": "59,8249",
            "longitude": "32,0346",
            "inn": "4706012345",
            "email": "shum@mail.ru",
        }
    )
    assert changeset and "Шумская" in changeset.description
    school = service.get(school_id)
    assert school.full_name == SHUM
    assert school.short_name == "МКОУ «Шумская СОШ»"
    assert school.kind is SchoolKind.SOSH
    assert school.locality is Locality.RURAL
    assert school.students == 1200
    assert (school.latitude, school.longitude) == (59.8249, 32.0346)
    assert school.inn == "4706012345"
    assert not school.is_archived and not school.is_branch


def test_explicit_short_name_and_kind_are_kept(service: SchoolService) -> None:
    school_id, _ = service.create({"full_name": SHUM, "short_name": "Шумская школа", "kind": "ООШ"})
    school = service.get(school_id)
    assert (school.short_name, school.kind) == ("Шумская школа", SchoolKind.OOSH)


@pytest.mark.parametrize("name", ["", "   ", None])
def test_create_with_empty_name_is_refused(service: SchoolService, name: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create({"full_name": name, "settlement": "с. Шум"})
    assert "full_name" in fields(caught.value)
    assert "наименование" in caught.value.message
    assert service.count() == 0


def test_create_reports_every_bad_field_at_once(service: SchoolService) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create(
            {"full_name": SHUM, "students": "12а", "email": "shum", "inn": "123", "latitude": "59,8"}
        )
    assert fields(caught.value) == {"students", "email", "inn", "latitude"}
    assert "Численность обучающихся" in caught.value.message
    assert service.count() == 0


@pytest.mark.parametrize(
    "duplicate",
    [
        SHUM,
        SHUM.upper(),
        'муниципальное казенное общеобразовательное учреждение "шумская средняя общеобразовательная школа"',
        SHUM.replace("казённое", "казенное"),
    ],
)
def test_duplicate_name_is_refused(service: SchoolService, duplicate: str) -> None:
    service.create({"full_name": SHUM})
    with pytest.raises(ValidationError) as caught:
        service.create({"full_name": duplicate})
    assert "full_name" in fields(caught.value)
    assert "уже есть" in caught.value.message
    assert service.count() == 1


@pytest.mark.parametrize(
    "stored",
    [
        "МКОУ «ШУМСКАЯ СОШ № 3»",
        "мкоу шумская сош n3",
        "МКОУ «Шумская\u00a0СОШ №3»",
        "МКОУ «Шумᲃкая СОШ №3»",  # U+1C83: a rare spelling of «с» that folds to it
        "МКОУ «ШумскАЯ» — СОШ № 3",
    ],
)
def test_duplicate_is_found_in_any_spelling_by_a_targeted_lookup(
    service: SchoolService, database: Database, monkeypatch: pytest.MonkeyPatch, stored: str
) -> None:
    import app.schools

    with database.atomic() as conn:
        names = [f"МКОУ «Назиевская СОШ № {number}»" for number in range(40)]
        conn.executemany("INSERT INTO schools (full_name) VALUES (?)", [(n,) for n in [*names, stored]])
    keyed: list[str] = []

    def counting_match_key(text: str) -> str:
        keyed.append(text)
        return match_key(text)

    monkeypatch.setattr(app.schools, "match_key", counting_match_key)
    with pytest.raises(ValidationError) as caught:
        service.validate({"full_name": "МКОУ «Шумская СОШ №3»"})
    assert caught.value.problems[0].message == f"Такая школа уже есть в реестре: {stored}"
    assert len(keyed) <= 2  # the new name and the one candidate, not all 41 names
    service.validate({"full_name": "МКОУ «Шумская СОШ №4»"})  # a different school passes


def test_duplicate_inn_is_refused_but_a_branch_may_share_it(service: SchoolService) -> None:
    head, _ = service.create({"full_name": SHUM, "inn": "4706012345"})
    with pytest.raises(ValidationError) as caught:
        service.create({"full_name": NAZIA, "inn": "4706012345"})
    assert fields(caught.value) == {"inn"}
    branch, _ = service.create({"full_name": f"Филиал {SHUM}", "inn": "4706012345", "parent_id": head})
    assert service.get(branch).inn == "4706012345"


# --- branches -------------------------------------------------------------------------------


def test_branch_rules(service: SchoolService) -> None:
    head, _ = service.create({"full_name": SHUM})
    branch, _ = service.create({"full_name": "Филиал в д. Горгала", "parent_id": head})
    other, _ = service.create({"full_name": NAZIA})

    assert service.get(branch).parent_name == "МКОУ «Шумская СОШ»"
    assert [b.id for b in service.branches(head)] == [branch]

    # A branch of a branch.
    with pytest.raises(ValidationError) as caught:
        service.create({"full_name": "Филиал филиала", "parent_id": branch})
    assert fields(caught.value) == {"parent_id"}
    assert "филиалу" in caught.value.message

    # A branch of itself.
    with pytest.raises(ValidationError) as caught:
        service.update(other, {"parent_id": other})
    assert "самой себя" in caught.value.message

    # A school with branches cannot become a branch.
    with pytest.raises(ValidationError) as caught:
        service.update(head, {"parent_id": other})
    assert "свои филиалы" in caught.value.message

    # A parent that does not exist.
    with pytest.raises(ValidationError) as caught:
        service.create({"full_name": "Филиал без школы", "parent_id": 9999})
    assert "не найдена" in caught.value.message

    assert service.get(other).parent_id is None
    assert service.get(head).parent_id is None
    assert service.count() == 3


def test_branch_can_move_to_another_head(service: SchoolService) -> None:
    head, _ = service.create({"full_name": SHUM})
    other, _ = service.create({"full_name": NAZIA})
    branch, _ = service.create({"full_name": "Филиал в д. Горгала", "parent_id": head})
    service.update(branch, {"parent_id": other})
    assert service.get(branch).parent_name == "МКОУ «Назиевская СОШ»"
    service.update(branch, {"parent_id": None})
    assert service.get(branch).is_branch is False


# --- update, archive, restore ---------------------------------------------------------------


def test_update_changes_only_given_fields(service: SchoolService, database: Database) -> None:
    school_id, _ = service.create({"full_name": SHUM, "director": "Иванова И.И.", "students": 300})
    changeset = service.update(school_id, {"students": "310", "phone": "8 (81362) 2-34-56"})
    school = service.get(school_id)
    assert (school.students, school.phone, school.director) == (310, "8 (81362) 2-34-56", "Иванова И.И.")
    assert [c.table for c in changeset.changes] == ["schools"]
    # Nothing changed: nothing recorded.
    assert not service.update(school_id, {"students": 310})


def test_update_with_bad_value_changes_nothing(service: SchoolService, database: Database) -> None:
    school_id, _ = service.create({"full_name": SHUM, "email": "shum@mail.ru"})
    before = rows(database, "SELECT * FROM schools")
    with pytest.raises(ValidationError) as caught:
        service.update(school_id, {"email": "shum@", "director": "Петрова П.П."})
    assert fields(caught.value) == {"email"}
    assert rows(database, "SELECT * FROM schools") == before


def test_update_to_the_name_of_another_school_is_refused(service: SchoolService) -> None:
    service.create({"full_name": SHUM})
    other, _ = service.create({"full_name": NAZIA})
    with pytest.raises(ValidationError):
        service.update(other, {"full_name": SHUM.lower()})
    # Its own name, retyped in another case, is not a duplicate of itself.
    service.update(other, {"full_name": NAZIA.replace("Назиевская", "НАЗИЕВСКАЯ")})
    assert "НАЗИЕВСКАЯ" in service.get(other).full_name


def test_get_unknown_school(service: SchoolService) -> None:
    with pytest.raises(AppError) as caught:
        service.get(12345)
    assert "не найдена" in caught.value.message


@pytest.mark.parametrize("reason", ["", "   "])
def test_archive_requires_a_reason(service: SchoolService, reason: str) -> None:
    school_id, _ = service.create({"full_name": SHUM})
    with pytest.raises(ValidationError) as caught:
        service.archive(school_id, reason)
    assert "причину" in caught.value.message
    assert not service.get(school_id).is_archived


def test_archive_and_restore(service: SchoolService, database: Database) -> None:
    school_id, _ = service.create({"full_name": PUTILOVO})
    changeset = service.archive(school_id, "  Реорганизация путём присоединения ")
    school = service.get(school_id)
    assert school.is_archived and school.archived_at
    assert school.archive_reason == "Реорганизация путём присоединения"
    assert [s.id for s in service.list_schools(include_archived=False)] == []
    assert [s.id for s in service.list_schools()] == [school_id]

    with pytest.raises(AppError) as caught:
        service.archive(school_id, "ещё раз")
    assert "уже в архиве" in caught.value.message

    service.restore(school_id)
    school = service.get(school_id)
    assert not school.is_archived and school.archive_reason == ""
    with pytest.raises(AppError):
        service.restore(school_id)
    assert changeset.description.startswith("Перевод в архив")


def test_archive_refused_while_active_branches_exist(service: SchoolService) -> None:
    head, _ = service.create({"full_name": SHUM})
    branch, _ = service.create(
        {"full_name": "Филиал в д. Горгала", "short_name": "Горгальский филиал", "parent_id": head}
    )
    with pytest.raises(AppError) as caught:
        service.archive(head, "Закрытие")
    assert "Горгальский филиал" in caught.value.message
    assert not service.get(head).is_archived

    service.archive(branch, "Закрытие филиала")
    service.archive(head, "Закрытие")
    assert service.get(head).is_archived


def test_archived_name_may_be_reused_but_then_restore_is_refused(service: SchoolService) -> None:
    old, _ = service.create({"full_name": SHUM})
    service.archive(old, "Реорганизация")
    new, _ = service.create({"full_name": SHUM})
    with pytest.raises(ValidationError) as caught:
        service.restore(old)
    assert "уже есть" in caught.value.message
    assert service.get(old).is_archived and not service.get(new).is_archived


def test_undo_archive(service: SchoolService, database: Database) -> None:
    school_id, _ = service.create({"full_name": SHUM})
    changeset = service.archive(school_id, "Закрытие")
    undo(database, changeset)
    assert not service.get(school_id).is_archived


# --- categories -----------------------------------------------------------------------------


def test_set_category_with_order_requires_document_reference(
    service: SchoolService, database: Database
) -> None:
    school_id, _ = service.create({"full_name": SHUM})
    with pytest.raises(ValidationError) as caught:
        service.set_category(
            school_id, 2020, Category.NONOBJECTIVE, source=CategorySource.ORDER, document_ref=" "
        )
    assert fields(caught.value) == {"document_ref"}
    assert "приказа" in caught.value.message
    assert service.categories(school_id) == []
    assert rows(database, "SELECT * FROM academic_years") == []


def test_set_category_with_order_source_given_as_code(service: SchoolService) -> None:
    """The card may hand over the stored code rather than the enum member."""
    school_id, _ = service.create({"full_name": SHUM})
    with pytest.raises(ValidationError):
        service.set_category(school_id, 2020, Category.NONOBJECTIVE, source="order")  # type: ignore[arg-type]
    service.set_category(school_id, 2020, "nonobjective", source="order", document_ref="№ 149")  # type: ignore[arg-type]
    [category] = service.categories(school_id)
    assert (category.category, category.source) == (Category.NONOBJECTIVE, CategorySource.ORDER)


def test_set_category_twice_updates_instead_of_duplicating(
    service: SchoolService, database: Database
) -> None:
    school_id, _ = service.create({"full_name": SHUM})
    service.set_category(school_id, 2020, Category.LOW_RESULTS, reason="по итогам ВПР")
    changeset = service.set_category(
        school_id,
        2020,
        Category.LOW_RESULTS,
        reason="региональный перечень",
        source=CategorySource.REGIONAL,
    )
    stored = rows(database, "SELECT * FROM school_categories WHERE school_id = ?", (school_id,))
    assert len(stored) == 1
    assert (stored[0]["reason"], stored[0]["source"]) == ("региональный перечень", "regional")
    assert [c.before is not None for c in changeset.changes] == [True]
    assert rows(database, "SELECT start_year FROM academic_years") == [{"start_year": 2020}]


def test_list_schools_carries_only_that_years_categories(service: SchoolService) -> None:
    shum, _ = service.create({"full_name": SHUM})
    nazia, _ = service.create({"full_name": NAZIA})
    service.set_category(shum, 2020, Category.NONOBJECTIVE)
    service.set_category(shum, 2020, Category.LOW_RESULTS)
    service.set_category(shum, 2021, Category.UNFAVOURABLE)
    service.set_category(nazia, 2021, Category.LOW_RESULTS)

    def categories(year: int | None) -> dict[int, set[tuple[int, Category]]]:
        return {
            s.id: {(c.academic_year, c.category) for c in s.categories}
            for s in service.list_schools(year=year)
        }

    assert categories(2020) == {
        shum: {(2020, Category.NONOBJECTIVE), (2020, Category.LOW_RESULTS)},
        nazia: set(),
    }
    assert categories(2021) == {shum: {(2021, Category.UNFAVOURABLE)}, nazia: {(2021, Category.LOW_RESULTS)}}
    assert categories(2019) == {shum: set(), nazia: set()}
    assert categories(None) == {shum: set(), nazia: set()}
    # The card shows every year's categories, newest first.
    assert [c.academic_year for c in service.get(shum).categories] == [2021, 2020, 2020]


def test_remove_category(service: SchoolService) -> None:
    school_id, _ = service.create({"full_name": SHUM})
    service.set_category(school_id, 2020, Category.LOW_RESULTS)
    [category] = service.categories(school_id)
    service.remove_category(category.id)
    assert service.categories(school_id) == []
    with pytest.raises(AppError) as caught:
        service.remove_category(category.id)
    assert "уже удалена" in caught.value.message


def test_set_category_for_unknown_school(service: SchoolService) -> None:
    with pytest.raises(AppError):
        service.set_category(777, 2020, Category.LOW_RESULTS)
