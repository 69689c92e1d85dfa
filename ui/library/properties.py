"""Document properties: metadata, SHA-256, source address, retrieval record, versions and the
extractor, read when the dialog opens."""

from __future__ import annotations

import html
import json

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.dossier import Dossier
from app.services import documents as document_service
from app.services.documents import DocumentView


def versions_of(dossier: Dossier, doc: DocumentView) -> list[DocumentView]:
    """Every version of ``doc``, oldest first."""
    by_id = {d.id: d for d in document_service.list_documents(dossier, all_versions=True)}
    chain = [doc]
    while chain[0].previous_id and chain[0].previous_id in by_id:
        chain.insert(0, by_id[chain[0].previous_id])
    return chain


def properties_html(dossier: Dossier, document_id: str) -> str:
    """The properties of one document as a small HTML page."""
    doc = document_service.get_document(dossier, document_id)
    rows = [("Title", doc.title), ("Kind", doc.kind), ("File name", doc.filename),
            ("Source", doc.source), ("Address", doc.url or ""), ("Author", doc.author or ""),
            ("Site", doc.site_name or ""), ("Published", doc.published or ""),
            ("Pages", str(doc.pages) if doc.pages else ""),
            ("Length", f"{doc.text_length:,} characters"),
            ("SHA-256 of the original", doc.sha256), ("SHA-256 of the text", doc.text_sha256),
            ("Size", f"{doc.size:,} bytes"),
            ("Imported", f"{doc.imported_at} by {doc.imported_by}"),
            ("Extractor", doc.extractor)]
    table = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
                    for k, v in rows if v)
    versions = "".join(
        f"<li>version {v.version}: {html.escape(v.imported_at)} — {html.escape(v.sha256[:16])}…"
        f"{' (current)' if v.is_current else ''}</li>" for v in versions_of(dossier, doc))

    def block(title: str, value: object) -> str:
        if not value:
            return ""
        text = json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)
        return f"<h3>{title}</h3><pre>{html.escape(text)}</pre>"

    return (f"<table cellspacing=4>{table}</table><h3>Versions</h3><ul>{versions}</ul>"
            + block("Retrieval record", doc.custody) + block("Metadata", doc.metadata))


def show_properties(dossier: Dossier, document_id: str, parent: QWidget | None) -> QDialog:
    """Open the properties of a document (non-modal)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Document properties")
    layout = QVBoxLayout(dialog)
    text = QTextBrowser(dialog)
    text.setHtml(properties_html(dossier, document_id))
    layout.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.close)
    layout.addWidget(buttons)
    dialog.resize(640, 560)
    dialog.show()
    return dialog
