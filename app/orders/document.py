"""An order as it prints: every text resolved, every appendix turned into blocks.

This is the one contract between the data (orders, plans, lists, groups) and the writers of PDF
and .docx: both render an `OrderDocument` and nothing else, so the preview, the printed copy, the
signed copy and the Word file say the same words. It is plain data that round-trips through JSON
(`to_json` / `from_json`): a signed order keeps the frozen blocks of its appendices, so a later
edit of a plan does not change what was signed.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Align = Literal["left", "centre", "right", "justify"]


@dataclass
class Paragraph:
    """A paragraph of text; line breaks inside `text` are kept as line breaks."""

    text: str
    bold: bool = False
    align: Align = "justify"
    indent: bool = True  # the 1.25 cm first-line indent of body text
    type: Literal["paragraph"] = "paragraph"


@dataclass
class TableRow:
    cells: list[str]
    section: bool = False  # a section heading: cells[0] spans the whole width, bold
    type: Literal["row"] = "row"


@dataclass
class Table:
    header: list[str]
    rows: list[TableRow]
    widths: list[float]  # relative widths of the columns, one per header cell
    centred: list[int] = field(default_factory=list)  # indexes of columns centred (№, dates)
    type: Literal["table"] = "table"


@dataclass
class Image:
    png: bytes
    width_mm: float  # printed width; the height follows the picture's proportions
    caption: str = ""
    type: Literal["image"] = "image"


Block = Paragraph | Table | Image


@dataclass
class Point:
    """A numbered point of the order with its sub-points.

    `number` is printed as is («1.», «2.1.»); `addressee` («Руководителям общеобразовательных
    организаций», «Плаксиной И.Н., главному специалисту …») opens the point and is followed by a
    colon; `responsible` prints as «Ответственный: …» and `deadline` as «Срок: …» under the text.
    """

    number: str
    text: str
    addressee: str = ""
    responsible: str = ""
    deadline: str = ""
    children: list[Point] = field(default_factory=list)


@dataclass
class Appendix:
    number: str  # «1», «2»…; '' when the order has a single appendix («Приложение»)
    stamp: list[str]  # the lines of the stamp in the top right corner, as printed
    title: str  # bold, centred above the content; line breaks kept
    blocks: list[Block]
    landscape: bool = False


@dataclass
class OrderDocument:
    kind: Literal["order", "directive", "letter"]
    letterhead: list[str]  # the organisation's lines, centred at the top of page 1
    kind_title: str  # «ПРИКАЗ», «РАСПОРЯЖЕНИЕ», «П Р И К А З»; '' for a letter
    date_text: str  # «27 августа 2020 года», «10.09.2020»; '' while a draft has no date
    number: str  # «149», «01-10/142-2»; '' while a draft has no number
    place: str  # «с. Пономаревка»; '' when not printed
    title: str  # «Об утверждении плана …»; bold, line breaks kept
    preamble: list[str]  # paragraphs before the directive word (the whole body of a letter)
    directive: str  # «ПРИКАЗЫВАЮ:», «п р и к а з ы в а ю :»; '' when the text has none
    points: list[Point]
    control: str  # the control point, printed as the last numbered point; '' when none
    control_number: str  # its number («3.»)
    signer_position: str  # may have several lines
    signer_name: str  # «Е.А. Краснова»
    executor: str = ""  # «Исп. Труфанова А.А., тел. 8 (81362) 2-11-11» — bottom of the last page
    distribution: str = ""  # «в дело, УУиК, ОО» (printed after «Разослано:»)
    addressee: list[str] = field(default_factory=list)  # a letter's addressee block, right column
    reply_to: str = ""  # a letter's «на № 07-11/2523-20 от 23.11.2020 г.»
    attachments_note: str = ""  # a letter's «Приложение: на 3 л. в 1 экз.»
    appendices: list[Appendix] = field(default_factory=list)
    qr_text: str = ""  # the requisites put into the optional QR code; '' = no code
    font_size: float = 14.0  # 12–14 pt
    left_margin_mm: float = 20.0  # 20, or 30 for documents kept over 10 years
    draft: bool = False  # a draft prints «ПРОЕКТ» in the top margin

    # --- JSON -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return _encode(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderDocument:
        values = dict(data)
        values["points"] = [point_from_json(p) for p in data.get("points", [])]
        values["appendices"] = [appendix_from_json(a) for a in data.get("appendices", [])]
        return cls(**values)


def point_from_json(data: dict[str, Any]) -> Point:
    values = dict(data)
    values["children"] = [point_from_json(c) for c in data.get("children", [])]
    return Point(**values)


def appendix_from_json(data: dict[str, Any]) -> Appendix:
    values = dict(data)
    values["blocks"] = [block_from_json(b) for b in data.get("blocks", [])]
    return Appendix(**values)


def appendix_to_json(appendix: Appendix) -> dict[str, Any]:
    return _encode(asdict(appendix))


def block_from_json(data: dict[str, Any]) -> Block:
    kind = data.get("type")
    if kind == "table":
        rows = [TableRow(**row) for row in data["rows"]]
        return Table(**{**data, "rows": rows})
    if kind == "image":
        return Image(**{**data, "png": base64.b64decode(data["png"])})
    return Paragraph(**data)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value
