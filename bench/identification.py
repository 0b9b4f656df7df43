"""Identifying target schools from assessment results (issue #7).

    .venv/bin/python bench/identification.py                  # 1,600 and 40,000 schools
    .venv/bin/python bench/identification.py --schools 1600 --repeat 5
    .venv/bin/python bench/identification.py --child 40000    # one measurement in this process

a. 1,600 schools × 3 years × 30 subject-grades (144,000 school lines plus the region's): `identify`
   over a list of `Result`, against a plain Python pass over the same list that computes each
   school's three-year average per procedure and subject (the arithmetic of the quintile rule
   without the other rules), repetitions interleaved;
b. 40,000 schools (3.6 million lines) in a fresh process: the lines are generated while `identify`
   reads them (a list of 3.6 million `Result` would take 1.8 GB by itself), so the time includes
   making the lines; the same generator drained by the plain pass is the baseline; the peak memory
   of the process is taken with resource.getrusage.

The 1,600 schools come from app/results/generator.py (realistic marks, inflated and low schools;
the small generator below when it is missing); the 40,000 from the small generator below, which
streams: schools of different sizes and levels, a few with inflated ВПР, the region's lines.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.results.model import ContextValue, Indicator, Level, Procedure, Result  # noqa: E402

YEAR = 2020
# 22 ВПР subject-grades, 4 ОГЭ and 4 ЕГЭ subjects: 30 per school and year.
VPR = [
    (4, "Русский язык"),
    (4, "Математика"),
    (4, "Окружающий мир"),
    (5, "Русский язык"),
    (5, "Математика"),
    (5, "История"),
    (5, "Биология"),
    (6, "Русский язык"),
    (6, "Математика"),
    (6, "История"),
    (6, "Биология"),
    (6, "География"),
    (7, "Русский язык"),
    (7, "Математика"),
    (7, "История"),
    (7, "Физика"),
    (7, "Английский язык"),
    (8, "Русский язык"),
    (8, "Математика"),
    (8, "Химия"),
    (8, "Обществознание"),
    (8, "География"),
]
OGE = ["Русский язык", "Математика", "Обществознание", "География"]
EGE = ["Русский язык", "Математика", "Обществознание", "История"]
SUBJECT_GRADES = len(VPR) + len(OGE) + len(EGE)

_FIELDS = ("level", "school_id", "area", "academic_year", "procedure", "subject", "grade", "participants")
_SHARES = (
    "share_2",
    "share_3",
    "share_4",
    "share_5",
    "average",
    "below_minimum",
    "lowered",
    "confirmed",
    "raised",
)


def _make(values: dict) -> Result:
    """A Result without the frozen dataclass's 18 object.__setattr__ calls (a fifth of the time)."""
    result = object.__new__(Result)
    result.__dict__.update(values)
    return result


def _shares(noise, ability: float) -> tuple[float, float, float, float]:
    s2 = max(0.0, min(60.0, 12 - 10 * ability + 3 * noise()))
    s5 = max(0.0, min(60.0, 15 + 12 * ability + 4 * noise()))
    s4 = max(0.0, min(100 - s2 - s5, 38 + 5 * ability + 4 * noise()))
    return s2, 100 - s2 - s4 - s5, s4, s5


