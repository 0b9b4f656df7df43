"""Monitoring campaigns: templates installed in the database, campaigns over schools, values by
type, completeness and the schools × criteria matrix.

A campaign refers to one installed template version, so a template edited later never changes
what a past campaign asked. Every write returns a `ChangeSet` for the undo stack.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.domain import academic_year_label
from app.errors import AppError, FieldProblem, ValidationError
from app.exporting.files import check_target, write_atomically
from app.monitoring.templates import (
    CriterionSpec,
    TemplateError,
    TemplateSpec,
    load_template,
    template_from_json,
    template_to_json,
    write_template,
)
from app.values import clean_text
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

VALUE_TYPES = ("group", "text", "number", "percent", "yesno", "date", "document", "choice")
TYPE_LABELS = {
    "group": "Раздел",
    "text": "Текст",
    "number": "Число",
    "percent": "Процент",
    "yesno": "Да/нет",
    "date": "Дата",
    "document": "Реквизиты документа",
    "choice": "Выбор из списка",
}
YES, NO = "да", "нет"


@dataclass(frozen=True)
class TemplateSummary:
    id: int
    key: str
    version: int
    title: str
    source: str
    criteria: int  # leaves: what a school fills in
    groups: int
    builtin: bool


@dataclass(frozen=True)
class Criterion:
    id: int
    template_id: int
    parent_id: int | None
    position: int
    number: str
    title: str
    value_type: str
    required: bool
    points: float | None
    choices: tuple[str, ...]
    hint: str
    depth: int = 0

    @property
    def is_group(self) -> bool:
        return self.value_type == "group"

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class Campaign:
    id: int
    template_id: int
    template_title: str
    title: str
    academic_year: int | None
    period_start: date | None
    period_end: date | None
    due_date: date | None
    status: str
    school_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class StoredValue:
    criterion_id: int
    value: str
    comment: str
    entered_by: str
    entered_at: str


@dataclass
class Matrix:
    """Schools (rows) × leaf criteria (columns) of one campaign, with completeness per school."""

    campaign: Campaign
    schools: list[tuple[int, str]]
    criteria: list[Criterion]
    values: dict[tuple[int, int], str] = field(default_factory=dict)

    def filled(self, school_id: int) -> int:
        return sum(1 for c in self.criteria if self.values.get((school_id, c.id), "") != "")

    def required_filled(self, school_id: int) -> tuple[int, int]:
        required = [c for c in self.criteria if c.required]
        done = sum(1 for c in required if self.values.get((school_id, c.id), "") != "")
        return done, len(required)

    def completeness(self, school_id: int) -> float:
        done, total = self.required_filled(school_id)
        return 1.0 if total == 0 else done / total


def parse_value(criterion: Criterion, raw: object) -> str:
    """The value as stored for its type; '' when empty; ValueError with a Russian reason."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        text = YES if raw else NO
    elif isinstance(raw, date):
        text = raw.isoformat()
    else:
        text = (
            " ".join(str(raw).replace("\u00a0", " ").split())
            if criterion.value_type != "text"
            else str(raw).strip()
        )
    if text == "":
        return ""
    kind = criterion.value_type
    if kind in ("text", "document"):
        return text
    if kind in ("number", "percent"):
        cleaned = text.replace(" ", "").replace(",", ".").rstrip("%")
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(f"ожидается число, а написано «{text}»") from None
        if number < 0:
            raise ValueError("число не может быть отрицательным")
        if kind == "percent" and number > 100:
            raise ValueError(f"процент не может быть больше 100 (написано {text})")
        text = f"{number:.6f}".rstrip("0").rstrip(".")  # 1234567 stays 1234567 (not «1.23457e+06»)
        return text.replace(".", ",")
    if kind == "yesno":
        folded = text.lower().replace("ё", "е")
        if folded in ("да", "д", "yes", "1", "true", "есть", "+"):
            return YES
        if folded in ("нет", "н", "no", "0", "false", "-", "—"):
            return NO
        raise ValueError(f"ожидается «да» или «нет», а написано «{text}»")
    if kind == "date":
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:\s*г\.?)?", text) or re.fullmatch(
            r"(\d{4})-(\d{2})-(\d{2})", text
        )
        try:
            if match and "-" in text:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
            if match:
                year = int(match.group(3))
                year = year + 2000 if year < 100 else year
                return date(year, int(match.group(2)), int(match.group(1))).isoformat()
        except ValueError:
            pass
        raise ValueError(f"ожидается дата ДД.ММ.ГГГГ, а написано «{text}»")
    if kind == "choice":
        for choice in criterion.choices:
            if choice.lower() == text.lower():
                return choice
        raise ValueError(f"значение «{text}» не из списка: {', '.join(criterion.choices)}")
    raise ValueError("у раздела нет значения: заполняются его пункты")


