"""«Обзор»: overdue items and items due within 30 days across all plans; a double-click opens the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.plans.model import ItemStatus
from app.plans.service import PlanService
from db import Database
from ui.main_window import MainWindow
from ui.overview import DueItemsModel, OverviewPage
from ui.signals import emit

TODAY = date(2021, 1, 15)


@pytest.fixture
def window(qtbot: QtBot, database: Database) -> Iterator[MainWindow]:
    service = PlanService(database)
    first, _ = service.create({"title": "План по ШНРО 2020/2021", "academic_year": 2020})
    second, _ = service.create({"title": "Дорожная карта 2020/2021", "academic_year": 2020})
    service.add_item(
        first, {"measure": "Анализ ВПР", "deadline_text": "Октябрь-ноябрь 2020г", "responsible": "МОЦ"}
    )
    done, _ = service.add_item(first, {"measure": "Отчёт за полугодие", "deadline_text": "декабрь 2020"})
    service.set_status(done, ItemStatus.DONE, completed_on=date(2020, 12, 20))
    service.add_item(first, {"measure": "Семинар", "deadline_text": "до 1 февраля 2021 г."})
    service.add_item(second, {"measure": "Мониторинг", "deadline_text": "Январь 2021"})
    service.add_item(second, {"measure": "Летняя школа", "deadline_text": "Июль 2021"})
    service.add_item(second, {"measure": "Консультации", "deadline_text": "По запросу"})
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def measures(model: DueItemsModel) -> list[str]:
    return [model.data(model.index(row, DueItemsModel.MEASURE)) for row in range(model.rowCount())]


def open_overview(window: MainWindow) -> OverviewPage:
    window.nav.setCurrentRow(
        next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "Обзор")
    )
    page = window.overview_page
    page.set_today(TODAY)
    return page


def test_overdue_and_due_soon_sections(window: MainWindow) -> None:
    page = open_overview(window)
    overdue, soon = (section.model for section in page.sections[:2])
    assert measures(overdue) == ["Анализ ВПР"]
    assert measures(soon) == ["Мониторинг", "Семинар"]  # by due date; done and later items are not here
    assert soon.data(soon.index(0, DueItemsModel.PLAN)) == "Дорожная карта 2020/2021"
    assert soon.data(soon.index(1, DueItemsModel.DUE)) == "01.02.2021"
    assert overdue.data(overdue.index(0, DueItemsModel.DEADLINE)) == "Октябрь-ноябрь 2020г"
    assert overdue.data(overdue.index(0, DueItemsModel.RESPONSIBLE)) == "МОЦ"
    assert overdue.data(overdue.index(0, DueItemsModel.DUE), Qt.ItemDataRole.ForegroundRole) is not None
    assert page._captions[0].text() == "Просроченные пункты планов: 1"
    assert page.counts_text() == "Просрочено 1 пункт"


def test_marking_done_elsewhere_refreshes_the_overview(window: MainWindow) -> None:
    page = open_overview(window)
    overdue = page.sections[0].model
    item_id = overdue.item_at(0).item_id
    window.history.record(PlanService(window.database).set_status(item_id, ItemStatus.DONE))
    assert overdue.rowCount() == 0
    assert not page.tables[0].isVisibleTo(page)
    assert "нет" in page._captions[0].text()
    window.undo()
    assert measures(overdue) == ["Анализ ВПР"]


def test_double_click_opens_the_plan_at_the_item(window: MainWindow, qtbot: QtBot) -> None:
    page = open_overview(window)
    table = page.tables[1]
    model = page.sections[1].model
    wanted = model.item_at(1)  # «Семинар» in the first plan
    rect = table.visualRect(model.index(1, DueItemsModel.MEASURE))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    plans = window.plans_page
    qtbot.waitUntil(lambda: window.pages.currentWidget() is plans)
    assert plans.plan.id == wanted.plan_id
    assert plans.current_item().id == wanted.item_id
    assert window.nav.currentItem().text() == "Планы мероприятий"


def test_later_sections_are_added_the_same_way(window: MainWindow) -> None:
    from ui.overview import OverviewSection

    page = open_overview(window)
    extra = DueItemsModel(window.database, overdue=True)
    extra.today = TODAY
    opened: list[int] = []
    page.add_section(OverviewSection("Ещё одно предупреждение", extra, opened.append))
    page.refresh()
    assert len(page.tables) == 4 and page._captions[3].text() == "Ещё одно предупреждение: 1"
    page.tables[3].setCurrentIndex(extra.index(0, 0))
    emit(page.tables[3].activated, extra.index(0, 0))  # as a double-click does
    assert opened == [0]
