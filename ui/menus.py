"""The main window's actions, menus and toolbar, with the platform's standard shortcuts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from ui.models.documents import KIND_LABELS
from ui.review.menu import add_review_menu
from ui.tagging import POPUP_KEY

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Most documents listed directly in the Document menu; the documents dock lists all.
DOCUMENT_MENU_LIMIT = 25


@dataclass
class Actions:
    """Every action of the main window that other code enables, checks or triggers."""

    import_files: QAction
    import_url: QAction
    export: QAction
    import_set: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    find: QAction
    tag: QAction
    delete: QAction
    page_view: QAction
    text_view: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_fit: QAction
    zoom_reset: QAction
    about: QAction


def _shortcuts(*keys: QKeySequence.StandardKey | str) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for key in keys:
        seqs = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) \
            else [QKeySequence(key)]
        out.extend(s for s in seqs if not s.isEmpty() and s not in out)
    return out


def build_actions(window: MainWindow) -> Actions:
    """Create the actions, connected to the window's slots."""
    def action(text: str, slot: object, *keys: QKeySequence.StandardKey | str,
               tip: str = "") -> QAction:
        act = QAction(text, window)
        if keys:
            act.setShortcuts(_shortcuts(*keys))
        if tip:
            act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    undo = window.undo.stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(_shortcuts(QKeySequence.StandardKey.Undo))
    redo = window.undo.stack.createRedoAction(window, "&Redo")
    redo.setShortcuts(_shortcuts("Ctrl+Shift+Z", QKeySequence.StandardKey.Redo))
    # The menu names what will be undone; the toolbar keeps a short, steady label.
    undo.setIconText("Undo")
    redo.setIconText("Redo")
    # The document view binds Ctrl+F itself; the menu shows the key without binding it twice.
    find = action("&Find in Document…\tCtrl+F", window.show_find, tip="Find text in the document")
    tag = action("&Tag…", window.open_tag_popup, POPUP_KEY,
                 tip="Choose tags for the selection or the current annotation")
    delete = action("&Delete Annotation", window.delete_current, QKeySequence.StandardKey.Delete,
                    tip="Delete the current annotation (undoable)")
    group = QActionGroup(window)
    page_view = action("&Page View", lambda: window.set_pdf_mode("page"),
                       tip="Show PDFs as rendered pages")
    text_view = action("Te&xt View", lambda: window.set_pdf_mode("text"),
                       tip="Show the extracted text of PDFs, reflowed")
    for act in (page_view, text_view):
        act.setCheckable(True)
        group.addAction(act)
    actions = Actions(
        import_files=action("&Import…", window.import_files, "Ctrl+I",
                            QKeySequence.StandardKey.Open,
                            tip="Import PDFs, saved web pages or text files"),
        import_url=action("Import &URL…", window.import_url, "Ctrl+Shift+I",
                          tip="Fetch a web page or PDF and import it"),
        export=action("&Export Annotations…", window.export_annotations, "Ctrl+E",
                      tip="W3C annotations, CSV/XLSX, REFI-QDA, reports, annotated PDF, bundle"),
        import_set=action("Import Annotation &Set…", window.import_annotation_set,
                          tip="Merge a colleague's JSON-LD set, evidence bundle or .qdpx"),
        quit=action("&Quit", window.close, QKeySequence.StandardKey.Quit),
        undo=undo, redo=redo, find=find, tag=tag, delete=delete,
        page_view=page_view, text_view=text_view,
        zoom_in=action("Zoom &In", lambda: window.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn),
        zoom_out=action("Zoom &Out", lambda: window.zoom_by(0.8),
                        QKeySequence.StandardKey.ZoomOut),
        zoom_fit=action("&Fit Width", lambda: window.set_zoom("fit-width"), "Ctrl+9"),
        zoom_reset=action("&Actual Size", lambda: window.set_zoom(1.0), "Ctrl+0"),
        about=action("&About Dossier", window.show_about),
    )
    actions.quit.setMenuRole(QAction.MenuRole.QuitRole)
    actions.about.setMenuRole(QAction.MenuRole.AboutRole)
    for act in (actions.delete, actions.undo, actions.redo):
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    return actions


def build_menus(window: MainWindow, actions: Actions) -> None:
    """File, Edit, View, Document and Help menus, and the toolbar."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([actions.import_files, actions.import_url])
    file_menu.addSeparator()
    file_menu.addActions([actions.export, actions.import_set])
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)

    edit = bar.addMenu("&Edit")
    edit.addActions([actions.undo, actions.redo])
    edit.addSeparator()
    edit.addActions([actions.find, actions.tag, actions.delete])

    view = bar.addMenu("&View")
    view.addActions([actions.page_view, actions.text_view])
    view.addSeparator()
    view.addActions([actions.zoom_in, actions.zoom_out, actions.zoom_fit, actions.zoom_reset])
    view.addSeparator()
    for dock in window.docks():
        view.addAction(dock.toggleViewAction())

    documents = bar.addMenu("&Document")
    documents.aboutToShow.connect(lambda: fill_document_menu(window, documents))

    money = bar.addMenu("&Money")
    money.addAction("Money &Flows…", window.money.show_flows).setStatusTip(
        "Entities, payments and contracts as a graph and a timeline")
    money.addAction("&Record Claim…", window.money.record_claim).setStatusTip(
        "Record a payment, contract or ownership on the current annotation")
    money.addAction("&Screening…", window.money.show_screening).setStatusTip(
        "Screen entities against a local sanctions list; confirm or dismiss candidates")

    add_review_menu(window, bar)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.about)
    window.menus = {"file": file_menu, "edit": edit, "view": view, "document": documents,
                    "help": help_menu}

    toolbar = QToolBar("Toolbar", window)
    toolbar.setObjectName("main_toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    toolbar.setMovable(False)
    toolbar.addActions([actions.import_files, actions.undo, actions.redo])
    toolbar.addSeparator()
    toolbar.addActions([actions.tag, actions.delete])
    toolbar.addSeparator()
    toolbar.addActions([actions.page_view, actions.text_view, actions.zoom_out, actions.zoom_in,
                        actions.zoom_fit])
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    view.addAction(toolbar.toggleViewAction())


def fill_document_menu(window: MainWindow, menu: QMenu) -> None:
    """List the dossier's documents (the open one ticked) and a link to the documents dock."""
    menu.clear()
    model = window.documents_model
    for row in range(min(model.rowCount(), DOCUMENT_MENU_LIMIT)):
        doc = model.document(row)
        act = menu.addAction(f"{doc.title or doc.filename}  ({KIND_LABELS.get(doc.kind, '')})")
        act.setCheckable(True)
        act.setChecked(doc.id == window.document_id)
        act.triggered.connect(lambda _c=False, doc_id=doc.id: window.open_document(doc_id))
    if model.rowCount() == 0:
        menu.addAction("No documents yet").setEnabled(False)
    menu.addSeparator()
    from ui.document_properties import open_properties

    props = menu.addAction("Properties of the Open Document…")
    props.setEnabled(window.view is not None and window.view.document is not None)
    props.triggered.connect(lambda: open_properties(window))
    show_all = menu.addAction("All Documents…")
    show_all.triggered.connect(window.show_documents)
