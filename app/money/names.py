"""Comparing names across scripts: normalised keys and phonetic blocking keys.

``normality`` (ICU transliteration) turns "Пётр Сидоров" into "petr sidorov"; rigour's soundex
gives each token a key that survives transliteration variants ("petr"/"pyotr" -> P360).
"""

from __future__ import annotations

from functools import lru_cache

from normality import ascii_text
from rigour.text import metaphone, soundex

#: Words that say what kind of organisation something is; they do not tell two names apart.
_NOISE = frozenset({
    "the", "of", "and", "co", "company", "corp", "corporation", "ltd", "limited", "llc", "inc",
    "jsc", "ooo", "oao", "pao", "zao", "group", "gmbh", "ag", "sa", "plc", "bank", "trading",
})


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Lower-case ASCII transliteration with single spaces: the form names are compared in."""
    text = ascii_text(name) or ""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return " ".join(cleaned.split())


def tokens(name: str) -> list[str]:
    """The distinguishing tokens of a name (no legal-form words, at least two letters)."""
    return [t for t in name_key(name).split() if len(t) > 1 and t not in _NOISE]


def block_keys(name: str) -> set[str]:
    """Phonetic keys of a name's tokens, used to find candidates before scoring."""
    return {soundex(t) for t in tokens(name) if t.isalpha()} | {
        t for t in tokens(name) if not t.isalpha()
    }


def phonetic_key(name: str) -> str:
    """The name as metaphone codes of its tokens ("Park Soon-hee" -> "PRK SN H")."""
    return " ".join(metaphone(t) if t.isalpha() else t for t in name_key(name).split())
