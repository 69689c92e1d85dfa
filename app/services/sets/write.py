"""Writing a planned set import: prepared outside the write lock, written in one short transaction.

Everything about the new rows that needs no lock is done first, against a snapshot of the
dossier, and staged in a scratch SQLite database (a temporary file holding empty copies of the
tables): ids for the users, documents and tags to create; every row as it will be stored; its
search entries; the state hash of every new row (computed by SQLite from the staged copy, so it
is the hash ``verify`` computes from the dossier); every audit event, encoded and chained after
the snapshot's head. The write transaction then checks that the dossier is still as it was
(audit head and newest user id), attaches the scratch database and copies each table with one
``INSERT ... SELECT`` (no row passes through Python), and commits: the whole set or nothing.
Documents a set carries are inserted first, in the transaction; the staged events are then
chained again after theirs (one SHA-256 each).

When another writer changed the dossier in between, :class:`Stale` is raised inside the
transaction (nothing is written) and the caller plans again.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
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
    from app.services.sets.merge import _Plan, _Row

#: Tables copied (empty) into the scratch database: new rows are staged and hashed there.
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
    """Every row and event of one set import, staged for :func:`write` in a scratch database
    (a file of its own, deleted by :meth:`close`)."""

    snapshot: Snapshot
    folder: Path
    users_created: list[str] = field(default_factory=list)
    #: (driver connection, schema name, its page cache size before) while attached
    attached: list[tuple[Any, str, int]] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.folder / "stage.sqlite"

    def close(self) -> None:
        """Detach the scratch database from the connections that wrote from it (after their
        transaction ended) and delete it."""
        for conn, schema, cache in self.attached:
            with suppress(sqlite3.Error):
                conn.execute(f"DETACH DATABASE {schema}")
                conn.execute(f"PRAGMA main.cache_size = {cache}")
        self.attached.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _tables(cur: Any) -> list[str]:
    """``CREATE TABLE`` statements for the staged tables as SQLite has them in this dossier (on
    a team dossier's server: as the models define them for SQLite)."""
    if not cur.is_postgresql:
        marks = ", ".join("?" * len(_STAGED))
        return [str(sql) for (sql,) in cur.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
            _STAGED)]
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateTable

    from db.models import Base

    return [str(CreateTable(Base.metadata.tables[name]).compile(dialect=sqlite.dialect()))
            for name in _STAGED]


def _stage(folder: Path, ddl: list[str]) -> sqlite3.Connection:
    """The scratch database, holding empty copies of the tables plus the staged events and
    search entries."""
    conn = sqlite3.connect(folder / "stage.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -32768")
    for sql in [*ddl, audit.STAGED_EVENTS, search.STAGED_ENTRIES]:
        conn.execute(sql)
    conn.execute("BEGIN")
    return conn


def prepare(dossier: Dossier, plan: _Plan, new_targets: list[Target]) -> Prepared:
    """Everything :func:`write` needs, computed and staged without the write lock."""
    summary = plan.summary
    with dossier.read() as session:
        cur = audit.cursor(session)
        snapshot = Snapshot.read(cur)
        known = {str(n): int(i) for n, i in cur.execute("SELECT name, id FROM users")}
        guids = {str(g) for (g,) in cur.execute("SELECT guid FROM users")}
        has_admin = cur.execute(
            "SELECT 1 FROM users WHERE role = 'administrator' LIMIT 1").fetchone() is not None
        ddl = _tables(cur)
    prepared = Prepared(snapshot, Path(tempfile.mkdtemp(prefix="dossier-set-")))
    try:
        with closing(_stage(prepared.folder, ddl)) as stage:
            _prepare(dossier, plan, new_targets, prepared, stage,
                     known, guids, has_admin, summary.sha256)
            stage.execute("COMMIT")
    except BaseException:
        prepared.close()
        raise
    return prepared


