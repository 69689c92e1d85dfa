"""Matching an incoming set against a dossier, without writing: documents, passages, tags.

- **Documents** are matched by the SHA-256 of their original when the set gives one (the only
  identity that survives between dossiers). Without a hash (annotations from other W3C tools)
  the document id (``urn:uuid:``) or the source URL is used. A missing original that the set
  carries (bundles, REFI packages) is extracted here, so problems show before anything is written.
- **Passages**: the stored position is used when the local text there equals the quote; else
  the quote is searched for, preferring the occurrence whose context matches and which lies
  nearest the stored position. A quote that does not occur is reported, never moved fuzzily.
- **Tags** are matched by stable id, then by path (case-insensitive); tags that are missing are
  planned from the set's codebook (same id, colour, description) or from their path.
"""

from __future__ import annotations

import re
import uuid
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import BadInput, DossierError
from app.exchange.incoming import IncomingAnnotation, IncomingDocument, IncomingTag, IncomingTagRef
from app.importers.base import ExtractedDocument, join_pages
from app.originals import sha256_bytes
from app.services.codebook import TagInfo
from db.models import Document, Page

if TYPE_CHECKING:
    from app.dossier import Dossier

CONTEXT = 32
MAX_OCCURRENCES = 10_000
IMPORTED_CATEGORY = "Imported"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class Target:
    """A document annotations can land on: a local one, or one this import will add."""

    key: str
    label: str
    text: str
    page_ranges: list[tuple[int, int]]
    document_id: str | None = None  # None until a new document is inserted
    sha256: str = ""
    data: bytes | None = None
    extracted: ExtractedDocument | None = None
    filename: str = ""

    def pages_of(self, start: int, end: int) -> tuple[int | None, int | None]:
        """1-based pages holding the first and last code point (None without pages)."""
        if not self.page_ranges:
            return None, None
        starts = [s for s, _ in self.page_ranges]
        first = max(1, bisect_right(starts, start))
        last = max(1, bisect_right(starts, max(start, end - 1)))
        return first, last


@dataclass
class Missing:
    """A document the set needs that this dossier lacks (and the set does not carry)."""

    label: str
    sha256: str | None
    reason: str
    annotations: int = 0


def _page_ranges(session: Session, document_id: str) -> list[tuple[int, int]]:
    rows = session.execute(select(Page.start, Page.end).where(Page.document_id == document_id)
                           .order_by(Page.number))
    return [(s, e) for s, e in rows]


def match_documents(dossier: Dossier, docs: Iterable[IncomingDocument], name: str
                    ) -> dict[str, Target | Missing]:
    """Each incoming document's local target, a new document to add, or why it is missing."""
    from app.services.imports import extract

    out: dict[str, Target | Missing] = {}
    by_sha_new: dict[str, Target] = {}
    with dossier.read() as session:
        rows = session.execute(select(Document.id, Document.sha256, Document.url,
                                      Document.source, Document.title)).all()
        by_sha = {r.sha256: r for r in rows}
        by_id = {r.id: r for r in rows}
        by_url: dict[str, Any] = {}
        for r in rows:
            for src in (r.url, r.source):
                if src:
                    by_url.setdefault(src, r)
        for doc in docs:
            if doc.sha256:
                local = by_sha.get(doc.sha256)
            else:
                local = by_id.get(doc.document_id or "") or by_url.get(doc.source or "")
            if local is not None:
                out[doc.key] = Target(
                    doc.key, local.title, dossier.document_text(session, local.id),
                    _page_ranges(session, local.id), local.id, local.sha256,
                )
                continue
            if doc.sha256 and doc.sha256 in by_sha_new:
                out[doc.key] = by_sha_new[doc.sha256]
                continue
            if doc.load is None:
                out[doc.key] = Missing(doc.label, doc.sha256,
                                       "not in this dossier and not carried by the set")
                continue
            data = doc.load()
            digest = sha256_bytes(data)
            if doc.sha256 and digest != doc.sha256:
                raise BadInput(f"{name}: the original of {doc.label!r} does not match its "
                               "SHA-256; the set was altered, nothing was imported")
            filename = doc.filename or doc.title or digest
            try:
                extracted = extract(data, filename)
                if not extracted.text.strip():
                    raise BadInput("no text could be extracted")
            except DossierError as exc:
                out[doc.key] = Missing(doc.label, digest, f"its original cannot be imported "
                                       f"({exc})")
                continue
            if doc.title:  # the set knows the title its dossier showed; keep it
                extracted.title = doc.title
            if not extracted.url and (doc.source or "").startswith(("http://", "https://")):
                extracted.url = doc.source
            text, ranges = (join_pages(extracted.pages) if extracted.pages
                            else (extracted.text, []))
            target = Target(doc.key, extracted.title or doc.label, text, ranges, None, digest,
                            data, extracted, filename)
            by_sha_new[digest] = target
            out[doc.key] = target
    return out


# -- passages ----------------------------------------------------------------------------------

def _context_score(text: str, start: int, end: int, ann: IncomingAnnotation) -> int:
    score = 0
    if ann.prefix and text[max(0, start - len(ann.prefix)):start] == ann.prefix:
        score += 1
    if ann.suffix and text[end:end + len(ann.suffix)] == ann.suffix:
        score += 1
    return score


