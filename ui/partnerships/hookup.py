"""The partnership warnings as a section of «Обзор» (added by the main window when it builds it)."""

from __future__ import annotations

from collections.abc import Callable

from app.office import OfficeService, current_academic_year
from db.connection import Database
from ui.overview import OverviewPage, OverviewSection
from ui.partnerships.warnings_model import PARTNERSHIP_TABLES, WarningsModel

SECTION_TITLE = "Сетевое партнёрство"


def office_year(database: Database) -> int:
    stored = OfficeService(database).setting("current_year")
    return int(stored) if stored.isdigit() else current_academic_year()


def add_overview_section(
    page: OverviewPage, database: Database, open_warning: Callable[[int | None, int | None], None]
) -> WarningsModel:
    """Append the current year's partnership warnings to the overview; activating a row calls
    `open_warning(group_id, school_id)`."""
    model = WarningsModel(database, lambda: office_year(database), page)

    def activate(row: int) -> None:
        warning = model.warning_at(row)
        if warning is not None:
            open_warning(warning.group_id, warning.school_id)

    page.add_section(
        OverviewSection(
            SECTION_TITLE,
            model,
            activate,
            "Предупреждений нет.",
            PARTNERSHIP_TABLES | frozenset({"partnership_plan_items"}),
        )
    )
    page.refresh()
    return model
