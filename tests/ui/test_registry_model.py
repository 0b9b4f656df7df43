"""The registry table model on its own, without any view: rows, cells, sort role, filtering."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from app.domain import Category, SchoolKind
from app.registry import RegistryIndex, RegistryQuery
from app.schools import SchoolService
from db import Database
from ui.registry.model import (
    ARCHIVE_MARK,
    SCHOOL_ID_ROLE,
    SORT_ROLE,
    Column,
    RegistryTableModel,
)
from ui.registry.view import counts_text

DEMO_YEAR = 2020


def _model(database: Database, year: int = DEMO_YEAR) -> RegistryTableModel:
    model = RegistryTableModel()
    model.set_registry(RegistryIndex.build(SchoolService(database).list_schools(year=year)), year)
    return model


def _names(model: RegistryTableModel) -> list[str]:
    return [model.data(model.index(row, Column.NAME)) for row in range(model.rowCount())]


def _row_of(model: RegistryTableModel, fragment: str) -> int:
    names = _names(model)
    return next(row for row, name in enumerate(names) if fragment in name)


@pytest.fixture
def model(qapp: QApplication, demo_db: Database) -> RegistryTableModel:
    return _model(demo_db)


def test_rows_and_columns(model: RegistryTableModel) -> None:
    assert model.rowCount() == 9
    assert model.columnCount() == len(Column) == 9
    assert model.rowCount(model.index(0, 0)) == 0  # a table, not a tree
    # Sorted by name from the start, ignoring case.
    names = _names(model)
    assert names == sorted(names, key=str.casefold)
    assert names[0] == "МБОУ «Кировская СОШ №2»"


def test_headers_are_russian_and_name_the_year(model: RegistryTableModel) -> None:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert titles == [
        "Наименование",
        "Тип",
        "Городская/сельская",
        "Населённый пункт",
        "Руководитель",
        "Обучающихся",
        "Категории 2020/2021",
        "Филиал ОО",
        "ИНН",
    ]
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_cells_show_labels_and_formatted_numbers(model: RegistryTableModel) -> None:
    row = _row_of(model, "Шумская")
    cell = model.data
    assert cell(model.index(row, Column.KIND)) == "СОШ"
    assert cell(model.index(row, Column.LOCALITY)) == "Сельская"
    assert cell(model.index(row, Column.SETTLEMENT)) == "с. Шум"
    assert cell(model.index(row, Column.STUDENTS)) == "312"
    assert cell(model.index(row, Column.CATEGORIES)) == "ШНРО, Признаки необъективности"
    tooltip = cell(model.index(row, Column.CATEGORIES), Qt.ItemDataRole.ToolTipRole)
    assert "Школа с низкими результатами обучения" in tooltip and "№ 149" in tooltip
    assert "Муниципальное казённое" in cell(model.index(row, Column.NAME), Qt.ItemDataRole.ToolTipRole)
    kirovsk = _row_of(model, "Кировская")
    assert cell(model.index(kirovsk, Column.STUDENTS)) == "1\u00a0050"  # grouped as in Russian documents
    alignment = cell(model.index(kirovsk, Column.STUDENTS), Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    assert cell(QModelIndex()) is None


def test_sort_role_carries_raw_values_and_sort_uses_it(model: RegistryTableModel) -> None:
    row = _row_of(model, "Кировская")
    assert model.data(model.index(row, Column.STUDENTS), SORT_ROLE) == 1050
    school_id = model.data(model.index(row, Column.NAME), SCHOOL_ID_ROLE)
    assert model.school_at(row) is not None and model.school_at(row).id == school_id

    model.sort(Column.STUDENTS, Qt.SortOrder.DescendingOrder)
    students = [model.data(model.index(r, Column.STUDENTS), SORT_ROLE) for r in range(model.rowCount())]
    assert students == sorted(students, reverse=True)
    assert _names(model)[0] == "МБОУ «Кировская СОШ №2»"
    assert _names(model)[-1] == "МКОУ «Путиловская ООШ»"

    model.sort(Column.SETTLEMENT, Qt.SortOrder.AscendingOrder)
    settlements = [model.data(model.index(r, Column.SETTLEMENT)) for r in range(model.rowCount())]
    assert settlements[0] == "г. Кировск" and settlements[-1] == "с. Шум"


def test_search_ignores_case_and_yo(qapp: QApplication, demo_db: Database) -> None:
    SchoolService(demo_db).create({"full_name": "МБОУ «Ёлкинская СОШ»", "settlement": "д. Ёлкино"})
    model = _model(demo_db)
    model.set_query(RegistryQuery(text="ШУМ"))
    assert _names(model) == ["МКОУ «Шумская СОШ»"]
    model.set_query(RegistryQuery(text="елкин"))
    assert _names(model) == ["МБОУ «Ёлкинская СОШ»"]
    model.set_query(RegistryQuery(text="ЁЛКИНО"))
    assert _names(model) == ["МБОУ «Ёлкинская СОШ»"]
    # Several words: each must be found, in any field (here name and settlement).
    model.set_query(RegistryQuery(text="отрадное сош №2"))
    assert _names(model) == ["МКОУ «Отрадненская СОШ №2»"]
    model.set_query(RegistryQuery(text="нет такой школы"))
    assert model.rowCount() == 0


def test_filter_by_category_of_the_year(qapp: QApplication, demo_db: Database) -> None:
    model = _model(demo_db)
    model.set_query(RegistryQuery(category=Category.NONOBJECTIVE))
    assert sorted(_names(model)) == ["МКОУ «Назиевская СОШ»", "МКОУ «Путиловская ООШ»", "МКОУ «Шумская СОШ»"]
    model.set_query(RegistryQuery(category=Category.LOW_RESULTS))
    assert model.rowCount() == 5
    model.set_query(RegistryQuery(category=Category.UNFAVOURABLE))
    assert model.rowCount() == 0
    model.set_query(RegistryQuery(any_category=True))
    assert model.rowCount() == 5
    # Another year: the demo's categories belong to 2020/2021 only.
    other_year = _model(demo_db, year=DEMO_YEAR + 1)
    other_year.set_query(RegistryQuery(any_category=True))
    assert other_year.rowCount() == 0
    assert other_year.headerData(Column.CATEGORIES, Qt.Orientation.Horizontal) == "Категории 2021/2022"


def test_filter_by_kind(model: RegistryTableModel) -> None:
    model.set_query(RegistryQuery(kind=SchoolKind.OOSH))
    assert _names(model) == ["МКОУ «Путиловская ООШ»"]


def test_archived_schools_are_hidden_or_greyed(qapp: QApplication, demo_db: Database) -> None:
    service = SchoolService(demo_db)
    shum = next(s for s in service.list_schools() if "Шумская" in s.full_name)
    service.archive(shum.id, "Реорганизация")
    model = _model(demo_db)
    assert model.rowCount() == 8
    assert "МКОУ «Шумская СОШ»" not in _names(model)
    assert (model.total_count(), model.archived_count()) == (8, 1)

    model.set_query(RegistryQuery(show_archived=True))
    row = _row_of(model, "Шумская")
    assert model.data(model.index(row, Column.NAME)) == "МКОУ «Шумская СОШ»" + ARCHIVE_MARK
    assert model.data(model.index(row, Column.KIND), Qt.ItemDataRole.FontRole).italic()
    assert model.data(model.index(row, Column.KIND), Qt.ItemDataRole.ForegroundRole) is not None
    assert "Реорганизация" in model.data(model.index(row, Column.NAME), Qt.ItemDataRole.ToolTipRole)
    active = _row_of(model, "Назиевская")
    assert model.data(model.index(active, Column.KIND), Qt.ItemDataRole.FontRole) is None


def test_set_rows_resets_and_index_changes_keep_query(qapp: QApplication, demo_db: Database) -> None:
    model = _model(demo_db)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_query(RegistryQuery(text="шумская"))
    assert resets and model.rowCount() == 1
    # Replacing one school (as the view does after an edit) keeps the query and the sort.
    school = model.school_at(0)
    assert school is not None
    renamed = replace(school, short_name="МКОУ «Шумская СОШ имени героя»")
    model.set_registry(model.registry.with_changes([renamed]), DEMO_YEAR)
    assert _names(model) == ["МКОУ «Шумская СОШ имени героя»"]
    model.set_registry(model.registry.with_changes([], [school.id]), DEMO_YEAR)
    assert model.rowCount() == 0


def test_counts_text_uses_russian_plurals() -> None:
    assert counts_text(9, 9, 0, False) == "Показано 9 из 9 школ"
    assert counts_text(1, 21, 0, False) == "Показано 1 из 21 школы"
    assert counts_text(2, 2, 0, False) == "Показано 2 из 2 школ"
    assert counts_text(3, 8, 1, False) == "Показано 3 из 8 школ; в архиве — 1"
    assert counts_text(9, 8, 1, True) == "Показано 9 из 9 школ"


def test_role_constants_are_qts() -> None:
    """ui.registry.columns writes Qt's roles as ints (importing `Qt` there would slow start-up)."""
    from ui.registry import columns

    assert Qt.ItemDataRole.DisplayRole == columns.DISPLAY_ROLE
    assert Qt.ItemDataRole.ToolTipRole == columns.TOOLTIP_ROLE
    assert Qt.ItemDataRole.FontRole == columns.FONT_ROLE
    assert Qt.ItemDataRole.TextAlignmentRole == columns.TEXT_ALIGNMENT_ROLE
    assert Qt.ItemDataRole.ForegroundRole == columns.FOREGROUND_ROLE
    assert Qt.ItemDataRole.UserRole == columns.USER_ROLE
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert right.value == columns.RIGHT_ALIGNED
