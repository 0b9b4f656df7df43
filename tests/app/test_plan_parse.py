"""Reading plans of measures from the five seed documents, and from the same plans as .docx, .xlsx
and clipboard HTML; broken files; the hand mapping of an unrecognised header; random tables."""

from __future__ import annotations

import contextlib
import copy
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_fixtures import make_docx, make_html, make_xlsx  # tests/app is on sys.path (rootdir-less tests)

from app.errors import AppError
from app.importing.errors import ImportFileError
from app.importing.plan_columns import match_plan_columns
from app.importing.plan_parse import (
    ColumnRole,
    ParsedDocument,
    PlanHeaderError,
    PlanMappingError,
    extract_tables,
    interpret_table,
    join_continuation,
    parse_clipboard,
    parse_docx,
    parse_file,
    parse_html,
    parse_text,
    parse_with_mapping,
    parse_xlsx,
)

SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"  # as in conftest.py
BUNDLED_SEEDS_DIR = Path(__file__).resolve().parents[2] / "resources" / "demo" / "plans"

SEEDS = {
    "000": "000_47eb12e1519b5f53.txt",
    "001": "001_1e8ecce5fb1f09b6.txt",
    "002": "002_4a8724c71e328c13.txt",
    "003": "003_895a1ffee6e9f536.txt",
    "004": "004_4ef67b07aed1f6ce.txt",
}
# seed → per plan: (items, section titles' count, items per section)
COUNTS = {
    "000": [(12, [12]), (16, [2, 4, 4, 2, 4])],
    "001": [(16, [16])],
    "002": [(24, [24])],
    "003": [(23, [23])],
    "004": [(23, [13, 6, 4])],
}
STANDARD = [
    "№ п/п",
    "Наименование мероприятия (краткое содержание)",
    "Сроки исполнения",
    "Ответственный исполнитель",
    "Ожидаемый результат",
]
COLUMNS = {
    "000": STANDARD,
    "001": ["№ п/п", "Мероприятие", "Срок", "Ответственный исполнитель"],
    "002": ["№ п/п", "Наименование мероприятия", "Сроки исполнения", "Ответственные"],
    "003": STANDARD,
    "004": ["Мероприятие", "Ответственный", "Сроки реализации", "Планируемый результат"],
}
ROLES = {
    "000": [
        ColumnRole.NUMBER,
        ColumnRole.MEASURE,
        ColumnRole.DEADLINE,
        ColumnRole.RESPONSIBLE,
        ColumnRole.RESULT,
    ],
    "001": [ColumnRole.NUMBER, ColumnRole.MEASURE, ColumnRole.DEADLINE, ColumnRole.RESPONSIBLE],
    "002": [ColumnRole.NUMBER, ColumnRole.MEASURE, ColumnRole.DEADLINE, ColumnRole.RESPONSIBLE],
    "003": [
        ColumnRole.NUMBER,
        ColumnRole.MEASURE,
        ColumnRole.DEADLINE,
        ColumnRole.RESPONSIBLE,
        ColumnRole.RESULT,
    ],
    "004": [ColumnRole.MEASURE, ColumnRole.RESPONSIBLE, ColumnRole.DEADLINE, ColumnRole.RESULT],
}
TITLES = {
    "000": [
        "План мероприятий по оказанию методической помощи школам с признаками необъективности оценочных "
        "процедур на 2020-2021 учебный год",
        "План организационно- методического сопровождения школ с низкими образовательными результатами "
        "обучения на 2020-2021 учебный год",
    ],
    "001": [
        "План по повышению объективности и качества образования в муниципальных общеобразовательных "
        "организаций, демонстрирующих низкие образовательные результаты, и школ, работающих в "
        "неблагоприятных социальных условиях",
    ],
    "002": [
        "План мероприятий (дорожная карта) по реализации Комплекса мер по работе со школами с низкими "
        "результатами обучения и школ, функционирующими в неблагоприятных социальных условиях в "
        "Ельнинском районе Смоленской области на 2019–2021 гг.",
    ],
    "003": [
        "Муниципальный план мероприятий (дорожная карта) по оказанию методической помощи "
        "образовательным организациям, показывающим низкие образовательные результаты",
    ],
    "004": [
        "План работы Управления образования администрации Прокопьевского муниципального округа по "
        "повышению уровня объективности результатов процедур оценки качества образовательных достижений "
        "обучающихся и всероссийской олимпиады школьников на 2021-2022 учебный год",
    ],
}
# (seed, plan index, item index) → expected fields, letter for letter
ITEMS = {
    ("000", 0, 0): dict(
        number="1",
        measure="Анализ результатов внешней оценки качества образования школ Кировского муниципального района "
        "(в т.ч. результатов конкурсов и олимпиад всех уровней)",
        deadline="Август 2020 г.",
        responsible="Труфанова А.А. Руководители РМО",
    ),
    # a row broken by a page break: «… результатов» + «обучающихся» in the next row without a number
    ("000", 0, 1): dict(
        number="2",
        measure="Организация и проведение инструктивно-методического совещания с руководителями "
        "общеобразовательных организаций по вопросам обеспечения объективности оценивания результатов обучающихся",
        deadline="Сентябрь 2020 г",
        result="Определение основных направлений деятельности по управлению качеством образования. "
        "Соблюдение стандартизации проведения оценочных процедур Изучение образовательных запросов в "
        "повышении квалификации педагогов района",
    ),
    ("000", 0, 3): dict(
        deadline="Сентябрь 2020 г.- апрель 2021 г. /по плану повышения квалификации педагогических работников в ОО/",
        responsible="Труфанова А.А.",
    ),
    ("000", 0, 4): dict(number="5.", deadline="В течение года по плану ЛОИРО"),
    # HTML remnants: <p>…</p> gone, «…» kept
    ("000", 0, 6): dict(
        measure="Анализ и корректировка планов работ районных и школьных методических объединений. Помощь "
        "методическим объединениям в выборе эффективных форм работы по созданию системы оценивания "
        "образовательных результатов в ОО",
        result="Совершенствование методической грамотности учителей в вопросах оценивания образовательных результатов.",
    ),
    ("000", 1, 3): dict(
        measure="Разработка и реализация индивидуальных планов повышения квалификации учителей, показывающих "
        "низкие результаты обучения",
        deadline="В течение учебного года в соответствии с планом ОО",
        responsible="ОО, МИМС",
    ),
    ("000", 1, 6): dict(number="7", measure="Онлайн-консультации", deadline="По запросу руководителей"),
    ("000", 1, 15): dict(number="16", deadline="Июнь 2021г", responsible="ОО, МИМС"),
    ("001", 0, 4): dict(number="5.", deadline="по мере готовности"),
    ("001", 0, 9): dict(deadline="март - апрель 2021 года"),
    ("001", 0, 10): dict(number="11", responsible="Муниципальные общеобразовательные организации"),
    ("002", 0, 1): dict(deadline="Июнь– октябрь", responsible="Отдел по образованию, МОЦ"),
    ("002", 0, 5): dict(
        number="6.",
        measure="Разработка программ перехода образовательных организаций с низкими результатами в "
        "эффективный режим функционирования",
        deadline="октябрь",
        responsible="Руководители ОО",
    ),
    ("002", 0, 10): dict(deadline="По спец. Графику"),
    ("002", 0, 14): dict(
        measure="Организация сетевого взаимодействия", responsible="Отдел по образованию, МОЦ"
    ),
    # the last row, split by a page break in every cell; the seed's second row repeats «периода»
    ("002", 0, 23): dict(
        number="24.",
        measure="Контроль за участием ОО, педагогов, руководителей в федер. И региональных мероприятиях (чек– лист)",
        deadline="В течение всего периода",
        responsible="Отдел по образованию, Руководители ОО",
    ),
    ("003", 0, 5): dict(
        number="6.",
        measure="Утверждение списка сетевого партнерства образовательных организаций с низкими "
        "образовательными результатами и образовательных организаций-партнеров (образовательными "
        "организациями, имеющими условия для оказания консультационной, методической, организационной и "
        "др. поддержки, в том числе базовыми площадками)",
        deadline="сентябрь 2020 года",
        responsible="Отдел образования\nМКУ «ЦМТО»",
        result="Приказ отдела образования",
    ),
    ("003", 0, 17): dict(
        deadline="по отдельному плану", responsible="Отдел образования, МКУ «ЦМТО», руководители ОО"
    ),
    ("003", 0, 22): dict(number="23", deadline="в течение всего периода"),
    ("004", 0, 0): dict(
        number="",
        measure="Обсуждение результатов оценочных процедур (ВПР, ОГЭ, ЕГЭ и др.) на районном августовском "
        "совещании педагогических работников",
        deadline="Август 2021",
        responsible="Управление образования",
        result="Актуализация проблемы",
    ),
    ("004", 0, 4): dict(deadline="2 полугодие 2021-2022 учебного года", result=""),
    ("004", 0, 18): dict(
        deadline="По итогам оценочных процедур", responsible="Управление образования МКУ «ОКО УО»"
    ),
    ("004", 0, 22): dict(deadline="Декабрь 2021 – февраль 2022"),
}
SECTIONS = {
    ("000", 1): [
        "Организационное обеспечение поддержки школ с низкими образовательными результатами обучения",
        "Повышение квалификации педагогических и руководящих работников школ",
        "Информационно-консультативная поддержка",
        "Формирование и организация работы партнёрских пар школ с привлечением успешных ОО",
        "Анализ эффективности функционирования системы внутреннего мониторинга качества образования",
    ],
}


