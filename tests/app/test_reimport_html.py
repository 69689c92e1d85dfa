"""An article saved twice with different boilerplate: every annotation in the body re-anchors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.services import annotations, documents, imports
from app.services.versions import reimport_document
from tests.helpers.corpus import corpus_dir, requires_corpus

pytestmark = pytest.mark.slow  # imports and re-imports corpus pages

CORPUS = corpus_dir()
PAGES = ["theguardian.com.academics.html", "spiegel.de.albtraum.html", "vice.com.amazon.html"]


def _second_save(html: str) -> str:
    """The same page saved later: new navigation, a 'read more' box inside the article, a
    different related-stories rail and footer, a changed tracking script."""
    nav = '<nav class="site-nav"><ul>' + "".join(
        f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12)) + "</ul></nav>"
    rail = '<aside class="related"><h2>Most viewed</h2><ul>' + "".join(
        f'<li><a href="/story/{i}">Related story number {i} you might like</a></li>'
        for i in range(8)) + "</ul></aside>"
    html = re.sub(r"<body([^>]*)>", lambda m: m.group(0) + nav, html, count=1)
    paragraphs = [m.end() for m in re.finditer(r"</p>", html)]
    if paragraphs:
        middle = paragraphs[len(paragraphs) // 2]
        html = (html[:middle] + '<p><strong>Read more:</strong> <a href="/other">Why this '
                "story matters to readers everywhere</a></p>" + html[middle:])
    html = html.replace("</body>", rail + "<footer><p>© 2026 A different footer</p></footer>"
                        "<script>var tracking = 2;</script></body>")
    return html


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"[^.!?\n]{40,}[.!?]", text):
        if text.count(m.group(0)) == 1:
            spans.append((m.start(), m.end()))
    return spans


@requires_corpus
@pytest.mark.parametrize("page", PAGES)
def test_body_annotations_survive_a_second_save(
    dossier: Dossier, tmp_path: Path, page: str
) -> None:
    assert CORPUS is not None
    first = CORPUS / "html" / page
    second = tmp_path / f"second-{page}"
    second.write_text(_second_save(first.read_text(encoding="utf-8", errors="surrogateescape")),
                      encoding="utf-8", errors="surrogateescape")
    doc = imports.import_file(dossier, first).document
    assert doc is not None
    text = documents.document_text(dossier, doc.id)
    spans = _sentences(text)
    assert len(spans) >= 5, "the article body should have several sentences"
    made = {annotations.create_annotation(dossier, doc.id, s, e).id: text[s:e] for s, e in spans}

    report = reimport_document(dossier, doc.id, str(second))
    new_text = documents.document_text(dossier, report.document.id)
    for item in report.annotations:
        assert item.result.status in ("exact", "fuzzy"), (item.old_quote, item.result)
        assert new_text[item.result.start:item.result.end] == made[item.annotation_id]
    assert report.counts()["orphaned"] == 0
