"""Many annotations quickly: a W3C annotation set written directly, imported by the services.

The set is what ``dossier export --format jsonld`` writes, so importing it runs the real set
import (matching, one transaction, audit events) — the services' bulk path.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from app.exchange.incoming import (
    IncomingAnnotation,
    IncomingDocument,
    IncomingSet,
    IncomingTagRef,
)

CONTEXT = 32


class SetDocument(Protocol):
    """What a set says about a document (a DocumentView has it)."""

    @property
    def id(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...


Passage = tuple[SetDocument, str, int, int]


def _item(doc: SetDocument, text: str, start: int, end: int, author: str,
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


def write_set(path: Path, passages: Sequence[Passage], *,
              author: str = "alice", tag_ids: Sequence[str] = (),
              tags_of: Callable[[int], Sequence[str]] | None = None,
              stamp: str = "2026-01-05T10:00:00.000000Z") -> Path:
    """Write a JSON-LD annotation set with one annotation per ``(document, text, start, end)``.

    Every annotation carries ``tag_ids``, or ``tags_of(i)`` for the i-th passage when given.
    """
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
            tags = tags_of(i) if tags_of is not None else tag_ids
            fh.write(json.dumps(_item(doc, text, start, end, author, tags, stamp),
                                ensure_ascii=False))
        fh.write("\n]}}\n")
    return path


def word_passages(doc: SetDocument, text: str, count: int, word: int = 12) -> list[Passage]:
    """``count`` passages of ``text``, each ``word`` characters long, spread over the text."""
    step = max(1, (len(text) - word) // count)
    return [(doc, text, i * step, i * step + word) for i in range(count)]


def incoming_set(name: str, passages: Sequence[Passage], *, author: str = "alice",
                 tags_of: Callable[[int], Sequence[str]] | None = None,
                 stamp: str = "2026-01-05T10:00:00.000000Z") -> IncomingSet:
    """The same set as :func:`write_set` writes, as the set import reads it (for
    ``app.services.sets.merge.merge_set``, when parsing the file is not what is measured)."""
    incoming = IncomingSet(name=name, sha256=hashlib.sha256(name.encode()).hexdigest(),
                           kind="jsonld")
    for i, (doc, text, start, end) in enumerate(passages):
        key = f"urn:uuid:{doc.id}"
        if key not in incoming.documents:
            incoming.documents[key] = IncomingDocument(key=key, sha256=doc.sha256,
                                                       title=doc.title, kind=doc.kind)
        tags = tags_of(i) if tags_of is not None else ()
        incoming.annotations.append(IncomingAnnotation(
            index=i, id=str(uuid.uuid4()), document=key, start=start, end=end,
            exact=text[start:end], prefix=text[max(0, start - CONTEXT):start],
            suffix=text[end:end + CONTEXT], author=author, created=stamp, modified=stamp,
            anchor="exact", anchor_score=1.0,
            tags=tuple(IncomingTagRef(t, None) for t in tags)))
    return incoming
