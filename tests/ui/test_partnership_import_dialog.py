"""Loading a partnership list in the window: confident names shown, doubtful ones confirmed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.partnerships.service import PartnershipService
from db import Database
from ui.partnership_import import CHOOSE, PartnershipImportFlow
from ui.undo import ChangeHistory
from ui.workers import JobRunner

LIST = (
    "МБОУ «Отраденская СОШ №3» - МКОУ «Отраденская СОШ №2»\nМКОУ «Мгинская СОШ» - МБОУ «Кировская СОШ №2»\n"
)


def test_a_name_not_in_the_registry_is_chosen_by_hand_then_all_load_in_one_step(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    source = tmp_path / "партнёрства.txt"
    source.write_text(LIST, encoding="utf-8")
    parent = QWidget()
    qtbot.addWidget(parent)
    jobs = JobRunner(parent)
    history = ChangeHistory(demo_db, jobs, parent)
    flow = PartnershipImportFlow(demo_db, history, jobs, parent, year=2021)
    flow.start_from_file(source)
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=10_000)
    dialog = flow.dialog
    assert dialog is not None
    assert dialog.combos[(0, 0)].currentText() == "МБОУ «Отрадненская СОШ №3»  (94%)"
    unknown = dialog.combos[(1, 0)]
    assert unknown.currentText() == CHOOSE
    assert not dialog.load_button.isEnabled()
    assert "Не хватает школ в группах: 1" in dialog.summary.text()
    unknown.setCurrentIndex(unknown.findText("МКОУ «Путиловская ООШ»"))
    assert dialog.load_button.isEnabled() and dialog.load_button.text() == "Загрузить 2 партнёрства"
    with qtbot.waitSignal(flow.imported, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    groups = PartnershipService(demo_db).list_groups(2021)
    assert [g.id for g in groups] == blocker.args[0]
    assert [m.name for m in groups[1].members] == ["МКОУ «Путиловская ООШ»", "МБОУ «Кировская СОШ №2»"]
    history.stack.undo()
    qtbot.waitUntil(lambda: PartnershipService(demo_db).list_groups(2021) == [], timeout=5000)
