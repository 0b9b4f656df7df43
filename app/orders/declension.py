"""Names and positions in grammatical cases, for the text of orders.

«возложить на Потехину Т.С., заместителя начальника Управления образования», «Плаксиной И.Н.,
главному специалисту МКУ «…»», «Назначить ответственной … Труфанову А.А.». Names go through
pytrovich (petrovich rules); positions through the small rule set below, which declines only the
head phrase («главный специалист», «заместитель») and leaves the governed tail («начальника
Управления образования», «МКУ «…»») as typed.

Nothing here raises: a form the rules cannot vouch for comes back with `sure=False` and a Russian
note for the person who checks the order before printing; input that is not a name or a position
comes back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case as _PCase
from pytrovich.enums import Gender as _PGender
from pytrovich.enums import NamePart
from pytrovich.maker import PetrovichDeclinationMaker


class Case(StrEnum):
    NOMINATIVE = "nominative"
    GENITIVE = "genitive"
    DATIVE = "dative"
    ACCUSATIVE = "accusative"
    INSTRUMENTAL = "instrumental"
    PREPOSITIONAL = "prepositional"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Declined:
    text: str
    sure: bool
    note: str = ""  # why the form needs a human check, in Russian; empty when sure


# --- names ------------------------------------------------------------------------------------------

_MAX_NAME_LENGTH = 120  # a full ФИО with a double surname fits easily; longer is not a name

_NAME_TOKEN = re.compile(
    r"(?P<initial>[А-ЯЁA-Z]\.)"  # Latin look-alike initials are a common paste accident: harmless
    r"|(?P<word>[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ич")
_SURNAME_ENDINGS = (
    "ов", "ев", "ёв", "ин", "ын", "ова", "ева", "ёва", "ина", "ына",
    "ский", "цкий", "ская", "цкая", "енко", "ук", "юк", "их", "ых",
)  # fmt: skip

_NOTE_NOT_A_NAME = (
    "Не удалось разобрать ФИО: ожидаются фамилия с инициалами или полное ФИО кириллицей — проверьте форму"
)
_NOTE_EMPTY = "Пустая строка — склонять нечего"


@dataclass(frozen=True)
class _ParsedName:
    tokens: tuple[str, ...]
    parts: dict[int, NamePart]  # token index → which part of the name the word is
    order_sure: bool  # False when two words leave it open which one is the surname

    def word(self, part: NamePart) -> str | None:
        for index, this in self.parts.items():
            if this is part:
                return self.tokens[index]
        return None


@cache
def _maker() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


@cache
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


def _is_patronymic(word: str) -> bool:
    return len(word) > 4 and word.lower().endswith(_PATRONYMIC_ENDINGS)


def _looks_like_surname(word: str) -> bool:
    return word.lower().endswith(_SURNAME_ENDINGS)


def _parse_name(name: str) -> _ParsedName | None:
    """Which word is the surname, first name, patronymic; None when the text is not a person's name."""
    if len(name) > _MAX_NAME_LENGTH:
        return None
    tokens: list[str] = []
    words: list[int] = []
    initials = 0
    for match in _NAME_TOKEN.finditer(name):
        kind = match.lastgroup
        if kind == "other":
            return None
        if kind == "word" and len(match.group()) == 1 and match.group().isupper():
            kind = "initial"  # «Куприенко Е В»: a lone capital is an initial without its dot
        tokens.append(match.group())
        if kind == "word":
            words.append(len(tokens) - 1)
        elif kind == "initial":
            initials += 1
    if not words:
        return None
    if initials:
        # «Куприенко Е.В.», «Е.В. Куприенко», «Е.П.Николаенкова»: one word, the surname.
        if len(words) != 1 or initials > 3:
            return None
        return _ParsedName(tuple(tokens), {words[0]: NamePart.LASTNAME}, True)
    texts = [tokens[i] for i in words]
    if len(words) == 1:
        return _ParsedName(tuple(tokens), {words[0]: NamePart.LASTNAME}, True)
    if len(words) == 2:
        first, second = words
        if _is_patronymic(texts[1]):  # «Елена Викторовна»
            return _ParsedName(tuple(tokens), {first: NamePart.FIRSTNAME, second: NamePart.MIDDLENAME}, True)
        first_like, second_like = _looks_like_surname(texts[0]), _looks_like_surname(texts[1])
        if second_like and not first_like:  # «Иван Иванов»
            return _ParsedName(tuple(tokens), {first: NamePart.FIRSTNAME, second: NamePart.LASTNAME}, True)
        # Official papers write the surname first; only a surname ending makes that certain.
        parts = {first: NamePart.LASTNAME, second: NamePart.FIRSTNAME}
        return _ParsedName(tuple(tokens), parts, first_like and not second_like)
    if len(words) == 3:
        one, two, three = words
        if _is_patronymic(texts[2]):  # «Куприенко Елена Викторовна»
            parts = {one: NamePart.LASTNAME, two: NamePart.FIRSTNAME, three: NamePart.MIDDLENAME}
            return _ParsedName(tuple(tokens), parts, True)
        if _is_patronymic(texts[1]):  # «Елена Викторовна Куприенко»
            parts = {one: NamePart.FIRSTNAME, two: NamePart.MIDDLENAME, three: NamePart.LASTNAME}
            return _ParsedName(tuple(tokens), parts, True)
    return None  # four words and more («… оглы»), or three without a patronymic


