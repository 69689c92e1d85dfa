"""``import-set``: bringing a colleague's annotation set into this dossier.

Rules an investigator can rely on:

- A set from elsewhere is **provenance, not authority**: a new annotation keeps its sender's
  author (a user is created when needed), times, grades, tags and reviews as recorded history,
  but its status here is ``submitted`` (for local review); the sender's status, the set and the
  importer are kept in ``annotations.provenance`` and the audit event. An annotation that claims
  a user of this dossier as its author is imported with that claim flagged. One whose quote
  disagrees with its position is placed by the quote and flagged ``fuzzy``.
- Annotations are matched by id. One identical to the local
  annotation (same document, range, note, attribution, grades, status, author, times, tags) is
  skipped, so importing the same set twice adds nothing.
- A **changed** one is a conflict and never overwrites: the local annotation stays as it is and
  the incoming version is added beside it with a new id, flagged by ``conflict_of`` (the local
  id) and listed in the summary. Re-importing the same conflicting version adds nothing more.
- Documents are matched by the SHA-256 of their original; originals the set carries (bundles,
  REFI packages) are imported when missing. Annotations on documents still missing, or whose
  quote no longer occurs, are listed and left out.
- The whole set is read, checked (:mod:`app.services.sets.validate`) and planned before the
  write lock is taken; the rows are then written in bulk, in one short transaction (a set of
  more than :data:`ROWS_PER_TRANSACTION` annotations in several). A refusal (malformed or
  hostile input) writes nothing. Every row added is audited
  (``annotation.import``, ``tag.import``, ``review.import``, ``user.create``) with the set
  file's SHA-256.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app import audit
from app import state as row_states
from app.clock import utcnow
from app.errors import BadInput
from app.exchange.incoming import IncomingAnnotation, IncomingSet
from app.originals import sha256_file
from app.progress import CancelCheck, ProgressCallback, checkpoint, reporting
from app.services import codebook
from app.services.sets.matching import (
    CONTEXT,
    Missing,
    NewTag,
    TagPlan,
    Target,
    find_by_quote,
    locate,
    match_documents,
)
from app.services.sets.summary import Conflict, ImportSummary
from app.services.sets.validate import check_set
from db import search
from db.models import Annotation, AnnotationTag, Review, Tag, User

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Compared to tell an identical annotation from a changed one. Not the status: an imported
#: annotation's status is always local (see IMPORTED_STATUS).
_COMPARED = ("document_id", "start", "end", "note", "attribution", "reliability", "credibility",
             "author", "created", "modified", "tags")
#: A large set is written in transactions of at most this many annotations, so that the write
#: lock is never held for long (other writers wait meanwhile). Each transaction is complete in
#: itself (rows, search entries, audit events); an import interrupted between two leaves the
#: first part imported, and importing the set again adds the rest (identical ones are skipped).
ROWS_PER_TRANSACTION = 10_000
#: The status every imported annotation starts with here.
IMPORTED_STATUS = "submitted"
#: Anchor score of an annotation placed by its quote because its position disagreed.
QUOTE_PLACED_SCORE = 0.9
_CHUNK = 500


@dataclass
class _Row:
    """An annotation as it will be (or is) stored, in comparable form."""

    fields: dict[str, Any]
    anchor: str = "exact"
    anchor_score: float = 1.0
    target: Target | None = None
    incoming: IncomingAnnotation | None = None
    id: str = ""
    conflict_of: str | None = None
    differences: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        return tuple(self.fields[k] for k in _COMPARED)


def _local_rows(session: Session, column: Any, ids: list[str]) -> dict[str, list[_Row]]:
    """Local annotations whose ``column`` is one of ``ids``, grouped by that value."""
    out: dict[str, list[_Row]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        rows = session.execute(
            select(Annotation, User.name).join(User, User.id == Annotation.author_id)
            .where(column.in_(chunk))).all()
        tags: dict[str, set[str]] = {}
        for ann_id, tag_id in session.execute(
                select(AnnotationTag.annotation_id, AnnotationTag.tag_id)
                .where(AnnotationTag.annotation_id.in_([a.id for a, _ in rows]))):
            tags.setdefault(ann_id, set()).add(tag_id)
        for ann, author in rows:
            fields = {k: getattr(ann, k) for k in _COMPARED[:-4]}
            fields.update(author=author, created=ann.created, modified=ann.modified,
                          tags=frozenset(tags.get(ann.id, ())))
            group = ann.id if column is Annotation.id else ann.conflict_of
            if group is not None:
                out.setdefault(group, []).append(_Row(fields, id=ann.id))
    return out


def _existing_reviews(session: Session, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), _CHUNK):
        found.update(session.scalars(select(Review.id).where(Review.id.in_(ids[i:i + _CHUNK]))))
    return found


def _local_users(session: Session) -> set[str]:
    """Names of users created by acting in this dossier (not brought in by an imported set)."""
    via = ("json_extract(e.payload, '$.via')" if session.get_bind().dialect.name == "sqlite"
           else "(e.payload::jsonb ->> 'via')")
    rows = session.execute(text(
        "SELECT u.name FROM users u JOIN audit_events e ON e.object_type = 'user' "
        "AND e.object_id = CAST(u.id AS TEXT) AND e.action = 'user.create' "
        f"WHERE {via} IS NULL")).all()
    return {name for (name,) in rows}


@dataclass
class _Plan:
    summary: ImportSummary
    targets: dict[str, Target | Missing]
    tags: TagPlan
    rows: list[_Row] = field(default_factory=list)
    review_rows: list[tuple[str, Any]] = field(default_factory=list)  # (annotation id, review)
    users: set[str] = field(default_factory=set)
    guids: dict[str, str] = field(default_factory=dict)


def _plan(dossier: Dossier, incoming: IncomingSet) -> _Plan:
    summary = ImportSummary(incoming.name, incoming.sha256, incoming.kind,
                            len(incoming.annotations), warnings=list(incoming.warnings),
                            skipped=list(incoming.skipped))
    needed = {a.document for a in incoming.annotations}
    docs = [d for k, d in incoming.documents.items() if k in needed or d.load is not None]
    targets = match_documents(dossier, docs, incoming.name)
    _place_by_quotes(dossier, incoming, targets)
    with dossier.read() as session:
        plan = _Plan(summary, targets, TagPlan(codebook.list_tags(session), incoming.tags,
                                               incoming.name))
        ids = [a.id for a in incoming.annotations]
        local = _local_rows(session, Annotation.id, ids)
        copies = _local_rows(session, Annotation.conflict_of, ids)
        known_reviews = _existing_reviews(
            session, [r.id for a in incoming.annotations for r in a.reviews])
        local_users = _local_users(session) | {dossier.user_name}
    now = utcnow()
    undated = 0
    sender_statuses: dict[str, int] = {}
    claimed: dict[str, int] = {}
    quote_placed = 0
    for done, ann in enumerate(incoming.annotations):
        checkpoint(done, 2 * len(incoming.annotations))
        target = targets.get(ann.document)
        if target is None:
            summary.unanchored.append({"annotation": ann.id, "document": ann.document,
                                       "reason": "the set does not describe its document"})
            continue
        if isinstance(target, Missing):
            target.annotations += 1
            continue
        placed = locate(target, ann)
        if isinstance(placed, str):
            summary.unanchored.append({"annotation": ann.id, "document": target.label,
                                       "reason": placed})
            continue
        start, end = placed.start, placed.end
        undated += ann.created is None
        row = _Row({
            "document_id": target.document_id, "start": start, "end": end, "note": ann.note,
            "attribution": ann.attribution, "reliability": ann.reliability,
            "credibility": ann.credibility, "status": IMPORTED_STATUS, "author": ann.author,
            "created": ann.created or now, "modified": ann.modified or ann.created or now,
            "tags": frozenset(plan.tags.resolve(t, ann.label) for t in ann.tags),
        }, target=target, incoming=ann, id=ann.id)
        row.provenance = {"set": incoming.name, "set_sha256": incoming.sha256,
                          "imported_by": dossier.user_name, "sender_status": ann.status}
        if ann.author in local_users:
            row.provenance["claimed_local_author"] = ann.author
        if placed.verbatim and ann.anchor:
            row.anchor, row.anchor_score = ann.anchor, ann.anchor_score or 1.0
        elif not placed.verbatim and (
                (ann.start is None and ann.page_start is None) or (
                    ann.position_is_hint and ann.start is not None
                    and target.utf16_offset(placed.start) == ann.start)):
            # no position given, or another client's position that is this very place counted
            # in UTF-16 units (Hypothesis): the quote's own verdict stands
            row.anchor, row.anchor_score = placed.status, round(placed.score, 4)
        elif not placed.verbatim:  # its stated position disagrees with its quote: check it
            row.anchor, row.anchor_score = "fuzzy", round(min(placed.score, 0.9), 4)
            row.provenance["placed_by_quote"] = True
        if row.anchor != "exact":
            summary.flagged.append({
                "annotation": ann.id, "document": target.label, "anchor": row.anchor,
                "reason": (ann.anchor_reason or f"it was {row.anchor} in the set it came from")
                if placed.verbatim else
                "placed by its quote, which does not occur verbatim or occurs more than once"
                if placed.status != "exact" else
                "placed by its quote, which is not at the position the set states"})
        existing = local.get(ann.id)
        if existing:
            mine = existing[0]
            review_home = mine.id
            if mine.key() == row.key():
                summary.identical += 1
            else:
                same_copy = next((c for c in copies.get(ann.id, []) if c.key() == row.key()), None)
                if same_copy is not None:
                    summary.conflicts_already += 1
                    review_home = same_copy.id
                else:
                    row.id, row.conflict_of = str(uuid.uuid4()), ann.id
                    row.differences = [k for k in _COMPARED if mine.fields[k] != row.fields[k]]
                    plan.rows.append(row)
                    review_home = row.id
        else:
            row.conflict_of = ann.conflict_of  # a flag set in the colleague's dossier stays
            plan.rows.append(row)
            review_home = row.id
        if plan.rows and plan.rows[-1] is row:
            sender_statuses[ann.status] = sender_statuses.get(ann.status, 0) + 1
            if "claimed_local_author" in row.provenance:
                claimed[ann.author] = claimed.get(ann.author, 0) + 1
            quote_placed += "placed_by_quote" in row.provenance
        plan.users.add(ann.author)
        if ann.author_guid:
            plan.guids.setdefault(ann.author, ann.author_guid)
        for review in ann.reviews:
            if review.id not in known_reviews:
                known_reviews.add(review.id)
                plan.review_rows.append((review_home, review))
                plan.users.add(review.reviewer)
    if undated:
        summary.warnings.append(f"{undated} annotation(s) had no creation time; the time of "
                                "this import was used")
    if sender_statuses:
        counts = ", ".join(f"{status} {n}" for status, n in sorted(sender_statuses.items()))
        summary.warnings.append(
            f"{sum(sender_statuses.values())} annotation(s) arrive as {IMPORTED_STATUS} for "
            f"local review; their status in the sender's dossier ({counts}), their authors, "
            "times, grades and reviews are kept as recorded history")
    for name, n in sorted(claimed.items()):
        summary.warnings.append(
            f"{n} annotation(s) claim {name!r}, a user of this dossier, as their author: "
            f"imported with the claim flagged and {dossier.user_name!r} recorded as importer")
    if quote_placed:
        summary.warnings.append(
            f"{quote_placed} annotation(s) whose quote disagrees with their position were placed "
            "by the quote and flagged fuzzy (check them)")
    for key, target in targets.items():
        if isinstance(target, Missing) and (target.annotations or key in needed):
            summary.documents_missing.append({"document": target.label, "sha256": target.sha256,
                                              "annotations": target.annotations,
                                              "reason": target.reason})
    return plan


def _place_by_quotes(dossier: Dossier, incoming: IncomingSet,
                     targets: dict[str, Target | Missing]) -> None:
    """Documents known only by a URL no local document has: look for their quotes."""
    quotes: dict[str, list[str]] = {}
    for ann in incoming.annotations:
        doc = incoming.documents.get(ann.document)
        if isinstance(targets.get(ann.document), Missing) and doc is not None \
                and not doc.sha256 and doc.load is None and ann.exact:
            quotes.setdefault(ann.document, []).append(ann.exact)
    for key, target in find_by_quote(dossier, quotes).items():
        targets[key] = target


# -- writing -------------------------------------------------------------------------------------

def _users(session: Session, dossier: Dossier, plan: _Plan) -> dict[str, int]:
    ids = {name: uid for name, uid in session.execute(select(User.name, User.id))}
    guids = set(session.scalars(select(User.guid)))
    for name in sorted(plan.users - set(ids)):
        guid = plan.guids.get(name)
        user = User(name=name, display_name=name, created=utcnow(),
                    guid=guid if guid and guid not in guids else str(uuid.uuid4()))
        session.add(user)
        session.flush()
        audit.record(session, dossier.user_name, "user.create", "user", str(user.id),
                     {"name": name, "guid": user.guid, "via": "import-set",
                      "set_sha256": plan.summary.sha256})
        ids[name] = user.id
        plan.summary.users_created.append(name)
    return ids


def _tags(session: Session, dossier: Dossier, created: list[NewTag], set_sha: str) -> None:
    for tag in created:
        session.add(Tag(id=tag.id, parent_id=tag.parent_id, name=tag.name, colour=tag.colour,
                        description=tag.description, shortcut=tag.shortcut,
                        position=tag.position, is_codable=tag.is_codable, created=utcnow()))
        session.flush()
        audit.record(session, dossier.user_name, "tag.import", "tag", tag.id, {
            "parent_id": tag.parent_id, "name": tag.name, "path": tag.path,
            "colour": tag.colour, "description": tag.description, "shortcut": tag.shortcut,
            "position": tag.position, "is_codable": tag.is_codable, "set_sha256": set_sha})


_ANNOTATION_COLUMNS = ("id", "document_id", "start", "end", "quote", "prefix", "suffix",
                       "page_start", "page_end", "note", "attribution", "reliability",
                       "credibility", "status", "anchor", "anchor_score", "author_id", "created",
                       "modified", "conflict_of", "provenance", "region")
_INSERT_ANNOTATION = (
    "INSERT INTO annotations (" + ", ".join(f'"{c}"' for c in _ANNOTATION_COLUMNS)
    + ") VALUES (" + ", ".join("?" * len(_ANNOTATION_COLUMNS)) + ")")


def _documents(session: Session, dossier: Dossier, plan: _Plan, new_targets: list[Target],
               incoming: IncomingSet) -> None:
    from app.services.documents import insert_document

    for target in new_targets:
        assert target.data is not None and target.extracted is not None
        doc = insert_document(
            session, dossier, target.sha256, len(target.data), target.extracted,
            source=f"import-set {incoming.name}", filename=target.filename,
            custody={"imported_from": incoming.name, "set_sha256": incoming.sha256,
                     **target.custody})
        target.document_id = doc.id
        for row in plan.rows:
            if row.target is target:
                row.fields["document_id"] = doc.id
        plan.summary.documents_imported.append(target.label)


@dataclass
class _Prepared:
    """A batch of annotations ready to write: row tuples, tag links, search entries, payloads."""

    ids: list[str]
    rows: list[tuple[Any, ...]]
    links: list[tuple[str, str]]
    entries: list[tuple[str, str, str, int | None, str]]
    payloads: list[str]


def _prepare(plan: _Plan, users: dict[str, int], rows: list[_Row]) -> list[_Prepared]:
    """Everything about ``rows`` that needs no database (done before the lock where possible)."""
    summary = plan.summary
    out: list[_Prepared] = []
    for i in range(0, len(rows), _CHUNK):
        batch = rows[i:i + _CHUNK]
        prepared = _Prepared([], [], [], [], [])
        for row in batch:
            target = row.target
            assert target is not None and target.document_id is not None
            f, text = row.fields, target.text
            start, end = f["start"], f["end"]
            page_start, page_end = target.pages_of(start, end)
            region = row.incoming.region if row.incoming is not None else None
            if region is not None:
                page_start = page_end = region.page
            value = {
                "id": row.id, "document_id": target.document_id, "start": start, "end": end,
                "quote": text[start:end], "prefix": text[max(0, start - CONTEXT):start],
                "suffix": text[end:end + CONTEXT], "page_start": page_start,
                "page_end": page_end, "note": f["note"], "attribution": f["attribution"],
                "reliability": f["reliability"], "credibility": f["credibility"],
                "status": f["status"], "anchor": row.anchor, "anchor_score": row.anchor_score,
                "author_id": users[f["author"]], "created": f["created"],
                "modified": f["modified"], "conflict_of": row.conflict_of,
                "provenance": audit.canonical_json(row.provenance),
                "region": region.to_db() if region is not None else None,
            }
            prepared.ids.append(row.id)
            prepared.rows.append(tuple(value[c] for c in _ANNOTATION_COLUMNS))
            prepared.links.extend((row.id, t) for t in sorted(f["tags"]))
            prepared.entries += [("quote", row.id, target.document_id, page_start, value["quote"]),
                                 ("note", row.id, target.document_id, page_start, f["note"])]
            payload = {k: v for k, v in value.items() if k not in ("conflict_of", "provenance")}
            payload.update(tag_ids=sorted(f["tags"]), set=summary.name,
                           set_sha256=summary.sha256, provenance=row.provenance)
            assert row.incoming is not None
            if row.conflict_of and row.id == row.incoming.id:  # flagged where it came from
                payload.update(conflict_of=row.conflict_of)
            elif row.conflict_of:
                payload.update(conflict_of=row.conflict_of, incoming_id=row.incoming.id,
                               differences=row.differences)
            prepared.payloads.append(audit.canonical_json(payload))
        out.append(prepared)
    return out


def _annotations(session: Session, dossier: Dossier, plan: _Plan, rows: list[_Row],
                 prepared: list[_Prepared]) -> None:
    """Write prepared annotations in bulk: rows, tag links, search entries, then one audit
    event each carrying the row's state (hashed from the rows just written)."""
    summary = plan.summary
    cur = audit.cursor(session)
    for number, batch in enumerate(prepared):
        checkpoint(len(plan.rows) + number * _CHUNK, 2 * len(plan.rows))  # rolls back
        cur.executemany(_INSERT_ANNOTATION, batch.rows)
        if batch.links:
            cur.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                            batch.links)
        search.add_many(cur, batch.entries)
        states = row_states.states_of(cur, "annotation", batch.ids)
        audit.append_many(cur, [
            (dossier.user_name, "annotation.import", "annotation", ann_id, payload,
             f"annotation:{ann_id}={states[ann_id]}")
            for ann_id, payload in zip(batch.ids, batch.payloads, strict=True)])
    for row in rows:
        assert row.incoming is not None
        if row.conflict_of and row.id != row.incoming.id:
            summary.conflicts.append(Conflict(row.incoming.id, row.conflict_of, row.id,
                                              row.differences))
        else:
            summary.added.append(row.id)


