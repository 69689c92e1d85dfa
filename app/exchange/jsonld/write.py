"""W3C Web Annotation (JSON-LD): writing a selection and reading a set back.

The file is one ``AnnotationCollection`` whose embedded ``first`` page holds every annotation
(FORMATS.md §1). Each annotation has:

- a ``TextualBody`` with ``purpose: tagging`` (the tag's path) followed by a ``SpecificResource``
  with ``purpose: classifying`` whose source is ``urn:uuid:<tag id>`` (the stable identity, also
  the REFI ``Code@guid``), per tag; the note as a ``TextualBody`` with ``purpose: commenting``;
- a target whose ``source`` is the document's URL (else ``urn:uuid:<document id>``) with
  ``dossier:sha256`` of the original for matching, and alternative selectors: a
  ``TextQuoteSelector`` and a ``TextPositionSelector`` over the whole text, and for a PDF
  passage on one page a ``FragmentSelector`` ``page=N`` refined by quote and position selectors
  counted within that page; a ``TimeState`` with the capture time for web pages;
- Dossier's own fields (status, grades, attribution, anchoring, reviews, conflicts) under the
  ``dossier:`` prefix (``urn:dossier:ns:``), declared in the context so JSON-LD keeps them.

The collection also carries the codebook (``dossier:codebook``) and the documents
(``dossier:documents``) so an import can create missing tags and say which documents are missing.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select

from app import __version__
from app.exchange.filters import ReviewRecord, Selection
from app.progress import checkpoint
from app.services.annotations import AnnotationView
from app.services.documents import DocumentView
from db.models import Page, User

if TYPE_CHECKING:
    from app.dossier import Dossier

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NS = "urn:dossier:ns:"
CONTEXT: list[Any] = [ANNO_CONTEXT, {"dossier": NS}]
PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"
MEDIA_FRAGMENT = "http://www.w3.org/TR/media-frags/"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
GENERATOR = {"id": "urn:dossier:software", "type": "Software", "name": f"Dossier {__version__}"}


# -- writing --------------------------------------------------------------------------------------

def source_iri(doc: DocumentView) -> str:
    """The target source of a document: its URL when it came from the web, else its UUID."""
    return doc.url or f"urn:uuid:{doc.id}"


def motivation(ann: AnnotationView) -> str:
    """``tagging`` for a tagged passage, ``commenting`` for a note alone, else ``highlighting``."""
    if ann.tags:
        return "tagging"
    return "commenting" if ann.note else "highlighting"


def _review_json(review: ReviewRecord) -> dict[str, Any]:
    return {"id": f"urn:uuid:{review.id}", "type": "dossier:Review",
            "dossier:reviewer": review.reviewer, "dossier:decision": review.decision,
            "dossier:reason": review.reason, "created": review.created}


class _ItemWriter:
    """Builds annotation items. Parts shared by many items (a tag's two bodies, a document's
    target fields, an author) are built once and reused: 50,000 items must take seconds."""

    def __init__(self, selection: Selection, pages: dict[str, dict[int, tuple[int, int]]],
                 user_guids: dict[str, str]) -> None:
        self.selection = selection
        self.pages = pages
        self.targets: dict[str, tuple[str, str, str, dict[str, Any] | None]] = {}
        for doc in selection.documents:
            captured = doc.custody.get("retrieved_at") if doc.kind == "html" else None
            state = ({"type": "TimeState", "sourceDate": captured}
                     if isinstance(captured, str) and captured else None)
            self.targets[doc.id] = (source_iri(doc), f"urn:uuid:{doc.id}", doc.sha256, state)
        self.tag_bodies = {
            t.id: ({"type": "TextualBody", "purpose": "tagging", "value": t.path},
                   {"type": "SpecificResource", "purpose": "classifying",
                    "source": f"urn:uuid:{t.id}"})
            for t in selection.tags
        }
        #: corroboration claims by annotation id: what the annotation supports or contradicts
        self.claims: dict[str, list[dict[str, Any]]] = {}
        for claim in selection.claims:
            for role, ids in (("support", claim.support), ("contradict", claim.contradict)):
                for ann_id in ids:
                    self.claims.setdefault(ann_id, []).append({
                        "id": f"urn:uuid:{claim.id}", "dossier:statement": claim.statement,
                        "dossier:role": role,
                        "dossier:independentSources": claim.support_sources,
                        "dossier:singleSource": claim.single_source})
        self.creators: dict[str, dict[str, Any]] = {}
        for name, guid in user_guids.items():
            self.creators[name] = {"id": f"urn:uuid:{guid}", "type": "Person", "name": name}

    def selectors(self, ann: AnnotationView) -> list[dict[str, Any]]:
        """Quote and position over the whole text, plus a page fragment for one-page PDF text;
        for a region, the page fragment refined by a Media Fragments ``xywh=`` rectangle."""
        if ann.region is not None:
            return region_selectors(ann)
        out: list[dict[str, Any]] = [
            {"type": "TextQuoteSelector", "exact": ann.quote, "prefix": ann.prefix,
             "suffix": ann.suffix},
            {"type": "TextPositionSelector", "start": ann.start, "end": ann.end}]
        page = self.pages.get(ann.document_id, {}).get(ann.page_start or 0) \
            if self.pages else None
        if page is not None and ann.page_start == ann.page_end:
            p_start, p_end = page
            cut = ann.start - p_start
            out.append({
                "type": "FragmentSelector", "conformsTo": PDF_FRAGMENT,
                "value": f"page={ann.page_start}",
                "refinedBy": [
                    {"type": "TextQuoteSelector", "exact": ann.quote,
                     "prefix": ann.prefix[max(0, len(ann.prefix) - cut):],
                     "suffix": ann.suffix[:max(0, p_end - ann.end)]},
                    {"type": "TextPositionSelector", "start": cut, "end": ann.end - p_start},
                ],
            })
        return out

    def item(self, ann: AnnotationView) -> dict[str, Any]:
        """One annotation as a W3C Annotation object."""
        body: list[dict[str, Any]] = []
        for tag in ann.tags:
            pair = self.tag_bodies.get(tag.id)
            if pair is None:
                pair = ({"type": "TextualBody", "purpose": "tagging", "value": tag.path},
                        {"type": "SpecificResource", "purpose": "classifying",
                         "source": f"urn:uuid:{tag.id}"})
            body.extend(pair)
        if ann.note:
            body.append({"type": "TextualBody", "purpose": "commenting", "value": ann.note,
                         "format": "text/plain"})
        creator = self.creators.get(ann.author) or {"type": "Person", "name": ann.author}
        source, document, sha, state = self.targets[ann.document_id]
        target: dict[str, Any] = {"type": "SpecificResource", "source": source,
                                  "dossier:document": document, "dossier:sha256": sha}
        if state is not None:
            target["state"] = state
        target["selector"] = self.selectors(ann)
        item: dict[str, Any] = {
            "id": f"urn:uuid:{ann.id}", "type": "Annotation",
            "motivation": "tagging" if ann.tags else (
                "commenting" if ann.note else "highlighting"),
            "creator": creator, "created": ann.created, "modified": ann.modified,
        }
        if body:
            item["body"] = body
        item["target"] = target
        item["dossier:status"] = ann.status
        item["dossier:reliability"] = ann.reliability
        item["dossier:credibility"] = ann.credibility
        item["dossier:attribution"] = ann.attribution
        item["dossier:anchor"] = ann.anchor
        item["dossier:anchorScore"] = ann.anchor_score
        reviews = self.selection.reviews.get(ann.id)
        if reviews:
            item["dossier:reviews"] = [_review_json(r) for r in reviews]
        claims = self.claims.get(ann.id)
        if claims:
            item["dossier:claims"] = claims
        other = self.selection.conflicts.get(ann.id)
        if other:
            item["dossier:conflictOf"] = f"urn:uuid:{other}"
        return item


def region_selectors(ann: AnnotationView) -> list[dict[str, Any]]:
    """A region: ``page=N`` refined by ``xywh=x,y,w,h`` (W3C Media Fragments; units are PDF
    points from the displayed page's top-left corner), plus the text inside it, if any."""
    assert ann.region is not None
    out: list[dict[str, Any]] = []
    if ann.quote:
        out += [{"type": "TextQuoteSelector", "exact": ann.quote, "prefix": ann.prefix,
                 "suffix": ann.suffix},
                {"type": "TextPositionSelector", "start": ann.start, "end": ann.end}]
    out.append({
        "type": "FragmentSelector", "conformsTo": PDF_FRAGMENT,
        "value": f"page={ann.region.page}",
        "refinedBy": {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGMENT,
                      "value": ann.region.media_fragment()},
    })
    return out


def _codebook_json(selection: Selection) -> list[dict[str, Any]]:
    return [{
        "id": f"urn:uuid:{t.id}", "type": "dossier:Tag", "dossier:name": t.name,
        "dossier:path": t.path, "dossier:parent": f"urn:uuid:{t.parent_id}" if t.parent_id
        else None, "dossier:colour": t.colour, "dossier:description": t.description,
        "dossier:shortcut": t.shortcut, "dossier:codable": t.is_codable,
        "dossier:position": t.position,
    } for t in selection.tags]


def _documents_json(selection: Selection) -> list[dict[str, Any]]:
    return [{
        "id": f"urn:uuid:{d.id}", "type": "dossier:Document", "dossier:title": d.title,
        "dossier:kind": d.kind, "dossier:sha256": d.sha256, "dossier:size": d.size,
        "dossier:filename": d.filename, "dossier:url": d.url, "dossier:pages": d.pages,
        "dossier:textSha256": d.text_sha256, "dossier:textLength": d.text_length,
        "dossier:importedAt": d.imported_at, "dossier:importedBy": d.imported_by,
    } for d in selection.documents]


def _lookups(dossier: Dossier, selection: Selection
             ) -> tuple[dict[str, dict[int, tuple[int, int]]], dict[str, str]]:
    pdf_ids = [d.id for d in selection.documents if d.pages and d.kind == "pdf"]
    pages: dict[str, dict[int, tuple[int, int]]] = {}
    with dossier.read() as session:
        for i in range(0, len(pdf_ids), 500):
            rows = session.execute(select(Page.document_id, Page.number, Page.start, Page.end)
                                   .where(Page.document_id.in_(pdf_ids[i:i + 500])))
            for doc_id, number, start, end in rows:
                pages.setdefault(doc_id, {})[number] = (start, end)
        guids = {name: guid for name, guid in session.execute(select(User.name, User.guid))}
    return pages, guids


def write_collection(fh: IO[str], dossier: Dossier, selection: Selection) -> None:
    """Write the selection as one AnnotationCollection, one annotation per line."""
    pages, guids = _lookups(dossier, selection)
    items = _ItemWriter(selection, pages, guids)
    collection_id = f"urn:uuid:{uuid.uuid4()}"
    header = {
        "@context": CONTEXT, "id": collection_id, "type": "AnnotationCollection",
        "label": f"Dossier annotations exported by {selection.exported_by} "
                 f"at {selection.exported_at}",
        "total": len(selection.annotations), "generator": GENERATOR,
        "generated": selection.exported_at, "dossier:exportedBy": selection.exported_by,
        "dossier:chainHead": selection.chain_head, "dossier:chainSeq": selection.chain_seq,
        "dossier:filter": selection.filter.to_json(),
        "dossier:codebook": _codebook_json(selection),
        "dossier:documents": _documents_json(selection),
    }
    text = json.dumps(header, ensure_ascii=False, indent=1)
    fh.write(text[:-2])  # reopen the object: drop "\n}"
    page = {"id": f"urn:uuid:{uuid.uuid4()}", "type": "AnnotationPage", "partOf": collection_id,
            "startIndex": 0}
    fh.write(',\n "first": ' + json.dumps(page, ensure_ascii=False)[:-1] + ', "items": [\n')
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    first = True
    for ann in selection.annotations:
        checkpoint()
        if not first:
            fh.write(",\n")
        fh.write(encode(items.item(ann)))
        first = False
    fh.write("\n]}\n}\n")


def write_jsonld(dossier: Dossier, selection: Selection, out: Path) -> None:
    """Export writer for ``--format jsonld``."""
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        write_collection(fh, dossier, selection)
