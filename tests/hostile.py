"""Hostile files for every importer, and the harness that feeds them in (issue #8).

Shared by tests/app/test_hostile_files.py (a few hundred cases, property-based with hypothesis)
and bench/hostile.py (the long run, 10,000 cases). Everything starts from valid inputs — the seed
documents (resources/demo/plans/*.txt, ../shared/seeds when present) and .xlsx/.docx files built
here with openpyxl and python-docx the way the tests build them — and breaks them:

    truncated zips, a corrupted central directory, a member replaced or missing, XML bombs
    (billion laughs), external entities (file:///etc/passwd and a file of our own holding a
    marker), a zip member whose declared size lies, an inflate bomb, wrong cell types (dates,
    formulas, errors, booleans, huge numbers, NaN, long strings, control, RTL and zero-width
    characters), empty sheets, a sheet reaching row 1,000,000 (and cell XFD1048576), a 100 MB
    file (sparse), non-UTF-8 text, a .docx that is an .xlsx and the reverse, random bytes with
    the right extension, Cyrillic names with spaces in Cyrillic folders, read-only files, a file
    that vanishes between preview and apply, and byte-level mutations.

`run_case` runs one importer's preview and apply on a case against a database and says whether
the file was accepted, refused with a message, or escaped with a traceback; `message_problems`
says what is wrong with a message a user would read; `dump` is the database's whole content.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import sqlite3
import stat
import struct
import traceback
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
BUNDLED_SEEDS = ROOT / "resources" / "demo" / "plans"

IMPORTERS = ("registry", "plans", "orders", "partnerships", "monitoring", "results")
YEAR = 2020  # the demo district's academic year

# Strings that must never reach the database or a message: the content of files an external
# entity points at.
PASSWD_SIGNS = ("root:x:0:0", "root:*:0:0", "/bin/bash", "/usr/sbin/nologin")
ENGLISH_HINTS = re.compile(
    r"Traceback|\b[A-Za-z]*(?:Error|Exception|Warning)\b|BadZipFile|EntitiesForbidden|DTDForbidden|"
    r"NoneType|Errno|\bzipfile\b|\blxml\b|calamine|openpyxl|object has no attribute|not supported|"
    r"\bfile\b|\bline \d+|\bcolumn \d+"
)
_ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,:;'-]+[A-Za-z]{2,}){2,}")
_QUOTED = re.compile(r"«[^«»]*»|\"[^\"]*\"|“[^”]*”")


# ---- the seeds: valid files of every importer ------------------------------------------------------------


def seed_texts() -> list[tuple[str, str]]:
    """(name, text) of the seed documents: orders with plans, lists, groups and partnerships."""
    paths = sorted(SHARED_SEEDS.glob("*.txt")) if SHARED_SEEDS.is_dir() else []
    if not paths:
        paths = sorted(BUNDLED_SEEDS.glob("*.txt"))
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def text_to_docx(path: Path, text: str, *, limit: int | None = None) -> Path:
    """A Word file holding `text` as Word's own paste would: lines with tabs become table rows."""
    import docx

    document = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, cells, strict=False):
                cell.text = value
        rows.clear()

    lines = text.split("\n")
    for line in lines[:limit] if limit else lines:
        if "\t" in line:
            rows.append(line.split("\t")[:40])
        else:
            flush()
            document.add_paragraph(line.replace("**", ""))
    flush()
    document.save(str(path))
    return path


def workbook_bytes(rows: list[list[object]], path: Path, *, title: str = "Лист1") -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path.read_bytes()


REGISTRY_HEADER = ["Наименование ОО", "Краткое наименование", "Тип ОО", "Городская/сельская", "ИНН", "Логин"]
FLAT_HEADER = [
    "Учебный год",
    "Процедура",
    "Предмет",
    "Класс",
    "ОО",
    "Участников",
    '% "2"',
    '% "3"',
    '% "4"',
    '% "5"',
]


@dataclass
class Seed:
    importer: str
    suffix: str
    data: bytes
    name: str  # what it is, for the reports
    zip_text_part: str = ""  # the XML part with the text a hostile entity is put into


