"""Element helpers and namespaces for REFI-QDA XML.

Parsing untrusted XML is :func:`app.exchange.safety.xml_parse.parse_xml`'s job.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    """Direct children called ``name`` (in any namespace)."""
    for child in element:
        if isinstance(child.tag, str) and local(child.tag) == name:
            yield child


def child(element: Element, name: str) -> Element | None:
    """The first direct child called ``name``, if any."""
    return next(children(element, name), None)


def child_text(element: Element, name: str) -> str | None:
    """The text of the first direct child called ``name`` ("" when empty), or None when absent."""
    found = child(element, name)
    if found is None:
        return None
    return "".join(found.itertext())


def descendants(element: Element, name: str) -> Iterator[Element]:
    """Every element below ``element`` called ``name``."""
    for item in element.iter():
        if item is not element and isinstance(item.tag, str) and local(item.tag) == name:
            yield item
