"""Re-anchoring annotations on a new text: one at a time or all of a document at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.anchoring.candidates import Target
from app.anchoring.index import TextIndex
from app.anchoring.resolve import Region, Resolver
from app.anchoring.result import AnchorResult
from app.anchoring.selector import PageRanges, Selectors
from app.progress import checkpoint

#: How far (in code points) around the expected position the first, local search looks.
LOCAL_REACH = 4096
#: Extra room kept before the previous annotation's new position.
_BACKWARD_SLACK = 256


def anchor(
    text: str,
    selectors: Selectors,
    *,
    page_ranges: PageRanges | None = None,
    old_length: int | None = None,
) -> AnchorResult:
    """Place one annotation on ``text`` (the document's new canonical text).

    ``page_ranges`` are the new text's pages (each ``[start, end)``), used to look on the stored
    pages first; ``old_length`` is the length of the text the selectors were made on, which
    widens the local search by how much the text grew or shrank. Same as
    ``reanchor_all(text, [selectors], ...)[0]``.
    """
    return reanchor_all(text, [selectors], page_ranges=page_ranges, old_length=old_length)[0]


def reanchor_all(
    text: str,
    selectors_list: Sequence[Selectors],
    *,
    page_ranges: PageRanges | None = None,
    old_length: int | None = None,
) -> list[AnchorResult]:
    """Place every annotation of a document on its new text; results are in input order.

    Annotations are visited in their old text order. Each is first checked at its stored
    position and at that position shifted by the offset of the last annotation placed
    exactly: after scattered edits, almost every annotation is settled by one string
    comparison. The others are searched near that shifted position (between the previous
    placed annotation and :data:`LOCAL_REACH` beyond the expected end), then in the whole text
    (see :mod:`app.anchoring.resolve`). The new text is projected, indexed and encoded for
    approximate search only once, and only if some annotation needs it.

    ``selectors_list`` holds the stored selectors of each annotation (as made by
    :func:`~app.anchoring.selector.make_selectors` on the old text); ``page_ranges`` are the
    new text's pages, each ``[start, end)``, when it has pages; ``old_length`` is the length of
    the old text, if known (it widens the first local search by the change in length). The
    results correspond to ``selectors_list`` one for one; orphans have ``start == end == -1``.
    """
    index = TextIndex(text)
    resolver = Resolver(index)
    # Until one annotation is placed exactly, the shift is unknown: it may be as large as the
    # change in length. After that, the previous annotation's shift predicts the next one's.
    reach = LOCAL_REACH + (abs(len(text) - old_length) if old_length is not None else 0)
    results: list[AnchorResult | None] = [None] * len(selectors_list)
    order = sorted(
        range(len(selectors_list)), key=lambda i: (selectors_list[i].start, selectors_list[i].end)
    )
    shift = 0
    floor = 0
    for done, i in enumerate(order):
        checkpoint(done, len(order))
        selectors = selectors_list[i]
        target = Target(selectors)
        length = len(selectors.exact)
        hint = min(max(selectors.start + shift, 0), len(text))
        if resolver.verify_position(target, selectors.start):
            result = AnchorResult(
                selectors.start, selectors.start + length, "exact", 1.0, "position"
            )
        elif hint != selectors.start and resolver.verify_position(target, hint):
            result = AnchorResult(hint, hint + length, "exact", 1.0, "position")
        else:
            low = max(floor, hint - reach) - _BACKWARD_SLACK
            regions: list[Region] = [(low, hint + length + length // 4 + reach)]
            page_region = _page_region(selectors, page_ranges)
            regions.extend(page_region)
            result = resolver.resolve(target, hint, regions)
            if result.status == "exact" and page_region and not _within(result, page_region[0]):
                # Verbatim, but pages away from where it was: in a PDF that is typically a
                # repeated boilerplate sentence whose own copy is gone. Flag it for review.
                result = replace(result, status="fuzzy")
        if result.status == "exact":
            shift = result.start - selectors.start
            floor = result.start
            reach = LOCAL_REACH
        results[i] = result
    return [result for result in results if result is not None]


def _within(result: AnchorResult, region: Region) -> bool:
    return region[0] <= result.start and result.end <= region[1]


def _page_region(selectors: Selectors, page_ranges: PageRanges | None) -> list[Region]:
    """The stored pages and one page either side, in the new text, if pages are known."""
    if not page_ranges or selectors.page_start is None or selectors.page_end is None:
        return []
    first = min(max(selectors.page_start - 1, 1), len(page_ranges))
    last = min(max(selectors.page_end + 1, first), len(page_ranges))
    return [(page_ranges[first - 1][0], page_ranges[last - 1][1])]