@dataclass
class World:
    """The base database (the demo district with its monitoring campaign) and the valid files."""

    folder: Path
    base: Path
    seeds: dict[str, list[Seed]]
    marker_file: Path
    marker: str
    names: list[str] = field(default_factory=list)  # the demo schools' short names
    bomb_megabytes: tuple[int, ...] = (1100, 1100, 300)  # inflate bombs: beyond and within the limits
    _counter: int = 0

    def fresh_database(self, folder: Path | None = None) -> Any:
        from db import open_database

        self._counter += 1
        target = (folder or self.folder / "databases") / f"case-{self._counter}.sqlite"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.base, target)
        return open_database(target)

    def case_folder(self) -> Path:
        self._counter += 1
        folder = self.folder / "cases" / str(self._counter)
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def build_world(folder: Path) -> World:
    """The base database and every seed file, built once (about a second)."""
    from app.demo import create_demo
    from app.jobs import run_job
    from app.monitoring.forms import write_forms
    from app.schools import SchoolService
    from db import open_database

    folder.mkdir(parents=True, exist_ok=True)
    build = folder / "build"
    build.mkdir(exist_ok=True)
    base = folder / "base.sqlite"
    if base.exists():
        base.unlink()
    database = open_database(base)
    try:
        create_demo(database)
        schools = SchoolService(database).list_schools()
        campaign = database.query("SELECT id FROM monitoring_campaigns ORDER BY id LIMIT 1")[0][0]
        form_paths = run_job(write_forms(database, campaign, build / "формы"))
    finally:
        database.close()
    names = [s.short_name or s.full_name for s in schools]
    seeds: dict[str, list[Seed]] = {name: [] for name in IMPORTERS}

    registry_rows = [REGISTRY_HEADER]
    registry_rows += [
        [s.full_name, s.short_name, "СОШ", "сельская", s.inn or "", s.fis_login or ""] for s in schools[:4]
    ]
    registry_rows += [
        [f"МБОУ «Новая СОШ № {n}»", f"Новая СОШ № {n}", "СОШ", "городская", "", f"sch99{n:04d}"]
        for n in range(3)
    ]
    seeds["registry"].append(
        Seed(
            "registry",
            ".xlsx",
            workbook_bytes(registry_rows, build / "реестр.xlsx"),
            "реестр",
            "xl/worksheets/sheet1.xml",
        )
    )

    for stem, text in seed_texts():
        data = text.encode("utf-8")
        seeds["plans"].append(Seed("plans", ".txt", data, f"план {stem}"))
        seeds["orders"].append(Seed("orders", ".txt", data, f"приказ {stem}"))
        docx_path = text_to_docx(build / f"{stem}.docx", text)
        for importer in ("plans", "orders"):
            seeds[importer].append(
                Seed(importer, ".docx", docx_path.read_bytes(), f"{stem}.docx", "word/document.xml")
            )
    plan_rows = [
        ["План мероприятий по повышению качества образования на 2020-2021 учебный год"],
        [],
        ["№ п/п", "Мероприятие", "Сроки исполнения", "Ответственный исполнитель"],
        [1, "Совещание с руководителями ШНРО", "Сентябрь 2020", "Комитет образования"],
        [2, "Анализ результатов ВПР", "Октябрь-ноябрь 2020г", "ИМС"],
        [3, "Посещение уроков", "в течение года", "Руководители ОО"],
    ]
    seeds["plans"].append(
        Seed(
            "plans",
            ".xlsx",
            workbook_bytes(plan_rows, build / "план.xlsx"),
            "план.xlsx",
            "xl/worksheets/sheet1.xml",
        )
    )
    html = (
        "<html><body><p><b>План мероприятий на 2020-2021 учебный год</b></p><table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in plan_rows[2:])
        + "</table></body></html>"
    )
    seeds["plans"].append(Seed("plans", ".html", html.encode("utf-8"), "план.html"))

    pairs = [f"{names[3]} - {names[4]}", f"{names[0]} – {names[5]} – {names[6]}", f"{names[1]} - {names[7]}"]
    seeds["partnerships"].append(Seed("partnerships", ".txt", "\n".join(pairs).encode("utf-8"), "пары.txt"))
    partner_rows = [
        ["ШНРО", "Школа-партнёр"],
        [names[3], names[4]],
        [names[1], names[7]],
        [names[0], names[5]],
    ]
    seeds["partnerships"].append(
        Seed(
            "partnerships",
            ".xlsx",
            workbook_bytes(partner_rows, build / "партнёрства.xlsx"),
            "партнёрства.xlsx",
            "xl/worksheets/sheet1.xml",
        )
    )
    docx_path = text_to_docx(
        build / "партнёрства.docx", "Сетевые пары на 2020-2021 учебный год\n" + "\n".join(pairs)
    )
    seeds["partnerships"].append(
        Seed("partnerships", ".docx", docx_path.read_bytes(), "партнёрства.docx", "word/document.xml")
    )

    for path in form_paths[:2]:
        fill_form(path)
        seeds["monitoring"].append(
            Seed("monitoring", ".xlsx", path.read_bytes(), f"форма {path.stem}", "xl/worksheets/sheet1.xml")
        )

    flat_rows = [["Результаты ОГЭ"], [], FLAT_HEADER]
    flat_rows += [[2020, "ОГЭ", "Математика", 9, names[n], 20 + n, 10, 40, 35, 15] for n in range(4)]
    seeds["results"].append(
        Seed(
            "results",
            ".xlsx",
            workbook_bytes(flat_rows, build / "результаты.xlsx"),
            "шаблон",
            "xl/worksheets/sheet1.xml",
        )
    )
    statistics = [
        ["ВПР 2021. Математика 5 класс"],
        ["Статистика по отметкам"],
        [None, "Фильтр:"],
        [None, "Регион: Ленинградская обл."],
        [],
        ["ОО", "Количество участников", "% «2»", "% «3»", "% «4»", "% «5»"],
        ["Ленинградская обл.", 15200, 12.5, 40.1, 33.4, 14.0],
        ["Кировский муниципальный район", 640, 14.06, 39.84, 32.81, 13.29],
        *[[names[n], 30 + n, 10.0, 40.0, 35.0, 15.0] for n in range(3)],
    ]
    seeds["results"].append(
        Seed(
            "results",
            ".xlsx",
            workbook_bytes(statistics, build / "статистика.xlsx"),
            "статистика",
            "xl/worksheets/sheet1.xml",
        )
    )

    marker = f"ОПОРА-МЕТКА-{random.Random(str(folder)).randrange(10**9):09d}"
    marker_file = folder / "секрет с пробелами.txt"
    marker_file.write_text(marker, encoding="utf-8")
    return World(folder, base, seeds, marker_file, marker, names)


