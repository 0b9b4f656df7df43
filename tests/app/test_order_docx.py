"""Orders, directives and letters written to .docx and read back with python-docx."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from app.errors import AppError
from app.exporting.order_docx import build_order_docx, clean, qr_png, write_order_docx
from app.orders.document import (
    Appendix,
    Image,
    OrderDocument,
    Paragraph,
    Point,
    Table,
    TableRow,
)

# --- documents like the seeds -----------------------------------------------------------------


def order_004() -> OrderDocument:
    """Приказ № 594 of Прокопьевский округ (seed 004): sub-points under addressees."""
    return OrderDocument(
        kind="order",
        letterhead=[
            "Управление образования",
            "администрации Прокопьевского муниципального округа",
            "(Управление образования)",
        ],
        kind_title="ПРИКАЗ",
        date_text="17.09.2021",
        number="594",
        place="г. Прокопьевск",
        title="Об утверждении плана работы\nпо повышению уровня объективности результатов\n"
        "процедур оценки качества образовательных достижений",
        preamble=[
            "В целях повышения уровня объективности результатов процедур оценки качества "
            "образовательных достижений обучающихся, на основании приказа министерства образования "
            "Кузбасса от 17.09.2021 № 2625 «Об утверждении плана работы…»"
        ],
        directive="ПРИКАЗЫВАЮ:",
        points=[
            Point("1.", "Утвердить план работы (далее – План) согласно приложению к настоящему приказу."),
            Point(
                "2.",
                "",
                addressee="Плаксиной И.Н., главному специалисту МКУ «Организационно-координационный отдел»",
                deadline="до 01.10.2021",
                children=[
                    Point("2.1.", "Разместить План на официальном сайте Управления образования."),
                    Point("2.2.", "Направить План в образовательные учреждения для использования в работе."),
                    Point("2.3.", "Обеспечить исполнение мероприятий Плана."),
                ],
            ),
            Point(
                "3.",
                "",
                addressee="Руководителям образовательных учреждений",
                responsible="руководители ОО",
                deadline="В течение учебного года",
                children=[
                    Point("3.1.", "Довести План до сведения педагогического коллектива."),
                    Point("3.2.", "Обеспечить в рамках своих компетенций исполнение мероприятий Плана."),
                ],
            ),
        ],
        control="Контроль исполнения приказа возложить на Потехину Т.С., заместителя начальника "
        "Управления образования.",
        control_number="4.",
        signer_position="Начальник\nУправления образования",
        signer_name="Е.Г. Титова",
        executor="Исп. Плаксина И.Н., тел. 8 (3846) 62-00-00",
        distribution="в дело, ОО",
        appendices=[
            Appendix(
                number="",
                stamp=["Приложение", "к приказу Управления образования", "от 17.09.2021 № 594"],
                title="План работы\nпо повышению уровня объективности результатов",
                blocks=[
                    Table(
                        header=["Мероприятие", "Ответственный", "Сроки реализации", "Планируемый результат"],
                        rows=[
                            TableRow(["Раздел 1. Мероприятия по обеспечению объективности"], section=True),
                            TableRow(
                                ["Обсуждение результатов", "Управление образования", "Август 2021", "—"]
                            ),
                        ],
                        widths=[4, 2, 1.5, 2.5],
                        centred=[2],
                    )
                ],
                landscape=True,
            )
        ],
    )


def letter_001() -> OrderDocument:
    """Письмо администрации Козельского района (seed 001), with a reply reference."""
    return OrderDocument(
        kind="letter",
        letterhead=[
            "АДМИНИСТРАЦИЯ",
            "МУНИЦИПАЛЬНОГО РАЙОНА",
            "«КОЗЕЛЬСКИЙ РАЙОН»",
            "КАЛУЖСКОЙ ОБЛАСТИ",
            "249722, г. Козельск, ул. Большая Советская, д.53",
        ],
        kind_title="",
        date_text="15.01.2021",
        number="103",
        place="",
        title="О проведении анализа информации",
        preamble=[
            "Администрация муниципального района «Козельский район» сообщает следующее.",
            "Отделом образования проведен анализ выполнения школами всероссийских проверочных работ.",
        ],
        directive="",
        points=[],
        control="",
        control_number="",
        signer_position="Заместитель главы администрации",
        signer_name="И.А. Паршутин",
        executor="Исп. Иванова А.А., тел. 8 (48442) 2-24-26",
        addressee=["Министерство", "образования и науки", "Калужской области"],
        reply_to="на № 07-11/2523-20 от 23.11.2020 г.",
        attachments_note="Приложение: на 3 л. в 1 экз.",
        appendices=[
            Appendix(
                number="",
                stamp=["Приложение", "к письму администрации", "от 15.01.2021 № 103"],
                title="План",
                blocks=[Paragraph("Совещания-собеседования с руководителями.")],
            )
        ],
    )


def plan_rows(count: int) -> list[TableRow]:
    rows: list[TableRow] = []
    for number in range(1, count + 1):
        if number % 25 == 1:
            rows.append(TableRow([f"Раздел {number // 25 + 1}. Организационное обеспечение"], section=True))
        rows.append(
            TableRow(
                [str(number), f"Мероприятие {number}", "Сентябрь 2020 г.", "Труфанова А.А.", "Результат"]
            )
        )
    return rows


def tiny_png(width: int = 4, height: int = 2) -> bytes:
    """A real RGB PNG made by hand (app tests do not load Qt)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def directive_000() -> OrderDocument:
    """Распоряжение № 149 of Кировский район (seed 000) with a long plan and a picture."""
    return OrderDocument(
        kind="directive",
        letterhead=[
            "Администрация",
            "Кировского муниципального района Ленинградской области",
            "КОМИТЕТ ОБРАЗОВАНИЯ",
        ],
        kind_title="РАСПОРЯЖЕНИЕ",
        date_text="27 августа 2020 года",
        number="149",
        place="",
        title="Об утверждении плана мероприятий\nпо оказанию методической помощи школам",
        preamble=["В целях организации деятельности образовательных организаций:"],
        directive="",
        points=[
            Point("1.", "Утвердить план мероприятий согласно Приложению 1."),
            Point("2.", "Назначить ответственной за реализацию плана руководителя ИМС Труфанову А.А."),
        ],
        control="Контроль за исполнением настоящего распоряжения возложить на Куприенко Е.В. – "
        "главного специалиста комитета образования.",
        control_number="3.",
        signer_position="Председатель комитета образования",
        signer_name="Е.А. Краснова",
        distribution="в дело, УУиК, ОО",
        left_margin_mm=30.0,
        font_size=12.0,
        appendices=[
            Appendix(
                number="1",
                stamp=[
                    "Приложение 1",
                    "к распоряжению комитета образования",
                    "администрации Кировского",
                    "муниципального района",
                    "Ленинградской области",
                    "от 27 августа 2020 года № 149",
                ],
                title="План мероприятий\nпо оказанию методической помощи школам",
                blocks=[
                    Table(
                        header=[
                            "№ п/п",
                            "Наименование мероприятия",
                            "Сроки исполнения",
                            "Ответственный исполнитель",
                            "Ожидаемый результат",
                        ],
                        rows=plan_rows(100),
                        widths=[0.6, 4.5, 1.8, 2.4, 2.6],
                        centred=[0, 2],
                    )
                ],
                landscape=True,
            ),
            Appendix(
                number="2",
                stamp=["Приложение 2", "к распоряжению от 27 августа 2020 года № 149"],
                title="Карта школ",
                blocks=[Image(tiny_png(), width_mm=80, caption="Рисунок 1. Школы района")],
            ),
        ],
    )


