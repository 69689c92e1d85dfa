"""Re-extracting a PDF with other tolerances (a new extractor version) keeps highlights on their
words: at least 99% of 500 sentence-level annotations re-anchor exact or fuzzy, and none lands on
other words. "The same words" is judged by the glyphs themselves: the page and position of every
printed character under the old range and under the new one."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from app.anchoring import make_selectors, reanchor_all
from app.importers.base import ExtractedDocument, join_pages
from app.importers.pdf import PdfSettings, extract_pdf
from tests.helpers.corpus import corpus_dir, requires_corpus

pytestmark = pytest.mark.slow  # extracts corpus PDFs under several settings

CORPUS = corpus_dir()
Glyph = tuple[int, int, int, str]

NEW_EXTRACTORS = [
    pytest.param(PdfSettings(x_tolerance_ratio=0.2, join_paragraph_lines=False),
                 id="wider-word-gaps-and-hard-line-breaks"),
    pytest.param(PdfSettings(x_tolerance_ratio=0.3, y_tolerance_ratio=0.45),
                 id="much-wider-word-gaps-and-looser-lines"),
    pytest.param(PdfSettings(x_tolerance_ratio=0.12, dedupe_tolerance=0.5,
                             join_paragraph_lines=False),
                 id="narrower-word-gaps-and-stricter-dedupe"),
]


def _glyphs(doc: ExtractedDocument) -> tuple[str, list[tuple[int, int]], list[Glyph | None]]:
    text, ranges = join_pages(doc.pages)
    keys: list[Glyph | None] = [None] * len(text)
    for number, (page, (start, end)) in enumerate(zip(doc.pages, ranges, strict=True)):
        for i in range(end - start):
            if not page.synthetic[i] and not text[start + i].isspace():
                x0, top, _, _ = page.box(i)
                keys[start + i] = (number, round(x0), round(top), text[start + i])
    return text, ranges, keys


@pytest.fixture(scope="module")
def first_extraction() -> tuple[str, list[tuple[int, int]], list[Glyph | None]]:
    assert CORPUS is not None
    return _glyphs(extract_pdf(CORPUS / "pdf" / "federal-register-2020-17221.pdf", workers=1))


@requires_corpus
@pytest.mark.parametrize("settings", NEW_EXTRACTORS)
def test_sentence_annotations_survive_a_new_extractor(
    first_extraction: tuple[str, list[tuple[int, int]], list[Glyph | None]],
    settings: PdfSettings,
) -> None:
    assert CORPUS is not None
    old_text, old_ranges, old_keys = first_extraction
    new_text, new_ranges, new_keys = _glyphs(
        extract_pdf(CORPUS / "pdf" / "federal-register-2020-17221.pdf", workers=1,
                    settings=settings))
    assert new_text != old_text  # the new extractor really reads the page differently

    sentences = [m.span() for m in re.finditer(r"[^\s.;][^.;]{25,300}[.;]", old_text)]
    rnd = random.Random(20201722)
    picked = [rnd.choice(sentences) for _ in range(500)]
    selectors = [make_selectors(old_text, s, e, old_ranges) for s, e in picked]
    results = reanchor_all(new_text, selectors, page_ranges=new_ranges, old_length=len(old_text))

    counts = Counter(r.status for r in results)
    assert counts["exact"] + counts["fuzzy"] >= 495, counts
    wrong = []
    for sel, result in zip(selectors, results, strict=True):
        if result.status == "orphaned":
            continue
        old = {k for k in old_keys[sel.start:sel.end] if k}
        new = {k for k in new_keys[result.start:result.end] if k}
        overlap = len(old & new) / len(old | new)
        # An exact anchor covers the very same glyphs; a fuzzy one mostly the same (the new
        # extractor may fold a neighbouring table cell into the line).
        if overlap < (0.95 if result.status == "exact" else 0.6):
            wrong.append((result.status, round(overlap, 2), sel.exact[:50]))
    assert wrong == []
