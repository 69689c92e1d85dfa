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

import json
import re
import uuid
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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
    custody: dict[str, Any] = field(default_factory=dict)  # facts for a new document
    _resolver: Any = field(default=None, repr=False, compare=False)
    _astral: list[int] | None = field(default=None, repr=False, compare=False)

    def utf16_offset(self, offset: int) -> int:
        """``offset`` (code points) counted in UTF-16 units, as Hypothesis and Qt count."""
        if self._astral is None:
            self._astral = [i for i, ch in enumerate(self.text) if ord(ch) > 0xFFFF]
        from bisect import bisect_left

        return offset + bisect_left(self._astral, offset)

    def resolver(self) -> Any:
        """The anchoring resolver of this text, built once for all annotations placed on it."""
        if self._resolver is None:
            from app.anchoring.index import TextIndex
            from app.anchoring.resolve import Resolver

            self._resolver = Resolver(TextIndex(self.text))
        return self._resolver

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


def url_key(url: str | None) -> str:
    """A URL reduced to what identifies a page: host without ``www.``, path without a final
    slash, query without tracking parameters; scheme and fragment ignored."""
    if not url or not url.strip():
        return ""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = "&".join(q for q in parts.query.split("&")
                     if q and not q.lower().startswith(("utm_", "fbclid=", "gclid=")))
    return f"{host}{parts.path.rstrip('/')}" + (f"?{query}" if query else "")


def _urls(row: Any) -> list[str]:
    found = [row.url, row.source]
    try:
        custody = json.loads(row.custody_json or "{}")
    except ValueError:
        custody = {}
    if isinstance(custody, dict):
        found += [custody.get("final_url"), custody.get("requested_url")]
    return [u for u in found if isinstance(u, str) and u]


def _short(digest: str | None) -> str:
    return f"{digest[:16]}…" if digest else "none"


def _check_carried(doc: IncomingDocument, digest: str, name: str) -> None:
    """Refuse a carried file that is not what the set records, saying what differs."""
    if doc.carries_original:
        if doc.sha256 and digest != doc.sha256:
            raise BadInput(f"{name}: the original of {doc.label!r} was altered: the file in the "
                           f"set hashes to {_short(digest)} but the set records "
                           f"{_short(doc.sha256)}; nothing was imported")
    elif doc.recorded_text_sha256 and doc.text_sha256 \
            and doc.recorded_text_sha256 != doc.text_sha256:
        raise BadInput(f"{name}: the text of {doc.label!r} was altered: it hashes to "
                       f"{_short(doc.text_sha256)} (after removing a BOM and normalising line "
                       f"ends) but its properties record {_short(doc.recorded_text_sha256)}; "
                       "nothing was imported")


def match_documents(dossier: Dossier, docs: Iterable[IncomingDocument], name: str
                    ) -> dict[str, Target | Missing]:
    """Each incoming document's local target, a new document to add, or why it is missing.

    A document is recognised by the hash of its original, by the hash of the text the set
    carries (canonical: BOM removed, ``\\n`` line ends), or by the original's hash the set
    records; without any hash (other W3C clients) by its id or by its URL (canonical, final or
    requested, compared without scheme, ``www.``, fragment or tracking parameters).
    """
    from app.services.imports import extract

    out: dict[str, Target | Missing] = {}
    by_sha_new: dict[str, Target] = {}
    with dossier.read() as session:
        rows = session.execute(select(
            Document.id, Document.sha256, Document.url, Document.source, Document.title,
            Document.text_sha256, Document.custody_json, Document.is_current)).all()
        by_sha = {r.sha256: r for r in rows}
        by_text: dict[str, Any] = {}
        for r in rows:
            if r.is_current or r.text_sha256 not in by_text:
                by_text[r.text_sha256] = r
        by_id = {r.id: r for r in rows}
        by_url: dict[str, Any] = {}
        for r in rows:
            for src in _urls(r):
                by_url.setdefault(url_key(src), r)
        for doc in docs:
            local = by_sha.get(doc.sha256 or "") or by_text.get(doc.text_sha256 or "")
            if local is None and not doc.sha256:
                local = by_id.get(doc.document_id or "") or by_url.get(url_key(doc.source))
            if local is None and doc.load is not None:
                data = doc.load()
                digest = sha256_bytes(data)
                _check_carried(doc, digest, name)
                local = by_sha.get(digest)
            else:
                data, digest = b"", ""
            if local is not None:
                out[doc.key] = Target(
                    doc.key, local.title, dossier.document_text(session, local.id),
                    _page_ranges(session, local.id), local.id, local.sha256,
                )
                continue
            if doc.load is None:
                out[doc.key] = Missing(doc.label, doc.sha256,
                                       "not in this dossier and not carried by the set")
                continue
            if digest in by_sha_new:
                out[doc.key] = by_sha_new[digest]
                continue
            filename = doc.filename or doc.title or digest
            if not doc.carries_original and not filename.lower().endswith(".txt"):
                filename += ".txt"
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
            custody: dict[str, Any] = {}
            if not doc.carries_original:
                custody["carried_as_text"] = True
                if doc.sha256:
                    custody["recorded_original_sha256"] = doc.sha256
            target = Target(doc.key, extracted.title or doc.label, text, ranges, None, digest,
                            data, extracted, filename, custody)
            by_sha_new[digest] = target
            out[doc.key] = target
    return out


