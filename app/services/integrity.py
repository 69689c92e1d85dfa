"""``verify``: re-hash every original, walk the audit chain and compare the data with it.

The check reads the database through its own read-only connection (no ORM objects; a dossier
folder is read through a read-only SQLite connection, so it works on read-only storage; a team
dossier in one read-only, repeatable-read transaction, so concurrent writers do not disturb it,
with its originals re-hashed by the server). Besides the chain's hashes and links it compares
every current row of every table registered in :mod:`app.state` with the newest state the
chain records for it, so a direct edit of the database is named; ``--head`` checks a hash
written down earlier is still in the chain at its place. Leftover temporary files and originals
no document refers to are reported as warnings (they are not evidence of tampering;
``repair_files`` removes the temporaries).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import audit
from app import state as row_states
from app.errors import BadInput
from app.progress import CancelCheck, ProgressCallback, checkpoint, reporting
from db.cursor import Cursor, of_connection
from db.engine import connect_readonly

if TYPE_CHECKING:
    from app.dossier import Dossier

#: At most this many row problems are listed one by one; the rest are counted.
MAX_LISTED = 20
_TEMP = re.compile(r"^\.[0-9a-f]{64}\.\d+\.tmp$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_HEAD = re.compile(r"^(?:(\d+):)?([0-9a-fA-F]{8,64})$")


@dataclass
class VerifyReport:
    """The outcome of a check: problems (first broken item first), counts and the chain head."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    originals_checked: int = 0
    events_checked: int = 0
    rows_checked: int = 0
    head_seq: int = 0
    head_hash: str = audit.GENESIS
    #: With ``--head``: the sequence number where the given hash is in the chain.
    given_head_seq: int | None = None
    temporaries: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier verify --json``."""
        return {
            "ok": self.ok, "problems": self.problems, "warnings": self.warnings,
            "originals": self.originals_checked, "events": self.events_checked,
            "rows": self.rows_checked, "head": self.head_hash, "head_seq": self.head_seq,
            "given_head_seq": self.given_head_seq, "temporaries": self.temporaries,
            "orphans": self.orphans, "removed": self.removed,
        }


def parse_head(value: str) -> tuple[int | None, str]:
    """``HASH``, a prefix of at least 8 hex digits, or ``SEQ:HASH`` as printed by verify."""
    match = _HEAD.match(value.strip())
    if match is None:
        raise BadInput(f"--head {value!r} is not an audit hash: give the hex hash (or SEQ:HASH) "
                       "that 'dossier verify' printed")
    seq = int(match.group(1)) if match.group(1) else None
    return seq, match.group(2).lower()


def verify(dossier: Dossier, *, head: str | None = None, repair_files: bool = False,
           progress: ProgressCallback | None = None,
           cancel: CancelCheck | None = None) -> VerifyReport:
    """Check originals, the chain, the data against the chain and (optionally) a given head.

    ``cancel()`` is polled as originals are hashed and events walked (see :mod:`app.progress`);
    a cancelled check raises :class:`~app.errors.Cancelled`.
    """
    if dossier.is_team:
        import psycopg
        from sqlalchemy.exc import DBAPIError

        from app import server_faults
        from db.engine import BUSY_TIMEOUT_MS

        assert dossier.address is not None
        try:
            with reporting("verify", progress, cancel):
                return _verify_server(dossier, head)
        except (DBAPIError, psycopg.Error) as exc:
            fault = server_faults.translate(exc, dossier.address, BUSY_TIMEOUT_MS / 1000)
            if fault is None:
                raise
            raise fault from None
    return verify_folder(dossier.folder, dossier.originals.root, head=head,
                         repair_files=repair_files, progress=progress, cancel=cancel)


@contextmanager
def _server_cursor(dossier: Dossier) -> Iterator[Cursor]:
    """A cursor in one read-only snapshot of a team dossier's database."""
    raw = dossier.engine.raw_connection()
    try:
        cur = of_connection(raw)
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield cur
    finally:
        try:
            raw.rollback()
        finally:
            raw.close()


def _verify_server(dossier: Dossier, head: str | None) -> VerifyReport:
    report = VerifyReport()
    wanted = parse_head(head) if head else None
    with _server_cursor(dossier) as cur:
        _check_db_originals(cur, report)
        _check_chain(cur, wanted, report)
    return report


