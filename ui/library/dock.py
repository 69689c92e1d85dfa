"""The Library dock: every document as a sortable, filterable table; open, properties,
re-import a new version and export annotations from the context menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.changes import ChangeSet
from ui import dialogs
from ui.library.model import COLUMNS, TITLE, LibraryFilter, LibraryModel
from ui.library.properties import show_properties
from ui.models import roles
from ui.undo import LibraryUndo
from ui.window_timers import stop_with_window

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class LibraryDock(QDockWidget):
    """Title, kind, length, annotations, import date, source, author or site."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Library", window)
        self.setObjectName("library_dock")
        self.window_ = window
        self.model = LibraryModel(window.documents_model, self)
        self.undo = LibraryUndo(window.ops, self)
        self.undo.failed.connect(window.show_error)
        self.proxy = LibraryFilter(self)
        self.proxy.setSourceModel(self.model)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.filter = QLineEdit(body)
        self.filter.setPlaceholderText("Filter by title, source, author or site (any order)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.table = QTableView(body)
        self.table.setModel(self.proxy)
        # Unsorted (import order) until a column header is clicked: sorting thousands of rows
        # up front would cost more than showing them.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((0, 70, 90, 90, 90, 220, 160)):
            if width:
                self.table.setColumnWidth(column, width)
        assert len(COLUMNS) == 7
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu_at)
        self.table.activated.connect(self._open)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        self.setWidget(body)
        self._facts_timer = QTimer(self)
        self._facts_timer.setSingleShot(True)
        self._facts_timer.setInterval(300)
        self._facts_timer.timeout.connect(self.model.refresh_facts)
        stop_with_window(window, self._facts_timer)  # it read a closed dossier after closing
        window.ops.changed.connect(self._changes_applied)

    def _changes_applied(self, changes: ChangeSet) -> None:
        if changes.annotations or changes.documents:
            self._facts_timer.start()  # counts and sources; bursts coalesce

    def selected_ids(self) -> list[str]:
        """The ids of the selected documents, in table order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [str(self.proxy.index(r, 0).data(roles.DOCUMENT_ID)) for r in rows]

    def _open(self, index: QModelIndex) -> None:
        doc_id = index.data(roles.DOCUMENT_ID)
        if doc_id:
            self.window_.open_document(str(doc_id))

    def _menu_at(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        menu = self.build_menu(str(index.data(roles.DOCUMENT_ID)))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def build_menu(self, document_id: str) -> QMenu:
        """Open, Properties, Re-import a New Version, Export Annotations."""
        window = self.window_
        menu = QMenu(self.table)
        menu.addAction("Open", lambda: window.open_document(document_id))
        menu.addAction("Properties…", lambda: show_properties(window.dossier, document_id,
                                                              window))
        menu.addSeparator()
        menu.addAction("Re-import a New Version…", lambda: self.reimport(document_id))
        menu.addAction("Export Annotations…",
                       lambda: window.exchanger.export_dialog(document_id))
        menu.addSeparator()
        selected = self.selected_ids()
        targets = selected if document_id in selected else [document_id]
        label = (f"Remove {len(targets)} Documents from the Library…" if len(targets) > 1
                 else "Remove from the Library…")
        menu.addAction(label, lambda: self.remove(targets))
        return menu

    def remove(self, document_ids: list[str]) -> None:
        """Ask, then take documents out of the library (undoable; originals are kept)."""
        count = len(document_ids)
        model = self.window_.documents_model
        first = model.document(model.row_of(document_ids[0])).title
        what = f"{count} documents" if count > 1 else f"“{first}”"
        question = (f"Remove {what} from the library? Originals and annotations are kept in "
                    "the dossier's record, and Undo brings them back.")
        if dialogs.ask(self.window_, "Remove from the library", question):
            self.undo.remove(document_ids, on_done=lambda ids: self.window_.show_message(
                f"Removed {len(ids)} document{'s' if len(ids) != 1 else ''} (Undo brings "
                f"{'them' if len(ids) != 1 else 'it'} back)"))

    def reimport(self, document_id: str) -> None:
        """Choose a file and import it as the next version (annotations are re-anchored)."""
        path = dialogs.choose_open_file(self.window_, "Re-import a new version", "",
                                        dialogs.IMPORT_FILTER)
        if not path:
            return
        from app.services import versions

        def done(report: versions.ReimportReport) -> None:
            counts = report.counts()
            self.window_.show_message(
                f"Version {report.document.version} imported: {counts['exact']} annotations "
                f"exact, {counts['fuzzy']} moved, {counts['orphaned']} orphaned")
            self.window_.open_document(report.document.id)

        self.window_.ops.mutate(
            lambda op: versions.reimport_document(self.window_.dossier, document_id, path,
                                                  progress=op.report, cancel=op.is_cancelled),
            label="Re-importing", on_done=done)