def fill_form(path: Path) -> None:
    """What a school does with its form: type a number, a percent and a yes/no into value cells."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Анкета"]
    typed = 0
    for row in range(5, min(sheet.max_row, 200) + 1):
        cell = sheet[f"D{row}"]
        if cell.protection.locked is False and cell.value in (None, "") and typed < 3:
            validation = [dv for dv in sheet.data_validations.dataValidation if f"D{row}" in dv.sqref]
            kind = validation[0].type if validation else None
            if kind in ("whole", "decimal"):
                cell.value = 7
                typed += 1
            elif kind == "list" and validation[0].formula1 and "," in validation[0].formula1:
                cell.value = validation[0].formula1.strip('"').split(",")[0]
                typed += 1
    workbook.save(path)


# ---- the hostile kinds -------------------------------------------------------------------------------------


@dataclass
class Case:
    importer: str
    kind: str
    path: Path
    seed: str = ""
    secrets: tuple[str, ...] = ()  # must never reach the database or a message
    vanish: bool = False  # the file is deleted between preview and apply
    disk_full: bool = False  # the database fills up in the apply step
    note: str = ""


ZIP_KINDS = (
    "truncated",
    "central_directory",
    "member_replaced",
    "member_missing",
    "xml_bomb",
    "xxe_marker",
    "xxe_passwd",
    "lying_size",
    "inflate_bomb",
)
CELL_KINDS = ("wrong_types", "empty_sheet", "million_rows", "far_cell")
TEXT_KINDS = ("non_utf8", "control_chars", "long_line")
GENERIC_KINDS = (
    "random_bytes",
    "wrong_format",
    "huge_file",
    "cyrillic_path",
    "read_only",
    "vanished",
    "byte_mutation",
    "empty_file",
)
APPLY_KINDS = ("disk_full",)
ALL_KINDS = ZIP_KINDS + CELL_KINDS + TEXT_KINDS + GENERIC_KINDS + APPLY_KINDS

# The importers whose files are workbooks only; the others read Word, text and HTML too.
_WORKBOOK_ONLY = {"registry", "monitoring", "results"}


def kinds_for(importer: str) -> tuple[str, ...]:
    kinds = list(ZIP_KINDS + GENERIC_KINDS + APPLY_KINDS)
    if importer in {"registry", "plans", "partnerships", "monitoring", "results"}:
        kinds += CELL_KINDS
    if importer not in _WORKBOOK_ONLY:
        kinds += TEXT_KINDS
    return tuple(kinds)


def _zip_seeds(world: World, importer: str) -> list[Seed]:
    return [s for s in world.seeds[importer] if s.suffix in (".xlsx", ".docx")]


def _text_seeds(world: World, importer: str) -> list[Seed]:
    return [s for s in world.seeds[importer] if s.suffix in (".txt", ".html", ".csv")]


def _pick(rng: random.Random, seeds: list[Seed], fallback: list[Seed]) -> Seed:
    return rng.choice(seeds or fallback)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rezip(
    data: bytes, change: Callable[[str, bytes], bytes | None], *, extra: dict[str, bytes] | None = None
) -> bytes:
    """The same zip with each member passed through `change` (None drops it)."""
    import io

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_doctype(xml: bytes, doctype: str, reference: str) -> bytes:
    """`xml` with a DOCTYPE after its declaration and `reference` put into its first text node."""
    declaration = b""
    body = xml
    if body.startswith(b"<?xml"):
        end = body.index(b"?>") + 2
        declaration, body = body[:end], body[end:]
    root = re.match(rb"\s*<([\w:]+)", body)
    name = root.group(1).decode() if root else "root"
    doctype_bytes = doctype.replace("ROOT", name).encode("utf-8")
    text = re.search(rb"(<(?:\w+:)?t(?:\s[^>]*)?>)([^<]*)(</(?:\w+:)?t>)", body)
    if text:
        body = body[: text.end(1)] + reference.encode() + body[text.start(3) :]
    else:
        body = re.sub(rb"(<[^?!][^>]*>)", lambda m: m.group(1) + reference.encode(), body, count=1)
    return declaration + doctype_bytes + body


BILLION_LAUGHS = (
    '<!DOCTYPE ROOT [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    )
    + "]>"
)
QUADRATIC = '<!DOCTYPE ROOT [<!ENTITY big "' + "Ж" * 50_000 + '">]>'


def _main_part(seed: Seed, names: list[str]) -> str:
    if seed.zip_text_part in names:
        return seed.zip_text_part
    xml = [n for n in names if n.endswith(".xml")]
    return xml[0] if xml else names[0]


def make_case(world: World, importer: str, kind: str, rng: random.Random) -> Case:
    """One hostile file of `kind` for `importer`, written into a fresh folder of the world."""
    folder = world.case_folder()
    seeds = world.seeds[importer]
    zips = _zip_seeds(world, importer)
    if kind in CELL_KINDS:
        zips = [z for z in zips if z.suffix == ".xlsx"]
    seed = _pick(rng, zips if kind in ZIP_KINDS + CELL_KINDS else seeds, seeds)
    stem = f"{importer}-{kind}"
    case = Case(importer, kind, folder / f"{stem}{seed.suffix}", seed.name)

    def write(data: bytes, suffix: str = seed.suffix, name: str | None = None) -> Case:
        case.path = _write(folder, name or f"{stem}{suffix}", data)
        return case

    if kind == "truncated":
        return write(seed.data[: rng.randrange(1, len(seed.data))])
    if kind == "central_directory":
        data = bytearray(seed.data)
        start = data.rfind(b"PK\x01\x02", 0, len(data))
        start = data.find(b"PK\x01\x02") if rng.random() < 0.5 else start
        eocd = data.rfind(b"PK\x05\x06")
        span = range(max(start, 0), len(data)) if start >= 0 else range(len(data) - 22, len(data))
        for _ in range(rng.randint(1, 8)):
            data[rng.choice(span)] = rng.randrange(256)
        if rng.random() < 0.3 and eocd >= 0:  # the central directory's offset points elsewhere
            data[eocd + 16 : eocd + 20] = struct.pack("<I", rng.randrange(len(data) * 2))
        return write(bytes(data))
    if kind == "member_replaced":
        with zipfile.ZipFile(_bytes_io(seed.data)) as archive:
            names = archive.namelist()
        target = rng.choice([_main_part(seed, names), *names])
        replacement = rng.choice(
            [
                b"",
                os.urandom(rng.randrange(1, 4096)),
                b"<?xml version='1.0'?><root/>",
                b"<unclosed><a>",
                "просто текст".encode("cp1251"),
                b"<?xml version='1.0' encoding='UTF-16'?><a/>",
                b"\xef\xbb\xbf<?xml version='1.0'?>" + b"<a>" * 5000,
            ]
        )
        case.note = target
        return write(rezip(seed.data, lambda name, content: replacement if name == target else content))
    if kind == "member_missing":
        with zipfile.ZipFile(_bytes_io(seed.data)) as archive:
            names = archive.namelist()
        target = rng.choice([_main_part(seed, names), *names])
        case.note = target
        return write(rezip(seed.data, lambda name, content: None if name == target else content))
    if kind in ("xml_bomb", "xxe_marker", "xxe_passwd"):
        data, case.secrets, case.note = entity_file(world, seed, kind, rng)
        return write(data)
    if kind == "lying_size":
        return write(_lying_size(seed.data, rng))
    if kind == "inflate_bomb":
        return write(inflate_bomb(seed, rng.choice(world.bomb_megabytes) * 1024 * 1024))
    if kind == "wrong_types":
        return write(wrong_types_workbook(seed, folder, rng))
    if kind == "empty_sheet":
        return write(
            workbook_bytes([], folder / "пусто.xlsx") if rng.random() < 0.5 else _empty_rows(folder), ".xlsx"
        )
    if kind == "million_rows":
        return write(_far_rows(seed, rng, far_column=False))
    if kind == "far_cell":
        return write(_far_rows(seed, rng, far_column=True))
    if kind == "non_utf8":
        text_seed = _pick(rng, _text_seeds(world, importer), seeds)
        text = text_seed.data.decode("utf-8", "replace") if text_seed.suffix != ".xlsx" else "Школа"
        encoding = rng.choice(["cp1251", "koi8-r", "utf-16-le", "utf-16", "cp866", "mac-cyrillic", "latin-1"])
        data = text.encode(encoding, "replace")
        if rng.random() < 0.5:
            position = rng.randrange(len(data) + 1)
            data = (
                data[:position]
                + bytes(rng.randrange(128, 256) for _ in range(rng.randrange(1, 64)))
                + data[position:]
            )
        return write(data, text_seed.suffix if text_seed.suffix in (".txt", ".html", ".csv") else ".txt")
    if kind == "control_chars":
        text_seed = _pick(rng, _text_seeds(world, importer), seeds)
        text = text_seed.data.decode("utf-8", "replace")
        chars = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\u202e\u200b\u200f\ufeff\u2028\u2029\ud7ff\U0001f600\u0301"
        pieces = list(text)
        for _ in range(rng.randint(1, 200)):
            pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(chars) * rng.randint(1, 5))
        return write("".join(pieces).encode("utf-8", "surrogatepass"), text_seed.suffix)
    if kind == "long_line":
        text_seed = _pick(rng, _text_seeds(world, importer), seeds)
        line = rng.choice(["Ж", "а\tб\t", "<td>", "1. ", " - "]) * rng.choice([100_000, 1_000_000, 3_000_000])
        return write(text_seed.data + b"\n" + line.encode("utf-8"), text_seed.suffix)
    if kind == "random_bytes":
        size = rng.choice([1, 10, 100, 1000, 30_000])
        head = rng.choice(
            [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-1.4", b"{\\rtf1", b"\xff\xfe"]
        )
        return write(head + bytes(rng.randrange(256) for _ in range(size)))
    if kind == "wrong_format":
        others = [s for name, group in world.seeds.items() for s in group if s.suffix != seed.suffix]
        other = rng.choice(others)
        case.note = f"{other.suffix} как {seed.suffix}"
        return write(other.data)
    if kind == "huge_file":
        case.path = sparse_file(folder / f"{stem}{seed.suffix}", seed.data, 100 * 1024 * 1024)
        return case
    if kind == "cyrillic_path":
        place = folder / "Мои документы" / "Папка с пробелами — копия (2)"
        place.mkdir(parents=True)
        case.path = _write(place, f"Файл № 1 от «школы» — копия{seed.suffix}", seed.data)
        return case
    if kind == "read_only":
        write(seed.data)
        case.path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
        return case
    if kind == "vanished":
        case.vanish = True
        return write(seed.data)
    if kind == "disk_full":
        case.disk_full = True
        bulky = bulky_file(world, importer, folder, rng)
        case.path = bulky or write(seed.data).path
        return case
    if kind == "byte_mutation":
        return write(mutate(seed.data, rng))
    if kind == "empty_file":
        return write(b"")
    raise ValueError(kind)


def entity_file(
    world: World, seed: Seed, kind: str, rng: random.Random
) -> tuple[bytes, tuple[str, ...], str]:
    """The seed (a zip) with a DOCTYPE in its main XML part: a billion laughs or a quadratic blow-up
    (xml_bomb), an external entity naming the world's marker file (xxe_marker) or /etc/passwd
    (xxe_passwd), sometimes as a parameter entity. (data, the strings that must not leak, the part)."""
    with zipfile.ZipFile(_bytes_io(seed.data)) as archive:
        target = _main_part(seed, archive.namelist())
    secrets: tuple[str, ...] = ()
    if kind == "xml_bomb":
        doctype, reference = rng.choice([(BILLION_LAUGHS, "&lol9;"), (QUADRATIC, "&big;" * 2000)])
    elif kind == "xxe_marker":
        doctype = f'<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "{world.marker_file.as_uri()}">]>'
        reference = "&xxe;"
        secrets = (world.marker,)
    else:
        doctype = '<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        reference = "&xxe;"
        secrets = PASSWD_SIGNS
    if kind != "xml_bomb" and rng.random() < 0.3:  # a parameter entity, the other way in
        doctype = doctype.replace("<!ENTITY xxe SYSTEM", "<!ENTITY % xxe SYSTEM").replace("]>", " %xxe;]>")
    data = rezip(
        seed.data,
        lambda name, content: with_doctype(content, doctype, reference) if name == target else content,
    )
    return data, secrets, target


def bulky_file(world: World, importer: str, folder: Path, rng: random.Random) -> Path | None:
    """A valid file whose apply step writes enough to need new pages of the database (a full disk
    then stops it); None where a seed does that already (plans and orders)."""
    import openpyxl

    names = world.names
    long_text = "Совместное методическое объединение, взаимные посещения уроков. " * 300
    if importer == "registry":
        rows = [REGISTRY_HEADER] + [
            [
                f"МБОУ «Средняя школа № {n}» {long_text[:400]}",
                f"СОШ № {n}",
                "СОШ",
                "городская",
                "",
                f"sch8{n:05d}",
            ]
            for n in range(rng.randint(200, 400))
        ]
        path = folder / "большой реестр.xlsx"
        workbook_bytes(rows, path)
        return path
    if importer == "partnerships":
        rows = [["ШНРО", "Школа-партнёр", "Совместные мероприятия"]]
        rows += [[names[a], names[b], long_text] for a, b in ((3, 4), (1, 7), (0, 5), (2, 6))]
        path = folder / "партнёрства с мероприятиями.xlsx"
        workbook_bytes(rows, path)
        return path
    if importer == "monitoring":
        path = folder / "форма с комментариями.xlsx"
        path.write_bytes(rng.choice(world.seeds["monitoring"]).data)
        workbook = openpyxl.load_workbook(path)
        sheet = workbook["Анкета"]
        for row in range(5, sheet.max_row + 1):
            if sheet[f"E{row}"].protection.locked is False:
                sheet[f"E{row}"].value = f"{row}: {long_text[:3000]}"
        workbook.save(path)
        return path
    if importer == "results":
        rows = [["Результаты"], [], ["Уровень", *FLAT_HEADER]]
        subjects = ("Математика", "Русский язык", "История", "Биология", "География", "Физика", "Химия")
        rows += [
            [
                "регион",
                2020,
                "ВПР",
                subject,
                grade,
                f"{long_text[:200]} регион № {n}",
                100 + n,
                10,
                40,
                35,
                15,
            ]
            for n in range(rng.randint(20, 40))
            for subject in subjects
            for grade in (5, 6, 7, 8)
        ]
        path = folder / "результаты регионов.xlsx"
        workbook_bytes(rows, path)
        return path
    return None


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _lying_size(data: bytes, rng: random.Random) -> bytes:
    """The central directory says a member is small (or huge) while its data says otherwise."""
    out = bytearray(data)
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        if rng.random() < 0.5:
            size = rng.choice([0, 1, 10, 2**31 - 1, 2**32 - 1])
            out[position + 24 : position + 28] = struct.pack("<I", size)  # uncompressed size
        position = out.find(b"PK\x01\x02", position + 4)
    return bytes(out)


_BOMBS: dict[tuple[str, int], bytes] = {}


def inflate_bomb(seed: Seed, size: int) -> bytes:
    """The seed with its main XML part followed by `size` bytes of spaces (a 1,000:1 ratio): the file
    stays about a megabyte while its declared unpacked size goes past the readers' limits."""
    import io

    key = (seed.name, size)
    if key not in _BOMBS:
        with zipfile.ZipFile(io.BytesIO(seed.data)) as source:
            names = source.namelist()
            main = _main_part(seed, names)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for name in names:
                    content = source.read(name)
                    if name != main:
                        target.writestr(name, content)
                        continue
                    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with target.open(info, "w", force_zip64=True) as member:
                        member.write(content)
                        block = b" " * (8 * 1024 * 1024)
                        for _ in range(size // len(block)):
                            member.write(block)
        _BOMBS[key] = out.getvalue()
    return _BOMBS[key]


def wrong_types_workbook(seed: Seed, folder: Path, rng: random.Random) -> bytes:
    """The seed workbook with some data cells replaced by values of unexpected types."""
    import openpyxl

    path = folder / "типы.xlsx"
    path.write_bytes(seed.data)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    values = hostile_values(rng, 40)
    cells = [c for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 60)) for c in row]
    for value in values:
        if not cells:
            break
        cell = rng.choice(cells)
        try:
            cell.value = value
        except Exception:  # openpyxl refuses some characters itself; the XML route below puts them in
            cell.value = repr(value)
    workbook.save(path)
    data = path.read_bytes()
    if rng.random() < 0.5:  # what openpyxl will not write: raw control characters, errors, odd types
        data = rezip(
            data,
            lambda name, content: _raw_cells(content, rng) if name.startswith("xl/worksheets/") else content,
        )
    return data


