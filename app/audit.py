"""The tamper-evident audit chain.

Every mutation made through a service appends one :class:`~db.models.AuditEvent` in the same
transaction. Each event's hash is SHA-256 over the previous event's hash and the event's canonical
JSON (sequence, time, actor, action, object, payload), so altering, inserting or deleting any event
breaks every later link. The head (last sequence number and hash) is also kept in
``dossier_meta`` so that deleting the newest events is detected too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import state as row_states
from app.clock import utcnow
from app.progress import checkpoint
from db.cursor import of_session, portable
from db.models import AuditEvent

GENESIS = "0" * 64
#: ``Session.info`` key set by :meth:`app.dossier.Dossier.write` once the transaction holds the
#: writer slot (:meth:`db.cursor.Cursor.lock_writers`), so appends need not ask again.
WRITER_LOCKED = "dossier_writer_locked"
_HEAD_KEY = "audit_head"


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no insignificant whitespace, UTF-8 characters kept."""
    return _ENCODER.encode(value)


def event_hash(
    prev_hash: str, seq: int, at: str, actor: str, action: str, object_type: str,
    object_id: str, payload: str, state: str | None = None,
) -> str:
    """The hash of one event given its predecessor's hash.

    ``state`` (the row states the event left, see :mod:`app.state`) is hashed when present;
    events written before states existed have none and hash as they always did.
    """
    entry: dict[str, Any] = {
        "seq": seq, "at": at, "actor": actor, "action": action,
        "object_type": object_type, "object_id": object_id, "payload": payload,
    }
    if state is not None:
        entry["state"] = state
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


def _cursor(session: Session) -> Any:
    """A portable DB-API cursor (:mod:`db.cursor`) on the session's own connection."""
    return of_session(session)


def head(session: Session) -> tuple[int, str]:
    """(sequence number, hash) of the newest event; (0, GENESIS) for an empty chain."""
    return head_raw(_cursor(session))


def head_raw(cur: Any) -> tuple[int, str]:
    """:func:`head` on a DB-API cursor."""
    row = portable(cur).execute("SELECT value FROM dossier_meta WHERE key = ?",
                                (_HEAD_KEY,)).fetchone()
    if row is None:
        return 0, GENESIS
    seq, _, digest = str(row[0]).partition(":")
    return int(seq), digest


def record(
    session: Session, actor: str, action: str, object_type: str, object_id: str,
    payload: dict[str, Any], *, touches: Iterable[tuple[str, str]] = (),
) -> str:
    """Append an event to the chain inside the caller's transaction; return its hash.

    The event records the state of its own object and of every ``(type, id)`` in ``touches``
    as they are now (after the caller's change), for each type registered in :mod:`app.state`.
    """
    session.flush()
    cur = _cursor(session)
    # the rows' states are read while holding the writer slot, so each state includes every
    # change committed by the events before it (the chain's order is the commit order)
    if not session.info.get(WRITER_LOCKED):
        cur.lock_writers()
    state = row_states.state_string(cur, [(object_type, object_id), *touches])
    return _append(cur, actor, action, object_type, object_id, canonical_json(payload), state)


def append_many(
    cur: Any, events: Iterable[tuple[str, str, str, str, str, str | None]],
) -> int:
    """Append ``(actor, action, object_type, object_id, payload JSON, state)`` events in bulk
    through a DB-API cursor inside a write transaction (one head update); return the count."""
    cur = portable(cur)
    cur.lock_writers()
    seq, prev = head_raw(cur)
    at = utcnow()
    rows: list[tuple[Any, ...]] = []
    for actor, action, otype, oid, body, state in events:
        seq += 1
        digest = event_hash(prev, seq, at, actor, action, otype, oid, body, state)
        rows.append((seq, at, actor, action, otype, oid, body, prev, digest, state))
        prev = digest
    return _write_events(cur, rows)


def cursor(session: Session) -> Any:
    """A DB-API cursor on the session's connection, after flushing pending ORM changes."""
    session.flush()
    return _cursor(session)


def dependents(session: Session, object_type: str, object_id: str) -> list[tuple[str, str]]:
    """Audited rows a deletion of this object cascades to; pass them as ``touches``."""
    session.flush()
    return row_states.dependents(_cursor(session), object_type, object_id)


def append(
    cur: Any, actor: str, action: str, object_type: str, object_id: str, body: str,
    state: str | None,
) -> str:
    """Append one event through a DB-API cursor already inside a write transaction."""
    cur = portable(cur)
    cur.lock_writers()
    return _append(cur, actor, action, object_type, object_id, body, state)


