"""Monitoring forms: written per school, filled the way a school fills them (openpyxl typing into
the unlocked cells), read back with issues per file and cell, applied as one undo step; the
`monitoring …` commands and the matrix export."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app import history
from app.cli_monitoring import add_commands, run_monitoring
from app.errors import AppError
from app.exporting.monitoring_xlsx import (
    COMPLETE_FILL,
    LOW_FILL,
    MATRIX_SHEET,
    PARTIAL_FILL,
    VALUES_SHEET,
    export_campaign_xlsx,
)
from app.jobs import run_job
from app.monitoring.forms import (
    FORM_SHEET,
    INSTRUCTION_SHEET,
    LISTS_SHEET,
    META_SHEET,
    apply_forms,
    form_file_name,
    preview_forms,
    write_forms,
    write_school_form,
)
from app.monitoring.service import MonitoringService
from app.schools import SchoolService
from db import Database, open_database
from tests.command_line import run_main as run
from tests.monitoring_specs import Node, Spec

REPO_ROOT = Path(__file__).resolve().parents[2]


SPEC = Spec(
    criteria=[
        Node("1", "Реквизиты документа, устанавливающего взаимодействие школы и МОЦ", "document"),
        Node(
            "6",
            "Структура государственно–общественного управления школой",
            "group",
            children=[
                Node("6.1", "Наименование органа государственно–общественного управления", "text"),
                Node("6.2", "Количество заседаний", "number", hint="за учебный год"),
            ],
        ),
        Node("7", "Доля учителей, прошедших повышение квалификации", "percent"),
        Node("8", "Введено видеонаблюдение", "yesno"),
        Node("9", "Дата утверждения программы", "date", required=False),
        Node("10", "Уровень риска", "choice", choices=["высокий", "средний", "низкий"]),
        Node("11", "Форма обучения", "choice", required=False, choices=["очная", "очно-заочная, с ДОТ"]),
    ]
)
CAMPAIGN_TITLE = "Итоговый мониторинг 2020/2021"


@dataclass
class Setup:
    database: Database
    service: MonitoringService
    campaign_id: int
    shum: int
    nazia: int
    tree: dict[str, Any]


def make_setup(database: Database) -> Setup:
    schools = SchoolService(database)
    ids = [
        schools.create({"full_name": name, "short_name": name})[0]
        for name in ("МКОУ «Шумская СОШ»", "МКОУ «Назиевская СОШ»", "МБОУ «Кировская СОШ №1»")
    ]
    service = MonitoringService(database)
    template_id, _ = service.install_template(SPEC)
    campaign_id, _ = service.create_campaign(
        template_id, CAMPAIGN_TITLE, ids[:2], academic_year=2020, due_date=date(2021, 6, 1)
    )
    tree = {c.number: c for c in service.criteria(template_id)}
    return Setup(database, service, campaign_id, ids[0], ids[1], tree)


@pytest.fixture
def setup(database: Database) -> Setup:
    return make_setup(database)


def rows_by_number(sheet: Any) -> dict[str, int]:
    return {str(sheet[f"A{r}"].value): r for r in range(5, sheet.max_row + 1) if sheet[f"A{r}"].value}


def fill(path: Path, values: dict[str, object], comments: dict[str, str] | None = None) -> None:
    """What a school does: open the form, type into the value (and comment) cells, save."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[FORM_SHEET]
    rows = rows_by_number(sheet)
    for number, value in values.items():
        cell = sheet[f"D{rows[number]}"]
        assert cell.protection.locked is False  # a school can only type where it is allowed to
        cell.value = value
    for number, text in (comments or {}).items():
        sheet[f"E{rows[number]}"].value = text
    workbook.save(path)


def edit_meta(path: Path, key: str, value: object) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[META_SHEET]
    for row in sheet.iter_rows():
        if row[0].value == key:
            row[1].value = value
    workbook.save(path)


def forms(setup: Setup, folder: Path) -> dict[int, Path]:
    paths = run_job(write_forms(setup.database, setup.campaign_id, folder))
    return dict(zip((setup.shum, setup.nazia), paths, strict=True))


