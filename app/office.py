"""The office's requisites (printed on every order) and the academic years in use."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date

from app.domain import Office
from app.errors import FieldProblem, ValidationError
from app.values import clean_text, parse_email, parse_phone
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database

_OFFICE_FIELDS = [f.name for f in fields(Office)]


def current_academic_year(today: date | None = None) -> int:
    """The academic year runs September to August: 15.11.2026 → 2026, 15.03.2027 → 2026."""
    today = today or date.today()
    return today.year if today.month >= 9 else today.year - 1


class OfficeService:
    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self) -> Office:
        rows = self.database.query("SELECT * FROM office WHERE id = 1")
        if not rows:
            return Office()
        return Office(**{name: rows[0][name] for name in _OFFICE_FIELDS})

    def save(self, office: Office) -> ChangeSet:
        values = {
            name: clean_text(value) if name != "name" else _clean_lines(str(value))
            for name, value in asdict(office).items()
        }
        problems: list[FieldProblem] = []
        if not values["name"]:
            problems.append(FieldProblem("name", "Укажите наименование органа управления образованием"))
        for name, parser in (("email", parse_email), ("phone", parse_phone)):
            try:
                parser(values[name])
            except ValueError as exc:
                message = str(exc)  # not str.capitalize(): it would lower-case the quoted value
                problems.append(FieldProblem(name, message[:1].upper() + message[1:]))
        if problems:
            raise ValidationError(problems)
        with self.database.atomic() as conn:
            recorder = ChangeRecorder(conn, "Изменение реквизитов органа управления образованием")
            if conn.execute("SELECT 1 FROM office WHERE id = 1").fetchone():
                recorder.update("office", 1, values)
            else:
                recorder.insert("office", {"id": 1, **values})
        return recorder.changeset

    # --- academic years ------------------------------------------------------------------
    def years(self) -> list[int]:
        """Years in use, newest first; always includes the current one."""
        stored = {int(r[0]) for r in self.database.query("SELECT start_year FROM academic_years")}
        stored.add(current_academic_year())
        return sorted(stored, reverse=True)

    def add_year(self, start_year: int) -> None:
        with self.database.atomic() as conn:
            conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (start_year,))

    # --- per-database settings -----------------------------------------------------------
    def setting(self, key: str, default: str = "") -> str:
        rows = self.database.query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a per-database setting; a changed one (but the year the views show) gets an
        audit line, since everyone who opens this database sees it."""
        from app.audit import UNLOGGED_SETTINGS, setting_name
        from db.changes import log_action

        with self.database.atomic() as conn:
            stored = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            before = None if stored is None else str(stored[0])
            if key not in UNLOGGED_SETTINGS and before != value:
                log_action(
                    conn, f"Настройка: {setting_name(key)}", {key: [before, value]}, tables="settings ~1"
                )


def _clean_lines(text: str) -> str:
    """The letterhead keeps its line breaks; each line is trimmed and empty lines dropped."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
