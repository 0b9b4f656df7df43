"""Russian text helpers: folding for search and matching, school-name abbreviations.

SQLite's lower(), LIKE and NOCASE fold ASCII only, so every comparison of Cyrillic text that a
person expects to ignore case (and ё/е) goes through `fold` here, in Python.
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans({c: '"' for c in "«»„“”‟″'`"})
_NON_WORD = re.compile(r"[^\w№]+")


def fold(text: str) -> str:
    """Case- and ё-insensitive form for search: «Ёлкинская СОШ» → «елкинская сош»."""
    return text.casefold().replace("ё", "е")


def normalize_spaces(text: str) -> str:
    """Runs of whitespace (the no-break space included) become one space; the ends are trimmed.

    str.split() splits on exactly the characters the regex \\s matches (both use
    Py_UNICODE_ISSPACE, which counts U+00A0), so this is `re.sub(r"\\s+", " ", text).strip()`
    at a fraction of the cost: an import calls it for every cell.
    """
    return " ".join(text.split())


# Punctuation school names are full of: str.replace drops each in a fraction of what the regex
# costs (str.translate with a table is slower still on Cyrillic text). Whatever else is not a word
# character is left to the regex.
_PUNCTUATION = ("«", "»", '"', ".", ",", "-", "(", ")", "'", "–", "—", "/", "„", "“", "”", ":", ";")


def match_key(text: str) -> str:
    """A key for matching names across files: no case, ё=е, no quotes or punctuation, N = №."""
    folded = " ".join(text.split()).casefold().replace("ё", "е")
    if "n" in folded:
        folded = re.sub(r"(?<![\w])n\s*(?=\d)", "№", folded)  # «СОШ N3» → «СОШ №3»
    if "№" in folded:
        folded = folded.replace("№ ", "№")  # = re.sub(r"№\s*", "№", …): single spaces only here
    if not folded.replace(" ", "").isalnum():
        for mark in _PUNCTUATION:
            folded = folded.replace(mark, " ")
    words = folded.split()
    # What is left must be word characters (or №) only, as the regex would keep them; \w is
    # str.isalnum() or «_», the same Unicode test in C.
    if words and "".join(words).replace("_", "").replace("№", "").isalnum():
        return " ".join(words)
    return " ".join(_NON_WORD.sub(" ", folded).split())


_SEPARATOR = "\x00"  # neither a word character nor whitespace: no step below crosses it
_NUMBER_SIGN_SPACE = re.compile(r"№\s+")


def match_keys(texts: list[str]) -> list[str]:
    """`match_key` of each text, computed on all of them joined into one string.

    Each step of `match_key` works character by character or on a word and its neighbours, so
    applying it once to the texts joined by a separator that no step matches or crosses gives the
    same keys, at a fraction of the cost of one Python call per text (an import keys tens of
    thousands of names). Whitespace is normalised at the end rather than first: «№» followed by
    any run of whitespace loses it either way, and the «N3» rule already allows any whitespace.
    """
    if len(texts) < 8:
        return [match_key(text) for text in texts]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator itself
        return [match_key(text) for text in texts]
    folded = joined.casefold().replace("ё", "е")
    if "n" in folded:
        folded = re.sub(r"(?<![\w])n\s*(?=\d)", "№", folded)
    if "№" in folded:
        folded = _NUMBER_SIGN_SPACE.sub("№", folded)
    for mark in _PUNCTUATION:
        folded = folded.replace(mark, " ")
    keys = [" ".join(part.split()) for part in folded.split(_SEPARATOR)]
    if "".join(keys).replace(" ", "").replace("_", "").replace("№", "").isalnum():
        return keys
    return [
        key
        if not key or key.replace(" ", "").replace("_", "").replace("№", "").isalnum()
        else " ".join(_NON_WORD.sub(" ", key).split())
        for key in keys
    ]


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
