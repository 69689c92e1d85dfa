"""Region annotations: a rectangle on a page (or image), in page points, top-left origin.

A region is stored on its annotation as JSON ``{"page": n, "x": .., "y": .., "w": .., "h": ..}``
(1-based page; points on the displayed page, as the character boxes). The annotation's text range
is the text inside the rectangle (characters whose box centre lies in it), empty when there is
none - a photograph, a stamp, a signature.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import BadInput

#: The smallest side a region may have, in points (a click is not a region).
MIN_SIDE = 2.0


@dataclass(frozen=True)
class Region:
    page: int
    x: float
    y: float
    w: float
    h: float

    @classmethod
    def from_corners(cls, page: int, x0: float, y0: float, x1: float, y1: float) -> Region:
        return cls(page, round(min(x0, x1), 2), round(min(y0, y1), 2),
                   round(abs(x1 - x0), 2), round(abs(y1 - y0), 2))

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "x": self.x, "y": self.y, "w": self.w, "h": self.h}

    def to_db(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    @classmethod
    def from_db(cls, value: str | None) -> Region | None:
        if not value:
            return None
        try:
            d = json.loads(value)
            return cls(int(d["page"]), float(d["x"]), float(d["y"]), float(d["w"]),
                       float(d["h"]))
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom)."""
        return (self.x, self.y, self.x + self.w, self.y + self.h)

    def media_fragment(self) -> str:
        """W3C Media Fragments spatial dimension: ``xywh=x,y,w,h`` (points, rounded)."""
        return "xywh=" + ",".join(f"{v:g}" for v in (round(self.x, 2), round(self.y, 2),
                                                     round(self.w, 2), round(self.h, 2)))

    def check(self, width: float, height: float) -> None:
        """Raise :class:`BadInput` unless the region lies on a page of this size."""
        if self.w < MIN_SIDE or self.h < MIN_SIDE:
            raise BadInput(f"a region must be at least {MIN_SIDE:g} points wide and high")
        if self.x < -0.5 or self.y < -0.5 or self.x + self.w > width + 0.5 \
                or self.y + self.h > height + 0.5:
            raise BadInput(f"the region lies outside page {self.page} "
                           f"({width:g} x {height:g} points)")


def text_inside(boxes: Sequence[float], synthetic: bytes, region: Region) -> tuple[int, int]:
    """``[first, last + 1)`` of the page-text characters whose box centre lies in the region
    (offsets within the page text); ``(0, 0)`` when none does."""
    x0, y0, x1, y1 = region.box
    first = last = -1
    for i in range(len(synthetic)):
        if synthetic[i]:
            continue
        cx = (boxes[4 * i] + boxes[4 * i + 2]) * 0.5
        cy = (boxes[4 * i + 1] + boxes[4 * i + 3]) * 0.5
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            if first < 0:
                first = i
            last = i
    return (0, 0) if first < 0 else (first, last + 1)
