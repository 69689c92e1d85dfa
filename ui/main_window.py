"""The main window: the document in the centre; documents, codebook, annotations and the
annotation panel as docks; menus, toolbar and a status bar.

The window wires parts that do not know each other: the document view (selection, highlights),
the :class:`Tagger` (keys and popup), :class:`AnnotationUndo` (every change), the item models and
the docks. Every call into ``app/`` runs through :class:`~ui.operations.Operations`; committed
changes come back as one typed change set per operation and refresh exactly what they touched.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QStackedWidget

from app.changes import ChangeSet
from app.dossier import Dossier
from app.gcpause import collector_paused
from app.services import annotations as annotation_service
from app.services import documents as document_service
from app.services.annotations import AnnotationView
from app.services.documents import DocumentView as DocumentInfo
from ui import dialogs, live, workspace
from ui.docks.annotation_list_dock import AnnotationListDock
from ui.docks.annotation_panel import AnnotationPanel
from ui.docks.codebook_dock import CodebookDock
from ui.docks.documents_dock import DocumentsDock
from ui.exchanging import Exchanger
from ui.importing import Importer
from ui.menus import build_actions, build_menus
from ui.models.annotations import AnnotationListModel
from ui.models.codebook import CodebookModel
from ui.models.documents import DocumentListModel
from ui.operations import Operations
from ui.review import calls as review_calls
from ui.settings import LAST_DOCUMENT, LAST_IMPORT_FOLDER, PDF_VIEW_MODE, Settings
from ui.status import StatusBar
from ui.tagging import Tagger
from ui.tasks import TaskRunner
from ui.undo import AnnotationUndo
from ui.views.base import DocumentView, make_view
from ui.window_timers import stop_with_window

STATUS_MESSAGE_MS = 6000


class MainWindow(QMainWindow):
    """Dossier's main window on one open dossier.

    Signals: ``document_opened(str id)`` after a document is shown in the reader;
    ``document_closing(str id)`` just before it leaves the reader.
    """

    document_opened = Signal(str)
    document_closing = Signal(str)

    def __init__(self, dossier: Dossier, *, settings: Settings | None = None,
                 operations: Operations | None = None,
                 runner: TaskRunner | None = None) -> None:
        """``operations`` runs every call into the core (``runner``: only its synchronous flag
        is used, for older tests)."""
        super().__init__()
        self.dossier = dossier
        self.settings = settings or Settings()
        self.ops = operations or Operations(
            dossier, self, synchronous=bool(runner and runner.synchronous))
        self.ops.window = self
        name = (f"{dossier.address.database} on {dossier.address.where}" if dossier.address
                else dossier.folder.name)
        self.setWindowTitle(f"{name} — Dossier")
        self.setObjectName("main_window")
        self.undo = AnnotationUndo(self.ops, self)
        self.codebook_model = CodebookModel(dossier, self, ops=self.ops)
        self.documents_model = DocumentListModel(dossier, self)
        self.annotation_model = AnnotationListModel(dossier, self)
        self.view: DocumentView | None = None
        self.document_id: str | None = None
        self._last_imported: str | None = None
        #: An annotation to make current once the opening document's annotations are listed.
        self._pending_current: str | None = None
        #: Each open_document call's number, the one whose view is shown, and annotations
        #: listed before their view was shown (as (number, views)).
        self._open_serial = 0
        self._shown_serial = 0
        self._listed_early: tuple[int, list[AnnotationView]] | None = None
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(0)

        self.reader = QStackedWidget(self)
        self.welcome = QLabel(self.reader)
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.welcome.setWordWrap(True)
        self.reader.addWidget(self.welcome)
        self.setCentralWidget(self.reader)
        self.tagger = Tagger(self.undo, self.codebook_model, self)
        self.importer = Importer(self.ops, self)
        self.exchanger = Exchanger(self.ops, self)

        self.documents_dock = DocumentsDock(self.documents_model, self)
        self.codebook_dock = CodebookDock(self.codebook_model, self)
        self.list_dock = AnnotationListDock(self.annotation_model, self.codebook_model, self)
        self.panel = AnnotationPanel(self.undo, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.documents_dock)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.codebook_dock)
        self.splitDockWidget(self.documents_dock, self.codebook_dock, Qt.Orientation.Vertical)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.list_dock)
        # The codebook runs the full height on the left; the list spans reader and panel.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.documents_dock, self.panel], [350, 340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.documents_dock, self.codebook_dock], [170, 560],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.list_dock], [210], Qt.Orientation.Vertical)

        self.menus: dict[str, QMenu] = {}
        from ui.money.actions import MoneyActions

        self.money = MoneyActions(self)
        self.menu_actions = build_actions(self)
        build_menus(self, self.menu_actions)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self._connect()
        #: Colleagues' changes and the connection, on a team dossier (None on a folder).
        self.live = live.install(self)
        self.workspace = workspace.install(self)
        self.resize(1440, 900)
        self.workspace.fit_left_docks()
        self.settings.restore_window(self)
        self._show_welcome()
        self._update_actions()
        last = self.settings.get(LAST_DOCUMENT)
        if last and self.documents_model.row_of(last) >= 0:
            self.open_document(last)

    def _connect(self) -> None:
        self.ops.changed.connect(self._changes_applied)
        self.ops.failed.connect(self.show_error)
        self._counts_timer.timeout.connect(self.codebook_model.refresh_counts)
        stop_with_window(self, self._counts_timer)
        self.documents_dock.document_chosen.connect(self.open_document)
        self.codebook_dock.tag_activated.connect(self.tagger.apply_tag)
        self.list_dock.annotation_selected.connect(self._list_selected)
        self.tagger.current_changed.connect(self._current_changed)
        self.panel.edit_tags_requested.connect(self.open_tag_popup)
        self.panel.adjust_range_requested.connect(self.adjust_range)
        self.panel.submit_requested.connect(lambda ann_id: review_calls.submit(self.ops, [ann_id]))
        self.importer.document_imported.connect(self._imported)
        self.importer.finished.connect(self._import_finished)
        self.exchanger.finished.connect(self.show_message)
        for source in (self.tagger, self.panel):
            source.failed.connect(self.show_error)
        self.tagger.hint.connect(self.show_message)
        self.undo.restored.connect(self.tagger.set_current)
        self.undo.stack.indexChanged.connect(self._undo_index_changed)

    def _undo_index_changed(self, _index: int) -> None:
        self._update_actions()

    def docks(self) -> list[QDockWidget]:
        """The docks, in the order the View menu lists them."""
        return [self.documents_dock, self.codebook_dock, self.list_dock, self.panel]

    # -- documents -----------------------------------------------------------------------------
    def open_document(self, document_id: str, reflowed: bool | None = None) -> None:
        """Show a document in the reader, with its annotations listed and highlighted.

        Both are read off the GUI thread, at once on the two reader threads: the document is
        shown (its first page rendering) while its annotations may still be listed; they are
        shown when they arrive, or with the document if they came first (a newer choice
        supersedes a slower older one).
        """
        if document_id == self.document_id and reflowed is None and self.view is not None:
            self.view.setFocus()  # already open: keep the reading position
            return
        dossier = self.dossier
        self._open_serial += 1
        serial = self._open_serial
        self._listed_early = None

        def read(_op: object) -> DocumentInfo:
            doc = document_service.get_document(dossier, document_id)
            document_service.document_text(dossier, doc.id)  # kept: the view finds them at once
            if doc.kind == "pdf":
                document_service.page_geometry(dossier, doc.id)
            return doc

        self.ops.query(read, label="Opening the document", key="open-document",
                       on_done=lambda doc: self._show_document(doc, reflowed, serial),
                       on_error=lambda exc: self.show_error(str(exc)))
        self.ops.query(
            lambda _op: annotation_service.list_annotations(dossier, document_id=document_id),
            label="Listing the annotations", key="document-annotations",
            on_done=lambda views: self._annotations_listed(serial, document_id, views),
            on_error=lambda exc: self.show_error(str(exc)))

    def open_passage(self, document_id: str, annotation_id: str) -> None:
        """Open a document in the reader and reveal one of its annotations."""
        if document_id == self.document_id and self.view is not None:
            self._make_current(annotation_id, reveal=True)
        else:
            self._pending_current = annotation_id
            self.open_document(document_id)

    def _show_document(self, doc: DocumentInfo, reflowed: bool | None, serial: int) -> None:
        if reflowed is None:
            reflowed = self.settings.get(PDF_VIEW_MODE) == "text"
        self._close_view()
        view = make_view(self.dossier, doc, self.reader, reflowed=reflowed)
        view.selection_changed.connect(self._selection_changed)
        view.annotation_activated.connect(self.tagger.set_current)
        view.context_menu_requested.connect(self._context_menu)
        page_changed = getattr(view, "current_page_changed", None)
        if page_changed is not None:
            page_changed.connect(self.status.show_page)
        self.view = view
        self.document_id = doc.id
        self.annotation_model.set_document(doc.id, [])
        self.reader.addWidget(view)
        self.reader.setCurrentWidget(view)
        view.setFocus()
        self.tagger.set_view(view)
        self.documents_dock.mark_open(doc.id)
        self.settings.set(LAST_DOCUMENT, doc.id)
        self.status.show_document(doc, 0)
        self._update_actions()
        self.document_opened.emit(doc.id)
        self._shown_serial = serial
        early, self._listed_early = self._listed_early, None
        if early is not None and early[0] == serial:
            self._show_annotations(doc.id, early[1])

    def make_current_when_listed(self, annotation_id: str) -> None:
        """Make an annotation of the open document current, now or once its list arrives."""
        if self.annotation_model.row_of(annotation_id) >= 0:
            self._make_current(annotation_id, reveal=True)
        else:
            self._pending_current = annotation_id

    def _annotations_listed(self, serial: int, document_id: str,
                            views: list[AnnotationView]) -> None:
        if serial != self._open_serial:
            return  # another document was chosen meanwhile
        if serial != self._shown_serial:
            self._listed_early = (serial, views)  # shown with the document
            return
        self._show_annotations(document_id, views)

    def _show_annotations(self, document_id: str, views: list[AnnotationView]) -> None:
        if self.view is None or document_id != self.document_id:
            return  # another document was opened meanwhile
        with collector_paused():  # a row and a highlight per annotation: no cycles
            self.annotation_model.set_document(document_id, views)
            self.view.set_annotations(self.annotation_model.annotations())
        self.status.show_count(self.annotation_model.rowCount())
        pending, self._pending_current = self._pending_current, None
        if pending is not None and self.annotation_model.row_of(pending) >= 0:
            self._make_current(pending, reveal=True)

    def _close_view(self) -> None:
        if self.view is None:
            return
        if self.document_id is not None:
            self.document_closing.emit(self.document_id)
        self.view.release()
        self.reader.removeWidget(self.view)
        self.view.deleteLater()
        self.view = None
        self.tagger.set_view(None)

    def _show_welcome(self) -> None:
        if self.documents_model.rowCount():
            text = "Choose a document in the Documents list to start reading."
        else:
            text = ("This dossier has no documents yet.\n\n"
                    "File ▸ Import… adds PDF reports, saved web pages and text files.")
        self.welcome.setText(text)

    def show_documents(self) -> None:
        """Bring the documents dock forward."""
        self.documents_dock.show()
        self.documents_dock.raise_()
        self.documents_dock.list.setFocus()

    def set_pdf_mode(self, mode: str) -> None:
        """Show PDFs as rendered pages ("page") or as reflowed text ("text")."""
        self.settings.set(PDF_VIEW_MODE, mode)
        if self.document_id is not None and self.view is not None and self.view.document \
                and self.view.document.kind in ("pdf", "image"):
            self._pending_current = self.tagger.current_id  # current again once listed
            self.open_document(self.document_id, reflowed=mode == "text")
        self._update_actions()

    # -- annotations ---------------------------------------------------------------------------
    def _changes_applied(self, changes: ChangeSet) -> None:
        """One committed change set: each part of the window takes what concerns it."""
        if changes.documents:
            self.documents_model.apply_changes(changes)
            self._show_welcome()
        if changes.tags:
            self._tags_changed()
        if changes.annotations:
            self._annotations_changed(changes)

    def _annotations_changed(self, changes: ChangeSet) -> None:
        self.annotation_model.apply_changes(changes)
        self._counts_timer.start()  # after the highlight is drawn; bursts of changes coalesce
        ids = changes.annotations.touched
        if self.view is not None:
            for ann_id in sorted(ids):
                row = self.annotation_model.row_of(ann_id)
                if row >= 0:
                    self.view.update_annotation(self.annotation_model.annotation(row))
                else:
                    self.view.remove_annotation(ann_id)
        current = self.tagger.current_id
        if current in ids:
            if current in changes.annotations.deleted:
                self.tagger.set_current(None)
            else:
                self._current_changed(current)
        self.status.show_count(self.annotation_model.rowCount())

    def _tags_changed(self) -> None:
        self.codebook_model.refresh()
        self.tagger.install_shortcuts()
        self.annotation_model.refresh_tags()
        if self.view is not None:
            self.view.set_annotations(self.annotation_model.annotations())

    def _current_changed(self, annotation_id: str) -> None:
        row = self.annotation_model.row_of(annotation_id) if annotation_id else -1
        view = self.annotation_model.annotation(row) if row >= 0 else None
        self.panel.show_annotation(view)
        self.list_dock.select_annotation(view.id if view else None)
        if self.view is not None:
            self.view.select_annotation(view.id if view else None)
        self._update_actions()

    def _list_selected(self, annotation_id: str) -> None:
        self._make_current(annotation_id, reveal=True)

    def _make_current(self, annotation_id: str, reveal: bool) -> None:
        self.tagger.set_current(annotation_id)
        row = self.annotation_model.row_of(annotation_id)
        if reveal and self.view is not None and row >= 0:
            ann = self.annotation_model.annotation(row)
            self.view.reveal(ann.start, ann.end, flash=True)

    def _selection_changed(self, start: int, end: int) -> None:
        length = end - start if start >= 0 else 0
        self.status.show_selection(length, self.view, start)
        self._update_actions()

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.tagger.build_menu(menu, pos)
        if self.tagger.current_id is not None:
            menu.addSeparator()
            adjust = menu.addAction("Set Range to Selection", self.adjust_range)
            adjust.setEnabled(self.tagger.selection() is not None)
            menu.addAction(self.menu_actions.delete)
        menu.popup(pos)

    def open_tag_popup(self) -> None:
        """Choose tags for the selection, or for the current annotation."""
        self.tagger.open_popup()

    def delete_current(self) -> None:
        """Delete the current annotation (undoable)."""
        if self.tagger.current_id is None:
            return
        self.undo.delete(self.tagger.current_id,
                         on_error=lambda exc: self.show_error(str(exc)))

    def adjust_range(self) -> None:
        """Move the current annotation to the text selected in the view."""
        selected = self.tagger.selection()
        current = self.tagger.current_id
        if selected is None or current is None or self.view is None:
            self.show_message("Select the new passage in the document first")
            return
        self.undo.adjust_range(current, *selected,
                               on_error=lambda exc: self.show_error(str(exc)))
        self.view.clear_selection()

    # -- view ----------------------------------------------------------------------------------
    def show_find(self) -> None:
        """Open the document's find bar."""
        if self.view is not None:
            self.view.show_find_bar()

    def zoom_by(self, factor: float) -> None:
        """Zoom the document in or out by ``factor``."""
        if self.view is not None:
            self.view.set_zoom(self.view.zoom() * factor)

    def set_zoom(self, zoom: float | str) -> None:
        """Set the zoom (a factor, or "fit-width" for pages)."""
        if self.view is not None:
            self.view.set_zoom(zoom)

    def _update_actions(self) -> None:
        a = self.menu_actions
        has_view = self.view is not None
        is_pdf = bool(self.view and self.view.document
                      and self.view.document.kind in ("pdf", "image"))
        mode = self.settings.get(PDF_VIEW_MODE)
        a.page_view.setEnabled(is_pdf)
        a.text_view.setEnabled(is_pdf)
        a.page_view.setChecked(mode != "text")
        a.text_view.setChecked(mode == "text")
        for act in (a.find, a.zoom_in, a.zoom_out, a.zoom_reset):
            act.setEnabled(has_view)
        a.zoom_fit.setEnabled(has_view and is_pdf and mode != "text")
        current = self.tagger.current_id is not None
        a.delete.setEnabled(current)
        a.tag.setEnabled(current or self.tagger.selection() is not None)

    # -- import, messages, closing --------------------------------------------------------------
    def import_files(self) -> None:
        """File > Import…: choose files and import them in the background."""
        paths = dialogs.choose_files(self, "Import documents",
                                     self.settings.get(LAST_IMPORT_FOLDER))
        if paths:
            self.settings.set(LAST_IMPORT_FOLDER, str(Path(paths[0]).parent))
            self.importer.import_inputs(paths)

    def export_annotations(self) -> None:
        """File > Export Annotations…: choose format and filters, then export in the background."""
        self.exchanger.export_dialog(self.document_id, self.codebook_model.tags())

    def import_annotation_set(self) -> None:
        """File > Import Annotation Set…: merge a colleague's set and show what happened."""
        self.exchanger.import_set_file()

    def import_url(self) -> None:
        """File > Import URL…: fetch a page or PDF and import it."""
        url = dialogs.ask_text(self, "Import URL", "Address of the web page or PDF:")
        if url and url.strip():
            self.importer.import_inputs([url.strip()])

    def _imported(self, document_id: str) -> None:
        self._last_imported = document_id

    def _import_finished(self, summary: str) -> None:
        self.show_message(summary)
        if self._last_imported is not None:
            self.open_document(self._last_imported)
            self._last_imported = None

    def show_about(self) -> None:
        """Help > About."""
        try:
            number = version("dossier")
        except PackageNotFoundError:
            number = "development"
        dialogs.inform(self, "About Dossier",
                       f"Dossier {number}\nHighlight, tag and grade evidence in documents; "
                       "every change is kept in a tamper-evident record.\n\n"
                       f"Dossier folder: {self.dossier.folder}")

    def show_message(self, text: str) -> None:
        """A transient message in the status bar."""
        self.status.showMessage(text, STATUS_MESSAGE_MS)

    def show_error(self, text: str) -> None:
        """A one-line error: in the status bar and in a message box."""
        line = dialogs.one_line(text)
        self.status.showMessage(line, STATUS_MESSAGE_MS)
        dialogs.inform(self, "Dossier", line, error=True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Store what is being typed, save the layout, and let go of the dossier."""
        self.panel.commit_note()
        self.settings.save_window(self)
        self.ops.cancel_all()
        self.ops.wait(10000)
        self._close_view()
        self.ops.close()
        super().closeEvent(event)
