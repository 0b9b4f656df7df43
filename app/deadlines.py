"""Deadlines are free text: «Август 2020 г.», «Октябрь-ноябрь 2020г», «По плану МИМС», «до 03.02.2023».

`understand` reads such a text in the context of the plan's period and returns a `Deadline`: the
text exactly as typed (it is printed), a kind (`DeadlineKind`) and, where the text names one, a
period (start, end) for the timeline, the month filter and the overdue check. It never raises:
text it cannot make sense of is `undated` with ``understood=False``.

Conventions (the text rarely says everything):

* Missing years come from the plan's period: a month without a year is placed at its first
  occurrence within twelve months of the period's start (for a 1 Sep – 31 Aug year, September–
  December fall in the first year, January–August in the second); a range whose end month is
  before its start month crosses into the next year; a year given on one end only is carried to
  the other («Октябрь-ноябрь 2020г», «Октябрь 2021 – апрель»).
* Half-years: of an academic year («2 полугодие 2021-2022 учебного года», or no year in a plan
  that starts in July–December) 1 = 1 Sep – 31 Dec, 2 = 1 Jan – 31 May; of a calendar year
  («1 полугодие 2021 года», or no year in a plan starting in January–June) 1 = Jan–Jun, 2 = Jul–Dec.
* Two consecutive years («2021-2022», «2021/22», «2021-2022 учебного года») are an academic year
  (1 Sep 2021 – 31 Aug 2022) unless the text says «гг.» or «годы» without «учебн…»/«уч.»; other
  spans («2019–2021 гг.») run from 1 January to 31 December.
* «до 1 сентября», «не позднее 1 октября», «в срок до …», «по 15 мая», «к 1 сентября» → `until`
  that day; «до сентября» (a month without a day) → until the day before the month, «не позднее
  сентября», «до конца сентября» → until its last day.
* «с 20.04.2020», «начиная с сентября» → `from` that day; «с 1 по 15 сентября» is a `period`.
* Two-digit years («20.04.20») are 20xx; «лето», «летний период» is June–August.
* Whole-period phrases («в течение года», «постоянно», «в течение всего периода») win over
  a trailing remark («в течение года по плану ЛОИРО», «В течение года (по графику).»); a date at
  the start wins over a trailing remark too («Сентябрь 2020 г.- апрель 2021 г. /по плану…/»).
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "Deadline",
    "DeadlineKind",
    "academic_year_period",
    "covers_month",
    "is_overdue",
    "shift_years",
    "understand",
]


class DeadlineKind(StrEnum):
    PERIOD = "period"
    UNTIL = "until"
    FROM = "from"
    WHOLE = "whole"
    RECURRING = "recurring"
    UNDATED = "undated"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DeadlineKind.PERIOD: "Период",
    DeadlineKind.UNTIL: "До даты",
    DeadlineKind.FROM: "С даты",
    DeadlineKind.WHOLE: "Весь период",
    DeadlineKind.RECURRING: "Регулярно",
    DeadlineKind.UNDATED: "Без срока",
}


@dataclass(frozen=True, slots=True)
class Deadline:
    text: str
    kind: DeadlineKind
    start: date | None
    end: date | None
    understood: bool = True
    recurrence: str = ""

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "kind": str(self.kind),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


def academic_year_period(start_year: int) -> tuple[date, date]:
    """The academic year that starts in `start_year`: (1 Sep start_year, 31 Aug start_year + 1)."""
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def understand(
    text: str,
    period_start: date | None = None,
    period_end: date | None = None,
    today: date | None = None,
) -> Deadline:
    """The kind and period of a deadline text, in the context of the plan's period.

    Without a period, the academic year containing `today` (or the current date) is used; with
    one end only, the other is a year away. Never raises.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        ps, pe = _plan_period(period_start, period_end, today)
        return _understand_cached(text, ps, pe)
    except Exception:  # the contract is «never raises»: a bug here must not break a plan view
        return Deadline(text, DeadlineKind.UNDATED, None, None, understood=False)


def is_overdue(deadline: Deadline, today: date, done: bool) -> bool:
    """Not done and its end is past: for period/until, and for whole/recurring once the plan's
    period is over. Never for undated deadlines or open-ended ones («с 20.04.2020»)."""
    if done or deadline.kind is DeadlineKind.UNDATED or deadline.end is None:
        return False
    return deadline.end < today