def stored(setup: Setup, school_id: int) -> dict[str, str]:
    by_id = {c.id: c.number for c in setup.tree.values()}
    return {by_id[k]: v.value for k, v in setup.service.values(setup.campaign_id, school_id).items()}


# --- writing ------------------------------------------------------------------------------


def test_a_form_per_school_with_instructions_protection_and_validations(setup: Setup, tmp_path: Path) -> None:
    paths = forms(setup, tmp_path / "формы")
    assert [p.name for p in paths.values()] == [
        "Итоговый мониторинг 2020-2021 — МКОУ «Шумская СОШ».xlsx",
        "Итоговый мониторинг 2020-2021 — МКОУ «Назиевская СОШ».xlsx",
    ]
    workbook = openpyxl.load_workbook(paths[setup.shum])
    assert workbook.sheetnames[:2] == [INSTRUCTION_SHEET, FORM_SHEET]
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    assert workbook[LISTS_SHEET].sheet_state == "hidden"  # «очно-заочная, с ДОТ» has a comma
    assert workbook.security is not None and workbook.security.lockStructure

    guide = "\n".join(str(c.value) for c in workbook[INSTRUCTION_SHEET]["A"] if c.value)
    assert "МКОУ «Шумская СОШ»" in guide and "01.06.2021" in guide
    assert "Не добавляйте, не удаляйте и не переставляйте строки" in guide
    assert "Как отправить" in guide

    sheet = workbook[FORM_SHEET]
    assert [sheet.cell(4, c).value for c in range(1, 6)] == [
        "№",
        "Критерий",
        "Тип",
        "Значение",
        "Комментарий",
    ]
    rows = rows_by_number(sheet)
    assert list(rows) == ["1", "6", "6.1", "6.2", "7", "8", "9", "10", "11"]
    assert sheet.protection.sheet is True
    for number in ("1", "6.2", "8", "10"):
        row = rows[number]
        assert sheet[f"D{row}"].protection.locked is False and sheet[f"E{row}"].protection.locked is False
        assert sheet[f"A{row}"].protection.locked and sheet[f"B{row}"].protection.locked
        assert sheet[f"C{row}"].protection.locked
    group = rows["6"]
    assert sheet[f"A{group}"].font.bold and f"B{group}:E{group}" in {
        str(r) for r in sheet.merged_cells.ranges
    }
    assert sheet[f"D{group}"].protection.locked
    # Required: «*» and a shaded value cell; optional: neither.
    assert sheet[f"B{rows['8']}"].value == "Введено видеонаблюдение *"
    assert sheet[f"D{rows['8']}"].fill.fgColor.rgb.endswith("FFF2CC")
    assert sheet[f"B{rows['9']}"].value == "Дата утверждения программы"
    assert sheet[f"D{rows['9']}"].fill.fill_type is None
    assert sheet[f"B{rows['6.2']}"].value == "Количество заседаний *\nза учебный год"
    assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$4:$4"

    def validation(number: str) -> Any:
        ref = f"D{rows[number]}"
        found = [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]
        assert len(found) == 1, ref
        return found[0]

    assert (validation("6.2").type, validation("6.2").operator) == ("decimal", "greaterThanOrEqual")
    percent = validation("7")
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "100")
    assert "от 0 до 100" in percent.error and percent.showErrorMessage
    assert (validation("8").type, validation("8").formula1) == ("list", '"да,нет"')
    assert validation("9").type == "date" and "ДД.ММ.ГГГГ" in validation("9").error
    assert (validation("10").type, validation("10").formula1) == ("list", '"высокий,средний,низкий"')
    assert validation("11").formula1 == f"'{LISTS_SHEET}'!$A$1:$A$2"
    assert [c.value for c in workbook[LISTS_SHEET]["A"]] == ["очная", "очно-заочная, с ДОТ"]

    meta = {row[0]: row[1] for row in workbook[META_SHEET].iter_rows(values_only=True) if row and row[0]}
    assert meta["формат"] == 1 and meta["мониторинг_id"] == setup.campaign_id
    assert meta["мониторинг"] == CAMPAIGN_TITLE and meta["школа_id"] == setup.shum
    assert meta["школа"] == "МКОУ «Шумская СОШ»"
    assert (meta["шаблон"], meta["версия_шаблона"]) == ("test", 1)
    assert meta[setup.tree["6.2"].id] == "6.2"  # criterion id → number, then its row
    row_of = {
        row[0]: row[2] for row in workbook[META_SHEET].iter_rows(values_only=True) if isinstance(row[0], int)
    }
    assert row_of[setup.tree["6.2"].id] == rows["6.2"]


