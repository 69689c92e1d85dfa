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
from app.exchange.jsonld.hypothesis import (
    document_title,
    hypothesis_annotation,
    is_hypothesis_header,
    looks_like_api_row,
)
from app.exchange.jsonld.selectors import Malformed, NotUsable, read_target, source_of
from app.exchange.safety.json_stream import JsonLimits, iter_json_items, scan_json
from app.progress import checkpoint
from app.regions import Region
from app.services.annotations import CREDIBILITY, RELIABILITY, STATUSES

ANNO_CONTEXTS = ("http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld")
_SHA = re.compile(r"^[0-9a-f]{64}$")
#: Largest character offset a set may give (far beyond any document's length).
MAX_OFFSET = 2**31 - 1
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
        except ValueError as exc:
            if "out of range" in str(exc):
                self.fail(f"{label or key} {value[:40]!r} is {exc}")
            self.fail(f"{label or key} {value[:40]!r} is not an ISO 8601 UTC date-time "
                      "(e.g. 2025-03-04T10:15:00Z)")

    def offset(self, obj: dict[str, Any], key: str, label: str) -> int:
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_OFFSET:
            self.fail(f"{label} {key} is out of range (more than {MAX_OFFSET:,})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{label} {key} must be a non-negative integer, not {str(value)[:40]!r}")
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


def document_key(target: dict[str, Any]) -> tuple[str, IncomingDocument | None]:
    """How annotations name their document, and what the target itself tells about it."""
    source = source_of(target)
    own = target.get("dossier:document")
    doc_id = uuid_of(own) if isinstance(own, str) else None
    doc_id = doc_id or uuid_of(source or "")
    key = f"urn:uuid:{doc_id}" if doc_id else str(source)
    sha = target.get("dossier:sha256")
    sha = sha.lower() if isinstance(sha, str) and _SHA.match(sha.lower()) else None
    return key, IncomingDocument(key=key, sha256=sha, document_id=doc_id, source=source or None)


def _target(it: _Item, ann: IncomingAnnotation) -> IncomingDocument:
    """Fill the passage facts from the first target with selectors; the document it names.

    Raises NotUsable (page notes, targets with selectors Dossier cannot resolve on text).
    """
    if not any(source_of(t) for t in _as_list(it.item.get("target"))):
        it.fail("its target has no source naming the document")
    try:
        facts = read_target(it.item)
    except Malformed as exc:
        it.fail(str(exc))
    if not facts.source:
        it.fail("its target has no source naming the document")
    ann.exact, ann.prefix, ann.suffix = facts.exact, facts.prefix, facts.suffix
    ann.start, ann.end = facts.start, facts.end
    ann.page, ann.page_start, ann.page_end = facts.page, facts.page_start, facts.page_end
    ann.range_quotes = facts.range_quotes
    if facts.region is not None and facts.page is not None:
        ann.region = Region(facts.page, *facts.region)
    key, doc = document_key(facts.target or {"source": facts.source})
    ann.document = key
    return doc or IncomingDocument(key=key, source=facts.source)


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


def annotation_from_json(item: Any, index: int, where: str, *, need_context: bool,
                         documents: dict[str, IncomingDocument] | None = None
                         ) -> IncomingAnnotation:
    """One annotation item as an :class:`IncomingAnnotation`; BadInput when malformed,
    NotUsable when it marks no passage Dossier can place (the import lists it with the reason).
    The document its target names is added to ``documents`` when given."""
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
    doc = _target(it, ann)
    _extensions(it, ann)
    # Another client's positions are hints (Hypothesis counts UTF-16 units); Dossier's own
    # sets state exact positions, so a quote found elsewhere is flagged.
    ann.position_is_hint = not any(str(k).startswith("dossier:") for k in item)
    if documents is not None:
        documents.setdefault(ann.document, doc)
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
    """Read a JSON-LD annotation set (ours or another W3C producer's) or Hypothesis's JSON.

    The file is streamed twice: first to check it against the limits and count the annotations
    while reading everything else (so an oversized set is refused before anything is built),
    then to convert each annotation as it is decoded. A malformed annotation raises BadInput
    naming it and what is wrong; one that marks no passage (a reply, a page note) is listed in
    ``skipped`` with the reason.
    """
    with open_stream() as fh:
        scan = scan_json(fh, name, limits, on_count=checkpoint)
    hypothesis = is_hypothesis_header(scan.header)
    documents: dict[str, IncomingDocument] = {}
    tags: list[IncomingTag] = []
    single: dict[str, Any] | None = None
    context_given = True
    if hypothesis:
        kind = "hypothesis" if kind == "jsonld" else kind
    else:
        single, context_given, documents, tags = read_header(scan.header, name)
    incoming = IncomingSet(name=name, sha256=sha256, kind=kind, documents=documents, tags=tags)

    def convert(index: int, item: Any) -> None:
        checkpoint()
        try:
            if hypothesis or looks_like_api_row(item):
                ann = hypothesis_annotation(item, index, name)
                incoming.documents.setdefault(ann.document, IncomingDocument(
                    key=ann.document, source=ann.document, title=document_title(item)))
            else:
                ann = annotation_from_json(item, index, name, need_context=not context_given,
                                           documents=incoming.documents)
        except NotUsable as exc:
            iri = item.get("id") if isinstance(item, dict) else None
            label = f"annotation {index + 1}" + (f" ({iri})" if isinstance(iri, str) else "")
            incoming.skipped.append({"annotation": label, "reason": str(exc)})
            return
        incoming.annotations.append(ann)

    if single is not None:
        convert(0, single)
    else:
        for index, item in iter_json_items(open_stream, name, scan):
            convert(index, item)
    incoming.check_unique_ids()
    return incoming
