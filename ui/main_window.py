"""The main window: navigation on the left, one page per view, the menus and the undo stack.

Views are added with `add_page`; later issues add theirs the same way (plans, partnerships,
monitoring), so the navigation only ever lists pages that exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from app.office import OfficeService
from app.paths import resources_dir
from db.changes import ChangeSet
from db.connection import Database
from ui.registry.view import RegistryView
from ui.startup import DATABASE_FILTER, emit
from ui.undo import ChangeHistory
from ui.workers import JobRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from ui.identification.page import IdentificationPage
    from ui.monitoring.page import MonitoringPage
    from ui.office_page import OfficePage
    from ui.orders.page import OrdersPage
    from ui.overview import OverviewPage
    from ui.partnerships.page import PartnershipsPage
    from ui.plans.view import PlansPage
    from ui.sharing import SharingIndicator

APP_TITLE = "Опора"
STATUS_TIMEOUT_MS = 5000


_icons_folder: Path | None = None
# True while a window that fills itself after its first paint is being built (see `icon`).
_icons_after_paint = False


class _PendingIcon(QIcon):
    """An empty stand-in for an SVG icon; `MainWindow.add_page` loads the file after the first paint."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


def icon(name: str) -> QIcon:
    """The SVG icon `name` from resources/icons (an empty icon when there is no such file).

    While a `MainWindow(fill_after_paint=True)` is being built it is an empty stand-in, which
    `add_page` replaces with the real icon after the window's first paint: loading Qt's SVG icon
    engine and the files is start-up time (~2 ms). Anything else gets the icon itself.
    """
    global _icons_folder
    if _icons_folder is None:
        _icons_folder = resources_dir() / "icons"
    path = _icons_folder / f"{name}.svg"
    if not path.exists():
        return QIcon()
    return _PendingIcon(path) if _icons_after_paint else QIcon(str(path))


def _import_signals() -> None:
    import ui.signals  # noqa: F401  (protect_none runs at import)


