"""Reading a workbook with python-calamine, after checks that keep hostile files out.

calamine (Rust) reads .xlsx, .xlsm, .xls and .ods an order of magnitude faster than openpyxl.
Before it sees a file we check its size, its signature (a text file renamed .xlsx is named as
such, not reported as a zip error) and, for zip-based formats, the declared unpacked size, so a
zip bomb is refused before anything is unpacked.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.errors import os_reason
from app.importing.errors import ImportFileError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 200
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# calamine holds a sheet as a dense grid of 32-byte cells from its first to its last filled cell,
# and aborts the whole process (no exception) when that grid cannot be allocated: a file with a
# value in A1 and in XFD1048576 asks for 512 GB. The grid is bounded before calamine sees the file.
MAX_SHEET_CELLS = 2 * MAX_ROWS * MAX_COLUMNS

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
        raise ImportFileError(f"Не удалось прочитать файл «{name}»: {os_reason(exc)}.") from exc
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
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise ImportFileError(
            f"Файл «{name}» повреждён (архив книги Excel обрезан или испорчен). "
            "Попросите файл заново или пересохраните его в Excel."
        ) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"Файл «{name}» в распакованном виде занимает {_megabytes(unpacked)} — больше "
            f"допустимого ({_megabytes(MAX_UNPACKED_BYTES)}). Файл не загружен."
        )
    _check_sheet_extents(path)


# Cell references (any quotes, spaces or namespace prefix) with a column of two letters or more, or
# a row of six digits or more: only those can take a sheet beyond MAX_SHEET_CELLS. (Another attribute
# ending in «r» with such a value, e.g. operator="AB1", only makes the bound larger.)
_FAR_REFERENCE = re.compile(rb"""r\s*=\s*["']\s*(?:[A-Za-z]{2,}\d|[A-Za-z]?0*[1-9]\d{5})""")
_FAR_COLUMNS = re.compile(rb"""r\s*=\s*["']\s*([A-Za-z]{2,})\d""")
_FAR_ROWS = re.compile(rb"""r\s*=\s*["']\s*[A-Za-z]*0*([1-9]\d{5,})""")
# Row and cell elements that are not `<row r="…` / `<c r="…`: without a reference (calamine places
# them after the previous one), with a prefix, or with the reference not first.
_IRREGULAR = (
    re.compile(rb'<row(?![A-Za-z]| r=")'),
    re.compile(rb'<c(?![A-Za-z]| r=")'),
    re.compile(rb":(?:row|c)[\s/>]"),
)
_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_ATTRIBUTE_R = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?r\s*=\s*["']\s*([A-Za-z]*)0*(\d*)""")
_SCAN_CHUNK = 16 * 1024 * 1024
_OVERLAP = 64


