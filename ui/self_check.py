"""`opora --self-check`: is this installation complete? For the administrator of an office PC.

Checks, in a few seconds and without touching the user's database, what a missing file or library
in an installation breaks only much later: every module of the program and every library it
imports somewhere (some only when a command needs them), the bundled files (fonts, templates,
monitoring criteria, rules, demo plans, icons), the migrations on a scratch database, a PDF with
the embedded font, a Word file with a header and an Excel file read back, Russian hyphenation and declension, PDFium drawing a page, Qt's Russian
translation, the SVG icon, the image formats and Qt's printing module (no printer is asked for:
that would talk to the print service); and that the data folder is writable. Prints one line per check in Russian and returns 0 when all passed, 1 otherwise.
The build scripts run it against the frozen program (build/smoke.py); an administrator can run it
on the target PC (`opora --self-check`, on Windows `opora-cli.exe --self-check`).

Plain characters only in the output: a Windows console redirected to a file writes cp1251.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path

from app.errors import AppError, os_reason
from db.errors import DatabaseError

# Third-party modules the program imports somewhere, with the submodules that matter (the C
# accelerators, the parts imported lazily). tests/app/test_packaging.py checks the list against
# every import statement of app/, ui/, db/ and main.py.
LIBRARIES = (
    "PIL.Image",
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtPrintSupport",
    "PySide6.QtWidgets",
    "defusedxml.ElementTree",
    "docx",
    "lxml.etree",
    "openpyxl",
    "platformdirs",
    "pypdfium2",
    "pyphen",
    "python_calamine",
    "pytrovich.maker",
    "reportlab.pdfgen.canvas",
    "reportlab.platypus",
    "reportlab.lib.rl_accel",
)

# Our modules imported by name at run time (ui/orders/page.py, ui/monitoring/page.py,
# ui/identification/page.py; tests/app/test_packaging.py finds them all): a bundle
# without them would only say «ещё не установлен» when the button is pressed.
IMPORTED_BY_NAME = (
    "app.exporting.lists_xlsx",
    "app.exporting.monitoring_report",
    "app.exporting.order_pdf",
    "app.exporting.order_register_xlsx",
    "app.orders.importer",
    "app.orders.rollover",
    "ui.orders.map_image",
    "ui.orders.preview",
)

RESOURCE_FILES = (
    "fonts/LiberationSerif-Regular.ttf",
    "fonts/LiberationSerif-Bold.ttf",
    "fonts/LiberationSerif-Italic.ttf",
    "fonts/LiberationSerif-BoldItalic.ttf",
    "icons/opora.svg",
    "translations/opora_qt_ru.qm",
)
RESOURCE_FOLDERS = {"orders": "*.json", "monitoring": "*.json", "demo/plans": "*"}


class CheckFailed(Exception):
    """A check's failure, in Russian."""


def _modules() -> str:
    import app
    import db
    import ui

    count = 0
    failed: list[str] = []
    names: list[str] = []
    for package in (app, ui, db):
        names.append(package.__name__)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for name in [*names, *IMPORTED_BY_NAME]:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
        else:
            count += 1
    if failed:
        raise CheckFailed("не загружаются: " + "; ".join(failed))
    return f"{count}"


def _libraries() -> str:
    failed = []
    for name in LIBRARIES:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
    if failed:
        raise CheckFailed("не загружаются: " + "; ".join(failed))
    from reportlab.lib import rl_accel

    # reportlab imports its C accelerator _rl_accel by exec(): a bundle can miss it silently.
    if not getattr(rl_accel, "_c_funcs", None):
        raise CheckFailed("ускоритель reportlab (_rl_accel) не загружен: PDF строятся медленнее")
    return f"{len(LIBRARIES)}"


def _resources() -> str:
    from app.paths import resources_dir

    folder = resources_dir()
    missing = [name for name in RESOURCE_FILES if not (folder / name).is_file()]
    missing += [
        f"{sub}/{pattern}"
        for sub, pattern in RESOURCE_FOLDERS.items()
        if not any((folder / sub).glob(pattern))
    ]
    if missing:
        raise CheckFailed(f"в папке «{folder}» нет: " + ", ".join(missing))
    import json

    from app.monitoring.templates import bundled_templates

    orders = sorted((folder / "orders").glob("*.json"))
    for path in orders:
        try:
            json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise CheckFailed(f"шаблон документа «{path.name}» не читается: {exc}") from exc
    criteria = len(bundled_templates())
    return f"{folder} (шаблонов документов: {len(orders)}, шаблонов мониторинга: {criteria})"


def _migrations(scratch: Path) -> str:
    from db.connection import open_database
    from db.migrations import latest_version

    latest = latest_version()
    if latest < 1:
        raise CheckFailed("миграции базы данных не найдены")
    database = open_database(scratch / "проверка.sqlite")
    try:
        version = database.connection().execute("PRAGMA user_version").fetchone()[0]
    finally:
        database.close()
    if version != latest:
        raise CheckFailed(f"новая база получила версию {version} вместо {latest}")
    return f"версия схемы {latest}"


