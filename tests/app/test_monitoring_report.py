"""The analytical report of a monitoring campaign (PDF) over the demo district."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.errors import AppError
from app.exporting.hyphenation import soft_hyphens
from app.exporting.monitoring_report import (
    COMPLETE,
    NONE,
    PARTIAL,
    analyse,
    conclusions,
    criterion_summary,
    export_campaign_report,
    format_number,
    format_percent,
)
from app.exporting.pdf_fonts import FAMILY, register_fonts
from app.jobs import Progress, run_job
from app.monitoring.service import MonitoringService
from db import Database

CAMPAIGN_TITLE = "Итоговый мониторинг ШНРО 2020/2021"
STAMP = "Приложение 2\nк приказу комитета образования\nот 15.06.2021 № 112"


def _campaign_id(database: Database) -> int:
    return next(c.id for c in MonitoringService(database).list_campaigns() if c.title == CAMPAIGN_TITLE)


def _text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) не установлен: текст PDF не проверить")
    result = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    text = result.stdout.decode("utf-8").replace("\u00a0", " ")
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)  # words hyphenated at a line end
    return " ".join(text.split())


@pytest.fixture
def report(demo_database: Database, tmp_path: Path) -> Path:
    path = tmp_path / "справка.pdf"
    job = export_campaign_report(
        demo_database, _campaign_id(demo_database), path, appendix_stamp=STAMP, as_of=date(2021, 6, 15)
    )
    progress: list[Progress] = []
    assert run_job(job, progress.append) == path
    assert progress and progress[-1].done == progress[-1].total
    return path


def test_pdf_embeds_liberation_serif(report: Path) -> None:
    data = report.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"LiberationSerif" in data
    assert b"FontFile2" in data  # the TrueType program is embedded, not referenced
    assert b"/Helvetica" not in data  # no base-14 font without Cyrillic slips in
    assert not list(report.parent.glob(".opora-*"))  # the temporary file is gone


def test_pdf_text(report: Path, demo_database: Database) -> None:
    text = _text(report)
    assert f"Аналитическая справка по итогам мониторинга «{CAMPAIGN_TITLE}»" in text
    matrix = MonitoringService(demo_database).matrix(_campaign_id(demo_database))
    for _, name in matrix.schools:
        assert name in text
    assert "Приложение 2" in text and "№ 112" in text
    assert "КОМИТЕТ ОБРАЗОВАНИЯ" in text
    assert "6 из 51" in text  # Шумская: 6 of 51 required criteria
    assert "Выводы и рекомендации" in text
    assert "Председатель комитета образования" in text and "Е.А. Краснова" in text
    assert "мин. 31 %" not in text and "мин. 31; ср. 39,5; макс. 48" in text  # criterion 7.4
    # page numbers from page 2: page 1 has none, page 2 starts with «2»
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(report), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        for n in (1, 2)
    ]
    assert pages[1].split()[0] == "2"
    assert pages[0].split()[0] == "Приложение"


def test_analysis_of_the_demo_campaign(demo_database: Database) -> None:
    service = MonitoringService(demo_database)
    matrix = service.matrix(_campaign_id(demo_database))
    analysis = analyse(matrix, service.criteria(matrix.campaign.template_id))
    first, second = analysis.schools[:2]
    assert (first.name, first.done, first.total, first.state) == ("МКОУ «Шумская СОШ»", 6, 51, PARTIAL)
    assert (second.name, second.done, second.state) == ("МКОУ «Путиловская ООШ»", 3, PARTIAL)
    assert analysis.count(COMPLETE) == 0 and analysis.count(PARTIAL) == 2 and analysis.count(NONE) == 3
    assert analysis.average == pytest.approx((6 + 3) / 51 / 5)
    # the top-level groups keep their criteria; top-level criteria stand alone
    groups = [s.group.number for s in analysis.sections if s.group is not None]
    assert groups[:2] == ["6", "7"]
    by_number = {r.criterion.number: r for r in analysis.results}
    assert by_number["7.4"].answered == 2
    assert criterion_summary(by_number["7.4"]) == "мин. 31; ср. 39,5; макс. 48"
    assert by_number["3"].answered == 0 and criterion_summary(by_number["3"]) == "—"

    sentences = conclusions(analysis, date(2021, 6, 15))
    assert sentences[0].startswith("По состоянию на 15.06.2021 ни одна из 5 школ")
    assert any("истёк" in s for s in sentences)
    assert any(s.startswith("Не представили сведения: ") for s in sentences)
    assert sentences[-1].startswith("Рекомендуется: руководителям школ, указанных в пунктах 2 и 3")


def test_numbers_in_russian() -> None:
    assert format_number(39.5) == "39,5"
    assert format_number(48.0) == "48"
    assert format_number(1234567) == "1\u00a0234\u00a0567"
    assert format_percent(6 / 51) == "11,8\u00a0%"
    assert format_percent(0.4) == "40\u00a0%"
    assert format_percent(0.0) == "0\u00a0%"


def test_hyphenation_keeps_abbreviations_and_handles_yo() -> None:
    assert soft_hyphens("МКОУ ВСОКО") == "МКОУ ВСОКО"
    hyphenated = soft_hyphens("в полном объёме государственно–общественного управления")
    assert "объ\u00adё" in hyphenated and "\u00adствен" in hyphenated
    assert hyphenated.endswith(" управления")  # the last word is never split
    assert hyphenated.replace("\u00ad", "") == "в полном объёме государственно–общественного управления"


def test_fonts_registered_once() -> None:
    assert register_fonts() == FAMILY
    assert register_fonts() == FAMILY


def test_wrong_extension_refused_in_russian(demo_database: Database, tmp_path: Path) -> None:
    with pytest.raises(AppError, match=r"PDF.*справка\.docx"):
        run_job(export_campaign_report(demo_database, _campaign_id(demo_database), tmp_path / "справка.docx"))
    assert not list(tmp_path.glob("*.docx"))


def test_unknown_campaign_refused(demo_database: Database, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="не найден"):
        run_job(export_campaign_report(demo_database, 9999, tmp_path / "справка.pdf"))
    assert not (tmp_path / "справка.pdf").exists()
