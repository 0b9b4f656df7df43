"""Editing monitoring templates: new versions, deletion, sharing as .json files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app import history
from app.errors import AppError
from app.monitoring.service import MonitoringService
from app.monitoring.templates import CriterionSpec, TemplateError, TemplateSpec, template_from_json
from app.schools import SchoolService
from db import Database, open_database

SPEC = template_from_json(
    {
        "key": "office_check",
        "title": "Проверка кадров",
        "version": 1,
        "source": "приказ № 12",
        "description": "Кадровое обеспечение школ",
        "criteria": [
            {"number": "1", "title": "Реквизиты программы развития", "type": "document"},
            {
                "number": "2",
                "title": "Кадры",
                "type": "group",
                "children": [
                    {"number": "2.1", "title": "Количество учителей", "type": "number", "points": 2},
                    {"number": "2.2", "title": "Доля учителей с категорией", "type": "percent"},
                ],
            },
            {
                "number": "3",
                "title": "Уровень риска",
                "type": "choice",
                "choices": ["высокий", "средний", "низкий"],
                "hint": "по итогам профиля рисков",
            },
        ],
    }
)


@pytest.fixture
def service(database: Database) -> MonitoringService:
    return MonitoringService(database)


def counts(database: Database) -> tuple[int, int]:
    return (
        database.query("SELECT count(*) AS n FROM monitoring_templates")[0]["n"],
        database.query("SELECT count(*) AS n FROM monitoring_criteria")[0]["n"],
    )


def campaign_on(service: MonitoringService, database: Database, template_id: int) -> int:
    school_id = SchoolService(database).create({"full_name": "МКОУ «Шумская СОШ»"})[0]
    campaign_id, _ = service.create_campaign(template_id, "Проверка кадров 2020/2021", [school_id])
    return campaign_id


def with_extra_criterion(spec: TemplateSpec) -> TemplateSpec:
    group = spec.criteria[1]
    added = CriterionSpec("2.3", "Вакансии", "yesno")
    return replace(
        spec,
        criteria=(spec.criteria[0], replace(group, children=(*group.children, added)), *spec.criteria[2:]),
    )


def test_the_stored_tree_comes_back_as_the_same_spec(service: MonitoringService) -> None:
    template_id, _ = service.install_template(SPEC)
    assert service.template_spec(template_id) == SPEC
    with pytest.raises(AppError, match="не найден"):
        service.template_spec(template_id + 100)


def test_saving_an_edit_makes_a_new_version_and_old_campaigns_keep_theirs(
    service: MonitoringService, database: Database
) -> None:
    first, _ = service.install_template(SPEC, builtin=True)
    campaign_id = campaign_on(service, database, first)
    edited = with_extra_criterion(service.template_spec(first))

    second, changeset = service.save_template(edited, based_on=first)
    assert second != first and changeset.description == "Шаблон «Проверка кадров», версия 2"
    summaries = {t.id: t for t in service.list_templates()}
    assert (summaries[first].version, summaries[first].criteria, summaries[first].builtin) == (1, 4, True)
    assert (summaries[second].version, summaries[second].criteria, summaries[second].builtin) == (2, 5, False)
    assert service.template_spec(first) == SPEC  # the old version is untouched
    assert service.template_spec(second) == replace(edited, version=2)
    # The campaign still asks the criteria it was created with.
    assert service.campaign(campaign_id).template_id == first
    assert [c.number for c in service.matrix(campaign_id).criteria] == ["1", "2.1", "2.2", "3"]
    assert service.next_version("office_check") == 3 and service.next_version("new_key") == 1

    # The same tree again stores nothing; one more change is version 3.
    assert service.save_template(edited, based_on=second) == (second, service.save_template(edited)[1])
    assert not service.save_template(edited)[1]
    third, _ = service.save_template(replace(edited, title="Проверка кадров (район)"), based_on=second)
    assert service.template_spec(third).version == 3

    # One undo step removes the whole version, redo puts it back.
    before = counts(database)
    history.undo(database, changeset)
    assert counts(database) == (before[0] - 1, before[1] - 6)
    history.redo(database, changeset)
    assert service.template_spec(second) == replace(edited, version=2)


def test_a_new_key_keeps_its_version(service: MonitoringService) -> None:
    template_id, changeset = service.save_template(replace(SPEC, key="shared_check", version=4))
    assert service.template_spec(template_id).version == 4
    assert changeset.description == "Шаблон «Проверка кадров»"
    assert not service.list_templates()[0].builtin


def test_an_invalid_template_is_refused_in_russian_and_nothing_is_stored(
    service: MonitoringService, database: Database
) -> None:
    first, _ = service.install_template(SPEC)
    before = counts(database)
    empty_group = replace(SPEC, criteria=(*SPEC.criteria, CriterionSpec("4", "Новый раздел", "group")))
    with pytest.raises(TemplateError) as caught:
        service.save_template(empty_group, based_on=first)
    assert caught.value.message == (
        "Шаблон «Проверка кадров» не сохранён: критерий 4: группа без вложенных критериев "
        "(поле «children» пусто)."
    )
    broken = replace(
        SPEC,
        title=" ",
        key="Проверка",
        criteria=(CriterionSpec("1", "Уровень риска", "choice"), CriterionSpec("2", "", "text")),
    )
    with pytest.raises(TemplateError) as caught:
        service.save_template(broken)
    assert caught.value.message.startswith("Шаблон не сохранён:\n— ")
    assert caught.value.problems == [
        "ключ шаблона «Проверка» может содержать только строчные латинские буквы, цифры, «_» и «-».",
        "не указано название шаблона (поле «title»).",
        "критерий 1: для типа «choice» нужен список вариантов ответа (поле «choices»).",
        "критерий 2: не указана формулировка (поле «title»).",
    ]
    assert counts(database) == before
    with pytest.raises(AppError, match="не найден"):
        service.save_template(SPEC, based_on=first + 100)


def test_deleting_is_refused_while_a_campaign_uses_the_template(
    service: MonitoringService, database: Database
) -> None:
    first, _ = service.install_template(SPEC)
    campaign_on(service, database, first)
    second, _ = service.save_template(with_extra_criterion(SPEC), based_on=first)
    before = counts(database)
    with pytest.raises(AppError) as caught:
        service.delete_template(first)
    assert caught.value.message.startswith(
        "Шаблон «Проверка кадров» (версия 1) нельзя удалить: по нему проводится в мониторинге "
        "«Проверка кадров 2020/2021»."
    )
    assert counts(database) == before

    # A version nobody uses goes with its whole tree, in one undo step.
    stored = service.template_spec(second)
    changeset = service.delete_template(second)
    assert changeset.description == "Удаление шаблона «Проверка кадров» (версия 2)"
    assert counts(database) == (before[0] - 1, before[1] - 6)
    history.undo(database, changeset)
    assert service.template_spec(second) == stored
    assert [c.depth for c in service.criteria(second)] == [0, 0, 1, 1, 1, 0]


def test_a_bundled_template_is_not_deleted(service: MonitoringService) -> None:
    template_id = service.install_bundled()[0]
    with pytest.raises(AppError, match="входит в поставку программы"):
        service.delete_template(template_id)


def test_a_template_goes_to_another_office_as_a_json_file(
    service: MonitoringService, database: Database, tmp_path: Path
) -> None:
    template_id, _ = service.install_template(SPEC)
    path = service.export_template(template_id, tmp_path / "Проверка кадров.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["key"] == "office_check" and data["criteria"][1]["children"][0]["points"] == 2.0
    with pytest.raises(AppError, match=r"расширением \.json"):
        service.export_template(template_id, tmp_path / "шаблон.xlsx")

    other = open_database(tmp_path / "other.sqlite")
    try:
        imported, changeset = MonitoringService(other).import_template(path)
        assert changeset and MonitoringService(other).template_spec(imported) == SPEC
    finally:
        other.close()
    # Back home: the same template is not stored twice; an edited one becomes version 2.
    assert service.import_template(path) == (template_id, service.import_template(path)[1])
    data["criteria"][0]["title"] = "Реквизиты программы развития школы"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    second, _ = service.import_template(path)
    assert service.template_spec(second).version == 2


def test_a_broken_file_is_refused_with_its_name(
    service: MonitoringService, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "чужой шаблон.json"
    path.write_text('{"key": "x", "title": "Чужой", "criteria": [}', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"«чужой шаблон\.json» не загружен: ошибка в записи JSON"):
        service.import_template(path)
    assert counts(database) == (0, 0)
