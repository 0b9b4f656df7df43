"""Assessment results and the identification of target schools as plain objects.

The contract between the importers (ФИС ОКО reports, the flat ОГЭ/ЕГЭ template, the generator),
the store (app/results/service.py), the rules (app/results/rules.py) and the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Procedure(StrEnum):
    VPR = "vpr"
    OGE = "oge"
    EGE = "ege"
    RKR = "rkr"
    NIKO = "niko"
    VSOSH = "vsosh"

    @property
    def label(self) -> str:
        return {"vpr": "ВПР", "oge": "ОГЭ", "ege": "ЕГЭ", "rkr": "РКР", "niko": "НИКО", "vsosh": "ВсОШ"}[
            self.value
        ]


class Level(StrEnum):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    REGION = "region"

    @property
    def label(self) -> str:
        return {"school": "школа", "municipality": "муниципалитет", "region": "регион"}[self.value]


class Indicator(StrEnum):
    """A school's context for the year (seed 002's ШФНСУ and ШНРО criteria)."""

    SOCIAL_INDEX = "social_index"  # индекс социального благополучия (0–1 or a score: higher is better)
    SINGLE_PARENT = "single_parent"  # % of single-parent families
    PREVENTION_REGISTER = "prevention_register"  # % of students on the prevention register
    CONTINUING_10 = "continuing_10"  # % of grade 9 graduates continuing to grade 10
    OLYMPIAD_SHARE = "olympiad_share"  # % of students taking part in the ВсОШ

    @property
    def label(self) -> str:
        return {
            "social_index": "Индекс социального благополучия",
            "single_parent": "Доля неполных семей, %",
            "prevention_register": "Доля обучающихся на профилактическом учёте, %",
            "continuing_10": "Доля продолживших обучение в 10 классе, %",
            "olympiad_share": "Доля участников ВсОШ, %",
        }[self.value]


@dataclass(frozen=True)
class Result:
    """One line of a report: a school's (or the municipality's, the region's) figures for one
    procedure, subject and grade in one academic year. Shares are percentages 0–100; None where
    the report has no figure."""

    level: Level
    school_id: int | None
    area: str
    academic_year: int
    procedure: Procedure
    subject: str
    grade: int
    participants: int | None = None
    share_2: float | None = None
    share_3: float | None = None
    share_4: float | None = None
    share_5: float | None = None
    average: float | None = None
    below_minimum: float | None = None
    lowered: float | None = None
    confirmed: float | None = None
    raised: float | None = None
    source: str = ""

    @property
    def quality(self) -> float | None:
        """% of 4 and 5 («качество знаний»)."""
        if self.share_4 is None or self.share_5 is None:
            return None
        return self.share_4 + self.share_5

    @property
    def mean_mark(self) -> float | None:
        """The average mark from the shares of 2–5 (when the report gives no average)."""
        shares = (self.share_2, self.share_3, self.share_4, self.share_5)
        if any(s is None for s in shares) or sum(shares) <= 0:  # type: ignore[arg-type]
            return self.average
        return sum(mark * share for mark, share in zip((2, 3, 4, 5), shares, strict=True)) / sum(shares)  # type: ignore[misc]


@dataclass(frozen=True)
class ContextValue:
    school_id: int
    academic_year: int
    indicator: Indicator
    value: float
    source: str = ""


@dataclass(frozen=True)
class Proposal:
    """A school proposed for a category by one rule, with what a person needs to check it by hand."""

    school_id: int
    category: str  # app.domain.Category value
    rule: str  # the rule's key
    explanation: str  # Russian: the figures, the threshold and what they mean
    figures: dict[str, float | int | str] = field(default_factory=dict, compare=False)
    thresholds: dict[str, float | int | str] = field(default_factory=dict, compare=False)
    weak_evidence: bool = False  # under 20 participants: shown, never counted as proof


@dataclass(frozen=True)
class StoredProposal(Proposal):
    id: int = 0
    run_id: int = 0
    decision: str = "pending"  # pending / accepted / rejected
    school_name: str = ""
