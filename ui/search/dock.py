"""The search dock (Ctrl+Shift+F): type, see results as you type, open one at its passage.

Each keystroke restarts a short timer; when it fires the search runs as a query of
:mod:`ui.operations` (a newer search supersedes an older one), so typing never waits on the
database. What the user types is always a valid query (:mod:`app.search_query`).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.dossier import Dossier
from app.services import search as search_service
from app.services.annotations import STATUSES
from app.services.search import SearchResult
from ui.models.codebook import CodebookModel
from ui.operations import Operations
from ui.search.delegate import ResultDelegate
from ui.search.model import RESULT_ROLE, SearchResultsModel
from ui.window_timers import stop_with_window

#: Pause after the last keystroke before searching.
TYPING_PAUSE_MS = 150
RESULT_LIMIT = 100


class SearchDock(QDockWidget):
    """Search box, filters and results.

    Signals: ``result_chosen(object result, str query)`` when a result is opened;
    ``searched(int count)`` after each search delivers.
    """

    result_chosen = Signal(object, str)
    searched = Signal(int)

    def __init__(self, dossier: Dossier, ops: Operations, codebook: CodebookModel,
                 parent: QWidget | None = None) -> None:
        super().__init__("Search", parent)
        self.setObjectName("search_dock")
        self.dossier = dossier
        self.ops = ops
        self.codebook = codebook
        self.document_id: str | None = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.box = QLineEdit(body)
        self.box.setPlaceholderText('Search texts, passages and notes — "a phrase", prefix*')
        self.box.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        self.tag = QComboBox(body)
        self.tag.setToolTip("Only passages with this tag (or a sub-tag)")
        self.status = QComboBox(body)
        self.status.addItem("Any status", "")
        for status in STATUSES:
            self.status.addItem(status.replace("_", " ").capitalize(), status)
        self.author = QLineEdit(body)
        self.author.setPlaceholderText("Author")
        self.author.setToolTip("Only passages highlighted by this person")
        self.this_document = QCheckBox("This document", body)
        for widget in (self.tag, self.status, self.author, self.this_document):
            filters.addWidget(widget)
        self.summary = QLabel(body)
        self.summary.setStyleSheet("color: palette(placeholder-text);")
        self.model = SearchResultsModel(self)
        self.results = QListView(body)
        self.results.setModel(self.model)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.box)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.search_now)
        stop_with_window(parent, self._timer)
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self._open_first)
        self.author.textChanged.connect(lambda _t: self._timer.start())
        self.tag.currentIndexChanged.connect(lambda _i: self.search_now())
        self.status.currentIndexChanged.connect(lambda _i: self.search_now())
        self.this_document.toggled.connect(lambda _c: self.search_now())
        self.results.activated.connect(self._activated)
        self.results.clicked.connect(self._activated)
        self.fill_tags()

    def fill_tags(self) -> None:
        """Offer every tag of the codebook as a filter (keeping the current choice)."""
        current = self.tag.currentData()
        self.tag.blockSignals(True)
        self.tag.clear()
        self.tag.addItem("Any tag", "")
        for info in self.codebook.tags():
            self.tag.addItem("    " * info.depth + info.name, info.path)
        found = self.tag.findData(current)
        self.tag.setCurrentIndex(max(found, 0))
        self.tag.blockSignals(False)

    def focus_box(self) -> None:
        """Show the dock and put the cursor in the search box."""
        self.show()
        self.raise_()
        self.box.setFocus()
        self.box.selectAll()

    def set_document(self, document_id: str | None) -> None:
        """The document open in the reader (for "This document")."""
        self.document_id = document_id
        if self.this_document.isChecked():
            self.search_now()

    def search_now(self) -> None:
        """Run the search for what is typed now, with the filters set."""
        self._timer.stop()
        text = self.box.text()
        tag = self.tag.currentData() or None
        status = self.status.currentData() or None
        author = self.author.text().strip() or None
        document_id = self.document_id if self.this_document.isChecked() else None

        def work(_op: object) -> list[SearchResult]:
            return search_service.search(
                self.dossier, text, document_id=document_id, tag=tag, status=status,
                author=author, limit=RESULT_LIMIT, as_you_type=True)

        self.ops.query(work, label="Searching", key="search",
                       on_done=lambda results: self._show(text, results))

    def _show(self, text: str, results: list[SearchResult]) -> None:
        self.model.set_results(text, results)
        if not text.strip():
            self.summary.setText("")
        elif not results:
            self.summary.setText("No matches")
        else:
            more = "+" if len(results) >= RESULT_LIMIT else ""
            self.summary.setText(f"{len(results)}{more} match{'es' if len(results) != 1 else ''}")
        self.searched.emit(len(results))

    def _activated(self, index: QModelIndex) -> None:
        hit = index.data(RESULT_ROLE)
        if isinstance(hit, SearchResult):
            self.result_chosen.emit(hit, self.model.query)

    def _open_first(self) -> None:
        self.search_now()
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0))
            self._activated(self.model.index(0))
