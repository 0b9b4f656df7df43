"""Network partnerships: groups of schools per academic year, the checks, schematic positions.

Every write returns a `ChangeSet` for the undo stack; children are deleted explicitly so that
undo can put them back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from app.domain import Category, academic_year_label
from app.errors import AppError, FieldProblem, ValidationError
from app.partnerships.model import (
    Member,
    MemberRole,
    PartnershipGroup,
    PartnershipKind,
    PartnershipStatus,
    PartnershipWarning,
    WarningKind,
    looks_swapped,
)
from app.plans.service import clean_multiline
from app.values import clean_text
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

MemberSpec = tuple[int, MemberRole]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class PartnershipService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- reading -------------------------------------------------------------------------
    def list_groups(self, year: int | None = None) -> list[PartnershipGroup]:
        rows = self.database.query(
            "SELECT * FROM partnership_groups "
            + ("WHERE academic_year = ? " if year is not None else "")
            + "ORDER BY academic_year DESC, id",
            (year,) if year is not None else (),
        )
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        members: dict[int, list[Member]] = {}
        for m in self.database.query(
            "SELECT m.group_id, m.school_id, m.role, s.short_name, s.full_name, s.latitude, s.longitude "
            f"FROM partnership_members m JOIN schools s ON s.id = m.school_id WHERE m.group_id IN ({marks}) "
            "ORDER BY m.group_id, m.position, m.id",
            ids,
        ):
            members.setdefault(m["group_id"], []).append(
                Member(
                    school_id=m["school_id"],
                    role=MemberRole(m["role"]),
                    name=m["short_name"] or m["full_name"],
                    latitude=m["latitude"],
                    longitude=m["longitude"],
                )
            )
        items: dict[int, list[int]] = {}
        for link in self.database.query(
            f"SELECT group_id, item_id FROM partnership_plan_items WHERE group_id IN ({marks}) ORDER BY id",
            ids,
        ):
            items.setdefault(link["group_id"], []).append(link["item_id"])
        return [
            PartnershipGroup(
                id=r["id"],
                academic_year=r["academic_year"],
                name=r["name"],
                kind=PartnershipKind(r["kind"]),
                members=tuple(members.get(r["id"], ())),
                agreement_number=r["agreement_number"],
                agreement_date=_date(r["agreement_date"]),
                activities=r["activities"],
                status=PartnershipStatus(r["status"]),
                plan_item_ids=tuple(items.get(r["id"], ())),
                source=r["source"],
            )
            for r in rows
        ]

    def get(self, group_id: int) -> PartnershipGroup:
        for group in self.list_groups():
            if group.id == group_id:
                return group
        raise AppError(f"Партнёрство № {group_id} не найдено: возможно, оно удалено.")

    def years(self) -> list[int]:
        return [
            r[0]
            for r in self.database.query(
                "SELECT DISTINCT academic_year FROM partnership_groups ORDER BY 1 DESC"
            )
        ]

    # --- checks --------------------------------------------------------------------------
    def warnings(self, year: int) -> list[PartnershipWarning]:
        """What the office should look at: low-result schools left alone, partners that are on a
        target list themselves, schools in two groups, groups without a pair, bad coordinates."""
        groups = [g for g in self.list_groups(year) if g.status is not PartnershipStatus.CANCELLED]
        names = {
            r["id"]: r["short_name"] or r["full_name"]
            for r in self.database.query("SELECT id, short_name, full_name FROM schools")
        }
        categories: dict[int, set[str]] = {}
        for row in self.database.query(
            "SELECT school_id, category FROM school_categories WHERE academic_year = ?", (year,)
        ):
            categories.setdefault(row["school_id"], set()).add(row["category"])
        label = academic_year_label(year)
        found: list[PartnershipWarning] = []

        partnered = {m.school_id for g in groups for m in g.targets if g.supporters}
        for school_id, cats in sorted(categories.items(), key=lambda e: names.get(e[0], "")):
            if Category.LOW_RESULTS.value in cats and school_id not in partnered:
                archived = self.database.query("SELECT archived_at FROM schools WHERE id = ?", (school_id,))
                if archived and archived[0][0] is None:
                    found.append(
                        PartnershipWarning(
                            WarningKind.NO_PARTNER,
                            f"{names[school_id]}: школа с низкими результатами ({label}) без школы-партнёра",
                            school_id=school_id,
                        )
                    )
        for group in groups:
            for member in group.supporters:
                listed = categories.get(member.school_id, set())
                if listed:
                    which = ", ".join(Category(c).label for c in sorted(listed))
                    found.append(
                        PartnershipWarning(
                            WarningKind.PARTNER_ON_LIST,
                            f"{member.name} — {member.role.short_label} в «{group.title}», но сама в перечне: {which}",
                            school_id=member.school_id,
                            group_id=group.id,
                        )
                    )
            if not group.targets or not group.supporters:
                found.append(
                    PartnershipWarning(
                        WarningKind.INCOMPLETE,
                        f"«{group.title}»: нет "
                        + ("школы с низкими результатами" if not group.targets else "школы-партнёра"),
                        group_id=group.id,
                    )
                )
        seen: dict[int, PartnershipGroup] = {}
        for group in groups:
            for member in group.members:
                other = seen.get(member.school_id)
                if other is not None and other.id != group.id:
                    found.append(
                        PartnershipWarning(
                            WarningKind.TWO_GROUPS,
                            f"{member.name} входит в два партнёрства {label}: «{other.title}» и «{group.title}»",
                            school_id=member.school_id,
                            group_id=group.id,
                        )
                    )
                seen.setdefault(member.school_id, group)
        shown: set[int] = set()
        for group in groups:
            for member in group.members:
                if member.school_id not in shown and looks_swapped(member.latitude, member.longitude):
                    shown.add(member.school_id)
                    found.append(
                        PartnershipWarning(
                            WarningKind.COORDINATES,
                            f"{member.name}: широта {member.latitude}, долгота {member.longitude} — похоже, "
                            "перепутаны местами; исправьте в карточке школы",
                            school_id=member.school_id,
                        )
                    )
        return found

    # --- writing -------------------------------------------------------------------------
    def _clean(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if "name" in raw:
            values["name"] = clean_text(raw["name"])
        if "kind" in raw:
            values["kind"] = PartnershipKind(raw["kind"]).value
        if "status" in raw:
            values["status"] = PartnershipStatus(raw["status"]).value
        if "agreement_number" in raw:
            values["agreement_number"] = clean_text(raw["agreement_number"])
        if "agreement_date" in raw:
            value = raw["agreement_date"]
            values["agreement_date"] = value.isoformat() if isinstance(value, date) else (value or None)
        if "activities" in raw:
            values["activities"] = clean_multiline(raw["activities"])
        if "source" in raw:
            values["source"] = clean_text(raw["source"])
        return values

    def _check_members(self, conn: sqlite3.Connection, members: Sequence[MemberSpec]) -> None:
        problems = []
        ids = [school_id for school_id, _role in members]
        if len(ids) < 2:
            problems.append(FieldProblem("members", "В партнёрстве должно быть не меньше двух школ"))
        if len(set(ids)) != len(ids):
            problems.append(FieldProblem("members", "Одна и та же школа указана в партнёрстве дважды"))
        for school_id in set(ids):
            if conn.execute("SELECT 1 FROM schools WHERE id = ?", (school_id,)).fetchone() is None:
                problems.append(FieldProblem("members", f"Школа № {school_id} не найдена в реестре"))
        if problems:
            raise ValidationError(problems)

    def create(
        self, year: int, members: Sequence[MemberSpec], raw: Mapping[str, Any] | None = None
    ) -> tuple[int, ChangeSet]:
        raw = dict(raw or {})
        raw.setdefault("kind", PartnershipKind.PAIR if len(members) == 2 else PartnershipKind.GROUP)
        values = self._clean(raw)
        with self.database.atomic() as conn:
            self._check_members(conn, members)
            conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (year,))
            recorder = ChangeRecorder(conn, f"Новое партнёрство {academic_year_label(year)}")
            group_id = recorder.insert("partnership_groups", {"academic_year": year, **values})
            for position, (school_id, role) in enumerate(members, start=1):
                recorder.insert(
                    "partnership_members",
                    {
                        "group_id": group_id,
                        "school_id": school_id,
                        "role": MemberRole(role).value,
                        "position": position,
                    },
                )
        return group_id, recorder.changeset

    def update(self, group_id: int, raw: Mapping[str, Any]) -> ChangeSet:
        values = self._clean(raw)
        with self.database.atomic() as conn:
            if conn.execute("SELECT 1 FROM partnership_groups WHERE id = ?", (group_id,)).fetchone() is None:
                raise AppError("Партнёрство не найдено: возможно, оно удалено.")
            recorder = ChangeRecorder(conn, "Изменение партнёрства")
            recorder.update("partnership_groups", group_id, values)
        return recorder.changeset

    def set_members(self, group_id: int, members: Sequence[MemberSpec]) -> ChangeSet:
        with self.database.atomic() as conn:
            self._check_members(conn, members)
            recorder = ChangeRecorder(conn, "Состав партнёрства")
            existing = {
                r["school_id"]: r["id"]
                for r in conn.execute(
                    "SELECT id, school_id FROM partnership_members WHERE group_id = ?", (group_id,)
                )
            }
            wanted = {school_id for school_id, _ in members}
            for school_id, member_id in existing.items():
                if school_id not in wanted:
                    recorder.delete("partnership_members", member_id)
            for position, (school_id, role) in enumerate(members, start=1):
                values = {"role": MemberRole(role).value, "position": position}
                if school_id in existing:
                    recorder.update("partnership_members", existing[school_id], values)
                else:
                    recorder.insert(
                        "partnership_members", {"group_id": group_id, "school_id": school_id, **values}
                    )
        return recorder.changeset

    def link_plan_items(self, group_id: int, item_ids: Iterable[int]) -> ChangeSet:
        wanted = list(dict.fromkeys(item_ids))
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Совместные мероприятия партнёрства")
            existing = {
                r["item_id"]: r["id"]
                for r in conn.execute(
                    "SELECT id, item_id FROM partnership_plan_items WHERE group_id = ?", (group_id,)
                )
            }
            for item_id, link_id in existing.items():
                if item_id not in wanted:
                    recorder.delete("partnership_plan_items", link_id)
            for item_id in wanted:
                if item_id not in existing:
                    recorder.insert("partnership_plan_items", {"group_id": group_id, "item_id": item_id})
        return recorder.changeset

    def save(
        self,
        group_id: int | None,
        year: int,
        members: Sequence[MemberSpec],
        raw: Mapping[str, Any],
        plan_item_ids: Iterable[int] | None = None,
    ) -> tuple[int, ChangeSet]:
        """Create or change a group, its members and its linked plan items in one transaction
        (one undo step; nothing written when anything is refused)."""
        with self.database.atomic():  # the calls below nest as savepoints of this transaction
            if group_id is None:
                group_id, created = self.create(year, members, raw)
                changes = list(created.changes)
            else:
                changes = [*self.set_members(group_id, members).changes, *self.update(group_id, raw).changes]
            if plan_item_ids is not None:
                changes.extend(self.link_plan_items(group_id, plan_item_ids).changes)
        return group_id, ChangeSet("Сохранение партнёрства", changes)

    def plan_items_of_year(self, year: int) -> list[tuple[int, str]]:
        """(item id, «План …, п. 11: Утверждение списка…») for the year's plans: joint activities
        can be items of a plan."""
        from app.plans.service import PlanService

        plans = PlanService(self.database)
        found = []
        for summary in plans.list_plans(year=year):
            plan = plans.get(summary.id)
            short = " ".join(plan.title.split())
            short = short if len(short) <= 50 else short[:49] + "…"
            for item in plan.items:
                measure = " ".join(item.measure.split())
                measure = measure if len(measure) <= 90 else measure[:89] + "…"
                found.append((item.id, f"{short}, п. {item.display_number}: {measure}"))
        return found

    def delete(self, group_id: int) -> ChangeSet:
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Удаление партнёрства")
            for table in ("partnership_members", "partnership_plan_items"):
                for (row_id,) in conn.execute(
                    f"SELECT id FROM {table} WHERE group_id = ?", (group_id,)
                ).fetchall():
                    recorder.delete(table, row_id)
            recorder.delete("partnership_groups", group_id)
        return recorder.changeset

    # --- the schematic map ---------------------------------------------------------------
    def positions(self) -> dict[int, tuple[float, float]]:
        return {
            r["school_id"]: (r["x"], r["y"])
            for r in self.database.query("SELECT * FROM school_map_positions")
        }

    def set_position(self, school_id: int, x: float, y: float) -> ChangeSet:
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Перемещение школы на схеме")
            row = conn.execute(
                "SELECT id FROM school_map_positions WHERE school_id = ?", (school_id,)
            ).fetchone()
            if row is None:
                recorder.insert(
                    "school_map_positions", {"school_id": school_id, "x": float(x), "y": float(y)}
                )
            else:
                recorder.update("school_map_positions", row["id"], {"x": float(x), "y": float(y)})
        return recorder.changeset
