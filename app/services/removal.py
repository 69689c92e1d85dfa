"""Removing documents from the library, and bringing them back.

A removed document stops being current (as an older version does) without any version taking
its place: it leaves the library and search, while its original, text, pages and annotations
stay in the dossier, so the removal is audited and can be undone exactly. Importing the same
original again brings it back (:func:`restore_if_removed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from app import audit
from app.errors import BadInput, NotFound
from db.models import Document

if TYPE_CHECKING:
    from app.dossier import Dossier


def is_removed(dossier: Dossier, document_id: str) -> bool:
    """True for a document that is not current and that no newer version replaced."""
    with dossier.read() as session:
        current = session.scalar(select(Document.is_current).where(Document.id == document_id))
        if current is None:
            raise NotFound(f"no document {document_id}")
        newer = session.scalar(select(Document.id).where(Document.previous_id == document_id))
    return not current and newer is None


def remove_documents(dossier: Dossier, document_ids: list[str]) -> list[str]:
    """Take documents out of the library (audited, one event each); return their ids."""
    with dossier.write() as session:
        dossier.user_id(session)
        for doc_id in document_ids:
            doc = session.get(Document, doc_id)
            if doc is None:
                raise NotFound(f"no document {doc_id}")
            if not doc.is_current:
                raise BadInput(f"{doc.title or doc.filename} is not in the library (an older "
                               "version, or removed already)")
            doc.is_current = False
            audit.record(session, dossier.user_name, "document.remove", "document", doc_id,
                         {"title": doc.title, "sha256": doc.sha256,
                          "original": "kept", "annotations": "kept"})
    dossier.notify_change("document", "deleted", *document_ids)
    return list(document_ids)


def restore_documents(dossier: Dossier, document_ids: list[str]) -> list[str]:
    """Put removed documents back into the library (audited); return their ids."""
    with dossier.write() as session:
        dossier.user_id(session)
        for doc_id in document_ids:
            doc = session.get(Document, doc_id)
            if doc is None:
                raise NotFound(f"no document {doc_id}")
            newer = session.scalar(select(Document.id).where(Document.previous_id == doc_id))
            if newer is not None:
                raise BadInput(f"{doc.title or doc.filename} has a newer version; it cannot "
                               "come back as the current one")
            doc.is_current = True
            audit.record(session, dossier.user_name, "document.restore", "document", doc_id,
                         {"title": doc.title, "sha256": doc.sha256})
    dossier.notify_change("document", "created", *document_ids)
    return list(document_ids)


def restore_if_removed(dossier: Dossier, document_id: str) -> bool:
    """Bring a removed document back (when its original is imported again); True if it was."""
    if is_removed(dossier, document_id):
        restore_documents(dossier, [document_id])
        return True
    return False
