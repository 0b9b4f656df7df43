"""Bring an existing order (a .docx, or the seeds' text) back as data: the order with its points and
signature, and its appendices — plans through the plans importer, lists of schools matched to the
registry (or added), the working group, partnerships, monitoring criteria, free text.

Two steps, as every importer here: `preview_document_import` reads and matches without writing and
says what will be created; `apply_document_import` writes everything in one transaction, one undo
step. The order comes back as a signed register entry when the document carries a number and a
date (it was signed on paper), else as a draft.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.domain import Category, academic_year_label
from app.errors import AppError
from app.importing.errors import database_errors
from app.orders.model import GroupMember, MemberRole, OrderKind, PointDraft
from app.orders.parse import ParsedAppendix, ParsedOrder, ParsedPoint, parse_order_file, parse_order_text
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

_ROLE_WORDS = (
    (MemberRole.DEPUTY, re.compile(r"заместитель\s+председател", re.IGNORECASE)),
    (MemberRole.CHAIR, re.compile(r"председател", re.IGNORECASE)),
    (MemberRole.SECRETARY, re.compile(r"секретар", re.IGNORECASE)),
    (MemberRole.MEMBER, re.compile(r"член", re.IGNORECASE)),
)
_NAME = re.compile(
    r"^(?P<name>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+"
    r"|[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|ична|инична))\s*[,–—-]?\s*(?P<rest>.*)$"
)


@dataclass
class SchoolListPreview:
    category: Category
    names: list[str]
    matched: list[int | None]  # registry ids; None = a new school will be added


@dataclass
class DocumentImportPreview:
    source_name: str
    parsed: ParsedOrder
    year: int
    plans: Any  # PlanImportPreview of every plan appendix, in order
    plan_counts: list[int]  # how many of those plans each appendix holds
    school_lists: dict[int, SchoolListPreview]  # appendix index → its list
    working_groups: dict[int, list[GroupMember]]
    partnerships: dict[int, Any]  # appendix index → PartnershipImportPreview
    monitoring: dict[int, int | None]  # appendix index → an existing template id, or None to create one
    warnings: list[str] = field(default_factory=list)
    will_be_signed: bool = False  # it carries a number and a date still free in the register

    def summary(self) -> str:
        parsed = self.parsed
        kind = OrderKind(parsed.kind)
        head = f"{kind.label}"
        if parsed.date:
            head += f" от {parsed.date:%d.%m.%Y}"
        if parsed.number:
            head += f" № {parsed.number}"
        title = _short_words(" ".join(parsed.title.split()), 120)
        parts = [f"{head} «{title}»" if title else head, f"пунктов: {_count(parsed.points)}"]
        if parsed.appendices:
            parts.append(
                "приложения: "
                + "; ".join(
                    f"{a.number + ' — ' if a.number else ''}{_APPENDIX_LABELS.get(a.kind, a.kind)}"
                    for a in parsed.appendices
                )
            )
        lines = ["; ".join(parts) + "."]
        if self.plans is not None and self.plans.plans:
            lines.append(self.plans.summary())
        new_schools = sum(m is None for p in self.school_lists.values() for m in p.matched)
        if new_schools:
            lines.append(f"Новых школ в реестре: {new_schools}.")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        parsed = self.parsed
        return {
            "source": self.source_name,
            "kind": parsed.kind,
            "number": parsed.number,
            "date": parsed.date.isoformat() if parsed.date else None,
            "title": parsed.title,
            "points": _count(parsed.points),
            "appendices": [{"number": a.number, "kind": a.kind, "title": a.title} for a in parsed.appendices],
            "academic_year": academic_year_label(self.year),
            "warnings": self.warnings,
        }


@dataclass
class DocumentImportResult:
    order_id: int
    status: str
    plan_ids: list[int]
    school_ids_added: list[int]
    categories_set: int
    working_group_ids: list[int]
    partnership_ids: list[int]
    monitoring_template_ids: list[int]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "status": self.status,
            "plan_ids": self.plan_ids,
            "schools_added": self.school_ids_added,
            "categories_set": self.categories_set,
            "working_group_ids": self.working_group_ids,
            "partnership_ids": self.partnership_ids,
            "monitoring_template_ids": self.monitoring_template_ids,
            "warnings": self.warnings,
        }


_APPENDIX_LABELS = {
    "plan": "план мероприятий",
    "school_list": "список школ",
    "working_group": "состав рабочей группы",
    "partnerships": "сетевое партнёрство",
    "monitoring_criteria": "критерии мониторинга",
    "text": "текст",
}


def _short_words(text: str, limit: int) -> str:
    """Cut at a word, never inside one."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(" ,;:") + "…"


