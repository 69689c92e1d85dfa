"""New versions of a document: import the new file, keep the old one, re-anchor annotations.

Everything happens in one transaction: the new version with its pages and search entries, every
annotation moved onto it with its anchoring status, and one audit event per annotation with its
old and new range. Fuzzy and orphaned annotations are kept and flagged, never dropped or moved
silently; an orphaned annotation keeps its quote, context, tags and its range in the previous
version (nothing is drawn for it until someone places it again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app import audit
from app.anchoring import AnchorResult, Selectors, make_selectors, reanchor_all
from app.errors import BadInput
from app.importers.base import text_and_page_ranges
from app.originals import sha256_bytes
from app.progress import CancelCheck, ProgressCallback, checkpoint, reporting
from app.services import documents
from app.services.imports import download, extract, is_url
from db import search
from db.models import Annotation

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass(frozen=True)
class Reanchored:
    """One annotation's move from the previous version to the new one."""

    annotation_id: str
    old_start: int
    old_end: int
    old_quote: str
    result: AnchorResult
    new_quote: str

    def to_json(self) -> dict[str, Any]:
        """The shape of ``dossier reimport --json``."""
        placed = self.result.status != "orphaned"
        return {
            "id": self.annotation_id, "status": self.result.status,
            "score": round(self.result.score, 4), "method": self.result.method,
            "old": {"start": self.old_start, "end": self.old_end, "quote": self.old_quote},
            "new": ({"start": self.result.start, "end": self.result.end,
                     "quote": self.new_quote} if placed else None),
        }


@dataclass
class ReimportReport:
    """What a re-import did."""

    previous: documents.DocumentView
    document: documents.DocumentView
    annotations: list[Reanchored] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of annotations per status."""
        out = {"exact": 0, "fuzzy": 0, "orphaned": 0}
        for item in self.annotations:
            out[item.result.status] += 1
        return out


def reimport_document(
    dossier: Dossier, spec: str, source: str, *, password: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
) -> ReimportReport:
    """Import ``source`` (a path or URL) as the next version of document ``spec``.

    ``cancel()`` is polled while the file is read and the annotations re-anchored; a cancelled
    re-import raises :class:`~app.errors.Cancelled` and writes nothing.
    """
    with reporting(f"re-import of {source}", progress, cancel):
        return _reimport(dossier, spec, source, password, cancel)


def _reimport(dossier: Dossier, spec: str, source: str, password: str | None,
              cancel: CancelCheck | None) -> ReimportReport:
    previous = documents.get_document(dossier, spec)
    if not previous.is_current:
        raise BadInput(f"document {previous.id[:8]} is an old version; re-import onto the "
                       "current version instead ('dossier documents --all-versions')")
    charset: str | None = None
    path: Path | None = None
    if is_url(source):
        got = download(source)
        data, name, url, charset, custody = got.data, got.name, got.url, got.charset, got.custody
        origin = got.url
    else:
        path = Path(source)
        if not path.is_file():
            raise BadInput(f"{source}: no such file; check the path")
        data, name, url = path.read_bytes(), path.name, None
        origin = str(path.resolve())
        custody = {"imported_from": origin}
    digest = sha256_bytes(data)
    if digest == previous.sha256:
        raise BadInput(f"{name} has the same bytes as the current version of "
                       f"{previous.title!r}; nothing to re-import")
    if documents.id_by_sha256(dossier, digest) is not None:
        raise BadInput(f"{name} is already in the dossier as another document; "
                       "a new version must be a file not imported before")
    extracted = extract(data, name, path=path, url=url, charset=charset, password=password,
                        cancel=cancel)
    checkpoint()
    new_text, ranges = text_and_page_ranges(extracted)
    if not new_text.strip():
        raise BadInput(f"{name}: no text could be extracted; nothing was re-imported")
    old_text = documents.document_text(dossier, previous.id)

    with dossier.read() as session:
        rows = session.scalars(
            select(Annotation).where(Annotation.document_id == previous.id)
            .order_by(Annotation.start)
        ).all()
    selectors = [
        Selectors(a.start, a.end, a.quote, a.prefix, a.suffix, a.page_start, a.page_end)
        for a in rows
    ]
    results = reanchor_all(new_text, selectors, page_ranges=ranges or None,
                           old_length=len(old_text))

    moved: list[Reanchored] = []
    with documents.keep_original(dossier, data, digest), dossier.write() as session:
        doc = documents.insert_document(
            session, dossier, digest, len(data), extracted, source=origin, filename=name,
            custody=custody, previous_id=previous.id,
        )
        for old, result in zip(rows, results, strict=True):
            checkpoint()  # inside the transaction: a cancel rolls the new version back
            ann = session.get(Annotation, old.id)
            assert ann is not None
            item = Reanchored(old.id, old.start, old.end, old.quote, result,
                              new_text[result.start:result.end] if result.start >= 0 else "")
            _apply(ann, doc.id, new_text, ranges, result)
            search.index_annotation(session, ann.id, doc.id, ann.quote, ann.note, ann.page_start)
            audit.record(session, dossier.user_name, "annotation.reanchor", "annotation", ann.id, {
                "from_document": previous.id, "to_document": doc.id,
                "old": {"start": item.old_start, "end": item.old_end, "quote": item.old_quote},
                "new": item.to_json()["new"], "status": result.status,
                "score": round(result.score, 4),
            })
            moved.append(item)
        new_id = doc.id
    dossier.notify_change("document", "created", new_id)
    if moved:
        dossier.notify_change("annotation", "updated", *(m.annotation_id for m in moved))
    return ReimportReport(previous, documents.get_document(dossier, new_id), moved)


def _apply(ann: Annotation, document_id: str, text: str, ranges: list[tuple[int, int]],
           result: AnchorResult) -> None:
    ann.document_id = document_id
    ann.anchor = result.status
    ann.anchor_score = result.score
    if result.status == "orphaned":
        return  # keeps quote, context and the previous version's range for review
    sel = make_selectors(text, result.start, result.end, ranges or None)
    ann.start, ann.end, ann.quote = sel.start, sel.end, sel.exact
    ann.prefix, ann.suffix = sel.prefix, sel.suffix
    ann.page_start, ann.page_end = sel.page_start, sel.page_end