def covers_month(deadline: Deadline, year: int, month: int) -> bool:
    """Whether the deadline's period overlaps the month (for the Gantt bar and the month filter).

    An open end is unbounded: `until` covers every month up to its end, `from` every month from its
    start (the timeline clips them to the plan). Undated deadlines cover no month.
    """
    if deadline.start is None and deadline.end is None:
        return False
    key = year * 12 + month - 1
    if deadline.start is not None and key < deadline.start.year * 12 + deadline.start.month - 1:
        return False
    return not (deadline.end is not None and key > deadline.end.year * 12 + deadline.end.month - 1)


# --------------------------------------------------------------------------- normalisation

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"
_TRANSLATE = str.maketrans(
    {**{c: "-" for c in _DASHES}, "ё": "е", "\u00ad": None, "\u200b": None, "\ufeff": None}
)
_TAG = re.compile(r"<[^<>]{0,200}>")
_EDGE_JUNK = " .,;:!?-*•·\"'«»“”„()[]{}/\\|_"


def _normalize(text: str) -> str:
    s = text
    if "<" in s:
        s = _TAG.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    s = " ".join(s.lower().translate(_TRANSLATE).split())
    return s.strip(_EDGE_JUNK)


# --------------------------------------------------------------------------- the grammar

_MONTH_WORD = (
    r"(?:январ(?:ь|я|е|ю|ем)|янв|феврал(?:ь|я|е|ю|ем)|февр?|март(?:а|е|у|ом)?|мар|"
    r"апрел(?:ь|я|е|ю|ем)|апр|ма(?:й|я|е|ю|ем)|июн(?:ь|я|е|ю|ем)?|июл(?:ь|я|е|ю|ем)?|"
    r"август(?:а|е|у|ом)?|авг|сентябр(?:ь|я|е|ю|ем)|сент?|октябр(?:ь|я|е|ю|ем)|окт|"
    r"ноябр(?:ь|я|е|ю|ем)|нояб?|декабр(?:ь|я|е|ю|ем)|дек)"
)
_MONTHS3 = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5, "мае": 5, "маю": 5,
    "июн": 6, "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}  # fmt: skip
# «г.», «г», «гг.», «года», «году», «год», «годы», «годов» after a year
_YEAR_SUFFIX = r"(?:\s?(?:гг|г|года|году|год|годы|годов)\.?(?![а-я]))?"
_NB = r"(?![а-я\d])"  # the end of a word or number

# A point in time: 15.05.2021, 15.05.21, 15.05; «15 мая 2021 г.», «мая 2021», «май»; a bare day
# («1» in «с 1 по 15 сентября») is allowed on the first end of a range only.
_POINT = (
    r"(?:(?P<{n}nd>\d{{1,2}})\.(?P<{n}nm>\d{{1,2}})(?:\.\s?(?P<{n}ny>\d{{4}}|\d{{2}}))?(?!\d)(?!\.\d)"
    r"|(?:(?P<{n}d>\d{{1,2}})(?:-?(?:го|е|ое))?\s?)?(?P<{n}m>" + _MONTH_WORD + r")\.?(?![а-я])"
    r"(?:\s?(?P<{n}y>\d{{4}})(?!\d))?"
    r"{bare})" + _YEAR_SUFFIX
)
_POINT_A = _POINT.format(n="a", bare=r"|(?P<abd>\d{1,2})(?![\d.])")
_POINT_B = _POINT.format(n="b", bare="")

_RANGE = re.compile(r"(?:(?:с|со)\s)?" + _POINT_A + r"\s?(?:-|по(?![а-я])|до(?![а-я]))\s?" + _POINT_B)
_SINGLE = re.compile(_POINT_B)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})" + _NB)

