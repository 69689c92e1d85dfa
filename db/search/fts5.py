"""The full-text search index of a dossier folder (SQLite FTS5), kept in step by the services.

``search_refs`` maps each FTS5 rowid to what it indexes (kind, object, document, page, start), so
one object's entries can be replaced without scanning the index. Callers go through
:mod:`db.search`, which picks this module or :mod:`db.search.postgres` by the connection.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from db.search.common import MARK_END, MARK_START, Filters, SearchHit, passages

T = TypeVar("T")


def _add(cur: Any, kind: str, ref: str, document_id: str, page: int | None, body: str,
         start: int | None = None) -> None:
    if not body.strip():
        return
    cur.execute("INSERT INTO search_refs (kind, ref, document_id, page, start) "
                "VALUES (?, ?, ?, ?, ?)", (kind, ref, document_id, page, start))
    cur.execute("INSERT INTO search_index (rowid, body) VALUES (?, ?)", (cur.lastrowid, body))


def remove(cur: Any, ref: str) -> None:
    """Drop every entry of a document or annotation."""
    rowids = [r for (r,) in cur.execute("SELECT rowid FROM search_refs WHERE ref = ?", (ref,))]
    if rowids:
        cur.executemany("DELETE FROM search_index WHERE rowid = ?", [(r,) for r in rowids])
        cur.execute("DELETE FROM search_refs WHERE ref = ?", (ref,))


def index_document(cur: Any, document_id: str,
                   chunks: Iterable[tuple[int | None, str, int | None]]) -> None:
    """(Re)index a document's text, given as (page or None, text, start offset or None)."""
    remove(cur, document_id)
    for page, body, base in chunks:
        for offset, piece in passages(body):
            _add(cur, "document", document_id, document_id, page, piece,
                 None if base is None else base + offset)


def index_annotation(cur: Any, annotation_id: str, document_id: str, quote: str, note: str,
                     page: int | None) -> None:
    """(Re)index an annotation's quote and note."""
    remove(cur, annotation_id)
    _add(cur, "quote", annotation_id, document_id, page, quote)
    _add(cur, "note", annotation_id, document_id, page, note)


def add_many(cur: Any, rows: list[tuple[str, str, str, int | None, str]]) -> None:
    """Index new (kind, ref, document id, page, body) entries in bulk (none of them empty)."""
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


def search(cur: Any, query: str, limit: int = 50) -> list[SearchHit]:
    """Run ``query`` (FTS5 syntax; plain words fall back to an AND of terms) and return hits."""
    for candidate in (query, _as_terms(query)):
        if not candidate.strip():
            continue
        try:
            rows = cur.execute(_SEARCH, (candidate, limit)).fetchall()
        except sqlite3.OperationalError:  # not valid FTS5 syntax: try the plain terms
            continue
        return [SearchHit(r[0], r[1], r[2], r[3], r[4], float(r[5])) for r in rows]
    return []


def find(cur: Any, fts: str, filters: Filters, limit: int, budget_s: float,
         progress_steps: int) -> list[SearchHit]:
    """Hits of ``fts`` (a valid FTS5 expression, e.g. from :mod:`app.search_query`), best first.

    Without filters the ranking, limit and snippets run inside FTS5 alone (it then makes
    snippets only for the rows returned); entries of superseded document versions are dropped
    afterwards. With filters, the ranked rows are joined to what they index first. Ranking that
    takes longer than ``budget_s`` gives way to the newest matches.
    """
    if not fts:
        return []
    f = filters
    snippet = f"snippet(search_index, 0, '{MARK_START}', '{MARK_END}', '…', 16)"
    if not f.document_id and not f.annotations_only:
        ranked = (
            "SELECT r.kind, r.ref, r.document_id, r.page, s.snip, s.rank, r.start FROM "
            f"(SELECT rowid, rank, {snippet} AS snip FROM search_index "
            "WHERE search_index MATCH ? ORDER BY rank LIMIT ?) AS s "
            "JOIN search_refs r ON r.rowid = s.rowid ORDER BY s.rank")
        rows = _within(cur, budget_s, progress_steps,
                       lambda: cur.execute(ranked, (fts, limit)).fetchall())
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


def _within(cur: Any, seconds: float, steps: int, run: Callable[[], T]) -> T | None:
    """``run()``, or None when SQLite needed more than ``seconds`` (the statement is interrupted).
    """
    raw = getattr(cur, "connection", None)
    if raw is None or not hasattr(raw, "set_progress_handler"):
        return run()
    limit = time.perf_counter() + seconds

    def over() -> int:
        return 1 if time.perf_counter() > limit else 0

    raw.set_progress_handler(over, steps)
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
