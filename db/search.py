"""The full-text search index (SQLite FTS5), kept in step by the services.

Only this module knows the SQL of the index, so that another database could replace it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # this module runs on plain DB-API cursors; SQLAlchemy is not loaded for it
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SearchHit:
    """One match: what it is in (document text, annotation quote or note) and a snippet."""

    kind: str  # "document", "quote" or "note"
    ref: str  # document id or annotation id
    document_id: str
    page: int | None
    snippet: str
    rank: float


def _cursor(session: Session) -> Any:
    # The index is written once per annotation change and in bulk by set imports: plain DB-API
    # statements on the session's own connection (inside its transaction) skip the ORM's
    # per-statement compile, which cost more than the writes themselves.
    return session.connection().connection.cursor()


def _add(cur: Any, kind: str, ref: str, document_id: str, page: int | None, body: str) -> None:
    if not body.strip():
        return
    cur.execute("INSERT INTO search_refs (kind, ref, document_id, page) VALUES (?, ?, ?, ?)",
                (kind, ref, document_id, page))
    cur.execute("INSERT INTO search_index (rowid, body) VALUES (?, ?)", (cur.lastrowid, body))


def _remove(cur: Any, ref: str) -> None:
    rowids = [r for (r,) in cur.execute("SELECT rowid FROM search_refs WHERE ref = ?", (ref,))]
    if rowids:
        cur.executemany("DELETE FROM search_index WHERE rowid = ?", [(r,) for r in rowids])
        cur.execute("DELETE FROM search_refs WHERE ref = ?", (ref,))


def remove(session: Session, ref: str) -> None:
    """Drop every entry of a document or annotation."""
    _remove(_cursor(session), ref)


def index_document(
    session: Session, document_id: str, chunks: Iterable[tuple[int | None, str]]
) -> None:
    """(Re)index a document's text, given as (page number or None, text) chunks."""
    cur = _cursor(session)
    _remove(cur, document_id)
    for page, body in chunks:
        _add(cur, "document", document_id, document_id, page, body)


def index_annotation(
    session: Session, annotation_id: str, document_id: str, quote: str, note: str,
    page: int | None,
) -> None:
    """(Re)index an annotation's quote and note."""
    cur = _cursor(session)
    _remove(cur, annotation_id)
    _add(cur, "quote", annotation_id, document_id, page, quote)
    _add(cur, "note", annotation_id, document_id, page, note)


_TERM = re.compile(r"\w+", re.UNICODE)


def _as_terms(query: str) -> str:
    return " ".join('"' + t + '"' for t in _TERM.findall(query))


_SEARCH = (
    "SELECT r.kind, r.ref, r.document_id, r.page, "
    "snippet(search_index, 0, '[', ']', '…', 12), bm25(search_index) AS rank "
    "FROM search_index JOIN search_refs r ON r.rowid = search_index.rowid "
    "WHERE search_index MATCH ? ORDER BY rank LIMIT ?"
)


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Run ``query`` (FTS5 syntax; plain words fall back to an AND of terms) and return hits."""
    return search_cursor(_cursor(session), query, limit)


def search_cursor(cur: Any, query: str, limit: int = 50) -> list[SearchHit]:
    """:func:`search` on a DB-API cursor (a read-only connection needs no ORM)."""
    for candidate in (query, _as_terms(query)):
        if not candidate.strip():
            continue
        try:
            rows = cur.execute(_SEARCH, (candidate, limit)).fetchall()
        except sqlite3.OperationalError:  # not valid FTS5 syntax: try the plain terms
            continue
        return [SearchHit(r[0], r[1], r[2], r[3], r[4], float(r[5])) for r in rows]
    return []


def document_titles(cur: Any) -> dict[str, str]:
    """Every document's title by id (all versions), for naming search hits."""
    return {i: t for i, t in cur.execute("SELECT id, title FROM documents")}
