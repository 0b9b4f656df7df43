"""Roll an order over to the next academic year: last year's order, with its plans, lists, working
group and partnerships, becomes this year's draft."""

from __future__ import annotations

import re
from dataclasses import replace

from app.deadlines import shift_years
from app.domain import academic_year_label
from app.errors import AppError
from app.orders.model import AppendixKind, PointDraft
from app.orders.service import OrderService, point_drafts
from app.plans.service import PlanService
from db.changes import ChangeSet
from db.connection import Database

# A cited document keeps its date and its quoted title: «приказа министерства … от 17.09.2021 № 2625», «Федеральным
# законом от 29.12.2012 № 273-ФЗ», «№ 338-ОД от 08.05.2020», «от 8 мая 2020 года № 338».
_MONTHS = r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_DATE = rf"(?:\d{{1,2}}\.\d{{1,2}}\.\s?\d{{2,4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}})\s*(?:г\.?|года)?"
_REFERENCE = re.compile(
    rf"(?:\bот\s+{_DATE}\s*(?:№|N)\s*[\w/.\-–]+|(?:№|N)\s*[\w/.\-–]+\s+от\s+{_DATE})"
    r"(?:\s*«[^«»]*(?:«[^«»]*»[^«»]*)*»)?",  # and the cited document's title in quotes
    re.IGNORECASE,
)


def shift_text(text: str, years: int) -> str:
    """The years of the text moved, except in the requisites of documents it cites."""
    parts, start = [], 0
    for match in _REFERENCE.finditer(text):
        parts.append(shift_years(text[start : match.start()], years))
        parts.append(match.group(0))
        start = match.end()
    parts.append(shift_years(text[start:], years))
    return "".join(parts)


def _shift_points(points: list[PointDraft], years: int) -> list[PointDraft]:
    return [
        replace(
            p,
            text=shift_text(p.text, years),
            addressee=shift_text(p.addressee, years),
            deadline=shift_text(p.deadline, years),
            children=_shift_points(p.children, years),
        )
        for p in points
    ]


def roll_over_order(database: Database, order_id: int, to_year: int | None = None) -> tuple[int, ChangeSet]:
    """A new draft for `to_year` (the next year by default): years in the texts shifted, number and
    date cleared, each plan appendix rolled over (or its earlier roll-over reused), the working
    group copied, lists and partnerships pointed at the new year."""
    service = OrderService(database)
    order = service.get(order_id)
    from_year = order.academic_year
    if from_year is None:
        from_year = order.order_date.year if order.order_date else None
    if from_year is None:
        raise AppError(
            "У документа не указан учебный год: укажите его, чтобы перенести документ на следующий."
        )
    to_year = to_year if to_year is not None else from_year + 1
    years = to_year - from_year
    if years == 0:
        raise AppError("Документ уже относится к этому учебному году: выберите следующий год.")
    changeset = ChangeSet(f"Перенос документа на {academic_year_label(to_year)} учебный год")
    plans = PlanService(database)
    rolled_plans: dict[int, int] = {}
    for appendix in order.appendices:
        if appendix.kind is not AppendixKind.PLAN:
            continue
        for plan_id in appendix.plan_ids:
            earlier = database.query(
                "SELECT id FROM plans WHERE rolled_from_id = ? AND academic_year = ?", (plan_id, to_year)
            )
            if earlier:
                rolled_plans[plan_id] = int(earlier[0]["id"])
                continue
            if not database.query("SELECT 1 FROM plans WHERE id = ?", (plan_id,)):
                continue  # a deleted plan: the new appendix will ask for one
            new_id, more = plans.roll_over(plan_id, to_year)
            rolled_plans[plan_id] = new_id
            changeset.changes.extend(more.changes)
    groups: dict[int, int] = {}
    for appendix in order.appendices:
        if appendix.kind is AppendixKind.WORKING_GROUP and appendix.working_group_id is not None:
            if appendix.working_group_id in groups:
                continue
            try:
                group = service.working_group(appendix.working_group_id)
            except AppError:
                continue
            new_group, more = service.save_working_group(
                None, title=shift_text(group.title, years), year=to_year, members=group.members
            )
            groups[appendix.working_group_id] = new_group
            changeset.changes.extend(more.changes)
    raw = {
        "kind": order.kind.value,
        "date_style": order.date_style,
        "place": order.place,
        "letterhead": order.letterhead,
        "kind_title": order.kind_title,
        "issuer": order.issuer,
        "addressee": order.addressee,
        "title": shift_text(order.title, years),
        "preamble": shift_text(order.preamble, years),
        "directive": order.directive,
        "control_text": order.control_text,
        "signer_position": order.signer_position,
        "signer_name": order.signer_name,
        "executor": order.executor,
        "distribution": order.distribution,
        "attachments_note": order.attachments_note,
        "academic_year": to_year,
        "template_key": order.template_key,
        "options": order.options,
        "source": order.source,
    }
    new_id, more = service.create(raw, _shift_points(point_drafts(order.points), years))
    changeset.changes.extend(more.changes)
    for appendix in order.appendices:
        values = {
            "kind": appendix.kind.value,
            "title": shift_text(appendix.title, years),
            "plan_ids": [rolled_plans.get(p, p) for p in appendix.plan_ids],
            "academic_year": appendix.academic_year + years
            if appendix.academic_year is not None
            else to_year,
            "category": appendix.category,
            "working_group_id": groups.get(appendix.working_group_id or 0, appendix.working_group_id),
            "template_id": appendix.template_id,
            "body": shift_text(appendix.body, years),
            "landscape": appendix.landscape,
            "stamp": "",
        }
        _, more = service.add_appendix(new_id, values)
        changeset.changes.extend(more.changes)
    return new_id, changeset
