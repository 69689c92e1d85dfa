"""Codable tags as a flat, checkable list (what the tag popup offers), and its type-to-filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from app.services.codebook import TagInfo
from ui.models import roles
from ui.models.filtering import change_row_filter

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()


class TagChoiceModel(QAbstractListModel):
    """Codable tags with a check box each; ``chosen()`` lists the checked ids in codebook order.

    Roles: display "Category › Tag", decoration colour, ``TAG_ID``, ``PATH``, ``SHORTCUT``,
    ``COLOUR``; ``CheckStateRole`` is editable.
    """

    def __init__(self, tags: Iterable[TagInfo] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tags: list[TagInfo] = []
        self._checked: set[str] = set()
        self.set_tags(tags)

    def set_tags(self, tags: Iterable[TagInfo], checked: Iterable[str] = ()) -> None:
        """Offer these tags (non-codable ones are left out), with ``checked`` ticked."""
        self.beginResetModel()
        self._tags = [t for t in tags if t.is_codable]
        self._checked = set(checked) & {t.id for t in self._tags}
        self.endResetModel()

    def chosen(self) -> list[str]:
        """Ids of the ticked tags, in codebook order."""
        return [t.id for t in self._tags if t.id in self._checked]

    def tag(self, row: int) -> TagInfo:
        """The tag in ``row``."""
        return self._tags[row]

    def toggle(self, row: int) -> None:
        """Tick or untick the tag in ``row``."""
        index = self.index(row)
        state = Qt.CheckState.Unchecked if self._tags[row].id in self._checked \
            else Qt.CheckState.Checked
        self.setData(index, state, Qt.ItemDataRole.CheckStateRole)

    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: one row per codable tag."""
        return 0 if parent.isValid() else len(self._tags)

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Qt: selectable and checkable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: label, colour, check state, ids."""
        if not index.isValid() or not 0 <= index.row() < len(self._tags):
            return None
        tag = self._tags[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return tag.path.replace("/", " › ")
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(tag.colour)
        if role == Qt.ItemDataRole.CheckStateRole:
            return (Qt.CheckState.Checked if tag.id in self._checked
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tag.description or tag.path
        return {roles.TAG_ID: tag.id, roles.PATH: tag.path, roles.SHORTCUT: tag.shortcut or "",
                roles.COLOUR: tag.colour}.get(role)

    def setData(self, index: Index, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Qt: tick or untick a tag."""
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        tag_id = self._tags[index.row()].id
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self._checked.add(tag_id)
        else:
            self._checked.discard(tag_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class TagChoiceFilter(QSortFilterProxyModel):
    """Keeps tags whose path contains every typed word, or whose shortcut is what was typed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""

    def set_text(self, text: str) -> None:
        """Filter by ``text``."""
        change_row_filter(self, lambda: setattr(self, "_text", text.strip()))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        """Qt: whether the tag in ``source_row`` matches what was typed."""
        if not self._text:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        path = str(model.data(index, roles.PATH)).casefold()
        if str(model.data(index, roles.SHORTCUT)).casefold() == self._text.casefold():
            return True
        return all(word in path for word in self._text.casefold().split())