def hostile_values(rng: random.Random, count: int) -> list[object]:
    pool: list[Callable[[], object]] = [
        lambda: (
            datetime(1900, 1, 1) + timedelta(days=rng.randrange(0, 80_000), seconds=rng.randrange(86_400))
        ),
        lambda: date(rng.randrange(1, 9999), rng.randrange(1, 13), rng.randrange(1, 29)),
        lambda: time(rng.randrange(24), rng.randrange(60)),
        lambda: timedelta(days=rng.randrange(-1000, 1000)),
        lambda: rng.choice(
            ["=1/0", "=A1+B1", '=HYPERLINK("http://x")', "=SUM(A:A)", "=cmd|' /C calc'!A0", "=" * 10]
        ),
        lambda: rng.choice([True, False]),
        lambda: rng.choice([10**30, -(10**30), 1e308, -1e308, 1e-308, 2**63, -(2**63), 0.1 + 0.2]),
        lambda: rng.choice([float("nan"), float("inf"), float("-inf")]),
        lambda: "Ж" * rng.choice([300, 32_767, 100_000]),
        lambda: "".join(
            rng.choice("\u202e\u200b\u200f\u2066\ufeff\u0301ШколаSchool\t \u00a0")
            for _ in range(rng.randrange(1, 60))
        ),
        lambda: rng.choice(["#DIV/0!", "#N/A", "#ЗНАЧ!", "#REF!", "NaN", "None", "null", "-", "—", "0", ""]),
        lambda: rng.choice(["1 200", "55,75", "1e9999", "-0", "٣", "١٢", "Ⅻ", "١٫٥"]),
        lambda: rng.randrange(-(10**6), 10**6) / rng.choice([1, 3, 7, 1000]),
    ]
    return [rng.choice(pool)() for _ in range(count)]


