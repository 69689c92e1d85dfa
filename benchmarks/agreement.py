"""Agreement and independent sources at team size.

Agreement: D documents of about 20,000 characters each, annotated by three annotators (40
annotations each per document, 8 tags), through the services. ``agreement.compute`` over every
character (character-level units) is timed against a same-run baseline: reading the same
annotations with ``list_annotations``. Sources: a claim linking one annotation in each of the D
documents (half of them copies of another); ``count_annotation_sources`` is timed against
reading the documents' texts. Figures are wall seconds; noisy on a busy machine.

Usage: python benchmarks/agreement.py [DOCUMENTS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.services import agreement, annotations, codebook, roles, sources  # noqa: E402
from db.models import Document  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402
from tests.helpers.review import acting_as  # noqa: E402

WORDS = ["passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
         "dispatch", "agency", "salary", "deposit", "loyalty", "fund", "weapons", "site"]


def _text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def main(n_docs: int = 20) -> None:
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp()) / "dossier"
    dossier = Dossier.open(folder, user="alice")
    for name in ("bob", "carol"):
        roles.add_user(dossier, name, "annotator")
    team = [dossier, acting_as(dossier, "bob"), acting_as(dossier, "carol")]
    with dossier.read() as session:
        tags = [t.id for t in codebook.list_tags(session) if t.parent_id][:8]
    docs = []
    firsts = []
    for d in range(n_docs):
        text = _text(rng, 20_000) if d % 2 == 0 or not docs else \
            "Reprinted. " + dossier_text(dossier, docs[-1])
        doc = add_text_document(dossier, text, f"Doc {d}")
        docs.append(doc.id)
        for who in team:
            for _ in range(40):
                start = rng.randrange(0, len(text) - 300)
                ann = annotations.create_annotation(who, doc.id, start,
                                                    start + rng.randrange(20, 300),
                                                    [rng.choice(tags)])
        firsts.append(ann.id)
    t0 = time.perf_counter()
    rows = annotations.list_annotations(dossier)
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = agreement.compute(dossier)
    took = time.perf_counter() - t0
    units = sum(len(dossier_text(dossier, d)) for d in result.documents)
    print(f"agreement: {len(result.documents)} documents, {units} character units, "
          f"{len(result.tags)} tags, {len(rows)} annotations: {took:.2f} s "
          f"(baseline list_annotations {base:.2f} s)")
    with dossier.read() as session:
        t0 = time.perf_counter()
        texts = session.scalars(select(Document.text)).all()
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        count = sources.count_annotation_sources(session, firsts)
        took = time.perf_counter() - t0
    print(f"sources: {len(firsts)} documents ({len(texts)} texts) -> {count} independent "
          f"sources: {took:.2f} s (baseline reading the texts {base:.3f} s)")
    dossier.close()


def dossier_text(dossier: Dossier, doc_id: str) -> str:
    """A document's text."""
    with dossier.read() as session:
        return dossier.document_text(session, doc_id)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
