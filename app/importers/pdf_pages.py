"""Finding the pages of a PDF whose page tree pdfminer cannot follow.

pdfminer accepts a leaf of the page tree only when it says ``/Type /Page``; some producers leave
the type out (or misspell it), and such a file then seems to have no pages although every viewer
(PDFium among them) shows them. Here the tree is walked leniently: a node with ``/Kids`` is an
inner node, any other dictionary reached from the root is a page; inheritable attributes are
passed down; loops are cut.
"""

from __future__ import annotations

from typing import Any

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFObjRef, dict_value, list_value

_INHERITABLE = ("Resources", "MediaBox", "CropBox", "Rotate")
#: A page tree deeper than this is not followed further.
_MAX_DEPTH = 64


def lenient_pages(doc: PDFDocument) -> list[PDFPage]:
    """The pages reachable from the catalog's ``/Pages``, typed or not (may be empty)."""
    try:
        root = doc.catalog.get("Pages")
    except Exception:
        return []
    found: list[tuple[int, dict[str, Any]]] = []
    seen: set[int] = set()

    def walk(ref: Any, inherited: dict[str, Any], depth: int) -> None:
        if depth > _MAX_DEPTH or not isinstance(ref, PDFObjRef) or ref.objid in seen:
            return
        seen.add(ref.objid)
        try:
            node = dict_value(ref).copy()
        except Exception:
            return
        for key, value in inherited.items():
            node.setdefault(key, value)
        if "Kids" in node:
            passed = {k: node[k] for k in _INHERITABLE if k in node}
            try:
                kids = list_value(node["Kids"])
            except Exception:
                return
            for kid in kids:
                walk(kid, passed, depth + 1)
        elif "Contents" in node or "MediaBox" in node or "Resources" in node:
            found.append((ref.objid, node))

    walk(root, {}, 0)
    return [PDFPage(doc, objid, attrs, None) for objid, attrs in found]
