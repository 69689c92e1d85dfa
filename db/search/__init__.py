"""The full-text search index, kept in step by the services: one interface, two engines.

A dossier folder (SQLite) keeps it in FTS5 (:mod:`db.search.fts5`), a team dossier (PostgreSQL)
in tsvector passages under a GIN index (:mod:`db.search.postgres`). Callers hand in a session
or a DB-API cursor; the engine is the connection's. Both take the same parsed query
(:mod:`app.search_query`), the same filters, and return the same :class:`SearchHit`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from db.search import fts5
from db.search.common import (
    MARK_END,
    MARK_START,
    PASSAGE_CHARS,
    AllWords,
    Filters,
    ParsedQuery,
    SearchHit,
    Words,
    passages,
)

if TYPE_CHECKING:  # this package runs on plain DB-API cursors; SQLAlchemy is not loaded for it
    from sqlalchemy.orm import Session

__all__ = ["MARK_END", "MARK_START", "PASSAGE_CHARS", "PROGRESS_STEPS", "RANK_BUDGET_S",
           "Filters", "SearchHit", "add_many", "document_titles", "find", "find_cursor",
           "index_annotation", "index_document", "passages", "remove", "search",
           "search_cursor"]

#: How long ranking may take on SQLite before the newest matches are shown instead.
RANK_BUDGET_S = 0.03
#: SQLite virtual-machine steps between two looks at the clock while ranking.
PROGRESS_STEPS = 2_000


def _cursor(session: Session) -> Any:
    # The index is written once per annotation change and in bulk by set imports: plain DB-API
    # statements on the session's own connection (inside its transaction) skip the ORM's
    # per-statement compile, which cost more than the writes themselves.
    from db.cursor import of_session

    return of_session(session)


def on_server(cur: Any) -> bool:
    """True for a team dossier's (PostgreSQL) cursor, bare or wrapped."""
    dialect = getattr(cur, "dialect", None)
    if isinstance(dialect, str):
        return dialect == "postgresql"
    return type(cur).__module__.startswith("psycopg")


def _engine(cur: Any) -> Any:
    if on_server(cur):
        from db.search import postgres

        return postgres
    return fts5


def remove(session: Session, ref: str) -> None:
    """Drop every entry of a document or annotation."""
    cur = _cursor(session)
    _engine(cur).remove(cur, ref)


def index_document(
    session: Session, document_id: str,
    chunks: Iterable[tuple[int | None, str] | tuple[int | None, str, int]],
) -> None:
    """(Re)index a document's text, given as (page or None, text[, start offset]) chunks.

    Each chunk is indexed in passages of at most :data:`PASSAGE_CHARS` characters.
    """
    cur = _cursor(session)
    if on_server(cur):
        session.flush()  # its pages (OCR language) are read from the database
    whole = [(c[0], c[1], c[2] if len(c) > 2 else None) for c in chunks]
    _engine(cur).index_document(cur, document_id, whole)


def index_annotation(
    session: Session, annotation_id: str, document_id: str, quote: str, note: str,
    page: int | None,
) -> None:
    """(Re)index an annotation's quote and note."""
    cur = _cursor(session)
    _engine(cur).index_annotation(cur, annotation_id, document_id, quote, note, page)


def add_many(cur: Any, entries: Iterable[tuple[str, str, str, int | None, str]]) -> None:
    """Index new (kind, ref, document id, page, body) entries in bulk through a DB-API cursor
    (for objects not indexed before: nothing is removed first)."""
    rows = [e for e in entries if e[4].strip()]
    if rows:
        _engine(cur).add_many(cur, rows)


_WORD = re.compile(r"\w+", re.UNICODE)


def _plain(query: str) -> AllWords:
    return AllWords(tuple((Words((w.lower(),)),) for w in _WORD.findall(query)))


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Run ``query`` and return hits with ``[`` ``]`` around matched words (on SQLite FTS5
    syntax, plain words falling back to an AND of terms; on PostgreSQL an AND of its words)."""
    return search_cursor(_cursor(session), query, limit)


def search_cursor(cur: Any, query: str, limit: int = 50) -> list[SearchHit]:
    """:func:`search` on a DB-API cursor (a read-only connection needs no ORM)."""
    if on_server(cur):
        from db.search import postgres

        return postgres.search(cur, _plain(query), limit)
    return fts5.search(cur, query, limit)


def find(session: Session, query: ParsedQuery | str, filters: Filters | None = None,
         limit: int = 50) -> list[SearchHit]:
    """:func:`find_cursor` in a session's transaction."""
    return find_cursor(_cursor(session), query, filters, limit)


def find_cursor(cur: Any, query: ParsedQuery | str, filters: Filters | None = None,
                limit: int = 50) -> list[SearchHit]:
    """Hits of a parsed query (:func:`app.search_query.parse`), best first, with snippets whose
    matched words lie between :data:`MARK_START` and :data:`MARK_END`; entries of superseded
    document versions are left out. On SQLite, ranking that would take longer than
    :data:`RANK_BUDGET_S` gives way to the newest matches; PostgreSQL ranks among the newest
    matches only (:data:`db.search.postgres.RANK_CANDIDATES`), a bounded cost.

    A string is taken as an FTS5 expression (SQLite) or as plain words (PostgreSQL).
    """
    f = filters or Filters()
    if on_server(cur):
        from db.search import postgres

        parsed = _plain(query) if isinstance(query, str) else query
        return postgres.find(cur, parsed, f, limit)
    fts = query if isinstance(query, str) else query.fts()
    return fts5.find(cur, fts, f, limit, RANK_BUDGET_S, PROGRESS_STEPS)


def document_titles(cur: Any) -> dict[str, str]:
    """Every document's title by id (all versions), for naming search hits."""
    rows = getattr(cur, "raw", cur).execute("SELECT id, title FROM documents").fetchall()
    return {i: t for i, t in rows}
