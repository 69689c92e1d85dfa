"""What an export contains: the filter an investigator gives and the selection it yields.

:class:`ExportFilter` narrows annotations by document, tag (a tag includes its sub-tags), review
status, author and creation time. :func:`select_for_export` turns it into a :class:`Selection`, the
one object every exporter (JSON-LD, CSV, XLSX, REFI-QDA, reports, bundles) receives. The selection
is read in one read transaction, so its annotations, documents and chain head belong together.

Which documents a selection holds:

- the documents named by the filter, when it names any;
- otherwise every current document, when the filter does not narrow annotations at all;
- and in every case each document that a selected annotation points at.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app import audit
from app.clock import STAMP_FORMAT, utcnow
from app.errors import BadInput
from app.regions import Region
from app.services import claims as claim_service
from app.services import codebook
from app.services.annotations import STATUSES, AnnotationView, TagRef
from app.services.claims import ClaimView
from app.services.codebook import TagInfo
from app.services.documents import DocumentView, get_document, list_documents
from db.models import Annotation, AnnotationTag, Document, Review, User

if TYPE_CHECKING:
    from app.dossier import Dossier



@dataclass(frozen=True)
class ExportFilter:
    """Which annotations to export; empty fields do not narrow.

    ``tag_ids`` are already expanded to include sub-tags. ``created_from`` is inclusive and
    ``created_to`` exclusive, both in Dossier's stamp form (``2025-03-01T00:00:00.000000Z``).
    """

    document_ids: tuple[str, ...] = ()
    tag_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    created_from: str | None = None
    created_to: str | None = None

    @property
    def narrows_annotations(self) -> bool:
        """True when anything other than documents limits the annotations."""
        return bool(self.tag_ids or self.statuses or self.authors or self.created_from
                    or self.created_to)

    @property
    def is_empty(self) -> bool:
        """True when everything is exported."""
        return not (self.document_ids or self.narrows_annotations)

    def to_json(self) -> dict[str, Any]:
        """The filter as recorded in manifests, collections and audit events."""
        return {
            "documents": list(self.document_ids), "tags": list(self.tag_ids),
            "statuses": list(self.statuses), "authors": list(self.authors),
            "created_from": self.created_from, "created_to": self.created_to,
        }


@dataclass(frozen=True)
class ReviewRecord:
    """A reviewer's recorded decision on an annotation."""

    id: str
    annotation_id: str
    reviewer: str
    decision: str
    reason: str
    created: str


@dataclass
class Selection:
    """Everything one export writes, read in one transaction.

    ``annotations`` are in document order (document import time, then start, end); ``documents``
    in import order; ``tags`` is the whole codebook in tree order (so a codebook exported beside
    a filtered set is complete). ``chain_head`` is the audit chain's head hash when the selection
    was read and ``chain_seq`` its sequence number. ``reviews`` maps annotation ids to their
    review decisions, oldest first; ``conflicts`` maps an annotation that arrived as an import
    conflict to the local annotation it conflicts with.
    """

    documents: list[DocumentView]
    annotations: list[AnnotationView]
    tags: list[TagInfo]
    chain_head: str
    exported_at: str
    exported_by: str
    chain_seq: int = 0
    reviews: dict[str, list[ReviewRecord]] = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)
    filter: ExportFilter = field(default_factory=ExportFilter)
    #: Corroboration claims linked to any selected annotation, with their source counts.
    claims: list[ClaimView] = field(default_factory=list)

    def document(self, document_id: str) -> DocumentView:
        """The selected document with this id (KeyError if it is not selected)."""
        for doc in self.documents:
            if doc.id == document_id:
                return doc
        raise KeyError(document_id)

    def documents_by_id(self) -> dict[str, DocumentView]:
        """The selected documents keyed by id."""
        return {doc.id: doc for doc in self.documents}

    def annotations_of(self, document_id: str) -> list[AnnotationView]:
        """The selected annotations on one document, in text order."""
        return [a for a in self.annotations if a.document_id == document_id]

    def tags_by_id(self) -> dict[str, TagInfo]:
        """The codebook keyed by tag id."""
        return {t.id: t for t in self.tags}


# -- building a filter from what a user typed ----------------------------------------------------

