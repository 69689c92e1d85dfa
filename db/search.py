"""The full-text search index (SQLite FTS5), kept in step by the services.

Only this module knows the SQL of the index, so that another database could replace it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
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


def _add(
    session: Session, kind: str, ref: str, document_id: str, page: int | None, body: str
) -> None:
    if not body.strip():
        return
    rowid = session.execute(
        text(
            "INSERT INTO search_refs (kind, ref, document_id, page) "
            "VALUES (:k, :r, :d, :p) RETURNING rowid"
        ),
        {"k": kind, "r": ref, "d": document_id, "p": page},
    ).scalar_one()
    session.execute(
        text("INSERT INTO search_index (rowid, body) VALUES (:i, :b)"), {"i": rowid, "b": body}
    )


def remove(session: Session, ref: str) -> None:
    """Drop every entry of a document or annotation."""
    rowids = session.execute(
        text("SELECT rowid FROM search_refs WHERE ref = :r"), {"r": ref}
    ).scalars().all()
    for rowid in rowids:
        session.execute(text("DELETE FROM search_index WHERE rowid = :i"), {"i": rowid})
    session.execute(text("DELETE FROM search_refs WHERE ref = :r"), {"r": ref})


def index_document(
    session: Session, document_id: str, chunks: Iterable[tuple[int | None, str]]
) -> None:
    """(Re)index a document's text, given as (page number or None, text) chunks."""
    remove(session, document_id)
    for page, body in chunks:
        _add(session, "document", document_id, document_id, page, body)


def index_annotation(
    session: Session, annotation_id: str, document_id: str, quote: str, note: str,
    page: int | None,
) -> None:
    """(Re)index an annotation's quote and note."""
    remove(session, annotation_id)
    _add(session, "quote", annotation_id, document_id, page, quote)
    _add(session, "note", annotation_id, document_id, page, note)


def add_many(cur: Any, entries: Iterable[tuple[str, str, str, int | None, str]]) -> None:
    """Index new (kind, ref, document id, page, body) entries in bulk through a DB-API cursor
    (for objects not indexed before: nothing is removed first)."""
    rows = [e for e in entries if e[4].strip()]
    if not rows:
        return
    start = cur.execute("SELECT coalesce(max(rowid), 0) FROM search_refs").fetchone()[0] + 1
    cur.executemany("INSERT INTO search_refs (rowid, kind, ref, document_id, page) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(start + i, k, r, d, p) for i, (k, r, d, p, _) in enumerate(rows)])
    cur.executemany("INSERT INTO search_index (rowid, body) VALUES (?, ?)",
                    [(start + i, e[4]) for i, e in enumerate(rows)])


_TERM = re.compile(r"\w+", re.UNICODE)


def _as_terms(query: str) -> str:
    return " ".join('"' + t + '"' for t in _TERM.findall(query))


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Run ``query`` (FTS5 syntax; plain words fall back to an AND of terms) and return hits."""
    sql = text(
        "SELECT r.kind, r.ref, r.document_id, r.page, "
        "snippet(search_index, 0, '[', ']', '…', 12), bm25(search_index) AS rank "
        "FROM search_index JOIN search_refs r ON r.rowid = search_index.rowid "
        "WHERE search_index MATCH :q ORDER BY rank LIMIT :n"
    )
    for candidate in (query, _as_terms(query)):
        if not candidate.strip():
            continue
        try:
            with session.begin_nested():
                rows = session.execute(sql, {"q": candidate, "n": limit}).all()
        except OperationalError:
            continue
        return [SearchHit(r[0], r[1], r[2], r[3], r[4], float(r[5])) for r in rows]
    return []
