"""The partnership list as an order appendix in Word, from the demo district."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from app.exporting.partnership_docx import export_partnerships_docx
from app.partnerships.service import PartnershipService
from db import Database


def test_the_demo_list_becomes_an_appendix_table(demo_database: Database, tmp_path: Path) -> None:
    groups = PartnershipService(demo_database).list_groups(2020)
    path = export_partnerships_docx(
        groups,
        2020,
        tmp_path / "приложение 4.docx",
        appendix_stamp="Приложение 4\nк распоряжению от 27.08.2020 № 149",
    )
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:2] == ["Приложение 4", "к распоряжению от 27.08.2020 № 149"]
    assert "и образовательных организаций-партнёров на 2020/2021 учебный год" in texts
    table = doc.tables[0]
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == 4
    assert rows[1][:3] == ["2", "МКОУ «Синявинская СОШ»\nМКОУ «Шумская СОШ»", "МБОУ «Шлиссельбургская СОШ»"]
    assert rows[0][3].startswith("Пара\nсоглашение от 01.10.2020")
    assert rows[0][4].startswith("Формирование благоприятной среды")
