"""The forgiving search language: any text a user types becomes a valid query on both engines.

Users type words, ``"exact phrases"``, ``prefix*``, ``OR`` between alternatives and ``-word`` to
exclude. Everything else — stray quotes, hyphens, brackets, ``NEAR(``, a trailing ``OR`` — is
read as plain words, never passed to the database as syntax, so no query can raise an error.

A parsed :class:`Query` is what the index (:mod:`db.search`) receives: SQLite renders it as an
FTS5 expression with every word quoted (:meth:`Query.fts`); PostgreSQL builds a tsquery from
its words' lexemes with the server's own functions (``phraseto_tsquery``, prefix lexemes,
tsquery operators), so no typed text is ever read as tsquery syntax either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.search.lexemes import MARKS

#: A run of letters/digits, as SQLite's ``unicode61`` tokenizer sees words; accents and vowel
#: marks stay inside a word (PostgreSQL's index drops them: a word typed with them is one word).
_WORD = re.compile(rf"(?:\w|{MARKS})+", re.UNICODE)
#: One token of user text: a quoted phrase (closing quote optional) or a run of non-spaces.
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word or a phrase (several words in order), maybe a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False

    def fts(self) -> str:
        """This term in FTS5 syntax (each word quoted, so nothing in it is an operator)."""
        body = '"' + " ".join(self.words) + '"'
        return body + ("*" if self.prefix else "")

    def pattern(self) -> str:
        """A regular expression finding this term in the text (case-insensitive)."""
        parts = [re.escape(w) for w in self.words]
        tail = r"\w*" if self.prefix else r"\b"
        return r"\b" + r"\W+".join(parts) + tail


@dataclass(frozen=True)
class Query:
    """A parsed query: groups joined by AND, each group a list of alternatives (OR)."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts(self) -> str:
        """The FTS5 MATCH expression ("" when nothing can be searched)."""
        if not self.groups:
            return ""
        parts = []
        for group in self.groups:
            alternatives = [t.fts() for t in group]
            parts.append(alternatives[0] if len(alternatives) == 1
                         else "(" + " OR ".join(alternatives) + ")")
        expr = " AND ".join(parts)
        for term in self.excluded:
            expr = f"({expr}) NOT {term.fts()}"
        return expr

    def terms(self) -> list[Term]:
        """Every positive term, in the order typed."""
        return [t for group in self.groups for t in group]

    def pattern(self) -> re.Pattern[str]:
        """One regular expression matching any positive term (to find the passage to show)."""
        body = "|".join(t.pattern() for t in self.terms()) or r"(?!x)x"
        return re.compile(body, re.IGNORECASE | re.UNICODE)


def parse(text: str, *, as_you_type: bool = False) -> Query:
    """Read what a user typed; ``as_you_type`` makes a trailing bare word a prefix."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    tokens = list(_TOKEN.finditer(text))
    for index, match in enumerate(tokens):
        phrase, raw = match.group(1), match.group(2)
        if raw is not None and raw == "OR":
            pending_or = bool(groups)
            continue
        if raw is not None and raw.strip("()[]{}") in ("AND", "NOT", "NEAR"):
            continue  # operators of FTS5 itself are read as nothing, never as syntax
        negated = raw is not None and raw.startswith("-") and len(raw) > 1
        source = phrase if phrase is not None else raw
        words = tuple(w.lower() for w in _WORD.findall(source or ""))
        if not words:
            continue
        prefix = raw is not None and raw.rstrip(")]}\"'").endswith("*")
        is_last = index == len(tokens) - 1
        if as_you_type and is_last and raw is not None and not text.endswith(" "):
            prefix = True
        term = Term(words, prefix=prefix, negated=negated)
        if negated:
            excluded.append(term)
            pending_or = False
        elif pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if not groups:
        excluded = []  # FTS5 cannot search for "not x" alone
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def to_fts(text: str, *, as_you_type: bool = False) -> str:
    """The safe FTS5 expression for ``text`` ("" when it holds no searchable word)."""
    return parse(text, as_you_type=as_you_type).fts()
