"""Each identification rule on small hand-made cases: a school just above and just below each
threshold, ties, missing years, small samples, empty data."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.errors import AppError
from app.results.model import ContextValue, Indicator, Level, Procedure, Result
from app.results.rules import RULES, RuleSettings, identify, load_rules, run_rules

Y = 2020
REGION = "Ленинградская область"


def line(
    sid: int | None,
    proc: Procedure,
    subject: str,
    *,
    year: int = Y,
    grade: int = 0,
    n: int | None = 30,
    average: float | None = None,
    shares: tuple[float, float, float, float] | None = None,
    fail: float | None = None,
    raised: float | None = None,
    lowered: float | None = None,
) -> Result:
    s2, s3, s4, s5 = shares or (None, None, None, None)
    return Result(
        Level.SCHOOL if sid is not None else Level.REGION,
        sid,
        "" if sid is not None else REGION,
        year,
        proc,
        subject,
        grade,
        n if sid is not None else 20_000,
        s2,
        s3,
        s4,
        s5,
        average,
        fail,
        lowered,
        None if raised is None or lowered is None else 100 - raised - lowered,
        raised,
    )


def of(rule: str, proposals: list) -> dict[int, object]:
    return {p.school_id: p for p in proposals if p.rule == rule}


def ctx(sid: int, indicator: Indicator, value: float, year: int = Y) -> ContextValue:
    return ContextValue(sid, year, indicator, value)


# --- nothing to work with ------------------------------------------------------------------


def test_empty_data_gives_no_proposals_and_no_error() -> None:
    outcome = run_rules(Y, [], [], [])
    assert outcome.proposals == []
    assert "mark_boundary_peaks" in outcome.not_applied
    assert "индивидуальным результатам" in outcome.not_applied["mark_boundary_peaks"]
    assert identify(Y, [], [], None) == []


def test_lines_outside_the_three_years_are_ignored() -> None:
    old = [line(1, Procedure.OGE, "Математика", year=Y - 3, average=2.0, fail=90.0)]
    assert identify(Y, old) == []


# --- ШНРО: the lowest 20 % -----------------------------------------------------------------


def quintile_lines(
    values: dict[int, tuple[float, float]], *, n: int = 30, years=(Y - 2, Y - 1, Y)
) -> list[Result]:
    """Per school (ОГЭ mean, ВПР mean), the same every year, both subjects."""
    lines = []
    for sid, (oge, vpr) in values.items():
        for year in years:
            for subject in ("Русский язык", "Математика"):
                lines.append(line(sid, Procedure.OGE, subject, year=year, grade=9, n=n, average=oge))
                lines.append(line(sid, Procedure.VPR, subject, year=year, grade=5, n=n, average=vpr))
    return lines


def test_quintile_needs_two_procedures_by_default() -> None:
    values = {1: (3.0, 3.0), 2: (3.5, 3.9), 3: (3.6, 3.5), 4: (3.7, 3.6), 5: (3.8, 3.7)}
    values[6] = (3.1, 4.5)  # low in ОГЭ only (second from the bottom: 20 % of 6 → 2 schools)
    proposals = of("low_quintile", identify(Y, quintile_lines(values)))
    assert set(proposals) == {1}
    p = proposals[1]
    assert p.category == "low_results"
    assert not p.weak_evidence
    assert "ОГЭ: средний балл по математике и русскому языку 3,00" in p.explanation
    assert "2018/19–2020/21" in p.explanation
    assert "в нижних 20 % школ (порог" in p.explanation
    assert p.thresholds["oge_threshold"] == pytest.approx(3.1)
    # ВПР by grade: 3,0 against the six schools' mean of 3,7 in the same grade, subjects and years
    assert p.figures["vpr_score"] == pytest.approx(3.0 - 3.7)
    assert "ВПР: отклонение средней отметки от средней по всем школам в тех же классах" in p.explanation
    assert p.thresholds["vpr_by_grade"] is True


def vpr_school(sid: int, marks: dict[int, float], *, n: int = 30) -> list[Result]:
    """ВПР lines of one school over the three years: grade → mean mark, both subjects."""
    return [
        line(sid, Procedure.VPR, subject, year=year, grade=grade, n=n, average=mark)
        for year in (Y - 2, Y - 1, Y)
        for subject in ("Русский язык", "Математика")
        for grade, mark in marks.items()
    ]


def test_vpr_is_ranked_by_grade_so_a_primary_school_is_not_flattered() -> None:
    # Grade 4 is marked higher than grade 8 everywhere. School 1 teaches grades 4–8 and is a little
    # below the others in every grade; school 2 teaches only grade 4 and is the weakest there.
    average = {4: 4.2, 5: 3.9, 6: 3.7, 7: 3.6, 8: 3.5}
    lines = vpr_school(1, average) + vpr_school(2, {4: 3.9})
    for sid, better in ((3, 0.05), (4, 0.10), (5, 0.15)):
        lines += vpr_school(sid, {grade: mark + better for grade, mark in average.items()})
    settings = RuleSettings(
        quintile_min_procedures=1, quintile_subjects={"vpr": ["Русский язык", "Математика"]}
    )
    by_grade = of("low_quintile", identify(Y, lines, settings=settings))
    # 20 % of 5 schools: one. By grade, school 2 lies 0,26 below the grade-4 mean of the five schools.
    grade_4_mean = (4.2 + 3.9 + 4.25 + 4.30 + 4.35) / 5
    assert set(by_grade) == {2}
    assert by_grade[2].figures["vpr_score"] == pytest.approx(3.9 - grade_4_mean)
    # By the plain mean mark the primary school's 3,90 beats school 1's 3,78: the weakest one hides.
    plain_settings = RuleSettings(**{**settings.to_dict(), "vpr_by_grade": False})
    plain = of("low_quintile", identify(Y, lines, settings=plain_settings))
    assert set(plain) == {1}
    assert "ВПР: средний балл по математике и русскому языку 3,78" in plain[1].explanation


def test_quintile_per_procedure_when_one_is_enough() -> None:
    values = {1: (3.0, 4.0), 2: (3.5, 3.0), 3: (3.6, 3.9), 4: (3.7, 3.8), 5: (3.8, 3.7)}
    settings = RuleSettings(quintile_min_procedures=1)
    assert set(of("low_quintile", identify(Y, quintile_lines(values), settings=settings))) == {1, 2}
    assert of("low_quintile", identify(Y, quintile_lines(values))) == {}


def test_quintile_threshold_just_above_and_below_and_ties() -> None:
    # 10 schools: 20 % → 2; the second lowest is the threshold, a tie with it is included.
    values = {sid: (3.5 + sid / 100, 3.5 + sid / 100) for sid in range(1, 11)}
    values[1] = (3.0, 3.0)
    values[2] = (3.2, 3.2)
    values[3] = (3.2, 3.2)  # tied with the threshold
    values[4] = (3.21, 3.21)  # just above
    proposals = of("low_quintile", identify(Y, quintile_lines(values)))
    assert set(proposals) == {1, 2, 3}


def test_quintile_school_with_one_procedure_needs_only_that_one() -> None:
    values = {1: (3.0, 3.0), 2: (3.5, 3.9), 3: (3.6, 3.5), 4: (3.7, 3.6), 5: (3.8, 3.7)}
    lines = quintile_lines(values)
    # School 7: a primary school, ВПР only, lowest of all.
    lines += [
        line(7, Procedure.VPR, s, year=y, grade=5, n=30, average=2.9)
        for y in (Y - 2, Y - 1, Y)
        for s in ("Русский язык", "Математика")
    ]
    proposals = of("low_quintile", identify(Y, lines))
    assert 7 in proposals
    assert "участвует в 1 из процедур" in proposals[7].explanation


def test_quintile_missing_years_and_too_few_schools() -> None:
    values = {1: (3.0, 3.0), 2: (3.5, 3.9), 3: (3.6, 3.5), 4: (3.7, 3.6), 5: (3.8, 3.7)}
    lines = quintile_lines({k: v for k, v in values.items() if k != 1})
    lines += quintile_lines({1: values[1]}, years=(Y,))  # one year only: not ranked (2 needed)
    outcome = run_rules(Y, lines)
    assert of("low_quintile", outcome.proposals) == {}
    assert "школ с данными 4" in outcome.not_applied["low_quintile"]
    lines = quintile_lines({k: v for k, v in values.items() if k != 1})
    lines += quintile_lines({1: values[1]}, years=(Y - 1, Y))  # two years: ranked
    assert set(of("low_quintile", identify(Y, lines))) == {1}


def test_quintile_small_samples_are_flagged_not_proof() -> None:
    values = {1: (3.0, 3.0), 2: (3.5, 3.9), 3: (3.6, 3.5), 4: (3.7, 3.6), 5: (3.8, 3.7), 6: (3.9, 3.8)}
    lines = quintile_lines({k: v for k, v in values.items() if k != 1})
    lines += quintile_lines({1: values[1]}, n=7)  # 7 pupils a year: the same pupils, not 21
    p = of("low_quintile", identify(Y, lines))[1]
    assert p.weak_evidence
    assert "участников 7 — меньше 20, слабое основание" in p.explanation
    assert "это не доказательство" in p.explanation
    # the threshold comes from the five schools with enough pupils, not from the weak one
    assert p.thresholds["oge_ranked"] == 5
    lines = quintile_lines({k: v for k, v in values.items() if k != 1})
    lines += quintile_lines({1: values[1]}, n=20)  # 20 a year: enough
    p = of("low_quintile", identify(Y, lines))[1]
    assert not p.weak_evidence
    lines = quintile_lines({k: v for k, v in values.items() if k != 1}, n=50)
    lines += quintile_lines({1: values[1]}, n=50)  # 50 a year: informative
    assert "выборка информативна" in of("low_quintile", identify(Y, lines))[1].explanation


def test_tiny_samples_never_push_schools_with_enough_pupils_off_the_list() -> None:
    values = {sid: (3.2 + sid / 10, 3.2 + sid / 10) for sid in range(3, 13)}  # ten schools of 25 pupils
    strong = quintile_lines(values)
    proposed = set(of("low_quintile", identify(Y, strong)))
    tiny = quintile_lines({1: (2.5, 2.5), 2: (2.6, 2.6)}, n=3)  # two noisy schools of 3 pupils
    with_tiny = of("low_quintile", identify(Y, strong + tiny))
    assert proposed <= set(with_tiny)  # the same schools as before, and the tiny ones only flagged
    assert all(with_tiny[sid].weak_evidence for sid in (1, 2) if sid in with_tiny)


def test_quintile_one_weak_procedure_of_two_is_not_proof() -> None:
    values = {1: (3.0, 3.0), 2: (3.5, 3.9), 3: (3.6, 3.5), 4: (3.7, 3.6), 5: (3.8, 3.7), 6: (3.9, 3.8)}
    lines = [x for x in quintile_lines(values) if not (x.school_id == 1 and x.procedure is Procedure.VPR)]
    lines += [
        line(1, Procedure.VPR, s, year=y, grade=5, n=3, average=3.0)
        for y in (Y - 2, Y - 1, Y)
        for s in ("Русский язык", "Математика")
    ]
    assert of("low_quintile", identify(Y, lines))[1].weak_evidence


def test_quintile_ege_explanation_reads_like_the_office_writes_it() -> None:
    lines = [
        line(sid, Procedure.EGE, "Русский язык", year=y, grade=11, n=25, average=avg)
        for sid, avg in {
            1: 52.1,
            2: 55.3,
            3: 60.0,
            4: 64.0,
            5: 70.0,
            6: 71.0,
            7: 72.0,
            8: 73.0,
            9: 74.0,
            10: 75.0,
        }.items()
        for y in (Y - 2, Y - 1, Y)
    ]
    p = of("low_quintile", identify(Y, lines, settings=RuleSettings(quintile_min_procedures=1)))[1]
    assert p.explanation.startswith(
        "ЕГЭ: средний балл по русскому языку 52,1 за 2018/19–2020/21 — в нижних 20 % школ (порог 55,3"
    )


# --- ШНРО: context --------------------------------------------------------------------------


def test_continuing_to_grade_10_below_60() -> None:
    proposals = identify(
        Y, [], [ctx(1, Indicator.CONTINUING_10, 59.9), ctx(2, Indicator.CONTINUING_10, 60.0)]
    )
    found = of("continuing_10", proposals)
    assert set(found) == {1}
    assert "59,9 %" in found[1].explanation and "менее 60,0 %" in found[1].explanation


def test_continuing_uses_the_latest_year_of_the_three() -> None:
    values = [ctx(1, Indicator.CONTINUING_10, 50.0, Y - 1), ctx(1, Indicator.CONTINUING_10, 70.0, Y)]
    assert of("continuing_10", identify(Y, [], values)) == {}
    assert set(of("continuing_10", identify(Y, [], values[:1]))) == {1}


def test_olympiads_at_most_half_a_percent_over_three_years() -> None:
    values = [ctx(1, Indicator.OLYMPIAD_SHARE, v, y) for y, v in ((Y - 2, 0.3), (Y - 1, 0.7), (Y, 0.5))]
    values += [ctx(2, Indicator.OLYMPIAD_SHARE, v, y) for y, v in ((Y - 2, 0.3), (Y - 1, 0.73), (Y, 0.5))]
    found = of("olympiad", identify(Y, [], values))
    assert set(found) == {1}  # mean 0.50 ≤ 0.5; the other 0.51
    assert "0,50 %" in found[1].explanation


# --- ШНРО: the six regional indicators -------------------------------------------------------


def test_oge_fail_share_above_the_region() -> None:
    lines = [
        line(None, Procedure.OGE, "Русский язык", grade=9, fail=12.0),
        line(None, Procedure.OGE, "Математика", grade=9, fail=10.0),
        line(1, Procedure.OGE, "Русский язык", grade=9, fail=12.1),
        line(2, Procedure.OGE, "Русский язык", grade=9, fail=12.0),
        line(3, Procedure.OGE, "Математика", grade=9, fail=10.5, n=12),
        line(4, Procedure.OGE, "Математика", grade=9, fail=9.9),
    ]
    proposals = identify(Y, lines)
    assert set(of("oge_russian_fail", proposals)) == {1}
    math = of("oge_math_fail", proposals)
    assert set(math) == {3}
    assert math[3].weak_evidence  # 12 participants
    assert "12,1 %" in of("oge_russian_fail", proposals)[1].explanation


def test_oge_fail_share_falls_back_to_the_share_of_twos_and_needs_the_region() -> None:
    lines = [line(1, Procedure.OGE, "Русский язык", grade=9, shares=(15.0, 40.0, 30.0, 15.0))]
    outcome = run_rules(Y, lines)
    assert of("oge_russian_fail", outcome.proposals) == {}
    assert "по региону" in outcome.not_applied["oge_russian_fail"]
    lines.append(line(None, Procedure.OGE, "Русский язык", grade=9, shares=(10.0, 40.0, 35.0, 15.0)))
    assert set(of("oge_russian_fail", identify(Y, lines))) == {1}


def test_oge_average_falling_two_years_running() -> None:
    def school(sid: int, subject: str, values: tuple[float | None, ...]) -> list[Result]:
        return [
            line(sid, Procedure.OGE, subject, year=y, grade=9, average=v)
            for y, v in zip((Y - 2, Y - 1, Y), values, strict=True)
            if v is not None
        ]

    lines = school(1, "Русский язык", (3.8, 3.6, 3.5))
    lines += school(2, "Русский язык", (3.8, 3.6, 3.6))  # flat in the last year
    lines += school(3, "Русский язык", (None, 3.6, 3.5))  # a missing year
    lines += school(4, "Математика", (3.5, 3.4, 3.3))
    proposals = identify(Y, lines)
    assert set(of("oge_russian_falling", proposals)) == {1}
    assert set(of("oge_math_falling", proposals)) == {4}
    assert (
        "3,80 (2018/19) → 3,60 (2019/20) → 3,50 (2020/21)"
        in of("oge_russian_falling", proposals)[1].explanation
    )


def test_oge_math_fail_share_rising() -> None:
    lines = [
        line(1, Procedure.OGE, "Математика", year=Y - 1, grade=9, fail=10.0),
        line(1, Procedure.OGE, "Математика", year=Y, grade=9, fail=10.5),
        line(2, Procedure.OGE, "Математика", year=Y - 1, grade=9, fail=10.0),
        line(2, Procedure.OGE, "Математика", year=Y, grade=9, fail=10.0),
        line(3, Procedure.OGE, "Математика", year=Y, grade=9, fail=50.0),  # no previous year
    ]
    assert set(of("oge_math_fail_rising", identify(Y, lines))) == {1}


def test_ege_russian_below_the_region() -> None:
    lines = [
        line(None, Procedure.EGE, "Русский язык", grade=11, average=62.0),
        line(1, Procedure.EGE, "Русский язык", grade=11, average=61.9),
        line(2, Procedure.EGE, "Русский язык", grade=11, average=62.0),
        line(3, Procedure.EGE, "русский  язык", grade=11, average=50.0, n=8),  # the spelling differs
    ]
    found = of("ege_russian_below_region", identify(Y, lines))
    assert set(found) == {1, 3}
    assert "61,9" in found[1].explanation and "62,0" in found[1].explanation
    assert found[3].weak_evidence and not found[1].weak_evidence


def test_regional_indicators_can_require_several() -> None:
    lines = [
        line(None, Procedure.EGE, "Русский язык", grade=11, average=62.0),
        line(None, Procedure.OGE, "Математика", grade=9, fail=10.0),
        line(1, Procedure.EGE, "Русский язык", grade=11, average=60.0),
        line(2, Procedure.EGE, "Русский язык", grade=11, average=60.0),
        line(2, Procedure.OGE, "Математика", grade=9, fail=11.0),
    ]
    proposals = identify(Y, lines, settings=RuleSettings(regional_min_indicators=2))
    assert {p.school_id for p in proposals if p.rule in ("ege_russian_below_region", "oge_math_fail")} == {2}


# --- ШФНСУ ---------------------------------------------------------------------------------


def test_unfavourable_thresholds() -> None:
    values = [
        ctx(1, Indicator.SOCIAL_INDEX, 0.39),
        ctx(2, Indicator.SOCIAL_INDEX, 0.40),
        ctx(3, Indicator.SINGLE_PARENT, 40.1),
        ctx(4, Indicator.SINGLE_PARENT, 40.0),
        ctx(5, Indicator.PREVENTION_REGISTER, 5.1),
        ctx(6, Indicator.PREVENTION_REGISTER, 5.0),
    ]
    proposals = identify(Y, [], values)
    assert set(of("social_index", proposals)) == {1}
    assert set(of("single_parent", proposals)) == {3}
    assert set(of("prevention_register", proposals)) == {5}
    assert all(p.category == "unfavourable" for p in proposals)


def test_rural_and_small_only_supports_another_factor() -> None:
    schools = [
        SimpleNamespace(id=1, locality="rural", students=64),
        SimpleNamespace(id=2, locality="rural", students=64),
        SimpleNamespace(id=3, locality="rural", students=100),
        SimpleNamespace(id=4, locality="urban", students=50),
    ]
    values = [
        ctx(1, Indicator.SOCIAL_INDEX, 0.3),
        ctx(3, Indicator.SOCIAL_INDEX, 0.3),
        ctx(4, Indicator.SOCIAL_INDEX, 0.3),
    ]
    values.append(ctx(2, Indicator.SOCIAL_INDEX, 0.9))  # rural and small, nothing else
    found = of("rural_small", identify(Y, [], values, schools))
    assert set(found) == {1}
    assert "только вместе с другим признаком" in found[1].explanation
    assert "индекс социального благополучия" in found[1].explanation


# --- non-objectivity -------------------------------------------------------------------------


def test_vpr_raised_share_above_15() -> None:
    lines = [
        line(1, Procedure.VPR, "Математика", grade=5, raised=20.0, lowered=10.0, n=30),
        line(1, Procedure.VPR, "Русский язык", grade=5, raised=10.2, lowered=10.0, n=30),  # mean 15.1
        line(2, Procedure.VPR, "Математика", grade=5, raised=15.0, lowered=10.0, n=30),
        line(3, Procedure.VPR, "Математика", grade=5, raised=40.0, lowered=10.0, n=10),
    ]
    found = of("vpr_raised", identify(Y, lines))
    assert set(found) == {1, 3}
    assert "15,1 %" in found[1].explanation and "Математика, 5 кл. — 20,0 %" in found[1].explanation
    assert found[3].weak_evidence and not found[1].weak_evidence
    assert found[1].category == "nonobjective"


def test_vpr_journal_mismatch_uses_the_shares_and_says_so() -> None:
    lines = [
        line(1, Procedure.VPR, "Математика", grade=6, raised=15.0, lowered=35.1),
        line(2, Procedure.VPR, "Математика", grade=6, raised=15.0, lowered=35.0),
    ]
    found = of("vpr_journal_mismatch", identify(Y, lines))
    assert set(found) == {1}
    assert "понизили 35,1 %, повысили 15,0 %" in found[1].explanation
    assert "расхождение на 2 балла и более" in found[1].explanation


def test_journal_rules_not_applied_without_the_report() -> None:
    outcome = run_rules(Y, [line(1, Procedure.VPR, "Математика", grade=6, shares=(10, 40, 30, 20))])
    assert "Сравнение отметок" in outcome.not_applied["vpr_raised"]


def test_vpr_far_above_the_region_not_backed_by_gia() -> None:
    region = [
        line(None, Procedure.VPR, "Математика", grade=8, shares=(10.0, 37.0, 38.0, 15.0)),  # quality 53
        line(None, Procedure.OGE, "Математика", grade=9, average=3.5),
    ]
    lines = [
        *region,
        line(1, Procedure.VPR, "Математика", grade=8, shares=(2.0, 29.9, 48.1, 20.0)),  # 68.1: +15.1
        line(1, Procedure.OGE, "Математика", grade=9, average=3.4),
        line(2, Procedure.VPR, "Математика", grade=8, shares=(2.0, 29.9, 48.1, 20.0)),
        line(2, Procedure.OGE, "Математика", grade=9, average=3.6),  # backed by the ОГЭ
        line(3, Procedure.VPR, "Математика", grade=8, shares=(2.0, 30.1, 47.9, 20.0)),  # +14.9
        line(3, Procedure.OGE, "Математика", grade=9, average=3.4),
        line(4, Procedure.VPR, "Математика", grade=8, shares=(2.0, 29.9, 48.1, 20.0)),  # no ГИА: not judged
    ]
    found = of("vpr_above_region", identify(Y, lines))
    assert set(found) == {1}
    assert "15,1 п." in found[1].explanation


def test_sharp_change_of_one_grade() -> None:
    def pair(sid: int, old: tuple, new: tuple, n_old: int = 25, n_new: int = 25) -> list[Result]:
        return [
            line(sid, Procedure.VPR, "Математика", year=Y - 1, grade=5, shares=old, n=n_old),
            line(sid, Procedure.VPR, "Математика", year=Y, grade=5, shares=new, n=n_new),
        ]

    # Quality 40 → 70 with the mean mark moving 0.3: the quality alone is enough.
    lines = pair(1, (0.0, 60.0, 40.0, 0.0), (0.0, 30.0, 70.0, 0.0))
    lines += pair(2, (0.0, 60.0, 40.0, 0.0), (0.0, 30.1, 69.9, 0.0))  # 29.9 points
    lines += pair(3, (0.0, 60.0, 40.0, 0.0), (0.0, 30.0, 70.0, 0.0), n_new=19)  # too few this year
    lines += pair(4, (40.0, 60.0, 0.0, 0.0), (0.0, 100.0, 0.0, 0.0))  # mean mark 2.6 → 3.0: 0.4
    lines += pair(5, (40.0, 60.0, 0.0, 0.0), (0.0, 80.0, 20.0, 0.0))  # 2.6 → 3.2 (+0.6) and +20 quality
    found = of("sharp_change", identify(Y, lines))
    assert set(found) == {1, 5}
    assert "рост качества 40,0 → 70,0 %" in found[1].explanation
    assert "не меньше 20 участников" in found[1].explanation


def test_mark_boundary_peaks_is_listed_as_not_applied_and_rules_can_be_disabled() -> None:
    settings = RuleSettings(disabled_rules=["continuing_10"])
    outcome = run_rules(Y, [], [ctx(1, Indicator.CONTINUING_10, 10.0)], settings=settings)
    assert outcome.proposals == []
    assert outcome.not_applied["continuing_10"] == "Отключено в настройках правил."
    assert "Недостаточно данных" in outcome.not_applied["mark_boundary_peaks"]


def test_schools_outside_the_registry_are_left_out() -> None:
    values = [ctx(1, Indicator.CONTINUING_10, 10.0), ctx(2, Indicator.CONTINUING_10, 10.0)]
    proposals = identify(Y, [], values, [SimpleNamespace(id=2, locality="", students=None)])
    assert {p.school_id for p in proposals} == {2}


def test_every_proposal_names_a_known_rule_and_is_sorted() -> None:
    values = [
        ctx(2, Indicator.CONTINUING_10, 10.0),
        ctx(1, Indicator.SOCIAL_INDEX, 0.1),
        ctx(1, Indicator.CONTINUING_10, 1.0),
    ]
    proposals = identify(Y, [], values)
    assert [(p.category, p.school_id) for p in proposals] == [
        ("low_results", 1),
        ("low_results", 2),
        ("unfavourable", 1),
    ]
    assert all(p.rule in RULES for p in proposals)


# --- the settings file -----------------------------------------------------------------------


def test_settings_round_trip_and_the_default_file(tmp_path: Path) -> None:
    settings = RuleSettings(quintile_share=25.0, disabled_rules=["olympiad"], quintile_subjects={"vpr": []})
    assert RuleSettings.from_json(settings.to_json()) == settings
    path = Path(__file__).resolve().parents[2] / "resources" / "identification" / "default_rules.json"
    assert load_rules(path) == RuleSettings()
    assert json.loads(path.read_text(encoding="utf-8"))["rules"] == RuleSettings().to_dict()


def test_a_version_1_run_reads_with_the_window_and_comparison_it_was_computed_with() -> None:
    stored = json.loads(RuleSettings().to_json())
    stored["version"] = 1
    for name in ("results_before_list_year", "vpr_by_grade"):
        del stored["rules"][name]
    old = RuleSettings.from_json(json.dumps(stored))
    assert old.results_before_list_year is False and old.vpr_by_grade is False
    assert old.last_results_year(2020) == 2020
    assert RuleSettings().last_results_year(2020) == 2019  # seed 002: in August, the three years before
    # a version-1 file that names the values keeps them
    stored["rules"]["vpr_by_grade"] = True
    assert RuleSettings.from_json(json.dumps(stored)).vpr_by_grade is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"rules": {"vpr_by_grade": "false"}}',
            '«vpr_by_grade»: нужно true или false (без кавычек), а не "false"',
        ),
        (
            '{"format": "opora-identification-rules", "version": "2", "rules": {}}',
            'числом без кавычек ("version": 2), а не "2"',
        ),
        ('{"format": "opora-identification-rules", "version": 3, "rules": {}}', "читает версии 1–2"),
        ('{"rules": {"quintile_shar": 20}}', "неизвестный параметр «quintile_shar»"),
        ('{"rules": {"quintile_share": "двадцать"}}', "нужно число"),
        ('{"rules": {"vpr_raised_above": 150}}', "вне допустимых пределов"),
        ('{"rules": {"min_participants": 2.5}}', "целое неотрицательное"),
        ('{"rules": {"disabled_rules": ["nope"]}}', "неизвестные правила nope"),
        ('{"format": "other"}', "не файл правил"),
        ('{"format": "opora-identification-rules", "version": 1}', "нет раздела «rules»"),
        ("{", "не читается как JSON: строка 1"),
        ("[1]", "ожидается объект JSON"),
    ],
)
def test_bad_rules_files_are_refused_in_russian(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AppError) as info:
        load_rules(path)
    assert message in info.value.message


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(AppError, match="не найден"):
        load_rules(tmp_path / "нет.json")


def test_journal_mismatch_parts_come_from_the_lines_that_give_both() -> None:
    lines = [
        line(1, Procedure.VPR, "Математика", grade=5, n=30, shares=(10, 40, 30, 20), raised=40.0),
        line(
            1, Procedure.VPR, "Русский язык", grade=5, n=30, shares=(10, 40, 30, 20), raised=5.0, lowered=60.0
        ),
    ]
    p = of("vpr_journal_mismatch", identify(Y, lines))[1]
    assert "понизили 60,0 %, повысили 5,0 %" in p.explanation
    assert p.figures["lowered"] == 60.0 and p.figures["raised"] == 5.0


def test_the_quintile_names_the_years_the_school_has_results_for() -> None:
    values = {1: (3.0, 3.0), 2: (3.5, 3.9), 3: (3.6, 3.5), 4: (3.7, 3.6), 5: (3.8, 3.7)}
    lines = quintile_lines({k: v for k, v in values.items() if k != 1})
    lines += quintile_lines({1: values[1]}, years=(Y - 2, Y))  # no results in the middle year
    [proposal] = of("low_quintile", identify(Y, lines)).values()
    assert "русский язык 3,00) за 2018/19, 2020/21 — в нижних" in proposal.explanation
    lines = quintile_lines({k: v for k, v in values.items() if k != 1})
    lines += quintile_lines({1: values[1]}, years=(Y - 1, Y))
    [proposal] = of("low_quintile", identify(Y, lines)).values()
    assert "русский язык 3,00) за 2019/20–2020/21 — в нижних" in proposal.explanation