def _prepare(dossier: Dossier, plan: _Plan, new_targets: list[Target], prepared: Prepared,
             stage: sqlite3.Connection, known: dict[str, int], guids: set[str],
             has_admin: bool, set_sha: str) -> None:
    now = utcnow()
    next_id = prepared.snapshot.newest_user
    users: list[tuple[Any, ...]] = []
    new_users: list[tuple[str, dict[str, Any]]] = []
    if dossier.user_name not in known:  # the importer acts here for the first time
        guid = str(uuid.uuid4())
        role = "annotator" if has_admin else "administrator"
        next_id += 1
        users.append((next_id, dossier.user_name, dossier.user_name, guid, now, role))
        new_users.append((str(next_id), {"name": dossier.user_name, "guid": guid, "role": role}))
        known[dossier.user_name] = next_id
    for name in sorted(plan.users - set(known)):
        wanted = plan.guids.get(name)
        guid = wanted if wanted and wanted not in guids else str(uuid.uuid4())
        guids.add(guid)
        next_id += 1
        users.append((next_id, name, name, guid, now, "annotator"))
        new_users.append((str(next_id), {"name": name, "guid": guid, "via": "import-set",
                                         "set_sha256": set_sha}))
        known[name] = next_id
        prepared.users_created.append(name)
    for target in new_targets:
        target.document_id = str(uuid.uuid4())
    tags = [(tag.id, tag.parent_id, tag.name, tag.colour, tag.description, tag.shortcut,
             tag.position, tag.is_codable, now) for tag in plan.tags.created]
    reviews = sorted((r.id, home, known[r.reviewer], r.decision, r.reason, r.created)
                     for home, r in plan.review_rows)
    stage.executemany(_insert_sql("users", _USER_COLUMNS), users)
    stage.executemany(_insert_sql("tags", _TAG_COLUMNS), tags)
    stage.executemany(_insert_sql("reviews", _REVIEW_COLUMNS), reviews)
    states = _states(stage, [("user", [str(u[0]) for u in users]),
                             ("tag", [t[0] for t in tags]),
                             ("review", [r[0] for r in reviews])])
    audit.stage_events(stage, _events(dossier.user_name, plan, new_users, known, stage, states,
                                      set_sha), prepared.snapshot.head)


#: SQLite page cache (KiB) of the connection while it copies a staged set in.
WRITE_CACHE_KIB = 256 * 1024
#: Annotations staged, hashed and turned into events at a time (bounds the memory a set takes).
_BATCH = 2_000


def _events(actor: str, plan: _Plan, new_users: list[tuple[str, dict[str, Any]]],
            users: dict[str, int], stage: sqlite3.Connection, states: dict[str, str],
            set_sha: str) -> Iterator[audit.PreparedEvent]:
    """Every event of the import, in chain order; the annotations are staged on the way, a
    batch at a time."""
    event = audit.prepare_event
    for uid, body in new_users:
        yield event(actor, "user.create", "user", uid, audit.canonical_json(body),
                    states[f"user:{uid}"])
    for tag in plan.tags.created:
        yield event(actor, "tag.import", "tag", tag.id, audit.canonical_json({
            "parent_id": tag.parent_id, "name": tag.name, "path": tag.path,
            "colour": tag.colour, "description": tag.description, "shortcut": tag.shortcut,
            "position": tag.position, "is_codable": tag.is_codable, "set_sha256": set_sha}),
            states[f"tag:{tag.id}"])
    total = 2 * len(plan.rows)
    for first in range(0, len(plan.rows), _BATCH):
        checkpoint(len(plan.rows) + first, total)
        payloads = _annotations(plan, plan.rows[first:first + _BATCH], users, stage)
        batch = _states(stage, [("annotation", [a for a, _ in payloads])])
        for ann_id, payload in payloads:
            yield event(actor, "annotation.import", "annotation", ann_id, payload,
                        batch[f"annotation:{ann_id}"])
    for home, review in plan.review_rows:
        yield event(actor, "review.import", "review", review.id, audit.canonical_json({
            "annotation_id": home, "reviewer": review.reviewer,
            "decision": review.decision, "reason": review.reason,
            "created": review.created, "set_sha256": set_sha,
            "history": f"{review.decision} in the sender's dossier by {review.reviewer}"}),
            states[f"review:{review.id}"])


