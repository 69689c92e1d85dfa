"""Documents: storing what an importer extracted, listing, and reading text and page geometry."""

from __future__ import annotations

import json
import uuid
import zlib
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.clock import utcnow
from app.errors import NotFound
from app.importers.base import ExtractedDocument, ExtractedPage, text_and_page_ranges
from app.originals import sha256_bytes
from app.services.lookup import resolve_prefix
from db import search
from db.cursor import of_session
from db.models import Document, Page, User

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass(frozen=True)
class DocumentView:
    """A document as callers see it."""

    id: str
    title: str
    kind: str
    pages: int
    sha256: str
    size: int
    source: str
    filename: str
    url: str | None
    author: str | None
    published: str | None
    site_name: str | None
    imported_at: str
    imported_by: str
    version: int
    previous_id: str | None
    is_current: bool
    text_sha256: str
    text_length: int
    extractor: str
    metadata: dict[str, Any]
    custody: dict[str, Any]
    structure: list[list[Any]]

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier documents --json``."""
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "pages": self.pages,
            "sha256": self.sha256, "size": self.size, "source": self.source,
            "filename": self.filename, "url": self.url, "author": self.author,
            "published": self.published, "site_name": self.site_name,
            "imported_at": self.imported_at, "imported_by": self.imported_by,
            "version": self.version, "previous_version": self.previous_id,
            "current": self.is_current, "text_sha256": self.text_sha256,
            "text_length": self.text_length, "extractor": self.extractor,
            "metadata": self.metadata, "custody": self.custody,
        }


@dataclass(frozen=True)
class PageGeometry:
    """A PDF page's range in the document text, size, rotation and per-code-point boxes."""

    number: int
    start: int
    end: int
    width: float
    height: float
    rotation: int
    boxes: array  # array("f"): x0, top, x1, bottom per code point of the page text
    synthetic: bytes
    #: OCR'd pages: provenance (engine, version, lang, dpi) and one confidence byte per code point.
    ocr: dict[str, Any] | None = None
    confidence: bytes | None = None

    def box(self, offset: int) -> tuple[float, float, float, float]:
        """Box of the code point at document offset ``offset`` (which must be on this page)."""
        i = 4 * (offset - self.start)
        b = self.boxes
        return (b[i], b[i + 1], b[i + 2], b[i + 3])


def _pack_boxes(page: ExtractedPage) -> bytes:
    values = page.boxes if page.boxes.typecode == "f" else array("f", page.boxes)
    return zlib.compress(values.tobytes(), 1)


def _unpack_boxes(blob: bytes) -> array:
    values = array("f")
    values.frombytes(zlib.decompress(blob))
    return values


def _view(doc: Document, importer: str) -> DocumentView:
    return DocumentView(
        id=doc.id, title=doc.title, kind=doc.kind, pages=doc.page_count, sha256=doc.sha256,
        size=doc.size, source=doc.source, filename=doc.filename, url=doc.url, author=doc.author,
        published=doc.published, site_name=doc.site_name, imported_at=doc.imported_at,
        imported_by=importer, version=doc.version, previous_id=doc.previous_id,
        is_current=doc.is_current, text_sha256=doc.text_sha256, text_length=_text_length(doc),
        extractor=doc.extractor, metadata=json.loads(doc.metadata_json),
        custody=json.loads(doc.custody_json), structure=json.loads(doc.structure_json),
    )


def _text_length(doc: Document) -> int:
    return doc.text_length if doc.text_length is not None else len(doc.text)


def _importer_name(session: Session, user_id: int) -> str:
    return session.scalar(select(User.name).where(User.id == user_id)) or ""


def find_by_sha256(dossier: Dossier, sha256: str) -> DocumentView | None:
    """The document whose original has this hash, if any."""
    found = id_by_sha256(dossier, sha256)
    return document_view(dossier, found) if found is not None else None


def id_by_sha256(dossier: Dossier, sha256: str) -> str | None:
    """The id of the document whose original has this hash, if any.

    One indexed lookup of one column: an import asks this of every file, and nearly every answer
    is "none" (loading a whole document row, text included, to say so cost more than the rest
    of the check).
    """
    with dossier.read() as session:
        row = of_session(session).execute(
            "SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return str(row[0]) if row is not None else None


def document_view(dossier: Dossier, document_id: str) -> DocumentView:
    """One document by its full id (:class:`NotFound` if there is none)."""
    with dossier.read() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"no document {document_id}")
        return _view(doc, _importer_name(session, doc.imported_by))