def append_late(
    cur: Any, actor: str, action: str, object_type: str, object_id: str, body: str,
    state: str | None,
) -> None:
    """:func:`append` for the lean write paths, whose transaction has not taken the writer slot
    yet.

    On PostgreSQL the server appends (migration 0012's ``dossier_audit_append``: slot, head,
    hash, event and new head in one step) from the event's canonical JSON cut around its
    sequence number (:func:`_cut`), and the call is the transaction's last statement: a
    :class:`db.cursor.LateCursor` keeps it and sends it together with the ``COMMIT``
    (:meth:`app.dossier.Dossier.write_late`), so the slot is held only while the server works.
    """
    cur = portable(cur)
    if not cur.is_postgresql:
        _append(cur, actor, action, object_type, object_id, body, state)
        return
    at = utcnow()
    head_text, tail_text = _cut(at, actor, action, object_type, object_id, body, state)
    params = (actor, action, object_type, object_id, body, state, at, head_text, tail_text)
    cur.keep(_APPEND_ON_SERVER, params,
             proof=(_FIND_EVENT, (object_id, action, actor, at)))


#: Migration 0012's server-side append (PostgreSQL).
_APPEND_ON_SERVER = "SELECT dossier_audit_append(?, ?, ?, ?, ?, ?, ?, ?, ?)"
#: Whether that event was committed, when the connection was lost while it was being sent
#: (its actor's clock to the microsecond makes it one event; a rare path, so no index).
_FIND_EVENT = ("SELECT 1 FROM audit_events WHERE object_id = ? AND action = ? AND actor = ? "
               "AND at = ?")


def _cut(at: str, actor: str, action: str, object_type: str, object_id: str, body: str,
         state: str | None) -> tuple[str, str]:
    """An event's canonical JSON (as :func:`event_hash` hashes it) in two pieces around its
    sequence number: the keys sort ``action actor at object_id object_type payload seq state``,
    so the text before ``seq``'s value and the text after it."""
    esc = encode_basestring
    head_text = (f'{{"action":{esc(action)},"actor":{esc(actor)},"at":{esc(at)},'
                 f'"object_id":{esc(object_id)},"object_type":{esc(object_type)},'
                 f'"payload":{esc(body)},"seq":')
    return head_text, ("}" if state is None else f',"state":{esc(state)}}}')


def _append(
    cur: Any, actor: str, action: str, object_type: str, object_id: str, body: str,
    state: str | None,
) -> str:
    seq, prev = head_raw(cur)
    return _write_one(cur, seq, prev, actor, action, object_type, object_id, body, state)


def _write_one(
    cur: Any, seq: int, prev: str, actor: str, action: str, object_type: str, object_id: str,
    body: str, state: str | None,
) -> str:
    seq += 1
    at = utcnow()
    digest = event_hash(prev, seq, at, actor, action, object_type, object_id, body, state)
    event = (seq, at, actor, action, object_type, object_id, body, prev, digest, state)
    head_row = (_HEAD_KEY, f"{seq}:{digest}")
    if getattr(cur, "is_postgresql", False):  # one round trip inside the writer slot
        cur.execute(_INSERT_EVENT_AND_HEAD, (*event, *head_row))
        return digest
    cur.execute(_INSERT_EVENT, event)
    cur.execute(_SET_HEAD, head_row)
    return digest


