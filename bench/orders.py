"""Printing an order with a 100-item plan appendix (issue #6).

    .venv/bin/python bench/orders.py               # 100 items, 5 repetitions
    .venv/bin/python bench/orders.py --items 300 --repeat 3

a. `main.py --db FILE order pdf ID out.pdf` as a whole process (start, open the database, build the
   document, render, write), against LibreOffice headless converting the same order's .docx
   (`soffice --headless --convert-to pdf`), repetitions interleaved; LibreOffice missing is reported;
b. warm generation inside a running program: build_document + render_order_pdf, against reportlab
   setting the same words as plain paragraphs and a plain table (no hyphenation, no stamps).

Prints one JSON line (seconds, medians with min and max).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build_database(path: Path, items: int) -> int:
    """A fresh district with a signed-off-ready draft whose appendix is a plan of `items` items."""
    from app.demo import create_demo
    from app.orders.model import PointDraft
    from app.orders.service import OrderService
    from app.plans.service import PlanService
    from db import open_database

    database = open_database(path)
    create_demo(database)
    plans = PlanService(database)
    plan_id, _ = plans.create(
        {
            "title": "План мероприятий по оказанию методической помощи школам с низкими образовательными "
            "результатами на 2020-2021 учебный год",
            "academic_year": 2020,
        }
    )
    section_id = None
    for n in range(items):
        if n % 20 == 0:
            section_id, _ = plans.add_section(
                plan_id, f"Раздел {n // 20 + 1}. Организационно-методическая работа"
            )
        plans.add_item(
            plan_id,
            {
                "measure": f"Мероприятие {n + 1}: проведение методического семинара для учителей-предметников "
                "по анализу результатов оценочных процедур и использованию их для повышения качества обучения",
                "deadline_text": [
                    "Сентябрь 2020 г.",
                    "В течение года",
                    "Октябрь-ноябрь 2020 г.",
                    "по мере готовности",
                ][n % 4],
                "responsible": "Отдел образования, МКУ «ЦМТО», руководители ОО",
                "result": "Повышение профессиональной компетентности педагогов, аналитические справки",
            },
            section_id=section_id,
        )
    service = OrderService(database)
    order_id, _ = service.create(
        {
            "kind": "order",
            "title": "Об утверждении плана мероприятий по оказанию методической помощи школам с низкими "
            "образовательными результатами на 2020-2021 учебный год",
            "preamble": "В целях повышения качества образования",
            "directive": "ПРИКАЗЫВАЮ:",
            "control_text": "Контроль за исполнением настоящего приказа оставляю за собой.",
            "signer_position": "Председатель комитета образования",
            "signer_name": "Е.А. Краснова",
            "academic_year": 2020,
        },
        [PointDraft(text="Утвердить план мероприятий согласно приложению.")],
    )
    service.add_appendix(order_id, {"kind": "plan", "plan_ids": [plan_id]})
    database.close()
    return order_id


def _run(command: list[str], env: dict[str, str], timeout: float = 300) -> float:
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {(result.stderr or result.stdout)[-400:]}")
    return elapsed


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def plain_render(document) -> bytes:  # type: ignore[no-untyped-def]
    """The baseline of warm generation: the same words set by reportlab with no care at all."""
    import io

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    from app.exporting.pdf_fonts import register_fonts
    from app.orders.document import Table

    family = register_fonts()
    style = ParagraphStyle("p", fontName=family, fontSize=12)
    from xml.sax.saxutils import escape

    story = [Paragraph(escape(document.title), style)]
    story += [Paragraph(escape(p.text), style) for p in document.points]
    for appendix in document.appendices:
        for block in appendix.blocks:
            if isinstance(block, Table):
                rows = [[Paragraph(escape(c), style) for c in block.header]]
                rows += [
                    [
                        Paragraph(escape(c), style)
                        for c in (r.cells + [""] * len(block.header))[: len(block.header)]
                    ]
                    for r in block.rows
                ]
                story.append(RLTable(rows, repeatRows=1))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4)).build(story)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="opora-orders-bench-"))
    try:
        db_path = scratch / "orders.sqlite"
        order_id = build_database(db_path, args.items)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPORA_DATA_DIR": str(scratch / "data")}
        # bytecode cached as on an installed PC (this machine's default turns writing it off)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(ROOT / "bench" / "out" / "pycache")
        docx_path = scratch / "order.docx"
        subprocess.run(
            [sys.executable, "main.py", "--db", str(db_path), "order", "docx", str(order_id), str(docx_path)],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        ours: list[float] = []
        theirs: list[float] = []
        profile = scratch / "lo-profile"
        _run(
            [
                sys.executable,
                "main.py",
                "--db",
                str(db_path),
                "order",
                "pdf",
                str(order_id),
                str(scratch / "warm-up.pdf"),
            ],
            env,
        )  # writes the bytecode cache once
        if soffice:  # LibreOffice's first start builds its profile: not part of a conversion
            _run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(scratch / "lo"),
                    str(docx_path),
                ],
                env,
            )
        for n in range(args.repeat):
            ours.append(
                _run(
                    [
                        sys.executable,
                        "main.py",
                        "--db",
                        str(db_path),
                        "order",
                        "pdf",
                        str(order_id),
                        str(scratch / f"ours-{n}.pdf"),
                    ],
                    env,
                )
            )
            if soffice:
                theirs.append(
                    _run(
                        [
                            soffice,
                            f"-env:UserInstallation=file://{profile}",
                            "--headless",
                            "--convert-to",
                            "pdf",
                            "--outdir",
                            str(scratch / "lo"),
                            str(docx_path),
                        ],
                        env,
                    )
                )

        from app.exporting.order_pdf import render_order_pdf
        from app.orders.printing import build_document
        from app.orders.service import OrderService
        from db import open_database

        database = open_database(db_path)
        order = OrderService(database).get(order_id)
        render_order_pdf(build_document(database, order))  # warm: fonts registered, modules loaded
        warm: list[float] = []
        plain: list[float] = []
        pages = 0
        for _ in range(args.repeat):
            began = time.perf_counter()
            pdf = render_order_pdf(build_document(database, OrderService(database).get(order_id)))
            warm.append(time.perf_counter() - began)
            document = build_document(database, order)
            began = time.perf_counter()
            plain_render(document)
            plain.append(time.perf_counter() - began)
        import io

        import pypdf

        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        database.close()
        lo_pages = 0
        if soffice:
            lo_pdf = scratch / "lo" / "order.pdf"
            lo_pages = len(pypdf.PdfReader(str(lo_pdf)).pages) if lo_pdf.exists() else 0
        result = {
            "items": args.items,
            "pages": pages,
            "libreoffice": soffice or "",
            "libreoffice_pages": lo_pages,
            "order_pdf_process_s": _stats(ours),
            "libreoffice_s": _stats(theirs) if theirs else None,
            "speedup": (statistics.median(theirs) / statistics.median(ours)) if theirs else None,
            "warm_s": _stats(warm),
            "plain_reportlab_s": _stats(plain),
        }
        print(json.dumps(result, ensure_ascii=False))
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
