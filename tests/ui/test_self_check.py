"""`opora --self-check` (ui/self_check.py): passes on a complete installation, names what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

import ui.self_check as self_check


def test_a_complete_installation_passes_every_check(qapp: object) -> None:
    lines: list[str] = []
    assert self_check.run_self_check(out=lines.append) == 0
    assert lines[0].startswith("Проверка установки «Опоры» ")
    assert lines[-1] == "Всё в порядке."
    checks = lines[1:-1]
    assert len(checks) == 11 and all(line.startswith("  ок  ") for line in checks), "\n".join(lines)
    assert any("Liberation Serif встроен" in line for line in checks)
    assert any("Потехину Татьяну Сергеевну" in line for line in checks)


def test_a_missing_library_or_resource_is_named(
    qapp: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(self_check, "LIBRARIES", (*self_check.LIBRARIES, "opora_no_such_library"))
    monkeypatch.setattr(self_check, "RESOURCE_FILES", (*self_check.RESOURCE_FILES, "fonts/Нет-такого.ttf"))
    lines: list[str] = []
    assert self_check.run_self_check(out=lines.append) == 1
    failed = [line for line in lines if line.startswith("  ОШИБКА  ")]
    assert len(failed) == 2
    assert "Библиотеки" in failed[0] and "opora_no_such_library" in failed[0]
    assert "Файлы программы" in failed[1] and "fonts/Нет-такого.ttf" in failed[1]
    assert lines[-1] == "Найдено ошибок: 2."


def test_the_about_box_names_the_version(empty_window: object, qtbot: object) -> None:
    import tomllib

    from PySide6.QtWidgets import QMessageBox

    from ui.messages import visible_message_boxes

    root = Path(__file__).resolve().parents[2]
    expected = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    empty_window.show_about()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(visible_message_boxes()))  # type: ignore[attr-defined]
    box = visible_message_boxes()[0]
    assert isinstance(box, QMessageBox) and f"«Опора» {expected}</h3>" in box.text()
    box.close()


def test_a_failure_the_program_explains_is_said_in_russian_without_a_traceback(
    qapp: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.errors import AppError

    def missing_dictionary() -> str:
        raise AppError("Словарь переносов не найден.")

    monkeypatch.setattr(self_check, "_hyphenation", missing_dictionary)
    blocker = tmp_path / "файл"
    blocker.write_text("")
    monkeypatch.setenv("OPORA_DATA_DIR", str(blocker / "Opora"))  # a folder inside a file
    lines: list[str] = []
    assert self_check.run_self_check(out=lines.append) == 1
    failed = [line for line in lines if line.startswith("  ОШИБКА  ")]
    assert failed[0] == "  ОШИБКА  Перенос слов: Словарь переносов не найден."
    assert failed[1].startswith("  ОШИБКА  Папка данных: в папку «") and "Traceback" not in "\n".join(lines)
    assert not any("Not a directory" in line or "AppError" in line for line in lines)
