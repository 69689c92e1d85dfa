"""The outcome of anchoring one annotation on a (possibly changed) text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: ``exact``: the quote is there verbatim (or differs only in layout, see
#: :mod:`app.anchoring.projection`) and the place is certain. ``fuzzy``: a changed quote, or a
#: verbatim one whose place is uncertain; flag it for review. ``orphaned``: no acceptable place.
AnchorStatus = Literal["exact", "fuzzy", "orphaned"]

#: How the place was found: the stored (or neighbour-predicted) position still holds the quote;
#: a verbatim occurrence of the quote; an occurrence that differs only in layout; approximate
#: matching; or nothing.
AnchorMethod = Literal["position", "quote", "layout", "approximate", "none"]


@dataclass(frozen=True, slots=True)
class AnchorResult:
    """Where an annotation lies in the new text, how sure that is, and how it was found.

    ``start``/``end`` are code-point offsets into the new text. An orphaned result has
    ``start == end == -1`` so that nothing can draw it by mistake; the caller keeps the stored
    selectors so a later text can be tried again. ``score`` is in [0, 1]: 1.0 when the stored
    position still holds the quote, else Hypothesis's weighted quote/prefix/suffix/position
    score of the chosen place (see :mod:`app.anchoring.scoring`), and 0.0 for an orphan.
    """

    start: int
    end: int
    status: AnchorStatus
    score: float
    method: AnchorMethod = "none"


#: The result for an annotation that could not be placed.
ORPHANED = AnchorResult(start=-1, end=-1, status="orphaned", score=0.0, method="none")