def store_document(
    dossier: Dossier, data: bytes, extracted: ExtractedDocument, *, source: str, filename: str,
    custody: dict[str, Any] | None = None, previous_id: str | None = None,
    sha256: str | None = None, looked_up: bool = False,
) -> tuple[DocumentView, bool]:
    """Keep the original and store the extracted document atomically.

    Returns (document, True) when stored now, or (the existing document, False) when the same
    bytes were imported before. If anything fails, neither the original nor any row remains.
    ``looked_up``: the caller has just checked the hash is new (it is not looked up again; the
    unique index still catches a concurrent import of the same bytes).
    """
    digest = sha256 or sha256_bytes(data)
    if not looked_up:
        existing = find_by_sha256(dossier, digest)
        if existing is not None:
            return existing, False
    try:
        with keep_original(dossier, data, digest), dossier.write() as session:
            doc = insert_document(session, dossier, digest, len(data), extracted, source=source,
                                  filename=filename, custody=custody, previous_id=previous_id)
            view = _view(doc, dossier.user_name)
    except (IntegrityError, dossier.engine.dialect.loaded_dbapi.IntegrityError):
        # the same bytes were stored by someone else meanwhile (the unique index says so)
        existing = find_by_sha256(dossier, digest)
        if existing is None:
            raise
        return existing, False
    dossier.notify_change("document", "created", view.id)
    return view, True


@contextmanager
def keep_original(dossier: Dossier, data: bytes, digest: str) -> Iterator[None]:
    """Write the original before the transaction; remove it again if the block fails."""
    _, created_file = dossier.originals.put(data, digest)
    try:
        yield
    except BaseException:
        if created_file:
            dossier.originals.discard(digest)
        raise


_DOCUMENT_COLUMNS = ("id", "title", "kind", "sha256", "size", "filename", "source", "text",
                     "text_length", "text_sha256", "page_count", "author", "published",
                     "site_name", "url", "metadata_json", "structure_json", "custody_json",
                     "extractor", "imported_at", "imported_by", "version", "previous_id",
                     "is_current")
_INSERT_DOCUMENT = (f"INSERT INTO documents ({', '.join(_DOCUMENT_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_DOCUMENT_COLUMNS))})")


def insert_document(
    session: Session, dossier: Dossier, digest: str, size: int, extracted: ExtractedDocument,
    *, source: str, filename: str, custody: dict[str, Any] | None = None,
    previous_id: str | None = None, document_id: str | None = None,
) -> Document:
    """Insert a document with its pages, search entries and audit event (caller's transaction).

    With ``previous_id`` the document becomes the next version of that one, which stops being
    current. ``document_id`` is the new row's id when the caller chose it in advance (a set
    import prepares the rows that refer to it before the write lock).
    """
    text, ranges = text_and_page_ranges(extracted)
    user_id = dossier.user_id(session)
    version = 1
    if previous_id is not None:
        prev = session.get(Document, previous_id)
        if prev is None:
            raise NotFound(f"no document {previous_id}")
        version = prev.version + 1
        prev.is_current = False
    row: dict[str, Any] = {
        "id": document_id or str(uuid.uuid4()), "title": extracted.title or filename,
        "kind": extracted.kind, "sha256": digest, "size": size, "filename": filename,
        "source": source, "text": text, "text_length": len(text),
        "text_sha256": sha256_bytes(text.encode("utf-8")), "page_count": len(extracted.pages),
        "author": extracted.author, "published": extracted.published,
        "site_name": extracted.site_name, "url": extracted.url,
        "metadata_json": json.dumps(extracted.metadata, ensure_ascii=False, default=str),
        "structure_json": json.dumps(extracted.structure),
        "custody_json": json.dumps(custody or {}, ensure_ascii=False),
        "extractor": extracted.extractor, "imported_at": utcnow(), "imported_by": user_id,
        "version": version, "previous_id": previous_id, "is_current": True,
    }
    # One plain INSERT on the session's connection (after its pending changes are flushed): the
    # ORM's unit of work cost more than the statement for this one row. The Document returned
    # is not in the session; callers read it (a query in the transaction finds the row).
    audit.cursor(session).execute(_INSERT_DOCUMENT, [row[c] for c in _DOCUMENT_COLUMNS])
    doc = Document(**row)
    dossier.originals.attach(session, digest)
    session.add_all(
        Page(
            document_id=doc.id, number=i + 1, label=page.label, start=start, end=end,
            width=page.width, height=page.height, rotation=page.rotation,
            boxes=_pack_boxes(page), synthetic=zlib.compress(page.synthetic, 1),
            ocr=json.dumps(page.ocr, sort_keys=True) if page.ocr else None,
            confidence=zlib.compress(page.confidence, 1) if page.confidence else None,
        )
        for i, (page, (start, end)) in enumerate(zip(extracted.pages, ranges, strict=True))
    )
    chunks: list[tuple[int | None, str, int]] = (
        [(i + 1, text[s:e], s) for i, (s, e) in enumerate(ranges)] if ranges
        else [(None, text, 0)]
    )
    search.index_document(session, doc.id, chunks)
    audit.record(session, dossier.user_name, "document.import", "document", doc.id, {
        "sha256": digest, "size": size, "title": doc.title, "kind": doc.kind,
        "source": source, "filename": filename, "pages": doc.page_count,
        "text_sha256": doc.text_sha256, "extractor": doc.extractor,
        "custody": custody or {}, "version": version, "previous_id": previous_id,
    }, touches=[("document", previous_id)] if previous_id else ())
    return doc