def find_by_quote(dossier: Dossier, quotes: dict[str, list[str]]) -> dict[str, Target]:
    """For documents known only by a URL no local document has: the one local document whose
    text holds their annotations' quotes (most quotes found; a tie finds nothing)."""
    found: dict[str, Target] = {}
    if not quotes:
        return found
    with dossier.read() as session:
        ids = list(session.scalars(select(Document.id).where(Document.is_current.is_(True))))
        texts = {i: dossier.document_text(session, i) for i in ids}
        for key, wanted in quotes.items():
            squeezed = [" ".join(q.split()) for q in wanted if q.strip()]
            counts = {i: sum(1 for q in squeezed if q in " ".join(t.split()))
                      for i, t in texts.items()}
            best = max(counts.values(), default=0)
            winners = [i for i, c in counts.items() if c == best]
            if best and len(winners) == 1:
                doc = session.get(Document, winners[0])
                assert doc is not None
                found[key] = Target(key, doc.title, texts[doc.id], _page_ranges(session, doc.id),
                                    doc.id, doc.sha256)
    return found


# -- passages ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """Where an annotation lands on the local text and how sure that is."""

    start: int
    end: int
    verbatim: bool  # at the stored position, with the stored quote (if any)
    status: str  # "exact" or "fuzzy"
    score: float


def locate(target: Target, ann: IncomingAnnotation) -> Placed | str:
    """Where an annotation lands, or why it cannot be placed.

    The stored position (whole text, or within a page) is kept when the local text there is the
    quote. Otherwise the quote is anchored as Dossier re-anchors (verbatim, then ignoring
    layout, then approximately, scored by context and nearness to the stored position; see
    :mod:`app.anchoring`): a verbatim, unambiguous place is exact, anything else fuzzy.
    """
    from app.anchoring import Selectors
    from app.anchoring.candidates import Target as AnchorTarget
    from app.anchoring.reanchor import LOCAL_REACH
    from app.exchange.jsonld.selectors import resolve_range

    text = target.text
    if ann.region is not None and not ann.exact:  # a region over no text: its page is enough
        if not 1 <= ann.region.page <= len(target.page_ranges):
            return f"its region is on page {ann.region.page}, which the document does not have"
        base = target.page_ranges[ann.region.page - 1][0]
        return Placed(base, base, True, "exact", 1.0)
    tries: list[tuple[int, int]] = []
    if ann.start is not None and ann.end is not None:
        tries.append((ann.start, ann.end))
    if ann.page is not None and ann.page_start is not None and ann.page_end is not None \
            and 1 <= ann.page <= len(target.page_ranges):
        base = target.page_ranges[ann.page - 1][0]
        tries.append((base + ann.page_start, base + ann.page_end))
    for start, end in tries:
        if 0 <= start < end <= len(text) and (ann.exact is None or text[start:end] == ann.exact):
            return Placed(start, end, True, "exact", 1.0)
    hint = tries[0][0] if tries else 0
    if ann.page is not None and not tries and 1 <= ann.page <= len(target.page_ranges):
        hint = target.page_ranges[ann.page - 1][0]
    if not ann.exact and ann.range_quotes:
        found = resolve_range(text, *ann.range_quotes, hint=hint)
        if found is None:
            return "the quotes its range starts and ends with do not occur in the document"
        unique = text.count(ann.range_quotes[0]) == 1
        return Placed(found[0], found[1], False, "exact" if unique else "fuzzy",
                      1.0 if unique else 0.5)
    if not ann.exact:
        return "its position lies outside the document's text and it gives no quote"
    hint = min(max(hint, 0), len(text))
    selectors = Selectors(hint, hint + len(ann.exact), ann.exact, ann.prefix, ann.suffix,
                          ann.page, ann.page)
    regions: list[tuple[int, int]] = [(max(0, hint - LOCAL_REACH),
                                       hint + len(ann.exact) + LOCAL_REACH)]
    if ann.page is not None and 1 <= ann.page <= len(target.page_ranges):
        regions.append(target.page_ranges[ann.page - 1])
    result = target.resolver().resolve(AnchorTarget(selectors), hint, regions)
    if result.status == "orphaned":
        return "its quoted text does not occur in the document, not even approximately"
    return Placed(result.start, result.end, False, result.status, result.score)


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
