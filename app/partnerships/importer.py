"""Partnership lists → groups in the database: match names, let the user confirm, then write once.

The parser (app/partnerships/parse.py) reads the groups as written; the matcher finds each name
in the registry. A name matched with confidence is used as is; a doubtful one needs the user's
word (`confirm`), an unknown one cannot be loaded. Writing is one transaction and one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain import academic_year_label
from app.importing.errors import database_errors
from app.importing.report import ImportIssue, Severity
from app.partnerships.matching import Match, SchoolMatcher
from app.partnerships.model import MemberRole, PartnershipKind
from app.partnerships.parse import ParsedGroup, ParsedPartnerships, parse_file
from app.schools import SchoolService
from app.text import plural
from db.changes import ChangeRecorder, ChangeSet
from db.connection import Database


@dataclass
class GroupPreview:
    parsed: ParsedGroup
    matches: list[Match]
    # The user's choices for doubtful or unknown names: position in the group → school id.
    chosen: dict[int, int | None] = field(default_factory=dict)  # None: the user cleared it
    load: bool = True

    def school_ids(self) -> list[int | None]:
        return [self.chosen.get(i, m.school_id if m.confident else None) for i, m in enumerate(self.matches)]

    @property
    def ready(self) -> bool:
        ids = self.school_ids()
        return all(school_id is not None for school_id in ids) and len(set(ids)) == len(ids) >= 2

    def describe(self) -> str:
        return " – ".join(self.parsed.names)


@dataclass
class PartnershipImportPreview:
    source_name: str
    year: int
    groups: list[GroupPreview]
    issues: list[ImportIssue]
    names: dict[int, str] = field(default_factory=dict)  # school id → registry name, for messages

    @property
    def doubtful(self) -> list[str]:
        """One line per name that needs the user: doubtful matches and names not in the registry."""
        lines = []
        for group in self.groups:
            for match, school_id in zip(group.matches, group.school_ids(), strict=True):
                if school_id is not None:
                    continue
                where = f"строка {group.parsed.source_row}"
                if match.school_id is not None:
                    lines.append(f"{where}: «{match.text}» — это {self.names.get(match.school_id, '?')}?")
                else:
                    lines.append(f"{where}: «{match.text}» не найдена в реестре")
        return lines

    def confirm(self, group_index: int, position: int, school_id: int) -> None:
        self.groups[group_index].chosen[position] = school_id

    def ready_groups(self) -> list[GroupPreview]:
        return [g for g in self.groups if g.load and g.ready]

    def summary(self) -> str:
        ready = len(self.ready_groups())
        waiting = sum(1 for g in self.groups if g.load and not g.ready)
        twins = sum(1 for g in self.groups if not g.load)
        text = (
            f"Файл «{self.source_name}»: {len(self.groups)} "
            f"{plural(len(self.groups), 'группа', 'группы', 'групп')} школ на {academic_year_label(self.year)} учебный год; "
            f"готово к загрузке: {ready}"
        )
        if waiting:
            text += f"; ждут подтверждения названий: {waiting}"
        if twins:
            text += f"; уже есть в базе: {twins}"
        return text + "."


def preview_partnership_import(
    database: Database, source: Path | ParsedPartnerships, year: int
) -> PartnershipImportPreview:
    parsed = parse_file(source) if isinstance(source, Path) else source
    schools = SchoolService(database).list_schools()
    matcher = SchoolMatcher(schools)
    names = {s.id: s.display_name for s in schools}
    issues = list(parsed.issues)
    groups = []
    existing = _members_of_year(database, year)
    stored = _groups_of_year(database, year)
    for group in parsed.groups:
        matches = [matcher.match(name) for name in group.names]
        preview = GroupPreview(group, matches)
        groups.append(preview)
        ids = frozenset(preview.school_ids())
        if None not in ids and ids in stored:
            preview.load = False  # the same schools are already a group of that year
            issues.append(
                ImportIssue(
                    parsed.source_name,
                    group.source_row,
                    "",
                    "",
                    f"такое партнёрство на {academic_year_label(year)} учебный год уже есть "
                    f"(№ {stored[ids]}): группа не загружается",
                    Severity.WARNING,
                )
            )
            continue
        for match in matches:
            if match.confident and match.school_id in existing:
                issues.append(
                    ImportIssue(
                        parsed.source_name,
                        group.source_row,
                        "",
                        "",
                        f"{names[match.school_id]} уже входит в другое партнёрство {academic_year_label(year)}: "
                        "после загрузки школа будет в двух партнёрствах (программа предупредит об этом)",
                        Severity.WARNING,
                    )
                )
    return PartnershipImportPreview(parsed.source_name, year, groups, issues, names)


def _groups_of_year(database: Database, year: int) -> dict[frozenset[int], int]:
    """The school sets of the year's groups → the group's number."""
    found: dict[int, set[int]] = {}
    for row in database.query(
        "SELECT m.group_id, m.school_id FROM partnership_members m JOIN partnership_groups g ON g.id = m.group_id "
        "WHERE g.academic_year = ? AND g.status <> 'cancelled'",
        (year,),
    ):
        found.setdefault(row[0], set()).add(row[1])
    return {frozenset(schools): group_id for group_id, schools in found.items()}


def _members_of_year(database: Database, year: int) -> set[int]:
    return {
        row[0]
        for row in database.query(
            "SELECT m.school_id FROM partnership_members m JOIN partnership_groups g ON g.id = m.group_id "
            "WHERE g.academic_year = ? AND g.status <> 'cancelled'",
            (year,),
        )
    }


def apply_partnership_import(
    database: Database, preview: PartnershipImportPreview
) -> tuple[list[int], ChangeSet]:
    """Write every group whose names are all settled; one transaction, one undo step."""
    created: list[int] = []
    groups = preview.ready_groups()
    with database_errors(database), database.atomic() as conn:
        conn.execute("INSERT OR IGNORE INTO academic_years (start_year) VALUES (?)", (preview.year,))
        recorder = ChangeRecorder(conn, f"Загрузка партнёрств из «{preview.source_name}»")
        for group in groups:
            parsed = group.parsed
            kind = parsed.kind_hint if parsed.kind_hint in {k.value for k in PartnershipKind} else "pair"
            group_id = recorder.insert(
                "partnership_groups",
                {
                    "academic_year": preview.year,
                    "kind": kind,
                    "agreement_number": parsed.agreement_number,
                    "agreement_date": parsed.agreement_date.isoformat() if parsed.agreement_date else None,
                    "activities": parsed.activities,
                    "source": preview.source_name,
                },
            )
            roles = parsed.roles or ["target"] + ["partner"] * (len(parsed.names) - 1)
            for position, (school_id, role) in enumerate(
                zip(group.school_ids(), roles, strict=False), start=1
            ):
                recorder.insert(
                    "partnership_members",
                    {
                        "group_id": group_id,
                        "school_id": school_id,
                        "role": MemberRole(role).value,
                        "position": position,
                    },
                )
            created.append(group_id)
    return created, recorder.changeset


def group_rows(preview: PartnershipImportPreview) -> list[dict[str, Any]]:
    """The preview as plain rows (the window's table, the command line's report)."""
    rows = []
    for index, group in enumerate(preview.groups):
        for position, match in enumerate(group.matches):
            school_id = group.school_ids()[position]
            rows.append(
                {
                    "group": index,
                    "position": position,
                    "row": group.parsed.source_row,
                    "written": match.text,
                    "school_id": school_id,
                    "school": preview.names.get(school_id, "") if school_id is not None else "",
                    "confident": match.confident or position in group.chosen,
                    "candidates": [
                        (cid, preview.names.get(cid, ""), score) for cid, score in match.candidates
                    ],
                }
            )
    return rows
