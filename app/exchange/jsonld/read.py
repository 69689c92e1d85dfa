"""Strict reading of W3C Web Annotation JSON into :mod:`app.exchange.incoming` objects.

Accepts Dossier's own exports and reasonable annotations from other W3C producers: missing
``dossier:`` fields take their defaults (draft, ungraded, no attribution). Anything malformed is
refused with the annotation's number and id and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Any, NoReturn

from app.errors import BadInput
from app.exchange.incoming import (
    IncomingAnnotation,
    IncomingDocument,
    IncomingReview,
    IncomingSet,
    IncomingTag,
    IncomingTagRef,
    id_from_iri,
    parse_stamp,
    uuid_of,
)
from app.exchange.safety.json_stream import JsonLimits, iter_json_items, scan_json
from app.progress import checkpoint
from app.regions import Region
from app.services.annotations import CREDIBILITY, RELIABILITY, STATUSES

ANNO_CONTEXTS = ("http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld")
_PAGE = re.compile(r"^page=(\d+)(?:&.*)?$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
#: W3C Media Fragments spatial dimension, in Dossier's unit (points of the displayed page).
_NUM = r"(\d+(?:\.\d+)?)"
_XYWH = re.compile(rf"^xywh=(?:pixel:)?{_NUM},{_NUM},{_NUM},{_NUM}$")
_ANCHORS = ("exact", "fuzzy", "orphaned")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def has_anno_context(value: Any) -> bool:
    """True when a ``@context`` names the W3C annotation context."""
    return any(isinstance(c, str) and c in ANNO_CONTEXTS for c in _as_list(value))


def _types(value: Any) -> list[str]:
    return [t for t in _as_list(value) if isinstance(t, str)]


class _Item:
    """Validation helpers bound to one annotation, for precise messages."""

    def __init__(self, item: dict[str, Any], index: int, where: str) -> None:
        self.item = item
        self.index = index
        self.where = where
        iri = item.get("id")
        self.iri = iri if isinstance(iri, str) else ""

    def fail(self, problem: str) -> NoReturn:
        named = f" ({self.iri})" if self.iri else ""
        raise BadInput(f"{self.where}: annotation {self.index + 1}{named}: {problem}; nothing "
                       "was imported")

    def text(self, obj: dict[str, Any], key: str, default: str = "", label: str = "") -> str:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(f"{label or key} must be text, not {type(value).__name__}")
        return value

    def stamp(self, obj: dict[str, Any], key: str, label: str = "") -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{label or key} must be an ISO 8601 date-time")
        try:
            return parse_stamp(value)
        except ValueError:
            self.fail(f"{label or key} {value!r} is not an ISO 8601 UTC date-time "
                      "(e.g. 2025-03-04T10:15:00Z)")

    def offset(self, obj: dict[str, Any], key: str, label: str) -> int:
        value = obj.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{label} {key} must be a non-negative integer, not {value!r}")
        return value


def _creator(it: _Item) -> tuple[str, str | None]:
    raw = it.item.get("creator")
    first = _as_list(raw)[0] if _as_list(raw) else None
    if first is None:
        return "unknown", None
    if isinstance(first, str):
        return first, uuid_of(first)
    if not isinstance(first, dict):
        it.fail("creator must be an agent object or an IRI")
    name = it.text(first, "name", label="creator name") or it.text(
        first, "nickname", label="creator nickname")
    iri = it.text(first, "id", label="creator id")
    return (name or iri or "unknown").strip()[:200], uuid_of(iri) if iri else None


def _bodies(it: _Item, motivation: list[str]) -> tuple[tuple[IncomingTagRef, ...], str]:
    tags: list[IncomingTagRef] = []
    notes: list[str] = []
    pending: int | None = None  # index of a tagging body not yet paired with its classifying one
    for body in _as_list(it.item.get("body")):
        if not isinstance(body, dict):
            continue  # an IRI body says nothing Dossier can keep
        purposes = _types(body.get("purpose")) or motivation
        kind = _types(body.get("type"))
        if "TextualBody" in kind or ("value" in body and not kind):
            value = it.text(body, "value", label="body value")
            if "tagging" in purposes:
                path = "/".join(p.strip() for p in value.strip().strip("/").split("/"))
                if not path or "//" in path:
                    it.fail(f"tag {value!r} is empty or has an empty level")
                tags.append(IncomingTagRef(None, path))
                pending = len(tags) - 1
                continue
            if value and ("commenting" in purposes or "describing" in purposes or not purposes):
                notes.append(value)
        elif "SpecificResource" in kind and "classifying" in purposes:
            source = it.text(body, "source", label="classifying body source")
            tag_id = uuid_of(source)
            if tag_id is None:
                it.fail(f"classifying body source {source!r} is not a urn:uuid tag id")
            if pending is not None and tags[pending].id is None:
                tags[pending] = IncomingTagRef(tag_id, tags[pending].path)
            else:
                tags.append(IncomingTagRef(tag_id, None))
        pending = None
    unique = list(dict.fromkeys(tags))
    return tuple(unique), "\n\n".join(notes)


def _quote(it: _Item, ann: IncomingAnnotation, sel: dict[str, Any]) -> bool:
    """Take a TextQuoteSelector's exact, prefix and suffix; False when its exact is empty."""
    exact = it.text(sel, "exact", label="TextQuoteSelector exact")
    if not exact:
        return False
    ann.exact = exact
    ann.prefix = it.text(sel, "prefix", label="TextQuoteSelector prefix")
    ann.suffix = it.text(sel, "suffix", label="TextQuoteSelector suffix")
    return True


