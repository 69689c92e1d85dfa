"""What every importer produces, independent of the store.

An importer reads an original (PDF, HTML, text) and returns an :class:`ExtractedDocument`:
the canonical text (see :mod:`app.textmodel`), metadata, and for PDFs one
:class:`ExtractedPage` per page with a box for every code point of that page's text. The
document service stores it atomically.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import BadInput, Cancelled

#: Text placed between the texts of consecutive PDF pages; it belongs to no page.
PAGE_SEPARATOR = "\n\n"

#: ``progress(done, total)``; importers call it as work advances.
ProgressCallback = Callable[[int, int], None]
#: Returns True when the user asked to stop; importers poll it and raise :class:`ImportCancelled`.
CancelCheck = Callable[[], bool]


class ImportRefused(BadInput):
    """A file cannot be imported; the message says what is wrong and what to do, in one line."""


class PasswordRequired(ImportRefused):
    """An encrypted PDF needs a (different) password."""


class ImportCancelled(Cancelled):
    """The user cancelled an import; nothing was written."""


@dataclass
class ExtractedPage:
    """One PDF page: its text and, for every code point of it, a box on the displayed page.

    ``boxes`` holds 4 floats per code point (x0, top, x1, bottom) in PDF points with the origin at
    the top-left of the page as displayed (after /Rotate). ``synthetic`` holds one byte per code
    point: 1 where the extractor inserted the character (spaces, newlines), else 0. Synthetic
    characters get a zero-size box at the end of the preceding glyph.
    """

    text: str
    boxes: array  # array("f"), len == 4 * len(text)
    synthetic: bytes  # len == len(text)
    width: float
    height: float
    rotation: int = 0
    label: str | None = None
    #: For a page whose text came from OCR: engine, version, language, resolution.
    ocr: dict[str, object] | None = None
    #: For an OCR'd page: one byte per code point, the confidence (0-100) of its word, 255 for
    #: synthetic characters (see :mod:`app.importers.ocr`).
    confidence: bytes | None = None

    def box(self, index: int) -> tuple[float, float, float, float]:
        """The box of the code point at ``index`` of this page's text."""
        b = self.boxes
        i = 4 * index
        return (b[i], b[i + 1], b[i + 2], b[i + 3])


@dataclass
class ExtractedDocument:
    """Everything an importer learned from an original, ready to be stored."""

    kind: str  # "pdf", "html" or "text"
    text: str
    title: str = ""
    author: str | None = None
    published: str | None = None  # ISO 8601 date or date-time as the source states it
    site_name: str | None = None
    url: str | None = None
    pages: list[ExtractedPage] = field(default_factory=list)
    #: (kind, start, end) ranges for display: "heading", "paragraph", "quote", "list-item".
    structure: list[tuple[str, int, int]] = field(default_factory=list)
    #: Importer name, library version and settings: the same file always yields the same text.
    extractor: str = ""
    metadata: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def join_pages(pages: list[ExtractedPage]) -> tuple[str, list[tuple[int, int]]]:
    """Join page texts with :data:`PAGE_SEPARATOR`; return the text and each page's [start, end)."""
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    pos = 0
    for i, page in enumerate(pages):
        if i:
            parts.append(PAGE_SEPARATOR)
            pos += len(PAGE_SEPARATOR)
        parts.append(page.text)
        ranges.append((pos, pos + len(page.text)))
        pos += len(page.text)
    return "".join(parts), ranges


def text_and_page_ranges(document: ExtractedDocument) -> tuple[str, list[tuple[int, int]]]:
    """A document's canonical text and each page's [start, end) (no ranges without pages)."""
    return join_pages(document.pages) if document.pages else (document.text, [])