# --- reading back ------------------------------------------------------------------------------


def body_texts(doc: Any) -> list[str]:
    """Every non-empty text of the body in reading order; a table gives its cells row by row."""
    texts: list[str] = []
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            texts.append(DocxParagraph(element, doc).text)
        elif element.tag == qn("w:tbl"):
            for row in DocxTable(element, doc).rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        texts.append(cell.text)
    return [text for text in texts if text]


def saved(document: OrderDocument, tmp_path: Path, name: str = "приказ.docx") -> Any:
    path = tmp_path / name
    write_order_docx(document, path)
    return Document(str(path))


def mm(length: int) -> float:
    return length / 36000


def paragraph_with(doc: Any, text: str) -> Any:
    return next(p for p in doc.paragraphs if p.text == text)


# --- tests -----------------------------------------------------------------------------------


def test_an_order_reads_in_the_order_of_the_document(tmp_path: Path) -> None:
    document = order_004()
    doc = saved(document, tmp_path)
    texts = body_texts(doc)
    expected = [
        *document.letterhead,
        "ПРИКАЗ",
        "от 17.09.2021\t№ 594",
        "г. Прокопьевск",
        document.title,
        document.preamble[0],
        "ПРИКАЗЫВАЮ:",
        "1. Утвердить план работы (далее – План) согласно приложению к настоящему приказу.",
        "2. Плаксиной И.Н., главному специалисту МКУ «Организационно-координационный отдел»:",
        "2.1. Разместить План на официальном сайте Управления образования.",
        "2.2. Направить План в образовательные учреждения для использования в работе.",
        "2.3. Обеспечить исполнение мероприятий Плана.",
        "Срок: до 01.10.2021",
        "3. Руководителям образовательных учреждений:",
        "3.1. Довести План до сведения педагогического коллектива.",
        "3.2. Обеспечить в рамках своих компетенций исполнение мероприятий Плана.",
        "Ответственный: руководители ОО",
        "Срок: В течение учебного года",
        "4. " + document.control,
        "Начальник\nУправления образования",
        "Е.Г. Титова",
        "Разослано: в дело, ОО",
        document.executor,
        "Приложение",
        "к приказу Управления образования",
        "от 17.09.2021 № 594",
        "План работы\nпо повышению уровня объективности результатов",
        "Мероприятие",
        "Ответственный",
        "Сроки реализации",
        "Планируемый результат",
        "Раздел 1. Мероприятия по обеспечению объективности",
        "Обсуждение результатов",
        "Управление образования",
        "Август 2021",
        "—",
    ]
    assert texts == expected
    # The title is bold and left; the points justified with the 1.25 cm indent.
    title = paragraph_with(doc, document.title)
    assert all(run.bold for run in title.runs)
    assert title.alignment == WD_ALIGN_PARAGRAPH.LEFT
    point = paragraph_with(doc, "2.1. Разместить План на официальном сайте Управления образования.")
    assert point.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert mm(point.paragraph_format.first_line_indent) == pytest.approx(12.5, abs=0.1)
    # Numbers are text, not Word numbering.
    assert not doc.element.body.xpath(".//w:numPr")


