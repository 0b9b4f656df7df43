"""Network partnerships through PartnershipService: the demo groups, the checks, undo, distances."""

from __future__ import annotations

from datetime import date

import pytest

from app import history
from app.domain import Category
from app.errors import ValidationError
from app.partnerships.model import MemberRole, PartnershipKind, WarningKind, distance_km, looks_swapped
from app.partnerships.service import PartnershipService
from app.schools import SchoolService
from db import Database


def school_ids(database: Database) -> dict[str, int]:
    return {row["short_name"]: row["id"] for row in database.query("SELECT id, short_name FROM schools")}


def test_the_demo_holds_the_four_groups_of_seed_000(demo_database: Database) -> None:
    groups = PartnershipService(demo_database).list_groups(2020)
    assert [g.title for g in groups] == [
        "МБОУ «Отрадненская СОШ №3» – МКОУ «Отрадненская СОШ №2»",
        "МКОУ «Синявинская СОШ» – МКОУ «Шумская СОШ» – МБОУ «Шлиссельбургская СОШ»",
        "МКОУ «Путиловская ООШ» – МКОУ «Приладожская СОШ»",
        "МКОУ «Назиевская СОШ» – МБОУ «Кировская СОШ №2»",
    ]
    assert [g.kind for g in groups] == [
        PartnershipKind.PAIR,
        PartnershipKind.GROUP,
        PartnershipKind.PAIR,
        PartnershipKind.PAIR,
    ]
    group = groups[1]
    assert [m.role for m in group.members] == [MemberRole.TARGET, MemberRole.TARGET, MemberRole.PARTNER]
    assert len(group.links()) == 2  # each low-result school to the partner
    assert all(g.plan_item_ids for g in groups)  # linked to item 11 of the plan that approves them
    assert PartnershipService(demo_database).warnings(2020) == []


def test_distances_between_demo_schools_are_plausible(demo_database: Database) -> None:
    group = PartnershipService(demo_database).list_groups(2020)[0]
    first, second = group.members
    distance = distance_km(first, second)
    assert distance is not None and 0.5 < distance < 5  # two schools of Отрадное


def test_warnings_name_what_needs_attention(demo_database: Database) -> None:
    service = PartnershipService(demo_database)
    schools = SchoolService(demo_database)
    ids = school_ids(demo_database)
    # A new low-result school with no partner.
    mga, _ = schools.create({"full_name": "МКОУ «Мгинская СОШ»", "latitude": 59.75, "longitude": 31.07})
    schools.set_category(mga, 2020, Category.LOW_RESULTS)
    # A partner that is itself on a list.
    schools.set_category(ids["МКОУ «Приладожская СОШ»"], 2020, Category.UNFAVOURABLE)
    # A school in two groups of the year, with swapped coordinates.
    swapped, _ = schools.create({"full_name": "МКОУ «Павловская СОШ»", "latitude": 31.0, "longitude": 59.8})
    service.create(2020, [(ids["МКОУ «Назиевская СОШ»"], MemberRole.TARGET), (swapped, MemberRole.MENTOR)])
    kinds = [(w.kind, w.message) for w in service.warnings(2020)]
    assert (
        WarningKind.NO_PARTNER,
        "МКОУ «Мгинская СОШ»: школа с низкими результатами (2020/2021) без школы-партнёра",
    ) in kinds
    assert any(k is WarningKind.PARTNER_ON_LIST and "Приладожская" in m and "ШФНСУ" in m for k, m in kinds)
    assert any(k is WarningKind.TWO_GROUPS and "Назиевская" in m for k, m in kinds)
    assert any(k is WarningKind.COORDINATES and "Павловская" in m for k, m in kinds)
    # Another year is another list.
    assert service.warnings(2021) == []


