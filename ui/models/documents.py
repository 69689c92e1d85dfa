"""The documents of a dossier as a list model (current versions, in import order)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.changes import ChangeSet
from app.dossier import Dossier
from app.services import documents as service
from app.services.documents import DocumentEntry, DocumentView
from ui.models import roles

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
KIND_LABELS = {"pdf": "PDF", "image": "Image", "html": "Article", "text": "Text"}


def describe(doc: DocumentEntry | DocumentView) -> str:
    """One line about a document: kind, pages, site or file, import date."""
    parts = [KIND_LABELS.get(doc.kind, doc.kind)]
    if doc.kind in ("pdf", "image"):
        parts.append(f"{doc.pages} page{'s' if doc.pages != 1 else ''}")
    if doc.site_name:
        parts.append(doc.site_name)
    parts.append(f"imported {doc.imported_at[:10]} by {doc.imported_by}")
    return " · ".join(parts)


class DocumentListModel(QAbstractListModel):
    """Current document versions, in import order, read without their texts.

    Roles: display title, tooltip, :data:`roles.DOCUMENT_ID`. Committed changes arrive as a
    :class:`ChangeSet` (:meth:`apply_changes`): rows appended, changed in place or removed.
    """

    def __init__(self, dossier: Dossier, parent: QObject | None = None,
                 entries: list[DocumentEntry] | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self._docs: list[DocumentEntry] = entries if entries is not None \
            else service.list_entries(dossier)
        self._rows: dict[str, int] | None = None

    def document(self, row: int) -> DocumentEntry:
        """The document in ``row``."""
        return self._docs[row]

    def row_of(self, document_id: str) -> int:
        """The row of a document; -1 when not listed."""
        if self._rows is None:
            self._rows = {doc.id: row for row, doc in enumerate(self._docs)}
        return self._rows.get(document_id, -1)

    def apply_changes(self, changes: ChangeSet) -> None:
        """Apply a committed change: new documents appended, changed ones updated in place."""
        touched = sorted(changes.documents.touched)
        if not touched:
            return
        fresh = {d.id: d for d in service.list_entries(self.dossier, all_versions=True,
                                                           ids=touched)}
        for doc_id in touched:
            doc = fresh.get(doc_id)
            if doc is not None and doc.previous_id:  # a new version replaces the older one
                self._drop(doc.previous_id)
            row = self.row_of(doc_id)
            if doc is None or not doc.is_current:
                self._drop(doc_id)
            elif row >= 0:
                self._docs[row] = doc
                self.dataChanged.emit(self.index(row), self.index(row))
            else:
                end = len(self._docs)
                self.beginInsertRows(QModelIndex(), end, end)
                self._docs.append(doc)
                self._rows = None
                self.endInsertRows()

    def _drop(self, document_id: str) -> None:
        row = self.row_of(document_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._docs[row]
            self._rows = None
            self.endRemoveRows()

    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: one row per document."""
        return 0 if parent.isValid() else len(self._docs)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: title, a description as tooltip, the id."""
        if not index.isValid() or not 0 <= index.row() < len(self._docs):
            return None
        doc = self._docs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return doc.title or doc.filename
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{doc.title}\n{describe(doc)}"
        if role == roles.DOCUMENT_ID:
            return doc.id
        return None
