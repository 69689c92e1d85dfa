"""Comparing names across scripts: normalised keys and phonetic blocking keys.

``normality`` (ICU transliteration) turns "Пётр Сидоров" into "petr sidorov"; rigour's soundex
gives each token a key that survives transliteration variants ("petr"/"pyotr" -> P360).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from normality import ascii_text
from rigour.text import metaphone, soundex

#: Words that say what kind of organisation something is; they do not tell two names apart.
_NOISE = frozenset({
    "the", "of", "and", "co", "company", "corp", "corporation", "ltd", "limited", "llc", "inc",
    "jsc", "ooo", "oao", "pao", "zao", "group", "gmbh", "ag", "sa", "plc", "bank", "trading",
})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
#: At most this many tokens of a name make pair keys (a very long name is known by its first).
_PAIR_TOKENS = 5


@lru_cache(maxsize=500_000)
def name_key(name: str) -> str:
    """Lower-case ASCII transliteration with single spaces: the form names are compared in."""
    text = name if name.isascii() else (ascii_text(name) or "")
    return _NOT_ALNUM.sub(" ", text.lower()).strip()


def tokens(name: str) -> list[str]:
    """The distinguishing tokens of a name (no legal-form words, at least two letters)."""
    return [t for t in name_key(name).split() if len(t) > 1 and t not in _NOISE]


_CODES: dict[str, str] = {}
_SOUNDS: dict[str, str] = {}


def _code(token: str) -> str:
    """Soundex of a word (a number stays itself); memoised, tokens repeat across names."""
    code = _CODES.get(token)
    if code is None:
        code = _CODES[token] = soundex(token) if token.isalpha() else token
    return code


def block_keys(name: str) -> set[str]:
    """Phonetic keys of a name's tokens (soundex; digits as they are)."""
    return {_code(t) for t in tokens(name)}


def pair_keys(name: str) -> set[str]:
    """Blocking keys that need two tokens to sound alike: "petr sidorov" -> {"P360|S361"}.

    A name of one distinguishing token has that token's key alone.
    """
    codes = sorted({_code(t) for t in name_key(name).split()
                    if len(t) > 1 and t not in _NOISE})[:_PAIR_TOKENS]
    if len(codes) <= 1:
        return set(codes)
    return {f"{a}|{b}" for a, b in combinations(codes, 2)}


def _sound(token: str) -> str:
    code = _SOUNDS.get(token)
    if code is None:
        code = _SOUNDS[token] = metaphone(token) if token.isalpha() else token
    return code


def phonetic_key(name: str) -> str:
    """The name as metaphone codes of its tokens ("Park Soon-hee" -> "PRK SN H")."""
    return " ".join([_sound(t) for t in name_key(name).split()])
