"""Undo and redo of recorded changes (db/changes.py through app/history.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.domain import Category, CategorySource
from app.errors import ConflictError
from app.history import redo, undo
from app.schools import SchoolService
from db import Database
from db.changes import ChangeRecorder

SHUM = "Муниципальное казённое общеобразовательное учреждение «Шумская средняя общеобразовательная школа»"
NAZIA = "Муниципальное казённое общеобразовательное учреждение «Назиевская средняя общеобразовательная школа»"


def row(database: Database, table: str, row_id: int) -> dict[str, Any] | None:
    rows = database.query(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    return dict(rows[0]) if rows else None


def snapshot(database: Database) -> dict[str, list[dict[str, Any]]]:
    return {
        table: [dict(r) for r in database.query(f"SELECT * FROM {table} ORDER BY id")]
        for table in ("schools", "school_categories", "office", "people")
    }


def test_recorder_records_create_update_delete(database: Database) -> None:
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, "проба")
        person = recorder.insert("people", {"full_name": "Труфанова А.А.", "position": "руководитель ИМС"})
        assert recorder.update("people", person, {"position": "руководитель МИМС"}) is True
        assert recorder.update("people", person, {"position": "руководитель МИМС"}) is False  # no change
        recorder.delete("people", person)
    changes = recorder.changeset.changes
    assert [(c.before is None, c.after is None) for c in changes] == [
        (True, False),
        (False, False),
        (False, True),
    ]
    assert changes[0].after is not None and changes[0].after["position"] == "руководитель ИМС"
    assert changes[1].before == changes[0].after
    assert changes[1].after is not None and changes[1].after["position"] == "руководитель МИМС"
    assert changes[2].before == changes[1].after
    assert row(database, "people", person) is None


def test_undo_and_redo_of_create(database: Database) -> None:
    service = SchoolService(database)
    school_id, changeset = service.create({"full_name": SHUM, "students": "312"})
    created = row(database, "schools", school_id)
    assert created is not None and created["students"] == 312

    undo(database, changeset)
    assert row(database, "schools", school_id) is None
    redo(database, changeset)
    assert row(database, "schools", school_id) == created


def test_undo_and_redo_of_update_restore_exactly(database: Database) -> None:
    service = SchoolService(database)
    school_id, _ = service.create({"full_name": SHUM, "students": 300, "director": "Иванова И.И."})
    database.connection().execute(
        "UPDATE schools SET updated_at = '2020-01-01T00:00:00' WHERE id = ?", (school_id,)
    )
    before = row(database, "schools", school_id)

    changeset = service.update(school_id, {"students": "1 200", "director": "Петрова П.П."})
    after = row(database, "schools", school_id)
    assert after is not None and after["students"] == 1200 and after["director"] == "Петрова П.П."
    assert after["updated_at"] != "2020-01-01T00:00:00"

    undo(database, changeset)
    assert row(database, "schools", school_id) == before  # updated_at included
    redo(database, changeset)
    assert row(database, "schools", school_id) == after
    undo(database, changeset)
    assert row(database, "schools", school_id) == before


def test_undo_and_redo_of_delete(database: Database) -> None:
    service = SchoolService(database)
    school_id, _ = service.create({"full_name": SHUM})
    service.set_category(school_id, 2020, Category.LOW_RESULTS, reason="по итогам ВПР")
    category = service.categories(school_id)[0]
    stored = row(database, "school_categories", category.id)

    changeset = service.remove_category(category.id)
    assert service.categories(school_id) == []
    undo(database, changeset)
    assert row(database, "school_categories", category.id) == stored
    redo(database, changeset)
    assert service.categories(school_id) == []


def test_undo_after_someone_else_changed_the_row_is_refused(database: Database, db_path: Path) -> None:
    service = SchoolService(database)
    school_id, _ = service.create({"full_name": SHUM, "students": 300})
    changeset = service.update(school_id, {"students": 310})

    # Another user (another connection to the same file) edits the same school.
    colleague = Database(db_path)
    SchoolService(colleague).update(school_id, {"director": "Сидорова С.С."})
    colleague.close()
    state = snapshot(database)

    with pytest.raises(ConflictError) as caught:
        undo(database, changeset)
    assert "Нельзя отменить" in caught.value.message
    assert "не тронуты" in caught.value.message
    assert snapshot(database) == state


def test_conflict_in_a_multi_row_change_rolls_back_the_rows_already_undone(database: Database) -> None:
    service = SchoolService(database)
    first, _ = service.create({"full_name": SHUM, "students": 100})
    second, _ = service.create({"full_name": NAZIA, "students": 200})
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, "Пакетное изменение численности")
        recorder.update("schools", first, {"students": 101})
        recorder.update("schools", second, {"students": 201})
    changeset = recorder.changeset

    # The first row is undone last, so the second row has already been put back when the
    # conflict is found: the whole undo must roll back.
    service.update(first, {"students": 150})
    state = snapshot(database)
    with pytest.raises(ConflictError):
        undo(database, changeset)
    assert snapshot(database) == state
    assert service.get(second).students == 201


def test_redo_after_someone_else_changed_the_row_is_refused(database: Database) -> None:
    service = SchoolService(database)
    school_id, _ = service.create({"full_name": SHUM, "students": 300})
    changeset = service.update(school_id, {"students": 310})
    undo(database, changeset)
    service.update(school_id, {"students": 305})
    state = snapshot(database)
    with pytest.raises(ConflictError) as caught:
        redo(database, changeset)
    assert "Нельзя повторить" in caught.value.message
    assert snapshot(database) == state


def test_undo_of_a_created_row_refused_after_it_was_edited(database: Database) -> None:
    service = SchoolService(database)
    school_id, created = service.create({"full_name": SHUM})
    service.update(school_id, {"students": 50})
    with pytest.raises(ConflictError):
        undo(database, created)
    assert service.get(school_id).students == 50


def test_undo_of_category_set_twice(database: Database) -> None:
    service = SchoolService(database)
    school_id, _ = service.create({"full_name": SHUM})
    service.set_category(school_id, 2020, Category.NONOBJECTIVE, reason="первая причина")
    second = service.set_category(
        school_id,
        2020,
        Category.NONOBJECTIVE,
        reason="вторая причина",
        source=CategorySource.ORDER,
        document_ref="распоряжение № 149 от 27.08.2020",
    )
    undo(database, second)
    [category] = service.categories(school_id)
    assert (category.reason, category.source, category.document_ref) == (
        "первая причина",
        CategorySource.MANUAL,
        "",
    )


def test_insert_many_is_undone_and_redone(database: Database) -> None:
    service = SchoolService(database)
    existing, _ = service.create({"full_name": SHUM})
    with database.atomic() as conn:
        recorder = ChangeRecorder(conn, "Загрузка из Excel")
        new_ids = recorder.insert_many(
            "schools",
            [
                {"full_name": NAZIA, "short_name": "МКОУ «Назиевская СОШ»", "students": 420},
                {"full_name": "МКОУ «Путиловская ООШ»", "short_name": "", "students": None},
            ],
        )
    assert len(new_ids) == 2 and existing not in new_ids
    assert [s.full_name for s in service.list_schools()][1:] == [NAZIA, "МКОУ «Путиловская ООШ»"]
    assert recorder.insert_many("schools", []) == []

    undo(database, recorder.changeset)
    assert [s.id for s in service.list_schools()] == [existing]
    redo(database, recorder.changeset)
    assert sorted(s.id for s in service.list_schools()) == sorted([existing, *new_ids])
    assert service.get(new_ids[0]).students == 420

    # A later edit of one of the imported schools blocks undoing the whole import.
    service.update(new_ids[1], {"students": 118})
    state = snapshot(database)
    with pytest.raises(ConflictError):
        undo(database, recorder.changeset)
    assert snapshot(database) == state
