"""Approximate search: every place where a quote occurs with the fewest edits, up to a bound.

This is the contract of Hypothesis's ``approx-string-match`` (Myers' bit-vector algorithm): all
end positions with the lowest edit distance not above ``max_errors``, each with a start. We use
edlib, the same algorithm in C++, which handles patterns of any length (no 32- or 64-symbol
limit) but at most 256 distinct symbols in pattern and text together. Both are therefore
re-encoded as bytes first:

- when the searched text has at most 254 distinct characters (most documents in alphabetic
  scripts), each gets a fixed byte once per document and quote characters absent from the text
  get byte 255, which matches nothing in the text;
- otherwise (CJK and other large alphabets) the encoding is made per search: the quote's
  characters get their own bytes and every other character of the searched region the sentinel
  byte 255. Distances are unchanged, since a text character absent from the quote mismatches
  every quote character either way. A quote with more than 254 distinct characters shares byte
  254 among its rarest ones; that can only make a place look better than it is, and every
  candidate is re-measured on the real characters afterwards.
"""

from __future__ import annotations

from collections import Counter

import edlib

_SENTINEL = 255
_SHARED = 254


class ApproximateSearcher:
    """Runs approximate searches of quotes over one (projected) text."""

    __slots__ = ("_codes", "_encoded", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        alphabet = sorted(set(text))
        self._codes: dict[str, int] | None = None
        self._encoded: bytes | None = None
        if len(alphabet) <= _SHARED:
            self._codes = {char: code for code, char in enumerate(alphabet)}
            table = {ord(char): chr(code) for char, code in self._codes.items()}
            self._encoded = text.translate(table).encode("latin-1")

    def search(
        self, quote: str, start: int, end: int, max_errors: int
    ) -> tuple[int, list[tuple[int, int]]]:
        """Lowest-distance occurrences of ``quote`` in ``text[start:end]``.

        Returns ``(distance, [(match_start, match_end), ...])`` with offsets into the whole text
        and exclusive ends, or ``(-1, [])`` when no place is within ``max_errors`` edits.
        """
        start = max(0, start)
        end = min(len(self.text), end)
        if not quote or start >= end or max_errors < 0:
            return -1, []
        if self._codes is not None and self._encoded is not None:
            codes = self._codes
            pattern = bytes(codes.get(char, _SENTINEL) for char in quote)
            target = self._encoded[start:end]
        else:
            pattern, target = _encode_locally(quote, self.text[start:end])
        result = edlib.align(pattern, target, mode="HW", task="locations", k=max_errors)
        distance = int(result["editDistance"])
        if distance < 0:
            return -1, []
        locations = sorted(
            {
                (start + match_start, start + match_end + 1)
                for match_start, match_end in result["locations"]
            }
        )
        return distance, locations


def _encode_locally(quote: str, region: str) -> tuple[bytes, bytes]:
    """Encode a quote and a region so that together they use at most 256 byte values."""
    ranked = [char for char, _ in Counter(quote).most_common()]
    codes = {char: min(code, _SHARED) for code, char in enumerate(ranked)}
    pattern = bytes(codes[char] for char in quote)
    table = {ord(char): chr(codes.get(char, _SENTINEL)) for char in set(region)}
    return pattern, region.translate(table).encode("latin-1")
