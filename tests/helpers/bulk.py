"""Many annotations quickly: a W3C annotation set written directly, imported by the services.

The set is what ``dossier export --format jsonld`` writes, so importing it runs the real set
import (matching, one transaction, audit events) — the services' bulk path.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path

from app.services.documents import DocumentView

CONTEXT = 32


def _item(doc: DocumentView, text: str, start: int, end: int, author: str,
          tag_ids: Sequence[str], stamp: str) -> dict[str, object]:
    return {
        "id": f"urn:uuid:{uuid.uuid4()}", "type": "Annotation",
        "motivation": "classifying" if tag_ids else "highlighting",
        "body": [{"type": "SpecificResource", "purpose": "classifying",
                  "source": f"urn:uuid:{t}"} for t in tag_ids],
        "creator": {"type": "Person", "name": author},
        "created": stamp, "modified": stamp,
        "target": {
            "type": "SpecificResource", "source": f"urn:uuid:{doc.id}",
            "dossier:document": f"urn:uuid:{doc.id}", "dossier:sha256": doc.sha256,
            "selector": [
                {"type": "TextQuoteSelector", "exact": text[start:end],
                 "prefix": text[max(0, start - CONTEXT):start],
                 "suffix": text[end:end + CONTEXT]},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
        "dossier:status": "draft", "dossier:anchor": "exact", "dossier:anchorScore": 1.0,
    }


def write_set(path: Path, passages: Sequence[tuple[DocumentView, str, int, int]], *,
              author: str = "alice", tag_ids: Sequence[str] = (),
              stamp: str = "2026-01-05T10:00:00.000000Z") -> Path:
    """Write a JSON-LD annotation set with one annotation per ``(document, text, start, end)``."""
    docs = {doc.id: doc for doc, _, _, _ in passages}
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({
            "@context": ["http://www.w3.org/ns/anno.jsonld", {"dossier": "urn:dossier:ns:"}],
            "id": f"urn:uuid:{uuid.uuid4()}", "type": "AnnotationCollection",
            "total": len(passages),
            "dossier:documents": [{
                "id": f"urn:uuid:{d.id}", "type": "dossier:Document", "dossier:title": d.title,
                "dossier:kind": d.kind, "dossier:sha256": d.sha256} for d in docs.values()],
        })[:-1])
        fh.write(', "first": {"type": "AnnotationPage", "items": [\n')
        for i, (doc, text, start, end) in enumerate(passages):
            if i:
                fh.write(",\n")
            fh.write(json.dumps(_item(doc, text, start, end, author, tag_ids, stamp),
                                ensure_ascii=False))
        fh.write("\n]}}\n")
    return path


def word_passages(doc: DocumentView, text: str, count: int,
                  word: int = 12) -> list[tuple[DocumentView, str, int, int]]:
    """``count`` passages of ``text``, each ``word`` characters long, spread over the text."""
    step = max(1, (len(text) - word) // count)
    return [(doc, text, i * step, i * step + word) for i in range(count)]
