"""The demo district, checked against seed 000 (распоряжение № 149 от 27.08.2020, Кировский район)."""

from __future__ import annotations

import re
from typing import Any

import pytest

import app.demo
from app.demo import DEMO_YEAR, create_demo
from app.domain import Category, CategorySource, Locality
from app.errors import AppError
from app.office import OfficeService
from app.schools import SchoolService
from app.text import match_key
from db import Database

# The nine schools seed 000 names, spelled correctly (the seed has «Отраденская» and «Нлиссельбургская»).
EXPECTED_SCHOOLS = {
    "МКОУ «Шумская СОШ»",
    "МКОУ «Назиевская СОШ»",
    "МКОУ «Путиловская ООШ»",
    "МБОУ «Отрадненская СОШ №3»",
    "МКОУ «Отрадненская СОШ №2»",
    "МКОУ «Синявинская СОШ»",
    "МБОУ «Шлиссельбургская СОШ»",
    "МКОУ «Приладожская СОШ»",
    "МБОУ «Кировская СОШ №2»",
}


def item_9_schools(seed: str) -> list[str]:
    """The schools named in item 9 of the first plan: «Выезды в образовательные организации (…)»."""
    match = re.search(r"Выезды в образовательные организации \(([^)]*)\)", seed)
    assert match, "item 9 not found in seed 000"
    return re.findall(r"М[БК]ОУ «[^»]+»", match.group(1))


def item_11_schools(seed: str) -> list[str]:
    start = seed.index("Перечень групп школ")
    return re.findall(r"М[БК]ОУ «[^»]+»", seed[start : seed.index("</p>\t", start)])


def dump(database: Database) -> dict[str, list[dict[str, Any]]]:
    return {
        table: [dict(r) for r in database.query(f"SELECT * FROM {table}")]
        for table in ("office", "schools", "school_categories", "academic_years", "settings")
    }


def test_demo_has_the_nine_schools_of_seed_000(demo_database: Database, seed_000: str) -> None:
    schools = SchoolService(demo_database).list_schools(year=DEMO_YEAR)
    short_names = [s.short_name for s in schools]
    assert len(schools) == 9
    assert set(short_names) == EXPECTED_SCHOOLS
    for name in ("Отрадненская", "Шлиссельбургская"):
        assert any(name in s for s in short_names)
    for misspelt in ("Отраденская", "Нлиссельбургская"):
        assert not any(misspelt in s.full_name or misspelt in s.short_name for s in schools)
    # Every school the seed's partnership list names is in the demo, once the two misspellings
    # are corrected — and only those nine.
    seed_names = {
        n.replace("Отраденская", "Отрадненская").replace("Нлиссельбургская", "Шлиссельбургская")
        for n in item_11_schools(seed_000)
    }
    assert {match_key(n) for n in seed_names} == {match_key(n) for n in short_names}
    for school in schools:
        assert school.full_name.startswith("Муниципальное")
        assert school.locality in (Locality.URBAN, Locality.RURAL)
        assert school.latitude is not None and 59 < school.latitude < 61
        assert school.students and school.students > 0


def test_demo_office_comes_from_the_letterhead_of_seed_000(demo_database: Database, seed_000: str) -> None:
    seed_lines = [line.strip() for line in seed_000.splitlines()]
    office = OfficeService(demo_database).get()
    office_lines = office.name.splitlines()
    for line in ("КОМИТЕТ ОБРАЗОВАНИЯ", "Кировского муниципального района Ленинградской области"):
        assert line in seed_lines
        assert line in office_lines
    # The head signs as in the seed.
    assert office.head_name in seed_lines
    assert "Председатель комитета образования" in seed_lines
    assert office.head_position == "Председатель комитета образования"


def test_schools_visited_in_item_9_show_signs_of_nonobjectivity(
    demo_database: Database, seed_000: str
) -> None:
    visited = item_9_schools(seed_000)
    assert len(visited) == 3
    schools = SchoolService(demo_database).list_schools(year=DEMO_YEAR)
    nonobjective = {
        s.short_name for s in schools if any(c.category is Category.NONOBJECTIVE for c in s.categories)
    }
    assert nonobjective == set(visited)
    for school in schools:
        for category in school.categories:
            assert category.academic_year == 2020
            assert category.source is CategorySource.ORDER
            assert "149" in category.document_ref
    # The categories belong to 2020/2021 only.
    assert all(not s.categories for s in SchoolService(demo_database).list_schools(year=2021))


