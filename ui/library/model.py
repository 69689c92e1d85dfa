"""The library as a table: each document with its kind, length, annotations, import date,
source and author or site. Rows follow the documents list model (one source of truth); the
extra facts are read in two small queries that never touch the texts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from sqlalchemy import func, select

from app.dossier import Dossier
from db.models import Annotation, Document
from ui.models import roles
from ui.models.documents import KIND_LABELS, DocumentListModel
from ui.models.filtering import change_row_filter

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

COLUMNS = ("Title", "Kind", "Length", "Annotations", "Imported", "Source", "Author or site")
TITLE, KIND, LENGTH, ANNOTATIONS, IMPORTED, SOURCE, AUTHOR = range(len(COLUMNS))


def library_facts(dossier: Dossier) -> tuple[dict[str, tuple[str, str, str]], dict[str, int]]:
    """(source, author, url) by document id, and annotation counts by document id."""
    with dossier.read() as session:
        facts = {str(i): (s or "", a or "", u or "") for i, s, a, u in session.execute(
            select(Document.id, Document.source, Document.author, Document.url)
            .where(Document.is_current.is_(True)))}
        counts = {str(d): int(n) for d, n in session.execute(
            select(Annotation.document_id, func.count()).group_by(Annotation.document_id))}
    return facts, counts


class LibraryModel(QAbstractTableModel):
    """Columns over the rows of a :class:`DocumentListModel`."""

    def __init__(self, documents: DocumentListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.documents = documents
        self.facts: dict[str, tuple[str, str, str]] = {}
        self.counts: dict[str, int] = {}
        documents.rowsAboutToBeInserted.connect(
            lambda _p, first, last: self.beginInsertRows(QModelIndex(), first, last))
        documents.rowsInserted.connect(self._inserted)
        documents.rowsAboutToBeRemoved.connect(
            lambda _p, first, last: self.beginRemoveRows(QModelIndex(), first, last))
        documents.rowsRemoved.connect(lambda *_: self.endRemoveRows())
        documents.modelAboutToBeReset.connect(self.beginResetModel)
        documents.modelReset.connect(self.endResetModel)
        documents.dataChanged.connect(
            lambda first, last, *_: self.dataChanged.emit(
                self.index(first.row(), 0), self.index(last.row(), len(COLUMNS) - 1)))
        self.refresh_facts()

    def _inserted(self, *_args: object) -> None:
        self.endInsertRows()
        self.refresh_facts()

    def refresh_facts(self) -> None:
        """Re-read sources, authors and annotation counts; repaint those columns."""
        self.facts, self.counts = library_facts(self.documents.dossier)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, ANNOTATIONS),
                                  self.index(self.rowCount() - 1, AUTHOR))

    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802 (Qt's name)
        """Qt: one row per document."""
        return 0 if parent.isValid() else self.documents.rowCount()

    def columnCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: the columns of :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: the document's facts by column; SORT_KEY sorts numbers as numbers."""
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        doc = self.documents.document(index.row())
        source, author, url = self.facts.get(doc.id, ("", "", ""))
        col = index.column()
        if role == roles.DOCUMENT_ID:
            return doc.id
        if role == roles.SORT_KEY:
            if col == LENGTH:
                return doc.pages if doc.kind == "pdf" else doc.text_length
            if col == ANNOTATIONS:
                return self.counts.get(doc.id, 0)
            if col == TITLE:
                return (doc.title or doc.filename).casefold()
            return self.data(index)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{doc.title}\n{url or source}" if col in (TITLE, SOURCE) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (LENGTH, ANNOTATIONS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == TITLE:
            return doc.title or doc.filename
        if col == KIND:
            return KIND_LABELS.get(doc.kind, doc.kind)
        if col == LENGTH:
            return (f"{doc.pages} p." if doc.kind == "pdf"
                    else f"{max(1, round(doc.text_length / 6 / 100)) * 100:,} words")
        if col == ANNOTATIONS:
            return str(self.counts.get(doc.id, 0) or "")
        if col == IMPORTED:
            return doc.imported_at[:10]
        if col == SOURCE:
            return url or source
        return author or doc.site_name or ""


class LibraryFilter(QSortFilterProxyModel):
    """Filter-as-you-type: every word typed must occur (in any order) in the title, file name,
    source, address, author or site; sorts by :data:`roles.SORT_KEY`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(roles.SORT_KEY)

    def set_text(self, text: str) -> None:
        """Filter by the words of ``text``."""
        words = text.casefold().split()
        change_row_filter(self, lambda: setattr(self, "_words", words))

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802 (Qt's name)
        """Qt: keep rows holding every word."""
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, LibraryModel)
        doc = model.documents.document(row)
        source, author, url = model.facts.get(doc.id, ("", "", ""))
        hay = " ".join((doc.title, doc.filename, doc.site_name or "", source, author,
                        url)).casefold()
        return all(word in hay for word in self._words)
