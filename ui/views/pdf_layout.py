"""Where each page of a PDF sits in the page view's scrolling area, at a given zoom.

Pages are stacked top to bottom, centred, with a gap between them. Sizes are in page points;
positions are in *content pixels* (the scrolling area's coordinates before scrolling). Pure
Python with no Qt, so it is tested without a display.
"""

from __future__ import annotations

from bisect import bisect_right

#: Space around and between pages, in pixels.
MARGIN = 16
GAP = 14
#: Zoom limits (1.0 = 100 %, a point printed at its physical size on the screen).
MIN_ZOOM = 0.1
MAX_ZOOM = 8.0


class PageLayout:
    """Page rectangles in content pixels for pages of the given sizes (points).

    ``pixels_per_point`` is the number of logical pixels one page point takes; the page view
    sets it from the zoom and the screen's resolution.
    """

    def __init__(self, sizes: list[tuple[float, float]]) -> None:
        self.sizes = sizes
        self.pixels_per_point = 1.0
        self.viewport_width = 0
        self._tops: list[float] = []
        self._relayout()

    def set_scale(self, pixels_per_point: float, viewport_width: int) -> None:
        """Lay the pages out at ``pixels_per_point`` in a viewport ``viewport_width`` wide."""
        self.pixels_per_point = pixels_per_point
        self.viewport_width = viewport_width
        self._relayout()

    def _relayout(self) -> None:
        y = float(MARGIN)
        self._tops = []
        for _w, h in self.sizes:
            self._tops.append(y)
            y += h * self.pixels_per_point + GAP
        self._height = y - GAP + MARGIN if self.sizes else 2.0 * MARGIN

    @property
    def content_width(self) -> float:
        """Width of the scrolling area: the widest page plus margins, or the viewport."""
        widest = max((w for w, _h in self.sizes), default=0.0) * self.pixels_per_point
        return max(float(self.viewport_width), widest + 2 * MARGIN)

    @property
    def content_height(self) -> float:
        """Height of the scrolling area: all pages, gaps and margins."""
        return self._height

    def page_rect(self, index: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of page ``index`` (0-based) in content pixels."""
        w, h = self.sizes[index]
        width, height = w * self.pixels_per_point, h * self.pixels_per_point
        return ((self.content_width - width) / 2, self._tops[index], width, height)

    def page_at(self, y: float) -> int:
        """Index of the page at content height ``y``, or of the nearest one in a gap."""
        if not self.sizes:
            return -1
        index = max(0, bisect_right(self._tops, y) - 1)
        if index + 1 < len(self.sizes):
            bottom = self._tops[index] + self.sizes[index][1] * self.pixels_per_point
            if y > bottom and y - bottom > self._tops[index + 1] - y:
                index += 1
        return index

    def pages_between(self, top: float, bottom: float) -> range:
        """Indexes of the pages that reach into content heights ``[top, bottom]``."""
        if not self.sizes:
            return range(0)
        first = max(0, bisect_right(self._tops, top) - 1)
        x, y, w, h = self.page_rect(first)
        if y + h < top:
            first += 1
        last = max(first - 1, bisect_right(self._tops, bottom) - 1)
        return range(first, min(last, len(self.sizes) - 1) + 1)

    def to_page(self, index: int, x: float, y: float) -> tuple[float, float]:
        """Content pixel (x, y) in page points of page ``index``."""
        px, py, _w, _h = self.page_rect(index)
        return ((x - px) / self.pixels_per_point, (y - py) / self.pixels_per_point)

    def to_content(self, index: int, x: float, y: float) -> tuple[float, float]:
        """Page point (x, y) of page ``index`` in content pixels."""
        px, py, _w, _h = self.page_rect(index)
        return (px + x * self.pixels_per_point, py + y * self.pixels_per_point)

    def fit_width_scale(self, viewport_width: int) -> float:
        """Pixels per point at which the widest page fills the viewport's width."""
        widest = max((w for w, _h in self.sizes), default=1.0)
        return max(1.0, viewport_width - 2 * MARGIN) / widest

    def fit_page_scale(self, viewport_width: int, viewport_height: int, index: int) -> float:
        """Pixels per point at which page ``index`` fits whole in the viewport."""
        w, h = self.sizes[index] if self.sizes else (1.0, 1.0)
        return min(max(1.0, viewport_width - 2 * MARGIN) / w,
                   max(1.0, viewport_height - 2 * MARGIN) / h)
