"""Searching, filtering and sorting the registry in memory, fast enough for 40,000 schools.

The registry view asks for the rows once and then filters on every keystroke here rather than in
SQLite (whose lower/LIKE do not fold Cyrillic) or in a QSortFilterProxyModel (which would call
back into Python once per row): each school's searchable text is folded once, and a keystroke is
one pass of substring checks over a list of strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain import Category, Locality, School, SchoolKind
from app.text import fold


@dataclass(frozen=True)
class RegistryQuery:
    text: str = ""
    kind: SchoolKind | None = None
    locality: Locality | None = None
    category: Category | None = None  # for the year the rows were loaded with
    any_category: bool = False  # on any target list of that year
    show_archived: bool = False


def search_text(school: School) -> str:
    parts = (
        school.full_name,
        school.short_name,
        school.settlement,
        school.address,
        school.director,
        school.inn,
        school.fis_login,
        school.parent_name,
        school.phone,
        school.email,
    )
    return fold(" \u0001 ".join(p for p in parts if p))


# Column keys the registry view sorts by; each maps a school to a comparable value.
SORT_KEYS: dict[str, Callable[[School], Any]] = {
    "name": lambda s: fold(s.display_name),
    "full_name": lambda s: fold(s.full_name),
    "kind": lambda s: s.kind.label,
    "locality": lambda s: s.locality.label,
    "settlement": lambda s: fold(s.settlement),
    "director": lambda s: fold(s.director),
    "students": lambda s: (s.students is None, s.students or 0),
    "categories": lambda s: ",".join(sorted(c.category.label for c in s.categories)),
    "parent": lambda s: fold(s.parent_name),
    "inn": lambda s: s.inn,
    "id": lambda s: s.id,
}


@dataclass
class RegistryIndex:
    """The loaded registry with its folded search texts; `select` answers a query."""

    schools: list[School] = field(default_factory=list)
    _texts: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, schools: Sequence[School]) -> RegistryIndex:
        items = list(schools)
        return cls(items, [search_text(s) for s in items])

    def select(self, query: RegistryQuery, sort_key: str = "name", descending: bool = False) -> list[School]:
        tokens = fold(query.text).split()
        rows: list[School] = []
        append = rows.append
        for school, text in zip(self.schools, self._texts, strict=True):
            if tokens and not all(t in text for t in tokens):
                continue
            if not query.show_archived and school.archived_at is not None:
                continue
            if query.kind is not None and school.kind is not query.kind:
                continue
            if query.locality is not None and school.locality is not query.locality:
                continue
            if query.category is not None and not any(
                c.category is query.category for c in school.categories
            ):
                continue
            if query.any_category and not school.categories:
                continue
            append(school)
        key = SORT_KEYS.get(sort_key, SORT_KEYS["name"])
        rows.sort(key=key, reverse=descending)
        return rows
