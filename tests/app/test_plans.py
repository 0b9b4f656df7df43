"""Plans of measures through PlanService: editing, status, undo, roll-over, the overview."""

from __future__ import annotations

from datetime import date

import pytest

from app import history
from app.errors import AppError, ValidationError
from app.plans.model import ColumnRole, ItemStatus, PlanColumn, months_between
from app.plans.service import PlanService
from app.schools import SchoolService
from db import Database


@pytest.fixture
def service(database: Database) -> PlanService:
    return PlanService(database)


def make_plan(service: PlanService) -> tuple[int, dict[str, int]]:
    plan_id, _ = service.create({"title": "План мероприятий на 2020-2021 учебный год", "academic_year": 2020})
    first, _ = service.add_section(plan_id, "Раздел 1. Организационное обеспечение")
    second, _ = service.add_section(plan_id, "Раздел 2. Методическое сопровождение")
    ids = {}
    ids["list"], _ = service.add_item(
        plan_id,
        {
            "measure": "Формирование списка школ",
            "deadline_text": "сентябрь 2020 года",
            "responsible": "Отдел образования",
        },
        section_id=first,
    )
    ids["group"], _ = service.add_item(
        plan_id,
        {"measure": "Создание рабочей группы", "deadline_text": "Октябрь-ноябрь 2020г", "responsible": "МОЦ"},
        section_id=first,
    )
    ids["whole"], _ = service.add_item(
        plan_id,
        {"measure": "Консультации\n– по ВПР\n– по ОГЭ", "deadline_text": "В течение учебного года"},
        section_id=second,
    )
    ids["request"], _ = service.add_item(
        plan_id, {"measure": "Выезды в школы", "deadline_text": "По запросу руководителей"}, section_id=second
    )
    return plan_id, ids


def test_a_new_plan_takes_the_academic_year_as_its_period(service: PlanService) -> None:
    plan_id, _ = service.create({"title": "План", "academic_year": 2020})
    plan = service.get(plan_id)
    assert (plan.period_start, plan.period_end) == (date(2020, 9, 1), date(2021, 8, 31))
    assert [c.role for c in plan.columns][:3] == [ColumnRole.NUMBER, ColumnRole.MEASURE, ColumnRole.DEADLINE]
    assert len(months_between(plan.period_start, plan.period_end)) == 12


def test_a_plan_needs_a_title_and_a_sensible_period(service: PlanService) -> None:
    with pytest.raises(ValidationError) as error:
        service.create({"title": "  ", "academic_year": 2020})
    assert "Не указано название плана" in str(error.value.problems[0].message)
    with pytest.raises(ValidationError) as error:
        service.create({"title": "План", "period_start": date(2021, 5, 1), "period_end": date(2020, 5, 1)})
    assert any("раньше" in p.message for p in error.value.problems)


def test_items_are_read_in_section_order_with_running_numbers_and_understood_deadlines(
    service: PlanService,
) -> None:
    plan_id, ids = make_plan(service)
    plan = service.get(plan_id)
    assert [i.id for i in plan.items] == [ids["list"], ids["group"], ids["whole"], ids["request"]]
    assert [i.display_number for i in plan.items] == ["1", "2", "3", "4"]
    group = next(i for i in plan.items if i.id == ids["group"])
    assert group.deadline_text == "Октябрь-ноябрь 2020г"
    assert (group.deadline.kind, group.deadline.start, group.deadline.end) == (
        "period",
        date(2020, 10, 1),
        date(2020, 11, 30),
    )
    whole = next(i for i in plan.items if i.id == ids["whole"])
    assert whole.measure == "Консультации\n– по ВПР\n– по ОГЭ"  # list lines kept
    assert (whole.deadline.start, whole.deadline.end) == (plan.period_start, plan.period_end)
    request = next(i for i in plan.items if i.id == ids["request"])
    assert request.deadline.kind == "undated" and request.deadline.start is None
    assert not request.is_dated


