"""Partnership lists loaded into the demo district: matching, confirmation, one undo step."""

from __future__ import annotations

from app import history
from app.partnerships.importer import apply_partnership_import, group_rows, preview_partnership_import
from app.partnerships.model import MemberRole
from app.partnerships.parse import parse_text
from app.partnerships.service import PartnershipService
from db import Database

LIST = """Перечень групп школ:
МБОУ «Отраденская СОШ №3» - МКОУ «Отраденская СОШ №2»
МКОУ «Синявинская СОШ»-МКОУ «Шумская СОШ» - МБОУ «Нлиссельбургская СОШ»
МКОУ «Мгинская СОШ» - МБОУ «Кировская СОШ №2»
"""


def test_confident_groups_load_and_an_unknown_school_waits_for_the_user(demo_database: Database) -> None:
    preview = preview_partnership_import(demo_database, parse_text(LIST, "список.txt"), 2021)
    assert [g.ready for g in preview.groups] == [True, True, False]
    assert preview.doubtful == ["строка 4: «МКОУ «Мгинская СОШ»» не найдена в реестре"]
    rows = group_rows(preview)
    assert rows[0]["school"] == "МБОУ «Отрадненская СОШ №3»" and rows[0]["confident"]
    assert rows[4]["school"] == "МБОУ «Шлиссельбургская СОШ»"
    assert "готово к загрузке: 2; ждут подтверждения названий: 1" in preview.summary()

    ids, change = apply_partnership_import(demo_database, preview)
    service = PartnershipService(demo_database)
    groups = service.list_groups(2021)
    assert [g.id for g in groups] == ids
    assert [[m.role for m in g.members] for g in groups] == [
        [MemberRole.TARGET, MemberRole.PARTNER],
        [MemberRole.TARGET, MemberRole.PARTNER, MemberRole.PARTNER],
    ]
    history.undo(demo_database, change)
    assert service.list_groups(2021) == []


def test_the_user_confirms_a_school_for_an_unknown_name(demo_database: Database) -> None:
    preview = preview_partnership_import(demo_database, parse_text(LIST, "список.txt"), 2021)
    putilovo = next(sid for sid, name in preview.names.items() if name == "МКОУ «Путиловская ООШ»")
    preview.confirm(2, 0, putilovo)
    assert preview.groups[2].ready and preview.doubtful == []
    ids, _ = apply_partnership_import(demo_database, preview)
    assert len(ids) == 3
    last = PartnershipService(demo_database).get(ids[-1])
    assert [m.name for m in last.members] == ["МКОУ «Путиловская ООШ»", "МБОУ «Кировская СОШ №2»"]


def test_schools_already_partnered_that_year_are_pointed_out(demo_database: Database) -> None:
    other = "МБОУ «Отраденская СОШ №3» - МКОУ «Приладожская СОШ»\n"
    preview = preview_partnership_import(demo_database, parse_text(other, "список.txt"), 2020)
    messages = [i.message for i in preview.issues]
    assert any(
        m.startswith("МБОУ «Отрадненская СОШ №3» уже входит в другое партнёрство 2020/2021") for m in messages
    )
    assert preview.groups[0].load and preview.groups[0].ready


def test_a_list_loaded_twice_is_not_loaded_again(demo_database: Database) -> None:
    preview = preview_partnership_import(demo_database, parse_text(LIST, "список.txt"), 2020)
    # The first two groups are seed 000's own, already in the demo district for 2020/2021.
    assert [g.load for g in preview.groups] == [False, False, True]
    assert (
        sum("такое партнёрство на 2020/2021 учебный год уже есть" in i.message for i in preview.issues) == 2
    )
    assert "уже есть в базе: 2" in preview.summary()
    assert apply_partnership_import(demo_database, preview)[0] == []  # the third still waits for a name
