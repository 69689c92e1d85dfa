"""The one place where code-point offsets meet Qt's UTF-16 positions.

Dossier stores every offset as a Unicode code-point index into a document's canonical text
(a Python ``str``). Qt (``QTextCursor.position()``, ``QString`` indices) counts UTF-16 code
units, where every character outside the Basic Multilingual Plane (emoji, some CJK, historic
scripts) takes two units: a surrogate pair. Everything else (Latin, Arabic, Hebrew, most CJK,
combining marks) is one unit in both. Convert at the edge, here, and nowhere else.

This module is pure Python, so it is tested without a display; nothing here imports Qt.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Map:
    """Converts offsets in one text between code points and UTF-16 code units.

    Built once per text in O(number of astral characters) memory; each conversion is a
    binary search over the astral characters' positions, and the identity when there are none.
    Offsets run from 0 to the length inclusive (an offset is a gap between characters).

    A UTF-16 position inside a surrogate pair (between its two units) is not a character
    boundary; :meth:`to_codepoint` maps it to the start of that character, or to its end with
    ``round_up=True``.
    """

    __slots__ = ("_astral", "_astral_utf16", "codepoint_length", "utf16_length")

    def __init__(self, text: str) -> None:
        #: Code-point offsets of the astral characters, ascending.
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]
        #: UTF-16 offsets of their first (high-surrogate) unit, ascending.
        self._astral_utf16 = [offset + index for index, offset in enumerate(self._astral)]
        self.codepoint_length = len(text)
        self.utf16_length = len(text) + len(self._astral)

    @property
    def is_identity(self) -> bool:
        """True when the text has no astral characters, so both offsets are equal."""
        return not self._astral

    def to_utf16(self, codepoint: int) -> int:
        """The UTF-16 offset of code-point offset ``codepoint`` (0 to the length inclusive)."""
        if not 0 <= codepoint <= self.codepoint_length:
            raise IndexError(f"code-point offset {codepoint} outside 0..{self.codepoint_length}")
        if not self._astral:
            return codepoint
        return codepoint + bisect_left(self._astral, codepoint)

    def to_codepoint(self, utf16: int, *, round_up: bool = False) -> int:
        """The code-point offset of UTF-16 offset ``utf16`` (0 to the UTF-16 length inclusive).

        Inside a surrogate pair, the start of that character (or its end with ``round_up``).
        """
        if not 0 <= utf16 <= self.utf16_length:
            raise IndexError(f"UTF-16 offset {utf16} outside 0..{self.utf16_length}")
        if not self._astral:
            return utf16
        # Astral characters that start before ``utf16``; one starting at utf16 - 1 has
        # ``utf16`` between its two units.
        before = bisect_left(self._astral_utf16, utf16)
        inside = before > 0 and self._astral_utf16[before - 1] == utf16 - 1
        codepoint = utf16 - before
        return codepoint + 1 if inside and round_up else codepoint

    def to_utf16_range(self, start: int, end: int) -> tuple[int, int]:
        """A code-point range ``[start, end)`` in UTF-16 offsets."""
        return self.to_utf16(start), self.to_utf16(end)

    def to_codepoint_range(self, start: int, end: int) -> tuple[int, int]:
        """A UTF-16 range in code points, widened to whole characters at split surrogates."""
        return self.to_codepoint(start), self.to_codepoint(end, round_up=True)
