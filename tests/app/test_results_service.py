"""The store of assessment results: a line replaces the same line saved before, one undo step."""

from __future__ import annotations

from app.history import undo
from app.results.model import ContextValue, Indicator, Level, Procedure, Result
from app.results.service import ResultsService
from db import Database


def _line(school_id: int | None, participants: int, level: Level = Level.SCHOOL) -> Result:
    return Result(
        level,
        school_id,
        "" if school_id else "Ленинградская область",
        2020,
        Procedure.VPR,
        "Математика",
        5,
        participants,
        10.0,
        40.0,
        30.0,
        20.0,
        raised=25.0,
    )


def test_saving_replaces_the_same_line_and_undoes_in_one_step(database: Database) -> None:
    from app.schools import SchoolService

    demo_db = database  # an empty district with one school: the demo has results of its own
    service = ResultsService(demo_db)
    school_id, _ = SchoolService(demo_db).create({"full_name": "МКОУ «Шумская СОШ»"})
    first = service.save(
        [_line(school_id, 20), _line(None, 20_000, Level.REGION)],
        [ContextValue(school_id, 2020, Indicator.SOCIAL_INDEX, 0.4)],
    )
    second = service.save(
        [_line(school_id, 21)], [ContextValue(school_id, 2020, Indicator.SOCIAL_INDEX, 0.5)]
    )
    school = service.results(level=Level.SCHOOL)
    assert [(r.participants, r.quality, r.raised) for r in school] == [(21, 50.0, 25.0)]
    assert round(school[0].mean_mark or 0, 2) == 3.6
    assert [c.value for c in service.context(2020)] == [0.5]
    assert service.years() == [2020] and service.count() == 2
    undo(demo_db, second)
    assert [r.participants for r in service.results(level=Level.SCHOOL)] == [20]
    undo(demo_db, first)
    assert service.count() == 0 and service.context() == []
