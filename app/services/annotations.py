"""Annotations: create, change, tag, delete and list highlighted passages.

Offsets are code points of the document's canonical text, ``[start, end)``. Every mutation
records an audit event carrying what is needed to undo it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.orm import Session

from app import audit
from app.anchoring import make_selectors, page_span
from app.anchoring.selector import CONTEXT_LENGTH, Selectors
from app.annotation_fields import CREDIBILITY, EDITABLE, RELIABILITY, STATUSES
from app.clock import utcnow
from app.errors import BadInput, Conflict, NotFound, Refused
from app.gcpause import collector_paused
from app.limits import MAX_FIELD_CHARS, MAX_NOTE_CHARS, invalid_text
from app.regions import Region
from app.services import codebook, new_annotation, roles, workflow
from app.services.lookup import resolve_prefix
from db import search
from db.cursor import Cursor
from db.models import Annotation, AnnotationTag, AuditEvent, ClaimLink, Document, Page, Tag, User

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Fields whose change sends a submitted or approved annotation back to draft.
MATERIAL = frozenset({"start", "end", "quote", "reliability", "credibility"})
STATUS_REFUSAL = ("the review status is not set directly: it moves only by submitting "
                  "('dossier submit') and reviewing ('dossier review')")


@dataclass(frozen=True)
class TagRef:
    """A tag as shown on an annotation."""

    id: str
    path: str
    colour: str


@dataclass(frozen=True)
class AnnotationView:
    """An annotation as callers see it, with its tags resolved to paths."""

    id: str
    document_id: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    page_start: int | None
    page_end: int | None
    note: str
    attribution: str
    reliability: str | None
    credibility: int | None
    status: str
    anchor: str
    anchor_score: float
    author: str
    created: str
    modified: str
    tags: tuple[TagRef, ...]
    #: Set when this annotation came from an imported set and differs from a local one.
    conflict_of: str | None = None
    #: A region annotation's rectangle (its text range is the text inside it, maybe empty).
    region: Region | None = None
    #: Raised by one on every change: an edit states the version it was based on.
    version: int = 1

    @property
    def grade(self) -> str:
        """The Admiralty grade, e.g. ``B2``; empty when ungraded."""
        return f"{self.reliability or ''}{self.credibility or ''}"

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier annotations --json``."""
        return {
            "id": self.id, "document": self.document_id, "start": self.start, "end": self.end,
            "quote": self.quote, "prefix": self.prefix, "suffix": self.suffix,
            "page_start": self.page_start, "page_end": self.page_end,
            "tags": [t.path for t in self.tags], "tag_ids": [t.id for t in self.tags],
            "note": self.note, "attribution": self.attribution,
            "reliability": self.reliability, "credibility": self.credibility,
            "status": self.status, "anchor": self.anchor, "anchor_score": self.anchor_score,
            "author": self.author, "created": self.created, "modified": self.modified,
            "conflict_of": self.conflict_of,
            "region": self.region.to_json() if self.region else None,
            "version": self.version,
        }


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """[start, end) of the ``occurrence``-th (1-based) exact occurrence of ``quote``."""
    if not quote:
        raise BadInput("the quote is empty")
    if occurrence < 1:
        raise BadInput("--occurrence counts from 1")
    pos = -1
    count = 0
    for _ in range(occurrence):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            break
        count += 1
    if pos < 0:
        if count == 0:
            raise NotFound("the quote does not occur in the document text; "
                           "check it against 'dossier text DOC'")
        raise NotFound(f"the quote occurs only {count} time(s), not {occurrence}")
    return pos, pos + len(quote)


def _pages_for(
    session: Session, document_id: str, start: int, end: int
) -> tuple[int | None, int | None]:
    """1-based first and last page of ``[start, end)``, by the same rule as the selectors."""
    ranges = [(s, e) for s, e in session.execute(
        select(Page.start, Page.end).where(Page.document_id == document_id)
        .order_by(Page.number)
    ).all()]
    return page_span(ranges, start, end) if ranges else (None, None)


