"""Deadline understanding (app/deadlines.py): every deadline phrase of the seed plans, the phrases of
the issue, edge cases, and property-based tests of the parser and of the year roll-over."""

from __future__ import annotations

import calendar
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.deadlines import (
    Deadline,
    DeadlineKind,
    academic_year_period,
    covers_month,
    is_overdue,
    shift_years,
    understand,
)

SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

PERIOD = DeadlineKind.PERIOD
UNTIL = DeadlineKind.UNTIL
FROM = DeadlineKind.FROM
WHOLE = DeadlineKind.WHOLE
RECURRING = DeadlineKind.RECURRING
UNDATED = DeadlineKind.UNDATED

# The plan periods of the seeds: 000 and 003 are plans for the 2020/2021 academic year, 001 is a plan
# written in January 2021 whose terms are all in 2021, 002 is a «Комплекс мер … на 2019–2021 гг.»
# approved in June 2020 (taken as Sep 2019 – Aug 2021), 004 is a plan for the 2021/2022 academic year.
SEED_PERIODS = {
    "000": academic_year_period(2020),
    "001": (date(2021, 1, 1), date(2021, 12, 31)),
    "002": (date(2019, 9, 1), date(2021, 8, 31)),
    "003": academic_year_period(2020),
    "004": academic_year_period(2021),
}


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# Every distinct deadline phrase of the seeds' plan tables (and the «Срок: …» lines of seed 003):
# (seed, text, kind, start, end). A cell split by a page break is listed whole and in its pieces.
SEED_PHRASES: list[tuple[str, str, DeadlineKind, str | None, str | None]] = [
    ("000", "Август 2020 г.", PERIOD, "2020-08-01", "2020-08-31"),
    ("000", "Сентябрь 2020 г", PERIOD, "2020-09-01", "2020-09-30"),
    ("000", "Октябрь-ноябрь 2020 г.", PERIOD, "2020-10-01", "2020-11-30"),
    (
        "000",
        "Сентябрь 2020 г.- апрель 2021 г. /по плану повышения квалификации педагогических работников в ОО/",
        PERIOD,
        "2020-09-01",
        "2021-04-30",
    ),
    ("000", "В течение года по плану ЛОИРО", WHOLE, "2020-09-01", "2021-08-31"),
    ("000", "В течение года", WHOLE, "2020-09-01", "2021-08-31"),
    ("000", "Октябрь 2020 г.", PERIOD, "2020-10-01", "2020-10-31"),
    ("000", "Декабрь 2020 г.", PERIOD, "2020-12-01", "2020-12-31"),
    ("000", "В течение года (по графику).", WHOLE, "2020-09-01", "2021-08-31"),
    ("000", "Февраль 2021 г", PERIOD, "2021-02-01", "2021-02-28"),
    ("000", "Июнь 2021 г.", PERIOD, "2021-06-01", "2021-06-30"),
    ("000", "сентябрь 2020г", PERIOD, "2020-09-01", "2020-09-30"),
    ("000", "Октябрь-ноябрь 2020г", PERIOD, "2020-10-01", "2020-11-30"),
    ("000", "В течение учебного года", WHOLE, "2020-09-01", "2021-08-31"),
    ("000", "В течение учебного года в соответствии с планом ОО", WHOLE, "2020-09-01", "2021-08-31"),
    ("000", "в соответствии с планом ОО", UNDATED, None, None),
    ("000", "По запросу руководителей", UNDATED, None, None),
    ("000", "По плану МИМС", UNDATED, None, None),
    ("000", "По плану ИМЦ, РМО", UNDATED, None, None),
    ("000", "Октябрь 2020 г", PERIOD, "2020-10-01", "2020-10-31"),
    ("000", "<p>В течение года</p>", WHOLE, "2020-09-01", "2021-08-31"),
    ("000", "<p>Октябрь 2020 г</p>", PERIOD, "2020-10-01", "2020-10-31"),
    ("000", "<p>Май-июль 2021г</p>", PERIOD, "2021-05-01", "2021-07-31"),
    ("000", "<p>Июнь 2021г</p>", PERIOD, "2021-06-01", "2021-06-30"),
    ("001", "январь 2021 года", PERIOD, "2021-01-01", "2021-01-31"),
    ("001", "В течение 2021 года", PERIOD, "2021-01-01", "2021-12-31"),
    ("001", "январь-февраль 2021 года", PERIOD, "2021-01-01", "2021-02-28"),
    ("001", "по мере готовности", UNDATED, None, None),
    ("001", "в течение 2021 года", PERIOD, "2021-01-01", "2021-12-31"),
    ("001", "март - апрель 2021 года", PERIOD, "2021-03-01", "2021-04-30"),
    ("002", "По плану", UNDATED, None, None),
    ("002", "Июнь– октябрь", PERIOD, "2020-06-01", "2020-10-31"),
    ("002", "Сентябрь – октябрь", PERIOD, "2019-09-01", "2019-10-31"),
    ("002", "октябрь", PERIOD, "2019-10-01", "2019-10-31"),
    ("002", "В течение всего периода", WHOLE, "2019-09-01", "2021-08-31"),
    ("002", "По графику ОО", UNDATED, None, None),
    ("002", "По спец. Графику", UNDATED, None, None),
    ("002", "В течение всего периода периода", WHOLE, "2019-09-01", "2021-08-31"),
    ("003", "в течение учебного года", WHOLE, "2020-09-01", "2021-08-31"),
    ("003", "постоянно", WHOLE, "2020-09-01", "2021-08-31"),
    ("003", "сентябрь 2020 года", PERIOD, "2020-09-01", "2020-09-30"),
    ("003", "сентябрь- октябрь 2020 года", PERIOD, "2020-09-01", "2020-10-31"),
    ("003", "сентябрь", PERIOD, "2020-09-01", "2020-09-30"),
    ("003", "2020 года", PERIOD, "2020-01-01", "2020-12-31"),
    ("003", "в течение года", WHOLE, "2020-09-01", "2021-08-31"),
    ("003", "январь-февраль 2021 года", PERIOD, "2021-01-01", "2021-02-28"),
    ("003", "сентябрь-октябрь 2020 года", PERIOD, "2020-09-01", "2020-10-31"),
    ("003", "октябрь 2020 года", PERIOD, "2020-10-01", "2020-10-31"),
    ("003", "октябрь-ноябрь 2020 года", PERIOD, "2020-10-01", "2020-11-30"),
    ("003", "март 2021 года", PERIOD, "2021-03-01", "2021-03-31"),
    ("003", "январь-май 2021 года", PERIOD, "2021-01-01", "2021-05-31"),
    ("003", "сентябрь- декабрь 2021 года", PERIOD, "2021-09-01", "2021-12-31"),
    ("003", "по отдельному плану", UNDATED, None, None),
    ("003", "в течение всего периода", WHOLE, "2020-09-01", "2021-08-31"),
    ("004", "Август 2021", PERIOD, "2021-08-01", "2021-08-31"),
    ("004", "Сентябрь 2021", PERIOD, "2021-09-01", "2021-09-30"),
    ("004", "Сентябрь – октябрь 2022", PERIOD, "2022-09-01", "2022-10-31"),
    ("004", "2 полугодие 2021-2022 учебного года", PERIOD, "2022-01-01", "2022-05-31"),
    ("004", "Октябрь 2021 – апрель 2022", PERIOD, "2021-10-01", "2022-04-30"),
    ("004", "Ноябрь 2021", PERIOD, "2021-11-01", "2021-11-30"),
    ("004", "Октябрь 2021 – февраль 2022", PERIOD, "2021-10-01", "2022-02-28"),
    ("004", "Март – май 2022", PERIOD, "2022-03-01", "2022-05-31"),
    ("004", "Август – сентябрь 2022", PERIOD, "2022-08-01", "2022-09-30"),
    ("004", "Август 2022", PERIOD, "2022-08-01", "2022-08-31"),
    ("004", "Сентябрь – октябрь 2021", PERIOD, "2021-09-01", "2021-10-31"),
    ("004", "Октябрь 2021", PERIOD, "2021-10-01", "2021-10-31"),
    ("004", "Октябрь 2021 – март 2022", PERIOD, "2021-10-01", "2022-03-31"),
    ("004", "Март - май 2022", PERIOD, "2022-03-01", "2022-05-31"),
    ("004", "Май – июнь 2022", PERIOD, "2022-05-01", "2022-06-30"),
    ("004", "По итогам оценочных процедур", UNDATED, None, None),
    ("004", "Октябрь – ноябрь 2021", PERIOD, "2021-10-01", "2021-11-30"),
    ("004", "Декабрь 2021", PERIOD, "2021-12-01", "2021-12-31"),
    ("004", "Декабрь 2021 – февраль 2022", PERIOD, "2021-12-01", "2022-02-28"),
]
# Pieces of cells split by a page break that are not deadlines by themselves.
SEED_FRAGMENTS = {("002", "периода")}


