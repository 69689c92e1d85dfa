"""What an annotation remembers about the passage it targets: its W3C-style selectors.

All offsets are code-point indices into a document's canonical text (start inclusive, end
exclusive); page numbers are 1-based, like the RFC 3778 ``page=N`` fragment.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

#: How many code points of context are kept before and after the quote (as Hypothesis does).
CONTEXT_LENGTH = 32

#: Each page's ``[start, end)`` in the document text, in page order.
PageRanges = Sequence[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Selectors:
    """A text position, a text quote with its context, and the pages the passage lies on.

    ``exact == text[start:end]`` when the selectors were made; ``prefix`` and ``suffix`` are the
    (up to) :data:`CONTEXT_LENGTH` code points just before and after it. ``page_start`` and
    ``page_end`` are the 1-based pages holding the first and last code point, or None for
    documents without pages.
    """

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    page_start: int | None = None
    page_end: int | None = None


def make_selectors(
    text: str, start: int, end: int, page_ranges: PageRanges | None = None
) -> Selectors:
    """Describe ``text[start:end]`` by position, quote, context and (when given) pages.

    Raises ValueError for an empty or out-of-range span: an annotation always covers text.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span [{start}, {end}) is empty or outside a text of {len(text)}")
    page_start, page_end = (
        (None, None) if page_ranges is None else page_span(page_ranges, start, end)
    )
    return Selectors(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        page_start=page_start,
        page_end=page_end,
    )


def page_span(page_ranges: PageRanges, start: int, end: int) -> tuple[int | None, int | None]:
    """The 1-based pages holding the first and the last code point of ``[start, end)``.

    Text between pages (the page separator) belongs to no page: a span starting there is put on
    the next page and one ending there on the previous page. A span outside every page (or
    lying wholly between two pages) gets None for the side that has no page.
    """
    first = _page_at_or_after(page_ranges, start)
    last = _page_at_or_before(page_ranges, end - 1)
    if first is not None and last is not None and first > last:
        return None, None
    return first, last


def _page_at_or_after(page_ranges: PageRanges, offset: int) -> int | None:
    """The 1-based page containing ``offset``, else the first page after it, else None."""
    starts = [page_start for page_start, _ in page_ranges]
    index = bisect_right(starts, offset) - 1
    if index >= 0 and offset < page_ranges[index][1]:
        return index + 1
    following = index + 1
    return following + 1 if following < len(page_ranges) else None


def _page_at_or_before(page_ranges: PageRanges, offset: int) -> int | None:
    """The 1-based page containing ``offset``, else the last page before it, else None."""
    starts = [page_start for page_start, _ in page_ranges]
    index = bisect_right(starts, offset) - 1
    return index + 1 if index >= 0 else None