def _selectors(it: _Item, ann: IncomingAnnotation, target: dict[str, Any]) -> None:
    found = False
    for sel in _as_list(target.get("selector")):
        if not isinstance(sel, dict):
            continue
        kind = _types(sel.get("type"))
        if "TextQuoteSelector" in kind:
            if not _quote(it, ann, sel):
                it.fail("TextQuoteSelector exact is empty")
            found = True
        elif "TextPositionSelector" in kind:
            ann.start = it.offset(sel, "start", "TextPositionSelector")
            ann.end = it.offset(sel, "end", "TextPositionSelector")
            if ann.end <= ann.start:
                it.fail(f"TextPositionSelector end {ann.end} is not after start {ann.start}")
            found = True
        elif "FragmentSelector" in kind:
            match = _PAGE.match(it.text(sel, "value", label="FragmentSelector value"))
            conforms = it.text(sel, "conformsTo", label="FragmentSelector conformsTo")
            if not match or "rfc3778" not in conforms:
                continue
            if int(match.group(1)) < 1:
                it.fail("FragmentSelector page numbers start at 1")
            ann.page = int(match.group(1))
            found = _refined(it, ann, sel) or found
    if not found:
        it.fail("its target has no TextQuoteSelector or TextPositionSelector, so Dossier "
                "cannot tell which passage it marks")


def _refined(it: _Item, ann: IncomingAnnotation, fragment: dict[str, Any]) -> bool:
    found = False
    for sel in _as_list(fragment.get("refinedBy")):
        if not isinstance(sel, dict):
            continue
        kind = _types(sel.get("type"))
        if "TextPositionSelector" in kind:
            ann.page_start = it.offset(sel, "start", "page TextPositionSelector")
            ann.page_end = it.offset(sel, "end", "page TextPositionSelector")
            if ann.page_end <= ann.page_start:
                it.fail("page TextPositionSelector end is not after start")
            found = True
        elif "TextQuoteSelector" in kind and ann.exact is None:
            found = _quote(it, ann, sel) or found
        elif "FragmentSelector" in kind and ann.page is not None:
            match = _XYWH.match(it.text(sel, "value", label="FragmentSelector value"))
            if match:
                x, y, w, h = (float(v) for v in match.groups())
                ann.region = Region(ann.page, x, y, w, h)
                found = True
    return found


def document_key(target: dict[str, Any]) -> tuple[str, IncomingDocument | None]:
    """How annotations name their document, and what the target itself tells about it."""
    source = target.get("source") if isinstance(target.get("source"), str) else ""
    own = target.get("dossier:document")
    doc_id = uuid_of(own) if isinstance(own, str) else None
    doc_id = doc_id or uuid_of(source or "")
    key = f"urn:uuid:{doc_id}" if doc_id else str(source)
    sha = target.get("dossier:sha256")
    sha = sha.lower() if isinstance(sha, str) and _SHA.match(sha.lower()) else None
    return key, IncomingDocument(key=key, sha256=sha, document_id=doc_id, source=source or None)


