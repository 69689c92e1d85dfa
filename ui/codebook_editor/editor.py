"""The codebook editor: add, rename, recolour, describe, re-key, move, merge and delete tags.

Right-click a tag in the codebook dock for the menu; drag a tag onto another to make it a
sub-tag, or between rows to reorder. Every edit goes through :class:`ui.undo.CodebookUndo`, so it
is audited and undoable. Questions go through :mod:`ui.dialogs` (tests replace them).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView, QWidget

from app.services.codebook import TagInfo
from ui import dialogs
from ui.models import roles
from ui.models.codebook import CodebookModel
from ui.undo import CodebookUndo

QDC_FILTER = "REFI-QDA codebooks (*.qdc);;All files (*)"


class CodebookEditor(QObject):
    """Adds editing to a codebook tree view.

    Signals: ``message(str)`` for a short confirmation; ``failed(str)`` for a refused edit.
    """

    message = Signal(str)
    failed = Signal(str)

    def __init__(self, tree: QTreeView, model: CodebookModel, undo: CodebookUndo,
                 window: QWidget) -> None:
        super().__init__(window)
        self.tree = tree
        self.model = model
        self.undo = undo
        self.window = window
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._menu_at)
        tree.setDragEnabled(True)
        tree.setAcceptDrops(True)
        tree.setDropIndicatorShown(True)
        tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        tree.viewport().installEventFilter(self)
        undo.failed.connect(self.failed)

    # -- the menu ------------------------------------------------------------------------------
    def _menu_at(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        tag_id = index.data(roles.TAG_ID) if index.isValid() else None
        menu = self.build_menu(tag_id)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def build_menu(self, tag_id: str | None) -> QMenu:
        """The editing menu for a tag (or for the empty area when ``tag_id`` is None)."""
        menu = QMenu(self.tree)
        info = self.model.tag(tag_id) if tag_id else None
        menu.addAction("New Category…", lambda: self.add(None))
        if info is None:
            menu.addSeparator()
            menu.addAction("Import Codebook (.qdc)…", self.import_codebook)
            menu.addAction("Export Codebook (.qdc)…", self.export_codebook)
            return menu
        menu.addAction(f"New Tag under {info.name}…", lambda: self.add(info.id))
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.rename(info.id))
        menu.addAction("Colour…", lambda: self.recolour(info.id))
        menu.addAction("Description…", lambda: self.describe(info.id))
        if info.is_codable:
            menu.addAction("Set Key…", lambda: self.set_key(info.id))
            clear = menu.addAction("Clear Key", lambda: self.clear_key(info.id))
            clear.setEnabled(bool(info.shortcut))
        menu.addSeparator()
        menu.addAction("Merge into…", lambda: self.merge(info.id))
        menu.addAction("Delete…", lambda: self.delete(info.id))
        return menu

    def add(self, parent_id: str | None) -> None:
        """Ask for a name and add a tag (a category when ``parent_id`` is None)."""
        kind = "category" if parent_id is None else "tag"
        name = dialogs.ask_text(self.window, f"New {kind}", f"Name of the new {kind}:")
        if name and name.strip():
            parent = self.model.tag(parent_id) if parent_id else None
            colour = parent.colour if parent is not None else "#808080"
            self.undo.add(name.strip(), parent_id, colour)

    def rename(self, tag_id: str) -> None:
        """Ask for a new name."""
        info = self._info(tag_id)
        name = dialogs.ask_text(self.window, "Rename tag", "New name:", text=info.name)
        if name and name.strip() and name.strip() != info.name:
            self.undo.update(tag_id, name=name.strip())

    def recolour(self, tag_id: str) -> None:
        """Ask for a colour."""
        info = self._info(tag_id)
        colour = dialogs.choose_colour(self.window, f"Colour of {info.name}", info.colour)
        if colour and colour.lower() != info.colour:
            self.undo.update(tag_id, colour=colour.lower())

    def describe(self, tag_id: str) -> None:
        """Ask for a description (shown as the tag's tooltip)."""
        info = self._info(tag_id)
        text = dialogs.ask_text(self.window, "Description", f"What {info.name} means:",
                                text=info.description)
        if text is not None and text != info.description:
            self.undo.update(tag_id, description=text)

    def set_key(self, tag_id: str) -> None:
        """Ask for a key; a key another tag has is refused."""
        info = self._info(tag_id)
        key = dialogs.ask_text(self.window, "Shortcut key",
                               f"Key that tags a selection as {info.name} (e.g. 7, F5):",
                               text=info.shortcut or "")
        if key is None or not key.strip():
            return
        normal = QKeySequence(key.strip()).toString() or key.strip()
        self.undo.update(tag_id, shortcut=normal)

    def clear_key(self, tag_id: str) -> None:
        """Remove the tag's key."""
        self.undo.update(tag_id, shortcut=None)

    def merge(self, tag_id: str) -> None:
        """Ask which tag to merge into; the annotations follow."""
        info = self._info(tag_id)
        below = self.model.descendants(tag_id)
        targets = [t.path for t in self.model.tags() if t.id not in below]
        chosen = dialogs.choose_item(self.window, f"Merge {info.name}",
                                     f"Merge {info.path} into (its annotations follow):", targets)
        target = next((t for t in self.model.tags() if t.path == chosen), None)
        if target is not None:
            self.undo.merge(tag_id, target.id, on_done=lambda _s: self.message.emit(
                f"Merged {info.name} into {target.path} (Undo takes it back)"))

    def delete(self, tag_id: str) -> None:
        """Delete a tag; in use, only after the user confirms."""
        info = self._info(tag_id)
        count = int(self.model.index_of(tag_id).data(roles.COUNT) or 0)
        force = False
        if count:
            question = (f"{info.name} is used by {count} annotation{'s' if count != 1 else ''}. "
                        "Delete it and remove it from them? (Undo brings it back.)")
            if not dialogs.ask(self.window, "Delete tag", question):
                return
            force = True
        self.undo.delete(tag_id, force=force, on_done=lambda _s: self.message.emit(
            f"Deleted {info.name} (Undo brings it back)"))

    def import_codebook(self) -> None:
        """Add the codes of a REFI-QDA codebook that this codebook lacks (undoable)."""
        path = dialogs.choose_open_file(self.window, "Import a REFI-QDA codebook", "",
                                        QDC_FILTER)
        if path:
            self.undo.import_codes(path, on_done=lambda created: self.message.emit(
                f"{len(created)} tags added from {path.rsplit('/', 1)[-1]}"))

    def export_codebook(self) -> None:
        """Write the codebook as a REFI-QDA codebook file."""
        path = dialogs.choose_save_file(self.window, "Export the codebook", "codebook.qdc",
                                        QDC_FILTER)
        if not path:
            return
        from app.exchange import export

        dossier = self.undo.dossier
        self.undo.ops.query(lambda _op: export(dossier, "qdc", path, overwrite=True),
                            label="Exporting the codebook",
                            on_done=lambda result: self.message.emit(
                                f"Codebook written to {result.path}"),
                            on_error=lambda exc: self.failed.emit(dialogs.one_line(exc)))

    def _info(self, tag_id: str) -> TagInfo:
        info = self.model.tag(tag_id)
        assert info is not None
        return info

    # -- drag to move --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Carry out a tag drop as a move (the model itself never rearranges rows)."""
        if event.type() == QEvent.Type.Drop and isinstance(event, QDropEvent):
            source = self.tree.currentIndex().data(roles.TAG_ID)
            if source:
                self.drop(source, event.position().toPoint())
            event.setDropAction(Qt.DropAction.IgnoreAction)
            event.accept()
            return True
        return False

    def drop(self, tag_id: str, pos: QPoint) -> None:
        """Move ``tag_id`` to where it was dropped: onto a tag (under it) or between rows."""
        index = self.tree.indexAt(pos)
        if not index.isValid():
            self.undo.move(tag_id, None)
            return
        index = index.siblingAtColumn(0)
        target_id = index.data(roles.TAG_ID)
        if target_id == tag_id:
            return
        rect = self.tree.visualRect(index)
        margin = max(rect.height() // 4, 2)
        if pos.y() < rect.top() + margin or pos.y() > rect.bottom() - margin:
            parent = index.parent()
            parent_id = parent.data(roles.TAG_ID) if parent.isValid() else None
            row = index.row() + (1 if pos.y() > rect.bottom() - margin else 0)
            siblings_before = sum(
                1 for r in range(row)
                if self.model.index(r, 0, parent).data(roles.TAG_ID) == tag_id)
            self.undo.move(tag_id, parent_id, row - siblings_before)
        else:
            self.undo.move(tag_id, target_id)
