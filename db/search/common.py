"""What both search indexes share: the hit and filter types, the marks, passages, and the
engine-neutral shape of a parsed query (:mod:`app.search_query` builds one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

#: Longest passage indexed as one entry; longer texts are split at paragraph or word breaks.
PASSAGE_CHARS = 2_000

#: Around each matched word in a snippet (private-use characters, so no text can contain them).
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True)
class SearchHit:
    """One match: what it is in (document text, annotation quote or note) and a snippet."""

    kind: str  # "document", "quote" or "note"
    ref: str  # document id or annotation id
    document_id: str
    page: int | None
    snippet: str
    rank: float
    start: int | None = None  # where the entry's passage starts in the document text


@dataclass(frozen=True)
class Filters:
    """Limits on what a search returns; annotation filters drop document-text hits."""

    document_id: str | None = None
    tag_ids: tuple[str, ...] = ()
    status: str | None = None
    author: str | None = None

    @property
    def annotations_only(self) -> bool:
        """True when a filter only annotations can satisfy is set."""
        return bool(self.tag_ids or self.status or self.author)


class QueryTerm(Protocol):
    """A word or phrase to find (words in order), the last word maybe a prefix."""

    @property
    def words(self) -> tuple[str, ...]: ...

    @property
    def prefix(self) -> bool: ...


class ParsedQuery(Protocol):
    """Groups joined by AND, each a list of alternatives (OR), minus excluded terms."""

    @property
    def groups(self) -> tuple[tuple[QueryTerm, ...], ...]: ...

    @property
    def excluded(self) -> tuple[QueryTerm, ...]: ...

    def fts(self) -> str:
        """The same query as an FTS5 MATCH expression ("" when nothing can be searched)."""
        ...


@dataclass(frozen=True)
class Words:
    """A plain term (for callers that hand the index a string of words)."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class AllWords:
    """Every word of a plain string, all required (what FTS5 does with bare words)."""

    groups: tuple[tuple[Words, ...], ...]
    excluded: tuple[Words, ...] = ()

    def fts(self) -> str:
        """Each word quoted, joined by AND."""
        return " AND ".join('"' + " ".join(g[0].words) + '"' for g in self.groups)


def passages(body: str, limit: int = PASSAGE_CHARS) -> Iterable[tuple[int, str]]:
    """``body`` in pieces of at most about ``limit`` characters, as (offset, piece).

    Pieces end at a paragraph break when there is one in the second half of the window, else
    at a line or word break, so a phrase is rarely cut in two.
    """
    pos = 0
    while len(body) - pos > limit:
        window = body[pos:pos + limit]
        cut = -1
        for mark in ("\n\n", "\n", " "):
            cut = window.rfind(mark, limit // 2)
            if cut > 0:
                cut += len(mark)
                break
        if cut <= 0:
            cut = limit
        yield pos, body[pos:pos + cut]
        pos += cut
    yield pos, body[pos:]