@pytest.mark.parametrize(("seed", "text", "kind", "start", "end"), SEED_PHRASES)
def test_seed_phrase(seed: str, text: str, kind: DeadlineKind, start: str | None, end: str | None) -> None:
    ps, pe = SEED_PERIODS[seed]
    deadline = understand(text, ps, pe)
    assert deadline == Deadline(text, kind, d(start), d(end), understood=True)


# ----------------------------------------------------------------------------- the seeds themselves


def _seed_deadline_cells(text: str) -> list[str]:
    """The deadline column («Сроки», «Срок», «Сроки исполнения», «Сроки реализации») of every plan
    table of a seed, plus «Срок: …» lines. A cell continued after a page break (a row whose first
    cell is empty) is given whole and in its pieces."""
    cells_out: list[str] = []
    column = width = None
    for line in text.splitlines():
        label = re.match(r"\s*Срок[^:\t]*:\s*(\S.*)$", line)
        if label and "\t" not in line:
            cells_out.append(label.group(1).strip())
            continue
        cells = line.split("\t")
        if len(cells) < 3:
            continue
        heads = [i for i, cell in enumerate(cells) if cell.strip().startswith("Срок")]
        if heads:
            column, width = heads[0], len(cells)
            continue
        if column is None or width is None or len(cells) < width:
            continue
        value = cells[column].strip()
        if not value or set(value) <= set("-–— "):  # empty, or a table rule
            continue
        if not cells[0].strip() and cells_out:  # a row continued after a page break
            cells_out.append(f"{cells_out[-1]} {value}")
        cells_out.append(value)
    return cells_out


def _seed_files() -> dict[str, Path]:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the shared seeds are not present ({SEEDS_DIR})")
    files = {path.name[:3]: path for path in sorted(SEEDS_DIR.glob("*.txt"))}
    if not files:
        pytest.skip(f"no seed documents in {SEEDS_DIR}")
    return files


def test_seed_phrases_are_every_deadline_of_the_seeds() -> None:
    files = _seed_files()
    for seed, path in files.items():
        if seed not in SEED_PERIODS:
            continue
        cells = set(_seed_deadline_cells(path.read_text(encoding="utf-8")))
        listed = {text for s, text, *_ in SEED_PHRASES if s == seed} | {
            t for s, t in SEED_FRAGMENTS if s == seed
        }
        assert cells - listed == set(), f"seed {seed}: deadlines missing from SEED_PHRASES"
        assert listed - cells == set(), f"seed {seed}: SEED_PHRASES lists text the seed does not have"


def test_seed_phrases_are_all_understood() -> None:
    files = _seed_files()
    count = 0
    for seed, path in files.items():
        if seed not in SEED_PERIODS:
            continue
        ps, pe = SEED_PERIODS[seed]
        for cell in _seed_deadline_cells(path.read_text(encoding="utf-8")):
            if (seed, cell) in SEED_FRAGMENTS:
                continue
            count += 1
            deadline = understand(cell, ps, pe)
            assert deadline.understood, f"seed {seed}: {cell!r} not understood"
            assert deadline.text == cell
    assert count >= 100