def _from_pytrovich(gender: _PGender) -> Gender:
    return {_PGender.MALE: Gender.MALE, _PGender.FEMALE: Gender.FEMALE}.get(gender, Gender.UNKNOWN)


def _detect(parsed: _ParsedName) -> Gender:
    found = _detector().detect(
        firstname=parsed.word(NamePart.FIRSTNAME),
        lastname=parsed.word(NamePart.LASTNAME),
        middlename=parsed.word(NamePart.MIDDLENAME),
    )
    return _from_pytrovich(found)


def guess_gender(name: str) -> Gender:
    """MALE / FEMALE from the patronymic, first name or surname ending; UNKNOWN when they do not say.

    «Потехина Т.С.» → FEMALE, «Бахмутов В.А.» → MALE, «Куприенко Е.В.» → UNKNOWN (the -енко surname
    is the same for both), «Куприенко Елена Викторовна» → FEMALE.
    """
    parsed = _parse_name(name)
    return Gender.UNKNOWN if parsed is None else _detect(parsed)


def _same_letter_case(original: str, declined: str) -> str:
    # pytrovich appends lower-case endings: «ПОТЕХИНА» would become «ПОТЕХИНу».
    return declined.upper() if original.isupper() and len(original) > 1 else declined


def _render(parsed: _ParsedName, case: Case, gender: Gender, known: bool) -> str:
    maker = _maker()
    p_gender = _PGender.FEMALE if gender is Gender.FEMALE else _PGender.MALE
    p_case = _PCase[case.name]
    tokens = list(parsed.tokens)
    for index, part in parsed.parts.items():
        word = tokens[index]
        declined = maker.make(part, p_gender, p_case, word, known_gender=known)
        tokens[index] = _same_letter_case(word, declined)
    return "".join(tokens)


