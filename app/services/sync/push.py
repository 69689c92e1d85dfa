"""``dossier push``: the work done in a clone (or a whole local dossier) into the team dossier.

What is sent is what the clone's own audit chain records since it forked (or since its last push):
every row those events changed, compared three ways, with the import-set rules
(:mod:`app.services.sets.merge`):

- a row the team dossier does not have is **added** (same id, author, times, tags, grades);
- a row already there exactly as in the clone is **identical** and skipped (pushing twice adds
  nothing);
- a row the team dossier still holds as it was when the clone was made is **updated** (or
  deleted) to what the clone holds;
- a row changed on both sides is a **conflict**: the team's version stays and the clone's is
  added beside it as a flagged copy (new id, ``conflict_of`` the team's annotation, the
  differences listed), exactly like a conflicting annotation of an imported set. For rows other
  than annotations (a tag, a document) the team's version stays, and the clone's version is
  **kept in the team dossier's audit chain**: the re-signed event that last touched the row
  carries the clone's values of every differing field (``kept_local``), ``push`` lists them,
  and :mod:`app.services.sync.kept` lists and applies them later (``dossier kept``). The local
  side is never lost silently.

Each event of the clone's chain is then **re-signed** into the team dossier's chain: a new event
by the person pushing (in a team dossier, the database login), with the same action and object,
whose payload holds the original author, time, sequence number, hash and payload, and the
outcome for each row it touched; the state of every row written is recorded on the last event
that touched it, so ``verify`` passes on both sides. Users created offline are created in the
team dossier as annotators (a role is never pushed). Everything is written in one transaction:
a push that fails writes nothing.
"""

from __future__ import annotations

import json
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import audit
from app import state as row_states
from app.errors import BadInput
from app.progress import CancelCheck, ProgressCallback, checkpoint, reporting
from app.services.sets.summary import Conflict
from app.services.sync import record as sync_record
from app.services.sync.kept import KEPT_LOCAL, kept_value
from app.services.sync.rowsync import (
    IdMaps,
    Side,
    Unmapped,
    content,
    delete_row,
    differences,
    full_row,
    write_row,
)
from app.services.sync.tables import Schema
from db.models import AuditEvent, Document, Page, Tag, User

#: Actions of the sync itself: kept in the clone's chain, never pushed.
OWN_ACTIONS = ("sync.clone", "sync.push")
#: Order in which object types are written (referred rows before the rows referring to them).
TYPE_ORDER = ("tag", "document", "annotation", "review", "comment", "claim", "entity", "fact",
              "screening_match")


class _NotTaken(Exception):
    """A write the team dossier silently did not apply (rolled back to its savepoint)."""