def _validate_fields(fields: dict[str, Any]) -> None:
    for key in ("note", "attribution"):
        value = fields.get(key)
        if isinstance(value, str):
            limit = MAX_NOTE_CHARS if key == "note" else MAX_FIELD_CHARS
            if len(value) > limit:
                raise BadInput(f"the {key} has {len(value):,} characters, more than the "
                               f"{limit:,} it may have; shorten it or attach a document")
            if invalid_text(value):
                raise BadInput(f"the {key} holds an invalid character (a lone UTF-16 "
                               "surrogate); retype it")
    if fields.get("reliability") is not None and fields["reliability"] not in RELIABILITY:
        raise BadInput(f"source reliability must be one of A-F, not {fields['reliability']!r}")
    if fields.get("credibility") is not None and fields["credibility"] not in CREDIBILITY:
        raise BadInput(f"information credibility must be 1-6, not {fields['credibility']!r}")
    if "status" in fields:
        raise Refused(STATUS_REFUSAL)


def _check_tags(session: Session, tag_ids: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(tag_ids))
    if unique:
        found = set(session.scalars(select(Tag.id).where(Tag.id.in_(unique))).all())
        missing = [t for t in unique if t not in found]
        if missing:
            raise NotFound(f"no tag {missing[0]}")
    return unique


def _snapshot(ann: Annotation, tag_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "id": ann.id, "document_id": ann.document_id, "start": ann.start, "end": ann.end,
        "quote": ann.quote, "prefix": ann.prefix, "suffix": ann.suffix,
        "page_start": ann.page_start, "page_end": ann.page_end, "note": ann.note,
        "attribution": ann.attribution, "reliability": ann.reliability,
        "credibility": ann.credibility, "status": ann.status, "anchor": ann.anchor,
        "anchor_score": ann.anchor_score, "author_id": ann.author_id, "created": ann.created,
        "modified": ann.modified, "conflict_of": ann.conflict_of, "region": ann.region,
        "version": ann.version or 1, "tag_ids": list(tag_ids),
    }


def create_annotation(
    dossier: Dossier, document_id: str, start: int, end: int, tag_ids: Sequence[str] = (), *,
    note: str = "", attribution: str = "", reliability: str | None = None,
    credibility: int | None = None, status: str = "draft", region: Region | None = None,
) -> AnnotationView:
    """Highlight ``[start, end)`` of a document with tags and fields; return the new annotation.

    With ``region`` it is a region annotation: the rectangle on its page, ``[start, end)`` the
    text inside it (empty, at the page's start, when it holds none).
    """
    if status != "draft":
        raise Refused(STATUS_REFUSAL)
    _validate_fields({"reliability": reliability, "credibility": credibility,
                      "note": note, "attribution": attribution})
    if region is None:
        return _create_lean(dossier, document_id, start, end, tag_ids, note=note,
                            attribution=attribution, reliability=reliability,
                            credibility=credibility)
    with dossier.write() as session:
        author_id = dossier.user_id(session)
        text = dossier.document_text(session, document_id)
        if not 0 <= start <= end <= len(text):
            raise BadInput(f"range [{start}, {end}) is outside the document (0-{len(text)}) "
                           "or empty")
        _check_region(session, document_id, region)
        tags = _check_tags(session, tag_ids)
        now = utcnow()
        # A region with no text inside: an empty quote, its context on either side.
        sel = make_selectors(text, start, end) if start < end else Selectors(
            start, end, "", text[max(0, start - CONTEXT_LENGTH):start],
            text[start:start + CONTEXT_LENGTH])
        ann = Annotation(
            id=str(uuid.uuid4()), document_id=document_id, start=start, end=end,
            quote=sel.exact, prefix=sel.prefix, suffix=sel.suffix,
            page_start=region.page, page_end=region.page,
            note=note, attribution=attribution, reliability=reliability,
            credibility=credibility, status=status, anchor="exact", anchor_score=1.0,
            author_id=author_id, created=now, modified=now, region=region.to_db(),
        )
        _insert(session, dossier.user_name, ann, tags, "annotation.create")
        infos = codebook.cached_tags(dossier, session)
        refs = sorted((TagRef(t, infos[t].path, infos[t].colour) for t in tags),
                      key=lambda r: r.path)
        view = _make_view(ann, dossier.user_name, refs)
    dossier.notify_change("annotation", "created", view.id)
    return view


