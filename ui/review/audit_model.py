"""The audit log as an item model, and a proxy filtering it by user, action, document and time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.services.audit_log import AuditEntry

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("#", "When (UTC)", "User", "Action", "Document", "What happened")
ENTRY = Qt.ItemDataRole.UserRole + 1


class AuditLogModel(QAbstractTableModel):
    """One row per audit event, oldest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[AuditEntry] = []
        self.titles: dict[str, str] = {}

    def set_entries(self, entries: list[AuditEntry], titles: dict[str, str]) -> None:
        """Show these entries; append only the new ones when the log just grew."""
        old = len(self.entries)
        if old and len(entries) >= old and entries[old - 1].hash == self.entries[-1].hash:
            self.titles = titles
            if len(entries) > old:
                self.beginInsertRows(QModelIndex(), old, len(entries) - 1)
                self.entries = list(entries)
                self.endInsertRows()
            return
        self.beginResetModel()
        self.entries, self.titles = list(entries), titles
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def document_title(self, entry: AuditEntry) -> str:
        """The title of the entry's document ('' when it concerns none)."""
        if entry.document_id is None:
            return ""
        return self.titles.get(entry.document_id, entry.document_id[:8])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        e = self.entries[index.row()]
        if role == ENTRY:
            return e
        if role == Qt.ItemDataRole.DisplayRole:
            return (e.seq, e.at[:19].replace("T", " "), e.actor, e.action,
                    self.document_title(e), e.words)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{e.words}\nevent {e.seq}, hash {e.hash}"
        return None


class AuditFilter(QSortFilterProxyModel):
    """Keeps the events matching every filter set (None or '' means any)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.user: str | None = None
        self.action: str | None = None
        self.document_id: str | None = None
        self.since = ""
        self.until = ""

    def set_filters(self, **values: Any) -> None:
        """Change some of ``user``, ``action``, ``document_id``, ``since``, ``until``."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+; invalidateRowsFilter is deprecated
            self.beginFilterChange()
            for key, value in values.items():
                setattr(self, key, value)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
            return
        for key, value in values.items():
            setattr(self, key, value)
        self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        source = self.sourceModel()
        assert isinstance(source, AuditLogModel)
        e = source.entries[row]
        if self.user and e.actor != self.user:
            return False
        if self.action and e.action != self.action and e.action.split(".", 1)[0] != self.action:
            return False
        if self.document_id and e.document_id != self.document_id:
            return False
        at = e.at.replace("T", " ")
        if self.since and at < self.since.replace("T", " "):
            return False
        return not (self.until and at[:len(self.until)] > self.until.replace("T", " "))

    def visible_entries(self) -> list[AuditEntry]:
        """The entries passing the filters, in view order."""
        return [self.data(self.index(r, 0), ENTRY) for r in range(self.rowCount())]