def _target(it: _Item, ann: IncomingAnnotation) -> None:
    targets = [t for t in _as_list(it.item.get("target")) if isinstance(t, dict)]
    if not targets:
        it.fail("its target has no selector (an IRI alone does not say which passage)")
    target = targets[0]
    source = target.get("source")
    if not isinstance(source, str) or not source.strip():
        it.fail("its target has no source naming the document")
    ann.document, _ = document_key(target)
    _selectors(it, ann, target)


def _extensions(it: _Item, ann: IncomingAnnotation) -> None:
    item = it.item
    ann.status = it.text(item, "dossier:status", "draft")
    if ann.status not in STATUSES:
        it.fail(f"dossier:status {ann.status!r} is not one of {', '.join(STATUSES)}")
    reliability = item.get("dossier:reliability")
    if reliability is not None and reliability not in RELIABILITY:
        it.fail(f"dossier:reliability {reliability!r} is not one of A-F")
    ann.reliability = reliability
    credibility = item.get("dossier:credibility")
    if credibility is not None and (isinstance(credibility, bool)
                                    or credibility not in CREDIBILITY):
        it.fail(f"dossier:credibility {credibility!r} is not one of 1-6")
    ann.credibility = credibility
    ann.attribution = it.text(item, "dossier:attribution")
    anchor = item.get("dossier:anchor")
    ann.anchor = anchor if anchor in _ANCHORS else None
    score = item.get("dossier:anchorScore")
    ann.anchor_score = float(score) if isinstance(score, int | float) and \
        not isinstance(score, bool) and 0 <= score <= 1 else None
    conflict = item.get("dossier:conflictOf")
    ann.conflict_of = uuid_of(conflict) if isinstance(conflict, str) else None
    reviews = []
    for raw in _as_list(item.get("dossier:reviews")):
        if not isinstance(raw, dict):
            it.fail("dossier:reviews must hold review objects")
        review_id = uuid_of(it.text(raw, "id", label="review id"))
        decision = it.text(raw, "dossier:decision", label="review decision").strip()
        created = it.stamp(raw, "created", "review created")
        if review_id is None or not decision or len(decision) > 24 or created is None:
            it.fail("a review needs a urn:uuid id, a decision and a created time")
        reviews.append(IncomingReview(
            review_id, it.text(raw, "dossier:reviewer", "unknown", "reviewer")[:200] or "unknown",
            decision, it.text(raw, "dossier:reason", label="review reason"), created))
    ann.reviews = tuple(reviews)


def annotation_from_json(item: Any, index: int, where: str, *,
                         need_context: bool) -> IncomingAnnotation:
    """One annotation item as an :class:`IncomingAnnotation`; BadInput when malformed."""
    if not isinstance(item, dict):
        raise BadInput(f"{where}: annotation {index + 1} is not a JSON object; nothing was "
                       "imported")
    it = _Item(item, index, where)
    if need_context and not has_anno_context(item.get("@context")):
        it.fail('it has no "@context" naming http://www.w3.org/ns/anno.jsonld')
    if "Annotation" not in _types(item.get("type")):
        it.fail(f"its type is {item.get('type')!r}, not \"Annotation\"")
    if not it.iri.strip():
        it.fail("it has no id")
    ann = IncomingAnnotation(index=index, id=id_from_iri(it.iri), document="")
    ann.author, ann.author_guid = _creator(it)
    ann.created = it.stamp(item, "created")
    ann.modified = it.stamp(item, "modified") or ann.created
    ann.tags, ann.note = _bodies(it, _types(item.get("motivation")))
    _target(it, ann)
    _extensions(it, ann)
    return ann


# -- the collection around the annotations --------------------------------------------------------

def _header_fail(where: str, problem: str) -> NoReturn:
    raise BadInput(f"{where}: {problem}; nothing was imported")


