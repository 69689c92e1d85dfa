"""Approximate placement of a changed quote, on the layout-free projection of the text.

Two sources of candidates:

1. *Context-delimited*: the stored prefix and suffix both still occur verbatim, about a
   quote's length apart. What lies between them is the annotated passage as edited, so this
   wins whenever it is within ``max_errors(len(quote))`` edits of the quote (it also settles
   where the boundaries of an edit at the edge of the quote belong, which the quote alone
   cannot).
2. *Lowest-error places* of the quote (:mod:`app.anchoring.approximate`), as Hypothesis finds
   them; each is also tried with a boundary moved onto nearby verbatim prefix or suffix, and
   the best by Hypothesis's score is taken if it is within ``max_errors`` edits and scores at
   least :data:`~app.anchoring.scoring.MIN_FUZZY_SCORE`.
3. Last, a context-delimited passage changed by more, up to Hypothesis's ``min(256, len/2)``
   edits, if its place is unambiguous: the wording changed a lot (a figure written out, a
   sentence re-phrased) but the place is certain. Coming last, it never displaces a closer
   match, such as the passage itself with text inserted right after it.

In a region around the expected position the approximate search covers every character. Over
the whole text (a passage that moved far) it runs only in windows that can hold an acceptable
place, which is several times cheaper than a full scan:

- next to each verbatim occurrence of the stored prefix or suffix (a passage moved with its
  context may be changed by up to ``max_errors``);
- around verbatim occurrences of pieces of the quote: cut into ``e + 1`` pieces of at least
  :data:`PIECE_LENGTH` code points, a place with at most ``e`` edits contains one of them
  unchanged (the pigeonhole principle). That allows about one edit per 16 code points (none
  below 32); a place whose context is new needs at least that quote similarity anyway to
  reach the minimum score (see :mod:`app.anchoring.scoring`).

Occurrences come from the n-gram index (:mod:`app.anchoring.ngrams`), not from scans. So a
passage that moved far, lost its context *and* changed by more than that is orphaned rather
than searched for at full cost, where Hypothesis would scan the whole text for it.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from app.anchoring.candidates import Candidate, ProjectedSpace, Target, measure
from app.anchoring.index import TextIndex
from app.anchoring.ngrams import MIN_LENGTH, NgramIndex
from app.anchoring.scoring import MIN_FUZZY_SCORE, max_errors
from app.anchoring.selector import CONTEXT_LENGTH

#: Length of the quote pieces looked up for near-verbatim places far away.
PIECE_LENGTH = max(16, MIN_LENGTH)

#: Stored context this long (layout-free), found verbatim on both sides, fixes a place.
STRONG_CONTEXT = 8

#: Candidate places examined per search (the nearest to the expected position).
_MAX_PLACES = 32
#: Occurrences of a prefix, suffix or quote piece used, the nearest to the expected position.
_MAX_OCCURRENCES = 16
#: Occurrences beyond which a quote piece is taken as too common to help.
_MAX_PIECE_SCAN = 256


def find_fuzzy(
    space: ProjectedSpace,
    index: TextIndex,
    target: Target,
    *,
    hint: int,
    low: int,
    high: int,
) -> Candidate | None:
    """The best acceptable approximate place of the quote in ``[low, high)``, or None.

    A range covering the whole text is searched in windows (see the module docstring).
    """
    quote = target.projected[0]
    limit = max_errors(len(quote))
    if limit == 0:
        return None
    whole_text = low <= 0 and high >= len(space.text)
    ngrams = index.ngrams if whole_text else None
    delimited = _context_delimited(
        space, target, hint=hint, low=low, high=high, limit=limit, ngrams=ngrams, wide=False
    )
    if delimited is not None:
        return delimited
    windows = [(low, high)] if ngrams is None else _promising_windows(ngrams, target, hint, limit)
    places: list[tuple[int, int]] = []
    for window_low, window_high in windows:
        places.extend(index.searcher.search(quote, window_low, window_high, limit)[1])
    best: Candidate | None = None
    for start, end in _representatives(places, hint):
        for variant_start, variant_end in _snapped(space, target, start, end, limit):
            candidate = _measure_quote(
                space, target, variant_start, variant_end, hint=hint, limit=limit
            )
            if candidate is not None and (best is None or candidate.score > best.score):
                best = candidate
    if best is not None and best.score >= MIN_FUZZY_SCORE:
        return best
    return _context_delimited(
        space, target, hint=hint, low=low, high=high, limit=limit, ngrams=ngrams, wide=True
    )


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
    space: ProjectedSpace,
    target: Target,
    *,
    hint: int,
    low: int,
    high: int,
    limit: int,
    ngrams: NgramIndex | None,
    wide: bool,
) -> Candidate | None:
    """The passage between verbatim stored prefix and suffix, if close enough to the quote.

    Context shorter than :data:`~app.anchoring.selector.CONTEXT_LENGTH` was cut by the edge
    of the old text, so it must still touch the edge of the new one.

    With ``wide``, and when the place is unambiguous (one prefix occurrence, and one suffix
    occurrence anywhere from its end to the longest plausible passage) and both sides are
    distinctive (at least :data:`STRONG_CONTEXT` code points, or the edge of the text), only
    the wording is in question, so the passage may differ as much as Hypothesis allows
    anywhere, ``min(256, len/2)`` edits. Repetitive text never gets that allowance.
    """
    quote, prefix, suffix = target.projected
    text = space.text
    starts = _passage_starts(text, target, hint=hint, low=low, high=high, ngrams=ngrams)
    at_edge = len(target.selectors.suffix) < CONTEXT_LENGTH
    if not starts or (not suffix and not at_edge):
        return None
    strong = min(len(prefix) or STRONG_CONTEXT, len(suffix) or STRONG_CONTEXT) >= STRONG_CONTEXT
    widest = max(limit, min(256, len(quote) // 2))
    best: Candidate | None = None
    for start in starts:
        shortest = start + max(1, len(quote) - widest)
        longest = start + len(quote) + widest
        if at_edge:  # the suffix ends the text
            end = len(text) - len(suffix)
            ends = [end] if text.endswith(suffix) and start <= end <= longest else []
        else:
            ends = []
            end = text.find(suffix, start, longest + len(suffix))
            while end >= 0:
                ends.append(end)
                end = text.find(suffix, end + 1, longest + len(suffix))
        certain = wide and strong and len(starts) == 1 and len(ends) == 1
        allowed = widest if certain else limit
        for end in ends:
            if end < shortest:
                continue
            candidate = _measure_quote(space, target, start, end, hint=hint, limit=allowed)
            if candidate is not None and (
                best is None
                or (candidate.quote, -candidate.distance) > (best.quote, -best.distance)
            ):
                best = candidate
    return best


def _passage_starts(
    text: str, target: Target, *, hint: int, low: int, high: int, ngrams: NgramIndex | None
) -> list[int]:
    """Where the stored prefix ends in ``[low, high]`` (or the text starts, if it did)."""
    prefix = target.projected[1]
    if len(target.selectors.prefix) < CONTEXT_LENGTH:  # the prefix starts the text
        return [len(prefix)] if text.startswith(prefix) and low <= len(prefix) <= high else []
    if not prefix:  # only layout before the quote: no context to go by
        return []
    if ngrams is not None:
        return [start + len(prefix) for start in _nearest(ngrams.find_all(prefix), hint)]
    return _occurrence_ends(text, prefix, low, high, hint)


def _occurrence_ends(text: str, needle: str, low: int, high: int, hint: int) -> list[int]:
    """End offsets of ``needle`` ending in ``[low, high]``, the nearest ``hint`` first."""
    starts = _occurrences(text, needle, max(0, low - len(needle)), high, hint)
    return [start + len(needle) for start in starts]


def _occurrences(text: str, needle: str, low: int, high: int, hint: int) -> list[int]:
    """Starts of ``needle`` in ``text[low:high]``, the nearest ``hint`` (of the first few)."""
    found: list[int] = []
    position = text.find(needle, low, high)
    while position >= 0 and len(found) < 4 * _MAX_OCCURRENCES:
        found.append(position)
        position = text.find(needle, position + 1, high)
    return _nearest(found, hint)


def _nearest(starts: list[int], hint: int) -> list[int]:
    """The :data:`_MAX_OCCURRENCES` offsets nearest ``hint``."""
    return sorted(starts, key=lambda start: abs(start - hint))[:_MAX_OCCURRENCES]


def _promising_windows(
    ngrams: NgramIndex, target: Target, hint: int, limit: int
) -> list[tuple[int, int]]:
    """Windows of the whole text that can hold an acceptable place (module docstring)."""
    quote, prefix, suffix = target.projected
    length = len(quote)
    windows: list[tuple[int, int]] = []
    if prefix:
        for start in _nearest(ngrams.find_all(prefix), hint):
            end = start + len(prefix)
            windows.append((end - limit, end + length + 2 * limit))
    if suffix:
        for start in _nearest(ngrams.find_all(suffix), hint):
            windows.append((start - length - 2 * limit, start + limit))
    pieces = length // PIECE_LENGTH
    near = pieces - 1  # edits a place may have and still keep one piece intact
    if near > 0:
        for index in range(pieces):
            offset = index * PIECE_LENGTH
            piece = quote[offset : offset + PIECE_LENGTH] if index < near else quote[offset:]
            found = ngrams.find_all(piece)
            if len(found) > _MAX_PIECE_SCAN:
                continue  # too common to tell anything; another piece is likelier intact
            for start in _nearest(found, hint):
                windows.append((start - offset - 2 * near, start - offset + length + 2 * near))
    return _merged(windows)


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping windows joined, in text order."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(windows):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((max(0, low), high))
    return merged


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