def _create_lean(
    dossier: Dossier, document_id: str, start: int, end: int, tag_ids: Sequence[str], *,
    note: str, attribution: str, reliability: str | None, credibility: int | None,
) -> AnnotationView:
    """:func:`create_annotation` of a text range on the lean write path
    (:mod:`app.services.new_annotation`): plain statements, the writer slot only around the
    audit append."""
    author_id = dossier.known_user_id()
    if author_id is None:  # the first write of this session creates or checks the user
        with dossier.write() as session:
            author_id = dossier.user_id(session)
    text = dossier.text_of(document_id)
    if not 0 <= start < end <= len(text):
        raise BadInput(f"range [{start}, {end}) is outside the document (0-{len(text)}) "
                       "or empty")
    sel = make_selectors(text, start, end)
    unique = list(dict.fromkeys(tag_ids))
    annotation_id = str(uuid.uuid4())

    def work(cur: Cursor) -> dict[str, Any]:
        if unique:
            found = {r[0] for r in cur.read(
                f"SELECT id FROM tags WHERE id IN ({', '.join('?' for _ in unique)})",
                unique).fetchall()}
            missing = [t for t in unique if t not in found]
            if missing:
                raise NotFound(f"no tag {missing[0]}")
        page_start, page_end = new_annotation.pages_for(dossier, cur, document_id, start, end)
        now = utcnow()
        row: dict[str, Any] = {
            "id": annotation_id, "document_id": document_id, "start": start, "end": end,
            "quote": sel.exact, "prefix": sel.prefix, "suffix": sel.suffix,
            "page_start": page_start, "page_end": page_end, "note": note,
            "attribution": attribution, "reliability": reliability,
            "credibility": credibility, "status": "draft", "anchor": "exact",
            "anchor_score": 1.0, "author_id": author_id, "created": now, "modified": now,
            "conflict_of": None, "region": None, "version": 1}
        new_annotation.insert(dossier, cur, row, unique, "annotation.create")
        return row

    row = dossier.write_late(work)
    refs: list[TagRef] = []
    if unique:
        with dossier.read() as session:
            infos = codebook.cached_tags(dossier, session)
        refs = sorted((TagRef(t, infos[t].path, infos[t].colour) for t in unique),
                      key=lambda r: r.path)
    view = AnnotationView(
        row["id"], document_id, start, end, row["quote"], row["prefix"], row["suffix"],
        row["page_start"], row["page_end"], note, attribution, reliability, credibility,
        "draft", "exact", 1.0, dossier.user_name, row["created"], row["modified"],
        tuple(refs), None, None, 1)
    dossier.notify_change("annotation", "created", view.id)
    return view


def _check_region(session: Session, document_id: str, region: Region) -> None:
    page = session.scalar(select(Page).where(Page.document_id == document_id,
                                             Page.number == region.page))
    if page is None:
        raise BadInput(f"the document has no page {region.page}; a region needs a page")
    region.check(page.width, page.height)


def _insert(session: Session, actor: str, ann: Annotation, tags: list[str], action: str) -> None:
    row = _snapshot(ann, tags)
    del row["tag_ids"]
    session.execute(insert(Annotation).values(**row))
    if tags:
        session.execute(insert(AnnotationTag),
                        [{"annotation_id": ann.id, "tag_id": t} for t in tags])
    search.index_annotation(session, ann.id, ann.document_id, ann.quote, ann.note, ann.page_start)
    audit.record(session, actor, action, "annotation", ann.id, _snapshot(ann, tags))


