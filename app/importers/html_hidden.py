"""Parts of a page its reader never sees: elements hidden by the page's own markup.

Sites leave whole blocks in the page that are never displayed: schema.org microdata written out as
``<div style="display:none">`` (the headline, dates, image URLs and publisher again), share bars
and pop-ups waiting for a script, copies of the article for print. trafilatura keeps some of them
in the article body. They are removed from the tree before extraction when the markup itself says
they are hidden (the ``hidden`` attribute, or an inline style with ``display: none`` or
``visibility: hidden``); style sheets are not read. Hidden elements that hold a paragraph of running
text are kept (galleries, tabs and "show more" panes hide story text until asked), and so are those
holding a script, so the page's structured data stays readable.
"""

from __future__ import annotations

import re

from lxml import etree

_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b",
                           re.IGNORECASE)
#: A hidden element holding a paragraph longer than this is story text the page shows on demand.
PROSE_MIN_CHARS = 150
_CANDIDATES = etree.XPath("//body//*[@hidden or @style]")
#: Elements whose ``hidden`` state never hides article text.
_NOT_TEXT = frozenset({"input", "img", "iframe", "svg", "source", "track"})


def drop_hidden(tree: etree._Element) -> int:
    """Remove the elements of ``tree`` its markup hides; return how many were removed."""
    removed = 0
    for el in _CANDIDATES(tree):
        if el.tag in _NOT_TEXT or not _is_hidden(el):
            continue
        parent = el.getparent()
        if parent is None or next(el.iter("script"), None) is not None or _holds_prose(el):
            continue
        _remove_keeping_tail(el, parent)
        removed += 1
    return removed


def _holds_prose(el: etree._Element) -> bool:
    """True when ``el`` holds a paragraph of running text: slides, tabs and "show more" panes hide
    story text until the reader asks for it."""
    return any(len("".join(p.itertext())) > PROSE_MIN_CHARS for p in el.iter("p"))


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None:
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _remove_keeping_tail(el: etree._Element, parent: etree._Element) -> None:
    """Remove ``el``; the text after it belongs to its parent and stays."""
    tail = el.tail
    if tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