class MainWindow(QMainWindow):
    # The application controller opens files: a window belongs to one database.
    open_database_requested = Signal(Path)
    create_database_requested = Signal(Path)
    restore_backup_requested = Signal(Path)  # a copy to restore the open database from (ui.backups_dialog)

    def __init__(
        self, database: Database, parent: QWidget | None = None, *, fill_after_paint: bool = False
    ) -> None:
        """`fill_after_paint=True` (the application's start-up) paints the window first and fills
        it right after that first paint: the registry's rows, the fitted columns and the icons.
        Everything that can be triggered from the keyboard (actions, shortcuts, menus) exists
        from the start; see `when_painted`."""
        super().__init__(parent)
        self.database = database
        self.office = OfficeService(database)
        self.jobs = JobRunner(self)
        self.history = ChangeHistory(database, self.jobs, self)
        # Steps waiting for the first paint (None: painted, or nothing is deferred).
        self._after_paint: list[Callable[[], object]] | None = [] if fill_after_paint else None
        self._fill_scheduled = False
        self._defer_icons(fill_after_paint)
        self.when_painted(lambda: self.setWindowIcon(icon("opora")))

        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setMinimumWidth(150)
        self.nav.setSpacing(2)
        self.pages = QStackedWidget()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([165, 1200])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        self.setCentralWidget(splitter)

        # ui.signals also makes `None` safe from this PySide's reference leak (protect_none): it
        # must be in place before the registry's filters start returning None by the hundred.
        self.when_painted(_import_signals)
        self.registry_view = RegistryView(database, self.history, self.jobs, load=not fill_after_paint)
        if fill_after_paint:
            self.when_painted(self.registry_view.load_now)
        self._office_page: OfficePage | None = None
        self._overview_page: OverviewPage | None = None
        self._plans_page: PlansPage | None = None
        self._partnerships_page: PartnershipsPage | None = None
        self._closing_confirmed = False
        self._monitoring_page: MonitoringPage | None = None
        self._orders_page: OrdersPage | None = None
        self._identification_page: IdentificationPage | None = None
        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)
        self.sharing: SharingIndicator | None = None
        self.when_painted(self._watch_sharing)
        self.add_page("Реестр школ", self.registry_view, icon("registry"))
        # The other pages are built when first opened: the window paints sooner, start-up does not
        # import them, and each reads fresh data.
        self._plans_row = self.add_page("Планы мероприятий", QWidget(), icon("plans"))
        self._partnerships_row = self.add_page("Сетевое партнёрство", QWidget(), icon("partnership"))
        self._monitoring_row = self.add_page("Мониторинг", QWidget(), icon("monitoring"))
        self._identification_row = self.add_page("Выявление школ", QWidget(), icon("identification"))
        self._orders_row = self.add_page("Приказы и письма", QWidget(), icon("orders"))
        self._overview_row = self.add_page("Обзор", QWidget(), icon("overview"))
        self._office_row = self.add_page("Реквизиты органа", QWidget(), icon("office"))
        self._lazy_pages = {
            self._plans_row: self._build_plans_page,
            self._partnerships_row: self._build_partnerships_page,
            self._monitoring_row: self._build_monitoring_page,
            self._identification_row: self._build_identification_page,
            self._orders_row: self._build_orders_page,
            self._overview_row: self._build_overview_page,
            self._office_row: self._build_office_page,
        }
        self.nav.currentRowChanged.connect(self._build_lazy_page)
        self.nav.setCurrentRow(0)
        # Wide enough for the longest page name («Сетевое партнёрство») with its icon.
        longest = max(
            self.nav.fontMetrics().horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count())
        )
        nav_width = max(165, longest + 20 + 36)
        self.nav.setMinimumWidth(nav_width)
        self.splitter.setSizes([nav_width, 1200])

        self.registry_view.counts_changed.connect(partial(self._show_counts, self.registry_view))
        self.counts_label.setText(self.registry_view.counts_text())

        self._create_actions()
        self._create_menus()
        self.registry_view.set_context_actions(
            [
                self.open_card_action,
                self.categories_action,
                self._separator(),
                self.archive_action,
                self.restore_action,
            ]
        )
        self.registry_view.current_changed.connect(self.update_actions)
        self.history.changed.connect(self._on_data_changed)
        self.history.failed.connect(self._on_history_failed)
        self.history.busy_changed.connect(self._on_history_busy)
        self.history.stack.indexChanged.connect(self.update_actions)
        self.update_title()
        self.update_actions()
        self._restore_settings()
        self._defer_icons(False)

    # --- filled after the first paint ----------------------------------------------------------------
    @staticmethod
    def _defer_icons(defer: bool) -> None:
        """While this window is being built, `icon()` gives stand-ins that `add_page` loads later."""
        global _icons_after_paint
        _icons_after_paint = defer

    def _watch_sharing(self) -> None:
        """«Сетевая база» and colleagues who have the file open, in the status bar (ui.sharing)."""
        from ui.sharing import SharingIndicator

        self.sharing = SharingIndicator(self.database, self.statusBar(), self)
        self.sharing.start()

    def when_painted(self, step: Callable[[], object]) -> None:
        """Run `step` right after the window's first paint (at once when nothing is deferred)."""
        if self._after_paint is None:
            step()
        else:
            self._after_paint.append(step)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._after_paint and not self._fill_scheduled:
            self._fill_scheduled = True
            # After this paint event (and the rest of the frame), not inside it.
            QTimer.singleShot(0, self, self._fill_after_paint)

    def _fill_after_paint(self) -> None:
        self._fill_scheduled = False
        if not self.isVisible():
            return  # closed meanwhile (another database was opened): nothing to fill
        steps, self._after_paint = self._after_paint or [], None
        for step in steps:
            step()

    # --- pages -------------------------------------------------------------------------------------
    def add_page(self, title: str, page: QWidget, page_icon: QIcon | None = None) -> int:
        item = QListWidgetItem(title)
        item.setSizeHint(QSize(0, 34))
        self.nav.addItem(item)
        if isinstance(page_icon, _PendingIcon):
            path = str(page_icon.path)
            self.when_painted(lambda: item.setIcon(QIcon(path)))  # see `icon`
        elif page_icon is not None and not page_icon.isNull():
            item.setIcon(page_icon)
        return self.pages.addWidget(page)

    def show_page(self, page: QWidget) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(page))

    def _build_lazy_page(self, row: int) -> None:
        factory = self._lazy_pages.pop(row, None)
        if factory is not None:
            stand_in = self.pages.widget(row)
            page = factory()
            self.pages.insertWidget(row, page)
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
            counts_changed = getattr(page, "counts_changed", None)
            if counts_changed is not None:
                counts_changed.connect(partial(self._show_counts, page))
        self.pages.setCurrentIndex(row)
        current = self.pages.currentWidget()
        counts_text = getattr(current, "counts_text", None)
        self.counts_label.setText(counts_text() if callable(counts_text) else "")

    def _show_counts(self, page: QWidget, text: str) -> None:
        """The status bar's right corner speaks of the page on screen, not of the registry."""
        if self.pages.currentWidget() is page:
            self.counts_label.setText(text)

    def _build_office_page(self) -> QWidget:
        from ui.office_page import OfficePage

        self._office_page = OfficePage(self.database, self.history)
        return self._office_page

    @property
    def office_page(self) -> OfficePage:
        """The «Реквизиты органа» page (built on first use)."""
        if self._office_page is None:
            self._build_lazy_page(self._office_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._office_page is not None
        return self._office_page

    def _build_overview_page(self) -> QWidget:
        from ui.overview import OverviewPage

        self._overview_page = OverviewPage(self.database, self.history)
        self._overview_page.open_plan_item.connect(self.open_plan_item)
        from ui.partnerships.hookup import add_overview_section

        add_overview_section(self._overview_page, self.database, self._open_partnership_warning)
        return self._overview_page

    def _build_partnerships_page(self) -> QWidget:
        from ui.partnerships.page import PartnershipsPage

        self._partnerships_page = PartnershipsPage(self.database, self.history, jobs=self.jobs)
        return self._partnerships_page

    @property
    def partnerships_page(self) -> PartnershipsPage:
        """The «Сетевое партнёрство» page (built on first use)."""
        if self._partnerships_page is None:
            self._build_lazy_page(self._partnerships_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._partnerships_page is not None
        return self._partnerships_page

    def _build_monitoring_page(self) -> QWidget:
        from ui.monitoring.page import MonitoringPage

        self._monitoring_page = MonitoringPage(self.database, self.history, jobs=self.jobs)
        return self._monitoring_page

    @property
    def monitoring_page(self) -> MonitoringPage:
        """The «Мониторинг» page (built on first use)."""
        if self._monitoring_page is None:
            self._build_lazy_page(self._monitoring_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._monitoring_page is not None
        return self._monitoring_page

    def _build_identification_page(self) -> QWidget:
        from ui.identification.page import IdentificationPage

        self._identification_page = IdentificationPage(self.database, self.history, jobs=self.jobs)
        return self._identification_page

    @property
    def identification_page(self) -> IdentificationPage:
        """The «Выявление школ» page (built on first use)."""
        if self._identification_page is None:
            self._build_lazy_page(self._identification_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._identification_page is not None
        return self._identification_page

    def _build_orders_page(self) -> QWidget:
        from ui.orders.page import OrdersPage

        self._orders_page = OrdersPage(self.database, self.history, jobs=self.jobs)
        return self._orders_page

    @property
    def orders_page(self) -> OrdersPage:
        """The «Приказы и письма» page (built on first use)."""
        if self._orders_page is None:
            self._build_lazy_page(self._orders_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._orders_page is not None
        return self._orders_page

    def _open_partnership_warning(self, group_id: int | None, school_id: int | None) -> None:
        page = self.partnerships_page
        self.show_page(page)
        page.show_warning(group_id, school_id)

    def _build_plans_page(self) -> QWidget:
        from ui.plans.view import PlansPage

        self._plans_page = PlansPage(self.database, self.history, jobs=self.jobs, show_counts=False)
        return self._plans_page

    @property
    def plans_page(self) -> PlansPage:
        """The «Планы мероприятий» page (built on first use)."""
        if self._plans_page is None:
            self._build_lazy_page(self._plans_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._plans_page is not None
        return self._plans_page

    @property
    def overview_page(self) -> OverviewPage:
        """The «Обзор» page (built on first use)."""
        if self._overview_page is None:
            self._build_lazy_page(self._overview_row)
            self.pages.setCurrentIndex(self.nav.currentRow())
        assert self._overview_page is not None
        return self._overview_page

    def open_plan_item(self, plan_id: int, item_id: int) -> None:
        page = self.plans_page
        self.show_page(page)
        page.show_item(plan_id, item_id)

    # --- actions -----------------------------------------------------------------------------------
    def _action(
        self, text: str, slot: object, shortcuts: list[QKeySequence | str] | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _separator(self) -> QAction:
        separator = QAction(self)
        separator.setSeparator(True)
        return separator

    def _create_actions(self) -> None:
        self.new_db_action = self._action(
            "Создать базу…", self.create_database, ["Ctrl+N"], "Создать новый файл базы данных"
        )
        self.open_db_action = self._action(
            "Открыть базу…", self.open_database, ["Ctrl+O"], "Открыть другой файл базы данных"
        )
        self.import_action = self._action(
            "Импорт из Excel…", self.import_registry, [], "Загрузить список школ из книги Excel"
        )
        self.export_action = self._action(
            "Экспорт в Excel…", self.export_registry, [], "Выгрузить реестр в оформленную книгу Excel"
        )
        self.backups_action = self._action(
            "Резервные копии…", self.show_backups, [], "Создать, восстановить или сохранить копию базы"
        )
        self.quit_action = self._action("Выход", self.close, ["Ctrl+Q"])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.undo_action = self._action("Отменить", self.undo, ["Ctrl+Z"])
        self.redo_action = self._action("Повторить", self.redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        self.find_action = self._action("Найти", self.find, ["Ctrl+F"], "Перейти к строке поиска в реестре")
        self.audit_action = self._action(
            "Журнал изменений…", self.show_audit_log, [], "Кто, когда и что изменил в базе; выгрузка в Excel"
        )

        view = self.registry_view
        self.add_school_action = self._action(
            "Добавить…", self.add_school, ["Ins", "Ctrl+Shift+N"], "Добавить школу в реестр"
        )
        # The text carries the shortcut's name: Qt would print the key as «Return».
        self.open_card_action = self._action("Открыть карточку\tEnter", view.open_current)
        view.table.addAction(self.open_card_action)
        # Its Enter waits for the rows it opens (at start-up: right after the first paint).
        self.when_painted(self._set_open_card_shortcut)
        self.archive_action = self._action(
            "В архив…", view.archive_current, [], "Перевести школу в архив (закрытие, реорганизация)"
        )
        self.restore_action = self._action("Вернуть из архива", view.restore_current)
        self.categories_action = self._action(
            "Категории…", view.open_categories, [], "Категории школы по учебным годам"
        )
        self.about_action = self._action("О программе", self.show_about)

    def _create_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&Файл")
        file_menu.addActions([self.new_db_action, self.open_db_action])
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.backups_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = menu_bar.addMenu("&Правка")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.audit_action)

        school_menu: QMenu = menu_bar.addMenu("&Школа")
        school_menu.addActions([self.add_school_action, self.open_card_action])
        school_menu.addSeparator()
        school_menu.addActions([self.archive_action, self.restore_action])
        school_menu.addSeparator()
        school_menu.addAction(self.categories_action)

        help_menu = menu_bar.addMenu("&Справка")
        help_menu.addAction(self.about_action)

    def _set_open_card_shortcut(self) -> None:
        from PySide6.QtCore import Qt

        # Enter opens the card only from the table: elsewhere it belongs to the focused widget.
        self.open_card_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.open_card_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])

    def update_actions(self, *_args: object) -> None:
        stack = self.history.stack
        busy = self.history.is_busy()
        self.undo_action.setEnabled(stack.canUndo() and not busy)
        self.redo_action.setEnabled(stack.canRedo() and not busy)
        self.undo_action.setText(f"Отменить: {stack.undoText()}" if stack.canUndo() else "Отменить")
        self.redo_action.setText(f"Повторить: {stack.redoText()}" if stack.canRedo() else "Повторить")
        school = self.registry_view.current_school()
        for action in (self.open_card_action, self.categories_action):
            action.setEnabled(school is not None)
        self.archive_action.setEnabled(school is not None and not school.is_archived)
        self.restore_action.setEnabled(school is not None and school.is_archived)

    # --- commands ----------------------------------------------------------------------------------
    def undo(self) -> None:
        text = self.history.stack.undoText()
        before = self.history.stack.index()
        self.history.undo()
        if self.history.stack.index() != before and not self.history.is_busy():
            self.statusBar().showMessage(f"Отменено: {text}", STATUS_TIMEOUT_MS)

    def redo(self) -> None:
        text = self.history.stack.redoText()
        before = self.history.stack.index()
        self.history.redo()
        if self.history.stack.index() != before and not self.history.is_busy():
            self.statusBar().showMessage(f"Повторено: {text}", STATUS_TIMEOUT_MS)

    def find(self) -> None:
        if self._plans_page is not None and self.pages.currentWidget() is self._plans_page:
            self._plans_page.focus_search()
            return
        self.show_page(self.registry_view)
        self.registry_view.focus_search()

    def add_school(self) -> None:
        self.show_page(self.registry_view)
        self.registry_view.add_school()

    def import_registry(self) -> None:
        from ui.importing.flow import RegistryImportFlow

        self.show_page(self.registry_view)
        RegistryImportFlow(self.database, self.history, self.jobs, self).start()

    def export_registry(self) -> None:
        from ui.importing.flow import RegistryExportFlow

        RegistryExportFlow(
            self.database,
            self.jobs,
            self,
            year=self.registry_view.year,
            include_archived=self.registry_view.archive_check.isChecked(),
        ).start()

    def create_database(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(self, "Создать базу данных", str(self.database.path.parent), DATABASE_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("sqlite")
        # An existing file is opened, never replaced: no «overwrite?» question that could lie.
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
        dialog.selectFile("Новая база.sqlite")
        if dialog.exec() and dialog.selectedFiles():
            emit(self.create_database_requested, Path(dialog.selectedFiles()[0]))

    def open_database(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getOpenFileName(
            self, "Открыть базу данных", str(self.database.path.parent), DATABASE_FILTER
        )
        if name:
            emit(self.open_database_requested, Path(name))

    def show_backups(self) -> None:
        from ui.backups_dialog import show_backups_dialog

        show_backups_dialog(self)

    def show_audit_log(self) -> None:
        """«Журнал изменений»: one non-modal window per main window, refreshed on every change."""
        from ui.audit_dialog import AuditDialog

        dialog: AuditDialog | None = getattr(self, "_audit_dialog", None)
        if dialog is None:
            dialog = AuditDialog(self.database, self.jobs, self, history=self.history)
            self._audit_dialog = dialog
        dialog.show_and_reload()

    def show_about(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowTitle("О программе")
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.RichText)
        from app.version import version  # read on demand: pyproject.toml, or the bundle's copy

        box.setText(
            f"<h3>«Опора» {version()}</h3>"
            "<p>Поддержка школ с низкими образовательными результатами, школ, функционирующих "
            "в неблагоприятных социальных условиях, и школ с признаками необъективности результатов.</p>"
            "<p>Для муниципальных органов управления образованием: реестр школ, перечни по учебным "
            "годам, планы мероприятий, сетевое партнёрство, мониторинг и приказы.</p>"
            f"<p>База данных: {self.database.path}</p>"
        )
        box.addButton("Закрыть", QMessageBox.ButtonRole.AcceptRole)
        box.open()

    # --- reacting to changes -----------------------------------------------------------------------
    def _on_data_changed(self, changeset: ChangeSet) -> None:
        if any(change.table == "office" for change in changeset.changes):
            self.update_title()
        self.update_actions()

    def _on_history_busy(self, busy: bool) -> None:
        # A big undo runs on a worker and moves the stack when done: no other edit may slip in
        # meanwhile (the progress dialog only appears after half a second).
        self.centralWidget().setEnabled(not busy)
        self.menuBar().setEnabled(not busy)
        self.update_actions()

    def _on_history_failed(self, message: str) -> None:
        # From the event loop: the message box opens after the undo stack has settled.
        QTimer.singleShot(0, self, lambda: self._show_history_failure(message))

    def _show_history_failure(self, message: str) -> None:
        from ui.messages import show_error

        show_error(self, message, "Отмена или повтор невозможны")
        self.registry_view.reload()

    def update_title(self) -> None:
        office = self.office.get()
        name = (
            office.short_name
            or (office.name.splitlines()[0] if office.name else "")
            or self.database.path.name
        )
        self.setWindowTitle(f"{APP_TITLE} — {name}")

    # --- settings and closing ----------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1320, 820)
        splitter_state = settings.value("main_window/splitter")
        if isinstance(splitter_state, QByteArray) and not splitter_state.isEmpty():
            self.splitter.restoreState(splitter_state)
        # The table's columns once it has its model and rows (at start-up: after the first paint).
        self.when_painted(self._restore_table_settings)

    def _restore_table_settings(self) -> None:
        header_state = QSettings().value("registry/header")
        header = self.registry_view.table.horizontalHeader()
        if (
            isinstance(header_state, QByteArray)
            and not header_state.isEmpty()
            and header.restoreState(header_state)
        ):
            # restoreState brings the sort indicator back; the model must sort to match it.
            self.registry_view.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        else:
            self.registry_view.fit_columns()

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/splitter", self.splitter.saveState())
        if self.registry_view.is_loaded():  # before that the table has no columns to remember
            settings.setValue("registry/header", self.registry_view.table.horizontalHeader().saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        page = self._monitoring_page
        if page is not None and page.checklist.is_dirty() and not self._closing_confirmed:
            # Unsaved checklist values: ask first (save, discard or stay), then close again.
            event.ignore()

            def close_now() -> None:
                self._closing_confirmed = True
                self.close()

            page.checklist.confirm_then(close_now)
            return
        if self._orders_page is not None and not self._orders_page.save_pending():
            # the editor's edits could not be saved (the message said why): stay, lose nothing
            event.ignore()
            return
        self.save_settings()
        # Workers emit on objects this window owns: stop them before anything is destroyed.
        self.jobs.shutdown()
        event.accept()
