"""Criteria templates for monitoring: trees of groups and criteria, kept as JSON files.

The program ships its templates in resources/monitoring/*.json (one template a file); a user can
write their own in the same format. A file looks like this::

    {"key": "final_monitoring", "title": "…", "version": 1, "source": "…", "description": "…",
     "criteria": [
        {"number": "1", "title": "…", "type": "document", "required": true, "points": null,
         "choices": [], "hint": "", "children": []},
        {"number": "6", "title": "…", "type": "group", "children": [{"number": "6.1", …}]}]}

Types: «group» (a heading with children and no value of its own), «text», «number», «percent»,
«yesno», «date», «document» (requisites «№ … от …»), «choice» (one of «choices»).
No Qt here: the loader is used by the services, the command line and the tests alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.errors import AppError, os_reason

CRITERION_TYPES: dict[str, str] = {
    "group": "Группа",
    "text": "Текст",
    "number": "Число",
    "percent": "Процент",
    "yesno": "Да / нет",
    "date": "Дата",
    "document": "Реквизиты документа",
    "choice": "Выбор из списка",
}

_TEMPLATE_FIELDS = ("key", "title", "version", "source", "description", "criteria")
_CRITERION_FIELDS = ("number", "title", "type", "required", "points", "choices", "hint", "children")
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class TemplateError(AppError):
    """A template file that cannot be used: the message names the file and every problem found."""

    def __init__(self, source_name: str, problems: list[str]) -> None:
        self.source_name = source_name
        self.problems = list(problems)
        where = f"Шаблон мониторинга «{source_name}»" if source_name else "Шаблон мониторинга"
        if len(self.problems) == 1:
            message = f"{where} не загружен: {self.problems[0]}"
        else:
            message = f"{where} не загружен:\n" + "\n".join(f"— {p}" for p in self.problems)
        super().__init__(message)


@dataclass(frozen=True)
class CriterionSpec:
    """One node of a template: a group (heading) or a criterion that takes a value."""

    number: str
    title: str
    type: str
    required: bool = True
    points: float | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""
    children: tuple[CriterionSpec, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    @property
    def type_label(self) -> str:
        return CRITERION_TYPES.get(self.type, self.type)

    @property
    def label(self) -> str:
        """«6.1 Наименование органа …», or the title alone when there is no number."""
        return f"{self.number} {self.title}" if self.number else self.title

    def leaves(self) -> list[CriterionSpec]:
        """The criteria that take values under this node (the node itself when it is one)."""
        if not self.is_group:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    title: str
    version: int
    source: str
    description: str
    criteria: tuple[CriterionSpec, ...]

    def walk(self) -> Iterator[tuple[CriterionSpec, int]]:
        """Every node depth-first in document order, with its depth (0 for the top level)."""

        def visit(nodes: tuple[CriterionSpec, ...], depth: int) -> Iterator[tuple[CriterionSpec, int]]:
            for node in nodes:
                yield node, depth
                yield from visit(node.children, depth + 1)

        yield from visit(self.criteria, 0)

    def leaves(self) -> list[CriterionSpec]:
        return [leaf for node in self.criteria for leaf in node.leaves()]

    @property
    def leaf_count(self) -> int:
        return len(self.leaves())

    @property
    def group_count(self) -> int:
        return sum(1 for node, _depth in self.walk() if node.is_group)

    def find(self, number: str) -> CriterionSpec | None:
        """The node numbered «6.1» (numbers are unique within a template), or None."""
        return next((node for node, _depth in self.walk() if node.number == number), None)


# --- reading -----------------------------------------------------------------------------------


def load_template(path: Path | str) -> TemplateSpec:
    """Read and check one template file; TemplateError says what is wrong, in Russian."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TemplateError(name, [f"файл не удалось прочитать ({os_reason(exc)})."]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError(name, ["файл должен быть в кодировке UTF-8."]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(
            name, [f"ошибка в записи JSON в строке {exc.lineno}, позиция {exc.colno}: {_json_reason(exc)}."]
        ) from exc
    return template_from_json(data, name)


def template_from_json(data: Any, source_name: str = "") -> TemplateSpec:
    """Build a template from parsed JSON (a dict as in the module docstring), checking everything."""
    return _Reader(source_name).template(data)