def _codebook(raw: Any, where: str) -> list[IncomingTag]:
    tags = []
    for i, entry in enumerate(_as_list(raw)):
        if not isinstance(entry, dict):
            _header_fail(where, f"dossier:codebook entry {i + 1} is not an object")
        tag_id = uuid_of(str(entry.get("id", "")))
        name = entry.get("dossier:name")
        if tag_id is None or not isinstance(name, str) or not name.strip() or "/" in name:
            _header_fail(where, f"dossier:codebook entry {i + 1} needs a urn:uuid id and a name "
                                "without '/'")
        parent = entry.get("dossier:parent")
        colour, shortcut = entry.get("dossier:colour"), entry.get("dossier:shortcut")
        position = entry.get("dossier:position")
        tags.append(IncomingTag(
            id=tag_id, name=name.strip(),
            parent_id=uuid_of(parent) if isinstance(parent, str) else None,
            colour=colour if isinstance(colour, str) else None,
            description=str(entry.get("dossier:description") or ""),
            shortcut=shortcut if isinstance(shortcut, str) and shortcut else None,
            is_codable=entry.get("dossier:codable") is not False,
            position=position if isinstance(position, int) else i,
        ))
    return tags


def _documents(raw: Any, where: str) -> dict[str, IncomingDocument]:
    out = {}
    for i, entry in enumerate(_as_list(raw)):
        doc_id = uuid_of(str(entry.get("id", ""))) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or doc_id is None:
            _header_fail(where, f"dossier:documents entry {i + 1} needs a urn:uuid id")
        sha = str(entry.get("dossier:sha256") or "").lower()
        url = entry.get("dossier:url")
        key = f"urn:uuid:{doc_id}"
        out[key] = IncomingDocument(
            key=key, sha256=sha if _SHA.match(sha) else None, document_id=doc_id,
            source=url if isinstance(url, str) else None,
            title=str(entry.get("dossier:title") or ""), kind=str(entry.get("dossier:kind") or ""),
            filename=str(entry.get("dossier:filename") or ""),
        )
    return out


def read_header(header: Any, where: str) -> tuple[
        dict[str, Any] | None, bool, dict[str, IncomingDocument], list[IncomingTag]]:
    """(a lone annotation or None, whether the items inherit a context, documents, codebook)."""
    if isinstance(header, list):  # a bare array: every item carries its own @context
        return None, False, {}, []
    types = _types(header.get("type"))
    if "Annotation" in types:
        return header, False, {}, []
    if not ({"AnnotationCollection", "AnnotationPage"} & set(types)):
        _header_fail(where, f"is not a W3C annotation set (its type is {header.get('type')!r}; "
                            "Dossier reads an AnnotationCollection, an AnnotationPage, an "
                            "Annotation or an array of them)")
    if not has_anno_context(header.get("@context")):
        _header_fail(where, '"@context" does not name http://www.w3.org/ns/anno.jsonld')
    if "AnnotationCollection" in types and "first" in header and \
            not isinstance(header["first"], dict):
        _header_fail(where, "its first page is not embedded; save the collection with its "
                            "annotations inside")
    return (None, True, _documents(header.get("dossier:documents"), where),
            _codebook(header.get("dossier:codebook"), where))


# -- reading --------------------------------------------------------------------------------------

def read_set(open_stream: Callable[[], IO[bytes]], name: str, sha256: str, *,
             kind: str = "jsonld", limits: JsonLimits | None = None) -> IncomingSet:
    """Read a JSON-LD annotation set (ours or another W3C producer's), strictly.

    The file is streamed twice: first to check it against the limits and count the annotations
    while reading everything else (so an oversized set is refused before anything is built),
    then to convert each annotation as it is decoded. Any problem raises BadInput naming the
    annotation and what is wrong.
    """
    with open_stream() as fh:
        scan = scan_json(fh, name, limits, on_count=checkpoint)
    single, context_given, documents, tags = read_header(scan.header, name)
    incoming = IncomingSet(name=name, sha256=sha256, kind=kind, documents=documents, tags=tags)

    def convert(index: int, item: Any) -> None:
        checkpoint()
        ann = annotation_from_json(item, index, name, need_context=not context_given)
        _note_document(incoming, item, ann)
        incoming.annotations.append(ann)

    if single is not None:
        convert(0, single)
    else:
        for index, item in iter_json_items(open_stream, name, scan):
            convert(index, item)
    incoming.check_unique_ids()
    return incoming


def _note_document(incoming: IncomingSet, item: dict[str, Any], ann: IncomingAnnotation) -> None:
    """Make sure the set knows the document an annotation's target names."""
    if ann.document in incoming.documents:
        return
    key, doc = document_key(item["target"] if isinstance(item.get("target"), dict) else {})
    incoming.documents.setdefault(key, doc or IncomingDocument(key=key, source=key))
