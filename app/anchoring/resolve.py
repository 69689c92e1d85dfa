"""The anchoring procedure for one annotation, given where it is expected to be.

Order (first that succeeds wins):

1. the stored position still holds the quote;
2. the position predicted from its neighbours (bulk re-anchoring) holds it;
3. verbatim occurrences of the quote, first in the expected region, then in the whole text,
   chosen by :func:`~app.anchoring.candidates.choose_verbatim`;
4. the same on the layout-free projection (line breaks, spaces, hyphenation ignored);
5. approximate matching on the projection (:mod:`app.anchoring.fuzzy`);
6. orphaned.
"""

from __future__ import annotations

from app.anchoring.candidates import (
    Candidate,
    ProjectedSpace,
    RawSpace,
    Space,
    Target,
    choose_verbatim,
    measure,
)
from app.anchoring.fuzzy import find_fuzzy
from app.anchoring.index import TextIndex
from app.anchoring.result import ORPHANED, AnchorMethod, AnchorResult, AnchorStatus
from app.anchoring.scoring import DISTINCTIVE_LENGTH

#: A region of the text, ``[start, end)`` in raw code points.
Region = tuple[int, int]

_HYPHENS = "-\u2010"
_INVISIBLE = "\u00ad\u200b"

#: Verbatim occurrences counted in the whole text before giving up on counting.
_MAX_OCCURRENCES = 2000
#: Of many occurrences, at most this many nearest the expected position are scored in full
#: (plus every one whose stored context matches verbatim on a side).
_MAX_SCORED = 100


