"""How candidate places for a quote are scored, and the thresholds that decide a status.

The score follows Hypothesis's ``matchQuote``: ``(50·quote + 20·prefix + 20·suffix + 2·position)
/ 92``, each part a similarity in [0, 1]. Unlike Hypothesis, which accepts any place within
``min(256, len/2)`` errors, Dossier also requires a minimum quote similarity and a minimum
score, because a highlight on the wrong passage is far worse than an orphan.

Measured on the benchmark's English-like text (``benchmarks/reanchor.py``), re-anchoring its
clause-sized quotes on a *different* text of the same kind: 48 % of them have a place within
Hypothesis's ``len/2`` errors there, 4.5 % within ``len/4``, and none passes both thresholds
below. Stored context (32 code points) next to a random place is on average 0.26 similar, 0.44
at the 99th percentile.
"""

from __future__ import annotations

import edlib

QUOTE_WEIGHT = 50
PREFIX_WEIGHT = 20
SUFFIX_WEIGHT = 20
POSITION_WEIGHT = 2
_TOTAL_WEIGHT = QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT

#: At most one edit per four code points of the (layout-free) quote: a fuzzy match keeps at
#: least 75 % of the quote. Typo fixes, changed figures and a re-worded word stay within it.
MAX_ERROR_RATIO = 0.25

#: A fuzzy candidate also needs this overall score. With its context intact a place scores at
#: least 0.84 at the error limit; with 25 % of the quote wrong, one side of context must match
#: well; with context new on both sides (about 0.26 each) not even a one-edit quote passes.
MIN_FUZZY_SCORE = 0.7

#: A side of context "supports" a place when it is at least this similar to the stored one
#: (above what random context reaches 99 times in 100).
CONTEXT_SUPPORT = 0.5

#: Context must be this much better at one verbatim occurrence than at any other to pick it.
CONTEXT_MARGIN = 0.1

#: Among occurrences with equally good context, the nearest to the expected position is taken
#: as certain when the next one is at least twice as far away plus this many code points.
POSITION_MARGIN = 64

#: A verbatim quote this long (in code points) that occurs exactly once is taken as the same
#: passage even when all its context changed; shorter ones are then only ``fuzzy``.
DISTINCTIVE_LENGTH = 12


def max_errors(quote_length: int) -> int:
    """The most edits a fuzzy match of a quote of ``quote_length`` code points may have."""
    return int(quote_length * MAX_ERROR_RATIO)


def side_similarity(stored: str, window: str) -> float:
    """How well stored context ``stored`` is found in the text ``window`` next to a candidate.

    ``1 - errors/len(stored)`` for the best approximate occurrence of ``stored`` inside
    ``window`` (as Hypothesis scores prefix and suffix); 1.0 when nothing was stored and 0.0
    when the window is empty.
    """
    if not stored or stored == window:
        return 1.0
    if not window:
        return 0.0
    errors = int(edlib.align(stored, window, mode="HW", task="distance")["editDistance"])
    return max(0.0, 1.0 - errors / len(stored))


def position_similarity(start: int, hint: int, text_length: int) -> float:
    """1.0 at the expected position, falling linearly to 0.0 a whole text length away."""
    return max(0.0, 1.0 - abs(start - hint) / max(1, text_length))


def combined_score(quote: float, prefix: float, suffix: float, position: float) -> float:
    """Hypothesis's weighted score of a candidate, in [0, 1]."""
    total = (
        QUOTE_WEIGHT * quote
        + PREFIX_WEIGHT * prefix
        + SUFFIX_WEIGHT * suffix
        + POSITION_WEIGHT * position
    )
    return total / _TOTAL_WEIGHT