def test_demo_sets_the_current_year(demo_database: Database) -> None:
    office = OfficeService(demo_database)
    assert office.setting("current_year") == "2020"
    assert 2020 in office.years()


def test_demo_twice_is_refused_and_changes_nothing(demo_database: Database) -> None:
    before = dump(demo_database)
    with pytest.raises(AppError) as caught:
        create_demo(demo_database)
    assert "уже есть данные" in caught.value.message
    assert dump(demo_database) == before


def test_demo_in_a_database_with_one_school_is_refused(database: Database) -> None:
    SchoolService(database).create({"full_name": "МБОУ «Лицей №1»"})
    before = dump(database)
    with pytest.raises(AppError):
        create_demo(database)
    assert dump(database) == before


def test_demo_in_a_database_with_only_the_office_is_refused(database: Database) -> None:
    OfficeService(database).save(app.demo.DEMO_OFFICE)
    before = dump(database)
    with pytest.raises(AppError):
        create_demo(database)
    assert dump(database) == before


def test_demo_failing_halfway_leaves_the_database_empty(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tenth school repeating the first one's name fails validation after nine were written.
    schools = [*app.demo.DEMO_SCHOOLS, app.demo.DEMO_SCHOOLS[0]]
    monkeypatch.setattr(app.demo, "DEMO_SCHOOLS", schools)
    before = dump(database)
    with pytest.raises(AppError):
        create_demo(database)
    assert dump(database) == before


def test_demo_holds_the_plans_of_the_five_seeds(demo_database: Database) -> None:
    from app.plans.service import PlanService

    service = PlanService(demo_database)
    plans = service.list_plans()
    by_source: dict[str, list[tuple[int, int, int | None]]] = {}
    for summary in sorted(plans, key=lambda p: p.id):
        plan = service.get(summary.id)
        by_source.setdefault(plan.source, []).append((summary.items, summary.sections, summary.academic_year))
    assert list(by_source.values()) == [
        [(12, 0, 2020), (16, 5, 2020)],  # seed 000: two plans, «на 2020-2021 учебный год»
        [(16, 0, 2020)],  # 001: a letter of 15.01.2021
        [(24, 0, 2019)],  # 002: «на 2019–2021 гг.»
        [(23, 0, 2020)],  # 003: an order of 10.09.2020г
        [(23, 3, 2021)],  # 004: «на 2021-2022 учебный год»
    ]
    # Every deadline of the seeds is understood.
    for summary in plans:
        assert all(item.deadline.understood for item in service.get(summary.id).items)


def test_bundled_seeds_are_the_shared_seeds() -> None:
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    shared_dir, bundled_dir = repo.parent / "shared" / "seeds", repo / "resources" / "demo" / "plans"
    if not shared_dir.is_dir():
        pytest.skip("../shared/seeds is not beside the repository")
    for shared in sorted(shared_dir.glob("*.txt")):
        bundled = bundled_dir / f"{shared.name[:3]}.txt"
        assert bundled.read_bytes() == shared.read_bytes(), shared.name


def test_demo_runs_seed_002s_final_monitoring_over_its_low_result_schools(demo_database: Database) -> None:
    from app.monitoring.service import MonitoringService

    service = MonitoringService(demo_database)
    (campaign,) = service.list_campaigns(2020)
    assert campaign.title == "Итоговый мониторинг ШНРО 2020/2021"
    matrix = service.matrix(campaign.id)
    assert len(matrix.criteria) == 52
    names = {school_id: name for school_id, name in matrix.schools}
    assert set(names.values()) == LOW_RESULTS_NAMES
    filled = {names[school_id]: matrix.filled(school_id) for school_id in names}
    assert filled["МКОУ «Шумская СОШ»"] == 6 and filled["МКОУ «Назиевская СОШ»"] == 0
    assert {t.key for t in service.list_templates()} == {
        "final_monitoring",
        "identification",
        "objectivity_checklist",
        "risk_profile",
    }


LOW_RESULTS_NAMES = {
    "МБОУ «Отрадненская СОШ №3»",
    "МКОУ «Синявинская СОШ»",
    "МКОУ «Шумская СОШ»",
    "МКОУ «Путиловская ООШ»",
    "МКОУ «Назиевская СОШ»",
}