def _raw_cells(xml: bytes, rng: random.Random) -> bytes:
    """Cells openpyxl would not write: control characters escaped as Excel does (_x0001_), error
    cells, unknown types, booleans that are not 0/1, dates as text, huge shared string indexes."""
    kinds = [
        b'<c r="\\1" t="inlineStr"><is><t>_x0001__x001F__x0000_\xe2\x80\xae</t></is></c>',
        b'<c r="\\1" t="e"><v>#DIV/0!</v></c>',
        b'<c r="\\1" t="b"><v>2</v></c>',
        b'<c r="\\1" t="d"><v>2020-13-45T99:99:99</v></c>',
        b'<c r="\\1" t="s"><v>999999999</v></c>',
        b'<c r="\\1" t="n"><v>1e999</v></c>',
        b'<c r="\\1" t="n"><v>NaN</v></c>',
        b'<c r="\\1" t="zz"><v>?</v></c>',
        b'<c r="\\1" t="str"><f>1/0</f><v></v></c>',
        b'<c r="\\1" s="99999"><v>1</v></c>',
    ]
    count = rng.randint(1, 6)
    return re.sub(
        rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)',
        lambda m: re.sub(rb"\\1", m.group(1), rng.choice(kinds)) if rng.random() < 0.3 else m.group(0),
        xml,
        count=count * 3,
    )


