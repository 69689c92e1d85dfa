"""Changes committed in the dossier, re-announced as Qt signals on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from app.changes import ChangeSet, Ids
from app.dossier import Dossier


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
    _received = Signal(object)

    def __init__(self, dossier: Dossier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self._received.connect(self._dispatch)
        dossier.subscribe(self._listen)

    def close(self) -> None:
        """Stop listening to the dossier."""
        self.dossier.unsubscribe(self._listen)

    def _listen(self, changes: ChangeSet) -> None:
        self._received.emit(changes)

    @Slot(object)
    def _dispatch(self, changes: ChangeSet) -> None:
        for signal, part in ((self.annotation_changed, changes.annotations),
                             (self.tag_changed, changes.tags),
                             (self.document_changed, changes.documents)):
            for action, ids in _actions(part):
                signal.emit(action, ids)
        for doc_id in sorted(changes.documents.created):
            self.document_added.emit(doc_id)


def _actions(part: Ids) -> list[tuple[str, list[str]]]:
    return [(action, sorted(ids)) for action, ids in
            (("created", part.created), ("updated", part.updated), ("deleted", part.deleted))
            if ids]
