"""The lean write path of submitting and deciding on one annotation named by its full id.

Review decisions are, after new annotations, the commonest writes of a team at work. Here they
are plain statements in one transaction (:meth:`app.dossier.Dossier.write_late`): the checks
read the annotation and the acting user's role in one statement *outside* the dossier's writer
slot; the slot is then taken, and the status is changed only if the row is still the one
checked (optimistic concurrency: its version, and on PostgreSQL a digest of its whole state), so
every row lock is taken under the slot, in the same order as every other writer's (no deadlock
with them). On PostgreSQL the slot, the review, the move, the audit append and the commit are
one message. Anything but the plain case (a prefix,
several annotations, a refusal, a row that moved on meanwhile) returns None: the caller then runs
the full service, which checks again and words the refusal.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from app import audit, state
from app.clock import utcnow
from app.services.roles import at_least
from db.cursor import LOCK_WRITERS, Cursor, Moved

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Length of a full annotation id (a UUID in its text form).
FULL_ID = 36
_READ_FROM = " FROM annotations a, users u WHERE a.id = ? AND u.id = ?"
_READ = "SELECT a.status, a.author_id, a.version, u.role, u.name" + _READ_FROM
_MOVE = ("UPDATE annotations SET status = ?, modified = ?, version = version + 1 "
         "WHERE id = ? AND version = ?")
_SPEC = state.REGISTRY["annotation"]
_STATE_COLUMNS = (*_SPEC.columns, *(c for c in _SPEC.optional if c not in _SPEC.columns))
_TAGS = ("ARRAY(SELECT tag_id FROM annotation_tags t WHERE t.annotation_id = a.id "
         "ORDER BY tag_id)")
#: PostgreSQL: everything an annotation's state is made of, as one text's digest.
_FINGERPRINT = ("md5(ROW(" + ", ".join(f'a."{c}"' for c in _STATE_COLUMNS) + ")::text || ' ' || "
                f"array_to_string({_TAGS}, ' '))")
#: PostgreSQL: the read also brings the state's columns, tags and digest, so the move can be
#: sent, guarded, with the append and the commit.
_READ_STATE = (_READ.removesuffix(_READ_FROM) + ", "
               + ", ".join(f'a."{c}"' for c in _STATE_COLUMNS)
               + f", {_TAGS}, {_FINGERPRINT}" + _READ_FROM)
#: PostgreSQL: the move, only if the row is still as read (same version, same state digest);
#: otherwise ``dossier_expect`` (migration 0012) stops the message before anything is appended.
_MOVE_GUARDED = ("WITH moved AS (UPDATE annotations AS a SET status = ?, modified = ?, "
                 "version = a.version + 1 WHERE a.id = ? AND a.version = ? AND "
                 f"{_FINGERPRINT} = ? RETURNING 1) "
                 "SELECT dossier_expect((SELECT count(*) FROM moved), 1, "
                 "'the annotation changed since it was read')")
_REVIEW_COLUMNS = ("id", "annotation_id", "reviewer_id", "decision", "reason", "created")
_REVIEW = (f"INSERT INTO reviews ({', '.join(_REVIEW_COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in _REVIEW_COLUMNS)})")


def _read(cur: Cursor, annotation_id: str, user_id: int | None) -> Any:
    """The annotation's status, author and version and the user's role and name (on
    PostgreSQL also its state's columns, tags and digest); None when either is missing."""
    return cur.read(_READ_STATE if cur.is_postgresql else _READ,
                    (annotation_id, user_id)).fetchone()


def _move(cur: Cursor, row: Any, status: str, now: str, annotation_id: str,
          review: dict[str, Any] | None = None) -> str:
    """Take the writer slot, record ``review`` (a new row's values) if given and move the
    annotation's status if the row is still as read (``row``, from :func:`_read`); return the
    state of the event (the annotation's, and the review's).

    On PostgreSQL nothing is sent yet: the slot, the review and the guarded move are kept
    (:meth:`db.cursor.LateCursor.keep`) and go with the append and the commit in one message,
    so the slot is held only while the server works; the state is computed from the row as
    read, which the guard makes the row as moved. A row that moved on meanwhile raises
    :class:`_Fallback` (SQLite) or :class:`db.cursor.Moved` (PostgreSQL, at the commit)."""
    version = row[2]
    if not cur.is_postgresql:  # BEGIN IMMEDIATE holds the slot already
        recorded = [] if review is None else [
            (_REVIEW, tuple(review[c] for c in _REVIEW_COLUMNS))]
        cur.together([*recorded, (_MOVE, (status, now, annotation_id, version))])
        if cur.rowcount != 1:
            raise _Fallback
        objects = [("annotation", annotation_id)]
        if review is not None:
            objects.append(("review", review["id"]))
        return state.state_string(cur, objects) or ""
    *columns, tags, fingerprint = row[5:]
    values = {**dict(zip(_STATE_COLUMNS, columns, strict=True)), "status": status,
              "modified": now, "version": version + 1}
    cur.keep(LOCK_WRITERS, ())
    if review is not None:
        cur.keep(_REVIEW, tuple(review[c] for c in _REVIEW_COLUMNS))
    cur.keep(_MOVE_GUARDED, (status, now, annotation_id, version, fingerprint))
    tokens = [f"annotation:{annotation_id}=" + state.state_of_values(
        "annotation", values, {"annotation_tags": [(t,) for t in tags or ()]})]
    if review is not None:
        tokens.append(f"review:{review['id']}=" + state.state_of_values("review", review))
    return "\n".join(sorted(tokens))


class _Fallback(Exception):
    """Not the plain case after all: roll back and let the full service decide."""


def _run(dossier: Dossier, work: Any) -> Any:
    if dossier.known_user_id() is None:
        return None  # the first write of a session resolves the user on the full path
    try:
        return dossier.write_late(work)
    except (_Fallback, Moved):
        return None


def submit_one(dossier: Dossier, annotation_id: str) -> bool:
    """Submit one annotation by its author (or an administrator); False when the full
    service must handle it."""
    user_id = dossier.known_user_id()

    def work(cur: Cursor) -> bool:
        row = _read(cur, annotation_id, user_id)
        if row is None:
            raise _Fallback
        status, author_id, _version, role, _name = row[:5]
        if (author_id != user_id and role != "administrator") or status not in (
                "draft", "changes_requested"):
            raise _Fallback
        now = utcnow()
        moved = _move(cur, row, "submitted", now, annotation_id)
        audit.append_late(cur, dossier.user_name, "annotation.submit", "annotation",
                          annotation_id, audit.canonical_json(
                              {"before": status, "after": "submitted", "modified": now}), moved)
        return True

    return bool(_run(dossier, work))


def decide_one(dossier: Dossier, annotation_id: str, status: str,
               reason: str) -> tuple[str, str, str] | None:
    """Record a reviewer's decision (``status``) on one submitted annotation of someone else;
    (review id, reviewer name, time), or None when the full service must handle it."""
    user_id = dossier.known_user_id()

    def work(cur: Cursor) -> tuple[str, str, str]:
        row = _read(cur, annotation_id, user_id)
        if row is None:
            raise _Fallback
        before, author_id, _version, role, name = row[:5]
        if not at_least(role, "reviewer") or author_id == user_id or before != "submitted":
            raise _Fallback
        now = utcnow()
        review_id = str(uuid.uuid4())
        # the decision is recorded before the status changes (a team dossier's server accepts
        # a decided status only with its review in place: app.team.policy)
        review = {"id": review_id, "annotation_id": annotation_id, "reviewer_id": user_id,
                  "decision": status, "reason": reason, "created": now}
        moved = _move(cur, row, status, now, annotation_id, review)
        audit.append_late(cur, dossier.user_name, "annotation.review", "annotation",
                          annotation_id, audit.canonical_json(
                              {"review_id": review_id, "decision": status, "reason": reason,
                               "before": before, "after": status, "modified": now}), moved)
        return review_id, str(name), now

    result = _run(dossier, work)
    return None if result is None else (str(result[0]), str(result[1]), str(result[2]))