class Resolver:
    """Places annotations on one new text (see the module docstring for the order)."""

    __slots__ = ("_projected_space", "_raw_space", "index")

    def __init__(self, index: TextIndex) -> None:
        self.index = index
        self._raw_space = RawSpace(index.text)
        self._projected_space: ProjectedSpace | None = None

    @property
    def projected_space(self) -> ProjectedSpace:
        """The projection as a space to measure candidates in (built on first use)."""
        if self._projected_space is None:
            self._projected_space = ProjectedSpace(self.index.projection)
        return self._projected_space

    def verify_position(self, target: Target, start: int) -> bool:
        """Whether the quote is verbatim at ``start`` and is distinctive or has context there."""
        s = target.selectors
        text = self.index.text
        if start < 0 or not s.exact or not text.startswith(s.exact, start):
            return False
        if len(s.exact) >= DISTINCTIVE_LENGTH:
            return True
        end = start + len(s.exact)
        before = start >= len(s.prefix) and text.startswith(s.prefix, start - len(s.prefix))
        return before or text.startswith(s.suffix, end)

    def resolve(self, target: Target, hint: int, regions: list[Region]) -> AnchorResult:
        """Anchor one annotation expected near ``hint``, looking in ``regions`` before the rest."""
        s = target.selectors
        if not s.exact:
            return ORPHANED
        for start in dict.fromkeys((s.start, hint)):
            if self.verify_position(target, start):
                return AnchorResult(start, start + len(s.exact), "exact", 1.0, "position")
        found = self._verbatim_raw(target, hint, regions)
        if found is not None:
            return found
        quote = target.projected[0]
        if not quote:
            return ORPHANED
        projection = self.index.projection
        projected_hint = projection.to_projected(hint)
        projected_regions = [
            (projection.to_projected(low), projection.to_projected(high)) for low, high in regions
        ]
        found = self._verbatim_projected(target, projected_hint, projected_regions)
        if found is not None:
            return found
        space = self.projected_space
        for low, high in self._with_whole_text(projected_regions, len(space.text)):
            candidate = find_fuzzy(
                space, self.index, target, hint=projected_hint, low=low, high=high
            )
            if candidate is not None:
                return self._projected_result(candidate, "fuzzy", "approximate")
        return ORPHANED

    def _verbatim_raw(
        self, target: Target, hint: int, regions: list[Region]
    ) -> AnchorResult | None:
        """Step 3: verbatim occurrences of the raw quote."""
        chosen = self._verbatim(self._raw_space, target, target.selectors.exact, hint, regions)
        if chosen is None:
            return None
        candidate, status = chosen
        return AnchorResult(candidate.start, candidate.end, status, candidate.score, "quote")

    def _verbatim_projected(
        self, target: Target, hint: int, regions: list[Region]
    ) -> AnchorResult | None:
        """Step 4: verbatim occurrences of the quote, layout ignored."""
        space = self.projected_space
        chosen = self._verbatim(space, target, target.projected[0], hint, regions)
        if chosen is None:
            return None
        candidate, status = chosen
        return self._projected_result(candidate, status, "layout")

    def _projected_result(
        self, candidate: Candidate, status: AnchorStatus, method: AnchorMethod
    ) -> AnchorResult:
        start, end = self.index.projection.to_raw_range(candidate.start, candidate.end)
        return AnchorResult(start, end, status, candidate.score, method)

    def _verbatim(
        self, space: Space, target: Target, quote: str, hint: int, regions: list[Region]
    ) -> tuple[Candidate, AnchorStatus] | None:
        """Choose among occurrences of ``quote`` in ``space``: regions first, then everywhere."""
        text = space.text
        distinctive = len(target.selectors.exact) >= DISTINCTIVE_LENGTH
        for low, high in regions:
            starts = _occurrences(text, quote, low, high, _MAX_SCORED)
            if starts:
                candidates = [
                    measure(space, target, start, start + len(quote), quote=1.0, hint=hint)
                    for start in starts
                ]
                chosen = choose_verbatim(candidates, complete=False, distinctive=distinctive)
                if chosen is not None:
                    return chosen
        starts = self._everywhere(space, target, quote)
        if not starts:
            return None
        if len(starts) > _MAX_SCORED:
            starts = self._worth_scoring(space, target, starts, len(quote), hint)
        candidates = [
            measure(space, target, start, start + len(quote), quote=1.0, hint=hint)
            for start in starts
        ]
        return choose_verbatim(candidates, complete=True, distinctive=distinctive)

    def _everywhere(self, space: Space, target: Target, quote: str) -> list[int]:
        """All occurrences of ``quote`` in ``space`` (at most ``_MAX_OCCURRENCES + 1``).

        Looked up in the n-gram index of the projection rather than scanned: a raw occurrence
        of the quote always contains an occurrence of its projection's *core* (the projection
        less hyphens at its edges), starting at the quote's first character that is neither
        layout nor a hyphen; each is checked against the raw text.
        """
        ngrams = self.index.ngrams
        if isinstance(space, ProjectedSpace):
            return ngrams.find_all(quote, _MAX_OCCURRENCES)[: _MAX_OCCURRENCES + 1]
        text = space.text
        core = target.projected[0].strip(_HYPHENS)
        if not core:
            return _occurrences(text, quote, 0, len(text), _MAX_OCCURRENCES)
        lead = _leading_layout(quote)
        projection = self.index.projection
        starts = []
        for position in ngrams.find_all(core, _MAX_OCCURRENCES):
            start = projection.to_raw_start(position) - lead
            if start >= 0 and text.startswith(quote, start):
                starts.append(start)
                if len(starts) > _MAX_OCCURRENCES:
                    break
        return starts

    @staticmethod
    def _worth_scoring(
        space: Space, target: Target, starts: list[int], length: int, hint: int
    ) -> list[int]:
        """Of very many occurrences: those nearest ``hint`` and those with verbatim context."""
        nearest = sorted(starts, key=lambda start: abs(start - hint))[:_MAX_SCORED]
        text = space.text
        prefix, suffix = (target.selectors.prefix, target.selectors.suffix)
        if isinstance(space, ProjectedSpace):
            prefix, suffix = target.projected[1], target.projected[2]
        with_context = [
            start
            for start in starts
            if (prefix and start >= len(prefix) and text.startswith(prefix, start - len(prefix)))
            or (suffix and text.startswith(suffix, start + length))
        ]
        return sorted(set(nearest).union(with_context))

    @staticmethod
    def _with_whole_text(regions: list[Region], length: int) -> list[Region]:
        """The regions, then the whole text unless a region already covers it."""
        if any(low <= 0 and high >= length for low, high in regions):
            return [(max(0, low), min(length, high)) for low, high in regions]
        return [*regions, (0, length)]


def _leading_layout(quote: str) -> int:
    """How many code points the quote starts with that are layout or hyphens."""
    lead = 0
    while lead < len(quote) and (
        quote[lead] in _HYPHENS or quote[lead] in _INVISIBLE or quote[lead].isspace()
    ):
        lead += 1
    return lead


def _occurrences(text: str, needle: str, low: int, high: int, limit: int) -> list[int]:
    """Start offsets of ``needle`` lying wholly in ``text[low:high]``, at most ``limit + 1``."""
    low = max(0, low)
    found: list[int] = []
    position = text.find(needle, low, high)
    while position >= 0:
        found.append(position)
        if len(found) > limit:
            break
        position = text.find(needle, position + 1, high)
    return found
