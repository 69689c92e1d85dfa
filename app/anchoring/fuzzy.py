"""Approximate placement of a changed quote, on the layout-free projection of the text.

Two sources of candidates, both limited to ``max_errors(len(quote))`` edits:

1. *Context-delimited*: the stored prefix and suffix both still occur verbatim, about a
   quote's length apart. What lies between them is the annotated passage as edited, so this
   wins whenever it is close enough to the quote (it also settles where the boundaries of an
   edit at the edge of the quote belong, which the quote alone cannot).
2. *Lowest-error places* of the quote (:mod:`app.anchoring.approximate`), as Hypothesis finds
   them; each is also tried with a boundary moved onto nearby verbatim prefix or suffix, and
   the best by Hypothesis's score is taken.

A candidate is accepted only with at most ``max_errors`` edits and a score of at least
:data:`~app.anchoring.scoring.MIN_FUZZY_SCORE`.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from app.anchoring.approximate import ApproximateSearcher
from app.anchoring.candidates import Candidate, ProjectedSpace, Target, measure
from app.anchoring.scoring import MIN_FUZZY_SCORE, max_errors

#: Candidate places examined per search (the nearest to the expected position).
_MAX_PLACES = 32
#: Prefix occurrences tried as the start of a context-delimited candidate.
_MAX_PREFIXES = 16


def find_fuzzy(
    space: ProjectedSpace,
    searcher: ApproximateSearcher,
    target: Target,
    *,
    hint: int,
    low: int,
    high: int,
) -> Candidate | None:
    """The best acceptable approximate place of the quote in ``[low, high)``, or None."""
    quote = target.projected[0]
    limit = max_errors(len(quote))
    if limit == 0:
        return None
    delimited = _context_delimited(space, target, hint=hint, low=low, high=high, limit=limit)
    if delimited is not None:
        return delimited
    _, places = searcher.search(quote, low, high, limit)
    best: Candidate | None = None
    for start, end in _representatives(places, hint):
        for variant_start, variant_end in _snapped(space, target, start, end, limit):
            candidate = _measure_quote(
                space, target, variant_start, variant_end, hint=hint, limit=limit
            )
            if candidate is not None and (best is None or candidate.score > best.score):
                best = candidate
    if best is None or best.score < MIN_FUZZY_SCORE:
        return None
    return best


def _measure_quote(
    space: ProjectedSpace, target: Target, start: int, end: int, *, hint: int, limit: int
) -> Candidate | None:
    """Measure ``[start, end)`` if its text is within ``limit`` edits of the quote."""
    if start >= end:
        return None
    quote = target.projected[0]
    errors = Levenshtein.distance(quote, space.text[start:end], score_cutoff=limit)
    if errors > limit:
        return None
    return measure(space, target, start, end, quote=1.0 - errors / len(quote), hint=hint)


def _context_delimited(
    space: ProjectedSpace, target: Target, *, hint: int, low: int, high: int, limit: int
) -> Candidate | None:
    """The passage between verbatim stored prefix and suffix, if close enough to the quote."""
    quote, prefix, suffix = target.projected
    if not prefix and not suffix:
        return None
    text = space.text
    # No stored prefix means the quote began the text (or only layout preceded it).
    starts = _occurrence_ends(text, prefix, low, high, hint) if prefix else [0] * (low <= 0)
    best: Candidate | None = None
    for start in starts:
        shortest = start + max(1, len(quote) - limit)
        longest = start + len(quote) + limit
        if suffix:
            ends = []
            end = text.find(suffix, shortest, longest + len(suffix))
            while end >= 0:
                ends.append(end)
                end = text.find(suffix, end + 1, longest + len(suffix))
        else:
            ends = [len(text)] if shortest <= len(text) <= longest else []
        for end in ends:
            candidate = _measure_quote(space, target, start, end, hint=hint, limit=limit)
            if candidate is not None and (
                best is None
                or (candidate.quote, -candidate.distance) > (best.quote, -best.distance)
            ):
                best = candidate
    return best


def _occurrence_ends(text: str, needle: str, low: int, high: int, hint: int) -> list[int]:
    """End offsets of ``needle`` ending in ``[low, high]``, the nearest ``hint`` first."""
    ends: list[int] = []
    position = text.find(needle, max(0, low - len(needle)), high)
    while position >= 0:
        ends.append(position + len(needle))
        position = text.find(needle, position + 1, high)
    ends.sort(key=lambda end: abs(end - hint))
    return ends[:_MAX_PREFIXES]


def _representatives(places: list[tuple[int, int]], hint: int) -> list[tuple[int, int]]:
    """One place per group of overlapping lowest-error places, the nearest ``hint`` first."""
    groups: list[list[tuple[int, int]]] = []
    for place in sorted(places):
        if groups and place[0] < max(end for _, end in groups[-1]):
            groups[-1].append(place)
        else:
            groups.append([place])
    chosen = [max(group, key=lambda p: (p[1] - p[0], -p[0])) for group in groups]
    chosen.sort(key=lambda p: abs(p[0] - hint))
    return chosen[:_MAX_PLACES]


def _snapped(
    space: ProjectedSpace, target: Target, start: int, end: int, limit: int
) -> list[tuple[int, int]]:
    """``(start, end)`` plus variants with a boundary moved onto nearby verbatim context."""
    _, prefix, suffix = target.projected
    text = space.text
    reach = limit + 2
    starts = {start}
    ends = {end}
    if prefix:
        position = text.find(prefix, max(0, start - reach - len(prefix)), start + reach)
        while position >= 0:
            starts.add(position + len(prefix))
            position = text.find(prefix, position + 1, start + reach)
    elif start <= reach:
        starts.add(0)
    if suffix:
        position = text.find(suffix, max(0, end - reach), end + reach + len(suffix))
        while position >= 0:
            ends.add(position)
            position = text.find(suffix, position + 1, end + reach + len(suffix))
    elif len(text) - end <= reach:
        ends.add(len(text))
    return [(s, e) for s in sorted(starts) for e in sorted(ends) if s < e]