def restore_annotation(dossier: Dossier, snapshot: dict[str, Any]) -> AnnotationView:
    """Re-create a deleted annotation exactly as it was (used by undo)."""
    with dossier.write() as session:
        dossier.user_id(session)
        if session.get(Annotation, snapshot["id"]) is not None:
            raise BadInput(f"annotation {snapshot['id']} already exists")
        tags = _check_tags(session, snapshot.get("tag_ids", []))
        data = {k: v for k, v in snapshot.items() if k != "tag_ids"}
        ann = Annotation(**data)
        _insert(session, dossier.user_name, ann, tags, "annotation.restore")
    dossier.notify_change("annotation", "created", snapshot["id"])
    return get_annotation(dossier, snapshot["id"])


def update_annotation(
    dossier: Dossier, annotation_id: str, *, modified: str | None = None,
    based_on: int | None = None, **fields: Any
) -> AnnotationView:
    """Change note, attribution, grades and/or the range (``start``, ``end``).

    Changing the range or the grades of a submitted or approved annotation sends it back to
    draft (:func:`app.services.workflow.back_to_draft`); the status itself is never set here.

    A new range is verified against the text, so its anchor becomes ``exact`` unless ``anchor``
    and ``anchor_score`` are given too (undo puts a flagged range back as it was). ``modified``
    sets the row's modification time instead of now: undo and redo use it to give back exactly
    the earlier row; the audit event still carries the time it was written.

    ``based_on`` is the version the edit was made on (what the caller showed or read): when the
    annotation has changed since, the edit is refused with an :class:`EditConflict` that shows
    the newer version, and nothing is written.
    """
    if "status" in fields:
        raise Refused(STATUS_REFUSAL)
    allowed = set(EDITABLE) | {"start", "end", "anchor", "anchor_score"}
    unknown = set(fields) - allowed
    if unknown:
        raise BadInput(f"cannot change annotation field(s) {', '.join(sorted(unknown))}")
    _validate_fields(fields)
    with dossier.write() as session:
        ann = _locked(session, annotation_id, based_on)
        roles.require_author(dossier, session, ann, "change")
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if ("anchor" in fields or "anchor_score" in fields) and "start" not in fields:
            raise BadInput("an anchor status is only set together with a range")
        if "start" in fields or "end" in fields:
            text = dossier.document_text(session, ann.document_id)
            start = int(fields.pop("start", ann.start))
            end = int(fields.pop("end", ann.end))
            if not 0 <= start < end <= len(text):
                raise BadInput(f"range [{start}, {end}) is outside the document or empty")
            page_start, page_end = _pages_for(session, ann.document_id, start, end)
            sel = make_selectors(text, start, end)
            fields = {"anchor": "exact", "anchor_score": 1.0, **fields}
            fields.update(start=start, end=end, quote=sel.exact, prefix=sel.prefix,
                          suffix=sel.suffix, page_start=page_start, page_end=page_end)
        for key, value in fields.items():
            if getattr(ann, key) != value:
                before[key] = getattr(ann, key)
                after[key] = value
                setattr(ann, key, value)
        if not after:
            return _view(session, ann)
        if MATERIAL & set(after):
            workflow.back_to_draft(ann, before, after)
        ann.modified = modified or utcnow()
        if {"quote", "note"} & set(after):
            search.index_annotation(session, ann.id, ann.document_id, ann.quote, ann.note,
                                    ann.page_start)
        audit.record(session, dossier.user_name, "annotation.update", "annotation", ann.id,
                     {"before": before, "after": after, "modified": ann.modified})
    dossier.notify_change("annotation", "updated", annotation_id)
    return get_annotation(dossier, annotation_id)


