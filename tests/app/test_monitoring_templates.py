"""Monitoring criteria templates: the bundled JSON files against seed 002, and the loader's checks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.errors import AppError
from app.monitoring.templates import (
    CRITERION_TYPES,
    CriterionSpec,
    TemplateError,
    TemplateSpec,
    bundled_template,
    bundled_templates,
    load_template,
    template_from_json,
    template_json_text,
    template_to_json,
    write_template,
)
from app.paths import resources_dir
from tests.app.conftest import seed_path

BUNDLED_KEYS = {"final_monitoring", "identification", "objectivity_checklist", "risk_profile"}
# The seed's list has no headings for groups 9, 10, 11 and 14: only their sub-items.
GROUPS_WITHOUT_SEED_HEADING = {"9", "10", "11", "14"}


def seed_final_monitoring() -> list[tuple[str, str]]:
    """(number, title) of every row of seed 002's list «Критерии и показатели итогового мониторинга»."""
    lines = seed_path("002").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.split("\t")[:2] == ["№", "Критерии и показатели"])
    end = next(
        i for i, line in enumerate(lines) if i > start and line.startswith("Использование результатов")
    )
    rows = []
    for line in lines[start + 1 : end]:
        if not line.strip():
            continue  # the seed's page breaks
        cells = [cell.strip() for cell in re.sub(r"<[^>]+>", " ", line).split("\t")]
        match = re.fullmatch(r"(\d+(?:\.\d+)*)\.?\s*(.*)", cells[0])
        assert match, line
        number, rest = match.groups()
        title = rest or cells[1]
        rows.append((number, " ".join(title.split())))
    return rows


@pytest.fixture(scope="module")
def final() -> TemplateSpec:
    return bundled_template("final_monitoring")


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def minimal(**criterion: Any) -> dict[str, Any]:
    node = {"number": "1", "title": "Критерий", "type": "text"} | criterion
    return {"key": "user", "title": "Шаблон", "version": 1, "criteria": [node]}


# --- the final monitoring list (seed 002, приложение 3) --------------------------------------


def test_final_monitoring_has_18_numbered_groups_and_52_leaves(final: TemplateSpec) -> None:
    assert [node.number for node in final.criteria] == [str(n) for n in range(1, 19)]
    assert final.leaf_count == 52
    leaf_tops = {"1", "2", "3", "4", "5", "12", "13", "18"}
    assert {node.number for node in final.criteria if not node.is_group} == leaf_tops
    # Groups: 6–11, 14–17; a group counts only its sub-items.
    counts = {node.number: len(node.leaves()) for node in final.criteria if node.is_group}
    assert counts == {
        "6": 2, "7": 6, "8": 4, "9": 3, "10": 3, "11": 4, "14": 13, "15": 5, "16": 2, "17": 2,
    }  # fmt: skip
    assert final.group_count == 10
    assert final.source == "Приказ отдела образования «Ельнинский район» от 23.06.2020 № 98/1, приложение 3"


def test_final_monitoring_titles_are_the_seeds_letter_for_letter(final: TemplateSpec) -> None:
    rows = seed_final_monitoring()
    assert len(rows) == 58  # 52 criteria and 6 group headings (6, 7, 8, 15, 16, 17)
    for number, title in rows:
        node = final.find(number)
        assert node is not None, number
        assert node.title == title, number
    numbers = {node.number for node, _depth in final.walk()}
    assert numbers == {number for number, _title in rows} | GROUPS_WITHOUT_SEED_HEADING


def test_final_monitoring_specific_titles(final: TemplateSpec) -> None:
    assert final.find("6.1").title == "Наименование органа государственно–общественного управления"
    assert final.find("6").title == "Структура государственно–общественного управления школой"
    assert final.find("14.13").title == (
        "Количество педагогических разработок представлено на общественно–профессиональную экспертизу "
        "РУМО и получило заключение «Рекомендовано к размещению в Банке педагогического опыта»"
    )
    assert final.find("13").title == (
        "Взаимодействие со школой–«наставником»: наименование школы–«наставника», перечень мероприятий"
    )
    assert final.find("12").title == "Участие школы в сетевом взаимодействии"
    assert final.find("7").title == "ВСОКО"