def test_seed_fragments_are_not_claimed_as_understood() -> None:
    for seed, text in SEED_FRAGMENTS:
        ps, pe = SEED_PERIODS[seed]
        assert understand(text, ps, pe) == Deadline(text, UNDATED, None, None, understood=False)


# ----------------------------------------------------------------------------- the issue's phrases

AY2020 = academic_year_period(2020)  # 1 Sep 2020 – 31 Aug 2021

ISSUE_PHRASES: list[tuple[str, DeadlineKind, str | None, str | None]] = [
    # period: months, ranges of months
    ("Август 2020 г.", PERIOD, "2020-08-01", "2020-08-31"),
    ("сентябрь 2020 года", PERIOD, "2020-09-01", "2020-09-30"),
    ("Сентябрь", PERIOD, "2020-09-01", "2020-09-30"),
    ("Январь", PERIOD, "2021-01-01", "2021-01-31"),
    ("Август", PERIOD, "2021-08-01", "2021-08-31"),
    ("Октябрь-ноябрь 2020г", PERIOD, "2020-10-01", "2020-11-30"),
    ("Сентябрь 2020 г.- апрель 2021 г.", PERIOD, "2020-09-01", "2021-04-30"),
    ("январь-февраль 2021 года", PERIOD, "2021-01-01", "2021-02-28"),
    ("март - апрель 2021 года", PERIOD, "2021-03-01", "2021-04-30"),
    ("Июнь– октябрь", PERIOD, "2021-06-01", "2021-10-31"),
    ("Октябрь 2021 – апрель 2022", PERIOD, "2021-10-01", "2022-04-30"),
    ("Сентябрь – октябрь 2022", PERIOD, "2022-09-01", "2022-10-31"),
    ("Ноябрь – февраль", PERIOD, "2020-11-01", "2021-02-28"),
    ("Декабрь 2020 – январь 2021", PERIOD, "2020-12-01", "2021-01-31"),
    ("Ноябрь-январь 2021", PERIOD, "2020-11-01", "2021-01-31"),
    ("Октябрь 2020 – март", PERIOD, "2020-10-01", "2021-03-31"),
    ("в январе", PERIOD, "2021-01-01", "2021-01-31"),
    ("Проведение в октябре 2020 г.", PERIOD, "2020-10-01", "2020-10-31"),
    # quarters and half-years
    ("I квартал 2013 г.", PERIOD, "2013-01-01", "2013-03-31"),
    ("IV квартал 2020 г.", PERIOD, "2020-10-01", "2020-12-31"),
    ("2 квартал", PERIOD, "2021-04-01", "2021-06-30"),
    ("III квартал", PERIOD, "2021-07-01", "2021-09-30"),
    ("4 кв. 2020", PERIOD, "2020-10-01", "2020-12-31"),
    ("1 полугодие", PERIOD, "2020-09-01", "2020-12-31"),
    ("2 полугодие", PERIOD, "2021-01-01", "2021-05-31"),
    ("во 2 полугодии", PERIOD, "2021-01-01", "2021-05-31"),
    ("2 полугодие 2021-2022 учебного года", PERIOD, "2022-01-01", "2022-05-31"),
    ("1 полугодие 2021/2022 уч. г.", PERIOD, "2021-09-01", "2021-12-31"),
    ("1 полугодие 2021 года", PERIOD, "2021-01-01", "2021-06-30"),
    ("2 полугодие 2021 года", PERIOD, "2021-07-01", "2021-12-31"),
    ("II полугодие 2021 г.", PERIOD, "2021-07-01", "2021-12-31"),
    # dates and ranges of dates
    ("06.02.2023", PERIOD, "2023-02-06", "2023-02-06"),
    ("15 мая 2021 г.", PERIOD, "2021-05-15", "2021-05-15"),
    ("06.02.2023 - 30.05.2023", PERIOD, "2023-02-06", "2023-05-30"),
    ("06.02.2023-30.05.2023", PERIOD, "2023-02-06", "2023-05-30"),
    ("с 1 по 15 сентября 2020", PERIOD, "2020-09-01", "2020-09-15"),
    ("с 1 сентября по 15 октября 2020 г.", PERIOD, "2020-09-01", "2020-10-15"),
    ("1-15 сентября", PERIOD, "2020-09-01", "2020-09-15"),
    ("в период с 01.09.2020 по 30.09.2020", PERIOD, "2020-09-01", "2020-09-30"),
    ("с сентября по декабрь", PERIOD, "2020-09-01", "2020-12-31"),
    ("с декабря 2020 по февраль 2021", PERIOD, "2020-12-01", "2021-02-28"),
    ("2021-09-15", PERIOD, "2021-09-15", "2021-09-15"),
    # years
    ("в течение 2021 года", PERIOD, "2021-01-01", "2021-12-31"),
    ("2021 год", PERIOD, "2021-01-01", "2021-12-31"),
    ("в 2021 году", PERIOD, "2021-01-01", "2021-12-31"),
    ("в течение учебного года 2021-2022", PERIOD, "2021-09-01", "2022-08-31"),
    ("2021/2022 учебный год", PERIOD, "2021-09-01", "2022-08-31"),
    ("2021/22 уч. год", PERIOD, "2021-09-01", "2022-08-31"),
    ("в течение 2021-2022 учебного года", PERIOD, "2021-09-01", "2022-08-31"),
    ("2019–2021 гг.", PERIOD, "2019-01-01", "2021-12-31"),
    ("летний период", PERIOD, "2021-06-01", "2021-08-31"),
    ("летом 2020 года", PERIOD, "2020-06-01", "2020-08-31"),
    # until
    ("до 03.02.2023", UNTIL, None, "2023-02-03"),
    ("До 03.02.2023", UNTIL, None, "2023-02-03"),
    ("в срок до 10 августа 2015 года", UNTIL, None, "2015-08-10"),
    ("не позднее 1 октября", UNTIL, None, "2020-10-01"),
    ("до 1 сентября", UNTIL, None, "2020-09-01"),
    ("до 1 июня", UNTIL, None, "2021-06-01"),
    ("до 01.06", UNTIL, None, "2021-06-01"),
    ("не позже 25.12.2020 г.", UNTIL, None, "2020-12-25"),
    ("по 15 мая 2021", UNTIL, None, "2021-05-15"),
    ("к 1 сентября 2021 г.", UNTIL, None, "2021-09-01"),
    ("до сентября 2021", UNTIL, None, "2021-08-31"),
    ("не позднее декабря 2020 г.", UNTIL, None, "2020-12-31"),
    ("до конца сентября", UNTIL, None, "2020-09-30"),
    ("до конца 2020 года", UNTIL, None, "2020-12-31"),
    ("до конца учебного года", UNTIL, None, "2021-08-31"),
    ("до 30.05.2021 (по графику)", UNTIL, None, "2021-05-30"),
    # from
    ("с 20.04.2020", FROM, "2020-04-20", None),
    ("С 20.04.2020 г.", FROM, "2020-04-20", None),
    ("начиная с сентября 2020", FROM, "2020-09-01", None),
    ("с января", FROM, "2021-01-01", None),
    ("после 15 мая 2021", FROM, "2021-05-16", None),
    # whole
    ("в течение года", WHOLE, "2020-09-01", "2021-08-31"),
    ("В течение учебного года", WHOLE, "2020-09-01", "2021-08-31"),
    ("в течение всего периода", WHOLE, "2020-09-01", "2021-08-31"),
    ("в течение всего учебного года", WHOLE, "2020-09-01", "2021-08-31"),
    ("постоянно", WHOLE, "2020-09-01", "2021-08-31"),
    ("Постоянно, по мере необходимости", WHOLE, "2020-09-01", "2021-08-31"),
    ("весь период", WHOLE, "2020-09-01", "2021-08-31"),
    ("в течение года по плану ЛОИРО", WHOLE, "2020-09-01", "2021-08-31"),
    ("на протяжении всего учебного года", WHOLE, "2020-09-01", "2021-08-31"),
    ("круглогодично", WHOLE, "2020-09-01", "2021-08-31"),
    # undated by design
    ("По запросу руководителей", UNDATED, None, None),
    ("по запросу", UNDATED, None, None),
    ("По плану МИМС", UNDATED, None, None),
    ("По плану", UNDATED, None, None),
    ("По графику ОО", UNDATED, None, None),
    ("По спец. Графику", UNDATED, None, None),
    ("по отдельному плану", UNDATED, None, None),
    ("по мере готовности", UNDATED, None, None),
    ("по мере необходимости", UNDATED, None, None),
    ("По итогам оценочных процедур", UNDATED, None, None),
    ("в соответствии с графиком проведения ВПР", UNDATED, None, None),
    ("в установленные сроки", UNDATED, None, None),
    ("", UNDATED, None, None),
    ("   ", UNDATED, None, None),
    ("—", UNDATED, None, None),
]


