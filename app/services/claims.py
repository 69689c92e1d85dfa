"""Corroboration claims: a short statement and the annotations that support or contradict it.

A claim counts the independent sources behind its supporting annotations
(:mod:`app.services.sources`: copies of one story count once) and is flagged when only one
independent source supports it.
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
from app.errors import BadInput
from app.services import sources
from app.services.lookup import resolve_prefix
from db.models import Annotation, Claim, ClaimLink, User

if TYPE_CHECKING:
    from app.dossier import Dossier

LINK_ROLES = ("support", "contradict")


@dataclass(frozen=True)
class ClaimView:
    """A claim with its linked annotations and its independent-source counts."""

    id: str
    statement: str
    author: str
    created: str
    support: tuple[str, ...]
    contradict: tuple[str, ...]
    support_sources: int
    contradict_sources: int

    @property
    def single_source(self) -> bool:
        """Whether at most one independent source supports the claim."""
        return self.support_sources <= 1

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``dossier claims --json``."""
        return {"id": self.id, "statement": self.statement, "author": self.author,
                "created": self.created, "support": list(self.support),
                "contradict": list(self.contradict),
                "independent_sources": self.support_sources,
                "contradicting_sources": self.contradict_sources,
                "single_source": self.single_source,
                "overlap_measure": sources.OVERLAP_MEASURE}


def add_claim(
    dossier: Dossier, statement: str, support: Sequence[str], contradict: Sequence[str] = ()
) -> ClaimView:
    """Record a claim linked to supporting (and contradicting) annotations."""
    statement = " ".join(statement.split())
    if not statement:
        raise BadInput("the claim's statement is empty")
    if not support:
        raise BadInput("a claim needs at least one supporting annotation (--support ANN)")
    with dossier.write() as session:
        author_id = dossier.user_id(session)
        links: dict[str, str] = {}
        for role, specs in (("support", support), ("contradict", contradict)):
            for spec in specs:
                ann = resolve_prefix(session, Annotation, spec, "annotation")
                if links.get(ann.id, role) != role:
                    raise BadInput(f"annotation {ann.id[:8]} cannot both support and "
                                   "contradict the claim")
                links[ann.id] = role
        claim = Claim(id=str(uuid.uuid4()), statement=statement, author_id=author_id,
                      created=utcnow())
        session.add(claim)
        session.flush()
        for ann_id, role in links.items():
            session.add(ClaimLink(claim_id=claim.id, annotation_id=ann_id, role=role))
        audit.record(session, dossier.user_name, "claim.create", "claim", claim.id, {
            "statement": statement, "created": claim.created,
            "links": [{"annotation_id": a, "role": r} for a, r in sorted(links.items())]})
        session.flush()
        view = _views(session, [claim.id])[0]
    dossier.notify_change("claim", "created", view.id)
    return view


def _views(session: Session, claim_ids: Sequence[str] | None = None) -> list[ClaimView]:
    query = select(Claim, User.name).join(User, User.id == Claim.author_id)
    if claim_ids is not None:
        query = query.where(Claim.id.in_(list(claim_ids)))
    rows = session.execute(query.order_by(Claim.created, Claim.id)).all()
    links: dict[str, dict[str, list[str]]] = {}
    for link in session.scalars(select(ClaimLink).order_by(ClaimLink.annotation_id)):
        links.setdefault(link.claim_id, {}).setdefault(link.role, []).append(link.annotation_id)
    out = []
    for claim, author in rows:
        sup = links.get(claim.id, {}).get("support", [])
        con = links.get(claim.id, {}).get("contradict", [])
        out.append(ClaimView(
            claim.id, claim.statement, author, claim.created, tuple(sup), tuple(con),
            sources.count_annotation_sources(session, sup),
            sources.count_annotation_sources(session, con)))
    return out


def list_claims(dossier: Dossier) -> list[ClaimView]:
    """Every claim, oldest first."""
    with dossier.read() as session:
        return _views(session)


def claims_of_annotations(session: Session, annotation_ids: Sequence[str]) -> dict[
        str, list[tuple[ClaimView, str]]]:
    """For each annotation id, the claims it is linked to and its role in each."""
    wanted = set(annotation_ids)
    roles: dict[str, list[tuple[str, str]]] = {}
    for link in session.scalars(select(ClaimLink)):
        if link.annotation_id in wanted:
            roles.setdefault(link.annotation_id, []).append((link.claim_id, link.role))
    if not roles:
        return {}
    views = {v.id: v for v in _views(session, sorted({c for r in roles.values() for c, _ in r}))}
    return {a: [(views[c], role) for c, role in r] for a, r in roles.items()}
