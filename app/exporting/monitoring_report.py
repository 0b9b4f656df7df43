"""The analytical report (аналитическая справка) of a monitoring campaign as a PDF.

Made to be an order's appendix: the stamp «Приложение N к приказу …» top right, the office's
name, a title, then 1) an overview, 2) every school's completeness, 3) the answers per section
of the template (share of schools that answered each criterion; the share of «да» for yes/no
criteria, minimum/average/maximum for numbers and percentages), 4) conclusions worded from the
data only, 5) the head's signature and the date. Formatted by ГОСТ Р 7.0.97-2025: A4 portrait,
margins 20/10/20/20 mm, Liberation Serif 12 pt (tables 10 pt) embedded in the file, paragraph
indent 1.25 cm, page numbers from page 2 centred in the top margin, table headers repeated on
every page. Nothing here touches the network.

Russian words are hyphenated with pyphen by inserting soft hyphens before reportlab sees the text:
reportlab's own hyphenation (`hyphenationLang`) skips words with «ё», en dashes or «ёлочки», and
then splits them letter by letter in narrow table cells.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.domain import Office
from app.exporting.files import check_target, write_atomically
from app.exporting.hyphenation import markup
from app.jobs import Job, Progress
from app.monitoring.service import YES, Campaign, Criterion, Matrix, MonitoringService
from app.office import OfficeService
from app.text import fold, plural
from db.connection import Database

MM = 72 / 25.4  # points per millimetre
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
LEFT, RIGHT, TOP, BOTTOM = 20 * MM, 10 * MM, 20 * MM, 20 * MM
FRAME_WIDTH = PAGE_WIDTH - LEFT - RIGHT
INDENT = 12.5 * MM
BODY_SIZE, TABLE_SIZE = 12, 10
NBSP = "\u00a0"

COMPLETE, PARTIAL, NONE = "complete", "partial", "none"
STATE_LABELS = {COMPLETE: "в полном объёме", PARTIAL: "частично", NONE: "не представлены"}


# --- the analysis: plain data, no reportlab ------------------------------------------------
@dataclass(frozen=True)
class SchoolResult:
    id: int
    name: str
    done: int  # required criteria filled (all criteria when the template marks none required)
    total: int
    filled: int  # any criteria filled

    @property
    def share(self) -> float:
        return 1.0 if self.total == 0 else self.done / self.total

    @property
    def state(self) -> str:
        if self.total == 0 or (self.done >= self.total and self.filled > 0):
            return COMPLETE
        return PARTIAL if self.filled > 0 else NONE


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    answered: int
    schools: int
    yes: int = 0
    numbers: tuple[float, ...] = ()

    @property
    def share(self) -> float:
        return self.answered / self.schools if self.schools else 0.0


@dataclass
class Section:
    """A top-level group of the template with its criteria, or a top-level criterion alone."""

    group: Criterion | None
    criteria: list[CriterionResult] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(c.answered for c in self.criteria)

    @property
    def cells(self) -> int:
        return sum(c.schools for c in self.criteria)


@dataclass
class CampaignAnalysis:
    campaign: Campaign
    schools: list[SchoolResult]  # sorted: most complete first
    sections: list[Section]
    required: int  # required criteria of the template
    criteria: int  # all criteria (leaves)

    def count(self, state: str) -> int:
        return sum(1 for s in self.schools if s.state == state)

    @property
    def average(self) -> float:
        return sum(s.share for s in self.schools) / len(self.schools) if self.schools else 0.0

    @property
    def results(self) -> list[CriterionResult]:
        return [c for section in self.sections for c in section.criteria]


def analyse(matrix: Matrix, tree: list[Criterion]) -> CampaignAnalysis:
    """Completeness per school and answers per criterion, grouped by the template's top level."""
    schools = []
    has_required = any(c.required for c in matrix.criteria)
    for school_id, name in matrix.schools:
        filled = matrix.filled(school_id)
        if has_required:
            done, total = matrix.required_filled(school_id)
        else:
            done, total = filled, len(matrix.criteria)
        schools.append(SchoolResult(school_id, name, done, total, filled))
    schools.sort(key=lambda s: (-s.share, -s.filled, fold(s.name)))

    by_id = {c.id: c for c in tree}

    def top(criterion: Criterion) -> Criterion:
        while criterion.parent_id is not None and criterion.parent_id in by_id:
            criterion = by_id[criterion.parent_id]
        return criterion

    sections: list[Section] = []
    school_ids = [s for s, _ in matrix.schools]
    for criterion in matrix.criteria:
        values = [matrix.values.get((s, criterion.id), "") for s in school_ids]
        answered = [v for v in values if v != ""]
        numbers: list[float] = []
        if criterion.value_type in ("number", "percent"):
            for value in answered:
                with contextlib.suppress(ValueError):  # stored values are checked; old ones may not be
                    numbers.append(float(value.replace(",", ".").replace(" ", "")))
        result = CriterionResult(
            criterion,
            len(answered),
            len(school_ids),
            yes=sum(1 for v in answered if v == YES),
            numbers=tuple(numbers),
        )
        head = top(criterion)
        group = head if head.is_group else None
        if (
            group is not None
            and sections
            and sections[-1].group is not None
            and sections[-1].group.id == group.id
        ):
            sections[-1].criteria.append(result)
        else:
            sections.append(Section(group, [result]))
    return CampaignAnalysis(
        matrix.campaign,
        schools,
        sections,
        required=sum(1 for c in matrix.criteria if c.required),
        criteria=len(matrix.criteria),
    )


