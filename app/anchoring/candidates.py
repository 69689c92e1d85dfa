"""Places a quote might now occupy, how they score, and how one of several is chosen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.anchoring.projection import Projection, project
from app.anchoring.result import AnchorStatus
from app.anchoring.scoring import (
    CONTEXT_MARGIN,
    CONTEXT_SUPPORT,
    POSITION_MARGIN,
    combined_score,
    position_similarity,
    side_similarity,
)
from app.anchoring.selector import Selectors


class Target:
    """An annotation's selectors plus their layout-free forms, projected on first use."""

    __slots__ = ("_projected", "selectors")

    def __init__(self, selectors: Selectors) -> None:
        self.selectors = selectors
        self._projected: tuple[str, str, str] | None = None

    @property
    def projected(self) -> tuple[str, str, str]:
        """The projected ``(exact, prefix, suffix)``."""
        if self._projected is None:
            s = self.selectors
            self._projected = (project(s.exact), project(s.prefix), project(s.suffix))
        return self._projected


class Space(Protocol):
    """A text in which candidates are measured: the raw text or its projection."""

    @property
    def text(self) -> str:
        """The text offsets refer to."""
        ...

    def prefix_similarity(self, start: int, target: Target) -> float:
        """How well the stored prefix matches the text before ``start``."""
        ...

    def suffix_similarity(self, end: int, target: Target) -> float:
        """How well the stored suffix matches the text from ``end`` on."""
        ...


class RawSpace:
    """Offsets into the raw text; context is compared layout-free (raw equality first)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def prefix_similarity(self, start: int, target: Target) -> float:
        """See :class:`Space`."""
        prefix = target.selectors.prefix
        if start >= len(prefix) and self.text.startswith(prefix, start - len(prefix)):
            return 1.0
        stored = target.projected[1]
        return side_similarity(stored, self._projected_before(start, len(stored)))

    def suffix_similarity(self, end: int, target: Target) -> float:
        """See :class:`Space`."""
        suffix = target.selectors.suffix
        if self.text.startswith(suffix, end):
            return 1.0
        stored = target.projected[2]
        return side_similarity(stored, self._projected_after(end, len(stored)))

    def _projected_before(self, position: int, count: int) -> str:
        """The last ``count`` layout-free characters before raw ``position``."""
        if count == 0:
            return ""
        width = 2 * count + 16
        while True:
            low = max(0, position - width)
            window = project(self.text[low:position])
            if len(window) >= count or low == 0:
                return window[-count:]
            width *= 4

    def _projected_after(self, position: int, count: int) -> str:
        """The first ``count`` layout-free characters from raw ``position`` on."""
        if count == 0:
            return ""
        width = 2 * count + 16
        while True:
            high = position + width
            window = project(self.text[position:high])
            if len(window) >= count or high >= len(self.text):
                return window[:count]
            width *= 4


class ProjectedSpace:
    """Offsets into the projected text; context is compared there directly."""

    __slots__ = ("projection", "text")

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self.text = projection.text

    def prefix_similarity(self, start: int, target: Target) -> float:
        """See :class:`Space`."""
        stored = target.projected[1]
        return side_similarity(stored, self.text[max(0, start - len(stored)) : start])

    def suffix_similarity(self, end: int, target: Target) -> float:
        """See :class:`Space`."""
        stored = target.projected[2]
        return side_similarity(stored, self.text[end : end + len(stored)])


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible place ``[start, end)`` in a space, with its similarities in [0, 1]."""

    start: int
    end: int
    quote: float
    prefix: float
    suffix: float
    distance: int  # |start - hint|
    position: float

    @property
    def score(self) -> float:
        """Hypothesis's weighted score."""
        return combined_score(self.quote, self.prefix, self.suffix, self.position)

    @property
    def context(self) -> float:
        """Mean similarity of prefix and suffix."""
        return (self.prefix + self.suffix) / 2

    @property
    def supported(self) -> bool:
        """Whether at least one side of the stored context is found next to it."""
        return max(self.prefix, self.suffix) >= CONTEXT_SUPPORT


def measure(
    space: Space, target: Target, start: int, end: int, *, quote: float, hint: int
) -> Candidate:
    """Score the place ``[start, end)`` whose quote similarity is already known."""
    return Candidate(
        start=start,
        end=end,
        quote=quote,
        prefix=space.prefix_similarity(start, target),
        suffix=space.suffix_similarity(end, target),
        distance=abs(start - hint),
        position=position_similarity(start, hint, len(space.text)),
    )


def choose_verbatim(
    candidates: list[Candidate], *, complete: bool, distinctive: bool
) -> tuple[Candidate, AnchorStatus] | None:
    """Pick among verbatim occurrences of a quote, and say how sure the pick is.

    ``complete`` tells whether ``candidates`` are all occurrences in the text (else they are
    those of a local region, and None means "look at the whole text"). The rules:

    - a single occurrence is ``exact`` when its context supports it or the quote is
      distinctive (see :data:`~app.anchoring.scoring.DISTINCTIVE_LENGTH`), else ``fuzzy``;
    - among several, the one whose context is clearly best (by
      :data:`~app.anchoring.scoring.CONTEXT_MARGIN`) and supports it is ``exact``;
    - among several with equally good, supporting context, the one nearest the expected
      position is ``exact`` if it is clearly the nearest (the next is at least twice as far, plus
      :data:`~app.anchoring.scoring.POSITION_MARGIN`);
    - otherwise the best-scoring occurrence is ``fuzzy``: the quote is right, its place is not
      certain.
    """
    best = max(candidates, key=lambda c: (c.score, -c.start))
    if len(candidates) == 1:
        if best.supported:
            return best, "exact"
        if not complete:
            return None
        return best, "exact" if distinctive else "fuzzy"
    rival_context = max(c.context for c in candidates if c is not best)
    if best.supported and best.context >= rival_context + CONTEXT_MARGIN:
        return best, "exact"
    tied = sorted(
        (c for c in candidates if c.context >= best.context - CONTEXT_MARGIN),
        key=lambda c: (c.distance, c.start),
    )
    nearest = tied[0]
    runner_up = tied[1] if len(tied) > 1 else None
    if nearest.supported and (
        runner_up is None or runner_up.distance >= 2 * nearest.distance + POSITION_MARGIN
    ):
        return nearest, "exact"
    if not complete:
        return None
    return best, "fuzzy"