def test_editing_a_deadline_reads_it_again_and_undo_puts_the_old_one_back(
    service: PlanService, database: Database
) -> None:
    _plan_id, ids = make_plan(service)
    change = service.update_item(ids["list"], {"deadline_text": "до 15.10.2020"})
    item = service.item(ids["list"])
    assert (item.deadline.kind, item.deadline.end) == ("until", date(2020, 10, 15))
    history.undo(database, change)
    item = service.item(ids["list"])
    assert item.deadline_text == "сентябрь 2020 года"
    assert item.deadline.end == date(2020, 9, 30)
    history.redo(database, change)
    assert service.item(ids["list"]).deadline_text == "до 15.10.2020"


def test_marking_done_records_the_date_and_evidence_and_clears_overdue(service: PlanService) -> None:
    _plan_id, ids = make_plan(service)
    today = date(2020, 12, 1)
    assert [d.item_id for d in service.due_items(today) if d.overdue] == [ids["list"], ids["group"]]
    # Due within 30 days, not yet overdue.
    assert [(d.item_id, d.overdue) for d in service.due_items(date(2020, 9, 10))] == [(ids["list"], False)]
    service.set_status(ids["list"], ItemStatus.DONE, completed_on=date(2020, 9, 25), evidence="Приказ № 12")
    item = service.item(ids["list"])
    assert (item.status, item.completed_on, item.evidence) == (
        ItemStatus.DONE,
        date(2020, 9, 25),
        "Приказ № 12",
    )
    assert [d.item_id for d in service.due_items(today)] == [ids["group"]]
    summary = service.list_plans(today=today)[0]
    assert (summary.items, summary.done, summary.overdue, summary.sections) == (4, 1, 1, 2)


def test_moving_items_between_sections_and_back_by_undo(service: PlanService, database: Database) -> None:
    plan_id, ids = make_plan(service)
    plan = service.get(plan_id)
    second = plan.sections[1].id
    change = service.move_item(ids["list"], section_id=second, index=1)
    plan = service.get(plan_id)
    assert [i.id for i in plan.items] == [ids["group"], ids["whole"], ids["list"], ids["request"]]
    history.undo(database, change)
    assert next(i.id for i in service.get(plan_id).items) == ids["list"]


def test_deleting_a_plan_removes_everything_and_undo_restores_it_all(
    service: PlanService, database: Database
) -> None:
    school_id, _ = SchoolService(database).create({"full_name": "МКОУ «Шумская СОШ»"})
    plan_id, ids = make_plan(service)
    service.update_item(ids["whole"], {"school_ids": [school_id]})
    before = service.get(plan_id)
    change = service.delete(plan_id)
    with pytest.raises(AppError):
        service.get(plan_id)
    assert database.query("SELECT count(*) FROM plan_items")[0][0] == 0
    history.undo(database, change)
    after = service.get(plan_id)
    assert after == before
    assert next(i for i in after.items if i.id == ids["whole"]).school_ids == (school_id,)


def test_deleting_a_section_takes_its_items(service: PlanService, database: Database) -> None:
    plan_id, ids = make_plan(service)
    plan = service.get(plan_id)
    change = service.delete_section(plan.sections[0].id)
    assert [i.id for i in service.get(plan_id).items] == [ids["whole"], ids["request"]]
    history.undo(database, change)
    assert len(service.get(plan_id).items) == 4


def test_changing_the_period_rereads_deadlines_without_years(service: PlanService) -> None:
    plan_id, _ = service.create({"title": "План", "academic_year": 2020})
    item_id, _ = service.add_item(plan_id, {"measure": "Анализ", "deadline_text": "Июнь– октябрь"})
    assert service.item(item_id).deadline.start == date(2021, 6, 1)
    service.update(plan_id, {"period_start": date(2021, 9, 1), "period_end": date(2022, 8, 31)})
    assert service.item(item_id).deadline.start == date(2022, 6, 1)


