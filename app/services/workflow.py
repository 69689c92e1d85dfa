"""The review workflow: the only way an annotation's status changes.

    draft -> submitted -> approved | rejected | changes_requested
    changes_requested -> submitted (resubmitted after the author's changes)

Authors (or administrators) submit; reviewers and administrators decide, never on their own
annotation, and a reason is required to reject or to request changes. Editing the range, quote,
tags or grades of a submitted or approved annotation sends it back to draft
(:func:`back_to_draft`, called by :mod:`app.services.annotations`); earlier decisions stay in
the ``reviews`` table and the audit chain. A refused transition raises
:class:`~app.errors.Refused` (or :class:`~app.errors.BadInput`) before anything is written: a
batch is all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.clock import utcnow
from app.errors import BadInput, Refused
from app.services import lean_review, roles
from app.services.lookup import resolve_prefix
from db.models import Annotation, Review, User

if TYPE_CHECKING:
    from app.dossier import Dossier

#: decision word -> resulting status
DECISIONS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}
#: statuses a decision needs a reason for
NEEDS_REASON = ("rejected", "changes_requested")
#: statuses from which an annotation may be submitted
SUBMITTABLE = ("draft", "changes_requested")
#: statuses an edit of range, quote, tags or grades sends back to draft
REOPENED_BY_EDIT = ("submitted", "approved")


@dataclass(frozen=True)
class ReviewView:
    """One recorded decision."""

    id: str
    annotation_id: str
    reviewer: str
    decision: str
    reason: str
    created: str

    def to_json(self) -> dict[str, Any]:
        """JSON shape used by the CLI and exports."""
        return {"id": self.id, "annotation": self.annotation_id, "reviewer": self.reviewer,
                "decision": self.decision, "reason": self.reason, "created": self.created}


def _resolve(session: Session, specs: Sequence[str]) -> list[Annotation]:
    if not specs:
        raise BadInput("name at least one annotation")
    found: dict[str, Annotation] = {}
    for spec in specs:
        ann = resolve_prefix(session, Annotation, spec, "annotation")
        found[ann.id] = ann
    return list(found.values())


def _author_name(session: Session, ann: Annotation) -> str:
    return session.scalar(select(User.name).where(User.id == ann.author_id)) or "?"


def submit_in(session: Session, actor: str, ann: Annotation, *, via: str = "") -> None:
    """Move one annotation to ``submitted`` inside the caller's transaction (no role check).

    For callers that have already decided the move is allowed, such as an import that puts
    arriving annotations up for local review; ``via`` names such a caller in the audit event.
    """
    before = ann.status
    ann.status = "submitted"
    ann.modified = utcnow()
    payload: dict[str, Any] = {"before": before, "after": "submitted", "modified": ann.modified}
    if via:
        payload["via"] = via
    audit.record(session, actor, "annotation.submit", "annotation", ann.id, payload)


def submit(dossier: Dossier, specs: Sequence[str]) -> list[str]:
    """Submit annotations for review (their author, or an administrator); return their ids."""
    if len(specs) == 1 and len(specs[0]) == lean_review.FULL_ID \
            and lean_review.submit_one(dossier, specs[0]):
        dossier.notify_change("annotation", "updated", specs[0])
        return [specs[0]]
    with dossier.write() as session:
        user = roles.acting_user(dossier, session)
        anns = _resolve(session, specs)
        for ann in anns:
            if ann.author_id != user.id and user.role != "administrator":
                raise Refused(f"annotation {ann.id[:8]} is {_author_name(session, ann)}'s; only "
                              "its author or an administrator may submit it")
            if ann.status not in SUBMITTABLE:
                raise Refused(f"annotation {ann.id[:8]} is {ann.status.replace('_', ' ')}; only "
                              "a draft or one with changes requested can be submitted")
        for ann in anns:
            submit_in(session, dossier.user_name, ann)
        ids = [a.id for a in anns]
    dossier.notify_change("annotation", "updated", *ids)
    return ids


def decide(
    dossier: Dossier, specs: Sequence[str], decision: str, reason: str = ""
) -> list[ReviewView]:
    """Approve, reject or request changes on submitted annotations (reviewers only)."""
    if decision not in DECISIONS:
        raise BadInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    status = DECISIONS[decision]
    reason = reason.strip()
    if status in NEEDS_REASON and not reason:
        raise BadInput(f"a reason is required to {decision.replace('_', ' ')}: give --reason TEXT")
    if len(specs) == 1 and len(specs[0]) == lean_review.FULL_ID:
        done = lean_review.decide_one(dossier, specs[0], status, reason)
        if done is not None:
            review_id, reviewer, now = done
            dossier.notify_change("annotation", "updated", specs[0])
            return [ReviewView(review_id, specs[0], reviewer, status, reason, now)]
    views: list[ReviewView] = []
    with dossier.write() as session:
        user = roles.require(dossier, session, "reviewer", "review annotations")
        anns = _resolve(session, specs)
        for ann in anns:
            if ann.author_id == user.id:
                raise Refused(f"annotation {ann.id[:8]} is {user.name}'s own; nobody decides on "
                              "their own annotation")
            if ann.status != "submitted":
                raise Refused(f"annotation {ann.id[:8]} is {ann.status.replace('_', ' ')}, not "
                              "submitted; only submitted annotations are reviewed")
        now = utcnow()
        for ann in anns:
            review = Review(id=str(uuid.uuid4()), annotation_id=ann.id, reviewer_id=user.id,
                            decision=status, reason=reason, created=now)
            session.add(review)
            # the decision is recorded before the status changes (a team dossier's server
            # accepts a decided status only with its review in place: app.team.policy)
            session.flush()
            before = ann.status
            ann.status = status
            ann.modified = now
            audit.record(session, dossier.user_name, "annotation.review", "annotation", ann.id,
                         {"review_id": review.id, "decision": status, "reason": reason,
                          "before": before, "after": status, "modified": now},
                         touches=[("review", review.id)])
            views.append(ReviewView(review.id, ann.id, user.name, status, reason, now))
    dossier.notify_change("annotation", "updated", *[v.annotation_id for v in views])
    return views


def back_to_draft(ann: Annotation, before: dict[str, Any], after: dict[str, Any]) -> None:
    """After an edit of range, quote, tags or grades: reopen a submitted/approved annotation."""
    if ann.status in REOPENED_BY_EDIT:
        before["status"] = ann.status
        after["status"] = "draft"
        ann.status = "draft"


def reviews_of(dossier: Dossier, annotation_id: str) -> list[ReviewView]:
    """Every decision on an annotation, oldest first."""
    with dossier.read() as session:
        return reviews_in(session, [annotation_id]).get(annotation_id, [])


def reviews_in(session: Session, annotation_ids: Sequence[str]) -> dict[str, list[ReviewView]]:
    """Decisions by annotation id, oldest first (all decisions if more than 900 ids)."""
    query = select(Review, User.name).join(User, User.id == Review.reviewer_id)
    if len(annotation_ids) < 900:
        query = query.where(Review.annotation_id.in_(list(annotation_ids)))
    out: dict[str, list[ReviewView]] = {}
    for review, name in session.execute(query.order_by(Review.created, Review.id)):
        out.setdefault(review.annotation_id, []).append(ReviewView(
            review.id, review.annotation_id, name, review.decision, review.reason,
            review.created))
    return out