def _count(points: list[ParsedPoint]) -> int:
    return sum(1 + _count(p.children) for p in points)


def academic_year_of(parsed: ParsedOrder) -> int:
    """The year the order is about: «на 2020-2021 учебный год» in its title or plans, else its date."""
    texts = [parsed.title, *(a.title for a in parsed.appendices)]
    for text in texts:
        match = re.search(r"(20\d\d)\s*[-–—/]\s*(?:20)?\d\d\s*(?:уч|гг|г\.|год)", text)
        if match:
            return int(match.group(1))
    if parsed.date is not None:
        return parsed.date.year if parsed.date.month >= 6 else parsed.date.year - 1
    return date.today().year if date.today().month >= 9 else date.today().year - 1


def preview_document_import(
    database: Database, source: Path | str, *, text: str | None = None
) -> DocumentImportPreview:
    """Read the document and match its lists to the registry; nothing is written."""
    parsed = parse_order_text(text, str(source)) if text is not None else parse_order_file(Path(source))
    return preview_parsed(database, parsed)


def preview_parsed(database: Database, parsed: ParsedOrder) -> DocumentImportPreview:
    from app.importing.plan_parse import ParsedDocument
    from app.partnerships.matching import SchoolMatcher
    from app.partnerships.parse import parse_text as parse_partnership_text
    from app.plans.importer import preview_plan_import
    from app.schools import SchoolService

    year = academic_year_of(parsed)
    warnings = list(parsed.warnings)
    plan_appendices = [a for a in parsed.appendices if a.kind == "plan" and a.plans]
    plans = None
    if plan_appendices:
        document = ParsedDocument(parsed.source_name, [p for a in plan_appendices for p in a.plans])
        plans = preview_plan_import(document, default_year=year, database=database)
        warnings.extend(issue.message for issue in plans.issues)
    matcher = SchoolMatcher(SchoolService(database).list_schools())
    school_lists: dict[int, SchoolListPreview] = {}
    groups: dict[int, list[GroupMember]] = {}
    partnerships: dict[int, Any] = {}
    monitoring: dict[int, int | None] = {}
    for index, appendix in enumerate(parsed.appendices):
        where = f"приложение {appendix.number or index + 1}"
        if appendix.kind == "school_list":
            names = _school_names(appendix)
            category = _category_of(appendix.title)
            matches = [matcher.match(name) for name in names]
            school_lists[index] = SchoolListPreview(
                category, names, [m.school_id if m.confident else None for m in matches]
            )
            doubtful = [m.text for m in matches if m.doubtful]
            if doubtful:
                warnings.append(
                    f"{where}: не уверена, что это школы из реестра — они будут добавлены как новые: "
                    + "; ".join(doubtful)
                )
        elif appendix.kind == "working_group":
            members = _members(appendix)
            if not members:
                warnings.append(
                    f"{where}: не удалось прочитать состав рабочей группы — приложение сохранено текстом"
                )
            groups[index] = members
        elif appendix.kind == "partnerships":
            from app.importing.errors import ImportFileError
            from app.partnerships.importer import preview_partnership_import
            from app.partnerships.parse import parse_rows

            try:
                if appendix.table_rows:  # a table: its header says which column holds which schools
                    parsed_groups = parse_rows(appendix.table_rows, parsed.source_name)
                else:
                    parsed_groups = parse_partnership_text("\n".join(appendix.paragraphs), parsed.source_name)
            except ImportFileError as exc:
                warnings.append(f"{where}: {exc.message} — приложение сохранено текстом")
                continue
            partnerships[index] = preview_partnership_import(database, parsed_groups, year)
            for issue in partnerships[index].issues:
                warnings.append(f"{where}: {issue.message}")
        elif appendix.kind == "monitoring_criteria":
            monitoring[index] = _matching_template(database, appendix)
    will_be_signed = False
    if parsed.number and parsed.date:
        from app.orders.service import OrderService

        kind = OrderKind(parsed.kind)
        if OrderService(database).number_in_use(kind, parsed.number, parsed.date):
            warnings.append(
                f"{kind.label} № {parsed.number} за {parsed.date.year} год уже есть в журнале как подписанный: "
                "документ будет загружен как проект, чтобы номер не повторился"
            )
        else:
            will_be_signed = True
    return DocumentImportPreview(
        will_be_signed=will_be_signed,
        source_name=parsed.source_name,
        parsed=parsed,
        year=year,
        plans=plans,
        plan_counts=[len(a.plans) for a in plan_appendices],
        school_lists=school_lists,
        working_groups=groups,
        partnerships=partnerships,
        monitoring=monitoring,
        warnings=warnings,
    )


