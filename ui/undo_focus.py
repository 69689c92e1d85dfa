"""Undo and redo show what they act on: the affected passage is brought into view (switching
document when it is in another one), and no annotation off screen stays current."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand

from app.errors import DossierError
from app.services import annotations as annotation_service
from ui.library.opening import open_then

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.views.base import DocumentView


def affected_annotation(command: QUndoCommand | None) -> tuple[str, dict[str, Any] | None]:
    """The id of the annotation a command acts on, and its snapshot when it keeps one."""
    if command is None:
        return "", None
    snapshot = getattr(command, "snapshot", None)
    snap = snapshot if isinstance(snapshot, dict) else None
    ann_id = getattr(command, "annotation_id", None) or (snap or {}).get("id", "")
    return str(ann_id or ""), snap


class UndoFocus(QObject):
    """Takes over the window's Undo and Redo actions: show the passage, then act."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.stack = window.undo.stack
        actions = window.menu_actions
        for action, step in ((actions.undo, self.undo), (actions.redo, self.redo)):
            action.triggered.disconnect()  # the stack's own slot; the step below calls it
            action.triggered.connect(step)
        # Runs after the window's own handler, which may have made a restored annotation current.
        window.tagger.current_changed.connect(self._current_changed)

    def undo(self) -> None:
        """Bring the passage the last action changed into view, then undo it."""
        if self.stack.canUndo():
            self._show_command(self.stack.command(self.stack.index() - 1))
            self.stack.undo()

    def redo(self) -> None:
        """Bring the passage the next action changes into view, then redo it."""
        if self.stack.canRedo():
            self._show_command(self.stack.command(self.stack.index()))
            self.stack.redo()

    def _show_command(self, command: QUndoCommand | None) -> None:
        ann_id, snapshot = affected_annotation(command)
        if ann_id:
            self.show(ann_id, snapshot)

    def show(self, annotation_id: str, snapshot: dict[str, Any] | None = None) -> None:
        """Bring the annotation's passage into view, making it current when it still exists."""
        window = self.window
        try:
            ann = annotation_service.get_annotation(window.dossier, annotation_id)
            document_id, start, end, exists = ann.document_id, ann.start, ann.end, True
        except DossierError:
            if snapshot is None:
                return
            document_id, start, end, exists = (snapshot.get("document_id", ""),
                                                int(snapshot.get("start", 0)),
                                                int(snapshot.get("end", 0)), False)
        if not document_id:
            return

        def reveal(view: DocumentView) -> None:
            view.reveal(start, end, flash=True)
            if exists:
                window.make_current_when_listed(annotation_id)

        open_then(window, document_id, reveal)

    def _current_changed(self, annotation_id: str) -> None:
        window = self.window
        if annotation_id and window.annotation_model.row_of(annotation_id) < 0:
            # Current but not in the document on screen (a restore elsewhere): show it.
            self.show(annotation_id)
            if window.annotation_model.row_of(annotation_id) < 0:
                window.tagger.set_current(None)
