"""The child of the crash-safety harness (bench/crash.py): edits a database through the services
until it is killed.

    .venv/bin/python bench/crash_child.py DB.sqlite --seed 7 --mode WAL|DELETE --work FOLDER

It never stops by itself. Every edit goes through the real services (no SQL writes here; SQL is
only read to choose what to edit and to name the rows an edit may touch). Its stdout (a file the
parent reads after the kill) gets one JSON line per event, each written with one os.write:

  {"e": "M", ...}  the journal mode in force and how it was set
  {"e": "B", "seq": n, "op": ..., "touch": [[table, id]...], "inserts": [table...],
             "marks": [[table, column, value, count]...], "targets": [[table, id, state]...]}
      before an edit: the existing rows it may change (touch), the tables it may insert into,
      the unique values it writes (after the edit exactly `count` rows hold `value` in `column`;
      before it none do) and, for undo/redo and restore, the state rows must have afterwards
      (a state is a dict of some columns, or null for «no such row»)
  {"e": "D", "seq": n, "op": ..., "rows": [[table, id, state]...]}
      after the save returned: every row of its change set as it now must be (whole rows;
      long texts and blobs as {"sha256": …, "len": …})
  {"e": "X", "seq": n, "op": ..., "error": ...}  the edit refused or failed (nothing written)
  {"e": "T", "s": "BEGIN"|"COMMIT"|"ROLLBACK"}  a write transaction begins or ends (as SQLite
      starts the statement: after «BEGIN» and before «COMMIT» nothing of it is committed)
  {"e": "H", "seq": n}  (with --hold-at) the edit is made inside a transaction left open

Start-up stays cheap: the services are imported at start (about 0.2 s); reportlab (signing) and
openpyxl (the generated registry file) only on first use.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import history  # noqa: E402
from app.errors import AppError  # noqa: E402
from app.jobs import run_job  # noqa: E402
from app.monitoring.service import MonitoringService  # noqa: E402
from app.orders.model import PointDraft  # noqa: E402
from app.orders.service import OrderService  # noqa: E402
from app.partnerships.service import PartnershipService  # noqa: E402
from app.plans.service import PlanService  # noqa: E402
from app.results.model import Level, Procedure, Result  # noqa: E402
from app.results.service import ResultsService  # noqa: E402
from app.schools import SchoolService  # noqa: E402
from db.changes import ChangeSet  # noqa: E402
from db.connection import Database, open_database  # noqa: E402

VOLATILE = {"updated_at"}
LONG_TEXT = 300  # longer texts (a signed order's snapshot) are reported by their hash
CRASH_SOURCE = "краш-тест"  # the `source` of the orders the child creates (it signs only those)
SUBJECTS = ("Русский язык", "Математика", "Окружающий мир", "История")
DEADLINES = ("Октябрь-ноябрь 2020г", "до 03.02.2021", "в течение года", "ежемесячно", "по запросу")
YEARS = (2020, 2021)


def digest(value: Any) -> Any:
    """A value as the report carries it: blobs and long texts by their SHA-256."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {"sha256": hashlib.sha256(data).hexdigest(), "len": len(data)}
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return {"sha256": hashlib.sha256(value.encode("utf-8")).hexdigest(), "len": len(value)}
    return value


