"""The annotations of the open document as a table, and a proxy filtering it.

The table keeps the annotations' ids in document order plus the annotations as the services
returned them; the displayed cells of a row are formatted only when a view asks for them and are
cached until that annotation changes. Changes arrive as ``(action, ids)`` from
:class:`ui.signals.DossierSignals` and become row insertions, removals and ``dataChanged``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.dossier import Dossier
from app.errors import NotFound
from app.services import annotations as service
from app.services.annotations import AnnotationView
from ui.models import roles
from ui.models.filtering import change_row_filter

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

COLUMNS = ("Quote", "Tags", "Note", "Grade", "Page", "Author", "Status")
QUOTE, TAGS, NOTE, GRADE, PAGE, AUTHOR, STATUS = range(len(COLUMNS))
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "approved": "Approved",
                 "rejected": "Rejected", "changes_requested": "Changes requested"}
QUOTE_CHARS = 160


def one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line with runs of white space collapsed, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def page_label(view: AnnotationView) -> str:
    """"2", "2–3" or "" for a passage not on a PDF page."""
    if view.page_start is None:
        return ""
    if view.page_end is None or view.page_end == view.page_start:
        return str(view.page_start)
    return f"{view.page_start}–{view.page_end}"


def tag_name(path: str) -> str:
    """The last part of a tag path."""
    return path.rsplit("/", 1)[-1]


def _cells(view: AnnotationView) -> tuple[str, ...]:
    return (one_line(view.quote), ", ".join(tag_name(t.path) for t in view.tags),
            one_line(view.note, 120), view.grade, page_label(view), view.author,
            STATUS_LABELS.get(view.status, view.status))


class AnnotationListModel(QAbstractTableModel):
    """Annotations of one document in text order.

    Columns: quote, tags, note, grade, page, author, status. Roles: ``ANNOTATION_ID``,
    ``ANNOTATION`` (the :class:`AnnotationView`), ``CHIPS`` (tag name and colour pairs, on the
    tags column) and ``SORT_KEY``.
    """

    def __init__(self, dossier: Dossier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self.document_id: str | None = None
        self._ids: list[str] = []
        self._keys: list[tuple[int, int, str]] = []  # (start, end, id) parallel to _ids
        self._views: dict[str, AnnotationView] = {}
        self._cells: dict[str, tuple[str, ...]] = {}

    # -- contents ------------------------------------------------------------------------------
    def set_document(self, document_id: str | None) -> None:
        """Show the annotations of ``document_id`` (none for ``None``)."""
        self.beginResetModel()
        self.document_id = document_id
        views = service.list_annotations(self.dossier, document_id=document_id) \
            if document_id else []
        views.sort(key=lambda v: (v.start, v.end, v.id))
        self._ids = [v.id for v in views]
        self._keys = [(v.start, v.end, v.id) for v in views]
        self._views = {v.id: v for v in views}
        self._cells = {}
        self.endResetModel()

    def annotation(self, row: int) -> AnnotationView:
        """The annotation shown in ``row``."""
        return self._views[self._ids[row]]

    def annotations(self) -> list[AnnotationView]:
        """Every annotation shown, in text order."""
        return [self._views[i] for i in self._ids]

    def row_of(self, annotation_id: str) -> int:
        """The row of an annotation, -1 when it is not shown."""
        view = self._views.get(annotation_id)
        if view is None:
            return -1
        return bisect.bisect_left(self._keys, (view.start, view.end, view.id))

    def on_annotation_changed(self, action: str, ids: Iterable[str]) -> None:
        """Apply a committed change (connected to ``DossierSignals.annotation_changed``)."""
        if self.document_id is None:
            return
        for annotation_id in ids:
            self._remove(annotation_id)
            if action != "deleted":
                try:
                    view = service.get_annotation(self.dossier, annotation_id)
                except NotFound:
                    continue
                if view.document_id == self.document_id:
                    self._insert(view)

    def refresh_tags(self) -> None:
        """Tag names or colours changed: reload the annotations shown, keeping rows."""
        if self.document_id is None:
            return
        fresh = {v.id: v for v in service.list_annotations(self.dossier,
                                                           document_id=self.document_id)}
        self._views.update({k: v for k, v in fresh.items() if k in self._views})
        self._cells.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1,
                                                               len(COLUMNS) - 1))

    def _insert(self, view: AnnotationView) -> None:
        key = (view.start, view.end, view.id)
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._ids.insert(row, view.id)
        self._keys.insert(row, key)
        self._views[view.id] = view
        self.endInsertRows()

    def _remove(self, annotation_id: str) -> None:
        row = self.row_of(annotation_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._ids[row]
        del self._keys[row]
        self._views.pop(annotation_id, None)
        self._cells.pop(annotation_id, None)
        self.endRemoveRows()

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: one row per annotation."""
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: the columns listed in :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: cell text, tooltips, chips, ids and sort keys."""
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        ann_id = self._ids[index.row()]
        view = self._views[ann_id]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            cells = self._cells.get(ann_id)
            if cells is None:
                cells = self._cells[ann_id] = _cells(view)
            return cells[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(view, col)
        if role == roles.ANNOTATION_ID:
            return ann_id
        if role == roles.ANNOTATION:
            return view
        if role == roles.CHIPS and col == TAGS:
            return [(tag_name(t.path), t.colour) for t in view.tags]
        if role == roles.SORT_KEY:
            return self._sort_key(view, col)
        return None

    @staticmethod
    def _tooltip(view: AnnotationView, col: int) -> str | None:
        if col == QUOTE:
            return view.quote
        if col == TAGS:
            return "\n".join(t.path for t in view.tags) or None
        if col == NOTE:
            return view.note or None
        if col == GRADE and view.grade:
            return "reliability " + (view.reliability or "?") + ", credibility " + \
                str(view.credibility or "?")
        return None

    @staticmethod
    def _sort_key(view: AnnotationView, col: int) -> Any:
        position = f"{view.start:012d}"
        if col == TAGS:
            return ", ".join(t.path.casefold() for t in view.tags) + position
        if col == NOTE:
            return view.note.casefold()
        if col == GRADE:
            return (view.reliability or "Z") + str(view.credibility or 9) + position
        if col == PAGE:
            return f"{view.page_start or 0:06d}" + position
        if col == AUTHOR:
            return view.author.casefold() + position
        if col == STATUS:
            return f"{list(STATUS_LABELS).index(view.status)}" + position \
                if view.status in STATUS_LABELS else view.status
        return position


class AnnotationFilter(QSortFilterProxyModel):
    """Filters the annotation list by tag (including sub-tags), status and text; sorts it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tags: set[str] | None = None
        self._status: str | None = None
        self._words: list[str] = []
        self.setSortRole(roles.SORT_KEY)

    def set_tag_filter(self, tag_ids: set[str] | None) -> None:
        """Keep annotations carrying one of ``tag_ids`` (a tag and its sub-tags); None: all."""
        wanted = set(tag_ids) if tag_ids is not None else None
        change_row_filter(self, lambda: setattr(self, "_tags", wanted))

    def set_status_filter(self, status: str | None) -> None:
        """Keep annotations with this review status; None: all."""
        change_row_filter(self, lambda: setattr(self, "_status", status))

    def set_text_filter(self, text: str) -> None:
        """Keep annotations whose quote, note, attribution, tags or author contain every word."""
        words = text.casefold().split()
        change_row_filter(self, lambda: setattr(self, "_words", words))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        """Qt: whether a source row passes every filter."""
        model = self.sourceModel()
        if not isinstance(model, AnnotationListModel):
            return True
        view = model.annotation(source_row)
        if self._status is not None and view.status != self._status:
            return False
        if self._tags is not None and not any(t.id in self._tags for t in view.tags):
            return False
        if self._words:
            hay = " ".join([view.quote, view.note, view.attribution, view.author,
                            *(t.path for t in view.tags)]).casefold()
            return all(word in hay for word in self._words)
        return True