def test_file_names_lose_what_windows_forbids() -> None:
    assert (
        form_file_name('Мониторинг 2020/2021: "итог"?', "СОШ <1>*")
        == "Мониторинг 2020-2021_ 'итог'_ — СОШ _1__.xlsx"
    )
    assert form_file_name("Мониторинг", "Школа.") == "Мониторинг — Школа.xlsx"


def test_one_form_refuses_a_school_outside_the_campaign_and_a_wrong_suffix(
    setup: Setup, tmp_path: Path
) -> None:
    with pytest.raises(AppError, match="не участвует"):
        write_school_form(setup.database, setup.campaign_id, 999, tmp_path / "a.xlsx")
    with pytest.raises(AppError, match=r"расширением \.xlsx"):
        write_school_form(setup.database, setup.campaign_id, setup.shum, tmp_path / "a.xls")


# --- filled and read back -------------------------------------------------------------------


def test_filled_forms_import_and_a_wrong_cell_refuses_only_its_file(setup: Setup, tmp_path: Path) -> None:
    paths = forms(setup, tmp_path)
    fill(
        paths[setup.shum],
        {"1": "приказ № 5 от 01.09.2020", "6.2": "сто", "8": "да", "10": "Средний"},
    )
    fill(
        paths[setup.nazia],
        {
            "1": "приказ № 7 от 02.09.2020",
            "6.1": "Управляющий совет",
            "6.2": 4,
            "7": 45.5,
            "8": "нет",
            "9": datetime(2021, 3, 1),  # Excel gives a typed date back as a datetime
            "10": "низкий",
            "11": "очно-заочная, с ДОТ",
        },
        comments={"7": "по данным на 1 мая"},
    )
    preview = preview_forms(setup.database, list(paths.values()))
    shum_form, nazia_form = preview.forms
    assert shum_form.refused and nazia_form.ok
    errors = [i for i in preview.issues if i.severity == "error"]
    assert len(errors) == 1
    issue = errors[0]
    assert issue.file_name == paths[setup.shum].name
    rows = rows_by_number(openpyxl.load_workbook(paths[setup.shum])[FORM_SHEET])
    assert (issue.row, issue.column, issue.column_title) == (rows["6.2"], "D", "Значение")
    assert "ожидается число, а написано «сто»" in issue.message and "6.2" in issue.message
    assert shum_form.changes == [] and nazia_form.change_count == 8
    assert nazia_form.school_name == "МКОУ «Назиевская СОШ»"
    change = next(c for c in nazia_form.changes if c.criterion.number == "7")
    assert (change.old, change.new, change.comment) == ("", "45,5 %", "по данным на 1 мая")
    summary = preview.summary()
    assert "Проверено 2 файла: принято форм — 1 (8 изменений), не принято — 1." in summary
    assert "не принята (1 ошибка)" in summary and "принята: 8 изменений" in summary

    changeset = apply_forms(setup.database, preview)
    assert changeset.description == "Загрузка форм мониторинга (1)"
    assert stored(setup, setup.shum) == {}
    assert stored(setup, setup.nazia) == {
        "1": "приказ № 7 от 02.09.2020",
        "6.1": "Управляющий совет",
        "6.2": "4",
        "7": "45,5",
        "8": "нет",
        "9": "2021-03-01",
        "10": "низкий",
        "11": "очно-заочная, с ДОТ",
    }
    value = setup.service.values(setup.campaign_id, setup.nazia)[setup.tree["7"].id]
    assert value.comment == "по данным на 1 мая" and value.entered_by == paths[setup.nazia].name

    # The school corrects its cell (typing 45 % in a percent cell gives Excel's 0.45) and sends it again.
    fill(paths[setup.shum], {"6.2": "12", "7": 0.45})
    workbook = openpyxl.load_workbook(paths[setup.shum])
    workbook[FORM_SHEET][f"D{rows['7']}"].number_format = "0%"
    workbook.save(paths[setup.shum])
    again = preview_forms(setup.database, list(paths.values()))
    assert [f.ok for f in again.forms] == [True, True]
    assert again.forms[1].changes == []  # the Назиевская form was applied already
    second = apply_forms(setup.database, again)
    assert stored(setup, setup.shum) == {
        "1": "приказ № 5 от 01.09.2020",
        "6.2": "12",
        "7": "45",
        "8": "да",
        "10": "средний",
    }
    # Both loads are single undo steps.
    history.undo(setup.database, second)
    assert stored(setup, setup.shum) == {}
    history.undo(setup.database, changeset)
    assert stored(setup, setup.nazia) == {}


