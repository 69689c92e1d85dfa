"""Where you were, per document: the page, scroll position, zoom and view mode.

Saved when a document leaves the reader (another is opened, or the window closes) and put
back when it is opened again, in this session or after a restart. Kept with the window state
(not a preference): a JSON map from document id to position.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from ui.settings import DEFAULT_ZOOM, PDF_VIEW_MODE, READING_POSITIONS, Settings
from ui.views.base import DocumentView

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Positions kept at most (the oldest are forgotten first).
KEEP = 2000


def capture(view: DocumentView, mode: str) -> dict[str, Any]:
    """The reading position of ``view``."""
    from ui.views.pdf_view import PdfPageView

    position: dict[str, Any] = {"mode": mode, "zoom": view.zoom()}
    if isinstance(view, PdfPageView):
        position["page"] = view.current_page()
        position["scroll"] = view.canvas.verticalScrollBar().value()
        position["fit"] = view.zoom_mode()
    else:
        position["offset"] = view.reading_position()
    return position


def restore(view: DocumentView, position: dict[str, Any]) -> None:
    """Put ``view`` back at ``position`` (zoom first, then the scroll position)."""
    from ui.views.pdf_view import PdfPageView
    from ui.views.text_view import TextView

    fit = position.get("fit")
    view.set_zoom(fit if isinstance(fit, str) else float(position.get("zoom", 1.0)))
    if isinstance(view, PdfPageView):
        bar = view.canvas.verticalScrollBar()
        bar.setValue(int(position.get("scroll", 0)))
        page = int(position.get("page", 0))
        if page and view.current_page() != page:
            view.go_to_page(page)
    elif isinstance(view, TextView):
        offset = int(position.get("offset", 0))
        if offset > 0:
            view.editor.scroll_to_position(view.utf16_range(offset, offset)[0], 0.0)


class ReadingPositions(QObject):
    """Saves and restores reading positions for one main window."""

    def __init__(self, window: MainWindow, settings: Settings) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._positions: dict[str, dict[str, Any]] = self._load()
        window.document_closing.connect(self.save)
        window.document_opened.connect(self.put_back)

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.settings.get(READING_POSITIONS))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def position(self, document_id: str) -> dict[str, Any] | None:
        """The saved position of a document, if any."""
        return self._positions.get(document_id)

    def save(self, document_id: str) -> None:
        """Remember where the reader is in ``document_id`` (called as it leaves the reader)."""
        view = self.window.view
        if view is None or view.document is None or view.document.id != document_id:
            return
        mode = self.settings.get(PDF_VIEW_MODE) if view.document.kind == "pdf" else "text"
        self._positions.pop(document_id, None)
        self._positions[document_id] = capture(view, mode)
        while len(self._positions) > KEEP:
            self._positions.pop(next(iter(self._positions)))
        self.settings.set(READING_POSITIONS, json.dumps(self._positions))
        self.settings.store.sync()

    def put_back(self, document_id: str) -> None:
        """Restore the saved position (or the default zoom) once the view is laid out."""
        view = self.window.view
        if view is None or view.document is None:
            return
        saved = self._positions.get(document_id)
        if saved is None:
            zoom = self.settings.get(DEFAULT_ZOOM)
            if zoom != 1.0:
                view.set_zoom(zoom)
            return
        mode = saved.get("mode")
        if view.document.kind == "pdf" and mode in ("page", "text") \
                and mode != self.settings.get(PDF_VIEW_MODE):
            self.window.set_pdf_mode(mode)  # reopens the document, which comes back here
            return
        restore(view, saved)
        # The first layout may still change scroll ranges; apply once more when it has settled.
        QTimer.singleShot(0, lambda: self._again(view, saved))

    def _again(self, view: DocumentView, saved: dict[str, Any]) -> None:
        if self.window.view is view:
            restore(view, saved)