@dataclass
class PushSummary:
    """What a push sent, skipped, flagged and kept."""

    folder: str
    target: str
    moved: bool
    events: int = 0
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    identical: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    head_seq: int = 0
    head_hash: str = audit.GENESIS

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier push --json``."""
        return {
            "folder": self.folder, "target": self.target, "moved": self.moved,
            "events": self.events, "added": self.added, "updated": self.updated,
            "deleted": self.deleted, "identical": self.identical,
            "conflicts": [{"annotation": c.local_id, "kept_as": c.kept_as, "fields": c.fields}
                          for c in self.conflicts],
            "kept": self.kept, "users_created": self.users_created,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
        }


@dataclass(frozen=True)
class _Event:
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    payload: str
    hash: str
    state: str | None


@dataclass
class _Local:
    """What the clone holds: its events since the last push and the state rows had then."""

    record: sync_record.SyncRecord | None
    events: list[_Event]
    base: dict[str, str]
    head_seq: int


def _read_local(session: Session) -> _Local:
    record = sync_record.read(session)
    synced = record.synced_seq if record else 0
    base: dict[str, str] = {}
    for state in session.scalars(select(AuditEvent.state).where(
            AuditEvent.seq <= synced, AuditEvent.state.is_not(None)).order_by(AuditEvent.seq)):
        for key, value in row_states.parse_state(state or ""):
            base[key] = value
    events = [_Event(*row) for row in session.execute(select(
        AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
        AuditEvent.object_type, AuditEvent.object_id, AuditEvent.payload, AuditEvent.hash,
        AuditEvent.state).where(AuditEvent.seq > synced).order_by(AuditEvent.seq))
        if row[3] not in OWN_ACTIONS]
    head_seq, _ = audit.head(session)
    return _Local(record, events, base, head_seq)


def _check_fork(server: Session, record: sync_record.SyncRecord, target: str) -> None:
    """Refuse a push to a dossier whose chain does not hold the event the clone forked from."""
    if record.base_seq == 0:
        return
    found = server.scalar(select(AuditEvent.hash).where(AuditEvent.seq == record.base_seq))
    if found != record.base_hash:
        raise BadInput(
            f"{target} is not the dossier this folder was cloned from ({record.origin}): its "
            f"audit chain does not hold event {record.base_seq} with hash "
            f"{record.base_hash[:16]}… where the clone forked; nothing was pushed")


def _touched(events: list[_Event]) -> dict[tuple[str, str], int]:
    """Each registered row the events changed, with the index of the last event touching it."""
    last: dict[tuple[str, str], int] = {}
    for index, event in enumerate(events):
        keys = [tuple(k.split(":", 1)) for k, _ in row_states.parse_state(event.state)] \
            if event.state else []
        if event.object_type in row_states.REGISTRY and event.object_id:
            keys.append((event.object_type, event.object_id))
        for otype, oid in keys:
            last[(otype, oid)] = index
    return last


def _tag_paths(session: Session) -> dict[str, str]:
    """Tag id -> path (casefolded) of every tag."""
    rows = {i: (p, n) for i, p, n in session.execute(select(Tag.id, Tag.parent_id, Tag.name))}
    out: dict[str, str] = {}

    def path(tag_id: str, depth: int = 0) -> str:
        if tag_id not in out:
            parent, name = rows[tag_id]
            out[tag_id] = (path(parent, depth + 1) + "/" if parent in rows and depth < 64
                           else "") + name.casefold()
        return out[tag_id]

    for tag_id in rows:
        path(tag_id)
    return out


class _Push:
    """One push in progress: both dossiers, the id maps, the outcomes."""

    def __init__(self, local: Any, server: Any, summary: PushSummary, data: _Local) -> None:
        self.local, self.server, self.summary, self.data = local, server, summary, data
        self.maps = IdMaps()
        self.outcome: dict[tuple[str, str], str] = {}
        self.written: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.matched: set[tuple[str, str]] = set()
        #: The clone's version of each row whose team version was kept, as recorded in the chain.
        self.kept_local: dict[tuple[str, str], dict[str, Any]] = {}

    # -- identities --------------------------------------------------------------------------
    def map_users(self, lsession: Session, ssession: Session) -> None:
        users = self.maps.get("users")
        server_ids = dict(ssession.execute(select(User.name, User.id)).all())
        guids = set(ssession.scalars(select(User.guid)))
        for user in lsession.scalars(select(User).order_by(User.id)):
            if user.name not in server_ids:
                new = User(name=user.name, display_name=user.display_name, created=user.created,
                           guid=user.guid if user.guid not in guids else str(uuid.uuid4()),
                           role="annotator")
                try:
                    with ssession.begin_nested():
                        ssession.add(new)
                        ssession.flush()
                except DBAPIError as exc:  # e.g. only administrators add people on the server
                    self._keep(("user", str(user.id)), f"{user.name} could not be added to the "
                               f"team dossier ({str(exc.orig).splitlines()[0]})")
                    continue
                server_ids[user.name] = new.id
                self.summary.users_created.append(user.name)
                self.written[("user", str(user.id))] = {("user", str(new.id))}
                self.outcome[("user", str(user.id))] = "added"
            users[user.id] = server_ids[user.name]

    def map_tags_and_documents(self, lsession: Session, ssession: Session) -> None:
        tags = self.maps.get("tags")
        server_tags = _tag_paths(ssession)
        by_path = {p: i for i, p in server_tags.items()}
        for tag_id, path in _tag_paths(lsession).items():
            if tag_id not in server_tags and path in by_path:
                tags[tag_id] = by_path[path]
                self.matched.add(("tag", tag_id))
        docs = self.maps.get("documents")
        server_docs = dict(ssession.execute(select(Document.sha256, Document.id)).all())
        for doc_id, digest in lsession.execute(select(Document.id, Document.sha256)):
            found = server_docs.get(digest)
            if found is not None and found != doc_id:
                docs[doc_id] = found
                self.matched.add(("document", doc_id))

    def server_id(self, otype: str, oid: str) -> str:
        table = row_states.REGISTRY[otype].table
        return str(self.maps.get(table).get(oid, oid))

    # -- rows ----------------------------------------------------------------------------------
    def sync_row(self, key: tuple[str, str], lside: Side, sside: Side, lsession: Session,
                 ssession: Session) -> None:
        otype, oid = key
        spec = row_states.REGISTRY[otype]
        lcur, scur = audit.cursor(lsession), audit.cursor(ssession)
        mine = row_states.row_state(lcur, otype, oid)
        base = self.data.base.get(f"{otype}:{oid}", row_states.DELETED)
        if mine == base:
            self.outcome[key] = "unchanged"
            return
        if key in self.matched:
            self.outcome[key] = "identical"
            self.summary.identical += 1
            return
        sid = self.server_id(otype, oid)
        team = content(spec, sside, lside, sid, None)
        theirs = row_states.row_state(scur, otype, sid)
        try:
            local = content(spec, lside, sside, oid, self.maps)
        except Unmapped:
            self._keep(key, "it names a user the team dossier does not have")
            return
        if local == team:
            self.outcome[key] = "identical"
            self.summary.identical += 1
        elif theirs == base:
            self._apply(key, sid, local, lside, sside, ssession)
        elif otype == "annotation" and local is not None:
            try:
                with ssession.begin_nested():
                    self._flagged_copy(key, differences(local, team), lside, sside, ssession)
            except DBAPIError as exc:
                self._keep(key, "changed on both sides, and the team dossier refused the "
                           f"flagged copy ({str(exc.orig).splitlines()[0]})")
        else:
            self._keep_local(key, sid, local, team)

    def _keep_local(self, key: tuple[str, str], sid: str, local: dict[str, Any] | None,
                    team: dict[str, Any] | None) -> None:
        """Changed on both sides: the team's version stays; the clone's values of the fields
        that differ go into the chain with the push (see :mod:`app.services.sync.kept`)."""
        otype = key[0]
        fields = differences(local, team)
        kept = {"object": f"{otype}:{sid}", "fields": fields,
                "local": None if local is None else {f: kept_value(local.get(f)) for f in fields},
                "team": None if team is None else {f: kept_value(team.get(f)) for f in fields}}
        self.kept_local[key] = kept
        reason = ("changed in the team dossier since the clone was made" if team is not None
                  else "deleted in the team dossier meanwhile")
        if local is not None:
            reason += ("; yours is kept in the team dossier's audit chain "
                       f"(differs in {', '.join(fields)}; `dossier kept` lists and applies it)")
        self._keep(key, reason)
        self.summary.kept[-1].update(fields=fields, local=kept["local"])

    def _keep(self, key: tuple[str, str], reason: str) -> None:
        self.outcome[key] = "kept"
        self.summary.kept.append({"object": f"{key[0]}:{key[1]}", "reason": reason})

    def _apply(self, key: tuple[str, str], sid: str, local: dict[str, Any] | None, lside: Side,
               sside: Side, ssession: Session) -> None:
        otype, oid = key
        spec = row_states.REGISTRY[otype]
        scur = audit.cursor(ssession)
        touched = {(otype, sid)}
        gone = local is None
        try:
            with ssession.begin_nested():
                if gone:
                    deps = row_states.dependents(scur, otype, sid)
                    if otype == "annotation":
                        deps += [("claim", str(c)) for (c,) in scur.execute(
                            "SELECT claim_id FROM claim_links WHERE annotation_id = ?", (sid,))]
                    newer = [d for d in deps if self.data.base.get(f"{d[0]}:{d[1]}")
                             != row_states.row_state(scur, *d)]
                    if newer:
                        self._keep(key, "the team dossier added to it meanwhile ("
                                   + ", ".join(f"{t} {i[:8]}" for t, i in newer) + ")")
                        return
                    _unindex(ssession, otype, sid)
                    delete_row(spec, sside, sid)
                    touched.update(deps)
                else:
                    exists = row_states.row_state(scur, otype, sid) != row_states.DELETED
                    values, children = full_row(spec, lside, sside, oid, self.maps)
                    write_row(spec, sside, sid, values, children, exists=exists)
                    if otype == "document":  # a team dossier keeps originals in its database
                        self.server.originals.attach(ssession, values["sha256"])
                    _index(ssession, otype, sid)
                ssession.flush()
                if content(spec, sside, lside, sid, None) != local:  # e.g. row-level security
                    raise _NotTaken
        except _NotTaken:
            self._keep(key, "the team dossier did not take the change (the pushing login may "
                       "not change this row)")
            return
        except DBAPIError as exc:
            self._keep(key, f"the team dossier refused it ({str(exc.orig).splitlines()[0]})")
            return
        word = "deleted" if gone else ("updated" if self.data.base.get(f"{otype}:{oid}",
                                                                        "-") != "-" else "added")
        bucket = getattr(self.summary, word)
        bucket[otype] = bucket.get(otype, 0) + 1
        self.outcome[key] = word
        self.written[key] = touched

    def _flagged_copy(self, key: tuple[str, str], fields: list[str], lside: Side, sside: Side,
                      ssession: Session) -> None:
        otype, oid = key
        spec = row_states.REGISTRY[otype]
        new_id = str(uuid.uuid4())
        values, children = full_row(spec, lside, sside, oid, self.maps)
        values.update(conflict_of=oid, provenance=audit.canonical_json({
            "pushed_from": self.summary.folder, "pushed_by": self.server.user_name,
            "conflict": "changed in the team dossier since the clone was made",
            "differences": fields}))
        write_row(spec, sside, new_id, values, children, exists=False)
        _index(ssession, otype, new_id)
        self.maps.get(spec.table)[oid] = new_id  # reviews and comments made offline follow it
        self.summary.conflicts.append(Conflict(oid, oid, new_id, fields))
        self.outcome[key] = f"conflict: kept as {new_id}"
        self.written[key] = {(otype, new_id)}

    # -- events --------------------------------------------------------------------------------
    def resign(self, ssession: Session, touched: dict[tuple[str, str], int]) -> None:
        scur = audit.cursor(ssession)
        finals: dict[int, list[tuple[str, str]]] = {}
        kept_at: dict[int, dict[str, Any]] = {}
        for key, index in touched.items():
            if key in self.written:
                finals.setdefault(index, []).extend(self.written[key])
            if key in self.kept_local:
                kept = self.kept_local[key]
                kept_at.setdefault(index, {})[kept["object"]] = kept
        user_created = [k for k in self.written if k[0] == "user" and k not in touched]
        rows: list[tuple[str, str, str, str, str, str | None]] = []
        for key in user_created:  # users an event of the clone did not create (moved dossiers)
            ((_, sid),) = self.written[key]
            rows.append((self.server.user_name, "user.create", "user", sid,
                         audit.canonical_json({"via": "push", "from": self.summary.folder}),
                         row_states.state_string(scur, [("user", sid)])))
        for index, event in enumerate(self.data.events):
            checkpoint(index, len(self.data.events))
            keys = [tuple(k.split(":", 1)) for k, _ in row_states.parse_state(event.state)] \
                if event.state else []
            outcomes = {f"{t}:{i}": self.outcome[(t, i)] for t, i in keys
                        if (t, i) in self.outcome}
            oid = event.object_id
            if event.object_type in row_states.REGISTRY and oid:
                oid = self.server_id(event.object_type, oid) if event.object_type != "user" \
                    else str(self.maps.get("users").get(int(oid), oid)) if oid.isdigit() else oid
            entry: dict[str, Any] = {
                "pushed": {"actor": event.actor, "at": event.at, "seq": event.seq,
                           "hash": event.hash, "from": self.summary.folder},
                "payload": json.loads(event.payload), "outcomes": outcomes}
            if index in kept_at:
                entry[KEPT_LOCAL] = kept_at[index]
            body = audit.canonical_json(entry)
            rows.append((self.server.user_name, event.action, event.object_type, oid, body,
                         row_states.state_string(scur, finals.get(index, []))))
        audit.append_many(scur, rows)
        self.summary.events = len(self.data.events)


def _index(session: Session, otype: str, object_id: str) -> None:
    """Bring the team dossier's search entries of a written row up to date."""
    from db import search
    from db.models import Annotation

    if otype == "annotation":
        ann = session.get(Annotation, object_id)
        if ann is not None:
            session.refresh(ann)
            search.index_annotation(session, ann.id, ann.document_id, ann.quote, ann.note,
                                    ann.page_start)
    elif otype == "document":
        body = session.scalar(select(Document.text).where(Document.id == object_id)) or ""
        pages = session.execute(select(Page.number, Page.start, Page.end)
                                .where(Page.document_id == object_id)
                                .order_by(Page.number)).all()
        chunks: list[tuple[int | None, str, int]] = (
            [(n, body[s:e], s) for n, s, e in pages] if pages else [(None, body, 0)])
        search.index_document(session, object_id, chunks)


