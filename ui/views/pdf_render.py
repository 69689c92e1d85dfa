"""Rendering PDF pages off the GUI thread with pypdfium2, and keeping the results.

PDFium is not thread-safe, not even across different documents, so every call into it made by
Dossier's views goes through :data:`PDFIUM_LOCK` and rendering runs on one shared thread. A view
asks for the pages it shows (most wanted first); asking again replaces the earlier wish, so
pages scrolled past are never rendered. Images come back on the GUI thread through
:attr:`PageRenderer.signals`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from app.pdfium_lock import PDFIUM_LOCK  # held around every PDFium call in this process

#: Rendered pages kept per view, in bytes of image memory.
CACHE_BYTES = 192 * 1024 * 1024

_pool: QThreadPool | None = None


def rendering_pool() -> QThreadPool:
    """The one-thread pool every page view renders on."""
    global _pool  # noqa: PLW0603 (one pool per process, made on first use)
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class RenderSignals(QObject):
    """Signals: ``rendered(int page, float scale, QImage image)``, ``failed(int page, str why)``."""

    rendered = Signal(int, float, QImage)
    failed = Signal(int, str)


def render_page(document: Any, number: int, scale: float) -> QImage:
    """Page ``number`` (1-based) as displayed (honouring /Rotate), ``scale`` pixels per point.

    The caller holds :data:`PDFIUM_LOCK`.
    """
    page = document[number - 1]
    try:
        bitmap = page.render(scale=scale, prefer_bgrx=True, draw_annots=True)
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGB32).copy()
        bitmap.close()
    finally:
        page.close()
    return image


def open_pages(path: str, password: str | None) -> Any:
    """The PDFium document showing a PDF original, or an image original's pages.

    The caller holds :data:`PDFIUM_LOCK`.
    """
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:
        return pdfium.PdfDocument(path, password=password)
    from app.importers.image import image_pdf

    return pdfium.PdfDocument(image_pdf(Path(path).read_bytes()))


class PageRenderer:
    """Renders the pages of one PDF file, most wanted first, on the rendering thread."""

    def __init__(self, path: Path | str, password: str | None = None) -> None:
        self.path = str(path)
        self.password = password
        #: Connect to these; they are delivered on the GUI thread.
        self.signals = RenderSignals()
        self._lock = threading.Lock()
        self._wanted: list[tuple[int, float]] = []
        self._current: tuple[int, float] | None = None
        self._running = False
        self._closed = False
        self._document: Any = None  # opened on the rendering thread, under PDFIUM_LOCK
        self._idle = threading.Event()
        self._idle.set()

    def request(self, pages: list[tuple[int, float]]) -> None:
        """Render these (page, scale) pairs in order, instead of whatever was asked before."""
        with self._lock:
            if self._closed:
                return
            self._wanted = [p for p in pages if p != self._current]
            if self._running or not self._wanted:
                return
            self._running = True
            self._idle.clear()
        rendering_pool().start(self._work)

    def close(self, wait: float = 5.0) -> None:
        """Stop rendering and close the file, waiting up to ``wait`` seconds for a page being
        rendered right now (safe to call twice)."""
        with self._lock:
            self._closed = True
            self._wanted = []
        self._idle.wait(wait)
        self._close_document()

    def _close_document(self) -> None:
        with PDFIUM_LOCK:
            if self._document is not None:
                self._document.close()
                self._document = None

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._wanted:
                    self._running = False
                    self._current = None
                    self._idle.set()
                    break
                self._current = self._wanted.pop(0)
            number, scale = self._current
            try:
                with PDFIUM_LOCK:
                    if self._document is None:
                        self._document = open_pages(self.path, self.password)
                    image = render_page(self._document, number, scale)
            except Exception as exc:  # noqa: BLE001 (any PDFium failure is shown on the page)
                self.signals.failed.emit(number, str(exc) or type(exc).__name__)
            else:
                self.signals.rendered.emit(number, scale, image)


class PageCache:
    """Rendered pages, the least recently used dropped beyond :data:`CACHE_BYTES`."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._images: OrderedDict[int, tuple[float, QImage]] = OrderedDict()
        self._bytes = 0

    def get(self, number: int) -> tuple[float, QImage] | None:
        """The (scale, image) of page ``number``, if rendered at any scale."""
        entry = self._images.get(number)
        if entry is not None:
            self._images.move_to_end(number)
        return entry

    def put(self, number: int, scale: float, image: QImage) -> None:
        """Keep ``image`` as page ``number`` rendered at ``scale``."""
        old = self._images.pop(number, None)
        if old is not None:
            self._bytes -= old[1].sizeInBytes()
        self._images[number] = (scale, image)
        self._bytes += image.sizeInBytes()
        while self._bytes > self.limit and len(self._images) > 1:
            _n, (_s, dropped) = self._images.popitem(last=False)
            self._bytes -= dropped.sizeInBytes()

    def clear(self) -> None:
        """Forget every page."""
        self._images.clear()
        self._bytes = 0
