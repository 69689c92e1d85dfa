"""A new document text prepared once for anchoring many annotations on it."""

from __future__ import annotations

from app.anchoring.approximate import ApproximateSearcher
from app.anchoring.ngrams import NgramIndex
from app.anchoring.projection import Projection


class TextIndex:
    """The text plus its layout-free projection and search encoding, each built on first use.

    Most annotations are placed by looking at their stored or predicted position, or by a plain
    ``str.find`` near it; only the rest pay for the projection (one regular-expression pass),
    the byte encoding used by approximate search and the n-gram index used for whole-text
    lookups.
    """

    __slots__ = ("_ngrams", "_projection", "_searcher", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._projection: Projection | None = None
        self._searcher: ApproximateSearcher | None = None
        self._ngrams: NgramIndex | None = None

    @property
    def projection(self) -> Projection:
        """The layout-free projection of the text, with its offset maps."""
        if self._projection is None:
            self._projection = Projection(self.text)
        return self._projection

    @property
    def searcher(self) -> ApproximateSearcher:
        """Approximate search over the projected text."""
        if self._searcher is None:
            self._searcher = ApproximateSearcher(self.projection.text)
        return self._searcher

    @property
    def ngrams(self) -> NgramIndex:
        """Whole-text occurrence lookups in the projected text."""
        if self._ngrams is None:
            self._ngrams = NgramIndex(self.projection.text)
        return self._ngrams
