"""The page view: a PDF's pages as printed, with selection and highlights on the characters.

Selecting is done on the stored character boxes, never on pixels: a drag selects from the
character nearest the press to the character nearest the mouse, in the canonical text's order,
so the selection is exactly a range of the text that annotations are made of.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QHelpEvent,
    QKeySequence,
    QPainter,
    QShortcut,
)
from PySide6.QtWidgets import QWidget

from app.importers.ocr import low_confidence_ranges
from app.regions import Region
from app.services.annotations import AnnotationView
from app.services.documents import PageGeometry, page_geometry
from ui import dialogs
from ui.views.base import (
    FLASH_MS,
    DocumentView,
    assign_lanes,
    show_annotation_tooltip,
    trim_whitespace,
)
from ui.views.pdf_canvas import PageCanvas
from ui.views.pdf_geometry import PageText
from ui.views.pdf_layout import MAX_ZOOM, MIN_ZOOM
from ui.views.pdf_mouse import SelectionGestures
from ui.views.pdf_overlay import HighlightLayer, PageOverlay
from ui.views.pdf_regions import RegionTool
from ui.views.pdf_render import PageRenderer

#: Zoom steps of Ctrl+wheel and zoom_in/zoom_out.
ZOOM_STEP = 1.15
FIT_WIDTH = "fit-width"
FIT_PAGE = "fit-page"


class PdfPageView(DocumentView):
    """Rendered PDF pages in a continuous scroll, with text selection on the character boxes.

    Signals: those of :class:`DocumentView`, and ``current_page_changed(int number)``,
    ``zoom_changed(float factor)``.

    Page numbers are 1-based. Positions in page points have the origin at the top-left corner of
    the page as displayed. Ctrl+C copies the selected passage.

    Pages are rendered on a worker thread and arrive through the event loop;
    ``canvas.shown_pages()`` tells which pages are painted from their image. The worker needs
    Python's GIL, which ``QTest.qWait`` holds: tests wait with ``qtbot.wait``/``waitUntil``.
    """

    current_page_changed = Signal(int)
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._asked_password = False
        self.canvas = PageCanvas(self)
        self._set_content(self.canvas)
        self.setFocusProxy(self.canvas)
        self.canvas.overlay = self._paint_overlay
        self.gestures = SelectionGestures(self)
        self.canvas.mouse_handler = self.gestures
        self.canvas.context_menu.connect(self.context_menu_requested)
        self.canvas.zoom_requested.connect(
            lambda steps, anchor: self._zoom_to(self.zoom() * ZOOM_STEP**steps, anchor))
        self.canvas.resized.connect(self._refit)
        self.canvas.scrolled.connect(self._scrolled)
        self.canvas.viewport().installEventFilter(self)
        copy = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self)
        copy.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.activated.connect(self.copy_selection)
        self._pages: list[PageGeometry] = []
        self._page_starts: list[int] = []
        self._texts: dict[int, PageText] = {}
        #: Ctrl+drag draws a region to tag (:mod:`ui.views.pdf_regions`).
        self.regions = RegionTool(self)
        self._doubtful: dict[int, list[tuple[int, int]]] = {}
        self._renderer: PageRenderer | None = None
        self._zoom = 1.0
        self._zoom_mode: str | None = FIT_WIDTH
        self._selection: tuple[int, int] | None = None
        self._current_id: str | None = None
        self._lanes: dict[str, int] = {}
        self._on_page: dict[int, list[AnnotationView]] = {}
        self._layers: dict[int, HighlightLayer] = {}
        self._marked: set[int] = set()
        self._sorted: list[AnnotationView] = []
        self._match_starts: list[int] = []
        self._current_page = 0
        self._flash: tuple[int, int] | None = None
        self._flash_left = 0.0
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(60)
        self._flash_timer.timeout.connect(self._flash_tick)

    # -- loading -----------------------------------------------------------------------------
    def _load_content(self) -> None:
        assert self.dossier is not None and self.document is not None
        self.release()
        self._pages = page_geometry(self.dossier, self.document.id)
        self._page_starts = [p.start for p in self._pages]
        self._texts = {}
        self._doubtful = {}
        self._selection = None
        self._on_page = {}
        self._layers = {}
        self._sorted = []
        self._current_id = None
        self._asked_password = False
        self._start_renderer(self.dossier.passwords.get(self.document.sha256))
        self._apply_zoom()
        self.canvas.verticalScrollBar().setValue(0)

    def _start_renderer(self, password: str | None) -> None:
        assert self.dossier is not None and self.document is not None
        self._renderer = PageRenderer(self.dossier.originals.path_for(self.document.sha256),
                                      password)
        self.destroyed.connect(self._renderer.close)
        self._renderer.signals.failed.connect(self._render_failed)
        self.canvas.set_pages([(p.width, p.height) for p in self._pages], self._renderer)

    def _render_failed(self, _number: int, why: str) -> None:
        """An encrypted PDF whose password this session does not know: ask once for it."""
        if self._asked_password or "password" not in why.lower():
            return
        assert self.dossier is not None and self.document is not None
        self._asked_password = True
        password = dialogs.ask_text(
            self, "Password needed",
            f"{self.document.title} is encrypted. Its password, to show the pages:",
            password=True)
        if password:
            self.dossier.passwords[self.document.sha256] = password
            self._start_renderer(password)
            self._apply_zoom()

    def release(self) -> None:
        """Stop the page renderer and close the PDF file."""
        if self._renderer is not None:
            self._renderer.close()

    def page_count(self) -> int:
        """Number of pages."""
        return len(self._pages)

    def page_text(self, number: int) -> PageText:
        """Hit-testing and drawing geometry of page ``number`` (built on first use)."""
        text = self._texts.get(number)
        if text is None:
            page = self._pages[number - 1]
            text = PageText(page, self.text[page.start:page.end])
            self._texts[number] = text
        return text

    def page_of(self, offset: int) -> int:
        """Number of the page holding (or, between pages, following) text ``offset``."""
        index = max(0, bisect_right(self._page_starts, offset) - 1)
        if index < len(self._pages) - 1 and offset >= self._pages[index].end:
            index += 1
        return index + 1

    # -- mapping (public, for tests and tools) -------------------------------------------------
    def page_point_to_viewport(self, number: int, x: float, y: float) -> QPoint:
        """Viewport pixel (of ``canvas.viewport()``) showing point (x, y) of page ``number``."""
        return self.canvas.page_to_viewport(number - 1, x, y).toPoint()

    def viewport_to_page_point(self, pos: QPointF | QPoint) -> tuple[int, float, float] | None:
        """(page number, x, y in points) under a viewport position; None without pages."""
        hit = self.canvas.viewport_to_page(QPointF(pos))
        return None if hit is None else (hit[0] + 1, hit[1], hit[2])

    def offset_at(self, pos: QPointF | QPoint) -> int | None:
        """Text offset of the printed character nearest to a viewport position."""
        hit = self.viewport_to_page_point(pos)
        if hit is None:
            return None
        return self.page_text(hit[0]).nearest(hit[1], hit[2])

    def range_rects(self, start: int, end: int) -> list[tuple[int, QRectF]]:
        """(page number, rectangle in page points) covering the printed characters of a range."""
        result: list[tuple[int, QRectF]] = []
        if start >= end or not self._pages:
            return result
        for number in range(self.page_of(start), self.page_of(max(start, end - 1)) + 1):
            for x0, top, x1, bottom in self.page_text(number).rects(start, end):
                result.append((number, QRectF(x0, top, x1 - x0, bottom - top)))
        return result

    def highlight_rects(self, annotation_id: str) -> list[tuple[int, QRectF]]:
        """Where the highlight of one annotation is drawn: (page number, rect in page points)."""
        ann = self._annotations.get(annotation_id)
        return [] if ann is None else self.range_rects(ann.start, ann.end)

    # -- painting ----------------------------------------------------------------------------
    def highlighted_pages(self) -> set[int]:
        """Numbers of the pages painted with their highlights (if any) since the annotations
        were last set or changed."""
        return set(self._marked)

    def _annotations_on(self, number: int) -> list[AnnotationView]:
        found = self._on_page.get(number)
        if found is None:
            page = self._pages[number - 1]
            found = [a for a in self._sorted
                     if a.start < page.end and a.end > page.start and a.region is None]
            self._on_page[number] = found
        return found

    def _paint_overlay(self, painter: QPainter, index: int) -> None:
        number = index + 1
        page = self._pages[index]
        self._marked.add(number)
        annotations = self._annotations_on(number)
        doubtful = self._low_confidence(number)
        framed = self.regions.on_page(self._sorted, number)
        pending = self.regions.pending is not None and self.regions.pending.page == number
        if not (annotations or self._matches or self._selection or self._flash or doubtful
                or framed or pending):
            return
        texts = self.page_text(number)
        overlay = PageOverlay(painter, texts.rects)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        overlay.low_confidence(doubtful)
        if annotations:
            layer = self._layers.get(number)
            if layer is None:  # laid out once per page until the annotations change
                layer = self._layers[number] = HighlightLayer(annotations, self._lanes,
                                                              texts.rects)
            layer.paint(painter, self._current_id)
        overlay.matches(self._match_starts, self._matches, self._match_index, page.start, page.end)
        if self._selection:
            overlay.selection(*self._selection)
        if self._flash:
            overlay.flash(*self._flash, self._flash_left)
        self.regions.paint(painter, number, framed, self._current_id)

    def _low_confidence(self, number: int) -> list[tuple[int, int]]:
        """Document ranges of words OCR recognised with low confidence on page ``number``."""
        found = self._doubtful.get(number)
        if found is None:
            page = self._pages[number - 1]
            found = [(page.start + s, page.start + e) for s, e in
                     low_confidence_ranges(page.end - page.start, page.confidence)]
            self._doubtful[number] = found
        return found

    def _annotations_changed(self) -> None:
        self._sorted = self.annotations()
        self._lanes = assign_lanes(self._sorted)
        self._on_page = {}
        self._layers = {}
        self._marked = set()
        self.canvas.viewport().update()

    def _show_matches(self, matches: list[tuple[int, int]], current: int) -> None:
        self._match_starts = [s for s, _e in matches]
        self.canvas.viewport().update()

    # -- selection ---------------------------------------------------------------------------
    def selected_range(self) -> tuple[int, int] | None:
        """The selected code-point range (whitespace trimmed), or None."""
        return self._selection

    def select_range(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (trimmed of surrounding whitespace)."""
        start, end = trim_whitespace(self.text, start, end)
        self._set_selection((start, end) if start < end else None)

    def clear_selection(self) -> None:
        """Deselect (emits ``selection_changed(-1, -1)`` if something was selected)."""
        self._set_selection(None)
        if self.regions.pending is not None:
            self.regions.clear()

    def selected_region(self) -> Region | None:
        """The rectangle drawn with Ctrl+drag and not yet tagged, if any."""
        return self.regions.pending

    def region_text_range(self, region: Region) -> tuple[int, int]:
        """Document offsets of the text inside a region (empty at its page's start if none)."""
        return self.regions.text_range(region)

    def page_geometries(self) -> list[PageGeometry]:
        """The stored geometry of every page."""
        return self._pages

    def selected_text(self) -> str:
        """The selected passage of the canonical text."""
        return self.text[self._selection[0]:self._selection[1]] if self._selection else ""

    def copy_selection(self) -> None:
        """Put the selected passage on the clipboard."""
        if self._selection:
            QGuiApplication.clipboard().setText(self.selected_text())

    def _set_selection(self, selection: tuple[int, int] | None) -> None:
        if selection != self._selection:
            self._selection = selection
            self.canvas.viewport().update()
            self.selection_changed.emit(*(selection or (-1, -1)))

    def annotations_under(self, pos: QPointF | QPoint) -> list[AnnotationView]:
        """Annotations whose highlight is under a viewport position, shortest first."""
        hit = self.viewport_to_page_point(pos)
        if hit is None:
            return []
        number, x, y = hit
        found = []
        texts = self.page_text(number)
        for ann in self._annotations_on(number):
            for x0, top, x1, bottom in texts.rects(ann.start, ann.end):
                if x0 - 1 <= x <= x1 + 1 and top - 1 <= y <= bottom + 1:
                    found.append(ann)
                    break
        found += self.regions.hits(self._sorted, number, x, y)
        return sorted(found, key=lambda a: a.end - a.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (watched is self.canvas.viewport() and event.type() == QEvent.Type.ToolTip
                and isinstance(event, QHelpEvent)):
            show_annotation_tooltip(event.globalPos(), self.annotations_under(event.pos()),
                                    self.canvas)
            return True
        return super().eventFilter(watched, event)

    # -- navigation --------------------------------------------------------------------------
    def current_page(self) -> int:
        """Number of the page at the reading line (a third down the view)."""
        if not self._pages:
            return 0
        top = self.canvas.verticalScrollBar().value() + self.canvas.viewport().height() / 3
        return self.canvas.layout_.page_at(top) + 1

    def go_to_page(self, number: int) -> None:
        """Scroll so page ``number`` starts at the top of the view."""
        if not self._pages:
            return
        number = max(1, min(len(self._pages), number))
        _x, y, _w, _h = self.canvas.layout_.page_rect(number - 1)
        self.canvas.verticalScrollBar().setValue(round(y) - 8)

    def next_page(self) -> None:
        """Go to the page after the current one."""
        self.go_to_page(self.current_page() + 1)

    def previous_page(self) -> None:
        """Go to the page before the current one."""
        self.go_to_page(self.current_page() - 1)

    def _scrolled(self) -> None:
        page = self.current_page()
        if page != self._current_page:
            self._current_page = page
            self.current_page_changed.emit(page)

    def reveal(self, start: int, end: int, flash: bool = True) -> None:
        """Scroll so that ``[start, end)`` is in view; flash it briefly when ``flash``."""
        if not self._pages:
            return
        rects = self.range_rects(start, end)
        if rects:
            number, rect = rects[0]
            top_left = self.canvas.page_to_viewport(number - 1, rect.left(), rect.top())
            bottom = self.canvas.page_to_viewport(number - 1, rect.right(), rect.bottom())
            view = self.canvas.viewport().rect()
            if top_left.y() < 0 or bottom.y() > view.height():
                bar = self.canvas.verticalScrollBar()
                bar.setValue(bar.value() + round(top_left.y() - view.height() * 0.3))
            if top_left.x() < 0 or bottom.x() > view.width():
                bar = self.canvas.horizontalScrollBar()
                bar.setValue(bar.value() + round(top_left.x() - 24))
        else:
            self.go_to_page(self.page_of(start))
        if flash:
            self._flash = (start, end)
            self._flash_left = 1.0
            self._flash_timer.start()
        self.canvas.viewport().update()

    def _flash_tick(self) -> None:
        self._flash_left -= self._flash_timer.interval() / FLASH_MS
        if self._flash_left <= 0:
            self._flash = None
            self._flash_timer.stop()
        self.canvas.viewport().update()

    def select_annotation(self, annotation_id: str | None) -> None:
        """Outline one highlight as the current one (None: none) and reveal it."""
        self._current_id = annotation_id
        ann = self._annotations.get(annotation_id or "")
        if ann is not None:
            self.reveal(ann.start, ann.end, flash=False)
        self.canvas.viewport().update()

    def _reading_position(self) -> int:
        return self._pages[self.current_page() - 1].start if self._pages else 0

    # -- zoom --------------------------------------------------------------------------------
    def set_zoom(self, zoom: float | str) -> None:
        """Zoom to a factor (1.0 = 100 %: printed size) or to ``"fit-width"``/``"fit-page"``."""
        if isinstance(zoom, str):
            if zoom not in (FIT_WIDTH, FIT_PAGE):
                raise ValueError(f"zoom must be a factor, {FIT_WIDTH!r} or {FIT_PAGE!r}")
            self._zoom_mode = zoom
        else:
            self._zoom_mode = None
            self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, float(zoom)))
        self._apply_zoom()

    def zoom(self) -> float:
        """The current zoom factor (1.0 = 100 %)."""
        return self._zoom

    def zoom_mode(self) -> str | None:
        """``"fit-width"`` or ``"fit-page"`` while fitting, else None."""
        return self._zoom_mode

    def zoom_in(self) -> None:
        """One step larger."""
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        """One step smaller."""
        self.set_zoom(self._zoom / ZOOM_STEP)

    def _points_to_pixels(self) -> float:
        return self.logicalDpiX() / 72.0

    def _apply_zoom(self, anchor: QPoint | None = None) -> None:
        viewport = self.canvas.viewport()
        layout = self.canvas.layout_
        if self._zoom_mode == FIT_WIDTH:
            self._zoom = layout.fit_width_scale(viewport.width()) / self._points_to_pixels()
        elif self._zoom_mode == FIT_PAGE:
            index = max(0, self.current_page() - 1)
            scale = layout.fit_page_scale(viewport.width(), viewport.height(), index)
            self._zoom = scale / self._points_to_pixels()
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, self._zoom))
        scale = self._zoom * self._points_to_pixels()
        if abs(scale - layout.pixels_per_point) > 1e-9 or anchor is not None:
            self.canvas.set_scale(scale, anchor)
            self.zoom_changed.emit(self._zoom)

    def _zoom_to(self, zoom: float, anchor: QPoint) -> None:
        self._zoom_mode = None
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._apply_zoom(anchor)

    def _refit(self) -> None:
        if self._zoom_mode is not None:
            self._apply_zoom()
