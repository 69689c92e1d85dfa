"""Where the characters of a PDF page are: hit-testing points and drawing text ranges as boxes.

Every code point of a page's text has a box in page points (top-left origin, displayed
orientation). Consecutive real characters that sit on one printed line form a *run*; runs are the
unit of both questions this module answers:

* which character is nearest to a point (the nearest run, then the nearest character in it);
* which rectangles cover a text range (per run, the union of the covered characters' boxes,
  split where right-to-left text makes the covered characters visually discontinuous).

Characters the extractor inserted (spaces, newlines; flagged synthetic, with zero-size boxes)
belong to no run: they are selected along with their neighbours but never drawn.
Pure Python with no Qt, so it is tested without a display.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from app.services.documents import PageGeometry

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom in page points

#: Characters farther apart than this many line heights along a line start a new run.
MAX_GAP = 1.5


@dataclass
class _Run:
    """Real characters on one printed line, in text order."""

    offsets: list[int] = field(default_factory=list)  # document offsets, ascending
    boxes: list[Rect] = field(default_factory=list)
    x0: float = float("inf")
    top: float = float("inf")
    x1: float = float("-inf")
    bottom: float = float("-inf")

    def add(self, offset: int, box: Rect) -> None:
        self.offsets.append(offset)
        self.boxes.append(box)
        self.x0 = min(self.x0, box[0])
        self.top = min(self.top, box[1])
        self.x1 = max(self.x1, box[2])
        self.bottom = max(self.bottom, box[3])

    @property
    def vertical(self) -> bool:
        """True for text running top to bottom (as on a page rotated by 90 degrees)."""
        return len(self.boxes) > 1 and (self.bottom - self.top) > 1.5 * (self.x1 - self.x0)

    @property
    def thickness(self) -> float:
        """How thick the line is across its direction (about the font size)."""
        return (self.x1 - self.x0) if self.vertical else (self.bottom - self.top)


def _distance(box: Rect, x: float, y: float) -> float:
    """Squared distance from a point to a box (0 inside)."""
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return dx * dx + dy * dy


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _gap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(b0 - a1, a0 - b1)


def same_line(a: Rect, b: Rect) -> bool:
    """True when box ``b`` continues the printed line that box ``a`` is on."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    wa, wb = a[2] - a[0], b[2] - b[0]
    if _overlap(a[1], a[3], b[1], b[3]) >= 0.5 * min(ha, hb) and (
        _gap(a[0], a[2], b[0], b[2]) <= MAX_GAP * max(ha, hb)
    ):
        return True
    return _overlap(a[0], a[2], b[0], b[2]) >= 0.5 * min(wa, wb) and (
        _gap(a[1], a[3], b[1], b[3]) <= MAX_GAP * max(wa, wb)
    )


class PageText:
    """One page's characters, arranged in runs for hit-testing and range drawing."""

    def __init__(self, page: PageGeometry, page_text: str) -> None:
        self.number = page.number
        self.start = page.start
        self.end = page.end
        self.width = page.width
        self.height = page.height
        self._boxes = page.boxes
        self._synthetic = page.synthetic
        self.runs: list[_Run] = []
        self._build(page_text)
        self._run_ends = [run.offsets[-1] for run in self.runs]

    def is_real(self, offset: int) -> bool:
        """True when the character at document ``offset`` was printed (not inserted)."""
        i = offset - self.start
        if self._synthetic and self._synthetic[i]:
            return False
        x0, top, x1, bottom = self.box(offset)
        return x1 > x0 and bottom > top

    def box(self, offset: int) -> Rect:
        """Box of the character at document ``offset`` (on this page)."""
        i = 4 * (offset - self.start)
        b = self._boxes
        return (b[i], b[i + 1], b[i + 2], b[i + 3])

    def _build(self, text: str) -> None:
        run: _Run | None = None
        previous: Rect | None = None
        line_break = False
        for i, ch in enumerate(text):
            offset = self.start + i
            if not self.is_real(offset):
                line_break = line_break or ch == "\n"
                continue
            box = self.box(offset)
            if run is None or line_break or previous is None or not same_line(previous, box):
                run = _Run()
                self.runs.append(run)
            run.add(offset, box)
            previous = box
            line_break = False

    def nearest(self, x: float, y: float) -> int | None:
        """Document offset of the printed character nearest to page point (x, y)."""
        if not self.runs:
            return None
        best = min(self.runs, key=lambda r: _distance((r.x0, r.top, r.x1, r.bottom), x, y))
        index = min(range(len(best.boxes)), key=lambda k: _distance(best.boxes[k], x, y))
        return best.offsets[index]

    def rects(self, start: int, end: int) -> list[Rect]:
        """Rectangles covering the printed characters of document range ``[start, end)``."""
        rects: list[Rect] = []
        first = bisect_left(self._run_ends, start)
        for run in self.runs[first:]:
            if run.offsets[0] >= end:
                break
            lo = bisect_left(run.offsets, start)
            hi = bisect_left(run.offsets, end)
            tolerance = MAX_GAP * run.thickness
            vertical = run.vertical
            current: list[float] | None = None
            for box in run.boxes[lo:hi]:
                if current is not None:
                    gap = (_gap(current[1], current[3], box[1], box[3]) if vertical
                           else _gap(current[0], current[2], box[0], box[2]))
                    if gap <= tolerance:
                        current[0] = min(current[0], box[0])
                        current[1] = min(current[1], box[1])
                        current[2] = max(current[2], box[2])
                        current[3] = max(current[3], box[3])
                        continue
                    rects.append((current[0], current[1], current[2], current[3]))
                current = list(box)
            if current is not None:
                rects.append((current[0], current[1], current[2], current[3]))
        return rects

    def real_offsets(self, start: int, end: int) -> list[int]:
        """Offsets of the printed characters in ``[start, end)`` on this page."""
        lo, hi = max(start, self.start), min(end, self.end)
        return [o for o in range(lo, hi) if self.is_real(o)]