def display_value(criterion: Criterion, stored: str) -> str:
    if criterion.value_type == "date" and stored:
        try:
            return f"{date.fromisoformat(stored):%d.%m.%Y}"
        except ValueError:
            return stored
    if criterion.value_type == "percent" and stored:
        return f"{stored} %"
    return stored


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class MonitoringService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- templates -----------------------------------------------------------------------
    def install_template(self, spec: Any, *, builtin: bool = False) -> tuple[int, ChangeSet]:
        """Put a template (app.monitoring.templates.TemplateSpec) into the database; a version
        already installed is returned as it is."""
        existing = self.database.query(
            "SELECT id FROM monitoring_templates WHERE key = ? AND version = ?", (spec.key, spec.version)
        )
        if existing:
            return int(existing[0]["id"]), ChangeSet("Шаблон уже установлен")
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Шаблон «{spec.title}»")
            template_id = _insert_template(recorder, spec, spec.version, builtin=builtin)
        return template_id, recorder.changeset

    def install_bundled(self) -> list[int]:
        from app.monitoring.templates import bundled_templates

        return [self.install_template(spec, builtin=True)[0] for spec in bundled_templates()]

    def list_templates(self) -> list[TemplateSummary]:
        rows = self.database.query(
            "SELECT t.*, "
            "(SELECT count(*) FROM monitoring_criteria c WHERE c.template_id = t.id AND c.value_type <> 'group') AS leaves, "
            "(SELECT count(*) FROM monitoring_criteria c WHERE c.template_id = t.id AND c.value_type = 'group') AS groups "
            "FROM monitoring_templates t ORDER BY t.builtin DESC, t.title, t.version"
        )
        return [
            TemplateSummary(
                r["id"],
                r["key"],
                r["version"],
                r["title"],
                r["source"],
                r["leaves"],
                r["groups"],
                bool(r["builtin"]),
            )
            for r in rows
        ]

    def criteria(self, template_id: int) -> list[Criterion]:
        """The template's tree in reading order, each node with its depth."""
        rows = self.database.query(
            "SELECT * FROM monitoring_criteria WHERE template_id = ? ORDER BY position", (template_id,)
        )
        depth: dict[int, int] = {}
        found = []
        for r in rows:
            level = depth[r["parent_id"]] + 1 if r["parent_id"] in depth else 0
            depth[r["id"]] = level
            found.append(
                Criterion(
                    id=r["id"],
                    template_id=r["template_id"],
                    parent_id=r["parent_id"],
                    position=r["position"],
                    number=r["number"],
                    title=r["title"],
                    value_type=r["value_type"],
                    required=bool(r["required"]),
                    points=r["points"],
                    choices=tuple(json.loads(r["choices"] or "[]")),
                    hint=r["hint"],
                    depth=level,
                )
            )
        return found

    # --- editing templates ------------------------------------------------------------------
    def template_spec(self, template_id: int) -> TemplateSpec:
        """The stored template as a spec (for the editor and for export)."""
        rows = self.database.query("SELECT * FROM monitoring_templates WHERE id = ?", (template_id,))
        if not rows:
            raise AppError("Шаблон мониторинга не найден: возможно, он удалён.")
        row = rows[0]
        children: dict[int | None, list[Criterion]] = {}
        for criterion in self.criteria(template_id):
            children.setdefault(criterion.parent_id, []).append(criterion)

        def build(parent_id: int | None) -> tuple[CriterionSpec, ...]:
            return tuple(
                CriterionSpec(
                    number=c.number,
                    title=c.title,
                    type=c.value_type,
                    required=c.required,
                    points=c.points,
                    choices=c.choices,
                    hint=c.hint,
                    children=build(c.id),
                )
                for c in children.get(parent_id, [])
            )

        return TemplateSpec(
            key=row["key"],
            title=row["title"],
            version=row["version"],
            source=row["source"],
            description=row["description"],
            criteria=build(None),
        )

    def next_version(self, key: str) -> int:
        """The version a template saved under `key` gets: 1 for a new key, else the newest + 1."""
        rows = self.database.query("SELECT max(version) AS v FROM monitoring_templates WHERE key = ?", (key,))
        newest = rows[0]["v"] if rows else None
        return int(newest) + 1 if newest is not None else 1

    def campaigns_using(self, template_id: int) -> list[str]:
        """Titles of the campaigns that ask this template's criteria."""
        return [
            r["title"]
            for r in self.database.query(
                "SELECT title FROM monitoring_campaigns WHERE template_id = ? ORDER BY id", (template_id,)
            )
        ]

    def save_template(self, spec: TemplateSpec, *, based_on: int | None = None) -> tuple[int, ChangeSet]:
        """Store an edited or new template, checked by the rules of the template files.

        A template already installed is never changed (campaigns refer to it): a key that exists
        gets a new version (the newest + 1), builtin=0. When the tree is the same as a version
        already stored, that version is returned with an empty change set. One undo step.
        """
        try:
            checked = template_from_json(template_to_json(spec))
        except TemplateError as exc:
            raise _not_saved(exc, spec.title) from None
        if based_on is not None and not self.database.query(
            "SELECT 1 FROM monitoring_templates WHERE id = ?", (based_on,)
        ):
            raise AppError("Шаблон, который редактировался, не найден: возможно, он удалён.")
        content = _content(checked)
        for row in self.database.query(
            "SELECT id FROM monitoring_templates WHERE key = ? ORDER BY version DESC", (checked.key,)
        ):
            if _content(self.template_spec(row["id"])) == content:
                return int(row["id"]), ChangeSet("Шаблон не изменён")
        with self.database.atomic() as conn:
            newest = conn.execute(
                "SELECT max(version) FROM monitoring_templates WHERE key = ?", (checked.key,)
            ).fetchone()[0]
            version = int(newest) + 1 if newest is not None else checked.version
            what = (
                f"Шаблон «{checked.title}», версия {version}"
                if newest is not None
                else f"Шаблон «{checked.title}»"
            )
            recorder = ChangeRecorder(conn, what)
            template_id = _insert_template(recorder, checked, version, builtin=False)
        return template_id, recorder.changeset

    def delete_template(self, template_id: int) -> ChangeSet:
        """Remove a template nobody uses; refused for one a campaign uses or one shipped with the
        program (it would be installed again)."""
        rows = self.database.query("SELECT * FROM monitoring_templates WHERE id = ?", (template_id,))
        if not rows:
            raise AppError("Шаблон мониторинга не найден: возможно, он уже удалён.")
        row = rows[0]
        name = f"«{row['title']}» (версия {row['version']})"
        used = self.campaigns_using(template_id)
        if used:
            listed = ", ".join(f"«{title}»" for title in used[:3]) + (" и другие" if len(used) > 3 else "")
            word = "мониторинге" if len(used) == 1 else "мониторингах"
            raise AppError(
                f"Шаблон {name} нельзя удалить: по нему проводится в {word} {listed}. "
                "Чтобы изменить шаблон, сохраните его новую версию — прежние мониторинги её не заметят."
            )
        if row["builtin"]:
            raise AppError(
                f"Шаблон {name} входит в поставку программы и не удаляется. "
                "Его можно взять за основу и сохранить свою версию."
            )
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Удаление шаблона {name}")
            # Children after their parents in reading order: deleted from the end, so that undo
            # (newest change first) puts the parents back before their children.
            for criterion in conn.execute(
                "SELECT id FROM monitoring_criteria WHERE template_id = ? ORDER BY position DESC",
                (template_id,),
            ).fetchall():
                recorder.delete("monitoring_criteria", criterion["id"])
            recorder.delete("monitoring_templates", template_id)
        return recorder.changeset

    def export_template(self, template_id: int, path: Path | str) -> Path:
        """Write the template to a .json file another office can import (the format of the
        bundled templates)."""
        target = check_target(Path(path), (".json",), "Экспорт шаблона")
        spec = self.template_spec(template_id)
        write_atomically(target, lambda temp: write_template(spec, temp))
        return target

    def import_template(self, path: Path | str) -> tuple[int, ChangeSet]:
        """Read a template file (TemplateError says what is wrong) and store it like
        save_template: a key already installed gets a new version."""
        spec = load_template(path)
        return self.save_template(spec)

    # --- campaigns -----------------------------------------------------------------------
    def create_campaign(
        self,
        template_id: int,
        title: str,
        school_ids: Iterable[int],
        *,
        academic_year: int | None = None,
        period_start: date | None = None,
        period_end: date | None = None,
        due_date: date | None = None,
    ) -> tuple[int, ChangeSet]:
        title = clean_text(title)
        schools = list(dict.fromkeys(int(s) for s in school_ids))
        problems = []
        if not title:
            problems.append(FieldProblem("title", "Не указано название мониторинга"))
        if not schools:
            problems.append(FieldProblem("schools", "Выберите хотя бы одну школу"))
        if period_start and period_end and period_start > period_end:
            problems.append(FieldProblem("period_end", "Конец периода раньше его начала"))
        if problems:
            raise ValidationError(problems)
        with self.database.atomic() as conn:
            if (
                conn.execute("SELECT 1 FROM monitoring_templates WHERE id = ?", (template_id,)).fetchone()
                is None
            ):
                raise AppError("Шаблон мониторинга не найден.")
            if academic_year is not None:
                conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (academic_year,))
            recorder = ChangeRecorder(conn, f"Мониторинг «{title}»")
            campaign_id = recorder.insert(
                "monitoring_campaigns",
                {
                    "template_id": template_id,
                    "title": title,
                    "academic_year": academic_year,
                    "period_start": period_start.isoformat() if period_start else None,
                    "period_end": period_end.isoformat() if period_end else None,
                    "due_date": due_date.isoformat() if due_date else None,
                },
            )
            for school_id in schools:
                recorder.insert(
                    "monitoring_campaign_schools", {"campaign_id": campaign_id, "school_id": school_id}
                )
        return campaign_id, recorder.changeset

    def list_campaigns(self, year: int | None = None) -> list[Campaign]:
        rows = self.database.query(
            "SELECT c.*, t.title AS template_title FROM monitoring_campaigns c "
            "JOIN monitoring_templates t ON t.id = c.template_id "
            + ("WHERE c.academic_year = ? " if year is not None else "")
            + "ORDER BY c.id DESC",
            (year,) if year is not None else (),
        )
        schools: dict[int, list[int]] = {}
        for link in self.database.query(
            "SELECT campaign_id, school_id FROM monitoring_campaign_schools ORDER BY id"
        ):
            schools.setdefault(link["campaign_id"], []).append(link["school_id"])
        return [
            Campaign(
                id=r["id"],
                template_id=r["template_id"],
                template_title=r["template_title"],
                title=r["title"],
                academic_year=r["academic_year"],
                period_start=_date(r["period_start"]),
                period_end=_date(r["period_end"]),
                due_date=_date(r["due_date"]),
                status=r["status"],
                school_ids=tuple(schools.get(r["id"], ())),
            )
            for r in rows
        ]

    def campaign(self, campaign_id: int) -> Campaign:
        for found in self.list_campaigns():
            if found.id == campaign_id:
                return found
        raise AppError(f"Мониторинг № {campaign_id} не найден: возможно, он удалён.")

    # --- values --------------------------------------------------------------------------
    def values(self, campaign_id: int, school_id: int) -> dict[int, StoredValue]:
        return {
            r["criterion_id"]: StoredValue(
                r["criterion_id"], r["value"], r["comment"], r["entered_by"], r["entered_at"]
            )
            for r in self.database.query(
                "SELECT * FROM monitoring_values WHERE campaign_id = ? AND school_id = ?",
                (campaign_id, school_id),
            )
        }

    def set_values(
        self,
        campaign_id: int,
        school_id: int,
        raw: dict[int, object],
        *,
        comments: dict[int, str] | None = None,
        entered_by: str = "специалист",
        description: str = "",
    ) -> ChangeSet:
        """Store several values of one school; every value is checked by its criterion's type
        first, and nothing is written when any is wrong (each problem names the criterion)."""
        campaign = self.campaign(campaign_id)
        if school_id not in campaign.school_ids:
            raise AppError("Эта школа не участвует в мониторинге.")
        by_id = {c.id: c for c in self.criteria(campaign.template_id)}
        parsed: dict[int, str] = {}
        problems = []
        for criterion_id, value in raw.items():
            criterion = by_id.get(criterion_id)
            if criterion is None or criterion.is_group:
                problems.append(
                    FieldProblem(str(criterion_id), f"Пункт № {criterion_id} не из этого шаблона")
                )
                continue
            try:
                parsed[criterion_id] = parse_value(criterion, value)
            except ValueError as exc:
                problems.append(FieldProblem(str(criterion_id), f"{criterion.label}: {exc}"))
        if problems:
            raise ValidationError(problems)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, description or f"Значения мониторинга «{campaign.title}»")
            stamp = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
            for criterion_id, value in parsed.items():
                comment = (comments or {}).get(criterion_id)
                _put_value(
                    conn, recorder, campaign_id, school_id, criterion_id, value, comment, entered_by, stamp
                )
        return recorder.changeset

    def matrix(self, campaign_id: int) -> Matrix:
        campaign = self.campaign(campaign_id)
        names = {
            r["id"]: r["short_name"] or r["full_name"]
            for r in self.database.query("SELECT id, short_name, full_name FROM schools")
        }
        leaves = [c for c in self.criteria(campaign.template_id) if not c.is_group]
        matrix = Matrix(campaign, [(s, names.get(s, f"Школа № {s}")) for s in campaign.school_ids], leaves)
        for r in self.database.query(
            "SELECT school_id, criterion_id, value FROM monitoring_values WHERE campaign_id = ?",
            (campaign_id,),
        ):
            matrix.values[(r["school_id"], r["criterion_id"])] = r["value"]
        return matrix

    def year_label(self, campaign: Campaign) -> str:
        return academic_year_label(campaign.academic_year) if campaign.academic_year else ""


