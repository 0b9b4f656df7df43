"""Matching a school's name as a document writes it to a school of the registry.

Documents name schools loosely: «МБОУ "Отраденская СОШ № 3"» for the registry's
«Муниципальное бюджетное общеобразовательное учреждение «Отрадненская средняя общеобразовательная
школа №3»», with other quotes, N or No for №, the legal form abbreviated or spelled out, a letter
lost or misread («Нлиссельбургская»). A name is split into its parts:

    legal form   МБОУ, МКОУ, МАОУ, ГБОУ… (a mismatch costs a little: schools change their form)
    type         СОШ, ООШ, НОШ, гимназия, лицей, интернат (a mismatch costs a lot)
    numbers      №3 (a different number is a different school, never a typo)
    core         everything else, the distinctive words («отрадненская»), compared letter by letter

The core is compared by an edit distance (a transposition counts as one edit) damped for length,
so one wrong letter in a long unique word still gives a confident match and one in a short word
does not. Candidates are found through an index of the core's letter trigrams (and of the numbers,
for names that are nothing but «Гимназия №1»), so matching 800 names against 1,600 schools
compares each name with a few dozen schools, not with all of them.

    matcher = SchoolMatcher(schools)
    result = matcher.match("МБОУ «Отраденская СОШ №3»")
    result.school_id, result.score, result.confident, result.candidates
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.domain import School
from app.text import abbreviate_school_name, match_key

__all__ = [
    "CANDIDATE_MIN_SCORE",
    "CONFIDENT_MARGIN",
    "CONFIDENT_SCORE",
    "MATCH_MIN_SCORE",
    "Match",
    "NameKey",
    "SchoolMatcher",
    "edit_distance",
    "name_key",
]

CONFIDENT_SCORE = 0.92  # a match this good or better …
CONFIDENT_MARGIN = 0.05  # … and this much better than the next school is taken without asking
MATCH_MIN_SCORE = 0.75  # below this the name is unknown: school_id is None, candidates are offered
CANDIDATE_MIN_SCORE = 0.5
MAX_CANDIDATES = 5
SHORTLIST = 40  # schools compared letter by letter per name, found through the trigram index
NUMBER_MISMATCH_CAP = 0.5  # «СОШ №2» against «СОШ №3»: shown as a candidate at most, never matched

# Penalties subtracted from the core's similarity.
KIND_MISMATCH = 0.2  # СОШ against ООШ
KIND_MISSING = 0.03  # one name says СОШ, the other says nothing
NUMBER_MISSING = 0.1  # «Кировская СОШ» against «Кировская СОШ №2»
FORM_MISMATCH = 0.03  # МБОУ against МКОУ
ARCHIVED = 0.02  # an archived school loses a tie to a working one
CORE_PART = 0.88  # the similarity when one core is a part of the other («Кировская» ⊂ «Кировская им. …»)
CORE_ABSENT = 0.85  # «СОШ №2» against «Кировская СОШ №2»: the number and type agree, nothing else said

_LENGTH_DAMPING = 4  # similarity = 1 - edits / (length + 4): one edit in 9+ letters stays ≥ 0.92


@dataclass(frozen=True)
class Match:
    text: str  # the name as the document wrote it
    school_id: int | None  # the best school, None when nothing is close enough
    score: float  # 0..1, the best school's
    confident: bool  # the best school is clearly the one: no need to ask
    candidates: list[tuple[int, float]] = field(default_factory=list)  # (school id, score), best first

    @property
    def doubtful(self) -> bool:
        """A school was found but should be confirmed by a person."""
        return self.school_id is not None and not self.confident


@dataclass(frozen=True)
class NameKey:
    """A school's name taken apart for comparison."""

    form: str  # «мбоу», or '' when the name does not say
    kind: str  # a SchoolKind code: 'sosh', 'oosh', 'nosh', 'gymnasium', 'lyceum', 'boarding', or ''
    numbers: frozenset[str]  # «3», «3а»; leading zeros dropped
    words: tuple[str, ...]  # the distinctive words in their order

    @property
    def core(self) -> str:
        return " ".join(self.words)

    @property
    def sorted_core(self) -> str:
        return " ".join(sorted(self.words))


# ---- taking a name apart ---------------------------------------------------------------------------