def decline_name(name: str, case: Case, gender: Gender | None = None) -> Declined:
    """«Потехина Т.С.» → «Потехину Т.С.» (accusative); the order of words and initials is kept.

    `gender` is taken as a fact when given (MALE / FEMALE); otherwise it is guessed, and when it
    cannot be guessed the form is flagged unsure: «Куприенко Е.В.» stays as is, `sure=False`.
    """
    if not name.strip():
        return Declined(name, False, _NOTE_EMPTY)
    parsed = _parse_name(name)
    if parsed is None:
        return Declined(name, False, _NOTE_NOT_A_NAME)
    if case is Case.NOMINATIVE:
        return Declined(name, True)
    surname = parsed.word(NamePart.LASTNAME)
    label = surname or parsed.word(NamePart.FIRSTNAME) or name
    detected = _detect(parsed)
    if gender is Gender.MALE or gender is Gender.FEMALE:
        text = _render(parsed, case, gender, known=True)
        if detected not in (Gender.UNKNOWN, gender):
            note = f"Указанный пол не совпадает с тем, что следует из ФИО «{label}», — проверьте форму"
            return Declined(text, False, note)
    elif detected is Gender.UNKNOWN:
        as_male = _render(parsed, case, Gender.MALE, known=False)
        as_female = _render(parsed, case, Gender.FEMALE, known=False)
        if as_male == as_female:
            note = f"Фамилия «{label}» не склоняется или пол неизвестен — проверьте форму"
            return Declined(as_male, False, note)
        note = (
            f"Пол не определён, а форма фамилии «{label}» от него зависит — укажите пол или проверьте форму"
        )
        return Declined(name, False, note)
    else:
        text = _render(parsed, case, detected, known=False)
    if not parsed.order_sure:
        return Declined(text, False, "Не ясно, какое из двух слов — фамилия, а какое — имя: проверьте форму")
    return Declined(text, True)


# --- positions --------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Head nouns of positions: masculine, animate (so the accusative is the genitive). Officials write the
# masculine noun for women too («Плаксиной И.Н., главному специалисту»), so the person's gender does
# not change these words.
_HARD_NOUNS = _words(
    """специалист методист директор инспектор начальник член юрист юрисконсульт экономист бухгалтер
    консультант советник помощник референт эксперт аналитик программист психолог логопед дефектолог
    педагог тьютор куратор координатор администратор ревизор инженер техник лаборант корреспондент
    оператор диспетчер редактор архивист социолог статистик документовед контролер ректор проректор
    декан наставник врач"""
)
_SOFT_NOUNS = _words(
    """руководитель заместитель председатель секретарь учитель преподаватель воспитатель
    делопроизводитель представитель исполнитель распорядитель"""
)
# Stressed endings the spelling rules cannot guess.
_INSTRUMENTAL_EXCEPTIONS = {"секретарь": "секретарём", "врач": "врачом"}
# Adjectives and participles used as nouns: «заведующий отделом», «исполняющий обязанности …».
_ADJECTIVE_NOUNS = _words(
    """заведующий заведующая управляющий управляющая исполняющий исполняющая уполномоченный
    уполномоченная дежурный дежурная"""
)
_UNCHANGED_LEADS = frozenset({"временно"})  # «временно исполняющий обязанности …»
# Abbreviations that do not decline: «возложить на Иванову А.А., и.о. начальника …».
_INDECLINABLE_START = re.compile(r"(?:и\.\s?о\.|вр\.\s?и\.\s?о\.|врио\b)", re.IGNORECASE)

_LETTERS = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")
_SIBILANTS = "жшчщ"
_VELARS = "кгх"
_MAX_MODIFIERS = 3

# «директор школы, председатель …», «председатель и секретарь …»: a second title after the first.
_NEXT_TITLE = re.compile(r"(?:[,;]|\s[иИ])\s+([А-Яа-яЁё-]+(?:\s+[А-Яа-яЁё-]+){0,2})")

_NOTE_NO_POSITION = "Должность не распознана: склонение не выполнено — проверьте форму"


def _adjective_gender(word: str) -> Gender | None:
    """The gender of a nominative singular adjective by its ending, None when it is not one."""
    if len(word) < 4:
        return None
    if word.endswith(("ый", "ий", "ой")):
        return Gender.MALE
    if word.endswith(("ая", "яя")):
        return Gender.FEMALE
    return None