def _seed_text(key: str) -> str:
    path = SEEDS_DIR / SEEDS[key]
    if not path.exists():
        path = BUNDLED_SEEDS_DIR / f"{key}.txt"  # a copy shipped with the demo district, when there is one
    if not path.exists():
        pytest.skip(f"seed document {SEEDS[key]} not found in {SEEDS_DIR} (the shared seeds are not present)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeds() -> dict[str, ParsedDocument]:
    return {key: parse_text(_seed_text(key), SEEDS[key]) for key in SEEDS}


def _shape(document: ParsedDocument) -> list[tuple[int, list[int]]]:
    return [(len(plan.items), [len(s.items) for s in plan.sections]) for plan in document.plans]


def _summary(document: ParsedDocument) -> list:
    return [
        (
            plan.title,
            [(c.role, c.title) for c in plan.columns],
            [
                (
                    s.title,
                    [
                        (i.number, i.measure, i.deadline, i.responsible, i.result, i.schools, i.other)
                        for i in s.items
                    ],
                )
                for s in plan.sections
            ],
        )
        for plan in document.plans
    ]


# ---- the seeds as text ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", SEEDS)
def test_seed_counts_titles_and_columns(seeds: dict[str, ParsedDocument], key: str) -> None:
    document = seeds[key]
    assert _shape(document) == COUNTS[key]
    assert [plan.title for plan in document.plans] == TITLES[key]
    for plan in document.plans:
        assert [c.title for c in plan.columns] == COLUMNS[key]
        assert plan.roles() == ROLES[key]
        assert plan.warnings == []


def test_seed_000_plans_and_sections(seeds: dict[str, ParsedDocument]) -> None:
    first, second = seeds["000"].plans
    assert [s.title for s in first.sections] == [""]  # no section rows: one untitled section
    assert [s.title for s in second.sections] == SECTIONS[("000", 1)]
    assert [i.number for i in second.sections[2].items] == ["7", "8", "9", "10"]
    # the order above the first plan, without the appendix stamp and the title
    text = seeds["000"].text_before
    assert text.startswith("Администрация\nКировского муниципального района Ленинградской области")
    assert text.endswith("Разослано: в дело, УУиК, ОО")
    assert "Приложение 1" not in text


def test_seed_004_sections_and_automatic_numbers(seeds: dict[str, ParsedDocument]) -> None:
    (plan,) = seeds["004"].plans
    titles = [s.title for s in plan.sections]
    assert titles[0] == (
        "Раздел 1. Мероприятия по обеспечению объективности результатов процедур оценки качества "
        "образования в образовательных учреждениях округа"
    )
    # the merged row of section 2 holds its list of school categories on further lines
    assert titles[1].split("\n")[0] == (
        "Раздел 2. Мероприятия с образовательными организациями округа, показавшими необъективные "
        "результаты ВПР в 2021 году"
    )
    assert (
        titles[1].split("\n")[2]
        == "2. Образовательные учреждения с завышенными результатами по итогам РКР в 2021 году – 3 школы"
    )
    assert len(titles[1].split("\n")) == 5
    assert titles[2].startswith(
        "Раздел 3. Мероприятия по обеспечению объективности результатов всероссийской"
    )
    assert {i.number for i in plan.items} == {""}
    assert [i.source_row for i in plan.items[:2]] == [47, 48]


def test_seed_002_non_plan_tables_are_not_plans(seeds: dict[str, ParsedDocument]) -> None:
    document = seeds["002"]
    assert len(document.tables) == 3  # the plan, the criteria «Тип школы…», the monitoring «№ / Критерии…»
    assert len(document.plans) == 1
    criteria, monitoring = document.tables[1], document.tables[2]
    assert criteria.rows[0][0] == "Тип школы"
    assert monitoring.rows[0][:2] == ["№", "Критерии и показатели"]
    assert interpret_table(criteria.rows) is None
    assert interpret_table(monitoring.rows) is None
    # the markdown-style separator under the plan is not an item
    assert document.plans[0].items[-1].number == "24."


@pytest.mark.parametrize(("key", "plan", "index"), list(ITEMS))
def test_seed_item_texts(seeds: dict[str, ParsedDocument], key: str, plan: int, index: int) -> None:
    item = seeds[key].plans[plan].items[index]
    for name, value in ITEMS[(key, plan, index)].items():
        assert getattr(item, name) == value, name


def test_seed_continuation_keeps_html_paragraphs_as_lines(seeds: dict[str, ParsedDocument]) -> None:
    item = seeds["000"].plans[0].items[9]  # «10.», continued on the next page
    assert item.measure.split("\n") == [
        "Трансляция конкретного опыта работы педагогов района по использованию современных технологий и "
        "механизмов оценивания, повышающих объективность и достоверность результатов:",
        "- проведение обучающих семинаров по освоению данных технологий;",
        "-организация муниципальными экспертами-тьюторами практикумов для учителей, «горячих линий» в период "
        "проведения оценочных процедур;",
        "-направление в ОО методических рекомендаций по обеспечению объективности образовательных "
        "результатов в рамках конкретной оценочной процедуры",
    ]
    assert "<" not in "".join(i.measure + i.result for p in seeds["000"].plans for i in p.items)


# ---- the same plans as .docx, .xlsx, clipboard HTML --------------------------------------------

SPLIT = {"000": {(1, "4")}, "001": {(0, "3.")}, "002": {(0, "6.")}, "003": {(0, "10.")}, "004": set()}
BULLETED = (
    "Разработка и утверждение планов муниципальных общеобразовательных организаций:\n"
    "– по сопровождению неуспевающих и слабоуспевающих обучающихся;\n"
    "– организации работы по повышению профессионализма педагогов и повышению качества реализации "
    "образовательных программ"
)


@pytest.mark.parametrize("key", SEEDS)
def test_docx_gives_the_same_plans(seeds: dict[str, ParsedDocument], key: str, tmp_path: Path) -> None:
    document = seeds[key]
    path = make_docx(tmp_path / f"{key}.docx", document, split=SPLIT[key])
    parsed = parse_docx(path)
    assert parsed.source_name == f"{key}.docx"
    assert _shape(parsed) == COUNTS[key]
    assert _summary(parsed) == _summary(document)
    assert parsed.text_before == document.text_before
    assert all(plan.warnings == [] for plan in parsed.plans)
    assert _summary(parse_file(path)) == _summary(document)


def test_docx_bulleted_list_in_a_cell(seeds: dict[str, ParsedDocument], tmp_path: Path) -> None:
    document = copy.deepcopy(seeds["001"])
    document.plans[0].items[6].measure = BULLETED
    parsed = parse_docx(make_docx(tmp_path / "bullets.docx", document))
    assert parsed.plans[0].items[6].measure == BULLETED
    assert _summary(parsed) == _summary(document)
    html = parse_html(make_html(document), "буфер обмена")
    assert html.plans[0].items[6].measure == BULLETED


def test_docx_vertical_merge_is_not_duplicated(seeds: dict[str, ParsedDocument], tmp_path: Path) -> None:
    import docx

    path = make_docx(tmp_path / "split.docx", seeds["002"], split={(0, "6.")})
    table = docx.Document(str(path)).tables[0]
    assert len(table.rows) == 24 + 2  # header, 24 items, item 6 on two rows
    parsed = parse_docx(path)
    assert [i.number for i in parsed.plans[0].items][4:8] == ["5.", "6.", "7.", "8."]
    assert parsed.plans[0].items[5].measure == ITEMS[("002", 0, 5)]["measure"]


@pytest.mark.parametrize("key", SEEDS)
def test_xlsx_gives_the_same_plan(seeds: dict[str, ParsedDocument], key: str, tmp_path: Path) -> None:
    document = seeds[key]
    plan = document.plans[-1]
    path = make_xlsx(tmp_path / f"{key}.xlsx", plan)
    parsed = parse_xlsx(path)
    (got,) = parsed.plans
    assert got.title == plan.title  # from the rows above the header, the stamp row left out
    assert _summary(ParsedDocument("", [got])) == _summary(ParsedDocument("", [plan]))
    assert parse_file(path).plans[0].title == plan.title


@pytest.mark.parametrize("key", SEEDS)
def test_clipboard_html_gives_the_same_plans(seeds: dict[str, ParsedDocument], key: str) -> None:
    document = seeds[key]
    html = make_html(document, split=SPLIT[key])
    parsed = parse_clipboard({"text/html": html, "text/plain": "не то"})
    assert _shape(parsed) == COUNTS[key]
    assert _summary(parsed) == _summary(document)
    assert parsed.text_before == document.text_before


def test_clipboard_falls_back_to_plain_text(seeds: dict[str, ParsedDocument]) -> None:
    text = _seed_text("001")
    parsed = parse_clipboard(
        {"text/html": "<html><body><p>без таблицы</p></body></html>", "text/plain": text}
    )
    assert _summary(parsed) == _summary(seeds["001"])
    assert _summary(parse_clipboard({"text/plain;charset=utf-8": text})) == _summary(seeds["001"])
    with pytest.raises(ImportFileError, match="буфере обмена нет текста"):
        parse_clipboard({})


def test_html_with_excel_markup_and_cf_html_header() -> None:
    html = (
        "Version:0.9\r\nStartHTML:0000000105\r\nEndHTML:0000000999\r\n"
        "<html><body><table><tr><td>№</td><td>Мероприятие</td><td>Срок</td></tr>"
        "<tr><td colspan=3>Раздел&nbsp;1. Общие меры</td></tr>"
        "<tr><td>1</td><td>Совещание<br style='mso-data-placement:same-cell'>с директорами</td>"
        "<td x:str>Сентябрь&nbsp;2021</td></tr></table></body></html>"
    )
    (plan,) = parse_clipboard({"text/html": html}).plans
    assert [s.title for s in plan.sections] == ["Раздел 1. Общие меры"]
    assert plan.items[0].measure == "Совещание\nс директорами"
    assert plan.items[0].deadline == "Сентябрь 2021"


# ---- files by their signature ---------------------------------------------------------------------


def test_text_files_in_every_encoding(seeds: dict[str, ParsedDocument], tmp_path: Path) -> None:
    text = _seed_text("003")
    for name, data in [
        ("plan.txt", text.encode("utf-8")),
        ("plan.tsv", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("plan-1251.txt", text.encode("cp1251", errors="replace")),
        ("plan-utf16.txt", text.encode("utf-16")),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        parsed = parse_file(path)
        assert _shape(parsed) == COUNTS["003"], name
        assert parsed.plans[0].items[0].responsible == "Отдел образования, МКУ «ЦМТО»"


def test_files_are_read_by_signature_not_extension(seeds: dict[str, ParsedDocument], tmp_path: Path) -> None:
    document = seeds["004"]
    docx_path = make_docx(tmp_path / "plan.docx", document)
    renamed = tmp_path / "plan.dat"
    renamed.write_bytes(docx_path.read_bytes())
    assert _summary(parse_file(renamed)) == _summary(document)
    html_path = tmp_path / "plan.htm"
    html_path.write_text(make_html(document), encoding="utf-8")
    assert _summary(parse_file(html_path)) == _summary(document)
    xlsx_path = make_xlsx(tmp_path / "plan.xlsx", document.plans[0])
    misnamed = tmp_path / "plan-excel.docx"
    misnamed.write_bytes(xlsx_path.read_bytes())
    assert len(parse_file(misnamed).plans[0].items) == 23
    csv_path = tmp_path / "plan.csv"
    csv_path.write_text('№;Мероприятие;Срок\n1;"Совещание; семинар";Май 2022\n', encoding="cp1251")
    assert parse_file(csv_path).plans[0].items[0].measure == "Совещание; семинар"


# ---- bad files --------------------------------------------------------------------------------------


def _docx_with_paragraphs(path: Path, *lines: str) -> Path:
    import docx

    word = docx.Document()
    for line in lines:
        word.add_paragraph(line)
    word.save(str(path))
    return path


def test_docx_without_a_table(tmp_path: Path) -> None:
    path = _docx_with_paragraphs(tmp_path / "без таблицы.docx", "Приказ", "Утвердить план.")
    with pytest.raises(ImportFileError, match=r"«без таблицы\.docx» нет ни одной таблицы"):
        parse_docx(path)


def test_docx_truncated(seeds: dict[str, ParsedDocument], tmp_path: Path) -> None:
    path = make_docx(tmp_path / "обрезан.docx", seeds["001"])
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ImportFileError, match=r"«обрезан\.docx» повреждён"):
        parse_docx(path)


def test_text_file_renamed_docx(tmp_path: Path) -> None:
    path = tmp_path / "текст.docx"
    path.write_text("№\tМероприятие\tСрок\n1\tСовещание\tМай\n", encoding="utf-8")
    with pytest.raises(
        ImportFileError, match=r"«текст\.docx» не является документом Word: это текстовый файл"
    ):
        parse_docx(path)
    assert parse_file(path).plans[0].items[0].deadline == "Май"  # by content it is a plan


def test_encrypted_and_old_word_files(tmp_path: Path) -> None:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    encrypted = tmp_path / "с паролем.docx"
    encrypted.write_bytes(
        header
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 50
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 1000
    )
    with pytest.raises(ImportFileError, match=r"«с паролем\.docx» защищён паролем"):
        parse_docx(encrypted)
    with pytest.raises(ImportFileError, match="защищён паролем"):
        parse_file(encrypted)
    old = tmp_path / "старый.doc"
    old.write_bytes(header + "WordDocument".encode("utf-16-le") + b"\x00" * 1000)
    with pytest.raises(ImportFileError, match=r"«старый\.doc» — документ Word 97–2003"):
        parse_file(old)
    with pytest.raises(ImportFileError, match=r"Word 97–2003"):
        parse_docx(old)


def test_other_broken_files(tmp_path: Path) -> None:
    empty = tmp_path / "пусто.docx"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match=r"«пусто\.docx» пуст"):
        parse_docx(empty)
    with pytest.raises(ImportFileError, match="не найден"):
        parse_file(tmp_path / "нет.docx")
    archive = tmp_path / "архив.docx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ImportFileError, match=r"«архив\.docx» не является документом Word"):
        parse_docx(archive)
    pdf = tmp_path / "план.pdf"
    pdf.write_bytes(b"%PDF-1.7\n...")
    with pytest.raises(ImportFileError, match=r"«план\.pdf» — это PDF"):
        parse_file(pdf)
    damaged = tmp_path / "испорчен.docx"
    with zipfile.ZipFile(damaged, "w") as z:
        z.writestr("[Content_Types].xml", "<not xml")
        z.writestr("word/document.xml", "<w:document")
    with pytest.raises(ImportFileError, match=r"«испорчен\.docx» повреждён"):
        parse_docx(damaged)


def test_nested_table_is_flattened_with_a_warning(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("План мероприятий на 2021 год").runs[0].bold = True
    table = word.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["№", "Мероприятие", "Сроки"], strict=True):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ["1.", "Сетевое партнёрство пар школ:", "Октябрь 2021"], strict=True
    ):
        cell.text = text
    inner = table.rows[1].cells[1].add_table(rows=2, cols=2)
    for r, pair in enumerate([("МБОУ «А»", "МКОУ «Б»"), ("МКОУ «В»", "МБОУ «Г»")]):
        for c, text in enumerate(pair):
            inner.cell(r, c).text = text
    for cell, text in zip(table.rows[2].cells, ["2.", "Совещание", "Май 2022"], strict=True):
        cell.text = text
    path = tmp_path / "вложенная.docx"
    word.save(str(path))
    (plan,) = parse_docx(path).plans
    assert plan.title == "План мероприятий на 2021 год"
    assert [i.number for i in plan.items] == ["1.", "2."]
    assert plan.items[0].measure == "Сетевое партнёрство пар школ:\nМБОУ «А» – МКОУ «Б»\nМКОУ «В» – МБОУ «Г»"
    (warning,) = plan.warnings
    assert "Файл «вложенная.docx», строка 2" in warning.text()
    assert "вложенная таблица" in warning.text()