def parse_time_bound(value: str, *, upper: bool) -> str:
    """A date (``2025-03-01``) or UTC date-time as a stamp bound.

    A lower bound is inclusive. An upper bound is returned exclusive: a date includes that whole
    day, a date-time includes that instant.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if upper:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)
            if upper:
                moment += timedelta(microseconds=1)
    except ValueError as exc:
        which = "--to" if upper else "--from"
        raise BadInput(f"{which} {value!r} is not a date (2025-03-01) or a UTC date-time "
                       "(2025-03-01T12:00:00Z)") from exc
    return moment.strftime(STAMP_FORMAT)


def build_filter(
    dossier: Dossier, *, documents: Iterable[str] = (), tags: Iterable[str] = (),
    statuses: Iterable[str] = (), authors: Iterable[str] = (), created_from: str | None = None,
    created_to: str | None = None,
) -> ExportFilter:
    """Resolve what a user typed (id prefixes, tag names or paths, dates) into a filter."""
    doc_ids = tuple(dict.fromkeys(get_document(dossier, spec).id for spec in documents))
    tag_ids: tuple[str, ...] = ()
    tag_specs = list(tags)
    if tag_specs:
        with dossier.read() as session:
            all_tags = codebook.list_tags(session)
            wanted = [codebook.resolve_tag(session, spec).id for spec in tag_specs]
        tag_ids = tuple(expand_tags(all_tags, wanted))
    status_list = tuple(dict.fromkeys(statuses))
    for status in status_list:
        if status not in STATUSES:
            raise BadInput(f"status {status!r} is not one of {', '.join(STATUSES)}")
    start = parse_time_bound(created_from, upper=False) if created_from else None
    end = parse_time_bound(created_to, upper=True) if created_to else None
    if start and end and start >= end:
        raise BadInput(f"--from {created_from} is not before --to {created_to}; swap them")
    return ExportFilter(doc_ids, tag_ids, status_list, tuple(dict.fromkeys(authors)), start, end)


def expand_tags(all_tags: Sequence[TagInfo], wanted: Iterable[str]) -> list[str]:
    """The wanted tag ids and every tag beneath them, in tree order."""
    roots = set(wanted)
    parents = {t.id: t.parent_id for t in all_tags}
    out = []
    for tag in all_tags:
        current: str | None = tag.id
        while current is not None:
            if current in roots:
                out.append(tag.id)
                break
            current = parents.get(current)
    return out


# -- reading the selection ------------------------------------------------------------------------

def _conditions(flt: ExportFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if flt.document_ids:
        conds.append(Annotation.document_id.in_(flt.document_ids))
    if flt.tag_ids:
        conds.append(Annotation.id.in_(
            select(AnnotationTag.annotation_id).where(AnnotationTag.tag_id.in_(flt.tag_ids))
        ))
    if flt.statuses:
        conds.append(Annotation.status.in_(flt.statuses))
    if flt.authors:
        conds.append(User.name.in_(flt.authors))
    if flt.created_from:
        conds.append(Annotation.created >= flt.created_from)
    if flt.created_to:
        conds.append(Annotation.created < flt.created_to)
    return conds


def _selected_ids(conds: list[ColumnElement[bool]]) -> Any:
    return select(Annotation.id).join(User, User.id == Annotation.author_id).where(*conds)


def _tag_refs(session: Session, tags: list[TagInfo], conds: list[ColumnElement[bool]],
              everything: bool) -> dict[str, list[TagRef]]:
    refs = {t.id: TagRef(t.id, t.path, t.colour) for t in tags}
    query = select(AnnotationTag.annotation_id, AnnotationTag.tag_id)
    if not everything:
        query = query.where(AnnotationTag.annotation_id.in_(_selected_ids(conds)))
    # One sort of all links by tag path leaves every annotation's tags in path order.
    rank = {ref_id: i for i, ref_id in enumerate(sorted(refs, key=lambda k: refs[k].path))}
    links = [row for row in session.connection().execute(query).all() if row[1] in rank]
    links.sort(key=lambda row: rank[row[1]])
    out: dict[str, list[TagRef]] = {}
    for ann_id, tag_id in links:
        found = out.get(ann_id)
        if found is None:
            out[ann_id] = [refs[tag_id]]
        else:
            found.append(refs[tag_id])
    return out


def _reviews(session: Session, conds: list[ColumnElement[bool]],
             everything: bool) -> dict[str, list[ReviewRecord]]:
    query = (select(Review.id, Review.annotation_id, User.name, Review.decision, Review.reason,
                    Review.created)
             .join(User, User.id == Review.reviewer_id))
    if not everything:
        query = query.where(Review.annotation_id.in_(_selected_ids(conds)))
    out: dict[str, list[ReviewRecord]] = {}
    for row in session.connection().execute(query).all():
        record = ReviewRecord(*row)
        found = out.get(record.annotation_id)
        if found is None:
            out[record.annotation_id] = [record]
        else:
            found.append(record)
    for records in out.values():  # oldest first; sorting here is far cheaper than in SQL
        if len(records) > 1:
            records.sort(key=lambda r: (r.created, r.id))
    return out


def _conflicts(session: Session, conds: list[ColumnElement[bool]],
               everything: bool) -> dict[str, str]:
    query = select(Annotation.id, Annotation.conflict_of).where(
        Annotation.conflict_of.is_not(None))
    if not everything:
        query = query.where(Annotation.id.in_(_selected_ids(conds)))
    return {ann_id: other for ann_id, other in session.execute(query) if other}


def _annotations(session: Session, conds: list[ColumnElement[bool]],
                 refs: dict[str, list[TagRef]]) -> list[AnnotationView]:
    # Sorting 50,000 wide rows in SQLite (through the documents join) costs seconds; the rows
    # are fetched unordered and sorted here on a small key instead.
    rank = {doc_id: i for i, doc_id in enumerate(session.scalars(
        select(Document.id).order_by(Document.imported_at, Document.id)))}
    query = (
        select(Annotation.id, Annotation.document_id, Annotation.start, Annotation.end,
               Annotation.quote, Annotation.prefix, Annotation.suffix, Annotation.page_start,
               Annotation.page_end, Annotation.note, Annotation.attribution,
               Annotation.reliability, Annotation.credibility, Annotation.status,
               Annotation.anchor, Annotation.anchor_score, User.name, Annotation.created,
               Annotation.modified)
        .join(User, User.id == Annotation.author_id)
        .where(*conds)
    )
    empty: tuple[TagRef, ...] = ()
    make = cast(Any, AnnotationView)  # rows hold the view's fields in order, tags last
    regions = dict(session.execute(
        select(Annotation.id, Annotation.region).where(Annotation.region.is_not(None))).all())
    views: list[AnnotationView] = [
        make(*row, tuple(refs[row[0]]) if row[0] in refs else empty,
             region=Region.from_db(regions.get(row[0])))
        for row in session.connection().execute(query).all()
    ]
    views.sort(key=lambda a: (rank.get(a.document_id, -1), a.start, a.end, a.id))
    return views


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of acyclic views are built.

    Otherwise it re-scans the growing lists again and again: a third of the selection's time
    for 50,000 annotations. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def select_for_export(dossier: Dossier, flt: ExportFilter | None = None) -> Selection:
    """Read the annotations, documents, codebook and chain head an export writes."""
    flt = flt or ExportFilter()
    conds = _conditions(flt)
    everything = flt.is_empty
    with _collector_paused(), dossier.read() as session:
        tags = codebook.list_tags(session)
        refs = _tag_refs(session, tags, conds, everything)
        annotations = _annotations(session, conds, refs)
        del refs
        reviews = _reviews(session, conds, everything)
        conflicts = _conflicts(session, conds, everything)
        linked = claim_service.claims_of_annotations(session, [a.id for a in annotations])
        claims = sorted({c.id: c for pairs in linked.values() for c, _ in pairs}.values(),
                        key=lambda c: (c.created, c.id))
        seq, head_hash = audit.head(session)
    wanted = set(flt.document_ids) | {a.document_id for a in annotations}
    documents = [
        doc for doc in list_documents(dossier, all_versions=True)
        if doc.id in wanted or (not flt.document_ids and not flt.narrows_annotations
                                and doc.is_current)
    ]
    return Selection(
        documents=documents, annotations=annotations, tags=tags, chain_head=head_hash,
        exported_at=utcnow(), exported_by=dossier.user_name, chain_seq=seq, reviews=reviews,
        conflicts=conflicts, filter=flt, claims=claims,
    )
