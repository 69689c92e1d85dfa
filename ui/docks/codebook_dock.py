"""The codebook dock: the tag tree with colours, shortcut keys and counts."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QHeaderView, QTreeView, QWidget

from ui.models import roles
from ui.models.codebook import COUNT, KEY, NAME, CodebookModel


class CodebookDock(QDockWidget):
    """Shows the codebook; double-click or Enter on a code applies it.

    Signals: ``tag_activated(str tag_id)``.
    """

    tag_activated = Signal(str)

    def __init__(self, model: CodebookModel, parent: QWidget | None = None) -> None:
        super().__init__("Codebook", parent)
        self.setObjectName("codebook_dock")
        self.model = model
        self.tree = QTreeView(self)
        self.tree.setModel(model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setRootIsDecorated(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        # Fixed widths: resizing to contents would re-measure every row on each count change.
        metrics = self.tree.fontMetrics()
        for column, sample in ((KEY, "Key"), (COUNT, "Count")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 18)
        self.tree.expandAll()
        model.rowsInserted.connect(lambda parent, *_: self.tree.expand(parent))
        self.tree.activated.connect(self._activated)
        self.setWidget(self.tree)

    def _activated(self, index: QModelIndex) -> None:
        if index.data(roles.CODABLE):
            self.tag_activated.emit(index.data(roles.TAG_ID))
