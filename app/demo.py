"""The demo district: Кировский муниципальный район from seed 000 (распоряжение № 149 of 27.08.2020).

Its schools are the nine the seed names (the seed misspells two of them, «Отраденская» and
«Нлиссельбургская»; here they are spelled correctly), with the 2020/2021 categories it implies:
the three schools visited to study their internal assessment (item 9 of the first plan) show
signs of non-objective results. Item 11 of the second plan pairs low-result schools with schools
with stable results; the low-result ones are taken to be the first school of each pair and the
two schools grouped around МБОУ «Шлиссельбургская СОШ» (Синявинская and Шумская), five in all. Coordinates are
those of the settlements, good enough for the partnership map.
"""

from __future__ import annotations

from datetime import date

from app.domain import Category, CategorySource, Office
from app.errors import AppError
from app.office import OfficeService
from app.schools import SchoolService
from db.connection import Database

DEMO_YEAR = 2020
ORDER_REF = "распоряжение комитета образования от 27.08.2020 № 149"

DEMO_OFFICE = Office(
    name="Администрация\nКировского муниципального района Ленинградской области\nКОМИТЕТ ОБРАЗОВАНИЯ",
    short_name="Комитет образования",
    district="Кировский муниципальный район Ленинградской области",
    head_position="Председатель комитета образования",
    head_name="Е.А. Краснова",
    address="187342, Ленинградская область, г. Кировск",
    place="г. Кировск",
)

_MKOU = "Муниципальное казённое общеобразовательное учреждение"
_MBOU = "Муниципальное бюджетное общеобразовательное учреждение"
_SOSH = "средняя общеобразовательная школа"
_OOSH = "основная общеобразовательная школа"

# (full name, short name, settlement, urban?, latitude, longitude, students)
DEMO_SCHOOLS = [
    (f"{_MKOU} «Шумская {_SOSH}»", "МКОУ «Шумская СОШ»", "с. Шум", False, 59.8249, 32.0346, 312),
    (f"{_MKOU} «Назиевская {_SOSH}»", "МКОУ «Назиевская СОШ»", "пгт Назия", False, 59.8060, 31.5560, 420),
    (f"{_MKOU} «Путиловская {_OOSH}»", "МКОУ «Путиловская ООШ»", "с. Путилово", False, 59.8460, 31.4130, 118),
    (
        f"{_MBOU} «Отрадненская {_SOSH} №3»",
        "МБОУ «Отрадненская СОШ №3»",
        "г. Отрадное",
        True,
        59.7737,
        30.8030,
        870,
    ),
    (
        f"{_MKOU} «Отрадненская {_SOSH} №2»",
        "МКОУ «Отрадненская СОШ №2»",
        "г. Отрадное",
        True,
        59.7780,
        30.8330,
        760,
    ),
    (
        f"{_MKOU} «Синявинская {_SOSH}»",
        "МКОУ «Синявинская СОШ»",
        "пгт Синявино",
        False,
        59.9090,
        31.0750,
        540,
    ),
    (
        f"{_MBOU} «Шлиссельбургская {_SOSH}»",
        "МБОУ «Шлиссельбургская СОШ»",
        "г. Шлиссельбург",
        True,
        59.9440,
        31.0370,
        980,
    ),
    (
        f"{_MKOU} «Приладожская {_SOSH}»",
        "МКОУ «Приладожская СОШ»",
        "пгт Приладожский",
        False,
        59.8960,
        31.3600,
        460,
    ),
    (
        f"{_MBOU} «Кировская {_SOSH} №2»",
        "МБОУ «Кировская СОШ №2»",
        "г. Кировск",
        True,
        59.8790,
        30.9920,
        1050,
    ),
]

NONOBJECTIVE = {
    "МКОУ «Шумская СОШ»",
    "МКОУ «Назиевская СОШ»",
    "МКОУ «Путиловская ООШ»",
}
LOW_RESULTS = {
    "МБОУ «Отрадненская СОШ №3»",
    "МКОУ «Синявинская СОШ»",
    "МКОУ «Шумская СОШ»",
    "МКОУ «Путиловская ООШ»",
    "МКОУ «Назиевская СОШ»",
}


