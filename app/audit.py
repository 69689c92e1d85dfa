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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from db.models import AuditEvent, Setting

GENESIS = "0" * 64
_HEAD_KEY = "audit_head"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no insignificant whitespace, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    prev_hash: str, seq: int, at: str, actor: str, action: str, object_type: str,
    object_id: str, payload: str,
) -> str:
    """The hash of one event given its predecessor's hash."""
    entry = canonical_json(
        {
            "seq": seq, "at": at, "actor": actor, "action": action,
            "object_type": object_type, "object_id": object_id, "payload": payload,
        }
    )
    return hashlib.sha256((prev_hash + entry).encode("utf-8")).hexdigest()


def head(session: Session) -> tuple[int, str]:
    """(sequence number, hash) of the newest event; (0, GENESIS) for an empty chain."""
    value = session.scalar(select(Setting.value).where(Setting.key == _HEAD_KEY))
    if value is None:
        return 0, GENESIS
    seq, _, digest = value.partition(":")
    return int(seq), digest


def record(
    session: Session, actor: str, action: str, object_type: str, object_id: str,
    payload: dict[str, Any],
) -> str:
    """Append an event to the chain inside the caller's transaction; return its hash."""
    seq, prev = head(session)
    seq += 1
    at = utcnow()
    body = canonical_json(payload)
    digest = event_hash(prev, seq, at, actor, action, object_type, object_id, body)
    session.execute(insert(AuditEvent).values(
        seq=seq, at=at, actor=actor, action=action, object_type=object_type,
        object_id=object_id, payload=body, prev_hash=prev, hash=digest,
    ))
    value = f"{seq}:{digest}"
    if seq == 1:
        session.execute(insert(Setting).values(key=_HEAD_KEY, value=value))
    else:
        session.execute(update(Setting).where(Setting.key == _HEAD_KEY).values(value=value))
    return digest


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


def verify_chain(session: Session) -> tuple[ChainProblem | None, int, str]:
    """Walk the chain; return (first problem or None, number of events, head hash)."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    for ev in iter_events(session):
        if ev.seq != expected_seq:
            return ChainProblem(
                expected_seq,
                f"audit event {expected_seq} is missing (next present is {ev.seq})",
            ), count, prev
        if ev.prev_hash != prev:
            return ChainProblem(
                ev.seq, f"audit event {ev.seq} does not link to event {ev.seq - 1}"
            ), count, prev
        digest = event_hash(
            prev, ev.seq, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.payload
        )
        if digest != ev.hash:
            return ChainProblem(
                ev.seq, f"audit event {ev.seq} ({ev.action} {ev.object_type}) was altered"
            ), count, prev
        prev = digest
        expected_seq += 1
        count += 1
    head_seq, head_hash = head(session)
    if (head_seq, head_hash) != (count, prev if count else GENESIS):
        return ChainProblem(
            count + 1,
            f"the chain ends at event {count} but the dossier recorded event {head_seq} as its "
            "head: newer events were deleted",
        ), count, prev
    return None, count, prev
