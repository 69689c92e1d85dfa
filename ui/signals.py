"""Changes committed in the dossier, re-announced as Qt signals on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from app.dossier import Change, Dossier


class DossierSignals(QObject):
    """Subscribes to a :class:`Dossier` and re-emits each committed change as a Qt signal.

    Signals (always emitted on the GUI thread, even for changes made by background work):
    ``annotation_changed(str action, list ids)``, ``document_added(str id)``,
    ``document_changed(str action, list ids)``, ``tag_changed(str action, list ids)``.
    ``action`` is "created", "updated" or "deleted".
    """

    annotation_changed = Signal(str, list)
    document_added = Signal(str)
    document_changed = Signal(str, list)
    tag_changed = Signal(str, list)

    # Emitted from whichever thread committed the change; this object lives on the GUI thread,
    # so a change made by a worker is queued and a change made on the GUI thread is immediate.
    _received = Signal(str, str, list)

    def __init__(self, dossier: Dossier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self._received.connect(self._dispatch)
        dossier.subscribe(self._listen)

    def close(self) -> None:
        """Stop listening to the dossier."""
        self.dossier.unsubscribe(self._listen)

    def _listen(self, change: Change) -> None:
        self._received.emit(change.kind, change.action, list(change.ids))

    @Slot(str, str, list)
    def _dispatch(self, kind: str, action: str, ids: list[str]) -> None:
        if kind == "annotation":
            self.annotation_changed.emit(action, ids)
        elif kind == "tag":
            self.tag_changed.emit(action, ids)
        elif kind == "document":
            self.document_changed.emit(action, ids)
            if action == "created":
                for doc_id in ids:
                    self.document_added.emit(doc_id)
