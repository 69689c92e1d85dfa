"""The documents dock: every document of the dossier; activating one opens it in the reader."""

from __future__ import annotations

import re

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QLineEdit,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ui.models import roles
from ui.models.documents import DocumentListModel

Index = QModelIndex | QPersistentModelIndex


class TwoLineDelegate(QStyledItemDelegate):
    """Rows two lines of text tall (titles wrap; the full title is the tooltip)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Two lines of the view's font, the view's width."""
        view = self.parent()
        metrics = view.fontMetrics() if isinstance(view, QWidget) else option.fontMetrics
        width = view.viewport().width() if isinstance(view, QListView) else 200
        return QSize(width, 2 * metrics.lineSpacing() + 8)


class DocumentsDock(QDockWidget):
    """Lists documents with a filter line.

    Signals: ``document_chosen(str id)`` when the investigator opens one (click or Enter).
    """

    document_chosen = Signal(str)

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__("Documents", parent)
        self.setObjectName("documents_dock")
        self.model = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.filter = QLineEdit(body)
        self.filter.setPlaceholderText("Filter documents")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_words)
        self.list = QListView(body)
        self.list.setModel(self.proxy)
        # Titles wrap onto two lines rather than being cut off; every row has the same height,
        # so a library of thousands is laid out without measuring each title.
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(TwoLineDelegate(self.list))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty_hint = QLabel("No documents yet.\nFile ▸ Import… adds PDFs, web pages "
                                 "and text files.", body)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setStyleSheet("color: palette(mid); padding: 12px;")
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_hint)
        self.setWidget(body)
        self.list.activated.connect(self._activated)
        self.list.clicked.connect(self._activated)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._update_hint)
        self._update_hint()

    def _filter_words(self, text: str) -> None:
        """Keep titles holding every word typed, in any order."""
        pattern = "".join(f"(?=.*{re.escape(word)})" for word in text.split())
        self.proxy.setFilterRegularExpression(QRegularExpression(
            pattern, QRegularExpression.PatternOption.CaseInsensitiveOption))

    def _update_hint(self) -> None:
        self.empty_hint.setVisible(self.model.rowCount() == 0)

    def _activated(self, index: QModelIndex) -> None:
        doc_id = index.data(roles.DOCUMENT_ID)
        if doc_id:
            self.document_chosen.emit(doc_id)

    def mark_open(self, document_id: str) -> None:
        """Select the row of the document now open, without emitting ``document_chosen``."""
        row = self.model.row_of(document_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row))
        self.list.setCurrentIndex(index)