def test_broken_and_foreign_files_each_get_a_russian_issue(setup: Setup, tmp_path: Path) -> None:
    template_id = setup.service.campaign(setup.campaign_id).template_id
    other_id, _ = setup.service.create_campaign(template_id, "Промежуточный мониторинг", [setup.shum])
    paths = forms(setup, tmp_path / "a")
    good = paths[setup.nazia]
    fill(good, {"6.2": 3})
    copies = {}
    for case in ("другой", "нет_в_базе", "лист_удалён", "строка_удалена", "школа", "версия"):
        copy = tmp_path / f"{case}.xlsx"
        copy.write_bytes(paths[setup.shum].read_bytes())
        copies[case] = copy
    edit_meta(copies["другой"], "мониторинг_id", other_id)
    edit_meta(copies["нет_в_базе"], "мониторинг_id", 999)
    edit_meta(copies["школа"], "школа_id", 3)
    edit_meta(copies["версия"], "версия_шаблона", 2)
    workbook = openpyxl.load_workbook(copies["лист_удалён"])
    workbook.remove(workbook[META_SHEET])
    workbook.save(copies["лист_удалён"])
    workbook = openpyxl.load_workbook(copies["строка_удалена"])
    workbook[FORM_SHEET].delete_rows(rows_by_number(workbook[FORM_SHEET])["6.1"])
    workbook.save(copies["строка_удалена"])
    text = tmp_path / "письмо.xlsx"
    text.write_text("Добрый день! Высылаем форму.", encoding="utf-8")
    missing = tmp_path / "нет такого.xlsx"
    old_excel = tmp_path / "старый.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    files = [*copies.values(), text, missing, old_excel, good]
    preview = preview_forms(setup.database, files)
    by_file = {f.file_name: f for f in preview.forms}
    assert [f.file_name for f in preview.forms] == [p.name for p in files]

    def message(name: str) -> str:
        form = by_file[name]
        assert form.refused, name
        return " ".join(i.text() for i in form.issues if i.severity == "error")

    assert "форма другого мониторинга" in message("другой.xlsx")
    assert "«Промежуточный мониторинг»" in message("другой.xlsx")
    assert "Файл «другой.xlsx»" in message("другой.xlsx")
    assert "которого нет в этой базе" in message("нет_в_базе.xlsx")
    assert "не является формой «Опоры» или лист «_опора» удалён" in message("лист_удалён.xlsx")
    structure = message("строка_удалена.xlsx")
    assert "структура листа «Анкета» изменена" in structure and "6.1" in structure
    assert "не участвует в мониторинге" in message("школа.xlsx")
    assert "другой версии шаблона" in message("версия.xlsx")
    assert "это текстовый файл с расширением .xlsx" in message("письмо.xlsx")
    assert "не найден" in message("нет такого.xlsx")
    assert "форма — это книга Excel .xlsx" in message("старый.xls")
    assert by_file[good.name].ok and by_file[good.name].change_count == 1

    apply_forms(setup.database, preview)
    assert stored(setup, setup.nazia) == {"6.2": "3"}
    assert stored(setup, setup.shum) == {}

    # Only one campaign's forms, when asked: the form of the first campaign is then foreign.
    only_other = preview_forms(setup.database, [good], campaign_id=other_id)
    assert only_other.forms[0].refused and "а загружаются формы мониторинга «Промежуточный" in (
        only_other.issues[0].message
    )


