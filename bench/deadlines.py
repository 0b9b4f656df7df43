"""Deadline understanding speed: `app.deadlines.understand` over 100,000 generated «Сроки» phrases.

    .venv/bin/python bench/deadlines.py                 # 100,000 phrases, 5 repetitions
    .venv/bin/python bench/deadlines.py --phrases 20000 --repeat 3

The phrases are generated from a fixed seed and mix every kind the module knows (months and ranges
of months in any case and with any dash, quarters, half-years, dates and ranges of dates, «до …»,
«с …», whole-period, recurring and undated phrases, HTML remnants, text it cannot understand), with
random days and years so that most of them are distinct. Each repetition interleaves, in the same
process and over the same phrases:

  baseline_lower   `str.lower()` of every phrase (the cost of touching each string once);
  baseline_regex   one precompiled regex `.search` for a year or a month name over every phrase;
  understand       `understand(phrase, plan_start, plan_end)` as the application calls it, with its
                   cache emptied first (so repeated phrases hit the cache as they do in a real plan);
  uncached         the same parse without the cache (every phrase parsed).

It prints one JSON line: the medians (with min and max) in seconds, phrases per second and the ratio
of `understand` to the regex baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import deadlines  # noqa: E402

SEED = 20210901
MONTHS = [
    ("январь", "января", "январе", "янв."),
    ("февраль", "февраля", "феврале", "фев."),
    ("март", "марта", "марте", "мар."),
    ("апрель", "апреля", "апреле", "апр."),
    ("май", "мая", "мае", "май"),
    ("июнь", "июня", "июне", "июн."),
    ("июль", "июля", "июле", "июл."),
    ("август", "августа", "августе", "авг."),
    ("сентябрь", "сентября", "сентябре", "сент."),
    ("октябрь", "октября", "октябре", "окт."),
    ("ноябрь", "ноября", "ноябре", "нояб."),
    ("декабрь", "декабря", "декабре", "дек."),
]
DASHES = ["-", "–", "—", " - ", " – ", "- ", "−"]
YEAR_SUFFIXES = ["", " г.", " г", "г", " года", "г."]
FIXED = [
    "В течение года", "В течение учебного года", "в течение всего периода", "постоянно",
    "В течение года по плану ЛОИРО", "В течение года (по графику).", "ежемесячно", "ежеквартально",
    "1 раз в четверть", "систематически", "По запросу руководителей", "По плану МИМС", "По графику ОО",
    "По спец. Графику", "по мере готовности", "По итогам оценочных процедур", "по отдельному плану",
]  # fmt: skip
NOISE = ["согласовать с ОО", "см. приложение 2", "???", "ответственный — МОЦ", "бла-бла", "3 дня"]


def _month(rng: random.Random, month: int) -> str:
    word = rng.choice(MONTHS[month - 1])
    return word.capitalize() if rng.random() < 0.5 else word


def _phrase(rng: random.Random) -> str:
    kind = rng.random()
    year = rng.randint(2015, 2030)
    suffix = rng.choice(YEAR_SUFFIXES)
    if kind < 0.22:  # a month
        return (
            f"{_month(rng, rng.randint(1, 12))} {year}{suffix}"
            if rng.random() < 0.8
            else _month(rng, rng.randint(1, 12))
        )
    if kind < 0.40:  # a range of months
        first, second = rng.randint(1, 12), rng.randint(1, 12)
        dash = rng.choice(DASHES)
        if rng.random() < 0.5:
            return f"{_month(rng, first)}{dash}{_month(rng, second)} {year}{suffix}"
        end_year = year if second >= first else year + 1
        return f"{_month(rng, first)} {year}{suffix}{dash}{_month(rng, second)} {end_year}{suffix}"
    if kind < 0.46:  # quarters and half-years
        if rng.random() < 0.5:
            return f"{rng.choice(['I', 'II', 'III', 'IV', '1', '2', '3', '4'])} квартал {year}{suffix}"
        return f"{rng.choice(['1', '2'])} полугодие {year}-{year + 1} учебного года"
    day = date(year, rng.randint(1, 12), rng.randint(1, 28))
    numeric = f"{day.day:02d}.{day.month:02d}.{day.year}"
    if kind < 0.56:  # dates and ranges of dates
        if rng.random() < 0.5:
            return numeric
        other = date(year, rng.randint(day.month, 12), rng.randint(day.day, 28))
        return f"{numeric} - {other.day:02d}.{other.month:02d}.{other.year}"
    if kind < 0.66:  # until
        spelled = f"{day.day} {MONTHS[day.month - 1][1]} {year} года"
        return rng.choice(
            [f"до {numeric}", f"До {numeric}", f"в срок до {spelled}", f"не позднее {day.day} октября"]
        )
    if kind < 0.70:  # from
        return f"с {numeric}"
    if kind < 0.74:  # years
        return rng.choice([f"в течение {year} года", f"{year}/{year + 1} учебный год"])
    if kind < 0.78:  # HTML remnants and line breaks
        return f"<p>{_month(rng, rng.randint(1, 12))}&nbsp;{year}г</p>\n"
    if kind < 0.96:
        return rng.choice(FIXED)
    return f"{rng.choice(NOISE)} {rng.randint(1, 999)}"


def generate(count: int, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    return [_phrase(rng) for _ in range(count)]


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--phrases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    phrases = generate(args.phrases)
    plan_start, plan_end = deadlines.academic_year_period(2020)
    pattern = re.compile(r"\d{4}|январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр")
    understand = deadlines.understand
    parse = deadlines._understand_uncached

    def baseline_lower() -> None:
        for phrase in phrases:
            phrase.lower()

    def baseline_regex() -> None:
        search = pattern.search
        for phrase in phrases:
            search(phrase)

    def understood() -> None:
        deadlines._understand_cached.cache_clear()
        for phrase in phrases:
            understand(phrase, plan_start, plan_end)

    def uncached() -> None:
        for phrase in phrases:
            parse(phrase, plan_start, plan_end)

    runs: dict[str, list[float]] = {
        "baseline_lower": [],
        "baseline_regex": [],
        "understand": [],
        "uncached": [],
    }
    understood()  # warm-up: imports, regex compilation, first-call costs
    for _ in range(args.repeat):
        runs["baseline_lower"].append(_timed(baseline_lower))
        runs["baseline_regex"].append(_timed(baseline_regex))
        runs["understand"].append(_timed(understood))
        runs["uncached"].append(_timed(uncached))

    kinds: dict[str, int] = {}
    not_understood = 0
    for phrase in phrases:
        deadline = understand(phrase, plan_start, plan_end)
        kinds[deadline.kind.value] = kinds.get(deadline.kind.value, 0) + 1
        not_understood += not deadline.understood

    median = {name: statistics.median(times) for name, times in runs.items()}
    result = {
        "benchmark": "deadlines.understand",
        "phrases": len(phrases),
        "distinct": len(set(phrases)),
        "repeat": args.repeat,
        "seconds": {
            name: {"median": round(median[name], 4), "min": round(min(t), 4), "max": round(max(t), 4)}
            for name, t in runs.items()
        },
        "phrases_per_second": round(len(phrases) / median["understand"]),
        "phrases_per_second_uncached": round(len(phrases) / median["uncached"]),
        "ratio_to_regex": round(median["understand"] / median["baseline_regex"], 1),
        "ratio_uncached_to_regex": round(median["uncached"] / median["baseline_regex"], 1),
        "ratio_to_lower": round(median["understand"] / median["baseline_lower"], 1),
        "kinds": dict(sorted(kinds.items())),
        "not_understood": not_understood,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
