"""Every call the review GUI makes into ``app/``, each one operation of :mod:`ui.operations`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.services import agreement, audit_log, claims, comments, documents, integrity, workflow
from app.services import annotations as annotation_service
from db.models import Document
from ui.operations import Operation, Operations

Done = Callable[[Any], None] | None
Failed = Callable[[BaseException], None] | None


def submit(ops: Operations, ids: Sequence[str], on_done: Done = None) -> Operation:
    """Submit annotations for review."""
    return ops.mutate(lambda op: workflow.submit(ops.dossier, list(ids)),
                      label="Submit for review", on_done=on_done, progress=False)


def decide(ops: Operations, ids: Sequence[str], decision: str, reason: str,
           on_done: Done = None, on_error: Failed = None) -> Operation:
    """Approve, reject or request changes."""
    return ops.mutate(lambda op: workflow.decide(ops.dossier, list(ids), decision, reason),
                      label="Review", on_done=on_done, on_error=on_error, progress=False)


def add_comment(ops: Operations, annotation_id: str, text: str,
                on_done: Done = None) -> Operation:
    """Comment under an annotation."""
    return ops.mutate(lambda op: comments.add_comment(ops.dossier, annotation_id, text),
                      label="Comment", on_done=on_done, progress=False)


def load_queue(ops: Operations, on_done: Done) -> Operation:
    """The submitted annotations, in document order."""
    return ops.query(lambda op: annotation_service.list_annotations(ops.dossier,
                                                                    status="submitted"),
                     label="Listing submitted annotations", key="review-queue", on_done=on_done)


def load_details(ops: Operations, annotation_id: str, on_done: Done) -> Operation:
    """What the queue shows beside one annotation: text, comments, decisions, claims."""
    def work(op: Operation) -> dict[str, Any]:
        dossier = ops.dossier
        ann = annotation_service.get_annotation(dossier, annotation_id)
        with dossier.read() as session:
            text = dossier.document_text(session, ann.document_id)
            title = session.scalar(select(Document.title).where(Document.id == ann.document_id))
            linked = claims.claims_of_annotations(session, [annotation_id]).get(annotation_id, [])
        return {"annotation": ann, "text": text, "title": title or "",
                "comments": comments.list_comments(dossier, annotation_id),
                "reviews": workflow.reviews_of(dossier, annotation_id), "claims": linked}

    return ops.query(work, label="Loading the annotation", key="review-details",
                     on_done=on_done)


def load_audit(ops: Operations, on_done: Done) -> Operation:
    """The whole audit log in words (the view filters it) and document titles by id."""
    def work(op: Operation) -> tuple[list[audit_log.AuditEntry], dict[str, str]]:
        titles = {d.id: d.title or d.filename
                  for d in documents.list_documents(ops.dossier, all_versions=True)}
        return audit_log.list_events(ops.dossier), titles

    return ops.query(work, label="Reading the audit log", key="audit-log", on_done=on_done)


def export_audit(ops: Operations, entries: list[audit_log.AuditEntry], path: Path,
                 on_done: Done = None) -> Operation:
    """Write the given entries as CSV (``.csv``) or JSON (anything else)."""
    def work(op: Operation) -> Path:
        if path.suffix.lower() == ".csv":
            audit_log.write_csv(entries, path)
        else:
            audit_log.write_json(entries, path)
        return path

    return ops.query(work, label="Exporting the audit log", on_done=on_done)


def verify(ops: Operations, on_done: Done) -> Operation:
    """Run the dossier's verify (originals, chain, data against the chain)."""
    return ops.query(lambda op: integrity.verify(ops.dossier), label="Verifying the dossier",
                     key="audit-verify", on_done=on_done, progress=True)


def load_agreement(ops: Operations, document_id: str, on_done: Done) -> Operation:
    """Agreement figures and each annotator's coded ranges for one document."""
    def work(op: Operation) -> dict[str, Any]:
        result = agreement.compute(ops.dossier, [document_id])
        ranges = {t.tag_id: agreement.coded_ranges(ops.dossier, document_id, t.tag_id)
                  for t in result.tags}
        with ops.dossier.read() as session:
            text = ops.dossier.document_text(session, document_id)
        return {"result": result, "ranges": ranges, "text": text}

    return ops.query(work, label="Computing agreement", key="agreement", on_done=on_done)