@cache
def _pdf() -> bytes:
    """A one-page PDF in the program's own font, with a hyphenated Russian paragraph (built once:
    the font check and the PDFium check read the same one)."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from app.exporting.hyphenation import markup
    from app.exporting.pdf_fonts import register_fonts

    family = register_fonts()
    out = BytesIO()
    style = ParagraphStyle("check", fontName=family, fontSize=14, leading=17)
    text = "Об утверждении плана мероприятий по повышению качества образования в общеобразовательных организациях"
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph(markup(text), style)])
    return out.getvalue()


def _pdf_font() -> str:
    data = _pdf()
    if not data.startswith(b"%PDF") or b"/FontFile2" not in data or b"LiberationSerif" not in data:
        raise CheckFailed("в PDF не встроен шрифт Liberation Serif")
    return f"PDF {len(data) // 1024} КБ, шрифт Liberation Serif встроен"


def _hyphenation() -> str:
    from app.exporting.hyphenation import soft_hyphens

    hyphenated = soft_hyphens("общеобразовательных организаций")
    if "\u00ad" not in hyphenated:
        raise CheckFailed("словарь переносов pyphen (ru_RU) не найден")
    return hyphenated.split()[0].replace("\u00ad", "-")


def _declension() -> str:
    from app.orders.declension import Case, decline_name

    declined = decline_name("Потехина Татьяна Сергеевна", Case.ACCUSATIVE)
    if not declined.text.startswith("Потехину"):
        raise CheckFailed(f"«Потехина Татьяна Сергеевна» в винительном падеже: «{declined.text}»")
    return f"«{declined.text}»"


def _office_files() -> str:
    """A .docx with a header (python-docx reads its default header from a file of its own) and an
    .xlsx written by openpyxl and read back by calamine."""
    from io import BytesIO

    import docx
    import openpyxl
    from python_calamine import CalamineWorkbook

    document = docx.Document()
    document.sections[0].header.is_linked_to_previous = False
    document.sections[0].header.paragraphs[0].text = "Приложение 1"
    document.add_paragraph("Приказ")
    word = BytesIO()
    document.save(word)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Наименование ОО", "ИНН"])  # type: ignore[union-attr]
    workbook.active.append(["МБОУ «СОШ № 1»", "4703000001"])  # type: ignore[union-attr]
    excel = BytesIO()
    workbook.save(excel)
    excel.seek(0)
    rows = CalamineWorkbook.from_filelike(excel).get_sheet_by_index(0).to_python()
    if rows[1][0] != "МБОУ «СОШ № 1»":
        raise CheckFailed(f"книга Excel прочитана неверно: {rows!r}")
    return f"Word {len(word.getvalue()) // 1024} КБ, Excel записан и прочитан"


def _pdfium() -> str:
    from ui.orders.preview import _open_document, render_page

    document = _open_document(_pdf())
    try:
        image = render_page(document, 0, 200)
    finally:
        document.close()
    if image.isNull() or image.width() != 200:
        raise CheckFailed("PDFium не нарисовал страницу")
    return f"страница {image.width()}×{image.height()} пикселей"


def _qt() -> str:
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QIcon, QImageReader
    from PySide6.QtPrintSupport import QPrintDialog  # a QPrinter would ask CUPS (localhost:631)

    from app.paths import resources_dir
    from ui.application import install_translations
    from ui.orders.map_image import ensure_application

    app = ensure_application()
    problems = []
    if not install_translations(app):  # type: ignore[arg-type]
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        problems.append(f"русский перевод Qt (qtbase_ru.qm) не найден в «{folder}»")
    icon = QIcon(str(resources_dir() / "icons" / "opora.svg"))
    if icon.pixmap(64, 64).isNull():
        problems.append("значок программы (SVG) не рисуется: нет модуля SVG для Qt")
    formats = {bytes(name.data()).decode() for name in QImageReader.supportedImageFormats()}
    missing = sorted({"png", "jpg", "svg", "ico"} - formats)
    if missing:
        problems.append("Qt не читает форматы: " + ", ".join(missing))
    if not hasattr(QPrintDialog, "exec"):
        problems.append("модуль печати Qt (QtPrintSupport) неполный")
    if problems:
        raise CheckFailed("; ".join(problems))
    platform = app.platformName() if hasattr(app, "platformName") else ""
    return f"Qt {QLibraryInfo.version().toString()}, платформа «{platform}», перевод и значок на месте"


def _data_folder() -> str:
    from app.paths import data_dir

    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".проверка-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CheckFailed(f"в папку «{folder}» нельзя записать: {os_reason(exc)}") from exc
    return str(folder)


def run_self_check(out: Callable[[str], None] | None = None) -> int:
    """Run every check, print one line each; 0 when all passed."""
    from app.version import is_frozen, version

    def say(line: str) -> None:
        if out is not None:
            out(line)
        elif sys.stdout is not None:  # a windowed Windows program has no console
            print(line, flush=True)

    where = (
        f"собранная программа, папка «{Path(sys.executable).parent}»" if is_frozen() else "исходные тексты"
    )
    say(f"Проверка установки «Опоры» {version()} ({where})")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="opora-self-check-") as scratch:
        checks: list[tuple[str, Callable[[], str]]] = [
            ("Модули программы", _modules),
            ("Библиотеки", _libraries),
            ("Файлы программы", _resources),
            ("База данных", lambda: _migrations(Path(scratch))),
            ("PDF со встроенным шрифтом", _pdf_font),
            ("Перенос слов", _hyphenation),
            ("Склонение ФИО", _declension),
            ("Word и Excel", _office_files),
            ("Предпросмотр PDF (PDFium)", _pdfium),
            ("Qt: перевод, значок, изображения, печать", _qt),
            ("Папка данных", _data_folder),
        ]
        for title, check in checks:
            try:
                detail = check()
            except CheckFailed as exc:
                failures += 1
                say(f"  ОШИБКА  {title}: {exc}")
            except (AppError, DatabaseError) as exc:  # the program's own Russian explanation
                failures += 1
                say(f"  ОШИБКА  {title}: {exc.message}")
            except Exception as exc:
                failures += 1
                say(f"  ОШИБКА  {title}: {type(exc).__name__}: {exc}")
                say(traceback.format_exc().rstrip())
            else:
                say(f"  ок      {title}: {detail}")
    say("Всё в порядке." if failures == 0 else f"Найдено ошибок: {failures}.")
    return 0 if failures == 0 else 1
