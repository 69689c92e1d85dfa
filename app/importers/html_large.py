"""Text of very large pages in one linear pass.

trafilatura's XPath queries (``//p//text()``) take time quadratic in the number of paragraphs in
libxml2: a page of 50,000 paragraphs takes minutes, one of a million hours. Real articles have a
few hundred paragraphs, so a page with more than :data:`MAX_TRAFILATURA_BLOCKS` block elements is
read here instead: every block of the page's ``<article>`` (else ``<main>``, else ``<body>``),
in document order, leaving out scripts, styles, navigation, headers, footers and forms. The import
says so in a warning (boilerplate removal was simpler than usual).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

#: Pages with more block elements than this skip trafilatura.
MAX_TRAFILATURA_BLOCKS = 10_000
BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "dd", "dt")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset({"script", "style", "nav", "header", "footer", "aside", "form", "noscript",
                   "template", "svg", "button", "select", "textarea", "iframe"})
_BLOCK_SET = frozenset(BLOCKS) | {"div", "section", "article", "main", "ul", "ol", "table", "br"}


def count_blocks(tree: Any, limit: int) -> int:
    """How many block elements the page has, counting no further than ``limit + 1``."""
    count = 0
    for _ in tree.iter(*BLOCKS):
        count += 1
        if count > limit:
            break
    return count


def large_page_blocks(tree: Any, collapse: Callable[[str], str]) -> list[tuple[str, str]]:
    """(kind, text) of every block of the page's article, in one pass over its elements."""
    root = next((found for found in (_first(tree, "article"), _first(tree, "main"),
                                     _first(tree, "body")) if found is not None), tree)
    blocks: list[tuple[str, str]] = []
    # A stack of open text buffers: one per open block element, the outermost for loose text.
    buffers: list[tuple[str, list[str]]] = [("paragraph", [])]
    skipping: Any = None

    def flush(kind: str, parts: list[str]) -> None:
        text = collapse("".join(parts))
        if text:
            blocks.append((kind, text))

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if skipping is not None:
            if event == "end" and el is skipping:
                skipping = None
                if el.tail:
                    buffers[-1][1].append(el.tail)
            continue
        if not tag:  # a comment or processing instruction: only its tail is text
            if event == "start" and el.tail:
                buffers[-1][1].append(el.tail)
            continue
        if event == "start":
            if tag in _SKIP:
                skipping = el
                continue
            if tag in _BLOCK_SET:
                kind = ("heading" if tag in _HEADINGS else "quote" if tag == "blockquote"
                        else "list-item" if tag == "li" else "paragraph")
                outer_kind, outer = buffers[-1]
                flush(outer_kind, outer)
                outer.clear()
                buffers.append((kind, []))
            if el.text:
                buffers[-1][1].append(el.text)
        else:
            if tag in _BLOCK_SET:
                kind, parts = buffers.pop()
                flush(kind, parts)
            if el.tail and el is not root:
                buffers[-1][1].append(el.tail)
    for kind, parts in buffers:
        flush(kind, parts)
    return blocks


def _first(tree: Any, tag: str) -> Any:
    return next(iter(tree.iter(tag)), None)
