"""Order templates: the documents the seeds contain, bundled in resources/orders/*.json, and the
office's own edited copies (table order_templates) that take their place.

A template's texts carry placeholders filled when an order is made from it:
  {год} «2020-2021», {первый_год} «2020», {второй_год} «2021», {вид_род} «приказа»;
  {прил.KIND} the number of the template's appendix of that kind («1»);
  {ответственный.имя.ПАДЕЖ}, {ответственный.должность.ПАДЕЖ}, {ответственный.лицо.ПАДЕЖ} (name
  and position, «Плаксиной И.Н., главному специалисту …»), {ответственный.назначить}
  («ответственным» / «ответственной»), and the same for {контроль.…} — the person the control
  point names; ПАДЕЖ is им, род, дат, вин, тв, пр.
Forms the declension is not sure of are returned as notes for the user to check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.errors import AppError
from app.paths import resources_dir
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

_CASES = {
    "им": "nominative",
    "род": "genitive",
    "дат": "dative",
    "вин": "accusative",
    "тв": "instrumental",
    "пр": "prepositional",
}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
CONTROL_SELF = "Контроль за исполнением настоящего {вид_род} оставляю за собой."
CONTROL_PERSON = (
    "Контроль за исполнением настоящего {вид_род} возложить на {контроль.имя.вин} – {контроль.должность.вин}."
)


@dataclass(frozen=True)
class Person:
    name: str  # «Труфанова А.А.» in the nominative
    position: str = ""  # «руководитель ИМС» in the nominative


@dataclass(frozen=True)
class OrderTemplate:
    key: str
    name: str
    kind: str
    description: str
    data: dict[str, Any] = field(compare=False, hash=False)
    edited: bool = False  # the office's copy replaces the bundled one


@dataclass
class Filled:
    text: str
    notes: list[str] = field(default_factory=list)


def _bundled() -> dict[str, dict[str, Any]]:
    folder = resources_dir() / "orders"
    found: dict[str, dict[str, Any]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # a damaged bundled file: the others still work
        if isinstance(data, dict) and data.get("key"):
            found[str(data["key"])] = data
    return found


def list_templates(database: Database) -> list[OrderTemplate]:
    templates = {key: (data, False) for key, data in _bundled().items()}
    for row in database.query("SELECT key, data FROM order_templates ORDER BY id"):
        try:
            data = json.loads(row["data"])
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            templates[row["key"]] = (data, True)
    return [
        OrderTemplate(
            key=key,
            name=str(data.get("name", key)),
            kind=str(data.get("kind", "order")),
            description=str(data.get("description", "")),
            data=data,
            edited=edited,
        )
        for key, (data, edited) in templates.items()
    ]


def get_template(database: Database, key: str) -> OrderTemplate:
    for template in list_templates(database):
        if template.key == key:
            return template
    raise AppError(f"Шаблон «{key}» не найден.")


def save_template(database: Database, key: str, data: Mapping[str, Any]) -> ChangeSet:
    """Store the office's version of a template (same key: it replaces the bundled one)."""
    problems = check_template(data)
    if problems:
        raise AppError("Шаблон не сохранён: " + "; ".join(problems) + ".")
    text = json.dumps({**data, "key": key}, ensure_ascii=False, indent=2)
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, f"Шаблон «{data.get('name', key)}»")
        row = conn.execute("SELECT id FROM order_templates WHERE key = ?", (key,)).fetchone()
        if row:
            recorder.update("order_templates", row["id"], {"data": text})
        else:
            recorder.insert("order_templates", {"key": key, "data": text})
    return recorder.changeset


def _placeholders(text: str, year: int | None) -> str:
    """The order's own years back into placeholders: «2020-2021» → «{год}»."""
    if year is None or not text:
        return text
    text = re.sub(rf"\b{year}\s*[-–/]\s*(?:{year + 1}|{(year + 1) % 100:02d})\b", "{год}", text)
    return text


