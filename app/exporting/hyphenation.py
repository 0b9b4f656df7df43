"""Russian hyphenation for reportlab: soft hyphens (U+00AD) from pyphen's ru_RU dictionary.

reportlab's own `hyphenationLang="ru_RU"` skips words with «ё» and words in «ёлочки», so the
program puts soft hyphens into the text itself; reportlab breaks a line only there (or between
words), and never splits a word letter by letter in a narrow cell.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

NBSP = "\u00a0"
_WORD = re.compile(r"[А-Яа-яЁё]{5,}")


@lru_cache(maxsize=1)
def pyphen_dictionary() -> Any:
    try:
        import pyphen
    except ImportError:  # without pyphen long words are split wherever reportlab must
        return None
    return pyphen.Pyphen(lang="ru_RU", left=2, right=2)


def soft_hyphens(text: str) -> str:
    """Soft hyphens (U+00AD) between the syllables of Russian words; abbreviations and the last
    word stay whole."""
    dictionary = pyphen_dictionary()
    if dictionary is None:
        return text

    matches = list(_WORD.finditer(text))
    # the last word stays whole: a paragraph never ends with a lone syllable such as «ёме.»
    parts, start = [], 0
    for match in matches[:-1]:
        word = match.group(0)
        parts.append(text[start : match.start()])
        parts.append(word if word.isupper() else str(dictionary.inserted(word, hyphen="\u00ad")))
        start = match.end()
    parts.append(text[start:])
    return "".join(parts)


def markup(text: str, *, hyphenate: bool = True) -> str:
    """Plain text for a Paragraph: hyphenated, XML-escaped, line breaks kept."""
    text = text.replace(" — ", f"{NBSP}— ")  # a dash never starts a line
    return escape(soft_hyphens(text) if hyphenate else text).replace("\n", "<br/>")
