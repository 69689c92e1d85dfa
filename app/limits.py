"""Size limits shared by every way text gets into a dossier.

One limit for notes holds for notes typed, imported from JSON-LD, bundles and REFI-QDA alike, and
it leaves room in the exchange formats' per-annotation limits, so Dossier always re-imports its
own exports.
"""

from __future__ import annotations

#: Longest note (in characters) an annotation may carry.
MAX_NOTE_CHARS = 512 * 1024
#: Longest attribution, author or reviewer name and review reason (in characters).
MAX_FIELD_CHARS = 64 * 1024


def invalid_text(value: str) -> bool:
    """True when ``value`` cannot be stored as UTF-8 (it holds a lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