def set_tags(
    dossier: Dossier, annotation_id: str, tag_ids: Sequence[str], *, modified: str | None = None,
    based_on: int | None = None,
) -> AnnotationView:
    """Replace an annotation's tags (``modified`` and ``based_on`` as in
    :func:`update_annotation`)."""
    with dossier.write() as session:
        ann = _locked(session, annotation_id, based_on)
        roles.require_author(dossier, session, ann, "change the tags of")
        tags = _check_tags(session, tag_ids)
        old = list(session.scalars(
            select(AnnotationTag.tag_id).where(AnnotationTag.annotation_id == annotation_id)
        ))
        if sorted(old) == sorted(tags):
            return _view(session, ann)
        session.execute(delete(AnnotationTag).where(AnnotationTag.annotation_id == annotation_id))
        if tags:
            session.execute(insert(AnnotationTag),
                            [{"annotation_id": annotation_id, "tag_id": t} for t in tags])
        ann.modified = modified or utcnow()
        payload: dict[str, Any] = {"before": old, "after": tags, "modified": ann.modified}
        status_before: dict[str, Any] = {}
        status_after: dict[str, Any] = {}
        workflow.back_to_draft(ann, status_before, status_after)
        if status_after:
            payload["status"] = {"before": status_before["status"], "after": "draft"}
        audit.record(session, dossier.user_name, "annotation.tags", "annotation", annotation_id,
                     payload)
    dossier.notify_change("annotation", "updated", annotation_id)
    return get_annotation(dossier, annotation_id)


def delete_annotation(dossier: Dossier, annotation_id: str, *,
                      based_on: int | None = None) -> dict[str, Any]:
    """Delete an annotation; return its snapshot (what :func:`restore_annotation` takes).

    ``based_on`` as in :func:`update_annotation`: a deletion of a version someone has changed
    since is refused.
    """
    with dossier.write() as session:
        ann = _locked(session, annotation_id, based_on)
        roles.require_author(dossier, session, ann, "delete")
        tags = list(session.scalars(
            select(AnnotationTag.tag_id).where(AnnotationTag.annotation_id == annotation_id)
        ))
        snap = _snapshot(ann, tags)
        cascaded = audit.dependents(session, "annotation", annotation_id)
        # the claims linking it lose that link (claim_links cascade): their state changes too
        cascaded += [("claim", c) for c in session.scalars(
            select(ClaimLink.claim_id).where(ClaimLink.annotation_id == annotation_id))]
        search.remove(session, annotation_id)
        session.delete(ann)
        audit.record(session, dossier.user_name, "annotation.delete", "annotation",
                     annotation_id, snap, touches=cascaded)
    dossier.notify_change("annotation", "deleted", annotation_id)
    return snap


class EditConflict(Conflict):
    """An edit was based on an older version of the annotation; nothing was written.

    ``current`` is the annotation as it is now; ``changed_by`` and ``changed_at`` name the
    newest change (from the audit chain).
    """

    def __init__(self, current: AnnotationView, based_on: int, changed_by: str,
                 changed_at: str) -> None:
        self.current = current
        self.based_on = based_on
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(
            f"annotation {current.id[:8]} was changed by {changed_by} at "
            f"{_when(changed_at)} after the version your edit was based on (version "
            f"{based_on}; it is at version {current.version} now), so your edit was not saved. "
            f"It now reads: {describe(current)}. Look at it again and redo your change if it "
            "still applies")


def _when(stamp: str) -> str:
    """``2026-11-30 15:20:11 UTC`` from an ISO time."""
    return stamp[:19].replace("T", " ") + " UTC" if stamp else "an unknown time"


def describe(view: AnnotationView, limit: int = 200) -> str:
    """The fields of an annotation in one line: note, tags, attribution, grade, passage."""
    def cut(text: str) -> str:
        flat = " ".join(text.split())
        return flat if len(flat) <= limit else flat[: limit - 1] + "…"

    parts = [f"note “{cut(view.note)}”" if view.note else "no note",
             "tags " + ", ".join(t.path for t in view.tags) if view.tags else "no tags"]
    if view.attribution:
        parts.append(f"attribution “{cut(view.attribution)}”")
    if view.grade:
        parts.append(f"grade {view.grade}")
    parts.append(f"passage “{cut(view.quote)}”" if view.quote
                 else "a region with no text")
    return "; ".join(parts)