def create_demo(database: Database) -> int:
    """Fill an empty database with the demo district; returns the number of schools."""
    schools = SchoolService(database)
    office = OfficeService(database)
    if schools.count() or office.get().is_filled:
        raise AppError(
            f"В базе «{database.path}» уже есть данные. Демонстрационный район создаётся "
            "только в новой, пустой базе."
        )
    with database.atomic():
        office.save(DEMO_OFFICE)
        office.add_year(DEMO_YEAR)
        office.set_setting("current_year", str(DEMO_YEAR))
        for full, short, settlement, urban, lat, lon, students in DEMO_SCHOOLS:
            school_id, _ = schools.create(
                {
                    "full_name": full,
                    "short_name": short,
                    "settlement": settlement,
                    "locality": "urban" if urban else "rural",
                    "latitude": lat,
                    "longitude": lon,
                    "students": students,
                    "address": f"Ленинградская область, Кировский район, {settlement}",
                }
            )
            if short in NONOBJECTIVE:
                schools.set_category(
                    school_id,
                    DEMO_YEAR,
                    Category.NONOBJECTIVE,
                    reason="Изучение внутришкольной системы оценки образовательных результатов "
                    "(п. 9 плана мероприятий)",
                    source=CategorySource.ORDER,
                    document_ref=ORDER_REF,
                )
            if short in LOW_RESULTS:
                schools.set_category(
                    school_id,
                    DEMO_YEAR,
                    Category.LOW_RESULTS,
                    reason="Сетевое партнёрство со школой со стабильными результатами "
                    "(п. 11 плана организационно-методического сопровождения)",
                    source=CategorySource.ORDER,
                    document_ref=ORDER_REF,
                )
        plan_ids = create_demo_plans(database)
        create_demo_partnerships(database, plan_ids)
        create_demo_monitoring(database)
        create_demo_orders(database, plan_ids)
        from app.results.generator import create_demo_results

        create_demo_results(database)  # three years of ВПР, ОГЭ, ЕГЭ for «Выявление школ»
    return len(DEMO_SCHOOLS)


# Item 11 of seed 000's second plan: «Перечень групп школ», the first school of each group having
# low results and the last being the partner with stable results.
DEMO_SCHOOLS_ORDER = tuple(short for _full, short, *_rest in DEMO_SCHOOLS)

DEMO_PARTNERSHIPS = (
    ("МБОУ «Отрадненская СОШ №3»", "МКОУ «Отрадненская СОШ №2»"),
    ("МКОУ «Синявинская СОШ»", "МКОУ «Шумская СОШ»", "МБОУ «Шлиссельбургская СОШ»"),
    ("МКОУ «Путиловская ООШ»", "МКОУ «Приладожская СОШ»"),
    ("МКОУ «Назиевская СОШ»", "МБОУ «Кировская СОШ №2»"),
)
DEMO_JOINT_WORK = (
    "Формирование благоприятной среды для вовлечения учителей школ с низкими результатами обучения "
    "в инновационные процессы успешных школ"
)


def create_demo_partnerships(database: Database, plan_ids: list[int]) -> list[int]:
    """The four groups of seed 000, linked to the plan item that approves them."""
    from app.partnerships.model import MemberRole
    from app.partnerships.service import PartnershipService

    ids = {row["short_name"]: row["id"] for row in database.query("SELECT id, short_name FROM schools")}
    item = database.query(
        "SELECT i.id FROM plan_items i JOIN plans p ON p.id = i.plan_id WHERE p.source = ? "
        "AND i.measure LIKE 'Утверждение списка сетевого партн%' ORDER BY i.id LIMIT 1",
        (DEMO_PLAN_DOCUMENTS[0][1],),
    )
    service = PartnershipService(database)
    created = []
    for names in DEMO_PARTNERSHIPS:
        members = [
            (ids[name], MemberRole.TARGET if name in LOW_RESULTS else MemberRole.PARTNER) for name in names
        ]
        group_id, _ = service.create(
            DEMO_YEAR,
            members,
            {"activities": DEMO_JOINT_WORK, "source": ORDER_REF, "agreement_date": date(2020, 10, 1)},
        )
        if item:
            service.link_plan_items(group_id, [item[0]["id"]])
        created.append(group_id)
    return created