@pytest.mark.parametrize(("text", "kind", "start", "end"), ISSUE_PHRASES)
def test_issue_phrase(text: str, kind: DeadlineKind, start: str | None, end: str | None) -> None:
    deadline = understand(text, *AY2020)
    assert (deadline.kind, deadline.start, deadline.end) == (kind, d(start), d(end))
    assert deadline.understood
    assert deadline.text == text
    assert deadline.recurrence == ""


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [
        ("ежемесячно", "monthly"),
        ("Ежемесячно до 5 числа", "monthly"),
        ("ежеквартально", "quarterly"),
        ("еженедельно", "weekly"),
        ("ежегодно", "yearly"),
        ("ежедневно", "daily"),
        ("1 раз в четверть", "quarterly"),
        ("раз в месяц", "monthly"),
        ("1 раз в неделю", "weekly"),
        ("каждый четверг", "weekly"),
        ("по четвергам", "weekly"),
        ("по итогам четверти", "quarterly"),
        ("2 раза в год", ""),
        ("систематически", ""),
        ("регулярно", ""),
        ("периодически", ""),
        ("В течение года, ежемесячно", "monthly"),
    ],
)
def test_recurring(text: str, recurrence: str) -> None:
    deadline = understand(text, *AY2020)
    assert deadline == Deadline(text, RECURRING, *AY2020, understood=True, recurrence=recurrence)


@pytest.mark.parametrize(
    "text",
    ["бла-бла", "3 дня", "когда-нибудь", "в течение месяца после", "29.02.2021", "31.04.2021", "13.13.2020",
     "Сентябрь 2021 – апрель 2020", "до 31 июня", "Проведение 45 мая", "1 раз", "ноль"],
)  # fmt: skip
def test_not_understood(text: str) -> None:
    assert understand(text, *AY2020) == Deadline(text, UNDATED, None, None, understood=False)


