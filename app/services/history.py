"""Every version of an annotation, rebuilt from the audit chain: who changed what, and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.errors import NotFound
from app.services import codebook
from app.services.lookup import resolve_prefix
from db.models import Annotation, AuditEvent

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Fields of an annotation a version shows.
FIELDS = ("document_id", "start", "end", "quote", "note", "attribution", "reliability",
          "credibility", "status", "tag_ids")


@dataclass(frozen=True)
class Version:
    """The annotation as it stood after one audit event."""

    number: int
    seq: int
    at: str
    actor: str
    action: str
    state: dict[str, Any]
    reason: str = ""

    def to_json(self, tag_paths: dict[str, str] | None = None) -> dict[str, Any]:
        """JSON shape of ``dossier history --json``."""
        state = dict(self.state)
        if tag_paths is not None:
            state["tags"] = [tag_paths.get(t, t) for t in state.get("tag_ids", [])]
        return {"version": self.number, "seq": self.seq, "at": self.at, "actor": self.actor,
                "action": self.action, "reason": self.reason, "state": state}


def _apply(state: dict[str, Any], action: str, p: dict[str, Any]) -> str:
    """Apply one event's payload to ``state``; return a decision's reason, if any."""
    if action in ("annotation.create", "annotation.restore", "annotation.import"):
        state.clear()
        state.update({k: p.get(k) for k in FIELDS})
        state["tag_ids"] = list(p.get("tag_ids") or [])
    elif action == "annotation.update":
        state.update({k: v for k, v in p.get("after", {}).items() if k in FIELDS})
    elif action == "annotation.tags":
        state["tag_ids"] = list(p.get("after", []))
        if p.get("status"):
            state["status"] = p["status"]["after"]
    elif action in ("annotation.submit", "annotation.review"):
        state["status"] = p.get("after", state.get("status"))
        return str(p.get("reason", ""))
    elif action == "annotation.reanchor":
        new = p.get("new") or {}
        state["document_id"] = p.get("to_document", state.get("document_id"))
        state.update({k: v for k, v in new.items() if k in ("start", "end", "quote")})
    elif action == "annotation.delete":
        state["status"] = "deleted"
    return ""


def annotation_history(dossier: Dossier, spec: str) -> tuple[str, list[Version]]:
    """(annotation id, its versions oldest first) from the audit chain."""
    with dossier.read() as session:
        events = None
        try:
            ann_id = resolve_prefix(session, Annotation, spec, "annotation").id
        except NotFound:
            # a deleted annotation still has its history: accept its full id
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.object_type == "annotation",
                                         AuditEvent.object_id == spec).order_by(AuditEvent.seq)
            ).all()
            if not events:
                raise
            ann_id = spec
        if events is None:
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.object_type == "annotation",
                                         AuditEvent.object_id == ann_id)
                .order_by(AuditEvent.seq)
            ).all()
        state: dict[str, Any] = {}
        versions: list[Version] = []
        for ev in events:
            payload = json.loads(ev.payload)
            reason = _apply(state, ev.action, payload if isinstance(payload, dict) else {})
            versions.append(Version(len(versions) + 1, ev.seq, ev.at, ev.actor, ev.action,
                                    dict(state), reason))
        return ann_id, versions


def tag_paths(dossier: Dossier) -> dict[str, str]:
    """Tag id -> path, for printing versions."""
    with dossier.read() as session:
        return {t.id: t.path for t in codebook.list_tags(session)}
