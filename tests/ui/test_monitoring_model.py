"""The monitoring matrix model without widgets: texts, completeness colours, filters."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app.monitoring.service import Campaign, Criterion, Matrix
from ui.monitoring.matrix_model import (
    EMPTY_REQUIRED,
    FRACTION_ROLE,
    GREEN,
    RED,
    YELLOW,
    MatrixModel,
    completeness_colour,
    top_groups,
)


def criterion(
    cid: int, number: str, kind: str, parent: int | None = None, required: bool = True
) -> Criterion:
    return Criterion(
        id=cid,
        template_id=1,
        parent_id=parent,
        position=cid,
        number=number,
        title=f"Пункт {number}",
        value_type=kind,
        required=required,
        points=None,
        choices=(),
        hint="",
    )


TREE = [
    criterion(1, "1", "document"),
    criterion(2, "2", "group"),
    criterion(3, "2.1", "number", parent=2),
    criterion(4, "2.2", "group", parent=2),
    criterion(5, "2.2.1", "percent", parent=4),
    criterion(6, "3", "date", required=False),
]
LEAVES = [c for c in TREE if not c.is_group]
CAMPAIGN = Campaign(1, 1, "Шаблон", "Итоговый мониторинг", 2020, None, None, None, "open", (10, 20, 30))


def make_model() -> MatrixModel:
    matrix = Matrix(
        CAMPAIGN,
        [(10, "МКОУ «Шумская СОШ»"), (20, "МБОУ «Ёлкинская СОШ»"), (30, "МКОУ «Назиевская СОШ»")],
        LEAVES,
        {
            (10, 1): "№ 5 от 01.09.2020",
            (10, 3): "12",
            (10, 5): "55,5",
            (10, 6): date(2020, 10, 1).isoformat(),
            (20, 3): "7",
        },
    )
    model = MatrixModel()
    model.set_matrix(matrix, TREE)
    return model


def row_texts(model: MatrixModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_cells_show_display_values_and_completeness() -> None:
    model = make_model()
    assert model.rowCount() == 3
    assert model.columnCount() == MatrixModel.FIRST_CRITERION + 4
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Школа", "Заполнено", "1", "2.1", "2.2.1", "3"]
    assert model.headerData(4, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "2.2.1 Пункт 2.2.1"
    assert "необязательный" in model.headerData(5, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert row_texts(model, MatrixModel.COMPLETE) == ["3 из 3", "1 из 3", "0 из 3"]
    assert [model.index(0, c).data() for c in range(2, 6)] == [
        "№ 5 от 01.09.2020",
        "12",
        "55,5 %",
        "01.10.2020",
    ]
    assert model.counts_text() == "3 школы, заполнили полностью 1"


def test_completeness_colours_and_empty_required_cells() -> None:
    assert completeness_colour(0.0) == RED and completeness_colour(0.49) == RED
    assert completeness_colour(0.5) == YELLOW and completeness_colour(0.99) == YELLOW
    assert completeness_colour(1.0) == GREEN
    model = make_model()
    colours = [
        model.index(row, MatrixModel.COMPLETE).data(Qt.ItemDataRole.BackgroundRole).color()
        for row in range(3)
    ]
    assert colours == [GREEN, RED, RED]
    assert model.index(1, MatrixModel.COMPLETE).data(FRACTION_ROLE) == 1 / 3
    # Row 2 (Ёлкинская): document (required) empty → tinted; date (optional) empty → not tinted.
    assert model.index(1, 2).data(Qt.ItemDataRole.BackgroundRole).color() == EMPTY_REQUIRED
    assert model.index(1, 3).data(Qt.ItemDataRole.BackgroundRole) is None  # filled
    assert model.index(1, 5).data(Qt.ItemDataRole.BackgroundRole) is None  # optional


def test_search_folds_case_and_yo() -> None:
    model = make_model()
    model.set_filters(search="ЕЛКИН")
    assert row_texts(model, MatrixModel.SCHOOL) == ["МБОУ «Ёлкинская СОШ»"]
    assert model.school_at(0) == (20, "МБОУ «Ёлкинская СОШ»")
    assert model.counts_text() == "Показано 1 из 3 школы, заполнили полностью 1"
    model.set_filters(search="")
    assert model.rowCount() == 3


def test_only_unfilled_and_the_group_filter() -> None:
    model = make_model()
    model.set_filters(only_unfilled=True)
    assert row_texts(model, MatrixModel.SCHOOL) == ["МБОУ «Ёлкинская СОШ»", "МКОУ «Назиевская СОШ»"]
    assert model.row_of(10) is None and model.row_of(30) == 1
    model.set_filters(only_unfilled=False, group_id=2)  # «2» and everything below it
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Школа", "Заполнено", "2.1", "2.2.1"]
    assert model.criterion_at(3).id == 5
    assert model.index(0, 3).data() == "55,5 %"
    model.set_filters(group_id=None)
    assert model.columnCount() == 6


def test_top_groups_and_an_empty_model() -> None:
    assert top_groups(TREE) == {1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 6}
    model = MatrixModel()
    model.set_matrix(None)
    assert (model.rowCount(), model.columnCount(), model.counts_text()) == (0, 0, "")
