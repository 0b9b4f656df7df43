"""The store of assessment results and context indicators: saved in one transaction (one undo
step), a line of a report replacing the same line saved before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, fields
from typing import Any

from app.results.model import ContextValue, Indicator, Level, Procedure, Result
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

_RESULT_COLUMNS = [f.name for f in fields(Result)]


def _result_from_row(row: Any) -> Result:
    values = {name: row[name] for name in _RESULT_COLUMNS}
    values["level"] = Level(values["level"])
    values["procedure"] = Procedure(values["procedure"])
    return Result(**values)


class ResultsService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- reading -------------------------------------------------------------------------
    def results(
        self,
        year: int | None = None,
        *,
        level: Level | None = None,
        procedure: Procedure | None = None,
        school_id: int | None = None,
    ) -> list[Result]:
        where, params = [], []
        for column, value in (
            ("academic_year", year),
            ("level", level.value if level else None),
            ("procedure", procedure.value if procedure else None),
            ("school_id", school_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(_RESULT_COLUMNS)} FROM assessment_results"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY academic_year, procedure, subject, grade, level, school_id"
        return [_result_from_row(r) for r in self.database.query(sql, tuple(params))]

    def context(self, year: int | None = None) -> list[ContextValue]:
        rows = self.database.query(
            "SELECT school_id, academic_year, indicator, value, source FROM school_context"
            + (" WHERE academic_year = ?" if year is not None else "")
            + " ORDER BY school_id, indicator",
            (year,) if year is not None else (),
        )
        return [
            ContextValue(
                r["school_id"], r["academic_year"], Indicator(r["indicator"]), r["value"], r["source"]
            )
            for r in rows
        ]

    def years(self) -> list[int]:
        return [
            r[0]
            for r in self.database.query("SELECT DISTINCT academic_year FROM assessment_results ORDER BY 1")
        ]

    def count(self) -> int:
        return int(self.database.query("SELECT count(*) FROM assessment_results")[0][0])

    # --- writing -------------------------------------------------------------------------
    def save(
        self, results: Sequence[Result], context: Sequence[ContextValue] = (), *, description: str = ""
    ) -> ChangeSet:
        """Insert the lines, replacing the same lines saved before (same level, school, area, year,
        procedure, subject and grade); one transaction, one undo step."""
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, description or f"Загрузка результатов: строк {len(results)}")
            existing = {
                (
                    r["level"],
                    r["school_id"] or 0,
                    r["area"],
                    r["academic_year"],
                    r["procedure"],
                    r["subject"],
                    r["grade"],
                ): r["id"]
                for r in conn.execute(
                    "SELECT id, level, school_id, area, academic_year, procedure, subject, grade FROM assessment_results"
                )
            }
            fresh: list[dict[str, Any]] = []
            for result in results:
                values = dict(zip(_RESULT_COLUMNS, astuple(result), strict=True))
                values["level"] = result.level.value
                values["procedure"] = result.procedure.value
                key = (
                    values["level"],
                    values["school_id"] or 0,
                    values["area"],
                    values["academic_year"],
                    values["procedure"],
                    values["subject"],
                    values["grade"],
                )
                row_id = existing.get(key)
                if row_id is None:
                    fresh.append(values)
                else:
                    recorder.update("assessment_results", row_id, values)
            recorder.insert_many("assessment_results", fresh)
            for value in context:
                row = conn.execute(
                    "SELECT id FROM school_context WHERE school_id = ? AND academic_year = ? AND indicator = ?",
                    (value.school_id, value.academic_year, value.indicator.value),
                ).fetchone()
                values = {
                    "school_id": value.school_id,
                    "academic_year": value.academic_year,
                    "indicator": value.indicator.value,
                    "value": value.value,
                    "source": value.source,
                }
                if row is None:
                    recorder.insert("school_context", values)
                else:
                    recorder.update("school_context", row["id"], values)
        return recorder.changeset
