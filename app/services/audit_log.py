"""The audit chain for people: each event in words, filters, and export as CSV or JSON.

Reads only; the chain itself is written by :mod:`app.audit`. One pass over the events in order
remembers each annotation's quote and document (from the event that created it), so an entry
about an annotation deleted since still says which passage it was.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.services import codebook
from db.models import Annotation, Document

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Columns of the CSV export (and keys of the JSON export).
COLUMNS = ("seq", "at", "actor", "action", "object_type", "object_id", "document", "words",
           "hash", "prev_hash")


@dataclass(frozen=True)
class AuditEntry:
    """One event of the chain, with what it was about and a sentence saying what happened."""

    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    document_id: str | None
    words: str
    payload: dict[str, Any]
    hash: str
    prev_hash: str

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier audit --json`` and of the JSON export."""
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "object_type": self.object_type, "object_id": self.object_id,
                "document": self.document_id, "words": self.words, "payload": self.payload,
                "hash": self.hash, "prev_hash": self.prev_hash}


@dataclass
class _Context:
    tags: dict[str, str]
    titles: dict[str, str]
    quotes: dict[str, str] = field(default_factory=dict)
    docs: dict[str, str] = field(default_factory=dict)
    comment_docs: dict[str, str] = field(default_factory=dict)

    def quote(self, ann_id: str) -> str:
        q = " ".join(self.quotes.get(ann_id, "").split())
        if not q:
            return f"annotation {ann_id[:8]}"
        return f"'{q if len(q) <= 60 else q[:59] + '…'}'"

    def tag_list(self, ids: Iterable[str]) -> str:
        names = [self.tags.get(t, f"tag {t[:8]}") for t in ids]
        return ", ".join(names) if names else "no tag"


_DECIDED = {"approved": "approved", "rejected": "rejected",
            "changes_requested": "requested changes to"}
_FIELD_WORDS = {"note": "note", "attribution": "attribution", "reliability": "reliability",
                "credibility": "credibility", "start": "range", "end": "range",
                "quote": "range", "prefix": "", "suffix": "", "page_start": "", "page_end": "",
                "anchor": "", "anchor_score": "", "status": ""}


def _describe(ctx: _Context, actor: str, action: str, obj: str, p: dict[str, Any]) -> str:
    q = ctx.quote(obj)
    if action in ("annotation.create", "annotation.restore", "annotation.import"):
        verb = {"annotation.create": "tagged", "annotation.restore": "restored",
                "annotation.import": "imported"}[action]
        tags = p.get("tag_ids") or []
        text = f"{actor} {verb} {q}" + (f" as {ctx.tag_list(tags)}" if tags else "")
        return text + (f" from set {p['set']}" if p.get("set") else "")
    if action == "annotation.update":
        after = p.get("after", {})
        names = sorted({_FIELD_WORDS.get(k, k) for k in after} - {""})
        text = f"{actor} changed the {' and '.join(names) or 'position'} of {q}"
        return text + (" (back to draft)" if after.get("status") == "draft" else "")
    if action == "annotation.tags":
        text = (f"{actor} retagged {q} as {ctx.tag_list(p.get('after', []))} "
                f"(was {ctx.tag_list(p.get('before', []))})")
        return text + (" (back to draft)" if p.get("status") else "")
    if action == "annotation.delete":
        return f"{actor} deleted {q}"
    if action == "annotation.reanchor":
        return f"{actor} re-anchored {q} on a new version ({p.get('status', '?')})"
    if action == "annotation.submit":
        again = "resubmitted" if p.get("before") == "changes_requested" else "submitted"
        return f"{actor} {again} {q} for review"
    if action == "annotation.review":
        text = f"{actor} {_DECIDED.get(p.get('decision', ''), p.get('decision'))} {q}"
        return text + (f": {p['reason']}" if p.get("reason") else "")
    if action == "comment.create":
        return f"{actor} commented on {ctx.quote(p.get('annotation_id', ''))}: {p.get('text')}"
    if action == "review.import":
        decision = str(p.get("decision", "")).replace("_", " ")
        return (f"{actor} imported {p.get('reviewer')}'s decision '{decision}' on "
                f"{ctx.quote(p.get('annotation_id', ''))}")
    if action == "claim.create":
        links = p.get("links", [])
        sup = sum(1 for link in links if link.get("role") == "support")
        con = len(links) - sup
        text = f"{actor} recorded the claim '{p.get('statement')}' with {sup} supporting"
        return text + (f" and {con} contradicting" if con else "") + " highlight(s)"
    if action == "user.create":
        if p.get("name") == actor:
            return f"{actor} joined the dossier as {p.get('role', 'annotator')}"
        return f"{actor} added {p.get('name')} as {p.get('role', 'annotator')}"
    if action == "user.role":
        return f"{actor} made {p.get('name')} {p.get('after')} (was {p.get('before')})"
    if action == "user.disable":
        return f"{actor} took {p.get('name')}'s role away (was {p.get('before')})"
    if action == "team.init":
        again = " again" if p.get("again") else ""
        return f"{actor} set the team dossier's server rules up{again}"
    if action == "document.import":
        title = p.get("title") or p.get("filename") or obj[:8]
        again = f" (version {p['version']})" if (p.get("version") or 1) > 1 else ""
        return f"{actor} imported the document '{title}'{again}"
    if action in ("tag.create", "tag.import"):
        return f"{actor} {'created' if action == 'tag.create' else 'imported'} the tag " \
               f"'{ctx.tags.get(obj, p.get('name', obj[:8]))}'"
    if action == "tag.update":
        return f"{actor} changed the tag '{ctx.tags.get(obj, obj[:8])}'"
    if action == "sync.apply_kept":
        what = (f"the tag '{ctx.tags.get(obj, obj[:8])}'" if str(p.get("object", "")).startswith(
            "tag:") else str(p.get("object", obj)))
        return (f"{actor} applied the version of {what} kept aside by push event "
                f"{p.get('event')} ({', '.join(sorted(p.get('after', {})))})")
    if action == "export":
        return (f"{actor} exported {p.get('annotations', '?')} annotation(s) as "
                f"{p.get('format', '?')} ({p.get('file', '')})")
    return f"{actor}: {action} {obj_label(action, obj)}"