def test_final_monitoring_types_follow_the_wording(final: TemplateSpec) -> None:
    types = {leaf.number: leaf.type for leaf in final.leaves()}
    assert types["1"] == "document"
    assert types["4"] == "document"
    assert types["7.1"] == "document"
    assert types["7.4"] == "number"
    assert types["14.13"] == "number"
    assert types["14.2"] == "percent"
    assert types["17.1"] == "percent"
    assert types["18"] == "percent"
    assert types["9.1"] == "text"
    for leaf in final.leaves():
        if leaf.title.startswith("Количество"):
            assert leaf.type == "number", leaf.number
        if leaf.title.startswith("Доля"):
            assert leaf.type == "percent", leaf.number


# --- every bundled template ------------------------------------------------------------------


def test_every_bundled_template_loads() -> None:
    templates = bundled_templates()
    assert {spec.key for spec in templates} == BUNDLED_KEYS
    files = sorted((resources_dir() / "monitoring").glob("*.json"))
    assert [path.stem for path in files] == [spec.key for spec in templates]
    for spec in templates:
        assert spec.title and spec.source and spec.description and spec.version >= 1
        assert spec.leaf_count > 0


@pytest.mark.parametrize("key", sorted(BUNDLED_KEYS))
def test_numbering_is_consistent(key: str) -> None:
    spec = bundled_template(key)
    numbers = [node.number for node, _depth in spec.walk()]
    assert all(numbers), key
    assert len(numbers) == len(set(numbers)), key

    def check(nodes: tuple[CriterionSpec, ...], prefix: str) -> None:
        for index, node in enumerate(nodes, start=1):
            assert node.number == f"{prefix}{index}", (key, node.number)
            assert node.type in CRITERION_TYPES
            assert node.is_group == bool(node.children)
            assert (node.type == "choice") == bool(node.choices)
            check(node.children, f"{node.number}.")

    check(spec.criteria, "")
    for node, depth in spec.walk():
        assert depth == node.number.count("."), (key, node.number)


@pytest.mark.parametrize("key", sorted(BUNDLED_KEYS))
def test_bundled_files_round_trip(key: str) -> None:
    spec = bundled_template(key)
    path = resources_dir() / "monitoring" / f"{key}.json"
    assert path.read_text(encoding="utf-8") == template_json_text(spec)
    assert template_from_json(template_to_json(spec), path.name) == spec


def test_identification_follows_the_seed_table() -> None:
    spec = bundled_template("identification")
    low = spec.find("1")
    assert low.title == "Школы с низкими результатами обучения"
    assert spec.find("1.1").title.startswith(
        "Устойчиво низкие результаты обучения обучающихся на всех ступенях"
    )
    assert "0,5% и ниже" in spec.find("1.1.3").hint
    assert spec.find("1.1.2").type == "percent"
    assert spec.find("2").title == "Школы, функционирующие в неблагоприятных социальных условиях"
    assert spec.find("2.1.1").title == "Индекс социального благополучия школы"
    assert spec.find("2.1.1").type == "number"


def test_objectivity_checklist_covers_vpr_and_olympiads() -> None:
    spec = bundled_template("objectivity_checklist")
    assert 3 <= len(spec.criteria) <= 5 and 15 <= spec.leaf_count <= 25
    assert {leaf.type for leaf in spec.leaves()} <= {"yesno", "percent", "document"}
    titles = " ".join(leaf.title for leaf in spec.leaves())
    for phrase in (
        "наблюдател",
        "видео",
        "перепроверк",
        "перекрестная",
        "понизивших",
        "подтвердивших",
        "повысивших",
    ):
        assert phrase in titles, phrase


def test_risk_profile_groups_have_significance_facts_and_measures() -> None:
    spec = bundled_template("risk_profile")
    titles = [group.title for group in spec.criteria]
    for factor in (
        "Низкий уровень оснащения школы",
        "Дефицит педагогических кадров",
        "Высокая доля обучающихся с рисками учебной неуспешности",
        "Риски низкой адаптивности учебного процесса",
    ):
        assert factor in titles
    for group in spec.criteria:
        assert group.is_group
        assert [child.title for child in group.children] == [
            "Значимость риска",
            "Показатели (факты)",
            "Антирисковые меры",
        ]
        assert group.children[0].choices == ("высокая", "средняя", "низкая", "не выявлен")


# --- the loader's checks -----------------------------------------------------------------------


