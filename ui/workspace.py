"""Everything around the reader that makes the window a workspace: search, codebook editing,
importing by drag and drop, dossiers, preferences and help. :func:`install` adds them to a main
window in one call, so the main window itself stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.changes import ChangeSet
from app.errors import DossierError
from app.services import samples
from app.services import search as search_service
from app.services.imports import ImportResult
from app.services.search import SearchResult
from ui import preferences
from ui.codebook_editor.editor import CodebookEditor
from ui.dossiers import DossierMenu
from ui.library.dock import LibraryDock
from ui.library.drop import DropImporter
from ui.library.opening import open_then
from ui.library.positions import ReadingPositions
from ui.library.welcome import WelcomePage
from ui.preferences import PreferencesDialog
from ui.search.dock import SearchDock
from ui.settings import PDF_VIEW_MODE
from ui.shortcuts_help import show_shortcuts
from ui.tag_menu import fill_tag_menu
from ui.undo import CodebookUndo
from ui.undo_focus import UndoFocus

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SEARCH_KEY = "Ctrl+Shift+F"


class Workspace(QObject):
    """The parts installed on one main window (kept so tests and menus can reach them)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.codebook_undo = CodebookUndo(window.ops, self)
        self.codebook_editor = CodebookEditor(window.codebook_dock.tree, window.codebook_model,
                                              self.codebook_undo, window)
        self.codebook_editor.failed.connect(window.show_error)
        self.codebook_editor.message.connect(window.show_message)
        self.search_dock = SearchDock(window.dossier, window.ops, window.codebook_model, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.search_dock)
        window.tabifyDockWidget(window.list_dock, self.search_dock)
        window.list_dock.raise_()
        self.search_dock.result_chosen.connect(self.open_result)
        self.library_dock = LibraryDock(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.library_dock)
        window.tabifyDockWidget(window.list_dock, self.library_dock)
        window.list_dock.raise_()
        library_action = self.library_dock.toggleViewAction()
        library_action.setShortcut(QKeySequence("Ctrl+L"))
        self.drop = DropImporter(window, window.importer.import_inputs)
        window.ops.changed.connect(self._changes_applied)
        window.document_opened.connect(self.search_dock.set_document)
        self.search_action = QAction("&Search Dossier…", window)
        self.search_action.setShortcut(QKeySequence(SEARCH_KEY))
        self.search_action.setStatusTip("Search every document, highlighted passage and note")
        self.search_action.triggered.connect(self.search_dock.focus_box)
        edit = window.menus["edit"]
        edit.insertAction(window.menu_actions.tag, self.search_action)
        window.menus["view"].addAction(self.search_dock.toggleViewAction())
        window.menus["view"].addAction(library_action)
        self.dossier_menu = DossierMenu(window)
        self.undo_focus = UndoFocus(window)
        window.reader.removeWidget(window.welcome)  # it moves into the welcome page
        self.welcome = WelcomePage(window.welcome, window.import_files, self.open_sample_dossier,
                                   window.reader)
        window.reader.insertWidget(0, self.welcome)
        window.reader.setCurrentWidget(self.welcome)
        for signal in (window.documents_model.rowsInserted, window.documents_model.rowsRemoved,
                       window.documents_model.modelReset):
            signal.connect(self._library_changed)
        self._library_changed()
        proxy = window.list_dock.proxy
        window.status.shown_count = proxy.rowCount
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset,
                       proxy.layoutChanged):
            signal.connect(window.status.refresh_count)
        self.positions = ReadingPositions(window, window.settings)
        self.preferences_action = QAction("Pre&ferences…", window)
        preferences_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        self.preferences_action.setShortcuts(preferences_keys or [QKeySequence("Ctrl+,")])
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_action.triggered.connect(self.edit_preferences)
        edit.addSeparator()
        edit.addAction(self.preferences_action)
        self.shortcuts_action = QAction("&Keyboard Shortcuts", window)
        self.shortcuts_action.setShortcut(QKeySequence("Ctrl+/"))
        self.shortcuts_action.triggered.connect(lambda: show_shortcuts(window))
        help_menu = window.menus["help"]
        help_menu.insertAction(help_menu.actions()[0], self.shortcuts_action)
        self.tag_menu = QMenu("&Tags", window)
        self.tag_menu.aboutToShow.connect(lambda: fill_tag_menu(window, self.tag_menu))
        window.menuBar().insertMenu(help_menu.menuAction(), self.tag_menu)
        window.menus["tags"] = self.tag_menu

    def _changes_applied(self, changes: ChangeSet) -> None:
        if changes.tags:
            self.search_dock.fill_tags()

    def _library_changed(self, *_args: object) -> None:
        self.welcome.set_empty(self.window.documents_model.rowCount() == 0)

    def open_sample_dossier(self) -> MainWindow | None:
        """Open the sample dossier (made and filled with the samples the first time)."""
        folder = samples.sample_dossier_path()
        window = self.dossier_menu.switch_to(folder, create=True)
        if window is None:
            return None
        if window.documents_model.rowCount() == 0:
            def opened(results: list[ImportResult]) -> None:
                docs = [r.document for r in results if r.document is not None]
                if docs:
                    window.open_document(docs[-1].id)
                window.show_message(f"Opened the sample dossier: {len(docs)} fictional "
                                    "documents to practise on")

            window.ops.mutate(lambda _op: samples.import_samples(window.dossier),
                              label="Importing the samples", on_done=opened)
        return window

    def fit_left_docks(self) -> None:
        """Make the codebook dock wide enough for every tag name (within reason)."""
        window = self.window
        tree = window.codebook_dock.tree
        metrics = tree.fontMetrics()
        name_width = max((tree.indentation() * (t.depth + 1) + metrics.horizontalAdvance(t.name)
                          for t in window.codebook_model.tags()), default=0)
        header = tree.header()
        others = sum(header.sectionSize(c) for c in range(1, header.count()))
        needed = name_width + 28 + others + tree.verticalScrollBar().sizeHint().width() + 16
        width = min(needed, max(window.width() * 2 // 5, 350))
        window.resizeDocks([window.documents_dock], [width], Qt.Orientation.Horizontal)

    def edit_preferences(self) -> None:
        """Edit > Preferences…: applied and saved when the dialog is accepted."""
        window = self.window
        dialog = PreferencesDialog(preferences.current(window.settings,
                                                       window.dossier.user_name), window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.preferences()))
        dialog.open()

    def apply_preferences(self, prefs: preferences.Preferences) -> None:
        """Save and apply ``prefs``; the new name signs what is done from now on."""
        window = self.window
        try:
            preferences.store(window.settings, prefs)
        except DossierError as exc:
            window.show_error(str(exc))
            return
        window.dossier.act_as(prefs.name.strip())
        if window.document_id is not None:
            window.open_document(window.document_id,
                                 reflowed=window.settings.get(PDF_VIEW_MODE) == "text")

    def open_result(self, hit: SearchResult, query: str) -> None:
        """Open the result's document at the matching passage, highlighted and selected."""
        window = self.window
        try:
            start, end = search_service.locate(window.dossier, hit, query)
        except DossierError as exc:
            window.show_error(str(exc))
            return
        open_then(window, hit.document_id, lambda view: view.show_search_match(start, end))


def install(window: MainWindow) -> Workspace:
    """Add the workspace's parts to ``window``."""
    return Workspace(window)