def _locked(session: Session, annotation_id: str, based_on: int | None) -> Annotation:
    """The annotation to edit, its row locked for the transaction (PostgreSQL; SQLite's write
    transaction holds the whole database), refused when it is newer than ``based_on``."""
    ann = session.get(Annotation, annotation_id, with_for_update=True)
    if ann is None:
        raise NotFound(f"no annotation {annotation_id}")
    if based_on is not None and ann.version != based_on:
        last = session.execute(
            select(AuditEvent.actor, AuditEvent.at)
            .where(AuditEvent.object_type == "annotation", AuditEvent.object_id == ann.id)
            .order_by(AuditEvent.seq.desc()).limit(1)).first()
        actor, at = (last[0], last[1]) if last is not None else ("someone", "")
        raise EditConflict(_view(session, ann), based_on, actor, at)
    return ann


#: SQLite's limit on bound parameters is 999 in older builds; id lists go in chunks below it.
_CHUNK = 900

#: The columns an :class:`AnnotationView` shows, in its field order (author name and tags apart).
_VIEW_COLUMNS = (
    Annotation.id, Annotation.document_id, Annotation.start, Annotation.end, Annotation.quote,
    Annotation.prefix, Annotation.suffix, Annotation.page_start, Annotation.page_end,
    Annotation.note, Annotation.attribution, Annotation.reliability, Annotation.credibility,
    Annotation.status, Annotation.anchor, Annotation.anchor_score, User.name, Annotation.created,
    Annotation.modified, Annotation.conflict_of, Annotation.region, Annotation.version,
)


def _tag_refs(session: Session, ids: Sequence[str]) -> dict[str, list[TagRef]]:
    """Tag references (sorted by path) of the annotations with these ids, read in chunks."""
    infos = codebook.list_tags(session)  # few rows; always current
    shared = {t.id: TagRef(t.id, t.path, t.colour) for t in infos}  # one per tag
    out: dict[str, list[TagRef]] = {}
    conn = session.connection()  # Core rows: plain tuples, no ORM bookkeeping
    for i in range(0, len(ids), _CHUNK):
        for ann_id, tag_id in conn.execute(
                select(AnnotationTag.annotation_id, AnnotationTag.tag_id)
                .where(AnnotationTag.annotation_id.in_(ids[i:i + _CHUNK]))):
            ref = shared.get(tag_id)
            if ref is not None:
                refs = out.get(ann_id)
                if refs is None:
                    out[ann_id] = [ref]
                else:
                    refs.append(ref)
                    refs.sort(key=_path_of)
    return out


def _path_of(ref: TagRef) -> str:
    return ref.path


def _make_view(a: Annotation, author: str, refs: Sequence[TagRef]) -> AnnotationView:
    return AnnotationView(
        a.id, a.document_id, a.start, a.end, a.quote, a.prefix, a.suffix, a.page_start,
        a.page_end, a.note, a.attribution, a.reliability, a.credibility, a.status, a.anchor,
        a.anchor_score, author, a.created, a.modified, tuple(refs), a.conflict_of,
        Region.from_db(a.region), a.version or 1,
    )


def _views(session: Session, rows: Sequence[tuple[Annotation, str]]) -> list[AnnotationView]:
    refs = _tag_refs(session, [a.id for a, _ in rows])
    return [_make_view(a, author, refs.get(a.id, [])) for a, author in rows]


def _view(session: Session, ann: Annotation) -> AnnotationView:
    author = session.scalar(select(User.name).where(User.id == ann.author_id)) or ""
    return _views(session, [(ann, author)])[0]