def _reviews(session: Session, dossier: Dossier, plan: _Plan, users: dict[str, int]) -> None:
    """The sender's review decisions, kept as history (the annotation's status here is local)."""
    cur = audit.cursor(session)
    for i in range(0, len(plan.review_rows), _CHUNK):
        batch = plan.review_rows[i:i + _CHUNK]
        cur.executemany(
            "INSERT INTO reviews (id, annotation_id, reviewer_id, decision, reason, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(r.id, a, users[r.reviewer], r.decision, r.reason, r.created) for a, r in batch])
        states = row_states.states_of(cur, "review", [r.id for _, r in batch])
        audit.append_many(cur, [
            (dossier.user_name, "review.import", "review", review.id, audit.canonical_json({
                "annotation_id": annotation_id, "reviewer": review.reviewer,
                "decision": review.decision, "reason": review.reason,
                "created": review.created, "set_sha256": plan.summary.sha256,
                "history": f"{review.decision} in the sender's dossier by {review.reviewer}"}),
             f"review:{review.id}={states[review.id]}")
            for annotation_id, review in batch])
        plan.summary.reviews_added += len(batch)


def merge_set(dossier: Dossier, incoming: IncomingSet) -> ImportSummary:
    """Add what is new in ``incoming`` to the dossier in one transaction; return the summary."""
    from app.services.documents import keep_original

    incoming.check_unique_ids()
    check_set(incoming)
    plan = _plan(dossier, incoming)
    summary = plan.summary
    new_targets = list({id(t): t for t in plan.targets.values()
                        if isinstance(t, Target) and t.document_id is None}.values())
    if not (plan.rows or plan.review_rows or new_targets):
        return summary
    chunks = [plan.rows[i:i + ROWS_PER_TRANSACTION]
              for i in range(0, len(plan.rows), ROWS_PER_TRANSACTION)] or [[]]
    users: dict[str, int] = {}
    for number, chunk in enumerate(chunks):
        # later chunks are prepared before their transaction: users and documents exist by then
        prepared = _prepare(plan, users, chunk) if number else []
        with ExitStack() as stack:
            if number == 0:
                for target in new_targets:
                    assert target.data is not None
                    stack.enter_context(keep_original(dossier, target.data, target.sha256))
            with dossier.write() as session:
                if number == 0:
                    dossier.user_id(session)
                    _documents(session, dossier, plan, new_targets, incoming)
                    users = _users(session, dossier, plan)
                    _tags(session, dossier, plan.tags.created, incoming.sha256)
                    summary.tags_created = [t.path for t in plan.tags.created]
                    prepared = _prepare(plan, users, chunk)
                _annotations(session, dossier, plan, chunk, prepared)
                if number == len(chunks) - 1:
                    _reviews(session, dossier, plan, users)
    for target in new_targets:
        if target.document_id:
            dossier.notify_change("document", "created", target.document_id)
    if plan.tags.created:
        dossier.notify_change("tag", "created", *[t.id for t in plan.tags.created])
    new_ids = [*summary.added, *(c.kept_as for c in summary.conflicts)]
    if new_ids:
        dossier.notify_change("annotation", "created", *new_ids)
    return summary


# -- reading a set file ---------------------------------------------------------------------------

def _starts_like_json(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def import_set(dossier: Dossier, path: Path | str, *, progress: ProgressCallback | None = None,
               cancel: CancelCheck | None = None) -> ImportSummary:
    """Import a JSON-LD set, an evidence bundle or a REFI-QDA ``.qdpx``; see the module doc.

    The kind of file and its size limits are checked before the file is read in full (or
    hashed), so an unsupported or oversized file is refused at once. ``cancel()`` is polled
    while the set is read, matched and written; a cancelled import raises
    :class:`~app.errors.Cancelled` and writes nothing.
    """
    with reporting(f"import of {Path(path).name}", progress, cancel):
        return _import_set(dossier, Path(path))


def _import_set(dossier: Dossier, path: Path) -> ImportSummary:
    from app.exchange.bundle.layout import MANIFEST
    from app.exchange.bundle.read import read_bundle
    from app.exchange.jsonld.read import read_set
    from app.exchange.safety.archives import SafeZip, is_zip
    from app.exchange.safety.json_stream import open_json_file

    name = path.name
    if not path.is_file():
        raise BadInput(f"{path}: no such file; check the path")
    if is_zip(path):
        with SafeZip(path, name) as z:
            if z.has(MANIFEST):
                return merge_set(dossier, read_bundle(z, name, sha256_file(path)))
            if not any(n.lower().endswith(".qde") and "/" not in n for n in z.names()):
                raise BadInput(f"{name}: a ZIP that is neither a Dossier evidence bundle nor a "
                               "REFI-QDA project (.qdpx); nothing was imported")
        return _import_qdpx(dossier, path)
    if _starts_like_json(path):
        open_json_file(path, name).close()  # refuses an oversized file before any reading
        return merge_set(dossier, read_set(lambda: open_json_file(path, name), name,
                                           sha256_file(path)))
    raise BadInput(f"{name}: not a JSON-LD annotation set, an evidence bundle or a .qdpx "
                   "project; import-set reads only those (CSV and XLSX are for reading by "
                   "people, not for re-import)")


def _import_qdpx(dossier: Dossier, path: Path) -> ImportSummary:
    from app.exchange.incoming import from_refi

    try:
        from app.exchange.refi.model import read_qdpx
    except ImportError as exc:
        raise BadInput(f"{path.name}: REFI-QDA import is not available in this version of "
                       "Dossier") from exc
    project = read_qdpx(path)
    return merge_set(dossier, from_refi(project, path.name, sha256_file(path)))


def list_conflicts(dossier: Dossier) -> list[tuple[str, str]]:
    """(annotation id, id of the local annotation it conflicts with) for every flagged one."""
    with dossier.read() as session:
        rows = session.execute(select(Annotation.id, Annotation.conflict_of)
                               .where(Annotation.conflict_of.is_not(None))
                               .order_by(Annotation.created)).all()
    return [(a, b) for a, b in rows if b]