def _decline_adjective(word: str, case: Case) -> str:
    """A nominative singular adjective (or participle) in `case`, agreeing with an animate noun."""
    stem, ending = word[:-2], word[-2:]
    last = stem[-1:]
    if ending in ("ая", "яя"):
        if case is Case.ACCUSATIVE:
            return stem + ("юю" if ending == "яя" else "ую")
        # «заведующей», «старшей»: unstressed after a sibilant; «главной» after a hard consonant.
        soft = ending == "яя" or last in _SIBILANTS
        return stem + ("ей" if soft else "ой")
    soft = ending == "ий" and last not in _VELARS  # «ведущего», «синего» but «русского»
    instrumental_i = ending == "ий" or last in _SIBILANTS + _VELARS  # «ведущим», «большим», «другим»
    endings = {
        Case.GENITIVE: "его" if soft else "ого",
        Case.ACCUSATIVE: "его" if soft else "ого",  # animate: the accusative is the genitive
        Case.DATIVE: "ему" if soft else "ому",
        Case.INSTRUMENTAL: "им" if instrumental_i else "ым",
        Case.PREPOSITIONAL: "ем" if soft else "ом",
    }
    return stem + endings[case]


def _decline_noun(word: str, case: Case) -> str:
    """A known masculine head noun («специалист», «руководитель») in `case`."""
    if case is Case.INSTRUMENTAL and word in _INSTRUMENTAL_EXCEPTIONS:
        return _INSTRUMENTAL_EXCEPTIONS[word]
    if word.endswith("ь"):
        stem = word[:-1]
        endings = {Case.GENITIVE: "я", Case.ACCUSATIVE: "я", Case.DATIVE: "ю", Case.INSTRUMENTAL: "ем"}
        return stem + endings.get(case, "е")
    endings = {Case.GENITIVE: "а", Case.ACCUSATIVE: "а", Case.DATIVE: "у", Case.PREPOSITIONAL: "е"}
    if case is Case.INSTRUMENTAL:
        return word + ("ем" if word[-1] in _SIBILANTS + "ц" else "ом")
    return word + endings[case]


def _is_known_noun(word: str) -> bool:
    return all(piece in _HARD_NOUNS or piece in _SOFT_NOUNS for piece in word.split("-"))


def _keep_letter_case(original: str, declined: str) -> str:
    if original.isupper() and len(original) > 1:
        return declined.upper()
    if original[:1].isupper():
        return declined[:1].upper() + declined[1:]
    return declined


def decline_position(position: str, case: Case, gender: Gender | None = None) -> Declined:
    """«главный специалист комитета образования» → «главного специалиста комитета образования».

    Only the leading adjectives and the head noun change; whatever follows the head is already in
    the case the head governs and is kept as typed. `gender` does not change the words (a woman is
    «главный специалист» in orders); it is accepted so callers can pass the person's gender along.
    An unknown head word leaves the position unchanged with `sure=False`.
    """
    del gender  # the head nouns are masculine whatever the person's gender: see the docstring
    if not position.strip():
        return Declined(position, False, _NOTE_EMPTY)
    if _INDECLINABLE_START.match(position.lstrip()):
        return Declined(position, True)
    replacements: list[tuple[int, int, str]] = []  # (start, end, new text) of the words that change
    modifiers: list[tuple[int, int, str, Gender]] = []
    head_found = False
    for token in re.finditer(r"\S+", position):
        letters = _LETTERS.match(token.group())
        if letters is None:
            break
        word, rest = letters.group(), token.group()[letters.end() :]
        if rest.strip(",.;:"):
            break  # a word glued to something else («ОО»-…): not a plain word of a position
        low = word.lower().replace("ё", "е")
        start, end = token.start(), token.start() + len(word)
        if low in _UNCHANGED_LEADS and not modifiers:
            continue
        if low in _ADJECTIVE_NOUNS or _is_known_noun(low):
            head_gender = _adjective_gender(low) if low in _ADJECTIVE_NOUNS else Gender.MALE
            if any(g is not head_gender for *_, g in modifiers):
                note = "Прилагательное в должности не согласуется с главным словом — проверьте форму"
                return Declined(position, False, note)
            if case is Case.NOMINATIVE:
                return Declined(position, True)
            for m_start, m_end, m_word, _ in modifiers:
                replacements.append((m_start, m_end, _decline_adjective(m_word, case)))
            if low in _ADJECTIVE_NOUNS:
                new = _decline_adjective(low, case)
            else:
                new = "-".join(_decline_noun(piece, case) for piece in low.split("-"))
            replacements.append((start, end, new))
            head_found = True
            break
        adjective = _adjective_gender(low)
        if adjective is None or rest or len(modifiers) >= _MAX_MODIFIERS:
            break
        modifiers.append((start, end, low, adjective))
    if not head_found:
        first = _LETTERS.match(position.lstrip())
        if first is None or len(first.group()) > 40:  # a 40-letter «word» is not a title to quote back
            return Declined(position, False, _NOTE_NO_POSITION)
        note = (
            f"Главное слово должности «{first.group()}» не знакомо программе: "
            "склонение не выполнено — проверьте форму"
        )
        return Declined(position, False, note)
    text = position
    for start, end, new in reversed(replacements):
        text = text[:start] + _keep_letter_case(position[start:end], new) + text[end:]
    tail_start = replacements[-1][1]
    for match in _NEXT_TITLE.finditer(position, tail_start):
        for title in match.group(1).split():
            low = title.lower().replace("ё", "е")
            if low in _ADJECTIVE_NOUNS or _is_known_noun(low):
                note = (
                    f"В должности после первого звания есть ещё одно («{title}»): "
                    "склонено только первое — проверьте остальные"
                )
                return Declined(text, False, note)
    return Declined(text, True)