def _insert_template(recorder: ChangeRecorder, spec: Any, version: int, *, builtin: bool) -> int:
    """Insert the template row and its tree (positions in reading order); the template's id."""
    template_id = recorder.insert(
        "monitoring_templates",
        {
            "key": spec.key,
            "version": version,
            "title": spec.title,
            "source": spec.source,
            "description": spec.description,
            "builtin": int(builtin),
        },
    )
    position = 0

    def add(nodes: Sequence[Any], parent_id: int | None) -> None:
        nonlocal position
        for node in nodes:
            position += 1
            criterion_id = recorder.insert(
                "monitoring_criteria",
                {
                    "template_id": template_id,
                    "parent_id": parent_id,
                    "position": position,
                    "number": node.number,
                    "title": node.title,
                    "value_type": node.type,
                    "required": int(bool(node.required)),
                    "points": node.points,
                    "choices": json.dumps(list(node.choices or []), ensure_ascii=False),
                    "hint": node.hint or "",
                },
            )
            add(node.children or [], criterion_id)

    add(spec.criteria, None)
    return template_id


def _content(spec: TemplateSpec) -> dict[str, Any]:
    """What makes two versions the same template: everything but the version number."""
    data = template_to_json(spec)
    data.pop("version", None)
    return data


def _not_saved(exc: TemplateError, title: str) -> TemplateError:
    """The checker's problems, worded for a template being saved rather than loaded."""
    error = TemplateError(exc.source_name, exc.problems)
    where = f"Шаблон «{title.strip()}»" if title.strip() else "Шаблон"
    if len(exc.problems) == 1:
        error.message = f"{where} не сохранён: {exc.problems[0]}"
    else:
        error.message = f"{where} не сохранён:\n" + "\n".join(f"— {p}" for p in exc.problems)
    error.args = (error.message,)
    return error


def _put_value(
    conn: sqlite3.Connection,
    recorder: ChangeRecorder,
    campaign_id: int,
    school_id: int,
    criterion_id: int,
    value: str,
    comment: str | None,
    entered_by: str,
    stamp: str,
) -> None:
    row = conn.execute(
        "SELECT id, value, comment FROM monitoring_values WHERE campaign_id = ? AND school_id = ? AND criterion_id = ?",
        (campaign_id, school_id, criterion_id),
    ).fetchone()
    if row is None:
        if value == "" and not comment:
            return
        recorder.insert(
            "monitoring_values",
            {
                "campaign_id": campaign_id,
                "school_id": school_id,
                "criterion_id": criterion_id,
                "value": value,
                "comment": comment or "",
                "entered_by": entered_by,
                "entered_at": stamp,
            },
        )
        return
    changes: dict[str, Any] = {}
    if row["value"] != value:
        changes["value"] = value
    if comment is not None and row["comment"] != comment:
        changes["comment"] = comment
    if changes:
        recorder.update(
            "monitoring_values", row["id"], {**changes, "entered_by": entered_by, "entered_at": stamp}
        )