def test_the_same_school_twice_takes_the_first_file(setup: Setup, tmp_path: Path) -> None:
    paths = forms(setup, tmp_path)
    fill(paths[setup.shum], {"6.2": 1})
    copy = tmp_path / "копия.xlsx"
    copy.write_bytes(paths[setup.shum].read_bytes())
    preview = preview_forms(setup.database, [paths[setup.shum], copy])
    assert [f.ok for f in preview.forms] == [True, False]
    assert "уже есть в файле" in preview.forms[1].issues[-1].message


def test_stored_values_are_prefilled_and_only_what_the_school_changed_counts(
    setup: Setup, tmp_path: Path
) -> None:
    t = setup.tree
    values = {
        t["1"].id: "приказ № 5 от 01.09.2020",
        t["6.1"].id: "Совет",
        t["6.2"].id: "12,5",
        t["7"].id: "45,5",
        t["8"].id: "да",
        t["9"].id: "01.03.2021",
        t["10"].id: "средний",
        t["11"].id: "очно-заочная, с ДОТ",
    }
    setup.service.set_values(setup.campaign_id, setup.shum, values, comments={t["8"].id: "с 2020 года"})
    before = stored(setup, setup.shum)
    path = write_school_form(setup.database, setup.campaign_id, setup.shum, tmp_path / "форма.xlsx")
    sheet = openpyxl.load_workbook(path)[FORM_SHEET]
    rows = rows_by_number(sheet)
    assert sheet[f"D{rows['6.2']}"].value == 12.5 and sheet[f"D{rows['7']}"].value == 45.5
    assert sheet[f"D{rows['9']}"].value == datetime(2021, 3, 1)
    assert sheet[f"D{rows['9']}"].number_format == "DD.MM.YYYY"
    assert sheet[f"D{rows['8']}"].value == "да" and sheet[f"E{rows['8']}"].value == "с 2020 года"
    assert sheet[f"D{rows['11']}"].value == "очно-заочная, с ДОТ"

    # Sent back untouched: nothing changes — the pre-filled values read back exactly as stored.
    untouched = preview_forms(setup.database, [path])
    assert untouched.forms[0].ok and untouched.forms[0].changes == []

    # Meanwhile the office corrects 6.1 and enters 9 for another… the school clears 6.2 and 8's comment.
    setup.service.set_values(setup.campaign_id, setup.shum, {t["6.1"].id: "Управляющий совет"})
    fill(path, {"6.2": None}, comments={"8": ""})
    preview = preview_forms(setup.database, [path])
    changes = {c.criterion.number: c for c in preview.forms[0].changes}
    assert set(changes) == {"6.2", "8"}  # 6.1 was left as pre-filled: the office's correction stays
    assert (changes["6.2"].old, changes["6.2"].new) == ("12,5", "")
    assert (changes["8"].value, changes["8"].comment) == ("да", "")
    apply_forms(setup.database, preview)
    after = stored(setup, setup.shum)
    assert after == {**before, "6.1": "Управляющий совет", "6.2": ""}
    assert setup.service.values(setup.campaign_id, setup.shum)[t["8"].id].comment == ""

    # An empty cell that was empty in the form never erases a value entered after it was sent.
    second = write_school_form(setup.database, setup.campaign_id, setup.nazia, tmp_path / "вторая.xlsx")
    setup.service.set_values(setup.campaign_id, setup.nazia, {t["6.2"].id: "7"})
    fill(second, {"8": "да"})
    preview = preview_forms(setup.database, [second])
    assert [c.criterion.number for c in preview.forms[0].changes] == ["8"]
    assert preview.forms[0].issues[0].severity == "warning"  # required items still empty
    assert "не заполнены обязательные пункты" in preview.forms[0].issues[0].message