# The five seed documents, bundled in resources/demo/plans: the plans they approve become the
# demo district's plans, each under the name of the document it came from.
DEMO_PLAN_DOCUMENTS = (
    ("000.txt", "Распоряжение комитета образования Кировского района от 27.08.2020 № 149"),
    ("001.txt", "Письмо администрации МР «Козельский район» от 15.01.2021 № 103"),
    ("002.txt", "Приказ отдела образования «Ельнинский район» от 23.06.2020 № 98/1"),
    ("003.txt", "Приказ отдела образования Пономаревского района от 10.09.2020 № 01-10/142-2"),
    ("004.txt", "Приказ управления образования Прокопьевского округа от 17.09.2021 № 594"),
)


def create_demo_plans(database: Database) -> list[int]:
    """Import the plans of the five seed documents; returns the ids of the plans created."""
    from app.importing.plan_parse import parse_text
    from app.paths import resources_dir
    from app.plans.importer import apply_plan_import, preview_plan_import

    created: list[int] = []
    folder = resources_dir() / "demo" / "plans"
    for file_name, source_name in DEMO_PLAN_DOCUMENTS:
        document = parse_text((folder / file_name).read_text(encoding="utf-8"), source_name)
        preview = preview_plan_import(document, default_year=DEMO_YEAR)
        ids, _ = apply_plan_import(database, preview)
        created.extend(ids)
    return created


# Seed 002's final monitoring (приложение 3 to order № 98/1) run over the demo district's
# low-result schools: two schools have answered part of it, as they would by the first deadline.
DEMO_MONITORING_ANSWERS = {
    "МКОУ «Шумская СОШ»": {
        "1": "Договор о сотрудничестве с МОЦ № 14 от 01.09.2020",
        "2": "Анализ результатов ВПР и ОГЭ за три года, анкетирование педагогов",
        "4": "Программа перехода в эффективный режим, приказ № 112 от 15.09.2020",
        "6.1": "Управляющий совет",
        "7.4": "48",
        "12": "Участие в сетевом партнёрстве со школой-наставником",
    },
    "МКОУ «Путиловская ООШ»": {
        "1": "Соглашение с МОЦ № 9 от 03.09.2020",
        "6.1": "Совет школы",
        "7.4": "31",
    },
}


def create_demo_monitoring(database: Database) -> int | None:
    """A final-monitoring campaign of 2020/2021 over the low-result schools, partly answered."""
    from app.monitoring.service import MonitoringService

    service = MonitoringService(database)
    service.install_bundled()
    templates = {t.key: t.id for t in service.list_templates()}
    if "final_monitoring" not in templates:
        return None
    ids = {row["short_name"]: row["id"] for row in database.query("SELECT id, short_name FROM schools")}
    campaign_id, _ = service.create_campaign(
        templates["final_monitoring"],
        "Итоговый мониторинг ШНРО 2020/2021",
        [ids[name] for name in DEMO_SCHOOLS_ORDER if name in LOW_RESULTS],
        academic_year=DEMO_YEAR,
        period_start=date(2020, 9, 1),
        period_end=date(2021, 5, 31),
        due_date=date(2021, 6, 10),
    )
    by_number = {c.number: c.id for c in service.criteria(templates["final_monitoring"]) if not c.is_group}
    for school, answers in DEMO_MONITORING_ANSWERS.items():
        service.set_values(
            campaign_id,
            ids[school],
            {by_number[number]: value for number, value in answers.items()},
            entered_by="форма школы",
        )
    return campaign_id


DEMO_ISSUER = "комитета образования администрации Кировского муниципального района Ленинградской области"
DEMO_WORKING_GROUP = (
    ("Труфанова А.А.", "руководитель ИМС", "chair"),
    ("Куприенко Е.В.", "главный специалист комитета образования", "deputy"),
    ("Смирнова О.В.", "методист ИМС", "secretary"),
    ("Руководители РМО", "по согласованию", "member"),
)


