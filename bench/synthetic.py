"""Synthetic school registries for the benchmarks: a region (1,600 schools) and a country (40,000).

Everything is generated from fixed seeds, so every run and every machine gets the same schools:
realistic Russian names («МБОУ «Берёзовская СОШ №3»», «Ольховская ООШ — филиал МКОУ «…»»),
settlements, directors' ФИО, types, urban/rural, numbers of students, ИНН with a valid check digit,
ФИС ОКО logins, branches, a few archived schools and categories for one academic year.

The schools are written
- into real «Опора» databases: `db.open_database` (so the real migrations make the schema), the
  office's requisites through `OfficeService`, and the rows with `ChangeRecorder.insert_many`;
- into .xlsx files in the registry import format (a title row, then the header «Наименование ОО»,
  «Краткое наименование», «Тип ОО», «Городская/сельская», «Населённый пункт», «ФИО руководителя»,
  «Численность обучающихся», «ИНН» …) written with openpyxl in write-only mode.

Outputs are cached under bench/out/ (gitignored) next to a small JSON file recording how they were
made; a file is rebuilt when the generator version, size or seed differs.

    .venv/bin/python bench/synthetic.py            # build the standard set
    .venv/bin/python bench/synthetic.py --force    # rebuild everything
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.text import match_key  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent / "out"
GENERATOR_VERSION = 2
CATEGORY_YEAR = 2024

REGION_SCHOOLS = 1_600
COUNTRY_SCHOOLS = 40_000
BIG_FILE_ROWS = 100_000

# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Stems that make a settlement (Берёзовка, Берёзово, Берёзовское; Троицкое), a town (Берёзовск,
# Троицк) and a school's adjective (Берёзовская, Троицкая).
STEMS = _words(
    "Берёзов Соснов Липов Ольхов Дубов Кленов Рябинов Калинов Вишнев Черёмухов Малинов Яблонев "
    "Кедров Осинов Тополев Камышев Озерск Полев Лугов Горск Нагорск Заречинск Подгорск Покров "
    "Троицк Никольск Михайлов Алексеев Петров Ивановск Васильев Сергиев Дмитриев Андреев Павлов "
    "Николаев Фёдоров Григорьев Борисов Семёнов Егорьев Степанов Ильин Тихвин Богородск "
    "Воскресенск Преображенск Успенск Знаменск Рождественск Вознесенск Благовещенск Спасск "
    "Казанск Владимиров Краснов Белов Чернов Зеленов Светлов Яснов Тихонов Веселов Солнцев "
    "Звездин Снегирёв Медведев Волков Лисицын Журавлёв Лебедев Гусев Соболев Бобров Орлов Соколов "
    "Ястребов Воронов Грачёв Голубев Каменск Песков Глинищев Руднев Заводск Мельников Кузнецов "
    "Гончаров Плотников Рыбинск Пастухов Кирпичёв Смоленск Дегтярёв Марьин Ольгин Александров "
    "Екатеринин Елизаветин Софьин Аннин Варварин Натальин Татьянин Высоков Широков Глубоков "
    "Долгов Круглов Кривцов Холмов Бугров Ключев Родников Студенцов Теплов Сухов Мокров Болотов "
    "Мохов Ветлужск Клязьминск Окск Волжск Донск Сурск Цнинск Мокшанск Вятск Камск Ишимск "
    "Ангарск Ленск Онежск Свирск Ладожск Ловатск Мстинск Шелонск Пашск Сясьск Оятск Толмачёв "
    "Рощин Сиверск Вырицк Любанск Пикалёв Ефимовск Подпорожск Лодейнопольск Ивангородск Сланцев "
    "Волосов Лужск Гатчинск Тосненск Кировск Мгинск Назиевск Шумск Путиловск Синявинск "
    "Приладожск Отрадненск Шлиссельбургск Павловск Колпинск"
)

# Prefixes that make more place names from the same stem.
PREFIXES = ("", "Ново", "Старо", "Верхне", "Нижне", "Мало", "Больше", "Красно", "Средне", "Усть-")

RURAL_KINDS = ("с.", "д.", "п.", "пос.", "х.", "ст.")

LEGAL_FORMS = (
    # (short, full nominative, share)
    ("МБОУ", "Муниципальное бюджетное общеобразовательное учреждение", 50),
    ("МКОУ", "Муниципальное казённое общеобразовательное учреждение", 25),
    ("МАОУ", "Муниципальное автономное общеобразовательное учреждение", 20),
    ("ЧОУ", "Частное общеобразовательное учреждение", 1),
)
BOARDING_FORM = ("ГБОУ", "Государственное бюджетное общеобразовательное учреждение")

# (kind code, full words, short words, urban share, rural share)
SCHOOL_TYPES = (
    ("sosh", "средняя общеобразовательная школа", "СОШ", 62, 58),
    ("oosh", "основная общеобразовательная школа", "ООШ", 4, 26),
    ("nosh", "начальная общеобразовательная школа", "НОШ", 2, 10),
    ("gymnasium", "гимназия", "гимназия", 14, 1),
    ("lyceum", "лицей", "лицей", 11, 1),
    ("boarding", "школа-интернат", "школа-интернат", 3, 3),
    ("other", "центр образования", "ЦО", 4, 1),
)
KIND_LABELS = {
    "sosh": "СОШ",
    "oosh": "ООШ",
    "nosh": "НОШ",
    "gymnasium": "Гимназия",
    "lyceum": "Лицей",
    "boarding": "Школа-интернат",
    "other": "Другое",
}

SURNAMES = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв "
    "Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов "
    "Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников "
    "Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов "
    "Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов "
    "Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов "
    "Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров "
    "Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов "
    "Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин "
    "Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов "
    "Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников "
    "Дёмин Хохлов Жданов Носов Шестаков Савицкий Ковальский Вишневский Островский Покровский "
    "Заречный Рождественский Успенский Троицкий Богоявленский"
)
MALE_NAMES = _words(
    "Александр Сергей Андрей Алексей Владимир Николай Дмитрий Игорь Михаил Юрий Виктор Олег "
    "Евгений Павел Иван Пётр Геннадий Анатолий Василий Фёдор Борис Валерий Константин Артём"
)
FEMALE_NAMES = _words(
    "Ольга Елена Татьяна Наталья Ирина Светлана Марина Галина Людмила Надежда Анна Юлия Оксана "
    "Валентина Лариса Любовь Екатерина Мария Нина Вера Алёна Евгения Жанна Инна Дарья Ксения"
)
PATRONYMICS = (
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Андреевич", "Андреевна"),
    ("Алексеевич", "Алексеевна"),
    ("Владимирович", "Владимировна"),
    ("Николаевич", "Николаевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Игоревич", "Игоревна"),
    ("Михайлович", "Михайловна"),
    ("Юрьевич", "Юрьевна"),
    ("Викторович", "Викторовна"),
    ("Олегович", "Олеговна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Павлович", "Павловна"),
    ("Иванович", "Ивановна"),
    ("Петрович", "Петровна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Анатольевич", "Анатольевна"),
    ("Васильевич", "Васильевна"),
    ("Фёдорович", "Фёдоровна"),
    ("Борисович", "Борисовна"),
    ("Валерьевич", "Валерьевна"),
    ("Константинович", "Константиновна"),
    ("Ильич", "Ильинична"),
)
STREETS = _words(
    "Школьная Советская Центральная Молодёжная Садовая Лесная Новая Набережная Полевая Мира "
    "Ленина Гагарина Комсомольская Октябрьская Первомайская Заречная Луговая Пионерская "
    "Солнечная Зелёная Строителей Победы Кирова Пушкина Лермонтова Чехова Горького"
)

# Real regions with their ИНН codes; the districts and settlements inside them are made up.
REGIONS = (
    ("Белгородская область", 31),
    ("Брянская область", 32),
    ("Владимирская область", 33),
    ("Воронежская область", 36),
    ("Ивановская область", 37),
    ("Калужская область", 40),
    ("Костромская область", 44),
    ("Курская область", 46),
    ("Липецкая область", 48),
    ("Московская область", 50),
    ("Орловская область", 57),
    ("Рязанская область", 62),
    ("Смоленская область", 67),
    ("Тамбовская область", 68),
    ("Тверская область", 69),
    ("Тульская область", 71),
    ("Ярославская область", 76),
    ("Архангельская область", 29),
    ("Вологодская область", 35),
    ("Калининградская область", 39),
    ("Ленинградская область", 47),
    ("Мурманская область", 51),
    ("Новгородская область", 53),
    ("Псковская область", 60),
    ("Республика Карелия", 10),
    ("Республика Коми", 11),
    ("Астраханская область", 30),
    ("Волгоградская область", 34),
    ("Ростовская область", 61),
    ("Краснодарский край", 23),
    ("Ставропольский край", 26),
    ("Кировская область", 43),
    ("Нижегородская область", 52),
    ("Оренбургская область", 56),
    ("Пензенская область", 58),
    ("Пермский край", 59),
    ("Самарская область", 63),
    ("Саратовская область", 64),
    ("Ульяновская область", 73),
    ("Республика Башкортостан", 2),
    ("Республика Татарстан", 16),
    ("Удмуртская Республика", 18),
    ("Чувашская Республика", 21),
    ("Республика Марий Эл", 12),
    ("Республика Мордовия", 13),
    ("Курганская область", 45),
    ("Свердловская область", 66),
    ("Тюменская область", 72),
    ("Челябинская область", 74),
    ("Алтайский край", 22),
    ("Красноярский край", 24),
    ("Иркутская область", 38),
    ("Кемеровская область", 42),
    ("Новосибирская область", 54),
    ("Омская область", 55),
    ("Томская область", 70),
    ("Республика Бурятия", 3),
    ("Забайкальский край", 75),
    ("Приморский край", 25),
    ("Хабаровский край", 27),
    ("Амурская область", 28),
    ("Сахалинская область", 65),
    ("Республика Саха (Якутия)", 14),
)
REGION_OF_REGION_DB = ("Новгородская область", 53)

CATEGORY_REASONS = {
    "low_results": (
        "Низкие результаты ВПР и ОГЭ по итогам двух лет",
        "Доля обучающихся, не преодолевших минимальный порог, выше региональной",
        "Результаты ГИА ниже региональных показателей",
    ),
    "unfavourable": (
        "Высокая доля обучающихся из малообеспеченных семей",
        "Высокая доля обучающихся, для которых русский язык не родной",
        "Удалённость от районного центра, малокомплектная школа",
    ),
    "nonobjective": (
        "Признаки необъективности результатов ВПР по данным ФИС ОКО",
        "Аномально высокие результаты ВПР при низких результатах ОГЭ",
    ),
}
CATEGORY_SHARES = {"low_results": 0.07, "unfavourable": 0.04, "nonobjective": 0.03}


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


@dataclass
class SyntheticSchool:
    """One school as both the database row and the spreadsheet row are made from."""

    number: int  # 1-based position; it is also the id the school gets in a fresh database
    full_name: str
    short_name: str
    kind: str
    locality: str
    settlement: str
    address: str
    latitude: float | None
    longitude: float | None
    director: str
    phone: str
    email: str
    students: int | None
    inn: str
    fis_login: str
    parent_number: int | None = None
    parent_name: str = ""
    archived_at: str | None = None
    archive_reason: str = ""
    categories: list[tuple[str, str, str, str]] = field(default_factory=list)  # category, reason, source, doc


def _weighted(rng: random.Random, options: list[tuple[object, float]]) -> object:
    total = sum(weight for _, weight in options)
    pick = rng.random() * total
    for value, weight in options:
        pick -= weight
        if pick <= 0:
            return value
    return options[-1][0]


def _inn(region_code: int, serial: int) -> str:
    """A legal entity's 10-digit ИНН with a correct check digit."""
    digits = [
        int(c) for c in f"{region_code % 100:02d}{(serial // 100_000) % 100 + 1:02d}{serial % 100_000:05d}"
    ]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def _base(prefix: str, stem: str) -> str:
    """«Ново» + «Берёзов» → «Новоберёзов»; «Усть-» + «Камск» → «Усть-Камск»."""
    if prefix and not prefix.endswith("-"):
        return prefix + stem[0].lower() + stem[1:]
    return prefix + stem


