"""Computing, storing and deciding the target lists: each run of the rules is kept with the
thresholds it used (so the list can be reproduced), each proposal with its explanation and the
specialist's decision. Accepting a proposal puts the school on the category list for the year
(source «расчёт по правилам»); rejecting it takes off what it had put there. Every write is one
undo step."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.domain import Category, CategorySource, academic_year_label
from app.errors import AppError
from app.results.model import Level, Result, StoredProposal
from app.results.rules import Outcome, RuleSettings, run_rules, year_label, years_label
from app.results.service import ResultsService
from app.schools import SchoolService
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

DECISIONS = ("pending", "accepted", "rejected")
DECISION_LABELS = {"pending": "Не рассмотрено", "accepted": "Принято", "rejected": "Отклонено"}


@dataclass(frozen=True)
class IdentificationRun:
    id: int
    academic_year: int
    created_at: str  # 2020-08-25T10:15:00
    note: str
    rules_json: str
    not_applied: dict[str, str] = field(default_factory=dict, compare=False)
    # The academic years whose results the run read, and a fingerprint of those results and context
    # indicators: a later import that changes them makes the run out of date (runs of older versions
    # stored neither).
    data_years: tuple[int, int] | None = None
    data_fingerprint: str = ""
    missing_years: tuple[int, ...] = ()  # years of the window without any school's results
    proposals: int = 0
    accepted: int = 0
    rejected: int = 0

    @property
    def settings(self) -> RuleSettings:
        return RuleSettings.from_json(self.rules_json)

    @property
    def date_text(self) -> str:
        """«25.08.2020»."""
        date = self.created_at[:10]
        return f"{date[8:10]}.{date[5:7]}.{date[0:4]}" if len(date) == 10 else date

    @property
    def document_ref(self) -> str:
        return f"расчёт по правилам от {self.date_text}"


@dataclass(frozen=True)
class ListEntry:
    """One school on a year's category list, whatever put it there (a run, an order, the region)."""

    school_id: int
    school_name: str
    settlement: str
    category: Category
    reason: str
    source: CategorySource
    document_ref: str


