"""Matching names against a large list: phonetic blocking, then rapidfuzz scoring.

Every listed name is filed under the soundex key of each of its tokens. A query looks only at
entries sharing enough keys with it (two when both names have two or more tokens), then scores
those with rapidfuzz on transliterated names; countries and birth dates adjust the score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from followthemoney import model
from rapidfuzz import fuzz

from app.money.names import block_keys, name_key, phonetic_key

#: Keys filed under more entries than this tell nothing apart and are skipped as blocks.
MAX_BLOCK = 5000


@dataclass(frozen=True)
class Listed:
    """One entry of a sanctions/PEP list."""

    id: str
    schema: str
    names: tuple[str, ...]
    countries: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    listing: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """An entity to screen."""

    id: str
    schema: str
    names: tuple[str, ...]
    countries: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()


#: A name that only *sounds* alike counts for this much of one spelled alike.
PHONETIC_WEIGHT = 0.9


def name_score(a: str, b: str) -> float:
    """0-100 similarity of two name keys, word order ignored; subsets count for less."""
    score = fuzz.token_sort_ratio(a, b)
    if min(a.count(" "), b.count(" ")) >= 1:
        score = max(score, 0.9 * fuzz.token_set_ratio(a, b))
    return score


def pair_score(a: tuple[str, str], b: tuple[str, str]) -> float:
    """0-100 similarity of two (name key, phonetic key) pairs: spelling, else sound."""
    return max(name_score(a[0], b[0]), PHONETIC_WEIGHT * name_score(a[1], b[1]))


def adjust(score: float, query: Query, listed: Listed) -> float:
    """Countries and birth dates raise or lower a name score (0-1)."""
    if query.countries and listed.countries:
        score += 0.05 if set(query.countries) & set(listed.countries) else -0.1
    if query.birth_dates and listed.birth_dates:
        same = any(q[:4] == item[:4] for q in query.birth_dates for item in listed.birth_dates)
        score += 0.05 if same else -0.15
    return max(0.0, min(1.0, score))


class ListIndex:
    """A blocking index over a list's names."""

    def __init__(self, entries: Sequence[Listed]) -> None:
        self.entries = list(entries)
        self.keys: list[list[tuple[str, str]]] = []
        self.blocks: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            keys = [(name_key(n), phonetic_key(n)) for n in entry.names]
            self.keys.append(keys)
            seen: set[str] = set()
            for name in entry.names:
                seen |= block_keys(name)
            for k in seen:
                self.blocks.setdefault(k, []).append(i)
        self._schemata = {s: model.get(s) for s in {e.schema for e in self.entries}}

    def candidates(self, query: Query) -> Iterable[int]:
        """Entries sharing enough phonetic keys with any of the query's names."""
        found: set[int] = set()
        for name in query.names:
            keys = [k for k in block_keys(name)
                    if len(self.blocks.get(k, ())) <= MAX_BLOCK]
            need = 2 if len(keys) >= 2 else 1
            counts: Counter[int] = Counter()
            for k in keys:
                counts.update(self.blocks.get(k, ()))
            found.update(i for i, n in counts.items() if n >= need)
        return found

    def match(self, query: Query, threshold: float) -> list[tuple[float, Listed]]:
        """(score, entry) for every entry scoring at least ``threshold``, best first."""
        qschema = model.get(query.schema)
        qkeys = [(name_key(n), phonetic_key(n)) for n in query.names]
        out: list[tuple[float, Listed]] = []
        for i in self.candidates(query):
            entry = self.entries[i]
            lschema = self._schemata.get(entry.schema)
            if qschema is not None and lschema is not None and not qschema.can_match(lschema):
                continue
            best = max(pair_score(q, k) for q in qkeys for k in self.keys[i]) / 100.0
            score = adjust(best, query, entry)
            if score >= threshold:
                out.append((round(score, 4), entry))
        out.sort(key=lambda pair: (-pair[0], pair[1].id))
        return out