def generate(schools: int, seed: int = 7) -> Iterator[Result]:
    """The lines of `schools` schools for YEAR-2 … YEAR, year by year, then the region's.

    Normal deviates come from a precomputed table: random.gauss per figure would make generating
    3.6 million lines slower than identifying the schools from them."""
    rng = random.Random(seed)
    noise = itertools.cycle([rng.gauss(0, 1) for _ in range(100_003)]).__next__
    ability = [rng.gauss(0, 1) for _ in range(schools)]
    size = [max(3, int(rng.lognormvariate(3.0, 0.7))) for _ in range(schools)]  # students per grade
    inflated = set(rng.sample(range(schools), max(1, schools // 50)))
    base = dict.fromkeys(_FIELDS + _SHARES)
    base["level"] = Level.SCHOOL
    base["area"] = ""
    base["source"] = "bench"
    for year in (YEAR - 2, YEAR - 1, YEAR):
        base["academic_year"] = year
        for index in range(schools):
            a = ability[index] + 0.15 * noise()
            n = size[index]
            bump = 1.5 if index in inflated and year == YEAR else 0.0
            school = {**base, "school_id": index + 1, "participants": n}
            school["procedure"] = Procedure.VPR
            for grade, subject in VPR:
                s2, s3, s4, s5 = _shares(noise, a + bump)
                raised = 25.0 if bump else max(0.0, 7 + 3 * noise())
                lowered = max(0.0, 15 + 5 * noise())
                yield _make(
                    school
                    | {
                        "subject": subject,
                        "grade": grade,
                        "share_2": s2,
                        "share_3": s3,
                        "share_4": s4,
                        "share_5": s5,
                        "lowered": lowered,
                        "confirmed": 100 - lowered - raised,
                        "raised": raised,
                    }
                )
            school["procedure"] = Procedure.OGE
            for subject in OGE:
                s2, s3, s4, s5 = _shares(noise, a)
                yield _make(
                    school
                    | {
                        "subject": subject,
                        "grade": 9,
                        "share_2": s2,
                        "share_3": s3,
                        "share_4": s4,
                        "share_5": s5,
                        "average": (2 * s2 + 3 * s3 + 4 * s4 + 5 * s5) / 100,
                        "below_minimum": s2,
                    }
                )
            if n < 12:  # the smallest schools have no grade 11
                continue
            school["procedure"] = Procedure.EGE
            school["participants"] = n * 2 // 3
            for subject in EGE:
                yield _make(
                    school
                    | {
                        "subject": subject,
                        "grade": 11,
                        "average": min(100.0, max(20.0, 62 + 8 * a + 3 * noise())),
                        "below_minimum": max(0.0, 3 - 2 * a + noise()),
                    }
                )
        region = {**base, "level": Level.REGION, "school_id": None, "area": "Регион", "participants": 20_000}
        for grade, subject in VPR:
            yield _make(
                {**region, "procedure": Procedure.VPR, "subject": subject, "grade": grade} | _region_vpr()
            )
        for subject in OGE:
            yield _make(
                {
                    **region,
                    "procedure": Procedure.OGE,
                    "subject": subject,
                    "grade": 9,
                    "share_2": 12.0,
                    "share_3": 35.0,
                    "share_4": 38.0,
                    "share_5": 15.0,
                    "average": 3.56,
                    "below_minimum": 12.0,
                }
            )
        for subject in EGE:
            yield _make(
                {**region, "procedure": Procedure.EGE, "subject": subject, "grade": 11, "average": 62.0}
                | {"below_minimum": 3.0}
            )


def _region_vpr() -> dict:
    return {"share_2": 12.0, "share_3": 35.0, "share_4": 38.0, "share_5": 15.0}


def generate_context(schools: int, seed: int = 11) -> list[ContextValue]:
    rng = random.Random(seed)
    values = []
    for index in range(schools):
        sid = index + 1
        values += [
            ContextValue(
                sid, YEAR, Indicator.SOCIAL_INDEX, round(min(1.0, max(0.0, rng.gauss(0.6, 0.15))), 2)
            ),
            ContextValue(sid, YEAR, Indicator.SINGLE_PARENT, round(max(0.0, rng.gauss(28, 8)), 1)),
            ContextValue(sid, YEAR, Indicator.PREVENTION_REGISTER, round(max(0.0, rng.gauss(2, 1.5)), 1)),
            ContextValue(
                sid, YEAR, Indicator.CONTINUING_10, round(min(100.0, max(0.0, rng.gauss(70, 12))), 1)
            ),
        ]
        values += [
            ContextValue(sid, y, Indicator.OLYMPIAD_SHARE, round(max(0.0, rng.gauss(4, 2.5)), 2))
            for y in (YEAR - 2, YEAR - 1, YEAR)
        ]
    return values


def registry(schools: int, seed: int = 13) -> list[SimpleNamespace]:
    rng = random.Random(seed)
    return [
        SimpleNamespace(
            id=i + 1, locality="rural" if rng.random() < 0.4 else "urban", students=rng.randint(20, 1200)
        )
        for i in range(schools)
    ]


def plain_pass(results) -> int:
    """The baseline: each school's average per procedure and subject over the three years, one
    pass of plain Python (what a script written for this one table would do)."""
    sums: dict[tuple, list[float]] = {}
    for r in results:
        if r.level is not Level.SCHOOL:
            continue
        value = r.average if r.average is not None else r.mean_mark
        if value is None:
            continue
        acc = sums.get((r.school_id, r.procedure, r.subject))
        if acc is None:
            acc = sums[(r.school_id, r.procedure, r.subject)] = [0.0, 0]
        acc[0] += value * (r.participants or 1)
        acc[1] += r.participants or 1
    return len({key: total / n for key, (total, n) in sums.items()})


def _identify(results, context, schools) -> int:
    from app.results.rules import run_rules

    outcome = run_rules(YEAR, results, context, schools)
    return len(outcome.proposals)


def _project_lines(schools: int) -> tuple[str, list[Result], list[ContextValue]] | None:
    """The lines and context of app/results/generator.py (realistic marks counted pupil by pupil,
    inflated and low schools), when the project has it."""
    try:
        from app.results import generator as project
    except ImportError:
        return None
    made = project.make_schools(schools, seed=3)
    results, context = project.generate(
        made,
        [YEAR - 2, YEAR - 1, YEAR],
        seed=3,
        inflated=range(1, schools + 1, 50),
        low=range(2, schools + 1, 40),
    )
    return "app/results/generator.py", results, context


def measure_in_process(schools: int, repeat: int) -> dict:
    project = _project_lines(schools)
    if project is not None:
        name, results, context = project
    else:
        name, results, context = "bench/identification.py", list(generate(schools)), generate_context(schools)
    registry_rows = registry(schools)
    times, baseline = [], []
    proposals = 0
    for _ in range(repeat):
        started = time.perf_counter()
        proposals = _identify(results, context, registry_rows)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        plain_pass(results)
        baseline.append(time.perf_counter() - started)
    from app.results.rules import run_rules

    outcome = run_rules(YEAR, results, context, registry_rows)
    by_rule: dict[str, int] = {}
    for p in outcome.proposals:
        by_rule[p.rule] = by_rule.get(p.rule, 0) + 1
    return {
        "schools": schools,
        "lines": len(results),
        "generator": name,
        "proposals": proposals,
        "by_rule": by_rule,
        "weak": sum(p.weak_evidence for p in outcome.proposals),
        "identify_s": _stats(times),
        "baseline_s": _stats(baseline),
    }


def measure_streamed(schools: int) -> dict:
    """One measurement in this process: the lines generated while read, then the peak RSS."""
    # app/results/generator.py returns lists (and counts pupils one by one): too big and too slow
    # for 3.6 million lines, so the big run streams the small generator of this file.
    name, lines = "bench/identification.py", lambda: generate(schools)
    context = generate_context(schools)
    registry_rows = registry(schools)
    started = time.perf_counter()
    count = sum(1 for _ in lines())
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    plain_pass(lines())
    baseline_s = time.perf_counter() - started
    started = time.perf_counter()
    proposals = _identify(lines(), context, registry_rows)
    total_s = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {
        "schools": schools,
        "lines": count,
        "generator": name,
        "proposals": proposals,
        "generate_s": round(generate_s, 3),
        "baseline_s": round(baseline_s, 3),
        "total_s": round(total_s, 3),
        "identify_s": round(total_s - generate_s, 3),
        "peak_mb": round(peak_kb / 1024, 1),
    }


def _stats(samples: list[float]) -> dict:
    return {
        "median": round(statistics.median(samples), 4),
        "min": round(min(samples), 4),
        "max": round(max(samples), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=1600, help="schools of the in-process measurement")
    parser.add_argument(
        "--big", type=int, default=40_000, help="schools of the streamed measurement (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_streamed(args.child), ensure_ascii=False))
        return 0
    result = {"small": measure_in_process(args.schools, args.repeat)}
    if args.big:
        # A fresh process, so that the peak memory is this measurement's own.
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(args.big)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=1200,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
        if child.returncode != 0 or not lines:
            print(child.stderr[-2000:], file=sys.stderr)
            return 1
        result["big"] = json.loads(lines[-1])
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