def test_page_set_up_follows_the_gost(tmp_path: Path) -> None:
    doc = saved(order_004(), tmp_path)
    assert len(doc.sections) == 2
    first, appendix = doc.sections
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (mm(first.page_width), mm(first.page_height)) == (
        pytest.approx(210, abs=0.5),
        pytest.approx(297, abs=0.5),
    )
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert (mm(appendix.page_width), mm(appendix.page_height)) == (
        pytest.approx(297, abs=0.5),
        pytest.approx(210, abs=0.5),
    )
    for section in doc.sections:
        assert mm(section.top_margin) == pytest.approx(20, abs=0.5)
        assert mm(section.right_margin) == pytest.approx(10, abs=0.5)
        assert mm(section.bottom_margin) == pytest.approx(20, abs=0.5)
        assert mm(section.left_margin) == pytest.approx(20, abs=0.5)


def test_fonts_are_liberation_serif_in_every_slot(tmp_path: Path) -> None:
    doc = saved(order_004(), tmp_path)
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 14
    for rfonts in (
        normal.element.rPr.rFonts,
        doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"),
    ):
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert rfonts.get(qn(slot)) == "Liberation Serif"
        assert rfonts.get(qn("w:asciiTheme")) is None
    # Table cells name the font on each run as well.
    cell_runs = doc.tables[-1].rows[2].cells[0].paragraphs[0].runs
    assert cell_runs[0].font.name == "Liberation Serif"


def test_page_numbers_from_page_two(tmp_path: Path) -> None:
    doc = saved(order_004(), tmp_path)
    first = doc.sections[0]
    assert first.different_first_page_header_footer
    assert "PAGE" in "".join(first.header._element.xpath(".//w:instrText/text()"))
    assert not first.first_page_header._element.xpath(".//w:instrText")
    assert first.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    # The appendix goes on numbering from its first page.
    appendix = doc.sections[1]
    assert not appendix.different_first_page_header_footer
    assert "PAGE" in "".join(appendix.header._element.xpath(".//w:instrText/text()"))
    assert "ПРОЕКТ" not in first.header._element.xml


def test_a_draft_says_so_in_the_top_margin(tmp_path: Path) -> None:
    document = order_004()
    document.draft = True
    document.date_text = document.number = ""
    doc = saved(document, tmp_path)
    for header in (doc.sections[0].first_page_header, doc.sections[0].header, doc.sections[1].header):
        assert header.paragraphs[0].text.endswith("ПРОЕКТ")
    assert doc.sections[0].first_page_header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    date_line = body_texts(doc)[4]
    assert date_line.startswith("от «___»") and date_line.endswith("№ ________")