def _check_db_originals(cur: Cursor, report: VerifyReport) -> None:
    """Re-hash every document's original in the ``originals`` table (on the server)."""
    for digest, title, actual in cur.execute(
            "SELECT d.sha256, d.title, encode(sha256(o.data), 'hex') FROM documents d "
            "LEFT JOIN originals o ON o.sha256 = d.sha256 ORDER BY d.imported_at").fetchall():
        checkpoint()
        report.originals_checked += 1
        if actual is None:
            report.problems.append(f"original {digest[:12]}… is missing from the database "
                                   f"(document {title!r})")
        elif actual != digest:
            report.problems.append(f"original {digest[:12]}… was altered (its bytes now hash "
                                   f"to {actual[:12]}…) (document {title!r})")
    report.orphans = [f"originals/{d}" for (d,) in cur.execute(
        "SELECT sha256 FROM originals WHERE sha256 NOT IN (SELECT sha256 FROM documents) "
        "ORDER BY sha256").fetchall()]
    if report.orphans:
        report.warnings.append(
            f"{len(report.orphans)} original(s) no document refers to (e.g. "
            f"{report.orphans[0]}), left by a document row deleted outside Dossier; kept as "
            "possible evidence")


def _check_chain(cur: Cursor, wanted: tuple[int | None, str] | None,
                 report: VerifyReport) -> None:
    """Walk the chain, compare the rows with it and (optionally) find a given head."""
    walk = audit.walk(cur, find=wanted[1] if wanted and len(wanted[1]) == 64 else None)
    report.events_checked = walk.count
    report.head_seq, report.head_hash = walk.head_seq, walk.head_hash
    if walk.problem is not None:
        report.problems.append(walk.problem.message)
    else:
        _check_rows(cur, walk.states, report)
    if wanted is not None:
        _check_head(cur, wanted, walk, report)


def verify_folder(folder: Path, originals: Path, *, head: str | None = None,
                  repair_files: bool = False, progress: ProgressCallback | None = None,
                  cancel: CancelCheck | None = None) -> VerifyReport:
    """:func:`verify` of the dossier in ``folder`` without opening it for writing."""
    with reporting("verify", progress, cancel):
        return _verify_folder(folder, originals, head, repair_files)


def _verify_folder(folder: Path, originals: Path, head: str | None,
                   repair_files: bool) -> VerifyReport:
    from app.dossier import DB_FILE

    report = VerifyReport()
    wanted = parse_head(head) if head else None
    conn = connect_readonly(folder / DB_FILE)
    try:
        cur = of_connection(conn)
        # one read transaction: the chain, its head and the rows are read from one snapshot, so
        # a write committed meanwhile (the dossier open in the window) is not taken for tampering
        cur.execute("BEGIN")
        digests = _check_originals(cur, originals, report)
        _check_chain(cur, wanted, report)
    finally:
        conn.close()
    _check_files(originals, digests, report, repair_files)
    return report


def _check_originals(cur: Cursor, root: Path, report: VerifyReport) -> set[str]:
    from app.originals import OriginalsStore

    store = OriginalsStore(root)
    digests: set[str] = set()
    for digest, title in cur.execute(
            "SELECT sha256, title FROM documents ORDER BY imported_at").fetchall():
        checkpoint()
        digests.add(digest)
        problem = store.check(digest)
        report.originals_checked += 1
        if problem is not None:
            report.problems.append(f"{problem} (document {title!r})")
    return digests


def _check_rows(cur: Cursor, states: dict[str, tuple[str, int]],
                report: VerifyReport) -> None:
    current: dict[str, dict[str, str]] = {}
    for spec in row_states.REGISTRY.values():
        checkpoint()
        if row_states.table_exists(cur, spec.table):
            current[spec.object_type] = row_states.current_state_map(cur, spec)
    missing: dict[str, list[tuple[str, int]]] = {}
    for key, (digest, seq) in states.items():
        if digest == row_states.DELETED:
            continue
        rows = current.get(key.partition(":")[0])
        if rows is not None and key not in rows:
            missing.setdefault(key.partition(":")[0], []).append((key, seq))
    found: list[str] = []
    get = states.get
    for object_type, rows in current.items():
        prefix = len(object_type) + 1
        report.rows_checked += len(rows)
        for key, digest in rows.items():
            recorded = get(key)
            if recorded is not None and recorded[0] == digest:
                continue
            name = _name(object_type, key[prefix:])
            if recorded is None:
                found.append(f"{name} is not in the audit chain: it was added outside Dossier")
            elif recorded[0] == row_states.DELETED:
                found.append(f"{name} was deleted by audit event {recorded[1]} but is present: "
                             "it was put back outside Dossier")
            else:
                found.append(f"{name} differs from what audit event {recorded[1]} recorded: it "
                             "was changed outside Dossier")
        for key, seq in missing.get(object_type, ()):
            found.append(f"{_name(object_type, key[prefix:])} is missing: audit event {seq} "
                         "records it, so it was deleted outside Dossier")
    report.problems.extend(found[:MAX_LISTED])
    if len(found) > MAX_LISTED:
        report.problems.append(f"{len(found) - MAX_LISTED} more rows differ from the audit chain")