def template_from_order(order: Any, name: str, description: str = "") -> dict[str, Any]:
    """A template made of an order as the office wrote it: texts with its years as placeholders,
    its points, its control point and the kinds of its appendices (the data is chosen anew)."""
    year = order.academic_year

    def points(nodes: Any) -> list[dict[str, Any]]:
        return [
            {
                key: value
                for key, value in (
                    ("text", _placeholders(p.text, year)),
                    ("addressee", _placeholders(p.addressee, year)),
                    ("responsible", p.responsible),
                    ("deadline", _placeholders(p.deadline, year)),
                    ("children", points(p.children)),
                )
                if value
            }
            for p in nodes
        ]

    appendices = []
    for appendix in order.appendices:
        spec: dict[str, Any] = {"kind": appendix.kind.value}
        if appendix.kind.value == "school_list":
            spec["category"] = appendix.category
        if appendix.kind.value == "text":
            spec["title"] = _placeholders(appendix.title, year)
            spec["body"] = _placeholders(appendix.body, year)
        appendices.append(spec)
    return {
        "name": name.strip(),
        "kind": order.kind.value,
        "description": description.strip()
        or f"Шаблон органа, составленный по документу «{order.title[:80]}».",
        "title": _placeholders(order.title, year),
        "preamble": [_placeholders(p, year) for p in order.preamble.split("\n") if p.strip()],
        "directive": order.directive,
        "points": points(order.points),
        "control": "text" if order.control_text.strip() else "none",
        "control_text": _placeholders(order.control_text, year),
        "distribution": order.distribution,
        "attachments_note": order.attachments_note,
        "appendices": appendices,
    }


def new_template_key(database: Database) -> str:
    taken = {t.key for t in list_templates(database)}
    number = 1
    while f"office-{number}" in taken:
        number += 1
    return f"office-{number}"


def is_bundled(key: str) -> bool:
    return key in _bundled()


def reset_template(database: Database, key: str) -> ChangeSet:
    """Drop the office's copy: the bundled template is back."""
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, "Шаблон возвращён к исходному")
        for row in conn.execute("SELECT id FROM order_templates WHERE key = ?", (key,)).fetchall():
            recorder.delete("order_templates", row["id"])
    return recorder.changeset


