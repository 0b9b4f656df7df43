"""Orders, directives and letters: drafts, points, appendices, the register, signing and amendments.

Every write returns a `ChangeSet` for the undo stack. A signed order is frozen: its data, the
PDF that was printed and the PDF's SHA-256 are stored, and every write to it is refused with a
message that says how to change it instead (an amending order).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import AppError, FieldProblem, ValidationError
from app.orders.model import (
    AppendixKind,
    GroupMember,
    MemberRole,
    NumberingFormat,
    Order,
    OrderAppendix,
    OrderKind,
    OrderOptions,
    OrderPoint,
    OrderStatus,
    OrderSummary,
    PointDraft,
    WorkingGroup,
    format_order_date,
)
from app.plans.service import clean_multiline
from app.values import clean_text
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

NUMBERING_KEY = "orders.numbering.{kind}"
ISSUER_KEY = "orders.issuer"
MAX_TEXT = 100_000  # one field; a longer paste is a mistake, not a document

# The fields a person edits: one line each, or several lines (the editor shows them the same way).
LINE_FIELDS = (
    "number",
    "place",
    "kind_title",
    "issuer",
    "reply_number",
    "reply_date",
    "directive",
    "signer_name",
    "executor",
    "distribution",
    "attachments_note",
)
TEXT_FIELDS = ("letterhead", "addressee", "title", "preamble", "control_text", "signer_position")
_ORDER_TEXT_FIELDS = (*LINE_FIELDS, "template_key", "source")
_ORDER_MULTILINE_FIELDS = TEXT_FIELDS


class SignedOrderError(AppError):
    """A write to a signed order."""


@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _options(raw: str) -> OrderOptions:
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    size = data.get("font_size", 14.0)
    margin = data.get("left_margin_mm", 20.0)
    return OrderOptions(
        font_size=float(size) if isinstance(size, int | float) and 12 <= size <= 14 else 14.0,
        left_margin_mm=30.0 if margin == 30 else 20.0,
        qr=bool(data.get("qr", False)),
    )


def options_json(options: OrderOptions) -> str:
    return json.dumps(
        {"font_size": options.font_size, "left_margin_mm": options.left_margin_mm, "qr": options.qr},
        ensure_ascii=False,
    )


_FIELD_LABELS = {
    "title": "заголовок",
    "preamble": "преамбула",
    "letterhead": "бланк",
    "addressee": "адресат",
    "control_text": "пункт о контроле",
    "signer_position": "должность подписывающего",
    "text": "текст пункта",
    "addressee_point": "адресат пункта",
    "body": "текст приложения",
    "stamp": "отметка приложения",
}


def _check_length(name: str, value: str, problems: list[FieldProblem]) -> None:
    if len(value) > MAX_TEXT:
        size, limit = (f"{n:,}".replace(",", "\u00a0") for n in (len(value), MAX_TEXT))
        label = _FIELD_LABELS.get(name, name)
        problems.append(
            FieldProblem(name, f"Слишком длинный текст в поле «{label}»: {size} знаков (не больше {limit}).")
        )


def number_points(points: Sequence[OrderPoint | PointDraft], prefix: str = "") -> list[str]:
    """The numbers to print: typed numbers stay, empty ones continue the count («1.», «2.1.»)."""
    numbers: list[str] = []
    count = 0
    for point in points:
        typed = point.number.strip()
        match = re.match(r"^(?:\d+\.)*(\d+)\.?$", typed)
        if typed:
            numbers.append(typed)
            if match:
                count = int(match.group(1))
            continue
        count += 1
        numbers.append(f"{prefix}{count}.")
    return numbers


class OrderService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- reading -------------------------------------------------------------------------
    def list_orders(self, year: int | None = None) -> list[OrderSummary]:
        rows = self.database.query(
            "SELECT o.*, (SELECT count(*) FROM order_appendices a WHERE a.order_id = o.id) AS appendix_count "
            "FROM orders o "
            + ("WHERE o.academic_year = ? " if year is not None else "")
            + "ORDER BY o.order_date IS NULL DESC, o.order_date DESC, o.id DESC",
            (year,) if year is not None else (),
        )
        return [
            OrderSummary(
                id=r["id"],
                kind=OrderKind(r["kind"]),
                status=OrderStatus(r["status"]),
                number=r["number"],
                order_date=_date(r["order_date"]),
                title=r["title"],
                signer_name=r["signer_name"],
                academic_year=r["academic_year"],
                appendix_count=r["appendix_count"],
                amends_order_id=r["amends_order_id"],
                signed_at=r["signed_at"],
                source=r["source"],
            )
            for r in rows
        ]

    def get(self, order_id: int) -> Order:
        rows = self.database.query(
            "SELECT o.*, snapshot <> '' AS has_snapshot FROM orders o WHERE o.id = ?", (order_id,)
        )
        if not rows:
            raise AppError(f"Документ (запись {order_id} в базе) не найден: возможно, он удалён.")
        r = rows[0]
        return Order(
            id=r["id"],
            kind=OrderKind(r["kind"]),
            status=OrderStatus(r["status"]),
            number=r["number"],
            order_date=_date(r["order_date"]),
            date_style=r["date_style"],
            place=r["place"],
            letterhead=r["letterhead"],
            kind_title=r["kind_title"],
            issuer=r["issuer"],
            addressee=r["addressee"],
            reply_number=r["reply_number"],
            reply_date=r["reply_date"],
            title=r["title"],
            preamble=r["preamble"],
            directive=r["directive"],
            control_text=r["control_text"],
            signer_position=r["signer_position"],
            signer_name=r["signer_name"],
            executor=r["executor"],
            distribution=r["distribution"],
            attachments_note=r["attachments_note"],
            academic_year=r["academic_year"],
            template_key=r["template_key"],
            amends_order_id=r["amends_order_id"],
            options=_options(r["options"]),
            source=r["source"],
            signed_at=r["signed_at"],
            pdf_sha256=r["pdf_sha256"],
            points=tuple(self._points(order_id)),
            appendices=tuple(self._appendices(order_id)),
            has_snapshot=bool(r["has_snapshot"]),
        )

    def _points(self, order_id: int) -> list[OrderPoint]:
        rows = self.database.query(
            "SELECT * FROM order_points WHERE order_id = ? ORDER BY position, id", (order_id,)
        )
        children: dict[int | None, list[sqlite3.Row]] = {}
        for row in rows:
            children.setdefault(row["parent_id"], []).append(row)

        def build(parent: int | None, depth: int = 0) -> tuple[OrderPoint, ...]:
            if depth > 8:  # a cycle can only come from a hand-edited file: stop rather than recurse forever
                return ()
            return tuple(
                OrderPoint(
                    number=row["number"],
                    text=row["text"],
                    addressee=row["addressee"],
                    responsible=row["responsible"],
                    deadline=row["deadline"],
                    children=build(row["id"], depth + 1),
                )
                for row in children.get(parent, [])
            )

        return list(build(None))

    def _appendices(self, order_id: int) -> list[OrderAppendix]:
        return [
            appendix_from_row(r)
            for r in self.database.query(
                "SELECT * FROM order_appendices WHERE order_id = ? ORDER BY position, id", (order_id,)
            )
        ]

    def appendix(self, appendix_id: int) -> OrderAppendix:
        rows = self.database.query("SELECT * FROM order_appendices WHERE id = ?", (appendix_id,))
        if not rows:
            raise AppError("Приложение не найдено: возможно, оно удалено.")
        return appendix_from_row(rows[0])

    def amendments_of(self, order_id: int) -> list[OrderSummary]:
        return [s for s in self.list_orders() if s.amends_order_id == order_id]

    # --- the register ----------------------------------------------------------------------
    def numbering_format(self, kind: OrderKind) -> NumberingFormat:
        rows = self.database.query(
            "SELECT value FROM settings WHERE key = ?", (NUMBERING_KEY.format(kind=kind.value),)
        )
        return NumberingFormat(str(rows[0][0]) if rows and "{n}" in str(rows[0][0]) else "{n}")

    def set_numbering_format(self, kind: OrderKind, pattern: str) -> None:
        pattern = clean_text(pattern)
        if "{n}" not in pattern:
            raise ValidationError(
                [FieldProblem("numbering", "В формате номера должно быть место для порядкового номера: {n}.")]
            )
        from app.audit import setting_name
        from db.changes import log_action

        key = NUMBERING_KEY.format(kind=kind.value)
        with self.database.atomic() as conn:
            stored = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, pattern),
            )
            before = None if stored is None else str(stored[0])
            if before != pattern:
                log_action(
                    conn, f"Настройка: {setting_name(key)}", {key: [before, pattern]}, tables="settings ~1"
                )

    def suggest_number(self, kind: OrderKind, on: date | None = None) -> str:
        """The next number of the kind in the calendar year of `on`: the largest running number
        found in that year's register, plus one."""
        on = on or date.today()
        fmt = self.numbering_format(kind)
        regex = _pattern_regex(fmt.pattern, on)
        largest = 0
        for row in self.database.query(
            "SELECT number FROM orders WHERE kind = ? AND number <> '' AND substr(order_date, 1, 4) = ?",
            (kind.value, f"{on.year:04d}"),
        ):
            match = regex.fullmatch(row["number"].strip())
            if match:
                largest = max(largest, int(match.group("n")))
        return fmt.format(largest + 1, on)

    def number_in_use(self, kind: OrderKind, number: str, on: date, *, except_id: int | None = None) -> bool:
        rows = self.database.query(
            "SELECT id FROM orders WHERE kind = ? AND number = ? AND substr(order_date, 1, 4) = ? AND status = 'signed'",
            (kind.value, number.strip(), f"{on.year:04d}"),
        )
        return any(r["id"] != except_id for r in rows)

    # --- drafts ----------------------------------------------------------------------------
    def _clean(self, raw: Mapping[str, Any], current: Order | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        if "kind" in raw:
            try:
                values["kind"] = OrderKind(raw["kind"]).value
            except ValueError:
                problems.append(FieldProblem("kind", "Неизвестный вид документа."))
        for name in _ORDER_TEXT_FIELDS:
            if name in raw:
                values[name] = clean_text(str(raw[name] or ""))
                _check_length(name, values[name], problems)
        for name in _ORDER_MULTILINE_FIELDS:
            if name in raw:
                values[name] = clean_multiline(raw[name] or "")
                _check_length(name, values[name], problems)
        if "order_date" in raw:
            value = raw["order_date"]
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value) if value else None
                except ValueError:
                    problems.append(FieldProblem("order_date", f"Дата «{value}» не распознана."))
                    value = None
            values["order_date"] = _iso(value)
        if "date_style" in raw:
            values["date_style"] = "words" if raw["date_style"] == "words" else "numeric"
        if "academic_year" in raw:
            values["academic_year"] = int(raw["academic_year"]) if raw["academic_year"] else None
        if "amends_order_id" in raw:
            values["amends_order_id"] = raw["amends_order_id"]
        if "options" in raw:
            options = raw["options"]
            values["options"] = options_json(options if isinstance(options, OrderOptions) else OrderOptions())
        if problems:
            raise ValidationError(problems)
        return values

    def create(self, raw: Mapping[str, Any], points: Sequence[PointDraft] = ()) -> tuple[int, ChangeSet]:
        values = self._clean(raw, None)
        values.setdefault("kind", OrderKind.ORDER.value)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Новый документ «{_short(values.get('title', ''))}»")
            _ensure_year(conn, values.get("academic_year"))
            order_id = recorder.insert("orders", values)
            _insert_points(recorder, order_id, points)
        return order_id, recorder.changeset

    def update(self, order_id: int, raw: Mapping[str, Any]) -> ChangeSet:
        current = self._draft(order_id)
        values = self._clean(raw, current)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Изменение документа «{_short(current.title)}»")
            _ensure_year(conn, values.get("academic_year"))
            recorder.update("orders", order_id, values)
        return recorder.changeset

    def set_points(self, order_id: int, points: Sequence[PointDraft]) -> ChangeSet:
        current = self._draft(order_id)
        problems: list[FieldProblem] = []
        for draft in _walk(points):
            for name in ("text", "addressee", "responsible", "deadline"):
                _check_length(name, getattr(draft, name), problems)
        if problems:
            raise ValidationError(problems)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Пункты документа «{_short(current.title)}»")
            for row in conn.execute(
                "SELECT id FROM order_points WHERE order_id = ? ORDER BY parent_id IS NULL, position DESC",
                (order_id,),
            ).fetchall():
                recorder.delete("order_points", row["id"])
            _insert_points(recorder, order_id, points)
            recorder.update("orders", order_id, {"updated_at": _now(conn)})
        return recorder.changeset

    def delete(self, order_id: int) -> ChangeSet:
        current = self.get(order_id)
        if current.is_signed:
            raise SignedOrderError(
                f"{current.requisites.capitalize()} подписан и хранится в реестре: удалить его нельзя."
            )
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Удаление документа «{_short(current.title)}»")
            for row in conn.execute(
                "SELECT id FROM order_points WHERE order_id = ? ORDER BY parent_id IS NULL, position DESC",
                (order_id,),
            ).fetchall():
                recorder.delete("order_points", row["id"])
            for row in conn.execute(
                "SELECT id FROM order_appendices WHERE order_id = ?", (order_id,)
            ).fetchall():
                recorder.delete("order_appendices", row["id"])
            for row in conn.execute(
                "SELECT id FROM orders WHERE amends_order_id = ?", (order_id,)
            ).fetchall():
                recorder.update("orders", row["id"], {"amends_order_id": None})
            recorder.delete("orders", order_id)
        return recorder.changeset

    def _draft(self, order_id: int) -> Order:
        current = self.get(order_id)
        if current.is_signed:
            raise SignedOrderError(
                f"{current.requisites.capitalize()} подписан: изменить его нельзя. Чтобы изменить "
                f"подписанный документ, создайте новый «О внесении изменений в {current.kind.accusative} …» "
                "(кнопка «Внести изменения»)."
            )
        return current

    # --- appendices ----------------------------------------------------------------------
    def _clean_appendix(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        if "kind" in raw:
            try:
                values["kind"] = AppendixKind(raw["kind"]).value
            except ValueError:
                problems.append(FieldProblem("kind", "Неизвестный вид приложения."))
        for name in ("title", "body", "stamp"):
            if name in raw:
                values[name] = (
                    clean_body(raw[name] or "") if name == "body" else clean_multiline(raw[name] or "")
                )
                _check_length(name, values[name], problems)
        if "plan_ids" in raw:
            values["plan_ids"] = json.dumps([int(v) for v in raw["plan_ids"] or ()])
        for name in ("academic_year", "working_group_id", "template_id"):
            if name in raw:
                values[name] = int(raw[name]) if raw[name] else None
        if "category" in raw:
            values["category"] = str(raw["category"] or "")
        if "landscape" in raw:
            values["landscape"] = None if raw["landscape"] is None else int(bool(raw["landscape"]))
        if problems:
            raise ValidationError(problems)
        return values

    def add_appendix(self, order_id: int, raw: Mapping[str, Any]) -> tuple[int, ChangeSet]:
        current = self._draft(order_id)
        values = self._clean_appendix(raw)
        if "kind" not in values:
            raise ValidationError([FieldProblem("kind", "Выберите вид приложения.")])
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Приложение к документу «{_short(current.title)}»")
            position = conn.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM order_appendices WHERE order_id = ?", (order_id,)
            ).fetchone()[0]
            appendix_id = recorder.insert(
                "order_appendices", {"order_id": order_id, "position": position, **values}
            )
            recorder.update("orders", order_id, {"updated_at": _now(conn)})
        return appendix_id, recorder.changeset

    def update_appendix(self, appendix_id: int, raw: Mapping[str, Any]) -> ChangeSet:
        order_id = self._appendix_order(appendix_id)
        current = self._draft(order_id)
        values = self._clean_appendix(raw)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Приложение к документу «{_short(current.title)}»")
            recorder.update("order_appendices", appendix_id, values)
        return recorder.changeset

    def delete_appendix(self, appendix_id: int) -> ChangeSet:
        order_id = self._appendix_order(appendix_id)
        current = self._draft(order_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Удаление приложения документа «{_short(current.title)}»")
            recorder.delete("order_appendices", appendix_id)
        return recorder.changeset

    def move_appendix(self, appendix_id: int, index: int) -> ChangeSet:
        order_id = self._appendix_order(appendix_id)
        current = self._draft(order_id)
        ids = [a.id for a in current.appendices]
        ids.remove(appendix_id)
        ids.insert(max(0, min(index, len(ids))), appendix_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Порядок приложений документа «{_short(current.title)}»")
            for position, row_id in enumerate(ids, start=1):
                recorder.update("order_appendices", row_id, {"position": position})
        return recorder.changeset

    def _appendix_order(self, appendix_id: int) -> int:
        rows = self.database.query("SELECT order_id FROM order_appendices WHERE id = ?", (appendix_id,))
        if not rows:
            raise AppError("Приложение не найдено: возможно, оно удалено.")
        return int(rows[0][0])

    # --- signing -------------------------------------------------------------------------
    def check_ready(self, order: Order) -> list[str]:
        """What stops the order from being signed, in Russian; empty when it is ready."""
        problems: list[str] = []
        if not order.title.strip() and order.kind is not OrderKind.LETTER:
            problems.append("не заполнен заголовок («Об утверждении …»)")
        if not order.signer_name.strip():
            problems.append("не указан подписывающий (Ф. И. О.)")
        if not order.signer_position.strip():
            problems.append("не указана должность подписывающего")
        if not order.points and not order.preamble.strip():
            problems.append("нет ни одного пункта и нет текста")
        if order.kind is OrderKind.LETTER and not order.addressee.strip():
            problems.append("не указан адресат письма")
        for draft in _walk(point_drafts(order.points)):
            if draft.text.rstrip().endswith(":") and not draft.children:
                problems.append(f"после «{_short(draft.text, 50)}» нет ни одного подпункта")
        for number, appendix in enumerate(order.appendices, start=1):
            problems.extend(f"приложение {number}: {p}" for p in self.appendix_problems(appendix))
        problems.extend(reference_problems(order))
        return problems

    def appendix_problems(self, appendix: OrderAppendix) -> list[str]:
        problems: list[str] = []
        kind = appendix.kind
        if kind is AppendixKind.PLAN:
            if not appendix.plan_ids:
                problems.append("не выбран план мероприятий")
            for plan_id in appendix.plan_ids:
                if not self.database.query("SELECT 1 FROM plans WHERE id = ?", (plan_id,)):
                    problems.append(f"план № {plan_id} удалён — выберите план заново")
        elif kind is AppendixKind.WORKING_GROUP:
            if appendix.working_group_id is None or not self.database.query(
                "SELECT 1 FROM working_groups WHERE id = ?", (appendix.working_group_id,)
            ):
                problems.append("не выбрана рабочая группа (или она удалена)")
        elif kind is AppendixKind.MONITORING_CRITERIA:
            if appendix.template_id is None or not self.database.query(
                "SELECT 1 FROM monitoring_templates WHERE id = ?", (appendix.template_id,)
            ):
                problems.append("не выбран перечень критериев мониторинга (или он удалён)")
        elif kind is AppendixKind.SCHOOL_LIST:
            if not appendix.category:
                problems.append("не выбрана категория школ")
            if appendix.academic_year is None:
                problems.append("не выбран учебный год")
            elif appendix.category and not self.database.query(
                "SELECT 1 FROM school_categories WHERE academic_year = ? AND category = ?",
                (appendix.academic_year, appendix.category),
            ):
                problems.append(
                    "в реестре нет ни одной школы этой категории за этот учебный год — список пуст"
                )
        elif kind in (AppendixKind.PARTNERSHIPS, AppendixKind.PARTNERSHIP_MAP):
            if appendix.academic_year is None:
                problems.append("не выбран учебный год")
            elif not self.database.query(
                "SELECT 1 FROM partnership_groups WHERE academic_year = ? AND status <> 'cancelled'",
                (appendix.academic_year,),
            ):
                problems.append("на этот учебный год не задано ни одного партнёрства")
        elif kind is AppendixKind.TEXT and not appendix.body.strip() and not appendix.title.strip():
            problems.append("пустое приложение: нет ни заголовка, ни текста")
        return problems

    def sign(
        self,
        order_id: int,
        *,
        number: str,
        on: date,
        pdf: bytes,
        snapshot: Mapping[str, Any],
        check: bool = True,
    ) -> ChangeSet:
        """Mark signed with the number and date it takes in the register, keeping the PDF printed
        for signing and the document it was printed from. `app.orders.printing.sign_order` makes
        both; this method only checks and stores them."""
        current = self._draft(order_id)
        number = clean_text(number)
        # an imported document was signed on paper as it is: only its number must be free
        problems = self.check_ready(current) if check else []
        if not number:
            problems.insert(0, "не указан номер")
        elif self.number_in_use(current.kind, number, on, except_id=order_id):
            problems.insert(0, f"номер {number} в {on.year} году уже занят другим подписанным документом")
        if problems:
            raise AppError(
                f"Нельзя отметить {current.kind.accusative} подписанным: " + "; ".join(problems) + "."
            )
        if not pdf.startswith(b"%PDF"):
            raise AppError("Подписанная копия должна быть PDF-файлом.")
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Подписание: {current.kind.label.lower()} № {number}")
            recorder.update(
                "orders",
                order_id,
                {
                    "number": number,
                    "order_date": on.isoformat(),
                    "status": OrderStatus.SIGNED.value,
                    "signed_at": _now(conn),
                    "pdf": pdf,
                    "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                    "snapshot": json.dumps(snapshot, ensure_ascii=False),
                },
            )
        return recorder.changeset

    def snapshot(self, order_id: int) -> dict[str, Any] | None:
        rows = self.database.query("SELECT snapshot FROM orders WHERE id = ?", (order_id,))
        if not rows or not rows[0][0]:
            return None
        try:
            data = json.loads(rows[0][0])
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    def signed_pdf(self, order_id: int) -> bytes:
        rows = self.database.query("SELECT pdf, status FROM orders WHERE id = ?", (order_id,))
        if not rows or rows[0]["status"] != OrderStatus.SIGNED.value or rows[0]["pdf"] is None:
            raise AppError("У этого документа нет подписанной копии: он ещё не подписан.")
        return bytes(rows[0]["pdf"])

    def verify(self, order_id: int) -> Verification:
        """Whether the stored signed copy is still the one that was signed."""
        order = self.get(order_id)
        if not order.is_signed:
            return Verification(False, "Документ ещё не подписан: проверять нечего.")
        rows = self.database.query("SELECT pdf FROM orders WHERE id = ?", (order_id,))
        pdf = bytes(rows[0]["pdf"] or b"")
        actual = hashlib.sha256(pdf).hexdigest()
        if actual != order.pdf_sha256:
            return Verification(
                False,
                f"Копия {order.kind.genitive} от {format_order_date(order.order_date)} № {order.number} "
                "не совпадает с подписанной: её контрольная сумма (SHA-256) изменилась. "
                "Файл базы данных мог быть изменён в обход программы — сверьте с бумажным экземпляром.",
            )
        return Verification(True, f"Копия совпадает с подписанной (SHA-256 {actual[:16]}…).")

    # --- amendments ------------------------------------------------------------------------
    def amend(self, order_id: int) -> tuple[int, ChangeSet]:
        """A new draft «О внесении изменений в приказ от … № …» that refers to the signed one."""
        old = self.get(order_id)
        if not old.is_signed:
            raise AppError("Изменения вносятся только в подписанный документ; проект можно просто исправить.")
        reference = f"{old.kind.accusative} от {format_order_date(old.order_date)} № {old.number}"
        title = f"О внесении изменений в {reference}"
        if old.title:
            title += f" «{old.title.replace(chr(10), ' ')}»"
        raw = {
            "kind": old.kind.value,
            "title": title,
            "letterhead": old.letterhead,
            "kind_title": old.kind_title,
            "issuer": old.issuer,
            "place": old.place,
            "date_style": old.date_style,
            "directive": old.directive or old.kind.directive_word,
            "preamble": "",
            "control_text": old.control_text,
            "signer_position": old.signer_position,
            "signer_name": old.signer_name,
            "distribution": old.distribution,
            "academic_year": old.academic_year,
            "amends_order_id": old.id,
            "options": old.options,
        }
        points = [PointDraft(text=f"Внести в {reference} следующие изменения:")]
        return self.create(raw, points)

    # --- working groups --------------------------------------------------------------------
    def list_working_groups(self, year: int | None = None) -> list[WorkingGroup]:
        rows = self.database.query(
            "SELECT * FROM working_groups "
            + ("WHERE academic_year = ? " if year is not None else "")
            + "ORDER BY academic_year DESC, id",
            (year,) if year is not None else (),
        )
        members: dict[int, list[GroupMember]] = {}
        for m in self.database.query("SELECT * FROM working_group_members ORDER BY group_id, position, id"):
            members.setdefault(m["group_id"], []).append(
                GroupMember(m["full_name"], m["job_title"], MemberRole(m["role"]), m["person_id"])
            )
        return [
            WorkingGroup(
                r["id"], r["title"], r["academic_year"], tuple(members.get(r["id"], ())), r["source"]
            )
            for r in rows
        ]

    def working_group(self, group_id: int) -> WorkingGroup:
        for group in self.list_working_groups():
            if group.id == group_id:
                return group
        raise AppError("Рабочая группа не найдена: возможно, она удалена.")

    def save_working_group(
        self,
        group_id: int | None,
        *,
        title: str,
        year: int | None,
        members: Sequence[GroupMember],
        source: str = "",
    ) -> tuple[int, ChangeSet]:
        title = clean_multiline(title)
        problems: list[FieldProblem] = []
        if not title:
            problems.append(FieldProblem("title", "Укажите название рабочей группы."))
        cleaned = []
        for index, member in enumerate(members, start=1):
            name = clean_text(member.full_name)
            if not name:
                problems.append(FieldProblem("members", f"Строка {index}: не указаны фамилия и инициалы."))
                continue
            cleaned.append(GroupMember(name, clean_text(member.job_title), member.role, member.person_id))
        if problems:
            raise ValidationError(problems)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Рабочая группа «{_short(title)}»")
            _ensure_year(conn, year)
            if group_id is None:
                group_id = recorder.insert(
                    "working_groups", {"title": title, "academic_year": year, "source": source}
                )
            else:
                recorder.update("working_groups", group_id, {"title": title, "academic_year": year})
                for row in conn.execute(
                    "SELECT id FROM working_group_members WHERE group_id = ?", (group_id,)
                ).fetchall():
                    recorder.delete("working_group_members", row["id"])
            for position, member in enumerate(cleaned, start=1):
                recorder.insert(
                    "working_group_members",
                    {
                        "group_id": group_id,
                        "position": position,
                        "role": member.role.value,
                        "full_name": member.full_name,
                        "job_title": member.job_title,
                        "person_id": member.person_id,
                    },
                )
        return group_id, recorder.changeset

    def delete_working_group(self, group_id: int) -> ChangeSet:
        group = self.working_group(group_id)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, f"Удаление рабочей группы «{_short(group.title)}»")
            for row in conn.execute(
                "SELECT id FROM order_appendices WHERE working_group_id = ?", (group_id,)
            ).fetchall():
                recorder.update("order_appendices", row["id"], {"working_group_id": None})
            for row in conn.execute(
                "SELECT id FROM working_group_members WHERE group_id = ?", (group_id,)
            ).fetchall():
                recorder.delete("working_group_members", row["id"])
            recorder.delete("working_groups", group_id)
        return recorder.changeset


# --- helpers ---------------------------------------------------------------------------------


def clean_body(value: object) -> str:
    """Like `clean_multiline`, but a tab-separated line (a table row) keeps its tabs."""
    lines = [
        "\t".join(" ".join(cell.split()) for cell in line.split("\t"))
        if "\t" in line
        else " ".join(line.split())
        for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return (
        clean_multiline("\n".join(lines))
        if not any("\t" in line for line in lines)
        else "\n".join(lines).strip("\n")
    )


def appendix_from_row(r: Mapping[str, Any]) -> OrderAppendix:
    try:
        plan_ids = tuple(int(v) for v in json.loads(r["plan_ids"] or "[]"))
    except (json.JSONDecodeError, TypeError, ValueError):
        plan_ids = ()
    return OrderAppendix(
        id=r["id"],
        kind=AppendixKind(r["kind"]),
        title=r["title"],
        plan_ids=plan_ids,
        academic_year=r["academic_year"],
        category=r["category"],
        working_group_id=r["working_group_id"],
        template_id=r["template_id"],
        body=r["body"],
        landscape=None if r["landscape"] is None else bool(r["landscape"]),
        stamp=r["stamp"],
    )


# «согласно приложению 1», «в соответствии с приложением № 2», «(Приложение № 3)», «приложениями 2 и 3»
_APPENDIX_REFERENCE = re.compile(
    r"приложени(?:е|я|ю|ем|и|ями|ям|ях)\s*(?:№\s*)?(\d+)(?:\s*(?:,|и)\s*(?:№\s*)?(\d+))?", re.IGNORECASE
)
# what a point says the appendix is, by the words before the reference
_APPENDIX_WORDS = (
    (AppendixKind.WORKING_GROUP, re.compile(r"рабоч\w* групп", re.IGNORECASE)),
    (AppendixKind.PARTNERSHIPS, re.compile(r"партн[её]рств", re.IGNORECASE)),
    (AppendixKind.MONITORING_CRITERIA, re.compile(r"мониторинг|критери", re.IGNORECASE)),
    (
        AppendixKind.SCHOOL_LIST,
        re.compile(r"списо?к\w*\s+(?:обще)?образовательных|списо?к\w*\s+школ", re.IGNORECASE),
    ),
    (AppendixKind.PLAN, re.compile(r"\bплан\w*|дорожн\w+ карт|комплекс\w* мер", re.IGNORECASE)),
)


def reference_problems(order: Order) -> list[str]:
    """Points that name an appendix the order does not have, or name it as something it is not
    (an appendix moved or deleted after the text was written)."""
    problems: list[str] = []
    count = len(order.appendices)
    numbers = number_points(order.points)
    texts = [(n, p.addressee + " " + p.text) for n, p in zip(numbers, order.points, strict=True)]
    texts += [(n, c.text) for p, n in zip(order.points, numbers, strict=True) for c in p.children]
    for number, text in texts:
        previous_end = 0
        for match in _APPENDIX_REFERENCE.finditer(text):
            cited = [int(g) for g in match.groups() if g]
            for value in cited:
                if value > count or value < 1:
                    have = f"приложений {count}" if count else "приложений нет"
                    problems.append(f"пункт {number.rstrip('.')} ссылается на приложение {value}, а {have}")
            before, previous_end = text[previous_end : match.start()], match.end()
            if len(cited) != 1 or not 1 <= cited[0] <= count:
                continue
            # the thing named nearest before the reference is what the point says the appendix is
            said, said_at = None, -1
            for kind, words in _APPENDIX_WORDS:
                for found in words.finditer(before):
                    if found.start() > said_at:
                        said, said_at = kind, found.start()
            actual = order.appendices[cited[0] - 1].kind
            kinds_alike = {said, actual} <= {AppendixKind.PARTNERSHIPS, AppendixKind.PARTNERSHIP_MAP} or (
                said is AppendixKind.PLAN and actual is AppendixKind.TEXT
            )
            if said is not None and said is not actual and not kinds_alike:
                problems.append(
                    f"пункт {number.rstrip('.')} называет приложение {cited[0]} «{said.label.lower()}», "
                    f"а приложение {cited[0]} — «{actual.label.lower()}» (приложения переставлены или удалены?)"
                )
    return problems


def _walk(points: Iterable[PointDraft]) -> Iterable[PointDraft]:
    for point in points:
        yield point
        yield from _walk(point.children)


def _insert_points(recorder: ChangeRecorder, order_id: int, points: Sequence[PointDraft]) -> None:
    position = 0

    def add(nodes: Sequence[PointDraft], parent_id: int | None) -> None:
        nonlocal position
        for node in nodes:
            position += 1
            row_id = recorder.insert(
                "order_points",
                {
                    "order_id": order_id,
                    "parent_id": parent_id,
                    "position": position,
                    "number": clean_text(node.number),
                    "addressee": clean_multiline(node.addressee),
                    "text": clean_multiline(node.text),
                    "responsible": clean_text(node.responsible),
                    "deadline": clean_text(node.deadline),
                },
            )
            add(node.children, row_id)

    add(points, None)


def point_drafts(points: Iterable[OrderPoint]) -> list[PointDraft]:
    return [
        PointDraft(p.number, p.text, p.addressee, p.responsible, p.deadline, point_drafts(p.children))
        for p in points
    ]


def _pattern_regex(pattern: str, on: date) -> re.Pattern[str]:
    parts = re.split(r"(\{n\}|\{yyyy\}|\{yy\})", pattern)
    regex = ""
    for part in parts:
        if part == "{n}":
            regex += r"(?P<n>\d+)"
        elif part == "{yyyy}":
            regex += f"{on.year:04d}"
        elif part == "{yy}":
            regex += f"{on.year % 100:02d}"
        else:
            regex += re.escape(part)
    return re.compile(regex)


def _ensure_year(conn: sqlite3.Connection, year: int | None) -> None:
    if year is not None:
        conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (year,))


def _now(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0])


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