# --- wording ---------------------------------------------------------------------------------
def format_number(value: float) -> str:
    """39.5 → «39,5»; 48.0 → «48»; 1234567 → «1 234 567» (thin groups with no-break spaces)."""
    if abs(value - round(value)) < 1e-9:
        text = f"{round(value):,}".replace(",", NBSP)
    else:
        text = f"{value:,.1f}".rstrip("0").rstrip(".").replace(",", NBSP).replace(".", ",")
    return text


def format_percent(share: float) -> str:
    """0.1176 → «11,8 %»; 0.4 → «40 %»; a non-zero share never shows as «0 %»."""
    percent = share * 100
    if 0 < percent < 0.05:
        return f"менее{NBSP}0,1{NBSP}%"
    if abs(percent - round(percent)) < 0.05:
        return f"{round(percent)}{NBSP}%"
    return f"{percent:.1f}".replace(".", ",") + f"{NBSP}%"


def _date(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def _schools(count: int) -> str:
    return f"{count}{NBSP}{plural(count, 'школа', 'школы', 'школ')}"


def _verb(count: int, one: str, many: str) -> str:
    return one if count % 10 == 1 and count % 100 != 11 else many


def _criterion_ref(criterion: Criterion) -> str:
    title = criterion.title.rstrip(" .:;")
    if len(title) > 80:  # cut at a word, never leaving a preposition or a dash before «…»
        words = title[:78].split(" ")[:-1]
        while words and (len(words[-1]) <= 3 or not words[-1][-1].isalnum()):
            words.pop()
        title = " ".join(words).rstrip(",;:–—-") + "…"
    return f"{criterion.number} «{title}»" if criterion.number else f"«{title}»"


def _names(schools: list[SchoolResult], with_counts: bool = False) -> str:
    if with_counts:
        return "; ".join(f"{s.name} ({s.done}{NBSP}из{NBSP}{s.total})" for s in schools)
    return ", ".join(s.name for s in schools)


def overview_sentences(analysis: CampaignAnalysis) -> list[str]:
    count = len(analysis.schools)
    complete, partial, none = (analysis.count(s) for s in (COMPLETE, PARTIAL, NONE))
    sections = sum(1 for s in analysis.sections if s.group is not None)
    template = (
        f"Шаблон мониторинга содержит {analysis.criteria} "
        f"{plural(analysis.criteria, 'показатель', 'показателя', 'показателей')}"
    )
    if sections:
        template += f" в {sections} {plural(sections, 'разделе', 'разделах', 'разделах')}"
    if analysis.required and analysis.required != analysis.criteria:
        template += f", из них обязательных для заполнения — {analysis.required}"
    elif analysis.required:
        template += ", все обязательны для заполнения"
    sentences = [
        f"В мониторинге {_verb(count, 'участвует', 'участвуют')} {_schools(count)}. {template}.",
        (
            f"Сведения в полном объёме {_verb(complete, 'представила', 'представили')} {_schools(complete)}, "
            if complete
            else "Ни одна школа не представила сведения в полном объёме; "
        )
        + f"частично — {partial}, не {_verb(none, 'представила', 'представили')} сведения — {none}. "
        f"Средняя полнота заполнения обязательных показателей составляет "
        f"{format_percent(analysis.average)}.",
    ]
    return sentences


def conclusions(analysis: CampaignAnalysis, as_of: date) -> list[str]:
    """Numbered conclusions and recommendations, each a fact taken from the data."""
    campaign = analysis.campaign
    count = len(analysis.schools)
    complete = [s for s in analysis.schools if s.state == COMPLETE]
    partial = [s for s in analysis.schools if s.state == PARTIAL]
    none = [s for s in analysis.schools if s.state == NONE]
    found: list[str] = []
    if count == 0:
        return ["В мониторинг не включено ни одной школы: анализ не проводился."]
    if len(complete) == count:
        found.append(
            f"По состоянию на {_date(as_of)} все {_schools(count)} представили сведения в полном объёме."
        )
    elif not complete:
        found.append(
            f"По состоянию на {_date(as_of)} ни одна из {count} "
            f"{plural(count, 'школы', 'школ', 'школ')} не представила сведения в полном объёме."
        )
    else:
        found.append(
            f"По состоянию на {_date(as_of)} сведения в полном объёме "
            f"{_verb(len(complete), 'представила', 'представили')} {_schools(len(complete))} из {count}: "
            f"{_names(complete)}."
        )
    listed_in: list[str] = []  # the numbers of the points naming the lagging schools
    if partial:
        found.append(
            "Сведения представлены не в полном объёме (заполнено обязательных показателей): "
            f"{_names(partial, with_counts=True)}."
        )
        listed_in.append(str(len(found)))
    if none:
        found.append(f"Не {_verb(len(none), 'представила', 'представили')} сведения: {_names(none)}.")
        listed_in.append(str(len(found)))
    if campaign.due_date and (partial or none):
        if as_of > campaign.due_date:
            found.append(f"Срок представления сведений ({_date(campaign.due_date)}) истёк.")
        else:
            found.append(f"Срок представления сведений — до {_date(campaign.due_date)}.")

    results = analysis.results
    if results and count:
        unanswered = [r for r in results if r.answered == 0]
        if unanswered and len(unanswered) < len(results):
            listed = "; ".join(_criterion_ref(r.criterion) for r in unanswered[:5])
            more = f" и ещё {len(unanswered) - 5}" if len(unanswered) > 5 else ""
            found.append(
                f"Ни одна школа не заполнила {len(unanswered)} из {len(results)} "
                f"{plural(len(results), 'показателя', 'показателей', 'показателей')}, в том числе: "
                f"{listed}{more}."
            )
        elif not unanswered:
            lowest = min(r.answered for r in results)
            if lowest < count:
                least = [r for r in results if r.answered == lowest]
                listed = "; ".join(_criterion_ref(r.criterion) for r in least[:5])
                more = f" и ещё {len(least) - 5}" if len(least) > 5 else ""
                found.append(
                    f"Меньше всего ответов ({lowest} из {count}) получено по показателям: {listed}{more}."
                )
        best = max(r.answered for r in results)
        if best > 0 and (best < count or len(complete) < count):
            leaders = [r for r in results if r.answered == best]
            listed = "; ".join(_criterion_ref(r.criterion) for r in leaders[:5])
            more = f" и ещё {len(leaders) - 5}" if len(leaders) > 5 else ""
            found.append(
                f"Наиболее полно заполнены показатели ({best} из {count} "
                f"{plural(count, 'школы', 'школ', 'школ')}): {listed}{more}."
            )

    recommendations: list[str] = []
    lagging = partial + none
    if lagging:
        where = (
            f"{'пункте' if len(listed_in) == 1 else 'пунктах'} {' и '.join(listed_in)}"
            if listed_in
            else "выше"
        )
        recommendations.append(
            f"руководителям {plural(len(lagging), 'школы', 'школ', 'школ')}, "
            f"{'указанной' if len(lagging) == 1 else 'указанных'} в {where}, представить недостающие сведения"
            + (" в кратчайший срок" if campaign.due_date and as_of > campaign.due_date else "")
        )
    if results and any(r.answered == 0 for r in results) and count:
        recommendations.append(
            "специалистам органа управления образованием провести консультации для ответственных "
            "за заполнение по показателям, по которым не получено ни одного ответа"
        )
    if not lagging:
        recommendations.append(
            "использовать результаты мониторинга при планировании работы на следующий период"
        )
    found.append("Рекомендуется: " + "; ".join(recommendations) + ".")
    return found


def criterion_summary(result: CriterionResult) -> str:
    """The figures of one criterion: share of «да», or minimum / average / maximum."""
    kind = result.criterion.value_type
    if result.answered == 0:
        return "—"  # nothing to count
    if kind == "yesno":
        return f"«да» — {result.yes} ({format_percent(result.yes / result.answered)})"
    if kind in ("number", "percent") and result.numbers:
        unit = f"{NBSP}%" if kind == "percent" else ""
        low, high = min(result.numbers), max(result.numbers)
        average = sum(result.numbers) / len(result.numbers)
        if len(result.numbers) == 1:
            return f"{format_number(low)}{unit}"
        return (
            f"мин. {format_number(low)}{unit}; ср. {format_number(average)}{unit}; "
            f"макс. {format_number(high)}{unit}"
        )
    return "—"


# --- hyphenation: app/exporting/hyphenation.py, shared with the orders' PDF ---------------------


# --- the document ----------------------------------------------------------------------------
def _styles(family: str) -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    hyphenation = {"hyphenationLang": "ru_RU", "embeddedHyphenation": 1, "uriWasteReduce": 0.3}
    base = ParagraphStyle(
        "body",
        fontName=family,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.2,
        alignment=TA_JUSTIFY,
        firstLineIndent=INDENT,
        spaceAfter=2,
        **hyphenation,
    )
    cell = ParagraphStyle(
        "cell",
        parent=base,
        fontSize=TABLE_SIZE,
        leading=TABLE_SIZE * 1.15,
        alignment=TA_LEFT,
        firstLineIndent=0,
        spaceAfter=0,
    )
    return {
        "body": base,
        "stamp": ParagraphStyle(
            "stamp", parent=base, alignment=TA_LEFT, firstLineIndent=0, leftIndent=FRAME_WIDTH - 75 * MM
        ),
        "office": ParagraphStyle(
            "office", parent=base, alignment=TA_CENTER, firstLineIndent=0, fontName=f"{family}-Bold"
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            alignment=TA_CENTER,
            firstLineIndent=0,
            fontName=f"{family}-Bold",
            fontSize=14,
            leading=17,
            spaceBefore=12,
            spaceAfter=8,
        ),
        "info": ParagraphStyle("info", parent=base, alignment=TA_LEFT, firstLineIndent=0, spaceAfter=0),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            alignment=TA_LEFT,
            fontName=f"{family}-Bold",
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "cell": cell,
        "cell_center": ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        "cell_right": ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle(
            "cell_head",
            parent=cell,
            alignment=TA_CENTER,
            fontName=f"{family}-Bold",
            hyphenationLang="",  # headers wrap between words only
            embeddedHyphenation=0,
        ),
        "cell_group": ParagraphStyle("cell_group", parent=cell, fontName=f"{family}-Bold"),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_LEFT, firstLineIndent=0),
        "sign_name": ParagraphStyle("sign_name", parent=base, alignment=TA_RIGHT, firstLineIndent=0),
    }