_NUMBER_SIGN = re.compile(r"(?:(?<![^\W\d_])(?:no|n)|#|№)\s*\.?\s*(?=\d)", re.IGNORECASE)
# Legal forms name one school: «муниципальное (-ого, -ая…)», never the plural of an order's text
# («муниципальных общеобразовательных организаций»).
_END = r"(?:ое|ого|ому|ым|ом|ая|ой|ую)"
_ADJ = r"(?:яя|ей|юю|ая|ой|ую)"
_NOUN = r"(?:а|ы|е|у|ой)?\b"
_PHRASES = [
    # legal forms, in any case ending («муниципального бюджетного общеобразовательного учреждения»)
    (r"\bмуниципальн" + _END + r" бюджетн\w* (?:обще)?образовательн\w* (?:учрежден|организац)\w*", " мбоу "),
    (r"\bмуниципальн" + _END + r" казенн\w* (?:обще)?образовательн\w* (?:учрежден|организац)\w*", " мкоу "),
    (r"\bмуниципальн" + _END + r" автономн\w* (?:обще)?образовательн\w* (?:учрежден|организац)\w*", " маоу "),
    (
        r"\bгосударственн" + _END + r" бюджетн\w* (?:обще)?образовательн\w* (?:учрежден|организац)\w*",
        " гбоу ",
    ),
    (r"\bгосударственн" + _END + r" казенн\w* (?:обще)?образовательн\w* (?:учрежден|организац)\w*", " гкоу "),
    (r"\bчастн" + _END + r" (?:обще)?образовательн\w* (?:учрежден|организац)\w*", " чоу "),
    (r"\bмуниципальн" + _END + r" (?:обще)?образовательн\w* (?:учрежден|организац)\w*", " моу "),
    # school types, likewise («средней общеобразовательной школы», «средняя школа»)
    (r"\bсредн" + _ADJ + r" (?:(?:обще)?образовательн\w* )?школ" + _NOUN, " сош "),
    (r"\bосновн" + _ADJ + r" (?:(?:обще)?образовательн\w* )?школ" + _NOUN, " оош "),
    (r"\bначальн" + _ADJ + r" (?:(?:обще)?образовательн\w* )?школ" + _NOUN, " нош "),
]
_PHRASE_PATTERNS = [(re.compile(pattern), short) for pattern, short in _PHRASES]
_FORMS = frozenset(
    [
        "мбоу",
        "мкоу",
        "маоу",
        "моу",
        "мобу",
        "моку",
        "моау",
        "мбоо",
        "мкоо",
        "маоо",
        "гбоу",
        "гкоу",
        "гаоу",
        "гоу",
        "чоу",
        "ноу",
        "аноо",
        "моо",
        "мбнош",
    ]
)
_KINDS = {"сош": "sosh", "сш": "sosh", "оош": "oosh", "нош": "nosh"}
_STOP_WORDS = frozenset(
    [
        "им",
        "имени",
        "г",
        "гор",
        "город",
        "города",
        "с",
        "село",
        "села",
        "п",
        "пос",
        "поселка",
        "поселок",
        "пгт",
        "рп",
        "д",
        "дер",
        "деревни",
        "ст",
        "х",
        "ул",
        "школа",
        "школы",
        "школ",
        "оо",
        "оу",
        "общеобразовательное",
        "общеобразовательная",
        "общеобразовательной",
        "образовательное",
        "образовательная",
        "учреждение",
        "учреждения",
        "организация",
        "организации",
        "муниципальное",
        "муниципальная",
        "бюджетное",
        "бюджетная",
        "казенное",
        "казенная",
        "автономное",
        "автономная",
    ]
)


def _kind_of(word: str) -> str:
    if word in _KINDS:
        return _KINDS[word]
    if word.startswith("гимнази"):
        return "gymnasium"
    if word.startswith("лице") and len(word) <= 6:
        return "lyceum"
    if word.startswith("интернат"):
        return "boarding"
    return ""


def name_key(name: str) -> NameKey:
    """«МБОУ "Отрадненская средняя общеобразовательная школа No 3"» → мбоу · sosh · {3} · отрадненская."""
    text = _NUMBER_SIGN.sub(" №", abbreviate_school_name(name))
    key = match_key(text)
    if "школ" in key or "учрежден" in key or "организац" in key:
        for pattern, short in _PHRASE_PATTERNS:
            key = pattern.sub(short, key)
    form = kind = ""
    numbers: set[str] = set()
    words: list[str] = []
    for word in key.split():
        if word.startswith("№"):
            number = word.lstrip("№").lstrip("0")
            if number:
                numbers.add(number)
            continue
        if word[0].isdigit() and (word.isdigit() or (len(word) <= 4 and word[:-1].isdigit())):
            numbers.add(word.lstrip("0") or "0")
            continue
        if word in _FORMS:
            form = form or word
            continue
        word_kind = _kind_of(word)
        if word_kind:
            kind = kind or word_kind
            continue
        if word in _STOP_WORDS or len(word) == 1:  # «с.», «г.», initials: written or not, at will
            continue
        words.append(word)
    return NameKey(form, kind, frozenset(numbers), tuple(words))


# ---- comparing ---------------------------------------------------------------------------------------