_ACAD_WORDS = r"(?:учебн[а-я]*|уч\.?)"
_LEAD_YEAR_WORDS = (
    r"(?:(?:всего|весь|всей)\s)?(?:(?:" + _ACAD_WORDS + r"|календарн[а-я]*|финансов[а-я]*)\s)?"
    r"(?:(?:года|году|год|г\.)\s?)?"
)
# 2021-2022, 2021/2022, 2021/22, «2019–2021 гг.», «2021-2022 учебного года», «уч. г.»
_YEARS = re.compile(
    _LEAD_YEAR_WORDS
    + r"(?P<y1>\d{4})\s?(?:гг?\.?\s?)?(?P<sep>[-/])\s?(?P<y2>\d{4}|\d{2})(?!\d)"
    + r"(?:\s?(?P<ys>гг|г|года|году|год|годы|годов)\.?(?![а-я]))?"
    + r"(?:\s?(?P<uch>"
    + _ACAD_WORDS
    + r")(?![а-я])(?:\s?(?:года|году|год|гг|г)\.?(?![а-я]))?)?"
)
_YEAR = re.compile(_LEAD_YEAR_WORDS + r"(?P<y>\d{4})(?![\d.])" + _YEAR_SUFFIX)

_ORDINAL = r"(?:\s?-?\s?(?:й|е|я|го|ом|ый|ое|ая|ого|м))?"
_QUARTER = re.compile(
    r"(?P<q>[1-4]|iv|i{1,3}|перв[а-я]*|втор[а-я]*|трет[а-я]*|четверт[а-я]*)" + _ORDINAL
    + r"\s?(?:квартал[а-я]*|кв\.?)(?![а-я])"
)  # fmt: skip
_HALF = re.compile(
    r"(?P<h>[12]|ii|i|перв[а-я]*|втор[а-я]*)" + _ORDINAL + r"\s?(?:полугоди[а-я]*|п/г)(?![а-я])"
)
_SUMMER = re.compile(r"(?:летн[а-я]*\s(?:период|каникул[а-я]*|месяц[а-я]*)|лето|летом)(?![а-я])")

_PREFIX = re.compile(
    r"(?:срок[а-я]*\s?(?:исполнения|реализации|проведения)?\s?:?\s?)?"
    r"(?:(?:в\s(?:период|течени[еия](?:\s(?:всего|всей))?|срок|сроки|ходе)|на\s(?:период|протяжении)"
    r"|в|во|на)\s)?"
    r"(?:(?P<untilend>(?:до|не\sпозднее|не\sпозже)\s(?:конца|окончания)|к\sконцу)\s"
    r"|(?P<until>до|не\sпозднее|не\sпозже|по|к|ко)(?![а-я])\s?"
    r"|(?P<from>(?:начиная\s)?(?:с|со)|не\sранее)(?![а-я])\s?"
    r"|(?P<after>после)\s)?"
)
_UNTIL_END_OF_YEAR = re.compile(
    r"(?:в\sсрок\s)?(?:до|не\sпозднее|к)\s(?:конца|окончания|концу)\s(?:текущего\s|календарного\s"
    r"|учебного\s)?(?:года|периода)(?![а-я])"
)

_WHOLE = re.compile(
    r"(?:(?:в\s)?течени[еия]|на\sпротяжении|в\sходе|за)\s(?:всего\s|всей\s)?"
    r"(?:(?:текущего|учебного|календарного|отчетного)\s)?"
    r"(?:года|периода|срока|учебного\sгода|реализации|действия|работы|плана)(?![а-я])"
    r"|(?:весь|всего|в\sтечение)\s(?:учебный\s)?(?:год|период|срок)(?![а-я])"
    r"|(?:постоянн[а-я]*|круглогодичн[а-я]*|бессрочн[а-я]*|весь\sгод|учебный\sгод|текущий\sгод"
    r"|на\sпостоянной\sоснове|в\sпостоянном\sрежиме|в\sтекущем\s(?:учебном\s)?году|всегда)(?![а-я])"
)