# --- phrases ----------------------------------------------------------------------------------------


def person_phrase(
    name: str, position: str, case: Case, *, separator: str = ", ", gender: Gender | None = None
) -> Declined:
    """«Плаксиной И.Н., главному специалисту МКУ …»: the name and its apposition in the same case.

    Sure only when both parts are; the notes of both are kept. An empty position gives the name alone.
    """
    person = decline_name(name, case, gender)
    if not position.strip():
        return person
    known = gender if gender in (Gender.MALE, Gender.FEMALE) else guess_gender(name)
    job = decline_position(position, case, known)
    notes = "; ".join(note for note in (person.note, job.note) if note)
    return Declined(f"{person.text}{separator}{job.text}", person.sure and job.sure, notes)


_FEMININE_OF = (
    # (masculine ending, feminine after a hard consonant, feminine after a sibilant or soft one)
    ("ым", "ой", "ой"),
    ("им", "ой", "ей"),
    ("ый", "ая", "ая"),
    ("ой", "ая", "ая"),
    ("ий", "яя", "ая"),
    ("ого", "ой", "ой"),
    ("его", "ей", "ей"),
    ("ому", "ой", "ой"),
    ("ему", "ей", "ей"),
)


def _feminine(word: str, case: Case | None) -> str:
    low = word.lower()
    if len(low) < 4:
        return word
    for masculine, hard, other in _FEMININE_OF:
        if not low.endswith(masculine):
            continue
        stem = word[: -len(masculine)]
        last = stem[-1:].lower()
        if case is Case.ACCUSATIVE and masculine in ("ого", "его"):
            feminine = "юю" if masculine == "его" and last not in _SIBILANTS else "ую"
        elif masculine == "ий":
            feminine = "ая" if last in _SIBILANTS + _VELARS else "яя"  # «ведущая», «русская», «синяя»
        elif masculine == "им":
            feminine = "ой" if last in _VELARS else "ей"  # «русской», «ведущей», «синей»
        else:
            feminine = other if last in _SIBILANTS else hard
        return stem + (feminine.upper() if word.isupper() else feminine)
    return word


def agree_adjective(masculine: str, gender: Gender, *, case: Case | None = None) -> str:
    """«ответственным» → «ответственной» for a woman; MALE and UNKNOWN get the text unchanged.

    Every word with a masculine singular adjective ending changes (nouns such as «исполнителем» do
    not: official style keeps them masculine). `case` settles «ответственного», which is genitive
    («ответственной») or accusative («ответственную»); without it the genitive is assumed.
    """
    if gender is not Gender.FEMALE or len(masculine) > 200:
        return masculine
    return re.sub(r"[А-Яа-яЁё]+", lambda m: _feminine(m.group(), case), masculine)
