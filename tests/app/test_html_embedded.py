"""Script-drawn pages: the article rebuilt from the HTML node tree a page embeds in a script."""

from __future__ import annotations

import json
from typing import Any

from lxml import html as lxml_html

from app.importers.html import extract_html
from app.importers.html_embedded import embedded_article_blocks

FIRST = "Investigators documented payments to recruitment agencies in three provinces."
SECOND = "The company paid the agencies a total of 1.2 million euros over two years."
THIRD = "Workers said they were never told who paid for their flights or their housing."
TEASER = "Minister denies any knowledge of the recruitment scheme"
CLOSING = "The company did not respond to requests for comment before publication."


def _text(data: str) -> dict[str, Any]:
    return {"type": "text", "data": data}


def _node(kind: str, *children: dict[str, Any], **attribs: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": kind, "children": list(children)}
    if attribs:
        node["attribs"] = attribs
    return node


ARTICLE_TREE = [
    _node("p", _text(FIRST + " " + SECOND[:20]), _node("em", _text(SECOND[20:]))),
    {"type": "ad-slot-1"},
    _node("h3", _node("a", _text(TEASER), href="https://news.example.org/other-story")),
    _node("h2", _text("The contracts")),
    _node("div", _text("\n"), _node("iframe", src="https://video.example.org/1")),
    _node(
        "p",
        _text("Records seen by "),
        _node("a", _text("our reporters"), href="https://news.example.org/docs"),
        _text(" show " + THIRD),
    ),
    _node("ul", _node("li", _text("Agency A: 400 workers")), _node("li", _text("Agency B: 250"))),
    _node("blockquote", _node("p", _text("We were never paid,")), _node("p", _text("one said."))),
    _node("p", _text(CLOSING), _node("br"), _text("Additional reporting by J. Doe")),
]
#: A related story's body in the same app state: a tree, but not this article's.
OTHER_TREE = [
    _node("p", _text("Shipping rates rose sharply in the second quarter across Asia.")),
    _node("p", _text("Analysts expect freight costs to stay high until next spring.")),
]
#: What the page declares in JSON-LD: plain text, the teaser fused in as the site does.
DECLARED = " ".join([
    FIRST, SECOND, TEASER, "The contracts", "Records seen by our reporters show", THIRD,
    "Agency A: 400 workers", "Agency B: 250", "We were never paid, one said.", CLOSING,
    "Additional reporting by J. Doe",
])


def _page(state: object) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": "Shipping firm paid recruiters", "articleBody": DECLARED})
    return (
        "<html><head><title>Shipping firm paid recruiters</title>"
        f'<script type="application/ld+json">{ld}</script></head>'
        "<body><div id='app'><p>Loading…</p></div>"
        f"<script>window.__STATE__ = {json.dumps(state)};</script></body></html>"
    )


def test_script_drawn_article_is_laid_out_from_its_embedded_tree() -> None:
    state = {"related": {"body": {"json": OTHER_TREE}}, "article": {"body": {"json": ARTICLE_TREE}}}
    doc = extract_html(_page(state).encode(), name="app.html")
    assert doc.metadata["text_source"] == "json-ld articleBody"
    assert "laid out as in the page's script data" in doc.warnings[0]
    assert doc.text == (
        f"{FIRST} {SECOND}\n\n"
        "The contracts\n\n"
        f"Records seen by our reporters show {THIRD}\n\n"
        "Agency A: 400 workers\nAgency B: 250\n\n"
        "We were never paid, one said.\n\n"
        f"{CLOSING}\nAdditional reporting by J. Doe"
    )
    assert TEASER not in doc.text and "Shipping rates" not in doc.text
    blocks = [(kind, doc.text[s:e]) for kind, s, e in doc.structure]
    assert blocks[:3] == [
        ("paragraph", f"{FIRST} {SECOND}"),
        ("heading", "The contracts"),
        ("paragraph", f"Records seen by our reporters show {THIRD}"),
    ]
    assert ("list-item", "Agency A: 400 workers") in blocks
    assert ("list-item", "Agency B: 250") in blocks
    assert ("quote", "We were never paid, one said.") in blocks


def test_without_a_matching_tree_the_declared_text_is_kept() -> None:
    doc = extract_html(_page({"related": {"body": {"json": OTHER_TREE}}}).encode(), name="a.html")
    assert doc.text == DECLARED
    assert "script data" not in doc.warnings[0]


def test_tree_matching_too_few_of_the_declared_words_is_not_used() -> None:
    half = ARTICLE_TREE[:3]  # the first paragraph and the teaser: well under 80 % of the words
    tree = lxml_html.document_fromstring(_page({"body": half}))
    assert embedded_article_blocks(tree, DECLARED, str.strip) is None


def test_deeply_nested_script_data_does_not_break_the_import() -> None:
    deep: dict[str, Any] = _text("bottom")
    for _ in range(300):
        deep = _node("span", deep)
    too_deep = "[" * 200_000 + "]" * 200_000
    page = _page({"decoy": [deep], "article": ARTICLE_TREE}).replace(
        "</body>", f"<script>var x = {too_deep};</script></body>"
    )
    doc = extract_html(page.encode(), name="deep.html")
    assert doc.text.startswith(f"{FIRST} {SECOND}\n\nThe contracts\n\n")
