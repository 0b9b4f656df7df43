"""Plans of measures: reading, editing, status, roll-over and the overview of due items.

Every write goes through a `ChangeRecorder` and returns its `ChangeSet`, so the window can undo
it. Children are deleted explicitly (not by ON DELETE CASCADE) so that undo can put them back.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from app.deadlines import Deadline, DeadlineKind, academic_year_period, shift_years, understand
from app.domain import academic_year_label
from app.errors import AppError, FieldProblem, ValidationError
from app.plans.model import (
    DEFAULT_COLUMNS,
    ColumnRole,
    DueItem,
    ItemStatus,
    Plan,
    PlanColumn,
    PlanItem,
    PlanKind,
    PlanSection,
    PlanStatus,
    PlanSummary,
)
from app.text import match_key
from app.values import clean_text
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

_PLAIN_NUMBER = re.compile(r"^\d{1,4}\.?$")
ITEM_TEXT_FIELDS = ("number", "measure", "responsible", "result", "schools_text", "evidence")


def clean_multiline(value: object) -> str:
    """Trim each line and drop blank lines at the ends, keeping paragraphs and list lines."""
    if value is None:
        return ""
    lines = [
        " ".join(line.split()) for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def parse_columns(raw: str) -> tuple[PlanColumn, ...]:
    try:
        data = json.loads(raw or "[]")
        columns = tuple(PlanColumn(ColumnRole(c["role"]), str(c["title"])) for c in data)
    except (ValueError, KeyError, TypeError):
        columns = ()
    return columns or DEFAULT_COLUMNS


def columns_json(columns: Iterable[PlanColumn]) -> str:
    return json.dumps([c.as_json() for c in columns], ensure_ascii=False)


def deadline_values(text: str, period_start: date, period_end: date) -> dict[str, Any]:
    deadline = understand(text, period_start, period_end)
    return {
        "deadline_text": text,
        "deadline_kind": str(deadline.kind),
        "deadline_start": _iso(deadline.start),
        "deadline_end": _iso(deadline.end),
        "deadline_understood": int(deadline.understood),
    }


def _deadline_from_row(row: Mapping[str, Any]) -> Deadline:
    return Deadline(
        text=row["deadline_text"],
        kind=DeadlineKind(row["deadline_kind"]),
        start=_date(row["deadline_start"]),
        end=_date(row["deadline_end"]),
        understood=bool(row["deadline_understood"]),
    )


def item_is_overdue(item: PlanItem, today: date) -> bool:
    """Not closed and its period has ended before today."""
    if item.status.is_closed:
        return False
    end = item.deadline.end
    return end is not None and end < today


def _item_from_row(row: Mapping[str, Any], school_ids: tuple[int, ...], display_number: str) -> PlanItem:
    try:
        extra = {str(k): str(v) for k, v in json.loads(row["extra"] or "{}").items()}
    except (ValueError, AttributeError):
        extra = {}
    return PlanItem(
        id=row["id"],
        plan_id=row["plan_id"],
        section_id=row["section_id"],
        position=row["position"],
        number=row["number"],
        measure=row["measure"],
        deadline=_deadline_from_row(row),
        responsible=row["responsible"],
        result=row["result"],
        schools_text=row["schools_text"],
        extra=extra,
        status=ItemStatus(row["status"]),
        completed_on=_date(row["completed_on"]),
        evidence=row["evidence"],
        school_ids=school_ids,
        display_number=display_number,
    )


class PlanService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- reading -------------------------------------------------------------------------
    def list_plans(self, *, year: int | None = None, today: date | None = None) -> list[PlanSummary]:
        today_iso = (today or date.today()).isoformat()
        rows = self.database.query(
            "SELECT p.*, "
            "(SELECT count(*) FROM plan_sections s WHERE s.plan_id = p.id) AS n_sections, "
            "(SELECT count(*) FROM plan_items i WHERE i.plan_id = p.id) AS n_items, "
            "(SELECT count(*) FROM plan_items i WHERE i.plan_id = p.id AND i.status = 'done') AS n_done, "
            "(SELECT count(*) FROM plan_items i WHERE i.plan_id = p.id "
            "  AND i.status IN ('planned', 'in_progress') AND i.deadline_end < ?) AS n_overdue "
            "FROM plans p "
            + ("WHERE p.academic_year = ? " if year is not None else "")
            + "ORDER BY coalesce(p.academic_year, 0) DESC, p.source, p.source_position, p.id",
            (today_iso, year) if year is not None else (today_iso,),
        )
        return [
            PlanSummary(
                id=r["id"],
                title=r["title"],
                kind=PlanKind(r["kind"]),
                academic_year=r["academic_year"],
                period_start=date.fromisoformat(r["period_start"]),
                period_end=date.fromisoformat(r["period_end"]),
                status=PlanStatus(r["status"]),
                sections=r["n_sections"],
                items=r["n_items"],
                done=r["n_done"],
                overdue=r["n_overdue"],
            )
            for r in rows
        ]

    def get(self, plan_id: int) -> Plan:
        rows = self.database.query("SELECT * FROM plans WHERE id = ?", (plan_id,))
        if not rows:
            raise AppError(f"План № {plan_id} не найден: возможно, он удалён.")
        row = rows[0]
        sections = tuple(
            PlanSection(r["id"], r["plan_id"], r["position"], r["title"])
            for r in self.database.query(
                "SELECT * FROM plan_sections WHERE plan_id = ? ORDER BY position, id", (plan_id,)
            )
        )
        schools: dict[int, list[int]] = {}
        for link in self.database.query(
            "SELECT l.item_id, l.school_id FROM plan_item_schools l JOIN plan_items i ON i.id = l.item_id "
            "WHERE i.plan_id = ? ORDER BY l.id",
            (plan_id,),
        ):
            schools.setdefault(link["item_id"], []).append(link["school_id"])
        items = []
        for running, item_row in enumerate(self._ordered_item_rows(plan_id, sections), start=1):
            # Plain numbers («1», «2.») follow the order, so an insert or a move never leaves two
            # «3»; numbers with a structure of their own («1.2», «5а») are kept as typed.
            typed = item_row["number"]
            number = typed if typed and not _PLAIN_NUMBER.match(typed) else str(running)
            items.append(_item_from_row(item_row, tuple(schools.get(item_row["id"], ())), number))
        return Plan(
            id=row["id"],
            title=row["title"],
            kind=PlanKind(row["kind"]),
            academic_year=row["academic_year"],
            period_start=date.fromisoformat(row["period_start"]),
            period_end=date.fromisoformat(row["period_end"]),
            status=PlanStatus(row["status"]),
            columns=parse_columns(row["columns"]),
            sections=sections,
            items=tuple(items),
            source=row["source"],
            rolled_from_id=row["rolled_from_id"],
        )

    def _ordered_item_rows(self, plan_id: int, sections: Sequence[PlanSection]) -> list[sqlite3.Row]:
        """Items in reading order: those outside sections first, then section by section."""
        rank = {s.id: index for index, s in enumerate(sections, start=1)}
        rows = self.database.query("SELECT * FROM plan_items WHERE plan_id = ?", (plan_id,))
        return sorted(rows, key=lambda r: (rank.get(r["section_id"], 0), r["position"], r["id"]))

    def item(self, item_id: int) -> PlanItem:
        """One item; its display number is the typed one (running numbers need the whole plan)."""
        rows = self.database.query("SELECT * FROM plan_items WHERE id = ?", (item_id,))
        if not rows:
            raise AppError("Пункт плана не найден: возможно, он удалён.")
        schools = tuple(
            r["school_id"]
            for r in self.database.query(
                "SELECT school_id FROM plan_item_schools WHERE item_id = ? ORDER BY id", (item_id,)
            )
        )
        return _item_from_row(rows[0], schools, rows[0]["number"])

    def due_items(self, today: date | None = None, *, horizon_days: int = 30) -> list[DueItem]:
        """Open items across all plans whose deadline has passed or ends within the horizon."""
        today = today or date.today()
        limit = today + timedelta(days=horizon_days)
        rows = self.database.query(
            "SELECT i.id, i.plan_id, p.title AS plan_title, i.number, i.measure, i.deadline_text, "
            "i.deadline_end, i.responsible FROM plan_items i JOIN plans p ON p.id = i.plan_id "
            "WHERE i.status IN ('planned', 'in_progress') AND i.deadline_end IS NOT NULL "
            "AND i.deadline_end <= ? ORDER BY i.deadline_end, p.id, i.position",
            (limit.isoformat(),),
        )
        numbers: dict[int, str] = {}
        for plan_id in {r["plan_id"] for r in rows if not r["number"]}:  # plans that number themselves
            numbers.update((i.id, i.display_number) for i in self.get(plan_id).items)
        return [
            DueItem(
                item_id=r["id"],
                plan_id=r["plan_id"],
                plan_title=r["plan_title"],
                number=r["number"] or numbers.get(r["id"], ""),
                measure=r["measure"],
                deadline_text=r["deadline_text"],
                due=date.fromisoformat(r["deadline_end"]),
                responsible=r["responsible"],
                overdue=date.fromisoformat(r["deadline_end"]) < today,
            )
            for r in rows
        ]

    # --- plans ---------------------------------------------------------------------------
    def _clean_plan(self, raw: Mapping[str, Any], current: Plan | None = None) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        values: dict[str, Any] = {}
        if "title" in raw or current is None:
            values["title"] = clean_multiline(raw.get("title", ""))
            if not values["title"]:
                problems.append(FieldProblem("title", "Не указано название плана"))
        if "kind" in raw:
            values["kind"] = PlanKind(raw["kind"]).value
        if "status" in raw:
            values["status"] = PlanStatus(raw["status"]).value
        year = raw.get("academic_year", current.academic_year if current else None)
        if "academic_year" in raw:
            values["academic_year"] = year
        start = raw.get("period_start") or (current.period_start if current else None)
        end = raw.get("period_end") or (current.period_end if current else None)
        if start is None or end is None:
            if year is None:
                problems.append(FieldProblem("academic_year", "Укажите учебный год или период плана"))
            else:
                default_start, default_end = academic_year_period(year)
                start, end = start or default_start, end or default_end
        if start is not None and end is not None:
            if start > end:
                problems.append(FieldProblem("period_end", "Конец периода раньше его начала"))
            values["period_start"], values["period_end"] = start.isoformat(), end.isoformat()
        if "columns" in raw:
            columns = tuple(raw["columns"])
            if not any(c.role is ColumnRole.MEASURE for c in columns):
                problems.append(FieldProblem("columns", "В плане должен быть столбец с мероприятием"))
            values["columns"] = columns_json(columns)
        if problems:
            raise ValidationError(problems)
        return values

    def create(self, raw: Mapping[str, Any]) -> tuple[int, ChangeSet]:
        values = self._clean_plan({"columns": DEFAULT_COLUMNS, **raw})
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Новый план «{_short(values['title'])}»")
            _ensure_year(conn, values.get("academic_year"))
            plan_id = recorder.insert("plans", values)
        return plan_id, recorder.changeset

    def update(self, plan_id: int, raw: Mapping[str, Any]) -> ChangeSet:
        current = self.get(plan_id)
        values = self._clean_plan(raw, current)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Изменение плана «{_short(current.title)}»")
            _ensure_year(conn, values.get("academic_year"))
            recorder.update("plans", plan_id, values)
            if "period_start" in values and (
                values["period_start"] != current.period_start.isoformat()
                or values["period_end"] != current.period_end.isoformat()
            ):
                # Deadlines without years are read in the plan's period: read them again.
                start = date.fromisoformat(values["period_start"])
                end = date.fromisoformat(values["period_end"])
                for item in current.items:
                    recorder.update("plan_items", item.id, deadline_values(item.deadline_text, start, end))
        return recorder.changeset

    def delete(self, plan_id: int) -> ChangeSet:
        plan = self.get(plan_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Удаление плана «{_short(plan.title)}»")
            for item in plan.items:
                _delete_item_rows(conn, recorder, item.id)
            for section in plan.sections:
                recorder.delete("plan_sections", section.id)
            for (later_id,) in conn.execute(
                "SELECT id FROM plans WHERE rolled_from_id = ?", (plan_id,)
            ).fetchall():
                recorder.update("plans", later_id, {"rolled_from_id": None})
            recorder.delete("plans", plan_id)
        return recorder.changeset

    # --- sections ------------------------------------------------------------------------
    def add_section(
        self, plan_id: int, title: str, *, before_section_id: int | None = None
    ) -> tuple[int, ChangeSet]:
        plan = self.get(plan_id)
        title = clean_multiline(title)
        if not title:
            raise ValidationError([FieldProblem("title", "Не указано название раздела")])
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Новый раздел «{_short(title)}»")
            order = [s.id for s in plan.sections]
            index = order.index(before_section_id) if before_section_id in order else len(order)
            for offset, section_id in enumerate(order[index:], start=index + 2):
                recorder.update("plan_sections", section_id, {"position": offset})
            section_id = recorder.insert(
                "plan_sections", {"plan_id": plan_id, "position": index + 1, "title": title}
            )
        return section_id, recorder.changeset

    def rename_section(self, section_id: int, title: str) -> ChangeSet:
        title = clean_multiline(title)
        if not title:
            raise ValidationError([FieldProblem("title", "Не указано название раздела")])
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Раздел «{_short(title)}»")
            recorder.update("plan_sections", section_id, {"title": title})
        return recorder.changeset

    def delete_section(self, section_id: int) -> ChangeSet:
        """Remove a section with its items."""
        with self.database.atomic() as conn:
            row = conn.execute("SELECT * FROM plan_sections WHERE id = ?", (section_id,)).fetchone()
            if row is None:
                raise AppError("Раздел не найден: возможно, он уже удалён.")
            recorder = ChangeRecorder(conn, f"Удаление раздела «{_short(row['title'])}»")
            for (item_id,) in conn.execute(
                "SELECT id FROM plan_items WHERE section_id = ?", (section_id,)
            ).fetchall():
                _delete_item_rows(conn, recorder, item_id)
            recorder.delete("plan_sections", section_id)
        return recorder.changeset

    # --- items ---------------------------------------------------------------------------
    def _clean_item(self, raw: Mapping[str, Any], plan_row: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ITEM_TEXT_FIELDS:
            if name in raw:
                values[name] = clean_text(raw[name]) if name == "number" else clean_multiline(raw[name])
        if "deadline_text" in raw:
            text = clean_multiline(raw["deadline_text"])
            values.update(
                deadline_values(
                    text,
                    date.fromisoformat(plan_row["period_start"]),
                    date.fromisoformat(plan_row["period_end"]),
                )
            )
        if "extra" in raw:
            values["extra"] = json.dumps(dict(raw["extra"]), ensure_ascii=False)
        if "status" in raw:
            values["status"] = ItemStatus(raw["status"]).value
        if "completed_on" in raw:
            values["completed_on"] = _iso(raw["completed_on"])
        return values

    def add_item(
        self,
        plan_id: int,
        raw: Mapping[str, Any],
        *,
        section_id: int | None = None,
        after_item_id: int | None = None,
    ) -> tuple[int, ChangeSet]:
        """Add an item at the end of its section, or right after `after_item_id`."""
        with self.database.atomic() as conn:
            plan_row = conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
            if plan_row is None:
                raise AppError(f"План № {plan_id} не найден: возможно, он удалён.")
            values = self._clean_item({"measure": "", "deadline_text": "", **raw}, plan_row)
            recorder = ChangeRecorder(conn, f"Новый пункт плана «{_short(plan_row['title'])}»")
            ids = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM plan_items WHERE plan_id = ? AND section_id IS ? ORDER BY position, id",
                    (plan_id, section_id),
                )
            ]
            index = ids.index(after_item_id) + 1 if after_item_id in ids else len(ids)
            for position, item_id in enumerate(ids[index:], start=index + 2):
                recorder.update("plan_items", item_id, {"position": position})
            item_id = recorder.insert(
                "plan_items", {"plan_id": plan_id, "section_id": section_id, "position": index + 1, **values}
            )
            if values.get("responsible"):
                ResponsibleBodies(conn, recorder).link(item_id, values["responsible"])
            if "school_ids" in raw:
                _set_item_schools(conn, recorder, item_id, raw["school_ids"])
        return item_id, recorder.changeset

    def update_item(self, item_id: int, raw: Mapping[str, Any]) -> ChangeSet:
        with self.database.atomic() as conn:
            row = conn.execute(
                "SELECT p.* FROM plans p JOIN plan_items i ON i.plan_id = p.id WHERE i.id = ?", (item_id,)
            ).fetchone()
            if row is None:
                raise AppError("Пункт плана не найден: возможно, он удалён.")
            values = self._clean_item(raw, row)
            if "measure" in values and not values["measure"]:
                raise ValidationError(
                    [
                        FieldProblem(
                            "measure", "Мероприятие не может быть пустым: удалите пункт, если он не нужен"
                        )
                    ]
                )
            recorder = ChangeRecorder(conn, _item_change_description(raw))
            if values:
                recorder.update("plan_items", item_id, values)
            if "responsible" in values:
                ResponsibleBodies(conn, recorder).link(item_id, values["responsible"])
            if "school_ids" in raw:
                _set_item_schools(conn, recorder, item_id, raw["school_ids"])
        return recorder.changeset

    def set_status(
        self,
        item_id: int,
        status: ItemStatus,
        *,
        completed_on: date | None = None,
        evidence: str | None = None,
    ) -> ChangeSet:
        """Mark an item; done needs the date it was done (today when not given)."""
        status = ItemStatus(status)
        raw: dict[str, Any] = {"status": status}
        if status is ItemStatus.DONE:
            raw["completed_on"] = completed_on or date.today()
        else:
            raw["completed_on"] = completed_on if status is ItemStatus.NOT_DONE else None
        if evidence is not None:
            raw["evidence"] = evidence
        return self.update_item(item_id, raw)

    def delete_items(self, item_ids: Iterable[int]) -> ChangeSet:
        ids = list(dict.fromkeys(item_ids))
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(
                conn, f"Удаление пунктов плана ({len(ids)})" if len(ids) > 1 else "Удаление пункта плана"
            )
            for item_id in ids:
                _delete_item_rows(conn, recorder, item_id)
        return recorder.changeset

    def move_item(self, item_id: int, *, section_id: int | None, index: int) -> ChangeSet:
        """Put the item at `index` (0-based) among the items of `section_id`."""
        item = self.item(item_id)
        plan = self.get(item.plan_id)
        if section_id is not None and section_id not in {s.id for s in plan.sections}:
            raise AppError("Раздел не найден в этом плане.")
        order = [i.id for i in plan.items if i.section_id == section_id and i.id != item_id]
        index = max(0, min(index, len(order)))
        order.insert(index, item_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Перемещение пункта плана")
            if item.section_id != section_id:
                recorder.update("plan_items", item_id, {"section_id": section_id})
            for position, moved_id in enumerate(order, start=1):
                recorder.update("plan_items", moved_id, {"position": position})
        return recorder.changeset

    def move_section(self, section_id: int, index: int) -> ChangeSet:
        rows = self.database.query("SELECT plan_id FROM plan_sections WHERE id = ?", (section_id,))
        if not rows:
            raise AppError("Раздел не найден: возможно, он уже удалён.")
        plan = self.get(rows[0]["plan_id"])
        order = [s.id for s in plan.sections if s.id != section_id]
        order.insert(max(0, min(index, len(order))), section_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Перемещение раздела")
            for position, moved_id in enumerate(order, start=1):
                recorder.update("plan_sections", moved_id, {"position": position})
        return recorder.changeset

    # --- roll-over -----------------------------------------------------------------------
    def roll_over(self, plan_id: int, to_year: int | None = None) -> tuple[int, ChangeSet]:
        """Copy the plan to the next academic year: years in titles and deadlines shifted,
        statuses reset, sections, columns, target schools and responsible links kept."""
        plan = self.get(plan_id)
        from_year = plan.academic_year if plan.academic_year is not None else plan.period_start.year
        to_year = to_year if to_year is not None else from_year + 1
        years = to_year - from_year
        if years == 0:
            raise AppError("План уже относится к этому учебному году: выберите следующий год.")
        earlier = self.database.query(
            "SELECT id FROM plans WHERE rolled_from_id = ? AND academic_year = ?", (plan_id, to_year)
        )
        if earlier:
            raise AppError(
                f"Этот план уже перенесён на {academic_year_label(to_year)} учебный год (план № {earlier[0]['id']}). "
                "Откройте ту копию или удалите её, чтобы перенести заново."
            )
        start, end = _shift_date(plan.period_start, years), _shift_date(plan.period_end, years)
        title = shift_years(plan.title, years)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(
                conn, f"Перенос плана «{_short(plan.title)}» на {academic_year_label(to_year)} учебный год"
            )
            _ensure_year(conn, to_year)
            source_row = conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
            new_plan_id = recorder.insert(
                "plans",
                {
                    "title": title,
                    "kind": plan.kind.value,
                    "academic_year": to_year,
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "status": PlanStatus.DRAFT.value,
                    "columns": columns_json(plan.columns),
                    "source": source_row["source"],
                    "source_position": source_row["source_position"],
                    "rolled_from_id": plan_id,
                },
            )
            section_map: dict[int | None, int | None] = {None: None}
            for section in plan.sections:
                section_map[section.id] = recorder.insert(
                    "plan_sections",
                    {
                        "plan_id": new_plan_id,
                        "position": section.position,
                        "title": shift_years(section.title, years),
                    },
                )
            for item in plan.items:
                text = shift_years(item.deadline_text, years)
                new_item_id = recorder.insert(
                    "plan_items",
                    {
                        "plan_id": new_plan_id,
                        "section_id": section_map[item.section_id],
                        "position": item.position,
                        "number": item.number,
                        "measure": item.measure,
                        **deadline_values(text, start, end),
                        "responsible": item.responsible,
                        "result": item.result,
                        "schools_text": item.schools_text,
                        "extra": json.dumps(item.extra, ensure_ascii=False),
                    },
                )
                for school_id in item.school_ids:
                    recorder.insert("plan_item_schools", {"item_id": new_item_id, "school_id": school_id})
                for link in conn.execute(
                    "SELECT person_id, body_id FROM plan_item_responsibles WHERE item_id = ? ORDER BY id",
                    (item.id,),
                ).fetchall():
                    recorder.insert(
                        "plan_item_responsibles",
                        {"item_id": new_item_id, "person_id": link["person_id"], "body_id": link["body_id"]},
                    )
        return new_plan_id, recorder.changeset


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _shift_date(value: date, years: int) -> date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _ensure_year(conn: sqlite3.Connection, year: int | None) -> None:
    if year is not None:
        conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (year,))


def _item_change_description(raw: Mapping[str, Any]) -> str:
    if "status" in raw:
        return f"Отметка «{ItemStatus(raw['status']).label}»"
    names = {
        "measure": "мероприятие",
        "deadline_text": "срок",
        "responsible": "ответственный",
        "result": "результат",
        "number": "номер",
        "school_ids": "школы",
        "schools_text": "школы",
        "evidence": "подтверждение",
    }
    changed = [names[k] for k in raw if k in names]
    return "Изменение пункта плана" + (f": {', '.join(changed)}" if changed else "")


_SPLIT_RESPONSIBLE = re.compile(r"[,;\n]+")
_INITIALS_END = re.compile(r"(?:^|[\s.])[А-ЯЁ]\.\s?[А-ЯЁ]$")


def responsible_names(text: str) -> list[str]:
    """«Отдел образования, МОЦ,\nОО» → the bodies and people named, each once."""
    names: list[str] = []
    for part in _SPLIT_RESPONSIBLE.split(text or ""):
        name = " ".join(part.split()).strip(" .-–—")
        if _INITIALS_END.search(name):
            name += "."  # «Труфанова А.А.»: the full stop of the initials belongs to the name
        if 1 < len(name) <= 80 and name not in names:
            names.append(name)
    return names


class ResponsibleBodies:
    """Links an item to the bodies its «Ответственный» text names, creating bodies as needed."""

    def __init__(self, conn: sqlite3.Connection, recorder: ChangeRecorder) -> None:
        self.conn = conn
        self.recorder = recorder
        self.by_key = {match_key(r["name"]): r["id"] for r in conn.execute("SELECT id, name FROM bodies")}
        self.people = {
            match_key(r["full_name"]): r["id"] for r in conn.execute("SELECT id, full_name FROM people")
        }

    def ids_for(self, text: str) -> list[int]:
        ids: list[int] = []
        for name in responsible_names(text):
            key = match_key(name)
            if key in self.people:
                continue
            if key not in self.by_key:
                self.by_key[key] = self.recorder.insert("bodies", {"name": name})
            if self.by_key[key] not in ids:
                ids.append(self.by_key[key])
        return ids

    def link(self, item_id: int, text: str) -> None:
        """Make the item's links match the text: people by name, the rest as bodies."""
        wanted: set[tuple[str, int]] = {("body_id", body_id) for body_id in self.ids_for(text)}
        wanted |= {
            ("person_id", self.people[match_key(n)])
            for n in responsible_names(text)
            if match_key(n) in self.people
        }
        existing = {
            (
                "person_id" if row["person_id"] is not None else "body_id",
                row["person_id"] or row["body_id"],
            ): row["id"]
            for row in self.conn.execute(
                "SELECT id, person_id, body_id FROM plan_item_responsibles WHERE item_id = ?", (item_id,)
            )
        }
        for key, link_id in existing.items():
            if key not in wanted:
                self.recorder.delete("plan_item_responsibles", link_id)
        for column, value in sorted(wanted - existing.keys()):
            self.recorder.insert("plan_item_responsibles", {"item_id": item_id, column: value})


def _set_item_schools(
    conn: sqlite3.Connection, recorder: ChangeRecorder, item_id: int, school_ids: Iterable[int]
) -> None:
    wanted = list(dict.fromkeys(int(s) for s in school_ids))
    existing = {
        row["school_id"]: row["id"]
        for row in conn.execute("SELECT id, school_id FROM plan_item_schools WHERE item_id = ?", (item_id,))
    }
    for school_id, link_id in existing.items():
        if school_id not in wanted:
            recorder.delete("plan_item_schools", link_id)
    for school_id in wanted:
        if school_id not in existing:
            recorder.insert("plan_item_schools", {"item_id": item_id, "school_id": school_id})


def _delete_item_rows(conn: sqlite3.Connection, recorder: ChangeRecorder, item_id: int) -> None:
    for table in ("plan_item_schools", "plan_item_responsibles"):
        for (link_id,) in conn.execute(f"SELECT id FROM {table} WHERE item_id = ?", (item_id,)).fetchall():
            recorder.delete(table, link_id)
    recorder.delete("plan_items", item_id)
