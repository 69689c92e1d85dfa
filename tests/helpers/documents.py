"""Putting documents into a test dossier without going through a file importer."""

from __future__ import annotations

from app.dossier import Dossier
from app.importers.base import ExtractedDocument
from app.services.documents import DocumentView, store_document
from app.textmodel import normalise


def add_text_document(dossier: Dossier, text: str, title: str = "Test document") -> DocumentView:
    """Store ``text`` as a plain-text document (its UTF-8 bytes are the original)."""
    text = normalise(text)
    extracted = ExtractedDocument(kind="text", text=text, title=title, extractor="test")
    doc, _ = store_document(dossier, text.encode("utf-8"), extracted, source="test",
                            filename=f"{title}.txt")
    return doc