def test_walk_leaves_and_write(tmp_path: Path) -> None:
    spec = template_from_json(
        {
            "key": "user",
            "title": "Шаблон",
            "criteria": [
                {"number": "1", "title": "Группа", "type": "group", "children": [
                    {"number": "1.1", "title": "Да или нет", "type": "yesno"},
                    {"number": "1.2", "title": "Выбор", "type": "choice", "choices": ["а", "б"], "required": False},
                ]},
                {"number": "2", "title": "Дата", "type": "date", "points": 2},
            ],
        }
    )  # fmt: skip
    assert spec.version == 1
    assert [(node.number, depth) for node, depth in spec.walk()] == [
        ("1", 0),
        ("1.1", 1),
        ("1.2", 1),
        ("2", 0),
    ]
    assert [leaf.number for leaf in spec.leaves()] == ["1.1", "1.2", "2"]
    assert (spec.leaf_count, spec.group_count) == (3, 1)
    assert spec.criteria[0].required is False
    assert spec.find("1.2").required is False
    assert spec.find("2").points == 2
    write_template(spec, tmp_path / "user.json")
    assert load_template(tmp_path / "user.json") == spec


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (minimal(type="numbr"), "неизвестный тип «numbr»"),
        (minimal(type="choice"), "для типа «choice» нужен список вариантов"),
        (minimal(choices=["да"]), "варианты ответа указаны"),
        (minimal(type="group"), "группа без вложенных критериев"),
        (
            minimal(children=[{"number": "1.1", "title": "x", "type": "text"}]),
            "вложенные критерии есть только у групп",
        ),
        (minimal(title=""), "не указана формулировка"),
        (minimal(requried=True), "неизвестное поле «requried»"),
        (minimal(required="да"), "«required» должно быть true или false"),
        (minimal(type=None), "не указан тип"),
        (
            minimal(type="group", children=[{"number": "2.1", "title": "x", "type": "text"}]),
            "номер не соответствует группе 1",
        ),
        (
            minimal(type="group", children=[{"number": "1", "title": "x", "type": "text"}]),
            "номер 1 повторяется",
        ),
        ({"key": "user", "title": "Шаблон", "criteria": []}, "список критериев пуст"),
        ({"title": "Шаблон", "criteria": [{"number": "1", "title": "x", "type": "text"}]}, "не указан ключ"),
        (
            {"key": "user", "title": "Шаблон", "version": 0, "criteria": [{"title": "x", "type": "text"}]},
            "версия",
        ),
        ([1, 2], "объект JSON"),
    ],
)
def test_bad_template_gives_russian_error_naming_the_file(tmp_path: Path, data: Any, expected: str) -> None:
    path = write_json(tmp_path / "мой_шаблон.json", data)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    message = str(caught.value)
    assert isinstance(caught.value, AppError)
    assert "«мой_шаблон.json»" in message
    assert expected in message
    assert caught.value.source_name == "мой_шаблон.json"


def test_duplicate_numbers_anywhere_in_the_tree(tmp_path: Path) -> None:
    data = {
        "key": "user",
        "title": "Шаблон",
        "criteria": [
            {"number": "1", "title": "Группа", "type": "group", "children": [
                {"number": "1.1", "title": "a", "type": "text"},
                {"number": "1.1", "title": "b", "type": "text"},
            ]},
        ],
    }  # fmt: skip
    with pytest.raises(TemplateError, match=r"критерий 1\.1: номер 1\.1 повторяется"):
        load_template(write_json(tmp_path / "dup.json", data))


def test_every_problem_is_listed(tmp_path: Path) -> None:
    data = minimal(type="numbr", choices=[""], title="")
    with pytest.raises(TemplateError) as caught:
        load_template(write_json(tmp_path / "bad.json", data))
    assert len(caught.value.problems) >= 3
    assert str(caught.value).startswith("Шаблон мониторинга «bad.json» не загружен:\n— ")


def test_broken_json_and_encoding(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"key": "user", "title": "Шаблон"\n "criteria": []}', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"«broken\.json».*строке 2.*пропущена запятая"):
        load_template(broken)
    cp1251 = tmp_path / "cp1251.json"
    cp1251.write_bytes(json.dumps(minimal(), ensure_ascii=False).encode("cp1251"))
    with pytest.raises(TemplateError, match=r"«cp1251\.json».*UTF-8"):
        load_template(cp1251)
    with pytest.raises(TemplateError, match=r"«missing\.json».*не удалось прочитать"):
        load_template(tmp_path / "missing.json")


def test_numbers_given_as_integers_and_with_a_trailing_dot_are_accepted() -> None:
    spec = template_from_json(
        {"key": "user", "title": "Шаблон", "criteria": [{"number": 12, "title": "x", "type": "text"},
                                                         {"number": "13.", "title": "y", "type": "text"}]}
    )  # fmt: skip
    assert [node.number for node in spec.criteria] == ["12", "13"]
