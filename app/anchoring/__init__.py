"""Anchoring: finding an annotation's passage again after the document text changed.

An annotation stores its range and W3C-style selectors (:func:`make_selectors`). When the text
changes (re-import, new version), :func:`reanchor_all` (or :func:`anchor` for one) places each
annotation on the new text and says how sure that is (:class:`AnchorResult`): ``exact``,
``fuzzy`` (flag for review) or ``orphaned``. A highlight never moves silently.

All offsets are Unicode code-point indices into the canonical text. Nothing here imports Qt.
"""

from __future__ import annotations

from app.anchoring.projection import Projection, project
from app.anchoring.reanchor import anchor, reanchor_all
from app.anchoring.result import ORPHANED, AnchorMethod, AnchorResult, AnchorStatus
from app.anchoring.scoring import MAX_ERROR_RATIO, MIN_FUZZY_SCORE, max_errors
from app.anchoring.selector import CONTEXT_LENGTH, PageRanges, Selectors, make_selectors, page_span

__all__ = [
    "CONTEXT_LENGTH",
    "MAX_ERROR_RATIO",
    "MIN_FUZZY_SCORE",
    "ORPHANED",
    "AnchorMethod",
    "AnchorResult",
    "AnchorStatus",
    "PageRanges",
    "Projection",
    "Selectors",
    "anchor",
    "make_selectors",
    "max_errors",
    "page_span",
    "project",
    "reanchor_all",
]