def bundled_templates() -> list[TemplateSpec]:
    """The templates shipped with the program (resources/monitoring/*.json), by file name."""
    from app.paths import resources_dir

    folder = resources_dir() / "monitoring"
    templates = [load_template(path) for path in sorted(folder.glob("*.json"))]
    seen: dict[str, str] = {}
    for path, spec in zip(sorted(folder.glob("*.json")), templates, strict=True):
        if spec.key in seen:
            raise TemplateError(path.name, [f"ключ «{spec.key}» уже занят шаблоном «{seen[spec.key]}»."])
        seen[spec.key] = path.name
    return templates


def bundled_template(key: str) -> TemplateSpec:
    for spec in bundled_templates():
        if spec.key == key:
            return spec
    raise TemplateError("", [f"в поставке программы нет шаблона с ключом «{key}»."])


# --- writing -----------------------------------------------------------------------------------


def template_to_json(spec: TemplateSpec) -> dict[str, Any]:
    """The template as the JSON object load_template reads (the bundled files are written so)."""
    return {
        "key": spec.key,
        "title": spec.title,
        "version": spec.version,
        "source": spec.source,
        "description": spec.description,
        "criteria": [criterion_to_json(node) for node in spec.criteria],
    }


def criterion_to_json(node: CriterionSpec) -> dict[str, Any]:
    if node.is_group:
        data: dict[str, Any] = {"number": node.number, "title": node.title, "type": node.type}
        if node.hint:
            data["hint"] = node.hint
        data["children"] = [criterion_to_json(child) for child in node.children]
        return data
    return {
        "number": node.number,
        "title": node.title,
        "type": node.type,
        "required": node.required,
        "points": node.points,
        "choices": list(node.choices),
        "hint": node.hint,
        "children": [],
    }


def template_json_text(spec: TemplateSpec) -> str:
    """Pretty-printed UTF-8 JSON text of the template, ending with a newline."""
    return json.dumps(template_to_json(spec), ensure_ascii=False, indent=2) + "\n"


def write_template(spec: TemplateSpec, path: Path | str) -> None:
    Path(path).write_text(template_json_text(spec), encoding="utf-8")


# --- checking ----------------------------------------------------------------------------------


def _json_reason(exc: json.JSONDecodeError) -> str:
    reasons = {
        "Expecting value": "ожидалось значение",
        "Expecting ',' delimiter": "пропущена запятая",
        "Expecting ':' delimiter": "пропущено двоеточие",
        "Expecting property name enclosed in double quotes": "имя поля должно быть в двойных кавычках",
        "Unterminated string starting at": "не закрыта кавычка строки",
        "Extra data": "лишние данные после конца шаблона",
        "Invalid control character at": "недопустимый символ в строке",
    }
    return reasons.get(exc.msg, exc.msg)


