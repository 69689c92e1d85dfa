"""The scrolling surface of the page view: pages laid out, painted from rendered images, zoomed.

The canvas knows where pages are and what they look like; what a mouse gesture means and what is
drawn over a page (highlights, selection, find matches) is decided by the page view, which
installs an overlay painter and listens to the mouse signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QWidget

from ui.views.pdf_layout import PageLayout
from ui.views.pdf_render import PageCache, PageRenderer

DESK_COLOUR = QColor("#e9e9ec")
PAPER_COLOUR = QColor("#ffffff")
SHADOW_COLOUR = QColor(0, 0, 0, 40)

#: Draws over one page; the painter is in that page's points (top-left origin).
OverlayPainter = Callable[[QPainter, int], None]


class MouseHandler(Protocol):
    """What the canvas tells about the mouse (positions in viewport pixels)."""

    def mouse_press(self, event: QMouseEvent) -> None:
        """A button went down."""

    def mouse_move(self, event: QMouseEvent) -> None:
        """The mouse moved (with or without a button down)."""

    def mouse_release(self, event: QMouseEvent) -> None:
        """A button went up."""

    def mouse_double_click(self, event: QMouseEvent) -> None:
        """A double click."""


class PageCanvas(QAbstractScrollArea):
    """Pages stacked in a scrolling area; rendered lazily, only where they are seen.

    Mouse presses, moves, releases and double clicks go to ``mouse_handler`` (the page view).

    Signals: ``context_menu(QPoint global_pos)``, ``zoom_requested(int steps, QPoint anchor)`` on
    Ctrl+wheel (anchor in viewport pixels), ``scrolled()``, ``resized()``.
    """

    context_menu = Signal(QPoint)
    resized = Signal()
    zoom_requested = Signal(int, QPoint)
    scrolled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Always there, so fitting the width does not make it appear and the page overflow.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.layout_ = PageLayout([])
        self.cache = PageCache()
        self.renderer: PageRenderer | None = None
        self.overlay: OverlayPainter | None = None
        self.mouse_handler: MouseHandler | None = None
        self.failures: dict[int, str] = {}
        self._shown: set[int] = set()
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)

    def set_pages(self, sizes: list[tuple[float, float]], renderer: PageRenderer | None) -> None:
        """Show pages of these sizes (points), rendered by ``renderer``."""
        if self.renderer is not None:
            self.renderer.close()
        self.renderer = renderer
        self.cache.clear()
        self.failures.clear()
        self._shown.clear()
        self.layout_ = PageLayout(sizes)
        if renderer is not None:
            renderer.signals.rendered.connect(self._page_rendered)
            renderer.signals.failed.connect(self._page_failed)
        self.set_scale(self.layout_.pixels_per_point)

    # -- geometry ----------------------------------------------------------------------------
    def scroll_offset(self) -> QPointF:
        """Content pixel at the viewport's top-left corner."""
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def set_scale(self, pixels_per_point: float, anchor: QPoint | None = None) -> None:
        """Zoom to ``pixels_per_point``, keeping the page point under ``anchor`` where it is."""
        if anchor is None:
            anchor = QPoint(self.viewport().width() // 2, 0)
        held = self.viewport_to_page(QPointF(anchor))
        self.layout_.set_scale(pixels_per_point, self.viewport().width())
        self._update_scrollbars()
        if held is not None:
            index, x, y = held
            cx, cy = self.layout_.to_content(index, x, y)
            self.horizontalScrollBar().setValue(round(cx - anchor.x()))
            self.verticalScrollBar().setValue(round(cy - anchor.y()))
        self.viewport().update()

    def _update_scrollbars(self) -> None:
        size = self.viewport().size()
        v, h = self.verticalScrollBar(), self.horizontalScrollBar()
        v.setRange(0, max(0, round(self.layout_.content_height) - size.height()))
        v.setPageStep(size.height())
        v.setSingleStep(40)
        h.setRange(0, max(0, round(self.layout_.content_width) - size.width()))
        h.setPageStep(size.width())
        h.setSingleStep(40)

    def viewport_to_page(self, pos: QPointF) -> tuple[int, float, float] | None:
        """(page index, x, y in points) under viewport position ``pos`` (nearest page)."""
        offset = self.scroll_offset()
        cx, cy = pos.x() + offset.x(), pos.y() + offset.y()
        index = self.layout_.page_at(cy)
        if index < 0:
            return None
        x, y = self.layout_.to_page(index, cx, cy)
        return index, x, y

    def page_to_viewport(self, index: int, x: float, y: float) -> QPointF:
        """Viewport position of point (x, y) of page ``index``."""
        cx, cy = self.layout_.to_content(index, x, y)
        offset = self.scroll_offset()
        return QPointF(cx - offset.x(), cy - offset.y())

    def page_viewport_rect(self, index: int) -> QRectF:
        """Page ``index`` in viewport pixels."""
        x, y, w, h = self.layout_.page_rect(index)
        offset = self.scroll_offset()
        return QRectF(x - offset.x(), y - offset.y(), w, h)

    def visible_pages(self) -> range:
        """Indexes of the pages (partly) on screen."""
        top = self.verticalScrollBar().value()
        return self.layout_.pages_between(top, top + self.viewport().height())

    def shown_pages(self) -> set[int]:
        """Numbers (1-based) of pages painted from an image at the current zoom last time."""
        return set(self._shown)

    # -- rendering ---------------------------------------------------------------------------
    def render_scale(self) -> float:
        """Image pixels per page point for the current zoom on this screen."""
        return self.layout_.pixels_per_point * self.devicePixelRatioF()

    def _request_renders(self, visible: range) -> None:
        if self.renderer is None or not len(visible):
            return
        scale = self.render_scale()
        pages = list(visible)
        pages += [i for i in (visible.stop, visible.start - 1) if 0 <= i < len(self.layout_.sizes)]
        wanted = []
        for index in pages:
            entry = self.cache.get(index + 1)
            if (index + 1) not in self.failures and (
                    entry is None or abs(entry[0] - scale) > 1e-6):
                wanted.append((index + 1, scale))
        self.renderer.request(wanted)

    def _from_current_renderer(self) -> bool:
        # Pages still in flight from a replaced renderer must not land on the new pages.
        return self.renderer is not None and self.sender() is self.renderer.signals

    def _page_rendered(self, number: int, scale: float, image: object) -> None:
        if not self._from_current_renderer():
            return
        self.cache.put(number, scale, image)  # type: ignore[arg-type]
        if number - 1 in self.visible_pages():
            self.viewport().update(self.page_viewport_rect(number - 1).toAlignedRect())

    def _page_failed(self, number: int, why: str) -> None:
        if not self._from_current_renderer():
            return
        self.failures[number] = why
        self.viewport().update()

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), DESK_COLOUR)
        visible = self.visible_pages()
        scale = self.render_scale()
        self._shown &= {i + 1 for i in visible}
        for index in visible:
            rect = self.page_viewport_rect(index)
            if not rect.intersects(QRectF(event.rect())):
                continue
            painter.fillRect(rect.translated(2, 2), SHADOW_COLOUR)
            painter.fillRect(rect, PAPER_COLOUR)
            entry = self.cache.get(index + 1)
            exact = entry is not None and abs(entry[0] - scale) <= 1e-6
            if entry is not None:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not exact)
                painter.drawImage(rect, entry[1])
            elif index + 1 in self.failures:
                painter.setPen(QColor("#8a1c1c"))
                painter.drawText(rect.adjusted(12, 12, -12, -12), Qt.TextFlag.TextWordWrap,
                                 f"This page could not be drawn: {self.failures[index + 1]}")
            if exact:
                self._shown.add(index + 1)
            else:
                self._shown.discard(index + 1)
            if self.overlay is not None:
                painter.save()
                painter.translate(rect.topLeft())
                painter.scale(self.layout_.pixels_per_point, self.layout_.pixels_per_point)
                self.overlay(painter, index)
                painter.restore()
        painter.end()
        self._request_renders(visible)

    # -- events ------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.layout_.set_scale(self.layout_.pixels_per_point, self.viewport().width())
        self._update_scrollbars()
        self.resized.emit()

    def _scrolled(self) -> None:
        self.viewport().update()
        self.scrolled.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                steps = delta // 120 or (1 if delta > 0 else -1)
                self.zoom_requested.emit(steps, event.position().toPoint())
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.mouse_handler is not None:
            self.mouse_handler.mouse_press(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.mouse_handler is not None:
            self.mouse_handler.mouse_move(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.mouse_handler is not None:
            self.mouse_handler.mouse_release(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.mouse_handler is not None:
            self.mouse_handler.mouse_double_click(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        self.context_menu.emit(event.globalPos())
        event.accept()