# ----------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # line breaks, HTML remnants, entities, spaces
        ("Сентябрь\n2020 г.", "2020-09-01", "2020-09-30"),
        ("Октябрь-\r\nноябрь\n2020г", "2020-10-01", "2020-11-30"),
        ("<p>Май-июль 2021г</p>", "2021-05-01", "2021-07-31"),
        ("<p><strong>Октябрь&nbsp;2020&nbsp;г.</strong></p>", "2020-10-01", "2020-10-31"),
        ("март&ndash;апрель 2021", "2021-03-01", "2021-04-30"),
        ("сентябрь\u00a02020\u00a0г.", "2020-09-01", "2020-09-30"),
        ("  октябрь   2020   года  ", "2020-10-01", "2020-10-31"),
        # every kind of dash, with and without spaces
        ("сентябрь-октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь–октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь—октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь‒октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь―октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь−октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь ‐ октябрь 2020", "2020-09-01", "2020-10-31"),
        ("сентябрь -октябрь 2020", "2020-09-01", "2020-10-31"),
        # grammatical cases and abbreviations
        ("в сентябре 2020 г.", "2020-09-01", "2020-09-30"),
        ("января 2021 года", "2021-01-01", "2021-01-31"),
        ("в мае", "2021-05-01", "2021-05-31"),
        ("май", "2021-05-01", "2021-05-31"),
        ("янв. 2021", "2021-01-01", "2021-01-31"),
        ("фев. 2021", "2021-02-01", "2021-02-28"),
        ("февр. 2021", "2021-02-01", "2021-02-28"),
        ("сен. 2020", "2020-09-01", "2020-09-30"),
        ("сент.-окт. 2020", "2020-09-01", "2020-10-31"),
        ("нояб. 2020 г.", "2020-11-01", "2020-11-30"),
        ("дек. 2020", "2020-12-01", "2020-12-31"),
        # case, ё, years written in every way
        ("ОКТЯБРЬ 2020 Г.", "2020-10-01", "2020-10-31"),
        ("в течение 2021 гОДА", "2021-01-01", "2021-12-31"),
        ("Сентябрь 2020г.", "2020-09-01", "2020-09-30"),
        ("2021 гг.", "2021-01-01", "2021-12-31"),
        ("Декабрь 2020 года.", "2020-12-01", "2020-12-31"),
        ("Декабрь 2020 г. (по согласованию)", "2020-12-01", "2020-12-31"),
        ("Декабрь 2020 г.; далее по плану", "2020-12-01", "2020-12-31"),
        # two-digit years and 29 February
        ("20.04.20", "2020-04-20", "2020-04-20"),
        ("01.09.20 - 30.09.20", "2020-09-01", "2020-09-30"),
        ("29.02.2020", "2020-02-29", "2020-02-29"),
        ("29 февраля 2024 г.", "2024-02-29", "2024-02-29"),
        ("01.09.2020 г.", "2020-09-01", "2020-09-01"),
        ("15.01. 2021", "2021-01-15", "2021-01-15"),
    ],
)
def test_edge_periods(text: str, start: str, end: str) -> None:
    deadline = understand(text, *AY2020)
    assert deadline == Deadline(text, PERIOD, d(start), d(end))


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        # lists and ranges of periods: the whole stretch
        ("сентябрь, декабрь 2020", PERIOD, "2020-09-01", "2020-12-31"),
        ("октябрь, март", PERIOD, "2020-10-01", "2021-03-31"),
        ("сентябрь и май", PERIOD, "2020-09-01", "2021-05-31"),
        ("IV квартал 2020 г. – I квартал 2021 г.", PERIOD, "2020-10-01", "2021-03-31"),
        ("до 15.10.2020, 15.03.2021", UNTIL, None, "2021-03-15"),
        # a period later in the text; numbers that are not years
        ("Проведение для 1500 участников в октябре 2020", PERIOD, "2020-10-01", "2020-10-31"),
        ("Распоряжение № 149 от 27 августа 2020 года", PERIOD, "2020-08-27", "2020-08-27"),
        # whole-period words inside a longer text, recurring words only as whole words
        ("Мероприятие проводится в течение года", WHOLE, "2020-09-01", "2021-08-31"),
        ("до 10 числа каждого месяца", RECURRING, "2020-09-01", "2021-08-31"),
    ],
)
def test_longer_texts(text: str, kind: DeadlineKind, start: str | None, end: str | None) -> None:
    deadline = understand(text, *AY2020)
    assert (deadline.kind, deadline.start, deadline.end, deadline.understood) == (
        kind,
        d(start),
        d(end),
        True,
    )


@pytest.mark.parametrize("text", ["нерегулярно", "несистематически", "1500 год", "в течение месяца"])
def test_look_alikes_are_not_understood(text: str) -> None:
    assert not understand(text, *AY2020).understood


def test_datetimes_are_taken_as_dates() -> None:
    from datetime import datetime

    whole = understand("в течение года", datetime(2020, 9, 1, 12, 30), datetime(2021, 8, 31, 18, 0))
    assert (whole.start, whole.end) == AY2020
    assert type(whole.start) is date
    assert is_overdue(whole, date(2021, 9, 1), done=False)
    assert understand("Сентябрь", today=datetime(2021, 3, 1, 9, 0)).start == date(2020, 9, 1)


def test_until_with_two_digit_year_and_yo() -> None:
    assert understand("до 20.04.20", *AY2020) == Deadline("до 20.04.20", UNTIL, None, date(2020, 4, 20))
    text = "В течение учебного года (ещё уточнится)"
    assert understand(text, *AY2020).kind is WHOLE


def test_missing_years_follow_the_plan_period() -> None:
    two_years = (date(2019, 9, 1), date(2021, 8, 31))
    assert understand("Июнь– октябрь", *two_years).start == date(2020, 6, 1)
    assert understand("Июнь– октябрь", *two_years).end == date(2020, 10, 31)
    calendar_year = (date(2021, 1, 1), date(2021, 12, 31))
    assert (
        understand("ноябрь-февраль", *calendar_year).start,
        understand("ноябрь-февраль", *calendar_year).end,
    ) == (
        date(2021, 11, 1),
        date(2022, 2, 28),
    )
    assert understand("1 полугодие", *calendar_year).end == date(2021, 6, 30)
    assert understand("2 полугодие", *calendar_year).start == date(2021, 7, 1)
    assert understand("до 1 сентября", *calendar_year).end == date(2021, 9, 1)


def test_default_period_is_the_academic_year_of_today() -> None:
    assert understand("Сентябрь", today=date(2021, 3, 15)).start == date(2020, 9, 1)
    assert understand("Сентябрь", today=date(2021, 9, 15)).start == date(2021, 9, 1)
    assert understand("в течение года", today=date(2021, 9, 1)).end == date(2022, 8, 31)
    assert understand("в течение года").kind is WHOLE  # date.today()


def test_one_sided_and_reversed_periods() -> None:
    assert understand("в течение года", date(2021, 1, 1)).end == date(2021, 12, 31)
    assert understand("в течение года", None, date(2021, 12, 31)).start == date(2021, 1, 1)
    whole = understand("весь период", date(2021, 12, 31), date(2021, 1, 1))
    assert (whole.start, whole.end) == (date(2021, 1, 1), date(2021, 12, 31))


