"""The review queue's item model: the submitted annotations, in document order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from app.changes import ChangeSet
from app.services.annotations import AnnotationView
from ui.models.annotations import one_line

Index = QModelIndex | QPersistentModelIndex
ANNOTATION_ID = Qt.ItemDataRole.UserRole + 1


class QueueModel(QAbstractListModel):
    """One row per submitted annotation; ``ANNOTATION_ID`` role gives its id."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[AnnotationView] = []

    def set_rows(self, rows: list[AnnotationView]) -> None:
        """Replace the queue (after a query)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        ann = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            tags = ", ".join(t.path.rsplit("/", 1)[-1] for t in ann.tags) or "no tag"
            return f"\u201c{one_line(ann.quote, 70)}\u201d \u2014 {tags} ({ann.author})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return ann.quote
        if role == ANNOTATION_ID:
            return ann.id
        return None

    def row_of(self, annotation_id: str) -> int:
        """The row of an annotation; -1 when it is not queued."""
        return next((n for n, a in enumerate(self.rows) if a.id == annotation_id), -1)

    def remove_ids(self, ids: frozenset[str]) -> None:
        """Drop annotations that left the queue (decided, edited back to draft, deleted)."""
        for row in reversed(range(len(self.rows))):
            if self.rows[row].id in ids:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.endRemoveRows()

    def concerns(self, changes: ChangeSet) -> bool:
        """Whether a change set may alter the queue."""
        return bool(changes.annotations)