def _annotations(plan: _Plan, batch: list[_Row], users: dict[str, int],
                 stage: sqlite3.Connection) -> list[tuple[str, str]]:
    """Stage the rows, tag links and search entries of a batch of annotations; return each
    one's (id, event payload)."""
    summary = plan.summary
    payloads: list[tuple[str, str]] = []
    rows: list[tuple[Any, ...]] = []
    links: list[tuple[str, str]] = []
    entries: list[tuple[str, str, str, int | None, str]] = []
    for row in batch:
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
        rows.append(tuple(value[c] for c in _ANNOTATION_COLUMNS))
        tags = sorted(f["tags"])
        links.extend((row.id, t) for t in tags)
        entries += [(kind, row.id, target.document_id, page_start, body)
                    for kind, body in (("quote", quote), ("note", f["note"])) if body.strip()]
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
    stage.executemany(_insert_sql("annotations", _ANNOTATION_COLUMNS), rows)
    stage.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", links)
    stage.executemany("INSERT INTO search_entries (kind, ref, document_id, page, body) "
                      "VALUES (?, ?, ?, ?, ?)", entries)
    return payloads


def _states(stage: sqlite3.Connection, rows: list[tuple[str, list[str]]]) -> dict[str, str]:
    """``type:id`` -> the state token (``type:id=HASH``) of every staged row, hashed by SQLite
    from the staged copies exactly as ``verify`` will hash the rows in the dossier."""
    cur = stage.cursor()
    states: dict[str, str] = {}
    for object_type, ids in rows:
        found = row_states.states_of(cur, object_type, ids)
        states.update((f"{object_type}:{oid}", f"{object_type}:{oid}={digest}")
                      for oid, digest in found.items())
    return states


def write(session: Session, dossier: Dossier, prepared: Prepared, new_targets: list[Target],
          incoming: IncomingSet) -> None:
    """Copy the staged rows and events into the dossier in the caller's write transaction;
    :class:`Stale` (nothing written) if the dossier changed since :func:`prepare`."""
    from app.services.documents import insert_document

    cur = audit.cursor(session)
    if Snapshot.read(cur) != prepared.snapshot:
        raise Stale
    if cur.is_postgresql:
        _write_portable(session, dossier, prepared, new_targets, incoming)
        return
    schema = f"stage_{uuid.uuid4().hex}"
    cur.execute(f"ATTACH DATABASE ? AS {schema}", (str(prepared.path),))
    raw = session.connection().connection.dbapi_connection
    cache = cur.execute("PRAGMA main.cache_size").fetchone()[0]
    prepared.attached.append((raw, schema, int(cache)))
    # the indexes of a large import do not fit SQLite's default 2 MB page cache: pages evicted
    # and read again cost about half the transaction's time at 200,000 annotations
    cur.execute(f"PRAGMA main.cache_size = -{WRITE_CACHE_KIB}")

    def copy(table: str, columns: tuple[str, ...], order: str = "rowid") -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        cur.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM {schema}.{table} "
                    f"ORDER BY {order}")

    copy("users", _USER_COLUMNS)
    for target in new_targets:  # their events come first; the staged ones are chained after
        assert target.data is not None and target.extracted is not None
        insert_document(
            session, dossier, target.sha256, len(target.data), target.extracted,
            source=f"import-set {incoming.name}", filename=target.filename,
            custody={"imported_from": incoming.name, "set_sha256": incoming.sha256,
                     **target.custody}, document_id=target.document_id)
    cur = audit.cursor(session)
    copy("tags", _TAG_COLUMNS)
    checkpoint()
    # in key order: the primary-key B-trees are filled front to back
    copy("annotations", _ANNOTATION_COLUMNS, "id")
    copy("annotation_tags", ("annotation_id", "tag_id"), "annotation_id, tag_id")
    checkpoint()
    search.copy_entries(cur, f"{schema}.search_entries")
    copy("reviews", _REVIEW_COLUMNS)
    checkpoint()
    audit.append_staged(cur, f"{schema}.events", prepared.snapshot.head)


