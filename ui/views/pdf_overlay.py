"""What the page view draws over a rendered page: highlights, the selection, find matches, flash.

Highlights are multiplied onto the page, so the printed text stays dark and overlapping
highlights darken and mix; every highlight that overlaps an earlier one also gets an underline
in its own lane, so two highlights over the same words remain two visible marks.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.services.annotations import AnnotationView
from ui.views.base import (
    FIND_COLOUR,
    FIND_CURRENT_COLOUR,
    highlight_fill,
    tag_colour,
)
from ui.views.pdf_geometry import Rect

#: The selection, multiplied onto the page.
SELECTION_COLOUR = QColor("#8fb8f0")
#: The dotted underline of words OCR is unsure of.
LOW_CONFIDENCE_COLOUR = QColor("#c0392b")
#: Underline thickness and lane spacing, in points.
UNDERLINE = 1.1
LANE_STEP = 1.8

#: Rectangles (page points) of ``[start, end)`` on one page.
RangeRects = Callable[[int, int], list[Rect]]


def _qrect(rect: Rect) -> QRectF:
    return QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])


class HighlightLayer:
    """One page's highlights, laid out once: fills, lane underlines and outlines in page points.

    Built when a page is first painted with a given set of annotations and kept until they
    change; painting it is a handful of Qt calls with no geometry worked out in Python. Page
    points do not depend on the zoom (the painter scales them), so a zoom keeps the layer.
    """

    def __init__(self, annotations: Sequence[AnnotationView], lanes: dict[str, int],
                 rects: RangeRects) -> None:
        self.fills: list[tuple[QColor, list[QRectF]]] = []
        self.lines: list[tuple[QPen, list[QLineF]]] = []
        self.outlines: dict[str, tuple[QPen, list[QRectF]]] = {}
        for ann in annotations:
            boxes = rects(ann.start, ann.end)
            if not boxes:
                continue
            shapes = [_qrect(r) for r in boxes]
            self.fills.append((highlight_fill(tag_colour(ann)), shapes))
            lane = lanes.get(ann.id, 0)
            colours = [QColor(t.colour) for t in ann.tags[1:2]]
            if lane:
                colours.insert(0, tag_colour(ann))
            for stack, colour in enumerate(colours):
                pen = QPen(colour.darker(115), UNDERLINE)
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                offset = (max(lane, 1) + stack) * LANE_STEP - LANE_STEP / 2
                self.lines.append((pen, [QLineF(r[0], r[3] + offset, r[2], r[3] + offset)
                                         for r in boxes]))
            self.outlines[ann.id] = (QPen(tag_colour(ann).darker(160), 1.2),
                                     [q.adjusted(-0.8, -0.8, 0.8, 0.8) for q in shapes])

    def paint(self, painter: QPainter, current_id: str | None) -> None:
        """Multiply the fills onto the page, then underlines and the current one's outline."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        for colour, shapes in self.fills:
            for shape in shapes:
                painter.fillRect(shape, colour)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        for pen, lines in self.lines:
            painter.setPen(pen)
            painter.drawLines(lines)
        outline = self.outlines.get(current_id or "")
        if outline is not None:
            painter.setPen(outline[0])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRects(outline[1])
        painter.setPen(Qt.PenStyle.NoPen)


class PageOverlay:
    """Paints one page's marks; the painter is already in page points."""

    def __init__(self, painter: QPainter, rects: RangeRects) -> None:
        self.painter = painter
        self.rects = rects

    def highlights(self, annotations: Sequence[AnnotationView], lanes: dict[str, int],
                   current_id: str | None) -> None:
        """Tag-coloured fills, lane underlines, and an outline round the current highlight."""
        HighlightLayer(annotations, lanes, self.rects).paint(self.painter, current_id)

    def low_confidence(self, ranges: Sequence[tuple[int, int]]) -> None:
        """A dotted underline under words OCR recognised with low confidence."""
        if not ranges:
            return
        pen = QPen(LOW_CONFIDENCE_COLOUR, 1.0, Qt.PenStyle.DotLine)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        self.painter.setPen(pen)
        for start, end in ranges:
            for r in self.rects(start, end):
                y = r[3] + 0.9
                self.painter.drawLine(QLineF(r[0], y, r[2], y))
        self.painter.setPen(Qt.PenStyle.NoPen)

    def matches(self, starts: list[int], matches: list[tuple[int, int]], current: int,
                page_start: int, page_end: int) -> None:
        """Find matches on this page; the current one stronger."""
        if not matches:
            return
        painter = self.painter
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        first = max(0, bisect_left(starts, page_start) - 1)
        for index in range(first, len(matches)):
            start, end = matches[index]
            if start >= page_end:
                break
            if end <= page_start:
                continue
            colour = FIND_CURRENT_COLOUR if index == current else FIND_COLOUR
            for rect in self.rects(start, end):
                painter.fillRect(_qrect(rect), colour)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)

    def selection(self, start: int, end: int) -> None:
        """The investigator's selection."""
        painter = self.painter
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        for rect in self.rects(start, end):
            painter.fillRect(_qrect(rect), SELECTION_COLOUR)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)

    def flash(self, start: int, end: int, strength: float) -> None:
        """A passage being revealed: a fading orange frame and wash."""
        painter = self.painter
        frame = QColor(FIND_CURRENT_COLOUR)
        frame.setAlphaF(strength)
        wash = QColor(FIND_CURRENT_COLOUR)
        wash.setAlphaF(0.35 * strength)
        painter.setPen(QPen(frame, 1.6))
        painter.setBrush(wash)
        for rect in self.rects(start, end):
            painter.drawRect(_qrect(rect).adjusted(-1.5, -1.5, 1.5, 1.5))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
