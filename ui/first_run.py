"""The first-run dialog, shown while the database has neither requisites nor schools.

Three ways in: the demo district in one click, one's own office (the requisites form), or another
database file.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.demo import DEMO_SCHOOLS, DEMO_YEAR, create_demo
from app.domain import academic_year_label
from app.errors import AppError
from app.text import plural
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import show_error
from ui.office_page import OfficeForm
from ui.startup import DATABASE_FILTER, needs_first_run

__all__ = ["DATABASE_FILTER", "FirstRunChoice", "FirstRunDialog", "needs_first_run"]


class FirstRunChoice(Enum):
    DEMO = "demo"
    OWN_OFFICE = "own_office"
    OPEN_FILE = "open_file"


class FirstRunDialog(QDialog):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.choice: FirstRunChoice | None = None
        self.chosen_file: Path | None = None
        self.setWindowTitle("«Опора» — начало работы")
        self.setMinimumWidth(640)

        self.pages = [self._build_start_page(), self._build_office_page()]
        layout = QVBoxLayout(self)
        for page in self.pages:
            layout.addWidget(page)
        self._show_page(0)

    def _build_start_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("Добро пожаловать!")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            f"База данных «{self.database.path.name}» пока пуста. «Опора» помогает вести реестр школ, "
            "списки ШНРО, ШФНСУ и школ с признаками необъективности результатов, планы мероприятий, "
            "сетевое партнёрство, мониторинг и приказы. С чего начнём?"
        )
        intro.setWordWrap(True)
        count = len(DEMO_SCHOOLS)
        self.demo_button = QCommandLinkButton(
            "Открыть демонстрационный район",
            f"Кировский муниципальный район Ленинградской области: {count} "
            f"{plural(count, 'школа', 'школы', 'школ')} с категориями за {academic_year_label(DEMO_YEAR)} "
            "учебный год, планы мероприятий из пяти настоящих документов, сетевое партнёрство на карте, "
            "итоговый мониторинг, подписанное распоряжение № 149 с планами в приложении и результаты "
            "ВПР, ОГЭ и ЕГЭ за три года. Удобно, чтобы познакомиться с программой.",
        )
        self.own_button = QCommandLinkButton(
            "Создать свой район",
            "Ввести реквизиты своего органа управления образованием. Школы затем можно добавить "
            "вручную или загрузить из Excel.",
        )
        self.open_button = QCommandLinkButton(
            "Открыть файл базы…",
            "Выбрать существующий файл базы данных «Опоры», например с другого компьютера.",
        )
        self.demo_button.clicked.connect(self.create_demo)
        self.own_button.clicked.connect(self._show_office_form)
        self.open_button.clicked.connect(self.choose_file)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(8)
        for button in (self.demo_button, self.own_button, self.open_button):
            layout.addWidget(button)
        layout.addStretch(1)
        return page

    def _build_office_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("Реквизиты органа управления образованием")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Они печатаются в шапке и подписи приказов. Всё можно изменить позже в разделе «Реквизиты органа»."
        )
        intro.setWordWrap(True)
        self.office_form = OfficeForm(self.database)
        self.back_button = QPushButton("Назад")
        self.back_button.clicked.connect(self._show_start)
        self.save_button = QPushButton("Сохранить и начать работу")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_office)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.office_form)
        layout.addLayout(buttons)
        return page

    def _show_office_form(self) -> None:
        self._show_page(1)
        self.office_form.boxes["name"].editor.setFocus()

    def _show_start(self) -> None:
        self._show_page(0)

    def _show_page(self, index: int) -> None:
        # Two pages, one shown: the dialog takes the size of the page on show, not of the largest.
        for position, page in enumerate(self.pages):
            page.setVisible(position == index)
        self.adjustSize()

    def current_page(self) -> int:
        return next(position for position, page in enumerate(self.pages) if not page.isHidden())

    def create_demo(self) -> None:
        try:
            create_demo(self.database)
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Демонстрационный район не создан")
            return
        self.choice = FirstRunChoice.DEMO
        self.accept()

    def save_office(self) -> None:
        try:
            changeset = self.office_form.save()
        except DatabaseError as exc:
            show_error(self, exc.message, "Реквизиты не сохранены")
            return
        if changeset is None:
            return
        self.choice = FirstRunChoice.OWN_OFFICE
        self.accept()

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Открыть базу данных", str(self.database.path.parent), DATABASE_FILTER
        )
        if not name:
            return
        self.chosen_file = Path(name)
        self.choice = FirstRunChoice.OPEN_FILE
        self.accept()
