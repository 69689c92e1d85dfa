"""The page tree made ready for extraction: what the reader never sees out, quoted posts in.

Sites leave whole blocks in the page that are never displayed: schema.org microdata written out as
``<div style="display:none">`` (the headline, dates, image URLs and publisher again), share bars
and pop-ups waiting for a script, copies of the article for print. trafilatura keeps some of them
in the article body. They are removed before extraction when the markup itself says they are hidden
(the ``hidden`` attribute, or an inline style with ``display: none`` or ``visibility: hidden``);
style sheets are not read. Hidden elements that hold a paragraph of running text are kept
(galleries, tabs and "show more" panes hide story text until asked), and so are those holding a
script, so the page's structured data stays readable.

The other way round, a post from a social network quoted in the story (Twitter's embed markup, a
``<blockquote class="twitter-tweet">`` in a widget box) is what someone said on the record, but
trafilatura discards it with the widget around it. The quote is lifted out of its box and loses
the class, so it is extracted as the quotation it is.
"""

from __future__ import annotations

import re

from lxml import etree

#: A hidden element holding a paragraph longer than this is story text the page shows on demand.
PROSE_MIN_CHARS = 150

_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b",
                           re.IGNORECASE)
_EMBEDDED_POST = re.compile(r"\btwitter-(?:tweet|video)\b")
#: One walk over the body finds both kinds of element.
_CANDIDATES = etree.XPath("//body//*[@hidden or @style or self::blockquote[@class]]")
#: Elements whose ``hidden`` state never hides article text.
_NOT_TEXT = frozenset({"input", "img", "iframe", "svg", "source", "track"})
#: Boxes a quoted post is never lifted out of.
_CONTAINERS = frozenset({"body", "article", "main", "section", "blockquote", "td", "li"})


def prepare_tree(tree: etree._Element) -> tuple[int, int]:
    """Remove what ``tree``'s markup hides, lift quoted posts out of their widget boxes; return
    how many elements were removed and how many posts lifted."""
    removed = lifted = 0
    gone: set[etree._Element] = set()  # inside a removed element: nothing left to do there
    for el in _CANDIDATES(tree):
        if el in gone:
            continue
        if el.tag == "blockquote" and _EMBEDDED_POST.search(el.get("class", "")):
            _lift(el)
            lifted += 1
        elif el.tag not in _NOT_TEXT and _is_hidden(el) and not _keep_hidden(el):
            parent = el.getparent()
            if parent is not None:
                gone.update(el.iter())  # each element is added once: removed parts are disjoint
                _remove_keeping_tail(el, parent)
                removed += 1
    return removed, lifted


def _keep_hidden(el: etree._Element) -> bool:
    """A hidden element that holds a script (structured data) or a paragraph of running text."""
    return next(el.iter("script"), None) is not None or any(
        len("".join(p.itertext())) > PROSE_MIN_CHARS for p in el.iter("p"))


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None:
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _lift(quote: etree._Element) -> None:
    """Put ``quote`` in place of the boxes that hold nothing else, and drop its embed class."""
    del quote.attrib["class"]
    box = quote
    parent = box.getparent()
    while (parent is not None and parent.tag not in _CONTAINERS
           and _only_child(parent, box) and parent.getparent() is not None):
        box, parent = parent, parent.getparent()
    if box is not quote and parent is not None:
        quote.tail = box.tail
        parent.replace(box, quote)


def _only_child(parent: etree._Element, child: etree._Element) -> bool:
    """True when ``child`` is all ``parent`` shows (scripts and comments aside)."""
    if (parent.text or "").strip():
        return False
    for other in parent:
        if other is child:
            continue
        if isinstance(other.tag, str) and other.tag not in ("script", "style", "noscript"):
            return False
        if (other.tail or "").strip():
            return False
    return not (child.tail or "").strip()


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
