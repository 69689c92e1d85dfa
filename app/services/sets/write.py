"""Writing a planned set import: prepared outside the write lock, written in one short transaction.

Everything about the new rows that needs no lock is done first, against a snapshot of the
dossier: ids for the users, documents and tags to create; every row as the tuple it will be
stored as; the state hash of every new row (computed by SQLite itself, in a private staging
database holding copies of the tables, so it is the hash ``verify`` computes from the dossier);
the canonical JSON of every audit event. The write transaction then checks that the dossier is
still as it was when the snapshot was taken (audit head and newest user id), inserts in bulk,
chains the prepared events (one SHA-256 each), and commits: the whole set or nothing.

When another writer changed the dossier in between, :class:`Stale` is raised inside the
transaction (nothing is written) and the caller plans again.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app import audit
from app import state as row_states
from app.clock import utcnow
from app.progress import checkpoint
from app.services.sets.matching import CONTEXT, Target
from db import search

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.incoming import IncomingSet
    from app.services.sets.merge import _Plan

#: Tables copied into the staging database to compute the new rows' states there.
_STAGED = ("users", "tags", "annotations", "annotation_tags", "reviews")
_USER_COLUMNS = ("id", "name", "display_name", "guid", "created", "role")
_TAG_COLUMNS = ("id", "parent_id", "name", "colour", "description", "shortcut", "position",
                "is_codable", "created")
_ANNOTATION_COLUMNS = ("id", "document_id", "start", "end", "quote", "prefix", "suffix",
                       "page_start", "page_end", "note", "attribution", "reliability",
                       "credibility", "status", "anchor", "anchor_score", "author_id", "created",
                       "modified", "conflict_of", "provenance", "region")
_REVIEW_COLUMNS = ("id", "annotation_id", "reviewer_id", "decision", "reason", "created")


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


class Stale(Exception):
    """The dossier changed between the snapshot and the write lock; plan the import again."""


@dataclass(frozen=True)
class Snapshot:
    """What the preparation assumed about the dossier; checked again under the write lock."""

    head: tuple[int, str]
    newest_user: int

    @staticmethod
    def read(cur: Any) -> Snapshot:
        newest = cur.execute("SELECT coalesce(max(id), 0) FROM users").fetchone()[0]
        return Snapshot(audit.head_raw(cur), int(newest))


@dataclass
class Prepared:
    """Every row and event of one set import, ready for :func:`write`."""

    snapshot: Snapshot
    users: list[tuple[Any, ...]] = field(default_factory=list)
    user_events: list[audit.PreparedEvent] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    acting_user_created: bool = False
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    annotations: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    entries: list[tuple[str, str, str, int | None, str]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[audit.PreparedEvent] = field(default_factory=list)


@contextmanager
def _stage(ddl: list[str]) -> Iterator[sqlite3.Connection]:
    """A private scratch database (on disk, deleted on close) holding empty copies of tables."""
    with closing(sqlite3.connect("", isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -65536")
        for sql in ddl:
            conn.execute(sql)
        conn.execute("BEGIN")
        yield conn


def prepare(dossier: Dossier, plan: _Plan, new_targets: list[Target]) -> Prepared:
    """Everything :func:`write` needs, computed without the write lock."""
    summary = plan.summary
    with dossier.read() as session:
        cur = audit.cursor(session)
        snapshot = Snapshot.read(cur)
        known = {str(n): int(i) for n, i in cur.execute("SELECT name, id FROM users")}
        guids = {str(g) for (g,) in cur.execute("SELECT guid FROM users")}
        has_admin = cur.execute(
            "SELECT 1 FROM users WHERE role = 'administrator' LIMIT 1").fetchone() is not None
        marks = ", ".join("?" * len(_STAGED))
        ddl = [str(sql) for (sql,) in cur.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
            _STAGED)]
    prepared = Prepared(snapshot)
    now = utcnow()
    next_id = snapshot.newest_user
    new_users: list[tuple[str, dict[str, Any]]] = []
    if dossier.user_name not in known:  # the importer acts here for the first time
        guid = str(uuid.uuid4())
        role = "annotator" if has_admin else "administrator"
        next_id += 1
        prepared.users.append((next_id, dossier.user_name, dossier.user_name, guid, now, role))
        new_users.append((str(next_id), {"name": dossier.user_name, "guid": guid, "role": role}))
        known[dossier.user_name] = next_id
        prepared.acting_user_created = True
    for name in sorted(plan.users - set(known)):
        wanted = plan.guids.get(name)
        guid = wanted if wanted and wanted not in guids else str(uuid.uuid4())
        guids.add(guid)
        next_id += 1
        prepared.users.append((next_id, name, name, guid, now, "annotator"))
        new_users.append((str(next_id), {"name": name, "guid": guid, "via": "import-set",
                                         "set_sha256": summary.sha256}))
        known[name] = next_id
        prepared.users_created.append(name)
    for target in new_targets:
        target.document_id = str(uuid.uuid4())
    for tag in plan.tags.created:
        prepared.tags.append((tag.id, tag.parent_id, tag.name, tag.colour, tag.description,
                              tag.shortcut, tag.position, tag.is_codable, now))
    payloads = _annotations(plan, known, prepared)
    reviews = [(r.id, home, known[r.reviewer], r.decision, r.reason, r.created)
               for home, r in plan.review_rows]
    prepared.reviews = sorted(reviews)
    with _stage(ddl) as stage:
        states = _stage_states(stage, prepared)
    actor = dossier.user_name
    event = audit.prepare_event
    for uid, body in new_users:
        prepared.user_events.append(event(actor, "user.create", "user", uid,
                                          audit.canonical_json(body), states[f"user:{uid}"]))
    for tag in plan.tags.created:
        prepared.events.append(event(actor, "tag.import", "tag", tag.id, audit.canonical_json({
            "parent_id": tag.parent_id, "name": tag.name, "path": tag.path,
            "colour": tag.colour, "description": tag.description, "shortcut": tag.shortcut,
            "position": tag.position, "is_codable": tag.is_codable,
            "set_sha256": summary.sha256}), states[f"tag:{tag.id}"]))
    total = 2 * len(plan.rows)
    for number, (ann_id, payload) in enumerate(payloads):
        if not number & 1023:
            checkpoint(len(plan.rows) + number // 2, total)
        prepared.events.append(event(actor, "annotation.import", "annotation", ann_id, payload,
                                     states[f"annotation:{ann_id}"]))
    for home, review in plan.review_rows:
        prepared.events.append(event(actor, "review.import", "review", review.id,
                                     audit.canonical_json({
            "annotation_id": home, "reviewer": review.reviewer,
            "decision": review.decision, "reason": review.reason,
            "created": review.created, "set_sha256": summary.sha256,
            "history": f"{review.decision} in the sender's dossier by {review.reviewer}"}),
            states[f"review:{review.id}"]))
    return prepared


def _annotations(plan: _Plan, users: dict[str, int], prepared: Prepared) -> list[tuple[str, str]]:
    """Fill in the annotation rows, tag links and search entries; return (id, event payload)."""
    summary = plan.summary
    payloads: list[tuple[str, str]] = []
    total = 2 * len(plan.rows)
    for number, row in enumerate(plan.rows):
        if not number & 1023:
            checkpoint(len(plan.rows) // 2 + number // 2, total)
        target = row.target
        assert target is not None and target.document_id is not None
        f, text = row.fields, target.text
        start, end = f["start"], f["end"]
        page_start, page_end = target.pages_of(start, end)
        region = row.incoming.region if row.incoming is not None else None
        if region is not None:
            page_start = page_end = region.page
        quote = text[start:end]
        value = {
            "id": row.id, "document_id": target.document_id, "start": start, "end": end,
            "quote": quote, "prefix": text[max(0, start - CONTEXT):start],
            "suffix": text[end:end + CONTEXT], "page_start": page_start,
            "page_end": page_end, "note": f["note"], "attribution": f["attribution"],
            "reliability": f["reliability"], "credibility": f["credibility"],
            "status": f["status"], "anchor": row.anchor, "anchor_score": row.anchor_score,
            "author_id": users[f["author"]], "created": f["created"],
            "modified": f["modified"], "conflict_of": row.conflict_of,
            "provenance": audit.canonical_json(row.provenance),
            "region": region.to_db() if region is not None else None,
        }
        prepared.annotations.append(tuple(value[c] for c in _ANNOTATION_COLUMNS))
        tags = sorted(f["tags"])
        prepared.links.extend((row.id, t) for t in tags)
        prepared.entries += [("quote", row.id, target.document_id, page_start, quote),
                             ("note", row.id, target.document_id, page_start, f["note"])]
        del value["conflict_of"], value["provenance"]
        value.update(tag_ids=tags, set=summary.name, set_sha256=summary.sha256,
                     provenance=row.provenance)
        assert row.incoming is not None
        if row.conflict_of and row.id == row.incoming.id:  # flagged where it came from
            value.update(conflict_of=row.conflict_of)
        elif row.conflict_of:
            value.update(conflict_of=row.conflict_of, incoming_id=row.incoming.id,
                         differences=row.differences)
        payloads.append((row.id, audit.canonical_json(value)))
    # in key order: the primary-key B-trees are then filled front to back
    prepared.annotations.sort(key=lambda r: r[0])
    prepared.links.sort()
    return payloads


def _stage_states(stage: sqlite3.Connection, prepared: Prepared) -> dict[str, str]:
    """``type:id`` -> the state token (``type:id=HASH``) of every new row, hashed by SQLite
    from staged copies."""
    stage.executemany(_insert_sql("users", _USER_COLUMNS), prepared.users)
    stage.executemany(_insert_sql("tags", _TAG_COLUMNS), prepared.tags)
    stage.executemany(_insert_sql("annotations", _ANNOTATION_COLUMNS), prepared.annotations)
    stage.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                      prepared.links)
    stage.executemany(_insert_sql("reviews", _REVIEW_COLUMNS), prepared.reviews)
    checkpoint()
    cur = stage.cursor()
    states: dict[str, str] = {}
    for object_type, rows in (("user", prepared.users), ("tag", prepared.tags),
                              ("annotation", prepared.annotations),
                              ("review", prepared.reviews)):
        found = row_states.states_of(cur, object_type, [str(r[0]) for r in rows])
        states.update((f"{object_type}:{oid}", f"{object_type}:{oid}={digest}")
                      for oid, digest in found.items())
    return states


def write(session: Session, dossier: Dossier, prepared: Prepared, new_targets: list[Target],
          incoming: IncomingSet) -> None:
    """Write ``prepared`` in the caller's write transaction; :class:`Stale` if the dossier moved."""
    from app.services.documents import insert_document

    cur = audit.cursor(session)
    if Snapshot.read(cur) != prepared.snapshot:
        raise Stale
    cur.executemany(_insert_sql("users", _USER_COLUMNS), prepared.users)
    audit.append_prepared(cur, prepared.user_events)
    for target in new_targets:
        assert target.data is not None and target.extracted is not None
        insert_document(
            session, dossier, target.sha256, len(target.data), target.extracted,
            source=f"import-set {incoming.name}", filename=target.filename,
            custody={"imported_from": incoming.name, "set_sha256": incoming.sha256,
                     **target.custody}, document_id=target.document_id)
    cur = audit.cursor(session)
    cur.executemany(_insert_sql("tags", _TAG_COLUMNS), prepared.tags)
    checkpoint()
    cur.executemany(_insert_sql("annotations", _ANNOTATION_COLUMNS), prepared.annotations)
    cur.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                    prepared.links)
    checkpoint()
    search.add_many(cur, prepared.entries)
    cur.executemany(_insert_sql("reviews", _REVIEW_COLUMNS), prepared.reviews)
    checkpoint()
    audit.append_prepared(cur, prepared.events)
