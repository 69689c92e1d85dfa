"""Finding every occurrence of a longer string in a long text without scanning the text.

The index keeps, for every ``STEP``-th position of the text, the ``GRAM`` characters starting
there. Any occurrence of a needle of at least :data:`MIN_LENGTH` characters contains exactly
one such sampled position whose gram lies wholly inside the needle, so looking up the
needle's ``STEP`` grams (one per offset) and checking each hit finds all occurrences. Building
it costs one pass over an eighth of the text's positions, paid only when a whole-text search
is first needed.
"""

from __future__ import annotations

GRAM = 8
STEP = 8
#: Shortest needle the index can find.
MIN_LENGTH = GRAM + STEP - 1


class NgramIndex:
    """Sampled n-gram positions of one text."""

    __slots__ = ("_positions", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        positions: dict[str, list[int]] = {}
        for start in range(0, len(text) - GRAM + 1, STEP):
            gram = text[start : start + GRAM]
            found = positions.get(gram)
            if found is None:
                positions[gram] = [start]
            else:
                found.append(start)
        self._positions = positions

    def find_all(self, needle: str, limit: int | None = None) -> list[int]:
        """Every start offset of ``needle`` in the text, ascending (at most ``limit`` + 1).

        Needles shorter than :data:`MIN_LENGTH` are searched with ``str.find``, which is
        where ``limit`` saves time: such needles can occur very often.
        """
        text = self.text
        if len(needle) < MIN_LENGTH:
            found: list[int] = []
            position = text.find(needle)
            while position >= 0 and (limit is None or len(found) <= limit):
                found.append(position)
                position = text.find(needle, position + 1)
            return found
        starts: set[int] = set()
        for offset in range(STEP):
            for sampled in self._positions.get(needle[offset : offset + GRAM], ()):
                start = sampled - offset
                if start >= 0 and text.startswith(needle, start):
                    starts.add(start)
        return sorted(starts)

    def contains(self, needle: str) -> bool:
        """Whether ``needle`` occurs in the text."""
        if len(needle) < MIN_LENGTH:
            return needle in self.text
        for offset in range(STEP):
            for sampled in self._positions.get(needle[offset : offset + GRAM], ()):
                start = sampled - offset
                if start >= 0 and self.text.startswith(needle, start):
                    return True
        return False
