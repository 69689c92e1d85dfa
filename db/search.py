"""The full-text search index (SQLite FTS5), kept in step by the services.

Only this module knows the SQL of the index, so that another database could replace it.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # this module runs on plain DB-API cursors; SQLAlchemy is not loaded for it
    from sqlalchemy.orm import Session

#: How long ranking may take before the newest matches are shown instead (common words).
RANK_BUDGET_S = 0.03
#: SQLite virtual-machine steps between two looks at the clock while ranking.
PROGRESS_STEPS = 2_000
T = TypeVar("T")

#: Longest passage indexed as one entry; longer texts are split at paragraph or word breaks.
PASSAGE_CHARS = 2_000


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


def _cursor(session: Session) -> Any:
    # The index is written once per annotation change and in bulk by set imports: plain DB-API
    # statements on the session's own connection (inside its transaction) skip the ORM's
    # per-statement compile, which cost more than the writes themselves.
    from db.cursor import of_session

    return of_session(session)


def _on_server(cur: Any) -> bool:
    """True on a team dossier (PostgreSQL): this FTS5 index does not exist there; until its
    PostgreSQL index (migration 0010) is in, writes are skipped and searches find nothing."""
    return getattr(cur, "dialect", "sqlite") != "sqlite"


def _add(cur: Any, kind: str, ref: str, document_id: str, page: int | None, body: str,
         start: int | None = None) -> None:
    if not body.strip():
        return
    cur.execute("INSERT INTO search_refs (kind, ref, document_id, page, start) "
                "VALUES (?, ?, ?, ?, ?)", (kind, ref, document_id, page, start))
    cur.execute("INSERT INTO search_index (rowid, body) VALUES (?, ?)", (cur.lastrowid, body))


def _remove(cur: Any, ref: str) -> None:
    rowids = [r for (r,) in cur.execute("SELECT rowid FROM search_refs WHERE ref = ?", (ref,))]
    if rowids:
        cur.executemany("DELETE FROM search_index WHERE rowid = ?", [(r,) for r in rowids])
        cur.execute("DELETE FROM search_refs WHERE ref = ?", (ref,))


def remove(session: Session, ref: str) -> None:
    """Drop every entry of a document or annotation."""
    cur = _cursor(session)
    if _on_server(cur):
        return
    _remove(cur, ref)


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


def index_document(
    session: Session, document_id: str,
    chunks: Iterable[tuple[int | None, str] | tuple[int | None, str, int]],
) -> None:
    """(Re)index a document's text, given as (page or None, text[, start offset]) chunks.

    Each chunk is indexed in passages of at most :data:`PASSAGE_CHARS` characters.
    """
    cur = _cursor(session)
    if _on_server(cur):
        return
    _remove(cur, document_id)
    for chunk in chunks:
        page, body = chunk[0], chunk[1]
        base = chunk[2] if len(chunk) > 2 else None
        for offset, piece in passages(body):
            _add(cur, "document", document_id, document_id, page, piece,
                 None if base is None else base + offset)


def index_annotation(
    session: Session, annotation_id: str, document_id: str, quote: str, note: str,
    page: int | None,
) -> None:
    """(Re)index an annotation's quote and note."""
    cur = _cursor(session)
    if _on_server(cur):
        return
    _remove(cur, annotation_id)
    _add(cur, "quote", annotation_id, document_id, page, quote)
    _add(cur, "note", annotation_id, document_id, page, note)


def add_many(cur: Any, entries: Iterable[tuple[str, str, str, int | None, str]]) -> None:
    """Index new (kind, ref, document id, page, body) entries in bulk through a DB-API cursor
    (for objects not indexed before: nothing is removed first)."""
    rows = [e for e in entries if e[4].strip()]
    if not rows or _on_server(cur):
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
    if _on_server(cur):
        return []
    for candidate in (query, _as_terms(query)):
        if not candidate.strip():
            continue
        try:
            rows = cur.execute(_SEARCH, (candidate, limit)).fetchall()
        except sqlite3.OperationalError:  # not valid FTS5 syntax: try the plain terms
            continue
        return [SearchHit(r[0], r[1], r[2], r[3], r[4], float(r[5])) for r in rows]
    return []


#: Around each matched word in a snippet (private-use characters, so no text can contain them).
MARK_START = "\ue000"
MARK_END = "\ue001"


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


def find(session: Session, fts: str, filters: Filters | None = None,
         limit: int = 50) -> list[SearchHit]:
    """:func:`find_cursor` in a session's transaction."""
    return find_cursor(_cursor(session), fts, filters, limit)


