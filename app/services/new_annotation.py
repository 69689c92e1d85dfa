"""The lean write path of :func:`app.services.annotations.create_annotation`.

Creating an annotation is the commonest write of a team at work, so it skips the ORM: one
transaction of plain statements through :meth:`app.dossier.Dossier.write_late` (prepared by
psycopg after their first uses), the row's audit state computed from the
values written (:func:`app.state.state_of_values`) instead of read back, the page ranges of a
document kept per session (a document version's pages never change), and the dossier's writer
slot taken only around the audit append (:func:`app.audit.append`), not while the row and its
search entries are written. The row, tag links, search entries and event are exactly those the
ORM path wrote; the server's triggers and row-level security check the row as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app import audit
from app.anchoring import page_span
from app.state import state_of_values
from db.cursor import Cursor
from db.search import fts5, on_server

if TYPE_CHECKING:
    from app.dossier import Dossier

#: The columns written, in the order of :data:`_INSERT`'s placeholders.
COLUMNS = ("id", "document_id", "start", "end", "quote", "prefix", "suffix", "page_start",
           "page_end", "note", "attribution", "reliability", "credibility", "status", "anchor",
           "anchor_score", "author_id", "created", "modified", "conflict_of", "region",
           "version")
_INSERT = (f"INSERT INTO annotations ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in COLUMNS)})")
_INSERT_TAG = "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)"


def page_ranges(dossier: Dossier, cur: Cursor, document_id: str) -> list[tuple[int, int]]:
    """A document's page ranges in page order, read once per session (immutable per version)."""
    cache = dossier.page_cache
    ranges = cache.get(document_id)
    if ranges is None:
        ranges = [(int(s), int(e)) for s, e in cur.read(
            'SELECT start, "end" FROM pages WHERE document_id = ? ORDER BY number',
            (document_id,)).fetchall()]
        cache[document_id] = ranges
    return ranges


def pages_for(dossier: Dossier, cur: Cursor, document_id: str, start: int,
              end: int) -> tuple[int | None, int | None]:
    """1-based first and last page of ``[start, end)`` (None, None for a text without pages)."""
    ranges = page_ranges(dossier, cur, document_id)
    return page_span(ranges, start, end) if ranges else (None, None)


def insert(dossier: Dossier, cur: Cursor, row: dict[str, Any], tags: Sequence[str],
           action: str) -> None:
    """Write a new annotation ``row`` (every column of :data:`COLUMNS`), its tag links, its
    search entries and its audit event through ``cur`` (on a team dossier the event is the
    transaction's last statement, sent with its commit: :func:`app.audit.append_late`).

    The writer slot is taken last, by the append, so the state recorded is the row as written
    here (a new row nobody else can have changed yet).
    """
    if on_server(cur):
        from db.search import postgres

        # the row and its search entries in one statement, kept back: it goes with the
        # append and the COMMIT in one message
        cur.keep(*postgres.new_annotation_statement(
            _INSERT, [row[c] for c in COLUMNS], row["id"], row["document_id"], row["quote"],
            row["note"], row["page_start"]))
        for tag in tags:
            cur.keep(_INSERT_TAG, (row["id"], tag))
    else:
        cur.execute(_INSERT, [row[c] for c in COLUMNS])
        if tags:
            cur.executemany(_INSERT_TAG, [(row["id"], t) for t in tags])
        fts5.index_annotation(cur, row["id"], row["document_id"], row["quote"], row["note"],
                              row["page_start"])
    snapshot = {**row, "tag_ids": list(tags)}
    state = f"annotation:{row['id']}=" + state_of_values(
        "annotation", row, {"annotation_tags": [(t,) for t in tags]})
    audit.append_late(cur, dossier.user_name, action, "annotation", row["id"],
                      audit.canonical_json(snapshot), state)