def _category_of(title: str) -> Category:
    lowered = title.casefold()
    if "неблагоприят" in lowered or "шфнсу" in lowered:
        return Category.UNFAVOURABLE
    if "необъектив" in lowered:
        return Category.NONOBJECTIVE
    return Category.LOW_RESULTS


def _school_names(appendix: ParsedAppendix) -> list[str]:
    names: list[str] = []
    if appendix.table_rows:
        header = [c.casefold() for c in appendix.table_rows[0]]
        column = next((i for i, c in enumerate(header) if "наименование" in c or "организац" in c), None)
        rows = appendix.table_rows[1:] if column is not None else appendix.table_rows
        for row in rows:
            cells = [c.strip() for c in row]
            if column is not None and column < len(cells):
                name = cells[column]
            else:  # no header: the longest cell that is not a number
                name = max((c for c in cells if not re.fullmatch(r"[\d.]*", c)), key=len, default="")
            if name:
                names.append(name)
    else:
        for line in appendix.paragraphs:
            name = re.sub(r"^\s*\d+[.)]\s*", "", line).strip(" ;,.")
            if name:
                names.append(name)
    return names


def _role_of(text: str) -> MemberRole | None:
    for role, pattern in _ROLE_WORDS:
        if pattern.search(text):
            return role
    return None


def _members(appendix: ParsedAppendix) -> list[GroupMember]:
    """Members from a table (ФИО | должность | роль) or from lines «Иванов И.И. – директор …»
    under role headings («Председатель рабочей группы:»)."""
    members: list[GroupMember] = []
    current = MemberRole.MEMBER
    rows = appendix.table_rows or [[line] for line in appendix.paragraphs]
    for row in rows:
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        if len(cells) == 1 and cells[0].endswith(":") and _role_of(cells[0]):
            current = _role_of(cells[0]) or current
            continue
        name_cell = next((c for c in cells if _NAME.match(c)), None)
        if name_cell is None:
            continue
        match = _NAME.match(name_cell)
        assert match is not None
        name = match.group("name")
        others = [c for c in cells if c is not name_cell]
        # a short cell that names a role («Председатель», «Члены») is the role, not the position
        role_cell = next((c for c in others if len(c) < 40 and _role_of(c)), None)
        role = _role_of(role_cell) if role_cell else None
        rest = " ".join([match.group("rest"), *(c for c in others if c is not role_cell)]).strip(" ,;–—-")
        position = rest
        if role is None and rest:
            role = _role_of(rest)
            if role is not None and role is not MemberRole.MEMBER:
                position = re.sub(
                    r",?\s*(заместитель председателя|председатель|секретарь)(\s+рабочей группы)?\s*$",
                    "",
                    rest,
                    flags=re.IGNORECASE,
                ).strip(" ,;–—-")
            elif role is MemberRole.MEMBER:
                role = None  # «член» inside a position («член-корреспондент») says nothing
        members.append(GroupMember(name, position, role if role is not None else current))
    return members


def _matching_template(database: Database, appendix: ParsedAppendix) -> int | None:
    """An installed monitoring template whose criteria are the appendix's (most titles in common)."""
    from app.monitoring.service import MonitoringService

    titles = {_norm(r[1]) for r in appendix.table_rows if len(r) >= 2 and r[1].strip()}
    titles |= {_norm(r[0]) for r in appendix.table_rows if len(r) == 1 or not r[1].strip()}
    if not titles:
        return None
    service = MonitoringService(database)
    service.install_bundled()
    best, best_score = None, 0.0
    for template in service.list_templates():
        criteria = {_norm(c.title) for c in service.criteria(template.id)}
        if not criteria:
            continue
        score = len(criteria & titles) / max(len(titles), 1)
        if score > best_score:
            best, best_score = template.id, score
    return best if best_score >= 0.6 else None


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


def _point_drafts(points: list[ParsedPoint]) -> list[PointDraft]:
    return [
        PointDraft(p.number, p.text, p.addressee, p.responsible, p.deadline, _point_drafts(p.children))
        for p in points
    ]


def apply_document_import(
    database: Database, preview: DocumentImportPreview, *, map_renderer: Any = None
) -> tuple[DocumentImportResult, ChangeSet]:
    """Write the order and everything its appendices hold; one transaction (a failure half-way, a
    full disk, leaves the database as it was), one undo step."""
    with database_errors(database), database.atomic():
        return _apply_document_import(database, preview, map_renderer=map_renderer)


