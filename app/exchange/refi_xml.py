"""Safe XML parsing and element helpers for REFI-QDA files.

Project files come from other people's machines, so they are parsed with defusedxml with every
DTD refused: a DTD is where external entities (reading local files) and entity bombs live, and no
REFI tool needs one.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from app.errors import BadInput

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


class UnsafeXml(BadInput):
    """An XML file uses a feature Dossier refuses for safety (DTDs, entities)."""


def parse_xml(data: bytes, where: str) -> Element:
    """Parse ``data`` (the file ``where``), refusing DTDs, entities and external references."""
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UnsafeXml(
            f"{where}: the XML declares a document type or entities ({type(exc).__name__}), which "
            "can read local files or expand without limit; Dossier refuses it — export the "
            "project again without a DTD"
        ) from exc
    except ParseError as exc:
        raise BadInput(f"{where}: not well-formed XML ({exc}); export the project again") from exc
    return root


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