def check_template(data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if not str(data.get("name", "")).strip():
        problems.append("не указано название шаблона")
    if data.get("kind") not in ("order", "directive", "letter"):
        problems.append("вид документа должен быть приказом, распоряжением или письмом")
    if not isinstance(data.get("points", []), list):
        problems.append("пункты должны быть списком")
    for appendix in data.get("appendices", []) or []:
        if not isinstance(appendix, dict) or appendix.get("kind") not in (
            "plan",
            "school_list",
            "working_group",
            "partnerships",
            "partnership_map",
            "monitoring_criteria",
            "text",
        ):
            problems.append(f"неизвестный вид приложения: {appendix!r}")
    return problems


# --- filling ------------------------------------------------------------------------------------


def fill(
    text: str,
    *,
    year: int,
    kind_genitive: str,
    appendix_numbers: Mapping[str, str],
    people: Mapping[str, Person | None],
) -> Filled:
    """Replace the placeholders of one text; unknown placeholders stay as typed."""
    from app.orders.declension import (
        Case,
        agree_adjective,
        decline_name,
        decline_position,
        guess_gender,
        person_phrase,
    )

    notes: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        simple = {
            "год": f"{year}-{year + 1}",
            "первый_год": str(year),
            "второй_год": str(year + 1),
            "вид_род": kind_genitive,
        }
        if token in simple:
            return simple[token]
        if token.startswith("прил."):
            return appendix_numbers.get(token[5:], "")
        parts = token.split(".")
        if parts[0] not in people:
            return match.group(0)
        person = people[parts[0]]
        if person is None or not person.name.strip():
            return "____________"
        if len(parts) == 2 and parts[1] == "назначить":
            return agree_adjective("ответственным", guess_gender(person.name))
        if len(parts) != 3 or parts[2] not in _CASES:
            return match.group(0)
        case = Case(_CASES[parts[2]])
        gender = guess_gender(person.name)
        if parts[1] == "имя":
            result = decline_name(person.name, case)
        elif parts[1] == "должность":
            result = decline_position(person.position, case, gender)
        elif parts[1] == "лицо":
            result = person_phrase(person.name, person.position, case)
        else:
            return match.group(0)
        if not result.sure:
            notes.append(result.note or f"Проверьте форму «{result.text}».")
        return result.text

    return Filled(_PLACEHOLDER.sub(replace, text), notes)


@dataclass
class TemplateChoices:
    """What the user picks when making an order from a template."""

    year: int
    responsible: Person | None = None
    controller: Person | None = None  # None with control="person" leaves a blank to fill
    plan_ids: Sequence[int] = ()
    working_group_id: int | None = None
    monitoring_template_id: int | None = None


def create_from_template(
    database: Database, key: str, choices: TemplateChoices
) -> tuple[int, ChangeSet, list[str]]:
    """A new draft from the template: (order id, change set, notes on forms to check)."""
    from app.office import OfficeService
    from app.orders.model import OrderKind, OrderOptions, PointDraft
    from app.orders.printing import suggested_issuer
    from app.orders.service import OrderService

    template = get_template(database, key)
    data = template.data
    kind = OrderKind(template.kind)
    office_service = OfficeService(database)
    office = office_service.get()
    appendix_specs = [a for a in data.get("appendices", []) if isinstance(a, dict)]
    numbers: dict[str, str] = {}
    for index, spec in enumerate(appendix_specs, start=1):
        numbers.setdefault(str(spec["kind"]), str(index) if len(appendix_specs) > 1 else "")
    people = {"ответственный": choices.responsible, "контроль": choices.controller}
    notes: list[str] = []

    def text(value: Any) -> str:
        filled = fill(
            str(value or ""),
            year=choices.year,
            kind_genitive=kind.genitive,
            appendix_numbers=numbers,
            people=people,
        )
        notes.extend(filled.notes)
        # a lone appendix has no number: «согласно приложению  к приказу» loses the double space
        text = re.sub(r" +([.,;:)])", r"\1", re.sub(r" {2,}", " ", filled.text))
        return re.sub(
            r"(?<!\.)\.\.(?!\.)", ".", text
        )  # «Плаксину И.Н..»: the initials' dot ends the sentence

    def points(nodes: Any) -> list[PointDraft]:
        return [
            PointDraft(
                text=text(node.get("text", "")),
                addressee=text(node.get("addressee", "")),
                responsible=text(node.get("responsible", "")),
                deadline=text(node.get("deadline", "")),
                children=points(node.get("children", [])),
            )
            for node in nodes or []
            if isinstance(node, dict)
        ]

    control_mode = data.get("control", "self")
    control = ""
    if control_mode == "self":
        control = text(CONTROL_SELF)
    elif control_mode == "person":
        control = text(CONTROL_PERSON)
    elif control_mode == "text":  # the office's own wording, kept as written
        control = text(data.get("control_text", ""))
    issuer = office_service.setting("orders.issuer") or suggested_issuer(office.short_name)
    raw = {
        "kind": kind.value,
        "title": text(data.get("title", "")),
        "preamble": "\n".join(text(p) for p in data.get("preamble", [])),
        "directive": str(data.get("directive", kind.directive_word)),
        "control_text": control,
        "place": office.place,
        "issuer": issuer,
        "signer_position": office.head_position,
        "signer_name": office.head_name,
        "distribution": text(data.get("distribution", "")),
        "attachments_note": text(data.get("attachments_note", "")),
        "academic_year": choices.year,
        "template_key": key,
        "options": OrderOptions(),
    }
    service = OrderService(database)
    order_id, changeset = service.create(raw, points(data.get("points", [])))
    for spec in appendix_specs:
        appendix: dict[str, Any] = {"kind": spec["kind"], "academic_year": choices.year}
        if spec["kind"] == "plan":
            appendix["plan_ids"] = list(choices.plan_ids)
        elif spec["kind"] == "school_list":
            appendix["category"] = spec.get("category", "low_results")
        elif spec["kind"] == "working_group":
            appendix["working_group_id"] = choices.working_group_id
        elif spec["kind"] == "monitoring_criteria":
            appendix["template_id"] = choices.monitoring_template_id
        elif spec["kind"] == "text":
            appendix["title"] = text(spec.get("title", ""))
            appendix["body"] = text(spec.get("body", ""))
        _, more = service.add_appendix(order_id, appendix)
        changeset.changes.extend(more.changes)
    return order_id, changeset, list(dict.fromkeys(notes))