def _name(object_type: str, object_id: str) -> str:
    return f"{object_type} {object_id}"


def _check_head(cur: Cursor, wanted: tuple[int | None, str], walk: audit.ChainWalk,
                report: VerifyReport) -> None:
    seq, digest = wanted
    if len(digest) < 64:
        rows = cur.execute("SELECT seq, hash FROM audit_events WHERE hash LIKE ?",
                           (digest + "%",)).fetchall()
        if len(rows) > 1:
            raise BadInput(f"--head {digest} matches {len(rows)} audit events; give more digits")
        if rows and (walk.problem is None or rows[0][0] < walk.problem.seq):
            report.given_head_seq = int(rows[0][0])
    else:
        report.given_head_seq = walk.found_seq
    if report.given_head_seq is None:
        report.problems.append(
            f"head {digest[:16]}… is not in the audit chain: the history up to it was rewritten "
            "or it belongs to another dossier")
    elif seq is not None and seq != report.given_head_seq:
        report.problems.append(
            f"head {digest[:16]}… was event {seq} but is now event {report.given_head_seq}: "
            "the history before it was rewritten")


def _check_files(root: Path, digests: set[str], report: VerifyReport, repair: bool) -> None:
    if not root.is_dir():
        return
    for sub in sorted(root.iterdir()):
        if not sub.is_dir():
            continue
        for entry in sorted(sub.iterdir()):
            rel = f"{root.name}/{sub.name}/{entry.name}"
            if _TEMP.match(entry.name):
                report.temporaries.append(rel)
                if repair:
                    try:
                        os.unlink(entry)
                        report.removed.append(rel)
                    except OSError as exc:
                        report.warnings.append(f"could not remove {rel}: {exc.strerror}")
            elif _DIGEST.match(entry.name) and entry.name not in digests:
                report.orphans.append(rel)
    left = [t for t in report.temporaries if t not in report.removed]
    if left:
        report.warnings.append(f"{len(left)} leftover temporary file(s) from interrupted imports "
                               f"(e.g. {left[0]}); 'dossier verify --repair-files' removes them")
    if report.orphans:
        report.warnings.append(
            f"{len(report.orphans)} original(s) no document refers to (e.g. {report.orphans[0]}),"
            " left by an interrupted import or a document row deleted outside Dossier; kept as "
            "possible evidence")


def head_in_dossier(folder: Path | Dossier, seq: int, digest: str) -> str | None:
    """None when event ``seq`` of the dossier in ``folder`` (or an open dossier) has hash
    ``digest`` and the chain up to it recomputes; else what is wrong (the history was
    rewritten, or another dossier)."""
    from app.dossier import DB_FILE

    if not isinstance(folder, Path) and folder.is_team:
        with _server_cursor(folder) as cur:
            walk = audit.walk(cur, find=digest.lower())
    else:
        path = folder if isinstance(folder, Path) else folder.folder
        conn = connect_readonly(path / DB_FILE)
        try:
            walk = audit.walk(of_connection(conn), find=digest.lower())
        finally:
            conn.close()
    if walk.found_seq == seq and (walk.problem is None or walk.problem.seq > seq):
        return None
    if walk.problem is not None and walk.problem.seq <= seq:
        return f"the dossier's chain is broken before the bundle's head: {walk.problem.message}"
    if walk.found_seq is not None:
        return (f"the bundle's head {digest[:16]}… is event {walk.found_seq} of the dossier, "
                f"not event {seq}: the history before it was rewritten")
    return (f"the bundle's head (event {seq}, {digest[:16]}…) is not in the dossier's audit "
            "chain: its history up to the export was rewritten, or the bundle comes from "
            "another dossier")
