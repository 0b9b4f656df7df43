"""The results generator: plausible distributions, weighted aggregates, determinism, the demo."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

import pytest

from app.results.generator import create_demo_results, generate, make_schools
from app.results.model import Level, Procedure
from app.results.service import ResultsService
from db import Database

SCHOOLS = [
    (1, "МБОУ «Кировская СОШ №1»", "sch470001"),
    (2, "МБОУ «Кировская СОШ №2»", "sch470002"),
    (3, "МКОУ «Шумская СОШ»", "sch470003"),
    (4, "МКОУ «Путиловская ООШ»", "sch470004"),
    (5, "МБОУ «Отрадненская СОШ №3»", "sch470005"),
    (6, "МКОУ «Назиевская СОШ»", "sch470006"),
    (7, "МБОУ «Кировская гимназия»", "sch470007"),
    (8, "МКОУ «Приладожская СОШ»", "sch470008"),
]


@pytest.fixture(scope="module")
def generated():
    return generate(SCHOOLS, [2018, 2019, 2020], seed=7, inflated={3}, low={5})


def test_shares_add_to_100_and_participants_are_whole(generated) -> None:
    results, _ = generated
    schools = [r for r in results if r.level is Level.SCHOOL]
    assert schools
    for r in schools:
        assert isinstance(r.participants, int) and r.participants > 0
        if r.procedure in (Procedure.VPR, Procedure.OGE):
            assert abs(r.share_2 + r.share_3 + r.share_4 + r.share_5 - 100) <= 0.05
        if r.procedure is Procedure.VPR:
            assert abs(r.lowered + r.confirmed + r.raised - 100) <= 0.05
        if r.procedure is Procedure.EGE:
            assert 45 <= r.average <= 80 and r.share_2 is None
    # ВПР of ordinary schools: the marks roughly where real ВПР are, on average
    ordinary = [r for r in schools if r.procedure is Procedure.VPR and r.school_id not in (3, 5)]
    assert 5 <= mean(r.share_2 for r in ordinary) <= 25
    assert 35 <= mean(r.share_3 for r in ordinary) <= 45
    assert 25 <= mean(r.share_4 for r in ordinary) <= 40
    assert 5 <= mean(r.share_5 for r in ordinary) <= 20
    oge = [r for r in schools if r.procedure is Procedure.OGE and r.school_id not in (5,)]
    assert 0 <= mean(r.below_minimum for r in oge) <= 15
    # an ООШ writes no ЕГЭ and no ВПР in grades 10–11
    assert not [r for r in schools if r.school_id == 4 and (r.procedure is Procedure.EGE or r.grade >= 10)]


def test_inflated_and_low_schools_stand_out(generated) -> None:
    results, context = generated
    vpr = defaultdict(list)
    raised = defaultdict(list)
    ege = defaultdict(list)
    for r in results:
        if r.level is not Level.SCHOOL:
            continue
        if r.procedure is Procedure.VPR:
            vpr[r.school_id].append(r.quality)
            raised[r.school_id].append(r.raised)
        if r.procedure is Procedure.EGE:
            ege[r.school_id].append(r.average)
    others = [s for s in vpr if s not in (3, 5)]
    assert mean(vpr[3]) > max(mean(vpr[s]) for s in others)  # ВПР far above everyone …
    assert mean(ege[3]) < mean(mean(ege[s]) for s in others if s in ege)  # … not backed by ЕГЭ
    assert mean(raised[3]) > 15 > max(mean(raised[s]) for s in others)
    assert mean(vpr[5]) < min(mean(vpr[s]) for s in others)
    continuing = {
        c.school_id: c.value
        for c in context
        if c.indicator.value == "continuing_10" and c.academic_year == 2020
    }
    assert continuing[5] < 60


def test_aggregates_are_weighted_by_participants(generated) -> None:
    results, _ = generated
    schools = defaultdict(list)
    for r in results:
        if r.level is Level.SCHOOL:
            schools[(r.academic_year, r.procedure, r.subject, r.grade)].append(r)
    aggregates = [r for r in results if r.level is not Level.SCHOOL]
    assert {r.area for r in aggregates} == {"Кировский муниципальный район", "Ленинградская обл."}
    for line in aggregates:
        group = schools[(line.academic_year, line.procedure, line.subject, line.grade)]
        total = sum(r.participants for r in group)
        assert line.participants == total
        for name in ("share_2", "share_5", "average", "raised"):
            values = [(getattr(r, name), r.participants) for r in group if getattr(r, name) is not None]
            if values:
                expected = sum(v * n for v, n in values) / sum(n for _, n in values)
                assert getattr(line, name) == pytest.approx(expected, abs=0.006)


def test_region_counts_schools_not_listed() -> None:
    results, _ = generate(SCHOOLS[:3], [2020], seed=1, others=20, context=False)
    region = next(
        r for r in results if r.level is Level.REGION and r.subject == "Математика" and r.grade == 5
    )
    municipality = next(
        r for r in results if r.level is Level.MUNICIPALITY and r.subject == "Математика" and r.grade == 5
    )
    assert region.participants > municipality.participants
    assert not [r for r in results if r.school_id is not None and r.school_id <= 0]


def test_deterministic_for_a_seed() -> None:
    first = generate(SCHOOLS, [2020], seed=3)
    assert generate(SCHOOLS, [2020], seed=3) == first
    assert generate(SCHOOLS, [2020], seed=4) != first
    # adding a school does not change the others' lines
    more, _ = generate([*SCHOOLS, (9, "МБОУ «Новая СОШ»", "sch470009")], [2020], seed=3)
    assert [r for r in more if r.school_id == 1] == [r for r in first[0] if r.school_id == 1]


def test_small_schools_have_few_participants() -> None:
    schools = make_schools(40, seed=2, municipalities=3)
    results, _ = generate(schools, [2020], seed=2, context=False)
    sizes = [r.participants for r in results if r.level is Level.SCHOOL and r.procedure is Procedure.VPR]
    assert min(sizes) <= 15 and max(sizes) >= 50
    assert len({r.area for r in results if r.level is Level.MUNICIPALITY}) == 3


def test_demo_results(demo_db: Database) -> None:
    count = create_demo_results(demo_db)
    service = ResultsService(demo_db)
    assert count == service.count() > 500
    assert service.years() == [2017, 2018, 2019]  # what the 2020/21 lists of August 2020 stand on
    areas = {r.area for r in service.results(2019) if r.level is not Level.SCHOOL}
    assert areas == {"Кировский муниципальный район", "Ленинградская обл."}
    ids = {r["short_name"]: r["id"] for r in demo_db.query("SELECT id, short_name FROM schools")}
    raised = defaultdict(list)
    for r in service.results(2019, procedure=Procedure.VPR, level=Level.SCHOOL):
        raised[r.school_id].append(r.raised)
    inflated = {ids["МКОУ «Шумская СОШ»"], ids["МКОУ «Назиевская СОШ»"]}
    assert min(mean(raised[s]) for s in inflated) > max(
        mean(v) for s, v in raised.items() if s not in inflated
    )
    assert len(service.context(2019)) == 9 * 5
