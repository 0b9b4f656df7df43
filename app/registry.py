"""Searching, filtering and sorting the registry in memory, fast enough for 40,000 schools.

The registry view asks for the rows once and then filters on every keystroke here rather than in
SQLite (whose lower/LIKE do not fold Cyrillic) or in a QSortFilterProxyModel (which would call
back into Python once per row): each school's searchable text is folded once, and a keystroke is
one pass of substring checks over a list of strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    "students": lambda s: s.students or 0,
    "categories": lambda s: ",".join(sorted(c.category.label for c in s.categories)),
    "parent": lambda s: fold(s.parent_name),
    "inn": lambda s: s.inn,
    "id": lambda s: s.id,
}
# Rows with nothing to sort by go last whichever way the column is sorted (as in Excel).
SORT_EMPTY: dict[str, Callable[[School], bool]] = {
    "students": lambda s: s.students is None,
    "settlement": lambda s: not s.settlement,
    "director": lambda s: not s.director,
    "parent": lambda s: not s.parent_name,
    "inn": lambda s: not s.inn,
    "categories": lambda s: not s.categories,
}


@dataclass
class RegistryIndex:
    """The loaded registry with its folded search texts; `select` answers a query.

    Sorting 40,000 schools on every keystroke would cost more than the filtering itself, so the
    order for each sort key is computed once and kept: a keystroke filters that ready order.
    Python's sort is stable, so this gives exactly what sorting the filtered rows would.
    """

    schools: list[School] = field(default_factory=list)
    _texts: list[str] = field(default_factory=list)
    _orders: dict[tuple[str, bool], list[int]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, schools: Sequence[School]) -> RegistryIndex:
        items = list(schools)
        return cls(items, [search_text(s) for s in items])

    def with_changes(self, updated: Sequence[School], removed_ids: Iterable[int] = ()) -> RegistryIndex:
        """A new index with some schools replaced (or added) and some dropped.

        After an edit the view refreshes only the schools the change touched, so that an edit at
        40,000 schools costs one school's folding instead of reloading the registry.
        """
        replacements = {s.id: s for s in updated}
        removed = set(removed_ids) - replacements.keys()
        schools: list[School] = []
        texts: list[str] = []
        for school, text in zip(self.schools, self._texts, strict=True):
            if school.id in removed:
                continue
            fresh = replacements.pop(school.id, None)
            if fresh is None:
                schools.append(school)
                texts.append(text)
            else:
                schools.append(fresh)
                texts.append(search_text(fresh))
        for fresh in replacements.values():  # schools not loaded before: new ones, or restored by undo
            schools.append(fresh)
            texts.append(search_text(fresh))
        return RegistryIndex(schools, texts)

    def _order(self, sort_key: str, descending: bool) -> list[int]:
        cached = self._orders.get((sort_key, descending))
        if cached is None:
            key = SORT_KEYS.get(sort_key, SORT_KEYS["name"])
            keys = [key(s) for s in self.schools]
            is_empty = SORT_EMPTY.get(sort_key)
            if is_empty is None:
                cached = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
            else:
                empty = [i for i, s in enumerate(self.schools) if is_empty(s)]
                filled = sorted(
                    (i for i, s in enumerate(self.schools) if not is_empty(s)),
                    key=keys.__getitem__,
                    reverse=descending,
                )
                cached = filled + empty
            self._orders[(sort_key, descending)] = cached
        return cached

    def select(self, query: RegistryQuery, sort_key: str = "name", descending: bool = False) -> list[School]:
        schools, texts = self.schools, self._texts
        positions = self._order(sort_key, descending)
        tokens = fold(query.text).split()
        if tokens:
            # Scan the texts in storage order (sequential in memory, twice as fast as jumping
            # around in sorted order), then walk the ready sorted order picking the hits.
            hits = [tokens[0] in text for text in texts]
            for token in tokens[1:]:
                hits = [hit and token in text for hit, text in zip(hits, texts, strict=True)]
            positions = [i for i in positions if hits[i]]
        # One list comprehension per condition: far cheaper in CPython than one loop with ifs.
        rows = [schools[i] for i in positions]
        if not query.show_archived:
            rows = [s for s in rows if s.archived_at is None]
        if query.kind is not None:
            kind = query.kind
            rows = [s for s in rows if s.kind is kind]
        if query.locality is not None:
            locality = query.locality
            rows = [s for s in rows if s.locality is locality]
        if query.category is not None:
            category = query.category
            rows = [s for s in rows if any(c.category is category for c in s.categories)]
        if query.any_category:
            rows = [s for s in rows if s.categories]
        return rows
