"""Make docs/screenshots/seeds/NNN-page1.png and NNN-appendix.png: each of the five seed documents
imported with `document import` into a fresh database and printed with `order pdf`, page 1 and the
first page of its first appendix, as PNGs (pdftoppm from poppler-utils).

    .venv/bin/python docs/screenshots/make_seed_orders.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(__file__).resolve().parent / "seeds"
SEEDS = sorted((ROOT / "resources" / "demo" / "plans").glob("00*.txt"))


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "main.py", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=True,
    )
    return done.stdout


def appendix_page(pdf: Path) -> int:
    """The first page whose text carries an appendix stamp or an appendix title (1-based)."""
    import pypdf

    for number, page in enumerate(pypdf.PdfReader(str(pdf)).pages, start=1):
        text = page.extract_text()
        if number > 1 and (
            "Приложение" in text[:400] or "№\nп/п" in text[:600] or "Комплекс мер" in text[:400]
        ):
            return number
    return 2


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("Нужна программа pdftoppm (пакет poppler-utils).", file=sys.stderr)
        return 1
    FOLDER.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for seed in SEEDS:
            db = Path(scratch) / f"{seed.stem}.sqlite"
            created = json.loads(run("--db", str(db), "document", "import", str(seed)))
            pdf = Path(scratch) / f"{seed.stem}.pdf"
            run("--db", str(db), "order", "pdf", str(created["order_id"]), str(pdf))
            for name, page in (("page1", 1), ("appendix", appendix_page(pdf))):
                target = FOLDER / f"{seed.stem}-{name}"
                subprocess.run(
                    [
                        "pdftoppm",
                        "-r",
                        "70",
                        "-png",
                        "-singlefile",
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        str(pdf),
                        str(target),
                    ],
                    check=True,
                )
            print(
                f"{seed.stem}: документ № {created['order_id']}, {created['status']}, страниц приложения с {appendix_page(pdf)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