def _apply_document_import(
    database: Database, preview: DocumentImportPreview, *, map_renderer: Any = None
) -> tuple[DocumentImportResult, ChangeSet]:
    from app.monitoring.service import MonitoringService
    from app.orders.service import OrderService
    from app.partnerships.importer import apply_partnership_import
    from app.plans.importer import apply_plan_import

    parsed = preview.parsed
    year = preview.year
    kind = OrderKind(parsed.kind)
    reference = f"{kind.label.lower()} от {parsed.date:%d.%m.%Y} № {parsed.number}" if parsed.date else ""
    changeset = ChangeSet(f"Загрузка документа «{preview.source_name}»")
    warnings = list(preview.warnings)
    plan_ids: list[int] = []
    if preview.plans is not None and preview.plans.plans:
        plan_ids, more = apply_plan_import(database, preview.plans)
        changeset.changes.extend(more.changes)
    added: list[int] = []
    categories = 0
    group_ids: list[int] = []
    partnership_ids: list[int] = []
    template_ids: list[int] = []
    service = OrderService(database)
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, changeset.description)
        conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (year,))
        for lst in preview.school_lists.values():
            for name, school_id in zip(lst.names, lst.matched, strict=True):
                if school_id is None:
                    school_id = recorder.insert("schools", {"full_name": name, "short_name": name})
                    added.append(school_id)
                exists = conn.execute(
                    "SELECT id FROM school_categories WHERE school_id = ? AND academic_year = ? AND category = ?",
                    (school_id, year, lst.category.value),
                ).fetchone()
                if exists is None:
                    recorder.insert(
                        "school_categories",
                        {
                            "school_id": school_id,
                            "academic_year": year,
                            "category": lst.category.value,
                            "reason": "Включена в список приказом",
                            "source": "order",
                            "document_ref": reference,
                        },
                    )
                    categories += 1
    changeset.changes.extend(recorder.changeset.changes)
    group_for: dict[int, int] = {}
    for index, members in preview.working_groups.items():
        if not members:
            continue
        title = parsed.appendices[index].title or "Рабочая группа"
        group_id, more = service.save_working_group(
            None, title=title, year=year, members=members, source=preview.source_name
        )
        group_for[index] = group_id
        group_ids.append(group_id)
        changeset.changes.extend(more.changes)
    for partnership in preview.partnerships.values():
        ids, more = apply_partnership_import(database, partnership)
        partnership_ids.extend(ids)
        changeset.changes.extend(more.changes)
    template_for: dict[int, int] = {}
    for index, template_id in preview.monitoring.items():
        if template_id is None:
            spec = _template_spec(parsed.appendices[index], preview.source_name)
            if spec is None:
                continue
            template_id, more = MonitoringService(database).install_template(spec)
            changeset.changes.extend(more.changes)
        template_for[index] = template_id
        template_ids.append(template_id)
    raw = {
        "kind": kind.value,
        "number": parsed.number,
        "order_date": parsed.date,
        "date_style": "words" if re.search(r"[а-я]{3,}", parsed.date_text or "") else "numeric",
        "place": parsed.place,
        "letterhead": "\n".join(parsed.letterhead),
        "kind_title": parsed.kind_title,
        "addressee": "\n".join(parsed.addressee),
        "reply_number": _reply_parts(parsed.reply_to)[0],
        "reply_date": _reply_parts(parsed.reply_to)[1],
        "title": parsed.title,
        "preamble": "\n".join(parsed.preamble),
        "directive": parsed.directive,
        "control_text": parsed.control,
        "signer_position": parsed.signer_position,
        "signer_name": parsed.signer_name,
        "executor": parsed.executor,
        "distribution": parsed.distribution,
        "attachments_note": parsed.attachments_note,
        "academic_year": year,
        "source": preview.source_name,
    }
    points = _point_drafts(parsed.points)
    if parsed.control_number and parsed.control and not _numbers_continue(points, parsed.control_number):
        warnings.append(f"номер пункта о контроле «{parsed.control_number}» в документе не по порядку")
    order_id, more = service.create(raw, points)
    changeset.changes.extend(more.changes)
    plan_cursor = 0
    for index, appendix in enumerate(parsed.appendices):
        values: dict[str, Any] = {"stamp": "\n".join(appendix.stamp), "academic_year": year}
        body = _body(appendix)
        if appendix.kind == "plan" and appendix.plans:
            count = len(appendix.plans)
            values.update(kind="plan", plan_ids=plan_ids[plan_cursor : plan_cursor + count])
            plan_cursor += count
        elif appendix.kind == "school_list" and index in preview.school_lists:
            values.update(
                kind="school_list", category=preview.school_lists[index].category.value, title=appendix.title
            )
        elif appendix.kind == "working_group" and index in group_for:
            values.update(kind="working_group", working_group_id=group_for[index], title=appendix.title)
        elif appendix.kind == "partnerships" and index in preview.partnerships:
            values.update(kind="partnerships", title=appendix.title)
        elif appendix.kind == "monitoring_criteria" and index in template_for:
            values.update(
                kind="monitoring_criteria", template_id=template_for[index], title=appendix.title, body=body
            )
        else:
            values.update(kind="text", title=appendix.title, body=_body(appendix, with_tables=True))
        _, more = service.add_appendix(order_id, values)
        changeset.changes.extend(more.changes)
    status = "draft"
    if preview.will_be_signed:
        status = _register_as_signed(database, order_id, parsed, changeset, map_renderer)
    result = DocumentImportResult(
        order_id=order_id,
        status=status,
        plan_ids=plan_ids,
        school_ids_added=added,
        categories_set=categories,
        working_group_ids=group_ids,
        partnership_ids=partnership_ids,
        monitoring_template_ids=template_ids,
        warnings=warnings,
    )
    return result, changeset