def find_cursor(cur: Any, fts: str, filters: Filters | None = None,
                limit: int = 50) -> list[SearchHit]:
    """Hits of ``fts`` (a valid FTS5 expression, e.g. from :mod:`app.search_query`), best first.

    Without filters the ranking, limit and snippets run inside FTS5 alone (it then makes
    snippets only for the rows returned); entries of superseded document versions are dropped
    afterwards. With filters, the ranked rows are joined to what they index first.
    """
    if not fts or _on_server(cur):
        return []
    f = filters or Filters()
    snippet = f"snippet(search_index, 0, '{MARK_START}', '{MARK_END}', '…', 16)"
    if not f.document_id and not f.annotations_only:
        ranked = (
            "SELECT r.kind, r.ref, r.document_id, r.page, s.snip, s.rank, r.start FROM "
            f"(SELECT rowid, rank, {snippet} AS snip FROM search_index "
            "WHERE search_index MATCH ? ORDER BY rank LIMIT ?) AS s "
            "JOIN search_refs r ON r.rowid = s.rowid ORDER BY s.rank")
        rows = _within(cur, RANK_BUDGET_S, lambda: cur.execute(ranked, (fts, limit)).fetchall())
        if rows is None:
            # Too many matches to rank in time (a very common word): the newest entries, which
            # FTS5 finds without scoring every match.
            rows = cur.execute(
                "SELECT r.kind, r.ref, r.document_id, r.page, s.snip, 0.0, r.start FROM "
                f"(SELECT rowid, {snippet} AS snip FROM search_index "
                "WHERE search_index MATCH ? ORDER BY rowid DESC LIMIT ?) AS s "
                "JOIN search_refs r ON r.rowid = s.rowid ORDER BY s.rowid DESC",
                (fts, limit)).fetchall()
        superseded = _superseded(cur, {row[2] for row in rows})
        return [SearchHit(*row) for row in rows if row[2] not in superseded]
    where = ["search_index MATCH ?"]
    params: list[Any] = [fts]
    if f.document_id:
        where.append("r.document_id = ?")
        params.append(f.document_id)
    if f.annotations_only:
        where.append("r.kind IN ('quote', 'note')")
        conds = ["1"]
        if f.status:
            conds.append("a.status = ?")
            params.append(f.status)
        if f.author:
            conds.append("(u.name = ? OR u.display_name = ?)")
            params += [f.author, f.author]
        if f.tag_ids:
            conds.append("a.id IN (SELECT annotation_id FROM annotation_tags "
                         f"WHERE tag_id IN ({', '.join('?' for _ in f.tag_ids)}))")
            params += list(f.tag_ids)
        where.append("r.ref IN (SELECT a.id FROM annotations a JOIN users u "
                     f"ON u.id = a.author_id WHERE {' AND '.join(conds)})")
    rows = cur.execute(
        f"SELECT r.kind, r.ref, r.document_id, r.page, {snippet}, search_index.rank, r.start "
        "FROM search_index JOIN search_refs r ON r.rowid = search_index.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY search_index.rank LIMIT ?",
        (*params, limit)).fetchall()
    superseded = _superseded(cur, {row[2] for row in rows})
    return [SearchHit(*row) for row in rows if row[2] not in superseded]


def _within(cur: Any, seconds: float, run: Callable[[], T]) -> T | None:
    """``run()``, or None when SQLite needed more than ``seconds`` (the statement is interrupted).
    """
    raw = getattr(cur, "connection", None)
    if raw is None or not hasattr(raw, "set_progress_handler"):
        return run()
    limit = time.perf_counter() + seconds

    def over() -> int:
        return 1 if time.perf_counter() > limit else 0

    raw.set_progress_handler(over, PROGRESS_STEPS)
    try:
        return run()
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        return None
    finally:
        raw.set_progress_handler(None, 0)


def _superseded(cur: Any, document_ids: set[str]) -> set[str]:
    """Which of ``document_ids`` are no longer current (a newer version replaced them, or they
    were removed from the library): answered from the listing index, no text read."""
    if not document_ids:
        return set()
    marks = ", ".join("?" for _ in document_ids)
    return {r for (r,) in cur.execute(
        f"SELECT id FROM documents WHERE is_current = 0 AND id IN ({marks})",
        tuple(document_ids))}

def document_titles(cur: Any) -> dict[str, str]:
    """Every document's title by id (all versions), for naming search hits."""
    return {i: t for i, t in cur.execute("SELECT id, title FROM documents")}
