"""Every call the review GUI makes into ``app/``, each one operation of :mod:`ui.operations`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.services import agreement, audit_log, claims, comments, integrity, workflow
from app.services import annotations as annotation_service
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
            linked = claims.claims_of_annotations(session, [annotation_id]).get(annotation_id, [])
        return {"annotation": ann, "text": text,
                "comments": comments.list_comments(dossier, annotation_id),
                "reviews": workflow.reviews_of(dossier, annotation_id), "claims": linked}

    return ops.query(work, label="Loading the annotation", key="review-details",
                     on_done=on_done)


def load_audit(ops: Operations, on_done: Done) -> Operation:
    """The whole audit log in words (the view filters it)."""
    return ops.query(lambda op: audit_log.list_events(ops.dossier), label="Reading the audit log",
                     key="audit-log", on_done=on_done)


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
