"""Orders: drafts, points, appendices, the register's numbering, signing and its lock, amendments,
templates with declined names, roll-over, the journal in Excel."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from app.errors import AppError, ValidationError
from app.history import undo
from app.orders.document import OrderDocument, Paragraph, Table
from app.orders.model import AppendixKind, GroupMember, MemberRole, OrderKind, OrderStatus, PointDraft
from app.orders.printing import build_document, order_pdf, sign_order, suggested_issuer
from app.orders.rollover import roll_over_order
from app.orders.service import OrderService, SignedOrderError, number_points
from app.orders.templates import Person, TemplateChoices, create_from_template, list_templates, save_template
from app.plans.service import PlanService
from db import Database


def _plan_id(database: Database, year: int = 2020) -> int:
    return PlanService(database).list_plans(year=year)[-1].id


def _draft(database: Database, **extra: object) -> int:
    raw = {
        "kind": "order",
        "title": "Об утверждении плана мероприятий",
        "preamble": "В целях повышения качества образования",
        "directive": "ПРИКАЗЫВАЮ:",
        "signer_position": "Председатель комитета образования",
        "signer_name": "Е.А. Краснова",
        "academic_year": 2020,
        **extra,
    }
    order_id, _ = OrderService(database).create(
        raw,
        [
            PointDraft(text="Утвердить план согласно приложению."),
            PointDraft(
                addressee="Руководителям общеобразовательных организаций",
                children=[
                    PointDraft(text="Обеспечить выполнение плана.", deadline="в течение учебного года")
                ],
            ),
        ],
    )
    return order_id


def test_draft_keeps_points_nested_and_numbers_them(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order = service.get(_draft(demo_db))
    assert order.status is OrderStatus.DRAFT
    assert [p.text for p in order.points] == ["Утвердить план согласно приложению.", ""]
    child = order.points[1].children[0]
    assert (child.text, child.deadline) == ("Обеспечить выполнение плана.", "в течение учебного года")
    assert number_points(order.points) == ["1.", "2."]
    assert number_points(order.points[1].children, "2.") == ["2.1."]


def test_typed_numbers_are_kept_and_the_count_continues_from_them() -> None:
    points = [PointDraft(number="3."), PointDraft(), PointDraft(number="7"), PointDraft()]
    assert number_points(points) == ["3.", "4.", "7", "8."]


def test_set_points_replaces_them_in_one_undoable_step(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    changeset = service.set_points(order_id, [PointDraft(text="Единственный пункт")])
    assert [p.text for p in service.get(order_id).points] == ["Единственный пункт"]
    undo(demo_db, changeset)
    assert len(service.get(order_id).points) == 2
    assert service.get(order_id).points[1].children[0].text == "Обеспечить выполнение плана."


def test_suggested_number_follows_the_office_format_per_year(demo_db: Database) -> None:
    service = OrderService(demo_db)
    service.set_numbering_format(OrderKind.ORDER, "01-10/{n}")
    on = date(2021, 3, 1)
    assert service.suggest_number(OrderKind.ORDER, on) == "01-10/1"
    for number in ("01-10/141", "01-10/142", "01-10/9"):
        sign_order(demo_db, _draft(demo_db), number=number, on=on)
    assert service.suggest_number(OrderKind.ORDER, on) == "01-10/143"
    # another year starts again; another kind has its own count
    assert service.suggest_number(OrderKind.ORDER, date(2022, 1, 10)) == "01-10/1"
    assert service.suggest_number(OrderKind.DIRECTIVE, on) == "1"
    with pytest.raises(ValidationError):
        service.set_numbering_format(OrderKind.ORDER, "01-10/")


def test_signing_stores_pdf_hash_and_snapshot_and_locks_the_order(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    plan_id = _plan_id(demo_db)
    service.add_appendix(order_id, {"kind": "plan", "plan_ids": [plan_id]})
    changeset, pdf = sign_order(demo_db, order_id, number="149", on=date(2020, 8, 27))
    order = service.get(order_id)
    assert order.status is OrderStatus.SIGNED
    assert (order.number, order.order_date) == ("149", date(2020, 8, 27))
    assert order.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert service.signed_pdf(order_id) == pdf
    assert service.verify(order_id).ok
    with pytest.raises(SignedOrderError, match="Внести изменения"):
        service.update(order_id, {"title": "Другой"})
    with pytest.raises(SignedOrderError):
        service.set_points(order_id, [])
    with pytest.raises(SignedOrderError):
        service.add_appendix(order_id, {"kind": "text", "body": "x"})
    with pytest.raises(SignedOrderError):
        service.delete(order_id)
    # a later edit of the plan does not change what was signed
    plans = PlanService(demo_db)
    first_item = plans.get(plan_id).items[0]
    plans.update_item(first_item.id, {"measure": "Совсем другое мероприятие"})
    frozen = build_document(demo_db, service.get(order_id))
    table = frozen.appendices[0].blocks[0]
    assert isinstance(table, Table)
    assert all("Совсем другое мероприятие" not in row.cells for row in table.rows)
    assert order_pdf(demo_db, order_id) == pdf
    # undo of the signing gives the draft back
    undo(demo_db, changeset)
    assert service.get(order_id).status is OrderStatus.DRAFT


def test_tampered_signed_copy_is_reported(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    sign_order(demo_db, order_id, number="5", on=date(2020, 9, 1))
    with demo_db.atomic() as conn:
        conn.execute("UPDATE orders SET pdf = ? WHERE id = ?", (b"%PDF-1.4 forged", order_id))
    result = service.verify(order_id)
    assert not result.ok
    assert "не совпадает с подписанной" in result.message


def test_signing_refuses_what_is_not_ready(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db, signer_name="", title="")
    service.add_appendix(order_id, {"kind": "plan", "plan_ids": [999]})
    with pytest.raises(AppError) as caught:
        sign_order(demo_db, order_id, number="1", on=date(2020, 9, 1))
    message = caught.value.message
    assert "не заполнен заголовок" in message
    assert "не указан подписывающий" in message
    assert "план № 999 удалён" in message
    assert service.get(order_id).status is OrderStatus.DRAFT


def test_a_number_taken_in_the_same_year_is_refused(demo_db: Database) -> None:
    sign_order(demo_db, _draft(demo_db), number="7", on=date(2020, 9, 1))
    with pytest.raises(AppError, match="уже занят"):
        sign_order(demo_db, _draft(demo_db), number="7", on=date(2020, 10, 1))
    sign_order(demo_db, _draft(demo_db), number="7", on=date(2021, 10, 1))  # a new year: free again


def test_amendment_is_a_new_draft_referring_to_the_signed_order(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    with pytest.raises(AppError, match="только в подписанный"):
        service.amend(order_id)
    sign_order(demo_db, order_id, number="594", on=date(2021, 9, 17))
    new_id, _ = service.amend(order_id)
    amendment = service.get(new_id)
    assert amendment.status is OrderStatus.DRAFT
    assert amendment.amends_order_id == order_id
    assert amendment.title.startswith("О внесении изменений в приказ от 17.09.2021 № 594")
    assert amendment.points[0].text == "Внести в приказ от 17.09.2021 № 594 следующие изменения:"
    assert [s.id for s in service.amendments_of(order_id)] == [new_id]


def test_appendices_are_built_from_the_data(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db, issuer="комитета образования администрации Кировского района")
    group_id, _ = service.save_working_group(
        None,
        title="Рабочая группа по оказанию методической помощи школам",
        year=2020,
        members=[
            GroupMember("Труфанова А.А.", "руководитель ИМС", MemberRole.CHAIR),
            GroupMember("Куприенко Е.В.", "главный специалист", MemberRole.SECRETARY),
            GroupMember("Иванова О.П.", "методист", MemberRole.MEMBER),
        ],
    )
    plan_ids = [p.id for p in PlanService(demo_db).list_plans(year=2020)][:2]
    for raw in (
        {"kind": "plan", "plan_ids": plan_ids},
        {"kind": "school_list", "category": "low_results", "academic_year": 2020},
        {"kind": "working_group", "working_group_id": group_id},
        {"kind": "partnerships", "academic_year": 2020},
        {"kind": "partnership_map", "academic_year": 2020},
        {"kind": "text", "title": "Комплекс мер", "body": "Первый абзац.\nВторой абзац."},
    ):
        service.add_appendix(order_id, raw)
    calls: list[int] = []

    def renderer(year: int) -> bytes:
        calls.append(year)
        return b"\x89PNG fake"

    document = build_document(demo_db, service.get(order_id), map_renderer=renderer)
    plan, schools, group, partners, mapping, text = document.appendices
    assert [a.number for a in document.appendices] == ["1", "2", "3", "4", "5", "6"]
    assert plan.stamp == [
        "Приложение 1",
        "к приказу комитета образования администрации Кировского района",
        "от ____________ № ______",
    ]
    plans = [PlanService(demo_db).get(i) for i in plan_ids]
    assert plan.title == plans[0].title
    assert isinstance(plan.blocks[1], Paragraph) and plan.blocks[1].text == plans[1].title
    assert "низкие образовательные результаты" in schools.title and "2020/2021" in schools.title
    listed = [row.cells[1] for row in schools.blocks[0].rows]  # type: ignore[union-attr]
    low = demo_db.query(
        "SELECT s.full_name FROM school_categories c JOIN schools s ON s.id = c.school_id "
        "WHERE c.academic_year = 2020 AND c.category = 'low_results' ORDER BY s.full_name"
    )
    assert listed == [r[0] for r in low] and listed
    assert group.title == "Состав рабочей группы по оказанию методической помощи школам"
    cells = [row.cells for row in group.blocks[0].rows]  # type: ignore[union-attr]
    assert cells[0] == ["Председатель рабочей группы:"] and cells[1] == ["Труфанова А.А.", "руководитель ИМС"]
    assert partners.landscape and len(partners.blocks[0].rows) >= 4  # type: ignore[union-attr]
    assert calls == [2020] and mapping.blocks[0].png == b"\x89PNG fake"  # type: ignore[union-attr]
    assert [b.text for b in text.blocks] == ["Первый абзац.", "Второй абзац."]  # type: ignore[union-attr]
    # the whole document survives JSON, as a signed snapshot must
    assert OrderDocument.from_json(document.to_json()) == document


def test_a_deleted_plan_appendix_prints_a_notice_not_an_error(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    plan_id = _plan_id(demo_db)
    service.add_appendix(order_id, {"kind": "plan", "plan_ids": [plan_id]})
    PlanService(demo_db).delete(plan_id)
    document = build_document(demo_db, service.get(order_id))
    assert "удалён" in document.appendices[0].blocks[0].text  # type: ignore[union-attr]
    assert any("удалён" in p for p in service.check_ready(service.get(order_id)))


def test_template_fills_years_appendix_numbers_and_declined_names(demo_db: Database) -> None:
    keys = {t.key for t in list_templates(demo_db)}
    assert {
        "approve_plan",
        "approve_list_low",
        "approve_partnership",
        "approve_working_group",
        "objectivity_plan",
    } <= keys
    order_id, _, notes = create_from_template(
        demo_db,
        "objectivity_plan",
        TemplateChoices(
            year=2021,
            responsible=Person(
                "Плаксина И.Н.",
                "главный специалист МКУ «Организационно-координационный отдел управления образования»",
            ),
            controller=Person("Потехина Т.С.", "заместитель начальника Управления образования"),
            plan_ids=[_plan_id(demo_db, 2021)],
        ),
    )
    order = OrderService(demo_db).get(order_id)
    assert order.title.endswith("на 2021-2022 учебный год")
    assert order.points[1].addressee == (
        "Плаксиной И.Н., главному специалисту МКУ «Организационно-координационный отдел управления образования»"
    )
    assert order.control_text == (
        "Контроль за исполнением настоящего приказа возложить на Потехину Т.С. – "
        "заместителя начальника Управления образования."
    )
    # a lone appendix has no number: no double space is left where it was
    assert "согласно приложению к настоящему приказу." in order.points[0].text
    assert notes == []
    assert [a.kind for a in order.appendices] == [AppendixKind.PLAN]


def test_template_flags_a_name_it_cannot_decline(demo_db: Database) -> None:
    order_id, _, notes = create_from_template(
        demo_db,
        "approve_plan",
        TemplateChoices(
            year=2020,
            responsible=Person("Труфанова А.А.", "руководитель ИМС"),
            controller=Person("Куприенко Е.В.", "главный специалист комитета образования"),
            plan_ids=[_plan_id(demo_db)],
        ),
    )
    order = OrderService(demo_db).get(order_id)
    assert (
        order.points[1].text
        == "Назначить ответственной за реализацию плана Труфанову А.А. – руководителя ИМС."
    )
    assert order.control_text.endswith(
        "возложить на Куприенко Е.В. – главного специалиста комитета образования."
    )
    assert any("Куприенко" in note for note in notes)


def test_office_edited_template_replaces_the_bundled_one(demo_db: Database) -> None:
    bundled = next(t for t in list_templates(demo_db) if t.key == "approve_working_group")
    data = dict(bundled.data, title="О создании рабочей группы {год}")
    save_template(demo_db, "approve_working_group", data)
    edited = next(t for t in list_templates(demo_db) if t.key == "approve_working_group")
    assert edited.edited
    order_id, _, _ = create_from_template(demo_db, "approve_working_group", TemplateChoices(year=2022))
    assert OrderService(demo_db).get(order_id).title == "О создании рабочей группы 2022-2023"
    with pytest.raises(AppError, match="вид документа"):
        save_template(demo_db, "broken", {"name": "x", "kind": "memo"})


def test_roll_over_moves_years_plans_and_working_group(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db, title="Об утверждении плана на 2020-2021 учебный год")
    plan_id = _plan_id(demo_db)
    group_id, _ = service.save_working_group(
        None, title="Рабочая группа 2020/2021", year=2020, members=[GroupMember("Труфанова А.А.")]
    )
    service.add_appendix(order_id, {"kind": "plan", "plan_ids": [plan_id]})
    service.add_appendix(order_id, {"kind": "working_group", "working_group_id": group_id})
    service.add_appendix(order_id, {"kind": "school_list", "category": "low_results", "academic_year": 2020})
    sign_order(demo_db, order_id, number="149", on=date(2020, 8, 27))
    new_id, changeset = roll_over_order(demo_db, order_id)
    rolled = service.get(new_id)
    assert rolled.status is OrderStatus.DRAFT and rolled.number == "" and rolled.order_date is None
    assert rolled.title == "Об утверждении плана на 2021-2022 учебный год"
    assert rolled.points[1].children[0].deadline == "в течение учебного года"
    plan_appendix, group_appendix, list_appendix = rolled.appendices
    new_plan = PlanService(demo_db).get(plan_appendix.plan_ids[0])
    assert new_plan.id != plan_id and new_plan.academic_year == 2021
    assert service.working_group(group_appendix.working_group_id or 0).title == "Рабочая группа 2021/2022"
    assert list_appendix.academic_year == 2021
    undo(demo_db, changeset)
    assert new_id not in [s.id for s in service.list_orders()]


def test_register_exports_to_excel(demo_db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from app.exporting.order_register_xlsx import write_register

    service = OrderService(demo_db)
    signed = _draft(demo_db, title="=ВРЕДНАЯ_ФОРМУЛА()")
    sign_order(demo_db, signed, number="149", on=date(2020, 8, 27))
    _draft(demo_db, title="Проект без номера")
    path = write_register(service.list_orders(), tmp_path / "журнал.xlsx", office_name="Комитет образования")
    sheet = load_workbook(path).active
    rows = {row[4].value: row for row in sheet.iter_rows(min_row=5)}
    assert len(rows) == len(service.list_orders())  # the demo's own documents are there too
    harmful = rows["=ВРЕДНАЯ_ФОРМУЛА()"]
    assert [c.value for c in harmful[1:3]] == ["Приказ", "149"]
    assert harmful[3].value.date() == date(2020, 8, 27) and harmful[3].number_format == "DD.MM.YYYY"
    assert harmful[4].data_type == "s"  # text, never a formula
    assert rows["Проект без номера"][6].value == "Проект"


def test_issuer_in_the_genitive_from_the_office_short_name() -> None:
    assert suggested_issuer("Комитет образования") == "комитета образования"
    assert suggested_issuer("Отдел образования") == "отдела образования"
    assert suggested_issuer("Управление образования") == "управления образования"
    assert suggested_issuer("") == ""


def test_overlong_text_is_refused_with_a_message(demo_db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        OrderService(demo_db).create({"title": "x" * 200_000})
    assert "Слишком длинный текст" in caught.value.problems[0].message


def test_text_appendix_prints_tab_separated_lines_as_a_table(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    service.add_appendix(
        order_id,
        {
            "kind": "text",
            "title": "Критерии",
            "body": "Вступление.\nТип школы\tКритерии\tПоказатели\nШНРО\tНизкие результаты\tДоля\nИтог.",
        },
    )
    (appendix,) = build_document(demo_db, service.get(order_id)).appendices
    intro, table, tail = appendix.blocks
    assert isinstance(intro, Paragraph) and intro.text == "Вступление."
    assert isinstance(table, Table) and table.header == ["Тип школы", "Критерии", "Показатели"]
    assert [r.cells for r in table.rows] == [["ШНРО", "Низкие результаты", "Доля"]]
    assert isinstance(tail, Paragraph) and tail.text == "Итог."


def test_a_300_item_plan_with_hostile_text_prints_to_pdf_and_docx(demo_db: Database, tmp_path: Path) -> None:
    import io

    import docx
    import pypdf

    from app.exporting.order_docx import write_order_docx
    from app.exporting.order_pdf import render_order_pdf

    plans = PlanService(demo_db)
    plan_id, _ = plans.create({"title": "План <&> «300 пунктов» № 1 — 2020/2021", "academic_year": 2020})
    hostile = 'Текст с <тегом> & «кавычками» "прямыми" № 5 — тире 🙂 中文 \x07 ё'
    for n in range(300):
        plans.add_item(
            plan_id,
            {
                "measure": ("Очень длинное мероприятие " * 400) if n == 7 else f"{hostile} {n}",
                "deadline_text": "В течение года",
                "responsible": "Отдел образования",
            },
        )
    service = OrderService(demo_db)
    order_id = _draft(demo_db, title=f"Об утверждении {hostile}")
    service.add_appendix(order_id, {"kind": "plan", "plan_ids": [plan_id]})
    document = build_document(demo_db, service.get(order_id))
    pdf = render_order_pdf(document)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 10
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Текст с <тегом> & «кавычками»" in text  # escaped, never read as markup
    assert "🙂" not in text and "□" in text  # a character the font lacks prints as a box, not as a crash
    assert "\x07" not in text
    target = tmp_path / "приказ с планом.docx"
    write_order_docx(document, target)
    words = " ".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Об утверждении Текст с <тегом> & «кавычками»" in words


def test_a_read_only_folder_gets_a_message_naming_the_file(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from app.exporting.order_register_xlsx import write_register

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # root ignores file modes here, so the refusal a read-only folder gives is simulated
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(AppError) as caught:
        write_register(OrderService(demo_db).list_orders(), tmp_path / "журнал.xlsx")
    assert "«журнал.xlsx»" in caught.value.message and "защищена от записи" in caught.value.message


def test_roll_over_keeps_the_dates_of_cited_documents(demo_db: Database) -> None:
    from app.orders.rollover import shift_text

    text = (
        "На основании приказа министерства от 17.09.2021 № 2625 «Об утверждении плана на 2021-2022 учебный "
        "год», Федерального закона от 29.12.2012 № 273-ФЗ и приказа № 338–ОД от 08.05.2020 года утвердить план "
        "на 2021-2022 учебный год до 01.10.2021"
    )
    assert shift_text(text, 1) == (
        "На основании приказа министерства от 17.09.2021 № 2625 «Об утверждении плана на 2021-2022 учебный "
        "год», Федерального закона от 29.12.2012 № 273-ФЗ и приказа № 338–ОД от 08.05.2020 года утвердить план "
        "на 2022-2023 учебный год до 01.10.2022"
    )


def test_signing_refuses_points_naming_appendices_that_moved(demo_db: Database) -> None:
    service = OrderService(demo_db)
    order_id, _ = service.create(
        {"title": "Об утверждении", "signer_position": "Начальник", "signer_name": "И.И. Иванов"},
        [
            PointDraft(text="Утвердить состав рабочей группы в соответствии с приложением 1."),
            PointDraft(text="Утвердить список сетевого партнёрства в соответствии с приложениями 2 и 3."),
        ],
    )
    group_id, _ = service.save_working_group(
        None, title="Рабочая группа", year=2020, members=[GroupMember("А.А. Б")]
    )
    map_id, _ = service.add_appendix(order_id, {"kind": "partnership_map", "academic_year": 2020})
    service.add_appendix(order_id, {"kind": "working_group", "working_group_id": group_id})
    problems = service.check_ready(service.get(order_id))
    assert any("называет приложение 1 «состав рабочей группы»" in p for p in problems)
    assert any("ссылается на приложение 3, а приложений 2" in p for p in problems)
    service.move_appendix(map_id, 1)
    service.add_appendix(order_id, {"kind": "partnerships", "academic_year": 2020})
    assert service.check_ready(service.get(order_id)) == []


def test_signing_refuses_an_empty_list_an_empty_amendment_and_a_letter_without_addressee(
    demo_db: Database,
) -> None:
    service = OrderService(demo_db)
    order_id = _draft(demo_db)
    service.add_appendix(order_id, {"kind": "school_list", "category": "unfavourable", "academic_year": 2020})
    service.add_appendix(order_id, {"kind": "partnerships", "academic_year": 2025})
    problems = service.check_ready(service.get(order_id))
    assert any("список пуст" in p for p in problems)
    assert any("не задано ни одного партнёрства" in p for p in problems)
    signed = _draft(demo_db)
    sign_order(demo_db, signed, number="88", on=date(2020, 9, 1))
    amendment, _ = service.amend(signed)
    assert any("нет ни одного подпункта" in p for p in service.check_ready(service.get(amendment)))
    letter, _ = service.create(
        {"kind": "letter", "preamble": "Сообщаем.", "signer_position": "Глава", "signer_name": "И.И. Иванов"}
    )
    assert "не указан адресат письма" in service.check_ready(service.get(letter))


def test_an_order_saved_as_a_template_makes_next_years_draft(demo_db: Database) -> None:
    from app.orders.templates import get_template, new_template_key, reset_template, template_from_order

    service = OrderService(demo_db)
    order_id = _draft(
        demo_db,
        title="Об утверждении плана на 2020-2021 учебный год",
        control_text="Контроль возложить на заместителя председателя комитета.",
    )
    service.add_appendix(order_id, {"kind": "school_list", "category": "nonobjective", "academic_year": 2020})
    key = new_template_key(demo_db)
    data = template_from_order(service.get(order_id), "Наш приказ о плане")
    save_template(demo_db, key, data)
    assert get_template(demo_db, key).name == "Наш приказ о плане"
    new_id, _, _ = create_from_template(demo_db, key, TemplateChoices(year=2023))
    made = service.get(new_id)
    assert made.title == "Об утверждении плана на 2023-2024 учебный год"
    assert made.control_text == "Контроль возложить на заместителя председателя комитета."
    assert made.points[1].children[0].deadline == "в течение учебного года"
    assert [(a.kind, a.category, a.academic_year) for a in made.appendices] == [
        (AppendixKind.SCHOOL_LIST, "nonobjective", 2023)
    ]
    assert new_template_key(demo_db) != key
    reset_template(demo_db, key)  # the office's own template is removed altogether
    assert key not in {t.key for t in list_templates(demo_db)}


def test_an_accepted_proposal_goes_into_an_orders_list_appendix(demo_db: Database) -> None:
    from app.results.identification import IdentificationService

    service = IdentificationService(demo_db)
    run_id, _ = service.run(2020)
    proposal = next(
        p
        for p in service.proposals(run_id)
        if p.category == "nonobjective" and p.school_name == "МКОУ «Шумская СОШ»"
    )
    # the demo lists this school already, by распоряжение № 149: clear that so the computed entry shows
    with demo_db.atomic() as conn:
        conn.execute(
            "DELETE FROM school_categories WHERE school_id = ? AND academic_year = 2020 AND category = 'nonobjective'",
            (proposal.school_id,),
        )
    service.decide(proposal.id, "accepted")
    orders = OrderService(demo_db)
    order_id = _draft(demo_db)
    orders.add_appendix(order_id, {"kind": "school_list", "category": "nonobjective", "academic_year": 2020})
    (appendix,) = build_document(demo_db, orders.get(order_id)).appendices
    rows = {row.cells[1]: row.cells[2] for row in appendix.blocks[0].rows}  # type: ignore[union-attr]
    school = demo_db.query("SELECT full_name FROM schools WHERE id = ?", (proposal.school_id,))[0][0]
    assert school in rows
    assert "повысивших" in rows[school] or "ВПР" in rows[school]  # the rule's explanation is the reason
