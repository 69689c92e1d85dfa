"""The full-text search index of a team dossier (PostgreSQL): tsvector passages, a GIN index.

``search_passages`` (migration 0010) holds one row per indexed passage, quote or note: what it
indexes, its text (``body``, for snippets), the text-search configuration of its document
(``config``: the document's language where it declares one, else ``simple``) and ``tsv``, the
words of the passage twice: stemmed in that language (so ``passport`` finds ``passports``) and
as they are ('simple': names and numbers always match, whatever the language). ``tsv`` is
computed by the server from :func:`db.search.lexemes.form` of the body, written by the same
service calls that keep SQLite's FTS5 index in step.

A query is built from lexemes only: each word or phrase becomes ``phraseto_tsquery`` of its
words (in 'simple' and in every configuration in use, joined by OR), prefixes a quoted lexeme
with ``:*``, and the groups are joined with the tsquery operators by the server. No text a user
typed is ever read as tsquery syntax. Ranking is ``ts_rank_cd`` among the newest matches (a
bounded cost for the commonest words); snippets are marked from the query's lexemes
(:mod:`db.search.snippets`), with ``ts_headline`` as the fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from db.cursor import to_pyformat
from db.search import snippets
from db.search.common import (
    MARK_END,
    MARK_START,
    Filters,
    ParsedQuery,
    QueryTerm,
    SearchHit,
    passages,
)
from db.search.lexemes import SIMPLE, config_for, document_language, form, tokens

#: Longest lexeme PostgreSQL accepts is 2,047 bytes; longer "words" cannot be searched.
_MAX_LEXEME_BYTES = 2_000
_HEADLINE = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=18, MinWords=8, '
             'ShortWord=2, MaxFragments=1, FragmentDelimiter=" … "')
_INSERT = (
    "INSERT INTO search_passages (kind, ref, document_id, page, start, config, body, tsv) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, "
    "to_tsvector(%s::regconfig, %s) || to_tsvector('simple', %s))"
)
#: Matches ranked at most (the newest): ranking reads each match's tsvector.
RANK_CANDIDATES = 500


def _raw(cur: Any) -> Any:
    """The psycopg cursor under a portable wrapper (or the cursor itself)."""
    return getattr(cur, "raw", cur)


def _row(config: str, kind: str, ref: str, document_id: str, page: int | None,
         start: int | None, body: str) -> tuple[Any, ...]:
    words = form(body)
    # The language half is left empty for 'simple' documents: it would repeat the other half.
    return (kind, ref, document_id, page, start, config, body,
            config, words if config != SIMPLE else "", words)


# -- writing ---------------------------------------------------------------------------------

def remove(cur: Any, ref: str) -> None:
    """Drop every entry of a document or annotation."""
    _raw(cur).execute("DELETE FROM search_passages WHERE ref = %s", (ref,))


def _usable(raw: Any, config: str) -> str:
    """``config`` when the server has it (and it is recorded as in use), else 'simple'."""
    if config == SIMPLE:
        return SIMPLE
    if raw.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", (config,)).fetchone() is None:
        return SIMPLE
    raw.execute("INSERT INTO search_configs (config) VALUES (%s) ON CONFLICT DO NOTHING",
                (config,))
    return config


def document_config(cur: Any, document_id: str) -> str:
    """The configuration for a document's text, from the language it declares."""
    raw = _raw(cur)
    meta = raw.execute("SELECT metadata_json FROM documents WHERE id = %s",
                       (document_id,)).fetchone()
    ocr = raw.execute("SELECT ocr FROM pages WHERE document_id = %s AND ocr IS NOT NULL "
                      "ORDER BY number LIMIT 1", (document_id,)).fetchone()
    language = document_language(meta[0] if meta else None, ocr[0] if ocr else None)
    return _usable(raw, config_for(language))


def _configs_of(raw: Any, document_ids: Iterable[str]) -> dict[str, str]:
    """The configuration each document's passages were indexed with."""
    ids = sorted(set(document_ids))
    known = {d: c for d, c in raw.execute(
        "SELECT DISTINCT ON (ref) ref, config FROM search_passages "
        "WHERE ref = ANY(%s) AND kind = 'document' ORDER BY ref", (ids,)).fetchall()}
    return {d: known.get(d) or document_config(raw, d) for d in ids}


def index_document(cur: Any, document_id: str,
                   chunks: Iterable[tuple[int | None, str, int | None]]) -> None:
    """(Re)index a document's text, given as (page or None, text, start offset or None)."""
    raw = _raw(cur)
    remove(raw, document_id)
    config = document_config(raw, document_id)
    rows = [_row(config, "document", document_id, document_id, page, None if base is None
                 else base + offset, piece)
            for page, body, base in chunks for offset, piece in passages(body)
            if piece.strip()]
    if rows:
        raw.executemany(_INSERT, rows)


