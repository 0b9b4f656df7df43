"""Network partnerships as plain objects: groups, members, warnings, distances."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PartnershipKind(StrEnum):
    PAIR = "pair"
    GROUP = "group"
    BASE_SITE = "base_site"
    MENTORING = "mentoring"

    @property
    def label(self) -> str:
        return {
            "pair": "Пара",
            "group": "Группа",
            "base_site": "Базовая площадка",
            "mentoring": "Наставничество",
        }[self.value]


class MemberRole(StrEnum):
    TARGET = "target"
    PARTNER = "partner"
    BASE_SITE = "base_site"
    MENTOR = "mentor"

    @property
    def label(self) -> str:
        return {
            "target": "Школа с низкими результатами",
            "partner": "Школа-партнёр",
            "base_site": "Базовая площадка",
            "mentor": "Школа-наставник",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {
            "target": "ШНРО",
            "partner": "партнёр",
            "base_site": "базовая площадка",
            "mentor": "наставник",
        }[self.value]

    @property
    def is_supporting(self) -> bool:
        return self is not MemberRole.TARGET


class PartnershipStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "planned": "Планируется",
            "active": "Действует",
            "finished": "Завершено",
            "cancelled": "Отменено",
        }[self.value]


@dataclass(frozen=True)
class Member:
    school_id: int
    role: MemberRole
    name: str  # the school's short name (or full when it has none)
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class PartnershipGroup:
    id: int
    academic_year: int
    name: str
    kind: PartnershipKind
    members: tuple[Member, ...]
    agreement_number: str = ""
    agreement_date: date | None = None
    activities: str = ""
    status: PartnershipStatus = PartnershipStatus.ACTIVE
    plan_item_ids: tuple[int, ...] = ()
    source: str = ""

    @property
    def targets(self) -> list[Member]:
        return [m for m in self.members if m.role is MemberRole.TARGET]

    @property
    def supporters(self) -> list[Member]:
        return [m for m in self.members if m.role.is_supporting]

    @property
    def title(self) -> str:
        """The name given, or the members joined as the seeds write them: «A – B – C»."""
        return self.name or " – ".join(m.name for m in self.members)

    def links(self) -> list[tuple[Member, Member]]:
        """The lines drawn on the map: every target to every supporting school."""
        targets, supporters = self.targets, self.supporters
        if not targets or not supporters:
            ordered = list(self.members)
            return list(itertools.pairwise(ordered))
        return [(t, s) for t in targets for s in supporters]

    def agreement_text(self) -> str:
        parts = []
        if self.agreement_number:
            parts.append(f"№ {self.agreement_number}")
        if self.agreement_date:
            parts.append(f"от {self.agreement_date:%d.%m.%Y}")
        return " ".join(parts)


class WarningKind(StrEnum):
    NO_PARTNER = "no_partner"
    PARTNER_ON_LIST = "partner_on_list"
    TWO_GROUPS = "two_groups"
    INCOMPLETE = "incomplete"
    COORDINATES = "coordinates"


@dataclass(frozen=True)
class PartnershipWarning:
    kind: WarningKind
    message: str
    school_id: int | None = None
    group_id: int | None = None


EARTH_RADIUS_KM = 6371.0


def distance_km(first: Member, second: Member) -> float | None:
    """Great-circle distance between two schools, or None when either has no coordinates."""
    if not (first.has_coordinates and second.has_coordinates):
        return None
    assert first.latitude is not None and first.longitude is not None
    assert second.latitude is not None and second.longitude is not None
    lat1, lon1, lat2, lon2 = map(
        math.radians, (first.latitude, first.longitude, second.latitude, second.longitude)
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def looks_swapped(latitude: float | None, longitude: float | None) -> bool:
    """Russian schools lie between 41° and 82° north: a «latitude» of 30 with a «longitude» of 59
    is the usual sign that the two columns were swapped."""
    if latitude is None or longitude is None:
        return False
    return not 41 <= latitude <= 82 and 41 <= longitude <= 82