_RECURRING = re.compile(
    r"(?<![а-я])(?:"
    r"(?P<daily>ежедневн|кажд[а-я]*\s(?:день|дня))"
    r"|(?P<weekly>еженедельн|кажд[а-я]*\sнедел|по\s(?:понедельник|вторник|сред|четверг|пятниц|суббот)ам"
    r"|кажд(?:ый|ую|ое)\s(?:понедельник|вторник|сред|четверг|пятниц|суббот))"
    r"|(?P<monthly>ежемесячн|кажд[а-я]*\sмесяц)"
    r"|(?P<quarterly>ежекварталь|ежечетвертн|кажд[а-я]*\s(?:квартал|четверт)|по\sчетвертям"
    r"|по\s(?:итогам|окончании)\s(?:каждой\s)?четверти)"
    r"|(?P<yearly>ежегодн|кажд[а-я]*\sгод)"
    r"|(?P<times>(?:(?:\d+|один|два|две|три|четыре)\s)?раза?\sв\s(?P<per>[а-я]+))"
    r"|(?P<other>систематическ|регулярн|периодическ))"
)
_PER = {
    "день": "daily", "сутки": "daily", "неделю": "weekly", "месяц": "monthly",
    "квартал": "quarterly", "четверть": "quarterly", "год": "yearly",
}  # fmt: skip

_UNDATED = re.compile(
    r"(?<![а-я])(?:(?:по|согласно)\s(?:запрос|план|график|мере|итог|необходим|отдельн|спец|согласован|распоряж"
    r"|приглаш|заяв|факт|результат|срок|расписан|указан|договор|готов|решени|особ|утвержд|календар"
    r"|положени|регламент|приказ|циклограм|требовани|графику|индивидуальн|поступлени|окончани|завершени"
    r")"
    r"|в\sсоответствии\sс|в\sустановленн[а-я]*\sсрок|в\sсроки|при\sнеобходимост|при\sналичии|при\sвыявлени"
    r"|в\sслучае|накануне|в\sдн[иеь]\sпроведени|в\sдень\sпроведени|в\sпериод\sпроведени|в\sходе\sпроведени"
    r"|после\s(?:получени|проведени|утверждени|завершени|окончани|поступлени)|по\sмере|в\sрамках"
    r"|с\sучетом|в\sзависимости|определя|уточня|будет|сроки\sфипи)"
)
_JOIN = re.compile(
    r"\s?(?:[-,;]|и(?![а-я])|по(?![а-я]))\s?"
)  # «IV квартал 2020 - I квартал 2021», «октябрь, март»
_WORD_START = re.compile(r"(?<![\w.])[\w]")
_MAX_WORDS = 64


# --------------------------------------------------------------------------- resolution


def _plan_period(ps: date | None, pe: date | None, today: date | None) -> tuple[date, date]:
    # a datetime is a date too, but does not compare with one
    ps, pe, today = (v.date() if isinstance(v, datetime) else v for v in (ps, pe, today))
    if ps is None and pe is None:
        today = today or date.today()
        return academic_year_period(today.year if today.month >= 9 else today.year - 1)
    if ps is None:
        assert pe is not None
        ps = _add_years(pe, -1) + timedelta(days=1)
    elif pe is None:
        pe = _add_years(ps, 1) - timedelta(days=1)
    return (ps, pe) if ps <= pe else (pe, ps)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _place(month: int, ps: date) -> int:
    """The year of the first occurrence of `month` within twelve months of `ps`."""
    return ps.year if month >= ps.month else ps.year + 1


def _year(value: str | None) -> int | None:
    if value is None:
        return None
    y = int(value)
    if len(value) == 2:
        return 2000 + y
    if not 1900 <= y <= 2199:
        raise ValueError("year out of range")
    return y


def _month(word: str) -> int:
    return _MONTHS3[word[:3]]


def _point(m: re.Match[str], n: str) -> tuple[int | None, int | None, int | None]:
    """(day, month, year) of the point named n in the match; any may be None."""
    g = m.group
    if g(n + "nd") is not None:
        month = int(g(n + "nm"))
        if not 1 <= month <= 12:
            raise ValueError("month")
        return int(g(n + "nd")), month, _year(g(n + "ny"))
    if g(n + "m") is not None:
        day = g(n + "d")
        return (int(day) if day else None), _month(g(n + "m")), _year(g(n + "y"))
    return int(g("abd")), None, None


class _Span:
    __slots__ = ("end", "month_only", "ranged", "start", "stop")

    def __init__(self, start: date, end: date, stop: int, ranged: bool = False, month_only: bool = False):
        self.start, self.end, self.stop, self.ranged, self.month_only = start, end, stop, ranged, month_only