def _annotation_entries(quote: str, note: str) -> list[tuple[str, str, str]]:
    """(kind, body, searchable words) of an annotation's non-empty quote and note."""
    return [(kind, body, form(body)) for kind, body in (("quote", quote), ("note", note))
            if body.strip()]


def _entries_statement(first: str, first_params: list[Any], annotation_id: str,
                       document_id: str, page: int | None,
                       entries: list[tuple[str, str, str]]) -> tuple[str, list[Any]]:
    """One statement (``?`` placeholders) and its values: the data-modifying ``first`` (a WITH
    item), then ``entries`` indexed in the document's language."""
    values = ", ".join("(?, ?, ?)" for _ in entries)
    return (
        f"WITH {first}, "
        "lang AS (SELECT coalesce((SELECT config FROM search_passages WHERE ref = ? "
        "AND kind = 'document' LIMIT 1), 'simple') AS config) "
        "INSERT INTO search_passages (kind, ref, document_id, page, start, config, body, tsv) "
        "SELECT v.kind, ?, ?, ?, NULL, lang.config, v.body, "
        "to_tsvector(lang.config::regconfig, CASE WHEN lang.config = 'simple' THEN '' "
        "ELSE v.words END) || to_tsvector('simple', v.words) "
        f"FROM lang, (VALUES {values}) AS v (kind, body, words)",
        [*first_params, document_id, annotation_id, document_id, page,
         *(x for entry in entries for x in entry)])


def index_annotation(cur: Any, annotation_id: str, document_id: str, quote: str, note: str,
                     page: int | None) -> None:
    """(Re)index an annotation's quote and note, in its document's language: one statement,
    since it runs inside every annotation edit's writer slot."""
    raw = _raw(cur)
    entries = _annotation_entries(quote, note)
    if not entries:
        remove(raw, annotation_id)
        return
    sql, params = _entries_statement("gone AS (DELETE FROM search_passages WHERE ref = ?)",
                                     [annotation_id], annotation_id, document_id, page, entries)
    raw.execute(to_pyformat(sql), params)


def new_annotation_statement(insert_sql: str, insert_params: list[Any], annotation_id: str,
                             document_id: str, quote: str, note: str,
                             page: int | None) -> tuple[str, list[Any]]:
    """``insert_sql`` (``?`` placeholders; the INSERT of a *new* annotation) and the indexing
    of its quote and note as :func:`index_annotation` does, as one statement and its values
    (one statement, so the lean write path sends it in the same message as the rest; a new
    annotation has no entries to remove)."""
    entries = _annotation_entries(quote, note)
    if not entries:
        return insert_sql, insert_params
    return _entries_statement(f"created AS ({insert_sql})", insert_params, annotation_id,
                              document_id, page, entries)


def add_many(cur: Any, rows: list[tuple[str, str, str, int | None, str]]) -> None:
    """Index new (kind, ref, document id, page, body) entries in bulk (none of them empty)."""
    raw = _raw(cur)
    configs = _configs_of(raw, (r[2] for r in rows))
    raw.executemany(_INSERT, [_row(configs[d], k, r, d, p, None, body)
                              for k, r, d, p, body in rows])


# -- the query -------------------------------------------------------------------------------

#: A term's words stemmed in every configuration in use, OR-ed (the aggregate is migration
#: 0010's); nothing when every document is 'simple'.
_STEMMED = ("coalesce((SELECT dossier_tsquery_any(phraseto_tsquery(config::regconfig, %s)) "
            "FROM search_configs), ''::tsquery)")


def _term(term: QueryTerm) -> tuple[str, list[Any]]:
    """SQL building one term's tsquery from its lexemes ("" when it has none)."""
    words = [t for w in term.words for t in tokens(w)
             if len(t.encode("utf-8")) <= _MAX_LEXEME_BYTES]
    if not words:
        return "", []
    if term.prefix:
        # A prefix is matched against the words as written (a stem is not a word's prefix).
        head, last = words[:-1], words[-1]
        lexeme = "'" + last.replace("\\", "\\\\").replace("'", "''") + "':*"
        if not head:
            return "%s::tsquery", [lexeme]
        return ("tsquery_phrase(phraseto_tsquery('simple', %s), %s::tsquery)",
                [" ".join(head), lexeme])
    text = " ".join(words)
    return f"(phraseto_tsquery('simple', %s) || {_STEMMED})", [text, text]


def _any_of(terms: Iterable[QueryTerm]) -> tuple[str, list[Any]]:
    sql: list[str] = []
    params: list[Any] = []
    for term in terms:
        part, values = _term(term)
        if part:
            sql.append(part)
            params += values
    return ("(" + " || ".join(sql) + ")" if sql else ""), params