def _kept(p: dict[str, Any]) -> str:
    """For a pushed event that kept versions aside: say so, and where they are."""
    from app.services.sync.kept import KEPT_LOCAL

    kept = p.get(KEPT_LOCAL) if isinstance(p.get("pushed"), dict) else None
    if not isinstance(kept, dict) or not kept:
        return ""
    fields = sorted({f for k in kept.values() for f in k.get("fields", [])})
    return (f"; changed by the team too: theirs stays, the pushed one is kept aside "
            f"({', '.join(fields)}; dossier kept list)")


def obj_label(action: str, obj: str) -> str:
    """A short name for an object the sentences do not know."""
    return f"{action.split('.', maxsplit=1)[0]} {obj[:8]}"


def _document_of(ctx: _Context, object_type: str, obj: str, p: dict[str, Any]) -> str | None:
    if object_type == "document":
        return obj
    if object_type == "annotation":
        return ctx.docs.get(obj)
    if object_type == "comment":
        return ctx.docs.get(p.get("annotation_id", ""))
    if object_type == "review":
        return ctx.docs.get(p.get("annotation_id", ""))
    return None


def _learn(ctx: _Context, action: str, obj: str, p: dict[str, Any]) -> None:
    if action in ("annotation.create", "annotation.restore", "annotation.import",
                  "annotation.delete"):
        if p.get("quote"):
            ctx.quotes[obj] = p["quote"]
        if p.get("document_id"):
            ctx.docs[obj] = p["document_id"]
    elif action == "annotation.update" and "quote" in p.get("after", {}):
        ctx.quotes[obj] = p["after"]["quote"]
    elif action == "annotation.reanchor" and p.get("to_document"):
        ctx.docs[obj] = p["to_document"]


def _context(session: Session) -> _Context:
    tags = {t.id: t.path for t in codebook.list_tags(session)}
    titles = {i: t for i, t in session.execute(select(Document.id, Document.title))}
    ctx = _Context(tags, titles)
    for ann_id, doc_id, quote in session.execute(
            select(Annotation.id, Annotation.document_id, Annotation.quote)):
        ctx.docs[ann_id] = doc_id
        ctx.quotes[ann_id] = quote
    return ctx


def list_events(
    dossier: Dossier, *, user: str | None = None, action: str | None = None,
    document_id: str | None = None, since: str | None = None, until: str | None = None,
) -> list[AuditEntry]:
    """Events of the chain, oldest first, matching every given filter.

    ``action`` matches the whole action or its kind (``annotation`` matches
    ``annotation.review``); ``since``/``until`` compare with the UTC time as text, so a date
    (``2026-11-30``) or any prefix of an ISO time works; ``until`` is inclusive of that prefix.
    """
    out: list[AuditEntry] = []
    with dossier.read() as session:
        ctx = _context(session)
        for ev in audit.iter_events(session):
            payload = json.loads(ev.payload)
            _learn(ctx, ev.action, ev.object_id, payload if isinstance(payload, dict) else {})
            p = payload if isinstance(payload, dict) else {}
            if user and ev.actor != user:
                continue
            if action and ev.action != action and ev.action.split(".")[0] != action:
                continue
            if since and ev.at < since:
                continue
            if until and ev.at[:len(until)] > until:
                continue
            doc = _document_of(ctx, ev.object_type, ev.object_id, p)
            if document_id and doc != document_id:
                continue
            out.append(AuditEntry(ev.seq, ev.at, ev.actor, ev.action, ev.object_type,
                                  ev.object_id, doc, _describe(ctx, ev.actor, ev.action,
                                                               ev.object_id, p) + _kept(p),
                                  p, ev.hash, ev.prev_hash))
    return out


def write_csv(entries: Iterable[AuditEntry], path: Path) -> None:
    """Write entries as CSV (UTF-8 with a header row; the payload is left out)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for e in entries:
            row = e.to_json()
            writer.writerow([_cell(row[c]) for c in COLUMNS])


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # a spreadsheet would run a cell starting like a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_json(entries: Iterable[AuditEntry], path: Path) -> None:
    """Write entries as a JSON array (with each event's payload)."""
    path.write_text(json.dumps([e.to_json() for e in entries], ensure_ascii=False, indent=2)
                    + "\n", encoding="utf-8")