def _worksheet_parts(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Every part calamine may read as a worksheet: xl/worksheets/*, and the targets of the
    relationships that the workbook's <sheet> elements name."""
    infos = {info.filename: info for info in archive.infolist()}
    names = {n for n in infos if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    workbook, rels = infos.get("xl/workbook.xml"), infos.get("xl/_rels/workbook.xml.rels")
    if workbook is not None and rels is not None and max(workbook.file_size, rels.file_size) < 16 << 20:
        ids = set(re.findall(rb"""<(?:\w+:)?sheet\s[^>]*?\w:id\s*=\s*["']([^"']*)""", archive.read(workbook)))
        for element in re.findall(rb"<(?:\w+:)?Relationship\s[^>]*>", archive.read(rels)):
            found = dict(re.findall(rb"""(Id|Target)\s*=\s*["']([^"']*)""", element))
            if found.get(b"Id") in ids and found.get(b"Target"):
                target = found[b"Target"].decode("utf-8", "replace")
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if part in infos:
                    names.add(part)
    return [infos[n] for n in sorted(names)]


def _sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """An upper bound of (last row, last column) of the sheet's filled cells as calamine places them.

    Excel, LibreOffice and openpyxl give every row and cell its reference: then the bound is the
    farthest reference (one pass, looking only at references beyond Z or row 99 999). Otherwise the
    rows and cells are placed one by one as calamine does (a second, slower pass)."""
    far_row, far_column = 99_999, 26
    irregular = False
    for chunk, last in _chunks(archive, info):
        if _FAR_REFERENCE.search(chunk):
            columns = set(_FAR_COLUMNS.findall(chunk))
            if columns:
                far_column = max(far_column, *(_column_number(c) for c in columns))
            rows = set(_FAR_ROWS.findall(chunk))
            if rows:
                far_row = max(far_row, *(int(r) if len(r) < 10 else 10**9 for r in rows))
        if not irregular:
            # a match in the last bytes may be a tag cut short: the next chunk sees it whole
            limit = len(chunk) if last else len(chunk) - _OVERLAP
            irregular = any(
                (found := pattern.search(chunk)) is not None and found.start() < limit
                for pattern in _IRREGULAR
            )
    if not irregular:
        return far_row, far_column
    row = column = last_row = last_column = 0
    for chunk, _ in _chunks(archive, info, overlap=False):
        for tag in _ROW_OR_CELL.finditer(chunk):
            reference = _ATTRIBUTE_R.search(tag.group(2))
            letters, digits = reference.groups() if reference else (b"", b"")
            if tag.group(1) == b"row":
                row = int(digits[:10]) if digits else row + 1
                column = 0
                continue
            column = _column_number(letters) if letters else column + 1
            if digits:
                row = int(digits[:10])
            last_row, last_column = max(last_row, row), max(last_column, column)
    return max(last_row, 1), max(last_column, 1)


def _chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, overlap: bool = True
) -> Iterator[tuple[bytes, bool]]:
    """The part's bytes in chunks (and whether it is the last), each starting with the last bytes of
    the one before (so that a reference cut between two chunks is seen whole), or, without overlap,
    cut after a `>` (so that no tag is cut)."""
    tail = b""
    with archive.open(info) as member:
        block = member.read(_SCAN_CHUNK)
        while block:
            following = member.read(_SCAN_CHUNK)
            if overlap:
                yield tail + block, not following
                tail = block[-_OVERLAP:]
            else:
                cut = (block.rfind(b">") + 1 or len(block)) if following else len(block)
                yield tail + block[:cut], not following
                tail = block[cut:]
            block = following


def _column_number(letters: bytes) -> int:
    if len(letters) > 4:
        return 10**6
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _check_sheet_extents(path: Path) -> None:
    """Refuse a workbook whose sheet would need a grid larger than MAX_SHEET_CELLS (see above)."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            extents = [_sheet_extent(archive, info) for info in _worksheet_parts(archive)]
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise ImportFileError(
            f"Файл «{name}» повреждён (архив книги Excel обрезан или испорчен). "
            "Попросите файл заново или пересохраните его в Excel."
        ) from exc
    for height, width in extents:
        if height * width > MAX_SHEET_CELLS:
            raise ImportFileError(
                f"В файле «{name}» заполнены ячейки далеко за пределами таблицы (до строки {height} или "
                f"до столбца {column_letter(min(width, 16384) - 1)}): такой лист не загрузить — допускается "
                f"не более {MAX_ROWS} строк и {MAX_COLUMNS} столбцов. Удалите лишние ячейки или скопируйте "
                "нужную таблицу в новую книгу."
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
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's errors (ZipError, XmlError…) and Rust panics (BaseException)
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
            except (ImportFileError, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # calamine's own words are English internals; a Rust panic
                # (a number far out of range in a date cell) arrives as pyo3's PanicException
                raise ImportFileError(
                    f"Лист «{meta.name}» файла «{name}» не читается: {_why_unreadable(exc, workbook, meta.name)} "
                    "Откройте файл в Excel и сохраните его заново."
                ) from exc
            sheets.append(SheetData(path, meta.name, rows))
    finally:
        workbook.close()
    if not sheets:
        raise ImportFileError(f"В файле «{name}» нет ни одного видимого листа с данными.")
    return sheets


def _why_unreadable(exc: BaseException, workbook: object = None, sheet_name: str = "") -> str:
    text = str(exc).lower()
    if (
        isinstance(exc, OverflowError)
        or "timedelta" in text
        or "out of bounds" in text
        or "out of range" in text
    ):
        rows = _rows_failing(workbook, sheet_name)
        where = f"в {'строках' if len(rows) > 1 else 'строке'} {', '.join(map(str, rows))} " if rows else ""
        return (
            f"{where}число, оформленное как дата или время, вне допустимого диапазона — исправьте ячейку "
            "или уберите у неё формат даты."
        )
    if "entity" in text or "doctype" in text or "dtd" in text:
        return (
            "в нём есть определения сущностей XML (DOCTYPE), которых Excel не записывает — файл изменён "
            "другой программой или подделан, и программа его не читает."
        )
    return "файл повреждён (его содержимое не соответствует формату книги Excel)."


def _rows_failing(workbook: object, sheet_name: str) -> list[int]:
    """The first rows (as Excel numbers them) whose cells calamine cannot convert, read row by row."""
    found: list[int] = []
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)  # type: ignore[attr-defined]
        first = sheet.start[0] if sheet.start else 0
        rows = sheet.iter_rows()
        for index in range(MAX_ROWS):
            try:
                next(rows)
            except StopIteration:
                break
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # the panic again, for this row only
                found.append(first + index + 1)
                if len(found) == 5:
                    break
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        return found
    return found


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
