"""The status bar: open document, page, selection length, number of annotations."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.services.documents import DocumentView as DocumentInfo
from ui.models.documents import KIND_LABELS
from ui.views.base import DocumentView

TITLE_CHARS = 60


class StatusBar(QStatusBar):
    """Permanent fields for the document, page, selection and count; messages on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QLabel(self)
        self.page = QLabel(self)
        self.selection = QLabel(self)
        self.count = QLabel(self)
        for label in (self.document, self.page, self.selection, self.count):
            label.setTextFormat(Qt.TextFormat.PlainText)  # titles are imported text
        for label in (self.document, self.page, self.selection, self.count):
            label.setContentsMargins(6, 0, 6, 0)
            self.addPermanentWidget(label)
        self._pages = 0
        self._total = 0
        #: How many annotations the list shows through its filter (None: no filter to ask).
        self.shown_count: Callable[[], int] | None = None
        self.show_document(None, 0)

    def show_document(self, doc: DocumentInfo | None, annotations: int) -> None:
        """Name the open document (or none) and its number of annotations."""
        if doc is None:
            self.document.setText("No document open")
            self._pages = 0
        else:
            title = doc.title or doc.filename
            if len(title) > TITLE_CHARS:
                title = title[: TITLE_CHARS - 1] + "…"
            self.document.setText(f"{title} ({KIND_LABELS.get(doc.kind, doc.kind)})")
            self.document.setToolTip(doc.title)
            self._pages = doc.pages if doc.kind in ("pdf", "image") else 0
        self.page.setVisible(self._pages > 0)
        self.show_page(1 if self._pages else 0)
        self.show_selection(0)
        self.show_count(annotations)

    def show_page(self, number: int) -> None:
        """"Page 3 of 15" for PDFs."""
        self.page.setText(f"Page {number} of {self._pages}" if self._pages and number else "")

    def show_selection(self, length: int, view: DocumentView | None = None,
                       start: int = -1) -> None:
        """The selection's length in characters; in a PDF, move the page to where it starts."""
        self.selection.setText(f"{length:,} characters selected" if length else "No selection")
        page_of = getattr(view, "page_of", None)
        if length and start >= 0 and callable(page_of):
            self.show_page(int(page_of(start)))

    def show_count(self, annotations: int) -> None:
        """Number of annotations in the open document ("3 of 7 shown" while the list filters)."""
        self._total = annotations
        shown = self.shown_count() if self.shown_count is not None else annotations
        text = f"{annotations} annotation{'s' if annotations != 1 else ''}"
        if shown != annotations:
            text = f"{shown} of {text} shown"
        self.count.setText(text)

    def refresh_count(self) -> None:
        """Show the count again (after the list's filter changed)."""
        self.show_count(self._total)