def _table(
    rows: list[list[Any]], widths: list[float], family: str, extra: list[tuple[Any, ...]] | None = None
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=[w * MM for w in widths], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), family, TABLE_SIZE),  # plain cells would use Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *(extra or []),
            ]
        )
    )
    return table


def build_story(
    analysis: CampaignAnalysis,
    office: Office,
    template_source: str,
    year_label: str,
    *,
    appendix_stamp: str,
    as_of: date,
    family: str,
    styles: dict[str, Any] | None = None,
) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    styles = styles or _styles(family)
    campaign = analysis.campaign

    def para(text: str, style: str = "body") -> Any:
        # column headers wrap between words only: a hyphen in a bold header looks like a typo
        return Paragraph(markup(text, hyphenate=style != "cell_head"), styles[style])

    story: list[Any] = []
    if appendix_stamp.strip():
        story.append(para(appendix_stamp.strip(), "stamp"))
        story.append(Spacer(1, 8))
    if office.name.strip():
        story.append(para(office.name.strip(), "office"))
    story.append(para(f"Аналитическая справка по итогам мониторинга «{campaign.title}»", "title"))

    info = []
    if campaign.period_start or campaign.period_end:
        period = " ".join(
            part
            for part in (
                f"с {_date(campaign.period_start)}" if campaign.period_start else "",
                f"по {_date(campaign.period_end)}" if campaign.period_end else "",
            )
            if part
        )
        info.append(f"Период проведения: {period}" + (f" ({year_label} учебный год)" if year_label else ""))
    elif year_label:
        info.append(f"Учебный год: {year_label}")
    if campaign.due_date:
        info.append(f"Срок представления сведений: {_date(campaign.due_date)}")
    info.append(f"Шаблон: {campaign.template_title}")
    if template_source:
        info.append(f"Источник: {template_source}")
    info.append(f"Сведения по состоянию на {_date(as_of)}")
    for line in info:
        story.append(para(line, "info"))
    story.append(Spacer(1, 4))

    # 1. Overview
    story.append(para("1. Общие сведения", "heading"))
    for sentence in overview_sentences(analysis):
        story.append(para(sentence))

    # 2. Schools
    story.append(para("2. Полнота представления сведений школами", "heading"))
    head = ["№ п/п", "Школа", "Заполнено обязательных показателей", "Полнота", "Сведения представлены"]
    rows: list[list[Any]] = [[para(text, "cell_head") for text in head]]
    for number, school in enumerate(analysis.schools, start=1):
        rows.append(
            [
                para(str(number), "cell_center"),
                para(school.name, "cell"),
                para(f"{school.done} из {school.total}", "cell_center"),
                para(format_percent(school.share), "cell_center"),
                para(STATE_LABELS[school.state], "cell_center"),
            ]
        )
    if analysis.schools:
        rows.append(
            [
                para("", "cell"),
                para("Средняя полнота", "cell_group"),
                para("", "cell"),
                Paragraph(f"<b>{markup(format_percent(analysis.average))}</b>", styles["cell_center"]),
                para("", "cell"),
            ]
        )
    story.append(_table(rows, [13, 69, 42, 20, 36], family))

    # 3. Answers per section
    story.append(para("3. Ответы школ по разделам показателей", "heading"))
    story.append(
        para(
            "Для каждого показателя указано, сколько школ его заполнили; для показателей «да/нет» — "
            "число и доля ответов «да», для числовых и процентных — наименьшее, среднее и наибольшее "
            "значения по заполнившим школам."
        )
    )
    head = ["№", "Показатель", "Заполнили", "Итоги"]
    rows = [[para(text, "cell_head") for text in head]]
    extra: list[tuple[Any, ...]] = []
    for section in analysis.sections:
        if section.group is not None:
            share = section.answered / section.cells if section.cells else 0.0
            title = section.group.title.rstrip(" .:")
            extra += [
                ("SPAN", (0, len(rows)), (-1, len(rows))),
                ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.HexColor("#F3F3F3")),
            ]
            rows.append(
                [
                    para(
                        f"{section.group.number}. {title} — заполнено {section.answered} из "
                        f"{section.cells} ({format_percent(share)})",
                        "cell_group",
                    ),
                    "",
                    "",
                    "",
                ]
            )
        for result in section.criteria:
            criterion = result.criterion
            answered = f"{result.answered} из {result.schools}"
            if result.schools:
                answered += f" ({format_percent(result.share)})"
            rows.append(
                [
                    para(criterion.number, "cell_center"),
                    para(criterion.title + ("" if criterion.required else " (необязательный)"), "cell"),
                    para(answered, "cell_center"),
                    para(criterion_summary(result), "cell"),
                ]
            )
    story.append(_table(rows, [13, 97, 28, 42], family, extra))

    # 4. Conclusions
    story.append(para("4. Выводы и рекомендации", "heading"))
    for number, sentence in enumerate(conclusions(analysis, as_of), start=1):
        story.append(para(f"{number}. {sentence}"))

    # 5. Signature
    position = office.head_position.strip() or "Руководитель"
    name = office.head_name.strip() or "_______________"
    signature = Table(
        [[para(position, "sign"), para("", "sign"), para(name, "sign_name")]],
        colWidths=[90 * MM, 40 * MM, FRAME_WIDTH - 130 * MM],
        hAlign="LEFT",
    )
    signature.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), family, BODY_SIZE),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(KeepTogether([Spacer(1, 24), signature, Spacer(1, 12), para(_date(as_of), "sign")]))
    return story