def _unindex(session: Session, otype: str, object_id: str) -> None:
    from db import search

    if otype in ("annotation", "document"):
        search.remove(session, object_id)


def _order(touched: dict[tuple[str, str], int], local: Session) -> list[tuple[str, str]]:
    """Rows in writing order: by type, tags parents first, documents older versions first."""
    depth = {k: len(p.split("/")) for k, p in _tag_paths(local).items()}
    versions = dict(local.execute(select(Document.id, Document.version)).all())
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}

    def sort_key(key: tuple[str, str]) -> tuple[int, int, int]:
        otype, oid = key
        within = depth.get(oid, 0) if otype == "tag" else versions.get(oid, 0) \
            if otype == "document" else 0
        return rank.get(otype, len(rank)), within, touched[key]

    return sorted((k for k in touched if k[0] != "user" and k[0] in row_states.REGISTRY),
                  key=sort_key)


def push(folder: Path | str, target: str | Path, *, user: str | None = None,
         progress: ProgressCallback | None = None,
         cancel: CancelCheck | None = None) -> PushSummary:
    """Send the work of the dossier in ``folder`` to the dossier at ``target``; see the module."""
    from app.dossier import Dossier
    from app.location import is_server_url
    from app.services import integrity

    path = Path(folder).expanduser()
    local = Dossier.open(path, user=user, create=False)
    try:
        report = integrity.verify(local)
        if not report.ok:
            raise BadInput(f"{path} fails verify ({report.problems[0]}); nothing was pushed: "
                           "a record that does not verify is not sent to a team dossier")
        server = Dossier.open(target, user=None if is_server_url(str(target)) else user)
        try:
            with reporting(f"push of {path.name}", progress, cancel):
                return _push(local, server, path, str(target))
        finally:
            server.close()
    finally:
        local.close()