_INSERT_EVENT = ("INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, "
                 "payload, prev_hash, hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SET_HEAD = ("INSERT INTO dossier_meta (key, value) VALUES (?, ?) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
#: Both in one statement (PostgreSQL): the team dossier's head check runs when the transaction
#: commits (app/team/policy.py), when it sees the event and the head together.
_INSERT_EVENT_AND_HEAD = (f"WITH event AS ({_INSERT_EVENT} RETURNING seq) {_SET_HEAD}")


def _write_events(cur: Any, rows: list[tuple[Any, ...]]) -> int:
    """Insert chained ``rows`` (in :data:`_INSERT_EVENT`'s column order) and move the head to
    the last of them; return how many were written."""
    if not rows:
        return 0
    cur.executemany(_INSERT_EVENT, rows)
    last = rows[-1]
    cur.execute(_SET_HEAD, (_HEAD_KEY, f"{last[0]}:{last[8]}"))
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold."""

    seq: int
    message: str


def iter_events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    """All events in sequence order, loaded in batches."""
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


@dataclass
class ChainWalk:
    """What a walk of the chain found."""

    problem: ChainProblem | None = None
    count: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    #: The newest state the chain records per ``type:id`` (``-`` when deleted).
    states: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Where a hash looked for with ``find`` is in the chain: its sequence number.
    found_seq: int | None = None


#: Events read per fetch while walking (and between two polls of Cancel).
_WALK_BATCH = 2000
_SELECT = ("SELECT seq, at, actor, action, object_type, object_id, payload, prev_hash, hash, "
           "state FROM audit_events ORDER BY seq")


def _entry_text(seq: Any, at: Any, actor: Any, action: Any, otype: Any, oid: Any, payload: Any,
                state: Any) -> str:
    """The canonical JSON of one stored event, as :func:`event_hash` hashes it.

    Written out key by key in sorted order (:func:`_cut`, without building and sorting a dict
    per event); "" for a value of another type than the columns hold (a NULL, a number in a
    text column): the caller then goes through :func:`canonical_json` itself.
    """
    if type(seq) is not int:
        return ""
    try:
        head_text, tail_text = _cut(at, actor, action, otype, oid, payload, state)
    except TypeError:
        return ""
    return f"{head_text}{seq}{tail_text}"


def walk(cur: Any, find: str | None = None) -> ChainWalk:
    """Walk the whole chain through a DB-API cursor, without ORM objects.

    Recomputes every hash and link, collects the newest recorded state of every row and, with
    ``find``, notes the sequence number of the event with that hash. One pass over the events in
    large reads; per event one canonical text (:func:`_entry_text`) and one SHA-256.
    """
    cur = portable(cur)
    out = ChainWalk()
    states = out.states
    expected_seq = 1
    prev = GENESIS
    sha = hashlib.sha256
    entry_text = _entry_text
    columns = set(cur.columns("audit_events"))
    select_sql = _SELECT if "state" in columns else _SELECT.replace("state FROM", "NULL FROM")
    rows = cur.execute(select_sql).raw  # the driver's cursor: read in large batches
    while batch := rows.fetchmany(_WALK_BATCH):
        checkpoint()
        for seq, at, actor, action, otype, oid, payload, prev_hash, digest, state in batch:
            if seq != expected_seq:
                out.problem = ChainProblem(
                    expected_seq, f"audit event {expected_seq} is missing (next present is {seq})")
                break
            if prev_hash != prev:
                out.problem = ChainProblem(seq,
                                           f"audit event {seq} does not link to event {seq - 1}")
                break
            text = entry_text(seq, at, actor, action, otype, oid, payload, state)
            if not text:
                entry = {"seq": seq, "at": at, "actor": actor, "action": action,
                         "object_type": otype, "object_id": oid, "payload": payload}
                if state is not None:
                    entry["state"] = state
                text = canonical_json(entry)
            if sha((prev + text).encode("utf-8")).hexdigest() != digest:
                out.problem = ChainProblem(seq, f"audit event {seq} ({action} {otype}) was altered")
                break
            if state is not None:
                if "\n" in state:
                    for token in state.split("\n"):
                        key, _, value = token.rpartition("=")
                        states[key] = (value, seq)
                else:
                    key, _, value = state.rpartition("=")
                    states[key] = (value, seq)
            if digest == find:
                out.found_seq = seq
            prev = digest
            expected_seq += 1
        if out.problem is not None:
            break
    out.count = expected_seq - 1
    out.head_seq, out.head_hash = out.count, (prev if out.count else GENESIS)
    if out.problem is None:
        head_seq, head_hash = head_raw(cur)
        if (head_seq, head_hash) != (out.count, out.head_hash):
            out.problem = ChainProblem(
                out.count + 1,
                f"the chain ends at event {out.count} but the dossier recorded event {head_seq} "
                "as its head: newer events were deleted")
    return out


def verify_chain(session: Session) -> tuple[ChainProblem | None, int, str]:
    """Walk the chain; return (first problem or None, number of events, head hash)."""
    result = walk(_cursor(session))
    return result.problem, result.count, result.head_hash


# -- events prepared outside the write lock (bulk imports) ---------------------------------------

@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """An event encoded before the write lock is taken; only its place in the chain (time,
    sequence number, predecessor) is filled in by :func:`append_prepared`.

    ``middle`` and ``tail`` are the event's canonical JSON around the ``at`` and ``seq`` values
    (keys sort as action, actor, at, object_id, object_type, payload, seq, state), so chaining it
    costs one SHA-256 and no JSON encoding.
    """

    actor: str
    action: str
    object_type: str
    object_id: str
    payload: str
    state: str | None
    head: str
    middle: str
    tail: str


def prepare_event(actor: str, action: str, object_type: str, object_id: str, payload: str,
                  state: str | None) -> PreparedEvent:
    """Encode an event (``payload`` already canonical JSON) for :func:`append_prepared`."""
    enc = _ENCODER.encode
    head = f'{{"action":{enc(action)},"actor":{enc(actor)},"at":'
    middle = (f',"object_id":{enc(object_id)},"object_type":{enc(object_type)},'
              f'"payload":{enc(payload)},"seq":')
    tail = "}" if state is None else f',"state":{enc(state)}}}'
    return PreparedEvent(actor, action, object_type, object_id, payload, state, head, middle,
                         tail)


def append_prepared(cur: Any, events: Iterable[PreparedEvent]) -> int:
    """Append prepared events through a DB-API cursor inside a write transaction, chained from
    the current head (one head update); return the count. Hashes equal :func:`event_hash`."""
    cur = portable(cur)
    cur.lock_writers()
    seq, prev = head_raw(cur)
    at = utcnow()
    at_json = _ENCODER.encode(at)
    sha = hashlib.sha256
    rows: list[tuple[Any, ...]] = []
    for e in events:
        seq += 1
        digest = sha(f"{prev}{e.head}{at_json}{e.middle}{seq}{e.tail}".encode()).hexdigest()
        rows.append((seq, at, e.actor, e.action, e.object_type, e.object_id, e.payload, prev,
                     digest, e.state))
        prev = digest
    return _write_events(cur, rows)


#: The table :func:`stage_events` fills in a scratch database (one row per event, in order).
STAGED_EVENTS = ("CREATE TABLE events (n INTEGER PRIMARY KEY, actor TEXT, action TEXT, "
                 "object_type TEXT, object_id TEXT, payload TEXT, state TEXT, head TEXT, "
                 "middle TEXT, tail TEXT, seq INTEGER, at TEXT, prev_hash TEXT, hash TEXT)")


def stage_events(stage: Any, events: Iterable[PreparedEvent], after: tuple[int, str]) -> None:
    """Write prepared events into a scratch database's ``events`` table (:data:`STAGED_EVENTS`),
    chained after the event ``after`` = (seq, hash): ready to be copied by
    :func:`append_staged` if that event is still the head then."""
    seq, prev = after
    at = utcnow()
    at_json = _ENCODER.encode(at)
    sha = hashlib.sha256
    batch: list[tuple[Any, ...]] = []
    for e in events:
        seq += 1
        digest = sha(f"{prev}{e.head}{at_json}{e.middle}{seq}{e.tail}".encode()).hexdigest()
        batch.append((e.actor, e.action, e.object_type, e.object_id, e.payload, e.state,
                      e.head, e.middle, e.tail, seq, at, prev, digest))
        prev = digest
        if len(batch) >= 5000:
            _stage_batch(stage, batch)
    _stage_batch(stage, batch)


def _stage_batch(stage: Any, batch: list[tuple[Any, ...]]) -> None:
    stage.executemany(
        "INSERT INTO events (actor, action, object_type, object_id, payload, state, head, "
        "middle, tail, seq, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch)
    batch.clear()


def append_staged(cur: Any, table: str, after: tuple[int, str]) -> int:
    """Append the events staged by :func:`stage_events` in ``table`` (an attached scratch
    database's ``events``) inside a write transaction; return the count.

    When the chain's head is still ``after`` they are copied as they are, in SQLite; otherwise
    (this transaction appended events of its own first) they are chained again from the head.
    """
    cur = portable(cur)
    cur.lock_writers()
    if head_raw(cur) != after:
        return append_prepared(cur, (
            PreparedEvent(*row) for row in cur.execute(
                "SELECT actor, action, object_type, object_id, payload, state, head, middle, "
                f"tail FROM {table} ORDER BY n").fetchall()))
    last = cur.execute(f"SELECT seq, hash FROM {table} ORDER BY n DESC LIMIT 1").fetchone()
    if last is None:
        return 0
    cur.execute(
        "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, payload, "
        "prev_hash, hash, state) SELECT seq, at, actor, action, object_type, object_id, "
        f"payload, prev_hash, hash, state FROM {table} ORDER BY n")
    cur.execute(_SET_HEAD, (_HEAD_KEY, f"{last[0]}:{last[1]}"))
    return int(last[0]) - after[0]
