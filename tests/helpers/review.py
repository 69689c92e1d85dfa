"""Bringing annotations to a review status the way users do: submit, then a reviewer decides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.dossier import Dossier
from app.services import annotations, roles, workflow
from db.models import User

#: The reviewer these helpers add (by the dossier's administrator) when a decision is needed.
REVIEWER = "rita-reviewer"
_DECISION = {"approved": "approve", "rejected": "reject", "changes_requested": "request_changes"}


def acting_as(dossier: Dossier, name: str) -> Dossier:
    """The same open dossier (same engine and listeners) acting as user ``name``."""
    other = Dossier(dossier.folder, dossier.engine, name, originals=dossier.originals,
                    address=dossier.address)
    other._listeners = dossier._listeners
    return other


def administrator(dossier: Dossier) -> Dossier:
    """The dossier acting as its (first) administrator."""
    with dossier.read() as session:
        name = session.scalar(select(User.name).where(User.role == "administrator")
                              .order_by(User.id).limit(1))
    if name is None:  # nobody acted yet: the acting user becomes administrator
        with dossier.write() as session:
            dossier.user_id(session)
        name = dossier.user_name
    return acting_as(dossier, name)


def ensure_user(dossier: Dossier, name: str, role: str) -> Dossier:
    """The dossier acting as ``name``, whom the administrator gave ``role``."""
    admin = administrator(dossier)
    current = roles.role_of(dossier, name)
    if current is None:
        roles.add_user(admin, name, role)
    elif current != role and name != admin.user_name:
        roles.set_role(admin, name, role)
    return acting_as(dossier, name)


def bring_to(
    dossier: Dossier, annotation_id: str, status: str, reason: str = "test", *,
    reviewer: str = REVIEWER,
) -> None:
    """Move a draft annotation to ``status`` through the real transitions."""
    if status == "draft":
        return
    workflow.submit(administrator(dossier), [annotation_id])
    if status == "submitted":
        return
    as_reviewer = ensure_user(dossier, reviewer, "reviewer")
    workflow.decide(as_reviewer, [annotation_id], _DECISION[status], reason)


def create_with_status(
    dossier: Dossier, *args: Any, status: str = "draft", reviewer: str = REVIEWER,
    reason: str = "test", **kwargs: Any,
) -> annotations.AnnotationView:
    """:func:`annotations.create_annotation`, then :func:`bring_to` ``status``."""
    view = annotations.create_annotation(dossier, *args, **kwargs)
    bring_to(dossier, view.id, status, reason, reviewer=reviewer)
    return annotations.get_annotation(dossier, view.id)