def test_signature_is_a_borderless_two_column_table(tmp_path: Path) -> None:
    doc = saved(order_004(), tmp_path)
    signature = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Е.Г. Титова")
    position, name = signature.rows[0].cells
    assert position.text == "Начальник\nУправления образования"
    assert name.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    borders = signature._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    assert signature.style is None or signature.style.name != "Table Grid"


def test_appendix_stamp_sits_in_the_top_right(tmp_path: Path) -> None:
    doc = saved(order_004(), tmp_path)
    section = doc.sections[1]
    usable = section.page_width - section.left_margin - section.right_margin
    for line in ("Приложение", "к приказу Управления образования", "от 17.09.2021 № 594"):
        paragraph = paragraph_with(doc, line)
        assert paragraph.paragraph_format.left_indent >= usable * 0.55
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.LEFT
    title = paragraph_with(doc, "План работы\nпо повышению уровня объективности результатов")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.bold for run in title.runs)


def test_a_letter_has_its_head_in_two_columns(tmp_path: Path) -> None:
    document = letter_001()
    doc = saved(document, tmp_path, "письмо.docx")
    head = doc.tables[0]
    left, right = head.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        *document.letterhead,
        "от 15.01.2021 № 103",
        "на № 07-11/2523-20 от 23.11.2020 г.",
    ]
    assert [p.text for p in right.paragraphs] == document.addressee
    texts = body_texts(doc)
    start = texts.index(document.title)
    assert texts[start:] == [
        document.title,
        *document.preamble,
        "Приложение: на 3 л. в 1 экз.",
        "Заместитель главы администрации",
        "И.А. Паршутин",
        document.executor,
        "Приложение",
        "к письму администрации",
        "от 15.01.2021 № 103",
        "План",
        "Совещания-собеседования с руководителями.",
    ]
    assert "ПРИКАЗ" not in texts and not any(t.startswith("Разослано") for t in texts)
    assert len(doc.sections) == 2 and doc.sections[1].orientation == WD_ORIENT.PORTRAIT


