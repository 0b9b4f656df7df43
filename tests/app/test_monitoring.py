"""Monitoring campaigns through MonitoringService: templates installed, values by type, the matrix."""

from __future__ import annotations

from datetime import date

import pytest

from app import history
from app.errors import AppError, ValidationError
from app.monitoring.service import MonitoringService, display_value, parse_value
from app.schools import SchoolService
from db import Database
from tests.monitoring_specs import Node, Spec

SPEC = Spec(
    criteria=[
        Node("1", "Реквизиты документа, устанавливающего взаимодействие школы и МОЦ", "document"),
        Node(
            "6",
            "Структура государственно–общественного управления школой",
            "group",
            children=[
                Node("6.1", "Наименование органа государственно–общественного управления", "text"),
                Node("6.2", "Количество заседаний", "number"),
            ],
        ),
        Node("7", "Доля учителей, прошедших повышение квалификации", "percent"),
        Node("8", "Введено видеонаблюдение", "yesno"),
        Node("9", "Дата утверждения программы", "date", required=False),
        Node("10", "Уровень риска", "choice", choices=["высокий", "средний", "низкий"]),
    ]
)


@pytest.fixture
def service(database: Database) -> MonitoringService:
    return MonitoringService(database)


@pytest.fixture
def campaign(service: MonitoringService, database: Database) -> tuple[int, list[int]]:
    schools = SchoolService(database)
    ids = [schools.create({"full_name": name})[0] for name in ("МКОУ «Шумская СОШ»", "МКОУ «Назиевская СОШ»")]
    template_id, _ = service.install_template(SPEC)
    campaign_id, _ = service.create_campaign(
        template_id, "Итоговый мониторинг 2020/2021", ids, academic_year=2020, due_date=date(2021, 6, 1)
    )
    return campaign_id, ids


def test_a_template_is_installed_once_as_a_tree(service: MonitoringService) -> None:
    template_id, _ = service.install_template(SPEC)
    assert service.install_template(SPEC)[0] == template_id  # the same version is not duplicated
    summary = service.list_templates()[0]
    assert (summary.title, summary.criteria, summary.groups) == ("Итоговый мониторинг", 7, 1)
    tree = service.criteria(template_id)
    assert [(c.number, c.depth) for c in tree] == [
        ("1", 0),
        ("6", 0),
        ("6.1", 1),
        ("6.2", 1),
        ("7", 0),
        ("8", 0),
        ("9", 0),
        ("10", 0),
    ]
    assert tree[2].parent_id == tree[1].id and tree[-1].choices == ("высокий", "средний", "низкий")


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("number", "1 200", "1200"),
        ("number", "12,5", "12,5"),
        ("percent", "45,5%", "45,5"),
        ("yesno", "Да", "да"),
        ("yesno", "-", "нет"),
        ("date", "01.03.2021", "2021-03-01"),
        ("date", "1.3.21", "2021-03-01"),
        ("document", "приказ  № 12 от 01.09.2020", "приказ № 12 от 01.09.2020"),
        ("text", "  свободный\nтекст ", "свободный\nтекст"),
        ("number", "", ""),
    ],
)
def test_values_are_normalised_by_type(kind: str, raw: str, stored: str) -> None:
    from app.monitoring.service import Criterion

    criterion = Criterion(1, 1, None, 1, "1", "Пункт", kind, True, None, (), "")
    assert parse_value(criterion, raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("number", "много", "ожидается число"),
        ("percent", "120", "больше 100"),
        ("yesno", "возможно", "«да» или «нет»"),
        ("date", "31.02.2021", "ожидается дата"),
        ("number", "-3", "отрицательным"),
    ],
)
def test_wrong_values_are_explained(kind: str, raw: str, message: str) -> None:
    from app.monitoring.service import Criterion

    criterion = Criterion(1, 1, None, 1, "1", "Пункт", kind, True, None, (), "")
    with pytest.raises(ValueError, match=message):
        parse_value(criterion, raw)


def test_values_completeness_matrix_and_undo(
    service: MonitoringService, database: Database, campaign: tuple[int, list[int]]
) -> None:
    campaign_id, (shum, nazia) = campaign
    tree = {c.number: c for c in service.criteria(service.campaign(campaign_id).template_id)}
    change = service.set_values(
        campaign_id,
        shum,
        {
            tree["1"].id: "приказ № 5 от 01.09.2020",
            tree["6.2"].id: "4",
            tree["8"].id: "да",
            tree["10"].id: "Средний",
        },
    )
    stored = service.values(campaign_id, shum)
    assert stored[tree["10"].id].value == "средний" and stored[tree["6.2"].id].entered_by == "специалист"
    matrix = service.matrix(campaign_id)
    assert [name for _, name in matrix.schools] == ["МКОУ «Шумская СОШ»", "МКОУ «Назиевская СОШ»"]
    assert matrix.required_filled(shum) == (4, 6)  # «9» is optional
    assert matrix.required_filled(nazia) == (0, 6)
    assert display_value(tree["8"], matrix.values[(shum, tree["8"].id)]) == "да"
    history.undo(database, change)
    assert service.values(campaign_id, shum) == {}


def test_a_wrong_value_writes_nothing_and_names_the_criterion(
    service: MonitoringService, campaign: tuple[int, list[int]]
) -> None:
    campaign_id, (shum, _) = campaign
    tree = {c.number: c for c in service.criteria(service.campaign(campaign_id).template_id)}
    with pytest.raises(ValidationError) as error:
        service.set_values(campaign_id, shum, {tree["6.2"].id: "4", tree["7"].id: "сто"})
    assert error.value.problems[0].message.startswith(
        "7 Доля учителей, прошедших повышение квалификации: ожидается число"
    )
    assert service.values(campaign_id, shum) == {}
    with pytest.raises(ValidationError):
        service.set_values(campaign_id, shum, {tree["6"].id: "раздел"})
    with pytest.raises(AppError, match="не участвует"):
        service.set_values(campaign_id, 999, {tree["6.2"].id: "1"})


def test_a_campaign_needs_a_title_and_schools(service: MonitoringService) -> None:
    template_id, _ = service.install_template(SPEC)
    with pytest.raises(ValidationError) as error:
        service.create_campaign(template_id, " ", [])
    assert [p.field for p in error.value.problems] == ["title", "schools"]


def test_big_numbers_keep_every_digit() -> None:
    from app.monitoring.service import Criterion

    criterion = Criterion(1, 1, None, 1, "1", "Пункт", "number", True, None, (), "")
    assert parse_value(criterion, "1234567") == "1234567"
    assert parse_value(criterion, "0,125") == "0,125"
