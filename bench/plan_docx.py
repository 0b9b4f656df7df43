"""Reading a long plan of measures from .docx: app.importing.plan_parse.parse_docx against python-docx
merely loading the same file (`docx.Document(path)`), in the same process, repetitions interleaved.

    .venv/bin/python bench/plan_docx.py               # 2,000 rows, 5 repetitions
    .venv/bin/python bench/plan_docx.py --rows 5000 --repeat 3

Prints one JSON line: {"rows", "items", "parse_s", "baseline_s", "ratio", ...} (medians, seconds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEADER = [
    "№ п/п",
    "Наименование мероприятия (краткое содержание)",
    "Сроки исполнения",
    "Ответственный исполнитель",
    "Ожидаемый результат",
]
WIDTHS = [700, 4200, 1800, 2400, 3200]


def _paragraphs(text: str, bullet: bool = False) -> str:
    out = []
    for line in text.split("\n"):
        ppr = (
            '<w:pPr><w:pStyle w:val="ListBullet"/></w:pPr>' if bullet and line != text.split("\n")[0] else ""
        )
        out.append(f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>')
    return "".join(out)


def _cell(text: str, width: int, span: int = 1, bullet: bool = False) -> str:
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}</w:tcPr>{_paragraphs(text, bullet)}</w:tc>'
    )


def make_plan_docx(path: Path, rows: int) -> int:
    """A plan with `rows` table rows: a section row every 50, the rest items (some with lists)."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("Приложение 1")
    document.add_paragraph("к приказу отдела образования от 01.09.2021 № 15")
    document.add_paragraph().add_run(
        "План мероприятий по повышению качества образования на 2021-2022 учебный год"
    ).bold = True
    parts = [
        f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>',
        "<w:tblGrid>",
        *(f'<w:gridCol w:w="{w}"/>' for w in WIDTHS),
        "</w:tblGrid>",
        "<w:tr>",
        *(_cell(t, w) for t, w in zip(HEADER, WIDTHS, strict=True)),
        "</w:tr>",
    ]
    items = 0
    for row in range(rows):
        parts.append("<w:tr>")
        if row % 50 == 0:
            parts.append(
                _cell(f"Раздел {row // 50 + 1}. Организационно-методическая работа", sum(WIDTHS), span=5)
            )
        else:
            items += 1
            measure = f"Проведение совещания с руководителями образовательных организаций № {items}"
            if items % 7 == 0:
                measure += "\nпо вопросам:\nобъективности оценивания\nанализа результатов ВПР"
            values = [
                f"{items}.",
                measure,
                "Сентябрь 2021 г. – май 2022 г.",
                "Отдел образования, МКУ «ИМЦ»",
                "Справка по итогам, приказ отдела образования",
            ]
            for index, (text, width) in enumerate(zip(values, WIDTHS, strict=True)):
                parts.append(_cell(text, width, bullet=index == 1 and items % 7 == 0))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml("".join(parts)))
    document.save(str(path))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    import docx

    from app.importing.plan_parse import parse_docx

    with tempfile.TemporaryDirectory(prefix="opora-bench-plan-") as folder:
        path = Path(folder) / "plan.docx"
        started = time.perf_counter()
        items = make_plan_docx(path, args.rows)
        build_s = time.perf_counter() - started
        parse_docx(path)  # warm the imports of both sides
        docx.Document(str(path))
        parse_times: list[float] = []
        base_times: list[float] = []
        parsed_items = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            docx.Document(str(path))
            base_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            document = parse_docx(path)
            parse_times.append(time.perf_counter() - started)
            parsed_items = sum(len(plan.items) for plan in document.plans)
        size = path.stat().st_size
    if parsed_items != items:
        print(json.dumps({"error": f"parsed {parsed_items} items, expected {items}"}))
        return 1
    parse_s, base_s = statistics.median(parse_times), statistics.median(base_times)
    print(
        json.dumps(
            {
                "bench": "plan_docx",
                "rows": args.rows,
                "items": items,
                "file_kb": round(size / 1024),
                "build_s": round(build_s, 3),
                "parse_s": round(parse_s, 4),
                "parse_min_s": round(min(parse_times), 4),
                "parse_max_s": round(max(parse_times), 4),
                "baseline_s": round(base_s, 4),
                "baseline": "python-docx Document(path) load",
                "ratio": round(parse_s / base_s, 2) if base_s else None,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