def state(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {key: digest(value) for key, value in row.items() if key not in VOLATILE}


def final_rows(changeset: ChangeSet) -> list[list[Any]]:
    """Each row of the change set as the change left it (its last change wins)."""
    rows: dict[tuple[str, int], dict[str, Any] | None] = {}
    for change in changeset.changes:
        rows[(change.table, change.row_id)] = change.after
    return [[table, row_id, state(row)] for (table, row_id), row in rows.items()]


def initial_rows(changeset: ChangeSet) -> list[list[Any]]:
    """Each row of the change set as it was before (its first change wins): the state after undo."""
    rows: dict[tuple[str, int], dict[str, Any] | None] = {}
    for change in changeset.changes:
        rows.setdefault((change.table, change.row_id), change.before)
    return [[table, row_id, state(row)] for (table, row_id), row in rows.items()]


def emit(event: dict[str, Any]) -> None:
    """One line, one write: a kill leaves whole lines (at most a torn last one, which is ignored)."""
    os.write(1, (json.dumps(event, ensure_ascii=False, default=str) + "\n").encode("utf-8"))


def trace_transactions(statement: str) -> None:
    """Tell the parent when a write transaction starts and when its end starts (SQLite calls this
    as each statement begins, so «COMMIT» is out before the commit itself)."""
    if statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        emit({"e": "T", "s": statement.split()[0]})


class Plan:
    """What an edit announces before it starts."""

    def __init__(self) -> None:
        self.touch: list[list[Any]] = []
        self.inserts: list[str] = []
        self.marks: list[list[Any]] = []
        self.targets: list[list[Any]] = []


class Child:
    def __init__(
        self, database: Database, rng: random.Random, work: Path, hold: tuple[int, str] | None = None
    ) -> None:
        self.db = database
        self.rng = rng
        self.work = work
        self.hold = hold
        self.seq = 0
        self.last: ChangeSet | None = None  # the latest change set: undo takes it back
        self.undone: ChangeSet | None = None  # the change set just undone: redo puts it back
        self.schools = SchoolService(database)
        self.plans = PlanService(database)
        self.partnerships = PartnershipService(database)
        self.monitoring = MonitoringService(database)
        self.orders = OrderService(database)
        self.results = ResultsService(database)
        self.ops = {
            "school_create": (8, self.school_create),
            "school_edit": (10, self.school_edit),
            "school_archive": (2, self.school_archive),
            "school_restore": (2, self.school_restore),
            "category": (6, self.category),
            "plan_create": (3, self.plan_create),
            "item_add": (8, self.item_add),
            "item_edit": (8, self.item_edit),
            "partnership_create": (3, self.partnership_create),
            "partnership_edit": (4, self.partnership_edit),
            "map_position": (3, self.map_position),
            "campaign_create": (1, self.campaign_create),
            "monitoring_values": (8, self.monitoring_values),
            "order_create": (4, self.order_create),
            "order_points": (4, self.order_points),
            "order_sign": (3, self.order_sign),
            "results": (6, self.results_save),
            "undo": (8, self.undo),
            "redo": (3, self.redo),
            "registry_import": (2, self.registry_import),
        }

    # --- helpers -----------------------------------------------------------------------------
    def ids(self, sql: str, params: tuple[Any, ...] = ()) -> list[int]:
        return [int(r[0]) for r in self.db.query(sql, params)]

    def token(self, label: str) -> str:
        return f"{label} м{self.seq}-{self.rng.getrandbits(24):06x}"

    def active_school(self) -> int:
        return self.rng.choice(self.ids("SELECT id FROM schools WHERE archived_at IS NULL"))

    # --- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        names = list(self.ops)
        weights = [self.ops[n][0] for n in names]
        while True:
            name = self.rng.choices(names, weights)[0]
            self.seq += 1
            plan = Plan()
            try:
                action = self.ops[name][1](plan)
            except _Skip:
                continue
            emit(
                {
                    "e": "B",
                    "seq": self.seq,
                    "op": name,
                    "touch": plan.touch,
                    "inserts": plan.inserts,
                    "marks": plan.marks,
                    "targets": plan.targets,
                }
            )
            try:
                if self.hold and self.seq >= self.hold[0] and name == self.hold[1]:
                    self.hold_inside(action)
                rows = action()
            except AppError as exc:
                emit({"e": "X", "seq": self.seq, "op": name, "error": exc.message})
                continue
            except Exception:
                emit({"e": "X", "seq": self.seq, "op": name, "error": traceback.format_exc()})
                continue
            emit({"e": "D", "seq": self.seq, "op": name, "rows": rows})

    def hold_inside(self, action: Any) -> None:
        """Make the edit inside an outer transaction and wait there to be killed: a kill in the
        middle of a write transaction, every time (the edit's own transaction becomes a
        savepoint, its pages are in the journal or the WAL, nothing is committed)."""
        with self.db.atomic():
            action()
            emit({"e": "H", "seq": self.seq})
            while True:
                time.sleep(60)

    def done(self, changeset: ChangeSet) -> list[list[Any]]:
        self.last, self.undone = changeset, None
        return final_rows(changeset)

    # --- schools -------------------------------------------------------------------------------
    def school_create(self, plan: Plan):  # type: ignore[no-untyped-def]
        director = self.token("Директор")
        raw = {
            "full_name": f"Муниципальное бюджетное общеобразовательное учреждение «Средняя "
            f"общеобразовательная школа № {self.seq}»",
            "settlement": "г. Кировск",
            "locality": self.rng.choice(["urban", "rural"]),
            "address": f"г. Кировск, ул. Новая, д. {self.seq}",
            "latitude": round(59.8 + self.rng.random() / 10, 5),
            "longitude": round(30.9 + self.rng.random() / 10, 5),
            "students": self.rng.randint(50, 1500),
            "director": director,
        }
        plan.inserts = ["schools"]
        plan.marks = [["schools", "director", director, 1]]
        return lambda: self.done(self.schools.create(raw)[1])

    def school_edit(self, plan: Plan):  # type: ignore[no-untyped-def]
        school_id = self.active_school()
        director = self.token("Руководитель")
        raw = {
            "director": director,
            "students": self.rng.randint(50, 1500),
            "phone": f"8 (81362) {self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}",
        }
        plan.touch = [["schools", school_id]]
        plan.marks = [["schools", "director", director, 1]]
        return lambda: self.done(self.schools.update(school_id, raw))

    def school_archive(self, plan: Plan):  # type: ignore[no-untyped-def]
        # only the child's own schools: the demo's are members of partnerships and plans
        candidates = self.ids(
            "SELECT id FROM schools WHERE archived_at IS NULL AND id > 9 AND id NOT IN "
            "(SELECT parent_id FROM schools WHERE parent_id IS NOT NULL)"
        )
        if not candidates:
            raise _Skip
        school_id = self.rng.choice(candidates)
        reason = self.token("Реорганизация")
        plan.touch = [["schools", school_id]]
        plan.marks = [["schools", "archive_reason", reason, 1]]
        return lambda: self.done(self.schools.archive(school_id, reason))

    def school_restore(self, plan: Plan):  # type: ignore[no-untyped-def]
        candidates = self.ids("SELECT id FROM schools WHERE archived_at IS NOT NULL")
        if not candidates:
            raise _Skip
        school_id = self.rng.choice(candidates)
        plan.touch = [["schools", school_id]]
        plan.targets = [["schools", school_id, {"archived_at": None, "archive_reason": ""}]]
        return lambda: self.done(self.schools.restore(school_id))

    def category(self, plan: Plan):  # type: ignore[no-untyped-def]
        from app.domain import Category

        school_id = self.active_school()
        year = self.rng.choice(YEARS)
        category = self.rng.choice(list(Category))
        reason = self.token("Основание")
        existing = self.ids(
            "SELECT id FROM school_categories WHERE school_id = ? AND academic_year = ? AND category = ?",
            (school_id, year, category.value),
        )
        plan.touch = [["school_categories", i] for i in existing]
        plan.inserts = ["school_categories"]
        plan.marks = [["school_categories", "reason", reason, 1]]
        return lambda: self.done(self.schools.set_category(school_id, year, category, reason=reason))

    # --- plans ---------------------------------------------------------------------------------
    def plan_create(self, plan: Plan):  # type: ignore[no-untyped-def]
        title = self.token("План мероприятий")
        plan.inserts = ["plans"]
        plan.marks = [["plans", "title", title, 1]]
        raw = {"title": title, "academic_year": self.rng.choice(YEARS)}
        return lambda: self.done(self.plans.create(raw)[1])

    def item_add(self, plan: Plan):  # type: ignore[no-untyped-def]
        plan_id = self.rng.choice(self.ids("SELECT id FROM plans"))
        measure = self.token("Мероприятие")
        raw = {
            "measure": measure,
            "deadline_text": self.rng.choice(DEADLINES),
            "responsible": self.rng.choice(["Комитет образования", "ИМС", "Руководители ОО"]),
            "school_ids": [self.active_school()],
        }
        plan.inserts = ["plan_items", "plan_item_responsibles", "plan_item_schools", "bodies"]
        plan.marks = [["plan_items", "measure", measure, 1]]
        return lambda: self.done(self.plans.add_item(plan_id, raw)[1])

    def item_edit(self, plan: Plan):  # type: ignore[no-untyped-def]
        from app.plans.model import ItemStatus

        item_id = self.rng.choice(self.ids("SELECT id FROM plan_items"))
        text = self.token("Результат")
        plan.touch = [["plan_items", item_id]]
        if self.rng.random() < 0.5:
            plan.marks = [["plan_items", "result", text, 1]]
            return lambda: self.done(self.plans.update_item(item_id, {"result": text}))
        plan.marks = [["plan_items", "evidence", text, 1]]
        status = self.rng.choice([ItemStatus.DONE, ItemStatus.NOT_DONE, ItemStatus.IN_PROGRESS])
        on = date(2021, self.rng.randint(1, 5), self.rng.randint(1, 28))
        return lambda: self.done(self.plans.set_status(item_id, status, completed_on=on, evidence=text))

    # --- partnerships ----------------------------------------------------------------------------
    def partnership_create(self, plan: Plan):  # type: ignore[no-untyped-def]
        from app.partnerships.model import MemberRole

        schools = self.rng.sample(self.ids("SELECT id FROM schools WHERE archived_at IS NULL"), 2)
        activities = self.token("Совместные мероприятия")
        members = [(schools[0], MemberRole.TARGET), (schools[1], MemberRole.PARTNER)]
        year = self.rng.choice(YEARS)
        plan.inserts = ["partnership_groups", "partnership_members"]
        plan.marks = [["partnership_groups", "activities", activities, 1]]
        return lambda: self.done(
            self.partnerships.create(year, members, {"activities": activities, "source": CRASH_SOURCE})[1]
        )

    def partnership_edit(self, plan: Plan):  # type: ignore[no-untyped-def]
        group_id = self.rng.choice(self.ids("SELECT id FROM partnership_groups"))
        number = self.token("Соглашение")
        plan.touch = [["partnership_groups", group_id]]
        plan.marks = [["partnership_groups", "agreement_number", number, 1]]
        raw = {"agreement_number": number, "agreement_date": date(2021, 1, self.rng.randint(1, 28))}
        return lambda: self.done(self.partnerships.update(group_id, raw))

    def map_position(self, plan: Plan):  # type: ignore[no-untyped-def]
        school_id = self.active_school()
        x = self.seq + self.rng.random()
        y = -self.rng.random() * 100
        plan.touch = [
            ["school_map_positions", i]
            for i in self.ids("SELECT id FROM school_map_positions WHERE school_id = ?", (school_id,))
        ]
        plan.inserts = ["school_map_positions"]
        plan.marks = [["school_map_positions", "x", x, 1]]
        return lambda: self.done(self.partnerships.set_position(school_id, x, y))

    # --- monitoring ------------------------------------------------------------------------------
    def campaign_create(self, plan: Plan):  # type: ignore[no-untyped-def]
        template_id = self.rng.choice([t.id for t in self.monitoring.list_templates()])
        schools = self.rng.sample(self.ids("SELECT id FROM schools WHERE archived_at IS NULL"), 3)
        title = self.token("Мониторинг")
        plan.inserts = ["monitoring_campaigns", "monitoring_campaign_schools"]
        plan.marks = [["monitoring_campaigns", "title", title, 1]]
        return lambda: self.done(
            self.monitoring.create_campaign(
                template_id,
                title,
                schools,
                academic_year=2021,
                period_start=date(2021, 9, 1),
                period_end=date(2022, 5, 31),
            )[1]
        )

    def monitoring_values(self, plan: Plan):  # type: ignore[no-untyped-def]
        campaign = self.rng.choice(self.monitoring.list_campaigns())
        school_id = self.rng.choice(campaign.school_ids)
        texts = [c for c in self.monitoring.criteria(campaign.template_id) if c.value_type == "text"]
        if not texts:
            raise _Skip
        chosen = self.rng.sample(texts, min(len(texts), self.rng.randint(1, 3)))
        values = {c.id: self.token(f"Ответ {c.number}") for c in chosen}
        for criterion_id in values:
            plan.touch += [
                ["monitoring_values", i]
                for i in self.ids(
                    "SELECT id FROM monitoring_values WHERE campaign_id = ? AND school_id = ? AND criterion_id = ?",
                    (campaign.id, school_id, criterion_id),
                )
            ]
        plan.inserts = ["monitoring_values"]
        plan.marks = [["monitoring_values", "value", v, 1] for v in values.values()]
        return lambda: self.done(
            self.monitoring.set_values(campaign.id, school_id, dict(values), entered_by="краш-тест")
        )

    # --- orders ----------------------------------------------------------------------------------
    def order_create(self, plan: Plan):  # type: ignore[no-untyped-def]
        title = self.token("Об организации работы со школами")
        raw = {
            "kind": "order",
            "title": title,
            "preamble": "В целях оказания методической помощи школам с низкими образовательными результатами",
            "directive": "ПРИКАЗЫВАЮ:",
            "signer_position": "Председатель комитета образования",
            "signer_name": "Е.А. Краснова",
            "control_text": "Контроль за исполнением приказа оставляю за собой.",
            "academic_year": 2020,
            "source": CRASH_SOURCE,
        }
        points = [
            PointDraft(text=f"Провести совещание руководителей ({title})."),
            PointDraft(text="Утвердить план работы.", deadline="до 01.10.2020"),
        ]
        plan.inserts = ["orders", "order_points"]
        plan.marks = [["orders", "title", title, 1]]
        return lambda: self.done(self.orders.create(raw, points)[1])

    def drafts(self) -> list[int]:
        return self.ids("SELECT id FROM orders WHERE status = 'draft' AND source = ?", (CRASH_SOURCE,))

    def order_points(self, plan: Plan):  # type: ignore[no-untyped-def]
        drafts = self.drafts()
        if not drafts:
            raise _Skip
        order_id = self.rng.choice(drafts)
        text = self.token("Назначить ответственным")
        points = [
            PointDraft(text=f"{text}."),
            PointDraft(
                addressee="Руководителям общеобразовательных организаций",
                children=[PointDraft(text="Обеспечить участие.", deadline="в течение года")],
            ),
        ]
        plan.touch = [["orders", order_id]] + [
            ["order_points", i]
            for i in self.ids("SELECT id FROM order_points WHERE order_id = ?", (order_id,))
        ]
        plan.inserts = ["order_points"]
        plan.marks = [["order_points", "text", f"{text}.", 1]]
        return lambda: self.done(self.orders.set_points(order_id, points))

    def order_sign(self, plan: Plan):  # type: ignore[no-untyped-def]
        from app.orders.printing import sign_order

        drafts = self.drafts()
        if not drafts:
            raise _Skip
        order_id = self.rng.choice(drafts)
        number = f"{self.seq}-к"
        plan.touch = [["orders", order_id]]
        plan.marks = [["orders", "number", number, 1]]
        on = date(2021, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return lambda: self.done(sign_order(self.db, order_id, number=number, on=on)[0])

    # --- results ---------------------------------------------------------------------------------
    def results_save(self, plan: Plan):  # type: ignore[no-untyped-def]
        school_id = self.active_school()
        subject, grade = self.rng.choice(SUBJECTS), self.rng.randint(4, 8)
        source = self.token("ФИС ОКО")
        shares = [self.rng.randint(0, 40) for _ in range(3)]
        result = Result(
            level=Level.SCHOOL,
            school_id=school_id,
            area="",
            academic_year=2022,
            procedure=Procedure.VPR,
            subject=subject,
            grade=grade,
            participants=self.rng.randint(5, 120),
            share_2=float(shares[0]),
            share_3=float(shares[1]),
            share_4=float(shares[2]),
            share_5=float(100 - sum(shares)),
            average=round(2 + self.rng.random() * 3, 2),
            source=source,
        )
        plan.touch = [
            ["assessment_results", i]
            for i in self.ids(
                "SELECT id FROM assessment_results WHERE level = 'school' AND school_id = ? AND area = '' "
                "AND academic_year = 2022 AND procedure = 'vpr' AND subject = ? AND grade = ?",
                (school_id, subject, grade),
            )
        ]
        plan.inserts = ["assessment_results"]
        plan.marks = [["assessment_results", "source", source, 1]]
        return lambda: self.done(self.results.save([result]))

    # --- undo and redo -------------------------------------------------------------------------
    def undo(self, plan: Plan):  # type: ignore[no-untyped-def]
        changeset = self.last
        if not changeset:
            raise _Skip
        plan.targets = initial_rows(changeset)
        plan.touch = [[t, i] for t, i, _ in plan.targets]

        def action() -> list[list[Any]]:
            history.undo(self.db, changeset)
            self.last, self.undone = None, changeset
            return initial_rows(changeset)

        return action

    def redo(self, plan: Plan):  # type: ignore[no-untyped-def]
        changeset = self.undone
        if not changeset:
            raise _Skip
        plan.targets = final_rows(changeset)
        plan.touch = [[t, i] for t, i, _ in plan.targets]

        def action() -> list[list[Any]]:
            history.redo(self.db, changeset)
            self.last, self.undone = changeset, None
            return final_rows(changeset)

        return action

    # --- a bulk registry import ------------------------------------------------------------------
    def registry_import(self, plan: Plan):  # type: ignore[no-untyped-def]
        director = self.token("Директор по импорту")
        existing = self.db.query(
            "SELECT id, full_name FROM schools WHERE archived_at IS NULL AND parent_id IS NULL"
        )
        updated = self.rng.sample(existing, min(len(existing), self.rng.randint(0, 3)))
        new = [
            f"Муниципальное общеобразовательное учреждение «Основная общеобразовательная школа № {self.seq * 10 + n}»"
            for n in range(self.rng.randint(1, 6))
        ]
        rows = [(r["full_name"], director, self.rng.randint(50, 900)) for r in updated]
        rows += [(name, director, self.rng.randint(50, 900)) for name in new]
        self.rng.shuffle(rows)
        path = self.work / f"реестр-{self.seq}.xlsx"
        plan.touch = [["schools", r["id"]] for r in updated]
        plan.inserts = ["schools"]
        plan.marks = [["schools", "director", director, len(rows)]]

        def action() -> list[list[Any]]:
            from openpyxl import Workbook

            from app.importing.registry_import import apply_registry_import, preview_registry_import

            book = Workbook()
            sheet = book.active
            sheet.append(["Реестр общеобразовательных организаций"])
            sheet.append([])
            sheet.append(["Наименование ОО", "Директор", "Численность обучающихся"])
            for row in rows:
                sheet.append(list(row))
            book.save(path)
            preview = run_job(preview_registry_import(self.db, path))
            changeset = run_job(apply_registry_import(self.db, preview))
            path.unlink()
            return self.done(changeset)

        return action


class _Skip(Exception):
    """Nothing to do for this kind of edit now: another is chosen."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the child of bench/crash.py")
    parser.add_argument("db", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", choices=["WAL", "DELETE"], default="WAL")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--hold-at", type=int, default=0, help="hold the first OP edit from this number on")
    parser.add_argument("--hold-op", default="order_sign", help="the kind of edit to hold (see Child.ops)")
    parser.add_argument(
        "--cache-pages",
        type=int,
        default=0,
        help="a page cache this small makes every larger write spill into the file before its commit, "
        "as a 40,000-row import does with the default cache (so a kill leaves a hot journal)",
    )
    args = parser.parse_args(argv)
    database = open_database(args.db)
    conn = database.connection()
    how = "product"
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).upper()
    if mode != args.mode:
        # the product has no way (yet) to force the network-share mode: set it here
        mode = str(conn.execute(f"PRAGMA journal_mode = {args.mode}").fetchone()[0]).upper()
        how = "pragma"
    synchronous = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    emit({"e": "M", "mode": mode, "how": how, "synchronous": synchronous, "pid": os.getpid()})
    if args.cache_pages:
        conn.execute(f"PRAGMA cache_size = {int(args.cache_pages)}")
    conn.set_trace_callback(trace_transactions)
    hold = (args.hold_at, args.hold_op) if args.hold_at else None
    Child(database, random.Random(args.seed), args.work, hold).run()


if __name__ == "__main__":
    main()
