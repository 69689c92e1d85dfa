"""Parsing XML from other people's machines.

Files are parsed with defusedxml with every DTD refused: a DTD is where external entities
(reading local files) and entity bombs live, and no format Dossier reads needs one.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from app.errors import BadInput


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