# --- the matrix export ----------------------------------------------------------------------


def test_matrix_export_reads_back(setup: Setup, tmp_path: Path) -> None:
    t = setup.tree
    required = {
        t["1"].id: "приказ № 5",
        t["6.1"].id: "=Совет",  # formula-like text stays text
        t["6.2"].id: "4",
        t["7"].id: "45,5",
        t["8"].id: "да",
        t["10"].id: "низкий",
    }
    setup.service.set_values(setup.campaign_id, setup.shum, required, comments={t["8"].id: "с мая"})
    setup.service.set_values(
        setup.campaign_id, setup.nazia, {t["6.2"].id: "2", t["9"].id: "01.03.2021"}, entered_by="форма.xlsx"
    )
    path = run_job(export_campaign_xlsx(setup.database, setup.campaign_id, tmp_path / "сводная.xlsx"))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [MATRIX_SHEET, VALUES_SHEET]
    sheet = workbook[MATRIX_SHEET]
    assert sheet["A1"].value == CAMPAIGN_TITLE
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["№ п/п", "Школа", "Обязательные заполнены", "Полнота, %"]
    assert header[4:] == [f"{c.label}{' *' if c.required else ''}" for c in t.values() if not c.is_group]
    column = {
        c.number: header.index(f"{c.label}{' *' if c.required else ''}") + 1
        for c in t.values()
        if not c.is_group
    }
    assert [sheet.cell(r, 2).value for r in (5, 6)] == ["МКОУ «Шумская СОШ»", "МКОУ «Назиевская СОШ»"]
    assert (sheet["C5"].value, sheet["D5"].value, sheet["D5"].number_format) == ("6 из 6", 1, "0%")
    assert sheet["D5"].fill.fgColor.rgb.endswith(COMPLETE_FILL)
    assert sheet["C6"].value == "1 из 6" and sheet["D6"].fill.fgColor.rgb.endswith(LOW_FILL)
    assert PARTIAL_FILL != LOW_FILL
    assert sheet.cell(5, column["6.2"]).value == 4 and sheet.cell(5, column["7"]).value == 45.5
    assert sheet.cell(5, column["6.1"]).value == "=Совет" and sheet.cell(5, column["6.1"]).data_type == "s"
    assert sheet.cell(6, column["9"]).value == datetime(2021, 3, 1)
    assert sheet.cell(6, column["1"]).value is None

    values = list(workbook[VALUES_SHEET].iter_rows(min_row=3, values_only=True))
    assert values[0] == ("Школа", "№", "Критерий", "Тип", "Значение", "Комментарий", "Кто внёс", "Когда")
    assert len(values) == 1 + 6 + 2
    video = next(v for v in values if v[1] == "8")
    assert (video[0], video[4], video[5], video[6]) == ("МКОУ «Шумская СОШ»", "да", "с мая", "специалист")
    assert isinstance(video[7], datetime)
    assert next(v for v in values if v[0] == "МКОУ «Назиевская СОШ»" and v[1] == "6.2")[6] == "форма.xlsx"


# --- the command line -----------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="opora")
    commands = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    add_commands(commands, common)
    return parser.parse_args(argv)


