"""The plan table model, the filter and the print builder on their own, without any view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.deadlines import covers_month
from app.plans.model import ColumnRole, ItemStatus, PlanColumn
from app.plans.service import PlanService
from db import Database
from ui.plans.filtering import STATUS_OPEN, STATUS_OVERDUE, PlanFilter, PlanFilterProxy, responsible_names
from ui.plans.model import (
    BAR_ROLE,
    COLOUR_ROLE,
    ITEM_ROLE,
    NO_BAR,
    NO_TODAY,
    NOT_UNDERSTOOD_BACKGROUND,
    NOT_UNDERSTOOD_TIP,
    SECTION_ROLE,
    STATE_COLOURS,
    STATE_ROLE,
    STATUS_TITLE,
    TODAY_ROLE,
    Fill,
    PlanTableModel,
    State,
)
from ui.plans.printing import plan_html, print_to_pdf

TODAY = date(2021, 1, 15)
pytestmark = pytest.mark.usefixtures("qapp")  # fonts and icons need the application


@pytest.fixture
def service(database: Database) -> PlanService:
    return PlanService(database)


@pytest.fixture
def plan_id(service: PlanService) -> int:
    """A 2020/2021 plan: one item before the sections, two sections with items of every kind."""
    plan_id, _ = service.create({"title": "План мероприятий на 2020/2021 учебный год", "academic_year": 2020})
    service.add_item(plan_id, {"measure": "Утвердить план", "deadline_text": "Август 2020 г."})
    first, _ = service.add_section(plan_id, "Раздел 1. Организационное обеспечение")
    second, _ = service.add_section(plan_id, "Раздел 2. Работа с педагогами")
    for section, measure, deadline, responsible in (
        (first, "Анализ результатов ВПР", "Октябрь-ноябрь 2020г", "Отдел образования, МОЦ"),
        (first, "Сбор отчётов", "до 1 марта", "Руководители ОО"),
        (first, "Ёлочный семинар", "с 20.04.2021", "МОЦ"),
        (second, "Консультации", "В течение года", "Методисты МОЦ"),
        (second, "Мониторинг", "ежемесячно", "Отдел образования"),
        (second, "Выезды в школы", "По запросу руководителей", "МОЦ"),
        (second, "Что-то странное", "когда-нибудь потом", "МОЦ"),
    ):
        service.add_item(
            plan_id,
            {"measure": measure, "deadline_text": deadline, "responsible": responsible},
            section_id=section,
        )
    return plan_id


def _model(service: PlanService, plan_id: int) -> PlanTableModel:
    model = PlanTableModel()
    model.set_plan(service.get(plan_id), TODAY)
    return model


def _row(model: PlanTableModel, measure: str) -> int:
    return next(
        number
        for number, row in enumerate(model.rows())
        if row.item is not None and row.item.measure == measure
    )


def _cells(model: PlanTableModel, measure: str) -> list:
    row = _row(model, measure)
    return [model.data(model.index(row, model.first_month_column + m), BAR_ROLE) for m in range(12)]


def test_rows_are_sections_and_items_in_reading_order(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    shape = [
        ("section", row.section.title) if row.section else ("item", row.item.measure) for row in model.rows()
    ]
    assert shape[:5] == [
        ("item", "Утвердить план"),
        ("section", "Раздел 1. Организационное обеспечение"),
        ("item", "Анализ результатов ВПР"),
        ("item", "Сбор отчётов"),
        ("item", "Ёлочный семинар"),
    ]
    assert shape[5] == ("section", "Раздел 2. Работа с педагогами")
    assert model.rowCount() == 10 and model.item_count() == 8
    section_row = 1
    assert model.is_section_row(section_row)
    assert model.data(model.index(section_row, 0)) == "Раздел 1. Организационное обеспечение"
    assert model.data(model.index(section_row, 0), SECTION_ROLE).title.startswith("Раздел 1")
    assert model.data(model.index(section_row, 0), Qt.ItemDataRole.FontRole).bold()
    item = model.data(model.index(2, 0), ITEM_ROLE)
    assert item.measure == "Анализ результатов ВПР"
    # Numbers run through the plan when none were typed.
    number = model.column_of(ColumnRole.NUMBER)
    assert [model.data(model.index(r, number)) for r in (0, 2, 3)] == ["1", "2", "3"]


def test_columns_follow_the_plan_then_status_then_months(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles[:6] == [
        "№ п/п",
        "Наименование\nмероприятия",
        "Сроки\nисполнения",
        "Ответственный\nисполнитель",
        "Ожидаемый\nрезультат",
        STATUS_TITLE,
    ]
    assert titles[6] == "Сен\n2020" and titles[9] == "Дек\n2020" and titles[10] == "Янв\n2021"
    assert titles[-1] == "Авг\n2021" and len(titles) == 6 + 12
    assert (
        model.headerData(10, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        == "январь 2021 — сегодня"
    )


def test_a_plan_with_its_own_columns_and_period(service: PlanService) -> None:
    columns = (
        PlanColumn(ColumnRole.NUMBER, "№"),
        PlanColumn(ColumnRole.MEASURE, "Мероприятие"),
        PlanColumn(ColumnRole.RESPONSIBLE, "Исполнители"),
        PlanColumn(ColumnRole.DEADLINE, "Срок"),
    )
    plan_id, _ = service.create(
        {
            "title": "Дорожная карта",
            "columns": columns,
            "period_start": date(2021, 1, 1),
            "period_end": date(2021, 6, 30),
        }
    )
    service.add_item(plan_id, {"measure": "Семинар", "deadline_text": "март - апрель 2021 года"})
    model = _model(service, plan_id)
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["№", "Мероприятие", "Исполнители", "Срок", STATUS_TITLE] + [
        f"{m}\n2021" for m in ("Янв", "Фев", "Мар", "Апр", "Май", "Июн")
    ]
    deadline = model.column_of(ColumnRole.DEADLINE)
    assert model.data(model.index(0, deadline)) == "март - апрель 2021 года"  # exactly as written
    cells = [model.data(model.index(0, model.first_month_column + m), BAR_ROLE) for m in range(6)]
    assert [c is not NO_BAR for c in cells] == [False, False, True, True, False, False]


def test_bars_per_kind_of_deadline(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    # A period: October and November, rounded at its own ends.
    cells = _cells(model, "Анализ результатов ВПР")
    assert [c is not NO_BAR for c in cells] == [False, True, True] + [False] * 9
    assert cells[1].fill is Fill.SOLID and cells[1].starts and not cells[1].ends and cells[2].ends
    # «до 1 марта»: lighter from the plan's start, full in March with a marker on the first.
    cells = _cells(model, "Сбор отчётов")
    assert [c.fill for c in cells[:6]] == [Fill.LIGHT] * 6
    assert cells[6].fill is Fill.SOLID and cells[6].marker is not None and cells[6].marker < 0.1
    assert cells[7:] == [NO_BAR] * 5
    # «с 20.04.2021»: from April to the plan's end.
    cells = _cells(model, "Ёлочный семинар")
    assert [c is not NO_BAR for c in cells] == [False] * 7 + [True] * 5
    # The whole year, recurring with ticks, and no dates at all (dotted, not hidden).
    assert {c.fill for c in _cells(model, "Консультации")} == {Fill.SOLID}
    assert {c.fill for c in _cells(model, "Мониторинг")} == {Fill.DASHED}
    assert {c.fill for c in _cells(model, "Выезды в школы")} == {Fill.DOTTED}
    # The month coverage agrees with app.deadlines.covers_month.
    months = model.months
    for row in model.rows():
        if row.item is not None and str(row.item.deadline.kind) != "undated":
            expected = {i for i, (y, m) in enumerate(months) if covers_month(row.item.deadline, y, m)}
            assert set(row.bar.months) == expected, row.item.measure


def test_undated_and_not_understood_deadlines_are_flagged(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    deadline = model.column_of(ColumnRole.DEADLINE)
    undated = model.index(_row(model, "Выезды в школы"), deadline)
    assert model.data(undated, Qt.ItemDataRole.FontRole).italic()
    assert "Без срока" in model.data(undated, Qt.ItemDataRole.ToolTipRole)
    month_tip = model.data(model.index(undated.row(), model.first_month_column), Qt.ItemDataRole.ToolTipRole)
    assert "Без срока" in month_tip
    odd = model.index(_row(model, "Что-то странное"), deadline)
    assert model.data(odd) == "когда-нибудь потом"
    assert NOT_UNDERSTOOD_TIP in model.data(odd, Qt.ItemDataRole.ToolTipRole)
    assert model.data(odd, Qt.ItemDataRole.BackgroundRole) == NOT_UNDERSTOOD_BACKGROUND
    assert model.data(odd, Qt.ItemDataRole.DecorationRole) is not None
    understood = model.index(_row(model, "Консультации"), deadline)
    assert model.data(understood, Qt.ItemDataRole.BackgroundRole) is None


def test_states_colours_and_today(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    overdue = _row(model, "Анализ результатов ВПР")
    assert model.data(model.index(overdue, 0), STATE_ROLE) == State.OVERDUE
    assert model.data(model.index(overdue, 0), COLOUR_ROLE) == STATE_COLOURS[State.OVERDUE]
    assert _cells(model, "Анализ результатов ВПР")[1].colour == STATE_COLOURS[State.OVERDUE]
    assert model.data(model.index(_row(model, "Консультации"), 0), STATE_ROLE) == State.OPEN
    january = model.month_column(2021, 1)
    assert model.today_column == january
    fraction = model.data(model.index(overdue, january), TODAY_ROLE)
    assert 0.4 < fraction < 0.5  # the 15th of 31 days
    assert model.data(model.index(overdue, january - 1), TODAY_ROLE) == NO_TODAY

    item = model.item_at(overdue)
    service.set_status(item.id, ItemStatus.DONE, completed_on=date(2020, 12, 1))
    model.set_plan(service.get(plan_id))
    assert model.data(model.index(overdue, 0), STATE_ROLE) == State.DONE
    assert _cells(model, "Анализ результатов ВПР")[1].colour == STATE_COLOURS[State.DONE]
    assert model.data(model.index(overdue, model.status_column)) == "Выполнено 01.12.2020"


def test_edits_go_through_commit_and_reload_only_changes_rows(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    written: list[tuple[int, dict]] = []

    def commit(target, raw):  # as the view does: write, then reload
        written.append((target.id, raw))
        service.update_item(target.id, raw)
        model.set_plan(service.get(plan_id))
        return True

    model.commit = commit
    row = _row(model, "Анализ результатов ВПР")
    deadline = model.column_of(ColumnRole.DEADLINE)
    resets: list[int] = []
    changed: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda first, _last, _roles: changed.append(first.row()))
    index = model.index(row, deadline)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(index, "Октябрь-ноябрь 2020г")  # unchanged: nothing written
    assert model.setData(index, "Март 2021")
    assert written[-1][1] == {"deadline_text": "Март 2021"}
    assert resets == [] and changed == [row]
    cells = _cells(model, "Анализ результатов ВПР")
    assert [c is not NO_BAR for c in cells] == [False] * 6 + [True] + [False] * 5
    assert model.data(index, STATE_ROLE) == State.OPEN  # no longer overdue
    month = model.index(row, model.first_month_column)
    assert not model.flags(month) & Qt.ItemFlag.ItemIsEditable


def test_drop_targets(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    plan = model.plan
    first, second = (s.id for s in plan.sections)
    moving = model.item_at(_row(model, "Мониторинг")).id
    # Before «Сбор отчётов» (second item of section 1).
    assert model.drop_target(_row(model, "Сбор отчётов"), moving) == (first, 1)
    # Just above the heading of section 2: the end of section 1.
    assert model.drop_target(model.row_of_section(second), moving) == (first, 3)
    # At the very end: the end of the last section, not counting the moved item itself.
    assert model.drop_target(model.rowCount(), moving) == (second, 3)
    # Above everything: before the item outside sections.
    assert model.drop_target(0, moving) == (None, 0)


def test_filter_keeps_headings_of_matching_items(service: PlanService, plan_id: int) -> None:
    model = _model(service, plan_id)
    proxy = PlanFilterProxy()
    proxy.setSourceModel(model)

    def shown() -> list[str]:
        rows = [model.row_at(proxy.mapToSource(proxy.index(r, 0)).row()) for r in range(proxy.rowCount())]
        return [r.section.title[:8] if r.section else r.item.measure for r in rows]

    assert proxy.rowCount() == model.rowCount()
    proxy.set_criteria(PlanFilter(text="ЕЛОЧНЫЙ"))  # ё = е, any case
    assert shown() == ["Раздел 1", "Ёлочный семинар"]
    proxy.set_criteria(PlanFilter(status=STATUS_OVERDUE))
    assert shown() == ["Утвердить план", "Раздел 1", "Анализ результатов ВПР"]
    proxy.set_criteria(PlanFilter(month=model.months.index((2021, 5))))
    assert shown() == ["Раздел 1", "Ёлочный семинар", "Раздел 2", "Консультации", "Мониторинг"]
    proxy.set_criteria(PlanFilter(responsible="моц"))
    assert "Сбор отчётов" not in shown() and "Консультации" in shown()
    proxy.set_criteria(PlanFilter(status=STATUS_OPEN, text="отчет"))
    assert shown() == ["Раздел 1", "Сбор отчётов"]
    proxy.set_criteria(PlanFilter())
    assert proxy.rowCount() == model.rowCount()
    assert "МОЦ" in responsible_names(model) and "Отдел образования" in responsible_names(model)
    assert proxy.index(0, 0).isValid() and not proxy.parent(proxy.index(0, 0)).isValid()
    assert proxy.rowCount(QModelIndex()) == model.rowCount()


def test_print_html_has_the_plan_columns_sections_and_repeated_header(
    service: PlanService, plan_id: int, tmp_path: Path
) -> None:
    plan = service.get(plan_id)
    text = plan_html(plan, printed_on=TODAY)
    assert "<thead>" in text and "Наименование мероприятия" in text and STATUS_TITLE in text
    assert "colspan='6'" in text and "Раздел 2. Работа с педагогами" in text
    assert "когда-нибудь потом" in text and "состояние на 15.01.2021" in text
    assert text.index("Утвердить план") < text.index("Раздел 1") < text.index("Консультации")
    pdf = tmp_path / "план.pdf"
    print_to_pdf(plan, pdf, TODAY)
    assert pdf.read_bytes().startswith(b"%PDF")