def _empty_rows(folder: Path) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Пустой"
    workbook.create_sheet("Тоже пустой")
    workbook.active["A1"] = None
    path = folder / "пустые.xlsx"
    workbook.save(path)
    return path.read_bytes()


def _far_rows(seed: Seed, rng: random.Random, *, far_column: bool) -> bytes:
    """A sheet that declares (and fills) row 1,000,000, and, with far_column, cell XFD1048576 — a
    grid of 17 billion cells for a reader that makes its sheets dense."""
    row = rng.choice([300_000, 1_000_000, 1_048_576])
    if far_column:
        cell = rng.choice(
            [
                f'<row r="{row}"><c r="XFD{row}"><v>1</v></c></row>',
                f"<row r='{row}'><c r='xfd{row}' t='inlineStr'><is><t>x</t></is></c></row>",
                "<row>"
                + "<c><v>1</v></c>" * 16_384
                + "</row>"
                + "<row/>" * 200_000
                + "<row><c><v>1</v></c></row>",
                f'<row r="2"><c r="AAAA{row}"><v>1</v></c></row>',
            ]
        ).encode()
    else:
        cell = f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>Школа</t></is></c></row>'.encode()

    def change(name: str, content: bytes) -> bytes:
        if not name.startswith("xl/worksheets/sheet"):
            return content
        content = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:F{row}"/>'.encode(), content)
        return content.replace(b"</sheetData>", cell + b"</sheetData>", 1)

    return rezip(seed.data, change)


