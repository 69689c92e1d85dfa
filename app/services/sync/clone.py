"""``dossier clone``: a local SQLite copy of a (team) dossier, to work on where there is no server.

The copy is the record itself, row for row: documents with their pages and originals, annotations
with their tags, the codebook, users, comments, reviews, claims, the money tables and the whole
audit chain with its head, read in one consistent snapshot of the source. Because the rows and the
chain are the same, ``verify`` passes on the clone exactly when it passes on the source. The
search index is rebuilt locally (it is engine-specific, never copied). The clone records where it
forked (:mod:`app.services.sync.record`) and appends one ``sync.clone`` event to its own chain.

A clone that fails half-way leaves no folder behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from app import audit
from app.clock import utcnow
from app.errors import BadInput
from app.location import DB_FILE
from app.progress import CancelCheck, ProgressCallback, checkpoint, reporting
from app.services.sync import record as sync_record
from app.services.sync.tables import Schema, common_columns, copied, insert_all, rows
from db.engine import make_engine, sqlite_url
from db.migrate import upgrade
from db.models import Annotation, Document, Page


@dataclass
class CloneResult:
    """What a clone copied, the head it forked from and the clone's own check."""

    folder: Path
    origin: str
    head_seq: int
    head_hash: str
    rows: dict[str, int] = field(default_factory=dict)
    originals: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the clone passes ``verify``."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier clone --json``."""
        return {"folder": str(self.folder), "origin": self.origin,
                "head": {"seq": self.head_seq, "hash": self.head_hash}, "rows": self.rows,
                "originals": self.originals, "ok": self.ok, "problems": self.problems}


def _snapshot_connection(session: Any) -> Connection:
    """The read session's connection, in one snapshot for the whole copy."""
    if session.bind.dialect.name == "postgresql":
        conn: Connection = session.connection(
            execution_options={"isolation_level": "REPEATABLE READ"})
        return conn
    conn = session.connection()
    return conn


def _copy_rows(source: Connection, target: Connection) -> dict[str, int]:
    src, dst = Schema(source), Schema(target)
    names = {n for n in src.names() & dst.names() if copied(n)}
    counts: dict[str, int] = {}
    if target.dialect.name == "sqlite":  # self-references (tag parents) are checked at commit
        target.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    ordered = dst.sorted_names(names)
    for number, name in enumerate(ordered):
        checkpoint(number, len(ordered) + 2)
        s_table, d_table = src.table(name), dst.table(name)
        assert s_table is not None and d_table is not None
        target.execute(d_table.delete())  # the migrations seed nothing, but be sure
        columns = common_columns(s_table, d_table)
        counts[name] = insert_all(target, d_table, rows(source, s_table, columns))
    return counts


def _reindex(session: Any) -> None:
    """Rebuild the clone's full-text entries from its documents and annotations."""
    from db import search

    ranges: dict[str, list[tuple[int, int, int]]] = {}
    for doc_id, number, start, end in session.execute(
            select(Page.document_id, Page.number, Page.start, Page.end).order_by(Page.number)):
        ranges.setdefault(doc_id, []).append((number, start, end))
    for doc_id, body in session.execute(select(Document.id, Document.text)):
        pages = ranges.get(doc_id)
        chunks: list[tuple[int | None, str, int]] = (
            [(n, body[s:e], s) for n, s, e in pages] if pages else [(None, body, 0)])
        search.index_document(session, doc_id, chunks)
    entries: list[tuple[str, str, str, int | None, str]] = []
    for ann_id, doc_id, page, quote, note in session.execute(select(
            Annotation.id, Annotation.document_id, Annotation.page_start, Annotation.quote,
            Annotation.note)):
        entries += [("quote", ann_id, doc_id, page, quote), ("note", ann_id, doc_id, page, note)]
    search.add_many(audit.cursor(session), entries)


def clone(source: str | Path, folder: Path | str, *, user: str | None = None,
          progress: ProgressCallback | None = None,
          cancel: CancelCheck | None = None) -> CloneResult:
    """Copy the dossier at ``source`` (a team dossier's URL or a folder) into a new ``folder``."""
    from app.dossier import Dossier
    from app.location import is_server_url

    target = Path(folder).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BadInput(f"{target} already exists and is not an empty folder; clone into a new "
                       "folder")
    # in a team dossier the acting user is the login: a chosen name is for the folder only
    origin = Dossier.open(source, user=None if is_server_url(str(source)) else user,
                          create=False)
    made = not target.exists()
    try:
        with reporting(f"clone of {sync_record.public_address(str(source))}", progress, cancel):
            return _clone(origin, str(source), target, user)
    except BaseException:
        if made:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink()
        raise
    finally:
        origin.close()


def _clone(origin: Any, source: str, target: Path, user: str | None) -> CloneResult:
    from app.dossier import Dossier
    from app.services import integrity

    target.mkdir(parents=True, exist_ok=True)
    engine = make_engine(sqlite_url(target / DB_FILE))
    try:
        upgrade(engine)
        with origin.read() as session:
            conn = _snapshot_connection(session)
            with engine.begin() as dest:
                counts = _copy_rows(conn, dest)
            head_seq, head_hash = audit.head(session)
            digests = sorted(set(session.scalars(select(Document.sha256))))
    finally:
        engine.dispose()
    result = CloneResult(target, sync_record.public_address(source), head_seq, head_hash,
                         counts)
    copy = Dossier.open(target, user=user or origin.user_name)
    try:
        for number, digest in enumerate(digests):
            checkpoint(number, len(digests))
            if origin.originals.has(digest):
                copy.originals.put(origin.originals.read(digest), digest)
                result.originals += 1
        with copy.write() as session:
            _reindex(session)
            audit.record(session, copy.user_name, "sync.clone", "dossier", "", {
                "origin": result.origin, "head": {"seq": head_seq, "hash": head_hash},
                "rows": counts, "originals": result.originals})
            sync_record.write(session, sync_record.SyncRecord(
                origin=result.origin, base_seq=head_seq, base_hash=head_hash,
                synced_seq=head_seq, cloned_at=utcnow()))
        result.problems = integrity.verify(copy).problems
    finally:
        copy.close()
    return result