@dataclass(frozen=True)
class DocumentEntry:
    """A document as a listing shows it: read without its text or JSON metadata."""

    id: str
    title: str
    kind: str
    pages: int
    filename: str
    site_name: str | None
    imported_at: str
    imported_by: str
    version: int
    previous_id: str | None
    is_current: bool
    text_length: int


_ENTRY_COLUMNS = (Document.id, Document.title, Document.kind, Document.page_count,
                  Document.filename, Document.site_name, Document.imported_at, User.name,
                  Document.version, Document.previous_id, Document.is_current,
                  Document.text_length)


def list_entries(dossier: Dossier, *, all_versions: bool = False,
                 ids: Sequence[str] = ()) -> list[DocumentEntry]:
    """Documents in import order (current versions unless ``all_versions``; only ``ids`` if
    given), read from the columns a listing shows: never the texts."""
    with dossier.read() as session:
        query = select(*_ENTRY_COLUMNS).join(User, User.id == Document.imported_by)
        if not all_versions:
            query = query.where(Document.is_current.is_(True))
        if ids:
            query = query.where(Document.id.in_(list(ids)))
        rows: list[Any] = list(session.execute(
            query.order_by(Document.imported_at, Document.id)).all())
        return [_entry(*row) for row in rows]


def _entry(doc_id: str, title: str, kind: str, pages: int, filename: str, site_name: str | None,
           imported_at: str, imported_by: str, version: int, previous_id: str | None,
           is_current: bool, text_length: int | None) -> DocumentEntry:
    return DocumentEntry(doc_id, title, kind, pages, filename, site_name, imported_at,
                         imported_by, version, previous_id, is_current, text_length or 0)


def titles(dossier: Dossier) -> dict[str, str]:
    """Every document's title by id (all versions)."""
    with dossier.read() as session:
        return {i: t for i, t in session.execute(select(Document.id, Document.title))}


def list_documents(dossier: Dossier, *, all_versions: bool = False) -> list[DocumentView]:
    """Documents in import order; only current versions unless ``all_versions``."""
    with dossier.read() as session:
        query = select(Document, User.name).join(User, User.id == Document.imported_by)
        if not all_versions:
            query = query.where(Document.is_current.is_(True))
        rows = session.execute(query.order_by(Document.imported_at, Document.id)).all()
        return [_view(doc, name) for doc, name in rows]


def get_document(dossier: Dossier, spec: str) -> DocumentView:
    """One document by id or unique id prefix."""
    with dossier.read() as session:
        doc = resolve_prefix(session, Document, spec, "document")
        return _view(doc, _importer_name(session, doc.imported_by))


def document_text(dossier: Dossier, document_id: str) -> str:
    """The canonical text of a document."""
    with dossier.read() as session:
        return dossier.document_text(session, document_id)


#: How many documents' unpacked page geometry a dossier keeps at hand.
GEOMETRY_CACHED = 4


def page_geometry(dossier: Dossier, document_id: str) -> list[PageGeometry]:
    """Every page of a PDF document with its unpacked character boxes.

    A document version's pages never change, so the last few are kept on the dossier: the
    reader reads them while opening a document (off the GUI thread) and its view finds them.
    """
    cache: dict[str, list[PageGeometry]] = dossier.geometry_cache
    found = cache.pop(document_id, None)
    if found is None:
        with dossier.read() as session:
            pages = session.scalars(
                select(Page).where(Page.document_id == document_id).order_by(Page.number)
            ).all()
            found = [
                PageGeometry(p.number, p.start, p.end, p.width, p.height, p.rotation,
                             _unpack_boxes(p.boxes), zlib.decompress(p.synthetic),
                             json.loads(p.ocr) if p.ocr else None,
                             zlib.decompress(p.confidence) if p.confidence else None)
                for p in pages
            ]
    cache[document_id] = found  # newest last
    while len(cache) > GEOMETRY_CACHED:
        cache.pop(next(iter(cache)))
    return list(found)
