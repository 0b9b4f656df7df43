"""The rules that propose target schools from assessment results, each proposal explained.

Pure functions, no database: `identify(year, results, context, schools)` reads the results of the
academic years year-2 … year, `year` being the last year of results (by default the year before the
list's: RuleSettings.results_before_list_year) — school and region lines, not the municipality's — and
the schools' context indicators, and returns one `Proposal` per school and rule with a Russian
sentence a specialist can check by hand, the figures and the thresholds. Every threshold is a
field of `RuleSettings`, stored with each computed list so that it can be reproduced.

Seed 002 (ШНРО): the lowest 20 % of schools by ЕГЭ, ОГЭ and ВПР over three years; under 60 %
continuing to grade 10; 0.5 % and less taking part in olympiads; six regional indicators.
ШФНСУ: the social well-being index, single-parent families, the prevention register; rural and
small as a supporting factor. Non-objectivity (ФИОКО's advice): many who «повысили» their journal
mark, ВПР marks that do not match the journal, ВПР well above the region not backed by ГИА, a
sharp change of one grade's results; peaks at mark boundaries need individual results.

Samples under `min_participants` (20) are weak evidence: shown, never counted as proof.

The results are read in one pass keeping only small aggregates, never the lines themselves, so a
generator over 3.6 million lines (40,000 schools) fits in memory.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.errors import AppError, os_reason
from app.results.model import ContextValue, Indicator, Level, Procedure, Proposal, Result

RULES_FORMAT = "opora-identification-rules"
RULES_VERSION = 2
# Version 1 had neither the data window nor the per-grade ВПР comparison: a stored run or a rules
# file of version 1 reads with the values it was computed with, so that it is reproduced exactly.
_VERSION_1_VALUES = {"results_before_list_year": False, "vpr_by_grade": False}

LOW, UNFAVOURABLE, NONOBJECTIVE = "low_results", "unfavourable", "nonobjective"


@dataclass(frozen=True)
class RuleInfo:
    key: str
    category: str
    title: str


# In the order proposals are listed within a school.
RULES: dict[str, RuleInfo] = {
    info.key: info
    for info in (
        RuleInfo("low_quintile", LOW, "20 % школ с самыми низкими результатами ЕГЭ, ОГЭ и ВПР за 3 года"),
        RuleInfo("continuing_10", LOW, "Менее 60 % выпускников 9 класса продолжают обучение в 10 классе"),
        RuleInfo("olympiad", LOW, "0,5 % и менее обучающихся участвуют в олимпиадах"),
        RuleInfo(
            "oge_russian_fail", LOW, "Доля не преодолевших минимальный порог ОГЭ (русский язык) выше региона"
        ),
        RuleInfo(
            "oge_math_fail", LOW, "Доля не преодолевших минимальный порог ОГЭ (математика) выше региона"
        ),
        RuleInfo("oge_russian_falling", LOW, "Средний балл ОГЭ (русский язык) снижается 2 года подряд"),
        RuleInfo("oge_math_falling", LOW, "Средний балл ОГЭ (математика) снижается 2 года подряд"),
        RuleInfo(
            "oge_math_fail_rising", LOW, "Доля не преодолевших минимальный порог ОГЭ (математика) растёт"
        ),
        RuleInfo("ege_russian_below_region", LOW, "Средний балл ЕГЭ (русский язык) ниже среднего по региону"),
        RuleInfo("social_index", UNFAVOURABLE, "Низкий индекс социального благополучия"),
        RuleInfo("single_parent", UNFAVOURABLE, "Высокая доля неполных семей"),
        RuleInfo("prevention_register", UNFAVOURABLE, "Высокая доля обучающихся на профилактическом учёте"),
        RuleInfo("rural_small", UNFAVOURABLE, "Сельская малокомплектная школа (дополнительный фактор)"),
        RuleInfo("vpr_raised", NONOBJECTIVE, "Высокая доля повысивших отметку по журналу на ВПР"),
        RuleInfo("vpr_journal_mismatch", NONOBJECTIVE, "Отметки ВПР не совпадают с отметками по журналу"),
        RuleInfo(
            "vpr_above_region", NONOBJECTIVE, "Результаты ВПР намного выше региона, не подтверждённые ГИА"
        ),
        RuleInfo("sharp_change", NONOBJECTIVE, "Резкое изменение результатов параллели за год"),
        RuleInfo("mark_boundary_peaks", NONOBJECTIVE, "Пики распределения баллов на границах отметок"),
    )
}
REGIONAL_RULES = (
    "oge_russian_fail",
    "oge_math_fail",
    "oge_russian_falling",
    "oge_math_falling",
    "oge_math_fail_rising",
    "ege_russian_below_region",
)
_CATEGORY_ORDER = {LOW: 0, UNFAVOURABLE: 1, NONOBJECTIVE: 2}
_RULE_ORDER = {key: n for n, key in enumerate(RULES)}


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def _default_quintile_subjects() -> dict[str, list[str]]:
    # Subjects every school with the procedure takes, so that schools are compared like for like.
    return {
        "ege": ["Русский язык"],
        "oge": ["Русский язык", "Математика"],
        "vpr": ["Русский язык", "Математика"],
    }


@dataclass(frozen=True)
class RuleSettings:
    """Every threshold of every rule. Defaults: seed 002, DOMAIN.md and ФИОКО's analysis advice;
    regions differ, so an office edits a copy (`rules template FILE.json`)."""

    # Seed 002: the lists are drawn up in August from the results of the last three years, so the
    # list for 2020/21 comes from 2017/18–2019/20. False: from the list's own year and the two before.
    results_before_list_year: bool = True
    # Samples (ФИОКО): under 20 participants a figure is weak, 50 and more is informative.
    min_participants: int = 20
    informative_participants: int = 50
    # ШНРО: the lowest 20 % by ЕГЭ, ОГЭ, ВПР over three years.
    quintile_share: float = 20.0
    quintile_min_procedures: int = 2
    quintile_min_years: int = 2
    quintile_min_schools: int = 5
    quintile_subjects: dict[str, list[str]] = field(default_factory=_default_quintile_subjects)
    # ВПР (and РКР) are written in grades 4–8, and grade 4 is marked higher than grade 8: a school is
    # compared by how far its mean mark lies from the mean of all schools in the same grade, subject
    # and year, so that a school without the upper grades does not look better than it is.
    vpr_by_grade: bool = True
    continuing_10_below: float = 60.0
    olympiad_at_most: float = 0.5
    # The six regional indicators (seed 002).
    russian_subject: str = "Русский язык"
    math_subject: str = "Математика"
    regional_margin: float = 0.0
    regional_min_indicators: int = 1
    # ШФНСУ.
    social_index_below: float = 0.4
    single_parent_above: float = 40.0
    prevention_register_above: float = 5.0
    rural_small_students_below: int = 100
    # Non-objectivity.
    vpr_raised_above: float = 15.0
    vpr_mismatch_above: float = 50.0
    vpr_above_region_points: float = 15.0
    sharp_change_quality_points: float = 30.0
    sharp_change_mean_mark: float = 0.6
    disabled_rules: list[str] = field(default_factory=list)

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled_rules

    def last_results_year(self, list_year: int) -> int:
        """The last academic year whose results a list for `list_year` is computed from."""
        return list_year - 1 if self.results_before_list_year else list_year

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, *, extra: Mapping[str, Any] | None = None) -> str:
        """The settings as the rules file: the values under "rules", each explained under
        "comments" for the person who edits the file; `extra` (a run's "not_applied") is kept."""
        payload: dict[str, Any] = {
            "format": RULES_FORMAT,
            "version": RULES_VERSION,
            "description": "Правила выявления ШНРО, ШФНСУ и школ с признаками необъективности "
            "результатов: пороговые значения. Измените значения в разделе «rules»; "
            "раздел «comments» — пояснения, программа его не читает.",
            "rules": self.to_dict(),
            "comments": dict(FIELD_LABELS),
        }
        if extra:
            payload.update(extra)
        return json.dumps(payload, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str | Mapping[str, Any], *, source: str = "") -> RuleSettings:
        """Settings from a rules file or a stored run; every problem named in Russian."""
        where = f" «{source}»" if source else ""
        if isinstance(text, str):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise AppError(
                    f"Файл правил{where} не читается как JSON: строка {exc.lineno}, столбец {exc.colno}."
                ) from exc
        else:
            data = text
        if not isinstance(data, dict):
            raise AppError(f"Файл правил{where}: ожидается объект JSON с разделом «rules».")
        if "format" in data and data["format"] != RULES_FORMAT:
            raise AppError(f"Файл{where} — не файл правил выявления «Опоры» (format «{data['format']}»).")
        if "version" in data and (not isinstance(data["version"], int) or isinstance(data["version"], bool)):
            raise AppError(
                f'Файл правил{where}: номер версии должен быть числом без кавычек ("version": {RULES_VERSION}), '
                f"а не {json.dumps(data['version'], ensure_ascii=False)}."
            )
        if "version" in data and data["version"] not in (1, RULES_VERSION):
            raise AppError(
                f"Файл правил{where} версии {data['version']}: эта версия программы читает версии 1–{RULES_VERSION}."
            )
        values = data.get("rules", data if "format" not in data else None)
        if not isinstance(values, dict):
            raise AppError(f"Файл правил{where}: нет раздела «rules» с пороговыми значениями.")
        if data.get("version") == 1:
            values = {**_VERSION_1_VALUES, **values}
        return cls._from_values(values, where)

    @classmethod
    def _from_values(cls, values: Mapping[str, Any], where: str) -> RuleSettings:
        known = {f.name: f for f in fields(cls)}
        problems: list[str] = []
        clean: dict[str, Any] = {}
        defaults = cls()
        for name, value in values.items():
            if name not in known:
                problems.append(f"неизвестный параметр «{name}»")
                continue
            label = f"«{name}» ({FIELD_LABELS.get(name, name)})"
            default = getattr(defaults, name)
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    shown = json.dumps(value, ensure_ascii=False)
                    problems.append(f"«{name}»: нужно true или false (без кавычек), а не {shown}")
                    continue
                clean[name] = value
            elif default is None:
                clean[name] = value
            elif isinstance(default, int) and not isinstance(default, bool):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    problems.append(f"{label}: нужно целое неотрицательное число, а не {value!r}")
                    continue
                clean[name] = value
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    problems.append(f"{label}: нужно число, а не {value!r}")
                    continue
                if value < 0 or (name in _PERCENT_FIELDS and value > 100):
                    problems.append(f"{label}: значение {value} вне допустимых пределов")
                    continue
                clean[name] = float(value)
            elif isinstance(default, str):
                if not isinstance(value, str) or not value.strip():
                    problems.append(f"{label}: нужно непустое название предмета")
                    continue
                clean[name] = value
            elif name == "disabled_rules":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    problems.append(f"{label}: нужен список ключей правил")
                    continue
                unknown = [v for v in value if v not in RULES]
                if unknown:
                    problems.append(f"{label}: неизвестные правила {', '.join(unknown)}")
                    continue
                clean[name] = list(value)
            elif name == "quintile_subjects":
                if (
                    not isinstance(value, dict)
                    or any(k not in ("ege", "oge", "vpr") for k in value)
                    or not all(
                        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
                    )
                ):
                    problems.append(
                        f'{label}: нужен объект вида {{"ege": ["Русский язык"], "oge": […], "vpr": […]}}'
                    )
                    continue
                clean[name] = {k: list(v) for k, v in value.items()}
        if not problems:
            merged = {**defaults.to_dict(), **clean}
            if merged["quintile_share"] <= 0:
                problems.append("«quintile_share»: доля школ должна быть больше нуля")
            if merged["min_participants"] > merged["informative_participants"]:
                problems.append(
                    "«min_participants» больше «informative_participants»: порог слабой выборки "
                    "не может быть выше порога информативной"
                )
        if problems:
            raise AppError(f"Ошибки в файле правил{where}:\n" + "\n".join(f"— {p}" for p in problems))
        return cls(**clean)


FIELD_LABELS: dict[str, str] = {
    "results_before_list_year": "true — списки на учебный год рассчитываются по результатам трёх предыдущих "
    "учебных лет (выявление в августе, как в положении Ельнинского района); false — по результатам года "
    "списка и двух предыдущих",
    "min_participants": "менее стольких участников — слабое основание: показывается, но не считается доказательством",
    "informative_participants": "от стольких участников выборка информативна (отмечается в пояснении)",
    "quintile_share": "доля школ с самыми низкими результатами по каждой процедуре, %",
    "quintile_min_procedures": "в скольких процедурах из ЕГЭ, ОГЭ, ВПР школа должна попасть в нижнюю долю "
    "(1 — достаточно одной; если школа участвует в меньшем числе процедур — во всех своих)",
    "quintile_min_years": "сколько лет из трёх должны быть результаты, чтобы школа участвовала в ранжировании",
    "quintile_min_schools": "меньше стольких школ с данными — ранжирование по процедуре не проводится",
    "quintile_subjects": "предметы, по которым сравниваются школы (ключи ege, oge, vpr); пустой список — все предметы",
    "vpr_by_grade": "true — ВПР сравниваются по отклонению средней отметки школы от средней по всем школам "
    "в тех же классе, предмете и году (в 4 классе отметки выше, чем в 8-м); false — по средней отметке",
    "continuing_10_below": "ШНРО, если продолжают обучение в 10 классе менее стольких % выпускников 9 класса",
    "olympiad_at_most": "ШНРО, если участвуют в олимпиадах столько % обучающихся и меньше (среднее за 3 года)",
    "russian_subject": "название предмета «русский язык» в отчётах",
    "math_subject": "название предмета «математика» в отчётах",
    "regional_margin": "на сколько процентных пунктов доля не преодолевших порог ОГЭ должна превышать региональную",
    "regional_min_indicators": "сколько региональных показателей должно выполниться, чтобы каждый из них стал основанием",
    "social_index_below": "ШФНСУ, если индекс социального благополучия ниже (шкала 0–1: выше — благополучнее)",
    "single_parent_above": "ШФНСУ, если доля неполных семей выше, %",
    "prevention_register_above": "ШФНСУ, если доля обучающихся на профилактическом учёте выше, %",
    "rural_small_students_below": "сельская школа с меньшим числом обучающихся — малокомплектная "
    "(дополнительный фактор, только вместе с другим признаком ШФНСУ)",
    "vpr_raised_above": "признак необъективности, если на ВПР повысили отметку по журналу более стольких % участников",
    "vpr_mismatch_above": "признак необъективности, если отметка ВПР не совпала с журнальной более чем у стольких % участников",
    "vpr_above_region_points": "на сколько пунктов качество ВПР (доля 4 и 5) выше региона при ОГЭ/ЕГЭ не выше региона",
    "sharp_change_quality_points": "резкое изменение качества (доля 4 и 5) одной параллели за год, пунктов",
    "sharp_change_mean_mark": "резкое изменение среднего балла (отметки) одной параллели за год",
    "disabled_rules": "ключи правил, которые не применяются: " + ", ".join(RULES),
}
_PERCENT_FIELDS = {
    "quintile_share",
    "continuing_10_below",
    "olympiad_at_most",
    "single_parent_above",
    "prevention_register_above",
    "vpr_raised_above",
    "vpr_mismatch_above",
}


def load_rules(path: Path | str) -> RuleSettings:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise AppError(f"Файл правил «{path}» не найден.") from exc
    except UnicodeDecodeError as exc:
        raise AppError(f"Файл правил «{path.name}» не в кодировке UTF-8: сохраните его как UTF-8.") from exc
    except OSError as exc:
        raise AppError(f"Не удалось прочитать файл правил «{path.name}»: {os_reason(exc)}.") from exc
    return RuleSettings.from_json(text, source=path.name)


def default_rules_path() -> Path:
    from app.paths import resources_dir

    return resources_dir() / "identification" / "default_rules.json"


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def num(value: float, digits: int = 1) -> str:
    """52.14 → «52,1»; -0.0 → «0,0»."""
    text = f"{value:.{digits}f}".replace(".", ",").replace("-", "−")
    return "0" + text[2:] if text.startswith("−0") and float(f"{value:.{digits}f}") == 0 else text


def _mark_digits(value: float) -> int:
    # Marks (2–5) need two decimals to tell schools apart; scores and percentages one.
    return 2 if abs(value) < 10 else 1


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def years_label(first: int, last: int) -> str:
    return year_label(first) if first == last else f"{year_label(first)}–{year_label(last)}"


def _subject_key(subject: str) -> str:
    return " ".join(subject.replace("ё", "е").replace("Ё", "Е").lower().split())


def _subject_phrase(subject: str) -> str:
    """«Русский язык» → «русскому языку»: the dative the sentences need, for the usual subjects."""
    known = {
        "русский язык": "русскому языку",
        "математика": "математике",
        "физика": "физике",
        "химия": "химии",
        "биология": "биологии",
        "история": "истории",
        "обществознание": "обществознанию",
        "география": "географии",
        "информатика": "информатике",
        "литература": "литературе",
        "окружающий мир": "окружающему миру",
        "английский язык": "английскому языку",
    }
    return known.get(_subject_key(subject), f"предмету «{subject}»")


@dataclass
class Outcome:
    """What a run of the rules found: the proposals, and the rules that could not be applied
    (with the reason, in Russian) — stored with the run so that a reader knows what was checked."""

    proposals: list[Proposal]
    not_applied: dict[str, str] = field(default_factory=dict)
    # Set by the service that read the results: their years and fingerprint, stored with the run.
    data_years: tuple[int, int] | None = None
    data_fingerprint: str = ""
    missing_years: list[int] = field(default_factory=list)  # of data_years, without any school's figures


# --------------------------------------------------------------------------------------------
# The pass over the results
# --------------------------------------------------------------------------------------------


class _Pass:
    """Everything the rules need from the results, gathered in one pass over them."""

    def __init__(self, year: int, settings: RuleSettings, allowed: set[int] | None) -> None:
        self.year = year
        self.first = year - 2
        self.settings = settings
        self.allowed = allowed
        self.names: dict[str, str] = {}  # subject key → the subject as first seen
        self._keys: dict[str, str] = {}
        self.quintile_keys = {
            (Procedure(proc), _subject_key(s))
            for proc, subjects in settings.quintile_subjects.items()
            for s in subjects
        }
        self.quintile_all = {
            Procedure(p) for p, subjects in settings.quintile_subjects.items() if not subjects
        }
        self.russian = _subject_key(settings.russian_subject)
        self.math = _subject_key(settings.math_subject)
        # (school, procedure, subject) → [Σ value·weight, Σ weight, Σ participants, year bitmask, weights by grade]
        self.quintile: dict[tuple[int, Procedure, str], list[Any]] = {}
        # ВПР and РКР by grade (settings.vpr_by_grade): (year, procedure, subject, grade) → [Σ value·weight,
        # Σ weight] over all schools; each school's weight per (year, grade) is the fifth item of its
        # `quintile` entry, so that the means can be subtracted after the pass
        self.grade_sums: dict[tuple[int, Procedure, str, int], list[float]] = {}
        # (school, procedure, subject, year) → (average, fail share, participants), ОГЭ/ЕГЭ русский, математика
        self.gia: dict[tuple[int, Procedure, str, int], tuple[float | None, float | None, int | None]] = {}
        # school → [Σ raised·n, Σ (lowered + raised)·n, Σ n (lines with raised), Σ n (lines with both), participants]
        self.journal: dict[int, list[float]] = {}
        self.raised_lines: dict[int, list[tuple[float, str, int, int | None]]] = {}
        # school → [(procedure, subject, grade, quality or average, participants)] of the year, vs the region
        self.vpr_lines: dict[int, list[tuple[str, int, float, int | None]]] = {}
        self.gia_lines: dict[int, list[tuple[Procedure, str, float, int | None]]] = {}
        # (school, procedure, subject, grade) → (quality, mean mark, participants) of the two last years
        self.this_year: dict[tuple[int, Procedure, str, int], tuple[float | None, float | None, int]] = {}
        self.last_year: dict[tuple[int, Procedure, str, int], tuple[float | None, float | None, int]] = {}
        # (year, procedure, subject, grade) → (average, fail share, quality) of the region
        self.region: dict[
            tuple[int, Procedure, str, int], tuple[float | None, float | None, float | None]
        ] = {}

    def quintile_value(self, qkey: tuple[int, Procedure, str]) -> float:
        """The school's value in the ranking: its weighted mean over the years, or for ВПР and РКР
        compared by grade, that mean less the mean of all schools in the same years and grades."""
        total, weight, _, _, weights = self.quintile[qkey]
        value = total / weight
        if weights:
            sums = self.grade_sums
            expected = 0.0
            for gkey, w in weights.items():  # (year, procedure, subject, grade) → the school's weight
                g = sums[gkey]
                expected += w * g[0] / g[1]
            value -= expected / weight
        return value

    def key(self, subject: str) -> str:
        key = self._keys.get(subject)
        if key is None:
            key = self._keys[subject] = _subject_key(subject)
            self.names.setdefault(key, subject.strip())
        return key

    def _info(self, proc: Procedure, subject: str) -> tuple[str, bool, bool]:
        """(subject key, compared in the quintile rule, a ГИА subject of the regional indicators)."""
        skey = self.key(subject)
        in_quintile = (proc, skey) in self.quintile_keys or proc in self.quintile_all
        return skey, in_quintile, skey in (self.russian, self.math)

    def _region_line(self, r: Result) -> None:
        proc = r.procedure
        gia = proc is Procedure.OGE or proc is Procedure.EGE
        s4, s5 = r.share_4, r.share_5
        quality = s4 + s5 if s4 is not None and s5 is not None else None
        fail = r.below_minimum if r.below_minimum is not None else r.share_2
        average = (r.average if r.average is not None else _mean_mark(r)) if gia else _mean_mark(r)
        key = (r.academic_year, proc, self.key(r.subject), 0 if gia else r.grade)
        self.region.setdefault(key, (average, fail, quality))

    def feed(self, results: Iterable[Result]) -> None:
        # One loop over millions of lines: locals instead of attributes, the subject's flags cached
        # per procedure, the mean mark computed inline and only where a rule needs it.
        year, first, prev = self.year, self.first, self.year - 1
        SCHOOL, REGION = Level.SCHOOL, Level.REGION
        VPR, RKR, OGE, EGE = Procedure.VPR, Procedure.RKR, Procedure.OGE, Procedure.EGE
        allowed = self.allowed
        infos: dict[Procedure, dict[str, tuple[str, bool, bool]]] = {p: {} for p in Procedure}
        vpr_info, rkr_info, oge_info, ege_info = infos[VPR], infos[RKR], infos[OGE], infos[EGE]
        quintile, gia = self.quintile, self.gia
        this_year, last_year = self.this_year, self.last_year
        journal, raised_lines, vpr_lines = self.journal, self.raised_lines, self.vpr_lines
        gia_lines = self.gia_lines
        grade_sums = self.grade_sums
        by_grade = self.settings.vpr_by_grade
        min_n = self.settings.min_participants
        raised_above = self.settings.vpr_raised_above
        for r in results:
            y = r.academic_year
            if y < first or y > year:
                continue
            if r.level is not SCHOOL:
                if r.level is REGION:
                    self._region_line(r)
                continue
            sid = r.school_id
            if allowed is not None and sid not in allowed:
                continue
            proc = r.procedure
            subject = r.subject
            n = r.participants
            if proc is VPR or proc is RKR:
                info = (vpr_info if proc is VPR else rkr_info).get(subject)
                if info is None:
                    info = infos[proc][subject] = self._info(proc, subject)
                skey, in_quintile = info[0], info[1]
                s2, s3, s4, s5 = r.share_2, r.share_3, r.share_4, r.share_5
                if s4 is not None and s5 is not None:
                    quality: float | None = s4 + s5
                    total = s2 + s3 + s4 + s5 if s2 is not None and s3 is not None else 0.0
                    value = (2 * s2 + 3 * s3 + 4 * s4 + 5 * s5) / total if total > 0 else r.average  # type: ignore[operator]
                else:
                    quality, value = None, r.average
                if y == year and proc is VPR:
                    raised = r.raised
                    if raised is not None:
                        weight = n if n else 1
                        acc = journal.get(sid)
                        if acc is None:
                            # raised·w over all lines; (raised+lowered)·w, w and raised·w over the lines
                            # that give both (the mismatch and its parts come from the same lines)
                            acc = journal[sid] = [0.0, 0.0, 0, 0, 0, 0.0]
                        acc[0] += raised * weight
                        acc[2] += weight
                        acc[4] = max(acc[4], n or 0)  # the largest work, not a sum: the same pupils recur
                        lowered = r.lowered
                        if lowered is not None:
                            acc[1] += (raised + lowered) * weight
                            acc[3] += weight
                            acc[5] += raised * weight
                        if raised > raised_above:
                            raised_lines.setdefault(sid, []).append((raised, skey, r.grade, n))
                    if quality is not None:
                        lines = vpr_lines.get(sid)
                        if lines is None:
                            vpr_lines[sid] = [(skey, r.grade, quality, n)]
                        else:
                            lines.append((skey, r.grade, quality, n))
                if y >= prev and n is not None and n >= min_n:
                    # Inserts only (a pop per line costs three times as much); paired after the pass.
                    (this_year if y == year else last_year)[(sid, proc, skey, r.grade)] = (quality, value, n)
            elif proc is OGE or proc is EGE:
                info = (oge_info if proc is OGE else ege_info).get(subject)
                if info is None:
                    info = infos[proc][subject] = self._info(proc, subject)
                skey, in_quintile = info[0], info[1]
                value = r.average if r.average is not None else _mean_mark(r)
                if info[2]:
                    fail = r.below_minimum if r.below_minimum is not None else r.share_2
                    gia.setdefault((sid, proc, skey, y), (value, fail, n))
                if y == year and value is not None:
                    gia_lines.setdefault(sid, []).append((proc, skey, value, n))
            else:
                continue
            if not in_quintile or value is None:
                continue
            qkey = (sid, proc, skey)
            acc = quintile.get(qkey)
            if acc is None:
                acc = quintile[qkey] = [0.0, 0.0, 0, 0, None]
            weight = n if n else 1
            acc[0] += value * weight
            acc[1] += weight
            acc[2] = max(acc[2], n or 0)  # the largest work: summing would count the same pupils again
            acc[3] |= 1 << (y - first)
            if by_grade and (proc is VPR or proc is RKR):
                gkey = (y, proc, skey, r.grade)
                sums = grade_sums.get(gkey)
                if sums is None:
                    sums = grade_sums[gkey] = [0.0, 0.0]
                sums[0] += value * weight
                sums[1] += weight
                weights = acc[4]
                if weights is None:
                    acc[4] = {gkey: weight}
                else:
                    weights[gkey] = weights.get(gkey, 0) + weight


def _years_of_mask(first: int, mask: int) -> str:
    """The years a school has results for (bit i: the year first + i): «2017/18–2019/20»,
    «2018/19–2019/20» or «2017/18, 2019/20» — what the explanation's figures stand on."""
    years = [first + i for i in range(mask.bit_length()) if mask >> i & 1]
    if not years:
        return years_label(first, first + 2)
    if years == list(range(years[0], years[-1] + 1)):
        return years_label(years[0], years[-1])
    return ", ".join(year_label(y) for y in years)


def _mean_mark(r: Result) -> float | None:
    """Result.mean_mark without the generator: this runs once per line of millions."""
    s2, s3, s4, s5 = r.share_2, r.share_3, r.share_4, r.share_5
    if s2 is None or s3 is None or s4 is None or s5 is None:
        return r.average
    total = s2 + s3 + s4 + s5
    if total <= 0:
        return r.average
    return (2 * s2 + 3 * s3 + 4 * s4 + 5 * s5) / total


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------


class _Rules:
    def __init__(self, year: int, settings: RuleSettings, data: _Pass) -> None:
        self.year = year
        self.settings = settings
        self.data = data
        self.proposals: list[Proposal] = []
        self.not_applied: dict[str, str] = {}

    # --- helpers ---------------------------------------------------------------------------
    def sample(self, n: int | None) -> str:
        s = self.settings
        if n is None:
            return "число участников не указано — слабое основание"
        if n < s.min_participants:
            return f"участников {n} — меньше {s.min_participants}, слабое основание"
        if n >= s.informative_participants:
            return f"участников {n} — выборка информативна ({s.informative_participants} и более)"
        return f"участников {n}"

    def weak(self, n: int | None) -> bool:
        return n is None or n < self.settings.min_participants

    def name(self, skey: str) -> str:
        return self.data.names.get(skey, skey)

    def add(
        self,
        school_id: int,
        rule: str,
        explanation: str,
        figures: dict[str, Any],
        thresholds: dict[str, Any],
        weak: bool = False,
    ) -> None:
        # Four decimals: enough to check by hand, and the stored JSON stays short and stable.
        figures = {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
        thresholds = {k: round(v, 4) if isinstance(v, float) else v for k, v in thresholds.items()}
        self.proposals.append(
            Proposal(school_id, RULES[rule].category, rule, explanation, figures, thresholds, weak)
        )

    # --- ШНРО ------------------------------------------------------------------------------
    def low_quintile(self) -> None:
        s, data = self.settings, self.data
        subjects_of: dict[Procedure, set[str]] = {}
        for proc, skey in data.quintile_keys:
            subjects_of.setdefault(proc, set()).add(skey)
        # (school, procedure) → {subject: (value, participants)}, years bitmask
        per: dict[tuple[int, Procedure], dict[str, tuple[float, int]]] = {}
        masks: dict[tuple[int, Procedure], int] = {}
        for qkey, (_, _, participants, mask, _) in data.quintile.items():
            sid, proc, skey = qkey
            per.setdefault((sid, proc), {})[skey] = (data.quintile_value(qkey), int(participants))
            masks[(sid, proc)] = masks.get((sid, proc), 0) | int(mask)
        scores: dict[Procedure, list[tuple[float, int]]] = {}
        details: dict[tuple[int, Procedure], tuple[float, dict[str, tuple[float, int]], int]] = {}
        for (sid, proc), subjects in per.items():
            wanted = subjects_of.get(proc)
            if wanted and not wanted <= subjects.keys():
                continue  # a school without one of the compared subjects is not compared
            if bin(masks[(sid, proc)]).count("1") < s.quintile_min_years:
                continue
            score = sum(v for v, _ in subjects.values()) / len(subjects)
            participants = min(n for _, n in subjects.values())
            scores.setdefault(proc, []).append((score, sid))
            details[(sid, proc)] = (score, subjects, participants)
        thresholds: dict[Procedure, tuple[float, int]] = {}
        skipped = []
        for proc in (Procedure.EGE, Procedure.OGE, Procedure.VPR):
            # the threshold comes from schools with enough participants: tiny noisy samples must not
            # take the bottom places (they are compared with the threshold, and flagged, below)
            ranked = sorted(
                (score, sid) for score, sid in scores.get(proc, []) if not self.weak(details[(sid, proc)][2])
            )
            if proc.value not in s.quintile_subjects:
                continue
            if len(ranked) < max(1, s.quintile_min_schools):
                skipped.append(
                    f"{proc.label}: школ с данными {len(ranked)}, нужно не меньше {s.quintile_min_schools}"
                )
                continue
            k = max(1, math.ceil(len(ranked) * s.quintile_share / 100 - 1e-9))
            thresholds[proc] = (ranked[k - 1][0], len(ranked))
        if skipped:
            self.not_applied["low_quintile"] = "Ранжирование не проведено — " + "; ".join(skipped)
        if not thresholds:
            return
        hits: dict[int, list[Procedure]] = {}
        available: dict[int, int] = {}
        for (sid, proc), (score, _, _) in details.items():
            if proc not in thresholds:
                continue
            available[sid] = available.get(sid, 0) + 1
            if score <= thresholds[proc][0] + 1e-9:
                hits.setdefault(sid, []).append(proc)
        order = {Procedure.EGE: 0, Procedure.OGE: 1, Procedure.VPR: 2}
        for sid in sorted(hits):
            procs = sorted(hits[sid], key=order.__getitem__)
            required = min(max(1, s.quintile_min_procedures), available[sid])
            if len(procs) < required:
                continue
            strong = [p for p in procs if not self.weak(details[(sid, p)][2])]
            parts, figures, limits = [], {}, {}
            for proc in procs:
                score, subjects, participants = details[(sid, proc)]
                limit, ranked = thresholds[proc]
                names = sorted(subjects, key=lambda k: self.name(k))
                if data.quintile[(sid, proc, names[0])][4]:
                    what = "отклонение средней отметки от средней по всем школам в тех же классах и годах по "
                else:
                    what = "средний балл по "
                what += (
                    " и ".join(_subject_phrase(self.name(k)) for k in names)
                    if len(names) <= 3
                    else f"{len(names)} предметам"
                )
                digits = _mark_digits(limit)
                if len(names) > 1:
                    each = ", ".join(f"{self.name(k).lower()} {num(subjects[k][0], digits)}" for k in names)
                    what += f" {num(score, digits)} ({each})"
                else:
                    what += f" {num(score, digits)}"
                parts.append(
                    f"{proc.label}: {what} за {_years_of_mask(data.first, masks[(sid, proc)])} — в нижних {num(s.quintile_share, 0)} % школ "
                    f"(порог {num(limit, digits)}, школ в ранжировании {ranked}; {self.sample(participants)})"
                )
                figures[f"{proc.value}_score"] = round(score, 4)
                figures[f"{proc.value}_participants"] = participants
                for k in names:
                    figures[f"{proc.value}:{self.name(k)}"] = round(subjects[k][0], 4)
                limits[f"{proc.value}_threshold"] = round(limit, 4)
                limits[f"{proc.value}_ranked"] = ranked
                if data.quintile[(sid, proc, names[0])][4]:
                    limits[f"{proc.value}_by_grade"] = True
            limits["share_percent"] = s.quintile_share
            limits["min_procedures"] = required
            figures["procedures"] = len(procs)
            text = "; ".join(parts) + "."
            if required < max(1, s.quintile_min_procedures):
                text += f" Школа участвует в {available[sid]} из процедур ЕГЭ, ОГЭ, ВПР — учтены все."
            weak = len(strong) < required
            if weak:
                text += (
                    f" Менее {s.min_participants} участников — слабое основание: без таких выборок "
                    f"в нижней доле {len(strong)} из {required} нужных процедур, это не доказательство."
                )
            self.add(sid, "low_quintile", text, figures, limits, weak)

    def context_rules(self, context: Iterable[ContextValue], schools: Mapping[int, Any]) -> None:
        s, year, first = self.settings, self.year, self.data.first
        allowed = self.data.allowed
        values: dict[tuple[int, Indicator], dict[int, float]] = {}
        for c in context:
            if first <= c.academic_year <= year and (allowed is None or c.school_id in allowed):
                values.setdefault((c.school_id, Indicator(c.indicator)), {})[c.academic_year] = c.value
        seen = {indicator for _, indicator in values}

        def latest(sid: int, indicator: Indicator) -> tuple[int, float] | None:
            by_year = values.get((sid, indicator))
            if not by_year:
                return None
            last = max(by_year)
            return last, by_year[last]

        school_ids = sorted({sid for sid, _ in values})
        missing = {
            "continuing_10": Indicator.CONTINUING_10,
            "olympiad": Indicator.OLYMPIAD_SHARE,
            "social_index": Indicator.SOCIAL_INDEX,
            "single_parent": Indicator.SINGLE_PARENT,
            "prevention_register": Indicator.PREVENTION_REGISTER,
        }
        for rule, indicator in missing.items():
            if s.enabled(rule) and indicator not in seen:
                self.not_applied[rule] = f"Нет данных: «{indicator.label}» за {years_label(first, year)}."
        unfavourable: dict[int, list[str]] = {}
        for sid in school_ids:
            found = latest(sid, Indicator.CONTINUING_10)
            if found and s.enabled("continuing_10") and found[1] < s.continuing_10_below - 1e-9:
                self.add(
                    sid,
                    "continuing_10",
                    f"Продолжили обучение в 10 классе {num(found[1])} % выпускников 9 класса "
                    f"({year_label(found[0])}) — менее {num(s.continuing_10_below)} %.",
                    {"continuing_10": found[1], "year": found[0]},
                    {"continuing_10_below": s.continuing_10_below},
                )
            by_year = values.get((sid, Indicator.OLYMPIAD_SHARE))
            if by_year and s.enabled("olympiad"):
                mean = sum(by_year.values()) / len(by_year)
                if mean <= s.olympiad_at_most + 1e-9:
                    count = len(by_year)
                    self.add(
                        sid,
                        "olympiad",
                        f"В олимпиадах участвовали в среднем {num(mean, 2)} % обучающихся "
                        f"({years_label(min(by_year), max(by_year))}, лет с данными: {count}) — "
                        f"не более {num(s.olympiad_at_most, 2)} %.",
                        {"olympiad_share": round(mean, 4), "years": count},
                        {"olympiad_at_most": s.olympiad_at_most},
                    )
            checks = (
                (
                    "social_index",
                    Indicator.SOCIAL_INDEX,
                    "Индекс социального благополучия",
                    "ниже порога",
                    False,
                ),
                ("single_parent", Indicator.SINGLE_PARENT, "Доля неполных семей", "выше порога", True),
                (
                    "prevention_register",
                    Indicator.PREVENTION_REGISTER,
                    "Доля обучающихся на профилактическом учёте",
                    "выше порога",
                    True,
                ),
            )
            for rule, indicator, label, relation, above in checks:
                found = latest(sid, indicator)
                if not found or not s.enabled(rule):
                    continue
                limit = getattr(s, f"{rule}_{'above' if above else 'below'}")
                hit = found[1] > limit + 1e-9 if above else found[1] < limit - 1e-9
                if not hit:
                    continue
                unit = " %" if above else ""
                digits = 1 if above else 2
                self.add(
                    sid,
                    rule,
                    f"{label} {num(found[1], digits)}{unit} ({year_label(found[0])}) — {relation} "
                    f"{num(limit, digits)}{unit}.",
                    {indicator.value: found[1], "year": found[0]},
                    {f"{rule}_{'above' if above else 'below'}": limit},
                )
                unfavourable.setdefault(sid, []).append(label[0].lower() + label[1:])
        if not s.enabled("rural_small"):
            return
        for sid, reasons in sorted(unfavourable.items()):
            school = schools.get(sid)
            if school is None:
                continue
            students = getattr(school, "students", None)
            if str(getattr(school, "locality", "")) != "rural" or students is None:
                continue
            if students < s.rural_small_students_below:
                self.add(
                    sid,
                    "rural_small",
                    f"Сельская малокомплектная школа: {students} обучающихся (менее "
                    f"{s.rural_small_students_below}) — дополнительный фактор, учитывается только вместе "
                    f"с другим признаком ШФНСУ (здесь: {', '.join(reasons)}).",
                    {"students": students, "locality": "сельская"},
                    {"rural_small_students_below": s.rural_small_students_below},
                )

    def regional(self) -> None:
        s, data, year = self.settings, self.data, self.year
        OGE, EGE = Procedure.OGE, Procedure.EGE
        russian, math_key = data.russian, data.math
        region = data.region
        found: dict[int, list[tuple[str, str, dict[str, Any], dict[str, Any], bool]]] = {}
        schools = sorted({sid for sid, _, _, _ in data.gia})

        def note_missing(rule: str, what: str) -> None:
            self.not_applied.setdefault(rule, f"Нет данных: {what}.")

        def line(
            sid: int, proc: Procedure, skey: str, y: int
        ) -> tuple[float | None, float | None, int | None] | None:
            return data.gia.get((sid, proc, skey, y))

        compares = (
            ("oge_russian_fail", OGE, russian),
            ("oge_math_fail", OGE, math_key),
        )
        for rule, proc, skey in compares:
            if not s.enabled(rule):
                continue
            reg = region.get((year, proc, skey, 0))
            if reg is None or reg[1] is None:
                note_missing(
                    rule,
                    f"доля не преодолевших порог {proc.label} ({self.name(skey)}) по региону за {year_label(year)}",
                )
                continue
            for sid in schools:
                own = line(sid, proc, skey, year)
                if own is None or own[1] is None:
                    continue
                if own[1] > reg[1] + s.regional_margin + 1e-9:
                    found.setdefault(sid, []).append(
                        (
                            rule,
                            f"Доля не преодолевших минимальный порог ОГЭ по {_subject_phrase(self.name(skey))} "
                            f"{num(own[1])} % ({year_label(year)}) — больше, чем по региону ({num(reg[1])} %"
                            + (f" + {num(s.regional_margin)} п." if s.regional_margin else "")
                            + f"); {self.sample(own[2])}.",
                            {"fail_share": own[1], "participants": own[2] or 0},
                            {"region_fail_share": reg[1], "regional_margin": s.regional_margin},
                            self.weak(own[2]),
                        )
                    )
        for rule, skey in (("oge_russian_falling", russian), ("oge_math_falling", math_key)):
            if not s.enabled(rule):
                continue
            for sid in schools:
                lines = [line(sid, OGE, skey, y) for y in (year - 2, year - 1, year)]
                if any(x is None or x[0] is None for x in lines):
                    continue
                a, b, c = (x[0] for x in lines)  # type: ignore[index]
                if a > b + 1e-9 and b > c + 1e-9:
                    digits = _mark_digits(c)
                    ns = [x[2] for x in lines]  # type: ignore[index]
                    found.setdefault(sid, []).append(
                        (
                            rule,
                            f"Средний балл ОГЭ по {_subject_phrase(self.name(skey))} снижается два года подряд: "
                            f"{num(a, digits)} ({year_label(year - 2)}) → {num(b, digits)} ({year_label(year - 1)}) → "
                            f"{num(c, digits)} ({year_label(year)}); {self.sample(min(n or 0 for n in ns))}.",
                            {
                                str(year - 2): a,
                                str(year - 1): b,
                                str(year): c,
                                "participants": min(n or 0 for n in ns),
                            },
                            {"falling_years": 2},
                            any(self.weak(n) for n in ns),
                        )
                    )
        if s.enabled("oge_math_fail_rising"):
            for sid in schools:
                old, new = line(sid, OGE, math_key, year - 1), line(sid, OGE, math_key, year)
                if old is None or new is None or old[1] is None or new[1] is None:
                    continue
                if new[1] > old[1] + 1e-9:
                    found.setdefault(sid, []).append(
                        (
                            "oge_math_fail_rising",
                            f"Доля не преодолевших минимальный порог ОГЭ по математике выросла: "
                            f"{num(old[1])} % ({year_label(year - 1)}) → {num(new[1])} % ({year_label(year)}); "
                            f"{self.sample(min(old[2] or 0, new[2] or 0))}.",
                            {
                                str(year - 1): old[1],
                                str(year): new[1],
                                "participants": min(old[2] or 0, new[2] or 0),
                            },
                            {"rising": "больше, чем годом ранее"},
                            self.weak(old[2]) or self.weak(new[2]),
                        )
                    )
        if s.enabled("ege_russian_below_region"):
            reg = region.get((year, EGE, russian, 0))
            if reg is None or reg[0] is None:
                note_missing(
                    "ege_russian_below_region",
                    f"средний балл ЕГЭ (русский язык) по региону за {year_label(year)}",
                )
            else:
                for sid in schools:
                    own = line(sid, EGE, russian, year)
                    if own is None or own[0] is None:
                        continue
                    if own[0] < reg[0] - 1e-9:
                        found.setdefault(sid, []).append(
                            (
                                "ege_russian_below_region",
                                f"Средний балл ЕГЭ по русскому языку {num(own[0])} ({year_label(year)}) — ниже "
                                f"среднего по региону ({num(reg[0])}); {self.sample(own[2])}.",
                                {"average": own[0], "participants": own[2] or 0},
                                {"region_average": reg[0]},
                                self.weak(own[2]),
                            )
                        )
        need = max(1, s.regional_min_indicators)
        for sid, items in sorted(found.items()):
            if len(items) < need:
                continue
            # small samples may show a school, never make up the required number of indicators
            short_of_strong = sum(1 for item in items if not item[4]) < need
            for rule, text, figures, limits, weak in items:
                if need > 1:
                    text += f" Выполнено региональных показателей: {len(items)} (нужно не меньше {need})."
                    if short_of_strong:
                        text += f" Без выборок меньше {s.min_participants} участников их меньше {need}."
                    limits = {**limits, "regional_min_indicators": need}
                self.add(sid, rule, text, figures, limits, weak or short_of_strong)

    # --- non-objectivity -------------------------------------------------------------------
    def journal(self) -> None:
        s, data, year = self.settings, self.data, self.year
        if not data.journal:
            for rule in ("vpr_raised", "vpr_journal_mismatch"):
                if s.enabled(rule):
                    self.not_applied[rule] = (
                        f"Нет данных: «Сравнение отметок с отметками по журналу» (ВПР) за {year_label(year)}."
                    )
            return
        caveat = (
            " Признак ФИОКО «расхождение на 2 балла и более» по сводным отчётам не вычисляется "
            "(нужны индивидуальные результаты): использованы доли понизивших и повысивших."
        )
        for sid in sorted(data.journal):
            raised_sum, both_sum, raised_w, both_w, participants, raised_of_both = data.journal[sid]
            n = int(participants) or None
            if s.enabled("vpr_raised") and raised_w:
                raised = raised_sum / raised_w
                if raised > s.vpr_raised_above + 1e-9:
                    lines = sorted(data.raised_lines.get(sid, []), reverse=True)[:3]
                    worst = ", ".join(
                        f"{self.name(k)}, {g} кл. — {num(v)} %" + (f" из {c}" if c else "")
                        for v, k, g, c in lines
                    )
                    self.add(
                        sid,
                        "vpr_raised",
                        f"На ВПР {year_label(year)} получили отметку выше, чем по журналу, {num(raised)} % "
                        f"участников — больше {num(s.vpr_raised_above)} %"
                        + (f" (больше всего: {worst})" if worst else "")
                        + f"; {self.sample(n)}.",
                        {
                            "raised": round(raised, 4),
                            "participants": n or 0,
                            "lines_above": len(data.raised_lines.get(sid, [])),
                        },
                        {"vpr_raised_above": s.vpr_raised_above},
                        self.weak(n),
                    )
            if s.enabled("vpr_journal_mismatch") and both_w:
                mismatch = both_sum / both_w
                raised = raised_of_both / both_w
                if mismatch > s.vpr_mismatch_above + 1e-9:
                    self.add(
                        sid,
                        "vpr_journal_mismatch",
                        f"На ВПР {year_label(year)} отметка не совпала с отметкой по журналу у {num(mismatch)} % "
                        f"участников (понизили {num(mismatch - raised)} %, повысили {num(raised)} %) — больше "
                        f"{num(s.vpr_mismatch_above)} %; {self.sample(n)}." + caveat,
                        {
                            "mismatch": round(mismatch, 4),
                            "lowered": round(mismatch - raised, 4),
                            "raised": round(raised, 4),
                            "participants": n or 0,
                        },
                        {"vpr_mismatch_above": s.vpr_mismatch_above},
                        self.weak(n),
                    )

    def above_region(self) -> None:
        s, data, year = self.settings, self.data, self.year
        region = data.region
        if not any(k[0] == year and k[1] is Procedure.VPR for k in region):
            self.not_applied["vpr_above_region"] = (
                f"Нет данных: результаты ВПР по региону за {year_label(year)}."
            )
            return
        for sid in sorted(data.vpr_lines):
            diff_sum = weight_sum = 0.0
            participants = 0
            for skey, grade, quality, n in data.vpr_lines[sid]:
                reg = region.get((year, Procedure.VPR, skey, grade))
                if reg is None or reg[2] is None:
                    continue
                w = n if n else 1
                diff_sum += (quality - reg[2]) * w
                weight_sum += w
                participants += n or 0
            if not weight_sum:
                continue
            diff = diff_sum / weight_sum
            if diff < s.vpr_above_region_points - 1e-9:
                continue
            gia: dict[Procedure, list[float]] = {}
            for proc, skey, value, n in data.gia_lines.get(sid, []):
                reg = region.get((year, proc, skey, 0))
                if reg is None or reg[0] is None:
                    continue
                w = n if n else 1
                acc = gia.setdefault(proc, [0.0, 0.0])
                acc[0] += (value - reg[0]) * w
                acc[1] += w
            if not gia:
                continue  # nothing to back or refute the ВПР with: no ОГЭ/ЕГЭ matched to the region
            diffs = {proc: total / w for proc, (total, w) in gia.items()}
            if any(d > 1e-9 for d in diffs.values()):
                continue
            gia_text = ", ".join(
                f"{proc.label} {num(d, _mark_digits(d))}" for proc, d in sorted(diffs.items())
            )
            self.add(
                sid,
                "vpr_above_region",
                f"Качество ВПР {year_label(year)} (доля отметок 4 и 5) в среднем на {num(diff)} п. выше "
                f"регионального (порог {num(s.vpr_above_region_points)} п.), а средние результаты ГИА не выше "
                f"региональных (разница: {gia_text}); {self.sample(participants or None)}.",
                {"vpr_quality_diff": round(diff, 4), "participants": participants}
                | {f"{proc.value}_diff": round(d, 4) for proc, d in diffs.items()},
                {"vpr_above_region_points": s.vpr_above_region_points, "gia_diff_at_most": 0},
                self.weak(participants or None),
            )

    def sharp_change(self) -> None:
        s, year = self.settings, self.year
        q_points = s.sharp_change_quality_points - 1e-9
        m_points = s.sharp_change_mean_mark - 1e-9
        found: dict[int, list[tuple[float, float, str, int, Procedure, float, float, int, int]]] = {}
        last_year = self.data.last_year
        for key, (quality, value, n) in self.data.this_year.items():
            old = last_year.get(key)
            if old is None:
                continue
            dq = quality - old[0] if quality is not None and old[0] is not None else 0.0
            dm = value - old[1] if value is not None and old[1] is not None else 0.0
            if abs(dq) >= q_points or abs(dm) >= m_points:
                sid, proc, skey, grade = key
                found.setdefault(sid, []).append(
                    (dq, dm, skey, grade, proc, old[0] or 0.0, quality or 0.0, old[2], n)
                )
        for sid in sorted(found):
            changes = sorted(found[sid], key=lambda c: (-abs(c[0]), -abs(c[1]), c[2], c[3]))
            parts = []
            for dq, dm, skey, grade, proc, q_old, q_new, n_old, n_new in changes[:3]:
                what = "рост" if (dq or dm) > 0 else "снижение"
                parts.append(
                    f"{proc.label}, {self.name(skey)}, {grade} кл.: {what} качества {num(q_old)} → {num(q_new)} % "
                    f"({num(dq)} п.), среднего балла на {num(dm, 2)} (участников {n_old} и {n_new})"
                )
            more = f" и ещё {len(changes) - 3}" if len(changes) > 3 else ""
            dq, dm = changes[0][0], changes[0][1]
            self.add(
                sid,
                "sharp_change",
                f"Резкое изменение результатов параллели с {year_label(year - 1)} на {year_label(year)}: "
                + "; ".join(parts)
                + more
                + f". Порог: {num(s.sharp_change_quality_points)} п. качества или {num(s.sharp_change_mean_mark, 2)} "
                f"балла; сравниваются только параллели, где в оба года не меньше {s.min_participants} участников.",
                {
                    "changes": len(changes),
                    "largest_quality_change": round(dq, 4),
                    "largest_mean_mark_change": round(dm, 4),
                },
                {
                    "sharp_change_quality_points": s.sharp_change_quality_points,
                    "sharp_change_mean_mark": s.sharp_change_mean_mark,
                    "min_participants": s.min_participants,
                },
            )


def run_rules(
    year: int,
    results: Iterable[Result],
    context: Iterable[ContextValue] = (),
    schools: Iterable[Any] | None = None,
    settings: RuleSettings | None = None,
) -> Outcome:
    """The proposals from the results of the academic years year-2 … year (2020 = 2020/2021: the
    last year of results, not the list's year — IdentificationService.data_years maps one to the
    other), and the rules that could not be applied, with the reason."""
    settings = settings or RuleSettings()
    registry = {school.id: school for school in schools} if schools is not None else None
    data = _Pass(year, settings, set(registry) if registry is not None else None)
    # The run makes millions of small tuples and no cycles: the cyclic collector would rescan the
    # growing dicts again and again (a quarter of the time at 40,000 schools) for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        data.feed(results)
        return _apply(year, settings, data, context, registry or {})
    finally:
        if collecting:
            gc.enable()


def _apply(
    year: int,
    settings: RuleSettings,
    data: _Pass,
    context: Iterable[ContextValue],
    registry: Mapping[int, Any],
) -> Outcome:
    rules = _Rules(year, settings, data)
    if settings.enabled("low_quintile"):
        rules.low_quintile()
    rules.context_rules(context, registry)
    rules.regional()
    rules.journal()
    if settings.enabled("vpr_above_region"):
        rules.above_region()
    if settings.enabled("sharp_change"):
        rules.sharp_change()
    if settings.enabled("mark_boundary_peaks"):
        rules.not_applied["mark_boundary_peaks"] = (
            "Недостаточно данных: пики распределения баллов на границах отметок видны только по "
            "индивидуальным результатам участников, а в базе хранятся сводные отчёты."
        )
    for rule in settings.disabled_rules:
        rules.not_applied[rule] = "Отключено в настройках правил."
    proposals = sorted(
        rules.proposals, key=lambda p: (_CATEGORY_ORDER[p.category], p.school_id, _RULE_ORDER[p.rule])
    )
    return Outcome(proposals, dict(sorted(rules.not_applied.items(), key=lambda kv: _RULE_ORDER[kv[0]])))


def identify(
    year: int,
    results: Iterable[Result],
    context: Iterable[ContextValue] = (),
    schools: Iterable[Any] | None = None,
    settings: RuleSettings | None = None,
) -> list[Proposal]:
    return run_rules(year, results, context, schools, settings).proposals