def sparse_file(path: Path, head: bytes, size: int) -> Path:
    """A file of `size` bytes that starts like `head` and takes no disk space beyond it."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


def mutate(data: bytes, rng: random.Random, count: int | None = None) -> bytes:
    """Byte-level mutations: flips, random bytes, deletions, duplications, insertions."""
    out = bytearray(data)
    for _ in range(count or rng.randint(1, 12)):
        if not out:
            out += bytes([rng.randrange(256)])
        position = rng.randrange(len(out))
        action = rng.randrange(5)
        if action == 0:
            out[position] ^= 1 << rng.randrange(8)
        elif action == 1:
            out[position] = rng.randrange(256)
        elif action == 2:
            del out[position : position + rng.randint(1, 64)]
        elif action == 3:
            out[position:position] = out[position : position + rng.randint(1, 64)]
        else:
            out[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(out)


def apply_mutations(data: bytes, mutations: Iterable[tuple[int, int, bytes]]) -> bytes:
    """Mutations given as (position, how many bytes to remove, bytes to insert) — hypothesis' form."""
    out = bytearray(data)
    for position, remove, insert in mutations:
        at = position % (len(out) + 1)
        out[at : at + remove] = insert
    return bytes(out)


# ---- running an importer on a case ------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # "accepted", "refused" or "traceback"
    messages: list[str] = field(default_factory=list)  # every message a user would read
    problems: list[str] = field(default_factory=list)  # what is wrong (bad messages, data changed, leaks)
    error: str = ""  # the traceback, for "traceback"
    stage: str = ""  # "preview" or "apply"


def dump(database: Any) -> dict[str, list[tuple]]:
    """Every row of every table, for comparing the content before and after."""
    conn = database.connection()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [tuple(r) for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables}


def message_problems(text: str, file_name: str, *, must_name_file: bool = True) -> list[str]:
    """What is wrong with a message a user reads: not Russian, English internals, the file unnamed."""
    problems = []
    if not re.search(r"[А-Яа-яЁё]", text):
        problems.append(f"нет русского текста: {text!r}")
    stripped = text.replace(file_name, "«»")
    stripped = _QUOTED.sub("«»", stripped)
    english = ENGLISH_HINTS.search(stripped) or _ENGLISH_RUN.search(stripped)
    if english:
        problems.append(f"английский текст «{english.group(0)}» в сообщении: {text!r}")
    if must_name_file and file_name not in text:
        problems.append(f"файл «{file_name}» не назван: {text!r}")
    return problems


def _leaks(texts: Iterable[str], secrets: tuple[str, ...]) -> list[str]:
    return [f"содержимое внешнего файла попало в сообщение: {s!r}" for t in texts for s in secrets if s in t]


def fill_database(database: Any, spare_pages: int = 0) -> None:
    """Let the database grow by only a couple of pages: the next sizeable write fails with SQLITE_FULL,
    as on a full disk (PRAGMA max_page_count, on this thread's connection)."""
    conn = database.connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def run_case(case: Case, database: Any) -> Outcome:
    """Preview, then (when the preview offers something) apply; the outcome with its problems."""
    from app.errors import AppError
    from db.errors import DatabaseError

    before = dump(database)
    name = case.path.name
    outcome = Outcome("refused")
    stage = "preview"
    try:
        preview, messages, ready = _preview(case.importer, database, case.path)
        outcome.messages = messages
        if ready:
            if case.vanish:
                case.path.unlink()
            if case.disk_full:
                fill_database(database)
            stage = "apply"
            messages_before = dump(database)
            try:
                _apply(case.importer, database, preview)
            except (AppError, DatabaseError):
                if dump(database) != messages_before:
                    outcome.problems.append("отказ при записи, но данные в базе изменились")
                raise
            outcome.status = "accepted"
    except (AppError, DatabaseError) as exc:
        outcome.status = "refused"
        outcome.stage = stage
        message = exc.message
        outcome.messages.append(message)
        outcome.problems += message_problems(
            message, name, must_name_file=stage == "preview" and not _generic(message)
        )
        if case.disk_full and stage == "apply" and "нет места" not in message:
            outcome.problems.append(f"при заполненном диске нет сообщения «нет места»: {message!r}")
    except BaseException as exc:  # anything else is the defect being looked for
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome.status = "traceback"
        outcome.stage = stage
        outcome.error = "".join(traceback.format_exception(exc))
    finally:
        if case.disk_full:
            _unfill(database)
    for text in outcome.messages[:-1] if outcome.status == "refused" else outcome.messages:
        outcome.problems += message_problems(text, name, must_name_file=False)
    outcome.problems = list(dict.fromkeys(outcome.problems))
    after = dump(database)
    if outcome.status != "accepted" and after != before:
        outcome.problems.append(
            f"файл не принят ({outcome.stage}), но база изменилась: {_difference(before, after)}"
        )
    if outcome.status == "accepted":
        lost = _lost_rows(before, after)
        if lost:
            outcome.problems.append(f"после загрузки пропали сохранённые строки: {lost}")
    if case.secrets:
        outcome.problems += _leaks(outcome.messages, case.secrets)
        flat = repr(after)
        outcome.problems += [
            f"содержимое внешнего файла попало в базу: {s!r}" for s in case.secrets if s in flat
        ]
    return outcome