class IdentificationService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- computing -----------------------------------------------------------------------
    @staticmethod
    def data_years(year: int, settings: RuleSettings | None = None) -> tuple[int, int]:
        """The first and last academic year of results a list for `year` is computed from: by default
        (seed 002, identification in August) the three years before it."""
        last = (settings or RuleSettings()).last_results_year(year)
        return last - 2, last

    def data_fingerprint(self, first: int, last: int) -> str:
        """A short digest of the results and context indicators of the years (school and region
        lines, what the rules read), independent of row ids and order: an import that brings the same
        figures again leaves it unchanged; a changed figure, or figures moved from one school, grade
        or subject to another, changes it. Each line's figures, in ten-thousandths, make one integer
        (exact, so the order SQLite adds in does not matter), multiplied by a number drawn from the
        line's key so that figures trading places between lines do not cancel out; one expression a
        line, so SQLite computes it once (~0.2 s for 180,000 lines)."""
        figures = " + ".join(
            f"{prime} * cast(round(coalesce({column}, -1) * 10000) AS INTEGER)"
            for prime, column in zip(
                (3, 5, 7, 11, 13, 17, 19, 23, 29),
                (
                    "share_2",
                    "share_3",
                    "share_4",
                    "share_5",
                    "average",
                    "below_minimum",
                    "lowered",
                    "confirmed",
                    "raised",
                ),
                strict=True,
            )
        )
        key = (
            "(coalesce(school_id, 0) * 7919 + academic_year * 104729 + grade * 1299709 + unicode(procedure) * 15485863 "
            "+ length(subject) * 32452843 + unicode(subject) * 49979687 + unicode(substr(subject, 2)) * 67867967 "
            "+ unicode(area || ' ') * 86028121) % 99991 + 1"
        )
        # key < 10⁵ and the figures < 10⁹: a line's product fits, and its remainder keeps the sum of
        # millions of lines far from SQLite's integer limit
        results = self.database.query(
            f"SELECT count(*), sum(({key}) * ({figures} + 31 * coalesce(participants, -1)) % 2147483629) "
            "FROM assessment_results WHERE academic_year BETWEEN ? AND ? AND level != 'municipality'",
            (first, last),
        )
        context = self.database.query(
            "SELECT count(*), sum(((school_id * 7919 + academic_year * 104729 + length(indicator) * 1299709 "
            "+ unicode(substr(indicator, 2)) * 15485863) % 99991 + 1) * cast(round(value * 10000) AS INTEGER) "
            "% 2147483629) FROM school_context WHERE academic_year BETWEEN ? AND ?",
            (first, last),
        )
        return hashlib.sha1(repr((*results[0], *context[0])).encode()).hexdigest()[:16]

    def is_out_of_date(self, run: IdentificationRun) -> bool:
        """Whether the results or context of the run's years changed after it was computed."""
        if run.data_years is None or not run.data_fingerprint:
            return False
        return self.data_fingerprint(*run.data_years) != run.data_fingerprint

    def _results(self, first: int, last: int) -> Iterator[Result]:
        # Year by year: one year's lines in memory at a time, and the municipality's are not needed.
        service = ResultsService(self.database)
        for y in range(first, last + 1):
            for level in (Level.SCHOOL, Level.REGION):
                yield from service.results(y, level=level)

    def compute(self, year: int, settings: RuleSettings | None = None) -> Outcome:
        """The proposals for the list of `year` without storing anything (`identify --dry-run`)."""
        settings = settings or RuleSettings()
        first, last = self.data_years(year, settings)
        store = ResultsService(self.database)
        context = [value for y in range(first, last + 1) for value in store.context(y)]
        has_results = self.database.query(
            "SELECT 1 FROM assessment_results WHERE academic_year = ? AND level = 'school' LIMIT 1", (last,)
        )
        if not has_results and not [c for c in context if c.academic_year == last]:
            raise AppError(
                f"Нет результатов за {academic_year_label(last)} учебный год: списки на "
                f"{academic_year_label(year)} учебный год рассчитываются по результатам "
                f"{years_label(first, last)}{_window_note(settings)}. Загрузите отчёты ФИС ОКО или "
                f"шаблон ОГЭ/ЕГЭ за {academic_year_label(last)} учебный год или выберите другой год."
            )
        fingerprint = self.data_fingerprint(first, last)
        present = {
            row[0]
            for row in self.database.query(
                "SELECT DISTINCT academic_year FROM assessment_results "
                "WHERE academic_year BETWEEN ? AND ? AND level = 'school'",
                (first, last),
            )
        } | {c.academic_year for c in context}
        schools = SchoolService(self.database).list_schools(include_archived=False)
        outcome = run_rules(last, self._results(first, last), context, schools, settings)
        outcome.data_years = (first, last)
        outcome.data_fingerprint = fingerprint
        outcome.missing_years = [y for y in range(first, last + 1) if y not in present]
        return outcome

    def run(self, year: int, settings: RuleSettings | None = None, note: str = "") -> tuple[int, ChangeSet]:
        """Compute and store a run with its rules and proposals; one undo step."""
        settings = settings or RuleSettings()
        outcome = self.compute(year, settings)
        return self.store(year, settings, outcome, note)

    def store(
        self, year: int, settings: RuleSettings, outcome: Outcome, note: str = ""
    ) -> tuple[int, ChangeSet]:
        label = academic_year_label(year)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(
                conn, f"Расчёт списков на {label} учебный год: предложений {len(outcome.proposals)}"
            )
            if not conn.execute("SELECT 1 FROM academic_years WHERE start_year = ?", (year,)).fetchone():
                conn.execute("INSERT INTO academic_years (start_year) VALUES (?)", (year,))
            run_id = recorder.insert(
                "identification_runs",
                {
                    "academic_year": year,
                    "rules": settings.to_json(
                        extra={
                            "not_applied": outcome.not_applied,
                            "data_years": list(outcome.data_years or self.data_years(year, settings)),
                            "data_fingerprint": outcome.data_fingerprint,
                            "missing_years": outcome.missing_years,
                        }
                    ),
                    "note": note.strip(),
                },
            )
            recorder.insert_many(
                "identification_proposals",
                [
                    {
                        "run_id": run_id,
                        "school_id": p.school_id,
                        "category": p.category,
                        "rule": p.rule,
                        "explanation": p.explanation,
                        "figures": json.dumps(p.figures, ensure_ascii=False),
                        "thresholds": json.dumps(p.thresholds, ensure_ascii=False),
                        "weak_evidence": int(p.weak_evidence),
                        "decision": "pending",
                        "decided_at": None,
                    }
                    for p in outcome.proposals
                ],
            )
        return run_id, recorder.changeset

    # --- reading -------------------------------------------------------------------------
    def runs(self, year: int | None = None) -> list[IdentificationRun]:
        """The lists' history: the runs, newest first, with the count of proposals and decisions."""
        rows = self.database.query(
            "SELECT r.*, count(p.id) AS proposals, "
            "coalesce(sum(p.decision = 'accepted'), 0) AS accepted, "
            "coalesce(sum(p.decision = 'rejected'), 0) AS rejected "
            "FROM identification_runs r LEFT JOIN identification_proposals p ON p.run_id = r.id "
            + ("WHERE r.academic_year = ? " if year is not None else "")
            + "GROUP BY r.id ORDER BY r.academic_year DESC, r.created_at DESC, r.id DESC",
            (year,) if year is not None else (),
        )
        return [self._run_from_row(r) for r in rows]

    def get_run(self, run_id: int) -> IdentificationRun:
        for run in self.runs_by_id([run_id]):
            return run
        raise AppError(f"Расчёт списков № {run_id} не найден.")

    def runs_by_id(self, ids: list[int]) -> list[IdentificationRun]:
        marks = ", ".join("?" for _ in ids)
        rows = self.database.query(
            "SELECT r.*, count(p.id) AS proposals, "
            "coalesce(sum(p.decision = 'accepted'), 0) AS accepted, "
            "coalesce(sum(p.decision = 'rejected'), 0) AS rejected "
            "FROM identification_runs r LEFT JOIN identification_proposals p ON p.run_id = r.id "
            f"WHERE r.id IN ({marks}) GROUP BY r.id",
            tuple(ids),
        )
        return [self._run_from_row(r) for r in rows]

    @staticmethod
    def _run_from_row(row: Any) -> IdentificationRun:
        try:
            stored = json.loads(row["rules"])
            not_applied = stored.get("not_applied", {})
        except (ValueError, AttributeError):
            stored, not_applied = {}, {}
        years = stored.get("data_years")
        data_years = (
            (int(years[0]), int(years[1]))
            if isinstance(years, list) and len(years) == 2 and all(isinstance(y, int) for y in years)
            else None
        )
        fingerprint = stored.get("data_fingerprint")
        missing = stored.get("missing_years")
        missing_years = (
            tuple(missing) if isinstance(missing, list) and all(isinstance(y, int) for y in missing) else ()
        )
        return IdentificationRun(
            id=row["id"],
            academic_year=row["academic_year"],
            created_at=row["created_at"],
            note=row["note"],
            rules_json=row["rules"],
            not_applied=not_applied if isinstance(not_applied, dict) else {},
            data_years=data_years,
            data_fingerprint=fingerprint if isinstance(fingerprint, str) else "",
            missing_years=missing_years,
            proposals=row["proposals"],
            accepted=row["accepted"],
            rejected=row["rejected"],
        )

    def proposals(self, run_id: int) -> list[StoredProposal]:
        rows = self.database.query(
            "SELECT p.*, coalesce(nullif(s.short_name, ''), s.full_name) AS school_name "
            "FROM identification_proposals p JOIN schools s ON s.id = p.school_id "
            "WHERE p.run_id = ? ORDER BY p.id",
            (run_id,),
        )
        return [_proposal_from_row(r) for r in rows]

    def get_proposal(self, proposal_id: int) -> StoredProposal:
        rows = self.database.query(
            "SELECT p.*, coalesce(nullif(s.short_name, ''), s.full_name) AS school_name "
            "FROM identification_proposals p JOIN schools s ON s.id = p.school_id WHERE p.id = ?",
            (proposal_id,),
        )
        if not rows:
            raise AppError(f"Предложение № {proposal_id} не найдено: возможно, расчёт удалён.")
        return _proposal_from_row(rows[0])

    def accepted_list(self, year: int, category: Category | str) -> list[ListEntry]:
        """The year's list for the category as it stands: accepted proposals and the schools put
        on it by an order, the region or by hand, with the reasons."""
        category = Category(category)
        rows = self.database.query(
            "SELECT c.*, s.full_name, s.short_name, s.settlement FROM school_categories c "
            "JOIN schools s ON s.id = c.school_id "
            "WHERE c.academic_year = ? AND c.category = ? ORDER BY s.full_name COLLATE NOCASE, s.id",
            (year, category.value),
        )
        return [
            ListEntry(
                school_id=r["school_id"],
                school_name=r["full_name"] or r["short_name"],
                settlement=r["settlement"],
                category=category,
                reason=r["reason"],
                source=CategorySource(r["source"]),
                document_ref=r["document_ref"],
            )
            for r in rows
        ]

    # --- deciding ------------------------------------------------------------------------
    def decide(self, proposal_id: int, decision: str) -> ChangeSet:
        """Accept, reject or reset a proposal. Accepting puts the school on the category list for
        the run's year with source «computed» and document «расчёт по правилам от dd.mm.yyyy»; the
        reason is the explanation (of every accepted proposal of the run for that school and
        category). A school already on the list by an order, the region or by hand keeps that
        entry. Rejecting (or resetting) takes off what this proposal had put there. One undo step."""
        if decision not in DECISIONS:
            raise AppError(
                f"Неизвестное решение «{decision}»: предложение можно принять, отклонить или вернуть в ожидающие."
            )
        proposal = self.get_proposal(proposal_id)
        run = self.get_run(proposal.run_id)
        year = run.academic_year
        category = Category(proposal.category)
        verb = {"accepted": "Принято", "rejected": "Отклонено", "pending": "Снято решение"}[decision]
        description = f"{verb}: {category.label} {academic_year_label(year)} — {proposal.school_name}"
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, description)
            if proposal.decision != decision:
                stamp = None if decision == "pending" else _now(conn)
                recorder.update(
                    "identification_proposals", proposal_id, {"decision": decision, "decided_at": stamp}
                )
            # Every proposal still accepted for this school, category and year, in any run, newest
            # run first: the entry on the list is rebuilt from them (or removed when none is left).
            accepted = conn.execute(
                "SELECT p.explanation, p.run_id FROM identification_proposals p "
                "JOIN identification_runs r ON r.id = p.run_id "
                "WHERE r.academic_year = ? AND p.school_id = ? AND p.category = ? AND p.decision = 'accepted' "
                "ORDER BY p.run_id DESC, p.id",
                (year, proposal.school_id, category.value),
            ).fetchall()
            existing = conn.execute(
                "SELECT * FROM school_categories WHERE school_id = ? AND academic_year = ? AND category = ?",
                (proposal.school_id, year, category.value),
            ).fetchone()
            if existing is not None and existing["source"] != CategorySource.COMPUTED.value:
                pass  # on the list by an order, the region or by hand: that entry stays as it is
            elif accepted:
                newest_run = self.get_run(accepted[0]["run_id"])
                values = {
                    "school_id": proposal.school_id,
                    "academic_year": year,
                    "category": category.value,
                    "reason": "\n".join(dict.fromkeys(r["explanation"] for r in accepted)),
                    "source": CategorySource.COMPUTED.value,
                    "document_ref": newest_run.document_ref,
                }
                if not conn.execute("SELECT 1 FROM academic_years WHERE start_year = ?", (year,)).fetchone():
                    conn.execute("INSERT INTO academic_years (start_year) VALUES (?)", (year,))
                if existing is None:
                    recorder.insert("school_categories", values)
                else:
                    recorder.update("school_categories", existing["id"], values)
            elif existing is not None:
                recorder.delete("school_categories", existing["id"])  # computed, and nothing accepts it now
        return recorder.changeset


def missing_years_note(years: tuple[int, ...] | list[int]) -> str:
    """«нет результатов за 2015/16, 2016/17 — расчёт по неполным данным», or "" when none is missing."""
    if not years:
        return ""
    return (
        f"нет результатов за {', '.join(year_label(y) for y in years)} — расчёт по неполным данным "
        "(правила, которым нужны эти годы, сравнивают школы по оставшимся)"
    )


def _window_note(settings: RuleSettings) -> str:
    return (
        " (три учебных года до года списка: списки составляются в августе)"
        if settings.results_before_list_year
        else " (год списка и два предыдущих)"
    )


def _now(conn: Any) -> str:
    return str(conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0])


def _proposal_from_row(row: Any) -> StoredProposal:
    return StoredProposal(
        school_id=row["school_id"],
        category=row["category"],
        rule=row["rule"],
        explanation=row["explanation"],
        figures=json.loads(row["figures"] or "{}"),
        thresholds=json.loads(row["thresholds"] or "{}"),
        weak_evidence=bool(row["weak_evidence"]),
        id=row["id"],
        run_id=row["run_id"],
        decision=row["decision"],
        school_name=row["school_name"],
    )