def test_text_is_kept_exactly() -> None:
    text = "  <p>Октябрь–\nноябрь  2020г.</p>  "
    assert understand(text, *AY2020).text == text
    assert understand(text, *AY2020).as_json()["text"] == text


@pytest.mark.parametrize("value", [None, 2021, 3.5, b"2021", ["2021"]])
def test_not_a_string_never_raises(value: object) -> None:
    deadline = understand(value, *AY2020)  # type: ignore[arg-type]
    assert isinstance(deadline, Deadline)
    assert isinstance(deadline.text, str)


# ----------------------------------------------------------------------------- kinds, json, helpers


def test_kind_values_and_labels() -> None:
    assert [k.value for k in DeadlineKind] == ["period", "until", "from", "whole", "recurring", "undated"]
    assert [k.label for k in DeadlineKind] == [
        "Период",
        "До даты",
        "С даты",
        "Весь период",
        "Регулярно",
        "Без срока",
    ]
    assert DeadlineKind("until") is UNTIL
    assert f"{UNTIL}" == "until"


def test_as_json() -> None:
    assert understand("Октябрь-ноябрь 2020г", *AY2020).as_json() == {
        "text": "Октябрь-ноябрь 2020г",
        "kind": "period",
        "start": "2020-10-01",
        "end": "2020-11-30",
    }
    assert understand("до 03.02.2023", *AY2020).as_json() == {
        "text": "до 03.02.2023",
        "kind": "until",
        "start": None,
        "end": "2023-02-03",
    }
    assert understand("По плану", *AY2020).as_json() == {
        "text": "По плану",
        "kind": "undated",
        "start": None,
        "end": None,
    }


def test_deadline_is_frozen() -> None:
    deadline = understand("Сентябрь", *AY2020)
    with pytest.raises(AttributeError):
        deadline.kind = UNDATED  # type: ignore[misc]
    assert hash(deadline) == hash(understand("Сентябрь", *AY2020))


def test_academic_year_period() -> None:
    assert academic_year_period(2020) == (date(2020, 9, 1), date(2021, 8, 31))
    assert academic_year_period(2023) == (date(2023, 9, 1), date(2024, 8, 31))


def test_is_overdue() -> None:
    october = understand("Октябрь 2020", *AY2020)
    assert is_overdue(october, date(2020, 11, 1), done=False)
    assert not is_overdue(october, date(2020, 10, 31), done=False)
    assert not is_overdue(october, date(2020, 11, 1), done=True)
    until = understand("до 03.02.2023", *AY2020)
    assert is_overdue(until, date(2023, 2, 4), done=False)
    assert not is_overdue(until, date(2023, 2, 3), done=False)
    whole = understand("В течение года", *AY2020)
    assert not is_overdue(whole, date(2021, 8, 31), done=False)
    assert is_overdue(whole, date(2021, 9, 1), done=False)
    recurring = understand("ежемесячно", *AY2020)
    assert is_overdue(recurring, date(2021, 9, 1), done=False)
    assert not is_overdue(understand("с 20.04.2020", *AY2020), date(2030, 1, 1), done=False)
    assert not is_overdue(understand("По плану", *AY2020), date(2030, 1, 1), done=False)
    assert not is_overdue(understand("бла-бла", *AY2020), date(2030, 1, 1), done=False)


def test_covers_month() -> None:
    autumn = understand("Октябрь-ноябрь 2020г", *AY2020)
    assert [m for m in range(1, 13) if covers_month(autumn, 2020, m)] == [10, 11]
    assert not covers_month(autumn, 2021, 10)
    crossing = understand("Декабрь 2020 – февраль 2021", *AY2020)
    assert (
        covers_month(crossing, 2020, 12)
        and covers_month(crossing, 2021, 1)
        and covers_month(crossing, 2021, 2)
    )
    assert not covers_month(crossing, 2020, 11) and not covers_month(crossing, 2021, 3)
    day = understand("15 мая 2021 г.", *AY2020)
    assert covers_month(day, 2021, 5) and not covers_month(day, 2021, 4)
    until = understand("до 03.02.2021", *AY2020)
    assert covers_month(until, 2021, 2) and covers_month(until, 2020, 9) and not covers_month(until, 2021, 3)
    since = understand("с 20.04.2021", *AY2020)
    assert covers_month(since, 2021, 4) and covers_month(since, 2030, 1) and not covers_month(since, 2021, 3)
    whole = understand("В течение года", *AY2020)
    assert all(covers_month(whole, 2020, m) for m in range(9, 13))
    assert all(covers_month(whole, 2021, m) for m in range(1, 9))
    assert not covers_month(whole, 2020, 8) and not covers_month(whole, 2021, 9)
    assert not any(covers_month(understand("По плану", *AY2020), 2020, m) for m in range(1, 13))


# ----------------------------------------------------------------------------- shift_years


@pytest.mark.parametrize(
    ("text", "shifted"),
    [
        ("Сентябрь 2020 г.", "Сентябрь 2021 г."),
        ("2 полугодие 2021-2022 учебного года", "2 полугодие 2022-2023 учебного года"),
        ("До 03.02.2023", "До 03.02.2024"),
        ("2020г", "2021г"),
        ("Октябрь-ноябрь 2020г", "Октябрь-ноябрь 2021г"),
        ("Сентябрь 2020 г.- апрель 2021 г. /по плану/", "Сентябрь 2021 г.- апрель 2022 г. /по плану/"),
        ("29.02.2020", "28.02.2021"),
        ("до 29.02.2020 г.", "до 28.02.2021 г."),
        ("29 февраля 2020 года", "28 февраля 2021 года"),
        ("28.02.2021", "28.02.2022"),
        ("20.04.20", "20.04.21"),
        ("с 20.04.20 по 25.04.20", "с 20.04.21 по 25.04.21"),
        ("31.12.99", "31.12.00"),
        ("2021/22 уч. год", "2022/23 уч. год"),
        ("2019–2021 гг.", "2020–2022 гг."),
        ("в срок до 10 августа 2015 года", "в срок до 10 августа 2016 года"),
        ("Распоряжение № 149 от 27 августа 2020 года", "Распоряжение № 149 от 27 августа 2021 года"),
        ("приказ № 2020 от 15.01. 2021", "приказ № 2020 от 15.01. 2022"),
        ("№2020", "№2020"),
        ("2020-09-15", "2021-09-15"),
        ("10 августа", "10 августа"),
        ("В течение года", "В течение года"),
        ("1989 и 2200 и 12020", "1989 и 2200 и 12020"),
        ("", ""),
    ],
)
def test_shift_years(text: str, shifted: str) -> None:
    assert shift_years(text) == shifted