def _adjective(prefix: str, stem: str) -> str:
    """The school's adjective: «Новоберёзовская», «Троицкая»."""
    base = _base(prefix, stem)
    return base + ("ая" if base.endswith("к") else "ская")


def _settlement_name(rng: random.Random, prefix: str, stem: str) -> str:
    base = _base(prefix, stem)
    if base.endswith("к"):
        return base + rng.choice(("", "ое", "ий", "ое"))
    return base + rng.choice(("ка", "о", "ское", "ское", "ка"))


def _town_name(prefix: str, stem: str) -> str:
    base = _base(prefix, stem)
    return "г. " + (base if base.endswith("к") else base + "ск")


def _director(rng: random.Random) -> str:
    female = rng.random() < 0.78
    surname = rng.choice(SURNAMES)
    patronymic = rng.choice(PATRONYMICS)
    if female:
        if surname.endswith(("ий", "ый")):
            surname = surname[:-2] + "ая"
        else:
            surname += "а"
        return f"{surname} {rng.choice(FEMALE_NAMES)} {patronymic[1]}"
    return f"{surname} {rng.choice(MALE_NAMES)} {patronymic[0]}"


@dataclass
class _District:
    name: str  # «Берёзовский муниципальный район»
    genitive: str  # «Берёзовского муниципального района»
    town: str  # «г. Берёзовск»
    town_adjective: str  # «Берёзовская»
    postcode: int
    phone_code: str
    latitude: float
    longitude: float
    used_adjectives: set[str] = field(default_factory=set)
    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    heads: list[int] = field(default_factory=list)  # indexes of rural head schools that may get a branch


