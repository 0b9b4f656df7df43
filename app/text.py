"""Russian text helpers: folding for search and matching, school-name abbreviations.

SQLite's lower(), LIKE and NOCASE fold ASCII only, so every comparison of Cyrillic text that a
person expects to ignore case (and ё/е) goes through `fold` here, in Python.
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans({c: '"' for c in "«»„“”‟″'`"})
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w№]+")


def fold(text: str) -> str:
    """Case- and ё-insensitive form for search: «Ёлкинская СОШ» → «елкинская сош»."""
    return text.casefold().replace("ё", "е")


def normalize_spaces(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def match_key(text: str) -> str:
    """A key for matching names across files: no case, ё=е, no quotes or punctuation, N = №."""
    folded = fold(normalize_spaces(text))
    folded = re.sub(r"(?<![\w])n\s*(?=\d)", "№", folded)  # «СОШ N3» → «СОШ №3»
    folded = re.sub(r"№\s*", "№", folded)
    return normalize_spaces(_NON_WORD.sub(" ", folded))


_LEGAL_FORMS = [
    (r"муниципальное\s+бюджетное\s+общеобразовательное\s+учреждение", "МБОУ"),
    (r"муниципальное\s+казённое\s+общеобразовательное\s+учреждение", "МКОУ"),
    (r"муниципальное\s+казенное\s+общеобразовательное\s+учреждение", "МКОУ"),
    (r"муниципальное\s+автономное\s+общеобразовательное\s+учреждение", "МАОУ"),
    (r"государственное\s+бюджетное\s+общеобразовательное\s+учреждение", "ГБОУ"),
    (r"частное\s+общеобразовательное\s+учреждение", "ЧОУ"),
]
_SCHOOL_TYPES = [
    (r"средняя\s+общеобразовательная\s+школа", "СОШ"),
    (r"основная\s+общеобразовательная\s+школа", "ООШ"),
    (r"начальная\s+общеобразовательная\s+школа", "НОШ"),
]


def abbreviate_school_name(full_name: str) -> str:
    """«Муниципальное казённое общеобразовательное учреждение «Шумская средняя
    общеобразовательная школа»» → «МКОУ «Шумская СОШ»». Unknown wording is left as it is."""
    text = normalize_spaces(full_name)
    for pattern, short in _LEGAL_FORMS + _SCHOOL_TYPES:
        text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    return text


_KIND_PATTERNS = [
    ("sosh", r"\bсош\b|средняя\s+(обще)?образовательная\s+школа|средняя\s+школа"),
    ("oosh", r"\bоош\b|основная\s+(обще)?образовательная\s+школа|основная\s+школа"),
    ("nosh", r"\bнош\b|начальная\s+(обще)?образовательная\s+школа|начальная\s+школа"),
    ("gymnasium", r"гимнази"),
    ("lyceum", r"лице[йя]"),
    ("boarding", r"интернат"),
]


def guess_school_kind(name: str) -> str:
    """The school type a name implies, as a `SchoolKind` code, or '' when it says nothing."""
    folded = fold(name)
    for code, pattern in _KIND_PATTERNS:
        if re.search(pattern, folded):
            return code
    return ""


def plural(count: int, one: str, few: str, many: str) -> str:
    """Russian plural: plural(1, 'школа', 'школы', 'школ') → 'школа'; 5 → 'школ'."""
    tail = count % 100
    if 11 <= tail <= 14:
        return many
    tail %= 10
    if tail == 1:
        return one
    if 2 <= tail <= 4:
        return few
    return many
