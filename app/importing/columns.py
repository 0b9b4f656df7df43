"""Finding the header row and matching columns to fields by their Russian titles.

Real files put a title, a date or a blank line above the header, and name the same column in a
dozen ways («Наименование ОО», «Полное наименование», «Школа»). Titles are compared after
folding case, ё/е, punctuation and line breaks; an exact synonym wins over a partial one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.importing.errors import ImportFileError
from app.importing.sheet import Cell, SheetData, column_letter
from app.text import fold

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    title: str  # shown in the mapping combo and in messages
    synonyms: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class SourceColumn:
    index: int
    letter: str
    title: str
    field: str | None


@dataclass(frozen=True)
class HeaderMatch:
    sheet: SheetData
    row_index: int  # 0-based index into sheet.rows
    columns: list[SourceColumn]

    @property
    def header_row(self) -> int:
        """The header's row number as Excel shows it."""
        return self.row_index + 1

    def mapping(self) -> dict[int, str | None]:
        return {c.index: c.field for c in self.columns}


def normalize_title(value: Cell) -> str:
    text = fold(str(value)) if value is not None else ""
    text = text.replace("№", " номер ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@lru_cache(maxsize=1024)
def _synonym_keys(spec: ColumnSpec) -> tuple[str, ...]:
    """The spec's title and synonyms, normalised once rather than for every cell of every row scanned."""
    return tuple(normalize_title(synonym) for synonym in (spec.title, *spec.synonyms))


def _score(title: str, spec: ColumnSpec) -> int:
    """2: exact synonym; 1: a long synonym contained in the title; 0: no match."""
    best = 0
    for key in _synonym_keys(spec):
        if title == key:
            return 2
        if len(key) >= 6 and (key in title):
            best = 1
    return best


def match_columns(header: Sequence[Cell], specs: Sequence[ColumnSpec]) -> dict[int, str]:
    """Map column indexes to fields; each field goes to its best column, exact titles first."""
    candidates: list[tuple[int, int, str]] = []
    for index, cell in enumerate(header):
        title = normalize_title(cell)
        if not title:
            continue
        for order, spec in enumerate(specs):
            score = _score(title, spec)
            if score:
                candidates.append((-score, order, f"{index}:{spec.field}"))
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, pair in sorted(candidates):
        index_text, field = pair.split(":", 1)
        index = int(index_text)
        if index in mapping or field in taken:
            continue
        mapping[index] = field
        taken.add(field)
    return mapping


def find_header(sheets: Sequence[SheetData], specs: Sequence[ColumnSpec]) -> HeaderMatch:
    """The sheet and row whose cells match the most fields (a required field among them)."""
    required = {s.field for s in specs if s.required}
    best: tuple[int, SheetData, int, dict[int, str]] | None = None
    for sheet in sheets:
        for row_index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            mapping = match_columns(row, specs)
            if not mapping or not required.issubset(mapping.values()):
                continue
            if best is None or len(mapping) > best[0]:
                best = (len(mapping), sheet, row_index, mapping)
    if best is None:
        expected = ", ".join(f"«{s.title}»" for s in specs if s.required) or "—"
        examples = ", ".join(f"«{s.title}»" for s in specs[:6])
        name = sheets[0].path.name if sheets else "?"
        raise ImportFileError(
            f"В файле «{name}» не найдена строка заголовков таблицы (просмотрены первые "
            f"{HEADER_SCAN_ROWS} строк каждого листа). Нужен хотя бы столбец {expected}; "
            f"распознаются, например, {examples}."
        )
    _, sheet, row_index, mapping = best
    header = sheet.rows[row_index]
    columns = [
        SourceColumn(i, column_letter(i), _title_text(cell), mapping.get(i))
        for i, cell in enumerate(header)
        if _title_text(cell) or i in mapping
    ]
    return HeaderMatch(sheet, row_index, columns)


def _title_text(cell: Cell) -> str:
    return " ".join(str(cell).split()) if cell not in (None, "") else ""


def remap(match: HeaderMatch, mapping: dict[int, str | None]) -> HeaderMatch:
    """The same header with the user's choice of field per column (None: do not load)."""
    used: set[str] = set()
    columns = []
    for column in match.columns:
        field = mapping.get(column.index, column.field)
        if field is not None and field in used:
            field = None  # one field comes from one column; the first choice wins
        if field is not None:
            used.add(field)
        columns.append(SourceColumn(column.index, column.letter, column.title, field))
    return HeaderMatch(match.sheet, match.row_index, columns)
