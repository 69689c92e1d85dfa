"""Where a document's text came from: which pages were recognised by OCR, and how."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from db.models import Page

if TYPE_CHECKING:
    from app.dossier import Dossier


def ocr_pages(dossier: Dossier, document_id: str) -> list[tuple[int, dict[str, Any]]]:
    """``(page number, OCR record)`` of every page whose text came from OCR."""
    with dossier.read() as session:
        rows = session.execute(
            select(Page.number, Page.ocr).where(Page.document_id == document_id,
                                                Page.ocr.is_not(None)).order_by(Page.number)
        ).all()
    return [(number, json.loads(ocr)) for number, ocr in rows if ocr]


def describe_ocr(pages: list[tuple[int, dict[str, Any]]]) -> str:
    """One line: ``pages 8-13 recognised by tesseract 5.3.0 (eng, 300 dpi)``."""
    if not pages:
        return "none: the text comes from the file's text layer"
    engines = sorted({f"{r.get('engine')} {r.get('version')} ({r.get('lang')}, "
                      f"{r.get('dpi')} dpi)" for _, r in pages})
    numbers = [n for n, _ in pages]
    return f"{_ranges(numbers)} recognised by {'; '.join(engines)}"


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [0]:
        if n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(parts)