def _page_number(family: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(family, BODY_SIZE)
        canvas.drawCentredString(LEFT + FRAME_WIDTH / 2, PAGE_HEIGHT - TOP / 2 - BODY_SIZE / 3, str(doc.page))
        canvas.restoreState()

    return draw


def write_pdf(target: str, story: list[Any], *, family: str, title: str, author: str) -> None:
    from reportlab.platypus import SimpleDocTemplate

    document = SimpleDocTemplate(
        target,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        author=author,
        subject="Аналитическая справка по итогам мониторинга",
        creator="Опора",
        lang="ru-RU",
        initialFontName=family,  # otherwise the canvas names Helvetica, a font not embedded
    )
    document.build(story, onLaterPages=_page_number(family))


def export_campaign_report(
    database: Database,
    campaign_id: int,
    path: Path,
    *,
    appendix_stamp: str = "",
    as_of: date | None = None,
) -> Job[Path]:
    """Write the campaign's analytical report to `path` (.pdf); returns the path.

    `appendix_stamp` («Приложение 1 к приказу комитета образования от … № …», line breaks kept)
    is printed top right when the report goes with an order; `as_of` is the report's date
    (today by default).
    """
    path = check_target(Path(path), (".pdf",), "Аналитическая справка сохраняется в файл PDF")
    as_of = as_of or date.today()
    yield Progress(0, 3, "Чтение мониторинга…")
    service = MonitoringService(database)
    matrix = service.matrix(campaign_id)
    campaign = matrix.campaign
    tree = service.criteria(campaign.template_id)
    source = next((t.source for t in service.list_templates() if t.id == campaign.template_id), "")
    office = OfficeService(database).get()
    analysis = analyse(matrix, tree)

    yield Progress(1, 3, "Подготовка справки…")
    from app.exporting.pdf_fonts import register_fonts

    family = register_fonts()
    story = build_story(
        analysis,
        office,
        source,
        service.year_label(campaign),
        appendix_stamp=appendix_stamp,
        as_of=as_of,
        family=family,
    )

    yield Progress(2, 3, "Запись файла PDF…")
    write_atomically(
        path,
        lambda temp: write_pdf(
            temp,
            story,
            family=family,
            title=f"Аналитическая справка по итогам мониторинга «{campaign.title}»",
            author=office.short_name or office.name.split("\n")[0],
        ),
    )
    yield Progress(3, 3, "Справка сохранена")
    return path