def _generic(message: str) -> bool:
    """Refusals that are about the data as a whole, not one file (they need not name it)."""
    return message.startswith(("Нечего загружать", "На диске нет места", "База данных", "Базу данных"))


def _unfill(database: Any) -> None:
    with contextlib.suppress(sqlite3.Error):
        database.connection().execute("PRAGMA max_page_count = 1073741823")


def _difference(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> str:
    changed = [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]
    return ", ".join(f"{t}: {len(before.get(t, []))} → {len(after.get(t, []))}" for t in changed)


_MUTABLE = {
    "schools",
    "audit_log",
    "monitoring_values",
    "settings",
    "academic_years",
    "bodies",
    "assessment_results",
    "school_context",
}


def _lost_rows(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> str:
    """Rows saved before that an accepted import removed (updates are allowed where imports update)."""
    lost = []
    for table, rows in before.items():
        if table in _MUTABLE:
            ids_after = {r[0] for r in after.get(table, [])}
            missing = [r for r in rows if r[0] not in ids_after]
        else:
            remaining = set(after.get(table, []))
            missing = [r for r in rows if r not in remaining]
        if missing:
            lost.append(f"{table}: {len(missing)}")
    return ", ".join(lost)


def _preview(importer: str, database: Any, path: Path) -> tuple[Any, list[str], bool]:
    """(preview, messages, whether applying it would write something)."""
    from app.jobs import run_job

    if importer == "registry":
        from app.importing.registry_import import RowAction, preview_registry_import

        preview = run_job(preview_registry_import(database, path))
        issues = preview.issues()
        counts = preview.counts()
        ready = not preview.error_count() and (counts[RowAction.NEW] + counts[RowAction.UPDATE]) > 0
        return preview, [i.text() for i in issues], ready
    if importer == "plans":
        from app.importing.plan_parse import parse_file
        from app.plans.importer import preview_plan_import

        preview = preview_plan_import(parse_file(path), database=database)
        return preview, [i.text() for i in preview.issues], bool(preview.plans)
    if importer == "orders":
        from app.orders.importer import preview_document_import

        preview = preview_document_import(database, path)
        return preview, list(preview.warnings), True
    if importer == "partnerships":
        from app.partnerships.importer import preview_partnership_import

        preview = preview_partnership_import(database, path, YEAR)
        return preview, [i.text() for i in preview.issues] + preview.doubtful, bool(preview.ready_groups())
    if importer == "monitoring":
        from app.monitoring.forms import preview_forms

        preview = preview_forms(database, [path])
        ready = bool(preview.accepted) and preview.change_count() > 0
        return preview, [i.text() for i in preview.issues], ready
    if importer == "results":
        from app.results.importer import preview_results_import

        preview = preview_results_import(database, [path], year=YEAR)
        preview.accept_doubtful()
        ready = not preview.rejected_files and bool(preview.results() or preview.context())
        return preview, [i.text() for i in preview.issues()], ready
    raise ValueError(importer)


def _apply(importer: str, database: Any, preview: Any) -> None:
    from app.jobs import run_job

    if importer == "registry":
        from app.importing.registry_import import apply_registry_import

        run_job(apply_registry_import(database, preview))
    elif importer == "plans":
        from app.plans.importer import apply_plan_import

        apply_plan_import(database, preview)
    elif importer == "orders":
        from app.orders.importer import apply_document_import

        apply_document_import(database, preview)
    elif importer == "partnerships":
        from app.partnerships.importer import apply_partnership_import

        apply_partnership_import(database, preview)
    elif importer == "monitoring":
        from app.monitoring.forms import apply_forms

        apply_forms(database, preview)
    elif importer == "results":
        from app.results.importer import apply_results_import

        apply_results_import(database, preview)
    else:
        raise ValueError(importer)


def restore_permissions(case: Case) -> None:
    """Undo what a read-only case did to its folder, so that it can be removed."""
    for path in (case.path.parent, case.path):
        try:
            if path.exists():
                path.chmod(stat.S_IRWXU if path.is_dir() else stat.S_IRUSR | stat.S_IWUSR)
        except OSError:
            pass