class _Reader:
    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.problems: list[str] = []
        self.numbers: dict[str, str] = {}

    def fail(self, problem: str) -> None:
        self.problems.append(problem)

    def template(self, data: Any) -> TemplateSpec:
        if not isinstance(data, dict):
            raise TemplateError(
                self.source_name, ["файл должен содержать объект JSON { … } с полями шаблона."]
            )
        for name in data:
            if name not in _TEMPLATE_FIELDS:
                self.fail(f"неизвестное поле шаблона «{name}».")
        key = data.get("key")
        if not isinstance(key, str) or not key.strip():
            self.fail("не указан ключ шаблона (поле «key»).")
            key = ""
        elif not _KEY_RE.match(key):
            self.fail(
                f"ключ шаблона «{key}» может содержать только строчные латинские буквы, цифры, «_» и «-»."
            )
        title = self._string(data, "title", "шаблона")
        if not title:
            self.fail("не указано название шаблона (поле «title»).")
        version = data.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.fail(f"версия шаблона должна быть целым числом от 1, указано: {json.dumps(version)}.")
            version = 1
        source = self._string(data, "source", "шаблона")
        description = self._string(data, "description", "шаблона")
        criteria_data = data.get("criteria")
        criteria: tuple[CriterionSpec, ...] = ()
        if not isinstance(criteria_data, list):
            self.fail("нет списка критериев (поле «criteria» должно быть списком [ … ]).")
        elif not criteria_data:
            self.fail("список критериев пуст.")
        else:
            criteria = self.nodes(criteria_data, parent=None, path="")
        if self.problems:
            raise TemplateError(self.source_name, self.problems)
        return TemplateSpec(
            key=key, title=title, version=version, source=source, description=description, criteria=criteria
        )

    def _string(self, data: dict[str, Any], name: str, owner: str) -> str:
        value = data.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(f"поле «{name}» {owner} должно быть строкой.")
            return ""
        return value.strip()

    def nodes(self, items: list[Any], parent: CriterionSpec | None, path: str) -> tuple[CriterionSpec, ...]:
        result = []
        for index, item in enumerate(items, start=1):
            position = f"{path}.{index}" if path else str(index)
            node = self.node(item, parent, position)
            if node is not None:
                result.append(node)
        return tuple(result)

    def node(self, data: Any, parent: CriterionSpec | None, position: str) -> CriterionSpec | None:
        if not isinstance(data, dict):
            self.fail(f"критерий на позиции {position} должен быть объектом {{ … }}.")
            return None
        number = data.get("number", "")
        if isinstance(number, int) and not isinstance(number, bool):
            number = str(number)
        if number is None:
            number = ""
        if not isinstance(number, str):
            self.fail(f'номер критерия на позиции {position} должен быть строкой, например "6.1".')
            number = ""
        number = number.strip().rstrip(".").strip()
        title = data.get("title")
        title = title.strip() if isinstance(title, str) else ""
        where = (
            f"критерий {number}"
            if number
            else (f"критерий «{_short(title)}»" if title else f"критерий на позиции {position}")
        )
        for name in data:
            if name not in _CRITERION_FIELDS:
                self.fail(f"{where}: неизвестное поле «{name}».")
        if not title:
            self.fail(f"{where}: не указана формулировка (поле «title»).")
        if number:
            if number in self.numbers:
                self.fail(
                    f"{where}: номер {number} повторяется (уже есть у «{_short(self.numbers[number])}»)."
                )
            else:
                self.numbers[number] = title
            if (
                parent is not None
                and parent.number
                and not (number.startswith(parent.number + ".") and len(number) > len(parent.number) + 1)
            ):
                self.fail(
                    f"{where}: номер не соответствует группе {parent.number} "
                    f"(ожидается {parent.number}.1, {parent.number}.2 …)."
                )
        kind = data.get("type")
        if not isinstance(kind, str) or not kind.strip():
            self.fail(f"{where}: не указан тип (поле «type»).")
            kind = "text"
        elif kind not in CRITERION_TYPES:
            known = ", ".join(f"«{name}»" for name in CRITERION_TYPES)
            self.fail(f"{where}: неизвестный тип «{kind}»; допустимые типы: {known}.")
            kind = "text"
        required = data.get("required", kind != "group")
        if not isinstance(required, bool):
            self.fail(f"{where}: поле «required» должно быть true или false.")
            required = True
        points = data.get("points")
        if points is not None and (isinstance(points, bool) or not isinstance(points, int | float)):
            self.fail(f"{where}: баллы (поле «points») должны быть числом или null.")
            points = None
        choices_data = data.get("choices", [])
        choices: list[str] = []
        if choices_data is None:
            choices_data = []
        if not isinstance(choices_data, list) or not all(
            isinstance(choice, str) and choice.strip() for choice in choices_data
        ):
            self.fail(f"{where}: варианты ответа (поле «choices») должны быть списком непустых строк.")
        else:
            for choice in (c.strip() for c in choices_data):
                if choice in choices:
                    self.fail(f"{where}: вариант ответа «{choice}» повторяется.")
                else:
                    choices.append(choice)
        if kind == "choice" and not choices and isinstance(choices_data, list):
            self.fail(f"{where}: для типа «choice» нужен список вариантов ответа (поле «choices»).")
        if kind != "choice" and choices:
            self.fail(f"{where}: варианты ответа указаны, но тип критерия «{kind}», а не «choice».")
        hint = data.get("hint", "")
        if hint is None:
            hint = ""
        if not isinstance(hint, str):
            self.fail(f"{where}: подсказка (поле «hint») должна быть строкой.")
            hint = ""
        children_data = data.get("children", [])
        if children_data is None:
            children_data = []
        if not isinstance(children_data, list):
            self.fail(f"{where}: поле «children» должно быть списком [ … ].")
            children_data = []
        if kind == "group" and not children_data:
            self.fail(f"{where}: группа без вложенных критериев (поле «children» пусто).")
        if kind != "group" and children_data:
            self.fail(f"{where}: вложенные критерии есть только у групп (тип «group»), а здесь тип «{kind}».")
        node = CriterionSpec(
            number=number,
            title=title,
            type=kind,
            required=bool(required) and kind != "group",
            points=float(points) if points is not None else None,
            choices=tuple(choices),
            hint=hint.strip(),
        )
        if children_data:
            children = self.nodes(children_data, node, position)
            node = replace(node, children=children)
        return node


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
