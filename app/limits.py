"""Size limits shared by every way text gets into a dossier.

One limit for notes holds for notes typed, imported from JSON-LD, bundles and REFI-QDA alike, and
the exchange formats' per-annotation limits leave room for it (JSON-LD:
:data:`MAX_ITEM_CHARS`), so Dossier always re-imports its own exports.
"""

from __future__ import annotations

#: Longest note (in characters) an annotation may carry (reports hold notes of 10 MB).
MAX_NOTE_CHARS = 10 * 1024 * 1024
#: Longest attribution, author or reviewer name and review reason (in characters).
MAX_FIELD_CHARS = 64 * 1024


def invalid_text(value: str) -> bool:
    """True when ``value`` cannot be stored as UTF-8 (it holds a lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: Largest JSON text of one annotation in a set: a longest note with every character escaped
#: twice over, plus its selectors and fields.
MAX_ITEM_CHARS = 2 * MAX_NOTE_CHARS + 1024 * 1024
