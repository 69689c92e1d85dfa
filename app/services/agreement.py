"""Inter-annotator agreement per tag, over character-level units.

Every character of a document two or more people annotated is one unit; for each tag an
annotator either coded the character with that tag (it lies inside one of their annotations
carrying the tag) or did not. An annotator who made no annotation in a document gave no values
for its characters (missing data), so a pair is compared only on the documents both annotated.

* **Cohen's kappa** per tag for each pair of annotators: ``(p_o - p_e) / (1 - p_e)`` from the
  2x2 table of their characters (computed here; it is four counts).
* **Krippendorff's alpha** (nominal) per tag across all annotators, missing values allowed,
  computed by the ``krippendorff`` package from per-character value counts.

Both are undefined (``None``) when chance agreement is total (e.g. nobody used the tag).
Rejected annotations are left out: they are not anyone's standing reading of the text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import krippendorff
import numpy as np
from sqlalchemy import select

from app.services import codebook
from db.models import Annotation, AnnotationTag, Document, User

if TYPE_CHECKING:
    from app.dossier import Dossier

UNIT_WORDS = ("character-level units: every character of a document two or more annotators "
              "annotated is one unit, coded 1 if inside that annotator's annotation with the "
              "tag, else 0")


@dataclass(frozen=True)
class PairAgreement:
    """Cohen's kappa of two annotators on one tag."""

    first: str
    second: str
    units: int
    observed: float
    kappa: float | None

    def to_json(self) -> dict[str, Any]:
        """JSON shape."""
        return {"annotators": [self.first, self.second], "units": self.units,
                "observed_agreement": self.observed, "cohen_kappa": self.kappa}


@dataclass(frozen=True)
class TagAgreement:
    """Agreement on one tag: kappa per pair, alpha across all annotators."""

    tag_id: str
    path: str
    alpha: float | None
    pairs: tuple[PairAgreement, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON shape."""
        return {"tag_id": self.tag_id, "tag": self.path, "krippendorff_alpha": self.alpha,
                "pairs": [p.to_json() for p in self.pairs]}


@dataclass(frozen=True)
class AgreementResult:
    """Agreement per tag over the documents two or more annotators annotated."""

    documents: tuple[str, ...]
    annotators: tuple[str, ...]
    tags: tuple[TagAgreement, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``dossier agreement --json``."""
        return {"units": UNIT_WORDS, "level_of_measurement": "nominal",
                "documents": list(self.documents), "annotators": list(self.annotators),
                "tags": [t.to_json() for t in self.tags]}


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> tuple[float, float | None]:
    """(observed agreement, Cohen's kappa) of two equal-length 0/1 arrays."""
    n = len(a)
    if n == 0:
        return 0.0, None
    a1 = int(np.count_nonzero(a))
    b1 = int(np.count_nonzero(b))
    both = int(np.count_nonzero(a & b))
    neither = n - a1 - b1 + both
    observed = (both + neither) / n
    expected = (a1 * b1 + (n - a1) * (n - b1)) / (n * n)
    if expected >= 1.0:
        return observed, None
    return observed, (observed - expected) / (1.0 - expected)


def krippendorff_alpha(data: np.ndarray) -> float | None:
    """Nominal alpha of a (coders x units) array with NaN for missing values; None if undefined."""
    domain = np.unique(data[~np.isnan(data)])
    if domain.size < 2:
        return None
    # per-unit counts of each value: the package's own input, much faster to build here
    counts = np.stack([np.count_nonzero(data == v, axis=0) for v in domain], axis=1)
    counts = counts[counts.sum(axis=1) >= 2]  # units coded by fewer than two are not pairable
    if counts.shape[0] == 0:
        return None
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


@dataclass
class _Doc:
    id: str
    length: int
    #: annotator -> [(start, end, tag ids)]
    spans: dict[str, list[tuple[int, int, frozenset[str]]]]


def _load(dossier: Dossier, doc_ids: Sequence[str] | None) -> list[_Doc]:
    with dossier.read() as session:
        query = (select(Annotation.id, Annotation.document_id, Annotation.start, Annotation.end,
                        User.name)
                 .join(User, User.id == Annotation.author_id)
                 .where(Annotation.status != "rejected", Annotation.anchor != "orphaned"))
        if doc_ids:
            query = query.where(Annotation.document_id.in_(list(doc_ids)))
        rows = session.execute(query).all()
        tags: dict[str, set[str]] = {}
        for ann_id, tag_id in session.execute(select(AnnotationTag.annotation_id,
                                                     AnnotationTag.tag_id)):
            tags.setdefault(ann_id, set()).add(tag_id)
        by_doc: dict[str, dict[str, list[tuple[int, int, frozenset[str]]]]] = {}
        for ann_id, doc_id, start, end, author in rows:
            by_doc.setdefault(doc_id, {}).setdefault(author, []).append(
                (start, end, frozenset(tags.get(ann_id, ()))))
        shared = sorted(d for d, spans in by_doc.items() if len(spans) >= 2)
        lengths = dict(session.execute(
            select(Document.id, Document.text).where(Document.id.in_(shared))).all())
        return [_Doc(d, len(lengths[d]), by_doc[d]) for d in shared if d in lengths]


def _coded(doc: _Doc, annotator: str, tag_id: str) -> np.ndarray:
    out = np.zeros(doc.length, dtype=bool)
    for start, end, tag_ids in doc.spans.get(annotator, []):
        if tag_id in tag_ids:
            out[start:end] = True
    return out


def compute(dossier: Dossier, doc_ids: Sequence[str] | None = None) -> AgreementResult:
    """Agreement per tag over the documents (all, or ``doc_ids``) with two or more annotators."""
    docs = _load(dossier, doc_ids)
    annotators = sorted({a for d in docs for a in d.spans})
    used = sorted({t for d in docs for spans in d.spans.values() for _, _, ts in spans
                   for t in ts})
    with dossier.read() as session:
        paths = {t.id: t.path for t in codebook.list_tags(session)}
    results = []
    for tag_id in sorted(used, key=lambda t: paths.get(t, t)):
        coded = {(d.id, a): _coded(d, a, tag_id) for d in docs for a in d.spans}
        pairs = []
        for first, second in itertools.combinations(annotators, 2):
            both = [d for d in docs if first in d.spans and second in d.spans]
            if not both:
                continue
            a = np.concatenate([coded[(d.id, first)] for d in both])
            b = np.concatenate([coded[(d.id, second)] for d in both])
            observed, kappa = cohen_kappa(a, b)
            pairs.append(PairAgreement(first, second, len(a), observed, kappa))
        total = sum(d.length for d in docs)
        data = np.full((len(annotators), total), np.nan)
        offset = 0
        for d in docs:
            for row, name in enumerate(annotators):
                if name in d.spans:
                    data[row, offset:offset + d.length] = coded[(d.id, name)]
            offset += d.length
        results.append(TagAgreement(tag_id, paths.get(tag_id, tag_id),
                                    krippendorff_alpha(data), tuple(pairs)))
    return AgreementResult(tuple(d.id for d in docs), tuple(annotators), tuple(results))


def coded_ranges(dossier: Dossier, document_id: str, tag_id: str) -> dict[str, list[
        tuple[int, int]]]:
    """For the side-by-side view: each annotator's ``[start, end)`` ranges with ``tag_id``."""
    docs = _load(dossier, [document_id])
    out: dict[str, list[tuple[int, int]]] = {}
    for d in docs:
        for name, spans in d.spans.items():
            out[name] = sorted((s, e) for s, e, ts in spans if tag_id in ts)
    return out
