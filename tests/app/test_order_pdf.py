"""The PDF writer of orders (app/exporting/order_pdf.py), checked with pypdf on small documents
built by hand after the seeds: a приказ (004), a letter (001), a распоряжение with a plan (000)."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.errors import AppError
from app.exporting.order_pdf import render_order_pdf, write_order_pdf
from app.orders.document import (
    Appendix,
    Image,
    OrderDocument,
    Paragraph,
    Point,
    Table,
    TableRow,
)

MM = 72 / 25.4

# --- documents after the seeds ------------------------------------------------------------
PREAMBLE_004 = (
    "В целях повышения уровня объективности результатов процедур оценки качества образовательных "
    "достижений обучающихся и всероссийской олимпиады школьников, на основании приказа министерства "
    "образования Кузбасса от 17.09.2021 № 2625 «Об утверждении плана работы министерства образования "
    "Кузбасса по повышению уровня объективности результатов процедур оценки качества образовательных "
    "достижений обучающихся и всероссийской олимпиады школьников на 2021-2022 учебный год и ближайшую "
    "перспективу приказываю:"
)
TITLE_004 = (
    "Об утверждении плана работы\nпо повышению уровня объективности результатов\nпроцедур оценки "
    "качества образовательных достижений\nобучающихся и всероссийской олимпиады школьников\n"
    "на 2021-2022 учебный год"
)
POINTS_004 = [
    Point(
        "1.",
        "Утвердить план работы по повышению уровня объективности результатов процедур оценки качества "
        "образовательных достижений обучающихся и всероссийской олимпиады школьников на 2021-2022 "
        "учебный год (далее – План) согласно приложению к настоящему приказу.",
    ),
    Point(
        "2.",
        "",
        addressee="Плаксиной И.Н., главному специалисту МКУ «Организационно-координационный отдел "
        "управления образования»",
        children=[
            Point("2.1.", "Разместить План на официальном сайте Управления образования."),
            Point("2.2.", "Направить План в образовательные учреждения для использования в работе."),
            Point("2.3.", "Обеспечить исполнение мероприятий Плана.", deadline="в течение учебного года"),
        ],
    ),
    Point(
        "3.",
        "",
        addressee="Руководителям образовательных учреждений",
        children=[
            Point("3.1.", "Довести План до сведения педагогического коллектива."),
            Point(
                "3.2.",
                "Обеспечить в рамках своих компетенций исполнение мероприятий Плана.",
                responsible="руководители ОО",
            ),
        ],
    ),
]
CONTROL_004 = (
    "Контроль исполнения приказа возложить на Потехину Т.С., заместителя начальника Управления образования."
)
MEASURES = [
    "Обсуждение результатов оценочных процедур (ВПР, ОГЭ, ЕГЭ и др.) на районном августовском совещании "
    "педагогических работников",
    "Анализ результатов федеральных и региональных процедур оценки образовательных достижений школьников "
    "Прокопьевского муниципального округа за 2020, 2021 годы",
    "Выявление и распространение положительного опыта школьных практик по результатам оценочных процедур",
]
STAMP_000 = [
    "Приложение 1",
    "к распоряжению комитета образования",
    "администрации Кировского",
    "муниципального района",
    "Ленинградской области",
    "от 27 августа 2020 года № 149",
]
HEAD_000 = [
    "№ п/п",
    "Наименование мероприятия (краткое содержание)",
    "Сроки исполнения",
    "Ответственный исполнитель",
    "Ожидаемый результат",
]


def order_004(**changes: object) -> OrderDocument:
    values: dict[str, object] = dict(
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
        title=TITLE_004,
        preamble=[PREAMBLE_004],
        directive="",
        points=POINTS_004,
        control=CONTROL_004,
        control_number="4.",
        signer_position="Начальник\nУправления образования",
        signer_name="Е.Г. Титова",
        executor="Исп. Плаксина И.Н., тел. 8 (38466) 2-11-11",
        distribution="в дело, ОО",
        appendices=[
            Appendix(
                "",
                ["Приложение", "к приказу Управления образования", "от 17.09.2021 № 594"],
                "План работы\nУправления образования администрации Прокопьевского муниципального округа",
                [
                    Table(
                        ["Мероприятие", "Ответственный", "Сроки реализации", "Планируемый результат"],
                        [TableRow(["Раздел 1. Мероприятия по обеспечению объективности"], section=True)]
                        + [TableRow([m, "Управление образования", "Сентябрь 2021", ""]) for m in MEASURES],
                        [5, 2.5, 2, 3.5],
                    )
                ],
            )
        ],
    )
    values.update(changes)
    return OrderDocument(**values)  # type: ignore[arg-type]


def letter_001(**changes: object) -> OrderDocument:
    values: dict[str, object] = dict(
        kind="letter",
        letterhead=[
            "АДМИНИСТРАЦИЯ",
            "МУНИЦИПАЛЬНОГО РАЙОНА",
            '"КОЗЕЛЬСКИЙ РАЙОН"',
            "КАЛУЖСКОЙ ОБЛАСТИ",
            "249722, г. Козельск, ул. Большая Советская, д.53",
            "тел.: 8 48442 2-24-26, факс: 8 4842 531-931",
            "e-mail: akozelsk@adm.kaluga.ru",
        ],
        kind_title="",
        date_text="15.01.2021",
        number="103",
        place="",
        title="",
        preamble=[
            "Администрация муниципального района «Козельский район» о проведении анализа информации о "
            "включении муниципальных общеобразовательных организаций в список школ с признаками "
            "необъективности результатов всероссийских проверочных работ и список школ, имеющих низкие "
            "образовательные результаты, сообщает следующее.",
            "На основании проведенного анализа разработан план по повышению объективности и качества "
            "образования в муниципальных общеобразовательных организациях, демонстрирующих низкие "
            "образовательные результаты и школ, работающих в неблагоприятных социальных условиях.",
        ],
        directive="",
        points=[],
        control="",
        control_number="",
        signer_position="Заместитель главы администрации",
        signer_name="И.А. Паршутин",
        addressee=["Министерство", "образования и науки", "Калужской области"],
        reply_to="на № 07-11/2523-20 от 23.11.2020 г.",
        attachments_note="Приложение: на 3 л. в 1 экз.",
    )
    values.update(changes)
    return OrderDocument(**values)  # type: ignore[arg-type]


def plan_rows(count: int) -> list[TableRow]:
    rows: list[TableRow] = []
    for n in range(1, count + 1):
        if n % 25 == 1:
            rows.append(
                TableRow([f"Раздел {n // 25 + 1}. Организационное обеспечение поддержки школ"], section=True)
            )
        rows.append(
            TableRow(
                [
                    str(n),
                    MEASURES[n % len(MEASURES)],
                    "Сентябрь 2020 г.- апрель 2021 г.",
                    "Труфанова А.А. Руководители РМО",
                    "Выявление проблемных зон. Формирование муниципальной базы данных оценки качества образования",
                ]
            )
        )
    return rows


def png(width: int, height: int) -> bytes:
    """A minimal RGB PNG, grey, made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def directive_000(rows: int = 100, **changes: object) -> OrderDocument:
    values: dict[str, object] = dict(
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
        preamble=[
            "В целях организации деятельности образовательных организаций Кировского муниципального района "
            "Ленинградской области:"
        ],
        directive="",
        points=[
            Point("1.", "Утвердить план мероприятий согласно Приложению 1."),
            Point("2.", "Утвердить карту сетевого партнёрства согласно Приложению 2."),
        ],
        control="Контроль за исполнением настоящего распоряжения возложить на Куприенко Е.В. – главного "
        "специалиста комитета образования.",
        control_number="3.",
        signer_position="Председатель комитета образования",
        signer_name="Е.А. Краснова",
        distribution="в дело, УУиК, ОО",
        appendices=[
            Appendix(
                "1",
                STAMP_000,
                "План мероприятий\nпо оказанию методической помощи школам\nна 2020-2021 учебный год",
                [Table(HEAD_000, plan_rows(rows), [0.6, 4.5, 1.8, 2.4, 2.6], centred=[0, 2])],
                landscape=True,
            ),
            Appendix(
                "2",
                ["Приложение 2", "к распоряжению комитета образования", "от 27 августа 2020 года № 149"],
                "Карта сетевого партнёрства",
                [
                    Paragraph("Пары школ показаны на карте района."),
                    Image(png(40, 20), 120, caption="Рисунок 1. Сетевое партнёрство школ"),
                ],
            ),
        ],
        qr_text="Распоряжение № 149 от 27.08.2020",
    )
    values.update(changes)
    return OrderDocument(**values)  # type: ignore[arg-type]