def test_a_long_plan_repeats_its_header_and_merges_sections(tmp_path: Path) -> None:
    document = directive_000()
    doc = saved(document, tmp_path, "распоряжение.docx")
    assert len(doc.sections) == 3
    assert [s.orientation for s in doc.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    for section in doc.sections:
        assert mm(section.left_margin) == pytest.approx(30, abs=0.5)
    assert doc.styles["Normal"].font.size.pt == 12

    plan = next(t for t in doc.tables if t.rows[0].cells[0].text == "№ п/п")
    assert len(plan.rows) == 1 + 100 + 4
    assert plan.rows[0]._tr.trPr.xpath("./w:tblHeader")
    assert not plan.rows[1]._tr.xpath("./w:trPr/w:tblHeader")
    sections = [row for row in plan.rows if len({id(c._tc) for c in row.cells}) == 1]
    assert [row.cells[0].text for row in sections] == [
        f"Раздел {n}. Организационное обеспечение" for n in range(1, 5)
    ]
    for row in sections:
        assert row.cells[0]._tc.grid_span == 5
        assert all(run.bold for run in row.cells[0].paragraphs[0].runs)
    last = plan.rows[-1]
    assert [c.text for c in last.cells] == [
        "100",
        "Мероприятие 100",
        "Сентябрь 2020 г.",
        "Труфанова А.А.",
        "Результат",
    ]
    # Centred columns: № and the deadline.
    aligns = [c.paragraphs[0].alignment for c in last.cells]
    assert aligns[0] == aligns[2] == WD_ALIGN_PARAGRAPH.CENTER
    assert aligns[1] != WD_ALIGN_PARAGRAPH.CENTER
    # Relative widths over the landscape line: 297 - 30 - 10 mm.
    grid = [int(col.get(qn("w:w"))) for col in plan._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    total = 0.6 + 4.5 + 1.8 + 2.4 + 2.6
    for twips, weight in zip(grid, [0.6, 4.5, 1.8, 2.4, 2.6], strict=True):
        assert twips / 56.7 == pytest.approx(257 * weight / total, abs=0.5)

    texts = body_texts(doc)
    assert texts[: texts.index("Разослано: в дело, УУиК, ОО") + 1] == [
        *document.letterhead,
        "РАСПОРЯЖЕНИЕ",
        "от 27 августа 2020 года\t№ 149",
        document.title,
        document.preamble[0],
        "1. Утвердить план мероприятий согласно Приложению 1.",
        "2. Назначить ответственной за реализацию плана руководителя ИМС Труфанову А.А.",
        "3. " + document.control,
        "Председатель комитета образования",
        "Е.А. Краснова",
        "Разослано: в дело, УУиК, ОО",
    ]


def test_an_image_keeps_its_width_and_caption(tmp_path: Path) -> None:
    doc = saved(directive_000(), tmp_path, "распоряжение.docx")
    assert len(doc.inline_shapes) == 1
    shape = doc.inline_shapes[0]
    assert mm(shape.width) == pytest.approx(80, abs=0.5)
    assert mm(shape.height) == pytest.approx(40, abs=0.5)  # 4 × 2 pixels
    texts = body_texts(doc)
    assert texts[-2:] == ["Карта школ", "Рисунок 1. Школы района"]


def test_a_broken_picture_does_not_break_the_order(tmp_path: Path) -> None:
    document = directive_000()
    document.appendices[1].blocks = [Image(b"not a png", width_mm=float("inf"), caption="Схема")]
    doc = saved(document, tmp_path, "распоряжение.docx")
    assert body_texts(doc)[-2:] == ["[изображение не удалось прочитать]", "Схема"]


def test_qr_code_goes_to_the_bottom_right_of_page_one(tmp_path: Path) -> None:
    document = order_004()
    document.qr_text = "Приказ от 17.09.2021 № 594 · Управление образования"
    doc = saved(document, tmp_path)
    footer = doc.sections[0].first_page_footer
    assert footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert footer._element.xpath(".//pic:pic")
    assert not doc.inline_shapes  # nothing in the body
    png = qr_png("Приказ № 594")
    assert png is not None and png.startswith(b"\x89PNG")
    # Too long for any QR code: the order is still written, without the code.
    document.qr_text = "я" * 5000
    doc = saved(document, tmp_path, "длинный.docx")
    assert not doc.sections[0].first_page_footer._element.xpath(".//pic:pic")


def test_hostile_text_round_trips(tmp_path: Path) -> None:
    nasty = "Школа <№ 1> & «Родник» \"кавычки\" 'апостроф' — 😀\x00\x07\x1b\ufffe\ud800 конец"
    document = order_004()
    document.title = nasty
    document.points[0].text = "строка 1\nстрока 2\r\nстрока 3\tтаб\x0cлист"
    document.signer_name = "\x01Е.Г. Титова\x1f"
    table = document.appendices[0].blocks[0]
    assert isinstance(table, Table)
    table.rows.append(TableRow([nasty, "лишняя", "ячейка", "сверх", "заголовка", "ещё"]))
    table.rows.append(TableRow(["одна"]))
    table.widths = [1, -2, float("nan")]  # broken: bad and missing widths count 1
    doc = saved(document, tmp_path)
    texts = body_texts(doc)
    expected_title = "Школа <№ 1> & «Родник» \"кавычки\" 'апостроф' — 😀 конец"
    assert expected_title in texts
    assert "1. строка 1\nстрока 2\nстрока 3\tтаблист" in texts
    assert "Е.Г. Титова" in texts
    last_rows = doc.tables[-1].rows[-2:]
    assert [c.text for c in last_rows[0].cells] == [
        expected_title,
        "лишняя",
        "ячейка",
        "сверх\nзаголовка\nещё",
    ]
    assert [c.text for c in last_rows[1].cells] == ["одна", "", "", ""]
    assert clean("a\x00b\rc") == "ab\nc"


def test_refuses_a_wrong_extension(tmp_path: Path) -> None:
    with pytest.raises(AppError, match=r"расширением \.docx"):
        write_order_docx(order_004(), tmp_path / "приказ.pdf")
    assert not list(tmp_path.iterdir())


def test_build_returns_a_document_without_touching_disk() -> None:
    doc = build_order_docx(letter_001())
    assert doc.sections[0].different_first_page_header_footer
    assert body_texts(doc)[0].split("\n")[0] == "АДМИНИСТРАЦИЯ"


def test_an_empty_draft_still_makes_a_file(tmp_path: Path) -> None:
    document = OrderDocument(
        kind="order",
        letterhead=[],
        kind_title="",
        date_text="",
        number="",
        place="",
        title="",
        preamble=[],
        directive="",
        points=[],
        control="",
        control_number="",
        signer_position="",
        signer_name="",
        draft=True,
        appendices=[Appendix(number="", stamp=[], title="", blocks=[Table(header=[], rows=[], widths=[])])],
    )
    doc = saved(document, tmp_path)
    assert body_texts(doc) == ["от «___» ____________ 20___ г.\t№ ________"]
    assert len(doc.sections) == 2
    assert not doc.tables