def test_create_edit_members_and_undo(database: Database) -> None:
    schools = SchoolService(database)
    a, _ = schools.create({"full_name": "Школа А"})
    b, _ = schools.create({"full_name": "Школа Б"})
    c, _ = schools.create({"full_name": "Школа В"})
    service = PartnershipService(database)
    group_id, created = service.create(
        2021,
        [(a, MemberRole.TARGET), (b, MemberRole.MENTOR)],
        {
            "kind": "mentoring",
            "agreement_number": "12",
            "agreement_date": date(2021, 9, 10),
            "activities": "Уроки",
        },
    )
    group = service.get(group_id)
    assert group.kind is PartnershipKind.MENTORING and group.agreement_text() == "№ 12 от 10.09.2021"
    change = service.set_members(
        group_id, [(a, MemberRole.TARGET), (c, MemberRole.PARTNER), (b, MemberRole.MENTOR)]
    )
    assert [m.school_id for m in service.get(group_id).members] == [a, c, b]
    history.undo(database, change)
    assert [m.school_id for m in service.get(group_id).members] == [a, b]
    removed = service.delete(group_id)
    assert service.list_groups() == []
    history.undo(database, removed)
    assert service.get(group_id) == group
    history.undo(database, created)
    assert service.list_groups() == []


def test_bad_members_are_refused(database: Database) -> None:
    a, _ = SchoolService(database).create({"full_name": "Школа А"})
    service = PartnershipService(database)
    with pytest.raises(ValidationError) as error:
        service.create(2020, [(a, MemberRole.TARGET)])
    assert "не меньше двух школ" in error.value.problems[0].message
    with pytest.raises(ValidationError):
        service.create(2020, [(a, MemberRole.TARGET), (a, MemberRole.PARTNER)])
    with pytest.raises(ValidationError):
        service.create(2020, [(a, MemberRole.TARGET), (999, MemberRole.PARTNER)])
    assert service.list_groups() == []


def test_schematic_positions_are_saved_and_undone(database: Database) -> None:
    a, _ = SchoolService(database).create({"full_name": "Школа без координат"})
    service = PartnershipService(database)
    service.set_position(a, 10, 20)
    change = service.set_position(a, 30, 40)
    assert service.positions() == {a: (30.0, 40.0)}
    history.undo(database, change)
    assert service.positions() == {a: (10.0, 20.0)}


@pytest.mark.parametrize(
    ("latitude", "longitude", "swapped"),
    [(59.8, 31.0, False), (31.0, 59.8, True), (None, 31.0, False), (55.7, 37.6, False), (37.6, 55.7, True)],
)
def test_swapped_coordinates_are_recognised(
    latitude: float | None, longitude: float | None, swapped: bool
) -> None:
    assert looks_swapped(latitude, longitude) is swapped


def test_save_writes_members_details_and_plan_items_in_one_step(demo_database: Database) -> None:
    service = PartnershipService(demo_database)
    ids = school_ids(demo_database)
    items = service.plan_items_of_year(2020)
    assert any("п. 11: Утверждение списка сетевого партнёрства" in text for _, text in items)
    group = service.list_groups(2020)[0]
    chosen = [items[0][0], items[1][0]]
    _, change = service.save(
        group.id,
        2020,
        [
            (ids["МБОУ «Отрадненская СОШ №3»"], MemberRole.TARGET),
            (ids["МКОУ «Отрадненская СОШ №2»"], MemberRole.MENTOR),
        ],
        {"kind": "mentoring", "agreement_number": "7"},
        chosen,
    )
    saved = service.get(group.id)
    assert saved.kind is PartnershipKind.MENTORING and saved.plan_item_ids == tuple(chosen)
    assert saved.members[1].role is MemberRole.MENTOR
    history.undo(demo_database, change)
    assert service.get(group.id) == group
    # Refused members: nothing else is written either.
    with pytest.raises(ValidationError):
        service.save(
            group.id,
            2020,
            [(ids["МБОУ «Отрадненская СОШ №3»"], MemberRole.TARGET)],
            {"agreement_number": "8"},
        )
    assert service.get(group.id) == group