def _register_as_signed(
    database: Database, order_id: int, parsed: ParsedOrder, changeset: ChangeSet, map_renderer: Any
) -> str:
    """A document with a number and a date was signed on paper: it goes into the register as signed,
    its printed copy made now from the data read (the paper original stays the legal one)."""
    from app.orders.printing import sign_order
    from app.orders.service import OrderService

    service = OrderService(database)
    if parsed.date is None or service.number_in_use(OrderKind(parsed.kind), parsed.number, parsed.date):
        return "draft"
    more, _ = sign_order(
        database, order_id, number=parsed.number, on=parsed.date, map_renderer=map_renderer, check=False
    )
    changeset.changes.extend(more.changes)
    return "signed"


def _numbers_continue(points: list[PointDraft], control_number: str) -> bool:
    match = re.match(r"\d+", control_number)
    if not match or not points:
        return True
    last = re.match(r"\d+", points[-1].number or "")
    return last is None or int(match.group()) == int(last.group()) + 1


def _reply_parts(text: str) -> tuple[str, str]:
    """«на 07-11/2523-20 от 23.11.2020 г.» → («07-11/2523-20», «23.11.2020 г.»)."""
    match = re.match(r"^\s*на\s*(?:№\s*)?(?P<number>.*?)\s*(?:\bот\s+(?P<date>.+))?$", text or "")
    if not match:
        return "", ""
    return match.group("number").strip(), (match.group("date") or "").strip()


def _body(appendix: ParsedAppendix, *, with_tables: bool = False) -> str:
    """A text appendix as stored: paragraphs, and tables as tab-separated lines (printed as tables)."""
    lines = list(appendix.paragraphs)
    if with_tables:
        tables = appendix.tables or ([appendix.table_rows] if appendix.table_rows else [])
        for table in tables:
            if lines:
                lines.append("")
            lines.extend("\t".join(cell.replace("\n", " ") for cell in row) for row in table)
    return "\n".join(lines)


def _template_spec(appendix: ParsedAppendix, source_name: str) -> Any:
    """A monitoring template from a criteria table («№ | Критерии и показатели»; «6. Структура …» rows
    are groups)."""
    from app.monitoring.templates import template_from_json

    criteria: list[dict[str, Any]] = []
    group: dict[str, Any] | None = None
    for row in appendix.table_rows:
        cells = [c.strip() for c in row]
        if not cells or not any(cells):
            continue
        first = cells[0]
        title = cells[1] if len(cells) > 1 and cells[1] else ""
        heading = re.match(r"^(\d+)\.\s+(.+)$", first)
        if heading and not title:
            group = {"number": heading.group(1), "title": heading.group(2), "type": "group", "children": []}
            criteria.append(group)
            continue
        if not re.match(r"^\d+(\.\d+)*\.?$", first) or not title:
            continue  # the header row and anything that is not a numbered criterion
        node = {"number": first.rstrip("."), "title": title, "type": "text", "children": []}
        if group is not None and node["number"].startswith(group["number"] + "."):
            group["children"].append(node)
        else:
            group = None
            criteria.append(node)
    if not criteria:
        return None
    digest = hashlib.sha1(json.dumps(criteria, ensure_ascii=False).encode()).hexdigest()[:8]
    data = {
        "key": f"imported_{digest}",
        "title": appendix.title.replace("\n", " ") or "Критерии мониторинга",
        "version": 1,
        "source": source_name,
        "description": f"Загружено из документа «{source_name}».",
        "criteria": criteria,
    }
    try:
        return template_from_json(data, source_name)
    except AppError:
        return None