def test_cli_functions_templates_forms_import_export(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = setup.database
    assert run_monitoring(database, parse("monitoring", "templates", "--json")) == 0
    templates = json.loads(capsys.readouterr().out)
    ours = next(t for t in templates if t["key"] == "test")
    assert ours == {
        "key": "test",
        "title": "Итоговый мониторинг",
        "version": 1,
        "criteria": 8,
        "groups": 1,
        "source": "приказ № 98/1",
    }

    folder = tmp_path / "формы"
    assert run_monitoring(database, parse("monitoring", "forms", str(setup.campaign_id), str(folder))) == 0
    assert f"Сохранено 2 формы в папке «{folder}»" in capsys.readouterr().out
    shum, nazia = sorted(folder.glob("*.xlsx"), key=lambda p: "Назиевская" in p.name)
    fill(shum, {"6.2": "сто"})
    fill(nazia, {"6.2": 5})

    args = parse("monitoring", "import", str(shum), str(nazia), "--dry-run")
    assert run_monitoring(database, args) == 0
    out = capsys.readouterr()
    assert "ожидается число, а написано «сто»" in out.err and "--dry-run" in out.out
    assert stored(setup, setup.nazia) == {}

    assert run_monitoring(database, parse("monitoring", "import", str(shum))) == 1
    assert "Ни одна форма не принята" in capsys.readouterr().err

    assert run_monitoring(database, parse("monitoring", "import", str(shum), str(nazia))) == 0
    assert "Загрузка форм мониторинга (1)" in capsys.readouterr().out
    assert stored(setup, setup.nazia) == {"6.2": "5"}

    target = tmp_path / "сводная.xlsx"
    assert run_monitoring(database, parse("monitoring", "export", str(setup.campaign_id), str(target))) == 0
    assert openpyxl.load_workbook(target)[MATRIX_SHEET]["B6"].value == "МКОУ «Назиевская СОШ»"
    with pytest.raises(AppError, match="не найден"):
        run_monitoring(database, parse("monitoring", "forms", "999", str(folder)))


# ENABLE ME: skipped until app/cli.py wires `monitoring` (add_commands + run_monitoring).
_WIRED = "cli_monitoring" in (REPO_ROOT / "app" / "cli.py").read_text(encoding="utf-8")


@pytest.mark.skipif(not _WIRED, reason="`monitoring` is not wired into app/cli.py yet")
def test_cli_monitoring_through_main_py(tmp_path: Path) -> None:
    data_dir = tmp_path / "user-data"
    data_dir.mkdir()
    db_path = tmp_path / "район.sqlite"
    database = open_database(db_path)
    try:
        setup = make_setup(database)
        campaign_id = setup.campaign_id
    finally:
        database.close()

    listed = run("--db", db_path, "monitoring", "templates", "--json", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    assert any(t["key"] == "test" and t["criteria"] == 8 for t in json.loads(listed.stdout))

    folder = tmp_path / "формы"
    written = run("--db", db_path, "monitoring", "forms", campaign_id, folder, data_dir=data_dir)
    assert written.returncode == 0, written.stderr
    assert "Сохранено 2 формы" in written.stdout
    files = sorted(folder.glob("*.xlsx"), key=lambda p: "Назиевская" in p.name)
    fill(files[0], {"6.2": "сто"})
    fill(files[1], {"6.2": "3", "8": "да"})

    checked = run("--db", db_path, "monitoring", "import", *files, "--dry-run", data_dir=data_dir)
    assert checked.returncode == 0, checked.stderr
    assert "строка" in checked.stderr and "столбец D («Значение»)" in checked.stderr
    refused = run("--db", db_path, "monitoring", "import", files[0], data_dir=data_dir)
    assert refused.returncode == 1
    loaded = run("--db", db_path, "monitoring", "import", *files, data_dir=data_dir)
    assert loaded.returncode == 0, loaded.stderr
    assert "Загрузка форм мониторинга (1)" in loaded.stdout

    target = tmp_path / "сводная.xlsx"
    exported = run("--db", db_path, "monitoring", "export", campaign_id, target, data_dir=data_dir)
    assert exported.returncode == 0, exported.stderr
    sheet = openpyxl.load_workbook(target)[MATRIX_SHEET]
    assert sheet["B6"].value == "МКОУ «Назиевская СОШ»" and sheet["C6"].value == "2 из 6"
    missing = run("--db", db_path, "monitoring", "export", 999, tmp_path / "x.xlsx", data_dir=data_dir)
    assert missing.returncode == 1 and "не найден" in missing.stderr