def test_roll_over_shifts_years_resets_statuses_and_keeps_links(
    service: PlanService, database: Database
) -> None:
    school_id, _ = SchoolService(database).create({"full_name": "МКОУ «Назиевская СОШ»"})
    plan_id, ids = make_plan(service)
    service.update_item(ids["group"], {"school_ids": [school_id]})
    service.set_status(ids["list"], ItemStatus.DONE, completed_on=date(2020, 9, 20))
    service.update_item(ids["request"], {"deadline_text": "2 полугодие 2020-2021 учебного года"})
    new_id, change = service.roll_over(plan_id)
    old, new = service.get(plan_id), service.get(new_id)
    assert new.title == "План мероприятий на 2021-2022 учебный год"
    assert new.academic_year == 2021 and new.period_start == date(2021, 9, 1)
    assert new.rolled_from_id == plan_id
    assert [s.title for s in new.sections] == [s.title for s in old.sections]
    texts = [i.deadline_text for i in new.items]
    assert texts == [
        "сентябрь 2021 года",
        "Октябрь-ноябрь 2021г",
        "В течение учебного года",
        "2 полугодие 2021-2022 учебного года",
    ]
    assert all(i.status is ItemStatus.PLANNED and i.completed_on is None for i in new.items)
    assert new.items[1].school_ids == (school_id,)
    assert new.items[0].deadline.end == date(2021, 9, 30)
    assert old.items[0].status is ItemStatus.DONE  # the original is untouched
    history.undo(database, change)
    assert [p.id for p in service.list_plans()] == [plan_id]


def test_roll_over_to_the_same_year_is_refused(service: PlanService) -> None:
    plan_id, _ = make_plan(service)
    with pytest.raises(AppError, match="уже относится"):
        service.roll_over(plan_id, 2020)


def test_columns_must_keep_the_measure(service: PlanService) -> None:
    plan_id, _ = make_plan(service)
    with pytest.raises(ValidationError):
        service.update(plan_id, {"columns": (PlanColumn(ColumnRole.NUMBER, "№"),)})
    service.update(
        plan_id,
        {"columns": (PlanColumn(ColumnRole.MEASURE, "Мероприятие"), PlanColumn(ColumnRole.DEADLINE, "Срок"))},
    )
    assert [c.title for c in service.get(plan_id).columns] == ["Мероприятие", "Срок"]


@pytest.mark.parametrize(
    ("title", "text_before", "expected"),
    [
        ("План на 2020-2021 учебный год", "", (2020, date(2020, 9, 1), date(2021, 8, 31))),
        ("Дорожная карта на 2019–2021 гг.", "", (2019, date(2019, 9, 1), date(2021, 8, 31))),
        ("План на 2021 год", "", (2020, date(2021, 1, 1), date(2021, 12, 31))),
        (
            "План",
            "ПРИКАЗ\n10.09.2020г\n№ 01-10/142-2\nот 15.05.2020 № 7",
            (2020, date(2020, 9, 1), date(2021, 8, 31)),
        ),
        ("План", "распоряжение от 27.08.2020 № 149", (2020, date(2020, 9, 1), date(2021, 8, 31))),
        ("План", "письмо от 15.01.2021 № 103", (2020, date(2020, 9, 1), date(2021, 8, 31))),
        (
            "План",
            "Итоги 2019-2020 учебного года; план на 2021-2022 учебный год",
            (2021, date(2021, 9, 1), date(2022, 8, 31)),
        ),
        ("План", "", (2018, date(2018, 9, 1), date(2019, 8, 31))),
    ],
)
def test_the_plan_period_is_read_from_the_title_or_the_document(
    title: str, text_before: str, expected: tuple[int, date, date]
) -> None:
    from app.plans.importer import guess_plan_period

    assert guess_plan_period(title, text_before, default_year=2018) == expected


def test_due_items_carry_the_number_the_plan_shows(service: PlanService) -> None:
    _plan_id, ids = make_plan(service)
    service.update_item(ids["group"], {"number": "1.2"})
    due = {d.item_id: d.number for d in service.due_items(date(2020, 12, 1))}
    assert due == {ids["list"]: "1", ids["group"]: "1.2"}