def generate(count: int, *, regions: int, seed: str) -> list[SyntheticSchool]:
    """`count` schools spread over `regions` regions, always the same for the same arguments."""
    rng = random.Random(f"opora-bench:{GENERATOR_VERSION}:{seed}:{count}:{regions}")
    region_list = (
        [REGION_OF_REGION_DB] if regions == 1 else [REGIONS[i % len(REGIONS)] for i in range(regions)]
    )
    per_region = [count // len(region_list)] * len(region_list)
    for i in range(count - sum(per_region)):
        per_region[i] += 1

    schools: list[SyntheticSchool] = []
    used_keys: set[str] = set()
    serial = 0
    for (region_name, region_code), region_count in zip(region_list, per_region, strict=True):
        schools_per_district = rng.randint(45, 75)
        district_count = max(1, round(region_count / schools_per_district))
        region_lat, region_lon = rng.uniform(45, 64), rng.uniform(28, 135)
        stems = list(STEMS)
        rng.shuffle(stems)
        districts = []
        for d in range(district_count):
            stem = stems[d % len(stems)]
            prefix = "" if d < len(stems) else PREFIXES[1 + (d // len(stems)) % (len(PREFIXES) - 1)]
            adjective = _adjective(prefix, stem)  # «Берёзовская»
            districts.append(
                _District(
                    name=f"{adjective[:-2]}ий муниципальный район",
                    genitive=f"{adjective[:-2]}ого муниципального района",
                    town=_town_name(prefix, stem),
                    town_adjective=adjective,
                    postcode=100_000 + (region_code * 3_000 + d * 37) % 900_000,
                    phone_code=f"8{rng.randint(1000, 9999)}",
                    latitude=region_lat + rng.uniform(-2, 2),
                    longitude=region_lon + rng.uniform(-3, 3),
                    used_adjectives={adjective},
                )
            )
        for _ in range(region_count):
            district = districts[rng.randrange(district_count)]
            serial += 1
            urban = rng.random() < 0.38
            make_branch = (not urban) and district.heads and rng.random() < 0.04
            type_weights = [(t, t[3] if urban else t[4]) for t in SCHOOL_TYPES]
            kind_code, kind_full, kind_short, _, _ = _weighted(rng, type_weights)  # type: ignore[misc]
            if make_branch:
                kind_code, kind_full, kind_short = rng.choice(
                    (
                        ("oosh", "основная общеобразовательная школа", "ООШ"),
                        ("nosh", "начальная общеобразовательная школа", "НОШ"),
                    )
                )
            if kind_code == "boarding":
                legal_short, legal_full = BOARDING_FORM
            else:
                legal_short, legal_full = _weighted(rng, [((s, f), w) for s, f, w in LEGAL_FORMS])  # type: ignore[misc]

            if urban:
                settlement = district.town if rng.random() < 0.85 else f"пгт {district.town[3:]}"
                adjective = district.town_adjective
            else:
                for _attempt in range(50):
                    stem = rng.choice(STEMS)
                    prefix = rng.choice(PREFIXES) if rng.random() < 0.45 else ""
                    adjective = _adjective(prefix, stem)
                    if adjective not in district.used_adjectives:
                        break
                district.used_adjectives.add(adjective)
                settlement = f"{rng.choice(RURAL_KINDS)} {_settlement_name(rng, prefix, stem)}"

            # The name: numbered in towns («…СОШ №3»), plain in villages; made unique across the file,
            # as the importer rightly refuses two rows naming the same school.
            number_key = (adjective, kind_code)
            number = district.numbers.get(number_key, 0) + 1 if urban else 0
            qualifier = ""
            head = schools[rng.choice(district.heads)] if make_branch else None
            for attempt in range(1000):
                suffix = f" №{number}" if number else ""
                if head is not None:
                    inner_full = f"{adjective} {kind_full}{suffix}"
                    full = f"{inner_full[0].upper()}{inner_full[1:]} — филиал {head.short_name}{qualifier}"
                    short = f"{adjective} {kind_short}{suffix} — филиал {head.short_name}{qualifier}"
                else:
                    full = f"{legal_full} «{adjective} {kind_full}{suffix}»{qualifier}"
                    short = f"{legal_short} «{adjective} {kind_short}{suffix}»{qualifier}"
                key = match_key(full)
                if key not in used_keys and match_key(short) not in used_keys:
                    break
                if attempt == 0:
                    qualifier = f" {district.genitive}"
                else:
                    number += 1
            used_keys.add(key)
            used_keys.add(match_key(short))
            if urban:
                district.numbers[number_key] = max(number, district.numbers.get(number_key, 0))

            if kind_code in ("gymnasium", "lyceum"):
                students = rng.randint(450, 1300)
            elif urban:
                students = rng.randint(250, 1600)
            elif make_branch:
                students = rng.randint(4, 60)
            elif kind_code == "sosh":
                students = rng.randint(40, 450)
            elif kind_code == "oosh":
                students = rng.randint(10, 130)
            else:
                students = rng.randint(5, 60)
            login = f"sch{region_code:02d}{serial:06d}"
            street = rng.choice(STREETS)
            address = (
                f"{district.postcode + rng.randint(0, 30)}, {region_name}, {district.name}, "
                f"{settlement}, ул. {street}, д. {rng.randint(1, 80)}"
            )
            has_coordinates = rng.random() < 0.8
            school = SyntheticSchool(
                number=len(schools) + 1,
                full_name=full,
                short_name=short,
                kind=kind_code,
                locality="urban" if urban else "rural",
                settlement=settlement,
                address=address,
                latitude=round(district.latitude + rng.uniform(-0.6, 0.6), 5) if has_coordinates else None,
                longitude=round(district.longitude + rng.uniform(-0.9, 0.9), 5) if has_coordinates else None,
                director=_director(rng) if rng.random() < 0.97 else "",
                phone=f"8 ({district.phone_code}) {rng.randint(2, 7)}{rng.randint(0, 9)}-"
                f"{rng.randint(10, 99)}-{rng.randint(10, 99)}"
                if rng.random() < 0.9
                else "",
                email=f"{login}@{rng.choice(('mail.ru', 'yandex.ru', 'edu.ru', 'obr.ru'))}"
                if rng.random() < 0.85
                else "",
                students=students if rng.random() < 0.98 else None,
                inn=_inn(region_code, serial) if rng.random() < 0.95 else "",
                fis_login=login if rng.random() < 0.9 else "",
            )
            if head is not None:
                school.parent_number = head.number
                school.parent_name = head.short_name
                school.inn = head.inn
            elif not urban and kind_code in ("sosh", "oosh"):
                district.heads.append(len(schools))
            for category, share in CATEGORY_SHARES.items():
                if rng.random() < share:
                    source = _weighted(rng, [("regional", 6), ("order", 3), ("computed", 1)])
                    document = ""
                    if source == "order":
                        document = (
                            f"приказ № {rng.randint(12, 980)}-ОД от "
                            f"{rng.randint(1, 28):02d}.{rng.choice((3, 4, 5, 8, 9)):02d}.{CATEGORY_YEAR}"
                        )
                    elif source == "regional":
                        document = (
                            f"Региональный перечень, {region_name}, {CATEGORY_YEAR}/{CATEGORY_YEAR + 1}"
                        )
                    school.categories.append(
                        (category, rng.choice(CATEGORY_REASONS[category]), str(source), document)
                    )
            schools.append(school)

    # A few closed schools, never ones that head a branch.
    heads_with_branches = {s.parent_number for s in schools if s.parent_number}
    for school in schools:
        if school.number not in heads_with_branches and rng.random() < 0.01:
            school.archived_at = f"{rng.choice((2021, 2022, 2023))}-08-31T00:00:00"
            school.archive_reason = rng.choice(
                (
                    "Реорганизация в форме присоединения",
                    "Ликвидация по решению учредителя",
                    "Закрыта в связи с отсутствием контингента",
                )
            )
    return schools


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

SCHOOL_COLUMNS = (
    "full_name",
    "short_name",
    "kind",
    "parent_id",
    "locality",
    "settlement",
    "address",
    "latitude",
    "longitude",
    "director",
    "phone",
    "email",
    "students",
    "inn",
    "fis_login",
    "archived_at",
    "archive_reason",
)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        target = Path(str(path) + suffix)
        if target.exists():
            target.unlink()


def write_database(path: Path, schools: list[SyntheticSchool], *, district: str) -> None:
    """A real «Опора» database: migrations by `open_database`, office by its service, rows in bulk."""
    from app.domain import Office
    from app.office import OfficeService
    from db import open_database
    from db.changes import ChangeRecorder

    _remove_database(path)
    database = open_database(path)
    try:
        office = OfficeService(database)
        office.save(
            Office(
                name=f"Администрация\n{district}\nКОМИТЕТ ОБРАЗОВАНИЯ",
                short_name="Комитет образования",
                district=district,
                head_position="Председатель комитета образования",
                head_name="И.И. Синтетическая",
                address="000000, синтетические данные для замеров производительности",
                place="г. Синтетический",
            )
        )
        office.add_year(CATEGORY_YEAR)
        office.set_setting("current_year", str(CATEGORY_YEAR))
        rows = [
            {
                "full_name": s.full_name,
                "short_name": s.short_name,
                "kind": s.kind,
                "parent_id": s.parent_number,
                "locality": s.locality,
                "settlement": s.settlement,
                "address": s.address,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "director": s.director,
                "phone": s.phone,
                "email": s.email,
                "students": s.students,
                "inn": s.inn,
                "fis_login": s.fis_login,
                "archived_at": s.archived_at,
                "archive_reason": s.archive_reason,
            }
            for s in schools
        ]
        categories = [
            {
                "school_id": s.number,
                "academic_year": CATEGORY_YEAR,
                "category": category,
                "reason": reason,
                "source": source,
                "document_ref": document,
            }
            for s in schools
            for category, reason, source, document in s.categories
        ]
        with database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Синтетический реестр для замеров")
            ids = recorder.insert_many("schools", rows)
            if ids != [s.number for s in schools]:
                raise RuntimeError(f"{path}: expected ids 1..{len(schools)} in a fresh database")
            recorder.insert_many("school_categories", categories)
        conn = database.connection()
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"{path}: foreign key problems: {[tuple(p) for p in problems[:5]]}")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"{path}: quick_check says {check}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.close()


XLSX_HEADER = (
    "№ п/п",
    "Наименование ОО",
    "Краткое наименование",
    "Тип ОО",
    "Филиал ОО (головная организация)",
    "Городская/сельская",
    "Населённый пункт",
    "Адрес",
    "ФИО руководителя",
    "Телефон",
    "Электронная почта",
    "Численность обучающихся",
    "ИНН",
    "Логин ФИС ОКО",
)


def xlsx_rows(schools: list[SyntheticSchool]) -> Iterator[list[object]]:
    """The data rows as an office's spreadsheet would have them: one per school (the file has no
    archive column, so the few schools the database keeps archived are ordinary rows here)."""
    for number, s in enumerate(schools, start=1):
        students: object = s.students
        if s.students is not None and s.students >= 1000 and number % 7 == 0:
            students = f"{s.students // 1000} {s.students % 1000:03d}"  # «1 245» typed as text
        yield [
            number,
            s.full_name,
            s.short_name,
            KIND_LABELS[s.kind],
            s.parent_name or None,
            "городская" if s.locality == "urban" else "сельская",
            s.settlement,
            s.address,
            s.director or None,
            s.phone or None,
            s.email or None,
            students,
            s.inn or None,
            s.fis_login or None,
        ]


def write_xlsx(path: Path, schools: list[SyntheticSchool], *, title: str) -> int:
    """The registry import format, written with openpyxl write-only; returns the data row count."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Реестр ОО")
    sheet.append([title])
    sheet.append([f"Синтетические данные для замеров производительности «Опоры», версия {GENERATOR_VERSION}"])
    sheet.append([])
    sheet.append(list(XLSX_HEADER))
    count = 0
    for row in xlsx_rows(schools):
        sheet.append(row)
        count += 1
    temp = path.with_name(path.name + ".part")
    workbook.save(temp)
    os.replace(temp, path)
    return count


# --------------------------------------------------------------------------------------------
# Cached datasets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # "db" or "xlsx"
    count: int
    regions: int
    seed: str

    @property
    def path(self) -> Path:
        return OUT_DIR / f"{self.name}.{'sqlite' if self.kind == 'db' else 'xlsx'}"

    @property
    def stamp(self) -> dict[str, object]:
        return {
            "generator_version": GENERATOR_VERSION,
            "kind": self.kind,
            "count": self.count,
            "regions": self.regions,
            "seed": self.seed,
        }


REGION_DB = Dataset("region-1600", "db", REGION_SCHOOLS, 1, "region")
COUNTRY_DB = Dataset("country-40000", "db", COUNTRY_SCHOOLS, len(REGIONS), "country")
COUNTRY_XLSX = Dataset("country-40000", "xlsx", COUNTRY_SCHOOLS, len(REGIONS), "country")
BIG_XLSX = Dataset("country-100000", "xlsx", BIG_FILE_ROWS, len(REGIONS), "country-big")


def _stamp_path(dataset: Dataset) -> Path:
    return dataset.path.with_name(dataset.path.name + ".json")


def is_cached(dataset: Dataset) -> bool:
    stamp = _stamp_path(dataset)
    if not dataset.path.exists() or not stamp.exists():
        return False
    try:
        return bool(json.loads(stamp.read_text(encoding="utf-8")) == dataset.stamp)
    except (OSError, ValueError):
        return False


def ensure(dataset: Dataset, *, force: bool = False, log=print) -> Path:  # type: ignore[no-untyped-def]
    """The dataset's file, built (and cached) if it is missing or was made differently."""
    if not force and is_cached(dataset):
        return dataset.path
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _stamp_path(dataset).unlink(missing_ok=True)
    schools = generate(dataset.count, regions=dataset.regions, seed=dataset.seed)
    if dataset.kind == "db":
        district = REGION_OF_REGION_DB[0] if dataset.regions == 1 else "Российская Федерация"
        write_database(dataset.path, schools, district=district)
    else:
        write_xlsx(
            dataset.path, schools, title=f"Реестр общеобразовательных организаций ({dataset.count} ОО)"
        )
    _stamp_path(dataset).write_text(json.dumps(dataset.stamp, ensure_ascii=False), encoding="utf-8")
    log(f"built {dataset.path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
    return dataset.path


def ensure_all(*, quick: bool = False, force: bool = False, log=print) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    datasets = [REGION_DB, COUNTRY_DB, COUNTRY_XLSX] + ([] if quick else [BIG_XLSX])
    return {f"{d.name}.{d.kind}": ensure(d, force=force, log=log) for d in datasets}


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the synthetic datasets of the benchmarks.")
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-row file")
    args = parser.parse_args()
    for name, path in ensure_all(quick=args.quick, force=args.force).items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