def test_unknown_header_then_manual_mapping(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("Перечень работ")
    rows = [
        ["Пункт плана", "Что делаем", "Когда", "Кто"],
        ["1", "Совещание с директорами", "Сентябрь 2021", "Отдел образования"],
        ["", "по итогам ВПР", "", ""],
        ["2", "Семинар для учителей", "Октябрь 2021", "ИМЦ"],
    ]
    table = word.add_table(rows=len(rows), cols=4)
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            table.cell(r, c).text = text
    path = tmp_path / "непонятно.docx"
    word.save(str(path))
    with pytest.raises(PlanHeaderError, match=r"«непонятно\.docx» не найдена таблица плана") as caught:
        parse_docx(path)
    assert caught.value.table_rows == rows
    assert caught.value.tables[0].title == "Перечень работ"
    assert [t.rows for t in extract_tables(path)] == [rows]
    mapping = {0: ColumnRole.NUMBER, 1: ColumnRole.MEASURE, 2: ColumnRole.DEADLINE, 3: "responsible"}
    plan = parse_with_mapping(caught.value.table_rows, mapping, title="Перечень работ", source_name=path.name)
    assert [c.title for c in plan.columns] == ["Пункт плана", "Что делаем", "Когда", "Кто"]
    assert [(i.number, i.measure, i.deadline, i.responsible) for i in plan.items] == [
        ("1", "Совещание с директорами по итогам ВПР", "Сентябрь 2021", "Отдел образования"),
        ("2", "Семинар для учителей", "Октябрь 2021", "ИМЦ"),
    ]
    only_measure = parse_with_mapping(rows, {1: ColumnRole.MEASURE})
    assert [c.role for c in only_measure.columns] == [ColumnRole.MEASURE]
    assert len(only_measure.items) == 3  # no number column: every row with a measure is an item
    with pytest.raises(PlanMappingError, match="мероприятия"):
        parse_with_mapping(rows, {0: ColumnRole.NUMBER})
    with pytest.raises(PlanMappingError, match="нескольких"):
        parse_with_mapping(rows, {1: ColumnRole.MEASURE, 2: ColumnRole.DEADLINE, 3: ColumnRole.DEADLINE})


# ---- rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("№", ColumnRole.NUMBER),
        ("N п/п", ColumnRole.NUMBER),
        ("№п/п", ColumnRole.NUMBER),
        ("МЕРОПРИЯТИЯ", ColumnRole.MEASURE),
        ("Содержание", ColumnRole.MEASURE),
        ("Наименование мероприятия (краткое содержание)", ColumnRole.MEASURE),
        ("Дата", ColumnRole.DEADLINE),
        ("Сроки реализации", ColumnRole.DEADLINE),
        ("Срок исполнения (месяц, год)", ColumnRole.DEADLINE),
        ("Ответственные исполнители", ColumnRole.RESPONSIBLE),
        ("Исполнитель", ColumnRole.RESPONSIBLE),
        ("Форма отчета", ColumnRole.RESULT),
        ("Форма отчёта", ColumnRole.RESULT),
        ("Итоговый документ", ColumnRole.RESULT),
        ("ОО", ColumnRole.SCHOOLS),
        ("Целевые школы", ColumnRole.SCHOOLS),
    ],
)
def test_column_synonyms(title: str, role: ColumnRole) -> None:
    assert match_plan_columns(["x", title]) == {1: role}


