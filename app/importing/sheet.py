"""Reading a workbook with python-calamine, after checks that keep hostile files out.

calamine (Rust) reads .xlsx, .xlsm, .xls and .ods an order of magnitude faster than openpyxl.
Before it sees a file we check its size, its signature (a text file renamed .xlsx is named as
such, not reported as a zip error) and, for zip-based formats, the declared unpacked size, so a
zip bomb is refused before anything is unpacked.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.importing.errors import ImportFileError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 200
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Cell = object  # str | int | float | bool | date | datetime | time | timedelta | None


@dataclass
class SheetData:
    path: Path
    name: str
    rows: list[list[Cell]]


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} МБ".replace(".", ",")


def check_workbook_file(path: Path) -> None:
    """Raise ImportFileError with a Russian message when the file is not a readable workbook."""
    name = path.name
    if not path.exists():
        raise ImportFileError(f"Файл «{path}» не найден.")
    if path.is_dir():
        raise ImportFileError(f"«{path}» — это папка, а не файл Excel.")
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        raise ImportFileError(
            f"Файл «{name}» не является книгой Excel: ожидается файл .xlsx, .xls, .xlsm или .ods."
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ImportFileError(f"Не удалось прочитать файл «{name}»: {exc.strerror}.") from exc
    if size == 0:
        raise ImportFileError(f"Файл «{name}» пуст (0 байт).")
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"Файл «{name}» слишком большой ({_megabytes(size)}; допускается не более "
            f"{_megabytes(MAX_FILE_BYTES)}). Разделите его на части или удалите лишние листы."
        )
    if suffix == ".xls":
        if head != _OLE_MAGIC:
            raise ImportFileError(
                f"Файл «{name}» не является книгой Excel 97–2003 (.xls), хотя так назван. "
                "Откройте его в Excel и сохраните как «Книга Excel (.xlsx)»."
            )
        return
    if not head.startswith(_ZIP_MAGIC):
        kind = "текстовый файл" if _looks_like_text(path) else "файл другого формата"
        raise ImportFileError(
            f"Файл «{name}» не является книгой Excel: это {kind} с расширением {suffix}. "
            "Откройте его в Excel и сохраните как «Книга Excel (.xlsx)»."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(
            f"Файл «{name}» повреждён (архив книги Excel обрезан или испорчен: {exc}). "
            "Попросите файл заново или пересохраните его в Excel."
        ) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"Файл «{name}» в распакованном виде занимает {_megabytes(unpacked)} — больше "
            f"допустимого ({_megabytes(MAX_UNPACKED_BYTES)}). Файл не загружен."
        )


def _looks_like_text(path: Path) -> bool:
    try:
        sample = path.read_bytes()[:2048]
    except OSError:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError:
        try:
            sample.decode("cp1251")
            return b"\x00" not in sample
        except UnicodeDecodeError:
            return False


def read_sheets(path: Path, *, max_rows: int | None = None) -> list[SheetData]:
    """Every visible worksheet's cells as Python values (calamine's types), limits enforced."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    check_workbook_file(path)
    max_rows = MAX_ROWS if max_rows is None else max_rows
    name = path.name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types (ZipError, XmlError, CalamineError…)
        # calamine's own words are English internals: say what the file is, when it can be told
        raise ImportFileError(f"Файл «{name}» {_not_a_workbook(path)}") from exc
    sheets: list[SheetData] = []
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                if sheet.total_height > max_rows:
                    raise ImportFileError(
                        f"Лист «{meta.name}» файла «{name}» содержит {sheet.total_height} строк — "
                        f"больше допустимого ({max_rows}). Разделите файл на части."
                    )
                if sheet.total_width > MAX_COLUMNS:
                    raise ImportFileError(
                        f"Лист «{meta.name}» файла «{name}» содержит {sheet.total_width} столбцов — "
                        f"больше допустимого ({MAX_COLUMNS})."
                    )
                rows = sheet.to_python(skip_empty_area=False)
            except ImportFileError:
                raise
            except Exception as exc:
                raise ImportFileError(
                    f"Лист «{meta.name}» файла «{name}» не читается: файл повреждён "
                    f"({type(exc).__name__}: {exc})."
                ) from exc
            sheets.append(SheetData(path, meta.name, rows))
    finally:
        workbook.close()
    if not sheets:
        raise ImportFileError(f"В файле «{name}» нет ни одного видимого листа с данными.")
    return sheets


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _not_a_workbook(path: Path) -> str:
    """Why a zip file calamine could not open is no workbook, in Russian."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        names = []
    if any(n.startswith("word/") for n in names):
        return "— документ Word, а не книга Excel. Выберите книгу Excel (.xlsx)."
    if any(n.startswith("ppt/") for n in names):
        return "— презентация PowerPoint, а не книга Excel. Выберите книгу Excel (.xlsx)."
    return (
        "повреждён или не является книгой Excel: программа не смогла прочитать его содержимое. "
        "Откройте его в Excel и сохраните заново как «Книга Excel (.xlsx)»."
    )
