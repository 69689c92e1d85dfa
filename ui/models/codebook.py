"""The codebook as a tree model: tag name with its colour, shortcut key and usage count."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from app.dossier import Dossier
from app.services import codebook
from app.services.codebook import TagInfo
from ui.models import roles

if TYPE_CHECKING:
    from ui.operations import Operations

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

COLUMNS = ("Tag", "Key", "Count")
NAME, KEY, COUNT = range(3)


@dataclass(eq=False)
class _Node:
    info: TagInfo | None  # None for the invisible root
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    count: int = 0  # annotations carrying this tag or one beneath it

    @property
    def id(self) -> str | None:
        return self.info.id if self.info else None

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class CodebookModel(QAbstractItemModel):
    """Tree of tags in codebook order. Columns: tag, shortcut key, count.

    Roles: :data:`roles.TAG_ID`, ``COLOUR``, ``COUNT``, ``SHORTCUT``, ``PATH``, ``CODABLE``.
    :meth:`refresh` re-reads the dossier and reports inserted and removed tags as row changes, so
    views keep their expanded state and selection.
    """

    def __init__(self, dossier: Dossier, parent: QObject | None = None,
                 ops: Operations | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        #: Runs the recount after annotation changes off the GUI thread (inline without it).
        self.ops = ops
        self._root = _Node(None)
        self._by_id: dict[str, _Node] = {}
        self.refresh()

    # -- reading -------------------------------------------------------------------------------
    def tags(self) -> list[TagInfo]:
        """Every tag in tree order."""
        out: list[TagInfo] = []

        def walk(node: _Node) -> None:
            for child in node.children:
                assert child.info is not None
                out.append(child.info)
                walk(child)

        walk(self._root)
        return out

    def tag(self, tag_id: str) -> TagInfo | None:
        """The tag with this id, if the codebook has it."""
        node = self._by_id.get(tag_id)
        return node.info if node else None

    def descendants(self, tag_id: str) -> set[str]:
        """``tag_id`` and the ids of every tag beneath it."""
        node = self._by_id.get(tag_id)
        out: set[str] = set()
        stack = [node] if node else []
        while stack:
            cur = stack.pop()
            if cur.id:
                out.add(cur.id)
            stack.extend(cur.children)
        return out

    def index_of(self, tag_id: str, column: int = NAME) -> QModelIndex:
        """The model index of a tag (invalid when unknown)."""
        node = self._by_id.get(tag_id)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), column, node)

    # -- Qt model interface --------------------------------------------------------------------
    def _node(self, index: Index) -> _Node:
        if not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, _Node)
        return node

    def index(self, row: int, column: int, parent: Index = _NO_INDEX) -> QModelIndex:
        """Qt: the index of a child."""
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._node(parent).children[row])

    def parent(self, index: Index = _NO_INDEX) -> QModelIndex:  # type: ignore[override]
        """Qt: the index of an item's parent."""
        if not index.isValid():
            return QModelIndex()
        up = self._node(index).parent
        if up is None or up.parent is None:
            return QModelIndex()
        return self.createIndex(up.row(), 0, up)

    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: number of children (only column 0 has children)."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802
        """Qt: tag, key, count."""
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Qt: tags are selectable; categories too (to filter by), but are not codable."""
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # dropping on the empty area: the top level
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled)

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802 (Qt's name)
        """Qt: tags are moved by dragging (the codebook editor carries the move out)."""
        return Qt.DropAction.MoveAction

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Qt: the tag's name, key, count, colour and ids by role."""
        if not index.isValid():
            return None
        node = self._node(index)
        info = node.info
        assert info is not None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == NAME:
                return info.name
            if col == KEY:
                return info.shortcut or ""
            return str(node.count) if node.count else ""
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return QColor(info.colour)
        if role == Qt.ItemDataRole.ToolTipRole:
            key = f" (key {info.shortcut})" if info.shortcut else ""
            return f"{info.path}{key}\n{info.description}".strip()
        if role == Qt.ItemDataRole.TextAlignmentRole and col != NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return {
            roles.TAG_ID: info.id, roles.COLOUR: info.colour, roles.COUNT: node.count,
            roles.SHORTCUT: info.shortcut or "", roles.PATH: info.path,
            roles.CODABLE: info.is_codable,
        }.get(role)

    # -- keeping up with the dossier -----------------------------------------------------------
    def refresh(self) -> None:
        """Re-read tags and counts; announce removals, insertions, moves and changed data."""
        with self.dossier.read() as session:
            infos = codebook.list_tags(session)
            own = codebook.usage_counts(session)
        wanted = {info.id: info for info in infos}
        self._remove_missing(self._root, wanted)
        self._insert_new(infos)
        self._reorder(infos)
        self._update_data(infos, own)

    def refresh_counts(self) -> None:
        """Re-read only the usage counts (after annotations changed).

        Counting reads every tag link of the dossier, so with ``ops`` it runs as a query (the
        latest one wins) and the counts change when it is done.
        """
        dossier = self.dossier

        def count(_op: object = None) -> dict[str, int]:
            with dossier.read() as session:
                return codebook.usage_counts(session)

        if self.ops is None:
            self._update_data(self.tags(), count())
            return
        self.ops.query(count, label="Counting tags", key="tag-counts",
                       on_done=lambda own: self._update_data(self.tags(), own))

    def _remove_missing(self, node: _Node, wanted: dict[str, TagInfo]) -> None:
        parent_index = self._index_for(node)
        for row in range(len(node.children) - 1, -1, -1):
            child = node.children[row]
            info = wanted.get(child.id or "")
            if info is None or info.parent_id != node.id:
                self.beginRemoveRows(parent_index, row, row)
                del node.children[row]
                self._forget(child)
                self.endRemoveRows()
            else:
                self._remove_missing(child, wanted)

    def _forget(self, node: _Node) -> None:
        if node.id:
            self._by_id.pop(node.id, None)
        for child in node.children:
            self._forget(child)

    def _insert_new(self, infos: list[TagInfo]) -> None:
        for info in infos:  # tree order: a parent is always inserted before its children
            if info.id in self._by_id:
                continue
            parent = self._by_id[info.parent_id] if info.parent_id else self._root
            siblings = [i.id for i in infos if i.parent_id == info.parent_id]
            before = siblings[: siblings.index(info.id)]
            row = sum(1 for c in parent.children if c.id in before)
            self.beginInsertRows(self._index_for(parent), row, row)
            node = _Node(info, parent)
            parent.children.insert(row, node)
            self._by_id[info.id] = node
            self.endInsertRows()

    def _reorder(self, infos: list[TagInfo]) -> None:
        order = {info.id: i for i, info in enumerate(infos)}
        unsorted = [n for n in [self._root, *self._by_id.values()]
                    if [c.id for c in n.children]
                    != sorted((c.id for c in n.children), key=lambda i: order[i or ""])]
        if not unsorted:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        nodes = [(self._node(i), i.column()) for i in old]
        for node in unsorted:
            node.children.sort(key=lambda c: order[c.id or ""])
        self.changePersistentIndexList(
            old, [self.createIndex(n.row(), col, n) for n, col in nodes])
        self.layoutChanged.emit()

    def _update_data(self, infos: list[TagInfo], own: dict[str, int]) -> None:
        totals: dict[str, int] = {}
        for info in reversed(infos):  # children come after parents: accumulate bottom-up
            totals[info.id] = totals.get(info.id, 0) + own.get(info.id, 0)
            if info.parent_id:
                totals[info.parent_id] = totals.get(info.parent_id, 0) + totals[info.id]
        for info in infos:
            node = self._by_id[info.id]
            if node.info != info or node.count != totals[info.id]:
                node.info = info
                node.count = totals[info.id]
                row = node.row()
                self.dataChanged.emit(self.createIndex(row, 0, node),
                                      self.createIndex(row, len(COLUMNS) - 1, node))

    def _index_for(self, node: _Node) -> QModelIndex:
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)