def test_shift_years_by_other_amounts() -> None:
    assert shift_years("Сентябрь 2020 г.", 3) == "Сентябрь 2023 г."
    assert shift_years("Сентябрь 2020 г.", -1) == "Сентябрь 2019 г."
    assert shift_years("Сентябрь 2020 г.", 0) == "Сентябрь 2020 г."
    assert shift_years("29.02.2020", 4) == "29.02.2024"
    assert shift_years("2199 год", 1) == "2199 год"  # would leave 1990–2199


def test_shifted_deadline_moves_by_a_year() -> None:
    for _seed, text, kind, _start, _end in SEED_PHRASES:
        if kind is not PERIOD or not re.search(r"\d{4}", text):
            continue
        before = understand(text, *AY2020)
        after = understand(shift_years(text), *AY2020)
        assert after.kind is PERIOD
        assert after.start == before.start.replace(year=before.start.year + 1)  # type: ignore[union-attr]
        assert after.end is not None and before.end is not None
        assert after.end.year == before.end.year + 1 and after.end.month == before.end.month


# ----------------------------------------------------------------------------- properties

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MONTH_FORMS = {
    1: ["январь", "января", "январе", "янв."],
    2: ["февраль", "февраля", "феврале", "фев.", "февр."],
    3: ["март", "марта", "марте"],
    4: ["апрель", "апреля", "апреле", "апр."],
    5: ["май", "мая", "мае"],
    6: ["июнь", "июня", "июне"],
    7: ["июль", "июля", "июле"],
    8: ["август", "августа", "августе", "авг."],
    9: ["сентябрь", "сентября", "сентябре", "сен.", "сент."],
    10: ["октябрь", "октября", "октябре", "окт."],
    11: ["ноябрь", "ноября", "ноябре", "нояб."],
    12: ["декабрь", "декабря", "декабре", "дек."],
}
DASHES = ["-", "–", "—", "‒", "―", "−", " - ", " – ", "- ", " -"]
YEAR_SUFFIXES = ["", " г.", " г", "г", "г.", " года", " году", " гг."]
TOKENS = [
    "до", "с", "по", "в", "течение", "года", "год", "г.", "квартал", "полугодие", "учебного", "уч.",
    "I", "IV", "ii", "ежемесячно", "плану", "запросу", "всего", "периода", "лето", "конца", "не", "позднее",
    "-", "–", "—", "/", ".", ",", "(", ")", "<p>", "&nbsp;", "\n", "№",
    *[form for forms in MONTH_FORMS.values() for form in forms],
]  # fmt: skip
NUMBERS = st.one_of(
    st.integers(0, 40).map(str),
    st.integers(1990, 2200).map(str),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.tuples(st.integers(0, 40), st.integers(0, 14), st.integers(0, 2300)).map(lambda t: f"{t[0]:02d}.{t[1]:02d}.{t[2]}"),
)  # fmt: skip
PHRASE_SOUP = st.lists(st.one_of(st.sampled_from(TOKENS), NUMBERS), max_size=8).map(" ".join)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2190, 12, 31))


def _check_invariants(deadline: Deadline, text: str) -> None:
    assert isinstance(deadline, Deadline)
    assert deadline.kind in DeadlineKind
    assert deadline.text == text
    if deadline.start is not None and deadline.end is not None:
        assert deadline.start <= deadline.end
    if deadline.kind is UNDATED:
        assert deadline.start is None and deadline.end is None
    if deadline.kind is UNTIL:
        assert deadline.start is None and deadline.end is not None
    if deadline.kind is FROM:
        assert deadline.start is not None and deadline.end is None
    if deadline.kind in (PERIOD, WHOLE, RECURRING):
        assert deadline.start is not None and deadline.end is not None
    if not deadline.understood:
        assert deadline.kind is UNDATED
    if deadline.recurrence:
        assert deadline.kind is RECURRING
    assert set(deadline.as_json()) == {"text", "kind", "start", "end"}


@PROPERTY
@given(text=st.text(max_size=200), ps=DATES, pe=DATES)
@example(text="\x00\ud800", ps=date(2020, 9, 1), pe=date(2021, 8, 31))
@example(text="<" * 500 + "&#99999999;" + "&" * 50, ps=date(2020, 9, 1), pe=date(2021, 8, 31))
def test_random_text_never_raises(text: str, ps: date, pe: date) -> None:
    _check_invariants(understand(text, ps, pe), text)