def test_other_columns_and_schools() -> None:
    rows = [
        ["№", "Мероприятие", "Дата", "ОО", "Отметка о выполнении"],
        ["1", "Выезд в школы", "Май", "МБОУ «Лесная СОШ»", "выполнено"],
    ]
    plan = interpret_table(rows, "План", "t")
    assert plan is not None
    assert plan.roles() == [
        ColumnRole.NUMBER,
        ColumnRole.MEASURE,
        ColumnRole.DEADLINE,
        ColumnRole.SCHOOLS,
        ColumnRole.OTHER,
    ]
    assert plan.items[0].schools == "МБОУ «Лесная СОШ»"
    assert plan.items[0].other == {"Отметка о выполнении": "выполнено"}


def test_numbered_sections_and_header_below_title() -> None:
    rows = [
        ["ПЛАН МЕРОПРИЯТИЙ", "", ""],
        ["", "", ""],
        ["№", "Мероприятие", "Ответственный"],
        ["1", "2", "3"],
        ["1.", "Организационная работа", ""],
        ["1.1", "Совещание", "Отдел"],
        ["1.2", "Приказ", "Отдел"],
        ["II.", "Методическая работа", ""],
        ["1", "Семинар", "ИМЦ"],
        ["", "", "и школы"],
        ["", "", ""],
    ]
    plan = interpret_table(rows, "", "t")
    assert plan is not None
    assert plan.title == "ПЛАН МЕРОПРИЯТИЙ"
    assert [(s.title, [i.number for i in s.items]) for s in plan.sections] == [
        ("1. Организационная работа", ["1.1", "1.2"]),
        ("II. Методическая работа", ["1"]),
    ]
    assert plan.items[-1].responsible == "ИМЦ и школы"


