"""The annotations of the open document as a table, and a proxy filtering it.

The table keeps the annotations' ids in display order (text order, or sorted by a column on keys
computed once per row) plus the annotations as the services returned them; the displayed cells of
a row are formatted only when a view asks for them and are cached until that annotation changes.
Committed changes arrive as a :class:`~app.changes.ChangeSet` from ``Operations.changed`` and
become row insertions, removals, moves and ``dataChanged``.
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

from app.changes import Action, ChangeSet, Ids
from app.dossier import Dossier
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


_STATUS_ORDER = {status: i for i, status in enumerate(STATUS_LABELS)}


def _text_key(view: AnnotationView) -> tuple[Any, ...]:
    return (view.start, view.end, view.id)


def _sort_key(view: AnnotationView, col: int) -> tuple[Any, ...]:
    """What column ``col`` sorts by; ties fall back to text order (a total order)."""
    position = (view.start, view.end, view.id)
    if col == TAGS:
        return (", ".join(t.path.casefold() for t in view.tags), *position)
    if col == NOTE:
        return (view.note.casefold(), *position)
    if col == GRADE:
        return (view.reliability or "Z", view.credibility or 9, *position)
    if col == PAGE:
        return (view.page_start or 0, *position)
    if col == AUTHOR:
        return (view.author.casefold(), *position)
    if col == STATUS:
        return (_STATUS_ORDER.get(view.status, len(_STATUS_ORDER)), view.status, *position)
    return position


def _quote_cell(view: AnnotationView) -> str:
    """The quote; a region shows where it is (and the text inside it, if any)."""
    if view.region is None:
        return one_line(view.quote)
    where = f"▭ Region on page {view.region.page}"
    return f"{where}: {one_line(view.quote)}" if view.quote else where


def _cells(view: AnnotationView) -> tuple[str, ...]:
    return (_quote_cell(view), ", ".join(tag_name(t.path) for t in view.tags),
            one_line(view.note, 120), view.grade, page_label(view), view.author,
            STATUS_LABELS.get(view.status, view.status))


class AnnotationListModel(QAbstractTableModel):
    """Annotations of one document, in text order or sorted by a column.

    Columns: quote, tags, note, grade, page, author, status. Roles: ``ANNOTATION_ID``,
    ``ANNOTATION`` (the :class:`AnnotationView`), ``CHIPS`` (tag name and colour pairs, on the
    tags column) and ``SORT_KEY``. The model sorts itself (:meth:`sort`) on keys it computes
    once per row, so sorting never goes through :meth:`data`; :class:`AnnotationFilter` only
    filters and passes sorting on. Committed changes arrive as a :class:`ChangeSet`
    (:meth:`apply_changes`): an edit is one ``dataChanged`` for its row.
    """

    def __init__(self, dossier: Dossier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self.document_id: str | None = None
        self._ids: list[str] = []  # in display order
        self._rows: dict[str, int] | None = {}  # id -> row, rebuilt lazily after moves
        self._views: dict[str, AnnotationView] = {}
        self._cells: dict[str, tuple[str, ...]] = {}
        self._sort_column = -1  # -1: text order
        self._descending = False
        self._keys: list[Any] = []  # sort key of each row, parallel to _ids

    # -- contents ------------------------------------------------------------------------------
    def set_document(self, document_id: str | None,
                     views: list[AnnotationView] | None = None) -> None:
        """Show the annotations of ``document_id`` (none for ``None``); ``views`` when the
        caller listed them already (off the GUI thread), else they are listed here."""
        if views is None:
            views = service.list_annotations(self.dossier, document_id=document_id) \
                if document_id else []
        self.beginResetModel()
        self.document_id = document_id
        self._views = {v.id: v for v in views}
        self._cells = {}
        self._ids = [v.id for v in views]
        self._order()
        self.endResetModel()

    def annotation(self, row: int) -> AnnotationView:
        """The annotation shown in ``row``."""
        return self._views[self._ids[row]]

    def annotations(self) -> list[AnnotationView]:
        """Every annotation shown, in text order."""
        return sorted(self._views.values(), key=_text_key)

    def row_of(self, annotation_id: str) -> int:
        """The row of an annotation, -1 when it is not shown."""
        if self._rows is None:
            self._rows = {ann_id: row for row, ann_id in enumerate(self._ids)}
        return self._rows.get(annotation_id, -1)

    def apply_changes(self, changes: ChangeSet) -> None:
        """Apply a committed change: rows inserted, removed, or changed in place."""
        if changes.tags:
            self.refresh_tags()
        part = changes.annotations
        if self.document_id is None or not part:
            return
        for annotation_id in part.deleted:
            self._remove(annotation_id)
        wanted = part.created | part.updated
        fresh = {v.id: v for v in service.get_annotations(
            self.dossier, sorted(wanted), document_id=self.document_id)} if wanted else {}
        for annotation_id in sorted(wanted):
            view = fresh.get(annotation_id)
            if view is None:
                self._remove(annotation_id)  # gone, or moved to another document
            elif annotation_id in self._views:
                self._replace(view)
            else:
                self._insert(view)

    def on_annotation_changed(self, action: Action, ids: Iterable[str]) -> None:
        """Apply one action on ``ids`` (as :meth:`apply_changes`)."""
        self.apply_changes(ChangeSet(annotations=Ids.of(action, ids)))

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

    # -- sorting -------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt: sort rows by ``column`` (-1: text order) on keys computed once per row."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [self._ids[i.row()] for i in old]
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._order()
        self.changePersistentIndexList(
            old, [self.index(self.row_of(ann_id), i.column()) for ann_id, i in zip(
                ids, old, strict=True)])
        self.layoutChanged.emit()

    def _key(self, view: AnnotationView) -> Any:
        return _sort_key(view, self._sort_column) if self._sort_column >= 0 else _text_key(view)

    def _order(self) -> None:
        pairs = sorted(((self._key(self._views[i]), i) for i in self._ids),
                       reverse=self._descending)
        self._keys = [k for k, _ in pairs]
        self._ids = [i for _, i in pairs]
        self._rows = None

    def _position(self, key: Any) -> int:
        if not self._descending:
            return bisect.bisect_left(self._keys, key)
        lo, hi = 0, len(self._keys)
        while lo < hi:  # bisect on a descending list
            mid = (lo + hi) // 2
            if self._keys[mid] > key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # -- row changes ---------------------------------------------------------------------------
    def _replace(self, view: AnnotationView) -> None:
        row = self.row_of(view.id)
        key = self._key(view)
        self._views[view.id] = view
        self._cells.pop(view.id, None)
        if key == self._keys[row]:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        old_key = self._keys.pop(row)  # its sort key changed: find its new place
        del self._ids[row]
        target = self._position(key)
        self._keys.insert(row, old_key)
        self._ids.insert(row, view.id)
        if target != row:
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(),
                               target if target < row else target + 1)
            del self._keys[row]
            del self._ids[row]
            self._keys.insert(target, key)
            self._ids.insert(target, view.id)
            self._rows = None
            self.endMoveRows()
            row = target
        self._keys[row] = key
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _insert(self, view: AnnotationView) -> None:
        key = self._key(view)
        row = self._position(key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._ids.insert(row, view.id)
        self._keys.insert(row, key)
        self._views[view.id] = view
        self._rows = None
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
        self._rows = None
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
            return _sort_key(view, col)
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



class AnnotationFilter(QSortFilterProxyModel):
    """Filters the annotation list by tag (including sub-tags), status and text.

    Sorting is passed on to :class:`AnnotationListModel`, which sorts on keys it holds; the
    proxy keeps the source's order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tags: set[str] | None = None
        self._status: str | None = None
        self._words: list[str] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt: let the source model sort itself (the proxy's own sort stays off)."""
        self._sort_column, self._sort_order = column, order
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def sortColumn(self) -> int:  # noqa: N802
        """Qt: the column the source is sorted by."""
        return self._sort_column

    def sortOrder(self) -> Qt.SortOrder:  # noqa: N802
        """Qt: the order the source is sorted in."""
        return self._sort_order

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
        if self._status is None and self._tags is None and not self._words:
            return True  # no filter: every row, without looking at it
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
