"""The canonical text model: NFC, ``\\n`` line ends, no NUL; offsets are code points."""

from __future__ import annotations

import unicodedata

_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x85": "\n"}


def normalise(text: str) -> str:
    """Return ``text`` in Dossier's canonical form (NFC, ``\\n`` line ends, no NUL)."""
    text = text.replace("\x00", "")
    for old, new in _LINE_BREAKS.items():
        if old in text:
            text = text.replace(old, new)
    return unicodedata.normalize("NFC", text)