def _span(s: str, pos: int, ps: date, academic: bool) -> _Span | None:
    """A period named at s[pos:], or None. Raises ValueError for impossible dates."""
    c = s[pos : pos + 1]
    if not c:
        return None
    if c.isdigit() or c in "iпвтч":
        m = _HALF.match(s, pos)
        if m:
            return _half(s, m, ps, academic)
        m = _QUARTER.match(s, pos)
        if m:
            return _quarter(s, m, ps)
    m = _RANGE.match(s, pos)
    if m:
        return _range(m, ps)
    m = _ISO.match(s, pos)
    if m:
        d = date(int(m["y"]), int(m["m"]), int(m["d"]))
        return _Span(d, d, m.end())
    m = _SINGLE.match(s, pos)
    if m:
        day, month, year = _point(m, "b")
        assert month is not None
        if year is None:
            year = _place(month, ps)
        if day is None:
            return _Span(
                date(year, month, 1), date(year, month, _last_day(year, month)), m.end(), month_only=True
            )
        d = date(year, month, day)
        return _Span(d, d, m.end())
    m = _YEARS.match(s, pos)
    if m and 1900 <= int(m["y1"]) <= 2199:
        y1 = int(m["y1"])
        raw2 = m["y2"]
        short = len(raw2) == 2
        y2 = (y1 + 1) if short and int(raw2) == (y1 + 1) % 100 else int(raw2)
        plural = m["ys"] in ("гг", "годы", "годов")
        if y2 == y1 + 1 and (m["uch"] or academic or m["sep"] == "/" or short or not plural):
            start, end = academic_year_period(y1)
            return _Span(start, end, m.end(), ranged=True)
        if not short and y1 < y2 <= 2199:
            return _Span(date(y1, 1, 1), date(y2, 12, 31), m.end(), ranged=True)
        # «2021-05»: not a span of years; the year alone below
    m = _YEAR.match(s, pos)
    if m and 1900 <= int(m["y"]) <= 2199:
        y = int(m["y"])
        return _Span(date(y, 1, 1), date(y, 12, 31), m.end())
    m = _SUMMER.match(s, pos)
    if m:
        stop = m.end()
        ym = _YEAR.match(s, stop + 1) if s[stop : stop + 1] == " " else None
        if ym and not 1900 <= int(ym["y"]) <= 2199:
            ym = None
        y = int(ym["y"]) if ym else _place(6, ps)
        return _Span(date(y, 6, 1), date(y, 8, 31), ym.end() if ym else stop, ranged=True)
    return None


def _range(m: re.Match[str], ps: date) -> _Span:
    da, ma, ya = _point(m, "a")
    db, mb, yb = _point(m, "b")
    assert mb is not None
    if ma is None:  # «с 1 по 15 сентября»
        ma, ya = mb, ya if ya is not None else yb
    a_key, b_key = (ma, da or 1), (mb, db or 1)
    if ya is None and yb is None:
        ya = _place(ma, ps)
        yb = ya if b_key >= a_key else ya + 1
    elif ya is None:
        assert yb is not None
        ya = yb if a_key <= b_key else yb - 1
    elif yb is None:
        yb = ya if b_key >= a_key else ya + 1
    start = date(ya, ma, da or 1)
    end = date(yb, mb, db or _last_day(yb, mb))
    if start > end:
        raise ValueError("a range that ends before it starts")
    return _Span(start, end, m.end(), ranged=True, month_only=db is None)


_ORDINALS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "пер": 1, "вто": 2, "тре": 3, "чет": 4}


def _ordinal(word: str) -> int:
    return int(word) if word.isdigit() else _ORDINALS.get(word, _ORDINALS.get(word[:3], 1))


def _year_spec(s: str, pos: int) -> tuple[int | None, bool, int]:
    """After a quarter or a half-year: (year, academic, end position). year None = not named."""
    stop = pos
    if s[pos : pos + 1] == " ":
        pos += 1
    m = _YEARS.match(s, pos)
    if m and 1900 <= int(m["y1"]) <= 2199:
        return int(m["y1"]), True, m.end()
    m = _YEAR.match(s, pos)
    if m and 1900 <= int(m["y"]) <= 2199:
        return int(m["y"]), False, m.end()
    return None, False, stop