@PROPERTY
@given(text=PHRASE_SOUP, ps=DATES, pe=DATES, today=DATES)
def test_random_phrase_soup_never_raises(text: str, ps: date, pe: date, today: date) -> None:
    _check_invariants(understand(text, ps, pe), text)
    _check_invariants(understand(text, today=today), text)
    deadline = understand(text, ps, pe)
    for month in (1, 6, 12):
        assert covers_month(deadline, 2020, month) in (True, False)
    assert is_overdue(deadline, today, done=True) is False


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@PROPERTY
@given(
    data=st.data(),
    m1=st.integers(1, 12),
    m2=st.one_of(st.none(), st.integers(1, 12)),
    year=st.integers(1995, 2150),
    both_years=st.booleans(),
    capitalize=st.booleans(),
    upper=st.booleans(),
    prefix=st.sampled_from(["", "в ", "В "]),
)
def test_month_grammar_round_trips(
    data: st.DataObject,
    m1: int,
    m2: int | None,
    year: int,
    both_years: bool,
    capitalize: bool,
    upper: bool,
    prefix: str,
) -> None:
    first = data.draw(st.sampled_from(MONTH_FORMS[m1]))
    suffix = data.draw(st.sampled_from(YEAR_SUFFIXES))
    if m2 is None:
        text, start, end = f"{first} {year}{suffix}", date(year, m1, 1), _last_day(year, m1)
    else:
        second = data.draw(st.sampled_from(MONTH_FORMS[m2]))
        dash = data.draw(st.sampled_from(DASHES))
        if both_years:
            year2 = year if m2 >= m1 else year + 1
            text = f"{first} {year}{suffix}{dash}{second} {year2}{suffix}"
            start, end = date(year, m1, 1), _last_day(year2, m2)
        else:
            text = f"{first}{dash}{second} {year}{suffix}"
            start, end = date(year if m1 <= m2 else year - 1, m1, 1), _last_day(year, m2)
    text = prefix + (text.upper() if upper else text.capitalize() if capitalize else text)
    deadline = understand(text, *AY2020)
    assert deadline == Deadline(text, PERIOD, start, end), text


@PROPERTY
@given(
    m1=st.integers(1, 12),
    m2=st.integers(1, 12),
    plan_year=st.integers(1995, 2150),
    plan_month=st.integers(1, 12),
    data=st.data(),
)
def test_months_without_years_fall_inside_the_plan_year(
    m1: int, m2: int, plan_year: int, plan_month: int, data: st.DataObject
) -> None:
    ps = date(plan_year, plan_month, 1)
    pe = date(plan_year + 1, plan_month, 1) - timedelta(days=1)
    first = data.draw(st.sampled_from(MONTH_FORMS[m1]))
    second = data.draw(st.sampled_from(MONTH_FORMS[m2]))
    single = understand(first, ps, pe)
    assert single.kind is PERIOD and single.start is not None
    assert ps <= single.start <= pe and single.start.month == m1
    ranged = understand(f"{first} – {second}", ps, pe)
    assert ranged.kind is PERIOD and ranged.start == single.start and ranged.end is not None
    assert ranged.end.month == m2 and (ranged.end - ranged.start).days < 366


@PROPERTY
@given(
    day=DATES, prefix=st.sampled_from(["до ", "До ", "в срок до ", "не позднее "]), two_digits=st.booleans()
)
def test_numeric_dates_round_trip(day: date, prefix: str, two_digits: bool) -> None:
    year = f"{day.year % 100:02d}" if two_digits and 2000 <= day.year <= 2099 else str(day.year)
    text = f"{day.day:02d}.{day.month:02d}.{year}"
    assert understand(text, *AY2020) == Deadline(text, PERIOD, day, day)
    assert understand(prefix + text, *AY2020) == Deadline(prefix + text, UNTIL, None, day)
    assert understand("с " + text, *AY2020) == Deadline("с " + text, FROM, day, None)


SHIFT_WORDS = st.sampled_from(
    ["Сентябрь", "до", "года", "г.", "гг.", "№ 149", "10 августа", "учебного", "-", "–", "(", ")", "по плану",
     "30", "15 мая", "I квартал", "\n", "<p>", "2 полугодие", "№ 2020"]
)  # fmt: skip
SHIFT_YEARS = st.integers(1995, 2190).flatmap(
    lambda y: st.sampled_from([f"{y}", f"{y}г", f"{y} г.", f"{y}-{y + 1}", f"{y}/{(y + 1) % 100:02d}"])
)
SHIFT_DATES = DATES.filter(lambda day: (day.month, day.day) != (2, 29) and 1995 <= day.year <= 2190).flatmap(
    lambda day: st.sampled_from(
        [f"{day.day:02d}.{day.month:02d}.{day.year}", f"{day.day}.{day.month:02d}.{day.year}"]
        + ([f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}"] if day.year >= 2000 else [])
    )
)
SHIFT_TEXTS = st.lists(st.one_of(SHIFT_WORDS, SHIFT_YEARS, SHIFT_DATES), max_size=8).map(" ".join)


@PROPERTY
@given(text=SHIFT_TEXTS, years=st.integers(1, 5))
@example(text="Сентябрь 2020 г.- апрель 2021 г.", years=1)
def test_shift_years_round_trips(text: str, years: int) -> None:
    shifted = shift_years(text, years)
    assert shift_years(shifted, -years) == text
    assert len(shifted) == len(text)
    if re.search(r"(?<!\d)(?<!№ )\d{4}(?!\d)", text):
        assert shifted != text


_HAS_YEAR = re.compile(r"\d{4}|\d\d\.\d\d\.\d\d")


@PROPERTY
@given(
    text=st.one_of(st.text(max_size=100), PHRASE_SOUP, SHIFT_TEXTS).filter(lambda t: not _HAS_YEAR.search(t))
)
@example(text="№ 149 от 10 августа")
def test_text_without_years_is_unchanged_by_shift(text: str) -> None:
    assert shift_years(text) == text
    assert shift_years(text, -3) == text


@PROPERTY
@given(text=st.text(max_size=100), years=st.integers(-300, 300))
def test_shift_years_never_raises(text: str, years: int) -> None:
    assert isinstance(shift_years(text, years), str)


# ----------------------------------------------------------------------------- speed


def test_understand_is_fast() -> None:
    """100,000 phrases in well under a few seconds (here: 20,000 distinct phrases, no cache help)."""
    phrases = [f"{day} сентября {2000 + i % 150} г. – {i % 9 + 1}.05.{2100 + i % 90}" for i, day in
               enumerate([1 + i % 28 for i in range(20_000)])]  # fmt: skip
    phrases = [f"{p} #{i}" for i, p in enumerate(phrases)]
    started = time.perf_counter()
    for phrase in phrases:
        understand(phrase, *AY2020)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{len(phrases)} phrases took {elapsed:.2f} s"
