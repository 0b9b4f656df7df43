"""From the stored order and the district's data to the `OrderDocument` that prints, and signing.

The appendices are built here from the live data (plans, category lists, working groups,
partnerships, monitoring criteria); a signed order prints from its snapshot instead. The map of
partnerships needs Qt to draw, which app/ never imports: the caller passes a `map_renderer`
(year → PNG bytes) from ui/, and without one the appendix says where to get the map.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from app.domain import Category, academic_year_label
from app.errors import AppError
from app.office import OfficeService
from app.orders.document import Appendix, Block, Image, OrderDocument, Paragraph, Point, Table, TableRow
from app.orders.model import AppendixKind, MemberRole, Order, OrderAppendix, OrderPoint
from app.orders.service import OrderService, number_points
from db.changes import ChangeSet
from db.connection import Database

if TYPE_CHECKING:
    from app.plans.model import Plan

MapRenderer = Callable[[int], bytes]
BLANK_DATE = "«____» ____________ 20___ г."
BLANK_NUMBER = "______"

_LIST_TITLES = {
    Category.LOW_RESULTS: "Список общеобразовательных организаций, показывающих низкие образовательные результаты",
    Category.UNFAVOURABLE: "Список общеобразовательных организаций, функционирующих в неблагоприятных социальных условиях",
    Category.NONOBJECTIVE: "Список общеобразовательных организаций с признаками необъективности результатов",
}


def build_document(
    database: Database,
    order: Order,
    *,
    map_renderer: MapRenderer | None = None,
    use_snapshot: bool = True,
) -> OrderDocument:
    """The document as it prints now: a signed order from its snapshot, a draft from live data."""
    if use_snapshot and order.is_signed:
        data = OrderService(database).snapshot(order.id)
        if data is not None:
            return OrderDocument.from_json(data)
    office = OfficeService(database).get()
    letterhead = [line for line in (order.letterhead or office.name).split("\n") if line.strip()]
    kind = order.kind
    appendices = [
        build_appendix(database, order, appendix, index, len(order.appendices), map_renderer=map_renderer)
        for index, appendix in enumerate(order.appendices, start=1)
    ]
    numbers = number_points(order.points)
    points = [_point(p, n) for p, n in zip(order.points, numbers, strict=True)]
    control_number = ""
    if order.control_text.strip():
        control_number = _next_number(numbers)
    reply = ""
    if order.reply_number or order.reply_date:
        reply = "на № " + order.reply_number if order.reply_number else "на № ______"
        if order.reply_date:
            reply += f" от {order.reply_date}"
    qr_text = ""
    if order.options.qr:
        qr_text = "; ".join(
            part
            for part in (
                letterhead[0] if letterhead else "",
                f"{kind.label} от {order.date_text or '—'} № {order.number or '—'}",
                order.title.replace("\n", " "),
            )
            if part
        )
    return OrderDocument(
        kind=kind.value,  # type: ignore[arg-type]
        letterhead=letterhead,
        kind_title=order.kind_title or kind.heading,
        date_text=order.date_text,
        number=order.number,
        place=order.place,
        title=order.title,
        preamble=[p for p in order.preamble.split("\n") if p.strip()],
        directive=order.directive,
        points=points,
        control=order.control_text,
        control_number=control_number,
        signer_position=order.signer_position,
        signer_name=order.signer_name,
        executor=order.executor,
        distribution=order.distribution,
        addressee=[line for line in order.addressee.split("\n") if line.strip()],
        reply_to=reply,
        attachments_note=order.attachments_note,
        appendices=appendices,
        qr_text=qr_text,
        font_size=order.options.font_size,
        left_margin_mm=order.options.left_margin_mm,
        draft=not order.is_signed,
    )


def _point(point: OrderPoint, number: str) -> Point:
    prefix = number if number.endswith(".") else number + "."
    child_numbers = number_points(point.children, prefix)
    return Point(
        number=number,
        text=point.text,
        addressee=point.addressee,
        responsible=point.responsible,
        deadline=point.deadline,
        children=[_point(c, n) for c, n in zip(point.children, child_numbers, strict=True)],
    )


def _next_number(numbers: list[str]) -> str:
    for typed in reversed(numbers):
        match = re.match(r"^(\d+)", typed)
        if match:
            return f"{int(match.group(1)) + 1}."
    return f"{len(numbers) + 1}."


def stamp_lines(order: Order, appendix: OrderAppendix, number: str) -> list[str]:
    """«Приложение 1 / к приказу комитета образования … / от 27.08.2020 № 149»."""
    if appendix.stamp.strip():
        return [line for line in appendix.stamp.split("\n") if line.strip()]
    lines = [f"Приложение {number}".strip()]
    issuer = order.issuer.strip()
    lines.append(f"к {order.kind.dative} {issuer}".strip())
    date_text = order.date_text or "____________"
    lines.append(f"от {date_text} № {order.number or BLANK_NUMBER}")
    return lines


def build_appendix(
    database: Database,
    order: Order,
    appendix: OrderAppendix,
    index: int,
    count: int,
    *,
    map_renderer: MapRenderer | None = None,
) -> Appendix:
    number = str(index) if count > 1 else ""
    title, blocks, landscape = _content(database, appendix, map_renderer)
    if appendix.kind is not AppendixKind.TEXT and appendix.body.strip():
        blocks = text_blocks(appendix.body) + blocks  # the words a document puts before its list
    if appendix.title.strip():
        title = appendix.title
    if appendix.landscape is not None:
        landscape = appendix.landscape
    return Appendix(
        number=number,
        stamp=stamp_lines(order, appendix, number),
        title=title,
        blocks=blocks,
        landscape=landscape,
    )


def _content(
    database: Database, appendix: OrderAppendix, map_renderer: MapRenderer | None
) -> tuple[str, list[Block], bool]:
    kind = appendix.kind
    if kind is AppendixKind.PLAN:
        return _plans(database, appendix.plan_ids)
    if kind is AppendixKind.SCHOOL_LIST:
        return _school_list(database, appendix)
    if kind is AppendixKind.WORKING_GROUP:
        return _working_group(database, appendix)
    if kind is AppendixKind.PARTNERSHIPS:
        return _partnerships(database, appendix)
    if kind is AppendixKind.PARTNERSHIP_MAP:
        return _partnership_map(appendix, map_renderer)
    if kind is AppendixKind.MONITORING_CRITERIA:
        return _criteria(database, appendix)
    return "", text_blocks(appendix.body), False


def text_blocks(body: str) -> list[Block]:
    """Paragraphs of a text appendix; consecutive tab-separated lines are a table whose first line
    is the header (as Word puts a table on the clipboard, and as the seeds keep theirs)."""
    blocks: list[Block] = []
    rows: list[list[str]] = []

    def close_table() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        header, *body_rows = [r + [""] * (width - len(r)) for r in rows]
        weights = [max(1.0, min(8.0, max(len(r[i]) for r in rows) / 12)) for i in range(width)]
        blocks.append(Table(header=header, rows=[TableRow(r) for r in body_rows], widths=weights))
        rows.clear()

    for line in body.split("\n"):
        if "\t" in line:
            rows.append([cell.strip() for cell in line.split("\t")])
            continue
        close_table()
        if line.strip():
            blocks.append(Paragraph(line.strip()))
    close_table()
    return blocks


def plan_table(plan: Plan) -> Table:
    from app.exporting.plan_xlsx import cell_text
    from app.plans.model import ColumnRole

    weights = {
        ColumnRole.NUMBER: 0.6,
        ColumnRole.MEASURE: 4.5,
        ColumnRole.DEADLINE: 1.8,
        ColumnRole.RESPONSIBLE: 2.4,
        ColumnRole.RESULT: 2.8,
        ColumnRole.SCHOOLS: 2.2,
        ColumnRole.OTHER: 1.8,
    }
    columns = plan.columns
    rows: list[TableRow] = []
    for section in plan.sections:
        if section.title.strip():
            rows.append(TableRow([section.title], section=True))
        for item in plan.items_of(section.id):
            rows.append(TableRow([cell_text(item, c.role, c.title) for c in columns]))
    if not plan.sections:
        rows = [TableRow([cell_text(item, c.role, c.title) for c in columns]) for item in plan.items]
    else:
        loose = plan.items_of(None)
        if loose:
            rows[:0] = [TableRow([cell_text(item, c.role, c.title) for c in columns]) for item in loose]
    centred = [i for i, c in enumerate(columns) if c.role in (ColumnRole.NUMBER, ColumnRole.DEADLINE)]
    return Table(
        header=[c.title for c in columns],
        rows=rows,
        widths=[weights.get(c.role, 1.8) for c in columns],
        centred=centred,
    )


def _plans(database: Database, plan_ids: tuple[int, ...]) -> tuple[str, list[Block], bool]:
    from app.plans.service import PlanService

    service = PlanService(database)
    title = ""
    blocks: list[Block] = []
    landscape = False
    for plan_id in plan_ids:
        try:
            plan = service.get(plan_id)
        except AppError:
            blocks.append(
                Paragraph(f"[План мероприятий № {plan_id} удалён — выберите план для приложения заново.]")
            )
            continue
        if not title:
            title = plan.title
        else:
            blocks.append(Paragraph(plan.title, bold=True, align="centre", indent=False))
        blocks.append(plan_table(plan))
        landscape = landscape or len(plan.columns) >= 5
    return title, blocks, landscape


def _school_list(database: Database, appendix: OrderAppendix) -> tuple[str, list[Block], bool]:
    try:
        category = Category(appendix.category)
    except ValueError:
        return "", [Paragraph("[Не выбрана категория школ.]")], False
    year = appendix.academic_year
    rows = database.query(
        "SELECT s.full_name, s.short_name, c.reason, c.document_ref FROM school_categories c "
        "JOIN schools s ON s.id = c.school_id WHERE c.academic_year = ? AND c.category = ? "
        "ORDER BY s.full_name",
        (year, category.value),
    )
    title = _LIST_TITLES[category]
    if year is not None:
        title += f" на {academic_year_label(year)} учебный год"
    if not rows:
        return title, [Paragraph(f"[В реестре нет школ категории «{category.label}» на этот год.]")], False
    table = Table(
        header=["№ п/п", "Наименование общеобразовательной организации", "Основание"],
        rows=[
            TableRow([f"{n}.", r["full_name"], r["reason"] or r["document_ref"]])
            for n, r in enumerate(rows, start=1)
        ],
        widths=[0.7, 5.0, 3.5],
        centred=[0],
    )
    return title, [table], False


def _working_group(database: Database, appendix: OrderAppendix) -> tuple[str, list[Block], bool]:
    service = OrderService(database)
    if appendix.working_group_id is None:
        return "", [Paragraph("[Не выбрана рабочая группа.]")], False
    try:
        group = service.working_group(appendix.working_group_id)
    except AppError:
        return "", [Paragraph("[Рабочая группа удалена — выберите её заново.]")], False
    title = group.title
    if title.casefold().startswith("рабочая группа"):
        title = "Состав рабочей группы" + title[len("рабочая группа") :]
    rows: list[TableRow] = []
    for role in MemberRole:
        members = [m for m in group.members if m.role is role]
        if not members:
            continue
        rows.append(TableRow([role.heading], section=True))
        rows.extend(TableRow([m.full_name, m.job_title]) for m in members)
    table = Table(header=["Фамилия, инициалы", "Должность"], rows=rows, widths=[3.0, 6.0])
    return title, [table], False


def _partnerships(database: Database, appendix: OrderAppendix) -> tuple[str, list[Block], bool]:
    from app.exporting.partnership_docx import HEADER, WEIGHTS, partnership_rows
    from app.partnerships.model import PartnershipStatus
    from app.partnerships.service import PartnershipService

    year = appendix.academic_year
    groups = [
        g
        for g in PartnershipService(database).list_groups(year)
        if g.status is not PartnershipStatus.CANCELLED
    ]
    title = "Список сетевого партнёрства образовательных организаций с низкими образовательными результатами и образовательных организаций-партнёров"
    if year is not None:
        title += f" на {academic_year_label(year)} учебный год"
    if not groups:
        return title, [Paragraph("[На этот учебный год партнёрств не задано.]")], False
    table = Table(
        header=list(HEADER),
        rows=[TableRow(list(row)) for row in partnership_rows(groups)],
        widths=list(WEIGHTS),
        centred=[0],
    )
    return title, [table], True


def _partnership_map(
    appendix: OrderAppendix, map_renderer: MapRenderer | None
) -> tuple[str, list[Block], bool]:
    year = appendix.academic_year
    title = "Карта сетевого партнёрства"
    if year is not None:
        title += f" на {academic_year_label(year)} учебный год"
    if year is None:
        return title, [Paragraph("[Не выбран учебный год карты.]")], True
    if map_renderer is None:
        return (
            title,
            [
                Paragraph(
                    "[Карта рисуется в окне программы: откройте документ в «Опоре», чтобы напечатать её.]"
                )
            ],
            True,
        )
    png = map_renderer(year)
    return (
        title,
        [Image(png=png, width_mm=250, caption="Линии соединяют школы-партнёров; цвет — категория школы.")],
        True,
    )


def _criteria(database: Database, appendix: OrderAppendix) -> tuple[str, list[Block], bool]:
    from app.monitoring.service import MonitoringService

    if appendix.template_id is None:
        return "", [Paragraph("[Не выбран перечень критериев.]")], False
    service = MonitoringService(database)
    titles = {t.id: t.title for t in service.list_templates()}
    if appendix.template_id not in titles:
        return "", [Paragraph("[Перечень критериев удалён — выберите его заново.]")], False
    rows: list[TableRow] = []
    for criterion in service.criteria(appendix.template_id):
        if criterion.is_group:
            rows.append(TableRow([criterion.label], section=True))
        else:
            rows.append(TableRow([criterion.number, criterion.title]))
    table = Table(header=["№", "Критерии и показатели"], rows=rows, widths=[0.8, 8.0], centred=[0])
    return titles[appendix.template_id], [table], False


# --- printing and signing ----------------------------------------------------------------------


def order_pdf(database: Database, order_id: int, *, map_renderer: MapRenderer | None = None) -> bytes:
    """The PDF as it prints now; a signed order gives back the very copy that was signed."""
    from app.exporting.order_pdf import render_order_pdf

    service = OrderService(database)
    order = service.get(order_id)
    if order.is_signed:
        return service.signed_pdf(order_id)
    return render_order_pdf(build_document(database, order, map_renderer=map_renderer))


def sign_order(
    database: Database,
    order_id: int,
    *,
    number: str,
    on: date,
    map_renderer: MapRenderer | None = None,
    check: bool = True,
) -> tuple[ChangeSet, bytes]:
    """Give the order its number and date, print the final copy and freeze it with its data."""
    from dataclasses import replace

    from app.exporting.order_pdf import render_order_pdf

    service = OrderService(database)
    order = service.get(order_id)
    if order.is_signed:
        raise AppError(f"{order.requisites.capitalize()} уже подписан.")
    final = replace(order, number=number.strip(), order_date=on)
    document = build_document(database, final, map_renderer=map_renderer, use_snapshot=False)
    document.draft = False
    pdf = render_order_pdf(document)
    changeset = service.sign(
        order_id, number=number, on=on, pdf=pdf, snapshot=document.to_json(), check=check
    )
    return changeset, pdf


def suggested_issuer(office_short_name: str) -> str:
    """The office in the genitive for the stamp, from its short name: «Комитет образования» →
    «комитета образования», «Отдел образования» → «отдела образования», «Управление …» →
    «управления …». Only the first word changes; the user edits the rest when needed."""
    words = office_short_name.split()
    if not words:
        return ""
    first = words[0].lower()
    if first.endswith("ие"):
        first = first[:-2] + "ия"
    elif first.endswith("ия"):
        first = first[:-2] + "ии"
    elif first.endswith("о"):
        first = first[:-1] + "а"
    elif first[-1] in "бвгджзклмнпрстфхцчшщ":
        first += "а"
    return " ".join([first, *words[1:]])
