"""Region annotations on the page view: Ctrl+drag a rectangle, tag it, see it outlined.

The rectangle being drawn (and, once released, waiting for a tag) is dashed; stored regions are
outlined in their first tag's colour with a faint wash. A region is in page points on the
displayed page, like character boxes (:mod:`app.regions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.regions import MIN_SIDE, Region, text_inside
from app.services.annotations import AnnotationView
from ui.views.base import tag_colour

if TYPE_CHECKING:
    from ui.views.pdf_view import PdfPageView

#: The rectangle being drawn.
PENDING_COLOUR = QColor("#1f6fd1")
#: Outline width of a stored region, in points.
OUTLINE = 1.6


def _qrect(region: Region) -> QRectF:
    return QRectF(region.x, region.y, region.w, region.h)


class RegionTool:
    """The page view's region gesture, its pending rectangle, and region painting."""

    def __init__(self, view: PdfPageView) -> None:
        self.view = view
        #: The rectangle drawn and not yet tagged (or being drawn).
        self.pending: Region | None = None
        self._origin: tuple[int, float, float] | None = None

    # -- the gesture ---------------------------------------------------------------------------
    def press(self, pos: QPointF) -> bool:
        """Start a rectangle at a viewport position (False when it is not on a page)."""
        hit = self.view.viewport_to_page_point(pos)
        if hit is None:
            return False
        self._origin = hit
        self.view.clear_selection()
        self._set(None)
        return True

    def drag(self, pos: QPointF) -> None:
        """Stretch the rectangle to a viewport position (kept on the page it started on)."""
        if self._origin is None:
            return
        number, x0, y0 = self._origin
        point = self.view.canvas.viewport_to_page(QPointF(pos))
        page = self.view.page_geometries()[number - 1]
        if point is None:
            return
        index, x, y = point
        if index + 1 != number:  # dragged onto another page: clamp to this page's edge
            y = page.height if index + 1 > number else 0.0
        x = min(max(x, 0.0), page.width)
        y = min(max(y, 0.0), page.height)
        self._set(Region.from_corners(number, x0, y0, x, y))

    def release(self, pos: QPointF) -> None:
        """Finish the rectangle; one smaller than :data:`MIN_SIDE` is dropped."""
        self.drag(pos)
        self._origin = None
        if self.pending is not None and min(self.pending.w, self.pending.h) < MIN_SIDE:
            self._set(None)

    def clear(self) -> None:
        self._origin = None
        self._set(None)

    def _set(self, region: Region | None) -> None:
        if region != self.pending:
            self.pending = region
            self.view.canvas.viewport().update()

    # -- text ----------------------------------------------------------------------------------
    def text_range(self, region: Region) -> tuple[int, int]:
        """Document offsets of the text inside ``region`` (empty at the page's start if none)."""
        page = self.view.page_geometries()[region.page - 1]
        first, end = text_inside(page.boxes, page.synthetic, region)
        return page.start + first, page.start + end

    # -- painting ------------------------------------------------------------------------------
    @staticmethod
    def on_page(annotations: list[AnnotationView], number: int) -> list[AnnotationView]:
        return [a for a in annotations if a.region is not None and a.region.page == number]

    def paint(self, painter: QPainter, number: int, annotations: list[AnnotationView],
              current_id: str | None) -> None:
        """Outline the page's regions in their tag colours, and the pending rectangle."""
        for ann in self.on_page(annotations, number):
            assert ann.region is not None
            colour = tag_colour(ann)
            wash = QColor(colour)
            wash.setAlphaF(0.12)
            width = OUTLINE * (1.8 if ann.id == current_id else 1.0)
            painter.setPen(QPen(colour.darker(110), width))
            painter.setBrush(wash)
            painter.drawRect(_qrect(ann.region))
        if self.pending is not None and self.pending.page == number:
            pen = QPen(PENDING_COLOUR, 1.2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            wash = QColor(PENDING_COLOUR)
            wash.setAlphaF(0.08)
            painter.setBrush(wash)
            painter.drawRect(_qrect(self.pending))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def hits(self, annotations: list[AnnotationView], number: int, x: float, y: float
             ) -> list[AnnotationView]:
        """Region annotations on page ``number`` containing the point."""
        return [a for a in self.on_page(annotations, number)
                if a.region is not None and _qrect(a.region).contains(QPointF(x, y))]