# --- reading the PDF ----------------------------------------------------------------------
def normalise(text: str) -> str:
    """Extracted or source text in one comparable form: soft hyphens and words hyphenated at a
    line end joined, whitespace (no-break spaces included) collapsed."""
    text = text.replace("\u00ad", "")
    text = re.sub(r"(\w)-\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def assert_in_order(text: str, parts: list[str]) -> None:
    position = 0
    for part in parts:
        found = text.find(normalise(part), position)
        assert found >= 0, f"not found after {position}: {part[:80]!r}"
        position = found + len(normalise(part))


def point_texts(points: list[Point]) -> list[str]:
    """The lines a point prints: «N. Addressee: text», «Ответственный: …», «Срок: …», sub-points."""
    parts: list[str] = []
    for point in points:
        head = f"{point.addressee}:" if point.addressee else ""
        parts.append(" ".join(part for part in (point.number, head, point.text) if part))
        if point.responsible:
            parts.append(f"Ответственный: {point.responsible}")
        if point.deadline:
            parts.append(f"Срок: {point.deadline}")
        parts += point_texts(point.children)
    return parts


@pytest.fixture(scope="module")
def order_pdf() -> bytes:
    return render_order_pdf(order_004())


@pytest.fixture(scope="module")
def directive_pdf() -> bytes:
    return render_order_pdf(directive_000())


# --- the tests ----------------------------------------------------------------------------
def test_order_text_is_kept_word_for_word_and_in_order(order_pdf: bytes) -> None:
    text = normalise("\n".join(pages_text(order_pdf)))
    assert_in_order(
        text,
        [
            "Управление образования",
            "администрации Прокопьевского муниципального округа",
            "ПРИКАЗ",
            "17.09.2021",
            "№ 594",
            "г. Прокопьевск",
            TITLE_004,
            PREAMBLE_004,
            *point_texts(POINTS_004),
            f"4. {CONTROL_004}",
            "Начальник Управления образования",
            "Е.Г. Титова",
            "Разослано: в дело, ОО",
            "Исп. Плаксина И.Н.",
            "Приложение к приказу Управления образования от 17.09.2021 № 594",
            "План работы",
            "Мероприятие Ответственный Сроки реализации Планируемый результат",
            "Раздел 1. Мероприятия по обеспечению объективности",
            *MEASURES,
        ],
    )


def test_page_numbers_start_on_page_two(order_pdf: bytes, directive_pdf: bytes) -> None:
    for data in (order_pdf, directive_pdf):
        texts = pages_text(data)
        assert len(texts) >= 2
        assert not texts[0].lstrip()[0].isdigit()  # page 1 begins with the letterhead
        for number, text in enumerate(texts[1:], start=2):  # the appendices continue the numbering
            assert text.split()[0] == str(number)


def test_signature_name_on_the_baseline_of_the_position_and_executor_at_the_bottom(order_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(order_pdf))
    found: dict[str, tuple[float, float]] = {}
    for index, page in enumerate(reader.pages):

        def visit(
            text: str, cm: list[float], tm: list[float], font: object, size: object, index: int = index
        ) -> None:
            for key in ("Управления образования", "Е.Г. Титова", "Исп. Плаксина"):
                if text.strip().startswith(key) and key not in found:
                    found[key] = (index, tm[5] * cm[3] + cm[5])

        page.extract_text(visitor_text=visit)
    assert found["Е.Г. Титова"][0] == found["Управления образования"][0]
    assert found["Е.Г. Титова"][1] == pytest.approx(found["Управления образования"][1], abs=1)
    page, y = found["Исп. Плаксина"]
    assert page == found["Е.Г. Титова"][0]  # the last page of the order's body, not an appendix
    assert 20 * MM <= y <= 30 * MM


def test_letter_layout_and_text() -> None:
    data = render_order_pdf(letter_001())
    texts = pages_text(data)
    assert len(texts) == 1
    text = normalise(texts[0])
    assert "ПРИКАЗ" not in text
    for line in (
        "Министерство",
        "образования и науки",
        "Калужской области",
        "e-mail: akozelsk@adm.kaluga.ru",
    ):
        assert line in text
    assert_in_order(
        text,
        [
            "от 15.01.2021 № 103",
            "на № 07-11/2523-20 от 23.11.2020 г.",
            *letter_001().preamble,
            "Приложение: на 3 л. в 1 экз.",
            "Заместитель главы администрации",
            "И.А. Паршутин",
        ],
    )


def test_blank_date_and_number_leave_lines_to_fill_by_hand() -> None:
    text = pages_text(render_order_pdf(order_004(date_text="", number="", appendices=[])))[0]
    assert "__________" in text and re.search(r"№\s*__________", text)


def test_directive_appendices_landscape_stamp_and_repeated_header(directive_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(directive_pdf))
    texts = [normalise(page.extract_text()) for page in reader.pages]
    assert len(texts) >= 6  # page 1, the plan of 100 rows over several pages, the map
    assert float(reader.pages[0].mediabox.width) < float(reader.pages[0].mediabox.height)
    first = next(i for i, t in enumerate(texts) if "План мероприятий по оказанию методической помощи" in t)
    assert first >= 1
    assert_in_order(texts[first], [" ".join(STAMP_000), "План мероприятий", *HEAD_000])
    plan_pages = [i for i, t in enumerate(texts) if "Сентябрь 2020 г.- апрель 2021 г." in t]
    assert len(plan_pages) >= 3
    for index in plan_pages:
        page = reader.pages[index]
        assert float(page.mediabox.width) > float(page.mediabox.height)
        assert_in_order(texts[index], HEAD_000)  # the header row on every page of the table
    assert "Раздел 4. Организационное обеспечение поддержки школ" in " ".join(texts)
    last = texts[-1]
    assert "Приложение 2" in last and "Рисунок 1. Сетевое партнёрство школ" in last
    assert float(reader.pages[-1].mediabox.width) < float(reader.pages[-1].mediabox.height)


def test_image_keeps_its_proportions(directive_pdf: bytes) -> None:
    page = PdfReader(io.BytesIO(directive_pdf)).pages[-1]
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    pictures = [x for x in images if x["/Subtype"] == "/Image"]
    assert len(pictures) == 1 and (pictures[0]["/Width"], pictures[0]["/Height"]) == (40, 20)
    content = page.get_contents().get_data().decode("latin-1")
    # the picture is placed by «w 0 0 h x y cm»: 120 mm wide, half as high
    sizes = re.findall(r"([\d.]+) 0 0 ([\d.]+) [\d.]+ [\d.]+ cm\s*/FormXob", content)
    assert any(abs(float(w) - 120 * MM) < 1 and abs(float(h) - 60 * MM) < 1 for w, h in sizes)


def test_fonts_are_liberation_serif_embedded(directive_pdf: bytes, order_pdf: bytes) -> None:
    for data in (directive_pdf, order_pdf, render_order_pdf(letter_001())):
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                assert "LiberationSerif" in str(font["/BaseFont"])
                if "/DescendantFonts" in font:
                    font = font["/DescendantFonts"][0].get_object()
                assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_qr_code_only_when_asked(directive_pdf: bytes, order_pdf: bytes) -> None:
    def qr_forms(data: bytes) -> list[list[str]]:
        pages = PdfReader(io.BytesIO(data)).pages
        return [[name for name in page["/Resources"].get("/XObject", {}) if "QR" in name] for page in pages]

    with_code = qr_forms(directive_pdf)
    assert with_code[0]  # page 1 carries the code
    content = PdfReader(io.BytesIO(directive_pdf)).pages[0].get_contents().get_data().decode("latin-1")
    assert "/FormXob.QR Do" in content
    assert not any(qr_forms(order_pdf))
    later = PdfReader(io.BytesIO(directive_pdf)).pages[1].get_contents().get_data().decode("latin-1")
    assert "FormXob.QR" not in later


def test_draft_is_marked_on_every_page() -> None:
    texts = pages_text(render_order_pdf(order_004(draft=True)))
    assert len(texts) >= 2 and all("ПРОЕКТ" in text for text in texts)
    assert not any("ПРОЕКТ" in text for text in pages_text(render_order_pdf(order_004(appendices=[]))))


def test_metadata() -> None:
    reader = PdfReader(io.BytesIO(render_order_pdf(order_004(appendices=[]))))
    meta = reader.metadata
    assert meta.title == " ".join(TITLE_004.split())
    assert meta.author == "Управление образования"
    assert meta.creator == "Опора"
    assert "594" in (meta.subject or "")
    assert reader.trailer["/Root"]["/Lang"] == "ru-RU"


def test_long_table_and_a_cell_of_20000_characters() -> None:
    huge = ("Проведение консультаций для учителей школ с низкими результатами обучения. " * 300)[:20000]
    rows = plan_rows(300)
    rows.insert(5, TableRow(["6", huge, "постоянно", "МИМС", "—"]))
    document = directive_000(
        appendices=[Appendix("1", STAMP_000, "План", [Table(HEAD_000, rows, [1, 5, 2, 2, 3])])]
    )
    texts = [normalise(t) for t in pages_text(render_order_pdf(document))]
    assert len(texts) >= 15
    assert sum(1 for t in texts if "Проведение консультаций" in t) >= 3  # the tall row crosses pages
    assert all(HEAD_000[1] in t for t in texts[1:])
    assert f"300 {normalise(MEASURES[0])}" in texts[-1]  # the last row is printed, nothing is lost


def test_narrow_column_words_are_hyphenated_not_cut() -> None:
    cells = [
        "Организация методической поддержки общеобразовательных организаций, демонстрирующих "
        "стабильно низкие образовательные результаты",
        "Школа «Шумская» в неблагоприятных социальных условиях: объёмного взаимодействия",
        "Ответственный исполнитель",
    ]
    table = Table(["Мероприятие", "№"], [TableRow([text, "7"]) for text in cells], [1, 6])
    document = order_004(appendices=[Appendix("1", [], "", [table])])
    text = pages_text(render_order_pdf(document))[-1]
    words = {w.strip("«»:,.;()") for text in [*cells, "Мероприятие № 7"] for w in text.split()}
    tokens = text.split()[1:]  # after the page number
    hyphenated, index = 0, 0
    while index < len(tokens):
        word = tokens[index].strip("«»:,.;()")
        while word.endswith("-") and word not in words and index + 1 < len(tokens):
            index += 1
            word = word[:-1] + tokens[index].strip("«»:,.;()")
            hyphenated += 1
        assert word in words, f"a word cut without a hyphen: {word!r}"
        index += 1
    assert hyphenated >= 3  # the column is narrow enough to need hyphenation at all


def test_hostile_unicode_never_breaks() -> None:
    hostile = (
        "<b>жирный</b> & &amp; > \"кавычки\" 'апостроф' «ёлочки» № 5 — тире 😀 emoji 中文 e\u0301 "
        "\x00\x07\x1b\x7f\ud800\ufffe\u202e\u200b ]]> <br/> <![CDATA[x]]> "
        + "оченьдлинноесловобезпробелов"
        * 20
    )
    document = order_004(
        letterhead=[hostile, ""],
        kind_title=hostile,
        title=hostile,
        preamble=[hostile, ""],
        directive=hostile,
        points=[Point("1.", hostile, addressee=hostile, responsible=hostile, deadline=hostile)],
        signer_position=hostile,
        signer_name=hostile,
        executor=hostile,
        distribution=hostile,
        qr_text=hostile,
        draft=True,
        appendices=[
            Appendix(
                hostile,
                [hostile],
                hostile,
                [
                    Paragraph(hostile),
                    Paragraph(hostile, bold=True, align="centre", indent=False),
                    Table(
                        [hostile, "b"],
                        [TableRow([hostile, hostile, hostile]), TableRow([hostile], True)],
                        [0, -1],
                    ),
                    Image(b"not a png", 50, caption=hostile),
                ],
                landscape=True,
            )
        ],
    )
    data = render_order_pdf(document)
    text = normalise("\n".join(pages_text(data)))
    assert "<b>жирный</b> & &amp; >" in text
    assert "«ёлочки»" in text
    assert "\x00" not in text and "\x07" not in text
    assert "□ emoji □□" in text  # what the font cannot draw shows as a box
    assert render_order_pdf(letter_001(addressee=[hostile], reply_to=hostile, attachments_note=hostile))


def test_font_size_and_margin_are_clamped() -> None:
    data = render_order_pdf(order_004(font_size=40, left_margin_mm=0, appendices=[]))
    assert PdfReader(io.BytesIO(data)).pages[0]


def test_write_order_pdf(tmp_path: Path) -> None:
    target = tmp_path / "приказ.pdf"
    write_order_pdf(order_004(), target)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["приказ.pdf"]  # no temporary file left behind
    with pytest.raises(AppError):
        write_order_pdf(order_004(), tmp_path / "приказ.docx")
    with pytest.raises(AppError):
        write_order_pdf(order_004(), tmp_path / "нет" / "приказ.pdf")
