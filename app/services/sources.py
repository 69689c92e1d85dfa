"""Independent sources: documents whose texts largely overlap count as one source.

Two outlets printing the same wire story, or a PDF and the web page it was made from, are one
source, not two. The overlap measure, stated once for every caller:

* each text is reduced to words (``\\w+`` runs, case-folded) and then to its set of **word
  5-grams** (shingles; a text of fewer than five words is one shingle);
* two documents overlap when the **containment** ``|A ∩ B| / min(|A|, |B|)`` of their shingle
  sets is at least :data:`CONTAINMENT_THRESHOLD` (0.5), so a shortened or extended copy of a story
  still counts as that story;
* versions of one document (re-imports linked by ``previous_id``) are always one source;
* grouping is transitive: if A overlaps B and B overlaps C, all three are one source.

Shingle sets are compared exactly (no sampling); claims link a handful of documents, so this is
cheap and gives the same answer every time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annotation, Document

#: Words per shingle.
SHINGLE_WORDS = 5
#: Least containment of the smaller shingle set in the larger for two texts to be one source.
CONTAINMENT_THRESHOLD = 0.5
#: The measure in words, for output that must state it.
OVERLAP_MEASURE = (
    f"documents whose word {SHINGLE_WORDS}-gram sets overlap by at least "
    f"{CONTAINMENT_THRESHOLD:.0%} of the smaller set (containment) count as one source"
)

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[int]:
    """The set of word ``size``-grams of ``text`` (case-folded), as 64-bit digests."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if not words:
        return frozenset()
    grams = (
        [" ".join(words)] if len(words) < size
        else [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]
    )
    return frozenset(
        int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "big")
        for g in grams
    )


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """``|a ∩ b| / min(|a|, |b|)``; 0.0 when either set is empty."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for s in small if s in large) / len(small)


class _Groups:
    """Union-find over document ids."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, i: str) -> str:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _lineage_root(session: Session, document_id: str) -> str:
    """The first version of a document (following ``previous_id`` back)."""
    seen = {document_id}
    current = document_id
    while True:
        prev = session.scalar(select(Document.previous_id).where(Document.id == current))
        if prev is None or prev in seen:
            return current
        seen.add(prev)
        current = prev


def independent_sources(
    session: Session, document_ids: Collection[str]
) -> list[frozenset[str]]:
    """Group ``document_ids`` into independent sources (see the module docstring).

    Returns one frozenset of document ids per source, sorted by their smallest id; ids that name
    no document are each their own source.
    """
    ids = sorted(set(document_ids))
    if not ids:
        return []
    texts: dict[str, str] = {
        doc_id: text for doc_id, text in session.execute(
            select(Document.id, Document.text).where(Document.id.in_(ids)))
    }
    groups = _Groups(ids)
    roots: dict[str, str] = {}
    for doc_id in ids:
        if doc_id in texts:
            root = _lineage_root(session, doc_id)
            if root in roots:
                groups.join(roots[root], doc_id)
            else:
                roots[root] = doc_id
    sets = {doc_id: shingles(texts[doc_id]) for doc_id in ids if doc_id in texts}
    present = [i for i in ids if i in sets]
    for n, a in enumerate(present):
        for b in present[n + 1:]:
            if groups.find(a) != groups.find(b) and \
                    containment(sets[a], sets[b]) >= CONTAINMENT_THRESHOLD:
                groups.join(a, b)
    members: dict[str, set[str]] = {}
    for doc_id in ids:
        members.setdefault(groups.find(doc_id), set()).add(doc_id)
    return sorted((frozenset(m) for m in members.values()), key=min)


def count_independent_sources(session: Session, document_ids: Collection[str]) -> int:
    """How many independent sources ``document_ids`` come from."""
    return len(independent_sources(session, document_ids))


def annotation_sources(
    session: Session, annotation_ids: Collection[str]
) -> list[frozenset[str]]:
    """Independent sources (as document-id sets) behind the documents of ``annotation_ids``."""
    if not annotation_ids:
        return []
    docs = session.scalars(
        select(Annotation.document_id).where(Annotation.id.in_(set(annotation_ids)))
    ).all()
    return independent_sources(session, set(docs))


def count_annotation_sources(session: Session, annotation_ids: Collection[str]) -> int:
    """How many independent sources the documents of ``annotation_ids`` come from."""
    return len(annotation_sources(session, annotation_ids))