def edit_distance(first: str, second: str, limit: int | None = None) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning one string into the other.

    With `limit`, any distance above it is reported as limit + 1 as soon as that is certain.
    """
    if first == second:
        return 0
    if len(first) < len(second):
        first, second = second, first
    if limit is not None and len(first) - len(second) > limit:
        return limit + 1
    if not second:
        return len(first)
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, 1):
        current = [i] + [0] * len(second)
        best = i
        for j, other in enumerate(second, 1):
            cost = 0 if char == other else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if cost and i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if limit is not None and best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _similarity(first: str, second: str) -> float:
    if first == second:
        return 1.0
    length = max(len(first), len(second))
    # A distance beyond half the length gives a similarity too low to matter: stop counting there.
    limit = length // 2 + 1
    distance = edit_distance(first, second, limit)
    return max(0.0, 1.0 - distance / (length + _LENGTH_DAMPING))


def _core_similarity(query: NameKey, school: NameKey) -> float:
    if not query.words and not school.words:
        return 1.0 if (query.numbers or query.kind) else 0.0
    if not query.words or not school.words:
        return CORE_ABSENT if query.numbers and query.numbers == school.numbers else 0.0
    best = _similarity(query.core, school.core)
    if best < 1.0 and (len(query.words) > 1 or len(school.words) > 1):
        best = max(best, _similarity(query.sorted_core, school.sorted_core))
        shorter, longer = sorted((set(query.words), set(school.words)), key=len)
        if best < CORE_PART and shorter < longer:
            best = CORE_PART
    return best


def score_keys(query: NameKey, school: NameKey) -> float:
    """How well a name written in a document fits a registry name, 0..1."""
    score = _core_similarity(query, school)
    if query.numbers and school.numbers and query.numbers != school.numbers:
        return round(min(score, 1.0) * NUMBER_MISMATCH_CAP, 4)  # another school, not a typo
    if bool(query.numbers) != bool(school.numbers):
        score -= NUMBER_MISSING
    if query.kind and school.kind:
        if query.kind != school.kind:
            score -= KIND_MISMATCH
    elif query.kind or school.kind:
        score -= KIND_MISSING
    if query.form and school.form and query.form != school.form:
        score -= FORM_MISMATCH
    return round(max(0.0, min(1.0, score)), 4)


def _trigrams(core: str) -> set[str]:
    padded = f" {core} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


# ---- the matcher ---------------------------------------------------------------------------------------


class SchoolMatcher:
    """Finds registry schools by the names documents give them; build once, match many names."""

    def __init__(self, schools: Sequence[School]) -> None:
        self._schools: dict[int, School] = {}
        self._keys: dict[int, list[NameKey]] = {}
        self._by_gram: dict[str, list[int]] = {}
        self._by_number: dict[str, list[int]] = {}
        self._coreless: list[int] = []
        self._cache: dict[str, Match] = {}
        for school in schools:
            self._schools[school.id] = school
            keys: list[NameKey] = []
            for name in (school.short_name, school.full_name):
                if name and name.strip():
                    key = name_key(name)
                    if key not in keys:
                        keys.append(key)
            self._keys[school.id] = keys
            grams: set[str] = set()
            numbers: set[str] = set()
            for key in keys:
                grams |= _trigrams(key.core) if key.words else set()
                numbers |= key.numbers
            for gram in grams:
                self._by_gram.setdefault(gram, []).append(school.id)
            for number in numbers:
                self._by_number.setdefault(number, []).append(school.id)
            if not any(key.words for key in keys):
                self._coreless.append(school.id)
        # Trigrams most schools share («ска», «ая ») find nothing distinctive and cost the most.
        self._common = max(50, len(self._schools) // 5)

    def __len__(self) -> int:
        return len(self._schools)

    def school(self, school_id: int) -> School:
        return self._schools[school_id]

    def match_all(self, names: Iterable[str]) -> list[Match]:
        return [self.match(name) for name in names]

    def match(self, name: str) -> Match:
        """The registry school a document means by `name`, with how sure the match is."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        result = self._match(name)
        if len(self._cache) < 100_000:
            self._cache[name] = result
        return result

    def _shortlist(self, query: NameKey) -> set[int]:
        found: set[int] = set()
        if query.words:
            grams = _trigrams(query.core) | _trigrams(query.sorted_core)
            postings = [self._by_gram[g] for g in grams if g in self._by_gram]
            rare = [p for p in postings if len(p) <= self._common] or postings
            counts: Counter[int] = Counter()
            for posting in rare:
                counts.update(posting)
            found.update(school_id for school_id, _ in counts.most_common(SHORTLIST))
        for number in query.numbers:
            bucket = self._by_number.get(number, ())
            if not query.words or len(bucket) <= SHORTLIST * 5:
                found.update(bucket[: SHORTLIST * 5])
        if query.words:
            found.update(self._coreless[: SHORTLIST * 5])
        return found

    def _match(self, name: str) -> Match:
        query = name_key(name)
        if not query.words and not query.numbers:
            return Match(name, None, 0.0, False, [])
        scored: list[tuple[float, int]] = []
        for school_id in self._shortlist(query):
            score = max((score_keys(query, key) for key in self._keys[school_id]), default=0.0)
            if self._schools[school_id].is_archived:
                score = max(0.0, score - ARCHIVED)
            if score >= CANDIDATE_MIN_SCORE:
                scored.append((score, school_id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        candidates = [(school_id, score) for score, school_id in scored[:MAX_CANDIDATES]]
        if not scored or scored[0][0] < MATCH_MIN_SCORE:
            return Match(name, None, scored[0][0] if scored else 0.0, False, candidates)
        best_score, best_id = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        confident = best_score >= CONFIDENT_SCORE and best_score - second >= CONFIDENT_MARGIN
        return Match(name, best_id, best_score, confident, candidates)
