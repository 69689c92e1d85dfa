"""Search results as a list model: title, where, and the snippet with its match marked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.services.search import SearchResult

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

#: The result object of a row.
RESULT_ROLE = int(Qt.ItemDataRole.UserRole) + 40

KIND_LABELS = {"document": "Text", "quote": "Highlighted passage", "note": "Note"}


class SearchResultsModel(QAbstractListModel):
    """The hits of the latest search, best first (replaced whole by each new search)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SearchResult] = []
        #: The query these results answer (kept to find the passage when one is opened).
        self.query = ""

    def set_results(self, query: str, results: list[SearchResult]) -> None:
        """Show ``results`` for ``query``."""
        self.beginResetModel()
        self.query = query
        self._rows = list(results)
        self.endResetModel()

    def result(self, row: int) -> SearchResult:
        """The result in ``row``."""
        return self._rows[row]

    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802 (Qt's name)
        """Number of results."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Title line and plain snippet for display; the result itself for RESULT_ROLE."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        hit = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.title}\n{hit.plain_snippet('', '')}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.plain_snippet("«", "»")
        if role == RESULT_ROLE:
            return hit
        return None


def where(hit: SearchResult) -> str:
    """"Text, p. 3" / "Note": what matched and where."""
    label = KIND_LABELS.get(hit.kind, hit.kind)
    return f"{label}, p. {hit.page}" if hit.page else label