def _listed(session: Session, where: Sequence[ColumnElement[bool]],
            ordered: bool = True) -> list[AnnotationView]:
    """Annotations matching ``where``: only the shown columns, tags read for them alone."""
    query = select(*_VIEW_COLUMNS).join(User, User.id == Annotation.author_id).where(*where)
    if ordered:
        query = query.join(Document, Document.id == Annotation.document_id).order_by(
            Document.imported_at, Annotation.document_id, Annotation.start, Annotation.end)
    rows: list[Any] = list(session.connection().execute(query).all())
    # tags by the ids just read (index lookups only; the rows of one document are scattered
    # through the annotations table, and filtering them again would read each twice)
    refs = _tag_refs(session, [row[0] for row in rows])
    return [_row_view(row, refs.get(row[0], ())) for row in rows]


_VIEW_FIELDS = tuple(f.name for f in dataclass_fields(AnnotationView))
_new = object.__new__


def _row_view(row: Any, refs: Sequence[TagRef]) -> AnnotationView:
    """The view of a row of :data:`_VIEW_COLUMNS`.

    Made by filling the new instance's fields at once: a frozen dataclass's ``__init__`` sets
    each of its 22 fields through ``object.__setattr__``, a tenth of the time of a listing.
    """
    (ann_id, document_id, start, end, quote, prefix, suffix, page_start, page_end, note,
     attribution, reliability, credibility, status, anchor, anchor_score, author, created,
     modified, conflict_of, region, version) = row
    view: AnnotationView = _new(AnnotationView)
    view.__dict__.update(zip(_VIEW_FIELDS, (
        ann_id, document_id, start, end, quote, prefix, suffix, page_start, page_end, note,
        attribution, reliability, credibility, status, anchor, anchor_score, author, created,
        modified, tuple(refs), conflict_of, Region.from_db(region), version), strict=True))
    return view


def get_annotation(dossier: Dossier, spec: str) -> AnnotationView:
    """One annotation by id or unique id prefix."""
    with dossier.read() as session:
        ann = resolve_prefix(session, Annotation, spec, "annotation")
        return _view(session, ann)


def get_annotations(dossier: Dossier, ids: Sequence[str], *,
                    document_id: str | None = None) -> list[AnnotationView]:
    """The annotations with these ids (those that exist; of ``document_id`` only, if given)."""
    out: list[AnnotationView] = []
    with dossier.read() as session:
        for i in range(0, len(ids), _CHUNK):
            where: list[ColumnElement[bool]] = [Annotation.id.in_(ids[i:i + _CHUNK])]
            if document_id:
                where.append(Annotation.document_id == document_id)
            out += _listed(session, where, ordered=False)
    return out


def list_annotations(
    dossier: Dossier, *, document_id: str | None = None, tag_id: str | None = None,
    status: str | None = None, anchor: str | None = None, author: str | None = None,
) -> list[AnnotationView]:
    """Annotations matching every given filter (applied in SQL), in document order."""
    with collector_paused(), dossier.read() as session:  # thousands of rows, no cycles
        where: list[ColumnElement[bool]] = []
        if document_id:
            where.append(Annotation.document_id == document_id)
        if status:
            if status not in STATUSES:
                raise BadInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
            where.append(Annotation.status == status)
        if anchor:
            where.append(Annotation.anchor == anchor)
        if author:
            where.append(User.name == author)
        if tag_id:
            parents = {t.id: t.parent_id for t in codebook.list_tags(session)}
            sub = {t for t in parents if _is_under(parents, t, tag_id)}
            where.append(Annotation.id.in_(
                select(AnnotationTag.annotation_id).where(AnnotationTag.tag_id.in_(sub))
            ))
        return _listed(session, where)


def _is_under(parents: dict[str, str | None], tag_id: str, ancestor: str) -> bool:
    cur: str | None = tag_id
    while cur is not None:
        if cur == ancestor:
            return True
        cur = parents.get(cur)
    return False