def _half(s: str, m: re.Match[str], ps: date, academic: bool) -> _Span:
    h = _ordinal(m["h"])
    if h not in (1, 2):
        raise ValueError("half-year")
    year, acad, stop = _year_spec(s, m.end())
    if year is None:
        acad = academic or ps.month >= 7
        year = (ps.year if ps.month >= 7 else ps.year - 1) if acad else ps.year
    if acad:
        if h == 1:
            return _Span(date(year, 9, 1), date(year, 12, 31), stop, ranged=True)
        return _Span(date(year + 1, 1, 1), date(year + 1, 5, 31), stop, ranged=True)
    if h == 1:
        return _Span(date(year, 1, 1), date(year, 6, 30), stop, ranged=True)
    return _Span(date(year, 7, 1), date(year, 12, 31), stop, ranged=True)


def _quarter(s: str, m: re.Match[str], ps: date) -> _Span:
    q = _ordinal(m["q"])
    if not 1 <= q <= 4:
        raise ValueError("quarter")
    first = 3 * q - 2
    year, acad, stop = _year_spec(s, m.end())
    if year is None:
        year = _place(first, ps)
    elif acad:
        year = _place(first, date(year, 9, 1))
    return _Span(date(year, first, 1), date(year, first + 2, _last_day(year, first + 2)), stop, ranged=True)


def _dated(text: str, s: str, pos: int, ps: date, academic: bool) -> Deadline | None:
    """The deadline if a (prefixed) period is named at s[pos:]. Raises ValueError for a date that
    does not exist («29.02.2021», «31.04.2021», «Сентябрь 2021 – апрель 2020»)."""
    p = _PREFIX.match(s, pos)
    span = _span(s, p.end() if p else pos, ps, academic)  # ValueError: an impossible date
    if span is None:
        return None
    while True:  # «сентябрь, декабрь 2020», «IV квартал 2020 – I квартал 2021»: the whole stretch
        join = _JOIN.match(s, span.stop)
        following = _span(s, join.end(), ps, academic) if join and join.end() < len(s) else None
        if following is None or following.end < span.start:
            break
        span = _Span(span.start, max(span.end, following.end), following.stop, ranged=True)
    if p and p["untilend"]:
        return Deadline(text, DeadlineKind.UNTIL, None, span.end)
    if p and p["until"]:
        end = span.end
        if span.month_only and not span.ranged and p["until"] in ("до", "к", "ко"):
            end = span.start - timedelta(days=1)  # «до сентября»: before September begins
        return Deadline(text, DeadlineKind.UNTIL, None, end)
    if p and p["from"] and not span.ranged:
        return Deadline(text, DeadlineKind.FROM, span.start, None)
    if p and p["after"]:
        return Deadline(text, DeadlineKind.FROM, span.end + timedelta(days=1), None)
    return Deadline(text, DeadlineKind.PERIOD, span.start, span.end)


@lru_cache(maxsize=8192)
def _understand_cached(text: str, ps: date, pe: date) -> Deadline:
    return _understand_uncached(text, ps, pe)


def _understand_uncached(text: str, ps: date, pe: date) -> Deadline:
    s = _normalize(text)
    if not s:
        return Deadline(text, DeadlineKind.UNDATED, None, None)
    m = _RECURRING.search(s)
    if m:
        return Deadline(text, DeadlineKind.RECURRING, ps, pe, recurrence=_recurrence(m))
    academic = "уч" in s and ("учебн" in s or "уч." in s or "уч " in s)
    try:
        return _understand_normalized(text, s, ps, pe, academic)
    except (ValueError, KeyError, OverflowError):  # a date that does not exist
        return Deadline(text, DeadlineKind.UNDATED, None, None, understood=False)


