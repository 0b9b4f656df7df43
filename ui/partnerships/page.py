"""The «Сетевое партнёрство» page: the map of the year's partnerships above the list of groups and
the warnings; commands to add, edit and delete groups (each one undo step), choose the map's
basemap, and export the map (PNG, PDF) and the list (Excel)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain import academic_year_label
from app.errors import AppError
from app.office import OfficeService, current_academic_year
from app.partnerships.model import PartnershipGroup, PartnershipKind, distance_km
from app.partnerships.service import PartnershipService
from app.text import plural
from db.changes import ChangeSet
from db.connection import Database
from db.errors import DatabaseError
from ui.messages import show_error, show_file_saved
from ui.partnerships.map_scene import MapData, MapScene, format_km, load_map_data, year_title
from ui.partnerships.map_view import MapView
from ui.partnerships.model import GroupsModel
from ui.partnerships.warnings_model import PARTNERSHIP_TABLES, WarningsModel
from ui.signals import emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner

BASEMAP_SETTING = "map_basemap"
ANY_KIND = ""
REFRESH_TABLES = PARTNERSHIP_TABLES | {"school_map_positions", "partnership_plan_items", "office"}
COLUMN_WIDTHS = (34, 80, 230, 230, 110, 110, 300, 90)


class PartnershipsPage(QWidget):
    counts_changed = Signal(str)

    def __init__(
        self,
        database: Database,
        history: ChangeHistory,
        parent: QWidget | None = None,
        *,
        jobs: JobRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.history = history
        self.service = PartnershipService(database)
        self.jobs = jobs or JobRunner(self)
        self.office = OfficeService(database)
        self.data: MapData | None = None
        self._basemap_path = ""
        self._selected_id: int | None = None

        self._create_actions()
        self.year_combo = QComboBox()
        self.year_combo.setToolTip("Учебный год партнёрств")
        self.kind_combo = QComboBox()
        self.kind_combo.setToolTip("Вид партнёрства")
        self.kind_combo.addItem("Все виды", ANY_KIND)
        for kind in PartnershipKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.distances_check = QCheckBox("Расстояния на карте")
        self.distances_check.setToolTip("Подписать расстояние в километрах у каждой линии")
        top = QHBoxLayout()
        for caption_text, widget in (("Учебный год:", self.year_combo), ("Вид:", self.kind_combo)):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            top.addWidget(caption)
            top.addWidget(widget)
        top.addWidget(self.distances_check)
        top.addStretch(1)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.new_action, self.edit_action, self.delete_action, self.import_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.basemap_action, self.no_basemap_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.png_action, self.pdf_action, self.xlsx_action, self.docx_action])

        self.scene = MapScene(self)
        self.view = MapView(self.scene)
        self.view.setMinimumHeight(220)
        self.model = GroupsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().lineSpacing() * 3 + 8)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        self.table.addActions([self.edit_action, self.delete_action])
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.empty_label = QLabel(
            "Партнёрств в этом учебном году нет. Добавьте группу кнопкой «Новое партнёрство»."
        )
        self.empty_label.setStyleSheet("color: #555; padding: 6px;")
        self.empty_label.setWordWrap(True)

        self.warnings_model = WarningsModel(database, lambda: self.year, self)
        self.warnings_caption = QLabel()
        self.warnings_caption.setStyleSheet("font-weight: bold;")
        self.warnings_table = QTableView()
        self.warnings_table.setModel(self.warnings_model)
        self.warnings_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.warnings_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.warnings_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.warnings_table.setWordWrap(True)
        self.warnings_table.verticalHeader().hide()
        self.warnings_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.warnings_table.horizontalHeader().setStretchLastSection(True)
        self.warnings_table.horizontalHeader().resizeSection(0, 130)

        groups_panel = QWidget()
        groups_layout = QVBoxLayout(groups_panel)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        groups_layout.addWidget(self.table, 1)
        groups_layout.addWidget(self.empty_label)
        warnings_panel = QWidget()
        warnings_layout = QVBoxLayout(warnings_panel)
        warnings_layout.setContentsMargins(0, 0, 0, 0)
        warnings_layout.addWidget(self.warnings_caption)
        warnings_layout.addWidget(self.warnings_table, 1)
        warnings_layout.addStretch(0)
        self.bottom = QSplitter(Qt.Orientation.Horizontal)
        self.bottom.addWidget(groups_panel)
        self.bottom.addWidget(warnings_panel)
        self.bottom.setStretchFactor(0, 3)
        self.bottom.setStretchFactor(1, 1)
        self.bottom.setSizes([800, 330])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([480, 300])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)

        self._fill_years()
        self.year_combo.currentIndexChanged.connect(lambda _index: self.reload(fit=True))
        self.kind_combo.currentIndexChanged.connect(lambda _index: self.reload())
        self.distances_check.toggled.connect(self._show_distances)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_group())
        self.warnings_table.doubleClicked.connect(self._on_warning_activated)
        self.view.school_clicked.connect(self.show_school)
        self.scene.school_dropped.connect(self._save_position)
        self.scene.basemap_failed.connect(self.view.show_notice)
        history.changed.connect(self._on_history_changed)
        self.reload(fit=True)

    # --- building ------------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], object], tip: str, shortcut: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.new_action = self._action(
            "Новое партнёрство…", self.new_group, "Создать группу: школа с низкими результатами и партнёры"
        )
        self.edit_action = self._action("Изменить…", self.edit_group, "Изменить выбранное партнёрство")
        self.delete_action = self._action(
            "Удалить…", self.delete_group, "Удалить выбранное партнёрство (можно отменить)", "Del"
        )
        self.basemap_action = self._action(
            "Подложка карты…",
            self.choose_basemap,
            "Показать под школами карту из файла MBTiles (без интернета)",
        )
        self.no_basemap_action = self._action("Без подложки", lambda: self.set_basemap(""), "Убрать подложку")
        self.png_action = self._action(
            "Карта в PNG…", lambda: self.ask_export(".png"), "Сохранить карту рисунком"
        )
        self.pdf_action = self._action(
            "Карта в PDF…", lambda: self.ask_export(".pdf"), "Сохранить карту для печати: A4, альбомная"
        )
        self.xlsx_action = self._action(
            "Перечень в Excel…", lambda: self.ask_export(".xlsx"), "Выгрузить перечень партнёрств в Excel"
        )
        self.docx_action = self._action(
            "Перечень в Word…",
            lambda: self.ask_export(".docx"),
            "Выгрузить перечень партнёрств таблицей для приложения к приказу",
        )
        self.import_action = self._action(
            "Загрузить список…",
            self.import_list,
            "Загрузить партнёрства из Excel, Word или текста: «Школа А - Школа Б»",
        )

    def _fill_years(self) -> None:
        stored = self.office.setting("current_year")
        current = int(stored) if stored.isdigit() else current_academic_year()
        wanted = int(self.year_combo.currentData()) if self.year_combo.count() else current
        years = sorted({*self.service.years(), current, wanted}, reverse=True)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(academic_year_label(year), year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(wanted))
        self.year_combo.blockSignals(False)

    @property
    def year(self) -> int:
        return int(self.year_combo.currentData()) if self.year_combo.count() else current_academic_year()

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(academic_year_label(year), year)
            index = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(index)

    # --- loading -------------------------------------------------------------------------------------
    def reload(self, *, fit: bool = False) -> None:
        selected = self._selected_id
        data = load_map_data(self.database, self.year)
        kind = self.kind_combo.currentData() if self.kind_combo.currentIndex() >= 0 else ANY_KIND
        if kind:
            data.groups = [g for g in data.groups if g.kind.value == kind]
        self.data = data
        self.scene.highlighted = selected
        self.scene.show_distances = self.distances_check.isChecked()
        self.scene.build(data)
        if data.basemap_path != self._basemap_path:
            self._basemap_path = data.basemap_path
            message = self.scene.set_basemap(data.basemap_path)
            self.view.show_notice(message)
        self.model.set_groups(data.groups)
        self.table.setVisible(bool(data.groups))
        self.empty_label.setVisible(not data.groups)
        self.warnings_model.refresh()
        count = self.warnings_model.rowCount()
        self.warnings_caption.setText(f"Предупреждения: {count}" if count else "Предупреждений нет")
        self.warnings_table.setVisible(count > 0)
        if fit or not self._all_in_view():
            self.view.fit_all()  # a school added, moved or newly boxed must not sit off-screen
        self.view.refresh_after_build()
        if selected is not None and not self.select_group(selected):
            self._selected_id = None
            self.scene.highlight_group(None)
        self.update_actions()
        emit(self.counts_changed, self.counts_text())

    def _all_in_view(self) -> bool:
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        return visible.contains(self.scene.itemsBoundingRect())

    def counts_text(self) -> str:
        groups = self.model.rowCount()
        warnings = self.warnings_model.rowCount()
        return (
            f"{groups} {plural(groups, 'партнёрство', 'партнёрства', 'партнёрств')}, "
            f"{warnings} {plural(warnings, 'предупреждение', 'предупреждения', 'предупреждений')}"
        )

    def _on_history_changed(self, changeset: ChangeSet) -> None:
        tables = {change.table for change in changeset.changes}
        if tables & REFRESH_TABLES:
            if "partnership_groups" in tables:
                self._fill_years()
            self.reload()

    # --- selection and the map -----------------------------------------------------------------------
    def current_group(self) -> PartnershipGroup | None:
        index = self.table.currentIndex()
        return self.model.group_at(index.row()) if index.isValid() else None

    def select_group(self, group_id: int) -> bool:
        row = self.model.row_of(group_id)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def _on_current_changed(self, *_args: object) -> None:
        group = self.current_group()
        self._selected_id = group.id if group else None
        self.scene.highlight_group(self._selected_id)
        if group is not None and group.members:
            self.view.center_on_school(group.members[0].school_id)
        self.update_actions()

    def update_actions(self) -> None:
        has_group = self.current_group() is not None
        self.edit_action.setEnabled(has_group)
        self.delete_action.setEnabled(has_group)
        self.no_basemap_action.setEnabled(bool(self._basemap_path))

    def _show_distances(self, shown: bool) -> None:
        self.scene.set_distance_labels(shown)
        self.view.refresh_after_build()

    def _on_warning_activated(self, index: object) -> None:
        warning = self.warnings_model.warning_at(index.row())  # type: ignore[attr-defined]
        if warning is None:
            return
        if warning.group_id is not None:
            self.select_group(warning.group_id)
        elif warning.school_id is not None:
            self.show_school(warning.school_id)

    def show_warning(self, group_id: int | None, school_id: int | None) -> None:
        """From «Обзор»: the office's current year, the group (or the school) of a warning."""
        from ui.partnerships.hookup import office_year

        year = office_year(self.database)
        if year != self.year:
            self.set_year(year)
        if self.kind_combo.currentIndex() > 0:
            self.kind_combo.setCurrentIndex(0)
        if group_id is not None:
            self.select_group(group_id)
        if school_id is not None:
            self.show_school(school_id)

    def school_card_html(self, school_id: int) -> str:
        data = self.data
        school = data.school(school_id) if data else None
        if data is None or school is None:
            return ""
        s = school.school
        lines = [f"<b>{escape(s.full_name)}</b>"]
        if s.short_name and s.short_name != s.full_name:
            lines.append(escape(s.short_name))
        if school.categories:
            lines.append(
                f"{academic_year_label(data.year)}: "
                + ", ".join(
                    f"<span style='color:#b71c1c'>{escape(c.label)}</span>" for c in school.categories
                )
            )
        else:
            lines.append(f"{academic_year_label(data.year)}: не в перечнях")
        if s.director:
            lines.append(f"Руководитель: {escape(s.director)}")
        if s.students is not None:
            lines.append(f"Обучающихся: {s.students}")
        if s.settlement:
            lines.append(escape(s.settlement))
        if not school.has_coordinates:
            lines.append("<i>Координаты не указаны: место на карте условное</i>")
        groups = data.groups_of(school_id)
        if groups:
            lines.append("<br><b>Партнёрства</b>")
            for group in groups:
                me = next(m for m in group.members if m.school_id == school_id)
                others = [m for m in group.members if m.school_id != school_id]
                parts = [
                    f"{escape(m.name)} ({escape(m.role.short_label)}, {format_km(distance_km(me, m))})"
                    for m in others
                ]
                lines.append(f"• {escape(me.role.label)}: " + "; ".join(parts))
        else:
            lines.append("<br>В партнёрствах этого года не участвует.")
        return "<br>".join(lines)

    def show_school(self, school_id: int) -> None:
        html = self.school_card_html(school_id)
        if html:
            self.view.show_card(html)
        groups = self.data.groups_of(school_id) if self.data else []
        if groups and (self.current_group() is None or self.current_group() not in groups):
            self.select_group(groups[0].id)

    def _save_position(self, school_id: int, x: float, y: float) -> None:
        # After the drag has finished: the reload rebuilds the items (the dragged one too).
        QTimer.singleShot(
            0,
            self,
            lambda: self._write(lambda: self.service.set_position(school_id, x, y), "Место не сохранено"),
        )

    # --- writing -------------------------------------------------------------------------------------
    def _write(self, action: Callable[[], ChangeSet], failure: str) -> ChangeSet | None:
        try:
            changeset = action()
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, failure)
            return None
        self.history.record(changeset)
        return changeset

    def new_group(self) -> QWidget:
        from ui.partnerships.dialogs import GroupDialog

        dialog = GroupDialog(self.database, self.history, self.year, parent=self)
        dialog.saved.connect(self._select_later)
        dialog.open()
        return dialog

    def edit_group(self) -> QWidget | None:
        group = self.current_group()
        if group is None:
            return None
        from ui.partnerships.dialogs import GroupDialog

        dialog = GroupDialog(self.database, self.history, self.year, group, parent=self)
        dialog.saved.connect(self._select_later)
        dialog.open()
        return dialog

    def _select_later(self, group_id: int) -> None:
        self._selected_id = group_id
        self.select_group(group_id)

    def delete_group(self) -> QWidget | None:
        group = self.current_group()
        if group is None:
            return None
        from ui.plans.dialogs import ask

        text = f"Удалить партнёрство «{group.title}»?\n\nУдаление можно отменить (Ctrl+Z)."
        return ask(
            self,
            text,
            "Удаление партнёрства",
            "Удалить",
            lambda: self._write(lambda: self.service.delete(group.id), "Партнёрство не удалено"),
        )

    # --- the basemap ---------------------------------------------------------------------------------
    def choose_basemap(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        start = str(Path(self._basemap_path).parent) if self._basemap_path else str(Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "Подложка карты", start, "Карты MBTiles (*.mbtiles);;Все файлы (*)"
        )
        if name:
            self.set_basemap(name)

    def set_basemap(self, path: str) -> bool:
        """Use the MBTiles file `path` under the map ("" — none) and remember it in the database;
        a file that cannot be used is refused with a message and the map stays as it was."""
        message = self.scene.set_basemap(path)
        if message:
            show_error(self, message, "Подложка карты")
            self.scene.set_basemap(self._basemap_path)  # the previous one, if any
            return False
        self._basemap_path = path
        self.office.set_setting(BASEMAP_SETTING, path)
        self.view.show_notice("")
        self.view.refresh_after_build()
        self.update_actions()
        return True

    # --- import ------------------------------------------------------------------------------------
    def import_list(self, path: Path | None = None) -> None:
        """Load groups from a file into the year shown; names are confirmed in a dialog."""
        from ui.partnership_import import PartnershipImportFlow

        flow = PartnershipImportFlow(self.database, self.history, self.jobs, self, year=self.year)
        flow.imported.connect(lambda ids: self._select_later(ids[0]) if ids else None)
        flow.start_from_file(path)

    # --- export --------------------------------------------------------------------------------------
    def suggested_name(self, suffix: str) -> str:
        year = academic_year_label(self.year).replace("/", "-")
        return f"Сетевое партнёрство {year}{suffix}"

    def ask_export(self, suffix: str) -> None:
        from PySide6.QtWidgets import QFileDialog

        filters = {
            ".png": "Рисунок PNG (*.png)",
            ".pdf": "Документ PDF (*.pdf)",
            ".xlsx": "Книга Excel (*.xlsx)",
            ".docx": "Документ Word (*.docx)",
        }
        name, _ = QFileDialog.getSaveFileName(
            self, "Сохранить", str(Path.home() / self.suggested_name(suffix)), filters[suffix]
        )
        if name:
            if not name.lower().endswith(suffix):
                name += suffix
            self.export(Path(name))

    def export(self, path: Path) -> Path | None:
        """Write the map (.png, .pdf) or the list (.xlsx) of the year shown; a message on failure."""
        try:
            if path.suffix.lower() == ".docx":
                from app.exporting.partnership_docx import export_partnerships_docx

                assert self.data is not None
                written = export_partnerships_docx(self.data.groups, self.year, path)
            elif path.suffix.lower() == ".xlsx":
                from app.exporting.partnership_xlsx import export_partnerships_xlsx

                assert self.data is not None
                written = export_partnerships_xlsx(
                    self.data.groups,
                    self.year,
                    path,
                    office_name=self.data.office_name,
                    plan_items=dict(self.service.plan_items_of_year(self.year)),
                )
            else:
                from ui.partnerships.map_export import render_map

                data = load_map_data(self.database, self.year)
                if self.data is not None:
                    data.groups = self.data.groups  # the kind filter applies to the page too
                basemap = self._basemap_path if self.scene.basemap is not None else ""
                written = render_map(
                    data,
                    path,
                    title=year_title(self.year),
                    basemap=basemap,
                    show_distances=True,
                )
        except (AppError, DatabaseError) as exc:
            show_error(self, exc.message, "Не сохранено")
            return None
        show_file_saved(self, "Сохранено", f"Сохранено в файл «{written}».", written)
        return written
