"""A layout-free view of a text, for matching PDF text that was extracted differently.

Re-extracting a PDF page can break lines elsewhere (``"\\n"`` versus ``" "``), drop or insert
spaces, and hyphenate words at line ends (``"forced-\\nlabour"`` versus ``"forced labour"`` or
``"forcedlabour"``). The *projection* of a text removes exactly those layout characters:

- every whitespace character (Unicode ``\\s``), soft hyphens (U+00AD) and zero-width spaces;
- a hyphen (``-`` or U+2010) that follows a letter and is followed by whitespace, together with
  that whitespace: the hyphen a typesetter adds when breaking a word at a line end.

Everything else is kept, in order, so two texts whose projections are equal differ only in
layout. A hyphen between letters (``"forced-labour"``) and a minus sign (``"-5 %"``) are kept, as
they carry meaning. A :class:`Projection` maps projected offsets back to raw offsets; a projected
match maps to the raw range from its first to its last kept character, so it never takes in
layout characters beyond its own ends.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, chain

_LAYOUT_RUN = re.compile(r"([\s\u00ad\u200b]+)")
_BREAK_HYPHEN = re.compile(r"[-\u2010](?=[\s\u00ad\u200b])")


def _cut(raw: str) -> tuple[list[str], list[int]]:
    """The kept segments of ``raw`` and the raw length of the layout run after each.

    There is one more segment than runs; segments may be empty. Splitting on whitespace runs
    and then moving each line-end hyphen into the run after it is several times faster than
    one regular expression with a look-behind.
    """
    parts = _LAYOUT_RUN.split(raw)
    kept = parts[0::2]
    runs = list(map(len, parts[1::2]))
    if "-" in raw or "\u2010" in raw:
        hyphens = [
            match.start()
            for match in _BREAK_HYPHEN.finditer(raw)
            if match.start() > 0 and raw[match.start() - 1].isalpha()
        ]
        if hyphens:
            starts = _segment_starts(kept, runs)
            for hyphen in hyphens:
                # A hyphen followed by layout always ends its segment.
                segment = bisect_right(starts, hyphen) - 1
                kept[segment] = kept[segment][:-1]
                runs[segment] += 1
    return kept, runs


def _segment_starts(kept: list[str], runs: list[int]) -> list[int]:
    """Raw offset of each kept segment."""
    lengths = chain.from_iterable(zip(map(len, kept), runs, strict=False))
    return list(accumulate(lengths, initial=0))[0::2]


def project(text: str) -> str:
    """The layout-free form of ``text`` (see the module docstring)."""
    if not text:
        return text
    return "".join(_cut(text)[0])


class Projection:
    """The projection of one raw text, with offset maps in both directions.

    The raw text is cut into *kept segments* (maximal runs without layout characters); segment
    ``i`` starts at raw offset ``raw_starts[i]`` and projected offset ``projected_starts[i]``.
    Lookups are binary searches over those lists.
    """

    __slots__ = ("_projected_starts", "_raw_starts", "raw_length", "text")

    def __init__(self, raw: str) -> None:
        kept, runs = _cut(raw)
        self.text = "".join(kept)
        self.raw_length = len(raw)
        self._raw_starts = _segment_starts(kept, runs)
        self._projected_starts = list(accumulate(map(len, kept), initial=0))[:-1]

    def to_raw_start(self, position: int) -> int:
        """Raw offset of the projected character at ``position`` (``0 <= position < len``)."""
        segment = bisect_right(self._projected_starts, position) - 1
        return self._raw_starts[segment] + position - self._projected_starts[segment]

    def to_raw_end(self, position: int) -> int:
        """Raw end offset for a projected range ending at ``position`` (``position >= 1``).

        That is one past the raw offset of the projected character ``position - 1``, so layout
        characters after the range stay outside it.
        """
        return self.to_raw_start(position - 1) + 1

    def to_raw_range(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering the non-empty projected range ``[start, end)``."""
        return self.to_raw_start(start), self.to_raw_end(end)

    def to_projected(self, raw_position: int) -> int:
        """Projected offset of the first kept character at or after ``raw_position``."""
        raw_position = min(max(raw_position, 0), self.raw_length)
        segment = bisect_right(self._raw_starts, raw_position) - 1
        if segment + 1 < len(self._projected_starts):
            length = self._projected_starts[segment + 1] - self._projected_starts[segment]
        else:
            length = len(self.text) - self._projected_starts[segment]
        offset = raw_position - self._raw_starts[segment]
        return self._projected_starts[segment] + min(offset, length)