def _write_portable(session: Session, dossier: Dossier, prepared: Prepared,
                    new_targets: list[Target], incoming: IncomingSet) -> None:
    """:func:`write` on a team dossier's server: the staged rows are sent with ``executemany``,
    new users get the server's ids, and every row's state is read back as the server holds it
    before the events are chained."""
    from app.services.documents import insert_document

    cur = audit.cursor(session)
    cur.lock_writers()
    with closing(sqlite3.connect(prepared.path)) as stage:
        def staged(table: str, columns: tuple[str, ...], order: str = "rowid") -> list[Any]:
            names = ", ".join(f'"{c}"' for c in columns)
            return stage.execute(f"SELECT {names} FROM {table} ORDER BY {order}").fetchall()

        ids: dict[int, int] = {}
        for user in staged("users", _USER_COLUMNS):
            ids[user[0]] = cur.insert_id(_insert_sql("users", _USER_COLUMNS[1:]), user[1:])
        for target in new_targets:
            assert target.data is not None and target.extracted is not None
            insert_document(
                session, dossier, target.sha256, len(target.data), target.extracted,
                source=f"import-set {incoming.name}", filename=target.filename,
                custody={"imported_from": incoming.name, "set_sha256": incoming.sha256,
                         **target.custody}, document_id=target.document_id)
        cur = audit.cursor(session)
        tags = [(*t[:7], bool(t[7]), t[8]) for t in staged("tags", _TAG_COLUMNS)]
        cur.executemany(_insert_sql("tags", _TAG_COLUMNS), tags)
        author = _ANNOTATION_COLUMNS.index("author_id")
        names = ", ".join(f'"{c}"' for c in _ANNOTATION_COLUMNS)
        for first in range(0, 1 << 62, _BATCH):
            rows = stage.execute(f"SELECT {names} FROM annotations ORDER BY id "
                                 f"LIMIT {_BATCH} OFFSET {first}").fetchall()
            if not rows:
                break
            cur.executemany(_insert_sql("annotations", _ANNOTATION_COLUMNS), [
                (*r[:author], ids.get(r[author], r[author]), *r[author + 1:]) for r in rows])
            checkpoint()
        cur.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                        staged("annotation_tags", ("annotation_id", "tag_id"), "rowid"))
        cur.executemany(_insert_sql("reviews", _REVIEW_COLUMNS), [
            (r[0], r[1], ids.get(r[2], r[2]), *r[3:]) for r in staged("reviews", _REVIEW_COLUMNS)])
        # the team dossier's own index (tsvector passages) takes the staged entries in bulk
        search.add_many(cur, staged("search_entries",
                                    ("kind", "ref", "document_id", "page", "body"), "n"))
        events = stage.execute("SELECT actor, action, object_type, object_id, payload FROM "
                               "events ORDER BY n").fetchall()
    renamed = {str(k): str(v) for k, v in ids.items()}
    by_type: dict[str, list[str]] = {}
    for _, _, otype, oid, _ in events:
        by_type.setdefault(otype, []).append(renamed.get(oid, oid) if otype == "user" else oid)
    states = {t: row_states.states_of(cur, t, found) for t, found in by_type.items()}
    moved = {k: v for k, v in ids.items() if k != v}  # the server numbered users otherwise
    out = []
    for actor, action, otype, staged_id, staged_payload in events:
        oid = renamed.get(staged_id, staged_id) if otype == "user" else staged_id
        payload = staged_payload
        if moved and otype == "annotation":
            body = json.loads(payload)
            if body.get("author_id") in moved:
                body["author_id"] = moved[body["author_id"]]
                payload = audit.canonical_json(body)
        out.append(audit.prepare_event(actor, action, otype, oid, payload,
                                       f"{otype}:{oid}={states[otype][oid]}"))
    audit.append_prepared(cur, out)
