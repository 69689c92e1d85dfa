"""Matching names against a large list: phonetic blocking, then rapidfuzz scoring.

Every listed name is filed under keys made of the soundex codes of *two* of its tokens, so a
query only meets entries where at least two tokens sound alike (a one-token name uses its one
key). Those few are scored with rapidfuzz on transliterated names, and on their metaphone codes
for names that only sound alike; countries and birth dates adjust the score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from followthemoney import model
from rapidfuzz import fuzz, process

from app.money.names import name_key, pair_keys, phonetic_key

#: Keys filed under more entries than this tell nothing apart and are skipped as blocks.
MAX_BLOCK = 5000
#: A name that only *sounds* alike counts for this much of one spelled alike.
PHONETIC_WEIGHT = 0.9


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


def name_score(a: str, b: str) -> float:
    """0-100 similarity of two name keys, word order ignored; subsets count for less."""
    score = fuzz.token_sort_ratio(a, b)
    if min(a.count(" "), b.count(" ")) >= 1:
        score = max(score, 0.9 * fuzz.token_set_ratio(a, b))
    return score



def adjust(score: float, query: Query, listed: Listed) -> float:
    """Countries and birth dates raise or lower a name score (0-1)."""
    if query.countries and listed.countries:
        score += 0.05 if set(query.countries) & set(listed.countries) else -0.1
    if query.birth_dates and listed.birth_dates:
        same = any(q[:4] == item[:4] for q in query.birth_dates for item in listed.birth_dates)
        score += 0.05 if same else -0.15
    return max(0.0, min(1.0, score))


def _keys(names: Iterable[str]) -> list[str]:
    return [name_key(n) for n in names]


def _sounds(names: Iterable[str]) -> list[str]:
    return [phonetic_key(n) for n in names]


class ListIndex:
    """A blocking index over a list's names."""

    def __init__(self, entries: Sequence[Listed]) -> None:
        self.entries = list(entries)
        self.blocks: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            seen: set[str] = set()
            for name in entry.names:
                seen |= pair_keys(name)
            for k in seen:
                self.blocks.setdefault(k, []).append(i)
        self._spelt: dict[int, list[str]] = {}
        self._sounded: dict[int, list[str]] = {}
        self._schemata = {s: model.get(s) for s in {e.schema for e in self.entries}}

    def candidates(self, query: Query) -> Iterable[int]:
        """Entries sharing a blocking key with any of the query's names."""
        found: set[int] = set()
        for name in query.names:
            for k in pair_keys(name):
                block = self.blocks.get(k, ())
                if len(block) <= MAX_BLOCK:
                    found.update(block)
        return found

    def _spelling(self, i: int) -> list[str]:
        keys = self._spelt.get(i)
        if keys is None:
            keys = self._spelt[i] = _keys(self.entries[i].names)
        return keys

    def _sound(self, i: int) -> list[str]:
        keys = self._sounded.get(i)
        if keys is None:
            keys = self._sounded[i] = _sounds(self.entries[i].names)
        return keys

    def match(self, query: Query, threshold: float) -> list[tuple[float, Listed]]:
        """(score, entry) for every entry scoring at least ``threshold``, best first."""
        return [(score, self.entries[i]) for score, i in self.match_positions(query, threshold)]

    def match_positions(self, query: Query, threshold: float) -> list[tuple[float, int]]:
        """(score, position in :attr:`entries`) of every entry reaching ``threshold``.

        The candidates' names are scored in rapidfuzz's C loops (``process.extract``), spelling
        first; entries that do not spell alike are then compared by sound.
        """
        qschema = model.get(query.schema)
        cands = []
        for i in self.candidates(query):
            lschema = self._schemata.get(self.entries[i].schema)
            if qschema is None or lschema is None or qschema.can_match(lschema):
                cands.append(i)
        if not cands:
            return []
        floor = max(0.0, threshold - 0.1) * 100  # +0.1: the most countries and dates can add
        best = _best_scores(_keys(query.names), cands, self._spelling, floor, 1.0)
        unsure = [i for i in cands if best.get(i, 0.0) < PHONETIC_WEIGHT * 100]
        if unsure:
            sounded = _best_scores(_sounds(query.names), unsure, self._sound, floor,
                                   PHONETIC_WEIGHT)
            for i, score in sounded.items():
                best[i] = max(best.get(i, 0.0), score)
        out: list[tuple[float, int]] = []
        for i, name in best.items():
            score = adjust(name / 100.0, query, self.entries[i])
            if score >= threshold:
                out.append((round(score, 4), i))
        out.sort(key=lambda pair: (-pair[0], self.entries[pair[1]].id))
        return out


# -- matching on several cores -------------------------------------------------------------------
# Workers are forked after the index is built, so they share it without copying or pickling it.
_SHARED: list[tuple[ListIndex, float]] = []


def _match_chunk(queries: list[Query]) -> list[list[tuple[float, int]]]:
    index, threshold = _SHARED[0]
    return [index.match_positions(q, threshold) for q in queries]


def match_all(index: ListIndex, queries: Sequence[Query], threshold: float,
              workers: int = 1) -> list[list[tuple[float, int]]]:
    """:meth:`ListIndex.match_positions` for every query, on ``workers`` processes.

    Several workers need the ``fork`` start method (Linux) and a process without other threads
    (the command line); elsewhere everything runs here.
    """
    import multiprocessing
    import sys
    import threading

    if workers <= 1 or len(queries) < 200 or not sys.platform.startswith("linux") \
            or threading.active_count() > 1:
        return [index.match_positions(q, threshold) for q in queries]
    size = -(-len(queries) // (workers * 4))
    chunks = [list(queries[i:i + size]) for i in range(0, len(queries), size)]
    _SHARED[:] = [(index, threshold)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_match_chunk, chunks)
    finally:
        _SHARED.clear()
    return [found for part in parts for found in part]


def _best_scores(queries: list[str], cands: list[int], keys_of: Callable[[int], list[str]],
                 floor: float, weight: float) -> dict[int, float]:
    """Best :func:`name_score` (times ``weight``) of each candidate reaching ``floor``."""
    choices: list[str] = []
    owners: list[int] = []
    for i in cands:
        for key in keys_of(i):
            choices.append(key)
            owners.append(i)
    best: dict[int, float] = {}
    cutoff = floor / weight
    for q in queries:
        for _, score, j in process.extract(q, choices, scorer=fuzz.token_sort_ratio,
                                           limit=None, score_cutoff=cutoff):
            i = owners[j]
            best[i] = max(best.get(i, 0.0), score * weight)
        if " " in q:  # a subset of words counts for less (see name_score)
            for _, score, j in process.extract(q, choices, scorer=fuzz.token_set_ratio,
                                               limit=None, score_cutoff=cutoff / 0.9):
                if " " in choices[j]:
                    i = owners[j]
                    best[i] = max(best.get(i, 0.0), 0.9 * score * weight)
    return best