def test_responsible_text_is_linked_to_bodies_and_people(service: PlanService, database: Database) -> None:
    database.connection().execute(
        "INSERT INTO people (full_name, position) VALUES ('Куприенко Е.В.', 'главный специалист')"
    )
    plan_id, _ = service.create({"title": "План", "academic_year": 2020})
    item_id, _ = service.add_item(plan_id, {"measure": "Совещание", "responsible": "Отдел образования,\nМОЦ"})

    def links() -> list[str]:
        return [
            row[0]
            for row in database.query(
                "SELECT coalesce(b.name, p.full_name) FROM plan_item_responsibles r "
                "LEFT JOIN bodies b ON b.id = r.body_id LEFT JOIN people p ON p.id = r.person_id "
                "WHERE r.item_id = ? ORDER BY 1",
                (item_id,),
            )
        ]

    assert links() == ["МОЦ", "Отдел образования"]
    change = service.update_item(item_id, {"responsible": "МОЦ, Куприенко Е.В."})
    assert links() == ["Куприенко Е.В.", "МОЦ"]
    history.undo(database, change)
    assert links() == ["МОЦ", "Отдел образования"]


def test_plain_numbers_follow_the_order_after_an_insert_or_a_move(service: PlanService) -> None:
    plan_id, _ = service.create({"title": "План", "academic_year": 2020})
    first, _ = service.add_item(plan_id, {"measure": "А", "number": "1."})
    second, _ = service.add_item(plan_id, {"measure": "Б", "number": "2."})
    service.add_item(plan_id, {"measure": "В", "number": "3."})
    service.add_item(plan_id, {"measure": "Подпункт", "number": "3.1"})
    service.add_item(plan_id, {"measure": "Новое"}, after_item_id=first)
    plan = service.get(plan_id)
    assert [(i.measure, i.display_number) for i in plan.items] == [
        ("А", "1"),
        ("Новое", "2"),
        ("Б", "3"),
        ("В", "4"),
        ("Подпункт", "3.1"),  # a number with a structure of its own is kept
    ]
    service.move_item(second, section_id=None, index=0)
    assert [i.display_number for i in service.get(plan_id).items][:2] == ["1", "2"]


def test_an_item_cannot_lose_its_measure(service: PlanService) -> None:
    _plan_id, ids = make_plan(service)
    with pytest.raises(ValidationError) as error:
        service.update_item(ids["list"], {"measure": "  \n "})
    assert "Мероприятие не может быть пустым" in error.value.problems[0].message
    assert service.item(ids["list"]).measure == "Формирование списка школ"


def test_a_plan_is_rolled_over_to_a_year_once(service: PlanService) -> None:
    plan_id, _ = make_plan(service)
    new_id, _ = service.roll_over(plan_id)
    with pytest.raises(AppError, match=f"уже перенесён на 2021/2022 учебный год \\(план № {new_id}\\)"):
        service.roll_over(plan_id)
    service.delete(new_id)
    assert service.roll_over(plan_id)[0] != plan_id


def test_import_preview_warns_of_twins_and_deadlines_outside_the_period(database: Database) -> None:
    from app.importing.plan_parse import parse_text
    from app.plans.importer import apply_plan_import, preview_plan_import

    table = "№\tМероприятие\tСрок\tОтветственный\n1\tСовещание\tсентябрь 2025\tОтдел\n2\tОтчёт\tдо 25.05.2026\tМОЦ\n"
    preview = preview_plan_import(parse_text(table, "буфер обмена"), default_year=2020, database=database)
    # A table on its own: its year is read from the deadlines, not taken from the office's year.
    assert preview.plans[0].academic_year == 2025
    assert preview.issues == []
    apply_plan_import(database, preview)
    again = preview_plan_import(parse_text(table, "буфер обмена"), default_year=2020, database=database)
    assert any("уже есть" in issue.message and "второй экземпляр" in issue.message for issue in again.issues)
    shifted = preview_plan_import(parse_text(table, "буфер обмена"), year=2020, database=database)
    outside = [i for i in shifted.issues if "вне периода плана" in i.message]
    assert [i.row for i in outside] == [2]  # «до 25.05.2026» still covers the plan from its start


def test_responsible_names_keep_the_full_stop_of_initials() -> None:
    from app.plans.service import responsible_names

    assert responsible_names("Отдел образования, МОЦ,\nТруфанова А.А., Иванов И. И.") == [
        "Отдел образования",
        "МОЦ",
        "Труфанова А.А.",
        "Иванов И. И.",
    ]
