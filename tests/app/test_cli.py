"""The command line, run as a person runs it: `python main.py …` in a separate process."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.command_line import run_main as run

REPO_ROOT = Path(__file__).resolve().parents[2]
CATEGORY_LABELS = {"ШНРО", "ШФНСУ", "Признаки необъективности"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "user-data"
    folder.mkdir()
    return folder


def test_help_lists_the_commands_in_russian(data_dir: Path) -> None:
    result = run("--help", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "использование:" in result.stdout
    assert "demo" in result.stdout and "schools" in result.stdout
    assert "создать демонстрационный район" in result.stdout
    assert "показать эту справку и выйти" in result.stdout
    assert "usage:" not in result.stdout
    text = " ".join(result.stdout.split())  # argparse wraps the help at the terminal's width
    assert "--version показать версию программы и выйти" in text
    assert "--self-check проверить установку" in text
    for arguments in (["--version"], ["--db", data_dir / "x.sqlite", "--version"], ["--version", "demo"]):
        version = run(*arguments, data_dir=data_dir)
        assert version.returncode == 0 and version.stdout.startswith("«Опора» "), arguments
    assert not (data_dir / "x.sqlite").exists()  # the version touches no database
    mixed = run("--self-check", "demo", data_dir=data_dir)
    assert (
        mixed.returncode == 2
        and "ошибка: --self-check проверяет установку программы, а не базу" in mixed.stderr
    )
    schools_help = run("schools", "--help", data_dir=data_dir)
    assert schools_help.returncode == 0
    for command in ("list", "import", "export"):
        assert command in schools_help.stdout


def test_demo_then_list_json(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "район.sqlite"
    created = run("--db", path, "demo", data_dir=data_dir)
    assert created.returncode == 0, created.stderr
    assert "9 школ" in created.stdout

    listed = run("schools", "list", "--json", "--db", path, data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    schools = json.loads(listed.stdout)
    assert len(schools) == 9
    by_name = {s["short_name"]: s for s in schools}
    assert "МБОУ «Шлиссельбургская СОШ»" in by_name
    assert all(s["academic_year"] == "2020/2021" for s in schools)
    labels = {c["category"] for s in schools for c in s["categories"]}
    assert labels and labels <= CATEGORY_LABELS
    shum = {c["category"] for c in by_name["МКОУ «Шумская СОШ»"]["categories"]}
    assert "Признаки необъективности" in shum
    assert by_name["МКОУ «Путиловская ООШ»"]["kind"] == "ООШ"
    assert by_name["МБОУ «Кировская СОШ №2»"]["locality"] == "Городская"
    # Nothing was written to the default database in the user's data folder.
    assert not (data_dir / "opora.sqlite").exists()


def test_list_for_another_year_and_a_bad_year(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "demo.sqlite"
    assert run("--db", path, "demo", data_dir=data_dir).returncode == 0
    other = run("schools", "list", "--json", "--year", "2021/2022", "--db", path, data_dir=data_dir)
    assert other.returncode == 0, other.stderr
    assert all(s["categories"] == [] and s["academic_year"] == "2021/2022" for s in json.loads(other.stdout))
    bad = run("schools", "list", "--year", "2021/2023", "--db", path, data_dir=data_dir)
    assert bad.returncode == 1
    assert "Неверный учебный год" in bad.stderr


def test_plain_list(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "demo.sqlite"
    assert run("--db", path, "demo", data_dir=data_dir).returncode == 0
    result = run("--db", path, "schools", "list", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "МКОУ «Шумская СОШ»" in result.stdout
    assert "Всего: 9" in result.stdout


def test_demo_twice_fails_with_a_russian_message(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "demo.sqlite"
    assert run("--db", path, "demo", data_dir=data_dir).returncode == 0
    again = run("--db", path, "demo", data_dir=data_dir)
    assert again.returncode == 1
    assert "уже есть данные" in again.stderr
    assert again.stdout == ""


def test_newer_version_database_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "newer.sqlite"
    assert run("--db", path, "demo", data_dir=data_dir).returncode == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = run("schools", "list", "--db", path, data_dir=data_dir)
    assert result.returncode == 1
    assert "более новой версией" in result.stderr
    assert "Traceback" not in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_text_file_as_database_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "список.sqlite"
    path.write_text("это не база данных\n", encoding="utf-8")
    result = run("--db", path, "demo", data_dir=data_dir)
    assert result.returncode == 1
    assert "не является базой данных" in result.stderr
    assert path.read_text(encoding="utf-8") == "это не база данных\n"


def test_unknown_command(data_dir: Path) -> None:
    result = run("frobnicate", data_dir=data_dir)
    assert result.returncode == 2
    assert "ошибка" in result.stderr
    assert "frobnicate" in result.stderr
    assert "error" not in result.stderr


def test_missing_subcommand(data_dir: Path) -> None:
    result = run("schools", data_dir=data_dir)
    assert result.returncode == 2
    assert "ошибка" in result.stderr


def test_deadline_prints_one_json_object(data_dir: Path) -> None:
    result = run("deadline", "Июнь– октябрь", "--period", "2019-09-01:2021-08-31", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "text": "Июнь– октябрь",
        "kind": "period",
        "start": "2020-06-01",
        "end": "2020-10-31",
    }
    result = run("deadline", "до 03.02.2023", "--period", "2022-09-01:2023-08-31", data_dir=data_dir)
    assert json.loads(result.stdout) == {
        "text": "до 03.02.2023",
        "kind": "until",
        "start": None,
        "end": "2023-02-03",
    }
    result = run("deadline", "по мере готовности", data_dir=data_dir)
    assert json.loads(result.stdout)["kind"] == "undated"
    result = run("deadline", "май", "--period", "2021-09-01", data_dir=data_dir)
    assert result.returncode == 1 and "Неверный период" in result.stderr


def test_plan_import_list_export_and_rollover(data_dir: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "планы.sqlite"
    seed = REPO_ROOT / "resources" / "demo" / "plans" / "000.txt"
    result = run("--db", db_file, "plan", "import", seed, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert [(p["sections"], p["items"]) for p in created] == [(0, 12), (5, 16)]
    assert created[0]["title"].startswith("План мероприятий по оказанию методической помощи")

    listed = json.loads(run("--db", db_file, "plan", "list", "--json", data_dir=data_dir).stdout)
    assert sorted(p["id"] for p in listed) == sorted(p["id"] for p in created)
    assert {p["academic_year"] for p in listed} == {"2020/2021"}

    xlsx, docx = tmp_path / "план.xlsx", tmp_path / "план.docx"
    assert (
        run("--db", db_file, "plan", "export", str(created[1]["id"]), xlsx, data_dir=data_dir).returncode == 0
    )
    assert (
        run("--db", db_file, "plan", "export", str(created[1]["id"]), docx, data_dir=data_dir).returncode == 0
    )
    assert xlsx.read_bytes()[:2] == b"PK" and docx.read_bytes()[:2] == b"PK"

    result = run("--db", db_file, "plan", "rollover", str(created[0]["id"]), data_dir=data_dir)
    assert result.returncode == 0 and "2021/2022" in result.stdout


def test_plan_import_of_a_file_without_a_plan_fails_in_russian(data_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "письмо.txt"
    text.write_text("Просто письмо без таблицы.\n", encoding="utf-8")
    db_file = tmp_path / "база.sqlite"
    result = run("--db", db_file, "plan", "import", text, data_dir=data_dir)
    assert result.returncode == 1
    assert "письмо.txt" in result.stderr and "Traceback" not in result.stderr
    listed = json.loads(run("--db", db_file, "plan", "list", "--json", data_dir=data_dir).stdout)
    assert listed == []
    result = run("--db", db_file, "plan", "export", "99", tmp_path / "x.xlsx", data_dir=data_dir)
    assert result.returncode == 1 and "не найден" in result.stderr


def test_partnership_list_json_shows_the_demo_groups_with_distances(data_dir: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "демо.sqlite"
    assert run("--db", db_file, "demo", data_dir=data_dir).returncode == 0
    result = run("--db", db_file, "partnership", "list", "--json", "--year", "2020/2021", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout)
    assert [len(g["members"]) for g in groups] == [2, 3, 2, 2]
    assert groups[1]["members"][2] == {
        "school_id": groups[1]["members"][2]["school_id"],
        "school": "МБОУ «Шлиссельбургская СОШ»",
        "role": "Школа-партнёр",
    }
    assert all(d["km"] is not None and d["km"] < 80 for g in groups for d in g["distances_km"])
    empty = run("--db", db_file, "partnership", "list", "--json", "--year", "2021/2022", data_dir=data_dir)
    assert json.loads(empty.stdout) == []


def test_plan_delete(data_dir: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "демо.sqlite"
    assert run("--db", db_file, "demo", data_dir=data_dir).returncode == 0
    result = run("--db", db_file, "plan", "delete", "1", data_dir=data_dir)
    assert result.returncode == 0 and result.stdout.startswith("План № 1 удалён")
    assert run("--db", db_file, "plan", "delete", "1", data_dir=data_dir).returncode == 1


def test_partnership_import_loads_confident_groups_and_names_the_rest(data_dir: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "демо.sqlite"
    assert run("--db", db_file, "demo", data_dir=data_dir).returncode == 0
    source = tmp_path / "партнёрства.txt"
    source.write_text(
        "МБОУ «Отраденская СОШ №3» - МКОУ «Отраденская СОШ №2»\nМКОУ «Мгинская СОШ» - МБОУ «Кировская СОШ №2»\n",
        encoding="utf-8",
    )
    result = run("--db", db_file, "partnership", "import", source, "--year", "2021/2022", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Загружено партнёрств: 1." in result.stdout
    assert "«МКОУ «Мгинская СОШ»» не найдена в реестре" in result.stderr
    listed = json.loads(
        run("--db", db_file, "partnership", "list", "--json", "--year", "2021/2022", data_dir=data_dir).stdout
    )
    assert [m["school"] for m in listed[0]["members"]] == [
        "МБОУ «Отрадненская СОШ №3»",
        "МКОУ «Отрадненская СОШ №2»",
    ]
    bad = tmp_path / "пусто.txt"
    bad.write_text("Письмо без списка школ.\n", encoding="utf-8")
    result = run("--db", db_file, "partnership", "import", bad, data_dir=data_dir)
    assert result.returncode == 1 and "пусто.txt" in result.stderr and "Traceback" not in result.stderr


def test_map_export_draws_png_and_pdf_without_a_display(data_dir: Path, tmp_path: Path) -> None:
    db_file = tmp_path / "демо.sqlite"
    assert run("--db", db_file, "demo", data_dir=data_dir).returncode == 0
    # As from a plain terminal of a server: no display, no platform chosen.
    saved = {name: os.environ.pop(name, None) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    try:
        pdf = tmp_path / "карта.pdf"
        result = run("--db", db_file, "map", "export", pdf, "--year", "2020/2021", data_dir=data_dir)
        assert result.returncode == 0, result.stderr
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
        png = tmp_path / "карта.png"
        assert run("--db", db_file, "map", "export", png, data_dir=data_dir).returncode == 0
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        result = run(
            "--db", db_file, "map", "export", tmp_path / "карта.png", "--year", "2023/2024", data_dir=data_dir
        )
        assert result.returncode == 1 and "партнёрств нет" in result.stderr
        result = run("--db", db_file, "map", "export", tmp_path / "карта.jpg", data_dir=data_dir)
        assert result.returncode == 1 and "Traceback" not in result.stderr
    finally:
        os.environ.update({name: value for name, value in saved.items() if value is not None})