def test_join_continuation() -> None:
    assert join_continuation("В течение всего", "периода") == "В течение всего периода"
    assert join_continuation("Отдел по образованию,", "МОЦ") == "Отдел по образованию, МОЦ"
    assert join_continuation("Анализ.", "Выявление зон") == "Анализ.\nВыявление зон"
    assert join_continuation("Отдел образования", "МКУ «ЦМТО»") == "Отдел образования\nМКУ «ЦМТО»"
    assert join_continuation("семинаров;", "- практикумов") == "семинаров;\n- практикумов"
    assert join_continuation("", "текст") == "текст"
    assert join_continuation("В течение всего периода", "периода") == "В течение всего периода"


# ---- random input ----------------------------------------------------------------------------------

_cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "№",
            "Мероприятие",
            "Сроки",
            "Ответственный",
            "1.",
            "Раздел 1",
            "--",
            "<p>x</p>",
            "&laquo;",
            "II.",
            "1.1",
            "ОО",
            "Результат",
            "\t",
            "\n",
        ]
    ),
)
_rows = st.lists(st.lists(_cells, max_size=7), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, mapping=st.dictionaries(st.integers(0, 8), st.sampled_from(list(ColumnRole)), max_size=6))
def test_random_tables_raise_only_app_errors(rows: list[list[str]], mapping: dict[int, ColumnRole]) -> None:
    with contextlib.suppress(AppError):
        interpret_table(rows, "t", "random")
    with contextlib.suppress(AppError):
        parse_with_mapping(rows, mapping, source_name="random")
    with contextlib.suppress(AppError):
        parse_with_mapping(rows, mapping, header_row=None)
    with contextlib.suppress(AppError):
        parse_text("\n".join("\t".join(row) for row in rows), "random")
    html = "<table>" + "".join(
        "<tr>" + "".join(f"<td colspan=2>{c}</td>" for c in row) + "</tr>" for row in rows
    )
    with contextlib.suppress(AppError):
        parse_html(html, "random")
    with contextlib.suppress(AppError):
        parse_html(html + "<![foo[ x ]]><table><tr><td rowspan=99999>", "random")