def locate(target: Target, ann: IncomingAnnotation) -> tuple[int, int, bool] | str:
    """(start, end, exactly where it was stored) for an annotation, or why it cannot be placed."""
    text = target.text
    if ann.region is not None and not ann.exact:  # a region over no text: its page is enough
        if not 1 <= ann.region.page <= len(target.page_ranges):
            return f"its region is on page {ann.region.page}, which the document does not have"
        base = target.page_ranges[ann.region.page - 1][0]
        return base, base, True
    tries: list[tuple[int, int]] = []
    if ann.start is not None and ann.end is not None:
        tries.append((ann.start, ann.end))
    if ann.page is not None and ann.page_start is not None and ann.page_end is not None \
            and 1 <= ann.page <= len(target.page_ranges):
        base = target.page_ranges[ann.page - 1][0]
        tries.append((base + ann.page_start, base + ann.page_end))
    for start, end in tries:
        if 0 <= start < end <= len(text) and (ann.exact is None or text[start:end] == ann.exact):
            return start, end, True
    if not ann.exact:
        return "its position lies outside the document's text"
    hint = tries[0][0] if tries else 0
    best: tuple[int, int] | None = None
    best_key: tuple[int, int] | None = None
    pos = text.find(ann.exact)
    seen = 0
    while pos >= 0 and seen < MAX_OCCURRENCES:
        key = (-_context_score(text, pos, pos + len(ann.exact), ann), abs(pos - hint))
        if best_key is None or key < best_key:
            best, best_key = (pos, pos + len(ann.exact)), key
        pos = text.find(ann.exact, pos + 1)
        seen += 1
    if best is None:
        return "its quoted text does not occur in the document"
    return best[0], best[1], False


# -- tags ----------------------------------------------------------------------------------------

@dataclass
class NewTag:
    """A tag this import will create."""

    id: str
    parent_id: str | None
    name: str
    path: str
    colour: str
    description: str
    shortcut: str | None
    is_codable: bool
    position: int


@dataclass
class TagPlan:
    """Resolves incoming tag references to local tag ids, planning the tags to create."""

    local: list[TagInfo]
    codebook: list[IncomingTag]
    name: str
    created: list[NewTag] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = {t.id for t in self.local}
        self._by_path = {t.path.casefold(): t.id for t in self.local}
        self._children: dict[str | None, int] = {}
        for t in self.local:
            self._children[t.parent_id] = self._children.get(t.parent_id, 0) + 1
        self._shortcuts = {t.shortcut for t in self.local if t.shortcut}
        self._incoming = {t.id: t for t in self.codebook}
        self._leaf: dict[str, list[str]] = {}
        for t in self.local:
            self._leaf.setdefault(t.name.casefold(), []).append(t.id)

    def _incoming_path(self, tag: IncomingTag) -> str:
        parts: list[str] = []
        current: IncomingTag | None = tag
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            parts.append(current.name)
            current = self._incoming.get(current.parent_id or "")
        return "/".join(reversed(parts))

    def resolve(self, ref: IncomingTagRef, label: str) -> str:
        """The local tag id for a reference (planning its creation when needed)."""
        if ref.id and ref.id in self._ids:
            return ref.id
        incoming = self._incoming.get(ref.id or "")
        path = ref.path or (self._incoming_path(incoming) if incoming else None)
        if path:
            found = self._by_path.get(path.casefold())
            if found:
                return found
        if incoming is not None:
            return self._ensure(incoming)
        if not path:
            raise BadInput(f"{self.name}: {label}: tag urn:uuid:{ref.id} is not in this dossier "
                           "and the set does not say what it is; nothing was imported")
        if "/" not in path:
            same = self._leaf.get(path.casefold(), [])
            if len(same) == 1:
                return same[0]
            path = f"{IMPORTED_CATEGORY}/{path}"
        return self._ensure_path(path, ref.id)

    def _ensure(self, tag: IncomingTag) -> str:
        if tag.id in self._ids:
            return tag.id
        path = self._incoming_path(tag)
        found = self._by_path.get(path.casefold())
        if found:
            return found
        parent = self._incoming.get(tag.parent_id or "")
        parent_id = self._ensure(parent) if parent is not None else None
        return self._plan(parent_id, tag.name, path, tag.id, tag.colour, tag.description,
                          tag.shortcut, tag.is_codable)

    def _ensure_path(self, path: str, leaf_id: str | None) -> str:
        parts = path.split("/")
        parent_id: str | None = None
        for depth in range(len(parts)):
            sub = "/".join(parts[:depth + 1])
            found = self._by_path.get(sub.casefold())
            if found is None:
                leaf = depth == len(parts) - 1
                found = self._plan(parent_id, parts[depth], sub, leaf_id if leaf else None, None,
                                   "", None, leaf)
            parent_id = found
        assert parent_id is not None
        return parent_id

    def _plan(self, parent_id: str | None, name: str, path: str, tag_id: str | None,
              colour: str | None, description: str, shortcut: str | None,
              codable: bool) -> str:
        name = name.strip()
        if not name or "/" in name or len(name) > 200:
            raise BadInput(f"{self.name}: tag name {name!r} is empty, too long or contains '/'; "
                           "nothing was imported")
        new_id = tag_id if tag_id and tag_id not in self._ids else str(uuid.uuid4())
        if shortcut in self._shortcuts:
            shortcut = None
        position = self._children.get(parent_id, 0)
        self._children[parent_id] = position + 1
        self.created.append(NewTag(
            new_id, parent_id, name, path, (colour or "#808080").lower()
            if _COLOUR.match(colour or "") else "#808080", description, shortcut, codable,
            position))
        self._ids.add(new_id)
        self._by_path[path.casefold()] = new_id
        self._leaf.setdefault(name.casefold(), []).append(new_id)
        if shortcut:
            self._shortcuts.add(shortcut)
        return new_id
