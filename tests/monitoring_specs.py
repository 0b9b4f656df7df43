"""Small monitoring templates for tests, built with the real spec classes of app.monitoring."""

from __future__ import annotations

from collections.abc import Sequence

from app.monitoring.templates import CriterionSpec, TemplateSpec


def Node(
    number: str,
    title: str,
    type: str,
    required: bool = True,
    points: float | None = None,
    choices: Sequence[str] = (),
    hint: str = "",
    children: Sequence[CriterionSpec] = (),
) -> CriterionSpec:
    return CriterionSpec(number, title, type, required, points, tuple(choices), hint, tuple(children))


def Spec(
    key: str = "test",
    version: int = 1,
    title: str = "Итоговый мониторинг",
    source: str = "приказ № 98/1",
    description: str = "",
    criteria: Sequence[CriterionSpec] = (),
) -> TemplateSpec:
    return TemplateSpec(key, title, version, source, description, tuple(criteria))
