"""Parsing what people type or what a spreadsheet holds into stored values.

Shared by the school card and the Excel importer so that both accept the same things
(«1 200», «1200.0», «55,75», «сельская», «с») and reject them with the same Russian messages.
Each parser raises ValueError whose text is shown to the user as it is.
"""

from __future__ import annotations

import math
import re

from app.domain import Locality, SchoolKind
from app.text import fold, guess_school_kind, normalize_spaces

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[\d\s()+\-–.,доб]+$")


def clean_text(value: object) -> str:
    if value.__class__ is str:  # most cells: the fast path, same result as below
        return " ".join(value.split())  # type: ignore[attr-defined]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1234.0 from a spreadsheet cell typed as number
    return normalize_spaces(str(value))


def parse_int(value: object, *, minimum: int = 0, maximum: int = 1_000_000) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("ожидается целое число")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"ожидается целое число, а указано «{value}»")
        number = int(value)
    else:
        text = re.sub(r"[\s\u00a0]", "", str(value))
        if not text:
            return None
        if re.fullmatch(r"-?\d+([.,]0+)?", text):
            number = int(re.split(r"[.,]", text)[0])
        else:
            raise ValueError(f"ожидается целое число, а указано «{clean_text(value)}»")
    if not minimum <= number <= maximum:
        raise ValueError(f"число {number} вне допустимых пределов ({minimum}–{maximum})")
    return number


def parse_float(value: object, *, minimum: float, maximum: float) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("ожидается число")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[\s\u00a0]", "", str(value)).replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"ожидается число, а указано «{clean_text(value)}»") from None
    if not math.isfinite(number) or not minimum <= number <= maximum:
        raise ValueError(f"число {clean_text(value)} вне допустимых пределов ({minimum}…{maximum})")
    return number


def parse_latitude(value: object) -> float | None:
    return parse_float(value, minimum=-90, maximum=90)


def parse_longitude(value: object) -> float | None:
    return parse_float(value, minimum=-180, maximum=180)


def parse_students(value: object) -> int | None:
    return parse_int(value, minimum=0, maximum=20_000)


def parse_inn(value: object) -> str:
    text = clean_text(value).replace(" ", "")  # clean_text leaves no other whitespace
    if not text:
        return ""
    if (len(text) == 10 or len(text) == 12) and text.isascii() and text.isdigit():
        return text  # what the regex below accepts, without the regex
    if not re.fullmatch(r"\d{10}|\d{12}", text):
        raise ValueError(f"должен состоять из 10 (организация) или 12 цифр, а указано «{text}»")
    return text


def parse_email(value: object) -> str:
    text = clean_text(value)
    if text and not _EMAIL.match(text):
        raise ValueError(f"неверный адрес электронной почты «{text}»")
    return text


_ASCII_DIGITS = str.maketrans("", "", "0123456789")


def _digit_count(text: str) -> int:
    if text.isascii():
        return len(text) - len(text.translate(_ASCII_DIGITS))
    return len(re.sub(r"\D", "", text))


def parse_phone(value: object) -> str:
    text = clean_text(value)
    if text and (not _PHONE.match(fold(text)) or _digit_count(text) < 5):
        raise ValueError(f"неверный номер телефона «{text}»")
    return text


def parse_locality(value: object) -> Locality:
    if isinstance(value, Locality):
        return value
    text = fold(clean_text(value)).strip(" .")
    if not text:
        return Locality.NONE
    if text in Locality._value2member_map_:
        return Locality(text)
    if text in {"г", "город", "городская", "городской", "urban", "городская местность"}:
        return Locality.URBAN
    if text in {"с", "село", "сельская", "сельский", "rural", "сельская местность"}:
        return Locality.RURAL
    raise ValueError(f"ожидается «городская» или «сельская», а указано «{clean_text(value)}»")


_KIND_WORDS = {
    "сош": SchoolKind.SOSH,
    "средняя": SchoolKind.SOSH,
    "средняя школа": SchoolKind.SOSH,
    "оош": SchoolKind.OOSH,
    "основная": SchoolKind.OOSH,
    "основная школа": SchoolKind.OOSH,
    "нош": SchoolKind.NOSH,
    "начальная": SchoolKind.NOSH,
    "начальная школа": SchoolKind.NOSH,
    "гимназия": SchoolKind.GYMNASIUM,
    "лицей": SchoolKind.LYCEUM,
    "школа-интернат": SchoolKind.BOARDING,
    "интернат": SchoolKind.BOARDING,
    "другое": SchoolKind.OTHER,
    "иное": SchoolKind.OTHER,
}


def parse_kind(value: object) -> SchoolKind:
    if isinstance(value, SchoolKind):
        return value
    if isinstance(value, str) and value in SchoolKind._value2member_map_:
        return SchoolKind(value)
    text = fold(clean_text(value)).strip(" .")
    if not text:
        return SchoolKind.NONE
    if text in _KIND_WORDS:
        return _KIND_WORDS[text]
    guessed = guess_school_kind(text)
    if guessed:
        return SchoolKind(guessed)
    raise ValueError(
        f"неизвестный тип ОО «{clean_text(value)}» (ожидается СОШ, ООШ, НОШ, гимназия, лицей, "
        "школа-интернат или другое)"
    )
