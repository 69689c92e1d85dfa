"""Full-text search over document texts, annotation quotes and notes, with filters.

What the user typed is translated by :mod:`app.search_query`, so every input is a valid query.
Results carry the document's title and a snippet with the match marked; :func:`locate` finds
the passage to show when a result is opened (only then is a document text read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from app import search_query
from app.services import codebook
from db import search as index
from db.models import Annotation, Document, Page

if TYPE_CHECKING:
    from app.dossier import Dossier

MARK_START = index.MARK_START
MARK_END = index.MARK_END


@dataclass(frozen=True)
class SearchResult:
    """One hit: where it is, what kind of text matched, and a snippet with marks."""

    kind: str  # "document", "quote" or "note"
    ref: str  # document id for document text, else annotation id
    document_id: str
    title: str
    page: int | None
    snippet: str  # matched words between MARK_START and MARK_END
    start: int | None = None  # where the matching passage starts in the document text

    def plain_snippet(self, left: str = "[", right: str = "]") -> str:
        """The snippet with its marks replaced by ``left`` and ``right``."""
        return self.snippet.replace(MARK_START, left).replace(MARK_END, right)


def search(
    dossier: Dossier, text: str, *, document_id: str | None = None, tag: str | None = None,
    status: str | None = None, author: str | None = None, limit: int = 50,
    as_you_type: bool = False,
) -> list[SearchResult]:
    """Search for what the user typed; ``tag`` includes the tag's sub-tags."""
    query = search_query.parse(text, as_you_type=as_you_type)
    if not query:
        return []
    with dossier.read() as session:
        tag_ids: tuple[str, ...] = ()
        if tag:
            root = codebook.resolve_tag(session, tag)
            tag_ids = tuple(t.id for t in codebook.list_tags(session)
                            if t.id == root.id or t.path.startswith(root.path + "/"))
        filters = index.Filters(document_id=document_id, tag_ids=tag_ids, status=status,
                                author=author)
        hits = index.find(session, query, filters, limit)
        doc_ids = {h.document_id for h in hits}
        titles: dict[str, str] = {str(k): str(v) for k, v in session.execute(
            select(Document.id, Document.title).where(Document.id.in_(doc_ids))
        ).all()} if doc_ids else {}
    return [SearchResult(h.kind, h.ref, h.document_id, titles.get(h.document_id, ""), h.page,
                         h.snippet, h.start) for h in hits]


def locate(dossier: Dossier, result: SearchResult, text: str) -> tuple[int, int]:
    """The ``[start, end)`` of the passage a result points at, in its document's text.

    An annotation hit is the annotation's passage; a document hit is the first match of the
    query in the indexed passage it came from (else on its page or in the document; the
    passage's start when no word can be placed exactly).
    """
    with dossier.read() as session:
        if result.kind != "document":
            ann = session.get(Annotation, result.ref)
            if ann is not None:
                return ann.start, ann.end
        body = dossier.document_text(session, result.document_id)
        lo, hi = 0, len(body)
        if result.page is not None:
            page = session.scalar(select(Page).where(Page.document_id == result.document_id,
                                                     Page.number == result.page))
            if page is not None:
                lo, hi = page.start, page.end
    pattern = search_query.parse(text).pattern()
    found = None
    if result.start is not None:  # the passage the hit is in, then its page or document
        found = pattern.search(body, result.start,
                               min(hi, result.start + index.PASSAGE_CHARS + 200))
    found = found or pattern.search(body, lo, hi)
    if found is None:
        return (result.start, result.start) if result.start is not None else (lo, lo)
    return found.start(), found.end()