def tsquery(cur: Any, query: ParsedQuery) -> str:
    """The text of the tsquery for ``query`` ("" when nothing can be searched), made by the
    server from lexemes; it is passed back as a constant so the GIN index can serve it."""
    return _tsqueries(_raw(cur), query)[0]


def _tsqueries(raw: Any, query: ParsedQuery) -> tuple[str, str]:
    """The whole tsquery's text, and that of its positive part (the words to mark)."""
    groups: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        part, values = _any_of(group)
        if part:
            groups.append(part)
            params += values
    if not groups:
        return "", ""
    positive = " && ".join(groups)
    whole, more = positive, list(params)
    excluded, values = _any_of(query.excluded)
    if excluded:
        whole = f"({positive}) && !!{excluded}"
        more += values
    row = raw.execute(f"SELECT ({whole})::text, ({positive})::text", [*more, *params]).fetchone()
    return (str(row[0] or ""), str(row[1] or "")) if row else ("", "")


# -- searching -------------------------------------------------------------------------------

def find(cur: Any, query: ParsedQuery, filters: Filters, limit: int) -> list[SearchHit]:
    """Hits of ``query``, best first by ``ts_rank_cd`` among the newest
    :data:`RANK_CANDIDATES` matches; entries of superseded document versions are left out.

    Ranking reads each candidate's vector, so bounding the candidates bounds its cost: no time
    budget is needed as on SQLite (whose fallback, the newest matches unranked, would cost the
    same here as choosing the candidates does).
    """
    raw = _raw(cur)
    q, positive = _tsqueries(raw, query)
    if not q:
        return []
    where = ["p.tsv @@ %s::tsquery", "d.is_current"]
    params: list[Any] = [q]
    f = filters
    if f.document_id:
        where.append("p.document_id = %s")
        params.append(f.document_id)
    if f.annotations_only:
        where.append("p.kind IN ('quote', 'note')")
        conds = ["TRUE"]
        if f.status:
            conds.append("a.status = %s")
            params.append(f.status)
        if f.author:
            conds.append("(u.name = %s OR u.display_name = %s)")
            params += [f.author, f.author]
        if f.tag_ids:
            conds.append("a.id IN (SELECT annotation_id FROM annotation_tags "
                         "WHERE tag_id = ANY(%s))")
            params.append(list(f.tag_ids))
        where.append("p.ref IN (SELECT a.id FROM annotations a JOIN users u "
                     f"ON u.id = a.author_id WHERE {' AND '.join(conds)})")

    # Only ids are sorted while choosing (a sort carrying texts and vectors spills to disk).
    newest_ids = ("SELECT p.id FROM search_passages p JOIN documents d ON d.id = p.document_id "
                  f"WHERE {' AND '.join(where)} ORDER BY p.id DESC LIMIT %s")
    outer = ("SELECT p.id, p.kind, p.ref, p.document_id, p.page, p.config, {rank} AS rank, "
             "p.start, p.body FROM search_passages p WHERE p.id = ANY(ARRAY({ids})) "
             "ORDER BY rank DESC, p.id DESC LIMIT %s")

    sql = outer.format(rank="ts_rank_cd(p.tsv, %s::tsquery)", ids=newest_ids)
    rows = raw.execute(sql, [q, *params, max(RANK_CANDIDATES, limit), limit]).fetchall()
    return _hits(raw, rows, q, positive)


def _hits(raw: Any, rows: list[Any], q: str, positive: str) -> list[SearchHit]:
    """Hits with snippets: marked here from the query's lexemes (see :mod:`db.search.snippets`),
    by ``ts_headline`` for a passage where that finds nothing."""
    pairs = snippets.lexemes(positive)
    found = {stems: snippets.matcher(pairs, stems) for stems in (False, True)}
    made = {row[0]: snippets.snippet(row[8], found[row[5] != SIMPLE]) for row in rows}
    missing = [pid for pid, text in made.items() if text is None]
    if missing:
        for pid, headline, body in raw.execute(
                "SELECT id, ts_headline(config::regconfig, body, %s::tsquery, %s), body "
                "FROM search_passages WHERE id = ANY(%s)", (q, _HEADLINE, missing)).fetchall():
            made[pid] = snippets.tidy_headline(headline, body)
    return [SearchHit(kind, ref, doc, page, made.get(pid) or "", float(rank), start)
            for pid, kind, ref, doc, page, _config, rank, start, _body in rows]


def search(cur: Any, query: ParsedQuery, limit: int = 50) -> list[SearchHit]:
    """Hits of a plain query with ``[`` and ``]`` around matched words (no filters)."""
    hits = find(cur, query, Filters(), limit)
    return [SearchHit(h.kind, h.ref, h.document_id, h.page,
                      h.snippet.replace(MARK_START, "[").replace(MARK_END, "]"), h.rank, h.start)
            for h in hits]