def create_demo_orders(database: Database, plan_ids: list[int]) -> list[int]:
    """Seed 000 itself — распоряжение № 149 of 27.08.2020 approving its two plans — signed and in
    the register, the working group of 2020/2021, and a draft on network partnerships."""
    from app.orders.model import GroupMember, MemberRole, PointDraft
    from app.orders.printing import sign_order
    from app.orders.service import OrderService

    OfficeService(database).set_setting("orders.issuer", DEMO_ISSUER)
    service = OrderService(database)
    order_id, _ = service.create(
        {
            "kind": "directive",
            "date_style": "words",
            "issuer": DEMO_ISSUER,
            "title": "Об утверждении плана мероприятий\nпо оказанию методической помощи школам с признаками "
            "необъективности\nоценочных процедур и школ, показывающих низкие образовательные результаты,\n"
            "на 2020-2021 учебный год",
            "preamble": "В целях организации деятельности образовательных организаций Кировского муниципального "
            "района Ленинградской области, обеспечения информационной, методической, консультативной поддержки "
            "школ с низкими образовательными результатами и школ, показывающих признаки необъективности "
            "оценивания образовательных результатов; оказания помощи по переходу в эффективный режим "
            "функционирования.:",
            "control_text": "Контроль за исполнением настоящего распоряжения возложить на Куприенко Е.В. – "
            "главного специалиста комитета образования.",
            "signer_position": DEMO_OFFICE.head_position,
            "signer_name": DEMO_OFFICE.head_name,
            "distribution": "в дело, УУиК, ОО",
            "academic_year": DEMO_YEAR,
            "source": ORDER_REF,
        },
        [
            PointDraft(
                text="Утвердить план мероприятий по оказанию методической помощи школам с признаками "
                "необъективности оценочных процедур и школ, показывающих низкие образовательные результаты, "
                "2020-2021 учебный год согласно Приложению 1."
            ),
            PointDraft(
                text="Назначить ответственной за реализацию плана работы муниципальной информационно-"
                "методической службы руководителя ИМС Труфанову А.А."
            ),
        ],
    )
    service.add_appendix(
        order_id,
        {
            "kind": "plan",
            "plan_ids": plan_ids[:2],
            "stamp": "Приложение 1\nк распоряжению комитета образования\nадминистрации Кировского\n"
            "муниципального района\nЛенинградской области\nот 27 августа 2020 года № 149",
        },
    )
    sign_order(database, order_id, number="149", on=date(2020, 8, 27))
    group_id, _ = service.save_working_group(
        None,
        title="Рабочая группа по оказанию методической помощи школам с низкими образовательными результатами",
        year=DEMO_YEAR,
        members=[
            GroupMember(name, position, MemberRole(role)) for name, position, role in DEMO_WORKING_GROUP
        ],
    )
    draft_id, _ = service.create(
        {
            "kind": "order",
            "issuer": DEMO_ISSUER,
            "title": "Об утверждении списка сетевого партнёрства и состава рабочей группы на 2020-2021 учебный год",
            "preamble": "В целях оказания методической и организационной поддержки школам с низкими "
            "образовательными результатами",
            "directive": "ПРИКАЗЫВАЮ:",
            "control_text": "Контроль за исполнением настоящего приказа оставляю за собой.",
            "signer_position": DEMO_OFFICE.head_position,
            "signer_name": DEMO_OFFICE.head_name,
            "distribution": "в дело, ОО",
            "academic_year": DEMO_YEAR,
        },
        [
            PointDraft(text="Утвердить состав рабочей группы в соответствии с приложением 1."),
            PointDraft(text="Утвердить список сетевого партнёрства в соответствии с приложениями 2 и 3."),
            PointDraft(
                addressee="Руководителям общеобразовательных организаций",
                children=[
                    PointDraft(
                        text="Организовать работу в рамках сетевого партнёрства.",
                        deadline="в течение учебного года",
                    )
                ],
            ),
        ],
    )
    service.add_appendix(draft_id, {"kind": "working_group", "working_group_id": group_id})
    service.add_appendix(draft_id, {"kind": "partnerships", "academic_year": DEMO_YEAR})
    service.add_appendix(draft_id, {"kind": "partnership_map", "academic_year": DEMO_YEAR})
    return [order_id, draft_id]