def _push(local: Any, server: Any, path: Path, target: str) -> PushSummary:
    from app.services.documents import keep_original

    with local.read() as lsession:
        data = _read_local(lsession)
    summary = PushSummary(str(path), sync_record.public_address(target), data.record is None)
    touched = _touched(data.events)
    new_docs = [oid for otype, oid in touched if otype == "document"]
    with local.read() as lsession, ExitStack() as stack:
        for digest in lsession.scalars(select(Document.sha256)
                                       .where(Document.id.in_(new_docs))):
            if local.originals.has(digest):
                stack.enter_context(keep_original(server, local.originals.read(digest), digest))
        with server.write() as ssession:
            if data.record is not None:
                _check_fork(ssession, data.record, target)
            server.user_id(ssession)
            job = _Push(local, server, summary, data)
            job.map_users(lsession, ssession)
            job.map_tags_and_documents(lsession, ssession)
            lside = Side(lsession.connection(), Schema(lsession.connection()))
            sside = Side(ssession.connection(), Schema(ssession.connection()))
            keys = _order(touched, lsession)
            for number, key in enumerate(keys):
                checkpoint(number, len(keys))
                job.sync_row(key, lside, sside, lsession, ssession)
            if data.events:
                job.resign(ssession, touched)
            summary.head_seq, summary.head_hash = audit.head(ssession)
    _record_push(local, data, summary, target)
    return summary


def _record_push(local: Any, data: _Local, summary: PushSummary, target: str) -> None:
    """Move the clone's base to the team dossier's new head; note the push in its chain."""
    origin = data.record.origin if data.record else sync_record.public_address(target)
    with local.write() as session:
        audit.record(session, local.user_name, "sync.push", "dossier", "", {
            "target": summary.target, "events": summary.events, "added": summary.added,
            "updated": summary.updated, "deleted": summary.deleted,
            "identical": summary.identical, "conflicts": len(summary.conflicts),
            "kept": len(summary.kept), "head": {"seq": summary.head_seq,
                                                "hash": summary.head_hash}})
        sync_record.write(session, sync_record.SyncRecord(
            origin=origin, base_seq=summary.head_seq, base_hash=summary.head_hash,
            synced_seq=data.head_seq,
            cloned_at=data.record.cloned_at if data.record else ""))
