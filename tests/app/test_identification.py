"""The identification service: a run stored with its rules and reproducible from them, decisions
that put schools on the year's lists and take them off, undo, the commands and the Excel export."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain import Category, CategorySource
from app.errors import AppError
from app.history import redo, undo
from app.results.identification import IdentificationService
from app.results.model import ContextValue, Indicator, Level, Procedure, Result
from app.results.rules import RuleSettings, run_rules
from app.results.service import ResultsService
from app.schools import SchoolService
from db import Database, open_database
from tests.command_line import run_main as cli

REPO_ROOT = Path(__file__).resolve().parents[2]
Y = 2020  # the lists' academic year, 2020/2021
D = Y - 1  # the last year of results they are computed from (seed 002: in August, the years before)


def _oge(sid: int | None, year: int, subject: str, average: float, fail: float, n: int = 30) -> Result:
    return Result(
        Level.SCHOOL if sid else Level.REGION,
        sid,
        "" if sid else "Ленинградская область",
        year,
        Procedure.OGE,
        subject,
        9,
        n if sid else 20_000,
        average=average,
        below_minimum=fail,
    )


def fill(database: Database) -> list[int]:
    """Six new schools: ОГЭ for three years (school 0 the weakest, falling), the region's lines,
    and the context (school 1 continues badly to grade 10)."""
    schools = SchoolService(database)
    ids = [
        schools.create(
            {"full_name": f"МБОУ «Заречная СОШ № {k}»", "locality": "rural", "settlement": "д. Заречье"}
        )[0]
        for k in range(1, 7)
    ]
    lines = []
    for year in (D - 2, D - 1, D):
        for index, sid in enumerate(ids):
            for subject in ("Русский язык", "Математика"):
                average = 3.2 - 0.1 * (year - D + 2) if index == 0 else 3.5 + index / 10
                lines.append(_oge(sid, year, subject, average, 20.0 if index == 0 else 5.0))
        for subject in ("Русский язык", "Математика"):
            lines.append(_oge(None, year, subject, 3.6, 10.0))
    context = [ContextValue(ids[1], D, Indicator.CONTINUING_10, 45.0)]
    ResultsService(database).save(lines, context)
    return ids


@pytest.fixture
def filled(database: Database) -> tuple[Database, list[int]]:
    return database, fill(database)


def test_a_run_is_stored_with_its_rules_and_reproduces(filled: tuple[Database, list[int]]) -> None:
    database, ids = filled
    service = IdentificationService(database)
    settings = RuleSettings(quintile_min_procedures=1)
    run_id, changes = service.run(Y, settings, note="августовский расчёт")
    assert changes
    proposals = service.proposals(run_id)
    rules = {(p.school_id, p.rule) for p in proposals}
    assert (ids[0], "low_quintile") in rules
    assert (ids[0], "oge_russian_fail") in rules
    assert (ids[0], "oge_math_falling") in rules
    assert (ids[1], "continuing_10") in rules
    assert all(p.school_name and p.decision == "pending" for p in proposals)
    assert all(isinstance(p.figures, dict) and p.thresholds for p in proposals)

    [run] = service.runs(Y)
    assert (run.id, run.note, run.proposals, run.accepted) == (
        run_id,
        "августовский расчёт",
        len(proposals),
        0,
    )
    assert run.settings == settings
    assert "mark_boundary_peaks" in run.not_applied
    assert service.runs(Y + 1) == []

    # The stored rules give the same proposals again.
    again = service.compute(Y, RuleSettings.from_json(run.rules_json))
    assert [(p.school_id, p.rule, p.explanation) for p in again.proposals] == [
        (p.school_id, p.rule, p.explanation) for p in proposals
    ]
    assert again.proposals == [
        type(again.proposals[0])(
            p.school_id, p.category, p.rule, p.explanation, weak_evidence=p.weak_evidence
        )
        for p in proposals
    ]

    undo(database, changes)
    assert service.runs(Y) == []


def test_the_service_matches_the_pure_rules(filled: tuple[Database, list[int]]) -> None:
    database, _ = filled
    results = [r for y in (D - 2, D - 1, D) for r in ResultsService(database).results(y)]
    schools = SchoolService(database).list_schools(include_archived=False)
    direct = run_rules(D, results, ResultsService(database).context(D), schools)
    outcome = IdentificationService(database).compute(Y)
    assert outcome.proposals == direct.proposals
    assert outcome.data_years == (D - 2, D)


def test_the_lists_come_from_the_three_years_before_unless_the_rules_say_otherwise(
    filled: tuple[Database, list[int]],
) -> None:
    database, _ = filled
    service = IdentificationService(database)
    assert service.data_years(Y) == (2017, 2019)
    # The list for the year after the last results is computed; the list for 2017/18 has no 2016/17
    # results to stand on, and says what is missing and why.
    assert service.compute(D + 1).proposals
    with pytest.raises(AppError) as error:
        service.compute(D - 2)
    assert str(error.value).startswith("Нет результатов за 2016/2017 учебный год: списки на 2017/2018")
    assert "по результатам 2014/15–2016/17 (три учебных года до года списка" in str(error.value)
    assert service.compute(Y).missing_years == []
    # A list whose window reaches back before the first results says so, and is stored with it.
    earliest = service.compute(D - 1)  # 2015/16–2017/18: only 2017/18 exists
    assert earliest.missing_years == [D - 4, D - 3]
    run_id, _ = service.store(D - 1, RuleSettings(), earliest)
    assert service.get_run(run_id).missing_years == (D - 4, D - 3)
    from app.results.identification import missing_years_note

    assert missing_years_note([D - 4, D - 3]).startswith(
        "нет результатов за 2015/16, 2016/17 — расчёт по неполным данным"
    )
    # A rules file may count the list's own year in (a recalculation in spring).
    same_year = RuleSettings(results_before_list_year=False)
    assert service.data_years(D, same_year) == (D - 2, D)
    assert service.compute(D, same_year).proposals == service.compute(Y).proposals


def test_a_run_goes_out_of_date_when_its_results_change(filled: tuple[Database, list[int]]) -> None:
    database, ids = filled
    service = IdentificationService(database)
    run_id, _ = service.run(Y)
    run = service.get_run(run_id)
    assert run.data_years == (D - 2, D) and run.data_fingerprint
    assert not service.is_out_of_date(run)
    results = ResultsService(database)
    # The same figures loaded again (new row ids, another order): still up to date.
    lines = list(reversed(results.results(D)))
    results.save(lines, [], description="повторная загрузка")
    assert not service.is_out_of_date(service.get_run(run_id))
    # Another year's results do not touch this run.
    results.save([_oge(ids[0], Y, "Русский язык", 2.0, 50.0)], [])
    assert not service.is_out_of_date(service.get_run(run_id))
    # Two schools' figures swapped (logins corrected in the reports): every total is the same, the
    # lists are not — out of date.
    first_school = [r for r in lines if r.school_id == ids[1]]
    second_school = [r for r in lines if r.school_id == ids[2]]
    swapped = [replace(r, school_id=ids[2]) for r in first_school] + [
        replace(r, school_id=ids[1]) for r in second_school
    ]
    results.save(swapped, [])
    assert service.is_out_of_date(service.get_run(run_id))
    results.save(first_school + second_school, [])  # back as they were
    assert not service.is_out_of_date(service.get_run(run_id))
    # A changed figure in one of its years does; so does a new context indicator.
    changed = [r if r.school_id != ids[2] else replace(r, average=r.average + 0.01) for r in lines]
    results.save(changed, [])
    assert service.is_out_of_date(service.get_run(run_id))
    fresh_id, _ = service.run(Y)
    assert not service.is_out_of_date(service.get_run(fresh_id))
    results.save([], [ContextValue(ids[3], D - 1, Indicator.OLYMPIAD_SHARE, 3.0)])
    assert service.is_out_of_date(service.get_run(fresh_id))


def test_accepting_and_rejecting_set_and_remove_the_category(filled: tuple[Database, list[int]]) -> None:
    database, ids = filled
    service = IdentificationService(database)
    schools = SchoolService(database)
    run_id, _ = service.run(Y)
    run = service.get_run(run_id)
    mine = [p for p in service.proposals(run_id) if p.school_id == ids[0] and p.category == "low_results"]
    first, second = mine[0], mine[1]

    accepted = service.decide(first.id, "accepted")
    [entry] = [c for c in schools.categories(ids[0]) if c.academic_year == Y]
    assert entry.category is Category.LOW_RESULTS
    assert entry.source is CategorySource.COMPUTED
    assert entry.document_ref == run.document_ref
    assert entry.document_ref.startswith("расчёт по правилам от ") and entry.document_ref[-5] == "."
    assert entry.reason == first.explanation
    assert service.get_proposal(first.id).decision == "accepted"

    service.decide(second.id, "accepted")
    [entry] = [c for c in schools.categories(ids[0]) if c.academic_year == Y]
    assert entry.reason == first.explanation + "\n" + second.explanation
    assert [e.school_id for e in service.accepted_list(Y, Category.LOW_RESULTS)] == [ids[0]]

    service.decide(first.id, "rejected")
    [entry] = [c for c in schools.categories(ids[0]) if c.academic_year == Y]
    assert entry.reason == second.explanation
    rejected = service.decide(second.id, "rejected")
    assert [c for c in schools.categories(ids[0]) if c.academic_year == Y] == []
    assert service.get_run(run_id).rejected == 2

    undo(database, rejected)
    assert [c.reason for c in schools.categories(ids[0]) if c.academic_year == Y] == [second.explanation]
    redo(database, rejected)
    assert [c for c in schools.categories(ids[0]) if c.academic_year == Y] == []

    # The first acceptance undone on its own would now meet changed rows: refused, nothing touched.
    from app.errors import ConflictError

    with pytest.raises(ConflictError):
        undo(database, accepted)


def test_accepting_undone_in_one_step(filled: tuple[Database, list[int]]) -> None:
    database, ids = filled
    service = IdentificationService(database)
    run_id, _ = service.run(Y)
    proposal = next(p for p in service.proposals(run_id) if p.school_id == ids[1])
    changes = service.decide(proposal.id, "accepted")
    assert service.accepted_list(Y, Category.LOW_RESULTS)[0].school_id == ids[1]
    undo(database, changes)
    assert service.accepted_list(Y, Category.LOW_RESULTS) == []
    assert service.get_proposal(proposal.id).decision == "pending"
    assert not service.decide(proposal.id, "pending")  # nothing to do: an empty change set


def test_a_regional_entry_is_kept(filled: tuple[Database, list[int]]) -> None:
    database, ids = filled
    schools = SchoolService(database)
    schools.set_category(
        ids[0], Y, Category.LOW_RESULTS, reason="перечень региона", source=CategorySource.REGIONAL
    )
    service = IdentificationService(database)
    run_id, _ = service.run(Y)
    proposal = next(p for p in service.proposals(run_id) if p.school_id == ids[0])
    service.decide(proposal.id, "accepted")
    service.decide(proposal.id, "rejected")
    [entry] = [c for c in schools.categories(ids[0]) if c.academic_year == Y]
    assert (entry.source, entry.reason) == (CategorySource.REGIONAL, "перечень региона")


def test_a_bad_decision_is_refused(filled: tuple[Database, list[int]]) -> None:
    from app.errors import AppError

    database, _ = filled
    service = IdentificationService(database)
    with pytest.raises(AppError, match="не найдено"):
        service.decide(999_999, "accepted")
    run_id, _ = service.run(Y)
    with pytest.raises(AppError, match="Неизвестное решение"):
        service.decide(service.proposals(run_id)[0].id, "maybe")


# --- the command line ------------------------------------------------------------------------


def test_commands(tmp_path: Path) -> None:
    db_file = tmp_path / "district.sqlite"
    database = open_database(db_file)
    ids = fill(database)
    database.close()
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    rules_file = tmp_path / "правила.json"
    done = cli("rules", "template", rules_file, data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    text = json.loads(rules_file.read_text(encoding="utf-8"))
    text["rules"]["quintile_min_procedures"] = 1
    rules_file.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")

    done = cli(
        "--db",
        db_file,
        "identify",
        "--year",
        "2020/2021",
        "--rules",
        rules_file,
        "--json",
        "--dry-run",
        data_dir=data_dir,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["stored"] is False and payload["academic_year"] == "2020/2021"
    assert payload["rules"]["quintile_min_procedures"] == 1
    first = next(p for p in payload["proposals"] if p["school_id"] == ids[0] and p["rule"] == "low_quintile")
    assert first["category_label"] == "ШНРО" and first["figures"] and first["thresholds"]
    assert "mark_boundary_peaks" in payload["not_applied"]

    done = cli("--db", db_file, "identify", "--year", "2020/2021", "--json", data_dir=data_dir)
    run_id = json.loads(done.stdout)["run_id"]
    assert run_id

    done = cli("--db", db_file, "lists", "show", str(run_id), "--json", data_dir=data_dir)
    proposal = json.loads(done.stdout)[0]
    done = cli("--db", db_file, "lists", "decide", str(proposal["id"]), "принять", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "Принято" in done.stdout and "(правило: " in done.stdout
    done = cli("--db", db_file, "lists", "runs", "--year", "0000/0001", data_dir=data_dir)
    assert done.returncode != 0 and "вне допустимых (1990/1991–2100/2101)" in done.stderr

    done = cli("--db", db_file, "lists", "runs", data_dir=data_dir)
    assert "принято 1" in done.stdout
    assert "устарел" not in done.stdout

    # A bare year is ambiguous (spring 2021 is 2020/21; a list for «2021» would be 2021/22): refused.
    done = cli("--db", db_file, "identify", "--year", "2021", "--json", data_dir=data_dir)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert (
        "Учебный год «2021» неоднозначен: укажите его полностью — 2020/2021 (весна 2021 года) или 2021/2022"
        in done.stderr
    )
    assert json.loads(
        cli("--db", db_file, "identify", "--year", "2020/21", "--json", "--dry-run", data_dir=data_dir).stdout
    )["results_years"] == ["2017/2018", "2019/2020"]

    done = cli("--db", db_file, "identify", "--year", "2018/2019", "--dry-run", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "Внимание: нет результатов за 2015/16, 2016/17 — расчёт по неполным данным" in done.stderr

    # New figures for one of the run's years: the history says the run is out of date.
    database = open_database(db_file)
    ResultsService(database).save([_oge(ids[5], D, "Русский язык", 4.9, 0.0)], [])
    database.close()
    done = cli("--db", db_file, "lists", "runs", data_dir=data_dir)
    assert "[устарел: результаты изменились после расчёта]" in done.stdout
    runs = json.loads(cli("--db", db_file, "lists", "runs", "--json", data_dir=data_dir).stdout)
    assert {r["out_of_date"] for r in runs} == {True}
    assert runs[0]["results_years"] == ["2017/2018", "2019/2020"]

    book = tmp_path / "списки.xlsx"
    done = cli("--db", db_file, "lists", "export", "--year", "2020/2021", book, data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    workbook = load_workbook(book)
    assert workbook.sheetnames == ["ШНРО", "ШФНСУ", "Необъективность"]
    sheet = workbook["ШНРО"]
    assert "2020/2021" in sheet["A1"].value
    assert [c.value for c in sheet[4]][:4] == [
        "№ п/п",
        "Общеобразовательная организация",
        "Населённый пункт",
        "Основания",
    ]
    assert proposal["explanation"] in [c.value for c in sheet[5]]
    assert sheet.print_title_rows == "$4:$4"

    done = cli(
        "--db",
        db_file,
        "identify",
        "--year",
        "2020/2021",
        "--rules",
        tmp_path / "нет.json",
        data_dir=data_dir,
    )
    assert done.returncode == 1 and "не найден" in done.stderr
    done = cli("--db", db_file, "lists", "export", tmp_path / "списки.txt", data_dir=data_dir)
    assert done.returncode == 1 and ".xlsx" in done.stderr


def test_the_export_keeps_formula_like_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from app.exporting.lists_xlsx import export_lists_xlsx
    from app.results.identification import ListEntry

    entry = ListEntry(1, "=ОПАСНО()", "", Category.NONOBJECTIVE, "+1", CategorySource.MANUAL, "")
    path = export_lists_xlsx({Category.NONOBJECTIVE: [entry]}, Y, tmp_path / "l.xlsx")
    sheet = load_workbook(path)["Необъективность"]
    assert sheet["B5"].value == "=ОПАСНО()" and sheet["B5"].data_type == "s"
    assert load_workbook(path)["ШНРО"]["A5"].value == "Школ в списке нет."


def test_two_runs_of_one_day_never_take_off_what_the_other_accepted(
    filled: tuple[Database, list[int]],
) -> None:
    database, ids = filled
    service = IdentificationService(database)
    schools = SchoolService(database)
    first_run, _ = service.run(Y)
    second_run, _ = service.run(Y)  # the same data, the same day: identical explanations
    p1 = next(p for p in service.proposals(first_run) if p.school_id == ids[0])
    p2 = next(p for p in service.proposals(second_run) if (p.school_id, p.rule) == (p1.school_id, p1.rule))

    def on_list() -> list[str]:
        return [
            c.reason
            for c in schools.categories(ids[0])
            if c.academic_year == Y and c.category.value == p1.category
        ]

    service.decide(p1.id, "accepted")
    service.decide(p2.id, "rejected")  # p2 was never accepted: nothing to take off
    assert on_list() == [p1.explanation]
    service.decide(p2.id, "accepted")
    service.decide(p2.id, "rejected")  # the first run still accepts it: the entry stays
    assert on_list() == [p1.explanation]
    service.decide(p1.id, "rejected")  # nothing accepts it now
    assert on_list() == []


def test_a_year_without_results_is_refused_and_nothing_is_stored(filled: tuple[Database, list[int]]) -> None:
    from app.errors import AppError

    database, _ = filled
    service = IdentificationService(database)
    with pytest.raises(AppError, match="Нет результатов за 2029/2030 учебный год: списки на 2030/2031"):
        service.run(2030)
    assert service.runs() == []
