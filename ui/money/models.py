"""Item models of the money-flow window: passages behind a flow, the timeline, screening."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.money.facts import FactView, SourceRef
from app.money.screening import MatchView
from ui.models.roles import ANNOTATION_ID, DOCUMENT_ID

Row = TypeVar("Row")
_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


def amount_text(f: FactView) -> str:
    """The amount as a table shows it."""
    cur = f" {f.currency}" if f.currency else ""
    if f.amount is not None:
        return f"{f.amount:,.0f}{cur}"
    if f.amount_text:
        return f"{f.amount_text}{cur and f' ({f.currency})'}"
    return "—"


def date_text(f: FactView) -> str:
    """The date as stated, with its range when that says more."""
    if not f.date_text:
        return "undated"
    if f.date_start and f.date_end and f.date_start != f.date_end:
        return f"{f.date_text} ({f.date_start} – {f.date_end})"
    return f.date_text


class _RowsModel(QAbstractTableModel, Generic[Row]):
    """A read-only table over a list of rows; subclasses say what each column shows."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace every row (a new filter or a new flow: the whole list changes)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, number: int) -> Row:
        """The row object at ``number``."""
        return self._rows[number]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Qt: number of rows (a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Qt: number of columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = _DISPLAY) -> Any:
        """Qt: column titles."""
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        """Qt: a cell's text, tooltip or ids."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def cell(self, row: Row, column: int, role: int) -> Any:
        """What a cell holds for ``role``."""
        raise NotImplementedError


class PassagesModel(_RowsModel[tuple[FactView, SourceRef]]):
    """The passages behind a flow or an entity: claim, quote, document."""

    HEADERS = ("Claim", "Passage", "Document")

    def cell(self, row: tuple[FactView, SourceRef], column: int, role: int) -> Any:
        """Claim summary, quote and document title; ids for opening the passage."""
        fact, src = row
        if role == ANNOTATION_ID:
            return src.annotation_id
        if role == DOCUMENT_ID:
            return src.document_id
        if role not in (_DISPLAY, _TOOLTIP):
            return None
        if column == 0:
            return f"{fact.kind}: {fact.subject} → {fact.object}, {amount_text(fact)}"
        if column == 1:
            return src.quote if role == _TOOLTIP else " ".join(src.quote.split())
        return src.document_title or src.document_sha256[:12]


class TimelineModel(_RowsModel[FactView]):
    """Claims in date order (undated ones last)."""

    HEADERS = ("Date", "Claim", "From", "To", "Amount", "Passages")

    def cell(self, row: FactView, column: int, role: int) -> Any:
        """One claim as a timeline row."""
        if role == ANNOTATION_ID:
            return row.sources[0].annotation_id if row.sources else None
        if role == DOCUMENT_ID:
            return row.sources[0].document_id if row.sources else None
        if role == _TOOLTIP:
            return "\n\n".join(s.quote for s in row.sources)
        if role != _DISPLAY:
            return None
        return (date_text(row), row.kind, row.subject, row.object, amount_text(row),
                str(len(row.sources)))[column]


class ScreeningModel(_RowsModel[MatchView]):
    """Screening candidates with their score, listing and decision."""

    HEADERS = ("Score", "Entity", "Listed as", "Listing", "Decision")

    def cell(self, row: MatchView, column: int, role: int) -> Any:
        """One candidate."""
        if role == _TOOLTIP:
            names = ", ".join(row.listing.get("names", []))
            return f"{row.listed_name} ({row.listed_id})\n{names}\n{row.listing_summary()}"
        if role != _DISPLAY:
            return None
        decision = row.status if row.status == "pending" else \
            f"{row.status} by {row.decided_by}"
        return (f"{row.score:.2f}", row.entity_name, row.listed_name, row.listing_summary(),
                decision)[column]