def _understand_normalized(text: str, s: str, ps: date, pe: date, academic: bool) -> Deadline:
    found = _dated(text, s, 0, ps, academic)
    if found:
        return found
    if _UNTIL_END_OF_YEAR.match(s):
        return Deadline(text, DeadlineKind.UNTIL, None, pe)
    if _WHOLE.match(s):
        return Deadline(text, DeadlineKind.WHOLE, ps, pe)
    if _UNDATED.search(s):
        return Deadline(text, DeadlineKind.UNDATED, None, None)
    # A period named later in the text («Проведение в октябре 2020 г.»); deadlines are short, so
    # only the first words of a long text are tried.
    for tried, w in enumerate(_WORD_START.finditer(s, 1)):
        if tried >= _MAX_WORDS:
            break
        found = _dated(text, s, w.start(), ps, academic)
        if found:
            return found
    if _WHOLE.search(s):
        return Deadline(text, DeadlineKind.WHOLE, ps, pe)
    return Deadline(text, DeadlineKind.UNDATED, None, None, understood=False)


def _recurrence(m: re.Match[str]) -> str:
    for name in ("daily", "weekly", "monthly", "quarterly", "yearly"):
        if m[name]:
            return name
    if m["times"]:
        count = m["times"].split(" ", 1)[0]
        if count in ("1", "один", "раз"):
            return _PER.get(m["per"], "")
    return ""


# --------------------------------------------------------------------------- roll-over

# [0-9], not \d: other scripts' digits are not years to rewrite.
_SHIFT = re.compile(
    r"(?P<d4>(?<![0-9.])[0-9]{1,2})\.(?P<m4>[0-9]{1,2})\.(?P<s4> ?)(?P<y4>[0-9]{4})(?![0-9])"
    r"|(?P<d2>(?<![0-9.])[0-9]{2})\.(?P<m2>[0-9]{2})\.(?P<y2>[0-9]{2})(?![0-9])(?!\.[0-9])"
    r"|(?P<f29>(?<![0-9])29)(?P<fw>\s+феврал[яь]\s+)(?P<fy>[0-9]{4})(?![0-9])"
    r"|(?<![0-9№])(?<!№\s)(?P<y>[0-9]{4})(?![0-9])"
    r"(?:(?P<ysep>[-/\u2010-\u2015\u2212])(?P<yy>[0-9]{2})(?![0-9])(?!\.[0-9]))?",
    re.IGNORECASE,
)


def _in_range(year: int) -> bool:
    return 1990 <= year <= 2199


def _feb29(day: str, month: int, year: int) -> str:
    if month == 2 and int(day) == 29 and not calendar.isleap(year):
        return day.replace("29", "28")
    return day


def shift_years(text: str, years: int = 1) -> str:
    """The text with every year it names moved by `years` (the roll-over of a plan to the next year).

    Four-digit years 1990–2199 («Сентябрь 2020 г.», «2020г», «2021-2022», «2021/22») and the year of
    dd.mm.yyyy and dd.mm.yy dates change; everything else stays letter for letter: document
    numbers («№ 2020»), day numbers, other numbers. A 29 February moved into a common year becomes
    the 28th. A year whose shifted value would leave 1990–2199 is kept.
    """
    if not years or not isinstance(text, str):
        return text

    def replace(m: re.Match[str]) -> str:
        if m["y4"] is not None:
            y = int(m["y4"])
            if not _in_range(y) or not _in_range(y + years):
                return m[0]
            day = _feb29(m["d4"], int(m["m4"]), y + years)
            return f"{day}.{m['m4']}.{m['s4']}{y + years}"
        if m["y2"] is not None:
            day, month = int(m["d2"]), int(m["m2"])
            if not (1 <= day <= 31 and 1 <= month <= 12):
                return m[0]
            y = (int(m["y2"]) + years) % 100
            return f"{_feb29(m['d2'], month, 2000 + y)}.{m['m2']}.{y:02d}"
        if m["fy"] is not None:
            y = int(m["fy"])
            if not _in_range(y) or not _in_range(y + years):
                return m[0]
            return f"{_feb29(m['f29'], 2, y + years)}{m['fw']}{y + years}"
        y = int(m["y"])
        if not _in_range(y) or not _in_range(y + years):
            return m[0]
        out = str(y + years)
        if m["yy"] is not None:
            if int(m["yy"]) == (y + 1) % 100:
                return f"{out}{m['ysep']}{(y + years + 1) % 100:02d}"
            return out + m[0][4:]
        return out

    return _SHIFT.sub(replace, text)
